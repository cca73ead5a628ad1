"""The log-link families against their definitions: deviance, gradient, curvature, conjugate, null model,
with and without an offset."""

import numpy as np
import pytest
from scipy.optimize import minimize_scalar
from sklearn.metrics import mean_gamma_deviance, mean_poisson_deviance, mean_tweedie_deviance

from lpnet.datafits import Gamma, Poisson, Tweedie, make_datafit

rng = np.random.default_rng(5)
N = 10


def _problem(name, offset):
    mu = np.exp(rng.normal(0.3, 0.5, N))
    y = {"poisson": rng.poisson(mu).astype(float), "gamma": rng.gamma(2.0, mu / 2.0)}.get(name)
    if y is None:  # Tweedie: exact zeros and positive values
        y = rng.poisson(mu) * rng.gamma(2.0, 0.5, N)
    y[0] = 0.0 if name != "gamma" else y[0]
    s = rng.uniform(0.2, 3.0, N)
    s[3] = 0.0
    s = s * N / s.sum()
    o = rng.normal(0, 0.4, N) if offset else np.zeros(N)
    return y, o, rng.normal(0.2, 0.5, N), s


FAMILIES = {"poisson": Poisson(), "gamma": Gamma(), "tweedie": Tweedie(1.4)}


def _sklearn_deviance(name, y, mu):
    # scikit-learn's unit deviances, sample by sample (the datafit is half of them)
    if name == "poisson":
        return np.array([mean_poisson_deviance([a], [m]) for a, m in zip(y, mu)])
    if name == "gamma":
        return np.array([mean_gamma_deviance([a], [m]) for a, m in zip(y, mu)])
    return np.array([mean_tweedie_deviance([a], [m], power=1.4) for a, m in zip(y, mu)])


@pytest.mark.parametrize("offset", [False, True])
@pytest.mark.parametrize("name", FAMILIES)
def test_value_is_half_the_unit_deviance(name, offset):
    y, o, z, s = _problem(name, offset)
    fit = FAMILIES[name]
    target = fit.with_offset(y, o) if offset else y
    expected = np.sum(s * _sklearn_deviance(name, y, np.exp(z + o))) / (2 * N)
    np.testing.assert_allclose(fit.value(target, z, s), expected, rtol=1e-12)


@pytest.mark.parametrize("offset", [False, True])
@pytest.mark.parametrize("name", FAMILIES)
def test_gradient_and_curvature_by_finite_differences(name, offset):
    y, o, z, s = _problem(name, offset)
    fit = FAMILIES[name]
    target = fit.with_offset(y, o) if offset else y
    eps = 1e-6
    for i in range(N):
        dz = np.zeros(N)
        dz[i] = eps
        num = (fit.value(target, z + dz, s) - fit.value(target, z - dz, s)) / (2 * eps)
        np.testing.assert_allclose(fit.raw_grad(target, z, s)[i], num, rtol=1e-6, atol=1e-10)
        num = (fit.raw_grad(target, z + dz, s)[i] - fit.raw_grad(target, z - dz, s)[i]) / (2 * eps)
        np.testing.assert_allclose(fit.curvature(target, z, s)[i], num, rtol=1e-5, atol=1e-10)
    assert fit.curvature_bound(target, s) is None  # unbounded in eta
    assert np.all(fit.curvature(target, z, s) >= 0)  # convex


@pytest.mark.parametrize("offset", [False, True])
@pytest.mark.parametrize("name", ["poisson", "gamma"])
def test_dual_is_minus_the_conjugate(name, offset):
    """dual(theta) = -sum_i f_i^*(-theta_i), f_i^* by numerical maximization over the linear predictor."""
    y, o, z, s = _problem(name, offset)
    fit = FAMILIES[name]
    target = fit.with_offset(y, o) if offset else y
    theta = -0.6 * fit.raw_grad(target, z, s)  # inside both domains
    expected = 0.0
    for i in range(N):
        if s[i] == 0:
            continue
        one = np.array([target[i]]) if not offset else target[i : i + 1]

        def neg(t, i=i, one=one):
            return -(-theta[i] * t - s[i] / N * fit.sample_losses(one, np.array([t]))[0])

        res = minimize_scalar(neg, bounds=(-40, 40), method="bounded", options={"xatol": 1e-12})
        expected += res.fun  # = -f_i^*(-theta_i)
    np.testing.assert_allclose(fit.dual(theta, target, s), expected, rtol=1e-7, atol=1e-9)
    # outside the domain the dual is -inf
    bad = theta.copy()
    bad[1] = (s[1] / N) * (y[1] + 5.0) if name == "poisson" else -(s[1] / N) * 2.0
    assert fit.dual(bad, target, s) == -np.inf


@pytest.mark.parametrize("offset", [False, True])
@pytest.mark.parametrize("name", FAMILIES)
def test_null_model_minimizes_over_the_intercept(name, offset):
    y, o, _, s = _problem(name, offset)
    fit = FAMILIES[name]
    target = fit.with_offset(y, o) if offset else y
    b, value = fit.null_model(target, s, True)
    res = minimize_scalar(lambda c: fit.value(target, np.full(N, c), s), bounds=(-10, 10), method="bounded")
    assert value <= res.fun + 1e-12
    np.testing.assert_allclose(b, res.x, atol=1e-5)
    # without an intercept the null model is eta = offset
    assert fit.null_model(target, s, False) == (0.0, fit.value(target, np.zeros(N), s))


def test_registry_and_parameters():
    assert make_datafit("tweedie", power=1.7).power == 1.7
    assert make_datafit("tweedie") == Tweedie(1.5)
    assert Tweedie(1.2) != Tweedie(1.3)
    for power in (1.0, 2.0, 0.5, 3.0):
        with pytest.raises(ValueError, match="power must be in"):
            Tweedie(power)
