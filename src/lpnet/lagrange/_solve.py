"""Newton's method on the Lagrange system, the classification of its solutions, and the Lp ball."""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ._inputs import (
    EPS,
    Smooth,
    as_box,
    as_problem,
    check_point,
    check_positive,
    starting_points,
)


class DegenerateConstraintError(ValueError):
    """The constraint gradient ``∇g`` vanishes, so ``∇f = λ ∇g`` carries no information there.

    The Lagrange condition needs ``∇g ≠ 0`` on the curve (the constraint qualification).  It fails
    at isolated points such as the cusp of ``x³ − y² = 0``, or everywhere for a squared constraint
    such as ``(x² + y² − 1)² = 0``; write the constraint so that its gradient does not vanish.
    """


@dataclass(frozen=True, eq=False)
class ConstrainedPoint:
    """A stationary point of ``f`` on ``g = 0``: ``∇f = λ ∇g`` there.

    Attributes
    ----------
    x : ndarray of shape (2,)
        The point ``(x, y)`` (read-only).
    multiplier : float
        The Lagrange multiplier ``λ``.
    value : float
        ``f`` at the point.
    kind : {"min", "max", "saddle"}
        The type of the point along the constraint, from the sign of ``curvature`` (see
        :func:`solve`).  ``"saddle"`` means the second-order test sees zero curvature: an inflection
        along the curve (``y³`` on ``x = 0``), or a flat or higher-order point it cannot classify.
    grad_f, grad_g : ndarray of shape (2,)
        ``∇f`` and ``∇g`` at the point (read-only).
    curvature : float
        ``τᵀ (∇²f − λ ∇²g) τ``, the second derivative of ``f`` along the curve, with ``τ`` the unit
        tangent ``(−∂g/∂y, ∂g/∂x) / ‖∇g‖``.
    residual : float
        Euclidean norm of the Lagrange system ``(∇f − λ ∇g, g)`` at the point.
    x_error : float
        Length of the Newton correction still pending at the point: an estimate of the error in
        ``x``.  Where the curvature is zero Newton's method converges only linearly and the true
        error can be a few times larger.
    converged : bool
        Whether the convergence test of :func:`solve` passed.  When False, the other attributes
        describe the last iterate.
    n_iter : int
        Newton iterations taken.
    """

    x: np.ndarray
    multiplier: float
    value: float
    kind: str
    grad_f: np.ndarray
    grad_g: np.ndarray
    curvature: float
    residual: float
    x_error: float
    converged: bool
    n_iter: int

    def __post_init__(self):
        # Private read-only copies: a frozen dataclass should not be mutable through its arrays.
        for name in ("x", "grad_f", "grad_g"):
            arr = np.array(getattr(self, name), dtype=float)
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)


# ----------------------------------------------------------------------------------------- Newton
def _lagrange_system(fs: Smooth, gs: Smooth, z: np.ndarray):
    p, lam = z[:2], z[2]
    gf, gg = fs.grad(p), gs.grad(p)
    F = np.array([*(gf - lam * gg), gs.value(*p)])
    if not np.all(np.isfinite(F)):
        raise FloatingPointError(f"f or g is not finite near {p}.")
    return F, gf, gg


def _is_solved(F, gf, gg, p, ref_gf, tol) -> bool:
    # Relative, so that rescaling f or g changes nothing.  ∇f(x0) keeps a scale where ∇f vanishes
    # (f = y³ at y = 0); |g| / ‖∇g‖ is the distance to the curve, to first order.
    length = max(1.0, np.linalg.norm(p))
    stationary = np.linalg.norm(F[:2]) <= tol * max(np.linalg.norm(gf), ref_gf)
    feasible = abs(F[2]) <= tol * length * np.linalg.norm(gg)
    return bool(stationary and feasible)


