"""Cox proportional hazards: the negative log partial likelihood of survival times with censoring.

With survival times ``t_i``, event indicators ``delta_i`` (1: the event was observed, 0: censored), sample
weights ``s_i`` summing to ``n`` and the linear predictor (log relative risk) ``z = X w``, Breslow's form is

    D(z) = 1/n sum_i s_i delta_i [ -z_i + log sum_{j: t_j >= t_i} s_j exp(z_j) ],

and Efron's correction for tied event times replaces, for the ``m`` events (of weight ``W`` in all) tied at a
time ``t``, the ``m`` equal terms ``log S(t)`` by ``sum_{l<m} log(S(t) - l/m E(t))`` with the mean weight
``W/m`` each (``E``: the events' own ``sum s_j exp(z_j)``), as R's ``survival::coxph`` and glmnet weight it.
Without ties both are the same.  ``D`` is invariant to a constant shift of ``z``: the model has no intercept.

The datafit is not separable (each risk set couples its samples), but solvers see it only through ``z``:
its gradient, the diagonal of its Hessian (the IRLS weights glmnet's Cox solver uses) and a diagonal
majorizer of the Hessian are all computed in ``O(n)`` after one sort by time, which is cached per target.
The sums run in log space (streaming log-sum-exp), so no ``exp(z)`` overflows.
"""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np
from numba import njit

from .base import Datafit

TIES = ("breslow", "efron")
_SHAPE_FIX = (
    "the Cox model needs survival times and events, got a target of shape {shape}: pass a structured array "
    "(sksurv.util.Surv.from_arrays(event, time)) or an (n_samples, 2) array of columns (time, event)."
)
#: distinct targets whose sort by time is kept (a path, its CV folds and their held-out parts)
_SORT_CACHE_SIZE = 16


# ------------------------------------------------------------------------------------------------ kernels
@njit(cache=True, nogil=True)
def _add_log(m, acc, v):
    """Streaming log-sum-exp: ``(m, acc)`` stands for ``exp(m) * acc``; add ``exp(v)``."""
    if v == -np.inf:
        return m, acc
    if v > m:
        return v, acc * math.exp(m - v) + 1.0
    return m, acc + math.exp(v - m)


@njit(cache=True, nogil=True)
def _log_of(m, acc):
    return m + math.log(acc) if acc > 0.0 else -np.inf


@njit(cache=True, nogil=True)
def _group_sums(r, m):
    """Efron's sums over ``l < m`` with ``q = l/m``: ``(1/m) sum 1/(1 - q r)``, ``(1/m) sum q/(1 - q r)``,
    ``(1/m) sum 1/(1 - q r)^2``, ``(1/m) sum (2q - q^2)/(1 - q r)^2`` and ``(1/m) sum log(1 - q r)``."""
    alpha = gamma = beta = eta = logs = 0.0
    for ell in range(m):
        q = ell / m
        inv = 1.0 / (1.0 - q * r)
        alpha += inv
        gamma += q * inv
        beta += inv * inv
        eta += (2.0 * q - q * q) * inv * inv
        logs += math.log1p(-q * r)
    return alpha / m, gamma / m, beta / m, eta / m, logs / m


