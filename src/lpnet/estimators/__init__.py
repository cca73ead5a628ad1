"""scikit-learn estimators: Lasso, Ridge, ElasticNet, LpRegression, LogisticRegression, RegularizedModel."""

from .adaptive import AdaptiveLasso, AdaptiveLogisticRegression
from .base import LinearModelBase
from .generic import RegularizedModel
from .glm import GammaRegression, PoissonRegression, TweedieRegression
from .groups import GroupLasso, SparseGroupLasso
from .linear import ElasticNet, Lasso, LpRegression, Ridge
from .logistic import LogisticRegression
from .multitask import MultiTaskElasticNet, MultiTaskLasso
from .relaxed import RelaxedLasso, RelaxedLogisticRegression
from .robust import HuberRegression
from .survival import CoxRegression

__all__ = [
    "LinearModelBase",
    "Lasso",
    "Ridge",
    "ElasticNet",
    "LpRegression",
    "LogisticRegression",
    "RegularizedModel",
    "PoissonRegression",
    "GammaRegression",
    "TweedieRegression",
    "HuberRegression",
    "MultiTaskLasso",
    "MultiTaskElasticNet",
    "CoxRegression",
    "GroupLasso",
    "SparseGroupLasso",
    "RelaxedLasso",
    "RelaxedLogisticRegression",
    "AdaptiveLasso",
    "AdaptiveLogisticRegression",
]
