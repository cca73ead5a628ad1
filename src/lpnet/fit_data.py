"""The one fit preamble: what every estimator, path, CV estimator and constrained fit does to its input
before it solves anything.

One dtype policy (float64 and float32 data are both kept as given; sparse data as CSC or CSR), one
check of the target through the datafit (class labels, weighted classes), one rescaling of the sample
weights (to sum to ``n_samples``), feature names from a DataFrame's columns.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from sklearn.utils import check_X_y
from sklearn.utils.validation import validate_data

from ._validation import check_finite_squares, check_sample_weight
from .datafits import Datafit, make_datafit

__all__ = ["FitData", "check_offset", "column_means", "prepare_fit", "reject_non_numeric_columns", "weighted_mean"]

#: the float dtypes lpnet fits in, the first being the default for other inputs
FLOAT_DTYPES = (np.float64, np.float32)


@dataclass
class FitData:
    """Validated training data.

    Attributes
    ----------
    X : ndarray or sparse matrix (CSC or CSR) of shape (n_samples, n_features), float64 or float32
    y : ndarray of shape (n_samples,) or (n_samples, k)
        The target in the datafit's encoding (float64; 2-D for datafits whose encoding has several
        columns: survival times and events, several tasks, one-hot classes, a column of offsets).
    sample_weight : ndarray of shape (n_samples,)
        Non-negative, summing to ``n_samples``.
    classes : ndarray or None
        The class labels of a classifier's target (``classes[1]`` is encoded +1), else None.
    feature_names : list of str
        A DataFrame's column names, else ``x0, x1, ...``.
    datafit : Datafit
    """

    X: object
    y: np.ndarray
    sample_weight: np.ndarray
    classes: np.ndarray | None
    feature_names: list
    datafit: Datafit

    @property
    def n_features(self) -> int:
        return int(self.X.shape[1])  # type: ignore[attr-defined]


def reject_non_numeric_columns(X) -> None:
    """Name the offending columns of a DataFrame instead of failing on a float conversion."""
    if not (hasattr(X, "columns") and hasattr(X, "dtypes")):
        return
    # X is a DataFrame, so pandas is already imported by the caller
    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    bad = [str(c) for c, dt in X.dtypes.items() if not (is_numeric_dtype(dt) or is_bool_dtype(dt))]
    if bad:
        raise TypeError(f"X has non-numeric columns {bad}; encode them (e.g. one-hot) or drop them before fitting.")


def prepare_fit(X, y, datafit, sample_weight=None, *, estimator=None, who: str = "a fit", offset=None) -> FitData:
    """Validate ``X``, ``y`` and the sample weights for ``datafit``; the preamble of every fit.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Numeric; a pandas DataFrame's column names become ``feature_names``.
    y : array-like of shape (n_samples,)
    datafit : str or Datafit
    sample_weight : array-like of shape (n_samples,), optional
    estimator : scikit-learn estimator, optional
        When given, scikit-learn's ``validate_data`` records ``n_features_in_`` and
        ``feature_names_in_`` on it.
    who : str
        Names the caller in error messages (e.g. ``"Lasso"``, ``"a path"``).
    offset : array-like of shape (n_samples,), optional
        A fixed part of the linear predictor (``X w + b + offset``; the log of an exposure for counts),
        kept in the datafit's target encoding so that every row selection takes it along.

    Returns
    -------
    FitData
    """
    datafit = make_datafit(datafit)
    reject_non_numeric_columns(X)
    names = [str(c) for c in X.columns] if hasattr(X, "columns") else None
    y = datafit.as_target_array(y)
    options = dict(
        accept_sparse=("csc", "csr"),
        dtype=FLOAT_DTYPES,
        y_numeric=not datafit.is_classifier,
        multi_output=datafit.target_is_matrix,
        ensure_all_finite=False,  # check_finite_squares below finds NaN and infinity in the same scan
    )
    if estimator is not None:
        X, y = validate_data(estimator, X, y, **options)
    else:
        X, y = check_X_y(X, y, **options)
    if X.shape[0] < 2:
        raise ValueError(f"n_samples = {X.shape[0]}: at least 2 samples are needed for {who}.")
    if datafit.target_is_matrix and np.ndim(y) != 2:
        raise ValueError(
            f"{who} expects a 2-D target of shape (n_samples, n_columns) for the {datafit.name!r} datafit, "
            f"got shape {np.shape(y)}."
        )
    check_finite_squares(X, None if datafit.is_classifier else y)
    s = check_sample_weight(sample_weight, X.shape[0])
    classes, y = datafit.encode_target(y, s, who)
    if offset is not None:
        y = datafit.with_offset(y, check_offset(offset, X.shape[0]))
    return FitData(
        X=X,
        y=np.asarray(y, dtype=np.float64),
        sample_weight=s,
        classes=classes,
        feature_names=names or list(_default_names(X.shape[1])),
        datafit=datafit,
    )


@functools.lru_cache(maxsize=4)
def _default_names(n_features: int) -> tuple[str, ...]:
    # built once per width: a cross-validation's fold paths and a benchmark's repeats ask again, and
    # formatting them took 6 ms for 50 000 features, 5% of the tf-idf 5000 x 50 000 path (a copy: 0.15 ms)
    return tuple(f"x{j}" for j in range(n_features))


def check_offset(offset, n_samples: int) -> np.ndarray:
    """A user's offset (a fixed part of the linear predictor) as a finite float64 array of shape (n,)."""
    offset = np.asarray(offset, dtype=np.float64)
    if offset.shape != (n_samples,):
        raise ValueError(f"offset has shape {offset.shape}, expected ({n_samples},): one value per sample.")
    if not np.all(np.isfinite(offset)):
        raise ValueError("offset contains NaN or infinity; pass finite values (log(exposure) with exposure > 0).")
    return offset


def weighted_mean(v, h) -> float:
    """``sum_i h_i v_i / sum_i h_i``: how every fit with an intercept centres the target (``h`` the
    sample weights, at any scale)."""
    return float(h @ v) / float(h.sum())


def column_means(X, h) -> np.ndarray:
    """The ``h``-weighted means of the columns of ``X`` (dense or sparse): how every fit with an intercept
    centres the features, without forming the centred matrix."""
    return np.asarray(X.T @ h, dtype=np.float64).ravel() / float(h.sum())
