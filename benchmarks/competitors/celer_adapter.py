"""celer's Lasso / ElasticNet (working sets + dual extrapolation).

celer stops when its gap ``<= tol * ||y||^2 / n`` on the ``1/(2n)`` objective; its scikit-learn wrapper
centers ``y`` before the solver sees it when ``fit_intercept=True``, so this is ``2 tol F_null``: its
``tol = 5e-7`` is a relative gap of 1e-6.  Its dual point is the extrapolated residual (usually better than
the rescaled residual the independent gap uses).
"""

from __future__ import annotations

from . import fit_lasso_or_enet

NAME = "celer"
TOL_NOTE = "gap <= tol * ||y_c||^2 / n (y centered by the wrapper), i.e. relative gap <= 2 tol"

try:
    import celer
    from celer import ElasticNet, Lasso

    IMPORT_ERROR = None
except Exception as exc:  # pragma: no cover
    IMPORT_ERROR = f"{type(exc).__name__}: {exc}"

MAX_ITER = 1000
MAX_EPOCHS = 100_000


def version():
    return celer.__version__


def translate_tol(rel_gap_target, problem):
    return rel_gap_target / 2


def fit(problem, alpha, l1_ratio, tol):
    return fit_lasso_or_enet(
        Lasso, ElasticNet, problem, alpha, l1_ratio, tol=tol, max_iter=MAX_ITER, max_epochs=MAX_EPOCHS
    )
