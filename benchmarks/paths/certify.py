"""Independent certificates (numpy/scipy only, no lpnet code) for every point of a returned path.

* squared loss, Lasso / Elastic Net / Ridge: ``benchmarks/gap.py`` (rescaled-residual dual point).
* logistic loss + L1 with a free intercept: primal ``1/n sum log(1 + exp(-y_i z_i)) + alpha ||w||_1``,
  ``z = X w + b``.  Fenchel dual over ``theta`` with ``sum(theta) = 0`` and ``||X^T theta||_inf <= alpha``::

      D(theta) = -1/n sum_i [p_i log p_i + (1 - p_i) log(1 - p_i)],   p_i = n y_i theta_i in [0, 1]

  Dual point from the gradient: ``theta_i = y_i sigmoid(-y_i z_i) / n`` (optimal at the solution).  It is
  projected onto ``sum(theta) = 0`` by shrinking the class (sign of ``y``) with the larger total towards
  the other (a scaling of ``p`` by a factor <= 1 keeps ``p`` in [0, 1]), then rescaled into the L1 dual
  ball by ``max(1, ||X^T theta||_inf / alpha)``.  Relative gap: divided by the null model's objective
  (the binary entropy of the positive fraction).

``values`` returns the primal and dual objective values at a point: their difference is lpnet's
certificate, and the dual values, with those of lpnet's tight reference fits, bound a competitor's
suboptimality (``benchmarks/reference.py``).
"""

from __future__ import annotations

import importlib.util
import os
import sys

import numpy as np
from scipy.special import expit, xlogy


def _load_gap():
    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location("_single_fit_gap", os.path.join(here, "..", "gap.py"))
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


_gap = _load_gap()


def logistic_l1_values(X, y, coef, intercept, alpha):
    """``(primal, dual)`` of ``(coef, intercept)`` for L1 logistic regression with an intercept."""
    n = y.shape[0]
    w = np.asarray(coef, dtype=np.float64).ravel()
    z = np.asarray(X @ w).ravel() + float(intercept)
    primal = float(np.mean(np.logaddexp(0.0, -y * z))) + alpha * float(np.abs(w).sum())
    p = expit(-y * z)  # in (0, 1)
    pos, neg = y > 0, y < 0
    s_pos, s_neg = p[pos].sum(), p[neg].sum()
    if s_pos > s_neg:
        p[pos] *= s_neg / s_pos
    elif s_neg > s_pos:
        p[neg] *= s_pos / s_neg
    theta = y * p / n
    xt = np.asarray(X.T @ theta).ravel()
    scale = max(1.0, float(np.max(np.abs(xt), initial=0.0)) / alpha)
    p = p / scale
    dual = -float(np.mean(xlogy(p, p) + xlogy(1 - p, 1 - p)))
    return primal, dual


def point_values(X, y, datafit, coef, intercept, alpha, l1_ratio):
    """``(primal, dual)`` at ``(coef, intercept)`` and the dual point from its own residual / gradient."""
    if datafit == "logistic":
        return logistic_l1_values(X, y, coef, intercept, alpha)
    rep = _gap.duality_gap(X, y, coef, intercept, alpha, l1_ratio)
    return rep.primal, rep.dual


def values(problem, coef, intercept, alpha, l1_ratio):
    return point_values(problem.X, problem.y, problem.datafit, coef, intercept, alpha, l1_ratio)


def rel_gap(problem_X, problem_y, datafit, f_null, coef, intercept, alpha, l1_ratio):
    primal, dual = point_values(problem_X, problem_y, datafit, coef, intercept, alpha, l1_ratio)
    return (primal - dual) / f_null


def path_values(problem, alphas, l1_ratio, coefs, intercepts):
    """``(primals, duals)`` of every point of a path."""
    out = np.array([values(problem, coefs[k], intercepts[k], alphas[k], l1_ratio) for k in range(len(alphas))])
    return out[:, 0], out[:, 1]
