"""Cross-validated adaptive Lasso: the initial fit once on all the data, then ``alpha`` by K-fold CV.

Zou's procedure: the initial estimator is fitted once, on all the data, and its coefficients fix the
penalty factors ``v_j = 1/|w0_j|^gamma``; cross-validation then chooses ``alpha`` of the weighted L1
model with those factors (:class:`~lpnet.model_selection.LassoCV` or
:class:`~lpnet.model_selection.LogisticRegressionCV` on the kept columns).  The initial fit is not
repeated per fold: that keeps the penalty the same on every fold (the CV curve then compares one family
of models, the one refitted at the end), at the price that the held-out samples took part in the factors,
so the CV loss is slightly optimistic.  That is also what glmnet users get with a fixed
``penalty.factor`` in ``cv.glmnet``.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted

from ..estimators import AdaptiveLasso, AdaptiveLogisticRegression
from ..estimators.adaptive import adaptive_factors, check_adaptive_gamma, kept_box
from ..estimators.base import staged_fit
from .cv import DelegatingClassifierCV, LogisticRegressionCV
from .linear_cv import LassoCV

ADAPTIVE_CV_DOC = """
    Parameters
    ----------
    gamma : float, default=1.0
        Exponent of the factors ``1/|w0_j|^gamma``, > 0.
    initial : str, an estimator, or array-like of shape (n_features,), default="ridge"
        As in :class:`~lpnet.estimators.{model}`; fitted once, on all the data.
    eps, n_alphas, alphas, cv, alpha_rule, n_jobs, progress : as in :class:`~lpnet.model_selection.LassoCV`
        (the grid's ``alpha_max`` is that of the weighted problem).
    fit_intercept, lower_bounds, upper_bounds, positive, tol, max_iter : as in
        :class:`~lpnet.estimators.{model}` (the box holds every fold's path, from its ``alpha_max``, and the
        refit; an excluded feature's box must contain 0).

    Attributes
    ----------
    alpha_ : float
    alphas_ : ndarray of shape (n_alphas,)
    mse_path_ : ndarray of shape (n_alphas, n_folds)
        Validation loss ({loss}) of every alpha on every fold.
    cv_results_ : CVResults
    cv_estimator_ : the cross-validated weighted L1 model on the kept columns
    estimator_ : {model}
        Refitted on all the data at ``alpha_`` with the same initial coefficients.
    coef_, intercept_, dual_gap_, n_iter_, penalty_factor_, excluded_ : those of ``estimator_``
    initial_coef_ : ndarray of shape (n_features,)
    initial_estimator_ : the fitted initial model (None when ``initial`` is an array)
    n_features_in_, feature_names_in_
"""


class AdaptiveCVBase(BaseEstimator):
    """Shared ``fit`` of the cross-validated adaptive models."""

    def _adaptive(self, alpha, initial):  # pragma: no cover - overridden
        raise NotImplementedError

    def _cv_model(self, factors, box):  # pragma: no cover - overridden
        raise NotImplementedError

    def fit(self, X, y, sample_weight=None):
        """Fit the initial model once, cross-validate ``alpha`` of the weighted L1 model, refit at ``alpha_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        self
            If the fit raises, the estimator keeps its previous fitted state.
        """
        return staged_fit(self, X, y, sample_weight)

    def _fit(self, X, y, sample_weight) -> None:
        gamma = check_adaptive_gamma(self.gamma)
        X_in, y_in = X, y  # the final model sees the user's data, so it keeps the feature names
        template = self._adaptive(1.0, self.initial)
        X, y, s = template.prepare_data(X, y, sample_weight, self)
        initial, w0 = template.initial_coefficients(X, y, s, sample_weight)
        factors, included = adaptive_factors(w0, gamma)
        if not included.any():
            raise ValueError(
                f"every initial coefficient of {type(self).__name__} is zero: every feature would be excluded. "
                "Pass a less penalized initial estimator (e.g. initial='ridge')."
            )
        searched = self._cv_model(factors[included], kept_box(self, included)).fit(
            X[:, np.flatnonzero(included)], y, sample_weight=s
        )
        self.cv_estimator_ = searched
        self.alpha_ = float(searched.alpha_)
        self.alphas_, self.mse_path_, self.cv_results_ = searched.alphas_, searched.mse_path_, searched.cv_results_
        self.initial_estimator_, self.initial_coef_ = initial, w0
        self.estimator_ = self._adaptive(self.alpha_, w0).fit(X_in, y_in, sample_weight=sample_weight)
        for name in ("coef_", "intercept_", "dual_gap_", "n_iter_", "penalty_factor_", "excluded_"):
            setattr(self, name, getattr(self.estimator_, name))

    def _cv_options(self) -> dict:
        return dict(
            eps=self.eps,
            n_alphas=self.n_alphas,
            alphas=self.alphas,
            cv=self.cv,
            alpha_rule=self.alpha_rule,
            n_jobs=self.n_jobs,
            progress=self.progress,
            fit_intercept=self.fit_intercept,
            tol=self.tol,
            max_iter=self.max_iter,
        )

    def _final_options(self) -> dict:
        return dict(
            fit_intercept=self.fit_intercept,
            lower_bounds=self.lower_bounds,
            upper_bounds=self.upper_bounds,
            positive=self.positive,
            tol=self.tol,
            max_iter=self.max_iter,
        )

    def plot_cv(self, ax=None):
        """The weighted Lasso's cross-validation curve (that of ``cv_estimator_``, on the kept columns).

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw; a new figure when None.

        Returns
        -------
        matplotlib Axes
        """
        check_is_fitted(self, "cv_estimator_")
        return self.cv_estimator_.plot_cv(ax=ax)

    def predict(self, X):
        """Predictions of the model refitted on all the data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        ndarray of shape (n_samples,)
            The predictions.
        """
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


def _init(
    self, gamma, initial, box, eps, n_alphas, alphas, cv, alpha_rule, n_jobs, progress, fit_intercept, tol, max_iter
):
    self.gamma = gamma
    self.lower_bounds, self.upper_bounds, self.positive = box
    self.initial = initial
    self.eps = eps
    self.n_alphas = n_alphas
    self.alphas = alphas
    self.cv = cv
    self.alpha_rule = alpha_rule
    self.n_jobs = n_jobs
    self.progress = progress
    self.fit_intercept = fit_intercept
    self.tol = tol
    self.max_iter = max_iter


class AdaptiveLassoCV(RegressorMixin, AdaptiveCVBase):
    __doc__ = f"""The adaptive Lasso (:class:`~lpnet.estimators.AdaptiveLasso`) with ``alpha`` chosen by K-fold
    cross-validated mean squared error; the initial fit is done once, on all the data (Zou's procedure).
    {ADAPTIVE_CV_DOC.format(model="AdaptiveLasso", loss="mean squared error")}"""

    def __init__(
        self,
        gamma=1.0,
        *,
        initial="ridge",
        eps=1e-3,
        n_alphas=100,
        alphas=None,
        cv=5,
        alpha_rule="min",
        n_jobs=None,
        progress=False,
        fit_intercept=True,
        lower_bounds=None,
        upper_bounds=None,
        positive=False,
        tol=1e-6,
        max_iter=100,
    ):
        box = (lower_bounds, upper_bounds, positive)
        _init(
            self,
            gamma,
            initial,
            box,
            eps,
            n_alphas,
            alphas,
            cv,
            alpha_rule,
            n_jobs,
            progress,
            fit_intercept,
            tol,
            max_iter,
        )

    def _adaptive(self, alpha, initial):
        return AdaptiveLasso(alpha, self.gamma, initial=initial, **self._final_options())

    def _cv_model(self, factors, box):
        return LassoCV(penalty_factor=factors, **box, **self._cv_options())


class AdaptiveLogisticRegressionCV(DelegatingClassifierCV, AdaptiveCVBase):
    __doc__ = f"""The adaptive L1 logistic regression (:class:`~lpnet.estimators.AdaptiveLogisticRegression`, two
    classes) with ``alpha`` chosen by K-fold cross-validated log-loss (stratified folds); the initial fit is
    done once, on all the data.
    {ADAPTIVE_CV_DOC.format(model="AdaptiveLogisticRegression", loss="mean log-loss")}
    classes_ : ndarray of shape (2,)
    """

    def __init__(
        self,
        gamma=1.0,
        *,
        initial="ridge",
        eps=1e-3,
        n_alphas=100,
        alphas=None,
        cv=5,
        alpha_rule="min",
        n_jobs=None,
        progress=False,
        fit_intercept=True,
        lower_bounds=None,
        upper_bounds=None,
        positive=False,
        tol=1e-6,
        max_iter=100,
    ):
        box = (lower_bounds, upper_bounds, positive)
        _init(
            self,
            gamma,
            initial,
            box,
            eps,
            n_alphas,
            alphas,
            cv,
            alpha_rule,
            n_jobs,
            progress,
            fit_intercept,
            tol,
            max_iter,
        )

    def _adaptive(self, alpha, initial):
        return AdaptiveLogisticRegression(alpha, self.gamma, initial=initial, **self._final_options())

    def _cv_model(self, factors, box):
        return LogisticRegressionCV("l1", penalty_factor=factors, **box, **self._cv_options())
