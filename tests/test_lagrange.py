"""Lagrange multipliers in 2-D: hand-solved problems, exact vs numerical derivatives, plots, bad input."""

import dataclasses
import math
import sys
import warnings

import matplotlib
import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize
from sklearn.exceptions import ConvergenceWarning

from lpnet import lagrange

matplotlib.use("Agg")

R2 = 1 / math.sqrt(2)
X, Y = sp.symbols("x y")


def assert_lagrange(point, grad_f, grad_g, g, atol=1e-7):
    """∇f = λ ∇g and g = 0 at the point, with gradients computed by hand (not by the module)."""
    x = point.x
    np.testing.assert_allclose(grad_f(*x), point.multiplier * np.asarray(grad_g(*x)), atol=atol)
    assert abs(g(*x)) <= atol
    np.testing.assert_allclose(point.grad_f, grad_f(*x), atol=1e-6)
    np.testing.assert_allclose(point.grad_g, grad_g(*x), atol=1e-6)


# Problems with answers worked out by hand: (f, g, ∇f, ∇g, expected points as (x, y, λ, kind)).
CIRCLE = (
    lambda x, y: x + y,
    lambda x, y: x**2 + y**2 - 1,
    lambda x, y: (1.0, 1.0),
    lambda x, y: (2 * x, 2 * y),
    [(-R2, -R2, -R2, "min"), (R2, R2, R2, "max")],
)
PRODUCT_ON_LINE = (
    lambda x, y: x * y,
    lambda x, y: x + y - 1,
    lambda x, y: (y, x),
    lambda x, y: (1.0, 1.0),
    [(0.5, 0.5, 0.5, "max")],
)
# On xy = 1: x² + y² ≥ 2xy = 2, with equality at ±(1, 1); ∇f = (2x, 2y) = λ (y, x) gives λ = 2.
DISTANCE_ON_HYPERBOLA = (
    lambda x, y: x**2 + y**2,
    lambda x, y: x * y - 1,
    lambda x, y: (2 * x, 2 * y),
    lambda x, y: (y, x),
    [(-1.0, -1.0, 2.0, "min"), (1.0, 1.0, 2.0, "min")],
)
# On the ellipse x²/4 + y² = 1, xy = sin(2t) with x = 2 cos t, y = sin t: extremes ±1 at
# (±√2, ±1/√2); (y, x) = λ (x/2, 2y) gives λ = xy.
PRODUCT_ON_ELLIPSE = (
    lambda x, y: x * y,
    lambda x, y: x**2 / 4 + y**2 - 1,
    lambda x, y: (y, x),
    lambda x, y: (x / 2, 2 * y),
    [
        (-math.sqrt(2), R2, -1.0, "min"),
        (math.sqrt(2), -R2, -1.0, "min"),
        (-math.sqrt(2), -R2, 1.0, "max"),
        (math.sqrt(2), R2, 1.0, "max"),
    ],
)
PROBLEMS = {
    "circle": CIRCLE,
    "product_on_line": PRODUCT_ON_LINE,
    "distance_on_hyperbola": DISTANCE_ON_HYPERBOLA,
    "product_on_ellipse": PRODUCT_ON_ELLIPSE,
}


# ------------------------------------------------------------------------------- solve from a start
@pytest.mark.parametrize("name", PROBLEMS)
def test_solve_from_near_each_known_point(name):
    f, g, grad_f, grad_g, expected = PROBLEMS[name]
    for x, y, lam, kind in expected:
        point = lagrange.solve(f, g, x0=(x + 0.2, y - 0.15))
        assert point.converged and point.kind == kind
        np.testing.assert_allclose(point.x, [x, y], atol=1e-8)
        assert point.multiplier == pytest.approx(lam, abs=1e-8)
        assert point.value == pytest.approx(f(x, y), abs=1e-12)
        assert point.residual < 1e-8 and point.x_error < 1e-8
        assert_lagrange(point, grad_f, grad_g, g)


