"""The ``lpnet`` command line: ``lpnet fit`` compares certified L1 / L2 / Elastic Net / Lp fits.

``lpnet fit`` with no options runs a demonstration on scikit-learn's bundled diabetes data; with
``--data FILE.csv --target COLUMN --alpha A`` it fits your own data.  See ``lpnet fit --help``.
``lpnet path`` (the regularization path) and ``lpnet cv`` (alpha chosen by cross-validation) live in
:mod:`lpnet._cli_select` and share this module's data loading and one-line errors.

Start-up is kept light: numpy, scikit-learn and the solvers are imported only when a command runs,
pandas only when ``--data`` is given (and only if it is installed), matplotlib only with ``--plot``.
"""
from __future__ import annotations

import argparse
import math
import os
import sys
import textwrap
import time
import warnings

#: the demo's regularization strength; see DEMO_ALPHA_WHY
DEMO_ALPHA = 1.0
DEMO_ALPHA_WHY = (
    "The demo uses alpha = 1.0.  The features are standardized and the target (disease progression, "
    "standard deviation about 79) is kept in its own units, so the smallest alpha that zeroes every Lasso "
    "coefficient is about 49 on the training split; alpha = 1.0 is about 1/50 of it, where the Lasso "
    "sets 2 of the 10 coefficients exactly to zero while its test R2 stays as good as least squares "
    "(alpha = 0.1 leaves no zeros: too little to show sparsity)."
)
DEMO_L1_RATIO = 0.5
DEMO_P = 0.5
TEST_SIZE = 0.25
SPLIT_SEED = 0
MIN_ROWS = 8
PENALTIES = ("l1", "l2", "elasticnet", "lp")

_EPILOG = f"""\
examples:
  lpnet fit
      demo on scikit-learn's diabetes data: Lasso, Ridge, ElasticNet(l1_ratio=0.5) and
      LpRegression(p=0.5) side by side at alpha = {DEMO_ALPHA!r}
  lpnet fit --data house.csv --target price --penalty l1 --alpha 0.5 --save model.json
      one Lasso on your CSV, saved for lpnet.load("model.json")

why alpha = {DEMO_ALPHA!r} in the demo:
{textwrap.fill(DEMO_ALPHA_WHY, width=96, initial_indent="  ", subsequent_indent="  ")}

what is reported:
  The data are split 75/25 into train/test sets (seed {SPLIT_SEED}); the features are standardized
  with the training mean and standard deviation (unless --no-standardize).  For each model: the
  coefficients (exact zeros print as 0), the number of exact zeros, train and test R2, the
  certificate - the duality gap in objective units for convex penalties (a fit has converged when
  gap <= tol * F_null, F_null the intercept-only objective), or the scale-free optimality violation
  for non-convex Lp (p < 1), where no gap exists - the iterations and the fit time (numba's one-off
  compilation is excluded by a warm-up fit).

  --save writes the fitted model (trained on the 75% split) as JSON (+ .npz for large arrays, never
  pickle).  With standardization its coefficients are converted back to the original column units,
  so load(path).predict() takes the raw feature columns; its dual_gap_ / objective_ still describe
  the standardized fit.

Errors are reported on one line as 'lpnet: error: ...' with exit status 2.
"""


