"""The first pass of the distributed proximal Newton (the *scan*) and the null model of every fit.

The scan gathers, per group of rows (the cross-validation folds; one group without them), the weighted
means and centred co-moments of the features (merged pairwise, Chan et al.) and the target's weighted
distinct values.  While the target has few distinct values (class labels, small counts) it also keeps,
per value, the sum ``sum s x`` of its rows.  From these the driver

* checks and encodes the target with the datafit's own :meth:`~lpnet.datafits.Datafit.encode_target`
  (a row out of the datafit's range is named by its file or partition, at the chunk that holds it);
* finds every model's null model (the best intercept-only fit) with the datafit's own
  :meth:`~lpnet.datafits.Datafit.null_model` on the distinct values and their weights, which is exact:
  the intercept-only problem depends on the data only through the target's weighted distribution;
* and, when the value sums are there and the curvature at the null model does not depend on the target
  (the logistic and Poisson losses), the gradient and the Hessian there, with no further pass.  Otherwise
  one more pass (the *null pass*) evaluates them for every model at once.

The driver holds the target's distinct values with their weights per group: for a continuous target,
up to one number per row and group (a column of the data, not the data).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..datafits import Datafit
from .engines import fold_of

#: the scan keeps ``sum s x`` per distinct target value while the target has at most this many
MAX_LEVELS = 16


def weighted_gram(X: np.ndarray, h: np.ndarray) -> np.ndarray:
    """``X^T diag(h) X`` (``h >= 0``) by BLAS's symmetric rank-k update, half the work of a product and,
    on a busy machine, far faster than a general matrix product."""
    from scipy.linalg.blas import dsyrk

    B = np.ascontiguousarray(X * np.sqrt(h)[:, None])
    upper = dsyrk(1.0, B.T, trans=0)  # B^T B, upper triangle (B.T is B's Fortran-ordered view)
    return np.triu(upper) + np.triu(upper, 1).T


def group_of(start: int, m: int, n_groups: int, seed: int) -> np.ndarray:
    """The cross-validation fold of rows ``start .. start+m-1`` (all in group 0 without folds)."""
    return fold_of(start, m, n_groups, seed) if n_groups > 1 else np.zeros(m, dtype=np.intp)


def sample_metric(datafit: Datafit, theta: np.ndarray, y: np.ndarray, c: np.ndarray) -> np.ndarray:
    """The datafit's dual metric (:meth:`~lpnet.datafits.Datafit.dual_metric`) of each sample taken as
    data of its own, of weight ``c_i``: a value that does not depend on how the rows are chunked.

    The rows go in as one batch of single-sample data sets (``theta`` and ``c`` of shape ``(1, m)``,
    ``y`` as it is), so that the datafit's ``n`` is 1 for each.
    """
    return np.asarray(datafit.dual_metric(theta[None, :], y, c[None, :]), dtype=np.float64)[0]


def check_target(datafit: Datafit, y: np.ndarray, where: str) -> None:
    """Refuse a chunk whose target the datafit cannot take, naming where it comes from and in the
    datafit's own words (its ``encode_target``)."""
    if datafit.is_classifier:
        values = np.unique(y)
        if values.shape[0] > 1:  # (one class in a chunk is fine: the others may hold the other)
            datafit.encode_target(values, None, where)
        return
    with np.errstate(all="ignore"):
        bad = ~np.isfinite(datafit.sample_losses(y, np.zeros_like(y)))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        datafit.encode_target(y[i : i + 1], None, where)
        raise ValueError(
            f"{where}: a target value {y[i]:g} is outside the {datafit.name} datafit's range (its loss is not "
            "finite there); check the target column."
        )


