"""One adapter per engine: lpnet's stream and Dask engines, dask-ml (dask-glm's solvers), Spark MLlib.

Every adapter returns plain dicts (wall time, passes over the data, peak memory, coefficients) so that the
runner can check each answer against lpnet's certified lower bound with the independent code of
``check.py``.  Scalings (lpnet minimizes ``1/(2n) ||y - Xw - b||^2 + alpha (r ||w||_1 + (1-r)/2 ||w||^2)``):

* dask-ml / dask-glm minimize ``sum (y - Xw)^2 + lamduh R(w)`` (no 1/2, no 1/n; ``lamduh = 1 / C``) with
  ``R = r ||w||_1 + (1-r)/2 ||w||^2`` (``ElasticNet(weight=r)``), so ``C = 1 / (2 n alpha)``; for the logistic
  loss (a sum, too) ``C = 1 / (n alpha)``.  They standardize the columns first and penalize the
  intercept's coefficient; we give them the centred target (and add its mean back to the intercept) so
  that the penalized intercept stays near its optimum.  Whatever is left of the difference shows in the
  suboptimality bound.
* Spark's ``LinearRegression`` fits ``y / sd(y)`` (sample sd) with ``regParam / sd(y)``: with
  ``standardization=False`` its L1 weight is ``regParam * elasticNetParam`` and its L2 weight
  ``regParam (1 - elasticNetParam) / sd(y)``, glmnet's convention, mapped by
  ``lpnet.conventions.lpnet_to_glmnet``.
"""

from __future__ import annotations

import os
import resource
import tempfile
import time
import tracemalloc

import numpy as np
from check import Data


def measured(fn):
    """``fn()`` with its wall time and the driver's peak Python allocation (tracemalloc)."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        out = fn()
    finally:
        wall = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return out, wall, peak


# --------------------------------------------------------------------------------------------- lpnet


def lpnet_version() -> str:
    import lpnet

    return getattr(lpnet, "__version__", "?")


def lpnet_en_cv(source: str, l1_ratios, n_alphas: int, folds: int, engine: str, seed: int = 0) -> dict:
    from lpnet.dask import ElasticNetCV

    model = ElasticNetCV(l1_ratio=list(l1_ratios), n_alphas=n_alphas, cv=folds, random_state=seed, engine=engine)
    _, wall, peak = measured(lambda: model.fit(source, target="y"))
    return {
        "wall": wall,
        "passes": model.n_passes_,
        "driver_peak": peak,
        "fits": len(l1_ratios) * n_alphas * folds + 1,
        "worst_fold_gap": float(np.max(model.fold_dual_gaps_)),
        "alpha": model.alpha_,
        "l1_ratio": model.l1_ratio_,
    }


def lpnet_lasso_path(source: str, n_alphas: int, engine: str) -> dict:
    from lpnet.dask import regularization_path

    path, wall, peak = measured(lambda: regularization_path(source, target="y", n_alphas=n_alphas, engine=engine))
    return {
        "wall": wall,
        "passes": path.n_passes,
        "driver_peak": peak,
        "fits": n_alphas,
        "converged": bool(np.all(path.converged)),
        "alpha_max": float(path.alpha_max),
    }


def lpnet_single(source: str, alpha: float, l1_ratio: float) -> dict:
    """lpnet's certified fit: its objective minus its duality gap is a lower bound on the optimum."""
    from lpnet.dask import ElasticNet, Lasso

    model = Lasso(alpha=alpha) if l1_ratio == 1.0 else ElasticNet(alpha=alpha, l1_ratio=l1_ratio)
    _, wall, _ = measured(lambda: model.fit(source, target="y"))
    return {
        "wall": wall,
        "passes": model.n_passes_,
        "coef": model.coef_.copy(),
        "intercept": float(model.intercept_),
        "lower_bound": float(model.objective_ - model.dual_gap_),
    }


def lpnet_logistic_path(source: str, n_alphas: int, engine: str) -> dict:
    from lpnet.dask import logistic_path

    path, wall, peak = measured(lambda: logistic_path(source, target="y", n_alphas=n_alphas, engine=engine))
    return {
        "wall": wall,
        "passes": path.n_passes,
        "driver_peak": peak,
        "fits": n_alphas,
        "converged": bool(np.all(path.converged)),
        "passes_per_alpha": [int(k) for k in path.passes_per_alpha],
        "alphas": np.asarray(path.alphas),
        "coefs": np.asarray(path.coefs),
        "intercepts": np.asarray(path.intercepts),
        "lower_bounds": np.asarray(path.objectives) - np.asarray(path.dual_gaps),
    }


