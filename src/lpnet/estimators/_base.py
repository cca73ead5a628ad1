"""Fit wiring shared by every lpnet estimator: validation, the solve call, fitted attributes."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from .._validation import (
    check_l1_ratio,
    check_p,
    check_penalty_factor,
    check_positive_int,
    check_sample_weight,
    check_tol,
)
from ..datafits import Datafit, Logistic, Quadratic
from ..penalties import L1, L2, ElasticNet, Lp, Penalty
from ..solvers import SOLVERS, solve

PENALTIES = ("l1", "l2", "elasticnet", "lp")
DATAFITS = ("squared", "logistic")


def make_penalty(kind, alpha, *, l1_ratio=0.5, p=1.0, weights=None) -> Penalty:
    """Build a penalty from its name; invalid hyperparameters raise with a fix-it message."""
    if isinstance(kind, Penalty):
        return kind
    if kind == "l1":
        return L1(alpha, weights=weights)
    if kind == "l2":
        return L2(alpha, weights=weights)
    if kind == "elasticnet":
        return ElasticNet(alpha, check_l1_ratio(l1_ratio), weights=weights)
    if kind == "lp":
        return Lp(alpha, check_p(p), weights=weights)
    raise ValueError(f"penalty must be one of {PENALTIES} or a Penalty instance, got {kind!r}.")


def make_datafit(kind) -> Datafit:
    if isinstance(kind, Datafit):
        return kind
    if kind == "squared":
        return Quadratic()
    if kind == "logistic":
        return Logistic()
    raise ValueError(f"datafit must be one of {DATAFITS} or a Datafit instance, got {kind!r}.")


def reject_non_numeric_columns(X) -> None:
    """Name the offending columns of a DataFrame instead of failing on a float conversion."""
    if not (hasattr(X, "columns") and hasattr(X, "dtypes")):
        return
    # X is a DataFrame, so pandas is already imported by the caller
    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    bad = [str(c) for c, dt in X.dtypes.items() if not (is_numeric_dtype(dt) or is_bool_dtype(dt))]
    if bad:
        raise TypeError(
            f"X has non-numeric columns {bad}; encode them (e.g. one-hot) or drop them before fitting."
        )


def encode_binary_target(y, who: str) -> tuple[np.ndarray, np.ndarray]:
    """``(classes, y in {-1, +1})`` for any two labels; ``classes[1]`` (``np.unique`` order) is +1."""
    check_classification_targets(y)
    classes = np.unique(y)
    if classes.shape[0] > 2:
        raise ValueError(
            f"Only binary classification is supported. The type of the target is multiclass "
            f"({classes.shape[0]} classes); {who} needs exactly two classes: fit one model per class "
            "(e.g. sklearn's OneVsRestClassifier)."
        )
    if classes.shape[0] != 2:
        raise ValueError(
            f"{who} is a binary classifier but y has only one class ({classes[:5].tolist()}); "
            "pass a target with exactly two classes."
        )
    return classes, np.where(y == classes[1], 1.0, -1.0)


def check_weighted_classes(y, sample_weight) -> None:
    """Both classes of a -1/+1 target must keep some positive sample weight."""
    if sample_weight[y > 0].sum() <= 0 or sample_weight[y < 0].sum() <= 0:
        raise ValueError(
            "after sample weighting only one class has positive weight; give both classes some weight."
        )


class LinearModelBase(BaseEstimator):
    """Shared ``fit`` of the penalized linear models.

    Subclasses say which datafit and penalty they fit (``_datafit``, ``_penalty``) and how the target is
    encoded (``_encode_target``).
    """

    # ------------------------------------------------------------------ subclass hooks
    def _datafit(self) -> Datafit:  # pragma: no cover - overridden
        raise NotImplementedError

    def _penalty(self, weights) -> Penalty:  # pragma: no cover - overridden
        raise NotImplementedError

    def _encode_target(self, y) -> np.ndarray:
        return np.asarray(y, dtype=np.float64)

    # ------------------------------------------------------------------ fit
    def fit(self, X, y, sample_weight=None):
        """Fit the model and certify the solution.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; pandas DataFrames keep their column names in ``feature_names_in_``.
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weights, rescaled to sum to ``n_samples``; integer weights equal repeated rows.

        Returns
        -------
        self
            With ``coef_``, ``intercept_``, ``n_iter_``, ``objective_``, ``dual_gap_`` (convex problems,
            else None), ``optimality_violation_`` (p < 1, else None) and ``converged_``.
        """
        tol = check_tol(self.tol)
        max_iter = check_positive_int(self.max_iter, "max_iter")
        solver = getattr(self, "solver", "auto")
        if solver not in SOLVERS:
            raise ValueError(f"solver must be one of {SOLVERS}, got {solver!r}.")
        reject_non_numeric_columns(X)
        X, y = validate_data(
            self, X, y, accept_sparse=("csc", "csr"), dtype=(np.float64, np.float32),
            y_numeric=not self._is_classifier(), multi_output=False,
        )
        if X.shape[0] < 2:
            raise ValueError(
                f"n_samples = {X.shape[0]}: at least 2 samples are needed to fit {type(self).__name__}."
            )
        y = self._encode_target(y)
        factors = None if self.penalty_factor is None else check_penalty_factor(self.penalty_factor, X.shape[1])
        penalty = self._penalty(factors)
        datafit = self._datafit()
        sample_weight = check_sample_weight(sample_weight, X.shape[0])
        self._check_weighted_target(y, sample_weight)

        w0 = b0 = None
        if self.warm_start and getattr(self, "coef_", None) is not None \
                and self.coef_.shape == (X.shape[1],):
            w0, b0 = self.coef_, self.intercept_
        res = solve(
            X, y, datafit, penalty, sample_weight=sample_weight, fit_intercept=self.fit_intercept,
            tol=tol, max_iter=max_iter, w0=w0, b0=b0, solver=solver,
        )
        self.coef_ = res.coef
        self.intercept_ = float(res.intercept)
        self.n_iter_ = int(res.n_iter)
        self.objective_ = float(res.objective)
        self.dual_gap_ = None if res.dual_gap is None else float(res.dual_gap)
        self.optimality_violation_ = (
            None if res.optimality_violation is None else float(res.optimality_violation)
        )
        self.converged_ = bool(res.converged)
        self.solver_ = res.solver
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def _check_weighted_target(self, y, sample_weight) -> None:
        """Hook for target checks that depend on the sample weights."""

    def _is_classifier(self) -> bool:
        return False

    # ------------------------------------------------------------------ prediction
    def _decision(self, X) -> np.ndarray:
        check_is_fitted(self, "coef_")
        reject_non_numeric_columns(X)
        X = validate_data(self, X, accept_sparse=("csr", "csc"), dtype=(np.float64, np.float32), reset=False)
        out = X @ self.coef_ if sp.issparse(X) else np.asarray(X, dtype=np.float64) @ self.coef_
        return np.asarray(out).ravel() + self.intercept_

    def coef_table(self):
        """The coefficients as a pandas DataFrame indexed by feature name (requires pandas)."""
        check_is_fitted(self, "coef_")
        import pandas as pd

        names = getattr(self, "feature_names_in_", None)
        if names is None:
            names = [f"x{j}" for j in range(self.coef_.shape[0])]
        return pd.DataFrame({"coef": self.coef_, "is_zero": self.coef_ == 0.0}, index=pd.Index(names, name="feature"))
