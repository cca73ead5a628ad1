"""Without a running client, the Dask engine starts a LocalCluster for its passes and closes it after."""

from __future__ import annotations

import numpy as np
import pytest

from lpnet.dask import open_data

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")


def test_local_cluster_started_and_closed():
    with pytest.raises(ValueError):
        distributed.get_client()  # (no client in this module)
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(200, 3)), rng.normal(size=200)
    with open_data(da.from_array(X, chunks=50), da.from_array(y, chunks=50), workers=1) as engine:
        total = engine.map_reduce(lambda c: c.X.sum(axis=0), np.add)
        client = engine.client()
        assert client.status == "running"
    np.testing.assert_allclose(total, X.sum(axis=0), rtol=1e-12)
    assert client.status == "closed"
