"""Per-fold sufficient statistics of the squared loss, accumulated without loss of precision.

For the rows of a block (one fold of one chunk) with weights ``s``, the statistics are the weight
``w = sum s``, the weighted means ``mx``, ``my`` and the *centred* co-moments

    Mxx = sum s (x - mx)(x - mx)^T,   Mxy = sum s (x - mx)(y - my),   Myy = sum s (y - my)^2.

Each chunk centres its own rows (the mean refined once, so the centred values are exact to rounding)
and two blocks merge by Chan, Golub and LeVeque's pairwise update: with ``d = mean_b - mean_a``,
``M = M_a + M_b + d d^T w_a w_b / (w_a + w_b)``.  Raw sums ``sum s x x^T`` would lose every digit a
feature's mean carries beyond its spread (a mean of 1e8 with unit noise keeps 0 of 16 digits in the
raw square); centred ones keep them, whatever the order and the grouping of the merges, so the
streamed fold and the tree-reduced one agree.

:func:`gram_state` turns the statistics of a training set into the :class:`~lpnet.solvers.cd_gram.GramState`
the Gram solver runs on, and :meth:`Moments.mean_squared_error` scores any ``(w, b)`` on a held-out
fold from its statistics, in a form without cancellation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..solvers.cd_gram import GramState, GramStatistics
from .engines import Chunk, fold_of

EPS = float(np.finfo(np.float64).eps)


def cross_product(A: np.ndarray) -> np.ndarray:
    """``A^T A`` by BLAS syrk on the array's own memory layout (half the flops of a general product)."""
    from scipy.linalg import blas

    if A.shape[0] == 0:
        return np.zeros((A.shape[1], A.shape[1]))
    if A.flags.f_contiguous:
        upper = blas.dsyrk(1.0, A, trans=1)
    else:  # the transpose of a C-ordered array is F-ordered: A^T A = B B^T with B = A^T
        upper = blas.dsyrk(1.0, np.ascontiguousarray(A).T, trans=0)
    return np.triu(upper) + np.triu(upper, 1).T


