"""RidgeCV: alpha chosen by exact leave-one-out errors from one SVD, or by K-fold cross-validation."""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.utils.validation import validate_data

from .._progress import progress_bar
from .._validation import (
    InvalidParameterError,
    check_alphas,
    check_finite_squares,
    check_penalty_factor,
    check_sample_weight,
)
from ..estimators import Ridge
from ..estimators.base import model_bounds
from ..fit_data import column_means, reject_non_numeric_columns, weighted_mean
from ..penalties import L2
from .cv import BOUNDS_CV_PARAMS, CV_PARAMS, CVResults, PathCV, grids_from_data, init_cv_params


class RidgeCV(RegressorMixin, PathCV):
    __doc__ = f"""Ridge with alpha chosen by leave-one-out (``cv=None``, from one SVD) or K-fold cross-validation.

    With ``cv=None`` the leave-one-out errors of all alphas come from one SVD of the (weighted, centred)
    data: with hat matrix ``H(alpha)`` (the intercept's ``s_i / sum s`` included), the error of sample i
    left out is ``r_i / (1 - H_ii)`` exactly, so each alpha costs O(n min(n, p)).  ``alpha`` is lpnet's
    (scikit-learn's ``RidgeCV`` alphas are ``n * alpha``).  Other ``cv`` values trace the one-SVD ridge
    path on every fold.

    Parameters
    ----------
    alphas : float or array-like, default=None
        The alphas (> 0 for leave-one-out, >= 0 with K folds); a single number is a one-alpha grid, as
        in scikit-learn.  Default: ``n_alphas`` values from the Lasso's alpha_max down to ``eps`` times it.
    cv : None, int or splitter, default=None
    store_cv_results : bool, default=False
        With ``cv=None``: keep every sample's squared leave-one-out error in ``cv_results_``, of shape
        (n_samples, n_alphas), as scikit-learn does.
    {
        CV_PARAMS.format(
            sklearn_params=BOUNDS_CV_PARAMS
            + ''' K folds only.
    selection : {"min", "1se"}, default=None
        Deprecated name of ``alpha_rule``.''',
            loss="mean squared error",
        )
        .replace(
            "(n_alphas, n_folds), or (n_l1_ratios, n_alphas, n_folds)",
            "(n_alphas, n_folds); leave-one-out: (n_alphas, n_samples)",
        )
        .replace(
            '''    cv_results_ : CVResults
        The same losses with their mean, standard deviation and both choices (``index_min``,
        ``index_1se``), as :meth:`plot_cv` draws them.''',
            '''    cv_summary_ : CVResults
        The same losses with their mean, standard deviation and both choices, as :meth:`plot_cv` draws
        them (``cv_results_`` is scikit-learn's: only with ``store_cv_results=True``).
    best_score_ : float
        Leave-one-out: minus the mean squared error of ``alpha_`` (scikit-learn's default scoring there);
        K folds: the mean held-out R^2 of ``alpha_`` over the folds (scikit-learn's grid search score).''',
        )
    }"""

    def __init__(
        self,
        alphas=None,
        *,
        n_alphas=100,
        eps=1e-6,
        cv=None,
        alpha_rule="min",
        n_jobs=None,
        progress=False,
        fit_intercept=True,
        penalty_factor=None,
        lower_bounds=None,
        upper_bounds=None,
        positive=False,
        tol=1e-6,
        max_iter=100,
        store_cv_results=False,
        selection=None,
    ):
        init_cv_params(
            self, eps, n_alphas, alphas, cv, alpha_rule, n_jobs, progress, fit_intercept, penalty_factor, tol, max_iter
        )
        self.store_cv_results = store_cv_results
        self.selection = selection
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.positive = positive

    def _penalty(self, l1_ratio):
        return L2(1.0)

    def _final_estimator(self, alpha, l1_ratio):
        return Ridge(
            alpha,
            fit_intercept=self.fit_intercept,
            penalty_factor=self.penalty_factor,
            lower_bounds=self.lower_bounds,
            upper_bounds=self.upper_bounds,
            positive=self.positive,
            tol=self.tol,
            max_iter=self.max_iter,
        )

    def _store_record(self, record: CVResults) -> None:
        self.cv_summary_ = record  # cv_results_ is scikit-learn's per-sample array (store_cv_results)

    def _cv_record(self) -> CVResults:
        return self.cv_summary_

    def _grids(self, X, y, s, templates, offset=None) -> list[np.ndarray]:
        if self.alphas is None:
            return grids_from_data(self, X, y, s, templates, self._datafit())
        # a single number (an int included) is one alpha, as in scikit-learn's RidgeCV
        values = [self.alphas] if isinstance(self.alphas, numbers.Number) else self.alphas
        return [np.sort(check_alphas(values, positive=self.cv is None))[::-1] for _ in templates]

    def _describe_folds(self, fits, shape, chosen, n_samples, s) -> None:
        self.best_score_ = float(np.mean([f.scores[chosen[1]] for f in fits]))

    def _fit(self, X, y, sample_weight, splitter_params) -> None:
        if self.cv is not None:
            if self.store_cv_results:
                raise InvalidParameterError("store_cv_results=True keeps leave-one-out errors: it needs cv=None.")
            return super()._fit(X, y, sample_weight, splitter_params)
        if self._alpha_rule() != "min":
            raise InvalidParameterError("leave-one-out (cv=None) supports alpha_rule='min' only; pass cv=K for '1se'.")
        if model_bounds(self) is not None:
            raise InvalidParameterError(
                "leave-one-out (cv=None) is the unconstrained ridge's formula: with lower_bounds / upper_bounds / "
                "positive pass cv=K (K-fold paths hold the box)."
            )
        if splitter_params:
            raise InvalidParameterError(
                f"leave-one-out (cv=None) has no splitter to route {sorted(splitter_params)} to."
            )
        X_in = X
        reject_non_numeric_columns(X)
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=False,
            dtype=(np.float64, np.float32),
            y_numeric=True,
            ensure_all_finite=False,  # check_finite_squares finds NaN and infinity
        )
        X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
        n, n_features = X.shape
        if n < 3:
            raise ValueError(f"n_samples = {n}: leave-one-out needs at least 3 samples.")
        check_finite_squares(X, y)
        s = check_sample_weight(sample_weight, n)
        v = (
            np.ones(n_features)
            if self.penalty_factor is None
            else check_penalty_factor(self.penalty_factor, n_features)
        )
        if np.any(v == 0):
            raise InvalidParameterError("leave-one-out RidgeCV needs every penalty_factor > 0; pass cv=K instead.")
        (alphas,) = self._grids(X, y, s, [self._penalty(None)])
        errors = _loo_squared_errors(X, y, s, v, alphas, self.fit_intercept, self.progress)
        losses = np.average(errors, axis=0, weights=s)
        best = int(np.argmin(losses))
        self.alphas_ = alphas
        self.alpha_, self.l1_ratio_ = float(alphas[best]), 0.0
        self.mse_path_ = errors.T
        self.best_score_ = -float(losses[best])
        if self.store_cv_results:
            self.cv_results_ = errors
        self.cv_summary_ = CVResults(
            alphas[None, :],
            np.zeros(1),
            losses[None, None, :],
            losses[None, :],
            np.zeros((1, len(alphas))),
            (0, best),
            (0, best),
        )
        self.estimator_ = self._final_estimator(self.alpha_, 0.0).fit(X_in, y, sample_weight=sample_weight)
        for name in ("coef_", "intercept_", "n_iter_", "dual_gap_", "coef_error_bound_"):
            setattr(self, name, getattr(self.estimator_, name))
        self.optimality_violation_ = None


