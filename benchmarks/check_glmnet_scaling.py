"""Check that the glmnet adapters solve the same problems as lpnet (run once after a glmnet upgrade).

    python benchmarks/check_glmnet_scaling.py

glmnet's gaussian family fits ``y / sd(y)`` with ``lambda / sd(y)``: its Lasso ``lambda`` is lpnet's
``alpha``, but its L2 part is divided by ``sd(y)``, so the Elastic Net goes through
``lpnet.conventions.lpnet_to_glmnet``; its binomial family uses the mean log-loss, like lpnet, so there
``lambda = alpha``.  For each case this fits glmnet's path down to one target alpha at a very tight
``tol`` and lpnet at that alpha at ``tol = 1e-10``, and prints the largest coefficient and intercept
differences and both independent relative gaps at the target; the "naive" column is the gap glmnet's
answer would have if the L2 part were mapped as ``lambda = alpha`` (showing the mapping matters).
"""

from __future__ import annotations

import os
import sys
import warnings

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, ROOT)

from glmnet import ElasticNet, LogitNet  # noqa: E402

import lpnet  # noqa: E402
from benchmarks.paths import certify  # noqa: E402
from benchmarks.paths import problems as P  # noqa: E402
from lpnet.conventions import lpnet_to_glmnet  # noqa: E402

GLMNET_TOL = 1e-20
N_LAMBDA = 41


def glmnet_fit(pb, alpha, l1_ratio):
    """glmnet's path from the problem's alpha_max down to ``alpha``; its last point."""
    grid = np.geomspace(pb.alpha_max / l1_ratio, alpha, N_LAMBDA)
    kw = dict(standardize=False, fit_intercept=True, n_splits=0, tol=GLMNET_TOL, max_iter=10**8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if pb.datafit == "logistic":
            m = LogitNet(alpha=1.0, lambda_path=grid, **kw).fit(pb.X, pb.y)
            return m.coef_path_[0, :, -1], float(m.intercept_path_[0, -1])
        pairs = [lpnet_to_glmnet(a, l1_ratio, y_std=float(np.std(pb.y))) for a in grid]
        m = ElasticNet(alpha=pairs[0][1], lambda_path=np.array([lam for lam, _ in pairs]), **kw).fit(pb.X, pb.y)
        return m.coef_path_[:, -1], float(m.intercept_path_[-1])


def lpnet_fit(pb, alpha, l1_ratio):
    penalty = "l1" if l1_ratio == 1.0 else "elasticnet"
    res = lpnet.regularization_path(
        pb.X,
        pb.y,
        penalty=penalty,
        datafit=pb.datafit,
        alphas=np.array([alpha]),
        l1_ratio=l1_ratio,
        tol=1e-10,
        max_iter=10_000,
    )
    return res.coefs[0], float(res.intercepts[0])


def main():
    print(
        "| problem | l1_ratio | alpha | max abs coef diff | max abs coef | intercept diff | glmnet gap | lpnet gap "
        "| naive gap |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name, ratios in (("toeplitz", (1.0, 0.5, 0.1)), ("tfidf", (1.0, 0.5)), ("logistic", (1.0,))):
        pb = P.make_problem(name, quick=True)
        for r in ratios:
            alpha = pb.alpha_max / r / 30
            cg, bg = glmnet_fit(pb, alpha, r)
            cl, bl = lpnet_fit(pb, alpha, r)
            gap = certify.rel_gap(pb.X, pb.y, pb.datafit, pb.f_null, cg, bg, alpha, r)
            gap_lp = certify.rel_gap(pb.X, pb.y, pb.datafit, pb.f_null, cl, bl, alpha, r)
            naive = ""
            if r < 1.0:
                # the same glmnet solution read as if lambda were lpnet's alpha and glmnet's alpha its l1_ratio
                lam, a = lpnet_to_glmnet(alpha, r, y_std=float(np.std(pb.y)))
                naive = f"{certify.rel_gap(pb.X, pb.y, 'squared', pb.f_null, cg, bg, lam, a):.1e}"
            print(
                f"| {name} | {r:g} | {alpha:.4g} | {np.max(np.abs(cg - cl)):.1e} | {np.max(np.abs(cl)):.3g} | "
                f"{abs(bg - bl):.1e} | {gap:.1e} | {gap_lp:.1e} | {naive} |"
            )


if __name__ == "__main__":
    main()
