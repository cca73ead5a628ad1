"""``lpnet path`` and ``lpnet cv``: the regularization path and cross-validated choice of alpha.

The penalties and their shape options come from the registry through :mod:`lpnet.cli.menu`; the data
options and their loading are in :mod:`lpnet.cli.common`.  matplotlib is imported only with ``--plot``
(Agg canvas, no pyplot state; the figures are drawn by :mod:`lpnet.viz`); pandas only with ``--data``,
as for ``lpnet fit``.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import warnings

from ..datafits import make_datafit
from ..penalties import make_penalty, penalty_names
from . import menu
from .common import (
    MAX_NAMES,
    UsageError,
    add_bounds_options,
    add_data_options,
    bounds_of,
    check_data_options,
    coef,
    datafit_of,
    fmt_coef,
    integer,
    intercept,
    load_data,
    names_list,
    null_objective,
    number,
    output_headers,
    table,
)
from .engines import (
    CVRun,
    PathRun,
    add_engine_options,
    check_engine_options,
    check_out_of_core,
    choose_engine,
    cv_out_of_core,
    path_out_of_core,
    show_progress,
)
from .groups import add_groups_option, check_groups_options, group_cv_estimator, group_path_label, group_penalty
from .relax import (
    add_variant_options,
    check_variant_options,
    choice_parameters,
    grid_name,
    refit_notes,
    variant_cv_estimator,
    variant_requested,
)

__all__ = ["add_select_commands", "cmd_cv", "cmd_path"]

SELECTIONS = ("min", "1se")
TABLE_ROWS = 10

_PATH_EPILOG = f"""\
examples:
  lpnet path
      the Lasso path on scikit-learn's diabetes data (standardized): 100 alphas from alpha_max
      (every coefficient zero) down to 1e-3 * alpha_max
  lpnet path --penalty elasticnet --l1-ratio 0.3 --plot path.png --csv path.csv
  lpnet path --data house.csv --target price --penalty lp --p 0.5
  lpnet path --data churn.csv --target churned --datafit logistic --plot path.png
  lpnet path --data 'big/*.parquet' --target y --engine stream --csv path.csv
      the whole path from one pass over files bigger than memory

what is reported:
  The path is computed on all the rows; the features are standardized with their mean and standard
  deviation (unless --no-standardize).  A table shows {TABLE_ROWS} evenly spaced alphas of the grid: the
  number of nonzero coefficients, R2 on the data (with --datafit logistic: accuracy and log-loss),
  the certificate of that fit (duality gap for convex penalties, optimality violation for Lp with
  p < 1) and the features that entered (+) or left (-) the model since the previous row; then the
  order in which the features first become nonzero.  --plot draws the coefficient paths, alpha
  decreasing to the right, the 10 strongest curves named in a legend beside the plot (needs
  matplotlib: pip install 'lpnet[plot]'); --csv writes every alpha of the path, one row each, with
  the coefficients of the (standardized) features.

data bigger than memory (--engine stream or dask, or auto on large files):
  One pass over the files gives the sufficient statistics of least squares; the features are
  standardized from them (all rows), and every fit is solved from them with its duality gap.
  Penalties: l1, l2, elasticnet, lp with --p >= 1; bounds allowed.  --datafit logistic, poisson,
  gamma, tweedie (l1, l2, elasticnet): distributed Newton steps, a pass each.  A line reports the
  passes and the rows read.  Other datafits and penalties, --groups, --relax and --adaptive need
  --engine memory.

Errors are reported on one line as 'lpnet: error: ...' with exit status 2.
"""

_CV_EPILOG = f"""\
examples:
  lpnet cv
      LassoCV on scikit-learn's diabetes data (standardized), 5 shuffled folds, seed 0
  lpnet cv --penalty elasticnet --l1-ratio 0.1,0.5,0.9 --selection 1se --plot cv.png
  lpnet cv --data house.csv --target price --folds 10 --seed 3
  lpnet cv --data churn.csv --target churned --datafit logistic --penalty l2
  lpnet cv --data big/ --target y --penalty elasticnet --l1-ratio 0.5,0.9 --scheduler tcp://host:8786
      every fold, alpha and l1_ratio from one pass on a Dask cluster

