"""``lpnet fit``: fit and compare certified regularized models, on the diabetes demo or a user's CSV.

With no options it runs a demonstration on scikit-learn's bundled diabetes data, one model per
registered penalty; with ``--data FILE.csv --target COLUMN --alpha A`` it fits your own data, by least
squares or, with ``--datafit logistic``, as a binary classifier.  matplotlib is never imported here.
"""

from __future__ import annotations

import argparse
import math
import sys
import textwrap
import time
import warnings

from ..datafits import make_datafit
from ..penalties import penalty_names
from . import menu
from .common import (
    DATA_HELP,
    UsageError,
    add_bounds_options,
    add_datafit_option,
    bounds_of,
    check_data_options,
    coef,
    datafit_of,
    fmt_coef,
    integer,
    intercept,
    null_objective,
    number,
    output_headers,
    table,
    target_of,
)
from .engines import FitRun, add_engine_options, check_engine_options, check_out_of_core, choose_engine, fit_out_of_core
from .groups import add_groups_option, check_groups_options, group_fit_models
from .relax import add_variant_options, check_variant_options, refit_notes, variant_fit_models, variant_requested

__all__ = ["DEMO_ALPHA", "DEMO_ALPHA_WHY", "add_fit_command"]

#: the demo's regularization strength; see DEMO_ALPHA_WHY
DEMO_ALPHA = 1.0
DEMO_ALPHA_WHY = (
    "The demo uses alpha = 1.0.  The features are standardized and the target (disease progression, "
    "standard deviation about 79) is kept in its own units, so the smallest alpha that zeroes every Lasso "
    "coefficient is about 49 on the training split; alpha = 1.0 is about 1/50 of it, where the Lasso "
    "sets 2 of the 10 coefficients exactly to zero while its test R2 stays as good as least squares "
    "(alpha = 0.1 leaves no zeros: too little to show sparsity)."
)
TEST_SIZE = 0.25
SPLIT_SEED = 0
MIN_ROWS = 8

_EPILOG = f"""\
examples:
  lpnet fit
      demo on scikit-learn's diabetes data: one model per penalty side by side at alpha = {DEMO_ALPHA!r}
      (Lasso, Ridge, ElasticNet(l1_ratio=0.5), LpRegression(p={menu.DEMO_P:g}), ...)
  lpnet fit --data house.csv --target price --penalty l1 --alpha 0.5 --save model.json
      one Lasso on your CSV, saved for lpnet.load("model.json")
  lpnet fit --data churn.csv --target churned --datafit logistic --alpha 0.01
      L1 / L2 / Elastic Net / Lp logistic regressions of a two-class target
  lpnet fit --data 'big/*.parquet' --target y --penalty l1 --alpha 0.01 --engine stream
      one pass over parquet files bigger than memory (see "data bigger than memory" below)

why alpha = {DEMO_ALPHA!r} in the demo:
{textwrap.fill(DEMO_ALPHA_WHY, width=96, initial_indent="  ", subsequent_indent="  ")}

what is reported:
  The data are split 75/25 into train/test sets (seed {SPLIT_SEED}; stratified by class with
  --datafit logistic); the features are standardized with the training mean and standard deviation
  (unless --no-standardize).  For each model: the coefficients (exact zeros print as 0), the number
  of exact zeros (constant columns are not counted), train and test R2 (with --datafit logistic:
  accuracy and log-loss), the certificate - the duality gap in objective units for convex penalties
  (a fit has converged when gap <= tol * F_null, F_null the intercept-only objective), or the
  scale-free optimality violation for non-convex ones (Lp with p < 1), where no gap exists - the
  iterations and the fit time (numba's one-off compilation is excluded by a warm-up fit).

  --save writes the fitted model (trained on the 75% split) as JSON (+ .npz for large arrays, never
  pickle), with the feature names in feature_names_in_.  With standardization its coefficients are
  converted back to the original column units, so load(path).predict(df) takes a DataFrame of the
  raw feature columns; its dual_gap_ / objective_ still describe the standardized fit.

  Notes and warnings about the data (a blank index column dropped, constant columns, a ';'
  separator, a two-valued target fitted by least squares) are printed to stderr.

data bigger than memory (--engine stream or dask, or auto on large files):
  One pass over the files gives the sufficient statistics of least squares; the rows are split into
  train and test by a seeded hash of their index (about 75/25, seed {SPLIT_SEED}; not the in-memory
  split), the features standardized from the training statistics, and Lasso, Ridge and Elastic Net
  (or the one --penalty: l1, l2, elasticnet, lp with --p >= 1) solved from them, each with its duality
  gap, inside the box of --lower-bounds/--upper-bounds/--positive when given.  --datafit logistic,
  poisson, gamma, tweedie (l1, l2, elasticnet) are fitted on the same hashed split by distributed
  Newton steps (a pass each), standardized from a first pass.  A line reports the passes and the
  rows read.  Other datafits, penalties, --groups, --relax and --adaptive need --engine memory.

Errors are reported on one line as 'lpnet: error: ...' with exit status 2.
"""


