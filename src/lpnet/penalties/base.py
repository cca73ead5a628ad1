"""The penalty interface shared by every solver.

A penalty is ``P(w) = sum_j P_j(w_j)``, for most penalties ``P_j(w) = alpha * v_j * phi(w)``, where
``v_j >= 0`` are the per-feature penalty factors (``weights``; 0 leaves feature j unpenalized); MCP and
SCAD are functions of ``w`` and ``lam_j = alpha * v_j`` that are not linear in ``lam_j``.

Solvers never look at which penalty they hold.  They use two layers of it:

* three scalar kernels, compiled by numba as C callbacks (``cfunc``) with a fixed signature, so one
  compiled coordinate-descent loop serves every penalty and numba's on-disk cache stays valid
  across processes (a jitted function passed as an argument would be re-compiled in every process):

  - ``prox(x, step, v, params)``  -> argmin_z 1/2 (z - x)^2 + step * P_j(z)
  - ``subdiff_distance(w, g, v, params)`` -> dist(-g, dP_j(w))   (limiting subdifferential)
  - ``value(w, v, params)``  -> P_j(w)

  ``params`` is a pointer to the penalty's packed float64 parameters (``alpha`` first).
* vectorised numpy methods for the certificates (``value``, ``prox``, ``subdiff_distance``,
  and for convex penalties ``conjugate`` and ``dual_scale``).

Adding a penalty means writing one subclass with its scalar kernels and, if it is convex, its two dual
kernels (``conjugate(z, v, params)`` and ``dual_ratio(z, v, params)``, from which the vectorised
``conjugate`` and ``dual_scale`` follow and which compiled loops certify with), or a vectorised
``conjugate`` for a penalty that is not separable.
"""

from __future__ import annotations

import functools
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from numba import cfunc, njit, types

from .._validation import check_alpha, check_penalty_factor

# Fixed C signatures of the scalar kernels.
PROX_SIG = types.float64(types.float64, types.float64, types.float64, types.CPointer(types.float64))
DIST_SIG = PROX_SIG
VALUE_SIG = types.float64(types.float64, types.float64, types.CPointer(types.float64))


_SIGNATURES = {"prox": PROX_SIG, "dist": DIST_SIG, "value": VALUE_SIG}


@functools.cache
def _compile(pyfunc: Callable, kind: str) -> Any:
    # Compiled on first use, not at import, so ``import lpnet`` stays light; ``cache=True`` makes
    # every later process load the machine code from disk.  Keyed by the kind's name: hashing numba's
    # signature objects on every lookup cost tens of microseconds, paid by each penalty.value() call.
    return cfunc(_SIGNATURES[kind], cache=True)(pyfunc)


@dataclass(frozen=True)
class PenaltyKernels:
    """Compiled scalar kernels of one penalty (numba first-class functions)."""

    prox: Any
    subdiff_distance: Any
    value: Any


@dataclass(frozen=True)
class DualKernels:
    """Compiled scalar kernels of a convex penalty's conjugate, for certificates computed inside a
    compiled loop: ``conjugate(z, v, params) = P_j*(z)`` and ``dual_ratio(z, v, params)``, the factor by
    which z exceeds the conjugate's domain (0 when the domain is the whole line)."""

    conjugate: Any
    dual_ratio: Any


@njit(cache=True)
def _map_prox(prox, w, step, v, params):
    out = np.empty(w.shape[0])
    for j in range(w.shape[0]):
        out[j] = prox(w[j], step[j], v[j], params.ctypes)
    return out


@njit(cache=True)
def _map_distance(dist, w, grad, v, params):
    out = np.empty(w.shape[0])
    for j in range(w.shape[0]):
        out[j] = dist(w[j], grad[j], v[j], params.ctypes)
    return out


@njit(cache=True)
def _sum_map(kernel, z, v, params):
    total = 0.0
    for j in range(z.shape[0]):
        total += kernel(z[j], v[j], params.ctypes)
    return total


