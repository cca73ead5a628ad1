"""Working-set proximal Newton for smooth non-quadratic datafits (the logistic loss).

The outer loop (certificate, working set) is :func:`._working_set.fit_working_set`'s; this module gives
it the inner solve: Newton steps on the working set (Newton model, inner coordinate descent, line search).

At ``z = X w + b`` the datafit is replaced by its second-order model
``sum_i g_i dz_i + 1/2 h_i dz_i^2`` (``g``: ``dD/dz``, ``h``: ``d^2D/dz^2``), which is the weighted least
squares problem ``1/2 sum_i h_i (t_i - x_i w' - b')^2`` with working response ``t = z - g / h``
(IRLS, as glmnet).  The same coordinate-descent kernel as the squared loss solves it on the working set,
and a backtracking line search on the true objective (Armijo rule of Tseng and Yun, 2009) makes each
outer step a descent step.
"""

from __future__ import annotations

import numpy as np

from ..datafits.base import Datafit
from ..penalties.base import Penalty
from . import _cd_kernels as kern
from ._common import FitResult, prox_pieces, starting_point
from ._working_set import ANDERSON_K, InnerSolver, fit_working_set
from .base import Layout, Problem, Solver

MAX_EPOCHS = 1_000
#: the Newton model's inner solves stop on their largest distance alone (no Fenchel-Young target)
NO_RIDGE = np.zeros(0)
ARMIJO = 1e-4
MAX_BACKTRACK = 40
ROUNDING = 4 * np.finfo(np.float64).eps
#: Newton steps on one working set between two certificates
MAX_STEPS_PER_SET = 10
#: inexact Newton: a step's coordinate descent stops once its largest step is this fraction of its first
#: pass's (or at the inner tolerance, whichever is larger).  Far from the optimum the model is rough and
#: solving it finely wastes passes (measured on the L1-logistic path, 500 x 5000: the first step of a
#: fine inner solve took 68 passes, 9 with the forcing, for the same objective after three steps)
FORCING = 0.1
#: on a solve asked for the certificate's accuracy at once (``final``) the steps go on until one lowers
#: the objective by this fraction of the certificate's threshold: the gap is first order in the scores,
#: the decrease second order, so a decrease below the threshold still left gaps 3-15x above it
FINAL_DECREASE = 0.01


