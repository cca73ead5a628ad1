"""Data bigger than memory: lpnet's stream and Dask engines against dask-ml and Spark MLlib.

    python benchmarks/scale/run.py --generate --root DIR          # write the seeded parquet data sets
    python benchmarks/scale/run.py --root DIR --json results.json # measure (see README.md)

Data (``lpnet.datasets``, seeded, under ``--root``): ``reg_big`` (``--rows`` x ``--features``, the
scale run), ``reg_small`` (``--small-rows`` x ``--features``, Spark's cross-validation and checks),
``reg_tiny`` (``--tiny-rows``, dask-ml's checks) and ``clf_big`` (binary labels, ``--clf-rows`` x
``--features``, the L1-logistic path).

Cases: a 5-fold ``ElasticNetCV`` (3 l1_ratios x 50 alphas) and a 50-alpha Lasso path on ``reg_big`` with
lpnet's stream engine and its Dask engine (LocalCluster, 2 workers of ``memory_limit`` 2 GB); the same CV
on ``reg_small`` for lpnet and, for Spark, a ``CrossValidator`` over a subset of the same grid and the
same folds (``--spark-alphas`` alphas per l1_ratio; the full grid's time is extrapolated by the number
of fits); single fits of dask-ml (admm, proximal_grad) and Spark at two check points (Lasso and Elastic
Net at the middle of the grid), each judged by its suboptimality bound against lpnet's certified lower
bound, with an independent numpy objective (dask-ml on ``reg_tiny``, 50 000 rows; Spark on
``reg_small``); Spark's time per fit on ``reg_big`` (dask-ml's with ``--daskml-big``); the L1-logistic
20-alpha path on ``clf_big``.  Passes: lpnet's ``n_passes_``; dask-ml: reads of the feature files
(counted) / files; Spark: its ``auto`` solver is ``normal`` up to 4 096 features, one pass per fit
(``totalIterations + 1`` with l-bfgs beyond that, a lower bound).
"""

from __future__ import annotations

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
for path in (ROOT, HERE):
    if path not in sys.path:
        sys.path.insert(0, path)

from benchmarks import blas_threads  # noqa: E402

blas_threads.pin()

import argparse  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402

import adapters  # noqa: E402
import numpy as np  # noqa: E402
from check import logistic_objectives, open_files, squared_objectives  # noqa: E402

L1_RATIOS = (0.1, 0.5, 0.9)
N_ALPHAS = 50
FOLDS = 5
TARGET = 1e-6


def generate(args) -> None:
    from lpnet.datasets import make_large_classification, make_large_regression

    for name, make, rows, seed in (
        ("reg_big", make_large_regression, args.rows, 0),
        ("reg_small", make_large_regression, args.small_rows, 1),
        ("clf_big", make_large_classification, args.clf_rows, 0),
        ("reg_tiny", make_large_regression, args.tiny_rows, 3),
    ):
        if name not in args.sets:
            continue
        start = time.perf_counter()
        files = max(2, rows * (args.features + 1) * 8 // 200_000_000)  # about 200 MB a file, whatever the width
        make(os.path.join(args.root, name), rows, args.features, n_files=files, seed=seed)
        print(f"{name}: {rows} x {args.features} in {files} files, {time.perf_counter() - start:.0f} s", flush=True)


def log(msg: str) -> None:
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())  # the machine may be shared: its load with each line
    print(f"[{time.strftime('%H:%M:%S')}, load {load}] {msg}", flush=True)


def grid(alpha_max: float, r: float) -> np.ndarray:
    """lpnet's default grid of the CV for one l1_ratio (``eps=1e-3``)."""
    return (alpha_max / r) * np.geomspace(1.0, 1e-3, N_ALPHAS)


