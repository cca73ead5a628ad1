"""The penalty contract, checked for every penalty of tests/registry.py with UNEQUAL penalty factors.

All expected values are computed here from docs/conventions.md (the registry's reference
``value_of(w, lam)``, ``lam = alpha v_j``) or by numerical optimization, never copied from lpnet's output.
"""

from __future__ import annotations

import ctypes
import math

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

from lpnet.penalties import L1, L2, MCP, SCAD, ElasticNet, Lp
from tests.registry import (
    CONVEX_PENALTIES,
    NONCONVEX_PENALTIES,
    PENALTY_IDS,
    get_factory,
    unequal_weights,
)

N = 9
ALPHAS = [0.37, 3.0]
CONVEX_IDS = [pid for pid, _ in CONVEX_PENALTIES]
NONCONVEX_IDS = [pid for pid, _ in NONCONVEX_PENALTIES]


def _vectors(seed, n=N):
    rng = np.random.default_rng(seed)
    w = rng.normal(scale=1.5, size=n)
    w[[1, 4, 7]] = 0.0  # zeros at penalized (v = 0.3, 0.05) and unpenalized (v = 0) coordinates
    g = rng.normal(scale=1.5, size=n)
    return w, g


def _knot_vectors(factory, alpha, v, seed):
    """w at, just inside and just outside each coordinate's knots (MCP, SCAD), either sign; g random."""
    rng = np.random.default_rng(seed)
    w = np.zeros(v.size)
    for j in range(v.size):
        knots = factory.knots(alpha * v[j]) if alpha * v[j] > 0 else [1.0]
        w[j] = rng.choice(knots) * rng.choice([1.0, 1 - 1e-9, 1 + 1e-9, 1 - 1e-3, 1 + 1e-3, 0.5, 2.0])
    w *= rng.choice([-1.0, 1.0], size=v.size)
    w[v == 0] = rng.normal(size=int(np.sum(v == 0)))
    return w, rng.normal(scale=1.5, size=v.size)


# --------------------------------------------------------------------------- basic attributes
@pytest.mark.parametrize("pid", PENALTY_IDS)
def test_attributes(pid):
    factory = get_factory(pid)
    v = unequal_weights(N)
    pen = factory(0.37, v)
    assert pen.convex == factory.convex
    params = pen.params
    assert isinstance(params, np.ndarray) and params.dtype == np.float64
    assert params[0] == 0.37
    np.testing.assert_array_equal(pen.penalty_factors(N), v)
    np.testing.assert_array_equal(factory(0.37, None).penalty_factors(4), np.ones(4))
    np.testing.assert_array_equal(pen.is_penalized(N), v > 0)
    assert not np.any(factory(0.0, v).is_penalized(N))
    assert np.all(factory(0.5, None).is_penalized(3))
    assert isinstance(repr(pen), str)


# --------------------------------------------------------------------------- value
@pytest.mark.parametrize("alpha", [0.0, *ALPHAS])
@pytest.mark.parametrize("pid", PENALTY_IDS)
def test_value_matches_conventions(pid, alpha):
    factory = get_factory(pid)
    v = unequal_weights(N)
    pen = factory(alpha, v)
    points = [_vectors(seed)[0] for seed in range(3)]
    if factory.knots is not None and alpha > 0:
        points += [_knot_vectors(factory, alpha, v, seed)[0] for seed in range(3)]
    for w in points:
        expected = np.sum(factory.value_of(w, alpha * v))
        got = pen.value(w)
        assert isinstance(got, float)
        assert got == pytest.approx(expected, rel=1e-12, abs=1e-300)
        assert pen.value(-w) == pytest.approx(expected, rel=1e-12, abs=1e-300)
        # default weights are ones
        assert factory(alpha, None).value(w) == pytest.approx(np.sum(factory.value_of(w, alpha)), rel=1e-12)
    assert pen.value(np.zeros(N)) == 0.0


# --------------------------------------------------------------------------- prox / subdifferential
@pytest.mark.parametrize("alpha", ALPHAS)
@pytest.mark.parametrize("pid", PENALTY_IDS)
def test_subdiff_distance_zero_at_prox_point(pid, alpha):
    """For z = prox(x, step), (x - z)/step is in dP(z): dist(-grad, dP(z)) = 0 with grad = (z - x)/step."""
    factory = get_factory(pid)
    v = unequal_weights(N)
    pen = factory(alpha, v)
    rng = np.random.default_rng(11)
    for _ in range(5):
        x = rng.normal(scale=3.0, size=N)
        step = rng.uniform(0.05, 4.0, size=N)
        z = pen.prox(x, step)
        grad = (z - x) / step
        dist = pen.subdiff_distance(z, grad)
        assert dist.shape == (N,)
        np.testing.assert_allclose(dist, 0.0, atol=1e-9 * (1 + np.max(np.abs(grad))))


