"""The constraint ``||w||_p <= t`` written as an lpnet penalty: the indicator of the ball.

Seen as the penalty ``P = indicator{||w||_p <= t}``, the constrained problem ``min D s.t. ||w||_p <= t``
is ``min D + P`` and lpnet's machinery applies unchanged:

* the prox of an indicator is the projection onto its set (:mod:`lpnet.geometry`);
* its Fenchel conjugate is the support function of the ball, ``P*(z) = sup_{||w||_p <= t} z.w =
  t ||z||_q`` with ``1/p + 1/q = 1`` (Hoelder), finite everywhere, so :class:`lpnet.certificates.Certifier`
  gives the constrained duality gap ``G = D(w, b) - (-sum_i f_i*(-theta_i) - t ||X^T theta||_q)`` with
  the residual's dual point projected onto ``{sum_i theta_i = 0}`` for a free intercept, and the
  stopping rule ``G <= tol * D_null`` (``P(0) = 0``, so ``F_null = D_null``);
* for ``p = inf`` the ball is the box ``|w_j| <= t``: separable, with scalar kernels (prox = clipping),
  so lpnet's coordinate-descent and proximal-Newton solvers fit it directly;
* for ``p < 1`` the limiting normal cone gives the optimality violation of a local solution.

With a box ``lower <= w <= upper`` (``p >= 1``) the set is the ball's intersection with the box, non-empty
when ``||clip(0, lower, upper)||_p <= t`` (:func:`smallest_feasible_radius`):

* ``p = inf``: the intersection is the box ``[max(lower, -t), min(upper, t)]``: still separable, the
  solvers clip into it, and its support function is ``sum_j max(z_j L_j, z_j U_j)``;
* finite ``p``: the support function ``sup {z.w : ||w||_p <= t, w in box}`` is, by Lagrangian duality
  (Slater holds: ``clip(0, lower, upper)`` is strictly inside the ball when ``t`` exceeds its norm),
  ``min_{lam >= 0} phi(lam)`` with ``phi(lam) = sum_j max_{w_j in box_j} (z_j w_j - lam/p |w_j|^p) +
  lam t^p / p``: the conjugate of the boxed ``Lp(lam, p)`` plus ``lam t^p / p``.  ``phi`` is convex with
  derivative ``(t^p - ||c(lam)||_p^p) / p`` (``c(lam)`` the maximizers: the free one clipped into the
  box, since each term is concave in ``w_j``), non-decreasing, so bisection on the sign of the derivative
  finds the minimum; any ``lam`` gives an upper bound of the support function, hence a valid (smaller)
  dual value.  The projection onto the intersection is likewise the boxed ``Lp(lam, p)`` prox at the
  ``lam`` where its norm falls to ``t``.
"""

from __future__ import annotations

import math

import numpy as np

from ..geometry import check_ball_p, check_radius, lp_norm, project_onto_ball
from ..penalties import Lp
from ..penalties.base import Penalty

#: relative slack under which a point counts as on the sphere ``||w||_p = t``
ON_SPHERE = 1e-9
#: most bisection steps on a Lagrange multiplier (each halves the bracket: 200 reach any float64 ratio)
BISECTION_STEPS = 200


def smallest_feasible_radius(p: float, lower, upper) -> float:
    """``||clip(0, lower, upper)||_p``: the norm of the box's point closest to 0 (0 when the box holds 0).

    The ball ``||w||_p <= t`` meets the box ``lower <= w <= upper`` exactly when ``t`` is at least this:
    every point of the box is at least as far from 0, coordinate by coordinate.
    """
    return float(lp_norm(np.clip(0.0, lower, upper), p))


def _box_maximizer(z, lam, p, lower, upper) -> np.ndarray:
    """Per coordinate ``argmax_{lower_j <= w <= upper_j} z_j w - lam/p |w|^p`` (+-inf where unattained).

    The objective is concave in ``w``, so the free maximizer clipped into the box is the answer.
    """
    if p == 1.0 or lam == 0.0:
        free = np.where(z > lam, np.inf, np.where(z < -lam, -np.inf, 0.0))
    else:
        with np.errstate(over="ignore"):
            free = np.sign(z) * (np.abs(z) / lam) ** (1.0 / (p - 1.0))
    return np.clip(free, lower, upper)


