"""Coordinate descent on the Gram matrix, for the squared loss when n_samples >> n_features.

glmnet's "covariance" mode.  With ``h = s / n`` and the data centred by their weighted means (the
intercept is then ``b = ybar - xbar.w``), the squared loss only needs

    G = Xc^T H Xc,     q = Xc^T H R = Xc^T H yc - G w     (minus the gradient in w).

A coordinate update costs O(1) to decide (``q_j``, ``G_jj``) and O(p) to apply (``q -= delta G[:, j]``),
instead of O(n) for the residual form.  Columns of ``G`` are computed lazily, in batches of the
coordinates that want to move (``G[:, J] = X^T (h X_J) - sum(h) xbar xbar_J^T``, one BLAS product per
batch), so features that stay at zero never cost an O(np) product.

Those quantities are also what :class:`GramStatistics` (raw weighted sums of a block of rows, which
add up across blocks) gives without the data: :meth:`GramState.from_statistics` builds the state from
them, so a K-fold CV reads X once.  :func:`gram_path` runs a whole path's alphas in one compiled call
(a path on tall data spends more on a fit's fixed costs than on its epochs).

Reads top to bottom: set-up (cached on the Design), certificate from Gram quantities, epochs.

The duality gap comes from the same quantities (:func:`lpnet.certificates.gram_certificate`, in a form
free of the cancellation of the residual's norm against the data's variance), so the certificate needs
no pass over X.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numba import njit

from ..certificate_kernels import FAST, gram_gap
from ..certificates import SAFE_MARGIN, Certifier, gap_safe_zeros, gram_certificate
from ..datafits.base import Datafit
from ..fit_data import weighted_mean
from ..penalties.base import Penalty
from ..penalties.prox import box_prox
from ._cd_kernels import anderson_extrapolate
from ._common import FitResult
from ._design import Design
from ._working_set import ANDERSON_K, INNER_RATIO
from .base import Layout, Problem, Solver
from .cd_working_set import CD

EPS = float(np.finfo(np.float64).eps)

EPOCHS_PER_CHECK = 10
FIRST_BATCH = 20
#: once this share of the columns is wanted, the whole Gram in one symmetric product (half the flops of
#: a general one) is cheaper than the batches still to come
WHOLE_SHARE = 1 / 8
#: the Gram mode pays off when samples far outnumber features and G fits in memory
GRAM_MIN_RATIO = 10
GRAM_MAX_FEATURES = 2000


@njit(cache=True, nogil=True, fastmath=FAST)
def _column_moments(X, h, r):
    """Per column of dense ``X``: ``sum h x r``, ``sum h x`` and ``sum h x^2``, in one pass."""
    n, p = X.shape
    xr, xs, xx = np.empty(p), np.empty(p), np.empty(p)
    # four columns per sweep of h and r: one column's three sums each wait on their last addition,
    # twelve independent ones keep the vector units busy (1.1 ms against 2.3 ms on 20 000 x 200)
    full = p - p % 4
    for j in range(0, full, 4):
        a0 = b0 = c0 = a1 = b1 = c1 = a2 = b2 = c2 = a3 = b3 = c3 = 0.0
        for i in range(n):
            x0, x1, x2, x3 = X[i, j], X[i, j + 1], X[i, j + 2], X[i, j + 3]
            h0, h1, h2, h3 = h[i] * x0, h[i] * x1, h[i] * x2, h[i] * x3
            a0 += h0 * r[i]
            a1 += h1 * r[i]
            a2 += h2 * r[i]
            a3 += h3 * r[i]
            b0 += h0
            b1 += h1
            b2 += h2
            b3 += h3
            c0 += h0 * x0
            c1 += h1 * x1
            c2 += h2 * x2
            c3 += h3 * x3
        xr[j], xr[j + 1], xr[j + 2], xr[j + 3] = a0, a1, a2, a3
        xs[j], xs[j + 1], xs[j + 2], xs[j + 3] = b0, b1, b2, b3
        xx[j], xx[j + 1], xx[j + 2], xx[j + 3] = c0, c1, c2, c3
    for j in range(full, p):
        a = b = c = 0.0
        for i in range(n):
            hx = h[i] * X[i, j]
            a += hx * r[i]
            b += hx
            c += hx * X[i, j]
        xr[j], xs[j], xx[j] = a, b, c
    return xr, xs, xx


@njit(cache=True, nogil=True, fastmath=FAST)
def _gram_objective(w, c, q, yy, value, v, params):
    # 1/2 ||R||_H^2 + P(w) with ||R||_H^2 = yc.H.yc - w.c - w.q
    obj = 0.5 * (yy - w @ c - w @ q)
    for j in range(w.shape[0]):
        obj += value(w[j], v[j], params.ctypes)
    return obj


@njit(cache=True, nogil=True, fastmath=FAST)
def gram_epochs(
    G, have_col, wants_col, diag, c, yy, q, w, prox, dist, value, v, params, lower, upper, n_epochs, anderson_k, gate
):
    """Cyclic passes over all coordinates with Anderson extrapolation every ``anderson_k`` passes.

    A coordinate that would move but has no Gram column yet is flagged in ``wants_col`` and left for
    the caller, which computes the missing columns together (one BLAS product).  Stops after
    ``n_epochs`` passes, or earlier once a pass moves no coordinate by more than ``gate`` in gradient
    units (``G_jj |change of w_j|``): the certificate is then worth computing.  Returns the passes made.
    Every step and extrapolation stays in the box ``[lower, upper]`` (``-inf`` / ``inf`` where open; the
    penalty is convex here, so a step is the clipped prox).
    """
    p = w.shape[0]
    history = np.empty((anderson_k + 1, p))
    for epoch in range(n_epochs):
        largest = 0.0
        for j in range(p):
            if diag[j] <= 0.0:
                continue
            old = w[j]
            new = box_prox(
                prox, dist, value, old + q[j] / diag[j], 1.0 / diag[j], v[j], params, lower[j], upper[j], True
            )
            if new == old:
                continue
            if not have_col[j]:
                wants_col[j] = True
                continue
            delta = new - old
            for k in range(p):
                q[k] -= delta * G[k, j]
            w[j] = new
            largest = max(largest, diag[j] * abs(delta))
        if largest <= gate and not wants_col.any():
            return epoch + 1
        slot = epoch % (anderson_k + 1)
        history[slot] = w
        if slot == anderson_k:
            extra = anderson_extrapolate(history)
            if extra.shape[0] == 0:
                continue
            for j in range(p):
                extra[j] = min(max(extra[j], lower[j]), upper[j])
            # the extrapolated point is a combination of iterates: its support has Gram columns
            q_extra = c.copy()
            for j in range(p):
                if extra[j] != 0.0:
                    for k in range(p):
                        q_extra[k] -= extra[j] * G[k, j]
            if _gram_objective(extra, c, q_extra, yy, value, v, params) < _gram_objective(
                w, c, q, yy, value, v, params
            ):
                w[:] = extra
                q[:] = q_extra
    return n_epochs


def weighted_cross(X: np.ndarray, h: np.ndarray) -> np.ndarray:
    """``X^T diag(h) X`` by one symmetric product (BLAS syrk on ``B^T B``, ``B = diag(sqrt(h)) X``); without
    sample weights (``h`` constant), ``h_0 X^T X`` with no scaled copy of X."""
    if h.size and np.all(h == h[0]):
        return h[0] * (X.T @ X)
    B = X * np.sqrt(h)[:, None]
    return B.T @ B


@dataclass
class GramStatistics:
    """What the squared loss needs of a block of rows, as raw (uncentred) weighted sums.

    ``weight = sum s``, ``x = sum s x_i``, ``y = sum s y_i``, ``xx = sum s x_i x_i^T``, ``xy = sum s y_i x_i``
    and ``yy = sum s y_i^2``.  Sums of disjoint blocks add, so the statistics of a K-fold CV's training
    sets are the whole data's minus each held-out fold's: one pass over X serves every fold.
    """

    weight: float
    x: np.ndarray
    y: float
    xx: np.ndarray
    xy: np.ndarray
    yy: float

    @classmethod
    def of_rows(cls, X: np.ndarray, y: np.ndarray, s: np.ndarray) -> GramStatistics:
        """The statistics of the rows of dense ``X`` with targets ``y`` and weights ``s``."""
        X = np.asarray(X, dtype=np.float64)
        sy = s * y
        return cls(float(s.sum()), s @ X, float(sy.sum()), weighted_cross(X, s), X.T @ sy, float(sy @ y))

    def __add__(self, other: GramStatistics) -> GramStatistics:
        return GramStatistics(
            self.weight + other.weight,
            self.x + other.x,
            self.y + other.y,
            self.xx + other.xx,
            self.xy + other.xy,
            self.yy + other.yy,
        )

    def __sub__(self, other: GramStatistics) -> GramStatistics:
        return GramStatistics(
            self.weight - other.weight,
            self.x - other.x,
            self.y - other.y,
            self.xx - other.xx,
            self.xy - other.xy,
            self.yy - other.yy,
        )

    def mean_squared_error(self, coefs: np.ndarray, intercepts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Weighted mean of ``(y - x w - b)^2`` over these rows for each row of ``coefs`` (a validation
        loss without a pass over the rows), and a bound on its rounding error: the expansion cancels
        when the residuals are small beside the raw values (a target far from zero)."""
        W = np.atleast_2d(coefs)
        b = np.asarray(intercepts, dtype=np.float64)
        terms = [
            np.full(b.shape, self.yy),
            -2.0 * (W @ self.xy),
            -2.0 * b * self.y,
            np.sum((W @ self.xx) * W, axis=1),
            2.0 * b * (W @ self.x),
            self.weight * b * b,
        ]
        size = sum(np.abs(t) for t in terms)
        total = sum(terms)
        rounding = 8.0 * (W.shape[1] + 2) * EPS * size
        return np.maximum(total, 0.0) / self.weight, rounding / self.weight


