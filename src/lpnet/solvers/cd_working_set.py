"""Working-set coordinate descent for the squared loss with any separable penalty.

The outer loop (certificate, gap-safe screening, working set) is :func:`._working_set.fit_working_set`'s;
this module gives it the inner solve: cyclic coordinate descent with Anderson extrapolation on the
working set (numba kernels in ``_cd_kernels``), which keeps the residual ``r = y - X w - b`` up to date.
For penalties with a kink at zero (L1, Elastic Net) the certificate's dual point proves features zero
(:func:`lpnet.certificates.gap_safe_zeros`, a property of the squared loss's dual).

Coordinate descent crawls on a few problems (many more features than samples and a penalty flat at zero,
p > 2, near interpolation); past a budget of passes the fit goes on with FISTA, whose full-gradient steps
do far better there.
"""

from __future__ import annotations

import numpy as np

from ..certificates import Certificate, gap_safe_zeros
from ..datafits.base import Datafit
from ..penalties.base import Penalty
from . import _cd_kernels as kern
from ._common import FitResult, starting_point
from ._design import linear_predictor
from ._working_set import ANDERSON_K, InnerSolver, fit_working_set
from .base import Layout, Problem, Solver
from .prox_grad import FISTA

MAX_EPOCHS = 10_000
#: passes over the working set for a whole fit; past this budget the fit returns unconverged and
#: :class:`WorkingSetCD` goes on with FISTA
MAX_PASSES = 20_000


class ResidualCD(InnerSolver):
    """Coordinate descent's state for one fit: ``(w, b)`` and the residual ``r = y - X w - b``.

    Parameters
    ----------
    problem : Problem
        Squared loss (``problem.datafit.is_quadratic``).
    """

    name = "cd"

    def __init__(self, problem: Problem):
        design, penalty, s = problem.design, problem.penalty, problem.s
        n_samples, n_features = design.shape
        self.design, self.y, self.fit_intercept = design, problem.y, problem.fit_intercept
        self.certifier = problem.certifier()
        self.kernels = penalty.kernels
        self.v = penalty.penalty_factors(n_features)
        self.params = penalty.params
        self.lower, self.upper = penalty.bounds(n_features)
        self.convex = penalty.is_convex
        self.h = s / n_samples
        self.means, self.sums, self.lips = design.coordinate_stats(self.h, problem.fit_intercept)
        # screening needs a kink at zero: tau_j > 0 somewhere (convex penalties only), and a duality gap.  A
        # box that holds 0 keeps the test valid (at 0 the box only widens dP_j(0) on a closed side, so
        # |x_j^T theta*| < tau_j still forces w_j = 0); a box that excludes 0 never screens its feature
        screens = penalty.is_convex and self.certifier.convex
        tau = penalty.zero_threshold(n_features) if screens else np.zeros(n_features)
        self.tau = np.where((self.lower <= 0.0) & (0.0 <= self.upper), tau, 0.0)
        self.w, self.b = starting_point(
            n_features, problem.w0, problem.b0, self.certifier.b_null, problem.fit_intercept
        )
        self.r = problem.y - design.predict(self.w, self.b)
        self.n_passes = 0

    def prediction(self) -> np.ndarray:
        return self.y - self.r

    def resync(self) -> bool:
        exact = self.y - linear_predictor(self.design.X, self.w, self.b)
        if np.any(np.abs(exact - self.r) > self.certifier.residual_rounding(self.w, self.b, self.y - self.r)):
            self.r = exact
            return True
        return False

    def proved_zeros(self, cert: Certificate) -> np.ndarray | None:
        if not self.tau.any():
            return None
        assert cert.dual_xt is not None and cert.gap is not None  # convex: a gap and its dual point
        return gap_safe_zeros(cert.dual_xt, cert.gap, self.tau, self.lips)

    def set_zero(self, features: np.ndarray) -> None:
        self.r += self.design.X[:, np.flatnonzero(features)] @ self.w[features]
        self.w[features] = 0.0

    def solve_inner(self, ws: np.ndarray, inner_tol: float, objective: float | None) -> bool:
        kernels = self.kernels
        # the kernel's module attribute is looked up per call, so a profiler can wrap it
        self.b, epochs = kern.solve_subproblem(
            self.design.kernel,
            self.y,
            self.h,
            self.w,
            self.b,
            self.r,
            self.lips,
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
            min(MAX_EPOCHS, MAX_PASSES - self.n_passes),
            ANDERSON_K,
            self.means,
            self.sums,
        )
        self.n_passes += epochs
        return True  # the kernel re-centres the intercept first: r always changes

    @property
    def exhausted(self) -> bool:
        return self.n_passes >= MAX_PASSES

    def done(self) -> None:
        self.design.remember_prediction(self.w, self.b, self.y - self.r)


class WorkingSetCD(Solver):
    """``solver="cd"``: the squared loss with any penalty, dense or sparse data.

    Minimizes ``1/(2n) sum_i s_i (y_i - x_i w - b)^2 + P(w)``; ``max_iter`` counts outer (working-set)
    iterations, each ending with a certificate.  Non-convex fits also stop only at a fixed point of
    every coordinate's prox step.
    """

    name = "cd"

    def why_not(self, layout: Layout, datafit: Datafit, penalty: Penalty) -> str | None:
        if not datafit.is_quadratic:
            return "solver='cd' handles the squared loss; use 'prox_newton' for other datafits."
        return None

    def solve(self, problem: Problem) -> FitResult:
        result = fit_working_set(
            ResidualCD(problem), problem.penalty, problem.tol, problem.max_iter, problem.strong, problem.warm_grad
        )
        if result.budget_exhausted and problem.penalty.is_convex:  # crawling: the full gradient does better
            passes = result.n_iter
            result = FISTA.solve(problem.continued_from(result))
            result.n_iter += passes
        return result


CD = WorkingSetCD()
