"""``lpnet path`` and ``lpnet cv``: the regularization path and cross-validated choice of alpha.

Registered on the parser of :mod:`lpnet.cli`, which owns the one-line errors and the entry point; the
data are read by :mod:`lpnet._cli_data`.  matplotlib is imported only with ``--plot`` (Agg canvas, no
pyplot state; the figures are drawn by :mod:`lpnet.viz`); pandas only with ``--data``, as for
``lpnet fit``.
"""
from __future__ import annotations

import argparse
import math
import os
import sys
import warnings

from .cli import (
    DEMO_L1_RATIO,
    DEMO_P,
    _add_datafit_option,
    _check_data_options,
    _coef,
    _fmt_coef,
    _integer,
    _intercept,
    _null_objective,
    _number,
    _UsageError,
)

PATH_PENALTIES = ("l1", "l2", "elasticnet", "lp")
CV_PENALTIES = ("l1", "elasticnet", "lp")  # least squares; the logistic loss takes all four
SELECTIONS = ("min", "1se")
TABLE_ROWS = 10
MAX_NAMES = 20

_PATH_EPILOG = f"""\
examples:
  lpnet path
      the Lasso path on scikit-learn's diabetes data (standardized): 100 alphas from alpha_max
      (every coefficient zero) down to 1e-3 * alpha_max
  lpnet path --penalty elasticnet --l1-ratio 0.3 --plot path.png --csv path.csv
  lpnet path --data house.csv --target price --penalty lp --p 0.5
  lpnet path --data churn.csv --target churned --datafit logistic --plot path.png

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

Errors are reported on one line as 'lpnet: error: ...' with exit status 2.
"""

_CV_EPILOG = f"""\
examples:
  lpnet cv
      LassoCV on scikit-learn's diabetes data (standardized), 5 shuffled folds, seed 0
  lpnet cv --penalty elasticnet --l1-ratio 0.1,0.5,0.9 --selection 1se --plot cv.png
  lpnet cv --data house.csv --target price --folds 10 --seed 3
  lpnet cv --data churn.csv --target churned --datafit logistic --penalty l2

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
  p = {DEMO_P:g}, as in lpnet fit.

Errors are reported on one line as 'lpnet: error: ...' with exit status 2.
"""


