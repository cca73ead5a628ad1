"""One-pass squared-loss estimators: the same fits as lpnet in memory, certified, from one pass."""

from __future__ import annotations

import numpy as np
import pytest

import lpnet
import lpnet.dask as ld
from lpnet.dask import fold_of

from .. import kkt
from .conftest import assert_close, regression_table, write_csv, write_parquet


def _arrays(frame):
    return frame.drop(columns="y").to_numpy(), frame["y"].to_numpy()


CASES = [
    (ld.Lasso, lpnet.Lasso, {"alpha": 0.05}, kkt.PenaltySpec("l1", 0.05)),
    (ld.ElasticNet, lpnet.ElasticNet, {"alpha": 0.05, "l1_ratio": 0.3}, kkt.PenaltySpec("enet", 0.05, l1_ratio=0.3)),
    (ld.Ridge, lpnet.Ridge, {"alpha": 0.4}, kkt.PenaltySpec("l2", 0.4)),
    (ld.LpRegression, lpnet.LpRegression, {"alpha": 0.05, "p": 1.5}, kkt.PenaltySpec("lp", 0.05, p=1.5)),
]


@pytest.mark.parametrize(("ours", "theirs", "params", "spec"), CASES, ids=lambda c: getattr(c, "__name__", ""))
def test_stream_fit_equals_memory_fit_and_is_certified(tmp_path, ours, theirs, params, spec):
    frame = regression_table(n=900)
    X, y = _arrays(frame)
    files = write_parquet(frame, tmp_path / "p")
    model = ours(**params, tol=1e-10, chunk_rows=128).fit(files, target="y")
    reference = theirs(**params, tol=1e-10).fit(X, y)
    assert model.n_passes_ == 1 and model.n_rows_seen_ == len(frame) and model.engine_ == "stream"
    rtol = 1e-8 if ours is not ld.LpRegression else 1e-5  # (not strongly convex: both within their gaps)
    assert_close(model.coef_, reference.coef_, rtol)
    assert abs(model.intercept_ - reference.intercept_) <= rtol * (1 + abs(reference.intercept_))
    assert model.converged_
    # the certificate holds against an independent duality gap and KKT check on the data
    s = np.ones(len(y))
    gap = kkt.duality_gap(X, y, s, "squared", spec, model.coef_, model.intercept_, True)["gap"]
    assert gap <= 1e-8 * abs(kkt.objective(X, y, s, "squared", spec, model.coef_, model.intercept_))
    assert model.dual_gap_ >= 0 and model.dual_gap_ <= 1e-10 * kkt.null_model(y, s, "squared", True)[1] + 1e-15
    np.testing.assert_allclose(model.predict(frame), reference.predict(X), rtol=1e-7, atol=1e-8)


def test_csv_and_memory_engines_give_the_same_fit(tmp_path):
    frame = regression_table(n=400)
    X, y = _arrays(frame)
    a = ld.ElasticNet(alpha=0.02, tol=1e-10).fit(write_csv(frame, tmp_path / "c"), target="y")
    b = ld.ElasticNet(alpha=0.02, tol=1e-10, chunk_rows=33).fit(X, y)
    assert_close(a.coef_, b.coef_, 1e-10)
    assert a.engine_ == "stream" and b.engine_ == "memory"


def test_sample_weights_match_memory_fit(tmp_path):
    frame = regression_table(n=500, seed=3)
    frame["w"] = np.random.default_rng(1).uniform(0.2, 3.0, len(frame))
    X, y = frame[[f"x{j}" for j in range(6)]].to_numpy(), frame["y"].to_numpy()
    model = ld.Lasso(alpha=0.03, tol=1e-10).fit(write_parquet(frame, tmp_path / "p"), target="y", weight="w")
    reference = lpnet.Lasso(alpha=0.03, tol=1e-10).fit(X, y, sample_weight=frame["w"].to_numpy())
    assert_close(model.coef_, reference.coef_)


