"""The single registry of penalties exercised by every contract test in the project.

``PENALTIES`` is a list of ``(id, factory)`` pairs; ``factory(alpha, weights)`` builds the penalty
(``weights`` may be ``None``).  Adding a penalty to lpnet means adding ONE line to ``PENALTIES``.

Each factory also carries, for tests that need an independent reference, the scalar shape function
``phi`` of CONVENTIONS.md written directly in numpy (``P(w) = alpha * sum_j v_j * phi(w_j)``), whether
the penalty is convex, and whether its conjugate is an indicator (L1-type: bounded dual domain).
Those attributes come from the conventions, never from lpnet's own output.

Penalty factors: a prox bug in another library hid behind equal weights, so contract tests must use
UNEQUAL factors, including a 0 (an unpenalized feature): use :func:`unequal_weights`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from lpnet.penalties import L1, L2, ElasticNet, Lp


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


@dataclass(frozen=True)
class PenaltyFactory:
    """Callable ``factory(alpha, weights=None) -> Penalty`` with reference metadata attached."""

    build: Callable[[float, Any], Any]
    phi: Callable  # reference P_j(w) / (alpha v_j), vectorised numpy
    convex: bool
    l1_type: bool = False  # conjugate is the indicator of {|z_j| <= alpha v_j}
    p: float | None = None  # the Lp exponent (or the equivalent one), for tests that need it

    def __call__(self, alpha, weights=None):
        return self.build(alpha, weights)


def _lp(p: float) -> PenaltyFactory:
    return PenaltyFactory(
        lambda a, w: Lp(a, p, weights=w), phi_lp(p), convex=p >= 1, l1_type=p == 1, p=p
    )


def _enet(rho: float) -> PenaltyFactory:
    return PenaltyFactory(
        lambda a, w: ElasticNet(a, l1_ratio=rho, weights=w), phi_enet(rho), convex=True, l1_type=rho == 1
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
