"""The explorer's data sets: the bundled diabetes data, a seeded correlated pair, or the user's arrays.

Every set is kept in memory from start-up on; nothing here reads a file named by a request.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: the two diabetes features shown first: the strongest single predictors of the target
DIABETES_DEFAULT = ("bmi", "s5")
SYNTHETIC_SEED = 0
SYNTHETIC_SAMPLES = 200
SYNTHETIC_CORRELATION = 0.8


@dataclass
class Dataset:
    """One data set the explorer can show.

    Attributes
    ----------
    name : str
        The key requests use.
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    feature_names : list of str
    default_features : list of str
        The features selected when the page opens (at least two).
    description : str
    """

    name: str
    X: np.ndarray
    y: np.ndarray
    feature_names: list
    default_features: list
    description: str
    index: dict = field(init=False, repr=False)

    def __post_init__(self):
        self.index = {n: j for j, n in enumerate(self.feature_names)}


def standardize(X: np.ndarray) -> np.ndarray:
    """Columns centred and scaled to unit standard deviation (constant columns only centred)."""
    scale = X.std(axis=0)
    scale[scale == 0.0] = 1.0
    return (X - X.mean(axis=0)) / scale


def diabetes() -> Dataset:
    """scikit-learn's bundled diabetes data (no download), features standardized."""
    # the command line's loader: it reads scikit-learn's installed files directly
    from ..cli import _load_demo

    X, y, names, _ = _load_demo()
    return Dataset("diabetes", standardize(X), y, list(names), list(DIABETES_DEFAULT),
                   "scikit-learn's diabetes data: 442 patients, 10 standardized features, "
                   "target: disease progression after one year")


def synthetic() -> Dataset:
    """Two standardized features with correlation about 0.8 and ``y = 2 x1 + 1.5 x2 + 1 + noise``.

    The correlation tilts the loss ellipses, so the L1 corner, the L2 shrinkage and the non-convex
    ``p < 1`` minima look clearly different; the seed makes it the same picture every time.
    """
    rng = np.random.default_rng(SYNTHETIC_SEED)
    rho = SYNTHETIC_CORRELATION
    z = rng.standard_normal((SYNTHETIC_SAMPLES, 2))
    X = np.column_stack([z[:, 0], rho * z[:, 0] + np.sqrt(1.0 - rho**2) * z[:, 1]])
    X = standardize(X)
    y = 2.0 * X[:, 0] + 1.5 * X[:, 1] + 1.0 + rng.standard_normal(SYNTHETIC_SAMPLES)
    return Dataset("synthetic", X, y, ["x1", "x2"], ["x1", "x2"],
                   f"synthetic: {SYNTHETIC_SAMPLES} samples, 2 standardized features with correlation "
                   f"{rho:g}, y = 2 x1 + 1.5 x2 + 1 + noise (seed {SYNTHETIC_SEED})")


def user_data(X, y, feature_names=None, description="your data") -> Dataset:
    """The arrays given to :func:`lpnet.explorer.create_app`, used as they are (not standardized).

    Raises
    ------
    ValueError
        When the shapes disagree, values are not finite, or there are fewer than two features.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if X.ndim != 2 or y.ndim != 1 or X.shape[0] != y.shape[0]:
        raise ValueError(f"X must be 2-D and y 1-D with as many rows; got shapes {X.shape} and {y.shape}.")
    if X.shape[1] < 2:
        raise ValueError(f"the explorer needs at least 2 features to draw, X has {X.shape[1]}.")
    if X.shape[0] < 2:
        raise ValueError(f"the explorer needs at least 2 samples, X has {X.shape[0]}.")
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
        raise ValueError("X and y must be finite (no NaN or inf).")
    names = [f"x{j + 1}" for j in range(X.shape[1])] if feature_names is None else [str(n) for n in feature_names]
    if len(names) != X.shape[1] or len(set(names)) != len(names):
        raise ValueError(f"feature_names must be {X.shape[1]} distinct names, got {names!r}.")
    return Dataset("data", X, y, names, names[:2], description)


def builtin_datasets() -> list:
    """The data sets every explorer offers: diabetes first (the default), then the synthetic pair."""
    return [diabetes(), synthetic()]