@dataclass
class Moments:
    """Weights, means and centred co-moments of ``K`` disjoint blocks of rows (e.g. the folds), stacked.

    Attributes (leading axis: the block): ``weight (K,)``, ``rows (K,)`` (row counts), ``mx (K, p)``,
    ``my (K,)``, ``mxx (K, p, p)``, ``mxy (K, p)``, ``myy (K,)``; ``depth``: the most rows any one sum
    added in sequence (a chunk's rows plus the merges), the scale of their rounding.
    """

    weight: np.ndarray
    rows: np.ndarray
    mx: np.ndarray
    my: np.ndarray
    mxx: np.ndarray
    mxy: np.ndarray
    myy: np.ndarray
    depth: int

    @classmethod
    def empty(cls, n_blocks: int, n_features: int) -> Moments:
        k, p = n_blocks, n_features
        return cls(
            np.zeros(k),
            np.zeros(k, dtype=np.int64),
            np.zeros((k, p)),
            np.zeros(k),
            np.zeros((k, p, p)),
            np.zeros((k, p)),
            np.zeros(k),
            0,
        )

    @classmethod
    def of_rows(cls, X: np.ndarray, y: np.ndarray, s: np.ndarray) -> Moments:
        """The statistics (one block) of dense rows ``X``, targets ``y``, weights ``s``."""
        out = cls.empty(1, X.shape[1])
        w = float(s.sum())
        out.rows[0] = X.shape[0]
        out.depth = X.shape[0]
        if w <= 0.0:
            return out
        # the mean, refined once: the centred values are then exact up to their own rounding
        unit = bool(np.all(s == 1.0))

        def mean(A):
            return A.mean(axis=0) if unit else (s @ A) / w

        mx = mean(X)
        Xc = X - mx
        shift = mean(Xc)
        mx += shift
        Xc -= shift
        my = float(mean(y))
        yc = y - my
        shift_y = float(mean(yc))
        my += shift_y
        yc -= shift_y
        if unit:
            mxx = cross_product(Xc)
            sy = yc
        else:
            mxx = cross_product(Xc * np.sqrt(s)[:, None])
            sy = s * yc
        out.weight[0], out.mx[0], out.my[0] = w, mx, my
        out.mxx[0], out.mxy[0], out.myy[0] = mxx, Xc.T @ sy, float(sy @ yc)
        return out

    @classmethod
    def of_sparse_rows(cls, X, y: np.ndarray, s: np.ndarray) -> Moments:
        """The statistics (one block) of scipy.sparse rows ``X`` from sparse products.

        Centring would fill the matrix in, so the co-moment is ``X^T S X - w mx mx^T`` (float64): the
        rows' raw squares lose the digits a feature's mean carries beyond its spread (a sparse feature
        is mostly zeros, its mean small against its spread, so little is lost in practice; a sparse
        column with a huge mean and a tiny spread is better given dense).  The merge of the chunks
        stays the pairwise one.
        """
        out = cls.empty(1, X.shape[1])
        w = float(s.sum())
        out.rows[0] = X.shape[0]
        out.depth = X.shape[0]
        if w <= 0.0:
            return out
        unit = bool(np.all(s == 1.0))
        XS = X if unit else X.multiply(s[:, None]).tocsr()
        mx = np.asarray(XS.sum(axis=0)).ravel() / w
        my = float(s @ y) / w
        yc = y - my
        shift_y = float(s @ yc) / w
        my += shift_y
        yc -= shift_y
        raw = (X.T @ XS).toarray()
        mxx = 0.5 * (raw + raw.T) - w * np.outer(mx, mx)
        sy = s * yc
        out.weight[0], out.mx[0], out.my[0] = w, mx, my
        out.mxx[0] = mxx
        out.mxy[0] = np.asarray(X.T @ sy).ravel() - mx * float(sy.sum())
        out.myy[0] = float(sy @ yc)
        return out

    def block(self, k: int) -> Moments:
        """Block ``k`` alone."""
        sl = slice(k, k + 1)
        return Moments(
            self.weight[sl],
            self.rows[sl],
            self.mx[sl],
            self.my[sl],
            self.mxx[sl],
            self.mxy[sl],
            self.myy[sl],
            self.depth,
        )

    def merge(self, other: Moments) -> Moments:
        """Blockwise union of two disjoint sets of rows (Chan et al.'s pairwise update)."""
        wa, wb = self.weight, other.weight
        w = wa + wb
        safe = np.where(w > 0, w, 1.0)
        fb = np.where(w > 0, wb / safe, 0.0)  # share of the second set
        cross = np.where(w > 0, wa * wb / safe, 0.0)
        dx = other.mx - self.mx
        dy = other.my - self.my
        mx = self.mx + fb[:, None] * dx
        my = self.my + fb * dy
        # a block empty on one side keeps the other's means exactly
        mx = np.where((wa > 0)[:, None], np.where((wb > 0)[:, None], mx, self.mx), other.mx)
        my = np.where(wa > 0, np.where(wb > 0, my, self.my), other.my)
        mxx = self.mxx + other.mxx
        for k in range(mxx.shape[0]):  # block by block: no K x p x p temporary
            mxx[k] += np.outer(cross[k] * dx[k], dx[k])
        mxy = self.mxy + other.mxy + (cross * dy)[:, None] * dx
        myy = self.myy + other.myy + cross * dy * dy
        return Moments(w, self.rows + other.rows, mx, my, mxx, mxy, myy, max(self.depth, other.depth) + 1)

    def total(self, skip: int | None = None) -> Moments:
        """All blocks merged into one (all but block ``skip``: a K-fold training set)."""
        out = None
        for k in range(self.weight.shape[0]):
            if k == skip:
                continue
            out = self.block(k) if out is None else out.merge(self.block(k))
        assert out is not None
        return out

    def raw(self) -> GramStatistics:
        """The raw weighted sums of the first block (``sum s x x^T``...), e.g. for a model without intercept."""
        w, mx, my = self.weight[0], self.mx[0], self.my[0]
        return GramStatistics(
            float(w),
            w * mx,
            float(w * my),
            self.mxx[0] + w * np.outer(mx, mx),
            self.mxy[0] + w * my * mx,
            float(self.myy[0] + w * my * my),
        )

    def mean_squared_error(self, coefs: np.ndarray, intercepts: np.ndarray) -> np.ndarray:
        """Weighted mean of ``(y - x.w - b)^2`` over the first block's rows for each row of ``coefs``.

        ``y - x.w - b = (yc - xc.w) + (my - mx.w - b)``, and the centred part sums to zero: the loss is
        ``(Myy - 2 w.Mxy + w.Mxx.w) / weight + (my - mx.w - b)^2``, both terms free of cancellation
        against the data's raw size.
        """
        W = np.atleast_2d(coefs)
        b = np.asarray(intercepts, dtype=np.float64)
        w0 = self.weight[0]
        spread = (self.myy[0] - 2.0 * (W @ self.mxy[0]) + np.sum((W @ self.mxx[0]) * W, axis=1)) / w0
        offset = self.my[0] - W @ self.mx[0] - b
        return np.maximum(spread, 0.0) + offset**2