class GramState:
    """Everything the Gram mode derives from ``(X, y, h)``, kept on the Design: a path's later alphas
    find the columns of ``G`` that earlier alphas computed.  Built from the data
    (:meth:`from_design`, columns of ``G`` computed as coordinates want them) or from
    :class:`GramStatistics` (:meth:`from_statistics`, all of ``G`` at once, no data needed)."""

    def __init__(
        self,
        n_features: int,
        h_sum: float,
        y_mean: float,
        yy: float,
        c: np.ndarray,
        x_mean: np.ndarray,
        col_squares: np.ndarray,
        y_squares: float,
        rows: int,
        X: np.ndarray | None = None,
        h: np.ndarray | None = None,
    ):
        self.X, self.h = X, h
        self.h_sum, self.y_mean, self.yy, self.c, self.x_mean = h_sum, y_mean, yy, c, x_mean
        self.diag = col_squares - h_sum * x_mean**2  # G_jj
        # Centring by subtraction loses what the mean carries: a column whose centred norm is below the
        # rounding of its raw norm is constant to working precision, and never moves (diag 0).
        rounding = 8 * rows * EPS
        self.constant = self.diag <= rounding * col_squares
        self.diag[self.constant] = 0.0
        self.c[self.constant] = 0.0  # exactly, for a constant column: its c is the rounding of sum(h yc) = 0
        # kappa: raw over centred squared norms (columns and y), the factor by which rounding in the
        # Gram quantities exceeds eps; below tol = min_tol their gap is trusted without a pass over X
        live = ~self.constant
        ratios = col_squares[live] / self.diag[live]
        y_ratio = y_squares / self.yy if self.yy > 0 else np.inf
        self.min_tol = 100 * rounding * max(float(ratios.max(initial=1.0)), y_ratio)
        self.G = np.zeros((n_features, n_features), order="F")
        self.have_col = np.zeros(n_features, dtype=np.bool_)

    @classmethod
    def from_design(cls, design: Design, y: np.ndarray, h: np.ndarray, fit_intercept: bool) -> GramState:
        """The state of the data, no column of ``G`` yet."""
        X = design.kernel  # Fortran-ordered dense data
        n_features = design.shape[1]
        h_sum = float(h.sum())
        y_mean = weighted_mean(y, h) if fit_intercept else 0.0
        yc = y - y_mean
        # one pass over X: c = Xc^T H yc (= X^T H yc, as sum h yc = 0), weighted column sums and squares
        c, col_sums, col_squares = _column_moments(X, h, np.ascontiguousarray(yc))
        x_mean = col_sums / h_sum if fit_intercept else np.zeros(n_features)
        state = cls(
            n_features,
            h_sum,
            y_mean,
            float(h @ (yc * yc)),
            c,
            x_mean,
            col_squares,
            float(h @ (y * y)),
            design.shape[0],
            X=X,
            h=h,
        )
        return state

    @classmethod
    def from_statistics(cls, stats: GramStatistics, fit_intercept: bool, rows: int) -> GramState:
        """The state for the rows ``stats`` sums up (``rows`` of them), every column of ``G`` filled."""
        w = stats.weight
        n_features = stats.x.shape[0]
        x_mean = stats.x / w if fit_intercept else np.zeros(n_features)
        y_mean = stats.y / w if fit_intercept else 0.0
        col_squares = np.diag(stats.xx) / w
        yy = max(stats.yy / w - y_mean**2, 0.0)
        c = stats.xy / w - x_mean * y_mean
        state = cls(n_features, 1.0, y_mean, yy, c, x_mean, col_squares.copy(), stats.yy / w, rows)
        state.G[:] = stats.xx / w - np.outer(x_mean, x_mean)
        state.have_col[:] = True
        state.G[state.constant] = 0.0
        state.G[:, state.constant] = 0.0
        return state

    def add_columns(self, J: np.ndarray) -> None:
        # each batch reads all of X: past WHOLE_SHARE of the columns (a path's later alphas), all at once
        X, h = self.X, self.h
        assert X is not None and h is not None  # only a state built from statistics lacks them, and its G is full
        if self.have_col.sum() + len(J) >= WHOLE_SHARE * self.have_col.shape[0]:
            self.use_cross(weighted_cross(X, h))
            return
        self.G[:, J] = X.T @ (h[:, None] * X[:, J]) - self.h_sum * np.outer(self.x_mean, self.x_mean[J])
        self.have_col[J] = True
        self.G[self.constant] = 0.0  # their cross products are rounding of exact zeros too
        self.G[:, self.constant] = 0.0

    def use_cross(self, cross: np.ndarray) -> None:
        """Every column of ``G`` from the uncentred cross-products ``X^T diag(h) X`` (computed here, or
        given: a user's precomputed Gram, a cross-validation's sum of its folds' statistics)."""
        self.G[:] = cross - self.h_sum * np.outer(self.x_mean, self.x_mean)
        self.have_col[:] = True
        self.G[self.constant] = 0.0  # their cross products are rounding of exact zeros too
        self.G[:, self.constant] = 0.0

    def use_given(self, cross: np.ndarray) -> None:
        """:meth:`use_cross` for ``X^T diag(h) X`` from the caller (scikit-learn's ``precompute``), after
        checking one column of it against the data, as a guard against a Gram of other data."""
        X, h = self.X, self.h
        assert X is not None and h is not None  # (a state from statistics has every column)
        j = X.shape[1] // 2  # (one column: a pass over X, where the Gram's own product would be p / 2)
        column = X.T @ (h * X[:, j])
        # (the Gram summed over the samples has absolute tolerance 1e-8; here it is divided by n)
        atol = 1e-8 * max(float(np.abs(column).max()), 1.0 / X.shape[0])
        if not np.allclose(cross[:, j], column, rtol=1e-4, atol=atol):
            raise ValueError(
                f"the Gram matrix passed as precompute did not pass validation: its column {j} is not "
                "X^T diag(sample_weight) X[:, j] (sample weights rescaled to sum to n_samples)."
            )
        self.use_cross(cross)

    def intercept(self, w: np.ndarray) -> float:
        """The intercept that goes with ``w`` (0 without one: then the means are zero)."""
        return self.y_mean - float(self.x_mean @ w)


