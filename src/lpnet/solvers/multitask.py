"""Block coordinate descent for matrix coefficients: the multi-task squared loss with a row penalty.

Minimizes ``1/(2n) sum_i s_i ||Y_i - x_i W - b||_2^2 + P(W)`` over ``W`` of shape ``(n_features, n_tasks)``
and the intercepts ``b`` (one per task), with ``P`` the :class:`~lpnet.penalties.L21` row penalty
(scikit-learn's ``MultiTaskLasso`` and ``MultiTaskElasticNet``).

The intercept is profiled out: with ``H = diag(s) / n`` and weighted column means ``m``, the objective in
``W`` alone is ``1/2 ||Yc - Xc W||_H^2 + P(W)``, whose block of row ``j`` has the curvature
``L_j = ||x_j - m_j||_H^2`` times the identity.  Row ``j``'s exact block minimization is therefore one
proximal step, ``W_j <- prox_{P_j / L_j}(W_j + x_jc^T H R / L_j)`` (block soft-thresholding, then the
ridge shrinkage), with ``R`` the residual.

Two forms of the same passes:

* the residual form keeps ``R = Y - X W`` (sparse updates on CSC data) and its weighted column sums,
  whose mean is the optimal intercept; a row costs ``O(n T)``;
* the Gram form (dense data with ``n >= 10 p``, every row penalized) computes ``G = Xc^T H Xc`` and
  ``C = Xc^T H Yc`` once per data set and keeps ``Q = C - G W`` (minus the gradient): a row costs
  ``O(|working set| T)`` and no pass over ``X`` is needed after the set-up, the certificate included
  (``||R||_H^2 = yy - <W, C> - <W, Q>``).

Outer loop, once per iteration (``max_iter`` of them): the full gradient ``G = Xc^T H R`` (or ``Q``,
recomputed from ``W``) gives the duality gap at the dual point ``Theta = H R / k`` (projected so that the
unpenalized rows have ``x_j^T Theta = 0``, ``k = max(1, max_j ||G_j|| / (alpha v_j))`` for ``l1_ratio =
1``, the smallest rescaling into the conjugate's domain); the fit has converged when ``gap <= tol *
F_null`` (``F_null`` the intercept-only objective).  The dual is 1-strongly concave in ``||.||_{H^-1}``,
so rows with ``||G_j|| / k + sqrt(2 gap L_j) < alpha l1_ratio v_j`` are zero at the optimum (gap-safe
screening, Ndiaye et al. 2015, multi-task form): they are set to zero and never visited again.  The
working set holds the nonzero rows plus the best-scored others (``||G_j|| / tau_j``), at least twice the
support; compiled block-CD passes run over it, with Anderson extrapolation of the iterates, until its own
gap is below a fraction of the outer one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from numba import njit

from ..certificate_kernels import FAST
from ..certificates import gap_safe_zeros
from ..penalties.rows import L21
from ._cd_kernels import centred_moments
from ._design import Design
from ._working_set import ANDERSON_K
from .cd_gram import GRAM_MAX_FEATURES, GRAM_MIN_RATIO, weighted_cross

__all__ = [
    "MultiTaskPath",
    "MultiTaskResult",
    "anderson_weights",
    "multitask_alpha_max",
    "multitask_design",
    "multitask_path",
    "solve_multitask",
]

#: the inner solve goes down to this fraction of the outer gap
INNER_RATIO = 0.3
#: a path's first inner solve (on its strong set, which usually holds the support: the working set's gap
#: is then the whole problem's) goes down to this fraction of the threshold
STRONG_RATIO = 0.8
#: at most this many inner passes per outer iteration
MAX_INNER_PASSES = 2000
#: in the residual form, a pass over the whole working set every this many passes, the others over its
#: nonzero rows only (a row that stays zero costs a full column product and changes nothing)
FULL_SWEEP_EVERY = 3
#: Anderson extrapolation on working sets of at least this many rows (see _inner)
ANDERSON_MIN_ROWS = 50
#: without it, at most this many passes between two checks of the working set's gap
CHECK_EVERY = 10
#: smallest first working set
MIN_WS = 10
#: the ridge of Anderson's normal equations, relative to the largest squared difference
ANDERSON_RIDGE = 1e-10
EPS = float(np.finfo(np.float64).eps)


@dataclass
class MultiTaskResult:
    """A certified multi-task fit (``coef`` has one row per feature, one column per task)."""

    coef: np.ndarray
    intercept: np.ndarray
    #: passes over the working set's rows (scikit-learn's ``n_iter_``)
    n_iter: int
    objective: float
    dual_gap: float
    converged: bool
    #: ``Xc^T H R`` at the returned point (minus the loss gradient in ``W``), for a path's strong rule
    grad: np.ndarray
    n_outer: int = 1
    n_screened: int = 0
    coef_error_bound: float | None = None
    history: list[float] = field(default_factory=list)
    #: the gap's rounding allowance (included in ``dual_gap``)
    gap_floor: float = 0.0
    solver: str = "block_cd"


def multitask_design(X: Any) -> Design:
    """``X`` (dense or sparse) as float64 in the kernels' layout; pass it to many fits on the same data."""
    if isinstance(X, Design):
        return X
    if sp.issparse(X):
        return Design(sp.csc_matrix(X, dtype=np.float64))
    return Design(np.asfortranarray(X, dtype=np.float64))


