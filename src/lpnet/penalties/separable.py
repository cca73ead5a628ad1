"""L1, L2, Elastic Net and Lp penalties, scaled as the project's conventions say.

=========================  =============================================
L1(alpha)                  alpha * sum_j v_j |w_j|
L2(alpha)                  alpha/2 * sum_j v_j w_j^2
ElasticNet(alpha, rho)     alpha * sum_j v_j (rho |w_j| + (1-rho)/2 w_j^2)
Lp(alpha, p), p > 0        alpha/p * sum_j v_j |w_j|^p
MCP(alpha, gamma)          sum_j mcp(w_j; lam_j = alpha v_j, gamma), gamma > 1
SCAD(alpha, a)             sum_j scad(w_j; lam_j = alpha v_j, a), a > 2
=========================  =============================================

so ``Lp(alpha, 1) == L1(alpha)`` and ``Lp(alpha, 2) == L2(alpha)``; ``ElasticNet`` uses scikit-learn's
``alpha`` and ``l1_ratio`` (glmnet's ``lambda`` and ``alpha``).
"""

from __future__ import annotations

import numpy as np

from .._validation import InvalidParameterError, check_l1_ratio, check_p
from . import prox as k
from .base import Penalty, remembered


class L1(Penalty):
    """Lasso penalty ``alpha * sum_j v_j |w_j|``; its prox is soft-thresholding.

    Parameters
    ----------
    alpha : float
        Regularization strength, ``alpha >= 0``.
    weights : array-like of shape (n_features,), optional
        Per-feature penalty factors ``v_j >= 0``; 0 leaves a feature unpenalized, None means all ones.
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), optional
        A box on the coefficients (see :class:`Penalty`).
    """

    name = "l1"
    exponent = 1.0  # type: ignore[assignment]
    piecewise_quadratic = True

    def _scalar_kernels(self):
        return k.l1_prox, k.l1_distance, k.l1_value

    def _dual_scalar_kernels(self):
        return k.l1_conjugate, k.l1_dual_ratio

    def _box_dual_kernel(self):
        return k.l1_maximizer

    @remembered
    def zero_threshold(self, n_features: int) -> np.ndarray:
        return self.alpha * self.penalty_factors(n_features)


class L2(Penalty):
    """Ridge penalty ``alpha/2 * sum_j v_j w_j^2``.

    Parameters
    ----------
    alpha : float
        Regularization strength, ``alpha >= 0``.
    weights : array-like of shape (n_features,), optional
        Per-feature penalty factors ``v_j >= 0``; 0 leaves a feature unpenalized, None means all ones.
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), optional
        A box on the coefficients (see :class:`Penalty`).
    """

    name = "l2"
    exponent = 2.0  # type: ignore[assignment]
    quadratic = True
    piecewise_quadratic = True

    def _scalar_kernels(self):
        return k.l2_prox, k.l2_distance, k.l2_value

    def _dual_scalar_kernels(self):
        return k.l2_conjugate, k.no_dual_ratio

    def _box_dual_kernel(self):
        return k.l2_maximizer

    @remembered
    def strong_convexity(self, n_features: int) -> np.ndarray:
        return self.alpha * self.penalty_factors(n_features)


class ElasticNet(Penalty):
    """Elastic Net ``alpha * sum_j v_j (l1_ratio |w_j| + (1 - l1_ratio)/2 w_j^2)``.

    ``l1_ratio = 1`` is :class:`L1`, ``l1_ratio = 0`` is :class:`L2`.

    Parameters
    ----------
    alpha : float
        Regularization strength, ``alpha >= 0``.
    l1_ratio : float in [0, 1], default=0.5
        Share of the L1 part.
    weights : array-like of shape (n_features,), optional
        Per-feature penalty factors ``v_j >= 0``; 0 leaves a feature unpenalized, None means all ones.
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), optional
        A box on the coefficients (see :class:`Penalty`).
    """

    name = "elasticnet"
    parameters = {"l1_ratio": 0.5}
    piecewise_quadratic = True

    def __init__(self, alpha: float, l1_ratio: float = 0.5, *, weights=None, lower_bounds=None, upper_bounds=None):
        super().__init__(alpha, weights=weights, lower_bounds=lower_bounds, upper_bounds=upper_bounds)
        self.l1_ratio = check_l1_ratio(l1_ratio)

    @property
    def quadratic(self) -> bool:  # type: ignore[override]
        return self.l1_ratio == 0.0

    def _scalar_kernels(self):
        return k.enet_prox, k.enet_distance, k.enet_value

    def _dual_scalar_kernels(self):
        return k.enet_conjugate, k.enet_dual_ratio

    def _box_dual_kernel(self):
        return k.enet_maximizer

    @remembered
    def strong_convexity(self, n_features: int) -> np.ndarray:
        return self.alpha * (1.0 - self.l1_ratio) * self.penalty_factors(n_features)

    @remembered
    def zero_threshold(self, n_features: int) -> np.ndarray:
        return self.alpha * self.l1_ratio * self.penalty_factors(n_features)


