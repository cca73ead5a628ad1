"""The face step of the squared-loss coordinate descent (lpnet.solvers.support_newton).

References: numpy's Cholesky and solve for the factor updates, scikit-learn's Lasso / lasso_path for the
solutions, the independent KKT checker (tests/kkt.py) and the duality gap recomputed by numpy.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import Lasso, lasso_path

import lpnet
from lpnet.solvers import _cd_kernels, cd_working_set
from lpnet.solvers._design import kernel_matrix
from lpnet.solvers.support_newton import (
    FaceFactor,
    SupportGram,
    append_columns,
    drop_in_place,
    support_step,
)
from tests import kkt


def saturated(seed: int, n: int = 60, p: int = 300, rho: float = 0.7):
    """Correlated columns (Toeplitz rho^|i-j|) with more features than rows: small alphas fill the support."""
    rng = np.random.default_rng(seed)
    cov = rho ** np.abs(np.subtract.outer(np.arange(p), np.arange(p)))
    X = rng.standard_normal((n, p)) @ np.linalg.cholesky(cov).T
    w = np.zeros(p)
    w[rng.choice(p, 10, replace=False)] = rng.standard_normal(10) * 2
    return X, X @ w + 0.5 * rng.standard_normal(n) + 3.0


def count_face_steps(monkeypatch) -> list:
    """A list that grows by one at every face step the solver takes."""
    calls: list = []
    original = cd_working_set.support_step

    def counting(*args):
        calls.append(1)
        return original(*args)

    monkeypatch.setattr(cd_working_set, "support_step", counting)
    return calls


def test_drop_column_equals_a_fresh_factorization():
    rng = np.random.default_rng(0)
    B = rng.standard_normal((40, 12))
    A = B.T @ B + 0.1 * np.eye(12)
    R = np.linalg.cholesky(A).T
    for k in (0, 5, 11):
        keep = np.delete(np.arange(12), k)
        expected = np.linalg.cholesky(A[np.ix_(keep, keep)]).T
        buffer = np.zeros((14, 14), order="F")  # a factor in the corner of a larger buffer, as kept
        buffer[:12, :12] = R
        drop_in_place(buffer, 12, k)
        np.testing.assert_allclose(np.triu(buffer[:11, :11]), expected, rtol=1e-10, atol=1e-12)


def test_append_columns_grows_the_factor_as_a_fresh_factorization_and_stops_at_a_dependent_column():
    rng = np.random.default_rng(6)
    B = rng.standard_normal((40, 12))
    G = B.T @ B
    mu = rng.uniform(0.0, 0.5, 12)
    rows, new = np.array([3, 0, 7]), np.array([5, 11, 1, 9])
    buffer = np.zeros((12, 12), order="F")
    A = G[np.ix_(rows, rows)] + np.diag(mu[rows])
    buffer[:3, :3] = np.linalg.cholesky(A).T
    assert append_columns(buffer, G, rows, new, mu[new]) == 4
    order = np.r_[rows, new]
    expected = np.linalg.cholesky(G[np.ix_(order, order)] + np.diag(mu[order])).T
    np.testing.assert_allclose(np.triu(buffer[:7, :7]), expected, rtol=1e-6, atol=1e-8)
    # a column whose pivot is not positive (a block that is not positive definite) stops the growth there,
    # the factor left as it was before that column
    G2 = G.copy()
    G2[6, 6] = 0.0
    buffer = np.zeros((12, 12), order="F")
    buffer[:1, :1] = np.sqrt(G2[2, 2])
    assert append_columns(buffer, G2, np.array([2]), np.array([4, 6, 8]), np.zeros(3)) == 1
    np.testing.assert_allclose(np.triu(buffer[:2, :2]), np.linalg.cholesky(G[np.ix_([2, 4], [2, 4])]).T, rtol=1e-8)
    assert not buffer[:3, 2].any()


@pytest.mark.parametrize("layout", ["dense", "csc"])
@pytest.mark.parametrize("width", [1, 4, 7, 10])
def test_subset_products_read_the_centred_columns_in_place(layout, width):
    rng = np.random.default_rng(width)
    X = rng.standard_normal((30, 25)) + 1e3  # a large mean: the products are taken on the differences
    if layout == "csc":
        X = sp.random(30, 25, density=0.3, random_state=width, format="csc") * 3.0
    dense = X.toarray() if sp.issparse(X) else X
    h = rng.uniform(0.5, 1.5, 30) / 30
    means = np.where(rng.random(25) < 0.3, 0.0, (h @ dense) / h.sum())  # some columns left uncentred
    cols = np.sort(rng.choice(25, width, replace=False)).astype(np.int64)
    r = rng.standard_normal(30)
    Xc = dense[:, cols] - means[cols]
    kernel = kernel_matrix(X)
    np.testing.assert_allclose(_cd_kernels.subset_xt_centred(kernel, cols, h, r, means), Xc.T @ (h * r), rtol=1e-9)
    # and the full product over every column, on the same differences
    full = _cd_kernels.centred_xt(kernel, h * r, means, 25)
    np.testing.assert_allclose(full, (dense - means).T @ (h * r), rtol=1e-9, atol=1e-12)
    coef = rng.standard_normal(width)
    coef[0] = 0.0
    out = r.copy()
    _cd_kernels.subset_axpy_centred(kernel, cols, coef, out, means)
    np.testing.assert_allclose(out, r - Xc @ coef, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("intercept", [True, False])
def test_face_factor_updates_solve_the_block(intercept):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((50, 30)) + 5.0  # a large mean: the centring must be right
    h = rng.uniform(0.5, 1.5, 50)
    h /= h.sum()
    means = (h @ X) / h.sum() if intercept else None
    gram = SupportGram(X, h, means)
    factor = FaceFactor()
    mu = np.zeros(30)
    Xc = X - means if intercept else X
    sequence = [np.arange(10), np.array([0, 1, 2, 4, 5, 6, 7, 8, 9, 12]), np.array([0, 2, 4, 5, 6, 7, 8, 9, 12, 20, 3])]
    for features in sequence:
        assert factor.sync(gram, features, mu)
        block = Xc[:, features].T @ (h[:, None] * Xc[:, features])
        rhs = rng.standard_normal(features.size)
        np.testing.assert_allclose(factor.solve(features, rhs), np.linalg.solve(block, rhs), rtol=1e-7)
    # a changed ridge part (another alpha of an Elastic Net) refactors
    mu2 = np.full(30, 0.3)
    assert factor.sync(gram, sequence[-1], mu2)
    block = Xc[:, sequence[-1]].T @ (h[:, None] * Xc[:, sequence[-1]]) + 0.3 * np.eye(sequence[-1].size)
    rhs = rng.standard_normal(sequence[-1].size)
    np.testing.assert_allclose(factor.solve(sequence[-1], rhs), np.linalg.solve(block, rhs), rtol=1e-7)


def test_face_steps_reach_the_lasso_solution_from_a_nearby_point():
    X, y = saturated(2, n=80, p=40)
    n = X.shape[0]
    alpha = 0.05
    ref = Lasso(alpha=alpha, tol=1e-14, max_iter=100_000).fit(X, y)
    h = np.full(n, 1.0 / n)
    gram = SupportGram(X, h, X.mean(axis=0))
    rng = np.random.default_rng(3)
    w = ref.coef_ + 1e-2 * rng.standard_normal(40) * (ref.coef_ != 0)
    # two coefficients that should be zero start nonzero, one that should be nonzero starts at zero
    zeros = np.flatnonzero(ref.coef_ == 0)[:2]
    w[zeros] = 1e-3
    w[np.flatnonzero(ref.coef_)[0]] = 0.0
    r = y - X @ w
    r -= r.mean()
    tau = np.full(40, alpha)
    new_w, exact = support_step(gram, w, r, tau, np.zeros(40), np.arange(40))
    assert exact
    np.testing.assert_allclose(new_w, ref.coef_, atol=1e-9)
    assert np.all(new_w[ref.coef_ == 0] == 0.0)  # exact zeros


@pytest.mark.parametrize(
    "case",
    ["dense", "no_intercept", "weights", "float32", "penalty_factor"],
)
def test_lasso_path_with_face_steps_is_certified_and_matches_sklearn(case, monkeypatch):
    X, y = saturated(4)
    calls = count_face_steps(monkeypatch)
    fit_intercept = case != "no_intercept"
    s = np.random.default_rng(5).uniform(0.2, 2.0, X.shape[0]) if case == "weights" else None
    factors = np.r_[0.0, np.ones(X.shape[1] - 1)] if case == "penalty_factor" else None
    Xf = X.astype(np.float32) if case == "float32" else X
    path = lpnet.regularization_path(
        Xf,
        y,
        penalty="l1",
        n_alphas=30,
        eps=1e-3,
        tol=1e-8,
        fit_intercept=fit_intercept,
        sample_weight=s,
        penalty_factor=factors,
    )
    assert calls, "the face step never ran: the test does not exercise it"
    assert np.all(path.converged)
    Xd = np.asarray(Xf, dtype=np.float64)
    sw = kkt.rescale_weights(s, X.shape[0])
    for k in (10, 20, 29):
        alpha = float(path.alphas[k])
        spec = kkt.PenaltySpec("l1", alpha, factors=factors)
        report = kkt.kkt_violation(Xd, y, sw, "squared", spec, path.coefs[k], path.intercepts[k], fit_intercept)
        assert report.max_violation < 1e-5
    if case == "dense":  # scikit-learn's path at the same alphas (its objective is lpnet's)
        Xc, yc = X - X.mean(axis=0), y - y.mean()
        _, coefs, _ = lasso_path(Xc, yc, alphas=path.alphas, tol=1e-14, max_iter=200_000)
        np.testing.assert_allclose(path.coefs[-1], coefs[:, -1], atol=5e-4 * np.abs(coefs[:, -1]).max())


def test_sparse_design_takes_the_steps_too(monkeypatch):
    X, y = saturated(6, n=50, p=120)
    X[np.abs(X) < 0.3] = 0.0
    calls = count_face_steps(monkeypatch)
    dense = lpnet.regularization_path(X, y, penalty="l1", n_alphas=25, eps=1e-3, tol=1e-9)
    sparse = lpnet.regularization_path(sp.csc_matrix(X), y, penalty="l1", n_alphas=25, eps=1e-3, tol=1e-9)
    assert calls
    assert np.all(sparse.converged)
    np.testing.assert_allclose(sparse.coefs, dense.coefs, atol=1e-6 * np.abs(dense.coefs).max())


def test_loose_certificates_take_no_face_steps(monkeypatch):
    """Above STEP_TOL coordinate descent alone is cheaper (a CV's fold paths at tol 1e-4); the fit is the
    same problem's certified answer either way."""
    X, y = saturated(3)
    calls = count_face_steps(monkeypatch)
    loose = lpnet.regularization_path(X, y, penalty="l1", n_alphas=20, eps=1e-3, tol=1e-4)
    assert not calls and np.all(loose.converged)
    tight = lpnet.regularization_path(X, y, penalty="l1", n_alphas=20, eps=1e-3, tol=cd_working_set.STEP_TOL)
    assert calls and np.all(tight.converged)


def test_a_face_step_from_more_nonzeros_than_rows_reaches_the_lasso_solution():
    """From an iterate with more nonzeros than rows (a singular face block) the steps cut the flat
    directions one coefficient at a time, each lowering the objective, down to the Lasso solution."""
    X, y = saturated(4)
    n, p = X.shape
    ref = Lasso(alpha=0.01, tol=1e-15, max_iter=1_000_000).fit(X, y)
    assert 40 < np.count_nonzero(ref.coef_) < n - 1
    rng = np.random.default_rng(0)
    w = ref.coef_ + 1e-3 * rng.standard_normal(p) * (ref.coef_ != 0)
    extra = rng.choice(np.flatnonzero(ref.coef_ == 0), n + 5 - np.count_nonzero(ref.coef_), replace=False)
    w[extra] = 1e-3 * rng.standard_normal(extra.size)
    assert np.count_nonzero(w) > n
    gram = SupportGram(X, np.full(n, 1.0 / n), X.mean(axis=0))

    def objective(v):
        r = y - X @ v
        return 0.5 * np.mean((r - r.mean()) ** 2) + 0.01 * np.abs(v).sum()

    values = [objective(w)]
    for _ in range(10):  # at most MAX_FACES faces a step
        r = y - X @ w
        new_w, exact = support_step(gram, w, r - r.mean(), np.full(p, 0.01), np.zeros(p), np.arange(p))
        assert new_w is not None
        w = new_w
        values.append(objective(w))
        if exact:
            break
    assert exact
    assert np.all(np.diff(values) <= 1e-15 * values[0])
    np.testing.assert_allclose(w, ref.coef_, atol=1e-8)
    assert np.all(w[ref.coef_ == 0] == 0.0)


def test_a_support_as_large_as_the_rows_takes_face_steps(monkeypatch):
    """Without an intercept a saturated path's solutions have n nonzeros (a square, regular block): the
    steps run there and end each fit in tens of passes, where coordinate descent alone took thousands."""
    X, y = saturated(4)
    at_full_support = []
    original = cd_working_set.support_step

    def watching(gram, w, *rest):
        at_full_support.append(np.count_nonzero(w) >= X.shape[0])
        return original(gram, w, *rest)

    monkeypatch.setattr(cd_working_set, "support_step", watching)
    path = lpnet.regularization_path(X, y, penalty="l1", n_alphas=30, eps=1e-3, tol=1e-8, fit_intercept=False)
    assert any(at_full_support), "no step started from n nonzeros: the test does not exercise it"
    assert np.all(path.converged)
    assert path.n_iters[-10:].max() < 300
    spec = kkt.PenaltySpec("l1", float(path.alphas[-1]))
    report = kkt.kkt_violation(X, y, np.ones(X.shape[0]), "squared", spec, path.coefs[-1], 0.0, False)
    assert report.max_violation < 1e-5
