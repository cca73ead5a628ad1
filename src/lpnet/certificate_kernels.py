"""The certificates' compiled loops: the rounding scales of ``X``, the convex penalty's pass over the
features, the bounds of a partial certificate and the squared loss's Gram gap (see
:mod:`lpnet.certificates`, which drives them), with the floating-point constants they share."""

from __future__ import annotations

import numpy as np
from numba import njit

#: numba's fast-math flags for the compiled loops (the solvers' kernels use these too, so a certificate
#: computed inside their loops rounds as they do).  Reassociation lets LLVM vectorise the reductions
#: (2-4x faster); nothing is assumed about NaN or inf, so finiteness checks stay meaningful.
FAST = {"reassoc", "contract", "arcp", "nsz"}
#: float64's machine epsilon (``np.finfo`` builds an object at each call: microseconds per certificate)
EPS = float(np.finfo(np.float64).eps)


@njit(cache=True, nogil=True)
def dense_scales(X: np.ndarray, means: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(max_j |x_ij| per row, ||x_j - means_j|| per column)`` of dense ``X`` in one pass, no copy."""
    n, p = X.shape
    row_max = np.zeros(n)
    norms = np.empty(p)
    for j in range(p):
        mean = means[j]
        total = 0.0
        for i in range(n):
            x = float(X[i, j])
            row_max[i] = max(row_max[i], abs(x))
            total += (x - mean) * (x - mean)
        norms[j] = np.sqrt(total)
    return row_max, norms


@njit(cache=True, nogil=True)
def sparse_scales(
    data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, n_rows: int, means: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`dense_scales` of a CSC matrix from its arrays: a column's implicit zeros add
    ``(n_rows - nnz_j) means_j^2`` to its centred squared norm."""
    p = indptr.shape[0] - 1
    row_max = np.zeros(n_rows)
    norms = np.empty(p)
    for j in range(p):
        mean = means[j]
        total = 0.0
        for k in range(indptr[j], indptr[j + 1]):
            x = float(data[k])
            i = indices[k]
            row_max[i] = max(row_max[i], abs(x))
            total += (x - mean) * (x - mean)
        total += (n_rows - (indptr[j + 1] - indptr[j])) * mean * mean
        norms[j] = np.sqrt(total)
    return row_max, norms


@njit(cache=True, nogil=True, fastmath=FAST)
def sample_rounding(y_scale, z, row_max, w, b):
    """Per sample ``eps (y_scale_i + |z_i| + row_max_i ||w||_1 + |b|)`` (see
    :meth:`lpnet.certificates.Certifier.residual_rounding`), with no temporaries: a solver asks for it
    at every certificate and every check of its running prediction (on 50 000 coefficients numpy's
    ``|w|`` and its sum took 21 us, this sum 4 us: reassociated, and so vectorised, under ``FAST``)."""
    l1 = 0.0
    for j in range(w.shape[0]):
        l1 += abs(w[j])
    out = np.empty(z.shape[0])
    for i in range(z.shape[0]):
        out[i] = EPS * (y_scale[i] + abs(z[i]) + row_max[i] * l1 + abs(b))
    return out


@njit(cache=True, nogil=True)
def safe_zeros(dual_xt, radius_sq, tau, lips, keep):
    """``sqrt(lips_j radius_sq) + |dual_xt_j| < keep tau_j`` per feature, with no temporaries (the test of
    :func:`lpnet.certificates.gap_safe_zeros`; four numpy passes took 0.3 ms on 100 000 features)."""
    out = np.empty(dual_xt.shape[0], dtype=np.bool_)
    for j in range(dual_xt.shape[0]):
        out[j] = np.sqrt(lips[j] * radius_sq) + abs(dual_xt[j]) < tau[j] * keep
    return out


@njit(cache=True, nogil=True, fastmath=FAST)
def certificate_pass(w, grad, xt_theta, v, tau, params, col_norms, radius, dist, dual_ratio, conjugate, value, open_):
    """A convex separable penalty's share of a certificate, in one pass over the features.

    Returns ``(distance, c, P*(X^T theta / c), c', P*(z' / c'), P(w))``: the subdifferential distances
    of ``-grad``, the dual scaling ``c`` of ``X^T theta`` (the largest ``dual_ratio`` over the penalized
    features, at least 1) with the conjugate there, the same for ``z' = X^T theta`` moved away from zero
    by its rounding bound ``radius ||x_j||`` (the rounding floor's second dual value, see
    ``Certifier._rounding_floor``), and the penalty's value.  ``dist``, ``dual_ratio``, ``conjugate`` and
    ``value`` are the penalty's compiled scalar kernels, ``v`` its factors, ``tau`` its thresholds at
    zero, ``params`` its packed parameters.

    ``P_j`` is convex with its minimum 0 at 0 and ``dP_j(0) = [-tau_j, tau_j]``: a zero coefficient's
    distance is ``max(|grad_j| - tau_j, 0)``, and ``P_j*`` vanishes on ``[-tau_j, tau_j]``, where no
    rescaling is needed either, so the kernels are called on the support and on the features outside
    their thresholds only (along a sparse path, a few hundred of tens of thousands).

    ``open_``: None, or the only features that can contribute (a partial certificate's, see
    :func:`bounded_products`: every other one is a zero coefficient proved inside its threshold, whose
    distance is 0 and whose ``grad_j`` is not read).
    """
    # first the plain loop, which gathers the features that need a kernel: a loop with indirect calls in
    # it runs about three times slower even where they are skipped
    p = w.shape[0]
    visits = p if open_ is None else open_.shape[0]
    # (the features a partial certificate leaves out are zeros inside their thresholds: distance 0)
    distance = np.empty(p) if open_ is None else np.zeros(p)
    calls = np.empty(visits, dtype=np.int64)
    n_calls = 0
    for k in range(visits):
        j = k
        if open_ is not None:
            j = open_[k]
        distance[j] = max(abs(grad[j]) - tau[j], 0.0)
        if w[j] != 0.0 or abs(xt_theta[j]) + radius * col_norms[j] > tau[j]:
            calls[n_calls] = j
            n_calls += 1
    scale = shifted_scale = 1.0
    penalty_value = 0.0  # (every P_j vanishes at 0: the support's terms are the sum)
    for k in range(n_calls):
        j = calls[k]
        if w[j] != 0.0:
            distance[j] = dist(w[j], grad[j], v[j], params.ctypes)
            penalty_value += value(w[j], v[j], params.ctypes)
        if params[0] * v[j] > 0.0:  # (the free features are projected out of X^T theta)
            z = xt_theta[j]
            shifted = z + np.sign(z) * radius * col_norms[j]
            if abs(shifted) > tau[j]:  # (|z| <= |shifted|)
                shifted_scale = max(shifted_scale, dual_ratio(shifted, v[j], params.ctypes))
                if abs(z) > tau[j]:
                    scale = max(scale, dual_ratio(z, v[j], params.ctypes))
    conj = shifted_conj = 0.0
    for k in range(n_calls):
        j = calls[k]
        if params[0] * v[j] > 0.0:
            z = xt_theta[j]
            shifted = z + np.sign(z) * radius * col_norms[j]
            if abs(shifted / shifted_scale) > tau[j]:
                shifted_conj += conjugate(shifted / shifted_scale, v[j], params.ctypes)
            if abs(z / scale) > tau[j]:
                conj += conjugate(z / scale, v[j], params.ctypes)
    return distance, scale, conj, shifted_scale, shifted_conj, penalty_value


@njit(cache=True, nogil=True, fastmath=FAST)
def bounded_products(ref, t, distance, col_norms, means, spread, slack, raw_sum, shift, tau, w, radius):
    """Bounds of ``|grad_j|`` and ``|x_j^T theta|`` from a reference product, and the features they leave open.

    ``ref = X^T r'`` (``x_j`` centred), ``t`` and ``distance = ||r - t r'||``; for any ``t``,

        |x_j^T r| <= |t ref_j| + ||x_j|| distance + slack (||x_j|| + spread |mean_j|)

    (Cauchy-Schwarz; the last term the two products' rounding: ``||x_j|| + sqrt(n) |mean_j|`` bounds
    the uncentred norm, and with ``spread = 2 sqrt(n)`` the sparse product's ``mean_j sum(r)`` is
    covered too).  Then ``grad_j = x_j^T r + mean_j sum(r)`` and ``X^T theta = -X^T r - shift`` (the
    projection's move).  Open: a nonzero ``w_j``, a bound above ``tau_j`` (for ``X^T theta`` with its
    rounding radius ``radius ||x_j||`` added, as :func:`certificate_pass` tests it), or a bound that is
    not a number.  Returns ``grad`` (NaN: the caller writes the open features' values), the bound of
    ``|X^T theta|`` per feature and the open features' indices.
    """
    p = ref.shape[0]
    grad = np.empty(p)
    xt_theta = np.empty(p)
    open_ = np.empty(p, dtype=np.int64)
    m = 0
    for j in range(p):
        norm = col_norms[j]
        # (1 + 16 eps: the bound's own few roundings, upward)
        bound = (abs(t * ref[j]) + norm * distance + slack * (norm + spread * abs(means[j]))) * (1.0 + 16.0 * EPS)
        g = bound + abs(means[j] * raw_sum)
        z = bound + abs(shift[j])
        grad[j] = np.nan
        xt_theta[j] = z
        # (written always, counted when open: no branch in the loop; NaN bounds count as open)
        open_[m] = j
        m += (w[j] != 0.0) | (not (g <= tau[j])) | (not (z + radius * norm <= tau[j]))
    return grad, xt_theta, open_[:m]


@njit(cache=True, nogil=True, fastmath=FAST)
def gram_gap(w, c, q, yy, value, conjugate, dual_ratio, v, params):
    """``(gap, objective, k)`` of the squared loss from its Gram quantities, for a penalty with dual kernels.

    With ``h = s / n``, data centred by their weighted means, ``c = Xc^T H yc``, ``q = c - G w`` (minus
    the gradient in ``w``) and ``yy = yc.H.yc``: ``||R||_H^2 = yy - w.c - w.q``.  At the feasible dual
    point ``theta = H R / k`` (``k >= 1`` the smallest rescaling into the conjugate's domain; ``sum theta
    = 0`` since R is centred) the dual objective is ``(w.q + ||R||_H^2) / k - ||R||_H^2 / (2 k^2) -
    P*(q / k)``.  Subtracted from the primal ``||R||_H^2 / 2 + P(w)`` it gives

        gap = ||R||_H^2 (1 - 1/k)^2 / 2  +  [P(w) + P*(q / k) - w.q / k],

    two non-negative terms (the second is Fenchel-Young's), free of the cancellation of ``||R||_H^2``
    against the data's variance, so no pass over X is needed.  ``value``, ``conjugate`` and
    ``dual_ratio`` are the penalty's compiled scalar kernels, ``v`` its factors, ``params`` its packed
    parameters; every feature must be penalized.
    """
    wq = w @ q
    rr = max(yy - w @ c - wq, 0.0)
    scale = 1.0
    for j in range(w.shape[0]):
        scale = max(scale, dual_ratio(q[j], v[j], params.ctypes))
    penalty = conj = 0.0
    for j in range(w.shape[0]):
        penalty += value(w[j], v[j], params.ctypes)
        conj += conjugate(q[j] / scale, v[j], params.ctypes)
    return 0.5 * rr * (1.0 - 1.0 / scale) ** 2 + penalty + conj - wq / scale, 0.5 * rr + penalty, scale
