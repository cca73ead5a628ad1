"""Cross-validated Poisson, Gamma and Tweedie regression: alpha chosen by the held-out deviance."""

from __future__ import annotations

from sklearn.base import RegressorMixin
from sklearn.utils.validation import check_is_fitted

from ..datafits import Gamma, Poisson, Tweedie
from ..estimators import GammaRegression, PoissonRegression, TweedieRegression
from ..estimators.base import staged_fit
from .cv import BOUNDS_CV_PARAMS, CV_PARAMS, NamedPenaltyCV, PathCV, init_cv_params, split_params

_DOC = """{what}, with alpha (and l1_ratio) chosen by K-fold cross-validation of the held-out deviance.

    Traces the certified path of :class:`lpnet.{single}` on every training fold over one grid (from the
    exact alpha_max of all the data down to ``eps * alpha_max``), scores each alpha by the held-out mean
    half deviance, picks ``alpha_`` by ``alpha_rule`` and refits on all the data (``estimator_``).

    Parameters
    ----------
    penalty : str or Penalty, default="l1"
        A name from :func:`lpnet.penalties.penalty_names` or a Penalty instance (its ``alpha`` ignored).{extra}
    l1_ratio : float or list of float, default=None
        Cross-validated with a penalty that takes it (``"elasticnet"``; None: its default).
    p : float, default=1.0
        Used with ``penalty="lp"``.
    {cv}"""


class GLMRegressorCV(RegressorMixin, NamedPenaltyCV, PathCV):
    """Shared ``__init__``, ``fit`` (with an offset), ``predict`` and ``score`` of the log-link CV estimators."""

    def __init__(
        self,
        penalty="l1",
        *,
        l1_ratio=None,
        p=1.0,
        eps=1e-3,
        n_alphas=100,
        alphas=None,
        cv=5,
        alpha_rule="min",
        n_jobs=None,
        progress=False,
        fit_intercept=True,
        penalty_factor=None,
        lower_bounds=None,
        upper_bounds=None,
        positive=False,
        tol=1e-6,
        max_iter=100,
    ):
        self.penalty = penalty
        self.l1_ratio = l1_ratio
        self.p = p
        init_cv_params(
            self, eps, n_alphas, alphas, cv, alpha_rule, n_jobs, progress, fit_intercept, penalty_factor, tol, max_iter
        )
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.positive = positive

    def fit(self, X, y, sample_weight=None, offset=None, **params):
        """Cross-validate the path, then refit on all the data at the chosen alpha.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), optional
        offset : array-like of shape (n_samples,), optional
            Added to the linear predictor (e.g. ``log(exposure)``); every fold takes its rows.
        **params
            Routed to the splitter (e.g. ``groups``) under scikit-learn's metadata routing.

        Returns
        -------
        self
        """
        return staged_fit(self, X, y, sample_weight, split_params(self, params), offset)

    def _final_estimator(self, alpha, l1_ratio):
        penalty, l1_ratio = self._final_penalty(alpha, l1_ratio)
        return self._single(penalty, alpha, l1_ratio)

    def _single(self, penalty, alpha, l1_ratio):  # pragma: no cover - overridden
        raise NotImplementedError

    def _common(self) -> dict:
        return dict(
            p=self.p,
            fit_intercept=self.fit_intercept,
            penalty_factor=self.penalty_factor,
            lower_bounds=self.lower_bounds,
            upper_bounds=self.upper_bounds,
            positive=self.positive,
            tol=self.tol,
            max_iter=self.max_iter,
        )

    def predict(self, X, offset=None):
        """The predicted mean of ``estimator_``.

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
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict(X, offset=offset)

    def score(self, X, y, sample_weight=None, offset=None):
        """D^2 (fraction of deviance explained) of ``estimator_``.

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
        check_is_fitted(self, "estimator_")
        return self.estimator_.score(X, y, sample_weight=sample_weight, offset=offset)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.positive_only = True
        return tags


_CV = CV_PARAMS.format(sklearn_params=BOUNDS_CV_PARAMS, loss="the mean half deviance")


class PoissonRegressionCV(GLMRegressorCV):
    __doc__ = _DOC.format(what="Poisson regression", single="PoissonRegression", extra="", cv=_CV)

    def _datafit(self):
        return Poisson()

    def _single(self, penalty, alpha, l1_ratio):
        return PoissonRegression(penalty, alpha, l1_ratio=l1_ratio, **self._common())


class GammaRegressionCV(GLMRegressorCV):
    __doc__ = _DOC.format(what="Gamma regression", single="GammaRegression", extra="", cv=_CV)

    def _datafit(self):
        return Gamma()

    def _single(self, penalty, alpha, l1_ratio):
        return GammaRegression(penalty, alpha, l1_ratio=l1_ratio, **self._common())


class TweedieRegressionCV(GLMRegressorCV):
    __doc__ = _DOC.format(
        what="Tweedie regression (1 < power < 2)",
        single="TweedieRegression",
        extra="""
    power : float, default=1.5
        The Tweedie power, strictly between 1 and 2.""",
        cv=_CV,
    )

    def __init__(
        self,
        penalty="l1",
        *,
        power=1.5,
        l1_ratio=None,
        p=1.0,
        eps=1e-3,
        n_alphas=100,
        alphas=None,
        cv=5,
        alpha_rule="min",
        n_jobs=None,
        progress=False,
        fit_intercept=True,
        penalty_factor=None,
        lower_bounds=None,
        upper_bounds=None,
        positive=False,
        tol=1e-6,
        max_iter=100,
    ):
        super().__init__(
            penalty,
            l1_ratio=l1_ratio,
            p=p,
            eps=eps,
            n_alphas=n_alphas,
            alphas=alphas,
            cv=cv,
            alpha_rule=alpha_rule,
            n_jobs=n_jobs,
            progress=progress,
            fit_intercept=fit_intercept,
            penalty_factor=penalty_factor,
            lower_bounds=lower_bounds,
            upper_bounds=upper_bounds,
            positive=positive,
            tol=tol,
            max_iter=max_iter,
        )
        self.power = power

    def _datafit(self):
        return Tweedie(self.power)

    def _single(self, penalty, alpha, l1_ratio):
        return TweedieRegression(penalty, alpha, power=self.power, l1_ratio=l1_ratio, **self._common())


__all__ = ["GLMRegressorCV", "GammaRegressionCV", "PoissonRegressionCV", "TweedieRegressionCV"]
