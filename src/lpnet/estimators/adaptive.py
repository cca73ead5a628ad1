"""The adaptive Lasso (Zou 2006): an L1 fit whose penalty factors come from an initial fit.

With initial coefficients ``w0``, the factors are ``v_j = 1 / |w0_j|^gamma`` and the model minimizes::

    D(w, b) + alpha * sum_j v_j |w_j|

Features with a large initial coefficient are penalized little, those with a small one much: under
conditions on the design the adaptive Lasso selects the true support where the Lasso over-selects (the
oracle property).  A zero initial coefficient would get an infinite factor: that feature is *excluded*
(its coefficient is fixed at 0 and its column left out of the fit), as glmnet treats an infinite
``penalty.factor``.  The factors are not rescaled: glmnet rescales its ``penalty.factor`` to sum to the
number of features (an excluded feature counted as 1), so glmnet's ``lambda`` is ``alpha * sum(v) / p``
with that sum.
"""

from __future__ import annotations

import numbers

import numpy as np
import scipy.sparse as sp
from sklearn.base import RegressorMixin, clone

from .._validation import InvalidParameterError, check_positive_int, check_tol
from ..datafits import Logistic, Quadratic
from ..fit_data import column_means, prepare_fit
from .base import LinearModelBase, model_bounds, staged_fit
from .linear import Lasso, Ridge
from .logistic import ClassifierBase, LogisticRegression, is_multiclass_target

#: the light ridge of ``initial="ridge"`` (least squares), relative to the features' mean variance
RIDGE_SCALE = 1e-3


def check_adaptive_gamma(gamma) -> float:
    """The exponent of the adaptive factors: a finite number > 0."""
    if isinstance(gamma, bool) or not isinstance(gamma, numbers.Real) or not 0.0 < float(gamma) < np.inf:
        raise InvalidParameterError(
            f"gamma must be a finite number > 0 (the factors are 1/|w0_j|^gamma; Zou's usual choices are 0.5, 1 "
            f"and 2), got {gamma!r}."
        )
    return float(gamma)


def adaptive_factors(initial_coef, gamma: float) -> tuple[np.ndarray, np.ndarray]:
    """``(factors, included)``: ``v_j = 1/|w0_j|^gamma`` (``inf`` where excluded) and the mask of the
    features kept (a nonzero initial coefficient with a finite factor)."""
    w0 = np.abs(np.asarray(initial_coef, dtype=np.float64).ravel())
    with np.errstate(divide="ignore", over="ignore"):
        factors = np.where(w0 > 0, w0 ** (-gamma), np.inf)
    included = np.isfinite(factors)
    factors[~included] = np.inf  # (a tiny coefficient whose factor overflows is excluded as a zero one)
    return factors, included


def ridge_alpha(X, sample_weight, fit_intercept: bool) -> float:
    """``initial="ridge"``'s strength for least squares: :data:`RIDGE_SCALE` times the features' mean
    (weighted, centred with an intercept) variance, so the ridge is light beside the data's scale."""
    h = sample_weight / X.shape[0]
    squares = np.asarray(X.multiply(X).T @ h if sp.issparse(X) else (np.asarray(X) ** 2).T @ h).ravel()
    if fit_intercept:
        squares = squares - column_means(X, h) ** 2
    return RIDGE_SCALE * float(np.mean(np.maximum(squares, 0.0)))


def kept_box(model, included) -> dict:
    """The box of ``model`` (``lower_bounds`` / ``upper_bounds`` / ``positive``) on the kept features, as keyword
    arguments of the weighted L1 model (``{}`` without a box).  An excluded feature is fixed at 0, which its
    box must allow."""
    box = model_bounds(model, included.shape[0])
    if box is None:
        return {}
    lower, upper = (np.broadcast_to(np.asarray(b, dtype=np.float64), included.shape) for b in box)
    stuck = np.flatnonzero(~included & ((lower > 0) | (upper < 0)))
    if stuck.size:
        raise ValueError(
            f"features {stuck.tolist()} have a zero initial coefficient, so {type(model).__name__} excludes them "
            "(coefficient fixed at 0), but their lower_bounds / upper_bounds exclude 0. Widen their bounds to "
            "contain 0, or pass an initial estimator (or initial coefficients) that keeps them."
        )
    return {"lower_bounds": lower[included].copy(), "upper_bounds": upper[included].copy()}


