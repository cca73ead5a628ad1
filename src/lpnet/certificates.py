"""Certificates of optimality: duality gaps (convex) and optimality violations (non-convex).

For ``min_{w,b} sum_i f_i(x_i w + b) + P(w)`` Fenchel duality gives, for any ``theta`` in R^n,

    F(w, b) >= dual(theta) = -sum_i f_i^*(-theta_i) - P^*(X^T theta)      if sum_i theta_i = 0,

(the free intercept is a column of ones with a zero penalty, whose conjugate forces ``1^T theta = 0``;
unpenalized features force ``X_j^T theta = 0`` the same way).  The natural dual point is the negative
gradient of the datafit, ``theta = -dD/dz``, which is optimal at the solution.  To make it feasible we

1. project it onto ``{A^T theta = 0}``, ``A = [1, X_free]``, in a diagonal metric ``M`` chosen by the
   datafit (``theta <- theta - M A (A^T M A)^+ A^T theta``, computed from an orthonormal basis): the sample weights for the squared loss
   (a weighted least-squares residual), ``|theta|`` for the logistic loss (a relative change of each
   ``theta_i``, which keeps it inside the loss's bounded dual domain).  Zero-weight samples keep
   ``theta_i = 0`` either way;
2. divide it by ``c = penalty.dual_scale(X^T theta) >= 1`` (for the Lasso: ``max_j |X_j^T theta| / (alpha v_j)``).

The gap is taken at the dual point of the current iterate only (not the best one seen so far, which
would also be valid): so anyone can recompute the reported gap from ``(coef_, intercept_)`` alone.
A convex fit has converged when ``G <= tol * F_null`` (``F_null``: the best intercept-only objective).

A penalty far below the data's scale (``alpha v_j`` under :data:`TINY_PENALTY` times
``||grad D(null)||_inf``, i.e. near least squares) makes step 2 useless: the rescaling by ``c`` then
needs ``X^T theta`` accurate to ``alpha``, far below what rounding leaves of a converged gradient (a
logistic fit at ``alpha = 3e-9`` stalled at a gap of 4% of its objective).  There a second dual point
is also tried: the same ``theta`` projected with the support's columns counted as free
(``X_S^T theta = 0``, where the conjugate of every penalty is 0), which costs about ``P(w)``, tiny
precisely then.  The better of the two is reported; both are feasible, so the gap stays a bound.

For p < 1 no gap exists; the measure is ``max_j dist(-grad_j D, dP_j(w_j)) / ||grad D(null)||_inf``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .datafits.base import Datafit
from .penalties.base import Penalty

#: penalties below this fraction of the gradient's scale at the null model also try the support's dual point
TINY_PENALTY = 1e-4


@dataclass
class Certificate:
    """The state of a fit as a certificate sees it."""

    objective: float
    #: duality gap (convex) in the objective's units, else None
    gap: float | None
    #: scale-free optimality violation (p < 1), else None
    violation: float | None
    #: gradient of the datafit in w, ``X^T dD/dz``
    grad: np.ndarray
    #: per feature ``dist(-grad_j, dP_j(w_j))``
    distance: np.ndarray
    converged: bool
    #: ``X^T theta`` at the feasible dual point the gap was computed with (convex), else None
    dual_xt: np.ndarray | None = None


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

    def __init__(self, X, y, s, datafit: Datafit, penalty: Penalty, fit_intercept: bool, tol: float,
                 xt=None, cache=None):
        self.X, self.y, self.s = X, y, s
        self.xt = xt if xt is not None else (lambda v: np.asarray(X.T @ v, dtype=np.float64).ravel())
        self.datafit, self.penalty = datafit, penalty
        self.convex = bool(penalty.convex)
        self.tol = tol
        self.b_null, self.f_null = datafit.null_model(y, s, fit_intercept)
        n_features = X.shape[1]
        free = ~penalty.is_penalized(n_features)
        def projection():
            return self._projection(X, s, free, fit_intercept)

        if cache is not None:
            key = cache.key("projection", fit_intercept, free, s, datafit.dual_metric_is_weights)
            self._A, self._root_m, self._Q, self._XtRQ = cache.memo(key, projection)
        else:
            self._A, self._root_m, self._Q, self._XtRQ = projection()
        self.penalized = ~free
        levels = penalty.alpha * penalty.penalty_factors(n_features)[self.penalized]
        self.violation_scale = 1.0
        self.try_support_dual = False
        if not self.convex or levels.size:
            def null_scale():  # ||X^T dD/dz|| at the null model (alpha_max's numerator)
                g_null = self.xt(datafit.raw_grad(y, np.full(X.shape[0], self.b_null), s))
                return float(np.max(np.abs(g_null))) if g_null.size else 0.0

            scale = (null_scale() if cache is None
                     else cache.memo(cache.key("null_scale", y, s, fit_intercept), null_scale))
            self.violation_scale = scale if scale > 0 and not self.convex else 1.0
            self.try_support_dual = bool(self.convex and levels.min() < TINY_PENALTY * scale)

    def _projection(self, X, s, free, fit_intercept):
        """``A = [1, X_free]`` and, for a static metric ``M``, the basis of the projection.

        With ``r = sqrt(diag M)``, ``B = r A`` and ``Q`` an orthonormal basis of ``range(B)``, the projection
        is ``theta - r Q Q^T (theta / r)``; ``X^T (r Q)`` is kept so that ``X^T theta`` follows for free.
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
            return None, None, None, None
        A = np.hstack(cols)
        if not self.datafit.dual_metric_is_weights:
            return A, None, None, None
        root_m = np.sqrt(s)
        Q = _orthonormal_basis(root_m[:, None] * A)
        return A, root_m, Q, np.column_stack([self.xt(col) for col in (root_m[:, None] * Q).T])

    @property
    def threshold(self) -> float:
        """The absolute level the gap (convex) must reach."""
        return self.tol * max(self.f_null, np.finfo(np.float64).tiny)

    def check(self, w, b, z, grad=None) -> Certificate:
        """Certificate at ``(w, b)`` with linear predictor ``z = X w + b``.

        ``grad`` (``X^T dD/dz``) may be passed when the caller already has it.
        """
        raw = self.datafit.raw_grad(self.y, z, self.s)
        if grad is None:
            grad = self.xt(raw)
        objective = self.datafit.value(self.y, z, self.s) + self.penalty.value(w)
        distance = self.penalty.subdiff_distance(w, grad)
        if not self.convex:
            violation = float(distance.max(initial=0.0)) / self.violation_scale
            return Certificate(objective, None, violation, grad, distance, violation <= self.tol)

        theta, xt_theta = -raw, -grad
        if self._A is not None:
            theta, xt_theta = self._project(theta, xt_theta)
        dual, scale = self._dual_value(theta, xt_theta)
        if self._A is not None and not np.isfinite(dual):
            # far from optimal in the free coordinates the projection can leave the datafit's dual
            # domain: take the dual point at the best free coordinates for this w instead
            theta = -self.datafit.raw_grad(self.y, self._optimize_free(z), self.s)
            theta, xt_theta = self._project(theta, self.xt(theta))
            dual, scale = self._dual_value(theta, xt_theta)
        gap = objective - dual
        if self.try_support_dual and not gap <= self.threshold:
            support_dual = self._support_dual(w, -raw)
            if support_dual is not None and objective - support_dual[0] < gap:
                dual, xt_theta, scale = support_dual
                gap = objective - dual
        return Certificate(objective, gap, None, grad, distance, gap <= self.threshold, xt_theta / scale)

    def _support_dual(self, w, theta):
        """``(dual, X^T theta, c)`` at ``theta`` projected with the support's columns as free, or None."""
        support = np.flatnonzero((w != 0) & self.penalized)
        n_samples = self.X.shape[0]
        if support.size == 0 or support.size + 1 >= n_samples:
            return None
        Xs = self.X[:, support]
        cols = [Xs.toarray() if sp.issparse(Xs) else np.asarray(Xs, dtype=np.float64)]
        if self._A is not None:
            cols.insert(0, self._A)
        root_m = np.sqrt(self.datafit.dual_metric(theta, self.s))
        Q = _orthonormal_basis(root_m[:, None] * np.hstack(cols))
        phi = np.divide(theta, root_m, out=np.zeros_like(theta), where=root_m > 0)
        theta = theta - root_m * (Q @ (Q.T @ phi))
        xt_theta = self.xt(theta)
        dual, scale = self._dual_value(theta, xt_theta)
        return (dual, xt_theta, scale) if np.isfinite(dual) else None

    def _dual_value(self, theta, xt_theta) -> tuple[float, float]:
        """The dual objective at ``theta / c`` and ``c``, the smallest rescaling into the dual domain."""
        scale = self.penalty.dual_scale(xt_theta)
        dual = self.datafit.dual(theta / scale, self.y, self.s) - self.penalty.conjugate(xt_theta / scale)
        return dual, scale

    def _optimize_free(self, z, n_steps: int = 50):
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

    def _project(self, theta, xt_theta):
        """``theta`` and ``X^T theta`` after the projection onto ``{A^T theta = 0}``."""
        if self.datafit.dual_metric_is_weights:
            root_m, Q = self._root_m, self._Q
        else:
            root_m = np.sqrt(self.datafit.dual_metric(theta, self.s))
            Q = _orthonormal_basis(root_m[:, None] * self._A)
        phi = np.divide(theta, root_m, out=np.zeros_like(theta), where=root_m > 0)
        coef = Q.T @ phi
        shift = root_m * (Q @ coef)
        if self.datafit.dual_metric_is_weights:
            return theta - shift, xt_theta - self._XtRQ @ coef
        return theta - shift, xt_theta - self.xt(shift)


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


def _orthonormal_basis(B) -> np.ndarray:
    """Orthonormal basis of the column space of ``B`` (thin SVD, numerically null directions dropped)."""
    U, sv, _ = np.linalg.svd(B, full_matrices=False)
    if sv.size == 0:
        return U
    return U[:, sv > sv[0] * max(B.shape) * np.finfo(np.float64).eps]
