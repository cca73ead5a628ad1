"""The working-set outer loop shared by coordinate descent and proximal Newton.

Reads top to bottom, as celer's: certificate, screening, working set, inner solve; the caller warns.

The outer loop computes the full gradient ``X^T dD/dz`` once per iteration (inside the certificate).  That
gives the duality gap (or the optimality violation for p < 1) and the feature scores; where the solver has
a screening rule (the squared loss, penalties with a kink at zero) the certificate's dual point also proves
features zero (Fercoq, Gramfort & Salmon 2015), which then never enter a working set.  The working set
holds every nonzero coefficient plus the best-scored others, its size cap doubling with the support (as
skglm and celer do; unlike them, features with a zero score are not added to fill it); a path may
propose the first one (its sequential strong set), and the full check of the next iteration brings back
any feature it left out wrongly.  The solver's inner solve works on the working set
down to a fraction of the current scores.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable

import numpy as np
from numba import njit

from ..certificates import Certificate, Certifier, masked_min
from ..penalties.base import Penalty
from ._common import FitResult, measure, scores_and_stop

#: the inner solve goes down to this fraction of the largest score
INNER_RATIO = 0.3
#: a path's first inner solve, with no gap to go by, goes this much finer than its scores (the floor of
#: gap_ratio)
FIRST_RATIO = 0.1
#: Anderson extrapolation over this many inner passes
ANDERSON_K = 5
#: a path's first inner solve on a working set under ``InnerSolver.final_share`` of the features aims at
#: this share of the threshold, when the gap is first order in the scores; no inner solve goes finer than
#: what that share needs (see :func:`sufficient_tol`)
FINAL_MARGIN = 0.5


class InnerSolver(ABC):
    """One fit's iterate and its inner solve, as :func:`fit_working_set` drives them.

    Subclasses set the attributes in their constructor and keep ``w``, ``b`` and their own form of the
    linear predictor (a residual, or ``X w + b``) up to date with each other.
    """

    #: the solver's name in the result
    name: str
    certifier: Certifier
    #: coordinate-wise curvature (or a bound of it): the scale of non-convex fixed-point scores
    lips: np.ndarray
    w: np.ndarray
    b: float
    #: passes over the features so far (the result's ``n_iter``)
    n_passes: int = 0
    #: a path's first inner solve aims at the final accuracy on working sets under this share of the
    #: features (see :func:`fit_working_set`): where inner passes cost little beside a certificate
    final_share: float = 0.1

    @abstractmethod
    def prediction(self) -> np.ndarray:
        """``z = X w + b`` as the solver keeps it (up to the rounding its updates accumulate)."""

    @abstractmethod
    def resync(self) -> bool:
        """Recompute the prediction from ``(w, b)``; True when it had drifted beyond the rounding the
        certificate allows for (then the recomputed one replaces it and the certificate is taken again)."""

    def proved_zeros(self, cert: Certificate, features: np.ndarray | None = None) -> np.ndarray | None:
        """Which of ``features`` (indices; all features when None) the certificate proves zero at every
        optimum, as a mask over them, or None without a screening rule."""
        return None

    def set_zero(self, features: np.ndarray) -> None:
        """Set ``w`` to zero in place on a boolean mask, keeping the prediction exact (solvers that screen)."""
        raise NotImplementedError(f"{self.name} has no screening rule")

    @abstractmethod
    def solve_inner(self, ws: np.ndarray, inner_tol: float, objective: float | None, final: bool = False) -> bool:
        """Improve ``(w, b)`` over the working set ``ws`` down to ``inner_tol``; True when they moved.

        ``objective`` is the current objective when the certificate just computed it, else None.
        ``final``: ``inner_tol`` asks for the certificate's accuracy at once (a path's first solve on a
        small working set), not for a step towards it.
        """

    @property
    def exhausted(self) -> bool:
        """Whether the solver's own pass budget is spent (the fit then stops before ``max_iter``)."""
        return False

    def done(self) -> None:  # noqa: B027 - an optional hook, empty by default
        """Called once after the loop: e.g. leave the final prediction where the next fit finds it."""


