"""FISTA with backtracking and adaptive restart, for any datafit and penalty.

Written against array operations only (``@``, elementwise arithmetic, the penalty's vectorised prox), so
the same loop can later run on GPU tensors or Dask arrays.  It is the reference first-order method: slower
than coordinate descent on most problems, but simple enough to trust, and it needs nothing of ``X`` but
products.

Reads top to bottom: certificate, a block of accelerated proximal-gradient steps, warning.

Each step: ``(w, b) <- prox_{P/L}((u, c) - grad D(u, c) / L)`` from the extrapolated point ``(u, c)``,
with ``L`` doubled until the quadratic upper bound holds (Beck and Teboulle, 2009), and the momentum reset
whenever the objective goes up (function-value restart, O'Donoghue and Candes, 2015).  The intercept takes
a plain gradient step (it is unpenalized).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from ..certificates import Certifier
from ..datafits.base import Datafit
from ..penalties.base import Penalty
from ._common import FitResult, measure, scores_and_stop, starting_point
from ._design import linear_predictor
from .base import Layout, Problem, Solver

STEPS_PER_CHECK = 10
MAX_BACKTRACK = 60  # doublings of the step's Lipschitz estimate within one step


class Fista(Solver):
    """``solver="fista"``: any datafit and penalty; ``"auto"`` never takes it (coordinate descent is faster).

    ``max_iter`` counts blocks of 10 steps, each certified.
    """

    name = "fista"

    def why_not(self, layout: Layout, datafit: Datafit, penalty: Penalty) -> str | None:
        return None

    def pays_off(self, layout: Layout, datafit: Datafit, penalty: Penalty, gram: bool | None = None) -> bool:
        return False

    def solve(self, problem: Problem) -> FitResult:
        return solve_fista(
            problem.design.X,
            problem.y,
            problem.s,
            problem.datafit,
            problem.penalty,
            fit_intercept=problem.fit_intercept,
            tol=problem.tol,
            max_iter=problem.max_iter,
            w0=problem.w0,
            b0=problem.b0,
        )


FISTA = Fista()


def solve_fista(
    X: Any,
    y: np.ndarray,
    s: np.ndarray,
    datafit: Datafit,
    penalty: Penalty,
    *,
    fit_intercept: bool = True,
    tol: float = 1e-6,
    max_iter: int = 100,
    w0: np.ndarray | None = None,
    b0: float | None = None,
) -> FitResult:
    """Minimize ``D(X w + b) + P(w)`` by FISTA on an array or sparse matrix ``X``.

    Returns
    -------
    FitResult
    """
    n_features = X.shape[1]
    certifier = Certifier(X, y, s, datafit, penalty, fit_intercept, tol)
    w, b = starting_point(n_features, w0, b0, certifier.b_null, fit_intercept)

    def objective(w: np.ndarray, b: float) -> float:
        return datafit.value(y, linear_predictor(X, w, b), s) + penalty.value(w)

    def gradient(w: np.ndarray, b: float) -> tuple[np.ndarray, float]:
        raw = datafit.raw_grad(y, linear_predictor(X, w, b), s)
        return np.asarray(X.T @ raw, dtype=np.float64).ravel(), float(raw.sum()) if fit_intercept else 0.0

    lips = 1.0
    # coordinate-wise Lipschitz constants: a non-convex fit is done only at a fixed point of every
    # coordinate's own prox step, as in coordinate descent (FISTA's global step 1/L, far smaller, leaves
    # coordinates at 0 that a coordinate step would move)
    bound = datafit.curvature_bound(y, s)
    if bound is None:  # unbounded curvature (log-link families): the start's curvature sets the scale
        bound = datafit.curvature(y, linear_predictor(X, w, b), s)
    coord_lips = np.asarray((X.multiply(X) if sp.issparse(X) else np.square(X)).T @ bound).ravel()
    u, c, momentum = w.copy(), b, 1.0
    f_w = objective(w, b)
    history = []
    n_steps = 0
    done = stalled = False
    for it in range(1, max_iter + 2):
        # 1. certificate
        cert = certifier.check(w, b, linear_predictor(X, w, b))
        history.append(measure(cert))
        scores, done = scores_and_stop(penalty, cert, w, coord_lips, certifier.violation_scale, tol)
        if done or it > max_iter or stalled or (cert.unresolvable and it >= 3):  # rounding hides the rest
            break
        if not penalty.is_convex and cert.converged:
            # stationary, yet not a coordinate-wise minimum: the prox step of the worst coordinate (with
            # its own Lipschitz constant, so the objective decreases), then FISTA again from there
            j = int(np.argmax(scores))
            w = w.copy()
            w[j] = penalty.prox(
                w - cert.grad / np.where(coord_lips > 0, coord_lips, 1.0),
                1.0 / np.where(coord_lips > 0, coord_lips, 1.0),
            )[j]
            u, c, momentum, f_w = w.copy(), b, 1.0, objective(w, b)
            continue

        # 2. a block of accelerated proximal-gradient steps
        for _ in range(STEPS_PER_CHECK):
            n_steps += 1
            d_u = datafit.value(y, linear_predictor(X, u, c), s)
            g_u, gb_u = gradient(u, c)
            for _ in range(MAX_BACKTRACK):
                w_new = penalty.prox(u - g_u / lips, 1.0 / lips)
                b_new = c - gb_u / lips
                dw, db = w_new - u, b_new - c
                f_new = objective(w_new, b_new)
                bound = d_u + g_u @ dw + gb_u * db + 0.5 * lips * (dw @ dw + db * db)
                bound += penalty.value(w_new)
                if f_new <= bound + 1e-12 * abs(bound) or not np.isfinite(bound):
                    break
                lips *= 2.0
            else:
                stalled = True
            if stalled or not np.isfinite(f_new):
                # no step size satisfies the bound, or the values overflow: the quantities are below
                # their rounding or beyond the float range; further steps cannot help, the
                # certificate at the last finite point reports
                stalled = True
                break
            if f_new > f_w and momentum > 1.0:
                # restart: drop the momentum and step from the last accepted point (a plain
                # proximal-gradient step from there is a descent step, so it is always accepted)
                u, c, momentum = w.copy(), b, 1.0
                continue
            next_momentum = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * momentum**2))
            beta = (momentum - 1.0) / next_momentum
            u, c = w_new + beta * (w_new - w), b_new + beta * (b_new - b)
            w, b, f_w, momentum = w_new, b_new, f_new, next_momentum
            lips *= 0.9  # let the step grow back when the local curvature allows it

    return FitResult(
        coef=w,
        intercept=float(b),
        n_iter=n_steps,
        objective=cert.objective,
        dual_gap=cert.gap,
        optimality_violation=cert.violation,
        converged=done,
        solver="fista",
        history=history,
        gap_floor=cert.floor,
        n_outer=len(history),
    )
