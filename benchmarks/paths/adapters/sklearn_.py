"""scikit-learn: ``enet_path`` on centered data (the routine its ``ElasticNetCV`` / ``LassoCV`` run per
fold), ``LogisticRegression(penalty="l1", solver="liblinear")`` per alpha, ``ElasticNetCV``, ``LassoCV``
and ``RidgeCV`` (default efficient leave-one-out / GCV).

``enet_path`` stops when its gap of ``n * P`` is ``<= tol ||y_c||^2``: relative gap ``<= 2 tol``.
liblinear penalizes the intercept as a feature of value ``intercept_scaling``; a scaling of 1e3 makes
that penalty negligible (the independent gap, with a free intercept, checks it).  Its ``tol`` is on the
projected gradient, not a gap: it starts at the target and is tightened as needed.
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp

NAME = "scikit-learn"
SUPPORTS = ("path", "logistic_path", "enetcv", "lassocv", "ridgecv")
CV_N_JOBS = True  # ElasticNetCV / LassoCV run the folds in joblib threads
try:
    import sklearn
    from sklearn.linear_model import ElasticNetCV, LassoCV, LogisticRegression, RidgeCV, enet_path

    IMPORT_ERROR = None
except Exception as exc:  # pragma: no cover
    IMPORT_ERROR = f"{type(exc).__name__}: {exc}"

MAX_ITER = 100_000
PRECOMPUTE = False
#: liblinear penalizes the intercept: tightening does not fix that and costs minutes
MAX_TIGHTEN = {"logistic_path": 1}


def version():
    return sklearn.__version__


def translate_tol(target, problem):
    return target if problem.datafit == "logistic" else target / 2


def _enet_path(problem, alphas, l1_ratio, tol, precompute=False):
    X, y = problem.X, problem.y
    y_mean = y.mean()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if sp.issparse(X):
            x_mean = np.asarray(X.mean(axis=0)).ravel()
            _, coefs, _ = enet_path(
                X,
                y - y_mean,
                l1_ratio=l1_ratio,
                alphas=alphas,
                tol=tol,
                max_iter=MAX_ITER,
                X_offset=x_mean,
                X_scale=np.ones(X.shape[1]),
            )
        else:
            x_mean = X.mean(axis=0)
            Xc = np.asfortranarray(X - x_mean)
            _, coefs, _ = enet_path(
                Xc,
                y - y_mean,
                l1_ratio=l1_ratio,
                alphas=alphas,
                tol=tol,
                max_iter=MAX_ITER,
                precompute=precompute,
                check_input=False,
            )
    coefs = coefs.T
    return coefs, y_mean - coefs @ x_mean


def _logistic_path(problem, alphas, tol):
    n = problem.X.shape[0]
    coefs, bs = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for a in alphas:
            m = LogisticRegression(
                penalty="l1", C=1.0 / (n * a), solver="liblinear", tol=tol, max_iter=MAX_ITER, intercept_scaling=1e3
            )
            m.fit(problem.X, problem.y)
            coefs.append(m.coef_.ravel().copy())
            bs.append(float(m.intercept_[0]))
    return np.array(coefs), np.array(bs)


def path(problem, alphas, l1_ratio, tol):
    if problem.datafit == "logistic":
        return _logistic_path(problem, alphas, tol)
    return _enet_path(problem, alphas, l1_ratio, tol, PRECOMPUTE)


def cv(problem, kind, grids, l1_ratios, folds, tol, n_jobs=1):
    n = problem.X.shape[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if kind == "ridgecv":
            m = RidgeCV(alphas=n * np.asarray(grids[0])).fit(problem.X, problem.y)
            return dict(alpha=m.alpha_ / n, l1_ratio=0.0, coef=m.coef_, intercept=m.intercept_)
        eps = grids[0][-1] / grids[0][0]
        if kind == "enetcv":
            m = ElasticNetCV(
                l1_ratio=list(l1_ratios),
                alphas=len(grids[0]),
                eps=eps,
                cv=folds,
                tol=tol,
                max_iter=MAX_ITER,
                n_jobs=n_jobs,
            )
        else:
            m = LassoCV(alphas=len(grids[0]), eps=eps, cv=folds, tol=tol, max_iter=MAX_ITER, n_jobs=n_jobs)
        m.fit(problem.X, problem.y)
    return dict(alpha=m.alpha_, l1_ratio=getattr(m, "l1_ratio_", 1.0), coef=m.coef_, intercept=m.intercept_)