# ----------------------------------------------------------------------------------------------------
# parsers
# ----------------------------------------------------------------------------------------------------
def add_select_commands(sub) -> None:
    """Add ``path`` and ``cv`` to the ``lpnet`` subparsers ``sub``."""
    path = sub.add_parser(
        "path",
        help="the regularization path: coefficients against alpha, each fit certified",
        description="Compute the certified regularization path on all the data and report sparsity, "
        "certificates and\nthe order in which features enter.  Without --data: scikit-learn's diabetes data.",
        epilog=_PATH_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _data_options(path)
    path.add_argument("--penalty", default="l1", metavar="{l1,l2,elasticnet,lp}",
                      help="the penalty (default l1)")
    path.add_argument("--l1-ratio", metavar="R",
                      help=f"Elastic Net mixing in [0, 1], 1 = Lasso (default {DEMO_L1_RATIO:g})")
    _path_grid_options(path)
    path.add_argument("--csv", metavar="PATH.csv", help="write every alpha of the path as CSV")
    path.set_defaults(func=_cmd_path)

    cv = sub.add_parser(
        "cv",
        help="choose alpha (and l1_ratio) by K-fold cross-validation",
        description="Cross-validate the regularization path (LassoCV, ElasticNetCV, LpRegressionCV or "
        "LogisticRegressionCV)\nand report the chosen model.  Without --data: scikit-learn's diabetes data.",
        epilog=_CV_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _data_options(cv)
    cv.add_argument("--penalty", default="l1", metavar="{l1,l2,elasticnet,lp}",
                    help="l1 (LassoCV), elasticnet (ElasticNetCV) or lp (LpRegressionCV); default l1; "
                    "l2 with --datafit logistic only (all four: LogisticRegressionCV)")
    cv.add_argument("--l1-ratio", metavar="R[,R...]",
                    help="comma-separated Elastic Net mixings in [0, 1], each cross-validated, e.g. "
                    f"0.1,0.5,0.9 (default {DEMO_L1_RATIO:g})")
    _path_grid_options(cv)
    cv.add_argument("--folds", type=_integer("--folds"), default=5, metavar="K",
                    help="number of folds, >= 2 (default 5)")
    cv.add_argument("--selection", choices=SELECTIONS, default="min",
                    help="min: smallest mean validation loss; 1se: largest alpha within one standard "
                    "error of it (default min)")
    cv.add_argument("--seed", type=_integer("--seed"), default=0, metavar="S",
                    help="random_state of the shuffled (Stratified)KFold (default 0)")
    cv.set_defaults(func=_cmd_cv)


def _data_options(parser) -> None:
    parser.add_argument("--data", metavar="FILE.csv",
                        help="CSV file with a header row; every column but --target is a feature")
    parser.add_argument("--target", metavar="COLUMN", help="name of the target column (with --data)")
    _add_datafit_option(parser)
    parser.add_argument("--no-standardize", action="store_true",
                        help="use the features as they are instead of standardizing them")


def _path_grid_options(parser) -> None:
    parser.add_argument("--p", type=_number("--p"), metavar="P",
                        help=f"exponent of the Lp penalty, p > 0; p < 1 is non-convex (default {DEMO_P:g})")
    parser.add_argument("--n-alphas", type=_integer("--n-alphas"), default=100, metavar="N",
                        help="number of alphas on the grid (default 100)")
    parser.add_argument("--eps", type=_number("--eps"), default=1e-3, metavar="E",
                        help="the grid ends at E * alpha_max, 0 < E < 1 (default 1e-3)")
    parser.add_argument("--tol", type=_number("--tol"), default=1e-6,
                        help="stopping tolerance of every fit (default 1e-6)")
    parser.add_argument("--max-iter", type=_integer("--max-iter"), default=100, metavar="N",
                        help="maximum number of outer iterations per fit (default 100)")
    parser.add_argument("--plot", metavar="FILE.png",
                        help="save a plot (needs matplotlib: pip install 'lpnet[plot]')")


# ----------------------------------------------------------------------------------------------------
# checks
# ----------------------------------------------------------------------------------------------------
def _parse_l1_ratios(text: str) -> list:
    parts = [part.strip() for part in text.split(",")]
    values = []
    for part in parts:
        try:
            value = float(part)
        except ValueError:
            raise _UsageError(
                f"--l1-ratio must be a number or a comma-separated list of numbers in [0, 1], got {text!r}"
            ) from None
        if not (0.0 <= value <= 1.0):  # also rejects nan
            raise _UsageError(f"--l1-ratio values must lie in [0, 1], got {part}")
        if value not in values:
            values.append(value)
    return values


def _check_common(args, penalties, command) -> None:
    if args.penalty not in penalties:
        hint = ""
        if command == "cv" and args.penalty == "l2":
            hint = "; for a ridge-like fit use --penalty elasticnet --l1-ratio 0 (or --datafit logistic)"
        raise _UsageError(f"--penalty must be one of {', '.join(penalties)} for lpnet {command}, "
                          f"got {args.penalty!r}{hint}")
    _check_data_options(args)
    args.l1_ratios = [DEMO_L1_RATIO]
    if args.l1_ratio is not None:
        args.l1_ratios = _parse_l1_ratios(args.l1_ratio)
        if args.penalty != "elasticnet":
            raise _UsageError(f"--l1-ratio applies to --penalty elasticnet, not --penalty {args.penalty}")
    if args.p is not None:
        if not (math.isfinite(args.p) and args.p > 0):
            raise _UsageError(f"--p must be a finite number > 0, got {args.p:g}")
        if args.penalty != "lp":
            raise _UsageError(f"--p applies to --penalty lp, not --penalty {args.penalty}")
    else:
        args.p = DEMO_P
    if args.n_alphas < 1:
        raise _UsageError(f"--n-alphas must be a positive integer, got {args.n_alphas}")
    if not (0.0 < args.eps < 1.0):  # also rejects nan
        raise _UsageError(f"--eps must lie strictly between 0 and 1, got {args.eps:g}")
    if not (math.isfinite(args.tol) and args.tol >= 0):
        raise _UsageError(f"--tol must be a finite number >= 0, got {args.tol:g}")
    if args.max_iter < 1:
        raise _UsageError(f"--max-iter must be a positive integer, got {args.max_iter}")
    _check_output(args.plot, "--plot")
    if args.plot is not None:
        _check_plot_format(args.plot)


def _check_output(path, option) -> None:
    """Fail before any work when an output file cannot be written where asked."""
    if path is None:
        return
    if os.path.isdir(path):
        raise _UsageError(f"{option} {path!r} is a directory; give a file name")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise _UsageError(f"{option} {path!r}: directory {folder!r} does not exist")


def _matplotlib():
    """matplotlib's Figure and Agg canvas (no pyplot, no global backend switch), or a one-line error."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise _UsageError("--plot needs matplotlib, which is not installed: install lpnet[plot] "
                          "(pip install 'lpnet[plot]')") from None
    return Figure, FigureCanvasAgg


def _check_plot_format(path) -> None:
    Figure, Canvas = _matplotlib()
    ext = os.path.splitext(path)[1].lower().lstrip(".")
    formats = Canvas(Figure()).get_supported_filetypes()
    if ext not in formats:
        raise _UsageError(f"--plot {path!r}: unsupported file type {('.' + ext) if ext else '(none)'}; "
                          f"use one of {', '.join('.' + f for f in sorted(formats))}")


def _save_figure(fig, path) -> None:
    try:
        fig.savefig(path, dpi=120, bbox_inches="tight")
    except OSError as exc:
        raise _UsageError(f"cannot write the plot to {path!r}: {exc.strerror or exc}") from None


# ----------------------------------------------------------------------------------------------------
# data
# ----------------------------------------------------------------------------------------------------
def _load(args):
    """``X, y, names, desc, how, classes``: the data, standardized on all rows unless --no-standardize;
    ``classes`` holds the two labels with --datafit logistic, else None."""
    from ._cli_data import check_target, load_csv, load_demo

    if args.data is None:
        X, y, names, desc = load_demo()
    else:
        X, y, names, desc = load_csv(args.data, args.target)
    classes = check_target(y, args.datafit, args.target)
    if args.no_standardize:
        return X, y, names, desc, "features used as given (--no-standardize)", classes
    scale = X.std(axis=0)
    scale[scale == 0.0] = 1.0  # constant columns stay constant (0 after centering)
    X = (X - X.mean(axis=0)) / scale
    return X, y, names, desc, "features standardized with the mean and standard deviation of all rows", classes


def _table(header, rows, align=None) -> str:
    """A plain-text table; ``align`` has one 'l' or 'r' per column (default: first left, rest right)."""
    align = align or "l" + "r" * (len(header) - 1)
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = []
    for k, r in enumerate([header, *rows]):
        cells = [str(v).ljust(w) if a == "l" else str(v).rjust(w) for v, w, a in zip(r, widths, align)]
        lines.append("  ".join(cells).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _names(names, limit=MAX_NAMES) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f", ... ({len(names) - limit} more)" if len(names) > limit else "")


def _certificate(gap, violation) -> str:
    import numpy as np

    if not np.isnan(gap):
        return f"gap {gap:.2e}"
    if not np.isnan(violation):
        return f"violation {violation:.2e}"
    return "n/a"


def _penalty_label(penalty, l1_ratio, p, datafit="squared") -> str:
    if datafit == "logistic":
        return {"l1": "LogisticRegression(l1)", "l2": "LogisticRegression(l2)",
                "elasticnet": f"LogisticRegression(elasticnet, l1_ratio={l1_ratio:g})",
                "lp": f"LogisticRegression(lp, p={p:g})"}[penalty]
    return {"l1": "Lasso (L1)", "l2": "Ridge (L2)", "elasticnet": f"ElasticNet(l1_ratio={l1_ratio:g})",
            "lp": f"Lp(p={p:g})"}[penalty]


def _loss_description(classes) -> str:
    if classes is None:
        return "squared loss"
    return f"logistic loss (classes {classes[0]:g} and {classes[1]:g}; positive: {classes[1]:g})"


# ----------------------------------------------------------------------------------------------------
# lpnet path
# ----------------------------------------------------------------------------------------------------
def _cmd_path(args) -> int:
    _check_common(args, PATH_PENALTIES, "path")
    if len(args.l1_ratios) > 1:
        raise _UsageError(f"lpnet path takes a single --l1-ratio (one path per run), got {args.l1_ratio!r}; "
                          "lpnet cv compares several")
    _check_output(args.csv, "--csv")
    import numpy as np
    from sklearn.exceptions import ConvergenceWarning

    from ._cli_data import constant_columns
    from .path import regularization_path

    X, y, names, desc, how, classes = _load(args)
    l1_ratio = args.l1_ratios[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # convergence is reported per alpha below
        path = regularization_path(X, y, penalty=args.penalty, datafit=args.datafit, n_alphas=args.n_alphas,
                                   eps=args.eps, l1_ratio=l1_ratio, p=args.p, tol=args.tol,
                                   max_iter=args.max_iter, progress=sys.stderr.isatty())
    path.feature_names = list(names)
    n = len(path)
    informative = ~constant_columns(X)
    out = sys.stdout
    label = _penalty_label(args.penalty, l1_ratio, args.p, args.datafit)
    print(f"lpnet path: {desc}", file=out)
    print(f"  {label}, {_loss_description(classes)}; {n} alphas from {path.alphas[0]:.4g} down to "
          f"{path.alphas[-1]:.4g} (alpha_max = {path.alpha_max:.4g}, eps = {args.eps:g})", file=out)
    print(f"  {how}", file=out)
    f_null = _null_objective(y, classes)
    if np.all(np.isnan(path.dual_gaps)):
        print(f"  p < 1 is non-convex: each fit is certified by its optimality violation (converged when "
              f"<= tol = {args.tol:g}); no gap exists", file=out)
    else:
        print(f"  each fit is certified by its duality gap; converged when gap <= tol * F_null = "
              f"{args.tol * f_null:.3g} (F_null: the intercept-only objective)", file=out)
    print(file=out)

    shown = np.unique(np.linspace(0, n - 1, num=min(n, TABLE_ROWS)).round().astype(int))
    nonzero = (path.coefs != 0.0) & informative
    z = X @ path.coefs.T + path.intercepts
    if classes is None:
        ss_tot = float(np.sum((y - y.mean()) ** 2))
        r2 = 1.0 - np.sum((y[:, None] - z) ** 2, axis=0) / ss_tot if ss_tot > 0 else np.full(n, np.nan)
        score_names, scores = ["R2"], [r2]
    else:  # the predicted class is the positive one where the decision function is > 0
        sign = np.where(y == classes[1], 1.0, -1.0)[:, None]
        score_names = ["accuracy", "log-loss"]
        scores = [np.mean((z > 0) == (sign > 0), axis=0), np.mean(np.logaddexp(0.0, -sign * z), axis=0)]
    rows, before = [], np.zeros(len(names), dtype=bool)
    for k in shown:
        now = nonzero[k]
        changes = [f"+{names[j]}" for j in np.flatnonzero(now & ~before)]
        changes += [f"-{names[j]}" for j in np.flatnonzero(before & ~now)]
        if len(changes) > 4:
            changes = changes[:4] + [f"(+{len(changes) - 4} more)"]
        rows.append([str(k + 1), f"{path.alphas[k]:.4g}", f"{int(now.sum())}/{int(informative.sum())}",
                     *[f"{round(float(s[k]), 4) + 0.0:.4f}" for s in scores],
                     _certificate(path.dual_gaps[k], path.optimality_violations[k]),
                     "yes" if path.converged[k] else "NO", " ".join(changes)])
        before = now
    print(f"Path ({len(shown)} of {n} alphas, evenly spaced on the grid):", file=out)
    header = ["#", "alpha", "nonzeros", *score_names, "certificate", "converged", "entered (+) / left (-)"]
    print(_table(header, rows, align="r" * (len(header) - 1) + "l"), file=out)
    print(file=out)

    entered = [(int(np.argmax(nonzero[:, j])), -abs(float(path.coefs[np.argmax(nonzero[:, j]), j])), j)
               for j in range(len(names)) if nonzero[:, j].any()]
    entered.sort()
    never = [names[j] for j in range(len(names)) if informative[j] and not nonzero[:, j].any()]
    print("Entry order (the largest alpha at which each coefficient is first nonzero; ties: larger |coefficient| "
          "first):", file=out)
    if entered:
        items = [f"{rank}. {names[j]} ({path.alphas[k]:.4g})" for rank, (k, _, j) in enumerate(entered, 1)]
        extra = len(items) - MAX_NAMES
        items = items[:MAX_NAMES] + ([f"... ({extra} more)"] if extra > 0 else [])
        for start in range(0, len(items), 5):
            print("  " + "   ".join(items[start:start + 5]), file=out)
    if never:
        print(f"  never nonzero on this grid: {_names(never)}", file=out)
    if not informative.all():
        print(f"  constant columns (not counted): {_names([n for n, keep in zip(names, informative) if not keep])}",
              file=out)
    bad = int(np.sum(~path.converged))
    if bad:
        print(f"Not converged within max_iter={args.max_iter} at {bad} of {n} alphas; raise --max-iter "
              "or loosen --tol.", file=out)

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
        raise _UsageError(f"cannot write the path to {filename!r}: {exc.strerror or exc}") from None
    units = "standardized features" if how.startswith("features standardized") else "features as given"
    renamed = " (feature columns named like a diagnostic column are prefixed 'feature:')" \
        if columns != list(names) else ""
    print(f"Wrote {len(path)} alphas x {len(names)} coefficients ({units}) to {filename}{renamed}", file=out)


# ----------------------------------------------------------------------------------------------------
# lpnet cv
# ----------------------------------------------------------------------------------------------------
def _cmd_cv(args) -> int:
    _check_common(args, PATH_PENALTIES if args.datafit == "logistic" else CV_PENALTIES, "cv")
    if args.folds < 2:
        raise _UsageError(f"--folds must be an integer >= 2, got {args.folds}")
    if not 0 <= args.seed < 2**32:
        raise _UsageError(f"--seed must lie in [0, 2**32 - 1], got {args.seed}")
    import numpy as np
    from sklearn.base import clone
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import KFold, StratifiedKFold

    from ._cli_data import constant_columns
    from .model_selection import ElasticNetCV, LassoCV, LogisticRegressionCV, LpRegressionCV

    X, y, names, desc, how, classes = _load(args)
    if classes is None:
        if args.folds > X.shape[0]:
            raise _UsageError(f"--folds {args.folds} exceeds the number of samples ({X.shape[0]})")
        splitter = KFold(args.folds, shuffle=True, random_state=args.seed)
    else:  # every fold keeps both classes, as scikit-learn does for classifiers
        smallest = min(int(np.sum(y == c)) for c in classes)
        if args.folds > smallest:
            raise _UsageError(f"--folds {args.folds} exceeds the number of samples of the smaller class "
                              f"({smallest}); stratified folds need one of each class per fold")
        splitter = StratifiedKFold(args.folds, shuffle=True, random_state=args.seed)
    enet = args.penalty == "elasticnet"
    common = {"eps": args.eps, "n_alphas": args.n_alphas, "cv": splitter, "alpha_rule": args.selection,
              "progress": True, "tol": args.tol, "max_iter": args.max_iter}
    if classes is not None:  # l1_ratio and p only where the penalty uses them
        if enet:
            common["l1_ratio"] = args.l1_ratios
        if args.penalty == "lp":
            common["p"] = args.p
        est = LogisticRegressionCV(args.penalty, **common)
    elif args.penalty == "l1":
        est = LassoCV(**common)
    elif args.penalty == "elasticnet":
        est = ElasticNetCV(l1_ratio=args.l1_ratios, **common)
    else:
        est = LpRegressionCV(p=args.p, **common)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # the fits' certificates are printed below
        est.fit(X, y)
        res = est.cv_results_
        fits = {}
        for name, (i, k) in (("min", res.index_min), ("1se", res.index_1se)):
            alpha, ratio = float(res.alphas[i][k]), float(res.l1_ratios[i])
            chosen = name == args.selection
            model = est.estimator_ if chosen else clone(est.estimator_).set_params(alpha=alpha).fit(X, y)
            fits[name] = (i, k, alpha, ratio, model)

    out = sys.stdout
    n_folds = res.losses.shape[1]
    kind = type(est).__name__
    if classes is None:
        what = {"l1": "Lasso", "elasticnet": "ElasticNet", "lp": f"LpRegression(p={args.p:g})"}[args.penalty]
        loss, loss_long = "MSE", "mean squared error"
    else:
        what = f"LogisticRegression({args.penalty}" + (f", p={args.p:g})" if args.penalty == "lp" else ")")
        loss, loss_long = "log-loss", "mean log-loss"
    ratios = ", ".join(f"{r:g}" for r in res.l1_ratios)
    print(f"lpnet cv: {desc}", file=out)
    print(f"  {kind}: {what}, {n_folds}-fold cross-validation ({type(splitter).__name__}, shuffled, seed "
          f"{args.seed}), {res.alphas.shape[1]} alphas per l1_ratio (eps = {args.eps:g})"
          + (f", l1_ratio in {{{ratios}}}" if enet else ""), file=out)
    if classes is not None:
        print(f"  {_loss_description(classes)}", file=out)
    print(f"  {how}; validation loss: {loss_long} on the held-out fold", file=out)
    print(file=out)

    informative = ~constant_columns(X)
    header = ["choice", "alpha", *(["l1_ratio"] if enet else []), "nonzeros", f"mean CV {loss}", "std. error"]
    rows = []
    for name, (i, k, alpha, ratio, model) in fits.items():
        tag = f"{name} (chosen)" if name == args.selection else name
        rows.append([tag, f"{alpha:.4g}", *([f"{ratio:g}"] if enet else []),
                     f"{int(np.count_nonzero(_coef(model)[informative]))}/{int(informative.sum())}",
                     f"{res.mean[i, k]:.5g}", f"{res.std[i, k] / np.sqrt(n_folds):.3g}"])
    print(_table(header, rows), file=out)
    chosen = fits[args.selection]
    print(f"alpha_ = {est.alpha_!r}" + (f", l1_ratio_ = {chosen[3]!r}" if enet else "")
          + f" (--selection {args.selection})", file=out)
    print(file=out)

    print("Coefficients refit on all the data at each choice (exact zeros print as 0):", file=out)
    header = ["feature", *[f"{name} *" if name == args.selection else name for name in fits]]
    rows = [[name, *[_fmt_coef(_coef(f[4])[j]) for f in fits.values()]] for j, name in enumerate(names)]
    rows.append(["(intercept)", *[f"{_intercept(f[4]):.5g}" for f in fits.values()]])
    rows.append(["(certificate)", *[_fit_certificate(f[4]) for f in fits.values()]])
    print(_table(header, rows), file=out)
    if not chosen[4].converged_:
        print(f"The chosen fit did not converge within max_iter={args.max_iter}; raise --max-iter or "
              "loosen --tol.", file=out)

    if args.plot is not None:
        Figure, Canvas = _matplotlib()
        fig = Figure(figsize=(9, 4.5), layout="constrained")
        Canvas(fig)
        ax = est.plot_cv(ax=fig.subplots())
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
