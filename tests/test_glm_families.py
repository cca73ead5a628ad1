"""Poisson, Gamma and Tweedie regression against independent references: scikit-learn (L2), glum (L1 and
Elastic Net), statsmodels (offsets, no penalty), cvxpy (exp cone, unequal penalty factors), and the
optimality conditions computed here from the definitions."""

import warnings

import numpy as np
import pytest
from sklearn.linear_model import GammaRegressor, PoissonRegressor, TweedieRegressor

from lpnet import (
    GammaRegression,
    GammaRegressionCV,
    PoissonRegression,
    PoissonRegressionCV,
    RegularizedModel,
    TweedieRegression,
    TweedieRegressionCV,
    alpha_max,
    load,
    regularization_path,
    save,
)

N, P = 200, 8
rng = np.random.default_rng(11)
X = rng.standard_normal((N, P))
W_TRUE = np.array([0.5, -0.4, 0.3, 0, 0, 0.2, 0, 0])
MU = np.exp(0.3 + X @ W_TRUE)
TARGETS = {
    "poisson": rng.poisson(MU).astype(float),
    "gamma": rng.gamma(2.0, MU / 2.0),
    "tweedie": rng.poisson(MU) * rng.gamma(2.0, 0.5, N),
}
ESTIMATORS = {
    "poisson": lambda **k: PoissonRegression(**k),
    "gamma": lambda **k: GammaRegression(**k),
    "tweedie": lambda **k: TweedieRegression(power=1.5, **k),
}
SKLEARN = {
    "poisson": lambda a: PoissonRegressor(alpha=a, solver="newton-cholesky", tol=1e-12, max_iter=1000),
    "gamma": lambda a: GammaRegressor(alpha=a, solver="newton-cholesky", tol=1e-12, max_iter=1000),
    "tweedie": lambda a: TweedieRegressor(power=1.5, link="log", alpha=a, solver="newton-cholesky", tol=1e-12),
}


def half_deviance(name, y, eta):
    """Per-sample half deviance from the textbook formulas (independent of lpnet's code)."""
    mu = np.exp(eta)
    if name == "poisson":
        return np.where(y > 0, y * np.log(np.where(y > 0, y, 1) / mu), 0.0) - y + mu
    if name == "gamma":
        return y / mu - 1 - np.log(y / mu)
    p = 1.5
    return y ** (2 - p) / ((1 - p) * (2 - p)) - y * mu ** (1 - p) / (1 - p) + mu ** (2 - p) / (2 - p)


def eta_gradient(name, y, eta):
    """d(half deviance)/d eta per sample."""
    mu = np.exp(eta)
    if name == "poisson":
        return mu - y
    if name == "gamma":
        return 1 - y / mu
    return mu ** (1 - 1.5) * (mu - y)


def objective(name, y, X, w, b, l1, l2, factors, s=None, offset=0.0):
    s = np.ones(len(y)) if s is None else s * len(y) / s.sum()
    eta = X @ w + b + offset
    return np.mean(s * half_deviance(name, y, eta)) + np.sum(factors * (l1 * np.abs(w) + 0.5 * l2 * w**2))


