"""Certified solver of penalized multinomial logistic regression (matrix coefficients).

Minimizes, over ``W`` of shape ``(n_features, K)`` and intercepts ``b`` of shape ``(K,)``,

    F(W, b) = 1/n sum_i s_i [lse(Z_i) - Z_i . Y_i] + P(W),        Z = X W + 1 b^T,

with ``Y`` the one-hot labels and ``P`` either

* ``"ungrouped"``: a scalar penalty of :mod:`lpnet.penalties` (L1, L2, Elastic Net, Lp, MCP, SCAD) on
  every entry ``W_jk`` with the feature's factor ``v_j``, or
* ``"grouped"``: :class:`~lpnet.penalties.rows.L21`, ``alpha sum_j v_j (l1_ratio ||W_j|| +
  (1 - l1_ratio)/2 ||W_j||^2)``, the K coefficients of a feature forming one group (glmnet's
  ``type.multinomial = "grouped"``).

The algorithm: an outer loop computes the certificate at the current point (the full gradient
``X^T dD/dZ``), scores the features and picks a working set (the support plus the best-scored others,
doubling with the support); the inner solve takes proximal Newton steps on the working set.  Each step
replaces the loss by its quadratic model with every sample's full Hessian ``c_i (diag(p_i) - p_i p_i^T)``
and minimizes it by block coordinate descent over the feature rows (``_multinomial_kernels``): a row's
K coefficients are solved together, entry by entry with the penalty's scalar prox (ungrouped) or by
block soft-thresholding (grouped), then a backtracking line search on the true objective.  (glmnet's
cycling over the classes, one class's Newton model at a time, converged linearly on well-separated
classes, whose models are strongly coupled: 32 certificates on the wine data where this takes 6.)  A
non-convex penalty whose Newton step does not descend takes the step of the model with Böhning's bound
``c_i / 2 I`` instead, which majorizes the loss.

The certificate: intercepts and unpenalized features (the free block) are first brought to their exact
minimum for the current penalized coefficients by damped Newton (a small problem: K times the free
columns), so that the dual point ``theta = -dD/dZ`` satisfies ``1^T theta = 0`` and ``X_free^T theta = 0``
to rounding; it is then divided by the smallest factor that puts ``X^T theta`` in the penalty's dual
domain, and the duality gap ``F - dual(theta)`` (``dual = -sum_i f_i^*(-theta_i) - P^*(X^T theta)``,
:class:`~lpnet.datafits.multinomial.Multinomial`) is compared with ``tol * F_null``.  Non-convex
penalties are certified by the scale-free optimality violation as everywhere in lpnet.  What the polish
leaves of the free constraints (rounding level) is added to the gap times the free coefficients; with
more than ``MAX_FREE_UNKNOWNS`` free unknowns the polish is skipped and that term carries the
difference, a bound only to first order.  Intercepts and
unpenalized rows are returned centred (their class means removed), which changes neither the model nor
the objective.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from .._validation import check_positive_int, check_sample_weight, check_tol
from ..datafits.multinomial import Multinomial, softmax
from ..penalties.base import Penalty
from ..penalties.rows import L21
from ..penalties.separable import L1
from . import _multinomial_kernels as mk
from ._common import FitResult, warn_not_converged
from ._design import Design
from ._working_set import INNER_RATIO, gap_ratio, working_set

__all__ = ["MatrixPenalty", "certify_multinomial", "multinomial_alpha_max", "multinomial_path", "solve_multinomial"]

MAX_EPOCHS = 1_000
ARMIJO = 1e-4
MAX_BACKTRACK = 40
ROUNDING = 4 * np.finfo(np.float64).eps
#: rounds over the classes (ungrouped) or block Newton steps (grouped) on one working set
MAX_ROUNDS = 10
#: Newton steps of the free block before each certificate
MAX_POLISH = 50
#: the free block's Newton system is formed only up to this many unknowns (K times the free columns)
MAX_FREE_UNKNOWNS = 3000
EPS = np.finfo(np.float64).eps


class MatrixPenalty:
    """The penalty of a coefficient matrix ``W`` (``(n_features, K)``), seen the same way by the solver
    whether it is a scalar penalty on every entry (``ungrouped``) or :class:`L21` on the rows (``grouped``).

    Parameters
    ----------
    penalty : Penalty or L21
        Factors ``v_j`` are per feature (row).
    n_features, n_classes : int
    """

    def __init__(self, penalty: Penalty | L21, n_features: int, n_classes: int):
        if getattr(penalty, "is_bounded", False):
            raise ValueError(
                "the multinomial model takes no bounds on the coefficients; drop lower_bounds / upper_bounds / "
                "positive, or fit one binary model per class."
            )
        self.penalty = penalty
        self.grouped = isinstance(penalty, L21)
        self.n_classes = n_classes
        self.v = penalty.penalty_factors(n_features)
        # the entrywise penalty as a vector penalty on W.ravel() (row-major: entry (j, k) at j K + k)
        self.flat = None if self.grouped else penalty.with_weights(np.repeat(self.v, n_classes))

    @property
    def alpha(self) -> float:
        return float(self.penalty.alpha)

    @property
    def is_convex(self) -> bool:
        return bool(self.penalty.is_convex)

    @property
    def is_quadratic(self) -> bool:
        """Whether the penalty is a pure ridge term (entrywise L2, or L21 with ``l1_ratio = 0``)."""
        return bool(self.penalty.is_quadratic)

    def with_alpha(self, alpha: float) -> MatrixPenalty:
        return MatrixPenalty(self.penalty.with_alpha(alpha), self.v.shape[0], self.n_classes)

    def is_penalized(self) -> np.ndarray:
        return self.alpha * self.v > 0

    def value(self, W: np.ndarray) -> float:
        if self.flat is None:
            return self.penalty.value(W)
        return self.flat.value(W.ravel())

    def distances(self, W: np.ndarray, G: np.ndarray) -> np.ndarray:
        """Per entry ``dist(-G_jk, dP(W_jk))`` (ungrouped, ``(p, K)``) or per row (grouped, ``(p,)``)."""
        if self.flat is None:
            return self.penalty.subdiff_distance(W, G)
        return self.flat.subdiff_distance(W.ravel(), G.ravel()).reshape(W.shape)

    def scores(self, W: np.ndarray, G: np.ndarray) -> np.ndarray:
        """Per feature, how far its row is from stationarity (the working set's ranking)."""
        d = self.distances(W, G)
        return d if d.ndim == 1 else d.max(axis=1)

    def scaled_conjugate(self, Z: np.ndarray) -> tuple[float, float]:
        """``(c, P*(Z / c))`` over the penalized rows of ``Z`` (``(p, K)``; the others are free: the dual
        point is made orthogonal to them)."""
        if self.flat is None:
            return self.penalty.scaled_conjugate(Z)
        return self.flat.scaled_conjugate(Z.ravel())

    def strong_rule(self, G: np.ndarray, alpha: float, alpha_prev: float) -> np.ndarray:
        """Features the sequential strong rule keeps at ``alpha`` from the gradient at ``alpha_prev``'s fit."""
        unit = self.with_alpha(1.0)
        level = np.abs(G).max(axis=1) if not self.grouped else np.linalg.norm(G, axis=1)
        tau = unit.zero_threshold()
        return (level >= tau * (2.0 * alpha - alpha_prev)) | (tau == 0)

    def zero_threshold(self) -> np.ndarray:
        """Per feature the half-width of the subdifferential at 0 (of an entry, or the norm of a row)."""
        if self.flat is None:
            return self.penalty.zero_threshold(self.v.shape[0])
        return self.flat.zero_threshold(self.v.shape[0] * self.n_classes)[:: self.n_classes]

    def alpha_max(self, G: np.ndarray) -> float:
        """Smallest ``alpha`` at which ``W = 0`` is optimal, from the gradient ``G`` at the null model."""
        if self.flat is None:
            return self.penalty.alpha_max(G)
        return self.flat.alpha_max(G.ravel())

    def strong_convexity(self) -> np.ndarray:
        n = self.v.shape[0]
        return self.penalty.strong_convexity(n) if self.flat is None else self.flat.strong_convexity(n * self.n_classes)


# --------------------------------------------------------------------------------------------------
# the certificate
# --------------------------------------------------------------------------------------------------
@dataclass
class MatrixCertificate:
    """The state of a multinomial fit as its certificate sees it."""

    objective: float
    gap: float | None
    violation: float | None
    #: ``X^T dD/dZ``, ``(n_features, K)``
    grad: np.ndarray
    #: per feature, how far from stationarity (working-set scores)
    scores: np.ndarray
    converged: bool

    @property
    def measure(self) -> float:
        """What the fit's history records: the gap (convex) or the violation (non-convex)."""
        value = self.gap if self.gap is not None else self.violation
        assert value is not None  # a certificate carries one of the two
        return float(value)


class MatrixCertifier:
    """Certificates of a multinomial fit (see the module docstring); one per fit."""

    def __init__(self, X, Y, s, datafit: Multinomial, penalty: MatrixPenalty, fit_intercept: bool, tol: float):
        self.X, self.Y, self.s = X, Y, s
        self.datafit, self.penalty = datafit, penalty
        self.fit_intercept, self.tol = fit_intercept, tol
        self.convex = penalty.is_convex
        self.b_null, self.f_null = datafit.null_model(Y, s, fit_intercept)
        n = X.shape[0]
        self.free = ~penalty.is_penalized()
        if sp.issparse(X):
            self.row_max = np.asarray(abs(X).max(axis=1).todense(), dtype=np.float64).ravel()
        else:
            self.row_max = np.max(np.abs(X), axis=1, initial=0.0)
        self.g_null = xt(X, datafit.raw_grad(Y, np.broadcast_to(self.b_null, Y.shape), s))
        scale = float(np.abs(self.g_null).max(initial=0.0))
        self.violation_scale = scale if scale > 0 and not self.convex else 1.0
        self.threshold = max(tol * self.f_null, 4 * n * EPS * self.f_null, np.finfo(np.float64).tiny)

    def check(self, W: np.ndarray, b: np.ndarray, Z: np.ndarray) -> MatrixCertificate:
        """The certificate at ``(W, b)`` with ``Z = X W + b`` (the free block should be polished first)."""
        datafit, Y, s = self.datafit, self.Y, self.s
        R = datafit.raw_grad(Y, Z, s)
        G = xt(self.X, R)
        objective = datafit.value(Y, Z, s) + self.penalty.value(W)
        scores = self.penalty.scores(W, G)
        if not self.convex:
            intercept = float(np.abs(R.sum(axis=0)).max()) if self.fit_intercept else 0.0
            violation = max(float(scores.max(initial=0.0)), intercept) / self.violation_scale
            return MatrixCertificate(objective, None, violation, G, scores, violation <= self.tol)
        n = Y.shape[0]
        scale, conjugate = self.penalty.scaled_conjugate(-G)
        c = s / n
        # the dual point's probabilities a_i = Y_i - theta_i / (scale c_i): a convex combination of the
        # labels and the model's probabilities, on the simplex (computed as such, free of rounding)
        P = softmax(Z)
        A = Y * (1.0 - 1.0 / scale) + P / scale
        dual = -float(c @ np.sum(_xlogx(A), axis=1)) - conjugate
        # what the Newton polish left of the free constraints 1^T theta = 0, X_free^T theta = 0 (rounding
        # level) moves the dual by at most its product with the free coefficients
        residue = float(np.abs(R.sum(axis=0)) @ np.abs(b)) if self.fit_intercept else 0.0
        residue += float(np.sum(np.abs(G[self.free]) * np.abs(W[self.free])))
        # rounding: Z_ik is known to delta_i, which moves the loss by |dD/dz| delta; the sums lose n eps
        delta = EPS * (np.abs(Z).max(axis=1) + self.row_max * float(np.abs(W).sum()) + float(np.abs(b).sum()))
        rounding = float(np.abs(R).sum(axis=1) @ delta) + n * EPS * (abs(objective) + abs(dual))
        gap = objective - dual + (residue + rounding) / scale
        return MatrixCertificate(objective, gap, None, G, scores, gap <= self.threshold)


def _xlogx(A: np.ndarray) -> np.ndarray:
    return np.where(A > 0, A * np.log(np.where(A > 0, A, 1.0)), 0.0)


def xt(X, R: np.ndarray) -> np.ndarray:
    """``X^T R`` as a float64 array (dense: one matrix product)."""
    return np.asarray(X.T @ R, dtype=np.float64)


# --------------------------------------------------------------------------------------------------
# the free block: intercepts and unpenalized features, by damped Newton
# --------------------------------------------------------------------------------------------------
def polish_free(X, Y, s, datafit: Multinomial, W, b, Z, free: np.ndarray, fit_intercept: bool):
    """Minimize the datafit over the intercepts and the unpenalized rows of ``W`` (damped Newton with the
    full multinomial Hessian, to rounding); returns ``(W, b, Z)`` with those centred across classes.

    The Hessian is singular along adding a constant to a row's K entries (the model does not change):
    the minimum-norm Newton step moves none of that.
    """
    cols = np.flatnonzero(free)
    n, K = Y.shape
    parts = [np.ones((n, 1))] if fit_intercept else []
    if cols.size:
        Xf = X[:, cols]
        parts.append(Xf.toarray() if sp.issparse(Xf) else np.asarray(Xf, dtype=np.float64))
    m = sum(part.shape[1] for part in parts)
    if 0 < m and m * K <= MAX_FREE_UNKNOWNS:
        A = np.hstack(parts)
        c = s / n
        value = datafit.value(Y, Z, s)
        for _ in range(MAX_POLISH):
            P = softmax(Z)
            g = A.T @ (c[:, None] * (P - Y))  # (m, K)
            size = (np.abs(A).T @ (c[:, None] * (P + Y))).max()
            if np.abs(g).max() <= 8 * n * EPS * size:
                break
            # H[(j,k),(l,q)] = sum_i c_i a_ij a_il (p_ik d_kq - p_ik p_iq)
            CA = c[:, None] * A
            H = np.einsum("ij,il,ik,kq->jklq", CA, A, P, np.eye(K)) - np.einsum("ij,il,ik,iq->jklq", CA, A, P, P)
            step = -np.linalg.lstsq(H.reshape(m * K, m * K), g.ravel(), rcond=None)[0].reshape(m, K)
            dZ = A @ step
            slope = float(np.sum(g * step))
            t = 1.0
            for _ in range(MAX_BACKTRACK):
                new = datafit.value(Y, Z + t * dZ, s)
                if new <= value + ARMIJO * t * slope + ROUNDING * abs(value):
                    break
                t *= 0.5
            else:
                break
            improved = new < value
            Z, value = Z + t * dZ, new
            if fit_intercept:
                b = b + t * step[0]
            if cols.size:
                W = W.copy()
                W[cols] += t * step[int(fit_intercept) :]
            if not improved:
                break
    # centre (the model is unchanged: each row of Z moves by one constant)
    if fit_intercept:
        shift = b.mean()
        b, Z = b - shift, Z - shift
    if cols.size:
        shift = W[cols].mean(axis=1)
        W = W.copy()
        W[cols] -= shift[:, None]
        Xf = X[:, cols]
        Z = Z - np.asarray(Xf @ shift).ravel()[:, None]
    return W, b, Z


# --------------------------------------------------------------------------------------------------
# the inner solves
# --------------------------------------------------------------------------------------------------
class MultinomialFit:
    """One fit's state: ``W`` ``(p, K)``, ``b`` ``(K,)`` and ``Z = X W + b``."""

    def __init__(self, X, Y, s, penalty: MatrixPenalty, fit_intercept, tol, max_iter, W0=None, b0=None):
        self.design = Design(X)
        self.X, self.Y, self.s = X, Y, s
        self.datafit = Multinomial()
        self.penalty = penalty
        self.fit_intercept, self.max_iter = fit_intercept, max_iter
        self.certifier = MatrixCertifier(X, Y, s, self.datafit, penalty, fit_intercept, tol)
        n, p = X.shape
        K = Y.shape[1]
        self.W = np.zeros((p, K)) if W0 is None else np.array(W0, dtype=np.float64).reshape(p, K)
        if not fit_intercept:
            self.b = np.zeros(K)
        elif b0 is not None:
            self.b = np.array(b0, dtype=np.float64).reshape(K)
        else:
            self.b = self.certifier.b_null.copy() if W0 is None else np.zeros(K)
        self.Z = self.predict(self.W, self.b)
        self.c = s / n
        self.n_passes = 0
        # the kernel takes either the entrywise penalty's compiled kernels or the grouped thresholds
        scalar = penalty.penalty if not penalty.grouped else L1(1.0)
        self.kernels, self.params = scalar.kernels, scalar.params  # type: ignore[union-attr]
        rho = penalty.penalty.l1_ratio if penalty.grouped else 0.0  # type: ignore[union-attr]
        self.lam1 = penalty.alpha * rho * penalty.v
        self.lam2 = penalty.alpha * (1.0 - rho) * penalty.v
        # the coordinate curvature of the majorizing model (Böhning's c_i / 2): the scale of the fixed-point
        # test of non-convex fits, whose coordinate steps it takes
        self.lips = self.design.col_sq_norms(self.c / 2.0)

    def predict(self, W, b):
        support = np.flatnonzero(np.any(W != 0, axis=1))
        Z = np.tile(b, (self.X.shape[0], 1))
        if support.size:
            Z += np.asarray(self.X[:, support] @ W[support])
        return Z

    def objective(self) -> float:
        return self.datafit.value(self.Y, self.Z, self.s) + self.penalty.value(self.W)

    def polish(self) -> None:
        self.W, self.b, self.Z = polish_free(
            self.X, self.Y, self.s, self.datafit, self.W, self.b, self.Z, self.certifier.free, self.fit_intercept
        )
        if self.penalty.is_quadratic:
            # centring a row across the classes leaves the datafit as it is and can only lower a quadratic
            # penalty: its optimum is the centred representative (scikit-learn's too)
            shift = self.W.mean(axis=1)
            if np.any(shift != 0):
                self.W = self.W - shift[:, None]
                self.Z = self.Z - np.asarray(self.X @ shift).ravel()[:, None]

    def resync(self) -> None:
        self.Z = self.predict(self.W, self.b)

    def solve_inner(self, ws: np.ndarray, inner_tol: float, objective: float) -> None:
        """Proximal Newton steps on the rows ``ws`` until one decreases the objective by no more than the
        gap allows (each step: the quadratic model solved by row-block coordinate descent, then a line
        search on the true objective)."""
        for _ in range(MAX_ROUNDS):
            step = self._newton_step(objective, ws, inner_tol, False)
            if not self.penalty.is_convex and (step is None or objective - step <= self.certifier.threshold):
                # no (useful) descent along the Newton direction: a non-convex prox can stall or jump
                # branches.  The model with Böhning's bound majorizes the loss, so its minimizer descends
                # unless the point is a fixed point of its coordinate steps, which the certificate requires
                current = objective if step is None else step
                majorized = self._newton_step(current, ws, inner_tol, True)
                step = majorized if majorized is not None else step
            if step is None:
                break
            decrease = objective - step
            objective = step
            self.n_passes += 1
            if decrease <= self.certifier.threshold or self.n_passes >= self.max_iter:
                break

    def _newton_step(self, f_old: float, ws: np.ndarray, inner_tol: float, majorize: bool) -> float | None:
        """One proximal Newton step on ``ws``; returns the new objective, or None when none descends."""
        Y, s, Z, c = self.Y, self.s, self.Z, self.c
        P = softmax(Z)
        G = c[:, None] * (P - Y)
        W_new = self.W.copy()
        b_new = self.b.copy()
        dZ, _ = mk.row_subproblem(
            self.design.kernel,
            G,
            c,
            P,
            mk.row_hessians(self.X, ws, c, P, majorize),
            W_new,
            b_new,
            ws,
            self.kernels.prox,
            self.kernels.subdiff_distance,
            self.penalty.v,
            self.params,
            self.lam1,
            self.lam2,
            self.penalty.grouped,
            self.penalty.is_convex,
            self.fit_intercept,
            majorize,
            inner_tol,
            MAX_EPOCHS,
        )
        p_old = self.penalty.value(self.W)
        decrease = float(np.sum(G * dZ)) + self.penalty.value(W_new) - p_old
        step = 1.0
        for _ in range(MAX_BACKTRACK):
            W_try = self.W + step * (W_new - self.W)
            Z_try = Z + step * dZ
            f_try = self.datafit.value(Y, Z_try, s) + self.penalty.value(W_try)
            # near the optimum F is flat to rounding while the certificate still needs a better W
            if f_try <= f_old + ARMIJO * step * min(decrease, 0.0) + ROUNDING * abs(f_old):
                break
            step *= 0.5
        else:
            return None
        if step == 1.0:
            W_try = W_new  # keep the exact zeros of the prox steps
        self.W, self.b, self.Z = W_try, self.b + step * (b_new - self.b), Z_try
        return f_try


# --------------------------------------------------------------------------------------------------
# the outer loop
# --------------------------------------------------------------------------------------------------
def _prepare(X, Y, sample_weight, tol, max_iter):
    if sp.issparse(X):
        X = sp.csc_matrix(X, dtype=np.float64)
    else:
        X = np.asfortranarray(X, dtype=np.float64)
    Y = Multinomial().prepare_target(Y)
    s = check_sample_weight(sample_weight, X.shape[0])
    return X, Y, s, check_tol(tol), check_positive_int(max_iter, "max_iter", minimum=0)


def solve_multinomial(
    X: Any,
    Y: Any,
    penalty: Penalty | L21,
    *,
    sample_weight: Any = None,
    fit_intercept: bool = True,
    tol: float = 1e-6,
    max_iter: int = 100,
    W0: Any = None,
    b0: Any = None,
    strong: np.ndarray | None = None,
) -> FitResult:
    """Minimize the penalized multinomial loss and certify the answer (see the module docstring).

    Parameters
    ----------
    X : ndarray or scipy.sparse matrix of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, K)
        One-hot labels (``Multinomial().encode_target``).
    penalty : Penalty or L21
        A scalar penalty applied to every entry (``"ungrouped"``) or :class:`L21` (``"grouped"``); its
        factors are per feature.
    sample_weight : array-like of shape (n_samples,), optional
        Rescaled to sum to ``n_samples``.
    fit_intercept : bool
    tol : float
        Convex: stop when the duality gap is at most ``tol * F_null``; non-convex: when the scale-free
        optimality violation is at most ``tol``.
    max_iter : int
        Outer iterations (each ending with a certificate); also bounds the rounds over the classes.
    W0, b0 : optional warm start, shapes ``(n_features, K)`` and ``(K,)``.
    strong : ndarray of bool of shape (n_features,), optional
        A guess of the features that may be nonzero (a path's strong set): the first working set.

    Returns
    -------
    FitResult
        ``coef`` of shape ``(n_features, K)``, ``intercept`` of shape ``(K,)``; a ``ConvergenceWarning``
        when the certificate was not reached.
    """
    X, Y, s, tol, max_iter = _prepare(X, Y, sample_weight, tol, max_iter)
    mpen = MatrixPenalty(penalty, X.shape[1], Y.shape[1])
    state = MultinomialFit(X, Y, s, mpen, fit_intercept, tol, max_iter, W0, b0)
    result = _fit(state, max_iter, strong)
    return _finish(result, mpen, max_iter, tol)


def _fit(state: MultinomialFit, max_iter: int, strong: np.ndarray | None) -> FitResult:
    certifier = state.certifier
    history: list[float] = []
    ws_size = 0
    cert = None
    done = False
    for it in range(1, max_iter + 2):
        state.polish()
        cert = certifier.check(state.W, state.b, state.Z)
        history.append(cert.measure)
        done = cert.converged
        if not certifier.convex and done:
            # a zero coordinate of a non-convex penalty is stationary for any gradient: also require a
            # fixed point of each coordinate's own proximal step
            done = _fixpoint_residual(state, cert.grad) / certifier.violation_scale <= certifier.tol
        if done or it > max_iter:
            break
        scores = cert.scores if certifier.convex else np.maximum(cert.scores, _fixpoint_rows(state, cert.grad))
        if it == 1 and strong is not None:
            scores = np.where(strong | np.any(state.W != 0, axis=1), scores, 0.0)
        support = np.linalg.norm(state.W, axis=1)
        ws, ws_size = working_set(support, scores, ws_size)
        inner_tol = INNER_RATIO * float(scores.max(initial=0.0))
        if cert.gap is not None:
            inner_tol *= gap_ratio(cert, certifier.threshold)  # type: ignore[arg-type]
        state.solve_inner(ws, inner_tol, cert.objective)
    assert cert is not None
    state.resync()
    return FitResult(
        coef=state.W,
        intercept=state.b,  # type: ignore[arg-type]
        n_iter=state.n_passes,
        objective=cert.objective,
        dual_gap=cert.gap,
        optimality_violation=cert.violation,
        converged=bool(done),
        solver="multinomial",
        history=history,
        grad=cert.grad,
        n_outer=len(history),
    )


def _fixpoint_rows(state: MultinomialFit, G: np.ndarray) -> np.ndarray:
    """Per feature ``max_k L_j |W_jk - prox(W_jk - G_jk / L_j)|`` (non-convex penalties, ungrouped)."""
    lips = np.repeat(np.where(state.lips > 0, state.lips, 1.0), state.W.shape[1])
    flat = state.penalty.flat
    assert flat is not None
    w = state.W.ravel()
    moved = flat.prox(w - G.ravel() / lips, 1.0 / lips)
    return (lips * np.abs(w - moved)).reshape(state.W.shape).max(axis=1)


def _fixpoint_residual(state: MultinomialFit, G: np.ndarray) -> float:
    return float(_fixpoint_rows(state, G).max(initial=0.0))


def _finish(result: FitResult, mpen: MatrixPenalty, max_iter: int, tol: float) -> FitResult:
    if not (np.all(np.isfinite(result.coef)) and np.all(np.isfinite(result.intercept))):
        raise ValueError(
            "the multinomial solver produced non-finite coefficients: standardize the features and fit again."
        )
    mu = mpen.strong_convexity()
    if result.dual_gap is not None and mu.size and float(mu.min()) > 0:
        # ||W - W*||_F <= sqrt(2 G / mu), as coef_error_bound for one column
        result.coef_error_bound = float(np.sqrt(2.0 * max(result.dual_gap, 0.0) / float(mu.min())))
    warn_not_converged(result, max_iter, tol, stacklevel=4)
    return result


def certify_multinomial(
    X, Y, penalty: Penalty | L21, coef, intercept, *, sample_weight=None, fit_intercept=True, tol=1e-6
) -> FitResult:
    """The certificate of a given point ``(coef (p, K), intercept (K,))`` as it is (no polish, no step)."""
    X, Y, s, tol, _ = _prepare(X, Y, sample_weight, tol, 0)
    mpen = MatrixPenalty(penalty, X.shape[1], Y.shape[1])
    W = np.array(coef, dtype=np.float64).reshape(X.shape[1], Y.shape[1])
    b = np.array(intercept, dtype=np.float64).reshape(Y.shape[1]) if fit_intercept else np.zeros(Y.shape[1])
    certifier = MatrixCertifier(X, Y, s, Multinomial(), mpen, fit_intercept, tol)
    Z = np.asarray(X @ W) + b
    cert = certifier.check(W, b, Z)
    return FitResult(
        coef=W,
        intercept=b,  # type: ignore[arg-type]
        n_iter=0,
        objective=cert.objective,
        dual_gap=cert.gap,
        optimality_violation=cert.violation,
        converged=bool(cert.converged),
        solver="certify",
        history=[cert.measure],
        grad=cert.grad,
    )


def multinomial_alpha_max(X, Y, penalty: Penalty | L21, *, sample_weight=None, fit_intercept=True) -> float:
    """Smallest ``alpha`` at which every penalized coefficient is zero (the null model with the free
    features fitted is optimal); exact for L1, Elastic Net and L21 (their threshold at zero)."""
    X, Y, s, _, _ = _prepare(X, Y, sample_weight, 1e-6, 0)
    unit = MatrixPenalty(penalty.with_alpha(1.0), X.shape[1], Y.shape[1])
    datafit = Multinomial()
    b, _ = datafit.null_model(Y, s, fit_intercept)
    W = np.zeros((X.shape[1], Y.shape[1]))
    Z = np.tile(b, (X.shape[0], 1))
    free = ~unit.is_penalized()
    if free.any():
        W, b, Z = polish_free(X, Y, s, datafit, W, b, Z, free, fit_intercept)
    return unit.alpha_max(xt(X, datafit.raw_grad(Y, Z, s)))


def multinomial_path(
    X, Y, penalty: Penalty | L21, alphas, *, sample_weight=None, fit_intercept=True, tol=1e-6, max_iter=100
) -> list[FitResult]:
    """Fits along ``alphas`` (decreasing), each warm-started from the previous one, with the sequential
    strong rule proposing its first working set; every fit is certified."""
    X, Y, s, tol, max_iter = _prepare(X, Y, sample_weight, tol, max_iter)
    results: list[FitResult] = []
    W0 = b0 = strong = None
    previous = None
    for alpha in alphas:
        pen = penalty.with_alpha(float(alpha))
        if previous is not None and previous[1] is not None:
            mpen = MatrixPenalty(pen, X.shape[1], Y.shape[1])
            strong = mpen.strong_rule(previous[1], float(alpha), previous[0])
        res = solve_multinomial(
            X,
            Y,
            pen,
            sample_weight=s,
            fit_intercept=fit_intercept,
            tol=tol,
            max_iter=max_iter,
            W0=W0,
            b0=b0,
            strong=strong,
        )
        results.append(res)
        W0, b0, previous = res.coef, res.intercept, (float(alpha), res.grad)
    return results
