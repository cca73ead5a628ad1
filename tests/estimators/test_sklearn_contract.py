"""scikit-learn's estimator checks, every estimator, no expected failures."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from lpnet import (
    ElasticNet,
    Lasso,
    LogisticRegression,
    LpRegression,
    RegularizedModel,
    Ridge,
)

ESTIMATORS = [
    Lasso(),
    Ridge(),
    ElasticNet(),
    LpRegression(alpha=0.1, p=0.5),  # alpha=1 makes w = 0 a coordinate-wise minimum of iris: 0 passes
    LpRegression(p=1.5),
    LogisticRegression(),
    LogisticRegression(penalty="l1"),
    LogisticRegression(penalty="elasticnet"),
    LogisticRegression(penalty="lp", p=0.5),
    RegularizedModel(),
    RegularizedModel(datafit="logistic", penalty="l2", alpha=0.01),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible(estimator, check):
    check(estimator)