class AdaptiveFit(LinearModelBase):
    """Shared fit of the adaptive models: the initial fit, the factors, the L1 fit on the kept columns."""

    _initial_choices: tuple[str, ...] = ("ridge",)

    def _initial_model(self, kind: str, X, s, total_weight: float):  # pragma: no cover - overridden
        raise NotImplementedError

    def _final_model(self, factors, box):  # pragma: no cover - overridden
        raise NotImplementedError

    def fit(self, X, y, sample_weight=None):
        """Fit the initial model, then the weighted L1 model on the features it keeps.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), optional
            Used by both fits (rescaled to sum to ``n_samples`` for lpnet's).

        Returns
        -------
        self
            If the fit raises, the estimator keeps its previous fitted state.
        """
        return staged_fit(self, X, y, sample_weight)

    def _fit(self, X, y, sample_weight, offset=None) -> None:
        gamma = check_adaptive_gamma(self.gamma)
        check_tol(self.tol)
        check_positive_int(self.max_iter, "max_iter")
        X, y, s = self.prepare_data(X, y, sample_weight, self)
        initial, w0 = self.initial_coefficients(X, y, s, sample_weight)
        factors, included = adaptive_factors(w0, gamma)
        if not included.any():
            raise ValueError(
                f"every initial coefficient of {type(self).__name__} is zero: every feature would be excluded. "
                "Pass a less penalized initial estimator (e.g. initial='ridge')."
            )
        # the initial fit stays unbounded: it only supplies the factors, and a box there would put
        # coefficients exactly on a bound of 0 and so exclude features before the weighted fit decides
        model = self._final_model(factors[included], kept_box(self, included))
        model.fit(X[:, np.flatnonzero(included)], y, sample_weight=s)
        coef = np.zeros(X.shape[1], dtype=X.dtype)
        coef[included] = np.ravel(model.coef_)
        self._store_coefficients(coef, float(np.ravel(model.intercept_)[0]), int(np.ravel(model.n_iter_)[0]), X.dtype)
        self.initial_estimator_ = initial
        self.initial_coef_ = w0
        self.penalty_factor_ = factors
        self.excluded_ = ~included
        self.estimator_ = model
        for name in (
            "n_outer_iter_",
            "objective_",
            "dual_gap_",
            "optimality_violation_",
            "coef_error_bound_",
            "converged_",
            "solver_",
        ):
            setattr(self, name, getattr(model, name))

    def prepare_data(self, X, y, sample_weight, owner):
        """``(X, y, s)`` validated for this model's datafit (``y`` in its encoding, ``s`` summing to
        ``n_samples``); ``owner`` (this model or a cross-validated one) records ``n_features_in_``,
        ``feature_names_in_`` and, for a classifier, ``classes_``.

        Parameters
        ----------
        X, y, sample_weight
            The data, as given to ``fit``.
        owner : estimator
            The estimator that records the fitted input attributes.

        Returns
        -------
        X, y, s
            The validated data and the rescaled sample weights.
        """
        if self._is_classifier() and is_multiclass_target(y):
            raise ValueError(
                f"Only binary classification is supported by {type(owner).__name__}; the target has more "
                "classes. Fit one model per class (one-vs-rest), or use LogisticRegression for a multinomial model."
            )
        data = prepare_fit(X, y, self._datafit(), sample_weight, estimator=owner, who=type(owner).__name__)
        if data.classes is not None:
            owner.classes_ = data.classes
        return data.X, data.y, data.sample_weight

    def initial_coefficients(self, X, y, s, sample_weight=None):
        """``(initial estimator or None, w0)``: the fitted initial model and its coefficients.

        ``X`` and ``y`` are validated (``y`` in the datafit's encoding), ``s`` the sample weights rescaled to
        sum to ``n_samples``; a user's estimator gets those (the user's weights rescaled), and none when
        ``sample_weight`` is None, so estimators without weights work.

        Parameters
        ----------
        X, y : array-like
            The validated data.
        s : ndarray of shape (n_samples,)
            The sample weights, rescaled to sum to ``n_samples``.
        sample_weight : array-like of shape (n_samples,), optional
            The user's weights (None: the initial estimator gets none).

        Returns
        -------
        estimator or None, ndarray of shape (n_features,)
            The initial model and its coefficients.
        """
        initial = self.initial
        weights = {} if sample_weight is None else {"sample_weight": s}
        if isinstance(initial, str):
            if initial not in self._initial_choices:
                raise InvalidParameterError(
                    f"initial must be one of {self._initial_choices}, an estimator with coef_ after fit, or an "
                    f"array of n_features initial coefficients; got {initial!r}."
                )
            total = X.shape[0] if sample_weight is None else float(np.asarray(sample_weight, dtype=np.float64).sum())
            model, weights = self._initial_model(initial, X, s, total), {"sample_weight": s}
        elif hasattr(initial, "fit"):
            model = clone(initial)
        else:
            w0 = np.asarray(initial, dtype=np.float64).ravel()
            if w0.shape != (X.shape[1],) or not np.isfinite(w0).all():
                raise ValueError(
                    f"initial coefficients must be {X.shape[1]} finite numbers (one per feature), got shape "
                    f"{np.shape(initial)}; pass initial='ridge' to fit them."
                )
            return None, w0
        try:
            model.fit(X, y, **weights)
        except Exception as exc:  # any failure of a user's estimator is reported with the way out
            raise ValueError(
                f"the initial fit of {type(self).__name__} ({type(model).__name__}) failed: {exc} Pass "
                "initial='ridge', or an initial estimator that fits these data."
            ) from exc
        w0 = np.asarray(getattr(model, "coef_", np.empty(0)), dtype=np.float64).ravel()
        if w0.shape != (X.shape[1],) or not np.isfinite(w0).all():
            raise ValueError(
                f"the initial estimator {type(model).__name__} gave no usable coef_ (expected {X.shape[1]} finite "
                "coefficients of a linear model); pass initial='ridge' or a linear estimator."
            )
        return model, w0


