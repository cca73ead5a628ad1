"""scikit-learn estimators: Lasso, Ridge, ElasticNet, LpRegression, LogisticRegression, RegularizedModel."""

from .base import LinearModelBase
from .generic import RegularizedModel
from .glm import GammaRegression, PoissonRegression, TweedieRegression
from .linear import ElasticNet, Lasso, LpRegression, Ridge
from .logistic import LogisticRegression
from .multitask import MultiTaskElasticNet, MultiTaskLasso
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
]