# --------------------------------------------------------------------------- compiled inner passes
@njit(cache=True, nogil=True, fastmath=FAST)
def _block_step(W, j, grad, lip, l1, l2, delta):
    """Row ``j``'s exact block step; ``delta`` receives the change; returns whether the row moved."""
    T = W.shape[1]
    norm = 0.0
    for t in range(T):
        u = W[j, t] + grad[t] / lip
        delta[t] = u
        norm += u * u
    norm = math.sqrt(norm)
    thr = l1 / lip
    scale = 0.0 if norm <= thr else (1.0 - thr / norm) / (1.0 + l2 / lip)
    moved = False
    for t in range(T):
        new = scale * delta[t]
        delta[t] = new - W[j, t]
        if delta[t] != 0.0:
            moved = True
        W[j, t] = new
    return moved


@njit(cache=True, nogil=True, fastmath=FAST)
def _passes_dense(X, h, h_const, RT, rsum, h_sum, W, rows, sums, lips, l1, l2, n_passes):
    """``n_passes`` block-CD passes over ``rows`` (columns of dense Fortran ``X``, rows of ``W``); ``RT`` is
    ``(Y - X W)^T`` and ``rsum`` its weighted row sums ``RT @ h``, both kept up to date.  ``x_jc^T H R =
    x_j^T H R - sums_j rsum / h_sum``; ``h_const > 0`` (equal weights) saves the weights' product."""
    T, n = RT.shape
    grad, delta = np.empty(T), np.empty(T)
    for _ in range(n_passes):
        for j in rows:
            if lips[j] <= 0.0:
                continue
            c = sums[j] / h_sum if h_sum > 0.0 else 0.0
            for t in range(T):
                acc = 0.0
                if h_const > 0.0:
                    for i in range(n):
                        acc += X[i, j] * RT[t, i]
                    acc *= h_const
                else:
                    for i in range(n):
                        acc += h[i] * X[i, j] * RT[t, i]
                grad[t] = acc - c * rsum[t]
            if _block_step(W, j, grad, lips[j], l1[j], l2[j], delta):
                for t in range(T):
                    d = delta[t]
                    if d != 0.0:
                        for i in range(n):
                            RT[t, i] -= X[i, j] * d
                        rsum[t] -= sums[j] * d


@njit(cache=True, nogil=True, fastmath=FAST)
def _passes_sparse(data, indices, indptr, h, RT, rsum, h_sum, W, rows, sums, lips, l1, l2, n_passes):
    """:func:`_passes_dense` on CSC data: ``x_jc^T H R = x_j^T H R - sums_j * rsum / h_sum``."""
    T = RT.shape[0]
    grad, delta = np.empty(T), np.empty(T)
    for _ in range(n_passes):
        for j in rows:
            if lips[j] <= 0.0:
                continue
            lo, hi = indptr[j], indptr[j + 1]
            c = sums[j] / h_sum if h_sum > 0.0 else 0.0
            for t in range(T):
                acc = 0.0
                for k in range(lo, hi):
                    i = indices[k]
                    acc += h[i] * data[k] * RT[t, i]
                grad[t] = acc - c * rsum[t]
            if _block_step(W, j, grad, lips[j], l1[j], l2[j], delta):
                for t in range(T):
                    d = delta[t]
                    if d != 0.0:
                        for k in range(lo, hi):
                            RT[t, indices[k]] -= data[k] * d
                        rsum[t] -= sums[j] * d


@njit(cache=True, nogil=True, fastmath=FAST)
def _passes_gram(G, QT, W, rows, lips, l1, l2, n_passes):
    """``n_passes`` block-CD passes over ``rows`` on the Gram matrix ``G`` (Fortran, the working set's
    rows and columns); ``QT = (C - G W)^T`` is kept up to date: a row that moves costs ``O(m T)``."""
    T, m = QT.shape
    grad, delta = np.empty(T), np.empty(T)
    for _ in range(n_passes):
        for j in rows:
            if lips[j] <= 0.0:
                continue
            for t in range(T):
                grad[t] = QT[t, j]
            if _block_step(W, j, grad, lips[j], l1[j], l2[j], delta):
                for t in range(T):
                    d = delta[t]
                    if d != 0.0:
                        for k in range(m):
                            QT[t, k] -= G[k, j] * d


