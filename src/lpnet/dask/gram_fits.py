"""Certified fits of the squared loss from sufficient statistics: one alpha, a warm-started path, every
fold of a K-fold cross-validation, without the data.

A :class:`~lpnet.solvers.cd_gram.GramState` built from the statistics of some rows
(:func:`lpnet.dask.stats.gram_state`) is solved by lpnet's compiled Gram coordinate descent (L2: the
linear system; with a box: :mod:`lpnet.dask.box`), each fit certified by the Gram duality gap against
``tol`` times the intercept-only objective.  What the one-pass estimators of :mod:`lpnet.dask.linear`
and the command line's out-of-core route share.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..certificates import gram_certificate
from ..path import alpha_grid, decreasing_alphas
from ..penalties import L2, Penalty
from ..solvers.cd_gram import GramState, gram_path
from .box import boxed_alpha_max, solve_box
from .stats import Moments, gram_state


@dataclass
class PathFit:
    """One certified fit of a path solved from statistics."""

    coef: np.ndarray
    intercept: float
    dual_gap: float
    objective: float
    n_iter: int
    converged: bool


def solve_statistics(state: GramState, penalties: list[Penalty], tol: float, max_iter: int) -> list[PathFit]:
    """Certified fits of ``penalties`` (decreasing alphas of one family) on a Gram state, warm-started.

    L2 solves the linear system ``(G + alpha V) w = c``; the others run :func:`gram_path` and go on from
    a fit that did not converge within ``max_iter`` blocks with the next alpha.  The certificate is the
    Gram duality gap, against ``tol`` times the intercept-only objective.
    """
    threshold = tol * 0.5 * state.yy
    p = state.c.shape[0]
    if penalties[0].is_bounded:  # coordinate descent in the box, certified by the boxed Gram gap
        fits, w0 = [], None
        for pen in penalties:
            w, gap, objective, n_iter, converged = solve_box(state, pen, tol, max_iter, w0)
            fits.append(PathFit(w, state.intercept(w), gap, objective, n_iter, converged))
            w0 = w
        return fits
    if isinstance(penalties[0], L2):
        fits = []
        for pen in penalties:
            w = np.linalg.solve(state.G + pen.alpha * np.diag(pen.penalty_factors(p)), state.c)
            w[state.constant] = 0.0
            gap, objective, _ = gram_certificate(pen, w, state.c, state.c - state.G @ w, state.yy)
            fits.append(PathFit(w, state.intercept(w), gap, objective, 1, gap <= max(threshold, 0.0)))
        return fits
    run_tol = max(tol, state.min_tol)
    fits, w0, rest = [], None, list(penalties)
    while rest:
        out = gram_path(state, rest, run_tol, max_iter, w0=w0)
        for f in out:
            fits.append(PathFit(f.coef, f.intercept, f.dual_gap, f.objective, f.n_iter, f.dual_gap <= threshold))
        rest = rest[len(out) :]
        w0 = out[-1].coef
    return fits


def lasso_scale(state: GramState) -> float:
    """``max_j |x_j^T (y - ybar)| / sum s``: the Lasso's alpha_max, the scale of every default grid."""
    return float(np.max(np.abs(state.c), initial=0.0))


def grid_of(alphas, n_alphas, eps, state: GramState, template: Penalty) -> np.ndarray:
    """The given ``alphas`` sorted decreasing, or a grid from the penalty's ``alpha_max`` (with a box:
    at the box's point closest to 0, see :func:`lpnet.dask.box.boxed_alpha_max`)."""
    if alphas is not None and not isinstance(alphas, numbers.Integral):
        return decreasing_alphas(alphas)
    return alpha_grid(alpha_max_of(template, state), n_alphas if alphas is None else alphas, eps)


def alpha_max_of(template: Penalty, state: GramState) -> float:
    """The scale of the default grid: the boxed ``alpha_max`` with a box, else the Lasso's divided by the
    penalty's l1_ratio (its ``alpha_max`` for the L1 and Elastic Net penalties)."""
    if template.is_bounded:
        return boxed_alpha_max(template, state)
    rho = getattr(template, "l1_ratio", 1.0) or 1.0  # (the Lasso's scale for an L1-free penalty)
    return lasso_scale(state) / rho


def cross_validate(
    folds: Moments,
    make: Callable[[float, float], Penalty],
    grids: list,
    ratios: list,
    fit_intercept: bool,
    tol: float,
    max_iter: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Every fold's path solved from the other folds' merged statistics and scored on its own.

    Parameters
    ----------
    folds : Moments
        One block per fold (:func:`~lpnet.dask.stats.chunk_moments` with ``n_folds``).
    make : callable
        ``make(alpha, l1_ratio)``: the penalty of a fit.
    grids : list of ndarray
        The decreasing alphas of each l1_ratio, all of one length.
    ratios : list of float
        The l1_ratios (``[1.0]`` for a single family).
    fit_intercept, tol, max_iter
        As the estimators'.

    Returns
    -------
    losses, gaps : ndarray of shape (n_ratios, n_folds, n_alphas)
        The held-out mean squared errors and the duality gaps of the training fits.
    """
    n_folds = folds.weight.shape[0]
    losses = np.empty((len(ratios), n_folds, len(grids[0])))
    gaps = np.empty_like(losses)
    for k in range(n_folds):
        state = gram_state(folds.total(skip=k), fit_intercept)
        held_out = folds.block(k)
        for i, r in enumerate(ratios):
            fits = solve_statistics(state, [make(float(a), r) for a in grids[i]], tol, max_iter)
            losses[i, k] = held_out.mean_squared_error(
                np.array([f.coef for f in fits]), np.array([f.intercept for f in fits])
            )
            gaps[i, k] = [f.dual_gap for f in fits]
    return losses, gaps
