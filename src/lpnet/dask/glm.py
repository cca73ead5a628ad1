"""Penalized models of every datafit with a curvature on data bigger than memory, by distributed proximal
Newton: logistic, Poisson, Gamma, Tweedie, Huber (and any scalar datafit of the registry).

The objective is lpnet's (weights ``s_i`` rescaled to sum to the number of rows ``n``)::

    F(w, b) = 1/n sum_i s_i f(y_i, x_i w + b) + P(w)

with ``f`` the datafit (:func:`lpnet.datafits.make_datafit`: its name or an instance such as
``Tweedie(power=1.5)`` or ``Huber(epsilon=1.35, scale=2.0)``) and ``P`` the L1, L2 or Elastic Net
penalty (per-feature factors ``v_j > 0``; beyond :data:`MAX_FEATURES` features, L1 and the Elastic Net
with working sets).  One pass over the data gathers the moments and the target
(:mod:`lpnet.dask.newton_scan`); each later pass makes one proximal Newton step of every model still
running and certifies its points (:mod:`lpnet.dask.newton`): by the duality gap where the datafit has a
closed-form conjugate, else by the scale-free optimality violation, as lpnet's in-memory fits.  A fit, a
warm-started path and a K-fold cross-validation over every alpha and l1_ratio run side by side in the
same passes; ``n_passes_`` and ``n_rows_seen_`` report what they cost.
"""

from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
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
from ..certificates import coef_error_bound
from ..datafits import Datafit, make_datafit
from ..estimators import RegularizedModel as MemoryModel
from ..model_selection.cv import CVResults, select_alpha
from ..model_selection.generic_cv import DatafitChoiceCV
from ..path import Path, alpha_grid, decreasing_alphas
from ..penalties import Penalty, make_penalty
from .engines import open_data
from .newton import H_FLOOR, AlphaFit, PathModel, complete_nulls, run_models
from .newton_scan import NullModel, Scan, null_model, scan
from .sources import is_file_input

PENALTIES = ("l1", "l2", "elasticnet")
#: every pass sums a p x p Hessian per model: beyond this many features only a working set's (L1 and
#: the Elastic Net)
MAX_FEATURES = 5000


def dask_input(X) -> bool:
    """Whether ``X`` is a Dask collection (checked by its module, so Dask is not imported for it)."""
    return type(X).__module__.split(".")[0] in ("dask", "dask_expr")


def check_datafit(datafit, params: dict | None = None) -> Datafit:
    """The datafit, refused where the distributed Newton cannot take it (several outputs, risk sets)."""
    out = make_datafit(datafit, **(params or {}))
    if out.target_is_matrix or out.is_multi_output or out.has_risk_sets:
        raise ValueError(
            f"the {out.name!r} datafit is not fitted out of core (the distributed Newton takes datafits of one "
            "target column with a per-sample curvature); fit it in memory with lpnet."
        )
    return out


def engine_of(model, datafit: Datafit, X, y, target, columns, weight, sample_weight):
    """``(engine, opened, labels)``.  An :class:`~lpnet.dask.engines.Engine` given as ``X`` is used as it
    is; arrays in memory are validated as scikit-learn does (``labels``: a classifier's labels, encoded
    as 0.0, 1.0, ... for the engine; None otherwise and for files and Dask collections, whose targets
    must be numeric)."""
    if hasattr(X, "map_reduce"):
        return X, False, None
    labels = None
    if not (is_file_input(X) or dask_input(X) or target is not None):
        classifier = datafit.is_classifier
        if isinstance(model, BaseEstimator):
            X, y = validate_data(model, X, y, dtype=np.float64, y_numeric=not classifier)
        else:
            X, y = check_X_y(X, y, dtype=np.float64, y_numeric=not classifier)
        if classifier:
            check_classification_targets(y)
            labels, y = np.unique(y, return_inverse=True)
            if labels.shape[0] > 2:  # the datafit's own words (e.g. "Only binary classification ...")
                datafit.encode_target(labels, None, type(model).__name__)
            y = y.astype(np.float64)
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


