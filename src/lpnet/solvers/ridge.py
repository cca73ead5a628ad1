"""Direct solves of the squared loss with a quadratic (L2) penalty, or none at all.

    minimize 1/(2n) sum_i s_i (y_i - x_i w - b)^2 + 1/2 sum_j d_j w_j^2,     d_j = alpha v_j >= 0

With ``h = s / n``, centred data (weighted means; the intercept is then ``b = ybar - xbar.w``) and
``D = diag(d)`` the normal equations are ``(Xc^T H Xc + D) w = Xc^T H yc``:

* ``n >= p`` (or some ``d_j = 0``): Cholesky of that p x p matrix;
* ``p > n`` with every ``d_j > 0``: with ``Z = H^(1/2) Xc``, Woodbury gives
  ``w = D^-1 Z^T (Z D^-1 Z^T + I)^-1 H^(1/2) yc``, an n x n Cholesky instead.

Cholesky is fast but only as accurate as the system is well conditioned, and a tiny ``alpha`` (or none)
makes the system singular to rounding: below ``alpha ~ eps * ||X||^2`` it returns whichever
interpolating ``w`` rounding selects (norms 10x the true limit were seen).  The reciprocal condition
number of the factor (LAPACK's ``pocon``, O(p^2) once the factor exists) decides: below
:data:`RCOND_MIN` dense data are solved by :class:`RidgeSVD` instead, whose answer tends to the
minimum-norm least-squares solution as ``alpha -> 0`` (the limit that defines it), and sparse data by an
eigendecomposition of the same normal matrix with the rounding-level eigenvalues dropped.

Sparse ``X`` is never densified or centred: the centring is applied to the products.

The answer is certified like every other fit (one duality-gap evaluation).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp

from .._progress import progress_bar
from ..certificates import Certifier
from ..datafits.base import Datafit
from ..fit_data import column_means, weighted_mean
from ..penalties.base import Penalty
from ._common import FitResult, finish, measure
from ._design import Design, linear_predictor
from .base import Layout, Problem, Solver

#: below this reciprocal condition number the Cholesky answer is not trusted (relative error ~ eps / rcond)
RCOND_MIN = 1e-8
#: sparse data are solved directly while the smaller of their two Gram matrices has at most this size
SPARSE_MAX_GRAM = 2000
_EPS = np.finfo(np.float64).eps


class DirectRidge(Solver):
    """``solver="direct"``: the squared loss with a quadratic penalty, or none at all (least squares).

    ``"auto"`` takes it on dense data, and on sparse data while the smaller of the two Gram matrices
    stays small.  Dense data also have a whole path from one SVD (:func:`ridge_svd_path`).
    """

    name = "direct"

    def why_not(self, layout: Layout, datafit: Datafit, penalty: Penalty) -> str | None:
        # no penalized feature at all (alpha = 0, or every factor 0) is least squares: 0 is quadratic too
        quadratic = penalty.is_quadratic or not penalty.is_penalized(layout.n_features).any()
        if penalty.is_bounded:
            return "solver='direct' solves unconstrained problems only; with bounds use solver='cd'."
        if datafit.is_quadratic and quadratic:
            return None
        return "solver='direct' solves the squared loss with a pure L2 penalty (or none) only."

    def pays_off(self, layout: Layout, datafit: Datafit, penalty: Penalty, gram: bool | None = None) -> bool:
        return not layout.sparse or min(layout.n_samples, layout.n_features) <= SPARSE_MAX_GRAM

    def solve(self, problem: Problem) -> FitResult:
        return solve_ridge(
            problem.design.X,
            problem.y,
            problem.s,
            problem.datafit,
            problem.penalty,
            fit_intercept=problem.fit_intercept,
            tol=problem.tol,
        )


DIRECT = DirectRidge()


def ridge_svd_path(
    X: np.ndarray,
    y: np.ndarray,
    s: np.ndarray,
    datafit: Datafit,
    penalty: Penalty,
    alphas: Any,
    *,
    fit_intercept: bool = True,
    tol: float = 1e-6,
    progress: bool = False,
) -> list[FitResult]:
    """The fits of ``penalty`` at every alpha of ``alphas`` from one SVD of dense ``X`` (:class:`RidgeSVD`).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    y, s : ndarray of shape (n_samples,)
        Target and sample weights (summing to ``n_samples``).
    datafit : Datafit
        The squared loss (``is_quadratic``).
    penalty : Penalty
        A quadratic penalty ``alpha/2 sum_j v_j w_j^2`` (at any alpha: :meth:`Penalty.with_alpha` gives
        each alpha's).
    alphas : array-like
        Regularization strengths ``>= 0``, in the order the fits are returned.
    fit_intercept : bool
    tol : float
        Each alpha is certified by its duality gap; one that is not (rounding on a near-singular
        problem) is solved again by :class:`DirectRidge`.
    progress : bool
        Show a progress bar on stderr.

    Returns
    -------
    list of FitResult
    """
    if sp.issparse(X) or not (penalty.is_quadratic and DIRECT.supports(Layout.of(X), datafit, penalty)):
        raise ValueError("the SVD ridge path solves the squared loss with a quadratic penalty on dense data.")
    design = Design(X)
    ridge = RidgeSVD(X, y, s, penalty.penalty_factors(design.shape[1]), fit_intercept)
    out = []
    for alpha in progress_bar(alphas, progress, "path"):
        w, b = ridge.solve(alpha)
        fixed = penalty.with_alpha(float(alpha))
        cert = Certifier(X, y, s, datafit, fixed, fit_intercept, tol, xt=design.xt, cache=design).check(
            w, b, design.predict(w, b)
        )
        res = FitResult(
            coef=w,
            intercept=b,
            n_iter=1,
            objective=cert.objective,
            dual_gap=cert.gap,
            optimality_violation=None,
            converged=bool(cert.converged),
            solver="svd",
        )
        problem = Problem(design, y, s, datafit, fixed, fit_intercept=fit_intercept, tol=tol)
        if not cert.converged:
            res = DIRECT.solve(problem)
        out.append(finish(res, fixed, problem.max_iter, tol))
    return out


def solve_ridge(
    X: Any,
    y: np.ndarray,
    s: np.ndarray,
    datafit: Datafit,
    penalty: Penalty,
    *,
    fit_intercept: bool = True,
    tol: float = 1e-6,
) -> FitResult:
    """Solve the ridge normal equations directly; see the module docstring."""
    n_samples, n_features = X.shape
    h = s / n_samples
    x_mean = column_means(X, h) if fit_intercept else np.zeros(n_features)
    y_mean = weighted_mean(y, h) if fit_intercept else 0.0
    factors = penalty.penalty_factors(n_features)
    d = penalty.alpha * factors
    if sp.issparse(X):
        w = _solve_sparse(X, y - y_mean, h, x_mean, d)
        b = y_mean - float(x_mean @ w) if fit_intercept else 0.0
    else:
        dense = _solve_dense(X, y - y_mean, h, x_mean, d)
        if dense is None:  # ill-conditioned: the SVD's answer, minimum-norm in the limit alpha -> 0
            w, b = RidgeSVD(X, y, s, factors, fit_intercept).solve(penalty.alpha)
        else:
            w, b = dense, (y_mean - float(x_mean @ dense) if fit_intercept else 0.0)
    if not (np.all(np.isfinite(w)) and np.isfinite(b)):
        raise ValueError(
            "the ridge solve produced non-finite coefficients: the data are too large for "
            "float64 arithmetic; rescale X and y (e.g. standardize them) and fit again."
        )
    certifier = Certifier(X, y, s, datafit, penalty, fit_intercept, tol)
    cert = certifier.check(w, b, linear_predictor(X, w, b))
    return FitResult(
        coef=w,
        intercept=float(b),
        n_iter=1,
        objective=cert.objective,
        dual_gap=cert.gap,
        optimality_violation=None,
        converged=bool(cert.converged),
        solver="direct",
        history=[measure(cert)],
    )


def _solve_dense(X: np.ndarray, yc: np.ndarray, h: np.ndarray, x_mean: np.ndarray, d: np.ndarray) -> np.ndarray | None:
    # explicit centring: better conditioned than correcting X^T H X afterwards
    sqrt_h = np.sqrt(h)
    Z = (np.asarray(X, dtype=np.float64) - x_mean) * sqrt_h[:, None]
    zy = yc * sqrt_h
    if Z.shape[1] > Z.shape[0] and np.all(d > 0):
        K = (Z / d) @ Z.T
        K[np.diag_indices_from(K)] += 1.0
        beta = _cholesky_solve(K, zy)
        return None if beta is None else (Z.T @ beta) / d
    A = Z.T @ Z
    A[np.diag_indices_from(A)] += d
    return _cholesky_solve(A, Z.T @ zy)


def _solve_sparse(X: Any, yc: np.ndarray, h: np.ndarray, x_mean: np.ndarray, d: np.ndarray) -> np.ndarray:
    # keep X sparse: centre the products instead of the data,
    # Xc^T H Xc = X^T H X - sum(h) xbar xbar^T  and  Xc^T v = X^T v - xbar (1^T v)
    n_samples, n_features = X.shape
    h_sum = float(h.sum())
    if n_features > n_samples and np.all(d > 0):
        # Woodbury in sample space: K = H^1/2 Xc D^-1 Xc^T H^1/2 + I
        XD = X @ sp.diags(1.0 / d)
        u = np.asarray(XD @ x_mean).ravel()
        C = np.asarray((XD @ X.T).toarray()) - u[:, None] - u[None, :] + float(x_mean @ (x_mean / d))
        sqrt_h = np.sqrt(h)
        K = C * sqrt_h[:, None] * sqrt_h[None, :]
        K[np.diag_indices_from(K)] += 1.0
        rhs = yc * sqrt_h
        beta = _cholesky_solve(K, rhs)
        beta = (_pseudo_solve(K, rhs) if beta is None else beta) * sqrt_h
        return (np.asarray(X.T @ beta).ravel() - x_mean * beta.sum()) / d
    A = np.asarray((X.T @ sp.diags(h) @ X).toarray()) - h_sum * np.outer(x_mean, x_mean)
    A[np.diag_indices_from(A)] += d
    rhs = np.asarray(X.T @ (h * yc)).ravel()
    w = _cholesky_solve(A, rhs)
    return _pseudo_solve(A, rhs) if w is None else w


def _cholesky_solve(A: np.ndarray, rhs: np.ndarray) -> np.ndarray | None:
    """``A^-1 rhs`` for a symmetric positive semi-definite ``A``, or None when ``A`` is too ill-conditioned."""
    try:
        factor = sla.cho_factor(A, lower=True, check_finite=False)
    except np.linalg.LinAlgError:  # not positive definite to rounding: singular
        return None
    rcond, info = sla.lapack.dpocon(factor[0], np.abs(A).sum(axis=0).max(), uplo="L")
    if info != 0 or not rcond >= RCOND_MIN:
        return None
    return sla.cho_solve(factor, rhs, check_finite=False)


def _pseudo_solve(A: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """Minimum-norm solution of ``A x = rhs`` (symmetric ``A``), eigenvalues at rounding level dropped."""
    evals, V = np.linalg.eigh(A)
    keep = evals > max(evals.max(initial=0.0), 0.0) * A.shape[0] * _EPS
    return V[:, keep] @ ((V[:, keep].T @ rhs) / evals[keep])


class RidgeSVD:
    """Every solution of squared loss + ``alpha/2 sum_j v_j w_j^2`` on one data set, from one thin SVD.

    With ``h = s/n`` and ``A`` the free columns (ones for the intercept, features with ``v_j = 0``), the
    free coefficients are a weighted least-squares fit given ``w`` (the penalized part), so profiling
    them out leaves ridge on the ``H``-projected data: with ``P = I - Q Q^T``, ``Q`` an orthonormal basis
    of ``H^(1/2) A``, ``Z = P H^(1/2) X_pen V^(-1/2)`` and ``u = V^(1/2) w``::

        min_u 1/2 ||y_h - Z u||^2 + alpha/2 ||u||^2  =>  u = V_Z diag(sig / (sig^2 + alpha)) U_Z^T y_h

    (``y_h = P H^(1/2) y``) from the thin SVD ``Z = U_Z diag(sig) V_Z^T``: O(min(n, p) p) per alpha.  The
    free coefficients are ``c = c_y - C_x w`` (``c_y``, ``C_x``: least-squares fits of ``y`` and ``X_pen``
    on ``A``).  Singular values at rounding level (``sig <= sig_max max(n, p) eps``) are dropped for every
    alpha: their directions carry rounding noise only, and dropping them is exact in the limit
    ``alpha -> 0``, where the solution is the minimum-norm least-squares one (norm ``||V^(1/2) w||``).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    y, s : ndarray of shape (n_samples,)
        Target and sample weights (summing to ``n_samples``).
    factors : ndarray of shape (n_features,)
        Penalty factors ``v_j >= 0``; 0 leaves feature j free.
    fit_intercept : bool
    """

    def __init__(self, X: np.ndarray, y: np.ndarray, s: np.ndarray, factors: np.ndarray, fit_intercept: bool):
        X = np.asarray(X, dtype=np.float64)
        n, self.n_features = X.shape
        self.fit_intercept = bool(fit_intercept)
        self.pen = factors > 0
        sqrt_h = np.sqrt(s / n)
        X_pen = X[:, self.pen]
        zh, yh = sqrt_h[:, None] * X_pen, sqrt_h * y
        free = [np.ones((n, 1))] if fit_intercept else []
        if (~self.pen).any():
            free.append(X[:, ~self.pen])
        self.has_free = bool(free)
        if self.has_free:
            ah = sqrt_h[:, None] * np.hstack(free)
            Q, sv, _ = np.linalg.svd(ah, full_matrices=False)
            Q = Q[:, sv > sv.max() * max(ah.shape) * _EPS]
            zp, yp = zh - Q @ (Q.T @ zh), yh - Q @ (Q.T @ yh)
            pinv = np.linalg.pinv(ah)
            self.c_y, self.C_x = pinv @ yh, pinv @ zh
        else:
            zp, yp = zh, yh
        self.root_v = np.sqrt(factors[self.pen])
        U, S, self.Vt = np.linalg.svd(zp / self.root_v, full_matrices=False)
        keep = S > S.max(initial=0.0) * max(zp.shape) * _EPS
        self.S, self.Vt, self.uty = S[keep], self.Vt[keep], U[:, keep].T @ yp

    def solve(self, alpha: float) -> tuple[np.ndarray, float]:
        """``(w, b)`` at ``alpha >= 0`` (``b = 0`` without an intercept)."""
        w = np.zeros(self.n_features)
        w[self.pen] = (self.Vt.T @ (self.S / (self.S**2 + alpha) * self.uty)) / self.root_v
        b = 0.0
        if self.has_free:
            c = self.c_y - self.C_x @ w[self.pen]
            k = int(self.fit_intercept)
            b = float(c[0]) if k else 0.0
            w[~self.pen] = c[k:]
        return w, b
