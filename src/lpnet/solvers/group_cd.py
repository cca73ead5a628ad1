"""Block coordinate descent over groups, with working sets and gap-safe group screening.

Solves ``D(X w + b) + P(w)`` for the sparse-group penalty (:class:`~lpnet.penalties.SparseGroup`) and any
scalar datafit.  The outer loop is celer's and the other working-set solvers': certificate, screening,
working set, inner solve.  The inner solve is proximal Newton on the working set's groups: at
``z = X w + b`` the datafit is replaced by its second-order model, the weighted least squares problem
``1/2 sum_i h_i (t_i - x_i w' - b')^2`` with ``t = z - g / h`` (``g``, ``h``: the datafit's first and
second derivatives in ``z``), which block coordinate descent solves, followed by a backtracking line
search on the true objective (Tseng & Yun's Armijo rule).  For the squared loss the model is the datafit
itself: one inner solve per working set, no line search needed.

Each block step is a proximal gradient step on one group ``g`` with the block's Lipschitz constant
``L_g = lambda_max(Xc_g^T H Xc_g)``: ``w_g <- prox_{P_g / L_g}(w_g - grad_g / L_g)`` (the block prox is
soft-thresholding followed by group shrinkage; with a box on the coefficients, the exact block prox over
the box, :func:`~lpnet.penalties.groups.box_block_prox`).  The intercept is eliminated from the model: the
working-set columns are centred in the metric ``H``, so every block step keeps the intercept optimal.  A
box leaves the intercept free; the starting point is projected into it, and the line search moves along
segments between points of the box.

Screening (Ndiaye, Fercoq, Gramfort & Salmon 2016): when the datafit's curvature is bounded by ``beta_i``
(squared, logistic, Huber) its dual is strongly concave, ``||theta - theta*||_{1/beta} <= sqrt(2 G)``
for the certificate's dual point ``theta`` and gap ``G``.  Hence
``||X_g^T (theta - theta*)||_2 <= sqrt(2 G R_g)`` with ``R_g = lambda_max(Xc_g^T B Xc_g)``, and soft
thresholding being 1-Lipschitz, ``||ST(X_g^T theta, lam1)||_2 + sqrt(2 G R_g) < lam2`` proves that
``X_g^T theta*`` is strictly inside the group's dual ball: ``w_g = 0`` at every optimum.  It needs a
duality gap, and a box only where it contains 0 (a bounded group penalty is certified by its optimality
violation, so bounded fits are not screened).
"""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp
from numba import njit

from ..certificates import SAFE_MARGIN
from ..datafits.base import Datafit
from ..penalties.base import Penalty
from ..penalties.groups import SparseGroup, block_prox, box_block_prox
from ._common import FitResult, measure, starting_point
from ._design import linear_predictor
from .base import Layout, Problem, Solver

#: the inner solve goes down to this fraction of the largest group score
INNER_RATIO = 0.3
#: block coordinate-descent epochs per inner solve
MAX_EPOCHS = 1_000
#: Newton steps on one working set between two certificates (non-quadratic datafits)
MAX_STEPS_PER_SET = 10
#: the smallest working set, in groups
MIN_GROUPS = 10
ARMIJO = 1e-4
MAX_BACKTRACK = 40
ROUNDING = 4 * np.finfo(np.float64).eps


@njit(cache=True, nogil=True)
def block_cd(Xc, h, r, w, gptr, lam1, lam2, lips, tol, max_epochs, lower, upper, boxed):
    """Block coordinate descent on ``1/2 sum_i h_i r_i^2 + sum_g P_g(w_g)``, ``r`` the model's residual.

    ``Xc`` (Fortran-ordered) holds the working set's columns, centred in the metric ``h`` when the model
    has an intercept, group after group (``gptr``: the groups' boundaries).  ``w`` and ``r`` are updated
    in place; with ``boxed`` it stays in ``[lower, upper]`` (the bounds of the working set's columns).
    Stops when every block's step ``L_g ||w_g^+ - w_g||`` (the prox-gradient mapping, in the units of the
    gradient) is at most ``tol``; returns the number of epochs.
    """
    n = Xc.shape[0]
    n_groups = gptr.shape[0] - 1
    for epoch in range(max_epochs):
        worst = 0.0
        for g in range(n_groups):
            lo = gptr[g]
            hi = gptr[g + 1]
            L = lips[g]
            if L <= 0.0:
                continue  # columns that are zero in the metric h: nothing to fit
            u = np.empty(hi - lo)
            for k in range(hi - lo):
                grad = 0.0
                for i in range(n):
                    grad -= Xc[i, lo + k] * h[i] * r[i]
                u[k] = w[lo + k] - grad / L
            if boxed:
                new = box_block_prox(u, lam1[g] / L, lam2[g] / L, lower[lo:hi], upper[lo:hi])
            else:
                new = block_prox(u, lam1[g] / L, lam2[g] / L)
            change = 0.0
            for k in range(hi - lo):
                d = new[k] - w[lo + k]
                if d != 0.0:
                    for i in range(n):
                        r[i] -= Xc[i, lo + k] * d
                    w[lo + k] = new[k]
                    change += d * d
            worst = max(worst, L * math.sqrt(change))
        if worst <= tol:
            return epoch + 1
    return max_epochs


