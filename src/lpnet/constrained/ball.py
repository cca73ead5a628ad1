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
"""

from __future__ import annotations

import math

import numpy as np

from ..geometry import check_ball_p, check_radius, lp_norm, project_onto_ball
from ..penalties.base import Penalty

#: relative slack under which a point counts as on the sphere ``||w||_p = t``
ON_SPHERE = 1e-9


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
    """

    def __init__(self, radius: float, p: float):
        radius = check_radius(radius, allow_zero=False)
        super().__init__(radius)
        self.p = check_ball_p(p)

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
        return f"NormBall(radius={self.radius!r}, p={self.p!r})"

    # ----------------------------------------------------------------- vectorised methods
    def value(self, w) -> float:
        """0 inside the ball (up to rounding), ``inf`` outside."""
        return 0.0 if lp_norm(w, self.p) <= self.radius * (1.0 + 1e-12) else math.inf

    def prox(self, w, step=1.0) -> np.ndarray:
        """The projection onto the ball (any step: the prox of an indicator ignores it); local for p < 1."""
        return project_onto_ball(np.asarray(w, dtype=np.float64), self.radius, self.p)

    def conjugate(self, z) -> float:
        """Support function ``t ||z||_q``, ``q`` the dual exponent of ``p`` (``p < 1`` has none)."""
        if not self.convex:
            return super().conjugate(z)
        q = 1.0 if np.isinf(self.p) else (np.inf if self.p == 1.0 else self.p / (self.p - 1.0))
        return self.radius * float(lp_norm(z, q))

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
        ``alpha ||w||_inf``.
        """
        w = np.asarray(w, dtype=np.float64)
        grad = np.asarray(grad, dtype=np.float64)
        if not self.on_sphere(w):
            return 0.0
        if np.isinf(self.p):
            at_bound = np.abs(w) >= self.radius
            return float(np.sum(np.maximum(-np.sign(w[at_bound]) * grad[at_bound], 0.0)))
        d = self._direction(w)
        dd = float(d @ d)
        return max(0.0, -float(grad @ d) / dd) if dd > 0 else 0.0

    def _direction(self, w) -> np.ndarray:
        """``grad phi(w)`` on the support, 0 off it."""
        d = np.zeros_like(w)
        nz = w != 0
        d[nz] = np.sign(w[nz]) * np.abs(w[nz]) ** (self.p - 1.0)
        return d

    def subdiff_distance(self, w, grad) -> np.ndarray:
        """Per feature, the distance of ``-grad_j`` to the normal cone at the fitted multiplier.

        With ``mu = multiplier(w, grad)``: ``|grad_j + mu d_j|`` on the support; at ``w_j = 0``:
        ``max(|grad_j| - mu, 0)`` for p = 1, ``|grad_j|`` for p > 1, and 0 for p < 1 on the sphere (there
        the limiting normal cone contains the whole axis, as ``|x|^p`` has an infinite slope at 0).
        For p = inf the exact distance to the box's normal cone (as the scalar kernel).
        Any ``mu >= 0`` gives an upper bound of the distance to the cone; the fitted one is tight at a
        KKT point.
        """
        w = np.asarray(w, dtype=np.float64)
        grad = np.asarray(grad, dtype=np.float64)
        if np.isinf(self.p):
            out = np.abs(grad)
            up, down = w >= self.radius, w <= -self.radius
            out[up] = np.maximum(grad[up], 0.0)
            out[down] = np.maximum(-grad[down], 0.0)
            return out
        mu = self.multiplier(w, grad)
        out = np.abs(grad + mu * self._direction(w))
        zero = w == 0
        if self.p < 1.0:
            if self.on_sphere(w):  # inside the ball the normal cone is {0}
                out[zero] = 0.0
        elif self.p == 1.0:
            out[zero] = np.maximum(np.abs(grad[zero]) - mu, 0.0)
        return out
