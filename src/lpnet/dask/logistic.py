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

import numbers
import warnings
from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, check_X_y, validate_data

from .._validation import (
    InvalidParameterError,
    check_alpha,
    check_l1_ratio,
    check_penalty_factor,
    check_positive_int,
    check_sample_weight,
    check_tol,
)
from ..estimators import LogisticRegression as MemoryLogisticRegression
from ..model_selection.cv import CVResults, select_alpha
from ..path import Path, alpha_grid, decreasing_alphas
from ..penalties import Penalty, make_penalty
from .engines import open_data
from .newton import AlphaFit, Scan, null_start, run_models, scan, start_model
from .sources import is_file_input

PENALTIES = ("l1", "l2", "elasticnet")
#: every pass sums a p x p Hessian per model: beyond this many features it no longer pays (nor fits)
MAX_FEATURES = 5000


def dask_input(X) -> bool:
    """Whether ``X`` is a Dask collection (checked by its module, so Dask is not imported for it)."""
    return type(X).__module__.split(".")[0] in ("dask", "dask_expr")


def engine_of(model, X, y, target, columns, weight, sample_weight):
    """``(engine, opened, labels)``.  An :class:`~lpnet.dask.engines.Engine` given as ``X`` is used as it
    is; arrays in memory are validated as scikit-learn does (``labels``: their two class labels, encoded
    as 0.0 / 1.0 for the engine; None for files and Dask collections, whose labels must be numeric)."""
    if hasattr(X, "map_reduce"):
        return X, False, None
    labels = None
    if not (is_file_input(X) or dask_input(X) or target is not None):
        if isinstance(model, BaseEstimator):
            X, y = validate_data(model, X, y, dtype=np.float64)
        else:
            X, y = check_X_y(X, y, dtype=np.float64)
        check_classification_targets(y)
        labels = np.unique(y)
        if labels.shape[0] > 2:
            raise ValueError(
                f"Only binary classification is supported. The type of the target is multiclass "
                f"({labels.shape[0]} classes); the distributed LogisticRegression needs exactly two classes: "
                "fit one model per class."
            )
        if labels.shape[0] == 2:
            y = (y == labels[1]).astype(np.float64)
        if sample_weight is not None:
            sample_weight = check_sample_weight(sample_weight, X.shape[0])
    data = open_data(
        X,
        y,
        target=target,
        columns=columns,
        weight=weight,
        sample_weight=sample_weight,
        engine=model.engine,
        chunk_rows=model.chunk_rows,
        progress=model.progress,
    )
    return data, True, labels


def penalty_template(penalty, l1_ratio, penalty_factor, n_features: int) -> Penalty:
    """The penalty at ``alpha = 1``, checked: convex, with dual kernels, no box, every feature penalized."""
    if n_features > MAX_FEATURES:
        raise ValueError(
            f"{n_features} features: the distributed logistic regression sums a Hessian of n_features^2 values "
            f"per pass and takes at most {MAX_FEATURES} features; select features first, or fit in memory."
        )
    factors = None if penalty_factor is None else check_penalty_factor(penalty_factor, n_features)
    if isinstance(penalty, str) and penalty not in PENALTIES:
        raise InvalidParameterError(
            f"penalty must be one of {PENALTIES} (or a Penalty of one of them) for the distributed logistic "
            f"regression, got {penalty!r}; fit other penalties in memory with lpnet.LogisticRegression."
        )
    template = make_penalty(penalty, 1.0, l1_ratio=l1_ratio, weights=factors)
    if isinstance(penalty, Penalty) and factors is not None:
        template = template.with_weights(factors)
    template = template.with_alpha(1.0)
    if not template.is_convex or template.dual_kernels is None or template.is_bounded:
        raise ValueError(
            f"the distributed logistic regression takes L1, L2 and Elastic Net penalties without bounds, got "
            f"{template.label}; fit it in memory with lpnet.LogisticRegression."
        )
    if np.any(template.penalty_factors(n_features) <= 0):
        raise ValueError(
            "every penalty_factor must be > 0 for the distributed logistic regression (a free feature has no "
            "Gram certificate here); give small positive factors instead of zeros."
        )
    return template


