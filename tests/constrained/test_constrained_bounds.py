"""Norm-constrained fits inside a box: cvxpy references, the multiplier, inactive and infeasible radii."""

import warnings

import cvxpy as cp
import numpy as np
import pytest
from scipy.optimize import lsq_linear
from sklearn.utils.estimator_checks import parametrize_with_checks

from lpnet import Lasso, LpRegression
from lpnet.constrained import ConstrainedClassifier, ConstrainedRegression, alpha_for_radius, radius_for_alpha
from lpnet.constrained.ball import box_ball_support, project_onto_ball_and_box
from lpnet.io import load, save
from lpnet.penalties import L1
from tests import kkt

rng = np.random.default_rng(3)
N, D = 50, 6
X = rng.standard_normal((N, D))
W_TRUE = np.array([1.5, -1.0, 0.0, 0.8, 0.0, -0.4])
Y = X @ W_TRUE + 1.0 + 0.3 * rng.standard_normal(N)
Y_CLS = (X @ W_TRUE + 0.5 * rng.standard_normal(N) > 0).astype(int)
CLARABEL = {"solver": "CLARABEL", "tol_gap_abs": 1e-12, "tol_gap_rel": 1e-12, "tol_feas": 1e-12}
# a box that holds some coefficients at a bound, excludes 0 for the first one and closes the second at 0
LOWER = np.array([0.3, -np.inf, -0.2, -1.0, -0.5, -0.3])
UPPER = np.array([1.0, 0.0, 0.2, np.inf, 0.5, 1.0])
BOXES = {"positive": {"positive": True}, "box": {"lower_bounds": LOWER, "upper_bounds": UPPER}}


def box_of(kwargs):
    if kwargs.get("positive"):
        return np.zeros(D), np.full(D, np.inf)
    return LOWER, UPPER


def cvxpy_fit(p, t, lower, upper, logistic=False):
    """The same problem in cvxpy: 1/(2n) squared or 1/n logistic loss, ||w||_p <= t, the box, free b."""
    w, b = cp.Variable(D), cp.Variable()
    z = X @ w + b
    if logistic:
        yy = 2.0 * Y_CLS - 1.0
        loss = cp.sum(cp.logistic(-cp.multiply(yy, z))) / N
    else:
        loss = cp.sum_squares(Y - z) / (2 * N)
    cons = [cp.norm(w, p) <= t]
    cons += [w[j] >= lower[j] for j in range(D) if np.isfinite(lower[j])]
    cons += [w[j] <= upper[j] for j in range(D) if np.isfinite(upper[j])]
    with warnings.catch_warnings():  # ("may be inaccurate" at these tolerances: compared at 2e-5 below)
        warnings.simplefilter("ignore", UserWarning)
        cp.Problem(cp.Minimize(loss), cons).solve(**CLARABEL)
    return w.value, float(b.value)


def assert_feasible(coef, p, t, lower, upper):
    assert np.all(coef >= lower) and np.all(coef <= upper)
    assert np.linalg.norm(coef, ord=p) <= t * (1 + 1e-12)


@pytest.mark.parametrize("box", BOXES)
@pytest.mark.parametrize("p", [1.0, 2.0, np.inf])
@pytest.mark.parametrize("logistic", [False, True], ids=["squared", "logistic"])
def test_matches_cvxpy(box, p, logistic):
    t = 1.2
    lower, upper = box_of(BOXES[box])
    target = Y_CLS if logistic else Y
    # (the logistic search resolves the radius only as far as its penalized fits' certificates pin
    # their norm down, which stalls near 2e-8 of the null objective at this radius, with or without
    # the box: the coefficients are compared to ~1e-4)
    tol, atol = (1e-7, 2e-4) if logistic else (1e-10, 2e-5)
    model = ConstrainedRegression(
        radius=t, p=p, datafit="logistic" if logistic else "squared", tol=tol, **BOXES[box]
    ).fit(X, target)
    w_ref, b_ref = cvxpy_fit(p, t, lower, upper, logistic)
    coef = np.ravel(model.coef_)
    assert model.converged_ and model.dual_gap_ is not None
    assert_feasible(coef, p, t, lower, upper)
    np.testing.assert_allclose(coef, w_ref, atol=atol)
    np.testing.assert_allclose(np.ravel(model.intercept_)[0], b_ref, atol=atol)
    assert model.active_ == bool(np.linalg.norm(w_ref, ord=p) > t * (1 - 1e-6))


