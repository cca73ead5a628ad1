"""Numba kernels of coordinate descent on a weighted least-squares model.

Every coordinate-descent solver of lpnet reduces its work to the same subproblem, restricted to a working
set ``ws`` of features:

    minimize_{w, b}  1/2 sum_i h_i (t_i - x_i w - b)^2 + sum_{j in ws} P_j(w_j)

The squared loss uses ``t = y, h = s / n``; proximal Newton for the logistic loss uses the Newton
(IRLS) weights and working response.  The kernels keep the residual ``R = t - X w - b`` up to date and
receive the penalty only as compiled scalar functions (``prox``, ``dist``, ``value``): they never know
which penalty they run.

``X`` is either a Fortran-ordered 2-D array or a ``(data, indices, indptr)`` tuple of a CSC matrix; the
two column primitives below are specialised by numba on that type, so one kernel serves both.  The sparse
loops index with unsigned integers: numba checks a signed index for wraparound (a negative one counts from
the end), a branch per entry that kept LLVM from vectorising the gathers (measured on the tf-idf 5000 x
50 000 matrix: ``X^T r`` 40% faster, a Lasso fit at alpha_max / 100 a third faster).
"""

from __future__ import annotations

import numpy as np
from numba import njit, types
from numba.extending import overload

# the fast-math flags (reassociation vectorises the column reductions) are shared with the compiled
# certificates, which run inside these loops
from ..certificate_kernels import FAST
from ..penalties.prox import box_distance, box_prox


def col_dot(X, j, h, r):  # pragma: no cover - replaced by the overload inside numba
    """``sum_i X_ij h_i r_i``."""
    raise NotImplementedError


def col_axpy(X, j, a, r):  # pragma: no cover - replaced by the overload inside numba
    """``r -= a * X[:, j]``."""
    raise NotImplementedError


@overload(col_dot)
def _col_dot(X, j, h, r):
    if isinstance(X, types.Array):

        def dense(X, j, h, r):
            acc = 0.0
            for i in range(X.shape[0]):
                acc += X[i, j] * h[i] * r[i]
            return acc

        return dense

    def csc(X, j, h, r):
        data, indices, indptr = X
        acc = 0.0
        for k in range(np.uint64(indptr[j]), np.uint64(indptr[j + 1])):
            i = np.uint64(indices[k])
            acc += data[k] * h[i] * r[i]
        return acc

    return csc


@overload(col_axpy)
def _col_axpy(X, j, a, r):
    if isinstance(X, types.Array):

        def dense(X, j, a, r):
            for i in range(X.shape[0]):
                r[i] -= a * X[i, j]

        return dense

    def csc(X, j, a, r):
        data, indices, indptr = X
        for k in range(np.uint64(indptr[j]), np.uint64(indptr[j + 1])):
            r[np.uint64(indices[k])] -= a * data[k]

    return csc


def col_dot_centred(X, j, h, r, mean, total):  # pragma: no cover - replaced by the overload
    """``sum_i (X_ij - mean) h_i r_i``, with ``h = None`` for unit weights (``total = sum_i h_i r_i``,
    used by the sparse form)."""
    raise NotImplementedError


def _weight(h, i):  # pragma: no cover - replaced by the overload inside numba
    """``h[i]``, or 1.0 for ``h = None`` (the product by 1.0 compiles away: no load of a weight)."""
    raise NotImplementedError


@overload(_weight)
def _weight_impl(h, i):
    if isinstance(h, types.NoneType):
        return lambda h, i: 1.0
    return lambda h, i: h[i]


@overload(col_dot_centred)
def _col_dot_centred(X, j, h, r, mean, total):
    if isinstance(X, types.Array):

        def dense(X, j, h, r, mean, total):
            # the differences X_ij - mean are exact for a column of tiny spread (no cancellation)
            acc = 0.0
            for i in range(X.shape[0]):
                acc += (X[i, j] - mean) * _weight(h, i) * r[i]
            return acc

        return dense

    def csc(X, j, h, r, mean, total):
        data, indices, indptr = X
        acc = 0.0
        for k in range(np.uint64(indptr[j]), np.uint64(indptr[j + 1])):
            i = np.uint64(indices[k])
            acc += data[k] * _weight(h, i) * r[i]
        return acc - mean * total

    return csc


