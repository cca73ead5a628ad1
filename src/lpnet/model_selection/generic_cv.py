"""``RegularizedModelCV``: any datafit with any penalty, alpha chosen by K-fold cross-validation."""

from __future__ import annotations

from sklearn.utils import ClassifierTags, RegressorTags
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from ..datafits import make_datafit
from ..estimators import RegularizedModel
from .cv import BOUNDS_CV_PARAMS, CV_PARAMS, NamedPenaltyCV, PathCV, init_cv_params


def _classifier(model) -> bool:
    try:
        return make_datafit(model.datafit).is_classifier
    except (TypeError, ValueError):  # an unknown datafit: fit() names it
        return False


class DatafitChoiceCV:
    """What a CV estimator with a ``datafit`` parameter delegates to ``estimator_``: a regressor for a
    regression datafit, a binary classifier (``decision_function``, ``predict_proba``) for a classifier's."""

    def score(self, X, y, sample_weight=None):
        """The datafit's score, by ``estimator_``: R^2 (squared loss, Huber), D^2 (the log-link families),
        accuracy (a classifier).

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            The samples.
        y : array-like of shape (n_samples,)
            The true targets.
        sample_weight : array-like of shape (n_samples,), optional
            Weights of the samples.

        Returns
        -------
        float
            The score.
        """
        check_is_fitted(self, "estimator_")
        return self.estimator_.score(X, y, sample_weight=sample_weight)

    @available_if(_classifier)
    def decision_function(self, X):
        check_is_fitted(self, "estimator_")
        return self.estimator_.decision_function(X)

    @available_if(_classifier)
    def predict_proba(self, X):
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict_proba(X)

    @available_if(_classifier)
    def predict_log_proba(self, X):
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict_log_proba(X)

    def __sklearn_tags__(self):
        # a regressor or a classifier by the datafit, as RegularizedModel
        tags = super().__sklearn_tags__()  # type: ignore[misc]
        tags.target_tags.required = True
        if _classifier(self):
            tags.estimator_type = "classifier"
            tags.classifier_tags = ClassifierTags(multi_class=False)
        else:
            tags.estimator_type = "regressor"
            tags.regressor_tags = RegressorTags()
        return tags


class RegularizedModelCV(DatafitChoiceCV, NamedPenaltyCV, PathCV):
    __doc__ = f"""Any lpnet datafit with any lpnet penalty, alpha (and l1_ratio) chosen by K-fold CV.

    The cross-validated form of :class:`lpnet.RegularizedModel`: a regressor for a regression datafit
    (validation loss: the mean squared error for ``"squared"``) and a binary classifier for
    ``"logistic"`` (mean log-loss).  The refitted model in ``estimator_`` is a ``RegularizedModel``.

    Parameters
    ----------
    datafit : str or Datafit, default="squared"
        A name from :func:`lpnet.datafits.datafit_names` or an instance.
    penalty : str or Penalty, default="l1"
        A name from :func:`lpnet.penalties.penalty_names` (``"l1"``, ``"elasticnet"``, ``"mcp"``, ...) or a
        :class:`~lpnet.penalties.Penalty` instance (its shape is kept, its ``alpha`` ignored), e.g.
        ``MCP(1.0, gamma=2.5)``.
    l1_ratio : float or list of float, default=None
        Cross-validated with a penalty that takes it (``"elasticnet"``; None: its default).
    p : float, default=1.0
        Used with ``penalty="lp"``.
    {CV_PARAMS.format(sklearn_params=BOUNDS_CV_PARAMS, loss="the datafit's mean validation loss")}"""

    def __init__(
        self,
        datafit="squared",
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
        self.datafit = datafit
        self.penalty = penalty
        self.l1_ratio = l1_ratio
        self.p = p
        init_cv_params(
            self, eps, n_alphas, alphas, cv, alpha_rule, n_jobs, progress, fit_intercept, penalty_factor, tol, max_iter
        )
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.positive = positive

    def _datafit(self):
        return make_datafit(self.datafit)

    def _final_estimator(self, alpha, l1_ratio):
        penalty, l1_ratio = self._final_penalty(alpha, l1_ratio)
        return RegularizedModel(
            self.datafit,
            penalty,
            alpha,
            l1_ratio=l1_ratio,
            p=self.p,
            fit_intercept=self.fit_intercept,
            penalty_factor=self.penalty_factor,
            lower_bounds=self.lower_bounds,
            upper_bounds=self.upper_bounds,
            positive=self.positive,
            tol=self.tol,
            max_iter=self.max_iter,
        )
