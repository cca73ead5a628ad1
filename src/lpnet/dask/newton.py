"""Distributed proximal Newton for every datafit with a curvature: one pass over the data per Newton step.

The objective of every model here is ``F(w, b) = 1/S sum_i s_i f(y_i, x_i w + b) + P(w)`` (``S = sum_i s_i``:
the weights rescaled to sum to the number of rows, as everywhere in lpnet), over all the rows or over a
cross-validation training set (the rows outside one fold).  ``f`` is a datafit of lpnet's registry
(logistic, Poisson, Gamma, Tweedie, Huber, ...): the passes read its per-sample loss, its first
derivative ``g`` and curvature ``h`` in the linear predictor, its dual metric and its conjugate from the
:class:`~lpnet.datafits.Datafit` object itself.

**Passes.**  A first pass (the *scan*, :mod:`lpnet.dask.newton_scan`) gathers the moments, the target and
the null model; every later pass works on ``x - mu`` (``mu``: the weighted means), with the intercept
``b + mu.w``, so a feature with a large mean loses none of its digits in the Hessian.  Each later pass
evaluates, for every model still running, at once

* the certificate terms of the current point ``A`` (datafits with a conjugate: the dual terms below),
  and, for the direction ``d`` the driver computed from the last statistics, at every step ``t`` of the
  line search ``A + t d``: the loss, ``sum g``, ``X^T g``, ``sum h``, ``X^T h`` (and ``sum m``, ``X^T m`` of
  the dual metric ``m``);
* the Hessian ``X^T diag(h) X`` (with ``X^T h`` and ``sum h``) at the full step;
* for cross-validation, the held-out loss of ``A`` and of every step on its fold.

The driver then takes the largest step that passes Armijo's test, and solves the penalized quadratic
model at the new point (the intercept eliminated, which leaves a Gram problem) with lpnet's compiled
Gram coordinate descent.

**Certificate.**  As lpnet's in-memory fits: the duality gap where the datafit has a closed-form
conjugate, else the scale-free optimality (KKT) violation.

*Gap.*  The dual point is ``theta = -g`` projected onto ``sum theta = 0`` along the datafit's dual metric
``m`` (``theta - gamma m``, ``gamma = -sum g / sum m``, both known from the pass that evaluated ``A``),
divided by ``kappa``, the smallest factor that puts ``X^T theta`` into the penalty's dual domain.
``X^T theta`` is known before the pass that evaluates the conjugate terms ``sum_i f_i^*(-theta_i / kappa)``,
so ``kappa`` is taken for ``|X^T theta| + delta``, ``delta`` the rounding bound of the product
(``n eps ||x_j|| ||theta||``): the dual value is then a lower bound for any ``X^T theta`` within that bound
(the conjugates of L1, L2 and the Elastic Net grow with ``|z|``).  The gap adds the rounding of the loss
and of the sums, as :mod:`lpnet.certificates` does.  The certificate of a point arrives with the pass
that tries the next step, so a fit that needs ``k`` Newton steps costs ``k + 1`` passes, and on a warm
path often 2 per alpha.

*Violation.*  ``max(max_j dist(-grad_j, dP_j(w_j)), |sum g|) / ||X^T g(null)||_inf`` needs only the
gradient, which the pass that evaluated the point has already summed: the point is certified, or not,
with no further pass.

**Working sets.**  With more features than a ``p x p`` Hessian per model allows (L1 and the Elastic Net),
every pass still sums the full gradient ``X^T g`` (so the certificate covers every feature) but the
Hessian of a working set's columns only; the Newton model is solved on the set, the other coefficients
staying 0.  The set starts empty and, before a step, takes in the features that violate their
optimality condition at the current point (the worst first, as many as it holds, at least
:data:`MIN_GROWTH`); a grown set costs one pass for its Hessian at the point, which certifies the point
as any pass does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..datafits import Datafit
from ..penalties.base import Penalty
from ..solvers.cd_gram import GramState, GramStatistics, gram_path
from .newton_scan import Hessian, NullModel, Point, Scan, encode_chunk, group_of, sample_metric, weighted_gram

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
#: a gap above the threshold but within this factor of its own rounding bound cannot be resolved in
#: float64: the fit stops there, not converged (as lpnet.certificates.Certificate.unresolvable)
UNRESOLVABLE = 10.0
#: features added to a working set at a time, at least
MIN_GROWTH = 20
#: certified passes in a row whose gap is not 10% below the best so far, after which a fit stops
MAX_FLAT = 3


# ---------------------------------------------------------------------------------------- Newton pass
@dataclass
class Task:
    """What one pass evaluates for one model.

    ``group``: -1 for all rows, ``k`` for the training set outside fold ``k`` (and the held-out terms on
    fold ``k``).  ``weight``: ``S`` of the model's rows; ``centre``: subtracted from the target in the
    dual (a shift-invariant dual, see ``Datafit.dual_shift_invariant``).  ``(w, b)``: the current point in
    shifted coordinates; ``(dw, db)``: the direction; ``steps``: the line search's steps (``(0.0,)``: the
    point itself); ``hessian``: the Hessian at ``steps[0]``; ``cert``: ``(gamma, kappas)`` of the dual
    points at ``(w, b)``, or None.
    """

    group: int
    weight: float
    centre: float
    w: np.ndarray
    b: float
    dw: np.ndarray
    db: float
    steps: tuple
    hessian: bool
    cert: tuple | None
    held_out: bool
    cols: np.ndarray | None = None  # the Hessian's columns (a working set; None: every feature)


@dataclass
class NewtonPass:
    """A Newton pass's chunk function: a dict of sums per task (see the module's docstring)."""

    datafit: Datafit
    shift: np.ndarray
    lookup: tuple | None
    n_groups: int
    seed: int
    tasks: list

    def __call__(self, chunk) -> list:
        X = chunk.X - self.shift
        y = encode_chunk(self.lookup, chunk.y)
        groups = group_of(chunk.start, X.shape[0], self.n_groups, self.seed)
        # max_j |x_ij| of the data as read: the shift itself rounds each value by up to eps |x_ij|
        row_max = np.max(np.abs(chunk.X), axis=1, initial=0.0)
        return [self._task(task, X, y, chunk.s, groups, row_max) for task in self.tasks]

    def _task(self, task: Task, X, y, s, groups, row_max) -> dict:
        datafit = self.datafit
        rows = groups != task.group if task.group >= 0 else None
        t = np.asarray(task.steps)
        out: dict = {}
        if task.held_out and rows is not None:
            held = ~rows
            z = X[held] @ task.w + task.b
            dz = X[held] @ task.dw + task.db
            yh, sh = y[held], s[held]
            out["held_loss"], out["held_score"] = np.zeros(1 + t.shape[0]), np.zeros(1 + t.shape[0])
            for k, step in enumerate((0.0, *task.steps)):
                zk = z + step * dz
                out["held_loss"][k] = sh @ datafit.sample_losses(yh, zk)
                if datafit.is_classifier and sh.shape[0]:  # accuracy: a weighted mean, so sums add up
                    out["held_score"][k] = float(datafit.validation_score(yh, zk, sh)) * float(sh.sum())
            out["held_weight"] = float(sh.sum())
        Xr, yr, c = (X, y, s) if rows is None else (X[rows], y[rows], s[rows])
        c = c / task.weight
        cm = c * c.shape[0]  # weights that the datafit, which divides by the number of rows, reads as c
        z0 = Xr @ task.w + task.b
        dz = Xr @ task.dw + task.db
        n_steps = t.shape[0]
        dual = datafit.has_dual
        cols = np.empty((Xr.shape[0], (3 if dual else 2) * n_steps))
        out["loss"] = np.empty(n_steps)
        for k, step in enumerate(task.steps):
            z = z0 + step * dz
            # (the datafit's value: sample_losses is the validation loss, e.g. the squared error unhalved)
            out["loss"][k] = datafit.value(yr, z, cm) if c.shape[0] else 0.0
            g = datafit.raw_grad(yr, z, cm)
            cols[:, k], cols[:, n_steps + k] = g, datafit.curvature(yr, z, cm)
            if dual:
                cols[:, 2 * n_steps + k] = sample_metric(datafit, -g, yr, c)
        sums, norms = cols.sum(axis=0), np.sqrt((cols * cols).sum(axis=0))
        both = (Xr.T @ cols).T
        out["gsum"], out["hsum"] = sums[:n_steps], sums[n_steps : 2 * n_steps]
        out["xg"], out["xh"] = both[:n_steps].copy(), both[n_steps : 2 * n_steps].copy()
        out["gnorm_sq"] = norms[:n_steps] ** 2
        if dual:
            out["msum"], out["xm"] = sums[2 * n_steps :], both[2 * n_steps :].copy()
            out["mnorm_sq"] = norms[2 * n_steps :] ** 2
        if task.hessian:
            g0, h0 = cols[:, 0], np.maximum(cols[:, n_steps], H_FLOOR * c)
            Xh = Xr if task.cols is None else Xr[:, task.cols]
            out["H"] = weighted_gram(Xh, h0) if Xh.shape[1] else np.zeros((0, 0))
            out["H_x"], out["H_sum"] = Xh.T @ h0, float(h0.sum())
            # the working response's sum h t^2 part (zero-weight rows have g = h = 0)
            out["H_rs"] = float(np.sum(np.divide(g0**2, h0, out=np.zeros_like(h0), where=h0 > 0)))
        if task.cert is not None:
            out.update(self._certificate_terms(task, yr, c, cm, z0, row_max if rows is None else row_max[rows]))
        return out

    def _certificate_terms(self, task: Task, yr, c, cm, z0, row_max) -> dict:
        assert task.cert is not None
        datafit = self.datafit
        gamma, kappas = task.cert
        g = datafit.raw_grad(yr, z0, cm)
        theta = -g - gamma * sample_metric(datafit, -g, yr, c)  # the projected dual point, before kappa
        y_dual = yr - task.centre if task.centre else yr
        conj = np.empty(len(kappas))
        for k, kappa in enumerate(kappas):  # one dual point per penalty (the next alpha's, when speculating)
            conj[k] = -datafit.dual(theta / kappa, y_dual, cm) if c.shape[0] else 0.0
        # rounding of the linear predictor, as lpnet.certificates.Certifier.residual_rounding
        delta = EPS * (datafit.target_scale(yr) + np.abs(z0) + row_max * float(np.abs(task.w).sum()) + abs(task.b))
        return {
            "conj": conj,
            "theta_abs": float(np.abs(theta) @ datafit.target_scale(y_dual)),
            "round_grad": float(np.abs(g) @ delta),
            "round_sq": float(c @ (delta * delta)) / 2.0,
            "rows": int(yr.shape[0]),
        }


def polish(G: np.ndarray, c: np.ndarray, w: np.ndarray, penalty: Penalty) -> np.ndarray:
    """The minimizer of the quadratic model ``w'Gw/2 - c'w + P(w)`` on the support and signs of ``w`` (the
    coordinate descent's answer), by one linear solve, if it is more stationary than ``w``; else ``w``.

    On its support the model's optimality reads ``(G + diag(mu)) w = c - tau sign(w)`` (``tau``: the
    penalty's threshold at zero, ``mu``: its curvature; L1, L2 and the Elastic Net).  Coordinate descent
    reaches the model's optimum only to a relative gap, which leaves the gradient known to about its
    square root: enough for a duality gap, not for an optimality violation far below it.
    """
    support = np.flatnonzero(w)
    if support.size == 0:
        return w
    p = w.shape[0]
    tau, mu = penalty.zero_threshold(p), penalty.strong_convexity(p)
    sign = np.sign(w[support])
    A = G[np.ix_(support, support)] + np.diag(mu[support])
    try:
        solved = np.linalg.solve(A, c[support] - tau[support] * sign)
    except np.linalg.LinAlgError:
        return w
    if np.any(np.sign(solved) != sign):
        return w
    out = np.zeros(p)
    out[support] = solved
    before = np.max(penalty.subdiff_distance(w, G @ w - c))
    after = np.max(penalty.subdiff_distance(out, G @ out - c))
    return out if after <= before else w


def combine_passes(a: list, b: list) -> list:
    return [{key: x[key] + y[key] for key in x} for x, y in zip(a, b, strict=True)]


# --------------------------------------------------------------------------------------------- driver
@dataclass
class AlphaFit:
    """The outcome of one alpha: coefficients (shifted coordinates), certificate (the duality gap, or the
    optimality violation for a datafit without a closed-form conjugate), Newton steps, passes."""

    w: np.ndarray
    b: float
    objective: float
    gap: float
    converged: bool
    n_iter: int
    n_passes: int
    held_out: tuple | None = None  # (mean validation loss, score or nan) on the held-out fold


class PathModel:
    """One model's warm-started path, advanced one pass at a time by :func:`run_models`.

    Parameters
    ----------
    datafit : Datafit
        The loss.
    null : NullModel
        The model's rows and its null model, with the statistics at the null model.
    penalties : list of Penalty
        One per alpha, in the order solved (decreasing alphas).
    shift : ndarray
        The feature means the passes subtract.
    fit_intercept : bool
    tol : float
        The duality gap must reach ``tol`` times the null model's objective, or the violation ``tol``.
    max_iter : int
        Newton steps per alpha at most.
    """

    def __init__(
        self,
        datafit: Datafit,
        null: NullModel,
        penalties: list,
        shift: np.ndarray,
        fit_intercept: bool,
        tol: float,
        max_iter: int,
    ):
        assert null.point is not None and null.hessian is not None
        mom = null.moments
        self.datafit, self.group, self.penalties = datafit, null.group, penalties
        self.point, self.hessian = null.point, null.hessian
        self.cols = null.hessian.cols  # the working set (None: every feature)
        self.grown = False  # whether it has grown since the last step
        self.weight, self.rows, self.f_null, self.centre = mom.W, mom.n, null.f, null.centre
        self.col_norms, self.shift = np.sqrt(mom.usq), shift
        self.fit_intercept, self.max_iter, self.tol = fit_intercept, max_iter, tol
        self.has_dual = datafit.has_dual
        self.threshold = max(tol * null.f, 4.0 * mom.n * EPS * null.f, np.finfo(np.float64).tiny)
        # the violation's scale: the gradient at the null model, in the data's own coordinates
        scale = float(np.max(np.abs(self._gradient(null.point)), initial=0.0))
        self.violation_scale = scale if scale > 0 else 1.0
        self.index = 0
        self.fits: list[AlphaFit] = []
        self.steps_taken = self.passes = self.stalls = 0
        self.refresh = self.speculating = self.speculation_failed = False
        self.held: tuple | None = null.held
        self.decrease: float | None = None  # the Newton decrement at the point, for this alpha
        self.rho: float | None = None  # gap / sqrt(decrement), measured
        self.last_gap = self.best_gap = np.inf
        self.flat = 0
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
    def request(self) -> Task | None:
        """The task of the next pass: certify the current point, try the next Newton step (None when the
        path is done).

        With a conjugate, when the Newton model predicts that the point is already within the tolerance
        (its decrease below a tenth of the threshold), the step tried is the next alpha's (*speculation*):
        if the certificate confirms, the next alpha has saved a pass; if not, the candidates are dropped
        and this alpha goes on without speculating until it takes a step.  Without one, the point's
        violation is known already: every alpha it certifies is finished here.
        """
        if not self.has_dual:
            self._settle()
            if self.done:
                return None
        point = self.point
        if not self.grown and self._grow():  # the Hessian on the grown set at the point itself, then a step
            self.refresh = self.grown = True
        self.duals = [self._dual_setup(point, self.penalty)] if self.has_dual else []
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
            if (
                self.has_dual
                and following
                and not self.speculation_failed
                and self._predicted_gap() <= SPECULATE * self.threshold
            ):
                self.speculating = True
                upcoming = self.penalties[self.index + 1]
                self.duals.append(self._dual_setup(point, upcoming))
                self.direction = self._newton_direction(upcoming)
        dw, db, _, _ = self.direction
        cert = (self.duals[0][0], tuple(d[1] for d in self.duals)) if self.has_dual else None
        self.pending = Task(
            self.group,
            self.weight,
            self.centre,
            point.w,
            point.b,
            dw,
            db,
            steps,
            True,
            cert,
            self.group >= 0,
            self.cols,
        )
        return self.pending

    def _settle(self) -> None:
        """Finish every alpha whose optimality violation the current point meets (no conjugate)."""
        point = self.point
        while not self.done:
            violation = self._violation(point, self.penalty)
            self.last_gap = violation
            if violation > self.tol:
                return
            objective = point.loss + self.penalty.value(point.w)
            self._finish(
                AlphaFit(point.w, point.b, objective, violation, True, self.steps_taken, self.passes, self.held)
            )

    def _gradient(self, point: Point) -> np.ndarray:
        """``X^T g`` in the data's own coordinates (the passes sum ``(X - mu)^T g``)."""
        return point.xg + self.shift * point.gsum

    def _violation(self, point: Point, penalty: Penalty) -> float:
        """lpnet's scale-free optimality violation, the intercept's stationarity one more coordinate."""
        distance = penalty.subdiff_distance(point.w, self._gradient(point))
        stationarity = max(float(np.max(distance, initial=0.0)), abs(point.gsum) if self.fit_intercept else 0.0)
        return stationarity / self.violation_scale

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
        assert point.xm is not None
        gamma = -point.gsum / point.msum if self.fit_intercept and point.msum > 0 else 0.0
        xt = -point.xg - gamma * point.xm  # X^T theta, centred since sum theta = 0
        theta_norm = point.gnorm + abs(gamma) * point.mnorm
        delta = self.rows * EPS * self.col_norms * theta_norm
        kappa, conj = penalty.scaled_conjugate(np.abs(xt) + delta)
        return gamma, kappa, conj

    def _newton_direction(self, penalty: Penalty) -> tuple:
        """``(dw, db, decrease, w_new)``: the minimizer of the penalized quadratic model at the point (over
        the working set, with working sets: the other coefficients stay 0)."""
        point, hess = self.point, self.hessian
        w_all, gb, cols = point.w, point.gsum, hess.cols
        if cols is not None and cols.size == 0:  # an empty working set: the intercept alone
            db = -gb / hess.hsum if self.fit_intercept else 0.0
            return np.zeros_like(w_all), db, gb * db, w_all
        w, gw, sub = w_all, point.xg, penalty
        if cols is not None:
            w, gw = w_all[cols], point.xg[cols]
            sub = penalty.with_weights(penalty.penalty_factors(w_all.shape[0])[cols])
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
        if not self.has_dual:  # the violation is first order in the error: solve the model further
            inner_tol = max(min(inner_tol, (0.1 * self.tol) ** 2), 1e-15)
        fit = gram_path(state, [sub], inner_tol, INNER_BLOCKS, w0=w)[-1]
        solved = polish(G, c, np.asarray(fit.coef, dtype=np.float64), sub)
        dw = solved - w
        db = -(gb + float(hess.hx @ dw)) / hess.hsum if self.fit_intercept else 0.0
        if cols is None:
            w_new = solved
        else:
            w_new = w_all.copy()
            w_new[cols] = solved
            dw = w_new - w_all
        decrease = float(point.xg @ dw) + gb * db + penalty.value(w_new) - penalty.value(w_all)
        return dw, db, decrease, w_new

    def _grow(self) -> bool:
        """Add to the working set the features outside it that violate their optimality condition at the
        current point (the worst first, as many as the set holds, at least :data:`MIN_GROWTH`)."""
        cols = self.cols
        if cols is None:
            return False
        distance = self.penalty.subdiff_distance(self.point.w, self._gradient(self.point))
        outside = np.ones(distance.shape[0], dtype=bool)
        outside[cols] = False
        candidates = np.flatnonzero(outside & (distance > 0))
        if candidates.size == 0:
            return False
        worst = candidates[np.argsort(-distance[candidates], kind="stable")[: max(MIN_GROWTH, cols.size)]]
        self.cols = np.union1d(cols, worst)
        return True

    # ------------------------------------------------------------------ results
    def update(self, out: dict) -> None:
        """Read the pass's sums: certificate of the point, then the line search."""
        self.passes += 1
        task, point = self.pending, self.point
        assert task is not None
        held = self._held(out, 0)
        self.held = held
        if not self.has_dual:  # certified in the next request, from the new point's own sums
            self._line_search(out, task, point.loss + self.penalty.value(point.w))
            return
        if self.decrease is not None and self.decrease > 0:
            gap, _ = self._gap(out, point.loss + self.penalty.value(point.w), 0)
            if np.isfinite(gap):
                self.rho = gap / float(np.sqrt(self.decrease))
        for k in range(len(self.duals)):  # this alpha's certificate, then the speculated one's
            objective = point.loss + self.penalty.value(point.w)
            gap, rounding = self._gap(out, objective, k)
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
        # the gap stays above the threshold within its rounding bound, or stops shrinking (the bound of
        # X^T theta's rounding, which rescales the dual point, sets a floor of its own): float64 cannot
        # resolve it further
        if task.steps != (0.0,):  # (a pass that only refreshed the Hessian certified the same point)
            self.flat = self.flat + 1 if gap > 0.9 * self.best_gap else 0
            self.best_gap = min(self.best_gap, gap)
        if UNRESOLVABLE * rounding >= gap or self.flat >= MAX_FLAT:
            self._give_up(objective)
            return
        self._line_search(out, task, objective)

    @staticmethod
    def _held(out: dict, k: int) -> tuple | None:
        """``(mean validation loss, score)`` on the held-out fold at the point (``k = 0``) or a step."""
        if "held_weight" not in out or not out["held_weight"] > 0:
            return None
        weight = out["held_weight"]
        return float(out["held_loss"][k]) / weight, float(out["held_score"][k]) / weight

    def _finish(self, fit: AlphaFit) -> None:
        self.fits.append(fit)
        self.index += 1
        self.steps_taken = self.passes = self.stalls = self.flat = 0
        self.best_gap = np.inf
        self.refresh = self.speculation_failed = self.grown = False

    def _keep_hessian(self, out: dict, task: Task) -> None:
        if task.steps == (0.0,):  # the Hessian at the point itself
            self.hessian = hessian_of(out, task)

    def _gap(self, out: dict, objective: float, k: int) -> tuple[float, float]:
        """The certified gap of the point for the ``k``-th dual point of the pass, and its rounding part."""
        if not np.isfinite(out["conj"][k]):  # outside the datafit's dual domain
            return np.inf, 0.0
        _, kappa, conj_pen = self.duals[k]
        dual = -out["conj"][k] - conj_pen
        n = max(out["rows"], 1)
        rounding = (
            out["round_grad"] + out["round_sq"] + n * EPS * (abs(objective) + abs(dual) + out["theta_abs"] / kappa)
        )
        return max(objective - dual, 0.0) + rounding, rounding

    def _line_search(self, out: dict, task: Task, objective: float) -> None:
        point, penalty = self.point, self.penalty
        if task.steps == (0.0,):  # the point itself, re-evaluated with its Hessian (a failed search, a
            # working set grown)
            self.point = self._point(out, 0, point.w, point.b)
            self.hessian = hessian_of(out, task)
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
        self.speculation_failed = self.grown = False
        self.point = self._point(out, i, w_t, point.b + t * db)
        if not self.has_dual:
            self.held = self._held(out, i + 1)
        if i == 0:
            self.hessian = hessian_of(out, task)
        self.steps_taken += 1
        if self.steps_taken >= self.max_iter:
            if not self.has_dual:
                self.last_gap = self._violation(self.point, penalty)
                if self.last_gap <= self.tol:
                    return  # certified by the next request
            self._give_up(self.point.loss + penalty.value(self.point.w))

    def _give_up(self, objective: float) -> None:
        point = self.point
        self._finish(
            AlphaFit(point.w, point.b, objective, self.last_gap, False, self.steps_taken, self.passes, self.held)
        )

    @staticmethod
    def _point(out: dict, i: int, w: np.ndarray, b: float) -> Point:
        point = Point(
            w, float(b), float(out["loss"][i]), float(out["gsum"][i]), out["xg"][i], float(out["hsum"][i]), out["xh"][i]
        )
        point.gnorm = float(np.sqrt(out["gnorm_sq"][i]))
        if "msum" in out:
            point.msum, point.xm = float(out["msum"][i]), out["xm"][i]
            point.mnorm = float(np.sqrt(out["mnorm_sq"][i]))
        return point


def hessian_of(out: dict, task: Task) -> Hessian:
    """The Hessian a pass summed for ``task``."""
    return Hessian(out["H"], out["H_x"], out["H_sum"], out["H_rs"], task.cols)


def run_models(engine, data: Scan, models: list, n_groups: int, seed: int) -> None:
    """Advance every model, one pass over the data for all of them together, until each has its path."""
    while True:
        requests = [(m, m.request()) for m in models if not m.done]
        requests = [(m, task) for m, task in requests if task is not None]
        if not requests:
            return
        chunk_fn = NewtonPass(data.datafit, data.shift, data.lookup, n_groups, seed, [task for _, task in requests])
        outs = engine.map_reduce(chunk_fn, combine_passes, label="Newton pass")
        for (model, _), out in zip(requests, outs, strict=True):
            model.update(out)


def complete_nulls(
    engine, data: Scan, nulls: list[NullModel], n_groups: int, seed: int, cols: np.ndarray | None = None
) -> None:
    """The statistics at the null model of every model the scan left without them, in one pass (the
    *null pass*) for all of them; the Hessian on the columns ``cols`` (None: all)."""
    missing = [null for null in nulls if null.point is None]
    if not missing:
        return
    p = engine.n_features
    zero = np.zeros(p)
    tasks = [
        Task(null.group, null.moments.W, null.centre, zero, null.b, zero, 0.0, (0.0,), True, None, False, cols)
        for null in missing
    ]
    outs = engine.map_reduce(
        NewtonPass(data.datafit, data.shift, data.lookup, n_groups, seed, tasks), combine_passes, label="null pass"
    )
    for null, out in zip(missing, outs, strict=True):
        null.point = PathModel._point(out, 0, zero, null.b)
        null.hessian = Hessian(out["H"], out["H_x"], out["H_sum"], out["H_rs"], cols)
