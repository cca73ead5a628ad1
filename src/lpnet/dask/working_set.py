"""The squared loss with more features than p x p statistics allow: working sets, one pass per step.

With ``p`` beyond what a full Gram matrix can hold, each pass over the data computes, at the current
``(w, b)``, two things:

* the full gradient: ``q = Xc^T H rc`` (centred features against the centred residual
  ``r = y - X_S w_S``, accumulated like the co-moments of :mod:`lpnet.dask.stats`: per-chunk centring
  and Chan et al.'s pairwise merge), from which the driver computes the exact duality gap
  (:func:`lpnet.certificates.gram_certificate` needs only ``c``, ``q`` and ``yy``) and the optimality
  violation of every feature;
* the statistics (:class:`~lpnet.dask.stats.Moments`) of the working set's columns ``W``, on which
  the driver solves the restricted problem with the Gram solver.

The working set of the next pass is the current one plus the worst violators at the current point
(as many as it has, at least 50).  A first pass at ``w = 0`` gives ``c``, ``yy`` and the means.  Each
outer step costs one pass, and the fit returned is certified by the last pass's gap, on all features.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..certificates import gram_certificate
from ..penalties import Penalty
from ..solvers.cd_gram import gram_path
from .engines import Chunk, Engine
from .stats import Moments, gram_state

#: features added to the working set per step, at least
MIN_GROWTH = 50


@dataclass
class Cross:
    """Weight, means of the features and of a residual ``r``, and their centred cross moments
    ``sum s (x - mx)(r - mr)`` (all features) and ``sum s (r - mr)^2``."""

    weight: float
    mx: np.ndarray
    mr: float
    mxr: np.ndarray
    mrr: float

    @classmethod
    def of_rows(cls, X: np.ndarray, r: np.ndarray, s: np.ndarray) -> Cross:
        w = float(s.sum())
        if w <= 0.0:
            return cls(0.0, np.zeros(X.shape[1]), 0.0, np.zeros(X.shape[1]), 0.0)
        mx = (s @ X) / w
        mr = float(s @ r) / w
        rc = r - mr
        sr = s * rc
        return cls(w, mx, mr, (X - mx).T @ sr, float(sr @ rc))

    def merge(self, other: Cross) -> Cross:
        w = self.weight + other.weight
        if self.weight <= 0.0 or other.weight <= 0.0:
            return self if other.weight <= 0.0 else other
        share, cross = other.weight / w, self.weight * other.weight / w
        dx, dr = other.mx - self.mx, other.mr - self.mr
        return Cross(
            w,
            self.mx + share * dx,
            self.mr + share * dr,
            self.mxr + other.mxr + cross * dr * dx,
            self.mrr + other.mrr + cross * dr * dr,
        )


class WorkingSetPass:
    """A pass's chunk function: the residual's cross moments at ``w`` (support ``support``, values
    ``values``) and the statistics of the columns ``columns`` (None when empty)."""

    def __init__(self, support: np.ndarray, values: np.ndarray, columns: np.ndarray):
        self.support, self.values, self.columns = support, values, columns

    def __call__(self, chunk: Chunk):
        r = chunk.y - chunk.X[:, self.support] @ self.values if self.support.size else chunk.y
        block = Moments.of_rows(chunk.X[:, self.columns], chunk.y, chunk.s) if self.columns.size else None
        return Cross.of_rows(chunk.X, r, chunk.s), block


def merge_working_set(a, b):
    """The combine of a working-set pass."""
    return a[0].merge(b[0]), (None if a[1] is None else a[1].merge(b[1]))


@dataclass
class WorkingSetFit:
    coef: np.ndarray
    intercept: float
    dual_gap: float
    objective: float
    n_iter: int
    converged: bool
    n_passes: int


class WorkingSetSolver:
    """Certified fits of the squared loss (with an intercept) by working sets over ``engine``'s passes."""

    def __init__(self, engine: Engine):
        self.engine = engine
        p = engine.n_features
        first, _ = engine.map_reduce(
            WorkingSetPass(np.zeros(0, int), np.zeros(0), np.zeros(0, int)),
            merge_working_set,
            label="scan",
            indexed=False,
        )
        if not first.weight > 0:
            raise ValueError("the sample weights sum to zero: at least one weight must be positive.")
        self.x_mean, self.y_mean = first.mx, first.mr
        self.c = first.mxr / first.weight  # Xc^T H yc
        self.yy = first.mrr / first.weight
        self.q = self.c.copy()  # minus the gradient at the current point (w = 0)
        self.w = np.zeros(p)
        self.columns = np.zeros(0, dtype=int)

    def alpha_max(self, rho: float) -> float:
        return float(np.max(np.abs(self.c), initial=0.0)) / rho

    def _grow(self, penalty: Penalty) -> None:
        scores = penalty.subdiff_distance(self.w, -self.q)
        scores[self.columns] = 0.0
        k = max(MIN_GROWTH, self.columns.size)
        top = np.argsort(-scores)[:k]
        top = top[scores[top] > 0]
        self.columns = np.union1d(np.union1d(self.columns, top), np.flatnonzero(self.w))

    def fit(self, penalty: Penalty, tol: float, max_iter: int) -> WorkingSetFit:
        """Solve at ``penalty`` from the current point; one pass per outer step."""
        threshold = tol * 0.5 * self.yy
        passes_before = self.engine.n_passes
        gap = objective = np.inf
        epochs = 0
        self._grow(penalty)
        for _ in range(max_iter):
            support = np.flatnonzero(self.w)
            cross, block = self.engine.map_reduce(
                WorkingSetPass(support, self.w[support], self.columns),
                merge_working_set,
                label="working set",
                indexed=False,
            )
            self.q = cross.mxr / cross.weight
            gap, objective, _ = gram_certificate(penalty, self.w, self.c, self.q, self.yy)
            if gap <= threshold:
                break
            grown = self.columns
            if block is not None:
                state = gram_state(block, True)
                fits = gram_path(state, [penalty], max(0.1 * tol, state.min_tol), max_iter, w0=self.w[grown])
                epochs += sum(f.n_iter for f in fits)
                self.w = np.zeros_like(self.w)
                self.w[grown] = fits[-1].coef
            self._grow(penalty)
        intercept = self.y_mean - float(self.x_mean @ self.w)
        return WorkingSetFit(
            self.w.copy(),
            intercept,
            float(gap),
            float(objective),
            epochs,
            bool(gap <= threshold),
            self.engine.n_passes - passes_before,
        )
