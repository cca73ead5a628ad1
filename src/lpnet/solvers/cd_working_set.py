"""Working-set coordinate descent for the squared loss with any separable penalty.

Reads top to bottom like every lpnet solver: certificate, working set, inner passes, warning.

The outer loop computes the full gradient ``X^T dD/dz`` once per iteration.  That gives the
certificate (duality gap, or optimality violation for p < 1) and the feature scores.  The working set
holds every nonzero coefficient plus the best-scored others, doubling with the support (as skglm and
celer do).  The inner problem on the working set is solved by cyclic coordinate descent with Anderson
extrapolation (numba kernels in ``_cd_kernels``) down to 0.3 times the current outer violation.
"""
from __future__ import annotations

from ..certificates import Certifier
from ..datafits.quadratic import Quadratic
from . import _cd_kernels as kern
from ._common import (
    FitResult,
    require_interfaces,
    scores_and_stop,
    starting_point,
    working_set,
)
from ._design import as_design

INNER_RATIO = 0.3
ANDERSON_K = 5
MAX_EPOCHS = 10_000


def solve_cd(X, y, s, penalty, *, fit_intercept=True, tol=1e-6, max_iter=100, w0=None, b0=None):
    """Minimize ``1/(2n) sum_i s_i (y_i - x_i w - b)^2 + P(w)`` by working-set coordinate descent.

    Parameters
    ----------
    X : ndarray, scipy.sparse matrix or Design of shape (n_samples, n_features), float32 or float64
    y : ndarray of shape (n_samples,)
    s : ndarray of shape (n_samples,)
        Sample weights, already rescaled to sum to ``n_samples``.
    penalty : Penalty
    fit_intercept : bool
    tol : float
        Stop when the duality gap is at most ``tol * F_null`` (convex) or the scale-free optimality
        violation is at most ``tol`` (p < 1, together with the coordinate-descent fixed-point residual).
    max_iter : int
        Maximum number of outer (working-set) iterations; each ends with a certificate.
    w0, b0 : warm start.

    Returns
    -------
    FitResult
    """
    datafit = Quadratic()
    require_interfaces(datafit, penalty)
    design = as_design(X)
    n_samples, n_features = design.shape
    Xk = design.kernel
    certifier = Certifier(design.X, y, s, datafit, penalty, fit_intercept, tol, xt=design.xt, cache=design)
    kernels = penalty.kernels
    v = penalty.penalty_factors(n_features)
    params = penalty.params
    h = s / n_samples
    lips = design.col_sq_norms(h)

    w, b = starting_point(n_features, w0, b0, certifier.b_null, fit_intercept)
    r = y - design.predict(w, b)
    ws_size = 0
    history = []
    done = False
    for it in range(1, max_iter + 2):
        # 1. certificate
        cert = certifier.check(w, b, y - r)
        history.append(cert.gap if cert.gap is not None else cert.violation)
        scores, done = scores_and_stop(penalty, cert, w, lips, certifier.violation_scale, tol)
        if done or it > max_iter:
            break

        # 2. working set: the support, then the best-scored features
        ws, ws_size = working_set(w, scores, ws_size)
        inner_tol = INNER_RATIO * scores.max(initial=0.0)

        # 3. inner coordinate-descent passes on the working set
        b, _ = kern.solve_subproblem(
            Xk, y, h, w, b, r, lips, ws, kernels.prox, kernels.subdiff_distance,
            kernels.value, v, params, fit_intercept, inner_tol, MAX_EPOCHS, ANDERSON_K,
        )

    # 4. the result (solve() warns when the certificate was not reached)
    design.remember_prediction(w, b, y - r)
    return FitResult(
        coef=w, intercept=float(b), n_iter=len(history), objective=cert.objective, dual_gap=cert.gap,
        optimality_violation=cert.violation, converged=done, solver="cd", history=history,
    )
