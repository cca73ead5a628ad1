"""Penalized least squares on data bigger than memory: a fit, a path or a K-fold CV in one pass.

Every estimator here minimizes lpnet's squared-loss objective

    F(w, b) = 1/(2 sum s) sum_i s_i (y_i - x_i.w - b)^2 + P(w)

(see the conventions), with the same parameters and fitted attributes as :mod:`lpnet.estimators`.
One pass over the data (:meth:`lpnet.dask.engines.Engine.map_reduce`) collects the sufficient
statistics (:mod:`lpnet.dask.stats`): for a plain fit or a path, of all rows; for a K-fold CV, of each
fold (the fold of a row is a seeded hash of its global index, :func:`~lpnet.dask.engines.fold_of`).
Everything else happens on the driver, without the data: a training fold's statistics are the other
folds' merged, its path is solved by lpnet's Gram coordinate descent (L2: the linear system) and
certified by the Gram duality gap, its held-out errors come from the held-out fold's statistics, and
the final model is refitted from the statistics of all rows.

``n_passes_`` counts the passes (1 for every estimator here; a CV on a Dask DataFrame, whose partition
lengths are unknown, and CSV files on Dask add one counting pass), ``n_rows_seen_`` the rows read.

Beyond ``MAX_FEATURES`` features the p x p statistics stop being cheap: the Lasso, the Elastic Net and
their paths then go by working sets (:mod:`lpnet.dask.working_set`: one scan, then one pass per outer
step, each certified on all features); the other penalties, and a CV beyond ``MAX_CV_FEATURES``, are
refused with a message saying so.
"""

from __future__ import annotations

import numbers
import warnings
from functools import partial

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted, validate_data

from .. import estimators as memory_estimators
from ..certificates import coef_error_bound
from ..estimators.base import model_bounds
from ..model_selection.cv import CVResults, select_alpha
from ..penalties import L1, L2, Lp, Penalty
from ..penalties import ElasticNet as ElasticNetPenalty
from .engines import Engine, is_dask_collection, open_data
from .gram_fits import PathFit, cross_validate, grid_of, solve_statistics
from .sources import is_file_input
from .stats import Moments, chunk_moments, gram_state, merge_moments
from .working_set import WorkingSetSolver

#: beyond this many features the p x p statistics (times K for a CV) stop being cheap; a fit or a path
#: of the Lasso or the Elastic Net then goes by working sets
MAX_FEATURES = 15000
MAX_CV_FEATURES = 5000


def wide_solver(engine: Engine, penalty: Penalty, fit_intercept: bool) -> WorkingSetSolver:
    """The working-set route for more than MAX_FEATURES features (L1 and Elastic Net with an intercept)."""
    l1_part = isinstance(penalty, L1) or (isinstance(penalty, ElasticNetPenalty) and penalty.l1_ratio > 0)
    if penalty.is_bounded:
        raise ValueError(
            f"{engine.n_features} features: beyond {MAX_FEATURES}, the working-set route takes no bounds; select "
            "features first, or drop lower_bounds / upper_bounds / positive."
        )
    if not (l1_part and fit_intercept):
        raise ValueError(
            f"{engine.n_features} features: beyond {MAX_FEATURES}, the one-pass statistics do not fit and the "
            "working-set route takes the Lasso and the Elastic Net (l1_ratio > 0) with an intercept; select "
            "features first or use one of those."
        )
    return WorkingSetSolver(engine)


def _check_features(engine: Engine, limit: int, what: str) -> None:
    if engine.n_features > limit:
        raise ValueError(
            f"{engine.n_features} features: {what} from p x p statistics is limited to {limit} features here; "
            "select features first (or use lpnet's in-memory estimators on a sample)."
        )


def check_weight(stats: Moments) -> None:
    if not stats.weight.sum() > 0:
        raise ValueError("the sample weights sum to zero: at least one weight must be positive.")


