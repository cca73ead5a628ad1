"""Working-set coordinate descent for the squared loss with any separable penalty.

Reads top to bottom like every lpnet solver: certificate, working set, inner passes, warning.

The outer loop computes the full gradient ``X^T dD/dz`` once per iteration.  That gives the
certificate (duality gap, or optimality violation for p < 1) and the feature scores.  For penalties
with a kink at zero (L1, Elastic Net) the certificate's dual point also gives gap-safe screening
(Fercoq, Gramfort & Salmon 2015): features proved to be zero at the optimum are set to zero and never
enter a working set.  The working set holds every nonzero coefficient plus the best-scored others,
doubling with the support (as skglm and celer do); a path may propose the first one (its sequential
strong set), and the full-gradient check of the next iteration brings back any feature it left out
wrongly.  The inner problem on the working set is solved by cyclic coordinate descent with Anderson
extrapolation (numba kernels in ``_cd_kernels``) down to 0.3 times the current outer violation.
"""
from __future__ import annotations

import numpy as np

from ..certificates import Certifier
from ..datafits.quadratic import Quadratic
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
#: a path's first inner solve, with no gap to go by, goes this much finer than its scores (the floor of
#: gap_ratio)
FIRST_RATIO = 0.1
MAX_EPOCHS = 10_000
#: passes over the working set for a whole fit: coordinate descent crawls on some problems (many more
#: features than samples and a penalty flat at zero, p > 2, near interpolation), where a full-gradient
#: method does far better; past this budget the fit returns to solve(), which goes on with FISTA
MAX_PASSES = 20_000
SAFE_MARGIN = 1e-8


