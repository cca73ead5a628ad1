"""Squared loss ``D = 1/(2n) sum_i s_i (y_i - z_i)^2``."""

from __future__ import annotations

import numpy as np

from .base import Datafit


class Quadratic(Datafit):
    """Least squares, scaled as scikit-learn's Lasso and ElasticNet: ``1/(2n) sum_i s_i (y_i - z_i)^2``."""

    name = "squared"
    loss_label = "MSE"
    score_label = "R2"
    formula = "1/(2n)||y - Xw - b||^2"
    # theta = s * residual / n: projecting in the metric of s is a weighted least-squares residual
    dual_metric_is_weights = True
    # dual = theta.y - n/2 sum theta^2 / s: with sum(theta) = 0, theta.y = theta.(y - c)
    dual_shift_invariant = True
    is_quadratic = True

    def dual_metric(self, theta, y, s) -> np.ndarray:
        return s

    def value(self, y, z, s) -> float:
        r = y - z
        return float(0.5 * np.dot(s, r * r) / y.shape[0])

    def raw_grad(self, y, z, s) -> np.ndarray:
        return -s * (y - z) / y.shape[0]

    def curvature(self, y, z, s) -> np.ndarray:
        return s / y.shape[0]

    def curvature_bound(self, y, s) -> np.ndarray:
        return s / s.shape[0]

    def dual(self, theta, y, s) -> float:
        # f_i(z) = s_i/(2n) (y_i - z)^2 has f_i^*(u) = u y_i + n u^2 / (2 s_i); zero-weight samples
        # contribute only through theta_i = 0.
        n = y.shape[0]
        pos = s > 0
        if np.any(theta[~pos] != 0):
            return -np.inf
        return float(np.dot(theta, y) - 0.5 * n * np.sum(theta[pos] ** 2 / s[pos]))

    def scaled_duals(self, theta, y, s, scales) -> list[float]:
        # a quadratic in 1 / c: its two sums serve every c (no scaled copies of theta)
        if not np.all(s > 0):
            return super().scaled_duals(theta, y, s, scales)
        linear = float(np.dot(theta, y))
        square = 0.5 * y.shape[0] * float(np.dot(theta, theta / s))
        return [linear / c - square / (c * c) for c in scales]

    def sample_losses(self, y, z) -> np.ndarray:
        return (y - z) ** 2

    def validation_score(self, y, z, s, losses=None) -> np.ndarray:
        # R^2 on the held-out samples (1 for a perfect fit of a constant target, else 0)
        losses = self.validation_loss(y, z, s) if losses is None else losses
        spread = np.average((y - np.average(y, weights=s)) ** 2, weights=s)
        return 1.0 - losses / spread if spread > 0 else np.where(losses == 0, 1.0, 0.0)

    def free_fit(self, A, y, s, n_fixed: int = 0) -> np.ndarray:
        # weighted least squares in closed form: min 1/(2n) sum_i s_i (y_i - a_i c)^2
        if A.shape[1] == 1:  # (the intercept alone, a path's usual start: a ratio, not an SVD of n x 1)
            sa = s * A[:, 0]
            square = float(sa @ A[:, 0])
            return np.array([float(sa @ y) / square if square > 0 else 0.0])
        sq = np.sqrt(s)
        return np.linalg.lstsq(sq[:, None] * A, sq * y, rcond=None)[0]

    def fits_exactly(self, y, z) -> bool:
        return bool(np.max(np.abs(y - z)) <= 16 * np.finfo(np.float64).eps * np.max(np.abs(y)))

    def null_model(self, y, s, fit_intercept):
        n = y.shape[0]
        b = float(np.dot(s, y) / n) if fit_intercept else 0.0
        r = y - b
        return b, float(0.5 * np.dot(s, r * r) / n)
