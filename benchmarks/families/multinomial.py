"""L1 multinomial logistic regression: lpnet against scikit-learn's saga at equal accuracy.

Problems: scikit-learn's digits (standardized, K = 10) and a seeded dense problem (K = 10), at
``alpha_max / 10`` and ``alpha_max / 100``.  Equal accuracy: lpnet runs at ``tol = 1e-6`` (its certificate:
gap <= 1e-6 F_null); saga's ``tol`` is tightened (10x at a time) until its true suboptimality, bounded with
lpnet's certified dual value at ``tol = 1e-10`` (``F_saga - dual``), is at most ``1e-6 F_null``, and the
time of that last saga fit is reported.  Three seeds (the seeded problem's data and saga's shuffling),
median and worst ratio, JIT compilation done before timing.  Run with OPENBLAS_NUM_THREADS=1:

    OPENBLAS_NUM_THREADS=1 python benchmarks/families/multinomial.py [--n 5000 --p 2000]
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.linear_model import LogisticRegression as SkLogistic  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from lpnet.datafits import Multinomial  # noqa: E402
from lpnet.penalties import L1  # noqa: E402
from lpnet.solvers.multinomial import multinomial_alpha_max, solve_multinomial  # noqa: E402


def seeded(n: int, p: int, K: int, seed: int):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    W = rng.standard_normal((p, K)) * (rng.random((p, 1)) < 20 / p)
    y = np.argmax(X @ W + rng.gumbel(size=(n, K)), axis=1)
    return StandardScaler().fit_transform(X), y


def objective(X, Y, coef, intercept, alpha) -> float:
    Z = X @ coef.T + intercept
    return Multinomial().value(Y, Z, np.ones(X.shape[0])) + alpha * np.abs(coef).sum()


def one(X, y, ratio: float, seed: int) -> dict:
    _, Y = Multinomial().encode_target(y, None, "benchmark")
    n = X.shape[0]
    alpha = multinomial_alpha_max(X, Y, L1(1.0)) / ratio
    reference = solve_multinomial(X, Y, L1(alpha), tol=1e-10, max_iter=1000)
    dual = reference.objective - reference.dual_gap
    f_null = Multinomial().null_model(Y, np.ones(n), True)[1]
    start = time.perf_counter()
    ours = solve_multinomial(X, Y, L1(alpha), tol=1e-6)
    t_ours = time.perf_counter() - start
    assert ours.converged and ours.objective - dual <= 1e-6 * f_null * 1.0001
    tol, t_saga, reached = 1e-2, float("nan"), False
    while tol >= 1e-10:
        model = SkLogistic(C=1 / (n * alpha), l1_ratio=1.0, solver="saga", tol=tol, max_iter=100_000, random_state=seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            start = time.perf_counter()
            model.fit(X, y)
            t_saga = time.perf_counter() - start
        if objective(X, Y, model.coef_, model.intercept_, alpha) - dual <= 1e-6 * f_null:
            reached = True
            break
        tol /= 10
    return {"lpnet": t_ours, "saga": t_saga, "saga_tol": tol, "reached": reached, "nnz": int((ours.coef != 0).sum())}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--p", type=int, default=2000)
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    Xd, yd = load_digits(return_X_y=True)
    Xd = StandardScaler().fit_transform(Xd)
    # compile once, apart from the timings
    solve_multinomial(Xd[:200], Multinomial().encode_target(yd[:200], None, "")[1], L1(0.05))
    problems = [
        ("digits", lambda seed: (Xd, yd)),
        (f"seeded {args.n}x{args.p}", lambda seed: seeded(args.n, args.p, 10, seed)),
    ]
    for name, make in problems:
        for ratio in (10, 100):
            rows = [one(*make(seed), ratio, seed) for seed in range(args.seeds)]
            speedups = np.array([r["saga"] / r["lpnet"] for r in rows])
            print(
                f"{name:>20} alpha_max/{ratio:<4} lpnet {np.median([r['lpnet'] for r in rows]):8.3f}s  "
                f"saga {np.median([r['saga'] for r in rows]):8.3f}s (tol {max(r['saga_tol'] for r in rows):.0e}, "
                f"reached {all(r['reached'] for r in rows)})  speed-up median {np.median(speedups):6.1f}x "
                f"worst {speedups.min():6.1f}x  nnz {rows[0]['nnz']}",
                flush=True,
            )


if __name__ == "__main__":
    main()
