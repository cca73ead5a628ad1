"""Distributed proximal Newton for every datafit with a curvature (Poisson, Gamma, Tweedie, Huber): certified
fits, warm paths and CV out of core, equal to lpnet in memory, to scikit-learn, and optimal by tests/kkt.py."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import lpnet
import lpnet.dask as ld
from lpnet.dask import fold_of
from lpnet.datafits import Huber, Tweedie

from .. import kkt
from .conftest import write_parquet

#: (kkt.py's name, the datafit as lpnet takes it); tests/kkt.py knows Tweedie at power 1.5 and Huber at
#: epsilon 1.35, scale 1
FAMILIES = [("poisson", "poisson"), ("gamma", "gamma"), ("tweedie", Tweedie(power=1.5)), ("huber", Huber())]
IDS = [kind for kind, _ in FAMILIES]
#: the tolerance of the comparisons: a gap below 1e-11 F_null, a violation below 1e-11 (Huber's L1 gap
#: stalls at its rounding floor near 2e-11 F_null: it is compared at 1e-10)
TOL = {"poisson": 1e-11, "gamma": 1e-11, "tweedie": 1e-11, "huber": 1e-11}
TOL_L1 = {**TOL, "huber": 1e-10}


def glm_table(kind, n=1200, p=6, seed=0):
    """A pandas DataFrame ``x0..x{p-1}, y`` of seeded data of the family ``kind`` (log link; Huber: a linear
    model with heavy-tailed noise)."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    coef = np.zeros(p)
    coef[:4] = [0.5, -0.3, 0.2, 0.1]
    z = X @ coef + 0.3
    if kind == "poisson":
        y = rng.poisson(np.exp(z)).astype(float)
    elif kind == "gamma":
        y = rng.gamma(2.0, np.exp(z) / 2.0)
    elif kind == "tweedie":  # compound Poisson-Gamma: exact zeros and positive amounts
        counts = rng.poisson(0.8 * np.exp(z))
        y = np.array([rng.gamma(2.0, 0.6, size=k).sum() for k in counts])
    else:
        y = 2.0 * z + rng.standard_t(2, size=n)
    frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(p)])
    frame["y"] = y
    return frame


def _arrays(frame):
    return frame.drop(columns="y").to_numpy(), frame["y"].to_numpy()


def _memory_fit(datafit, penalty, alpha, X, y, sample_weight=None, **params):
    model = lpnet.RegularizedModel(datafit, penalty, alpha, tol=1e-12, max_iter=1000, **params)
    with warnings.catch_warnings():  # (a gap at its float64 floor warns; it is still far below the check)
        warnings.simplefilter("ignore")
        return model.fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize(("kind", "datafit"), FAMILIES, ids=IDS)
def test_stream_and_memory_fits_equal_lpnet_in_memory_and_meet_kkt(tmp_path, kind, datafit):
    frame = glm_table(kind)
    X, y = _arrays(frame)
    files = write_parquet(frame, tmp_path / "p")
    f_null = kkt.null_model(y, None, kind, True)[1]
    for penalty, alpha, spec in (("l1", 0.02, kkt.PenaltySpec("l1", 0.02)), ("l2", 0.05, kkt.PenaltySpec("l2", 0.05))):
        tol = (TOL_L1 if penalty == "l1" else TOL)[kind]
        params = {"tol": tol}
        stream = ld.RegularizedModel(datafit, penalty, alpha, **params).fit(files, target="y")
        memory = ld.RegularizedModel(datafit, penalty, alpha, engine="memory", chunk_rows=250, **params).fit(X, y)
        reference = _memory_fit(datafit, penalty, alpha, X, y)
        for model in (stream, memory):
            assert model.converged_
            scale = np.max(np.abs(reference.coef_))
            assert np.max(np.abs(model.coef_ - reference.coef_)) <= 1e-6 * scale
            assert model.intercept_ == pytest.approx(reference.intercept_, abs=1e-6)
            # the certificate the in-memory model reports for this datafit, and an independent check of it
            report = kkt.kkt_violation(X, y, None, kind, spec, model.coef_, model.intercept_, True)
            assert report.max_violation <= 1e-5
            if kind == "tweedie":
                assert model.dual_gap_ is None and model.optimality_violation_ <= tol
                assert report.max_violation <= 1e-9
            else:
                assert model.optimality_violation_ is None and model.dual_gap_ <= tol * f_null
                # the gap bounds the distance to the (nearly exact) reference's objective
                assert model.objective_ - reference.objective_ <= model.dual_gap_ + 1e-14
            primal = kkt.objective(X, y, None, kind, spec, model.coef_, model.intercept_)
            assert abs(primal - model.objective_) <= 1e-12 * primal
        assert stream.n_rows_seen_ == stream.n_passes_ * len(frame)
        assert list(stream.feature_names_in_) == [f"x{j}" for j in range(X.shape[1])]
        expected = reference.predict(X)
        predicted = stream.predict(frame.drop(columns="y"))  # (fitted on files: the features have names)
        np.testing.assert_allclose(predicted, expected, rtol=0, atol=1e-6 * np.max(np.abs(expected)))


