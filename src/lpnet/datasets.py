"""The data sets bundled with lpnet: scikit-learn's diabetes and breast cancer data and a seeded synthetic pair.

The command line's demo, the explorer and the tour all show these; each loads them from here, so the
same rows and the same description reach every one of them.  numpy is imported when a loader runs,
scikit-learn only when the diabetes files are not where it ships them (and for the breast cancer data).
"""

from __future__ import annotations

import os
from typing import NamedTuple

__all__ = [
    "DIABETES_FEATURES",
    "Dataset",
    "correlated_pair",
    "load_breast_cancer",
    "load_diabetes",
    "standardize",
]

#: the ten diabetes features, in the order of scikit-learn's files
DIABETES_FEATURES = ("age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6")
DIABETES_SHAPE = (442, 10)


class Dataset(NamedTuple):
    """A data set: features, target, feature names and a one-line description.

    Being a tuple, it unpacks as ``X, y, names, description = load_diabetes()``.

    Attributes
    ----------
    X : ndarray of shape (n_samples, n_features), float64
    y : ndarray of shape (n_samples,), float64
    feature_names : list of str
    description : str
    """

    X: object
    y: object
    feature_names: list
    description: str


def standardize(X):
    """Columns centred and scaled to unit (population) standard deviation.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)

    Returns
    -------
    ndarray of shape (n_samples, n_features)
        A new array; a constant column is only centred (it becomes 0), never divided by 0.
    """
    import numpy as np

    X = np.asarray(X, dtype=np.float64)
    scale = X.std(axis=0)
    scale[scale == 0.0] = 1.0
    return (X - X.mean(axis=0)) / scale


def _diabetes_files():
    """The raw diabetes tables read from scikit-learn's installed data files, or None.

    Reading the two files directly avoids importing ``sklearn.datasets``, whose import alone costs
    about 0.1 s of a command's start-up.  None when the files are not where scikit-learn ships them
    (or hold something else); the caller then asks scikit-learn.
    """
    import importlib.util

    import numpy as np

    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = os.path.join(list(spec.submodule_search_locations)[0], "datasets", "data")
    data_file = os.path.join(folder, "diabetes_data_raw.csv.gz")
    target_file = os.path.join(folder, "diabetes_target.csv.gz")
    if not (os.path.exists(data_file) and os.path.exists(target_file)):
        return None
    X = np.loadtxt(data_file)
    y = np.loadtxt(target_file)
    if X.shape != DIABETES_SHAPE or y.shape != DIABETES_SHAPE[:1]:
        return None
    return X, y


def load_diabetes(*, standardized: bool = False) -> Dataset:
    """scikit-learn's diabetes data: 442 patients, 10 features, disease progression after one year.

    The data ship with scikit-learn (nothing is downloaded).

    Parameters
    ----------
    standardized : bool, default=False
        Return the features centred and scaled to unit standard deviation (:func:`standardize`)
        instead of in their original units (scikit-learn's ``load_diabetes(scaled=False)``).

    Returns
    -------
    Dataset
        ``X`` of shape (442, 10), ``y`` of shape (442,), the names of :data:`DIABETES_FEATURES` and a
        description.
    """
    import numpy as np

    files = _diabetes_files()
    if files is None:
        from sklearn.datasets import load_diabetes as sklearn_diabetes

        bunch = sklearn_diabetes(scaled=False)
        files = (bunch.data, bunch.target)
    X, y = (np.asarray(a, dtype=np.float64) for a in files)
    if standardized:
        X = standardize(X)
    scale = "standardized " if standardized else ""
    desc = (
        f"scikit-learn's diabetes data ({X.shape[0]} samples, {X.shape[1]} {scale}features; "
        "target: disease progression after one year)"
    )
    return Dataset(X, y, list(DIABETES_FEATURES), desc)


def load_breast_cancer(*, standardized: bool = False) -> Dataset:
    """scikit-learn's breast cancer data: 569 tumours, 30 features, the diagnosis as a 0/1 target.

    The data ship with scikit-learn (nothing is downloaded).  The target is 1 for a benign tumour and 0
    for a malignant one (scikit-learn's coding), as floats.

    Parameters
    ----------
    standardized : bool, default=False
        Return the features centred and scaled to unit standard deviation (:func:`standardize`).

    Returns
    -------
    Dataset
        ``X`` of shape (569, 30), ``y`` of shape (569,) with values 0 and 1, scikit-learn's feature names
        and a description.
    """
    import numpy as np
    from sklearn.datasets import load_breast_cancer as sklearn_breast_cancer

    bunch = sklearn_breast_cancer()
    X = np.asarray(bunch.data, dtype=np.float64)
    if standardized:
        X = standardize(X)
    scale = "standardized " if standardized else ""
    desc = (
        f"scikit-learn's breast cancer data ({X.shape[0]} tumours, {X.shape[1]} {scale}features; "
        "target: 1 benign, 0 malignant)"
    )
    return Dataset(X, np.asarray(bunch.target, dtype=np.float64), [str(n) for n in bunch.feature_names], desc)


def correlated_pair(n_samples: int = 200, correlation: float = 0.8, seed: int = 0) -> Dataset:
    """Two standardized, correlated features and ``y = 2 x1 + 1.5 x2 + 1 + noise``.

    The correlation tilts the loss ellipses, so the L1 corner, the L2 shrinkage and the non-convex
    ``p < 1`` minima look clearly different in the plane of the two coefficients; the seed makes it
    the same picture every time.

    Parameters
    ----------
    n_samples : int, default=200
    correlation : float, default=0.8
        The correlation of the two features before standardization, in (-1, 1).
    seed : int, default=0
        Seed of :func:`numpy.random.default_rng`.

    Returns
    -------
    Dataset
        Features named ``x1`` and ``x2``; the noise is standard normal.
    """
    import numpy as np

    if not -1.0 < correlation < 1.0:
        raise ValueError(f"correlation must lie strictly between -1 and 1, got {correlation!r}.")
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n_samples, 2))
    X = standardize(np.column_stack([z[:, 0], correlation * z[:, 0] + np.sqrt(1.0 - correlation**2) * z[:, 1]]))
    y = 2.0 * X[:, 0] + 1.5 * X[:, 1] + 1.0 + rng.standard_normal(n_samples)
    desc = (
        f"synthetic: {n_samples} samples, 2 standardized features with correlation {correlation:g}, "
        f"y = 2 x1 + 1.5 x2 + 1 + noise (seed {seed})"
    )
    return Dataset(X, y, ["x1", "x2"], desc)
