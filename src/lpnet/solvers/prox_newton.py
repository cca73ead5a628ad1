"""Working-set proximal Newton for smooth non-quadratic datafits (the logistic loss).

Reads top to bottom: certificate, working set, Newton model, inner coordinate descent, line search.

At ``z = X w + b`` the datafit is replaced by its second-order model
``sum_i g_i dz_i + 1/2 h_i dz_i^2`` (``g``: ``dD/dz``, ``h``: ``d^2D/dz^2``), which is the weighted least
squares problem ``1/2 sum_i h_i (t_i - x_i w' - b')^2`` with working response ``t = z - g / h``
(IRLS, as glmnet).  The same coordinate-descent kernel as the squared loss solves it on the working set,
and a backtracking line search on the true objective (Armijo rule of Tseng and Yun, 2009) makes each
outer step a descent step.
"""
from __future__ import annotations

import numpy as np

from ..certificates import Certifier
from . import _cd_kernels as kern
from ._common import (
    FitResult,
    require_interfaces,
    scores_and_stop,
    starting_point,
    working_set,
)
from ._design import as_design, linear_predictor

INNER_RATIO = 0.3
ANDERSON_K = 5
MAX_EPOCHS = 1_000
ARMIJO = 1e-4
MAX_BACKTRACK = 40
ROUNDING = 4 * np.finfo(np.float64).eps


def solve_prox_newton(X, y, s, datafit, penalty, *, fit_intercept=True, tol=1e-6, max_iter=100,
                      w0=None, b0=None):
    """Minimize ``D(X w + b) + P(w)`` for a twice differentiable datafit by proximal Newton.

    Parameters and stopping rule as :func:`lpnet.solvers.cd_working_set.solve_cd`; ``max_iter`` counts
    Newton steps.

    Returns
    -------
    FitResult
    """
    require_interfaces(datafit, penalty)
    design = as_design(X)
    n_samples, n_features = design.shape
    Xk = design.kernel
    certifier = Certifier(design.X, y, s, datafit, penalty, fit_intercept, tol, xt=design.xt, cache=design)
    kernels = penalty.kernels
    v = penalty.penalty_factors(n_features)
    params = penalty.params
    lips_bound = design.col_sq_norms(datafit.curvature_bound(s))
    # curvature floor: far-off samples (sigma(z)(1 - sigma(z)) ~ 0) must not make -g / h overflow
    h_floor = 1e-12 * s / n_samples

    w, b = starting_point(n_features, w0, b0, certifier.b_null, fit_intercept)
    z = design.predict(w, b)
    ws_size = 0
    history = []
    done = False
    fresh = True  # whether z was computed from (w, b), not updated along the line search
    for it in range(1, max_iter + 2):
        # 1. certificate
        cert = certifier.check(w, b, z)
        history.append(cert.gap if cert.gap is not None else cert.violation)
        scores, done = scores_and_stop(penalty, cert, w, lips_bound, certifier.violation_scale, tol)
        if done and not fresh:  # certify the returned (w, b) themselves, not the running z
            z, fresh = linear_predictor(design.X, w, b), True
            cert = certifier.check(w, b, z)
            history[-1] = cert.gap if cert.gap is not None else cert.violation
            scores, done = scores_and_stop(penalty, cert, w, lips_bound, certifier.violation_scale, tol)
        if done or it > max_iter or (cert.unresolvable and it >= 3):  # rounding hides the rest
            break

        # 2. working set
        ws, ws_size = working_set(w, scores, ws_size)

        # 3. Newton model: weighted least squares with working response t, residual r = t - z
        g = datafit.raw_grad(y, z, s)
        h = np.where(s > 0, np.maximum(datafit.curvature(y, z, s), h_floor), 0.0)
        r = np.divide(-g, h, out=np.zeros_like(g), where=h > 0)
        t = z + r
        means, sums, lips = kern.coordinate_moments(Xk, h, n_features, fit_intercept)
        w_new = w.copy()
        b_new, _ = kern.solve_subproblem(
            Xk, t, h, w_new, b, r, lips, ws, kernels.prox, kernels.subdiff_distance,
            kernels.value, v, params, fit_intercept, INNER_RATIO * scores.max(initial=0.0),
            MAX_EPOCHS, ANDERSON_K, means, sums,
        )
        dz = (t - r) - z  # X (w_new - w) + (b_new - b)

        # 4. backtracking line search on the true objective
        p_old = penalty.value(w)
        decrease = float(g @ dz) + penalty.value(w_new) - p_old
        f_old = cert.objective
        step = 1.0
        for _ in range(MAX_BACKTRACK):
            w_try = w + step * (w_new - w)
            z_try = z + step * dz
            f_try = datafit.value(y, z_try, s) + penalty.value(w_try)
            # near the optimum F is flat to rounding while the dual certificate still needs a
            # more accurate w (it is first order in the error, F is second order): allow that noise
            if f_try <= f_old + ARMIJO * step * min(decrease, 0.0) + ROUNDING * abs(f_old):
                break
            step *= 0.5
        else:
            break  # no descent along the Newton direction: the certificate below reports the state
        if step == 1.0:
            w_try, z_try = w_new, z + dz  # keep the exact zeros of the prox step
        w, b, z = w_try, b + step * (b_new - b), z_try
        fresh = False

    design.remember_prediction(w, b, z)
    return FitResult(
        coef=w, intercept=float(b), n_iter=len(history) - 1, objective=cert.objective, dual_gap=cert.gap,
        optimality_violation=cert.violation, converged=done, solver="prox_newton", history=history, gap_floor=cert.floor,
        n_outer=len(history),
    )
