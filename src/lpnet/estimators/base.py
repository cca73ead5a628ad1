"""Fit wiring shared by every lpnet estimator: validation, the solve call, fitted attributes."""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted, validate_data

from .._validation import (
    InvalidParameterError,
    check_bound,
    check_bounds,
    check_penalty_factor,
    check_positive_int,
    check_tol,
)
from ..datafits import Datafit
from ..fit_data import prepare_fit, reject_non_numeric_columns
from ..penalties import Penalty, make_penalty
from ..solvers import SOLVERS, certify, pick_solver, solve


def named_penalty(model, weights) -> Penalty:
    """The penalty of an estimator with ``penalty``, ``alpha``, ``l1_ratio`` and ``p`` parameters: built from
    the name, or the user's Penalty instance (copied, never modified) with the estimator's factors when
    it has none of its own."""
    penalty = make_penalty(model.penalty, model.alpha, l1_ratio=model.l1_ratio, p=model.p, weights=weights)
    if weights is not None and penalty.weights is None:
        penalty = penalty.with_weights(weights)
    return penalty


def model_bounds(model, n_features: int | None = None):
    """``(lower, upper)`` from an estimator's ``lower_bounds``, ``upper_bounds`` and ``positive``, checked
    (against ``n_features`` when known), or None when it sets no box."""
    lower, upper = getattr(model, "lower_bounds", None), getattr(model, "upper_bounds", None)
    positive = getattr(model, "positive", False)
    if not isinstance(positive, (bool, np.bool_)):
        raise InvalidParameterError(f"positive must be True or False, got {positive!r}.")
    if positive:
        if lower is None:
            lower = 0.0
        elif np.any(np.asarray(check_bound(lower, n_features)) < 0):
            raise ValueError(
                "positive=True asks for coefficients >= 0, but lower_bounds has negative values; pass one of "
                "the two (positive=True is lower_bounds=0)."
            )
    if lower is None and upper is None:
        return None
    return check_bounds(lower, upper, n_features)


def model_penalty(model, n_features: int) -> Penalty:
    """The estimator's penalty on ``n_features`` features: its ``_penalty`` with the checked
    ``penalty_factor``, inside the box of its ``lower_bounds`` / ``upper_bounds`` / ``positive``."""
    factors = None if model.penalty_factor is None else check_penalty_factor(model.penalty_factor, n_features)
    penalty = model._penalty(factors)
    box = model_bounds(model, n_features)
    if box is None:
        penalty.bounds(n_features)  # a Penalty instance's own box must fit the data
        return penalty
    if penalty.is_bounded:
        raise ValueError(
            "the penalty object has its own bounds and lower_bounds / upper_bounds / positive were given too; pass one."
        )
    return penalty.with_bounds(*box)


def dtype_box(penalty: Penalty, n_features: int, dtype) -> Penalty:
    """The penalty with its box shrunk to the nearest bounds ``dtype`` represents (inward), so that
    coefficients rounded to ``dtype`` can sit exactly on a bound (0.1 has no float32 value)."""
    if not penalty.is_bounded:
        return penalty
    lower, upper = penalty.bounds(n_features)
    low, high = lower.astype(dtype), upper.astype(dtype)
    low = np.where(low < lower, np.nextafter(low, np.inf, dtype=low.dtype), low)
    high = np.where(high > upper, np.nextafter(high, -np.inf, dtype=high.dtype), high)
    return penalty.with_bounds(low.astype(np.float64), high.astype(np.float64))


def staged_fit(model, *args, **kwargs):
    """``model._fit(*args, **kwargs)`` on a shallow copy, whose attributes are copied back on success.

    A fit that raises (bad data, a parameter out of range) then leaves ``model`` exactly as it was:
    a fitted model stays fitted and consistent (``n_features_in_``, ``classes_``, ``coef_`` together).
    """
    staged = object.__new__(type(model))
    staged.__dict__.update(model.__dict__)
    staged._fit(*args, **kwargs)
    model.__dict__.update(staged.__dict__)
    return model


