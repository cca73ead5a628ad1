"""Time a few lpnet paths and CV fits in this process, to compare two checkouts of lpnet.

Run it once per checkout, alternating, with that checkout's sources first on the path, e.g.::

    OPENBLAS_NUM_THREADS=1 PYTHONPATH=/path/to/old/src python benchmarks/compare_trees.py
    OPENBLAS_NUM_THREADS=1 PYTHONPATH=src python benchmarks/compare_trees.py

It prints one JSON line: the median warm time (seconds) of each case.  The problems are those of the
paths benchmark (seed 0); the first call of each case compiles and is not timed.
"""

import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, for `benchmarks`

import lpnet  # noqa: E402 - after the path set-up, and from PYTHONPATH's checkout
from benchmarks.paths.problems import make_problem  # noqa: E402


def median_time(fn, repeat=3) -> float:
    fn()  # compiles
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def main() -> None:
    toeplitz, tfidf = make_problem("toeplitz", seed=0), make_problem("tfidf", seed=0)
    logistic, tall = make_problem("logistic", seed=0), make_problem("tall", seed=0)
    cases = {
        "lasso_path": lambda: lpnet.regularization_path(toeplitz.X, toeplitz.y, n_alphas=50, tol=1e-6),
        "lassocv": lambda: lpnet.LassoCV(n_alphas=50, cv=5, tol=1e-4).fit(toeplitz.X, toeplitz.y),
        "enet_tfidf": lambda: lpnet.regularization_path(
            tfidf.X, tfidf.y, penalty="elasticnet", l1_ratio=0.5, n_alphas=50, tol=1e-6
        ),
        "logistic_path": lambda: lpnet.regularization_path(
            logistic.X, logistic.y, datafit="logistic", n_alphas=50, eps=1e-2, tol=1e-6
        ),
        "enetcv_tall": lambda: lpnet.ElasticNetCV(l1_ratio=0.5, n_alphas=50, cv=5, tol=1e-4).fit(tall.X, tall.y),
    }
    print(json.dumps({name: median_time(fn, 5 if name == "enetcv_tall" else 3) for name, fn in cases.items()}))


if __name__ == "__main__":
    main()
