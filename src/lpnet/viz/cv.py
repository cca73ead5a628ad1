"""Cross-validation curves: mean validation loss against alpha."""

from __future__ import annotations

import numpy as np

from ._common import alpha_axis, legend_outside, new_axes


def plot_cv(cv_results, ax=None, *, loss="loss"):
    """Mean validation loss against alpha (log scale, decreasing to the right) with one-standard-error
    bars, and the two choices marked: the minimum and the one-standard-error alpha.

    Parameters
    ----------
    cv_results : lpnet.model_selection.CVResults
        ``cv_results_`` of a fitted cross-validated estimator.
    ax : matplotlib Axes, optional
        Where to draw; by default a new pyplot figure with room for the legend.
    loss : str, default="loss"
        The name of the validation loss on the y axis, e.g. "MSE" or "log-loss".

    Returns
    -------
    matplotlib Axes
    """
    ax = new_axes(ax, (8.0, 4.5))
    res = cv_results
    n_folds = res.losses.shape[1]
    several = len(res.l1_ratios) > 1
    handles = []
    for i, ratio in enumerate(res.l1_ratios):
        label = f"{res.grid_name}={ratio:g}" if several else f"mean validation {loss}"
        handles.append(
            ax.errorbar(
                res.alphas[i], res.mean[i], yerr=res.std[i] / np.sqrt(n_folds), fmt="o-", ms=3, capsize=2, label=label
            )
        )
    for (i, k), name, style in ((res.index_min, "min", "--"), (res.index_1se, "1se", ":")):
        ratio = f", {res.grid_name}={res.l1_ratios[i]:g}" if several else ""
        handles.append(
            ax.axvline(
                res.alphas[i][k], color="k", linestyle=style, label=f"{name}: alpha={res.alphas[i][k]:.3g}{ratio}"
            )
        )
    alpha_axis(ax, res.alphas)
    ax.set_ylabel(f"mean validation {loss}\n(+/- 1 standard error)")
    legend_outside(ax, handles)
    return ax
