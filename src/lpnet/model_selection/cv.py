"""Cross-validated estimators that trace whole regularization paths on every fold.

Every estimator here traces the certified regularization path on each training fold (warm starts, every
alpha certified) over one grid computed on all the data, scores each alpha on the held-out fold, picks
``alpha_`` by the smallest mean validation loss (``alpha_rule="min"``) or by glmnet's one-standard-error
rule (``"1se"``: the largest alpha whose mean loss is within one standard error of the minimum), and
refits on all the data at the chosen alpha.
"""

from __future__ import annotations

import numbers
import threading
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from joblib import Parallel, delayed
from sklearn import config_context, get_config
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.metadata_routing import MetadataRouter, MethodMapping, process_routing
from sklearn.utils.validation import check_is_fitted

from .._progress import progress_bar
from .._validation import InvalidParameterError, check_l1_ratio, check_penalty_factor
from ..datafits import Logistic, Quadratic
from ..estimators import LogisticRegression
from ..estimators.base import check_unsupported_options, model_bounds, staged_fit
from ..estimators.logistic import is_multiclass_target
from ..fit_data import check_offset, prepare_fit
from ..path import alpha_grid, decreasing_alphas, null_gradient, penalty_template, regularization_path
from ..penalties import Penalty, make_penalty
from ..solvers import Design, take_rows
from .gram_folds import fold_path, fold_state, fold_statistics, statistics_apply, thread_map
from .multinomial_cv import fit_multinomial_cv

ALPHA_RULES = ("min", "1se")


@dataclass
class CVResults:
    """Validation losses: ``mean`` and ``std`` of shape (n_l1_ratios, n_alphas), per-fold ``losses``.

    Attributes
    ----------
    alphas : ndarray of shape (n_l1_ratios, n_alphas)
        The grid of each row.
    l1_ratios : ndarray of shape (n_l1_ratios,)
        The values of the grid's rows (``l1_ratio``, or ``gamma``: see ``grid_name``).
    losses : ndarray of shape (n_l1_ratios, n_folds, n_alphas)
        Each fold's held-out loss.
    mean, std : ndarray of shape (n_l1_ratios, n_alphas)
        The mean over the folds and the spread the one-standard-error rule uses.
    index_min, index_1se : tuple
        ``(row, alpha index)`` of the smallest mean loss and of the one-standard-error choice.
    grid_name : str
        What the rows of the grid are: ``"l1_ratio"``, or the relaxed lasso's ``"gamma"``.
    """

    alphas: np.ndarray  # (n_l1_ratios, n_alphas)
    l1_ratios: np.ndarray
    losses: np.ndarray  # (n_l1_ratios, n_folds, n_alphas)
    mean: np.ndarray
    std: np.ndarray
    index_min: tuple
    index_1se: tuple
    #: what the rows of the grid are: ``l1_ratio``, or the relaxed lasso's ``gamma``
    grid_name: str = "l1_ratio"


@dataclass
class FoldFit:
    """One training fold's path, scored on its held-out samples."""

    losses: np.ndarray  # (n_alphas,) mean validation loss
    scores: np.ndarray  # (n_alphas,) R^2 (squared loss) or accuracy (logistic) on the held-out fold
    coefs: np.ndarray  # (n_alphas, n_features)
    intercepts: np.ndarray
    n_iters: np.ndarray


class FoldRows:
    """Each fold's training rows, as a :class:`~lpnet.solvers.Design`, and its held-out rows, gathered for
    the fold's first job and let go after its last: the penalties of a CV (an ElasticNetCV's l1_ratios)
    share them, and with the Design the data's set-up (coordinate moments, the certificate's scales).

    A job calls :meth:`take` for its fold's rows and :meth:`release` when done.  A Design's caches are
    not for two threads at once (the face steps' factor is updated in place): a job that finds its fold's
    Design in use gets a Design of its own over the same gathered rows.
    """

    def __init__(self, X, folds, uses):
        self.X, self.folds = X, folds
        self._left = [int(u) for u in uses]  # per fold, the jobs still to come
        self._made: dict[int, tuple[Design, Any]] = {}
        self._busy = [False] * len(folds)
        self._lock = threading.Lock()

    def take(self, k: int) -> tuple[Design, Any]:
        """``(Design of the training rows, held-out rows)`` of fold ``k``."""
        with self._lock:
            made = self._made.get(k)
            if made is not None and self._busy[k]:
                return Design(made[0].X), made[1]
            if made is None:  # (gathered under the lock: a second job of the fold waits for these rows)
                train, test = self.folds[k]
                made = self._made[k] = (Design(take_rows(self.X, train)), take_rows(self.X, test))
            self._busy[k] = True
            return made

    def release(self, k: int, design: Design) -> None:
        """A job of fold ``k`` is done with ``design``; the fold's rows go after its last job."""
        with self._lock:
            made = self._made.get(k)
            if made is not None and made[0] is design:
                self._busy[k] = False
            self._left[k] -= 1
            if self._left[k] == 0:
                self._made.pop(k, None)