def fit_working_set(
    inner: InnerSolver,
    penalty: Penalty,
    tol: float,
    max_iter: int,
    strong: np.ndarray | None,
    warm_grad: np.ndarray | None,
) -> FitResult:
    """Working-set iterations of ``inner`` until the certificate holds or ``max_iter`` outer iterations.

    ``strong`` and ``warm_grad`` are a path's hints (see :class:`lpnet.solvers.base.Problem`): with both,
    the first working set comes from them instead of a first certificate.
    """
    certifier = inner.certifier
    screened = np.zeros(inner.w.shape[0], dtype=bool)
    ws_size = 0
    history: list[float] = []
    done = False
    fresh = True  # whether the prediction was computed from (w, b) rather than kept up to date
    strong_misses = None
    candidates = None
    cert = None
    # the coordinate curvatures scale only non-convex fits' scores (and can cost a pass over X)
    lips = None if penalty.is_convex else inner.lips
    # without a ridge part (the Lasso) the penalty's conjugate is an indicator: the certificate rescales
    # the dual point into its domain, and the gap is first order in the scores, so a path's first inner
    # solve at the usual tolerance leaves it about a hundred times above the threshold.  On a small
    # working set passes cost little beside the certificate's pass over X: that solve goes to the final
    # accuracy at once, saving a certificate per alpha (measured: Lasso paths 3% faster on the dense
    # Toeplitz 500 x 5000, 10% on the sparse tf-idf 5000 x 50000; with a ridge part the gap is second
    # order, and the finer solve made Elastic Net paths 13% slower)
    mu = penalty.strong_convexity(inner.w.shape[0])
    first_order = penalty.is_convex and not mu.any()
    enough = sufficient_tol(penalty, inner.w.shape[0], mu)
    for it in range(1, max_iter + 2):
        w = inner.w
        # a path's fit starts without a certificate (it would repeat the previous fit's last one)
        start = None
        if it == 1 and max_iter >= 1 and strong is not None and warm_grad is not None:
            candidates = strong | (w != 0)
            start = path_start_scores(penalty, w, candidates, warm_grad)
        if start is not None:
            ws, ws_size = working_set(w, start, ws_size)
            inner_tol = INNER_RATIO * start.max() * FIRST_RATIO
            final = first_order and ws.size < inner.final_share * w.shape[0]
            target = enough(w, ws.size, certifier.threshold)
            if final and target > 0:
                inner_tol = min(inner_tol, target)
            else:  # never finer than the certificate needs
                inner_tol = max(inner_tol, target)
            objective = None
        else:
            # 1. certificate
            cert = certifier.check(w, inner.b, inner.prediction(), partial=True)
            history.append(measure(cert))
            scores, done = scores_and_stop(penalty, cert, w, lips, certifier.violation_scale, tol)
            if done and not fresh:
                # the running prediction drifts by rounding (badly with large values: 1e-7 of the
                # objective was seen), and the certificate must describe the returned (w, b) themselves:
                # beyond the rounding the certificate allows for, the objective is evaluated again from
                # scratch (a gap keeps its dual point; a stationarity measure needs the gradient again)
                fresh = True
                if inner.resync():
                    if cert.gap is not None:
                        cert = certifier.reprice(cert, w, inner.b, inner.prediction())
                    else:
                        cert = certifier.check(w, inner.b, inner.prediction(), partial=True)
                    history[-1] = measure(cert)
                    scores, done = scores_and_stop(penalty, cert, w, lips, certifier.violation_scale, tol)
            if candidates is not None and it == 2:  # features the rule discarded that violate the check
                strong_misses = int(np.count_nonzero((scores > 0) & ~candidates))
            if done and it <= max_iter:
                # exact zeros: a coefficient the final dual point proves zero is set to zero (a
                # rounding-level value would otherwise stand as "nonzero" in the support), then certified
                # again
                support = np.flatnonzero(w != 0)  # (of the mask: twice as fast as of the floats)
                proved = inner.proved_zeros(cert, support)
                if proved is not None and proved.any():
                    zeros = np.zeros(w.shape[0], dtype=bool)
                    zeros[support[proved]] = True
                    inner.set_zero(zeros)
                    done = fresh = False
                    continue
            if done or it > max_iter or (cert.unresolvable and it >= 3) or inner.exhausted:
                break  # (an unresolvable gap: rounding hides the rest)

            # 2. screening, then the working set: the support and the best-scored features
            safe = inner.proved_zeros(cert)
            if safe is not None:
                screened |= safe
                dropped = screened & (w != 0)
                if dropped.any():  # rare: an iterate far from the optimum
                    inner.set_zero(dropped)
                scores = np.where(screened, 0.0, scores)
            if it == 1 and strong is not None:
                # the rule only narrows the candidates; the working set keeps its usual size, so a
                # large strong set (small alphas, correlated columns) does not inflate the inner passes
                candidates = strong | (w != 0)
                scores = np.where(candidates, scores, 0.0)
            ws, ws_size = working_set(w, scores, ws_size)
            inner_tol = INNER_RATIO * scores.max(initial=0.0) * gap_ratio(cert, certifier.threshold)
            inner_tol = max(inner_tol, enough(w, ws.size, certifier.threshold))
            final = False
            objective = cert.objective

        # 3. the inner solve on the working set
        if inner.solve_inner(ws, inner_tol, objective, final):
            fresh = False

    # 4. the result (the caller warns when the certificate was not reached)
    assert cert is not None  # the loop runs past max_iter >= 0 only through a certificate
    inner.done()
    return FitResult(
        coef=inner.w,
        intercept=float(inner.b),
        n_iter=inner.n_passes,
        objective=cert.objective,
        dual_gap=cert.gap,
        optimality_violation=cert.violation,
        converged=done,
        solver=inner.name,
        history=history,
        gap_floor=cert.floor,
        grad=cert.grad,
        n_screened=int(screened.sum()),
        strong_misses=strong_misses,
        n_outer=len(history),
        budget_exhausted=not done and inner.exhausted,
    )