@njit(cache=True, nogil=True)
def _cox_terms_linear(order, starts, z, s, d, efron, want_derivatives):
    """:func:`_cox_terms` with the sums in linear space, ``exp(z - max z)``: one ``exp`` per sample.  The
    last output is False (nothing computed) where a risk set underflows; the log-space form then runs."""
    n = z.shape[0]
    n_groups = starts.shape[0] - 1
    shift = -np.inf
    for j in range(n):
        if s[j] > 0.0 and z[j] > shift:
            shift = z[j]
    u = np.zeros(n)
    for j in range(n):
        if s[j] > 0.0:
            u[j] = s[j] * math.exp(z[j] - shift)
    risk = np.zeros(n_groups)
    total = 0.0
    for g in range(n_groups - 1, -1, -1):
        for p in range(starts[g], starts[g + 1]):
            total += u[order[p]]
        risk[g] = total
    grad = np.zeros(n)
    curv = np.zeros(n)
    value = 0.0
    big_a = big_b = 0.0
    for g in range(n_groups):
        weight, count, ev = 0.0, 0, 0.0
        for p in range(starts[g], starts[g + 1]):
            j = order[p]
            if d[j] > 0.0 and s[j] > 0.0:
                weight += s[j]
                count += 1
                value -= s[j] * z[j]
                ev += u[j]
        c_g = d_g = 0.0
        if count > 0:
            if not risk[g] > 1e-150:  # (1/S^2 must not overflow)
                return value, grad, curv, False
            alpha, gamma, beta, eta, logs = 1.0, 0.0, 1.0, 0.0, 0.0
            if efron and count > 1:
                alpha, gamma, beta, eta, logs = _group_sums(min(ev / risk[g], 1.0), count)
            value += weight * (math.log(risk[g]) + shift + logs)
            inv = weight / risk[g]
            big_a += inv * alpha
            big_b += inv / risk[g] * beta
            c_g, d_g = inv * gamma, inv / risk[g] * eta
        if not want_derivatives:
            continue
        for p in range(starts[g], starts[g + 1]):
            j = order[p]
            if u[j] == 0.0:
                continue
            event = d[j] > 0.0 and s[j] > 0.0
            first = u[j] * (big_a - c_g if event else big_a)
            grad[j] = first - (s[j] if event else 0.0)
            curv[j] = max(first - u[j] * u[j] * (big_b - d_g if event else big_b), 0.0)
    return value, grad, curv, True


@njit(cache=True, nogil=True)
def _cox_terms(order, starts, z, s, d, efron, want_derivatives):
    """``(value, gradient, diagonal of the Hessian)`` of ``n D`` (the caller divides by ``n``).

    ``order`` sorts the samples by time, ``starts`` (length ``G + 1``) delimits the groups of equal times
    in that order.  Zero-weight samples take no part.
    """
    n = z.shape[0]
    n_groups = starts.shape[0] - 1
    log_s = np.full(n_groups, -np.inf)  # log S_g, the risk set of group g (times >= t_g)
    m, acc = -np.inf, 0.0
    for g in range(n_groups - 1, -1, -1):
        for p in range(starts[g], starts[g + 1]):
            j = order[p]
            if s[j] > 0.0:
                m, acc = _add_log(m, acc, math.log(s[j]) + z[j])
        log_s[g] = _log_of(m, acc)
    value = 0.0
    # per group, in log space: a_g = W/S alpha, c_g = W/S gamma, b_g = W/S^2 beta, d_g = W/S^2 eta
    log_a = np.full(n_groups, -np.inf)
    log_c = np.full(n_groups, -np.inf)
    log_b = np.full(n_groups, -np.inf)
    log_d = np.full(n_groups, -np.inf)
    for g in range(n_groups):
        weight = 0.0
        count = 0
        me, acc_e = -np.inf, 0.0
        for p in range(starts[g], starts[g + 1]):
            j = order[p]
            if d[j] > 0.0 and s[j] > 0.0:
                weight += s[j]
                count += 1
                value -= s[j] * z[j]
                me, acc_e = _add_log(me, acc_e, math.log(s[j]) + z[j])
        if count == 0:
            continue
        alpha, gamma, beta, eta, logs = 1.0, 0.0, 1.0, 0.0, 0.0
        if efron and count > 1:
            r = min(math.exp(_log_of(me, acc_e) - log_s[g]), 1.0)
            alpha, gamma, beta, eta, logs = _group_sums(r, count)
        value += weight * (log_s[g] + logs)
        lw = math.log(weight) - log_s[g]
        log_a[g] = lw + math.log(alpha)
        log_b[g] = lw - log_s[g] + math.log(beta)
        if gamma > 0.0:
            log_c[g] = lw + math.log(gamma)
            log_d[g] = lw - log_s[g] + math.log(eta)
    grad = np.zeros(n)
    curv = np.zeros(n)
    if not want_derivatives:
        return value, grad, curv
    ma, acc_a, mb, acc_b = -np.inf, 0.0, -np.inf, 0.0
    for g in range(n_groups):
        ma, acc_a = _add_log(ma, acc_a, log_a[g])  # A_g = sum of a over the groups up to g
        mb, acc_b = _add_log(mb, acc_b, log_b[g])
        big_a, big_b = _log_of(ma, acc_a), _log_of(mb, acc_b)
        for p in range(starts[g], starts[g + 1]):
            j = order[p]
            if s[j] <= 0.0 or big_a == -np.inf:
                continue
            lu = math.log(s[j]) + z[j]
            first = math.exp(lu + big_a)
            second = math.exp(2.0 * lu + big_b)
            event = d[j] > 0.0
            if event and log_c[g] > -np.inf:  # Efron: the event's own share of its tied terms
                first -= math.exp(lu + log_c[g])
                second -= math.exp(2.0 * lu + log_d[g])
            grad[j] = first - (s[j] if event else 0.0)
            curv[j] = max(first - second, 0.0)
    return value, grad, curv


