"""lpnet: certified L1 / L2 / Elastic Net / Lp regularized models with a scikit-learn API.

Every fit returns a certificate: the duality gap for convex problems, the optimality violation for
non-convex ones (p < 1).
"""

from . import lagrange
from .constrained import (
    ConstrainedClassifier,
    ConstrainedRegression,
    alpha_for_radius,
    projection_l1_ball,
    projection_lp_ball,
    radius_for_alpha,
)
from .conventions import convert, glmnet_to_lpnet, lpnet_to_glmnet
from .estimators import (
    CoxRegression,
    ElasticNet,
    GammaRegression,
    HuberRegression,
    Lasso,
    LogisticRegression,
    LpRegression,
    MultiTaskElasticNet,
    MultiTaskLasso,
    PoissonRegression,
    RegularizedModel,
    Ridge,
    TweedieRegression,
)
from .io import load, save
from .model_selection import (
    CoxRegressionCV,
    ElasticNetCV,
    GammaRegressionCV,
    LassoCV,
    LassoIC,
    LogisticRegressionCV,
    LpRegressionCV,
    MultiTaskElasticNetCV,
    MultiTaskLassoCV,
    PoissonRegressionCV,
    RegularizedModelCV,
    RidgeCV,
    TweedieRegressionCV,
    stability_selection,
)
from .path import Path, alpha_max, enet_path, lasso_path, regularization_path
from .version import __version__

__all__ = [
    "Lasso",
    "Ridge",
    "ElasticNet",
    "LpRegression",
    "LogisticRegression",
    "RegularizedModel",
    "CoxRegression",
    "CoxRegressionCV",
    "PoissonRegression",
    "GammaRegression",
    "TweedieRegression",
    "HuberRegression",
    "save",
    "load",
    "regularization_path",
    "lasso_path",
    "enet_path",
    "alpha_max",
    "Path",
    "LassoCV",
    "ElasticNetCV",
    "LpRegressionCV",
    "RegularizedModelCV",
    "RidgeCV",
    "LogisticRegressionCV",
    "PoissonRegressionCV",
    "GammaRegressionCV",
    "TweedieRegressionCV",
    "MultiTaskLasso",
    "MultiTaskElasticNet",
    "MultiTaskLassoCV",
    "MultiTaskElasticNetCV",
    "LassoIC",
    "stability_selection",
    "ConstrainedRegression",
    "ConstrainedClassifier",
    "projection_l1_ball",
    "projection_lp_ball",
    "radius_for_alpha",
    "alpha_for_radius",
    "lagrange",
    "convert",
    "glmnet_to_lpnet",
    "lpnet_to_glmnet",
    "__version__",
]
