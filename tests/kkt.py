"""Independent optimality checks for lpnet fits, written from docs/conventions.md only.

Nothing here imports lpnet's certificates, solver code or penalty kernels: the datafit values and
gradients, the KKT conditions, the null model and the Fenchel dual are all recomputed by hand in numpy.
A penalty is described by a :class:`PenaltySpec` (kind, alpha, l1_ratio, p, factors); the helper
:func:`spec_from_penalty` reads those public attributes off an lpnet penalty object (and nothing else).

Objective (sample weights ``s`` rescaled to sum to ``n``):

    squared:   D = 1/(2n) sum_i s_i (y_i - x_i w - b)^2
    logistic:  D = 1/n    sum_i s_i log(1 + exp(-y_i (x_i w + b)))
    poisson, gamma, tweedie (power 1.5): D = 1/n sum_i s_i d(y_i, exp(z_i)), d half the unit deviance
    huber (epsilon 1.35, scale 1): D = 1/n sum_i s_i h(y_i - z_i), h(r) = r^2/2 or 1.35 |r| - 1.35^2/2
    cox (Breslow, y = [time, event], no intercept):
               D = 1/n sum_i s_i delta_i [-z_i + log sum_{j: t_j >= t_i} s_j exp(z_j)]
    L1:        P = alpha sum_j v_j |w_j|
    L2:        P = alpha/2 sum_j v_j w_j^2
    EN:        P = alpha sum_j v_j (rho |w_j| + (1 - rho)/2 w_j^2)
    Lp:        P = alpha/p sum_j v_j |w_j|^p
    box:       lower_j <= w_j <= upper_j (the indicator added to P: its normal cone joins the
               subdifferential, and a point outside the box violates by inf)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize_scalar
from scipy.special import expit, xlogy

__all__ = [
    "PenaltySpec",
    "spec_from_penalty",
    "rescale_weights",
    "objective",
    "datafit_value",
    "datafit_gradients",
    "null_model",
    "kkt_violation",
    "subdifferential_distance",
    "KKTReport",
    "duality_gap",
    "alpha_max",
    "as_dense64",
]


# --------------------------------------------------------------------------- data helpers
def as_dense64(X) -> np.ndarray:
    if sp.issparse(X):
        return np.asarray(X.toarray(), dtype=np.float64)
    return np.asarray(X, dtype=np.float64)


def rescale_weights(sample_weight, n: int) -> np.ndarray:
    if sample_weight is None:
        return np.ones(n)
    s = np.asarray(sample_weight, dtype=np.float64)
    return s * (n / s.sum())


# --------------------------------------------------------------------------- penalty description
@dataclass(frozen=True)
class PenaltySpec:
    """``kind`` in {"l1", "l2", "enet", "lp", "mcp", "scad"}; ``factors`` None means all ones;
    ``shape`` is MCP's gamma or SCAD's a; ``lower`` / ``upper`` a box (None: open)."""

    kind: str
    alpha: float
    l1_ratio: float | None = None
    p: float | None = None
    factors: np.ndarray | None = None
    shape: float | None = None
    lower: np.ndarray | float | None = None
    upper: np.ndarray | float | None = None

    def box(self, n_features: int) -> tuple[np.ndarray, np.ndarray]:
        lower = -np.inf if self.lower is None else self.lower
        upper = np.inf if self.upper is None else self.upper
        return (
            np.broadcast_to(np.asarray(lower, dtype=np.float64), (n_features,)),
            np.broadcast_to(np.asarray(upper, dtype=np.float64), (n_features,)),
        )

    def v(self, n_features: int) -> np.ndarray:
        if self.factors is None:
            return np.ones(n_features)
        return np.asarray(self.factors, dtype=np.float64)

    @property
    def convex(self) -> bool:
        return self.kind not in ("mcp", "scad") and (self.kind != "lp" or self.p >= 1.0)

    def canonical(self) -> tuple[str, float | None]:
        """Reduce to ("l1"|"l2"|"enet"|"lp", param) with the obvious equivalences."""
        if self.kind == "lp":
            if self.p == 1.0:
                return "l1", None
            if self.p == 2.0:
                return "l2", None
            return "lp", self.p
        if self.kind == "enet":
            if self.l1_ratio == 1.0:
                return "l1", None
            if self.l1_ratio == 0.0:
                return "l2", None
            return "enet", self.l1_ratio
        if self.kind in ("mcp", "scad"):
            return self.kind, self.shape
        return self.kind, None

    def value(self, w) -> float:
        w = np.asarray(w, dtype=np.float64)
        a = self.alpha * self.v(w.shape[0])
        kind, par = self.canonical()
        u = np.abs(w)
        if kind == "mcp":  # Zhang (2010), lam = a
            g = par
            return float(np.sum(np.where(u <= g * a, a * u - u * u / (2 * g), 0.5 * g * a * a)))
        if kind == "scad":  # Fan & Li (2001), lam = a
            c = par
            return float(
                np.sum(
                    np.where(
                        u <= a,
                        a * u,
                        np.where(u <= c * a, (2 * c * a * u - u * u - a * a) / (2 * (c - 1)), 0.5 * a * a * (c + 1)),
                    )
                )
            )
        if kind == "l1":
            phi = np.abs(w)
        elif kind == "l2":
            phi = 0.5 * w * w
        elif kind == "enet":
            phi = par * np.abs(w) + 0.5 * (1.0 - par) * w * w
        else:
            phi = np.abs(w) ** par / par
        return float(np.sum(a * phi))


def spec_from_penalty(pen) -> PenaltySpec:
    """Describe an lpnet penalty object by its public parameters (class name, alpha, ..., its box)."""
    spec = _spec_without_box(pen)
    lower, upper = getattr(pen, "lower_bounds", None), getattr(pen, "upper_bounds", None)
    if not (np.any(np.isfinite(np.asarray(lower, dtype=float))) or np.any(np.isfinite(np.asarray(upper, dtype=float)))):
        return spec
    return PenaltySpec(**{**spec.__dict__, "lower": lower, "upper": upper})


def _spec_without_box(pen) -> PenaltySpec:
    name = type(pen).__name__
    factors = None if getattr(pen, "weights", None) is None else np.asarray(pen.weights, dtype=np.float64)
    if name == "L1":
        return PenaltySpec("l1", float(pen.alpha), factors=factors)
    if name == "L2":
        return PenaltySpec("l2", float(pen.alpha), factors=factors)
    if name == "ElasticNet":
        return PenaltySpec("enet", float(pen.alpha), l1_ratio=float(pen.l1_ratio), factors=factors)
    if name == "Lp":
        return PenaltySpec("lp", float(pen.alpha), p=float(pen.p), factors=factors)
    if name == "MCP":
        return PenaltySpec("mcp", float(pen.alpha), factors=factors, shape=float(pen.gamma))
    if name == "SCAD":
        return PenaltySpec("scad", float(pen.alpha), factors=factors, shape=float(pen.a))
    raise NotImplementedError(f"no independent reference for penalty {name}")


# --------------------------------------------------------------------------- datafits
def _predictor(X, coef, intercept) -> np.ndarray:
    return as_dense64(X) @ np.asarray(coef, dtype=np.float64) + float(intercept)


def datafit_value(X, y, s, kind, coef, intercept) -> float:
    y = np.asarray(y, dtype=np.float64)
    n = y.shape[0]
    s = rescale_weights(s, n)
    z = _predictor(X, coef, intercept)
    if kind == "squared":
        return float(0.5 * np.sum(s * (y - z) ** 2) / n)
    if kind == "logistic":
        return float(np.sum(s * np.logaddexp(0.0, -y * z)) / n)
    if kind == "cox":
        return _cox_value(y, z, s)
    return float(np.sum(s * _unit_loss(y, z, kind)) / n)


def _cox_value(y, z, s) -> float:
    """Breslow's negative log partial likelihood over n, by a loop over the events."""
    time, event = y[:, 0], y[:, 1]
    total = 0.0
    for i in np.flatnonzero(event > 0):
        risk = time >= time[i]
        total += s[i] * (np.log(np.sum(s[risk] * np.exp(z[risk]))) - z[i])
    return total / y.shape[0]


