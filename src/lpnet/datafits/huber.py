"""Huber loss: least squares for small residuals, least absolute deviations for large ones."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from .base import Datafit


class Huber(Datafit):
    """``D = 1/n sum_i s_i sigma h_eps((y_i - z_i) / sigma)`` with Huber's function
    ``h_eps(t) = t^2 / 2`` for ``|t| <= eps`` and ``eps |t| - eps^2 / 2`` beyond.

    ``sigma`` (``scale``) is the residuals' scale: a residual counts as an outlier beyond ``eps * sigma``.
    With ``sigma`` fixed this is the datafit scikit-learn's ``HuberRegressor`` minimizes over ``w`` at its
    estimated scale (see :class:`lpnet.HuberRegression`, which estimates ``sigma`` jointly).  Certified by the
    duality gap: with ``c = s_i / n`` the conjugate gives ``-f_i^*(-theta_i) = theta_i y_i - sigma theta_i^2 /
    (2 c)`` on ``|theta_i| <= c eps``.

    Parameters
    ----------
    epsilon : float, default=1.35
        ``eps``, where the loss turns from quadratic to linear, in units of ``sigma``; ``eps > 0``.
    scale : float, default=1.0
        ``sigma > 0``, the residuals' scale.
    """

    name = "huber"
    loss_label = "Huber loss"
    score_label = "R2"
    formula = "1/n sum_i sigma h_eps((y_i - x_i w - b) / sigma)"
    parameters: ClassVar[dict[str, object]] = {"epsilon": 1.35, "scale": 1.0}
    dual_shift_invariant = True

    def __init__(self, epsilon: float = 1.35, scale: float = 1.0):
        epsilon, scale = float(epsilon), float(scale)
        if not (np.isfinite(epsilon) and epsilon >= 1.0):
            raise ValueError(
                f"epsilon must be a finite number >= 1 (scikit-learn's HuberRegressor default is 1.35), "
                f"got {epsilon!r}."
            )
        if not (np.isfinite(scale) and scale > 0):
            raise ValueError(f"scale must be a finite number > 0 (the residuals' scale), got {scale!r}.")
        self.epsilon, self.scale = epsilon, scale

    def _t(self, y, z) -> np.ndarray:
        return (np.asarray(y) - np.asarray(z)) / self.scale

    def sample_losses(self, y, z) -> np.ndarray:
        t = np.abs(self._t(y, z))
        eps = self.epsilon
        return self.scale * np.where(t <= eps, 0.5 * t * t, eps * t - 0.5 * eps * eps)

    def validation_score(self, y, z, s, losses=None) -> np.ndarray:
        # R^2 of the predictions, as scikit-learn's HuberRegressor.score
        z = np.asarray(z)
        errors = (y[:, None] - z) ** 2 if z.ndim == 2 else (y - z) ** 2
        mse = np.average(errors, axis=0, weights=s)
        spread = np.average((y - np.average(y, weights=s)) ** 2, weights=s)
        return 1.0 - mse / spread if spread > 0 else np.where(mse == 0, 1.0, 0.0)

    def value(self, y, z, s) -> float:
        return float(s @ self.sample_losses(y, z)) / y.shape[0]

    def raw_grad(self, y, z, s) -> np.ndarray:
        return -s * np.clip(self._t(y, z), -self.epsilon, self.epsilon) / y.shape[0]

    def curvature(self, y, z, s) -> np.ndarray:
        # The Newton model's weights: psi(t) / t = min(1, eps / |t|), Huber's IRLS weights, not the
        # generalized Hessian (0 on the linear parts).  The quadratic with these weights touches the loss
        # at t and lies above it everywhere, so each step descends; with zero weights the working
        # response -g / h of an outlier blows up and the inner solve loses every digit
        t = np.abs(self._t(y, z))
        weights = np.minimum(1.0, self.epsilon / np.maximum(t, self.epsilon))
        return s * weights / (self.scale * y.shape[0])

    def curvature_bound(self, y, s) -> np.ndarray:
        return s / (self.scale * s.shape[0])

    def dual_metric(self, theta, y, s) -> np.ndarray:
        # theta must stay in the box |theta_i| <= c eps: moving it by a multiple of its distance to the
        # box's nearer face keeps it inside (outliers, on the face, do not move)
        return np.maximum(s * self.epsilon / s.shape[0] - np.abs(theta), 0.0)

    def dual(self, theta, y, s) -> float:
        n = y.shape[0]
        c = s / n
        if np.any(np.abs(theta) > c * self.epsilon * (1 + 1e-12)):
            return -np.inf
        pos = c > 0
        return float(theta[pos] @ y[pos] - self.scale * np.sum(theta[pos] ** 2 / c[pos]) / 2.0)

    def null_model(self, y, s, fit_intercept):
        n = y.shape[0]
        if not fit_intercept:
            return 0.0, self.value(y, np.zeros(n), s)
        # Newton's method on the piecewise-quadratic loss from the weighted median (the minimizer when
        # every residual is an outlier); it ends in finitely many steps
        order = np.argsort(y)
        cumulative = np.cumsum(s[order])
        median = float(y[order][np.searchsorted(cumulative, 0.5 * cumulative[-1])])
        b = float(self.newton_fit(np.ones((n, 1)), y, s, np.array([median]))[0])
        return b, self.value(y, np.full(n, b), s)

    def fits_exactly(self, y, z) -> bool:
        return bool(np.max(np.abs(np.asarray(y) - z)) <= 16 * np.finfo(np.float64).eps * np.max(np.abs(y)))