def _fold_fit(rows: FoldRows, k, y, s, template, datafit, alphas, fit_intercept, tol, max_iter, offset) -> FoldFit:
    train, test = rows.folds[k]
    design, held_out = rows.take(k)
    try:
        path = regularization_path(
            design,
            y[train],
            penalty=template,
            datafit=datafit,
            alphas=alphas,
            fit_intercept=fit_intercept,
            sample_weight=s[train],
            tol=tol,
            max_iter=max_iter,
            offset=None if offset is None else offset[train],
        )
    finally:
        rows.release(k, design)
    z = held_out_predictions(held_out, path.coefs, path.intercepts)
    if offset is not None:
        z = z + offset[test][:, None]
    y_test, s_test = y[test], s[test]
    losses = datafit.validation_loss(y_test, z, s_test)
    scores = datafit.validation_score(y_test, z, s_test, losses)
    return FoldFit(losses, scores, path.coefs, path.intercepts, path.n_iters)


def held_out_predictions(held_out, coefs: np.ndarray, intercepts: np.ndarray) -> np.ndarray:
    """``held_out coefs^T + intercepts``, shape ``(n_test, n_alphas)``: a fold's path on its held-out rows.

    Over the features some alpha uses only (on ElasticNetCV's Toeplitz folds, 100 x 5000 held out, a
    third of the features or fewer: 0.3-0.6 ms a path against 1.4-1.6 ms over all of them).
    """
    used = np.flatnonzero(coefs.any(axis=0))
    return np.asarray(held_out[:, used] @ coefs[:, used].T) + intercepts


def select_alpha(mean, std, n_folds):
    """Indices (l1_ratio, alpha) of the minimum and of the one-standard-error choice.

    Alphas are decreasing, so the 1se rule takes the first (largest) alpha, for the l1_ratio of the
    minimum, whose mean loss is at most the minimum plus its standard error.
    """
    i, k = np.unravel_index(np.argmin(mean), mean.shape)
    bound = mean[i, k] + std[i, k] / np.sqrt(n_folds)
    k_1se = int(np.flatnonzero(mean[i] <= bound)[0])
    return (int(i), int(k)), (int(i), k_1se)


def split_params(model, params: dict) -> dict:
    """Extra ``fit`` parameters (e.g. ``groups``) routed to the splitter, as scikit-learn routes them."""
    if not params:
        return {}
    if not get_config().get("enable_metadata_routing", False):
        raise ValueError(
            f"passing extra parameters {sorted(params)} to {type(model).__name__}.fit is only supported if "
            "enable_metadata_routing=True: call sklearn.set_config(enable_metadata_routing=True) to route "
            "them (e.g. groups to the cross-validation splitter)."
        )
    return process_routing(model, "fit", **params).splitter.split


def grid_from_data(model, X, y, s, penalty, datafit, offset=None) -> np.ndarray:
    """The model's explicit ``alphas`` (decreasing), or its :func:`lpnet.path.alpha_grid` on the data.

    ``alphas`` may be an int (scikit-learn >= 1.7: the number of alphas).
    """
    return grids_from_data(model, X, y, s, [penalty], datafit, offset)[0]


