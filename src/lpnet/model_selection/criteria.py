"""LassoIC: alpha chosen along the Lasso path by AIC or BIC."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from .._validation import InvalidParameterError
from ..estimators import Lasso
from ..estimators.base import model_bounds
from ..fit_data import reject_non_numeric_columns
from ..path import regularization_path
from ..penalties import L1


class LassoIC(RegressorMixin, BaseEstimator):
    """Lasso with alpha chosen by AIC or BIC along the path.

    With ``df(alpha)`` the number of nonzero coefficients (an unbiased estimate of the Lasso's degrees of
    freedom, Zou, Hastie and Tibshirani 2007; with bounds, those strictly inside their box: a coefficient
    held at a bound is fixed like a zero) and ``sigma^2`` the noise variance::

        criterion(alpha) = n log(2 pi sigma^2) + RSS(alpha) / sigma^2 + K df(alpha),   K = 2 (AIC), log n (BIC)

    ``sigma^2`` is estimated, as scikit-learn's ``LassoLarsIC`` does, from the residuals of the
    unpenalized least-squares fit: ``RSS_ols / (n - n_features - fit_intercept)`` (which needs
    ``n > n_features + fit_intercept``); pass ``noise_variance`` to skip the estimate.

    Parameters
    ----------
    criterion : {"aic", "bic"}, default="aic"
    noise_variance : float, default=None
    eps, n_alphas, alphas, fit_intercept, penalty_factor, lower_bounds, upper_bounds, positive, tol, max_iter
        As in :class:`LassoCV`.

    Attributes
    ----------
    alpha_, alphas_, criterion_ (one value per alpha), noise_variance_, coef_, intercept_, estimator_
    """

    def __init__(
        self,
        criterion="aic",
        *,
        noise_variance=None,
        eps=1e-3,
        n_alphas=100,
        alphas=None,
        fit_intercept=True,
        penalty_factor=None,
        lower_bounds=None,
        upper_bounds=None,
        positive=False,
        tol=1e-6,
        max_iter=100,
    ):
        self.criterion = criterion
        self.noise_variance = noise_variance
        self.eps = eps
        self.n_alphas = n_alphas
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.penalty_factor = penalty_factor
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.positive = positive
        self.tol = tol
        self.max_iter = max_iter

    def fit(self, X, y):
        """Trace the Lasso path, pick the alpha with the smallest criterion and refit there.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Target values.

        Returns
        -------
        self
        """
        if self.criterion not in ("aic", "bic"):
            raise InvalidParameterError(f"criterion must be 'aic' or 'bic', got {self.criterion!r}.")
        X_in = X  # the refit sees the user's data, so it keeps the feature names
        reject_non_numeric_columns(X)
        X, y = validate_data(self, X, y, accept_sparse=("csr", "csc"), dtype=(np.float64, np.float32), y_numeric=True)
        y = np.asarray(y, dtype=np.float64)
        n, n_features = X.shape
        box = model_bounds(self, n_features) or (None, None)
        sigma2 = self.noise_variance if self.noise_variance is not None else self._estimate_noise(X, y)
        self.noise_variance_ = float(sigma2)
        path = regularization_path(
            X,
            y,
            penalty=L1(1.0),
            alphas=self.alphas,
            n_alphas=self.n_alphas,
            eps=self.eps,
            penalty_factor=self.penalty_factor,
            fit_intercept=self.fit_intercept,
            tol=self.tol,
            max_iter=self.max_iter,
            lower_bounds=box[0],
            upper_bounds=box[1],
        )
        residuals = y[:, None] - (np.asarray(X @ path.coefs.T) + path.intercepts)
        rss = np.sum(residuals**2, axis=0)
        lower, upper = L1(1.0).with_bounds(*box).bounds(n_features)
        df = np.count_nonzero((path.coefs != 0) & (lower < path.coefs) & (path.coefs < upper), axis=1)
        k = 2.0 if self.criterion == "aic" else np.log(n)
        self.criterion_ = n * np.log(2 * np.pi * sigma2) + rss / sigma2 + k * df
        self.alphas_ = path.alphas
        self.alpha_ = float(path.alphas[np.argmin(self.criterion_)])
        self.estimator_ = Lasso(
            self.alpha_,
            fit_intercept=self.fit_intercept,
            penalty_factor=self.penalty_factor,
            lower_bounds=self.lower_bounds,
            upper_bounds=self.upper_bounds,
            positive=self.positive,
            tol=self.tol,
            max_iter=self.max_iter,
        ).fit(X_in, y)
        self.coef_, self.intercept_ = self.estimator_.coef_, self.estimator_.intercept_
        return self

    def _estimate_noise(self, X, y):
        n, n_features = X.shape
        dof = n - n_features - int(self.fit_intercept)
        if dof <= 0:
            raise ValueError(
                f"the noise variance cannot be estimated with n_samples={n} <= n_features + intercept "
                f"({n_features + int(self.fit_intercept)}); pass noise_variance=..."
            )
        A = X.toarray() if hasattr(X, "toarray") else np.asarray(X, dtype=np.float64)
        if self.fit_intercept:
            A = np.column_stack([A, np.ones(n)])
        coef = np.linalg.lstsq(A, y, rcond=None)[0]
        return float(np.sum((y - A @ coef) ** 2) / dof)

    def predict(self, X):
        """Predictions of the model refitted at ``alpha_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        ndarray of shape (n_samples,)
            The predictions.
        """
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict(X)
