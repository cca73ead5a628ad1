"""The ``lpnet`` command line: ``lpnet fit`` compares certified L1 / L2 / Elastic Net / Lp fits.

``lpnet fit`` with no options runs a demonstration on scikit-learn's bundled diabetes data; with
``--data FILE.csv --target COLUMN --alpha A`` it fits your own data, by least squares or, with
``--datafit logistic``, as a binary classifier.  See ``lpnet fit --help``.  ``lpnet path`` (the
regularization path) and ``lpnet cv`` (alpha chosen by cross-validation) live in
:mod:`lpnet._cli_select`; all commands read their data with :mod:`lpnet._cli_data` and share this
module's one-line errors.

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

from ._cli_data import DATAFITS

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
  lpnet fit --data churn.csv --target churned --datafit logistic --alpha 0.01
      L1 / L2 / Elastic Net / Lp logistic regressions of a two-class target

why alpha = {DEMO_ALPHA!r} in the demo:
{textwrap.fill(DEMO_ALPHA_WHY, width=96, initial_indent="  ", subsequent_indent="  ")}

what is reported:
  The data are split 75/25 into train/test sets (seed {SPLIT_SEED}; stratified by class with
  --datafit logistic); the features are standardized with the training mean and standard deviation
  (unless --no-standardize).  For each model: the coefficients (exact zeros print as 0), the number
  of exact zeros (constant columns are not counted), train and test R2 (with --datafit logistic:
  accuracy and log-loss), the certificate - the duality gap in objective units for convex penalties
  (a fit has converged when gap <= tol * F_null, F_null the intercept-only objective), or the
  scale-free optimality violation for non-convex Lp (p < 1), where no gap exists - the iterations
  and the fit time (numba's one-off compilation is excluded by a warm-up fit).

  --save writes the fitted model (trained on the 75% split) as JSON (+ .npz for large arrays, never
  pickle), with the feature names in feature_names_in_.  With standardization its coefficients are
  converted back to the original column units, so load(path).predict(df) takes a DataFrame of the
  raw feature columns; its dual_gap_ / objective_ still describe the standardized fit.

  Notes and warnings about the data (a blank index column dropped, constant columns, a ';'
  separator, a two-valued target fitted by least squares) are printed to stderr.

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
    from . import __version__

    parser = _Parser(
        prog="lpnet",
        description="Certified L1 / L2 / Elastic Net / Lp regularized linear and logistic regression.",
    )
    parser.add_argument("--version", action="version", version=f"lpnet {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    fit = sub.add_parser(
        "fit",
        help="fit and compare models (demo on the diabetes data, or your CSV with --data)",
        description="Fit certified regularized linear (or logistic) regressions and report coefficients,\n"
        "sparsity, R2 (or accuracy and log-loss) and optimality certificates.  Without --data: a demo\n"
        "on scikit-learn's diabetes data.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    fit.add_argument("--data", metavar="FILE.csv",
                     help="CSV file with a header row; every column but --target is a feature")
    fit.add_argument("--target", metavar="COLUMN", help="name of the target column (with --data)")
    _add_datafit_option(fit)
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


def _add_datafit_option(parser) -> None:
    """``--datafit squared|logistic``, shared by ``fit``, ``path`` and ``cv``."""
    parser.add_argument("--datafit", choices=DATAFITS, default="squared",
                        help="squared: least-squares regression (default); logistic: binary classification "
                        "of a target with exactly two classes (needs --data)")


def _check_data_options(args) -> None:
    """The data options shared by ``fit``, ``path`` and ``cv``."""
    if args.data is None and args.target is not None:
        raise _UsageError("--target needs --data FILE.csv")
    if args.data is not None and args.target is None:
        raise _UsageError("--data needs --target COLUMN (the name of the column to predict)")
    if args.datafit == "logistic" and args.data is None:
        raise _UsageError("--datafit logistic needs --data FILE.csv --target COLUMN with a two-class target; "
                          "the diabetes demo's target is continuous")


def _check_options(args) -> None:
    """Cross-option and range checks, before any data is read."""
    _check_data_options(args)
    if args.data is not None and args.alpha is None:
        hint = ("try a few values, e.g. 1% of max|X^T (y - mean y)| / n" if args.datafit == "squared"
                else "lpnet path --datafit logistic on the same data prints alpha_max; try 1% of it")
        raise _UsageError(f"--data needs --alpha A: a good alpha depends on your data ({hint})")
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
# fitting and reporting
# ----------------------------------------------------------------------------------------------------
def _models(args):
    """(label, short label, estimator) for every model to fit."""
    from . import ElasticNet, Lasso, LogisticRegression, LpRegression, Ridge

    alpha = DEMO_ALPHA if args.alpha is None else args.alpha
    l1_ratio = DEMO_L1_RATIO if args.l1_ratio is None else args.l1_ratio
    p = DEMO_P if args.p is None else args.p
    common = dict(tol=args.tol, max_iter=args.max_iter)
    if args.datafit == "logistic":
        specs = {
            "l1": ("LogisticRegression(l1)", "L1", lambda: LogisticRegression("l1", alpha, **common)),
            "l2": ("LogisticRegression(l2)", "L2", lambda: LogisticRegression("l2", alpha, **common)),
            "elasticnet": (f"LogisticRegression(elasticnet, l1_ratio={l1_ratio:g})", f"EN({l1_ratio:g})",
                           lambda: LogisticRegression("elasticnet", alpha, l1_ratio=l1_ratio, **common)),
            "lp": (f"LogisticRegression(lp, p={p:g})", f"Lp(p={p:g})",
                   lambda: LogisticRegression("lp", alpha, p=p, **common)),
        }
    else:
        specs = {
            "l1": ("Lasso", "Lasso", lambda: Lasso(alpha=alpha, **common)),
            "l2": ("Ridge", "Ridge", lambda: Ridge(alpha=alpha, **common)),
            "elasticnet": (f"ElasticNet(l1_ratio={l1_ratio:g})", f"EN({l1_ratio:g})",
                           lambda: ElasticNet(alpha=alpha, l1_ratio=l1_ratio, **common)),
            "lp": (f"LpRegression(p={p:g})", f"Lp(p={p:g})", lambda: LpRegression(alpha=alpha, p=p, **common)),
        }
    chosen = PENALTIES if args.penalty is None else (args.penalty,)
    return alpha, [(specs[k][0], specs[k][1], specs[k][2]()) for k in chosen]


def _warm_up(models, X, y, logistic) -> None:
    """Fit each model once on a slice of the training data, so numba's one-off compilation (and the
    loading of its cached machine code) is not counted as fit time."""
    import numpy as np
    from sklearn.base import clone

    rows = np.arange(min(X.shape[0], 64))
    if logistic:  # a slice of each class: a classifier needs both
        rows = np.concatenate([np.flatnonzero(y == c)[:32] for c in np.unique(y)])
    for _, _, model in models:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clone(model).fit(X[rows], y[rows])


def _log_loss(model, X, y) -> float:
    """Mean log-loss of a fitted binary classifier, from its decision function (no clipping needed)."""
    import numpy as np

    sign = np.where(y == model.classes_[1], 1.0, -1.0)
    return float(np.mean(np.logaddexp(0.0, -sign * model.decision_function(X))))


def _null_objective(y, classes=None) -> float:
    """F_null, the objective of the intercept-only model: half the variance of y for least squares,
    the entropy of the class fractions for the logistic loss."""
    import numpy as np

    if classes is None:
        return 0.5 * float(np.var(y))
    q = float(np.mean(y == classes[1]))
    return -(q * math.log(q) + (1.0 - q) * math.log(1.0 - q))


def _coef(model):
    """The coefficients as a flat array (classifiers hold them as one row, as in scikit-learn)."""
    import numpy as np

    return np.ravel(model.coef_)


def _intercept(model) -> float:
    import numpy as np

    return float(np.ravel(model.intercept_)[0])


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

    from ._cli_data import check_target, constant_columns, load_csv, load_demo

    if args.data is None:
        X, y, names, desc = load_demo()
    else:
        X, y, names, desc = load_csv(args.data, args.target)
    classes = check_target(y, args.datafit, args.target)
    if X.shape[0] < MIN_ROWS:
        raise ValueError(f"{args.data!r} has {X.shape[0]} data rows; lpnet fit needs at least {MIN_ROWS} for "
                         "its train/test split (lpnet path and lpnet cv use all the rows)")
    if classes is not None:
        counts = [int(np.sum(y == c)) for c in classes]
        if min(counts) < 2:
            raise ValueError(f"class {classes[int(np.argmin(counts))]:g} of {args.target!r} has a single row; "
                             "the stratified train/test split needs at least 2 rows of each class")
    alpha, models = _models(args)
    informative = ~constant_columns(X)

    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=TEST_SIZE, random_state=SPLIT_SEED,
                                              stratify=None if classes is None else y)
    if args.no_standardize:
        mean, scale = np.zeros(X.shape[1]), np.ones(X.shape[1])
        how = "features used as given (--no-standardize)"
    else:
        mean = X_tr.mean(axis=0)
        scale = X_tr.std(axis=0)
        scale[scale == 0.0] = 1.0  # constant columns stay constant (0 after centering)
        X_tr, X_te = (X_tr - mean) / scale, (X_te - mean) / scale
        how = "features standardized with the training mean and standard deviation"

    _warm_up(models, X_tr, y_tr, classes is not None)
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
    stratified = "" if classes is None else ", stratified by class"
    print(f"  {len(y_tr)} train / {len(y_te)} test samples (split {1 - TEST_SIZE:.0%}/{TEST_SIZE:.0%}, "
          f"seed {SPLIT_SEED}{stratified}); {how}", file=out)
    if classes is not None:
        print(f"  logistic regression: classes {classes[0]:g} and {classes[1]:g} (positive: {classes[1]:g}, "
              "the second column of predict_proba)", file=out)
    f_null = _null_objective(y_tr, classes)
    print(f"  alpha = {alpha!r}, tol = {args.tol:g}, max_iter = {args.max_iter}; a convex fit has converged "
          f"when its duality gap <= tol * F_null = {args.tol * f_null:.3g}", file=out)
    print(file=out)

    print("Coefficients (exact zeros print as 0):", file=out)
    header = ["feature", *[short for _, short, _, _ in results]]
    rows = [[name, *[_fmt_coef(_coef(m)[j]) for _, _, m, _ in results]] for j, name in enumerate(names)]
    rows.append(["(intercept)", *[f"{_intercept(m):.5g}" for _, _, m, _ in results]])
    print(_table(header, rows), file=out)
    print(file=out)

    print("Fits:", file=out)
    scores = ["train R2", "test R2"] if classes is None else \
        ["train acc.", "test acc.", "train log-loss", "test log-loss"]
    header = ["model", "zeros", *scores, "certificate", "iters", "converged", "fit time"]
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
        values = [m.score(X_tr, y_tr), m.score(X_te, y_te)]  # R2, or accuracy for a classifier
        if classes is not None:
            values += [_log_loss(m, X_tr, y_tr), _log_loss(m, X_te, y_te)]
        rows.append([
            label,
            f"{int(np.sum(_coef(m)[informative] == 0.0))}/{int(informative.sum())}",
            *[f"{v:.4f}" for v in values],
            cert,
            str(int(np.max(m.n_iter_))),
            "yes" if m.converged_ else "NO",
            f"{elapsed * 1e3:.1f} ms",
        ])
    print(_table(header, rows), file=out)
    print(file=out)
    if not informative.all():
        print(f"zeros: exact zeros among the {int(informative.sum())} non-constant features (constant: "
              f"{', '.join(n for n, keep in zip(names, informative) if not keep)}).", file=out)
    objective = ("1/(2n)||y - Xw - b||^2 + P(w)" if classes is None
                 else "1/n sum_i log(1 + exp(-y_i (x_i w + b))) + P(w) with y_i = -1 or +1")
    print(textwrap.fill(f"Duality gaps are in objective units, {objective}; F_null is the objective of the "
                        "intercept-only model.  For p < 1 the problem is non-convex: the scale-free optimality "
                        "violation (converged when <= tol) is reported instead, and no gap is claimed.",
                        width=100), file=out)
    if not_converged:
        print(f"Not converged within max_iter={args.max_iter}: {', '.join(not_converged)}; "
              "raise --max-iter or loosen --tol.", file=out)

    if args.save is not None:
        _save(results[0][2], args.save, mean, scale, args.no_standardize, names, out)
    return 0


def _save(model, path, mean, scale, raw, names, out) -> None:
    import copy

    import numpy as np

    from ._cli_data import quote_list
    from .io import save

    model = copy.deepcopy(model)
    if not raw:
        # express the model in the original column units: w_raw = w / scale, b_raw = b - mean . w_raw
        coef = np.asarray(model.coef_, dtype=np.float64) / scale  # any shape: scale is per column
        model.coef_ = coef
        intercept = np.asarray(model.intercept_, dtype=np.float64) - coef @ mean
        model.intercept_ = intercept if intercept.ndim else float(intercept)
    # as if fitted on a DataFrame of the CSV's columns, so that predict(DataFrame) checks the names
    model.feature_names_in_ = np.asarray(names, dtype=object)
    written = save(model, path)
    units = "original column units" if not raw else "the columns as given"
    print(f"Saved {type(model).__name__} to {written} (coefficients in {units}; features "
          f"{quote_list(names, limit=5)}; reload with lpnet.load).", file=out)


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
