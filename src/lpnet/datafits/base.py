"""The datafit interface.

A datafit is ``D(w, b) = sum_i f_i(z_i)`` with ``z = X w + b`` the linear predictor and the sample weights
``s`` rescaled to sum to ``n``.  Solvers use it only through the methods below, all of which take the
linear predictor ``z`` rather than ``(X, w, b)``: the datafit never touches the design matrix, so the same
object serves dense, sparse and (later) distributed data.
"""
from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np


class Datafit(ABC):
    """Separable datafit ``D = sum_i f_i(z_i)``; see the module docstring."""

    #: name used by estimators, the CLI and saved models
    name: str = ""

    #: whether ``dual_metric`` is the sample weights themselves (then the certificate precomputes it)
    dual_metric_is_weights: bool = False
    #: whether ``dual(theta, y - c, s) == dual(theta, y, s)`` for a constant ``c`` when ``sum(theta) = 0``
    #: (the dual points of a fit with an intercept): the certificate then evaluates the dual with the
    #: centred target, which keeps a large mean of ``y`` from swamping it in rounding
    dual_shift_invariant: bool = False

    def dual_metric(self, theta, s) -> np.ndarray:
        """Diagonal metric in which the dual point is projected onto ``{A^T theta = 0}``.

        The default, ``|theta|``, changes every ``theta_i`` by a small *relative* amount, so a dual point
        inside a bounded domain (the logistic loss needs ``theta_i y_i n / s_i`` in [0, 1]) stays inside.
        """
        return np.abs(theta)

    def prepare_target(self, y) -> np.ndarray:
        """Map the user's target to the datafit's internal encoding (float64)."""
        return np.asarray(y, dtype=np.float64)

    @abstractmethod
    def value(self, y, z, s) -> float:
        """``D`` at the linear predictor ``z``."""

    @abstractmethod
    def raw_grad(self, y, z, s) -> np.ndarray:
        """``dD/dz_i``; the gradient in ``w`` is ``X.T @ raw_grad``."""

    @abstractmethod
    def curvature(self, y, z, s) -> np.ndarray:
        """``d^2 D / dz_i^2`` (the weights of the quadratic model used by proximal Newton)."""

    @abstractmethod
    def curvature_bound(self, s) -> np.ndarray:
        """Per-sample upper bound of the curvature (gives Lipschitz constants)."""

    @abstractmethod
    def dual(self, theta, y, s) -> float:
        """``-sum_i f_i^*(-theta_i)``, the datafit's part of the Fenchel dual; ``-inf`` outside its domain."""

    @abstractmethod
    def null_model(self, y, s, fit_intercept: bool) -> tuple[float, float]:
        """``(b, D)`` of the best intercept-only model (``b = 0`` without an intercept).

        ``D`` is the scale of the stopping rule: a fit has converged when its duality gap is at most
        ``tol * D``.
        """
