"""Solvers: working-set coordinate descent, proximal Newton, FISTA and the direct ridge solve.

:func:`solve` picks one by the problem's shape; each solver module handles one problem family.
"""
from __future__ import annotations

import scipy.sparse as sp

import numpy as np

from .._validation import check_positive_int, check_sample_weight, check_tol
from ..certificates import Certifier, coef_error_bound
from ..datafits.base import Datafit
from ..datafits.quadratic import Quadratic
from ..penalties.base import Penalty
from ._common import FitResult, require_interfaces, warn_not_converged
from ._design import Design, as_design
from .cd_working_set import solve_cd

SOLVERS = ("auto", "cd", "cd_gram", "prox_newton", "fista", "direct")

# The Gram (covariance) mode pays off when samples far outnumber features and G fits in memory.
GRAM_MIN_RATIO = 10
GRAM_MAX_FEATURES = 2000

__all__ = ["Design", "FitResult", "certify", "pick_solver", "solve", "solve_cd", "SOLVERS"]


def solve(X, y, datafit: Datafit, penalty: Penalty, *, sample_weight=None, fit_intercept=True,
          tol=1e-6, max_iter=100, w0=None, b0=None, solver="auto", strong=None, warm_grad=None) -> FitResult:
    """Minimize ``D(w, b) + P(w)`` and certify the answer.

    Parameters
    ----------
    X : ndarray, scipy.sparse matrix or Design of shape (n_samples, n_features)
        Validated numeric data (float32 or float64).  Pass one :class:`Design` to many calls on the
        same data (a path, a CV fold) to compute the data's set-up only once.
    y : ndarray of shape (n_samples,)
        Target in the datafit's encoding (-1/+1 labels for the logistic loss).
    datafit : Datafit
    penalty : Penalty
    sample_weight : array-like of shape (n_samples,), optional
        Rescaled internally to sum to ``n_samples``.
    fit_intercept : bool
        Fit an unpenalized intercept.
    tol : float
        Convex: stop when the duality gap is at most ``tol * F_null``; non-convex: when the scale-free
        optimality violation is at most ``tol``.
    max_iter : int
        Maximum number of outer iterations of the chosen solver.
    w0, b0 : optional warm start.
    solver : {"auto", "cd", "cd_gram", "prox_newton", "fista", "direct"}
        ``auto``: the direct solve for squared loss with a pure L2 penalty or none at all (``alpha = 0``:
        least squares, minimum-norm when singular; dense data, or sparse data with
        min(n_samples, n_features) <= 2000); Gram-matrix coordinate descent (``cd_gram``)
        for other convex squared-loss problems with every feature penalized, on dense data with
        ``n_samples >= 10 n_features`` and at most 2000 features; working-set coordinate descent
        (``cd``) for the remaining squared-loss problems; proximal Newton for the logistic loss.
    strong : ndarray of bool of shape (n_features,), optional
        A guess of the features that may be nonzero (a path's sequential strong set): the first
        working set of ``cd`` and ``prox_newton``; other solvers ignore it.  Never changes the answer.
    warm_grad : ndarray of shape (n_features,), optional
        ``X^T dD/dz`` at ``(w0, b0)`` when the caller has it (a path's previous fit): with ``strong``,
        ``cd`` and ``prox_newton`` start from it instead of a first certificate.

    Returns
    -------
    FitResult
        Emits a ``ConvergenceWarning`` (with the final gap or violation) when ``max_iter`` is reached.
    """
    require_interfaces(datafit, penalty)
    design = as_design(X)  # a path passes the same Design for every alpha
    X = design.X
    tol = check_tol(tol)
    max_iter = check_positive_int(max_iter, "max_iter", minimum=0)
    if solver not in SOLVERS:
        raise ValueError(f"solver must be one of {SOLVERS}, got {solver!r}.")
    y = datafit.prepare_target(y)
    s = check_sample_weight(sample_weight, X.shape[0])
    squared = isinstance(datafit, Quadratic)
    if solver == "auto":
        solver = pick_solver(X, datafit, penalty)
    kwargs = dict(fit_intercept=fit_intercept, tol=tol, max_iter=max_iter, w0=w0, b0=b0)
    if solver == "cd":
        if not squared:
            raise ValueError("solver='cd' handles the squared loss; use 'prox_newton' for the logistic loss.")
        result = solve_cd(design, y, s, penalty, strong=strong, warm_grad=warm_grad, **kwargs)
        if result.budget_exhausted and penalty.convex:  # crawling: the full gradient does better there
            from .prox_grad import solve_fista

            kwargs.update(w0=result.coef, b0=result.intercept)
            passes = result.n_iter
            result = solve_fista(X, y, s, datafit, penalty, **kwargs)
            result.n_iter += passes
    elif solver == "cd_gram":
        if not (squared and _gram_applies(X, penalty)):
            raise ValueError(
                "solver='cd_gram' handles the squared loss on dense data with a convex penalty on every "
                "feature (alpha > 0, no zero penalty_factor); use solver='cd'."
            )
        from .cd_gram import solve_cd_gram

        result = solve_cd_gram(design, y, s, penalty, **kwargs)
        if not result.converged:  # not within max_iter blocks: go on with the residual form
            kwargs.update(w0=result.coef, b0=result.intercept)
            gram_epochs = result.n_iter
            result = solve_cd(design, y, s, penalty, **kwargs)
            result.n_iter += gram_epochs
    elif solver == "prox_newton":
        from .prox_newton import solve_prox_newton

        result = solve_prox_newton(design, y, s, datafit, penalty, strong=strong, warm_grad=warm_grad, **kwargs)
    elif solver == "fista":
        from .prox_grad import solve_fista

        result = solve_fista(X, y, s, datafit, penalty, **kwargs)
    else:
        if not (squared and _is_quadratic(penalty, X.shape[1])):
            raise ValueError("solver='direct' solves the squared loss with a pure L2 penalty (or none) only.")
        from .ridge import solve_ridge

        result = solve_ridge(X, y, s, penalty, fit_intercept=fit_intercept, tol=tol)
    if not (np.all(np.isfinite(result.coef)) and np.isfinite(result.intercept)):
        raise ValueError(
            f"{result.solver} produced non-finite coefficients: the problem is beyond float64 at this scale "
            "(features with a huge mean beside a tiny spread, or values near the float range's ends). "
            "Rescale X and y (e.g. standardize them) and fit again."
        )
    result.coef_error_bound = coef_error_bound(result.dual_gap, penalty, X.shape[1])
    warn_not_converged(result, max_iter, tol)
    return result