@njit(cache=True, nogil=True)
def _cox_hessian_products(order, starts, z, s, d, efron, V):
    """``n H V`` for the exact Hessian ``H`` of ``D`` (``V``: columns of directions in ``z``)."""
    n, k = V.shape
    n_groups = starts.shape[0] - 1
    shift = -np.inf
    for j in range(n):
        if s[j] > 0.0 and z[j] > shift:
            shift = z[j]
    u = np.zeros(n)
    for j in range(n):
        if s[j] > 0.0:
            u[j] = s[j] * math.exp(z[j] - shift)  # exp(-shift) cancels between u_k and 1/S
    risk = np.zeros(n_groups)
    risk_v = np.zeros((n_groups, k))
    total, total_v = 0.0, np.zeros(k)
    for g in range(n_groups - 1, -1, -1):
        for p in range(starts[g], starts[g + 1]):
            j = order[p]
            total += u[j]
            total_v += u[j] * V[j]
        risk[g] = total
        risk_v[g] = total_v
    out = np.zeros((n, k))
    a_cum, f_cum = 0.0, np.zeros(k)
    for g in range(n_groups):
        weight, count, ev, ev_v = 0.0, 0, 0.0, np.zeros(k)
        for p in range(starts[g], starts[g + 1]):
            j = order[p]
            if d[j] > 0.0 and s[j] > 0.0:
                weight += s[j]
                count += 1
                ev += u[j]
                ev_v += u[j] * V[j]
        c_g, h_g = 0.0, np.zeros(k)
        if count > 0:
            terms = count if efron else 1
            mean_w = weight / terms
            for ell in range(terms):
                q = ell / count if efron else 0.0
                den = risk[g] - q * ev
                a_cum += mean_w / den
                c_g += mean_w * q / den
                proj = (risk_v[g] - q * ev_v) * (mean_w / (den * den))
                f_cum += proj
                h_g += q * proj
        for p in range(starts[g], starts[g + 1]):
            j = order[p]
            if u[j] == 0.0:
                continue
            own = d[j] > 0.0
            coef = a_cum - (c_g if own else 0.0)
            out[j] = u[j] * (V[j] * coef - (f_cum - h_g if own else f_cum))
    return out


@njit(cache=True, nogil=True)
def _risk_set_model(order, starts, z, s, d, efron):
    """The exact second-order model of ``n D`` at ``z``, in the time order (see :func:`risk_set_hessian_block`).

    Returns ``(ok, grad, u, diag, own, beta1, beta2, beta3)``, per position in ``order``: the gradient,
    ``u = s exp(z - max z)``, the diagonal part ``u (A - own c)`` of the Hessian and whether the sample is
    an event (1.0 or 0.0); and, at the first position of each group of tied times (0 elsewhere), the
    weights of the group's rank-one terms: the Hessian is ``diag(diag) - sum_g sum_l m_gl / S_gl^2
    (u 1_{R_g} - q_l u 1_{E_g}) (.)^T`` with Efron's ``q_l = l / m_g`` and ``S_gl = S_g - q_l E_g``
    (Breslow: ``q = 0``), so ``beta_k = sum_l m_gl q_l^(k-1) / S_gl^2``.  ``ok`` is False (nothing
    computed) where a risk set underflows the linear-space sums.
    """
    n = z.shape[0]
    n_groups = starts.shape[0] - 1
    shift = -np.inf
    for j in range(n):
        if s[j] > 0.0 and z[j] > shift:
            shift = z[j]
    u = np.zeros(n)
    own = np.zeros(n)
    for p in range(n):
        j = order[p]
        if s[j] > 0.0:
            u[p] = s[j] * math.exp(z[j] - shift)
            own[p] = 1.0 if d[j] > 0.0 else 0.0
    risk = np.zeros(n_groups)
    total = 0.0
    for g in range(n_groups - 1, -1, -1):
        for p in range(starts[g], starts[g + 1]):
            total += u[p]
        risk[g] = total
    grad, diag = np.zeros(n), np.zeros(n)
    beta1, beta2, beta3 = np.zeros(n), np.zeros(n), np.zeros(n)
    a_cum = 0.0
    for g in range(n_groups):
        weight, count, ev = 0.0, 0, 0.0
        for p in range(starts[g], starts[g + 1]):
            if own[p] > 0.0:
                weight += s[order[p]]
                count += 1
                ev += u[p]
        c_g = 0.0
        if count > 0:
            if not risk[g] > 1e-150:  # (1/S^2 must not overflow)
                return False, grad, u, diag, own, beta1, beta2, beta3
            terms = count if efron else 1
            mean_w = weight / terms
            for ell in range(terms):
                q = ell / count if efron else 0.0
                inv = mean_w / (risk[g] - q * ev)
                sq = inv / (risk[g] - q * ev)
                a_cum += inv
                c_g += q * inv
                beta1[starts[g]] += sq
                beta2[starts[g]] += q * sq
                beta3[starts[g]] += q * q * sq
        for p in range(starts[g], starts[g + 1]):
            diag[p] = u[p] * (a_cum - own[p] * c_g)
            grad[p] = diag[p] - own[p] * s[order[p]]
    return True, grad, u, diag, own, beta1, beta2, beta3