def run(args) -> dict:
    out: dict = {"date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), "machine": machine()}
    big_dir, small_dir, clf_dir = (os.path.join(args.root, n) for n in ("reg_big", "reg_small", "clf_big"))
    libs = set(args.libs)
    big, small = open_files(big_dir), open_files(small_dir)
    out["data"] = {
        name: {"rows": d.n_rows, "features": len(d.features), "bytes": d.n_bytes, "f_null": d.f_null}
        for name, d in (("reg_big", big), ("reg_small", small))
    }
    log(f"data: {out['data']}")

    # numba's compile, outside every timing
    adapters.lpnet_en_cv(small_dir, [0.5], 3, 2, "stream")
    adapters.lpnet_lasso_path(small_dir, 3, "stream")

    rows = out["rows"] = []
    if "lpnet" in libs:
        for engine in args.engines:
            cluster = client = None
            if engine == "dask":
                cluster, client = adapters.local_cluster()
                # the workers' imports and numba's cache load, outside the timings
                adapters.lpnet_en_cv(small_dir, [0.5], 3, 2, "dask")
                adapters.lpnet_lasso_path(small_dir, 3, "dask")
            try:
                for case, fn in (
                    ("EN CV", lambda e=engine: adapters.lpnet_en_cv(big_dir, L1_RATIOS, N_ALPHAS, FOLDS, e)),
                    ("lasso path", lambda e=engine: adapters.lpnet_lasso_path(big_dir, N_ALPHAS, e)),
                ):
                    res = fn()
                    if client is not None:
                        res["workers_peak"] = adapters.workers_peak(client)
                    rows.append({"lib": f"lpnet {engine}", "data": "reg_big", "case": case, **res})
                    log(f"lpnet {engine} {case}: {res}")
            finally:
                if client is not None:
                    client.close()
                    cluster.close()
        res = adapters.lpnet_en_cv(small_dir, L1_RATIOS, N_ALPHAS, FOLDS, "stream")
        rows.append({"lib": "lpnet stream", "data": "reg_small", "case": "EN CV", **res})
        log(f"lpnet stream EN CV small: {res}")

    checks = out["checks"] = []
    if "spark" in libs:
        points, bounds = check_points(small, small_dir, checks)
        spark = adapters.spark_session(args.spark_memory)
        try:
            frame = adapters.spark_frame(spark, small, FOLDS)
            frame.count()
            for r, alpha in points:
                res = adapters.spark_fit(frame, small, alpha, r)
                checks.append({"lib": "spark", "data": "reg_small", "l1_ratio": r, "alpha": alpha, **res})
                log(f"spark r={r}: wall {res['wall']:.1f} s, iterations {res['iterations']}")
            picks = np.linspace(0, N_ALPHAS - 1, args.spark_alphas + 2).round().astype(int)[1:-1]
            sub = [(grid(small.alpha_max, r)[i], r) for r in L1_RATIOS for i in picks]
            res = adapters.spark_cv(frame, small, sub, FOLDS)
            full = len(L1_RATIOS) * N_ALPHAS * FOLDS + 1
            res["extrapolated_full"] = res["wall"] * full / res["fits"]
            rows.append({"lib": "spark", "data": "reg_small", "case": f"EN CV ({len(sub)} of 150 grid points)", **res})
            log(f"spark CV small: {res}")
            frame.unpersist()
            frame_big = adapters.spark_frame(spark, big)
            start = time.perf_counter()
            frame_big.count()
            load = time.perf_counter() - start
            res = adapters.spark_fit(frame_big, big, grid(big.alpha_max, 1.0)[N_ALPHAS // 2], 1.0)
            res["load"] = load
            res.pop("coef")
            rows.append({"lib": "spark", "data": "reg_big", "case": "lasso fit, mid grid", **res})
            log(f"spark big fit: wall {res['wall']:.1f} s (+ load {load:.1f} s), iterations {res['iterations']}")
            frame_big.unpersist()
        finally:
            spark.stop()
        judge(small, "reg_small", points, bounds, checks)

    if "logistic" in libs:
        try:
            res = adapters.lpnet_logistic_path(clf_dir, 20, "stream")
        except Exception as err:  # lpnet.dask.logistic may be unfinished: the table says so
            rows.append({"lib": "lpnet stream", "data": "clf_big", "case": "L1-logistic path", "error": repr(err)})
            res = None
    if "logistic" in libs and res is not None:
        clf = open_files(clf_dir)
        mid = len(res["alphas"]) // 2
        value = logistic_objectives(clf, [(res["coefs"][mid], res["intercepts"][mid], res["alphas"][mid])])[0]
        res["mid_gap_check"] = float(value - res["lower_bounds"][mid])
        for key in ("alphas", "coefs", "intercepts", "lower_bounds"):
            res.pop(key)
        rows.append({"lib": "lpnet stream", "data": "clf_big", "case": "L1-logistic path (20 alphas)", **res})
        log(f"lpnet logistic path: {res}")
    if "dask-ml" in libs:
        tiny_dir = os.path.join(args.root, "reg_tiny")
        tiny = open_files(tiny_dir)
        points, bounds = check_points(tiny, tiny_dir, checks)
        cluster, client = adapters.local_cluster()
        try:
            for solver in ("admm", "proximal_grad"):
                for r, alpha in points:
                    res = adapters.daskml_fit(tiny, alpha, r, solver)
                    checks.append(
                        {"lib": f"dask-ml {solver}", "data": "reg_tiny", "l1_ratio": r, "alpha": alpha, **res}
                    )
                    log(f"dask-ml {solver} r={r}: wall {res['wall']:.1f} s, passes {res['passes']}")
                if args.daskml_ladder:
                    # the Lasso point again: tighter tol, and dask-glm's standardization off
                    for tol, normalize in ((1e-6, True), (1e-8, True), (1e-4, False), (1e-8, False)):
                        iters = 1000 if solver == "proximal_grad" else 100
                        res = adapters.daskml_fit(tiny, points[0][1], 1.0, solver, iters, tol=tol, normalize=normalize)
                        label = f"dask-ml {solver} tol={tol:g} normalize={normalize}"
                        checks.append({"lib": label, "data": "reg_tiny", "l1_ratio": 1.0, "alpha": points[0][1], **res})
                        log(f"{label}: wall {res['wall']:.1f} s, passes {res['passes']}")
                if not args.daskml_big:
                    continue
                # time per pass on the big data: a run cut at max_iter (its passes counted the same way),
                # given up after --daskml-limit seconds
                alpha = grid(big.alpha_max, 1.0)[N_ALPHAS // 2]
                res = adapters.daskml_limited(big, alpha, 1.0, solver, 3, args.daskml_limit)
                rows.append({"lib": f"dask-ml {solver}", "data": "reg_big", "case": "per pass (max_iter=3)", **res})
                if "stopped_after" in res:  # the fit left running: a fresh cluster for the next solver
                    client.close()
                    cluster.close()
                    cluster, client = adapters.local_cluster()
                log(f"dask-ml {solver} big, max_iter=3: wall {res['wall']:.1f} s, passes {res['passes']}")
        finally:
            client.close()
            cluster.close()
        judge(tiny, "reg_tiny", points, bounds, checks)

    return out


def check_points(data, directory: str, checks: list):
    """The check points (the middle of the grid: Lasso, and Elastic Net at l1_ratio 0.5) and lpnet's
    certified fit at each (its objective minus its gap bounds the optimum from below)."""
    points = [(1.0, grid(data.alpha_max, 1.0)[N_ALPHAS // 2]), (0.5, grid(data.alpha_max, 0.5)[N_ALPHAS // 2])]
    bounds = {}
    for r, alpha in points:
        bounds[r] = ref = adapters.lpnet_single(directory, alpha, r)
        checks.append({"lib": "lpnet", "data": os.path.basename(directory), "l1_ratio": r, "alpha": alpha, **ref})
    return points, bounds


def judge(data, name: str, points, bounds, checks: list) -> None:
    """Every check on ``name``: suboptimality bound ``(P(w) - (P_lpnet - gap_lpnet)) / F_null``, one pass."""
    todo = [c for c in checks if c.get("data") == name and "coef" in c]
    values = squared_objectives(data, [(c["coef"], c["intercept"], c["alpha"], c["l1_ratio"]) for c in todo])
    for c, value in zip(todo, values, strict=True):
        c["objective"] = float(value)
        c["subopt_bound"] = float((value - bounds[c["l1_ratio"]]["lower_bound"]) / data.f_null)
        c["nnz"] = int(np.count_nonzero(c.pop("coef")))


def machine() -> str:
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next(line.split(":", 1)[1].strip() for line in fh if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB RAM, {platform.platform()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", required=True, help="directory of the parquet data sets")
    parser.add_argument("--generate", action="store_true", help="write the data sets and stop")
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--small-rows", type=int, default=200_000)
    parser.add_argument("--tiny-rows", type=int, default=50_000)
    parser.add_argument("--clf-rows", type=int, default=1_000_000)
    parser.add_argument("--features", type=int, default=100)
    parser.add_argument(
        "--sets", nargs="+", default=["reg_big", "reg_small", "clf_big", "reg_tiny"], help="data sets to --generate"
    )
    parser.add_argument("--spark-alphas", type=int, default=1, help="alphas per l1_ratio in Spark's CV")
    parser.add_argument("--libs", nargs="+", default=["lpnet", "dask-ml", "spark", "logistic"])
    parser.add_argument(
        "--daskml-ladder", action="store_true", help="dask-ml's Lasso again at tighter tol, unstandardized"
    )
    parser.add_argument(
        "--daskml-big", action="store_true", help="also time dask-ml's first passes on reg_big (slow: see README)"
    )
    parser.add_argument("--daskml-limit", type=float, default=300.0, help="seconds before giving up --daskml-big")
    parser.add_argument("--engines", nargs="+", default=["stream", "dask"], help="lpnet's engines on reg_big")
    parser.add_argument("--spark-memory", default="6g", help="Spark's driver memory (local mode: its executor too)")
    parser.add_argument("--json", help="write the raw numbers here")
    args = parser.parse_args()
    if args.generate:
        generate(args)
        return
    out = run(args)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(out, fh, indent=1, default=float)
    print(json.dumps(out, indent=1, default=float))


if __name__ == "__main__":
    main()
