"""Squared loss ``D = 1/(2n) sum_i s_i (y_i - z_i)^2``."""
from __future__ import annotations

import numpy as np

from .base import Datafit


class Quadratic(Datafit):
    """Least squares, scaled as scikit-learn's Lasso and ElasticNet: ``1/(2n) sum_i s_i (y_i - z_i)^2``."""

    name = "squared"
    # theta = s * residual / n: projecting in the metric of s is a weighted least-squares residual
    dual_metric_is_weights = True
    # dual = theta.y - n/2 sum theta^2 / s: with sum(theta) = 0, theta.y = theta.(y - c)
    dual_shift_invariant = True

    def dual_metric(self, theta, s) -> np.ndarray:
        return s

    def value(self, y, z, s) -> float:
        r = y - z
        return float(0.5 * np.dot(s, r * r) / y.shape[0])

    def raw_grad(self, y, z, s) -> np.ndarray:
        return -s * (y - z) / y.shape[0]

    def curvature(self, y, z, s) -> np.ndarray:
        return s / y.shape[0]

    def curvature_bound(self, s) -> np.ndarray:
        return s / s.shape[0]

    def dual(self, theta, y, s) -> float:
        # f_i(z) = s_i/(2n) (y_i - z)^2 has f_i^*(u) = u y_i + n u^2 / (2 s_i); zero-weight samples
        # contribute only through theta_i = 0.
        n = y.shape[0]
        pos = s > 0
        if np.any(theta[~pos] != 0):
            return -np.inf
        return float(np.dot(theta, y) - 0.5 * n * np.sum(theta[pos] ** 2 / s[pos]))

    def null_model(self, y, s, fit_intercept):
        n = y.shape[0]
        b = float(np.dot(s, y) / n) if fit_intercept else 0.0
        r = y - b
        return b, float(0.5 * np.dot(s, r * r) / n)