def sufficient_tol(penalty: Penalty, n_features: int, mu: np.ndarray) -> Callable[[np.ndarray, int, float], float]:
    """``bound(w, ws_size, threshold)``: the largest subdifferential distance over a working set of
    ``ws_size`` features at which the gap at ``w`` is at most :data:`FINAL_MARGIN` times ``threshold``
    (where the working set holds every feature that moves), or 0.0 where no such bound is known.  What
    depends on the penalty alone is computed once, here (``mu``: its ``strong_convexity``).

    * A penalty with a ridge part on every penalized feature (``mu_j > 0``, the Elastic Net): the dual
      point needs no rescaling, and the gap is the sum of each coordinate's Fenchel-Young gap, at most
      ``d_j^2 / (2 mu_j)`` for a ``mu_j``-strongly convex ``P_j``.  Distances at most ``d`` over the
      working set bound it by ``ws_size d^2 / (2 min mu)``.
    * A convex penalty without one (the Lasso): the dual point is the residual scaled down by
      ``c = max_j |grad_j| / tau_j`` (``tau_j`` the threshold at zero, ``alpha v_j`` for L1) into the
      dual domain; with the support right and every distance at most ``d``, ``c - 1 <= d / min tau``
      and, to first order, the gap is ``(c - 1) P(w)`` (0.0 at ``P(w) = 0``: the gap is then second
      order).

    A fixed fraction of the scores instead went a hundred to a thousand times finer than the threshold
    asked for on LassoCV's and ElasticNetCV's fold paths (tol 1e-4).
    """
    penalized = penalty.is_penalized(n_features)
    if not penalty.is_convex or not penalized.any():
        return _no_bound
    if mu.any():
        lowest_mu = masked_min(mu, penalized)
        if not lowest_mu > 0:
            return _no_bound
        return lambda w, ws_size, threshold: float(np.sqrt(2 * FINAL_MARGIN * threshold * lowest_mu / max(ws_size, 1)))
    tau = penalty.zero_threshold(n_features)
    lowest_tau = masked_min(tau, tau > 0)
    if not np.isfinite(lowest_tau):
        return _no_bound

    def first_order(w: np.ndarray, ws_size: int, threshold: float) -> float:
        value = float(penalty.value(w))
        return FINAL_MARGIN * threshold * lowest_tau / value if value > 0 else 0.0

    return first_order


