"""Multi-task squared loss ``D(W, b) = 1/(2n) sum_i s_i ||Y_i - x_i W - b||_2^2``.

``Y`` has one column per task, ``W`` one row per feature and one column per task, ``b`` one intercept per
task: the sum of the tasks' squared losses, scaled as scikit-learn's ``MultiTaskLasso``.  Its linear
predictor ``Z = X W + b`` is a matrix, so only the solvers written for matrix coefficients
(:mod:`lpnet.solvers.multitask`) take it (``is_multi_output``); the scalar solvers refuse it.
"""

from __future__ import annotations

import numpy as np

from .base import Datafit


class MultiTaskQuadratic(Datafit):
    """Sum over the tasks of the squared loss: ``1/(2n) sum_i s_i ||Y_i - Z_i||_2^2`` with ``Z = X W + b``.

    Every method takes the target ``Y`` and the predictor ``Z`` as matrices of shape ``(n_samples,
    n_tasks)``; ``s`` holds one weight per sample (shared by its tasks).
    """

    name = "multitask"
    loss_label = "MSE"
    target_is_matrix = True
    is_multi_output = True
    dual_metric_is_weights = True
    dual_shift_invariant = True

    def dual_metric(self, theta, y, s) -> np.ndarray:
        return s

    def target_scale(self, y) -> np.ndarray:
        return np.max(np.abs(y), axis=1)

    def prepare_target(self, y) -> np.ndarray:
        y = np.asarray(y, dtype=np.float64)
        if y.ndim != 2:
            raise ValueError(f"the multitask datafit needs a 2-D target (n_samples, n_tasks), got shape {y.shape}.")
        return y

    def encode_target(self, y, sample_weight, who: str) -> tuple[np.ndarray | None, np.ndarray]:
        y = np.asarray(y, dtype=np.float64)
        if y.ndim != 2:
            raise ValueError(
                f"{who} expects a 2-D target of shape (n_samples, n_tasks), got shape {y.shape}; "
                "for one target use Lasso or ElasticNet."
            )
        return None, y

    def value(self, y, z, s) -> float:
        r = y - z
        return float(0.5 * np.dot(s, np.sum(r * r, axis=1)) / y.shape[0])

    def raw_grad(self, y, z, s) -> np.ndarray:
        return -s[:, None] * (y - z) / y.shape[0]

    def curvature(self, y, z, s) -> np.ndarray:
        # the same for every task: the Hessian in the predictor's row i is (s_i / n) times the identity
        return s / y.shape[0]

    def curvature_bound(self, y, s) -> np.ndarray:
        return s / s.shape[0]

    def dual(self, theta, y, s) -> float:
        # f_i(Z_i) = s_i/(2n) ||Y_i - Z_i||^2 has f_i^*(U) = U.Y_i + n ||U||^2 / (2 s_i)
        n = y.shape[0]
        pos = s > 0
        if np.any(theta[~pos] != 0):
            return -np.inf
        return float(np.sum(theta * y) - 0.5 * n * np.sum(np.sum(theta[pos] ** 2, axis=1) / s[pos]))

    def null_model(self, y, s, fit_intercept):
        """``(b, D)``: ``b`` the weighted column means of ``Y`` (one intercept per task; zeros without an
        intercept) and ``D`` the loss there."""
        n = y.shape[0]
        b = (s @ y) / float(s.sum()) if fit_intercept and s.sum() > 0 else np.zeros(y.shape[1])
        r = y - b
        return b, float(0.5 * np.dot(s, np.sum(r * r, axis=1)) / n)

    def sample_losses(self, y, z) -> np.ndarray:
        """Per sample (and per model, for a 3-D ``z``), the squared error summed over the tasks."""
        if np.ndim(z) == 3:
            return np.sum((y[:, :, None] - z) ** 2, axis=1)
        return np.sum((y - z) ** 2, axis=1)

    def validation_loss(self, y, z, s) -> np.ndarray | float:
        """Weighted mean over held-out samples of the squared error averaged over the tasks (scikit-learn's
        ``mean_squared_error`` of a multi-output target); ``z`` of shape ``(n, n_tasks, n_models)`` gives one
        loss per model."""
        losses = self.sample_losses(y, z) / y.shape[1]
        return np.average(losses, axis=0, weights=s) if np.ndim(z) == 3 else float(np.average(losses, weights=s))

    def validation_score(self, y, z, s, losses=None) -> np.ndarray:
        # scikit-learn's R^2 of a multi-output regressor: the tasks' R^2 averaged uniformly
        zz = z if np.ndim(z) == 3 else z[:, :, None]
        mean = np.average(y, axis=0, weights=s)
        spread = np.average((y - mean) ** 2, axis=0, weights=s)
        err = np.average((y[:, :, None] - zz) ** 2, axis=0, weights=s)
        safe = np.where(spread > 0, spread, 1.0)[:, None]
        r2 = np.where(spread[:, None] > 0, 1.0 - err / safe, np.where(err == 0, 1.0, 0.0))
        out = r2.mean(axis=0)
        return out if np.ndim(z) == 3 else out[0]

    def fits_exactly(self, y, z) -> bool:
        return bool(np.max(np.abs(y - z)) <= 16 * np.finfo(np.float64).eps * np.max(np.abs(y)))
