"""One figure style for the whole tour: colour-blind-safe colours, labelled axes, laptop-sized.

Figures are built with :class:`matplotlib.figure.Figure` directly (no pyplot state), so sections
can run in any order, in worker threads, and under any backend.
"""

from __future__ import annotations

#: Okabe & Ito (2008) colour-blind-safe palette
COLORS = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
    "grey": "#999999",
}
#: the colour each penalty family has in every figure of the tour
PENALTY_COLORS = {
    "none": COLORS["grey"],
    "l0.5": COLORS["purple"],
    "l1": COLORS["vermillion"],
    "l2": COLORS["blue"],
    "l3": COLORS["green"],
    "l4": COLORS["sky"],
    "linf": COLORS["orange"],
    "elasticnet": COLORS["orange"],
}
CYCLE = [COLORS[k] for k in ("blue", "vermillion", "green", "orange", "purple", "sky", "black", "yellow")]

_RC = {
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.dpi": 100,
}


def new_figure(ncols: int = 1, nrows: int = 1, *, width: float = 4.2, height: float = 3.4, **subplot_kw):
    """A figure of ``nrows x ncols`` panels, each about ``width x height`` inches, in the tour's style.

    Returns ``(fig, axes)`` where ``axes`` is a single Axes when there is one panel, else a flat list.
    Pass ``subplot_kw=dict(projection="3d")`` style keywords through ``**subplot_kw``.
    """
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(width * ncols, height * nrows), layout="constrained")
        axes = [fig.add_subplot(nrows, ncols, i + 1, **subplot_kw) for i in range(nrows * ncols)]
        for ax in axes:
            ax.set_prop_cycle(color=CYCLE)
            _apply_rc(ax)
    return fig, (axes[0] if len(axes) == 1 else axes)


def _apply_rc(ax) -> None:
    # rc_context only affects artists created inside it; fix the look of each Axes explicitly so
    # that later drawing (outside the context) keeps the same style.
    if getattr(ax, "name", "") == "3d":
        return
    ax.grid(True, alpha=0.3)
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
