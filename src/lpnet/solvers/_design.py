"""The data matrix, prepared once for the solvers and reused across fits on the same data.

A regularization path or a cross-validation fold solves the same data for many alphas.  Everything
that depends only on the data (the kernels' layout of X, the coordinate Lipschitz constants for given
sample weights, the certificate's projection for the free columns) is computed by the first fit and
found again by the next ones.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import numpy as np
import scipy.sparse as sp

from . import _cd_kernels as kern

_T = TypeVar("_T")


def kernel_matrix(X: Any) -> Any:
    """``X`` in the layout the numba kernels read: Fortran-ordered array or a CSC ``(data, indices, indptr)``."""
    if sp.issparse(X):
        X = sp.csc_matrix(X)
        if not X.has_sorted_indices:
            X = X.sorted_indices()  # a sorted copy: never reorder the caller's matrix in place
        return (X.data, X.indices, X.indptr)
    return np.asfortranarray(X)


def take_rows(X: Any, rows: np.ndarray) -> Any:
    """``X[rows]`` for integer ``rows``, dense data in the kernels' Fortran order.

    A cross-validation fold's rows: numpy's row gather from a Fortran-ordered array writes a C-ordered
    copy, which the kernels then transpose (9.3 ms for 400 rows of 500 x 5000); gathered column by
    column, 1.1 ms.
    """
    rows = np.asarray(rows)
    fortran = isinstance(X, np.ndarray) and X.ndim == 2 and X.dtype == np.float64 and X.flags.f_contiguous
    # (numpy's own indexing, and its errors, for everything else: masks, negative or out-of-range rows)
    if fortran and rows.ndim == 1 and rows.dtype.kind in "iu" and rows.size and 0 <= rows.min() <= rows.max() < len(X):
        return kern.gather_rows(X, rows.astype(np.int64, copy=False))
    return X[rows]


def linear_predictor(X: Any, w: np.ndarray, b: float) -> np.ndarray:
    """``X w + b`` as a float64 vector."""
    # (np.flatnonzero of the boolean mask: of the float array itself it took 8 times longer, 180 us on
    # 50 000 coefficients)
    support = np.flatnonzero(w != 0)
    if support.size == 0:  # the usual cold start: skip a product with zeros
        return np.full(X.shape[0], float(b))
    if 4 * support.size < w.shape[0]:
        # a sparse fit's support is a small part of the columns: a product over all of them multiplies
        # zeros (dense) or walks every column's pointers (sparse) for nothing
        return np.asarray(X[:, support] @ w[support], dtype=np.float64).ravel() + b
    return np.asarray(X @ w, dtype=np.float64).ravel() + b


def _digest(a: np.ndarray) -> bytes:
    return hashlib.blake2b(np.ascontiguousarray(a).view(np.uint8).data, digest_size=16).digest()


class Design:
    """``X`` with what the solvers derive from it, cached by the weights it depends on.

    Parameters
    ----------
    X : ndarray or scipy.sparse matrix of shape (n_samples, n_features)
    """

    def __init__(self, X: Any):
        self.X = X
        self.shape: tuple[int, int] = X.shape
        self.kernel = kernel_matrix(X)
        self._memo: dict[Hashable, Any] = {}
        self._last_prediction: tuple[np.ndarray, float, np.ndarray] | None = None
        self._last_xt: tuple[np.ndarray, np.ndarray, np.ndarray | None] | None = None
        self._recent_digests: list[tuple[np.ndarray, bytes]] = []

    def xt(self, v: np.ndarray, means: np.ndarray | None = None) -> np.ndarray:
        """``X^T v`` through the compiled kernel (no BLAS: fast on any layout, dense or CSC).

        With ``means``: ``(X - means)^T v``, computed on the differences (for a ``v`` that sums to zero,
        the same value as ``X^T v`` without the cancellation of a column's large mean).  The last
        product is kept: along a path, the certificate that starts a fit is taken at the previous fit's
        final point, whose gradient the previous certificate has just computed.
        """
        v = np.ascontiguousarray(v, dtype=np.float64)
        last = self._last_xt
        if last is not None and last[2] is means and np.array_equal(last[0], v):
            return last[1].copy()
        if means is None:
            out = kern.xt_dot(self.kernel, v, self.shape[1])
        else:
            out = kern.centred_xt(self.kernel, v, means, self.shape[1])
        self._last_xt = (v.copy(), out.copy(), means)
        return out

    def xt_pair(self, v: np.ndarray, u: np.ndarray, means: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``((X - means)^T v, (X - means)^T u)`` in one pass over ``X``."""
        v = np.ascontiguousarray(v, dtype=np.float64)
        u = np.ascontiguousarray(u, dtype=np.float64)
        return kern.centred_xt_pair(self.kernel, v, u, means, self.shape[1])

    def xt_subset(self, v: np.ndarray, cols: np.ndarray, means: np.ndarray) -> np.ndarray:
        """``(X[:, cols] - means[cols])^T v``, read in place (``means`` zeros: the plain product)."""
        v = np.ascontiguousarray(v, dtype=np.float64)
        return kern.centred_subset_xt(self.kernel, np.ascontiguousarray(cols, dtype=np.int64), v, means)

    def predict(self, w: np.ndarray, b: float) -> np.ndarray:
        """``X w + b`` (free when it is the prediction a solver last left here: a path's warm start)."""
        last = self._last_prediction
        if last is not None and last[1] == b and np.array_equal(last[0], w):
            return last[2].copy()
        return self.linear(w, b)

    @property
    def column_major(self) -> Any:
        """``X`` where gathering columns is cheap: the Fortran-ordered copy the kernels read for dense data
        (a gather from a C-ordered array strides over every row), ``X`` itself when sparse."""
        return self.kernel if isinstance(self.kernel, np.ndarray) else self.X

    def linear(self, w: np.ndarray, b: float) -> np.ndarray:
        """``X w + b`` over the nonzero coefficients only, read from the kernels' layout in one compiled
        pass (a solver's prediction recomputed from scratch), with no gather of the support's columns:
        on a 400 x 5000 fold with 450 nonzeros 43 us against numpy's gather and product, 69 us; on the
        sparse tf-idf 5000 x 50 000, 24 us against numpy's bincount route, 280 us.  Its load from
        numba's cache adds about 3 ms to a process's first fit."""
        w = np.asarray(w, dtype=np.float64)
        support = np.flatnonzero(w != 0)
        return kern.subset_product(self.kernel, support, w[support], float(b), self.shape[0])

    def remember_prediction(self, w: np.ndarray, b: float, z: np.ndarray) -> None:
        """Keep ``z = X w + b`` for the next fit that starts from ``(w, b)``."""
        self._last_prediction = (np.array(w, copy=True), float(b), np.array(z, copy=True))

    def col_sq_norms(self, h: np.ndarray) -> np.ndarray:
        """``sum_i h_i X_ij^2`` per column (coordinate-wise Lipschitz constants)."""
        return self.memo(
            ("sq_norms", self._digest(h)),
            lambda: kern.col_sq_norms(self.kernel, h, self.shape[1], np.arange(self.shape[1], dtype=np.int64)),
        )

    def coordinate_stats(self, h: np.ndarray, fit_intercept: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(means, sums, lips)`` for coordinate descent under weights ``h`` (``coordinate_moments``)."""
        return self.memo(
            ("coordinate_stats", self._digest(h), bool(fit_intercept)),
            lambda: kern.coordinate_moments(self.kernel, h, self.shape[1], fit_intercept),
        )

    def memo(self, key: Hashable, compute: Callable[[], _T]) -> _T:
        """``compute()`` once per ``key`` (keys built from digests of the arrays they depend on)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def key(self, *arrays: Any) -> tuple[Any, ...]:
        """A memo key for values that depend on ``arrays``."""
        return tuple(self._digest(np.asarray(a)) if isinstance(a, np.ndarray) else a for a in arrays)

    def _digest(self, a: np.ndarray) -> bytes:
        """``_digest(a)``, remembered for the last few arrays seen.

        A path hands the same target and weights (as new arrays) to every alpha: comparing values is
        one cheap pass, hashing them again costs several times more on long arrays.
        """
        for seen, digest in self._recent_digests:
            if seen.shape == a.shape and seen.dtype == a.dtype and np.array_equal(seen, a):
                return digest
        digest = _digest(a)
        self._recent_digests = [(np.array(a, copy=True), digest), *self._recent_digests][:4]
        return digest


def as_design(X: Any) -> Design:
    """``X`` itself when it is a :class:`Design` already, else a new one on it."""
    return X if isinstance(X, Design) else Design(X)