def grid(data: Scan, template: Penalty, alphas, n_alphas, eps, fit_intercept: bool) -> np.ndarray:
    """The given ``alphas`` sorted decreasing, or ``n_alphas`` from ``alpha_max`` (on all the rows)."""
    if alphas is not None and not isinstance(alphas, numbers.Integral):
        out = decreasing_alphas(alphas)
    else:
        point = null_start(data, -1, fit_intercept)[0]
        top = template.alpha_max(point.xg)
        out = alpha_grid(top, n_alphas if alphas is None else alphas, eps)
    if np.any(out <= 0):
        raise ValueError("alphas must be > 0 for the distributed logistic regression (alpha = 0 has no Gram dual).")
    return out


def original(fit: AlphaFit, shift: np.ndarray) -> tuple[np.ndarray, float]:
    """``(coef, intercept)`` of a fit in the data's own coordinates (the passes work on ``x - shift``)."""
    return fit.w, float(fit.b - shift @ fit.w)


def warn_unconverged(fits: list, what: str) -> None:
    bad = [f for f in fits if not f.converged]
    if bad:
        warnings.warn(
            f"{len(bad)} {what} did not converge (largest duality gap {max(f.gap for f in bad):.3e}); "
            "raise max_iter or tol.",
            ConvergenceWarning,
            stacklevel=3,
        )


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


def feature_names(model, engine, X, labels):
    """The feature names when the data have them (files, DataFrames), else None (arrays)."""
    if labels is not None:  # validated in memory: scikit-learn has set them where X had them
        names = getattr(model, "feature_names_in_", None)
        return None if names is None else list(names)
    if hasattr(X, "columns") or is_file_input(X):
        return list(engine.feature_names)
    return None


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
        engine, opened, labels = engine_of(self, X, y, target, columns, weight, sample_weight)
        try:
            template = penalty_template(self.penalty, self.l1_ratio, self.penalty_factor, engine.n_features)
            alpha = check_alpha(self.alpha)
            if alpha <= 0:
                raise InvalidParameterError(
                    "alpha must be > 0 for the distributed logistic regression (alpha = 0 has no dual bound here)."
                )
            data = scan(engine, 1, 0, self.fit_intercept)
            model = start_model(data, -1, [template.with_alpha(alpha)], self.fit_intercept, tol, max_iter)
            run_models(engine, [model], data.shift, data.classes[1], 1, 0)
        finally:
            if opened:
                engine.close()
        fit = model.fits[0]
        warn_unconverged([fit], "fit")
        names = feature_names(self, engine, X, labels)
        est = self._memory_estimator(self.penalty, self.alpha, self.l1_ratio, fit, data, names, labels)
        self._store(est, engine, names)
        return self


