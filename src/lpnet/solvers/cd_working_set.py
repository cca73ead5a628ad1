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

from collections.abc import Callable

import numpy as np

from ..certificates import Certificate, gap_safe_zeros
from ..datafits.base import Datafit
from ..penalties.base import Penalty
from . import _cd_kernels as kern
from ._common import FitResult, prox_pieces, starting_point
from ._working_set import ANDERSON_K, InnerSolver, fit_working_set
from .base import Layout, Problem, Solver
from .prox_grad import FISTA
from .support_newton import SupportGram, support_step

MAX_EPOCHS = 10_000
#: passes over the working set for a whole fit; past this budget the fit returns unconverged and
#: :class:`WorkingSetCD` goes on with FISTA
MAX_PASSES = 20_000
#: face steps only for certificates this tight or tighter: coordinate descent converges linearly, so the
#: passes a step saves grow with the accuracy asked for (measured on the Toeplitz Lasso path: steps 20%
#: faster at tol 1e-5, 10% slower at 1e-4, the tolerance of a CV's fold paths)
STEP_TOL = 1e-5
#: with face steps, a path's first solve aims at the final accuracy on working sets up to this share of
#: the features (``InnerSolver.final_share``): all of them
FACE_FINAL_SHARE = 1.0
#: an Elastic Net inner solve stops once its working set's Fenchel-Young bound of the gap is under this
#: share of the threshold (the rest is left to features outside the working set, which it cannot see).
#: Measured at 0.25: ElasticNetCV's Toeplitz fold paths (tol 1e-4) took 926 passes for the three
#: l1_ratios against 2092 on the bound of sufficient_tol alone (755 at 0.5, 1230 at 0.1), still one
#: certificate per alpha; the tf-idf path (tol 1e-6) up to three more certificates on a seed at 0.5, at
#: most one at 0.25.  At 0.4 against 0.25 (alternating rounds, three seeds): ElasticNetCV 3-12% faster (at
#: 0.5 from 15% faster to 2% slower), the Toeplitz Elastic Net path 1-3% faster with 6% fewer passes, the
#: tf-idf path the same, the Toeplitz and sparse Elastic Net at a_max/100 1-11% faster, the sparse one at
#: a_max/10 0-5% slower
FY_MARGIN = 0.4
#: Anderson extrapolation over this many passes of the squared loss's coordinate descent (proximal Newton's
#: inner solves keep ``ANDERSON_K``).  Measured against 5, in passes and alternating runs: LassoCV's
#: Toeplitz fold paths 13% fewer passes and 3-10% less time; the Toeplitz Lasso at a_max/100 22% and 7%
#: fewer passes on two seeds, 10-14% less time on the first; the Toeplitz Elastic Net at a_max/100 and the
#: Toeplitz Lasso path the same time; the sparse Lasso at a_max/100 6% more passes (3-7% slower); the
#: tf-idf path unchanged.  At 2 the Lasso path was 6% slower (an extrapolation costs about half a pass: its
#: residual and two objectives); on the L1-logistic path proximal Newton's inner solves took more
#: certificates at 2 or 3.  A penalty differentiable at zero (L2, Lp with p > 1) keeps ``ANDERSON_K`` (see
#: ``ResidualCD._set_penalty``)
CD_ANDERSON_K = 3


