"""The least-squares cross-validated estimators with scikit-learn's names: :class:`ElasticNetCV`,
:class:`LassoCV` and :class:`LpRegressionCV` (the shared machinery is :class:`lpnet.model_selection.cv.PathCV`)."""

from __future__ import annotations

import numpy as np
from sklearn.base import RegressorMixin

from .._validation import check_p
from ..estimators import ElasticNet, Lasso, LpRegression
from ..penalties import L1, Lp
from ..penalties import ElasticNet as ElasticNetPenalty
from .cv import CV_PARAMS, SKLEARN_CV_PARAMS, PathCV, init_cv_params


def _init_sklearn_cd(self, precompute, copy_X, verbose, positive, random_state, selection):
    self.precompute = precompute
    self.copy_X = copy_X
    self.verbose = verbose
    self.positive = positive
    self.random_state = random_state
    self.selection = selection


class ElasticNetCV(RegressorMixin, PathCV):
    __doc__ = f"""Elastic Net with alpha (and l1_ratio) chosen by K-fold cross-validation.

    Parameters
    ----------
    l1_ratio : float or list of float, default=0.5
        Every value is cross-validated; the best pair (alpha, l1_ratio) wins.
    {CV_PARAMS.format(sklearn_params=SKLEARN_CV_PARAMS, loss="mean squared error")}"""

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
        lower_bounds=None,
        upper_bounds=None,
        tol=1e-6,
        max_iter=100,
        precompute="auto",
        copy_X=True,
        verbose=False,
        positive=False,
        random_state=None,
        selection="cyclic",
    ):
        self.l1_ratio = l1_ratio
        init_cv_params(
            self, eps, n_alphas, alphas, cv, alpha_rule, n_jobs, progress, fit_intercept, penalty_factor, tol, max_iter
        )
        _init_sklearn_cd(self, precompute, copy_X, verbose, positive, random_state, selection)
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds

    def _l1_ratios(self):
        return list(np.atleast_1d(self.l1_ratio))

    def _penalty(self, l1_ratio):
        return ElasticNetPenalty(1.0, l1_ratio)

    def _final_estimator(self, alpha, l1_ratio):
        return ElasticNet(
            alpha,
            l1_ratio,
            fit_intercept=self.fit_intercept,
            penalty_factor=self.penalty_factor,
            lower_bounds=self.lower_bounds,
            upper_bounds=self.upper_bounds,
            positive=self.positive,
            tol=self.tol,
            max_iter=self.max_iter,
            precompute=self.precompute,
        )


class LassoCV(RegressorMixin, PathCV):
    __doc__ = f"""Lasso with alpha chosen by K-fold cross-validation.

    Parameters
    ----------
    {CV_PARAMS.format(sklearn_params=SKLEARN_CV_PARAMS, loss="mean squared error")}"""

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
        lower_bounds=None,
        upper_bounds=None,
        tol=1e-6,
        max_iter=100,
        precompute="auto",
        copy_X=True,
        verbose=False,
        positive=False,
        random_state=None,
        selection="cyclic",
    ):
        init_cv_params(
            self, eps, n_alphas, alphas, cv, alpha_rule, n_jobs, progress, fit_intercept, penalty_factor, tol, max_iter
        )
        _init_sklearn_cd(self, precompute, copy_X, verbose, positive, random_state, selection)
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds

    def _penalty(self, l1_ratio):
        return L1(1.0)

    def _final_estimator(self, alpha, l1_ratio):
        return Lasso(
            alpha,
            fit_intercept=self.fit_intercept,
            penalty_factor=self.penalty_factor,
            lower_bounds=self.lower_bounds,
            upper_bounds=self.upper_bounds,
            positive=self.positive,
            tol=self.tol,
            max_iter=self.max_iter,
            precompute=self.precompute,
        )


class LpRegressionCV(RegressorMixin, PathCV):
    __doc__ = f"""Lp-penalized least squares with alpha chosen by K-fold cross-validation.

    Parameters
    ----------
    p : float, default=1.0
    {CV_PARAMS.format(sklearn_params=SKLEARN_CV_PARAMS, loss="mean squared error")}"""

    def __init__(
        self,
        p=1.0,
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
        lower_bounds=None,
        upper_bounds=None,
        tol=1e-6,
        max_iter=100,
        precompute="auto",
        copy_X=True,
        verbose=False,
        positive=False,
        random_state=None,
        selection="cyclic",
    ):
        self.p = p
        init_cv_params(
            self, eps, n_alphas, alphas, cv, alpha_rule, n_jobs, progress, fit_intercept, penalty_factor, tol, max_iter
        )
        _init_sklearn_cd(self, precompute, copy_X, verbose, positive, random_state, selection)
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds

    def _penalty(self, l1_ratio):
        return Lp(1.0, check_p(self.p))

    def _final_estimator(self, alpha, l1_ratio):
        return LpRegression(
            alpha,
            self.p,
            fit_intercept=self.fit_intercept,
            penalty_factor=self.penalty_factor,
            lower_bounds=self.lower_bounds,
            upper_bounds=self.upper_bounds,
            positive=self.positive,
            tol=self.tol,
            max_iter=self.max_iter,
            precompute=self.precompute,
        )
