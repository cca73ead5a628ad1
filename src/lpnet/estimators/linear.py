"""Penalized least-squares regressors: Lasso, Ridge, ElasticNet, LpRegression.

All minimize ``1/(2n) sum_i s_i (y_i - x_i w - b)^2 + P(w)`` with the intercept ``b`` unpenalized and
``s`` the sample weights rescaled to sum to ``n``.  The fit stops when the duality gap is at most
``tol * F_null`` (``F_null``: the objective of the best constant model), or for ``p < 1`` when the
scale-free optimality violation is at most ``tol``.
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.base import RegressorMixin

from ..datafits import Quadratic
from ..penalties import L1, L2, Lp
from ..penalties import ElasticNet as ElasticNetPenalty
from .base import LinearModelBase

COMMON_PARAMS = """
    fit_intercept : bool, default=True
        Fit an unpenalized intercept.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature factors ``v_j >= 0`` multiplying the penalty (glmnet's ``penalty.factor``);
        0 leaves a feature unpenalized.  ``None`` means all ones.
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), default=None
        Box constraints ``lower_j <= w_j <= upper_j`` (``-inf`` / ``inf`` allowed, None: open), on penalized
        and unpenalized features alike (glmnet's ``lower.limits`` / ``upper.limits``, which must contain 0;
        here any box is allowed).  ``coef_`` satisfies them exactly.  With a convex penalty and bounds on
        penalized features only, the box enters the duality gap's conjugate; otherwise the fit is certified
        by the optimality violation with the box's normal cone (``dual_gap_`` is None).
    positive : bool, default=False
        Coefficients >= 0: scikit-learn's shortcut for ``lower_bounds=0`` (with ``lower_bounds`` also
        given, those must be >= 0).
    tol : float, default=1e-6
        Stop when the duality gap is at most ``tol`` times the objective of the intercept-only model
        (scikit-learn's ``tol=5e-7`` is the same rule).  For ``p < 1``: the scale-free optimality violation.
    max_iter : int, default=100
        Maximum number of outer (working-set) iterations, each ending with a certificate.
        ``LogisticRegression`` also takes 0, as scikit-learn's: the starting point (the intercept-only
        model) with its certificate and a ``ConvergenceWarning``.
    warm_start : bool, default=False
        Start from the previous (or a hand-set) ``coef_`` and ``intercept_``.
    solver : {{"auto", "cd", "cd_gram", "prox_newton", "fista", "direct"}}, default="auto"
        Working-set coordinate descent (``cd``), coordinate descent on the Gram matrix (``cd_gram``),
        proximal Newton (``prox_newton``, the logistic loss),
        FISTA, or the direct solve (pure L2 or no penalty only).{extra_params}

    Attributes
    ----------
    coef_ : ndarray of shape {coef_shape}
        Coefficients, in the input's float dtype; those the optimality conditions put at zero are
        exactly 0.0.
    intercept_ : {intercept_type}
    dual_gap_ : float or None
        Final duality gap in the objective's units (None for non-convex problems).
    optimality_violation_ : float or None
        Final scale-free optimality violation (non-convex problems only).
    coef_error_bound_ : float or None
        Certified bound on ``||coef_ - coef*||_2``, the distance to the exact solution, for penalties
        with a strongly convex part (L2, Elastic Net with ``l1_ratio < 1``, ``p = 2``; every penalty
        factor > 0): ``sqrt(2 dual_gap_ / mu)`` with ``mu = alpha (1 - l1_ratio) min_j v_j``.  None
        otherwise.  The gap bounds the objective, this bound the coefficients.
    converged_ : bool
        Whether the certificate reached ``tol``.
    objective_ : float
        Final objective value.
    n_iter_ : {n_iter_type}
        {n_iter_doc}
        0 when a warm start was already certified.
    n_outer_iter_ : int
        Outer iterations, each ending with a certificate (what ``max_iter`` bounds).
    solver_ : str
        The solver that ran.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Present when ``X`` was a DataFrame with string column names.
