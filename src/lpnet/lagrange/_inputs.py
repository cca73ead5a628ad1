"""What the user passes in: ``f`` and ``g`` as functions with derivatives, and the checks of the other inputs."""

from __future__ import annotations

import numbers
import sys
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

#: machine epsilon of float64: the scale of the finite-difference steps and of the rank tests
EPS = np.finfo(float).eps


@dataclass(frozen=True)
class Smooth:
    """A scalar function of ``(x, y)`` with its gradient and Hessian, exact or by central differences.

    ``hess_noise(p)`` bounds the rounding error of ``hess(p)``: zero for exact derivatives.
    """

    name: str
    value: Callable[[float, float], float]
    grad: Callable[[np.ndarray], np.ndarray]
    hess: Callable[[np.ndarray], np.ndarray]
    hess_noise: Callable[[np.ndarray], float]
    grid: Callable[[np.ndarray, np.ndarray], np.ndarray]


def _scalar(v, name: str) -> float:
    arr = np.asarray(v)
    if arr.size != 1 or not np.issubdtype(arr.dtype, np.number):
        raise TypeError(f"{name}(x, y) must return one real number, got {v!r}.")
    if np.iscomplexobj(arr):
        if arr.imag.item() != 0:
            raise ValueError(f"{name}(x, y) returned the complex number {arr.item()}; it must be real.")
        arr = arr.real
    return float(arr.item())


def _steps(p: np.ndarray, power: float) -> np.ndarray:
    # A step proportional to |x| keeps the relative perturbation fixed (absolute below 1); the
    # round trip (p + h) - p makes h exactly representable, so the quotient uses the step taken.
    h = EPS**power * np.maximum(1.0, np.abs(p))
    return (p + h) - p


def _hess_steps(p: np.ndarray) -> np.ndarray:
    return _steps(p, 1 / 4)


def _fd_hess_noise(fun, p: np.ndarray) -> float:
    # Each value carries a rounding error of about eps |f|; a second difference multiplies it by
    # up to 4 / h².  Large when f is a large constant plus a small variation.
    return 4 * EPS * abs(fun(*p)) / float(np.min(_hess_steps(p))) ** 2


def _fd_grad(fun, p: np.ndarray) -> np.ndarray:
    # Central differences with h ~ eps^(1/3): truncation and rounding errors balance there.
    (x, y), (hx, hy) = p, _steps(p, 1 / 3)
    return np.array([(fun(x + hx, y) - fun(x - hx, y)) / (2 * hx), (fun(x, y + hy) - fun(x, y - hy)) / (2 * hy)])


def _fd_hess(fun, p: np.ndarray) -> np.ndarray:
    # Second differences balance their errors at h ~ eps^(1/4).
    (x, y), (hx, hy) = p, _hess_steps(p)
    f0 = fun(x, y)
    fxx = (fun(x + hx, y) - 2 * f0 + fun(x - hx, y)) / hx**2
    fyy = (fun(x, y + hy) - 2 * f0 + fun(x, y - hy)) / hy**2
    fxy = (fun(x + hx, y + hy) - fun(x + hx, y - hy) - fun(x - hx, y + hy) + fun(x - hx, y - hy)) / (4 * hx * hy)
    return np.array([[fxx, fxy], [fxy, fyy]])


def _grid_of_callable(fun, name: str):
    def grid(X, Y):
        # Try the function as numpy-vectorised first (fast); failing on arrays, like math.sin
        # (TypeError) or `if x > 0` (ValueError), means it takes floats only.
        try:
            Z = np.asarray(fun(X, Y), dtype=float)
        except (TypeError, ValueError, ArithmeticError, AttributeError):
            Z = None
        if Z is None or Z.shape not in (X.shape, ()):
            Z = np.vectorize(lambda x, y: _value_or_nan(fun, name, float(x), float(y)), otypes=[float])(X, Y)
        return np.broadcast_to(Z, X.shape)

    return grid


def _value_or_nan(fun, name: str, x: float, y: float) -> float:
    # Outside its domain (math.log(-1) raises ValueError) a function is left blank on a plot.
    try:
        return _scalar(fun(x, y), name)
    except (ArithmeticError, ValueError):
        return np.nan