@pytest.mark.parametrize("name", ESTIMATORS)
def test_l2_equals_scikit_learn(name):
    y = TARGETS[name]
    s = rng.uniform(0.5, 2.0, N)
    for alpha in (0.3, 0.01):
        ours = ESTIMATORS[name](penalty="l2", alpha=alpha, tol=1e-12).fit(X, y, sample_weight=s)
        ref = SKLEARN[name](alpha).fit(X, y, sample_weight=s)
        np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-6)
        np.testing.assert_allclose(ours.score(X, y), ref.score(X, y), rtol=1e-7, atol=1e-9)
        assert ours.converged_


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("name", ESTIMATORS)
def test_l1_and_elastic_net_match_glum(name, l1_ratio):
    glum = pytest.importorskip("glum")
    y = TARGETS[name]
    alpha = 0.02
    family = {"poisson": "poisson", "gamma": "gamma", "tweedie": glum.TweedieDistribution(1.5)}[name]
    ref = glum.GeneralizedLinearRegressor(
        family=family, link="log", alpha=alpha, l1_ratio=l1_ratio, gradient_tol=1e-12, max_iter=1000
    ).fit(X, y)
    penalty = "l1" if l1_ratio == 1.0 else "elasticnet"
    ours = ESTIMATORS[name](penalty=penalty, alpha=alpha, l1_ratio=None if l1_ratio == 1 else l1_ratio, tol=1e-12)
    ours.fit(X, y)
    ones = np.ones(P)
    f_ours = objective(name, y, X, ours.coef_, ours.intercept_, alpha * l1_ratio, alpha * (1 - l1_ratio), ones)
    f_ref = objective(name, y, X, ref.coef_, ref.intercept_, alpha * l1_ratio, alpha * (1 - l1_ratio), ones)
    assert f_ours <= f_ref + 1e-10 * abs(f_ref)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-5)
    np.testing.assert_array_equal(ours.coef_ == 0, np.abs(ref.coef_) < 1e-9)


@pytest.mark.parametrize("name", ESTIMATORS)
def test_kkt_with_unequal_penalty_factors(name):
    y = TARGETS[name]
    factors = np.array([0.0, 1.0, 2.0, 0.5, 1.0, 3.0, 1.0, 0.0])
    s = rng.uniform(0.2, 2.0, N)
    alpha = 0.03
    m = ESTIMATORS[name](penalty="l1", alpha=alpha, penalty_factor=factors, tol=1e-12).fit(X, y, sample_weight=s)
    h = s * N / s.sum()
    g_eta = h * eta_gradient(name, y, X @ m.coef_ + m.intercept_) / N
    grad = X.T @ g_eta
    assert abs(g_eta.sum()) < 1e-8  # the intercept
    tau = alpha * factors
    nz = m.coef_ != 0
    np.testing.assert_allclose(grad[nz], -tau[nz] * np.sign(m.coef_[nz]), atol=1e-7)
    assert np.all(np.abs(grad[~nz]) <= tau[~nz] + 1e-7)
    assert np.all(m.coef_[factors == 0] != 0)


def test_poisson_against_cvxpy_with_offset_and_factors():
    cp = pytest.importorskip("cvxpy")
    y = TARGETS["poisson"]
    offset = rng.normal(0, 0.3, N)
    factors = np.array([0.0, 1.0, 2.0, 0.5, 1.0, 3.0, 1.0, 1.0])
    alpha = 0.05
    m = PoissonRegression("l1", alpha, penalty_factor=factors, tol=1e-12).fit(X, y, offset=offset)
    w, b = cp.Variable(P), cp.Variable()
    eta = X @ w + b + offset
    problem = cp.Problem(cp.Minimize(cp.sum(cp.exp(eta) - cp.multiply(y, eta)) / N + alpha * factors @ cp.abs(w)))
    problem.solve(solver=cp.CLARABEL)
    constant = np.mean(np.where(y > 0, y * np.log(np.where(y > 0, y, 1)), 0) - y)
    f_ours = objective("poisson", y, X, m.coef_, m.intercept_, alpha, 0.0, factors, offset=offset)
    np.testing.assert_allclose(f_ours, problem.value + constant, rtol=1e-6)
    assert f_ours <= problem.value + constant + 1e-9
    assert m.dual_gap_ is not None and m.dual_gap_ >= 0


