"""Distributed proximal Newton for the logistic loss: one pass over the data per Newton step.

The objective of every model here is ``F(w, b) = 1/S sum_i s_i log(1 + exp(-y_i (x_i w + b))) + P(w)``
(``S = sum_i s_i``: the weights rescaled to sum to the number of rows, as everywhere in lpnet), over all
the rows or over a cross-validation training set (the rows outside one fold).

**Passes.**  A first pass (the *scan*) gathers, per fold, the weighted means and centred co-moments
(merged pairwise, Chan et al.) and the per-class sums.  They give the null model, ``alpha_max``, the
gradient and the Hessian at the null model, and a shift ``mu`` (the weighted means): every later pass
works on ``x - mu``, with the intercept ``b + mu.w``, so a feature with a large mean loses none of its
digits in the Hessian.  Each later pass evaluates, for every model still running, at once

* the certificate of the current point ``A`` (the dual terms below), and, for the direction ``d`` the
  driver computed from the last statistics, at every step ``t`` of the line search ``A + t d``: the loss,
  ``sum g``, ``X^T g``, ``sum h``, ``X^T h`` (``g``, ``h``: the first and second derivatives of the loss
  in the linear predictor);
* the Hessian ``X^T diag(h) X`` (with ``X^T h`` and ``sum h``) at the full step;
* for cross-validation, the held-out log-loss and accuracy of ``A`` on its fold.

The driver then takes the largest step that passes Armijo's test, and solves the penalized quadratic
model at the new point (the intercept eliminated, which leaves a Gram problem) with lpnet's compiled
Gram coordinate descent.  A step costs one pass; the certificate of a point arrives with the pass that
tries the next step, so a fit that needs ``k`` Newton steps costs ``k + 1`` passes, and on a warm path
often 2 per alpha.

**Certificate.**  The dual point is lpnet's: ``theta = -g`` projected onto ``sum theta = 0`` along the
metric ``h`` (``theta - gamma h``, ``gamma = -sum g / sum h``, both known from the pass that evaluated
``A``), divided by ``kappa``, the smallest factor that puts ``X^T theta`` into the penalty's dual
domain.  ``X^T theta`` is known before the pass that evaluates the conjugate terms
``sum_i f_i^*(-theta_i / kappa)``, so ``kappa`` is taken for ``|X^T theta| + delta``, ``delta`` the
rounding bound of the product (``n eps ||x_j|| ||theta||``): the dual value is then a lower bound for
any ``X^T theta`` within that bound (the conjugates of L1, L2 and the Elastic Net grow with ``|z|``).
The gap adds the rounding of the loss and of the sums, as :mod:`lpnet.certificates` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.special import expit, xlogy

from ..penalties.base import Penalty
from ..solvers.cd_gram import GramState, GramStatistics, gram_path
from .engines import fold_of

EPS = float(np.finfo(np.float64).eps)
#: the line search's steps, all tried in the same pass
STEPS = tuple(0.5**k for k in range(8))
ARMIJO = 1e-4
#: curvature floor relative to the sample's weight: a far-off sample must not make the model singular
H_FLOOR = 1e-12
#: blocks of 10 epochs the inner Gram coordinate descent may take per Newton step
INNER_BLOCKS = 100
#: failed line searches (no descent at any step) after which a fit stops, not converged
MAX_STALLS = 2
#: speculate on the next alpha when the point's predicted gap is below this fraction of the threshold
SPECULATE = 0.5


# ----------------------------------------------------------------------------------------------- scan
def weighted_gram(X: np.ndarray, h: np.ndarray) -> np.ndarray:
    """``X^T diag(h) X`` (``h >= 0``) by BLAS's symmetric rank-k update, half the work of a product and,
    on a busy machine, far faster than a general matrix product."""
    from scipy.linalg.blas import dsyrk

    B = np.ascontiguousarray(X * np.sqrt(h)[:, None])
    upper = dsyrk(1.0, B.T, trans=0)  # B^T B, upper triangle (B.T is B's Fortran-ordered view)
    return np.triu(upper) + np.triu(upper, 1).T


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
    def of_rows(cls, X: np.ndarray, s: np.ndarray) -> Moments:
        p = X.shape[1]
        if X.shape[0] == 0:
            return cls.empty(p)
        W = float(s.sum())
        mean = s @ X / W if W > 0 else np.zeros(p)
        umean = X.mean(axis=0)
        Xc = X - mean
        return cls(W, mean, weighted_gram(Xc, s), X.shape[0], umean, ((X - umean) ** 2).sum(axis=0), float(s @ s))

    def __add__(self, other: Moments) -> Moments:
        W = self.W + other.W
        d = other.mean - self.mean
        if W > 0:
            mean = self.mean + d * (other.W / W)
            M = self.M + other.M + np.outer(d, d) * (self.W * other.W / W)
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
        M = self.M - other.M - (np.outer(d, d) * (W * other.W / self.W) if self.W > 0 else 0.0)
        usq = self.usq - other.usq - (du * du * (n * other.n / self.n) if self.n > 0 else 0.0)
        return Moments(W, mean, M, n, umean, np.maximum(usq, 0.0), self.ss - other.ss)


@dataclass
class ScanPart:
    """The scan of some rows, per group (the folds; one group without cross-validation): moments and,
    per class label, the weight and ``sum s x`` of its rows."""

    moments: list
    labels: dict = field(default_factory=dict)  # label -> (weights per group, sums s x per group)


@dataclass
class ScanPass:
    """The scan's chunk function (picklable, for the Dask workers)."""

    n_groups: int
    seed: int

    def __call__(self, chunk) -> ScanPart:
        X, y, s = chunk.X, chunk.y, chunk.s
        labels = np.unique(y)
        if labels.shape[0] > 2:
            raise ValueError(
                f"Only binary classification is supported: {chunk.where} holds more than two classes "
                f"({labels[:5].tolist()} ...); the distributed LogisticRegression needs exactly two classes."
            )
        groups = group_of(chunk.start, X.shape[0], self.n_groups, self.seed)
        part = ScanPart([Moments.of_rows(X[groups == g], s[groups == g]) for g in range(self.n_groups)])
        for label in labels:
            rows = y == label
            weights = np.array([float(s[rows & (groups == g)].sum()) for g in range(self.n_groups)])
            sums = np.array([s[rows & (groups == g)] @ X[rows & (groups == g)] for g in range(self.n_groups)])
            part.labels[float(label)] = (weights, sums)
        return part


