"""Solvers of ``min_{w, b} D(w, b)  subject to  ||w||_p <= t`` (the intercept ``b`` is free).

* finite ``p >= 1``: :class:`RadiusSearch`, a root search on the penalized path.  For convex ``p`` the
  KKT conditions of the constrained problem with multiplier ``lam`` on ``||w||_p <= t`` are those of the
  penalized problem ``D + alpha/p sum_j |w_j|^p`` with ``alpha = lam t^(1-p)`` (the gradient of
  ``||w||_p`` on the sphere is ``t^(1-p) sign(w_j)|w_j|^(p-1)``): the constrained solution is the
  penalized solution ``w(alpha)`` at the ``alpha`` where ``r(alpha) = ||w(alpha)||_p = t``, and that
  ``alpha`` is the multiplier in penalty scaling.  ``r`` is non-increasing in ``alpha``; the search
  brackets the root and steps by secants through the latest evaluations (in ``(alpha, r)`` for ``p = 1``,
  in ``(log alpha, log r)`` for ``p > 1``, where ``r ~ alpha^(-1/(p-1))`` for large alpha), falling
  back to regula falsi and bisection.  Each evaluation is one certified, warm-started call of
  :func:`lpnet.solvers.solve` on a shared :class:`~lpnet.solvers.Design`.

  The Lasso (squared loss, ``p = 1``) goes further: its path is piecewise linear, each piece solved in
  closed form from its support and signs (:class:`LassoPieces`), so after each fit the root of the
  fit's piece is computed exactly and certified; if the certificate fails, the support is corrected
  as the optimality conditions say (LARS-Lasso steps) before another coordinate-descent fit is paid
  for.  One fit per radius is then the rule along a warm-started sequence of radii.

  Stopping rule, from duality.  At ``w = w(alpha)`` with ``r <= t``, the residual's dual point
  ``theta`` satisfies ``X^T theta = alpha grad phi(w)``, so ``||X^T theta||_q = alpha r^(p-1)`` and the
  constrained gap is the penalized gap plus the slack ``alpha r^(p-1) (t - r)`` (the penalized dual
  value minus ``t ||X^T theta||_q`` plus ``P*(X^T theta) + P(w)``, which add up to ``alpha r^p``).  The
  penalized fits are solved to half the threshold; once the root is bracketed (or ``r = t`` up to
  rounding) each evaluation is projected onto the ball when ``r > t`` and certified from scratch on the
  constrained problem (:class:`.ball.NormBall` with the :class:`~lpnet.certificates.Certifier`): the
  search stops at the first point whose constrained gap is at most ``tol * D_null``.  When the slack is
  already below the threshold but the gap is not, the penalized fits are tightened tenfold.
  When every evaluation stays inside the ball and ``r`` flattens out, the unconstrained fit
  (``alpha = 0``) is tried: inside the ball, the constraint is inactive and the multiplier 0.
* ``p = inf``: the box ``|w_j| <= t`` is separable (:class:`.ball.NormBall` has scalar kernels), so
  :func:`lpnet.solvers.solve` fits it directly (coordinate descent with clipping, or proximal Newton).
* ``p < 1``: :func:`local_projected_gradient`, monotone projected gradient with the local projection.

A box ``lower <= w <= upper`` (convex ``p`` only) is the constraint set's intersection with it.  For finite
``p`` the Lagrangian link survives: ``min D + I_box s.t. ||w||_p <= t`` and ``min D + alpha/p ||w||_p^p +
I_box`` have the same solutions at the multiplier ``alpha`` (the box is one more convex constraint on both
sides), so every penalized fit is the boxed ``Lp(alpha, p)``.  What changes along the path: for large
``alpha`` the fits tend to ``w0 = clip(0, lower, upper)`` (reached at the boxed ``alpha_max`` for p = 1),
not to 0, so ``r(alpha)`` falls to ``||w0||_p``, the smallest feasible radius; ``alpha = 0`` is the
box-constrained unpenalized fit.  The Lasso pieces' closed form ignores the box (a coefficient at a bound
would have to leave the support with its value fixed), so a boxed Lasso search uses the secants alone.
The constrained certificate takes the intersection's support function (:mod:`.ball`).  For ``p = inf``
the intersection is a box again, fitted directly.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp
from scipy.linalg import cho_factor, cho_solve
from sklearn.exceptions import ConvergenceWarning

from ..certificates import Certifier
from ..datafits import Quadratic
from ..fit_data import column_means, weighted_mean
from ..geometry import lp_norm, project_onto_ball, rescale_onto_ball
from ..penalties import Lp
from ..solvers import as_design, solve
from .ball import ON_SPHERE, NormBall, project_onto_ball_and_box, smallest_feasible_radius

#: widest step of an extrapolation beyond the evaluated alphas (a factor)
MAX_FACTOR = 100.0
#: p > 1: a secant that reaches the radius only this factor below the smallest alpha means a flat path
FLAT = 1e6
#: Lasso: support corrections between two coordinate-descent fits (``RadiusSearch._piece_search``)
PIECE_STEPS = 5
#: projected-gradient steps between two certificates (p < 1)
STEPS_PER_CHECK = 10


@dataclass
class ConstrainedFit:
    """The outcome of one constrained fit and its certificate."""

    coef: np.ndarray
    intercept: float
    #: the multiplier in penalty scaling (the alpha of Lp(alpha, p)); 0 when the constraint is inactive
    multiplier: float
    active: bool
    objective: float
    dual_gap: float | None
    optimality_violation: float | None
    converged: bool
    n_iter: int
    solver: str


def check_feasible_radius(t: float, p: float, lower, upper) -> None:
    """Raise a ValueError naming the smallest feasible radius when the ball ``||w||_p <= t`` misses the box."""
    if lower is None:
        return
    smallest = smallest_feasible_radius(p, lower, upper)
    if t < smallest:
        raise ValueError(
            f"radius={t:g} is infeasible with these bounds: the L{p:g} ball must meet the box "
            f"lower_bounds <= w <= upper_bounds, whose point closest to 0, clip(0, lower, upper), has norm "
            f"{smallest:.17g}; take radius >= {smallest:.17g} (the smallest feasible radius) or widen the bounds."
        )


class _Problem:
    """Data, datafit and options shared by every fit on the same data.

    ``lower``, ``upper``: the box as float64 arrays of length ``n_features``, or None (no box).
    """

    def __init__(self, X, y, s, datafit, p, fit_intercept, tol, max_iter, lower=None, upper=None):
        self.design = as_design(X)
        self.y, self.s, self.datafit, self.p = y, s, datafit, p
        self.fit_intercept, self.tol, self.max_iter = fit_intercept, tol, max_iter
        self.lower, self.upper = (None, None) if lower is None else (lower, upper)

    def ball(self, t: float) -> NormBall:
        """The constraint set at radius ``t``: the ball, intersected with the box when there is one."""
        check_feasible_radius(t, self.p, self.lower, self.upper)
        return NormBall(t, self.p, lower_bounds=self.lower, upper_bounds=self.upper)

    def certifier(self, ball: NormBall) -> Certifier:
        d = self.design
        return Certifier(d.X, self.y, self.s, self.datafit, ball, self.fit_intercept, self.tol, xt=d.xt, cache=d)

    def refit_intercept(self, w, b) -> float:
        """Squared loss: the best intercept for ``w`` (keeps the weighted residuals summing to 0)."""
        if not (self.fit_intercept and isinstance(self.datafit, Quadratic)):
            return b
        z = self.design.linear(w, 0.0)
        return float(np.dot(self.s, self.y - z) / self.s.sum())

    def result(self, cert_obj, w, b, multiplier, active, n_iter, solver) -> ConstrainedFit:
        return ConstrainedFit(
            coef=w,
            intercept=float(b),
            multiplier=float(multiplier),
            active=bool(active),
            objective=cert_obj.objective,
            dual_gap=cert_obj.gap,
            optimality_violation=cert_obj.violation,
            converged=bool(cert_obj.converged),
            n_iter=int(n_iter),
            solver=solver,
        )


class LassoPieces:
    """The linear pieces of the Lasso path (squared loss, L1), with a cache of the Gram entries they use.

    On a piece the support ``A`` and signs ``sigma`` are fixed and the KKT conditions are linear: with
    ``h = s/n`` and the columns (and ``y``) centred by their ``h``-weighted means when there is an
    intercept, ``M w_A = c - alpha sigma`` (``M = X_A^T H X_A``, ``c = X_A^T H y``), so
    ``w_A(alpha) = u - alpha v`` with ``u = M^-1 c``, ``v = M^-1 sigma`` and
    ``||w(alpha)||_1 = sigma.u - alpha sigma.v``.  Consecutive supports overlap, so the centred columns
    and their Gram entries are kept and only new columns are added (O(n |A| |new|) per piece).
    """

    def __init__(self, X, y, s, fit_intercept):
        n = y.shape[0]
        self.X, self.h = X, s / n
        self.y_mean = weighted_mean(y, self.h) if fit_intercept else 0.0
        self.yc, self.fit_intercept = y - self.y_mean, fit_intercept
        self.index = np.zeros(X.shape[1], dtype=np.int64) - 1  # feature -> position in the cache
        self.cols = np.empty((n, 0))  # the cached centred columns
        self.x_mean = np.empty(0)
        self.gram = np.empty((0, 0))

    def _add(self, features) -> None:
        new = features[self.index[features] < 0]
        if new.size == 0:
            return
        Xn = self.X[:, new]
        Xn = np.asarray(Xn.toarray() if sp.issparse(Xn) else Xn, dtype=np.float64)
        mean = column_means(Xn, self.h) if self.fit_intercept else np.zeros(new.size)
        Xn = Xn - mean
        HXn = self.h[:, None] * Xn
        cross = self.cols.T @ HXn
        self.gram = np.block([[self.gram, cross], [cross.T, Xn.T @ HXn]])
        self.index[new] = np.arange(self.cols.shape[1], self.cols.shape[1] + new.size)
        self.cols = np.hstack([self.cols, Xn])
        self.x_mean = np.concatenate([self.x_mean, mean])

    def line(self, support, sigma):
        """``(u, v)`` of the piece with this support and these signs; None without a unique piece."""
        if support.size == 0 or support.size > self.X.shape[0]:
            return None
        self._add(support)
        pos = self.index[support]
        rhs = np.column_stack([self.cols[:, pos].T @ (self.h * self.yc), sigma])
        try:
            u, v = cho_solve(cho_factor(self.gram[np.ix_(pos, pos)]), rhs).T
        except np.linalg.LinAlgError:  # dependent columns in the support
            return None
        return u, v

    def point(self, support, w_support):
        """``(w, b, z)``: the full coefficients, the intercept and ``X w + b`` for a point on a piece."""
        pos = self.index[support]
        w = np.zeros(self.X.shape[1])
        w[support] = w_support
        z = self.cols[:, pos] @ w_support + self.y_mean  # centred columns: X w + b = Xc w + mean(y)
        return w, self.y_mean - float(self.x_mean[pos] @ w_support), z


class RadiusSearch(_Problem):
    """Constrained fits for finite ``p >= 1`` by a root search on the penalized path (module docstring).

    One instance serves many radii on the same data: every evaluated ``(alpha, ||w(alpha)||_p)`` is kept
    (it does not depend on the radius) and seeds the next search, and each penalized fit is warm-started
    at the previous one.  Radii taken in increasing order walk down the path like a warm-started
    regularization path.
    """

    def __init__(self, X, y, s, datafit, p, fit_intercept=True, tol=1e-6, max_iter=100, lower=None, upper=None):
        super().__init__(X, y, s, datafit, p, fit_intercept, tol, max_iter, lower, upper)
        self.points: list[tuple[float, float]] = []
        #: ``||w||_p`` of the unconstrained fit, once evaluated
        self.r_free: float | None = None
        self.w = self.b = self.grad = None
        #: the penalized family ``Lp(alpha, p)``, inside the box when there is one
        self.template = Lp(1.0, p, lower_bounds=self.lower, upper_bounds=self.upper)
        #: the start of the path (every alpha >= alpha_max for p = 1): ``w0``, the box's point closest to 0
        w_start, g_start = self._path_start()
        self.r_min = float(lp_norm(w_start, p))
        #: the part of the gradient at the start that pushes into the box (``|g|`` without a box)
        self.push = np.abs(g_start)
        if self.lower is not None:
            self.push = np.where(w_start < self.upper, np.maximum(-g_start, 0.0), 0.0) + np.where(
                w_start > self.lower, np.maximum(g_start, 0.0), 0.0
            )
        self.alpha_max = float(self.template.alpha_max(g_start)) if p == 1.0 else float(np.max(self.push, initial=0.0))
        #: the Lasso path is piecewise linear: each fit's piece gives the root exactly (``_lasso_root``)
        lasso = p == 1.0 and isinstance(datafit, Quadratic) and self.lower is None
        self.pieces = LassoPieces(self.design.X, y, s, fit_intercept) if lasso else None
        #: ``(level, slope)`` of the latest such piece, ``||w(alpha)||_1 = level - slope * alpha``
        self.piece: tuple[float, float] | None = None

    def _path_start(self) -> tuple[np.ndarray, np.ndarray]:
        """``(w0, grad)``: the box's point closest to 0 and ``X^T dD/dz`` there, the intercept at its best."""
        y, s, datafit = self.y, self.s, self.datafit
        n_features = self.design.shape[1]
        w0 = np.zeros(n_features) if self.lower is None else np.clip(0.0, self.lower, self.upper)
        if not w0.any():
            b_null = datafit.null_model(y, s, self.fit_intercept)[0]
            return w0, self.design.xt(datafit.raw_grad(y, np.full(y.shape[0], b_null), s))
        # the intercept's best value with w held at w0: a fit whose box is that single point
        fixed = Lp(0.0, self.p, lower_bounds=w0, upper_bounds=w0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            res = solve(
                self.design,
                y,
                datafit,
                fixed,
                sample_weight=s,
                fit_intercept=self.fit_intercept,
                tol=1e-10,
                max_iter=1000,
            )
        return w0, self.design.xt(datafit.raw_grad(y, self.design.predict(w0, res.intercept), s))

    def warm_start(self, w, b, alpha, piece=None) -> None:
        """Start the next search at a known solution (a previous fit's ``coef_``, multiplier, ``piece``)."""
        self.w, self.b = np.array(w, dtype=np.float64), float(b)
        if alpha > 0:
            self.points.append((float(alpha), float(lp_norm(w, self.p))))
            self.piece = piece

    # ----------------------------------------------------------------- evaluations r(alpha)
    def _evaluate(self, alpha, tol):
        """One penalized fit; ``alpha = 0`` is the unconstrained fit (not kept among the points)."""
        p = self.p
        if not math.isfinite(alpha):
            # alpha = lam t^(1-p): for a tiny radius and a large p it leaves float64 before lam does
            raise ValueError(
                f"this radius with p={p:g} needs a penalty alpha beyond the float64 range (the "
                "multiplier in penalty scaling is lam * radius^(1-p)); use a larger radius or a smaller p."
            )
        n_samples, n_features = self.design.shape
        penalty = self.template.with_alpha(alpha)
        if alpha == 0 and isinstance(self.datafit, Quadratic) and n_samples > n_features and self.lower is None:
            # a unique least-squares solution, whatever p: the direct solve gets it exactly
            penalty = Lp(0.0, 2.0)
        with warnings.catch_warnings():  # the constrained certificate decides; it warns itself
            warnings.simplefilter("ignore", ConvergenceWarning)
            res = solve(
                self.design,
                self.y,
                self.datafit,
                penalty,
                sample_weight=self.s,
                fit_intercept=self.fit_intercept,
                tol=tol,
                max_iter=self.max_iter,
                w0=self.w,
                b0=self.b,
            )
        self.w, self.b = res.coef, res.intercept
        r = float(lp_norm(res.coef, self.p))
        if alpha > 0:
            self.points.append((alpha, r))
        else:
            self.r_free = r
        return res, r

    # ----------------------------------------------------------------- where to evaluate next
    def _coords(self, alpha, r):
        """The coordinates in which ``r(alpha)`` is (piecewise) linear: see the module docstring."""
        if self.p == 1.0:
            return alpha, r
        return math.log(alpha), math.log(max(r, 1e-300))

    def _alpha(self, x) -> float:
        return x if self.p == 1.0 else math.exp(x)

    def _bracket(self, t):
        """``(lo, hi)``: the largest alpha with ``r >= t`` and the smallest with ``r < t`` (None if unknown)."""
        above = [pt for pt in self.points if pt[1] >= t]
        below = [pt for pt in self.points if pt[1] < t]
        if self.p == 1.0 and self.alpha_max > 0 and self.r_min < t:
            below.append((self.alpha_max, self.r_min))  # w = w0 for every alpha >= alpha_max: exact
        lo = max(above) if above else None
        hi = min(below) if below else None
        return lo, hi

    def initial_alpha(self, t) -> float:
        """A first guess from the start of the path (the largest alphas)."""
        g = self.push
        t = max(t - self.r_min, 1e-3 * t)  # with a box the path starts at ||w0||_p, not 0 (a guess)
        if self.p == 1.0:
            # r(alpha) = (alpha_max - alpha) / M_jj on the path's first piece (one feature j active,
            # M_jj its weighted, centred squared norm): exact until the next feature enters (and without
            # a box)
            j = int(np.argmax(g))
            col = self.design.X[:, j]
            col = np.asarray(col.toarray() if sp.issparse(col) else col, dtype=np.float64).ravel()
            h = self.s / self.s.shape[0]
            if self.fit_intercept:
                col = col - weighted_mean(col, h)
            return max(self.alpha_max - t * float(np.dot(h, col * col)), self.alpha_max / 10.0)
        # for large alpha w_j ~ -sign(g_j) (|g_j| / alpha)^(1/(p-1)), so r ~ alpha^(-1/(p-1)) ||g||_q^(q/p)
        q = self.p / (self.p - 1.0)
        scale = g.max(initial=0.0)
        if scale == 0:
            return 1.0
        return float(scale ** (self.p - 1.0) * (np.sum((g / scale) ** q) ** (1.0 / self.p) / t) ** (self.p - 1.0))

    def next_alpha(self, t) -> float:
        """The next alpha to evaluate for radius ``t``; 0.0 asks for the unconstrained fit."""
        if not self.points:
            return self.initial_alpha(t)
        lo, hi = self._bracket(t)
        target = self._coords(1.0, t)[1]
        # secant through the two latest evaluations (on the Lasso path, w = 0 at alpha_max counts as one)
        recent = ([(self.alpha_max, self.r_min)] if self.p == 1.0 else []) + self.points[-2:]
        candidate = None
        if self.piece is not None:  # the Lasso path's last linear piece, exact up to its next knot
            level, slope = self.piece
            candidate = (level - t) / slope
        elif len(recent) >= 2:
            (x1, y1), (x2, y2) = (self._coords(*pt) for pt in recent[-2:])
            if x1 != x2 and (y2 - y1) / (x2 - x1) < 0:
                candidate = x2 + (target - y2) * (x2 - x1) / (y2 - y1)
        if lo is not None and hi is not None:
            (xl, yl), (xh, yh) = self._coords(*lo), self._coords(*hi)
            if candidate is None or not xl < candidate < xh:
                candidate = xl + (yl - target) * (xh - xl) / (yl - yh)  # regula falsi
            if not xl < candidate < xh or self._stalled(t):
                candidate = 0.5 * (xl + xh)
            return self._alpha(candidate)
        if hi is not None:  # every evaluation inside the ball: go to smaller alphas
            x_hi = self._coords(*hi)[0]
            floor = x_hi / MAX_FACTOR if self.p == 1.0 else x_hi - math.log(MAX_FACTOR)
            if candidate is None or not candidate < x_hi:
                candidate = x_hi / 10.0 if self.p == 1.0 else x_hi + (self.p - 1.0) * (self._coords(*hi)[1] - target)
            deep = len(self.points) >= 2 and self.points[-2][0] >= 10.0 * self.points[-1][0]
            if deep and self.r_free is None and candidate <= (0.0 if self.p == 1.0 else x_hi - math.log(FLAT)):
                # over the last decade of alphas the path flattened out below t (the secant reaches t
                # only at alpha <= 0, or FLAT times lower): is the unconstrained fit inside the ball?
                return 0.0
            return self._alpha(max(candidate, floor))
        x_lo = self._coords(*lo)[0]  # p > 1, every evaluation outside the ball: larger alphas
        if candidate is None or not candidate > x_lo:
            candidate = x_lo + (self.p - 1.0) * (self._coords(*lo)[1] - target)
        return self._alpha(min(candidate, x_lo + math.log(MAX_FACTOR)))

    def _stalled(self, t) -> bool:
        """Whether the last three evaluations all fell on the same side of the root (regula falsi stalls)."""
        sides = [pt[1] >= t for pt in self.points[-3:]]
        return len(sides) == 3 and len(set(sides)) == 1

    # ----------------------------------------------------------------- the search
    def fit(self, t) -> ConstrainedFit:
        """The constrained fit at radius ``t`` (see the module docstring for the rule)."""
        ball = self.ball(t)
        certifier = self.certifier(ball)
        budget = 0.5
        # a box inside the ball leaves the constraint inactive: straight to the unpenalized (boxed) fit
        corner = None if self.lower is None else np.maximum(-self.lower, self.upper)
        inside = corner is not None and bool(np.all(np.isfinite(corner))) and lp_norm(corner, self.p) <= t
        alpha = 0.0 if inside else self.next_alpha(t)
        for n_iter in range(1, self.max_iter + 1):
            if alpha == 0.0:  # the path has flattened out inside the ball: try the unconstrained fit
                res, r = self._evaluate(0.0, self.tol * budget)
                if r <= t:  # the constraint is inactive: multiplier 0
                    out = self._finish(certifier, ball, res.coef, res.intercept, 0.0, False, n_iter, res.dual_gap)
                    if out.converged:
                        return out
                    budget *= 0.1
                    continue
                alpha = self.next_alpha(t)
                continue
            res, r = self._evaluate(alpha, self.tol * budget)
            (a1, r1), (a2, r2) = self.points[-1], self.points[-2] if len(self.points) > 1 else (0.0, -1.0)
            if a1 != a2 and r1 == r2:  # the warm start already met the inner tolerance: tighten it
                budget *= 0.1
            if self.pieces is not None:
                out, alpha_root = self._piece_search(res.coef, t, certifier, ball, n_iter)
                if out is not None:
                    return out
                if alpha_root is not None:
                    # the next penalized fit, at that root, finds the support there; the same root
                    # twice means the support is right but the fit too loose to show what is missing
                    budget *= 0.1 if alpha_root == alpha else 1.0
                    alpha = alpha_root
                    continue
            # an answer is certified only at the root: bracketed, or on the sphere up to rounding.  The
            # certificate is recomputed there from scratch: the slack only tells how far the search is.
            if self._bracket(t)[0] is not None or r >= t * (1.0 - ON_SPHERE):
                out = self._finish(certifier, ball, res.coef, res.intercept, alpha, True, n_iter)
                if out.converged:
                    return out
                if alpha * r ** (self.p - 1.0) * abs(t - r) <= budget * certifier.threshold:
                    budget *= 0.1  # at the root but not certified: rounding in the penalized fits
            alpha = self.next_alpha(t)
        return self._finish(certifier, ball, res.coef, res.intercept, alpha, r >= t * (1.0 - ON_SPHERE), self.max_iter)

    def _lasso_root(self, support, sigma, t):
        """``(alpha, w_support, flipped)`` where the piece with this support and signs has ``||w||_1 = t``.

        Also keeps the piece's ``(level, slope)``.  ``flipped`` marks the coefficients whose sign at
        that alpha differs from ``sigma`` (they cross zero first).  None without a positive root.
        """
        line = self.pieces.line(support, sigma)
        if line is None:
            return None
        u, v = line
        slope = float(sigma @ v)
        if not slope > 0:
            return None
        self.piece = (float(sigma @ u), slope)
        alpha = (self.piece[0] - t) / slope
        if not 0 < alpha:
            return None
        w_support = u - alpha * v
        return alpha, w_support, np.sign(w_support) != sigma

    def _piece_search(self, w, t, certifier, ball, n_iter):
        """Lasso: ``(fit or None, alpha to try next or None)`` from the pieces around ``w``'s support.

        The root of the support's piece is certified; when it fails, the support is corrected as the
        Lasso's optimality conditions ask and the new piece solved, up to ``PIECE_STEPS`` times: a
        coefficient that crosses zero before the root leaves, a feature whose correlation with the
        residual exceeds alpha joins with the sign that lowers the loss (a LARS-Lasso step, without a
        coordinate-descent fit).
        """
        support = np.flatnonzero(w)
        sigma = np.sign(w[support])
        alpha_next = None
        for _ in range(PIECE_STEPS):
            root = self._lasso_root(support, sigma, t)
            if root is None:
                break
            alpha, w_support, flipped = root
            if flipped.any():
                support, sigma = support[~flipped], sigma[~flipped]
                continue
            w_root, b, z = self.pieces.point(support, w_support)
            out = self._finish(certifier, ball, w_root, b, alpha, True, n_iter, z=z)
            if out.converged:
                return out, alpha
            alpha_next = alpha
            outside = np.abs(self.grad) > alpha * (1.0 + 1e-12)
            outside[support] = False
            if not outside.any():
                break
            new = np.flatnonzero(outside)
            support = np.concatenate([support, new])
            sigma = np.concatenate([sigma, -np.sign(self.grad[new])])
            order = np.argsort(support)
            support, sigma = support[order], sigma[order]
        return None, alpha_next

    def _onto_face(self, w, ball) -> np.ndarray:
        """With a box: ``w`` projected onto the ball with its coordinates at a bound held there.

        The plain projection onto the intersection shrinks every coordinate, moving those at a bound off
        it, against the gradient that holds them there: a first-order loss.  Near the root the
        constrained solution has the same coordinates at their bounds, so only the others are moved.
        """
        held = (w <= self.lower) | (w >= self.upper)
        lower, upper = np.where(held, w, self.lower), np.where(held, w, self.upper)
        if smallest_feasible_radius(self.p, lower, upper) < ball.radius:
            return project_onto_ball_and_box(w, ball.radius, self.p, lower, upper)
        return ball.prox(w)

    def _finish(self, certifier, ball, w, b, alpha, active, n_iter, free_gap=None, z=None) -> ConstrainedFit:
        """Feasible point, its constrained certificate, and the result.

        ``z``: ``X w + b`` when the caller has it.
        ``free_gap``: the gap of an unconstrained fit inside the ball.  Its dual point (projected onto
        ``{X^T theta = 0}``) is feasible for the constrained dual too, where ``t ||X^T theta||_q = 0``: a
        valid certificate that, unlike the residual's, does not grow with ``t``.  The smaller one is kept.
        """
        norm = lp_norm(w, self.p)
        if norm > ball.radius and z is not None and norm <= ball.radius * (1.0 + 1e-12):
            # a root on the sphere up to rounding: rescaling keeps z = X w + b exact
            scaled = rescale_onto_ball(w, ball.radius, self.p)
            z = b + (z - b) * (float(scaled @ w) / float(w @ w))
            w = scaled
        elif norm > ball.radius:  # exact feasibility
            w = ball.prox(w) if self.lower is None else self._onto_face(w, ball)
            b = self.refit_intercept(w, b)
            z = None
        if z is None:
            z = self.design.predict(w, b)
        else:  # the next penalized fit starts here: it need not recompute X w + b
            self.design.remember_prediction(w, b, z)
        self.w, self.b = w, b
        cert = certifier.check(w, b, z)
        self.grad = cert.grad  # the datafit's gradient at the returned point (the Lasso's next support)
        if free_gap is not None and free_gap < cert.gap:
            cert = replace(cert, gap=free_gap, converged=free_gap <= certifier.threshold)
        return self.result(cert, w, b, alpha, active, n_iter, "alpha_search")


def fit_box(
    X, y, s, datafit, t, fit_intercept=True, tol=1e-6, max_iter=100, w0=None, b0=None, lower=None, upper=None
) -> ConstrainedFit:
    """``p = inf``: the box constraint as a separable penalty, fitted by :func:`lpnet.solvers.solve`.

    With bounds ``lower``, ``upper`` the feasible set is the intersection of the two boxes,
    ``[max(lower, -t), min(upper, t)]``: the solvers clip into it, the certificate is its duality gap.
    """
    problem = _Problem(X, y, s, datafit, np.inf, fit_intercept, tol, max_iter, lower, upper)
    ball = problem.ball(t)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        res = solve(
            problem.design,
            y,
            datafit,
            ball,
            sample_weight=s,
            fit_intercept=fit_intercept,
            tol=tol,
            max_iter=max_iter,
            w0=w0,
            b0=b0,
        )
    w, b = res.coef, res.intercept
    cert = problem.certifier(ball).check(w, b, problem.design.predict(w, b))
    return problem.result(cert, w, b, ball.multiplier(w, cert.grad), ball.on_sphere(w), res.n_iter, res.solver)


def local_projected_gradient(
    X, y, s, datafit, t, p, fit_intercept=True, tol=1e-6, max_iter=100, w0=None, b0=None
) -> ConstrainedFit:
    """``p < 1``: projected gradient with the local projection, monotone, certified by stationarity.

    Starts from ``(w0, b0)`` or else from the L1-constrained fit at the same radius (convex, certified),
    moved onto the Lp ball.  Each step ``(w, b) <- (P(w - g_w / L), b - g_b / L)`` with ``L`` doubled
    until the quadratic upper bound holds (so ``D`` never increases:
    the local projection starts from the current ``w``, which
    it can only improve on).  ``max_iter`` counts blocks of 10 steps, each ending with the scale-free
    optimality violation of :class:`lpnet.certificates.Certifier` (the ball's limiting normal cone).
    As for lpnet's penalized ``p < 1`` fits, the limiting cone accepts any zero coordinate, so the fit
    stops when both that violation and the last step's length (times ``L``, relative to the same
    scale) are at most ``tol``.
    """
    problem = _Problem(X, y, s, datafit, p, fit_intercept, tol, max_iter)
    design = problem.design
    ball = NormBall(t, p)
    certifier = problem.certifier(ball)
    if w0 is None:
        # start from the convex relaxation's answer: the L1-constrained fit at the same radius, rescaled
        # onto the Lp ball (||w||_p >= ||w||_1 for p < 1); the monotone steps can only improve on it
        start = RadiusSearch(design, y, s, datafit, 1.0, fit_intercept, tol, max_iter).fit(t)
        w0, b0 = start.coef, start.intercept
    w = project_onto_ball(np.array(w0, dtype=np.float64), t, p)
    b = float(b0) if fit_intercept else 0.0
    lips = 1.0
    z = design.predict(w, b)
    moved = np.inf  # L * max_j |w_j - w_j(previous step)|, in gradient units: the fixed-point residual
    for n_iter in range(1, max_iter + 2):
        cert = certifier.check(w, b, z)
        if (cert.converged and moved / certifier.violation_scale <= tol) or n_iter > max_iter:
            break
        for _ in range(STEPS_PER_CHECK):
            raw = datafit.raw_grad(y, z, s)
            g, gb = design.xt(raw), (float(raw.sum()) if fit_intercept else 0.0)
            d = datafit.value(y, z, s)
            while True:
                w_new = project_onto_ball(w - g / lips, t, p, start=w)
                b_new = b - gb / lips
                dw, db = w_new - w, b_new - b
                z_new = design.linear(w_new, b_new)  # (the same rounding as z: compared below)
                bound = d + g @ dw + gb * db + 0.5 * lips * (dw @ dw + db * db)
                # up to rounding, on the loss's scale (a near-perfect fit has a value near zero, below the
                # rounding of its predictions)
                if datafit.value(y, z_new, s) <= bound + 1e-12 * max(abs(bound), certifier.f_null):
                    break
                lips *= 2.0
            moved = lips * max(float(np.max(np.abs(dw), initial=0.0)), abs(db))
            w, b, z = w_new, b_new, z_new
            lips *= 0.9  # let the step grow back
    multiplier = ball.multiplier(w, cert.grad)
    return problem.result(cert, w, b, multiplier, ball.on_sphere(w), n_iter, "projected_gradient")