def _expected_distance(factory, w, g, a):
    """dist(-g, dP_j(w)) from the reference value: |g + P_j'(w)| off 0; at 0 the subdifferential is
    [-s, s] with s = P_j'(0+) (the whole line when p < 1 and a = alpha v_j > 0)."""
    if w != 0:
        return abs(g + factory.derivative(w, a))
    if a == 0:
        return abs(g)
    return max(abs(g) - factory.slope_at_zero(a), 0.0)


@pytest.mark.parametrize("alpha", ALPHAS)
@pytest.mark.parametrize("pid", PENALTY_IDS)
def test_subdiff_distance_matches_definition(pid, alpha):
    """dist(-g, dP_j(w_j)) computed from the reference value (a finite-difference derivative off 0, the
    slope at 0+ at 0), at random points and, for penalties with knots, at and around the knots."""
    factory = get_factory(pid)
    v = unequal_weights(N)
    pen = factory(alpha, v)
    points = [_vectors(seed) for seed in range(4)]
    if factory.knots is not None:
        points += [_knot_vectors(factory, alpha, v, seed) for seed in range(6)]
    rng = np.random.default_rng(3)
    for w, g in points:
        got = pen.subdiff_distance(w, g)
        # a few features only (a path's candidates), in any order: their distances, in that order
        features = rng.permutation(N)[:4]
        got_some = pen.subdiff_distance(w, g, features)
        assert got_some.shape == (4,)
        for j in range(N):
            expected = _expected_distance(factory, w[j], g[j], alpha * v[j])
            assert got[j] == pytest.approx(expected, rel=1e-7, abs=1e-9), (j, w[j], g[j], v[j])
            for k in np.flatnonzero(features == j):
                assert got_some[k] == pytest.approx(expected, rel=1e-7, abs=1e-9), (j, w[j], g[j], v[j])
        assert np.all(got >= 0)


@pytest.mark.parametrize("pid", PENALTY_IDS)
def test_unpenalized_features(pid):
    """v_j = 0 (and alpha = 0) leaves a feature unpenalized: prox is the identity, no value, and the
    stationarity measure is |grad_j| (dP_j = {0}) wherever w_j is, 0 included."""
    factory = get_factory(pid)
    v = unequal_weights(N)
    free = v == 0
    assert free.sum() >= 2
    rng = np.random.default_rng(5)
    for alpha in (0.0, 1.3):
        pen = factory(alpha, v)
        mask = free if alpha > 0 else np.ones(N, bool)
        np.testing.assert_array_equal(pen.is_penalized(N), ~mask)
        x = rng.normal(scale=5.0, size=N) * 10.0 ** rng.integers(-3, 4, size=N)
        for step in (1e-3, 1.0, np.full(N, 7.0), 1e8):
            z = pen.prox(x, step)
            np.testing.assert_array_equal(z[mask], x[mask])  # exactly the identity
        w = np.where(mask, x, 0.0)
        assert pen.value(w) == 0.0
        g = rng.normal(size=N)
        for ww in (x, np.zeros(N)):
            np.testing.assert_allclose(pen.subdiff_distance(ww, g)[mask], np.abs(g[mask]), rtol=1e-14)


# --------------------------------------------------------------------------- kernels
def _call_kernel(cfunc, *args):
    *scalars, params = args
    ptr = params.ctypes.data_as(ctypes.POINTER(ctypes.c_double))
    return cfunc.compiled.ctypes(*[float(s) for s in scalars], ptr)


@pytest.mark.parametrize("pid", PENALTY_IDS)
def test_scalar_kernels_agree_with_methods(pid):
    factory = get_factory(pid)
    v = unequal_weights(N)
    pen = factory(0.8, v)
    params = np.ascontiguousarray(pen.params)
    kern = pen.kernels
    points = [_vectors(3)]
    if factory.knots is not None:
        points.append(_knot_vectors(factory, 0.8, v, 3))
    for w, g in points:
        _check_kernels_at(factory, pen, params, kern, v, w, g)


