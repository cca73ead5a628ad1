"""The relaxed Lasso: estimators, the relaxed path and (alpha, gamma) cross-validation, checked against
scikit-learn's Lasso / LinearRegression / LogisticRegression refits and the independent KKT checker."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import Lasso as SkLasso
from sklearn.linear_model import LinearRegression
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.model_selection import KFold
from sklearn.utils.estimator_checks import parametrize_with_checks

from lpnet import (
    Lasso,
    RelaxedLasso,
    RelaxedLassoCV,
    RelaxedLogisticRegression,
    RelaxedLogisticRegressionCV,
    load,
    regularization_path,
    save,
)
from lpnet.model_selection.relaxed_cv import select_relaxed

from . import kkt


@pytest.fixture(scope="module")
def regression():
    rng = np.random.default_rng(3)
    n, p = 80, 12
    X = rng.standard_normal((n, p))
    beta = np.zeros(p)
    beta[:4] = [3.0, -2.0, 1.5, 1.0]
    y = X @ beta + 2.0 + rng.standard_normal(n)
    return X, y


@pytest.fixture(scope="module")
def classification():
    rng = np.random.default_rng(4)
    n, p = 150, 8
    X = rng.standard_normal((n, p))
    z = 1.5 * X[:, 0] - X[:, 1] + 0.5 * X[:, 2]
    y = (z + rng.logistic(size=n) > 0).astype(int)
    return X, y


def test_gamma_one_is_the_lasso(regression):
    X, y = regression
    relaxed = RelaxedLasso(0.2, gamma=1.0).fit(X, y)
    lasso = Lasso(0.2).fit(X, y)
    np.testing.assert_array_equal(relaxed.coef_, lasso.coef_)
    assert relaxed.intercept_ == lasso.intercept_


def test_gamma_zero_is_least_squares_on_the_support(regression):
    X, y = regression
    model = RelaxedLasso(0.3, gamma=0.0).fit(X, y)
    support = model.lasso_coef_ != 0
    assert 0 < support.sum() < X.shape[1]
    np.testing.assert_array_equal(model.support_, support)
    ols = LinearRegression().fit(X[:, support], y)
    np.testing.assert_allclose(model.coef_[support], ols.coef_, rtol=1e-9)
    assert np.all(model.coef_[~support] == 0.0)
    assert model.intercept_ == pytest.approx(ols.intercept_, rel=1e-9)
    # the refit is certified, and its stationarity holds by an independent check
    assert model.refit_converged_ and model.converged_
    s = np.ones(X.shape[0])
    report = kkt.kkt_violation(
        X[:, support],
        y,
        s,
        "squared",
        kkt.PenaltySpec("l2", 0.0),
        model.refit_coef_[support],
        model.refit_intercept_,
        True,
    )
    assert report.max_violation < 1e-9


def test_the_mix_is_convex_in_gamma_with_sample_weights(regression):
    X, y = regression
    w = np.random.default_rng(0).uniform(0.5, 2.0, X.shape[0])
    model = RelaxedLasso(0.2, gamma=0.3).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(model.coef_, 0.3 * model.lasso_coef_ + 0.7 * model.refit_coef_, rtol=1e-12)
    assert model.intercept_ == pytest.approx(0.3 * model.lasso_intercept_ + 0.7 * model.refit_intercept_, rel=1e-12)
    ols = LinearRegression().fit(X[:, model.support_], y, sample_weight=w)
    np.testing.assert_allclose(model.refit_coef_[model.support_], ols.coef_, rtol=1e-9)
    lasso = SkLasso(0.2, tol=1e-12, max_iter=100_000).fit(X, y, sample_weight=w * X.shape[0] / w.sum())
    np.testing.assert_allclose(model.lasso_coef_, lasso.coef_, atol=1e-6)


def test_logistic_refit_is_the_unpenalized_logistic_regression(classification):
    X, y = classification
    model = RelaxedLogisticRegression(0.05, gamma=0.0, tol=1e-10).fit(X, y)
    support = model.support_
    assert 0 < support.sum() < X.shape[1]
    reference = SkLogisticRegression(C=np.inf, solver="newton-cholesky", tol=1e-12).fit(X[:, support], y)
    np.testing.assert_allclose(model.coef_[0, support], reference.coef_[0], rtol=1e-4)
    assert model.intercept_[0] == pytest.approx(reference.intercept_[0], rel=1e-4)
    # the certificate's promise, checked with the independent objective: ours is within its gap of the optimum
    labels, s, spec = np.where(y == 1, 1.0, -1.0), np.ones(X.shape[0]), kkt.PenaltySpec("l2", 0.0)
    ours = kkt.objective(X[:, support], labels, s, "logistic", spec, model.coef_[0, support], model.intercept_[0])
    best = kkt.objective(X[:, support], labels, s, "logistic", spec, reference.coef_[0], reference.intercept_[0])
    assert ours - best <= model.refit_dual_gap_ + 1e-15
    assert not model.refit_separated_
    mixed = RelaxedLogisticRegression(0.05, gamma=0.5).fit(X, y)
    np.testing.assert_allclose(mixed.coef_, 0.5 * (mixed.lasso_coef_ + mixed.refit_coef_), rtol=1e-12)
    assert mixed.predict_proba(X).shape == (X.shape[0], 2)


def test_separating_support_warns():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((40, 3))
    y = (X[:, 0] > 0).astype(int)  # the first column separates the classes
    with pytest.warns(UserWarning, match="separate the two classes"):
        model = RelaxedLogisticRegression(0.01, gamma=0.5).fit(X, y)
    assert model.refit_separated_


def test_relaxed_path_holds_the_refits(regression):
    X, y = regression
    path = regularization_path(X, y, n_alphas=8, relax=True)
    for k in (1, 4, 7):
        support = path.coefs[k] != 0
        ols = LinearRegression().fit(X[:, support], y)
        np.testing.assert_allclose(path.relaxed_coefs[k, support], ols.coef_, rtol=1e-9)
        assert path.relaxed_intercepts[k] == pytest.approx(ols.intercept_, rel=1e-9)
        assert np.all(path.relaxed_coefs[k, ~support] == 0.0)
    assert path.relaxed_converged.all()
    coefs, intercepts = path.relaxed(1.0)
    np.testing.assert_array_equal(coefs, path.coefs)
    coefs, intercepts = path.relaxed(0.25)
    np.testing.assert_allclose(coefs, 0.25 * path.coefs + 0.75 * path.relaxed_coefs, rtol=1e-12)
    # one alpha of the relaxed path is the relaxed estimator at that alpha
    model = RelaxedLasso(path.alphas[4], gamma=0.25).fit(X, y)
    np.testing.assert_allclose(model.coef_, coefs[4], atol=1e-6)
    plain = regularization_path(X, y, n_alphas=3)
    assert plain.relaxed_coefs is None
    with pytest.raises(ValueError, match="relax=True"):
        plain.relaxed(0.5)


def test_cv_surface_matches_a_manual_kfold_with_scikit_learn(regression):
    X, y = regression
    alphas = np.geomspace(1.0, 0.05, 6)
    gammas = (0.0, 0.5, 1.0)
    folds = KFold(3, shuffle=True, random_state=0)
    model = RelaxedLassoCV(gammas=gammas, alphas=alphas, cv=folds, tol=1e-10).fit(X, y)
    manual = np.zeros((len(gammas), 3, len(alphas)))
    for f, (train, test) in enumerate(folds.split(X)):
        for k, alpha in enumerate(np.sort(alphas)[::-1]):
            lasso = SkLasso(alpha, tol=1e-14, max_iter=1_000_000).fit(X[train], y[train])
            support = lasso.coef_ != 0
            refit_coef, refit_b = np.zeros(X.shape[1]), y[train].mean()
            if support.any():
                ols = LinearRegression().fit(X[train][:, support], y[train])
                refit_coef[support], refit_b = ols.coef_, ols.intercept_
            for i, g in enumerate(gammas):
                coef = g * lasso.coef_ + (1 - g) * refit_coef
                b = g * lasso.intercept_ + (1 - g) * refit_b
                manual[i, f, k] = np.mean((y[test] - X[test] @ coef - b) ** 2)
    np.testing.assert_allclose(model.cv_results_.losses, manual, rtol=1e-6)
    i, k = np.unravel_index(np.argmin(manual.mean(axis=1)), manual.shape[::2])
    assert (model.gamma_, model.alpha_) == (gammas[i], pytest.approx(np.sort(alphas)[::-1][k]))
    final = RelaxedLasso(model.alpha_, model.gamma_, tol=1e-10).fit(X, y)
    np.testing.assert_allclose(model.coef_, final.coef_, rtol=1e-12)
    assert model.mse_path_.shape == (3, 6, 3)


def test_one_standard_error_rule_prefers_large_alpha_then_large_gamma():
    mean = np.array([[5.0, 3.0, 1.0], [4.0, 1.05, 1.2], [4.5, 1.08, 2.0]])  # gammas x alphas (decreasing)
    std = np.full_like(mean, 0.2)
    index_min, index_1se = select_relaxed(mean, std, n_folds=4)  # bound: 1.0 + 0.1
    assert index_min == (0, 2)
    assert index_1se == (2, 1)


def test_logistic_cv_picks_a_pair(classification):
    X, y = classification
    model = RelaxedLogisticRegressionCV(n_alphas=6, cv=3, alpha_rule="1se").fit(X, y)
    assert model.gamma_ in model.gammas_ and model.alpha_ in model.alphas_
    assert model.predict_proba(X).shape == (X.shape[0], 2)
    assert set(model.predict(X)) <= set(model.classes_)


@pytest.mark.parametrize("gamma", [-0.1, 1.5, "half", True])
def test_bad_gamma(regression, gamma):
    X, y = regression
    with pytest.raises(ValueError, match=r"gamma must lie in \[0, 1\]"):
        RelaxedLasso(0.1, gamma=gamma).fit(X, y)
    with pytest.raises(ValueError, match=r"gamma must lie in \[0, 1\]"):
        RelaxedLassoCV(gammas=(0.0, gamma), n_alphas=3, cv=2).fit(X, y)


def test_multiclass_target_is_refused(classification):
    X, _ = classification
    y = np.arange(X.shape[0]) % 3
    with pytest.raises(ValueError, match="Only binary classification"):
        RelaxedLogisticRegression().fit(X, y)


def test_save_load_round_trip(regression, classification, tmp_path):
    X, y = regression
    for model in (RelaxedLasso(0.2).fit(X, y), RelaxedLassoCV(n_alphas=5, cv=3).fit(X, y)):
        save(model, tmp_path / "m.json")
        back = load(tmp_path / "m.json")
        np.testing.assert_array_equal(back.predict(X), model.predict(X))
    Xc, yc = classification
    model = RelaxedLogisticRegression(0.05).fit(Xc, yc)
    save(model, tmp_path / "c.json")
    np.testing.assert_array_equal(load(tmp_path / "c.json").predict_proba(Xc), model.predict_proba(Xc))


# scikit-learn's small classification sets are often separated by the selected columns
@pytest.mark.filterwarnings("ignore:.*separate the two classes:UserWarning")
@parametrize_with_checks(
    [
        RelaxedLasso(0.1),
        RelaxedLogisticRegression(0.01),
        RelaxedLassoCV(n_alphas=4, cv=3),
        RelaxedLogisticRegressionCV(n_alphas=4, cv=3),
    ]
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_plot_cv_labels_the_relaxed_grid_by_gamma():
    pytest.importorskip("matplotlib")
    from lpnet.viz import plot_cv

    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 6))
    y = X[:, 0] + 0.5 * rng.standard_normal(60)
    cv = RelaxedLassoCV(cv=3, n_alphas=5, gammas=(0.0, 1.0)).fit(X, y)
    labels = [h.get_label() for h in plot_cv(cv.cv_results_).get_legend_handles_labels()[0]]
    assert "gamma=0" in labels and "gamma=1" in labels
    assert not any("l1_ratio" in label for label in labels)