@dataclass(repr=False)
class PassPath(Path):
    """A :class:`lpnet.path.Path` with what it cost: ``n_passes`` over the data (the scan included) and
    ``passes_per_alpha``, the passes each alpha took."""

    n_passes: int = 0
    passes_per_alpha: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))


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
    options = SimpleNamespace(engine=engine, chunk_rows=chunk_rows, progress=progress)
    data_engine, opened, _ = engine_of(options, X, y, target, columns, weight, sample_weight)
    try:
        template = penalty_template(penalty, l1_ratio, penalty_factor, data_engine.n_features)
        data = scan(data_engine, 1, 0, fit_intercept)
        grid_alphas = grid(data, template, alphas, n_alphas, eps, fit_intercept)
        model = start_model(data, -1, [template.with_alpha(a) for a in grid_alphas], fit_intercept, tol, max_iter)
        run_models(data_engine, [model], data.shift, data.classes[1], 1, 0)
    finally:
        if opened:
            data_engine.close()
    warn_unconverged(model.fits, "fits of the path")
    coefs, intercepts = zip(*(original(f, data.shift) for f in model.fits), strict=True)
    coefs_arr = np.array(coefs)
    return PassPath(
        alphas=grid_alphas,
        coefs=coefs_arr,
        intercepts=np.array(intercepts),
        objectives=np.array([f.objective for f in model.fits]),
        dual_gaps=np.array([f.gap for f in model.fits]),
        optimality_violations=np.full(len(model.fits), np.nan),
        n_iters=np.array([f.n_iter for f in model.fits]),
        n_nonzero=np.count_nonzero(coefs_arr, axis=1),
        converged=np.array([f.converged for f in model.fits]),
        feature_names=list(data_engine.feature_names),
        penalty=template.label,
        datafit="logistic",
        alpha_max=float(grid_alphas[0]),
        p=template.exponent,
        n_passes=int(data_engine.n_passes),
        passes_per_alpha=np.array([f.n_passes for f in model.fits]),
    )


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

    def _l1_ratios(self) -> list:
        takes = isinstance(self.penalty, str) and self.penalty == "elasticnet"
        takes = takes or (isinstance(self.penalty, Penalty) and "l1_ratio" in self.penalty.shape_parameters())
        if not takes:
            return [None]
        if self.l1_ratio is None:
            return [None if isinstance(self.penalty, str) else self.penalty.shape_parameters()["l1_ratio"]]
        return [check_l1_ratio(r) for r in np.atleast_1d(self.l1_ratio)]

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
        n_folds = self.cv
        if isinstance(n_folds, bool) or not isinstance(n_folds, numbers.Integral) or n_folds < 2:
            raise InvalidParameterError(
                f"cv must be an int >= 2 (the number of folds; rows are assigned by a hash), got {n_folds!r}."
            )
        if self.alpha_rule not in ("min", "1se"):
            raise InvalidParameterError(f"alpha_rule must be 'min' or '1se', got {self.alpha_rule!r}.")
        seed = 0 if self.random_state is None else self.random_state
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
            raise InvalidParameterError(f"random_state must be an int (the seed of the fold hash), got {seed!r}.")
        n_folds, seed = int(n_folds), int(seed)
        engine, opened, labels = engine_of(self, X, y, target, columns, weight, sample_weight)
        try:
            ratios = self._l1_ratios()
            templates = [penalty_template(self.penalty, r, self.penalty_factor, engine.n_features) for r in ratios]
            data = scan(engine, n_folds, seed, self.fit_intercept)
            grids = [grid(data, t, self.alphas, self.n_alphas, self.eps, self.fit_intercept) for t in templates]
            paths = []  # per l1_ratio: the model on all rows, then one per fold
            for template, alphas in zip(templates, grids, strict=True):
                penalties = [template.with_alpha(a) for a in alphas]
                paths.append(
                    [
                        start_model(data, group, penalties, self.fit_intercept, tol, max_iter)
                        for group in range(-1, n_folds)
                    ]
                )
            run_models(engine, [m for models in paths for m in models], data.shift, data.classes[1], n_folds, seed)
        finally:
            if opened:
                engine.close()
        for models in paths:
            warn_unconverged([f for m in models for f in m.fits], "fits of the cross-validation")
        losses = np.array([[[f.held_out[0] for f in m.fits] for m in models[1:]] for models in paths])
        scores = np.array([[[f.held_out[1] for f in m.fits] for m in models[1:]] for models in paths])
        mean, std = losses.mean(axis=1), losses.std(axis=1)
        index_min, index_1se = select_alpha(mean, std, n_folds)
        i, k = index_min if self.alpha_rule == "min" else index_1se
        ratio_values = np.array([t.shape_parameters().get("l1_ratio", 1.0) for t in templates])
        self.cv_results_ = CVResults(np.asarray(grids), ratio_values, losses, mean, std, index_min, index_1se)
        single = len(ratios) == 1
        self.alphas_ = grids[0] if single else np.asarray(grids)
        self.mse_path_ = losses.transpose(0, 2, 1)[0] if single else losses.transpose(0, 2, 1)
        self.scores_path_ = scores.transpose(0, 2, 1)[0] if single else scores.transpose(0, 2, 1)
        self.alpha_ = float(grids[i][k])
        self.l1_ratio_ = float(ratio_values[i])
        self.passes_per_alpha_ = np.max([[f.n_passes for f in m.fits] for m in paths[i]], axis=0)
        names = feature_names(self, engine, X, labels)
        ratio = None if ratios[i] is None and not isinstance(self.penalty, str) else ratios[i]
        if isinstance(self.penalty, str) and self.penalty == "elasticnet":
            ratio = self.l1_ratio_
        penalty = self.penalty if isinstance(self.penalty, str) else templates[i].with_alpha(self.alpha_)
        est = self._memory_estimator(penalty, self.alpha_, ratio, paths[i][0].fits[k], data, names, labels)
        self._store(est, engine, names)
        return self
