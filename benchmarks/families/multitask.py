"""Multi-task Lasso CV benchmark: lpnet's MultiTaskLassoCV against scikit-learn's, at equal accuracy.

    python benchmarks/families/multitask.py                 # 3 seeds, both problem sizes
    python benchmarks/families/multitask.py --quick         # one small problem, one seed

Each seed draws a dense problem (row-sparse truth, correlated features), 5 folds (KFold) and one grid of
50 alphas from alpha_max to alpha_max / 100 shared by both libraries.  Accuracy: every fold's fit at every
alpha must have a true suboptimality of at most ``1e-6 * F_null`` (the fold's intercept-only objective).
lpnet certifies that itself (duality gap at tol=1e-6).  scikit-learn's tol starts at its default (1e-4)
and is tightened 10x until its worst fold-path point meets the target, its suboptimality being bounded
with lpnet's reference fit at tol=1e-10: ``F_sk(W) - F* <= F_sk(W) - (F_ref - gap_ref)`` (scikit-learn's
CV centres each training fold and runs ``lasso_path`` on it: the same fits are recomputed here).  Times
are the median of ``--repeat`` warm runs; lpnet's numba compile time is measured apart in a fresh process
with an empty ``NUMBA_CACHE_DIR``.  BLAS runs single-threaded.
"""

from __future__ import annotations

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from benchmarks import blas_threads  # noqa: E402  (no numpy inside: must come before anything imports it)

blas_threads.pin()

import argparse  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.linear_model import MultiTaskLassoCV as SkCV  # noqa: E402
from sklearn.linear_model import lasso_path  # noqa: E402
from sklearn.model_selection import KFold  # noqa: E402

from lpnet import MultiTaskLassoCV  # noqa: E402
from lpnet.penalties import L21  # noqa: E402
from lpnet.solvers.multitask import multitask_alpha_max, multitask_path  # noqa: E402

TARGET = 1e-6
SIZES = [(500, 2000, 10), (5000, 200, 5)]


def problem(n, p, T, seed):
    """Correlated Gaussian features (rho = 0.5 between neighbours), 20 active rows, SNR about 3."""
    rng = np.random.default_rng(seed)
    Z = rng.normal(size=(n, p))
    X = Z.copy()
    X[:, 1:] = 0.5 * X[:, :-1] + np.sqrt(0.75) * Z[:, 1:]
    W = np.zeros((p, T))
    rows = rng.choice(p, size=20, replace=False)
    W[rows] = rng.normal(size=(20, T))
    signal = X @ W
    Y = signal + rng.normal(size=(n, T)) * signal.std() / 3.0 + rng.normal(size=T)
    return np.asfortranarray(X), Y


def worst_sklearn_subopt(X, Y, folds, alphas, tol):
    """Over every fold and alpha: scikit-learn's suboptimality (bounded with lpnet's tight reference) / F_null."""
    worst = 0.0
    for train, _ in folds:
        Xt, Yt = X[train], Y[train]
        Xc, Yc = Xt - Xt.mean(axis=0), Yt - Yt.mean(axis=0)
        n = Xc.shape[0]
        f_null = 0.5 * np.sum(Yc**2) / n
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            _, coefs, _ = lasso_path(Xc, Yc, alphas=alphas, tol=tol, max_iter=100000)
        ref = reference(Xt, Yt, alphas, train)
        for k, a in enumerate(alphas):
            W = coefs[:, :, k].T
            F = 0.5 * np.sum((Yc - Xc @ W) ** 2) / n + a * np.sum(np.linalg.norm(W, axis=1))
            lower = ref.objective[k] - ref.gaps[k]
            worst = max(worst, (F - lower) / f_null)
    return worst


class _Ref:
    def __init__(self, objective, gaps):
        self.objective, self.gaps = objective, gaps


_REFS: dict = {}


def reference(Xt, Yt, alphas, train):
    """lpnet's fold path at tol=1e-10: objectives and gaps (cached per problem and fold)."""
    key = (Xt.shape, float(Xt.sum()), train.tobytes(), len(alphas))
    if key not in _REFS:
        path = multitask_path(Xt, Yt, L21(1.0), alphas, tol=1e-10, max_iter=1000)
        n = Xt.shape[0]
        objective = []
        for k, a in enumerate(alphas):
            W, b = path.coefs[k], path.intercepts[k]
            R = Yt - Xt @ W - b
            objective.append(0.5 * np.sum(R**2) / n + a * np.sum(np.linalg.norm(W, axis=1)))
        _REFS[key] = _Ref(np.array(objective), path.gaps)
    return _REFS[key]


def timed(fn, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return float(np.median(times))


def compile_time():
    """Seconds of numba compilation on a first fit, in a fresh process with an empty cache."""
    code = (
        "import time, numpy as np; from lpnet import MultiTaskLasso; "
        "X = np.random.default_rng(0).normal(size=(50, 20)); Y = X[:, :3] + 0.1; "
        "t = time.perf_counter(); MultiTaskLasso(0.01).fit(X, Y); a = time.perf_counter() - t; "
        "t = time.perf_counter(); MultiTaskLasso(0.01).fit(X, Y); print(a - (time.perf_counter() - t))"
    )
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--threads", default="1")
    args = parser.parse_args()
    sizes = [(200, 300, 4)] if args.quick else SIZES
    seeds = 1 if args.quick else args.seeds
    print(f"numba compile (first fit, empty cache): {compile_time():.1f} s")
    for n, p, T in sizes:
        ratios = []
        for seed in range(seeds):
            X, Y = problem(n, p, T, seed)
            folds = list(KFold(5).split(X))
            top = multitask_alpha_max(X, Y, L21(1.0))
            alphas = np.geomspace(top, top / 100, 50)
            lp_model = MultiTaskLassoCV(alphas=alphas, cv=folds, tol=TARGET)
            lp_model.fit(X, Y)  # warm-up (compiled code loaded from the cache)
            t_lp = timed(lambda m=lp_model: m.fit(X, Y), args.repeat)
            tol = 1e-4
            while worst_sklearn_subopt(X, Y, folds, alphas, tol) > TARGET and tol > 1e-12:
                tol /= 10
            sk = SkCV(alphas=alphas, cv=folds, tol=tol, max_iter=100000)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                t_sk = timed(lambda: sk.fit(X, Y), args.repeat)
            same = bool(np.isclose(sk.alpha_, lp_model.alpha_))
            ratios.append(t_sk / t_lp)
            print(
                f"{n}x{p}x{T} seed {seed}: lpnet {t_lp:.2f} s, scikit-learn {t_sk:.2f} s (tol={tol:g}), "
                f"ratio {t_sk / t_lp:.1f}x, same alpha_: {same}",
                flush=True,
            )
        print(f"{n}x{p}x{T}: median ratio {np.median(ratios):.1f}x, worst {np.min(ratios):.1f}x", flush=True)


if __name__ == "__main__":
    main()