class _UsageError(Exception):
    """A command-line mistake: reported as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse would print the usage and call sys.exit(2)
        raise _UsageError(message)


# ----------------------------------------------------------------------------------------------------
# argument parsing
# ----------------------------------------------------------------------------------------------------
def _number(name):
    def parse(text):
        try:
            return float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a number, got {text!r}") from None

    return parse


def _integer(name):
    def parse(text):
        try:
            return int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be an integer, got {text!r}") from None

    return parse


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="lpnet",
        description="Certified L1 / L2 / Elastic Net / Lp regularized regression.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    fit = sub.add_parser(
        "fit",
        help="fit and compare models (demo on the diabetes data, or your CSV with --data)",
        description="Fit certified regularized linear regressions and report coefficients, sparsity,\n"
        "R2 and optimality certificates.  Without --data: a demo on scikit-learn's diabetes data.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    fit.add_argument("--data", metavar="FILE.csv",
                     help="CSV file with a header row; every column but --target is a feature")
    fit.add_argument("--target", metavar="COLUMN", help="name of the target column (with --data)")
    fit.add_argument("--penalty", choices=PENALTIES,
                     help="fit only this penalty (default: compare all four)")
    fit.add_argument("--alpha", type=_number("--alpha"), metavar="A",
                     help=f"regularization strength >= 0 (required with --data; demo default {DEMO_ALPHA!r})")
    fit.add_argument("--l1-ratio", type=_number("--l1-ratio"), metavar="R",
                     help=f"Elastic Net mixing in [0, 1], 1 = Lasso (default {DEMO_L1_RATIO:g})")
    fit.add_argument("--p", type=_number("--p"), metavar="P",
                     help=f"exponent of the Lp penalty, p > 0; p < 1 is non-convex (default {DEMO_P:g})")
    fit.add_argument("--tol", type=_number("--tol"), default=1e-6,
                     help="stopping tolerance: gap <= tol * F_null, or violation <= tol (default 1e-6)")
    fit.add_argument("--max-iter", type=_integer("--max-iter"), default=100, metavar="N",
                     help="maximum number of outer iterations (default 100)")
    fit.add_argument("--save", metavar="MODEL.json",
                     help="save the fitted model (needs a single --penalty) as JSON, never pickle")
    fit.add_argument("--no-standardize", action="store_true",
                     help="use the features as they are instead of standardizing them")
    fit.set_defaults(func=_cmd_fit)

    from ._cli_select import add_select_commands  # lpnet path, lpnet cv

    add_select_commands(sub)
    from ._cli_tour import add_tour_command  # lpnet tour
    add_tour_command(sub)
    from ._cli_explore import add_explore_command  # lpnet explore
    add_explore_command(sub)
    return parser


def _check_options(args) -> None:
    """Cross-option and range checks, before any data is read."""
    if args.data is None and args.target is not None:
        raise _UsageError("--target needs --data FILE.csv")
    if args.data is not None and args.target is None:
        raise _UsageError("--data needs --target COLUMN (the name of the column to predict)")
    if args.data is not None and args.alpha is None:
        raise _UsageError(
            "--data needs --alpha A: a good alpha depends on the scale of your target "
            "(try a few values, e.g. 1% of max|X^T (y - mean y)| / n)"
        )
    if args.alpha is not None and not (math.isfinite(args.alpha) and args.alpha >= 0):
        raise _UsageError(f"--alpha must be a finite number >= 0, got {args.alpha:g}")
    if args.l1_ratio is not None:
        if not (0.0 <= args.l1_ratio <= 1.0):  # also rejects nan
            raise _UsageError(f"--l1-ratio must lie in [0, 1], got {args.l1_ratio:g}")
        if args.penalty not in (None, "elasticnet"):
            raise _UsageError(f"--l1-ratio applies to --penalty elasticnet, not --penalty {args.penalty}")
    if args.p is not None:
        if not (math.isfinite(args.p) and args.p > 0):
            raise _UsageError(f"--p must be a finite number > 0, got {args.p:g}")
        if args.penalty not in (None, "lp"):
            raise _UsageError(f"--p applies to --penalty lp, not --penalty {args.penalty}")
    if not (math.isfinite(args.tol) and args.tol >= 0):
        raise _UsageError(f"--tol must be a finite number >= 0, got {args.tol:g}")
    if args.max_iter < 1:
        raise _UsageError(f"--max-iter must be a positive integer, got {args.max_iter}")
    if args.save is not None and args.penalty is None:
        raise _UsageError("--save needs a single model: add --penalty l1|l2|elasticnet|lp")


# ----------------------------------------------------------------------------------------------------
# data
# ----------------------------------------------------------------------------------------------------
DIABETES_FEATURES = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]


def _read_diabetes_files():
    """The raw diabetes tables from scikit-learn's installed data files, without importing
    ``sklearn.datasets`` (whose import alone costs about 0.1 s of the demo's start-up).

    Returns None when the files are not where scikit-learn ships them; the caller then falls back
    to ``load_diabetes``.  The features are standardized afterwards, so raw and scaled versions of
    the data give the same model.
    """
    import importlib.util

    import numpy as np

    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = os.path.join(list(spec.submodule_search_locations)[0], "datasets", "data")
    data_file = os.path.join(folder, "diabetes_data_raw.csv.gz")
    target_file = os.path.join(folder, "diabetes_target.csv.gz")
    if not (os.path.exists(data_file) and os.path.exists(target_file)):
        return None
    X = np.loadtxt(data_file)
    y = np.loadtxt(target_file)
    if X.shape != (442, 10) or y.shape != (442,):
        return None
    return X, y


def _load_demo():
    files = _read_diabetes_files()
    if files is None:
        from sklearn.datasets import load_diabetes

        d = load_diabetes()
        files = (d.data, d.target)
    X, y = files
    desc = (f"scikit-learn's diabetes data ({X.shape[0]} samples, {X.shape[1]} features; "
            "target: disease progression after one year)")
    return X.astype(float), y.astype(float), list(DIABETES_FEATURES), desc


def _quote_list(names, limit=10):
    shown = ", ".join(repr(str(n)) for n in names[:limit])
    return shown + (f", ... ({len(names)} in all)" if len(names) > limit else "")


def _load_csv(path: str, target: str):
    """Read ``path`` (header row) and split it into features and target, with one-line errors."""
    import numpy as np

    if not os.path.exists(path):
        raise FileNotFoundError(f"data file {path!r} not found")
    if os.path.isdir(path):
        raise ValueError(f"data file {path!r} is a directory, not a CSV file")
    pd = _import_pandas()
    if pd is not None:
        try:
            df = pd.read_csv(path)
        except pd.errors.EmptyDataError:
            raise ValueError(f"data file {path!r} is empty") from None
        except (pd.errors.ParserError, UnicodeDecodeError) as exc:
            msg = " ".join(str(exc).split())
            raise ValueError(f"cannot parse {path!r} as CSV: {msg}") from None
        columns = [str(c) for c in df.columns]
        df.columns = columns
        if target not in columns:
            raise ValueError(f"column {target!r} not found in {path!r}; its columns are {_quote_list(columns)}")
        bad = [c for c in columns
               if not (pd.api.types.is_numeric_dtype(df[c]) or pd.api.types.is_bool_dtype(df[c]))]
        if bad:
            raise ValueError(
                f"non-numeric columns in {path!r}: {_quote_list(bad)}; encode them as numbers or drop them"
            )
        missing = [c for c in columns if df[c].isna().any()]
        data = {c: df[c].to_numpy(dtype=np.float64) for c in columns}
    else:
        columns, data, missing = _read_csv_plain(path, target)
    if missing:
        raise ValueError(
            f"missing values (NaN or empty cells) in {path!r}, columns {_quote_list(missing)}; "
            "drop or impute them first"
        )
    infinite = [c for c in columns if not np.all(np.isfinite(data[c]))]
    if infinite:
        raise ValueError(f"infinite values in {path!r}, columns {_quote_list(infinite)}")
    features = [c for c in columns if c != target]
    if not features:
        raise ValueError(f"{path!r} has no feature columns besides the target {target!r}")
    n = len(data[target])
    if n < MIN_ROWS:
        raise ValueError(f"{path!r} has {n} data rows; at least {MIN_ROWS} are needed for a train/test split")
    X = np.column_stack([data[c] for c in features])
    y = data[target]
    desc = f"{path} ({n} samples, {len(features)} features; target: {target})"
    return X, y, features, desc


def _import_pandas():
    """pandas if it is installed, else None (then the csv module reads the file)."""
    try:
        import pandas
    except ImportError:
        return None
    return pandas


_NA_TOKENS = {"", "na", "nan", "n/a", "null", "none", "#n/a"}


def _read_csv_plain(path: str, target: str):
    """The pandas-free reader: the csv module plus numpy.  Returns (columns, {column: float array}, missing)."""
    import csv

    import numpy as np

    with open(path, newline="", encoding="utf-8-sig") as fh:
        rows = [row for row in csv.reader(fh) if row]
    if not rows:
        raise ValueError(f"data file {path!r} is empty")
    columns = [c.strip() for c in rows[0]]
    if target not in columns:
        raise ValueError(f"column {target!r} not found in {path!r}; its columns are {_quote_list(columns)}")
    body = rows[1:]
    for i, row in enumerate(body, start=2):
        if len(row) != len(columns):
            raise ValueError(f"line {i} of {path!r} has {len(row)} fields, the header has {len(columns)}")
    data, missing, bad = {}, [], []
    for j, name in enumerate(columns):
        values = np.empty(len(body))
        has_missing = is_bad = False
        for i, row in enumerate(body):
            cell = row[j].strip()
            if cell.lower() in _NA_TOKENS:
                values[i] = np.nan
                has_missing = True
                continue
            try:
                values[i] = float(cell)
            except ValueError:
                lowered = cell.lower()
                if lowered in ("true", "false"):
                    values[i] = float(lowered == "true")
                else:
                    is_bad = True
        if is_bad:
            bad.append(name)
        elif has_missing:
            missing.append(name)
        data[name] = values
    if bad:
        raise ValueError(f"non-numeric columns in {path!r}: {_quote_list(bad)}; encode them as numbers or drop them")
    return columns, data, missing


# ----------------------------------------------------------------------------------------------------
# fitting and reporting
# ----------------------------------------------------------------------------------------------------
def _models(args):
    """(label, short label, estimator) for every model to fit."""
    from . import ElasticNet, Lasso, LpRegression, Ridge

    alpha = DEMO_ALPHA if args.alpha is None else args.alpha
    l1_ratio = DEMO_L1_RATIO if args.l1_ratio is None else args.l1_ratio
    p = DEMO_P if args.p is None else args.p
    common = dict(tol=args.tol, max_iter=args.max_iter)
    specs = {
        "l1": ("Lasso", "Lasso", lambda: Lasso(alpha=alpha, **common)),
        "l2": ("Ridge", "Ridge", lambda: Ridge(alpha=alpha, **common)),
        "elasticnet": (f"ElasticNet(l1_ratio={l1_ratio:g})", f"EN({l1_ratio:g})",
                       lambda: ElasticNet(alpha=alpha, l1_ratio=l1_ratio, **common)),
        "lp": (f"LpRegression(p={p:g})", f"Lp(p={p:g})", lambda: LpRegression(alpha=alpha, p=p, **common)),
    }
    chosen = PENALTIES if args.penalty is None else (args.penalty,)
    return alpha, [(specs[k][0], specs[k][1], specs[k][2]()) for k in chosen]


def _warm_up(models, X, y) -> None:
    """Fit each model once on a slice of the training data, so numba's one-off compilation (and the
    loading of its cached machine code) is not counted as fit time."""
    from sklearn.base import clone

    rows = min(X.shape[0], 64)
    for _, _, model in models:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clone(model).fit(X[:rows], y[:rows])


def _fmt_coef(c: float) -> str:
    return "0" if c == 0.0 else f"{c:.5g}"


def _table(header, rows, left=1) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = []
    for k, r in enumerate([header, *rows]):
        cells = [str(v).ljust(w) if i < left else str(v).rjust(w) for i, (v, w) in enumerate(zip(r, widths))]
        lines.append("  ".join(cells).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _cmd_fit(args) -> int:
    _check_options(args)
    import numpy as np
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import train_test_split

    if args.data is None:
        X, y, names, desc = _load_demo()
    else:
        X, y, names, desc = _load_csv(args.data, args.target)
    alpha, models = _models(args)

    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=TEST_SIZE, random_state=SPLIT_SEED)
    if args.no_standardize:
        mean, scale = np.zeros(X.shape[1]), np.ones(X.shape[1])
        how = "features used as given (--no-standardize)"
    else:
        mean = X_tr.mean(axis=0)
        scale = X_tr.std(axis=0)
        scale[scale == 0.0] = 1.0  # constant columns stay constant (0 after centering)
        X_tr, X_te = (X_tr - mean) / scale, (X_te - mean) / scale
        how = "features standardized with the training mean and standard deviation"

    _warm_up(models, X_tr, y_tr)
    results = []
    for label, short, model in models:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            t0 = time.perf_counter()
            model.fit(X_tr, y_tr)
            elapsed = time.perf_counter() - t0
        for w in caught:  # replay anything that is not a convergence warning
            if not issubclass(w.category, ConvergenceWarning):
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        results.append((label, short, model, elapsed))

    out = sys.stdout
    print(f"lpnet fit: {desc}", file=out)
    print(f"  {len(y_tr)} train / {len(y_te)} test samples (split {1 - TEST_SIZE:.0%}/{TEST_SIZE:.0%}, "
          f"seed {SPLIT_SEED}); {how}", file=out)
    f_null = 0.5 * float(np.var(y_tr))  # intercept-only objective of the squared loss
    print(f"  alpha = {alpha!r}, tol = {args.tol:g}, max_iter = {args.max_iter}; a convex fit has converged "
          f"when its duality gap <= tol * F_null = {args.tol * f_null:.3g}", file=out)
    print(file=out)

    print("Coefficients (exact zeros print as 0):", file=out)
    header = ["feature", *[short for _, short, _, _ in results]]
    rows = [[name, *[_fmt_coef(m.coef_[j]) for _, _, m, _ in results]] for j, name in enumerate(names)]
    rows.append(["(intercept)", *[f"{float(m.intercept_):.5g}" for _, _, m, _ in results]])
    print(_table(header, rows), file=out)
    print(file=out)

    print("Fits:", file=out)
    header = ["model", "zeros", "train R2", "test R2", "certificate", "iters", "converged", "fit time"]
    rows = []
    not_converged = []
    for label, _, m, elapsed in results:
        if m.dual_gap_ is not None:
            cert = f"duality gap {m.dual_gap_:.2e}"
        elif m.optimality_violation_ is not None:
            cert = f"opt. violation {m.optimality_violation_:.2e} (p<1)"
        else:
            cert = "n/a"
        if not m.converged_:
            not_converged.append(label)
        rows.append([
            label,
            f"{int(np.sum(m.coef_ == 0.0))}/{m.coef_.shape[0]}",
            f"{m.score(X_tr, y_tr):.4f}",
            f"{m.score(X_te, y_te):.4f}",
            cert,
            str(int(m.n_iter_)),
            "yes" if m.converged_ else "NO",
            f"{elapsed * 1e3:.1f} ms",
        ])
    print(_table(header, rows), file=out)
    print(file=out)
    print("Duality gaps are in objective units, 1/(2n)||y - Xw - b||^2 + P(w); F_null is the objective of\n"
          "the intercept-only model.  For p < 1 the problem is non-convex: the scale-free optimality\n"
          "violation (converged when <= tol) is reported instead, and no gap is claimed.", file=out)
    if not_converged:
        print(f"Not converged within max_iter={args.max_iter}: {', '.join(not_converged)}; "
              "raise --max-iter or loosen --tol.", file=out)

    if args.save is not None:
        _save(results[0][2], args.save, mean, scale, args.no_standardize, out)
    return 0


def _save(model, path, mean, scale, raw, out) -> None:
    import copy

    import numpy as np

    from .io import save

    if not raw:
        # express the model in the original column units: w_raw = w / scale, b_raw = b - mean . w_raw
        model = copy.deepcopy(model)
        coef = np.asarray(model.coef_, dtype=np.float64) / scale
        model.coef_ = coef
        model.intercept_ = float(model.intercept_ - mean @ coef)
    written = save(model, path)
    units = "original column units" if not raw else "the columns as given"
    print(f"Saved {type(model).__name__} to {written} (coefficients in {units}; "
          "reload with lpnet.load).", file=out)


# ----------------------------------------------------------------------------------------------------
# entry point
# ----------------------------------------------------------------------------------------------------
def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


def main(argv=None) -> int:
    """Run the ``lpnet`` command line; returns the exit status (0 on success, 2 on errors)."""
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            raise _UsageError("missing command; run 'lpnet fit' for the demo, 'lpnet path', 'lpnet cv', "
                              "or 'lpnet --help'")
        return int(args.func(args))
    except SystemExit as exc:  # --help / --version
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 2)
    except BrokenPipeError:  # e.g. `lpnet fit | head`: stop quietly, as other command-line tools do
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return 1
    except (_UsageError, ValueError, TypeError, FileNotFoundError) as exc:
        print(f"lpnet: error: {_one_line(exc)}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
