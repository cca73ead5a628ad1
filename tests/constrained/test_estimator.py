"""Constrained fits against cvxpy (same scaling), penalized round trips, and the certificate by hand."""

import warnings

import cvxpy as cp
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from lpnet import Lasso, LpRegression, Ridge
from lpnet.constrained import (
    ConstrainedClassifier,
    ConstrainedRegression,
    LocalSolutionWarning,
)

rng = np.random.default_rng(0)
N, D = 60, 8
X = rng.standard_normal((N, D))
W_TRUE = np.array([2.0, -1.5, 0.0, 0.0, 1.0, 0.0, 0.5, 0.0])
Y = X @ W_TRUE + 3.0 + 0.3 * rng.standard_normal(N)
Y_CLS = np.where(X @ W_TRUE + 0.8 * rng.standard_normal(N) > 0, "b", "a")
TOL = 1e-11
CLARABEL = {"solver": "CLARABEL", "tol_gap_abs": 1e-12, "tol_gap_rel": 1e-12, "tol_feas": 1e-12}


def norm(w, p):
    return np.linalg.norm(w, ord=p)


def cvxpy_fit(p, t, logistic=False):
    """The same problem in cvxpy: 1/(2n) squared loss or 1/n logistic loss, ||w||_p <= t, free intercept."""
    w, b = cp.Variable(D), cp.Variable()
    z = X @ w + b
    if logistic:
        yy = np.where(Y_CLS == "b", 1.0, -1.0)
        loss = cp.sum(cp.logistic(-cp.multiply(yy, z))) / N
    else:
        loss = cp.sum_squares(Y - z) / (2 * N)
    constraint = cp.norm(w, p) <= t
    cp.Problem(cp.Minimize(loss), [constraint]).solve(**CLARABEL)
    return w.value, b.value, float(constraint.dual_value)


def squared_gap(w, b, p, t):
    """The constrained duality gap recomputed from docs/conventions.md: residual dual point, sum(theta) = 0."""
    r = Y - X @ w - b
    theta = r / N
    theta -= theta.mean()
    q = 1.0 if np.isinf(p) else (np.inf if p == 1 else p / (p - 1))
    primal = 0.5 * np.mean(r**2)
    dual = theta @ Y - 0.5 * N * theta @ theta - t * norm(X.T @ theta, q)
    return primal - dual


@pytest.mark.parametrize("p", [1.0, 1.5, 2.0, 3.0, np.inf])
def test_matches_cvxpy(p):
    t = 0.5 if np.isinf(p) else 1.5
    model = ConstrainedRegression(radius=t, p=p, tol=TOL).fit(X, Y)
    w_ref, b_ref, lam = cvxpy_fit(p, t)
    np.testing.assert_allclose(model.coef_, w_ref, atol=1e-6)
    assert model.intercept_ == pytest.approx(b_ref, abs=1e-6)
    # cvxpy's dual value is lam of ||w||_p <= t; lpnet reports mu = lam t^(1-p) (lam itself for p = inf)
    expected = lam if np.isinf(p) else lam * t ** (1 - p)
    assert model.multiplier_ == pytest.approx(expected, rel=1e-5)
    assert model.active_ and model.converged_
    assert norm(model.coef_, p) <= t * (1 + 1e-12)
    # the reported gap is the certificate anyone can recompute, and it meets the stopping rule
    d_null = 0.5 * np.var(Y)
    assert model.dual_gap_ == pytest.approx(squared_gap(model.coef_, model.intercept_, p, t), abs=1e-12)
    assert model.dual_gap_ <= TOL * d_null


@pytest.mark.parametrize("p, t", [(1.0, 2.0), (2.0, 1.0)])
def test_logistic_matches_cvxpy(p, t):
    model = ConstrainedClassifier(radius=t, p=p, tol=1e-10).fit(X, Y_CLS)
    w_ref, b_ref, lam = cvxpy_fit(p, t, logistic=True)
    assert model.coef_.shape == (1, D) and model.intercept_.shape == (1,)  # scikit-learn's binary shapes
    np.testing.assert_allclose(model.coef_[0], w_ref, atol=1e-5)
    assert model.intercept_[0] == pytest.approx(b_ref, abs=1e-5)
    assert model.multiplier_ == pytest.approx(lam * t ** (1 - p), rel=1e-4)
    assert list(model.classes_) == ["a", "b"]
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba[:, 1], 1 / (1 + np.exp(-(X @ model.coef_[0] + model.intercept_[0]))))
    assert set(model.predict(X)) <= {"a", "b"}


