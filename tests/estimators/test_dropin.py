"""scikit-learn 1.9 behaviour that lpnet's estimators reproduce, each checked against scikit-learn itself
or against an independent computation (least squares, a brute-force refit, the definition)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import config_context
from sklearn.datasets import load_diabetes, make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import ElasticNet as SkElasticNet
from sklearn.linear_model import Lasso as SkLasso
from sklearn.linear_model import LassoCV as SkLassoCV
from sklearn.linear_model import LinearRegression
from sklearn.linear_model import LogisticRegression as SkLogistic
from sklearn.linear_model import Ridge as SkRidge
from sklearn.model_selection import GroupKFold, KFold, StratifiedKFold

import lpnet
from lpnet import (
    ElasticNet,
    ElasticNetCV,
    Lasso,
    LassoCV,
    LassoIC,
    LogisticRegression,
    LogisticRegressionCV,
    LpRegression,
    Ridge,
    RidgeCV,
)


@pytest.fixture(scope="module")
def diabetes():
    X, y = load_diabetes(return_X_y=True)
    return (X - X.mean(0)) / X.std(0), y


# ------------------------------------------------------------------------------------------ crashes
def test_int_alphas_is_the_grid_size():
    rng = np.random.RandomState(0)
    X, y = rng.randn(30, 5), rng.randn(30)
    model = LassoCV(alphas=10).fit(X, y)
    assert model.alphas_.shape == (10,)
    # the same grid as scikit-learn's (alpha_max down to eps * alpha_max)
    np.testing.assert_allclose(model.alphas_, SkLassoCV(alphas=10).fit(X, y).alphas_, rtol=1e-10)
    assert RidgeCV(alphas=1).fit(X, y).alpha_ == 1.0  # RidgeCV: one number is one alpha, as there


@pytest.mark.parametrize("value", [0.0, 5.0])
@pytest.mark.parametrize("Model", [LassoCV, ElasticNetCV])
def test_constant_target_gives_the_constant_model(Model, value):
    rng = np.random.RandomState(0)
    X, X_test = rng.random_sample((10, 3)), rng.random_sample((10, 3))
    y = np.full(10, value)
    model = Model(alphas=3).fit(X, y)
    np.testing.assert_array_equal(model.predict(X_test), y)
    np.testing.assert_array_equal(model.alphas_, [np.finfo(float).resolution] * 3)


def test_hand_set_coef_is_a_warm_start():
    model = Lasso(alpha=1e-10, fit_intercept=False, warm_start=True, max_iter=1)
    model.coef_ = np.array([1.0, 1, 1, 1000])
    X, y = np.array([[-1.0, -1, 1, 1], [1, 1, -1, -1]]), np.array([-1.0, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # one iteration from a far-off start
        model.fit(X, y)
    assert model.coef_.shape == (4,) and np.all(np.isfinite(model.coef_))
    model.set_params(max_iter=100, tol=1e-10).fit(X, y)  # from there on to the optimum
    ref = SkLasso(alpha=1e-10, fit_intercept=False, tol=1e-14, max_iter=100_000).fit(X, y)
    np.testing.assert_allclose(X @ model.coef_, X @ ref.coef_, atol=1e-6)


# ----------------------------------------------------------------------------------- wrong numbers
def test_ridge_tends_to_the_minimum_norm_solution():
    X, y = make_regression(50, 50, noise=0, bias=10, random_state=42)
    ours = Ridge(alpha=2e-18).fit(X, y)
    ref = SkRidge(alpha=2e-18 * 50).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-9, atol=1e-9)
    # the limit itself: the minimum-norm least-squares solution on the centred data
    Xc, yc = X - X.mean(0), y - y.mean()
    w_min = np.linalg.pinv(Xc) @ yc
    assert np.linalg.norm(w_min) == pytest.approx(143.7, abs=0.05)
    np.testing.assert_allclose(Ridge(alpha=0.0).fit(X, y).coef_, w_min, rtol=1e-8, atol=1e-8)
    assert ours.converged_


@pytest.mark.parametrize("precompute", [False, True])
@pytest.mark.parametrize("effective_rank", [None, 10])
def test_elastic_net_without_penalty_is_least_squares(precompute, effective_rank):
    rng = np.random.RandomState(0)
    X, y = make_regression(300, 100, effective_rank=effective_rank, n_informative=50, random_state=rng)
    sw = rng.uniform(0.01, 10, size=300)
    ols = LinearRegression().fit(X, y, sample_weight=sw)
    with pytest.warns(UserWarning, match="alpha=0"):
        enet = ElasticNet(alpha=0, precompute=precompute, tol=1e-15).fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(enet.coef_, ols.coef_, atol=1e-10)
    assert enet.intercept_ == pytest.approx(ols.intercept_, abs=1e-10)


@pytest.mark.parametrize(
    "make, reference",
    [
        (lambda tol: Ridge(alpha=0.5, tol=tol, solver="cd"), lambda n: SkRidge(alpha=0.5 * n, solver="cholesky")),
        (
            lambda tol: ElasticNet(alpha=0.3, l1_ratio=0.5, tol=tol),
            lambda n: SkElasticNet(alpha=0.3, l1_ratio=0.5, tol=1e-14, max_iter=100_000),
        ),
        (
            lambda tol: LpRegression(alpha=0.4, p=2.0, tol=tol, solver="fista"),
            lambda n: SkRidge(alpha=0.4 * n, solver="cholesky"),
        ),
    ],
)
def test_coef_error_bound_holds_for_regressors(diabetes, make, reference):
    X, y = diabetes
    w_star = reference(len(y)).fit(X, y).coef_
    for tol in (1e-2, 1e-4, 1e-8):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = make(tol).set_params(max_iter=3).fit(X, y)  # also when stopped early
        assert model.coef_error_bound_ is not None
        assert np.linalg.norm(model.coef_ - w_star) <= model.coef_error_bound_ * (1 + 1e-9) + 1e-12


def test_coef_error_bound_holds_for_l2_logistic(diabetes):
    X, y = diabetes
    labels = (y > np.median(y)).astype(int)
    alpha = 0.01
    ref = SkLogistic(C=1 / (len(y) * alpha), tol=1e-12, max_iter=10_000).fit(X, labels)
    for tol in (1e-3, 1e-6, 1e-10):
        model = LogisticRegression("l2", alpha, tol=tol).fit(X, labels)
        assert np.linalg.norm(model.coef_ - ref.coef_) <= model.coef_error_bound_ + 1e-7
    assert model.coef_error_bound_ < 1e-3
    assert Lasso(0.1).fit(X, y).coef_error_bound_ is None  # no strong convexity: no bound claimed
    assert Ridge(1.0, penalty_factor=[0.0] + [1.0] * 9).fit(X, y).coef_error_bound_ is None


@pytest.mark.parametrize("seed", range(4))
def test_l1_logistic_converges_at_a_tiny_alpha(seed):
    X, y = make_classification(n_samples=300, n_features=20, n_informative=5, random_state=seed)
    alpha = 3.3e-9
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model = LogisticRegression("l1", alpha, max_iter=100).fit(X, y)
    assert model.converged_ and model.n_outer_iter_ <= 30
    # certified: no solution of an independent solver is better than the gap allows
    ref = SkLogistic(C=1 / (300 * alpha), l1_ratio=1.0, solver="saga", tol=1e-10, max_iter=20_000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref.fit(X, y)
    z = X @ ref.coef_[0] + ref.intercept_[0]
    f_ref = np.mean(np.logaddexp(0, -np.where(y == 1, 1, -1) * z)) + alpha * np.abs(ref.coef_).sum()
    # f_ref >= F* >= objective_ - dual_gap_: the gap bounds how much better any solution can be
    assert model.objective_ - model.dual_gap_ <= f_ref + 1e-12
    assert model.objective_ - f_ref <= model.dual_gap_


# -------------------------------------------------------------------------------- types and shapes
def test_types_and_shapes_as_scikit_learn(diabetes):
    X, y = diabetes
    reg = Lasso(0.1).fit(X, y)
    assert type(reg.intercept_) is np.float64 and reg.coef_.shape == (10,)
    labels = y > np.median(y)
    clf = LogisticRegression("l1", 0.01).fit(X, labels)
    sk = SkLogistic().fit(X, labels)
    assert clf.coef_.shape == sk.coef_.shape == (1, 10)
    assert clf.intercept_.shape == sk.intercept_.shape == (1,)
    assert clf.n_iter_.shape == sk.n_iter_.shape == (1,)
    np.testing.assert_array_equal(clf.decision_function(X), X @ clf.coef_[0] + clf.intercept_[0])
    X32 = X.astype(np.float32)
    for model in (Lasso(0.1), ElasticNet(0.1), Ridge(1.0)):
        model.fit(X32, y.astype(np.float32))
        assert model.coef_.dtype == np.float32 and model.intercept_.dtype == np.float32
    assert sp.issparse(Lasso(0.1).fit(X, y).sparse_coef_)


def test_n_iter_counts_passes_as_scikit_learn(diabetes):
    X, y = load_diabetes(return_X_y=True)
    low = ElasticNet(alpha=1e-5).fit(X, y)
    high = ElasticNet(alpha=1e-4).fit(X, y)
    assert low.n_iter_ > high.n_iter_ > 0  # stronger regularization: fewer passes
    low.set_params(warm_start=True).fit(X, y)
    assert low.n_iter_ == 0 and low.n_outer_iter_ == 1  # already certified: no pass at all
    warm = ElasticNet(alpha=1e-4, warm_start=True).fit(X, y)
    warm.set_params(alpha=1e-5).fit(X, y)
    assert ElasticNet(alpha=1e-5).fit(X, y).n_iter_ > warm.n_iter_


def test_logistic_regression_with_max_iter_0_returns_the_start(diabetes):
    X, y = diabetes
    labels = y > np.median(y)
    with pytest.warns(ConvergenceWarning):
        model = LogisticRegression(max_iter=0).fit(X, labels)
    np.testing.assert_array_equal(model.coef_, 0.0)
    # the start is the intercept-only model: the log-odds of the positive class
    assert model.intercept_[0] == pytest.approx(np.log(labels.mean() / (1 - labels.mean())))
    assert model.n_iter_[0] == 0


# ---------------------------------------------------------------------------- cross-validation
def test_cv_attributes_have_scikit_learn_shapes(diabetes):
    X, y = diabetes
    folds = KFold(4)
    ours = LassoCV(alphas=12, cv=folds).fit(X, y)
    sk = SkLassoCV(alphas=12, cv=folds).fit(X, y)
    assert ours.alphas_.shape == sk.alphas_.shape == (12,)
    assert ours.mse_path_.shape == sk.mse_path_.shape == (12, 4)
    several = ElasticNetCV(l1_ratio=[0.3, 0.9], alphas=7, cv=folds).fit(X, y)
    assert several.alphas_.shape == (2, 7) and several.mse_path_.shape == (2, 7, 4)
    one = ElasticNetCV(l1_ratio=[0.3], alphas=7, cv=folds).fit(X, y)
    assert one.alphas_.shape == (7,) and one.mse_path_.shape == (7, 4)
    # each entry is that fold's held-out error, recomputed by an independent refit
    train, test = next(iter(folds.split(X)))
    k = 3
    refit = Lasso(ours.alphas_[k], tol=1e-10).fit(X[train], y[train])
    assert ours.mse_path_[k, 0] == pytest.approx(np.mean((y[test] - refit.predict(X[test])) ** 2), rel=1e-5)


def test_eps_1_is_a_grid_at_alpha_max():
    X = np.array([[3.0, -1.0], [2.0, -5.0], [5.0, -3.0], [1.0, -4.0]])
    y = X @ np.array([1.0, -2.0])
    model = ElasticNetCV(alphas=1, cv=2, eps=1).fit(X, y)
    np.testing.assert_allclose(model.coef_, 0.0, atol=1e-12)
    below = ElasticNet(alpha=0.99 * model.alpha_, tol=1e-8).fit(X, y)
    assert np.max(np.abs(below.coef_)) > 1e-3


def test_ridge_cv_best_score_and_stored_results(diabetes):
    from sklearn.linear_model import RidgeCV as SkRidgeCV

    X, y = diabetes
    n = len(y)
    alphas = np.geomspace(10, 1e-3, 9)
    loo = RidgeCV(alphas=alphas).fit(X, y)
    sk = SkRidgeCV(alphas=alphas * n).fit(X, y)  # scikit-learn's alpha is n * lpnet's
    assert loo.best_score_ == pytest.approx(sk.best_score_, rel=1e-8)
    assert not hasattr(loo, "cv_results_") and not hasattr(sk, "cv_results_")
    kfold = RidgeCV(alphas=alphas, cv=5).fit(X, y)
    # the mean held-out R^2 of alpha_ (scikit-learn's grid-search score), from independent refits;
    # lpnet's alpha is per sample, so a training fold of m samples is scikit-learn's alpha m * alpha_
    scores = [
        SkRidge(alpha=len(train) * kfold.alpha_).fit(X[train], y[train]).score(X[test], y[test])
        for train, test in KFold(5).split(X)
    ]
    assert kfold.best_score_ == pytest.approx(np.mean(scores), rel=1e-9)
    with pytest.raises(ValueError, match="cv=None"):
        RidgeCV(alphas=alphas, cv=5, store_cv_results=True).fit(X, y)


def test_logistic_cv_attributes(diabetes):
    X, y = diabetes
    labels = np.where(y > np.median(y), "high", "low")
    folds = StratifiedKFold(3)
    alphas = np.geomspace(0.05, 0.001, 5)
    cv = LogisticRegressionCV(penalty="l1", alphas=alphas, cv=folds, tol=1e-10).fit(X, labels)
    key = cv.classes_[1]
    assert set(cv.coefs_paths_) == set(cv.scores_) == {key}
    assert cv.coefs_paths_[key].shape == (3, 5, 11) and cv.scores_[key].shape == (3, 5)
    assert cv.n_iter_.shape == (1, 3, 5)
    np.testing.assert_allclose(cv.Cs_, 1 / (len(y) * alphas))
    assert cv.C_.shape == (1,) and cv.C_[0] == pytest.approx(1 / (len(y) * cv.alpha_))
    assert cv.coef_.shape == (1, 10) and cv.l1_ratio_.shape == (1,)
    # one entry, recomputed by an independent single fit on that fold
    train, test = list(folds.split(X, labels))[1]
    fit = LogisticRegression("l1", alphas[2], tol=1e-10).fit(X[train], labels[train])
    np.testing.assert_allclose(cv.coefs_paths_[key][1, 2, :10], fit.coef_[0], atol=1e-5)
    assert cv.coefs_paths_[key][1, 2, 10] == pytest.approx(fit.intercept_[0], abs=1e-5)
    assert cv.scores_[key][1, 2] == pytest.approx(fit.score(X[test], labels[test]))
    net = LogisticRegressionCV(penalty="elasticnet", l1_ratio=[0.2, 0.8], alphas=alphas, cv=folds).fit(X, labels)
    assert net.coefs_paths_[key].shape == (3, 5, 2, 11) and net.scores_[key].shape == (3, 5, 2)


def test_fit_params_need_metadata_routing(diabetes):
    X, y = diabetes
    groups = np.arange(len(y)) % 5
    with pytest.raises(ValueError, match="only supported if enable_metadata_routing=True"):
        LassoCV(cv=GroupKFold(5)).fit(X, y, groups=groups)
    with config_context(enable_metadata_routing=True):
        routed = LassoCV(cv=GroupKFold(5), alphas=8).fit(X, y, groups=groups)
    explicit = LassoCV(cv=list(GroupKFold(5).split(X, y, groups)), alphas=8).fit(X, y)
    np.testing.assert_allclose(routed.mse_path_, explicit.mse_path_)


def test_old_selection_name_is_deprecated(diabetes):
    X, y = diabetes
    with pytest.warns(FutureWarning, match="alpha_rule"):
        old = LassoCV(selection="1se", alphas=10, cv=3).fit(X, y)
    new = LassoCV(alpha_rule="1se", alphas=10, cv=3).fit(X, y)
    assert old.alpha_ == new.alpha_


# ------------------------------------------------------------------------- parameters and errors
def test_scikit_learn_parameters_at_their_defaults(diabetes):
    X, y = diabetes
    for Model in (Lasso, ElasticNet, LassoCV, ElasticNetCV):
        params = dict(precompute="auto", copy_X=True, positive=False, random_state=0, selection="cyclic")
        Model(**params).fit(X, y)
    tall_X, tall_y = make_regression(400, 10, random_state=0)
    assert Lasso(0.1, precompute=True).fit(tall_X, tall_y).solver_ == "cd_gram"
    assert Lasso(0.1, precompute=False).fit(tall_X, tall_y).solver_ == "cd"
    with pytest.raises(ValueError, match="cyclic"):
        Lasso(selection="random").fit(X, y)


def test_precomputed_gram_matrix_is_checked(diabetes):
    X, y = diabetes
    rng = np.random.RandomState(0)
    garbage = rng.standard_normal(X.shape)
    with pytest.raises(ValueError, match="did not pass validation"):
        ElasticNet(alpha=0.01, precompute=garbage.T @ garbage).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the Gram of uncentred data serves: lpnet centres it itself
        model = ElasticNet(alpha=0.5, precompute=(X + 1).T @ (X + 1)).fit(X + 1, y)
    np.testing.assert_allclose(model.coef_, ElasticNet(alpha=0.5).fit(X + 1, y).coef_, atol=1e-6)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_precomputed_gram_matrix_is_used(fit_intercept):
    X, y = make_regression(300, 12, noise=5.0, random_state=3)
    X = X + np.linspace(-2.0, 3.0, X.shape[1])  # uncentred columns
    sw = np.random.RandomState(1).uniform(0.5, 2.0, X.shape[0])
    s = sw * X.shape[0] / sw.sum()
    gram = X.T @ (s[:, None] * X)
    kw = dict(alpha=0.3, l1_ratio=0.7, fit_intercept=fit_intercept, tol=1e-12, max_iter=10_000)
    given = ElasticNet(precompute=gram, **kw).fit(X, y, sample_weight=sw)
    assert given.solver_ == "cd_gram"
    computed = ElasticNet(**kw).fit(X, y, sample_weight=sw)  # the Gram computed from X
    np.testing.assert_allclose(given.coef_, computed.coef_, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(given.intercept_, computed.intercept_, rtol=1e-9, atol=1e-9)
    reference = SkElasticNet(**kw).fit(X, y, sample_weight=sw)  # (its own stopping rule: looser)
    np.testing.assert_allclose(given.coef_, reference.coef_, rtol=1e-4, atol=1e-5 * np.abs(reference.coef_).max())
    if not fit_intercept:
        # a Gram that passes the one-column check but differs elsewhere changes the fit: it is the one
        # used (at tol 1e-6 its own gap is trusted; far below, a pass over X certifies the fit)
        other = gram.copy()
        other[0, 0] *= 4.0
        kw["tol"] = 1e-6
        changed = ElasticNet(precompute=other, **kw).fit(X, y, sample_weight=sw)
        assert changed.solver_ == "cd_gram" and abs(changed.coef_[0] - given.coef_[0]) > 1.0


def test_warnings_as_scikit_learn():
    X, y = [[-1.0], [0.0], [1.0]], [-1.0, 0.0, 1.0]
    with pytest.warns(UserWarning, match="With alpha=0"):
        Lasso(alpha=0).fit(X, y)
    with pytest.warns(UserWarning, match="l1_ratio is used only with penalty='elasticnet'"):
        LogisticRegression("l1", l1_ratio=0.3).fit(X, [0, 1, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LogisticRegression("elasticnet", l1_ratio=0.3).fit(X, [0, 1, 1])
        LogisticRegression("l2").fit(X, [0, 1, 1])


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: ElasticNet(alpha=np.inf), "alpha"),
        (lambda: Lasso(alpha=np.nan), "alpha"),
        (lambda: ElasticNet(l1_ratio=np.inf), "l1_ratio"),
        (lambda: LassoCV(alphas=(1, -1, -100)), r"alphas\[1\] == -1, must be >= 0.0"),
        (lambda: LassoCV(alphas=(1, 1.0, "1")), r"alphas\[2\] must be an instance of float, not str"),
        (lambda: RidgeCV(alphas=(0.0, 1.0)), r"alphas\[0\] == 0.0, must be > 0.0"),
    ],
)
def test_bad_parameters_raise_value_errors(make, match):
    rng = np.random.RandomState(0)
    X, y = rng.randn(8, 3), rng.randn(8)
    with pytest.raises(ValueError, match=match):
        make().fit(X, y)
    with pytest.raises(TypeError, match=match):  # also a TypeError, as scikit-learn's parameter errors
        make().fit(X, y)
    RidgeCV(alphas=(0.0, 1.0), cv=2).fit(X, y)  # alpha = 0 is fine with folds


def test_data_whose_squares_overflow_are_refused():
    rng = np.random.RandomState(0)
    X = np.finfo(np.float64).max * rng.uniform(size=(10, 2))
    with pytest.raises(ValueError, match="Rescale X"):
        ElasticNet(alpha=0.1).fit(X, rng.randint(0, 2, size=10))
    with pytest.raises(ValueError, match="Rescale y"):
        ElasticNet(alpha=0.1).fit(rng.randn(10, 2), 1e200 * rng.randn(10))


def test_unknown_path_parameters_are_value_errors():
    X, y = make_regression(50, 20, random_state=0)
    with pytest.raises(ValueError, match="Unexpected parameters"):
        lpnet.enet_path(X, y, normalize=True, fit_intercept=True)


# --------------------------------------------------------------------------------- feature names
def test_feature_names_survive_in_every_refit(diabetes):
    pd = pytest.importorskip("pandas")
    X, y = diabetes
    frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(10)])
    labels = y > np.median(y)
    for model, target in [
        (LassoCV(alphas=5, cv=3), y),
        (ElasticNetCV(alphas=5, cv=3), y),
        (RidgeCV(), y),
        (RidgeCV(cv=3), y),
        (LassoIC(n_alphas=10), y),
        (LogisticRegressionCV(alphas=4, cv=3), labels),
    ]:
        model.fit(frame, target)
        assert list(model.estimator_.feature_names_in_) == list(frame.columns)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # "fitted without feature names" would fail here
            model.predict(frame)


# ------------------------------------------------------------------------------------------ state
def test_a_failed_refit_leaves_the_model_as_it_was():
    rng = np.random.RandomState(0)
    X, labels = rng.randn(40, 3), np.array(["a", "b"] * 20)
    model = LogisticRegression().fit(X, labels)
    before = {k: v for k, v in vars(model).items()}
    with pytest.raises(ValueError):
        bad = rng.randn(40, 5)
        bad[3, 1] = np.nan
        model.fit(bad, np.array(["a", "b", "c", "d"] * 10))  # other width, four classes, a NaN
    assert model.n_features_in_ == 3 and list(model.classes_) == ["a", "b"]
    assert set(vars(model)) == set(before) and model.coef_ is before["coef_"]
    assert set(model.predict(X)) <= {"a", "b"}
    cv = LassoCV(alphas=5, cv=3).fit(X, rng.randn(40))
    with pytest.raises(ValueError):
        cv.fit(rng.randn(40, 5), np.full(40, np.nan))
    assert cv.n_features_in_ == 3 and cv.predict(X).shape == (40,)
