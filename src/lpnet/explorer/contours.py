"""Level sets of a function sampled on a grid: marching squares, in numpy.

On each edge of the grid the function is taken linear between its two end values, so a level crosses
an edge at most once, at the interpolated point.  Each cell of four values
then holds no, one or (a saddle) two pieces of the level set, joining the crossings on its edges; a
saddle is resolved by the mean of the four values (the cell's centre).  Pieces that share a crossing
are chained into polylines, so each level comes back as a few long lines rather than many segments.
"""

from __future__ import annotations

import numpy as np

# the corners of a cell, counter-clockwise from the bottom left, and the two edges each one touches
# (edges: 0 bottom, 1 right, 2 top, 3 left): a corner cut off alone is the piece joining its edges
_CORNER_EDGES = ((3, 0), (0, 1), (1, 2), (2, 3))


def _crossings(xs, ys, F, level):
    """Every grid edge's crossing point (NaN where the level does not cross it), and each cell's four
    edge numbers: horizontal edges first, ``k * (nx - 1) + l`` from ``(k, l)`` to ``(k, l + 1)``, then
    vertical ones, ``k * nx + l`` from ``(k, l)`` to ``(k + 1, l)``."""
    ny, nx = F.shape
    above = F > level
    with np.errstate(invalid="ignore", divide="ignore"):
        # horizontal edges
        a, b = F[:, :-1], F[:, 1:]
        cross = (above[:, :-1] != above[:, 1:]) & np.isfinite(a) & np.isfinite(b)
        t = np.where(cross, (level - a) / (b - a), np.nan)
        hx = xs[:-1][None, :] + t * np.diff(xs)[None, :]
        hy = np.where(cross, np.broadcast_to(ys[:, None], t.shape), np.nan)
        # vertical edges
        a, b = F[:-1, :], F[1:, :]
        cross = (above[:-1, :] != above[1:, :]) & np.isfinite(a) & np.isfinite(b)
        t = np.where(cross, (level - a) / (b - a), np.nan)
        vy = ys[:-1][:, None] + t * np.diff(ys)[:, None]
        vx = np.where(cross, np.broadcast_to(xs[None, :], t.shape), np.nan)
    px = np.concatenate([hx.ravel(), vx.ravel()])
    py = np.concatenate([hy.ravel(), vy.ravel()])
    k, j = np.meshgrid(np.arange(ny - 1), np.arange(nx - 1), indexing="ij")
    offset = ny * (nx - 1)
    edges = np.stack(
        [k * (nx - 1) + j, offset + k * nx + j + 1, (k + 1) * (nx - 1) + j, offset + k * nx + j], axis=-1
    ).reshape(-1, 4)
    return px, py, edges


def _pieces(F, level, px, edges) -> list:
    """The pieces of the level set, as pairs of edge numbers, cell by cell."""
    ny, nx = F.shape
    corners = np.stack([F[:-1, :-1], F[:-1, 1:], F[1:, 1:], F[1:, :-1]], axis=-1).reshape(-1, 4)
    crossed = np.isfinite(px[edges])
    count = crossed.sum(axis=1)
    valid = np.all(np.isfinite(corners), axis=1)
    pairs = []
    two = np.flatnonzero(valid & (count == 2))
    if two.size:
        order = np.argsort(~crossed[two], axis=1, kind="stable")[:, :2]  # the two crossed edges
        pairs.append(np.take_along_axis(edges[two], order, axis=1))
    for cell in np.flatnonzero(valid & (count == 4)):  # saddles: rare, one at a time
        centre = corners[cell].mean() > level
        for corner, (e1, e2) in enumerate(_CORNER_EDGES):
            if (corners[cell, corner] > level) != centre:  # this corner is cut off alone
                pairs.append(np.array([[edges[cell, e1], edges[cell, e2]]]))
    return [tuple(p) for p in np.concatenate(pairs).tolist()] if pairs else []


def _chain(pairs) -> list:
    """The pieces joined end to end: lists of edge numbers, a closed line repeating its first one."""
    touching: dict = {}
    for index, (a, b) in enumerate(pairs):
        touching.setdefault(a, []).append(index)
        touching.setdefault(b, []).append(index)
    used = np.zeros(len(pairs), dtype=bool)
    lines = []

    def walk(start, index):
        line = [start]
        point = start
        while index is not None:
            used[index] = True
            a, b = pairs[index]
            point = b if a == point else a
            line.append(point)
            index = next((j for j in touching[point] if not used[j]), None)
        return line

    # open lines first (they end at the window's edge or at missing values), from an end
    for point, indices in touching.items():
        if len(indices) == 1 and not used[indices[0]]:
            lines.append(walk(point, indices[0]))
    for index in range(len(pairs)):  # what is left are closed loops
        if not used[index]:
            lines.append(walk(pairs[index][0], index))
    return lines


def level_lines(xs, ys, F, level) -> tuple[np.ndarray, np.ndarray]:
    """The level set ``F = level`` of a function sampled on a grid, as polylines.

    Parameters
    ----------
    xs : ndarray of shape (nx,)
        Increasing grid values of the first coordinate (the columns of ``F``).
    ys : ndarray of shape (ny,)
        Increasing grid values of the second coordinate (the rows of ``F``).
    F : ndarray of shape (ny, nx)
        ``F[k, l]`` is the function at ``(xs[l], ys[k])``; cells with a non-finite value are left out.
    level : float

    Returns
    -------
    x, y : ndarray
        The polylines' points, each line followed by one NaN (one plotting trace draws them all).
    """
    xs, ys, F = (np.asarray(a, dtype=np.float64) for a in (xs, ys, F))
    if F.shape != (ys.shape[0], xs.shape[0]) or min(F.shape) < 2:
        raise ValueError(f"F must have shape (len(ys), len(xs)), at least 2 x 2; got {F.shape}.")
    px, py, edges = _crossings(xs, ys, F, float(level))
    lines = _chain(_pieces(F, float(level), px, edges))
    if not lines:
        return np.zeros(0), np.zeros(0)
    index = np.concatenate([np.append(np.asarray(line, dtype=np.float64), np.nan) for line in lines])
    points = np.isfinite(index)
    x, y = np.full(index.shape, np.nan), np.full(index.shape, np.nan)
    x[points], y[points] = px[index[points].astype(np.int64)], py[index[points].astype(np.int64)]
    return x, y


def contour_set(xs, ys, F, levels) -> tuple[np.ndarray, np.ndarray]:
    """:func:`level_lines` of every level, in one pair of NaN-separated arrays."""
    parts = [level_lines(xs, ys, F, level) for level in levels]
    if not parts:
        return np.zeros(0), np.zeros(0)
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