class LinearModelBase(BaseEstimator):
    """Shared ``fit`` of the penalized linear models.

    Subclasses say which datafit and penalty they fit (``_datafit``, ``_penalty``) and how the target is
    encoded (``_encode_target``).  A fit works on a staged copy of the estimator and copies its fitted
    attributes back only once it has succeeded: a fit that raises leaves a fitted estimator as it was.
    """

    #: the smallest max_iter accepted (scikit-learn's LogisticRegression takes 0: the starting point)
    _min_max_iter = 1

    # ------------------------------------------------------------------ subclass hooks
    def _datafit(self) -> Datafit:  # pragma: no cover - overridden
        raise NotImplementedError

    def _penalty(self, weights) -> Penalty:  # pragma: no cover - overridden
        raise NotImplementedError

    def _warn_about_parameters(self, penalty: Penalty, n_features: int) -> None:
        """Hook: warnings about parameter combinations (scikit-learn warns about the same ones)."""

    # ------------------------------------------------------------------ fit
    def fit(self, X, y, sample_weight=None, check_input=True):
        """Fit the model and certify the solution.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; pandas DataFrames keep their column names in ``feature_names_in_``.
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weights, rescaled to sum to ``n_samples``; integer weights equal repeated rows.
        check_input : bool, default=True
            Accepted for scikit-learn compatibility; lpnet always validates its input.

        Returns
        -------
        self
            With ``coef_``, ``intercept_``, ``n_iter_``, ``objective_``, ``dual_gap_`` (convex problems,
            else None), ``optimality_violation_`` (p < 1, else None), ``coef_error_bound_`` and
            ``converged_``.  If the fit raises, the estimator keeps its previous fitted state.
        """
        return staged_fit(self, X, y, sample_weight)

    def _fit(self, X, y, sample_weight, offset=None) -> None:
        tol = check_tol(self.tol)
        max_iter = check_positive_int(self.max_iter, "max_iter", minimum=self._min_max_iter)
        solver = getattr(self, "solver", "auto")
        if solver not in SOLVERS:
            raise InvalidParameterError(f"solver must be one of {SOLVERS}, got {solver!r}.")
        check_unsupported_options(selection=getattr(self, "selection", "cyclic"))
        X, y, s = self._validated_data(X, y, sample_weight, offset)
        penalty = model_penalty(self, X.shape[1])
        datafit = self._datafit()
        self._warn_about_parameters(penalty, X.shape[1])
        gram, given = gram_preference(getattr(self, "precompute", "auto"), X.shape[1])
        if solver == "auto" and gram is not None:
            solver = pick_solver(X, datafit, penalty, gram=gram)
        w0, b0 = self._warm_start_point(X.shape[1])
        res = solve(
            X,
            y,
            datafit,
            penalty,
            sample_weight=s,
            fit_intercept=self.fit_intercept,
            tol=tol,
            max_iter=max_iter,
            w0=w0,
            b0=b0,
            solver=solver,
            gram=given,
        )
        if X.dtype != np.float64:
            # coefficients are returned in the input's dtype: the certificate must describe them as
            # returned, so the rounded point is certified again (rounding an intercept of 500 to
            # float32 alone costs ~1e-10 of objective)
            # (a box is certified as its bounds round to the dtype, the coefficients clipped into it)
            penalty = dtype_box(penalty, X.shape[1], X.dtype)
            rounded = certify(
                X,
                y,
                datafit,
                penalty,
                penalty.project(res.coef).astype(X.dtype),
                X.dtype.type(res.intercept),
                sample_weight=s,
                fit_intercept=self.fit_intercept,
                tol=tol,
            )
            rounded.n_iter, rounded.n_outer, rounded.solver = res.n_iter, res.n_outer, res.solver
            if res.converged and not rounded.converged:
                what = (
                    f"duality gap {rounded.dual_gap:.3e}"
                    if rounded.dual_gap is not None
                    else f"optimality violation {rounded.optimality_violation:.3e}"
                )
                warnings.warn(
                    f"the fit converged, but its coefficients rounded to {X.dtype} do not: {what}; "
                    "pass float64 data for a certified fit.",
                    ConvergenceWarning,
                    stacklevel=4,
                )
            res = rounded
        self._store_coefficients(res.coef, res.intercept, res.n_iter, X.dtype)
        self.n_outer_iter_ = int(res.n_outer)
        self.objective_ = float(res.objective)
        self.dual_gap_ = None if res.dual_gap is None else float(res.dual_gap)
        self.optimality_violation_ = None if res.optimality_violation is None else float(res.optimality_violation)
        self.coef_error_bound_ = res.coef_error_bound
        self.converged_ = bool(res.converged)
        self.solver_ = res.solver

    def _validated_data(self, X, y, sample_weight, offset=None):
        """``(X, y in the datafit's encoding, sample weights summing to n)``; sets ``n_features_in_`` (and
        ``classes_`` for a classifier)."""
        data = prepare_fit(X, y, self._datafit(), sample_weight, estimator=self, who=type(self).__name__, offset=offset)
        if data.classes is not None:
            self.classes_ = data.classes
        return data.X, data.y, data.sample_weight

    def _warm_start_point(self, n_features: int):
        """``(w0, b0)`` from the previous (or hand-set) ``coef_`` / ``intercept_``, else ``(None, None)``."""
        coef = getattr(self, "coef_", None) if self.warm_start else None
        if coef is None or np.size(coef) != n_features:
            return None, None
        intercept = getattr(self, "intercept_", None)
        b0 = None if intercept is None or not self.fit_intercept else float(np.ravel(intercept)[0])
        return np.ravel(coef).astype(np.float64), b0

    def _store_coefficients(self, coef, intercept, n_iter, dtype) -> None:
        """``coef_``, ``intercept_`` and ``n_iter_`` in scikit-learn's types and shapes.

        The input's float dtype; a binary classifier's ``coef_`` is one row, ``(1, n_features)``, its
        ``intercept_`` and ``n_iter_`` arrays of shape (1,), as scikit-learn's ``LogisticRegression``.
        """
        coef = np.asarray(coef, dtype=dtype)
        intercept = np.dtype(dtype).type(intercept)
        if self._is_classifier():
            self.coef_, self.intercept_ = coef.reshape(1, -1), np.array([intercept])
            self.n_iter_ = np.array([int(n_iter)], dtype=np.int32)
        else:
            self.coef_, self.intercept_, self.n_iter_ = coef, intercept, int(n_iter)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def _is_classifier(self) -> bool:
        return self._datafit().is_classifier

    # ------------------------------------------------------------------ prediction
    def _decision(self, X, offset=None) -> np.ndarray:
        check_is_fitted(self, "coef_")
        reject_non_numeric_columns(X)
        X = validate_data(self, X, accept_sparse=("csr", "csc"), dtype=(np.float64, np.float32), reset=False)
        # (a model without an intercept, e.g. Cox's, has no intercept_)
        out = np.asarray(X @ np.ravel(self.coef_)).ravel() + np.ravel(getattr(self, "intercept_", 0.0))[0]
        if offset is not None:
            offset = np.asarray(offset, dtype=np.float64)
            if offset.shape != out.shape:
                raise ValueError(f"offset has shape {offset.shape}, expected {out.shape}: one value per sample.")
            out = out + offset
        return out

    def coef_table(self):
        """The coefficients as a pandas DataFrame, one row per feature (requires pandas).

        Returns
        -------
        pandas.DataFrame
            Indexed by ``feature_names_in_`` (``x0, x1, ...`` when the model was fitted on an array),
            with the columns ``coef`` and ``is_zero`` (the coefficient is exactly 0.0).
        """
        check_is_fitted(self, "coef_")
        import pandas as pd

        coef = np.ravel(self.coef_)
        names = getattr(self, "feature_names_in_", None)
        if names is None:
            names = [f"x{j}" for j in range(coef.shape[0])]
        return pd.DataFrame({"coef": coef, "is_zero": coef == 0.0}, index=pd.Index(names, name="feature"))