def test_classifier_takes_the_box():
    model = ConstrainedClassifier(radius=1.2, p=2.0, positive=True, tol=1e-8).fit(X, Y_CLS)
    w_ref, _ = cvxpy_fit(2.0, 1.2, np.zeros(D), np.full(D, np.inf), logistic=True)
    np.testing.assert_allclose(model.coef_.ravel(), w_ref, atol=2e-4)


@pytest.mark.parametrize("box", BOXES)
def test_lasso_at_the_multiplier_reproduces_the_fit(box):
    model = ConstrainedRegression(radius=1.2, p=1, tol=1e-12, **BOXES[box]).fit(X, Y)
    assert model.multiplier_ > 0
    lasso = Lasso(alpha=model.multiplier_, tol=1e-13, max_iter=10000, **BOXES[box]).fit(X, Y)
    np.testing.assert_allclose(lasso.coef_, model.coef_, atol=1e-5)
    np.testing.assert_allclose(np.abs(lasso.coef_).sum(), 1.2, rtol=1e-5)


@pytest.mark.parametrize("p", [1.0, 1.5, 2.0])
@pytest.mark.parametrize("logistic", [False, True], ids=["squared", "logistic"])
def test_independent_kkt_at_the_multiplier(p, logistic):
    # the constrained solution is stationary for D + mu/p ||w||_p^p + I_box at mu = multiplier_,
    # checked by the project's hand-written KKT conditions (no lpnet code)
    target = Y_CLS if logistic else Y
    kind = "logistic" if logistic else "squared"
    model = ConstrainedRegression(
        radius=1.2, p=p, datafit=kind, tol=1e-7 if logistic else 1e-9, lower_bounds=LOWER, upper_bounds=UPPER
    ).fit(X, target)
    assert model.active_ and model.multiplier_ > 0
    y = 2.0 * target - 1.0 if logistic else target
    spec = kkt.PenaltySpec("lp", model.multiplier_, p=p, lower=LOWER, upper=UPPER)
    report = kkt.kkt_violation(
        X, y, None, kind, spec, np.ravel(model.coef_), float(np.ravel(model.intercept_)[0]), True
    )
    assert report.max_violation < 1e-4
    np.testing.assert_allclose(np.linalg.norm(np.ravel(model.coef_), ord=p), 1.2, rtol=1e-9)


def test_ridge_at_the_multiplier_reproduces_the_fit():
    model = ConstrainedRegression(radius=1.2, p=2, tol=1e-12, lower_bounds=LOWER, upper_bounds=UPPER).fit(X, Y)
    assert model.multiplier_ > 0
    ridge = LpRegression(alpha=model.multiplier_, p=2, tol=1e-13, lower_bounds=LOWER, upper_bounds=UPPER).fit(X, Y)
    np.testing.assert_allclose(ridge.coef_, model.coef_, atol=1e-5)


@pytest.mark.parametrize("p", [1.0, 2.0, np.inf])
def test_radius_beyond_the_bounded_least_squares_is_inactive(p):
    # the box-constrained least squares (free intercept: centred data), by scipy
    Xc, yc = X - X.mean(axis=0), Y - Y.mean()
    ref = lsq_linear(Xc, yc, bounds=(LOWER, UPPER), tol=1e-14, method="bvls").x
    t = 2.0 * np.linalg.norm(ref, ord=p)
    model = ConstrainedRegression(radius=t, p=p, tol=1e-10, lower_bounds=LOWER, upper_bounds=UPPER).fit(X, Y)
    assert model.multiplier_ == 0.0 and not model.active_ and model.converged_
    np.testing.assert_allclose(model.coef_, ref, atol=1e-5)


@pytest.mark.parametrize("p", [1.0, 2.0, np.inf])
def test_infeasible_radius_names_the_smallest_one(p):
    lower = np.array([0.3, -1, 0.5, -1, -1, -1])  # the box's point closest to 0: (0.3, 0, 0.5, 0, 0, 0)
    smallest = np.linalg.norm([0.3, 0.5], ord=p)
    with pytest.raises(ValueError, match="smallest feasible radius") as info:
        ConstrainedRegression(radius=0.9 * smallest, p=p, lower_bounds=lower).fit(X, Y)
    assert f"{smallest:.17g}" in str(info.value)
    # just above it the fit is feasible and stays in both sets
    t = 1.01 * smallest
    model = ConstrainedRegression(radius=t, p=p, lower_bounds=lower, tol=1e-8).fit(X, Y)
    assert model.converged_
    assert_feasible(model.coef_, p, t, lower, np.full(D, np.inf))


