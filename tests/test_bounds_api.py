"""Box constraints through the public API: alpha_max, paths, cross-validation, save/load, the command line
and the errors on bad bounds."""

import csv

import numpy as np
import pytest
from sklearn.linear_model import LassoCV as SkLassoCV
from sklearn.linear_model import LassoLarsIC
from sklearn.linear_model import lasso_path as sk_lasso_path
from sklearn.model_selection import KFold

from lpnet import (
    Lasso,
    LassoCV,
    LassoIC,
    LogisticRegression,
    LogisticRegressionCV,
    PoissonRegressionCV,
    RegularizedModel,
    RidgeCV,
    alpha_max,
    lasso_path,
    load,
    regularization_path,
    save,
)
from lpnet.cli import main
from lpnet.penalties import L1, MCP
from tests import kkt


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(7)
    X = rng.standard_normal((60, 6))
    y = X @ np.array([1.0, -2.0, 0.5, 0.0, 0.3, -0.7]) + 0.5 * rng.standard_normal(60)
    return X, y


def _gradient_at(X, y, w0):
    """``X^T dD/dz`` of the squared loss at ``w0`` with the best intercept (by hand)."""
    r = y - X @ w0
    r = r - r.mean()
    return -X.T @ r / len(y)


# --------------------------------------------------------------------------- alpha_max
def test_alpha_max_with_a_sign_constraint_counts_the_gradient_pointing_into_the_box(data):
    X, y = data
    v = np.array([1.0, 2.0, 0.5, 1.0, 3.0, 1.0])
    g = _gradient_at(X, y, np.zeros(6))
    lower = np.array([0.0, 0.0, -np.inf, -1.0, 0.0, -np.inf])
    upper = np.array([np.inf, 1.0, 0.0, 0.0, 0.0, np.inf])  # feature 4 is held at 0
    push = np.where(upper > 0, np.maximum(-g, 0), 0) + np.where(lower < 0, np.maximum(g, 0), 0)
    expected = np.max(push / v)
    ours = alpha_max(X, y, penalty_factor=v, lower_bounds=lower, upper_bounds=upper)
    assert ours == pytest.approx(expected, rel=1e-10)
    assert ours < alpha_max(X, y, penalty_factor=v)  # the box hides part of the gradient


@pytest.mark.parametrize("penalty", [L1(1.0), MCP(1.0, gamma=2.0)], ids=["L1", "MCP"])
def test_alpha_max_of_a_box_excluding_zero_holds_the_closest_point(data, penalty):
    X, y = data
    lower = np.array([0.5, -np.inf, -np.inf, -np.inf, -np.inf, 0.2])  # w1 wants to grow, w6 to shrink
    upper = np.array([np.inf, np.inf, np.inf, np.inf, np.inf, np.inf])
    w0 = np.clip(0.0, lower, upper)
    g = _gradient_at(X, y, w0)
    # the slope of the penalty at w0_j per unit alpha must hold -g_j when it points into the box
    if isinstance(penalty, MCP):  # slope alpha - w / gamma (below gamma alpha)
        held = np.where(w0 > 0, (np.maximum(-g, 0) + w0 / 2.0), np.abs(g))
    else:
        held = np.where(w0 > 0, np.maximum(-g, 0), np.abs(g))
    expected = held.max()
    ours = alpha_max(X, y, penalty=penalty, lower_bounds=lower, upper_bounds=upper)
    assert ours == pytest.approx(expected, rel=1e-9)
    # at alpha_max the fit is w0; just below it, it moves (the definition, checked by fitting)
    path = regularization_path(
        X, y, penalty=penalty, alphas=[ours, 0.97 * ours], lower_bounds=lower, upper_bounds=upper, tol=1e-12
    )
    np.testing.assert_allclose(path.coefs[0], w0, atol=1e-9)
    assert np.abs(path.coefs[1] - w0).max() > 1e-6


