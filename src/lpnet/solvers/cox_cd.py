"""Working-set Newton steps on the Cox partial likelihood with its exact Hessian, solved by coordinate descent.

Proximal Newton with glmnet's diagonal Hessian (IRLS weights) converges only linearly on the Cox model:
its Hessian in ``z`` is a diagonal minus one rank-one term per risk set, and the rank-one terms (the
coupling between the samples of a risk set) are what the diagonal model leaves out.  Here the model is
the exact one,

    D(z + dz) ~ D(z) + g^T dz + 1/2 dz^T H dz,   dz = X_ws dw,

and coordinate descent minimizes it plus the penalty over the working set.  It keeps ``r = g + H dz``
(the model's gradient in ``z``): coordinate ``j`` reads ``x_j^T r`` (its gradient) and, when it moves by
``delta``, adds ``delta H x_j`` to ``r``.  ``H x_j`` and its curvature ``x_j^T H x_j`` come from the
datafit's risk-set sums in ``O(n)`` (:func:`lpnet.datafits.cox.risk_set_hessian_column`), once per Newton
step and only for the coordinates that move, so an epoch costs what an IRLS epoch costs (one dot product
and one update per moving column).  A zero coordinate whose zero is optimal in the model costs its dot
product only (the penalty is convex: its distance to the subdifferential is then 0).

The passes run on a copy of ``X`` with its rows in the time order (kept by the Design for a path's or a
CV fold's fits): the risk-set sums and the vector updates are then over contiguous memory.  Anderson
extrapolation of the passes (kept when the model's value goes down) speeds up the ill-conditioned
models of large, correlated supports.

With the exact model a Newton step converges superlinearly, so the inner solve goes straight to (half) the
final tolerance: along a path one step per alpha usually meets the certificate.  A backtracking line
search on the true objective (Armijo, as :mod:`.prox_newton`) keeps every step a descent.  The outer loop
(certificate, working set, a path's strong rule) is :func:`._working_set.fit_working_set`'s; the
certificate is the datafit's, here the scale-free KKT violation.
"""

from __future__ import annotations

from typing import Any, Protocol, cast

import numpy as np
from numba import njit, types
from numba.extending import overload

from ..certificate_kernels import FAST
from ..datafits.base import Datafit
from ..datafits.cox import risk_set_hessian_block
from ..penalties.base import Penalty
from ..penalties.prox import box_distance, box_prox
from ._cd_kernels import anderson_extrapolate, col_axpy, col_dot_plain
from ._common import FitResult, starting_point
from ._design import kernel_matrix, linear_predictor
from ._working_set import ANDERSON_K, InnerSolver, fit_working_set
from .base import Layout, Problem, Solver
from .prox_newton import PROX_NEWTON

MAX_EPOCHS = 1_000
ARMIJO = 1e-4
MAX_BACKTRACK = 40
ROUNDING = 4 * np.finfo(np.float64).eps
#: Newton steps on one working set between two certificates, while the line search damps them
MAX_STEPS_PER_SET = 10
#: the inner solve goes down to this fraction of the final (absolute) KKT tolerance
TARGET_RATIO = 0.5
#: columns whose Hessian products are computed side by side (independent running sums: vector lanes)
BLOCK = 8


def dense_column(X, j, buffer):  # pragma: no cover - replaced by the overload inside numba
    """``X[:, j]`` as a dense vector: a view of a dense ``X``, else written into ``buffer``."""
    raise NotImplementedError


@overload(dense_column)
def _dense_column(X, j, buffer):
    if isinstance(X, types.Array):

        def dense(X, j, buffer):
            return X[:, j]

        return dense

    def csc(X, j, buffer):
        data, indices, indptr = X
        buffer[:] = 0.0
        for k in range(indptr[j], indptr[j + 1]):
            buffer[indices[k]] = data[k]
        return buffer

    return csc


@njit(cache=True, nogil=True, fastmath=FAST)
def _hessian_columns(X, ws, ks, model, hx, lips, slot, used):
    """``H x_{ws[k]}`` and ``x^T H x`` for the positions ``ks``, ``BLOCK`` columns side by side, into the
    rows ``used, used + 1, ...`` of ``hx`` (``slot[k]`` says which) and ``lips[k]``; returns the rows used."""
    starts, u, diag, own, beta1, beta2, beta3 = model
    width = min(BLOCK, ks.shape[0])
    V = np.empty((width, hx.shape[1]))
    buffer = np.empty(hx.shape[1])
    for first in range(0, ks.shape[0], width):
        m = min(width, ks.shape[0] - first)
        for c in range(m):
            V[c] = dense_column(X, ws[ks[first + c]], buffer)
        quad = risk_set_hessian_block(starts, u, diag, own, beta1, beta2, beta3, V[:m], hx[used : used + m])
        for c in range(m):
            lips[ks[first + c]] = quad[c]
            slot[ks[first + c]] = used + c
        used += m
    return used