@dataclass
class Moments:
    """Weighted count ``W``, mean and centred co-moment ``M = sum s (x - mean)(x - mean)^T`` of some rows,
    and, unweighted, their number, mean, centred squares (per column) and ``sum s^2``; merged pairwise."""

    W: float
    mean: np.ndarray
    M: np.ndarray
    n: int
    umean: np.ndarray
    usq: np.ndarray
    ss: float

    @classmethod
    def empty(cls, p: int) -> Moments:
        return cls(0.0, np.zeros(p), np.zeros((p, p)), 0, np.zeros(p), np.zeros(p), 0.0)

    @classmethod
    def of_rows(cls, X: np.ndarray, s: np.ndarray, gram: bool = True) -> Moments:
        """The moments of the rows ``X`` (weights ``s``); ``gram=False`` leaves out ``M`` (an empty
        matrix: with working sets the passes compute the Gram of the working set only)."""
        p = X.shape[1]
        if X.shape[0] == 0:
            return cls.empty(p) if gram else cls(0.0, np.zeros(p), np.zeros((0, 0)), 0, np.zeros(p), np.zeros(p), 0.0)
        W = float(s.sum())
        mean = s @ X / W if W > 0 else np.zeros(p)
        umean = X.mean(axis=0)
        M = weighted_gram(X - mean, s) if gram else np.zeros((0, 0))
        return cls(W, mean, M, X.shape[0], umean, ((X - umean) ** 2).sum(axis=0), float(s @ s))

    def __add__(self, other: Moments) -> Moments:
        W = self.W + other.W
        d = other.mean - self.mean
        if W > 0:
            mean = self.mean + d * (other.W / W)
            M = self.M + other.M + (np.outer(d, d) * (self.W * other.W / W) if self.M.size else 0.0)
        else:
            mean, M = self.mean, self.M + other.M
        n = self.n + other.n
        du = other.umean - self.umean
        if n > 0:
            umean = self.umean + du * (other.n / n)
            usq = self.usq + other.usq + du * du * (self.n * other.n / n)
        else:
            umean, usq = self.umean, self.usq
        return Moments(W, mean, M, n, umean, usq, self.ss + other.ss)

    def __sub__(self, other: Moments) -> Moments:
        """The rows of ``self`` that are not in ``other`` (a training set: all rows minus a fold)."""
        W = self.W - other.W
        n = self.n - other.n
        mean = (self.W * self.mean - other.W * other.mean) / W if W > 0 else np.zeros_like(self.mean)
        umean = (self.n * self.umean - other.n * other.umean) / n if n > 0 else np.zeros_like(self.umean)
        d, du = other.mean - mean, other.umean - umean
        M = self.M - other.M - (np.outer(d, d) * (W * other.W / self.W) if self.W > 0 and self.M.size else 0.0)
        usq = self.usq - other.usq - (du * du * (n * other.n / self.n) if self.n > 0 else 0.0)
        return Moments(W, mean, M, n, umean, np.maximum(usq, 0.0), self.ss - other.ss)


@dataclass
class ScanPart:
    """The scan of some rows: moments per group; the target's sorted distinct values with their weight
    per group, shape ``(n_values, n_groups)``; and, while the values are few, ``sum s x`` of each value's
    rows per group, shape ``(n_values, n_groups, p)`` (else None)."""

    moments: list
    values: np.ndarray
    weights: np.ndarray
    sums: np.ndarray | None


@dataclass
class ScanPass:
    """The scan's chunk function (picklable, for the Dask workers)."""

    datafit: Datafit
    n_groups: int
    seed: int
    gram: bool = True

    def __call__(self, chunk) -> ScanPart:
        X, y, s = chunk.X, chunk.y, chunk.s
        check_target(self.datafit, y, chunk.where)
        groups = group_of(chunk.start, X.shape[0], self.n_groups, self.seed)
        values, inverse = np.unique(y, return_inverse=True)
        weights = np.zeros((values.shape[0], self.n_groups))
        np.add.at(weights, (inverse, groups), s)
        sums = None
        if values.shape[0] <= MAX_LEVELS:
            sums = np.zeros((values.shape[0], self.n_groups, X.shape[1]))
            np.add.at(sums, (inverse, groups), X * s[:, None])
        moments = [Moments.of_rows(X[groups == g], s[groups == g], self.gram) for g in range(self.n_groups)]
        return ScanPart(moments, values, weights, sums)


