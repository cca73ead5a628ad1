"""``lpnet fit``, ``path`` and ``cv`` out of core for the datafits fitted by distributed proximal Newton.

``--datafit logistic`` goes to :class:`lpnet.dask.LogisticRegression` (and its CV form, its path), the
log-link families (``poisson``, ``gamma``, ``tweedie``) to :class:`lpnet.dask.RegularizedModel`; the
penalties are L1, L2 and the Elastic Net.  A first pass gives, per fold, the features' means and
spreads (the standardization the commands apply by default, applied to every chunk as it is read:
:class:`lpnet.dask.engines.TransformedEngine`, nothing is materialized), the target's mean and, for
the classifier, its two classes.  Then each pass makes one Newton step of every model still running,
certified by its duality gap (the optimality violation for Tweedie, as in memory).  A last pass scores
the fits on each part of the data: accuracy and log-loss for the classifier, D^2 (the fraction of the
deviance explained, against the part's own mean) for the log-link families.  The reports are those of
the in-memory commands, with a line for the passes.
"""

from __future__ import annotations

import time
import warnings
from functools import partial
from typing import NamedTuple

import numpy as np

from .common import UsageError, datafit_of
from .engines_base import NEWTON_PENALTIES, CVRun, FitRun, PathRun, opened, passes_line, scaling_of, standardized_how


class _Scored(NamedTuple):
    # a model to score: only its coefficients are read
    coef_: object
    intercept_: object


def first_pass(engine, args, n_folds: int = 1, seed: int = 0):
    """Per fold, the features' and the target's moments and the classes' weights; ``(moments, classes)``,
    ``classes`` the two labels of the classifier (None for the other datafits)."""
    from ..dask.stats import chunk_column_moments, merge_column_moments

    cols = engine.map_reduce(
        partial(chunk_column_moments, n_folds=n_folds, seed=seed),
        merge_column_moments,
        label="pass over the data",
        indexed=n_folds > 1,
    )
    if args.datafit != "logistic":
        return cols, None
    if cols.many or len(cols.labels) != 2:
        count = f"more than {len(cols.labels)}" if cols.many else str(len(cols.labels))
        raise ValueError(
            f"--datafit logistic needs a target with exactly two classes; {args.target!r} has {count} distinct values"
        )
    return cols, np.array(sorted(cols.labels))


def standardization(cols, args):
    """``mean, scale, constant`` of the rows of ``cols``'s first block, and the chunk transform that
    standardizes the features (none with ``--no-standardize``)."""
    from ..dask.engines import RowTransform

    var = cols.sxx[0] / max(float(cols.weight[0]), 1e-300)
    mean, scale, constant = scaling_of(cols.mx[0], var, not args.no_standardize)
    transform = RowTransform() if args.no_standardize else RowTransform(mean, scale)
    return mean, scale, constant, transform


def entropy(cols, positive: float) -> float:
    """F_null of the classifier on the first block: the entropy of the positive class's weight share."""
    from scipy.special import xlogy

    frac = float(cols.labels[positive][0]) / float(cols.weight[0])
    return float(-(xlogy(frac, frac) + xlogy(1.0 - frac, 1.0 - frac)))


def distributed_fit(data, penalty: str, alpha: float, ratio, args):
    """lpnet.dask's model of ``--datafit`` fitted on ``data`` (an engine): its in-memory twin and the
    seconds it took (convergence is reported by the certificate columns, not by warnings)."""
    from sklearn.exceptions import ConvergenceWarning

    from ..dask import LogisticRegression, RegularizedModel

    if args.datafit == "logistic":
        model = LogisticRegression(penalty, alpha, l1_ratio=ratio, tol=args.tol, max_iter=args.max_iter)
    else:
        model = RegularizedModel(datafit_of(args), penalty, alpha, l1_ratio=ratio, tol=args.tol, max_iter=args.max_iter)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        t0 = time.perf_counter()
        model.fit(data)
    return model.estimator_, time.perf_counter() - t0


def scores(data, models, classes, cols, args, n_folds: int = 1, seed: int = 0, null_of=None):
    """One pass: per fold and model, the datafit's score and mean loss; and, per fold, the mean loss
    of the null model (``nan`` for the classifier).  ``null_of[k]``: the block of ``cols`` whose target
    mean is fold ``k``'s null prediction (default: fold ``k`` itself).  Returns ``(score, loss, null)``."""
    from ..dask.stats import classification_sums, regression_sums

    coefs = np.array([np.ravel(m.coef_) for m in models])
    intercepts = np.array([float(np.ravel(m.intercept_)[0]) for m in models])
    if classes is not None:
        fn = partial(classification_sums, coefs=coefs, intercepts=intercepts, positive=classes[1])
        sums = data.map_reduce(partial(fn, n_folds=n_folds, seed=seed), np.add, label="scores", indexed=n_folds > 1)
        weight = np.maximum(sums[:, :, 0], 1e-300)
        return sums[:, :, 2] / weight, sums[:, :, 1] / weight, np.full(n_folds, np.nan)
    means = np.array([cols.my[k if null_of is None else null_of[k]] for k in range(n_folds)])
    null_z = np.log(np.maximum(means, np.finfo(np.float64).tiny))  # the log link's null prediction
    fn = partial(regression_sums, datafit=datafit_of(args), coefs=coefs, intercepts=intercepts, null_z=null_z)
    sums = data.map_reduce(partial(fn, n_folds=n_folds, seed=seed), np.add, label="scores", indexed=n_folds > 1)
    weight = np.maximum(sums[:, :, 0], 1e-300)
    loss, null = sums[:, :-1, 1] / weight[:, :-1], sums[:, -1, 1] / weight[:, -1]
    return 1.0 - loss / null[:, None], loss, null


