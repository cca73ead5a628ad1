"""Coefficient paths against alpha."""

from __future__ import annotations

import numpy as np

from ._common import N_LABELS, alpha_axis, curves, legend_outside, new_axes, strongest


def plot_path(path, ax=None, *, legend=None, n_labels=N_LABELS):
    """Coefficient paths against alpha (log scale, decreasing to the right), nonzero counts on a top axis.

    Parameters
    ----------
    path : lpnet.Path
    ax : matplotlib Axes, optional
        Where to draw; by default a new pyplot figure with room for the legend.
    legend : bool, optional
        Draw the legend (default True).  It stands to the right of the axes, outside the plotting area,
        and names the ``n_labels`` strongest curves (largest absolute coefficient anywhere on the path), listed
        in the order in which they end next to it: by coefficient at the smallest alpha, largest first.
    n_labels : int, default=10
        With more features than this, the other curves are drawn thin and grey, without a label.

    Returns
    -------
    matplotlib Axes
        The axes of the curves: one line per feature, in feature order; the labelled ones carry the
        feature names, the others a label starting with '_' (left out of legends).
    """
    if n_labels < 1:
        raise ValueError(f"n_labels must be a positive integer, got {n_labels!r}.")
    ax = new_axes(ax, (8.0, 4.8))
    coefs = np.asarray(path.coefs, dtype=np.float64)
    n_features = coefs.shape[1]
    names = list(path.feature_names) or [f"x{j}" for j in range(n_features)]
    labelled = strongest(np.abs(coefs).max(axis=0, initial=0.0), min(n_labels, n_features))
    # legend order = the vertical order of the curves at the right edge, where the legend stands
    labelled = labelled[np.argsort(-coefs[-1, labelled], kind="stable")]
    lines = curves(ax, path.alphas, coefs, names, labelled)
    alpha_axis(ax, path.alphas)
    ax.set_ylabel("coefficient")
    ax.axhline(0.0, color="0.5", linewidth=0.5, zorder=1)
    top = ax.twiny()  # the number of nonzeros at up to 6 alphas of the grid
    top.set(xscale="log", xlim=ax.get_xlim(), xlabel="nonzero coefficients")
    idx = np.unique(np.linspace(0, len(path) - 1, num=min(len(path), 6)).round().astype(int))
    top.set_xticks(path.alphas[idx], [str(int(k)) for k in path.n_nonzero[idx]])
    top.minorticks_off()
    if legend is None or legend:
        title = f"largest {len(labelled)} of {n_features}" if len(labelled) < n_features else None
        legend_outside(ax, [lines[j] for j in labelled], title=title)
    return ax
