"""Distributed proximal Newton for the logistic loss: certified fits, warm paths and CV, equal to lpnet in memory."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import lpnet
import lpnet.dask as ld
from lpnet.dask import fold_of

from .. import kkt
from .conftest import write_csv, write_parquet


def classification_table(n=1500, p=6, seed=0, mean=0.0, labels=("no", "yes")):
    """A pandas DataFrame ``x0..x{p-1}, y`` of seeded logistic data (features shifted by ``mean``);
    the label column holds ``labels`` encoded as 0.0 / 1.0 (the engines read numeric columns)."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    coef = np.zeros(p)
    coef[: min(p, 4)] = [1.5, -1.0, 0.8, 0.4][: min(p, 4)]
    z = X @ coef + 0.3
    y = (rng.uniform(size=n) < 1.0 / (1.0 + np.exp(-z))).astype(float)
    frame = pd.DataFrame(X + mean, columns=[f"x{j}" for j in range(p)])
    frame["y"] = y
    return frame


def _arrays(frame):
    return frame.drop(columns="y").to_numpy(), frame["y"].to_numpy()


def _independent_gap(X, y, spec, coef, intercept, fit_intercept=True, s=None):
    signs = np.where(y == np.unique(y)[1], 1.0, -1.0)
    return kkt.duality_gap(X, signs, s, "logistic", spec, np.ravel(coef), float(np.ravel(intercept)[0]), fit_intercept)


CASES = [
    ({"penalty": "l1", "alpha": 0.02}, kkt.PenaltySpec("l1", 0.02)),
    ({"penalty": "l2", "alpha": 0.05}, kkt.PenaltySpec("l2", 0.05)),
    ({"penalty": "elasticnet", "alpha": 0.02, "l1_ratio": 0.3}, kkt.PenaltySpec("enet", 0.02, l1_ratio=0.3)),
]


@pytest.mark.parametrize(("params", "spec"), CASES, ids=["l1", "l2", "enet"])
def test_stream_fit_is_certified_and_equals_memory_fit(tmp_path, params, spec):
    frame = classification_table()
    X, y = _arrays(frame)
    files = write_parquet(frame, tmp_path / "p")
    model = ld.LogisticRegression(**params, chunk_rows=128).fit(files, target="y")
    reference = lpnet.LogisticRegression(**params, tol=1e-10).fit(X, y)
    f_null = kkt.null_model(np.where(y > 0, 1.0, -1.0), None, "logistic", True)[1]
    assert model.converged_ and model.dual_gap_ <= 1e-6 * f_null
    # the reported gap bounds the distance to the (nearly exact) reference objective ...
    assert model.objective_ - reference.objective_ <= model.dual_gap_ + 1e-12
    assert abs(model.objective_ - reference.objective_) <= 1e-6 * reference.objective_
    # ... and an independent Fenchel gap of the returned coefficients agrees
    check = _independent_gap(X, y, spec, model.coef_, model.intercept_)
    assert abs(check["primal"] - model.objective_) <= 1e-12
    assert check["gap"] <= 1e-6 * f_null
    np.testing.assert_array_equal(model.classes_, [0.0, 1.0])
    assert model.n_passes_ == model.n_iter_[0] + 2  # the scan, one pass per step, the last certificate
    assert model.n_rows_seen_ == model.n_passes_ * len(frame)
    np.testing.assert_allclose(model.predict_proba(frame.drop(columns="y")), reference.predict_proba(X), atol=1e-3)
    assert list(model.feature_names_in_) == [f"x{j}" for j in range(X.shape[1])]