def penalty_template(penalty, l1_ratio, penalty_factor, n_features: int, what: str) -> Penalty:
    """The penalty at ``alpha = 1``, checked: convex, with dual kernels, no box, every feature penalized
    (``what`` names the model in messages)."""
    factors = None if penalty_factor is None else check_penalty_factor(penalty_factor, n_features)
    if isinstance(penalty, str) and penalty not in PENALTIES:
        raise InvalidParameterError(
            f"penalty must be one of {PENALTIES} (or a Penalty of one of them) for the distributed {what}, got "
            f"{penalty!r}; fit other penalties in memory with lpnet."
        )
    template = make_penalty(penalty, 1.0, l1_ratio=l1_ratio, weights=factors)
    if isinstance(penalty, Penalty) and factors is not None:
        template = template.with_weights(factors)
    template = template.with_alpha(1.0)
    if not template.is_convex or template.dual_kernels is None or template.is_bounded:
        raise ValueError(
            f"the distributed {what} takes L1, L2 and Elastic Net penalties without bounds, got "
            f"{template.label}; fit it in memory with lpnet."
        )
    if n_features > MAX_FEATURES and not np.all(template.zero_threshold(n_features) > 0):
        raise ValueError(
            f"{n_features} features: beyond {MAX_FEATURES} the distributed {what} sums the Hessian of a working "
            f"set only, which needs a penalty that sets coefficients to zero (L1 or the Elastic Net, l1_ratio > 0), "
            f"got {template.label}; select features first, or fit in memory."
        )
    if np.any(template.penalty_factors(n_features) <= 0):
        raise ValueError(
            f"every penalty_factor must be > 0 for the distributed {what} (a free feature has no Gram "
            "certificate here); give small positive factors instead of zeros."
        )
    return template


def check_alphas(alphas, what: str) -> np.ndarray:
    out = decreasing_alphas(alphas)
    if np.any(out <= 0):
        raise InvalidParameterError(
            f"alpha must be > 0 for the distributed {what} (alpha = 0 has no Gram dual); got {out.min():g}."
        )
    return out


def grid(null: NullModel, template: Penalty, alphas, n_alphas, eps, what: str) -> np.ndarray:
    """The given ``alphas`` sorted decreasing, or ``n_alphas`` from ``alpha_max`` (on all the rows)."""
    if alphas is not None and not isinstance(alphas, numbers.Integral):
        return check_alphas(alphas, what)
    assert null.point is not None
    top = template.alpha_max(null.point.xg)
    return check_alphas(alpha_grid(top, n_alphas if alphas is None else alphas, eps), what)


@dataclass
class Solved:
    """What :func:`solve` returns: the scan, the grid per penalty and, per penalty, the model on all the
    rows followed by one per fold."""

    data: Scan
    grids: list
    paths: list


def solve(engine, datafit, templates, alphas, n_alphas, eps, n_folds, seed, fit_intercept, tol, max_iter, what):
    """Scan, null models, grids, then every path (per template: all rows and each fold) in the same passes."""
    if n_folds > 1 and engine.n_rows is not None and engine.n_rows < n_folds:
        raise ValueError(f"cv={n_folds} folds need at least as many rows, got n_samples={engine.n_rows}.")
    wide = engine.n_features > MAX_FEATURES  # working sets: the Hessian of the set's columns only
    data = scan(engine, datafit, n_folds, seed, fit_intercept, f"the distributed {what}", gram=not wide)
    groups = [-1] + (list(range(n_folds)) if n_folds > 1 else [])
    nulls = [null_model(data, g, fit_intercept, H_FLOOR, f"the distributed {what}") for g in groups]
    complete_nulls(engine, data, nulls, n_folds, seed, np.zeros(0, dtype=np.intp) if wide else None)
    grids = [grid(nulls[0], t, alphas, n_alphas, eps, what) for t in templates]
    paths = [
        [
            PathModel(datafit, null, [t.with_alpha(a) for a in g], data.shift, fit_intercept, tol, max_iter)
            for null in nulls
        ]
        for t, g in zip(templates, grids, strict=True)
    ]
    run_models(engine, data, [m for models in paths for m in models], n_folds, seed)
    return Solved(data, grids, paths)


def original(fit: AlphaFit, shift: np.ndarray) -> tuple[np.ndarray, float]:
    """``(coef, intercept)`` of a fit in the data's own coordinates (the passes work on ``x - shift``)."""
    return fit.w, float(fit.b - shift @ fit.w)


