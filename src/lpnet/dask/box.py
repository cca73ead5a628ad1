"""Box-constrained fits of the squared loss from sufficient statistics alone.

The model minimizes ``1/(2 sum s) sum s (y - x.w - b)^2 + P(w)`` subject to ``lower <= w <= upper``
(the box is part of the penalty: :meth:`lpnet.penalties.Penalty.with_bounds`).  With the Gram
quantities of the data (``G = Xc^T H Xc``, ``c = Xc^T H yc``, ``H = diag(s) / sum s``, centred by the
weighted means), ``q = c - G w`` is minus the gradient in ``w``, and a coordinate step is the
penalty's prox clipped into the box (exact for a convex penalty).  Every block of epochs ends with the
Gram duality gap of the penalty *with* its box (:func:`lpnet.certificates.gram_certificate`: the box
enters the conjugate), so the fit is certified as the in-memory Gram solver certifies it, without the
data.  A box that has no dual of that kind (see :meth:`~lpnet.penalties.Penalty.has_box_dual`) is
refused with the in-memory route named: here every feature is penalized, so that does not happen for
the L1, L2, Elastic Net and convex Lp penalties.
"""

from __future__ import annotations

import numpy as np

from ..certificates import gram_certificate
from ..penalties.base import Penalty
from ..solvers.cd_gram import ANDERSON_K, GramState, gram_epochs

#: epochs between two certificates
EPOCHS_PER_CHECK = 10


def box_start(penalty: Penalty, n_features: int) -> np.ndarray:
    """The point of the box closest to 0, where a path with a box starts."""
    lower, upper = penalty.bounds(n_features)
    return np.clip(0.0, lower, upper)


def boxed_alpha_max(template: Penalty, state: GramState) -> float:
    """The smallest alpha at which :func:`box_start` is optimal (only the gradient pushing into the box
    counts, :meth:`~lpnet.penalties.Penalty.alpha_max`)."""
    w0 = box_start(template, state.c.shape[0])
    return float(template.alpha_max(-(state.c - state.G @ w0)))


def check_box(penalty: Penalty, n_features: int) -> None:
    """A box the Gram duality gap certifies, else a ValueError naming the in-memory route."""
    if not (penalty.is_convex and penalty.has_box_dual(n_features)):
        raise ValueError(
            f"{penalty.label} with this box has no duality gap from the Gram statistics (a non-convex penalty, "
            "or a box on an unpenalized feature); fit it in memory with lpnet's estimators (solver='cd')."
        )


def solve_box(state: GramState, penalty: Penalty, tol: float, max_iter: int, w0: np.ndarray | None = None):
    """``(w, gap, objective, n_epochs, converged)`` of the boxed squared-loss fit on a Gram state.

    Coordinate descent in blocks of :data:`EPOCHS_PER_CHECK` epochs (at most ``max_iter`` blocks),
    started from ``w0`` clipped into the box (default: the box's point closest to 0); converged when
    the duality gap is at most ``tol`` times the intercept-only objective ``yy / 2``.
    """
    p = state.c.shape[0]
    check_box(penalty, p)
    lower, upper = penalty.bounds(p)
    w = box_start(penalty, p) if w0 is None else np.clip(np.asarray(w0, dtype=np.float64), lower, upper)
    w = np.ascontiguousarray(w)
    # constant features (diag 0) stay where they start; their columns of G are zero
    G, diag = np.ascontiguousarray(state.G), state.diag
    kernels, v, params = penalty.kernels, penalty.penalty_factors(p), penalty.params
    threshold = max(tol, state.min_tol) * 0.5 * state.yy
    have_col = np.ones(p, dtype=np.bool_)
    epochs, gap, objective = 0, np.inf, np.inf
    for block in range(max_iter + 1):
        q = state.c - G @ w  # from w itself, so the rank-one updates leave no drift
        gap, objective, _ = gram_certificate(penalty, w, state.c, q, state.yy)
        if gap <= threshold or block == max_iter:
            break
        # the Gram solver's passes (every column known: none is asked for; no early stop)
        epochs += gram_epochs(
            G,
            have_col,
            np.zeros(p, dtype=np.bool_),
            diag,
            state.c,
            state.yy,
            q,
            w,
            kernels.prox,
            kernels.subdiff_distance,
            kernels.value,
            v,
            params,
            lower,
            upper,
            EPOCHS_PER_CHECK,
            ANDERSON_K,
            0.0,
        )
    gap = max(float(gap), 0.0)  # (a gap below 0 is rounding)
    return w, gap, float(objective), epochs, bool(gap <= tol * 0.5 * state.yy)
