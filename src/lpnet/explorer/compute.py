"""What the explorer draws, computed with numpy and lpnet only (no web framework): fits, the loss on
a grid, the ball, the KKT arrows, paths and the local minima of non-convex fits.

Geometry
--------
The picture is the 2-D slice through the fitted ``w*`` along two chosen features (the "view"): the
other coefficients stay at their fitted values.  The loss drawn is the datafit with the intercept at
its best value for each ``w``, ``D(w) = min_b D(Xw + b)``: the intercept is never penalized, so this is
the function the penalty competes with, and at ``w*`` it equals the fitted ``D(w*, b*)`` with the same
gradient.  For the squared loss it is an exact quadratic in the two coordinates, drawn as ellipses
(:mod:`lpnet.explorer.ellipses`); for any other datafit it is computed on a grid and its level sets
traced (:mod:`lpnet.explorer.profiled`, :mod:`lpnet.explorer.contours`).

The ball is the set of slice points whose *full* coefficient vector has the same size as ``w*``:
``||w||_p = t`` with ``t`` the constrained radius, or ``||w*||_p`` in penalized form; for a penalty that
is no multiple of a norm's power (the Elastic Net) the level set of its penalty.  At a solution,
``-grad D(w*)`` equals ``multiplier * s`` for a subgradient ``s`` of the penalty (the normal of the
ball): both arrows are returned, in loss units, so the page can show them on top of each other (the
KKT conditions).

Penalties and datafits
----------------------
Every penalty of lpnet's registry is offered (:func:`~lpnet.explorer.problems.penalty_menu`), with its
shape parameters, and everything drawn comes from the penalty object: fits, values, subgradients
(from ``subdiff_distance``), convexity, and the ``exponent`` that decides between a norm ball (and a
constrained form) and level sets.  A penalty registered later needs no change here.  So is every
datafit with one coefficient per feature and a one-column target
(:func:`~lpnet.explorer.problems.datafit_menu`): the fits, paths, ``alpha_max``, the unpenalized fit,
the gradient arrow and the score come from the datafit object, and a data set goes with it when it
accepts the data set's target (:func:`model_data`).

Framing
-------
The window is centred on the origin (the ball's centre) and sized by the ball, not by the unpenalized
optimum (least squares for the squared loss): a strong penalty makes the ball small and far from that
optimum, and a window that held both would shrink the ball, and the corner the loss touches, to a dot.
The contours are chosen to cross this window: ellipses cut to it and finely sampled where they are
large, or lines traced on a grid over it, the one through ``w*`` moved onto its exact level, so it looks
smooth where it meets the ball.

Rounding
--------
Numbers that are zero in exact arithmetic come out of floating point as ``1e-15`` or ``-2e-16``: a
duality gap at an exact solution, R2 of the zero model, the loss gradient at the least-squares point.
Each is returned as 0 when it lies within the error bound of its own computation (``n * eps`` times
the size of the terms it sums), so the page shows neither negative gaps nor an arrow of rounding noise.
"""

from __future__ import annotations

import math
import threading
import time
import warnings
from collections import OrderedDict
from dataclasses import replace

import numpy as np
from numba import njit
from sklearn.exceptions import ConvergenceWarning

from .. import alpha_max, regularization_path
from ..geometry import lp_norm
from ..penalties import ElasticNet, Lp, Penalty
from ..solvers import solve
from .data import encoded_target, refusal
from .ellipses import CONTOUR_LEVELS, quadratic_picture
from .problems import InputError, Problem, datafit_menu, make_problem, penalty_menu
from .profiled import picture

#: the alpha slider and the penalized path span [ALPHA_LOW, ALPHA_HIGH] * alpha_max on a log scale:
#: the support changes below alpha_max, so the slider spends 97% of its travel there (and the last
#: 3% on the all-zero model)
ALPHA_LOW, ALPHA_HIGH = 1e-3, 1.2
#: the radius slider and the constrained path end a little beyond the least-squares solution's norm
RADIUS_HIGH = 1.2
#: slider positions run over 0..SLIDER (the radius slider from 1: radius 0 is no model)
SLIDER = 1000
BALL_POINTS = 360  # a multiple of 4, so the ball has points exactly on both axes
LEVEL_BISECTIONS = 64  # halvings of the bracket of a level set's ray: to rounding
#: a level set's rays are searched up to 2**LEVEL_DOUBLINGS times w*'s extent: a convex penalty's reach
#: at most twice it, one that levels off (MCP) would draw arms far beyond the window
LEVEL_DOUBLINGS = 2
CONSTRAINED_PATH_POINTS = 20  # p < 1 fits are slow; a coarse path is computed once and cached
#: the window's half-width over the ball's extent: the ball fills the middle half of the view, the
#: other half shows the contours coming in to touch it
FRAME = 2.0
EPS = float(np.finfo(np.float64).eps)
TOL = 1e-6  # the estimators' default: fits here equal Lasso(...).fit(...) and friends
# A gap pins the constrained solution, but its multiplier only to about sqrt(gap) (for p != 1): the
# page draws -grad D against multiplier * normal, so the constrained fits go further (a few ms more).
KKT_TOL = 1e-9