def col_axpy_centred(X, j, a, r, mean):  # pragma: no cover - replaced by the overload inside numba
    """``r -= a * (X[:, j] - mean)``."""
    raise NotImplementedError


@overload(col_axpy_centred)
def _col_axpy_centred(X, j, a, r, mean):
    if isinstance(X, types.Array):

        def dense(X, j, a, r, mean):
            for i in range(X.shape[0]):
                r[i] -= a * (X[i, j] - mean)

        return dense

    def csc(X, j, a, r, mean):
        # a centred sparse column is dense: O(n), paid only by columns with a large mean
        data, indices, indptr = X
        for k in range(np.uint64(indptr[j]), np.uint64(indptr[j + 1])):
            r[np.uint64(indices[k])] -= a * data[k]
        shift = a * mean
        for i in range(r.shape[0]):
            r[i] += shift

    return csc


def _col_dot_sq(X, j, h):  # pragma: no cover - replaced by the overload inside numba
    """``sum_i h_i X_ij^2``."""
    raise NotImplementedError


@overload(_col_dot_sq)
def _col_dot_sq_impl(X, j, h):
    if isinstance(X, types.Array):

        def dense(X, j, h):
            acc = 0.0
            for i in range(X.shape[0]):
                acc += h[i] * X[i, j] * X[i, j]
            return acc

        return dense

    def csc(X, j, h):
        data, indices, indptr = X
        acc = 0.0
        for k in range(np.uint64(indptr[j]), np.uint64(indptr[j + 1])):
            acc += h[np.uint64(indices[k])] * data[k] * data[k]
        return acc

    return csc


@njit(cache=True, nogil=True, fastmath=FAST)
def col_sq_norms(X, h, n_features, cols):
    """``L_j = sum_i h_i X_ij^2`` for the columns ``cols`` (0 for the others): the coordinate-wise
    Lipschitz constants."""
    out = np.zeros(n_features)
    for j in cols:
        out[j] = _col_dot_sq(X, j, h)
    return out


def _col_centred(X, j, h, h_sum):  # pragma: no cover - replaced by the overload inside numba
    """``(sum_i h_i X_ij, sum_i h_i (X_ij - mean_j)^2)`` with ``mean_j`` the h-weighted mean."""
    raise NotImplementedError


@overload(_col_centred)
def _col_centred_impl(X, j, h, h_sum):
    if isinstance(X, types.Array):

        def dense(X, j, h, h_sum):
            total = 0.0
            for i in range(X.shape[0]):
                total += h[i] * X[i, j]
            mean = total / h_sum
            acc = 0.0
            for i in range(X.shape[0]):
                d = X[i, j] - mean
                acc += h[i] * d * d
            return total, acc

        return dense

    def csc(X, j, h, h_sum):
        data, indices, indptr = X
        total = 0.0
        h_nz = 0.0
        for k in range(np.uint64(indptr[j]), np.uint64(indptr[j + 1])):
            total += h[np.uint64(indices[k])] * data[k]
            h_nz += h[np.uint64(indices[k])]
        mean = total / h_sum
        acc = mean * mean * max(h_sum - h_nz, 0.0)  # the rows where X_ij = 0
        for k in range(np.uint64(indptr[j]), np.uint64(indptr[j + 1])):
            d = data[k] - mean
            acc += h[np.uint64(indices[k])] * d * d
        return total, acc

    return csc


#: a column is updated with its intercept (centred) when mean^2 > CENTRE_RATIO * variance: beyond that its
#: raw Lipschitz constant overstates the curvature by more than 10%
CENTRE_RATIO = 0.1


