"""Cross-validated estimators, information criteria and stability selection."""

import numpy as np
import pytest
from sklearn import config_context
from sklearn.datasets import load_diabetes
from sklearn.linear_model import ElasticNetCV as SkElasticNetCV
from sklearn.linear_model import LassoCV as SkLassoCV
from sklearn.linear_model import LassoLarsIC
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.utils.estimator_checks import parametrize_with_checks

import lpnet
from lpnet import LogisticRegression, LpRegression
from lpnet.model_selection import (
    ElasticNetCV,
    LassoCV,
    LassoIC,
    LogisticRegressionCV,
    LpRegressionCV,
    RegularizedModelCV,
    stability_selection,
)
from lpnet.penalties import MCP


@pytest.fixture(scope="module")
def diabetes():
    X, y = load_diabetes(return_X_y=True)
    return (X - X.mean(0)) / X.std(0), y


def test_lasso_cv_picks_the_same_alpha_as_sklearn(diabetes):
    X, y = diabetes
    folds = KFold(5)
    sk = SkLassoCV(cv=folds, alphas=30, tol=1e-8, max_iter=100_000).fit(X, y)
    ours = LassoCV(cv=folds, alphas=sk.alphas_, tol=1e-8).fit(X, y)
    np.testing.assert_allclose(ours.alphas_, np.sort(sk.alphas_)[::-1])
    # same folds and grid: the same validation losses per fold, so the same choice
    assert ours.mse_path_.shape == sk.mse_path_.shape == (30, 5)
    np.testing.assert_allclose(ours.mse_path_, sk.mse_path_, rtol=1e-5)
    assert ours.alpha_ == pytest.approx(sk.alpha_)
    np.testing.assert_allclose(ours.coef_, sk.coef_, rtol=1e-4, atol=1e-3)


def test_elastic_net_cv_picks_the_same_pair_as_sklearn(diabetes):
    X, y = diabetes
    folds = KFold(4)
    ratios = [0.2, 0.7, 1.0]
    sk = SkElasticNetCV(l1_ratio=ratios, cv=folds, alphas=20, tol=1e-8, max_iter=100_000).fit(X, y)
    # lpnet's tol certifies a relative gap; validation losses to 1e-5 need one near 1e-11 (1e-8 leaves
    # the predictions ~sqrt(2e-8 F_null) off, ~1e-4 of these losses)
    ours = ElasticNetCV(l1_ratio=ratios, cv=folds, alphas=sk.alphas_[0], tol=1e-11).fit(X, y)
    assert ours.l1_ratio_ == sk.l1_ratio_
    # sklearn's grid differs per l1_ratio; compare the losses on the shared grid of the first ratio
    # an explicit grid is shared by the l1_ratios: 1-D, as scikit-learn reports it
    assert ours.alphas_.shape == (20,) and ours.mse_path_.shape == sk.mse_path_.shape == (3, 20, 4)
    np.testing.assert_allclose(ours.mse_path_[0], sk.mse_path_[0], rtol=1e-5)


def test_one_standard_error_rule_picks_a_larger_alpha(diabetes):
    X, y = diabetes
    a = LassoCV(cv=5, n_alphas=30, alpha_rule="min").fit(X, y)
    b = LassoCV(cv=5, n_alphas=30, alpha_rule="1se").fit(X, y)
    assert b.alpha_ >= a.alpha_
    res = b.cv_results_
    i, k = res.index_min
    i1, k1 = res.index_1se
    # the 1se choice is within one standard error of the minimum, and it is the largest such alpha
    bound = res.mean[i, k] + res.std[i, k] / np.sqrt(res.losses.shape[1])
    assert res.mean[i1, k1] <= bound
    assert np.all(res.mean[i, :k1] > bound)
    assert np.count_nonzero(b.coef_) <= np.count_nonzero(a.coef_)


def _brute_force_cv(make, X, y, alphas, folds, loss):
    losses = np.zeros((len(alphas), folds.get_n_splits()))
    for f, (train, test) in enumerate(folds.split(X, y)):
        for k, alpha in enumerate(alphas):
            model = make(alpha).fit(X[train], y[train])
            losses[k, f] = loss(model, X[test], y[test])
    return losses.mean(axis=1)