def chunk_moments(chunk: Chunk, n_folds: int = 1, seed: int = 0) -> Moments:
    """The per-fold statistics of a chunk (one block when ``n_folds`` is 1: no folds); scipy.sparse
    features by sparse products (:meth:`Moments.of_sparse_rows`)."""
    p = chunk.X.shape[1]
    of_rows = Moments.of_rows if isinstance(chunk.X, np.ndarray) else Moments.of_sparse_rows
    if n_folds <= 1:
        return of_rows(chunk.X, chunk.y, chunk.s)
    folds = fold_of(chunk.start, chunk.n_rows, n_folds, seed)
    out = Moments.empty(n_folds, p)
    for k in range(n_folds):
        rows = np.flatnonzero(folds == k)
        if rows.size:
            one = of_rows(chunk.X[rows], chunk.y[rows], chunk.s[rows])
            out.weight[k], out.rows[k], out.mx[k], out.my[k] = one.weight[0], one.rows[0], one.mx[0], one.my[0]
            out.mxx[k], out.mxy[k], out.myy[k] = one.mxx[0], one.mxy[0], one.myy[0]
    out.depth = chunk.n_rows
    return out


chunk_moments.takes_sparse = True  # type: ignore[attr-defined]


def merge_moments(a: Moments, b: Moments) -> Moments:
    """The combine of a pass: ``a.merge(b)`` (a module-level function, so Dask can ship it)."""
    return a.merge(b)


def gram_state(stats: Moments, fit_intercept: bool) -> GramState:
    """The Gram solver's state for the rows of ``stats``'s first block.

    With an intercept, the Gram quantities are the centred co-moments divided by the weight, computed
    without cancellation: the tolerance they resolve (``min_tol``) is that of centred data, set by the
    sums' depth, not by the features' means.  A feature is constant when its spread is within the
    rounding of its mean (``std <= 64 eps |mean|``): it never moves, as in the in-memory Gram mode.
    """
    if not fit_intercept:
        return GramState.from_statistics(stats.raw(), False, max(stats.depth, 1))
    w = float(stats.weight[0])
    p = stats.mx.shape[1]
    diag = np.diag(stats.mxx[0]) / w
    yy = float(stats.myy[0]) / w
    # built with zero means so that the constructor takes the centred squares as they are (ratio 1);
    # the means are set afterwards (they only give the intercept)
    state = GramState(
        p, 1.0, float(stats.my[0]), yy, stats.mxy[0] / w, np.zeros(p), diag.copy(), yy, max(stats.depth, 1)
    )
    state.x_mean = stats.mx[0].copy()
    constant = diag <= (64.0 * EPS) ** 2 * (diag + state.x_mean**2)
    state.constant = constant
    state.diag[constant] = 0.0
    state.c[constant] = 0.0
    state.G[:] = stats.mxx[0] / w
    state.G[constant] = 0.0
    state.G[:, constant] = 0.0
    state.have_col[:] = True
    return state