def combine_scans(a: ScanPart, b: ScanPart) -> ScanPart:
    labels = dict(a.labels)
    for label, (weights, sums) in b.labels.items():
        if label in labels:
            labels[label] = (labels[label][0] + weights, labels[label][1] + sums)
        else:
            labels[label] = (weights, sums)
    if len(labels) > 2:
        raise ValueError(
            f"Only binary classification is supported: the target has more than two classes "
            f"({sorted(labels)[:5]} ...); the distributed LogisticRegression needs exactly two classes."
        )
    return ScanPart([x + y for x, y in zip(a.moments, b.moments, strict=True)], labels)


def group_of(start: int, m: int, n_groups: int, seed: int) -> np.ndarray:
    """The cross-validation fold of rows ``start .. start+m-1`` (all in group 0 without folds)."""
    return fold_of(start, m, n_groups, seed) if n_groups > 1 else np.zeros(m, dtype=np.intp)


# ---------------------------------------------------------------------------------------- Newton pass
@dataclass
class Task:
    """What one pass evaluates for one model.

    ``group``: -1 for all rows, ``k`` for the training set outside fold ``k`` (and the held-out terms on
    fold ``k``).  ``(w, b)``: the current point in shifted coordinates; ``(dw, db)``: the direction;
    ``steps``: the line search's steps (``(0.0,)``: the point itself); ``hessian``: the Hessian at
    ``steps[0]``; ``cert``: ``(gamma, kappa)`` of the dual point at ``(w, b)``, or None.
    """

    group: int
    weight: float
    w: np.ndarray
    b: float
    dw: np.ndarray
    db: float
    steps: tuple
    hessian: bool
    cert: tuple | None
    held_out: bool