def warn_unconverged(fits: list, what: str, has_dual: bool = True) -> None:
    bad = [f for f in fits if not f.converged]
    if bad:
        measure = "duality gap" if has_dual else "optimality violation"
        warnings.warn(
            f"{len(bad)} {what} did not converge (largest {measure} {max(f.gap for f in bad):.3e}); "
            "raise max_iter or tol.",
            ConvergenceWarning,
            stacklevel=3,
        )


def feature_names(model, engine, X, labels):
    """The feature names when the data have them (files, DataFrames), else None (arrays)."""
    if labels is not None or not (hasattr(X, "columns") or is_file_input(X)):
        names = getattr(model, "feature_names_in_", None) if isinstance(model, BaseEstimator) else None
        return None if names is None else list(names)
    return list(engine.feature_names)


def check_cv_params(cv, alpha_rule, random_state) -> tuple[int, int]:
    """``(n_folds, seed)``, checked."""
    if isinstance(cv, bool) or not isinstance(cv, numbers.Integral) or cv < 2:
        raise InvalidParameterError(
            f"cv must be an int >= 2 (the number of folds; rows are assigned by a hash), got {cv!r}."
        )
    if alpha_rule not in ("min", "1se"):
        raise InvalidParameterError(f"alpha_rule must be 'min' or '1se', got {alpha_rule!r}.")
    seed = 0 if random_state is None else random_state
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise InvalidParameterError(f"random_state must be an int (the seed of the fold hash), got {seed!r}.")
    return int(cv), int(seed)


def cv_l1_ratios(penalty, l1_ratio) -> list:
    """The l1_ratios to cross-validate: ``[None]`` for a penalty without one."""
    takes = isinstance(penalty, str) and penalty == "elasticnet"
    takes = takes or (isinstance(penalty, Penalty) and "l1_ratio" in penalty.shape_parameters())
    if not takes:
        return [None]
    if l1_ratio is None:
        return [None if isinstance(penalty, str) else penalty.shape_parameters()["l1_ratio"]]
    return [check_l1_ratio(r) for r in np.atleast_1d(l1_ratio)]


@dataclass
class CVChoice:
    """What the cross-validation chose and measured (see :func:`cross_validate`)."""

    results: CVResults
    alphas: np.ndarray
    losses: np.ndarray  # (n_l1_ratios, n_alphas, n_folds) or (n_alphas, n_folds)
    scores: np.ndarray
    alpha: float
    l1_ratio: float
    index: tuple
    passes_per_alpha: np.ndarray


def cross_validate(solved: Solved, templates: list, n_folds: int, alpha_rule: str) -> CVChoice:
    """The held-out losses of every fold's path and the alpha (and l1_ratio) they choose."""
    paths, grids = solved.paths, solved.grids
    losses = np.array([[[f.held_out[0] for f in m.fits] for m in models[1:]] for models in paths])
    scores = np.array([[[f.held_out[1] for f in m.fits] for m in models[1:]] for models in paths])
    mean, std = losses.mean(axis=1), losses.std(axis=1)
    index_min, index_1se = select_alpha(mean, std, n_folds)
    i, k = index_min if alpha_rule == "min" else index_1se
    ratios = np.array([t.shape_parameters().get("l1_ratio", 1.0) for t in templates])
    results = CVResults(np.asarray(grids), ratios, losses, mean, std, index_min, index_1se)
    single = len(templates) == 1
    per_alpha = np.max([[f.n_passes for f in m.fits] for m in paths[i]], axis=0)
    return CVChoice(
        results,
        grids[0] if single else np.asarray(grids),
        losses.transpose(0, 2, 1)[0] if single else losses.transpose(0, 2, 1),
        scores.transpose(0, 2, 1)[0] if single else scores.transpose(0, 2, 1),
        float(grids[i][k]),
        float(ratios[i]),
        (i, k),
        per_alpha,
    )


@dataclass(repr=False)
class PassPath(Path):
    """A :class:`lpnet.path.Path` with what it cost: ``n_passes`` over the data (the scan included) and
    ``passes_per_alpha``, the passes each alpha took."""

    n_passes: int = 0
    passes_per_alpha: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))