def combine_scans(a: ScanPart, b: ScanPart) -> ScanPart:
    values = np.union1d(a.values, b.values)
    ia, ib = np.searchsorted(values, a.values), np.searchsorted(values, b.values)
    weights = np.zeros((values.shape[0], a.weights.shape[1]))
    weights[ia] += a.weights
    weights[ib] += b.weights
    sums = None
    if a.sums is not None and b.sums is not None and values.shape[0] <= MAX_LEVELS:
        sums = np.zeros((values.shape[0],) + a.sums.shape[1:])
        sums[ia] += a.sums
        sums[ib] += b.sums
    return ScanPart([x + y for x, y in zip(a.moments, b.moments, strict=True)], values, weights, sums)


@dataclass
class Scan:
    """The scan's result, the target checked and encoded.

    ``values``: the target's distinct values as read, ``encoded``: the same in the datafit's internal
    encoding, ``classes``: a classifier's labels (None for a regression datafit), ``lookup``: what every
    later pass needs to encode a chunk's target (None: the values are used as read), ``shift``: the
    feature means every later pass subtracts (zeros without an intercept).
    """

    datafit: Datafit
    values: np.ndarray
    encoded: np.ndarray
    classes: np.ndarray | None
    weights: np.ndarray
    sums: np.ndarray | None
    moments: list
    shift: np.ndarray

    @property
    def total(self) -> Moments:
        out = self.moments[0]
        for part in self.moments[1:]:
            out = out + part
        return out

    @property
    def lookup(self) -> tuple | None:
        if self.classes is None and np.array_equal(self.encoded, self.values):
            return None
        return self.values, self.encoded

    def rows(self, group: int) -> tuple[Moments, np.ndarray, np.ndarray | None]:
        """``(moments, weight per value, sum s x per value)`` of a model's rows: all (``group = -1``) or
        those outside fold ``group``."""
        weights = self.weights.sum(axis=1)
        sums = None if self.sums is None else self.sums.sum(axis=1)
        if group < 0:
            return self.total, weights, sums
        return (
            self.total - self.moments[group],
            weights - self.weights[:, group],
            None if self.sums is None else self.sums.sum(axis=1) - self.sums[:, group],
        )


def scan(engine, datafit: Datafit, n_groups: int, seed: int, fit_intercept: bool, who: str, gram: bool = True) -> Scan:
    """The first pass: moments and the target's values per group, the target checked by the datafit
    (``gram=False``: no co-moment matrices, for working sets)."""
    part = engine.map_reduce(ScanPass(datafit, n_groups, seed, gram), combine_scans, label="scan")
    weights = part.weights.sum(axis=1)
    total = float(weights.sum())
    if not total > 0:
        raise ValueError(f"{who}: the sample weights sum to {total:g}; give some rows a positive weight.")
    classes, encoded = datafit.encode_target(part.values, weights * (weights.shape[0] / total), who)
    out = Scan(
        datafit,
        part.values,
        np.asarray(encoded, dtype=np.float64),
        classes,
        part.weights,
        part.sums,
        part.moments,
        np.zeros(engine.n_features),
    )
    if fit_intercept:
        out.shift = out.total.mean.copy()
    return out


def encode_chunk(lookup: tuple | None, y: np.ndarray) -> np.ndarray:
    """A chunk's target in the datafit's internal encoding (see :attr:`Scan.lookup`)."""
    if lookup is None:
        return y
    values, encoded = lookup
    return encoded[np.searchsorted(values, y)]


# ----------------------------------------------------------------------------------- the null model
@dataclass
class Point:
    """Statistics of one point (shifted coordinates): the loss, ``sum g``, ``X^T g``, ``sum h``, ``X^T h``
    (``g``, ``h``: the datafit's first derivative and curvature in the linear predictor, per sample,
    weighted by ``c_i = s_i / S``), the same of the dual metric ``m`` at ``-g`` (datafits with a
    conjugate), and the norms ``||g||``, ``||m||``."""

    w: np.ndarray
    b: float
    loss: float
    gsum: float
    xg: np.ndarray
    hsum: float
    xh: np.ndarray
    msum: float = 0.0
    xm: np.ndarray | None = None
    gnorm: float = 0.0
    mnorm: float = 0.0