def grids_from_data(model, X, y, s, penalties, datafit, offset=None) -> list[np.ndarray]:
    """:func:`grid_from_data` for each of ``penalties`` (a CV's l1_ratios): those with the same penalty
    factors and box share one gradient at the null model, so X is read once for all of them."""
    if model.alphas is not None and not isinstance(model.alphas, numbers.Integral):
        return [decreasing_alphas(model.alphas) for _ in penalties]
    # X, y and s come checked from prepare_fit: no second validation of X per l1_ratio
    factors = None if model.penalty_factor is None else check_penalty_factor(model.penalty_factor, X.shape[1])
    if offset is not None:
        y = datafit.with_offset(y, offset)
    fit_intercept = bool(model.fit_intercept) and datafit.allows_intercept
    gradients: dict[bytes, np.ndarray | None] = {}
    grids = []
    for penalty in penalties:
        template = penalty_template(penalty, 0.5, 1.0, np.ones(X.shape[1]) if factors is None else factors)
        parts = (template.penalty_factors(X.shape[1]), *template.bounds(X.shape[1]))
        key = b"".join(np.asarray(a, dtype=np.float64).tobytes() for a in parts)
        if key not in gradients:
            gradients[key] = null_gradient(X, y, s, datafit, template, fit_intercept)
        grad = gradients[key]
        top = 0.0 if grad is None else template.alpha_max(grad)
        grids.append(alpha_grid(top, model.n_alphas if model.alphas is None else model.alphas, model.eps))
    return grids


