"""A one-SVD leave-one-out (GCV-style) ridge baseline in plain numpy: center, one thin SVD, then for each
alpha the exact leave-one-out residuals ``r_i / (1 - h_ii)`` (hat matrix including the intercept's
``1/n``), pick the smallest mean squared LOO error, coefficients from the same SVD.  Ridge only."""

from __future__ import annotations

import numpy as np

NAME = "one-SVD GCV (numpy)"
SUPPORTS = ("ridgecv",)
IMPORT_ERROR = None


def version():
    return f"numpy {np.__version__}"


def translate_tol(target, problem):
    return target


def cv(problem, kind, grids, l1_ratios, folds, tol):
    X, y = np.asarray(problem.X), problem.y
    n = X.shape[0]
    x_mean, y_mean = X.mean(axis=0), y.mean()
    U, S, Vt = np.linalg.svd(X - x_mean, full_matrices=False)
    yc = y - y_mean
    uty = U.T @ yc
    U2 = U * U
    best = (np.inf, None)
    for a in grids[0]:
        lam = n * a
        d = S**2 / (S**2 + lam)
        resid = yc - U @ (d * uty)
        h = U2 @ d + 1.0 / n
        loo = np.mean((resid / (1.0 - h)) ** 2)
        if loo < best[0]:
            best = (loo, a)
    a = best[1]
    coef = Vt.T @ (S / (S**2 + n * a) * uty)
    return dict(alpha=a, l1_ratio=0.0, coef=coef, intercept=y_mean - x_mean @ coef)
