"""The loss a non-quadratic datafit draws in the slice: the intercept profiled out, on a grid, with its
gradient, its minimizer and its level sets.

In the 2-D slice through ``w*`` along the view's two coefficients the explorer draws
``D(w) = min_b D(X w + b)`` (``b = 0`` for a datafit without an intercept): the intercept is never
penalized, so this is the function the penalty competes with.  For the squared loss it is a quadratic
whose level sets are ellipses (:mod:`lpnet.explorer.compute`); for any other datafit it is computed
here, point by point, from the datafit's own per-sample derivatives:

* the best intercept of every grid point at once, by a vectorized 1-D Newton iteration on
  ``dD/db = 1/n sum_i f'(z_i + b)`` (``f''`` from the datafit's ``curvature``), kept inside a bracket
  that each step's sign of ``dD/db`` narrows, so it converges also where Newton alone would overshoot
  (the flat tails of the logistic loss);
* the gradient ``X_view^T f'(z + b*(w)) / n``: at the best intercept the derivative in ``b`` is zero, so
  the profiled loss has the datafit's gradient (Danskin), and the arrow at ``w*`` is the datafit's;
* the level sets by marching squares on a grid (:mod:`lpnet.explorer.contours`); the level through
  ``w*`` is then moved onto the exact level by two Newton steps along the gradient, so it passes through
  ``w*`` to rounding and meets the ball where the solver's point is.

The datafit is asked only through its public interface: ``raw_grad`` and ``curvature`` (per sample,
read with unit weights on the samples of all points at once, laid end to end), ``sample_losses`` (the
per-sample loss, scaled to ``value``'s units at ``w*``) and ``value``.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.interpolate import RegularGridInterpolator

from .contours import contour_set, level_lines

EPS = float(np.finfo(np.float64).eps)
#: grid points per side of the window on which the level sets are traced
CONTOUR_GRID = 81
#: samples x points evaluated at once: a few arrays of this many floats stay in the processor's cache
CHUNK = 250_000
PROFILE_STEPS = 120  # steps for the intercept: Newton's converge quadratically, the bracket halves at worst
OPTIMUM_STEPS = 100  # damped Newton steps towards the slice's minimizer
REFINE_STEPS = 2  # Newton steps that move the traced level through w* onto the exact level
#: the intercept's Newton iteration stops after a step this short (relative): its error is about the square
NEWTON_SETTLED = 1e-6
#: ... and once the bracket of its root is this narrow (relative)
BRACKET_SETTLED = 1e-10
#: every COARSE-th grid line is solved first, to start the others' intercepts close to their values
COARSE = 8


class ProfiledSlice:
    """The profiled loss ``D(w) = min_b D(X w + b)`` of the slice through ``w`` along ``view``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray
        The target in the datafit's encoding.
    datafit : Datafit
        Separable (``raw_grad`` and ``curvature`` per sample).
    w : ndarray of shape (n_features,)
        The point the slice passes through (the fit).
    view : list of 2 int
        The slice's two coefficients.
    intercept : float
        The fit's intercept: where each point's Newton iteration starts.
    fit_intercept : bool
        Whether the intercept is profiled out (False: ``b = 0``).
    """

    def __init__(self, X, y, datafit, w, view, intercept=0.0, fit_intercept=True):
        self.y = np.asarray(y)
        self.datafit = datafit
        self.n = X.shape[0]
        self.V = np.ascontiguousarray(X[:, view], dtype=np.float64)
        self.w_view = np.asarray(w, dtype=np.float64)[view]
        self.base = X @ w - self.V @ self.w_view  # the linear predictor of the other coefficients
        self.fit_intercept = bool(fit_intercept and datafit.allows_intercept)
        self.start = float(intercept) if self.fit_intercept else 0.0
        self._tiles: dict = {}
        z = X @ w + self.start
        mean = float(np.mean(datafit.sample_losses(self.y, z)))
        value = datafit.value(self.y, z, np.ones(self.n))
        # sample_losses is the per-sample loss up to a constant factor (the squared loss's is twice its
        # term of value): scaled here once so that the mean over the samples is D
        self.unit = value / mean if mean > 0 and math.isfinite(value / mean) else 1.0

    # ------------------------------------------------------------------------------------ per sample
    def _tiled(self, m):
        """The target repeated for ``m`` points, and unit weights: the samples of all points end to end."""
        if m not in self._tiles:
            reps = (m,) + (1,) * (self.y.ndim - 1)
            self._tiles = {m: (np.tile(self.y, reps), np.ones(m * self.n))}
        return self._tiles[m]

    def _per_sample(self, method, Z) -> np.ndarray:
        """``method`` (``raw_grad`` or ``curvature``, which scale by the weights over the sample count) per
        sample with unit weight, for the predictors ``Z`` of shape (m, n)."""
        m = Z.shape[0]
        yt, ones = self._tiled(m)
        return method(yt, Z.ravel(), ones).reshape(m, self.n) * (m * self.n)

    def _losses(self, Z) -> np.ndarray:
        """``D`` at the predictors ``Z`` (rows: points), in ``value``'s units."""
        yt, _ = self._tiled(Z.shape[0])
        return self.datafit.sample_losses(yt, Z.ravel()).reshape(Z.shape).mean(axis=1) * self.unit

    def _predictors(self, P) -> np.ndarray:
        """The linear predictors without intercept at the slice points ``P`` (m, 2): shape (m, n)."""
        return self.base[None, :] + (P @ self.V.T)

    # ------------------------------------------------------------------------------------ intercept
    def intercepts(self, Z, start=None) -> np.ndarray:
        """The best intercept of each row of ``Z`` (predictors without intercept), from ``start`` (one per
        row; default: the fit's intercept).

        ``dD/db`` increases with ``b`` (``D`` is convex), so every evaluation narrows a bracket of the root.
        A Newton step is taken where it stays inside and is at most half the previous step (as in
        Numerical Recipes' ``rtsafe``: Newton's steps crawl from the far side of an exponential, and
        with Huber's weights when most residuals are beyond ``epsilon``); otherwise, once bracketed, a
        regula falsi step (Illinois: the end kept twice has its value halved), or the bracket's middle
        where the last step did not halve the bracket; before a bracket, Newton's steps, doubled where
        they do not halve.
        """
        m = Z.shape[0]
        if not self.fit_intercept:
            return np.zeros(m)
        b = np.array(np.broadcast_to(self.start if start is None else start, (m,)), dtype=np.float64)
        low, high = np.full(m, -np.inf), np.full(m, np.inf)
        g_low, g_high = np.zeros(m), np.zeros(m)
        last = np.full(m, np.inf)  # the length of the last step
        last_width = np.full(m, np.inf)  # the bracket's width before the last step
        kept = np.zeros(m, dtype=np.int8)  # which end the last step replaced: -1 low, +1 high
        active = np.arange(m)
        for _ in range(PROFILE_STEPS):
            if not active.size:
                break
            now = b[active]
            Zb = Z[active] + now[:, None]
            d1 = self._per_sample(self.datafit.raw_grad, Zb)
            g = d1.mean(axis=1)
            h = self._per_sample(self.datafit.curvature, Zb).mean(axis=1)
            stationary = np.abs(g) <= 8.0 * EPS * np.abs(d1).mean(axis=1)
            side = np.where(g < 0.0, -1, 1).astype(np.int8)
            # Illinois: the end not replaced twice in a row has its value halved
            twice = side == kept[active]
            g_low[active] = np.where(twice & (side > 0), 0.5 * g_low[active], g_low[active])
            g_high[active] = np.where(twice & (side < 0), 0.5 * g_high[active], g_high[active])
            low[active] = np.where(side < 0, now, low[active])
            g_low[active] = np.where(side < 0, g, g_low[active])
            high[active] = np.where(side > 0, now, high[active])
            g_high[active] = np.where(side > 0, g, g_high[active])
            kept[active] = side
            lo, hi, glo, ghi = low[active], high[active], g_low[active], g_high[active]
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                newton = now - g / h
                falsi = hi - ghi * (hi - lo) / (ghi - glo)
            good = np.isfinite(newton) & (newton > lo) & (newton < hi) & (np.abs(newton - now) <= 0.5 * last[active])
            bracketed = np.isfinite(lo) & np.isfinite(hi)
            width = np.where(bracketed, hi - lo, np.inf)
            falsi = np.where(np.isfinite(falsi) & (falsi > lo) & (falsi < hi), falsi, 0.5 * (lo + hi))
            # the bracket halves at least every second step
            falsi = np.where(width <= 0.5 * last_width[active], falsi, 0.5 * (lo + hi))
            # no bracket yet: Newton's step (towards the root, the curvature being positive) where it halves,
            # else twice that (a step that crawls, from a curvature that overestimates, then overshoots and
            # brackets the root), or where it has none, twice the last step
            double = now - np.sign(g) * np.where(np.isfinite(last[active]), 2.0 * last[active], 1.0)
            halves = np.abs(newton - now) <= 0.5 * last[active]
            away = np.where(np.isfinite(newton), np.where(halves, newton, now + 2.0 * (newton - now)), double)
            new = np.where(good, newton, np.where(bracketed, falsi, away))
            last[active] = np.abs(new - now)
            last_width[active] = width
            settled = (
                stationary
                # a Newton step this short leaves an error of about its square
                | (good & (np.abs(new - now) <= NEWTON_SETTLED * (1.0 + np.abs(now))))
                | (np.abs(new - now) <= 4.0 * EPS * (1.0 + np.abs(now)))
                # a bracket this narrow moves D by far less than its rounding (|dD/db| is small inside)
                | (width <= BRACKET_SETTLED * (1.0 + np.abs(now)))
            )
            b[active] = np.where(stationary, now, new)
            active = active[~settled]
        return b

    # ------------------------------------------------------------------------------------ values
    def evaluate(self, P, gradient=False, starts=None, want_intercepts=False):
        """``D`` at the slice points ``P`` (m, 2), with ``gradient`` also its gradient (m, 2) there, and with
        ``want_intercepts`` the best intercepts last; ``starts``: where their iterations start."""
        P = np.atleast_2d(np.asarray(P, dtype=np.float64))
        values, intercepts = np.empty(P.shape[0]), np.empty(P.shape[0])
        grads = np.empty(P.shape) if gradient else None
        step = max(1, CHUNK // self.n)
        for start in range(0, P.shape[0], step):
            part = slice(start, start + step)
            Z = self._predictors(P[part])
            intercepts[part] = self.intercepts(Z, None if starts is None else starts[part])
            Z += intercepts[part, None]
            values[part] = self._losses(Z)
            if gradient:
                grads[part] = self._per_sample(self.datafit.raw_grad, Z) @ self.V / self.n
        out = (values, grads) if gradient else (values,)
        out = (*out, intercepts) if want_intercepts else out
        return out if len(out) > 1 else out[0]

    def grid(self, ticks) -> np.ndarray:
        """``D`` on the square grid ``ticks x ticks``: ``F[k, l]`` at ``(ticks[l], ticks[k])``.

        The best intercept changes smoothly across the slice: it is first found on every COARSE-th grid
        line, and interpolated from there as the start of each point's iteration, which then takes a step
        or two instead of five to fifteen.
        """
        ticks = np.asarray(ticks, dtype=np.float64)
        W1, W2 = np.meshgrid(ticks, ticks)
        points = np.column_stack([W1.ravel(), W2.ravel()])
        starts = None
        if self.fit_intercept and ticks.size > 2 * COARSE:
            picked = np.unique(np.append(np.arange(0, ticks.size, COARSE), ticks.size - 1))
            C1, C2 = np.meshgrid(ticks[picked], ticks[picked])
            _, coarse = self.evaluate(np.column_stack([C1.ravel(), C2.ravel()]), want_intercepts=True)
            spline = RegularGridInterpolator((ticks[picked], ticks[picked]), coarse.reshape(C1.shape))
            starts = spline(np.column_stack([points[:, 1], points[:, 0]]))
        return self.evaluate(points, starts=starts).reshape(W1.shape)

    def optimum(self) -> np.ndarray | None:
        """The slice's minimizer (the two view coefficients), by damped Newton on them and the intercept
        together; None where there is none to find (the classes separate along the slice: the loss
        decreases to its infimum at infinity) or the steps run out far from it."""
        A = np.column_stack([self.V, np.ones(self.n)]) if self.fit_intercept else self.V
        c = np.append(self.w_view, self.start) if self.fit_intercept else self.w_view.copy()
        s = np.ones(self.n)
        z = self.base + A @ c
        value = self.datafit.value(self.y, z, s)
        first = None
        for _ in range(OPTIMUM_STEPS):
            d1 = self.datafit.raw_grad(self.y, z, s)
            g = A.T @ d1
            first = float(np.max(np.abs(g))) if first is None else first
            # stationary: relative to the first gradient, or to the rounding of the sums
            if np.max(np.abs(g)) <= max(1e-13 * first, 64.0 * EPS * float(np.max(np.abs(A).T @ np.abs(d1)))):
                return c[:2]
            H = A.T @ (self.datafit.curvature(self.y, z, s)[:, None] * A)
            step = np.linalg.lstsq(H, -g, rcond=None)[0]
            dz, slope, t = A @ step, float(g @ step), 1.0
            # backtracking (Armijo), unless the decrease it would test is below the value's rounding:
            # there the full Newton step is taken (quadratic convergence, which no value can confirm)
            while -slope > 64.0 * EPS * (1.0 + abs(value)) and t > 1e-12:
                new = self.datafit.value(self.y, z + t * dz, s)
                if new <= value + 1e-4 * t * slope:
                    break
                t *= 0.5
            else:
                if t <= 1e-12:
                    return c[:2]  # no descent left: as stationary as it gets
                new = self.datafit.value(self.y, z + dz, s)
            c, z, value = c + t * step, z + t * dz, new
        # out of steps: near enough where the gradient has all but vanished (Huber's weighted steps converge
        # only linearly), else nothing to show
        last = float(np.max(np.abs(A.T @ self.datafit.raw_grad(self.y, z, s))))
        return c[:2] if last <= 1e-8 * first else None

    def refine(self, x, y, level):
        """The polyline ``(x, y)`` (NaN-separated) moved onto the exact level: Newton along the gradient."""
        x, y = np.array(x, dtype=np.float64), np.array(y, dtype=np.float64)
        points = np.isfinite(x)
        if not points.any():
            return x, y
        P = np.column_stack([x[points], y[points]])
        for _ in range(REFINE_STEPS):
            values, grads = self.evaluate(P, gradient=True)
            norm2 = np.sum(grads * grads, axis=1)
            factor = np.divide(values - level, norm2, out=np.zeros_like(norm2), where=norm2 > 0)
            P = P - factor[:, None] * grads
        x[points], y[points] = P[:, 0], P[:, 1]
        return x, y


def picture(X, y, datafit, w, view, intercept, half_of, n_levels, fit_intercept=True) -> dict:
    """The slice geometry that :func:`lpnet.explorer.compute.fit` draws, for a non-quadratic datafit.

    ``half_of(unconstrained)`` sizes the window from the slice's minimizer (None where there is none).
    Returns ``loss_at_solution``, ``full_gradient`` (the datafit's gradient at ``w`` with the intercept at
    its best, every coefficient), ``grad_bound`` (its rounding), ``unconstrained`` (the minimizer, NaN
    where there is none), ``half``, ``grid`` (a function: ``D`` on the grid ``ticks x ticks``), ``contours`` ``(x, y,
    levels)`` and ``solution_level`` ``(x, y)``.
    """
    prof = ProfiledSlice(X, y, datafit, w, view, intercept, fit_intercept)
    w = np.asarray(w, dtype=np.float64)
    b = prof.intercepts((X @ w)[None, :])[0]
    s = np.ones(X.shape[0])
    d1 = datafit.raw_grad(y, X @ w + b, s)
    full_gradient = X.T @ d1
    d0 = float(prof.evaluate(prof.w_view)[0])
    # each gradient entry sums n terms x_ij f'_i, and f'_i itself is known to a few eps of its size
    grad_bound = 16.0 * X.shape[0] * EPS * float(np.max(np.abs(prof.V).T @ np.abs(d1)))
    optimum = prof.optimum()
    half = half_of(optimum)
    ticks = np.linspace(-half, half, CONTOUR_GRID)
    F = prof.grid(ticks)
    finite = F[np.isfinite(F)]
    low = min(float(prof.evaluate(optimum)[0]), float(finite.min())) if optimum is not None else float(finite.min())
    near, far = math.sqrt(max(float(finite.min()) - low, 0.0)), math.sqrt(max(float(finite.max()) - low, 0.0))
    # as the ellipses of the squared loss: evenly spaced in sqrt(loss - min) over the window's values
    levels = low + (near + (far - near) * np.arange(1, n_levels + 1) / n_levels) ** 2
    cx, cy = contour_set(ticks, ticks, F, levels)
    sx, sy = prof.refine(*level_lines(ticks, ticks, F, d0), d0)

    return {
        "loss_at_solution": d0,
        "full_gradient": full_gradient,
        "grad_bound": grad_bound,
        "unconstrained": np.full(2, np.nan) if optimum is None else optimum,
        "half": half,
        "grid": prof.grid,
        "contours": (cx, cy, levels),
        "solution_level": (sx, sy),
    }
