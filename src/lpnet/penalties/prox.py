"""Scalar kernels of the separable penalties.

Each function works on one coordinate with penalty factor ``v`` and the packed parameters
``params = [alpha, shape...]`` (a C pointer when compiled).  ``lam = step * alpha * v`` is the weight of
the penalty inside the prox; with the Lp scaling ``alpha/p |w|^p`` the prox solves

    min_z  1/2 (z - x)^2 + lam / p * |z|^p .

The prox functions return a *global* minimizer; for p < 1 this needs a comparison of the nonzero
stationary point with z = 0 (the problem is non-convex).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

# --------------------------------------------------------------------------- L1 / soft-thresholding


@njit(cache=True, nogil=True)
def soft_threshold(x, t):
    if x > t:
        return x - t
    if x < -t:
        return x + t
    return 0.0


def l1_prox(x, step, v, params):
    return soft_threshold(x, step * params[0] * v)


def l1_distance(w, g, v, params):
    t = params[0] * v
    if w == 0.0:
        return max(abs(g) - t, 0.0)
    return abs(g + t * math.copysign(1.0, w))


def l1_value(w, v, params):
    return params[0] * v * abs(w)


# The dual kernels of the convex penalties: ``conjugate(z)`` is P_j*(z) (inf outside its domain) and
# ``dual_ratio(z)`` how far outside the domain z is (|z| / (alpha v) for the L1 ball, 0 when the domain
# is the whole line): a dual point is divided by max(1, max_j dual_ratio) to become feasible.  Unpenalized
# features are not theirs to handle (the certificate projects them out).

#: relative slack of the L1 domain test: z was divided by its own ratio, which rounds
DOMAIN_SLACK = 1e-12


def l1_conjugate(z, v, params):
    return 0.0 if abs(z) <= params[0] * v * (1.0 + DOMAIN_SLACK) else math.inf


def l1_dual_ratio(z, v, params):
    return abs(z) / (params[0] * v)


# The maximizers of the convex penalties: ``argmax_w z w - P_j(w)``, +-inf where the supremum is not
# attained (z outside the conjugate's domain, or on its edge: the sup is then approached along a ray and
# 0 serves).  With a box [lo, hi] the conjugate of P_j + I_[lo, hi] is ``z c - P_j(c)`` at
# ``c = clip(maximizer, lo, hi)``: z w - P_j(w) is concave, hence nondecreasing left of its maximizer and
# nonincreasing right of it, so on an interval its maximum is at the point nearest the maximizer.


@njit(cache=True, nogil=True)
def kink_maximizer(z, a):
    """``argmax_w z w - a |w|``: 0 inside the domain ``|z| <= a`` (to its rounding), else +-inf."""
    if abs(z) <= a * (1.0 + DOMAIN_SLACK):
        return 0.0
    return math.copysign(math.inf, z)


def l1_maximizer(z, v, params):
    return kink_maximizer(z, params[0] * v)


# --------------------------------------------------------------------------- L2 (alpha/2 w^2)


def l2_prox(x, step, v, params):
    return x / (1.0 + step * params[0] * v)


def l2_distance(w, g, v, params):
    return abs(g + params[0] * v * w)


def l2_value(w, v, params):
    return 0.5 * params[0] * v * w * w


def l2_conjugate(z, v, params):
    return z * z / (2.0 * params[0] * v)


def no_dual_ratio(z, v, params):
    return 0.0


def l2_maximizer(z, v, params):
    return z / (params[0] * v)


# --------------------------------------------------------------------------- Elastic Net
# P_j(w) = alpha v (rho |w| + (1 - rho)/2 w^2); params = [alpha, rho]


def enet_prox(x, step, v, params):
    lam = step * params[0] * v
    return soft_threshold(x, lam * params[1]) / (1.0 + lam * (1.0 - params[1]))


def enet_distance(w, g, v, params):
    a = params[0] * v
    if w == 0.0:
        return max(abs(g) - a * params[1], 0.0)
    return abs(g + a * (params[1] * math.copysign(1.0, w) + (1.0 - params[1]) * w))


def enet_value(w, v, params):
    return params[0] * v * (params[1] * abs(w) + 0.5 * (1.0 - params[1]) * w * w)


def enet_conjugate(z, v, params):
    # sup_w z w - a (rho |w| + (1 - rho)/2 w^2) = (|z| - a rho)_+^2 / (2 a (1 - rho)); rho = 1 is L1's
    a, rho = params[0] * v, params[1]
    if rho == 1.0:
        return 0.0 if abs(z) <= a * (1.0 + DOMAIN_SLACK) else math.inf
    excess = max(abs(z) - a * rho, 0.0)
    return excess * excess / (2.0 * a * (1.0 - rho))


def enet_dual_ratio(z, v, params):
    return abs(z) / (params[0] * v) if params[1] == 1.0 else 0.0


def enet_maximizer(z, v, params):
    a, rho = params[0] * v, params[1]
    if rho == 1.0:
        return kink_maximizer(z, a)
    return soft_threshold(z, a * rho) / (a * (1.0 - rho))


# --------------------------------------------------------------------------- Lp, p > 0, p != 1, 2
# P_j(w) = alpha v / p |w|^p; params = [alpha, p]


@njit(cache=True, nogil=True)
def _lp_root_convex_side(a, lam, p, lo, hi):
    """Root of g(u) = u + lam u^(p-1) - a on [lo, hi] where g is monotone (safeguarded Newton).

    For p > 2 and for p < 1 on [u0, a] the function is convex and increasing, for 1 < p < 2 concave
    and increasing; Newton converges monotonically in both cases, and the bracket keeps every step
    inside [lo, hi] should rounding push it out.
    """
    # a starting point exact for p = 2 and good otherwise
    u = a / (1.0 + lam * a ** (p - 2.0)) if a > 0 else 0.0
    if not (lo < u < hi):
        u = 0.5 * (lo + hi)
    for _ in range(100):
        g = u + lam * u ** (p - 1.0) - a
        if g == 0.0:
            return u
        if g > 0.0:
            hi = u
        else:
            lo = u
        dg = 1.0 + lam * (p - 1.0) * u ** (p - 2.0)
        u_new = u - g / dg
        # converged before the bracket's test: a step at the rounding level may land on the bracket's end
        # just set to u, and a bisection from there would crawl (measured: a median of 32 iterations for
        # p = 1.5 with the test after it; medians of 5 to 6 for p from 1.2 to 4 with it before)
        if abs(u_new - u) <= 1e-15 * max(u_new, 1e-300):
            return min(max(u_new, lo), hi)
        if not (lo < u_new < hi):
            u_new = 0.5 * (lo + hi)
        if hi - lo <= 1e-15 * hi:
            return u_new
        u = u_new
    return u


@njit(cache=True, nogil=True)
def lp_prox_scalar(x, lam, p):
    """Global minimizer of 1/2 (z - x)^2 + lam/p |z|^p for any p > 0."""
    a = abs(x)
    if lam == 0.0 or a == 0.0:
        return x
    if p > 1.0:
        # strictly convex: the unique root of u + lam u^(p-1) = a lies in (0, min(a, (a/lam)^(1/(p-1))))
        hi = min(a, (a / lam) ** (1.0 / (p - 1.0)))
        return math.copysign(_lp_root_convex_side(a, lam, p, 0.0, hi), x)
    # p < 1.  g(u) = u + lam u^(p-1) is convex on (0, inf) with its minimum at u0; a stationary point
    # exists only if a >= g(u0), and the local minimizer is the root right of u0.
    u0 = (lam * (1.0 - p)) ** (1.0 / (2.0 - p))
    # g(u0) = u0 + lam u0^(p-1) = u0 (2 - p) / (1 - p), since lam u0^(p-2) = 1 / (1 - p); written this
    # way it stays finite when a tiny lam makes u0 underflow to 0 (lam u0^(p-1) would be inf * 0)
    if a <= u0 * (2.0 - p) / (1.0 - p):
        return 0.0
    u = _lp_root_convex_side(a, lam, p, u0, a)
    return _pick_global(x, u, lam, p)


@njit(cache=True, nogil=True)
def _pick_global(x, u, lam, p):
    """Compare the nonzero stationary point u >= 0 with z = 0 (ties go to 0: the sparser answer)."""
    a = abs(x)
    f_u = 0.5 * (u - a) ** 2 + lam / p * u**p
    if f_u < 0.5 * a * a:
        return math.copysign(u, x)
    return 0.0


@njit(cache=True, nogil=True)
def half_threshold(x, lam):
    """Closed-form prox of p = 1/2 (Xu et al. 2012, half-thresholding).

    Xu et al. solve min (z - x)^2 + mu |z|^(1/2); ours is 1/2 (z - x)^2 + 2 lam |z|^(1/2), i.e. mu = 4 lam.
    """
    if lam == 0.0:
        return x
    mu = 4.0 * lam
    a = abs(x)
    if a <= 54.0 ** (1.0 / 3.0) / 4.0 * mu ** (2.0 / 3.0):
        return 0.0
    # mu / 8 (a / 3)^(-3/2) in logarithms: with a tiny a the power overflows (and a subnormal mu times
    # inf is inf, whose acos is nan) although the ratio itself is far below 1
    phi = math.acos(min(math.exp(math.log(mu / 8.0) - 1.5 * math.log(a / 3.0)), 1.0))
    return 2.0 / 3.0 * x * (1.0 + math.cos(2.0 * math.pi / 3.0 - 2.0 / 3.0 * phi))


@njit(cache=True, nogil=True)
def two_thirds_threshold(x, lam):
    """Closed-form prox of p = 2/3: 1/2 (z - x)^2 + 3/2 lam |z|^(2/3).

    Stationarity u - a + lam u^(-1/3) = 0 with u = t^3 is the quartic t^4 - a t + lam = 0.  Ferrari's
    method turns it into (t^2 + m)^2 = (sqrt(2m) t + a / (2 sqrt(2m)))^2 where m is the largest root of
    the resolvent cubic m^3 - lam m - a^2/8 = 0 (Cardano, or the trigonometric form when it has three
    real roots).  The larger root of t^2 - sqrt(2m) t + m - a/(2 sqrt(2m)) = 0 is the local minimizer,
    which is then compared with z = 0.
    """
    a = abs(x)
    if lam == 0.0 or a == 0.0:
        return x
    c = lam
    q = a * a / 16.0
    disc = q * q - c**3 / 27.0
    if disc >= 0.0:
        s = math.sqrt(disc)
        m = np.cbrt(q + s) + np.cbrt(q - s)
    else:
        r = (c / 3.0) ** 1.5
        m = 2.0 * math.sqrt(c / 3.0) * math.cos(math.acos(min(q / r, 1.0)) / 3.0)
    if m <= 0.0:
        return 0.0
    r2m = math.sqrt(2.0 * m)
    inner = 2.0 * a / r2m - 2.0 * m
    if inner < 0.0:
        return 0.0
    t = 0.5 * (r2m + math.sqrt(inner))
    # Ferrari's formula subtracts nearly equal numbers when |x| is far above the threshold; two Newton
    # steps on u + lam u^(-1/3) = a (convex and increasing there) restore full precision.
    u = t**3
    for _ in range(2):
        g = u + lam * u ** (-1.0 / 3.0) - a
        u -= g / (1.0 - lam / 3.0 * u ** (-4.0 / 3.0))
    return _pick_global(x, u, lam, 2.0 / 3.0)


@njit(cache=True, nogil=True)
def three_halves_threshold(x, lam):
    """Closed-form prox of p = 3/2: 1/2 (z - x)^2 + 2/3 lam |z|^(3/2).

    Stationarity u + lam sqrt(u) = a (``u = |z|``, ``a = |x|``) is a quadratic in ``s = sqrt(u)``, whose
    positive root is written as ``a / (lam / 2 + sqrt(lam^2 / 4 + a))``: no cancellation, and ``hypot``
    keeps the square root finite for any finite ``lam`` and ``a``.
    """
    a = abs(x)
    if lam == 0.0 or a == 0.0:
        return x
    s = a / (0.5 * lam + math.hypot(0.5 * lam, math.sqrt(a)))
    return math.copysign(min(s * s, a), x)  # (squared, s can round a hair above sqrt(a))


@njit(cache=True, nogil=True)
def cubic_threshold(x, lam):
    """Closed-form prox of p = 3: 1/2 (z - x)^2 + lam/3 |z|^3.

    Stationarity u + lam u^2 = a is a quadratic in ``u = |z|``; its positive root, written as
    ``a / (1/2 + sqrt(1/4 + lam a))``, has no cancellation, and ``hypot`` of the square roots keeps it
    finite for any finite ``lam`` and ``a`` (``lam a`` itself may overflow).
    """
    a = abs(x)
    if lam == 0.0 or a == 0.0:
        return x
    return math.copysign(a / (0.5 + math.hypot(0.5, math.sqrt(lam) * math.sqrt(a))), x)


def lp_prox(x, step, v, params):
    return lp_prox_scalar(x, step * params[0] * v, params[1])


def lp_three_halves_prox(x, step, v, params):
    return three_halves_threshold(x, step * params[0] * v)


def lp_cubic_prox(x, step, v, params):
    return cubic_threshold(x, step * params[0] * v)


def lp_half_prox(x, step, v, params):
    return half_threshold(x, step * params[0] * v)


def lp_two_thirds_prox(x, step, v, params):
    return two_thirds_threshold(x, step * params[0] * v)


def lp_distance(w, g, v, params):
    a = params[0] * v
    p = params[1]
    if a == 0.0:  # unpenalized
        return abs(g)
    if w == 0.0:
        # p < 1: the limiting subdifferential at 0 is the whole line; p > 1: it is {0}
        return 0.0 if p < 1.0 else abs(g)
    return abs(g + a * math.copysign(abs(w) ** (p - 1.0), w))


def lp_value(w, v, params):
    return params[0] * v / params[1] * abs(w) ** params[1]


def lp_conjugate(z, v, params):
    # p > 1: sup_w z w - a/p |w|^p = a^(1-q) |z|^q / q with 1/p + 1/q = 1 (p = 1, 2 use L1's and L2's)
    a, p = params[0] * v, params[1]
    q = p / (p - 1.0)
    return a ** (1.0 - q) * abs(z) ** q / q


def lp_maximizer(z, v, params):
    # p > 1: z = a |w|^(p-1) sign(w)
    return math.copysign((abs(z) / (params[0] * v)) ** (1.0 / (params[1] - 1.0)), z)


# --------------------------------------------------------------------------- MCP and SCAD
# Both are functions of |w| and lam = alpha v, made of pieces that are quadratic in |w|; on each piece the
# prox objective 1/2 (z - |x|)^2 + step P(z) is a quadratic in z, so its minimum over the piece is the
# stationary point clipped to the piece when the quadratic is convex, else one of the piece's ends.  The
# global minimizer is the best of these candidates (z >= 0 with the sign of x: P is even).


@njit(cache=True, nogil=True)
def _piece_minimizer(x, step, lam, lo, hi, slope, curvature):
    # argmin over [lo, hi] of 1/2 (z - x)^2 + step (slope z - curvature z^2 / 2), x >= 0
    c = 1.0 - step * curvature
    if c > 0.0:
        return min(max((x - step * slope) / c, lo), hi)
    left = 0.5 * (lo - x) ** 2 + step * (slope * lo - 0.5 * curvature * lo * lo)
    right = 0.5 * (hi - x) ** 2 + step * (slope * hi - 0.5 * curvature * hi * hi)
    return lo if left <= right else hi


@njit(cache=True, nogil=True)
def mcp_scalar(z, lam, gamma):
    z = abs(z)
    if z <= gamma * lam:
        return lam * z - 0.5 * z * z / gamma
    return 0.5 * gamma * lam * lam


@njit(cache=True, nogil=True)
def scad_scalar(z, lam, a):
    z = abs(z)
    if z <= lam:
        return lam * z
    if z <= a * lam:
        return (2.0 * a * lam * z - z * z - lam * lam) / (2.0 * (a - 1.0))
    return 0.5 * lam * lam * (a + 1.0)


def mcp_prox(x, step, v, params):
    lam, gamma = params[0] * v, params[1]
    ax = abs(x)
    if lam == 0.0 or ax == 0.0:
        return x
    knot = gamma * lam
    if step < gamma:
        # the prox objective is convex: firm thresholding in closed form (comparing objective values
        # would let rounding pick the wrong side of a threshold)
        if ax <= step * lam:
            return 0.0
        if ax >= knot:
            return x
        return math.copysign(min((ax - step * lam) / (1.0 - step / gamma), knot), x)
    best = 0.0
    best_value = 0.5 * ax * ax
    # step >= gamma: the prox objective is concave on [0, knot], so the minimizer is 0 or |x| (past the knot)
    for z in (_piece_minimizer(ax, step, lam, 0.0, knot, lam, 1.0 / gamma), max(ax, knot)):
        value = 0.5 * (z - ax) ** 2 + step * mcp_scalar(z, lam, gamma)
        if value < best_value:
            best, best_value = z, value
    return math.copysign(best, x)


def mcp_distance(w, g, v, params):
    lam, gamma = params[0] * v, params[1]
    if w == 0.0:
        return max(abs(g) - lam, 0.0)
    if abs(w) < gamma * lam:
        return abs(g + math.copysign(lam - abs(w) / gamma, w))
    return abs(g)


def mcp_value(w, v, params):
    return mcp_scalar(w, params[0] * v, params[1])


def scad_prox(x, step, v, params):
    lam, a = params[0] * v, params[1]
    ax = abs(x)
    if lam == 0.0 or ax == 0.0:
        return x
    if step < a - 1.0:
        # the prox objective is convex: SCAD thresholding in closed form
        if ax <= lam * (1.0 + step):
            return math.copysign(max(ax - step * lam, 0.0), x)
        if ax >= a * lam:
            return x
        z = ((a - 1.0) * ax - step * a * lam) / (a - 1.0 - step)
        return math.copysign(min(max(z, lam), a * lam), x)
    best = 0.0
    best_value = 0.5 * ax * ax
    # pieces [0, lam] (slope lam), [lam, a lam] (value (2 a lam z - z^2 - lam^2) / (2 (a - 1))), [a lam, inf)
    middle = _piece_minimizer(ax, step, lam, lam, a * lam, a * lam / (a - 1.0), 1.0 / (a - 1.0))
    for z in (_piece_minimizer(ax, step, lam, 0.0, lam, lam, 0.0), middle, max(ax, a * lam)):
        value = 0.5 * (z - ax) ** 2 + step * scad_scalar(z, lam, a)
        if value < best_value:
            best, best_value = z, value
    return math.copysign(best, x)


def scad_distance(w, g, v, params):
    lam, a = params[0] * v, params[1]
    aw = abs(w)
    if w == 0.0:
        return max(abs(g) - lam, 0.0)
    if aw <= lam:
        return abs(g + math.copysign(lam, w))
    if aw < a * lam:
        return abs(g + math.copysign((a * lam - aw) / (a - 1.0), w))
    return abs(g)


def scad_value(w, v, params):
    return scad_scalar(w, params[0] * v, params[1])


# --------------------------------------------------------------------------- box constraints
# With a box lo_j <= w_j <= hi_j the regularizer is P_j + I_[lo_j, hi_j], and every coordinate update
# solves  min_{lo <= c <= hi} h(c) = 1/2 (c - x)^2 + step P_j(c).  The solvers call box_prox in place of
# the bare prox, and box_distance in place of the bare subdifferential distance.
#
# Convex P_j: the answer is clip(z, lo, hi) with z = prox(x).  Proof: h is convex with minimizer z.  If
# z > hi, every c in [lo, hi] has c <= hi < z, and a convex function is nonincreasing left of a minimizer,
# so h(c) >= h(hi): hi is optimal.  z < lo is the mirror case, and z inside the box is optimal in it.
#
# Non-convex P_j (Lp with p < 1, MCP, SCAD: even, P_j(c) = phi(|c|) with phi concave on [0, inf)), when z
# is outside the box: the minimum over the box is attained at an end of the box, at clip(0) (the kink),
# or at a local minimizer inside the box on one sign side.  On a side (say c > 0) the slope
# s(c) = phi'(c) is nonincreasing, and the majorize-minimize step c <- clip(x - step s(c)) (minimize h
# with phi replaced by its tangent at c, which lies above phi) is monotone: started above every
# stationary point it descends to the largest local minimizer, started at the side's end nearest 0 it
# climbs to the smallest.  h is at most convex-concave-convex on a side for these penalties, so those two
# are all the interior local minimizers; the candidates are compared by h.

#: cap on the majorize-minimize iterations per side and start
BOX_MM_ITERATIONS = 200


@njit(cache=True, nogil=True)
def _mm_side(dist, x, step, v, params, a, b, start):
    """Majorize-minimize on the side ``0 <= a <= c <= b`` (``x`` taken on the same side), from ``start``."""
    c = start
    for _ in range(BOX_MM_ITERATIONS):
        slope = dist(max(c, 1e-300), 0.0, v, params.ctypes)  # |dP(c)| for c != 0: P is differentiable there
        new = min(max(x - step * slope, a), b)
        if abs(new - c) <= 1e-15 * max(abs(c), 1e-300):
            return new
        c = new
    return c


@njit(cache=True, nogil=True)
def _box_nonconvex(prox_z, dist, value, x, step, v, params, lo, hi):
    best = min(max(prox_z, lo), hi)
    best_h = 0.5 * (best - x) ** 2 + step * value(best, v, params.ctypes)
    # the ends of the box, the kink, and on each side the two monotone majorize-minimize limits
    candidates = np.empty(8)
    n = 0
    for c in (lo, hi, min(max(0.0, lo), hi)):
        if math.isfinite(c):
            candidates[n] = c
            n += 1
    for sign in (1.0, -1.0):
        # the side sign * c >= 0 of the box, in the variable u = sign * c
        a = max(0.0, lo if sign > 0 else -hi)
        b = hi if sign > 0 else -lo
        if b <= a:
            continue
        xs = sign * x
        # h is increasing past max(xs, a) on this side: no minimizer beyond it
        far = min(b, max(xs, a))
        candidates[n] = sign * _mm_side(dist, xs, step, v, params, a, b, far)
        candidates[n + 1] = sign * _mm_side(dist, xs, step, v, params, a, b, a)
        n += 2
    for k in range(n):
        c = candidates[k]
        h = 0.5 * (c - x) ** 2 + step * value(c, v, params.ctypes)
        if h < best_h:
            best, best_h = c, h
    return best


# Inlined into the callers' loops: a call that passes first-class functions to a compiled function
# costs about 10 ns per function argument, three times what the coordinate's prox itself costs.
@njit(cache=True, nogil=True, inline="always")
def box_prox(prox, dist, value, x, step, v, params, lo, hi, convex):
    """``argmin_{lo <= c <= hi} 1/2 (c - x)^2 + step P_j(c)`` from the penalty's compiled kernels
    (``params`` is the packed parameter array; ``convex`` the penalty's ``is_convex``)."""
    ptr = params.ctypes
    z = prox(x, step, v, ptr)
    if lo <= z <= hi:  # the unconstrained global minimizer is feasible, hence optimal
        return z
    if convex or lo == hi or params[0] * v == 0.0:  # (unpenalized: h is the convex 1/2 (c - x)^2)
        return min(max(z, lo), hi)
    return _box_nonconvex(z, dist, value, x, step, v, params, lo, hi)


@njit(cache=True, nogil=True, inline="always")  # (inlined, as box_prox)
def box_distance(dist, w, g, v, params, lo, hi):
    """``dist(-g, dP_j(w) + N(w))`` with ``N`` the normal cone of ``[lo, hi]`` at ``w`` (inf outside it).

    ``dP_j(w)`` is an interval ``[p, q]`` and ``d = dist(-g, [p, q])``.  At ``w = lo < hi`` the cone is
    ``(-inf, 0]``, the sum ``(-inf, q]``: the distance is ``d`` when ``-g`` lies above ``q``, else 0; which
    side ``-g`` is on shows by moving it down by ``d`` (onto ``q``, distance 0, or further below ``p``,
    distance ``2d``).  ``w = hi`` is the mirror case, and ``lo = hi`` has the whole line as its cone.
    """
    ptr = params.ctypes
    if w < lo or w > hi:
        return math.inf
    d = dist(w, g, v, ptr)
    if d == 0.0 or lo < w < hi:
        return d
    if lo == hi:
        return 0.0
    if w == lo:
        return d if dist(w, g + d, v, ptr) < d else 0.0
    return d if dist(w, g - d, v, ptr) < d else 0.0
