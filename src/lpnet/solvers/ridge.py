"""Direct solve of the squared loss with a quadratic (L2) penalty.

    minimize 1/(2n) sum_i s_i (y_i - x_i w - b)^2 + alpha/2 sum_j v_j w_j^2

With ``h = s / n``, centred data (weighted means; the intercept is then ``b = ybar - xbar.w``) and
``D = diag(alpha v)`` the normal equations are ``(Xc^T H Xc + D) w = Xc^T H yc``:

* ``n >= p`` (or some ``v_j = 0``): Cholesky of that p x p matrix (least squares if it is singular);
* ``p > n`` with every ``v_j > 0``: with ``Z = H^(1/2) Xc``, Woodbury gives
  ``w = D^-1 Z^T (Z D^-1 Z^T + I)^-1 H^(1/2) yc``, an n x n Cholesky instead.

Sparse ``X`` is never densified or centred: the centring is applied to the products.

The answer is certified like every other fit (one duality-gap evaluation).
"""
from __future__ import annotations

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp

from ..certificates import Certifier
from ..datafits.quadratic import Quadratic
from ._common import FitResult
from ._design import linear_predictor


def solve_ridge(X, y, s, penalty, *, fit_intercept=True, tol=1e-6):
    """Solve the ridge normal equations directly; see the module docstring."""
    n_samples, n_features = X.shape
    h = s / n_samples
    h_sum = float(h.sum())
    x_mean = np.asarray(X.T @ h).ravel() / h_sum if fit_intercept else np.zeros(n_features)
    y_mean = float(h @ y) / h_sum if fit_intercept else 0.0
    yc = y - y_mean
    d = penalty.alpha * penalty.penalty_factors(n_features)
    solve = _solve_sparse if sp.issparse(X) else _solve_dense
    w = solve(X, yc, h, x_mean, d)
    b = y_mean - float(x_mean @ w) if fit_intercept else 0.0

    certifier = Certifier(X, y, s, Quadratic(), penalty, fit_intercept, tol)
    cert = certifier.check(w, b, linear_predictor(X, w, b))
    return FitResult(
        coef=w, intercept=b, n_iter=1, objective=cert.objective, dual_gap=cert.gap,
        optimality_violation=None, converged=bool(cert.converged), solver="direct", history=[cert.gap],
    )


def _solve_dense(X, yc, h, x_mean, d):
    # explicit centring: better conditioned than correcting X^T H X afterwards
    sqrt_h = np.sqrt(h)
    Z = (np.asarray(X, dtype=np.float64) - x_mean) * sqrt_h[:, None]
    zy = yc * sqrt_h
    if Z.shape[1] > Z.shape[0] and np.all(d > 0):
        K = (Z / d) @ Z.T
        K[np.diag_indices_from(K)] += 1.0
        return (Z.T @ _spd_solve(K, zy)) / d
    A = Z.T @ Z
    A[np.diag_indices_from(A)] += d
    return _spd_solve(A, Z.T @ zy)


def _solve_sparse(X, yc, h, x_mean, d):
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
        beta = _spd_solve(K, yc * sqrt_h) * sqrt_h
        return (np.asarray(X.T @ beta).ravel() - x_mean * beta.sum()) / d
    A = np.asarray((X.T @ sp.diags(h) @ X).toarray()) - h_sum * np.outer(x_mean, x_mean)
    A[np.diag_indices_from(A)] += d
    return _spd_solve(A, np.asarray(X.T @ (h * yc)).ravel())


def _spd_solve(A, rhs):
    try:
        return sla.cho_solve(sla.cho_factor(A, lower=True, check_finite=False), rhs, check_finite=False)
    except np.linalg.LinAlgError:
        # singular (collinear unpenalized features): the minimum-norm least-squares solution
        return np.linalg.lstsq(A, rhs, rcond=None)[0]
