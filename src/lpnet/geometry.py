"""Norms and Euclidean projections onto norm balls ``{x : ||x||_p <= t}``: the geometry below the models.

The estimators, the paths, the constrained models and the explorer all measure ``||w||_p`` and project
onto balls; this module holds that geometry once, with nothing above the penalties' scalar kernels, so
every layer can use it (:mod:`lpnet.constrained` re-exports the public names).

==============  ============================================================================
p = 1           sort-based (Duchi et al. 2008, weighted form): soft-thresholding at the level
                ``lam`` where the weighted norm of the result is exactly ``t``; O(n log n)
p = 2           scaling by ``t / ||v||_2``
p = inf         clipping to ``[-t, t]``
1 < p < inf     ``x_j = prox_{lam/p |.|^p}(v_j)``, ``lam`` the root of ``sum_j |x_j(lam)|^p = t^p``
                (safeguarded Newton in ``lam``; the scalar prox is lpnet's own Lp kernel)
0 < p < 1       the ball is not convex: a *local* projection (iteratively reweighted L1-ball
                projections), with a :class:`LocalSolutionWarning`
==============  ============================================================================

Why the 1 < p < inf rule: the projection minimizes ``1/2 ||x - v||^2`` subject to
``1/p sum_j |x_j|^p <= t^p / p``.  Its Lagrangian ``1/2 ||x - v||^2 + lam/p sum_j |x_j|^p`` separates, so
for a fixed multiplier ``lam >= 0`` every coordinate is the prox of ``lam/p |.|^p``; the KKT conditions
pick the ``lam`` at which the constraint is tight, and ``lam -> sum_j |x_j(lam)|^p`` is decreasing.

Every projection returns a point that is feasible up to rounding (the result is rescaled onto the ball
when rounding leaves it outside by a few ulps); a point already inside the ball is returned unchanged.
"""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np
from numba import njit

from .penalties.base import Penalty
from .penalties.prox import lp_prox_scalar

__all__ = [
    "LocalSolutionWarning",
    "check_ball_p",
    "check_radius",
    "lp_norm",
    "path_radii",
    "project_onto_ball",
    "projection_l1_ball",
    "projection_lp_ball",
    "rescale_onto_ball",
]

#: iterations of the reweighted L1 scheme of the local (p < 1) projection
LOCAL_MAX_ITER = 500


class LocalSolutionWarning(UserWarning):
    """The problem is non-convex (``p < 1``): the result is a local, not a global, solution."""


# --------------------------------------------------------------------------- validation
def _as_vector(v) -> np.ndarray:
    try:
        x = np.asarray(v, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"v must be a numeric array, got {type(v).__name__}.") from exc
    if not np.all(np.isfinite(x)):
        raise ValueError("v contains NaN or inf; project a finite vector.")
    return x


