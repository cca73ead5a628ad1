"""scikit-learn's estimator checks on the constrained estimators, no expected failures."""

import numpy as np
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from lpnet.constrained import (
    ConstrainedClassifier,
    ConstrainedRegression,
    LocalSolutionWarning,
)

# The sample-weight equivalence checks compare predictions to rtol=1e-7, far below what a duality gap
# of 1e-6 * D_null pins down: the convex instances use a tight tol.  Their data have 15 samples and 30
# features, so an inactive constraint leaves many least-squares solutions (all optimal, different
# predictions on the zero-weight rows): the radii keep the constraint active, where the L2 ball's
# solution is unique and the box's (every coordinate at the bound) too.
ESTIMATORS = [
    ConstrainedRegression(tol=1e-10),
    ConstrainedRegression(radius=0.5, p=2.0, tol=1e-10),
    ConstrainedRegression(radius=0.05, p=np.inf, tol=1e-10),
    ConstrainedRegression(radius=1.0, p=0.5),
    ConstrainedClassifier(tol=1e-10),
    ConstrainedClassifier(radius=0.5, p=1.5, tol=1e-10),
    ConstrainedRegression(datafit="logistic", tol=1e-10),
]


@pytest.mark.filterwarnings("ignore::lpnet.constrained.LocalSolutionWarning")
@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_local_warning_class_is_a_user_warning():
    assert issubclass(LocalSolutionWarning, UserWarning)