def coordinate_moments(X, h, n_features, fit_intercept, cols=None):
    """``(means, sums, lips)`` for :func:`solve_subproblem` under weights ``h``, of the columns ``cols``
    (default all; the others get zeros, which the kernels skip: a Newton step needs its working set's).

    Columns whose mean is large beside their spread (``mean^2 > CENTRE_RATIO * variance``: a year, a
    price) are updated together with the intercept, with their centred Lipschitz constant; the others
    (standardized data, sparse counts) keep the plain coordinate update with the raw constant, their
    trajectory unchanged.  Either choice is a valid block coordinate descent; the centred one is what
    makes an uncentred feature converge at all.  Without an intercept every column is plain.
    """
    cols = np.arange(n_features, dtype=np.int64) if cols is None else cols
    if not fit_intercept:
        zeros = np.zeros(n_features)
        return zeros, zeros, col_sq_norms(X, h, n_features, cols)
    means, sums, centred = centred_moments(X, h, n_features, cols)
    raw = centred + h.sum() * means**2  # the uncentred constant, without its cancellation
    # a constant column leaves only the rounding of its mean, (eps mean)^2 per row: it never moves (its
    # step would be 1 / rounding)
    eps = np.finfo(np.float64).eps
    centred = np.where(centred <= 16 * h.shape[0] * eps**2 * raw, 0.0, centred)
    plain = means**2 <= CENTRE_RATIO * centred
    return np.where(plain, 0.0, means), sums, np.where(plain, raw, centred)


@njit(cache=True, nogil=True, fastmath=FAST)
def centred_moments(X, h, n_features, cols):
    """Per column of ``cols`` the h-weighted mean and sum, and ``sum_i h_i (X_ij - mean_j)^2`` (zeros
    for the other columns).

    The last one is the coordinate Lipschitz constant of a fit with a free intercept (coordinate descent
    on the centred column), computed about the mean: subtracting ``sum(h) mean^2`` from the raw sum of
    squares would cancel for a column with a large mean and a small spread.
    """
    h_sum = h.sum()
    means, sums, lips = np.zeros(n_features), np.zeros(n_features), np.zeros(n_features)
    for j in cols:
        sums[j], lips[j] = _col_centred(X, j, h, h_sum)
        means[j] = sums[j] / h_sum
    return means, sums, lips


def col_dot_plain(X, j, r):  # pragma: no cover - replaced by the overload inside numba
    """``sum_i X_ij r_i``."""
    raise NotImplementedError


@overload(col_dot_plain)
def _col_dot_plain_impl(X, j, r):
    if isinstance(X, types.Array):

        def dense(X, j, r):
            acc = 0.0
            for i in range(X.shape[0]):
                acc += X[i, j] * r[i]
            return acc

        return dense

    def csc(X, j, r):
        data, indices, indptr = X
        acc = 0.0
        for k in range(np.uint64(indptr[j]), np.uint64(indptr[j + 1])):
            acc += data[k] * r[np.uint64(indices[k])]
        return acc

    return csc


@njit(cache=True, nogil=True)
def gather_rows(X, rows):
    """``X[rows]`` of a Fortran-ordered ``X``, written in Fortran order, column by column."""
    out = np.empty((X.shape[1], rows.shape[0])).T
    for j in range(X.shape[1]):
        for i in range(rows.shape[0]):
            out[i, j] = X[rows[i], j]
    return out


@njit(cache=True, nogil=True, fastmath=FAST)
def xt_dot(X, r, n_features):
    """``X^T r`` for dense or CSC ``X`` (the full gradient of every certificate)."""
    out = np.empty(n_features)
    for j in range(n_features):
        out[j] = col_dot_plain(X, j, r)
    return out


def xt_dot_centred(X, r, means, n_features):  # pragma: no cover - replaced by the overload inside numba
    """``(X - means)^T r`` without forming ``X - means``: ``X^T r`` for a ``r`` summing to zero, free of
    the cancellation a column's large mean causes in the plain product (dense data; sparse columns,
    rarely far from zero on average, take ``X^T r - means sum(r)``)."""
    raise NotImplementedError