@dataclass
class NewtonPass:
    """A Newton pass's chunk function: a dict of sums per task (see the module's docstring)."""

    shift: np.ndarray
    positive: float
    n_groups: int
    seed: int
    tasks: list

    def __call__(self, chunk) -> list:
        X = chunk.X - self.shift
        y = np.where(chunk.y == self.positive, 1.0, -1.0)
        s = chunk.s
        groups = group_of(chunk.start, X.shape[0], self.n_groups, self.seed)
        # max_j |x_ij| of the data as read: the shift itself rounds each value by up to eps |x_ij|
        row_max = np.max(np.abs(chunk.X), axis=1, initial=0.0)
        return [self._task(task, X, y, s, groups, row_max) for task in self.tasks]

    def _task(self, task: Task, X, y, s, groups, row_max) -> dict:
        rows = groups != task.group if task.group >= 0 else None
        out: dict = {}
        if task.held_out and rows is not None:
            held = ~rows
            z = X[held] @ task.w + task.b
            yh, sh = y[held], s[held]
            out["held_loss"] = float(sh @ np.logaddexp(0.0, -yh * z))
            out["held_weight"] = float(sh.sum())
            out["held_hits"] = float(sh @ ((z > 0) == (yh > 0)))
        Xr, yr, c = (X, y, s) if rows is None else (X[rows], y[rows], s[rows])
        c = c / task.weight
        z0 = Xr @ task.w + task.b
        dz = Xr @ task.dw + task.db
        t = np.asarray(task.steps)
        Z = z0[:, None] + dz[:, None] * t[None, :]
        margin = yr[:, None] * Z
        out["loss"] = c @ np.logaddexp(0.0, -margin)
        g = -(c * yr)[:, None] * expit(-margin)
        prob = expit(Z)
        h = c[:, None] * prob * (1.0 - prob)
        out["gsum"], out["hsum"] = g.sum(axis=0), h.sum(axis=0)
        both = Xr.T @ np.hstack([g, h])
        out["xg"], out["xh"] = both[:, : t.shape[0]].T.copy(), both[:, t.shape[0] :].T.copy()
        if task.hessian:
            h0 = np.maximum(h[:, 0], H_FLOOR * c)
            out["H"] = weighted_gram(Xr, h0)
            out["H_x"], out["H_sum"] = Xr.T @ h0, float(h0.sum())
            # the working response's sum h t^2 part (zero-weight rows have g = h = 0)
            out["H_rs"] = float(np.sum(np.divide(g[:, 0] ** 2, h0, out=np.zeros_like(h0), where=h0 > 0)))
        if task.cert is not None:
            out.update(self._certificate_terms(task, Xr, yr, c, z0, row_max if rows is None else row_max[rows]))
        return out

    @staticmethod
    def _certificate_terms(task: Task, Xr, yr, c, z0, row_max) -> dict:
        assert task.cert is not None
        gamma, kappas = task.cert
        tail = expit(-yr * z0)  # sigma(-y z): -g y / c
        prob = expit(z0)
        base = tail - gamma * yr * prob * (1.0 - prob)  # theta_i y_i / c_i of the projected dual point
        live = c > 0
        conj, bad = np.empty(len(kappas)), np.empty(len(kappas))
        for k, kappa in enumerate(kappas):  # one dual point per penalty (the next alpha's, when speculating)
            a = base[live] / kappa
            bad[k] = np.count_nonzero((a < 0.0) | (a > 1.0))
            a = np.clip(a, 0.0, 1.0)
            conj[k] = c[live] @ (xlogy(a, a) + xlogy(1.0 - a, 1.0 - a))
        # rounding of the linear predictor, as lpnet.certificates.Certifier.residual_rounding
        delta = EPS * (1.0 + np.abs(z0) + row_max * float(np.abs(task.w).sum()) + abs(task.b))
        return {
            "conj": conj,
            "bad": bad,
            "theta_abs": float(c @ np.abs(base)),
            "round_grad": float((c * tail) @ delta),
            "round_sq": float(c @ (delta * delta)) / 2.0,
            "rows": int(Xr.shape[0]),
        }