def gram_state(
    design: Design, y: np.ndarray, s: np.ndarray, fit_intercept: bool, gram: np.ndarray | None = None
) -> GramState:
    """The Gram mode's state for this data, built once per Design (weights ``s`` summing to n_samples).

    ``gram``: ``X^T diag(s) X`` when the caller has it already (scikit-learn's ``precompute`` array),
    so that no column is computed from ``X``.
    """
    h = s / design.shape[0]
    state = design.memo(
        design.key("gram", h, y, fit_intercept), lambda: GramState.from_design(design, y, h, fit_intercept)
    )
    if gram is not None and not state.have_col.all():
        state.use_given(np.asarray(gram, dtype=np.float64) / design.shape[0])
    return state


class GramCD(Solver):
    """``solver="cd_gram"``: the squared loss on the Gram matrix (dense X, a convex penalty on every feature).

    ``max_iter`` counts blocks of 10 epochs, each ending with a certificate.  A warm start needs only
    ``w0`` (the intercept follows from the centring).  A fit that does not converge within ``max_iter``
    blocks goes on with the residual form (:class:`~.cd_working_set.WorkingSetCD`).
    """

    name = "cd_gram"

    def why_not(self, layout: Layout, datafit: Datafit, penalty: Penalty) -> str | None:
        if not penalty.has_box_dual(layout.n_features):  # (its certificate is the Gram duality gap)
            return "solver='cd_gram' takes bounds only where they enter the duality gap; use solver='cd'."
        if (
            datafit.is_quadratic
            and not layout.sparse
            and penalty.is_convex
            and penalty.is_penalized(layout.n_features).all()
        ):
            return None
        return (
            "solver='cd_gram' handles the squared loss on dense data with a convex penalty on every "
            "feature (alpha > 0, no zero penalty_factor); use solver='cd'."
        )

    def pays_off(self, layout: Layout, datafit: Datafit, penalty: Penalty, gram: bool | None = None) -> bool:
        if gram is not None:  # the caller's preference (scikit-learn's precompute) overrides the shape rule
            return gram
        return layout.n_features <= GRAM_MAX_FEATURES and layout.n_samples >= GRAM_MIN_RATIO * layout.n_features

    def solve(self, problem: Problem) -> FitResult:
        result = solve_cd_gram(problem)
        if not result.converged:  # not within max_iter blocks: go on with the residual form
            gram_epochs = result.n_iter
            result = CD.solve(problem.continued_from(result))
            result.n_iter += gram_epochs
        return result


