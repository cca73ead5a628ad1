"""A Dask fit on data three times larger than the workers' memory, without a restart or a spill error.

Two worker processes with a ``memory_limit`` each (their baseline, with numpy, numba and lpnet
imported, is about 260 MB); the data are a dask array drawn block by block from a seeded generator,
``SIZE_FACTOR`` times the sum of the limits, never materialized anywhere.  The fit must complete, every
worker must be the one that started (same process), the workers' logs must show no memory kill, and
the coefficients must equal the fit solved from plain numpy sums of the same blocks, accumulated one
block at a time in this process (an independent reduction of the same rows).
"""

from __future__ import annotations

import os

import numpy as np
import pytest

MEMORY_LIMIT = 500 * 2**20  # per worker: baseline ~260 MB, pause at 80%, kill at 95%
N_WORKERS = 2
SIZE_FACTOR = 3
P = 40
ROWS_PER_BLOCK = 25_000  # 8 MB of features per block
COEF = np.array([1.0, -2.0, 0.5, 0.0, 3.0] + [0.0] * (P - 5))


def _pid() -> int:
    return os.getpid()


def _block(i: int) -> tuple[np.ndarray, np.ndarray]:
    """Block ``i`` of the data: its own seeded generator, so any process draws the same rows."""
    rng = np.random.default_rng([2024, i])
    X = rng.random((ROWS_PER_BLOCK, P))  # (uniform draws: a third of the cost of normal ones)
    return X, X @ COEF + 2.0 + rng.random(ROWS_PER_BLOCK) - 0.5


def test_fit_on_three_times_the_workers_memory():
    distributed = pytest.importorskip("distributed")
    da = pytest.importorskip("dask.array")
    import dask
    from threadpoolctl import threadpool_limits

    import lpnet.dask as ld
    from lpnet.penalties import L1
    from lpnet.solvers.cd_gram import GramState, GramStatistics, gram_path

    n_blocks = -(-SIZE_FACTOR * N_WORKERS * MEMORY_LIMIT // (ROWS_PER_BLOCK * P * 8))
    n = n_blocks * ROWS_PER_BLOCK
    assert n * P * 8 >= SIZE_FACTOR * N_WORKERS * MEMORY_LIMIT
    blocks = [dask.delayed(_block)(i) for i in range(n_blocks)]
    X = da.concatenate([da.from_delayed(b[0], (ROWS_PER_BLOCK, P), np.float64) for b in blocks])
    y = da.concatenate([da.from_delayed(b[1], (ROWS_PER_BLOCK,), np.float64) for b in blocks])

    # no spilling to disk: the workers must hold to their limit with the data passing through them
    no_spill = {"distributed.worker.memory.target": False, "distributed.worker.memory.spill": False}
    with (
        dask.config.set(no_spill),
        distributed.LocalCluster(
            n_workers=N_WORKERS,
            threads_per_worker=1,
            memory_limit=MEMORY_LIMIT,
            dashboard_address=":0",
            silence_logs=40,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        before = client.run(_pid)
        model = ld.Lasso(alpha=0.01, tol=1e-10, engine="dask").fit(X, y)
        after = client.run(_pid)
        logs = "\n".join(line for lines in client.get_worker_logs().values() for _, line in lines)
    assert model.engine_ == "dask" and model.n_passes_ == 1 and model.n_rows_seen_ == n and model.converged_
    assert before == after and len(after) == N_WORKERS  # the same worker processes: none was restarted
    assert "exceeded" not in logs and "Restarting" not in logs

    # reference: plain numpy sums of the same blocks, one block at a time in this process
    G, xs, xy = np.zeros((P, P)), np.zeros(P), np.zeros(P)
    ys = yy = 0.0
    with threadpool_limits(1):  # (small products: BLAS threads would only contend)
        for i in range(n_blocks):
            xb, yb = _block(i)
            G += xb.T @ xb
            xs += xb.sum(axis=0)
            xy += xb.T @ yb
            ys += yb.sum()
            yy += yb @ yb
    state = GramState.from_statistics(GramStatistics(float(n), xs, ys, G, xy, yy), True, n)
    ref = gram_path(state, [L1(0.01)], max(1e-10, state.min_tol), 100)[0]
    # (raw sums of 10^7 rows certify the reference only to its min_tol, about 2e-7: hence 1e-6 here)
    np.testing.assert_allclose(model.coef_, ref.coef, rtol=1e-6, atol=1e-8)
    assert model.intercept_ == pytest.approx(ref.intercept, rel=1e-6)
