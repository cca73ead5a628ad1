"""L1 Cox path benchmark: lpnet against scikit-survival's ``CoxnetSurvivalAnalysis`` at equal accuracy.

    python benchmarks/families/cox.py                 # both sizes, 3 seeds, prints the table
    python benchmarks/families/cox.py --quick         # the small size, 1 seed
    python benchmarks/families/cox.py --readme        # also writes the table into README.md (## Cox)
    python benchmarks/families/cox.py --before        # also times lpnet's previous solver (prox_newton)

Problem (seeded): ``X`` Gaussian with neighbouring columns correlated (0.6), standardized; 20 true
coefficients of size 0.2 to 0.5; exponential survival times with hazard ``exp(X beta)`` and independent
exponential censoring (about half the samples have an event; continuous times, so Breslow = Efron).
Path: 50 alphas from the exact ``alpha_max`` down to ``alpha_max / 100``, the same explicit grid for both
libraries (lpnet's ``regularization_path(datafit="cox")``, scikit-survival's ``alphas=grid``,
``normalize=False``, Breslow's ties for both).

Equal accuracy: the Cox partial likelihood has no duality gap, so each library's objective
``F(alpha) = D(X w) + alpha ||w||_1`` at every alpha is compared with the best known one (lpnet's path at
``tol=1e-10``, or the library's own value when lower); a library meets the target when
``max_alpha (F - F_best) <= 1e-6 |F_null|`` (``F_null = D(0)``).  Both libraries start at ``tol=1e-3``
(their own meaning of it: lpnet's scale-free KKT violation, scikit-survival's coefficient change) and
are tightened 10x at a time until they meet the target; the calibration runs are the warm-up, so numba's
compilation is outside the timings, and lpnet's compile time is measured apart in a fresh process with
an empty ``NUMBA_CACHE_DIR``.  Times are medians of ``--repeat`` runs, the two libraries taking turns;
a seed's ratio is the median of the ratios of the turns (on a shared machine the load changes between
turns, alike for both); BLAS is pinned to one thread.
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
import re  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

TARGET = 1e-6
N_ALPHAS, EPS = 50, 1e-2
SIZES = ((1000, 200), (5000, 1000))
START_TOL, MAX_TIGHTEN = 1e-3, 7


def problem(n, p, seed):
    """``(X, [time, event])``, see the module docstring."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    X[:, 1:] = 0.6 * X[:, :-1] + 0.8 * X[:, 1:]
    X = (X - X.mean(0)) / X.std(0)
    beta = np.zeros(p)
    support = rng.choice(p, 20, replace=False)
    beta[support] = rng.choice([-1.0, 1.0], 20) * rng.uniform(0.2, 0.5, 20)
    t = rng.exponential(np.exp(-X @ beta))
    c = rng.exponential(2 * np.median(t), n)
    return X, np.column_stack([np.minimum(t, c), (t <= c).astype(float)])


def objectives(X, Y, alphas, coefs):
    """``D(X w) + alpha ||w||_1`` per alpha (lpnet's Breslow partial likelihood, checked against
    statsmodels and lifelines in tests/test_cox.py)."""
    from lpnet.datafits import Cox

    cox, s = Cox(), np.ones(X.shape[0])
    return np.array([cox.value(Y, X @ w, s) + a * np.abs(w).sum() for a, w in zip(alphas, coefs)])


def run_lpnet(X, Y, alphas, tol):
    import lpnet

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return lpnet.regularization_path(X, Y, datafit="cox", penalty="l1", alphas=alphas, tol=tol).coefs


