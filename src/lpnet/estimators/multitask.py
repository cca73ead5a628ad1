"""Multi-task regressors with row-sparse coefficients: MultiTaskLasso and MultiTaskElasticNet.

Both minimize, over ``W`` (one row per feature, one column per task) and one intercept per task,

    ``1/(2n) sum_i s_i ||Y_i - x_i W - b||_2^2 + alpha sum_j v_j (l1_ratio ||W_j||_2 + (1 - l1_ratio)/2 ||W_j||_2^2)``

with ``s`` the sample weights rescaled to sum to ``n``: scikit-learn's ``MultiTaskLasso`` and
``MultiTaskElasticNet`` (same ``alpha`` and ``l1_ratio``), plus per-feature factors ``v`` and sample
weights.  A feature is selected for every task or for none.  The fit stops when the duality gap is at
most ``tol * F_null`` (``F_null``: the objective of the intercept-only model).
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted, validate_data

from .._validation import check_alpha, check_l1_ratio, check_penalty_factor, check_positive_int, check_tol
from ..datafits import MultiTaskQuadratic
from ..fit_data import prepare_fit, reject_non_numeric_columns
from ..penalties import L21
from ..solvers.multitask import solve_multitask
from .base import check_unsupported_options, staged_fit

__all__ = ["MultiTaskElasticNet", "MultiTaskLasso"]

_PARAMS = """
    fit_intercept : bool, default=True
        Fit one unpenalized intercept per task.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature factors ``v_j >= 0`` multiplying the penalty of row ``j``; 0 leaves a feature
        unpenalized.  ``None`` means all ones.
    tol : float, default=1e-6
        Stop when the duality gap is at most ``tol`` times the objective of the intercept-only model.
    max_iter : int, default=100
        Maximum number of outer (working-set) iterations, each ending with a certificate.
    warm_start : bool, default=False
        Start from the previous (or a hand-set) ``coef_``.
    copy_X : bool, default=True
        Accepted for scikit-learn compatibility: lpnet never writes into ``X``.
    random_state : int, RandomState instance or None, default=None
        Accepted for scikit-learn compatibility (the solver is deterministic).
    selection : {"cyclic"}, default="cyclic"
        Rows are visited in order; the certified solution does not depend on it.

    Attributes
    ----------
    coef_ : ndarray of shape (n_tasks, n_features)
        Coefficients in scikit-learn's layout (one row per task); a feature proved inactive has an
        exact 0.0 in every task.
    intercept_ : ndarray of shape (n_tasks,)
    dual_gap_ : float
        Final duality gap in the objective's units (its rounding allowance included).
    coef_error_bound_ : float or None
        Certified bound on the Frobenius distance ``||coef_ - coef*||`` for ``l1_ratio < 1`` with every
        factor > 0: ``sqrt(2 dual_gap_ / mu)``, ``mu = alpha (1 - l1_ratio) min_j v_j``; else None.
    converged_ : bool
        Whether the duality gap reached ``tol * F_null``.
    objective_ : float
    n_iter_ : int
        Block coordinate-descent passes over the working set.
    n_outer_iter_ : int
        Outer iterations, each ending with a certificate.
    n_screened_ : int
        Features proved zero by gap-safe screening during the fit.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Present when ``X`` was a DataFrame with string column names.
