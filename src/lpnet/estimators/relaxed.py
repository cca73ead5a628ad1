"""The relaxed Lasso: a Lasso fit mixed with the unpenalized refit on its support (glmnet's ``relax``).

With ``(w_lasso, b_lasso)`` the certified Lasso fit at ``alpha`` and ``(w_refit, b_refit)`` the certified
unpenalized fit on the Lasso's support ``S = {j: w_lasso_j != 0}``, the relaxed fit is::

    coef_ = gamma * w_lasso + (1 - gamma) * w_refit,    intercept_ = gamma * b_lasso + (1 - gamma) * b_refit

``gamma = 1`` is the Lasso, ``gamma = 0`` the refit alone: the Lasso selects, the refit undoes its
shrinkage.  This is glmnet's ``relax=TRUE`` with its ``gamma`` (see :mod:`lpnet.path_relax`).
"""

from __future__ import annotations

import numpy as np
from sklearn.base import RegressorMixin

from ..datafits import Logistic, Quadratic
from ..path_relax import check_gamma, mix, refit_support
from ..penalties import L1
from .base import LinearModelBase, dtype_box, model_penalty
from .linear import warn_without_penalty
from .logistic import ClassifierBase, is_multiclass_target

_RELAXED_DOC = """
    Parameters
    ----------
    alpha : float, default={alpha}
        Strength of the L1 penalty of the selecting fit, >= 0.
    gamma : float, default=0.5
        Mix in [0, 1]: 1 is the penalized fit, 0 the unpenalized refit on its support.
    fit_intercept : bool, default=True
        Fit an unpenalized intercept (mixed like the coefficients).
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature factors ``v_j >= 0`` of the L1 penalty (0: unpenalized, hence always in the support
        unless its coefficient is exactly 0).
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), default=None
        Box constraints ``lower_j <= w_j <= upper_j`` (``-inf`` / ``inf`` allowed, None: open), as in
        :class:`Lasso`.  Both fits hold them: the penalized fit, and the refit, which minimizes the datafit
        over the support's coefficients within their box (certified by the optimality violation with the
        box's normal cone where the box bounds the support: ``refit_optimality_violation_``).  The mix of
        two points of the box stays in it (a box is convex).
    positive : bool, default=False
        Coefficients >= 0: the shortcut for ``lower_bounds=0`` (with ``lower_bounds`` also given, those
        must be >= 0).
    tol : float, default=1e-6
        Certificate tolerance of both fits (duality gap relative to the intercept-only objective).
    max_iter : int, default=100
        Maximum number of outer iterations of each fit.
    warm_start : bool, default=False
        Start the penalized fit from the previous one (``lasso_coef_``).

    Attributes
    ----------
    coef_ : ndarray of shape {coef_shape}
        The relaxed coefficients.
    intercept_ : {intercept_type}
    lasso_coef_, lasso_intercept_ : the penalized fit (same shapes)
    refit_coef_, refit_intercept_ : the unpenalized refit on the support (zero off it)
    support_ : ndarray of bool of shape (n_features,)
        The penalized fit's nonzero coefficients.
    dual_gap_, objective_, coef_error_bound_, n_iter_, n_outer_iter_, solver_ : those of the penalized fit
        (its objective is ``D + alpha sum_j v_j |w_j|`` at ``lasso_coef_``).
    refit_dual_gap_ : float or None
        The refit's duality gap, in the datafit's units (it certifies ``refit_coef_``); None where a box on
        the support makes the optimality violation certify it.
    refit_optimality_violation_ : float or None
        The refit's scale-free optimality violation with the box's normal cone, where a box on the support
        certifies it that way; else None.
    refit_objective_ : float
        ``D`` at the refit.
    refit_converged_ : bool
    refit_separated_ : bool
        Logistic loss: the selected columns separate the classes (no maximum-likelihood refit exists).
    converged_ : bool
        Both certificates reached ``tol``.
    n_features_in_, feature_names_in_
    """


class RelaxedFit(LinearModelBase):
    """The relaxed fit on top of :class:`LinearModelBase`'s certified L1 fit."""

    def _penalty(self, weights):
        return L1(self.alpha, weights=weights)

    _warn_about_parameters = warn_without_penalty

    def _fit(self, X, y, sample_weight, offset=None) -> None:
        gamma = check_gamma(self.gamma)  # before any work
        super()._fit(X, y, sample_weight)  # the Lasso, certified
        X, y, s = self._validated_data(X, y, sample_weight)
        lasso_coef = np.ravel(self.coef_).astype(np.float64)
        lasso_intercept = float(np.ravel(self.intercept_)[0])
        support = lasso_coef != 0
        # the refit holds the penalized fit's box, as it rounds to the data's dtype (see dtype_box)
        penalty = dtype_box(model_penalty(self, X.shape[1]), X.shape[1], X.dtype)
        lower, upper = penalty.bounds(X.shape[1])
        refit = refit_support(
            X,
            y,
            self._datafit(),
            support,
            sample_weight=s,
            fit_intercept=self.fit_intercept,
            tol=self.tol,
            max_iter=self.max_iter,
            lower_bounds=lower,
            upper_bounds=upper,
        )
        self.lasso_coef_, self.lasso_intercept_ = self.coef_, self.intercept_
        n_iter = self.n_iter_
        self._store_coefficients(refit.coef, refit.intercept, 0, X.dtype)
        self.refit_coef_, self.refit_intercept_ = self.coef_, self.intercept_
        # (both ends lie in the box, hence so does their mix: a box is convex)
        self._store_coefficients(
            mix(gamma, lasso_coef, refit.coef), float(mix(gamma, lasso_intercept, refit.intercept)), 0, X.dtype
        )
        self.n_iter_ = n_iter
        self.support_ = support
        by_gap = not np.isnan(refit.dual_gap)
        self.refit_dual_gap_ = refit.dual_gap if by_gap else None
        self.refit_optimality_violation_ = None if by_gap else refit.optimality_violation
        self.refit_objective_ = refit.objective
        self.refit_converged_ = refit.converged
        self.refit_separated_ = refit.separated
        self.converged_ = bool(self.converged_ and refit.converged)

    def _warm_start_point(self, n_features: int):
        # the penalized fit restarts from the previous penalized fit, not from the mix
        coef = getattr(self, "lasso_coef_", None) if self.warm_start else None
        if coef is None or np.size(coef) != n_features:
            return None, None
        b0 = float(np.ravel(self.lasso_intercept_)[0]) if self.fit_intercept else None
        return np.ravel(coef).astype(np.float64), b0