class Lp(Penalty):
    """``alpha/p * sum_j v_j |w_j|^p`` for any ``p > 0``.

    ``p = 1`` and ``p = 2`` reuse the L1 and L2 kernels (so ``Lp(alpha, 1)`` is the Lasso exactly);
    ``p = 1/2``, ``2/3``, ``3/2`` and ``3`` have closed-form proxes; other ``p < 1`` compare the nonzero
    stationary point with 0; other ``p > 1`` solve the prox's stationarity equation by safeguarded Newton.
    For ``p < 1`` the penalty is non-convex: fits report an optimality violation, not a duality gap.

    Parameters
    ----------
    alpha : float
        Regularization strength, ``alpha >= 0``.
    p : float, default=1.0
        The exponent, ``p > 0``.
    weights : array-like of shape (n_features,), optional
        Per-feature penalty factors ``v_j >= 0``; 0 leaves a feature unpenalized, None means all ones.
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), optional
        A box on the coefficients (see :class:`Penalty`).
    """

    name = "lp"
    parameters = {"p": 1.0}

    def __init__(self, alpha: float, p: float = 1.0, *, weights=None, lower_bounds=None, upper_bounds=None):
        super().__init__(alpha, weights=weights, lower_bounds=lower_bounds, upper_bounds=upper_bounds)
        self.p = check_p(p)

    @property
    def convex(self) -> bool:  # type: ignore[override]
        return self.p >= 1.0

    @property
    def quadratic(self) -> bool:  # type: ignore[override]
        return self.p == 2.0

    @property
    def piecewise_quadratic(self) -> bool:  # type: ignore[override]
        return self.p in (1.0, 2.0)

    def _scalar_kernels(self):
        p = self.p
        if p == 1.0:
            return k.l1_prox, k.l1_distance, k.l1_value
        if p == 2.0:
            return k.l2_prox, k.l2_distance, k.l2_value
        if p == 0.5:
            return k.lp_half_prox, k.lp_distance, k.lp_value
        if abs(p - 2.0 / 3.0) < 1e-12:
            return k.lp_two_thirds_prox, k.lp_distance, k.lp_value
        # (a root by Newton's method costs several powers a coordinate: a closed form where the
        # stationarity equation is a quadratic)
        if p == 1.5:
            return k.lp_three_halves_prox, k.lp_distance, k.lp_value
        if p == 3.0:
            return k.lp_cubic_prox, k.lp_distance, k.lp_value
        return k.lp_prox, k.lp_distance, k.lp_value

    def _dual_scalar_kernels(self):
        if self.p == 1.0:
            return k.l1_conjugate, k.l1_dual_ratio
        if self.p == 2.0:
            return k.l2_conjugate, k.no_dual_ratio
        return (k.lp_conjugate, k.no_dual_ratio) if self.p > 1.0 else None

    def _box_dual_kernel(self):
        if self.p == 1.0:
            return k.l1_maximizer
        if self.p == 2.0:
            return k.l2_maximizer
        return k.lp_maximizer if self.p > 1.0 else None

    @property
    def exponent(self) -> float:  # type: ignore[override]
        return self.p

    @remembered
    def strong_convexity(self, n_features: int) -> np.ndarray:
        # |w|^p has curvature p(p-1)|w|^(p-2): bounded below by a positive constant only for p = 2
        if self.p == 2.0:
            return self.alpha * self.penalty_factors(n_features)
        return super().strong_convexity(n_features)

    @remembered
    def zero_threshold(self, n_features: int) -> np.ndarray:
        if self.p == 1.0:
            return self.alpha * self.penalty_factors(n_features)
        return super().zero_threshold(n_features)


