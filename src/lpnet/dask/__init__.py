"""lpnet on data bigger than memory: parquet/CSV files streamed chunk by chunk, or Dask collections.

The squared-loss estimators fit a model, a whole regularization path or a K-fold cross-validation over
every alpha and l1_ratio in exactly one pass over the data, from per-fold sufficient statistics
(weights, means and centred co-moments, merged pairwise), solved on the driver by lpnet's Gram
coordinate descent with its duality-gap certificate.  ``import lpnet.dask`` imports neither Dask nor
pyarrow: they are loaded when an engine needs them.
"""

from .engines import Chunk, Engine, fold_of, open_data
from .glm import RegularizedModel, RegularizedModelCV, glm_path
from .linear import ElasticNet, ElasticNetCV, Lasso, LassoCV, LpRegression, Ridge, RidgeCV
from .logistic import LogisticRegression, LogisticRegressionCV, logistic_path
from .paths import regularization_path

__all__ = [
    "RegularizedModel",
    "RegularizedModelCV",
    "glm_path",
    "Chunk",
    "ElasticNet",
    "ElasticNetCV",
    "Engine",
    "Lasso",
    "LassoCV",
    "LogisticRegression",
    "LogisticRegressionCV",
    "LpRegression",
    "Ridge",
    "RidgeCV",
    "fold_of",
    "logistic_path",
    "open_data",
    "regularization_path",
]
