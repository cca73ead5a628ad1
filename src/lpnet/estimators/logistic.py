"""Penalized binary logistic regression."""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from ..datafits import Logistic
from ..penalties import penalty_names, penalty_parameters
from .base import LinearModelBase, named_penalty
from .linear import COMMON_PARAMS

_CLASSIFIER_ATTRIBUTES = {
    "coef_shape": "(1, n_features)",
    "intercept_type": "ndarray of shape (1,)",
    "n_iter_type": "ndarray of shape (1,)",
    "n_iter_doc": "Proximal Newton steps (as scikit-learn counts its solver's iterations).",
}
_CLASSIFIER_PARAMS = COMMON_PARAMS.format(
    extra_params="""
    random_state : int, RandomState instance or None, default=None
        Accepted for scikit-learn compatibility (lpnet's solvers are deterministic).""",
    **_CLASSIFIER_ATTRIBUTES,
)


def warn_unused_l1_ratio(model, penalty, n_features) -> None:
    """``l1_ratio`` means something only for the Elastic Net; scikit-learn warns when it is ignored."""
    if model.l1_ratio is not None and "l1_ratio" not in penalty.shape_parameters():
        takers = [name for name in penalty_names() if "l1_ratio" in penalty_parameters(name)]
        warnings.warn(
            f"l1_ratio is used only with penalty={' or '.join(map(repr, takers))}; it is ignored with "
            f"penalty={model.penalty!r}.",
            UserWarning,
            stacklevel=4,
        )


class ClassifierBase(ClassifierMixin, LinearModelBase):
    """Binary classification with any two labels; the larger (by ``np.unique`` order) is the positive one."""

    def decision_function(self, X):
        """Signed score ``X @ coef_ + intercept_``; positive means ``classes_[1]``."""
        return self._decision(X)

    def predict_proba(self, X):
        """Class probabilities, columns in the order of ``classes_``."""
        p = self._datafit().predict(self._decision(X))  # the inverse link: P(classes_[1])
        return np.column_stack([1.0 - p, p])

    def predict_log_proba(self, X):
        return np.log(self.predict_proba(X))

    def predict(self, X):
        """The predicted class labels."""
        check_is_fitted(self, "classes_")
        return self.classes_[(self._decision(X) > 0).astype(int)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags


class LogisticRegression(ClassifierBase):
    __doc__ = f"""Binary logistic regression with an L1, L2, Elastic Net or Lp penalty.

    Objective, with labels encoded as y_i in {{-1, +1}}::

        1/n sum_i s_i log(1 + exp(-y_i (x_i w + b))) + P(w)

    ``P`` is ``alpha * sum_j v_j |w_j|`` (``"l1"``), ``alpha/2 * sum_j v_j w_j^2`` (``"l2"``),
    ``alpha * sum_j v_j (l1_ratio |w_j| + (1 - l1_ratio)/2 w_j^2)`` (``"elasticnet"``) or
    ``alpha/p * sum_j v_j |w_j|^p`` (``"lp"``).  scikit-learn's ``LogisticRegression(C)`` is ``alpha = 1/(n C)``
    (``n``: the sum of the sample weights); glmnet's ``family="binomial"`` uses ``lambda = alpha`` for the
    Lasso (and ``lambda = alpha``, ``alpha = l1_ratio`` for the Elastic Net: glmnet standardizes no
    binomial response).  Solved by working-set proximal Newton.

    Parameters
    ----------
    penalty : str or Penalty, default="l2"
        Any name of :func:`lpnet.penalties.penalty_names` (``"l1"``, ``"l2"``, ``"elasticnet"``, ``"lp"``,
        ``"mcp"``, ``"scad"``, ...) or a :class:`~lpnet.penalties.Penalty` instance (then ``alpha``,
        ``l1_ratio`` and ``p`` are ignored).
    alpha : float, default=0.01
        Regularization strength, >= 0 (scikit-learn's default ``C=1`` is ``alpha = 1/n``).
    l1_ratio : float, default=None
        Elastic Net mixing in [0, 1], used with ``penalty="elasticnet"`` (None: 0.5); a warning says
        when it is given with another penalty.
    p : float, default=1.0
        Exponent, used with ``penalty="lp"``.
    {_CLASSIFIER_PARAMS}
    classes_ : ndarray of shape (2,)
        The two labels; ``classes_[1]`` is the positive class.
    """

    def __init__(
        self,
        penalty="l2",
        alpha=0.01,
        *,
        l1_ratio=None,
        p=1.0,
        fit_intercept=True,
        penalty_factor=None,
        tol=1e-6,
        max_iter=100,
        warm_start=False,
        solver="auto",
        random_state=None,
    ):
        self.penalty = penalty
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.p = p
        self.fit_intercept = fit_intercept
        self.penalty_factor = penalty_factor
        self.tol = tol
        self.max_iter = max_iter
        self.warm_start = warm_start
        self.solver = solver
        self.random_state = random_state

    _min_max_iter = 0

    def _datafit(self):
        return Logistic()

    def _penalty(self, weights):
        return named_penalty(self, weights)

    _warn_about_parameters = warn_unused_l1_ratio
