"""lpnet through its solver API (stops when the duality gap <= tol * F_null)."""

from __future__ import annotations

NAME = "lpnet"
TOL_NOTE = "duality gap <= tol * F_null, F_null = ||y - mean(y)||^2 / (2n): tol is the relative gap"

try:
    import lpnet
    from lpnet.datafits import Quadratic
    from lpnet.penalties import L1, ElasticNet
    from lpnet.solvers import solve

    IMPORT_ERROR = None
except Exception as exc:  # pragma: no cover - reported by the runner
    IMPORT_ERROR = f"{type(exc).__name__}: {exc}"

#: the last FitResult, for diagnostics (iterations, gap history)
last_result = None


def version():
    return lpnet.__version__


def translate_tol(rel_gap_target, problem):
    return rel_gap_target


def fit(problem, alpha, l1_ratio, tol):
    global last_result
    penalty = L1(alpha) if l1_ratio == 1.0 else ElasticNet(alpha, l1_ratio)
    res = solve(problem.X, problem.y, Quadratic(), penalty, fit_intercept=True, tol=tol, max_iter=1000)
    last_result = res
    return res.coef, res.intercept