def test_curvature_is_the_second_derivative_along_the_circle():
    # On the circle f = cos t + sin t, whose second derivative at t = π/4 is −√2; and
    # τᵀ(∇²f − λ∇²g)τ = 0 − λ·2 = −√2 as well.
    point = lagrange.solve(*CIRCLE[:2], x0=(1.0, 0.5))
    assert point.curvature == pytest.approx(-math.sqrt(2), rel=1e-6)


def test_start_off_the_curve_far_from_the_answer():
    point = lagrange.solve(*PRODUCT_ON_LINE[:2], x0=(-3.0, 7.0))
    np.testing.assert_allclose(point.x, [0.5, 0.5], atol=1e-10)


# --------------------------------------------------------------------- zero curvature: "saddle"
@pytest.mark.parametrize("exact", [False, True], ids=["numerical", "sympy"])
def test_inflection_along_the_constraint_is_a_saddle(exact):
    # On x = 0, f = y³ has an inflection at y = 0: ∇f = (0, 3y²) = λ (1, 0) gives y = 0, λ = 0, and
    # τᵀ∇²L τ = 6y = 0.  Newton converges only linearly here (a double root).
    f, g = (Y**3, X) if exact else (lambda x, y: y**3, lambda x, y: x)
    point = lagrange.solve(f, g, x0=(0.5, 1.0))
    assert point.converged and point.kind == "saddle"
    np.testing.assert_allclose(point.x, [0.0, 0.0], atol=1e-3)
    assert abs(point.multiplier) < 1e-12
    assert abs(point.curvature) < 1e-3


def test_saddle_with_a_nonzero_multiplier():
    # f = x + y³ on x = 0: λ = 1, and along the line f = y³ again.
    point = lagrange.solve(lambda x, y: x + y**3, lambda x, y: x, x0=(0.3, -0.8))
    assert point.kind == "saddle"
    assert point.multiplier == pytest.approx(1.0, abs=1e-8)


def test_large_constant_does_not_fake_a_curvature():
    # Finite differences of 1000 + y³ are rounding noise near y = 0: still a saddle, not a max/min.
    point = lagrange.solve(lambda x, y: 1000 + y**3, lambda x, y: x, x0=(0.3, 0.2))
    assert point.kind == "saddle"


def test_quartic_along_the_constraint_is_not_classified_by_curvature():
    # y⁴ has a minimum at 0 but zero second derivative: the second-order test cannot tell.
    point = lagrange.solve(lambda x, y: y**4, lambda x, y: x - 1, x0=(0.3, 0.2))
    assert point.kind == "saddle"
    np.testing.assert_allclose(point.x, [1.0, 0.0], atol=1e-3)


# --------------------------------------------------------------------------- sympy (exact) path
SYMPY_PROBLEMS = [
    (X + Y, X**2 + Y**2 - 1, (1.0, 0.5)),
    (X * Y, X + Y - 1, (0.2, 0.9)),
    (X**2 + Y**2, X * Y - 1, (2.0, 0.3)),
    (X * Y, X**2 / 4 + Y**2 - 1, (-1.0, 1.0)),
    (sp.exp(X) * sp.sin(Y), X**2 + 2 * Y**2 - 3, (1.0, 0.5)),
]


@pytest.mark.parametrize(("f", "g", "x0"), SYMPY_PROBLEMS, ids=str)
def test_sympy_path_equals_numerical_path(f, g, x0):
    exact = lagrange.solve(f, g, x0)
    numeric = lagrange.solve(sp.lambdify((X, Y), f), sp.lambdify((X, Y), g), x0)
    assert exact.converged and numeric.converged and exact.kind == numeric.kind
    np.testing.assert_allclose(numeric.x, exact.x, atol=1e-8)
    assert numeric.multiplier == pytest.approx(exact.multiplier, rel=1e-7, abs=1e-9)
    assert numeric.curvature == pytest.approx(exact.curvature, rel=1e-5)
    assert exact.residual < 1e-12