class NewtonSteps(InnerSolver):
    """Proximal Newton's state for one fit: ``(w, b)`` and the linear predictor ``z = X w + b``.

    Parameters
    ----------
    problem : Problem
        Any datafit with a curvature; ``problem.max_iter`` bounds the Newton steps as well.
    """

    name = "prox_newton"
    # a Newton step on the working set costs little beside a certificate's pass over X and the steps that
    # follow a failed one (measured on the L1-logistic path, 500 x 5000, working sets of 10-14% of the
    # features: 20% faster than at 0.1, one certificate per alpha instead of about 2.5)
    final_share = 0.2

    def __init__(self, problem: Problem):
        design, datafit, penalty, s = problem.design, problem.datafit, problem.penalty, problem.s
        n_samples, n_features = design.shape
        self.design, self.y, self.s = design, problem.y, s
        self.datafit, self.penalty = datafit, penalty
        self.fit_intercept, self.max_iter = problem.fit_intercept, problem.max_iter
        self.certifier = problem.certifier()
        self.kernels = penalty.kernels
        self.v = penalty.penalty_factors(n_features)
        self.params = penalty.params
        self.lower, self.upper = penalty.bounds(n_features)
        self.pieces = prox_pieces(penalty, n_features)
        self.convex = penalty.is_convex
        # curvature floor: far-off samples (sigma(z)(1 - sigma(z)) ~ 0) must not make -g / h overflow
        self.h_floor = 1e-12 * s / n_samples
        self.w, self.b = starting_point(
            n_features, problem.w0, problem.b0, self.certifier.b_null, problem.fit_intercept
        )
        self.z = design.predict(self.w, self.b)
        if problem.predicted is not None and problem.w0 is not None:
            self._start_at(*problem.predicted)
        self.bound = datafit.curvature_bound(problem.y, s)
        self._lips: np.ndarray | None = None
        self.n_passes = 0
        self.majorize = False  # set once a Newton step fails to descend (see solve_inner)

    def _start_at(self, support: np.ndarray, values: np.ndarray, b: float) -> None:
        """Move to a path's predicted start (``w[support] = values``, intercept ``b``; ``w`` is the last
        fit's solution, zero off ``support``) when the objective is lower there (see
        ``ResidualCD._start_at``; on the L1-logistic path 10% fewer Newton steps)."""
        last = self.w[support]
        z = self.z + kern.subset_product(self.design.kernel, support, values - last, float(b - self.b), self.z.shape[0])
        before = self.datafit.value(self.y, self.z, self.s) + self.penalty.value(self.w, support)
        self.w[support] = values  # (self.w is starting_point's copy of the warm start)
        if self.datafit.value(self.y, z, self.s) + self.penalty.value(self.w, support) < before:
            self.z, self.b = z, float(b)
        else:
            self.w[support] = last

    @property
    def lips(self) -> np.ndarray:  # type: ignore[override]
        """Coordinate curvatures, the scale of non-convex fits' scores: computed on first use (convex fits
        never ask, and with an unbounded curvature each fit would pay a pass over X for them)."""
        if self._lips is None:
            bound = self.bound if self.bound is not None else self.datafit.curvature(self.y, self.z, self.s)
            self._lips = self.design.col_sq_norms(bound)
        return self._lips

    def prediction(self) -> np.ndarray:
        return self.z

    def resync(self) -> bool:
        # the running z drifted by rounding along the line searches
        exact = self.design.linear(self.w, self.b)
        if np.any(np.abs(exact - self.z) > self.certifier.residual_rounding(self.w, self.b, self.z)):
            self.z = exact
            return True
        return False

    def solve_inner(self, ws: np.ndarray, inner_tol: float, objective: float | None, final: bool = False) -> bool:
        # Newton steps on the working set, as glmnet does on its active set: while a step still decreases
        # the objective by more than the gap allowed, the next one follows without a certificate (each
        # costs a full gradient); the certificate checks the features outside ws
        enough = self.certifier.threshold * (FINAL_DECREASE if final else 1.0)
        if objective is None:
            objective = self.datafit.value(self.y, self.z, self.s) + self.penalty.value(self.w)
        moved = False
        for _ in range(MAX_STEPS_PER_SET):
            step = self._newton_step(objective, ws, inner_tol, self.majorize)
            if step is None and not self.majorize:
                # no descent along the Newton direction.  With a non-convex prox the model's curvature
                # (below the global bound) makes coordinate steps long enough to jump to another branch;
                # the model with the curvature bound majorizes the datafit instead, so minimizing it
                # descends unless (w, b) is a fixed point: the fit goes on with such steps
                self.majorize = True
                step = self._newton_step(objective, ws, inner_tol, True)
            if step is None:
                break  # the certificate reports the state
            self.w, self.b, self.z, objective, decrease = step
            self.n_passes += 1
            moved = True
            if decrease <= enough or self.n_passes >= self.max_iter:
                break
        return moved

    def done(self) -> None:
        self.design.remember_prediction(self.w, self.b, self.z)

    def _newton_step(
        self, f_old: float, ws: np.ndarray, inner_tol: float, majorize: bool = False
    ) -> tuple[np.ndarray, float, np.ndarray, float, float] | None:
        """One proximal Newton step on ``ws`` with a backtracking line search on the true objective.

        ``majorize``: the model takes the datafit's curvature bound instead of its curvature (a
        majorization-minimization step).  Returns ``(w, b, z, objective, decrease)`` (``decrease``: how
        much the objective went down), or None when no step along the direction descends.
        """
        y, s, z, w, b = self.y, self.s, self.z, self.w, self.b
        datafit, penalty, kernels, design = self.datafit, self.penalty, self.kernels, self.design
        # the Newton model: weighted least squares with working response t, residual r = t - z
        g = datafit.raw_grad(y, z, s)
        # (a datafit with unbounded curvature has no majorizing model: its steps stay Newton steps)
        curvature = self.bound if majorize and self.bound is not None else datafit.curvature(y, z, s)
        h = np.where(s > 0, np.maximum(curvature, self.h_floor), 0.0)
        r = np.divide(-g, h, out=np.zeros_like(g), where=h > 0)
        t = z + r
        means, sums, lips = kern.coordinate_moments(design.kernel, h, design.shape[1], self.fit_intercept, ws)
        w_new = w.copy()
        b_new, _ = kern.solve_subproblem(
            design.kernel,
            t,
            h,
            w_new,
            b,
            r,
            lips,
            ws,
            kernels.prox,
            kernels.subdiff_distance,
            kernels.value,
            self.v,
            self.params,
            self.lower,
            self.upper,
            self.convex,
            self.fit_intercept,
            inner_tol,
            MAX_EPOCHS,
            ANDERSON_K,
            means,
            sums,
            NO_RIDGE,
            0.0,
            self.pieces,
            FORCING,
        )
        dz = (t - r) - z  # X (w_new - w) + (b_new - b)

        p_old = penalty.value(w)
        decrease = float(g @ dz) + penalty.value(w_new) - p_old
        step = 1.0
        for _ in range(MAX_BACKTRACK):
            w_try = w + step * (w_new - w)
            z_try = z + step * dz
            f_try = datafit.value(y, z_try, s) + penalty.value(w_try)
            # near the optimum F is flat to rounding while the dual certificate still needs a more
            # accurate w (it is first order in the error, F is second order): allow that noise
            if f_try <= f_old + ARMIJO * step * min(decrease, 0.0) + ROUNDING * abs(f_old):
                break
            step *= 0.5
        else:
            return None
        if step == 1.0:
            w_try, z_try = w_new, z + dz  # keep the exact zeros of the prox step
        return w_try, b + step * (b_new - b), z_try, f_try, f_old - f_try


class ProxNewton(Solver):
    """``solver="prox_newton"``: any twice differentiable datafit (``Datafit.curvature``), any penalty.

    Minimizes ``D(X w + b) + P(w)``; ``max_iter`` counts Newton steps.  ``"auto"`` takes it for the
    datafits the squared-loss solvers do not handle.
    """

    name = "prox_newton"

    def why_not(self, layout: Layout, datafit: Datafit, penalty: Penalty) -> str | None:
        return None  # every datafit gives its curvature, which is all the Newton model needs

    def solve(self, problem: Problem) -> FitResult:
        return fit_working_set(
            NewtonSteps(problem), problem.penalty, problem.tol, problem.max_iter, problem.strong, problem.warm_grad
        )


PROX_NEWTON = ProxNewton()