def box_ball_support(z, t, p, lower, upper) -> float:
    """``sup {z.w : ||w||_p <= t, lower <= w <= upper}`` for finite ``p >= 1`` (module docstring).

    Requires a non-empty intersection (``t >= smallest_feasible_radius(p, lower, upper)``).
    """
    z = np.asarray(z, dtype=np.float64)

    def phi(lam: float) -> float:
        c = _box_maximizer(z, lam, p, lower, upper)
        if not np.all(np.isfinite(c)):
            return math.inf
        return float(z @ c) + lam / p * (t**p - float(np.sum(np.abs(c) ** p)))

    def outside(lam: float) -> bool:  # phi'(lam) < 0: the maximizers leave the ball, lam must grow
        c = _box_maximizer(z, lam, p, lower, upper)
        return not np.all(np.isfinite(c)) or bool(lp_norm(c, p) > t)

    if not outside(0.0):
        return phi(0.0)  # the box's own maximizer is in the ball: the ball does not bind
    # p = 1: from lam = max|z_j| on, every maximizer is the box's point closest to 0, inside the ball
    hi = max(float(np.max(np.abs(z), initial=0.0)), np.finfo(np.float64).tiny)
    lo = 0.0
    for _ in range(BISECTION_STEPS):
        if not outside(hi):
            break
        lo, hi = hi, 2.0 * hi
    else:
        return math.inf  # (an empty intersection: no lam brings the maximizers inside)
    for _ in range(BISECTION_STEPS):
        if hi - lo <= 1e-15 * hi:
            break
        mid = 0.5 * (lo + hi)
        if outside(mid):
            lo = mid
        else:
            hi = mid
    # each value is an upper bound of the minimum: the smaller one is the tighter
    return min(phi(lo), phi(hi))


def project_onto_ball_and_box(x, t, p, lower, upper) -> np.ndarray:
    """The Euclidean projection of ``x`` onto ``||w||_p <= t`` intersected with ``lower <= w <= upper`` (p >= 1).

    ``p = inf``: clipping into the intersected box.  Finite ``p``: the prox of the boxed
    ``Lp(lam, p)`` at the smallest ``lam`` whose point is in the ball (the projection's KKT conditions),
    by bisection; the returned point is the feasible end of the final bracket.
    """
    x = np.asarray(x, dtype=np.float64)
    if np.isinf(p):
        return np.clip(x, np.maximum(lower, -t), np.minimum(upper, t))
    w = np.clip(x, lower, upper)
    if lp_norm(w, p) <= t:
        return w
    template = Lp(1.0, p, lower_bounds=lower, upper_bounds=upper)

    def point(lam: float) -> np.ndarray:
        return template.with_alpha(lam).prox(x, 1.0)

    lo, hi = 0.0, max(float(np.max(np.abs(x), initial=0.0)), np.finfo(np.float64).tiny)
    for _ in range(BISECTION_STEPS):
        w = point(hi)
        if lp_norm(w, p) <= t:
            break
        lo, hi = hi, 2.0 * hi
    for _ in range(BISECTION_STEPS):
        if hi - lo <= 1e-15 * hi:
            break
        mid = 0.5 * (lo + hi)
        candidate = point(mid)
        if lp_norm(candidate, p) > t:
            lo = mid
        else:
            hi, w = mid, candidate
    return w


# --------------------------------------------------------------------------- box (p = inf) scalar kernels
# params = [t, p]; v (the penalty factor) is 1: the box has no per-feature weights.
def box_prox(x, step, v, params):
    t = params[0]
    if x > t:
        return t
    if x < -t:
        return -t
    return x


def box_distance(w, g, v, params):
    # normal cone of [-t, t] at w: {0} inside, [0, inf) at t, (-inf, 0] at -t
    if w >= params[0]:
        return max(g, 0.0)
    if w <= -params[0]:
        return max(-g, 0.0)
    return abs(g)


def box_value(w, v, params):
    return 0.0 if abs(w) <= params[0] else math.inf


