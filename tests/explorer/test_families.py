"""The explorer with every scalar datafit: the profiled slice loss, its traced level sets, the KKT arrows,
paths and ranges, checked against formulas written out here, scipy and scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize_scalar
from scipy.special import expit
from sklearn.linear_model import LogisticRegression, PoissonRegressor

from lpnet.datafits import datafit_class, datafit_names, make_datafit
from lpnet.explorer import compute
from lpnet.explorer.contours import level_lines
from lpnet.explorer.ellipses import slice_geometry
from lpnet.explorer.problems import InputError, datafit_menu, make_problem, offered_datafits
from lpnet.explorer.profiled import ProfiledSlice


# the losses per sample written out (labels 0/1 for the logistic loss), independent of lpnet's datafits
def _logistic(y01, z):
    return np.logaddexp(0.0, z) - y01 * z


def _poisson(y, z):
    return np.exp(z) - y * z  # half the deviance up to a constant in z


def _gamma(y, z):
    return y * np.exp(-z) + z


def _huber(y, z, eps=1.35):
    r = np.abs(y - z)
    return np.where(r <= eps, 0.5 * r * r, eps * r - 0.5 * eps * eps)


FAMILIES = {  # datafit -> (data set, per-sample loss in z, up to a constant)
    "logistic": ("breast_cancer", _logistic),
    "poisson": ("diabetes", _poisson),
    "gamma": ("diabetes", _gamma),
    "huber": ("diabetes", _huber),
}


def _fitted(datasets, datafit, penalty="l1", fraction=0.5, **shape):
    """A fit at ``fraction`` of the slider's alpha_max, with its data and slice."""
    name = FAMILIES[datafit][0] if datafit in FAMILIES else "diabetes"
    ds = datasets[name]
    prob = make_problem(penalty, alpha=1.0, datafit=datafit, **shape)
    a_max = compute.slider_range(ds, prob)["alpha_max"]
    prob = make_problem(penalty, alpha=fraction * a_max, datafit=datafit, **shape)
    idx, view, X, y = compute.model_data(ds, prob)
    return ds, prob, X, y, view


def _profile_by_scipy(X, y_raw, loss, w):
    """``min_b mean loss(y, X w + b)`` by scipy's Brent method: the value and the intercept."""
    z = X @ w
    res = minimize_scalar(lambda b: float(np.mean(loss(y_raw, z + b))), tol=1e-12)
    return res.fun, res.x


def test_the_menu_offers_the_scalar_one_column_datafits():
    expected = [
        n for n in datafit_names() if not (datafit_class(n).is_multi_output or datafit_class(n).target_is_matrix)
    ]
    assert offered_datafits() == expected and expected[0] == "squared"
    for info in datafit_menu():
        assert info.offered == (info.name in expected)
        assert (info.reason is None) == info.offered
    tweedie = next(i for i in datafit_menu() if i.name == "tweedie")
    power = tweedie.parameter("power")
    assert 1.0 < power.low < power.high < 2.0 and power.default in power.values


@pytest.mark.parametrize("datafit", sorted(FAMILIES))
def test_profiled_loss_equals_a_direct_minimization(datasets, datafit):
    ds, prob, X, y, view = _fitted(datasets, datafit)
    fit = compute.solve_problem(X, y, prob)
    w = fit["coef"]
    prof = ProfiledSlice(X, y, prob.datafit_object(), w, view, fit["intercept"])
    y_raw = ds.y
    loss = FAMILIES[datafit][1]
    rng = np.random.default_rng(0)
    points = w[view] + rng.uniform(-1.0, 1.0, (4, 2)) * (np.abs(w[view]).max() + 0.1)
    values = prof.evaluate(points)
    # the constant that the written-out losses drop: the profiled loss at w* fixes it
    d_star = prof.evaluate(w[view])[0]
    ref_star = _profile_by_scipy(X, y_raw, loss, w)[0]
    for point, value in zip(points, values):
        full = w.copy()
        full[view] = point
        ref = _profile_by_scipy(X, y_raw, loss, full)[0]
        assert value - d_star == pytest.approx(ref - ref_star, rel=1e-7, abs=1e-10)


def test_poisson_intercept_in_closed_form(datasets):
    _, prob, X, y, view = _fitted(datasets, "poisson")
    w = compute.solve_problem(X, y, prob)["coef"]
    prof = ProfiledSlice(X, y, prob.datafit_object(), w, view, 0.0)
    rng = np.random.default_rng(1)
    Z = X @ w + rng.normal(scale=0.3, size=(6, 1)) * X[:, view[0]]  # six points of the slice
    # d/db mean(exp(z + b) - y (z + b)) = 0: b = log(sum y / sum exp(z))
    expected = np.log(y.sum() / np.exp(Z).sum(axis=1))
    np.testing.assert_allclose(prof.intercepts(Z), expected, rtol=1e-10, atol=1e-12)