what is reported:
  K-fold cross-validation (KFold(K, shuffle=True, random_state=seed); StratifiedKFold with
  --datafit logistic) of the whole path, on one grid of alphas computed on all the data; the
  features are standardized with the mean and standard deviation of all rows (unless
  --no-standardize).  Two choices are shown: 'min', the alpha (and l1_ratio) with the smallest mean
  validation loss (MSE; log-loss with --datafit logistic), and '1se', the largest alpha whose mean
  loss is within one standard error of that minimum (glmnet's rule, same l1_ratio).  --selection
  picks the model that is reported as chosen (default min).  Both are refit on all the data; their
  coefficients are printed side by side (exact zeros print as 0) with their certificates.  --plot
  draws the mean validation loss with standard-error bars, alpha decreasing to the right as in the
  lpnet path plot, and marks both choices (needs matplotlib: pip install 'lpnet[plot]').  For least
  squares, --penalty elasticnet with --l1-ratio 0 is ridge-like (no separate l2 choice); with
  --datafit logistic, l2 is a choice (LogisticRegressionCV).  The default Lp exponent is
  p = {menu.DEMO_P:g}, as in lpnet fit.

data bigger than memory (--engine stream or dask, or auto on large files):
  One pass over the files gives the per-fold sufficient statistics of least squares; the features
  are standardized from them (all rows), and every fit is solved from them with its duality gap.
  The folds are drawn by a seeded hash of the row index (--seed), not by KFold; penalties: l1,
  elasticnet (every --l1-ratio from the same pass); bounds allowed.  --datafit logistic, poisson,
  gamma, tweedie (l1, l2, elasticnet): every fold's path by distributed Newton steps, same passes.
  A line reports the passes and the rows read.  Other datafits and penalties, --groups, --relax and
  --adaptive need --engine memory.

Errors are reported on one line as 'lpnet: error: ...' with exit status 2.
"""


# ----------------------------------------------------------------------------------------------------
# parsers
# ----------------------------------------------------------------------------------------------------
def _penalty_metavar() -> str:
    return "{" + ",".join(penalty_names()) + "}"


def add_select_commands(sub) -> None:
    """Add ``path`` and ``cv`` to the ``lpnet`` subparsers ``sub``.

    Parameters
    ----------
    sub : argparse subparsers action
    """
    default = penalty_names()[0]  # the registry lists the Lasso first
    path = sub.add_parser(
        "path",
        help="the regularization path: coefficients against alpha, each fit certified",
        description="Compute the certified regularization path on all the data and report sparsity, "
        "certificates and\nthe order in which features enter.  Without --data: scikit-learn's diabetes data.",
        epilog=_PATH_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_data_options(path)
    path.add_argument("--penalty", default=default, metavar=_penalty_metavar(), help=f"the penalty (default {default})")
    menu.add_shape_options(path, number, grid="single")
    add_groups_option(path)
    add_bounds_options(path)
    _path_grid_options(path)
    path.add_argument("--csv", metavar="PATH.csv", help="write every alpha of the path as CSV")
    add_engine_options(path)
    path.set_defaults(func=cmd_path)

    cv = sub.add_parser(
        "cv",
        help="choose alpha (and l1_ratio) by K-fold cross-validation",
        description="Cross-validate the regularization path (LassoCV, ElasticNetCV, LpRegressionCV or "
        "LogisticRegressionCV)\nand report the chosen model.  Without --data: scikit-learn's diabetes data.",
        epilog=_CV_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_data_options(cv)
    least_squares = ", ".join(menu.cv_penalties("squared"))
    cv.add_argument(
        "--penalty",
        default=default,
        metavar=_penalty_metavar(),
        help=f"{least_squares} for least squares (default {default}); every penalty with "
        "--datafit logistic (LogisticRegressionCV)",
    )
    menu.add_shape_options(cv, number, grid="list")
    add_groups_option(cv)
    add_bounds_options(cv)
    add_variant_options(cv, cv=True)
    _path_grid_options(cv)
    cv.add_argument(
        "--folds", type=integer("--folds"), default=5, metavar="K", help="number of folds, >= 2 (default 5)"
    )
    cv.add_argument(
        "--selection",
        choices=SELECTIONS,
        default="min",
        help="min: smallest mean validation loss; 1se: largest alpha within one standard error of it (default min)",
    )
    cv.add_argument(
        "--seed",
        type=integer("--seed"),
        default=0,
        metavar="S",
        help="random_state of the shuffled (Stratified)KFold (default 0)",
    )
    add_engine_options(cv)
    cv.set_defaults(func=cmd_cv)


def _path_grid_options(parser) -> None:
    parser.add_argument(
        "--n-alphas",
        type=integer("--n-alphas"),
        default=100,
        metavar="N",
        help="number of alphas on the grid (default 100)",
    )
    parser.add_argument(
        "--eps",
        type=number("--eps"),
        default=1e-3,
        metavar="E",
        help="the grid ends at E * alpha_max, 0 < E < 1 (default 1e-3)",
    )
    parser.add_argument(
        "--tol", type=number("--tol"), default=1e-6, help="stopping tolerance of every fit (default 1e-6)"
    )
    parser.add_argument(
        "--max-iter",
        type=integer("--max-iter"),
        default=100,
        metavar="N",
        help="maximum number of outer iterations per fit (default 100)",
    )
    parser.add_argument("--plot", metavar="FILE.png", help="save a plot (needs matplotlib: pip install 'lpnet[plot]')")


# ----------------------------------------------------------------------------------------------------
# checks
# ----------------------------------------------------------------------------------------------------
def _check_common(args, penalties, command) -> None:
    if args.penalty not in penalties:
        hint = ""
        if command == "cv" and args.penalty in penalty_names() and make_penalty(args.penalty).is_quadratic:
            # a quadratic penalty has no least-squares cross-validation here: say what comes closest
            hint = "; for a ridge-like fit use --penalty elasticnet --l1-ratio 0 (or --datafit logistic)"
        raise UsageError(
            f"--penalty must be one of {', '.join(penalties)} for lpnet {command}, got {args.penalty!r}{hint}"
        )
    check_data_options(args)
    check_engine_options(args)
    check_groups_options(args)
    menu.check_shape_values(args, args.penalty, grid=True)
    if args.n_alphas < 1:
        raise UsageError(f"--n-alphas must be a positive integer, got {args.n_alphas}")
    if not (0.0 < args.eps < 1.0):  # also rejects nan
        raise UsageError(f"--eps must lie strictly between 0 and 1, got {args.eps:g}")
    if not (math.isfinite(args.tol) and args.tol >= 0):
        raise UsageError(f"--tol must be a finite number >= 0, got {args.tol:g}")
    if args.max_iter < 1:
        raise UsageError(f"--max-iter must be a positive integer, got {args.max_iter}")
    _check_output(args.plot, "--plot")
    if args.plot is not None:
        _check_plot_format(args.plot)


def _check_output(path, option) -> None:
    """Fail before any work when an output file cannot be written where asked."""
    if path is None:
        return
    if os.path.isdir(path):
        raise UsageError(f"{option} {path!r} is a directory; give a file name")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise UsageError(f"{option} {path!r}: directory {folder!r} does not exist")


def _matplotlib():
    """matplotlib's Figure and Agg canvas (no pyplot, no global backend switch), or a one-line error."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise UsageError(
            "--plot needs matplotlib, which is not installed: install lpnet[plot] (pip install 'lpnet[plot]')"
        ) from None
    return Figure, FigureCanvasAgg


