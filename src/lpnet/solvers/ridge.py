"""Direct solve of the squared loss with a quadratic (L2) penalty.

    minimize 1/(2n) sum_i s_i (y_i - x_i w - b)^2 + alpha/2 sum_j v_j w_j^2

With ``h = s / n``, centred data (weighted means; the intercept is then ``b = ybar - xbar.w``) and
``D = diag(alpha v)`` the normal equations are ``(Xc^T H Xc + D) w = Xc^T H yc``:

* ``n >= p`` (or some ``v_j = 0``): Cholesky of that p x p matrix (least squares if it is singular);
* ``p > n`` with every ``v_j > 0``: with ``Z = H^(1/2) Xc``, Woodbury gives
  ``w = D^-1 Z^T (Z D^-1 Z^T + I)^-1 H^(1/2) yc``, an n x n Cholesky instead.

The answer is certified like every other fit (one duality-gap evaluation).
"""
from __future__ import annotations

import numpy as np
import scipy.linalg as sla

from ..certificates import Certifier
from ..datafits.quadratic import Quadratic
from ._common import FitResult, linear_predictor


def solve_ridge(X, y, s, penalty, *, fit_intercept=True, tol=1e-6):
    """Solve the ridge normal equations directly (dense ``X``); see the module docstring."""
    n_samples, n_features = X.shape
    X = np.asarray(X, dtype=np.float64)
    h = s / n_samples
    if fit_intercept:
        x_mean = (h @ X) / h.sum()
        y_mean = float(h @ y / h.sum())
        Xc, yc = X - x_mean, y - y_mean
    else:
        x_mean, y_mean, Xc, yc = np.zeros(n_features), 0.0, X, y
    d = penalty.alpha * penalty.penalty_factors(n_features)
    sqrt_h = np.sqrt(h)
    Z = Xc * sqrt_h[:, None]
    zy = yc * sqrt_h
    if n_features > n_samples and np.all(d > 0):
        K = (Z / d) @ Z.T
        K[np.diag_indices_from(K)] += 1.0
        w = (Z.T @ _spd_solve(K, zy)) / d
    else:
        A = Z.T @ Z
        A[np.diag_indices_from(A)] += d
        w = _spd_solve(A, Z.T @ zy)
    b = y_mean - float(x_mean @ w) if fit_intercept else 0.0

    certifier = Certifier(X, y, s, Quadratic(), penalty, fit_intercept, tol)
    cert = certifier.check(w, b, linear_predictor(X, w, b))
    return FitResult(
        coef=w, intercept=b, n_iter=1, objective=cert.objective, dual_gap=cert.gap,
        optimality_violation=None, converged=bool(cert.converged), solver="direct", history=[cert.gap],
    )


def _spd_solve(A, rhs):
    try:
        return sla.cho_solve(sla.cho_factor(A, lower=True, check_finite=False), rhs, check_finite=False)
    except np.linalg.LinAlgError:
        # singular (collinear unpenalized features): the minimum-norm least-squares solution
        return np.linalg.lstsq(A, rhs, rcond=None)[0]