def _check_kernels_at(factory, pen, params, kern, v, w, g):
    step = np.linspace(0.2, 4.0, N)  # below and above MCP's gamma and SCAD's a - 1
    z = pen.prox(w, step)
    d = pen.subdiff_distance(w, g)
    for j in range(N):
        assert _call_kernel(kern.prox, w[j], step[j], v[j], params) == z[j]
        assert _call_kernel(kern.subdiff_distance, w[j], g[j], v[j], params) == d[j]
        assert _call_kernel(kern.value, w[j], v[j], params) == pytest.approx(
            float(factory.value_of(w[j], pen.alpha * v[j])), rel=1e-12, abs=1e-300
        )


# --------------------------------------------------------------------------- conjugate (convex)
def _numeric_conjugate_1d(factory, a, z):
    """sup_w z w - P_j(w) (P_j = value_of(., a)) by Brent (finite when z is in the domain)."""
    res = minimize_scalar(
        lambda w: -(z * w - float(factory.value_of(w, a))),
        bracket=(0.0, 0.1 * np.sign(z) + 1e-3),
        method="brent",
        options={"xtol": 1e-12, "maxiter": 2000},
    )
    return max(-res.fun, 0.0)  # w = 0 gives 0


@pytest.mark.parametrize("alpha", ALPHAS)
@pytest.mark.parametrize("pid", CONVEX_IDS)
def test_conjugate_matches_numerical_sup(pid, alpha):
    factory = get_factory(pid)
    v = unequal_weights(N)
    pen = factory(alpha, v)
    a = alpha * v
    pos = a > 0
    rng = np.random.default_rng(21)
    for _ in range(3):
        # inside the L1 domain |z_j| <= a_j (so every penalty's conjugate is finite) ...
        z = rng.uniform(-0.95, 0.95, size=N) * np.where(pos, a, 10.0)
        expected = sum(_numeric_conjugate_1d(factory, a[j], z[j]) for j in np.flatnonzero(pos))
        got = pen.conjugate(z)
        assert got == pytest.approx(expected, rel=1e-8, abs=1e-12)
        # ... and beyond it (finite unless the conjugate is an indicator)
        z = rng.uniform(1.2, 3.0, size=N) * rng.choice([-1, 1], size=N) * np.where(pos, a, 1.0)
        got = pen.conjugate(z)
        if factory.l1_type:
            assert got == np.inf
        else:
            expected = sum(_numeric_conjugate_1d(factory, a[j], z[j]) for j in np.flatnonzero(pos))
            assert got == pytest.approx(expected, rel=1e-8, abs=1e-12)
    # unpenalized features are excluded from the sum
    z = np.where(pos, 0.5 * a, 123.0)
    assert pen.conjugate(z) == pytest.approx(pen.conjugate(np.where(pos, z, 0.0)), rel=1e-14)
    assert factory(0.0, v).conjugate(z) == 0.0
    assert pen.conjugate(np.zeros(N)) == 0.0


@pytest.mark.parametrize("alpha", ALPHAS)
@pytest.mark.parametrize("pid", CONVEX_IDS)
def test_fenchel_young(pid, alpha):
    factory = get_factory(pid)
    v = unequal_weights(N)
    pen = factory(alpha, v)
    pos = alpha * v > 0
    rng = np.random.default_rng(31)
    for _ in range(20):
        w = rng.normal(scale=2.0, size=N)
        z = np.where(pos, rng.normal(scale=alpha, size=N), 0.0)
        lhs = pen.value(w) + pen.conjugate(z)
        assert lhs >= w @ z - 1e-12 * (abs(lhs) + np.abs(w) @ np.abs(z))
    # equality at z in dP(w): w = prox(x, step), z = (x - w)/step
    for _ in range(10):
        x = rng.normal(scale=3.0, size=N)
        step = rng.uniform(0.1, 3.0, size=N)
        w = pen.prox(x, step)
        z = (x - w) / step
        assert np.all(z[~pos] == 0.0)
        lhs = pen.value(w) + pen.conjugate(z)
        assert np.isfinite(lhs)
        assert lhs == pytest.approx(w @ z, rel=1e-9, abs=1e-10 * (1 + np.abs(w) @ np.abs(z)))