def _check_plot_format(path) -> None:
    Figure, Canvas = _matplotlib()
    ext = os.path.splitext(path)[1].lower().lstrip(".")
    formats = Canvas(Figure()).get_supported_filetypes()
    if ext not in formats:
        raise UsageError(
            f"--plot {path!r}: unsupported file type {('.' + ext) if ext else '(none)'}; "
            f"use one of {', '.join('.' + f for f in sorted(formats))}"
        )


def _save_figure(fig, path) -> None:
    try:
        fig.savefig(path, dpi=120, bbox_inches="tight")
    except OSError as exc:
        raise UsageError(f"cannot write the plot to {path!r}: {exc.strerror or exc}") from None


# ----------------------------------------------------------------------------------------------------
# output
# ----------------------------------------------------------------------------------------------------
def _certificate(gap, violation) -> str:
    import numpy as np

    if not np.isnan(gap):
        return f"gap {gap:.2e}"
    if not np.isnan(violation):
        return f"violation {violation:.2e}"
    return "n/a"


def _loss_description(classes, datafit: str) -> str:
    if classes is None:
        fit = make_datafit(datafit)
        return "squared loss" if fit.is_quadratic else f"{fit.name} datafit, {fit.formula}"
    if len(classes) > 2:
        return f"multinomial logistic loss ({len(classes)} classes: {', '.join(f'{c:g}' for c in classes)})"
    return f"logistic loss (classes {classes[0]:g} and {classes[1]:g}; positive: {classes[1]:g})"