# ---------------------------------------------------------------------------------------------- Dask


def _worker_peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB


def local_cluster(workers: int = 2, memory_limit: str = "2GB"):
    """A fresh LocalCluster (its workers' peak RSS then measures only what runs on it)."""
    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=workers, threads_per_worker=1, memory_limit=memory_limit, dashboard_address=":0", processes=True
    )
    return cluster, Client(cluster)


def workers_peak(client) -> int:
    """The largest peak RSS among the workers (``getrusage`` in each worker process)."""
    return int(max(client.run(_worker_peak_rss).values()))


# ------------------------------------------------------------------------------------------- dask-ml


def _read_block(file: str, columns: list[str], counter: str | None, shift: float = 0.0) -> np.ndarray:
    import pyarrow.parquet as pq

    if counter is not None:  # one line per read of a file's features: passes = lines / files
        with open(counter, "a") as fh:
            fh.write("x\n")
    out = pq.read_table(file, columns=columns).to_pandas().to_numpy(np.float64)
    return out[:, 0] - shift if len(columns) == 1 else out


def dask_arrays(data: Data, counter: str):
    """``X`` (one block per file, every read counted) and the centred ``y`` as dask arrays."""
    import dask
    import dask.array as da
    import pyarrow.parquet as pq

    p = len(data.features)
    xs, ys = [], []
    for f in data.files:
        rows = pq.ParquetFile(f).metadata.num_rows
        xs.append(da.from_delayed(dask.delayed(_read_block)(f, data.features, counter), (rows, p), np.float64))
        ys.append(da.from_delayed(dask.delayed(_read_block)(f, [data.target], None, data.y_mean), (rows,), np.float64))
    return da.concatenate(xs), da.concatenate(ys)


def daskml_version() -> str:
    import dask_ml

    return dask_ml.__version__


def daskml_fit(
    data: Data,
    alpha: float,
    l1_ratio: float,
    solver: str,
    max_iter: int = 100,
    logistic=False,
    tol: float = 1e-4,
    normalize: bool = True,
    counter: str | None = None,
) -> dict:
    """dask-ml's LinearRegression (LogisticRegression) at lpnet's ``(alpha, l1_ratio)``; passes counted by
    the reads of the features (one line per read appended to ``counter``, a temporary file if not
    given).  ``normalize=False`` turns off dask-glm's standardization (its penalty then weighs the raw
    coefficients, as lpnet's does)."""
    import warnings

    from dask_glm.regularizers import ElasticNet
    from dask_ml.linear_model import LinearRegression, LogisticRegression

    n = data.n_rows
    options = {"solver": solver, "max_iter": max_iter, "tol": tol, "solver_kwargs": {"normalize": normalize}}
    penalty = "l1" if l1_ratio == 1.0 else ElasticNet(weight=l1_ratio)
    if logistic:
        model = LogisticRegression(penalty=penalty, C=1.0 / (n * alpha), **options)
    else:
        model = LinearRegression(penalty=penalty, C=1.0 / (2 * n * alpha), **options)
    with tempfile.TemporaryDirectory() as tmp:
        counter = counter or os.path.join(tmp, "reads")
        X, y = dask_arrays(data, counter)
        if logistic:
            y = y + data.y_mean  # labels 0/1, not centred
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _, wall, peak = measured(lambda: model.fit(X, y))
        reads = count_reads(counter)
    intercept = float(model.intercept_) + (0.0 if logistic else data.y_mean)
    return {
        "wall": wall,
        "passes": reads / len(data.files),
        "driver_peak": peak,
        "coef": np.asarray(model.coef_, dtype=np.float64).copy(),
        "intercept": intercept,
    }


def count_reads(counter: str) -> int:
    return sum(1 for _ in open(counter)) if os.path.exists(counter) else 0


def daskml_limited(data: Data, alpha: float, l1_ratio: float, solver: str, max_iter: int, limit: float) -> dict:
    """:func:`daskml_fit` given up after ``limit`` seconds: then the passes read so far (the caller closes
    the cluster, which ends the fit left running in its thread)."""
    import threading

    out: dict = {}
    counter = tempfile.NamedTemporaryFile(prefix="daskml-reads-", delete=False).name

    def fit():
        try:
            out.update(daskml_fit(data, alpha, l1_ratio, solver, max_iter, counter=counter))
        except Exception as err:  # the cluster closed under it, or its workers died
            out["error"] = repr(err)

    start = time.perf_counter()
    thread = threading.Thread(target=fit, daemon=True)
    thread.start()
    thread.join(limit)
    # a fit still running keeps writing into ``out``: report a copy
    res = {"stopped_after": limit} if thread.is_alive() else {k: v for k, v in out.items() if k != "coef"}
    res.setdefault("wall", time.perf_counter() - start)  # until it stopped, failed or finished
    res["passes"] = count_reads(counter) / len(data.files)
    os.unlink(counter)
    return res