def _solve(fs: Smooth, gs: Smooth, x0: np.ndarray, tol: float, max_iter: int, curvature_tol: float) -> ConstrainedPoint:
    for s in (fs, gs):
        if not np.isfinite(s.value(*x0)):
            raise ValueError(f"{s.name}(x0) = {s.value(*x0)} at x0 = {x0}; start inside its domain.")
    gf0, gg0 = fs.grad(x0), gs.grad(x0)
    if not (np.all(np.isfinite(gf0)) and np.all(np.isfinite(gg0))):
        raise ValueError(f"the gradients of f or g are not finite at x0 = {x0}; start elsewhere.")
    if not np.any(gg0):
        raise DegenerateConstraintError(
            f"∇g = 0 at x0 = {x0}: the Lagrange system is singular there; start from another point."
        )
    ref_gf = np.linalg.norm(gf0)
    # Least-squares multiplier at x0: the λ that best satisfies ∇f = λ ∇g before moving.
    z = np.array([*x0, gf0 @ gg0 / (gg0 @ gg0)])
    F, gf, gg = _lagrange_system(fs, gs, z)
    polished = False
    for n_iter in range(max_iter + 1):
        p, lam = z[:2], z[2]
        J = np.zeros((3, 3))
        J[:2, :2] = fs.hess(p) - lam * gs.hess(p)
        J[:2, 2], J[2, :2] = -gg, gg
        # lstsq: the minimum-norm step stays defined where J is singular (flat or degenerate points).
        # An infinite Hessian (a kink, like |x|^1.5 at 0) leaves no Newton step to take.
        finite = bool(np.all(np.isfinite(J)))
        step = np.linalg.lstsq(J, -F, rcond=None)[0] if finite else np.zeros(3)
        converged = _is_solved(F, gf, gg, p, ref_gf, tol)
        if (converged and polished) or n_iter == max_iter or not finite:
            break
        # Once the test passes, one more step: Newton converges quadratically, so this step
        # usually takes the point from about tol to machine precision at the cost of one iteration.
        polished = converged
        # Backtracking on ‖F‖ keeps Newton from jumping to far-away solutions or leaving the domain.
        merit, t = np.linalg.norm(F), 1.0
        while t > 1e-10:
            try:
                # A trial may overflow or leave the domain of f or g: then take a shorter step.
                with np.errstate(all="ignore"):
                    trial = _lagrange_system(fs, gs, z + t * step)
            except (ArithmeticError, ValueError):
                trial = None
            if trial is not None and np.linalg.norm(trial[0]) <= (1 - 1e-4 * t) * merit:
                break
            t /= 2
        else:
            break  # no decrease along the Newton direction: stalled
        z = z + t * step
        F, gf, gg = trial
    p, lam = z[:2], float(z[2])
    Hg = gs.hess(p)
    if np.linalg.norm(gg) <= np.sqrt(EPS) * max(1.0, np.linalg.norm(p)) * np.linalg.norm(Hg, 2):
        raise DegenerateConstraintError(
            f"∇g = {gg} vanishes at {p} (reached from x0 = {x0}, residual {np.linalg.norm(F):.3g}): "
            "the constraint qualification fails and the Lagrange condition does not apply there. "
            "Rewrite g so that its gradient is nonzero on the curve g = 0."
        )
    curvature, kind = _classify(fs, gs, p, lam, gg, Hg, step[:2], curvature_tol)
    return ConstrainedPoint(
        x=p,
        multiplier=lam,
        value=fs.value(*p),
        kind=kind,
        grad_f=gf,
        grad_g=gg,
        curvature=curvature,
        residual=float(np.linalg.norm(F)),
        x_error=float(np.linalg.norm(step[:2])),
        converged=converged,
        n_iter=n_iter,
    )