def test_sympy_symbols_sorted_by_name_or_given():
    a, b = sp.symbols("a b")
    default = lagrange.solve(a, a**2 + 4 * b**2 - 4, (1.0, 0.1))  # (a, b) is (x, y)
    np.testing.assert_allclose(default.x, [2.0, 0.0], atol=1e-12)
    swapped = lagrange.solve(a, a**2 + 4 * b**2 - 4, (0.1, 1.0), symbols=(b, a))  # now a is y
    np.testing.assert_allclose(swapped.x, [0.0, 2.0], atol=1e-12)


def test_sympy_equation_and_mixed_inputs():
    from_eq = lagrange.solve(X + Y, sp.Eq(X**2 + Y**2, 1), (1.0, 0.5))
    mixed = lagrange.solve(X + Y, lambda x, y: x**2 + y**2 - 1, (1.0, 0.5))
    np.testing.assert_allclose(from_eq.x, [R2, R2], atol=1e-12)
    np.testing.assert_allclose(mixed.x, [R2, R2], atol=1e-8)


def test_sympy_symbols_errors():
    z = sp.Symbol("z")
    with pytest.raises(ValueError, match="symbols="):
        lagrange.solve(X + Y + z, X - 1, (0.0, 0.0))
    with pytest.raises(ValueError, match="symbols="):
        lagrange.solve(X, X**2 - 1, (0.5, 0.0))  # one symbol only: which one is y?
    with pytest.raises(ValueError, match="substitute"):
        lagrange.solve(X + Y + z, X - 1, (0.0, 0.0), symbols=(X, Y))
    with pytest.raises(ValueError, match="two distinct"):
        lagrange.solve(X + Y, X - 1, (0.0, 0.0), symbols=(X, X))
    with pytest.raises(ValueError, match="callables"):
        lagrange.solve(*CIRCLE[:2], (1.0, 0.0), symbols=(X, Y))


# ------------------------------------------------------------------------------------- solve_all
@pytest.mark.parametrize("name", PROBLEMS)
def test_solve_all_finds_exactly_the_known_points(name):
    f, g, grad_f, grad_g, expected = PROBLEMS[name]
    points = lagrange.solve_all(f, g, starts=16, bounds=(-3, 3), seed=1)
    expected = sorted(expected, key=lambda e: (f(e[0], e[1]), e[0], e[1]))
    assert len(points) == len(expected)
    for point, (x, y, lam, kind) in zip(points, expected):
        np.testing.assert_allclose(point.x, [x, y], atol=1e-7)
        assert point.multiplier == pytest.approx(lam, abs=1e-7)
        assert point.kind == kind
        assert_lagrange(point, grad_f, grad_g, g)
    values = [p.value for p in points]
    assert values == sorted(values)


def test_solve_all_merges_a_slowly_converging_point():
    # Every start reaches (0, 0) on x = 0 for f = y³, each only to about sqrt(tol): one point.
    points = lagrange.solve_all(lambda x, y: y**3, lambda x, y: x, starts=12, seed=3)
    assert len(points) == 1 and points[0].kind == "saddle"


def test_solve_all_explicit_starts_and_reproducibility():
    f, g = CIRCLE[:2]
    points = lagrange.solve_all(f, g, starts=[[1.0, 0.5], [-1.0, -0.2], [0.9, 0.6]])
    np.testing.assert_allclose([p.x for p in points], [[-R2, -R2], [R2, R2]], atol=1e-8)
    first = lagrange.solve_all(f, g, starts=5, seed=7)
    again = lagrange.solve_all(f, g, starts=5, seed=7)
    np.testing.assert_array_equal([p.x for p in first], [p.x for p in again])


def test_solve_all_skips_starts_outside_the_domain():
    # log(x) + log(y) on x + 2y = 4: the maximum is at (2, 1), λ = 1/2; most starts have x or y <= 0.
    f = lambda x, y: math.log(x) + math.log(y)  # math.log: scalar-only on purpose
    points = lagrange.solve_all(f, lambda x, y: x + 2 * y - 4, starts=16)
    assert len(points) == 1 and points[0].kind == "max"
    np.testing.assert_allclose(points[0].x, [2.0, 1.0], atol=1e-8)
    assert points[0].multiplier == pytest.approx(0.5, abs=1e-8)