CD_GRAM = GramCD()


def solve_cd_gram(problem: Problem) -> FitResult:
    """Coordinate descent on the Gram matrix for ``problem.max_iter`` blocks at most (see :class:`GramCD`)."""
    design, y, s, penalty, tol = problem.design, problem.y, problem.s, problem.penalty, problem.tol
    max_iter = problem.max_iter
    n_features = design.shape[1]
    gs = gram_state(design, y, s, problem.fit_intercept, problem.gram)
    c, yy, G, have_col = gs.c, gs.yy, gs.G, gs.have_col
    wants_col = np.zeros(n_features, dtype=np.bool_)

    w = np.zeros(n_features) if problem.w0 is None else np.array(problem.w0, dtype=np.float64)
    q = c.copy()
    if np.any(w):
        support = np.flatnonzero(w != 0)
        missing = support[~have_col[support]]
        if missing.size:
            gs.add_columns(missing)
        q -= G[:, support] @ w[support]
    # first columns: the worst violators of the optimality conditions; epochs flag the others that
    # want to move, and they get their columns in the next batch.  Where the violators left out of the
    # first batch reach WHOLE_SHARE by themselves (a fit far below alpha_max), the next batch would
    # bring the whole Gram anyway: they all ask now, and the whole Gram comes in one product (a tall
    # 20 000 x 200 fit at alpha_max / 100: 25 ms against 33 ms with 20 columns first, then the rest)
    violation = penalty.subdiff_distance(w, -q)
    n_violators = int(np.count_nonzero(violation))
    whole = n_violators - FIRST_BATCH >= WHOLE_SHARE * n_features
    first = np.argsort(-violation)[: n_violators if whole else FIRST_BATCH]
    first = first[(violation[first] > 0) & ~have_col[first]]
    wants_col[first] = True  # (a column already known is not wanted: that would hold off the early stop)
    kernels, v, params = penalty.kernels, penalty.penalty_factors(n_features), penalty.params
    threshold = tol * 0.5 * yy  # F_null (yy is centred only with an intercept)

    lower, upper = penalty.bounds(n_features)
    # a box that excludes 0 never screens its feature (see cd_working_set)
    tau = np.where((lower <= 0.0) & (0.0 <= upper), penalty.zero_threshold(n_features), 0.0)
    history: list[float] = []
    n_epochs = 0
    converged = False
    gap = objective = np.inf
    for _ in range(max_iter + 1):
        # 1. certificate from the Gram quantities; q is recomputed from the support first, so thousands
        # of rank-one updates leave no drift
        support = np.flatnonzero(w != 0)
        q = c - G[:, support] @ w[support]
        gap, objective, k = gram_certificate(penalty, w, c, q, yy)
        history.append(gap)
        converged = gap <= threshold
        if converged:
            # exact zeros: coefficients the final dual point (X^T theta = q / k) proves zero are set
            # to zero and the result certified again
            proved = gap_safe_zeros(q / k, gap, tau, gs.diag) & (w != 0)
            if proved.any() and len(history) <= max_iter:
                w[proved] = 0.0
                converged = False
                continue
            if tol < gs.min_tol:
                # rounding in the Gram quantities could hide a gap above the threshold (features with
                # large means and tiny spread): certify from the residual instead, one pass over X
                b = gs.intercept(w)
                cert = Certifier(
                    design.X, y, s, problem.datafit, penalty, problem.fit_intercept, tol, xt=design.xt, cache=design
                ).check(w, b, design.predict(w, b))
                assert cert.gap is not None  # a convex penalty: the certificate is a gap
                history[-1] = gap = cert.gap
                converged = bool(cert.converged)
                objective = cert.objective
            break
        if len(history) > max_iter:
            break
        # 2. missing Gram columns, then epochs
        missing = np.flatnonzero(wants_col & ~have_col)
        if missing.size:
            gs.add_columns(missing)
            wants_col[:] = False
        # the passes stop early once they move nothing by more than a fraction of the current worst
        # optimality violation: then the next certificate has a chance to pass
        gate = INNER_RATIO * float(penalty.subdiff_distance(w, -q).max(initial=0.0))
        n_epochs += gram_epochs(
            G,
            have_col,
            wants_col,
            gs.diag,
            c,
            yy,
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
            gate,
        )

    return FitResult(
        coef=w,
        intercept=gs.intercept(w),
        n_iter=n_epochs,
        objective=objective,
        dual_gap=gap,
        optimality_violation=None,
        converged=converged,
        solver="cd_gram",
        history=history,
        n_outer=len(history),
    )


