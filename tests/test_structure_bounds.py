"""Box constraints on the relaxed and the adaptive Lasso: estimators, cross-validation, the relaxed path and the
command line, against independent references (scikit-learn, scipy's bounded least squares and L-BFGS-B, the
KKT conditions with the box's normal cone)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy.optimize import lsq_linear, minimize, nnls
from sklearn.linear_model import Lasso as SkLasso

from lpnet import (
    AdaptiveLasso,
    AdaptiveLassoCV,
    AdaptiveLogisticRegression,
    Lasso,
    RelaxedLasso,
    RelaxedLassoCV,
    RelaxedLogisticRegression,
    load,
    regularization_path,
    save,
)
from lpnet.cli import main

from . import kkt


@pytest.fixture(scope="module")
def regression():
    rng = np.random.default_rng(11)
    n, p = 90, 10
    X = rng.standard_normal((n, p))
    beta = np.array([2.0, -1.5, 1.0, 0.8, 0.0, 0.0, -0.6, 0.4, 0.0, 0.0])
    y = X @ beta + 1.0 + rng.standard_normal(n)
    return X, y


@pytest.fixture(scope="module")
def classification():
    rng = np.random.default_rng(12)
    n, p = 160, 6
    X = rng.standard_normal((n, p))
    z = 1.2 * X[:, 0] - 0.8 * X[:, 1] + 0.6 * X[:, 2] + 0.3 * X[:, 3]
    y = (z + rng.logistic(size=n) > 0).astype(int)
    return X, y


# --------------------------------------------------------------------------- relaxed Lasso
def test_relaxed_gamma_one_is_the_positive_lasso(regression):
    X, y = regression
    ours = RelaxedLasso(0.05, 1.0, positive=True, tol=1e-12, max_iter=1000).fit(X, y)
    lasso = Lasso(0.05, positive=True, tol=1e-12, max_iter=1000).fit(X, y)
    sk = SkLasso(0.05, positive=True, tol=1e-14, max_iter=100_000).fit(X, y)
    np.testing.assert_array_equal(ours.coef_, lasso.coef_)
    np.testing.assert_allclose(ours.coef_, sk.coef_, atol=1e-8)
    assert ours.intercept_ == pytest.approx(sk.intercept_, abs=1e-8)
    assert np.all(ours.coef_ >= 0) and (ours.coef_ == 0).any()  # the box bites


def test_relaxed_gamma_zero_is_nonnegative_least_squares_on_the_support(regression):
    X, y = regression
    model = RelaxedLasso(0.05, 0.0, positive=True, tol=1e-12, max_iter=1000).fit(X, y)
    S = model.support_
    # with an intercept, the least-squares problem over (w_S >= 0, b) is NNLS on the centred data
    Xc, yc = X[:, S] - X[:, S].mean(axis=0), y - y.mean()
    w, _ = nnls(Xc, yc)
    np.testing.assert_allclose(model.coef_[S], w, atol=1e-8)
    assert model.intercept_ == pytest.approx(y.mean() - X[:, S].mean(axis=0) @ w, abs=1e-8)
    np.testing.assert_array_equal(model.coef_[~S], 0.0)
    # a bounded support is certified by the optimality violation (KKT with the box's normal cone)
    assert model.refit_dual_gap_ is None and model.refit_optimality_violation_ <= 1e-12
    assert model.refit_converged_ and model.converged_


def test_relaxed_refit_in_a_two_sided_box_equals_bounded_least_squares(regression):
    X, y = regression
    lower = np.array([-np.inf, -1.0, 0.0, 0.0, -np.inf, -np.inf, -0.2, 0.0, -np.inf, -np.inf])
    upper = np.array([1.5, np.inf, 0.5, np.inf, np.inf, np.inf, np.inf, 0.3, np.inf, np.inf])
    model = RelaxedLasso(0.02, 0.0, lower_bounds=lower, upper_bounds=upper, tol=1e-12, max_iter=1000).fit(X, y)
    S = model.support_
    # independent: scipy's bounded least squares with an unbounded intercept column
    A = np.column_stack([X[:, S], np.ones(len(y))])
    ref = lsq_linear(A, y, bounds=(np.r_[lower[S], -np.inf], np.r_[upper[S], np.inf]), tol=1e-14, method="bvls")
    np.testing.assert_allclose(model.coef_[S], ref.x[:-1], atol=1e-7)
    assert model.intercept_ == pytest.approx(ref.x[-1], abs=1e-7)
    assert np.all(model.refit_coef_ >= lower) and np.all(model.refit_coef_ <= upper)


@pytest.mark.parametrize("gamma", [0.3, 0.7])
def test_relaxed_mix_stays_in_the_box(regression, gamma):
    X, y = regression
    lower, upper = 0.1, 0.9  # a box that excludes 0 and holds several coefficients on its bounds
    for dtype in (np.float64, np.float32):
        model = RelaxedLasso(0.05, gamma, lower_bounds=lower, upper_bounds=upper).fit(X.astype(dtype), y)
        assert model.coef_.dtype == dtype
        # float32 coefficients hold the box as its bounds round inwards to float32 (0.1 has no float32 value)
        assert np.all(model.coef_ >= lower) and np.all(model.coef_ <= upper)
        expected = gamma * model.lasso_coef_.astype(np.float64) + (1 - gamma) * model.refit_coef_.astype(np.float64)
        np.testing.assert_allclose(model.coef_, expected, rtol=1e-6 if dtype == np.float32 else 1e-14)


def test_relaxed_logistic_refit_with_a_box_equals_l_bfgs_b(classification):
    X, y = classification
    lower, upper = -0.5, np.array([0.5, np.inf, np.inf, np.inf, np.inf, np.inf])
    model = RelaxedLogisticRegression(0.01, 0.0, lower_bounds=lower, upper_bounds=upper, tol=1e-12, max_iter=1000)
    model.fit(X, y)
    S = model.support_
    ys = 2.0 * y - 1.0
    A = np.column_stack([X[:, S], np.ones(len(y))])

    def loss(u):
        z = A @ u
        return np.mean(np.logaddexp(0.0, -ys * z)), A.T @ (-ys / (1 + np.exp(ys * z))) / len(y)

    bounds = [(lower, upper[j]) for j in np.flatnonzero(S)] + [(None, None)]
    options = {"ftol": 1e-15, "gtol": 1e-12, "maxiter": 10_000}
    ref = minimize(loss, np.zeros(A.shape[1]), jac=True, method="L-BFGS-B", bounds=bounds, options=options)
    np.testing.assert_allclose(model.coef_.ravel()[S], ref.x[:-1], atol=1e-5)
    assert model.intercept_[0] == pytest.approx(ref.x[-1], abs=1e-5)
    assert model.coef_.ravel()[0] == pytest.approx(0.5)  # held on its upper bound
    assert not model.refit_separated_ and model.refit_converged_
    # the refit's KKT with the box's normal cone, checked independently (no penalty: alpha = 0)
    spec = kkt.PenaltySpec("l1", 0.0, lower=lower, upper=upper[S])
    refit = model.refit_coef_.ravel()[S]
    report = kkt.kkt_violation(X[:, S], ys, np.ones(len(y)), "logistic", spec, refit, model.refit_intercept_[0], True)
    assert report.max_violation < 1e-8


def test_relaxed_path_with_a_box_matches_the_estimators(regression):
    X, y = regression
    alphas = [0.3, 0.1, 0.03]
    path = regularization_path(
        X, y, alphas=alphas, relax=True, lower_bounds=0.0, upper_bounds=1.2, tol=1e-12, max_iter=1000
    )
    assert np.all(path.relaxed_converged)
    for gamma in (0.0, 0.4, 1.0):
        coefs, intercepts = path.relaxed(gamma)
        assert np.all(coefs >= 0.0) and np.all(coefs <= 1.2)
        for k, alpha in enumerate(alphas):
            model = RelaxedLasso(alpha, gamma, lower_bounds=0.0, upper_bounds=1.2, tol=1e-12, max_iter=1000)
            model.fit(X, y)
            np.testing.assert_allclose(coefs[k], model.coef_, atol=1e-7)
            assert intercepts[k] == pytest.approx(model.intercept_, abs=1e-7)


def test_relaxed_cv_holds_the_box(regression):
    X, y = regression
    cv = RelaxedLassoCV(n_alphas=6, cv=3, gammas=(0.0, 1.0), positive=True).fit(X, y)
    assert np.all(cv.coef_ >= 0) and cv.estimator_.positive
    assert np.all(cv.estimator_.refit_coef_ >= 0)


# --------------------------------------------------------------------------- adaptive Lasso
def test_adaptive_positive_is_the_weighted_positive_lasso(regression):
    X, y = regression
    w0 = np.array([1.5, -1.0, 0.8, 0.0, 0.2, -0.3, -0.5, 0.4, 0.0, 0.1])  # two excluded features
    model = AdaptiveLasso(0.05, initial=w0, positive=True, tol=1e-12, max_iter=1000).fit(X, y)
    kept = w0 != 0
    reference = Lasso(0.05, positive=True, penalty_factor=1 / np.abs(w0[kept]), tol=1e-12, max_iter=1000)
    reference.fit(X[:, kept], y)
    np.testing.assert_allclose(model.coef_[kept], reference.coef_, atol=1e-10)
    np.testing.assert_array_equal(model.coef_[~kept], 0.0)
    assert np.all(model.coef_ >= 0) and model.coef_[1] == 0.0  # a negative effect is held at 0
    spec = kkt.PenaltySpec("l1", 0.05, factors=1 / np.abs(w0[kept]), lower=0.0)
    report = kkt.kkt_violation(
        X[:, kept], y, np.ones(len(y)), "squared", spec, model.coef_[kept], model.intercept_, True
    )
    assert report.max_violation < 1e-8


def test_adaptive_initial_fit_is_unbounded_and_the_cv_holds_the_box(regression):
    X, y = regression
    model = AdaptiveLasso(0.05, positive=True).fit(X, y)
    assert (model.initial_coef_ < 0).any()  # the initial ridge is not constrained
    cv = AdaptiveLassoCV(n_alphas=6, cv=3, upper_bounds=1.0).fit(X, y)
    assert np.all(cv.coef_ <= 1.0) and np.all(cv.cv_estimator_.coef_ <= 1.0)
    logistic = AdaptiveLogisticRegression(0.01, positive=True).fit(X, y > np.median(y))
    assert np.all(logistic.coef_ >= 0)


# --------------------------------------------------------------------------- bad input, save / load, CLI
def test_bad_boxes_are_clear_errors(regression):
    X, y = regression
    for model in (
        RelaxedLasso(0.1, lower_bounds=1.0, upper_bounds=0.0),
        AdaptiveLasso(0.1, lower_bounds=1.0, upper_bounds=0.0),
    ):
        with pytest.raises(ValueError, match="lower_bounds must be <= upper_bounds"):
            model.fit(X, y)
    with pytest.raises(ValueError, match="positive=True"):
        RelaxedLasso(0.1, positive=True, lower_bounds=-1.0).fit(X, y)
    w0 = np.r_[0.0, np.ones(X.shape[1] - 1)]
    for model in (AdaptiveLasso(0.1, initial=w0, lower_bounds=0.5), AdaptiveLassoCV(initial=w0, lower_bounds=0.5)):
        with pytest.raises(ValueError, match=r"features \[0\].*Widen their bounds"):
            model.fit(X, y)


def test_save_load_keeps_the_bounds(regression, tmp_path):
    X, y = regression
    upper = np.linspace(0.5, 2.0, X.shape[1])
    for model in (
        RelaxedLasso(0.05, 0.5, positive=True, upper_bounds=upper).fit(X, y),
        AdaptiveLasso(0.05, lower_bounds=-1.0, upper_bounds=upper).fit(X, y),
    ):
        back = load(save(model, tmp_path / "m.json"))
        assert back.get_params()["positive"] == model.positive
        np.testing.assert_array_equal(back.upper_bounds, upper)
        np.testing.assert_array_equal(back.predict(X), model.predict(X))
        np.testing.assert_array_equal(back.fit(X, y).coef_, model.coef_)  # the refit keeps the box


def test_cli_relax_and_adaptive_take_the_box(capsys):
    assert main(["fit", "--relax", "--relax-gamma", "0", "--positive"]) == 0
    out = capsys.readouterr().out
    assert "optimality violation" in out and "KKT with the box" in out
    assert main(["cv", "--adaptive", "--upper-bounds", "5", "--n-alphas", "6", "--folds", "3"]) == 0
    assert main(["cv", "--relax", "--positive", "--n-alphas", "5", "--folds", "3", "--relax-gammas", "0,1"]) == 0
    capsys.readouterr()
    assert main(["fit", "--relax", "--groups", "0-4,5-9", "--positive"]) == 2


def test_a_box_that_stops_a_separating_refit_gives_a_finite_minimum():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((80, 3))
    y = (X[:, 0] > 0).astype(int)  # the first column separates the classes
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # no "separate the two classes" warning: the box holds it
        model = RelaxedLogisticRegression(0.01, 0.0, upper_bounds=2.0, lower_bounds=-2.0, tol=1e-10).fit(X, y)
    assert not model.refit_separated_ and model.refit_converged_
    assert model.refit_coef_.ravel()[0] == 2.0  # the likelihood still improves along the ray: held on its bound
