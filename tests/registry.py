"""The single registry of penalties exercised by every contract test in the project.

``PENALTIES`` is a list of ``(id, factory)`` pairs; ``factory(alpha, weights)`` builds the penalty
(``weights`` may be ``None``).  Adding a penalty to lpnet means adding ONE line to ``PENALTIES``.

Each factory also carries, for tests that need an independent reference, the penalty of one coordinate
written directly in numpy from the conventions: :meth:`PenaltyFactory.value_of` ``(w, lam)`` is
``P_j(w)`` with ``lam = alpha * v_j``.  Most penalties are ``lam * phi(w)`` for a shape function ``phi``
(``P(w) = alpha * sum_j v_j * phi(w_j)``), and give only ``phi``; MCP and SCAD are not linear in ``lam``
(the knots move with it) and give that function itself (``value_fn``), with the knots (where the formula changes) and
the inputs where the prox changes regime.  Also recorded: whether the penalty is convex, and whether
its conjugate is an indicator (L1-type: bounded dual domain).  Those attributes come from the
conventions, never from lpnet's own output.

Penalty factors: a prox bug in another library hid behind equal weights, so contract tests must use
UNEQUAL factors, including a 0 (an unpenalized feature): use :func:`unequal_weights`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from lpnet.penalties import L1, L2, MCP, SCAD, ElasticNet, Lp


# --------------------------------------------------------------------------- reference shape functions
def phi_l1(w):
    return np.abs(w)


def phi_l2(w):
    return 0.5 * np.square(w)


def phi_enet(rho: float) -> Callable:
    def phi(w):
        return rho * np.abs(w) + 0.5 * (1.0 - rho) * np.square(w)

    return phi


def phi_lp(p: float) -> Callable:
    def phi(w):
        return np.abs(w) ** p / p

    return phi


# MCP (Zhang 2010) and SCAD (Fan & Li 2001) with lam = alpha v_j; w and lam broadcast.
def value_mcp(gamma: float) -> Callable:
    def value(w, lam):
        u, lam = np.abs(w), np.asarray(lam, dtype=float)
        return np.where(u <= gamma * lam, lam * u - u * u / (2.0 * gamma), 0.5 * gamma * lam * lam)

    return value


def value_scad(a: float) -> Callable:
    def value(w, lam):
        u, lam = np.abs(w), np.asarray(lam, dtype=float)
        middle = (2.0 * a * lam * u - u * u - lam * lam) / (2.0 * (a - 1.0))
        return np.where(u <= lam, lam * u, np.where(u <= a * lam, middle, 0.5 * lam * lam * (a + 1.0)))

    return value


def prox_knots_mcp(gamma: float) -> Callable:
    """|x| where argmin_z 1/2 (z - x)^2 + step * mcp(z; lam) changes regime.

    step < gamma: firm thresholding, 0 up to step lam, (|x| - step lam) / (1 - step / gamma) up to
    gamma lam, x beyond.  step >= gamma: the objective is concave on [0, gamma lam], so the answer is 0
    or x, whichever is lower: 1/2 x^2 = step gamma lam^2 / 2 at |x| = sqrt(step gamma) lam.
    """

    def knots(step, lam):
        if step < gamma:
            return [step * lam, gamma * lam]
        return [gamma * lam, np.sqrt(step * gamma) * lam]

    return knots


def prox_knots_scad(a: float) -> Callable:
    """|x| where argmin_z 1/2 (z - x)^2 + step * scad(z; lam) changes regime.

    step < a - 1: soft thresholding (threshold step lam) up to (1 + step) lam, then
    ((a - 1) |x| - step a lam) / (a - 1 - step) up to a lam, then x.  step >= a - 1: the middle piece is
    concave and the answer jumps from the soft-thresholded value (or 0) to x where their objectives
    tie: step lam |x| - step^2 lam^2 / 2 = step (a + 1) lam^2 / 2 at |x| = (step + a + 1) lam / 2
    while step <= a + 1, 1/2 x^2 = step (a + 1) lam^2 / 2 at |x| = sqrt(step (a + 1)) lam beyond.
    """

    def knots(step, lam):
        out = [step * lam, (1.0 + step) * lam, a * lam]
        if step >= a - 1.0:
            jump = (step + a + 1.0) / 2.0 if step <= a + 1.0 else np.sqrt(step * (a + 1.0))
            out.append(jump * lam)
        return out

    return knots


@dataclass(frozen=True)
class PenaltyFactory:
    """Callable ``factory(alpha, weights=None) -> Penalty`` with reference metadata attached.

    A penalty of the form ``P_j(w) = alpha v_j phi(w)`` gives ``phi``; one that is not gives
    ``value_fn(w, lam)`` (and ``phi=None``).  Tests read the penalty through :meth:`value_of` either way.
    """

    build: Callable[[float, Any], Any]
    phi: Callable | None  # reference P_j(w) / (alpha v_j), vectorised numpy; None if P_j is not of that form
    convex: bool
    l1_type: bool = False  # conjugate is the indicator of {|z_j| <= alpha v_j}
    p: float | None = None  # the Lp exponent (or the equivalent one), for tests that need it
    value_fn: Callable | None = None  # reference P_j(w) as a function of (w, lam = alpha v_j), vectorised
    knots: Callable | None = None  # lam -> the |w| > 0 where value_of(., lam) changes formula
    prox_knots: Callable | None = None  # (step, lam) -> the |x| where the prox changes regime
    critical_step: float | None = None  # the step beyond which the prox objective is not convex

    def __call__(self, alpha, weights=None):
        return self.build(alpha, weights)

    def value_of(self, w, lam):
        """Reference ``P_j(w)`` for ``lam = alpha v_j`` (arrays broadcast): ``lam * phi(w)`` by default."""
        if self.value_fn is not None:
            return self.value_fn(w, lam)
        return lam * self.phi(w)

    def slope_at_zero(self, lam):
        """``P_j'(0+)``, the half-width of the subdifferential at 0 (huge for p < 1, 0 when smooth)."""
        h = 1e-200
        return float(self.value_of(np.array(h), lam)) / h

    def derivative(self, w, lam):
        """``P_j'(w)`` for ``w != 0`` by a 5-point finite difference with a relative step.

        Every knot here is a point where ``P_j`` is C^1 and polynomial of degree <= 2 on both sides,
        so a stencil that would straddle a knot is replaced by a one-sided 5-point stencil pointing away
        from it (exact on a quadratic piece, up to rounding).
        """
        w = float(w)
        h = 1e-4 * abs(w)

        def f(u):
            return float(self.value_of(np.array(u), lam))

        near = [k for k in (self.knots(lam) if self.knots is not None else []) if abs(abs(w) - k) <= 2 * h]
        if not near:
            return (-f(w + 2 * h) + 8 * f(w + h) - 8 * f(w - h) + f(w - 2 * h)) / (12 * h)
        # step away from the knot (in |w|), i.e. towards larger |w| when |w| >= knot
        d = h * np.sign(w) * (1.0 if abs(w) >= near[0] else -1.0)
        return (-25 * f(w) + 48 * f(w + d) - 36 * f(w + 2 * d) + 16 * f(w + 3 * d) - 3 * f(w + 4 * d)) / (12 * d)


