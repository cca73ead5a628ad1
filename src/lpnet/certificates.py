"""Certificates of optimality: duality gaps (convex) and optimality violations (non-convex).

For ``min_{w,b} sum_i f_i(x_i w + b) + P(w)`` Fenchel duality gives, for any ``theta`` in R^n,

    F(w, b) >= dual(theta) = -sum_i f_i^*(-theta_i) - P^*(X^T theta)      if sum_i theta_i = 0,

(the free intercept is a column of ones with a zero penalty, whose conjugate forces ``1^T theta = 0``;
unpenalized features force ``X_j^T theta = 0`` the same way).  The natural dual point is the negative
gradient of the datafit, ``theta = -dD/dz``, which is optimal at the solution.  To make it feasible we

1. project it onto ``{A^T theta = 0}``, ``A = [1, X_free]``, in a diagonal metric ``M`` chosen by the
   datafit (``theta <- theta - M A (A^T M A)^+ A^T theta``, computed from an orthonormal basis):
   the sample weights for the squared loss
   (a weighted least-squares residual), ``|theta|`` for the logistic loss (a relative change of each
   ``theta_i``, which keeps it inside the loss's bounded dual domain).  Zero-weight samples keep
   ``theta_i = 0`` either way;
2. divide it by ``c = penalty.dual_scale(X^T theta) >= 1`` (for the Lasso: ``max_j |X_j^T theta| / (alpha v_j)``).

The gap is taken at the dual point of the current iterate only (not the best one seen so far, which
would also be valid): so anyone can recompute the reported gap from ``(coef_, intercept_)`` alone.
A convex fit has converged when ``G <= tol * F_null`` (``F_null``: the best intercept-only objective),
or, for a target constant to about 13 digits, when ``G`` is within twice the rounding of ``F_null`` itself.

A penalty far below the data's scale (``alpha v_j`` under :data:`TINY_PENALTY` times
``||grad D(null)||_inf``, i.e. near least squares) makes step 2 useless: the rescaling by ``c`` then
needs ``X^T theta`` accurate to ``alpha``, far below what rounding leaves of a converged gradient (a
logistic fit at ``alpha = 3e-9`` stalled at a gap of 4% of its objective).  There a second dual point
is also tried: the same ``theta`` projected with the support's columns counted as free
(``X_S^T theta = 0``, where the conjugate of every penalty is 0), which costs about ``P(w)``, tiny
precisely then.  The better of the two is reported; both are feasible, so the gap stays a bound.

For p < 1 no gap exists, and for a datafit without a closed-form conjugate (``Datafit.has_dual`` False:
Gamma, Tweedie, Cox) none is computed; the measure is then the optimality (KKT) violation
``max(max_j dist(-grad_j D, dP_j(w_j)), |dD/db|) / ||grad D(null)||_inf``.

A box ``lower_j <= w_j <= upper_j`` on the penalized features of a convex penalty enters the conjugate:
``(P_j + I_box)*(z) = z c - P_j(c)`` at ``c = clip(argmax_w z w - P_j(w), lower_j, upper_j)``, finite on
every side the box closes, so ``z`` is rescaled only where it escapes through an open side.  A box on an
unpenalized feature (whose conjugate, a half-open box's support function, no rescaling reaches) or on a
non-convex penalty is certified by the violation, the box's normal cone added to ``dP_j(w_j)``.

The squared loss also has a Gram form of its gap (:func:`gram_certificate`, compiled as
:func:`lpnet.certificate_kernels.gram_gap` for the Gram solver's loops), computed from ``G = Xc^T H Xc``
and ``Xc^T H yc`` without the data, and a screening rule from the gap (:func:`gap_safe_zeros`).

A working-set solver may ask for a *partial* certificate: ``X^T`` of the datafit's gradient is then
taken only at the features a Cauchy-Schwarz bound from the last full product cannot place inside their
threshold at zero.  Every other feature is a zero coefficient whose distance is 0 and whose conjugate
term vanishes, so the gap is the full certificate's; only ``grad`` (NaN there) and ``dual_xt`` (a bound
there) say less (see :meth:`Certifier.check`).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace
from typing import Any, Protocol, TypeVar

import numpy as np
import scipy.sparse as sp

from .certificate_kernels import (
    EPS,
    bounded_products,
    certificate_pass,
    dense_scales,
    gram_gap,
    safe_zeros,
    sample_rounding,
    sparse_scales,
)
from .datafits.base import Datafit
from .penalties.base import Penalty

#: penalties below this fraction of the gradient's scale at the null model also try the support's dual point
TINY_PENALTY = 1e-4
_T = TypeVar("_T")
#: relative margin of the gap-safe test (see :func:`gap_safe_zeros`)
SAFE_MARGIN = 1e-8
#: a partial certificate (:meth:`Certifier.check`) takes the full product instead when the features its
#: bounds leave open are more than this share: the full one renews the reference the bounds start from.
#: The product on a share of the columns costs that share of the full one (measured on 400 x 5000).
#: Against 0.25: ElasticNetCV's Toeplitz fold paths 525 of 771 certificates partial instead of 304 (the
#: median share open 28% instead of 15%), 6% faster over six alternating rounds; the same certificates
#: and passes; LassoCV, the Toeplitz Lasso path and the tf-idf path the same within the noise
PARTIAL_SHARE = 0.5
#: float64's smallest normal number (the same: the threshold is asked for several times a fit)
FLOAT_TINY = float(np.finfo(np.float64).tiny)


@dataclass
class Certificate:
    """The state of a fit as a certificate sees it."""

    objective: float
    #: duality gap (convex) in the objective's units, else None
    gap: float | None
    #: scale-free optimality violation (p < 1), else None
    violation: float | None
    #: gradient of the datafit in w, ``X^T dD/dz``; NaN at the features a partial certificate proved inside
    #: their threshold at zero without computing it (see :meth:`Certifier.check`)
    grad: np.ndarray
    #: per feature ``dist(-grad_j, dP_j(w_j))``
    distance: np.ndarray
    converged: bool
    #: ``X^T theta`` at the feasible dual point the gap was computed with (convex), else None; at the
    #: features a partial certificate did not compute, an upper bound of its absolute value
    dual_xt: np.ndarray | None = None
    #: how much the gap can move from rounding in ``X^T theta`` alone (convex fits; included in ``gap``):
    #: a gap at this level cannot be told from zero in float64
    floor: float = 0.0
    #: the dual objective and the feasible dual point it was evaluated at (convex), else None
    dual: float | None = None
    dual_point: np.ndarray | None = None
    #: the penalty's part of ``objective``, ``P(w)`` (convex)
    penalty_value: float | None = None

    @property
    def unresolvable(self) -> bool:
        """The gap sits at its rounding floor, which is above the threshold: iterating cannot help."""
        return bool(not self.converged and self.gap is not None and self.floor > 0 and self.gap <= 10.0 * self.floor)


class Memo(Protocol):
    """Where values computed from the data are kept between fits (a solver's ``Design``)."""

    def memo(self, key: Hashable, compute: Callable[[], _T]) -> _T:
        """``compute()`` once per ``key``."""

    def key(self, *arrays: Any) -> tuple[Any, ...]:
        """A memo key for values that depend on ``arrays``."""


class _Reference:
    """The last full product ``c = (X - means)^T r`` of a certifier and its copies (a path's alphas), from
    which a partial certificate bounds later products (see :meth:`Certifier.check`)."""

    __slots__ = ("raw", "out", "norm", "sq")

    def __init__(self) -> None:
        self.raw: np.ndarray | None = None
        self.out: np.ndarray = np.zeros(0)
        self.norm = self.sq = 0.0

    def update(self, raw: np.ndarray, out: np.ndarray) -> None:
        self.raw, self.out = raw, out
        self.sq = float(raw @ raw)
        self.norm = math.sqrt(self.sq)


class Certifier:
    """Computes certificates for one problem; build it once per fit.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,), already in the datafit's encoding
    s : ndarray of shape (n_samples,), sample weights summing to n_samples
    datafit, penalty : the problem's pieces
    fit_intercept : bool
    tol : float
        Convergence threshold (relative to ``F_null`` for gaps; scale-free for violations).
    xt : callable, optional
        ``v -> X^T v``; solvers pass their compiled kernel, the default uses ``X.T @ v``.
    cache : object with ``memo(key, compute)`` and ``key(*arrays)``, optional
        Where the projection's set-up is kept between fits on the same data (a path's alphas).
    """

    def __init__(
        self,
        X: Any,
        y: np.ndarray,
        s: np.ndarray,
        datafit: Datafit,
        penalty: Penalty,
        fit_intercept: bool,
        tol: float,
        xt: Callable[..., np.ndarray] | None = None,
        cache: Memo | None = None,
    ):
        self.X, self.y, self.s = X, y, s
        self._cache = cache
        plain_xt = xt if xt is not None else _numpy_xt(X)
        # With a free intercept every dual point sums to zero, so X^T theta = (X - means)^T theta:
        # computed on the differences, a column with a large mean does not cancel away its digits
        # (a price of 1e5 beside a spread of 3 lost 1e5 / 3 of X^T theta's precision).
        self.means: np.ndarray | None = None
        if fit_intercept:

            def means() -> np.ndarray:
                return plain_xt(s) / float(s.sum())

            self.means = means() if cache is None else cache.memo(cache.key("means", s), means)
        self.xt = lambda v: plain_xt(v, self.means)
        # the product on part of the features, for partial certificates (solvers that pass their Design)
        self._subset = getattr(cache, "xt_subset", None)
        self._reference = _Reference()  # (shared with the copies of with_penalty: the same data)
        self._zeros = np.zeros(X.shape[1])
        self.datafit = datafit
        self.fit_intercept = fit_intercept
        self.tol = tol
        self.b_null, self.f_null = datafit.null_model(y, s, fit_intercept)
        centre = fit_intercept and datafit.dual_shift_invariant and s.sum() > 0
        self.y_dual = y - float(s @ y) / float(s.sum()) if centre else y
        # the targets' magnitudes in the rounding bounds (fixed for the certifier's life)
        self._y_scale = np.ascontiguousarray(datafit.target_scale(y), dtype=np.float64)
        self._y_dual_scale = datafit.target_scale(self.y_dual)
        n_features = X.shape[1]

        # max_j |x_ij| per row (the rounding error of the linear predictor) and the columns' norms (that of
        # X^T theta, for the rounding floor), both in one compiled pass without copies of X (the copies
        # cost a third of a single fit on dense 500 x 5000, a tenth on sparse 10 000 x 100 000)
        def scales() -> tuple[np.ndarray, np.ndarray]:
            means = np.zeros(n_features) if self.means is None else self.means
            means = np.ascontiguousarray(means, dtype=np.float64)
            if sp.issparse(X):
                Xc = sp.csc_matrix(X)
                if not Xc.has_canonical_format:  # duplicate entries: the scales are those of their sums
                    Xc = Xc.copy()
                    Xc.sum_duplicates()
                return sparse_scales(Xc.data, Xc.indices, Xc.indptr, X.shape[0], means)
            return dense_scales(np.asarray(X), means)

        key = ("scales", self.means is None)
        self._row_max, self._col_norms = scales() if cache is None else cache.memo(cache.key(*key, s), scales)
        # the intercept-only objective is itself known only to its rounding: a relative target below
        # that (a target constant to ~13 digits) cannot be met, and the threshold never goes under twice it
        z_null = np.full(X.shape[0], self.b_null)
        delta = self.residual_rounding(np.zeros(0), self.b_null, z_null)
        self._null_rounding = (
            float(np.abs(datafit.raw_grad(y, z_null, s)) @ delta)
            + float(s @ (delta * delta)) / (2 * X.shape[0])
            + X.shape[0] * EPS * self.f_null
        )
        self._null_scale: float | None = None
        self._free: np.ndarray | None = None
        self._factors: tuple[np.ndarray, bool, np.ndarray, np.ndarray, float] | None = None
        self._basis: tuple[Any, Any, Any, Any, float] = (None, None, None, None, 1.0)
        self._set_penalty(penalty)

    def with_penalty(self, penalty: Penalty) -> Certifier:
        """The certifier of the same data and datafit with another penalty (a path's next alpha): what
        depends on the data alone is shared, not computed again."""
        other = copy.copy(self)
        other._set_penalty(penalty)
        return other

    def _set_penalty(self, penalty: Penalty) -> None:
        """The part of the set-up that depends on the penalty."""
        X, y, s, datafit, cache = self.X, self.y, self.s, self.datafit, self._cache
        n_features = X.shape[1]
        self.penalty = penalty
        # a duality gap needs a convex penalty and the datafit's conjugate; otherwise the certificate is
        # the scale-free optimality violation
        # (a box enters the conjugate where it can, else the violation: see Penalty.has_box_dual)
        self.convex = penalty.is_convex and datafit.has_dual and penalty.has_box_dual(n_features)
        # which features are free, and the smallest factor of the others, follow from the factors and the
        # sign of alpha: a path's next alpha (the same factors array) reuses them (two passes over the
        # features fewer per alpha, 60 us on 50 000)
        factors = penalty.penalty_factors(n_features)
        if self._factors is None or self._factors[0] is not factors or self._factors[1] != (penalty.alpha > 0):
            penalized = penalty.is_penalized(n_features)
            lowest_factor = masked_min(factors, penalized)
            self._factors = (factors, penalty.alpha > 0, ~penalized, penalized, lowest_factor)
        _, _, free, penalized, lowest_factor = self._factors
        if self._free is None or (free is not self._free and not np.array_equal(free, self._free)):
            self._free = free

            def projection() -> tuple[Any, Any, Any, Any, float]:
                return self._projection(X, s, free, self.fit_intercept)

            if cache is not None:
                key = cache.key("projection", self.fit_intercept, free, s, datafit.dual_metric_is_weights)
                self._basis = cache.memo(key, projection)
            else:
                self._basis = projection()
        # (a check may change _cond: each certifier starts from the basis's own)
        self._A, self._QR, self._RQ, self._XtRQ, self._cond = self._basis
        self.penalized = penalized
        # the logistic loss's projection (a metric that moves with theta) onto the intercept alone needs
        # X^T of that metric: solvers that pass their Design get both products in one pass
        intercept_only = self.fit_intercept and not free.any() and not datafit.dual_metric_is_weights
        self._pair = getattr(cache, "xt_pair", None) if intercept_only else None
        self.free_features = bool(free.any())
        self._n_checks = 0
        # a penalty with compiled dual kernels and no box takes the subdifferential distances, the dual
        # scaling, the conjugate and the rounding floor's second dual value in one compiled pass
        # (:func:`certificate_pass`); 20-odd numpy passes over the features before (measured on the
        # tf-idf 5000 x 50 000 Elastic Net path: a third of each certificate)
        self._fused = None
        dual_kernels = penalty.dual_kernels if self.convex and not penalty.is_bounded else None
        if dual_kernels is not None:
            # (and the penalty's kernels and parameters, built anew at each access of the properties)
            kernels = penalty.kernels
            self._fused = (
                np.ascontiguousarray(penalty.penalty_factors(n_features), dtype=np.float64),
                np.ascontiguousarray(penalty.zero_threshold(n_features), dtype=np.float64),
                penalty.params,
                kernels.subdiff_distance,
                dual_kernels.dual_ratio,
                dual_kernels.conjugate,
                kernels.value,
            )
        # a partial certificate needs the compiled pass (which decides from |X^T theta| alone), a
        # projection that moves X^T theta by a known vector (none, or the weights' static one), and enough
        # features with a threshold at zero to be left out (none for L2 or Lp with p > 1)
        static = self._A is None or datafit.dual_metric_is_weights
        self._boundable = (
            self._subset is not None
            and self._fused is not None
            and self._pair is None
            and static
            # (thresholds are >= 0; counted on the mask: on the floats, 26 us an alpha on 50 000 features)
            and np.count_nonzero(self._fused[1] > 0.0) > (1.0 - PARTIAL_SHARE) * n_features
        )
        # the smallest penalty level alpha v_j over the penalized features (inf when there are none)
        lowest = penalty.alpha * lowest_factor
        self.violation_scale = 1.0
        self.try_support_dual = False
        if not self.convex or np.isfinite(lowest):
            if self._null_scale is None:

                def null_scale() -> float:  # ||X^T dD/dz|| at the null model (alpha_max's numerator)
                    g_null = self.xt(datafit.raw_grad(y, np.full(X.shape[0], self.b_null), s))
                    return float(np.max(np.abs(g_null))) if g_null.size else 0.0

                if cache is None:
                    self._null_scale = null_scale()
                else:
                    self._null_scale = cache.memo(cache.key("null_scale", y, s, self.fit_intercept), null_scale)
            scale = self._null_scale
            self.violation_scale = scale if scale > 0 and not self.convex else 1.0
            self.try_support_dual = bool(self.convex and not penalty.is_bounded and lowest < TINY_PENALTY * scale)

    def _projection(
        self, X: Any, s: np.ndarray, free: np.ndarray, fit_intercept: bool
    ) -> tuple[Any, Any, Any, Any, float]:
        """``A = [1, X_free]`` and, for a static metric ``M``, the basis of the projection.

        With ``r = sqrt(diag M)``, ``B = r A`` and ``Q`` an orthonormal basis of ``range(B)``, the projection
        is ``theta - r Q Q^T (theta / r)``: kept as ``Q / r`` (zero rows where ``r = 0``: samples of zero
        weight have ``theta_i = 0``) and ``r Q``, and ``X^T (r Q)`` so that ``X^T theta`` follows for free.
        Working with ``Q`` (an SVD of the n x k matrix ``B``) instead of ``(A^T M A)^+`` keeps many free
        columns affordable (alpha = 0 makes every column free).
        """
        cols = []
        if fit_intercept:
            cols.append(np.ones((X.shape[0], 1)))
        if free.any():
            Xf = X[:, np.flatnonzero(free)]
            cols.append(Xf.toarray() if sp.issparse(Xf) else np.asarray(Xf, dtype=np.float64))
        if not cols:
            return None, None, None, None, 1.0
        A = np.hstack(cols)
        if not self.datafit.dual_metric_is_weights:
            return A, None, None, None, 1.0
        root_m = np.sqrt(s)[:, None]
        Q, cond = _orthonormal_basis(root_m * A)
        RQ = root_m * Q
        QR = np.divide(Q, root_m, out=np.zeros_like(Q), where=root_m > 0)
        if fit_intercept and not free.any():
            # the intercept alone: r Q is a multiple of the weights, whose centred product (self.xt: the
            # columns less their weighted means) is exactly zero, so X^T theta does not move (a pass over
            # X saved here, and a product and a difference over the features at each certificate)
            return A, QR, RQ, None, cond
        # (free columns that are all zero constrain nothing: Q is then empty)
        XtRQ = np.column_stack([self.xt(col) for col in RQ.T]) if Q.shape[1] else np.zeros((X.shape[1], 0))
        return A, QR, RQ, XtRQ, cond

    @property
    def threshold(self) -> float:
        """The absolute level the gap (convex) must reach."""
        return max(self.tol * self.f_null, 2.0 * self._null_rounding, FLOAT_TINY)

    def check(
        self, w: np.ndarray, b: float, z: np.ndarray, grad: np.ndarray | None = None, partial: bool = False
    ) -> Certificate:
        """Certificate at ``(w, b)`` with linear predictor ``z = X w + b``.

        ``grad`` (``X^T dD/dz``) may be passed when the caller already has it.

        ``partial``: the product ``X^T dD/dz`` may be taken only where a bound from the last full one
        leaves a feature's place open (see :meth:`_partial_products`); the gap, the distances and the
        dual point are those of the full certificate, but ``grad`` is NaN at the features left out and
        ``dual_xt`` holds a bound of ``|X^T theta|`` there.  For solvers that read nothing else of them
        (a working set's scores, gap-safe screening, a path's strong rule).
        """
        raw = self.datafit.raw_grad(self.y, z, self.s)
        raw_sum = float(raw.sum())
        metric_xt = None
        w64 = np.ascontiguousarray(w, dtype=np.float64)
        parts = self._partial_products(w64, raw, raw_sum) if partial and grad is None else None
        open_ = None  # (a partial certificate's features that can contribute)
        if parts is not None:
            grad, theta, xt_theta, open_ = parts
        elif grad is None and self._pair is not None:
            # the projection below moves theta along its metric m and needs X^T m: both in one pass
            assert self.means is not None  # the pair is used only with an intercept
            centred, metric_xt = self._pair(raw, self.datafit.dual_metric(-raw, self.y, self.s), self.means)
            grad = centred + self.means * raw_sum
        elif grad is None:  # X^T raw from the centred product (self.xt), which the dual point needs too
            centred = self.xt(raw)
            if self._boundable:
                self._reference.update(raw, centred)
            grad = centred if self.means is None else centred + self.means * raw_sum
        else:
            centred = grad if self.means is None else grad - self.means * raw_sum
        data_value = self.datafit.value(self.y, z, self.s)
        if not self.convex:
            objective = data_value + self.penalty.value(w)
            distance = self.penalty.subdiff_distance(w, grad)
            # the intercept's stationarity counts as one more coordinate (its derivative is the sum)
            stationarity = max(float(distance.max(initial=0.0)), abs(raw_sum) if self.fit_intercept else 0.0)
            violation = stationarity / self.violation_scale
            return Certificate(objective, None, violation, grad, distance, violation <= self.tol)

        if parts is None:
            theta, xt_theta = -raw, -centred
            if metric_xt is not None:
                theta, xt_theta = self._project_on_intercept(theta, xt_theta, metric_xt)
            elif self._A is not None:
                theta, xt_theta = self._project(theta, xt_theta)
        shifted = None  # the floor's dual value, when the compiled pass computed it
        if self._fused is not None:
            v, tau, params, dist, dual_ratio, conjugate_kernel, value = self._fused
            radius = self.X.shape[0] * EPS * math.sqrt(float(np.dot(theta, theta)))
            distance, scale, conjugate, shifted_scale, shifted_conjugate, penalty_value = certificate_pass(
                w64,
                np.ascontiguousarray(grad, dtype=np.float64),
                np.ascontiguousarray(xt_theta, dtype=np.float64),
                v,
                tau,
                params,
                self._col_norms,
                radius,
                dist,
                dual_ratio,
                conjugate_kernel,
                value,
                open_,
            )
            dual, shifted = self.datafit.scaled_duals(theta, self.y_dual, self.s, (scale, shifted_scale))
            dual, shifted = dual - conjugate, shifted - shifted_conjugate
        else:
            distance = self.penalty.subdiff_distance(w, grad)
            dual, scale = self._dual_value(theta, xt_theta)
            penalty_value = self.penalty.value(w)
        objective = data_value + penalty_value
        if self._A is not None and not np.isfinite(dual):
            # far from optimal in the free coordinates the projection can leave the datafit's dual
            # domain: take the dual point at the best free coordinates for this w instead
            theta = -self.datafit.raw_grad(self.y, self._optimize_free(z), self.s)
            theta, xt_theta = self._project(theta, self.xt(theta))
            dual, scale = self._dual_value(theta, xt_theta)
            shifted = None
        if self.try_support_dual and not objective - dual <= self.threshold:
            support_dual = self._support_dual(w, -raw)
            if support_dual is not None and support_dual[0] > dual:
                dual, theta, xt_theta, scale = support_dual
                shifted = None
        if not np.isfinite(dual):
            # theta = 0 is always feasible, with dual value D(0) = -sum f_i*(0) - P*(0): the fallback when
            # no projected point stays in the datafit's domain (e.g. free features that separate the
            # classes, where the optimum is at infinity and F* = 0)
            theta, xt_theta = np.zeros_like(theta), np.zeros_like(xt_theta)
            dual, scale = self._dual_value(theta, xt_theta)
            shifted = None
        rounding = self._rounding(w, b, z, raw, objective, dual, theta / scale)
        # and X^T theta, which decides the dual scaling and the penalty's conjugate, is known only to
        # its own rounding bound: the dual value's sensitivity to that (the floor) counts too.  It costs
        # one more dual evaluation, so a fit's first certificate skips it unless it would converge
        # (the first one rarely is the last, and every later one includes it)
        self._n_checks += 1
        gap = objective - dual + rounding
        floor = 0.0
        if gap <= self.threshold or self._n_checks > 1:
            if shifted is None:
                floor = self._rounding_floor(theta, xt_theta, dual)
            else:
                floor = float(abs(dual - shifted)) if np.isfinite(shifted) else float("inf")
            gap += floor
        converged = gap <= self.threshold
        return Certificate(
            objective, gap, None, grad, distance, converged, xt_theta / scale, floor, dual, theta / scale, penalty_value
        )

    def _partial_products(
        self, w: np.ndarray, raw: np.ndarray, raw_sum: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
        """``(grad, theta, X^T theta, open_)`` with the product taken at the ``open_`` features only, or
        None (no reference yet, a certificate this cannot shorten, or too many features left open).

        For any ``t``, Cauchy-Schwarz bounds the centred product ``c_j = x_j^T r`` (``x_j`` centred) by
        the reference's ``c'_j = x_j^T r'``: ``|c_j| <= |t c'_j| + ||x_j|| ||r - t r'||``, with ``t``
        the least-squares multiple (along a path the residual mostly shrinks or grows).  A zero
        coefficient whose bounds put ``|grad_j|`` and ``|x_j^T theta|`` (plus its rounding radius)
        inside its threshold ``tau_j`` adds nothing to the gap: its distance is 0 and the penalty's
        conjugate vanishes there, with no rescaling.  The product is taken at the others only: along
        the tf-idf Elastic Net path 2.5% of the features (median), on the dense Toeplitz Lasso path about
        30%.  The bounds carry the rounding errors of both products, ``2 (n + 2) eps`` times the norms
        involved (see :func:`lpnet.certificate_kernels.bounded_products`).
        """
        ref = self._reference
        if not self._boundable or ref.raw is None:
            return None
        assert self._fused is not None and self._subset is not None
        n_samples, n_features = self.X.shape
        t = float(raw @ ref.raw) / ref.sq if ref.sq > 0 else 0.0
        distance = float(np.linalg.norm(raw - t * ref.raw))
        slack = 2 * (n_samples + 2) * EPS * (abs(t) * ref.norm + float(np.linalg.norm(raw)))
        theta, shift = -raw, self._zeros
        if self._A is not None:
            theta, shift = self._project_static(theta)
        radius = n_samples * EPS * math.sqrt(float(np.dot(theta, theta)))
        means = self._zeros if self.means is None else self.means
        grad, xt_theta, open_ = bounded_products(
            ref.out,
            t,
            distance,
            self._col_norms,
            means,
            2.0 * math.sqrt(n_samples),
            slack,
            raw_sum,
            shift,
            self._fused[1],
            w,
            radius,
        )
        if open_.shape[0] > PARTIAL_SHARE * n_features:
            return None
        centred = self._subset(raw, open_, means)
        grad[open_] = centred + means[open_] * raw_sum
        xt_theta[open_] = -centred - shift[open_]
        return grad, theta, xt_theta, open_

    def reprice(self, cert: Certificate, w: np.ndarray, b: float, z: np.ndarray) -> Certificate:
        """A converged convex certificate with its primal side evaluated again at ``z`` (the prediction
        recomputed from ``(w, b)`` after the solver's running one drifted), its dual point kept.

        Any feasible dual point bounds the optimum from below, wherever it came from: only the objective
        and its rounding depend on ``z``, and both cost ``O(n)`` where a new certificate costs a pass over
        ``X``.  The gradient and the distances stay those of the drifted prediction (hints for a path's
        next working set, off by rounding).  ``w`` is the one ``cert`` was computed at: its penalty value
        is kept.
        """
        assert cert.converged and cert.gap is not None and cert.dual is not None and cert.dual_point is not None
        raw = self.datafit.raw_grad(self.y, z, self.s)
        penalty_value = self.penalty.value(w) if cert.penalty_value is None else cert.penalty_value
        objective = self.datafit.value(self.y, z, self.s) + penalty_value
        rounding = self._rounding(w, b, z, raw, objective, cert.dual, cert.dual_point)
        gap = objective - cert.dual + rounding + cert.floor
        return replace(cert, objective=objective, gap=gap, converged=gap <= self.threshold)

    def _rounding(
        self, w: np.ndarray, b: float, z: np.ndarray, raw: np.ndarray, objective: float, dual: float, theta: np.ndarray
    ) -> float:
        """A bound of the rounding error in both objectives at ``(w, b)``, ``z`` and the dual point ``theta``.

        Residuals y - z are known to delta_i = eps (|y_i| + |z_i|) each, which moves the loss by
        |dD/dz_i| delta_i plus, where the residual itself rounds away, the squared loss's s_i delta_i^2 / (2n)
        (an upper bound for any loss whose curvature is at most the squared loss's); the sums lose n eps of
        their terms, and the dual point is feasible only to the free columns' conditioning (a feature with a
        large mean beside the intercept).
        """
        n = self.y.shape[0]
        delta = self.residual_rounding(w, b, z)
        cond = self._cond if self._A is not None else 1.0
        rounding = (
            float(np.abs(raw) @ delta)
            + float(self.s @ (delta * delta)) / (2 * n)
            + n * EPS * cond * (abs(objective) + abs(dual) + float(np.abs(theta) @ self._y_dual_scale))
        )
        if self.free_features:
            # X_free^T theta = 0 holds to n eps cond ||theta|| ||x_free|| only; moving theta onto the
            # constraint moves the dual by its gradient (the predictions, at most) times that step
            zc = z - float(self.s @ z) / max(float(self.s.sum()), FLOAT_TINY)
            rounding += n * EPS * cond * float(np.linalg.norm(theta)) * float(np.linalg.norm(zc))
        return rounding

    def residual_rounding(self, w: np.ndarray, b: float, z: np.ndarray) -> np.ndarray:
        """Per sample, the rounding error the certificate allows for in the residual ``y - z``:
        ``eps (|y_i| + |z_i| + max_j |x_ij| ||w||_1 + |b|)`` (``z = X w + b`` itself is known only to
        ``eps (sum_j |x_ij w_j| + |b|)``)."""
        z = np.ascontiguousarray(z, dtype=np.float64)
        return sample_rounding(self._y_scale, z, self._row_max, np.ascontiguousarray(w, dtype=np.float64), float(b))

    def _rounding_floor(self, theta: np.ndarray, xt_theta: np.ndarray, dual: float) -> float:
        """How much the dual value moves when ``X^T theta`` moves by its rounding-error bound.

        ``|fl(x_j^T theta) - x_j^T theta| <= n eps ||x_j|| ||theta||``; for a penalty far below the
        data's scale (or data near the float range's ends) that error alone can exceed the threshold,
        and no iterate can then be certified.
        """
        delta = self.X.shape[0] * EPS * self._col_norms * float(np.linalg.norm(theta))
        shifted, _ = self._dual_value(theta, xt_theta + np.sign(xt_theta) * delta)
        return float(abs(dual - shifted)) if np.isfinite(shifted) else float("inf")

    def _support_dual(self, w: np.ndarray, theta: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, float] | None:
        """``(dual, theta, X^T theta, c)`` at ``theta`` projected with the support's columns free, or None."""
        support = np.flatnonzero((w != 0) & self.penalized)
        n_samples = self.X.shape[0]
        if support.size == 0 or support.size + 1 >= n_samples:
            return None
        Xs = self.X[:, support]
        cols = [Xs.toarray() if sp.issparse(Xs) else np.asarray(Xs, dtype=np.float64)]
        if self._A is not None:
            cols.insert(0, self._A)
        shift, self._cond = _metric_shift(np.hstack(cols), self.datafit.dual_metric(theta, self.y, self.s), theta)
        theta = theta - shift
        xt_theta = self.xt(theta)
        dual, scale = self._dual_value(theta, xt_theta)
        return (dual, theta, xt_theta, scale) if np.isfinite(dual) else None

    def _dual_value(self, theta: np.ndarray, xt_theta: np.ndarray) -> tuple[float, float]:
        """The dual objective at ``theta / c`` and ``c``, the smallest rescaling into the dual domain."""
        scale, conjugate = self.penalty.scaled_conjugate(xt_theta)
        dual = self.datafit.dual(theta / scale, self.y_dual, self.s) - conjugate
        return dual, scale

    def _optimize_free(self, z: np.ndarray, n_steps: int = 50) -> np.ndarray:
        """``z + A delta`` with ``delta`` minimizing the datafit over the free columns (damped Newton)."""
        A, y, s, datafit = self._A, self.y, self.s, self.datafit
        value = datafit.value(y, z, s)
        for _ in range(n_steps):
            g = A.T @ datafit.raw_grad(y, z, s)
            if np.max(np.abs(g)) <= 1e-13 * max(1.0, abs(value)):
                break
            H = A.T @ (datafit.curvature(y, z, s)[:, None] * A)
            step = -np.linalg.lstsq(H, g, rcond=None)[0]
            t = 1.0
            while t > 1e-10:
                z_new = z + t * (A @ step)
                new_value = datafit.value(y, z_new, s)
                if new_value <= value:
                    break
                t *= 0.5
            else:
                break
            z, value = z_new, new_value
        return z

    def _project_on_intercept(
        self, theta: np.ndarray, xt_theta: np.ndarray, metric_xt: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`_project` when the intercept is the only free column, given ``metric_xt``, the centred
        ``X^T m`` of the metric ``m`` at ``theta`` (computed with the gradient): ``theta - c m`` with ``c``
        making the sum zero; no basis needed (a single column's condition number is 1)."""
        m = self.datafit.dual_metric(theta, self.y, self.s)
        total = float(m.sum())
        c = float(theta.sum()) / total if total > 0 else 0.0
        self._cond = 1.0
        return theta - c * m, xt_theta - c * metric_xt

    def _project(self, theta: np.ndarray, xt_theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``theta`` and ``X^T theta`` after the projection onto ``{A^T theta = 0}``."""
        if not self.datafit.dual_metric_is_weights:
            shift, self._cond = _metric_shift(self._A, self.datafit.dual_metric(theta, self.y, self.s), theta)
            return theta - shift, xt_theta - self.xt(shift)
        theta, shift = self._project_static(theta)
        return theta, xt_theta if shift is self._zeros else xt_theta - shift

    def _project_static(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`_project` in a static metric (the weights): ``theta`` projected and the amount ``X^T``
        of it moves by, from the basis and ``X^T`` of it (see :meth:`_projection`), computed once."""
        coef = np.dot(self._QR.T, theta)
        # (np.dot: numpy's matmul of a single-column matrix, the intercept's, took 15 times longer)
        shift = self._zeros if self._XtRQ is None else np.dot(self._XtRQ, coef)
        return theta - np.dot(self._RQ, coef), shift


def _numpy_xt(X: Any) -> Callable[..., np.ndarray]:
    """``v, means -> (X - means)^T v`` with numpy (``means=None``: ``X^T v``)."""

    def xt(v: np.ndarray, means: np.ndarray | None = None) -> np.ndarray:
        out = np.asarray(X.T @ v, dtype=np.float64).ravel()
        return out if means is None else out - means * float(np.sum(v))

    return xt


def masked_min(values: np.ndarray, mask: np.ndarray) -> float:
    """The smallest of ``values`` where ``mask`` holds, inf where it holds nowhere (``np.min`` with
    ``where=`` took 30 us on 5000 features, against 5 us for this)."""
    if mask.all():
        return float(values.min(initial=np.inf))
    return float(values[mask].min(initial=np.inf))


def coef_error_bound(gap: float | None, penalty: Penalty, n_features: int) -> float | None:
    """Certified bound on ``||w - w*||_2`` from a duality gap, when the penalty is strongly convex.

    With ``mu = min_j mu_j > 0`` (:meth:`Penalty.strong_convexity`), ``g(w) = min_b F(w, b)`` is
    ``mu``-strongly convex (minimizing the jointly convex datafit over the free intercept keeps it
    convex in ``w``), so ``mu/2 ||w - w*||^2 <= g(w) - g(w*) <= F(w, b) - F* <= G``.  None when the
    penalty gives no strong convexity (L1, Lp with p != 2, a zero factor) or no gap exists (p < 1).
    The intercept is not covered: its error follows only from the data's own curvature.
    """
    if gap is None or n_features == 0:
        return None
    mu = float(np.min(penalty.strong_convexity(n_features)))
    if not mu > 0.0:
        return None
    return float(np.sqrt(2.0 * max(gap, 0.0) / mu))


def gap_safe_zeros(dual_xt: np.ndarray, gap: float, tau: np.ndarray, lips: np.ndarray) -> np.ndarray:
    """Features that are zero at every optimum of the squared loss, from a dual point's ``X^T theta`` and gap.

    The squared loss's dual ``theta -> sum_i y_i theta_i - n/2 sum_i theta_i^2 / s_i`` is
    ``n``-strongly concave in the norm ``||theta||_{1/s}``, and ``G >= D(theta*) - D(theta)``, so
    ``||theta - theta*||_{1/s} <= sqrt(2 G / n)``.  By Cauchy-Schwarz
    ``|x_j^T (theta - theta*)| <= ||x_j||_s sqrt(2 G / n) = sqrt(2 G L_j)`` with
    ``L_j = sum_i s_i x_ij^2 / n``.  At the optimum ``w_j = 0`` whenever ``|x_j^T theta*| < tau_j``
    (the subdifferential at zero is ``[-tau_j, tau_j]``), hence whenever
    ``|x_j^T theta| + sqrt(2 G L_j) < tau_j``.  The test keeps a relative margin of :data:`SAFE_MARGIN`:
    at a (nearly) exact optimum the radius vanishes and an active feature sits at ``|x_j^T theta| =
    tau_j`` up to rounding, which must not count as proved zero.
    """
    return safe_zeros(
        np.ascontiguousarray(dual_xt, dtype=np.float64),
        2.0 * max(gap, 0.0),
        np.ascontiguousarray(tau, dtype=np.float64),
        np.ascontiguousarray(lips, dtype=np.float64),
        1.0 - SAFE_MARGIN,
    )


def gram_certificate(
    penalty: Penalty, w: np.ndarray, c: np.ndarray, q: np.ndarray, yy: float
) -> tuple[float, float, float]:
    """``(gap, objective, k)`` of the squared loss from its Gram quantities (see :func:`gram_gap`).

    ``X^T theta`` at the dual point is ``q / k``.  A penalty with compiled dual kernels takes
    :func:`gram_gap`; one with a vectorised conjugate only (or a box), the same formula through its methods.
    """
    dual = penalty.dual_kernels
    if dual is not None and not penalty.is_bounded:  # (the compiled kernels know no box)
        gap, objective, scale = gram_gap(
            w,
            c,
            q,
            yy,
            penalty.kernels.value,
            dual.conjugate,
            dual.dual_ratio,
            penalty.penalty_factors(w.shape[0]),
            penalty.params,
        )
        return float(gap), float(objective), float(scale)
    wq = float(w @ q)
    rr = max(yy - float(w @ c) - wq, 0.0)
    scale, conjugate = penalty.scaled_conjugate(q)
    value = penalty.value(w)
    return 0.5 * rr * (1.0 - 1.0 / scale) ** 2 + value + conjugate - wq / scale, 0.5 * rr + value, scale


def _metric_shift(A: np.ndarray, m: np.ndarray, theta: np.ndarray) -> tuple[np.ndarray, float]:
    """``M A k`` with ``A^T M A k = A^T theta`` (``M = diag(m)``): subtracted from ``theta`` it gives the
    projection onto ``{A^T theta = 0}`` in the metric ``M``; and the condition number of the columns kept.

    From the SVD ``sqrt(M) A D^-1 = U S V^T`` (``D``: the column norms, as :func:`_orthonormal_basis`)
    the shift is ``sqrt(M) U S^-1 V^T D^-1 A^T theta``.  ``A^T theta`` is taken over every sample: a
    sample whose metric is zero (a Huber outlier on its box's face, a saturated logistic sample) cannot
    move, but its ``theta_i`` still counts in the constraint.
    """
    root = np.sqrt(m)
    B = root[:, None] * A
    norms = np.linalg.norm(B, axis=0)
    cols = norms > 0
    U, sv, Vt = np.linalg.svd(B[:, cols] / norms[cols], full_matrices=False)
    if sv.size == 0:
        return np.zeros_like(theta), 1.0
    keep = sv > sv[0] * max(B.shape) * EPS
    rhs = (A[:, cols].T @ theta) / norms[cols]
    coef = (Vt[keep] @ rhs) / sv[keep]
    return root * (U[:, keep] @ coef), float(sv[0] / sv[keep][-1])


def _orthonormal_basis(B: np.ndarray) -> tuple[np.ndarray, float]:
    """Orthonormal basis of the column space of ``B`` (thin SVD, numerically null directions dropped),
    and the condition number of what was kept (the basis is accurate to about ``cond * eps``).

    The columns are scaled to unit norm first: that leaves the column space as it is, but makes the
    rank decision geometric.  Unscaled, a feature of mean 1e6 and spread 1e-3 beside the intercept has a
    singular value far below the largest one times eps and would be dropped, although its direction is
    perfectly resolved in float64 (and ignoring it gave dual points that were not feasible).
    """
    norms = np.linalg.norm(B, axis=0)
    B = B[:, norms > 0] / norms[norms > 0]
    U, sv, _ = np.linalg.svd(B, full_matrices=False)
    if sv.size == 0:
        return U, 1.0
    keep = sv > sv[0] * max(B.shape) * EPS
    return U[:, keep], float(sv[0] / sv[keep][-1]) if keep.any() else 1.0