def _no_bound(w: np.ndarray, ws_size: int, threshold: float) -> float:
    return 0.0


def gap_ratio(cert: Certificate, threshold: float, floor: float = 0.1) -> float:
    """``sqrt(threshold / gap)`` clipped to ``[floor, 1]``: how much finer than the scores to go inside.

    Near the solution the gap shrinks roughly like the square of the subdifferential distances, so an
    inner tolerance of ``ratio * max score`` lets one inner solve take a gap that is ``1 / ratio**2``
    times too large down to the threshold (without it, a path's warm start 20x above the threshold
    took 3 to 4 outer rounds, each a full gradient).  The floor keeps a far-away start from asking
    one inner solve for the final accuracy before the working set is right.
    """
    if cert.gap is None or not cert.gap > threshold:
        return 1.0
    return float(max(floor, np.sqrt(threshold / cert.gap)))


def working_set(w: np.ndarray, scores: np.ndarray, previous_size: int, min_size: int = 100) -> tuple[np.ndarray, int]:
    """Every nonzero coefficient plus the best-scored others with a positive score, ``size`` at most;
    ``size`` (returned, the next call's ``previous_size``) at least doubles the support."""
    n_features = w.shape[0]
    # only features that move now: a zero score (a zero coefficient inside its subdifferential) says
    # nothing about which of them enters next, and each would cost a column product per pass (measured:
    # 9% off the tf-idf Elastic Net path, 2-4% off the Toeplitz Lasso and the logistic paths)
    n_support, candidates, ranked = _candidates(w, np.ascontiguousarray(scores, dtype=np.float64))
    size = min(n_features, max(min_size, 2 * n_support, previous_size))
    if size == n_features:
        return np.arange(n_features, dtype=np.int64), size
    if candidates.size <= size:
        return candidates, size
    top = np.argpartition(-ranked, size - 1)[:size]
    return np.sort(candidates[top]), size


@njit(cache=True, nogil=True)
def _candidates(w: np.ndarray, scores: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    """``(support size, candidates, their ranks)``: the nonzero coefficients (ranked first, inf) and the
    features with a positive score, in two compiled passes (a count, then the arrays; five numpy passes
    over 50 000 features took 70 us)."""
    n_support = 0
    count = 0
    for j in range(w.shape[0]):
        if w[j] != 0.0:
            n_support += 1
            count += 1
        elif scores[j] > 0.0:  # (NaN, a feature a partial certificate left out, is not a candidate)
            count += 1
    candidates = np.empty(count, dtype=np.int64)
    ranked = np.empty(count)
    k = 0
    for j in range(w.shape[0]):
        if w[j] != 0.0 or scores[j] > 0.0:
            candidates[k] = j
            ranked[k] = np.inf if w[j] != 0.0 else scores[j]
            k += 1
    return n_support, candidates, ranked


def path_start_scores(
    penalty: Penalty, w: np.ndarray, candidates: np.ndarray, warm_grad: np.ndarray
) -> np.ndarray | None:
    """Working-set scores for a path's fit without a first certificate, or None.

    Along a path, the previous fit's final gradient is the gradient at this fit's start (the datafit's
    gradient does not depend on alpha), and the strong rule says where to look: the subdifferential
    distances at the new alpha over the strong set and the support choose the first working set.
    ``candidates``: the strong set and the support.  None when nothing moves (then a certificate comes
    first).
    """
    features = np.flatnonzero(candidates)
    scores = np.zeros(w.shape[0])
    scores[features] = penalty.subdiff_distance(w, warm_grad, features)
    return scores if scores.max(initial=0.0) > 0.0 else None