def _dense_columns(X, cols: np.ndarray) -> np.ndarray:
    sub = X[:, cols]
    sub = sub.toarray() if sp.issparse(sub) else sub
    return np.asfortranarray(sub, dtype=np.float64)


def _block_lipschitz(Xc: np.ndarray, h: np.ndarray, gptr: np.ndarray) -> np.ndarray:
    """``lambda_max(Xc_g^T diag(h) Xc_g)`` per group of the columns of ``Xc``."""
    root = np.sqrt(h)
    out = np.empty(gptr.shape[0] - 1)
    for g in range(out.shape[0]):
        block = Xc[:, gptr[g] : gptr[g + 1]] * root[:, None]
        if block.shape[1] == 1:
            out[g] = float(block[:, 0] @ block[:, 0])
        else:
            out[g] = float(np.linalg.eigvalsh(block.T @ block)[-1])
    return out


class GroupState:
    """One fit's iterate ``(w, b)``, its linear predictor and the group layout."""

    def __init__(self, problem: Problem):
        penalty = problem.penalty
        assert isinstance(penalty, SparseGroup)  # why_not sends only group penalties here
        design, s = problem.design, problem.s
        n_features = design.shape[1]
        penalty.penalty_factors(n_features)  # raises when the groups do not cover X's columns
        self.penalty, self.design = penalty, design
        self.X, self.y, self.s, self.datafit = design.X, problem.y, s, problem.datafit
        self.fit_intercept = problem.fit_intercept
        self.certifier = problem.certifier()
        self.w, self.b = starting_point(n_features, problem.w0, problem.b0, self.certifier.b_null, self.fit_intercept)
        self.boxed = penalty.is_bounded
        self.lower, self.upper = penalty.bounds(n_features)
        self.w = penalty.project(self.w)  # (the intercept has no box)
        if problem.b0 is None and self.fit_intercept and not self.w.any():
            # (a start at w = 0, e.g. a box's point closest to 0, takes the best constant: with every group
            # at zero the working set would be empty and never move the intercept)
            self.b = self.certifier.b_null
        self.z = design.predict(self.w, self.b)
        self.members = penalty.group_members()
        self.lam1, self.lam2 = penalty.group_levels()
        self.free = ~penalty.group_penalized()
        # screening proves w_g = 0: only where 0 is in the group's box
        inside = (self.lower <= 0.0) & (self.upper >= 0.0)
        self.zero_in_box = np.array([bool(inside[m].all()) for m in self.members])
        self.h_floor = 1e-12 * s / s.shape[0]
        self.n_passes = 0
        self._screen_lips: np.ndarray | None = None

    # ----------------------------------------------------------------- screening
    def screening_lipschitz(self) -> np.ndarray | None:
        """Per group ``R_g`` of the screening ball (module docstring), or None without a curvature bound."""
        if self._screen_lips is None:
            bound = self.datafit.curvature_bound(self.y, self.s)
            if bound is None:
                return None

            def compute() -> np.ndarray:
                cols = np.concatenate(self.members)
                Xc = _dense_columns(self.X, cols)
                if self.fit_intercept and bound.sum() > 0:
                    Xc -= (bound @ Xc) / bound.sum()
                gptr = np.concatenate(([0], np.cumsum([m.size for m in self.members]))).astype(np.int64)
                return _block_lipschitz(Xc, bound, gptr)

            key = self.design.key("group_screen_lips", bound, self.penalty.codes, self.fit_intercept)
            self._screen_lips = self.design.memo(key, compute)
        return self._screen_lips

    def set_zero(self, groups: np.ndarray) -> None:
        """``w_g = 0`` on the given groups, keeping ``z`` exact."""
        for g in np.flatnonzero(groups):
            self.w[self.members[g]] = 0.0
        self.z = linear_predictor(self.X, self.w, self.b)

    # ----------------------------------------------------------------- the inner solve
    def objective(self, w: np.ndarray, z: np.ndarray) -> float:
        return self.datafit.value(self.y, z, self.s) + self.penalty.value(w)

    def newton_step(self, ws: np.ndarray, inner_tol: float, f_old: float) -> float | None:
        """One (proximal) Newton step on the groups ``ws``; the objective after it, or None without descent."""
        y, s, z, datafit = self.y, self.s, self.z, self.datafit
        g = datafit.raw_grad(y, z, s)
        h = np.where(s > 0, np.maximum(datafit.curvature(y, z, s), self.h_floor), 0.0)
        r = np.divide(-g, h, out=np.zeros_like(g), where=h > 0)  # t - z
        cols = np.concatenate([self.members[k] for k in ws])
        gptr = np.concatenate(([0], np.cumsum([self.members[k].size for k in ws]))).astype(np.int64)
        Xc = _dense_columns(self.X, cols)
        shift = 0.0
        means = np.zeros(cols.size)
        if self.fit_intercept and h.sum() > 0:
            means = (h @ Xc) / h.sum()
            Xc -= means
            shift = float(h @ r) / float(h.sum())  # the intercept's own Newton step
            r = r - shift
        lips = _block_lipschitz(Xc, h, gptr)
        w_ws = self.w[cols].copy()
        r_new = r.copy()
        self.n_passes += block_cd(
            Xc,
            h,
            r_new,
            w_ws,
            gptr,
            self.lam1[ws],
            self.lam2[ws],
            lips,
            inner_tol,
            MAX_EPOCHS,
            self.lower[cols],
            self.upper[cols],
            self.boxed,
        )
        # X_ws (w_ws - w) + db, with db = shift - means . delta: the centred columns carry the means
        dz = (r - r_new) + shift
        w_new = self.w.copy()
        w_new[cols] = w_ws
        b_new = self.b + shift - float(means @ (w_ws - self.w[cols]))
        if datafit.is_quadratic:  # the model is the datafit: no line search
            self.w, self.b, self.z = w_new, b_new, z + dz
            return self.objective(self.w, self.z)
        p_old = self.penalty.value(self.w)
        decrease = float(g @ dz) + self.penalty.value(w_new) - p_old
        step = 1.0
        for _ in range(MAX_BACKTRACK):
            w_try = self.w + step * (w_new - self.w)
            z_try = z + step * dz
            f_try = self.objective(w_try, z_try)
            if f_try <= f_old + ARMIJO * step * min(decrease, 0.0) + ROUNDING * abs(f_old):
                break
            step *= 0.5
        else:
            return None
        if step == 1.0:
            w_try = w_new  # keep the exact zeros of the prox step
        self.w, self.b, self.z = w_try, self.b + step * (b_new - self.b), z_try
        return f_try

    def solve_inner(self, ws: np.ndarray, inner_tol: float, f_old: float) -> None:
        steps = 1 if self.datafit.is_quadratic else MAX_STEPS_PER_SET
        for _ in range(steps):
            f_new = self.newton_step(ws, inner_tol, f_old)
            if f_new is None or f_old - f_new <= self.certifier.threshold:
                break
            f_old = f_new


