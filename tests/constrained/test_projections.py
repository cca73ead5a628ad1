"""Norm-ball projections against cvxpy, brute force and the KKT conditions written by hand."""

import warnings

import cvxpy as cp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.optimize import minimize

from lpnet.constrained import (
    LocalSolutionWarning,
    projection_l1_ball,
    projection_lp_ball,
)

P_CONVEX = [1.0, 1.5, 2.0, 3.0, 4.0, np.inf]


def norm(x, p):
    return np.linalg.norm(np.ravel(x), ord=p) if p >= 1 else np.sum(np.abs(x) ** p) ** (1 / p)


def cvxpy_projection(v, t, p, weights=None):
    x = cp.Variable(v.shape[0])
    if weights is None:
        constraint = cp.norm(x, p) <= t
    else:
        constraint = cp.sum(cp.multiply(weights, cp.abs(x))) <= t
    cp.Problem(cp.Minimize(cp.sum_squares(x - v)), [constraint]).solve(
        solver="CLARABEL", tol_gap_abs=1e-12, tol_gap_rel=1e-12, tol_feas=1e-12
    )
    return x.value


@pytest.mark.parametrize("p", P_CONVEX)
def test_matches_cvxpy(p):
    rng = np.random.default_rng(int(10 * min(p, 9)))
    v = 3.0 * rng.standard_normal(12)
    t = 1.3
    x = projection_lp_ball(v, t, p)
    assert norm(x, p) <= t * (1 + 1e-12)
    assert norm(x, p) == pytest.approx(t, rel=1e-12)
    np.testing.assert_allclose(x, cvxpy_projection(v, t, p), atol=1e-5)
    # cvxpy's interior point stops at ~1e-6; the exact projection is at least as close to v
    ref = cvxpy_projection(v, t, p)
    ref *= min(1.0, t / norm(ref, p))
    assert np.linalg.norm(x - v) <= np.linalg.norm(ref - v) + 1e-12


@pytest.mark.parametrize("p", [1.5, 3.0, 4.0, 1.1, 7.0])
def test_kkt_of_lp_projection(p):
    # x_j - v_j + lam sign(x_j)|x_j|^(p-1) = 0 with one lam > 0 for every coordinate
    rng = np.random.default_rng(1)
    v = 3.0 * rng.standard_normal(40)
    x = projection_lp_ball(v, 2.0, p)
    lam = (v - x) / (np.sign(x) * np.abs(x) ** (p - 1))
    assert lam.min() > 0
    # the ratio loses digits where |x_j|^(p-1) is tiny: compare on the coordinates that carry it
    big = np.abs(x) ** (p - 1) > 1e-3 * np.max(np.abs(x) ** (p - 1))
    np.testing.assert_allclose(lam[big], np.median(lam[big]), rtol=1e-9)
    np.testing.assert_array_equal(np.sign(x), np.sign(v))


@pytest.mark.parametrize("p", [1.0, 1.5, 2.0, 3.0])
def test_against_brute_force_in_two_dimensions(p):
    rng = np.random.default_rng(2)
    for _ in range(5):
        v = 2.0 * rng.standard_normal(2)
        t = 0.7
        if norm(v, p) <= t:
            continue
        x = projection_lp_ball(v, t, p)
        # the boundary is the curve t (cos s, sin s) / ||(cos s, sin s)||_p: scan it finely
        s = np.linspace(0, 2 * np.pi, 400_001)
        d = np.column_stack([np.cos(s), np.sin(s)])
        curve = t * d / np.linalg.norm(d, ord=p, axis=1)[:, None]
        best = np.min(np.linalg.norm(curve - v, axis=1))
        assert np.linalg.norm(x - v) <= best + 1e-9
        assert np.linalg.norm(x - v) >= best - 1e-5


def test_weighted_l1_with_unequal_and_zero_weights():
    rng = np.random.default_rng(3)
    v = 3.0 * rng.standard_normal(9)
    c = np.array([1.0, 2.0, 0.0, 0.5, 3.0, 1.0, 0.1, 4.0, 1.5])
    x = projection_l1_ball(v, 1.0, weights=c)
    assert x[2] == v[2]  # a zero weight leaves the coordinate free
    assert np.dot(c, np.abs(x)) == pytest.approx(1.0, rel=1e-12)
    np.testing.assert_allclose(x, cvxpy_projection(v, 1.0, 1, weights=c), atol=1e-6)
    # KKT: x_j = sign(v_j) max(|v_j| - lam c_j, 0) with one lam
    on = (x != 0) & (c > 0)
    lam = (np.abs(v[on]) - np.abs(x[on])) / c[on]
    np.testing.assert_allclose(lam, lam[0], rtol=1e-10)
    off = (x == 0) & (c > 0)
    assert np.all(np.abs(v[off]) <= lam[0] * c[off] + 1e-12)


def test_weighted_l1_brute_force():
    rng = np.random.default_rng(4)
    v = rng.standard_normal(4) * 2
    c = np.array([0.5, 1.0, 2.0, 0.0])
    x = projection_l1_ball(v, 0.8, weights=c)
    cons = {"type": "ineq", "fun": lambda z: 0.8 - np.dot(c, np.sqrt(z**2 + 1e-14))}
    best = min(
        (
            minimize(
                lambda z: np.sum((z - v) ** 2),
                z0,
                constraints=[cons],
                method="SLSQP",
                options={"ftol": 1e-14, "maxiter": 500},
            )
            for z0 in rng.standard_normal((20, 4)) * 0.1
        ),
        key=lambda r: r.fun,
    )
    assert np.sum((x - v) ** 2) <= best.fun + 1e-7