# numba's typing stub for jit_options omits "cache", which numba accepts
@overload(xt_dot_centred, jit_options={"cache": True})  # type: ignore[typeddict-unknown-key]
def _xt_dot_centred(X, r, means, n_features):
    def both(X, r, means, n_features):
        total = r.sum()
        out = np.empty(n_features)
        for j in range(n_features):
            out[j] = col_dot_centred(X, j, None, r, means[j], total)
        return out

    return both


def xt_dot_centred_pair(X, r, u, means, n_features):  # pragma: no cover - replaced by the overload
    """``(X - means)^T r`` and ``(X - means)^T u`` in one pass over ``X`` (two products a certificate
    needs together: its gradient and, for the logistic loss, its projection's direction)."""
    raise NotImplementedError


# numba's typing stub for jit_options omits "cache", which numba accepts
@overload(xt_dot_centred_pair, jit_options={"cache": True})  # type: ignore[typeddict-unknown-key]
def _xt_dot_centred_pair(X, r, u, means, n_features):
    if isinstance(X, types.Array):

        def dense(X, r, u, means, n_features):
            out_r, out_u = np.empty(n_features), np.empty(n_features)
            for j in range(n_features):
                acc_r = acc_u = 0.0
                for i in range(X.shape[0]):
                    x = X[i, j] - means[j]
                    acc_r += x * r[i]
                    acc_u += x * u[i]
                out_r[j], out_u[j] = acc_r, acc_u
            return out_r, out_u

        return dense

    def csc(X, r, u, means, n_features):
        data, indices, indptr = X
        total_r, total_u = r.sum(), u.sum()
        out_r, out_u = np.empty(n_features), np.empty(n_features)
        for j in range(n_features):
            acc_r = acc_u = 0.0
            for k in range(np.uint64(indptr[j]), np.uint64(indptr[j + 1])):
                acc_r += data[k] * r[np.uint64(indices[k])]
                acc_u += data[k] * u[np.uint64(indices[k])]
            out_r[j], out_u[j] = acc_r - means[j] * total_r, acc_u - means[j] * total_u
        return out_r, out_u

    return csc


@njit(cache=True, nogil=True, fastmath=FAST)
def centred_xt_pair(X, r, u, means, n_features):
    """Compiled entry point of :func:`xt_dot_centred_pair`."""
    return xt_dot_centred_pair(X, r, u, means, n_features)


@njit(cache=True, nogil=True, fastmath=FAST)
def centred_xt(X, r, means, n_features):
    """Compiled entry point of :func:`xt_dot_centred`."""
    return xt_dot_centred(X, r, means, n_features)


@njit(cache=True, nogil=True, fastmath=FAST)
def weighted_xt(X, h, r, n_features):
    """``X^T (h * r)``, the gradient's matrix-vector product, for dense or CSC ``X``."""
    out = np.empty(n_features)
    for j in range(n_features):
        out[j] = col_dot(X, j, h, r)
    return out


@njit(cache=True, nogil=True, fastmath=FAST)
def _update_intercept(h, r, h_sum):
    # exact minimization in b: b += sum h r / sum h
    delta = 0.0
    for i in range(r.shape[0]):
        delta += h[i] * r[i]
    delta /= h_sum
    for i in range(r.shape[0]):
        r[i] -= delta
    return delta


