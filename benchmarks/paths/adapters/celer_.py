"""celer: ``celer_path`` (working sets + dual extrapolation, warm-started along the grid) on centered data;
CV by hand over the same folds with ``celer_path`` (celer's own ``LassoCV`` / ``ElasticNetCV`` wrap the
same routine).  celer stops when its gap ``<= tol ||y_c||^2 / n``: relative gap ``<= 2 tol``.
celer's ``LogisticRegression`` has no free intercept (``fit_intercept=False`` only), so the logistic
path is not run."""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp

from . import manual_cv

NAME = "celer"
SUPPORTS = ("path", "enetcv", "lassocv")
try:
    import celer
    from celer import celer_path

    IMPORT_ERROR = None
except Exception as exc:  # pragma: no cover
    IMPORT_ERROR = f"{type(exc).__name__}: {exc}"

MAX_ITER = 1000
MAX_EPOCHS = 100_000


def version():
    return celer.__version__


def translate_tol(target, problem):
    return target / 2


def path(problem, alphas, l1_ratio, tol):
    X, y = problem.X, problem.y
    y_mean = y.mean()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if sp.issparse(X):
            x_mean = np.asarray(X.mean(axis=0)).ravel()
            out = celer_path(
                X,
                y - y_mean,
                "lasso",
                alphas=np.asarray(alphas),
                l1_ratio=l1_ratio,
                tol=tol,
                max_iter=MAX_ITER,
                max_epochs=MAX_EPOCHS,
                X_offset=x_mean,
                X_scale=np.ones(X.shape[1]),
            )
        else:
            x_mean = X.mean(axis=0)
            Xc = np.asfortranarray(X - x_mean)
            out = celer_path(
                Xc,
                y - y_mean,
                "lasso",
                alphas=np.asarray(alphas),
                l1_ratio=l1_ratio,
                tol=tol,
                max_iter=MAX_ITER,
                max_epochs=MAX_EPOCHS,
            )
    coefs = np.asarray(out[1]).T
    return coefs, y_mean - coefs @ x_mean


def _refit(problem, alpha, ratio, tol):
    c, b = path(problem, np.array([alpha]), ratio, tol)
    return c[0], b[0]


def cv(problem, kind, grids, l1_ratios, folds, tol):
    return manual_cv(path, problem, grids, l1_ratios, folds, tol, _refit)
