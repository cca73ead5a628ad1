"""Numba kernels of the multinomial solver: block coordinate descent over feature rows on the quadratic
model of the multinomial loss.

At ``Z`` (probabilities ``P``, gradient ``G = dD/dZ``, ``c_i = s_i / n``) the loss is replaced by

    sum_i g_i . dz_i + 1/2 dz_i^T H_i dz_i,      H_i = c_i (diag(p_i) - p_i p_i^T),   dz_i = x_i dW + db,

(or, majorizing, ``H_i = c_i / 2 I``, Böhning's bound).  Its gradient in ``Z``, ``M = G + H dZ``, is kept up
to date: a change ``delta`` of row ``j`` moves ``M_i`` by ``c_i x_ij (p_i * delta - p_i (p_i . delta))``.
Row ``j`` sees the K-dimensional problem ``u . d + 1/2 d^T H_j d + P_j(w_j + d)`` with ``u = X_j^T M``
and ``H_j = sum_i x_ij^2 H_i``, solved exactly (to ``tol``) in K-space at ``O(K^2)`` per sweep: by
coordinate descent with the penalty's scalar prox (entrywise penalties), or by proximal gradient with
block soft-thresholding (the grouped L21 penalty).  Each row costs ``O(n K)`` per pass for ``u`` and for
``M``; the working set's ``H_j`` are computed once per model by one matrix product (:func:`row_hessians`).

``X`` is a Fortran-ordered array or a CSC ``(data, indices, indptr)`` tuple, as in ``_cd_kernels``.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numba import njit, types
from numba.extending import overload

from ..certificate_kernels import FAST

#: sweeps of the K-dimensional row problem per visit of the row
ROW_SWEEPS = 50


def row_hessians(X, ws, c, P, majorize: bool) -> np.ndarray:
    """``H_j = sum_i x_ij^2 H_i`` for the rows ``ws``, shape ``(len(ws), K, K)``, as one product
    ``(X_ws^2)^T C`` with ``C_i = c_i (diag(p_i) - p_i p_i^T)`` flattened (or ``c_i / 2 I``, majorizing)."""
    n, K = P.shape
    Xw = X[:, ws]
    squares = Xw.multiply(Xw).tocsc() if sp.issparse(Xw) else np.asarray(Xw) ** 2
    if majorize:
        C = np.zeros((n, K, K))
        C[:, np.arange(K), np.arange(K)] = 0.5 * c[:, None]
    else:
        C = -(c[:, None, None] * P[:, :, None]) * P[:, None, :]
        C[:, np.arange(K), np.arange(K)] += c[:, None] * P
    return np.ascontiguousarray(np.asarray(squares.T @ C.reshape(n, K * K)).reshape(len(ws), K, K))


def row_grad(X, j, M, out):  # pragma: no cover - replaced by the overload inside numba
    """``out_k = sum_i X_ij M_ik``."""
    raise NotImplementedError


@overload(row_grad)
def _row_grad(X, j, M, out):
    if isinstance(X, types.Array):

        def dense(X, j, M, out):
            out[:] = 0.0
            K = M.shape[1]
            for i in range(X.shape[0]):
                x = X[i, j]
                if x != 0.0:
                    for k in range(K):
                        out[k] += x * M[i, k]

        return dense

    def csc(X, j, M, out):
        data, indices, indptr = X
        out[:] = 0.0
        K = M.shape[1]
        for q in range(indptr[j], indptr[j + 1]):
            i, x = indices[q], data[q]
            for k in range(K):
                out[k] += x * M[i, k]

    return csc


def row_apply(X, j, c, P, delta, M, dZ, majorize):  # pragma: no cover - replaced by the overload
    """``dZ_i += x_ij delta`` and ``M_i += (H_i x_ij delta)`` for every sample."""
    raise NotImplementedError


@njit(cache=True, nogil=True, fastmath=FAST, inline="always")
def _apply_one(i, x, c, P, delta, M, dZ, majorize):
    K = M.shape[1]
    if majorize:
        for k in range(K):
            dZ[i, k] += x * delta[k]
            M[i, k] += 0.5 * c[i] * x * delta[k]
        return
    dot = 0.0
    for k in range(K):
        dot += P[i, k] * delta[k]
    for k in range(K):
        dZ[i, k] += x * delta[k]
        M[i, k] += c[i] * x * P[i, k] * (delta[k] - dot)


@overload(row_apply)
def _row_apply(X, j, c, P, delta, M, dZ, majorize):
    if isinstance(X, types.Array):

        def dense(X, j, c, P, delta, M, dZ, majorize):
            for i in range(X.shape[0]):
                x = X[i, j]
                if x != 0.0:
                    _apply_one(i, x, c, P, delta, M, dZ, majorize)

        return dense

    def csc(X, j, c, P, delta, M, dZ, majorize):
        data, indices, indptr = X
        for q in range(indptr[j], indptr[j + 1]):
            _apply_one(indices[q], data[q], c, P, delta, M, dZ, majorize)

    return csc


@njit(cache=True, nogil=True, fastmath=FAST, inline="always")
def _hess_one(i, x, c, P, H, majorize):
    K = H.shape[0]
    w = c[i] * x * x
    if majorize:
        for k in range(K):
            H[k, k] += 0.5 * w
        return
    for k in range(K):
        pk = w * P[i, k]
        H[k, k] += pk
        for m in range(K):
            H[k, m] -= pk * P[i, m]


@njit(cache=True, nogil=True, fastmath=FAST)
def _intercept_model(c, P, M, majorize):
    # gradient (sum_i M_i) and Hessian (sum_i H_i) of the model in the intercepts
    n, K = M.shape
    u = np.zeros(K)
    H = np.zeros((K, K))
    for i in range(n):
        for k in range(K):
            u[k] += M[i, k]
        _hess_one(i, 1.0, c, P, H, majorize)
    return u, H


@njit(cache=True, nogil=True, fastmath=FAST)
def _entry_row(w, u, H, prox, v, params, tol):
    """Coordinate descent on ``u . d + 1/2 d^T H d + sum_k P(w_k + d_k)``; returns the new row.

    ``v < 0`` marks the intercept (no penalty)."""
    K = w.shape[0]
    new = w.copy()
    q = u.copy()  # the row problem's gradient u + H (new - w)
    for _ in range(ROW_SWEEPS):
        worst = 0.0
        for k in range(K):
            h = H[k, k]
            if h <= 0.0:
                continue
            target = new[k] - q[k] / h
            x = target if v < 0.0 else prox(target, 1.0 / h, v, params.ctypes)
            d = x - new[k]
            if d != 0.0:
                new[k] = x
                for m in range(K):
                    q[m] += H[m, k] * d
                worst = max(worst, h * abs(d))
        if worst <= tol:
            break
    return new


@njit(cache=True, nogil=True, fastmath=FAST)
def _group_row(w, u, H, lam1, lam2, tol):
    """Proximal gradient on ``u . d + 1/2 d^T H d + lam1 ||w + d|| + lam2 / 2 ||w + d||^2`` (step: the
    Gershgorin bound of ``H``); each step is a block soft-thresholding.  Returns the new row."""
    K = w.shape[0]
    L = 0.0
    for k in range(K):
        acc = 0.0
        for m in range(K):
            acc += abs(H[k, m])
        L = max(L, acc)
    if L <= 0.0:
        return w.copy()
    new = w.copy()
    target = np.empty(K)
    for _ in range(ROW_SWEEPS):
        norm = 0.0
        for k in range(K):
            g = u[k]
            for m in range(K):
                g += H[k, m] * (new[m] - w[m])
            target[k] = new[k] - g / L
            norm += target[k] * target[k]
        norm = np.sqrt(norm)
        keep = 0.0
        if norm > lam1 / L:
            keep = (1.0 - lam1 / (L * norm)) / (1.0 + lam2 / L)
        moved = 0.0
        for k in range(K):
            x = keep * target[k]
            moved += (x - new[k]) ** 2
            new[k] = x
        if L * np.sqrt(moved) <= tol:
            break
    return new


@njit(cache=True, nogil=True, fastmath=FAST)
def row_subproblem(
    X,
    G,
    c,
    P,
    hessians,
    W,
    b,
    ws,
    prox,
    dist,
    v,
    params,
    lam1,
    lam2,
    grouped,
    convex,
    fit_intercept,
    majorize,
    tol,
    max_epochs,
):
    """Block coordinate descent over the rows ``ws`` (and the intercepts) on the quadratic model.

    ``hessians[a]`` is row ``ws[a]``'s ``H_j`` (:func:`row_hessians`).  ``W`` ``(p, K)`` and ``b`` ``(K,)`` are
    updated in place; returns ``(dZ, epochs)`` with ``dZ = X dW + db``.
    Entrywise penalties pass their compiled ``prox``/``dist`` kernels, factors ``v``, ``params`` and
    whether they are ``convex``;
    the grouped penalty passes ``lam1 = alpha l1_ratio v`` and ``lam2 = alpha (1 - l1_ratio) v``.  Stops
    when a full pass moves no row by more than ``tol`` (in gradient units) and every row of ``ws`` is
    within ``tol`` of the model's optimality conditions.
    """
    n, K = G.shape
    M = G.copy()
    dZ = np.zeros((n, K))
    u = np.zeros(K)
    delta = np.zeros(K)
    Hb = np.zeros((K, K))
    if fit_intercept:
        u, Hb = _intercept_model(c, P, M, majorize)
    epoch = 0
    for epoch in range(1, max_epochs + 1):  # noqa: B007 - returned
        worst = 0.0
        if fit_intercept:
            u[:] = 0.0
            for i in range(n):
                for k in range(K):
                    u[k] += M[i, k]
            new = _entry_row(b, u, Hb, prox, -1.0, params, 0.1 * tol)
            moved = 0.0
            for k in range(K):
                delta[k] = new[k] - b[k]
                moved = max(moved, abs(delta[k]))
            if moved > 0.0:
                for k in range(K):
                    b[k] = new[k]
                for i in range(n):
                    _apply_one(i, 1.0, c, P, delta, M, dZ, majorize)
        for a in range(ws.shape[0]):
            j = ws[a]
            row_grad(X, j, M, u)
            row_zero = True
            for k in range(K):
                if W[j, k] != 0.0:
                    row_zero = False
            if row_zero and convex:
                # a zero row that its threshold keeps at zero needs no Hessian (a non-convex prox may
                # jump away from a zero that is stationary: those rows always take their step)
                if grouped:
                    norm = 0.0
                    for k in range(K):
                        norm += u[k] * u[k]
                    if np.sqrt(norm) <= lam1[j]:
                        continue
                else:
                    stays = True
                    for k in range(K):
                        if dist(0.0, u[k], v[j], params.ctypes) > 0.0:
                            stays = False
                    if stays:
                        continue
            H = hessians[a]
            w = W[j].copy()
            if grouped:
                new = _group_row(w, u, H, lam1[j], lam2[j], 0.1 * tol)
            else:
                new = _entry_row(w, u, H, prox, v[j], params, 0.1 * tol)
            moved = 0.0
            for k in range(K):
                delta[k] = new[k] - w[k]
                moved = max(moved, H[k, k] * abs(delta[k]))
            if moved > 0.0:
                for k in range(K):
                    W[j, k] = new[k]
                row_apply(X, j, c, P, delta, M, dZ, majorize)
                worst = max(worst, moved)
        if worst <= tol and _model_violation(X, M, W, ws, dist, v, params, lam1, lam2, grouped, u) <= tol:
            break
    return dZ, epoch


@njit(cache=True, nogil=True, fastmath=FAST)
def _model_violation(X, M, W, ws, dist, v, params, lam1, lam2, grouped, u):
    # the largest distance to the subdifferential of the model over ws (rows for the grouped penalty)
    K = M.shape[1]
    worst = 0.0
    for a in range(ws.shape[0]):
        j = ws[a]
        row_grad(X, j, M, u)
        if grouped:
            norm_w = 0.0
            for k in range(K):
                norm_w += W[j, k] * W[j, k]
            norm_w = np.sqrt(norm_w)
            acc = 0.0
            if norm_w == 0.0:
                for k in range(K):
                    acc += u[k] * u[k]
                worst = max(worst, np.sqrt(acc) - lam1[j])
            else:
                for k in range(K):
                    d = u[k] + (lam1[j] / norm_w + lam2[j]) * W[j, k]
                    acc += d * d
                worst = max(worst, np.sqrt(acc))
        else:
            for k in range(K):
                worst = max(worst, dist(W[j, k], u[k], v[j], params.ctypes))
    return worst