def check_unsupported_options(positive=False, selection="cyclic") -> None:
    """scikit-learn's coordinate-descent options that an estimator accepts only at their defaults (the
    estimators with a box take ``positive`` themselves, see :func:`model_bounds`)."""
    if positive:
        raise InvalidParameterError(
            "positive=True is not supported by this estimator (matrix coefficients take no bounds); fit one "
            "single-output model per column with positive=True instead."
        )
    if selection != "cyclic":
        raise InvalidParameterError(
            f"selection must be 'cyclic', got {selection!r}: lpnet's working-set coordinate descent visits "
            "the coordinates in order (the certified solution does not depend on the order)."
        )


def gram_preference(precompute, n_features: int) -> tuple[bool | None, np.ndarray | None]:
    """scikit-learn's ``precompute`` as ``(preference for the Gram solver, the given Gram or None)``.

    ``"auto"``: no preference (the data's shape decides); a bool: use the Gram mode where it applies,
    or never.  An array must be ``X^T diag(s) X`` of the data to fit (uncentred; ``s`` the sample
    weights rescaled to sum to ``n_samples``): the Gram solver checks one column of it (in its pass
    over ``X`` for the column moments), then uses it instead of computing the Gram from ``X``.  With
    an intercept lpnet centres it itself, so a Gram of uncentred data serves (scikit-learn recomputes
    it in that case).  A solver that does not use a Gram ignores it.
    """
    if isinstance(precompute, str):
        if precompute != "auto":
            raise InvalidParameterError(f"precompute must be 'auto', a bool or a Gram matrix, got {precompute!r}.")
        return None, None
    if isinstance(precompute, (bool, np.bool_)):
        return bool(precompute), None
    try:
        G = np.asarray(precompute, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidParameterError(f"precompute must be 'auto', a bool or a Gram matrix, got {precompute!r}.") from exc
    p = n_features
    if G.shape != (p, p):
        raise ValueError(f"the Gram matrix passed as precompute has shape {G.shape}, expected ({p}, {p}).")
    return True, G