@pytest.mark.parametrize("p", P_CONVEX + [0.5])
def test_points_inside_are_returned_unchanged(p):
    v = np.array([0.1, -0.2, 0.05])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LocalSolutionWarning)
        x = projection_lp_ball(v, 10.0, p)
    np.testing.assert_array_equal(x, v)
    assert x is not v
    np.testing.assert_array_equal(projection_l1_ball(v, 1.0, weights=[1.0, 2.0, 3.0]), v)


def test_zero_radius_and_shapes():
    v = np.arange(6.0).reshape(2, 3) - 2.0
    np.testing.assert_array_equal(projection_lp_ball(v, 0.0, 1.5), np.zeros((2, 3)))
    np.testing.assert_array_equal(projection_l1_ball(v, 0.0), np.zeros((2, 3)))
    x = projection_lp_ball(v, 1.0, 2.0)
    assert x.shape == (2, 3)
    np.testing.assert_allclose(x, v / np.linalg.norm(v))
    np.testing.assert_array_equal(projection_lp_ball(v, 1.0, np.inf), np.clip(v, -1, 1))


finite = st.floats(-50, 50, allow_nan=False, allow_infinity=False)


@settings(max_examples=40, deadline=None)
@given(
    v=arrays(np.float64, st.integers(1, 12), elements=finite),
    u=arrays(np.float64, 12, elements=finite),
    t=st.floats(0.01, 20),
    p=st.sampled_from([1.0, 1.5, 2.0, 3.0, np.inf]),
)
def test_projection_properties(v, u, t, p):
    u = u[: v.shape[0]]
    x = projection_lp_ball(v, t, p)
    assert norm(x, p) <= t * (1 + 1e-12)  # feasible
    np.testing.assert_allclose(projection_lp_ball(x, t, p), x, atol=1e-12 * (1 + t))  # idempotent
    y = projection_lp_ball(u, t, p)  # non-expansive (projection onto a convex set)
    assert np.linalg.norm(x - y) <= np.linalg.norm(v - u) * (1 + 1e-9) + 1e-9


@pytest.mark.parametrize("p", [0.5, 0.3, 0.8])
def test_local_projection_for_p_below_one(p):
    rng = np.random.default_rng(5)
    v = 2.0 * rng.standard_normal(6)
    with pytest.warns(LocalSolutionWarning, match="local, not a global"):
        x = projection_lp_ball(v, 1.0, p)
    assert norm(x, p) <= 1.0 * (1 + 1e-12)
    assert norm(x, p) == pytest.approx(1.0, rel=1e-9)
    # at least as close as the obvious feasible candidates: the rescaled point, the best 1-sparse one
    scaled = v / norm(v, p)
    sparse = np.zeros_like(v)
    j = np.argmax(np.abs(v))
    sparse[j] = np.sign(v[j])
    assert np.linalg.norm(x - v) <= min(np.linalg.norm(scaled - v), np.linalg.norm(sparse - v)) + 1e-12
    # a KKT point on its support: x_j - v_j + lam sign(x_j) |x_j|^(p-1) = 0 with one lam >= 0
    on = x != 0
    lam = (v[on] - x[on]) / (np.sign(x[on]) * np.abs(x[on]) ** (p - 1))
    np.testing.assert_allclose(lam, lam[0], rtol=1e-6)
    # a given feasible start is never beaten
    start = np.zeros_like(v)
    start[:2] = [0.25, 0.25]
    with pytest.warns(LocalSolutionWarning):
        y = projection_lp_ball(v, 1.0, p, start=start)
    assert np.linalg.norm(y - v) <= np.linalg.norm(start - v) + 1e-12


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: projection_lp_ball([1.0, 2.0], -1.0, 2), ValueError, "radius must be >= 0"),
        (lambda: projection_lp_ball([1.0, 2.0], np.nan, 2), TypeError, "radius must be a finite"),
        (lambda: projection_lp_ball([1.0, 2.0], 1.0, 0.0), ValueError, "p must be > 0"),
        (lambda: projection_lp_ball([1.0, 2.0], 1.0, -2.0), ValueError, "p must be > 0"),
        (lambda: projection_lp_ball([1.0, np.nan], 1.0, 2), ValueError, "NaN or inf"),
        (lambda: projection_lp_ball(["a", "b"], 1.0, 2), TypeError, "numeric"),
        (lambda: projection_l1_ball([1.0, 2.0], 1.0, weights=[1.0]), ValueError, "one weight per entry"),
        (lambda: projection_l1_ball([1.0, 2.0], 1.0, weights=[1.0, -1.0]), ValueError, ">= 0"),
    ],
)
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


@pytest.mark.parametrize("radius", [1e-300, 1e-200])
def test_l1_projection_with_a_radius_below_rounding(radius):
    # t vanishes in the cumulative sums: the projection must still return a point of the ball
    v = np.array([3.0, -1.0, 0.5])
    out = projection_l1_ball(v, radius)
    assert np.abs(out).sum() <= radius * (1 + 1e-12)
    assert np.all(out * v >= 0)