def _check_datafit(args) -> None:
    datafit = datafit_of(args)
    if datafit.is_classifier or args.datafit in ("poisson", "gamma", "tweedie"):
        return
    raise UsageError(f"--datafit {args.datafit} is not fitted out of core; use --engine memory")


def _describe(args, cols, names, files) -> str:
    n = int(cols.rows.sum())
    return f"{args.data} ({n} samples, {len(names)} features, {len(files)} files; target: {args.target})"


def fit_newton(args, engine_name: str, test_size: float, seed: int, min_rows: int) -> FitRun:
    """``lpnet fit`` out of core by distributed Newton: the rows split by a seeded hash of their index into
    train and test folds (about 75/25), standardized with the training rows' first-pass statistics;
    every model fitted on the training rows, then one pass scores them all on both parts."""
    from ..dask.engines import RowTransform, TransformedEngine
    from . import menu
    from .data import note

    _check_datafit(args)
    chosen = [args.penalty] if args.penalty is not None else list(NEWTON_PENALTIES)
    if args.penalty is None:
        note("out of core, lpnet fit compares the l1, l2 and elasticnet penalties; --engine memory compares every one")
    folds = round(1.0 / test_size)
    with opened(args, engine_name) as (engine, files):
        cols, classes = first_pass(engine, args, folds, seed)
        n = int(cols.rows.sum())
        if n < min_rows or cols.weight[0] <= 0 or cols.weight[1:].sum() <= 0:
            raise ValueError(
                f"{args.data!r} has {n} data rows; lpnet fit needs at least {min_rows} for its train/test split "
                "(lpnet path and lpnet cv use all the rows)"
            )
        train_cols = cols.total(skip=0)
        if classes is not None and min(float(v[0]) for v in train_cols.labels.values()) <= 0:
            raise ValueError(f"the training rows of {args.data!r} hold one class only; both classes need rows")
        mean, scale, constant, transform = standardization(train_cols, args)
        train = TransformedEngine(
            engine, RowTransform(transform.mean, transform.scale, n_folds=folds, seed=seed, drop_fold=0)
        )
        fitted = []
        for name in chosen:
            values = menu.shape_values(args, name)
            label, short = menu.fit_labels(name, args.datafit, values)
            model, elapsed = distributed_fit(train, name, float(args.alpha), values.get("l1_ratio"), args)
            fitted.append((label, short, model, elapsed))
        # the test fold's null is its own mean; the training folds', the training rows' mean
        both = _with_train_block(cols, train_cols)
        score, loss, null = scores(
            TransformedEngine(engine, transform), [f[2] for f in fitted], classes, both, args, folds, seed,
            null_of=[0] + [folds] * (folds - 1),
        )  # fmt: skip
        names, passes = list(engine.feature_names), passes_line(engine, len(files))
    weights = cols.weight
    train_w = weights[1:].sum()
    train_loss = (weights[1:, None] * loss[1:]).sum(axis=0) / train_w
    if classes is not None:
        train_score = (weights[1:, None] * score[1:]).sum(axis=0) / train_w
        values_of = [[train_score[i], score[0, i], train_loss[i], loss[0, i]] for i in range(len(fitted))]
        f_null = entropy(train_cols, classes[1])
    else:
        train_null = float(weights[1:] @ null[1:]) / train_w
        values_of = [[1.0 - train_loss[i] / train_null, score[0, i]] for i in range(len(fitted))]
        f_null = train_null  # the mean loss at the training mean: the log link's intercept-only fit
    results = [
        (label, short, model, elapsed, "" if model.dual_gap_ is not None else "(KKT)", values_of[i])
        for i, (label, short, model, elapsed) in enumerate(fitted)
    ]
    how = (
        "features used as given (--no-standardize)"
        if args.no_standardize
        else "features standardized with the training mean and standard deviation, from the first pass"
    )
    n_train, n_test = int(cols.rows.sum() - cols.rows[0]), int(cols.rows[0])
    split = (
        f"  {n_train} train / {n_test} test samples (split about {1 - test_size:.0%}/{test_size:.0%} by a "
        f"seeded hash of the row index, seed {seed}); {how}"
    )
    desc = _describe(args, cols, names, files)
    return FitRun(desc, names, classes, float(args.alpha), results, ~constant, mean, scale, split, f_null, passes)


