"""The Gram (covariance) mode: its certificate, computed from Gram quantities only, holds on the data."""

import numpy as np
import pytest

from lpnet.datafits import Quadratic
from lpnet.penalties import L1, L2, ElasticNet, Lp
from lpnet.solvers import Design, solve
from tests import kkt

PENALTIES = {
    "L1": lambda a, v: L1(a, weights=v),
    "EN": lambda a, v: ElasticNet(a, 0.4, weights=v),
    "Lp1.5": lambda a, v: Lp(a, 1.5, weights=v),
    "L2": lambda a, v: L2(a, weights=v),
}


@pytest.mark.parametrize("pid", list(PENALTIES))
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_gram_certificate_is_independently_valid(pid, fit_intercept):
    rng = np.random.default_rng(5)
    n, p = 400, 12
    X = rng.standard_normal((n, p)) @ np.triu(np.full((p, p), 0.3)) + 1.5  # correlated, uncentred
    y = X[:, :3] @ np.array([1.0, -2.0, 0.5]) + 3.0 + rng.standard_normal(n)
    s = rng.uniform(0.2, 2.0, n)
    v = np.linspace(0.3, 2.5, p)
    pen = PENALTIES[pid](0.05 * kkt.alpha_max(X, y, s, "squared", fit_intercept, v), v)
    res = solve(
        X, y, Quadratic(), pen, sample_weight=s, fit_intercept=fit_intercept, tol=1e-8, solver="cd_gram", max_iter=1000
    )
    assert res.converged and res.solver in ("cd_gram", "cd")
    spec = kkt.spec_from_penalty(pen)
    indep = kkt.duality_gap(X, y, s, "squared", spec, res.coef, res.intercept, fit_intercept)
    f_null = kkt.objective(X, y, s, "squared", spec, np.zeros(p), 0.0) if not fit_intercept else None
    # the independent gap, and the objective recomputed on the data, agree with the Gram bookkeeping
    assert indep["primal"] == pytest.approx(res.objective, rel=1e-10)
    assert res.dual_gap >= -1e-12 * res.objective
    scale = f_null if f_null is not None else 0.5 * np.average((y - np.average(y, weights=s)) ** 2, weights=s)
    assert indep["gap"] <= 1e-6 * scale


def test_a_design_reuses_its_gram_columns_across_alphas():
    rng = np.random.default_rng(6)
    X = rng.standard_normal((500, 20))
    y = X[:, :4].sum(axis=1) + rng.standard_normal(500)
    design = Design(X)
    alphas = [0.5, 0.2, 0.05]
    warm = [solve(design, y, Quadratic(), L1(a), solver="cd_gram", tol=1e-10) for a in alphas]
    cold = [solve(X, y, Quadratic(), L1(a), solver="cd_gram", tol=1e-10) for a in alphas]
    for a, b in zip(warm, cold):
        np.testing.assert_allclose(a.coef, b.coef, atol=1e-7)


def test_gram_mode_refuses_unpenalized_features():
    X = np.random.default_rng(0).standard_normal((100, 3))
    with pytest.raises(ValueError, match="every feature"):
        solve(X, X[:, 0], Quadratic(), L1(0.1, weights=[0.0, 1.0, 1.0]), solver="cd_gram")


@pytest.mark.parametrize("pid", list(PENALTIES))
def test_gram_path_is_certified_on_the_data(pid):
    """The compiled whole-path loop: every alpha certified by the independent residual-form gap, and
    the same objectives as per-alpha fits of the residual-form solver."""
    from lpnet.solvers.cd_gram import (
        GramState,
        GramStatistics,
        gram_path,
        gram_path_applies,
    )

    rng = np.random.default_rng(7)
    n, p = 600, 15
    X = rng.standard_normal((n, p)) @ np.triu(np.full((p, p), 0.4)) + 2.0
    y = X[:, :4] @ np.array([1.0, -1.0, 0.5, 2.0]) + 1.0 + rng.standard_normal(n)
    s = rng.uniform(0.2, 2.0, n)
    v = np.linspace(0.5, 2.0, p)
    top = kkt.alpha_max(X, y, s, "squared", True, v)
    penalties = [PENALTIES[pid](a, v) for a in np.geomspace(top, top / 500, 12)]
    state = GramState.from_statistics(GramStatistics.of_rows(X, y, s), True, n)
    tol = 1e-7
    assert state.min_tol < tol and gram_path_applies(penalties[0], [pen.alpha for pen in penalties], state, tol)
    fits = gram_path(state, penalties, tol, 1000)
    assert len(fits) == len(penalties) and all(f.converged for f in fits)
    spec_scale = 0.5 * np.average((y - np.average(y, weights=s)) ** 2, weights=s)
    for pen, fit in zip(penalties, fits):
        spec = kkt.spec_from_penalty(pen)
        indep = kkt.duality_gap(X, y, s, "squared", spec, fit.coef, fit.intercept, True)
        assert indep["gap"] <= 2 * tol * spec_scale
        ref = solve(X, y, Quadratic(), pen, sample_weight=s, solver="cd", tol=1e-12, max_iter=1000)
        assert abs(indep["primal"] - ref.objective) <= fit.dual_gap + ref.dual_gap + 1e-12 * ref.objective