@pytest.mark.parametrize("penalty", ["l1", "elasticnet"])
def test_path_equals_memory_path_in_one_pass(tmp_path, penalty):
    frame = regression_table(n=800, p=8)
    X, y = _arrays(frame)
    path = ld.regularization_path(
        write_parquet(frame, tmp_path / "p"), target="y", penalty=penalty, l1_ratio=0.6, n_alphas=15, tol=1e-10
    )
    reference = lpnet.regularization_path(X, y, penalty=penalty, l1_ratio=0.6, n_alphas=15, tol=1e-10)
    assert path.n_passes == 1
    np.testing.assert_allclose(path.alphas, reference.alphas, rtol=1e-12)
    assert_close(path.coefs, reference.coefs)
    assert path.converged.all()


def _folds(n, n_folds, seed):
    assigned = fold_of(0, n, n_folds, seed)
    return [(np.flatnonzero(assigned != k), np.flatnonzero(assigned == k)) for k in range(n_folds)]


def test_elastic_net_cv_equals_memory_cv_on_the_same_folds(tmp_path):
    frame = regression_table(n=1000, p=7, seed=5)
    X, y = _arrays(frame)
    files = write_parquet(frame, tmp_path / "p", n_files=4, row_group_size=90)
    model = ld.ElasticNetCV(l1_ratio=[0.2, 0.7, 1.0], n_alphas=12, cv=4, random_state=11, tol=1e-10)
    model.fit(files, target="y")
    reference = lpnet.ElasticNetCV(l1_ratio=[0.2, 0.7, 1.0], n_alphas=12, cv=_folds(len(y), 4, 11), tol=1e-10)
    reference.fit(X, y)
    assert model.n_passes_ == 1 and model.n_rows_seen_ == len(y)
    np.testing.assert_allclose(model.alphas_, reference.alphas_, rtol=1e-12)
    np.testing.assert_allclose(model.mse_path_, reference.mse_path_, rtol=1e-8)
    assert (model.alpha_, model.l1_ratio_) == (reference.alpha_, reference.l1_ratio_)
    assert_close(model.coef_, reference.coef_)
    assert model.converged_ and model.fold_dual_gaps_.shape == model.mse_path_.shape


@pytest.mark.parametrize(("ours", "theirs"), [(ld.LassoCV, lpnet.LassoCV), (ld.RidgeCV, None)])
def test_lasso_and_ridge_cv(ours, theirs):
    frame = regression_table(n=600, seed=2)
    X, y = _arrays(frame)
    model = ours(alphas=np.geomspace(1.0, 1e-3, 10), cv=3, random_state=4, tol=1e-10, chunk_rows=50).fit(X, y)
    folds = _folds(len(y), 3, 4)
    if theirs is not None:
        reference = theirs(alphas=np.geomspace(1.0, 1e-3, 10), cv=folds, tol=1e-10).fit(X, y)
        np.testing.assert_allclose(model.mse_path_, reference.mse_path_, rtol=1e-8)
        assert_close(model.coef_, reference.coef_)
        return
    # ridge: every fold's held-out error against the closed form on that fold's rows
    for k, (train, test) in enumerate(folds):
        for a, alpha in enumerate(model.alphas_):
            Xt, yt = X[train], y[train]
            mx, my = Xt.mean(0), yt.mean()
            w = np.linalg.solve(
                (Xt - mx).T @ (Xt - mx) / len(train) + alpha * np.eye(6), (Xt - mx).T @ (yt - my) / len(train)
            )
            err = np.mean((y[test] - X[test] @ w - (my - mx @ w)) ** 2)
            assert model.mse_path_[a, k] == pytest.approx(err, rel=1e-9)


def test_large_means_lose_no_precision(tmp_path):
    # features 1e8 + unit noise: raw sums would keep no digit of the spread; centred chunks keep them all
    frame = regression_table(n=2000, p=5, seed=9, mean=1e8)
    centred = frame.copy()
    centred[[f"x{j}" for j in range(5)]] -= 1e8  # exact (Sterbenz): each value is within a factor 2 of 1e8
    X, y = _arrays(centred)
    model = ld.Lasso(alpha=0.01, tol=1e-10, chunk_rows=256).fit(write_parquet(frame, tmp_path / "p"), target="y")
    reference = lpnet.Lasso(alpha=0.01, tol=1e-10).fit(X, y)
    assert_close(model.coef_, reference.coef_, 1e-7)
    # the intercept absorbs -1e8 w: compare the predictions at the data
    np.testing.assert_allclose(model.predict(frame), reference.predict(X), rtol=0, atol=1e-6)
    assert model.converged_