@pytest.mark.parametrize("alpha", ALPHAS)
@pytest.mark.parametrize("pid", CONVEX_IDS)
def test_dual_scale(pid, alpha):
    factory = get_factory(pid)
    v = unequal_weights(N)
    pen = factory(alpha, v)
    a = alpha * v
    pos = a > 0
    rng = np.random.default_rng(41)
    for scale in (0.3, 1.0, 5.0, 100.0):
        z = rng.normal(scale=scale * alpha, size=N)
        z[~pos] = 1e6  # unpenalized coordinates must not matter
        c = pen.dual_scale(z)
        assert c >= 1.0
        assert np.isfinite(pen.conjugate(z / c))
        if factory.l1_type:
            expected = max(1.0, float(np.max(np.abs(z[pos]) / a[pos])))
            assert c == pytest.approx(expected, rel=1e-12)
            if c > 1.0:  # minimal: any smaller scaling leaves the domain
                assert pen.conjugate(z / (c * (1 - 1e-9))) == np.inf
        else:  # the conjugate is finite everywhere
            assert c == 1.0
    assert pen.dual_scale(np.where(pos, 0.0, 1e6)) == 1.0


@pytest.mark.parametrize("pid", NONCONVEX_IDS)
def test_nonconvex_has_no_conjugate(pid):
    pen = get_factory(pid)(0.5, unequal_weights(N))
    assert pen.convex is False
    with pytest.raises((NotImplementedError, ValueError, TypeError)):
        pen.conjugate(np.zeros(N))


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("pid", PENALTY_IDS)
@pytest.mark.parametrize("alpha", [-1.0, -1e-12, float("nan"), float("inf"), "1.0", None, [1.0]])
def test_bad_alpha(pid, alpha):
    with pytest.raises((ValueError, TypeError), match="alpha"):
        get_factory(pid)(alpha, None)


def _use(pen, n):
    w = np.linspace(-1, 1, n)
    pen.penalty_factors(n)
    pen.value(w)
    pen.prox(w, 1.0)


@pytest.mark.parametrize("pid", PENALTY_IDS)
@pytest.mark.parametrize(
    "weights, n",
    [
        ([1.0, 2.0, 3.0], 4),  # too short
        ([1.0, 2.0, 3.0, 4.0, 5.0], 4),  # too long
        ([1.0, -0.5, 2.0, 1.0], 4),  # negative
        ([1.0, np.nan, 2.0, 1.0], 4),
        ([1.0, np.inf, 2.0, 1.0], 4),
        ([[1.0, 2.0], [3.0, 4.0]], 4),  # not 1-D
    ],
)
def test_bad_weights(pid, weights, n):
    # rejected at construction or, at the latest, on first use with n features; the message must say
    # which argument is wrong (``weights``, also known as glmnet's penalty_factor)
    with pytest.raises((ValueError, TypeError), match="(?i)weights|penalty_factor"):
        _use(get_factory(pid)(1.0, weights), n)


@pytest.mark.parametrize("p", [0.0, -0.5, -2.0, float("inf"), float("nan"), "2", None])
def test_bad_p(p):
    with pytest.raises((ValueError, TypeError), match=r"\bp\b"):
        Lp(1.0, p)


@pytest.mark.parametrize("gamma", [1.0, 0.5, 1.0 - 1e-12, 0.0, -3.0, float("nan"), float("inf"), "3", None, True])
def test_bad_mcp_gamma(gamma):
    # MCP needs gamma > 1 (at gamma <= 1 the firm-thresholding prox of step 1 is not single-valued)
    with pytest.raises((ValueError, TypeError), match="gamma"):
        MCP(1.0, gamma=gamma)


@pytest.mark.parametrize("a", [2.0, 1.5, 2.0 - 1e-12, 0.0, -3.7, float("nan"), float("inf"), "3.7", None])
def test_bad_scad_a(a):
    with pytest.raises((ValueError, TypeError), match=r"\ba\b"):
        SCAD(1.0, a=a)


@pytest.mark.parametrize("rho", [-0.1, 1.0 + 1e-9, 2.0, float("nan"), float("inf"), "0.5", None])
def test_bad_l1_ratio(rho):
    with pytest.raises((ValueError, TypeError), match="l1_ratio"):
        ElasticNet(1.0, rho)


def test_good_edge_parameters_accepted():
    for pen in (
        L1(0.0),
        L2(0),
        ElasticNet(0.0, 0.0),
        ElasticNet(1, 1),
        Lp(0.0, 1e-3),
        Lp(2, 50.0),
        MCP(0.0, gamma=1.0 + 1e-9),
        MCP(2.0, gamma=1e6),
        SCAD(0.0, a=2.0 + 1e-9),
        SCAD(2, a=1e6),
    ):
        assert math.isfinite(pen.value(np.array([0.5, -1.0])))
