"""Moving between the penalized form (``alpha``) and the constrained form (``radius``).

For convex ``p >= 1`` the penalized solutions ``w(alpha)`` of ``D + alpha/p sum_j |w_j|^p`` and the
constrained solutions of ``min D s.t. ||w||_p <= t`` are the same family: ``t = ||w(alpha)||_p`` and
``alpha`` is the constraint's multiplier in penalty scaling.  ``t`` is non-increasing in ``alpha``.
With a box ``lower <= w <= upper`` on both forms the same holds, ``t`` falling to
``||clip(0, lower, upper)||_p`` (not 0) as ``alpha`` grows.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from .._validation import check_alpha, check_bounds, check_p, check_positive_int, check_tol
from ..fit_data import prepare_fit
from ..geometry import check_ball_p, check_radius, path_radii
from ..path import regularization_path
from ..penalties import Lp, Penalty
from ._solver import RadiusSearch

__all__ = ["alpha_for_radius", "radius_for_alpha"]


def _grid(values, check) -> tuple[np.ndarray, bool]:
    """The values as a checked float array, and whether a scalar was given."""
    flat = np.atleast_1d(np.asarray(values, dtype=object)).ravel()
    if flat.size == 0:
        raise ValueError("got an empty grid; pass one value or a non-empty list.")
    return np.array([check(v) for v in flat], dtype=np.float64), np.ndim(values) == 0


def _convex_p(p) -> float:
    p = check_p(check_ball_p(p) if isinstance(p, Penalty) else p)  # a penalty stands for its exponent
    if p < 1.0:
        raise ValueError(
            f"p must be >= 1 here, got {p}: for p < 1 the norm of the penalized solutions is "
            "not monotone in alpha, so the two forms do not correspond one to one."
        )
    return p


def radius_for_alpha(
    X,
    y,
    alpha,
    p=1.0,
    datafit="squared",
    fit_intercept=True,
    sample_weight=None,
    tol=1e-6,
    max_iter=100,
    *,
    lower_bounds=None,
    upper_bounds=None,
):
    """The radius ``t = ||w(alpha)||_p`` of the penalized solution, i.e. the constrained problem's radius.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    alpha : float or array-like of floats
        ``alpha >= 0`` of the penalty ``alpha/p sum_j |w_j|^p``; a grid is solved as one warm-started
        :func:`lpnet.regularization_path`.
    p : float or Penalty, default=1.0
        ``p >= 1`` and finite (``Lasso`` for 1, ``Ridge`` for 2); a penalty stands for its ``exponent``.
    datafit : {"squared", "logistic"}
    fit_intercept : bool
    sample_weight : array-like of shape (n_samples,), optional
    tol, max_iter : as :func:`lpnet.regularization_path` (every fit certified).
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), optional
        A box on the coefficients of the penalized fits (as :func:`lpnet.regularization_path`).

    Returns
    -------
    float or ndarray
        One radius per ``alpha``, in the order given.
    """
    p = _convex_p(p)
    alphas, scalar = _grid(alpha, check_alpha)
    order = np.argsort(-alphas, kind="stable")  # the path solves them in decreasing order
    path = regularization_path(
        X,
        y,
        penalty=Lp(1.0, p),
        datafit=datafit,
        alphas=alphas[order],
        fit_intercept=fit_intercept,
        sample_weight=sample_weight,
        tol=tol,
        max_iter=max_iter,
        lower_bounds=lower_bounds,
        upper_bounds=upper_bounds,
    )
    radii = np.empty(alphas.shape[0])
    radii[order] = path_radii(path.coefs, p)
    return float(radii[0]) if scalar else radii


def alpha_for_radius(
    X,
    y,
    radius,
    p=1.0,
    datafit="squared",
    fit_intercept=True,
    sample_weight=None,
    tol=1e-6,
    max_iter=100,
    *,
    lower_bounds=None,
    upper_bounds=None,
):
    """The ``alpha`` whose penalized solution has ``||w(alpha)||_p = radius`` (the constraint's multiplier).

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    radius : float or array-like of floats
        ``t > 0``.  A grid is solved in increasing order, each search warm-started by the previous ones.
    p : float or Penalty, default=1.0
        ``p >= 1`` and finite; a penalty stands for its ``exponent``.
    datafit : {"squared", "logistic"}
    fit_intercept : bool
    sample_weight : array-like of shape (n_samples,), optional
    tol : float
        Each answer is the multiplier of a constrained fit certified to ``tol`` (duality gap at most
        ``tol * D_null``, see :class:`ConstrainedRegression`).
    max_iter : int
        Most penalized fits per radius.
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), optional
        A box ``lower_j <= w_j <= upper_j`` on both forms (see :class:`ConstrainedRegression`); every
        radius must be at least ``||clip(0, lower, upper)||_p`` (a ValueError names it).

    Returns
    -------
    float or ndarray
        One ``alpha`` per radius, in the order given; 0.0 where the constraint is inactive (the radius
        exceeds the norm of the unconstrained solution).

    Notes
    -----
    ``alpha`` is found by a safeguarded secant search (see ``lpnet.constrained._solver``).  For ``p = 1``
    the Lasso path is piecewise linear in ``alpha``, so is its L1 norm: once two evaluations fall on the
    linear piece that holds the root (between two knots), the secant through them is the root exactly,
    and the result is verified by the constrained certificate.
    """
    p = _convex_p(p)
    tol, max_iter = check_tol(tol), check_positive_int(max_iter, "max_iter")
    radii, scalar = _grid(radius, lambda t: check_radius(t, allow_zero=False))
    data = prepare_fit(X, y, datafit, sample_weight, who="alpha_for_radius")
    lower = upper = None
    if lower_bounds is not None or upper_bounds is not None:
        n_features = data.X.shape[1]
        lower, upper = (
            np.broadcast_to(np.asarray(b, dtype=np.float64), (n_features,)).copy()
            for b in check_bounds(lower_bounds, upper_bounds, n_features)
        )
    search = RadiusSearch(
        data.X,
        data.y,
        data.sample_weight,
        data.datafit,
        p,
        fit_intercept=bool(fit_intercept),
        tol=tol,
        max_iter=max_iter,
        lower=lower,
        upper=upper,
    )
    alphas = np.empty(radii.shape[0])
    for i in np.argsort(radii, kind="stable"):
        fit = search.fit(radii[i])
        if not fit.converged:
            warnings.warn(
                f"alpha_for_radius: the fit at radius {radii[i]:g} did not reach tol={tol:g} "
                f"(duality gap {fit.dual_gap:.3e}); increase max_iter or loosen tol.",
                ConvergenceWarning,
                stacklevel=2,
            )
        alphas[i] = fit.multiplier
    return float(alphas[0]) if scalar else alphas
