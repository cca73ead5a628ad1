"""One adapter module per library, all with the same interface.

* ``NAME``, ``IMPORT_ERROR`` (None or why the library is unavailable), ``version()``;
* ``SUPPORTS``: the case kinds it runs, among ``"path"`` (squared loss Lasso / Elastic Net),
  ``"logistic_path"``, ``"enetcv"``, ``"lassocv"``, ``"ridgecv"``;
* ``translate_tol(target, problem) -> tol``: the library's ``tol`` meant to reach the relative gap
  ``target`` (the runner checks it with the independent gap and tightens by 10x when needed);
* ``path(problem, alphas, l1_ratio, tol) -> (coefs (n_alphas x p), intercepts)``, alphas decreasing,
  each fit with an intercept (warm-started along the grid where the library allows);
* ``cv(problem, kind, grids, l1_ratios, folds, tol) -> dict(alpha, l1_ratio, coef, intercept)``: the
  cross-validated model (``grids[i]``: the alpha grid of ``l1_ratios[i]``, ``folds``: list of
  ``(train, test)``).  Its per-fold paths are certified by calling ``path`` on the training folds
  (what the CV estimators run internally).
"""
from __future__ import annotations

import importlib

ADAPTERS = ("lpnet_", "sklearn_", "sklearn_gram", "celer_", "skglm_", "glum_", "svd_gcv")


def load_all():
    return [importlib.import_module(f"{__name__}.{name}") for name in ADAPTERS]


def manual_cv(path_fn, problem, grids, l1_ratios, folds, tol, refit):
    """K-fold CV by hand from a path function: mean validation MSE, best (l1_ratio, alpha), refit."""
    import numpy as np

    best = (np.inf, None, None)
    for i, (grid, ratio) in enumerate(zip(grids, l1_ratios)):
        losses = []
        for train, test in folds:
            sub = subproblem(problem, train)
            coefs, b = path_fn(sub, grid, ratio, tol)
            pred = np.asarray(problem.X[test] @ coefs.T) + b
            losses.append(np.mean((problem.y[test][:, None] - pred) ** 2, axis=0))
        mean = np.mean(losses, axis=0)
        k = int(np.argmin(mean))
        if mean[k] < best[0]:
            best = (mean[k], ratio, grid[k])
    _, ratio, alpha = best
    coef, b = refit(problem, alpha, ratio, tol)
    return dict(alpha=alpha, l1_ratio=ratio, coef=coef, intercept=b)


def subproblem(problem, rows):
    from ..problems import Problem

    return Problem(problem.name, problem.description, problem.X[rows], problem.y[rows], problem.datafit)
