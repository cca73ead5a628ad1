"""The shortcuts for sparse vectors (most coefficients zero, most dual coordinates inside the kink) give
what the textbook formulas give, written here in numpy: ``P(w)``, ``dist(-g, dP_j(w_j))`` and the
rescaled conjugate ``(c, P*(z / c))`` of L1, Elastic Net, L2 and Lp (p = 1.5), with penalty factors
(zeros included)."""

from __future__ import annotations

import numpy as np
import pytest

from lpnet.penalties import L1, L2, ElasticNet, Lp, make_penalty, penalty_names


def subgradient_interval(name, a, rho, w):
    """``dP_j(w_j)`` as ``[lo, hi]`` with ``a = alpha v_j``."""
    if name == "l1":
        kink, slope = a, 0.0
    elif name == "enet":
        kink, slope = a * rho, a * (1 - rho)
    elif name == "l2":
        kink, slope = 0.0, a
    else:  # lp, p = 1.5: derivative a |w|^0.5 sign(w)
        d = a * np.sqrt(np.abs(w)) * np.sign(w)
        return d, d
    lo = np.where(w > 0, kink + slope * w, np.where(w < 0, -kink + slope * w, -kink))
    hi = np.where(w > 0, kink + slope * w, np.where(w < 0, -kink + slope * w, kink))
    return lo, hi


def value(name, a, rho, w):
    u = np.abs(w)
    phi = {"l1": u, "enet": (rho or 0) * u + (1 - (rho or 0)) / 2 * u * u, "l2": u * u / 2, "lp": u**1.5 / 1.5}
    return float(np.sum(a * phi[name]))


def rescaled_conjugate(name, a, rho, z):
    """``(c, sum_j P_j*(z_j / c))`` over the penalized coordinates, ``c`` the smallest scale >= 1 into the
    conjugate's domain (L1 and the Elastic Net at rho = 1 only have a bounded domain)."""
    pen = a > 0
    z, a = z[pen], a[pen]
    if name == "l1" or (name == "enet" and rho == 1.0):
        return max(1.0, float(np.max(np.abs(z) / a, initial=0.0))), 0.0
    if name == "enet":
        return 1.0, float(np.sum(np.maximum(np.abs(z) - a * rho, 0.0) ** 2 / (2 * a * (1 - rho))))
    if name == "l2":
        return 1.0, float(np.sum(z * z / (2 * a)))
    q = 3.0  # p = 1.5
    return 1.0, float(np.sum(a ** (1 - q) * np.abs(z) ** q / q))


CASES = [("l1", None), ("enet", 0.3), ("enet", 1.0), ("l2", None), ("lp", None)]


def make(name, alpha, rho, weights):
    if name == "l1":
        return L1(alpha, weights=weights)
    if name == "enet":
        return ElasticNet(alpha, rho, weights=weights)
    if name == "l2":
        return L2(alpha, weights=weights)
    return Lp(alpha, 1.5, weights=weights)


@pytest.mark.parametrize("name,rho", CASES)
@pytest.mark.parametrize("factors", [False, True])
def test_distance_and_conjugate_on_sparse_vectors(name, rho, factors):
    rng = np.random.default_rng(7)
    for _ in range(20):
        p = int(rng.integers(20, 500))
        alpha = float(rng.uniform(0.05, 2.0))
        weights = np.where(rng.random(p) < 0.2, 0.0, rng.uniform(0.2, 3.0, p)) if factors else None
        pen = make(name, alpha, rho, weights)
        a = alpha * (np.ones(p) if weights is None else weights)
        w = np.where(rng.random(p) < 0.05, rng.standard_normal(p), 0.0)  # sparse: the shortcut applies
        g = rng.standard_normal(p) * alpha
        assert pen.value(w) == pytest.approx(value(name, a, rho, w), rel=1e-13)
        lo, hi = subgradient_interval(name, a, rho, w)
        expected = np.maximum(np.maximum(lo + g, -g - hi), 0.0)  # dist(-g, [lo, hi])
        np.testing.assert_allclose(pen.subdiff_distance(w, g), expected, rtol=1e-12, atol=1e-15)

        z = rng.standard_normal(p) * alpha * 0.05  # mostly inside the kink: the conjugate's shortcut applies
        z[rng.random(p) < 0.05] *= 40.0
        z[a == 0] = 0.0  # (the certificate's projection leaves unpenalized coordinates at 0)
        scale, conj = pen.scaled_conjugate(z)
        exp_scale, _ = rescaled_conjugate(name, a, rho, z)
        _, exp_conj = rescaled_conjugate(name, a, rho, z / exp_scale)
        assert scale == pytest.approx(exp_scale, rel=1e-13)
        assert conj == pytest.approx(exp_conj, rel=1e-12, abs=1e-300)


@pytest.mark.parametrize("name", penalty_names())
def test_every_penalty_vanishes_at_zero(name):
    # what the sparse shortcut of Penalty.value relies on (and alpha_max, and the null model)
    pen = make_penalty(name, 0.7)
    rng = np.random.default_rng(1)
    w = np.where(rng.random(400) < 0.05, rng.standard_normal(400), 0.0)
    assert pen.value(np.zeros(5)) == 0.0
    dense_sum = sum(pen.value(np.array([x])) for x in w)
    assert pen.value(w) == pytest.approx(dense_sum, rel=1e-13)
