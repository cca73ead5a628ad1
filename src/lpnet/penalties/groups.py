"""The sparse-group penalty: the group lasso and the sparse-group lasso on a partition of the features.

The features are split into groups ``g`` (every feature in exactly one group) and

    ``P(w) = alpha * sum_g [l1_ratio * ||w_g||_1 + (1 - l1_ratio) * c_g * ||w_g||_2]``

over the penalized groups (``c_g > 0``); a group of weight ``c_g = 0`` is not penalized at all.  The
default weight is ``c_g = sqrt(|g|)`` (Yuan & Lin; Simon et al.'s sparse-group lasso).  ``l1_ratio = 0``
is the group lasso, which keeps or drops a group as a whole; ``l1_ratio > 0`` also makes coefficients
inside a kept group exactly zero; ``l1_ratio = 1`` is the Lasso.  With singleton groups of weight 1 every
``l1_ratio`` gives the Lasso.

The penalty is separable over groups but not over coordinates, so it is not one of the scalar penalties
of the registry (whose compiled scalar kernels every solver pairs with every datafit): the block solver
(``solver="group_cd"``) fits it, and the certificates use its vectorised methods below, which work group
by group.  Overlapping groups are not supported (a feature in two groups is refused): duplicating the
shared column, one copy per group, gives the latent-group ("overlap") lasso of Jacob, Obozinski & Vert.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from numba import njit

from .._validation import InvalidParameterError, check_l1_ratio
from .base import Penalty
from .prox import DOMAIN_SLACK

__all__ = ["SparseGroup", "parse_groups"]


# ----------------------------------------------------------------------------------------------------
# the groups
# ----------------------------------------------------------------------------------------------------
def _is_index_list(groups) -> bool:
    # a list of index arrays (one per group), as opposed to one label per column
    if isinstance(groups, np.ndarray):
        return groups.ndim == 2
    if isinstance(groups, (list, tuple)) and len(groups) > 0:
        kinds = {np.ndim(g) if not isinstance(g, (str, bytes)) else 0 for g in groups}
        if kinds == {1}:
            return True
        if 1 in kinds:
            raise InvalidParameterError(
                "groups mixes index arrays and single labels; pass either a list of index arrays (one per "
                "group) or one group label per column."
            )
        return False
    return False


def parse_groups(groups, n_features: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``(codes, labels)``: the group number of every column and the label of every group.

    Parameters
    ----------
    groups : list of array-like of int, or array-like of shape (n_features,)
        Either one array of column indices per group, together covering every column exactly once, or
        one group label per column (numbers or strings: a pandas Series or an Index works).
    n_features : int, optional
        The number of columns the groups must cover.

    Returns
    -------
    codes : ndarray of int64 of shape (n_features,)
        Group number ``0 .. n_groups - 1`` of each column.
    labels : ndarray of shape (n_groups,)
        Each group's label: the labels in order of first appearance, or ``0 .. n_groups - 1`` for index
        arrays.

    Raises
    ------
    ValueError
        On an empty group, a column in two groups (overlap is not supported), a column in no group, or
        indices out of range.
    """
    if groups is None:
        raise InvalidParameterError(
            "groups is required: pass one array of column indices per group, or one group label per column."
        )
    scalar = not isinstance(groups, (list, tuple, range)) and np.ndim(groups) == 0
    if isinstance(groups, (str, bytes)) or scalar:
        raise InvalidParameterError(
            f"groups must be a list of index arrays or one label per column, got {type(groups).__name__}."
        )
    if _is_index_list(groups):
        return _codes_from_indices(groups, n_features)
    labels = np.asarray(groups)
    if labels.ndim != 1 or labels.size == 0:
        raise InvalidParameterError(
            f"groups must be a list of index arrays or a 1-D array of one label per column, got shape {labels.shape}."
        )
    if (labels.dtype.kind == "f" and np.isnan(labels).any()) or any(v is None for v in labels.tolist()):
        raise ValueError("groups holds a missing label (None or NaN): every column needs a group label.")
    if n_features is not None and labels.size != n_features:
        raise ValueError(
            f"groups has {labels.size} labels but X has {n_features} columns: give one group label per column."
        )
    try:
        uniques, first, codes = np.unique(labels, return_index=True, return_inverse=True)
    except TypeError as exc:  # labels of types that do not compare (e.g. 1 and "a")
        raise InvalidParameterError(f"the group labels must be all numbers or all strings ({exc}).") from exc
    rank = np.empty(uniques.size, dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(uniques.size)  # number groups by first appearance
    return rank[codes.ravel()].astype(np.int64), uniques[np.argsort(first, kind="stable")]


def _codes_from_indices(groups, n_features: int | None) -> tuple[np.ndarray, np.ndarray]:
    members = []
    for k, g in enumerate(groups):
        idx = np.asarray(list(g) if isinstance(g, range) else g)
        if idx.size == 0:
            raise ValueError(f"group {k} is empty: every group needs at least one column; drop it from groups.")
        if idx.dtype.kind not in "iu":
            if idx.dtype.kind == "f" and np.all(idx == np.round(idx)):
                idx = idx.astype(np.int64)
            else:
                raise InvalidParameterError(f"group {k} must hold integer column indices, got {idx.dtype} values.")
        members.append(idx.astype(np.int64).ravel())
    flat = np.concatenate(members)
    p = int(flat.max()) + 1 if n_features is None else int(n_features)
    if flat.min() < 0 or flat.max() >= p:
        bad = int(flat.min() if flat.min() < 0 else flat.max())
        raise ValueError(f"groups names column {bad}, but the columns are numbered 0 .. {p - 1}.")
    counts = np.bincount(flat, minlength=p)
    if (counts > 1).any():
        j = int(np.flatnonzero(counts > 1)[0])
        raise ValueError(
            f"column {j} is in {counts[j]} groups: overlapping groups are not supported, each column must belong "
            "to exactly one group (for the overlap group lasso, duplicate the column once per group)."
        )
    if (counts == 0).any():
        missing = np.flatnonzero(counts == 0)
        raise ValueError(
            f"columns {missing[:10].tolist()}{' ...' if missing.size > 10 else ''} are in no group: every column "
            "must belong to exactly one group (put a column you do not want penalized in a group of weight 0)."
        )
    codes = np.empty(p, dtype=np.int64)
    for k, idx in enumerate(members):
        codes[idx] = k
    return codes, np.arange(len(members))


def _check_group_weights(group_weights, sizes: np.ndarray) -> np.ndarray:
    if group_weights is None or (isinstance(group_weights, str) and group_weights == "sqrt"):
        return np.sqrt(sizes.astype(np.float64))
    if isinstance(group_weights, str):
        raise InvalidParameterError(
            f"group_weights must be 'sqrt', None or one number per group, got {group_weights!r}."
        )
    c = np.asarray(group_weights, dtype=np.float64).ravel()
    if c.shape != sizes.shape:
        raise ValueError(f"group_weights has {c.size} entries but there are {sizes.size} groups: give one per group.")
    if not np.all(np.isfinite(c)) or np.any(c < 0):
        raise InvalidParameterError("group_weights must be finite and >= 0 (0 leaves a group unpenalized).")
    return c


# ----------------------------------------------------------------------------------------------------
# compiled group kernels
# ----------------------------------------------------------------------------------------------------
@njit(cache=True, nogil=True)
def threshold_root(z, lam1, lam2):
    """The ``c >= 0`` with ``||ST(z, c lam1)||_2 = c lam2`` (``ST``: soft-thresholding), i.e. the smallest
    ``c`` with ``||ST(z / c, lam1)||_2 <= lam2``: by how much ``z`` must be divided to enter the domain of
    the conjugate of ``lam1 ||.||_1 + lam2 ||.||_2``.

    ``phi(c) = ||ST(z, c lam1)||_2 - c lam2`` decreases from ``||z||`` to below 0; between two breakpoints
    ``c = |z_(k)| / lam1`` (sorted decreasing) the active set is the ``k`` largest entries and
    ``phi(c) = 0`` is the quadratic ``(k lam1^2 - lam2^2) c^2 - 2 lam1 S1 c + S2 = 0`` (``S1, S2``: sum and
    sum of squares of the active entries), whose root in the interval is ``S2 / (B + sqrt(B^2 - A S2))``.
    """
    m = z.shape[0]
    a = np.sort(np.abs(z))[::-1]
    if m == 0 or a[0] == 0.0:
        return 0.0
    if lam1 <= 0.0:
        return math.sqrt(np.sum(a * a)) / lam2 if lam2 > 0.0 else math.inf
    if lam2 <= 0.0:
        return a[0] / lam1
    s1 = 0.0
    s2 = 0.0
    for k in range(1, m + 1):
        s1 += a[k - 1]
        s2 += a[k - 1] * a[k - 1]
        t = a[k] if k < m else 0.0  # the next breakpoint, c = t / lam1
        # sign of phi there: sum_{j<=k} (a_j - t)^2 against (t lam2 / lam1)^2
        if s2 - 2.0 * t * s1 + k * t * t >= (t * lam2 / lam1) ** 2:
            A = k * lam1 * lam1 - lam2 * lam2
            B = lam1 * s1
            return s2 / (B + math.sqrt(max(B * B - A * s2, 0.0)))
    return 0.0  # not reached: phi(0) = ||z|| > 0


@njit(cache=True, nogil=True)
def group_roots(z, order, indptr, lam1, lam2):
    """:func:`threshold_root` of every group (``order[indptr[g]:indptr[g+1]]`` its columns)."""
    n_groups = indptr.shape[0] - 1
    out = np.zeros(n_groups)
    for g in range(n_groups):
        if lam1[g] > 0.0 or lam2[g] > 0.0:
            out[g] = threshold_root(z[order[indptr[g] : indptr[g + 1]]], lam1[g], lam2[g])
    return out


@njit(cache=True, nogil=True)
def block_prox(u, lam1, lam2):
    """``argmin_x 1/2 ||x - u||^2 + lam1 ||x||_1 + lam2 ||x||_2``: soft-thresholding, then group shrinkage.

    Why the composition is the prox: with ``v = ST(u, lam1)`` and ``x = v max(0, 1 - lam2 / ||v||)``,
    ``u - v`` lies in ``lam1 d||v||_1`` and ``v - x`` in ``lam2 d||x||_2`` (the group soft-threshold's own
    optimality).  ``x`` is a non-negative multiple of ``v``, so ``d||v||_1`` is contained in
    ``d||x||_1`` (the same signs where ``x != 0``, the whole ``[-1, 1]`` where ``x_j = 0``), hence
    ``u - x`` lies in ``lam1 d||x||_1 + lam2 d||x||_2``: the optimality condition of the block problem,
    which is strictly convex, so ``x`` is its minimizer.
    """
    m = u.shape[0]
    v = np.empty(m)
    norm2 = 0.0
    for j in range(m):
        a = abs(u[j]) - lam1
        v[j] = math.copysign(a, u[j]) if a > 0.0 else 0.0
        norm2 += v[j] * v[j]
    norm = math.sqrt(norm2)
    if norm <= lam2:
        return np.zeros(m)
    return v * (1.0 - lam2 / norm)


@njit(cache=True, nogil=True)
def box_block_prox(u, lam1, lam2, lower, upper):
    """``argmin 1/2 ||x - u||^2 + lam1 ||x||_1 + lam2 ||x||_2`` over the box ``lower <= x <= upper``.

    Why this is exact: at a minimizer with ``rho = ||x|| > 0`` the group norm is differentiable, and the
    optimality condition of ``x_j``, ``(1 + lam2 / rho) x_j - u_j + lam1 s_j + n_j = 0`` (``s_j`` in
    ``d|x_j|``, ``n_j`` in the box's normal cone), is that of the scalar problem
    ``min (1 + lam2 / rho) / 2 x_j^2 - u_j x_j + lam1 |x_j|`` over ``[lower_j, upper_j]``: a convex function
    of one variable, minimized over an interval at its free minimizer clipped into it.  So
    ``x = x(t) = clip(t ST(u, lam1), lower, upper)`` with ``t = rho / (rho + lam2)``, and ``rho = ||x(t)||``
    reads ``||x(t)|| / t = lam2 / (1 - t)``.  Every coordinate of ``x(t) / t`` shrinks in magnitude as
    ``t`` grows, so the left side decreases and the right side increases: at most one root in
    ``(0, 1)``, found by bisection to the last bit of ``t``.  Any root is a KKT point of the strictly convex
    problem, hence the minimizer.  Without a root the minimizer is 0: 0 lies in the box and the part of
    ``ST(u, lam1)`` that points into the box (``v_j > 0`` only where ``upper_j > 0``, ``v_j < 0`` only where
    ``lower_j < 0``) has norm at most ``lam2``, the limit of the left side at ``t = 0``.
    """
    m = u.shape[0]
    v = np.empty(m)
    zero_in_box = True
    into = 0.0
    for j in range(m):
        a = abs(u[j]) - lam1
        v[j] = math.copysign(a, u[j]) if a > 0.0 else 0.0
        if lower[j] > 0.0 or upper[j] < 0.0:
            zero_in_box = False
        elif (v[j] > 0.0 and upper[j] > 0.0) or (v[j] < 0.0 and lower[j] < 0.0):
            into += v[j] * v[j]
    out = np.empty(m)
    if lam2 <= 0.0:
        for j in range(m):
            out[j] = min(max(v[j], lower[j]), upper[j])
        return out
    if zero_in_box and math.sqrt(into) <= lam2:
        return np.zeros(m)
    lo, hi = 0.0, 1.0
    while True:
        t = 0.5 * (lo + hi)
        if t <= lo or t >= hi:
            break
        norm2 = 0.0
        for j in range(m):
            c = min(max(t * v[j], lower[j]), upper[j])
            norm2 += c * c
        if math.sqrt(norm2) * (1.0 - t) > lam2 * t:
            lo = t
        else:
            hi = t
    for j in range(m):
        out[j] = min(max(hi * v[j], lower[j]), upper[j])
    return out


@njit(cache=True, nogil=True)
def block_distance(w, grad, lam1, lam2, lower, upper):
    """``dist(-grad, d(lam1 ||.||_1 + lam2 ||.||_2)(w) + N(w))`` in the Euclidean norm, for one group.

    ``N(w)`` is the normal cone of the box ``[lower, upper]`` (``{0}`` without one; ``inf`` for a ``w``
    outside it).  Away from ``w = 0`` the group norm is differentiable (gradient ``lam2 w / ||w||``) and
    what remains, coordinate by coordinate, is an interval: ``lam1 sign(w_j)`` or ``[-lam1, lam1]`` (at
    ``w_j = 0``), opened to ``-inf`` at a lower bound and to ``inf`` at an upper bound.  At ``w = 0`` the
    subdifferential is that product of intervals plus the ball of radius ``lam2``, whose distance is the
    product's minus ``lam2`` (at least 0).
    """
    m = w.shape[0]
    norm2 = 0.0
    for j in range(m):
        if w[j] < lower[j] or w[j] > upper[j]:
            return math.inf
        norm2 += w[j] * w[j]
    norm = math.sqrt(norm2)
    total = 0.0
    for j in range(m):
        if lower[j] == upper[j]:
            continue  # the whole line is the normal cone
        a = -grad[j] - (lam2 * w[j] / norm if norm > 0.0 else 0.0)
        lo = math.copysign(lam1, w[j]) if w[j] != 0.0 else -lam1
        hi = lo if w[j] != 0.0 else lam1
        if w[j] == lower[j]:
            lo = -math.inf
        if w[j] == upper[j]:
            hi = math.inf
        d = max(lo - a, a - hi, 0.0)
        total += d * d
    if norm == 0.0:
        return max(math.sqrt(total) - lam2, 0.0)
    return math.sqrt(total)


@njit(cache=True, nogil=True)
def group_distances(w, grad, order, indptr, lam1, lam2, lower, upper):
    """:func:`block_distance` of every group; 0 for unpenalized groups where the gradient is 0."""
    n_groups = indptr.shape[0] - 1
    out = np.zeros(n_groups)
    for g in range(n_groups):
        cols = order[indptr[g] : indptr[g + 1]]
        out[g] = block_distance(w[cols], grad[cols], lam1[g], lam2[g], lower[cols], upper[cols])
    return out


# ----------------------------------------------------------------------------------------------------
# the penalty
# ----------------------------------------------------------------------------------------------------
class SparseGroup(Penalty):
    """``alpha sum_g [l1_ratio ||w_g||_1 + (1 - l1_ratio) c_g ||w_g||_2]``: group and sparse-group lasso.

    Parameters
    ----------
    alpha : float
        Regularization strength, ``alpha >= 0``.
    groups : list of array-like of int, or array-like of shape (n_features,)
        The partition of the features: one array of column indices per group (together covering every
        column exactly once), or one group label per column (numbers or strings, e.g. a pandas Series
        mapping each one-hot column to its categorical variable).  Overlapping groups are refused.
    l1_ratio : float in [0, 1], default 0.0
        Share of the L1 part: 0 is the group lasso, 1 the Lasso, in between the sparse-group lasso.
    group_weights : "sqrt", None or array-like of shape (n_groups,)
        ``c_g >= 0``; ``"sqrt"`` and None give ``sqrt(|g|)``.  0 leaves a group unpenalized (its L1 part
        included).
    weights : None
        Not taken: the weights are per group (``group_weights``); any other value raises.
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), optional
        A box ``lower_j <= w_j <= upper_j`` on the coefficients (``-inf`` / ``inf`` allowed; None: that side
        open), as for every penalty.  The block prox is then exact over the box (:func:`box_block_prox`),
        and a fit is certified by the optimality violation with the box's normal cone.

    Notes
    -----
    Per group the conjugate of ``lam1 ||.||_1 + lam2 ||.||_2`` (``lam1 = alpha l1_ratio``,
    ``lam2 = alpha (1 - l1_ratio) c_g``) is the indicator of ``||ST(z_g, lam1)||_2 <= lam2``, the sum of
    the two norms' dual balls.  A dual point is divided into that set by the smallest ``c``, found per
    group by :func:`threshold_root`; the same root of the gradient at ``w = 0`` with ``alpha = 1`` gives
    the exact ``alpha_max``.

    Per-feature quantities that the certificates read are the group's: :meth:`penalty_factors` is
    ``l1_ratio + (1 - l1_ratio) c_g`` on every column of a penalized group (0 on the others), and
    :meth:`subdiff_distance` puts the group's distance on each of its columns.

    With a box the conjugate of ``P + I_box`` has no closed form per group (the box and the two norms do
    not separate), so :meth:`has_box_dual` is False and the certificate is the optimality violation.
    ``alpha_max`` is then taken at ``w0``, the point of the box closest to 0 (see :meth:`alpha_max`).
    """

    name: ClassVar[str] = "sparse_group"
    parameters: ClassVar[dict[str, float]] = {"l1_ratio": 0.0}

    def __init__(
        self,
        alpha: float,
        groups=None,
        l1_ratio: float = 0.0,
        group_weights=None,
        *,
        weights=None,
        lower_bounds=None,
        upper_bounds=None,
    ):
        super().__init__(alpha, lower_bounds=lower_bounds, upper_bounds=upper_bounds)
        if weights is not None:
            raise InvalidParameterError(
                "SparseGroup takes one weight per group (group_weights=), not per-feature weights."
            )
        self.l1_ratio = check_l1_ratio(l1_ratio)
        self.groups = groups
        self.codes, self.labels = parse_groups(groups)
        self.n_features = int(self.codes.shape[0])
        self.sizes = np.bincount(self.codes).astype(np.int64)
        self.group_weights = _check_group_weights(group_weights, self.sizes)
        self.order = np.argsort(self.codes, kind="stable").astype(np.int64)
        self.indptr = np.concatenate(([0], np.cumsum(self.sizes))).astype(np.int64)

    # ----------------------------------------------------------------- description
    @property
    def n_groups(self) -> int:
        return int(self.sizes.shape[0])

    @property
    def label(self) -> str:
        """E.g. ``"GroupLasso(5 groups)"`` or ``"SparseGroupLasso(l1_ratio=0.5, 5 groups) in [0, inf]"``."""
        name = (
            f"GroupLasso({self.n_groups} groups)"
            if self.l1_ratio == 0.0
            else f"SparseGroupLasso(l1_ratio={self.l1_ratio:g}, {self.n_groups} groups)"
        )
        if not self.is_bounded:
            return name
        if np.ndim(self.lower_bounds) or np.ndim(self.upper_bounds):
            return f"{name} with bounds"
        return f"{name} in [{float(self.lower_bounds):g}, {float(self.upper_bounds):g}]"

    def group_members(self) -> list[np.ndarray]:
        """The column indices of each group, in group order."""
        return [self.order[self.indptr[g] : self.indptr[g + 1]].copy() for g in range(self.n_groups)]

    def structure(self) -> dict[str, Any]:
        """What, besides ``alpha`` and ``l1_ratio``, rebuilds the penalty: the label of every column
        (``groups``) and the group weights."""
        return {"groups": self.labels[self.codes], "group_weights": self.group_weights.copy()}

    def with_weights(self, weights) -> SparseGroup:
        """The penalty itself when ``weights`` is None or all ones (a path's default factors); per-feature
        factors are refused: the group weights are ``group_weights``."""
        if weights is None or np.array_equal(np.asarray(weights, dtype=np.float64), np.ones(self.n_features)):
            return self.with_alpha(self.alpha)
        raise ValueError(
            "SparseGroup takes one weight per group (group_weights=), not per-feature penalty factors; "
            "drop penalty_factor (a group of weight 0 is unpenalized)."
        )

    # ----------------------------------------------------------------- per group
    def _check_n(self, n_features: int) -> None:
        if n_features != self.n_features and not _is_index_list(self.groups):
            raise ValueError(
                f"groups has {self.n_features} labels but X has {n_features} columns: give one group label per column."
            )
        if n_features > self.n_features:
            raise ValueError(
                f"the groups cover {self.n_features} columns but X has {n_features}: columns {self.n_features} .. "
                f"{n_features - 1} are in no group; every column must belong to exactly one group."
            )
        if n_features < self.n_features:
            raise ValueError(
                f"groups names columns up to {self.n_features - 1} but X has {n_features} columns (0 .. "
                f"{n_features - 1}): every column of X in exactly one group."
            )

    def group_levels(self, alpha: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Per group ``(lam1, lam2) = (alpha l1_ratio, alpha (1 - l1_ratio) c_g)``; both 0 for a group of
        weight 0."""
        a = self.alpha if alpha is None else alpha
        penalized = self.group_weights > 0
        lam1 = np.where(penalized, a * self.l1_ratio, 0.0)
        lam2 = a * (1.0 - self.l1_ratio) * self.group_weights
        return lam1, lam2

    def group_penalized(self) -> np.ndarray:
        """Boolean mask of the groups the penalty acts on."""
        lam1, lam2 = self.group_levels()
        return (lam1 > 0) | (lam2 > 0)

    def group_distance(self, w, grad) -> np.ndarray:
        """Per group ``dist(-grad_g, dP_g(w_g) + N_g(w_g))`` (``N_g``: the box's normal cone, ``{0}``
        without a box): 0 exactly at a stationary point, ``inf`` outside the box."""
        w = np.ascontiguousarray(w, dtype=np.float64)
        self._check_n(w.shape[0])
        lam1, lam2 = self.group_levels()
        lower, upper = self.bounds(w.shape[0])
        grad = np.ascontiguousarray(grad, dtype=np.float64)
        return group_distances(w, grad, self.order, self.indptr, lam1, lam2, lower, upper)

    def group_ratio(self, z, alpha: float | None = None) -> np.ndarray:
        """Per group the smallest ``c >= 0`` with ``z_g / c`` in the conjugate's domain (0 for unpenalized
        groups)."""
        z = np.ascontiguousarray(z, dtype=np.float64)
        self._check_n(z.shape[0])
        lam1, lam2 = self.group_levels(alpha)
        return group_roots(z, self.order, self.indptr, lam1, lam2)

    def group_excess(self, z) -> np.ndarray:
        """Per group ``||ST(z_g, lam1)||_2 - lam2``: negative strictly inside the conjugate's domain (what
        a screening test needs), ``-inf`` for unpenalized groups."""
        z = np.asarray(z, dtype=np.float64)
        lam1, lam2 = self.group_levels()
        st = np.maximum(np.abs(z) - lam1[self.codes], 0.0)
        norms = np.sqrt(np.bincount(self.codes, weights=st * st, minlength=self.n_groups))
        return np.where(self.group_penalized(), norms - lam2, -np.inf)

    # ----------------------------------------------------------------- the Penalty interface
    def _scalar_kernels(self):
        raise TypeError(
            "SparseGroup couples the coordinates of a group: it has no scalar kernels, and only "
            "solver='group_cd' (or 'auto') fits it."
        )

    def penalty_factors(self, n_features: int) -> np.ndarray:
        """Per column the scale of its penalty, ``l1_ratio + (1 - l1_ratio) c_g``, 0 in unpenalized groups
        (what the certificate's projection and the free model of a path read)."""
        self._check_n(n_features)
        c = self.group_weights
        per_group = np.where(c > 0, self.l1_ratio + (1.0 - self.l1_ratio) * c, 0.0)
        return per_group[self.codes]

    def value(self, w, features=None) -> float:
        w = np.asarray(w, dtype=np.float64)
        self._check_n(w.shape[0])
        if features is not None:  # (the other coordinates set to 0: groups are not separable)
            kept = np.zeros_like(w)
            kept[features] = w[features]
            w = kept
        lam1, lam2 = self.group_levels()
        norms = np.sqrt(np.bincount(self.codes, weights=w * w, minlength=self.n_groups))
        l1 = np.bincount(self.codes, weights=np.abs(w), minlength=self.n_groups)
        return float(lam1 @ l1 + lam2 @ norms)

    def prox(self, w, step) -> np.ndarray:
        """``argmin_z 1/2 ||z - w||^2 + step P(z)`` over the box, group by group (:func:`block_prox`, or
        :func:`box_block_prox` with a box).

        ``step`` is a scalar or one value per column, constant within each group.
        """
        w = np.asarray(w, dtype=np.float64)
        self._check_n(w.shape[0])
        step = np.broadcast_to(np.asarray(step, dtype=np.float64), w.shape)
        lam1, lam2 = self.group_levels()
        lower, upper = self.bounds(w.shape[0])
        out = np.empty_like(w)
        for g, cols in enumerate(self.group_members()):
            t = float(step[cols[0]])
            u = np.ascontiguousarray(w[cols])
            if self.is_bounded:
                out[cols] = box_block_prox(u, t * lam1[g], t * lam2[g], lower[cols], upper[cols])
            else:
                out[cols] = block_prox(u, t * lam1[g], t * lam2[g])
        return out

    def subdiff_distance(self, w, grad, features=None) -> np.ndarray:
        """Per column, the distance of its group (:meth:`group_distance`); ``features``: those columns only."""
        codes = self.codes if features is None else self.codes[features]
        return self.group_distance(w, grad)[codes]

    def has_box_dual(self, n_features: int) -> bool:
        """True only without a box: with one the fit is certified by the optimality violation."""
        return not self.is_bounded

    def conjugate(self, z) -> float:
        """``P*(z)`` over the penalized groups: 0 when every ``||ST(z_g, lam1)||_2 <= lam2``, else ``inf``.

        Unpenalized groups are left out: the certificate projects the dual point onto ``X_g^T theta = 0``.
        Not defined with a box (see :meth:`has_box_dual`).
        """
        self._refuse_box_dual()
        ratios = self.group_ratio(z)
        return 0.0 if np.all(ratios <= 1.0 + DOMAIN_SLACK) else float("inf")

    def dual_scale(self, z) -> float:
        """Smallest ``c >= 1`` with ``z / c`` in the domain of ``P*`` (not defined with a box)."""
        self._refuse_box_dual()
        return max(1.0, float(self.group_ratio(z).max(initial=0.0)))

    def scaled_conjugate(self, z) -> tuple[float, float]:
        """``(c, P*(z / c)) = (dual_scale(z), 0)``: the conjugate is an indicator."""
        return self.dual_scale(z), 0.0

    def _refuse_box_dual(self) -> None:
        if self.is_bounded:
            raise NotImplementedError(
                "SparseGroup has no conjugate with a box: a bounded fit is certified by its optimality violation."
            )

    def alpha_max(self, grad, n_features: int | None = None) -> float:
        """Smallest ``alpha`` at which ``w0`` is optimal, given the loss gradient there.

        Without a box ``w0 = 0`` and per group ``||ST(grad_g, alpha l1_ratio)||_2 <= alpha (1 - l1_ratio) c_g``:
        for the group lasso ``||grad_g||_2 / c_g``, for the Lasso ``||grad_g||_inf``, in between the root of
        :func:`threshold_root` (exact).  The largest over the penalized groups.

        With a box, ``w0`` is its point closest to 0 and only the part of ``-grad`` that pushes ``w0_j`` into
        the box counts (``push_j``: ``max(-grad_j, 0)`` where ``lower_j = 0``, ``|grad_j|`` where the box is
        open on both sides of 0, as for the separable penalties).  A group whose box contains 0 takes the
        same root with ``push_g`` for ``grad_g`` (exact).  A group whose box excludes 0 has ``w0_g != 0``,
        where the group norm is differentiable: ``w0_g`` is optimal exactly when
        ``push_j <= alpha (l1_ratio + (1 - l1_ratio) c_g |w0_j| / ||w0_g||)`` on its coordinates held at a
        bound and ``push_j <= alpha l1_ratio`` on its coordinates at 0 (linear in ``alpha``: exact).  With
        ``l1_ratio = 0`` a coordinate at 0 in such a group has no threshold, so no ``alpha`` makes ``w0``
        optimal when the gradient pushes it; there the group lasso's value of those coordinates,
        ``||push||_2 / c_g``, is taken as the scale of the grid (as L2's ``alpha_max`` is the L1 value).
        """
        grad = np.asarray(grad, dtype=np.float64).ravel()
        unit = self.with_alpha(1.0)
        penalized = unit.group_penalized()
        if not penalized.any():
            return 0.0
        if not self.is_bounded:
            return float(unit.group_ratio(grad).max(initial=0.0))
        lower, upper = self.bounds(grad.shape[0])
        w0 = np.clip(0.0, lower, upper)
        push = np.where(w0 < upper, np.maximum(-grad, 0.0), 0.0) + np.where(w0 > lower, np.maximum(grad, 0.0), 0.0)
        lam1, lam2 = unit.group_levels()
        best = 0.0
        for g, cols in enumerate(self.group_members()):
            if not penalized[g]:
                continue
            at, pushed = w0[cols], push[cols]
            held = at != 0.0
            if not held.any():
                best = max(best, threshold_root(np.ascontiguousarray(pushed), lam1[g], lam2[g]))
                continue
            slope = lam1[g] + lam2[g] * np.abs(at[held]) / np.linalg.norm(at)
            best = max(best, float(np.max(pushed[held] / slope)))
            free = pushed[~held]
            if free.size and free.max() > 0.0:
                best = max(best, float(free.max() / lam1[g] if lam1[g] > 0.0 else np.linalg.norm(free) / lam2[g]))
        return float(best)

    def _repr_items(self) -> list[tuple[str, Any]]:
        return [("l1_ratio", self.l1_ratio), ("n_groups", self.n_groups)]