@njit(cache=True, nogil=True, fastmath=FAST)
def _gram_path(
    G,
    c,
    yy,
    diag,
    w,
    alphas,
    params,
    tau_unit,
    prox,
    dist,
    value,
    conjugate,
    dual_ratio,
    v,
    threshold,
    max_blocks,
    coefs,
    gaps,
    objectives,
    n_epochs,
    converged,
):
    """:func:`solve_cd_gram`'s loop for every alpha of a path in one compiled call (all of ``G`` known).

    ``params`` is the penalty's packed parameters; its first entry (alpha) is set to each ``alphas[a]``
    in turn.  Per alpha: certificate, exact zeros, blocks of epochs, as in :func:`solve_cd_gram`; the
    results go to the output arrays.  Stops at the first alpha that does not converge within
    ``max_blocks`` blocks and returns how many alphas were solved.
    """
    p = w.shape[0]
    have_col = np.ones(p, dtype=np.bool_)
    lower, upper = np.full(p, -np.inf), np.full(p, np.inf)  # (the compiled path takes no box)
    wants_col = np.zeros(p, dtype=np.bool_)
    q = np.empty(p)
    fresh = False  # whether q was just recomputed from the support for the current w
    for a in range(alphas.shape[0]):
        params[0] = alphas[a]
        epochs = 0
        done = False
        gap = objective = np.inf
        for block in range(max_blocks + 1):
            if not fresh:  # (the previous alpha's last certificate left it fresh: w has not moved since)
                q[:] = c  # from the support, so rank-one updates leave no drift
                for j in range(p):
                    if w[j] != 0.0:
                        for k in range(p):
                            q[k] -= w[j] * G[k, j]
                fresh = True
            gap, objective, scale = gram_gap(w, c, q, yy, value, conjugate, dual_ratio, v, params)
            if gap <= threshold:
                # exact zeros, as gap_safe_zeros: proved zero by the final dual point, then certified again
                proved = False
                for j in range(p):
                    if w[j] != 0.0 and abs(q[j] / scale) + np.sqrt(2.0 * max(gap, 0.0) * diag[j]) < tau_unit[
                        j
                    ] * alphas[a] * (1.0 - SAFE_MARGIN):
                        w[j] = 0.0
                        proved = True
                        fresh = False
                if proved and block < max_blocks:
                    continue
                done = True
                break
            if block == max_blocks:
                break
            gate = 0.0
            for j in range(p):
                gate = max(gate, dist(w[j], -q[j], v[j], params.ctypes))
            epochs += gram_epochs(
                G,
                have_col,
                wants_col,
                diag,
                c,
                yy,
                q,
                w,
                prox,
                dist,
                value,
                v,
                params,
                lower,
                upper,
                EPOCHS_PER_CHECK,
                ANDERSON_K,
                INNER_RATIO * gate,
            )
            fresh = False
        coefs[a] = w
        gaps[a], objectives[a], n_epochs[a], converged[a] = gap, objective, epochs, done
        if not done:
            return a + 1
    return alphas.shape[0]