def test_unpenalized_poisson_with_offset_equals_statsmodels():
    sm = pytest.importorskip("statsmodels.api")
    y = TARGETS["poisson"]
    exposure = rng.uniform(0.5, 3.0, N)
    m = PoissonRegression("l2", 0.0, tol=1e-12).fit(X, y, offset=np.log(exposure))
    ref = sm.GLM(y, sm.add_constant(X), family=sm.families.Poisson(), exposure=exposure).fit(tol=1e-12)
    # (a gap of 1e-12 F_null leaves the coefficients known to about 1e-6)
    np.testing.assert_allclose(m.intercept_, ref.params[0], atol=1e-6)
    np.testing.assert_allclose(m.coef_, ref.params[1:], atol=1e-6)
    expected = ref.predict(sm.add_constant(X), exposure=exposure)
    np.testing.assert_allclose(m.predict(X, offset=np.log(exposure)), expected, rtol=1e-5)


@pytest.mark.parametrize("name", ["poisson", "gamma"])
def test_duality_gap_bounds_the_true_suboptimality(name):
    y = TARGETS[name]
    loose = ESTIMATORS[name](penalty="l1", alpha=0.01, tol=1e-3).fit(X, y)
    tight = ESTIMATORS[name](penalty="l1", alpha=0.01, tol=1e-11).fit(X, y)
    ones = np.ones(P)
    sub = objective(name, y, X, loose.coef_, loose.intercept_, 0.01, 0, ones) - objective(
        name, y, X, tight.coef_, tight.intercept_, 0.01, 0, ones
    )
    assert -1e-10 <= sub <= loose.dual_gap_
    assert loose.dual_gap_ <= 1e-3 * objective(name, y, X, np.zeros(P), np.log(np.mean(y)), 0, 0, ones) * 1.0001


def test_tweedie_is_certified_by_the_optimality_violation():
    m = TweedieRegression("l1", 0.01, power=1.3).fit(X, TARGETS["tweedie"])
    assert m.dual_gap_ is None and m.optimality_violation_ <= 1e-6 and m.converged_


@pytest.mark.parametrize("name", ESTIMATORS)
def test_exact_alpha_max_and_path(name):
    y = TARGETS[name]
    factors = np.array([0.0, 1.0, 2.0, 0.5, 1.0, 3.0, 1.0, 1.0])
    datafit = RegularizedModel(datafit=name)._datafit() if name != "tweedie" else "tweedie"
    top = alpha_max(X, y, penalty="l1", datafit=datafit, penalty_factor=factors)
    # a path starts at the free model (the unpenalized feature and the intercept fitted), the exact
    # solution above alpha_max
    around = regularization_path(
        X, y, datafit=datafit, penalty="l1", alphas=[top * (1 + 1e-9), top * (1 - 1e-3)], penalty_factor=factors
    )
    assert np.all(around.coefs[0][factors > 0] == 0) and np.any(around.coefs[1][factors > 0] != 0)
    # the same from the estimator, whose fit starts elsewhere: zero to within its certificate
    above = ESTIMATORS[name](penalty="l1", alpha=top * (1 + 1e-9), penalty_factor=factors, tol=1e-12).fit(X, y)
    assert np.all(np.abs(above.coef_[factors > 0]) < 1e-9)
    path = regularization_path(X, y, datafit=name, penalty="l1", n_alphas=10, eps=1e-2)
    assert np.all(path.coefs[0] == 0) and path.converged.all()
    assert np.all(np.diff(path.alphas) < 0)


def test_bad_targets_and_offsets_are_refused():
    with pytest.raises(ValueError, match="non-negative"):
        PoissonRegression().fit(X, -TARGETS["poisson"] - 1)
    with pytest.raises(ValueError, match="positive"):
        GammaRegression().fit(X, TARGETS["poisson"])  # has zeros
    with pytest.raises(ValueError, match="every count is zero"):
        PoissonRegression().fit(X, np.zeros(N))
    with pytest.raises(ValueError, match="power must be in"):
        TweedieRegression(power=2.5).fit(X, TARGETS["tweedie"])
    with pytest.raises(ValueError, match="offset has shape"):
        PoissonRegression().fit(X, TARGETS["poisson"], offset=np.zeros(N - 1))
    with pytest.raises(ValueError, match="NaN or infinity"):
        PoissonRegression().fit(X, TARGETS["poisson"], offset=np.full(N, -np.inf))
    with pytest.raises(ValueError, match="takes no offset"):
        regularization_path(X, TARGETS["gamma"], datafit="squared", offset=np.zeros(N))


