"""Group lasso and sparse-group lasso: the penalty, the block solver and the certificates.

References are independent of lpnet's code: a brute-force minimization of the block prox, cvxpy (when
installed) or a plain numpy proximal gradient written here for the optimum, scikit-learn's Lasso, and a
group-wise KKT check computed by hand from the objective of docs/conventions.md and the datafit
gradients of tests/kkt.py.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import minimize
from sklearn.linear_model import Lasso as SkLasso

import lpnet
from lpnet.datafits import make_datafit
from lpnet.penalties import L1, SparseGroup, parse_groups
from lpnet.solvers import solve
from tests import kkt

GROUPS = [[0, 1, 2], [3, 4], [5], [6, 7, 8, 9], [10, 11]]


def _data(n=60, p=12, seed=0, kind="squared"):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    w = np.zeros(p)
    w[[0, 1, 3, 6, 7]] = [1.0, -0.5, 0.8, 0.6, -1.2]
    z = X @ w
    if kind == "squared":
        return X, z + 0.3 * rng.standard_normal(n)
    if kind == "logistic":
        return X, np.where(rng.random(n) < 1 / (1 + np.exp(-z)), 1.0, -1.0)
    if kind == "poisson":
        return X, rng.poisson(np.exp(0.4 * z)).astype(float)
    raise ValueError(kind)


def _penalty_value(w, groups, alpha, rho, c):
    return alpha * sum(rho * np.abs(w[g]).sum() + (1 - rho) * cg * np.linalg.norm(w[g]) for g, cg in zip(groups, c))


def _group_kkt(X, y, kind, w, b, groups, alpha, rho, c, fit_intercept=True):
    """max over groups of dist(-grad_g, dP_g(w_g)) and |dD/db|, by hand (no lpnet code)."""
    grad, grad_b = kkt.datafit_gradients(X, y, None, kind, w, b)
    worst = abs(grad_b) if fit_intercept else 0.0
    for g, cg in zip(groups, c):
        wg, gg = w[g], grad[g]
        l1, l2 = alpha * rho, alpha * (1 - rho) * cg
        if not np.any(wg):
            st = np.maximum(np.abs(gg) - l1, 0.0)
            dist = max(np.linalg.norm(st) - l2, 0.0)
        else:
            u = -gg - l2 * wg / np.linalg.norm(wg)
            d = np.where(wg != 0, u - l1 * np.sign(wg), np.maximum(np.abs(u) - l1, 0.0))
            dist = np.linalg.norm(d)
        worst = max(worst, dist)
    return worst


def _numpy_reference(X, y, groups, alpha, rho, c, n_iter=20000):
    """Proximal gradient (FISTA) on the squared loss with the intercept eliminated by centring."""
    n = X.shape[0]
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    L = np.linalg.norm(Xc, 2) ** 2 / n
    w = np.zeros(X.shape[1])
    v, t = w.copy(), 1.0
    for _ in range(n_iter):
        u = v - Xc.T @ (Xc @ v - yc) / (n * L)
        new = np.zeros_like(u)
        for g, cg in zip(groups, c):
            st = np.sign(u[g]) * np.maximum(np.abs(u[g]) - alpha * rho / L, 0.0)
            norm = np.linalg.norm(st)
            lam2 = alpha * (1 - rho) * cg / L
            new[g] = 0.0 if norm <= lam2 else st * (1 - lam2 / norm)
        t_new = (1 + np.sqrt(1 + 4 * t * t)) / 2
        v = new + (t - 1) / t_new * (new - w)
        w, t = new, t_new
    return w, float(y.mean() - X.mean(axis=0) @ w)


# ---------------------------------------------------------------------------------------------- groups
def test_parse_groups_from_indices_and_labels():
    codes, labels = parse_groups([[2, 0], [1], [3, 4]])
    np.testing.assert_array_equal(codes, [0, 1, 0, 2, 2])
    np.testing.assert_array_equal(labels, [0, 1, 2])
    codes, labels = parse_groups(["b", "a", "b", "c"])  # first appearance numbers the groups
    np.testing.assert_array_equal(codes, [0, 1, 0, 2])
    np.testing.assert_array_equal(labels, ["b", "a", "c"])
    codes, _ = parse_groups([range(0, 2), range(2, 5)])
    np.testing.assert_array_equal(codes, [0, 0, 1, 1, 1])


@pytest.mark.parametrize(
    ("groups", "n_features", "match"),
    [
        ([[0, 1], [1, 2]], None, "overlapping groups are not supported"),
        ([[0, 1], []], None, "group 1 is empty"),
        ([[0, 1], [3]], None, r"columns \[2\] are in no group"),
        ([[0, 1]], 3, r"columns \[2\] are in no group"),
        ([[0, 5]], 3, "columns are numbered 0 .. 2"),
        ([[0, 1.5]], None, "integer column indices"),
        (["a", "b"], 3, "one group label per column"),
        ([0, [1, 2]], None, "mixes index arrays and single labels"),
        ([0.0, np.nan], None, "missing label"),
        (None, None, "groups is required"),
    ],
)
def test_bad_groups_raise_naming_the_fix(groups, n_features, match):
    with pytest.raises(ValueError, match=match):
        parse_groups(groups, n_features)


def test_groups_must_cover_the_columns_of_X():
    X, y = _data()
    with pytest.raises(ValueError, match="groups cover 5 columns but X has 12: columns 5 .. 11 are in no group"):
        lpnet.GroupLasso([[0, 1], [2, 3, 4]], 0.1).fit(X, y)


def test_bad_group_weights():
    with pytest.raises(ValueError, match="one per group"):
        SparseGroup(1.0, GROUPS, group_weights=[1.0, 2.0])
    with pytest.raises(ValueError, match=">= 0"):
        SparseGroup(1.0, GROUPS, group_weights=[1.0, -1.0, 1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="group_weights="):
        SparseGroup(1.0, GROUPS).with_weights(np.full(12, 2.0))


# ---------------------------------------------------------------------------------------------- penalty
@pytest.mark.parametrize("rho", [0.0, 0.4, 1.0])
def test_value_and_block_prox_against_brute_force(rho):
    rng = np.random.default_rng(1)
    pen = SparseGroup(0.7, GROUPS, l1_ratio=rho)
    c = np.sqrt([len(g) for g in GROUPS])
    for _ in range(3):
        u = rng.standard_normal(12) * 1.5
        assert pen.value(u) == pytest.approx(_penalty_value(u, GROUPS, 0.7, rho, c), rel=1e-12)
        step = 0.8
        prox = pen.prox(u, step)

        def objective(x, u=u, step=step):
            return 0.5 * np.sum((x - u) ** 2) + step * _penalty_value(x, GROUPS, 0.7, rho, c)

        # the prox is optimal: no perturbation of it does better (the objective is strongly convex)
        best = objective(prox)
        for _ in range(100):
            assert objective(prox + 1e-3 * rng.standard_normal(12)) >= best - 1e-12
        # and it agrees with a derivative-free minimization from another start
        ref = minimize(objective, u, method="Powell", options={"xtol": 1e-10, "ftol": 1e-14, "maxiter": 50000})
        assert best <= ref.fun + 1e-9


@pytest.mark.parametrize("rho", [0.0, 0.3, 1.0])
def test_dual_scale_puts_the_point_on_the_domain_boundary(rho):
    rng = np.random.default_rng(2)
    pen = SparseGroup(0.5, GROUPS, l1_ratio=rho, group_weights=[1.0, 2.0, 0.5, 1.5, 1.0])
    c = np.array([1.0, 2.0, 0.5, 1.5, 1.0])
    for _ in range(5):
        z = 3 * rng.standard_normal(12)
        scale = pen.dual_scale(z)
        assert scale > 1
        u = z / scale
        # inside every group's dual set, on the boundary of at least one
        excess = [
            np.linalg.norm(np.maximum(np.abs(u[g]) - 0.5 * rho, 0)) - 0.5 * (1 - rho) * cg for g, cg in zip(GROUPS, c)
        ]
        assert max(excess) == pytest.approx(0.0, abs=1e-12)
        assert pen.conjugate(u) == 0.0
        assert pen.conjugate(u * 1.001) == np.inf


@pytest.mark.parametrize("rho", [0.0, 0.5])
def test_alpha_max_is_exact(rho):
    X, y = _data()
    a_max = lpnet.alpha_max(X, y, penalty=SparseGroup(1.0, GROUPS, rho))
    above = lpnet.SparseGroupLasso(GROUPS, a_max * 1.0001, l1_ratio=rho, tol=1e-10).fit(X, y)
    below = lpnet.SparseGroupLasso(GROUPS, a_max * 0.99, l1_ratio=rho, tol=1e-10).fit(X, y)
    assert not np.any(above.coef_)
    assert np.any(below.coef_)
    # by hand for the group lasso: max_g ||X_g^T (y - mean y)|| / (n sqrt(|g|))
    if rho == 0.0:
        r = y - y.mean()
        ref = max(np.linalg.norm(X[:, g].T @ r) / (len(y) * np.sqrt(len(g))) for g in GROUPS)
        assert a_max == pytest.approx(ref, rel=1e-12)


# ---------------------------------------------------------------------------------------------- fits
@pytest.mark.parametrize("rho", [0.0, 0.5])
def test_squared_fit_matches_an_independent_reference(rho):
    X, y = _data()
    c = np.sqrt([len(g) for g in GROUPS])
    alpha = 0.05
    fit = solve(X, y, make_datafit("squared"), SparseGroup(alpha, GROUPS, rho), tol=1e-12)
    assert fit.converged and fit.solver == "group_cd"
    try:
        import cvxpy as cp
    except ImportError:
        w_ref, b_ref = _numpy_reference(X, y, GROUPS, alpha, rho, c)
    else:
        w, b = cp.Variable(X.shape[1]), cp.Variable()
        pen = sum(rho * cp.norm1(w[g]) + (1 - rho) * cg * cp.norm(w[g], 2) for g, cg in zip(GROUPS, c))
        cp.Problem(cp.Minimize(cp.sum_squares(y - X @ w - b) / (2 * len(y)) + alpha * pen)).solve()
        w_ref, b_ref = w.value, float(b.value)
    f = kkt.datafit_value(X, y, None, "squared", fit.coef, fit.intercept) + _penalty_value(
        fit.coef, GROUPS, alpha, rho, c
    )
    f_ref = kkt.datafit_value(X, y, None, "squared", w_ref, b_ref) + _penalty_value(w_ref, GROUPS, alpha, rho, c)
    assert f <= f_ref + 1e-9
    np.testing.assert_allclose(fit.coef, w_ref, atol=1e-4)
    assert _group_kkt(X, y, "squared", fit.coef, fit.intercept, GROUPS, alpha, rho, c) < 1e-6
    # the reported gap bounds the suboptimality, and the fit is converged on the documented scale
    _, f_null = kkt.null_model(y, None, "squared", True)
    assert fit.dual_gap <= 1e-12 * f_null * 10 + 1e-15
    assert f - min(f, f_ref) <= fit.dual_gap + 1e-12


def test_numpy_reference_agrees_with_the_solver_too():
    # the reference used when cvxpy is missing must itself be right: compare on a small problem
    X, y = _data(n=40, p=12, seed=5)
    c = np.sqrt([len(g) for g in GROUPS])
    w_ref, _ = _numpy_reference(X, y, GROUPS, 0.08, 0.3, c, n_iter=5000)
    fit = solve(X, y, make_datafit("squared"), SparseGroup(0.08, GROUPS, 0.3), tol=1e-12)
    np.testing.assert_allclose(fit.coef, w_ref, atol=1e-6)


def test_singleton_groups_of_weight_one_are_the_lasso():
    X, y = _data(seed=3)
    ours = lpnet.GroupLasso(list(range(12)), 0.05, tol=1e-10).fit(X, y)
    sk = SkLasso(alpha=0.05, tol=1e-12, max_iter=100000).fit(X, y)
    np.testing.assert_allclose(ours.coef_, sk.coef_, atol=1e-6)
    assert ours.intercept_ == pytest.approx(sk.intercept_, abs=1e-6)
    lasso = solve(X, y, make_datafit("squared"), L1(0.05), tol=1e-10)
    np.testing.assert_allclose(ours.coef_, lasso.coef, atol=1e-7)
    # any l1_ratio: singletons of weight 1 are the Lasso too
    sgl = lpnet.SparseGroupLasso(None, 0.05, l1_ratio=0.3, tol=1e-10).fit(X, y)
    np.testing.assert_allclose(sgl.coef_, lasso.coef, atol=1e-7)


def test_one_group_is_a_radial_shrinkage_of_least_squares():
    # one group, squared loss, orthonormal-in-H design: w = w_ols * max(0, 1 - alpha c / ||X^T r_0 / n||)
    rng = np.random.default_rng(4)
    n, p = 50, 4
    Q, _ = np.linalg.qr(rng.standard_normal((n, p)) - 0.0)
    X = np.sqrt(n) * (Q - Q.mean(axis=0))  # centred columns
    X = np.linalg.qr(X)[0] * np.sqrt(n)  # X^T X / n = I (columns still centred: QR of centred columns)
    y = X @ np.array([1.0, -2.0, 0.5, 0.0]) + rng.standard_normal(n)
    X, y = X - X.mean(axis=0), y
    G = X.T @ X / n
    if not np.allclose(G, np.eye(p), atol=1e-10):
        pytest.skip("design not orthonormal")
    alpha = 0.3
    fit = lpnet.GroupLasso([list(range(p))], alpha, tol=1e-12).fit(X, y)
    ols = X.T @ (y - y.mean()) / n
    expected = ols * max(0.0, 1 - alpha * 2.0 / np.linalg.norm(ols))
    np.testing.assert_allclose(fit.coef_, expected, atol=1e-8)


@pytest.mark.parametrize(("kind", "rho"), [("logistic", 0.0), ("logistic", 0.5), ("poisson", 0.0), ("poisson", 0.3)])
def test_glm_fits_satisfy_the_group_kkt_conditions(kind, rho):
    X, y = _data(kind=kind, seed=6)
    alpha = 0.3 * lpnet.alpha_max(X, y, penalty=SparseGroup(1.0, GROUPS, rho), datafit=kind)
    fit = solve(X, y, make_datafit(kind), SparseGroup(alpha, GROUPS, rho), tol=1e-10)
    assert fit.converged and fit.dual_gap is not None
    c = np.sqrt([len(g) for g in GROUPS])
    assert _group_kkt(X, y, kind, fit.coef, fit.intercept, GROUPS, alpha, rho, c) < 1e-5
    assert np.any(fit.coef) and not np.all(fit.coef)


def test_tweedie_fit_is_certified_by_the_kkt_violation():
    rng = np.random.default_rng(7)
    X = rng.standard_normal((80, 12))
    y = rng.gamma(2.0, np.exp(0.3 * X[:, 0]) / 2.0) * (rng.random(80) < 0.8)
    fit = solve(X, y, make_datafit("tweedie"), SparseGroup(0.02, GROUPS), tol=1e-8)
    assert fit.converged and fit.dual_gap is None and fit.optimality_violation <= 1e-8
    assert np.any(fit.coef)


def test_unpenalized_group_and_custom_weights():
    X, y = _data(seed=8)
    weights = [0.0, 1.0, 2.0, 1.0, 3.0]
    fit = lpnet.GroupLasso(GROUPS, 10.0, weights=weights, tol=1e-10).fit(X, y)
    # a huge alpha zeros every penalized group; the free group is least squares with the intercept
    assert not np.any(fit.coef_[3:])
    A = np.column_stack([np.ones(len(y)), X[:, :3]])
    ref = np.linalg.lstsq(A, y, rcond=None)[0]
    # with the penalized groups at 0, F(w) - F* is exactly the quadratic form of the free block's error
    d = fit.coef_[:3] - ref[1:]
    Xc = X[:, :3] - X[:, :3].mean(axis=0)
    assert 0.5 * d @ (Xc.T @ Xc / len(y)) @ d <= fit.dual_gap_ * (1 + 1e-9)
    np.testing.assert_allclose(fit.coef_[:3], ref[1:], atol=1e-4)
    small = lpnet.GroupLasso(GROUPS, 0.03, weights=weights, tol=1e-10).fit(X, y)
    assert _group_kkt(X, y, "squared", small.coef_, small.intercept_, GROUPS, 0.03, 0.0, np.array(weights)) < 1e-6


def test_sparse_input_gives_the_dense_answer():
    X, y = _data(seed=9)
    X[np.abs(X) < 0.8] = 0.0
    dense = lpnet.SparseGroupLasso(GROUPS, 0.04, l1_ratio=0.2, tol=1e-10).fit(X, y)
    sparse = lpnet.SparseGroupLasso(GROUPS, 0.04, l1_ratio=0.2, tol=1e-10).fit(sp.csr_matrix(X), y)
    np.testing.assert_allclose(dense.coef_, sparse.coef_, atol=1e-8)


def test_gap_safe_screening_never_drops_an_active_group():
    rng = np.random.default_rng(10)
    n, p = 80, 200
    X = rng.standard_normal((n, p))
    y = X[:, :4] @ np.array([2.0, -1.0, 1.5, 1.0]) + 0.1 * rng.standard_normal(n)
    groups = [list(range(k, k + 4)) for k in range(0, p, 4)]
    pen = SparseGroup(1.0, groups, 0.2)
    a_max = lpnet.alpha_max(X, y, penalty=pen)
    fit = solve(X, y, make_datafit("squared"), pen.with_alpha(0.3 * a_max), tol=1e-10)
    assert fit.converged and fit.n_screened > 0
    c = np.full(len(groups), 2.0)
    assert _group_kkt(X, y, "squared", fit.coef, fit.intercept, groups, 0.3 * a_max, 0.2, c) < 1e-5
    # the support of an unscreened reference (plain proximal gradient) is the same
    unscreened = _numpy_reference(X, y, groups, 0.3 * a_max, 0.2, c, n_iter=1500)[0]
    np.testing.assert_array_equal(fit.coef != 0, np.abs(unscreened) > 1e-8)


def test_other_solvers_refuse_the_group_penalty():
    X, y = _data()
    for name in ("cd", "cd_gram", "prox_newton", "fista", "direct"):
        with pytest.raises(ValueError, match="couples the coordinates of a group"):
            solve(X, y, make_datafit("squared"), SparseGroup(0.1, GROUPS), solver=name)
    with pytest.raises(ValueError, match="fits the group penalties"):
        solve(X, y, make_datafit("squared"), L1(0.1), solver="group_cd")


def test_cox_is_refused_with_a_clear_message():
    rng = np.random.default_rng(11)
    X = rng.standard_normal((30, 12))
    y = np.column_stack([rng.exponential(size=30), np.ones(30)])
    with pytest.raises(ValueError, match="not available with the Cox partial likelihood"):
        lpnet.RegularizedModel("cox", SparseGroup(0.1, GROUPS)).fit(X, y)


def test_path_is_certified_and_starts_at_zero():
    X, y = _data()
    path = lpnet.regularization_path(X, y, penalty=SparseGroup(1.0, GROUPS, 0.3), n_alphas=15, tol=1e-8)
    assert path.converged.all()
    assert not np.any(path.coefs[0])
    assert np.all(np.isfinite(path.dual_gaps))
    c = np.sqrt([len(g) for g in GROUPS])
    for k in (5, 14):
        assert _group_kkt(X, y, "squared", path.coefs[k], path.intercepts[k], GROUPS, path.alphas[k], 0.3, c) < 1e-5
