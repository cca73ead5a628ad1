"""Penalized logistic regression: binary (sigmoid) and multinomial (softmax, three or more classes)."""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data

from .._validation import InvalidParameterError, check_positive_int, check_tol
from ..datafits import Logistic, Multinomial
from ..datafits.multinomial import softmax
from ..fit_data import prepare_fit, reject_non_numeric_columns
from ..penalties import L1, L2, L21, ElasticNet, Penalty, penalty_names, penalty_parameters
from ..solvers.multinomial import certify_multinomial, solve_multinomial
from .base import LinearModelBase, model_penalty, named_penalty
from .linear import COMMON_PARAMS

#: the two penalty structures of a multinomial model (glmnet's ``type.multinomial``)
MULTINOMIAL_STRUCTURES = ("ungrouped", "grouped")

_CLASSIFIER_ATTRIBUTES = {
    "coef_shape": "(1, n_features) (binary) or (n_classes, n_features) (multinomial)",
    "intercept_type": "ndarray of shape (1,) (binary) or (n_classes,) (multinomial)",
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


def is_multinomial_model(model) -> bool:
    """Whether a fitted classifier holds one row of coefficients per class (a multinomial model)."""
    return np.ndim(model.coef_) == 2 and model.coef_.shape[0] > 1


def multinomial_decision(model, X) -> np.ndarray:
    """``X @ coef_.T + intercept_``, shape ``(n_samples, n_classes)``."""
    reject_non_numeric_columns(X)
    X = validate_data(model, X, accept_sparse=("csr", "csc"), dtype=(np.float64, np.float32), reset=False)
    return np.asarray(X @ model.coef_.T) + model.intercept_


def multinomial_penalty(penalty: Penalty, structure: str) -> Penalty | L21:
    """The penalty of a multinomial model: ``penalty`` itself on every coefficient (``"ungrouped"``), or for
    ``"grouped"`` the row penalty :class:`~lpnet.penalties.L21` with the same strength and factors (the K
    coefficients of a feature as one group), which exists for L1, Elastic Net and L2 only."""
    if structure not in MULTINOMIAL_STRUCTURES:
        raise InvalidParameterError(f"multinomial must be one of {MULTINOMIAL_STRUCTURES}, got {structure!r}.")
    if structure == "ungrouped":
        return penalty
    ratios = {L1: 1.0, L2: 0.0, ElasticNet: getattr(penalty, "l1_ratio", None)}
    if type(penalty) not in ratios:
        raise ValueError(
            f"multinomial='grouped' takes penalty 'l1', 'elasticnet' or 'l2' (a group norm per feature), got "
            f"{penalty.label}; use multinomial='ungrouped' for it."
        )
    return L21(penalty.alpha, ratios[type(penalty)], weights=penalty.weights)


def fit_multinomial(model, X, y, sample_weight, structure: str) -> None:
    """The multinomial fit of a classifier (``coef_`` of shape (n_classes, n_features)), certified.

    Sets the same fitted attributes as a binary fit; ``solver`` must be ``"auto"`` (the multinomial solver
    is the only one for matrix coefficients).
    """
    tol = check_tol(model.tol)
    max_iter = check_positive_int(model.max_iter, "max_iter", minimum=model._min_max_iter)
    solver = getattr(model, "solver", "auto")
    if solver != "auto":
        raise InvalidParameterError(
            f"solver={solver!r} fits binary models only; a target with three or more classes (or "
            "datafit='multinomial') is fitted by the multinomial solver: pass solver='auto'."
        )
    data = prepare_fit(X, y, Multinomial(), sample_weight, estimator=model, who=type(model).__name__)
    X, Y, s = data.X, data.y, data.sample_weight
    scalar = model_penalty(model, X.shape[1])  # (the multinomial solver refuses a box)
    model._warn_about_parameters(scalar, X.shape[1])
    penalty = multinomial_penalty(scalar, structure)
    W0 = b0 = None
    coef = getattr(model, "coef_", None) if model.warm_start else None
    if coef is not None and np.shape(coef) == (Y.shape[1], X.shape[1]):
        W0 = np.asarray(coef, dtype=np.float64).T
        b0 = np.asarray(model.intercept_, dtype=np.float64) if model.fit_intercept else None
    options = dict(sample_weight=s, fit_intercept=model.fit_intercept, tol=tol)
    res = solve_multinomial(X, Y, penalty, max_iter=max_iter, W0=W0, b0=b0, **options)  # type: ignore[arg-type]
    if X.dtype != np.float64:
        # the coefficients are returned in the input's dtype: certify them as returned
        rounded = certify_multinomial(
            X,
            Y,
            penalty,
            res.coef.astype(X.dtype),
            res.intercept.astype(X.dtype),
            **options,  # type: ignore[union-attr]
        )
        if res.converged and not rounded.converged:
            warnings.warn(
                f"the fit converged, but its coefficients rounded to {X.dtype} do not: duality gap "
                f"{rounded.dual_gap}; pass float64 data for a certified fit.",
                ConvergenceWarning,
                stacklevel=4,
            )
        rounded.n_iter, rounded.n_outer, rounded.coef_error_bound = res.n_iter, res.n_outer, res.coef_error_bound
        rounded.solver = res.solver
        res = rounded
    model.classes_ = data.classes
    model.coef_ = np.ascontiguousarray(res.coef.T, dtype=X.dtype)
    model.intercept_ = np.asarray(res.intercept, dtype=X.dtype)
    model.n_iter_ = np.array([int(res.n_iter)], dtype=np.int32)
    model.n_outer_iter_ = int(res.n_outer)
    model.objective_ = float(res.objective)
    model.dual_gap_ = None if res.dual_gap is None else float(res.dual_gap)
    model.optimality_violation_ = None if res.optimality_violation is None else float(res.optimality_violation)
    model.coef_error_bound_ = res.coef_error_bound
    model.converged_ = bool(res.converged)
    model.solver_ = res.solver


def is_multiclass_target(y) -> bool:
    """Whether ``y`` holds three or more class labels (an invalid target is left to the binary fit's checks)."""
    try:
        return type_of_target(y) == "multiclass"
    except (TypeError, ValueError):
        return False


class ClassifierBase(ClassifierMixin, LinearModelBase):
    """Classification with any labels: binary (one row of coefficients, ``classes_[1]`` by ``np.unique``
    order the positive class) or multinomial (one row per class)."""

    def decision_function(self, X):
        """Binary: the signed score ``X @ coef_ + intercept_`` (positive means ``classes_[1]``), shape
        (n_samples,); multinomial: one score per class, shape (n_samples, n_classes).

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        ndarray
            The scores.
        """
        check_is_fitted(self, "coef_")
        return multinomial_decision(self, X) if is_multinomial_model(self) else self._decision(X)

    def predict_proba(self, X):
        """Class probabilities, columns in the order of ``classes_`` (sigmoid, or softmax for a multinomial
        model).

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            The probabilities.
        """
        check_is_fitted(self, "coef_")
        if is_multinomial_model(self):
            return softmax(multinomial_decision(self, X))
        p = self._datafit().predict(self._decision(X))  # the inverse link: P(classes_[1])
        return np.column_stack([1.0 - p, p])

    def predict_log_proba(self, X):
        """The logarithms of :meth:`predict_proba`.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            The log-probabilities.
        """
        return np.log(self.predict_proba(X))

    def predict(self, X):
        """The predicted class labels.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        ndarray of shape (n_samples,)
            The labels, from ``classes_``.
        """
        check_is_fitted(self, "classes_")
        if is_multinomial_model(self):
            return self.classes_[np.argmax(multinomial_decision(self, X), axis=1)]
        return self.classes_[(self._decision(X) > 0).astype(int)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags


class LogisticRegression(ClassifierBase):
    __doc__ = f"""Logistic regression, binary or multinomial, with any penalty of :mod:`lpnet.penalties`.

    Objective with two classes, labels encoded as y_i in {{-1, +1}}::

        1/n sum_i s_i log(1 + exp(-y_i (x_i w + b))) + P(w)

    With three or more classes, the multinomial (softmax) model, ``Y`` the one-hot labels and
    ``z_i = x_i W + b`` one score per class::

        1/n sum_i s_i [log sum_k exp(z_ik) - z_i . Y_i] + P(W)

    where ``P`` acts on every coefficient ``W_jk`` with the feature's factor ``v_j`` (``multinomial=
    "ungrouped"``), or, for ``multinomial="grouped"`` (L1, Elastic Net and L2 only), on each feature's K
    coefficients as one group, ``alpha sum_j v_j (l1_ratio ||W_j||_2 + (1 - l1_ratio)/2 ||W_j||_2^2)``, so a
    feature is kept or dropped for all classes (glmnet's ``type.multinomial``).  The model is symmetric, as
    glmnet's: the intercepts sum to zero, and the penalty picks the representative of each feature's
    coefficients (for L2, they sum to zero over the classes, as scikit-learn's).  Solved by a working-set
    block proximal Newton method (:mod:`lpnet.solvers.multinomial`), certified by a duality gap.

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
    multinomial : {{"ungrouped", "grouped"}}, default="ungrouped"
        How the penalty acts on a multinomial model's coefficients (three or more classes); ignored with
        two classes.
    {_CLASSIFIER_PARAMS}
    classes_ : ndarray of shape (n_classes,)
        The labels in ``np.unique`` order; with two, ``classes_[1]`` is the positive class.
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
        lower_bounds=None,
        upper_bounds=None,
        positive=False,
        tol=1e-6,
        max_iter=100,
        warm_start=False,
        solver="auto",
        random_state=None,
        multinomial="ungrouped",
    ):
        self.penalty = penalty
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.p = p
        self.fit_intercept = fit_intercept
        self.penalty_factor = penalty_factor
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.positive = positive
        self.tol = tol
        self.max_iter = max_iter
        self.warm_start = warm_start
        self.solver = solver
        self.random_state = random_state
        self.multinomial = multinomial

    _min_max_iter = 0

    def _fit(self, X, y, sample_weight) -> None:
        if self.multinomial not in MULTINOMIAL_STRUCTURES:
            raise InvalidParameterError(
                f"multinomial must be one of {MULTINOMIAL_STRUCTURES}, got {self.multinomial!r}."
            )
        if is_multiclass_target(y):
            fit_multinomial(self, X, y, sample_weight, self.multinomial)
        else:
            super()._fit(X, y, sample_weight)

    def _datafit(self):
        return Logistic()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = True
        return tags

    def _penalty(self, weights):
        return named_penalty(self, weights)

    _warn_about_parameters = warn_unused_l1_ratio