def solve_group_cd(problem: Problem) -> FitResult:
    """Working-set block coordinate descent (see the module docstring); certified like every solver."""
    state = GroupState(problem)
    penalty, certifier = state.penalty, state.certifier
    n_groups = penalty.n_groups
    screened = np.zeros(n_groups, dtype=bool)
    history: list[float] = []
    ws_size = 0
    fresh = True
    can_screen = penalty.l1_ratio < 1.0 and state.datafit.has_dual
    for it in range(problem.max_iter + 1):
        cert = certifier.check(state.w, state.b, state.z)
        history.append(measure(cert))
        if cert.converged and not fresh:
            # the running z drifts by rounding: the certificate must describe (w, b) themselves
            fresh = True
            exact = linear_predictor(state.X, state.w, state.b)
            if np.any(np.abs(exact - state.z) > certifier.residual_rounding(state.w, state.b, state.z)):
                state.z = exact
                cert = certifier.check(state.w, state.b, state.z)
                history[-1] = measure(cert)
        if cert.converged or it == problem.max_iter or (cert.unresolvable and it >= 2):
            break
        scores = penalty.group_distance(state.w, cert.grad)
        if can_screen and cert.gap is not None and cert.dual_xt is not None:
            lips = state.screening_lipschitz()
            if lips is not None:
                radius = np.sqrt(2.0 * max(cert.gap, 0.0) * lips)
                proved = penalty.group_excess(cert.dual_xt) + radius < -SAFE_MARGIN * state.lam2
                proved &= ~state.free & state.zero_in_box
                new = proved & ~screened
                screened |= proved
                if new.any():
                    nonzero = np.array([np.any(state.w[state.members[k]] != 0) for k in np.flatnonzero(new)])
                    if nonzero.any():
                        state.set_zero(new)
                        fresh = True
        scores = np.where(screened, 0.0, scores)
        ws, ws_size = _working_set(state, scores, screened, ws_size)
        if ws.size == 0:
            break
        inner_tol = INNER_RATIO * float(scores.max(initial=0.0))
        state.solve_inner(ws, inner_tol, cert.objective)
        fresh = False
    state.design.remember_prediction(state.w, state.b, state.z)
    return FitResult(
        coef=state.w,
        intercept=float(state.b),
        n_iter=state.n_passes,
        objective=cert.objective,
        dual_gap=cert.gap,
        optimality_violation=cert.violation,
        converged=bool(cert.converged),
        solver=GROUP_CD.name,
        history=history,
        grad=cert.grad,
        n_screened=int(sum(state.members[k].size for k in np.flatnonzero(screened))),
        n_outer=len(history),
        gap_floor=cert.floor,
    )


