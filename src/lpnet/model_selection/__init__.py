"""Choosing alpha: cross-validated estimators, information criteria, stability selection.

Every cross-validated estimator traces the whole regularization path on each training fold (warm starts,
every alpha certified) over one grid computed on all the data, scores each alpha on the held-out fold,
and refits on all the data at the chosen alpha (see :mod:`lpnet.model_selection.cv`).
"""

from .adaptive_cv import AdaptiveLassoCV, AdaptiveLogisticRegressionCV
from .criteria import LassoIC
from .cv import CVResults, LogisticRegressionCV
from .generic_cv import RegularizedModelCV
from .glm_cv import GammaRegressionCV, PoissonRegressionCV, TweedieRegressionCV
from .groups_cv import GroupLassoCV, SparseGroupLassoCV
from .linear_cv import ElasticNetCV, LassoCV, LpRegressionCV
from .multitask_cv import MultiTaskElasticNetCV, MultiTaskLassoCV
from .relaxed_cv import RelaxedLassoCV, RelaxedLogisticRegressionCV
from .ridge import RidgeCV
from .stability import StabilityPath, stability_selection
from .survival_cv import CoxRegressionCV

__all__ = [
    "AdaptiveLassoCV",
    "AdaptiveLogisticRegressionCV",
    "CVResults",
    "CoxRegressionCV",
    "ElasticNetCV",
    "GammaRegressionCV",
    "PoissonRegressionCV",
    "TweedieRegressionCV",
    "LassoCV",
    "LassoIC",
    "LogisticRegressionCV",
    "LpRegressionCV",
    "MultiTaskLassoCV",
    "MultiTaskElasticNetCV",
    "RegularizedModelCV",
    "GroupLassoCV",
    "SparseGroupLassoCV",
    "RelaxedLassoCV",
    "RelaxedLogisticRegressionCV",
    "RidgeCV",
    "StabilityPath",
    "stability_selection",
]
