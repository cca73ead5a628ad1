"""Penalized Cox proportional-hazards regression."""

from __future__ import annotations

import numpy as np

from ..datafits import Cox
from ..fit_data import prepare_fit
from .base import LinearModelBase, named_penalty
from .linear import COMMON_PARAMS
from .logistic import warn_unused_l1_ratio

_COX_PARAMS = COMMON_PARAMS.format(
    extra_params="",
    coef_shape="(n_features,)",
    intercept_type="absent: the partial likelihood does not depend on a constant risk",
    n_iter_type="int",
    n_iter_doc="Newton steps.",
).replace(
    """    fit_intercept : bool, default=True
        Fit an unpenalized intercept.
""",
    "",
)


class CoxRegression(LinearModelBase):
    __doc__ = f"""Cox proportional-hazards regression with an L1, L2, Elastic Net or Lp penalty.

    Objective, with survival times ``t_i``, events ``delta_i`` (1 observed, 0 censored) and the sample
    weights ``s_i`` rescaled to sum to ``n`` (Breslow's handling of ties)::

        1/n sum_i s_i delta_i [ -x_i w + log sum_{{j: t_j >= t_i}} s_j exp(x_j w) ] + P(w)

    With ``ties="efron"`` the tied events' terms follow Efron's approximation, weighted as R's
    ``survival::coxph`` (see :class:`lpnet.datafits.Cox`).  There is no intercept.  ``P`` is as in
    :class:`lpnet.LogisticRegression`.  This is scikit-survival's ``CoxnetSurvivalAnalysis`` objective for
    one alpha (``alphas=[alpha]``, ``l1_ratio``, ``normalize=False``) and glmnet's ``family="cox"`` with
    ``lambda = alpha``.  Solved by working-set Newton steps with the exact Hessian of the partial
    likelihood, each by coordinate descent (``solver="cox_cd"``, the ``"auto"`` choice for convex
    penalties; non-convex ones take proximal Newton); the partial likelihood has no closed-form
    conjugate, so the fit is certified by the scale-free KKT violation ``optimality_violation_ <= tol``
    (``dual_gap_`` is None).

    The target ``y`` is a structured array (``sksurv.util.Surv.from_arrays(event, time)``: a boolean
    event field and a numeric time field, told apart by their dtypes), an array of shape (n_samples, 2)
    with columns ``(time, event)`` (R's ``Surv(time, status)`` order), or a DataFrame of those two columns.

    Parameters
    ----------
    penalty : str or Penalty, default="l1"
        Any name of :func:`lpnet.penalties.penalty_names` or a :class:`~lpnet.penalties.Penalty`
        instance (then ``alpha``, ``l1_ratio`` and ``p`` are ignored).
    alpha : float, default=0.01
        Regularization strength, >= 0.
    l1_ratio : float, default=None
        Elastic Net mixing in [0, 1], used with ``penalty="elasticnet"`` (None: 0.5).
    p : float, default=1.0
        Exponent, used with ``penalty="lp"``.
    ties : {{"breslow", "efron"}}, default="breslow"
        How tied event times enter the partial likelihood.
    {_COX_PARAMS}
    Notes
    -----
    :meth:`predict` returns the risk score ``X @ coef_`` (the log relative hazard: higher means an
    earlier expected event) and :meth:`score` Harrell's concordance index, as scikit-survival's.
    """

    #: the Cox model has no intercept (the datafit refuses one); not a parameter
    fit_intercept = False

    def __init__(
        self,
        penalty="l1",
        alpha=0.01,
        *,
        l1_ratio=None,
        p=1.0,
        penalty_factor=None,
        lower_bounds=None,
        upper_bounds=None,
        positive=False,
        ties="breslow",
        tol=1e-6,
        max_iter=100,
        warm_start=False,
        solver="auto",
    ):
        self.penalty = penalty
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.p = p
        self.penalty_factor = penalty_factor
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.positive = positive
        self.ties = ties
        self.tol = tol
        self.max_iter = max_iter
        self.warm_start = warm_start
        self.solver = solver

    def _datafit(self):
        return Cox(self.ties)

    def _penalty(self, weights):
        return named_penalty(self, weights)

    _warn_about_parameters = warn_unused_l1_ratio

    def _store_coefficients(self, coef, intercept, n_iter, dtype) -> None:
        self.coef_ = np.asarray(coef, dtype=dtype)
        self.n_iter_ = int(n_iter)  # (no intercept_: the model has none)

    def predict(self, X):
        """The risk score ``X @ coef_`` (log relative hazard; higher: an earlier expected event).

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        ndarray of shape (n_samples,)
            The risk scores.
        """
        return self._decision(X)

    def score(self, X, y, sample_weight=None):
        """Harrell's concordance index of :meth:`predict` on ``(X, y)``.

        Pairs are comparable when the earlier time is an event (a censored time tied with an event counts
        as later); a pair is concordant when the earlier one has the higher risk score, tied scores count
        1/2; with sample weights a pair weighs ``s_i s_j``.  Without weights this is scikit-survival's
        ``concordance_index_censored``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples.
        y : structured array, DataFrame or array-like of shape (n_samples, 2)
            Event indicators and times, in any of the forms ``fit`` accepts.
        sample_weight : array-like of shape (n_samples,), optional
            Weights of the samples; a pair weighs the product of its two weights.

        Returns
        -------
        float
            The concordance index, between 0 and 1 (0.5: no better than chance).
        """
        datafit = self._datafit()
        data = prepare_fit(X, y, datafit, sample_weight, who=f"{type(self).__name__}.score")
        return float(datafit.validation_score(data.y, self.predict(X), data.sample_weight))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.target_tags.single_output = False
        tags.target_tags.multi_output = True
        return tags
