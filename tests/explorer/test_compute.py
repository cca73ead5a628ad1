"""The explorer's computations without the web framework: problems, balls, KKT arrows, loss, paths."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.linear_model import Lasso

import lpnet
from lpnet.explorer import compute, corner
from lpnet.explorer.compute import InputError, make_problem
from lpnet.explorer.data import user_data

ALL_DIABETES = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]


def _datafit(X, y, w):
    """The squared datafit at ``w`` with the intercept at its best value, computed directly."""
    b = np.mean(y - X @ w)
    r = y - X @ w - b
    return float(r @ r) / (2 * len(y))


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"penalty": "l1"}, "alpha"),
        ({"penalty": "l1", "alpha": 1.0, "radius": 1.0}, "alpha"),
        ({"penalty": "l1", "alpha": 1.0, "p": 0.5}, "p"),
        ({"penalty": "l2", "alpha": 1.0, "p": 3.0}, "p"),
        ({"penalty": "elasticnet", "alpha": 1.0, "p": 1.0}, "p"),
        ({"penalty": "lp", "alpha": 1.0, "p": math.inf}, "p"),
        ({"penalty": "l1", "alpha": 1.0, "l1_ratio": 0.5}, "l1_ratio"),
        ({"penalty": "elasticnet", "radius": 1.0}, "radius"),
        ({"penalty": "l3", "alpha": 1.0}, "penalty"),
    ],
)
def test_bad_combinations_name_the_field(kwargs, field):
    with pytest.raises(InputError) as err:
        make_problem(**kwargs)
    assert err.value.field == field


def test_implied_exponents():
    assert make_problem("l1", alpha=1.0).p == 1.0
    assert make_problem("l2", alpha=1.0, p=2.0).p == 2.0
    assert make_problem("lp", radius=1.0, p=math.inf).constrained


def test_features_are_checked(datasets):
    ds = datasets["diabetes"]
    assert compute.resolve_features(ds) == ([2, 3], [0, 1])  # bmi and bp
    assert compute.resolve_features(ds, ["age", "bmi", "s5"], ["s5", "age"]) == ([0, 2, 8], [2, 0])
    for features, view, field in [
        (["bmi", "nope"], None, "features"),
        (["bmi", "bmi"], None, "features"),
        (["bmi"], None, "features"),
        (["bmi", "s5"], ["bmi", "age"], "view"),
        (["bmi", "s5"], ["bmi", "bmi"], "view"),
    ]:
        with pytest.raises(InputError) as err:
            compute.resolve_features(ds, features, view)
        assert err.value.field == field


@pytest.mark.parametrize("p", [0.3, 0.5, 1.0, 1.5, 2.0, 8.0, 100.0, math.inf])
def test_ball_points_have_the_radius(p):
    prob = make_problem("lp", radius=2.5, p=p)
    x, y = compute.ball_points(prob, np.array([1.0, -0.5]), [0, 1], 2.5)
    norms = [compute.lp_norm([a, b], p) for a, b in zip(x, y)]
    np.testing.assert_allclose(norms, 2.5, rtol=1e-9)
    assert (x[0], y[0]) == (x[-1], y[-1])  # closed


def test_ball_in_a_slice_keeps_the_other_coefficients():
    w = np.array([0.5, 1.0, -0.7, 0.2])
    prob = make_problem("lp", alpha=1.0, p=1.5)
    radius = compute.lp_norm(w, 1.5)
    x, y = compute.ball_points(prob, w, [1, 3], radius)
    for a, b in zip(x[::17], y[::17]):
        full = w.copy()
        full[[1, 3]] = a, b
        assert compute.lp_norm(full, 1.5) == pytest.approx(radius, rel=1e-9)
    # w itself lies on its ball: some curve point is within the curve's spacing of it
    assert np.min(np.hypot(x - w[1], y - w[3])) < 0.05


def test_elastic_net_ball_is_a_level_set():
    prob = make_problem("elasticnet", alpha=1.0, l1_ratio=0.3)
    x, y = compute.ball_points(prob, np.array([1.0, 2.0]), [0, 1], 1.7)
    levels = [compute.en_level([a, b], 0.3) for a, b in zip(x, y)]
    np.testing.assert_allclose(levels, 1.7, rtol=1e-9)


def test_half_ball_is_not_convex():
    x, y = compute.ball_points(make_problem("lp", radius=1.0, p=0.5), np.zeros(2), [0, 1], 1.0)
    # (1, 0) and (0, 1) are on the ball; their midpoint has |.|^0.5 sum sqrt(2) > 1: outside
    assert compute.lp_norm([0.5, 0.5], 0.5) > 1.0
    assert np.any((x == 1.0) & (y == 0.0)) and np.any((x == 0.0) & (y == 1.0))


def test_lp_norm_does_not_overflow():
    assert compute.lp_norm([1e200, 1e200], 50.0) == pytest.approx(1e200 * 2 ** (1 / 50))
    assert compute.lp_norm([3.0, -4.0], math.inf) == 4.0
    assert compute.lp_norm([0.0, 0.0], 0.5) == 0.0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"penalty": "l1", "alpha": 3.0},
        {"penalty": "l2", "alpha": 3.0},
        {"penalty": "elasticnet", "alpha": 3.0, "l1_ratio": 0.4},
        {"penalty": "lp", "alpha": 3.0, "p": 1.5},
        {"penalty": "lp", "alpha": 3.0, "p": 0.5},
        {"penalty": "l1", "alpha": 40.0},
    ],
)
def test_kkt_arrows_coincide_at_the_solution(datasets, kwargs):
    ds = datasets["diabetes"]
    features = ["age", "bmi", "bp", "s5"]
    out = compute.fit(ds, make_problem(**kwargs), features, ["bmi", "s5"])
    scale = np.max(np.abs(out["gradient"])) + 1.0
    # a gap G pins the gradient only to |x_j^T (theta - theta*)| <= sqrt(2 G L_j), L_j = mean(x_j^2)
    # (the squared loss's dual is strongly concave; the gap-safe screening bound)
    X = ds.X[:, [ds.index[f] for f in features]]
    slack = 2.0 * np.sqrt(2.0 * (out["dual_gap"] or 0.0) * np.max(np.mean(X**2, axis=0)))
    np.testing.assert_allclose(out["normal"], -out["gradient"], atol=1e-4 * scale + slack)


@pytest.mark.parametrize(
    "penalty, p",
    [
        ("l2", None),
        ("lp", math.inf),
        ("lp", 0.5),
        ("l1", None),
        ("lp", 1.5),
    ],
)
@pytest.mark.parametrize("radius", [5.0, 25.0])
def test_kkt_arrows_coincide_in_constrained_form(datasets, penalty, p, radius):
    pytest.importorskip("lpnet.constrained")
    out = compute.fit(datasets["diabetes"], make_problem(penalty, radius=radius, p=p), ["age", "bmi", "bp", "s5"])
    scale = np.max(np.abs(out["gradient"])) + 1.0
    np.testing.assert_allclose(out["normal"], -out["gradient"], atol=1e-3 * scale)


def test_linf_subgradient_matches_at_corners():
    w = np.array([2.0, -2.0, 1.0])
    s = compute._linf_subgradient(w, np.array([0.3, -0.1, 0.0]))
    np.testing.assert_allclose(s, [0.75, -0.25, 0.0])
    assert np.abs(s).sum() == pytest.approx(1.0)


def test_grid_loss_is_the_datafit(datasets):
    ds = datasets["diabetes"]
    features = ["age", "bmi", "s5"]
    out = compute.fit(ds, make_problem("l1", alpha=2.0), features, ["s5", "bmi"], grid=7)
    X = ds.X[:, [0, 2, 8]]
    g = out["grid"]
    for k, m in [(0, 0), (3, 5), (6, 2)]:
        w = out["coef"].copy()
        w[2], w[1] = g["w1"][m], g["w2"][k]  # view = (s5, bmi)
        assert g["loss"][k][m] == pytest.approx(_datafit(X, ds.y, w), rel=1e-10)
    assert out["loss_at_solution"] == pytest.approx(_datafit(X, ds.y, out["coef"]), rel=1e-12)


def test_contours_are_level_sets(datasets):
    ds = datasets["synthetic"]
    out = compute.fit(ds, make_problem("l2", alpha=0.5))
    X, y = ds.X, ds.y
    xs, ys = out["contours"]["x"], out["contours"]["y"]
    ok = ~np.isnan(xs)
    values = [_datafit(X, y, np.array([a, b])) for a, b in zip(xs[ok][::25], ys[ok][::25])]
    assert set(np.round(values, 6)) <= set(np.round(out["contours"]["levels"], 6))
    sx, sy = out["solution_level"]["x"], out["solution_level"]["y"]
    assert _datafit(X, y, np.array([sx[3], sy[3]])) == pytest.approx(out["loss_at_solution"], rel=1e-9)


def test_unconstrained_point_is_least_squares(datasets):
    ds = datasets["synthetic"]
    out = compute.fit(ds, make_problem("l1", alpha=0.1))
    ols = np.linalg.lstsq(np.column_stack([np.ones(len(ds.y)), ds.X]), ds.y, rcond=None)[0][1:]
    np.testing.assert_allclose(out["unconstrained"], ols, rtol=1e-10)


def test_zero_coefficients_are_reported(datasets):
    ds = datasets["diabetes"]
    features = ["age", "bmi", "bp", "s5"]
    X = ds.X[:, [ds.index[n] for n in features]]
    alpha = 0.5 * lpnet.alpha_max(X, ds.y)
    ref = Lasso(alpha=alpha, tol=1e-10).fit(X, ds.y).coef_
    expected = [n for n, c in zip(features, ref) if c == 0.0]
    assert 0 < len(expected) < len(features)  # some zeros, not all: the report has something to show
    out = compute.fit(ds, make_problem("l1", alpha=alpha), features)
    assert out["zero_features"] == expected and out["n_zero"] == len(expected)
    assert [c == 0.0 for c in out["coef"]] == [c == 0.0 for c in ref]


def test_penalized_path_matches_regularization_path(datasets):
    ds = datasets["diabetes"]
    prob = make_problem("elasticnet", alpha=1.0, l1_ratio=0.7)
    out = compute.path(ds, prob, ds.feature_names, n_points=20)
    ref = lpnet.regularization_path(ds.X, ds.y, penalty="elasticnet", l1_ratio=0.7, alphas=out["x"])
    np.testing.assert_allclose(out["coefs"], ref.coefs, atol=1e-9)
    a_max = lpnet.alpha_max(ds.X, ds.y, penalty="elasticnet", l1_ratio=0.7)
    assert out["x_max"] == pytest.approx(compute.ALPHA_HIGH * a_max)
    assert out["x_min"] == pytest.approx(compute.ALPHA_LOW * a_max)


def test_constrained_path_from_the_penalized_one(datasets):
    ds = datasets["synthetic"]
    out = compute.path(ds, make_problem("l1", radius=1.0), n_points=30)
    assert np.all(np.diff(out["x"]) >= 0)
    norms = np.abs(out["coefs"]).sum(axis=1)
    r_ls = compute.lp_norm(compute._least_squares(ds.X, ds.y), 1.0)
    # on the ball up to the least-squares norm, then at the least-squares solution
    np.testing.assert_allclose(norms, np.minimum(out["x"], r_ls), rtol=1e-6, atol=1e-9)
    assert out["x_max"] == pytest.approx(compute.RADIUS_HIGH * r_ls)


def test_path_cache_reuses_paths(datasets):
    cache = compute.PathCache(maxsize=2)
    ds = datasets["synthetic"]
    first, cached = cache.get(ds, make_problem("l1", alpha=1.0), n_points=5)
    assert not cached
    again, cached = cache.get(ds, make_problem("l1", alpha=7.0), n_points=5)  # alpha is not in the key
    assert cached and again is first
    cache.get(ds, make_problem("l2", alpha=1.0), n_points=5)
    cache.get(ds, make_problem("lp", alpha=1.0, p=0.5), n_points=5)
    assert not cache.get(ds, make_problem("l1", alpha=1.0), n_points=5)[1]  # evicted


def test_multistart_finds_distinct_local_minima(datasets):
    ds = datasets["synthetic"]
    prob = make_problem("lp", alpha=0.5, p=0.5)
    out = compute.multistart(ds, prob, n_starts=30, seed=0)
    minima = out["minima"]
    assert len(minima) >= 2
    assert sum(m["count"] for m in minima) == 30 == out["n_starts"]
    assert [m["objective"] for m in minima] == sorted(m["objective"] for m in minima)
    assert sum(m["from_zero"] for m in minima) == 1
    for m in minima:  # each is a fixed point: solving again from it stays there
        again = compute.solve_problem(ds.X, ds.y, prob, w0=m["coef"])
        np.testing.assert_allclose(again["coef"], m["coef"], atol=1e-6)
    coefs = np.array([m["coef"] for m in minima])
    assert np.min([np.max(np.abs(a - b)) for i, a in enumerate(coefs) for b in coefs[i + 1 :]]) > 1e-3


def test_multistart_needs_nonconvex_lp(datasets):
    with pytest.raises(InputError) as err:
        compute.multistart(datasets["synthetic"], make_problem("lp", alpha=1.0, p=1.5))
    assert err.value.field == "p"


# ----------------------------------------------------------------------------------------------------
# the default view, the slider, the corner
# ----------------------------------------------------------------------------------------------------
def _alpha_max(X, y):
    """The smallest alpha with every Lasso coefficient zero, from its definition."""
    return float(np.max(np.abs((X - X.mean(axis=0)).T @ (y - y.mean())))) / len(y)


def _slider_alphas(X, y, positions):
    """The alpha slider's values, as the issue asks: log scale from alpha_max / 1000 to 1.2 alpha_max."""
    a_max = _alpha_max(X, y)
    return a_max / 1000 * 1200.0 ** (np.asarray(positions) / 1000)


