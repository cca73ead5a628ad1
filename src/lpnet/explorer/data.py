"""The explorer's data sets: the bundled diabetes and breast cancer data, a seeded correlated pair, or the
user's arrays.

Every set is kept in memory from start-up on; nothing here reads a file named by a request.  A data set
goes with a datafit when the datafit accepts its target (:func:`refusal` asks the datafit, which names
no data set): the diabetes target (positive integers) serves the squared loss and the count and
positive-value families, the breast cancer diagnosis (0 or 1) the logistic loss.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..datafits import Datafit
from ..datasets import correlated_pair, load_breast_cancer, load_diabetes, standardize

#: the two diabetes features shown first.  With the Lasso, bp enters the model well after bmi, so the
#: optimum sits on the bmi axis (a corner of the diamond) for alphas from about 0.6 to 1 times
#: alpha_max; the two strongest predictors, bmi and s5, enter almost together and show the corner only
#: in a sliver of the slider's travel.
DIABETES_DEFAULT = ("bmi", "bp")
#: the two breast cancer features shown first.  With the L1-penalized logistic loss, mean texture enters
#: the model well after worst concave points, so the optimum sits on an axis (a corner of the diamond)
#: for alphas from about 0.3 to 0.95 times alpha_max, and both are in the model below
BREAST_CANCER_DEFAULT = ("worst concave points", "mean texture")
#: the data sets every explorer offers; a user's data set takes another name
BUILTIN_NAMES = ("diabetes", "synthetic", "breast_cancer")
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


def diabetes() -> Dataset:
    """scikit-learn's bundled diabetes data (no download), features standardized."""
    data = load_diabetes()
    return Dataset(
        BUILTIN_NAMES[0],
        standardize(data.X),
        data.y,
        list(data.feature_names),
        list(DIABETES_DEFAULT),
        "scikit-learn's diabetes data: 442 patients, 10 standardized features, "
        "target: disease progression after one year",
    )


def synthetic() -> Dataset:
    """Two standardized features with correlation about 0.8 and ``y = 2 x1 + 1.5 x2 + 1 + noise``.

    The correlation tilts the loss ellipses, so the L1 corner, the L2 shrinkage and the non-convex
    ``p < 1`` minima look clearly different; the seed makes it the same picture every time.
    """
    data = correlated_pair(SYNTHETIC_SAMPLES, SYNTHETIC_CORRELATION, SYNTHETIC_SEED)
    return Dataset(
        BUILTIN_NAMES[1], data.X, data.y, list(data.feature_names), list(data.feature_names), data.description
    )


def breast_cancer() -> Dataset:
    """scikit-learn's bundled breast cancer data (no download), features standardized; target 1 benign."""
    data = load_breast_cancer(standardized=True)
    return Dataset(
        BUILTIN_NAMES[2],
        data.X,
        data.y,
        list(data.feature_names),
        list(BREAST_CANCER_DEFAULT),
        "scikit-learn's breast cancer data: 569 tumours, 30 standardized features, target: 1 benign, 0 malignant",
    )


def user_data(X, y, feature_names=None, description="your data", name="data") -> Dataset:
    """The arrays given to :func:`lpnet.explorer.create_app`, used as they are (not standardized).

    ``name`` is what the page's data set menu shows (``lpnet explore --data`` passes the file's name).

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
    return Dataset(str(name), X, y, names, names[:2], description)


def builtin_datasets() -> list:
    """The data sets every explorer offers: diabetes first (the default), the synthetic pair, breast cancer."""
    return [diabetes(), synthetic(), breast_cancer()]


def encoded_target(dataset: Dataset, datafit: Datafit) -> np.ndarray:
    """The data set's target in the datafit's encoding (-1/+1 labels for the logistic loss).

    Raises
    ------
    ValueError
        The datafit's own message, where it does not accept the target.
    """
    _, y = datafit.encode_target(dataset.y, None, f"data set {dataset.name!r}")
    return datafit.prepare_target(y)


def refusal(dataset: Dataset, datafit: Datafit) -> str | None:
    """Why ``datafit`` does not accept the data set's target (its own message), or None when it does."""
    try:
        encoded_target(dataset, datafit)
    except ValueError as exc:
        return " ".join(str(exc).split())
    return None