def _loo_squared_errors(X, y, s, v, alphas, fit_intercept, progress) -> np.ndarray:
    """Every sample's squared leave-one-out error at every alpha, shape (n_samples, n_alphas)."""
    n, n_features = X.shape
    h = s / n
    if fit_intercept:
        x_mean, y_mean = column_means(X, h), weighted_mean(y, h)
    else:
        x_mean, y_mean = np.zeros(n_features), 0.0
    # rows scaled by sqrt(h), columns by 1/sqrt(v): the penalty becomes alpha/2 ||u||^2
    root_h = np.sqrt(h)
    U, S = left_singular((X - x_mean) * (root_h[:, None] / np.sqrt(v)))
    uy = U.T @ ((y - y_mean) * root_h)
    lever_free = h / h.sum() if fit_intercept else np.zeros(n)
    U2 = U * U
    inv_root_h = np.where(root_h > 0, 1.0 / np.where(root_h > 0, root_h, 1.0), 1.0)
    errors = np.empty((n, len(alphas)))
    # alphas in blocks: two matrix products per block (BLAS), n x block values held at a time
    block = max(1, min(len(alphas), 4_000_000 // max(n, 1)))
    for start in progress_bar(list(range(0, len(alphas), block)), progress, "alphas"):
        a = alphas[start : start + block]
        shrink = np.where(
            a > 0,
            S[:, None] ** 2 / (S[:, None] ** 2 + np.where(a > 0, a, 1.0)),
            (S > S.max(initial=0) * 1e-12)[:, None].astype(float),
        )
        fitted = y_mean + (U @ (shrink * uy[:, None])) * inv_root_h[:, None]
        lever = U2 @ shrink + lever_free[:, None]
        errors[:, start : start + block] = ((y[:, None] - fitted) / np.maximum(1.0 - lever, np.finfo(float).eps)) ** 2
    return errors


def left_singular(A):
    """``(U, S)`` of the thin SVD of ``A`` (n x m).

    For ``n >= 2 m`` from the eigendecomposition of ``A^T A`` (one product and an m x m problem instead
    of an n x m SVD: several times faster on tall data), unless ``A`` is ill-conditioned: squaring the
    condition number costs the small singular values ``eps * cond^2`` of relative accuracy, so below
    ``sigma_min^2 / sigma_max^2 = 1e-6`` the SVD itself is used.
    """
    n, m = A.shape
    if n >= 2 * m and m > 0:
        evals, V = np.linalg.eigh(A.T @ A)
        if evals[0] > 1e-6 * evals[-1]:
            S = np.sqrt(evals[::-1])
            return (A @ V[:, ::-1]) / S, S
    U, S, _ = np.linalg.svd(A, full_matrices=False)
    return U, S
