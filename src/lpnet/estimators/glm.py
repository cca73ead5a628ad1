"""Penalized generalized linear models with a log link: Poisson, Gamma and Tweedie regression."""

from __future__ import annotations

from sklearn.base import RegressorMixin
from sklearn.utils.validation import check_is_fitted

from ..datafits import Gamma, Poisson, Tweedie
from ..fit_data import prepare_fit
from .base import LinearModelBase, named_penalty, staged_fit
from .linear import params_doc
from .logistic import warn_unused_l1_ratio

_SHARED = """Objective, with ``mu_i = exp(x_i w + b + offset_i)`` and ``s`` the sample weights rescaled to sum to
    ``n``::

        1/n sum_i s_i d(y_i, mu_i) + P(w)

    ``d`` is half the unit deviance ({deviance}), so with ``penalty="l2"`` the objective is exactly
    scikit-learn's ``{sklearn}(alpha)`` (``1/(2n) sum_i deviance_i + alpha/2 ||w||^2``) and, with the L1 or
    Elastic Net penalty, glum's ``GeneralizedLinearRegressor(family=..., alpha, l1_ratio)``.  ``P`` is any
    lpnet penalty (``"l1"``, ``"l2"``, ``"elasticnet"``, ``"lp"``, ``"mcp"``, ``"scad"`` or a
    :class:`~lpnet.penalties.Penalty`).  Solved by working-set proximal Newton (IRLS steps with a line
    search); the fit stops when {certificate}.

    Parameters
    ----------
    penalty : str or Penalty, default="l2"
        Any name of :func:`lpnet.penalties.penalty_names` or a Penalty instance (then ``alpha``,
        ``l1_ratio`` and ``p`` are ignored).
    alpha : float, default=1.0
        Regularization strength, >= 0 (scikit-learn's default).
    l1_ratio : float, default=None
        Elastic Net mixing, used with ``penalty="elasticnet"`` (None: 0.5).
    p : float, default=1.0
        Exponent, used with ``penalty="lp"``.{extra}
    {params}"""

_GAP = "the duality gap is at most ``tol`` times the objective of the intercept-only model"
_KKT = (
    "the scale-free optimality (KKT) violation is at most ``tol`` (the Tweedie deviance has no closed-form "
    "conjugate, so no duality gap is claimed; ``dual_gap_`` is None)"
)


class GLMRegressor(RegressorMixin, LinearModelBase):
    """Shared ``__init__``, ``fit``, ``predict`` and ``score`` of the log-link regressors, with an optional
    offset."""

    def __init__(
        self,
        penalty="l2",
        alpha=1.0,
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

    def fit(self, X, y, sample_weight=None, offset=None):
        """Fit the model and certify the solution.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            The target, in the family's range.
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weights, rescaled to sum to ``n_samples``.
        offset : array-like of shape (n_samples,), optional
            Added to the linear predictor (``log(exposure)`` for rates: the model is then
            ``E[y] = exposure * exp(x w + b)``).  Equivalently for the Poisson family, fit ``y / exposure``
            with ``sample_weight=exposure``.

        Returns
        -------
        self
        """
        return staged_fit(self, X, y, sample_weight, offset)

    def _penalty(self, weights):
        return named_penalty(self, weights)

    _warn_about_parameters = warn_unused_l1_ratio

    def predict(self, X, offset=None):
        """The predicted mean ``exp(X @ coef_ + intercept_ + offset)``.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            The samples.
        offset : array-like of shape (n_samples,), optional
            Added to the linear predictor (e.g. the log of an exposure).

        Returns
        -------
        ndarray of shape (n_samples,)
            The predicted means.
        """
        return self._datafit().predict(self._decision(X, offset))

    def score(self, X, y, sample_weight=None, offset=None):
        """D^2, the fraction of deviance explained (scikit-learn's ``score`` for its GLMs): 1 minus the
        model's deviance over that of the weighted mean of ``y``.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            The samples.
        y : array-like of shape (n_samples,)
            The true targets.
        sample_weight : array-like of shape (n_samples,), optional
            Weights of the samples.
        offset : array-like of shape (n_samples,), optional
            Added to the linear predictor (e.g. the log of an exposure).

        Returns
        -------
        float
            D^2.
        """
        check_is_fitted(self, "coef_")
        datafit = self._datafit()
        data = prepare_fit(X, y, datafit, sample_weight, who=f"{type(self).__name__}.score", offset=offset)
        z = self._decision(X)
        return float(datafit.validation_score(data.y, z, data.sample_weight))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.positive_only = True
        return tags


class PoissonRegression(GLMRegressor):
    __doc__ = "Poisson regression (counts, log link) with any lpnet penalty.\n\n    " + _SHARED.format(
        deviance="``y log(y / mu) - y + mu``",
        sklearn="PoissonRegressor",
        certificate=_GAP,
        extra="",
        params=params_doc(""),
    )

    def _datafit(self):
        return Poisson()


class GammaRegression(GLMRegressor):
    __doc__ = "Gamma regression (positive values, log link) with any lpnet penalty.\n\n    " + _SHARED.format(
        deviance="``y / mu - 1 - log(y / mu)``",
        sklearn="GammaRegressor",
        certificate=_GAP,
        extra="",
        params=params_doc(""),
    )

    def _datafit(self):
        return Gamma()


class TweedieRegression(GLMRegressor):
    __doc__ = (
        "Tweedie regression (compound Poisson-Gamma, 1 < power < 2, log link) with any lpnet penalty.\n\n    "
        + _SHARED.format(
            deviance="``y^(2-p)/((1-p)(2-p)) - y mu^(1-p)/(1-p) + mu^(2-p)/(2-p)`` with ``p = power``",
            sklearn="TweedieRegressor(power, link='log')",
            certificate=_KKT,
            extra="""
    power : float, default=1.5
        The Tweedie power, strictly between 1 (Poisson: :class:`PoissonRegression`) and 2 (Gamma:
        :class:`GammaRegression`).""",
            params=params_doc(""),
        )
    )

    def __init__(
        self,
        penalty="l2",
        alpha=1.0,
        *,
        power=1.5,
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
    ):
        super().__init__(
            penalty,
            alpha,
            l1_ratio=l1_ratio,
            p=p,
            fit_intercept=fit_intercept,
            penalty_factor=penalty_factor,
            lower_bounds=lower_bounds,
            upper_bounds=upper_bounds,
            positive=positive,
            tol=tol,
            max_iter=max_iter,
            warm_start=warm_start,
            solver=solver,
        )
        self.power = power

    def _datafit(self):
        return Tweedie(self.power)


__all__ = ["GLMRegressor", "GammaRegression", "PoissonRegression", "TweedieRegression"]
