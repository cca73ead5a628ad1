"""Choosing alpha: cross-validated estimators, information criteria, stability selection.

Every cross-validated estimator traces the whole regularization path on each training fold (warm starts,
every alpha certified) over one grid computed on all the data, scores each alpha on the held-out fold,
picks ``alpha_`` by the smallest mean validation loss (``selection="min"``) or by glmnet's
one-standard-error rule (``"1se"``: the largest alpha whose mean loss is within one standard error of the
minimum), and refits on all the data at the chosen alpha.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from ._progress import progress_bar
from ._validation import (
    check_l1_ratio,
    check_p,
    check_penalty_factor,
    check_sample_weight,
)
from .estimators import ElasticNet, Lasso, LogisticRegression, LpRegression, Ridge
from .estimators._base import reject_non_numeric_columns
from .estimators.logistic import ClassifierBase
from .path import alpha_max, regularization_path

SELECTIONS = ("min", "1se")


@dataclass
class CVResults:
    """Validation losses: ``mean`` and ``std`` of shape (n_l1_ratios, n_alphas), per-fold ``losses``."""

    alphas: np.ndarray
    l1_ratios: np.ndarray
    losses: np.ndarray  # (n_l1_ratios, n_folds, n_alphas)
    mean: np.ndarray
    std: np.ndarray
    index_min: tuple
    index_1se: tuple


def _validation_loss(datafit, y, z, s):
    """Mean squared error (squared loss) or mean log-loss (logistic), weighted by ``s``."""
    if datafit == "squared":
        return float(np.average((y - z) ** 2, weights=s))
    return float(np.average(np.logaddexp(0.0, -y * z), weights=s))


def _fold_losses(X, y, s, train, test, penalty, datafit, alphas, l1_ratio, p, factors, fit_intercept,
                 tol, max_iter):
    path = regularization_path(
        X[train], y[train], penalty=penalty, datafit=datafit, alphas=alphas, l1_ratio=l1_ratio, p=p,
        penalty_factor=factors, fit_intercept=fit_intercept, sample_weight=s[train], tol=tol,
        max_iter=max_iter,
    )
    z = np.asarray(X[test] @ path.coefs.T) + path.intercepts
    return np.array([_validation_loss(datafit, y[test], z[:, k], s[test]) for k in range(len(alphas))])


def _select(mean, std, n_folds):
    """Indices (l1_ratio, alpha) of the minimum and of the one-standard-error choice.

    Alphas are decreasing, so the 1se rule takes the first (largest) alpha, for the l1_ratio of the
    minimum, whose mean loss is at most the minimum plus its standard error.
    """
    i, k = np.unravel_index(np.argmin(mean), mean.shape)
    bound = mean[i, k] + std[i, k] / np.sqrt(n_folds)
    k_1se = int(np.flatnonzero(mean[i] <= bound)[0])
    return (int(i), int(k)), (int(i), k_1se)


class _PathCV(BaseEstimator):
    """Shared ``fit`` of the cross-validated estimators; subclasses name the penalty and the model."""

    _penalty_name = "elasticnet"
    _datafit_name = "squared"

    def _l1_ratios(self):
        return [1.0]

    def _final_estimator(self, alpha, l1_ratio):  # pragma: no cover - overridden
        raise NotImplementedError

    def fit(self, X, y, sample_weight=None):
        """Cross-validate the path, then refit on all the data at the chosen alpha.

        Returns
        -------
        self
            With ``alpha_``, ``l1_ratio_``, ``alphas_``, ``cv_results_`` (``CVResults``), ``mse_path_``
            (mean validation loss per l1_ratio and alpha), ``coef_``, ``intercept_`` and the final model
            in ``estimator_``.
        """
        if self.selection not in SELECTIONS:
            raise ValueError(f"selection must be one of {SELECTIONS}, got {self.selection!r}.")
        reject_non_numeric_columns(X)
        X, y = validate_data(self, X, y, accept_sparse=("csr", "csc"), dtype=(np.float64, np.float32),
                             y_numeric=self._datafit_name == "squared")
        if X.shape[0] < 2:
            raise ValueError(f"n_samples = {X.shape[0]}: cross-validation needs at least 2 samples.")
        s = check_sample_weight(sample_weight, X.shape[0])
        if self._datafit_name == "logistic":
            y_fit = ClassifierBase._encode_target(self, y)  # sets classes_; binary only
        else:
            y_fit = np.asarray(y, dtype=np.float64)
        l1_ratios = [check_l1_ratio(r) for r in self._l1_ratios()]
        p = check_p(getattr(self, "p", 1.0))
        grids = [self._grid(X, y_fit, s, r) for r in l1_ratios]
        from sklearn.model_selection import (
            check_cv,  # not at import: it would slow ``import lpnet``
        )

        splitter = check_cv(self.cv, y, classifier=self._datafit_name == "logistic")
        folds = list(splitter.split(X, y))
        jobs = [(i, train, test) for i in range(len(l1_ratios)) for train, test in folds]
        losses = Parallel(n_jobs=self.n_jobs)(
            delayed(_fold_losses)(X, y_fit, s, train, test, self._penalty_name, self._datafit_name,
                                  grids[i], l1_ratios[i], p, self.penalty_factor, self.fit_intercept,
                                  self.tol, self.max_iter)
            for i, train, test in progress_bar(jobs, self.progress, "folds")
        )
        losses = np.asarray(losses).reshape(len(l1_ratios), len(folds), -1)
        mean, std = losses.mean(axis=1), losses.std(axis=1)
        index_min, index_1se = _select(mean, std, len(folds))
        i, k = index_min if self.selection == "min" else index_1se
        self.alphas_ = np.asarray(grids)
        self.l1_ratio_ = l1_ratios[i]
        self.alpha_ = float(grids[i][k])
        self.mse_path_ = mean
        self.cv_results_ = CVResults(self.alphas_, np.asarray(l1_ratios), losses, mean, std, index_min, index_1se)
        self.estimator_ = self._final_estimator(self.alpha_, self.l1_ratio_).fit(X, y, sample_weight=sample_weight)
        self.n_iter_ = self.estimator_.n_iter_
        self.coef_ = self.estimator_.coef_
        self.intercept_ = self.estimator_.intercept_
        self.dual_gap_ = self.estimator_.dual_gap_
        self.optimality_violation_ = self.estimator_.optimality_violation_
        return self

    def _grid(self, X, y, s, l1_ratio):
        if self.alphas is not None:
            alphas = np.sort(np.asarray(self.alphas, dtype=np.float64))[::-1]
            if alphas.size == 0 or np.any(alphas < 0) or not np.all(np.isfinite(alphas)):
                raise ValueError("alphas must be a non-empty list of finite values >= 0.")
            return alphas
        if not 0.0 < self.eps < 1.0:
            raise ValueError(f"eps must lie in (0, 1), got {self.eps}.")
        # Ridge-like penalties have no finite alpha_max: alpha_max() gives the Lasso's as the grid scale
        penalty = "l2" if (self._penalty_name == "elasticnet" and l1_ratio == 0.0) else self._penalty_name
        top = alpha_max(X, y, penalty=penalty, datafit=self._datafit_name, l1_ratio=l1_ratio,
                        penalty_factor=self.penalty_factor, fit_intercept=self.fit_intercept,
                        sample_weight=s)
        return np.geomspace(top, top * self.eps, self.n_alphas)

    def predict(self, X):
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def plot_cv(self, ax=None):
        """Mean validation loss against alpha with one-standard-error bars; both choices marked."""
        check_is_fitted(self, "cv_results_")
        import matplotlib.pyplot as plt

        res = self.cv_results_
        ax = ax if ax is not None else plt.subplots(figsize=(7, 4))[1]
        n_folds = res.losses.shape[1]
        for i, ratio in enumerate(res.l1_ratios):
            label = f"l1_ratio={ratio:g}" if len(res.l1_ratios) > 1 else "mean validation loss"
            ax.errorbar(res.alphas[i], res.mean[i], yerr=res.std[i] / np.sqrt(n_folds), fmt="o-", ms=3,
                        capsize=2, label=label)
        for (i, k), name, style in ((res.index_min, "min", "--"), (res.index_1se, "1se", ":")):
            ax.axvline(res.alphas[i][k], color="k", linestyle=style, label=f"{name}: alpha={res.alphas[i][k]:.3g}")
        ax.set_xscale("log")
        ax.set_xlabel("alpha")
        ax.set_ylabel("validation loss")
        ax.legend()
        return ax


_CV_PARAMS = """
    eps : float, default=1e-3
        The grid runs from alpha_max down to ``eps * alpha_max`` (geometric), computed on all the data.
    n_alphas : int, default=100
    alphas : array-like, default=None
        An explicit grid instead.
    cv : int or cross-validation splitter, default=5
    selection : {"min", "1se"}, default="min"
        Smallest mean validation loss, or glmnet's one-standard-error rule.
    n_jobs : int, default=None
        Folds in parallel (joblib).
    progress : bool, default=False
        A progress bar over the folds on stderr.
    fit_intercept, penalty_factor, tol, max_iter : as in the single-alpha estimators.
