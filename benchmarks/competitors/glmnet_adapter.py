"""glmnet (python-glmnet: the Fortran coordinate descent of R's glmnet), fitted the way its documentation
advises: a path from alpha_max down to the wanted alpha (a single small lambda from a cold start is slow
and unreliable in glmnet), the last point returned.  The timing is the whole path.

glmnet's gaussian family fits ``y / sd(y)`` with ``lambda / sd(y)``: its Lasso ``lambda`` equals our
``alpha``; for the Elastic Net ``lpnet.conventions.lpnet_to_glmnet`` maps ``(alpha, l1_ratio)`` to its
``(lambda, mixing alpha)`` with ``np.std(y)`` (checked by ``benchmarks/check_glmnet_scaling.py``).
``standardize=False``: every library solves the problem as given.

glmnet's ``tol`` bounds the last pass's largest ``var(x_j) * (change of w_j)^2`` (units of ``var(y)``),
not a gap, so the tol it needs is found by the runner's ladder.  Held to its suboptimality bound (not its
own gap), glmnet met the 1e-6 target in the quick problems at 1e-6 (tall), 1e-6..1e-7 (alpha_max/10 on
the correlated and sparse designs) and 1e-8..1e-9 (alpha_max/100; 1e-9..1e-10 on the full Toeplitz Lasso).
Its time grows about 1.5-2x per decade there (full Toeplitz Lasso at alpha_max/100: 0.18 s at 1e-9,
0.31 s at 1e-10), so the start is loose, ``0.1 * target``: a start tighter than needed would slow its
timed runs, while the looser calibration runs of the ladder cost less, together, than the final one.
"""

from __future__ import annotations

import warnings

import numpy as np

NAME = "glmnet"
TOL_NOTE = "last pass's max var(x_j) * dw_j^2 <= tol * var(y), not a gap: found by tightening from 0.1 x target"

try:
    from glmnet import ElasticNet

    from lpnet.conventions import lpnet_to_glmnet

    IMPORT_ERROR = None
except Exception as exc:  # pragma: no cover
    IMPORT_ERROR = f"{type(exc).__name__}: {exc}"

#: path points from alpha_max to the target alpha.  glmnet's default is 100 over 4 decades; on the quick
#: problems its time grew with the count (5 to 80 points tried), so the path is kept at the short end of
#: a real path.
N_LAMBDA = 20
#: total coordinate-descent passes over the whole path; glmnet truncates the path when they run out
MAX_ITER = 10**6
#: 0.1 x target down to 1e-7 x target, two decades below the tightest tol the quick runs needed
MAX_TIGHTEN = 6


def version():
    from importlib.metadata import version as v

    return v("python-glmnet")


#: the translation below already starts loose (the suboptimality rule decides how far to tighten)
START_LOOSER = 1.0


def translate_tol(rel_gap_target, problem):
    return rel_gap_target * 0.1


def fit(problem, alpha, l1_ratio, tol):
    alphas = np.geomspace(problem.alpha_max / l1_ratio, alpha, N_LAMBDA)
    sd = float(np.std(problem.y))
    pairs = [lpnet_to_glmnet(a, l1_ratio, y_std=sd) for a in alphas]
    m = ElasticNet(
        alpha=pairs[0][1],
        lambda_path=np.array([lam for lam, _ in pairs]),
        standardize=False,
        fit_intercept=True,
        n_splits=0,
        tol=tol,
        max_iter=MAX_ITER,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # truncation is checked below
        m.fit(problem.X, problem.y)
    if m.n_lambda_ < N_LAMBDA:
        raise RuntimeError(f"glmnet stopped after {m.n_lambda_} of {N_LAMBDA} lambdas (jerr {m.jerr_})")
    return m.coef_path_[:, -1], float(m.intercept_path_[-1])