def test_logistic_cv_matches_independent_single_fits(diabetes):
    X, y = diabetes
    labels = np.where(y > np.median(y), "high", "low")
    folds = StratifiedKFold(3)
    alphas = np.geomspace(0.05, 0.0005, 6)
    cv = LogisticRegressionCV(penalty="l1", alphas=alphas, cv=folds, tol=1e-8).fit(X, labels)

    def log_loss(model, Xt, yt):
        sign = np.where(yt == model.classes_[1], 1.0, -1.0)
        return np.mean(np.logaddexp(0, -sign * model.decision_function(Xt)))

    expected = _brute_force_cv(lambda a: LogisticRegression("l1", a, tol=1e-8), X, labels, alphas, folds, log_loss)
    np.testing.assert_allclose(cv.mse_path_.mean(axis=1), expected, rtol=1e-5)
    assert cv.alpha_ == alphas[np.argmin(expected)]
    assert cv.predict_proba(X).shape == (X.shape[0], 2)
    assert set(cv.predict(X)) <= {"high", "low"}


def test_lp_cv_matches_independent_single_fits(diabetes):
    X, y = diabetes
    folds = KFold(3)
    alphas = np.geomspace(10.0, 0.01, 6)
    cv = LpRegressionCV(p=1.5, alphas=alphas, cv=folds, tol=1e-9).fit(X, y)
    expected = _brute_force_cv(
        lambda a: LpRegression(a, 1.5, tol=1e-9),
        X,
        y,
        alphas,
        folds,
        lambda m, Xt, yt: np.mean((yt - m.predict(Xt)) ** 2),
    )
    np.testing.assert_allclose(cv.mse_path_.mean(axis=1), expected, rtol=1e-5)


def test_lasso_ic_matches_the_textbook_criterion(diabetes):
    X, y = diabetes
    n = X.shape[0]
    for criterion in ("aic", "bic"):
        ic = LassoIC(criterion=criterion, n_alphas=40, tol=1e-9).fit(X, y)
        # noise variance as scikit-learn's LassoLarsIC estimates it
        ref = LassoLarsIC(criterion=criterion).fit(X, y)
        assert ic.noise_variance_ == pytest.approx(ref.noise_variance_, rel=1e-8)
        # the criterion recomputed independently at the chosen alpha
        k = np.flatnonzero(ic.alphas_ == ic.alpha_)[0]
        rss = np.sum((y - ic.predict(X)) ** 2)
        penalty = 2.0 if criterion == "aic" else np.log(n)
        expected = (
            n * np.log(2 * np.pi * ic.noise_variance_) + rss / ic.noise_variance_ + penalty * np.count_nonzero(ic.coef_)
        )
        assert ic.criterion_[k] == pytest.approx(expected, rel=1e-6)
        assert ic.criterion_[k] == ic.criterion_.min()


def test_lasso_ic_needs_more_samples_than_features():
    X = np.random.default_rng(0).standard_normal((5, 8))
    with pytest.raises(ValueError, match="noise_variance"):
        LassoIC().fit(X, X[:, 0])


def test_stability_selection_shows_the_lasso_splitting_a_correlated_group():
    rng = np.random.default_rng(0)
    n = 200
    z = rng.standard_normal(n)
    X = np.column_stack(
        [z + 0.05 * rng.standard_normal(n), z + 0.05 * rng.standard_normal(n), rng.standard_normal((n, 4))]
    )
    y = 2 * z + 0.5 * rng.standard_normal(n)
    common = dict(alphas=[0.3], n_subsamples=40, random_state=0)
    lasso = stability_selection(X, y, penalty="l1", **common)
    enet = stability_selection(X, y, penalty="elasticnet", l1_ratio=0.1, **common)
    # the Elastic Net keeps both twins in (nearly) every subsample; the Lasso drops one of them often
    assert enet.frequencies[0, :2].min() >= 0.95
    assert lasso.frequencies[0, :2].min() < 0.9
    assert enet.frequencies.shape == (1, 6)
    assert set(enet.selected(0.9)) >= {"x0", "x1"}


def test_bad_alpha_rule():
    with pytest.raises(ValueError, match="alpha_rule"):
        LassoCV(alpha_rule="best").fit(np.eye(5), np.arange(5.0))
    with pytest.raises(ValueError, match="selection"):  # scikit-learn's `selection` names an order
        LassoCV(selection="best").fit(np.eye(5), np.arange(5.0))


def test_plot_cv(diabetes):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    X, y = diabetes
    model = ElasticNetCV(l1_ratio=[0.5, 1.0], n_alphas=10, cv=3).fit(X, y)
    ax = model.plot_cv()
    assert len(ax.lines) >= 2  # both choices marked