def test_refusals(tmp_path):
    X, y = _arrays(regression_table(n=50))
    with pytest.raises(ValueError, match="p must be >= 1"):
        ld.LpRegression(alpha=0.1, p=0.5).fit(X, y)
    with pytest.raises(ValueError, match="cv must be an integer >= 2"):
        ld.LassoCV(cv=[(np.arange(10), np.arange(10, 50))]).fit(X, y)
    with pytest.raises(ValueError, match="alpha must be a positive number"):
        ld.Lasso(alpha=0.0).fit(X, y)
    with pytest.raises(ValueError, match="working-set route takes the Lasso and the Elastic Net"):
        ld.Ridge().fit(np.zeros((2, 15001)), np.zeros(2))
    with pytest.raises(ValueError, match="limited to 5000 features"):
        ld.LassoCV().fit(np.zeros((2, 5001)), np.zeros(2))


def test_stream_fit_memory_stays_below_the_file_size(tmp_path):
    import tracemalloc

    from lpnet.datasets import make_large_regression

    files, coef, _ = make_large_regression(tmp_path / "big", 100_000, 50, n_files=2, rows_per_group=20_000)
    size = sum(f.stat().st_size for f in (tmp_path / "big").iterdir())
    assert size > 35e6
    tracemalloc.start()
    model = ld.Lasso(alpha=0.01, chunk_rows=10_000).fit(str(tmp_path / "big"), target="y")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < size / 4, (peak, size)
    assert_close(model.coef_, coef, 0.05)  # (and the fit recovers the generating coefficients)


def test_without_intercept_and_with_zero_weight_rows():
    frame = regression_table(n=400, seed=8)
    X, y = _arrays(frame)
    s = np.random.default_rng(0).uniform(0.0, 2.0, len(y))
    s[:40] = 0.0  # rows without weight take no part
    model = ld.ElasticNet(alpha=0.05, l1_ratio=0.5, fit_intercept=False, tol=1e-10, chunk_rows=64)
    model.fit(X, y, sample_weight=s)
    reference = lpnet.ElasticNet(alpha=0.05, l1_ratio=0.5, fit_intercept=False, tol=1e-10).fit(X, y, sample_weight=s)
    assert_close(model.coef_, reference.coef_)
    assert model.intercept_ == 0.0


def test_weighted_cv_equals_memory_cv(tmp_path):
    frame = regression_table(n=700, seed=12)
    frame["w"] = np.random.default_rng(2).uniform(0.1, 3.0, len(frame))
    X, y = frame[[f"x{j}" for j in range(6)]].to_numpy(), frame["y"].to_numpy()
    model = ld.LassoCV(n_alphas=10, cv=3, random_state=5, tol=1e-10)
    model.fit(write_csv(frame, tmp_path / "c"), target="y", weight="w")
    reference = lpnet.LassoCV(n_alphas=10, cv=_folds(len(y), 3, 5), tol=1e-10)
    reference.fit(X, y, sample_weight=frame["w"].to_numpy())
    np.testing.assert_allclose(model.alphas_, reference.alphas_, rtol=1e-12)
    np.testing.assert_allclose(model.mse_path_, reference.mse_path_, rtol=1e-8)
    assert_close(model.coef_, reference.coef_)


def test_dataframe_in_memory_and_predict_by_column_name():
    frame = regression_table(n=300, seed=13)
    X, y = _arrays(frame)
    model = ld.Lasso(alpha=0.02, tol=1e-10).fit(frame, target="y")
    reference = lpnet.Lasso(alpha=0.02, tol=1e-10).fit(X, y)
    assert list(model.feature_names_in_) == [f"x{j}" for j in range(6)] and model.engine_ == "memory"
    reordered = frame[["y", *reversed([f"x{j}" for j in range(6)])]]
    np.testing.assert_allclose(model.predict(reordered), reference.predict(X), rtol=1e-8, atol=1e-10)
    plain = ld.Lasso(alpha=0.02, tol=1e-10).fit(X, y)
    assert not hasattr(plain, "feature_names_in_") and plain.n_features_in_ == 6
