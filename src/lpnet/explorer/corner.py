"""Where the slider puts ``w*`` on an axis of the view (a corner of the ball), and the slider's scale.

The page's "show me a corner" control asks :func:`corner` for a slider position; the position <-> value
mapping (:func:`slider_value`) is the page's, so the position found is the one the page then fits.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace

import numpy as np

from ..penalties import Lp
from .compute import SLIDER, InputError, Problem, model_data, path, solve_problem
from .problems import describe, make_problem, penalty_menu

CORNER_TRIES = 40  # candidate positions refitted by `corner` before it gives up
#: a slope at 0 that a kink of the penalty there absorbs (a subgradient), and a smooth one does not
CORNER_SLOPE = 1e-6


def slider_value(position, x_min, x_max, scale):
    """The alpha or radius at slider ``position`` (0..SLIDER); the page's mapping, in numpy."""
    t = np.asarray(position, dtype=np.float64) / SLIDER
    if scale == "log":
        return x_min * (x_max / x_min) ** t
    return x_max * t


def slider_position(value, x_min, x_max, scale):
    """The inverse of :func:`slider_value`, not rounded."""
    value = np.asarray(value, dtype=np.float64)
    if scale == "log":
        with np.errstate(divide="ignore"):
            return SLIDER * np.log(value / x_min) / np.log(x_max / x_min)
    return SLIDER * value / x_max


def has_corners(prob: Problem) -> bool:
    """Whether the penalty's ball has corners on the axes, where a coefficient is exactly zero.

    So it has where the subdifferential at 0 is more than ``{0}``: a small slope there is a subgradient
    (L1, the Elastic Net with ``l1_ratio > 0``, Lp with ``p <= 1``).  In constrained form the ball is
    the Lp ball, smooth on the axes for ``p > 1`` and ``p = inf``.
    """
    if math.isinf(prob.p):
        return False
    penalty = Lp(1.0, prob.p) if prob.constrained else prob.penalty_at(1.0)
    return bool(penalty.subdiff_distance(np.zeros(1), np.full(1, CORNER_SLOPE))[0] == 0.0)


def _with_corners(prob: Problem) -> Problem:
    """The first registered penalty, at its defaults and in ``prob``'s form, whose ball has corners."""
    for info in penalty_menu():
        if prob.constrained and not info.ball:
            continue
        other = make_problem(
            info.name,
            alpha=prob.alpha,
            radius=prob.radius,
            datafit=prob.datafit,
            datafit_params=dict(prob.datafit_params),
        )
        if has_corners(other):
            return other
    raise InputError("penalty", "no registered penalty has a ball with corners on the axes")


def _runs(flags, labels):
    """``(first, last)`` index pairs of the maximal runs of true ``flags`` with one ``labels`` value."""
    runs, k = [], 0
    while k < len(flags):
        if not flags[k]:
            k += 1
            continue
        j = k
        while j + 1 < len(flags) and flags[j + 1] and labels[j + 1] == labels[k]:
            j += 1
        runs.append((k, j))
        k = j + 1
    return runs


def corner(dataset, prob: Problem, features=None, view=None, cache=None, n_points=100) -> dict:
    """A slider position where ``w*`` sits on an axis of the view: one view coefficient exactly 0.

    The penalty is ``prob``'s when its ball has corners on the axes (:func:`has_corners`), else the
    first registered one whose ball has (L1), in the same form.  The path is scanned for runs of
    points with the same one view coefficient zero; positions in the widest run, from its middle
    outwards, are then fitted as
    :func:`~lpnet.explorer.compute.fit` does until one is on the axis (for a non-convex fit, the
    local solution reached from zero is the one the page shows, and the path's, warm-started, can
    differ).  The path has a point per slider position (``SLIDER + 1``), except in constrained form
    with ``p < 1``, where every radius is a slow local solve: there the page's coarse path is used,
    from ``cache`` with ``n_points``.

    Returns
    -------
    dict
        ``penalty``, ``p`` (the value of its exponent parameter, or None), ``params`` (its shape
        parameters), ``form``, ``position`` (0..SLIDER), ``value`` (the alpha or radius there),
        ``zero_feature``, ``axis_feature`` (the one w* lies along), ``low``/``high`` (the run's ends,
        as alpha or radius) and ``seconds``.

    Raises
    ------
    InputError
        On ``view`` when no position tried puts w* on an axis.
    """
    t0 = time.perf_counter()
    if not has_corners(prob):
        prob = _with_corners(prob)
    idx, view_idx, X, y = model_data(dataset, prob, features, view)
    names = [dataset.feature_names[j] for j in idx]
    points = n_points if prob.constrained and prob.p < 1.0 else SLIDER + 1
    if cache is None:
        found = path(dataset, prob, features, points)
    else:
        found = cache.get(dataset, prob, features, points)[0]
    rng = (found["x_min"], found["x_max"], found["scale"])
    order = np.argsort(found["x"], kind="stable")
    x = np.asarray(found["x"])[order]
    pos = slider_position(x, *rng)
    zero = np.asarray(found["coefs"])[order][:, view_idx] == 0.0
    runs = _runs(zero[:, 0] != zero[:, 1], zero[:, 1])
    runs.sort(key=lambda r: pos[r[1]] - pos[r[0]], reverse=True)
    lowest = 1 if prob.constrained else 0
    tried = 0
    for a, b in runs:
        middle = 0.5 * (pos[a] + pos[b])
        candidates = list(range(max(math.ceil(pos[a]), lowest), min(math.floor(pos[b]), SLIDER) + 1))
        candidates = candidates or [int(np.clip(round(middle), lowest, SLIDER))]  # a run between positions
        for position in sorted(candidates, key=lambda c: abs(c - middle))[: CORNER_TRIES - tried]:
            tried += 1
            value = float(slider_value(position, *rng))
            alpha, radius = (None, value) if prob.constrained else (value, None)
            w = solve_problem(X, y, replace(prob, alpha=alpha, radius=radius))["coef"][view_idx]
            if (w[0] == 0.0) != (w[1] == 0.0):
                z = 0 if w[0] == 0.0 else 1
                exponent = next((prm.name for prm in describe(prob.penalty).parameters if prm.exponent), None)
                return {
                    "penalty": prob.penalty,
                    "p": prob.shape.get(exponent),
                    "params": prob.shape,
                    "form": "constrained" if prob.constrained else "penalized",
                    "position": position,
                    "value": value,
                    "zero_feature": names[view_idx[z]],
                    "axis_feature": names[view_idx[1 - z]],
                    "low": float(x[a]),
                    "high": float(x[b]),
                    "seconds": time.perf_counter() - t0,
                }
    pair = " and ".join(names[j] for j in view_idx)
    raise InputError(
        "view",
        f"no {'radius' if prob.constrained else 'alpha'} on the slider puts w* on an axis "
        f"of {pair} with penalty {prob.penalty!r}: try another pair of features",
    )
