"""Paths of the log-link families: lpnet against glum (L1) and scikit-learn's GLMs (L2), equal accuracy.

    python benchmarks/families/glm.py                       # L1 against glum (3 seeds)
    python benchmarks/families/glm.py --penalty l2          # L2 against scikit-learn
    python benchmarks/families/glm.py --quick               # small sizes, one seed

For each family (Poisson, Gamma, Tweedie 1.5) and problem, on every seed: lpnet traces the L1 path (50
alphas from alpha_max down to ``eps * alpha_max``) at ``tol=1e-6``, certified at every alpha (the duality
gap for Poisson and Gamma, the KKT violation for Tweedie).  The reference optimum of every alpha is
lpnet's fit at ``tol=1e-10``; glum's path (``alpha_search=True`` on the same alphas) starts at
``gradient_tol=1e-4`` and is tightened 10x until its objective is within ``1e-6 * F_null`` of the
reference at every alpha.  With ``--penalty l2`` the competitor is scikit-learn's ``PoissonRegressor`` /
``GammaRegressor`` / ``TweedieRegressor(power=1.5, link="log")``, warm-started along the same alphas
(``newton-cholesky`` when n >= 10 p, else ``lbfgs``), its ``tol`` tightened the same way.  Times are the
best of ``--repeat`` warm runs (numba's compile time is reported apart); BLAS runs single-threaded.
"""

from __future__ import annotations

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from benchmarks import blas_threads  # noqa: E402

blas_threads.pin()

import argparse  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

from lpnet import regularization_path  # noqa: E402
from lpnet.datafits import make_datafit  # noqa: E402

FAMILIES = {"poisson": {}, "gamma": {}, "tweedie": {"power": 1.5}}
TARGET = 1e-6


def problem(family, n, p, seed):
    """Seeded sparse-truth GLM data: correlated standardized features, 10 true coefficients."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    X[:, 1:] += 0.5 * X[:, :-1]  # neighbouring columns correlate
    X = (X - X.mean(0)) / X.std(0)
    w = np.zeros(p)
    k = min(10, p)
    w[rng.choice(p, k, replace=False)] = rng.uniform(-0.3, 0.3, k)
    mu = np.exp(0.5 + X @ w)
    if family == "poisson":
        y = rng.poisson(mu).astype(float)
    elif family == "gamma":
        y = rng.gamma(2.0, mu / 2.0)
    else:
        y = rng.poisson(mu) * rng.gamma(2.0, 0.5, n)
    return X, y


def objective(datafit, X, y, w, b, alpha, penalty="l1"):
    size = np.abs(w).sum() if penalty == "l1" else 0.5 * float(w @ w)
    return datafit.value(y, X @ w + b, np.ones(len(y))) + alpha * size


def lpnet_path(X, y, family, alphas, tol, penalty="l1"):
    return regularization_path(
        X, y, datafit=make_datafit(family, **FAMILIES[family]), penalty=penalty, alphas=alphas, tol=tol
    )


def sklearn_path(X, y, family, alphas, tol):
    """scikit-learn's L2 GLM on the same alphas, warm-started, with the faster of its two solvers."""
    from sklearn.linear_model import GammaRegressor, PoissonRegressor, TweedieRegressor

    make = {
        "poisson": PoissonRegressor,
        "gamma": GammaRegressor,
        "tweedie": lambda **k: TweedieRegressor(power=1.5, link="log", **k),
    }[family]
    solver = "newton-cholesky" if X.shape[0] >= 10 * X.shape[1] else "lbfgs"
    model = make(alpha=alphas[0], tol=tol, max_iter=10000, warm_start=True, solver=solver)
    coefs, intercepts = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for alpha in alphas:
            model.set_params(alpha=alpha).fit(X, y)
            coefs.append(model.coef_.copy())
            intercepts.append(model.intercept_)
    return np.array(coefs), np.array(intercepts)


def glum_path(X, y, family, alphas, gradient_tol):
    import glum

    dist = glum.TweedieDistribution(1.5) if family == "tweedie" else family
    model = glum.GeneralizedLinearRegressor(
        family=dist,
        link="log",
        alphas=alphas,
        alpha_search=True,
        l1_ratio=1.0,
        gradient_tol=gradient_tol,
        max_iter=10000,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
    return model.coef_path_, model.intercept_path_


def best_time(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return min(times), out


def run_case(family, n, p, seed, n_alphas, eps, repeat, penalty="l1"):
    """lpnet against glum (L1) or scikit-learn (L2) on one seeded problem."""
    X, y = problem(family, n, p, seed)
    datafit = make_datafit(family, **FAMILIES[family])
    # the L2 grid has no alpha_max: the L1 one sets its scale
    top = regularization_path(X, y, datafit=datafit, penalty="l1", n_alphas=1).alpha_max
    alphas = np.geomspace(top, top * eps, n_alphas)
    f_null = datafit.null_model(y, np.ones(n), True)[1]
    ref = lpnet_path(X, y, family, alphas, 1e-10, penalty)
    f_ref = np.array([objective(datafit, X, y, w, b, a, penalty) for w, b, a in zip(ref.coefs, ref.intercepts, alphas)])
    t_lp, path = best_time(lambda: lpnet_path(X, y, family, alphas, TARGET, penalty), repeat)
    assert path.converged.all(), "lpnet's path did not certify every alpha"
    row = {"lpnet": t_lp}
    other = glum_path if penalty == "l1" else sklearn_path
    for tol in (1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9):
        t_g, (coefs, intercepts) = best_time(lambda tol=tol: other(X, y, family, alphas, tol), repeat)
        f_g = np.array([objective(datafit, X, y, w, b, a, penalty) for w, b, a in zip(coefs, intercepts, alphas)])
        worst = float(np.max(f_g - f_ref)) / f_null
        if worst <= TARGET:
            row["glum"], row["glum_tol"] = t_g, tol
            break
    else:
        row["glum"], row["glum_tol"] = float("nan"), None
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument(
        "--penalty", choices=("l1", "l2"), default="l1", help="l1: against glum; l2: against scikit-learn"
    )
    args = parser.parse_args()
    sizes = [(2000, 100), (300, 1000)] if args.quick else [(20000, 500), (1000, 10000)]
    seeds = 1 if args.quick else args.seeds
    start = time.perf_counter()
    regularization_path(*problem("poisson", 50, 5, 0), datafit="poisson", n_alphas=3)  # numba's compile
    print(f"first call (compile or cache load): {time.perf_counter() - start:.2f} s\n")
    who = "glum" if args.penalty == "l1" else "scikit-learn"
    print(f"| family | n x p | {who} / lpnet (median) | worst | lpnet s (median) | {who} s (median) | {who} tol |")
    print("|---|---|---|---|---|---|---|")
    for family in FAMILIES:
        for n, p in sizes:
            rows = [run_case(family, n, p, seed, 50, 1e-2, args.repeat, args.penalty) for seed in range(seeds)]
            ratios = [r["glum"] / r["lpnet"] for r in rows]
            tols = ", ".join(f"{r['glum_tol']:g}" if r["glum_tol"] else "miss" for r in rows)
            print(
                f"| {family} | {n} x {p} | {np.median(ratios):.2f} | {np.nanmin(ratios):.2f} | "
                f"{np.median([r['lpnet'] for r in rows]):.2f} | {np.median([r['glum'] for r in rows]):.2f} | "
                f"{tols} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
