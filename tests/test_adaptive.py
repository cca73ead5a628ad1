"""The adaptive Lasso: factors from an initial fit (checked with scikit-learn's Ridge / LogisticRegression),
the weighted fit's optimality (independent KKT checker), excluded features, oracle selection, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.linear_model import Ridge as SkRidge
from sklearn.tree import DecisionTreeRegressor
from sklearn.utils.estimator_checks import parametrize_with_checks

from lpnet import (
    AdaptiveLasso,
    AdaptiveLassoCV,
    AdaptiveLogisticRegression,
    AdaptiveLogisticRegressionCV,
    Lasso,
    LassoCV,
    load,
    save,
)

from . import kkt


@pytest.fixture(scope="module")
def regression():
    rng = np.random.default_rng(1)
    n, p = 200, 20
    X = rng.standard_normal((n, p))
    beta = np.zeros(p)
    beta[:3] = [2.0, -1.5, 1.0]
    y = X @ beta + 0.5 + rng.standard_normal(n)
    return X, y, np.flatnonzero(beta)


@pytest.mark.parametrize("gamma", [0.5, 1.0, 2.0])
def test_factors_are_one_over_the_ridge_coefficients(regression, gamma):
    X, y, _ = regression
    w = np.random.default_rng(2).uniform(0.5, 2.0, X.shape[0])
    model = AdaptiveLasso(0.05, gamma=gamma).fit(X, y, sample_weight=w)
    ridge_alpha = model.initial_estimator_.alpha
    # lpnet's ridge averages the loss: scikit-learn's alpha is the sum of the weights times it
    reference = SkRidge(alpha=ridge_alpha * w.sum(), tol=1e-12).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(model.initial_coef_, reference.coef_, rtol=1e-8)
    np.testing.assert_allclose(model.penalty_factor_, 1.0 / np.abs(reference.coef_) ** gamma, rtol=1e-7)
    # the documented strength: 1e-3 times the features' mean weighted centred variance
    h = w / w.sum()
    variance = ((X - h @ X) ** 2).T @ h
    assert ridge_alpha == pytest.approx(1e-3 * variance.mean(), rel=1e-10)


def test_weighted_fit_satisfies_kkt_with_those_factors(regression):
    X, y, _ = regression
    model = AdaptiveLasso(0.05, gamma=1.0, tol=1e-9).fit(X, y)
    v = 1.0 / np.abs(model.initial_coef_)
    spec = kkt.PenaltySpec("l1", 0.05, factors=v)
    report = kkt.kkt_violation(X, y, np.ones(X.shape[0]), "squared", spec, model.coef_, model.intercept_, True)
    assert report.max_violation < 1e-5
    gap = kkt.duality_gap(X, y, np.ones(X.shape[0]), "squared", spec, model.coef_, model.intercept_, True)
    assert gap["gap"] <= 1e-8


def test_excluded_features_stay_zero(regression):
    X, y, _ = regression
    initial = Lasso(0.3).fit(X, y)  # exact zeros in the initial fit
    zero = initial.coef_ == 0
    assert zero.any() and not zero.all()
    model = AdaptiveLasso(0.01, initial=Lasso(0.3)).fit(X, y)
    np.testing.assert_array_equal(model.excluded_, zero)
    assert np.all(model.coef_[zero] == 0.0)
    assert np.all(np.isinf(model.penalty_factor_[zero]))
    np.testing.assert_allclose(model.penalty_factor_[~zero], 1.0 / np.abs(initial.coef_[~zero]))
    # the fit on the kept columns is the weighted Lasso there, by the independent checker
    spec = kkt.PenaltySpec("l1", 0.01, factors=model.penalty_factor_[~zero])
    report = kkt.kkt_violation(
        X[:, ~zero], y, np.ones(X.shape[0]), "squared", spec, model.coef_[~zero], model.intercept_, True
    )
    assert report.max_violation < 1e-4
    # an array of initial coefficients is taken as it is
    by_array = AdaptiveLasso(0.01, initial=initial.coef_).fit(X, y)
    np.testing.assert_allclose(by_array.coef_, model.coef_, rtol=1e-10)
    assert by_array.initial_estimator_ is None


def test_adaptive_selects_the_true_support_where_the_lasso_over_selects(regression):
    X, y, truth = regression
    adaptive = AdaptiveLassoCV(cv=5).fit(X, y)
    lasso = LassoCV(cv=5).fit(X, y)
    selected_adaptive = set(np.flatnonzero(adaptive.coef_))
    selected_lasso = set(np.flatnonzero(lasso.coef_))
    assert selected_adaptive == set(truth)
    assert selected_lasso > set(truth)  # a strict superset: the Lasso keeps noise features


def test_cv_uses_one_initial_fit_and_refits_at_alpha(regression):
    X, y, _ = regression
    model = AdaptiveLassoCV(n_alphas=10, cv=3).fit(X, y)
    single = AdaptiveLasso(model.alpha_).fit(X, y)
    np.testing.assert_allclose(model.penalty_factor_, single.penalty_factor_, rtol=1e-12)
    np.testing.assert_allclose(model.coef_, single.coef_, rtol=1e-9, atol=1e-12)
    assert model.mse_path_.shape == (10, 3)


def test_logistic_factors_from_scikit_learn_default_logistic_regression():
    rng = np.random.default_rng(7)
    n, p = 200, 6
    X = rng.standard_normal((n, p))
    y = (2 * X[:, 0] - X[:, 1] + rng.logistic(size=n) > 0).astype(int)
    model = AdaptiveLogisticRegression(0.01, initial="ridge", tol=1e-10).fit(X, y)
    reference = SkLogisticRegression(C=1.0, tol=1e-12, solver="newton-cholesky").fit(X, y)  # alpha = 1/n
    np.testing.assert_allclose(model.penalty_factor_, 1.0 / np.abs(reference.coef_[0]), rtol=1e-6)
    assert model.coef_.shape == (1, p) and model.predict_proba(X).shape == (n, 2)
    labels = np.where(y == 1, 1.0, -1.0)
    spec = kkt.PenaltySpec("l1", 0.01, factors=model.penalty_factor_)
    report = kkt.kkt_violation(X, labels, np.ones(n), "logistic", spec, model.coef_[0], model.intercept_[0], True)
    assert report.max_violation < 1e-4


@pytest.mark.parametrize("gamma", [0, -1.0, np.inf, "one", True])
def test_bad_gamma(regression, gamma):
    X, y, _ = regression
    with pytest.raises(ValueError, match="gamma must be a finite number > 0"):
        AdaptiveLasso(gamma=gamma).fit(X, y)
    with pytest.raises(ValueError, match="gamma must be a finite number > 0"):
        AdaptiveLassoCV(gamma=gamma, n_alphas=3, cv=2).fit(X, y)


class _Failing:
    def fit(self, X, y, sample_weight=None):
        raise RuntimeError("no convergence")

    def get_params(self, deep=True):
        return {}

    def set_params(self, **params):
        return self


def test_initial_fit_failures_name_the_fix(regression):
    X, y, _ = regression
    with pytest.raises(ValueError, match="initial fit .* failed: no convergence.*initial='ridge'"):
        AdaptiveLasso(initial=_Failing()).fit(X, y)
    with pytest.raises(ValueError, match="no usable coef_.*initial='ridge'"):
        AdaptiveLasso(initial=DecisionTreeRegressor()).fit(X, y)
    with pytest.raises(ValueError, match="every initial coefficient .* is zero"):
        AdaptiveLasso(initial=Lasso(100.0)).fit(X, y)
    with pytest.raises(ValueError, match="initial must be one of"):
        AdaptiveLasso(initial="lasso").fit(X, y)
    with pytest.raises(ValueError, match="initial='ols' needs more samples.*initial='ridge'"):
        AdaptiveLasso(initial="ols").fit(X[:15], y[:15])
    with pytest.raises(ValueError, match="one per feature"):
        AdaptiveLasso(initial=np.ones(3)).fit(X, y)


def test_ols_initial_is_least_squares(regression):
    from sklearn.linear_model import LinearRegression

    X, y, _ = regression
    model = AdaptiveLasso(0.05, initial="ols").fit(X, y)
    np.testing.assert_allclose(model.initial_coef_, LinearRegression().fit(X, y).coef_, rtol=1e-9)


def test_save_load_round_trip(regression, tmp_path):
    X, y, _ = regression
    for model in (AdaptiveLasso(0.05, initial=Lasso(0.3)).fit(X, y), AdaptiveLassoCV(n_alphas=5, cv=3).fit(X, y)):
        save(model, tmp_path / "m.json")
        back = load(tmp_path / "m.json")
        np.testing.assert_array_equal(back.predict(X), model.predict(X))
        np.testing.assert_array_equal(back.penalty_factor_, model.penalty_factor_)


# Repeating a row changes which fold it falls in, so a weighted CV cannot equal the CV of repeated rows
_CV_XFAIL = {
    "check_sample_weight_equivalence_on_dense_data": "folds differ when rows are repeated",
    "check_sample_weight_equivalence_on_sparse_data": "folds differ when rows are repeated",
}


@parametrize_with_checks(
    [
        AdaptiveLasso(0.1),
        AdaptiveLogisticRegression(0.01),
        AdaptiveLassoCV(n_alphas=4, cv=3),
        AdaptiveLogisticRegressionCV(n_alphas=4, cv=3),
    ],
    expected_failed_checks=lambda est: _CV_XFAIL if isinstance(est, AdaptiveLassoCV) else {},
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
