"""How ``lpnet fit``, ``path`` and ``cv`` read ``--data``: into memory, or out of core (:mod:`lpnet.dask`).

``--data`` names a CSV file as before, or several parquet / CSV files (a glob, a directory).  The
engine (``--engine``) decides how they are read:

* ``memory``: every file read into memory (several files concatenated), then today's in-memory fits.
* ``stream``: the files read chunk by chunk on this machine by :mod:`lpnet.dask`'s stream engine.
* ``dask``: the files read by a Dask cluster (``--scheduler ADDRESS``, else a LocalCluster of
  ``--workers N`` workers started for the command).
* ``auto`` (the default): ``dask`` with ``--scheduler``; else ``memory`` when the estimated in-memory
  size of the data (:func:`estimated_bytes`) is at most :data:`MEMORY_SHARE` of the available memory
  (:func:`available_memory`), ``stream`` otherwise.

Out of core, least squares takes one pass over the data: per-fold sufficient statistics (weights,
means, centred co-moments: :mod:`lpnet.dask.stats`); the standardization the commands apply by default
is applied to those statistics (an exact linear change of variables, so no second pass), and every fit
of a path or a K-fold cross-validation is solved from them by lpnet's Gram solver with its duality
gap, with the L1, L2, Elastic Net and convex Lp (p >= 1) penalties, inside the box of
``--lower-bounds`` / ``--upper-bounds`` / ``--positive`` when given.

``--datafit logistic``, ``poisson``, ``gamma`` and ``tweedie`` (L1, L2, Elastic Net) go to
:mod:`lpnet.dask`'s distributed proximal Newton, a pass per Newton step, standardized from a first
pass (:mod:`lpnet.cli.engines_newton`).  Other options are refused with a message pointing to
``--engine memory``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from .common import UsageError
from .data import data_files
from .engines_base import (
    CONNECT_TIMEOUT,
    NEWTON_PENALTIES,
    CVRun,
    FitRun,
    PathRun,
    opened,
    scaling_of,
    show_progress,
    standardized_how,
)

__all__ = [
    "CONNECT_TIMEOUT",
    "CVRun",
    "ENGINES",
    "MEMORY_SHARE",
    "FitRun",
    "OutOfCore",
    "PathRun",
    "add_engine_options",
    "available_memory",
    "check_engine_options",
    "choose_engine",
    "cv_out_of_core",
    "estimated_bytes",
    "fit_out_of_core",
    "open_out_of_core",
    "path_out_of_core",
    "show_progress",
]

ENGINES = ("auto", "memory", "stream", "dask")
#: ``auto`` reads the data into memory when their float64 size is at most this share of the available
#: memory: the in-memory commands hold a few copies (standardized features, train/test split)
MEMORY_SHARE = 0.25
#: the penalties fitted out of core (Gram solver, convex): Lp only with p >= 1
OUT_OF_CORE_PENALTIES = ("l1", "l2", "elasticnet", "lp")
#: the datafits fitted out of core: least squares from one pass of statistics, the others by distributed
#: proximal Newton (lpnet.dask.LogisticRegression, RegularizedModel) with the NEWTON_PENALTIES
OUT_OF_CORE_DATAFITS = ("squared", "logistic", "poisson", "gamma", "tweedie")

ENGINE_HELP = (
    "how --data is read: memory (into memory, several files concatenated), stream (chunk by chunk on "
    "this machine, one pass), dask (on a Dask cluster), or auto (default): dask with --scheduler, else "
    f"memory when the data's float64 size (parquet: rows x columns x 8 bytes from the metadata; CSV: twice "
    f"the files' size) is at most {MEMORY_SHARE * 100:.0f}%% of the available memory, else stream.  stream "
    "and dask fit least squares with l1, l2, elasticnet or lp (p >= 1), bounds allowed, in one pass (plus a "
    "row count for CSV on Dask), standardizing from the pass's statistics, and --datafit logistic, poisson, "
    "gamma or tweedie with l1, l2 or elasticnet by distributed Newton steps (a pass each); other options need "
    "--engine memory"
)


def add_engine_options(parser) -> None:
    """Add ``--engine``, ``--scheduler``, ``--workers`` and ``--progress`` (``fit``, ``path``, ``cv``).

    Parameters
    ----------
    parser : argparse.ArgumentParser
    """
    from .common import integer

    parser.add_argument("--engine", choices=ENGINES, default="auto", help=ENGINE_HELP)
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="the address of a running Dask scheduler (e.g. tcp://host:8786): --data is read on that cluster",
    )
    parser.add_argument(
        "--workers",
        type=integer("--workers"),
        metavar="N",
        help="workers of the local Dask cluster that --engine dask starts without --scheduler (default: cores)",
    )
    parser.add_argument(
        "--progress",
        action="store_true",
        help="show a progress bar for every pass over the data on stderr (default: when stderr is a terminal)",
    )


def check_engine_options(args) -> None:
    """The engine options' own checks, before any data is read."""
    if args.workers is not None and args.workers < 1:
        raise UsageError(f"--workers must be a positive integer, got {args.workers}")
    if args.scheduler is not None and args.workers is not None:
        raise UsageError("--workers sizes the local cluster; with --scheduler the cluster's own workers are used")
    if args.data is None and args.engine in ("stream", "dask"):
        raise UsageError(f"--engine {args.engine} reads --data FILES; the demo data are in memory")
    if args.scheduler is not None and args.engine in ("memory", "stream"):
        raise UsageError(
            f"--scheduler reads the data on a Dask cluster: use --engine dask (or auto), not {args.engine}"
        )
    if args.workers is not None and args.engine in ("memory", "stream"):
        raise UsageError(f"--workers sizes a Dask cluster: use --engine dask, not {args.engine}")