class PathCV(BaseEstimator):
    """Shared ``fit`` of the cross-validated estimators; subclasses give the penalty and the model."""

    def _datafit(self):
        return Quadratic()

    def _penalty(self, l1_ratio) -> Penalty:  # pragma: no cover - overridden
        """The penalty at ``alpha = 1`` for one cross-validated ``l1_ratio``."""
        raise NotImplementedError

    def _l1_ratios(self):
        return [1.0]

    def _final_estimator(self, alpha, l1_ratio):  # pragma: no cover - overridden
        raise NotImplementedError

    def fit(self, X, y, sample_weight=None, **params):
        """Cross-validate the path, then refit on all the data at the chosen alpha.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), optional
        **params
            Routed to the splitter (e.g. ``groups``) when scikit-learn's metadata routing is enabled;
            an error otherwise, as in scikit-learn.

        Returns
        -------
        self
            With ``alpha_``, ``l1_ratio_``, ``alphas_``, ``mse_path_`` (validation loss per alpha and
            fold), ``cv_results_`` (:class:`CVResults`), ``coef_``, ``intercept_`` and the final model in
            ``estimator_`` (which keeps ``feature_names_in_``).  A fit that raises changes nothing.
        """
        return staged_fit(self, X, y, sample_weight, split_params(self, params))

    def get_metadata_routing(self):
        """Routing of ``fit`` parameters to the cross-validation splitter (scikit-learn's protocol)."""
        from sklearn.model_selection import check_cv

        return (
            MetadataRouter(owner=self)
            .add_self_request(self)
            .add(splitter=check_cv(self.cv), method_mapping=MethodMapping().add(caller="fit", callee="split"))
        )

    def _alpha_rule(self) -> str:
        rule = self.alpha_rule
        old = getattr(self, "selection", None)
        if old in ALPHA_RULES:  # the name before scikit-learn's `selection` was accepted
            warnings.warn(
                f"selection={old!r} is deprecated: the rule that picks alpha_ is now called "
                f"alpha_rule; use alpha_rule={old!r}.",
                FutureWarning,
                stacklevel=4,
            )
            rule = old
        elif old is not None:
            check_unsupported_options(selection=old)
        if rule not in ALPHA_RULES:
            raise InvalidParameterError(f"alpha_rule must be one of {ALPHA_RULES}, got {rule!r}.")
        return rule

    def _fit(self, X, y, sample_weight, splitter_params, offset=None) -> None:
        alpha_rule = self._alpha_rule()
        X_in, y_in = X, y  # the refit sees the user's data, so it keeps the feature names
        datafit = self._datafit()
        data = prepare_fit(
            X,
            y,
            datafit,
            sample_weight,
            estimator=self,
            who=f"{type(self).__name__} (cross-validation)",
        )
        # the offset travels beside the target: each fold's path takes its rows
        offset = None if offset is None else check_offset(offset, data.X.shape[0])
        X, y_fit, s = data.X, data.y, data.sample_weight
        if data.classes is not None:
            self.classes_ = data.classes
        y = np.asarray(y)  # the splitter stratifies on the user's labels
        l1_ratios = [check_l1_ratio(r) for r in self._l1_ratios()]
        penalties = [self._penalty(r) for r in l1_ratios]
        box = model_bounds(self, X.shape[1])
        if box is not None:  # every fold's path and the refit hold the same box
            if any(template.is_bounded for template in penalties):
                raise ValueError(
                    "the penalty object has its own bounds and lower_bounds / upper_bounds / positive were given "
                    "too; pass one."
                )
            penalties = [template.with_bounds(*box) for template in penalties]
        grids = self._grids(X, y_fit, s, penalties, offset)
        splitter = self._splitter(y, datafit)
        folds = list(splitter.split(X, y, **splitter_params))
        jobs = [(i, train, test) for i in range(len(l1_ratios)) for train, test in folds]
        show = bool(self.progress or getattr(self, "verbose", 0))
        fits, cross = self._fits_from_statistics(X, y_fit, s, folds, jobs, grids, penalties, datafit, show)
        n_folds = len(folds)
        # fold by fold: the jobs of a fold follow each other, so that its rows are gathered once and kept
        # no longer than its jobs need them
        rest = sorted((j for j, fit in enumerate(fits) if fit is None), key=lambda j: (j % n_folds, j))
        if rest:
            factors = None if self.penalty_factor is None else check_penalty_factor(self.penalty_factor, X.shape[1])
            rows = FoldRows(X, folds, np.bincount([j % n_folds for j in rest], minlength=n_folds))
            computed = Parallel(n_jobs=self.n_jobs, prefer="threads")(
                delayed(_fold_fit)(
                    rows,
                    j % n_folds,
                    y_fit,
                    s,
                    penalties[i] if factors is None else penalties[i].with_weights(factors),
                    datafit,
                    grids[i],
                    self.fit_intercept,
                    self.tol,
                    self.max_iter,
                    offset,
                )
                for j, (i, _, _) in progress_bar([(j, jobs[j]) for j in rest], show, "folds")
            )
            for j, fit in zip(rest, computed):
                fits[j] = fit
        n_ratios = len(l1_ratios)
        losses = np.array([f.losses for f in fits]).reshape(n_ratios, n_folds, -1)
        mean, std = losses.mean(axis=1), losses.std(axis=1)
        index_min, index_1se = select_alpha(mean, std, n_folds)
        i, k = index_min if alpha_rule == "min" else index_1se
        # scikit-learn's shapes: one grid is 1-D (also an explicit grid shared by several l1_ratios)
        explicit = self.alphas is not None and not isinstance(self.alphas, numbers.Integral)
        self.alphas_ = grids[0] if n_ratios == 1 or explicit else np.asarray(grids)
        self.mse_path_ = losses.transpose(0, 2, 1)  # (n_l1_ratios, n_alphas, n_folds)
        if n_ratios == 1:
            self.mse_path_ = self.mse_path_[0]
        self.l1_ratio_ = l1_ratios[i]
        self.alpha_ = float(grids[i][k])
        self._store_record(CVResults(np.asarray(grids), np.asarray(l1_ratios), losses, mean, std, index_min, index_1se))
        refit = {} if offset is None else {"offset": offset}
        final = self._final_estimator(self.alpha_, self.l1_ratio_)
        # the folds' statistics sum to the whole data's Gram: the refit need not compute it from X again
        # (unless the user asked for no Gram, or gave one)
        precompute = getattr(final, "precompute", False)
        lend = cross is not None and (precompute is True or (isinstance(precompute, str) and precompute == "auto"))
        if lend:
            final.set_params(precompute=cross)
        with config_context(assume_finite=True):  # X and y were checked above: no second scan for NaN
            self.estimator_ = final.fit(X_in, y_in, sample_weight=sample_weight, **refit)
        if lend:
            self.estimator_.set_params(precompute=precompute)
        for name in ("coef_", "intercept_", "n_iter_", "dual_gap_", "optimality_violation_", "coef_error_bound_"):
            if hasattr(self.estimator_, name):  # (a model without an intercept, e.g. Cox's, has no intercept_)
                setattr(self, name, getattr(self.estimator_, name))
        self._describe_folds(fits, (n_ratios, n_folds, len(grids[0])), (i, k), X.shape[0], s)

    def _fits_from_statistics(self, X, y, s, folds, jobs, grids, penalties, datafit, show) -> tuple[list, Any]:
        """The jobs' fold fits from per-fold statistics (:mod:`.gram_folds`) where that route applies,
        None for the others (and for all of them where it does not apply); with the whole data's
        ``X^T diag(s) X`` (the folds' sum) when it was computed, else None."""
        fits: list = [None] * len(jobs)
        if self.penalty_factor is not None or not statistics_apply(X, penalties, datafit):
            return fits, None
        stats = fold_statistics(X, y, s, folds, self.n_jobs)
        if stats is None:
            return fits, None

        states = [fold_state(training, held_out, self.fit_intercept, X.shape[0]) for training, held_out in stats]

        def one(i, test, state, held_out):
            def predict(coefs, intercepts):
                return held_out_predictions(take_rows(X, test), coefs, intercepts)

            out = fold_path(state, held_out, penalties[i], grids[i], self.tol, self.max_iter, y[test], s[test], predict)
            return None if out is None else FoldFit(*out)

        # threads: the paths run in compiled code that releases the GIL (and only read the states)
        calls = ((i, test, states[j % len(folds)], stats[j % len(folds)][1]) for j, (i, _, test) in enumerate(jobs))
        fits = thread_map(one, progress_bar(calls, show, "folds"), self.n_jobs)
        training, held_out = stats[0]
        return fits, (training + held_out).xx

    def _splitter(self, y, datafit):
        """The folds' splitter: scikit-learn's ``check_cv`` of ``cv`` (stratified for a classifier)."""
        from sklearn.model_selection import check_cv  # not at import: it would slow ``import lpnet``

        return check_cv(self.cv, y, classifier=datafit.is_classifier)

    def _store_record(self, record: CVResults) -> None:
        self.cv_results_ = record

    def _cv_record(self) -> CVResults:
        return self.cv_results_

    def _describe_folds(self, fits, shape, chosen, n_samples, s) -> None:
        """Hook: per-fold attributes that scikit-learn's estimator of the same name has."""

    def _grids(self, X, y, s, templates, offset=None) -> list[np.ndarray]:
        # ridge-like penalties have no finite alpha_max: alpha_max() gives the Lasso's as the grid scale
        return grids_from_data(self, X, y, s, templates, self._datafit(), offset)

    def predict(self, X):
        """Predictions of ``estimator_``, the model refitted on all the data at ``alpha_``.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        ndarray of shape (n_samples,)
            The predictions.
        """
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def plot_cv(self, ax=None):
        """Mean validation loss against alpha with one-standard-error bars; both choices marked.

        Alpha decreases to the right, as in :meth:`lpnet.Path.plot`; see :func:`lpnet.viz.plot_cv`.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw; a new figure when None.

        Returns
        -------
        matplotlib Axes
            The Axes drawn on.
        """
        check_is_fitted(self, "estimator_")
        from ..viz import plot_cv

        return plot_cv(self._cv_record(), ax=ax, loss=self._datafit().loss_label)


