"""A penalty that lpnet does not ship, registered for one test at a time: every layer that reads the
registry must take it with no edit of its own.

``L1Cubic(alpha, cubic) = alpha * sum_j v_j (|w_j| + cubic/3 |w_j|^3)``: separable, convex, with an L1
part (exact zeros) and no norm ball (its ``exponent`` is NaN); one shape parameter, ``cubic >= 0``.
"""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np

from lpnet.penalties import Penalty, registry

NAME = "l1cubic"


def _prox(x, step, v, params):
    lam = step * params[0] * v
    excess = abs(x) - lam
    if excess <= 0.0:
        return 0.0
    # the positive root of lam c u^2 + u - excess = 0, in the form without cancellation
    return math.copysign(2.0 * excess / (1.0 + math.sqrt(1.0 + 4.0 * lam * params[1] * excess)), x)


def _distance(w, g, v, params):
    a = params[0] * v
    if w == 0.0:
        return max(abs(g) - a, 0.0)
    return abs(g + a * math.copysign(1.0 + params[1] * w * w, w))


def _value(w, v, params):
    return params[0] * v * (abs(w) + params[1] / 3.0 * abs(w) ** 3)


def _conjugate(z, v, params):
    # sup_u (|z| - a) u - a c/3 u^3 over u >= 0: 2/3 s^(3/2) / sqrt(a c) with s = |z| - a
    a = params[0] * v
    s = abs(z) - a
    if s <= 0.0:
        return 0.0
    if params[1] == 0.0:
        return math.inf
    return 2.0 / 3.0 * s**1.5 / math.sqrt(a * params[1])


def _dual_ratio(z, v, params):
    return 0.0 if params[1] > 0.0 else abs(z) / (params[0] * v)


class L1Cubic(Penalty):
    """``alpha * sum_j v_j (|w_j| + cubic/3 |w_j|^3)``."""

    name = NAME
    parameters: ClassVar[dict[str, float]] = {"cubic": 1.0}

    def __init__(self, alpha, cubic=1.0, *, weights=None):
        super().__init__(alpha, weights=weights)
        if not (isinstance(cubic, (int, float)) and math.isfinite(cubic) and cubic >= 0.0):
            raise ValueError(f"cubic must be a finite number >= 0, got {cubic!r}.")
        self.cubic = float(cubic)

    def _scalar_kernels(self):
        return _prox, _distance, _value

    def _dual_scalar_kernels(self):
        return _conjugate, _dual_ratio

    def zero_threshold(self, n_features):
        return self.alpha * self.penalty_factors(n_features)


def register(monkeypatch) -> type[Penalty]:
    """Add :class:`L1Cubic` to lpnet's registry for the current test (``monkeypatch`` undoes it)."""
    monkeypatch.setattr(registry, "_CLASSES", registry._CLASSES + (L1Cubic,))
    monkeypatch.setitem(registry._BY_NAME, NAME, L1Cubic)
    return L1Cubic


def by_hand(w, alpha, cubic):
    """The penalty's value, in numpy, from its formula."""
    a = np.abs(np.asarray(w, dtype=np.float64))
    return float(alpha * np.sum(a + cubic / 3.0 * a**3))