def test_csv_dask_and_memory_engines_agree(tmp_path, dask_client):
    frame = classification_table(n=900, seed=1)
    X, y = _arrays(frame)
    params = {"penalty": "l1", "alpha": 0.01, "tol": 1e-10}
    files = write_parquet(frame, tmp_path / "p")
    stream = ld.LogisticRegression(**params).fit(files, target="y")
    dask = ld.LogisticRegression(**params, engine="dask").fit(files, target="y")
    csv = ld.LogisticRegression(**params).fit(write_csv(frame, tmp_path / "c"), target="y")
    memory = ld.LogisticRegression(**params, chunk_rows=200).fit(X, y)
    assert dask.n_passes_ == stream.n_passes_  # the same steps, whichever engine sums the chunks
    for model in (dask, csv, memory):
        np.testing.assert_allclose(model.coef_, stream.coef_, rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(model.intercept_, stream.intercept_, rtol=1e-6)


def test_warm_path_costs_about_three_passes_per_alpha(tmp_path):
    frame = classification_table(n=2000, p=8, seed=2)
    X, y = _arrays(frame)
    path = ld.logistic_path(write_parquet(frame, tmp_path / "p"), target="y", penalty="l1", n_alphas=20)
    assert path.converged.all()
    assert path.passes_per_alpha.mean() <= 3 and path.passes_per_alpha.max() <= 4
    assert path.n_passes == 1 + path.passes_per_alpha.sum() <= 60
    reference = lpnet.regularization_path(X, y, penalty="l1", datafit="logistic", alphas=path.alphas, tol=1e-10)
    f_null = kkt.null_model(np.where(y > 0, 1.0, -1.0), None, "logistic", True)[1]
    assert np.all(path.dual_gaps <= 1e-6 * f_null)
    assert np.all(path.objectives - reference.objectives <= path.dual_gaps + 1e-12)
    assert np.all(np.abs(path.objectives - reference.objectives) <= 1e-6 * reference.objectives)
    # the first alpha is alpha_max: the null model, certified without a step
    assert not path.coefs[0].any() and path.alphas[0] == pytest.approx(
        kkt.alpha_max(X, np.where(y > 0, 1.0, -1.0), None, "logistic", True), rel=1e-10
    )


def test_cross_validation_equals_memory_cv_on_the_same_folds(tmp_path):
    frame = classification_table(n=1600, seed=3)
    X, y = _arrays(frame)
    files = write_parquet(frame, tmp_path / "p")
    model = ld.LogisticRegressionCV("elasticnet", l1_ratio=[0.5, 1.0], n_alphas=8, cv=4, random_state=7, tol=1e-10).fit(
        files, target="y"
    )
    folds = fold_of(0, len(frame), 4, 7)
    cv = [(np.flatnonzero(folds != k), np.flatnonzero(folds == k)) for k in range(4)]
    assert model.mse_path_.shape == (2, 8, 4)
    expected = _memory_losses(X, y, cv, model)
    np.testing.assert_allclose(model.mse_path_, expected, rtol=1e-6)
    i, k = np.unravel_index(np.argmin(expected.mean(axis=2)), (2, 8))
    assert model.alpha_ == model.alphas_[i][k] and model.l1_ratio_ == [0.5, 1.0][i]
    check = _independent_gap(
        X, y, kkt.PenaltySpec("enet", model.alpha_, l1_ratio=model.l1_ratio_), model.coef_, model.intercept_
    )
    assert check["gap"] <= 1e-6 * check["primal"]
    # every fold, every l1_ratio and the final fit ran in the same passes: about one path's worth
    assert model.n_passes_ <= 1 + 4 * 8
    assert model.n_rows_seen_ == model.n_passes_ * len(frame)


def _memory_losses(X, y, cv, model):
    """Held-out mean log-loss of lpnet's in-memory path on each training fold (rows ratios x alphas x folds)."""
    out = np.empty(model.mse_path_.shape)
    for i, ratio in enumerate([0.5, 1.0]):
        for k, (train, test) in enumerate(cv):
            path = lpnet.regularization_path(
                X[train],
                y[train],
                penalty="elasticnet",
                l1_ratio=ratio,
                datafit="logistic",
                alphas=model.alphas_[i],
                tol=1e-10,
            )
            z = X[test] @ path.coefs.T + path.intercepts
            signs = np.where(y[test] > 0, 1.0, -1.0)[:, None]
            out[i, :, k] = np.logaddexp(0.0, -signs * z).mean(axis=0)
    return out


def test_large_feature_means_lose_no_precision(tmp_path):
    frame = classification_table(n=1200, seed=4)
    shifted = frame.copy()
    shifted[["x0", "x1"]] += 1e6
    X, y = _arrays(frame)
    params = {"penalty": "l1", "alpha": 0.01}
    model = ld.LogisticRegression(**params, chunk_rows=100).fit(write_parquet(shifted, tmp_path / "p"), target="y")
    reference = lpnet.LogisticRegression(**params, tol=1e-10).fit(X, y)
    assert model.converged_
    np.testing.assert_allclose(model.coef_, reference.coef_, atol=1e-4)
    # the same model on centred data: the intercept moves by exactly the means' contribution
    moved = model.intercept_[0] + 1e6 * (model.coef_[0, 0] + model.coef_[0, 1])
    assert moved == pytest.approx(reference.intercept_[0], abs=1e-4)
    assert abs(model.objective_ - reference.objective_) <= 1e-6 * reference.objective_


def test_weights_and_no_intercept(tmp_path):
    frame = classification_table(n=1000, seed=5)
    frame["w"] = np.random.default_rng(0).uniform(0.2, 3.0, size=len(frame))
    X, y = frame.drop(columns=["y", "w"]).to_numpy(), frame["y"].to_numpy()
    files = write_parquet(frame, tmp_path / "p")
    for fit_intercept in (True, False):
        model = ld.LogisticRegression("l1", 0.01, fit_intercept=fit_intercept).fit(files, target="y", weight="w")
        check = _independent_gap(
            X, y, kkt.PenaltySpec("l1", 0.01), model.coef_, model.intercept_, fit_intercept, s=frame["w"].to_numpy()
        )
        assert model.converged_ and check["gap"] <= 1e-6 * check["primal"]
        assert abs(check["primal"] - model.objective_) <= 1e-10
        if not fit_intercept:
            assert model.intercept_[0] == 0.0


def test_bad_input_gets_a_clear_error(tmp_path):
    frame = classification_table(n=300, seed=6)
    X, y = _arrays(frame)
    with pytest.raises(ValueError, match="Only binary classification"):
        ld.LogisticRegression().fit(X, np.arange(300) % 3)
    with pytest.raises(ValueError, match="only one class"):
        ld.LogisticRegression().fit(X, np.ones(300))
    with pytest.raises(ValueError, match="penalty must be one of"):
        ld.LogisticRegression(penalty="lp").fit(X, y)
    with pytest.raises(ValueError, match="penalty_factor must be > 0"):
        ld.LogisticRegression(penalty_factor=[0.0, 1, 1, 1, 1, 1]).fit(X, y)
    with pytest.raises(ValueError, match="alpha must be > 0"):
        ld.LogisticRegression(alpha=0.0).fit(X, y)
    with pytest.raises(ValueError, match="cv must be an int >= 2"):
        ld.LogisticRegressionCV(cv=1).fit(X, y)
    bad = frame.copy()
    bad.loc[17, "x2"] = np.nan
    with pytest.raises(ValueError, match="part-0"):
        ld.LogisticRegression().fit(write_parquet(bad, tmp_path / "nan"), target="y")


def test_unconverged_fit_warns():
    frame = classification_table(n=400, seed=8)
    X, y = _arrays(frame)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = ld.LogisticRegression("l1", 1e-3, max_iter=1).fit(X, y)
    assert not model.converged_
    assert any("did not converge" in str(w.message) for w in caught)


@pytest.mark.parametrize(
    "estimator", [ld.LogisticRegression(), ld.LogisticRegressionCV(n_alphas=3, cv=3)], ids=lambda e: type(e).__name__
)
def test_scikit_learn_contract(estimator):
    from sklearn.utils.estimator_checks import check_estimator

    expected = {}
    if isinstance(estimator, ld.LogisticRegressionCV):
        expected["check_sample_weight_equivalence_on_dense_data"] = (
            "the check passes explicit splits; the CV draws its folds by a hash of the row index"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_estimator(estimator, expected_failed_checks=expected)