def test_marching_squares_on_a_known_function():
    xs, ys = np.linspace(-2.0, 2.0, 41), np.linspace(-1.5, 2.5, 37)
    W1, W2 = np.meshgrid(xs, ys)
    F = np.exp(W1) + (W2 - 0.3) ** 2 + 0.5 * W1 * W2  # smooth, convex, level sets not ellipses
    for level in (1.0, 2.5, 6.0):
        x, y = level_lines(xs, ys, F, level)
        pts = np.isfinite(x)
        assert pts.sum() > 20
        exact = np.exp(x[pts]) + (y[pts] - 0.3) ** 2 + 0.5 * x[pts] * y[pts]
        h = xs[1] - xs[0]
        # linear interpolation along a grid edge: off by at most h^2/8 times the second derivative
        assert np.max(np.abs(exact - level)) <= h * h / 8 * (np.exp(2.0) + 2.0)
        # every polyline is followed by one NaN; a closed one repeats its first point
        ends = np.flatnonzero(~pts)
        assert ends[-1] == len(x) - 1
    # a level the grid never reaches: nothing
    assert level_lines(xs, ys, F, -1.0)[0].size == 0


def test_profiled_route_reproduces_the_squared_loss_ellipses(datasets):
    # the grid route run on the squared loss: its levels lie on the exact quadratic of the ellipses
    ds = datasets["diabetes"]
    prob = make_problem("l1", alpha=5.0)
    idx, view, X, y = compute.model_data(ds, prob)
    w = compute.solve_problem(X, y, prob)["coef"]
    d0, _, _, _, quadratic = slice_geometry(X, y, w, view)
    prof = ProfiledSlice(X, y, prob.datafit_object(), w, view, float(np.mean(y - X @ w)))
    ticks = np.linspace(-40.0, 40.0, 41)
    F = prof.grid(ticks)
    W1, W2 = np.meshgrid(ticks, ticks)
    np.testing.assert_allclose(F, quadratic(W1, W2), rtol=1e-10)
    x, y_ = prof.refine(*level_lines(ticks, ticks, F, d0), d0)
    pts = np.isfinite(x)
    np.testing.assert_allclose(quadratic(x[pts], y_[pts]), d0, rtol=1e-9)


@pytest.mark.parametrize("datafit", ["logistic", "poisson"])
def test_fit_draws_the_kkt_conditions(datasets, datafit):
    ds, prob, X, y, view = _fitted(datasets, datafit)
    out = compute.fit(ds, prob, grid=5)
    assert out["converged"] and out["dual_gap"] is not None
    # KKT: -gradient of the datafit equals alpha times the L1 subgradient, on the view
    np.testing.assert_allclose(out["normal"], -np.asarray(out["gradient"]), rtol=1e-4)
    # the arrow is the datafit's gradient at w* with the intercept at its best, computed here
    w = out["coef"]
    loss = FAMILIES[datafit][1]
    _, b = _profile_by_scipy(X, ds.y, loss, w)
    z = X @ w + b
    slope = expit(z) - ds.y if datafit == "logistic" else np.exp(z) - ds.y
    np.testing.assert_allclose(out["gradient"], X[:, view].T @ slope / len(z), rtol=1e-6, atol=1e-9)
    # the traced contours lie on their levels (the loss between grid points is near-linear)...
    levels = np.asarray(out["contours"]["levels"])
    x, yy = (np.asarray(out["contours"][k], dtype=float) for k in ("x", "y"))
    prof = ProfiledSlice(X, y, prob.datafit_object(), w, view, out["intercept"])
    pts = np.isfinite(x)
    values = prof.evaluate(np.column_stack([x[pts], yy[pts]]))
    spread = levels.max() - levels.min()
    nearest = np.min(np.abs(values[:, None] - levels[None, :]), axis=1)
    assert np.max(nearest) <= 1e-3 * spread
    # ...and the level through w* passes through it, on the exact level
    sx, sy = (np.asarray(out["solution_level"][k], dtype=float) for k in ("x", "y"))
    pts = np.isfinite(sx)
    half = out["grid"]["w1"][-1]
    assert np.min(np.hypot(sx[pts] - out["w_star"][0], sy[pts] - out["w_star"][1])) <= 2 * half / 80
    np.testing.assert_allclose(prof.evaluate(np.column_stack([sx[pts], sy[pts]])), out["loss_at_solution"], rtol=1e-9)
    assert out["score_label"] == make_datafit(datafit).score_label and out["r2"] is None


