"""Cross-validated multi-task regressors: MultiTaskLassoCV and MultiTaskElasticNetCV.

Each training fold traces the whole path over one grid computed on all the data (warm starts, the
sequential strong rule, every alpha certified by its duality gap; :func:`lpnet.solvers.multitask.
multitask_path`), each alpha is scored on the held-out fold by the mean squared error over its samples
and tasks (scikit-learn's ``mse_path_``), and the model is refitted on all the data at the chosen alpha.
"""

from __future__ import annotations

import numbers

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted

from .._progress import progress_bar
from .._validation import InvalidParameterError, check_l1_ratio, check_penalty_factor, check_positive_int, check_tol
from ..datafits import MultiTaskQuadratic
from ..estimators import MultiTaskElasticNet, MultiTaskLasso
from ..estimators.base import check_unsupported_options, staged_fit
from ..fit_data import prepare_fit
from ..path import alpha_grid, decreasing_alphas
from ..penalties import L21
from ..solvers import take_rows
from ..solvers.multitask import multitask_alpha_max, multitask_design, multitask_path
from .cv import ALPHA_RULES, CVResults, select_alpha

__all__ = ["MultiTaskElasticNetCV", "MultiTaskLassoCV"]


def _fold_losses(X, Y, s, train, test, template, alphas, fit_intercept, tol, max_iter) -> np.ndarray:
    """Held-out mean squared error (over samples and tasks) of one training fold's path, per alpha."""
    path = multitask_path(
        multitask_design(take_rows(X, train)),
        Y[train],
        template,
        alphas,
        sample_weight=s[train] * (len(train) / s[train].sum()) if s[train].sum() > 0 else s[train],
        fit_intercept=fit_intercept,
        tol=tol,
        max_iter=max_iter,
    )
    Xt = take_rows(X, test)
    # predictions of every alpha at once: (n_test, n_tasks, n_alphas)
    Z = np.stack([np.asarray(Xt @ W) + b for W, b in zip(path.coefs, path.intercepts)], axis=2)
    return np.asarray(MultiTaskQuadratic().validation_loss(Y[test], Z, s[test]))


