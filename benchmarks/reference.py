"""Reference dual values from tight lpnet fits: the lower bound on the optimum that judges competitors.

The benchmarks hold lpnet and its competitors to different rules, each what the library promises:

* lpnet promises a certificate, so it must certify itself: the independent duality gap at its own
  returned point (dual point from its own residual) must meet the target;
* a competitor promises an accurate solution, so only its true suboptimality ``(P(w) - P*) / F_null``
  must meet the target.  ``P*`` is unknown, but every feasible dual value is a lower bound on it, so::

      subopt_bound = (P(w) - max(D(w), D_ref)) / F_null  >=  (P(w) - P*) / F_null

  bounds it from above, with ``D(w)`` the dual value at the competitor's own (rescaled) residual and
  ``D_ref`` the dual value at the residual of a reference lpnet fit of the same problem at ``tol=1e-10``,
  both computed by the benchmarks' own numpy code (``gap.py``, ``paths/certify.py``), so lpnet's code only
  supplies a point, never a number that is trusted.  The bound is at most the competitor's own gap, and it
  exceeds its true suboptimality by at most the reference's own gap (recorded with every cell).

Reference fits are computed outside every timing and once per problem, row subset, alphas and l1_ratio,
so the tightening ladders and the n_jobs=2 cases reuse them.
"""

from __future__ import annotations

import time
import warnings

import numpy as np

REF_TOL = 1e-10
REF_MAX_ITER = 10_000  # 1000 left a quick Lasso path at alpha_max/1000 at a 4e-8 gap


class References:
    """Memo of lpnet reference fits.

    ``values(problem, coef, intercept, alpha, l1_ratio) -> (primal, dual)`` is the independent certificate
    (``problem`` has ``X``, ``y``, ``f_null`` and optionally ``datafit``, default squared loss).
    """

    def __init__(self, values):
        self._values = values
        self._memo = {}
        self.seconds = 0.0  # total time spent in reference fits (reported, never inside a timing)

    def duals(self, key, problem, alphas, l1_ratio):
        """``(D_ref, reference relative gap)``, arrays in the order of ``alphas``.  ``key`` names the data
        (problem, seed, rows): equal keys must mean equal ``X`` and ``y``."""
        alphas = np.atleast_1d(np.asarray(alphas, dtype=np.float64))
        memo = (key, alphas.tobytes(), float(l1_ratio))
        if memo not in self._memo:
            t0 = time.perf_counter()
            self._memo[memo] = self._fit(problem, alphas, float(l1_ratio))
            self.seconds += time.perf_counter() - t0
        return self._memo[memo]

    def _fit(self, problem, alphas, l1_ratio):
        import lpnet

        penalty = "l1" if l1_ratio == 1.0 else "l2" if l1_ratio == 0.0 else "elasticnet"
        order = np.argsort(-alphas, kind="stable")  # lpnet solves a path in decreasing order
        with warnings.catch_warnings():
            # lpnet warns where float64 cannot resolve 1e-10 (or max_iter runs out): the point it reached
            # still gives a valid dual value, only a less tight one, and its gap is recorded
            warnings.simplefilter("ignore")
            path = lpnet.regularization_path(
                problem.X,
                problem.y,
                penalty=penalty,
                datafit=getattr(problem, "datafit", "squared"),
                alphas=alphas[order],
                l1_ratio=l1_ratio,
                tol=REF_TOL,
                max_iter=REF_MAX_ITER,
            )
        dual, rel_gap = np.empty(len(alphas)), np.empty(len(alphas))
        for k, i in enumerate(order):
            primal, dual[i] = self._values(problem, path.coefs[k], path.intercepts[k], alphas[i], l1_ratio)
            rel_gap[i] = (primal - dual[i]) / problem.f_null
        return dual, rel_gap


def subopt_bound(primal, dual_own, dual_ref, f_null):
    """Upper bound on ``(P(w) - P*) / F_null`` from the best of two feasible dual values (elementwise)."""
    return (np.asarray(primal) - np.maximum(dual_own, dual_ref)) / f_null