def _one_zero_share(X, y, step=5):
    """Share of the slider's travel where the Lasso has exactly one of two coefficients zero."""
    positions = np.arange(0, 1001, step)
    one = [np.sum(Lasso(alpha=a, tol=1e-10).fit(X, y).coef_ == 0.0) == 1 for a in _slider_alphas(X, y, positions)]
    return float(np.mean(one))


def test_default_view_shows_a_corner_for_a_wide_range_of_alpha(datasets):
    ds = datasets["diabetes"]
    idx, view = compute.resolve_features(ds)
    assert [ds.feature_names[j] for j in idx] == ["bmi", "bp"] and view == [0, 1]
    default = _one_zero_share(ds.X[:, idx], ds.y)
    strongest = _one_zero_share(ds.X[:, [ds.index["bmi"], ds.index["s5"]]], ds.y)
    assert default >= 0.05, f"the Lasso has one zero over {default:.1%} of the slider only"
    assert default >= 4 * strongest  # bmi and s5, the two strongest predictors, barely show a corner


def test_slider_range_and_mapping(datasets):
    ds = datasets["diabetes"]
    X = ds.X[:, [ds.index["bmi"], ds.index["bp"]]]
    rng = compute.slider_range(ds, make_problem("lp", alpha=1.0, p=0.5))
    a_max = _alpha_max(X, ds.y)  # the L1 value also for Lp
    assert rng["scale"] == "log" and rng["alpha_max"] == pytest.approx(a_max)
    values = corner.slider_value([0, 500, 1000], rng["x_min"], rng["x_max"], rng["scale"])
    np.testing.assert_allclose(values, _slider_alphas(X, ds.y, [0, 500, 1000]), rtol=1e-12)
    assert values[1] == pytest.approx(np.sqrt(values[0] * values[2]))  # log scale: the middle is the geometric mean
    positions = corner.slider_position(values, rng["x_min"], rng["x_max"], rng["scale"])
    np.testing.assert_allclose(positions, [0, 500, 1000], atol=1e-9)

    con = compute.slider_range(ds, make_problem("l1", radius=1.0))
    w_ls = np.linalg.lstsq(np.column_stack([np.ones(len(ds.y)), X]), ds.y, rcond=None)[0][1:]
    assert con["scale"] == "linear" and con["x_max"] == pytest.approx(1.2 * np.abs(w_ls).sum())
    assert corner.slider_value(250, con["x_min"], con["x_max"], con["scale"]) == pytest.approx(con["x_max"] / 4)
    assert con["x_min"] == pytest.approx(corner.slider_value(1, con["x_min"], con["x_max"], con["scale"]))


