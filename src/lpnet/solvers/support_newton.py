"""Face steps for the squared loss with an L1 / L2 / Elastic Net penalty: a linear solve instead of passes.

With every ``P_j(w) = tau_j |w| + mu_j w^2 / 2`` (``Penalty.piecewise_quadratic``) the objective is a
quadratic on each orthant.  Fix the signs ``sigma`` of the coefficients on a *face* (the nonzero ones,
and the unpenalized ones, which have no kink): the best ``w_S`` with those signs (the intercept profiled
out, the other coefficients at zero) solves one linear system,

    (Xc_S^T H Xc_S + diag(mu_S)) w_S = Xc_S^T H yc - tau_S sigma_S,

``Xc``, ``yc`` centred with the weights ``H = diag(s) / n``.  From the current point that is a Newton step
``delta``; along it the objective decreases down to ``delta`` itself, so the step is cut where a
coefficient first reaches zero (it leaves the face, at exactly zero).  A zero coefficient of the working
set whose gradient exceeds its threshold enters with the sign that lowers the objective, and the next
face is solved; a full step with nothing entering is the minimizer of the working set's problem.

Why: near a saturated support (hundreds of correlated features, as many as the rows) coordinate descent
gets the support and signs right long before it gets the values, and the residual's duality gap is
first order in what is left (``sum_j |w_j| |grad_j + tau_j sigma_j + mu_j w_j|``).  A step lands on the
face's minimizer, where that gap is zero up to rounding once the support is right: the certificate is
reached without the hundreds of passes coordinate descent would take to meet it.  A wrong support costs
one step; the certificate's check then brings in what is missing, as before.

The cost: the face's Gram columns, computed once per feature and kept on the data's
:class:`~._design.Design` for every later fit (a path's alphas, a CV fold's grid), and the Cholesky factor
of the face's block, updated as features enter (a triangular solve) and leave (Givens rotations) rather
than factorized afresh.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp
from numba import njit

from ..certificate_kernels import FAST
from . import _cd_kernels as kern
from ._design import kernel_matrix

#: the Gram cache holds at most this many columns (``8 m^2`` bytes); larger supports take no step
MAX_COLUMNS = 4000
#: faces visited per step (each a solve with the active block's factor, updated from the last face's)
MAX_FACES = 20
#: an inactive coefficient enters when its gradient exceeds its threshold by this relative margin
ENTER_MARGIN = 1e-9
#: relative ridge on each diagonal entry of a block: a block singular to rounding (as many features as
#: rows) stays factorizable, and the face's flat directions are cut by the first coefficient to reach zero
RIDGE = 1e-12
#: a factor is updated column by column when fewer columns change than this share of its size
UPDATE_SHARE = 0.25


class SupportGram:
    """``Xc^T H Xc`` over the columns asked for so far, grown as supports grow.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    h : ndarray of shape (n_samples,)
        The weights ``s / n``.
    means : ndarray of shape (n_features,) or None
        The columns' ``h``-weighted means (centring for a free intercept), or None.
    kernel : ndarray or tuple, optional
        ``X`` in the compiled kernels' layout (:func:`~._design.kernel_matrix`), when the caller has it.
    """

    def __init__(self, X, h: np.ndarray, means: np.ndarray | None, kernel=None):
        self.X, self.h, self.means = X, h, means
        self.kernel = kernel_matrix(X) if kernel is None else kernel
        # (the face steps' products read the columns in place, centred by these: zero without intercept)
        self.offsets = np.zeros(X.shape[1]) if means is None else np.ascontiguousarray(means, dtype=np.float64)
        self.position = np.full(X.shape[1], -1, dtype=np.int64)
        self.columns = np.zeros(0, dtype=np.int64)
        self.buffer = np.zeros((0, 0))  # the Gram matrix in its top-left corner, capacity doubled as it grows
        self.factor = FaceFactor()

    @property
    def G(self) -> np.ndarray:
        """The cached Gram matrix, in the order of ``columns``."""
        m = self.columns.size
        return self.buffer[:m, :m]

    def centred(self, features: np.ndarray) -> np.ndarray:
        """The columns ``features`` of ``X``, centred (dense, n_samples x len(features))."""
        block = self.X[:, features]
        block = block.toarray() if sp.issparse(block) else np.asarray(block, dtype=np.float64)
        return block - self.means[features] if self.means is not None else block

    def block(self, features: np.ndarray) -> np.ndarray | None:
        """``Xc_F^T H Xc_F`` for ``features``, or None when the cache would exceed :data:`MAX_COLUMNS`."""
        if not self.hold(features):
            return None
        idx = self.position[features]
        return self.G[np.ix_(idx, idx)]

    def hold(self, features: np.ndarray) -> bool:
        """Compute the columns of ``features`` not cached yet; False when they would exceed the cap."""
        new = features[self.position[features] < 0]
        if new.size:
            m = self.columns.size
            if m + new.size > MAX_COLUMNS:
                return False
            xc = self.centred(new)
            hx = self.h[:, None] * xc
            # (Xc_old^T H x_new = X_old^T H x_new: the new columns are centred, sum_i h_i xc_ij = 0)
            cross = np.asarray(self.X[:, self.columns].T @ hx) if m else np.zeros((0, new.size))
            size = m + new.size
            if size > self.buffer.shape[0]:
                grown = np.empty((min(MAX_COLUMNS, max(2 * size, 64)),) * 2)
                grown[:m, :m] = self.G
                self.buffer = grown
            self.buffer[:m, m:size] = cross
            self.buffer[m:size, :m] = cross.T
            self.buffer[m:size, m:size] = xc.T @ hx
            self.position[new] = np.arange(m, m + new.size)
            self.columns = np.concatenate([self.columns, new])
        return True


class FaceFactor:
    """The Cholesky factor ``R`` (upper, ``R^T R = A``) of ``A = Xc_F^T H Xc_F + diag(mu_F + ridge)`` for an
    ordered set of features ``F``, updated as features enter (a triangular solve) and leave (Givens
    rotations): ``O(|F|^2)`` per change instead of a factorization's ``|F|^3 / 3``.

    ``R`` lives in the top-left corner of a buffer whose capacity doubles as ``F`` grows, and every
    update and solve runs in place there (compiled): a face step changes the factor by one feature at a
    time, and copying a factor of a few hundred features per change cost more than the change.  It stays
    with its :class:`SupportGram` from one step to the next and across fits with the same ``mu`` (a
    Lasso path's alphas: ``mu = 0``), since supports change by a few features at a time.
    """

    def __init__(self):
        self.features = np.zeros(0, dtype=np.int64)
        self.buffer = np.zeros((0, 0), order="F")
        self.mu = np.zeros(0)
        # the array mu was copied from: a fit passes the same one, never changed, to every step
        self._mu_given: np.ndarray | None = None
        #: per feature of the data, its position in ``features`` (-1: not in the factor)
        self.slot = np.zeros(0, dtype=np.int64)

    def sync(self, gram: SupportGram, features: np.ndarray, mu: np.ndarray) -> bool:
        """Make the factor that of ``features`` (any order kept internally); False when ``A`` is singular."""
        self._track(gram.position.shape[0])
        # membership by a boolean mask and the slots (np.isin sorts: it cost more than the update)
        wanted = np.zeros(gram.position.shape[0], dtype=bool)
        wanted[features] = True
        keep = wanted[self.features]
        new = features[self.slot[features] < 0]
        same_mu = mu is self._mu_given or (self.mu.shape == mu.shape and np.array_equal(self.mu, mu))
        if same_mu:  # (a path's next alpha passes an equal array: compared once, not at every face)
            self._mu_given = mu
        changes = int((~keep).sum()) + new.size
        if not same_mu or changes > UPDATE_SHARE * max(features.size, 1) or not gram.hold(features):
            return self._factor(gram, features, mu)
        # (from the end: earlier positions stay valid)
        m = drop_all(self.buffer, self.features.size, np.flatnonzero(~keep)[::-1])
        self.slot[self.features[~keep]] = -1
        self.features = self.features[keep]
        self._reserve(m + new.size)
        if append_columns(self.buffer, gram.G, gram.position[self.features], gram.position[new], mu[new]) < new.size:
            return self._factor(gram, features, mu)  # one is dependent on the others to rounding
        self.features = np.concatenate([self.features, new])
        self.slot[self.features] = np.arange(self.features.size)
        return True

    def _track(self, n_features: int) -> None:
        """The slots sized for data of ``n_features`` features."""
        if self.slot.shape[0] != n_features:
            self.slot = np.full(n_features, -1, dtype=np.int64)
            self.slot[self.features] = np.arange(self.features.size)

    def _reserve(self, size: int) -> None:
        if size > self.buffer.shape[0]:
            grown = np.zeros((max(2 * size, 64),) * 2, order="F")
            m = self.features.size
            grown[:m, :m] = self.buffer[:m, :m]
            self.buffer = grown

    def _factor(self, gram: SupportGram, features: np.ndarray, mu: np.ndarray) -> bool:
        self._track(gram.position.shape[0])
        self.slot[self.features] = -1
        self.features, self.mu, self._mu_given = np.zeros(0, dtype=np.int64), mu.copy(), mu
        G = gram.block(features)
        if G is None:
            return False
        A = G + np.diag(mu[features])
        A[np.diag_indices_from(A)] *= 1.0 + RIDGE
        try:
            R = sla.cholesky(A, lower=False, check_finite=False)
        except np.linalg.LinAlgError:
            return False
        self._reserve(features.size)
        self.buffer[: features.size, : features.size] = R
        self.features = features.copy()
        self.slot[self.features] = np.arange(self.features.size)
        return True

    def solve(self, features: np.ndarray, rhs: np.ndarray) -> np.ndarray:
        """``A^{-1} rhs`` with ``rhs`` (and the result) in the order of ``features``."""
        where = self.slot[features]
        x = np.empty(self.features.size)
        x[where] = rhs
        cholesky_solve(self.buffer, self.features.size, x)
        return x[where]


# the triangular solves run with fast-math: reassociation lets LLVM vectorise their inner products
# (measured: the Toeplitz Lasso path 9% faster, the same objectives to 12 digits)
@njit(cache=True, nogil=True, fastmath=FAST)
def forward_solve(R: np.ndarray, m: int, b: np.ndarray) -> None:
    """``b <- R^{-T} b`` for the upper triangle of ``R[:m, :m]`` (column access: ``R`` in Fortran order)."""
    for i in range(m):
        total = 0.0
        for k in range(i):
            total += R[k, i] * b[k]
        b[i] = (b[i] - total) / R[i, i]


@njit(cache=True, nogil=True, fastmath=FAST)
def cholesky_solve(R: np.ndarray, m: int, b: np.ndarray) -> None:
    """``b <- (R^T R)^{-1} b`` in place, ``R`` the upper triangle of ``R[:m, :m]``."""
    forward_solve(R, m, b)
    for i in range(m - 1, -1, -1):
        b[i] /= R[i, i]
        x = b[i]
        for k in range(i):
            b[k] -= R[k, i] * x


@njit(cache=True, nogil=True, fastmath=FAST)
def append_column(R: np.ndarray, m: int, column: np.ndarray, floor: float) -> bool:
    """Grow the factor of ``R[:m, :m]`` by one feature whose block column (its diagonal entry last) is
    ``column``; False, leaving the factor as it was, when the new pivot is not above ``floor``."""
    u = column[:m].copy()
    forward_solve(R, m, u)
    rest = column[m] - np.dot(u, u)
    if not rest > floor:
        return False
    R[:m, m] = u
    R[m, m] = np.sqrt(rest)
    return True


@njit(cache=True, nogil=True, fastmath=FAST)
def append_columns(R: np.ndarray, G: np.ndarray, rows: np.ndarray, new: np.ndarray, mu: np.ndarray) -> int:
    """Grow the factor of the features at Gram positions ``rows`` (``R[:m, :m]``, ``m = len(rows)``) by
    those at positions ``new`` in turn (:func:`append_column`, their ``mu`` added to the diagonal): one
    compiled call per face, not one per feature.  Returns how many entered: all, or those before the
    first one dependent on the others to rounding."""
    m = rows.shape[0]
    order = np.empty(m + new.shape[0], dtype=np.int64)
    order[:m] = rows
    for k in range(new.shape[0]):
        p = new[k]
        order[m] = p
        column = np.empty(m + 1)
        for a in range(m + 1):
            column[a] = G[order[a], p]
        column[m] += mu[k] + RIDGE * column[m]
        if not append_column(R, m, column, float(RIDGE * column[m])):
            return k
        m += 1
    return new.shape[0]


@njit(cache=True, nogil=True)
def drop_all(R: np.ndarray, m: int, positions: np.ndarray) -> int:
    """:func:`drop_in_place` for each of ``positions`` (in decreasing order); returns the new size."""
    for k in positions:
        drop_in_place(R, m, k)
        m -= 1
    return m


@njit(cache=True, nogil=True)
def drop_in_place(R: np.ndarray, m: int, k: int) -> None:
    """The factor of ``R[:m, :m]`` with feature ``k`` removed, left in ``R[:m-1, :m-1]``: its column
    deleted (the later ones shifted left) and the rows below re-triangularized by Givens rotations."""
    for j in range(k, m - 1):
        for i in range(j + 2):
            R[i, j] = R[i, j + 1]
    for i in range(k, m - 1):
        a, b = R[i, i], R[i + 1, i]
        r = np.hypot(a, b)
        if r == 0.0:
            continue
        c, s = a / r, b / r
        for j in range(i, m - 1):
            t1, t2 = R[i, j], R[i + 1, j]
            R[i, j] = c * t1 + s * t2
            R[i + 1, j] = c * t2 - s * t1


def support_step(
    gram: SupportGram, w: np.ndarray, r: np.ndarray, tau: np.ndarray, mu: np.ndarray, candidates: np.ndarray
) -> tuple[np.ndarray | None, bool]:
    """The new ``w`` after up to :data:`MAX_FACES` face steps over ``candidates`` (None: no step taken),
    and whether it is the minimizer of the problem restricted to ``candidates``.

    ``r`` is the current residual ``y - X w - b``; the intercept that goes with the new ``w`` is the
    weighted mean of the new residual (the caller updates both).  Each round lets the zero coefficients of
    ``candidates`` whose gradient exceeds their threshold enter with the sign that lowers the objective,
    then steps toward the minimizer of the face, cut where a coefficient first reaches zero (it leaves the
    face, set to exactly zero).  The objective decreases at every round in exact arithmetic; the caller
    compares the objectives anyway, rounding being what it is.  It stops at the minimizer of the problem
    restricted to ``candidates`` (a full step, no coefficient entering), or when a block is singular.
    """
    h = gram.h
    wc = w[candidates].copy()
    if not wc.any():
        return None, False
    X, offsets = gram.kernel, gram.offsets
    tc, mc = tau[candidates], mu[candidates]
    # the residual moved along the centred columns (the intercept follows implicitly: every gradient
    # below is taken with centred columns, blind to a constant).  The products read the columns in place:
    # gathering the candidates' block cost a tenth of the steps (the Toeplitz Lasso path)
    r = np.array(r, dtype=np.float64)
    # an unpenalized coefficient (tau = 0) has no kink at zero: always on the face, never cut
    kinked = tc > 0
    sigma = np.where(kinked, np.sign(wc), 1.0)
    barred = np.zeros(wc.shape[0], dtype=bool)  # left the face with no progress: not re-entered
    moved = exact = full = False
    smooth = None
    for _ in range(MAX_FACES):
        if smooth is None:  # (a face cut before it moved leaves the gradient as it was)
            smooth = mc * wc - kern.subset_xt_centred(X, candidates, h, r, offsets)
        violating = (sigma == 0) & (np.abs(smooth) > tc * (1.0 + ENTER_MARGIN))
        entering = violating & ~barred
        if full and not entering.any():
            # the restricted problem's minimizer: a full step, and no coefficient violates (a barred
            # one that does leaves the step short of it)
            exact = not violating.any()
            break
        sigma[entering] = -np.sign(smooth[entering])
        active = np.flatnonzero(sigma)
        if not gram.factor.sync(gram, candidates[active], mu):
            break  # a block singular beyond its ridge, or past the cache's cap: no step
        delta = -gram.factor.solve(candidates[active], smooth[active] + tc[active] * sigma[active])
        if not np.all(np.isfinite(delta)):
            break
        wa = wc[active]
        # cut the step where a coefficient first leaves its sign (one that just entered: at once, t = 0)
        crossing = np.flatnonzero((np.sign(wa + delta) != sigma[active]) & kinked[active])
        ratios = -wa[crossing] / delta[crossing]
        t = float(ratios.min()) if crossing.size else 1.0
        if t > 0.0:
            wc[active] += t * delta
            kern.subset_axpy_centred(X, candidates[active], t * delta, r, offsets)
            smooth = None
            moved = True
        full = not crossing.size
        if full:
            continue
        hit = active[crossing[ratios <= t]]
        if t > 0.0:
            # the remainders of the coefficients leaving the face
            kern.subset_axpy_centred(X, candidates[hit], -wc[hit], r, offsets)
        wc[hit] = 0.0
        sigma[hit] = 0.0
        barred[hit] |= t == 0.0
    if not moved:
        return None, exact
    new_w = w.copy()
    new_w[candidates] = wc
    return new_w, exact