# --------------------------------------------------------------------------- paths
def test_path_respects_the_box_and_each_fit_is_optimal(data):
    X, y = data
    lower, upper = np.array([0.3, 0, -1, -np.inf, -0.5, -2]), np.array([2, np.inf, 0, 0.2, 0.5, -0.1])
    path = regularization_path(
        X, y, penalty="elasticnet", l1_ratio=0.7, n_alphas=15, lower_bounds=lower, upper_bounds=upper, tol=1e-10
    )
    assert np.all((lower <= path.coefs) & (path.coefs <= upper)) and path.converged.all()
    np.testing.assert_array_equal(path.coefs[0], np.clip(0.0, lower, upper))
    assert np.all(path.dual_gaps <= 1e-10 * kkt.null_model(y, None, "squared", True)[1])
    for k in (3, 9, 14):
        spec = kkt.PenaltySpec("enet", path.alphas[k], l1_ratio=0.7, lower=lower, upper=upper)
        report = kkt.kkt_violation(X, y, None, "squared", spec, path.coefs[k], path.intercepts[k], True)
        assert report.max_violation <= 1e-4  # a gap G bounds the gradient's distance to about sqrt(2 L G)


def test_lasso_path_positive_equals_scikit_learn(data):
    X, y = data
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    alphas = np.geomspace(0.5, 0.005, 8)
    _, ours, _ = lasso_path(Xc, yc, alphas=alphas, positive=True, tol=1e-12, max_iter=1000)
    _, theirs, _ = sk_lasso_path(Xc, yc, alphas=alphas, positive=True, tol=1e-14, max_iter=100_000)
    np.testing.assert_allclose(ours, theirs, atol=1e-8)


# --------------------------------------------------------------------------- cross-validation
def test_lasso_cv_positive_equals_scikit_learn_fold_by_fold(data):
    X, y = data
    folds = KFold(3, shuffle=True, random_state=0)
    ours = LassoCV(positive=True, cv=folds, n_alphas=12, tol=1e-12, max_iter=1000).fit(X, y)
    theirs = SkLassoCV(positive=True, cv=folds, alphas=ours.alphas_, tol=1e-14, max_iter=100_000).fit(X, y)
    np.testing.assert_allclose(ours.mse_path_, theirs.mse_path_, rtol=1e-7)
    assert ours.alpha_ == theirs.alpha_ and np.all(ours.coef_ >= 0)
    assert ours.estimator_.positive and ours.estimator_.get_params()["lower_bounds"] is None


def test_cv_estimators_pass_the_box_to_every_fold_and_the_refit(data):
    X, y = data
    lower, upper = np.full(6, -0.2), np.full(6, 0.4)
    labels = (y > 0).astype(int)
    model = LogisticRegressionCV("l1", lower_bounds=lower, upper_bounds=upper, cv=3, n_alphas=8).fit(X, labels)
    assert np.all((lower <= model.coef_) & (model.coef_ <= upper))
    counts = np.random.default_rng(0).poisson(np.exp(0.3 * X[:, 0]))
    pois = PoissonRegressionCV(positive=True, cv=3, n_alphas=8).fit(X, counts)
    assert np.all(pois.coef_ >= 0) and pois.estimator_.positive


def test_ridge_cv_holds_the_box_with_k_folds_and_refuses_it_for_leave_one_out(data):
    X, y = data
    model = RidgeCV(cv=KFold(3, shuffle=True, random_state=0), upper_bounds=0.3, n_alphas=6).fit(X, y)
    assert model.coef_.max() <= 0.3 and model.estimator_.upper_bounds == 0.3
    with pytest.raises(ValueError, match="cv=K"):
        RidgeCV(positive=True).fit(X, y)


def test_lasso_ic_positive_equals_scikit_learn_lars(data):
    X, y = data
    theirs = LassoLarsIC(criterion="bic", positive=True).fit(X, y)
    knots = theirs.alphas_[theirs.alphas_ > 0]
    ours = LassoIC("bic", positive=True, alphas=knots, tol=1e-12, max_iter=1000).fit(X, y)
    assert ours.alpha_ == pytest.approx(theirs.alpha_, rel=1e-12)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-10)


# --------------------------------------------------------------------------- save / load
def test_bounds_round_trip_through_save_and_load(data, tmp_path):
    X, y = data
    lower = np.array([-np.inf, 0.0, 0.1, -1.0, -np.inf, -0.5])
    model = Lasso(0.02, lower_bounds=lower, upper_bounds=0.8).fit(X, y)
    loaded = load(save(model, tmp_path / "lasso.json"))
    np.testing.assert_array_equal(loaded.lower_bounds, lower)
    assert loaded.upper_bounds == 0.8
    np.testing.assert_array_equal(loaded.coef_, model.coef_)
    np.testing.assert_array_equal(loaded.fit(X, y).coef_, model.coef_)  # the refit keeps the box
    penalty = MCP(0.05, lower_bounds=[0, -np.inf, 0.2, -1, 0, 0], upper_bounds=np.inf)
    generic = RegularizedModel(penalty=penalty).fit(X, y)
    back = load(save(generic, tmp_path / "generic.json"))
    np.testing.assert_array_equal(back.penalty.lower_bounds, penalty.lower_bounds)
    assert back.penalty.upper_bounds == np.inf
    np.testing.assert_array_equal(back.fit(X, y).coef_, generic.coef_)


