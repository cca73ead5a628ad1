"""The picture of the Lagrange condition: contours of ``f``, the curve ``g = 0`` and both gradients."""

from __future__ import annotations

import numpy as np

from ._inputs import as_box, as_problem, check_positive
from ._solve import ConstrainedPoint, solve_all

# Okabe-Ito colours, distinguishable with every common form of colour blindness.
_BLUE, _VERMILLION, _GREEN, _ORANGE = "#0072B2", "#D55E00", "#009E73", "#E69F00"


def plot(
    f,
    g,
    points=None,
    *,
    ax=None,
    bounds=(-2.0, 2.0),
    symbols=None,
    levels: int = 12,
    resolution: int = 301,
    arrow_length: float | None = None,
    annotate: bool = True,
    starts=24,
    seed=0,
):
    """Contours of ``f``, the curve ``g = 0`` and the gradients ``∇f`` and ``∇g`` at the tangency points.

    Parameters
    ----------
    f, g, symbols
        As in :func:`solve`.
    points : list of ConstrainedPoint, optional
        The points to mark; by default ``solve_all(f, g, starts, bounds=bounds, seed=seed)``.  Points
        outside ``bounds`` are not drawn.
    ax : matplotlib Axes, optional
        Where to draw; by default a new :class:`matplotlib.figure.Figure` (no pyplot state).
    bounds : (lo, hi) or ((x_lo, x_hi), (y_lo, y_hi)), default (-2, 2)
        The region shown (with equal scales on both axes).
    levels : int, default 12
        About this many contour levels of ``f`` (matplotlib rounds them), each labelled.
    resolution : int, default 301
        Grid points per axis for the contours.
    arrow_length : float, optional
        Length of the ``∇f`` arrows in data units, default 12 % of the smaller side of the box.
        Arrows show directions only: ``∇g`` arrows are 60 % as long as ``∇f`` arrows so that both
        stay visible where they are parallel.
    annotate : bool, default True
        Label every point with its kind and multiplier.
    starts, seed
        Passed to :func:`solve_all` when ``points`` is None.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on (``ax.figure`` is the figure), titled ``∇f = λ ∇g at the tangency points``
        with a legend outside on the right.

    Raises
    ------
    ImportError
        If matplotlib is not installed.
    """
    try:
        from matplotlib import colormaps
        from matplotlib.colors import ListedColormap
        from matplotlib.figure import Figure
        from matplotlib.lines import Line2D
    except ImportError as exc:
        raise ImportError("lpnet.lagrange.plot needs matplotlib: pip install lpnet[plot]") from exc
    fs, gs = as_problem(f, g, symbols)
    box = as_box(bounds)
    check_positive(levels, "levels", integer=True)
    check_positive(resolution, "resolution", integer=True)
    if arrow_length is not None:
        check_positive(arrow_length, "arrow_length")
    points = list(solve_all(f, g, starts, bounds=bounds, seed=seed, symbols=symbols) if points is None else points)
    if not all(isinstance(q, ConstrainedPoint) for q in points):
        raise TypeError("points must be ConstrainedPoint objects, as returned by solve or solve_all.")
    if ax is None:
        # Size the figure to the box (equal aspect), with room for the legend on the right.
        ratio = float(np.clip((box[1, 1] - box[1, 0]) / (box[0, 1] - box[0, 0]), 0.4, 1.6))
        side = 5.0 / max(1.0, ratio)
        ax = Figure(figsize=(side + 2.0, side * ratio + 0.8), layout="compressed").add_subplot()

    xs, ys = np.linspace(*box[0], resolution), np.linspace(*box[1], resolution)
    X, Y = np.meshgrid(xs, ys)
    with np.errstate(all="ignore"):  # f and g may be undefined in parts of the box: left blank
        F, G = np.ma.masked_invalid(fs.grid(X, Y)), np.ma.masked_invalid(gs.grid(X, Y))
    # cividis without its palest yellow, which is hard to see on white
    cmap = ListedColormap(colormaps["cividis"](np.linspace(0.0, 0.8, 256)))
    contours = ax.contour(X, Y, F, levels=levels, cmap=cmap, linewidths=0.9)
    ax.clabel(contours, fontsize=7, fmt="%.3g")
    ax.contour(X, Y, G, levels=[0.0], colors=_GREEN, linewidths=2.4)

    inside = [q for q in points if np.all((box[:, 0] <= q.x) & (q.x <= box[:, 1]))]
    length = arrow_length if arrow_length is not None else 0.12 * float(np.min(box[:, 1] - box[:, 0]))
    if inside:
        xy = np.array([q.x for q in inside])
        for attr, scale, colour, width in (("grad_f", 1.0, _BLUE, 0.007), ("grad_g", 0.6, _VERMILLION, 0.0045)):
            v = np.array([getattr(q, attr) for q in inside])
            norm = np.linalg.norm(v, axis=1)
            drawn = norm > 0  # a vanishing gradient (∇f where λ = 0) has no direction to show
            u = scale * length * v[drawn] / norm[drawn, None]
            ax.quiver(
                xy[drawn, 0],
                xy[drawn, 1],
                u[:, 0],
                u[:, 1],
                color=colour,
                angles="xy",
                scale_units="xy",
                scale=1,
                width=width,
                zorder=4,
            )
        ax.scatter(xy[:, 0], xy[:, 1], s=36, facecolor="white", edgecolor="black", linewidth=1.2, zorder=5)
        if annotate:
            # λ is only known to the solver's tolerance: show it as 0 below 1e-9 of the typical
            # ‖∇f‖ / ‖∇g‖ over the box, rather than as round-off like 3.7e-40.
            with np.errstate(all="ignore"):
                typical = np.ma.median(np.hypot(*np.gradient(F, ys, xs))) / np.ma.median(
                    np.hypot(*np.gradient(G, ys, xs))
                )
            negligible = 1e-9 * typical if np.isfinite(typical) else 0.0
            texts = [f"{q.kind}, λ = {0.0 if abs(q.multiplier) <= negligible else q.multiplier:.3g}" for q in inside]
            _label(ax, inside, texts, box, length)

    arrow = {"linestyle": "none", "marker": r"$\longrightarrow$"}
    handles = [
        Line2D([], [], color=_GREEN, linewidth=2.4, label="g(x, y) = 0"),
        Line2D([], [], color=cmap(0.5), linewidth=0.9, label="contours of f"),
        Line2D([], [], color=_BLUE, markersize=20, label="∇f (direction)", **arrow),
        Line2D([], [], color=_VERMILLION, markersize=14, label="∇g (direction)", **arrow),
    ]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False, fontsize=8)
    ax.set(xlim=box[0], ylim=box[1], xlabel="x", ylabel="y", aspect="equal")
    ax.set_title("∇f = λ ∇g at the tangency points", fontsize=10)
    return ax