def certify(X, y, datafit: Datafit, penalty: Penalty, coef, intercept, *, sample_weight=None,
            fit_intercept=True, tol=1e-6) -> FitResult:
    """The certificate of a given point ``(coef, intercept)``, as a :class:`FitResult` with no iteration.

    For coefficients that were changed after a fit (rounded to float32, edited, loaded) and must be
    certified as they are.
    """
    require_interfaces(datafit, penalty)
    design = as_design(X)
    y = datafit.prepare_target(y)
    s = check_sample_weight(sample_weight, design.shape[0])
    w = np.array(coef, dtype=np.float64)
    b = float(intercept) if fit_intercept else 0.0
    cert = Certifier(design.X, y, s, datafit, penalty, fit_intercept, check_tol(tol), xt=design.xt,
                     cache=design).check(w, b, design.predict(w, b))
    return FitResult(
        coef=w, intercept=b, n_iter=0, objective=cert.objective, dual_gap=cert.gap,
        optimality_violation=cert.violation, converged=bool(cert.converged), solver="certify",
        history=[cert.gap if cert.gap is not None else cert.violation], grad=cert.grad, gap_floor=cert.floor,
        coef_error_bound=coef_error_bound(cert.gap, penalty, design.shape[1]),
    )


def pick_solver(X, datafit: Datafit, penalty: Penalty, gram: bool | None = None) -> str:
    """The solver that ``solver="auto"`` stands for (see :func:`solve`).

    ``gram`` (scikit-learn's ``precompute``) overrides the shape rule for the Gram mode: True uses it
    wherever it applies (dense data, convex penalty on every feature), False never.
    """
    if not isinstance(datafit, Quadratic):
        return "prox_newton"
    if _is_quadratic(penalty, X.shape[1]) and _direct_pays_off(X):
        return "direct"
    if _gram_applies(X, penalty) and (gram if gram is not None else _gram_pays_off(X)):
        return "cd_gram"
    return "cd"


def _is_quadratic(penalty: Penalty, n_features: int) -> bool:
    # no penalized feature at all (alpha = 0, or every factor 0) is least squares: 0 is quadratic too
    return bool(penalty.quadratic or not penalty.is_penalized(n_features).any())


def _gram_applies(X, penalty: Penalty) -> bool:
    return not sp.issparse(X) and penalty.convex and bool(penalty.is_penalized(X.shape[1]).all())


def _gram_pays_off(X) -> bool:
    n_samples, n_features = X.shape
    return n_features <= GRAM_MAX_FEATURES and n_samples >= GRAM_MIN_RATIO * n_features


def _direct_pays_off(X) -> bool:
    # dense: always; sparse: while the smaller of the two Gram matrices stays small
    return not sp.issparse(X) or min(X.shape) <= 2000
