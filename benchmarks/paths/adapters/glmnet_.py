"""glmnet (python-glmnet: the Fortran coordinate descent of R's glmnet): ``ElasticNet`` / ``LogitNet``
with ``lambda_path=`` for paths, its own ``n_splits`` cross-validation for LassoCV / ElasticNetCV.

Scaling.  The gaussian family fits ``y / sd(y)`` with ``lambda / sd(y)``: its Lasso ``lambda`` is our
``alpha``, but its L2 weight is divided by ``sd(y)``, so every grid goes through
``lpnet.conventions.lpnet_to_glmnet`` with the data's ``np.std(y)`` (the mixing parameter then depends on
``sd`` only, one value per grid).  The binomial family uses the mean log-loss, like lpnet: there
``lambda = alpha`` (both checked by ``benchmarks/check_glmnet_scaling.py``).  ``standardize=False`` (the
benchmark's problems are not standardized and every library solves them as given), intercept fitted.

Tolerance.  glmnet stops a coordinate-descent loop when the largest ``var(x_j) * (change of w_j)^2`` of a
pass is below ``tol`` (in units of ``var(y)`` for the gaussian family): a bound on the last pass's
progress, not on the gap.  Held to its suboptimality bound (``benchmarks/reference.py``), not to its own
gap (which needed 1e-13..1e-15 on the Lasso path), it met the target in the quick runs at 1e-3..1e-4 x
target on the Lasso path, 1e-2 x target on the logistic path, 0.1..1e-2 x target on the Elastic Net paths
and on every CV case.  Its time grows with each decade on the correlated problems, so the start is loose,
``0.1 * target`` (a start tighter than needed would slow its timed runs; the looser calibration runs cost
less, together, than the final one), and the ladder is deeper than the other libraries'
(``MAX_TIGHTEN``).

Cross-validation.  glmnet draws its own folds (``KFold(shuffle=True, random_state)``); it cannot be fed
ours, so it is timed as users run it, with ``cut_point=0`` (the minimum of the mean validation MSE,
what the other libraries select, instead of glmnet's one-standard-error default) and one fit per
``l1_ratio``, the best mean score winning.  Its folds are reproduced from the same ``random_state`` for
the certificate (``cv_folds``), and on them ``fold_path`` solves what glmnet's CV solves: the full data's
``(lambda, mixing)``, which in a fold's own units (its ``sd(y)``) is a slightly different
``(alpha, l1_ratio)``, certified as such.
"""

from __future__ import annotations

import warnings

import numpy as np

NAME = "glmnet"
SUPPORTS = ("path", "logistic_path", "enetcv", "lassocv")
CV_N_JOBS = True  # glmnet's CV scores its folds in joblib threads
try:
    from glmnet import ElasticNet, LogitNet

    from lpnet.conventions import glmnet_to_lpnet, lpnet_to_glmnet

    IMPORT_ERROR = None
except Exception as exc:  # pragma: no cover
    IMPORT_ERROR = f"{type(exc).__name__}: {exc}"

#: total coordinate-descent passes over the whole path; glmnet truncates the path when they run out
MAX_ITER = 10**6
#: its tol is far from a gap: 0.1 x target down to 1e-7 x target, two decades below the quick runs' need
MAX_TIGHTEN = {kind: 6 for kind in SUPPORTS}
RANDOM_STATE = 0


def version():
    from importlib.metadata import version as v

    return v("python-glmnet")


#: the translation below already starts loose (the suboptimality rule decides how far to tighten)
START_LOOSER = 1.0


def translate_tol(target, problem):
    return target * 0.1


def glmnet_grid(problem, alphas, l1_ratio, y_std=None):
    """glmnet's ``(lambdas, mixing alpha)`` for our decreasing ``alphas`` at ``l1_ratio``."""
    alphas = np.asarray(alphas, dtype=np.float64)
    if np.any(np.diff(alphas) > 0):
        raise ValueError("glmnet needs a decreasing lambda path")
    if problem.datafit == "logistic" or l1_ratio == 1.0:
        return alphas, l1_ratio
    sd = float(np.std(problem.y)) if y_std is None else y_std
    pairs = [lpnet_to_glmnet(a, l1_ratio, y_std=sd) for a in alphas]
    return np.array([lam for lam, _ in pairs]), pairs[0][1]