def _lp(p: float) -> PenaltyFactory:
    return PenaltyFactory(lambda a, w: Lp(a, p, weights=w), phi_lp(p), convex=p >= 1, l1_type=p == 1, p=p)


def _enet(rho: float) -> PenaltyFactory:
    return PenaltyFactory(
        lambda a, w: ElasticNet(a, l1_ratio=rho, weights=w), phi_enet(rho), convex=True, l1_type=rho == 1
    )


def _mcp(gamma: float) -> PenaltyFactory:
    return PenaltyFactory(
        lambda a, w: MCP(a, gamma=gamma, weights=w),
        None,
        convex=False,
        value_fn=value_mcp(gamma),
        knots=lambda lam: [gamma * lam],
        prox_knots=prox_knots_mcp(gamma),
        critical_step=gamma,
    )


def _scad(a: float) -> PenaltyFactory:
    return PenaltyFactory(
        lambda al, w: SCAD(al, a=a, weights=w),
        None,
        convex=False,
        value_fn=value_scad(a),
        knots=lambda lam: [lam, a * lam],
        prox_knots=prox_knots_scad(a),
        critical_step=a - 1.0,
    )


# One line per penalty.
PENALTIES: list[tuple[str, PenaltyFactory]] = [
    ("L1", PenaltyFactory(lambda a, w: L1(a, weights=w), phi_l1, convex=True, l1_type=True, p=1.0)),
    ("L2", PenaltyFactory(lambda a, w: L2(a, weights=w), phi_l2, convex=True, p=2.0)),
    ("ElasticNet(l1_ratio=0)", _enet(0.0)),
    ("ElasticNet(l1_ratio=0.3)", _enet(0.3)),
    ("ElasticNet(l1_ratio=1)", _enet(1.0)),
    ("Lp(p=0.3)", _lp(0.3)),
    ("Lp(p=0.5)", _lp(0.5)),
    ("Lp(p=2/3)", _lp(2.0 / 3.0)),
    ("Lp(p=0.8)", _lp(0.8)),
    ("Lp(p=1)", _lp(1.0)),
    ("Lp(p=1.5)", _lp(1.5)),
    ("Lp(p=2)", _lp(2.0)),
    ("Lp(p=3)", _lp(3.0)),
    ("Lp(p=4)", _lp(4.0)),
    ("MCP(gamma=1.5)", _mcp(1.5)),
    ("MCP(gamma=3)", _mcp(3.0)),
    ("SCAD(a=2.5)", _scad(2.5)),
    ("SCAD(a=3.7)", _scad(3.7)),
]

PENALTY_IDS = [pid for pid, _ in PENALTIES]
CONVEX_PENALTIES = [(pid, f) for pid, f in PENALTIES if f.convex]
NONCONVEX_PENALTIES = [(pid, f) for pid, f in PENALTIES if not f.convex]

# Unequal factors: an unpenalized feature (0), small, unit, large, and irregular values.
_BASE_FACTORS = np.array([0.0, 0.3, 2.5, 1.0, 0.05, 7.0, 1.7, 0.0, 0.6])


def unequal_weights(n_features: int) -> np.ndarray:
    """Unequal, non-negative penalty factors of length ``n_features`` (a 0 among them when n >= 1)."""
    reps = -(-n_features // _BASE_FACTORS.size)
    return np.tile(_BASE_FACTORS, reps)[:n_features].copy()


def get_factory(penalty_id: str) -> PenaltyFactory:
    return dict(PENALTIES)[penalty_id]