@njit(cache=True, nogil=True, fastmath=True)
def risk_set_hessian_block(starts, u, diag, own, beta1, beta2, beta3, V, out):
    """``out = H V`` for the model of :func:`_risk_set_model` (``V`` and ``out`` of shape (m, n): one
    direction per row, in the time order) and ``v^T H v`` per row.

    ``O(n m)``: one pass up the times for the risk sets' sums ``R_g = sum_{R_g} u v``, one pass down for
    ``F_g = sum_{g' <= g} beta1_g R_g``, and ``H v = diag v - u F``.  Both passes are running sums, one
    dependent addition per sample: four rows side by side run as independent chains.  The running sum
    up the times at a group's first position is its ``R_g``, and ``beta1`` is zero elsewhere, so the
    passes need not know the groups.  Efron's tied events (``beta2`` nonzero) take
    :func:`_efron_hessian_block`.
    """
    if np.any(beta2 != 0.0):
        return _efron_hessian_block(starts, u, diag, own, beta1, beta2, beta3, V, out)
    m, n = V.shape
    quad = np.zeros(m)
    fours = m - m % 4
    for c in range(0, fours, 4):  # (four scalar chains: numba keeps them in registers, not an array)
        v0, v1, v2, v3 = V[c], V[c + 1], V[c + 2], V[c + 3]
        o0, o1, o2, o3 = out[c], out[c + 1], out[c + 2], out[c + 3]
        t0 = t1 = t2 = t3 = 0.0
        for p in range(n - 1, -1, -1):
            t0 += u[p] * v0[p]
            t1 += u[p] * v1[p]
            t2 += u[p] * v2[p]
            t3 += u[p] * v3[p]
            o0[p], o1[p], o2[p], o3[p] = t0, t1, t2, t3
        t0 = t1 = t2 = t3 = 0.0
        q0 = q1 = q2 = q3 = 0.0
        for p in range(n):
            t0 += beta1[p] * o0[p]
            t1 += beta1[p] * o1[p]
            t2 += beta1[p] * o2[p]
            t3 += beta1[p] * o3[p]
            x0, x1 = diag[p] * v0[p] - u[p] * t0, diag[p] * v1[p] - u[p] * t1
            x2, x3 = diag[p] * v2[p] - u[p] * t2, diag[p] * v3[p] - u[p] * t3
            o0[p], o1[p], o2[p], o3[p] = x0, x1, x2, x3
            q0 += x0 * v0[p]
            q1 += x1 * v1[p]
            q2 += x2 * v2[p]
            q3 += x3 * v3[p]
        quad[c], quad[c + 1], quad[c + 2], quad[c + 3] = q0, q1, q2, q3
    for c in range(fours, m):
        v, o = V[c], out[c]
        total = 0.0
        for p in range(n - 1, -1, -1):
            total += u[p] * v[p]
            o[p] = total
        total = 0.0
        for p in range(n):
            total += beta1[p] * o[p]
            o[p] = diag[p] * v[p] - u[p] * total
            quad[c] += o[p] * v[p]
    return quad