# ----------------------------------------------------------------------------------------------------
# the files and the auto rule
# ----------------------------------------------------------------------------------------------------
def estimated_bytes(files: list[str], kind: str) -> int:
    """The data's size in memory as float64: rows x columns x 8 from parquet metadata, twice the size
    of CSV text (a number and its separator take a few characters to a few tens)."""
    if kind == "csv":
        return 2 * sum(os.path.getsize(f) for f in files)
    import pyarrow.parquet as pq

    total = 0
    for f in files:
        meta = pq.read_metadata(f)
        total += meta.num_rows * meta.num_columns * 8
    return total


def available_memory() -> int:
    """Available memory in bytes (psutil when installed, else the system's page counts)."""
    try:
        import psutil
    except ImportError:
        try:
            return int(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
        except (AttributeError, ValueError, OSError):  # no sysconf: assume a small machine
            return 2**31
    return int(psutil.virtual_memory().available)


def choose_engine(args) -> str:
    """The engine of the command: ``args.engine``, or the ``auto`` rule (see :data:`ENGINE_HELP`)."""
    if args.engine != "auto":
        return args.engine
    if args.data is None:
        return "memory"
    if args.scheduler is not None:
        return "dask"
    files, kind = data_files(args.data)
    return "memory" if estimated_bytes(files, kind) <= MEMORY_SHARE * available_memory() else "stream"


# ----------------------------------------------------------------------------------------------------
# out of core
# ----------------------------------------------------------------------------------------------------
def check_out_of_core(args, command: str, p: float | None = None) -> None:
    """Refuse, before reading anything, what the out-of-core route does not fit, naming the fix."""
    fix = "; use --engine memory"
    if args.datafit not in OUT_OF_CORE_DATAFITS:
        raise UsageError(
            f"--datafit {args.datafit} is not fitted out of core by lpnet {command} "
            f"({', '.join(OUT_OF_CORE_DATAFITS)}){fix}"
        )
    newton = args.datafit != "squared"
    for flag, given in (
        ("--groups", getattr(args, "groups", None) is not None),
        ("--relax", getattr(args, "relax", None)),
        ("--adaptive", getattr(args, "adaptive", None)),
        ("--lower-bounds", newton and getattr(args, "lower_bounds", None) is not None),
        ("--upper-bounds", newton and getattr(args, "upper_bounds", None) is not None),
        ("--positive", newton and getattr(args, "positive", False)),
    ):
        if given:
            what = f" with --datafit {args.datafit}" if flag.startswith(("--lower", "--upper", "--positive")) else ""
            raise UsageError(f"{flag} is not supported out of core{what}{fix}")
    if getattr(args, "alpha", None) == 0:
        raise UsageError(f"--alpha 0 (no penalty) is not fitted out of core: give a small alpha > 0{fix}")
    penalty = getattr(args, "penalty", None)
    if newton:
        allowed: tuple[str, ...] = NEWTON_PENALTIES
    else:
        allowed = OUT_OF_CORE_PENALTIES if command != "cv" else ("l1", "elasticnet")
    if penalty is not None and penalty not in allowed:
        what = f" with --datafit {args.datafit}" if newton else ""
        raise UsageError(
            f"--penalty {penalty} is not fitted out of core by lpnet {command}{what} ({', '.join(allowed)}){fix}"
        )
    if penalty == "lp" and p is not None and p < 1:
        raise UsageError(f"--penalty lp with p = {p:g} < 1 is not convex: out of core, give --p P with P >= 1{fix}")


@dataclass
class OutOfCore:
    """One pass of statistics and what the report says about it."""

    stats: object  # lpnet.dask.stats.Moments, one block per fold
    names: list
    desc: str
    engine: str
    n_passes: int
    n_rows_seen: int
    n_files: int

    def passes_line(self) -> str:
        s = "" if self.n_passes == 1 else "es"
        return (
            f"  engine {self.engine}: {self.n_passes} pass{s} over the data ({self.n_files} files), "
            f"{self.n_rows_seen} rows read"
        )


def open_out_of_core(args, engine_name: str, n_folds: int = 1, seed: int = 0) -> OutOfCore:
    """One pass over ``--data`` by the ``stream`` or ``dask`` engine: the statistics of ``n_folds``
    blocks (folds by a seeded hash of the row index, :func:`lpnet.dask.fold_of`)."""
    from functools import partial

    from ..dask.stats import chunk_moments, merge_moments

    with opened(args, engine_name) as (engine, files):
        fn = chunk_moments if n_folds == 1 else partial(chunk_moments, n_folds=n_folds, seed=seed)
        stats = engine.map_reduce(fn, merge_moments, label="pass over the data", indexed=n_folds > 1)
        names = list(engine.feature_names)
        passes, rows = engine.n_passes, engine.n_rows_seen
    n = int(stats.rows.sum())
    desc = f"{args.data} ({n} samples, {len(names)} features, {len(files)} files; target: {args.target})"
    return OutOfCore(stats, names, desc, engine_name, passes, rows, len(files))


def scaling(total, standardize: bool):
    """``mean, scale, constant`` of the features from all-row statistics: the mean and the standard
    deviation (ddof 0, as numpy's std) when standardizing, else 0 and 1; constant features (spread
    within the rounding of their mean) keep the scale 1."""
    import numpy as np

    return scaling_of(total.mx[0], np.diag(total.mxx[0]) / float(total.weight[0]), standardize)


def rescaled(stats, mean, scale):
    """The statistics of ``(X - mean) / scale``: the same rows, features in standardized units."""
    from ..dask.stats import Moments

    return Moments(
        stats.weight,
        stats.rows,
        (stats.mx - mean) / scale,
        stats.my,
        stats.mxx / (scale[:, None] * scale[None, :]),
        stats.mxy / scale,
        stats.myy,
        stats.depth,
    )


def r2(stats, coefs, intercepts):
    """R2 on the first block's rows of each model, from their statistics."""
    import numpy as np

    mse = stats.mean_squared_error(np.atleast_2d(coefs), np.atleast_1d(intercepts))
    return 1.0 - mse / (float(stats.myy[0]) / float(stats.weight[0]))


def grid_of(state, make, n_alphas: int, eps: float):
    """The decreasing grid of ``make(alpha)`` from its alpha_max on the Gram state, as the in-memory path
    (with a box: at the box's point closest to 0)."""
    from ..dask.box import boxed_alpha_max
    from ..path import alpha_grid

    template = make(1.0)
    top = boxed_alpha_max(template, state) if template.is_bounded else template.alpha_max(-state.c)
    return alpha_grid(top, n_alphas, eps)


def boxed(args, n_features: int):
    """``(box, wrap)``: the box options as keyword arguments (``{}`` without them) and a function
    putting a penalty inside that box (on the standardized features' coefficients, as in memory)."""
    from .common import bounds_of

    box = bounds_of(args, n_features)

    def wrap(penalty):
        return penalty.with_bounds(**box) if box else penalty

    return box, wrap


def solve(state, penalties, tol: float, max_iter: int):
    """Warm-started certified fits of decreasing ``penalties`` on a Gram state (one pass's statistics)."""
    from ..dask.gram_fits import solve_statistics

    return solve_statistics(state, penalties, tol, max_iter)


def as_estimator(estimator, fit, penalty, n_features: int):
    """The in-memory lpnet ``estimator`` holding a fit solved from statistics (it prints, predicts and
    is saved like an in-memory fit)."""
    from ..certificates import coef_error_bound

    estimator.coef_ = fit.coef.copy()
    estimator.intercept_ = float(fit.intercept)
    estimator.dual_gap_ = float(fit.dual_gap)
    estimator.objective_ = float(fit.objective)
    estimator.n_iter_ = int(fit.n_iter)
    estimator.converged_ = bool(fit.converged)
    estimator.optimality_violation_ = None
    estimator.coef_error_bound_ = coef_error_bound(estimator.dual_gap_, penalty, n_features)
    estimator.n_features_in_ = n_features
    return estimator


def path_out_of_core(args, engine_name: str, values: dict) -> PathRun:
    """``lpnet path`` from one pass: the statistics of all rows, standardized, solved for every alpha."""
    import numpy as np

    from ..dask.stats import gram_state
    from ..path import Path
    from ..penalties import make_penalty

    if args.datafit != "squared":
        from .engines_newton import path_newton

        return path_newton(args, engine_name, values)
    run = open_out_of_core(args, engine_name)
    mean, scale, constant = scaling(run.stats, not args.no_standardize)
    stats = rescaled(run.stats, mean, scale)
    state = gram_state(stats, True)
    _, wrap = boxed(args, len(run.names))

    def make(alpha):
        return wrap(make_penalty(args.penalty, alpha, **values))

    grid = grid_of(state, make, args.n_alphas, args.eps)
    penalties = [make(float(a)) for a in grid]
    fits = solve(state, penalties, args.tol, args.max_iter)
    coefs = np.array([f.coef for f in fits])
    intercepts = np.array([f.intercept for f in fits])
    path = Path(
        alphas=grid,
        coefs=coefs,
        intercepts=intercepts,
        objectives=np.array([f.objective for f in fits]),
        dual_gaps=np.array([f.dual_gap for f in fits]),
        optimality_violations=np.full(len(fits), np.nan),
        n_iters=np.array([f.n_iter for f in fits]),
        n_nonzero=np.count_nonzero(coefs, axis=1),
        converged=np.array([f.converged for f in fits]),
        feature_names=run.names,
        penalty=repr(penalties[0]),
        datafit="squared",
        alpha_max=float(grid[0]),
        p=float(getattr(penalties[0], "exponent", np.nan)),
    )
    f_null = 0.5 * float(stats.myy[0]) / float(stats.weight[0])
    how = standardized_how(args, "all rows")
    return PathRun(
        path,
        run.names,
        run.desc,
        how,
        None,
        None,
        ~constant,
        f_null,
        ["R2"],
        [r2(stats, coefs, intercepts)],
        run.passes_line(),
    )


def fit_out_of_core(args, engine_name: str, test_size: float, seed: int, min_rows: int) -> FitRun:
    """``lpnet fit`` from one pass: the rows split by a seeded hash of their index into train and test
    folds (about 75/25), standardized with the training statistics, every model solved from them."""
    import time

    from ..dask.stats import gram_state
    from . import menu
    from .data import note

    if args.datafit != "squared":
        from .engines_newton import fit_newton

        return fit_newton(args, engine_name, test_size, seed, min_rows)
    chosen = [args.penalty] if args.penalty is not None else [n for n in OUT_OF_CORE_PENALTIES if n != "lp"]
    if args.penalty is None:
        note("out of core, lpnet fit compares Lasso, Ridge and Elastic Net; --engine memory compares every penalty")
    folds = round(1.0 / test_size)
    run = open_out_of_core(args, engine_name, n_folds=folds, seed=seed)
    n = int(run.stats.rows.sum())
    if n < min_rows or run.stats.weight[0] <= 0 or run.stats.weight[1:].sum() <= 0:
        raise ValueError(
            f"{args.data!r} has {n} data rows; lpnet fit needs at least {min_rows} for its train/test split "
            "(lpnet path and lpnet cv use all the rows)"
        )
    train, test = run.stats.total(skip=0), run.stats.block(0)
    mean, scale, constant = scaling(train, not args.no_standardize)
    train, test = rescaled(train, mean, scale), rescaled(test, mean, scale)
    state = gram_state(train, True)
    box, wrap = boxed(args, len(run.names))
    results = []
    for name in chosen:
        values = menu.shape_values(args, name)
        label, short = menu.fit_labels(name, "squared", values)
        estimator = menu.fit_estimator(name, "squared", args.alpha, values, tol=args.tol, max_iter=args.max_iter)
        estimator.set_params(**box)
        penalty = wrap(menu.penalty_at(name, args.alpha, values))
        solve(state, [penalty], args.tol, 1)  # numba's one-off compilation is not fit time
        t0 = time.perf_counter()
        fit = solve(state, [penalty], args.tol, args.max_iter)[0]
        elapsed = time.perf_counter() - t0
        as_estimator(estimator, fit, penalty, len(run.names))
        scores = [float(r2(part, fit.coef, fit.intercept)[0]) for part in (train, test)]
        results.append((label, short, estimator, elapsed, "", scores))
    how = (
        "features used as given (--no-standardize)"
        if args.no_standardize
        else "features standardized with the training mean and standard deviation, from the pass's statistics"
    )
    n_train, n_test = int(run.stats.rows.sum() - run.stats.rows[0]), int(run.stats.rows[0])
    split = (
        f"  {n_train} train / {n_test} test samples (split about {1 - test_size:.0%}/{test_size:.0%} by a "
        f"seeded hash of the row index, seed {seed}); {how}"
    )
    f_null = 0.5 * float(train.myy[0]) / float(train.weight[0])
    return FitRun(
        run.desc, run.names, None, float(args.alpha), results, ~constant, mean, scale, split, f_null, run.passes_line()
    )


def cv_out_of_core(args, engine_name: str, values: dict) -> CVRun:
    """``lpnet cv`` from one pass: per-fold statistics (folds by a seeded hash of the row index),
    standardized with all rows' statistics; every fold's path solved from the other folds' merged
    statistics and scored on its own; both choices refit from all rows."""
    from functools import partial

    import numpy as np

    from ..dask.gram_fits import cross_validate
    from ..dask.stats import gram_state
    from ..datafits import make_datafit
    from ..model_selection.cv import CVResults, select_alpha
    from ..penalties import make_penalty
    from ..viz import plot_cv
    from . import menu

    if args.datafit != "squared":
        from .engines_newton import cv_newton

        return cv_newton(args, engine_name, values)
    n_folds = args.folds
    run = open_out_of_core(args, engine_name, n_folds=n_folds, seed=args.seed)
    stats = run.stats
    if int(stats.rows.sum()) < n_folds or np.any(stats.weight <= 0):
        raise UsageError(
            f"--folds {n_folds}: {int(stats.rows.sum())} samples leave folds "
            f"{np.flatnonzero(stats.weight <= 0).tolist()} empty; use fewer folds"
        )
    mean, scale, constant = scaling(stats.total(), not args.no_standardize)
    folds = rescaled(stats, mean, scale)  # every fold's statistics in standardized units
    full_state = gram_state(folds.total(), True)
    grid = menu.GRID_PARAMETER in values
    ratios = [float(r) for r in values[menu.GRID_PARAMETER]] if grid else [1.0]
    shape = {k: v for k, v in values.items() if k != menu.GRID_PARAMETER}
    box, wrap = boxed(args, len(run.names))

    def make(alpha, ratio):
        return wrap(make_penalty(args.penalty, alpha, **shape, **({menu.GRID_PARAMETER: ratio} if grid else {})))

    grids = [grid_of(full_state, partial(make, ratio=r), args.n_alphas, args.eps) for r in ratios]
    losses, _ = cross_validate(folds, make, grids, ratios, True, args.tol, args.max_iter)
    mean_loss, std_loss = losses.mean(axis=1), losses.std(axis=1)
    index_min, index_1se = select_alpha(mean_loss, std_loss, n_folds)
    res = CVResults(np.asarray(grids), np.asarray(ratios), losses, mean_loss, std_loss, index_min, index_1se)
    chosen = {}
    for name, (i, k) in (("min", index_min), ("1se", index_1se)):
        alpha, ratio = float(grids[i][k]), ratios[i]
        penalty = make(alpha, ratio)
        refit = {**shape, **({menu.GRID_PARAMETER: ratio} if grid else {})}
        estimator = menu.fit_estimator(args.penalty, "squared", alpha, refit, tol=args.tol, max_iter=args.max_iter)
        estimator.set_params(**box)
        fit = solve(full_state, [penalty], args.tol, args.max_iter)[0]
        chosen[name] = (i, k, alpha, ratio, as_estimator(estimator, fit, penalty, len(run.names)))
    kind = {"l1": "LassoCV", "elasticnet": "ElasticNetCV"}[args.penalty]
    return CVRun(
        run.desc,
        run.names,
        standardized_how(args, "all rows"),
        None,
        res,
        chosen,
        kind,
        menu.cv_label(args.penalty, "squared", values),
        grid,
        f"folds by a seeded hash of the row index, seed {args.seed}",
        ~constant,
        chosen[args.selection][2],
        partial(plot_cv, res, loss=make_datafit("squared").loss_label),
        run.passes_line(),
    )
