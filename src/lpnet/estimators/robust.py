"""Huber regression: robust to outliers, with the residuals' scale fixed or estimated jointly."""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import RegressorMixin

from .._validation import InvalidParameterError, check_positive_int, check_tol
from ..datafits import Huber
from ..solvers import solve
from .base import LinearModelBase, model_penalty, named_penalty, staged_fit
from .linear import params_doc
from .logistic import warn_unused_l1_ratio

#: at most this many fits while the scale is estimated (the secant steps converge in a few)
MAX_SCALE_STEPS = 60
#: the scale is searched no lower than this fraction of the target's robust spread: below it the model
#: interpolates the data (the objective's infimum is at sigma -> 0, which no scale attains)
MIN_SCALE = 1e-8


class HuberRegression(RegressorMixin, LinearModelBase):
    __doc__ = f"""Huber regression with any lpnet penalty; the residuals' scale fixed or estimated jointly.

    Objective, with ``r_i = y_i - x_i w - b``, Huber's ``h_eps(t) = t^2/2`` (``|t| <= eps``) or
    ``eps |t| - eps^2/2`` and the sample weights ``s`` summing to ``n``::

        G(w, b, sigma) = 1/n sum_i s_i (sigma / 2 + sigma h_eps(r_i / sigma)) + P(w)

    ``G`` is jointly convex in ``(w, b, sigma)``.  With ``scale="estimate"`` (default) ``sigma`` is
    minimized too, which is scikit-learn's ``HuberRegressor(epsilon, alpha=a)`` divided by ``2n`` with
    ``P = L2(a / n)``; a number fixes ``sigma``.  Residuals beyond ``eps * sigma`` count as outliers and
    pull with a constant force.

    How it is solved and certified: for a fixed ``sigma`` the fit in ``(w, b)`` is the Huber datafit
    (:class:`lpnet.datafits.Huber`) with the penalty, solved by proximal Newton and certified by its
    duality gap (``dual_gap_``).  The scale makes ``G`` stationary when
    ``1/n sum_i s_i min((r_i / sigma)^2, eps^2) = 1``; it is found by safeguarded secant steps in
    ``log sigma``, each a warm-started certified fit, until that equation holds to ``tol``
    (``scale_violation_``).

    Parameters
    ----------
    epsilon : float, default=1.35
        Residuals beyond ``epsilon * scale`` are outliers; >= 1 (1.35 gives 95% efficiency on normal data).
    penalty : str or Penalty, default="l2"
        Any name of :func:`lpnet.penalties.penalty_names` or a Penalty instance.
    alpha : float, default=1e-4
        Regularization strength (scikit-learn's ``alpha`` is ``n`` times it).
    scale : "estimate" or float, default="estimate"
        The residuals' scale ``sigma``, or "estimate" to minimize over it.
    l1_ratio : float, default=None
        Elastic Net mixing, used with ``penalty="elasticnet"``.
    p : float, default=1.0
        Used with ``penalty="lp"``.
    {params_doc("")}
    scale_ : float
        The scale used (estimated or given).
    n_iter_ : int
        With an estimated scale: the passes of all the fits along the way.
    scale_violation_ : float
        ``|1/n sum_i s_i min((r_i/sigma)^2, eps^2) - 1|`` at the end (0 with a fixed scale).
    outliers_ : ndarray of bool of shape (n_samples,)
        The training samples with ``|r_i| > epsilon * scale_``.
    """

    def __init__(
        self,
        epsilon=1.35,
        penalty="l2",
        alpha=1e-4,
        *,
        scale="estimate",
        l1_ratio=None,
        p=1.0,
        fit_intercept=True,
        penalty_factor=None,
        lower_bounds=None,
        upper_bounds=None,
        positive=False,
        tol=1e-6,
        max_iter=100,
        warm_start=False,
        solver="auto",
    ):
        self.epsilon = epsilon
        self.penalty = penalty
        self.alpha = alpha
        self.scale = scale
        self.l1_ratio = l1_ratio
        self.p = p
        self.fit_intercept = fit_intercept
        self.penalty_factor = penalty_factor
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.positive = positive
        self.tol = tol
        self.max_iter = max_iter
        self.warm_start = warm_start
        self.solver = solver

    def _fixed_scale(self) -> float | None:
        if isinstance(self.scale, str):
            if self.scale != "estimate":
                raise InvalidParameterError(f"scale must be 'estimate' or a number > 0, got {self.scale!r}.")
            return None
        if isinstance(self.scale, bool) or not isinstance(self.scale, numbers.Real) or not self.scale > 0:
            raise InvalidParameterError(f"scale must be 'estimate' or a number > 0, got {self.scale!r}.")
        return float(self.scale)

    def _datafit(self):
        # the datafit at the scale of the fit in progress (the given one, or 1 before any fit)
        sigma = getattr(self, "_sigma", None) or self._fixed_scale() or 1.0
        return Huber(self.epsilon, sigma)

    def _penalty(self, weights):
        return named_penalty(self, weights)

    _warn_about_parameters = warn_unused_l1_ratio

    def fit(self, X, y, sample_weight=None):
        """Fit ``(w, b)`` (and the scale) and certify the fit.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        self
        """
        return staged_fit(self, X, y, sample_weight)

    def _fit(self, X, y, sample_weight, offset=None) -> None:
        fixed = self._fixed_scale()
        Huber(self.epsilon)  # checks epsilon before any work
        if fixed is not None:
            self._sigma = fixed
            super()._fit(X, y, sample_weight)
            self._finish(X, y, sample_weight, 0.0)
            return
        tol = check_tol(self.tol)
        check_positive_int(self.max_iter, "max_iter")
        Xv, yv, s = self._validated_data(X, y, sample_weight)
        penalty = model_penalty(self, Xv.shape[1])
        eps = float(self.epsilon)
        w, b = None, None
        passes = 0  # over all the scale steps: the fit's n_iter_
        inner_tol = max(tol, 1e-4)  # while bracketing only phi's sign matters; then tol

        def phi(log_sigma):
            """``1/n sum s min(t^2, eps^2) - 1`` at the fit for this scale (-2 G'(sigma)); and the fit."""
            nonlocal w, b, passes
            sigma = float(np.exp(log_sigma))
            res = solve(
                Xv,
                yv,
                Huber(eps, sigma),
                penalty,
                sample_weight=s,
                fit_intercept=self.fit_intercept,
                tol=inner_tol,
                max_iter=self.max_iter,
                w0=w,
                b0=b,
                solver=self.solver,
            )
            w, b, passes = res.coef, res.intercept, passes + res.n_iter
            t = (yv - np.asarray(Xv @ w).ravel() - b) / sigma
            return float(s @ np.minimum(t * t, eps * eps)) / s.shape[0] - 1.0, res

        # bracket the root of the decreasing function phi(log sigma), then secant steps kept inside it
        # start at the target's robust spread: the weighted median absolute deviation (weights, not
        # rows, so that integer weights and repeated rows start alike)
        spread = np.abs(yv - np.average(yv, weights=s))
        order = np.argsort(spread)
        cumulative = np.cumsum(s[order])
        start = float(spread[order][np.searchsorted(cumulative, 0.5 * cumulative[-1])]) / 0.6745 or 1.0
        floor = np.log(start * MIN_SCALE)
        lo = hi = np.log(start)
        f_lo, res = phi(lo)
        f_hi = f_lo
        steps = 1
        while f_lo < 0 and steps < MAX_SCALE_STEPS and lo > floor:  # sigma too large: shrink
            hi, f_hi = lo, f_lo
            lo = max(lo - 2.0, floor)
            f_lo, res = phi(lo)
            steps += 1
        while f_hi > 0 and steps < MAX_SCALE_STEPS:  # sigma too small: grow
            lo, f_lo = hi, f_hi
            hi += 2.0
            f_hi, res = phi(hi)
            steps += 1
        current, f_cur = (lo, f_lo) if abs(f_lo) < abs(f_hi) else (hi, f_hi)
        inner_tol = tol
        while abs(f_cur) > tol and steps < MAX_SCALE_STEPS and hi - lo > 1e-13 and f_lo >= 0:
            guess = lo - f_lo * (hi - lo) / (f_hi - f_lo) if f_hi != f_lo else 0.5 * (lo + hi)
            if not lo < guess < hi or steps % 3 == 0:  # bisect now and then: secant steps can stall
                guess = 0.5 * (lo + hi)
            current = guess
            f_cur, res = phi(current)
            steps += 1
            if f_cur > 0:
                lo, f_lo = current, f_cur
            else:
                hi, f_hi = current, f_cur
        self._sigma = float(np.exp(current))
        # the final fit at the final scale, through the shared fit (certificate, float32, attributes)
        self.coef_, self.intercept_ = w, b
        warm = self.warm_start
        self.warm_start = True
        try:
            super()._fit(X, y, sample_weight)
        finally:
            self.warm_start = warm
        self.n_iter_ += passes
        t = (yv - np.asarray(Xv @ np.asarray(self.coef_, dtype=np.float64)).ravel() - self.intercept_) / self._sigma
        self._finish(X, y, sample_weight, abs(float(s @ np.minimum(t * t, eps * eps)) / s.shape[0] - 1.0))

    def _finish(self, X, y, sample_weight, violation) -> None:
        self.scale_ = float(self._sigma)
        self.scale_violation_ = float(violation)
        residual = np.asarray(y, dtype=np.float64).ravel() - self._decision(X)
        self.outliers_ = np.abs(residual) > float(self.epsilon) * self.scale_
        del self._sigma

    def predict(self, X):
        """The predictions ``X @ coef_ + intercept_``.

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