_ADAPTIVE_DOC = """
    Parameters
    ----------
    alpha : float, default={alpha}
        Strength of the weighted L1 penalty, >= 0.
    gamma : float, default=1.0
        Exponent of the factors ``1/|w0_j|^gamma``, > 0.
    initial : {initial_choices}, an estimator, or array-like of shape (n_features,), default="ridge"
        Where ``w0`` comes from. {initial_doc}  An estimator is cloned and fitted on the same data (and
        sample weights); its ``coef_`` is used.  An array is taken as ``w0`` itself.
    fit_intercept : bool, default=True
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), default=None
        Box constraints ``lower_j <= w_j <= upper_j`` on the weighted L1 fit (``-inf`` / ``inf`` allowed,
        None: open), as in :class:`Lasso`.  An excluded feature is fixed at 0, so its box must contain 0 (a
        ValueError says which features do not).  The initial fit is unbounded: it only supplies the
        factors (pass a bounded estimator as ``initial`` to bound it too).
    positive : bool, default=False
        Coefficients >= 0: the shortcut for ``lower_bounds=0``.
    tol : float, default=1e-6
        Certificate tolerance of the L1 fit (duality gap relative to the intercept-only objective), and of
        the initial fit of a named ``initial``.
    max_iter : int, default=100

    Attributes
    ----------
    coef_ : ndarray of shape {coef_shape}
        0.0 for the excluded features.
    intercept_ : {intercept_type}
    penalty_factor_ : ndarray of shape (n_features,)
        The factors ``v_j`` used, not rescaled; ``inf`` for the excluded features.
    excluded_ : ndarray of bool of shape (n_features,)
        Features whose initial coefficient is 0 (or so small that its factor overflows): coefficient 0.
    initial_coef_ : ndarray of shape (n_features,)
    initial_estimator_ : the fitted initial model (None when ``initial`` is an array)
    estimator_ : the weighted L1 model fitted on the kept columns only
    dual_gap_, optimality_violation_, objective_, coef_error_bound_, converged_, n_iter_, n_outer_iter_,
    solver_ : those of
        ``estimator_``: the certificate of the weighted problem on the kept columns
    n_features_in_, feature_names_in_
"""