@njit(cache=True, nogil=True, fastmath=FAST)
def _epoch(X, h, h_const, w, r, lips, ws, prox, dist, value, v, params, lower, upper, convex, means, sums, pieces):
    """One cyclic pass over ``ws``; returns the largest ``L_j |change of w_j|`` and ``shift``.

    That is the largest proximal-gradient step residual of the pass, in gradient units: while it is
    above the tolerance the (costlier) subdifferential check cannot pass either, so it gates the check.

    A column with ``means[j] != 0`` is updated jointly with the intercept: ``w_j`` moves by ``delta``
    and the intercept by ``-delta mean_j``, i.e. ``r -= delta (x_j - mean_j)``, a step of coordinate
    descent on the centred column with its centred Lipschitz constant (in ``lips``).  Without it a feature
    with a large mean (a year, a price) takes steps smaller by ``mean^2 / variance`` and barely moves;
    computed on ``x_j - mean_j`` rather than through the mean (``X_ij r_i`` sums, or a running offset),
    the update has no cancellation even at a mean of 1e7 with a spread of 1e-6.  The intercept's total
    move, ``-shift``, is returned.  Other columns take the plain step with the intercept fixed, which
    moves ``resid_sum = sum_i h_i r_i`` by ``-delta sums_j`` (``sums_j = sum_i h_i x_ij``).

    ``h_const > 0`` says every ``h_i`` equals it (no sample weights, the common case): the column
    products then skip the weight array, one load in three of the inner loop (measured on 400-row dense
    columns with their means: 100 against 125 ns a coordinate, its update included).

    ``pieces = (tau, mu)`` for a penalty whose every ``P_j(w) = tau_j |w| + mu_j w^2 / 2``
    (``Penalty.piecewise_quadratic``), empty arrays otherwise: its prox is then a soft threshold scaled
    down, computed here rather than called through the kernel's address, which the compiler cannot
    inline (a pass over 100 000 sparse columns of ten nonzeros: L1 34 against 44 ns a coordinate, L2 31
    against 37; with a branching soft threshold L2 took 44).
    """
    max_change = 0.0
    shift = 0.0
    resid_sum = 0.0
    for i in range(r.shape[0]):
        resid_sum += h[i] * r[i]
    tau, mu = pieces
    inline = tau.shape[0] > 0
    for j in ws:
        if lips[j] == 0.0:
            continue
        old = w[j]
        centred = means[j] != 0.0
        if centred and h_const > 0.0:  # (resid_sum / h_const: the plain sum of r)
            grad = -h_const * col_dot_centred(X, j, None, r, means[j], resid_sum / h_const)
        elif centred:
            grad = -col_dot_centred(X, j, h, r, means[j], resid_sum)
        elif h_const > 0.0:
            grad = -h_const * col_dot_plain(X, j, r)
        else:
            grad = -col_dot(X, j, h, r)
        x = old - grad / lips[j]
        if inline:  # (the soft threshold without branches: the sign of x is a coin toss under a ridge)
            step = 1.0 / lips[j]
            t = step * tau[j]
            new = (max(x - t, 0.0) + min(x + t, 0.0)) / (1.0 + step * mu[j])
        else:
            new = prox(x, 1.0 / lips[j], v[j], params.ctypes)
        if not lower[j] <= new <= upper[j]:  # (the hot loop: unbounded, it stays a bare prox call)
            new = box_prox(prox, dist, value, x, 1.0 / lips[j], v[j], params, lower[j], upper[j], convex)
        if new != old:
            delta = new - old
            if centred:
                col_axpy_centred(X, j, delta, r, means[j])
                shift += delta * means[j]
            else:
                col_axpy(X, j, delta, r)
                resid_sum -= delta * sums[j]
            w[j] = new
            max_change = max(max_change, lips[j] * abs(delta))
    return max_change, shift


@njit(cache=True, nogil=True, fastmath=FAST)
def _ws_objective(h, r, w, ws, value, v, params):
    obj = 0.0
    for i in range(r.shape[0]):
        obj += 0.5 * h[i] * r[i] * r[i]
    for j in ws:
        obj += value(w[j], v[j], params.ctypes)
    return obj


@njit(cache=True, nogil=True, fastmath=FAST)
def _ws_violation(X, h, h_const, w, r, ws, dist, v, params, lower, upper, mu, with_sum, pieces):
    # the largest distance over ws and, with_sum, the Fenchel-Young bound sum_j d_j^2 / (2 mu_j); the
    # distance inline for a piecewise quadratic penalty off its box (see _epoch)
    worst = 0.0
    total = 0.0
    tau, curv = pieces
    inline = tau.shape[0] > 0
    for j in ws:
        grad = -h_const * col_dot_plain(X, j, r) if h_const > 0.0 else -col_dot(X, j, h, r)
        wj = w[j]
        if inline and lower[j] < wj < upper[j]:
            if wj == 0.0:
                d = max(abs(grad) - tau[j], 0.0)
            else:
                d = abs(grad + tau[j] * np.sign(wj) + curv[j] * wj)
        else:
            d = box_distance(dist, wj, grad, v[j], params, lower[j], upper[j])
        worst = max(worst, d)
        if with_sum:
            total += d * d / (2.0 * mu[j])
    return worst, total