@pytest.mark.parametrize(
    "make, p",
    [
        (lambda: Lasso(alpha=0.1, tol=1e-12), 1.0),
        (lambda: Ridge(alpha=0.5, tol=1e-12), 2.0),
        (lambda: LpRegression(alpha=0.3, p=3.0, tol=1e-12), 3.0),
    ],
)
def test_round_trip_with_penalized_models(make, p):
    penalized = make().fit(X, Y)
    t = norm(penalized.coef_, p)
    model = ConstrainedRegression(radius=t, p=p, tol=TOL).fit(X, Y)
    np.testing.assert_allclose(model.coef_, penalized.coef_, atol=1e-6)
    assert model.multiplier_ == pytest.approx(penalized.alpha, rel=1e-5)
    if p == 1.0:  # the Lasso path is piecewise linear: the multiplier is exact, zeros included
        assert model.multiplier_ == pytest.approx(penalized.alpha, rel=1e-9)
        np.testing.assert_array_equal(model.coef_ == 0, penalized.coef_ == 0)


@pytest.mark.parametrize("p", [1.0, 2.0, 3.0, np.inf])
def test_inactive_constraint_gives_least_squares(p):
    A = np.column_stack([X, np.ones(N)])
    w_ls = np.linalg.lstsq(A, Y, rcond=None)[0]
    t = 2.0 * norm(w_ls[:-1], p)
    model = ConstrainedRegression(radius=t, p=p, tol=TOL).fit(X, Y)
    assert model.multiplier_ == 0.0
    assert not model.active_
    np.testing.assert_allclose(model.coef_, w_ls[:-1], atol=1e-6)
    assert model.intercept_ == pytest.approx(w_ls[-1], abs=1e-6)


@pytest.mark.parametrize("p", [0.5, 0.7])
def test_nonconvex_runs_warns_and_is_stationary(p):
    with pytest.warns(LocalSolutionWarning, match="local, not a global"):
        model = ConstrainedRegression(radius=2.0, p=p, max_iter=2000).fit(X, Y)
    assert model.dual_gap_ is None
    assert model.optimality_violation_ <= 1e-6 and model.converged_
    w = model.coef_
    assert np.sum(np.abs(w) ** p) ** (1 / p) <= 2.0 * (1 + 1e-9)
    # stationarity by hand on the support: -grad_j D = mu sign(w_j)|w_j|^(p-1), one mu >= 0
    grad = -X.T @ (Y - X @ w - model.intercept_) / N
    on = w != 0
    mu = -grad[on] / (np.sign(w[on]) * np.abs(w[on]) ** (p - 1))
    np.testing.assert_allclose(mu, model.multiplier_, rtol=1e-3)
    assert abs(np.mean(Y - X @ w - model.intercept_)) < 1e-6  # free intercept: residuals sum to 0

    # no worse than a feasible reference: the L1 fit at the same radius (cvxpy) rescaled onto the Lp
    # ball (||w||_p >= ||w||_1 for p < 1), with its best intercept
    def loss(w):
        r = Y - X @ w
        return 0.5 * np.mean((r - r.mean()) ** 2)

    w_l1 = cp.Variable(D)
    cp.Problem(
        cp.Minimize(cp.sum_squares(Y - X @ w_l1 - cp.sum(Y - X @ w_l1) / N) / (2 * N)), [cp.norm(w_l1, 1) <= 2.0]
    ).solve(**CLARABEL)
    reference = w_l1.value * 2.0 / np.sum(np.abs(w_l1.value) ** p) ** (1 / p)
    assert loss(w) <= loss(reference) + 1e-9


def test_sparse_input_and_sample_weights_match_dense_and_repeats():
    counts = rng.integers(1, 4, N)
    dense = ConstrainedRegression(radius=1.5, tol=TOL).fit(X, Y, sample_weight=counts)
    repeated = ConstrainedRegression(radius=1.5, tol=TOL).fit(np.repeat(X, counts, 0), np.repeat(Y, counts))
    sparse = ConstrainedRegression(radius=1.5, tol=TOL).fit(sp.csr_matrix(X), Y, sample_weight=counts)
    np.testing.assert_allclose(dense.coef_, repeated.coef_, atol=1e-8)
    np.testing.assert_allclose(sparse.coef_, dense.coef_, atol=1e-8)