class OnePassRegressor(RegressorMixin, BaseEstimator):
    """What the one-pass regressors share: opening the data, the fitted data attributes, predict."""

    def _penalty(self, alpha: float, l1_ratio: float | None = None) -> Penalty:  # pragma: no cover - overridden
        raise NotImplementedError

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True  # scipy.sparse rows: statistics from sparse products
        return tags

    def _boxed(self, n_features: int):
        """``make(alpha, l1_ratio)``: the estimator's penalty inside the box of its ``lower_bounds``,
        ``upper_bounds`` and ``positive`` (checked against ``n_features``), as the in-memory estimators set it."""
        box = model_bounds(self, n_features)

        def make(alpha: float, l1_ratio: float | None = None) -> Penalty:
            penalty = self._penalty(alpha, l1_ratio)
            return penalty if box is None else penalty.with_bounds(*box)

        return make

    def _open(self, X, y, target, sample_weight, columns, weight) -> tuple[Engine, bool]:
        """The engine, and whether scikit-learn's ``validate_data`` checked the data (arrays in memory)."""
        if self.engine not in ("auto", "memory", "stream", "dask"):
            raise ValueError(f"engine must be 'auto', 'memory', 'stream' or 'dask', got {self.engine!r}.")
        if isinstance(self.tol, bool) or not isinstance(self.tol, numbers.Real) or not self.tol > 0:
            raise ValueError(f"tol must be a positive number, got {self.tol!r}.")
        if isinstance(self.max_iter, bool) or not isinstance(self.max_iter, numbers.Integral) or self.max_iter < 1:
            raise ValueError(f"max_iter must be a positive integer, got {self.max_iter!r}.")
        checked = not (is_file_input(X) or is_dask_collection(X)) and target is None and columns is None
        if checked and weight is None:
            # data in memory: scikit-learn's checks and messages (the engine reads the checked arrays)
            names = [str(c) for c in X.columns] if hasattr(X, "columns") else None
            X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=True, accept_sparse="csr")
            columns = names
            if sample_weight is not None:
                sample_weight = np.asarray(sample_weight, dtype=np.float64).reshape(-1)
                if sample_weight.shape != y.shape:
                    raise ValueError(f"sample_weight has shape {sample_weight.shape}; expected {y.shape}.")
        engine = open_data(
            X,
            y,
            target=target,
            columns=columns,
            weight=weight,
            sample_weight=sample_weight,
            engine=self.engine,
            chunk_rows=self.chunk_rows,
            progress=self.progress,
        )
        return engine, bool(checked and weight is None)

    def _store_data(self, engine: Engine, checked: bool) -> None:
        # (checked by validate_data: it has set n_features_in_ and, for named columns, feature_names_in_)
        if not checked:
            self.n_features_in_ = engine.n_features
            self.feature_names_in_ = np.asarray(engine.feature_names, dtype=object)
        self.n_passes_ = engine.n_passes
        self.n_rows_seen_ = engine.n_rows_seen
        self.engine_ = engine.name

    def _store_fit(self, fit: PathFit, penalty: Penalty, tol: float) -> None:
        self.coef_ = np.asarray(fit.coef, dtype=np.float64)
        self.intercept_ = float(fit.intercept) if self.fit_intercept else 0.0
        self.dual_gap_ = float(fit.dual_gap)
        self.objective_ = float(fit.objective)
        self.n_iter_ = int(fit.n_iter)
        self.converged_ = bool(fit.converged)
        self.optimality_violation_ = None
        self.coef_error_bound_ = coef_error_bound(self.dual_gap_, penalty, self.coef_.shape[0])
        if not self.converged_:
            warnings.warn(
                f"the duality gap {self.dual_gap_:.3g} did not reach tol={tol} times the null objective "
                "within max_iter; increase max_iter or tol.",
                ConvergenceWarning,
                stacklevel=3,
            )

    def _memory_estimator(self, alpha: float, l1_ratio: float | None = None):
        """An in-memory lpnet estimator holding the fitted coefficients (it predicts and can be saved)."""
        name = type(self).__name__.removesuffix("CV")
        params = {
            "alpha": alpha,
            "fit_intercept": self.fit_intercept,
            "lower_bounds": self.lower_bounds,
            "upper_bounds": self.upper_bounds,
            "positive": self.positive,
            "tol": self.tol,
            "max_iter": self.max_iter,
        }
        if name == "ElasticNet":
            params["l1_ratio"] = l1_ratio
        if name == "LpRegression":
            params["p"] = self.p
        est = getattr(memory_estimators, name)(**params)
        for attr in ("coef_", "intercept_", "dual_gap_", "objective_", "n_iter_", "converged_", "coef_error_bound_"):
            setattr(est, attr, getattr(self, attr))
        est.optimality_violation_ = None
        est.n_features_in_ = self.n_features_in_
        return est

    def predict(self, X):
        """``X @ coef_ + intercept_`` for data in memory (an array, or a DataFrame with the fitted columns,
        which are selected by name).

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            The samples, in memory.

        Returns
        -------
        ndarray of shape (n_samples,)
            The predictions.
        """
        check_is_fitted(self, "coef_")
        if hasattr(X, "columns") and hasattr(self, "feature_names_in_"):
            missing = [c for c in self.feature_names_in_ if c not in X.columns]
            if missing:
                raise ValueError(f"X lacks the fitted columns {missing}.")
            X = X[list(self.feature_names_in_)]
        X = validate_data(self, X, dtype=np.float64, reset=False, accept_sparse="csr")
        return X @ self.coef_ + self.intercept_