def test_solve_all_reraises_when_no_start_can_be_evaluated():
    with pytest.raises(ValueError, match="domain"):
        lagrange.solve_all(lambda x, y: math.sqrt(-1 - x * x), lambda x, y: x - y, starts=4)


# ------------------------------------------------------------------- degenerate and failing cases
def test_vanishing_constraint_gradient_at_start():
    with pytest.raises(lagrange.DegenerateConstraintError, match="∇g = 0 at x0"):
        lagrange.solve(*CIRCLE[:2], x0=(0.0, 0.0))


def test_vanishing_constraint_gradient_at_solution():
    # g = x² − y² is two crossing lines; at the crossing ∇g = 0 and f = x² + y² is smallest there.
    with pytest.raises(lagrange.DegenerateConstraintError, match="constraint qualification"):
        lagrange.solve(lambda x, y: x**2 + y**2, lambda x, y: x**2 - y**2, x0=(1.0, 0.5))


def test_squared_constraint_warns_about_degeneracy():
    with pytest.warns(ConvergenceWarning, match="degenerate"):
        point = lagrange.solve(lambda x, y: x + y, lambda x, y: (x**2 + y**2 - 1) ** 2, x0=(1.0, 1.0))
    assert not point.converged


def test_no_tangency_point_warns_and_reports_not_converged():
    # ∇f = (1, 0) is never parallel to ∇g = (y, x) on xy = 1.
    with pytest.warns(ConvergenceWarning, match="not solved"):
        point = lagrange.solve(lambda x, y: x, lambda x, y: x * y - 1, x0=(1.0, 1.0), max_iter=20)
    assert not point.converged


# ---------------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"f": 3.0}, TypeError, "callable"),
        ({"g": "x + y"}, TypeError, "callable"),
        ({"x0": (1.0, 2.0, 3.0)}, ValueError, "shape"),
        ({"x0": [[1.0, 2.0]]}, ValueError, "shape"),
        ({"x0": (np.nan, 0.0)}, ValueError, "NaN"),
        ({"x0": ("a", "b")}, TypeError, "pair of numbers"),
        ({"f": lambda x, y: np.nan}, ValueError, "domain"),
        ({"f": lambda x, y: (x, y)}, TypeError, "one real number"),
        ({"f": lambda x, y: 1j * x}, ValueError, "complex"),
        ({"tol": -1.0}, ValueError, "tol"),
        ({"max_iter": 0}, ValueError, "max_iter"),
        ({"curvature_tol": np.inf}, ValueError, "curvature_tol"),
    ],
)
def test_bad_input_to_solve(kwargs, error, match):
    args = {"f": CIRCLE[0], "g": CIRCLE[1], "x0": (1.0, 0.5)} | kwargs
    with pytest.raises(error, match=match):
        lagrange.solve(**args)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"starts": 0}, "positive integer"),
        ({"starts": np.zeros((3, 3))}, "shape"),
        ({"starts": [[0.0, np.inf]]}, "NaN or inf"),
        ({"bounds": (1, -1)}, "lo < hi"),
        ({"bounds": (0, 1, 2)}, "bounds"),
        ({"dedup_tol": 0}, "dedup_tol"),
    ],
)
def test_bad_input_to_solve_all(kwargs, match):
    with pytest.raises(ValueError, match=match):
        lagrange.solve_all(*CIRCLE[:2], **kwargs)


def test_result_is_immutable():
    point = lagrange.solve(*CIRCLE[:2], x0=(1.0, 0.5))
    with pytest.raises(dataclasses.FrozenInstanceError):
        point.multiplier = 0.0
    with pytest.raises(ValueError, match="read-only"):
        point.x[0] = 0.0