@njit(cache=True, nogil=True, fastmath=True)
def _efron_hessian_block(starts, u, diag, own, beta1, beta2, beta3, V, out):
    """:func:`risk_set_hessian_block` with Efron's tied events: per group also ``E_g = sum_{E_g} u v`` (its
    events), ``F_g`` takes ``- beta2 E_g`` and the group's events their own share ``beta2 R_g - beta3 E_g``.
    (The events are a 0/1 mask rather than a branch: they come in random order.)"""
    n_groups = starts.shape[0] - 1
    m = V.shape[0]
    sums = np.zeros((n_groups, 2, m))
    total = np.zeros(m)
    for g in range(n_groups - 1, -1, -1):
        for p in range(starts[g], starts[g + 1]):
            for c in range(m):
                term = u[p] * V[c, p]
                total[c] += term
                sums[g, 1, c] += own[p] * term
        sums[g, 0] = total
    cum = np.zeros(m)
    quad = np.zeros(m)
    tied = np.zeros(m)
    for g in range(n_groups):
        head = starts[g]
        for c in range(m):
            r_g, e_g = sums[g, 0, c], sums[g, 1, c]
            cum[c] += beta1[head] * r_g - beta2[head] * e_g
            tied[c] = beta2[head] * r_g - beta3[head] * e_g
        for p in range(starts[g], starts[g + 1]):
            for c in range(m):
                value = diag[p] * V[c, p] - u[p] * (cum[c] - own[p] * tied[c])
                out[c, p] = value
                quad[c] += value * V[c, p]
    return quad


@njit(cache=True, nogil=True)
def _concordance(order, starts, d, s, rank, n_ranks):
    """Harrell's C with pair weights ``s_i s_j``: pairs with ``t_i < t_j`` (or equal times, ``j`` censored)
    and an event at ``t_i`` are comparable; concordant when ``i`` has the higher risk, ties count 1/2.
    ``order``/``starts``: times decreasing, grouped; ``rank``: dense ranks of the risk scores."""
    tree = np.zeros(n_ranks + 1)  # Fenwick tree over the ranks of the samples at risk
    at_rank = np.zeros(n_ranks)
    total = concordant = tied = 0.0
    n_groups = starts.shape[0] - 1
    for g in range(n_groups):
        for phase in range(3):  # censored in, events scored, events in
            for p in range(starts[g], starts[g + 1]):
                j = order[p]
                if s[j] <= 0.0 or (d[j] > 0.0) != (phase > 0):
                    continue
                if phase == 1:
                    below, i = 0.0, rank[j]  # weight at risk with a lower score
                    while i > 0:
                        below += tree[i]
                        i -= i & -i
                    concordant += s[j] * below
                    tied += s[j] * at_rank[rank[j]]
                    total += s[j] * _tree_total(tree, n_ranks)
                    continue
                at_rank[rank[j]] += s[j]
                i = rank[j] + 1
                while i <= n_ranks:
                    tree[i] += s[j]
                    i += i & -i
    return (concordant + 0.5 * tied) / total if total > 0.0 else np.nan


@njit(cache=True, nogil=True)
def _tree_total(tree, n_ranks):
    """The sum of a Fenwick tree's entries."""
    out, i = 0.0, n_ranks
    while i > 0:
        out += tree[i]
        i -= i & -i
    return out


# ------------------------------------------------------------------------------------------------ datafit
def _structured_to_columns(y) -> np.ndarray:
    """``[time, event]`` from a structured array with one boolean field (the event) and one numeric field."""
    names = y.dtype.names
    kinds = {name: y.dtype[name].kind for name in names}
    events = [name for name in names if kinds[name] == "b"]
    times = [name for name in names if kinds[name] in "fiu"]
    if len(names) != 2 or len(events) != 1 or len(times) != 1:
        raise ValueError(
            f"a structured survival target needs one boolean field (the event) and one numeric field (the "
            f"time), got fields {dict((n, str(y.dtype[n])) for n in names)}; build it with "
            "sksurv.util.Surv.from_arrays(event, time)."
        )
    return np.column_stack([np.asarray(y[times[0]], dtype=np.float64), np.asarray(y[events[0]], dtype=np.float64)])


