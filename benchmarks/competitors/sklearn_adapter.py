"""scikit-learn's Lasso / ElasticNet (cyclic coordinate descent with gap-based stopping).

scikit-learn minimizes ``n * P`` and stops when its gap ``<= tol * ||y_c||^2`` (``y_c``: centered y),
i.e. ``gap(P) <= tol * ||y_c||^2 / n = 2 tol F_null``: its ``tol = 5e-7`` is a relative gap of 1e-6.
Its dual point is the rescaled residual, like the benchmark's independent gap.
"""

from __future__ import annotations

from . import fit_lasso_or_enet

NAME = "scikit-learn"
TOL_NOTE = "gap of n*P <= tol * ||y_c||^2, i.e. relative gap <= 2 tol"

try:
    import sklearn
    from sklearn.linear_model import ElasticNet, Lasso

    IMPORT_ERROR = None
except Exception as exc:  # pragma: no cover
    IMPORT_ERROR = f"{type(exc).__name__}: {exc}"

MAX_ITER = 100_000


def version():
    return sklearn.__version__


def translate_tol(rel_gap_target, problem):
    return rel_gap_target / 2


def fit(problem, alpha, l1_ratio, tol):
    return fit_lasso_or_enet(Lasso, ElasticNet, problem, alpha, l1_ratio, tol=tol, max_iter=MAX_ITER)