def _cox_raw_grad(y, z, s) -> np.ndarray:
    """dD/dz of the Breslow partial likelihood: each event i pulls its own z down and its risk set's up."""
    time, event = y[:, 0], y[:, 1]
    grad = np.zeros(y.shape[0])
    for i in np.flatnonzero(event > 0):
        risk = time >= time[i]
        share = s[risk] * np.exp(z[risk])
        grad[risk] += s[i] * share / share.sum()
        grad[i] -= s[i]
    return grad / y.shape[0]


#: the Huber threshold of the "huber" kind
HUBER_EPS = 1.35


def _unit_loss(y, z, kind) -> np.ndarray:
    """Per-sample loss of the families beyond least squares and the logistic loss, from the textbook."""
    mu = np.exp(z)
    if kind == "poisson":
        return xlogy(y, y) - y * z - y + mu
    if kind == "gamma":
        return y / mu - 1.0 - np.log(y / mu)
    if kind == "tweedie":
        return y**0.5 / ((1 - 1.5) * (2 - 1.5)) - y * mu ** (1 - 1.5) / (1 - 1.5) + mu ** (2 - 1.5) / (2 - 1.5)
    if kind == "huber":
        r = np.abs(y - z)
        return np.where(r <= HUBER_EPS, 0.5 * r * r, HUBER_EPS * r - 0.5 * HUBER_EPS**2)
    raise ValueError(kind)