@njit(cache=True, nogil=True, fastmath=FAST)
def anderson_extrapolate(history):
    """Anderson extrapolation of the last K+1 iterates (rows of ``history``).

    Solves ``min ||sum_k c_k (x_{k+1} - x_k)||`` subject to ``sum c = 1`` through the normal equations
    ``(U U^T) z = 1, c = z / sum z``.  Returns the extrapolated point, or an empty array when the system
    is too ill-conditioned to trust.
    """
    K = history.shape[0] - 1
    U = history[1:] - history[:-1]
    C = U @ U.T
    if not np.all(np.isfinite(C)):  # iterates that overflowed: nothing to extrapolate from
        return np.empty(0)
    scale = 0.0
    for k in range(K):
        scale = max(scale, C[k, k])
    if scale == 0.0:
        return np.empty(0)
    C = C / scale
    for k in range(K):
        C[k, k] += 1e-10
    z = np.linalg.solve(C, np.ones(K))
    total = z.sum()
    if not np.isfinite(total) or abs(total) < 1e-12:
        return np.empty(0)
    c = z / total
    out = np.zeros(history.shape[1])
    for k in range(K):
        out += c[k] * history[k + 1]
    return out


@njit(cache=True, nogil=True, fastmath=FAST)
def _outside_target(X, r, w, b, ws):
    # t - X_out w_out = r + X_ws w_ws + b: the target left to the working set
    t = r + b
    for j in ws:
        if w[j] != 0.0:
            col_axpy(X, j, -w[j], t)
    return t


@njit(cache=True, nogil=True, fastmath=FAST)
def _residual(X, t, w, b, ws, r):
    # r = t - X_ws w_ws - b, recomputed from scratch (used after an extrapolation step)
    for i in range(r.shape[0]):
        r[i] = t[i] - b
    for j in ws:
        if w[j] != 0.0:
            col_axpy(X, j, w[j], r)


def subset_dot_centred(X, cols, v, means):  # pragma: no cover - replaced by the overload inside numba
    """``(X[:, cols] - means[cols])^T v``."""
    raise NotImplementedError


# numba's typing stub for jit_options omits "cache", which numba accepts
@overload(subset_dot_centred, jit_options={"cache": True})  # type: ignore[typeddict-unknown-key]
def _subset_dot_centred(X, cols, v, means):
    if isinstance(X, types.Array):

        def dense(X, cols, v, means):
            # four columns per sweep over v, on the differences X_ij - mean_j (no cancellation): a single
            # column's loop waits on its one sum (measured on 500 rows x 700 columns: 43 us, against 52
            # for one column at a time and 38 for BLAS on the gathered block, whose gather took 250)
            m, n = cols.shape[0], X.shape[0]
            out = np.empty(m)
            k = 0
            while k + 4 <= m:
                j0, j1, j2, j3 = cols[k], cols[k + 1], cols[k + 2], cols[k + 3]
                m0, m1, m2, m3 = means[j0], means[j1], means[j2], means[j3]
                a0 = a1 = a2 = a3 = 0.0
                for i in range(n):
                    a0 += (X[i, j0] - m0) * v[i]
                    a1 += (X[i, j1] - m1) * v[i]
                    a2 += (X[i, j2] - m2) * v[i]
                    a3 += (X[i, j3] - m3) * v[i]
                out[k], out[k + 1], out[k + 2], out[k + 3] = a0, a1, a2, a3
                k += 4
            for rest in range(k, m):  # (a dense column's product uses no total)
                out[rest] = col_dot_centred(X, cols[rest], None, v, means[cols[rest]], 0.0)
            return out

        return dense

    def csc(X, cols, v, means):
        total = v.sum()
        out = np.empty(cols.shape[0])
        for k in range(cols.shape[0]):
            out[k] = col_dot_centred(X, cols[k], None, v, means[cols[k]], total)
        return out

    return csc


