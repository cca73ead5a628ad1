"""Box constraints on the group lasso and the sparse-group lasso.

References are independent of lpnet's code: scipy's bounded L-BFGS-B (multi-start) on the block prox
problem, cvxpy on whole fits, lpnet's own Lasso for singleton groups (a separate solver and prox), and a
group-wise KKT check with the box's normal cone written here in numpy from docs/conventions.md and the
datafit gradients of tests/kkt.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import brentq, minimize
from sklearn.utils.estimator_checks import parametrize_with_checks

import lpnet
from lpnet.cli import main
from lpnet.datafits import make_datafit
from lpnet.penalties import SparseGroup
from lpnet.solvers import solve
from tests import kkt

GROUPS = [[0, 1, 2], [3, 4], [5], [6, 7, 8, 9], [10, 11]]
C = np.sqrt([len(g) for g in GROUPS])


def _data(n=60, p=12, seed=0, kind="squared"):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    w = np.zeros(p)
    w[[0, 1, 3, 6, 7]] = [1.0, -0.5, 0.8, 0.6, -1.2]
    z = X @ w
    if kind == "squared":
        return X, z + 0.3 * rng.standard_normal(n)
    return X, np.where(rng.random(n) < 1 / (1 + np.exp(-z)), 1.0, -1.0)


def _interval_distance(a, lo, hi):
    return np.maximum(np.maximum(lo - a, a - hi), 0.0)


def _group_box_distance(w, grad, l1, l2, lower, upper):
    """dist(-grad, l1 d||w||_1 + l2 d||w||_2 + N_box(w)) for one group, from the definitions."""
    if np.any(w < lower) or np.any(w > upper):
        return np.inf
    norm = np.linalg.norm(w)
    a = -grad - (l2 * w / norm if norm > 0 else 0.0)
    # the L1 subdifferential per coordinate, opened by the normal cone at a bound
    lo = np.where(w > 0, l1, -l1)
    hi = np.where(w < 0, -l1, l1)
    lo = np.where(w == lower, -np.inf, lo)
    hi = np.where(w == upper, np.inf, hi)
    d = np.where(lower == upper, 0.0, _interval_distance(a, lo, hi))
    if norm == 0:  # plus the ball of radius l2
        return max(np.linalg.norm(d) - l2, 0.0)
    return float(np.linalg.norm(d))


def _boxed_kkt(X, y, kind, w, b, alpha, rho, lower, upper, groups=GROUPS, c=C):
    """max over groups of the distance above, and |dD/db|."""
    grad, grad_b = kkt.datafit_gradients(X, y, None, kind, w, b)
    lower, upper = np.broadcast_to(lower, w.shape), np.broadcast_to(upper, w.shape)
    worst = abs(grad_b)
    for g, cg in zip(groups, c):
        dist = _group_box_distance(w[g], grad[g], alpha * rho, alpha * (1 - rho) * cg, lower[g], upper[g])
        worst = max(worst, dist)
    return worst


def _kkt_scale(X, y, kind):
    # ||X^T grad D||_inf at the null model: the scale the optimality violation is relative to
    b0 = y.mean() if kind == "squared" else np.log((1 + y.mean()) / (1 - y.mean()))
    grad, _ = kkt.datafit_gradients(X, y, None, kind, np.zeros(X.shape[1]), b0)
    return float(np.abs(grad).max())


# ---------------------------------------------------------------------------------------------- the block prox
def _brute_prox(u, l1, l2, lower, upper, rng):
    def f(x):
        return 0.5 * np.sum((x - u) ** 2) + l1 * np.abs(x).sum() + l2 * np.linalg.norm(x)

    bounds = [(lo if np.isfinite(lo) else None, hi if np.isfinite(hi) else None) for lo, hi in zip(lower, upper)]
    starts = [np.clip(np.zeros_like(u), lower, upper), np.clip(u, lower, upper)]
    starts += [np.clip(rng.standard_normal(u.shape), lower, upper) for _ in range(2)]
    fits = [minimize(f, x0, method="L-BFGS-B", bounds=bounds, options={"ftol": 1e-15, "gtol": 1e-12}) for x0 in starts]
    return f, min(fit.fun for fit in fits)


BOXES = ["nonnegative", "upper only", "excludes zero", "around zero", "fixed coordinate"]


def _box(kind, m, rng):
    lower, upper = np.full(m, -np.inf), np.full(m, np.inf)
    if kind == "nonnegative":
        lower[:] = 0.0
    elif kind == "upper only":
        upper = rng.uniform(-0.5, 1.0, m)  # some exclude 0 from above
    elif kind == "excludes zero":
        lower = rng.uniform(-0.3, 0.6, m)
        upper = lower + rng.uniform(0.1, 1.0, m)
    elif kind == "around zero":
        lower, upper = -rng.uniform(0, 0.5, m), rng.uniform(0, 0.5, m)
    else:
        lower, upper = -rng.uniform(0, 1, m), rng.uniform(0, 1, m)
        lower[0] = upper[0] = 0.4  # w_0 held fixed
    return lower, upper


@pytest.mark.parametrize("box", BOXES)
def test_boxed_block_prox_against_brute_force(box):
    rng = np.random.default_rng(BOXES.index(box))
    for trial in range(24):
        m = int(rng.integers(1, 5))
        u = 1.5 * rng.standard_normal(m)
        lower, upper = _box(box, m, rng)
        # lam1 = 0 (group lasso) and lam2 = 0 (L1 only) among them
        l1 = [0.0, 0.3, rng.uniform(0, 1)][trial % 3]
        l2 = [rng.uniform(0, 2), 0.0, 0.7, 3.0][trial % 4]
        groups = [np.arange(m)]
        penalty = SparseGroup(
            1.0, groups, l1 / (l1 + l2) if l1 + l2 else 0.0, [1.0], lower_bounds=lower, upper_bounds=upper
        )
        step = l1 + l2 if l1 + l2 else 1.0
        if l1 + l2 == 0:
            penalty = penalty.with_alpha(0.0)
        x = penalty.prox(u, step)
        f, best = _brute_prox(u, l1, l2, lower, upper, rng)
        assert np.all(x >= lower) and np.all(x <= upper)
        assert f(x) <= best + 1e-10 * (1 + abs(best))
        # and the optimality conditions, with the normal cone, hold to rounding
        assert _group_box_distance(x, x - u, l1, l2, lower, upper) <= 1e-9 * (1 + np.abs(u).max())


def test_block_prox_zero_and_one_sided_cases():
    # nonnegative box: only the positive part of the soft-thresholded point counts for w = 0
    penalty = SparseGroup(1.0, [[0, 1]], 0.5, [1.0], lower_bounds=0.0)  # lam1 = lam2 = 0.5 at step 1
    np.testing.assert_array_equal(penalty.prox(np.array([0.9, -5.0]), 1.0), [0.0, 0.0])
    x = penalty.prox(np.array([1.2, -5.0]), 1.0)  # ST = (0.7, -4.5): only 0.7 > 0.5 pushes into the box
    np.testing.assert_allclose(x, [0.2, 0.0], atol=1e-15)
    # a box excluding 0 never gives 0, whatever the shrinkage
    far = SparseGroup(1.0, [[0, 1]], 0.0, [1.0], lower_bounds=[0.1, -np.inf])
    np.testing.assert_array_equal(far.prox(np.array([-3.0, 0.0]), 100.0), [0.1, 0.0])


# ---------------------------------------------------------------------------------------------- fits vs cvxpy
def _cvxpy_fit(X, y, kind, alpha, rho, lower, upper):
    cp = pytest.importorskip("cvxpy")
    n, p = X.shape
    w, b = cp.Variable(p), cp.Variable()
    z = X @ w + b
    loss = cp.sum_squares(y - z) / (2 * n) if kind == "squared" else cp.sum(cp.logistic(-cp.multiply(y, z))) / n
    pen = sum(rho * cp.norm1(w[g]) + (1 - rho) * cg * cp.norm2(w[g]) for g, cg in zip(GROUPS, C))
    lower, upper = np.broadcast_to(lower, (p,)), np.broadcast_to(upper, (p,))
    cons = [w[j] >= lower[j] for j in range(p) if np.isfinite(lower[j])]
    cons += [w[j] <= upper[j] for j in range(p) if np.isfinite(upper[j])]
    problem = cp.Problem(cp.Minimize(loss + alpha * pen), cons)
    problem.solve(solver="CLARABEL", tol_gap_abs=1e-11, tol_gap_rel=1e-11, tol_feas=1e-11)
    return w.value, float(b.value), problem.value


def _objective(X, y, kind, w, b, alpha, rho):
    z = X @ w + b
    loss = np.mean((y - z) ** 2) / 2 if kind == "squared" else np.mean(np.logaddexp(0, -y * z))
    return loss + alpha * sum(
        rho * np.abs(w[g]).sum() + (1 - rho) * cg * np.linalg.norm(w[g]) for g, cg in zip(GROUPS, C)
    )


@pytest.mark.parametrize("kind", ["squared", "logistic"])
@pytest.mark.parametrize(
    ("rho", "box"),
    [
        (0.0, {"positive": True}),
        (0.5, {"positive": True}),
        (0.0, {"lower_bounds": -0.3, "upper_bounds": 0.5}),
        # a box that excludes 0 on two coordinates (one from above), open elsewhere
        (0.4, {"lower_bounds": [0.2] + [-np.inf] * 11, "upper_bounds": [np.inf] * 7 + [-0.1] + [np.inf] * 4}),
    ],
)
def test_fit_matches_cvxpy_and_kkt(kind, rho, box):
    X, y = _data(kind=kind, seed=3)
    alpha = 0.04 if kind == "squared" else 0.02
    model = lpnet.SparseGroupLasso(GROUPS, alpha, l1_ratio=rho, datafit=kind, tol=1e-10, max_iter=500, **box)
    model.fit(X, y if kind == "squared" else y > 0)
    w, b = np.ravel(model.coef_), float(np.ravel(model.intercept_)[0])
    lower = box.get("lower_bounds", 0.0 if box.get("positive") else -np.inf)
    upper = box.get("upper_bounds", np.inf)
    assert np.all(w >= np.asarray(lower)) and np.all(w <= np.asarray(upper))
    assert model.converged_ and model.dual_gap_ is None and model.optimality_violation_ <= 1e-10
    assert _boxed_kkt(
        X, y, kind, w, b, alpha, rho, np.asarray(lower, float), np.asarray(upper, float)
    ) <= 1e-8 * _kkt_scale(X, y, kind)
    w_ref, _, f_ref = _cvxpy_fit(X, y, kind, alpha, rho, lower, upper)
    assert _objective(X, y, kind, w, b, alpha, rho) <= f_ref + 1e-8
    np.testing.assert_allclose(w, w_ref, atol=2e-4)


def test_group_lasso_keeps_whole_groups_with_a_box():
    X, y = _data(seed=4)
    fit = lpnet.GroupLasso(GROUPS, 0.08, positive=True, tol=1e-10).fit(X, y)
    assert fit.solver_ == "group_cd" and np.all(fit.coef_ >= 0)
    # a kept group's coefficients pushed below 0 sit exactly on the bound; dropped groups are exactly 0
    assert len(fit.active_groups_) < len(GROUPS)
    for cols in fit.groups_:
        if not np.any(fit.coef_[cols]):
            np.testing.assert_array_equal(fit.coef_[cols], 0.0)


@pytest.mark.parametrize("rho", [0.0, 0.6])
def test_singleton_groups_with_a_box_are_the_boxed_lasso(rho):
    X, y = _data(seed=6)
    singletons = np.arange(X.shape[1])
    box = {
        "lower_bounds": np.r_[0.0, -0.2, 0.05, -np.inf * np.ones(9)],
        "upper_bounds": np.r_[np.inf, 0.4, np.inf * np.ones(10)],
    }
    group = lpnet.SparseGroupLasso(singletons, 0.03, l1_ratio=rho, weights=np.ones(12), tol=1e-12, **box).fit(X, y)
    lasso = lpnet.Lasso(0.03, tol=1e-12, **box).fit(X, y)
    np.testing.assert_allclose(group.coef_, lasso.coef_, atol=1e-7)
    np.testing.assert_allclose(group.intercept_, lasso.intercept_, atol=1e-7)


def test_sparse_design_gives_the_dense_fit():
    sp = pytest.importorskip("scipy.sparse")
    X, y = _data(seed=7)
    X[np.abs(X) < 0.8] = 0.0
    dense = lpnet.SparseGroupLasso(GROUPS, 0.03, l1_ratio=0.3, lower_bounds=-0.2, tol=1e-12).fit(X, y)
    sparse = lpnet.SparseGroupLasso(GROUPS, 0.03, l1_ratio=0.3, lower_bounds=-0.2, tol=1e-12).fit(sp.csc_matrix(X), y)
    np.testing.assert_allclose(sparse.coef_, dense.coef_, atol=1e-8)


# ---------------------------------------------------------------------------------------------- alpha_max
def _positive_alpha_max(X, y, rho):
    """Independent: at the null model only -grad_j > 0 pushes into [0, inf); per group the alpha with
    ||ST(push_g, alpha rho)|| = alpha (1 - rho) c_g, by a scalar root finder."""
    grad, _ = kkt.datafit_gradients(X, y, None, "squared", np.zeros(X.shape[1]), y.mean())
    push = np.maximum(-grad, 0.0)
    best = 0.0
    for g, cg in zip(GROUPS, C):
        pg = push[g]
        if not pg.any():
            continue

        def excess(a, pg=pg, cg=cg):
            return np.linalg.norm(np.maximum(pg - a * rho, 0.0)) - a * (1 - rho) * cg

        best = max(best, brentq(excess, 1e-12, 1e3, xtol=1e-15, rtol=1e-15))
    return best


@pytest.mark.parametrize("rho", [0.0, 0.4])
def test_alpha_max_is_exact_with_positive(rho):
    X, y = _data(seed=8)
    top = lpnet.alpha_max(X, y, penalty=SparseGroup(1.0, GROUPS, rho), lower_bounds=0.0)
    np.testing.assert_allclose(top, _positive_alpha_max(X, y, rho), rtol=1e-10)
    assert top < lpnet.alpha_max(X, y, penalty=SparseGroup(1.0, GROUPS, rho))  # the negative pushes do not count
    above = lpnet.SparseGroupLasso(GROUPS, top * (1 + 1e-8), l1_ratio=rho, positive=True, tol=1e-12).fit(X, y)
    np.testing.assert_array_equal(above.coef_, 0.0)
    assert above.converged_ and above.intercept_ == pytest.approx(y.mean(), rel=1e-12)
    below = lpnet.SparseGroupLasso(GROUPS, top * (1 - 1e-4), l1_ratio=rho, positive=True, tol=1e-12).fit(X, y)
    assert np.any(below.coef_ > 0)


def test_alpha_max_when_the_box_excludes_zero():
    # l1_ratio > 0: w0 (the box's point nearest 0) is optimal exactly from alpha_max on
    X, y = _data(seed=9)
    lower = np.r_[0.3, -np.inf * np.ones(11)]
    w0 = np.r_[0.3, np.zeros(11)]
    top = lpnet.alpha_max(X, y, penalty=SparseGroup(1.0, GROUPS, 0.5), lower_bounds=lower)
    above = lpnet.SparseGroupLasso(GROUPS, top * (1 + 1e-7), l1_ratio=0.5, lower_bounds=lower, tol=1e-12).fit(X, y)
    np.testing.assert_array_equal(above.coef_, w0)
    below = lpnet.SparseGroupLasso(GROUPS, top * (1 - 1e-4), l1_ratio=0.5, lower_bounds=lower, tol=1e-12).fit(X, y)
    assert np.any(below.coef_ != w0)
    # the path starts at w0
    path = lpnet.regularization_path(X, y, penalty=SparseGroup(1.0, GROUPS, 0.5), lower_bounds=lower, n_alphas=4)
    np.testing.assert_array_equal(path.coefs[0], w0)
    # the group lasso has no threshold on group 0's other coordinates: alpha_max is finite, a grid scale
    scale = lpnet.alpha_max(X, y, penalty=SparseGroup(1.0, GROUPS, 0.0), lower_bounds=lower)
    assert np.isfinite(scale) and scale > 0


# ---------------------------------------------------------------------------------------------- path, CV
def test_path_with_bounds_is_certified_and_feasible():
    X, y = _data(seed=10)
    path = lpnet.regularization_path(
        X, y, penalty=SparseGroup(1.0, GROUPS, 0.5), lower_bounds=0.0, n_alphas=8, tol=1e-9
    )
    assert path.converged.all() and np.isnan(path.dual_gaps).all()
    assert np.all(path.coefs >= 0) and not np.any(path.coefs[0]) and np.any(path.coefs[-1])
    scale = _kkt_scale(X, y, "squared")
    for alpha, w, b in zip(path.alphas, path.coefs, path.intercepts):
        assert _boxed_kkt(X, y, "squared", w, b, alpha, 0.5, 0.0, np.inf) <= 1e-7 * scale


def test_cv_with_bounds():
    X, y = _data(seed=11)
    cv = lpnet.SparseGroupLassoCV(GROUPS, l1_ratio=0.5, positive=True, n_alphas=6, cv=3).fit(X, y)
    assert cv.estimator_.positive and np.all(cv.coef_ >= 0)
    assert cv.alphas_[0] == pytest.approx(_positive_alpha_max(X, y, 0.5), rel=1e-10)
    Xl, yl = _data(seed=12, kind="logistic")
    gl = lpnet.GroupLassoCV(GROUPS, lower_bounds=-0.2, upper_bounds=1.0, datafit="logistic", n_alphas=5, cv=3)
    gl.fit(Xl, yl > 0)
    assert np.all(gl.coef_ >= -0.2) and np.all(gl.coef_ <= 1.0) and gl.estimator_.upper_bounds == 1.0


def test_save_load_keeps_the_box(tmp_path):
    X, y = _data(seed=13)
    lower = np.r_[0.0, -0.5 * np.ones(11)]
    for model in (
        lpnet.SparseGroupLasso(GROUPS, 0.05, l1_ratio=0.3, lower_bounds=lower, upper_bounds=0.6).fit(X, y),
        lpnet.RegularizedModel("squared", SparseGroup(0.05, GROUPS, 0.3, lower_bounds=lower, upper_bounds=0.6)).fit(
            X, y
        ),
    ):
        loaded = lpnet.load(lpnet.save(model, tmp_path / "m.json"))
        np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
        np.testing.assert_allclose(loaded.fit(X, y).coef_, model.coef_, atol=1e-10)
        assert np.all(loaded.coef_ >= lower) and np.all(loaded.coef_ <= 0.6)


# ---------------------------------------------------------------------------------------------- bad input
def test_bad_input_messages():
    X, y = _data()
    with pytest.raises(ValueError, match="positive must be True or False"):
        lpnet.GroupLasso(GROUPS, positive="yes").fit(X, y)
    with pytest.raises(ValueError, match="lower_bounds has negative values"):
        lpnet.GroupLasso(GROUPS, positive=True, lower_bounds=-1.0).fit(X, y)
    with pytest.raises(ValueError, match="lower_bounds"):
        lpnet.SparseGroupLasso(GROUPS, lower_bounds=1.0, upper_bounds=0.0).fit(X, y)
    with pytest.raises(ValueError, match="12"):
        lpnet.GroupLassoCV(GROUPS, lower_bounds=[0.0, 0.0]).fit(X, y)
    with pytest.raises(NotImplementedError, match="optimality violation"):
        SparseGroup(1.0, GROUPS, lower_bounds=0.0).conjugate(np.zeros(12))
    # Cox stays refused with a group penalty, boxed or not
    times = np.column_stack([np.arange(1.0, 61.0), np.ones(60)])
    with pytest.raises(ValueError, match="Cox"):
        solve(X, times, make_datafit("cox"), SparseGroup(0.1, GROUPS, lower_bounds=0.0))


@parametrize_with_checks(
    [
        lpnet.GroupLasso(alpha=0.1, positive=True),
        lpnet.SparseGroupLasso(alpha=0.05, lower_bounds=-1.0, upper_bounds=1.0),
    ]
)
def test_sklearn_compatible_with_bounds(estimator, check):
    check(estimator)


# ---------------------------------------------------------------------------------------------- CLI
def test_cli_groups_take_the_box(capsys):
    assert main(["fit", "--groups", "0-4,5-9", "--positive", "--alpha", "1"]) == 0
    out = capsys.readouterr().out
    assert "GroupLasso(2 groups)" in out
    assert main(["path", "--groups", "0-4,5-9", "--lower-bounds", "-1", "--upper-bounds", "20", "--n-alphas", "5"]) == 0
    out = capsys.readouterr().out
    assert "optimality violation" in out
    args = ["cv", "--groups", "0-4,5-9", "--penalty", "elasticnet", "--positive", "--n-alphas", "5", "--folds", "3"]
    assert main(args) == 0
    assert "SparseGroupLasso(2 groups)" in capsys.readouterr().out


def test_float32_coefficients_sit_in_the_box():
    X, y = _data(seed=14)
    X32, y32 = X.astype(np.float32), y.astype(np.float32)
    fit = lpnet.SparseGroupLasso(GROUPS, 0.02, l1_ratio=0.5, lower_bounds=0.1, upper_bounds=0.7).fit(X32, y32)
    assert fit.coef_.dtype == np.float32 and fit.converged_
    assert np.all(fit.coef_ >= np.float32(0.1)) and np.all(fit.coef_ <= np.float32(0.7))