def solve_cd(X, y, s, penalty, *, fit_intercept=True, tol=1e-6, max_iter=100, w0=None, b0=None,
             strong=None, warm_grad=None):
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
    strong : ndarray of bool of shape (n_features,), optional
        Where the first working set is chosen from (with the support of ``w0``), e.g. a path's
        sequential strong set.  A guess only: every later iteration checks all features.
    warm_grad : ndarray of shape (n_features,), optional
        ``X^T dD/dz`` at ``(w0, b0)``, when the caller has it (a path: the previous fit's final
        gradient).  With ``strong`` it replaces the first certificate.

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
    means, sums, lips = design.coordinate_stats(h, fit_intercept)

    tau = penalty.zero_threshold(n_features) if penalty.convex else np.zeros(n_features)
    screened = np.zeros(n_features, dtype=bool)
    w, b = starting_point(n_features, w0, b0, certifier.b_null, fit_intercept)
    r = y - design.predict(w, b)
    ws_size = 0
    history = []
    n_epochs = 0
    done = False
    fresh = True  # whether r was computed from (w, b) rather than kept up to date by the kernels
    strong_misses = candidates = None
    for it in range(1, max_iter + 2):
        # a path's fit starts without a certificate (it would repeat the previous fit's last one)
        start = path_start_scores(penalty, w, strong, warm_grad) if it == 1 and max_iter >= 1 else None
        if start is not None:
            candidates = strong | (w != 0)
            ws, ws_size = working_set(w, start, ws_size)
            inner_tol = INNER_RATIO * start.max() * FIRST_RATIO
        else:
            # 1. certificate
            cert = certifier.check(w, b, y - r)
            history.append(cert.gap if cert.gap is not None else cert.violation)
            scores, done = scores_and_stop(penalty, cert, w, lips, certifier.violation_scale, tol)
            if done and not fresh:
                # the kernels' running residual drifts by rounding (badly with large values: 1e-7 of the
                # objective was seen), and the certificate must describe the returned (w, b) themselves:
                # beyond the residual rounding the certificate allows for, certify again from scratch
                exact, fresh = y - linear_predictor(design.X, w, b), True
                if np.any(np.abs(exact - r) > certifier.residual_rounding(w, b, y - r)):
                    r = exact
                    cert = certifier.check(w, b, y - r)
                    history[-1] = cert.gap if cert.gap is not None else cert.violation
                    scores, done = scores_and_stop(penalty, cert, w, lips, certifier.violation_scale, tol)
            if candidates is not None and it == 2:  # features the rule discarded that violate the check
                strong_misses = int(np.count_nonzero((scores > 0) & ~candidates))
            if done and tau.any() and it <= max_iter:
                # exact zeros: a coefficient the final dual point proves zero is set to zero (a
                # rounding-level value would otherwise stand as "nonzero" in the support), then certified
                # again
                proved = gap_safe_zeros(cert.dual_xt, cert.gap, tau, lips) & (w != 0)
                if proved.any():
                    r += design.X[:, np.flatnonzero(proved)] @ w[proved]
                    w[proved] = 0.0
                    done = fresh = False
                    continue
            if done or it > max_iter or (cert.unresolvable and it >= 3) or n_epochs >= MAX_PASSES:
                break  # (an unresolvable gap: rounding hides the rest)

            # 2. screening, then the working set: the support and the best-scored features
            if tau.any():
                screened |= gap_safe_zeros(cert.dual_xt, cert.gap, tau, lips)
                dropped = np.flatnonzero(screened & (w != 0))
                if dropped.size:  # rare: an iterate far from the optimum; keep r = y - Xw - b exact
                    r += design.X[:, dropped] @ w[dropped]
                    w[dropped] = 0.0
                scores = np.where(screened, 0.0, scores)
            if it == 1 and strong is not None:
                # the rule only narrows the candidates; the working set keeps its usual size, so a
                # large strong set (small alphas, correlated columns) does not inflate the inner passes
                candidates = strong | (w != 0)
                scores = np.where(candidates, scores, 0.0)
            ws, ws_size = working_set(w, scores, ws_size)
            inner_tol = INNER_RATIO * scores.max(initial=0.0) * gap_ratio(cert, certifier.threshold)

        # 3. inner coordinate-descent passes on the working set
        fresh = False
        b, epochs = kern.solve_subproblem(
            Xk, y, h, w, b, r, lips, ws, kernels.prox, kernels.subdiff_distance,
            kernels.value, v, params, fit_intercept, inner_tol, min(MAX_EPOCHS, MAX_PASSES - n_epochs), ANDERSON_K,
            means, sums,
        )
        n_epochs += epochs

    # 4. the result (solve() warns when the certificate was not reached)
    design.remember_prediction(w, b, y - r)
    return FitResult(
        coef=w, intercept=float(b), n_iter=n_epochs, objective=cert.objective, dual_gap=cert.gap,
        optimality_violation=cert.violation, converged=done, solver="cd", history=history, gap_floor=cert.floor,
        grad=cert.grad, n_screened=int(screened.sum()), strong_misses=strong_misses, n_outer=len(history),
        budget_exhausted=not done and n_epochs >= MAX_PASSES,
    )


def gap_safe_zeros(dual_xt, gap, tau, lips) -> np.ndarray:
    """Features that are zero at every optimum, from a certificate's dual point (``X^T theta``) and gap.

    The squared loss's dual ``theta -> sum_i y_i theta_i - n/2 sum_i theta_i^2 / s_i`` is
    ``n``-strongly concave in the norm ``||theta||_{1/s}``, and ``G >= D(theta*) - D(theta)``, so
    ``||theta - theta*||_{1/s} <= sqrt(2 G / n)``.  By Cauchy-Schwarz
    ``|x_j^T (theta - theta*)| <= ||x_j||_s sqrt(2 G / n) = sqrt(2 G L_j)`` with
    ``L_j = sum_i s_i x_ij^2 / n``.  At the optimum ``w_j = 0`` whenever ``|x_j^T theta*| < tau_j``
    (the subdifferential at zero is ``[-tau_j, tau_j]``), hence whenever
    ``|x_j^T theta| + sqrt(2 G L_j) < tau_j``.  The test keeps a relative margin of :data:`SAFE_MARGIN`:
    at a (nearly) exact optimum the radius vanishes and an active feature sits at ``|x_j^T theta| =
    tau_j`` up to rounding, which must not count as proved zero.
    """
    radius = np.sqrt(2.0 * max(gap, 0.0) * lips)
    return np.abs(dual_xt) + radius < tau * (1.0 - SAFE_MARGIN)
