"""skglm: ``Lasso`` / ``ElasticNet`` / ``SparseLogisticRegression`` with ``warm_start=True`` stepped along
the grid; CV by hand over the same folds.  skglm stops on the largest KKT violation (gradient units),
not a gap: the start is ``target * alpha_max`` and the runner tightens it."""

from __future__ import annotations

import warnings

import numpy as np

from . import manual_cv

NAME = "skglm"
SUPPORTS = ("path", "logistic_path", "enetcv", "lassocv")
try:
    import skglm
    from skglm import ElasticNet, Lasso, SparseLogisticRegression

    IMPORT_ERROR = None
except Exception as exc:  # pragma: no cover
    IMPORT_ERROR = f"{type(exc).__name__}: {exc}"

MAX_ITER = 1000
MAX_EPOCHS = 100_000


def version():
    return skglm.__version__


def translate_tol(target, problem):
    return target * problem.alpha_max


def path(problem, alphas, l1_ratio, tol):
    if problem.datafit == "logistic":
        m = SparseLogisticRegression(
            alpha=alphas[0], tol=tol, max_iter=MAX_ITER, max_epochs=MAX_EPOCHS, fit_intercept=True, warm_start=True
        )
    elif l1_ratio == 1.0:
        m = Lasso(
            alpha=alphas[0], tol=tol, max_iter=MAX_ITER, max_epochs=MAX_EPOCHS, fit_intercept=True, warm_start=True
        )
    else:
        m = ElasticNet(
            alpha=alphas[0],
            l1_ratio=l1_ratio,
            tol=tol,
            max_iter=MAX_ITER,
            max_epochs=MAX_EPOCHS,
            fit_intercept=True,
            warm_start=True,
        )
    coefs, bs = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for a in alphas:
            m.alpha = a
            m.fit(problem.X, problem.y)
            coefs.append(np.asarray(m.coef_).ravel().copy())
            bs.append(float(np.ravel(m.intercept_)[0]))
    return np.array(coefs), np.array(bs)


def _refit(problem, alpha, ratio, tol):
    c, b = path(problem, np.array([alpha]), ratio, tol)
    return c[0], b[0]


def cv(problem, kind, grids, l1_ratios, folds, tol):
    return manual_cv(path, problem, grids, l1_ratios, folds, tol, _refit)