def run_sksurv(X, Y, alphas, tol):
    from sksurv.linear_model import CoxnetSurvivalAnalysis
    from sksurv.util import Surv

    y = Surv.from_arrays(Y[:, 1].astype(bool), Y[:, 0])
    model = CoxnetSurvivalAnalysis(
        alphas=alphas, l1_ratio=1.0, normalize=False, fit_baseline_model=False, tol=tol, max_iter=1_000_000
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
    return model.coef_.T  # (n_alphas fitted, n_features)


def run_lpnet_prox_newton(X, Y, alphas, tol):
    """lpnet with ``"auto"`` left to proximal Newton (glmnet's diagonal IRLS model): the solver the Cox
    family had before the exact-Hessian coordinate solver (``--before``)."""
    import lpnet.solvers as solvers

    saved = solvers.AUTO_ORDER
    solvers.AUTO_ORDER = tuple(s for s in saved if s.name != "cox_cd")
    try:
        return run_lpnet(X, Y, alphas, tol)
    finally:
        solvers.AUTO_ORDER = saved


LIBRARIES = {"lpnet": run_lpnet, "scikit-survival": run_sksurv}
BEFORE = "lpnet prox_newton"


def calibrate(run, X, Y, alphas, best, f_null):
    """The loosest tol (from START_TOL, 10x steps) whose path meets the target, its suboptimality, and
    how many alphas it returned."""
    tol = START_TOL
    for _ in range(MAX_TIGHTEN + 1):
        coefs = run(X, Y, alphas, tol)
        k = coefs.shape[0]
        f = objectives(X, Y, alphas[:k], coefs)
        subopt = float(np.max(f - np.minimum(best[:k], f))) / abs(f_null)
        if subopt <= TARGET:
            return tol, subopt, k
        tol /= 10
    return tol * 10, subopt, k


def bench_case(n, p, seed, repeat, libraries):
    import lpnet
    from lpnet.datafits import Cox

    X, Y = problem(n, p, seed)
    a_max = lpnet.alpha_max(X, Y, datafit="cox")
    alphas = np.geomspace(a_max, a_max * EPS, N_ALPHAS)
    f_null = Cox().value(Y, np.zeros(n), np.ones(n))
    t = time.perf_counter()
    best = objectives(X, Y, alphas, run_lpnet(X, Y, alphas, 1e-10))
    row = {"reference_s": time.perf_counter() - t, "events": float(Y[:, 1].mean())}
    for name, run in libraries.items():
        tol, subopt, k = calibrate(run, X, Y, alphas, best, f_null)
        row[name] = dict(tol=tol, subopt=subopt, n_alphas=k, times=[])
    # the libraries take turns, so that a load from elsewhere on a shared machine hits both alike
    for _ in range(repeat):
        for name, run in libraries.items():
            t = time.perf_counter()
            run(X, Y, alphas, row[name]["tol"])
            row[name]["times"].append(time.perf_counter() - t)
    for name in libraries:
        row[name]["time"] = float(np.median(row[name]["times"]))
    row["ratio"] = float(np.median(np.divide(row["scikit-survival"]["times"], row["lpnet"]["times"])))
    return row


COMPILE_SCRIPT = """
import sys, time
sys.path.insert(0, {root!r})
t = time.perf_counter()
import numpy as np, lpnet
from benchmarks.families.cox import problem
t_import = time.perf_counter() - t
X, Y = problem(300, 50, 0)
def go():
    t = time.perf_counter()
    lpnet.regularization_path(X, Y, datafit="cox", n_alphas=10, eps=1e-2)
    lpnet.CoxRegression(alpha=0.01).fit(X, Y).score(X, Y)
    return time.perf_counter() - t
first = go()
warm = min(go() for _ in range(3))
print("RESULT", t_import, first, warm)
"""


def measure_compile():
    """lpnet's first Cox path and fit in a fresh process, with an empty NUMBA_CACHE_DIR and with the
    default on-disk cache: ``(import, first calls, warm calls)`` in seconds."""
    out = {}
    for label, empty in (("empty cache", True), ("default cache", False)):
        env = dict(os.environ)
        if empty:
            env["NUMBA_CACHE_DIR"] = tempfile.mkdtemp()
        res = subprocess.run(
            [sys.executable, "-c", COMPILE_SCRIPT.format(root=ROOT)], env=env, capture_output=True, text=True
        )
        m = re.search(r"RESULT (\S+) (\S+) (\S+)", res.stdout)
        out[label] = tuple(map(float, m.groups())) if m else res.stderr[-300:]
    return out


def report(results, compile_times) -> str:
    lines = [
        "| problem | seeds | lpnet tol | scikit-survival tol | lpnet | scikit-survival | ratio median | ratio worst |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for (n, p), rows in results.items():
        ratios = [r["ratio"] for r in rows]

        def span(values, fmt):
            lo, hi = min(values), max(values)
            return fmt(lo) if lo == hi else f"{fmt(lo)} .. {fmt(hi)}"

        lines.append(
            f"| {n} x {p} | {len(rows)} "
            f"| {span([r['lpnet']['tol'] for r in rows], lambda v: f'{v:.0e}')} "
            f"| {span([r['scikit-survival']['tol'] for r in rows], lambda v: f'{v:.0e}')} "
            f"| {span([r['lpnet']['time'] for r in rows], lambda v: f'{v:.2f} s')} "
            f"| {span([r['scikit-survival']['time'] for r in rows], lambda v: f'{v:.2f} s')} "
            f"| {np.median(ratios):.2f}x | {min(ratios):.2f}x |"
        )
    lines.append("")
    lines.append("Per seed (suboptimality: max over the alphas of `(F - F_best) / |F_null|`):")
    lines.append("")
    before = any(BEFORE in r for rows in results.values() for r in rows)
    lines.append(
        "| problem | seed | events | lpnet: tol, subopt, time | scikit-survival: tol, subopt, alphas, time | ratio |"
        + (" lpnet before (prox_newton): tol, subopt, time |" if before else "")
    )
    lines.append("|---|---|---|---|---|---|" + ("---|" if before else ""))
    for (n, p), rows in results.items():
        for seed, r in enumerate(rows):
            a, b = r["lpnet"], r["scikit-survival"]
            line = (
                f"| {n} x {p} | {seed} | {r['events']:.0%} | {a['tol']:.0e}, {a['subopt']:.1e}, {a['time']:.2f} s "
                f"| {b['tol']:.0e}, {b['subopt']:.1e}, {b['n_alphas']}, {b['time']:.2f} s | {r['ratio']:.2f}x |"
            )
            if BEFORE in r:
                c = r[BEFORE]
                line += f" {c['tol']:.0e}, {c['subopt']:.1e}, {c['time']:.2f} s |"
            lines.append(line)
    lines.append("")
    for label, value in compile_times.items():
        if isinstance(value, tuple):
            t_import, first, warm = value
            lines.append(
                f"- lpnet compile ({label}): import {t_import:.2f} s, first small Cox path + fit {first:.2f} s, "
                f"warm {warm:.3f} s (compile about {first - warm:.2f} s)"
            )
        else:
            lines.append(f"- lpnet compile ({label}): failed: {value}")
    return "\n".join(lines)


def write_readme(table: str, environment: str) -> None:
    """Replace (or add) the ``## Cox`` section of benchmarks/families/README.md."""
    path = os.path.join(HERE, "README.md")
    text = open(path).read() if os.path.exists(path) else "# Model-family benchmarks\n"
    section = (
        "## Cox\n\n"
        "`python benchmarks/families/cox.py --readme`: L1 Cox path (50 alphas from the exact alpha_max to "
        "alpha_max / 100), lpnet against scikit-survival's `CoxnetSurvivalAnalysis` at equal accuracy "
        f"(every alpha's objective within {TARGET:g} |F_null| of the best known; see the script's docstring). "
        "lpnet's solver is `cox_cd` (Newton steps with the exact Hessian, solved by coordinate descent on the "
        "working set; src/lpnet/solvers/cox_cd.py); with `--before`, the last column times the previous one "
        "(proximal Newton with glmnet's diagonal IRLS model) in the same turns. Ratio: median over the turns "
        "of scikit-survival's time / lpnet's (below 1: lpnet is slower). lpnet's tol is its KKT violation: "
        "1e-3 already puts every alpha's objective within the target.\n\n" + environment + "\n\n" + table + "\n"
    )
    match = re.search(r"^## Cox\n.*?(?=^## |\Z)", text, flags=re.S | re.M)
    text = text[: match.start()] + section + text[match.end() :] if match else text.rstrip("\n") + "\n\n" + section
    with open(path, "w") as fh:
        fh.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="the small size, one seed")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--readme", action="store_true")
    ap.add_argument("--before", action="store_true", help="also time lpnet's previous solver (proximal Newton)")
    ap.add_argument("--threads", type=int, default=None, help="BLAS threads (read by blas_threads)")
    args = ap.parse_args()
    sizes = SIZES[:1] if args.quick else SIZES
    seeds = 1 if args.quick else args.seeds
    results = {}
    for n, p in sizes:
        results[(n, p)] = []
        for seed in range(seeds):
            libraries = dict(LIBRARIES, **({BEFORE: run_lpnet_prox_newton} if args.before else {}))
            row = bench_case(n, p, seed, args.repeat, libraries)
            results[(n, p)].append(row)
            print(f"{n} x {p} seed {seed}: {row}", flush=True)
    import platform

    import sksurv

    import lpnet

    environment = (
        f"- Machine: {os.cpu_count()} logical cores, {platform.platform()}; threads: {blas_threads.describe()}\n"
        f"- Versions: python {platform.python_version()}, numpy {np.__version__}, lpnet {lpnet.__version__}, "
        f"scikit-survival {sksurv.__version__}"
    )
    table = report(results, measure_compile())
    print(environment + "\n\n" + table)
    if args.readme:
        write_readme(table, environment)


if __name__ == "__main__":
    main()