def combine_passes(a: list, b: list) -> list:
    return [{key: x[key] + y[key] for key in x} for x, y in zip(a, b, strict=True)]


# --------------------------------------------------------------------------------------------- driver
@dataclass
class Point:
    """Statistics of one point: loss, ``sum g``, ``X^T g``, ``sum h``, ``X^T h``."""

    w: np.ndarray
    b: float
    loss: float
    gsum: float
    xg: np.ndarray
    hsum: float
    xh: np.ndarray


@dataclass
class Hessian:
    """``X^T diag(h) X``, ``X^T h``, ``sum h`` and ``sum g^2 / h`` at some point (shifted coordinates)."""

    H: np.ndarray
    hx: np.ndarray
    hsum: float
    rs: float


@dataclass
class AlphaFit:
    """The outcome of one alpha: coefficients (shifted coordinates), certificate, Newton steps, passes."""

    w: np.ndarray
    b: float
    objective: float
    gap: float
    converged: bool
    n_iter: int
    n_passes: int
    held_out: tuple | None = None  # (mean log-loss, accuracy) on the held-out fold


class PathModel:
    """One model's warm-started path, advanced one pass at a time by :func:`run_models`.

    Parameters
    ----------
    group : int
        -1 (all rows) or the held-out fold ``k``.
    penalties : list of Penalty
        One per alpha, in the order solved (decreasing alphas).
    start : Point
        The first point (the null model), with its statistics.
    hessian : Hessian
        The Hessian there.
    weight, rows : float, int
        ``S`` and the number of rows of the model's data.
    f_null : float
        The null model's objective (the scale of ``tol``).
    col_norms, root_ss : ndarray, float
        Unweighted centred column norms and ``sqrt(sum s^2)`` of the rows (rounding bounds).
    """

    def __init__(
        self,
        group: int,
        penalties: list,
        start: Point,
        hessian: Hessian,
        weight: float,
        rows: int,
        f_null: float,
        col_norms: np.ndarray,
        root_ss: float,
        fit_intercept: bool,
        tol: float,
        max_iter: int,
    ):
        self.group, self.penalties = group, penalties
        self.point, self.hessian = start, hessian
        self.weight, self.rows, self.f_null = weight, rows, f_null
        self.col_norms, self.root_ss = col_norms, root_ss
        self.fit_intercept, self.max_iter = fit_intercept, max_iter
        self.threshold = max(tol * f_null, 4.0 * rows * EPS * f_null, np.finfo(np.float64).tiny)
        self.index = 0
        self.fits: list[AlphaFit] = []
        self.steps_taken = self.passes = self.stalls = 0
        self.refresh = self.speculating = self.speculation_failed = False
        self.held: tuple | None = None
        self.decrease: float | None = None  # the Newton decrement at the point, for this alpha
        self.rho: float | None = None  # gap / sqrt(decrement), measured
        self.last_gap = np.inf
        self.pending: Task | None = None
        self.direction: tuple = ()
        self.duals: list[tuple] = []

    @property
    def done(self) -> bool:
        return self.index >= len(self.penalties)

    @property
    def penalty(self) -> Penalty:
        return self.penalties[self.index]

    # ------------------------------------------------------------------ requests
    def request(self) -> Task:
        """The task of the next pass: certify the current point, try the next Newton step.

        When the Newton model predicts that the point is already within the tolerance (its decrease
        below a tenth of the threshold), the step tried is the next alpha's (*speculation*): if the
        certificate confirms, the next alpha has saved a pass; if not, the candidates are dropped and
        this alpha goes on without speculating until it takes a step.
        """
        point = self.point
        self.duals = [self._dual_setup(point, self.penalty)]
        self.speculating = False
        self.decrease = None
        if self.refresh:  # after a failed line search: the Hessian at the point itself, no step
            self.direction = (np.zeros_like(point.w), 0.0, 0.0, point.w)
            steps: tuple[float, ...] = (0.0,)
        else:
            self.direction = self._newton_direction(self.penalty)
            steps = STEPS
            self.decrease = -self.direction[2]
            following = self.index + 1 < len(self.penalties)
            if following and not self.speculation_failed and self._predicted_gap() <= SPECULATE * self.threshold:
                self.speculating = True
                upcoming = self.penalties[self.index + 1]
                self.duals.append(self._dual_setup(point, upcoming))
                self.direction = self._newton_direction(upcoming)
        dw, db, _, _ = self.direction
        gamma = self.duals[0][0]
        self.pending = Task(
            self.group,
            self.weight,
            point.w,
            point.b,
            dw,
            db,
            steps,
            True,
            (gamma, tuple(d[1] for d in self.duals)),
            self.group >= 0,
        )
        return self.pending

    def _predicted_gap(self) -> float:
        """A guess of the point's gap from its Newton decrement: the gap of a point near the optimum is
        first order in its error, the decrement second order, so ``gap ~ rho sqrt(decrement)`` with
        ``rho`` measured at the last certified point (the decrement itself, when no ratio is known)."""
        decrease = max(self.decrease or 0.0, 0.0)
        if self.rho is None:
            return decrease
        return self.rho * float(np.sqrt(decrease))

    def _dual_setup(self, point: Point, penalty: Penalty) -> tuple:
        """``(gamma, kappa, P*)`` of the dual point at ``point`` for ``penalty`` (see the module docstring)."""
        gamma = -point.gsum / point.hsum if self.fit_intercept and point.hsum > 0 else 0.0
        xt = -point.xg - gamma * point.xh  # X^T theta, centred since sum theta = 0
        # |theta_i| <= c_i (1 + |gamma| / 4): a bound on ||theta|| known before the pass
        theta_norm = (1.0 + abs(gamma) / 4.0) * self.root_ss / self.weight
        delta = self.rows * EPS * self.col_norms * theta_norm
        kappa, conj = penalty.scaled_conjugate(np.abs(xt) + delta)
        return gamma, kappa, conj

    def _newton_direction(self, penalty: Penalty) -> tuple:
        """``(dw, db, decrease, w_new)``: the minimizer of the penalized quadratic model at the point."""
        point, hess = self.point, self.hessian
        w, gw, gb = point.w, point.xg, point.gsum
        if self.fit_intercept:
            G = hess.H - np.outer(hess.hx, hess.hx) / hess.hsum
            g_hat = gw - hess.hx * (gb / hess.hsum)
        else:
            G, g_hat = hess.H, gw
        c = G @ w - g_hat
        # the model as least squares: ||t - X w'||_H^2 / 2 with the working response's norm
        # (sum h t^2 = w'Hw + 2 b hx.w + hsum b^2 - 2 (gw.w + gb b) + sum g^2/h, centred)
        b = point.b if self.fit_intercept else 0.0
        hz = float(w @ hess.H @ w + 2 * b * (hess.hx @ w) + hess.hsum * b * b)
        ht = float(hess.hx @ w + hess.hsum * b - gb)
        yy = hz - 2.0 * float(gw @ w + gb * b) + hess.rs - (ht * ht / hess.hsum if self.fit_intercept else 0.0)
        yy = max(yy, float(c @ w), np.finfo(np.float64).tiny)
        stats = GramStatistics(1.0, np.zeros_like(w), 0.0, G, c, yy)
        state = GramState.from_statistics(stats, False, self.rows)
        inner_tol = max(0.1 * self.threshold / (0.5 * yy), 1e-15)
        fit = gram_path(state, [penalty], inner_tol, INNER_BLOCKS, w0=w)[-1]
        w_new = np.asarray(fit.coef, dtype=np.float64)
        dw = w_new - w
        db = -(gb + float(hess.hx @ dw)) / hess.hsum if self.fit_intercept else 0.0
        decrease = float(gw @ dw) + gb * db + penalty.value(w_new) - penalty.value(w)
        return dw, db, decrease, w_new

    # ------------------------------------------------------------------ results
    def update(self, out: dict) -> None:
        """Read the pass's sums: certificate of the point, then the line search."""
        self.passes += 1
        task, point = self.pending, self.point
        assert task is not None
        held = None
        if task.held_out and out["held_weight"] > 0:
            held = (out["held_loss"] / out["held_weight"], out["held_hits"] / out["held_weight"])
        self.held = held
        if self.decrease is not None and self.decrease > 0:
            gap = self._gap(out, point.loss + self.penalty.value(point.w), 0)
            if np.isfinite(gap):
                self.rho = gap / float(np.sqrt(self.decrease))
        for k in range(len(self.duals)):  # this alpha's certificate, then the speculated one's
            objective = point.loss + self.penalty.value(point.w)
            gap = self._gap(out, objective, k)
            self.last_gap = gap
            if gap > self.threshold:
                break
            self._finish(AlphaFit(point.w, point.b, objective, gap, True, self.steps_taken, self.passes, held))
            if self.done:
                return
        else:
            # certified at every alpha the pass knew of: its candidates belong to none still running
            self._keep_hessian(out, task)
            return
        if self.speculating and k == 0:  # the candidates were the next alpha's: go on without speculating
            self.speculation_failed = True
            return
        self._line_search(out, task, objective)

    def _finish(self, fit: AlphaFit) -> None:
        self.fits.append(fit)
        self.index += 1
        self.steps_taken = self.passes = self.stalls = 0
        self.refresh = self.speculation_failed = False

    def _keep_hessian(self, out: dict, task: Task) -> None:
        if task.steps == (0.0,):  # the Hessian at the point itself
            self.hessian = Hessian(out["H"], out["H_x"], out["H_sum"], out["H_rs"])

    def _gap(self, out: dict, objective: float, k: int) -> float:
        """The certified gap of the point for the ``k``-th dual point of the pass."""
        if out["bad"][k] > 0:
            return np.inf
        _, kappa, conj_pen = self.duals[k]
        dual = -out["conj"][k] - conj_pen
        n = max(out["rows"], 1)
        rounding = (
            out["round_grad"] + out["round_sq"] + n * EPS * (abs(objective) + abs(dual) + out["theta_abs"] / kappa)
        )
        return max(objective - dual, 0.0) + rounding

    def _line_search(self, out: dict, task: Task, objective: float) -> None:
        point, penalty = self.point, self.penalty
        if task.steps == (0.0,):  # the point itself, re-evaluated with its Hessian after a failed search
            self.point = self._point(out, 0, point.w, point.b)
            self.hessian = Hessian(out["H"], out["H_x"], out["H_sum"], out["H_rs"])
            self.refresh = False
            return
        dw, db, decrease, w_new = self.direction
        accepted = None
        for i, t in enumerate(task.steps):
            w_t = w_new if t == 1.0 else point.w + t * dw  # (the full step keeps the prox's exact zeros)
            f_t = out["loss"][i] + penalty.value(w_t)
            # near the optimum F is flat to rounding while the certificate still wants a better w
            if f_t <= objective + ARMIJO * t * min(decrease, 0.0) + 4 * EPS * abs(objective):
                accepted = (i, t, w_t)
                break
        if accepted is None:
            self.stalls += 1
            if self.stalls >= MAX_STALLS:
                self._give_up(objective)
            else:
                self.refresh = True
            return
        i, t, w_t = accepted
        self.speculation_failed = False
        self.point = self._point(out, i, w_t, point.b + t * db)
        if i == 0:
            self.hessian = Hessian(out["H"], out["H_x"], out["H_sum"], out["H_rs"])
        self.steps_taken += 1
        if self.steps_taken >= self.max_iter:
            self._give_up(self.point.loss + penalty.value(self.point.w))

    def _give_up(self, objective: float) -> None:
        point = self.point
        self._finish(
            AlphaFit(point.w, point.b, objective, self.last_gap, False, self.steps_taken, self.passes, self.held)
        )

    @staticmethod
    def _point(out: dict, i: int, w: np.ndarray, b: float) -> Point:
        return Point(
            w, float(b), float(out["loss"][i]), float(out["gsum"][i]), out["xg"][i], float(out["hsum"][i]), out["xh"][i]
        )


