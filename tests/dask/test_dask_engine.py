"""The Dask engine: partial statistics per partition, tree-reduced on a LocalCluster; the same fits."""

from __future__ import annotations

import numpy as np
import pytest

import lpnet.dask as ld
from lpnet.dask import open_data

from .conftest import assert_close, regression_table, write_csv, write_parquet

da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")


def _arrays(frame):
    return frame.drop(columns="y").to_numpy(), frame["y"].to_numpy()


def _sums(chunk):
    weights = 1.0 + chunk.start + np.arange(chunk.n_rows)
    return weights @ chunk.X


def test_dask_array_statistics_and_fit(dask_client):
    frame = regression_table(n=1000)
    X, y = _arrays(frame)
    # unequal blocks, one of a single row
    Xd = da.from_array(X, chunks=((400, 1, 299, 300), (3, 3)))
    yd = da.from_array(y, chunks=100)
    engine = open_data(Xd, yd)
    assert engine.name == "dask"
    np.testing.assert_allclose(engine.map_reduce(_sums, np.add), (1.0 + np.arange(1000)) @ X, rtol=1e-12)
    assert engine.n_passes == 1 and engine.n_rows_seen == 1000
    model = ld.Lasso(alpha=0.03, tol=1e-9).fit(Xd, yd)
    reference = ld.Lasso(alpha=0.03, tol=1e-9).fit(X, y)
    assert_close(model.coef_, reference.coef_)
    assert model.engine_ == "dask" and model.n_passes_ == 1 and model.converged_


def test_dask_dataframe_cv_equals_stream_cv(dask_client, tmp_path):
    frame = regression_table(n=900, seed=4)
    ddf = dd.from_pandas(frame, npartitions=5)
    params = dict(l1_ratio=[0.5, 1.0], n_alphas=8, cv=3, random_state=2, tol=1e-10)
    model = ld.ElasticNetCV(**params).fit(ddf, target="y")
    reference = ld.ElasticNetCV(**params).fit(write_parquet(frame, tmp_path / "p"), target="y")
    np.testing.assert_allclose(model.mse_path_, reference.mse_path_, rtol=1e-10)
    assert_close(model.coef_, reference.coef_)
    # the partitions' lengths are unknown to dask: one counting pass, then the statistics' pass
    assert model.n_passes_ == 2 and reference.n_passes_ == 1
    # a plain fit needs no global index: one pass
    fit = ld.Ridge(alpha=0.1).fit(ddf.drop(columns="y"), ddf["y"])
    assert fit.n_passes_ == 1 and fit.n_rows_seen_ == 900


def test_files_on_the_cluster(dask_client, tmp_path):
    frame = regression_table(n=600, seed=6)
    parquet = write_parquet(frame, tmp_path / "p")
    model = ld.ElasticNet(alpha=0.02, tol=1e-10).fit(parquet, target="y")  # auto: a client is active
    assert model.engine_ == "dask" and model.n_passes_ == 1
    reference = ld.ElasticNet(alpha=0.02, tol=1e-10, engine="stream").fit(parquet, target="y")
    assert_close(model.coef_, reference.coef_)
    csv = ld.ElasticNetCV(cv=3, n_alphas=5, engine="dask").fit(write_csv(frame, tmp_path / "c"), target="y")
    assert csv.n_passes_ == 2  # CSV rows are unknown until read: one counting pass


def test_bad_partition_is_named(dask_client):
    frame = regression_table(n=300)
    frame.loc[170, "x2"] = np.nan
    ddf = dd.from_pandas(frame, npartitions=3)
    with pytest.raises(ValueError, match=r"partition 1 .*global rows 100\.\.199.*rows 70\.\.70"):
        ld.LassoCV(cv=2).fit(ddf, target="y")
    text = dd.from_pandas(frame.assign(city="Lyon"), npartitions=2)
    with pytest.raises(ValueError, match="column 'city' of the dask DataFrame is not numeric"):
        ld.Lasso().fit(text, target="y")
