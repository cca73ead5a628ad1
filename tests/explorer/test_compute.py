"""The explorer's computations without the web framework: problems, balls, KKT arrows, loss, paths."""
from __future__ import annotations

import math

import numpy as np
import pytest

import lpnet
from lpnet.explorer import compute
from lpnet.explorer.compute import InputError, make_problem


def _datafit(X, y, w):
    """The squared datafit at ``w`` with the intercept at its best value, computed directly."""
    b = np.mean(y - X @ w)
    r = y - X @ w - b
    return float(r @ r) / (2 * len(y))


@pytest.mark.parametrize("kwargs, field", [
    ({"penalty": "l1"}, "alpha"),
    ({"penalty": "l1", "alpha": 1.0, "radius": 1.0}, "alpha"),
    ({"penalty": "l1", "alpha": 1.0, "p": 0.5}, "p"),
    ({"penalty": "l2", "alpha": 1.0, "p": 3.0}, "p"),
    ({"penalty": "elasticnet", "alpha": 1.0, "p": 1.0}, "p"),
    ({"penalty": "lp", "alpha": 1.0, "p": math.inf}, "p"),
    ({"penalty": "l1", "alpha": 1.0, "l1_ratio": 0.5}, "l1_ratio"),
    ({"penalty": "elasticnet", "radius": 1.0}, "radius"),
    ({"penalty": "l3", "alpha": 1.0}, "penalty"),
])
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
    assert compute.resolve_features(ds) == ([2, 8], [0, 1])
    assert compute.resolve_features(ds, ["age", "bmi", "s5"], ["s5", "age"]) == ([0, 2, 8], [2, 0])
    for features, view, field in [(["bmi", "nope"], None, "features"), (["bmi", "bmi"], None, "features"),
                                  (["bmi"], None, "features"), (["bmi", "s5"], ["bmi", "age"], "view"),
                                  (["bmi", "s5"], ["bmi", "bmi"], "view")]:
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


@pytest.mark.parametrize("kwargs", [
    {"penalty": "l1", "alpha": 3.0}, {"penalty": "l2", "alpha": 3.0},
    {"penalty": "elasticnet", "alpha": 3.0, "l1_ratio": 0.4}, {"penalty": "lp", "alpha": 3.0, "p": 1.5},
    {"penalty": "lp", "alpha": 3.0, "p": 0.5}, {"penalty": "l1", "alpha": 40.0},
])
def test_kkt_arrows_coincide_at_the_solution(datasets, kwargs):
    ds = datasets["diabetes"]
    out = compute.fit(ds, make_problem(**kwargs), ["age", "bmi", "bp", "s5"], ["bmi", "s5"])
    scale = np.max(np.abs(out["gradient"])) + 1.0
    np.testing.assert_allclose(out["normal"], -out["gradient"], atol=1e-4 * scale)


@pytest.mark.parametrize("penalty, p", [
    ("l2", None), ("lp", math.inf), ("lp", 0.5),
    ("l1", None), ("lp", 1.5),
])
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
    out = compute.fit(datasets["diabetes"], make_problem("l1", alpha=44.0))
    assert out["n_zero"] == 1 and out["zero_features"] == ["s5"]
    assert out["coef"][1] == 0.0


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
    assert np.min([np.max(np.abs(a - b)) for i, a in enumerate(coefs) for b in coefs[i + 1:]]) > 1e-3


def test_multistart_needs_nonconvex_lp(datasets):
    with pytest.raises(InputError) as err:
        compute.multistart(datasets["synthetic"], make_problem("lp", alpha=1.0, p=1.5))
    assert err.value.field == "p"
