"""Penalized binary logistic regression on data bigger than memory, by distributed proximal Newton.

The objective is lpnet's (weights ``s_i`` rescaled to sum to the number of rows ``n``, labels encoded
as -1 / +1 with ``classes_[1]`` the positive class)::

    F(w, b) = 1/n sum_i s_i log(1 + exp(-y_i (x_i w + b))) + P(w)

with ``P`` the L1, L2 or Elastic Net penalty (per-feature factors ``v_j > 0``).  One pass over the data
gathers the moments; each later pass makes one proximal Newton step of every model still running
(see :mod:`lpnet.dask.newton`) and certifies the point it started from by a duality gap.  A fit, a
warm-started path and a K-fold cross-validation over every alpha and l1_ratio run side by side in the
same passes.  ``n_passes_`` and ``n_rows_seen_`` report what they cost.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from .._validation import InvalidParameterError, check_alpha, check_positive_int, check_tol
from ..datafits import Logistic
from ..estimators import LogisticRegression as MemoryLogisticRegression
from .glm import (
    PassPath,
    check_cv_params,
    cross_validate,
    cv_l1_ratios,
    engine_of,
    feature_names,
    original,
    pass_path,
    penalty_template,
    solve,
    warn_unconverged,
)
from .newton import AlphaFit
from .newton_scan import Scan

WHAT = "logistic regression"


class DistributedClassifier(ClassifierMixin, BaseEstimator):
    """Shared prediction: by ``estimator_``, an in-memory :class:`lpnet.LogisticRegression` holding the
    same coefficients (which can be saved and used without Dask)."""

    def decision_function(self, X):
        """The scores, by ``estimator_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples, in memory.

        Returns
        -------
        ndarray
            As :class:`lpnet.LogisticRegression`'s.
        """
        check_is_fitted(self, "estimator_")
        return self.estimator_.decision_function(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False  # binary only
        return tags

    def predict(self, X):
        """The predicted labels, by ``estimator_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples, in memory.

        Returns
        -------
        ndarray
            As :class:`lpnet.LogisticRegression`'s.
        """
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict(X)

    def predict_proba(self, X):
        """The class probabilities, by ``estimator_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples, in memory.

        Returns
        -------
        ndarray
            As :class:`lpnet.LogisticRegression`'s.
        """
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict_proba(X)

    def predict_log_proba(self, X):
        """The logarithms of the class probabilities, by ``estimator_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples, in memory.

        Returns
        -------
        ndarray
            As :class:`lpnet.LogisticRegression`'s.
        """
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict_log_proba(X)

    def _memory_estimator(self, penalty, alpha, l1_ratio, fit: AlphaFit, data: Scan, names, labels):
        est = MemoryLogisticRegression(
            penalty,
            alpha,
            l1_ratio=l1_ratio,
            fit_intercept=self.fit_intercept,
            penalty_factor=self.penalty_factor,
            tol=self.tol,
            max_iter=self.max_iter,
        )
        coef, intercept = original(fit, data.shift)
        est.classes_ = data.classes if labels is None else labels
        est.coef_ = coef.reshape(1, -1).copy()
        est.intercept_ = np.array([intercept])
        est.n_iter_ = np.array([fit.n_iter], dtype=np.int32)
        est.objective_ = fit.objective
        est.dual_gap_ = fit.gap
        est.converged_ = fit.converged
        est.optimality_violation_ = None
        est.n_features_in_ = coef.shape[0]
        if names is not None:
            est.feature_names_in_ = np.asarray(names, dtype=object)
        return est

    def _store(self, est, engine, names) -> None:
        self.estimator_ = est
        self.classes_ = est.classes_
        self.coef_, self.intercept_, self.n_iter_ = est.coef_, est.intercept_, est.n_iter_
        self.dual_gap_, self.converged_, self.objective_ = est.dual_gap_, est.converged_, est.objective_
        self.n_features_in_ = est.n_features_in_
        if names is not None:
            self.feature_names_in_ = est.feature_names_in_
        self.n_passes_ = int(engine.n_passes)
        self.n_rows_seen_ = int(engine.n_rows_seen)


class LogisticRegression(DistributedClassifier):
    """Binary logistic regression on files or Dask collections, by distributed proximal Newton.

    Objective, labels encoded as -1 / +1 (``classes_[1]`` positive), weights summing to ``n``::

        1/n sum_i s_i log(1 + exp(-y_i (x_i w + b))) + P(w)

    ``P`` is ``alpha sum_j v_j |w_j|`` (``"l1"``), ``alpha/2 sum_j v_j w_j^2`` (``"l2"``) or
    ``alpha sum_j v_j (l1_ratio |w_j| + (1 - l1_ratio)/2 w_j^2)`` (``"elasticnet"``), as in
    :class:`lpnet.LogisticRegression` (scikit-learn's ``C`` is ``1 / (n alpha)``).

    One pass over the data collects the moments; then each pass makes one Newton step and certifies
    the previous point by its duality gap, so a fit costs (Newton steps + 2) passes.

    Parameters
    ----------
    penalty : {"l1", "l2", "elasticnet"} or Penalty, default="l2"
    alpha : float, default=0.01
        Regularization strength, > 0.
    l1_ratio : float, default=None
        Elastic Net mixing (None: 0.5).
    fit_intercept : bool, default=True
    penalty_factor : array-like of shape (n_features,), optional
        Per-feature factors ``v_j > 0``.
    tol : float, default=1e-6
        Stop when the duality gap is at most ``tol`` times the null model's objective.
    max_iter : int, default=100
        Newton steps at most.
    engine : {"auto", "memory", "stream", "dask"}, default="auto"
        See :func:`lpnet.dask.open_data`.
    chunk_rows : int, optional
        Rows per chunk (stream and memory engines).
    progress : bool, default=False
        A progress bar for every pass.

    Attributes
    ----------
    coef_ : ndarray of shape (1, n_features)
    intercept_ : ndarray of shape (1,)
    classes_ : ndarray of shape (2,)
    n_iter_ : ndarray of shape (1,)
        Newton steps.
    objective_, dual_gap_ : float
        The objective and its certified duality gap.
    converged_ : bool
    n_passes_, n_rows_seen_ : int
        Passes over the data, and the rows they read.
    estimator_ : lpnet.LogisticRegression
        An in-memory estimator with the same coefficients (to predict, save or inspect).
    feature_names_in_ : ndarray of str
        With files or DataFrames.
    """

    def __init__(
        self,
        penalty="l2",
        alpha=0.01,
        *,
        l1_ratio=None,
        fit_intercept=True,
        penalty_factor=None,
        tol=1e-6,
        max_iter=100,
        engine="auto",
        chunk_rows=None,
        progress=False,
    ):
        self.penalty = penalty
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.penalty_factor = penalty_factor
        self.tol = tol
        self.max_iter = max_iter
        self.engine = engine
        self.chunk_rows = chunk_rows
        self.progress = progress

    def fit(self, X, y=None, *, target=None, columns=None, weight=None, sample_weight=None):
        """Fit on ``X`` (files with ``target=COLUMN``, Dask collections, or arrays) and certify the fit.

        Parameters
        ----------
        X : path, glob, list of paths, dask array or DataFrame, ndarray or pandas DataFrame
        y : array-like or dask array, optional
            The labels, unless ``target`` names their column.
        target, columns, weight : str, list of str, str, optional
            Column names (files and DataFrames): the labels, the features, the sample weights.
        sample_weight : array-like, optional
            Sample weights for arrays.
        """
        tol = check_tol(self.tol)
        max_iter = check_positive_int(self.max_iter, "max_iter")
        datafit = Logistic()
        engine, opened, labels = engine_of(self, datafit, X, y, target, columns, weight, sample_weight)
        try:
            template = penalty_template(self.penalty, self.l1_ratio, self.penalty_factor, engine.n_features, WHAT)
            alpha = check_alpha(self.alpha)
            if alpha <= 0:
                raise InvalidParameterError(
                    "alpha must be > 0 for the distributed logistic regression (alpha = 0 has no dual bound here)."
                )
            solved = solve(
                engine, datafit, [template], [alpha], None, None, 1, 0, self.fit_intercept, tol, max_iter, WHAT
            )
        finally:
            if opened:
                engine.close()
        fit = solved.paths[0][0].fits[0]
        warn_unconverged([fit], "fit")
        names = feature_names(self, engine, X, labels)
        est = self._memory_estimator(self.penalty, self.alpha, self.l1_ratio, fit, solved.data, names, labels)
        self._store(est, engine, names)
        return self


def logistic_path(
    X,
    y=None,
    *,
    target=None,
    columns=None,
    weight=None,
    sample_weight=None,
    penalty="l1",
    l1_ratio=None,
    alphas=None,
    n_alphas=20,
    eps=1e-3,
    fit_intercept=True,
    penalty_factor=None,
    tol=1e-6,
    max_iter=100,
    engine="auto",
    chunk_rows=None,
    progress=False,
) -> PassPath:
    """The certified, warm-started regularization path of the logistic loss, by distributed proximal Newton.

    Minimizes ``1/n sum_i s_i log(1 + exp(-y_i (x_i w + b))) + P_alpha(w)`` for every alpha (decreasing),
    each fit starting at the previous solution.  The arguments are those of :class:`LogisticRegression`
    and of :func:`lpnet.regularization_path` (``alphas``: a grid, or their number; default ``n_alphas``
    from ``alpha_max`` down to ``eps * alpha_max``).

    Parameters
    ----------
    X, y, target, columns, weight, sample_weight, engine, chunk_rows, progress
        The data and how to read it, as :func:`lpnet.dask.open_data` takes them.
    penalty, l1_ratio, penalty_factor, fit_intercept, tol, max_iter
        As :class:`LogisticRegression`.
    alphas, n_alphas, eps
        The grid, as :func:`lpnet.regularization_path` takes it.

    Returns
    -------
    PassPath
        A :class:`lpnet.path.Path` with two more attributes: ``n_passes`` (all passes over the data, the
        scan included) and ``passes_per_alpha`` (ndarray, the passes each alpha took).
    """
    tol = check_tol(tol)
    max_iter = check_positive_int(max_iter, "max_iter")
    datafit = Logistic()
    options = SimpleNamespace(engine=engine, chunk_rows=chunk_rows, progress=progress)
    data_engine, opened, _ = engine_of(options, datafit, X, y, target, columns, weight, sample_weight)
    try:
        template = penalty_template(penalty, l1_ratio, penalty_factor, data_engine.n_features, WHAT)
        solved = solve(
            data_engine, datafit, [template], alphas, n_alphas, eps, 1, 0, fit_intercept, tol, max_iter, WHAT
        )
    finally:
        if opened:
            data_engine.close()
    warn_unconverged(solved.paths[0][0].fits, "fits of the path")
    return pass_path(solved, template, data_engine, datafit)


class LogisticRegressionCV(DistributedClassifier):
    """Binary logistic regression with alpha (and l1_ratio) chosen by K-fold cross-validated log-loss, on
    files or Dask collections.

    The objective is :class:`LogisticRegression`'s.  A row's fold is a seeded hash of its position in the
    data (:func:`lpnet.dask.fold_of`, seed ``random_state``), the same for every engine and chunking.
    The path of every training set (the rows outside a fold), for every l1_ratio, and the path on all
    the rows run side by side: each pass makes one proximal Newton step of every one of them and
    evaluates each held-out fold's log-loss, so the whole cross-validation costs about as many passes
    as one path.  ``alpha_`` minimizes the mean held-out log-loss (``alpha_rule="min"``) or is the
    largest alpha within one standard error of it (``"1se"``); the fit at ``alpha_`` on all the rows
    is the path's, certified like every other.

    Parameters
    ----------
    penalty : {"l1", "l2", "elasticnet"} or Penalty, default="l2"
    l1_ratio : float or list of float, default=None
        Cross-validated with ``"elasticnet"`` (None: 0.5).
    n_alphas : int, default=20
    eps : float, default=1e-3
        The grid runs from ``alpha_max`` (on all the rows) down to ``eps * alpha_max``.
    alphas : array-like, optional
        An explicit grid (sorted decreasing).
    cv : int, default=5
        Number of folds.
    alpha_rule : {"min", "1se"}, default="min"
    fit_intercept, penalty_factor, tol, max_iter, engine, chunk_rows, progress
        As in :class:`LogisticRegression` (``max_iter``: Newton steps per alpha).
    random_state : int, default=0
        Seed of the fold hash.

    Attributes
    ----------
    alpha_, l1_ratio_ : float
    alphas_ : ndarray of shape (n_alphas,), or (n_l1_ratios, n_alphas) for several l1_ratios
    mse_path_ : ndarray of shape (n_alphas, n_folds), or (n_l1_ratios, n_alphas, n_folds)
        Held-out mean log-loss (the name scikit-learn's linear CV estimators use for the CV loss).
    scores_path_ : ndarray, same shape
        Held-out accuracy.
    cv_results_ : lpnet.model_selection.cv.CVResults
    coef_, intercept_, classes_, n_iter_, objective_, dual_gap_, converged_
        Of the fit at ``alpha_`` on all the rows.
    n_passes_, n_rows_seen_ : int
    passes_per_alpha_ : ndarray of shape (n_alphas,)
        Passes the slowest model took at each alpha (as all run in the same passes).
    estimator_ : lpnet.LogisticRegression
    """

    def __init__(
        self,
        penalty="l2",
        *,
        l1_ratio=None,
        n_alphas=20,
        eps=1e-3,
        alphas=None,
        cv=5,
        alpha_rule="min",
        fit_intercept=True,
        penalty_factor=None,
        tol=1e-6,
        max_iter=100,
        engine="auto",
        chunk_rows=None,
        progress=False,
        random_state=0,
    ):
        self.penalty = penalty
        self.l1_ratio = l1_ratio
        self.n_alphas = n_alphas
        self.eps = eps
        self.alphas = alphas
        self.cv = cv
        self.alpha_rule = alpha_rule
        self.fit_intercept = fit_intercept
        self.penalty_factor = penalty_factor
        self.tol = tol
        self.max_iter = max_iter
        self.engine = engine
        self.chunk_rows = chunk_rows
        self.progress = progress
        self.random_state = random_state

    def fit(self, X, y=None, *, target=None, columns=None, weight=None, sample_weight=None):
        """Cross-validate and fit.

        Parameters
        ----------
        X, y, target, columns, weight, sample_weight
            The data, as :meth:`LogisticRegression.fit` takes them.

        Returns
        -------
        self
        """
        tol = check_tol(self.tol)
        max_iter = check_positive_int(self.max_iter, "max_iter")
        n_folds, seed = check_cv_params(self.cv, self.alpha_rule, self.random_state)
        datafit = Logistic()
        engine, opened, labels = engine_of(self, datafit, X, y, target, columns, weight, sample_weight)
        try:
            ratios = cv_l1_ratios(self.penalty, self.l1_ratio)
            templates = [
                penalty_template(self.penalty, r, self.penalty_factor, engine.n_features, WHAT) for r in ratios
            ]
            solved = solve(
                engine, datafit, templates, self.alphas, self.n_alphas, self.eps, n_folds, seed,
                self.fit_intercept, tol, max_iter, WHAT,
            )  # fmt: skip
        finally:
            if opened:
                engine.close()
        for models in solved.paths:
            warn_unconverged([f for m in models for f in m.fits], "fits of the cross-validation")
        choice = cross_validate(solved, templates, n_folds, self.alpha_rule)
        self.cv_results_, self.alphas_ = choice.results, choice.alphas
        self.mse_path_, self.scores_path_ = choice.losses, choice.scores
        self.alpha_, self.l1_ratio_ = choice.alpha, choice.l1_ratio
        self.passes_per_alpha_ = choice.passes_per_alpha
        i, k = choice.index
        names = feature_names(self, engine, X, labels)
        ratio = None if ratios[i] is None and not isinstance(self.penalty, str) else ratios[i]
        if isinstance(self.penalty, str) and self.penalty == "elasticnet":
            ratio = self.l1_ratio_
        penalty = self.penalty if isinstance(self.penalty, str) else templates[i].with_alpha(self.alpha_)
        fit = solved.paths[i][0].fits[k]
        est = self._memory_estimator(penalty, self.alpha_, ratio, fit, solved.data, names, labels)
        self._store(est, engine, names)
        return self
