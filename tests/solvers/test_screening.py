"""Gap-safe screening and the sequential strong rule never change an answer.

References are independent: scikit-learn's coordinate descent run to a very tight tolerance (penalty
factors handled by rescaling the columns, ``u_j = v_j w_j``).  Designs are built to trip the rules:
near-duplicated column groups, exactly duplicated columns, strong correlation.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import ElasticNet as SkElasticNet
from sklearn.linear_model import Lasso as SkLasso

import lpnet
from lpnet.certificates import Certifier, gap_safe_zeros
from lpnet.datafits import Quadratic
from lpnet.path import _warm_path
from lpnet.penalties import L1, L2, ElasticNet, Lp
from lpnet.solvers import Design, cd_working_set, solve

from ..registry import unequal_weights


def grouped_design(seed, n=30, n_groups=6, copies=10, noise=0.05, exact_duplicates=False):
    """Groups of near-copies of one latent column (or exact copies): the strong rule's worst case."""
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((n, n_groups))
    X = np.repeat(Z, copies, axis=1)
    if not exact_duplicates:
        X = X + noise * rng.standard_normal(X.shape)
    y = Z @ rng.standard_normal(n_groups) + 0.5 * rng.standard_normal(n)
    return X, y


def reference(X, y, alpha, l1_ratio, v):
    """scikit-learn at tol 1e-13 on the rescaled columns; back to lpnet's coefficients."""
    Xs = X / v
    if l1_ratio == 1.0:
        m = SkLasso(alpha=alpha, tol=1e-13, max_iter=200_000)
        m.fit(Xs, y)
        return m.coef_ / v, m.intercept_
    # with factors, EN's L2 part is alpha (1 - rho)/2 v_j w_j^2 = alpha (1 - rho)/2 u_j^2 / v_j: only
    # equal factors map onto scikit-learn's ElasticNet
    assert np.all(v == v[0])
    m = SkElasticNet(alpha=alpha * v[0], l1_ratio=l1_ratio, tol=1e-13, max_iter=200_000)
    m.fit(X, y)
    return m.coef_, m.intercept_


@pytest.mark.parametrize("exact", [False, True], ids=["near-duplicates", "exact-duplicates"])
@pytest.mark.parametrize("pen", ["l1", "l1-factors", "enet"])
def test_screened_features_are_zero_at_the_optimum(exact, pen):
    X, y = grouped_design(3, exact_duplicates=exact)
    n, p = X.shape
    v = np.ones(p) if pen != "l1-factors" else np.where(unequal_weights(p) == 0, 0.3, unequal_weights(p))
    rho = 0.5 if pen == "enet" else 1.0
    alpha = 0.2 * lpnet.alpha_max(X, y, penalty="elasticnet" if rho < 1 else "l1", l1_ratio=rho, penalty_factor=v)
    penalty = ElasticNet(alpha, rho, weights=v) if rho < 1 else L1(alpha, weights=v)
    ref_w, ref_b = reference(X, y, alpha, rho, v)
    s = np.ones(n)
    cert_of = Certifier(X, y, s, Quadratic(), penalty, True, 1e-6)
    lips = (X**2).sum(axis=0) / n
    n_screened = []
    # screen from points at several distances from the optimum: loose fits and perturbations
    for tol in (1e-1, 1e-3, 1e-6):
        fit = solve(X, y, Quadratic(), penalty, tol=tol, solver="cd")
        for shake in (0.0, 1e-2):
            w = fit.coef + shake * np.random.default_rng(0).standard_normal(p)
            cert = cert_of.check(w, fit.intercept, X @ w + fit.intercept)
            safe = gap_safe_zeros(cert.dual_xt, cert.gap, penalty.zero_threshold(p), lips)
            assert np.all(np.abs(ref_w[safe]) < 1e-9), np.flatnonzero(safe & (np.abs(ref_w) >= 1e-9))
            n_screened.append(int(safe.sum()))
    # the rule is not vacuous: near the optimum it removes most features that are strictly inside the
    # subdifferential at the optimum (exact duplicates of an active column sit on its boundary: they
    # can be nonzero at another optimum, and no safe rule may remove them)
    grad = X.T @ (y - X @ ref_w - ref_b) / n
    strict = int(np.sum(np.abs(grad) < 0.999 * penalty.zero_threshold(p)))
    assert max(n_screened) >= 0.5 * strict > 0


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 10_000), frac=st.floats(0.02, 0.9), rho=st.sampled_from([1.0, 0.7]), corr=st.floats(0.0, 0.95)
)
def test_screening_is_safe_on_random_problems(seed, frac, rho, corr):
    rng = np.random.default_rng(seed)
    n, p = 25, 40
    base = rng.standard_normal((n, 1))
    X = np.sqrt(corr) * base + np.sqrt(1 - corr) * rng.standard_normal((n, p))
    y = X[:, :3] @ np.array([2.0, -1.0, 0.5]) + rng.standard_normal(n)
    v = np.ones(p)
    alpha = frac * lpnet.alpha_max(X, y, penalty="elasticnet" if rho < 1 else "l1", l1_ratio=rho)
    penalty = ElasticNet(alpha, rho) if rho < 1 else L1(alpha)
    ref_w, ref_b = reference(X, y, alpha, rho, v)
    fit = solve(X, y, Quadratic(), penalty, tol=1e-10, solver="cd")

    def objective(w, b):
        return 0.5 * np.mean((y - X @ w - b) ** 2) + penalty.value(w)

    # the same optimum (objective to the certificate's accuracy) ...
    assert objective(fit.coef, fit.intercept) <= objective(ref_w, ref_b) + 2e-10 * 0.5 * np.var(y)
    # ... and every feature strictly inside the subdifferential at the reference optimum is exactly 0
    grad = X.T @ (y - X @ ref_w - ref_b) / n
    assert np.all(fit.coef[np.abs(grad) < 0.99 * penalty.zero_threshold(p)] == 0.0)