@pytest.mark.parametrize("kind", ["poisson", "gamma", "tweedie"])
def test_l2_equals_scikit_learn_glm(kind):
    from sklearn.linear_model import GammaRegressor, PoissonRegressor, TweedieRegressor

    frame = glm_table(kind, n=800, seed=1)
    X, y = _arrays(frame)
    alpha = 0.05  # scikit-learn's alpha is lpnet's L2 alpha (docs/conventions.md, log-link families)
    outside = {
        "poisson": PoissonRegressor(alpha=alpha, solver="newton-cholesky", tol=1e-12, max_iter=1000),
        "gamma": GammaRegressor(alpha=alpha, solver="newton-cholesky", tol=1e-12, max_iter=1000),
        "tweedie": TweedieRegressor(power=1.5, link="log", alpha=alpha, solver="newton-cholesky", tol=1e-12),
    }[kind].fit(X, y)
    datafit = Tweedie(power=1.5) if kind == "tweedie" else kind
    model = ld.RegularizedModel(datafit, "l2", alpha, tol=1e-11, chunk_rows=200).fit(X, y)
    np.testing.assert_allclose(model.coef_, outside.coef_, rtol=1e-6, atol=1e-7)
    assert model.intercept_ == pytest.approx(outside.intercept_, abs=1e-7)


def test_huber_equals_scikit_learn_at_its_scale():
    from sklearn.linear_model import HuberRegressor

    frame = glm_table("huber", n=800, seed=2)
    X, y = _arrays(frame)
    outside = HuberRegressor(epsilon=1.35, alpha=0.5, tol=1e-12, max_iter=10_000).fit(X, y)
    # at scikit-learn's scale sigma its objective is 2n (D + L2(alpha / n)) plus a constant
    model = ld.RegularizedModel(Huber(1.35, outside.scale_), "l2", 0.5 / len(y), tol=1e-11, chunk_rows=300)
    model.fit(X, y)
    np.testing.assert_allclose(model.coef_, outside.coef_, rtol=1e-5, atol=1e-6)
    assert model.intercept_ == pytest.approx(outside.intercept_, abs=1e-5)


#: passes per alpha along a warm-started 12-alpha L1 path, at most (mean, max): measured 2.3 / 5
#: (Poisson), 2.4 / 4 (Gamma), 1.8 / 5 (Tweedie, certified from the step's own sums), 4.8 / 11 (Huber,
#: whose Newton weights are Huber's IRLS weights, so its steps converge linearly)
PATH_PASSES = {"poisson": (3, 6), "gamma": (3, 6), "tweedie": (3, 6), "huber": (12, 16)}


@pytest.mark.parametrize(("kind", "datafit"), FAMILIES, ids=IDS)
def test_warm_path_passes_per_alpha(tmp_path, kind, datafit):
    frame = glm_table(kind, n=1000, seed=3)
    X, y = _arrays(frame)
    path = ld.regularization_path(write_parquet(frame, tmp_path / "p"), target="y", datafit=datafit, n_alphas=12)
    assert path.converged.all() and path.datafit == kind
    mean, most = PATH_PASSES[kind]
    assert path.passes_per_alpha.mean() <= mean and path.passes_per_alpha.max() <= most
    assert path.n_passes == path.passes_per_alpha.sum() + (1 if kind == "poisson" else 2)  # scan (+ null pass)
    # the first alpha is alpha_max (an independent computation): the null model, certified as it is
    assert not path.coefs[0].any()
    assert path.alphas[0] == pytest.approx(kkt.alpha_max(X, y, None, kind, True), rel=1e-7)
    certificates = path.optimality_violations if kind == "tweedie" else path.dual_gaps
    assert np.all(certificates <= 1e-6 * (1.0 if kind == "tweedie" else kkt.null_model(y, None, kind, True)[1]))
    for coef, intercept, alpha in zip(path.coefs[1::4], path.intercepts[1::4], path.alphas[1::4], strict=True):
        report = kkt.kkt_violation(X, y, None, kind, kkt.PenaltySpec("l1", alpha), coef, intercept, True)
        assert report.max_violation <= 1e-3


