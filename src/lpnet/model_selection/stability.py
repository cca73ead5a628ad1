"""Stability selection: how often each feature is selected over random subsamples."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from joblib import Parallel, delayed

from .._progress import progress_bar
from ..fit_data import reject_non_numeric_columns
from ..path import alpha_grid, alpha_max, decreasing_alphas, regularization_path


@dataclass
class StabilityPath:
    """Per-feature selection frequencies over random subsamples, at each alpha.

    Attributes
    ----------
    alphas : ndarray of shape (n_alphas,)
        The alphas, decreasing.
    frequencies : ndarray of shape (n_alphas, n_features)
        Fraction of the subsamples in which each coefficient is nonzero.
    feature_names : list of str
        The features' names.
    n_subsamples : int
        How many subsamples were drawn.
    sample_fraction : float
        The share of the rows in each subsample.
    """

    alphas: np.ndarray
    #: (n_alphas, n_features): fraction of subsamples in which the coefficient is nonzero
    frequencies: np.ndarray
    feature_names: list
    n_subsamples: int
    sample_fraction: float

    def selected(self, threshold=0.6):
        """Features whose largest selection frequency over the alphas reaches ``threshold``.

        Parameters
        ----------
        threshold : float, default=0.6
            The smallest frequency that counts as selected.

        Returns
        -------
        list
            The names of the selected features.
        """
        return [name for name, f in zip(self.feature_names, self.frequencies.max(axis=0)) if f >= threshold]

    def plot(self, ax=None, threshold=0.6):
        """Selection frequency against alpha (decreasing to the right), one line per feature.

        The legend, outside the axes, names the 10 most often selected features; see
        :func:`lpnet.viz.plot_stability`.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw; a new figure when None.
        threshold : float, default=0.6
            Drawn as a horizontal line.

        Returns
        -------
        matplotlib Axes
            The Axes drawn on.
        """
        from ..viz import plot_stability

        return plot_stability(self, ax=ax, threshold=threshold)


def stability_selection(
    X,
    y,
    penalty="l1",
    *,
    alphas=None,
    n_alphas=20,
    eps=1e-2,
    l1_ratio=0.5,
    p=1.0,
    datafit="squared",
    n_subsamples=100,
    sample_fraction=0.5,
    random_state=None,
    fit_intercept=True,
    tol=1e-6,
    max_iter=100,
    n_jobs=None,
    progress=False,
):
    """Stability selection (Meinshausen and Buhlmann, 2010).

    Fits the regularization path on ``n_subsamples`` random subsamples of ``sample_fraction * n`` rows
    (without replacement) and records, per alpha and feature, how often the coefficient is nonzero.  It
    shows, for example, that the Lasso picks one of a group of correlated features more or less at random
    while the Elastic Net keeps the group.

    Parameters
    ----------
    X : array-like or sparse matrix of shape (n_samples, n_features)
        Training data; a DataFrame's column names become the feature names.
    y : array-like of shape (n_samples,)
        Target values.
    penalty : str, default="l1"
        The penalty of the paths, by name (see :func:`lpnet.penalties.penalty_names`).
    alphas : array-like, optional
        The alphas; default ``n_alphas`` values from alpha_max of all the data down to ``eps`` times it.
    n_alphas : int, default=20
        Length of the default grid.
    eps : float, default=1e-2
        Smallest alpha of the default grid, relative to alpha_max.
    l1_ratio : float, default=0.5
        Used with ``penalty="elasticnet"``.
    p : float, default=1.0
        Used with ``penalty="lp"``.
    datafit : str, default="squared"
        The loss, by name (see :func:`lpnet.datafits.datafit_names`).
    n_subsamples : int, default=100
        How many random subsamples.
    sample_fraction : float in (0, 1), default=0.5
        The share of the rows in each subsample.
    random_state : int, RandomState or None
        Seed of the subsampling.
    fit_intercept : bool, default=True
        Whether the paths fit an intercept.
    tol : float, default=1e-6
        Tolerance of every fit (see the estimators).
    max_iter : int, default=100
        Iteration limit of every fit.
    n_jobs : int, optional
        Subsamples fitted in parallel (joblib threads: the compiled solvers release the GIL).
    progress : bool, default=False
        Whether to draw a progress bar on stderr.

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
        # penalties without a finite alpha_max (L2, Lp with p != 1) get the Lasso's as the grid scale
        top = alpha_max(X, y, penalty=penalty, datafit=datafit, l1_ratio=l1_ratio, p=p, fit_intercept=fit_intercept)
        alphas = alpha_grid(top, n_alphas, eps)
    alphas = decreasing_alphas(alphas)
    rng = np.random.default_rng(random_state)
    subsets = [np.sort(rng.choice(n, size=size, replace=False)) for _ in range(n_subsamples)]

    def support(rows):
        path = regularization_path(
            X[rows],
            y[rows],
            penalty=penalty,
            datafit=datafit,
            alphas=alphas,
            l1_ratio=l1_ratio,
            p=p,
            fit_intercept=fit_intercept,
            tol=tol,
            max_iter=max_iter,
        )
        return path.coefs != 0

    supports = Parallel(n_jobs=n_jobs, prefer="threads")(
        delayed(support)(rows) for rows in progress_bar(subsets, progress, "subsamples")
    )
    freq = np.mean(np.asarray(supports), axis=0)
    names = names or [f"x{j}" for j in range(X.shape[1])]
    return StabilityPath(alphas, freq, names, n_subsamples, sample_fraction)