# --------------------------------------------------------------------------- the certificates
@dataclass
class _Check:
    gap: float
    objective: float
    grad: np.ndarray  # Xc^T H R' at the projected (unscaled) dual point's residual R'
    scale: float
    floor: float
    #: a bound on the rounding of each row of ``grad`` (the Gram form's ``Q``; 0 in the residual form)
    grad_error: np.ndarray | float = 0.0


class _Problem:
    """One fit's data, weights and penalty in the residual form, with its certificate."""

    def __init__(
        self, design: Design, Y: np.ndarray, s: np.ndarray, penalty: L21, fit_intercept: bool, tol: float = 0.0
    ):
        self.design, self.Y, self.penalty, self.fit_intercept = design, Y, penalty, fit_intercept
        self.X = design.X
        n, p = design.shape
        self.h = s / n
        self.h_sum = float(self.h.sum())
        self.h_const = float(self.h[0]) if np.all(self.h == self.h[0]) else 0.0
        cols = np.arange(p, dtype=np.int64)
        means, sums, lips = design.memo(
            design.key("multitask_moments", self.h, fit_intercept),
            lambda: centred_moments(design.kernel, self.h, p, cols),
        )
        if not fit_intercept:
            means, sums = np.zeros(p), np.zeros(p)
            lips = design.col_sq_norms(self.h)
        self.means, self.sums, self.lips = means, sums, lips
        v = penalty.penalty_factors(p)
        self.tau = penalty.zero_threshold(p)  # alpha l1_ratio v_j
        self.l1 = np.ascontiguousarray(self.tau)
        self.l2 = np.ascontiguousarray(penalty.strong_convexity(p))
        self.free = np.flatnonzero(penalty.alpha * v == 0)
        Yc = Y - (self.h @ Y) / self.h_sum if fit_intercept else Y
        self.f_null = 0.5 * float(self.h @ np.sum(Yc * Yc, axis=1))
        # F_null is itself known only to its rounding (each centred entry to eps |Y|, each sum of n terms to
        # n eps): the threshold never goes below twice that (a target constant to ~13 digits is certified
        # at once)
        rounding = EPS * float(self.h @ np.sum(np.abs(Yc) * np.abs(Y), axis=1)) + n * EPS * self.f_null
        self.threshold = max(tol * self.f_null, 2.0 * rounding)
        self._free_basis = self._free_projection() if self.free.size else None

    def _free_projection(self) -> np.ndarray:
        # an orthonormal basis (in the metric H) of the centred unpenalized columns: the dual point is
        # projected off it so that x_j^T Theta = 0 for every free feature
        Xf = self.X[:, self.free]
        Xf = Xf.toarray() if sp.issparse(Xf) else np.asarray(Xf)
        Xf = Xf - self.means[self.free] if self.fit_intercept else Xf
        root = np.sqrt(self.h)
        U, sv, _ = np.linalg.svd(root[:, None] * Xf, full_matrices=False)
        return U[:, sv > sv[0] * Xf.shape[0] * EPS] if sv.size and sv[0] > 0 else U[:, :0]

    def residual(self, W: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(R = Y - X W, b)`` from scratch, ``b`` the optimal intercepts for ``W``."""
        rows = np.flatnonzero(np.any(W != 0.0, axis=1))
        R = self.Y.copy()
        if rows.size:
            R -= np.asarray(self.X[:, rows] @ W[rows])
        b = (self.h @ R) / self.h_sum if self.fit_intercept else np.zeros(self.Y.shape[1])
        return R, b

    def certify(self, W: np.ndarray) -> tuple[_Check, np.ndarray]:
        """The certificate at ``W`` (residual recomputed from the data) and the intercepts."""
        R, b = self.residual(W)
        return self.check(W, R - b), b

    def check(self, W: np.ndarray, R_eff: np.ndarray, X: Any = None, penalty: L21 | None = None) -> _Check:
        """The duality gap at ``W`` with the centred residual ``R_eff``; ``X`` and ``penalty`` those of a
        working set (its columns and factors; default: the whole problem).

        ``gap = ||R||_H^2 / 2 - ||R'||_H^2 (1/k - 1/(2k^2)) + [P(W) + P*(G/k) - <W, G>/k]`` with ``R'`` the
        residual projected off the free columns and ``G = Xc^T H R'`` (the primal minus the dual value at
        ``Theta = H R'/k``, written without the cancellation of ``||R||^2`` against ``||Y||^2``).
        """
        h = self.h
        X = self.X if X is None else X
        pen = self.penalty if penalty is None else penalty
        sq = float(h @ np.sum(R_eff * R_eff, axis=1))
        Rp = R_eff
        if self._free_basis is not None and self._free_basis.shape[1]:
            root = np.sqrt(h)[:, None]
            Q = self._free_basis
            Rp = R_eff - (Q @ (Q.T @ (root * R_eff))) / np.where(root > 0, root, 1.0)
        sq_p = float(h @ np.sum(Rp * Rp, axis=1)) if Rp is not R_eff else sq
        # Xc^T M = X^T M: the columns of M = H R' sum to zero with an intercept
        G = np.asarray(X.T @ (h[:, None] * Rp))
        scale, conj = pen.scaled_conjugate(G)
        value = pen.value(W)
        cross = float(np.sum(W * G)) / scale
        gap = 0.5 * sq - sq_p * (1.0 / scale - 0.5 / scale**2) + value + conj - cross
        # rounding: ||R||^2 enters only through (1 - 1/k)^2 (the two occurrences cancel exactly at k = 1);
        # the Fenchel-Young bracket sums n_features * n_tasks terms, and k (a ratio of sums of n terms) may
        # be off by n eps, which moves <W, G>/k by as much
        n, size = h.shape[0], W.size
        floor = EPS * (n * sq * ((1.0 - 1.0 / scale) ** 2 + EPS) + (size + n) * (value + conj + abs(cross)))
        return _Check(gap=max(gap, 0.0) + floor, objective=0.5 * sq + value, grad=G, scale=scale, floor=floor)


def gram_applies(design: Design, penalty: L21) -> bool:
    """Whether the Gram form pays off and applies: dense data with ``n >= 10 p`` (``p`` at most 2000, so
    ``G`` fits in memory) and every row penalized (no projection of the dual point needed)."""
    n, p = design.shape
    return (
        not sp.issparse(design.X)
        and p <= GRAM_MAX_FEATURES
        and n >= GRAM_MIN_RATIO * p
        and bool(np.all(penalty.is_penalized(p)))
    )


@dataclass
class _GramStats:
    """``G = Xc^T H Xc``, ``C = Xc^T H Yc``, ``yy = ||Yc||_H^2`` and the means, once per data set."""

    G: np.ndarray
    C: np.ndarray
    yy: float
    x_mean: np.ndarray
    y_mean: np.ndarray
    #: the raw scale of ``Yc`` for F_null's rounding
    y_abs: float


def _gram_stats(design: Design, Y: np.ndarray, h: np.ndarray, fit_intercept: bool) -> _GramStats:
    X = np.asarray(design.X)
    h_sum = float(h.sum())
    x_mean = (h @ X) / h_sum if fit_intercept else np.zeros(X.shape[1])
    y_mean = (h @ Y) / h_sum if fit_intercept else np.zeros(Y.shape[1])
    # centred explicitly: G and C then carry the rounding of the centred columns, not of their means
    Xc, Yc = X - x_mean, Y - y_mean
    G = np.asfortranarray(weighted_cross(Xc, h))
    C = Xc.T @ (h[:, None] * Yc)
    return _GramStats(
        G, C, float(h @ np.sum(Yc * Yc, axis=1)), x_mean, y_mean, float(h @ np.sum(np.abs(Yc) * np.abs(Y), axis=1))
    )


class _GramProblem:
    """One fit in the Gram form: the certificate from ``G``, ``C`` and ``yy`` alone."""

    def __init__(self, design: Design, Y: np.ndarray, s: np.ndarray, penalty: L21, fit_intercept: bool, tol: float):
        n, p = design.shape
        self.design, self.Y, self.s, self.penalty, self.fit_intercept = design, Y, s, penalty, fit_intercept
        self.n, self.tol = n, tol
        h = s / n
        st = design.memo(
            design.key("multitask_gram", h, Y, fit_intercept), lambda: _gram_stats(design, Y, h, fit_intercept)
        )
        self.G, self.C, self.yy, self.x_mean, self.y_mean = st.G, st.C, st.yy, st.x_mean, st.y_mean
        self.lips = np.ascontiguousarray(np.diag(st.G))
        self.tau = penalty.zero_threshold(p)
        self.l1 = np.ascontiguousarray(self.tau)
        self.l2 = np.ascontiguousarray(penalty.strong_convexity(p))
        self.f_null = 0.5 * st.yy
        self.threshold = max(tol * self.f_null, 2.0 * (EPS * st.y_abs + n * EPS * self.f_null))
        self._exact: _Problem | None = None

    def q(self, W: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """``Q = C - G W`` (minus the gradient) from scratch, over ``rows`` (default all)."""
        nz = np.flatnonzero(np.any(W != 0.0, axis=1))
        C = self.C if rows is None else self.C[rows]
        if nz.size == 0:
            return C.copy()
        G = self.G[:, nz] if rows is None else self.G[np.ix_(rows, nz)]
        return C - G @ W[nz]

    def certify(self, W: np.ndarray) -> tuple[_Check, np.ndarray]:
        """The certificate at ``W`` and the intercepts.  Where the Gram quantities' rounding alone keeps
        the gap above ``tol`` (data far from centred, or a ``tol`` near machine precision), the residual
        form's certificate from the data is taken instead."""
        cert = _gram_check(W, self.C, self.q(W), self.yy, self.lips, self.penalty, self.n)
        if cert.floor > 0.1 * self.threshold:
            if self._exact is None:
                self._exact = _Problem(self.design, self.Y, self.s, self.penalty, self.fit_intercept, self.tol)
            return self._exact.certify(W)
        return cert, self.y_mean - self.x_mean @ W


def _gram_check(W: np.ndarray, C: np.ndarray, Q: np.ndarray, yy: float, lips: np.ndarray, pen: L21, n: int) -> _Check:
    """The duality gap from Gram quantities (every row penalized), with a bound on its rounding.

    With ``||R||_H^2 = yy - <W, C> - <W, Q>`` and the dual point ``Theta = H R / k`` (``Xc^T Theta = Q /
    k``), the primal minus the dual value is ``||R||_H^2 (1 - 1/k)^2 / 2 + [P(W) + P*(Q/k) - <W, Q>/k]``
    (the multi-task form of :func:`lpnet.certificates.gram_gap`).  ``Q``'s rounding is bounded per row by
    ``dq_j = (n + p) eps sqrt(L_j) (sqrt(yy) + sum_l sqrt(L_l) ||W_l||)`` (Cauchy-Schwarz on each sum of
    products of centred columns); ``k`` is taken ``dq`` larger, so the dual point stays feasible, and the
    rest of ``dq``'s effect goes into the floor.
    """
    p, size = W.shape[0], W.size
    wc, wq = float(np.sum(W * C)), float(np.sum(W * Q))
    rr = max(yy - wc - wq, 0.0)
    w_norms, q_norms = np.linalg.norm(W, axis=1), np.linalg.norm(Q, axis=1)
    root = np.sqrt(lips)
    dq = (n + p) * EPS * root * (math.sqrt(yy) + float(root @ w_norms))
    tau, mu = pen.zero_threshold(p), pen.strong_convexity(p)
    conj_error = 0.0
    if pen.l1_ratio == 1.0:
        scale = max(1.0, float(np.max((q_norms + dq) / tau, initial=0.0)))
        conj = 0.0  # every row of Q / k is inside its ball
    else:
        scale, conj = 1.0, pen.conjugate(Q)
        conj_error = float(np.sum(np.maximum(q_norms - tau, 0.0) * dq / mu))
    value = pen.value(W)
    cross = wq / scale
    gap = 0.5 * rr * (1.0 - 1.0 / scale) ** 2 + value + conj - cross
    floor = EPS * (
        (n + p) * (yy + abs(wc) + abs(wq)) * ((1.0 - 1.0 / scale) ** 2 + EPS)
        + (n + p + size) * (value + conj + abs(cross))
    )
    floor += float(w_norms @ dq) / scale + conj_error
    return _Check(
        gap=max(gap, 0.0) + floor, objective=0.5 * rr + value, grad=Q, scale=scale, floor=floor, grad_error=dq
    )


# --------------------------------------------------------------------------- the working set's subproblem
class _ResidualSub:
    """The working set's subproblem in the residual form: its columns copied together (passes and checks
    read them contiguously), its rows of ``W``, and ``(Y - X W)^T`` with its weighted sums in one buffer
    (``state``, affine in ``W``: what Anderson extrapolation combines)."""

    def __init__(self, prob: _Problem, W: np.ndarray, ws: np.ndarray):
        self.prob = prob
        X = prob.X[:, ws]
        self.X = sp.csc_matrix(X) if sp.issparse(X) else np.asfortranarray(X)
        self.kernel = _kernel(self.X)
        self.W = np.ascontiguousarray(W[ws])
        R, _ = prob.residual(W)
        n, T = R.shape
        self.state = np.empty(T * n + T)
        self.RT = self.state[: T * n].reshape(T, n)
        self.rsum = self.state[T * n :]
        self.RT[:] = R.T
        self.rsum[:] = self.RT @ prob.h
        self.sums, self.lips = prob.sums[ws], prob.lips[ws]
        self.l1, self.l2 = prob.l1[ws], prob.l2[ws]
        self.penalty = prob.penalty.with_weights(prob.penalty.penalty_factors(W.shape[0])[ws])

    def run(self, rows: np.ndarray, n_passes: int) -> None:
        """``n_passes`` block-CD passes over ``rows`` (indices into the working set)."""
        p = self.prob
        if isinstance(self.kernel, tuple):
            data, indices, indptr = self.kernel
            _passes_sparse(
                data, indices, indptr, p.h, self.RT, self.rsum, p.h_sum, self.W, rows, self.sums, self.lips,
                self.l1, self.l2, n_passes,
            )  # fmt: skip
        else:
            _passes_dense(
                self.kernel, p.h, p.h_const, self.RT, self.rsum, p.h_sum, self.W, rows, self.sums, self.lips,
                self.l1, self.l2, n_passes,
            )  # fmt: skip

    def objective(self, W: np.ndarray, state: np.ndarray) -> float:
        """``||R - b||_H^2 / 2 + P(W)`` over the working set (the other rows fixed)."""
        T = W.shape[1]
        RT, rsum = state[:-T].reshape(T, -1), state[-T:]
        sq = float(np.sum((RT * RT) @ self.prob.h))
        if self.prob.fit_intercept:
            sq -= float(rsum @ rsum) / self.prob.h_sum
        return 0.5 * sq + self.penalty.value(W)

    def gap(self) -> float:
        """The subproblem's duality gap at its current point."""
        b = self.rsum[:, None] / self.prob.h_sum if self.prob.fit_intercept else 0.0
        return self.prob.check(self.W, (self.RT - b).T, self.X, self.penalty).gap


class _GramSub:
    """The working set's subproblem in the Gram form: ``G`` restricted to it (Fortran) and ``Q^T`` over its
    rows (``state``, affine in ``W``); its gap costs ``O(|ws| T)``, so it is checked after every pass."""

    def __init__(self, prob: _GramProblem, W: np.ndarray, ws: np.ndarray):
        self.prob = prob
        self.G = np.asfortranarray(prob.G[np.ix_(ws, ws)])
        self.C = prob.C[ws]
        self.W = np.ascontiguousarray(W[ws])
        self.state = np.ascontiguousarray(prob.q(W, ws).T).ravel()
        self.QT = self.state.reshape(W.shape[1], ws.size)
        self.lips, self.l1, self.l2 = prob.lips[ws], prob.l1[ws], prob.l2[ws]
        self.penalty = prob.penalty.with_weights(prob.penalty.penalty_factors(W.shape[0])[ws])

    def run(self, rows: np.ndarray, n_passes: int) -> None:
        _passes_gram(self.G, self.QT, self.W, rows, self.lips, self.l1, self.l2, n_passes)

    def objective(self, W: np.ndarray, state: np.ndarray) -> float:
        QT = state.reshape(W.shape[1], -1)
        return 0.5 * (self.prob.yy - float(np.sum(W * self.C)) - float(np.sum(W * QT.T))) + self.penalty.value(W)

    def gap(self) -> float:
        return _gram_check(self.W, self.C, self.QT.T, self.prob.yy, self.lips, self.penalty, self.prob.n).gap


def _kernel(X: Any) -> Any:
    if sp.issparse(X):
        X.sort_indices()
        return (X.data, X.indices, X.indptr)
    return X


def _inner(sub: _ResidualSub | _GramSub, inner_tol: float) -> int:
    """Block-CD passes over the working set until its own gap is at most ``inner_tol``; the passes made.

    On a working set of ``ANDERSON_MIN_ROWS`` rows or more, the iterates of every ``ANDERSON_K + 1``
    passes are extrapolated (Anderson): the residual (or ``Q``) is affine in ``W``, so the same
    combination of the stored states is the extrapolated point's, and the point is kept only when it
    lowers the objective; the gap is checked after 1, 2 and 4 passes (a warm start often needs no more),
    then after each extrapolation.  A smaller working set's passes are cheaper than that bookkeeping:
    they run in compiled batches of 1, 1, 2, 4, 8, then ``CHECK_EVERY`` passes, each followed by a check.
    In the residual form only every ``FULL_SWEEP_EVERY``-th pass visits the zero rows.  Every decision
    depends on the rows and tasks only, not on the samples: integer weights and repeated rows take the
    same steps.
    """
    m = sub.W.shape[0]
    everything = np.arange(m, dtype=np.int64)
    anderson = m >= ANDERSON_MIN_ROWS
    if anderson:
        w_hist = np.empty((ANDERSON_K + 1, sub.W.size))
        s_hist = np.empty((ANDERSON_K + 1, sub.state.size))
    passes = 0
    while passes < MAX_INNER_PASSES:
        if anderson:
            full = passes % FULL_SWEEP_EVERY == 0
            sub.run(everything if full else np.flatnonzero(np.any(sub.W != 0.0, axis=1)), 1)
            slot = passes % (ANDERSON_K + 1)
            passes += 1
            w_hist[slot] = sub.W.ravel()
            s_hist[slot] = sub.state
            if slot == ANDERSON_K:
                _extrapolate(sub, w_hist, s_hist)
            check = slot == ANDERSON_K or passes in (1, 2, 4)
        else:
            batch = max(1, min(CHECK_EVERY, passes))
            sub.run(everything, batch)
            passes += batch
            check = True
        if check and sub.gap() <= inner_tol:
            break
    return passes


def _extrapolate(sub: _ResidualSub | _GramSub, w_hist: np.ndarray, s_hist: np.ndarray) -> None:
    """Anderson extrapolation of the stored iterates, kept when it lowers the objective."""
    c = anderson_weights(w_hist)
    if c is None:
        return
    W_new, state_new = (c @ w_hist[1:]).reshape(sub.W.shape), c @ s_hist[1:]
    if sub.objective(W_new, state_new) < sub.objective(sub.W, sub.state):
        sub.W[:] = W_new
        sub.state[:] = state_new


def anderson_weights(history: np.ndarray) -> np.ndarray | None:
    """Anderson's weights ``c`` (summing to 1) of the last K iterates among the K+1 rows of ``history``.

    ``min ||sum_k c_k u_k||^2 + lambda ||c||^2`` over ``sum c = 1`` (``u_k = x_{k+1} - x_k``), by the normal
    equations ``(U U^T + lambda I) z = 1``, ``c = z / sum z``, with ``lambda = ANDERSON_RIDGE max_k
    ||u_k||^2``.  The ridge keeps the weights a smooth function of the iterates: without it they amplify
    the iterates' rounding, and fits of equal problems (repeated rows against integer weights) drift
    apart along the flat directions of an ill-posed one.  None when the differences are not finite or
    all zero.
    """
    U = np.diff(history, axis=0)
    C = U @ U.T
    scale = float(np.max(np.diag(C))) if np.all(np.isfinite(C)) else 0.0
    if scale == 0.0:
        return None
    z = np.linalg.solve(C / scale + ANDERSON_RIDGE * np.eye(C.shape[0]), np.ones(C.shape[0]))
    return z / z.sum()


# --------------------------------------------------------------------------- the outer loop
def solve_multitask(
    X: Any,
    Y: np.ndarray,
    penalty: L21,
    *,
    sample_weight: np.ndarray | None = None,
    fit_intercept: bool = True,
    tol: float = 1e-6,
    max_iter: int = 100,
    W0: np.ndarray | None = None,
    strong: np.ndarray | None = None,
    warm_grad: np.ndarray | None = None,
) -> MultiTaskResult:
    """Minimize ``1/(2n) sum_i s_i ||Y_i - x_i W - b||^2 + P(W)`` and certify the answer.

    Parameters
    ----------
    X : ndarray, sparse matrix or Design of shape (n_samples, n_features)
        Validated numeric data; :func:`multitask_design` once for many fits on the same data (the Gram
        form's ``G`` is then computed once).
    Y : ndarray of shape (n_samples, n_tasks)
    penalty : L21
    sample_weight : ndarray of shape (n_samples,), optional
        Summing to ``n_samples`` (validated by the caller); None: all ones.
    fit_intercept : bool
    tol : float
        Stop when the duality gap is at most ``tol * F_null``.
    max_iter : int
        Outer iterations (each ends with a certificate).
    W0 : ndarray of shape (n_features, n_tasks), optional
        Warm start (the intercepts follow from it).
    strong : ndarray of bool of shape (n_features,), optional
        A guess of the rows that may be nonzero (a path's strong set): the first working set.
    warm_grad : ndarray of shape (n_features, n_tasks), optional
        ``Xc^T H R`` at ``W0`` (the previous fit's ``grad``): with ``strong``, the first certificate is skipped.

    Returns
    -------
    MultiTaskResult
    """
    if not isinstance(penalty, L21):
        raise TypeError(f"penalty must be an lpnet L21 row penalty, got {type(penalty).__name__}.")
    design = multitask_design(X)
    n, p = design.shape
    Y = np.asarray(Y, dtype=np.float64)
    T = Y.shape[1]
    s = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    gram = gram_applies(design, penalty)
    prob: _Problem | _GramProblem = (_GramProblem if gram else _Problem)(design, Y, s, penalty, fit_intercept, tol)
    W = np.zeros((p, T)) if W0 is None else np.array(W0, dtype=np.float64).reshape(p, T)
    threshold = prob.threshold
    active = np.ones(p, dtype=bool)  # rows not proved zero
    history: list[float] = []
    n_passes, ws_size, n_outer = 0, 0, 0
    first_ws = None
    if strong is not None and warm_grad is not None:
        first_ws = np.flatnonzero(np.asarray(strong, dtype=bool) | np.any(W != 0.0, axis=1))
    cert = None
    for n_outer in range(1, max_iter + 2):
        if first_ws is not None and n_outer == 1:
            ws = first_ws
            inner_tol = STRONG_RATIO * threshold
        else:
            cert, b = prob.certify(W)
            history.append(cert.gap)
            if cert.gap <= threshold or n_outer > max_iter:
                break
            # gap-safe screening: rows proved zero leave the problem for good
            norms = (np.linalg.norm(cert.grad, axis=1) + cert.grad_error) / cert.scale
            safe = gap_safe_zeros(norms, cert.gap, prob.tau, prob.lips) & active
            if safe.any():
                active &= ~safe
                if np.any(W[safe] != 0.0):
                    W[safe] = 0.0
                    continue  # the residual changed: certify again
            priority = np.divide(norms, prob.tau, out=np.full(p, np.inf), where=prob.tau > 0)
            nonzero = np.any(W != 0.0, axis=1)
            priority[nonzero] = np.inf
            priority[~active] = -np.inf
            ws_size = min(int(active.sum()), max(MIN_WS, 2 * int(nonzero.sum()), ws_size))
            ws = np.sort(np.argpartition(-priority, ws_size - 1)[:ws_size]) if 0 < ws_size < p else np.arange(p)
            ws = ws[active[ws]]
            inner_tol = max(INNER_RATIO * (cert.gap - cert.floor), 0.1 * threshold)
        sub = _GramSub(prob, W, ws) if isinstance(prob, _GramProblem) else _ResidualSub(prob, W, ws)
        n_passes += _inner(sub, inner_tol)
        W[ws] = sub.W
    assert cert is not None
    # exact zeros: rows the final dual point proves zero are set to 0.0 and the point certified again
    if cert.gap <= threshold:
        norms = (np.linalg.norm(cert.grad, axis=1) + cert.grad_error) / cert.scale
        safe = gap_safe_zeros(norms, cert.gap, prob.tau, prob.lips) & np.any(W != 0.0, axis=1)
        if safe.any():
            W[safe] = 0.0
            cert, b = prob.certify(W)
    mu = float(np.min(penalty.strong_convexity(p))) if p else 0.0
    return MultiTaskResult(
        coef=W,
        intercept=np.asarray(b, dtype=np.float64),
        n_iter=n_passes,
        objective=cert.objective,
        dual_gap=cert.gap,
        converged=bool(cert.gap <= threshold),
        grad=cert.grad,
        n_outer=n_outer,
        n_screened=int((~active).sum()),
        coef_error_bound=float(np.sqrt(2.0 * cert.gap / mu)) if mu > 0 else None,
        history=history,
        gap_floor=cert.floor,
        solver="block_cd_gram" if gram else "block_cd",
    )


def multitask_alpha_max(
    X: Any, Y: np.ndarray, penalty: L21, *, sample_weight=None, fit_intercept: bool = True
) -> float:
    """The smallest ``alpha`` at which every penalized row of ``W`` is zero at the optimum.

    With the unpenalized rows at their least-squares fit (residual ``R``), ``max_j ||x_jc^T H R||_2 /
    (l1_ratio v_j)`` over the penalized rows (scikit-learn's ``MultiTaskLasso`` grid starts there).
    """
    design = multitask_design(X)
    Y = np.asarray(Y, dtype=np.float64)
    n = design.shape[0]
    s = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    prob = _Problem(design, Y, s, penalty.with_alpha(1.0), fit_intercept)
    return penalty.alpha_max(prob.certify(np.zeros((design.shape[1], Y.shape[1])))[0].grad)


@dataclass
class MultiTaskPath:
    """Fits along a decreasing grid: ``coefs`` of shape (n_alphas, n_features, n_tasks)."""

    alphas: np.ndarray
    coefs: np.ndarray
    intercepts: np.ndarray
    n_iters: np.ndarray
    gaps: np.ndarray
    converged: np.ndarray


def multitask_path(
    X: Any,
    Y: np.ndarray,
    penalty: L21,
    alphas: np.ndarray,
    *,
    sample_weight=None,
    fit_intercept: bool = True,
    tol: float = 1e-6,
    max_iter: int = 100,
) -> MultiTaskPath:
    """:func:`solve_multitask` at every alpha of a decreasing grid, each fit certified.

    Each fit starts from the previous solution, with the sequential strong rule (Tibshirani et al. 2012,
    row form: ``||G_j|| >= l1_ratio v_j (2 alpha_k - alpha_{k-1})`` at the previous solution) proposing
    its first working set; the outer loop's full check brings back any row the rule left out wrongly.
    """
    design = multitask_design(X)
    Y = np.asarray(Y, dtype=np.float64)
    p, T = design.shape[1], Y.shape[1]
    v = penalty.with_alpha(1.0).zero_threshold(p)  # l1_ratio v_j
    out = MultiTaskPath(
        alphas=np.asarray(alphas, dtype=np.float64),
        coefs=np.zeros((len(alphas), p, T)),
        intercepts=np.zeros((len(alphas), T)),
        n_iters=np.zeros(len(alphas), dtype=np.int64),
        gaps=np.zeros(len(alphas)),
        converged=np.zeros(len(alphas), dtype=bool),
    )
    W, grad, previous = None, None, None
    for k, alpha in enumerate(out.alphas):
        strong = None
        if grad is not None and previous is not None:
            strong = np.linalg.norm(grad, axis=1) >= v * (2.0 * alpha - previous)
        res = solve_multitask(
            design,
            Y,
            penalty.with_alpha(float(alpha)),
            sample_weight=sample_weight,
            fit_intercept=fit_intercept,
            tol=tol,
            max_iter=max_iter,
            W0=W,
            strong=strong,
            warm_grad=grad,
        )
        out.coefs[k], out.intercepts[k], out.n_iters[k] = res.coef, res.intercept, res.n_iter
        out.gaps[k], out.converged[k] = res.dual_gap, res.converged
        W, grad, previous = res.coef, res.grad, float(alpha)
    return out