def test_warm_start_walks_the_path():
    model = ConstrainedRegression(radius=0.5, tol=TOL, warm_start=True)
    for t in [0.5, 1.0, 2.0, 3.0]:
        model.set_params(radius=t).fit(X, Y)
        cold = ConstrainedRegression(radius=t, tol=TOL).fit(X, Y)
        np.testing.assert_allclose(model.coef_, cold.coef_, atol=1e-8)
        assert model.multiplier_ == pytest.approx(cold.multiplier_, rel=1e-8)


def test_dataframe_names_and_no_intercept():
    frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(D)])
    model = ConstrainedRegression(radius=1.0, fit_intercept=False, tol=TOL).fit(frame, Y)
    assert list(model.feature_names_in_) == list(frame.columns)
    assert model.intercept_ == 0.0
    assert list(model.coef_table().index) == list(frame.columns)
    w = cp.Variable(D)
    cp.Problem(cp.Minimize(cp.sum_squares(Y - X @ w) / (2 * N)), [cp.norm(w, 1) <= 1.0]).solve(**CLARABEL)
    np.testing.assert_allclose(model.coef_, w.value, atol=1e-6)


def _bad(a, value):
    a = a.copy()
    a.flat[3] = value
    return a


@pytest.mark.parametrize(
    "model, Xb, yb, exc, match",
    [
        (ConstrainedRegression(radius=0.0), X, Y, ValueError, "radius must be > 0"),
        (ConstrainedRegression(radius=-1.0), X, Y, ValueError, "radius must be > 0"),
        (ConstrainedRegression(radius=np.nan), X, Y, TypeError, "radius must be a finite"),
        (ConstrainedRegression(p=0.0), X, Y, ValueError, "p must be > 0"),
        (ConstrainedRegression(p=-1.0), X, Y, ValueError, "p must be > 0"),
        (ConstrainedRegression(tol=-1.0), X, Y, ValueError, "tol must be"),
        (ConstrainedRegression(max_iter=0), X, Y, ValueError, "max_iter must be a positive integer"),
        (ConstrainedRegression(), _bad(X, np.nan), Y, ValueError, "NaN"),
        (ConstrainedRegression(), _bad(X, np.inf), Y, ValueError, "infinity"),
        (ConstrainedRegression(), X, _bad(Y, np.nan), ValueError, "NaN"),
        (ConstrainedRegression(), X[:1], Y[:1], ValueError, "at least 2 samples"),
        (ConstrainedClassifier(), X, np.ones(N), ValueError, "only one class"),
        (ConstrainedClassifier(), X, np.arange(N) % 3, ValueError, "binary"),
    ],
)
def test_bad_input(model, Xb, yb, exc, match):
    with pytest.raises(exc, match=match):
        model.fit(Xb, yb)
    assert not hasattr(model, "coef_")


def test_non_numeric_column_is_named():
    frame = pd.DataFrame({"a": X[:, 0], "b": ["x"] * N})
    with pytest.raises(TypeError, match=r"non-numeric columns \['b'\]"):
        ConstrainedRegression().fit(frame, Y)


def test_max_iter_reached_warns():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = ConstrainedRegression(radius=1.5, p=1.5, tol=1e-14, max_iter=1).fit(X, Y)
    assert not model.converged_
    assert any("did not reach tol" in str(w.message) for w in caught)


def test_radius_whose_multiplier_overflows_is_a_clear_error():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 4))
    y = X @ np.array([1.0, -2.0, 0.5, 0.0]) + rng.standard_normal(30)
    with pytest.raises(ValueError, match="beyond the float64 range"):
        ConstrainedRegression(1e-6, p=100.0).fit(X, y)


def test_logistic_datafit_is_the_classifier():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((80, 6))
    labels = np.where(X @ np.array([2.0, -1.0, 0.0, 0.5, 0.0, 0.0]) + 0.3 * rng.standard_normal(80) > 0, "b", "a")
    a = ConstrainedRegression(1.5, p=1.0, datafit="logistic", tol=1e-10).fit(X, labels)
    b = ConstrainedClassifier(1.5, p=1.0, tol=1e-10).fit(X, labels)
    np.testing.assert_allclose(a.coef_, b.coef_, atol=1e-12)
    assert a.multiplier_ == pytest.approx(b.multiplier_, rel=1e-12)
    assert list(a.classes_) == ["a", "b"] and set(a.predict(X)) <= {"a", "b"}
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X))
    with pytest.raises(ValueError, match="datafit"):
        ConstrainedRegression(1.0, datafit="hinge").fit(X, labels)