@njit(cache=True)
def _max_map(kernel, z, v, params):
    out = 0.0
    for j in range(z.shape[0]):
        out = max(out, kernel(z[j], v[j], params.ctypes))
    return out


@njit(cache=True)
def _scaled_conjugate(conjugate, dual_ratio, z, v, params):
    # over the penalized features only (the others are projected out by the certificate)
    scale = 1.0
    for j in range(z.shape[0]):
        if params[0] * v[j] > 0.0:
            scale = max(scale, dual_ratio(z[j], v[j], params.ctypes))
    total = 0.0
    for j in range(z.shape[0]):
        if params[0] * v[j] > 0.0:
            total += conjugate(z[j] / scale, v[j], params.ctypes)
    return scale, total


class Penalty(ABC):
    """A separable penalty ``P(w) = sum_j alpha * v_j * phi(w_j)``.

    Parameters
    ----------
    alpha : float
        Regularization strength, ``alpha >= 0``.
    weights : array-like of shape (n_features,), optional
        Per-feature penalty factors ``v_j >= 0`` (glmnet's ``penalty.factor``); 0 leaves a feature
        unpenalized.  ``None`` means all ones.
    """

    #: the name the registry, the estimators' ``penalty=`` and the CLI know the penalty by
    name: ClassVar[str] = ""
    #: shape parameters after ``alpha``, with their defaults, in the order the kernels read them
    parameters: ClassVar[dict[str, float]] = {}
    #: whether the penalty is convex (a duality gap certifies the fit) or not (stationarity only)
    convex: bool = True
    #: whether the penalty is exactly ``alpha/2 sum_j v_j w_j^2`` (the squared loss then has a direct solve)
    quadratic: bool = False

    def __init__(self, alpha: float, *, weights=None):
        self.alpha = check_alpha(alpha)
        self.weights = None if weights is None else check_penalty_factor(weights, name="weights")

    # ----------------------------------------------------------------- what callers ask the penalty
    @property
    def is_convex(self) -> bool:
        """Whether a duality gap certifies a fit (else the optimality violation does)."""
        return bool(self.convex)

    @property
    def is_quadratic(self) -> bool:
        """Whether the penalty is ``alpha/2 sum_j v_j w_j^2`` (the squared loss then has a direct solve)."""
        return bool(self.quadratic)

    @property
    def exponent(self) -> float:
        """``p`` when the penalty is a multiple of ``||w||_p^p`` (its constrained form is a norm ball), else NaN."""
        return float("nan")

    @property
    def label(self) -> str:
        """A short description, e.g. ``"L1"`` or ``"ElasticNet(l1_ratio=0.5)"``."""
        shape = ", ".join(f"{k}={v:g}" for k, v in self.shape_parameters().items())
        return f"{type(self).__name__}({shape})" if shape else type(self).__name__

    def shape_parameters(self) -> dict[str, float]:
        """The shape parameters (everything but ``alpha`` and the factors), by name."""
        return {key: getattr(self, key) for key in self.parameters}

    def with_alpha(self, alpha: float) -> Penalty:
        """The same penalty (shape and factors) at another ``alpha``."""
        return type(self)(alpha, **self.shape_parameters(), weights=self.weights)

    def with_weights(self, weights) -> Penalty:
        """The same penalty (``alpha`` and shape) with other penalty factors (None: all ones)."""
        return type(self)(self.alpha, **self.shape_parameters(), weights=weights)

    def alpha_max(self, grad, n_features: int | None = None) -> float:
        """Smallest ``alpha`` at which ``w = 0`` is stationary, given the loss gradient there.

        From the threshold at zero (``dP_j(0) = [-tau_j, tau_j]``, ``tau_j`` linear in ``alpha``):
        ``alpha_max = max_j |grad_j| / tau_j(1)`` over the penalized features.  A penalty without a
        threshold (differentiable at 0, or ``p < 1`` where 0 is always a local minimum) has no finite
        ``alpha_max``; the L1 value (``tau_j(1) = v_j``) is returned as the scale of a grid.
        """
        grad = np.abs(np.asarray(grad, dtype=np.float64).ravel())
        n = grad.shape[0] if n_features is None else n_features
        factors = self.penalty_factors(n)
        penalized = factors > 0
        if not penalized.any():
            return 0.0
        unit = self.with_alpha(1.0).zero_threshold(n)
        if not (unit[penalized] > 0).all():
            unit = factors
        return float(np.max(grad[penalized] / unit[penalized]))

    # ----------------------------------------------------------------- what subclasses define
    @abstractmethod
    def _scalar_kernels(self) -> tuple[Callable, Callable, Callable]:
        """The plain-Python scalar ``(prox, subdiff_distance, value)`` functions (numba-compilable)."""

    def _dual_scalar_kernels(self) -> tuple[Callable, Callable] | None:
        """The plain-Python scalar ``(conjugate, dual_ratio)`` of a convex penalty, or None."""
        return None

    def _shape_params(self) -> tuple[float, ...]:
        """Shape parameters packed after ``alpha``: those named in ``parameters``, in that order."""
        return tuple(float(getattr(self, key)) for key in self.parameters)

    # ----------------------------------------------------------------- shared machinery
    @property
    def params(self) -> np.ndarray:
        """Packed float64 parameters handed to the scalar kernels: ``[alpha, *shape]``."""
        return np.array((self.alpha, *self._shape_params()), dtype=np.float64)

    @property
    def kernels(self) -> PenaltyKernels:
        prox, dist, value = self._scalar_kernels()
        return PenaltyKernels(
            prox=_compile(prox, "prox"),
            subdiff_distance=_compile(dist, "dist"),
            value=_compile(value, "value"),
        )

    @property
    def dual_kernels(self) -> DualKernels | None:
        """Compiled ``(conjugate, dual_ratio)`` scalar kernels, or None (non-convex penalties)."""
        pair = self._dual_scalar_kernels()
        if pair is None:
            return None
        return DualKernels(conjugate=_compile(pair[0], "value"), dual_ratio=_compile(pair[1], "value"))

    def penalty_factors(self, n_features: int) -> np.ndarray:
        """The per-feature factors ``v`` as a float64 array of length ``n_features``."""
        if self.weights is None:
            return np.ones(n_features)
        if np.shape(self.weights) != (n_features,):  # values were checked when the penalty was built
            return check_penalty_factor(self.weights, n_features, name="weights")  # raises, naming the fix
        return self.weights

    def is_penalized(self, n_features: int) -> np.ndarray:
        """Boolean mask of the features this penalty acts on (``alpha * v_j > 0``)."""
        return self.alpha * self.penalty_factors(n_features) > 0

    def value(self, w) -> float:
        """``P(w)``."""
        w = np.ascontiguousarray(w, dtype=np.float64)
        return float(_sum_map(self.kernels.value, w, self.penalty_factors(w.shape[0]), self.params))

    def prox(self, w, step) -> np.ndarray:
        """Proximal operator ``argmin_z 1/2 ||z - w||^2 + step * P(z)`` (a global minimizer).

        ``step`` is a scalar or one step per coordinate (the prox is separable).
        """
        w = np.ascontiguousarray(w, dtype=np.float64)
        step = np.ascontiguousarray(np.broadcast_to(np.asarray(step, dtype=np.float64), w.shape))
        return _map_prox(self.kernels.prox, w, step, self.penalty_factors(w.shape[0]), self.params)

    def subdiff_distance(self, w, grad) -> np.ndarray:
        """Per feature, ``dist(-grad_j, dP_j(w_j))``: 0 exactly at a stationary point."""
        w = np.ascontiguousarray(w, dtype=np.float64)
        grad = np.ascontiguousarray(grad, dtype=np.float64)
        kern = self.kernels.subdiff_distance
        return _map_distance(kern, w, grad, self.penalty_factors(w.shape[0]), self.params)

    # ----------------------------------------------------------------- convex penalties only
    def conjugate(self, z) -> float:
        """Fenchel conjugate ``P*(z) = sup_w z.w - P(w)`` summed over the *penalized* features.

        Unpenalized features are excluded: the solver makes ``z_j = 0`` there by projecting the dual
        point (their conjugate is the indicator of ``{0}``).  ``inf`` when ``z`` is outside the domain.
        Computed from the penalty's dual kernels; a convex penalty without them overrides this.
        """
        kernels = self.dual_kernels
        if kernels is None:
            raise NotImplementedError(f"{type(self).__name__} is not convex: it has no useful conjugate")
        z, v = self._penalized(z)
        return float(_sum_map(kernels.conjugate, z, v, self.params))

    def dual_scale(self, z) -> float:
        """Smallest ``c >= 1`` such that ``z / c`` lies in the domain of ``P*`` (1 when it is everywhere finite)."""
        kernels = self.dual_kernels
        if kernels is None:
            return 1.0
        z, v = self._penalized(z)
        return max(1.0, float(_max_map(kernels.dual_ratio, z, v, self.params)))

    def scaled_conjugate(self, z) -> tuple[float, float]:
        """``(c, P*(z / c))`` with ``c = dual_scale(z)``: the two a certificate needs, in one pass
        over ``z`` for a penalty with dual kernels."""
        kernels = self.dual_kernels
        if kernels is None:
            scale = self.dual_scale(z)
            return scale, self.conjugate(np.asarray(z, dtype=np.float64) / scale)
        z = np.ascontiguousarray(z, dtype=np.float64)
        scale, conj = _scaled_conjugate(
            kernels.conjugate, kernels.dual_ratio, z, self.penalty_factors(z.shape[0]), self.params
        )
        return float(scale), float(conj)

    def _penalized(self, z) -> tuple[np.ndarray, np.ndarray]:
        # z and the factors v restricted to the penalized features
        z = np.ascontiguousarray(z, dtype=np.float64)
        v = self.penalty_factors(z.shape[0])
        mask = self.alpha * v > 0
        if mask.all():  # the usual case: no copy
            return z, v
        return np.ascontiguousarray(z[mask]), np.ascontiguousarray(v[mask])

    def strong_convexity(self, n_features: int) -> np.ndarray:
        """Per feature, the largest ``mu_j >= 0`` with ``P_j(w) - mu_j/2 w^2`` convex (0: none).

        ``min_j mu_j > 0`` makes the whole objective ``mu``-strongly convex in ``w``, so a duality gap
        ``G`` bounds the distance to the optimum: ``||w - w*||_2 <= sqrt(2 G / mu)``.
        """
        return np.zeros(n_features)

    def zero_threshold(self, n_features: int) -> np.ndarray:
        """Per feature ``tau_j`` with ``dP_j(0) = [-tau_j, tau_j]``, linear in ``alpha``.

        For a convex penalty a coefficient is zero at the optimum exactly when ``|grad_j| <= tau_j``
        there, which is what screening rules test; for MCP and SCAD, ``w_j = 0`` is then stationary.
        Penalties differentiable at 0 (L2, Lp with p > 1) have ``tau = 0``: they never set a coefficient
        exactly to zero, and nothing is screened; so does Lp with p < 1, whose limiting subdifferential at
        0 is the whole line.
        """
        return np.zeros(n_features)

    def __repr__(self) -> str:
        shape = "".join(f", {k}={v!r}" for k, v in self._repr_items())
        w = "" if self.weights is None else ", weights=[...]"
        return f"{type(self).__name__}(alpha={self.alpha!r}{shape}{w})"

    def _repr_items(self) -> list[tuple[str, Any]]:
        return list(self.shape_parameters().items())