def _label(ax, points: list, texts: list, box: np.ndarray, length: float) -> None:
    """Label each point next to it, on the side where the label box covers least of the drawing.

    Works in points (1/72 inch) around each point: the obstacles are samples along both arrows,
    along the curve (±τ), the other points and the labels already placed.  Of the 8 placements
    (label box corner or side midpoint nearest to the point) the one covering fewest obstacles wins,
    ties going to the side facing the centre of the box, so that labels stay inside the axes.
    """
    ax.apply_aspect()
    extent = ax.get_window_extent()
    scale = min(extent.width / np.ptp(box[0]), extent.height / np.ptp(box[1])) * 72 / ax.figure.dpi
    xy = np.array([q.x for q in points]) * scale  # directions agree with the data: equal aspect
    centre = box.mean(axis=1) * scale
    obstacles, placed = [xy], []
    steps = np.linspace(0.05, 1.0, 12)[:, None]
    for q, p in zip(points, xy):
        unit = [(v / np.linalg.norm(v), f) for v, f in ((q.grad_f, 1.0), (q.grad_g, 0.6)) if np.any(v)]
        obstacles += [p + steps * f * length * scale * u for u, f in unit]
        tangent = np.array([-unit[-1][0][1], unit[-1][0][0]])
        obstacles += [p + steps * 40.0 * tangent, p - steps * 40.0 * tangent]
    obstacles = np.vstack(obstacles)
    gap, height = 8.0, 14.0
    for q, p, text in zip(points, xy, texts):
        width = 4.6 * len(text) + 6  # about 8 pt text
        inward = (centre - p) / max(np.linalg.norm(centre - p), np.finfo(float).tiny)
        options = []
        for dx, dy in [(dx, dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1) if dx or dy]:
            lo = p + [{1: gap, 0: -width / 2, -1: -gap - width}[dx], {1: gap, 0: -height / 2, -1: -gap - height}[dy]]
            hi = lo + [width, height]
            covered = np.sum(np.all((obstacles > lo) & (obstacles < hi), axis=1))
            overlaps = sum(np.all((lo < other_hi) & (other_lo < hi)) for other_lo, other_hi in placed)
            options.append(
                (covered + 20 * overlaps, -(dx * inward[0] + dy * inward[1]) / np.hypot(dx, dy), dx, dy, lo, hi)
            )
        _, _, dx, dy, lo, hi = min(options, key=lambda o: o[:2])
        placed.append((lo, hi))
        ax.annotate(
            text,
            xy=q.x,
            xytext=(gap * dx, gap * dy),
            textcoords="offset points",
            ha={1: "left", 0: "center", -1: "right"}[dx],
            va={1: "bottom", 0: "center", -1: "top"}[dy],
            fontsize=8,
            zorder=6,
            bbox={"boxstyle": "round,pad=0.25", "facecolor": "white", "edgecolor": _ORANGE, "alpha": 0.9},
        )