def _raw_grad(y, z, s, kind) -> np.ndarray:
    n = y.shape[0]
    if kind == "squared":
        return -s * (y - z) / n
    if kind == "logistic":
        return -s * y * expit(-y * z) / n
    if kind == "cox":
        return _cox_raw_grad(y, z, s)
    mu = np.exp(z)
    per_sample = {
        "poisson": lambda: mu - y,
        "gamma": lambda: 1.0 - y / mu,
        "tweedie": lambda: mu ** (1 - 1.5) * (mu - y),
        "huber": lambda: -np.clip(y - z, -HUBER_EPS, HUBER_EPS),
    }[kind]()
    return s * per_sample / n


def datafit_gradients(X, y, s, kind, coef, intercept) -> tuple[np.ndarray, float]:
    """(dD/dw, dD/db), by hand."""
    y = np.asarray(y, dtype=np.float64)
    s = rescale_weights(s, y.shape[0])
    Xd = as_dense64(X)
    raw = _raw_grad(y, Xd @ np.asarray(coef, dtype=np.float64) + float(intercept), s, kind)
    return Xd.T @ raw, float(raw.sum())


def objective(X, y, s, kind, spec: PenaltySpec, coef, intercept) -> float:
    return datafit_value(X, y, s, kind, coef, intercept) + spec.value(coef)


def null_model(y, s, kind, fit_intercept) -> tuple[float, float]:
    """(b_null, F_null): the best intercept-only model (b = 0 without intercept) and its objective."""
    y = np.asarray(y, dtype=np.float64)
    n = y.shape[0]
    s = rescale_weights(s, n)
    if kind == "squared":
        b = float(np.sum(s * y) / n) if fit_intercept else 0.0
        return b, float(0.5 * np.sum(s * (y - b) ** 2) / n)
    if kind == "cox":  # no intercept: every sample has the same risk
        return 0.0, _cox_value(y, np.zeros(n), s)
    if kind not in ("squared", "logistic"):  # a one-dimensional convex minimization, done numerically
        if not fit_intercept:
            return 0.0, float(np.sum(s * _unit_loss(y, np.zeros(n), kind)) / n)
        res = minimize_scalar(
            lambda b: float(np.sum(s * _unit_loss(y, np.full(n, b), kind)) / n),
            bounds=(-30.0, 30.0),
            method="bounded",
            options={"xatol": 1e-12},
        )
        return float(res.x), float(res.fun)
    if not fit_intercept:
        return 0.0, float(np.log(2.0))
    frac = float(np.sum(s * (y > 0)) / n)
    b = float(np.log(frac / (1.0 - frac)))
    return b, float(np.sum(s * np.logaddexp(0.0, -y * b)) / n)