def _working_set(state: GroupState, scores: np.ndarray, screened: np.ndarray, previous: int) -> tuple[np.ndarray, int]:
    """The groups with a nonzero coefficient, the unpenalized ones and the best-scored others; the size at
    least doubles the number of nonzero groups."""
    nonzero = np.array([np.any(state.w[m] != 0) for m in state.members])
    keep = nonzero | state.free
    n_groups = scores.shape[0]
    size = min(n_groups, max(MIN_GROUPS, 2 * int(nonzero.sum()), previous))
    ranked = np.where(keep, np.inf, np.where(screened, -np.inf, scores))
    top = np.argpartition(-ranked, size - 1)[:size] if size < n_groups else np.arange(n_groups)
    chosen = np.zeros(n_groups, dtype=bool)
    chosen[top] = True
    chosen &= (ranked > 0) | keep
    return np.flatnonzero(chosen | keep).astype(np.int64), size


class GroupCD(Solver):
    """``solver="group_cd"``: the sparse-group penalty (group lasso, sparse-group lasso), with or without a
    box on the coefficients, with any scalar datafit but Cox's; ``max_iter`` counts outer iterations
    (certificates)."""

    name = "group_cd"

    def why_not(self, layout: Layout, datafit: Datafit, penalty: Penalty) -> str | None:
        if not isinstance(penalty, SparseGroup):
            return (
                f"solver='group_cd' fits the group penalties (lpnet.penalties.SparseGroup), not "
                f"{type(penalty).__name__}; use solver='auto'."
            )
        if datafit.has_risk_sets:
            return (
                "the group penalties are not available with the Cox partial likelihood yet (its Hessian "
                "couples the samples of a risk set); use a separable penalty with CoxRegression."
            )
        return None

    def solve(self, problem: Problem) -> FitResult:
        return solve_group_cd(problem)


GROUP_CD = GroupCD()


def is_grouped(penalty: Penalty) -> bool:
    """Whether ``penalty`` couples the coordinates of groups (then only ``group_cd`` fits it)."""
    return isinstance(penalty, SparseGroup)


def refuse_groups(solver: Solver, penalty: Penalty) -> str | None:
    """Why a solver other than ``group_cd`` cannot take ``penalty`` (a group penalty), else None."""
    if is_grouped(penalty) and solver is not GROUP_CD:
        return (
            f"solver={solver.name!r} takes penalties that are separable over the coordinates; "
            f"{penalty.label} couples the coordinates of a group: use solver='group_cd' (or 'auto')."
        )
    return None
