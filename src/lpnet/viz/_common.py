"""What the plots share: the alpha axis, the figure they draw on, and the legend outside the axes."""

from __future__ import annotations

import numpy as np

#: the number of curves a legend names; the others are drawn thin and grey
N_LABELS = 10
#: the colour of the curves left out of the legend
UNLABELLED = "0.75"


def new_axes(ax, figsize):
    """``ax``, or the axes of a new pyplot figure whose layout makes room for a legend outside."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=figsize, layout="constrained")[1]


def alpha_axis(ax, alphas) -> None:
    """Log-scaled alpha decreasing to the right, with a small margin so end points are not cut."""
    alphas = np.asarray(alphas, dtype=np.float64)
    positive = alphas[alphas > 0]
    ax.set_xscale("log")
    ax.set_xlabel("alpha")
    if positive.size:
        lo, hi = float(positive.min()), float(positive.max())
        pad = max((hi / lo) ** 0.02, 1.05)
        ax.set_xlim(hi * pad, lo / pad)


def legend_outside(ax, handles, title=None):
    """A legend to the right of ``ax``, top-aligned, so it never covers the curves."""
    return ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
        borderaxespad=0.0,
        fontsize="small",
        title=title,
        title_fontsize="small",
    )


def strongest(scores, k: int) -> np.ndarray:
    """Indices of the ``k`` largest ``scores`` (ties: lower index first)."""
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")
    return order[:k]


def curves(ax, x, Y, names, labelled):
    """One line per column of ``Y``: the ``labelled`` columns in the colour cycle (in that order) and
    named, the others thin, grey and left out of legends (a label starting with '_').

    When some curves are grey, the greys of the colour cycle are skipped so that no named curve looks
    unnamed; colours that come round again are dashed.
    """
    import matplotlib as mpl
    from matplotlib.colors import to_rgb

    colours = mpl.rcParams["axes.prop_cycle"].by_key().get("color", ["C0"])
    if len(labelled) < Y.shape[1]:
        rgb = [to_rgb(c) for c in colours]
        colours = [c for c, v in zip(colours, rgb) if max(v) - min(v) > 0.05] or ["C0"]
    rank = {int(j): r for r, j in enumerate(labelled)}
    lines = []
    for j in range(Y.shape[1]):
        if j in rank:
            r = rank[j]
            style = dict(
                color=colours[r % len(colours)],
                linestyle="-" if r < len(colours) else "--",
                linewidth=1.5,
                zorder=3,
                label=str(names[j]),
            )
        else:
            style = dict(color=UNLABELLED, linewidth=0.8, zorder=2, label=f"_{names[j]}")
        lines.append(ax.plot(x, Y[:, j], **style)[0])
    return lines