@pytest.fixture
def without_face_steps(monkeypatch):
    """Coordinate descent alone: a face step lands on the Lasso's optimum before the screening rule or
    the strong rule's repair has anything to do, and these tests check those two."""
    monkeypatch.setattr(cd_working_set.ResidualCD, "steps_pay", lambda self, ws, spent: False)


def test_no_screening_for_penalties_without_a_kink(without_face_steps):
    X, y = grouped_design(0)
    for penalty in (L2(0.1), Lp(0.1, 1.5)):
        assert not penalty.zero_threshold(X.shape[1]).any()
        assert solve(X, y, Quadratic(), penalty, solver="cd").n_screened == 0
    assert solve(X, y, Quadratic(), L1(0.05), solver="cd", tol=1e-10).n_screened > 0


def test_wrong_first_working_set_is_repaired():
    # a strong set that leaves out every feature of the true support: the full check must bring them back
    X, y = grouped_design(5)
    p = X.shape[1]
    alpha = 0.1 * lpnet.alpha_max(X, y)
    ref_w, ref_b = reference(X, y, alpha, 1.0, np.ones(p))
    wrong = np.abs(ref_w) < 1e-9
    res = solve(X, y, Quadratic(), L1(alpha), tol=1e-10, solver="cd", strong=wrong)
    assert res.strong_misses > 0
    np.testing.assert_allclose(res.coef, ref_w, atol=1e-6)
    assert res.intercept == pytest.approx(ref_b, abs=1e-6)


@pytest.mark.parametrize("seed", [84, 89])
def test_strong_rule_failures_on_grouped_designs_do_not_change_the_path(seed, without_face_steps):
    # these seeded designs (near-duplicate groups, 30 alphas to alpha_max/1000) make the sequential
    # strong rule discard a feature that turns out to be active; found by search and kept as a trap
    X, y = grouped_design(seed)
    n, p = X.shape
    am = lpnet.alpha_max(X, y)
    alphas = np.geomspace(am, am * 1e-3, 30)
    fits = _warm_path(
        Design(X),
        y,
        np.ones(n),
        Quadratic(),
        L1(1.0, weights=np.ones(p)),
        alphas,
        True,
        1e-8,
        100,
        False,
        w0=np.zeros(p),
        b0=float(y.mean()),
    )
    assert sum(f.strong_misses or 0 for f in fits) > 0, "the trap no longer trips the strong rule"
    for alpha, fit in zip(alphas, fits):
        ref_w, ref_b = reference(X, y, alpha, 1.0, np.ones(p))
        assert fit.converged
        # near-duplicate columns leave the coefficients free to trade weight within the gap: the
        # objective and the prediction (unique for the Lasso) are what the certificate pins down
        ours = lasso_objective(X, y, alpha, fit.coef, fit.intercept)
        theirs = lasso_objective(X, y, alpha, ref_w, ref_b)
        assert ours <= theirs + fit.dual_gap + 1e-12 * theirs
        # P(w) - P* >= ||X (w - w*)||^2 / (2n) (centred) at both points, each at most gap + (theirs - ours)
        # from P* for the reference: (sqrt(a) + sqrt(b))^2 <= 2 (a + b)
        diff = X @ (fit.coef - ref_w)
        spread = float(np.sum((diff - diff.mean()) ** 2)) / (2 * n)
        assert spread <= 2 * (2 * fit.dual_gap + max(theirs - ours, 0.0)) + 1e-12 * theirs