def _from_callable(fun, name: str) -> Smooth:
    def value(x, y):
        return _scalar(fun(x, y), name)

    return Smooth(
        name,
        value,
        lambda p: _fd_grad(value, p),
        lambda p: _fd_hess(value, p),
        lambda p: _fd_hess_noise(value, p),
        _grid_of_callable(fun, name),
    )


def _from_sympy(expr, symbols, name: str) -> Smooth:
    import sympy

    # The variables are real: with plain Symbols, d|x|/dx would involve re(x) and im(x).
    real = [sympy.Dummy(s.name, real=True) for s in symbols]
    expr, symbols = expr.xreplace(dict(zip(symbols, real))), real
    grad = [sympy.diff(expr, s) for s in symbols]
    # d sign(x)/dx = DiracDelta(x), from |x|, vanishes wherever the Hessian exists; numpy has no delta.
    hess = [[sympy.diff(d, s).replace(sympy.DiracDelta, lambda *args: sympy.S.Zero) for s in symbols] for d in grad]
    value_fn = sympy.lambdify(symbols, expr, modules="numpy")
    grad_fn = sympy.lambdify(symbols, grad, modules="numpy")
    hess_fn = sympy.lambdify(symbols, hess, modules="numpy")
    return Smooth(
        name,
        lambda x, y: _scalar(value_fn(x, y), name),
        lambda p: np.array(grad_fn(*p), dtype=float),
        lambda p: np.array(hess_fn(*p), dtype=float),
        lambda p: 0.0,
        # A constant expression lambdifies to a scalar: broadcast it over the grid.
        lambda X, Y: np.broadcast_to(np.asarray(value_fn(X, Y), dtype=float), X.shape),
    )


def _is_sympy(obj) -> bool:
    # Without sympy imported there cannot be a sympy expression: no need to import it.
    sympy = sys.modules.get("sympy")
    return sympy is not None and isinstance(obj, sympy.Basic)


def as_problem(f, g, symbols) -> tuple[Smooth, Smooth]:
    """``f`` and ``g`` as :class:`Smooth` functions, from callables or sympy expressions.

    Parameters
    ----------
    f, g : callable or sympy expression
        A callable of two floats, or a sympy expression (``g`` may be an ``Eq``: ``lhs - rhs = 0``).
    symbols : pair of sympy Symbols or None
        The variables ``(x, y)`` of sympy expressions, in order; None when both are callables or the
        expressions have exactly two free symbols (then sorted by name).

    Returns
    -------
    tuple of Smooth
        ``(f, g)`` with their gradients and Hessians.
    """
    if _is_sympy(g):
        import sympy

        if isinstance(g, sympy.Equality):  # Eq(lhs, rhs) means lhs - rhs = 0
            g = g.lhs - g.rhs
    exprs = {name: obj for name, obj in (("f", f), ("g", g)) if _is_sympy(obj)}
    for name, obj in (("f", f), ("g", g)):
        if name not in exprs and not callable(obj):
            raise TypeError(
                f"{name} must be a callable {name}(x, y) or a sympy expression, got {obj!r} "
                f"of type {type(obj).__name__}."
            )
    if not exprs:
        if symbols is not None:
            raise ValueError("symbols= names the variables of sympy expressions; f and g are callables.")
        return _from_callable(f, "f"), _from_callable(g, "g")
    symbols = _sympy_symbols(exprs, symbols)
    return tuple(
        _from_sympy(exprs[n], symbols, n) if n in exprs else _from_callable(obj, n) for n, obj in (("f", f), ("g", g))
    )


def _sympy_symbols(exprs: dict, symbols) -> tuple:
    import sympy

    free = set().union(*(e.free_symbols for e in exprs.values()))
    if symbols is None:
        if len(free) != 2:
            names = ", ".join(sorted(map(str, free))) or "none"
            raise ValueError(
                f"cannot tell x from y: the sympy expressions have the free symbols {{{names}}}; "
                "pass the two variables in order, e.g. symbols=(x, y)."
            )
        return tuple(sorted(free, key=str))
    symbols = tuple(symbols)
    if len(symbols) != 2 or not all(isinstance(s, sympy.Symbol) for s in symbols) or symbols[0] == symbols[1]:
        raise ValueError(f"symbols must be two distinct sympy Symbols (x, y), got {symbols!r}.")
    for name, e in exprs.items():
        extra = e.free_symbols - set(symbols)
        if extra:
            raise ValueError(
                f"{name} has the free symbols {sorted(map(str, extra))} besides symbols={symbols}; "
                "substitute numbers for them first, e.g. expr.subs(a, 2)."
            )
    return symbols