class ResidualCD(InnerSolver):
    """Coordinate descent's state for one fit: ``(w, b)`` and the residual ``r = y - X w - b``.

    Parameters
    ----------
    problem : Problem
        Squared loss (``problem.datafit.is_quadratic``).
    """

    name = "cd"

    def __init__(self, problem: Problem):
        design, s = problem.design, problem.s
        n_samples, n_features = design.shape
        self.design, self.y, self.s, self.datafit = design, problem.y, s, problem.datafit
        self.fit_intercept, self.tol = problem.fit_intercept, problem.tol
        self.h = s / n_samples
        self.means, self.sums, self.lips = design.coordinate_stats(self.h, problem.fit_intercept)
        self.certifier = problem.certifier()
        self.w, self.b = starting_point(
            n_features, problem.w0, problem.b0, self.certifier.b_null, problem.fit_intercept
        )
        self.r = problem.y - design.predict(self.w, self.b)
        self.n_passes = 0
        self._set_penalty(problem.penalty)

    def continues(self, problem: Problem) -> bool:
        """Whether ``problem`` is this fit's data and settings at another penalty, warm-started exactly
        where this fit stopped (a path's next alpha): then :meth:`continue_with` can take it."""
        return (
            problem.design is self.design
            and problem.y is self.y
            and problem.datafit is self.datafit
            and problem.fit_intercept == self.fit_intercept
            and problem.tol == self.tol
            and problem.w0 is not None
            and (problem.b0 == self.b or not self.fit_intercept)
            and np.array_equal(problem.s, self.s)
            and np.array_equal(problem.w0, self.w)
        )

    def continue_with(self, problem: Problem) -> None:
        """Go on with ``problem`` (see :meth:`continues`): the residual and the data's set-up are kept,
        the penalty's part is set up again (measured: the set-up per alpha went from 0.8 to 0.35 ms on the
        tf-idf 5000 x 50 000 Elastic Net path, from 0.6 to 0.2 ms on LassoCV's Toeplitz fold paths)."""
        self.w = self.w.copy()  # (the last fit's result keeps its array)
        self.certifier = self.certifier.with_penalty(problem.penalty)
        self.n_passes = 0
        if problem.predicted is not None:
            self._start_at(*problem.predicted, problem.penalty)
        self._set_penalty(problem.penalty)

    def _start_at(self, support: np.ndarray, values: np.ndarray, b: float, penalty: Penalty) -> None:
        """Move to a path's predicted start (``w[support] = values``, intercept ``b``) when the objective
        under ``penalty`` is lower there than at the last solution; each with its best intercept, which
        the inner solve takes first.

        Along a path the solution moves most where coordinate descent is slowest (directions of small
        curvature, which a saturated support makes nearly flat), and the line through the last two
        solutions carries it most of the way there: on LassoCV's Toeplitz fold paths 30-45% fewer
        passes, on ElasticNetCV's (l1_ratio 0.1-0.9) half as many.  Where the solutions barely move,
        the line extrapolates their tolerance-level noise instead and starts further off (in a first
        version without this check, the tail of an l1_ratio 0.1 fold path took 400 passes instead of
        75): the objective decides.
        """
        last = self.w[support]
        r = self.r - kern.subset_product(self.design.kernel, support, values - last, float(b - self.b), self.y.shape[0])
        before = self._start_value(self.r, penalty, support)
        self.w[support] = values  # (in place: continue_with copied the last fit's array)
        if self._start_value(r, penalty, support) < before:
            self.r, self.b = r, float(b)
        else:
            self.w[support] = last

    def _start_value(self, r: np.ndarray, penalty: Penalty, support: np.ndarray) -> float:
        # the objective at the current w (zero off support) with residual r
        value = 0.5 * float(self.h @ (r * r)) + penalty.value(self.w, support)
        if self.fit_intercept:  # minimized over the intercept: r - mean_h(r)
            total = float(self.h @ r)
            value -= 0.5 * total * total / float(self.h.sum())
        return value

    def _set_penalty(self, penalty: Penalty) -> None:
        design, n_features = self.design, self.design.shape[1]
        self.kernels = penalty.kernels
        self.v = penalty.penalty_factors(n_features)
        self.params = penalty.params
        self.lower, self.upper = penalty.bounds(n_features)
        self.convex = penalty.is_convex
        # screening needs a kink at zero: tau_j > 0 somewhere (convex penalties only), and a duality gap.  A
        # box that holds 0 keeps the test valid (at 0 the box only widens dP_j(0) on a closed side, so
        # |x_j^T theta*| < tau_j still forces w_j = 0); a box that excludes 0 never screens its feature
        screens = penalty.is_convex and self.certifier.convex
        kink = penalty.zero_threshold(n_features) if penalty.is_convex else None
        tau = kink if screens and kink is not None else np.zeros(n_features)
        self.tau = np.where((self.lower <= 0.0) & (0.0 <= self.upper), tau, 0.0) if penalty.is_bounded else tau
        # a warm start (a path's previous solution) has nearly the final support: its Gram columns, computed
        # in blocks, serve the steps to come; from zero, early supports change and their columns go to waste
        self.warm = bool(self.w.any())
        # the exact step on the support's face (support_newton) for penalties linear on each orthant (the
        # Lasso): there coordinate descent crawls near a saturated support, while a ridge part makes it
        # converge at a linear rate (measured: steps made Elastic Net paths at l1_ratio 0.9 slower, the
        # factor being rebuilt at every alpha); and only for tight certificates (STEP_TOL).  The Gram
        # columns and the factor stay on the design
        self.gram: SupportGram | None = None
        self.column_nnz: np.ndarray | None = None
        self.final_share = type(self).final_share
        # every feature under a strongly convex, unboxed penalty (the Elastic Net): the inner solve also
        # stops once its working set's Fenchel-Young bound meets a share of the threshold (see
        # solve_subproblem), where the largest distance would take many more passes to meet its tolerance
        ridge = penalty.strong_convexity(n_features)
        self.ridge = ridge
        self.pieces = prox_pieces(penalty, n_features)
        # without a kink at zero (a convex penalty differentiable there: L2, Lp with p > 1) every coordinate
        # moves and the passes are one smooth map, which a longer memory extrapolates better; the short
        # one pays where supports change.  Measured against 3, alternating, two seeds: Lp with p = 1.5 at
        # a_max/100 on the Toeplitz 500 x 5000 181-202 passes against 241-259, a third less time; p = 3 on
        # the sparse 10 000 x 100 000 at a_max/10 12-49% faster, on the Toeplitz data from 2% faster to 14%
        # slower; p = 1.2 within 6% either way.  With a kink, 3 stays (SCAD and MCP: faster at 5 on the
        # Toeplitz data, slower on the sparse data; Lp with p = 0.5 the same)
        self.anderson_k = ANDERSON_K if kink is not None and not kink.any() else CD_ANDERSON_K
        self.gap_target = 0.0
        if screens and not penalty.is_bounded and n_features and ridge.min() > 0:
            self.gap_target = FY_MARGIN * self.certifier.threshold
        if self.tol <= STEP_TOL and penalty.piecewise_quadratic and not penalty.is_bounded and not ridge.any():
            self.face = penalty.zero_threshold(n_features), ridge
            # a path's first solve aims at the final accuracy on any working set: a face step lands on the
            # working set's minimizer once the support is right, where passes would crawl (measured on
            # the Toeplitz Lasso path, 4 seeds: 2-12% faster, 10-20% fewer passes; the first solves on
            # 10-15% of the features had left gaps 100-600 times the threshold, then 2-3 more rounds)
            self.final_share = FACE_FINAL_SHARE
            self.column_nnz = np.diff(design.kernel[2]) if isinstance(design.kernel, tuple) else None
            # the columns' h-weighted means: their sums (coordinate_stats) over the weights' total
            means = (lambda: self.sums / float(self.h.sum())) if self.fit_intercept else (lambda: None)
            self.gram = design.memo(
                design.key("support_gram", self.h, self.fit_intercept),
                lambda: SupportGram(design.column_major, self.h, means(), design.kernel),
            )

    def prediction(self) -> np.ndarray:
        return self.y - self.r

    def resync(self) -> bool:
        exact = self.y - self.design.linear(self.w, self.b)
        if np.any(np.abs(exact - self.r) > self.certifier.residual_rounding(self.w, self.b, self.y - self.r)):
            self.r = exact
            return True
        return False

    def proved_zeros(self, cert: Certificate, features: np.ndarray | None = None) -> np.ndarray | None:
        if not self.tau.any():
            return None
        assert cert.dual_xt is not None and cert.gap is not None  # convex: a gap and its dual point
        if features is None:
            return gap_safe_zeros(cert.dual_xt, cert.gap, self.tau, self.lips)
        return gap_safe_zeros(cert.dual_xt[features], cert.gap, self.tau[features], self.lips[features])

    def set_zero(self, features: np.ndarray) -> None:
        self.r += self.design.X[:, np.flatnonzero(features)] @ self.w[features]
        self.w[features] = 0.0

    def solve_inner(self, ws: np.ndarray, inner_tol: float, objective: float | None, final: bool = False) -> bool:
        # with face steps, coordinate descent runs in chunks of one step's cost, each followed by a face
        # step: the first one that lands on the working set's minimizer ends the inner solve.  As much on
        # passes as on a step bounds the waste either way (measured on the Toeplitz Lasso path: 7% faster
        # than chunks of four steps' cost; single fits alike)
        chunk = MAX_EPOCHS if self.gram is None else max(10, int(self.step_cost(ws)))
        spent = 0
        while True:
            budget = min(MAX_EPOCHS - spent, MAX_PASSES - self.n_passes)
            epochs = self.epochs(ws, inner_tol, min(chunk, budget))
            spent += epochs
            if self.steps_pay(ws, spent) and self.step_on_support(ws):
                break  # on the working set's minimizer
            if epochs < min(chunk, budget) or epochs >= budget:
                break  # down to inner_tol, or out of passes
        return True  # the kernel re-centres the intercept first: r always changes

    def epochs(self, ws: np.ndarray, inner_tol: float, max_epochs: int) -> int:
        """Coordinate descent on ``ws`` down to ``inner_tol`` (at most ``max_epochs``); the epochs taken."""
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
            max_epochs,
            self.anderson_k,
            self.means,
            self.sums,
            self.ridge,
            self.gap_target,
            self.pieces,
        )
        self.n_passes += epochs
        return int(epochs)

    def steps_pay(self, ws: np.ndarray, spent: int) -> bool:
        """Whether a face step is due: coordinate descent spent what one costs.

        Also on a support as large as the rows (the Lasso's solutions have at most n nonzeros, n - 1 with
        an intercept): a face block singular that way keeps a factor thanks to its ridge (``RIDGE`` in
        :mod:`.support_newton`), and each flat direction is cut where a coefficient reaches zero.
        Coordinate descent crawls there.  Measured: on the Toeplitz Lasso path, whose iterates overshoot
        to n nonzeros at the smallest alphas, 13% faster; on a saturated 60 x 300 path without intercept
        (solutions with exactly n nonzeros), tens of passes per alpha where it took thousands.
        """
        return self.gram is not None and spent >= self.step_cost(ws)

    def step_cost(self, ws: np.ndarray) -> float:
        """A face step's cost in passes over the support (a pass: ``2 nnz(X_S)`` flops in a compiled loop).

        Measured relative speeds: the Cholesky factorization (``|S|^3 / 3`` flops, done afresh only when
        the support changed a lot) runs about five times faster in LAPACK; the products with the working
        set's columns about as fast as the loop; the Gram columns not cached yet (``2 n m`` flops each,
        gathering the columns included) as fast as the loop ten at a time, and up to six times faster
        in blocks of a few hundred (BLAS on a wide block: measured 10, 20, 45 and 60 GFlop/s for 10, 50,
        200 and 420 columns, against about 10 for the loop).  The columns are paid once per data set:
        along a path a step costs little, while a single fit's first step pays for its whole support.
        From a cold start the columns are charged at the loop's speed: the supports of the first passes
        are not the final one (measured on Toeplitz 500 x 5000 at alpha_max / 100: steps charged at BLAS
        speed made single fits 20-35% slower, while warm-started path fits got 10-20% faster).
        """
        assert self.gram is not None
        support = np.flatnonzero(self.w != 0)
        n = self.y.shape[0]
        nnz = self.column_nnz[support].sum() if self.column_nnz is not None else support.size * n
        new = int(np.count_nonzero(self.gram.position[support] < 0))
        speed = min(6.0, max(1.0, new / 40.0)) if self.warm else 1.0
        columns = 2.0 * n * new * (self.gram.columns.size + new) / speed
        flops = support.size**3 / 15.0 + columns + 4.0 * n * ws.size
        return 2.0 + flops / max(2.0 * float(nnz), 1.0)

    def step_on_support(self, ws: np.ndarray) -> bool:
        """Face steps toward the working set's minimizer, kept when they lower the objective; True when
        the minimizer was reached."""
        assert self.gram is not None
        new_w, exact = support_step(self.gram, self.w, self.r, *self.face, ws)
        if new_w is None:
            return exact
        # the residual from scratch, as resync() computes it (a step moves most of the support anyway, so
        # this costs what an update would): a step that lands on the minimizer ends the fit, and its
        # certificate then needs no second round for a residual drifted by rounding
        Xw = self.design.linear(new_w, 0.0)
        b = self.b
        if self.fit_intercept:
            b += float(self.h @ (self.y - (Xw + b))) / float(self.h.sum())
        r = self.y - (Xw + b)
        penalty = self.certifier.penalty
        before = 0.5 * float(self.h @ (self.r * self.r)) + penalty.value(self.w)
        if 0.5 * float(self.h @ (r * r)) + penalty.value(new_w) > before:
            return False
        self.w[:] = new_w
        self.r, self.b = r, b
        return exact

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
        return self._fit(ResidualCD(problem), problem)

    def session(self) -> Callable[[Problem], FitResult]:
        """Successive problems on the same data (a path's alphas) keep the last fit's state when the next
        one starts where it stopped (:meth:`ResidualCD.continues`)."""
        last: ResidualCD | None = None

        def solve(problem: Problem) -> FitResult:
            nonlocal last
            if last is not None and last.continues(problem):
                last.continue_with(problem)
            else:
                last = ResidualCD(problem)
            return self._fit(last, problem)

        return solve

    def _fit(self, inner: ResidualCD, problem: Problem) -> FitResult:
        result = fit_working_set(
            inner, problem.penalty, problem.tol, problem.max_iter, problem.strong, problem.warm_grad
        )
        if result.budget_exhausted and problem.penalty.is_convex:  # crawling: the full gradient does better
            passes = result.n_iter
            result = FISTA.solve(problem.continued_from(result))
            result.n_iter += passes
        return result


CD = WorkingSetCD()
