"""``GroupLasso`` and ``SparseGroupLasso``: penalized linear models that select groups of features."""

from __future__ import annotations

import numpy as np

from ..penalties.groups import SparseGroup
from .base import LinearModelBase
from .generic import DatafitChoice

__all__ = ["GroupLasso", "SparseGroupLasso"]

_GROUP_PARAMS = """
    groups : list of array-like of int, or array-like of shape (n_features,), default=None
        The partition of the features: one array of column indices per group (together covering every
        column exactly once), or one group label per column (numbers or strings, e.g. a pandas Series
        naming each one-hot column's categorical variable).  None: every feature is its own group.
        Overlapping groups are not supported (a column in two groups is refused; duplicate the column
        instead, one copy per group).
    weights : "sqrt", None or array-like of shape (n_groups,), default=None
        Group weights ``c_g >= 0``; None and ``"sqrt"`` give ``sqrt(group size)``; 0 leaves a group
        unpenalized.
    datafit : str or Datafit, default="squared"
        Any scalar datafit by name (``"squared"``, ``"logistic"``, ``"poisson"``, ``"gamma"``,
        ``"tweedie"``, ``"huber"``) or an instance: a regressor, or a binary classifier for
        ``"logistic"``.
    fit_intercept : bool, default=True
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), default=None
        Box constraints ``lower_j <= w_j <= upper_j`` (``-inf`` / ``inf`` allowed, None: open), as in
        :class:`lpnet.Lasso`; any box, also one that excludes 0.  ``coef_`` satisfies them exactly; the
        fit is then certified by the optimality violation with the box's normal cone (``dual_gap_`` is
        None).
    positive : bool, default=False
        Coefficients >= 0: the shortcut for ``lower_bounds=0`` (with ``lower_bounds`` also given, those
        must be >= 0).
    tol : float, default=1e-6
        Stop when the duality gap is at most ``tol`` times the intercept-only objective (datafits
        without a closed-form conjugate, Gamma and Tweedie, and boxed fits: the scale-free KKT
        violation).
    max_iter : int, default=100
        Outer iterations (certificates) of the block coordinate descent.
    warm_start : bool, default=False

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,), or (1, n_features) for a classifier
    intercept_ : float, or ndarray of shape (1,) for a classifier
    groups_ : list of ndarray
        The column indices of each group, in group order.
    group_names_ : ndarray of shape (n_groups,)
        Each group's label (its number ``0 .. n_groups - 1`` for index arrays).
    active_groups_ : ndarray
        The labels of the groups with a nonzero coefficient.
    dual_gap_, optimality_violation_, converged_, n_iter_, objective_ : as in :class:`lpnet.Lasso`
    n_features_in_, feature_names_in_
"""


class _GroupModel(DatafitChoice, LinearModelBase):
    #: group penalties take group weights, not per-feature factors (read by the shared fit)
    penalty_factor = None

    def _group_penalty(self, l1_ratio: float, alpha: float) -> SparseGroup:
        groups = self.groups
        if groups is None:  # every feature its own group
            groups = np.arange(self.n_features_in_)
        penalty = SparseGroup(alpha, groups, l1_ratio, self.weights)
        penalty.penalty_factors(self.n_features_in_)  # the groups must cover X's columns
        return penalty

    def _fit(self, X, y, sample_weight, *args, **kwargs) -> None:
        super()._fit(X, y, sample_weight, *args, **kwargs)
        penalty = self._penalty(None)
        self.groups_ = penalty.group_members()
        self.group_names_ = penalty.labels
        coef = np.ravel(self.coef_)
        active = [k for k, cols in enumerate(self.groups_) if np.any(coef[cols] != 0)]
        self.active_groups_ = penalty.labels[np.asarray(active, dtype=np.int64)]


class GroupLasso(_GroupModel):
    __doc__ = f"""The group lasso: whole groups of coefficients are kept or set to zero together.

    Objective::

        D(w, b) + alpha * sum_g c_g ||w_g||_2,   optionally subject to lower <= w <= upper

    with ``D`` the datafit (``1/(2n) sum_i s_i (y_i - x_i w - b)^2`` by default) and ``c_g`` the group
    weights (``sqrt(|g|)`` by default).  Singleton groups of weight 1 give :class:`lpnet.Lasso`.
    Fitted by block coordinate descent with working sets of groups and gap-safe group screening;
    certified by the duality gap (see ``docs/conventions.md``).

    Parameters
    ----------
    groups : see below
    alpha : float, default=1.0
        Regularization strength, >= 0.
    {_GROUP_PARAMS}"""

    def __init__(
        self,
        groups=None,
        alpha=1.0,
        *,
        weights=None,
        datafit="squared",
        fit_intercept=True,
        lower_bounds=None,
        upper_bounds=None,
        positive=False,
        tol=1e-6,
        max_iter=100,
        warm_start=False,
    ):
        self.groups = groups
        self.alpha = alpha
        self.weights = weights
        self.datafit = datafit
        self.fit_intercept = fit_intercept
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.positive = positive
        self.tol = tol
        self.max_iter = max_iter
        self.warm_start = warm_start

    def _penalty(self, weights):
        return self._group_penalty(0.0, self.alpha)


class SparseGroupLasso(_GroupModel):
    __doc__ = f"""The sparse-group lasso: groups are selected, and coefficients within a kept group too.

    Objective::

        D(w, b) + alpha * sum_g [l1_ratio ||w_g||_1 + (1 - l1_ratio) c_g ||w_g||_2],   optionally
        subject to lower <= w <= upper

    (Simon, Friedman, Hastie & Tibshirani 2013, with ``lambda = alpha`` and their ``alpha`` our
    ``l1_ratio``).  ``l1_ratio = 0`` is :class:`GroupLasso`, ``l1_ratio = 1`` the Lasso.  A group of weight
    0 is not penalized at all.

    Parameters
    ----------
    groups : see below
    alpha : float, default=1.0
        Regularization strength, >= 0.
    l1_ratio : float in [0, 1], default=0.5
        Share of the L1 part.
    {_GROUP_PARAMS}"""

    def __init__(
        self,
        groups=None,
        alpha=1.0,
        *,
        l1_ratio=0.5,
        weights=None,
        datafit="squared",
        fit_intercept=True,
        lower_bounds=None,
        upper_bounds=None,
        positive=False,
        tol=1e-6,
        max_iter=100,
        warm_start=False,
    ):
        self.groups = groups
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.weights = weights
        self.datafit = datafit
        self.fit_intercept = fit_intercept
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.positive = positive
        self.tol = tol
        self.max_iter = max_iter
        self.warm_start = warm_start

    def _penalty(self, weights):
        return self._group_penalty(self.l1_ratio, self.alpha)
