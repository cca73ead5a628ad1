"""Cross-validated Cox regression: alpha chosen by the held-out partial-likelihood deviance."""

from __future__ import annotations

import numbers

from sklearn.utils.validation import check_is_fitted

from ..datafits import Cox
from ..estimators import CoxRegression
from .cv import BOUNDS_CV_PARAMS, CV_PARAMS, NamedPenaltyCV, PathCV

_CV = (
    CV_PARAMS.format(sklearn_params=BOUNDS_CV_PARAMS, loss="the partial-likelihood deviance of the held-out fold")
    .replace(
        "    cv : int or cross-validation splitter, default=5\n",
        "    cv : int or cross-validation splitter, default=5\n"
        "        An int means ``KFold(cv, shuffle=True, random_state=random_state)``: survival data are often\n"
        "        sorted by time, which unshuffled folds would turn into folds of short and long survivors.\n",
    )
    .replace("    fit_intercept, penalty_factor,", "    penalty_factor,")
    .replace("    coef_, intercept_, n_iter_,", "    coef_, n_iter_,")
)


class CoxRegressionCV(NamedPenaltyCV, PathCV):
    __doc__ = f"""Cox proportional-hazards regression with alpha (and l1_ratio) chosen by K-fold CV.

    Traces the certified path of :class:`lpnet.CoxRegression` on every training fold over one grid
    (from the exact alpha_max of all the data down to ``eps * alpha_max``), scores each alpha by the
    held-out fold's partial-likelihood deviance ``2 n_test D`` computed on the fold's own risk sets (the
    datafit's :meth:`~lpnet.datafits.Cox.validation_loss`; glmnet's default ``type.measure="deviance"``
    is the *grouped* deviance, which differs), picks ``alpha_`` by ``alpha_rule`` and refits on all the
    data (``estimator_``).  :meth:`score` is Harrell's concordance index.

    Parameters
    ----------
    penalty : str or Penalty, default="l1"
        A name from :func:`lpnet.penalties.penalty_names` or a Penalty instance (its ``alpha`` ignored).
    l1_ratio : float or list of float, default=None
        Cross-validated with a penalty that takes it (``"elasticnet"``; None: its default).
    p : float, default=1.0
        Used with ``penalty="lp"``.
    ties : {{"breslow", "efron"}}, default="breslow"
        How tied event times enter the partial likelihood.
    random_state : int, RandomState instance or None, default=None
        Shuffles the folds of an int ``cv``.
    {_CV}"""

    #: the Cox model has no intercept; not a parameter
    fit_intercept = False

    def __init__(
        self,
        penalty="l1",
        *,
        l1_ratio=None,
        p=1.0,
        ties="breslow",
        eps=1e-3,
        n_alphas=100,
        alphas=None,
        cv=5,
        alpha_rule="min",
        n_jobs=None,
        progress=False,
        penalty_factor=None,
        lower_bounds=None,
        upper_bounds=None,
        positive=False,
        tol=1e-6,
        max_iter=100,
        random_state=None,
    ):
        self.penalty = penalty
        self.l1_ratio = l1_ratio
        self.p = p
        self.ties = ties
        self.eps = eps
        self.n_alphas = n_alphas
        self.alphas = alphas
        self.cv = cv
        self.alpha_rule = alpha_rule
        self.n_jobs = n_jobs
        self.progress = progress
        self.penalty_factor = penalty_factor
        self.tol = tol
        self.max_iter = max_iter
        self.random_state = random_state
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.positive = positive

    def _datafit(self):
        return Cox(self.ties)

    def _splitter(self, y, datafit):
        if isinstance(self.cv, numbers.Integral) and not isinstance(self.cv, bool):
            from sklearn.model_selection import KFold

            return KFold(self.cv, shuffle=True, random_state=self.random_state)
        return super()._splitter(y, datafit)

    def _final_estimator(self, alpha, l1_ratio):
        penalty, l1_ratio = self._final_penalty(alpha, l1_ratio)
        return CoxRegression(
            penalty,
            alpha,
            l1_ratio=l1_ratio,
            p=self.p,
            penalty_factor=self.penalty_factor,
            lower_bounds=self.lower_bounds,
            upper_bounds=self.upper_bounds,
            positive=self.positive,
            ties=self.ties,
            tol=self.tol,
            max_iter=self.max_iter,
        )

    def score(self, X, y, sample_weight=None):
        """Harrell's concordance index of ``estimator_`` (see :meth:`lpnet.CoxRegression.score`).

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
        check_is_fitted(self, "estimator_")
        return self.estimator_.score(X, y, sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.target_tags.single_output = False
        tags.target_tags.multi_output = True
        return tags