CV_PARAMS = """
    eps : float, default=1e-3
        The grid runs from alpha_max down to ``eps * alpha_max`` (geometric), computed on all the data;
        ``eps=1`` gives ``n_alphas`` copies of alpha_max.
    n_alphas : int, default=100
    alphas : int or array-like, default=None
        An explicit grid instead, or (as scikit-learn >= 1.7) an int: the number of alphas.
    cv : int or cross-validation splitter, default=5
    alpha_rule : {{"min", "1se"}}, default="min"
        Smallest mean validation loss, or glmnet's one-standard-error rule.
    n_jobs : int, default=None
        Folds in parallel on threads (joblib's count: None is 1 unless a ``parallel_config`` says
        otherwise, -1 every core): the compiled solvers release the GIL, as scikit-learn's do.  On
        tall data (fold statistics) the threads run directly; otherwise through joblib, which a
        ``parallel_config(backend=...)`` can redirect.
    progress : bool, default=False
        A progress bar over the folds on stderr (scikit-learn's ``verbose`` does the same).
    fit_intercept, penalty_factor, tol, max_iter : as in the single-alpha estimators.{sklearn_params}

    Attributes
    ----------
    alpha_ : float
    l1_ratio_ : float
    alphas_ : ndarray of shape (n_alphas,), or (n_l1_ratios, n_alphas) for several l1_ratios and no
        explicit grid
    mse_path_ : ndarray of shape (n_alphas, n_folds), or (n_l1_ratios, n_alphas, n_folds)
        Validation loss of every alpha on every fold ({loss}).
    cv_results_ : CVResults
        The same losses with their mean, standard deviation and both choices (``index_min``,
        ``index_1se``), as :meth:`plot_cv` draws them.
    estimator_ : the model refitted on all the data at ``alpha_``
    coef_, intercept_, n_iter_, dual_gap_, optimality_violation_, coef_error_bound_ : those of ``estimator_``
    n_features_in_, feature_names_in_
"""

