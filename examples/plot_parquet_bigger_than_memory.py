"""
Parquet files bigger than memory: one pass, certified
=====================================================

For the squared loss, everything a Lasso path needs is in a few sums over the rows: the means, the
cross-products ``X^T X`` and ``X^T y``, per cross-validation fold.  :mod:`lpnet.dask` reads the files
chunk by chunk (or lets Dask read them, on a cluster), adds up those sums, and then solves every alpha of
every fold on the small ``p x p`` statistics, each fit certified by its duality gap.  Memory holds one
chunk at a time, never the data, and the data are read exactly once.

The example writes seeded parquet files with :func:`lpnet.datasets.make_large_regression` to a
temporary folder (small here, so that it runs in seconds; only the chunk size decides the memory),
cross-validates the Lasso from one pass, and checks that the memory used does not grow with the data.
"""

import os
import tempfile
import tracemalloc

import dask.dataframe as dd
import matplotlib.pyplot as plt
import numpy as np
from dask.distributed import Client

import lpnet.dask
from lpnet.datasets import make_large_regression
from lpnet.viz import plot_cv

folder = tempfile.TemporaryDirectory()
files, w_true, b_true = make_large_regression(
    folder.name, 400_000, 20, n_files=4, n_informative=6, noise=3.0, seed=0
)
size = sum(os.path.getsize(f) for f in files)
print(
    f"{len(files)} parquet files, {size / 1e6:.0f} MB, "
    "400,000 rows of 20 features and the target y"
)

# %%
# Five-fold cross-validation of the whole path from one pass over the files (the folds come from a
# hash of the row index, so no shuffling is needed).  ``chunk_rows`` sets how many rows are held at once.
cv = lpnet.dask.LassoCV(cv=5, alpha_rule="1se", random_state=0, chunk_rows=20_000).fit(
    folder.name, target="y"
)
print(
    f"passes over the data: {cv.n_passes_}, rows read: {cv.n_rows_seen_}, engine: "
    f"{cv.engine_}"
)
print(
    f"alpha = {cv.alpha_:.4f}, duality gap {cv.dual_gap_:.1e}, "
    f"features kept {np.flatnonzero(cv.coef_)}"
)
print("estimated:", np.round(cv.coef_[:8], 3))
print("true:     ", np.round(w_true[:8], 3))

# %%
# The fit at that alpha on one, two and four of the files.  The largest memory the fit holds (Python and
# numpy allocations, traced after the first fit, which also loads code) does not grow with the data: it
# depends on the chunk, not on the number of rows.
sizes, peaks = [], []
for k in (1, 2, 4):
    tracemalloc.start()
    lasso = lpnet.dask.Lasso(alpha=cv.alpha_, chunk_rows=20_000).fit(
        files[:k], target="y"
    )
    peaks.append(tracemalloc.get_traced_memory()[1] / 1e6)
    tracemalloc.stop()
    sizes.append(sum(os.path.getsize(f) for f in files[:k]) / 1e6)
    print(
        f"{k} file(s), {sizes[-1]:5.1f} MB on disk: peak memory {peaks[-1]:.1f} MB, "
        f"gap {lasso.dual_gap_:.1e}"
    )

# %%
# The same cross-validation with Dask reading the files: a Dask DataFrame (or the file names while a
# ``dask.distributed`` client is active) goes to the Dask engine, which adds up the statistics on the
# workers.  A client with threads on this machine stands in for a cluster here; the folds depend only on
# the row index, so the answer is the one computed above.
with Client(processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None):
    frame = dd.read_parquet(folder.name)
    on_dask = lpnet.dask.LassoCV(cv=5, alpha_rule="1se", random_state=0).fit(
        frame, target="y"
    )
difference = np.abs(on_dask.coef_ - cv.coef_).max()
print(f"engine: {on_dask.engine_}, difference to the streamed fit {difference:.1e}")

fig, axes = plt.subplots(2, 1, figsize=(9, 8))
plot_cv(cv.cv_results_, ax=axes[0], loss="MSE")
axes[0].set_title("5-fold cross-validation from one pass over the files")
axes[1].plot(sizes, sizes, "o--", color="0.5", label="data read")
axes[1].plot(sizes, peaks, "o-", color="C0", label="peak memory held by the fit")
axes[1].set(
    xlabel="data on disk (MB)",
    ylabel="MB",
    title="memory follows the chunk, not the data",
)
axes[1].legend()
fig.tight_layout()
plt.show()

folder.cleanup()