def alpha_max(X, y, s, kind, fit_intercept, factors=None) -> float:
    """Smallest L1 alpha for which w = 0 is optimal: max_j |grad_j(null)| / v_j over v_j > 0."""
    b, _ = null_model(y, s, kind, fit_intercept)
    g, _ = datafit_gradients(X, y, s, kind, np.zeros(X.shape[1]), b)
    v = np.ones(X.shape[1]) if factors is None else np.asarray(factors, dtype=np.float64)
    pen = v > 0
    return float(np.max(np.abs(g[pen]) / v[pen]))


def null_grad_scale(X, y, s, kind, fit_intercept) -> float:
    b, _ = null_model(y, s, kind, fit_intercept)
    g, _ = datafit_gradients(X, y, s, kind, np.zeros(X.shape[1]), b)
    scale = float(np.max(np.abs(g))) if g.size else 0.0
    return scale if scale > 0 else 1.0


# --------------------------------------------------------------------------- KKT
@dataclass
class KKTReport:
    #: per feature, dist(-g_j, dP_j(w_j)) in gradient units
    feature: np.ndarray
    #: |dD/db| (0 without intercept)
    intercept: float
    #: ||grad D at the null model||_inf
    scale: float

    @property
    def max_violation(self) -> float:
        """max(feature violations, intercept violation) / scale: the conventions' scale-free measure."""
        m = max(float(self.feature.max(initial=0.0)), self.intercept)
        return m / self.scale


def kkt_violation(X, y, s, kind, spec: PenaltySpec, coef, intercept, fit_intercept) -> KKTReport:
    """Per feature distance of -grad_j D to the (limiting) subdifferential of P_j at w_j."""
    coef = np.asarray(coef, dtype=np.float64)
    g, gb = datafit_gradients(X, y, s, kind, coef, intercept if fit_intercept else 0.0)
    scale = null_grad_scale(X, y, s, kind, fit_intercept)
    return KKTReport(subdifferential_distance(g, spec, coef), abs(gb) if fit_intercept else 0.0, scale)


def subdifferential_distance(g, spec: PenaltySpec, coef) -> np.ndarray:
    """Per coordinate ``dist(-g_j, dP_j(w_j) + N_j(w_j))`` (the limiting subdifferential, and the normal
    cone ``N_j`` of the box: ``(-inf, 0]`` at a lower bound, ``[0, inf)`` at an upper one, the line when
    they are equal) for a datafit gradient ``g``; ``inf`` for a coordinate outside its box."""
    coef = np.asarray(coef, dtype=np.float64)
    g = np.asarray(g, dtype=np.float64)
    low, high = _subdifferential_interval(spec, coef)
    lower, upper = spec.box(coef.shape[0])
    # the cone opens the interval on the side the box stops: at w = lower any push downwards is held
    low = np.where((coef == lower) | (lower == upper), -np.inf, low)
    high = np.where((coef == upper) | (lower == upper), np.inf, high)
    target = -g
    viol = np.maximum(np.maximum(low - target, target - high), 0.0)
    return np.where((coef < lower) | (coef > upper), np.inf, viol)


def _subdifferential_interval(spec: PenaltySpec, w) -> tuple[np.ndarray, np.ndarray]:
    """``dP_j(w_j) = [low_j, high_j]`` (limiting subdifferential) per coordinate, from the conventions."""
    a = spec.alpha * spec.v(w.shape[0])
    nz = w != 0
    sgn = np.sign(w)
    u = np.abs(w)
    kind_p, par = spec.canonical()
    if kind_p == "l1":
        slope, kink = a, a
    elif kind_p == "enet":
        slope, kink = a * (par + (1.0 - par) * u), a * par
    elif kind_p == "l2":
        slope, kink = a * u, np.zeros_like(a)
    elif kind_p == "mcp":  # both MCP and SCAD have the L1 subdifferential [-a, a] at 0
        slope, kink = np.where(u < par * a, a - u / par, 0.0), a
    elif kind_p == "scad":
        slope, kink = np.where(u <= a, a, np.where(u < par * a, (par * a - u) / (par - 1.0), 0.0)), a
    else:  # lp
        p = par
        with np.errstate(divide="ignore"):
            slope = a * np.where(nz, u, 1.0) ** (p - 1.0)
        # the limiting subdifferential of |w|^p at 0 is {0} for p > 1 and the whole line for p < 1
        kink = np.zeros_like(a) if p > 1.0 else np.where(a > 0, np.inf, 0.0)
    low = np.where(nz, sgn * slope, -kink)
    high = np.where(nz, sgn * slope, kink)
    free = a == 0  # unpenalized features: plain stationarity
    return np.where(free, 0.0, low), np.where(free, 0.0, high)


