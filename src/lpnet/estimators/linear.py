"""Penalized least-squares regressors: Lasso, Ridge, ElasticNet, LpRegression.

All minimize ``1/(2n) sum_i s_i (y_i - x_i w - b)^2 + P(w)`` with the intercept ``b`` unpenalized and
``s`` the sample weights rescaled to sum to ``n``.  The fit stops when the duality gap is at most
``tol * F_null`` (``F_null``: the objective of the best constant model), or for ``p < 1`` when the
scale-free optimality violation is at most ``tol``.
"""
from __future__ import annotations

from sklearn.base import RegressorMixin

from ._base import LinearModelBase, make_datafit, make_penalty

_COMMON_PARAMS = """
    fit_intercept : bool, default=True
        Fit an unpenalized intercept.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature factors ``v_j >= 0`` multiplying the penalty (glmnet's ``penalty.factor``);
        0 leaves a feature unpenalized.  ``None`` means all ones.
    tol : float, default=1e-6
        Stop when the duality gap is at most ``tol`` times the objective of the intercept-only model
        (scikit-learn's ``tol=5e-7`` is the same rule).  For ``p < 1``: the scale-free optimality violation.
    max_iter : int, default=100
        Maximum number of outer (working-set) iterations, each ending with a certificate.
    warm_start : bool, default=False
        Start from the previous ``coef_`` and ``intercept_``.
    solver : {"auto", "cd", "fista", "direct"}, default="auto"
        Working-set coordinate descent (``cd``), FISTA, or the direct solve (pure L2 only).

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        Coefficients; those the optimality conditions put at zero are exactly 0.0.
    intercept_ : float
    dual_gap_ : float or None
        Final duality gap in the objective's units (None for non-convex problems).
    optimality_violation_ : float or None
        Final scale-free optimality violation (non-convex problems only).
    converged_ : bool
        Whether the certificate reached ``tol``.
    objective_ : float
        Final objective value.
    n_iter_ : int
        Number of outer iterations.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Present when ``X`` was a DataFrame with string column names.
"""


class _Regressor(RegressorMixin, LinearModelBase):
    def _datafit(self):
        return make_datafit("squared")

    def predict(self, X):
        """Predicted values ``X @ coef_ + intercept_``."""
        return self._decision(X)


def _regressor_init(self, alpha, fit_intercept, penalty_factor, tol, max_iter, warm_start, solver):
    self.alpha = alpha
    self.fit_intercept = fit_intercept
    self.penalty_factor = penalty_factor
    self.tol = tol
    self.max_iter = max_iter
    self.warm_start = warm_start
    self.solver = solver


class Lasso(_Regressor):
    __doc__ = f"""Least squares with an L1 penalty.

    Objective::

        1/(2n) sum_i s_i (y_i - x_i w - b)^2 + alpha * sum_j v_j |w_j|

    Identical to scikit-learn's ``Lasso(alpha)``; glmnet's ``lambda`` with ``alpha=1``.

    Parameters
    ----------
    alpha : float, default=1.0
        Regularization strength, >= 0.
    {_COMMON_PARAMS}"""

    def __init__(self, alpha=1.0, *, fit_intercept=True, penalty_factor=None, tol=1e-6, max_iter=100,
                 warm_start=False, solver="auto"):
        _regressor_init(self, alpha, fit_intercept, penalty_factor, tol, max_iter, warm_start, solver)

    def _penalty(self, weights):
        return make_penalty("l1", self.alpha, weights=weights)


class Ridge(_Regressor):
    __doc__ = f"""Least squares with an L2 penalty.

    Objective::

        1/(2n) sum_i s_i (y_i - x_i w - b)^2 + alpha/2 * sum_j v_j w_j^2

    scikit-learn's ``Ridge`` leaves out the ``1/n``: it is ``Ridge(alpha=n * alpha)`` there; glmnet's
    ``lambda`` with ``alpha=0``.  Dense data are solved directly (Cholesky), sparse data by coordinate
    descent.

    Parameters
    ----------
    alpha : float, default=1.0
        Regularization strength, >= 0.
    {_COMMON_PARAMS}"""

    def __init__(self, alpha=1.0, *, fit_intercept=True, penalty_factor=None, tol=1e-6, max_iter=100,
                 warm_start=False, solver="auto"):
        _regressor_init(self, alpha, fit_intercept, penalty_factor, tol, max_iter, warm_start, solver)

    def _penalty(self, weights):
        return make_penalty("l2", self.alpha, weights=weights)


class ElasticNet(_Regressor):
    __doc__ = f"""Least squares with the Elastic Net penalty.

    Objective::

        1/(2n) sum_i s_i (y_i - x_i w - b)^2 + alpha * sum_j v_j (l1_ratio |w_j| + (1 - l1_ratio)/2 w_j^2)

    Identical to scikit-learn's ``ElasticNet(alpha, l1_ratio)``; glmnet's ``lambda=alpha``,
    ``alpha=l1_ratio``.

    Parameters
    ----------
    alpha : float, default=1.0
        Regularization strength, >= 0.
    l1_ratio : float, default=0.5
        Mixing in [0, 1]: 1 is the Lasso, 0 is Ridge.
    {_COMMON_PARAMS}"""

    def __init__(self, alpha=1.0, l1_ratio=0.5, *, fit_intercept=True, penalty_factor=None, tol=1e-6,
                 max_iter=100, warm_start=False, solver="auto"):
        _regressor_init(self, alpha, fit_intercept, penalty_factor, tol, max_iter, warm_start, solver)
        self.l1_ratio = l1_ratio

    def _penalty(self, weights):
        return make_penalty("elasticnet", self.alpha, l1_ratio=self.l1_ratio, weights=weights)


class LpRegression(_Regressor):
    __doc__ = f"""Least squares with an Lp penalty, any ``p > 0``.

    Objective::

        1/(2n) sum_i s_i (y_i - x_i w - b)^2 + alpha/p * sum_j v_j |w_j|^p

    ``p = 1`` is the Lasso and ``p = 2`` Ridge with the same ``alpha``.  For ``p < 1`` the problem is
    non-convex: coordinate descent with the exact (global) scalar prox reaches a coordinate-wise
    minimum, reported with ``optimality_violation_`` instead of a duality gap.

    Parameters
    ----------
    alpha : float, default=1.0
        Regularization strength, >= 0.
    p : float, default=1.0
        Exponent, > 0 and finite.
    {_COMMON_PARAMS}"""

    def __init__(self, alpha=1.0, p=1.0, *, fit_intercept=True, penalty_factor=None, tol=1e-6,
                 max_iter=100, warm_start=False, solver="auto"):
        _regressor_init(self, alpha, fit_intercept, penalty_factor, tol, max_iter, warm_start, solver)
        self.p = p

    def _penalty(self, weights):
        return make_penalty("lp", self.alpha, p=self.p, weights=weights)