def _check_above(value, bound: float, name: str, who: str) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float, np.floating, np.integer))
        or not np.isfinite(value)
        or value <= bound
    ):
        raise InvalidParameterError(f"{who}'s {name} must be a finite number > {bound:g}, got {value!r}.")
    return float(value)


class MCP(Penalty):
    """Minimax concave penalty (Zhang 2010): with ``lam_j = alpha v_j``, ``lam_j |w| - w^2 / (2 gamma)``
    for ``|w| <= gamma lam_j``, then the constant ``gamma lam_j^2 / 2``.

    Non-convex (fits report an optimality violation); the L1 slope at 0, so ``alpha_max`` is the
    Lasso's.  Its prox is firm thresholding (a global minimizer for every step).  Scaled as skglm's
    ``MCPenalty(alpha, gamma)`` and ncvreg's ``lambda``, ``gamma``.

    Parameters
    ----------
    alpha : float
        Regularization strength, ``alpha >= 0``.
    gamma : float, default=3.0
        Where the penalty stops growing, in units of ``lam_j``; ``gamma > 1``.
    weights : array-like of shape (n_features,), optional
        Per-feature penalty factors ``v_j >= 0``; 0 leaves a feature unpenalized, None means all ones.
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), optional
        A box on the coefficients (see :class:`Penalty`).
    """

    name = "mcp"
    parameters = {"gamma": 3.0}
    convex = False

    def __init__(self, alpha: float, gamma: float = 3.0, *, weights=None, lower_bounds=None, upper_bounds=None):
        super().__init__(alpha, weights=weights, lower_bounds=lower_bounds, upper_bounds=upper_bounds)
        self.gamma = _check_above(gamma, 1.0, "gamma", "MCP")

    def _scalar_kernels(self):
        return k.mcp_prox, k.mcp_distance, k.mcp_value

    @remembered
    def zero_threshold(self, n_features: int) -> np.ndarray:
        return self.alpha * self.penalty_factors(n_features)


class SCAD(Penalty):
    """Smoothly clipped absolute deviation (Fan & Li 2001): with ``lam_j = alpha v_j``, ``lam_j |w|`` for
    ``|w| <= lam_j``, ``(2 a lam_j |w| - w^2 - lam_j^2) / (2 (a - 1))`` up to ``|w| = a lam_j``, then the
    constant ``lam_j^2 (a + 1) / 2``.

    Non-convex (fits report an optimality violation); the L1 slope at 0, so ``alpha_max`` is the
    Lasso's.  Its prox is SCAD thresholding (a global minimizer for every step).  Scaled as skglm's
    ``SCAD(alpha, gamma=a)`` and ncvreg's ``lambda``, ``gamma``.

    Parameters
    ----------
    alpha : float
        Regularization strength, ``alpha >= 0``.
    a : float, default=3.7
        Where the penalty stops growing, in units of ``lam_j``; ``a > 2``.
    weights : array-like of shape (n_features,), optional
        Per-feature penalty factors ``v_j >= 0``; 0 leaves a feature unpenalized, None means all ones.
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), optional
        A box on the coefficients (see :class:`Penalty`).
    """

    name = "scad"
    parameters = {"a": 3.7}
    convex = False

    def __init__(self, alpha: float, a: float = 3.7, *, weights=None, lower_bounds=None, upper_bounds=None):
        super().__init__(alpha, weights=weights, lower_bounds=lower_bounds, upper_bounds=upper_bounds)
        self.a = _check_above(a, 2.0, "a", "SCAD")

    def _scalar_kernels(self):
        return k.scad_prox, k.scad_distance, k.scad_value

    @remembered
    def zero_threshold(self, n_features: int) -> np.ndarray:
        return self.alpha * self.penalty_factors(n_features)
