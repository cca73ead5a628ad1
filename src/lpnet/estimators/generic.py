"""``RegularizedModel``: any datafit with any penalty."""

from __future__ import annotations

from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.utils import ClassifierTags, RegressorTags
from sklearn.utils.metaestimators import available_if

from ..datafits import Multinomial, make_datafit
from ..fit_data import prepare_fit
from .base import LinearModelBase, named_penalty
from .linear import params_doc
from .logistic import ClassifierBase, fit_multinomial, warn_unused_l1_ratio


def _classifier(model) -> bool:
    try:
        return make_datafit(model.datafit).is_classifier
    except ValueError:  # an unknown datafit: fit() names it
        return False


class DatafitChoice:
    """A regressor for the squared loss and a binary classifier for the logistic loss, by ``self.datafit``.

    Mixed in before :class:`~lpnet.estimators.base.LinearModelBase` by estimators with a ``datafit``
    parameter (``"squared"``, ``"logistic"`` or a Datafit instance).
    """

    def _datafit(self):
        return make_datafit(self.datafit)

    def _is_classifier(self) -> bool:
        return _classifier(self)

    def predict(self, X):
        """Predicted class labels (a classifier's datafit), else the predicted mean (the datafit's inverse
        link of ``X @ coef_ + intercept_``: the value itself for the squared loss).

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        ndarray of shape (n_samples,)
            The predictions.
        """
        if self._is_classifier():
            return ClassifierBase.predict(self, X)
        return self._datafit().predict(self._decision(X))

    @available_if(_classifier)
    def decision_function(self, X):
        """A classifier's scores: ``X @ coef_ + intercept_``, one column per class for a multinomial model."""
        return ClassifierBase.decision_function(self, X)

    @available_if(_classifier)
    def predict_proba(self, X):
        """Class probabilities in the order of ``classes_`` (logistic loss only)."""
        return ClassifierBase.predict_proba(self, X)

    @available_if(_classifier)
    def predict_log_proba(self, X):
        return ClassifierBase.predict_log_proba(self, X)

    def score(self, X, y, sample_weight=None):
        """Accuracy for a classifier; for a regression datafit the datafit's score (R^2 for the squared
        loss, D^2, the fraction of deviance explained, for the log-link families).

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
        if self._is_classifier():
            return ClassifierMixin.score(self, X, y, sample_weight=sample_weight)
        datafit = self._datafit()
        if datafit.is_quadratic:  # scikit-learn's r2_score, bit for bit
            return RegressorMixin.score(self, X, y, sample_weight=sample_weight)
        data = prepare_fit(X, y, datafit, sample_weight, who=f"{type(self).__name__}.score")
        return float(datafit.validation_score(data.y, self._decision(X), data.sample_weight))

    def __sklearn_tags__(self):
        # what ClassifierMixin / RegressorMixin would set, chosen by the datafit
        tags = super().__sklearn_tags__()
        if self._is_classifier():
            tags.estimator_type = "classifier"
            tags.classifier_tags = ClassifierTags(multi_class=isinstance(self._datafit(), Multinomial))
            tags.target_tags.required = True
        else:
            tags.estimator_type = "regressor"
            tags.regressor_tags = RegressorTags()
            tags.target_tags.required = True
        return tags


class RegularizedModel(DatafitChoice, LinearModelBase):
    __doc__ = f"""Any lpnet datafit with any lpnet penalty.

    Objective: ``D(w, b) + P(w)`` with ``D`` the squared or logistic loss and ``P`` any penalty, given by
    name or as :class:`lpnet.datafits.Datafit` / :class:`lpnet.penalties.Penalty` instances (then
    ``alpha``, ``l1_ratio`` and ``p`` are ignored).  It is a regressor for the squared loss and a binary
    classifier (``classes_``, ``predict_proba``, ``decision_function``) for the logistic loss.

    Parameters
    ----------
    datafit : {{"squared", "logistic"}} or Datafit, default="squared"
    penalty : str or Penalty, default="l1"
        Any name of :func:`lpnet.penalties.penalty_names` (``"mcp"`` and ``"scad"`` included) or a
        :class:`~lpnet.penalties.Penalty` instance such as ``MCP(0.1, gamma=2.5)``.
    alpha : float, default=1.0
    l1_ratio : float, default=None
        Elastic Net mixing, used with ``penalty="elasticnet"`` (None: 0.5).
    p : float, default=1.0
    {params_doc("")}
    With the logistic loss ``coef_`` has shape (1, n_features) and ``intercept_`` and ``n_iter_``
    shape (1,), as scikit-learn's classifiers; with ``datafit="multinomial"`` (two classes or more, the
    penalty on every coefficient) ``coef_`` has shape (n_classes, n_features) and ``intercept_``
    (n_classes,), as :class:`~lpnet.estimators.LogisticRegression`'s multinomial models.
    """

    def __init__(
        self,
        datafit="squared",
        penalty="l1",
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
        self.datafit = datafit
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

    def _fit(self, X, y, sample_weight, *args, **kwargs) -> None:
        if isinstance(self._datafit(), Multinomial):  # one row of coefficients per class
            fit_multinomial(self, X, y, sample_weight, "ungrouped")
        else:
            super()._fit(X, y, sample_weight, *args, **kwargs)

    def _warn_about_parameters(self, penalty, n_features):
        if isinstance(self.penalty, str):
            warn_unused_l1_ratio(self, penalty, n_features)

    def _penalty(self, weights):
        return named_penalty(self, weights)
