"""What every solver shares: the result record, start-up checks, the finishing checks and warning."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ..certificates import Certificate, coef_error_bound
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
    history: list[float] = field(default_factory=list)
    #: ``X^T dD/dz`` at the returned point, when the solver computed it (a path's strong rule uses it);
    #: NaN at the features a partial certificate left out (see ``Certifier.check``)
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


def measure(cert: Certificate) -> float:
    """What a certificate reports in a fit's history: the gap (convex) or the violation (non-convex)."""
    value = cert.gap if cert.gap is not None else cert.violation
    assert value is not None  # a certificate carries one of the two
    return value


#: :func:`prox_pieces` of a penalty whose prox the kernels call through its compiled kernel
NO_PIECES = (np.zeros(0), np.zeros(0))


def prox_pieces(penalty: Penalty, n_features: int) -> tuple[np.ndarray, np.ndarray]:
    """The coordinate-descent kernels' ``pieces`` (see ``_cd_kernels._epoch``): ``(tau, mu)`` of a
    penalty with every ``P_j(w) = tau_j |w| + mu_j w^2 / 2`` (``piecewise_quadratic``), whose prox they
    compute inline, else :data:`NO_PIECES`."""
    if not penalty.piecewise_quadratic:
        return NO_PIECES
    return penalty.zero_threshold(n_features), penalty.strong_convexity(n_features)


def starting_point(
    n_features: int, w0: np.ndarray | None, b0: float | None, b_null: float, fit_intercept: bool
) -> tuple[np.ndarray, float]:
    """``(w, b)`` to start from: the warm start if given, else zeros and the best constant."""
    w = np.zeros(n_features) if w0 is None else np.array(w0, dtype=np.float64)
    if not fit_intercept:
        return w, 0.0
    if b0 is not None:
        return w, float(b0)
    return w, (b_null if w0 is None else 0.0)


def require_interfaces(datafit: object, penalty: object) -> None:
    """Check once, when a solve starts, that it got what it can use."""
    if not isinstance(datafit, Datafit):
        raise TypeError(f"datafit must be an lpnet Datafit, got {type(datafit).__name__}.")
    if datafit.is_multi_output:
        raise ValueError(
            f"the {datafit.name!r} datafit has matrix coefficients (one column per task or class), which the "
            "scalar solvers do not take; fit it with its estimators: MultiTaskLasso / MultiTaskElasticNet "
            "(and their CV forms) for 'multitask', LogisticRegression / LogisticRegressionCV for 'multinomial'."
        )
    if not isinstance(penalty, Penalty):
        raise TypeError(f"penalty must be an lpnet Penalty, got {type(penalty).__name__}.")
    if penalty.is_convex and penalty.dual_kernels is None and type(penalty).conjugate is Penalty.conjugate:
        raise TypeError(
            f"{type(penalty).__name__} says it is convex but defines no conjugate: the duality gap needs it."
        )


def finish(result: FitResult, penalty: Penalty, max_iter: int, tol: float) -> FitResult:
    """The checks every fit ends with: finite coefficients, the error bound, the warning when not converged.

    The warning points at the code that called this function's caller (the user's call of ``solve``).
    """
    # (a finite sum has no inf or NaN term: one pass where the elementwise test takes two, and that
    # test only when the sum overflowed)
    finite = np.isfinite(np.sum(result.coef)) or np.all(np.isfinite(result.coef))
    if not (finite and np.isfinite(result.intercept)):
        raise ValueError(
            f"{result.solver} produced non-finite coefficients: the problem is beyond float64 at this scale "
            "(features with a huge mean beside a tiny spread, or values near the float range's ends). "
            "Rescale X and y (e.g. standardize them) and fit again."
        )
    result.coef_error_bound = coef_error_bound(result.dual_gap, penalty, result.coef.shape[0])
    warn_not_converged(result, max_iter, tol, stacklevel=4)
    return result


def warn_not_converged(result: FitResult, max_iter: int, tol: float, stacklevel: int) -> None:
    """A ``ConvergenceWarning`` naming what stopped the fit, when it did not converge (``stacklevel`` as
    :func:`warnings.warn`'s, counted from here)."""
    if result.converged:
        return
    if result.dual_gap is not None and 0 < result.gap_floor and result.dual_gap <= 10 * result.gap_floor:
        warnings.warn(
            f"{result.solver} stopped: the duality gap {result.dual_gap:.3e} cannot be resolved below "
            f"tol={tol:g} in float64 arithmetic (rounding alone can move it by {result.gap_floor:.2e}, "
            f"objective {result.objective:.6g}). The data or the penalty are far from a workable scale: "
            "standardize the features (and the target) and fit again.",
            ConvergenceWarning,
            stacklevel=stacklevel,
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
        stacklevel=stacklevel,
    )


def fixpoint_scores(penalty: Penalty, w: np.ndarray, grad: np.ndarray, lips: np.ndarray) -> np.ndarray:
    """``L_j |w_j - prox_j(w_j - grad_j / L_j)|``: how far coordinate j is from a CD fixed point.

    Unlike the subdifferential distance it sees zero coordinates of non-convex penalties, whose limiting
    subdifferential at 0 is the whole line.
    """
    safe = np.where(lips > 0, lips, 1.0)
    moved = penalty.prox(w - grad / safe, 1.0 / safe)
    return np.where(lips > 0, safe * np.abs(w - moved), 0.0)


def scores_and_stop(
    penalty: Penalty, cert: Certificate, w: np.ndarray, lips: np.ndarray | None, violation_scale: float, tol: float
) -> tuple[np.ndarray, bool]:
    """Feature scores for the working set, and whether the fit is done.

    Convex penalties score by the subdifferential distance and stop on the duality gap.  Non-convex ones
    score by the fixed-point residual (zeros are stationary in the limiting sense and would never enter
    the working set otherwise) and stop when both the violation and that residual are below ``tol``.
    """
    if penalty.is_convex:
        return cert.distance, bool(cert.converged)
    assert lips is not None  # non-convex fits pass their coordinate curvatures
    scores = fixpoint_scores(penalty, w, cert.grad, lips)
    return scores, bool(cert.converged and scores.max(initial=0.0) / violation_scale <= tol)