def pass_path(solved: Solved, template: Penalty, engine, datafit: Datafit) -> PassPath:
    """The path of the model on all the rows as a :class:`PassPath`."""
    fits = solved.paths[0][0].fits
    coefs, intercepts = zip(*(original(f, solved.data.shift) for f in fits), strict=True)
    coefs_arr = np.array(coefs)
    certificates = np.array([f.gap for f in fits])
    missing = np.full(len(fits), np.nan)
    return PassPath(
        alphas=solved.grids[0],
        coefs=coefs_arr,
        intercepts=np.array(intercepts),
        objectives=np.array([f.objective for f in fits]),
        dual_gaps=certificates if datafit.has_dual else missing,
        optimality_violations=missing if datafit.has_dual else certificates,
        n_iters=np.array([f.n_iter for f in fits]),
        n_nonzero=np.count_nonzero(coefs_arr, axis=1),
        converged=np.array([f.converged for f in fits]),
        feature_names=list(engine.feature_names),
        penalty=template.label,
        datafit=datafit.name,
        alpha_max=float(solved.grids[0][0]),
        p=template.exponent,
        n_passes=int(engine.n_passes),
        passes_per_alpha=np.array([f.n_passes for f in fits]),
    )


class DistributedModel(DatafitChoiceCV, BaseEstimator):
    """Shared by :class:`RegularizedModel` and :class:`RegularizedModelCV`: predictions by ``estimator_``, an
    in-memory :class:`lpnet.RegularizedModel` with the same coefficients (which can be saved and used
    without Dask); a regressor or a binary classifier by the datafit, as the in-memory model (the scores
    and the classifier's methods are :class:`~lpnet.model_selection.generic_cv.DatafitChoiceCV`'s)."""

    def predict(self, X):
        """The predicted mean (the datafit's inverse link), or the labels for a classifier.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples, in memory.

        Returns
        -------
        ndarray of shape (n_samples,)
            As :class:`lpnet.RegularizedModel`'s.
        """
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        if tags.estimator_type == "regressor":
            try:  # a datafit whose loss is not finite at a negative target takes none
                datafit = make_datafit(self.datafit)
                with np.errstate(all="ignore"):
                    loss = datafit.sample_losses(np.array([-1.0]), np.zeros(1))
                tags.target_tags.positive_only = not np.isfinite(loss[0])
            except (TypeError, ValueError):
                pass
        return tags

    def _twin(self, datafit, penalty, alpha, l1_ratio, fit: AlphaFit, data: Scan, names, labels, template):
        """The in-memory model holding the fit (``estimator_``)."""
        est = MemoryModel(
            self.datafit,
            penalty,
            alpha,
            l1_ratio=l1_ratio,
            fit_intercept=self.fit_intercept,
            penalty_factor=self.penalty_factor,
            tol=self.tol,
            max_iter=self.max_iter,
        )
        coef, intercept = original(fit, data.shift)
        # scikit-learn's shapes: a binary classifier's coef_ is one row, its intercept_ and n_iter_ arrays
        fitted: tuple[Any, Any, Any] = (coef.copy(), intercept, int(fit.n_iter))
        if datafit.is_classifier:
            est.classes_ = data.classes if labels is None else labels
            fitted = (coef.reshape(1, -1).copy(), np.array([intercept]), np.array([fit.n_iter], dtype=np.int32))
        est.coef_, est.intercept_, est.n_iter_ = fitted
        est.objective_ = fit.objective
        est.dual_gap_ = fit.gap if datafit.has_dual else None
        est.optimality_violation_ = None if datafit.has_dual else fit.gap
        est.coef_error_bound_ = coef_error_bound(est.dual_gap_, template.with_alpha(alpha), coef.shape[0])
        est.converged_ = fit.converged
        est.n_outer_iter_ = int(fit.n_iter)
        est.solver_ = "distributed newton"
        est.n_features_in_ = coef.shape[0]
        if names is not None:
            est.feature_names_in_ = np.asarray(names, dtype=object)
        return est

    def _store(self, est, engine, names) -> None:
        self.estimator_ = est
        if hasattr(est, "classes_"):
            self.classes_ = est.classes_
        self.coef_, self.intercept_, self.n_iter_ = est.coef_, est.intercept_, est.n_iter_
        self.objective_, self.converged_ = est.objective_, est.converged_
        self.dual_gap_, self.optimality_violation_ = est.dual_gap_, est.optimality_violation_
        self.coef_error_bound_ = est.coef_error_bound_
        self.n_features_in_ = est.n_features_in_
        if names is not None:
            self.feature_names_in_ = est.feature_names_in_
        self.n_passes_ = int(engine.n_passes)
        self.n_rows_seen_ = int(engine.n_rows_seen)