@pytest.mark.parametrize(("kind", "datafit"), [FAMILIES[0], FAMILIES[2]], ids=["poisson", "tweedie"])
def test_cross_validation_picks_the_alpha_of_lpnet_in_memory_on_the_same_folds(tmp_path, kind, datafit):
    frame = glm_table(kind, n=900, seed=4)
    X, y = _arrays(frame)
    model = ld.RegularizedModelCV(datafit, "l1", n_alphas=8, cv=3, random_state=5, tol=1e-10).fit(
        write_parquet(frame, tmp_path / "p"), target="y"
    )
    folds = fold_of(0, len(frame), 3, 5)
    splits = [(np.flatnonzero(folds != k), np.flatnonzero(folds == k)) for k in range(3)]
    reference = lpnet.RegularizedModelCV(datafit, "l1", alphas=model.alphas_, cv=splits, tol=1e-10).fit(X, y)
    assert model.alpha_ == reference.alpha_
    np.testing.assert_allclose(model.mse_path_, reference.mse_path_, rtol=1e-6)
    np.testing.assert_allclose(model.coef_, reference.coef_, rtol=1e-5, atol=1e-8)
    # every fold's path and the final one ran in the same passes
    assert model.n_passes_ <= 2 + 8 * 4
    assert model.n_rows_seen_ == model.n_passes_ * len(frame)


def test_dask_engine_equals_stream_engine(tmp_path, dask_client):
    frame = glm_table("poisson", n=900, seed=6)
    files = write_parquet(frame, tmp_path / "p")
    params = {"datafit": "poisson", "penalty": "elasticnet", "alpha": 0.01, "l1_ratio": 0.5, "tol": 1e-10}
    stream = ld.RegularizedModel(**params).fit(files, target="y")
    dask = ld.RegularizedModel(**params, engine="dask").fit(files, target="y")
    assert dask.n_passes_ == stream.n_passes_
    np.testing.assert_allclose(dask.coef_, stream.coef_, rtol=1e-8, atol=1e-12)


def test_weights_no_intercept_and_the_in_memory_twin(tmp_path):
    import lpnet.io

    frame = glm_table("gamma", n=800, seed=7)
    frame["w"] = np.random.default_rng(0).uniform(0.2, 3.0, size=len(frame))
    X, y, s = frame[[f"x{j}" for j in range(6)]].to_numpy(), frame["y"].to_numpy(), frame["w"].to_numpy()
    files = write_parquet(frame, tmp_path / "p")
    for fit_intercept in (True, False):
        model = ld.RegularizedModel("gamma", "l1", 0.01, fit_intercept=fit_intercept, tol=1e-10)
        model.fit(files, target="y", weight="w")
        spec = kkt.PenaltySpec("l1", 0.01)
        report = kkt.kkt_violation(X, y, s, "gamma", spec, model.coef_, model.intercept_, fit_intercept)
        assert model.converged_ and report.max_violation <= 1e-5
        reference = _memory_fit("gamma", "l1", 0.01, X, y, s, fit_intercept=fit_intercept)
        np.testing.assert_allclose(model.coef_, reference.coef_, rtol=1e-6, atol=1e-9)
        assert abs(kkt.objective(X, y, s, "gamma", spec, model.coef_, model.intercept_) - model.objective_) <= 1e-12
        if not fit_intercept:
            assert model.intercept_ == 0.0
    lpnet.io.save(model.estimator_, tmp_path / "model")
    loaded = lpnet.io.load(tmp_path / "model")
    features = frame.drop(columns=["y", "w"])
    np.testing.assert_allclose(loaded.predict(features), np.exp(X @ model.coef_), rtol=1e-12)
    assert model.score(features, y) == pytest.approx(loaded.score(features, y))


def test_bad_input_gets_a_clear_error(tmp_path):
    frame = glm_table("poisson", n=300, seed=8)
    X, y = _arrays(frame)
    bad = frame.copy()
    bad.loc[250, "y"] = -2.0  # in the last of three files
    with pytest.raises(ValueError, match="part-2.*non-negative"):
        ld.RegularizedModel("poisson").fit(write_parquet(bad, tmp_path / "neg"), target="y")
    with pytest.raises(ValueError, match="positive target"):
        ld.RegularizedModel("gamma").fit(X, y)  # Poisson counts hold zeros
    with pytest.raises(ValueError, match="every count is zero"):
        ld.RegularizedModel("poisson").fit(X, np.zeros_like(y))
    with pytest.raises(ValueError, match="not fitted out of core"):
        ld.RegularizedModel("cox").fit(X, y)
    with pytest.raises(ValueError, match="penalty must be one of"):
        ld.RegularizedModel("poisson", "mcp").fit(X, y)
    with pytest.raises(ValueError, match="alpha must be > 0"):
        ld.RegularizedModel("poisson", alpha=0.0).fit(X, y)
    with pytest.raises(ValueError, match="cv must be an int >= 2"):
        ld.RegularizedModelCV("poisson", cv=1).fit(X, y)