@njit(cache=True, nogil=True, fastmath=FAST)
def newton_model_cd(
    X,
    ws,
    w,
    grad,
    starts,
    u,
    diag,
    own,
    beta1,
    beta2,
    beta3,
    prox,
    dist,
    value,
    v,
    params,
    lower,
    upper,
    tol,
    max_epochs,
    hx,
):
    """Coordinate descent on ``g^T dz + 1/2 dz^T H dz + P(w)`` over ``ws`` (``w`` updated in place).

    ``X``'s rows, ``grad`` (``g = dD/dz``) and the arrays describing ``H`` (``starts`` ... ``beta3``, see
    ``Cox.risk_set_model``) are in the time order: every pass below is then over contiguous memory.
    ``hx`` (at least ``len(ws)`` rows of length n) receives ``H x_j``: at once for the nonzero
    coefficients, which will move, and for another when it first moves.  As glmnet, a pass over ``ws``
    that moved is followed by passes over its nonzero part until they settle; the solve stops after a
    pass over ``ws`` whose largest distance to the subdifferential (each taken before its coordinate's
    update) is at most ``tol``.  ``lower``, ``upper``: the box (``-inf`` / ``inf`` where open), held by
    every coordinate step (:func:`box_prox`) and every extrapolation.

    Returns ``(dz, change, first, epochs)``: ``dz = X (w_new - w_old)`` (time order), the change of the
    penalty, the largest distance of the first pass (about the working set's KKT violation at the
    start) and the passes taken.
    """
    n, n_ws = grad.shape[0], ws.shape[0]
    r = grad.copy()
    lips = np.full(n_ws, -1.0)  # -1: H x_j not computed yet
    w_old = np.empty(n_ws)
    for k in range(n_ws):
        w_old[k] = w[ws[k]]
    model = (starts, u, diag, own, beta1, beta2, beta3)
    slot = np.empty(n_ws, dtype=np.int64)
    used = 0
    support = np.flatnonzero(w_old != 0.0)
    if support.shape[0] > 0:
        used = _hessian_columns(X, ws, support, model, hx, lips, slot, used)
    single = np.empty(1, dtype=np.int64)
    # the model's value relative to the start, kept exactly: a coordinate step delta with gradient g_j
    # and curvature L changes the quadratic by g_j delta + L delta^2 / 2
    objective = 0.0
    history = np.empty((ANDERSON_K + 1, n_ws))
    n_stored = 0
    first = -1.0
    active_only = False
    epoch = 0
    for epoch in range(1, max_epochs + 1):  # noqa: B007 - returned: the passes it took
        worst = 0.0
        for k in range(n_ws):
            j = ws[k]
            old = w[j]
            if active_only and old == 0.0:
                continue
            g_j = col_dot_plain(X, j, r)
            d_j = box_distance(dist, old, g_j, v[j], params, lower[j], upper[j])
            if not d_j > 0.0:  # (convex penalty: the coordinate is at its minimum)
                continue
            worst = max(worst, d_j)
            if lips[k] < 0.0:
                single[0] = k
                used = _hessian_columns(X, ws, single, model, hx, lips, slot, used)
            if not lips[k] > 0.0:
                continue
            new = box_prox(
                prox, dist, value, old - g_j / lips[k], 1.0 / lips[k], v[j], params, lower[j], upper[j], True
            )
            if new != old:
                delta = new - old
                w[j] = new
                objective += g_j * delta + 0.5 * lips[k] * delta * delta
                objective += value(new, v[j], params.ctypes) - value(old, v[j], params.ctypes)
                row = hx[slot[k]]
                for i in range(n):
                    r[i] += delta * row[i]
        if first < 0.0:
            first = worst
        if worst > tol:
            active_only = True
        elif active_only:
            active_only = False  # the nonzero part settled: sweep ws again
        else:
            break
        # Anderson extrapolation of the last passes (the coupled, ill-conditioned supports of a path's
        # end take tens of plain passes), kept when the model's value goes down
        for k in range(n_ws):
            history[n_stored, k] = w[ws[k]]
        n_stored += 1
        if n_stored == ANDERSON_K + 1:
            n_stored = 0
            extra = anderson_extrapolate(history)
            if extra.shape[0] > 0:
                for k in range(n_ws):
                    extra[k] = min(max(extra[k], lower[ws[k]]), upper[ws[k]])
                trial = _model_at(X, ws, extra, w_old, grad, hx, slot, value, v, params)
                if trial[0] < objective:
                    objective, r = trial[0], trial[1]
                    for k in range(n_ws):
                        w[ws[k]] = extra[k]
    dz = np.zeros(n)
    change = 0.0
    for k in range(n_ws):
        j = ws[k]
        if w[j] != w_old[k]:
            col_axpy(X, j, w_old[k] - w[j], dz)  # dz += (w_j - w_old) x_j
            change += value(w[j], v[j], params.ctypes) - value(w_old[k], v[j], params.ctypes)
    return dz, change, first, epoch