def _classify(fs, gs, p, lam, gg, Hg, dx, curvature_tol) -> tuple[float, str]:
    tau = np.array([-gg[1], gg[0]]) / np.linalg.norm(gg)
    Hf = fs.hess(p)
    curvature = float(tau @ (Hf - lam * Hg) @ tau)
    # Zero within the cancellation error of its two terms, or within its own change over the
    # uncertainty dx of the point: at a zero-curvature point Newton converges linearly, its
    # correction dx is a fixed fraction (1/2 for an inflection) of the distance to the point, and
    # the curvature left over is proportional to that distance; a factor 3 covers that fraction.
    try:
        with np.errstate(all="ignore"):
            near = [tau @ (fs.hess(q) - lam * gs.hess(q)) @ tau for q in (p + dx, p - dx)]
        spread = abs(near[0] - near[1]) / 2
    except (ArithmeticError, ValueError):
        spread = np.nan
    if not (np.isfinite(spread) and np.isfinite(curvature)):  # the sign cannot be known
        return curvature, "saddle"
    noise = fs.hess_noise(p) + abs(lam) * gs.hess_noise(p)
    zero = curvature_tol * (np.linalg.norm(Hf, 2) + abs(lam) * np.linalg.norm(Hg, 2)) + 3 * spread + noise
    if abs(curvature) <= zero:
        return curvature, "saddle"
    return curvature, "min" if curvature > 0 else "max"


def solve(
    f, g, x0, *, symbols=None, tol: float = 1e-8, max_iter: int = 100, curvature_tol: float = 1e-6
) -> ConstrainedPoint:
    """The stationary point of ``f`` on the curve ``g = 0`` that Newton's method reaches from ``x0``.

    Solves the Lagrange system ``∇f(x, y) = λ ∇g(x, y)``, ``g(x, y) = 0`` for ``(x, y, λ)`` by
    Newton's method with a backtracking line search on the residual norm, starting from ``x0`` and
    the least-squares multiplier ``λ₀ = ∇f·∇g / ‖∇g‖²`` at ``x0``.

    Parameters
    ----------
    f, g : callable or sympy expression
        A callable ``f(x, y)`` takes two floats and returns a float (numpy-vectorised functions
        work too); its gradient and Hessian come from central differences with steps
        ``eps^(1/3) max(1, |x_i|)`` and ``eps^(1/4) max(1, |x_i|)``, accurate to about 1e-10 and
        1e-8 relative.  A sympy expression is differentiated exactly, its variables taken as real
        (``Abs(x)`` differentiates to ``sign(x)``).  ``g`` may also be a sympy
        ``Eq(lhs, rhs)``, meaning ``lhs − rhs = 0``.  The two may be mixed.
    x0 : array-like of shape (2,)
        The starting point; it need not satisfy ``g = 0``, but ``∇g(x0)`` must be nonzero.
    symbols : pair of sympy Symbol, optional
        The variables ``(x, y)``, in that order, of the sympy expressions.  By default the two free
        symbols of the expressions sorted by name (``x`` before ``y``, ``a`` before ``b``).
    tol : float, default 1e-8
        Convergence test, relative to the gradients at the point and at ``x0``::

            ‖∇f − λ ∇g‖ ≤ tol · max(‖∇f‖, ‖∇f(x0)‖),   |g| ≤ tol · ℓ · ‖∇g‖,

        with ``ℓ = max(1, ‖x‖)``.  Where the curvature along the curve is zero (a degenerate point)
        the point is found only to about ``sqrt(tol)``; see ``x_error`` of the result.
    max_iter : int, default 100
        Most Newton iterations.
    curvature_tol : float, default 1e-6
        Relative tolerance of the classification.  With the unit tangent ``τ ⟂ ∇g`` and the
        curvature ``κ = τᵀ (∇²f − λ ∇²g) τ`` (second derivative of ``L = f − λ g`` along the curve),
        the point is a ``"min"`` if ``κ > z``, a ``"max"`` if ``κ < −z`` and a ``"saddle"`` if
        ``|κ| ≤ z``, where ``z = curvature_tol · (‖∇²f‖ + |λ| ‖∇²g‖) + 3 δκ + ε`` (spectral norms):
        ``δκ`` is the change of ``κ`` over the remaining Newton correction (the uncertainty of the
        point; zero at a point found to machine precision) and ``ε`` the rounding error of
        finite-difference Hessians, ``4 eps (|f| + |λ g|) / h²`` (zero for sympy input).  A point
        where the Hessians cannot be evaluated (nearby) is a ``"saddle"`` too.

    Returns
    -------
    ConstrainedPoint
        When the test fails after ``max_iter`` iterations, or the line search stalls, the last
        iterate with ``converged=False``, and a ``ConvergenceWarning`` is emitted.

    Raises
    ------
    DegenerateConstraintError
        If ``∇g`` vanishes at ``x0`` or at the point reached (``‖∇g‖ ≤ sqrt(eps) ℓ ‖∇²g‖``): there the
        Lagrange condition does not characterise constrained extrema.
    TypeError, ValueError
        For a non-callable ``f`` or ``g``, ``x0`` not a finite pair, or ``f``/``g`` not finite at ``x0``.

    Examples
    --------
    >>> import numpy as np
    >>> from lpnet import lagrange
    >>> pt = lagrange.solve(lambda x, y: x + y, lambda x, y: x**2 + y**2 - 1, x0=(1.0, 0.5))
    >>> pt.kind, np.round(pt.x, 6), round(pt.multiplier, 6)
    ('max', array([0.707107, 0.707107]), 0.707107)
    """
    fs, gs = as_problem(f, g, symbols)
    x0 = check_point(x0)
    check_positive(tol, "tol")
    check_positive(max_iter, "max_iter", integer=True)
    check_positive(curvature_tol, "curvature_tol")
    point = _solve(fs, gs, x0, tol, max_iter, curvature_tol)
    if not point.converged:
        hint = "try another x0, a larger max_iter, or check that f and g have a tangency point nearby"
        if np.linalg.norm(point.grad_g) < 1e-3 * np.linalg.norm(gs.grad(x0)):
            # The multiplier blows up as Newton chases a point where ∇g vanishes.
            hint = (
                f"∇g nearly vanishes there (‖∇g‖ = {np.linalg.norm(point.grad_g):.3g}, "
                f"λ = {point.multiplier:.3g}): the constraint is probably degenerate; rewrite g "
                "so that its gradient is nonzero on g = 0"
            )
        warnings.warn(
            f"Lagrange system not solved from x0 = {x0} after {point.n_iter} Newton iterations "
            f"(residual {point.residual:.3g} at {point.x}); {hint}.",
            ConvergenceWarning,
            stacklevel=2,
        )
    return point