def _with_train_block(cols, train_cols):
    """``cols`` with the merged training rows appended as one more block (for the null predictions)."""
    from ..dask.stats import ColumnMoments

    return ColumnMoments(
        np.append(cols.weight, train_cols.weight),
        np.append(cols.rows, train_cols.rows),
        np.vstack([cols.mx, train_cols.mx]),
        np.vstack([cols.sxx, train_cols.sxx]),
        np.append(cols.my, train_cols.my),
        np.append(cols.syy, train_cols.syy),
        {},
        True,
    )


def path_newton(args, engine_name: str, values: dict) -> PathRun:
    """``lpnet path`` out of core by distributed Newton: standardized with all rows' first-pass
    statistics, the warm-started path, then one pass scoring every alpha on all the rows."""
    from sklearn.exceptions import ConvergenceWarning

    from ..dask import glm_path, logistic_path
    from ..dask.engines import TransformedEngine
    from ..datafits import make_datafit

    _check_datafit(args)
    with opened(args, engine_name) as (engine, files):
        cols, classes = first_pass(engine, args)
        _, _, constant, transform = standardization(cols, args)
        data = TransformedEngine(engine, transform)
        grid = {"n_alphas": args.n_alphas, "eps": args.eps, "tol": args.tol, "max_iter": args.max_iter}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # convergence is reported per alpha
            if classes is not None:
                path = logistic_path(data, penalty=args.penalty, l1_ratio=values.get("l1_ratio"), **grid)
            else:
                path = glm_path(
                    data, datafit=datafit_of(args), penalty=args.penalty, l1_ratio=values.get("l1_ratio"), **grid
                )
        models = [_Scored(w, b) for w, b in zip(path.coefs, path.intercepts, strict=True)]
        score, loss, null = scores(data, models, classes, cols, args)
        names, passes = list(engine.feature_names), passes_line(engine, len(files))
    path.feature_names = names
    if classes is not None:
        score_names, values_of = ["accuracy", "log-loss"], [score[0], loss[0]]
        f_null = entropy(cols, classes[1])
    else:
        score_names, values_of = [make_datafit(args.datafit).score_label], [score[0]]
        f_null = float(null[0])
    how = standardized_how(args, "all rows").replace("the pass's statistics", "the first pass")
    desc = _describe(args, cols, names, files)
    return PathRun(path, names, desc, how, classes, None, ~constant, f_null, score_names, values_of, passes)


def cv_newton(args, engine_name: str, values: dict) -> CVRun:
    """``lpnet cv`` out of core by distributed Newton: standardized with all rows' first-pass statistics,
    every fold's path and the path on all rows run side by side in the same passes (folds by a seeded
    hash of the row index); the choice not selected is refitted on all the rows."""
    from sklearn.exceptions import ConvergenceWarning

    from ..dask import LogisticRegressionCV, RegularizedModelCV
    from ..dask.engines import TransformedEngine
    from ..datafits import make_datafit
    from ..viz import plot_cv
    from . import menu

    _check_datafit(args)
    grid = menu.GRID_PARAMETER in values
    options = {
        "l1_ratio": values.get("l1_ratio"),
        "n_alphas": args.n_alphas,
        "eps": args.eps,
        "cv": args.folds,
        "alpha_rule": args.selection,
        "tol": args.tol,
        "max_iter": args.max_iter,
        "random_state": args.seed,
    }
    with opened(args, engine_name) as (engine, files):
        cols, classes = first_pass(engine, args)
        _, _, constant, transform = standardization(cols, args)
        data = TransformedEngine(engine, transform)
        if classes is not None:
            est = LogisticRegressionCV(args.penalty, **options)
        else:
            est = RegularizedModelCV(datafit_of(args), args.penalty, **options)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # the fits' certificates are printed
            est.fit(data)
        res = est.cv_results_
        selected = tuple(int(x) for x in (res.index_min if args.selection == "min" else res.index_1se))
        fits = {}
        for name, (i, k) in (("min", res.index_min), ("1se", res.index_1se)):
            alpha, ratio = float(res.alphas[i][k]), float(res.l1_ratios[i])
            model = est.estimator_
            if (int(i), int(k)) != selected:  # the other choice: refitted on all the rows
                model, _ = distributed_fit(data, args.penalty, alpha, ratio if "l1_ratio" in values else None, args)
            fits[name] = (i, k, alpha, ratio, model)
        names, passes = list(engine.feature_names), passes_line(engine, len(files))
    return CVRun(
        _describe(args, cols, names, files),
        names,
        standardized_how(args, "all rows").replace("the pass's statistics", "the first pass"),
        classes,
        res,
        fits,
        type(est).__name__,
        menu.cv_label(args.penalty, args.datafit, values),
        grid,
        f"folds by a seeded hash of the row index, seed {args.seed}",
        ~constant,
        est.alpha_,
        partial(plot_cv, res, loss=make_datafit(args.datafit).loss_label),
        passes,
    )