def test_logistic_fit_and_score_equal_scikit_learn(datasets):
    ds, prob, X, y, view = _fitted(datasets, "logistic", fraction=0.3)
    out = compute.fit(ds, prob, grid=5)
    ref = LogisticRegression(C=1.0 / (len(y) * prob.alpha), l1_ratio=1.0, solver="saga", tol=1e-12, max_iter=100_000)
    ref.fit(X, ds.y)
    np.testing.assert_allclose(out["coef"], ref.coef_[0], atol=1e-5)
    assert out["score"] == pytest.approx(ref.score(X, ds.y))


def test_range_and_path_with_datafits(datasets):
    ds = datasets["breast_cancer"]
    prob = make_problem("l1", alpha=1.0, datafit="logistic")
    X = ds.X[:, [ds.index[n] for n in ds.default_features]]
    # alpha_max of the L1 logistic loss: the gradient at the intercept-only model, labels 0/1
    a_max = np.max(np.abs(X.T @ (ds.y - ds.y.mean()))) / len(ds.y)
    assert compute.slider_range(ds, prob)["alpha_max"] == pytest.approx(a_max, rel=1e-9)
    # the L2 path of the Poisson datafit is scikit-learn's PoissonRegressor(alpha)
    ds = datasets["diabetes"]
    prob = make_problem("l2", alpha=1.0, datafit="poisson")
    X = ds.X[:, [ds.index[n] for n in ds.default_features]]
    path = compute.path(ds, prob, n_points=5)
    for alpha, coef in zip(path["x"][::2], path["coefs"][::2]):
        ref = PoissonRegressor(alpha=alpha, tol=1e-12, max_iter=10_000).fit(X, ds.y)
        np.testing.assert_allclose(coef, ref.coef_, rtol=1e-4, atol=1e-7)
    # the constrained form walks the radius up to the unpenalized fit's norm, here the Poisson GLM's
    unpen = PoissonRegressor(alpha=0.0, tol=1e-12, max_iter=10_000).fit(X, ds.y).coef_
    rng = compute.slider_range(ds, make_problem("l1", radius=1.0, datafit="poisson"))
    assert rng["x_max"] == pytest.approx(compute.RADIUS_HIGH * np.abs(unpen).sum(), rel=1e-6)


def test_constrained_form_with_a_datafit(datasets):
    ds = datasets["diabetes"]
    prob = make_problem("l1", radius=0.1, datafit="poisson")
    out = compute.fit(ds, prob, grid=5)
    assert np.abs(out["coef"]).sum() == pytest.approx(0.1, rel=1e-8) and out["active"]
    np.testing.assert_allclose(out["normal"], -np.asarray(out["gradient"]), rtol=1e-4)


def test_multistart_and_corner_with_a_datafit(datasets):
    ds = datasets["breast_cancer"]
    found = compute.multistart(ds, make_problem("lp", alpha=0.05, p=0.5, datafit="logistic"), n_starts=4)
    objectives = [m["objective"] for m in found["minima"]]
    assert objectives == sorted(objectives) and sum(m["count"] for m in found["minima"]) == 4
    from lpnet.explorer.corner import corner

    prob = make_problem("l1", alpha=1.0, datafit="logistic")
    c = corner(ds, prob)
    fit = compute.fit(ds, make_problem("l1", alpha=c["value"], datafit="logistic"), grid=5)
    assert fit["n_zero"] == 1 and fit["zero_features"] == [c["zero_feature"]]


@pytest.mark.parametrize(
    "dataset, kwargs, field",
    [
        ("diabetes", {"datafit": "logistic"}, "datafit"),  # a continuous target: no two classes
        ("breast_cancer", {"datafit": "gamma"}, "datafit"),  # zeros: no Gamma target
        ("synthetic", {"datafit": "poisson"}, "datafit"),  # negative values
    ],
)
def test_a_datafit_that_refuses_the_target_is_named(datasets, dataset, kwargs, field):
    prob = make_problem("l1", alpha=1.0, **kwargs)
    with pytest.raises(InputError) as err:
        compute.fit(datasets[dataset], prob)
    assert err.value.field == field and dataset in err.value.message


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"datafit": "cox"}, "datafit"),
        ({"datafit": "nope"}, "datafit"),
        ({"datafit": "poisson", "datafit_params": {"power": 1.3}}, "power"),
        ({"datafit": "tweedie", "datafit_params": {"power": 2.5}}, "power"),
        ({"datafit": "huber", "datafit_params": {"epsilon": 0.5}}, "epsilon"),
    ],
)
def test_bad_datafit_choices_name_the_field(kwargs, field):
    with pytest.raises(InputError) as err:
        make_problem("l1", alpha=1.0, **kwargs)
    assert err.value.field == field