SINGLE_PARAMS = """
    fit_intercept : bool, default=True
        Fit an unpenalized intercept.
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), default=None
        A box ``lower <= coef_ <= upper`` (None: open), as the in-memory estimators take it; solved by
        coordinate descent in the box on the pass's statistics and certified by the duality gap of the
        penalty with its box (:mod:`lpnet.dask.box`).
    positive : bool, default=False
        ``lower_bounds=0``.
    tol : float, default=1e-6
        Stop when the duality gap is at most ``tol`` times the intercept-only model's objective.
    max_iter : int, default=100
        Blocks of 10 coordinate-descent epochs on the Gram matrix, each ending with a certificate.
    engine : {"auto", "memory", "stream", "dask"}, default="auto"
        How the data are read (:func:`lpnet.dask.open_data`): files are streamed on this machine, or read
        by Dask when a distributed Client is active; dask collections go to Dask.
    chunk_rows : int, default=None
        Rows per chunk (stream and memory engines).
    progress : bool, default=False
        Show a progress bar for the pass.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
    intercept_ : float
    dual_gap_ : float
        Final duality gap in the objective's units, from the pass's statistics.
    converged_ : bool
    objective_ : float
    coef_error_bound_ : float or None
        ``sqrt(2 dual_gap_ / mu)`` for a strongly convex penalty, else None.
    n_iter_ : int
    n_passes_ : int
        Passes over the data (1).
    n_rows_seen_ : int
    n_features_in_ : int
    feature_names_in_ : ndarray of str
    engine_ : str
        The engine that read the data.
    estimator_ : the in-memory lpnet estimator with these coefficients (it predicts and can be saved).
"""


class OnePassFit(OnePassRegressor):
    """A single certified fit from one pass of statistics."""

    def fit(self, X, y=None, *, target=None, sample_weight=None, columns=None, weight=None):
        """Fit from one pass over the data.

        Parameters
        ----------
        X : files (path, glob, directory, list), dask array or DataFrame, or an array in memory
        y : array-like or dask collection, optional
            The target, unless ``target=`` names its column.
        target, columns, weight : str, list of str, str, optional
            Column names: the target, the features (default: every other column), the sample weights.
        sample_weight : array-like, optional
            Weights for arrays (in memory or dask).
        """
        penalty = self._penalty(self.alpha)
        engine, checked = self._open(X, y, target, sample_weight, columns, weight)
        with engine:
            penalty = self._boxed(engine.n_features)(self.alpha)
            if engine.n_features > MAX_FEATURES:
                wide = wide_solver(engine, penalty, self.fit_intercept)
                fit = wide.fit(penalty, self.tol, self.max_iter)
                self._store_data(engine, checked)
                self._store_fit(
                    PathFit(fit.coef, fit.intercept, fit.dual_gap, fit.objective, fit.n_iter, fit.converged),
                    penalty,
                    self.tol,
                )
                self.estimator_ = self._memory_estimator(self.alpha, getattr(self, "l1_ratio", None))
                return self
            stats = engine.map_reduce(chunk_moments, merge_moments, label="statistics", indexed=False)
            self._store_data(engine, checked)
        check_weight(stats)
        state = gram_state(stats, self.fit_intercept)
        fit = solve_statistics(state, [penalty], self.tol, self.max_iter)[0]
        self._store_fit(fit, penalty, self.tol)
        self.estimator_ = self._memory_estimator(self.alpha, getattr(self, "l1_ratio", None))
        return self


def _check_alpha(alpha, name="alpha"):
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or not alpha > 0:
        raise ValueError(
            f"{name} must be a positive number (alpha = 0 is least squares: use a tiny alpha), got {alpha!r}."
        )
    return float(alpha)