class NormBall(Penalty):
    """Indicator of the ball ``{w : ||w||_p <= radius}``, as a penalty (see the module docstring).

    Parameters
    ----------
    radius : float
        ``t > 0``.
    p : float
        ``p > 0`` or ``np.inf``; convex for ``p >= 1``.
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), optional
        A box ``lower_j <= w_j <= upper_j`` (``p >= 1`` only): the set is then the ball's intersection with
        the box, which must not be empty (``radius >= smallest_feasible_radius(p, lower, upper)``).
    """

    def __init__(self, radius: float, p: float, *, lower_bounds=None, upper_bounds=None):
        radius = check_radius(radius, allow_zero=False)
        super().__init__(radius, lower_bounds=lower_bounds, upper_bounds=upper_bounds)
        self.p = check_ball_p(p)
        if self.is_bounded and self.p < 1.0:
            raise ValueError(
                f"bounds with p={self.p:g} < 1 are not supported: projecting onto the non-convex L{self.p:g} "
                "ball intersected with a box is not implemented; drop the bounds or take p >= 1."
            )

    @property
    def radius(self) -> float:
        return self.alpha

    @property
    def convex(self) -> bool:  # type: ignore[override]
        return self.p >= 1.0

    def _shape_params(self):
        return (self.p,)

    def _scalar_kernels(self):
        if np.isinf(self.p):
            return box_prox, box_distance, box_value
        raise NotImplementedError(
            f"the L{self.p:g} ball is not separable: it has no scalar kernels (only p=inf has); "
            "use the vectorised methods."
        )

    def __repr__(self) -> str:
        box = f", lower_bounds={self.lower_bounds!r}, upper_bounds={self.upper_bounds!r}" if self.is_bounded else ""
        return f"NormBall(radius={self.radius!r}, p={self.p!r}{box})"

    def _inf_box(self, n_features: int) -> tuple[np.ndarray, np.ndarray]:
        """``p = inf``: the bounds of the intersection ``[max(lower, -t), min(upper, t)]``."""
        lower, upper = self.bounds(n_features)
        return np.maximum(lower, -self.radius), np.minimum(upper, self.radius)

    # ----------------------------------------------------------------- vectorised methods
    def value(self, w) -> float:
        """0 inside the ball (up to rounding) and the box, ``inf`` outside."""
        w = np.asarray(w, dtype=np.float64)
        if self.is_bounded:
            lower, upper = self.bounds(w.shape[0])
            if np.any(w < lower) or np.any(w > upper):
                return math.inf
        return 0.0 if lp_norm(w, self.p) <= self.radius * (1.0 + 1e-12) else math.inf

    def prox(self, w, step=1.0) -> np.ndarray:
        """The projection onto the ball (any step: the prox of an indicator ignores it); local for p < 1.

        With a box, the projection onto the intersection (:func:`project_onto_ball_and_box`).
        """
        w = np.asarray(w, dtype=np.float64)
        if self.is_bounded:
            return project_onto_ball_and_box(w, self.radius, self.p, *self.bounds(w.shape[0]))
        return project_onto_ball(w, self.radius, self.p)

    def has_box_dual(self, n_features: int) -> bool:
        """Convex ``p``: the intersection with a box is bounded, its support function finite everywhere."""
        return self.convex

    def conjugate(self, z) -> float:
        """Support function ``t ||z||_q``, ``q`` the dual exponent of ``p`` (``p < 1`` has none).

        With a box, the support function of the intersection (module docstring).
        """
        if not self.convex:
            return super().conjugate(z)
        z = np.asarray(z, dtype=np.float64)
        if self.is_bounded:
            if np.isinf(self.p):
                lower, upper = self._inf_box(z.shape[0])
                return float(np.sum(np.maximum(z * lower, z * upper)))
            return box_ball_support(z, self.radius, self.p, *self.bounds(z.shape[0]))
        q = 1.0 if np.isinf(self.p) else (np.inf if self.p == 1.0 else self.p / (self.p - 1.0))
        return self.radius * float(lp_norm(z, q))

    def dual_scale(self, z) -> float:
        """1: the support function of a bounded set is finite everywhere (no rescaling of the dual point)."""
        if not self.convex:
            return super().dual_scale(z)
        return 1.0

    def scaled_conjugate(self, z) -> tuple[float, float]:
        """``(1, conjugate(z))`` (see :meth:`dual_scale`)."""
        if not self.convex:
            return super().scaled_conjugate(z)
        return 1.0, self.conjugate(z)

    def on_sphere(self, w) -> bool:
        """Whether ``||w||_p = t`` up to ``ON_SPHERE`` (for p = inf: some ``|w_j| = t`` exactly)."""
        if np.isinf(self.p):
            return bool(np.any(np.abs(w) >= self.radius))
        return bool(lp_norm(w, self.p) >= self.radius * (1.0 - ON_SPHERE))

    def multiplier(self, w, grad) -> float:
        """Multiplier ``mu >= 0`` in penalty scaling best matching ``-grad in mu * dphi(w)``; 0 inside.

        For finite ``p``, ``phi(w) = 1/p sum_j |w_j|^p`` (the Lp penalty per unit alpha): the gradient of
        ``||w||_p`` on the sphere is ``t^(1-p) grad phi(w)``, so the multiplier ``lam`` of ``||w||_p <= t``
        is ``mu t^(p-1)`` and ``mu`` is the alpha of the penalized model with the same KKT point.
        It is the least-squares fit of ``-grad_S = mu d_S`` on the support, ``d_j = sign(w_j)|w_j|^(p-1)``,
        clipped at 0.  For ``p = inf``: ``lam = sum_{|w_j| = t} max(-sign(w_j) grad_j, 0)``, the L1 norm
        (the dual norm) of the projection of ``-grad`` onto the box's normal cone, i.e. the alpha of
        ``alpha ||w||_inf``.  With a box of bounds, coordinates held by a bound of that box do not enter
        the fit (their push is the box's), so the multiplier is that of ``D + mu/p ||w||_p^p + I_box``.
        """
        w = np.asarray(w, dtype=np.float64)
        grad = np.asarray(grad, dtype=np.float64)
        if not self.on_sphere(w):
            return 0.0
        lower, upper = self.bounds(w.shape[0])
        if np.isinf(self.p):
            # a coordinate at +-t that its box also holds there needs nothing from the ball (the smallest
            # multiplier is reported: the box's normal cone takes that push)
            at_bound = ((w >= self.radius) & (upper > self.radius)) | ((w <= -self.radius) & (lower < -self.radius))
            return float(np.sum(np.maximum(-np.sign(w[at_bound]) * grad[at_bound], 0.0)))
        d = self._direction(w)
        # the fit uses the coordinates strictly inside their box: at a bound the box's cone takes part
        d[(w <= lower) | (w >= upper)] = 0.0
        dd = float(d @ d)
        return max(0.0, -float(grad @ d) / dd) if dd > 0 else 0.0

    def _direction(self, w) -> np.ndarray:
        """``grad phi(w)`` on the support, 0 off it."""
        d = np.zeros_like(w)
        nz = w != 0
        d[nz] = np.sign(w[nz]) * np.abs(w[nz]) ** (self.p - 1.0)
        return d

    def subdiff_distance(self, w, grad, features=None) -> np.ndarray:
        """Per feature, the distance of ``-grad_j`` to the normal cone at the fitted multiplier.

        With ``mu = multiplier(w, grad)``: ``|grad_j + mu d_j|`` on the support; at ``w_j = 0``:
        ``max(|grad_j| - mu, 0)`` for p = 1, ``|grad_j|`` for p > 1, and 0 for p < 1 on the sphere (there
        the limiting normal cone contains the whole axis, as ``|x|^p`` has an infinite slope at 0).
        For p = inf the exact distance to the box's normal cone (as the scalar kernel).  With a box: the
        distance for the boxed ``Lp(mu, p)`` (the box's normal cone added), the intersected box for p = inf.
        Any ``mu >= 0`` gives an upper bound of the distance to the cone; the fitted one is tight at a
        KKT point.  ``features`` (indices): those features' distances only (the multiplier is
        still fitted on every feature).
        """
        out = self._cone_distance(w, grad)
        return out if features is None else out[np.asarray(features, dtype=np.int64)]

    def _cone_distance(self, w, grad) -> np.ndarray:
        # every feature's distance (see subdiff_distance)
        w = np.asarray(w, dtype=np.float64)
        grad = np.asarray(grad, dtype=np.float64)
        if np.isinf(self.p):
            lower, upper = self._inf_box(w.shape[0])
            out = np.abs(grad)
            up, down = w >= upper, w <= lower
            out[up] = np.maximum(grad[up], 0.0)
            out[down] = np.maximum(-grad[down], 0.0)
            out[up & down] = 0.0  # a single point: its normal cone is the whole line
            return out
        mu = self.multiplier(w, grad)
        if self.is_bounded:  # dP + N_box of the boxed penalty mu/p ||w||_p^p, on and inside the sphere
            return Lp(mu, self.p, lower_bounds=self.lower_bounds, upper_bounds=self.upper_bounds).subdiff_distance(
                w, grad
            )
        out = np.abs(grad + mu * self._direction(w))
        zero = w == 0
        if self.p < 1.0:
            if self.on_sphere(w):  # inside the ball the normal cone is {0}
                out[zero] = 0.0
        elif self.p == 1.0:
            out[zero] = np.maximum(np.abs(grad[zero]) - mu, 0.0)
        return out