@njit(cache=True, nogil=True, fastmath=FAST)
def _model_at(X, ws, w_ws, w_old, grad, hx, slot, value, v, params):
    """``(q, g + H dz)`` at the coefficients ``w_ws`` of ``ws``: ``q`` the model's value relative to the
    start ``w_old``, ``g^T dz + dz^T H dz / 2 + P(w_ws) - P(w_old)`` with ``dz = X_ws (w_ws - w_old)``.
    A coordinate that never moved has no ``H x_j``: it is at its start in every pass, hence here too."""
    n = grad.shape[0]
    r, dz = grad.copy(), np.zeros(n)
    q = 0.0
    for k in range(ws.shape[0]):
        delta = w_ws[k] - w_old[k]
        if delta != 0.0:
            col_axpy(X, ws[k], -delta, dz)  # dz += delta x_j
            row = hx[slot[k]]
            for i in range(n):
                r[i] += delta * row[i]
            q += value(w_ws[k], v[ws[k]], params.ctypes) - value(w_old[k], v[ws[k]], params.ctypes)
    for i in range(n):
        q += 0.5 * (grad[i] + r[i]) * dz[i]
    return q, r


class RiskSets(Protocol):
    """What this solver asks of a datafit with ``has_risk_sets`` (see ``Cox.risk_set_model``)."""

    def risk_set_model(self, y: np.ndarray, z: np.ndarray, s: np.ndarray) -> tuple | None: ...