def _view_zeros(coef):
    return [c == 0.0 for c in coef]


@pytest.mark.parametrize("features, view", [(None, None), (["bmi", "s5"], None), (ALL_DIABETES, ["bmi", "s5"])])
def test_corner_puts_the_lasso_optimum_on_an_axis(datasets, features, view):
    ds = datasets["diabetes"]
    names = features or ds.default_features
    X = ds.X[:, [ds.index[n] for n in names]]
    found = corner.corner(ds, make_problem("l2", alpha=1.0), features, view)
    assert found["penalty"] == "l1" and found["form"] == "penalized"  # L2 has no corners: L1 instead
    rng = compute.slider_range(ds, make_problem("l1", alpha=1.0), features)
    assert found["value"] == pytest.approx(corner.slider_value(found["position"], rng["x_min"], rng["x_max"], "log"))
    coef = Lasso(alpha=found["value"], tol=1e-10).fit(X, ds.y).coef_
    pair = view or names[:2]
    on_view = coef[[names.index(n) for n in pair]]
    assert sum(_view_zeros(on_view)) == 1
    assert found["zero_feature"] == pair[_view_zeros(on_view).index(True)]
    assert found["low"] <= found["value"] <= found["high"]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"penalty": "lp", "alpha": 1.0, "p": 0.5},
        {"penalty": "elasticnet", "alpha": 1.0, "l1_ratio": 0.5},
        {"penalty": "l1", "radius": 1.0},
    ],
)
def test_corner_keeps_a_penalty_with_corners(datasets, kwargs):
    ds = datasets["diabetes"]
    X = ds.X[:, [ds.index["bmi"], ds.index["bp"]]]
    found = corner.corner(ds, make_problem(**kwargs))
    assert found["penalty"] == kwargs["penalty"]
    value = found["value"]
    if "radius" in kwargs:
        constrained = pytest.importorskip("lpnet.constrained")
        coef = constrained.ConstrainedRegression(radius=value, p=1.0, tol=1e-10).fit(X, ds.y).coef_
    elif kwargs["penalty"] == "lp":
        coef = lpnet.LpRegression(alpha=value, p=0.5).fit(X, ds.y).coef_
    else:
        coef = lpnet.ElasticNet(alpha=value, l1_ratio=0.5).fit(X, ds.y).coef_
    assert sum(_view_zeros(coef)) == 1


