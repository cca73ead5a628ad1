"""The out-of-core regularization path: one pass of statistics for the squared loss, distributed
proximal Newton for the other datafits (:mod:`lpnet.dask.glm`)."""

from __future__ import annotations

import numbers
from types import SimpleNamespace

import numpy as np

from ..estimators.base import model_bounds
from ..path import Path, alpha_grid, decreasing_alphas
from ..penalties import L1, L2, Lp, Penalty
from ..penalties import ElasticNet as ElasticNetPenalty
from .engines import open_data
from .glm import glm_path
from .gram_fits import alpha_max_of, grid_of, solve_statistics
from .linear import MAX_FEATURES, check_weight, lp_penalty, wide_solver
from .stats import Moments, chunk_moments, gram_state, merge_moments


def _path_penalty(penalty: str, l1_ratio: float, p: float):
    if penalty == "l1":
        return lambda a: L1(a), 1.0
    if penalty == "elasticnet":
        return lambda a: ElasticNetPenalty(a, l1_ratio), (l1_ratio if l1_ratio > 0 else 1.0)
    if penalty == "l2":
        return lambda a: L2(a), 1.0
    if penalty == "lp":
        lp_penalty(1.0, p)
        return lambda a: Lp(a, float(p)), 1.0
    raise ValueError(f"penalty must be 'l1', 'elasticnet', 'l2' or 'lp' here, got {penalty!r}.")


def regularization_path(
    X,
    y=None,
    *,
    target=None,
    penalty="l1",
    datafit="squared",
    alphas=None,
    n_alphas=100,
    eps=1e-3,
    l1_ratio=0.5,
    p=1.0,
    fit_intercept=True,
    lower_bounds=None,
    upper_bounds=None,
    positive=False,
    sample_weight=None,
    columns=None,
    weight=None,
    tol=1e-6,
    max_iter=100,
    engine="auto",
    chunk_rows=None,
    progress=False,
) -> Path:
    """A certified, warm-started regularization path from data bigger than memory.

    ``datafit="squared"``: minimizes ``1/(2 sum s) sum s (y - x.w - b)^2 + P_alpha(w)`` for each alpha
    (decreasing) from ONE pass of statistics, with ``penalty`` one of ``"l1"``, ``"elasticnet"``
    (``l1_ratio``), ``"l2"``, ``"lp"`` (``p >= 1``).  Any other datafit of the registry with a curvature
    (``"logistic"``, ``"poisson"``, ``"gamma"``, ``"tweedie"``, ``"huber"`` or a Datafit object): distributed
    proximal Newton, a few passes per alpha (:func:`lpnet.dask.glm_path`, which takes the same data
    arguments).  Data and engine as :func:`lpnet.dask.open_data`.

    Parameters
    ----------
    X, y, target, columns, weight, sample_weight, engine, chunk_rows, progress
        The data and how to read it, as :func:`lpnet.dask.open_data` takes them.
    penalty : {"l1", "elasticnet", "l2", "lp"}, default="l1"
        The penalty.
    datafit : str or Datafit, default="squared"
        The loss: ``"squared"``, or any datafit with a curvature (see above).
    alphas, n_alphas, eps
        The grid, as :func:`lpnet.regularization_path` takes it.
    l1_ratio : float, default=0.5
        Used with ``penalty="elasticnet"``.
    p : float, default=1.0
        Used with ``penalty="lp"`` (``p >= 1``).
    fit_intercept : bool, default=True
        Whether to fit an intercept.
    lower_bounds, upper_bounds, positive
        A box on the coefficients, as the estimators take it (squared loss only).
    tol, max_iter
        The stopping rule of every fit, as the estimators'.

    Returns
    -------
    lpnet.path.Path
        With, in addition, ``n_passes`` and ``n_rows_seen``.
    """
    squared = isinstance(datafit, str) and datafit == "squared"
    if not squared and (positive or lower_bounds is not None or upper_bounds is not None):
        raise ValueError(
            f"the distributed {datafit} path takes no bounds (the squared loss does); fit a box in memory with "
            "lpnet.regularization_path."
        )
    if not squared:  # any other datafit: distributed proximal Newton
        return glm_path(
            X,
            y,
            datafit=datafit,
            target=target,
            columns=columns,
            weight=weight,
            sample_weight=sample_weight,
            penalty=penalty,
            l1_ratio=l1_ratio,
            alphas=alphas,
            n_alphas=n_alphas,
            eps=eps,
            fit_intercept=fit_intercept,
            tol=tol,
            max_iter=max_iter,
            engine=engine,
            chunk_rows=chunk_rows,
            progress=progress,
        )
    family, rho = _path_penalty(penalty, l1_ratio, p)
    with open_data(
        X,
        y,
        target=target,
        columns=columns,
        weight=weight,
        sample_weight=sample_weight,
        engine=engine,
        chunk_rows=chunk_rows,
        progress=progress,
    ) as data:
        box = model_bounds(
            SimpleNamespace(lower_bounds=lower_bounds, upper_bounds=upper_bounds, positive=positive), data.n_features
        )

        def make(alpha: float) -> Penalty:
            return family(alpha) if box is None else family(alpha).with_bounds(*box)

        if data.n_features > MAX_FEATURES:
            wide = wide_solver(data, make(1.0), fit_intercept)
            top = wide.alpha_max(rho)
            grid = (
                decreasing_alphas(alphas)
                if alphas is not None and not isinstance(alphas, numbers.Integral)
                else alpha_grid(top, n_alphas if alphas is None else alphas, eps)
            )
            pens = [make(float(a)) for a in grid]
            fits = [wide.fit(pen, tol, max_iter) for pen in pens]
        else:
            stats: Moments = data.map_reduce(chunk_moments, merge_moments, label="statistics", indexed=False)
            check_weight(stats)
            state = gram_state(stats, fit_intercept)
            top = alpha_max_of(make(1.0), state)
            grid = grid_of(alphas, n_alphas, eps, state, make(1.0))
            pens = [make(float(a)) for a in grid]
            fits = solve_statistics(state, pens, tol, max_iter)
    coefs = np.array([f.coef for f in fits])
    path = Path(
        alphas=grid,
        coefs=coefs,
        intercepts=np.array([f.intercept for f in fits]),
        objectives=np.array([f.objective for f in fits]),
        dual_gaps=np.array([f.dual_gap for f in fits]),
        optimality_violations=np.full(len(fits), np.nan),
        n_iters=np.array([f.n_iter for f in fits]),
        n_nonzero=np.count_nonzero(coefs, axis=1),
        converged=np.array([f.converged for f in fits]),
        feature_names=list(data.feature_names),
        penalty=repr(pens[0]),
        datafit="squared",
        alpha_max=top,
        p={"l1": 1.0, "l2": 2.0, "lp": float(p)}.get(penalty, float("nan")),
    )
    path.n_passes = data.n_passes
    path.n_rows_seen = data.n_rows_seen
    return path
