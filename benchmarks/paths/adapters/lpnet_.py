"""lpnet: ``regularization_path`` (warm starts, every alpha certified) and its CV estimators."""

from __future__ import annotations

import numpy as np

NAME = "lpnet"
SUPPORTS = ("path", "logistic_path", "enetcv", "lassocv", "ridgecv")
CV_N_JOBS = True  # ElasticNetCV / LassoCV fit the folds in joblib workers
try:
    import lpnet

    IMPORT_ERROR = None
except Exception as exc:  # pragma: no cover
    IMPORT_ERROR = f"{type(exc).__name__}: {exc}"

MAX_ITER = 1000


def version():
    return lpnet.__version__


def translate_tol(target, problem):
    return target  # duality gap <= tol * F_null


def path(problem, alphas, l1_ratio, tol):
    if l1_ratio == 0.0:
        penalty = "l2"
    else:
        penalty = "l1" if l1_ratio == 1.0 else "elasticnet"
    res = lpnet.regularization_path(
        problem.X,
        problem.y,
        penalty=penalty,
        datafit=problem.datafit,
        alphas=alphas,
        l1_ratio=l1_ratio,
        fit_intercept=True,
        tol=tol,
        max_iter=MAX_ITER,
    )
    return res.coefs, res.intercepts


def ridge_note():
    return (
        "lpnet.RidgeCV"
        if hasattr(lpnet, "RidgeCV")
        else "no lpnet.RidgeCV: 5-fold CV of regularization_path(penalty='l2') + refit"
    )


def cv(problem, kind, grids, l1_ratios, folds, tol, n_jobs=1):
    if kind == "ridgecv":
        if hasattr(lpnet, "RidgeCV"):
            m = lpnet.RidgeCV(alphas=grids[0]).fit(problem.X, problem.y)
            return dict(alpha=float(m.alpha_), l1_ratio=0.0, coef=m.coef_, intercept=m.intercept_)
        from . import manual_cv

        def refit(pb, alpha, ratio, tol_):
            c, b = path(pb, np.array([alpha]), 0.0, tol_)
            return c[0], b[0]

        return manual_cv(path, problem, grids, [0.0], folds, tol, refit)
    if kind == "enetcv":
        m = lpnet.ElasticNetCV(
            l1_ratio=list(l1_ratios),
            n_alphas=len(grids[0]),
            eps=grids[0][-1] / grids[0][0],
            cv=folds,
            tol=tol,
            max_iter=MAX_ITER,
            n_jobs=n_jobs,
        )
    else:
        m = lpnet.LassoCV(
            n_alphas=len(grids[0]), eps=grids[0][-1] / grids[0][0], cv=folds, tol=tol, max_iter=MAX_ITER, n_jobs=n_jobs
        )
    m.fit(problem.X, problem.y)
    return dict(alpha=m.alpha_, l1_ratio=getattr(m, "l1_ratio_", 1.0), coef=m.coef_, intercept=m.intercept_)
