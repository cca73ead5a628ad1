"""skglm's Lasso / ElasticNet (working sets + Anderson-accelerated coordinate descent).

skglm stops on the largest KKT violation, ``max_j dist(-grad_j, d|w_j|...) <= tol`` in the units of the
gradient ``X^T (X w + b - y) / n``, not on a duality gap.  There is no exact gap translation: the
starting guess is the target times the gradient scale at the null model, ``tol = target * alpha_max``
(the scale-free violation lpnet uses for non-convex penalties), and the runner tightens it by 10x until
the independent gap reaches the target.
"""

from __future__ import annotations

from . import fit_lasso_or_enet

NAME = "skglm"
TOL_NOTE = "max KKT violation <= tol (gradient units), not a gap: tol found by tightening"

try:
    import skglm
    from skglm import ElasticNet, Lasso

    IMPORT_ERROR = None
except Exception as exc:  # pragma: no cover
    IMPORT_ERROR = f"{type(exc).__name__}: {exc}"

MAX_ITER = 1000
MAX_EPOCHS = 100_000


def version():
    return skglm.__version__


def translate_tol(rel_gap_target, problem):
    return rel_gap_target * problem.alpha_max


def fit(problem, alpha, l1_ratio, tol):
    return fit_lasso_or_enet(
        Lasso, ElasticNet, problem, alpha, l1_ratio, tol=tol, max_iter=MAX_ITER, max_epochs=MAX_EPOCHS
    )
