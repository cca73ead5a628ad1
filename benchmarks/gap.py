"""An independent duality gap for the Lasso / Elastic Net with an intercept.

It certifies every library's returned ``(coef, intercept)`` the same way, so that the benchmark compares
solutions of equal quality.  It uses only numpy (no lpnet code).

Primal (scikit-learn's scaling)::

    P(w, b) = 1/(2n) ||y - X w - b||^2 + alpha * (l1_ratio ||w||_1 + (1 - l1_ratio)/2 ||w||^2)

Fenchel dual, for any ``theta`` with ``sum(theta) = 0`` (the free intercept forces it)::

    D(theta) = theta^T y - n/2 ||theta||^2 - sum_j g_j^*(X_j^T theta)

with ``g^*(v) = 0`` if ``|v| <= alpha`` (Lasso, else +inf) and
``g^*(v) = max(|v| - alpha l1_ratio, 0)^2 / (2 alpha (1 - l1_ratio))`` (Elastic Net).

The dual point comes from the residual: ``theta = (r - mean(r)) / n`` with ``r = y - X w - b``
(optimal at the solution).  For the Lasso it is rescaled to be feasible,
``theta <- theta / max(1, ||X^T theta||_inf / alpha)``; the Elastic Net conjugate is finite everywhere, so
no rescaling is needed.  ``gap = P - D >= P - P* >= 0``.  The relative gap divides by
``F_null = ||y - mean(y)||^2 / (2n)``, the objective of the intercept-only model, the scale used by
lpnet's stopping rule (and, up to a factor 2, by scikit-learn's and celer's).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class GapReport:
    primal: float
    dual: float
    gap: float
    f_null: float

    @property
    def rel_gap(self) -> float:
        return self.gap / self.f_null if self.f_null > 0 else self.gap


def duality_gap(X, y, coef, intercept, alpha, l1_ratio=1.0, fit_intercept=True) -> GapReport:
    """Duality gap of ``(coef, intercept)`` for the Lasso (``l1_ratio = 1``) or the Elastic Net."""
    y = np.asarray(y, dtype=np.float64)
    w = np.asarray(coef, dtype=np.float64).ravel()
    n = y.shape[0]
    b = float(intercept) if fit_intercept else 0.0
    r = y - np.asarray(X @ w, dtype=np.float64).ravel() - b

    a1 = alpha * l1_ratio
    a2 = alpha * (1.0 - l1_ratio)
    primal = float(r @ r) / (2 * n) + a1 * float(np.abs(w).sum()) + 0.5 * a2 * float(w @ w)

    theta = r / n
    if fit_intercept:
        theta = theta - theta.mean()
    xt = np.asarray(X.T @ theta, dtype=np.float64).ravel()
    if a2 == 0.0:
        scale = max(1.0, float(np.max(np.abs(xt), initial=0.0)) / a1)
        theta = theta / scale
        conj = 0.0
    else:
        excess = np.maximum(np.abs(xt) - a1, 0.0)
        conj = float(excess @ excess) / (2 * a2)
    dual = float(theta @ y) - 0.5 * n * float(theta @ theta) - conj

    yc = y - y.mean() if fit_intercept else y
    f_null = float(yc @ yc) / (2 * n)
    return GapReport(primal, dual, primal - dual, f_null)
