"""Lagrange multipliers in two dimensions: stationary points of ``f(x, y)`` on the curve ``g(x, y) = 0``.

At a constrained stationary point the level curve of ``f`` is tangent to the constraint curve, so the
two gradients are parallel::

    ∇f(x, y) = λ ∇g(x, y),    g(x, y) = 0,

three equations in the three unknowns ``(x, y, λ)``.  With the Lagrangian ``L = f − λ g`` they read
``∇L = 0``.  The multiplier is the sensitivity of the optimal value to the constraint level: moving
the constraint to ``g = c`` changes the stationary value at the rate ``λ`` per unit of ``c``.

For the constraint ``‖(x, y)‖_p = t`` (:func:`lp_ball`) this is the bridge between the constrained
and the penalized form of a regularized model: a stationary point of ``f`` on the sphere with
multiplier ``λ`` is a stationary point of ``f + α ‖(x, y)‖_p`` with ``α = −λ``; for convex ``f`` and
``λ ≤ 0`` both are the minimizer of ``f`` over the ball ``‖(x, y)‖_p ≤ t``.

``f`` and ``g`` are either Python callables of two floats (numpy-vectorised ones work too; their
derivatives come from central differences) or sympy expressions (exact derivatives).  Functions:

* :func:`solve` — the stationary point reached by Newton's method from ``x0``;
* :func:`solve_all` — every distinct point reached from many starts, sorted by value;
* :func:`plot` — contours of ``f``, the curve ``g = 0`` and the gradients at the tangency points;
* :func:`lp_ball` — the constraint ``‖(x, y)‖_p − t`` for ``p > 1``.
"""

from ._plot import plot
from ._solve import (
    ConstrainedPoint,
    DegenerateConstraintError,
    lp_ball,
    solve,
    solve_all,
)

__all__ = ["ConstrainedPoint", "DegenerateConstraintError", "lp_ball", "plot", "solve", "solve_all"]