@njit(cache=True, nogil=True, fastmath=FAST)
def centred_subset_xt(X, cols, v, means):
    """Compiled entry point of :func:`subset_dot_centred` (a certificate's product on part of the features)."""
    return subset_dot_centred(X, cols, v, means)


@njit(cache=True, nogil=True, fastmath=FAST)
def subset_xt_centred(X, cols, h, r, means):
    """``(X[:, cols] - means[cols])^T (h r)`` read in place (no gather of the columns), dense or CSC."""
    return subset_dot_centred(X, cols, h * r, means)


@njit(cache=True, nogil=True, fastmath=FAST)
def subset_axpy_centred(X, cols, coef, r, means):
    """``r -= (X[:, cols] - means[cols]) coef`` in place, skipping zero coefficients, dense or CSC."""
    for k in range(cols.shape[0]):
        j = cols[k]
        if coef[k] == 0.0:
            continue
        if means[j] == 0.0:
            col_axpy(X, j, coef[k], r)
        else:
            col_axpy_centred(X, j, coef[k], r, means[j])


@njit(cache=True, nogil=True, fastmath=FAST)
def subset_product(X, cols, coef, b, n_rows):
    """``X[:, cols] coef + b`` for dense or CSC ``X``, without gathering the columns."""
    out = np.full(n_rows, b)
    for k in range(cols.shape[0]):
        col_axpy(X, cols[k], -coef[k], out)
    return out


@njit(cache=True, nogil=True, fastmath=FAST)
def _constant_weight(h):
    # the common value of h, or 0.0 when the weights differ (see _epoch)
    for i in range(1, h.shape[0]):
        if h[i] != h[0]:
            return 0.0
    return h[0]