_SHARED_PARAMS = """datafit : str or Datafit, default="poisson"
        A name from :func:`lpnet.datafits.datafit_names` with one target column (``"logistic"``,
        ``"poisson"``, ``"gamma"``, ``"tweedie"``, ``"huber"``, ...) or an instance, e.g.
        ``Tweedie(power=1.5)``, ``Huber(epsilon=1.35, scale=2.0)``.
    penalty : {"l1", "l2", "elasticnet"} or Penalty, default="l1"
    """

_ENGINE_PARAMS = """fit_intercept : bool, default=True
    penalty_factor : array-like of shape (n_features,), optional
        Per-feature factors ``v_j > 0``.
    tol : float, default=1e-6
        Stop when the duality gap is at most ``tol`` times the null model's objective (the optimality
        violation at most ``tol`` for a datafit without a closed-form conjugate, e.g. Tweedie).
    max_iter : int, default=100
        Newton steps at most (per alpha).
    engine : {"auto", "memory", "stream", "dask"}, default="auto"
        See :func:`lpnet.dask.open_data`.
    chunk_rows : int, optional
        Rows per chunk (stream and memory engines).
    progress : bool, default=False
        A progress bar for every pass."""

_CERT_ATTRIBUTES = """objective_ : float
    dual_gap_, optimality_violation_ : float or None
        The certificate, as :class:`lpnet.RegularizedModel` reports it for the datafit (the other is None).
    coef_error_bound_ : float or None
        ``sqrt(2 G / mu)`` for a strongly convex penalty and a gap.
    converged_ : bool
    n_passes_, n_rows_seen_ : int
        Passes over the data, and the rows they read.
    estimator_ : lpnet.RegularizedModel
        An in-memory model with the same coefficients (to predict, save or inspect).
    feature_names_in_ : ndarray of str
        With files or DataFrames."""