# --------------------------------------------------------------------------- command line
def test_cli_fit_saves_bounds_in_the_columns_units(tmp_path, capsys):
    saved = tmp_path / "model.json"
    assert main(["fit", "--penalty", "l1", "--lower-bounds", "0.5", "--upper-bounds", "inf", "--save", str(saved)]) == 0
    assert "duality gap" in capsys.readouterr().out  # a box on penalized features enters the gap
    model = load(saved)
    # the demo's features are standardized for the fit; the saved model is in the columns' own units, with
    # its bounds: the coefficients held at 0.5 (standardized) sit exactly on their converted bound
    assert np.all(model.coef_ >= model.lower_bounds * (1 - 1e-12)) and np.all(model.lower_bounds > 0)
    at_bound = np.isclose(model.coef_, model.lower_bounds, rtol=1e-12, atol=0)
    assert 0 < at_bound.sum() < 10


def test_cli_path_and_cv_take_positive(tmp_path, capsys):
    table = tmp_path / "path.csv"
    assert main(["path", "--positive", "--n-alphas", "12", "--csv", str(table)]) == 0
    capsys.readouterr()
    with open(table, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    diagnostics = ("alpha", "intercept", "n_nonzero", "dual_gap", "optimality_violation", "n_iter", "converged")
    coefs = np.array([[float(r[k]) for k in r if k not in diagnostics] for r in rows])
    assert coefs.shape == (12, 10) and np.all(coefs >= 0) and (coefs > 0).any()
    assert main(["cv", "--upper-bounds", "5", "--n-alphas", "8", "--folds", "3"]) == 0


@pytest.mark.parametrize(
    "args, words",
    [
        (["fit", "--penalty", "l1", "--lower-bounds", "1,2"], ["--lower-bounds has 2 values", "10 features"]),
        (["path", "--lower-bounds", "abc"], ["--lower-bounds must be a number"]),
        (["path", "--lower-bounds", "1", "--upper-bounds", "0"], ["--lower-bounds must be <= --upper-bounds"]),
        (["cv", "--upper-bounds", "nan"], ["nan"]),
        (["fit", "--positive", "--lower-bounds=-1"], ["--positive", "negative"]),
    ],
)
def test_cli_bad_bounds_are_one_line_errors(args, words, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and all(w in err for w in words), err


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "params, match",
    [
        ({"lower_bounds": 1.0, "upper_bounds": 0.0}, "lower_bounds must be <= upper_bounds"),
        ({"lower_bounds": [0.0, 0.0]}, "lower_bounds has shape"),
        ({"upper_bounds": [0.0] * 5 + [np.nan]}, "NaN"),
        ({"lower_bounds": np.inf}, "empty"),
        ({"positive": True, "lower_bounds": -1.0}, "positive=True"),
        ({"positive": "yes"}, "positive must be True or False"),
    ],
)
def test_bad_bounds_are_clear_errors(data, params, match):
    X, y = data
    with pytest.raises(ValueError, match=match):
        Lasso(0.1, **params).fit(X, y)


def test_a_penalty_with_its_own_box_and_estimator_bounds_is_refused(data):
    X, y = data
    with pytest.raises(ValueError, match="pass one"):
        RegularizedModel(penalty=L1(0.1, lower_bounds=0.0), upper_bounds=1.0).fit(X, y)
    with pytest.raises(ValueError, match="pass one"):
        regularization_path(X, y, penalty=L1(1.0, lower_bounds=0.0), upper_bounds=1.0)


def test_multinomial_models_refuse_bounds(data):
    X, y = data
    classes = np.digitize(y, [-1.0, 1.0])
    with pytest.raises(ValueError, match="multinomial model takes no bounds"):
        LogisticRegression(positive=True).fit(X, classes)
    with pytest.raises(ValueError, match="multinomial model takes no bounds"):
        LogisticRegressionCV(upper_bounds=1.0, cv=3).fit(X, classes)
