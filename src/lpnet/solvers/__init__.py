"""Solvers: working-set coordinate descent, proximal Newton, FISTA and the direct ridge solve.

Each solver is one :class:`~.base.Solver` object that says which problems it can take (by asking the
datafit, the penalty and the data's layout, never their names) and solves them.  :func:`solve` takes the
one named by ``solver=``, or for ``"auto"`` the first in :data:`AUTO_ORDER` that can take the problem and
pays off on it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .._validation import check_positive_int, check_sample_weight, check_tol
from ..certificates import Certifier, coef_error_bound
from ..datafits.base import Datafit
from ..penalties.base import Penalty
from ._common import FitResult, finish, measure, require_interfaces
from ._design import Design, as_design, linear_predictor, take_rows
from .base import Layout, Problem, Solver
from .cd_gram import CD_GRAM
from .cd_working_set import CD
from .cox_cd import COX_CD
from .group_cd import GROUP_CD, is_grouped, refuse_groups
from .prox_grad import FISTA
from .prox_newton import PROX_NEWTON
from .ridge import DIRECT

SOLVERS = ("auto", "cd", "cd_gram", "prox_newton", "fista", "direct", "cox_cd", "group_cd")
#: the solver behind each name of ``SOLVERS`` but "auto"
BY_NAME: dict[str, Solver] = {
    solver.name: solver for solver in (CD, CD_GRAM, PROX_NEWTON, FISTA, DIRECT, COX_CD, GROUP_CD)
}
#: the order in which "auto" asks the solvers: the first that supports the problem and pays off on it
AUTO_ORDER: tuple[Solver, ...] = (DIRECT, CD_GRAM, CD, COX_CD, PROX_NEWTON)

__all__ = [
    "AUTO_ORDER",
    "BY_NAME",
    "Design",
    "FitResult",
    "Layout",
    "Problem",
    "SOLVERS",
    "Solver",
    "as_design",
    "certify",
    "linear_predictor",
    "pick_solver",
    "solve",
    "solve_along",
    "take_rows",
]


def solve(
    X: Any,
    y: Any,
    datafit: Datafit,
    penalty: Penalty,
    *,
    sample_weight: Any = None,
    fit_intercept: bool = True,
    tol: float = 1e-6,
    max_iter: int = 100,
    w0: Any = None,
    b0: float | None = None,
    solver: str = "auto",
    strong: np.ndarray | None = None,
    warm_grad: np.ndarray | None = None,
    gram: np.ndarray | None = None,
) -> FitResult:
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
    solver : {"auto", "cd", "cd_gram", "cox_cd", "prox_newton", "fista", "direct", "group_cd"}
        ``auto``: the direct solve for squared loss with a pure L2 penalty or none at all (``alpha = 0``:
        least squares, minimum-norm when singular; dense data, or sparse data with
        min(n_samples, n_features) <= 2000); Gram-matrix coordinate descent (``cd_gram``)
        for other convex squared-loss problems with every feature penalized, on dense data with
        ``n_samples >= 10 n_features`` and at most 2000 features; working-set coordinate descent
        (``cd``) for the remaining squared-loss problems; exact-Hessian coordinate descent
        (``cox_cd``) for a datafit with risk sets (Cox) under a convex penalty; proximal Newton for
        the other datafits (logistic, Poisson, Gamma, Tweedie, Huber).  A group penalty
        (:class:`~lpnet.penalties.SparseGroup`) is fitted by ``group_cd`` (block coordinate descent), the
        only solver that takes it.
    strong : ndarray of bool of shape (n_features,), optional
        A guess of the features that may be nonzero (a path's sequential strong set): the first
        working set of ``cd`` and ``prox_newton``; other solvers ignore it.  Never changes the answer.
    warm_grad : ndarray of shape (n_features,), optional
        ``X^T dD/dz`` at ``(w0, b0)`` when the caller has it (a path's previous fit): with ``strong``,
        ``cd`` and ``prox_newton`` start from it instead of a first certificate.
    gram : ndarray of shape (n_features, n_features), optional
        ``X^T diag(s) X`` (uncentred, ``s`` the sample weights rescaled to sum to ``n_samples``) when the
        caller has it: ``cd_gram`` then computes no column from ``X`` (the intercept's centring is applied
        here).  Other solvers ignore it; it is not checked against ``X``.

    Returns
    -------
    FitResult
        Emits a ``ConvergenceWarning`` (with the final gap or violation) when ``max_iter`` is reached.
    """
    require_interfaces(datafit, penalty)
    if solver not in SOLVERS:
        raise ValueError(f"solver must be one of {SOLVERS}, got {solver!r}.")
    design, y, s, fit_intercept, tol, max_iter = _checked(X, y, datafit, sample_weight, fit_intercept, tol, max_iter)
    if solver == "auto":
        chosen = _auto(Layout.of(design), datafit, penalty)
    else:
        chosen = BY_NAME[solver]
        reason = refuse_groups(chosen, penalty) or chosen.why_not(Layout.of(design), datafit, penalty)
        if reason is not None:
            raise ValueError(reason)
    problem = _problem(design, y, s, datafit, penalty, fit_intercept, tol, max_iter, w0, b0, strong, warm_grad, gram)
    return finish(chosen.solve(problem), penalty, max_iter, tol)


