"""Working-set proximal Newton for smooth non-quadratic datafits (the logistic loss).

Reads top to bottom: certificate, working set, Newton steps (Newton model, inner coordinate descent,
line search).

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
    gap_ratio,
    path_start_scores,
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
#: a path's first Newton steps, with no gap to go by, go this much finer than their scores
FIRST_RATIO = 0.1
#: Newton steps on one working set between two certificates
MAX_STEPS_PER_SET = 10


def solve_prox_newton(X, y, s, datafit, penalty, *, fit_intercept=True, tol=1e-6, max_iter=100,
                      w0=None, b0=None, strong=None, warm_grad=None):
    """Minimize ``D(X w + b) + P(w)`` for a twice differentiable datafit by proximal Newton.

    Parameters and stopping rule as :func:`lpnet.solvers.cd_working_set.solve_cd` (``strong`` and
    ``warm_grad`` included); ``max_iter`` counts Newton steps.

    Returns
    -------
    FitResult
    """
    require_interfaces(datafit, penalty)
    design = as_design(X)
    n_samples, n_features = design.shape
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
    n_steps = 0
    done = False
    fresh = True  # whether z was computed from (w, b), not updated along the line search
    for it in range(1, max_iter + 2):
        # a path's fit starts without a certificate (it would repeat the previous fit's last one)
        start = path_start_scores(penalty, w, strong, warm_grad) if it == 1 and max_iter >= 1 else None
        if start is not None:
            ws, ws_size = working_set(w, start, ws_size)
            inner_tol = INNER_RATIO * start.max() * FIRST_RATIO
            objective = datafit.value(y, z, s) + penalty.value(w)
        else:
            # 1. certificate
            cert = certifier.check(w, b, z)
            history.append(cert.gap if cert.gap is not None else cert.violation)
            scores, done = scores_and_stop(penalty, cert, w, lips_bound, certifier.violation_scale, tol)
            if done and not fresh:
                # certify the returned (w, b) themselves: the running z drifted by rounding along the
                # line searches; again from scratch only beyond the rounding the certificate allows for
                exact, fresh = linear_predictor(design.X, w, b), True
                if np.any(np.abs(exact - z) > certifier.residual_rounding(w, b, z)):
                    z = exact
                    cert = certifier.check(w, b, z)
                    history[-1] = cert.gap if cert.gap is not None else cert.violation
                    scores, done = scores_and_stop(penalty, cert, w, lips_bound, certifier.violation_scale, tol)
            if done or it > max_iter or (cert.unresolvable and it >= 3):  # rounding hides the rest
                break

            # 2. working set
            ws, ws_size = working_set(w, scores, ws_size)
            inner_tol = INNER_RATIO * scores.max(initial=0.0) * gap_ratio(cert, certifier.threshold)
            objective = cert.objective

        # 3. Newton steps on the working set, as glmnet does on its active set: while a step still
        # decreases the objective by more than the gap allowed, the next one follows without a
        # certificate (each costs a full gradient); the certificate checks the features outside ws
        for _ in range(MAX_STEPS_PER_SET):
            moved = _newton_step(design, y, s, datafit, penalty, w, b, z, objective, ws, inner_tol,
                                 fit_intercept, h_floor, kernels, v, params)
            if moved is None:
                break  # no descent along the Newton direction: the certificate reports the state
            w, b, z, objective, decrease = moved
            n_steps += 1
            fresh = False
            if decrease <= certifier.threshold or n_steps >= max_iter:
                break

    design.remember_prediction(w, b, z)
    return FitResult(
        coef=w, intercept=float(b), n_iter=n_steps, objective=cert.objective, dual_gap=cert.gap,
        optimality_violation=cert.violation, converged=done, solver="prox_newton", history=history, gap_floor=cert.floor,
        grad=cert.grad,
        n_outer=len(history),
    )


def _newton_step(design, y, s, datafit, penalty, w, b, z, f_old, ws, inner_tol, fit_intercept, h_floor,
                 kernels, v, params):
    """One proximal Newton step on ``ws`` with a backtracking line search on the true objective.

    Returns ``(w, b, z, objective, decrease)`` (``decrease``: how much the objective went down), or None
    when no step along the Newton direction descends.
    """
    # the Newton model: weighted least squares with working response t, residual r = t - z
    g = datafit.raw_grad(y, z, s)
    h = np.where(s > 0, np.maximum(datafit.curvature(y, z, s), h_floor), 0.0)
    r = np.divide(-g, h, out=np.zeros_like(g), where=h > 0)
    t = z + r
    means, sums, lips = kern.coordinate_moments(design.kernel, h, design.shape[1], fit_intercept, ws)
    w_new = w.copy()
    b_new, _ = kern.solve_subproblem(
        design.kernel, t, h, w_new, b, r, lips, ws, kernels.prox, kernels.subdiff_distance,
        kernels.value, v, params, fit_intercept, inner_tol, MAX_EPOCHS, ANDERSON_K, means, sums,
    )
    dz = (t - r) - z  # X (w_new - w) + (b_new - b)

    p_old = penalty.value(w)
    decrease = float(g @ dz) + penalty.value(w_new) - p_old
    step = 1.0
    for _ in range(MAX_BACKTRACK):
        w_try = w + step * (w_new - w)
        z_try = z + step * dz
        f_try = datafit.value(y, z_try, s) + penalty.value(w_try)
        # near the optimum F is flat to rounding while the dual certificate still needs a more accurate
        # w (it is first order in the error, F is second order): allow that noise
        if f_try <= f_old + ARMIJO * step * min(decrease, 0.0) + ROUNDING * abs(f_old):
            break
        step *= 0.5
    else:
        return None
    if step == 1.0:
        w_try, z_try = w_new, z + dz  # keep the exact zeros of the prox step
    return w_try, b + step * (b_new - b), z_try, f_try, f_old - f_try
