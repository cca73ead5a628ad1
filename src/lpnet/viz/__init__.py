"""Plots of regularization paths, cross-validation curves and stability selection (matplotlib).

matplotlib is imported inside the plotting functions only, so ``import lpnet`` (and this package) works
without it.  Every plot draws alpha on a log axis that decreases to the right: strong penalty (few
nonzero coefficients) on the left, as glmnet draws it.  Legends sit to the right of the axes, outside
the plotting area; with many features only the strongest curves are labelled.
"""

from .cv import plot_cv
from .paths import plot_path
from .stability import plot_stability

__all__ = ["plot_path", "plot_cv", "plot_stability"]
