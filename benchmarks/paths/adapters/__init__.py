"""One adapter module per library, all with the same interface.

* ``NAME``, ``IMPORT_ERROR`` (None or why the library is unavailable), ``version()``;
* ``SUPPORTS``: the case kinds it runs, among ``"path"`` (squared loss Lasso / Elastic Net),
  ``"logistic_path"``, ``"enetcv"``, ``"lassocv"``, ``"ridgecv"``;
* ``translate_tol(target, problem) -> tol``: the library's ``tol`` meant to reach ``target`` (relative to
  ``F_null``); the runner checks it (lpnet: its independent gap; a competitor: its suboptimality bound,
  ``benchmarks/reference.py``) and tightens it by 10x when needed;
* ``path(problem, alphas, l1_ratio, tol) -> (coefs (n_alphas x p), intercepts)``, alphas decreasing,
  each fit with an intercept (warm-started along the grid where the library allows);
* ``cv(problem, kind, grids, l1_ratios, folds, tol) -> dict(alpha, l1_ratio, coef, intercept)``: the
  cross-validated model (``grids[i]``: the alpha grid of ``l1_ratios[i]``, ``folds``: list of
  ``(train, test)``).  Its per-fold paths are checked by calling ``path`` on the training folds
  (what the CV estimators run internally).

Optional:

* ``MAX_TIGHTEN``: ``{kind: k}``, the adapter's own depth of the 10x tightening ladder (replaces
  ``--max-tighten``);
* ``CV_N_JOBS = True``: ``cv`` takes ``n_jobs=`` (the library parallelizes its CV); only such adapters run
  the cases with ``n_jobs > 1``;
* ``ONLY_PROBLEMS``: the problem names it runs on;
* ``cv_folds(problem, folds)``: the folds the library's CV really uses when it draws its own (the
  certificate then runs on those);
* ``fold_path(problem, sub, grid, l1_ratio, tol) -> (coefs, intercepts, alphas, l1_ratio)``: what the
  library's CV fits on the training fold ``sub`` when that is not ``path(sub, grid, l1_ratio, tol)``,
  with the ``(alphas, l1_ratio)`` it solves in our units.
"""

from __future__ import annotations

import importlib

ADAPTERS = ("lpnet_", "sklearn_", "sklearn_gram", "glmnet_", "celer_", "skglm_", "glum_", "svd_gcv")


def load_all():
    return [importlib.import_module(f"{__name__}.{name}") for name in ADAPTERS]


def manual_cv(path_fn, problem, grids, l1_ratios, folds, tol, refit):
    """K-fold CV by hand from a path function: mean validation MSE, best (l1_ratio, alpha), refit."""
    import numpy as np

    best = (np.inf, None, None)
    for grid, ratio in zip(grids, l1_ratios):
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