class Lasso(OnePassFit):
    __doc__ = f"""Lasso, ``P(w) = alpha ||w||_1``, fitted from one pass over data bigger than memory.

    Parameters
    ----------
    alpha : float, default=1.0
    {SINGLE_PARAMS}"""

    def __init__(
        self,
        alpha=1.0,
        *,
        fit_intercept=True,
        lower_bounds=None,
        upper_bounds=None,
        positive=False,
        tol=1e-6,
        max_iter=100,
        engine="auto",
        chunk_rows=None,
        progress=False,
    ):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.positive = positive
        self.tol = tol
        self.max_iter = max_iter
        self.engine = engine
        self.chunk_rows = chunk_rows
        self.progress = progress

    def _penalty(self, alpha, l1_ratio=None):
        return L1(_check_alpha(alpha))


class ElasticNet(OnePassFit):
    __doc__ = f"""Elastic Net, ``P(w) = alpha (l1_ratio ||w||_1 + (1 - l1_ratio)/2 ||w||^2)``, from one pass.

    Parameters
    ----------
    alpha : float, default=1.0
    l1_ratio : float in [0, 1], default=0.5
    {SINGLE_PARAMS}"""

    def __init__(
        self,
        alpha=1.0,
        *,
        l1_ratio=0.5,
        fit_intercept=True,
        lower_bounds=None,
        upper_bounds=None,
        positive=False,
        tol=1e-6,
        max_iter=100,
        engine="auto",
        chunk_rows=None,
        progress=False,
    ):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.positive = positive
        self.tol = tol
        self.max_iter = max_iter
        self.engine = engine
        self.chunk_rows = chunk_rows
        self.progress = progress

    def _penalty(self, alpha, l1_ratio=None):
        return ElasticNetPenalty(_check_alpha(alpha), self.l1_ratio if l1_ratio is None else l1_ratio)


class Ridge(OnePassFit):
    __doc__ = f"""Ridge, ``P(w) = alpha/2 ||w||^2`` (lpnet's scaling), solved exactly from one pass.

    Parameters
    ----------
    alpha : float, default=1.0
    {SINGLE_PARAMS}"""

    def __init__(
        self,
        alpha=1.0,
        *,
        fit_intercept=True,
        lower_bounds=None,
        upper_bounds=None,
        positive=False,
        tol=1e-6,
        max_iter=100,
        engine="auto",
        chunk_rows=None,
        progress=False,
    ):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.positive = positive
        self.tol = tol
        self.max_iter = max_iter
        self.engine = engine
        self.chunk_rows = chunk_rows
        self.progress = progress

    def _penalty(self, alpha, l1_ratio=None):
        return L2(_check_alpha(alpha))


def lp_penalty(alpha, p):
    if isinstance(p, bool) or not isinstance(p, numbers.Real) or not p >= 1:
        raise ValueError(
            f"p must be >= 1 here, got {p!r}: the one-pass Gram solver takes convex penalties only; for p < 1 use "
            "lpnet.LpRegression on data in memory."
        )
    return Lp(_check_alpha(alpha), float(p))


class LpRegression(OnePassFit):
    __doc__ = f"""``P(w) = alpha/p sum_j |w_j|^p`` for convex ``p >= 1``, fitted from one pass.

    Parameters
    ----------
    alpha : float, default=1.0
    p : float >= 1, default=1.0
        ``p < 1`` (not convex) is refused: the Gram solver certifies convex problems only.
    {SINGLE_PARAMS}"""

    def __init__(
        self,
        alpha=1.0,
        p=1.0,
        *,
        fit_intercept=True,
        lower_bounds=None,
        upper_bounds=None,
        positive=False,
        tol=1e-6,
        max_iter=100,
        engine="auto",
        chunk_rows=None,
        progress=False,
    ):
        self.alpha = alpha
        self.p = p
        self.fit_intercept = fit_intercept
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.positive = positive
        self.tol = tol
        self.max_iter = max_iter
        self.engine = engine
        self.chunk_rows = chunk_rows
        self.progress = progress

    def _penalty(self, alpha, l1_ratio=None):
        return lp_penalty(alpha, self.p)