"""


class _MultiTaskBase(RegressorMixin, BaseEstimator):
    """Shared fit and prediction of the multi-task regressors."""

    def _l1_ratio(self) -> float:  # pragma: no cover - overridden
        raise NotImplementedError

    def fit(self, X, y, sample_weight=None):
        """Fit the model and certify the solution.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples, n_tasks)
            At least two targets (for one, use Lasso or ElasticNet).
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative, rescaled to sum to ``n_samples``; integer weights equal repeated rows.

        Returns
        -------
        self
            If the fit raises, the estimator keeps its previous fitted state.
        """
        return staged_fit(self, X, y, sample_weight)

    def _fit(self, X, y, sample_weight) -> None:
        tol = check_tol(self.tol)
        max_iter = check_positive_int(self.max_iter, "max_iter")
        check_unsupported_options(False, self.selection)
        alpha = check_alpha(self.alpha)
        data = prepare_fit(X, y, MultiTaskQuadratic(), sample_weight, estimator=self, who=type(self).__name__)
        p = data.n_features
        factors = None if self.penalty_factor is None else check_penalty_factor(self.penalty_factor, p)
        penalty = L21(alpha, self._l1_ratio(), weights=factors)
        W0 = None
        coef = getattr(self, "coef_", None) if self.warm_start else None
        if coef is not None and np.shape(coef) == (data.y.shape[1], p):
            W0 = np.asarray(coef, dtype=np.float64).T
        res = solve_multitask(
            data.X,
            data.y,
            penalty,
            sample_weight=data.sample_weight,
            fit_intercept=self.fit_intercept,
            tol=tol,
            max_iter=max_iter,
            W0=W0,
        )
        if not res.converged:
            warnings.warn(
                f"{type(self).__name__} did not reach tol={tol:g} in max_iter={max_iter} iterations: duality gap "
                f"{res.dual_gap:.3e} (objective {res.objective:.6g}). Increase max_iter, loosen tol, or "
                "standardize the features.",
                ConvergenceWarning,
                stacklevel=3,
            )
        self.coef_ = np.ascontiguousarray(res.coef.T)
        self.intercept_ = res.intercept if self.fit_intercept else np.zeros(data.y.shape[1])
        self.dual_gap_ = float(res.dual_gap)
        self.coef_error_bound_ = res.coef_error_bound
        self.converged_ = bool(res.converged)
        self.objective_ = float(res.objective)
        self.n_iter_ = int(res.n_iter)
        self.n_outer_iter_ = int(res.n_outer)
        self.n_screened_ = int(res.n_screened)

    def predict(self, X):
        """Predicted targets ``X @ coef_.T + intercept_``, of shape (n_samples, n_tasks).

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        ndarray of shape (n_samples, n_tasks)
            The predictions.
        """
        check_is_fitted(self, "coef_")
        reject_non_numeric_columns(X)
        X = validate_data(self, X, accept_sparse=("csr", "csc"), dtype=(np.float64, np.float32), reset=False)
        return np.asarray(X @ self.coef_.T) + self.intercept_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = False
        return tags


def _init(self, alpha, fit_intercept, penalty_factor, tol, max_iter, warm_start, copy_X, random_state, selection):
    self.alpha = alpha
    self.fit_intercept = fit_intercept
    self.penalty_factor = penalty_factor
    self.tol = tol
    self.max_iter = max_iter
    self.warm_start = warm_start
    self.copy_X = copy_X
    self.random_state = random_state
    self.selection = selection


class MultiTaskLasso(_MultiTaskBase):
    __doc__ = f"""Multi-task Lasso: ``1/(2n) sum_i s_i ||Y_i - x_i W - b||^2 + alpha sum_j v_j ||W_j||_2``.

    scikit-learn's ``MultiTaskLasso`` (same ``alpha``; its ``tol=1e-4`` on the gap relative to
    ``||Y||^2`` is not lpnet's: here the gap is certified against the intercept-only objective), with
    per-feature factors and sample weights.  Solved by block coordinate descent with working sets and
    gap-safe screening (:func:`lpnet.solvers.multitask.solve_multitask`).

    Parameters
    ----------
    alpha : float, default=1.0
        Strength of the L2,1 penalty.
    {_PARAMS}"""

    def __init__(
        self,
        alpha=1.0,
        *,
        fit_intercept=True,
        penalty_factor=None,
        tol=1e-6,
        max_iter=100,
        warm_start=False,
        copy_X=True,
        random_state=None,
        selection="cyclic",
    ):
        _init(self, alpha, fit_intercept, penalty_factor, tol, max_iter, warm_start, copy_X, random_state, selection)

    def _l1_ratio(self) -> float:
        return 1.0


class MultiTaskElasticNet(_MultiTaskBase):
    __doc__ = f"""Multi-task Elastic Net: the :class:`MultiTaskLasso` objective with the penalty
    ``alpha sum_j v_j (l1_ratio ||W_j||_2 + (1 - l1_ratio)/2 ||W_j||_2^2)``.

    scikit-learn's ``MultiTaskElasticNet`` (same ``alpha`` and ``l1_ratio``), with per-feature factors and
    sample weights.

    Parameters
    ----------
    alpha : float, default=1.0
    l1_ratio : float, default=0.5
        Share of the L2,1 norm in the penalty (1: :class:`MultiTaskLasso`, 0: ridge).
    {_PARAMS}"""

    def __init__(
        self,
        alpha=1.0,
        *,
        l1_ratio=0.5,
        fit_intercept=True,
        penalty_factor=None,
        tol=1e-6,
        max_iter=100,
        warm_start=False,
        copy_X=True,
        random_state=None,
        selection="cyclic",
    ):
        self.l1_ratio = l1_ratio
        _init(self, alpha, fit_intercept, penalty_factor, tol, max_iter, warm_start, copy_X, random_state, selection)

    def _l1_ratio(self) -> float:
        return check_l1_ratio(self.l1_ratio)