BOUNDS_CV_PARAMS = """
    lower_bounds, upper_bounds, positive : as in the single-alpha estimators: a box on the coefficients,
        held by every fold's path (from the box's ``alpha_max``) and by the refit."""

SKLEARN_CV_PARAMS = (
    BOUNDS_CV_PARAMS
    + """
    precompute, copy_X, random_state : as in :class:`lpnet.Lasso` (scikit-learn's parameters).
    verbose : bool or int, default=False
        Same as ``progress``.
    selection : {"cyclic"}, default="cyclic"
        scikit-learn's coordinate order (cyclic only).  The former meaning of this parameter ("min" or
        "1se") is deprecated: use ``alpha_rule``."""
)


def init_cv_params(
    self, eps, n_alphas, alphas, cv, alpha_rule, n_jobs, progress, fit_intercept, penalty_factor, tol, max_iter
):
    self.eps = eps
    self.n_alphas = n_alphas
    self.alphas = alphas
    self.cv = cv
    self.alpha_rule = alpha_rule
    self.n_jobs = n_jobs
    self.progress = progress
    self.fit_intercept = fit_intercept
    self.penalty_factor = penalty_factor
    self.tol = tol
    self.max_iter = max_iter


class NamedPenaltyCV:
    """The penalty of a CV estimator with a ``penalty`` parameter (a registered name or a Penalty) and its
    ``l1_ratio`` and ``p``; mixed in before :class:`PathCV`."""

    def _mixes(self) -> bool:
        """Whether the penalty takes an ``l1_ratio`` (then every given value is cross-validated)."""
        return "l1_ratio" in make_penalty(self.penalty, 1.0, p=self.p).shape_parameters()

    def _l1_ratios(self):
        if not self._mixes():
            return [1.0]
        default = make_penalty(self.penalty, 1.0).shape_parameters()["l1_ratio"]
        return list(np.atleast_1d(default if self.l1_ratio is None else self.l1_ratio))

    def _penalty(self, l1_ratio):
        template = make_penalty(self.penalty, 1.0, l1_ratio=l1_ratio, p=self.p)
        if self._mixes() and template.shape_parameters()["l1_ratio"] != l1_ratio:  # a Penalty instance
            template = type(template)(
                1.0, **{**template.shape_parameters(), "l1_ratio": l1_ratio}, weights=template.weights
            )
        return template.with_alpha(1.0)

    def _final_penalty(self, alpha, l1_ratio):
        """``(penalty, l1_ratio)`` parameters of the refitted model: the name as given (so a saved model
        keeps it), or the Penalty at ``alpha`` with the chosen ``l1_ratio``."""
        ratio = l1_ratio if self._mixes() else None
        if isinstance(self.penalty, str):
            return self.penalty, ratio
        return self._penalty(l1_ratio).with_alpha(alpha), ratio