# ---------------------------------------------------------------------------------- input checks
def check_point(x0, name: str = "x0") -> np.ndarray:
    """``x0`` as a finite point ``(x, y)``: a float array of shape (2,).

    Parameters
    ----------
    x0 : array-like
    name : str, default="x0"
        The argument's name in the error messages.

    Returns
    -------
    ndarray of shape (2,)
    """
    try:
        p = np.asarray(x0, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a pair of numbers (x, y), got {x0!r}.") from exc
    if p.shape != (2,):
        raise ValueError(f"{name} must have shape (2,), a point (x, y); got shape {p.shape}.")
    if not np.all(np.isfinite(p)):
        raise ValueError(f"{name} = {p} contains NaN or inf; start from a finite point.")
    return p


def check_positive(value, name: str, integer: bool = False):
    """``value`` itself when it is a finite number > 0 (a positive integer with ``integer=True``).

    Parameters
    ----------
    value : int or float
    name : str
        The argument's name in the error message.
    integer : bool, default=False

    Returns
    -------
    int or float

    Raises
    ------
    ValueError
        When the value is not of that kind.
    """
    kind = numbers.Integral if integer else numbers.Real
    if not isinstance(value, kind) or isinstance(value, bool) or not np.isfinite(value) or value <= 0:
        what = "a positive integer" if integer else "a finite number > 0"
        raise ValueError(f"{name} must be {what}, got {value!r}.")
    return value


def as_box(bounds) -> np.ndarray:
    """The plotting and search box ``[[x_lo, x_hi], [y_lo, y_hi]]`` from ``bounds``.

    Parameters
    ----------
    bounds : pair or pair of pairs
        ``(lo, hi)`` for both axes, or ``((x_lo, x_hi), (y_lo, y_hi))``; finite with ``lo < hi``.

    Returns
    -------
    ndarray of shape (2, 2)
    """
    try:
        b = np.asarray(bounds, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"bounds must be numbers, got {bounds!r}.") from exc
    if b.shape == (2,):
        b = np.array([b, b])
    if b.shape != (2, 2) or not np.all(np.isfinite(b)) or np.any(b[:, 0] >= b[:, 1]):
        raise ValueError(
            f"bounds must be (lo, hi) for both axes or ((x_lo, x_hi), (y_lo, y_hi)), finite with "
            f"lo < hi; got {bounds!r}."
        )
    return b


def starting_points(starts, box: np.ndarray, seed) -> np.ndarray:
    """The starting points of Newton's method: ``starts`` itself, or that many spread over ``box``.

    Parameters
    ----------
    starts : int or array-like of shape (k, 2)
        A number of points (a jittered grid over ``box``) or the points themselves.
    box : ndarray of shape (2, 2)
        From :func:`as_box`.
    seed : int, Generator or None
        Seed of the jittered grid.

    Returns
    -------
    ndarray of shape (k, 2)
    """
    if isinstance(starts, numbers.Integral) and not isinstance(starts, bool):
        n = check_positive(starts, "starts", integer=True)
        # Jittered grid: one random point in each of n cells of a k x k grid, so the starts cover
        # the box evenly (pure random points cluster) yet avoid special points like the origin.
        rng = np.random.default_rng(seed)
        k = int(np.ceil(np.sqrt(n)))
        row, col = np.divmod(rng.choice(k * k, size=n, replace=False), k)
        unit = np.column_stack([(col + rng.random(n)) / k, (row + rng.random(n)) / k])
        return box[:, 0] + unit * (box[:, 1] - box[:, 0])
    try:
        pts = np.asarray(starts, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"starts must be an int or an array of shape (k, 2), got {starts!r}.") from exc
    if pts.ndim != 2 or pts.shape[1] != 2 or len(pts) == 0:
        raise ValueError(f"starts must be an int or an array of shape (k, 2), got shape {pts.shape}.")
    if not np.all(np.isfinite(pts)):
        raise ValueError("starts contains NaN or inf; use finite starting points.")
    return pts