def test_no_corner_is_an_input_error():
    # orthogonal columns equally correlated with y: the Lasso zeroes both at once or neither
    X = np.array([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]] * 10)
    y = X[:, 0] + X[:, 1]
    with pytest.raises(InputError) as err:
        corner.corner(user_data(X, y), make_problem("l1", alpha=1.0))
    assert err.value.field == "view"


# ----------------------------------------------------------------------------------------------------
# the window, rounding to zero
# ----------------------------------------------------------------------------------------------------
def _window_half(out):
    return out["grid"]["w1"][-1]


@pytest.mark.parametrize("position", [5, 500, 968])
def test_window_frames_the_ball_and_the_touching_contour(datasets, position):
    ds = datasets["diabetes"]
    features = ["bmi", "s5"]  # the case: at alpha 43.6 the ball was a dot in a +-40 window
    X = ds.X[:, [ds.index[n] for n in features]]
    alpha = float(_slider_alphas(X, ds.y, [position])[0])
    out = compute.fit(ds, make_problem("l1", alpha=alpha), features)
    half = _window_half(out)
    extent = np.abs(Lasso(alpha=alpha, tol=1e-10).fit(X, ds.y).coef_).sum()  # the L1 ball's reach
    assert 0.3 <= extent / half <= 0.7
    # the level set through w* passes next to it, drawn smoothly inside the window
    sx, sy = np.asarray(out["solution_level"]["x"]), np.asarray(out["solution_level"]["y"])
    inside = (np.abs(sx) <= half) & (np.abs(sy) <= half)
    assert inside.sum() >= 20
    wx, wy = out["w_star"]
    assert np.min(np.hypot(sx[inside] - wx, sy[inside] - wy)) < 0.02 * half
    steps = np.hypot(np.diff(sx), np.diff(sy))
    assert np.nanmax(steps) < 0.1 * half
    # the contours cross the window, not only its far corner
    cx, cy = np.asarray(out["contours"]["x"]), np.asarray(out["contours"]["y"])
    shown = [lv for lv in out["contours"]["levels"] if np.any(np.abs(_datafit_grid(X, ds.y, half) - lv) < 0.01 * lv)]
    assert len(shown) >= compute.CONTOUR_LEVELS // 2
    finite = ~np.isnan(cx)
    assert np.mean((np.abs(cx[finite]) <= half) & (np.abs(cy[finite]) <= half)) > 0.8