def run_models(engine, models: list, shift: np.ndarray, positive: float, n_groups: int, seed: int) -> None:
    """Advance every model, one pass over the data for all of them together, until each has its path."""
    while True:
        active = [m for m in models if not m.done]
        if not active:
            return
        tasks = [m.request() for m in active]
        outs = engine.map_reduce(
            NewtonPass(shift, positive, n_groups, seed, tasks), combine_passes, label="Newton pass"
        )
        for model, out in zip(active, outs, strict=True):
            model.update(out)


# ------------------------------------------------------------------------------------------ the start
@dataclass
class Scan:
    """The scan's result: the class labels (``classes[1]`` the positive class), the moments and class sums
    per group, and the shift of every later pass."""

    classes: np.ndarray
    moments: list
    labels: dict
    shift: np.ndarray

    @property
    def total(self) -> Moments:
        out = self.moments[0]
        for part in self.moments[1:]:
            out = out + part
        return out

    def class_sums(self, label: float, group: int) -> tuple[float, np.ndarray]:
        """Weight and ``sum s x`` of the class ``label`` in the model's rows (all, or outside fold ``group``)."""
        weights, sums = self.labels[label]
        if group < 0:
            return float(weights.sum()), sums.sum(axis=0)
        return float(weights.sum() - weights[group]), sums.sum(axis=0) - sums[group]