@pytest.mark.parametrize("p", [1.0, 2.0])
def test_forms_round_trip_with_a_box(p):
    alpha = 0.05
    t = radius_for_alpha(X, Y, alpha, p=p, lower_bounds=LOWER, upper_bounds=UPPER, tol=1e-12)
    assert t > np.linalg.norm(np.clip(0.0, LOWER, UPPER), ord=p)
    back = alpha_for_radius(X, Y, t, p=p, lower_bounds=LOWER, upper_bounds=UPPER, tol=1e-12)
    assert back == pytest.approx(alpha, rel=1e-4)
    with pytest.raises(ValueError, match="smallest feasible radius"):
        alpha_for_radius(X, Y, 0.1, p=p, lower_bounds=LOWER, upper_bounds=UPPER)


def test_a_penalty_given_as_p_brings_its_box():
    by_penalty = ConstrainedRegression(radius=1.2, p=L1(1.0, lower_bounds=0.0), tol=1e-10).fit(X, Y)
    by_flag = ConstrainedRegression(radius=1.2, p=1, positive=True, tol=1e-10).fit(X, Y)
    np.testing.assert_array_equal(by_penalty.coef_, by_flag.coef_)
    with pytest.raises(ValueError, match="pass one"):
        ConstrainedRegression(radius=1.2, p=L1(1.0, lower_bounds=0.0), positive=True).fit(X, Y)


def test_non_convex_ball_refuses_a_box():
    with pytest.raises(ValueError, match="p >= 1"):
        ConstrainedRegression(radius=1.0, p=0.5, positive=True).fit(X, Y)


def test_positive_with_negative_lower_bounds_is_refused():
    with pytest.raises(ValueError, match="positive=True"):
        ConstrainedRegression(radius=1.0, positive=True, lower_bounds=-1.0).fit(X, Y)


def test_support_function_and_projection_against_cvxpy():
    z = rng.standard_normal(D)
    x = 2.0 * rng.standard_normal(D)
    for p in (1.0, 1.5, 2.0, 3.0):
        w = cp.Variable(D)
        cons = [cp.norm(w, p) <= 1.2, w >= np.maximum(LOWER, -50), w <= np.minimum(UPPER, 50)]
        with warnings.catch_warnings():  # ("may be inaccurate": compared at 1e-6)
            warnings.simplefilter("ignore", UserWarning)
            support = cp.Problem(cp.Maximize(z @ w), cons).solve(**CLARABEL)
            cp.Problem(cp.Minimize(cp.sum_squares(w - x)), cons).solve(**CLARABEL)
        assert box_ball_support(z, 1.2, p, LOWER, UPPER) == pytest.approx(support, abs=1e-7)
        np.testing.assert_allclose(project_onto_ball_and_box(x, 1.2, p, LOWER, UPPER), w.value, atol=1e-6)


def test_save_load_keeps_the_box(tmp_path):
    model = ConstrainedRegression(radius=1.2, p=2, lower_bounds=LOWER, upper_bounds=UPPER).fit(X, Y)
    back = load(save(model, tmp_path / "model.json"))
    np.testing.assert_array_equal(back.get_params()["lower_bounds"], LOWER)
    np.testing.assert_array_equal(back.get_params()["upper_bounds"], UPPER)
    np.testing.assert_array_equal(back.predict(X), model.predict(X))
    back.fit(X, Y)  # refitting the loaded model applies the same box
    np.testing.assert_allclose(back.coef_, model.coef_, atol=1e-10)


# scikit-learn's checks with a box (see test_sklearn_contract.py for the radii: the constraint stays
# active on the checks' data, so the solution is unique)
@parametrize_with_checks(
    [
        ConstrainedRegression(radius=0.5, p=2.0, positive=True, tol=1e-10),
        ConstrainedClassifier(radius=0.5, p=1.0, lower_bounds=-0.2, upper_bounds=0.3, tol=1e-10),
    ]
)
def test_sklearn_compatible_with_a_box(estimator, check):
    check(estimator)
