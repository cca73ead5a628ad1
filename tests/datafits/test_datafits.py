"""Datafits against their definitions: value, gradient, curvature, conjugate (dual) and null model."""

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

from lpnet.datafits import Logistic, Quadratic

rng = np.random.default_rng(3)
N = 12


def _problem(kind):
    y = rng.standard_normal(N) * 3 + 1 if kind == "squared" else np.where(rng.random(N) < 0.4, -1.0, 1.0)
    z = rng.standard_normal(N)
    s = rng.uniform(0.2, 3.0, N)
    s[2] = 0.0
    return y, z, s * N / s.sum()


def _reference_loss(kind, y, z):
    # per-sample loss without weights, from the conventions
    return 0.5 * (y - z) ** 2 if kind == "squared" else np.log1p(np.exp(-y * z))


DATAFITS = {"squared": Quadratic, "logistic": Logistic}


@pytest.mark.parametrize("kind", DATAFITS)
def test_value_gradient_curvature(kind):
    y, z, s = _problem(kind)
    fit = DATAFITS[kind]()
    np.testing.assert_allclose(fit.value(y, z, s), np.sum(s * _reference_loss(kind, y, z)) / N, rtol=1e-13)
    eps = 1e-6
    for i in range(N):
        dz = np.zeros(N)
        dz[i] = eps
        num_grad = (fit.value(y, z + dz, s) - fit.value(y, z - dz, s)) / (2 * eps)
        np.testing.assert_allclose(fit.raw_grad(y, z, s)[i], num_grad, rtol=1e-6, atol=1e-10)
        num_curv = (fit.raw_grad(y, z + dz, s)[i] - fit.raw_grad(y, z - dz, s)[i]) / (2 * eps)
        np.testing.assert_allclose(fit.curvature(y, z, s)[i], num_curv, rtol=1e-5, atol=1e-10)
    # the curvature bound really bounds the curvature (it gives the Lipschitz constants)
    assert np.all(fit.curvature(y, z, s) <= fit.curvature_bound(y, s) + 1e-15)


@pytest.mark.parametrize("kind", DATAFITS)
def test_dual_is_minus_the_conjugate(kind):
    """dual(theta) = -sum_i f_i^*(-theta_i), with f_i^* computed by numerical maximization."""
    y, z, s = _problem(kind)
    fit = DATAFITS[kind]()
    theta = -fit.raw_grad(y, z, s) * 0.7  # inside the logistic domain
    expected = 0.0
    for i in range(N):
        if s[i] == 0:
            continue

        def neg(t, i=i):
            # -(u t - f_i(t)) with u = -theta_i
            return -(-theta[i] * t - s[i] / N * _reference_loss(kind, y[i], t))

        best = minimize_scalar(neg, bounds=(-60, 60), method="bounded", options={"xatol": 1e-12})
        expected -= -best.fun
    np.testing.assert_allclose(fit.dual(theta, y, s), expected, rtol=1e-6, atol=1e-9)
    # a dual point that gives weight to a zero-weight sample lies outside the domain
    bad = theta.copy()
    bad[2] = 0.1
    assert fit.dual(bad, y, s) == -np.inf


@pytest.mark.parametrize("kind", DATAFITS)
@pytest.mark.parametrize("weights", ["positive", "with_a_zero"])
def test_scaled_duals_are_the_dual_at_each_scaled_point(kind, weights):
    y, z, s = _problem(kind)
    if weights == "positive":
        s = np.where(s > 0, s, 1.0)
    fit = DATAFITS[kind]()
    theta = -fit.raw_grad(y, z, s) * 0.7
    scales = (1.0, 1.37, 25.0)
    expected = [fit.dual(theta / c, y, s) for c in scales]
    np.testing.assert_allclose(fit.scaled_duals(theta, y, s, scales), expected, rtol=1e-12, atol=1e-14)
    bad = theta.copy()
    bad[2] = 0.1  # outside the domain where the weight is zero, at every scale
    assert weights == "positive" or fit.scaled_duals(bad, y, s, scales) == [-np.inf] * 3


@pytest.mark.parametrize("kind", DATAFITS)
def test_weak_duality_at_random_points(kind):
    """D(z) >= -f^*(-theta) - theta.z for any z, theta (Fenchel-Young on the datafit alone)."""
    y, z, s = _problem(kind)
    fit = DATAFITS[kind]()
    for _ in range(20):
        z2 = rng.standard_normal(N) * 2
        theta = -fit.raw_grad(y, rng.standard_normal(N), s)
        assert fit.value(y, z2, s) >= fit.dual(theta, y, s) - theta @ z2 - 1e-12


@pytest.mark.parametrize("kind", DATAFITS)
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_null_model_is_the_best_constant(kind, fit_intercept):
    y, _, s = _problem(kind)
    fit = DATAFITS[kind]()
    b, f_null = fit.null_model(y, s, fit_intercept)
    np.testing.assert_allclose(fit.value(y, np.full(N, b), s), f_null, rtol=1e-13)
    if fit_intercept:
        best = minimize_scalar(
            lambda c: fit.value(y, np.full(N, c), s), bounds=(-50, 50), method="bounded", options={"xatol": 1e-12}
        )
        assert f_null <= best.fun + 1e-12
    else:
        assert b == 0.0


@pytest.mark.parametrize("columns", ["intercept", "one column", "zero column", "two columns"])
def test_squared_free_fit_is_weighted_least_squares(columns):
    """The free model's closed form (a ratio for one column) against numpy's weighted least squares."""
    y, _, s = _problem("squared")
    A = {
        "intercept": np.ones((N, 1)),
        "one column": rng.standard_normal((N, 1)),
        "zero column": np.zeros((N, 1)),
        "two columns": np.column_stack([np.ones(N), rng.standard_normal(N)]),
    }[columns]
    root = np.sqrt(s)
    expected = np.linalg.lstsq(root[:, None] * A, root * y, rcond=None)[0]
    np.testing.assert_allclose(Quadratic().free_fit(A, y, s), expected, rtol=1e-12, atol=1e-14)


def test_logistic_rejects_unencoded_labels():
    with pytest.raises(ValueError, match="-1 and \\+1"):
        Logistic().prepare_target(np.array([0.0, 1.0, 1.0]))