def resolve_features(dataset, features=None, view=None) -> tuple[list, list]:
    """``(model columns, the two view columns)`` as indices of ``dataset``, checked.

    ``features`` defaults to the data set's default features; ``view`` to the first two features.
    """
    names = list(dataset.default_features) if features is None else list(features)
    unknown = [n for n in names if n not in dataset.index]
    if unknown:
        raise InputError(
            "features",
            f"unknown features {unknown} for data set {dataset.name!r}; its features are {dataset.feature_names}",
        )
    if len(set(names)) != len(names):
        raise InputError("features", f"features must be distinct, got {names}")
    if len(names) < 2:
        raise InputError("features", f"choose at least 2 features to draw, got {names}")
    pair = names[:2] if view is None else list(view)
    if len(pair) != 2 or len(set(pair)) != 2 or any(n not in names for n in pair):
        raise InputError("view", f"view must be two distinct names among the features {names}, got {pair}")
    idx = [dataset.index[n] for n in names]
    return idx, [names.index(n) for n in pair]


def model_data(dataset, prob: Problem, features=None, view=None) -> tuple:
    """``(model columns, view columns, X, y)``: :func:`resolve_features` and the model's data, the target
    in the encoding of ``prob``'s datafit.

    Raises
    ------
    InputError
        On ``datafit`` when it does not accept the data set's target (the datafit's own reason).
    """
    idx, view_idx = resolve_features(dataset, features, view)
    datafit = prob.datafit_object()
    reason = refusal(dataset, datafit)
    if reason is not None:
        raise InputError(
            "datafit",
            f"datafit {prob.datafit!r} does not accept the target of data set {dataset.name!r}: {reason} "
            "Choose another data set or datafit.",
        )
    return idx, view_idx, dataset.X[:, idx], encoded_target(dataset, datafit)


# ----------------------------------------------------------------------------------------------------
# norms, balls, level sets and subgradients
# ----------------------------------------------------------------------------------------------------
def en_level(w, l1_ratio: float) -> float:
    """The Elastic Net penalty per unit alpha, ``sum_j rho |w_j| + (1 - rho)/2 w_j^2``: the size of its
    ball (a level set), as :func:`size_of` computes it for any penalty without a norm."""
    return ElasticNet(1.0, l1_ratio).value(w)


def _unit_circle(n=BALL_POINTS):
    theta = np.linspace(0.0, 2.0 * np.pi, n + 1)
    c, s = np.cos(theta), np.sin(theta)
    c[np.abs(c) < 1e-12] = 0.0  # exact zeros on the axes: |cos|^(2/p) must vanish there for any p
    s[np.abs(s) < 1e-12] = 0.0
    return c, s


@njit(cache=True, nogil=True)
def _coordinate_values(value, x, params):
    # the penalty of one coordinate (factor 1) at each x[k]: Penalty.value sums them
    out = np.empty(x.shape[0])
    for k in range(x.shape[0]):
        out[k] = value(x[k], 1.0, params.ctypes)
    return out