class _MultiTaskCV(RegressorMixin, BaseEstimator):
    """Shared fit of the cross-validated multi-task regressors."""

    def _l1_ratios(self) -> list:  # pragma: no cover - overridden
        raise NotImplementedError

    def _final_estimator(self, alpha, l1_ratio):  # pragma: no cover - overridden
        raise NotImplementedError

    def fit(self, X, y, sample_weight=None):
        """Cross-validate the path, then refit on all the data at the chosen alpha.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples, n_tasks)
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        self
            A fit that raises changes nothing.
        """
        return staged_fit(self, X, y, sample_weight)

    def _grid(self, X, Y, s, template) -> np.ndarray:
        if self.alphas is not None and not isinstance(self.alphas, numbers.Integral):
            return decreasing_alphas(self.alphas)
        top = multitask_alpha_max(X, Y, template, sample_weight=s, fit_intercept=self.fit_intercept)
        return alpha_grid(top, self.n_alphas if self.alphas is None else self.alphas, self.eps)

    def _fit(self, X, y, sample_weight) -> None:
        if self.alpha_rule not in ALPHA_RULES:
            raise InvalidParameterError(f"alpha_rule must be one of {ALPHA_RULES}, got {self.alpha_rule!r}.")
        check_unsupported_options(False, self.selection)
        tol = check_tol(self.tol)
        max_iter = check_positive_int(self.max_iter, "max_iter")
        X_in, y_in = X, y
        data = prepare_fit(X, y, MultiTaskQuadratic(), sample_weight, estimator=self, who=type(self).__name__)
        X, Y, s = data.X, data.y, data.sample_weight
        factors = None if self.penalty_factor is None else check_penalty_factor(self.penalty_factor, X.shape[1])
        l1_ratios = [check_l1_ratio(r) for r in self._l1_ratios()]
        penalties = [L21(1.0, r, weights=factors) for r in l1_ratios]
        grids = [self._grid(X, Y, s, template) for template in penalties]
        from sklearn.model_selection import check_cv  # not at import: it would slow ``import lpnet``

        folds = list(check_cv(self.cv).split(X, Y))
        jobs = [(i, train, test) for i in range(len(l1_ratios)) for train, test in folds]
        show = bool(self.progress or self.verbose)
        computed = Parallel(n_jobs=self.n_jobs, prefer="threads")(
            delayed(_fold_losses)(X, Y, s, train, test, penalties[i], grids[i], self.fit_intercept, tol, max_iter)
            for i, train, test in progress_bar(jobs, show, "folds")
        )
        n_ratios, n_folds = len(l1_ratios), len(folds)
        losses = np.array(computed).reshape(n_ratios, n_folds, -1)
        mean, std = losses.mean(axis=1), losses.std(axis=1)
        index_min, index_1se = select_alpha(mean, std, n_folds)
        i, k = index_min if self.alpha_rule == "min" else index_1se
        explicit = self.alphas is not None and not isinstance(self.alphas, numbers.Integral)
        self.alphas_ = grids[0] if n_ratios == 1 or explicit else np.asarray(grids)
        self.mse_path_ = losses.transpose(0, 2, 1)  # (n_l1_ratios, n_alphas, n_folds)
        if n_ratios == 1:
            self.mse_path_ = self.mse_path_[0]
        self.l1_ratio_ = l1_ratios[i]
        self.alpha_ = float(grids[i][k])
        self.cv_results_ = CVResults(np.asarray(grids), np.asarray(l1_ratios), losses, mean, std, index_min, index_1se)
        self.estimator_ = self._final_estimator(self.alpha_, self.l1_ratio_).fit(
            X_in, y_in, sample_weight=sample_weight
        )
        for name in ("coef_", "intercept_", "n_iter_", "dual_gap_", "coef_error_bound_", "converged_"):
            setattr(self, name, getattr(self.estimator_, name))

    def _estimator_params(self) -> dict:
        return dict(
            fit_intercept=self.fit_intercept,
            penalty_factor=self.penalty_factor,
            tol=self.tol,
            max_iter=self.max_iter,
        )

    def predict(self, X):
        """Predicted targets of the refitted model, of shape (n_samples, n_tasks).

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        ndarray of shape (n_samples, n_tasks)
            The predictions.
        """
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict(X)

    def plot_cv(self, ax=None):
        """Mean validation loss against alpha with one-standard-error bars; both choices marked.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw; a new figure when None.

        Returns
        -------
        matplotlib Axes
            The Axes drawn on.
        """
        check_is_fitted(self, "estimator_")
        from ..viz import plot_cv

        return plot_cv(self.cv_results_, ax=ax, loss="MSE")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = False
        return tags


_CV_DOC = """
    eps : float, default=1e-3
        The grid runs from alpha_max down to ``eps * alpha_max`` (geometric), computed on all the data.
    n_alphas : int, default=100
    alphas : int or array-like, default=None
        An explicit grid instead, or an int: the number of alphas.
    cv : int or cross-validation splitter, default=5
    alpha_rule : {"min", "1se"}, default="min"
        Smallest mean validation loss, or glmnet's one-standard-error rule.
    n_jobs : int, default=None
        Folds in parallel (joblib threads: the compiled solvers release the GIL).
    progress : bool, default=False
        A progress bar over the folds (scikit-learn's ``verbose`` does the same).
    fit_intercept, penalty_factor, tol, max_iter : as in :class:`lpnet.MultiTaskLasso`.
    copy_X, random_state : accepted for scikit-learn compatibility.
    verbose : bool or int, default=False
    selection : {"cyclic"}, default="cyclic"

    Attributes
    ----------
    alpha_ : float
    l1_ratio_ : float
    alphas_ : ndarray of shape (n_alphas,), or (n_l1_ratios, n_alphas)
    mse_path_ : ndarray of shape (n_alphas, n_folds), or (n_l1_ratios, n_alphas, n_folds)
        Held-out mean squared error (over samples and tasks) of every alpha on every fold.
    cv_results_ : CVResults
    estimator_ : the model refitted on all the data at ``alpha_``
    coef_ : ndarray of shape (n_tasks, n_features)
    intercept_, n_iter_, dual_gap_, coef_error_bound_, converged_ : those of ``estimator_``
    n_features_in_, feature_names_in_
"""


