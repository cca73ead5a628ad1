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
``conjugate`` for a penalty that is not separable.  Its per-feature answers (``zero_threshold``,
``strong_convexity``) are decorated with :func:`remembered`: a fit asks for them several times at each
alpha, and callers share the arrays, so nothing may modify them in place.
"""

from __future__ import annotations

import copy
import functools
import math
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Self, TypeVar

import numpy as np
from numba import cfunc, njit, types
from numba.extending import typeof_impl

from .._validation import check_alpha, check_bounds, check_penalty_factor
from .prox import box_distance, box_prox

# Fixed C signatures of the scalar kernels.
PROX_SIG = types.float64(types.float64, types.float64, types.float64, types.CPointer(types.float64))
DIST_SIG = PROX_SIG
VALUE_SIG = types.float64(types.float64, types.float64, types.CPointer(types.float64))


_SIGNATURES = {"prox": PROX_SIG, "dist": DIST_SIG, "value": VALUE_SIG}

_T = TypeVar("_T")


class ScalarKernel(types.WrapperAddressProtocol):
    """A compiled scalar kernel as numba passes it to a compiled loop: a first-class function.

    numba's own compiled callback (``cfunc``) has its numba type rebuilt from its signature at every
    call of a compiled function that takes it (about 35 microseconds per kernel argument, a tenth of a
    logistic path's time); this wrapper implements numba's wrapper-address protocol with its address
    and type computed once, and :func:`_typeof_scalar_kernel` hands that type to numba's dispatcher.
    """

    def __init__(self, compiled: Any, signature: Any):
        self.compiled = compiled  # (keeps the machine code alive)
        self.address = int(compiled.address)
        self.numba_signature = signature
        self.numba_type = types.FunctionType(signature)

    def __wrapper_address__(self) -> int:
        return self.address

    def signature(self) -> Any:
        return self.numba_signature


@typeof_impl.register(ScalarKernel)
def _typeof_scalar_kernel(val: ScalarKernel, c: Any) -> Any:
    return val.numba_type


@functools.cache
def _compile(pyfunc: Callable, kind: str) -> ScalarKernel:
    # Compiled on first use, not at import, so ``import lpnet`` stays light; ``cache=True`` makes
    # every later process load the machine code from disk.  Keyed by the kind's name: hashing numba's
    # signature objects on every lookup cost tens of microseconds, paid by each penalty.value() call.
    signature = _SIGNATURES[kind]
    return ScalarKernel(cfunc(signature, cache=True)(pyfunc), signature)


def remembered(method: Callable[..., _T]) -> Callable[..., _T]:
    """A penalty method whose answer is kept, per arguments, until an attribute of the penalty changes.

    For the per-feature facts (thresholds at zero, strong convexity, the penalized mask, the packed
    parameters) that a fit asks for several times at each alpha: on the tf-idf 5000 x 50 000 Elastic Net
    path, computed afresh each time they took 5% of the path.  The answer is shared between callers,
    which must not modify it in place; setting any attribute forgets every answer
    (:meth:`Penalty.__setattr__`), and the factors are a read-only copy, so a kept answer cannot go stale.
    """
    name = method.__qualname__

    @functools.wraps(method)
    def kept(self: Any, *args: Any) -> _T:
        facts = self.__dict__.get("_facts")
        if facts is None:
            facts = self.__dict__["_facts"] = {}  # (not through __setattr__, which would forget them)
        key = (name, *args)
        if key not in facts:
            facts[key] = method(self, *args)
        return facts[key]

    return kept


@functools.lru_cache(maxsize=8)
def _unit_factors(n_features: int) -> np.ndarray:
    # one read-only array per size: a certificate asks for the factors several times, and on
    # 1e5 features allocating them each time cost 3% of a fit
    ones = np.ones(n_features)
    ones.flags.writeable = False
    return ones


def _frozen(weights: Any) -> np.ndarray:
    """A read-only float64 copy of penalty factors (every array set as ``weights``): the penalty's answers
    derived from them are kept (:func:`remembered`), so neither the caller's array nor the penalty's may
    change under them."""
    out = np.array(weights, dtype=np.float64)
    out.flags.writeable = False
    return out


def _side(bound, n_features: int) -> np.ndarray:
    """One side of a box as a float64 array of length ``n_features``."""
    return _constant(n_features, float(bound)) if np.ndim(bound) == 0 else np.ascontiguousarray(bound, dtype=np.float64)


@functools.lru_cache(maxsize=8)
def _constant(n_features: int, value: float) -> np.ndarray:
    # a scalar bound as one read-only array per size and value (an open box's -inf and inf): a path's
    # solver asks for the bounds at every alpha, and on 50 000 features the two fills cost 60 us
    out = np.full(n_features, value)
    out.flags.writeable = False
    return out


@dataclass(frozen=True)
class PenaltyKernels:
    """Compiled scalar kernels of one penalty (numba first-class functions).

    Parameters
    ----------
    prox, subdiff_distance, value : numba function
        The scalar prox, the distance of a gradient to the subdifferential, and the penalty's value of
        one coordinate, each called with the coordinate's factor and the penalty's parameters (alpha first).
    """

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


@njit(cache=True, nogil=True)
def _map_prox(prox, w, step, v, params):
    out = np.empty(w.shape[0])
    for j in range(w.shape[0]):
        out[j] = prox(w[j], step[j], v[j], params.ctypes)
    return out


@njit(cache=True, nogil=True)
def _map_box_prox(prox, dist, value, w, step, v, params, lower, upper, convex):
    out = np.empty(w.shape[0])
    for j in range(w.shape[0]):
        out[j] = box_prox(prox, dist, value, w[j], step[j], v[j], params, lower[j], upper[j], convex)
    return out


@njit(cache=True, nogil=True)
def _map_distance(dist, w, grad, v, params):
    out = np.empty(w.shape[0])
    for j in range(w.shape[0]):
        out[j] = dist(w[j], grad[j], v[j], params.ctypes)
    return out


@njit(cache=True, nogil=True)
def _map_box_distance(dist, w, grad, v, params, lower, upper):
    out = np.empty(w.shape[0])
    for j in range(w.shape[0]):
        out[j] = box_distance(dist, w[j], grad[j], v[j], params, lower[j], upper[j])
    return out


@njit(cache=True, nogil=True)
def _sum_map(kernel, z, v, params):
    total = 0.0
    for j in range(z.shape[0]):
        total += kernel(z[j], v[j], params.ctypes)
    return total


@njit(cache=True, nogil=True)
def _max_map(kernel, z, v, params):
    out = 0.0
    for j in range(z.shape[0]):
        out = max(out, kernel(z[j], v[j], params.ctypes))
    return out


@njit(cache=True, nogil=True)
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


@njit(cache=True, nogil=True)
def _boxed_scaled_conjugate(maximizer, value, dual_ratio, z, v, params, lower, upper, rescale):
    # the conjugate of P_j + I_[lower_j, upper_j] is z c - P_j(c) at c = clip(maximizer(z), lower_j, upper_j)
    # (see the maximizers in prox.py).  With ``rescale``, z is first divided by the smallest c >= 1 that
    # makes it finite: only a maximizer that escapes through an open side of the box asks for it
    ptr = params.ctypes
    scale = 1.0
    if rescale:
        for j in range(z.shape[0]):
            m = maximizer(z[j], v[j], ptr)
            if (m == math.inf and upper[j] == math.inf) or (m == -math.inf and lower[j] == -math.inf):
                scale = max(scale, dual_ratio(z[j], v[j], ptr))
    total = 0.0
    for j in range(z.shape[0]):
        zj = z[j] / scale
        c = min(max(maximizer(zj, v[j], ptr), lower[j]), upper[j])
        if not math.isfinite(c):
            return scale, math.inf
        total += zj * c - value(c, v[j], ptr)
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
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), optional
        A box ``lower_j <= w_j <= upper_j`` (``-inf`` / ``inf`` allowed; None: that side is open).  The
        regularizer is then ``P(w) + I_box(w)``: the solvers clip in the prox, and the fit is certified by
        a duality gap with the box in the conjugate (see :meth:`has_box_dual`), else by the optimality
        violation with the box's normal cone (see :meth:`subdiff_distance`).
    """

    #: the name the registry, the estimators' ``penalty=`` and the CLI know the penalty by
    name: ClassVar[str] = ""
    #: shape parameters after ``alpha``, with their defaults, in the order the kernels read them
    parameters: ClassVar[dict[str, float]] = {}
    #: whether the penalty is convex (a duality gap certifies the fit) or not (stationarity only)
    convex: bool = True
    #: whether the penalty is exactly ``alpha/2 sum_j v_j w_j^2`` (the squared loss then has a direct solve)
    quadratic: bool = False
    #: whether every ``P_j(w) = tau_j |w| + mu_j w^2 / 2`` (``tau``: :meth:`zero_threshold`, ``mu``:
    #: :meth:`strong_convexity`): a quadratic on each orthant, minimized over one sign pattern by a linear
    #: solve (:mod:`lpnet.solvers.support_newton`)
    piecewise_quadratic: bool = False

    def __init__(self, alpha: float, *, weights=None, lower_bounds=None, upper_bounds=None):
        self.alpha = check_alpha(alpha)
        self.weights = None if weights is None else check_penalty_factor(weights, name="weights")
        self.lower_bounds, self.upper_bounds = check_bounds(lower_bounds, upper_bounds)

    def __setattr__(self, name: str, value: Any) -> None:
        # a new alpha, shape parameter, factor array or box: the answers kept by @remembered are stale
        self.__dict__.pop("_facts", None)
        if name == "weights" and value is not None:
            value = _frozen(value)
        object.__setattr__(self, name, value)

    def __getstate__(self) -> dict[str, Any]:
        # copies and pickles (joblib's workers) leave the kept answers behind: the compiled kernels
        # among them do not pickle, and a copy recomputes what it needs
        state = dict(self.__dict__)
        state.pop("_facts", None)
        return state

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
        """A short description, e.g. ``"L1"``, ``"ElasticNet(l1_ratio=0.5)"`` or ``"L1 in [0, inf]"``."""
        shape = ", ".join(f"{k}={v:g}" for k, v in self.shape_parameters().items())
        name = f"{type(self).__name__}({shape})" if shape else type(self).__name__
        if not self.is_bounded:
            return name
        if np.ndim(self.lower_bounds) or np.ndim(self.upper_bounds):
            return f"{name} with bounds"
        return f"{name} in [{float(self.lower_bounds):g}, {float(self.upper_bounds):g}]"

    def shape_parameters(self) -> dict[str, float]:
        """The shape parameters (everything but ``alpha`` and the factors), by name."""
        return {key: getattr(self, key) for key in self.parameters}

    def with_alpha(self, alpha: float) -> Self:
        """The same penalty (shape, factors and box) at another ``alpha``.

        A copy with ``alpha`` replaced: a penalty's state is its ``alpha``, shape parameters, factors
        and box, checked once when it was built (a path or a CV asks for hundreds of alphas, and
        re-checking the factors and the box each time was a measurable share of a fast path).
        """
        out = object.__new__(type(self))  # (a third of copy.copy's cost: no reduce protocol)
        out.__dict__.update(self.__dict__)
        out.alpha = check_alpha(alpha)
        return out

    def with_weights(self, weights) -> Penalty:
        """The same penalty (``alpha``, shape and box) with other penalty factors (None: all ones)."""
        return self._keep_box(type(self)(self.alpha, **self.shape_parameters(), weights=weights))

    def with_bounds(self, lower_bounds=None, upper_bounds=None) -> Penalty:
        """The same penalty inside another box (None: that side open; both None: no box)."""
        lower, upper = check_bounds(lower_bounds, upper_bounds)
        out = copy.copy(self)
        out.lower_bounds, out.upper_bounds = lower, upper
        return out

    def _keep_box(self, other: Penalty) -> Penalty:
        # subclasses need not forward the bounds through their constructors
        if not self.is_bounded:
            return other
        return other.with_bounds(self.lower_bounds, self.upper_bounds)

    @property
    def is_bounded(self) -> bool:
        """Whether the penalty carries a box with at least one finite bound."""
        lower, upper = self.lower_bounds, self.upper_bounds
        if isinstance(lower, float) and isinstance(upper, float):  # (scalar sides: asked a dozen times a fit)
            return math.isfinite(lower) or math.isfinite(upper)
        return bool(np.any(np.isfinite(lower)) or np.any(np.isfinite(upper)))

    def bounds(self, n_features: int) -> tuple[np.ndarray, np.ndarray]:
        """``(lower, upper)`` as float64 arrays of length ``n_features`` (``-inf`` / ``inf`` where open)."""
        lower, upper = self.lower_bounds, self.upper_bounds  # (checked when the box was set)
        if isinstance(lower, float) and isinstance(upper, float):  # (scalar sides: asked at every alpha)
            return _constant(n_features, lower), _constant(n_features, upper)
        if np.shape(lower) not in ((), (n_features,)) or np.shape(upper) not in ((), (n_features,)):
            check_bounds(lower, upper, n_features)  # raises, naming the fix
        return _side(lower, n_features), _side(upper, n_features)

    def project(self, w) -> np.ndarray:
        """``w`` clipped into the box (a copy; ``w`` itself when there is no box)."""
        w = np.asarray(w, dtype=np.float64)
        if not self.is_bounded:
            return w
        lower, upper = self.bounds(w.shape[0])
        return np.clip(w, lower, upper)

    def alpha_max(self, grad, n_features: int | None = None) -> float:
        """Smallest ``alpha`` at which ``w0`` is stationary, given the loss gradient there.

        ``w0`` is the point of the box closest to 0 (``w0 = 0`` without a box, or when the box contains
        0).  From the threshold at zero (``dP_j(0) = [-tau_j, tau_j]``, ``tau_j`` linear in ``alpha``):
        ``alpha_max = max_j |grad_j| / tau_j(1)`` over the penalized features.  A penalty without a
        threshold (differentiable at 0, or ``p < 1`` where 0 is always a local minimum) has no finite
        ``alpha_max``; the L1 value (``tau_j(1) = v_j``) is returned as the scale of a grid.

        With a box only the part of ``-grad_j`` that points into the box counts: ``max(-grad_j, 0)`` where
        ``lower_j = 0``, ``max(grad_j, 0)`` where ``upper_j = 0``, nothing where both are 0.  A bound that
        excludes 0 (``w0_j = lower_j > 0`` say) makes ``w = 0`` infeasible; there ``alpha_max`` is the
        smallest ``alpha`` at which the penalty's slope at ``w0_j`` holds ``w_j`` at its bound (glmnet requires
        its limits to contain 0; here any box has an ``alpha_max``, and a path starts from ``w0``).
        """
        grad = np.asarray(grad, dtype=np.float64).ravel()
        n = grad.shape[0] if n_features is None else n_features
        factors = self.penalty_factors(n)
        penalized = factors > 0
        if not penalized.any():
            return 0.0
        unit = self.with_alpha(1.0).zero_threshold(n)
        if not (unit[penalized] > 0).all():
            unit = factors
        if not self.is_bounded:
            return float(np.max(np.abs(grad[penalized]) / unit[penalized]))
        lower, upper = self.bounds(n)
        w0 = np.clip(0.0, lower, upper)
        # the part of -grad that pushes w_j from w0_j into the box
        push = np.where(w0 < upper, np.maximum(-grad, 0.0), 0.0) + np.where(w0 > lower, np.maximum(grad, 0.0), 0.0)
        at_zero = penalized & (w0 == 0.0)
        best = float(np.max(push[at_zero] / unit[at_zero], initial=0.0))
        held = penalized & (w0 != 0.0) & (push > 0.0)
        if held.any():
            best = max(best, self._holding_alpha(w0[held], push[held], factors[held]))
        return best

    def _holding_alpha(self, w0: np.ndarray, push: np.ndarray, factors: np.ndarray) -> float:
        """Smallest ``alpha`` whose slope ``|P_j'(w0_j)|`` reaches ``push_j`` for every j (``w0_j != 0``).

        The slope grows with ``alpha``: bisection, from a bracket whose upper end is exact for the
        penalties whose slope is linear in ``alpha`` (all but MCP and SCAD).
        """
        unboxed = self.with_bounds().with_weights(factors)
        zeros = np.zeros_like(w0)

        def short(alpha: float) -> bool:  # some feature is not yet held at its bound
            slope = unboxed.with_alpha(alpha).subdiff_distance(w0, zeros)
            return bool(np.any(slope < push))

        unit_slope = unboxed.with_alpha(1.0).subdiff_distance(w0, zeros)
        hi = float(np.max(push / unit_slope)) if np.all(unit_slope > 0) else 1.0
        lo = 0.0
        for _ in range(200):
            if not short(hi):
                break
            lo, hi = hi, 2.0 * hi
        else:
            return float("inf")  # (no alpha holds it: a penalty flat there)
        while hi - lo > 1e-14 * hi:
            mid = 0.5 * (lo + hi)
            if short(mid):
                lo = mid
            else:
                hi = mid
        return hi

    # ----------------------------------------------------------------- what subclasses define
    @abstractmethod
    def _scalar_kernels(self) -> tuple[Callable, Callable, Callable]:
        """The plain-Python scalar ``(prox, subdiff_distance, value)`` functions (numba-compilable)."""

    def _dual_scalar_kernels(self) -> tuple[Callable, Callable] | None:
        """The plain-Python scalar ``(conjugate, dual_ratio)`` of a convex penalty, or None."""
        return None

    def _box_dual_kernel(self) -> Callable | None:
        """The plain-Python scalar ``maximizer(z, v, params) = argmax_w z w - P_j(w)`` (+-inf where the
        supremum is not attained) of a convex penalty, from which the conjugate of ``P_j`` plus a box
        follows; None: a bounded fit is then certified by its optimality violation."""
        return None

    def _shape_params(self) -> tuple[float, ...]:
        """Shape parameters packed after ``alpha``: those named in ``parameters``, in that order."""
        return tuple(float(getattr(self, key)) for key in self.parameters)

    # ----------------------------------------------------------------- shared machinery
    @property
    @remembered
    def params(self) -> np.ndarray:
        """Packed float64 parameters handed to the scalar kernels: ``[alpha, *shape]``."""
        return np.array((self.alpha, *self._shape_params()), dtype=np.float64)

    @property
    @remembered
    def kernels(self) -> PenaltyKernels:
        prox, dist, value = self._scalar_kernels()
        return PenaltyKernels(
            prox=_compile(prox, "prox"),
            subdiff_distance=_compile(dist, "dist"),
            value=_compile(value, "value"),
        )

    @property
    @remembered
    def dual_kernels(self) -> DualKernels | None:
        """Compiled ``(conjugate, dual_ratio)`` scalar kernels, or None (non-convex penalties)."""
        pair = self._dual_scalar_kernels()
        if pair is None:
            return None
        return DualKernels(conjugate=_compile(pair[0], "value"), dual_ratio=_compile(pair[1], "value"))

    def has_box_dual(self, n_features: int) -> bool:
        """Whether a duality gap certifies this penalty with its box: no box, or a convex penalty with a
        maximizer kernel whose box leaves every unpenalized feature free (their conjugate, the support
        function of a half-open box, cannot be reached by rescaling the dual point)."""
        if not self.is_bounded:
            return True
        if not self.is_convex or self._box_dual_kernel() is None or self.dual_kernels is None:
            return False
        lower, upper = self.bounds(n_features)
        free = ~self.is_penalized(n_features)
        return not (np.isfinite(lower[free]).any() or np.isfinite(upper[free]).any())

    def _boxed(self, z, rescale: bool) -> tuple[float, float]:
        # (scale, conjugate of P + I_box at z / scale) over the penalized features
        maximizer, dual = self._box_dual_kernel(), self.dual_kernels
        if maximizer is None or dual is None:
            raise NotImplementedError(f"{type(self).__name__} has no conjugate with a box: certify by the violation")
        z = np.ascontiguousarray(z, dtype=np.float64)
        mask = self.is_penalized(z.shape[0])
        lower, upper = self.bounds(z.shape[0])
        v = self.penalty_factors(z.shape[0])
        scale, conj = _boxed_scaled_conjugate(
            _compile(maximizer, "value"),
            self.kernels.value,
            dual.dual_ratio,
            np.ascontiguousarray(z[mask]),
            np.ascontiguousarray(v[mask]),
            self.params,
            np.ascontiguousarray(lower[mask]),
            np.ascontiguousarray(upper[mask]),
            rescale,
        )
        return float(scale), float(conj)

    def penalty_factors(self, n_features: int) -> np.ndarray:
        """The per-feature factors ``v`` as a float64 array of length ``n_features``."""
        if self.weights is None:
            return _unit_factors(n_features)
        if np.shape(self.weights) != (n_features,):  # values were checked when the penalty was built
            return check_penalty_factor(self.weights, n_features, name="weights")  # raises, naming the fix
        return self.weights

    @remembered
    def is_penalized(self, n_features: int) -> np.ndarray:
        """Boolean mask of the features this penalty acts on (``alpha * v_j > 0``)."""
        return self.alpha * self.penalty_factors(n_features) > 0

    def value(self, w, features=None) -> float:
        """``P(w)``; with ``features`` (indices into ``w``), ``P`` of ``w`` with every other coordinate set
        to 0: ``sum_j P_j(w_j)`` over those features for a separable penalty."""
        w = np.ascontiguousarray(w, dtype=np.float64)
        v = self.penalty_factors(w.shape[0])
        if features is not None:  # (a known support: no pass over the other features)
            return float(_sum_map(self.kernels.value, w[features], v[features], self.params))
        # (the support as indices: gathers by a boolean mask of tens of thousands cost more than the rest)
        support = np.flatnonzero(w != 0)
        if 4 * support.size < w.shape[0]:  # every P_j vanishes at 0: a sparse w sums its support
            w, v = w[support], v[support]
        return float(_sum_map(self.kernels.value, w, v, self.params))

    def prox(self, w, step) -> np.ndarray:
        """Proximal operator ``argmin_z 1/2 ||z - w||^2 + step * P(z)`` over the box (a global minimizer).

        ``step`` is a scalar or one step per coordinate (the prox is separable).
        """
        w = np.ascontiguousarray(w, dtype=np.float64)
        step = np.ascontiguousarray(np.broadcast_to(np.asarray(step, dtype=np.float64), w.shape))
        kern = self.kernels
        v = self.penalty_factors(w.shape[0])
        if not self.is_bounded:  # (each compiled function passed costs a dispatch: the plain loop takes one)
            return _map_prox(kern.prox, w, step, v, self.params)
        lower, upper = self.bounds(w.shape[0])
        return _map_box_prox(
            kern.prox, kern.subdiff_distance, kern.value, w, step, v, self.params, lower, upper, self.is_convex
        )

    def subdiff_distance(self, w, grad, features=None) -> np.ndarray:
        """Per feature, ``dist(-grad_j, dP_j(w_j) + N_j(w_j))``: 0 exactly at a stationary point.

        ``N_j`` is the normal cone of the box ``[lower_j, upper_j]`` (``{0}`` inside it, ``(-inf, 0]`` at a
        lower bound, ``[0, inf)`` at an upper one, the whole line when they are equal); ``inf`` for a
        ``w_j`` outside the box.  ``features`` (indices into the full ``w`` and ``grad``): the distances
        of those features only, in that order.
        """
        w = np.ascontiguousarray(w, dtype=np.float64)
        grad = np.ascontiguousarray(grad, dtype=np.float64)
        kern = self.kernels.subdiff_distance
        v = self.penalty_factors(w.shape[0])
        if features is not None:
            # a path's first working set looks at its candidates only, often a few dozen of tens of
            # thousands of features (measured on the tf-idf 5000 x 50 000 Elastic Net path: 150 us an
            # alpha over every feature)
            features = np.asarray(features, dtype=np.int64)
            if not self.is_bounded:
                return _map_distance(kern, w[features], grad[features], v[features], self.params)
            lower, upper = self.bounds(w.shape[0])
            return _map_box_distance(
                kern, w[features], grad[features], v[features], self.params, lower[features], upper[features]
            )
        if not self.is_bounded:  # (as in prox: the box's helper costs a call per feature)
            support = np.flatnonzero(w != 0)
            if self.is_convex and 4 * support.size < w.shape[0]:
                # a sparse w: at w_j = 0 a convex penalty's subdifferential is [-tau_j, tau_j], whose
                # distance from -grad_j needs no kernel call (computed in place: on tens of thousands of
                # features each temporary costs as much as the arithmetic)
                out = np.abs(grad)
                out -= self.zero_threshold(w.shape[0])
                np.maximum(out, 0.0, out=out)
                out[support] = _map_distance(kern, w[support], grad[support], v[support], self.params)
                return out
            return _map_distance(kern, w, grad, v, self.params)
        lower, upper = self.bounds(w.shape[0])
        return _map_box_distance(kern, w, grad, v, self.params, lower, upper)

    # ----------------------------------------------------------------- convex penalties only
    def conjugate(self, z) -> float:
        """Fenchel conjugate ``P*(z) = sup_w z.w - P(w)`` summed over the *penalized* features.

        Unpenalized features are excluded: the solver makes ``z_j = 0`` there by projecting the dual
        point (their conjugate is the indicator of ``{0}``).  ``inf`` when ``z`` is outside the domain.
        With a box, the conjugate of ``P + I_box`` (see :meth:`has_box_dual`).
        Computed from the penalty's dual kernels; a convex penalty without them overrides this.
        """
        if self.is_bounded:
            return self._boxed(z, rescale=False)[1]
        kernels = self.dual_kernels
        if kernels is None:
            raise NotImplementedError(f"{type(self).__name__} is not convex: it has no useful conjugate")
        z, v = self._penalized(z)
        return float(_sum_map(kernels.conjugate, z, v, self.params))

    def dual_scale(self, z) -> float:
        """Smallest ``c >= 1`` such that ``z / c`` lies in the domain of ``P*`` (1 when it is everywhere finite)."""
        if self.is_bounded:
            return self._boxed(z, rescale=True)[0]
        kernels = self.dual_kernels
        if kernels is None:
            return 1.0
        z, v = self._penalized(z)
        return max(1.0, float(_max_map(kernels.dual_ratio, z, v, self.params)))

    def scaled_conjugate(self, z) -> tuple[float, float]:
        """``(c, P*(z / c))`` with ``c = dual_scale(z)``: the two a certificate needs, in one pass
        over ``z`` for a penalty with dual kernels."""
        if self.is_bounded:
            return self._boxed(z, rescale=True)
        kernels = self.dual_kernels
        if kernels is None:
            scale = self.dual_scale(z)
            return scale, self.conjugate(np.asarray(z, dtype=np.float64) / scale)
        z = np.ascontiguousarray(z, dtype=np.float64)
        v = self.penalty_factors(z.shape[0])
        # P_j is convex with its minimum 0 at 0, so P_j*(z) = 0 exactly on dP_j(0) = [-tau_j, tau_j], where z
        # also needs no rescaling: only the features outside count (along a sparse path, a few hundred of
        # tens of thousands)
        outside = np.abs(z) > self.zero_threshold(z.shape[0])
        if 4 * np.count_nonzero(outside) < z.shape[0]:
            z, v = np.ascontiguousarray(z[outside]), np.ascontiguousarray(v[outside])
        scale, conj = _scaled_conjugate(kernels.conjugate, kernels.dual_ratio, z, v, self.params)
        return float(scale), float(conj)

    def _penalized(self, z) -> tuple[np.ndarray, np.ndarray]:
        # z and the factors v restricted to the penalized features
        z = np.ascontiguousarray(z, dtype=np.float64)
        v = self.penalty_factors(z.shape[0])
        mask = self.alpha * v > 0
        if mask.all():  # the usual case: no copy
            return z, v
        return np.ascontiguousarray(z[mask]), np.ascontiguousarray(v[mask])

    @remembered
    def strong_convexity(self, n_features: int) -> np.ndarray:
        """Per feature, the largest ``mu_j >= 0`` with ``P_j(w) - mu_j/2 w^2`` convex (0: none).

        ``min_j mu_j > 0`` makes the whole objective ``mu``-strongly convex in ``w``, so a duality gap
        ``G`` bounds the distance to the optimum: ``||w - w*||_2 <= sqrt(2 G / mu)``.
        """
        return np.zeros(n_features)

    @remembered
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
        box = "".join(
            f", {name}={'[...]' if np.ndim(b) else repr(float(b))}"
            for name, b, open_end in (
                ("lower_bounds", self.lower_bounds, -np.inf),
                ("upper_bounds", self.upper_bounds, np.inf),
            )
            if np.any(np.asarray(b) != open_end)
        )
        return f"{type(self).__name__}(alpha={self.alpha!r}{shape}{w}{box})"

    def _repr_items(self) -> list[tuple[str, Any]]:
        return list(self.shape_parameters().items())