def add_fit_command(sub) -> None:
    """Add ``fit`` to the ``lpnet`` subparsers ``sub``.

    Parameters
    ----------
    sub : argparse subparsers action
    """
    fit = sub.add_parser(
        "fit",
        help="fit and compare models (demo on the diabetes data, or your CSV with --data)",
        description="Fit certified regularized linear (or logistic) regressions and report coefficients,\n"
        "sparsity, R2 (or accuracy and log-loss) and optimality certificates.  Without --data: a demo\n"
        "on scikit-learn's diabetes data.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    fit.add_argument("--data", metavar="FILES", help=DATA_HELP)
    fit.add_argument("--target", metavar="COLUMN", help="name of the target column (with --data)")
    add_datafit_option(fit)
    fit.add_argument("--penalty", choices=penalty_names(), help="fit only this penalty (default: compare them all)")
    fit.add_argument(
        "--alpha",
        type=number("--alpha"),
        metavar="A",
        help=f"regularization strength >= 0 (required with --data; demo default {DEMO_ALPHA!r})",
    )
    menu.add_shape_options(fit, number)
    add_groups_option(fit)
    add_bounds_options(fit)
    add_variant_options(fit)
    fit.add_argument(
        "--tol",
        type=number("--tol"),
        default=1e-6,
        help="stopping tolerance: gap <= tol * F_null, or violation <= tol (default 1e-6)",
    )
    fit.add_argument(
        "--max-iter",
        type=integer("--max-iter"),
        default=100,
        metavar="N",
        help="maximum number of outer iterations (default 100)",
    )
    fit.add_argument(
        "--save", metavar="MODEL.json", help="save the fitted model (needs a single --penalty) as JSON, never pickle"
    )
    fit.add_argument(
        "--no-standardize", action="store_true", help="use the features as they are instead of standardizing them"
    )
    add_engine_options(fit)
    fit.set_defaults(func=cmd_fit)


def _check_options(args) -> None:
    """Cross-option and range checks, before any data is read."""
    check_data_options(args)
    check_engine_options(args)
    check_groups_options(args)
    check_variant_options(args)
    datafit_of(args)  # a datafit parameter out of range, or given for another datafit
    if args.data is not None and args.alpha is None:
        hint = (
            "try a few values, e.g. 1% of max|X^T (y - mean y)| / n"
            if args.datafit == "squared"
            else f"lpnet path --datafit {args.datafit} on the same data prints alpha_max; try 1% of it"
        )
        raise UsageError(f"--data needs --alpha A: a good alpha depends on your data ({hint})")
    if args.alpha is not None and not (math.isfinite(args.alpha) and args.alpha >= 0):
        raise UsageError(f"--alpha must be a finite number >= 0, got {args.alpha:g}")
    menu.check_shape_values(args, args.penalty)
    if not (math.isfinite(args.tol) and args.tol >= 0):
        raise UsageError(f"--tol must be a finite number >= 0, got {args.tol:g}")
    if args.max_iter < 1:
        raise UsageError(f"--max-iter must be a positive integer, got {args.max_iter}")
    if args.save is not None and args.penalty is None and args.groups is None and not variant_requested(args):
        raise UsageError(f"--save needs a single model: add --penalty {'|'.join(penalty_names())}")


def _models(args):
    """``alpha`` and ``(label, short label, estimator, why non-convex)`` for every model to fit."""
    alpha = DEMO_ALPHA if args.alpha is None else args.alpha
    chosen = penalty_names() if args.penalty is None else (args.penalty,)
    datafit = datafit_of(args)
    models = []
    for name in chosen:
        values = menu.shape_values(args, name)
        label, short = menu.fit_labels(name, datafit, values)
        estimator = menu.fit_estimator(name, datafit, alpha, values, tol=args.tol, max_iter=args.max_iter)
        models.append((label, short, estimator, _violation_note(menu.penalty_at(name, alpha, values), datafit)))
    return alpha, models


def _violation_note(penalty, datafit) -> str:
    """What the certificate column adds to an optimality violation: why there is no duality gap."""
    if penalty.is_convex:
        return "(KKT)"  # a convex problem whose datafit has no closed-form conjugate
    return "(p<1)" if penalty.exponent < 1.0 else "(non-convex)"  # NaN exponent: not a p-th power


def _warm_up(models, X, y, logistic) -> None:
    """Fit each model once on a slice of the training data, so numba's one-off compilation (and the
    loading of its cached machine code) is not counted as fit time."""
    import numpy as np
    from sklearn.base import clone

    rows = np.arange(min(X.shape[0], 64))
    if logistic:  # a slice of each class: a classifier needs both
        rows = np.concatenate([np.flatnonzero(y == c)[:32] for c in np.unique(y)])
    for _, _, model, _ in models:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clone(model).fit(X[rows], y[rows])


def _log_loss(model, X, y) -> float:
    """Mean log-loss of a fitted classifier, from its decision function (no clipping needed)."""
    import numpy as np
    from scipy.special import logsumexp

    z = model.decision_function(X)
    if z.ndim == 1:  # binary: one score, positive for classes_[1]
        sign = np.where(y == model.classes_[1], 1.0, -1.0)
        return float(np.mean(np.logaddexp(0.0, -sign * z)))
    true = np.searchsorted(model.classes_, y)
    return float(np.mean(logsumexp(z, axis=1) - z[np.arange(len(y)), true]))


def _fit_in_memory(args) -> FitRun:
    """The fits of the data read into memory (``--engine memory``, and the demo), scored on the split."""
    import numpy as np
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import train_test_split

    from .data import check_target, constant_columns, load_demo, load_files

    if args.data is None:
        X, y, names, desc = load_demo()
    else:
        X, y, names, desc = load_files(args.data, target_of(args))
    classes = check_target(y, args.datafit, args.target)
    if X.shape[0] < MIN_ROWS:
        raise ValueError(
            f"{args.data!r} has {X.shape[0]} data rows; lpnet fit needs at least {MIN_ROWS} for "
            "its train/test split (lpnet path and lpnet cv use all the rows)"
        )
    if classes is not None:
        counts = [int(np.sum(y == c)) for c in classes]
        if min(counts) < 2:
            raise ValueError(
                f"class {classes[int(np.argmin(counts))]:g} of {args.target!r} has a single row; "
                "the stratified train/test split needs at least 2 rows of each class"
            )
    if variant_requested(args):
        alpha = DEMO_ALPHA if args.alpha is None else args.alpha
        models = variant_fit_models(args, alpha, datafit_of(args), tol=args.tol, max_iter=args.max_iter)
    elif args.groups is None:
        alpha, models = _models(args)
    else:
        alpha = DEMO_ALPHA if args.alpha is None else args.alpha
        models = group_fit_models(args, names, alpha, datafit_of(args), tol=args.tol, max_iter=args.max_iter)
    informative = ~constant_columns(X)
    box = bounds_of(args, X.shape[1])
    for _, _, model, _ in models if box else ():
        model.set_params(**box)

    X_tr, X_te, y_tr, y_te = train_test_split(
        X, y, test_size=TEST_SIZE, random_state=SPLIT_SEED, stratify=None if classes is None else y
    )
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
    for label, short, model, note in models:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            t0 = time.perf_counter()
            model.fit(X_tr, y_tr)
            elapsed = time.perf_counter() - t0
        for w in caught:  # replay anything that is not a convergence warning
            if not issubclass(w.category, ConvergenceWarning):
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        values = [model.score(X_tr, y_tr), model.score(X_te, y_te)]  # R2, accuracy, D2: the datafit's score
        if classes is not None:
            values += [_log_loss(model, X_tr, y_tr), _log_loss(model, X_te, y_te)]
        results.append((label, short, model, elapsed, note, values))
    stratified = "" if classes is None else ", stratified by class"
    split = (
        f"  {len(y_tr)} train / {len(y_te)} test samples (split {1 - TEST_SIZE:.0%}/{TEST_SIZE:.0%}, "
        f"seed {SPLIT_SEED}{stratified}); {how}"
    )
    f_null = null_objective(y_tr, args.datafit)
    return FitRun(desc, list(names), classes, alpha, results, informative, mean, scale, split, f_null, "")


def cmd_fit(args) -> int:
    """Run ``lpnet fit`` with the parsed ``args``; returns the exit status.

    Parameters
    ----------
    args : argparse.Namespace

    Returns
    -------
    int
    """
    _check_options(args)
    import numpy as np

    engine = choose_engine(args)
    if engine == "memory":
        run = _fit_in_memory(args)
    else:
        check_out_of_core(args, "fit", None if args.penalty is None else menu.shape_values(args, args.penalty).get("p"))
        run = fit_out_of_core(args, engine, TEST_SIZE, SPLIT_SEED, MIN_ROWS)
    desc, names, classes, alpha, results = run.desc, run.names, run.classes, run.alpha, run.results
    informative = run.informative
    out = sys.stdout
    print(f"lpnet fit: {desc}", file=out)
    print(run.split, file=out)
    if run.passes:
        print(run.passes, file=out)
    if classes is not None and len(classes) == 2:
        print(
            f"  logistic regression: classes {classes[0]:g} and {classes[1]:g} (positive: {classes[1]:g}, "
            "the second column of predict_proba)",
            file=out,
        )
    elif classes is not None:
        shown = ", ".join(f"{c:g}" for c in classes)
        print(f"  multinomial logistic regression: {len(classes)} classes ({shown})", file=out)
    f_null = run.f_null
    print(
        f"  alpha = {alpha!r}, tol = {args.tol:g}, max_iter = {args.max_iter}; a convex fit has converged "
        f"when its duality gap <= tol * F_null = {args.tol * f_null:.3g}",
        file=out,
    )
    print(file=out)

    print("Coefficients (exact zeros print as 0):", file=out)
    header = ["feature", *[h for _, short, m, _, _, _ in results for h in output_headers(short, m)]]
    rows = [[name, *[fmt_coef(c) for _, _, m, _, _, _ in results for c in coef(m)[j]]] for j, name in enumerate(names)]
    rows.append(["(intercept)", *[f"{b:.5g}" for _, _, m, _, _, _ in results for b in intercept(m)]])
    print(table(header, rows), file=out)
    print(file=out)

    print("Fits:", file=out)
    label = make_datafit(args.datafit).score_label
    scores = [f"train {label}", f"test {label}"]
    if classes is not None:
        scores += ["train log-loss", "test log-loss"]
    header = ["model", "zeros", *scores, "certificate", "iters", "converged", "fit time"]
    rows = []
    not_converged = []
    for label, _, m, elapsed, note, values in results:
        if m.dual_gap_ is not None:
            cert = f"duality gap {m.dual_gap_:.2e}"
        elif m.optimality_violation_ is not None:
            cert = f"opt. violation {m.optimality_violation_:.2e} {note}"
        else:
            cert = "n/a"
        if not m.converged_:
            not_converged.append(label)
        rows.append(
            [
                label,
                f"{int(np.sum(np.all(coef(m)[informative] == 0.0, axis=1)))}/{int(informative.sum())}",
                *[f"{v:.4f}" for v in values],
                cert,
                str(int(np.max(m.n_iter_))),
                "yes" if m.converged_ else "NO",
                f"{elapsed * 1e3:.1f} ms",
            ]
        )
    print(table(header, rows), file=out)
    for line in refit_notes((label, m) for label, _, m, _, _, _ in results):
        print(line, file=out)
    print(file=out)
    if not informative.all():
        print(
            f"zeros: exact zeros among the {int(informative.sum())} non-constant features (constant: "
            f"{', '.join(n for n, keep in zip(names, informative) if not keep)}).",
            file=out,
        )
    objective = f"{make_datafit(args.datafit).formula} + P(w)"
    print(
        textwrap.fill(
            f"Duality gaps are in objective units, {objective}; F_null is the objective of the "
            "intercept-only model.  For a non-convex penalty (Lp with p < 1, ...), or a datafit whose "
            "conjugate has no closed form (KKT: tweedie, cox), the scale-free optimality violation "
            "(converged when <= tol) is reported instead, and no gap is claimed.",
            width=100,
        ),
        file=out,
    )
    if not_converged:
        print(
            f"Not converged within max_iter={args.max_iter}: {', '.join(not_converged)}; "
            "raise --max-iter or loosen --tol.",
            file=out,
        )

    if args.save is not None:
        _save(results[0][2], args.save, run.mean, run.scale, args.no_standardize, names, out)
    return 0


def _save(model, path, mean, scale, raw, names, out) -> None:
    import copy

    import numpy as np

    from ..io import save
    from .data import quote_list

    model = copy.deepcopy(model)
    if not raw:
        # express the model in the original column units: w_raw = w / scale, b_raw = b - mean . w_raw
        coefs = np.asarray(model.coef_, dtype=np.float64) / scale  # any shape: scale is per column
        model.coef_ = coefs
        b = np.asarray(model.intercept_, dtype=np.float64) - coefs @ mean
        model.intercept_ = b if b.ndim else float(b)
        # and its bounds with it (they were given for the standardized features' coefficients)
        for name in ("lower_bounds", "upper_bounds"):
            if getattr(model, name, None) is not None:
                setattr(model, name, np.asarray(getattr(model, name), dtype=np.float64) / scale)
    # as if fitted on a DataFrame of the CSV's columns, so that predict(DataFrame) checks the names
    model.feature_names_in_ = np.asarray(names, dtype=object)
    written = save(model, path)
    units = "original column units" if not raw else "the columns as given"
    print(
        f"Saved {type(model).__name__} to {written} (coefficients in {units}; features "
        f"{quote_list(names, limit=5)}; reload with lpnet.load).",
        file=out,
    )