def _init(self, eps, n_alphas, alphas, cv, alpha_rule, n_jobs, progress, options):
    self.eps = eps
    self.n_alphas = n_alphas
    self.alphas = alphas
    self.cv = cv
    self.alpha_rule = alpha_rule
    self.n_jobs = n_jobs
    self.progress = progress
    for name, value in options.items():
        setattr(self, name, value)


class MultiTaskElasticNetCV(_MultiTaskCV):
    __doc__ = f"""Multi-task Elastic Net with alpha (and l1_ratio) chosen by K-fold cross-validation.

    scikit-learn's ``MultiTaskElasticNetCV`` (same grid, folds and ``mse_path_``), with lpnet's
    certified fits, penalty factors, sample weights and the one-standard-error rule.

    Parameters
    ----------
    l1_ratio : float or list of float, default=0.5
        Every value is cross-validated; the best pair (alpha, l1_ratio) wins.
    {_CV_DOC}"""

    def __init__(
        self,
        l1_ratio=0.5,
        *,
        eps=1e-3,
        n_alphas=100,
        alphas=None,
        cv=5,
        alpha_rule="min",
        n_jobs=None,
        progress=False,
        fit_intercept=True,
        penalty_factor=None,
        tol=1e-6,
        max_iter=100,
        copy_X=True,
        verbose=0,
        random_state=None,
        selection="cyclic",
    ):
        self.l1_ratio = l1_ratio
        options = dict(
            fit_intercept=fit_intercept,
            penalty_factor=penalty_factor,
            tol=tol,
            max_iter=max_iter,
            copy_X=copy_X,
            verbose=verbose,
            random_state=random_state,
            selection=selection,
        )
        _init(self, eps, n_alphas, alphas, cv, alpha_rule, n_jobs, progress, options)

    def _l1_ratios(self) -> list:
        return list(np.atleast_1d(self.l1_ratio)) if not isinstance(self.l1_ratio, numbers.Real) else [self.l1_ratio]

    def _final_estimator(self, alpha, l1_ratio):
        return MultiTaskElasticNet(alpha, l1_ratio=l1_ratio, **self._estimator_params())


class MultiTaskLassoCV(_MultiTaskCV):
    __doc__ = f"""Multi-task Lasso with alpha chosen by K-fold cross-validation.

    scikit-learn's ``MultiTaskLassoCV`` (same grid, folds and ``mse_path_``), with lpnet's certified fits,
    penalty factors, sample weights and the one-standard-error rule.

    Parameters
    ----------
    {_CV_DOC}"""

    def __init__(
        self,
        *,
        eps=1e-3,
        n_alphas=100,
        alphas=None,
        cv=5,
        alpha_rule="min",
        n_jobs=None,
        progress=False,
        fit_intercept=True,
        penalty_factor=None,
        tol=1e-6,
        max_iter=100,
        copy_X=True,
        verbose=0,
        random_state=None,
        selection="cyclic",
    ):
        options = dict(
            fit_intercept=fit_intercept,
            penalty_factor=penalty_factor,
            tol=tol,
            max_iter=max_iter,
            copy_X=copy_X,
            verbose=verbose,
            random_state=random_state,
            selection=selection,
        )
        _init(self, eps, n_alphas, alphas, cv, alpha_rule, n_jobs, progress, options)

    def _l1_ratios(self) -> list:
        return [1.0]

    def _final_estimator(self, alpha, l1_ratio):
        return MultiTaskLasso(alpha, **self._estimator_params())
