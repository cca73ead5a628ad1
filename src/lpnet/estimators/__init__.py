"""scikit-learn estimators: Lasso, Ridge, ElasticNet, LpRegression, LogisticRegression, RegularizedModel."""
from .generic import RegularizedModel
from .linear import ElasticNet, Lasso, LpRegression, Ridge
from .logistic import LogisticRegression

__all__ = ["Lasso", "Ridge", "ElasticNet", "LpRegression", "LogisticRegression", "RegularizedModel"]