def test_scalar_only_and_vectorised_callables_agree():
    g = lambda x, y: x * x + 2 * y * y - 3
    scalar = lagrange.solve(lambda x, y: math.exp(x) * math.sin(y), g, (1.0, 0.5))
    vector = lagrange.solve(lambda x, y: np.exp(x) * np.sin(y), g, (1.0, 0.5))
    np.testing.assert_allclose(scalar.x, vector.x, atol=1e-12)


# ------------------------------------------------------------------------------------- Lp ball
def test_lp_ball_multiplier_is_minus_the_penalty():
    # Least squares to c = (2, 1) on the unit L2 circle: w = c/√5, ∇f = w − c = λ w/‖w‖, λ = 1 − √5;
    # the penalized ½‖w − c‖² + α‖w‖ is minimized by c (1 − α/‖c‖) = c/√5 for α = √5 − 1.
    f = lambda x, y: 0.5 * ((x - 2) ** 2 + (y - 1) ** 2)
    point = lagrange.solve(f, lagrange.lp_ball(2.0), x0=(0.5, 0.5))
    np.testing.assert_allclose(point.x, np.array([2.0, 1.0]) / math.sqrt(5), atol=1e-9)
    assert point.multiplier == pytest.approx(1 - math.sqrt(5), abs=1e-8)
    assert point.kind == "min"


def test_lp_ball_multiplier_is_penalty_and_sensitivity_for_p_1_5():
    f = lambda x, y: (x - 2) ** 2 + (y - 1) ** 2
    point = lagrange.solve(f, lagrange.lp_ball(1.5), x0=(0.8, 0.3))
    alpha = -point.multiplier
    assert point.kind == "min" and alpha > 0
    penalized = minimize(
        lambda w: f(*w) + alpha * np.sum(np.abs(w) ** 1.5) ** (1 / 1.5),
        x0=[1.0, 1.0],
        method="Nelder-Mead",
        options={"xatol": 1e-10, "fatol": 1e-14},
    )
    np.testing.assert_allclose(penalized.x, point.x, atol=1e-6)
    # λ is d(optimal value)/d(radius).
    h = 1e-4
    up, down = (lagrange.solve(f, lagrange.lp_ball(1.5, 1 + s), x0=point.x).value for s in (h, -h))
    assert (up - down) / (2 * h) == pytest.approx(point.multiplier, rel=1e-6)


def test_lp_ball_equals_its_sympy_form():
    # Plain (complex) sympy symbols: differentiating |x| must still work, as the variables are real.
    g = (sp.Abs(X) ** 1.5 + sp.Abs(Y) ** 1.5) ** (1 / 1.5) - 1
    f = (X - 2) ** 2 + (Y - 1) ** 2
    exact = lagrange.solve(f, g, x0=(0.8, 0.3))
    numeric = lagrange.solve(sp.lambdify((X, Y), f), lagrange.lp_ball(1.5), x0=(0.8, 0.3))
    np.testing.assert_allclose(numeric.x, exact.x, atol=1e-9)
    assert numeric.multiplier == pytest.approx(exact.multiplier, rel=1e-8)


@pytest.mark.parametrize(("p", "radius"), [(1.0, 1.0), (0.5, 1.0), (np.inf, 1.0), (2.0, 0.0)])
def test_lp_ball_rejects_nonsmooth_or_empty(p, radius):
    with pytest.raises(ValueError):
        lagrange.lp_ball(p, radius)


# ------------------------------------------------------------------------------------------- plot
def artists(ax):
    from matplotlib.contour import ContourSet
    from matplotlib.quiver import Quiver

    contours = [c for c in ax.collections if isinstance(c, ContourSet)]
    quivers = [c for c in ax.collections if isinstance(c, Quiver)]
    return contours, quivers


