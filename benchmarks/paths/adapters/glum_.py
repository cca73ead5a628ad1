"""glum: ``GeneralizedLinearRegressor(alpha=grid, alpha_search=True)`` (its own warm-started path,
``coef_path_``) and ``GeneralizedLinearRegressorCV``.  Its objective for the normal / binomial family is
``1/(2n) sum deviance + alpha (l1_ratio ||w||_1 + (1 - l1_ratio)/2 ||w||^2)`` = ours.  It stops on the
gradient (``gradient_tol``), not a gap: the start is ``target * alpha_max``, tightened by the runner.
Skipped when glum does not install."""

from __future__ import annotations

import warnings

import numpy as np

NAME = "glum"
SUPPORTS = ("path", "logistic_path")  # its CV estimator is minutes on the CV cases here: not run
try:
    from glum import GeneralizedLinearRegressor, GeneralizedLinearRegressorCV

    IMPORT_ERROR = None
except Exception as exc:  # pragma: no cover
    IMPORT_ERROR = f"{type(exc).__name__}: {exc}"

MAX_ITER = 10_000


def version():
    from importlib.metadata import version as v

    return v("glum")


def translate_tol(target, problem):
    return target * problem.alpha_max


def path(problem, alphas, l1_ratio, tol):
    family = "binomial" if problem.datafit == "logistic" else "normal"
    y = (problem.y > 0).astype(float) if family == "binomial" else problem.y
    m = GeneralizedLinearRegressor(
        family=family,
        alpha=list(alphas),
        alpha_search=True,
        l1_ratio=l1_ratio,
        fit_intercept=True,
        gradient_tol=tol,
        max_iter=MAX_ITER,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m.fit(problem.X, y)
    return np.asarray(m.coef_path_), np.asarray(m.intercept_path_)


def cv(problem, kind, grids, l1_ratios, folds, tol):
    eps = grids[0][-1] / grids[0][0]
    m = GeneralizedLinearRegressorCV(
        family="normal",
        l1_ratio=list(l1_ratios),
        n_alphas=len(grids[0]),
        min_alpha_ratio=eps,
        cv=folds,
        fit_intercept=True,
        gradient_tol=tol,
        max_iter=MAX_ITER,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m.fit(problem.X, problem.y)
    return dict(alpha=m.alpha_, l1_ratio=m.l1_ratio_, coef=m.coef_, intercept=m.intercept_)