@pytest.mark.parametrize(
    "estimator",
    [ld.RegularizedModel("poisson", alpha=0.1), ld.RegularizedModelCV("poisson", n_alphas=3, cv=3)],
    ids=lambda e: type(e).__name__,
)
def test_scikit_learn_contract(estimator):
    from sklearn.utils.estimator_checks import check_estimator

    expected = {}
    if isinstance(estimator, ld.RegularizedModelCV):
        expected["check_sample_weight_equivalence_on_dense_data"] = (
            "the check passes explicit splits; the CV draws its folds by a hash of the row index"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_estimator(estimator, expected_failed_checks=expected)


@pytest.mark.parametrize("name", ["logistic", "poisson", "gamma", "huber", "squared"])
def test_sample_metric_is_each_samples_own(name):
    from lpnet.dask.newton_scan import sample_metric
    from lpnet.datafits import make_datafit

    # the batch evaluation of the dual metric equals the datafit's metric of every sample as data of its
    # own (one row, n = 1), so it does not depend on how the rows are chunked
    datafit = make_datafit(name)
    rng = np.random.default_rng(9)
    y = np.where(rng.uniform(size=40) < 0.5, -1.0, 1.0) if name == "logistic" else rng.gamma(2.0, 1.0, size=40)
    c = rng.uniform(0.0, 2.0, size=40) / 40
    theta = -datafit.raw_grad(y, rng.normal(size=40), c * 40)
    one_by_one = [datafit.dual_metric(theta[i : i + 1], y[i : i + 1], c[i : i + 1])[0] for i in range(40)]
    np.testing.assert_allclose(sample_metric(datafit, theta, y, c), one_by_one, rtol=1e-12, atol=0)


def test_logistic_and_squared_datafits_through_the_generic_model():
    from .test_logistic import classification_table

    frame = classification_table(n=800, seed=1)
    X, y = _arrays(frame)
    model = ld.RegularizedModel("logistic", "l1", 0.01, tol=1e-10, chunk_rows=300).fit(X, y)
    reference = lpnet.LogisticRegression("l1", 0.01, tol=1e-12).fit(X, y)
    assert model.converged_ and model.coef_.shape == (1, 6)
    np.testing.assert_allclose(model.coef_, reference.coef_, atol=1e-7)
    np.testing.assert_array_equal(model.predict(X), reference.predict(X))
    # the squared loss too (one Newton step solves it), certified by its gap
    z = X @ np.arange(6.0) + np.random.default_rng(1).normal(size=len(y))
    lasso = ld.RegularizedModel("squared", "l1", 0.05, tol=1e-10).fit(X, z)
    np.testing.assert_allclose(lasso.coef_, lpnet.Lasso(0.05, tol=1e-12).fit(X, z).coef_, atol=1e-8)
    assert lasso.converged_ and lasso.dual_gap_ <= 1e-10 * np.var(z)


@pytest.mark.parametrize("datafit", ["poisson", "logistic"])
def test_working_sets_give_the_same_path(monkeypatch, datafit):
    import lpnet.dask.glm as glm

    from .test_logistic import classification_table

    frame = classification_table(n=800, seed=10) if datafit == "logistic" else glm_table("poisson", n=800, seed=10)
    X, y = _arrays(frame)
    full = ld.regularization_path(X, y, datafit=datafit, n_alphas=8, tol=1e-10)
    # beyond MAX_FEATURES the passes sum the gradient of every feature and the Hessian of a working set
    monkeypatch.setattr(glm, "MAX_FEATURES", 3)
    wide = ld.regularization_path(X, y, datafit=datafit, n_alphas=8, tol=1e-10)
    assert wide.converged.all()
    np.testing.assert_allclose(wide.alphas, full.alphas, rtol=1e-12)
    np.testing.assert_allclose(wide.coefs, full.coefs, atol=1e-7)
    assert wide.passes_per_alpha.mean() <= 5  # (a grown set costs one pass for its Hessian)
    with pytest.raises(ValueError, match="working set"):
        ld.RegularizedModel(datafit, "l2", 0.1).fit(X, y)


def test_more_features_than_a_hessian_allows():
    rng = np.random.default_rng(11)
    X = rng.normal(size=(120, 5050))
    y = rng.poisson(np.exp(0.6 * X[:, 0] - 0.4 * X[:, 1])).astype(float)
    model = ld.RegularizedModel("poisson", "l1", 0.15, tol=1e-10).fit(X, y)
    reference = _memory_fit("poisson", "l1", 0.15, X, y)
    assert model.converged_ and 0 < np.count_nonzero(model.coef_) < 200
    np.testing.assert_allclose(model.coef_, reference.coef_, atol=1e-7)
    report = kkt.kkt_violation(X, y, None, "poisson", kkt.PenaltySpec("l1", 0.15), model.coef_, model.intercept_, True)
    assert report.max_violation <= 1e-6