class RegularizedModel(DistributedModel):
    __doc__ = f"""A penalized model of any datafit with a curvature on files or Dask collections, by
    distributed proximal Newton.

    Objective ``1/n sum_i s_i f(y_i, x_i w + b) + P(w)`` with ``f`` the datafit and ``P`` ``alpha sum_j v_j
    |w_j|`` (``"l1"``), ``alpha/2 sum_j v_j w_j^2`` (``"l2"``) or ``alpha sum_j v_j (l1_ratio |w_j| +
    (1 - l1_ratio)/2 w_j^2)`` (``"elasticnet"``), as :class:`lpnet.RegularizedModel`.  One pass gathers the
    moments and the target (one more, for a continuous target, evaluates the null model's Hessian); each
    later pass makes one Newton step and certifies the points it reaches.

    Parameters
    ----------
    {_SHARED_PARAMS}alpha : float, default=1.0
        Regularization strength, > 0.
    l1_ratio : float, default=None
        Elastic Net mixing (None: 0.5).
    {_ENGINE_PARAMS}

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,), or (1, n_features) for a classifier
    intercept_ : float, or ndarray of shape (1,) for a classifier
    classes_ : ndarray of shape (2,)
        A classifier's labels.
    n_iter_ : int or ndarray of shape (1,)
        Newton steps.
    {_CERT_ATTRIBUTES}
    """

    def __init__(
        self,
        datafit="poisson",
        penalty="l1",
        alpha=1.0,
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
        self.datafit = datafit
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
            The target, unless ``target`` names its column.
        target, columns, weight : str, list of str, str, optional
            Column names (files and DataFrames): the target, the features, the sample weights.
        sample_weight : array-like, optional
            Sample weights for arrays.

        Returns
        -------
        self
        """
        tol = check_tol(self.tol)
        max_iter = check_positive_int(self.max_iter, "max_iter")
        datafit = check_datafit(self.datafit)
        what = f"{datafit.name} model"
        alpha = check_alpha(self.alpha)
        check_alphas([alpha], what)
        engine, opened, labels = engine_of(self, datafit, X, y, target, columns, weight, sample_weight)
        try:
            template = penalty_template(self.penalty, self.l1_ratio, self.penalty_factor, engine.n_features, what)
            solved = solve(
                engine, datafit, [template], [alpha], None, None, 1, 0, self.fit_intercept, tol, max_iter, what
            )
        finally:
            if opened:
                engine.close()
        fit = solved.paths[0][0].fits[0]
        warn_unconverged([fit], "fit", datafit.has_dual)
        names = feature_names(self, engine, X, labels)
        est = self._twin(datafit, self.penalty, self.alpha, self.l1_ratio, fit, solved.data, names, labels, template)
        self._store(est, engine, names)
        return self


def glm_path(
    X,
    y=None,
    *,
    datafit="poisson",
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
    """The certified, warm-started regularization path of any datafit with a curvature, by distributed
    proximal Newton.

    Minimizes ``1/n sum_i s_i f(y_i, x_i w + b) + P_alpha(w)`` for every alpha (decreasing), each fit
    starting at the previous solution.  The arguments are those of :class:`RegularizedModel` and of
    :func:`lpnet.regularization_path` (``alphas``: a grid, or their number; default ``n_alphas`` from
    ``alpha_max`` down to ``eps * alpha_max``).

    Parameters
    ----------
    X, y, target, columns, weight, sample_weight, engine, chunk_rows, progress
        The data and how to read it, as :func:`lpnet.dask.open_data` takes them.
    datafit, penalty, l1_ratio, penalty_factor, fit_intercept, tol, max_iter
        As :class:`RegularizedModel`.
    alphas, n_alphas, eps
        The grid, as :func:`lpnet.regularization_path` takes it.

    Returns
    -------
    PassPath
        A :class:`lpnet.path.Path` (``dual_gaps``, or ``optimality_violations`` for a datafit without a
        closed-form conjugate) with two more attributes: ``n_passes`` (all passes over the data, the scan
        included) and ``passes_per_alpha`` (ndarray, the passes each alpha took).
    """
    tol = check_tol(tol)
    max_iter = check_positive_int(max_iter, "max_iter")
    loss = check_datafit(datafit)
    if loss.is_quadratic:
        raise ValueError("the squared loss has its one-pass path: lpnet.dask.regularization_path(datafit='squared').")
    what = f"{loss.name} path"
    options = SimpleNamespace(engine=engine, chunk_rows=chunk_rows, progress=progress)
    data_engine, opened, _ = engine_of(options, loss, X, y, target, columns, weight, sample_weight)
    try:
        template = penalty_template(penalty, l1_ratio, penalty_factor, data_engine.n_features, what)
        solved = solve(data_engine, loss, [template], alphas, n_alphas, eps, 1, 0, fit_intercept, tol, max_iter, what)
    finally:
        if opened:
            data_engine.close()
    warn_unconverged(solved.paths[0][0].fits, "fits of the path", loss.has_dual)
    return pass_path(solved, template, data_engine, loss)


class RegularizedModelCV(DistributedModel):
    __doc__ = f"""A penalized model of any datafit with a curvature, alpha (and l1_ratio) chosen by K-fold
    cross-validated validation loss, on files or Dask collections.

    The objective is :class:`RegularizedModel`'s.  A row's fold is a seeded hash of its position in the
    data (:func:`lpnet.dask.fold_of`, seed ``random_state``), the same for every engine and chunking.  The
    path of every training set (the rows outside a fold), for every l1_ratio, and the path on all the
    rows run side by side: each pass makes one proximal Newton step of every one of them and evaluates
    each held-out fold's loss (the datafit's ``validation_loss``), so the whole cross-validation costs
    about as many passes as one path.  ``alpha_`` minimizes the mean held-out loss (``alpha_rule="min"``)
    or is the largest alpha within one standard error of it (``"1se"``); the fit at ``alpha_`` on all the
    rows is the path's, certified like every other.

    Parameters
    ----------
    {_SHARED_PARAMS}l1_ratio : float or list of float, default=None
        Cross-validated with ``"elasticnet"`` (None: 0.5).
    n_alphas : int, default=20
    eps : float, default=1e-3
        The grid runs from ``alpha_max`` (on all the rows) down to ``eps * alpha_max``.
    alphas : array-like, optional
        An explicit grid (sorted decreasing).
    cv : int, default=5
        Number of folds.
    alpha_rule : {{"min", "1se"}}, default="min"
    random_state : int, default=0
        Seed of the fold hash.
    {_ENGINE_PARAMS}

    Attributes
    ----------
    alpha_, l1_ratio_ : float
    alphas_ : ndarray of shape (n_alphas,), or (n_l1_ratios, n_alphas) for several l1_ratios
    mse_path_ : ndarray of shape (n_alphas, n_folds), or (n_l1_ratios, n_alphas, n_folds)
        Held-out mean validation loss (the name scikit-learn's linear CV estimators use for the CV loss).
    cv_results_ : lpnet.model_selection.cv.CVResults
    coef_, intercept_, classes_, n_iter_
        Of the fit at ``alpha_`` on all the rows.
    passes_per_alpha_ : ndarray of shape (n_alphas,)
        Passes the slowest model took at each alpha (as all run in the same passes).
    {_CERT_ATTRIBUTES}
    """

    def __init__(
        self,
        datafit="poisson",
        penalty="l1",
        *,
        l1_ratio=None,
        n_alphas=20,
        eps=1e-3,
        alphas=None,
        cv=5,
        alpha_rule="min",
        random_state=0,
        fit_intercept=True,
        penalty_factor=None,
        tol=1e-6,
        max_iter=100,
        engine="auto",
        chunk_rows=None,
        progress=False,
    ):
        self.datafit = datafit
        self.penalty = penalty
        self.l1_ratio = l1_ratio
        self.n_alphas = n_alphas
        self.eps = eps
        self.alphas = alphas
        self.cv = cv
        self.alpha_rule = alpha_rule
        self.random_state = random_state
        self.fit_intercept = fit_intercept
        self.penalty_factor = penalty_factor
        self.tol = tol
        self.max_iter = max_iter
        self.engine = engine
        self.chunk_rows = chunk_rows
        self.progress = progress

    def fit(self, X, y=None, *, target=None, columns=None, weight=None, sample_weight=None):
        """Cross-validate and fit.

        Parameters
        ----------
        X, y, target, columns, weight, sample_weight
            The data, as :meth:`RegularizedModel.fit` takes them.

        Returns
        -------
        self
        """
        tol = check_tol(self.tol)
        max_iter = check_positive_int(self.max_iter, "max_iter")
        n_folds, seed = check_cv_params(self.cv, self.alpha_rule, self.random_state)
        datafit = check_datafit(self.datafit)
        what = f"{datafit.name} model"
        engine, opened, labels = engine_of(self, datafit, X, y, target, columns, weight, sample_weight)
        try:
            ratios = cv_l1_ratios(self.penalty, self.l1_ratio)
            templates = [
                penalty_template(self.penalty, r, self.penalty_factor, engine.n_features, what) for r in ratios
            ]
            solved = solve(
                engine, datafit, templates, self.alphas, self.n_alphas, self.eps, n_folds, seed,
                self.fit_intercept, tol, max_iter, what,
            )  # fmt: skip
        finally:
            if opened:
                engine.close()
        for models in solved.paths:
            warn_unconverged([f for m in models for f in m.fits], "fits of the cross-validation", datafit.has_dual)
        choice = cross_validate(solved, templates, n_folds, self.alpha_rule)
        self.cv_results_, self.alphas_, self.mse_path_ = choice.results, choice.alphas, choice.losses
        self.alpha_, self.l1_ratio_ = choice.alpha, choice.l1_ratio
        self.passes_per_alpha_ = choice.passes_per_alpha
        i, k = choice.index
        names = feature_names(self, engine, X, labels)
        ratio = self.l1_ratio_ if isinstance(self.penalty, str) and self.penalty == "elasticnet" else None
        penalty = self.penalty if isinstance(self.penalty, str) else templates[i].with_alpha(self.alpha_)
        fit = solved.paths[i][0].fits[k]
        est = self._twin(datafit, penalty, self.alpha_, ratio, fit, solved.data, names, labels, templates[i])
        self._store(est, engine, names)
        return self