CV_PARAMS = """
    eps : float, default=1e-3
        The default grid runs from alpha_max down to ``eps * alpha_max``.
    n_alphas : int, default=100
    alphas : array-like or int, optional
        An explicit grid (or its length).
    cv : int, default=5
        Folds.  The fold of a row is a seeded hash of its global index (``random_state``), the same for
        every engine and chunking; the folds are about (not exactly) equal in size.
    alpha_rule : {"min", "1se"}, default="min"
    random_state : int, default=None
        The hash's seed (None: 0).
    fit_intercept, lower_bounds, upper_bounds, positive, tol, max_iter, engine, chunk_rows, progress
        As the single-fit estimators (every fold's fit and the final one hold the box; with a box, the
        default grid starts at the boxed ``alpha_max``).

    Attributes
    ----------
    alpha_ : float
    alphas_ : ndarray (n_alphas,) or (n_l1_ratios, n_alphas)
    mse_path_ : ndarray (n_alphas, n_folds) or (n_l1_ratios, n_alphas, n_folds)
    cv_results_ : lpnet's CVResults record (per-fold losses, mean, std, chosen indices)
    fold_dual_gaps_ : ndarray of the shape of ``mse_path_``
        The certificate of every training fold's fit.
    coef_, intercept_, dual_gap_, converged_, objective_, coef_error_bound_, n_iter_ : the final fit at
        ``alpha_`` on all rows, from the same pass's statistics.
    n_passes_ : int
        Passes over the data (1 for the folds, the paths and the final fit together).
    n_rows_seen_, n_features_in_, feature_names_in_, engine_, estimator_
"""


class OnePassCV(OnePassRegressor):
    """K-fold CV of a path (and of several l1_ratios) from one pass of per-fold statistics."""

    def _l1_ratios(self) -> list[float]:
        return [1.0]

    def _fold_count(self) -> int:
        cv = self.cv
        if isinstance(cv, bool) or not isinstance(cv, numbers.Integral) or cv < 2:
            raise ValueError(
                f"cv must be an integer >= 2 here (folds by a hash of the row index), got {cv!r}; to use your own "
                "splits, fit lpnet's in-memory estimators."
            )
        return int(cv)

    def fit(self, X, y=None, *, target=None, sample_weight=None, columns=None, weight=None):
        """Cross-validate every alpha (and l1_ratio) and refit at the best, from one pass over the data.

        Parameters
        ----------
        X, y, target, sample_weight, columns, weight
            The data, as :meth:`Lasso.fit` takes them.

        Returns
        -------
        self
        """
        n_folds = self._fold_count()
        if self.alpha_rule not in ("min", "1se"):
            raise ValueError(f"alpha_rule must be 'min' or '1se', got {self.alpha_rule!r}.")
        seed = 0 if self.random_state is None else int(self.random_state)
        engine, checked = self._open(X, y, target, sample_weight, columns, weight)
        with engine:
            _check_features(engine, MAX_CV_FEATURES, f"a {n_folds}-fold CV")
            folds = engine.map_reduce(
                partial(chunk_moments, n_folds=n_folds, seed=seed), merge_moments, label="fold statistics"
            )
            self._store_data(engine, checked)
        if folds.rows.sum() < n_folds:
            raise ValueError(
                f"n_samples={int(folds.rows.sum())} is fewer than the cv={n_folds} folds: use fewer folds."
            )
        check_weight(folds)
        empty = np.flatnonzero(folds.weight <= 0)
        if empty.size:
            raise ValueError(f"folds {empty.tolist()} have no rows (or no weight): use fewer folds (cv).")
        total = folds.total()
        full_state = gram_state(total, self.fit_intercept)
        ratios = self._l1_ratios()
        make = self._boxed(total.mx.shape[1])
        grids = [grid_of(self.alphas, self.n_alphas, self.eps, full_state, make(1.0, r)) for r in ratios]
        losses, gaps = cross_validate(folds, make, grids, ratios, self.fit_intercept, self.tol, self.max_iter)
        mean, std = losses.mean(axis=1), losses.std(axis=1)
        index_min, index_1se = select_alpha(mean, std, n_folds)
        i, a = index_min if self.alpha_rule == "min" else index_1se
        explicit = self.alphas is not None and not isinstance(self.alphas, numbers.Integral)
        self.alphas_ = grids[0] if len(ratios) == 1 or explicit else np.asarray(grids)
        self.mse_path_ = losses.transpose(0, 2, 1)
        self.fold_dual_gaps_ = gaps.transpose(0, 2, 1)
        if len(ratios) == 1:
            self.mse_path_, self.fold_dual_gaps_ = self.mse_path_[0], self.fold_dual_gaps_[0]
        self.l1_ratio_ = ratios[i]
        self.alpha_ = float(grids[i][a])
        self.cv_results_ = CVResults(np.asarray(grids), np.asarray(ratios), losses, mean, std, index_min, index_1se)
        penalty = make(self.alpha_, self.l1_ratio_)
        fit = solve_statistics(full_state, [penalty], self.tol, self.max_iter)[0]
        self._store_fit(fit, penalty, self.tol)
        self.estimator_ = self._memory_estimator(self.alpha_, self.l1_ratio_)
        return self


