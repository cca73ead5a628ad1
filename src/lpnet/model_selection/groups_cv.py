"""``GroupLassoCV`` and ``SparseGroupLassoCV``: the group penalties with alpha chosen by K-fold CV."""

from __future__ import annotations

import numpy as np

from ..datafits import make_datafit
from ..estimators.groups import GroupLasso, SparseGroupLasso
from ..penalties.groups import SparseGroup
from .cv import BOUNDS_CV_PARAMS, CV_PARAMS, PathCV, init_cv_params
from .generic_cv import DatafitChoiceCV

__all__ = ["GroupLassoCV", "SparseGroupLassoCV"]


_PARAMS = f"""
    groups, weights, datafit : as in :class:`lpnet.GroupLasso`.{BOUNDS_CV_PARAMS}"""
# the shared CV parameters, less ``penalty_factor``: the group penalties weigh groups, not features
_CV_PARAMS = CV_PARAMS.format(sklearn_params="", loss="the datafit's mean validation loss").replace(
    "fit_intercept, penalty_factor, tol, max_iter", "fit_intercept, tol, max_iter"
)


class _GroupCV(DatafitChoiceCV, PathCV):
    #: group penalties take group weights, not per-feature factors (read by the shared CV fit)
    penalty_factor = None

    def _datafit(self):
        return make_datafit(self.datafit)

    def _penalty(self, l1_ratio) -> SparseGroup:
        groups = np.arange(self.n_features_in_) if self.groups is None else self.groups
        penalty = SparseGroup(1.0, groups, l1_ratio, self.weights)
        penalty.penalty_factors(self.n_features_in_)  # the groups must cover X's columns
        return penalty

    def _fit(self, X, y, sample_weight, splitter_params, offset=None) -> None:
        super()._fit(X, y, sample_weight, splitter_params, offset)
        for name in ("groups_", "group_names_", "active_groups_"):
            setattr(self, name, getattr(self.estimator_, name))


class GroupLassoCV(_GroupCV):
    __doc__ = f"""Group lasso (:class:`lpnet.GroupLasso`) with alpha chosen by K-fold cross-validation.

    The grid runs down from the exact ``alpha_max`` (the smallest alpha at which every penalized group
    is zero); every fold's path is certified; the refit on all the data is ``estimator_``.

    Parameters
    ----------
    {_PARAMS}
    {_CV_PARAMS}
    groups_, group_names_, active_groups_ : those of ``estimator_``"""

    def __init__(
        self,
        groups=None,
        *,
        weights=None,
        datafit="squared",
        eps=1e-3,
        n_alphas=100,
        alphas=None,
        cv=5,
        alpha_rule="min",
        n_jobs=None,
        progress=False,
        fit_intercept=True,
        lower_bounds=None,
        upper_bounds=None,
        positive=False,
        tol=1e-6,
        max_iter=100,
    ):
        self.groups = groups
        self.weights = weights
        self.datafit = datafit
        init_cv_params(
            self, eps, n_alphas, alphas, cv, alpha_rule, n_jobs, progress, fit_intercept, None, tol, max_iter
        )
        del self.penalty_factor  # (the class attribute None stands: not a parameter here)
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.positive = positive

    def _l1_ratios(self):
        return [0.0]

    def _final_estimator(self, alpha, l1_ratio):
        return GroupLasso(
            self.groups,
            alpha,
            weights=self.weights,
            datafit=self.datafit,
            fit_intercept=self.fit_intercept,
            lower_bounds=self.lower_bounds,
            upper_bounds=self.upper_bounds,
            positive=self.positive,
            tol=self.tol,
            max_iter=self.max_iter,
        )


class SparseGroupLassoCV(_GroupCV):
    __doc__ = f"""Sparse-group lasso (:class:`lpnet.SparseGroupLasso`) with alpha, and ``l1_ratio`` when
    several are given, chosen by K-fold cross-validation.

    Parameters
    ----------
    l1_ratio : float or list of float, default=0.5
        Share of the L1 part; a list is cross-validated with alpha (one grid per ``l1_ratio``).
    {_PARAMS}
    {_CV_PARAMS}
    groups_, group_names_, active_groups_ : those of ``estimator_``"""

    def __init__(
        self,
        groups=None,
        *,
        l1_ratio=0.5,
        weights=None,
        datafit="squared",
        eps=1e-3,
        n_alphas=100,
        alphas=None,
        cv=5,
        alpha_rule="min",
        n_jobs=None,
        progress=False,
        fit_intercept=True,
        lower_bounds=None,
        upper_bounds=None,
        positive=False,
        tol=1e-6,
        max_iter=100,
    ):
        self.groups = groups
        self.l1_ratio = l1_ratio
        self.weights = weights
        self.datafit = datafit
        init_cv_params(
            self, eps, n_alphas, alphas, cv, alpha_rule, n_jobs, progress, fit_intercept, None, tol, max_iter
        )
        del self.penalty_factor  # (the class attribute None stands: not a parameter here)
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.positive = positive

    def _l1_ratios(self):
        return list(np.atleast_1d(self.l1_ratio).tolist())

    def _final_estimator(self, alpha, l1_ratio):
        return SparseGroupLasso(
            self.groups,
            alpha,
            l1_ratio=l1_ratio,
            weights=self.weights,
            datafit=self.datafit,
            fit_intercept=self.fit_intercept,
            lower_bounds=self.lower_bounds,
            upper_bounds=self.upper_bounds,
            positive=self.positive,
            tol=self.tol,
            max_iter=self.max_iter,
        )