def check_radius(radius, allow_zero: bool = True) -> float:
    """A finite radius ``t >= 0`` (``t > 0`` with ``allow_zero=False``).

    Parameters
    ----------
    radius : float
    allow_zero : bool, default=True

    Returns
    -------
    float

    Raises
    ------
    TypeError
        When ``radius`` is not a finite real number.
    ValueError
        When it is negative (or zero with ``allow_zero=False``).
    """
    if isinstance(radius, bool) or not isinstance(radius, numbers.Real) or not np.isfinite(radius):
        raise TypeError(f"radius must be a finite real number, got {radius!r}; pass e.g. radius=1.0.")
    if radius < 0 or (radius == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(
            f"radius must be {bound}, got {radius}; the constraint is ||w||_p <= radius, so a "
            "positive radius is needed for any nonzero coefficient."
        )
    return float(radius)


def check_ball_p(p) -> float:
    """A norm exponent ``p > 0``, ``np.inf`` allowed (the box).

    Parameters
    ----------
    p : float or Penalty
        A penalty stands for its ``exponent``: the ball of ``L1`` is the L1 ball, that of ``Lp(alpha, p)``
        the Lp ball; a penalty that is not a multiple of a norm's power (Elastic Net, MCP, ...) has none.

    Returns
    -------
    float

    Raises
    ------
    TypeError
        When ``p`` is not a real number (or is NaN).
    ValueError
        When ``p <= 0``.
    """
    if isinstance(p, Penalty):
        if math.isnan(p.exponent):
            raise ValueError(
                f"{p.label} has no norm ball (it is not a multiple of ||w||_p^p); pass p=1.5, L1(...) or Lp(..., p)."
            )
        p = p.exponent
    if isinstance(p, bool) or not isinstance(p, numbers.Real) or np.isnan(p):
        raise TypeError(f"p must be a real number > 0 or np.inf, got {p!r}; pass e.g. p=1.5.")
    if p <= 0:
        raise ValueError(
            f"p must be > 0, got {p}; p=1 is the L1 ball, p=2 the Euclidean ball, "
            "p=np.inf the box, 0 < p < 1 non-convex."
        )
    return float(p)


def lp_norm(x, p: float, axis: int = -1):
    """``(sum_j |x_j|^p)^(1/p)`` along ``axis``, computed without overflow.

    Parameters
    ----------
    x : array-like
    p : float
        ``p > 0`` or ``np.inf`` (``max_j |x_j|``); a quasi-norm for ``p < 1``.
    axis : int, default=-1

    Returns
    -------
    float or ndarray
    """
    a = np.abs(np.asarray(x, dtype=np.float64))
    if np.isinf(p):
        return a.max(axis=axis, initial=0.0)
    if p == 1.0:
        return a.sum(axis=axis)
    if p == 2.0:
        return np.sqrt((a * a).sum(axis=axis))
    # divide by the largest entry first: |x_j|^p neither overflows nor underflows
    scale = a.max(axis=axis, keepdims=True, initial=0.0)
    ratio = np.divide(a, scale, out=np.zeros_like(a), where=scale > 0)
    return np.squeeze(scale, axis=axis) * (ratio**p).sum(axis=axis) ** (1.0 / p)


def path_radii(coefs, p) -> np.ndarray | float:
    """``||w||_p`` of each row of ``coefs``: the radii of a path's coefficients in the constrained form.

    Parameters
    ----------
    coefs : array-like of shape (n_alphas, n_features) or (n_features,)
        A path's ``coefs``, or one coefficient vector.
    p : float
        ``p > 0`` or ``np.inf`` (a quasi-norm for ``p < 1``).

    Returns
    -------
    ndarray of shape (n_alphas,), or a float for one coefficient vector.
    """
    r = lp_norm(np.asarray(coefs, dtype=np.float64), check_ball_p(p), axis=-1)
    return float(r) if np.ndim(r) == 0 else r


def rescale_onto_ball(x, t: float, p: float) -> np.ndarray:
    """``x`` scaled back onto the ball ``||x||_p <= t`` when rounding left it outside by a few ulps.

    Parameters
    ----------
    x : ndarray
        A point on the sphere up to rounding (any shape; treated as one vector).
    t : float
        The radius.
    p : float
        The norm exponent (``p > 0`` or ``np.inf``).

    Returns
    -------
    ndarray
        ``x`` itself when it is inside; else ``x`` times a factor just below ``t / ||x||_p``.
    """
    norm = lp_norm(x.ravel(), p)
    if norm > t:
        x = x * (t / norm)
        while lp_norm(x.ravel(), p) > t:  # at most a couple of ulps away
            x = x * (1.0 - 4.0 * np.finfo(np.float64).eps)
    return x


# --------------------------------------------------------------------------- p = 1
def projection_l1_ball(v, radius, weights=None) -> np.ndarray:
    """Euclidean projection onto the (weighted) L1 ball ``{x : sum_j c_j |x_j| <= radius}``.

    Parameters
    ----------
    v : array-like
        The point to project (any shape; treated as one vector).
    radius : float
        ``t >= 0``; ``t = 0`` sets every weighted coordinate to 0.
    weights : array-like of the shape of ``v``, optional
        ``c_j >= 0``, default all ones.  A zero weight leaves coordinate ``j`` free (``x_j = v_j``).

    Returns
    -------
    ndarray of the shape of ``v``
        ``x_j = sign(v_j) max(|v_j| - lam c_j, 0)`` with the smallest ``lam >= 0`` that makes ``x``
        feasible: ``v`` itself when it lies in the ball.

    Notes
    -----
    ``f(lam) = sum_j c_j max(|v_j| - lam c_j, 0)`` is piecewise linear and decreasing with breakpoints
    ``z_j = |v_j| / c_j``.  With the breakpoints sorted decreasingly and the partial sums
    ``S_k = sum_{i<=k} c_i |v_i|``, ``W_k = sum_{i<=k} c_i^2``, the root on the k-th piece is
    ``lam_k = (S_k - t) / W_k``; the pieces with ``z_k > lam_k`` form a prefix and the last of them
    holds the root (Duchi et al. 2008, with weights).  O(n log n).
    """
    x = _as_vector(v)
    t = check_radius(radius)
    a = np.abs(x).ravel()
    if weights is None:
        c = np.ones_like(a)
    else:
        c = np.asarray(weights, dtype=np.float64)
        if c.shape != x.shape:
            raise ValueError(f"weights has shape {c.shape} but v has shape {x.shape}; pass one weight per entry.")
        if not np.all(np.isfinite(c)) or np.any(c < 0):
            raise ValueError("weights must be finite and >= 0 (0 leaves a coordinate free).")
        c = c.ravel()
    if np.dot(c, a) <= t:
        return x.copy()
    out = _weighted_l1_projection(a, c, t)
    return (np.sign(x).ravel() * out).reshape(x.shape)


def _weighted_l1_projection(a, c, t):
    """Projection of ``a >= 0`` (outside the ball) onto ``{sum_j c_j x_j <= t}``; the moduli only."""
    out = a.copy()
    pen = (c > 0) & (a > 0)
    out[c > 0] = 0.0
    if t == 0.0:
        return out
    ap, cp = a[pen], c[pen]
    z = ap / cp
    order = np.argsort(-z, kind="stable")
    lam_k = (np.cumsum((cp * ap)[order]) - t) / np.cumsum((cp * cp)[order])
    # the largest z always qualifies (lam_1 = z_1 - t / c_1 < z_1), unless t is below its rounding
    above = np.flatnonzero(z[order] > lam_k)
    k = above[-1] if above.size else 0
    out[pen] = np.maximum(ap - lam_k[k] * cp, 0.0)
    # rounding can leave the weighted norm a few ulps above t
    excess = np.dot(c, out) / t
    if excess > 1.0:
        out[pen] /= excess
    return out


# --------------------------------------------------------------------------- 1 < p < inf
@njit(cache=True, nogil=True)
def _lp_ball_moduli(a, t, p):
    """``|x_j|`` of the projection of ``a >= 0`` (with ``||a||_p > t``) onto the Lp ball, 1 < p < inf.

    Safeguarded Newton on ``phi(lam) = sum_j u_j(lam)^p - t^p`` with ``u_j = prox_{lam/p |.|^p}(a_j)``:
    ``du_j/dlam = -u_j^(p-1) / (1 + lam (p-1) u_j^(p-2))`` (implicit differentiation of
    ``u + lam u^(p-1) = a``).  The bracket starts at ``[0, ||a||_q t^(1-p)]``: ``u_j <= (a_j/lam)^(1/(p-1))``
    makes ``phi <= 0`` at the upper end.  Bisection takes over whenever Newton leaves the bracket.
    """
    q = p / (p - 1.0)
    tp = t**p
    amax = a.max()
    lo = 0.0
    hi = amax * np.sum((a / amax) ** q) ** (1.0 / q) * t ** (1.0 - p)
    lam = 0.0
    u = a.copy()
    for _ in range(200):
        phi = -tp
        dphi = 0.0
        for j in range(a.shape[0]):
            u[j] = lp_prox_scalar(a[j], lam, p) if lam > 0.0 else a[j]
            if u[j] > 0.0:
                up1 = u[j] ** (p - 1.0)
                phi += u[j] * up1
                dphi -= p * up1 * up1 / (1.0 + lam * (p - 1.0) * u[j] ** (p - 2.0))
        if phi > 0.0:
            lo = lam
        else:
            hi = lam
        if abs(phi) <= 1e-15 * tp or hi - lo <= 1e-16 * hi:
            break
        step = lam - phi / dphi if dphi < 0.0 else -1.0
        lam = step if lo < step < hi else 0.5 * (lo + hi)
    return u


def projection_lp_ball(v, radius, p, *, start=None) -> np.ndarray:
    """Euclidean projection onto the Lp ball ``{x : ||x||_p <= radius}``, any ``p > 0`` or ``p = inf``.

    Parameters
    ----------
    v : array-like
        The point to project (any shape; treated as one vector).
    radius : float
        ``t >= 0``.
    p : float
        ``p >= 1`` (``np.inf`` included): the exact projection.  ``0 < p < 1``: the ball is not
        convex and the result is a *local* projection (a KKT point of the projection problem), with a
        :class:`LocalSolutionWarning`.
    start : array-like, optional
        Only for ``p < 1``: a feasible point; the returned point is then at least as close to ``v``.

    Returns
    -------
    ndarray of the shape of ``v``
        ``v`` itself when it lies in the ball.

    Notes
    -----
    For ``1 < p < inf`` the KKT conditions give ``x_j = prox_{lam/p |.|^p}(v_j)`` with the multiplier
    ``lam`` at which ``||x||_p = t``, found by safeguarded Newton (see the module docstring).

    For ``p < 1``, reweighted L1 (Yang et al. 2022): at a feasible ``x^k`` the concave ``|x_j|^p`` lies
    below its tangent, so the weighted L1 ball
    ``sum_j |x^k_j|^p + p |x^k_j|^(p-1) (|x_j| - |x^k_j|) <= t^p`` is inside the Lp ball and contains
    ``x^k``; projecting onto it never increases the distance to ``v``.  Coordinates at 0 stay at 0, so
    three starts are tried and the closest result kept: ``t v / ||v||_p`` (every coordinate nonzero), the
    1-sparse ``t sign(v_j) e_j`` at the largest ``|v_j|``, and ``start`` when given.
    """
    x = _as_vector(v)
    t = check_radius(radius)
    p = check_ball_p(p)
    if p < 1.0:
        warnings.warn(
            f"the L{p:g} ball is not convex: projection_lp_ball returns a local, not a global, projection.",
            LocalSolutionWarning,
            stacklevel=2,
        )
    return project_onto_ball(x, t, p, start)


def project_onto_ball(x, t, p, start=None) -> np.ndarray:
    """:func:`projection_lp_ball` without the checks and the warning: the solvers call it every step.

    Parameters
    ----------
    x : ndarray of float64
        The point to project (any shape; treated as one vector), finite.
    t : float
        The radius, already checked (``t >= 0``).
    p : float
        The norm exponent, already checked (``p > 0`` or ``np.inf``).
    start : array-like, optional
        Only for ``p < 1``: a feasible point the local projection should improve on.

    Returns
    -------
    ndarray of the shape of ``x``
        A copy of ``x`` when it lies in the ball.
    """
    if lp_norm(x.ravel(), p) <= t:
        return x.copy()
    if p == 1.0:
        return projection_l1_ball(x, t)
    if t == 0.0:
        return np.zeros_like(x)
    if np.isinf(p):
        return np.clip(x, -t, t)
    if p == 2.0:
        return rescale_onto_ball(x * (t / lp_norm(x.ravel(), 2.0)), t, p)
    a = np.abs(x).ravel()
    if p > 1.0:
        moduli = _lp_ball_moduli(a, t, p)
    else:
        moduli = _local_moduli(a, t, p, None if start is None else np.abs(np.asarray(start, dtype=np.float64)).ravel())
    return rescale_onto_ball(np.sign(x) * moduli.reshape(x.shape), t, p)


# --------------------------------------------------------------------------- 0 < p < 1 (local)
def _reweighted_l1(a, t, p, x):
    """Reweighted L1-ball projections of ``a`` from the feasible ``x`` (see :func:`projection_lp_ball`)."""
    tp = t**p
    for _ in range(LOCAL_MAX_ITER):
        support = x > 0
        xs = x[support]
        weights = p * xs ** (p - 1.0)
        level = tp - np.sum(xs**p) + np.dot(weights, xs)  # >= 0 because x is feasible
        new = np.zeros_like(x)
        new[support] = (
            _weighted_l1_projection(a[support], weights, level) if np.dot(weights, a[support]) > level else a[support]
        )
        moved = np.linalg.norm(new - x)
        x = new
        if moved <= 1e-13 * max(np.linalg.norm(x), 1e-300):
            break
    return x


def _local_moduli(a, t, p, start):
    starts = [a * (t / lp_norm(a, p))]
    sparse = np.zeros_like(a)
    sparse[np.argmax(a)] = t
    starts.append(sparse)
    if start is not None and start.shape == a.shape and lp_norm(start, p) <= t * (1 + 1e-12):
        starts.append(start)
    best, best_dist = None, math.inf
    for x0 in starts:
        x = _reweighted_l1(a, t, p, x0)
        dist = np.linalg.norm(x - a)
        if dist < best_dist:
            best, best_dist = x, dist
    return best
