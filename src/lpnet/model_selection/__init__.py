"""Choosing alpha: cross-validated estimators, information criteria, stability selection.

Every cross-validated estimator traces the whole regularization path on each training fold (warm starts,
every alpha certified) over one grid computed on all the data, scores each alpha on the held-out fold,
and refits on all the data at the chosen alpha (see :mod:`lpnet.model_selection.cv`).
"""

from .criteria import LassoIC
from .cv import CVResults, ElasticNetCV, LassoCV, LogisticRegressionCV, LpRegressionCV
from .generic_cv import RegularizedModelCV
from .ridge import RidgeCV
from .stability import StabilityPath, stability_selection

__all__ = [
    "CVResults",
    "ElasticNetCV",
    "LassoCV",
    "LassoIC",
    "LogisticRegressionCV",
    "LpRegressionCV",
    "RegularizedModelCV",
    "RidgeCV",
    "StabilityPath",
    "stability_selection",
]
