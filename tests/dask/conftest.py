"""Fixtures of the out-of-core tests: small parquet/CSV tables in tmp_path and one Dask cluster per module."""

from __future__ import annotations

import numpy as np
import pytest


def assert_close(a, b, rtol=1e-8):
    """``a`` equals ``b`` to ``rtol`` relative to the largest entry of ``b``."""
    scale = max(float(np.max(np.abs(b))), 1e-300)
    assert float(np.max(np.abs(np.asarray(a) - np.asarray(b)))) <= rtol * scale


def regression_table(n=1200, p=6, seed=0, mean=0.0):
    """A pandas DataFrame ``x0..x{p-1}, y`` of seeded linear-regression data (features shifted by ``mean``)."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p)) + mean
    coef = np.zeros(p)
    coef[: min(p, 4)] = [2.0, -1.5, 1.0, 0.5][: min(p, 4)]
    y = (X - mean) @ coef + 3.0 + 0.5 * rng.normal(size=n)
    frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(p)])
    frame["y"] = y
    return frame


def write_parquet(frame, directory, n_files=3, row_group_size=150):
    """The frame split into ``n_files`` parquet files (several row groups each); returns their glob."""
    directory.mkdir(parents=True, exist_ok=True)
    for i, part in enumerate(np.array_split(np.arange(len(frame)), n_files)):
        frame.iloc[part].to_parquet(directory / f"part-{i}.parquet", row_group_size=row_group_size, index=False)
    return str(directory / "*.parquet")


def write_csv(frame, directory, n_files=3):
    directory.mkdir(parents=True, exist_ok=True)
    for i, part in enumerate(np.array_split(np.arange(len(frame)), n_files)):
        frame.iloc[part].to_csv(directory / f"part-{i}.csv", index=False)
    return str(directory / "*.csv")


@pytest.fixture(scope="module")
def dask_client():
    """A LocalCluster with 2 in-process workers, closed after the module."""
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0")
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()