def test_plot_draws_contours_curve_arrows_and_labels():
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    f, g = CIRCLE[:2]
    ax = lagrange.plot(f, g, resolution=81)
    assert isinstance(ax, Axes) and isinstance(ax.figure, Figure)
    contours, quivers = artists(ax)
    assert len(contours) == 2 and list(contours[1].levels) == [0.0]  # f's levels, then g = 0
    assert len(contours[0].labelTexts) > 0
    assert [q.N for q in quivers] == [2, 2]  # ∇f and ∇g at the min and the max
    labels = sorted(t.get_text() for t in ax.texts if "λ" in t.get_text())
    assert labels == ["max, λ = 0.707", "min, λ = -0.707"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "g(x, y) = 0",
        "contours of f",
        "∇f (direction)",
        "∇g (direction)",
    ]
    assert ax.get_aspect() == 1.0


def test_plot_on_given_axes_with_given_points_and_sympy():
    from matplotlib.figure import Figure

    ax = Figure().add_subplot()
    point = lagrange.solve(X * Y, X + Y - 1, (0.2, 0.9))
    outside = lagrange.solve(X * Y, X + Y - 1, (0.2, 0.9))  # drawn twice is harmless
    assert (
        lagrange.plot(
            X * Y, X + Y - 1, points=[point, outside], ax=ax, bounds=((-1, 2), (-1, 2)), resolution=61, annotate=False
        )
        is ax
    )
    _, quivers = artists(ax)
    assert [q.N for q in quivers] == [2, 2]
    assert not [t for t in ax.texts if "λ" in t.get_text()]


def test_plot_scalar_only_function_and_zero_gradient():
    # f = y³ − y on x = y² − 1/2: λ = 0 at y = ±1/√3, where ∇f = 0 has no arrow; the label shows 0.
    f = lambda x, y: math.pow(y, 3) - y  # math.pow fails on arrays, on purpose
    ax = lagrange.plot(f, lambda x, y: x - y**2 + 0.5, resolution=41)
    _, quivers = artists(ax)
    assert [q.N for q in quivers] == [0, 2]
    labels = sorted(t.get_text() for t in ax.texts if "λ" in t.get_text())
    assert labels == ["max, λ = 0", "min, λ = 0"]


def test_plot_needs_matplotlib(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"pip install lpnet\[plot\]"):
        lagrange.plot(*CIRCLE[:2])


def test_plot_rejects_foreign_points():
    with pytest.raises(TypeError, match="ConstrainedPoint"):
        lagrange.plot(*CIRCLE[:2], points=[(0.0, 1.0)])


# --------------------------------------------------------------------- property: quadratic on a line
@settings(max_examples=40, deadline=None)
@given(
    a=st.floats(-3, 3),
    b=st.floats(-3, 3),
    c=st.floats(-3, 3),
    q=st.tuples(st.floats(-3, 3), st.floats(-3, 3)),
    angle=st.floats(0, math.pi),
    offset=st.floats(-2, 2),
)
def test_quadratic_on_a_line_matches_the_closed_form(a, b, c, q, angle, offset):
    # f = ½ wᵀAw + qᵀw on n·w = offset: [[A, −n], [nᵀ, 0]] [w; λ] = [−q; offset].
    A, n = np.array([[a, b], [b, c]]), np.array([math.cos(angle), math.sin(angle)])
    tangent = np.array([-n[1], n[0]])
    curvature = tangent @ A @ tangent
    assume(abs(curvature) >= 0.2)  # nearly degenerate: the solution is far away or not unique
    kkt = np.block([[A, -n[:, None]], [n[None, :], np.zeros((1, 1))]])
    *w, lam = np.linalg.solve(kkt, [-q[0], -q[1], offset])

    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        point = lagrange.solve(
            lambda x, y: 0.5 * (a * x * x + 2 * b * x * y + c * y * y) + q[0] * x + q[1] * y,
            lambda x, y: n[0] * x + n[1] * y - offset,
            x0=(0.3, -0.2),
        )
    scale = max(1.0, np.linalg.norm(w))
    np.testing.assert_allclose(point.x, w, atol=1e-7 * scale)
    assert point.multiplier == pytest.approx(lam, abs=1e-7 * scale * max(1.0, np.abs(A).max()))
    assert point.kind == ("min" if curvature > 0 else "max")
    assert point.curvature == pytest.approx(curvature, rel=1e-5)