def solve_all(
    f,
    g,
    starts=16,
    *,
    bounds=(-2.0, 2.0),
    seed=0,
    symbols=None,
    tol: float = 1e-8,
    max_iter: int = 100,
    curvature_tol: float = 1e-6,
    dedup_tol: float = 1e-6,
) -> list[ConstrainedPoint]:
    """Every distinct stationary point of ``f`` on ``g = 0`` that Newton's method reaches from many starts.

    Runs :func:`solve` from each start and keeps the converged points.  Starts where ``f`` or ``g``
    cannot be evaluated or ``∇g`` vanishes, and runs that fail to converge, are skipped silently.

    Parameters
    ----------
    f, g, symbols, tol, max_iter, curvature_tol
        As in :func:`solve`.
    starts : int or array-like of shape (k, 2), default 16
        Starting points, or how many to draw: one uniform random point in each of ``starts`` cells
        of a square grid over ``bounds``, reproducible through ``seed``.
    bounds : (lo, hi) or ((x_lo, x_hi), (y_lo, y_hi)), default (-2, 2)
        The box the starts are drawn from.  The points found may lie outside it.
    seed : int or numpy Generator, default 0
    dedup_tol : float, default 1e-6
        Two points are the same when ``‖x₁ − x₂‖ ≤ dedup_tol · max(1, ‖x₁‖) + 3 (e₁ + e₂)``, with
        ``e`` the ``x_error`` of each (so that points found to ``sqrt(tol)`` only still merge).  Of
        the copies, the one with the smallest residual is kept.

    Returns
    -------
    list of ConstrainedPoint
        Sorted by increasing ``value`` (ties by ``x``); empty if no run converged.

    Raises
    ------
    TypeError, ValueError
        For bad arguments, as in :func:`solve`; and the error of the last start (a ``ValueError``
        or ``ArithmeticError``) if every start failed with one, which usually means a bug in ``f``
        or ``g``.

    Examples
    --------
    >>> from lpnet import lagrange
    >>> pts = lagrange.solve_all(lambda x, y: x + y, lambda x, y: x**2 + y**2 - 1)
    >>> [(p.kind, round(p.value, 6)) for p in pts]
    [('min', -1.414214), ('max', 1.414214)]
    """
    fs, gs = as_problem(f, g, symbols)
    for value, name in ((tol, "tol"), (curvature_tol, "curvature_tol"), (dedup_tol, "dedup_tol")):
        check_positive(value, name)
    check_positive(max_iter, "max_iter", integer=True)
    return _solve_all(fs, gs, starting_points(starts, as_box(bounds), seed), tol, max_iter, curvature_tol, dedup_tol)