class RiskSetNewton(InnerSolver):
    """Exact-Hessian Newton steps' state for one Cox fit: ``w`` and ``z = X w`` (no intercept).

    Parameters
    ----------
    problem : Problem
        A datafit with ``risk_set_model`` and a convex penalty; ``problem.max_iter`` bounds the Newton
        steps as well.
    """

    name = "cox_cd"

    def __init__(self, problem: Problem):
        design, datafit, penalty, s = problem.design, problem.datafit, problem.penalty, problem.s
        n_features = design.shape[1]
        self.design, self.y, self.s = design, problem.y, s
        self.datafit, self.penalty = datafit, penalty
        self.risk_set_model = cast(RiskSets, datafit).risk_set_model  # (why_not checked has_risk_sets)
        self.max_iter = problem.max_iter
        self.certifier = problem.certifier()
        # the absolute KKT violation the certificate asks for
        self.target = problem.tol * self.certifier.violation_scale
        self.kernels = penalty.kernels
        self.v = penalty.penalty_factors(n_features)
        self.params = penalty.params
        self.lower, self.upper = penalty.bounds(n_features)
        self.w, self.b = starting_point(n_features, problem.w0, problem.b0, 0.0, False)
        self.z = design.predict(self.w, 0.0)
        bound = datafit.curvature_bound(problem.y, s)
        self.lips = design.col_sq_norms(bound if bound is not None else datafit.curvature(problem.y, self.z, s))
        self.n_passes = 0
        self._hx = np.empty((0, design.shape[0]))
        self.underflow = False  # set when a risk set underflows the model's sums (proximal Newton goes on)

    def prediction(self) -> np.ndarray:
        return self.z

    def resync(self) -> bool:
        # the running z drifted by rounding along the steps
        exact = linear_predictor(self.design.X, self.w, 0.0)
        if np.any(np.abs(exact - self.z) > self.certifier.residual_rounding(self.w, 0.0, self.z)):
            self.z = exact
            return True
        return False

    @property
    def exhausted(self) -> bool:
        return self.underflow

    def solve_inner(self, ws: np.ndarray, inner_tol: float, objective: float | None, final: bool = False) -> bool:
        # the exact model makes a step's error second order: the inner solve aims at the final tolerance
        # at once (not below a tenth of the outer loop's level, far from the solution)
        tol = max(TARGET_RATIO * self.target, 0.1 * inner_tol)
        if objective is None:
            objective = self.datafit.value(self.y, self.z, self.s) + self.penalty.value(self.w)
        moved = False
        for _ in range(MAX_STEPS_PER_SET):
            step = self._newton_step(objective, ws, tol)
            if step is None:
                break  # no descent, or the model underflows: the certificate reports the state
            self.w, self.z, objective, damped = step
            self.n_passes += 1
            moved = True
            if not damped or self.n_passes >= self.max_iter:
                break  # a full step of the exact model: the certificate says whether it sufficed
        return moved

    def done(self) -> None:
        self.design.remember_prediction(self.w, 0.0, self.z)

    def hessian_rows(self, count: int) -> np.ndarray:
        """Scratch for ``count`` Hessian products ``H x_j``, kept between Newton steps (a new array of
        that size each step costs as much again in page faults as filling it)."""
        if self._hx.shape[0] < count:
            n_samples, n_features = self.design.shape
            self._hx = np.empty((min(max(count, 2 * self._hx.shape[0]), n_features), n_samples))
        return self._hx

    def time_ordered(self, order: np.ndarray) -> Any:
        """``X`` with its rows in the time order, in the kernels' layout: kept by the Design, so a path
        or a CV fold sorts its data once (one more copy of ``X`` in memory)."""
        design = self.design
        return design.memo(("rows in time order", *design.key(order)), lambda: kernel_matrix(design.X[order]))

    def _newton_step(
        self, f_old: float, ws: np.ndarray, tol: float
    ) -> tuple[np.ndarray, np.ndarray, float, bool] | None:
        """One Newton step on ``ws`` with a backtracking line search on the true objective.

        Returns ``(w, z, objective, damped)``, or None when the step does not descend (or the model
        underflows, which sets ``underflow``).
        """
        model = self.risk_set_model(self.y, self.z, self.s)
        if model is None:
            self.underflow = True
            return None
        order, starts, g, u, diag, own, beta1, beta2, beta3 = model
        w, z, penalty = self.w, self.z, self.penalty
        w_new = w.copy()
        dz_sorted, change, _, _ = newton_model_cd(
            self.time_ordered(order),
            ws,
            w_new,
            g,
            starts,
            u,
            diag,
            own,
            beta1,
            beta2,
            beta3,
            self.kernels.prox,
            self.kernels.subdiff_distance,
            self.kernels.value,
            self.v,
            self.params,
            self.lower,
            self.upper,
            tol,
            MAX_EPOCHS,
            self.hessian_rows(ws.shape[0]),
        )
        if not np.any(w_new != w):
            return None
        decrease = float(g @ dz_sorted) + change
        dz = np.empty_like(dz_sorted)
        dz[order] = dz_sorted
        p_old = penalty.value(w)
        step = 1.0
        for _ in range(MAX_BACKTRACK):
            # (a full step keeps the prox's zeros, and its penalty is known)
            w_try = w + step * (w_new - w) if step < 1.0 else w_new
            z_try = z + step * dz
            p_try = penalty.value(w_try) if step < 1.0 else p_old + change
            f_try = self.datafit.value(self.y, z_try, self.s) + p_try
            # near the optimum F is flat to rounding while the KKT certificate still asks for a more
            # accurate w: allow that noise
            if f_try <= f_old + ARMIJO * step * min(decrease, 0.0) + ROUNDING * abs(f_old):
                return w_try, z_try, f_try, step < 1.0
            step *= 0.5
        return None


class CoxCD(Solver):
    """``solver="cox_cd"``: the Cox partial likelihood (a datafit with risk sets), any convex penalty.

    Minimizes ``D(X w) + P(w)`` by Newton steps with the exact Hessian, each solved by coordinate
    descent on the working set; ``max_iter`` counts Newton steps.  ``"auto"`` takes it for every datafit
    that has risk sets (``has_risk_sets``) under a convex penalty.
    """

    name = "cox_cd"

    def why_not(self, layout: Layout, datafit: Datafit, penalty: Penalty) -> str | None:
        if not datafit.has_risk_sets:
            return (
                f"solver='cox_cd' needs a datafit with risk sets (the Cox partial likelihood), not "
                f"{type(datafit).__name__}; use solver='prox_newton'."
            )
        if not penalty.is_convex:
            return (
                "solver='cox_cd' takes convex penalties only (it skips the coordinates whose zero is optimal, "
                f"which needs convexity), not {type(penalty).__name__}; use solver='prox_newton'."
            )
        return None

    def solve(self, problem: Problem) -> FitResult:
        inner = RiskSetNewton(problem)
        result = fit_working_set(
            inner, problem.penalty, problem.tol, problem.max_iter, problem.strong, problem.warm_grad
        )
        if inner.underflow:
            # risk sets more than 1e150 below the largest risk: proximal Newton's log-space sums go on
            return PROX_NEWTON.solve(problem.continued_from(result))
        return result


COX_CD = CoxCD()
