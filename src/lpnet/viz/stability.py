"""Stability selection: selection frequency against alpha."""

from __future__ import annotations

import numpy as np

from ._common import N_LABELS, alpha_axis, curves, legend_outside, new_axes, strongest


def plot_stability(stability, ax=None, *, threshold=0.6, n_labels=N_LABELS):
    """Selection frequency of each feature against alpha (log scale, decreasing to the right).

    Parameters
    ----------
    stability : lpnet.model_selection.StabilityPath
    ax : matplotlib Axes, optional
        Where to draw; by default a new pyplot figure with room for the legend.
    threshold : float, default=0.6
        Drawn as a dotted line: features reaching it at some alpha are the selected ones.
    n_labels : int, default=10
        The legend names the ``n_labels`` features with the largest mean selection frequency over the
        alphas (the most stable first); the other curves are drawn thin and grey.

    Returns
    -------
    matplotlib Axes
    """
    if n_labels < 1:
        raise ValueError(f"n_labels must be a positive integer, got {n_labels!r}.")
    ax = new_axes(ax, (8.0, 4.5))
    freq = np.asarray(stability.frequencies, dtype=np.float64)
    names = list(stability.feature_names)
    # small alphas select nearly everything, so the peak frequency cannot rank the features; the mean
    # over the (log-spaced) grid, the area under the curve, favours those selected at large alphas
    labelled = strongest(freq.mean(axis=0), min(n_labels, len(names)))
    lines = curves(ax, stability.alphas, freq, names, labelled)
    rule = ax.axhline(threshold, color="k", linestyle=":", label=f"threshold {threshold:g}")
    alpha_axis(ax, stability.alphas)
    ax.set_ylabel("selection frequency")
    ax.set_ylim(-0.02, 1.02)
    title = f"most selected {len(labelled)} of {len(names)}" if len(labelled) < len(names) else None
    legend_outside(ax, [*(lines[j] for j in labelled), rule], title=title)
    return ax