# --------------------------------------------------------------------------------------------- Spark


def spark_session(driver_memory: str = "6g"):
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master("local[2]")
        .appName("lpnet-scale-benchmark")
        .config("spark.driver.memory", driver_memory)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )


def spark_version() -> str:
    import pyspark

    return pyspark.__version__


def spark_frame(spark, data: Data, folds: int | None = None, seed: int = 0):
    """The files as a Spark DataFrame with a ``features`` vector (and the same folds as lpnet's CV: a
    ``fold`` column from ``lpnet.dask.fold_of`` of the global row index), cached."""
    from pyspark.ml.feature import VectorAssembler
    from pyspark.sql import functions as F

    frame = spark.read.parquet(*data.files)
    if folds is not None:
        import pandas as pd

        from lpnet.dask import fold_of

        parts, start = [], 0
        from check import batches

        for X, y in batches(data):
            part = pd.DataFrame(X, columns=data.features)
            part[data.target] = y
            part["fold"] = fold_of(start, y.shape[0], folds, seed).astype(np.int32)
            parts.append(part)
            start += y.shape[0]
        frame = spark.createDataFrame(pd.concat(parts, ignore_index=True))
        frame = frame.withColumn("fold", F.col("fold").cast("int"))
    assembled = VectorAssembler(inputCols=data.features, outputCol="features").transform(frame)
    keep = ["features", data.target] + (["fold"] if folds is not None else [])
    return assembled.select(*keep).cache()


def spark_params(data: Data, alpha: float, l1_ratio: float) -> tuple[float, float]:
    from lpnet.conventions import lpnet_to_glmnet

    reg, mix = lpnet_to_glmnet(alpha, l1_ratio, y_std=data.y_std(ddof=1))
    return float(reg), float(mix)


def _linear(data: Data, tol: float, max_iter: int):
    from pyspark.ml.regression import LinearRegression

    return LinearRegression(
        featuresCol="features", labelCol=data.target, standardization=False, tol=tol, maxIter=max_iter
    )


def spark_fit(frame, data: Data, alpha: float, l1_ratio: float, tol: float = 1e-6, max_iter: int = 100) -> dict:
    reg, mix = spark_params(data, alpha, l1_ratio)
    lr = _linear(data, tol, max_iter).setRegParam(reg).setElasticNetParam(mix)
    model, wall, _ = measured(lambda: lr.fit(frame))
    iters = int(model.summary.totalIterations)
    normal = len(data.features) <= 4096  # solver "auto" picks "normal": the Gram in one pass, solved locally
    return {
        "wall": wall,
        "passes": 1 if normal else iters + 1,  # l-bfgs: + the summarizer's pass; line searches may add more
        "iterations": iters,
        "coef": np.asarray(model.coefficients.toArray(), dtype=np.float64),
        "intercept": float(model.intercept),
    }


def spark_cv(frame, data: Data, grid: list[tuple[float, float]], folds: int, tol: float = 1e-6) -> dict:
    """CrossValidator over lpnet's ``(alpha, l1_ratio)`` grid on the ``fold`` column, refit included."""
    from pyspark.ml.evaluation import RegressionEvaluator
    from pyspark.ml.tuning import CrossValidator, ParamGridBuilder

    lr = _linear(data, tol, 100)
    maps = []
    for alpha, r in grid:
        reg, mix = spark_params(data, alpha, r)
        maps += ParamGridBuilder().baseOn({lr.regParam: reg, lr.elasticNetParam: mix}).build()
    cv = CrossValidator(
        estimator=lr,
        estimatorParamMaps=maps,
        evaluator=RegressionEvaluator(labelCol=data.target, metricName="mse"),
        numFolds=folds,
        foldCol="fold",
        parallelism=1,
    )
    model, wall, _ = measured(lambda: cv.fit(frame))
    fits = len(grid) * folds + 1
    return {"wall": wall, "fits": fits, "passes": fits, "best_mse": float(min(model.avgMetrics))}