def _checked(X, y, datafit, sample_weight, fit_intercept, tol, max_iter) -> tuple:
    """``(design, y, s, fit_intercept, tol, max_iter)``: the inputs every solve checks."""
    design = as_design(X)  # a path passes the same Design for every alpha
    tol = check_tol(tol)
    max_iter = check_positive_int(max_iter, "max_iter", minimum=0)
    y = datafit.prepare_target(y)
    fit_intercept = fit_intercept and datafit.allows_intercept  # (Cox: D is blind to a constant in z)
    return design, y, check_sample_weight(sample_weight, design.shape[0]), fit_intercept, tol, max_iter


def _problem(
    design, y, s, datafit, penalty, fit_intercept, tol, max_iter, w0, b0, strong, warm_grad, gram=None, predicted=None
):
    """The :class:`Problem` of checked inputs, its warm start moved inside the penalty's box."""
    if penalty.is_bounded:  # a start inside the box (the point closest to 0 by default)
        w0 = penalty.project(np.zeros(design.shape[1]) if w0 is None else w0)
        if predicted is not None:  # (the box of the predicted coefficients)
            support, values, b = predicted
            lower, upper = penalty.bounds(design.shape[1])
            predicted = (support, np.clip(values, lower[support], upper[support]), b)
    return Problem(
        design, y, s, datafit, penalty, fit_intercept, tol, max_iter, w0, b0, strong, warm_grad, gram, predicted
    )


def solve_along(
    X: Any,
    y: Any,
    datafit: Datafit,
    *,
    sample_weight: Any = None,
    fit_intercept: bool = True,
    tol: float = 1e-6,
    max_iter: int = 100,
) -> Callable[..., FitResult]:
    """:func:`solve` for one data set at successive penalties (a path's alphas), as a function
    ``fit(penalty, w0=None, b0=None, strong=None, warm_grad=None, predicted=None) -> FitResult``
    (``solver="auto"``; ``predicted``: see :class:`~.base.Problem`).

    The data, target and weights are checked once, and a solver that can keep its set-up from one fit
    to the next (:meth:`~.base.Solver.session`: working-set coordinate descent, when a fit starts where
    the last one stopped) does so.  Each fit is the one :func:`solve` would return, up to rounding.
    """
    design, y, s, fit_intercept, tol, max_iter = _checked(X, y, datafit, sample_weight, fit_intercept, tol, max_iter)
    layout = Layout.of(design)
    sessions: dict[str, Callable[[Problem], FitResult]] = {}

    def fit(
        penalty: Penalty,
        w0: Any = None,
        b0: float | None = None,
        strong: np.ndarray | None = None,
        warm_grad: np.ndarray | None = None,
        predicted: tuple[np.ndarray, np.ndarray, float] | None = None,
    ) -> FitResult:
        require_interfaces(datafit, penalty)
        chosen = _auto(layout, datafit, penalty)
        problem = _problem(
            design, y, s, datafit, penalty, fit_intercept, tol, max_iter, w0, b0, strong, warm_grad, None, predicted
        )
        if chosen.name not in sessions:
            sessions[chosen.name] = chosen.session()
        return finish(sessions[chosen.name](problem), penalty, max_iter, tol)

    return fit


def certify(
    X: Any,
    y: Any,
    datafit: Datafit,
    penalty: Penalty,
    coef: Any,
    intercept: float,
    *,
    sample_weight: Any = None,
    fit_intercept: bool = True,
    tol: float = 1e-6,
) -> FitResult:
    """The certificate of a given point ``(coef, intercept)``, as a :class:`FitResult` with no iteration.

    For coefficients that were changed after a fit (rounded to float32, edited, loaded) and must be
    certified as they are.
    """
    require_interfaces(datafit, penalty)
    design = as_design(X)
    y = datafit.prepare_target(y)
    fit_intercept = fit_intercept and datafit.allows_intercept  # (Cox: D is blind to a constant in z)
    s = check_sample_weight(sample_weight, design.shape[0])
    w = np.array(coef, dtype=np.float64)
    b = float(intercept) if fit_intercept else 0.0
    cert = Certifier(design.X, y, s, datafit, penalty, fit_intercept, check_tol(tol), xt=design.xt, cache=design).check(
        w, b, design.predict(w, b)
    )
    return FitResult(
        coef=w,
        intercept=b,
        n_iter=0,
        objective=cert.objective,
        dual_gap=cert.gap,
        optimality_violation=cert.violation,
        converged=bool(cert.converged),
        solver="certify",
        history=[measure(cert)],
        grad=cert.grad,
        gap_floor=cert.floor,
        coef_error_bound=coef_error_bound(cert.gap, penalty, design.shape[1]),
    )


def pick_solver(X: Any, datafit: Datafit, penalty: Penalty, gram: bool | None = None) -> str:
    """The solver that ``solver="auto"`` stands for (see :func:`solve`).

    ``gram`` (scikit-learn's ``precompute``) overrides the shape rule for the Gram mode: True uses it
    wherever it applies (dense data, convex penalty on every feature), False never.
    """
    return _auto(Layout.of(X), datafit, penalty, gram).name


def _auto(layout: Layout, datafit: Datafit, penalty: Penalty, gram: bool | None = None) -> Solver:
    # the last of AUTO_ORDER (proximal Newton) takes every problem with a separable penalty; a group
    # penalty goes to group_cd, which says why when it cannot take the problem
    if is_grouped(penalty):
        reason = GROUP_CD.why_not(layout, datafit, penalty)
        if reason is not None:
            raise ValueError(reason)
        return GROUP_CD
    return next(
        solver
        for solver in AUTO_ORDER
        if solver.supports(layout, datafit, penalty) and solver.pays_off(layout, datafit, penalty, gram)
    )
