"""Multinomial (softmax) loss ``D(Z) = 1/n sum_i s_i [logsumexp(Z_i) - Z_i . Y_i]`` for K >= 2 classes.

The linear predictor has one column per class, ``Z = X W + 1 b^T`` of shape ``(n, K)``, and the internal
target ``Y`` is the one-hot encoding of the labels (``(n, K)``, float).  Every method below takes and
returns matrices of that shape: the datafit is for the solvers written for matrix coefficients
(:mod:`lpnet.solvers.multinomial`), not for the vector solvers of the other datafits.

Conjugate: with ``c_i = s_i / n``, ``f_i(z) = c_i (lse(z) - z . y_i)`` has
``f_i^*(u) = c_i sum_k a_k log a_k`` where ``a = y_i + u / c_i`` must lie on the probability simplex.
The dual term of a point ``theta`` (``-f_i^*(-theta_i)``) therefore uses ``a_i = Y_i - theta_i / c_i``;
at ``theta = -dD/dZ`` it is the model's probabilities, ``a_i = softmax(Z_i)``.
"""

from __future__ import annotations

import numpy as np
from scipy.special import xlogy
from sklearn.utils.multiclass import check_classification_targets

from .base import Datafit

#: a dual point's probabilities may leave the simplex by this much from rounding alone (clipped back)
SIMPLEX_SLACK = 1e-12


