"""scikit-learn estimators: Lasso, Ridge, ElasticNet, LpRegression, LogisticRegression, RegularizedModel."""

from .base import LinearModelBase
from .generic import RegularizedModel
from .linear import ElasticNet, Lasso, LpRegression, Ridge
from .logistic import LogisticRegression

__all__ = ["LinearModelBase", "Lasso", "Ridge", "ElasticNet", "LpRegression", "LogisticRegression", "RegularizedModel"]
