"""What every solver shares: the result record, data layout for the kernels, and start-up checks."""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ..datafits.base import Datafit
from ..penalties.base import Penalty


@dataclass
class FitResult:
    """The outcome of one solve: coefficients and their certificate."""

    coef: np.ndarray
    intercept: float
    #: passes over the features (coordinate-descent epochs, Newton or gradient steps): scikit-learn's
    #: ``n_iter_``; 0 for a warm start that is already certified
    n_iter: int
    objective: float
    #: duality gap in the objective's units (convex problems), else None
    dual_gap: float | None
    #: scale-free optimality violation (non-convex problems), else None
    optimality_violation: float | None
    converged: bool
    solver: str
    #: per outer iteration: the gap (convex) or violation (non-convex)
    history: list = field(default_factory=list)
    #: ``X^T dD/dz`` at the returned point, when the solver computed it (a path's strong rule uses it)
    grad: np.ndarray | None = None
    #: features proved zero by gap-safe screening (solvers that screen), else 0
    n_screened: int = 0
    #: features left out of a proposed first working set that the next full check brought back
    strong_misses: int | None = None
    #: outer iterations, each ending with a certificate (what ``max_iter`` bounds)
    n_outer: int = 1
    #: certified bound on ``||coef - coef*||_2`` (strongly convex penalties), else None
    coef_error_bound: float | None = None
    #: the final gap's rounding floor when the fit did not converge (see ``Certificate.floor``), else 0
    gap_floor: float = 0.0
    #: the solver stopped on its own pass budget before max_iter (coordinate descent only)
    budget_exhausted: bool = False


def starting_point(n_features: int, w0, b0, b_null: float, fit_intercept: bool) -> tuple[np.ndarray, float]:
    """``(w, b)`` to start from: the warm start if given, else zeros and the best constant."""
    w = np.zeros(n_features) if w0 is None else np.array(w0, dtype=np.float64)
    if not fit_intercept:
        return w, 0.0
    if b0 is not None:
        return w, float(b0)
    return w, (b_null if w0 is None else 0.0)


def require_interfaces(datafit, penalty) -> None:
    """Check once, when a solver starts, that it got what it can use."""
    if not isinstance(datafit, Datafit):
        raise TypeError(f"datafit must be an lpnet Datafit, got {type(datafit).__name__}.")
    if not isinstance(penalty, Penalty):
        raise TypeError(f"penalty must be an lpnet Penalty, got {type(penalty).__name__}.")
    if penalty.convex and penalty.dual_kernels is None and type(penalty).conjugate is Penalty.conjugate:
        raise TypeError(
            f"{type(penalty).__name__} says it is convex but defines no conjugate: the duality gap needs it."
        )


def warn_not_converged(result: FitResult, max_iter: int, tol: float) -> None:
    if result.converged:
        return
    if result.dual_gap is not None and 0 < result.gap_floor and result.dual_gap <= 10 * result.gap_floor:
        warnings.warn(
            f"{result.solver} stopped: the duality gap {result.dual_gap:.3e} cannot be resolved below "
            f"tol={tol:g} in float64 arithmetic (rounding alone can move it by {result.gap_floor:.2e}, "
            f"objective {result.objective:.6g}). The data or the penalty are far from a workable scale: "
            "standardize the features (and the target) and fit again.",
            ConvergenceWarning,
            stacklevel=3,
        )
        return
    if result.dual_gap is not None:
        what = f"duality gap {result.dual_gap:.3e} (objective {result.objective:.6g})"
    else:
        what = f"optimality violation {result.optimality_violation:.3e}"
    warnings.warn(
        f"{result.solver} did not reach tol={tol:g} in max_iter={max_iter} iterations: {what}. "
        "Increase max_iter, loosen tol, or standardize the features.",
        ConvergenceWarning,
        stacklevel=3,
    )


def fixpoint_scores(penalty: Penalty, w, grad, lips) -> np.ndarray:
    """``L_j |w_j - prox_j(w_j - grad_j / L_j)|``: how far coordinate j is from a CD fixed point.

    Unlike the subdifferential distance it sees zero coordinates of non-convex penalties, whose limiting
    subdifferential at 0 is the whole line.
    """
    safe = np.where(lips > 0, lips, 1.0)
    moved = penalty.prox(w - grad / safe, 1.0 / safe)
    return np.where(lips > 0, safe * np.abs(w - moved), 0.0)


def scores_and_stop(penalty: Penalty, cert, w, lips, violation_scale: float, tol: float):
    """Feature scores for the working set, and whether the fit is done.

    Convex penalties score by the subdifferential distance and stop on the duality gap.  Non-convex ones
    score by the fixed-point residual (zeros are stationary in the limiting sense and would never enter
    the working set otherwise) and stop when both the violation and that residual are below ``tol``.
    """
    if penalty.convex:
        return cert.distance, bool(cert.converged)
    scores = fixpoint_scores(penalty, w, cert.grad, lips)
    return scores, bool(cert.converged and scores.max(initial=0.0) / violation_scale <= tol)


def gap_ratio(cert, threshold: float, floor: float = 0.1) -> float:
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


def working_set(w, scores, previous_size: int, min_size: int = 100) -> tuple[np.ndarray, int]:
    """Every nonzero coefficient plus the best-scored others; the size at least doubles the support."""
    n_features = w.shape[0]
    support = w != 0
    size = min(n_features, max(min_size, 2 * int(support.sum()), previous_size))
    if size == n_features:
        return np.arange(n_features, dtype=np.int64), size
    ranked = np.where(support, np.inf, scores)
    return np.sort(np.argpartition(-ranked, size - 1)[:size]).astype(np.int64), size


def path_start_scores(penalty: Penalty, w, strong, warm_grad):
    """Working-set scores for a path's fit without a first certificate, or None.

    Along a path, the previous fit's final gradient is the gradient at this fit's start (the datafit's
    gradient does not depend on alpha), and the strong rule says where to look: the subdifferential
    distances at the new alpha over the strong set and the support choose the first working set.
    None when there is nothing to go on, or nothing to move (then a certificate comes first).
    """
    if strong is None or warm_grad is None:
        return None
    scores = np.where(strong | (w != 0), penalty.subdiff_distance(w, warm_grad), 0.0)
    return scores if scores.max(initial=0.0) > 0.0 else None