def lasso_objective(X, y, alpha, w, b):
    r = y - X @ w - b
    return float(r @ r) / (2 * X.shape[0]) + alpha * float(np.abs(w).sum())


def test_path_uses_the_strong_rule_and_screening():
    X, y = grouped_design(1, n=60, n_groups=10, copies=20)
    path = lpnet.regularization_path(X, y, n_alphas=20, eps=1e-2, tol=1e-8)
    assert path.converged.all()
    for alpha, coef in zip(path.alphas, path.coefs):
        ref_w, _ = reference(X, y, alpha, 1.0, np.ones(X.shape[1]))
        np.testing.assert_allclose(coef, ref_w, atol=2e-5 * max(1.0, np.abs(ref_w).max()))


def test_working_set_holds_the_support_and_the_moving_features_only():
    """Zero-score features (zeros inside their subdifferential) are left out; over the size cap the
    best-scored ones stay, the support always."""
    from lpnet.solvers._working_set import working_set

    w = np.zeros(500)
    w[[3, 400]] = [1.0, -2.0]
    scores = np.zeros(500)
    scores[[3, 10, 20, 30]] = [5.0, 0.3, 0.2, 0.1]
    ws, size = working_set(w, scores, previous_size=0)
    assert ws.tolist() == [3, 10, 20, 30, 400] and size == 100
    ws, size = working_set(w, scores, previous_size=0, min_size=3)
    assert ws.tolist() == [3, 10, 20, 400] and size == 4  # twice the support, the weakest left out
    assert working_set(np.zeros(500), np.zeros(500), 0)[0].size == 0


@pytest.mark.parametrize("kind", ["enet_box", "sparse_group", "ball"])
def test_path_start_scores_are_the_candidates_distances(kind):
    """A path's first working set scores its candidates only: their subdifferential distances (taken
    feature by feature, or from the full vector for penalties whose distance depends on other
    features: a group's, a ball's multiplier), zero for every other feature."""
    from lpnet.constrained.ball import NormBall
    from lpnet.penalties.groups import SparseGroup
    from lpnet.solvers._working_set import path_start_scores

    rng = np.random.default_rng(11)
    n = 60
    w = np.where(rng.random(n) < 0.3, rng.standard_normal(n), 0.0)
    grad = rng.standard_normal(n)
    if kind == "enet_box":
        penalty = ElasticNet(0.4, 0.7, weights=unequal_weights(n)).with_bounds(-0.5, 2.0)
        w = np.clip(w, -0.5, 2.0)
    elif kind == "sparse_group":
        penalty = SparseGroup(0.4, np.arange(n) // 6, l1_ratio=0.5)
    else:
        penalty = NormBall(3.0, 1.0)
        w *= 3.0 / np.abs(w).sum()  # on the sphere: the multiplier is fitted
    candidates = (rng.random(n) < 0.2) | (w != 0)
    full = penalty.subdiff_distance(w, grad)
    # (each class's full distances are checked against their definitions elsewhere)
    scores = path_start_scores(penalty, w, candidates, grad)
    assert scores is not None
    np.testing.assert_array_equal(scores[~candidates], 0.0)
    np.testing.assert_allclose(scores[candidates], full[candidates], rtol=1e-14, atol=0.0)