def test_cv_picks_alpha_by_deviance_and_refits(tmp_path):
    y = TARGETS["poisson"]
    offset = rng.normal(0, 0.2, N)
    cv = PoissonRegressionCV(n_alphas=8, cv=3).fit(X, y, offset=offset)
    assert cv.mse_path_.shape == (8, 3)
    k = int(np.argmin(cv.mse_path_.mean(axis=1)))
    assert cv.alpha_ == cv.alphas_[k]
    single = PoissonRegression("l1", cv.alpha_).fit(X, y, offset=offset)
    np.testing.assert_allclose(cv.coef_, single.coef_, atol=1e-6)
    save(cv, tmp_path / "cv.json")
    np.testing.assert_array_equal(load(tmp_path / "cv.json").predict(X, offset=offset), cv.predict(X, offset=offset))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gamma = GammaRegressionCV(n_alphas=5, cv=3, penalty="elasticnet", l1_ratio=[0.5, 1.0]).fit(X, TARGETS["gamma"])
    assert gamma.l1_ratio_ in (0.5, 1.0) and 0 < gamma.score(X, TARGETS["gamma"]) <= 1
    tw = TweedieRegressionCV(power=1.3, n_alphas=5, cv=3).fit(X, TARGETS["tweedie"])
    assert tw.estimator_.power == 1.3 and tw.estimator_.optimality_violation_ <= 1e-6


def test_save_load_and_generic_model(tmp_path):
    from lpnet.datafits import Tweedie

    m = RegularizedModel(datafit=Tweedie(1.2), penalty="l1", alpha=0.01).fit(X, TARGETS["tweedie"])
    save(m, tmp_path / "m.json")
    back = load(tmp_path / "m.json")
    assert back.datafit == Tweedie(1.2)
    np.testing.assert_array_equal(back.predict(X), m.predict(X))
    assert np.all(m.predict(X) > 0)  # the mean, not the linear predictor


@pytest.mark.parametrize("make", [PoissonRegression, GammaRegression, TweedieRegression])
def test_scikit_learn_contract(make):
    from sklearn.utils.estimator_checks import check_estimator

    check_estimator(make(alpha=0.1))


def test_cli_fits_every_log_link_family(capsys):
    from lpnet.cli import main

    for args, expected in (
        (["fit", "--family", "gamma", "--penalty", "l1"], ["train D2", "duality gap"]),
        (["fit", "--family", "tweedie", "--power", "1.3", "--penalty", "l1"], ["train D2", "opt. violation"]),
        (["path", "--family", "poisson", "--n-alphas", "5"], ["poisson datafit", "D2"]),
        (["cv", "--family", "poisson", "--penalty", "l1", "--n-alphas", "5"], ["Poisson deviance / 2"]),
    ):
        assert main(args) == 0, capsys.readouterr().err
        out = capsys.readouterr().out
        for text in expected:
            assert text in out, (args, text)
    assert main(["fit", "--family", "poisson", "--power", "1.3"]) == 2
    assert "--power does not apply to --datafit poisson" in capsys.readouterr().err


@pytest.mark.parametrize("make", [PoissonRegressionCV, TweedieRegressionCV])
def test_scikit_learn_contract_of_the_cv_forms(make):
    from sklearn.utils.estimator_checks import check_estimator

    folds = "folds differ when rows are repeated"
    check_estimator(
        make(cv=3, n_alphas=5),
        expected_failed_checks={
            "check_sample_weight_equivalence_on_dense_data": folds,
            "check_sample_weight_equivalence_on_sparse_data": folds,
        },
    )