"""


def _init_cv(self, eps, n_alphas, alphas, cv, selection, n_jobs, progress, fit_intercept, penalty_factor,
             tol, max_iter):
    self.eps = eps
    self.n_alphas = n_alphas
    self.alphas = alphas
    self.cv = cv
    self.selection = selection
    self.n_jobs = n_jobs
    self.progress = progress
    self.fit_intercept = fit_intercept
    self.penalty_factor = penalty_factor
    self.tol = tol
    self.max_iter = max_iter


class ElasticNetCV(RegressorMixin, _PathCV):
    __doc__ = f"""Elastic Net with alpha (and l1_ratio) chosen by K-fold cross-validation.

    Parameters
    ----------
    l1_ratio : float or list of float, default=0.5
        Every value is cross-validated; the best pair (alpha, l1_ratio) wins.
    {_CV_PARAMS}"""

    def __init__(self, l1_ratio=0.5, *, eps=1e-3, n_alphas=100, alphas=None, cv=5, selection="min",
                 n_jobs=None, progress=False, fit_intercept=True, penalty_factor=None, tol=1e-6,
                 max_iter=100):
        self.l1_ratio = l1_ratio
        _init_cv(self, eps, n_alphas, alphas, cv, selection, n_jobs, progress, fit_intercept, penalty_factor,
                 tol, max_iter)

    def _l1_ratios(self):
        return list(np.atleast_1d(self.l1_ratio))

    def _final_estimator(self, alpha, l1_ratio):
        return ElasticNet(alpha, l1_ratio, fit_intercept=self.fit_intercept,
                          penalty_factor=self.penalty_factor, tol=self.tol, max_iter=self.max_iter)


class LassoCV(RegressorMixin, _PathCV):
    __doc__ = f"""Lasso with alpha chosen by K-fold cross-validation.

    Parameters
    ----------
    {_CV_PARAMS}"""

    _penalty_name = "l1"

    def __init__(self, *, eps=1e-3, n_alphas=100, alphas=None, cv=5, selection="min", n_jobs=None,
                 progress=False, fit_intercept=True, penalty_factor=None, tol=1e-6, max_iter=100):
        _init_cv(self, eps, n_alphas, alphas, cv, selection, n_jobs, progress, fit_intercept, penalty_factor,
                 tol, max_iter)

    def _final_estimator(self, alpha, l1_ratio):
        return Lasso(alpha, fit_intercept=self.fit_intercept, penalty_factor=self.penalty_factor,
                     tol=self.tol, max_iter=self.max_iter)


class LpRegressionCV(RegressorMixin, _PathCV):
    __doc__ = f"""Lp-penalized least squares with alpha chosen by K-fold cross-validation.

    Parameters
    ----------
    p : float, default=1.0
    {_CV_PARAMS}"""

    _penalty_name = "lp"

    def __init__(self, p=1.0, *, eps=1e-3, n_alphas=100, alphas=None, cv=5, selection="min", n_jobs=None,
                 progress=False, fit_intercept=True, penalty_factor=None, tol=1e-6, max_iter=100):
        self.p = p
        _init_cv(self, eps, n_alphas, alphas, cv, selection, n_jobs, progress, fit_intercept, penalty_factor,
                 tol, max_iter)

    def _final_estimator(self, alpha, l1_ratio):
        return LpRegression(alpha, self.p, fit_intercept=self.fit_intercept,
                            penalty_factor=self.penalty_factor, tol=self.tol, max_iter=self.max_iter)


class LogisticRegressionCV(ClassifierMixin, _PathCV):
    __doc__ = f"""Binary logistic regression with alpha (and l1_ratio) chosen by cross-validated log-loss.

    Parameters
    ----------
    penalty : {{"l1", "l2", "elasticnet", "lp"}}, default="l2"
    l1_ratio : float or list of float, default=0.5
        Cross-validated with ``penalty="elasticnet"``.
    p : float, default=1.0
        Used with ``penalty="lp"``.
    {_CV_PARAMS}"""

    _datafit_name = "logistic"

    def __init__(self, penalty="l2", *, l1_ratio=0.5, p=1.0, eps=1e-3, n_alphas=100, alphas=None, cv=5,
                 selection="min", n_jobs=None, progress=False, fit_intercept=True, penalty_factor=None,
                 tol=1e-6, max_iter=100):
        self.penalty = penalty
        self.l1_ratio = l1_ratio
        self.p = p
        _init_cv(self, eps, n_alphas, alphas, cv, selection, n_jobs, progress, fit_intercept, penalty_factor,
                 tol, max_iter)

    @property
    def _penalty_name(self):
        return self.penalty

    def _l1_ratios(self):
        return list(np.atleast_1d(self.l1_ratio)) if self.penalty == "elasticnet" else [1.0]

    def _final_estimator(self, alpha, l1_ratio):
        return LogisticRegression(self.penalty, alpha, l1_ratio=l1_ratio, p=self.p,
                                  fit_intercept=self.fit_intercept, penalty_factor=self.penalty_factor,
                                  tol=self.tol, max_iter=self.max_iter)

    def decision_function(self, X):
        check_is_fitted(self, "estimator_")
        return self.estimator_.decision_function(X)

    def predict_proba(self, X):
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict_proba(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags


class RidgeCV(RegressorMixin, _PathCV):
    __doc__ = f"""Ridge with alpha chosen by leave-one-out (``cv=None``, from one SVD) or K-fold cross-validation.

    With ``cv=None`` the leave-one-out errors of all alphas come from one SVD of the (weighted, centred)
    data: with hat matrix ``H(alpha)`` (the intercept's ``s_i / sum s`` included), the error of sample i
    left out is ``r_i / (1 - H_ii)`` exactly, so each alpha costs O(n min(n, p)).  ``alpha`` is lpnet's
    (scikit-learn's ``RidgeCV`` alphas are ``n * alpha``).  Other ``cv`` values trace the one-SVD ridge
    path on every fold.

    Parameters
    ----------
    alphas : array-like, default=None
        Grid (>= 0); default ``n_alphas`` values from the Lasso's alpha_max down to ``eps`` times it.
    cv : None, int or splitter, default=None
    {_CV_PARAMS}"""

    _penalty_name = "l2"

    def __init__(self, alphas=None, *, n_alphas=100, eps=1e-6, cv=None, selection="min", n_jobs=None,
                 progress=False, fit_intercept=True, penalty_factor=None, tol=1e-6, max_iter=100):
        _init_cv(self, eps, n_alphas, alphas, cv, selection, n_jobs, progress, fit_intercept, penalty_factor,
                 tol, max_iter)

    def _final_estimator(self, alpha, l1_ratio):
        return Ridge(alpha, fit_intercept=self.fit_intercept, penalty_factor=self.penalty_factor,
                     tol=self.tol, max_iter=self.max_iter)

    def fit(self, X, y, sample_weight=None):
        if self.cv is not None:
            return super().fit(X, y, sample_weight=sample_weight)
        if self.selection != "min":
            raise ValueError("leave-one-out (cv=None) supports selection='min' only; pass cv=K for '1se'.")
        reject_non_numeric_columns(X)
        X, y = validate_data(self, X, y, accept_sparse=False, dtype=(np.float64, np.float32), y_numeric=True)
        X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
        n, n_features = X.shape
        if n < 3:
            raise ValueError(f"n_samples = {n}: leave-one-out needs at least 3 samples.")
        s = check_sample_weight(sample_weight, n)
        v = np.ones(n_features) if self.penalty_factor is None else check_penalty_factor(self.penalty_factor,
                                                                                         n_features)
        if np.any(v == 0):
            raise ValueError("leave-one-out RidgeCV needs every penalty_factor > 0; pass cv=K instead.")
        alphas = self._grid(X, y, s, 0.0)
        h = s / n
        if self.fit_intercept:
            x_mean, y_mean = (h @ X) / h.sum(), float(h @ y) / h.sum()
        else:
            x_mean, y_mean = np.zeros(n_features), 0.0
        # rows scaled by sqrt(h), columns by 1/sqrt(v): the penalty becomes alpha/2 ||u||^2
        root_h = np.sqrt(h)
        U, S = _left_singular((X - x_mean) * (root_h[:, None] / np.sqrt(v)))
        uy = U.T @ ((y - y_mean) * root_h)
        lever_free = h / h.sum() if self.fit_intercept else np.zeros(n)
        U2 = U * U
        inv_root_h = np.where(root_h > 0, 1.0 / np.where(root_h > 0, root_h, 1.0), 1.0)
        losses = np.empty(len(alphas))
        # alphas in blocks: two matrix products per block (BLAS), n x block values held at a time
        block = max(1, min(len(alphas), 4_000_000 // max(n, 1)))
        starts = range(0, len(alphas), block)
        for start in progress_bar(list(starts), self.progress, "alphas"):
            a = alphas[start:start + block]
            shrink = np.where(a > 0, S[:, None] ** 2 / (S[:, None] ** 2 + np.where(a > 0, a, 1.0)),
                              (S > S.max(initial=0) * 1e-12)[:, None].astype(float))
            fitted = y_mean + (U @ (shrink * uy[:, None])) * inv_root_h[:, None]
            lever = U2 @ shrink + lever_free[:, None]
            loo = (y[:, None] - fitted) / np.maximum(1.0 - lever, np.finfo(float).eps)
            losses[start:start + block] = np.average(loo**2, axis=0, weights=s)
        best = int(np.argmin(losses))
        self.alphas_ = alphas[None, :]
        self.alpha_, self.l1_ratio_ = float(alphas[best]), 0.0
        self.mse_path_ = losses[None, :]
        self.cv_results_ = CVResults(self.alphas_, np.zeros(1), losses[None, None, :], losses[None, :],
                                     np.zeros((1, len(alphas))), (0, best), (0, best))
        self.estimator_ = self._final_estimator(self.alpha_, 0.0).fit(X, y, sample_weight=sample_weight)
        self.n_iter_ = self.estimator_.n_iter_
        self.coef_, self.intercept_ = self.estimator_.coef_, self.estimator_.intercept_
        self.dual_gap_ = self.estimator_.dual_gap_
        self.optimality_violation_ = None
        return self


def _left_singular(A):
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


class LassoIC(RegressorMixin, BaseEstimator):
    """Lasso with alpha chosen by AIC or BIC along the path.

    With ``df(alpha)`` the number of nonzero coefficients (an unbiased estimate of the Lasso's degrees of
    freedom, Zou, Hastie and Tibshirani 2007) and ``sigma^2`` the noise variance::

        criterion(alpha) = n log(2 pi sigma^2) + RSS(alpha) / sigma^2 + K df(alpha),   K = 2 (AIC), log n (BIC)

    ``sigma^2`` is estimated, as scikit-learn's ``LassoLarsIC`` does, from the residuals of the
    unpenalized least-squares fit: ``RSS_ols / (n - n_features - fit_intercept)`` (which needs
    ``n > n_features + fit_intercept``); pass ``noise_variance`` to skip the estimate.

    Parameters
    ----------
    criterion : {"aic", "bic"}, default="aic"
    noise_variance : float, default=None
    eps, n_alphas, alphas, fit_intercept, penalty_factor, tol, max_iter : as in :class:`LassoCV`.

    Attributes
    ----------
    alpha_, alphas_, criterion_ (one value per alpha), noise_variance_, coef_, intercept_, estimator_
    """

    def __init__(self, criterion="aic", *, noise_variance=None, eps=1e-3, n_alphas=100, alphas=None,
                 fit_intercept=True, penalty_factor=None, tol=1e-6, max_iter=100):
        self.criterion = criterion
        self.noise_variance = noise_variance
        self.eps = eps
        self.n_alphas = n_alphas
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.penalty_factor = penalty_factor
        self.tol = tol
        self.max_iter = max_iter

    def fit(self, X, y):
        if self.criterion not in ("aic", "bic"):
            raise ValueError(f"criterion must be 'aic' or 'bic', got {self.criterion!r}.")
        reject_non_numeric_columns(X)
        X, y = validate_data(self, X, y, accept_sparse=("csr", "csc"), dtype=(np.float64, np.float32),
                             y_numeric=True)
        y = np.asarray(y, dtype=np.float64)
        n, n_features = X.shape
        sigma2 = self.noise_variance if self.noise_variance is not None else self._estimate_noise(X, y)
        self.noise_variance_ = float(sigma2)
        path = regularization_path(X, y, penalty="l1", alphas=self.alphas, n_alphas=self.n_alphas, eps=self.eps,
                                   penalty_factor=self.penalty_factor, fit_intercept=self.fit_intercept,
                                   tol=self.tol, max_iter=self.max_iter)
        residuals = y[:, None] - (np.asarray(X @ path.coefs.T) + path.intercepts)
        rss = np.sum(residuals**2, axis=0)
        df = np.count_nonzero(path.coefs, axis=1)
        k = 2.0 if self.criterion == "aic" else np.log(n)
        self.criterion_ = n * np.log(2 * np.pi * sigma2) + rss / sigma2 + k * df
        self.alphas_ = path.alphas
        self.alpha_ = float(path.alphas[np.argmin(self.criterion_)])
        self.estimator_ = Lasso(self.alpha_, fit_intercept=self.fit_intercept, penalty_factor=self.penalty_factor,
                                tol=self.tol, max_iter=self.max_iter).fit(X, y)
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
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict(X)


@dataclass
class StabilityPath:
    """Per-feature selection frequencies over random subsamples, at each alpha."""

    alphas: np.ndarray
    #: (n_alphas, n_features): fraction of subsamples in which the coefficient is nonzero
    frequencies: np.ndarray
    feature_names: list
    n_subsamples: int
    sample_fraction: float

    def selected(self, threshold=0.6):
        """Features whose largest selection frequency over the alphas reaches ``threshold``."""
        return [name for name, f in zip(self.feature_names, self.frequencies.max(axis=0)) if f >= threshold]

    def plot(self, ax=None, threshold=0.6):
        """Selection frequency against alpha, one line per feature."""
        import matplotlib.pyplot as plt

        ax = ax if ax is not None else plt.subplots(figsize=(7, 4))[1]
        for j, name in enumerate(self.feature_names):
            ax.plot(self.alphas, self.frequencies[:, j], label=str(name))
        ax.axhline(threshold, color="k", linestyle=":", label=f"threshold {threshold:g}")
        ax.set_xscale("log")
        ax.set_xlabel("alpha")
        ax.set_ylabel("selection frequency")
        ax.set_ylim(-0.02, 1.02)
        if len(self.feature_names) <= 20:
            ax.legend(fontsize="small", ncol=2)
        return ax


def stability_selection(X, y, penalty="l1", *, alphas=None, n_alphas=20, eps=1e-2, l1_ratio=0.5, p=1.0,
                        datafit="squared", n_subsamples=100, sample_fraction=0.5, random_state=None,
                        fit_intercept=True, tol=1e-6, max_iter=100, n_jobs=None, progress=False):
    """Stability selection (Meinshausen and Buhlmann, 2010).

    Fits the regularization path on ``n_subsamples`` random subsamples of ``sample_fraction * n`` rows
    (without replacement) and records, per alpha and feature, how often the coefficient is nonzero.  It
    shows, for example, that the Lasso picks one of a group of correlated features more or less at random
    while the Elastic Net keeps the group.

    Returns
    -------
    StabilityPath
    """
    reject_non_numeric_columns(X)
    names = [str(c) for c in X.columns] if hasattr(X, "columns") else None
    X = np.asarray(X, dtype=np.float64) if not hasattr(X, "tocsr") else X.tocsr()
    y = np.asarray(y)
    n = X.shape[0]
    if not 0.0 < sample_fraction <= 1.0:
        raise ValueError(f"sample_fraction must lie in (0, 1], got {sample_fraction}.")
    size = max(2, int(round(sample_fraction * n)))
    if alphas is None:
        top = alpha_max(X, y, penalty="elasticnet" if penalty == "elasticnet" else "l1", datafit=datafit,
                        l1_ratio=l1_ratio, fit_intercept=fit_intercept)
        alphas = np.geomspace(top, top * eps, n_alphas)
    alphas = np.sort(np.asarray(alphas, dtype=np.float64))[::-1]
    rng = np.random.default_rng(random_state)
    subsets = [np.sort(rng.choice(n, size=size, replace=False)) for _ in range(n_subsamples)]

    def support(rows):
        path = regularization_path(X[rows], y[rows], penalty=penalty, datafit=datafit, alphas=alphas,
                                   l1_ratio=l1_ratio, p=p, fit_intercept=fit_intercept, tol=tol,
                                   max_iter=max_iter)
        return path.coefs != 0

    supports = Parallel(n_jobs=n_jobs)(delayed(support)(rows) for rows in progress_bar(subsets, progress, "subsamples"))
    freq = np.mean(np.asarray(supports), axis=0)
    names = names or [f"x{j}" for j in range(X.shape[1])]
    return StabilityPath(alphas, freq, names, n_subsamples, sample_fraction)