def test_gram_statistics_add_up_and_give_held_out_losses():
    from lpnet.solvers.cd_gram import GramStatistics

    rng = np.random.default_rng(8)
    X = rng.standard_normal((300, 6))
    y = rng.standard_normal(300) + 4.0
    s = rng.uniform(0.5, 1.5, 300)
    whole = GramStatistics.of_rows(X, y, s)
    parts = GramStatistics.of_rows(X[:100], y[:100], s[:100]) + GramStatistics.of_rows(X[100:], y[100:], s[100:])
    for name in ("weight", "x", "y", "xx", "xy", "yy"):
        np.testing.assert_allclose(getattr(parts, name), getattr(whole, name), rtol=1e-12)
    rest = whole - GramStatistics.of_rows(X[:100], y[:100], s[:100])
    W = rng.standard_normal((4, 6))
    b = rng.standard_normal(4)
    loss, rounding = rest.mean_squared_error(W, b)
    direct = np.average((y[100:, None] - X[100:] @ W.T - b) ** 2, axis=0, weights=s[100:])
    np.testing.assert_allclose(loss, direct, rtol=1e-10)
    assert np.all(rounding < 1e-10 * loss)
    # a target far from zero with a near-exact model: the expansion cancels, and says so
    far = GramStatistics.of_rows(X, 1e8 + X @ W[0] + 1e-3 * y, s)
    _, rounding = far.mean_squared_error(W[:1], np.array([1e8]))
    assert rounding[0] > 1e-8 * np.average((1e-3 * y) ** 2, weights=s)


@pytest.mark.parametrize("built_before", [False, True])
def test_a_given_gram_is_checked_on_one_column(built_before):
    """A Gram from the caller is checked against the data on one column, whether the state was built
    with it or existed before."""
    from lpnet.solvers.cd_gram import gram_state

    rng = np.random.default_rng(3)
    X = rng.standard_normal((400, 9)) + 2.0
    y = rng.standard_normal(400)
    s = rng.uniform(0.5, 1.5, 400)
    s *= 400 / s.sum()
    right = X.T @ (s[:, None] * X)
    wrong = right.copy()
    wrong[:, 4] *= 1.01
    wrong[4, :] *= 1.01
    for gram, ok in ((right, True), (wrong, False)):
        design = Design(X)
        if built_before:
            gram_state(design, y, s, True)
        if ok:
            state = gram_state(design, y, s, True, gram)
            np.testing.assert_allclose(state.G, np.cov(X.T, aweights=s, bias=True), rtol=1e-10, atol=1e-12)
        else:
            with pytest.raises(ValueError, match="column 4 is not"):
                gram_state(design, y, s, True, gram)


@pytest.mark.parametrize("p", [1, 3, 4, 6, 9])
def test_the_gram_state_has_the_weighted_moments_of_every_column(p):
    """The one pass over X (columns four at a time, then the rest) against numpy, for widths that leave
    every remainder."""
    from lpnet.solvers.cd_gram import gram_state

    rng = np.random.default_rng(p)
    X = rng.standard_normal((301, p)) * rng.uniform(0.5, 3.0, p) + rng.uniform(-4.0, 4.0, p)
    y = X @ rng.standard_normal(p) + rng.standard_normal(301)
    s = rng.uniform(0.2, 2.0, 301)
    s *= 301 / s.sum()
    state = gram_state(Design(X), y, s, True)
    h = s / 301
    x_mean, y_mean = np.average(X, axis=0, weights=h), np.average(y, weights=h)
    np.testing.assert_allclose(state.x_mean, x_mean, rtol=1e-12)
    np.testing.assert_allclose(state.c, (X - x_mean).T @ (h * (y - y_mean)), rtol=1e-10)
    np.testing.assert_allclose(state.diag, (h[:, None] * (X - x_mean) ** 2).sum(axis=0), rtol=1e-9)


def test_compiled_kernels_release_the_gil():
    """Cross-validation runs its folds on threads: every compiled loop of the solvers, certificates and
    penalties must release the GIL (numba's nogil), or the threads would take turns."""
    import importlib
    import pkgutil

    from numba.core.registry import CPUDispatcher

    import lpnet

    checked, missing = [], []
    for info in pkgutil.walk_packages(lpnet.__path__, "lpnet."):
        if any(part in info.name for part in (".torch", ".dask", ".explorer", ".cli", ".tour", ".viz")):
            continue
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if isinstance(obj, CPUDispatcher) and obj.__module__ == info.name:
                checked.append(name)
                if not obj.targetoptions.get("nogil"):
                    missing.append(f"{info.name}.{name}")
    assert len(checked) > 50 and "_gram_path" in checked
    assert not missing
