"""The data sets bundled with lpnet: scikit-learn's diabetes and breast cancer data and a seeded synthetic pair.

The command line's demo, the explorer and the tour all show these; each loads them from here, so the
same rows and the same description reach every one of them.  numpy is imported when a loader runs,
scikit-learn only when the diabetes files are not where it ships them (and for the breast cancer data).

``make_large_regression`` and ``make_large_classification`` write seeded synthetic data of any size as
parquet files (pyarrow, imported when they run), row group by row group, for the out-of-core estimators
of :mod:`lpnet.dask`, for tests and for benchmarks.
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
    "make_large_classification",
    "make_large_regression",
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


def _write_large(path, n_rows, n_features, n_files, rows_per_group, seed, n_informative, label, dtype):
    """Write the files; each row group is drawn from its own seeded generator (file, group), so a file's
    content does not depend on how many files or groups come before it."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    for name, value in (("n_rows", n_rows), ("n_features", n_features), ("n_files", n_files)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    if rows_per_group is None:
        rows_per_group = max(1024, 2**20 // n_features)
    os.makedirs(path, exist_ok=True)
    rng = np.random.default_rng([seed, 0])
    k = min(n_informative, n_features)
    coef = np.zeros(n_features)
    coef[:k] = rng.choice([-1.0, 1.0], size=k) * rng.uniform(0.5, 2.0, size=k)
    intercept = float(rng.normal())
    names = [f"x{j}" for j in range(n_features)]
    bounds = np.linspace(0, n_rows, n_files + 1).astype(np.int64)
    files = []
    for f in range(n_files):
        file = os.path.join(path, f"part-{f:05d}.parquet")
        schema = pa.schema([(name, pa.from_numpy_dtype(np.dtype(dtype))) for name in names] + [("y", pa.float64())])
        with pq.ParquetWriter(file, schema) as writer:
            for g, start in enumerate(range(int(bounds[f]), int(bounds[f + 1]), rows_per_group)):
                m = min(rows_per_group, int(bounds[f + 1]) - start)
                gen = np.random.default_rng([seed, 1, f, g])
                X = gen.standard_normal((m, n_features))
                y = label(X @ coef + intercept, gen)
                columns = [pa.array(X[:, j].astype(dtype)) for j in range(n_features)] + [pa.array(y)]
                writer.write_table(pa.Table.from_arrays(columns, schema=schema))
        files.append(file)
    return files, coef, intercept


def make_large_regression(
    path,
    n_rows: int,
    n_features: int,
    *,
    n_files: int = 1,
    rows_per_group: int | None = None,
    n_informative: int = 10,
    noise: float = 1.0,
    seed: int = 0,
    dtype: str = "float64",
):
    """Write seeded linear-regression data as parquet files ``path/part-NNNNN.parquet``.

    Features ``x0 .. x{p-1}`` are standard normal; the target ``y = x.coef + intercept + noise * e`` with
    ``n_informative`` non-zero coefficients.  Rows are split evenly across ``n_files`` files and written
    ``rows_per_group`` rows at a time (one parquet row group each; default about 8 MiB), so memory holds
    one group, never the data.  Same ``seed``, same files.

    Parameters
    ----------
    path : str or path-like
        The folder to write the files into (created if missing).
    n_rows, n_features : int
        The size of the data.
    n_files : int, default=1
        How many parquet files the rows are split across.
    rows_per_group : int, optional
        Rows per parquet row group (default: about 8 MiB of data).
    n_informative : int, default=10
        How many coefficients are not zero.
    noise : float, default=1.0
        Standard deviation of the Gaussian noise added to the target.
    seed : int, default=0
        Seed of every random draw.
    dtype : str, default="float64"
        The features' dtype in the files.

    Returns
    -------
    files : list of str
    coef : ndarray of shape (n_features,)
    intercept : float
    """
    return _write_large(
        path,
        n_rows,
        n_features,
        n_files,
        rows_per_group,
        seed,
        n_informative,
        lambda z, gen: z + noise * gen.standard_normal(z.shape[0]),
        dtype,
    )


def make_large_classification(
    path,
    n_rows: int,
    n_features: int,
    *,
    n_files: int = 1,
    rows_per_group: int | None = None,
    n_informative: int = 10,
    seed: int = 0,
    dtype: str = "float64",
):
    """Write seeded binary-classification data (labels 0/1 in ``y``) as parquet files, like
    :func:`make_large_regression`: ``P(y = 1 | x) = 1 / (1 + exp(-(x.coef + intercept)))``.

    Parameters
    ----------
    path : str or path-like
        The folder to write the files into (created if missing).
    n_rows, n_features : int
        The size of the data.
    n_files : int, default=1
        How many parquet files the rows are split across.
    rows_per_group : int, optional
        Rows per parquet row group (default: about 8 MiB of data).
    n_informative : int, default=10
        How many coefficients are not zero.
    seed : int, default=0
        Seed of every random draw.
    dtype : str, default="float64"
        The features' dtype in the files.

    Returns
    -------
    files : list of str
    coef : ndarray of shape (n_features,)
    intercept : float
    """

    def label(z, gen):
        import numpy as np

        return (gen.random(z.shape[0]) < 1.0 / (1.0 + np.exp(-z))).astype(np.float64)

    return _write_large(path, n_rows, n_features, n_files, rows_per_group, seed, n_informative, label, dtype)