def _datafit_grid(X, y, half, n=41):
    """The two-feature datafit on an n x n grid of the window, computed directly."""
    ticks = np.linspace(-half, half, n)
    return np.array([[_datafit(X, y, np.array([a, b])) for a in ticks] for b in ticks])


def test_window_of_the_zero_model_frames_the_least_squares_point(datasets):
    out = compute.fit(datasets["synthetic"], make_problem("l1", alpha=1e3))
    assert np.all(out["coef"] == 0.0)
    ols = np.abs(out["unconstrained"]).max()
    assert _window_half(out) == pytest.approx(compute.FRAME * ols)


def test_values_within_rounding_of_zero_are_zero(datasets):
    ds = datasets["diabetes"]
    X = ds.X[:, [ds.index["bmi"], ds.index["bp"]]]
    # above alpha_max: the zero model, whose R2 is 0 (up to rounding: 1 - rss / tss with rss ~ tss)
    out = compute.fit(ds, make_problem("l1", alpha=1.2 * _alpha_max(X, ds.y)))
    assert np.all(out["coef"] == 0.0)
    assert out["r2"] == 0.0 and out["dual_gap"] == 0.0
    for kwargs in [{"penalty": "l2"}, {"penalty": "elasticnet", "l1_ratio": 0.5}, {"penalty": "l1"}]:
        for alpha in _slider_alphas(X, ds.y, [0, 150, 500, 900]):
            gap = compute.fit(ds, make_problem(alpha=float(alpha), **kwargs), grid=5)["dual_gap"]
            assert gap >= 0.0, (kwargs, alpha, gap)
    assert compute._rounded(-1e-16, 1e-12) == 0.0 and compute._rounded(3e-12, 1e-12) == 3e-12
    assert compute._rounded(-3e-12, 1e-12) == -3e-12  # beyond rounding: shown as it is
    assert compute._rounded(None, 1.0) is None


