"""Logistic loss ``D = 1/n sum_i s_i log(1 + exp(-y_i z_i))`` with ``y_i`` in {-1, +1}."""

from __future__ import annotations

import numpy as np
from scipy.special import expit, xlogy
from sklearn.utils.multiclass import check_classification_targets

from .base import Datafit


class Logistic(Datafit):
    """Binary logistic loss; labels are encoded as -1 / +1 by the estimator before fitting."""

    name = "logistic"
    is_classifier = True
    loss_label = "log-loss"
    score_label = "acc."
    formula = "1/n sum_i log(1 + exp(-y_i (x_i w + b))) with y_i = -1 or +1"

    def encode_target(self, y, sample_weight, who: str) -> tuple[np.ndarray | None, np.ndarray]:
        """Any two labels as -1 / +1; ``classes[1]`` (``np.unique`` order) is +1.  Both classes must keep
        some positive sample weight."""
        check_classification_targets(y)
        classes = np.unique(y)
        if classes.shape[0] > 2:
            raise ValueError(
                f"Only binary classification is supported. The type of the target is multiclass "
                f"({classes.shape[0]} classes); {who} needs exactly two classes: fit one model per class "
                "(e.g. sklearn's OneVsRestClassifier)."
            )
        if classes.shape[0] != 2:
            raise ValueError(
                f"{who} is a binary classifier but y has only one class ({classes[:5].tolist()}); "
                "pass a target with exactly two classes."
            )
        encoded = np.where(y == classes[1], 1.0, -1.0)
        if sample_weight is not None and (
            sample_weight[encoded > 0].sum() <= 0 or sample_weight[encoded < 0].sum() <= 0
        ):
            raise ValueError(
                "after sample weighting only one class has positive weight; give both classes some weight."
            )
        return classes, encoded

    def predict(self, z) -> np.ndarray:
        """The probability of the positive class."""
        return expit(z)

    def sample_losses(self, y, z) -> np.ndarray:
        return np.logaddexp(0.0, -y * z)

    def validation_score(self, y, z, s, losses=None) -> np.ndarray:
        # accuracy of the sign of the linear predictor
        hits = (np.asarray(z) > 0) == (y[:, None] > 0 if np.ndim(z) == 2 else y > 0)
        return np.average(hits, axis=0, weights=s)

    def prepare_target(self, y) -> np.ndarray:
        y = np.asarray(y, dtype=np.float64)
        if not np.all(np.abs(y) == 1.0):
            raise ValueError("the logistic datafit expects labels encoded as -1 and +1.")
        return y

    def dual_metric(self, theta, y, s) -> np.ndarray:
        # a_i = theta_i y_i n / s_i must stay in [0, 1]; a metric proportional to a (1 - a) moves each
        # a_i by a (1 - a) times a small factor, which keeps it inside (it is also the Newton curvature)
        a = np.divide(np.abs(theta) * theta.shape[0], s, out=np.zeros_like(theta), where=s > 0)
        a = np.clip(a, 0.0, 1.0)
        return s * a * (1.0 - a)

    def value(self, y, z, s) -> float:
        return float(np.dot(s, np.logaddexp(0.0, -y * z)) / y.shape[0])

    def raw_grad(self, y, z, s) -> np.ndarray:
        return -s * y * expit(-y * z) / y.shape[0]

    def curvature(self, y, z, s) -> np.ndarray:
        p = expit(z)
        return s * p * (1.0 - p) / y.shape[0]

    def curvature_bound(self, y, s) -> np.ndarray:
        return s / (4.0 * s.shape[0])

    def dual(self, theta, y, s) -> float:
        # f_i(z) = c log(1 + exp(-y_i z)) with c = s_i/n has f_i^*(u) = c (a log a + (1-a) log(1-a))
        # where a = -u y_i / c must lie in [0, 1]; with u = -theta_i, a = theta_i y_i / c.
        n = y.shape[0]
        pos = s > 0
        if np.any(theta[~pos] != 0):
            return -np.inf
        c = s[pos] / n
        a = theta[pos] * y[pos] / c
        if np.any(a < 0) or np.any(a > 1):
            return -np.inf
        return float(-np.sum(c * (xlogy(a, a) + xlogy(1.0 - a, 1.0 - a))))

    def null_model(self, y, s, fit_intercept):
        if not fit_intercept:
            return 0.0, float(np.log(2.0))
        frac = float(np.dot(s, y > 0) / y.shape[0])
        b = float(np.log(frac / (1.0 - frac)))
        return b, float(-(xlogy(frac, frac) + xlogy(1.0 - frac, 1.0 - frac)))