def level_set(penalty: Penalty, level: float, scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Closed curve of the points ``(a, b)`` with ``P_1(a) + P_1(b) = level``, ``P_1`` the penalty of
    one coordinate, within ``2**LEVEL_DOUBLINGS * scale`` of the origin.

    Along each ray from the origin the penalty grows with the distance, so the ray's point is found by
    bisection (after doubling ``scale`` until the level is passed): any separable penalty, no formula
    of its own.  A ray along which the penalty does not reach ``level`` in that reach (a penalty that
    levels off) has no point: NaN there.
    """
    c, s = _unit_circle()
    if level <= 0.0:
        return np.zeros_like(c), np.zeros_like(s)
    kernel, params = penalty.kernels.value, penalty.params
    along = np.concatenate([np.abs(c), np.abs(s)])
    n = c.shape[0]

    def sums(t):
        v = _coordinate_values(kernel, np.tile(t, 2) * along, params)
        return v[:n] + v[n:]

    def above(t):
        return sums(t) >= level

    high = np.full(n, scale if scale > 0.0 else 1.0)
    for _ in range(LEVEL_DOUBLINGS):
        short = ~above(high)
        if not short.any():
            break
        high[short] *= 2.0
    # the level comes from sums of the penalty's values, known to their rounding: a level at the top of a
    # penalty that levels off (SCAD with both coordinates on its flat part) may miss it by that much
    at_high = sums(high)
    top = float(at_high.max())
    if top < level <= top * (1.0 + 16.0 * np.finfo(np.float64).eps):
        level = top
    reached = at_high >= level
    low = np.zeros(n)
    for _ in range(LEVEL_BISECTIONS):
        mid = 0.5 * (low + high)
        up = above(mid)
        high, low = np.where(up, mid, high), np.where(up, low, mid)
    t = np.where(reached, high, np.nan)
    return t * c, t * s


def ball_points(prob: Problem, w, view, radius) -> tuple[np.ndarray, np.ndarray]:
    """Closed curve of the slice points ``(w_i, w_j)`` whose full vector has size ``radius``.

    ``radius`` is ``||w||_p`` (or, for a penalty without a norm, its value per unit alpha: :func:`size_of`)
    of the whole vector; the other coefficients of ``w`` take their part of it, so the curve passes through ``w*``
    whenever ``w*`` is on the ball.  Lp balls use the Lame parametrization
    ``(sgn c |c|^(2/p), sgn s |s|^(2/p))``, which resolves the spikes of ``p < 1`` where the polar one
    would not; ``p = inf`` gives a square; other penalties their :func:`level_set`.
    """
    w = np.asarray(w, dtype=np.float64)
    others = np.delete(w, view)
    p = prob.p
    if math.isnan(p):
        penalty, alpha = _drawn_penalty(prob)
        return level_set(penalty, radius * alpha - penalty.value(others), float(np.abs(w[view]).max()))
    c, s = _unit_circle()
    if math.isinf(p):
        r = radius if lp_norm(others, p) <= radius else 0.0
        return (
            r * np.array([1, 1, 0, -1, -1, -1, 0, 1, 1], dtype=np.float64),
            r * np.array([0, 1, 1, 1, 0, -1, -1, -1, 0], dtype=np.float64),
        )
    rest = np.sum((np.abs(others) / radius) ** p) if radius > 0 else 1.0
    r = radius * max(1.0 - rest, 0.0) ** (1.0 / p)
    return r * np.sign(c) * np.abs(c) ** (2.0 / p), r * np.sign(s) * np.abs(s) ** (2.0 / p)


def _drawn_penalty(prob: Problem) -> tuple[Penalty, float]:
    """The penalty whose level sets are drawn, and its alpha: ``prob``'s (MCP's shape changes with alpha),
    or its shape at alpha 1 where alpha is 0 and the penalty plays no part."""
    alpha = prob.alpha if prob.alpha else 1.0
    return prob.penalty_at(alpha), alpha


def size_of(prob: Problem, w) -> float:
    """``||w||_p``, or the penalty per unit alpha where it has no norm: the size of the ball through ``w``."""
    if not math.isnan(prob.p):
        return lp_norm(w, prob.p)
    penalty, alpha = _drawn_penalty(prob)
    return penalty.value(w) / alpha


def nearest_subgradient(penalty: Penalty, w, target) -> np.ndarray:
    """The element of the (limiting) subdifferential of ``penalty`` at ``w`` nearest ``target``.

    Read off :meth:`~lpnet.penalties.Penalty.subdiff_distance`: where ``w_j != 0`` the penalty is
    differentiable and grows with ``|w_j|``, so its slope is ``sign(w_j) dist(0, dP_j)``; at ``w_j = 0``
    the subdifferential is an interval symmetric about 0 (the whole line for ``p < 1``), whose point
    nearest ``target_j`` lies ``dist(target_j, dP_j)`` short of it.
    """
    w = np.asarray(w, dtype=np.float64)
    target = np.asarray(target, dtype=np.float64)
    slope = np.sign(w) * penalty.subdiff_distance(w, np.zeros_like(w))
    short = penalty.subdiff_distance(w, -target)
    return np.where(w == 0.0, np.sign(target) * np.maximum(np.abs(target) - short, 0.0), slope)


def penalty_normal(prob: Problem, w, grad, multiplier: float) -> np.ndarray:
    """The subgradient of the penalty at ``w`` nearest ``-grad``: equal to ``-grad`` at a solution, where
    the set has more than one element (a zero coefficient, a corner of the L-inf ball) as much as
    anywhere else.  In constrained form, ``multiplier`` times that of the ball's Lp penalty (the scaling
    of :class:`~lpnet.constrained.ConstrainedRegression`'s multiplier).
    """
    w = np.asarray(w, dtype=np.float64)
    g = np.asarray(grad, dtype=np.float64)
    if multiplier <= 0.0:
        return np.zeros_like(w)
    if not prob.constrained:
        return nearest_subgradient(prob.penalty_at(prob.alpha), w, -g)
    if math.isinf(prob.p):
        return multiplier * _linf_subgradient(w, -g / multiplier)
    return multiplier * nearest_subgradient(Lp(1.0, prob.p), w, -g / multiplier)


def _linf_subgradient(w, target) -> np.ndarray:
    """Element of the subdifferential of ``||.||_inf`` at ``w`` chosen to match ``target``."""
    a = np.abs(w)
    m = a.max(initial=0.0)
    if m == 0.0:  # the unit L1 ball: target itself when inside, else scaled onto it
        return target / max(1.0, float(np.abs(target).sum()))
    top = a >= m * (1.0 - 1e-9)
    lam = np.where(top, np.maximum(0.0, target * np.sign(w)), 0.0)
    lam = lam / lam.sum() if lam.sum() > 0 else top / top.sum()
    return lam * np.sign(w)


# ----------------------------------------------------------------------------------------------------
# fits
# ----------------------------------------------------------------------------------------------------
def _constrained():
    """``(ConstrainedRegression, LocalSolutionWarning)``, imported when the constrained form is asked for."""
    try:
        from ..constrained import ConstrainedRegression, LocalSolutionWarning
    except ImportError:
        raise InputError(
            "radius",
            "the constrained form needs lpnet.constrained, which this installation "
            "of lpnet does not have; give alpha instead",
        ) from None
    return ConstrainedRegression, LocalSolutionWarning


def _optional(value):
    return None if value is None else float(value)


def solve_problem(X, y, prob: Problem, w0=None, model=None) -> dict:
    """Fit ``prob`` on ``(X, y)``: the same call as the estimators make (so the same answer).

    ``w0`` warm-starts a penalized fit; ``model``, a ``ConstrainedRegression`` with ``warm_start=True``,
    is refitted at the new radius (constrained paths walk along the radii this way).

    Returns a dict with ``coef``, ``intercept``, ``multiplier``, ``dual_gap``, ``optimality_violation``,
    ``converged``, ``objective``, ``active`` and ``seconds`` (the solve alone).
    """
    with warnings.catch_warnings():
        # a fit short of tol is reported through `converged` and its certificate, not as a warning
        warnings.simplefilter("ignore", ConvergenceWarning)
        t0 = time.perf_counter()
        if prob.constrained:
            constrained, local_warning = _constrained()
            # p < 1 gives a local solution: the page says so with the optimality violation
            warnings.simplefilter("ignore", local_warning)
            if model is None:
                model = constrained(radius=prob.radius, p=prob.p, datafit=prob.datafit_object(), tol=KKT_TOL)
            model.set_params(radius=prob.radius)
            model.fit(X, y)
            seconds = time.perf_counter() - t0
            return {
                # a classifier's coefficients come as one row, its intercept as one entry
                "coef": np.ravel(np.asarray(model.coef_, dtype=np.float64)),
                "intercept": float(np.ravel(model.intercept_)[0]),
                "multiplier": float(model.multiplier_),
                "active": bool(model.active_),
                "dual_gap": _optional(model.dual_gap_),
                "optimality_violation": _optional(model.optimality_violation_),
                "converged": bool(model.converged_),
                "objective": float(model.objective_),
                "seconds": seconds,
            }
        res = solve(X, y, prob.datafit_object(), prob.penalty_at(prob.alpha), tol=TOL, w0=w0)
        seconds = time.perf_counter() - t0
    return {
        "coef": res.coef,
        "intercept": float(res.intercept),
        "multiplier": prob.alpha,
        "active": None,
        "dual_gap": _optional(res.dual_gap),
        "optimality_violation": _optional(res.optimality_violation),
        "converged": bool(res.converged),
        "objective": float(res.objective),
        "seconds": seconds,
    }


def _rounded(value, bound):
    """``value``, or 0.0 when it lies within ``bound``, the rounding error of its computation."""
    if value is None or not math.isfinite(value):
        return value
    return 0.0 if abs(value) <= bound else value


def frame(ball_x, ball_y, w_view, unconstrained) -> float:
    """Half-width of the square window, centred on the origin, that the page draws.

    ``FRAME`` times the ball's extent (which holds ``w*``, on or inside the ball); when the ball is a
    point (every coefficient zero), the least-squares point's extent instead, so the contours the
    zero model sits in are seen.
    """
    # a level set of a penalty that levels off has gaps (NaN)
    extent = max(np.nanmax(np.abs(ball_x), initial=0.0), np.nanmax(np.abs(ball_y), initial=0.0), np.abs(w_view).max())
    if extent == 0.0:
        extent = float(np.abs(unconstrained).max())
    return FRAME * extent if extent > 0.0 else 1.0


def r2_score(X, y, coef, intercept) -> float:
    resid = y - X @ coef - intercept
    tss = float(np.sum((y - y.mean()) ** 2))
    return 1.0 - float(resid @ resid) / tss if tss > 0 else float("nan")


def fit(dataset, prob: Problem, features=None, view=None, grid=61) -> dict:
    """Everything the page shows for one setting: the fit, its numbers and the geometry of the slice.

    Parameters
    ----------
    dataset : Dataset
    prob : Problem
        From :func:`make_problem`.
    features : list of str, optional
        The model's features (default: the data set's default features).
    view : list of 2 str, optional
        The slice's two features (default: the first two of ``features``).
    grid : int
        Points per side of the loss grid.

    Returns
    -------
    dict
        ``coef``, ``intercept``, ``multiplier``, ``dual_gap``, ``optimality_violation``, ``convex``
        (whether the problem is: else the fit is a local solution), ``n_zero``, ``zero_features``,
        ``score`` (the datafit's train score, named by ``score_label``: R2 for the squared loss, the
        accuracy, the deviance explained D2), ``r2`` (the squared loss's R2, else None), ``seconds`` (the
        solve), ``radius`` (the ball's size), ``grid`` (``w1``, ``w2``, ``loss[k][l]`` at ``(w1[l], w2[k])``),
        ``ball`` (``x``, ``y``), ``w_star``, ``gradient``, ``normal``, ``unconstrained`` (the slice's
        minimizer: least squares; NaN where the loss has none), ``contours`` (``x``, ``y`` and ``levels``:
        the exact ellipses of :func:`contour_lines` for the squared loss, else traced on a grid by
        :func:`lpnet.explorer.profiled.picture`) and ``solution_level`` (the level set through ``w*``).
    """
    idx, view_idx, X, y = model_data(dataset, prob, features, view)
    datafit = prob.datafit_object()
    out = solve_problem(X, y, prob)
    w, b = out["coef"], out["intercept"]
    names = [dataset.feature_names[j] for j in idx]
    radius = prob.radius if prob.constrained else size_of(prob, w)
    bx, by = ball_points(prob, w, view_idx, radius)

    def half_of(unconstrained):
        return frame(bx, by, w[view_idx], np.zeros(2) if unconstrained is None else unconstrained)

    if datafit.is_quadratic:
        geometry = quadratic_picture(X, y, w, view_idx, half_of)
    else:
        geometry = picture(X, y, datafit, w, view_idx, b, half_of, CONTOUR_LEVELS)
    half = geometry["half"]
    full_grad = geometry["full_gradient"]
    normal = penalty_normal(prob, w, full_grad, out["multiplier"])[view_idx]
    ticks = np.linspace(-half, half, grid)
    cx, cy, levels = geometry["contours"]
    sx, sy = geometry["solution_level"]
    zero = [names[j] for j in range(len(names)) if w[j] == 0.0]

    # rounding bounds (module docstring): n eps times the size of the n terms summed
    n = X.shape[0]
    bound = geometry["grad_bound"]
    g, normal = (np.zeros(2) if np.max(np.abs(v)) <= bound else v for v in (full_grad[view_idx], normal))
    if datafit.is_quadratic:
        yy = float(y @ y)  # not centred: a target far from 0 rounds at its own size
        tss = float(np.sum((y - y.mean()) ** 2))
        gap_bound = EPS * yy / 2.0
        r2 = _rounded(r2_score(X, y, w, b), n * EPS * yy / tss if tss > 0 else 0.0)
        score = r2
    else:
        gap_bound = n * EPS * abs(out["objective"])
        r2 = None
        score = float(np.ravel(datafit.validation_score(y, X @ w + b, np.ones(n)))[0])
    out.update(
        dual_gap=_rounded(out["dual_gap"], gap_bound),
        r2=r2,
        score=score,
        score_label=datafit.score_label,
        datafit=prob.datafit,
        datafit_params=dict(prob.datafit_params),
        convex=prob.p >= 1.0 if prob.constrained else prob.penalty_at(prob.alpha).is_convex,
        feature_names=names,
        view=[names[j] for j in view_idx],
        coef=w,
        n_zero=len(zero),
        zero_features=zero,
        radius=radius,
        loss_at_solution=geometry["loss_at_solution"],
        w_star=w[view_idx],
        gradient=g,
        normal=normal,
        unconstrained=geometry["unconstrained"],
        grid={"w1": ticks, "w2": ticks, "loss": geometry["grid"](ticks)},
        ball={"x": bx, "y": by},
        contours={"x": cx, "y": cy, "levels": levels},
        solution_level={"x": sx, "y": sy},
    )
    return out


# ----------------------------------------------------------------------------------------------------
# paths
# ----------------------------------------------------------------------------------------------------
def _least_squares(X, y) -> np.ndarray:
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    return np.linalg.lstsq(Xc, yc, rcond=None)[0]


def unpenalized(X, y, prob: Problem) -> np.ndarray:
    """The coefficients of the unpenalized fit (with its intercept): least squares, or for another datafit
    its damped Newton fit (:meth:`~lpnet.datafits.Datafit.free_fit`; where the classes separate, as far as
    its steps go towards the optimum at infinity)."""
    datafit = prob.datafit_object()
    if datafit.is_quadratic:
        return _least_squares(X, y)
    free = datafit.allows_intercept
    A = np.column_stack([np.ones(X.shape[0]), X]) if free else X
    return datafit.free_fit(A, y, np.ones(X.shape[0]), n_fixed=int(free))[int(free) :]


def _slider_range(X, y, prob: Problem) -> dict:
    """The slider's ``x_min``, ``x_max``, ``scale`` ("log" or "linear") and ``alpha_max`` (or None)."""
    if prob.constrained:
        r_ls = lp_norm(unpenalized(X, y, prob), prob.p)
        r_max = RADIUS_HIGH * r_ls if r_ls > 0 else 1.0
        return {"x_min": r_max / SLIDER, "x_max": r_max, "scale": "linear", "alpha_max": None}
    a_max = alpha_max(X, y, penalty=prob.penalty_at(1.0), datafit=prob.datafit_object())
    a_max = a_max if a_max > 0 else 1.0
    return {"x_min": ALPHA_LOW * a_max, "x_max": ALPHA_HIGH * a_max, "scale": "log", "alpha_max": a_max}


def slider_range(dataset, prob: Problem, features=None) -> dict:
    """What the alpha or radius slider spans for ``prob`` (its value does not matter, only the form).

    Penalized: ``ALPHA_LOW`` to ``ALPHA_HIGH`` times alpha_max on a log scale (the penalty's own, where
    it has a threshold at zero, else the L1 value: :func:`lpnet.alpha_max`).  Constrained: the radius,
    linear from ``x_max / SLIDER`` to ``RADIUS_HIGH`` times the unpenalized solution's norm (least squares
    for the squared loss: :func:`unpenalized`).  Cheap (one unpenalized fit at most), so the page can label
    and fit a new setting before its path is known.
    """
    _, _, X, y = model_data(dataset, prob, features)
    return _slider_range(X, y, prob)


def penalized_path(X, y, prob: Problem, n_points=100) -> dict:
    """Coefficients for ``n_points`` alphas from ``ALPHA_HIGH`` to ``ALPHA_LOW`` times alpha_max.

    With ``n_points = SLIDER + 1`` these are the alphas of the slider's positions, from the last down.
    """
    rng = _slider_range(X, y, prob)
    alphas = np.geomspace(rng["x_max"], rng["x_min"], n_points)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        path = regularization_path(
            X, y, penalty=prob.penalty_at(1.0), datafit=prob.datafit_object(), alphas=alphas, tol=TOL
        )
    return dict(rng, x=path.alphas, coefs=path.coefs, n_nonzero=path.n_nonzero, converged=path.converged)


def constrained_path(X, y, prob: Problem, n_points=100) -> dict:
    """Coefficients against the radius, from 0 to ``RADIUS_HIGH`` times ``||w_ls||_p`` (``w_ls``: the
    unpenalized fit, :func:`unpenalized`).

    For a convex finite ``p`` the penalized solutions are the constrained ones at radius
    ``||w(alpha)||_p``, so the (warm-started, certified) penalized path gives the curve; for ``p < 1``
    and ``p = inf`` the constrained problem is solved on an even grid of radii.
    """
    rng = _slider_range(X, y, prob)
    r_max = rng["x_max"]
    if 1.0 <= prob.p < math.inf:
        path = penalized_path(X, y, replace(prob, alpha=1.0, radius=None), n_points)
        radii = np.array([lp_norm(c, prob.p) for c in path["coefs"]])
        keep = radii <= r_max
        w_ls = unpenalized(X, y, prob)
        radii = np.concatenate([radii[keep], [lp_norm(w_ls, prob.p), r_max]])
        coefs = np.vstack([path["coefs"][keep], w_ls, w_ls])
        converged = np.concatenate([path["converged"][keep], [True, True]])
    else:
        radii = np.linspace(r_max / CONSTRAINED_PATH_POINTS, r_max, CONSTRAINED_PATH_POINTS)
        # each radius starts from the last fit
        model = _constrained()[0](p=prob.p, datafit=prob.datafit_object(), warm_start=True, tol=KKT_TOL)
        fits = [solve_problem(X, y, replace(prob, radius=float(r)), model=model) for r in radii]
        coefs = np.array([f["coef"] for f in fits])
        converged = np.array([f["converged"] for f in fits])
    order = np.argsort(radii, kind="stable")
    return dict(
        rng,
        x=radii[order],
        coefs=coefs[order],
        n_nonzero=np.count_nonzero(coefs[order], axis=1),
        converged=converged[order],
    )


def path(dataset, prob: Problem, features=None, n_points=100) -> dict:
    """The coefficient path of every model feature: against alpha (penalized ``prob``) or radius.

    The value of ``prob.alpha`` / ``prob.radius`` does not matter, only the form and the penalty.
    Returns ``x``, ``coefs`` (``n_points x n_features``), ``n_nonzero``, ``feature_names``,
    ``x_min``/``x_max``/``scale`` (the slider's range: :func:`slider_range`), ``alpha_max``,
    ``converged`` and ``seconds``.
    """
    idx, _, X, y = model_data(dataset, prob, features)
    t0 = time.perf_counter()
    out = constrained_path(X, y, prob, n_points) if prob.constrained else penalized_path(X, y, prob, n_points)
    out.update(
        feature_names=[dataset.feature_names[j] for j in idx],
        seconds=time.perf_counter() - t0,
        form="constrained" if prob.constrained else "penalized",
    )
    return out


class PathCache:
    """The last ``maxsize`` paths, keyed by (data set, features, datafit, penalty, shape, form, points).

    Dragging the alpha or radius slider leaves the key unchanged, so the path is computed once per
    penalty choice; the lock keeps two requests of the server's thread pool from computing one twice.
    """

    def __init__(self, maxsize=256):
        self.maxsize = maxsize
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, dataset, prob: Problem, features=None, n_points=100) -> tuple[dict, bool]:
        """``(path, was_cached)``."""
        names = tuple(dataset.default_features if features is None else features)
        choice = (prob.datafit, prob.datafit_params, prob.penalty, prob.params, prob.constrained)
        key = (dataset.name, names, *choice, n_points)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key], True
            result = path(dataset, prob, list(names), n_points)
            self._items[key] = result
            if len(self._items) > self.maxsize:
                self._items.popitem(last=False)
            return result, False