# ----------------------------------------------------------------------------------------------------
# lpnet path
# ----------------------------------------------------------------------------------------------------
def _path_in_memory(args, values) -> PathRun:
    """The path of the data read into memory (``--engine memory``), and what its report needs."""
    import numpy as np
    from sklearn.exceptions import ConvergenceWarning

    from ..path import regularization_path
    from .data import constant_columns

    X, y, names, desc, how, classes = load_data(args)
    group = None if args.groups is None else group_penalty(args, names, values)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # convergence is reported per alpha below
        path = regularization_path(
            X,
            y,
            penalty=make_penalty(args.penalty, 1.0, **values) if group is None else group,
            datafit=datafit_of(args),
            n_alphas=args.n_alphas,
            eps=args.eps,
            tol=args.tol,
            max_iter=args.max_iter,
            progress=show_progress(args),
            **bounds_of(args, X.shape[1]),
        )
    path.feature_names = list(names)
    informative = ~constant_columns(X)
    z = X @ path.coefs.T + path.intercepts
    if classes is None:  # R2 for least squares, D2 for the log-link families: the datafit's score
        fit = make_datafit(args.datafit)
        score_names, scores = [fit.score_label], [fit.validation_score(y, z, np.ones(len(y)))]
    else:  # the predicted class is the positive one where the decision function is > 0
        sign = np.where(y == classes[1], 1.0, -1.0)[:, None]
        score_names = ["accuracy", "log-loss"]
        scores = [np.mean((z > 0) == (sign > 0), axis=0), np.mean(np.logaddexp(0.0, -sign * z), axis=0)]
    f_null = null_objective(y, args.datafit)
    return PathRun(path, list(names), desc, how, classes, group, informative, f_null, score_names, scores, "")