@dataclass
class Hessian:
    """``X^T diag(h) X``, ``X^T h``, ``sum h`` and ``sum g^2 / h`` at some point (shifted coordinates), on
    the columns ``cols`` (a working set; None: every feature)."""

    H: np.ndarray
    hx: np.ndarray
    hsum: float
    rs: float
    cols: np.ndarray | None = None


@dataclass
class NullModel:
    """A model's rows and its null model: the moments, the intercept ``b`` and objective ``f`` of the best
    intercept-only fit, the weighted mean of the (encoded) target, the held-out loss at the null model
    on the model's fold (CV), and, when the scan gives them, the statistics there (else None: the null
    pass computes them)."""

    group: int
    moments: Moments
    b: float
    f: float
    centre: float
    held: tuple | None
    point: Point | None = None
    hessian: Hessian | None = None


def null_model(data: Scan, group: int, fit_intercept: bool, floor: float, who: str) -> NullModel:
    """The null model of a model's rows (all rows for ``group = -1``, else those outside fold ``group``),
    from the scan; its gradient and Hessian too when the scan determines them (see the module docstring).
    ``floor``: the curvature floor of the Hessian, relative to the weight."""
    datafit = data.datafit
    mom, weights, sums = data.rows(group)
    where = who if group < 0 else f"{who}, the training set outside fold {group}"
    S = mom.W
    if not S > 0:
        raise ValueError(
            f"{where}: the sample weights of its n_samples={mom.n} rows sum to {S:g}; give some rows a positive weight."
        )
    k = weights.shape[0]
    rescaled = weights * (k / S)  # weights summing to the number of values, as the datafit expects
    datafit.encode_target(data.values, rescaled, where)  # e.g. a fold left with one class only
    y = data.encoded
    b, f = datafit.null_model(y, rescaled, fit_intercept)
    centre = float(weights @ y) / S if fit_intercept and datafit.dual_shift_invariant else 0.0
    held = None
    if group >= 0 and data.weights[:, group].sum() > 0:
        fold = data.weights[:, group]
        z = np.full(k, b)
        losses = datafit.sample_losses(y, z)
        score = float(datafit.validation_score(y, z, fold)) if datafit.is_classifier else np.nan
        held = (float(fold @ losses) / float(fold.sum()), score)
    out = NullModel(group, mom, float(b), float(f), centre, held)
    if sums is None:
        return out
    z = np.full(k, float(b))
    ones = np.ones(k)
    g = datafit.raw_grad(y, z, ones) * k  # per unit weight
    h = datafit.curvature(y, z, ones) * k
    live = weights > 0
    if not np.all(h[live] == h[live][0]):  # the Hessian needs the value-wise co-moments: the null pass
        return out
    c = weights / S
    mu = data.shift
    centred = (sums - weights[:, None] * mu) / S  # sum c (x - mu) per value
    offset = mom.mean - mu
    curv = float(h[live][0])
    xg, gsum = g @ centred, float(c @ g)
    point = Point(np.zeros(mu.shape[0]), float(b), float(f), gsum, xg, curv, curv * offset)
    ratio = np.divide(g * g, h, out=np.zeros_like(g), where=h > 0)
    h0 = max(curv, floor)
    if mom.M.size:
        out.hessian = Hessian(h0 / S * (mom.M + S * np.outer(offset, offset)), h0 * offset, h0, float(c @ ratio))
    else:  # working sets: the Hessian of an empty set, grown by the passes
        none = np.zeros(0, dtype=np.intp)
        out.hessian = Hessian(np.zeros((0, 0)), np.zeros(0), h0, float(c @ ratio), none)
    root_ss = float(np.sqrt(mom.ss)) / S  # ||c||
    point.gnorm = float(np.max(np.abs(g[live]))) * root_ss
    if datafit.has_dual:
        m = sample_metric(datafit, -g, y, ones)
        point.msum, point.xm = float(c @ m), m @ centred
        point.mnorm = float(np.max(np.abs(m[live]))) * root_ss
    out.point = point
    return out