def _cv_init(
    self,
    eps,
    n_alphas,
    alphas,
    cv,
    alpha_rule,
    random_state,
    fit_intercept,
    lower_bounds,
    upper_bounds,
    positive,
    tol,
    max_iter,
    engine,
    chunk_rows,
    progress,
):
    self.eps = eps
    self.n_alphas = n_alphas
    self.alphas = alphas
    self.cv = cv
    self.alpha_rule = alpha_rule
    self.random_state = random_state
    self.fit_intercept = fit_intercept
    self.lower_bounds = lower_bounds
    self.upper_bounds = upper_bounds
    self.positive = positive
    self.tol = tol
    self.max_iter = max_iter
    self.engine = engine
    self.chunk_rows = chunk_rows
    self.progress = progress


class LassoCV(OnePassCV):
    __doc__ = f"""Lasso with alpha chosen by K-fold cross-validation, from one pass over the data.

    Parameters
    ----------
    {CV_PARAMS}"""

    def __init__(
        self,
        *,
        eps=1e-3,
        n_alphas=100,
        alphas=None,
        cv=5,
        alpha_rule="min",
        random_state=None,
        fit_intercept=True,
        lower_bounds=None,
        upper_bounds=None,
        positive=False,
        tol=1e-6,
        max_iter=100,
        engine="auto",
        chunk_rows=None,
        progress=False,
    ):
        _cv_init(**{k: v for k, v in locals().items() if k != "__class__"})

    def _penalty(self, alpha, l1_ratio=None):
        return L1(_check_alpha(alpha))


class ElasticNetCV(OnePassCV):
    __doc__ = f"""Elastic Net with alpha and l1_ratio chosen by K-fold cross-validation, from one pass.

    Parameters
    ----------
    l1_ratio : float or list of float, default=0.5
        Every value is cross-validated, from the same pass.
    {CV_PARAMS}"""

    def __init__(
        self,
        l1_ratio=0.5,
        *,
        eps=1e-3,
        n_alphas=100,
        alphas=None,
        cv=5,
        alpha_rule="min",
        random_state=None,
        fit_intercept=True,
        lower_bounds=None,
        upper_bounds=None,
        positive=False,
        tol=1e-6,
        max_iter=100,
        engine="auto",
        chunk_rows=None,
        progress=False,
    ):
        self.l1_ratio = l1_ratio
        _cv_init(**{k: v for k, v in locals().items() if k not in ("__class__", "l1_ratio")})

    def _l1_ratios(self):
        ratios = np.atleast_1d(np.asarray(self.l1_ratio, dtype=np.float64))
        if ratios.size == 0 or np.any((ratios < 0) | (ratios > 1)):
            raise ValueError(f"l1_ratio must lie in [0, 1], got {self.l1_ratio!r}.")
        return [float(r) for r in ratios]

    def _penalty(self, alpha, l1_ratio=None):
        return ElasticNetPenalty(_check_alpha(alpha), l1_ratio)


class RidgeCV(OnePassCV):
    __doc__ = f"""Ridge (lpnet's scaling) with alpha chosen by K-fold cross-validation, from one pass.

    The default grid is scaled by the Lasso's alpha_max (ridge has no alpha beyond which all is zero);
    every fit is the exact solution of its linear system, certified by its duality gap.

    Parameters
    ----------
    {CV_PARAMS}"""

    def __init__(
        self,
        *,
        eps=1e-3,
        n_alphas=100,
        alphas=None,
        cv=5,
        alpha_rule="min",
        random_state=None,
        fit_intercept=True,
        lower_bounds=None,
        upper_bounds=None,
        positive=False,
        tol=1e-6,
        max_iter=100,
        engine="auto",
        chunk_rows=None,
        progress=False,
    ):
        _cv_init(**{k: v for k, v in locals().items() if k != "__class__"})

    def _penalty(self, alpha, l1_ratio=None):
        return L2(_check_alpha(alpha))