def cmd_path(args) -> int:
    """Run ``lpnet path`` with the parsed ``args``; returns the exit status.

    Parameters
    ----------
    args : argparse.Namespace

    Returns
    -------
    int
    """
    _check_common(args, penalty_names(), "path")
    if len(args.grid_values) > 1:
        flag = menu.shape_options()[menu.GRID_PARAMETER].flag
        raise UsageError(
            f"lpnet path takes a single {flag} (one path per run), got "
            f"{getattr(args, menu.GRID_PARAMETER)!r}; lpnet cv compares several"
        )
    _check_output(args.csv, "--csv")
    import numpy as np

    if make_datafit(args.datafit).is_multi_output:
        raise UsageError(
            f"lpnet path traces models with one coefficient per feature; --datafit {args.datafit} has one per "
            "class: use lpnet cv or lpnet fit"
        )
    values = menu.shape_values(args, args.penalty, grid="first")
    engine = choose_engine(args)
    if engine == "memory":
        run = _path_in_memory(args, values)
    else:
        check_out_of_core(args, "path", values.get("p"))
        run = path_out_of_core(args, engine, values)
    path, names, desc, how, classes, group = run.path, run.names, run.desc, run.how, run.classes, run.group
    n = len(path)
    informative = run.informative
    out = sys.stdout
    label = menu.path_label(args.penalty, args.datafit, values) if group is None else group_path_label(group)
    print(f"lpnet path: {desc}", file=out)
    print(
        f"  {label}, {_loss_description(classes, args.datafit)}; {n} alphas from {path.alphas[0]:.4g} down to "
        f"{path.alphas[-1]:.4g} (alpha_max = {path.alpha_max:.4g}, eps = {args.eps:g})",
        file=out,
    )
    print(f"  {how}", file=out)
    if run.passes:
        print(run.passes, file=out)
    f_null = run.f_null
    if bounds_of(args) and np.all(np.isnan(path.dual_gaps)):
        print(
            "  with these bounds each fit is certified by its optimality violation, the box's normal cone "
            f"included (converged when <= tol = {args.tol:g})",
            file=out,
        )
    elif np.all(np.isnan(path.dual_gaps)):
        penalty = make_penalty(args.penalty, 1.0, **values)
        what = "p < 1" if penalty.exponent < 1.0 else penalty.label  # NaN exponent: not a p-th power
        print(
            f"  {what} is non-convex: each fit is certified by its optimality violation (converged when "
            f"<= tol = {args.tol:g}); no gap exists",
            file=out,
        )
    else:
        print(
            f"  each fit is certified by its duality gap; converged when gap <= tol * F_null = "
            f"{args.tol * f_null:.3g} (F_null: the intercept-only objective)",
            file=out,
        )
    print(file=out)

    shown = np.unique(np.linspace(0, n - 1, num=min(n, TABLE_ROWS)).round().astype(int))
    nonzero = (path.coefs != 0.0) & informative
    score_names, scores = run.score_names, run.scores
    rows, before = [], np.zeros(len(names), dtype=bool)
    for k in shown:
        now = nonzero[k]
        changes = [f"+{names[j]}" for j in np.flatnonzero(now & ~before)]
        changes += [f"-{names[j]}" for j in np.flatnonzero(before & ~now)]
        if len(changes) > 4:
            changes = changes[:4] + [f"(+{len(changes) - 4} more)"]
        rows.append(
            [
                str(k + 1),
                f"{path.alphas[k]:.4g}",
                f"{int(now.sum())}/{int(informative.sum())}",
                *[f"{round(float(s[k]), 4) + 0.0:.4f}" for s in scores],
                _certificate(path.dual_gaps[k], path.optimality_violations[k]),
                "yes" if path.converged[k] else "NO",
                " ".join(changes),
            ]
        )
        before = now
    print(f"Path ({len(shown)} of {n} alphas, evenly spaced on the grid):", file=out)
    header = ["#", "alpha", "nonzeros", *score_names, "certificate", "converged", "entered (+) / left (-)"]
    print(table(header, rows, align="r" * (len(header) - 1) + "l"), file=out)
    print(file=out)

    entered = [
        (int(np.argmax(nonzero[:, j])), -abs(float(path.coefs[np.argmax(nonzero[:, j]), j])), j)
        for j in range(len(names))
        if nonzero[:, j].any()
    ]
    entered.sort()
    never = [names[j] for j in range(len(names)) if informative[j] and not nonzero[:, j].any()]
    print(
        "Entry order (the largest alpha at which each coefficient is first nonzero; ties: larger |coefficient| first):",
        file=out,
    )
    if entered:
        items = [f"{rank}. {names[j]} ({path.alphas[k]:.4g})" for rank, (k, _, j) in enumerate(entered, 1)]
        extra = len(items) - MAX_NAMES
        items = items[:MAX_NAMES] + ([f"... ({extra} more)"] if extra > 0 else [])
        for start in range(0, len(items), 5):
            print("  " + "   ".join(items[start : start + 5]), file=out)
    if never:
        print(f"  never nonzero on this grid: {names_list(never)}", file=out)
    if not informative.all():
        print(
            f"  constant columns (not counted): {names_list([n for n, keep in zip(names, informative) if not keep])}",
            file=out,
        )
    bad = int(np.sum(~path.converged))
    if bad:
        print(
            f"Not converged within max_iter={args.max_iter} at {bad} of {n} alphas; raise --max-iter or loosen --tol.",
            file=out,
        )

    if args.csv is not None:
        _write_path_csv(path, names, args.csv, out, how)
    if args.plot is not None:
        Figure, Canvas = _matplotlib()
        fig = Figure(figsize=(9, 5), layout="constrained")  # room for the legend beside the axes
        Canvas(fig)
        ax = path.plot(ax=fig.subplots())
        ax.set_title(f"{label} path: {_short(desc)}", fontsize="medium")
        _save_figure(fig, args.plot)
        print(f"Wrote the path plot to {args.plot}", file=out)
    return 0


def _short(desc: str) -> str:
    return desc.split(" (")[0]