def _solve_all(fs, gs, starts, tol, max_iter, curvature_tol, dedup_tol) -> list[ConstrainedPoint]:
    found, errors = [], []
    for x0 in starts:
        try:
            point = _solve(fs, gs, x0, tol, max_iter, curvature_tol)
        except (ArithmeticError, ValueError) as exc:  # domain errors and degenerate starts
            errors.append(exc)
            continue
        if point.converged:
            found.append(point)
    if len(errors) == len(starts):  # nothing could even be evaluated: most likely a bug in f or g
        raise errors[-1]
    kept = []
    for point in sorted(found, key=lambda q: q.residual):
        if not any(_same(point, other, dedup_tol) for other in kept):
            kept.append(point)
    return sorted(kept, key=lambda q: (q.value, *q.x))


def _same(a: ConstrainedPoint, b: ConstrainedPoint, dedup_tol: float) -> bool:
    scale = dedup_tol * max(1.0, np.linalg.norm(a.x)) + 3 * (a.x_error + b.x_error)
    return bool(np.linalg.norm(a.x - b.x) <= scale)


# ----------------------------------------------------------------------------------- the Lp ball
def lp_ball(p: float = 2.0, radius: float = 1.0) -> Callable:
    """The constraint ``g(x, y) = ‖(x, y)‖_p − radius``, smooth on the curve for ``p > 1``.

    With this ``g``, a stationary point of ``f`` on the sphere ``‖w‖_p = radius`` with multiplier
    ``λ`` is a stationary point of the penalized ``f + α ‖w‖_p`` with ``α = −λ`` (for convex ``f`` and
    ``λ ≤ 0``: the same minimizer), and ``λ`` is the rate of change of the stationary value with
    ``radius``.  ``p = 1`` (the Lasso ball) has
    corners, where ``∇g`` jumps and the Lagrange condition is replaced by a subgradient condition;
    take ``p`` slightly above 1 to watch the tangency point move to a corner.

    Parameters
    ----------
    p : float > 1, default 2
    radius : float > 0, default 1

    Returns
    -------
    callable
        ``g(x, y)``, numpy-vectorised.
    """
    if not isinstance(p, numbers.Real) or isinstance(p, bool) or not np.isfinite(p) or p <= 1:
        raise ValueError(
            f"p must be a finite number > 1, got {p!r}: the L1 ball has corners and the L-inf ball "
            "edges, where the Lagrange condition does not hold; use e.g. p=1.01 or p=20."
        )
    check_positive(radius, "radius")

    def g(x, y):
        return (np.abs(x) ** p + np.abs(y) ** p) ** (1 / p) - radius

    g.__name__ = g.__qualname__ = f"lp_ball(p={p:g}, radius={radius:g})"
    return g