def log_sum_exp(Z: np.ndarray) -> np.ndarray:
    """``log sum_k exp(Z_ik)`` per row (over the last axis), without overflow."""
    top = np.max(Z, axis=-1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    return np.log(np.sum(np.exp(Z - top), axis=-1)) + top[..., 0]


def softmax(Z: np.ndarray) -> np.ndarray:
    """Row-wise (last axis) softmax, without overflow."""
    E = np.exp(Z - np.max(Z, axis=-1, keepdims=True))
    return E / np.sum(E, axis=-1, keepdims=True)


class Multinomial(Datafit):
    """Multinomial logistic loss over ``K`` classes (symmetric parametrization, as glmnet's).

    The model is invariant under adding one constant to all ``K`` intercepts, or ``x_j`` times one
    constant to all ``K`` coefficients of feature ``j``; the penalty picks the representative (see
    ``docs/conventions.md``, "Multinomial").
    """

    name = "multinomial"
    is_classifier = True
    loss_label = "log-loss"
    score_label = "acc."
    formula = "1/n sum_i s_i [log sum_k exp(z_ik) - z_i,y_i] with z_i = x_i W + b"
    # one coefficient per feature and class: a matrix ``(n_features, K)``, for the matrix solvers only
    is_multi_output = True

    # ----------------------------------------------------------------- the API layer
    def encode_target(self, y, sample_weight, who: str) -> tuple[np.ndarray | None, np.ndarray]:
        """Any labels as one-hot rows ``(n, K)`` in ``np.unique`` order; every class must keep some
        positive sample weight, and there must be at least two."""
        check_classification_targets(y)
        y = np.asarray(y)
        classes, codes = np.unique(y, return_inverse=True)
        if classes.shape[0] < 2:
            raise ValueError(
                f"{who} needs at least two classes but y has only one ({classes[:5].tolist()}); pass a target "
                "with two or more classes."
            )
        Y = np.zeros((codes.shape[0], classes.shape[0]))
        Y[np.arange(codes.shape[0]), codes.ravel()] = 1.0
        if sample_weight is not None:
            weight = np.asarray(sample_weight, dtype=np.float64) @ Y
            if np.any(weight <= 0):
                empty = classes[weight <= 0][:5].tolist()
                raise ValueError(
                    f"after sample weighting the classes {empty} have no positive weight (their intercepts "
                    "would be -inf); give every class some weight or drop its samples."
                )
        return classes, Y

    def prepare_target(self, y) -> np.ndarray:
        Y = np.asarray(y, dtype=np.float64)
        if Y.ndim != 2 or Y.shape[1] < 2:
            raise ValueError(
                f"the multinomial datafit expects one-hot labels of shape (n_samples, n_classes >= 2), got shape "
                f"{Y.shape}; estimators encode class labels this way (Multinomial().encode_target)."
            )
        if np.any(Y < 0) or not np.allclose(Y.sum(axis=1), 1.0, rtol=0, atol=1e-12):
            raise ValueError("the multinomial datafit expects rows of class probabilities (one-hot labels).")
        return Y

    def target_scale(self, y) -> np.ndarray:
        return np.max(np.abs(y), axis=-1)

    def predict(self, z) -> np.ndarray:
        """The class probabilities ``softmax(Z_i)``, columns in class order."""
        return softmax(np.asarray(z, dtype=np.float64))

    def sample_losses(self, y, z) -> np.ndarray:
        """``lse(Z_i) - Z_i . Y_i`` per sample; ``z`` ``(n, K)`` or ``(n, K, m)`` for ``m`` models (then
        ``y`` ``(n, K)`` is broadcast and the result is ``(n, m)``)."""
        z = np.asarray(z, dtype=np.float64)
        if z.ndim == 3:
            Zt = np.moveaxis(z, 1, 2)  # (n, m, K)
            return log_sum_exp(Zt) - np.einsum("imk,ik->im", Zt, y)
        return log_sum_exp(z) - np.sum(z * y, axis=-1)

    def validation_loss(self, y, z, s) -> np.ndarray | float:
        losses = self.sample_losses(y, z)
        return np.average(losses, axis=0, weights=s) if losses.ndim == 2 else float(np.average(losses, weights=s))

    def validation_score(self, y, z, s, losses=None) -> np.ndarray:
        """Accuracy of the most probable class (ties to the first)."""
        z = np.asarray(z)
        truth = np.argmax(y, axis=1)
        if z.ndim == 3:
            return np.average(np.argmax(z, axis=1) == truth[:, None], axis=0, weights=s)
        return np.average(np.argmax(z, axis=1) == truth, weights=s)

    # ----------------------------------------------------------------- what the solvers ask
    def value(self, y, z, s) -> float:
        return float(np.dot(s, self.sample_losses(y, z)) / y.shape[0])

    def raw_grad(self, y, z, s) -> np.ndarray:
        """``dD/dZ = c_i (softmax(Z_i) - Y_i)``, shape ``(n, K)``."""
        return (s / y.shape[0])[:, None] * (softmax(z) - y)

    def curvature(self, y, z, s) -> np.ndarray:
        """The diagonal of each sample's Hessian, ``c_i p_ik (1 - p_ik)``, shape ``(n, K)`` (the weights of
        a one-class Newton model, as glmnet cycles over the classes)."""
        P = softmax(z)
        return (s / y.shape[0])[:, None] * P * (1.0 - P)

    def curvature_bound(self, y, s) -> np.ndarray:
        """``c_i / 2`` per sample: each sample's Hessian ``c_i (diag(p_i) - p_i p_i^T)`` is at most
        ``c_i / 2 (I - 11^T / K)`` (Böhning, 1992), whose largest eigenvalue is ``c_i / 2``."""
        return s / (2.0 * s.shape[0])

    def dual(self, theta, y, s) -> float:
        """``-sum_i c_i sum_k a_ik log a_ik`` with ``a_i = Y_i - theta_i / c_i`` on the simplex, else -inf."""
        n = y.shape[0]
        pos = s > 0
        if np.any(theta[~pos] != 0):
            return -np.inf
        c = s[pos] / n
        a = y[pos] - theta[pos] / c[:, None]
        if np.any(a < -SIMPLEX_SLACK) or np.any(a > 1.0 + SIMPLEX_SLACK):
            return -np.inf
        if np.any(np.abs(a.sum(axis=1) - 1.0) > SIMPLEX_SLACK * a.shape[1]):
            return -np.inf
        a = np.clip(a, 0.0, 1.0)
        return float(-np.sum(c * np.sum(xlogy(a, a), axis=1)))

    def null_model(self, y, s, fit_intercept):
        """Intercepts ``log pi_k`` centred to sum to zero (``pi``: the weighted class frequencies) and
        ``D = -sum_k pi_k log pi_k``; without an intercept ``b = 0`` and ``D = log K``."""
        K = y.shape[1]
        if not fit_intercept:
            return np.zeros(K), float(np.log(K))
        pi = (s @ y) / y.shape[0]
        with np.errstate(divide="ignore"):
            log_pi = np.log(pi)
        finite = np.isfinite(log_pi)
        b = np.where(finite, log_pi - (log_pi[finite].mean() if finite.any() else 0.0), -np.inf)
        return b, float(-np.sum(xlogy(pi, pi)))

    def free_fit(self, A, y, s, n_fixed: int = 0) -> np.ndarray:
        raise NotImplementedError("the multinomial datafit's unpenalized fit is the matrix solver's (alpha = 0)")
