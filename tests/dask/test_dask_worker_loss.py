"""A worker killed in the middle of a pass: Dask recomputes what it held, and the fit is unchanged."""

from __future__ import annotations

import os
import signal
import threading
import time

import numpy as np
import pytest

import lpnet.dask as ld

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")


class SlowStatistics:
    """The statistics' chunk function, slowed down so that a pass lasts long enough to lose a worker."""

    def __init__(self, inner, delay):
        self.inner, self.delay = inner, delay

    def __call__(self, chunk):
        time.sleep(self.delay)
        return self.inner(chunk)


def test_killed_worker_changes_nothing(monkeypatch):
    from lpnet.dask import linear

    rng = np.random.default_rng(0)
    X = rng.normal(size=(4000, 5))
    y = X @ np.array([1.0, -2.0, 0.0, 0.5, 0.0]) + rng.normal(size=4000)
    Xd, yd = da.from_array(X, chunks=(200, 5)), da.from_array(y, chunks=200)
    reference = ld.Lasso(alpha=0.02, tol=1e-9).fit(X, y)
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster,
        distributed.Client(cluster) as client,
    ):
        client.wait_for_workers(2)
        pids = list(client.run(os.getpid).values())
        monkeypatch.setattr(linear, "chunk_moments", SlowStatistics(linear.chunk_moments, 0.1))
        killer = threading.Timer(0.6, os.kill, (pids[0], signal.SIGKILL))
        start = time.monotonic()
        killer.start()
        model = ld.Lasso(alpha=0.02, tol=1e-9).fit(Xd, yd)
        elapsed = time.monotonic() - start
        killer.join()
        client.wait_for_workers(2)
        assert pids[0] not in client.run(os.getpid).values()  # the nanny replaced the killed worker
    assert elapsed > 0.6  # the pass was still running when the worker died
    assert model.n_passes_ == 1 and model.n_rows_seen_ == 4000
    np.testing.assert_allclose(model.coef_, reference.coef_, rtol=1e-9, atol=1e-12)