# ----------------------------------------------------------------------------------------------------
# local minima of p < 1
# ----------------------------------------------------------------------------------------------------
def multistart(dataset, prob: Problem, features=None, view=None, n_starts=20, seed=0) -> dict:
    """Solve a non-convex fit (Lp with ``p < 1``, say; penalized) from random starts; group equal answers.

    The starts are zero (where :func:`fit` starts), the unpenalized solution and ``n_starts - 2``
    points drawn uniformly from the box of 1.5 times its coefficients' sizes.  Two answers are the
    same minimum when their coefficients agree to 1e-4 relative to their size.

    Returns
    -------
    dict
        ``minima``: list sorted by objective, each with ``coef``, ``intercept``, ``objective``, ``w_view``
        (the two view coordinates), ``n_zero``, ``count`` (starts that ended there), ``converged`` and
        ``from_zero`` (the one :func:`fit` reports); plus ``n_starts`` and ``seconds``.
    """
    if prob.p >= 1.0 if prob.constrained else prob.penalty_at(prob.alpha).is_convex:
        shape = ", ".join(f"{key} = {value:g}" for key, value in prob.params)
        raise InputError(
            prob.params[0][0] if prob.params else "penalty",
            f"multi-start is for a non-convex penalty (Lp with p < 1, say), got penalty "
            f"{prob.penalty!r}" + (f" with {shape}" if shape else "") + ", which is convex",
        )
    if prob.constrained:
        raise InputError("radius", "multi-start runs the penalized form; give alpha instead of radius")
    idx, view_idx, X, y = model_data(dataset, prob, features, view)
    t0 = time.perf_counter()
    w_ls = unpenalized(X, y, prob)
    scale = np.maximum(np.abs(w_ls), 0.1 * max(float(np.abs(w_ls).max()), 1e-12))
    rng = np.random.default_rng(seed)
    starts = [None, w_ls] + [rng.uniform(-1.5, 1.5, X.shape[1]) * scale for _ in range(max(n_starts - 2, 0))]
    minima: list = []
    for k, w0 in enumerate(starts[:n_starts]):
        res = solve_problem(X, y, prob, w0=w0)
        w = res["coef"]
        for m in minima:
            if np.max(np.abs(m["coef"] - w)) <= 1e-4 * (1.0 + float(np.abs(w).max())):
                m["count"] += 1
                m["from_zero"] = m["from_zero"] or k == 0
                break
        else:
            minima.append(
                {
                    "coef": w,
                    "intercept": res["intercept"],
                    "objective": res["objective"],
                    "w_view": w[view_idx],
                    "n_zero": int(np.sum(w == 0.0)),
                    "count": 1,
                    "converged": res["converged"],
                    "from_zero": k == 0,
                }
            )
    minima.sort(key=lambda m: m["objective"])
    return {
        "minima": minima,
        "n_starts": len(starts[:n_starts]),
        "seconds": time.perf_counter() - t0,
        "feature_names": [dataset.feature_names[j] for j in idx],
    }


