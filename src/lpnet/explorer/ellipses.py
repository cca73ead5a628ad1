"""The squared loss in the explorer's slice: an exact quadratic, whose level sets are ellipses.

The loss drawn is ``D(w) = min_b 1/(2n) ||y - Xw - b||^2``, the intercept at its best value for each
``w``; in the 2-D slice through ``w*`` it is a quadratic in the two view coefficients, so its contours
are drawn exactly: ellipses around its minimizer, cut to the window and sampled in proportion to their
size, so that the level set through ``w*`` still looks smooth where it meets the ball.  Other datafits
are drawn by :mod:`lpnet.explorer.profiled`.
"""

from __future__ import annotations

import math

import numpy as np

CONTOUR_LEVELS = 14
ELLIPSE_POINTS = 81  # per ellipse as large as the window; larger ones get proportionally more
ELLIPSE_POINTS_MAX = 20_000
EPS = float(np.finfo(np.float64).eps)


def profile_loss(X, y, w) -> tuple[float, np.ndarray]:
    """``D(w) = min_b 1/(2n)||y - Xw - b||^2`` and its gradient ``-Xc^T r / n``."""
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    r = yc - Xc @ w
    n = X.shape[0]
    return float(r @ r) / (2 * n), -(Xc.T @ r) / n


def slice_geometry(X, y, w, view):
    """The loss of the 2-D slice through ``w`` along ``view``, an exact quadratic.

    Returns ``(loss_at_w, gradient (2,), unconstrained optimum (2,), Hessian G (2, 2),
    function (w1, w2) -> loss)``.
    """
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    n = X.shape[0]
    r = yc - Xc @ w
    V = Xc[:, view]
    g = -(V.T @ r) / n
    G = (V.T @ V) / n
    d0 = float(r @ r) / (2 * n)
    # minimizer of the slice: w_view + d with G d = -g (least norm when the two columns are collinear)
    d = np.linalg.lstsq(G, -g, rcond=None)[0]

    def loss(w1, w2):
        d1, d2 = w1 - w[view[0]], w2 - w[view[1]]
        return d0 + g[0] * d1 + g[1] * d2 + 0.5 * (G[0, 0] * d1 * d1 + 2 * G[0, 1] * d1 * d2 + G[1, 1] * d2 * d2)

    return d0, g, w[view] + d, G, loss


def _window_range(center, G, half) -> tuple[float, float]:
    """Smallest and largest ``1/2 (w - center)^T G (w - center)`` over the window ``[-half, half]^2``."""

    def q(point):
        d = np.asarray(point, dtype=np.float64) - center
        return 0.5 * float(d @ G @ d)

    high = max(q((a, b)) for a in (-half, half) for b in (-half, half))  # a convex function peaks at a vertex
    if np.all(np.abs(center) <= half):
        return 0.0, high
    low = math.inf
    for axis in (0, 1):  # on each edge: a quadratic in the free coordinate, minimized in closed form
        free = 1 - axis
        for edge in (-half, half):
            point = np.empty(2)
            point[axis] = edge
            slope = G[axis, free] / G[free, free] if G[free, free] > 0 else 0.0
            point[free] = np.clip(center[free] - slope * (edge - center[axis]), -half, half)
            low = min(low, q(point))
    return low, high


def _crop(x, y, half):
    """The parts of a closed curve inside the window, separated by NaN.

    Each part keeps one point beyond the edge on either side, so its line runs to the window's edge.
    """
    inside = (np.abs(x) <= half) & (np.abs(y) <= half)
    keep = inside | np.roll(inside, 1) | np.roll(inside, -1)
    # one NaN where each kept run ends: a dropped point that follows a kept one
    mark = keep | np.concatenate([[False], keep[:-1]])
    return np.where(keep, x, np.nan)[mark], np.where(keep, y, np.nan)[mark]


def contour_lines(loss, center, G, half, levels=None):
    """Level sets of the slice's quadratic loss, exactly: ellipses around its minimizer ``center``.

    ``loss(w1, w2) = loss(center) + 1/2 (w - center)^T G (w - center)``, so the level ``L`` is the
    ellipse ``center + Q diag(sqrt(2 (L - min) / lambda)) (cos t, sin t)`` with ``G = Q diag(lambda) Q^T``.
    ``levels`` defaults to ``CONTOUR_LEVELS`` values evenly spaced in ``sqrt(loss - min)`` (evenly
    spaced in distance from the minimizer) over the values the loss takes in the ``[-half, half]^2``
    view, so they cross the view also when the minimizer lies far outside it.  Each ellipse is cut
    to the view and sampled in proportion to its size, so a large one is smooth where it is seen.
    Returns ``(x, y, levels)`` with the pieces separated by NaN (one line trace); no ellipses when
    the two columns are constant.
    """
    lam, Q = np.linalg.eigh(G)
    if lam[-1] <= 0.0:
        return np.zeros(0), np.zeros(0), np.zeros(0)
    lam = np.maximum(lam, lam[-1] * 1e-12)  # collinear columns: long thin ellipses, clipped by the view
    low = float(loss(*center))
    if levels is None:
        near, far = (np.sqrt(max(v, 0.0)) for v in _window_range(center, G, half))
        levels = low + (near + (far - near) * np.arange(1, CONTOUR_LEVELS + 1) / CONTOUR_LEVELS) ** 2
    xs, ys = [np.zeros(0)], [np.zeros(0)]
    for level in levels:
        r = np.sqrt(2.0 * max(level - low, 0.0) / lam)
        n = int(np.clip(math.ceil(ELLIPSE_POINTS * r.max() / half), ELLIPSE_POINTS, ELLIPSE_POINTS_MAX))
        t = np.linspace(0.0, 2.0 * np.pi, n)
        pts = center[:, None] + Q @ np.vstack([r[0] * np.cos(t), r[1] * np.sin(t)])
        x, y = _crop(pts[0], pts[1], half)
        if x.size:
            xs += [x, [np.nan]]
            ys += [y, [np.nan]]
    return np.concatenate(xs), np.concatenate(ys), np.asarray(levels, dtype=np.float64)


def quadratic_picture(X, y, w, view, half_of) -> dict:
    """The slice geometry of the squared loss, exactly: the keys of :func:`lpnet.explorer.profiled.picture`
    (``half_of(unconstrained)`` sizes the window from the slice's least-squares point)."""
    d0, _, unconstrained, G, loss = slice_geometry(X, y, w, view)
    _, full_grad = profile_loss(X, y, w)
    half = half_of(unconstrained)
    sx, sy, _ = contour_lines(loss, unconstrained, G, half, levels=[d0])
    Xc = X - X.mean(axis=0)
    # rounding (module docstring): g = -Xc_view^T r / n, r = yc - Xc w: term i of g_j is at most
    # |x_ij| (|yc_i| + |Xc_i| |w|) / n
    grad_bound = EPS * float(np.max(np.abs(Xc[:, view]).T @ (np.abs(y - y.mean()) + np.abs(Xc) @ np.abs(w))))
    return {
        "loss_at_solution": d0,
        "full_gradient": full_grad,
        "grad_bound": grad_bound,
        "unconstrained": unconstrained,
        "half": half,
        "grid": lambda ticks: loss(*np.meshgrid(ticks, ticks)),
        "contours": contour_lines(loss, unconstrained, G, half),
        "solution_level": (sx, sy),
    }