"""

_REGRESSOR_ATTRIBUTES = {
    "coef_shape": "(n_features,)",
    "intercept_type": "float (numpy scalar)",
    "n_iter_type": "int",
    "n_iter_doc": "Passes over the features (coordinate-descent epochs over the working "
    "set), as scikit-learn counts them.",
}

_CD_PARAMS = """
    precompute : {"auto", True, False} or array-like of shape (n_features, n_features), default="auto"
        scikit-learn's switch for the Gram (covariance) solver: ``"auto"`` lets the data's shape decide,
        ``True`` uses ``solver="cd_gram"`` wherever it applies (dense data, every feature penalized),
        ``False`` never.  A Gram matrix ``X^T diag(sample_weight) X`` (of ``X`` as passed, weights rescaled
        to sum to ``n_samples``) is checked on one column against ``X`` and used by ``cd_gram`` in place
        of its own; with ``fit_intercept=True`` lpnet centres it itself, so it may be the Gram of
        uncentred data (where scikit-learn recomputes it).
    copy_X : bool, default=True
        Accepted for scikit-learn compatibility: lpnet never writes into ``X``.
    random_state : int, RandomState instance or None, default=None
        Accepted for scikit-learn compatibility (lpnet's solvers are deterministic).
    selection : {"cyclic"}, default="cyclic"
        Coordinates are visited in order; the certified solution does not depend on it."""


def params_doc(extra: str = _CD_PARAMS) -> str:
    """The shared Parameters/Attributes section of the regressors' docstrings.

    Parameters
    ----------
    extra : str
        Extra parameter entries (default: scikit-learn's coordinate-descent options).

    Returns
    -------
    str
    """
    return COMMON_PARAMS.format(extra_params=extra, **_REGRESSOR_ATTRIBUTES)


class _Regressor(RegressorMixin, LinearModelBase):
    def _datafit(self):
        return Quadratic()

    @property
    def sparse_coef_(self):
        """``coef_`` as a scipy.sparse CSR matrix of shape (1, n_features), as scikit-learn's."""
        return sp.csr_matrix(np.atleast_2d(self.coef_))

    def predict(self, X):
        """Predicted values ``X @ coef_ + intercept_``.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        ndarray of shape (n_samples,)
            The predictions.
        """
        return self._decision(X)


def _regressor_init(self, alpha, fit_intercept, penalty_factor, tol, max_iter, warm_start, solver):
    self.alpha = alpha
    self.fit_intercept = fit_intercept
    self.penalty_factor = penalty_factor
    self.tol = tol
    self.max_iter = max_iter
    self.warm_start = warm_start
    self.solver = solver


def _cd_options_init(self, precompute, copy_X, positive, random_state, selection):
    # scikit-learn's coordinate-descent parameters (see _CD_PARAMS)
    self.precompute = precompute
    self.copy_X = copy_X
    self.positive = positive
    self.random_state = random_state
    self.selection = selection


def warn_without_penalty(model, penalty, n_features) -> None:
    """scikit-learn warns when Lasso / ElasticNet get ``alpha=0``; so does lpnet, with what it does then."""
    if not penalty.is_penalized(n_features).any():
        warnings.warn(
            f"With alpha=0, {type(model).__name__} has no penalty: it fits ordinary least squares (solved "
            "directly, the minimum-norm solution when the features are collinear), the model that "
            "scikit-learn's LinearRegression estimator fits.",
            UserWarning,
            stacklevel=4,
        )


class Lasso(_Regressor):
    __doc__ = f"""Least squares with an L1 penalty.

    Objective::

        1/(2n) sum_i s_i (y_i - x_i w - b)^2 + alpha * sum_j v_j |w_j|

    Identical to scikit-learn's ``Lasso(alpha)``; glmnet's ``lambda`` with ``alpha=1``.

    Parameters
    ----------
    alpha : float, default=1.0
        Regularization strength, >= 0.
    {params_doc()}"""

    def __init__(
        self,
        alpha=1.0,
        *,
        fit_intercept=True,
        penalty_factor=None,
        lower_bounds=None,
        upper_bounds=None,
        tol=1e-6,
        max_iter=100,
        warm_start=False,
        solver="auto",
        precompute="auto",
        copy_X=True,
        positive=False,
        random_state=None,
        selection="cyclic",
    ):
        _regressor_init(self, alpha, fit_intercept, penalty_factor, tol, max_iter, warm_start, solver)
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        _cd_options_init(self, precompute, copy_X, positive, random_state, selection)

    def _penalty(self, weights):
        return L1(self.alpha, weights=weights)

    _warn_about_parameters = warn_without_penalty


class Ridge(_Regressor):
    __doc__ = f"""Least squares with an L2 penalty.

    Objective::

        1/(2n) sum_i s_i (y_i - x_i w - b)^2 + alpha/2 * sum_j v_j w_j^2

    scikit-learn's ``Ridge`` sums the loss instead of averaging it: it is ``Ridge(alpha=n * alpha)``
    there (with sample weights: their sum in place of ``n``).  glmnet fits a standardized ``y``, which
    divides its ridge penalty by the standard deviation of ``y``: glmnet's ``lambda`` (``alpha=0``) is
    ``alpha * sd(y)`` (population sd), see :func:`lpnet.convert`.  Solved directly (Cholesky, or an SVD
    when the system is ill-conditioned: ``alpha -> 0`` gives the minimum-norm least-squares solution).

    Parameters
    ----------
    alpha : float, default=1.0
        Regularization strength, >= 0.
    {
        params_doc('''
    copy_X : bool, default=True
        Accepted for scikit-learn compatibility: lpnet never writes into ``X``.
    random_state : int, RandomState instance or None, default=None
        Accepted for scikit-learn compatibility (lpnet's solvers are deterministic).''')
    }"""

    def __init__(
        self,
        alpha=1.0,
        *,
        fit_intercept=True,
        penalty_factor=None,
        lower_bounds=None,
        upper_bounds=None,
        tol=1e-6,
        max_iter=100,
        warm_start=False,
        solver="auto",
        copy_X=True,
        positive=False,
        random_state=None,
    ):
        _regressor_init(self, alpha, fit_intercept, penalty_factor, tol, max_iter, warm_start, solver)
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.copy_X = copy_X
        self.positive = positive
        self.random_state = random_state

    def _penalty(self, weights):
        return L2(self.alpha, weights=weights)


class ElasticNet(_Regressor):
    __doc__ = f"""Least squares with the Elastic Net penalty.

    Objective::

        1/(2n) sum_i s_i (y_i - x_i w - b)^2 + alpha * sum_j v_j (l1_ratio |w_j| + (1 - l1_ratio)/2 w_j^2)

    Identical to scikit-learn's ``ElasticNet(alpha, l1_ratio)``.  glmnet (``lambda``, ``alpha=a``)
    divides the ridge part by the standard deviation ``sd`` of ``y`` (population sd; it fits a
    standardized ``y``): the L1 weight ``alpha * l1_ratio`` is ``lambda * a`` and the L2 weight
    ``alpha * (1 - l1_ratio)`` is ``lambda * (1 - a) / sd``; :func:`lpnet.convert` maps the pair.

    Parameters
    ----------
    alpha : float, default=1.0
        Regularization strength, >= 0.
    l1_ratio : float, default=0.5
        Mixing in [0, 1]: 1 is the Lasso, 0 is Ridge.
    {params_doc()}"""

    def __init__(
        self,
        alpha=1.0,
        l1_ratio=0.5,
        *,
        fit_intercept=True,
        penalty_factor=None,
        lower_bounds=None,
        upper_bounds=None,
        tol=1e-6,
        max_iter=100,
        warm_start=False,
        solver="auto",
        precompute="auto",
        copy_X=True,
        positive=False,
        random_state=None,
        selection="cyclic",
    ):
        _regressor_init(self, alpha, fit_intercept, penalty_factor, tol, max_iter, warm_start, solver)
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        _cd_options_init(self, precompute, copy_X, positive, random_state, selection)
        self.l1_ratio = l1_ratio

    def _penalty(self, weights):
        return ElasticNetPenalty(self.alpha, 0.5 if self.l1_ratio is None else self.l1_ratio, weights=weights)

    _warn_about_parameters = warn_without_penalty


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
    {params_doc()}"""

    def __init__(
        self,
        alpha=1.0,
        p=1.0,
        *,
        fit_intercept=True,
        penalty_factor=None,
        lower_bounds=None,
        upper_bounds=None,
        tol=1e-6,
        max_iter=100,
        warm_start=False,
        solver="auto",
        precompute="auto",
        copy_X=True,
        positive=False,
        random_state=None,
        selection="cyclic",
    ):
        _regressor_init(self, alpha, fit_intercept, penalty_factor, tol, max_iter, warm_start, solver)
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        _cd_options_init(self, precompute, copy_X, positive, random_state, selection)
        self.p = p

    def _penalty(self, weights):
        return Lp(self.alpha, self.p, weights=weights)