class Cox(Datafit):
    """Cox proportional hazards: ``D(z) = 1/n sum_i s_i delta_i [-z_i + log sum_{t_j >= t_i} s_j exp(z_j)]``.

    Ties in the event times are handled by Breslow's approximation (``ties="breslow"``, glmnet's and
    scikit-survival's ``CoxnetSurvivalAnalysis``'s) or Efron's (``ties="efron"``, the default of R's
    ``coxph`` and of lifelines and statsmodels' ``PHReg`` option), see the module docstring.  Integer
    sample weights are repeated rows under Breslow's form; under Efron's they are not (the copies of an
    event would be tied events, a weighted event is one).

    The target is the survival time and the event indicator: a structured array such as
    ``sksurv.util.Surv.from_arrays(event, time)`` (the fields are told apart by their dtypes: the boolean
    one is the event), a two-column array ``(time, event)`` (the order of R's ``Surv(time, status)``), or
    a DataFrame of those two columns (a boolean column is the event; otherwise the first is the time).
    It is kept as a float64 array ``[time, event]`` of shape (n, 2).

    There is no intercept (``allows_intercept`` is False): ``D`` does not change when a constant is added
    to ``z``.  The conjugate of ``D`` has no closed form, so a fit is certified by the scale-free KKT
    violation (``has_dual`` False).  :meth:`predict` returns the linear predictor itself, the log of the
    relative risk ``exp(x w)``: a higher score means an earlier expected event.

    Parameters
    ----------
    ties : {"breslow", "efron"}, default="breslow"
        How tied event times enter the partial likelihood.
    """

    name = "cox"
    loss_label = "partial-likelihood deviance"
    score_label = "C-index"
    formula = "1/n sum_i s_i delta_i [log sum_{t_j >= t_i} s_j exp(x_j w) - x_i w]"
    target_columns = ("time", "event")
    has_dual = False
    target_is_matrix = True
    allows_intercept = False
    #: the Hessian is a diagonal minus one rank-one term per risk set: :meth:`risk_set_model` gives it
    #: whole in O(n), for the coordinate-Newton solver
    has_risk_sets: ClassVar[bool] = True
    parameters: ClassVar[dict[str, object]] = {"ties": "breslow"}

    def __init__(self, ties: str = "breslow"):
        if ties not in TIES:
            raise ValueError(f"ties must be one of {TIES} (how tied event times are handled), got {ties!r}.")
        self.ties = ties
        self._sorts: dict[tuple[int, bool], tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}
        self._last: tuple | None = None

    def __getstate__(self):  # the sort cache is rebuilt on demand (e.g. in a joblib worker)
        return {"ties": self.ties}

    def __setstate__(self, state):
        self.__init__(**state)

    # -------------------------------------------------------------------------------------- target
    def as_target_array(self, y):
        """``[time, event]`` as a float array from a structured array, a DataFrame or an ``(n, 2)`` array."""
        if isinstance(y, np.ndarray) and y.dtype.names is not None:
            return _structured_to_columns(y)
        if hasattr(y, "columns") and hasattr(y, "dtypes"):  # a DataFrame
            if len(y.columns) != 2:
                raise ValueError(
                    f"a survival target DataFrame needs exactly two columns (time and event), got {len(y.columns)}."
                )
            from pandas.api.types import is_bool_dtype

            flags = [is_bool_dtype(dt) for dt in y.dtypes]
            event = flags.index(True) if flags.count(True) == 1 else 1
            return np.column_stack(
                [np.asarray(y.iloc[:, 1 - event], dtype=np.float64), np.asarray(y.iloc[:, event], dtype=np.float64)]
            )
        if y is None:
            return y  # scikit-learn's validation says that y is required
        array = np.asarray(y)
        if array.ndim != 2:
            raise ValueError(_SHAPE_FIX.format(shape=array.shape))
        return array  # its columns are checked once X is (encode_target)

    def encode_target(self, y, sample_weight, who: str) -> tuple[np.ndarray | None, np.ndarray]:
        """Check times (finite, >= 0) and events (0/1) and that some event has positive weight."""
        y = self.prepare_target(y)
        time, event = y[:, 0], y[:, 1]
        if not np.all(np.isfinite(time)) or np.any(time < 0):
            raise ValueError(f"{who}: survival times must be finite and non-negative; drop or fix those samples.")
        if not np.all((event == 0) | (event == 1)):
            raise ValueError(
                f"{who}: events must be 0/1 or boolean (1: the event was observed, 0: censored), got values "
                f"{np.unique(event[(event != 0) & (event != 1)])[:5].tolist()}; is the target's column order "
                "(time, event)?"
            )
        weights = np.ones(y.shape[0]) if sample_weight is None else sample_weight
        if not np.any((event == 1) & (weights > 0)):
            raise ValueError(
                f"{who}: no event has a positive sample weight (every sample is censored): the partial "
                "likelihood is constant; the Cox model needs observed events."
            )
        return None, y

    def prepare_target(self, y) -> np.ndarray:
        y = np.asarray(y, dtype=np.float64)
        if y.ndim != 2 or y.shape[1] != 2:
            raise ValueError(_SHAPE_FIX.format(shape=y.shape))
        return y

    def target_scale(self, y) -> np.ndarray:
        # the target enters only through the order of the times: it adds no rounding to z
        return np.zeros(np.shape(y)[0])

    def _sorted(self, y, descending=False) -> tuple[np.ndarray, np.ndarray]:
        """``(order, starts)``: the samples sorted by time and the starts of the groups of equal times.

        Solvers evaluate the datafit many times on the same target: the sort is kept per target array
        (checked against a copy, so a target changed in place is sorted again).
        """
        key = (id(y), descending)
        entry = self._sorts.get(key)
        if entry is not None and entry[0] is y and np.array_equal(entry[1], y):
            return entry[2], entry[3]
        time = y[:, 0]
        order = np.argsort(-time if descending else time, kind="stable")
        sorted_time = time[order]
        starts = np.flatnonzero(np.r_[True, sorted_time[1:] != sorted_time[:-1], True]).astype(np.int64)
        if len(self._sorts) >= _SORT_CACHE_SIZE:
            # (a copy of the keys and pop with a default: cross-validation folds on threads share this
            # datafit, and another thread may change the cache between two steps here)
            for oldest in list(self._sorts)[:1]:
                self._sorts.pop(oldest, None)
        self._sorts[key] = (y, y.copy(), order, starts)
        return order, starts

    def _terms(self, y, z, s, derivatives):
        """``(n D, n dD/dz, n diag d^2D/dz^2)``; the derivatives at the last ``z`` are kept (solvers ask for
        the gradient and the curvature at the same point one after the other)."""
        last = self._last
        if derivatives and last is not None and last[0] is y and last[1] is s and np.array_equal(last[2], z):
            return last[3]
        order, starts = self._sorted(y)
        args = (order, starts, np.ascontiguousarray(z, dtype=np.float64), np.asarray(s, dtype=np.float64), y[:, 1])
        value, grad, curv, done = _cox_terms_linear(*args, self.ties == "efron", derivatives)
        if not done:  # a risk set far below the largest risk: the sums in log space
            value, grad, curv = _cox_terms(*args, self.ties == "efron", derivatives)
        if derivatives:
            self._last = (y, s, np.array(z, dtype=np.float64), (value, grad, curv))
        return value, grad, curv

    # -------------------------------------------------------------------------------------- the loss
    def value(self, y, z, s) -> float:
        return float(self._terms(y, z, s, False)[0]) / y.shape[0]

    def raw_grad(self, y, z, s) -> np.ndarray:
        return self._terms(y, z, s, True)[1] / y.shape[0]  # (a new array: the kept one stays as computed)

    def curvature(self, y, z, s) -> np.ndarray:
        """The diagonal of the Hessian in ``z`` (glmnet's IRLS weights); the full Hessian is not diagonal."""
        return self._terms(y, z, s, True)[2] / y.shape[0]

    def hessian_product(self, y, z, s, V) -> np.ndarray:
        """``H V`` for the full Hessian ``H`` of ``D`` in ``z`` (``V`` of shape (n, k))."""
        order, starts = self._sorted(y)
        V = np.ascontiguousarray(np.reshape(V, (y.shape[0], -1)), dtype=np.float64)
        z = np.ascontiguousarray(z, dtype=np.float64)
        out = _cox_hessian_products(order, starts, z, np.asarray(s, np.float64), y[:, 1], self.ties == "efron", V)
        return out / y.shape[0]

    def risk_set_model(self, y, z, s) -> tuple | None:
        """The exact second-order model of ``D`` at ``z`` for solvers that take whole-Hessian steps.

        ``(order, starts, grad, u, diag, own, beta1, beta2, beta3)``: the samples' time order and its
        groups, then, in the time order, the gradient ``dD/dz`` and the arrays
        :func:`risk_set_hessian_block` reads (the Hessian's terms scaled by ``1/n``).  None where a risk
        set is so far below the largest risk that the linear-space sums underflow (the solver then hands
        the fit to proximal Newton).
        """
        order, starts = self._sorted(y)
        z = np.ascontiguousarray(z, dtype=np.float64)
        ok, grad, u, diag, own, beta1, beta2, beta3 = _risk_set_model(
            order, starts, z, np.asarray(s, np.float64), y[:, 1], self.ties == "efron"
        )
        if not ok:
            return None
        n = y.shape[0]
        return order, starts, grad / n, u, diag / n, own, beta1 / n, beta2 / n, beta3 / n

    def curvature_bound(self, y, s) -> np.ndarray:
        """``1/(2n) sum_{i: t_i <= t_j} s_i delta_i`` for each sample ``j`` of positive weight.

        Each risk set's term of the Hessian is ``s_i delta_i / n (diag(pi) - pi pi^T)`` with ``pi`` a
        probability vector on the risk set, and ``diag(pi) - pi pi^T <= 1/2 I`` (Boehning's bound);
        summing over the risk sets containing ``j`` gives a diagonal matrix above the whole Hessian
        (Efron's terms are log-sum-exps over the same risk sets, with the same bound).
        """
        order, starts = self._sorted(y)
        events = np.asarray(s, dtype=np.float64) * y[:, 1]
        cum = np.cumsum(events[order])[starts[1:] - 1]  # event weight up to and including each group
        bound = np.empty(y.shape[0])
        bound[order] = np.repeat(cum, np.diff(starts))
        return np.where(np.asarray(s) > 0, 0.5 * bound / y.shape[0], 0.0)

    def dual(self, theta, y, s) -> float:
        raise NotImplementedError(
            "the Cox partial likelihood has no closed-form conjugate: fits are certified by the KKT violation."
        )

    def null_model(self, y, s, fit_intercept):
        """``(0, D(0))``: the model has no intercept, every sample has the same risk."""
        return 0.0, self.value(y, np.zeros(y.shape[0]), s)

    # -------------------------------------------------------------------------------------- the API
    def predict(self, z) -> np.ndarray:
        """The risk score: the linear predictor ``x w`` itself (log relative hazard)."""
        return np.asarray(z)

    def sample_losses(self, y, z) -> np.ndarray:
        raise NotImplementedError(
            "the partial likelihood couples the samples of each risk set: it has no per-sample loss; "
            "use validation_loss."
        )

    def validation_loss(self, y, z, s) -> np.ndarray | float:
        """The partial-likelihood deviance of held-out samples, ``2 n_test D(z)`` on their own risk sets.

        ``D`` is this datafit on the held-out fold alone, its weights rescaled to sum to its size.  glmnet's
        default ``type.measure="deviance"`` for Cox is the *grouped* one (the whole data's partial
        likelihood minus the training fold's), which differs.  ``z`` may hold one column per model.
        """
        y = self.prepare_target(y)
        s = np.asarray(s, dtype=np.float64)
        s = s * (y.shape[0] / s.sum()) if s.sum() > 0 else s
        columns = np.reshape(z, (y.shape[0], -1))
        losses = np.array([2.0 * y.shape[0] * self.value(y, columns[:, k], s) for k in range(columns.shape[1])])
        return losses if np.ndim(z) == 2 else float(losses[0])

    def validation_score(self, y, z, s, losses=None) -> np.ndarray:
        """Harrell's concordance index of the risk scores ``z`` (one per column), pairs weighted by
        ``s_i s_j``: comparable when the earlier time is an event (a censored sample tied with an event
        counts as later), concordant when the earlier one has the higher score, tied scores count 1/2."""
        y = self.prepare_target(y)
        order, starts = self._sorted(y, descending=True)
        s = np.asarray(s, dtype=np.float64)
        columns = np.reshape(z, (y.shape[0], -1))
        scores = []
        for k in range(columns.shape[1]):
            _, rank = np.unique(columns[:, k], return_inverse=True)
            rank = rank.astype(np.int64).ravel()
            scores.append(_concordance(order, starts, y[:, 1], s, rank, int(rank.max(initial=0)) + 1))
        return np.asarray(scores if np.ndim(z) == 2 else scores[0])  # (a 0-d array for one model)