class AdaptiveLasso(RegressorMixin, AdaptiveFit):
    __doc__ = f"""The adaptive Lasso (Zou 2006) for least squares.

    Objective, over the kept features (``w0_j != 0``; the others are fixed at 0)::

        1/(2n) sum_i s_i (y_i - x_i w - b)^2 + alpha * sum_j |w_j| / |w0_j|^gamma

    i.e. :class:`Lasso` with ``penalty_factor = 1/|w0|^gamma``.  Excluding a feature with ``w0_j = 0`` is the
    limit of an infinite factor.  See :class:`~lpnet.model_selection.AdaptiveLassoCV` for ``alpha`` chosen
    by cross-validation.
    {
        _ADAPTIVE_DOC.format(
            alpha="1.0",
            initial_choices='{"ridge", "ols"}',
            initial_doc="``'ridge'``: :class:`Ridge` at a light strength, 1e-3 times the features' mean "
            "variance (centred with an intercept, weighted) -- defined also when there are more features than "
            "samples; pass ``initial=RidgeCV()`` for a cross-validated one.  ``'ols'``: least squares "
            "(:class:`Ridge` with ``alpha=0``), which needs more samples than features.",
            coef_shape="(n_features,)",
            intercept_type="float",
        )
    }"""

    _initial_choices = ("ridge", "ols")

    def __init__(
        self,
        alpha=1.0,
        gamma=1.0,
        *,
        initial="ridge",
        fit_intercept=True,
        lower_bounds=None,
        upper_bounds=None,
        positive=False,
        tol=1e-6,
        max_iter=100,
    ):
        self.alpha = alpha
        self.gamma = gamma
        self.initial = initial
        self.fit_intercept = fit_intercept
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.positive = positive
        self.tol = tol
        self.max_iter = max_iter

    def _datafit(self):
        return Quadratic()

    def _initial_model(self, kind, X, s, total_weight):
        if kind == "ols":
            if X.shape[0] <= X.shape[1] + int(self.fit_intercept):
                raise ValueError(
                    f"initial='ols' needs more samples than coefficients (n_samples={X.shape[0]}, "
                    f"n_features={X.shape[1]}): least squares is not unique. Pass initial='ridge'."
                )
            return Ridge(0.0, fit_intercept=self.fit_intercept, tol=self.tol)
        return Ridge(ridge_alpha(X, s, self.fit_intercept), fit_intercept=self.fit_intercept, tol=self.tol)

    def _final_model(self, factors, box):
        return Lasso(
            self.alpha,
            fit_intercept=self.fit_intercept,
            penalty_factor=factors,
            tol=self.tol,
            max_iter=self.max_iter,
            **box,
        )

    def predict(self, X):
        """Predicted values ``X @ coef_ + intercept_``.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        ndarray of shape (n_samples,)
            The predictions.
        """
        return self._decision(X)


class AdaptiveLogisticRegression(AdaptiveFit, ClassifierBase):
    __doc__ = f"""The adaptive L1 logistic regression (two classes).

    Objective, labels encoded as y_i in {{-1, +1}}, over the kept features (``w0_j != 0``)::

        1/n sum_i s_i log(1 + exp(-y_i (x_i w + b))) + alpha * sum_j |w_j| / |w0_j|^gamma

    i.e. :class:`LogisticRegression` with ``penalty="l1"`` and ``penalty_factor = 1/|w0|^gamma``.
    {
        _ADAPTIVE_DOC.format(
            alpha="0.01",
            initial_choices='{"ridge"}',
            initial_doc="``'ridge'``: L2 :class:`LogisticRegression` at ``alpha = 1/n`` (``n``: the sum of the "
            "sample weights; scikit-learn's default ``C=1``), finite also when the classes are separable.",
            coef_shape="(1, n_features)",
            intercept_type="ndarray of shape (1,)",
        )
    }
    classes_ : ndarray of shape (2,)
    """

    def __init__(
        self,
        alpha=0.01,
        gamma=1.0,
        *,
        initial="ridge",
        fit_intercept=True,
        lower_bounds=None,
        upper_bounds=None,
        positive=False,
        tol=1e-6,
        max_iter=100,
    ):
        self.alpha = alpha
        self.gamma = gamma
        self.initial = initial
        self.fit_intercept = fit_intercept
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.positive = positive
        self.tol = tol
        self.max_iter = max_iter

    def _datafit(self):
        return Logistic()

    def _initial_model(self, kind, X, s, total_weight):
        return LogisticRegression("l2", 1.0 / total_weight, fit_intercept=self.fit_intercept, tol=self.tol)

    def _final_model(self, factors, box):
        return LogisticRegression(
            "l1",
            self.alpha,
            fit_intercept=self.fit_intercept,
            penalty_factor=factors,
            tol=self.tol,
            max_iter=self.max_iter,
            **box,
        )