@dataclass
class GramPath:
    """What :func:`gram_path_arrays` computes, one row per alpha; rows from ``solved`` on are unset
    (``intercepts`` has the ``solved`` rows only)."""

    coefs: np.ndarray
    intercepts: np.ndarray
    gaps: np.ndarray
    objectives: np.ndarray
    n_epochs: np.ndarray
    converged: np.ndarray
    solved: int


def gram_path_arrays(
    state: GramState, template: Penalty, alphas: np.ndarray, tol: float, max_iter: int, w0: np.ndarray | None = None
) -> GramPath:
    """Certified fits of ``template`` at each of the decreasing ``alphas``, warm-started along them, in
    one compiled call; every column of ``G`` must be known (:func:`gram_path_applies` must hold).

    Stops after the first alpha that does not converge (the caller goes on from there with the
    residual form).  ``tol`` must be at least ``state.min_tol`` (the Gram certificate is trusted only
    there).  A cross-validation's fold paths take these arrays as they are; :func:`gram_path` makes
    one :class:`FitResult` per alpha of them.
    """
    n_features = state.c.shape[0]
    alphas = np.asarray(alphas, dtype=np.float64)
    template = template.with_alpha(1.0)  # (its alpha is set to each of alphas in turn)
    kernels, dual = template.kernels, template.dual_kernels
    assert dual is not None  # see gram_path_applies
    tau_unit = template.zero_threshold(n_features)
    w = np.zeros(n_features) if w0 is None else np.array(w0, dtype=np.float64)
    n = alphas.shape[0]
    coefs = np.empty((n, n_features))
    gaps, objectives = np.empty(n), np.empty(n)
    n_epochs, converged = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.bool_)
    solved = _gram_path(
        state.G,
        state.c,
        state.yy,
        state.diag,
        w,
        alphas,
        template.params.copy(),
        tau_unit,
        kernels.prox,
        kernels.subdiff_distance,
        kernels.value,
        dual.conjugate,
        dual.dual_ratio,
        template.penalty_factors(n_features),
        tol * 0.5 * state.yy,
        max_iter,
        coefs,
        gaps,
        objectives,
        n_epochs,
        converged,
    )
    intercepts = state.y_mean - coefs[:solved] @ state.x_mean
    return GramPath(coefs, intercepts, gaps, objectives, n_epochs, converged, int(solved))