class RelaxedLasso(RegressorMixin, RelaxedFit):
    __doc__ = f"""The relaxed Lasso: least squares on the Lasso's support, mixed with the Lasso.

    The Lasso ``1/(2n) sum_i s_i (y_i - x_i w - b)^2 + alpha sum_j v_j |w_j|`` (as :class:`Lasso`) selects
    the support ``S``; ordinary least squares on ``S`` (no penalty; the minimum-norm solution when its
    columns are collinear or outnumber the samples) refits it.  Returned::

        coef_ = gamma * lasso_coef_ + (1 - gamma) * refit_coef_   (the intercepts alike)

    glmnet's ``glmnet(relax=TRUE)`` with ``gamma``; ``gamma=1`` is :class:`Lasso`, ``gamma=0`` scikit-learn's
    ``LinearRegression`` on the selected columns.  Both fits are certified by their own duality gaps (or,
    with a box, by the optimality violation where the box calls for it).  With a box (``positive=True``,
    ``lower_bounds``, ``upper_bounds``) the refit is least squares on ``S`` within the box.
    {_RELAXED_DOC.format(alpha="1.0", coef_shape="(n_features,)", intercept_type="float")}"""

    def __init__(
        self,
        alpha=1.0,
        gamma=0.5,
        *,
        fit_intercept=True,
        penalty_factor=None,
        lower_bounds=None,
        upper_bounds=None,
        positive=False,
        tol=1e-6,
        max_iter=100,
        warm_start=False,
    ):
        self.alpha = alpha
        self.gamma = gamma
        self.fit_intercept = fit_intercept
        self.penalty_factor = penalty_factor
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.positive = positive
        self.tol = tol
        self.max_iter = max_iter
        self.warm_start = warm_start

    def _datafit(self):
        return Quadratic()

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


class RelaxedLogisticRegression(RelaxedFit, ClassifierBase):
    __doc__ = f"""The relaxed L1 logistic regression (two classes): the L1 fit mixed with the unpenalized
    maximum-likelihood refit on its support.

    The L1 logistic regression ``1/n sum_i s_i log(1 + exp(-y_i (x_i w + b))) + alpha sum_j v_j |w_j|`` (as
    :class:`LogisticRegression` with ``penalty="l1"``) selects the support; the unpenalized logistic
    regression on it (scikit-learn's ``LogisticRegression(penalty=None)`` on the selected columns) refits
    it; ``coef_ = gamma * lasso_coef_ + (1 - gamma) * refit_coef_``, as glmnet's ``family="binomial"``
    with ``relax=TRUE``.  When the selected columns separate the classes the refit has no maximum-likelihood
    solution: a ``UserWarning`` says so, and the refit is the certified point within ``tol`` of the
    infimum (its coefficients grow as ``tol`` shrinks); prefer ``gamma > 0`` or a larger ``alpha`` there.
    {_RELAXED_DOC.format(alpha="0.01", coef_shape="(1, n_features)", intercept_type="ndarray of shape (1,)")}
    classes_ : ndarray of shape (2,)
    """

    def __init__(
        self,
        alpha=0.01,
        gamma=0.5,
        *,
        fit_intercept=True,
        penalty_factor=None,
        lower_bounds=None,
        upper_bounds=None,
        positive=False,
        tol=1e-6,
        max_iter=100,
        warm_start=False,
    ):
        self.alpha = alpha
        self.gamma = gamma
        self.fit_intercept = fit_intercept
        self.penalty_factor = penalty_factor
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.positive = positive
        self.tol = tol
        self.max_iter = max_iter
        self.warm_start = warm_start

    def _datafit(self):
        return Logistic()

    def _fit(self, X, y, sample_weight, offset=None) -> None:
        if is_multiclass_target(y):
            raise ValueError(
                f"Only binary classification is supported by {type(self).__name__}; the target has more classes. "
                "Fit one model per class (one-vs-rest), or use LogisticRegression for a multinomial model."
            )
        super()._fit(X, y, sample_weight)