# --------------------------------------------------------------------------- duality gap
def _refit_unpenalized(Xd, y, s, kind, spec, coef, intercept, fit_intercept):
    """Exactly minimize D over the intercept and the unpenalized coefficients, the others fixed.

    The residual-based dual point then satisfies the equality constraints of the dual (1'theta = 0,
    X_j'theta = 0 for free j) without any projection.
    """
    n, p = Xd.shape
    free = spec.alpha * spec.v(p) == 0
    cols = []
    if fit_intercept:
        cols.append(np.ones((n, 1)))
    if free.any():
        cols.append(Xd[:, free])
    coef = np.array(coef, dtype=np.float64)
    b = float(intercept) if fit_intercept else 0.0
    if not cols:
        return coef, b
    A = np.hstack(cols)
    theta_u = np.concatenate(([b] if fit_intercept else [], coef[free]))
    offset = Xd[:, ~free] @ coef[~free]
    if kind == "squared":
        SA = s[:, None] * A
        theta_u = np.linalg.lstsq(A.T @ SA, SA.T @ (y - offset), rcond=None)[0]
    else:
        for _ in range(100):
            z = offset + A @ theta_u
            raw = _raw_grad(y, z, s, "logistic")
            pr = expit(y * z)
            curv = s * pr * (1.0 - pr) / n
            grad = A.T @ raw
            H = A.T @ (curv[:, None] * A) + 1e-300 * np.eye(A.shape[1])
            step = np.linalg.lstsq(H, grad, rcond=None)[0]
            # damped Newton on a convex function: backtrack on the datafit value
            f0 = np.sum(s * np.logaddexp(0.0, -y * z)) / n
            t = 1.0
            while t > 1e-10:
                z_new = offset + A @ (theta_u - t * step)
                if np.sum(s * np.logaddexp(0.0, -y * z_new)) / n <= f0 + 1e-16 * abs(f0):
                    break
                t *= 0.5
            theta_u = theta_u - t * step
            if np.max(np.abs(grad)) < 1e-15 or np.max(np.abs(t * step)) < 1e-14 * (1 + np.max(np.abs(theta_u))):
                break
    k = 0
    if fit_intercept:
        b = float(theta_u[0])
        k = 1
    coef[free] = theta_u[k:]
    return coef, b


def _datafit_dual(theta, y, s, kind) -> float:
    """-sum_i f_i^*(-theta_i)."""
    n = y.shape[0]
    pos = s > 0
    if np.any(theta[~pos] != 0):
        return -np.inf
    th, yy, c = theta[pos], y[pos], s[pos] / n
    if kind == "squared":
        return float(np.sum(th * yy - th * th / (2.0 * c)))
    a = th * yy / c
    if np.any(a < -1e-15) or np.any(a > 1 + 1e-15):
        return -np.inf
    a = np.clip(a, 0.0, 1.0)
    return float(-np.sum(c * (xlogy(a, a) + xlogy(1.0 - a, 1.0 - a))))


def _penalty_conjugate(u, spec: PenaltySpec, p_features: int) -> float:
    """P^*(u) on the penalized features."""
    a_all = spec.alpha * spec.v(p_features)
    pen = a_all > 0
    u, a = u[pen], a_all[pen]
    kind, par = spec.canonical()
    if kind == "l1":
        return 0.0 if np.all(np.abs(u) <= a * (1 + 1e-12)) else np.inf
    if kind == "l2":
        return float(np.sum(u * u / (2.0 * a)))
    if kind == "enet":
        rho = par
        ex = np.maximum(np.abs(u) - a * rho, 0.0)
        return float(np.sum(ex * ex / (2.0 * a * (1.0 - rho))))
    p = par
    q = p / (p - 1.0)
    # sup_w u w - (a/p)|w|^p = |u|^q / (q a^(q-1))
    return float(np.sum(np.abs(u) ** q / (q * a ** (q - 1.0))))