def gram_path(
    state: GramState, penalties: Sequence[Penalty], tol: float, max_iter: int, w0: np.ndarray | None = None
) -> list[FitResult]:
    """:func:`gram_path_arrays` for ``penalties`` (one penalty at decreasing alphas): the fits in order,
    up to and including the first that did not converge."""
    alphas = np.array([pen.alpha for pen in penalties], dtype=np.float64)
    out = gram_path_arrays(state, penalties[0], alphas, tol, max_iter, w0)
    return [
        FitResult(
            coef=out.coefs[a],
            intercept=float(out.intercepts[a]),
            n_iter=int(out.n_epochs[a]),
            objective=float(out.objectives[a]),
            dual_gap=float(out.gaps[a]),
            optimality_violation=None,
            converged=bool(out.converged[a]),
            solver="cd_gram",
            history=[float(out.gaps[a])],
        )
        for a in range(out.solved)
    ]


def gram_path_applies(template: Penalty, alphas, state: GramState, tol: float) -> bool:
    """Whether :func:`gram_path_arrays` can certify ``template``'s fits at ``alphas``: a convex penalty
    with dual kernels and no box, every alpha > 0, and a tolerance the Gram certificate resolves."""
    return (
        template.dual_kernels is not None
        and not template.is_bounded
        and bool(np.all(np.asarray(alphas) > 0))
        and tol >= state.min_tol
    )