def scan(engine, n_groups: int, seed: int, fit_intercept: bool) -> Scan:
    """The first pass: moments and class sums per fold; two classes are required."""
    part = engine.map_reduce(ScanPass(n_groups, seed), combine_scans, label="scan")
    classes = np.array(sorted(part.labels))
    if classes.shape[0] != 2:
        raise ValueError(
            f"the target has only one class ({classes.tolist()}); LogisticRegression needs exactly two classes."
        )
    out = Scan(classes, part.moments, part.labels, np.zeros(engine.n_features))
    if fit_intercept:
        out.shift = out.total.mean.copy()
    return out


def null_start(data: Scan, group: int, fit_intercept: bool) -> tuple:
    """``(Point, Hessian, moments, f_null)`` of the null model on the model's rows (all rows for
    ``group = -1``, else those outside fold ``group``), from the scan alone."""
    mom = data.total if group < 0 else data.total - data.moments[group]
    negative, positive = data.classes
    s_pos, x_pos = data.class_sums(positive, group)
    s_neg, x_neg = data.class_sums(negative, group)
    weight, mu = mom.W, data.shift
    if s_pos <= 0 or s_neg <= 0:
        where = "the data" if group < 0 else f"the training set outside fold {group}"
        raise ValueError(f"{where} has weight in one class only; both classes need some rows of positive weight.")
    frac = s_pos / weight
    if fit_intercept:
        b = float(np.log(frac / (1.0 - frac)))
        f_null = float(-(xlogy(frac, frac) + xlogy(1.0 - frac, 1.0 - frac)))
    else:
        b, f_null = 0.0, float(np.log(2.0))
    p_pos, p_neg = float(expit(-b)), float(expit(b))  # sigma(-y b) of each class
    curv = p_pos * p_neg  # sigma(b) (1 - sigma(b)), the same for every row
    offset = mom.mean - mu
    H = curv / weight * (mom.M + weight * np.outer(offset, offset))
    hx = curv * offset
    xg = (-p_pos * (x_pos - s_pos * mu) + p_neg * (x_neg - s_neg * mu)) / weight
    gsum = (-p_pos * s_pos + p_neg * s_neg) / weight
    rs = (s_pos * p_pos**2 + s_neg * p_neg**2) / (weight * curv)
    w = np.zeros(mu.shape[0])
    point = Point(w, b + float(mu @ w), f_null, gsum, xg, curv, hx)
    return point, Hessian(H, hx, curv, rs), mom, f_null


def start_model(data: Scan, group: int, penalties: list, fit_intercept: bool, tol: float, max_iter: int) -> PathModel:
    """A :class:`PathModel` at the null model of its rows."""
    point, hessian, mom, f_null = null_start(data, group, fit_intercept)
    return PathModel(
        group,
        penalties,
        point,
        hessian,
        mom.W,
        mom.n,
        f_null,
        np.sqrt(mom.usq),
        float(np.sqrt(mom.ss)),
        fit_intercept,
        tol,
        max_iter,
    )