def test_no_gradient_arrow_at_rounding_level(datasets):
    pytest.importorskip("lpnet.constrained")
    ds = datasets["diabetes"]
    X = ds.X[:, [ds.index["bmi"], ds.index["bp"]]]
    Xc, yc = X - X.mean(axis=0), ds.y - ds.y.mean()
    w_ls = np.linalg.lstsq(Xc, yc, rcond=None)[0]
    raw = Xc.T @ (yc - Xc @ w_ls) / len(yc)
    assert np.max(np.abs(raw)) < 1e-9 * np.max(np.abs(Xc.T @ yc)) / len(yc)  # zero but for rounding
    # a radius beyond the least-squares norm: the constraint is inactive, w* is w_ls
    out = compute.fit(ds, make_problem("l1", radius=1.2 * np.abs(w_ls).sum()))
    np.testing.assert_allclose(out["coef"], w_ls, rtol=1e-8)
    assert list(out["gradient"]) == [0.0, 0.0] and list(out["normal"]) == [0.0, 0.0]
    # the smallest alpha of the slider: a small gradient, but a real one, and it is kept
    alpha = float(_slider_alphas(X, ds.y, [0])[0])
    out = compute.fit(ds, make_problem("l1", alpha=alpha))
    assert np.max(np.abs(out["gradient"])) == pytest.approx(alpha, rel=1e-3)