def _write_path_csv(path, names, filename, out, how) -> None:
    import csv

    import numpy as np

    diag = {"alpha": path.alphas, "intercept": path.intercepts, "n_nonzero": path.n_nonzero}
    if not np.all(np.isnan(path.dual_gaps)):
        diag["dual_gap"] = path.dual_gaps
    if not np.all(np.isnan(path.optimality_violations)):
        diag["optimality_violation"] = path.optimality_violations
    diag["n_iter"] = path.n_iters
    diag["converged"] = path.converged
    columns = [f"feature:{name}" if name in diag else name for name in names]

    def cell(v):
        if isinstance(v, (bool, np.bool_)):
            return "true" if v else "false"
        if isinstance(v, (int, np.integer)):
            return str(int(v))
        v = float(v)
        return "" if math.isnan(v) else repr(v)

    try:
        with open(filename, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow([*diag, *columns])
            for k in range(len(path)):
                writer.writerow([*(cell(col[k]) for col in diag.values()), *(cell(c) for c in path.coefs[k])])
    except OSError as exc:
        raise UsageError(f"cannot write the path to {filename!r}: {exc.strerror or exc}") from None
    units = "standardized features" if how.startswith("features standardized") else "features as given"
    renamed = (
        " (feature columns named like a diagnostic column are prefixed 'feature:')" if columns != list(names) else ""
    )
    print(f"Wrote {len(path)} alphas x {len(names)} coefficients ({units}) to {filename}{renamed}", file=out)


# ----------------------------------------------------------------------------------------------------
# lpnet cv
# ----------------------------------------------------------------------------------------------------
def _cv_in_memory(args, values) -> CVRun:
    """The cross-validation of the data read into memory (``--engine memory``, and the demo)."""
    import numpy as np
    from sklearn.base import clone
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import KFold, StratifiedKFold

    from .data import constant_columns

    X, y, names, desc, how, classes = load_data(args)
    if classes is None:
        if args.folds > X.shape[0]:
            raise UsageError(f"--folds {args.folds} exceeds the number of samples ({X.shape[0]})")
        splitter = KFold(args.folds, shuffle=True, random_state=args.seed)
    else:  # every fold keeps both classes, as scikit-learn does for classifiers
        smallest = min(int(np.sum(y == c)) for c in classes)
        if args.folds > smallest:
            raise UsageError(
                f"--folds {args.folds} exceeds the number of samples of the smaller class "
                f"({smallest}); stratified folds need one of each class per fold"
            )
        splitter = StratifiedKFold(args.folds, shuffle=True, random_state=args.seed)
    grid = menu.GRID_PARAMETER in values  # the grid parameter is cross-validated too: show its values
    common = {
        "eps": args.eps,
        "n_alphas": args.n_alphas,
        "cv": splitter,
        "alpha_rule": args.selection,
        "progress": True,
        "tol": args.tol,
        "max_iter": args.max_iter,
        **bounds_of(args, X.shape[1]),
    }
    if variant_requested(args):
        what, est = variant_cv_estimator(args, datafit_of(args), **common)
        grid = args.relax  # gamma is cross-validated with alpha
    elif args.groups is None:
        est = menu.cv_estimator(args.penalty, datafit_of(args), values, **common)
    else:
        what, est = group_cv_estimator(args, names, values, datafit_of(args), **common)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # the fits' certificates are printed below
        est.fit(X, y)
        res = est.cv_results_
        fits = {}
        for name, (i, k) in (("min", res.index_min), ("1se", res.index_1se)):
            alpha, ratio = float(res.alphas[i][k]), float(res.l1_ratios[i])
            chosen = name == args.selection
            refit = choice_parameters(args, alpha, ratio)
            model = est.estimator_ if chosen else clone(est.estimator_).set_params(**refit).fit(X, y)
            fits[name] = (i, k, alpha, ratio, model)
    if args.groups is None and not variant_requested(args):
        what = menu.cv_label(args.penalty, args.datafit, values)
    folds = f"{type(splitter).__name__}, shuffled, seed {args.seed}"
    return CVRun(
        desc,
        list(names),
        how,
        classes,
        res,
        fits,
        type(est).__name__,
        what,
        grid,
        folds,
        ~constant_columns(X),
        est.alpha_,
        est.plot_cv,
        "",
    )


def cmd_cv(args) -> int:
    """Run ``lpnet cv`` with the parsed ``args``; returns the exit status.

    Parameters
    ----------
    args : argparse.Namespace

    Returns
    -------
    int
    """
    _check_common(args, menu.cv_penalties(args.datafit), "cv")
    if args.folds < 2:
        raise UsageError(f"--folds must be an integer >= 2, got {args.folds}")
    check_variant_options(args)
    if not 0 <= args.seed < 2**32:
        raise UsageError(f"--seed must lie in [0, 2**32 - 1], got {args.seed}")
    import numpy as np

    values = menu.shape_values(args, args.penalty, grid="all")
    engine = choose_engine(args)
    if engine == "memory":
        run = _cv_in_memory(args, values)
    else:
        check_out_of_core(args, "cv", values.get("p"))
        run = cv_out_of_core(args, engine, values)
    desc, names, how, classes, res, fits = run.desc, run.names, run.how, run.classes, run.res, run.fits
    kind, what, grid = run.kind, run.what, run.grid
    out = sys.stdout
    n_folds = res.losses.shape[1]
    if classes is None:
        fit = make_datafit(args.datafit)
        loss, loss_long = (
            ("MSE", "mean squared error") if fit.is_quadratic else (fit.loss_label, f"mean {fit.loss_label}")
        )
    else:
        loss, loss_long = "log-loss", "mean log-loss"
    ratios = ", ".join(f"{r:g}" for r in res.l1_ratios)
    print(f"lpnet cv: {desc}", file=out)
    print(
        f"  {kind}: {what}, {n_folds}-fold cross-validation ({run.folds}), {res.alphas.shape[1]} alphas per "
        f"{grid_name(args)} (eps = {args.eps:g})" + (f", {grid_name(args)} in {{{ratios}}}" if grid else ""),
        file=out,
    )
    if classes is not None:
        print(f"  {_loss_description(classes, args.datafit)}", file=out)
    print(f"  {how}; validation loss: {loss_long} on the held-out fold", file=out)
    if run.passes:
        print(run.passes, file=out)
    print(file=out)

    informative = run.informative
    header = ["choice", "alpha", *([grid_name(args)] if grid else []), "nonzeros", f"mean CV {loss}", "std. error"]
    rows = []
    for name, (i, k, alpha, ratio, model) in fits.items():
        tag = f"{name} (chosen)" if name == args.selection else name
        rows.append(
            [
                tag,
                f"{alpha:.4g}",
                *([f"{ratio:g}"] if grid else []),
                f"{int(np.count_nonzero(np.any(coef(model)[informative] != 0, axis=1)))}/{int(informative.sum())}",
                f"{res.mean[i, k]:.5g}",
                f"{res.std[i, k] / np.sqrt(n_folds):.3g}",
            ]
        )
    print(table(header, rows), file=out)
    chosen = fits[args.selection]
    print(
        f"alpha_ = {run.alpha_!r}"
        + (f", {grid_name(args)}_ = {chosen[3]!r}" if grid else "")
        + f" (--selection {args.selection})",
        file=out,
    )
    print(file=out)

    print("Coefficients refit on all the data at each choice (exact zeros print as 0):", file=out)
    labels = {name: f"{name} *" if name == args.selection else name for name in fits}
    header = ["feature", *[h for name, f in fits.items() for h in output_headers(labels[name], f[4])]]
    rows = [[name, *[fmt_coef(c) for f in fits.values() for c in coef(f[4])[j]]] for j, name in enumerate(names)]
    rows.append(["(intercept)", *[f"{b:.5g}" for f in fits.values() for b in intercept(f[4])]])
    rows.append(["(certificate)", *[c for f in fits.values() for c in [_fit_certificate(f[4])] * coef(f[4]).shape[1]]])
    print(table(header, rows), file=out)
    for line in refit_notes((name, f[4]) for name, f in fits.items()):
        print(line, file=out)
    if not chosen[4].converged_:
        print(
            f"The chosen fit did not converge within max_iter={args.max_iter}; raise --max-iter or loosen --tol.",
            file=out,
        )

    if args.plot is not None:
        Figure, Canvas = _matplotlib()
        fig = Figure(figsize=(9, 4.5), layout="constrained")
        Canvas(fig)
        ax = run.plot(ax=fig.subplots())
        ax.set_title(f"{kind}, {n_folds}-fold CV: {_short(desc)}", fontsize="medium")
        _save_figure(fig, args.plot)
        print(f"Wrote the cross-validation plot to {args.plot}", file=out)
    return 0


def _fit_certificate(model) -> str:
    if model.dual_gap_ is not None:
        return f"gap {model.dual_gap_:.2e}"
    if model.optimality_violation_ is not None:
        return f"violation {model.optimality_violation_:.2e}"
    return "n/a"