def _model(problem, lambdas, mixing, tol, **kw):
    cls = LogitNet if problem.datafit == "logistic" else ElasticNet
    return cls(
        alpha=mixing, lambda_path=lambdas, standardize=False, fit_intercept=True, tol=tol, max_iter=MAX_ITER, **kw
    )


def _fitted_path(m, problem):
    """``(coefs (n_lambda x p), intercepts)`` from glmnet's ``(p x n_lambda)`` (logistic: ``1 x p x
    n_lambda``, the class-(+1) model) layout."""
    if problem.datafit == "logistic":
        return m.coef_path_[0].T, m.intercept_path_[0]
    return m.coef_path_.T, m.intercept_path_


def _fit(m, problem):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # truncation is checked by the callers
        return m.fit(problem.X, problem.y)


def glmnet_path(problem, lambdas, mixing, tol):
    """glmnet's path over ``lambdas``.  It returns fewer lambdas when its ``MAX_ITER`` passes run out;
    the rest is then fitted by further calls (timed: what a user has to do)."""
    coefs, bs, start = [], [], 0
    while start < len(lambdas):
        m = _fit(_model(problem, lambdas[start:], mixing, tol, n_splits=0), problem)
        c, b = _fitted_path(m, problem)
        if len(b) == 0:
            raise RuntimeError(f"glmnet returned no solution at lambda {lambdas[start]:.3g} (jerr {m.jerr_})")
        coefs.append(c)
        bs.append(b)
        start += len(b)
    return np.vstack(coefs), np.concatenate(bs)


def path(problem, alphas, l1_ratio, tol):
    lambdas, mixing = glmnet_grid(problem, alphas, l1_ratio)
    return glmnet_path(problem, lambdas, mixing, tol)


def cv_folds(problem, folds):
    """The folds glmnet's CV draws (same splitter, same ``random_state``)."""
    from sklearn.model_selection import KFold

    return list(KFold(len(folds), shuffle=True, random_state=RANDOM_STATE).split(np.zeros(problem.X.shape[0])))


def fold_path(problem, sub, grid, l1_ratio, tol):
    """What glmnet's CV fits on the training fold ``sub``: the full data's ``(lambda, mixing)``.  Returns
    ``(coefs, intercepts, alphas, l1_ratio)`` in our units for that fold."""
    lambdas, mixing = glmnet_grid(problem, grid, l1_ratio)
    coefs, bs = glmnet_path(sub, lambdas, mixing, tol)
    if l1_ratio == 1.0:
        return coefs, bs, np.asarray(grid), l1_ratio
    pairs = [glmnet_to_lpnet(lam, mixing, y_std=float(np.std(sub.y))) for lam in lambdas]
    return coefs, bs, np.array([a for a, _ in pairs]), pairs[0][1]


def cv(problem, kind, grids, l1_ratios, folds, tol, n_jobs=1):
    best = None
    for grid, ratio in zip(grids, l1_ratios):
        lambdas, mixing = glmnet_grid(problem, grid, ratio)
        m = _fit(
            _model(
                problem,
                lambdas,
                mixing,
                tol,
                n_splits=len(folds),
                n_jobs=n_jobs,
                cut_point=0.0,
                scoring="mean_squared_error",
                random_state=RANDOM_STATE,
            ),
            problem,
        )
        if m.n_lambda_ < len(lambdas):
            raise RuntimeError(f"glmnet's CV path stopped after {m.n_lambda_} of {len(lambdas)} lambdas")
        k = int(m.lambda_max_inx_)
        score = float(m.cv_mean_score_[k])  # minus the mean validation MSE
        if best is None or score > best[0]:
            best = (
                score,
                dict(
                    alpha=float(grid[k]), l1_ratio=ratio, coef=m.coef_path_[:, k], intercept=float(m.intercept_path_[k])
                ),
            )
    return best[1]
