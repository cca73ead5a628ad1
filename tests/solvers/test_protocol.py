"""The solver interface: "auto" picks by what the solvers support, explicit choices are refused with the
reason, and the capabilities come from the datafit and penalty objects, not their names."""

import numpy as np
import pytest
import scipy.sparse as sp

from lpnet.datafits import Cox, Logistic, Quadratic
from lpnet.penalties import L1, L2, ElasticNet, Lp
from lpnet.solvers import AUTO_ORDER, BY_NAME, SOLVERS, Layout, pick_solver, solve

RNG = np.random.default_rng(0)
TALL = RNG.standard_normal((400, 20))
WIDE = RNG.standard_normal((40, 200))
SPARSE = sp.random(40, 200, density=0.1, format="csc", random_state=0)
BIG_SPARSE = sp.random(2001, 2001, density=1e-4, format="csc", random_state=0)


@pytest.mark.parametrize(
    "X, datafit, penalty, gram, expected",
    [
        (TALL, Quadratic(), L1(0.1), None, "cd_gram"),
        (TALL, Quadratic(), ElasticNet(0.1, 0.5), None, "cd_gram"),
        (TALL, Quadratic(), L1(0.1, weights=np.r_[0.0, np.ones(19)]), None, "cd"),  # a free feature
        (TALL, Quadratic(), Lp(0.1, 0.5), None, "cd"),  # non-convex
        (TALL, Quadratic(), L1(0.1), False, "cd"),
        (WIDE, Quadratic(), L1(0.1), None, "cd"),
        (WIDE, Quadratic(), L1(0.1), True, "cd_gram"),
        (SPARSE, Quadratic(), L1(0.1), None, "cd"),
        (SPARSE, Quadratic(), L1(0.1), True, "cd"),  # the Gram mode needs dense data
        (WIDE, Quadratic(), L2(0.1), None, "direct"),
        (TALL, Quadratic(), Lp(0.1, 2.0), None, "direct"),
        (TALL, Quadratic(), ElasticNet(0.1, 0.0), None, "direct"),
        (WIDE, Quadratic(), L1(0.0), None, "direct"),  # nothing penalized: least squares
        (SPARSE, Quadratic(), L2(0.1), None, "direct"),
        (BIG_SPARSE, Quadratic(), L2(0.1), None, "cd"),  # both Gram matrices too large
        (TALL, Logistic(), L1(0.1), None, "prox_newton"),
        (SPARSE, Logistic(), L2(0.1), None, "prox_newton"),
        (TALL, Cox(), L1(0.1), None, "cox_cd"),  # a datafit with risk sets, a convex penalty
        (SPARSE, Cox(), ElasticNet(0.1, 0.5), None, "cox_cd"),
        (TALL, Cox(), Lp(0.1, 0.5), None, "prox_newton"),  # non-convex
    ],
)
def test_auto_picks_the_first_solver_that_supports_the_problem_and_pays_off(X, datafit, penalty, gram, expected):
    assert pick_solver(X, datafit, penalty, gram=gram) == expected


def test_every_named_solver_is_an_object_and_auto_asks_them_in_order():
    assert set(BY_NAME) == set(SOLVERS) - {"auto"}
    assert [s.name for s in AUTO_ORDER] == ["direct", "cd_gram", "cd", "cox_cd", "prox_newton"]
    layout = Layout.of(WIDE)
    assert layout == Layout(40, 200, False) and Layout.of(SPARSE).sparse
    # fista supports everything but is never the automatic choice
    assert BY_NAME["fista"].supports(layout, Logistic(), Lp(0.1, 0.5))
    assert not BY_NAME["fista"].pays_off(layout, Logistic(), Lp(0.1, 0.5))


@pytest.mark.parametrize(
    "X, datafit, penalty, solver, message",
    [
        (TALL, Logistic(), L1(0.1), "cd", "squared loss"),
        (SPARSE, Quadratic(), L1(0.1), "cd_gram", "every feature"),
        (TALL, Quadratic(), Lp(0.1, 0.5), "cd_gram", "convex penalty"),
        (TALL, Quadratic(), L1(0.1), "direct", "pure L2"),
        (TALL, Logistic(), L2(0.1), "direct", "pure L2"),
        (TALL, Logistic(), L1(0.1), "cox_cd", "risk sets"),
    ],
)
def test_an_explicit_solver_that_cannot_take_the_problem_says_why(X, datafit, penalty, solver, message):
    y = np.where(np.arange(X.shape[0]) % 3 == 0, 1.0, -1.0)  # a target for either datafit
    with pytest.raises(ValueError, match=message):
        solve(X, y, datafit, penalty, solver=solver)


class _UnclaimedSquares(Quadratic):
    """A datafit that computes like the squared loss but does not claim to be it."""

    is_quadratic = False


def test_capabilities_come_from_the_objects_not_their_classes():
    assert pick_solver(TALL, _UnclaimedSquares(), L1(0.1)) == "prox_newton"
    y = TALL[:, 0] + 0.1 * RNG.standard_normal(TALL.shape[0])
    with pytest.raises(ValueError, match="squared loss"):
        solve(TALL, y, _UnclaimedSquares(), L1(0.1), solver="cd")
    fit = solve(TALL, y, _UnclaimedSquares(), L1(0.05))
    ref = solve(TALL, y, Quadratic(), L1(0.05), solver="cd")
    assert fit.solver == "prox_newton" and fit.converged
    assert fit.objective == pytest.approx(ref.objective, rel=1e-6)


@pytest.mark.parametrize("layout", ["fortran", "c", "strided", "csc", "float32"])
@pytest.mark.parametrize("rows", [[4, 0, 7, 7, 2], [], [-1, 3], "mask"])
def test_take_rows_is_numpy_row_indexing(layout, rows):
    """A fold's rows: numpy's ``X[rows]`` in value, and Fortran-ordered where the data are (for the
    non-negative integer rows a splitter gives; the other forms of indexing are numpy's own)."""
    from lpnet.solvers import take_rows

    rng = np.random.default_rng(0)
    base = rng.standard_normal((9, 6))
    X = {
        "fortran": np.asfortranarray(base),
        "c": base,
        "strided": np.asfortranarray(rng.standard_normal((9, 12)))[:, ::2],
        "csc": sp.csc_matrix(np.where(base > 0.5, base, 0.0)),
        "float32": np.asfortranarray(base, dtype=np.float32),
    }[layout]
    index = rng.random(9) < 0.5 if rows == "mask" else np.asarray(rows, dtype=np.int64)
    got, expected = take_rows(X, index), X[index]
    dense = (lambda a: a.toarray()) if sp.issparse(X) else np.asarray
    np.testing.assert_array_equal(dense(got), dense(expected))
    if layout == "fortran" and rows != "mask" and rows and min(rows) >= 0:
        assert got.flags.f_contiguous


@pytest.mark.parametrize("row", [9, -10])
def test_take_rows_refuses_rows_out_of_range_as_numpy_does(row):
    from lpnet.solvers import take_rows

    X = np.asfortranarray(np.random.default_rng(1).standard_normal((9, 4)))
    with pytest.raises(IndexError):
        take_rows(X, np.array([0, row]))