@njit(cache=True, nogil=True, fastmath=FAST)
def solve_subproblem(
    X,
    t,
    h,
    w,
    b,
    r,
    lips,
    ws,
    prox,
    dist,
    value,
    v,
    params,
    lower,
    upper,
    convex,
    fit_intercept,
    tol,
    max_epochs,
    anderson_k,
    means,
    sums,
    mu,
    gap_target,
    pieces,
    forcing=0.0,
):
    """Coordinate descent on the working-set subproblem, with Anderson acceleration.

    ``w`` (full length), ``r`` are updated in place; ``b`` is returned.  Features outside ``ws`` keep
    their values (their contribution is inside ``t - r``).  Stops when the largest distance to the
    subdifferential over ``ws`` is at most ``tol``.  ``means``, ``sums`` and the centred ``lips`` come
    from :func:`centred_moments` (see :func:`_epoch`); without an intercept ``means`` is zero.

    As glmnet does, the passes alternate between the whole working set and its nonzero part: after a
    pass over ``ws`` that still moved, passes run over the nonzero coefficients only until they settle
    (zeros that stay zero cost a column product each and change nothing), then ``ws`` is swept again to
    let new features in.  Only a pass over the whole of ``ws`` that moves less than ``tol`` leads to the
    subdifferential check.  Penalties without a kink at zero keep every coefficient nonzero, so for
    them every pass is a full one.  ``lower``, ``upper`` are the box (``-inf`` / ``inf`` where open),
    ``convex`` the penalty's ``is_convex``: each coordinate step is :func:`box_prox`.

    ``gap_target > 0`` (every ``mu_j > 0``: each ``P_j`` is ``mu_j``-strongly convex) also stops it once
    ``sum_j d_j^2 / (2 mu_j)`` over ``ws`` is at most ``gap_target``: that sum bounds the duality gap at
    the residual where ``ws`` holds every feature that moves (the coordinates' Fenchel-Young gaps), and
    it meets the target long before the largest distance meets ``tol``; the passes are then gated at
    ``max(tol, sqrt(2 gap_target min mu))``, the largest distance the target allows.

    ``pieces``: ``(tau, mu)`` of a piecewise quadratic penalty, or two empty arrays (see :func:`_epoch`).

    ``forcing > 0`` makes the solve inexact on purpose (a Newton step's model, rough far from the
    optimum): the tolerance becomes ``max(tol, forcing * s1)``, ``s1`` the largest step of the first pass.

    Returns ``(b, n_epochs)``: every pass counts, a pass over the nonzero part included.
    """
    h_sum = h.sum()
    h_const = _constant_weight(h)
    if fit_intercept:  # start at the best intercept: the epochs' centred steps assume it
        b += _update_intercept(h, r, h_sum)
    n_ws = ws.shape[0]
    history = np.empty((anderson_k + 1, n_ws + 1))
    n_stored = 0
    epoch = 0
    # the part of the target explained by features outside the working set, which stays fixed: taken at
    # the first extrapolation (it costs half a pass, and most solves along a path end before one)
    t_ws = np.empty(0)
    swept = ws  # what the next pass runs over: ws, or its nonzero part
    with_sum = gap_target > 0.0
    gate = tol
    if with_sum:
        lowest = np.inf
        for k in range(n_ws):
            lowest = min(lowest, mu[ws[k]])
        gate = max(tol, np.sqrt(2.0 * gap_target * lowest))
    for epoch in range(1, max_epochs + 1):  # noqa: B007 - returned: the passes it took
        step, shift = _epoch(
            X, h, h_const, w, r, lips, swept, prox, dist, value, v, params, lower, upper, convex, means, sums, pieces
        )
        if epoch == 1:
            tol = max(tol, forcing * step)
            gate = max(gate, tol)
        if fit_intercept:  # the centred steps moved the intercept by -shift; then its exact update
            b += _update_intercept(h, r, h_sum) - shift

        if swept.shape[0] < n_ws:  # a pass over the nonzero part: once settled, sweep ws again
            if step <= gate:
                swept = ws
        else:
            if step <= gate:
                worst, total = _ws_violation(
                    X, h, h_const, w, r, ws, dist, v, params, lower, upper, mu, with_sum, pieces
                )
                if worst <= tol or (with_sum and total <= gap_target):
                    break
                if with_sum:  # the sum goes as the steps squared: check again where it should pass
                    gate = max(tol, min(gate, step * np.sqrt(gap_target / total)))
            nonzero = ws[w[ws] != 0.0]
            if nonzero.shape[0] < n_ws:
                swept = nonzero

        # Anderson acceleration on (w_ws, b); checked after, so the point returned is a prox step's
        if anderson_k > 0:
            for k in range(n_ws):
                history[n_stored, k] = w[ws[k]]
            history[n_stored, n_ws] = b
            n_stored += 1
            if n_stored == anderson_k + 1:
                n_stored = 0
                extra = anderson_extrapolate(history)
                if extra.shape[0] > 0:
                    if t_ws.shape[0] == 0:
                        t_ws = _outside_target(X, r, w, b, ws)
                    w_old = np.empty(n_ws)
                    for k in range(n_ws):
                        w_old[k] = w[ws[k]]
                    obj_old = _ws_objective(h, r, w, ws, value, v, params)
                    for k in range(n_ws):  # (kept inside the box: the objective below omits its indicator)
                        w[ws[k]] = min(max(extra[k], lower[ws[k]]), upper[ws[k]])
                    b_try = extra[n_ws] if fit_intercept else b
                    r_try = np.empty_like(r)
                    _residual(X, t_ws, w, b_try, ws, r_try)
                    if fit_intercept:
                        b_try += _update_intercept(h, r_try, h_sum)
                    if _ws_objective(h, r_try, w, ws, value, v, params) < obj_old:
                        r[:] = r_try
                        b = b_try
                    else:
                        for k in range(n_ws):
                            w[ws[k]] = w_old[k]
    return b, epoch