#: distinct target values :class:`ColumnMoments` tracks (a classifier's labels); beyond, it only says so
MAX_LABELS = 2


@dataclass
class ColumnMoments:
    """Per block (e.g. fold), the weight, the features' weighted means and centred sums of squares
    ``sum s (x - mean)^2``, the target's (``my``, ``syy``), and the weight of every target value while
    there are at most :data:`MAX_LABELS` of them (``many``: there were more).  ``p`` numbers per block where
    :class:`Moments` keeps ``p x p``: what standardizing a classifier's features and checking its labels
    need.  Merged by the same pairwise update."""

    weight: np.ndarray
    rows: np.ndarray
    mx: np.ndarray
    sxx: np.ndarray
    my: np.ndarray
    syy: np.ndarray
    labels: dict
    many: bool

    def merge(self, other: ColumnMoments) -> ColumnMoments:
        """Blockwise union of two disjoint sets of rows."""
        wa, wb = self.weight, other.weight
        w = wa + wb
        safe = np.where(w > 0, w, 1.0)
        fb = np.where(w > 0, wb / safe, 0.0)[:, None]
        cross = np.where(w > 0, wa * wb / safe, 0.0)[:, None]
        d = other.mx - self.mx
        mx = np.where((wa > 0)[:, None], np.where((wb > 0)[:, None], self.mx + fb * d, self.mx), other.mx)
        dy = other.my - self.my
        my = np.where(wa > 0, np.where(wb > 0, self.my + fb[:, 0] * dy, self.my), other.my)
        labels = {k: v.copy() for k, v in self.labels.items()}
        for key, value in other.labels.items():
            labels[key] = labels[key] + value if key in labels else value.copy()
        many = self.many or other.many or len(labels) > MAX_LABELS
        return ColumnMoments(
            w,
            self.rows + other.rows,
            mx,
            self.sxx + other.sxx + cross * d * d,
            my,
            self.syy + other.syy + cross[:, 0] * dy * dy,
            {} if many else labels,
            many,
        )

    def total(self, skip: int | None = None) -> ColumnMoments:
        """All blocks merged into one (all but block ``skip``)."""
        keep = [k for k in range(self.weight.shape[0]) if k != skip]
        out = self.block(keep[0])
        for k in keep[1:]:
            out = out.merge(self.block(k))
        return out

    def block(self, k: int) -> ColumnMoments:
        """Block ``k`` alone."""
        sl = slice(k, k + 1)
        labels = {key: value[sl].copy() for key, value in self.labels.items()}
        return ColumnMoments(
            self.weight[sl], self.rows[sl], self.mx[sl], self.sxx[sl], self.my[sl], self.syy[sl], labels, self.many
        )

    def std(self) -> np.ndarray:
        """The first block's weighted standard deviations (ddof 0)."""
        w = float(self.weight[0])
        return np.sqrt(np.maximum(self.sxx[0], 0.0) / w) if w > 0 else np.zeros_like(self.sxx[0])


def chunk_column_moments(chunk: Chunk, n_folds: int = 1, seed: int = 0) -> ColumnMoments:
    """:class:`ColumnMoments` of a chunk's rows, one block per fold."""
    p = chunk.X.shape[1]
    folds = fold_of(chunk.start, chunk.n_rows, n_folds, seed) if n_folds > 1 else np.zeros(chunk.n_rows, np.intp)
    weight, rows = np.zeros(n_folds), np.zeros(n_folds, dtype=np.int64)
    mx, sxx = np.zeros((n_folds, p)), np.zeros((n_folds, p))
    my, syy = np.zeros(n_folds), np.zeros(n_folds)
    values = np.unique(chunk.y)
    many = values.shape[0] > MAX_LABELS
    labels = {} if many else {float(v): np.zeros(n_folds) for v in values}
    for k in range(n_folds):
        rows_k = folds == k
        rows[k] = int(rows_k.sum())
        s = chunk.s[rows_k]
        w = float(s.sum())
        if w <= 0.0:
            continue
        X = chunk.X[rows_k]
        mean = (s @ X) / w
        centred = X - mean
        shift = (s @ centred) / w  # the mean refined once, as Moments.of_rows
        mean += shift
        centred -= shift
        weight[k], mx[k], sxx[k] = w, mean, s @ (centred * centred)
        y = chunk.y[rows_k]
        my[k] = float(s @ y) / w
        syy[k] = float(s @ (y - my[k]) ** 2)
        for v in labels:
            labels[v][k] = float(s[chunk.y[rows_k] == v].sum())
    return ColumnMoments(weight, rows, mx, sxx, my, syy, labels, many)