class DelegatingClassifierCV(ClassifierMixin):
    """A CV classifier's probabilities and scores: those of ``estimator_``, the model refitted at the
    chosen parameters (binary unless a subclass says it takes more classes)."""

    _takes_multiclass: bool = False

    def decision_function(self, X):
        """The scores of ``estimator_``, the model refitted on all the data.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        ndarray
            As ``estimator_.decision_function``.
        """
        check_is_fitted(self, "estimator_")
        return self.estimator_.decision_function(X)

    def predict_proba(self, X):
        """The class probabilities of ``estimator_``, the model refitted on all the data.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        ndarray
            As ``estimator_.predict_proba``.
        """
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict_proba(X)

    def predict_log_proba(self, X):
        """The logarithms of the class probabilities of ``estimator_``, the model refitted on all the data.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        ndarray
            As ``estimator_.predict_log_proba``.
        """
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict_log_proba(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = self._takes_multiclass
        return tags


class LogisticRegressionCV(DelegatingClassifierCV, NamedPenaltyCV, PathCV):
    _takes_multiclass = True

    __doc__ = f"""Binary logistic regression with alpha (and l1_ratio) chosen by cross-validated log-loss.

    Parameters
    ----------
    penalty : str or Penalty, default="l2"
        Any name from :func:`lpnet.penalties.penalty_names` (``"l1"``, ``"l2"``, ``"elasticnet"``,
        ``"lp"``, ...) or a :class:`~lpnet.penalties.Penalty` instance (its ``alpha`` is ignored).
    l1_ratio : float or list of float, default=None
        Cross-validated with a penalty that takes it (``"elasticnet"``; None: its default, 0.5).
    p : float, default=1.0
        Used with ``penalty="lp"``.
    {
        CV_PARAMS.format(
            sklearn_params=BOUNDS_CV_PARAMS
            + '''
    random_state : accepted for scikit-learn compatibility.
    verbose : bool or int, default=False
        Same as ``progress``.
    selection : {"min", "1se"}, default=None
        Deprecated name of ``alpha_rule``.
    multinomial : {"ungrouped", "grouped"}, default="ungrouped"
        The penalty structure when the target has three or more classes (see below).''',
            loss="mean log-loss",
        )
    }
    Also scikit-learn's attributes: ``Cs_`` and ``C_`` (``C = 1 / (n alpha)``, ``n`` the sum of the
    sample weights), ``l1_ratios_``, ``coefs_paths_`` and ``scores_`` (dicts keyed by ``classes_[1]``,
    one entry per fold and alpha; the scores are the held-out accuracies), and ``n_iter_`` of shape
    (1, n_folds, n_alphas) (one more axis for several l1_ratios).  ``l1_ratio_`` is an array of
    shape (1,) as there (``[None]`` for penalties other than the Elastic Net); ``coef_`` is (1, n_features).

    A target with three or more classes is cross-validated as a multinomial model (``multinomial``:
    ``"ungrouped"`` or ``"grouped"``, as :class:`~lpnet.estimators.LogisticRegression`'s), with the
    held-out multinomial log-loss as the CV loss and scikit-learn's multinomial shapes
    (:mod:`lpnet.model_selection.multinomial_cv`).
    """

    def __init__(
        self,
        penalty="l2",
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
        random_state=None,
        verbose=False,
        selection=None,
        multinomial="ungrouped",
    ):
        self.penalty = penalty
        self.l1_ratio = l1_ratio
        self.p = p
        init_cv_params(
            self, eps, n_alphas, alphas, cv, alpha_rule, n_jobs, progress, fit_intercept, penalty_factor, tol, max_iter
        )
        self.random_state = random_state
        self.verbose = verbose
        self.selection = selection
        self.multinomial = multinomial
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.positive = positive

    def _fit(self, X, y, sample_weight, splitter_params, offset=None) -> None:
        if is_multiclass_target(y):  # three classes or more: the multinomial model
            if model_bounds(self) is not None:
                raise ValueError(
                    "the multinomial model takes no bounds on the coefficients; drop lower_bounds / upper_bounds / "
                    "positive, or cross-validate one binary model per class."
                )
            fit_multinomial_cv(self, X, y, sample_weight, splitter_params, select_alpha, CVResults)
        else:
            super()._fit(X, y, sample_weight, splitter_params, offset)

    def _datafit(self):
        return Logistic()

    def _final_estimator(self, alpha, l1_ratio):
        penalty, l1_ratio = self._final_penalty(alpha, l1_ratio)
        return LogisticRegression(
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
            multinomial=self.multinomial,
        )

    def _describe_folds(self, fits, shape, chosen, n_samples, s) -> None:
        n_ratios, n_folds, n_alphas = shape
        grids = self._cv_record().alphas
        # C = 1 / (n alpha) with n the sum of the (user's) sample weights, here rescaled to n_samples
        self.Cs_ = 1.0 / (n_samples * grids[0])
        self.C_ = np.array([1.0 / (n_samples * self.alpha_)])
        elasticnet = self._mixes()
        self.l1_ratios_ = self._cv_record().l1_ratios if elasticnet else np.array([None], dtype=object)
        self.l1_ratio_ = np.array([self.l1_ratio_]) if elasticnet else np.array([None], dtype=object)

        def stack(values):  # (n_l1, n_folds, n_alphas, ...) -> scikit-learn's (n_folds, n_alphas[, n_l1], ...)
            arr = np.asarray(values).reshape(n_ratios, n_folds, n_alphas, *np.shape(values[0])[1:])
            arr = np.moveaxis(arr, 0, 2)
            return arr if elasticnet else arr[:, :, 0]

        dof = [np.column_stack([f.coefs, f.intercepts]) if self.fit_intercept else f.coefs for f in fits]
        self.coefs_paths_ = {self.classes_[1]: stack(dof)}
        self.scores_ = {self.classes_[1]: stack([f.scores for f in fits])}
        self.n_iter_ = stack([f.n_iters for f in fits])[None]