def warm_up(dataset, others=()) -> None:
    """Small fits and paths of every penalty, at its defaults and at the ends and middle of each
    parameter's slider (the kernels of Lp differ with p), so numba compiles before the first request:
    with the squared loss on ``dataset``, and with every other offered datafit (its solvers and their
    kernels differ) on the first of ``others`` whose target it accepts."""
    for info in penalty_menu():
        settings = [{}]
        for prm in info.parameters:
            values = prm.values or (prm.low, 0.5 * (prm.low + prm.high), prm.high)
            settings += [{prm.name: values[k]} for k in (0, len(values) // 2, -1)]
        for shape in settings:
            prob = make_problem(info.name, alpha=1.0, **shape)
            fit(dataset, prob, grid=5)
            path(dataset, prob, n_points=3)
    for family in datafit_menu():
        if not family.offered or family.quadratic:
            continue
        datafit = make_problem(penalty_menu()[0].name, alpha=1.0, datafit=family.name).datafit_object()
        taker = next((d for d in others if refusal(d, datafit) is None), None)
        if taker is None:
            continue
        # the solvers only: the slice of a non-quadratic datafit is numpy (nothing to compile), and it
        # costs a few tenths of a second per picture
        features = taker.default_features[:2]
        for info in penalty_menu():
            prob = make_problem(info.name, alpha=1.0, datafit=family.name)
            _, _, X, y = model_data(taker, prob, features)
            solve_problem(X, y, prob)
            path(taker, prob, features, n_points=3)