def merge_column_moments(a: ColumnMoments, b: ColumnMoments) -> ColumnMoments:
    """The combine of a :func:`chunk_column_moments` pass."""
    return a.merge(b)


def classification_sums(
    chunk: Chunk, coefs: np.ndarray, intercepts: np.ndarray, positive: float, n_folds: int = 1, seed: int = 0
) -> np.ndarray:
    """Per fold and model, ``[sum s, sum s log(1 + exp(-y z)), sum s [sign z = y]]`` of a chunk's rows for
    binary classifiers ``z = x.w + b`` (``y = +1`` on the ``positive`` label, else -1; a score of 0 predicts
    the negative class, as ``predict`` does).  Summed over the chunks (``numpy.add``), they give every
    model's mean log-loss and accuracy on each fold in one pass.  Shape ``(n_folds, n_models, 3)``."""
    W = np.atleast_2d(coefs)
    z = chunk.X @ W.T + np.asarray(intercepts, dtype=np.float64)
    sign = np.where(chunk.y == positive, 1.0, -1.0)[:, None]
    loss = np.logaddexp(0.0, -sign * z)
    hits = ((z > 0) == (sign > 0)).astype(np.float64)
    folds = fold_of(chunk.start, chunk.n_rows, n_folds, seed) if n_folds > 1 else np.zeros(chunk.n_rows, np.intp)
    out = np.zeros((n_folds, W.shape[0], 3))
    for k in range(n_folds):
        s = chunk.s[folds == k]
        out[k, :, 0] = s.sum()
        out[k, :, 1] = s @ loss[folds == k]
        out[k, :, 2] = s @ hits[folds == k]
    return out


def regression_sums(
    chunk: Chunk,
    datafit,
    coefs: np.ndarray,
    intercepts: np.ndarray,
    null_z: np.ndarray,
    n_folds: int = 1,
    seed: int = 0,
) -> np.ndarray:
    """Per fold, ``[sum s, sum s f(y, z)]`` of a chunk's rows for every model ``z = x.w + b`` and, last,
    for the constant prediction ``null_z[k]`` of fold ``k`` (``f``: the datafit's ``sample_losses``).
    Summed over the chunks, they give every model's mean loss and its score against a null model (e.g.
    D^2) on each fold in one pass.  Shape ``(n_folds, n_models + 1, 2)``."""
    W = np.atleast_2d(coefs)
    z = chunk.X @ W.T + np.asarray(intercepts, dtype=np.float64)
    folds = fold_of(chunk.start, chunk.n_rows, n_folds, seed) if n_folds > 1 else np.zeros(chunk.n_rows, np.intp)
    out = np.zeros((n_folds, W.shape[0] + 1, 2))
    for k in range(n_folds):
        rows = folds == k
        y, s = chunk.y[rows], chunk.s[rows]
        out[k, :, 0] = s.sum()
        zk = z[rows]
        # (model by model: a datafit may read a 2-D target as target and offset)
        out[k, :-1, 1] = [s @ datafit.sample_losses(y, zk[:, j]) for j in range(zk.shape[1])]
        out[k, -1, 1] = s @ datafit.sample_losses(y, np.full(y.shape[0], null_z[k]))
    return out