def duality_gap(X, y, s, kind, spec: PenaltySpec, coef, intercept, fit_intercept) -> dict:
    """Independent Fenchel duality gap F(w, b) - dual(theta) for a convex problem.

    theta is the negative datafit derivative at the point obtained by refitting the unpenalized
    parameters exactly (so it is dual-feasible for the equality constraints), then scaled by the best
    t in (0, t_max] (t_max = 1 / max_j |X_j' theta| / (alpha v_j) for L1-type penalties, else 1).
    Returns a dict with "primal", "dual", "gap".
    """
    if not spec.convex:
        raise ValueError("no duality gap for a non-convex penalty")
    if spec.lower is not None or spec.upper is not None:
        raise ValueError("this reference gap has no box: check a bounded fit with kkt_violation")
    y = np.asarray(y, dtype=np.float64)
    n = y.shape[0]
    s = rescale_weights(s, n)
    Xd = as_dense64(X)
    primal = objective(Xd, y, s, kind, spec, coef, intercept if fit_intercept else 0.0)
    w2, b2 = _refit_unpenalized(Xd, y, s, kind, spec, coef, intercept, fit_intercept)
    z = Xd @ w2 + b2
    theta = -_raw_grad(y, z, s, kind)
    u = Xd.T @ theta
    a = spec.alpha * spec.v(Xd.shape[1])
    pen = a > 0
    kind_p, _ = spec.canonical()
    t_max = 1.0
    if kind_p == "l1" and pen.any():
        t_max = 1.0 / max(1.0, float(np.max(np.abs(u[pen]) / a[pen])))

    def dual_at(t):
        return _datafit_dual(t * theta, y, s, kind) - _penalty_conjugate(t * u, spec, Xd.shape[1])

    best = dual_at(t_max)
    res = minimize_scalar(lambda t: -dual_at(t), bounds=(0.0, t_max), method="bounded", options={"xatol": 1e-12})
    if np.isfinite(res.fun):
        best = max(best, -float(res.fun))
    return {"primal": primal, "dual": best, "gap": primal - best}


def strong_convexity(X, y, s, kind, spec: PenaltySpec, coef, intercept, fit_intercept) -> float:
    """Smallest eigenvalue of the Hessian of F in (b, w) at a point (the smooth parts only).

    Exact (global) for the squared loss with L2 / Elastic Net; a local value for the logistic loss and
    for Lp, p > 1 (evaluated at the given point).  0 when F is not strongly convex there.
    """
    Xd = as_dense64(X)
    y = np.asarray(y, dtype=np.float64)
    n, p = Xd.shape
    sw = rescale_weights(s, n)
    z = Xd @ np.asarray(coef, dtype=np.float64) + (float(intercept) if fit_intercept else 0.0)
    if kind == "squared":
        c = sw / n
    else:
        pr = expit(z)
        c = sw * pr * (1.0 - pr) / n
    A = np.column_stack([np.ones(n), Xd]) if fit_intercept else Xd
    H = A.T @ (c[:, None] * A)
    a = spec.alpha * spec.v(p)
    kind_p, par = spec.canonical()
    if kind_p == "l2":
        pen_curv = a
    elif kind_p == "enet":
        pen_curv = a * (1.0 - par)
    elif kind_p == "lp" and par > 1.0:
        w = np.abs(np.asarray(coef, dtype=np.float64))
        pen_curv = np.where(w > 0, a * (par - 1.0) * w ** (par - 2.0), 0.0 if par > 2 else np.inf)
        pen_curv = np.minimum(pen_curv, 1e12)
    else:
        pen_curv = np.zeros(p)
    k = 1 if fit_intercept else 0
    H[np.arange(k, k + p), np.arange(k, k + p)] += pen_curv
    return float(max(np.linalg.eigvalsh(H)[0], 0.0))


def coef_error_bound(mu: float, subopt: float) -> float:
    """||(w, b) - (w*, b*)||_2 <= sqrt(2 (F - F*) / mu) for a mu-strongly convex F."""
    if mu <= 1e-10:
        return np.inf
    return float(np.sqrt(2.0 * max(subopt, 0.0) / mu))
