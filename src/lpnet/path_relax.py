"""Relaxed fits: the unpenalized refit on a penalized fit's support, certified (glmnet's ``relax``).

A penalized fit ``(w_pen, b_pen)`` selects the support ``S = {j: w_pen_j != 0}``.  Its refit
``(w_refit, b_refit)`` minimizes the datafit alone, ``D(w, b)``, over the coefficients supported on ``S``
(and the intercept).  The relaxed fit of strength ``gamma`` in [0, 1] is the convex mix::

    w(gamma) = gamma * w_pen + (1 - gamma) * w_refit,    b(gamma) = gamma * b_pen + (1 - gamma) * b_refit

so ``gamma = 1`` is the penalized fit and ``gamma = 0`` the unshrunk refit on its support (glmnet's
``relax=TRUE`` with its ``gamma``, Meinshausen's relaxed Lasso in glmnet's parametrization).

Every refit is solved by :func:`lpnet.solvers.solve` with no penalty and certified by its own duality gap.
Squared loss: least squares on the support (the minimum-norm solution when the support's columns are
collinear or outnumber the samples).  Logistic loss: when the support's columns separate the two
classes, the unpenalized maximum-likelihood fit does not exist (the objective's infimum, 0, is reached
only at infinity); the refit then stops at the first point whose certified objective is within ``tol``
of that infimum, its coefficients grow as ``tol`` shrinks, and a ``UserWarning`` names the remedy.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ._validation import InvalidParameterError
from .datafits import Datafit
from .penalties import L2
from .solvers import solve

__all__ = ["Refit", "check_gamma", "mix", "refit_support", "relaxed_path_refits"]


@dataclass
class Refit:
    """The certified unpenalized refit on one support.

    Attributes
    ----------
    coef : ndarray of shape (n_features,)
        Zero off the support.
    intercept : float
    objective : float
        ``D(coef, intercept)``.
    dual_gap : float
        The refit's duality gap, in the objective's units; NaN where a box makes the violation certify it.
    converged : bool
        Whether the certificate reached ``tol`` (the gap relative to the intercept-only objective, or the
        violation).
    separated : bool
        Logistic loss: the support's columns separate the classes (the refit is a point near the
        infimum at infinity, not a maximum-likelihood estimate).
    """

    coef: np.ndarray
    intercept: float
    objective: float
    dual_gap: float
    converged: bool
    separated: bool = False
    #: the scale-free optimality violation with the box's normal cone (NaN where the gap certifies)
    optimality_violation: float = float("nan")


def check_gamma(gamma) -> float:
    """``gamma`` as a float in [0, 1], or a ValueError that says what it means."""
    try:
        value = float(gamma)
    except (TypeError, ValueError):
        value = float("nan")
    if isinstance(gamma, bool) or not 0.0 <= value <= 1.0:
        raise InvalidParameterError(
            f"gamma must lie in [0, 1] (1: the penalized fit, 0: the unpenalized refit on its support), got {gamma!r}."
        )
    return value


def mix(gamma: float, penalized, refit):
    """``gamma * penalized + (1 - gamma) * refit``, exact at both ends (no rounding at 0 or 1).

    Each entry lies between its two ends: a box holding both points holds the mix (a box is convex), and
    the clip undoes the rounding of the sum that could step one unit in the last place outside it.
    """
    penalized, refit = np.asarray(penalized, dtype=np.float64), np.asarray(refit, dtype=np.float64)
    if gamma == 1.0:
        return np.array(penalized)
    if gamma == 0.0:
        return np.array(refit)
    out = gamma * penalized + (1.0 - gamma) * refit
    return np.clip(out, np.minimum(penalized, refit), np.maximum(penalized, refit))


def refit_support(
    X,
    y,
    datafit: Datafit,
    support,
    *,
    sample_weight=None,
    fit_intercept=True,
    tol=1e-6,
    max_iter=100,
    warn=True,
    lower_bounds=None,
    upper_bounds=None,
) -> Refit:
    """Minimize ``D(w, b)`` over ``w`` supported on ``support`` (within the box, if given), with no penalty,
    and certify it.

    Parameters
    ----------
    X : ndarray or scipy.sparse matrix of shape (n_samples, n_features)
        Validated numeric data.
    y : ndarray of shape (n_samples,)
        The target in the datafit's encoding (-1/+1 labels for the logistic loss).
    datafit : Datafit
    support : ndarray of bool of shape (n_features,)
    sample_weight : ndarray of shape (n_samples,), optional
    fit_intercept : bool
    tol, max_iter : as in :func:`lpnet.solvers.solve`.
    warn : bool
        Warn when a logistic support separates the classes.
    lower_bounds, upper_bounds : ndarray of shape (n_features,), optional
        Checked bounds (``-inf`` / ``inf`` for an open side) of every feature; the support's hold the refit.

    Returns
    -------
    Refit
    """
    support = np.asarray(support, dtype=bool)
    columns = np.flatnonzero(support)
    # an empty support is the intercept-only model: one column of zeros poses exactly that problem
    Xs = X[:, columns] if columns.size else np.zeros((X.shape[0], 1))
    if sp.issparse(Xs):
        Xs = Xs.tocsc()
    free = L2(0.0)
    lower = np.full(X.shape[1], -np.inf) if lower_bounds is None else np.asarray(lower_bounds, dtype=np.float64)
    upper = np.full(X.shape[1], np.inf) if upper_bounds is None else np.asarray(upper_bounds, dtype=np.float64)
    if columns.size and (np.isfinite(lower[columns]).any() or np.isfinite(upper[columns]).any()):
        free = free.with_bounds(lower[columns], upper[columns])
    res = solve(
        Xs,
        y,
        datafit,
        free,
        sample_weight=sample_weight,
        fit_intercept=fit_intercept,
        tol=tol,
        max_iter=max_iter,
    )
    coef = np.zeros(X.shape[1])
    if columns.size:
        coef[columns] = res.coef
    separated = False
    if datafit.is_classifier and columns.size:
        z = np.asarray(Xs @ res.coef).ravel() + res.intercept
        # labels -1/+1: every sample on its side, and the box lets the coefficients grow along that ray
        # (a bound that stops them makes the minimum finite)
        w = np.asarray(res.coef)
        ray_open = np.all(
            np.where(w > 0, upper[columns] == np.inf, True) & np.where(w < 0, lower[columns] == -np.inf, True)
        )
        separated = bool(np.min(np.ravel(y) * z) > 0.0 and ray_open)
        if separated and warn:
            warnings.warn(
                f"the {columns.size} selected features separate the two classes: the unpenalized refit has no "
                "maximum-likelihood solution (its coefficients grow without bound as tol shrinks). Use a "
                "relaxed fit with gamma > 0 mixed towards the penalized fit, or a larger alpha.",
                UserWarning,
                stacklevel=3,
            )
    return Refit(
        coef=coef,
        intercept=float(res.intercept),
        objective=float(res.objective),
        dual_gap=float(res.dual_gap) if res.dual_gap is not None else float("nan"),
        converged=bool(res.converged),
        separated=separated,
        optimality_violation=float("nan") if res.optimality_violation is None else float(res.optimality_violation),
    )


def relaxed_path_refits(
    X,
    y,
    datafit: Datafit,
    coefs,
    *,
    sample_weight=None,
    fit_intercept=True,
    tol,
    max_iter,
    lower_bounds=None,
    upper_bounds=None,
):
    """The refit on each row's support of a path's ``coefs`` (n_alphas, n_features): one solve per
    distinct support, within the box ``lower_bounds`` / ``upper_bounds`` (checked arrays) when given.

    Returns
    -------
    dict
        ``relaxed_coefs`` (n_alphas, n_features), ``relaxed_intercepts``, ``relaxed_dual_gaps`` (NaN where a
        box on the support makes the optimality violation certify the refit), ``relaxed_converged`` and
        ``relaxed_separated`` (n_alphas,).
    """
    coefs = np.asarray(coefs)
    done: dict[bytes, Refit] = {}
    fits = []
    separated_supports = 0
    for row in coefs:
        support = row != 0
        key = np.packbits(support).tobytes()
        if key not in done:
            done[key] = refit_support(
                X,
                y,
                datafit,
                support,
                sample_weight=sample_weight,
                fit_intercept=fit_intercept,
                tol=tol,
                max_iter=max_iter,
                warn=False,
                lower_bounds=lower_bounds,
                upper_bounds=upper_bounds,
            )
            separated_supports += done[key].separated
        fits.append(done[key])
    if separated_supports:
        warnings.warn(
            f"{separated_supports} of the path's supports separate the two classes: their unpenalized refits "
            "have no maximum-likelihood solution (relaxed_separated marks them; their coefficients grow "
            "without bound as tol shrinks). Mix with gamma > 0, or stop the path at a larger alpha.",
            UserWarning,
            stacklevel=3,
        )
    return {
        "relaxed_coefs": np.array([f.coef for f in fits]).reshape(coefs.shape),
        "relaxed_intercepts": np.array([f.intercept for f in fits], dtype=np.float64),
        "relaxed_dual_gaps": np.array([f.dual_gap for f in fits], dtype=np.float64),
        "relaxed_converged": np.array([f.converged for f in fits], dtype=bool),
        "relaxed_separated": np.array([f.separated for f in fits], dtype=bool),
    }