# Repeating a row changes which fold it falls in, so a weighted CV cannot equal the CV of repeated rows
# (scikit-learn's own LassoCV fails this check for the same reason); the final refit does honour weights.
_CV_XFAIL = {
    "check_sample_weight_equivalence_on_dense_data": "folds differ when rows are repeated",
    "check_sample_weight_equivalence_on_sparse_data": "folds differ when rows are repeated",
}


@parametrize_with_checks(
    [LassoCV(n_alphas=5, cv=3), ElasticNetCV(n_alphas=5, cv=3), LogisticRegressionCV(n_alphas=5, cv=3)],
    expected_failed_checks=lambda est: {} if isinstance(est, LogisticRegressionCV) else _CV_XFAIL,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_ridge_cv_leave_one_out_matches_sklearn(diabetes):
    from sklearn.linear_model import RidgeCV as SkRidgeCV

    from lpnet.model_selection import RidgeCV

    X, y = diabetes
    n = X.shape[0]
    alphas = np.geomspace(10, 1e-4, 25)
    ours = RidgeCV(alphas=alphas).fit(X, y)
    sk = SkRidgeCV(alphas=alphas * n, store_cv_results=True).fit(X, y)  # scikit-learn's alpha is n * ours
    assert ours.alpha_ == pytest.approx(sk.alpha_ / n)
    np.testing.assert_allclose(ours.mse_path_.mean(axis=1), sk.cv_results_.mean(axis=0), rtol=1e-8)
    assert ours.best_score_ == pytest.approx(sk.best_score_, rel=1e-8)
    assert not hasattr(ours, "cv_results_")  # as scikit-learn: only with store_cv_results=True
    stored = RidgeCV(alphas=alphas, store_cv_results=True).fit(X, y)
    np.testing.assert_allclose(stored.cv_results_, sk.cv_results_, rtol=1e-7)


def test_ridge_cv_leave_one_out_equals_refitting_without_each_sample():
    from lpnet import Ridge
    from lpnet.model_selection import RidgeCV

    rng = np.random.default_rng(1)
    X = rng.standard_normal((15, 4)) + 2.0
    y = X @ np.array([1.0, -1.0, 0.5, 0.0]) + rng.standard_normal(15)
    s = rng.uniform(0.5, 2.0, 15)
    v = np.array([1.0, 2.0, 0.5, 1.0])
    alphas = np.array([1.0, 0.1, 0.01])
    model = RidgeCV(alphas=alphas, penalty_factor=v).fit(X, y, sample_weight=s)
    for k, alpha in enumerate(alphas):
        errors = []
        for i in range(15):
            keep = np.arange(15) != i
            fit = Ridge(alpha, penalty_factor=v, tol=1e-12).fit(X[keep], y[keep], sample_weight=s[keep])
            errors.append((y[i] - fit.predict(X[i : i + 1])[0]) ** 2)
        # removing a row rescales the others' weights (they sum to n): alpha is per-sample, so scale it
        np.testing.assert_allclose(model.cv_summary_.mean[0][k], np.average(errors, weights=s), rtol=0.2)


@pytest.mark.parametrize("collinear", [False, True], ids=["well-conditioned", "near-collinear"])
def test_ridge_cv_leave_one_out_on_tall_data_matches_sklearn(collinear):
    # tall data take the eigendecomposition of A^T A unless A is ill-conditioned (then the SVD)
    from sklearn.linear_model import RidgeCV as SkRidgeCV

    from lpnet.model_selection import RidgeCV
    from lpnet.model_selection.ridge import left_singular

    rng = np.random.default_rng(4)
    X = rng.standard_normal((300, 12))
    if collinear:
        X[:, 1] = X[:, 0] + 1e-6 * rng.standard_normal(300)
    y = X @ rng.standard_normal(12) + rng.standard_normal(300)
    A = X - X.mean(axis=0)
    U, S = left_singular(A)
    np.testing.assert_allclose(A @ (A.T @ U), U * S**2, atol=1e-8 * S.max() ** 2)  # A A^T u = s^2 u
    np.testing.assert_allclose(U.T @ U, np.eye(12), atol=1e-8)
    alphas = np.geomspace(10, 1e-6, 20)
    ours = RidgeCV(alphas=alphas).fit(X, y)
    sk = SkRidgeCV(alphas=alphas * 300, store_cv_results=True).fit(X, y)
    np.testing.assert_allclose(ours.mse_path_.mean(axis=1), sk.cv_results_.mean(axis=0), rtol=1e-7)


@pytest.fixture(scope="module")
def tall():
    rng = np.random.default_rng(11)
    n, p = 3000, 25
    X = rng.standard_normal((n, p)) @ np.triu(np.full((p, p), 0.3)) + 1.0
    w = np.zeros(p)
    w[:6] = [2.0, -1.5, 1.0, 0.5, -0.5, 0.25]
    return X, X @ w + 3.0 + 2.0 * rng.standard_normal(n), rng.uniform(0.5, 2.0, n)


def test_tall_cv_from_fold_statistics_matches_the_data_route(tall, monkeypatch):
    """K-fold CV on tall data solves every fold from per-fold statistics (no fold path reads X); the
    choice and the validation losses are those of fold paths fitted on the data."""
    from lpnet.model_selection import cv as cv_module

    X, y, s = tall
    folds = KFold(5, shuffle=True, random_state=0)
    kwargs = dict(l1_ratio=[0.2, 0.9], cv=folds, n_alphas=25, tol=1e-8)
    on_data = ElasticNetCV(penalty_factor=np.ones(X.shape[1]), **kwargs).fit(X, y, sample_weight=s)

    def no_data_route(*args, **kw):
        raise AssertionError("a fold path was fitted on the data")

    monkeypatch.setattr(cv_module, "_fold_fit", no_data_route)
    # X^T diag(s) X is computed once per held-out fold; the refit takes their sum, not a Gram of its own
    from lpnet.solvers import cd_gram

    products = []
    cross = cd_gram.weighted_cross
    monkeypatch.setattr(cd_gram, "weighted_cross", lambda X, h: products.append(X.shape) or cross(X, h))
    from_stats = ElasticNetCV(**kwargs).fit(X, y, sample_weight=s)
    assert len(products) == 5 and sum(shape[0] for shape in products) == X.shape[0]
    assert from_stats.estimator_.solver_ == "cd_gram" and from_stats.estimator_.precompute == "auto"
    assert (from_stats.alpha_, from_stats.l1_ratio_) == (on_data.alpha_, on_data.l1_ratio_)
    np.testing.assert_allclose(from_stats.mse_path_, on_data.mse_path_, rtol=1e-6)
    np.testing.assert_allclose(from_stats.coef_, on_data.coef_, rtol=1e-6, atol=1e-8)


def test_tall_cv_agrees_with_sklearn_and_falls_back_for_overlapping_folds(tall):
    from sklearn.model_selection import ShuffleSplit

    X, y, _ = tall
    folds = KFold(4)
    sk = SkLassoCV(cv=folds, alphas=20, tol=1e-10, max_iter=100_000).fit(X, y)
    ours = LassoCV(cv=folds, alphas=sk.alphas_, tol=1e-10).fit(X, y)
    assert ours.alpha_ == pytest.approx(sk.alpha_)
    np.testing.assert_allclose(ours.mse_path_, sk.mse_path_, rtol=1e-6)
    # held-out sets that overlap are not complements of the training sets: fitted on the data
    split = ShuffleSplit(n_splits=3, test_size=0.3, random_state=0)
    sk = SkLassoCV(cv=split, alphas=10, tol=1e-10, max_iter=100_000).fit(X, y)
    ours = LassoCV(cv=split, alphas=sk.alphas_, tol=1e-10).fit(X, y)
    np.testing.assert_allclose(ours.mse_path_, sk.mse_path_, rtol=1e-6)


@pytest.mark.parametrize("route", ["statistics", "data"])
def test_cv_threads_give_the_serial_result(tall, diabetes, route):
    """n_jobs=2 runs the folds on threads (the compiled paths release the GIL): the same paths, losses and
    choice as n_jobs=1, on both routes (tall data from fold statistics, wide data fitted per fold)."""
    X, y, s = tall if route == "statistics" else (*diabetes, None)
    # (unshuffled folds of Fortran-ordered data: the folds' rows are strided views, which threads copy)
    X = np.asfortranarray(X)
    kwargs = dict(l1_ratio=[0.3, 0.9], cv=KFold(4), n_alphas=12, tol=1e-8)
    serial = ElasticNetCV(**kwargs).fit(X, y, sample_weight=s)
    threads = ElasticNetCV(n_jobs=2, **kwargs).fit(X, y, sample_weight=s)
    np.testing.assert_array_equal(threads.mse_path_, serial.mse_path_)
    np.testing.assert_array_equal(threads.coef_, serial.coef_)
    assert (threads.alpha_, threads.l1_ratio_) == (serial.alpha_, serial.l1_ratio_)


def test_cv_gathers_each_folds_rows_once_for_all_its_l1_ratios(monkeypatch):
    """A fold's training and held-out rows are gathered once and serve every l1_ratio (its Design, with
    the data's set-up, shared), with the result of each l1_ratio's own CV; with threads, a job whose
    fold's Design is in use (pure L1 twice at a tight tol: face steps, whose factor is updated in place)
    gets its own, and the result is the serial one."""
    from lpnet.model_selection import cv as cv_module

    rng = np.random.default_rng(7)
    X = np.asfortranarray(rng.standard_normal((60, 150)))
    y = X[:, :4] @ np.array([2.0, -1.0, 1.5, 0.5]) + 0.3 * rng.standard_normal(60)
    calls = []
    real = cv_module.take_rows
    monkeypatch.setattr(cv_module, "take_rows", lambda *a: calls.append(1) or real(*a))
    folds = KFold(3, shuffle=True, random_state=0)
    kwargs = dict(cv=folds, n_alphas=10, tol=1e-8)
    both = ElasticNetCV(l1_ratio=[0.3, 0.8], **kwargs).fit(X, y)
    assert len(calls) == 2 * 3
    for row, ratio in enumerate((0.3, 0.8)):
        alone = ElasticNetCV(l1_ratio=ratio, **kwargs).fit(X, y)
        np.testing.assert_allclose(both.mse_path_[row], alone.mse_path_, rtol=1e-7)
    serial = ElasticNetCV(l1_ratio=[1.0, 1.0, 1.0], **kwargs).fit(X, y)
    threads = ElasticNetCV(l1_ratio=[1.0, 1.0, 1.0], n_jobs=2, **kwargs).fit(X, y)
    np.testing.assert_allclose(threads.mse_path_, serial.mse_path_, rtol=1e-7)
    np.testing.assert_allclose(serial.mse_path_[0], serial.mse_path_[2], rtol=1e-7)


def test_fold_rows_lend_a_busy_folds_rows_under_a_design_of_their_own():
    from lpnet.model_selection.cv import FoldRows

    X = np.asfortranarray(np.arange(40.0).reshape(10, 4))
    folds = list(KFold(2).split(X))
    rows = FoldRows(X, folds, [2, 1])
    design, held_out = rows.take(0)
    np.testing.assert_array_equal(design.X, X[folds[0][0]])
    np.testing.assert_array_equal(held_out, X[folds[0][1]])
    other, other_held_out = rows.take(0)  # while the first job runs
    assert other is not design and other.X is design.X and other_held_out is held_out
    rows.release(0, other)
    rows.release(0, design)
    # the fold's last job is done: its rows are let go, and a new job would gather them again
    again, _ = rows.take(0)
    assert again is not design
    design1, _ = rows.take(1)
    rows.release(1, design1)
    assert rows.take(1)[0] is not design1


def test_cv_grids_share_one_null_gradient(diabetes, monkeypatch):
    """Every l1_ratio's alpha_max comes from one gradient at the null model (X read once), and equals the
    alpha_max lpnet computes for that l1_ratio alone; a box or penalty factors change the gradient."""
    from lpnet.model_selection import cv as cv_module

    X, y = diabetes
    calls = []
    real = cv_module.null_gradient
    monkeypatch.setattr(cv_module, "null_gradient", lambda *a: calls.append(1) or real(*a))
    ratios = [0.2, 0.5, 1.0]
    model = ElasticNetCV(l1_ratio=ratios, n_alphas=5, cv=3).fit(X, y)
    assert len(calls) == 1
    for grid, ratio in zip(model.alphas_, ratios):
        assert grid[0] == pytest.approx(lpnet.alpha_max(X, y, "elasticnet", l1_ratio=ratio), rel=1e-12)
    boxed = ElasticNetCV(l1_ratio=ratios, n_alphas=5, cv=3, lower_bounds=0.0).fit(X, y)
    for grid, ratio in zip(boxed.alphas_, ratios):
        top = lpnet.alpha_max(X, y, "elasticnet", l1_ratio=ratio, lower_bounds=0.0)
        assert grid[0] == pytest.approx(top, rel=1e-9)


def test_cv_refit_scans_the_data_for_nan_once(diabetes, monkeypatch):
    """The refit sees data the CV has checked: the scan for NaN and overflow runs once per CV fit, and
    scikit-learn's assume_finite=True skips it, as it skips scikit-learn's own."""
    from sklearn import get_config

    from lpnet import _validation, fit_data

    X, y = diabetes
    scans = []
    real = fit_data.check_finite_squares
    monkeypatch.setattr(
        fit_data, "check_finite_squares", lambda *a: scans.append(not get_config()["assume_finite"]) or real(*a)
    )
    LassoCV(n_alphas=5, cv=3).fit(X, y)
    assert sum(scans) == 1
    bad = X.copy()
    bad[3, 2] = np.nan
    with pytest.raises(ValueError, match="contains NaN"):
        _validation.check_finite_squares(bad, y)
    with config_context(assume_finite=True):
        _validation.check_finite_squares(bad, y)  # (the caller vouches for the data)


# --------------------------------------------------------------------------- RegularizedModelCV
@parametrize_with_checks(
    [RegularizedModelCV(n_alphas=5, cv=3), RegularizedModelCV("logistic", "elasticnet", n_alphas=5, cv=3)],
    expected_failed_checks=lambda est: {} if est.datafit == "logistic" else _CV_XFAIL,
)
def test_generic_cv_sklearn_compatible(estimator, check):
    check(estimator)


def test_generic_cv_equals_the_dedicated_ones(diabetes):
    """The generic CV estimator picks what LassoCV / LogisticRegressionCV pick on the same folds."""
    X, y = diabetes
    folds = KFold(4, shuffle=True, random_state=0)
    lasso = LassoCV(n_alphas=15, cv=folds).fit(X, y)
    generic = RegularizedModelCV("squared", "l1", n_alphas=15, cv=folds).fit(X, y)
    assert generic.alpha_ == lasso.alpha_
    np.testing.assert_allclose(generic.mse_path_, lasso.mse_path_, rtol=1e-6)
    np.testing.assert_allclose(generic.coef_, lasso.coef_, rtol=1e-6, atol=1e-8)
    labels = y > np.median(y)
    logistic = LogisticRegressionCV("elasticnet", l1_ratio=[0.3, 0.9], n_alphas=8, cv=folds).fit(X, labels)
    generic = RegularizedModelCV("logistic", "elasticnet", l1_ratio=[0.3, 0.9], n_alphas=8, cv=folds).fit(X, labels)
    assert (generic.alpha_, generic.l1_ratio_) == (logistic.alpha_, logistic.l1_ratio_[0])
    np.testing.assert_array_equal(generic.predict(X), logistic.predict(X))
    assert set(generic.classes_) == {False, True}


def test_generic_cv_with_a_penalty_object(diabetes):
    """A Penalty instance keeps its shape (here MCP's gamma) through the folds and the refit."""
    X, y = diabetes
    model = RegularizedModelCV("squared", MCP(5.0, gamma=2.5), n_alphas=8, cv=3).fit(X, y)
    assert model.alpha_ in model.alphas_
    assert isinstance(model.estimator_.penalty, MCP) and model.estimator_.penalty.gamma == 2.5
    assert model.estimator_.penalty.alpha == model.alpha_
    assert model.optimality_violation_ is not None and model.optimality_violation_ <= 1e-6
    # the chosen alpha's mean validation error is the smallest of the grid
    assert np.argmin(model.mse_path_.mean(axis=1)) == list(model.alphas_).index(model.alpha_)


@pytest.mark.parametrize("layout", ["dense", "fortran", "csr", "csc"])
def test_held_out_predictions_skip_unused_features_only(layout):
    """A fold's held-out predictions over the features its path uses are the full product's."""
    import scipy.sparse as sp

    from lpnet.model_selection.cv import held_out_predictions

    rng = np.random.default_rng(2)
    X = rng.standard_normal((30, 40)) * (rng.random((30, 40)) < 0.5)
    coefs = rng.standard_normal((6, 40)) * (rng.random(40) < 0.3)  # most columns unused by every alpha
    coefs[0] = 0.0
    intercepts = rng.standard_normal(6)
    held_out = {"dense": X, "fortran": np.asfortranarray(X), "csr": sp.csr_matrix(X), "csc": sp.csc_matrix(X)}[layout]
    got = held_out_predictions(held_out, coefs, intercepts)
    assert isinstance(got, np.ndarray) and got.shape == (30, 6)
    np.testing.assert_allclose(got, X @ coefs.T + intercepts, rtol=1e-13, atol=1e-13)
    none = held_out_predictions(held_out, np.zeros((6, 40)), intercepts)  # the null path
    np.testing.assert_array_equal(none, np.broadcast_to(intercepts, (30, 6)))
