"""Constrained Lasso benchmark: ``min 1/(2n)||y - Xw - b||^2  s.t.  ||w||_1 <= t`` at 20 radii.

    python benchmarks/constrained/run.py            # full run, writes the table into README.md
    python benchmarks/constrained/run.py --quick    # smoke run on a small problem, prints only

Problem: the dense Toeplitz design of ``benchmarks/problems.py`` (500 x 5000, rho = 0.6, 20 true
nonzeros, SNR 3, seed 0).  The radii are the L1 norms of the Lasso solutions at 20 alphas spaced
geometrically from ``alpha_max / 10^0.1`` to ``alpha_max / 100`` (a reference path solved to a relative
gap of 1e-10), so that lpnet's penalized path at those alphas solves the same 20 problems.

Timed (medians of ``--repeat`` runs after one warm-up run, so numba compilation is outside them):

* lpnet ``ConstrainedRegression`` with ``warm_start=True`` walked over the radii in increasing order;
* lpnet ``ConstrainedRegression``, 20 independent fits;
* lpnet ``regularization_path`` (penalized Lasso) at the matching alphas, warm-started;
* cvxpy with its default solver on ``--cvxpy-radii`` radii, extrapolated linearly to 20.

Every returned point is certified by the same independent numpy gap (the constrained problem's for
the constrained fits, the Lasso's for the penalized path), relative to the intercept-only objective;
the target is 1e-6, lpnet's default ``tol``.  Numba's compile time is measured apart, in a fresh process
with an empty ``NUMBA_CACHE_DIR``.  BLAS runs single-threaded for every library.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import platform
import re
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from benchmarks.gap import duality_gap
from benchmarks.problems import toeplitz_problem

N_RADII = 20
TARGET = 1e-6


def constrained_rel_gap(X, y, w, b, t) -> float:
    """Independent duality gap of ``min 1/(2n)||y - Xw - b||^2 s.t. ||w||_1 <= t``, relative to F_null.

    Dual, for ``sum(theta) = 0``: ``theta^T y - n/2 ||theta||^2 - t ||X^T theta||_inf`` (the support
    function of the L1 ball is ``t`` times the dual norm); ``theta = (r - mean(r)) / n`` from the residual.
    An infeasible ``w`` is first scaled onto the ball.
    """
    n = y.shape[0]
    w = w * min(1.0, t / max(np.abs(w).sum(), 1e-300))
    r = y - X @ w - b
    theta = (r - r.mean()) / n
    primal = 0.5 * (r @ r) / n
    dual = theta @ y - 0.5 * n * (theta @ theta) - t * np.max(np.abs(X.T @ theta))
    yc = y - y.mean()
    return float((primal - dual) / (0.5 * (yc @ yc) / n))


def median_time(run, repeat):
    run()  # warm-up: compilation and caches
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = run()
        times.append(time.perf_counter() - t0)
    return float(np.median(times)), out


def lpnet_runs(X, y, radii, alphas, repeat):
    from lpnet import regularization_path
    from lpnet.constrained import ConstrainedRegression

    def warm():
        model = ConstrainedRegression(radius=radii[0], p=1.0, warm_start=True)
        fits = []
        for t in radii:
            model.set_params(radius=t).fit(X, y)
            fits.append((model.coef_.copy(), model.intercept_, model.multiplier_, model.n_iter_))
        return fits

    def independent():
        fits = []
        for t in radii:
            m = ConstrainedRegression(radius=t, p=1.0).fit(X, y)
            fits.append((m.coef_, m.intercept_, m.multiplier_, m.n_iter_))
        return fits

    def path():
        return regularization_path(X, y, penalty="l1", alphas=alphas, tol=TARGET)

    rows = {}
    for name, run in [
        ("lpnet ConstrainedRegression, warm_start over the radii", warm),
        ("lpnet ConstrainedRegression, independent fits", independent),
    ]:
        seconds, fits = median_time(run, repeat)
        gaps = [constrained_rel_gap(X, y, w, b, t) for (w, b, _, _), t in zip(fits, radii)]
        mult = max(abs(mu / a - 1) for (_, _, mu, _), a in zip(fits, alphas))
        rows[name] = {
            "seconds": seconds,
            "worst_gap": max(gaps),
            "fits": sum(f[3] for f in fits),
            "note": f"largest relative error of multiplier_ vs alpha: {mult:.1e}",
        }
    seconds, p = median_time(path, repeat)
    gaps = [duality_gap(X, y, w, b, a).rel_gap for w, b, a in zip(p.coefs, p.intercepts, p.alphas)]
    rows["lpnet regularization_path (penalized, matching alphas)"] = {
        "seconds": seconds,
        "worst_gap": max(gaps),
        "fits": int(p.n_iters.sum()),
        "note": "coordinate-descent passes",
    }
    return rows


def cvxpy_run(X, y, radii, n_radii):
    import cvxpy as cp

    n, d = X.shape
    Xc = np.ascontiguousarray(X)
    idx = np.unique(np.linspace(0, len(radii) - 1, n_radii).round().astype(int))
    times, gaps, solver = [], [], ""
    for i in idx:
        w, b = cp.Variable(d), cp.Variable()
        problem = cp.Problem(cp.Minimize(cp.sum_squares(y - Xc @ w - b) / (2 * n)), [cp.norm1(w) <= radii[i]])
        t0 = time.perf_counter()
        problem.solve()
        times.append(time.perf_counter() - t0)
        solver = problem.solver_stats.solver_name
        gaps.append(constrained_rel_gap(X, y, w.value, float(b.value), radii[i]))
    return {
        "seconds": float(np.mean(times)) * len(radii),
        "worst_gap": max(gaps),
        "fits": len(idx),
        "note": f"{solver}, default settings; {len(idx)} radii timed, mean times {len(radii)}",
    }


def compile_seconds() -> float:
    """First fit minus second fit in a fresh process with an empty numba cache."""
    code = (
        "import time, numpy as np\n"
        "from lpnet.constrained import ConstrainedRegression\n"
        "rng = np.random.default_rng(0); X = rng.standard_normal((50, 20)); y = X[:, 0] + rng.standard_normal(50)\n"
        "t0 = time.perf_counter(); ConstrainedRegression(radius=0.5).fit(X, y); t1 = time.perf_counter()\n"
        "ConstrainedRegression(radius=0.5).fit(X, y); t2 = time.perf_counter()\n"
        "print((t1 - t0) - (t2 - t1))\n"
    )
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def table(rows, problem, compile_s) -> str:
    base = rows["lpnet regularization_path (penalized, matching alphas)"]["seconds"]
    lines = [
        f"Problem: {problem.description}, {N_RADII} radii; target relative gap {TARGET:g}.",
        (
            f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
            "single-threaded BLAS."
        ),
        "",
        "| method | time (s) | vs penalized path | worst relative gap | fits / iterations | note |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for name, r in rows.items():
        lines.append(
            f"| {name} | {r['seconds']:.3f} | {r['seconds'] / base:.2f}x | {r['worst_gap']:.1e} | "
            f"{r['fits']} | {r['note']} |"
        )
    lines += ["", f"numba compilation (first fit in a fresh process, empty cache): {compile_s:.1f} s."]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small problem, print only")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cvxpy-radii", type=int, default=2, help="radii cvxpy solves (time extrapolated)")
    args = parser.parse_args(argv)

    problem = toeplitz_problem(100, 1000, n_nonzero=10) if args.quick else toeplitz_problem(n_nonzero=20)
    X, y = problem.X, problem.y
    from lpnet import regularization_path
    from lpnet.constrained import path_radii

    alphas = problem.alpha_max * np.logspace(-0.1, -2, N_RADII)
    reference = regularization_path(X, y, penalty="l1", alphas=alphas, tol=1e-10)
    radii = path_radii(reference.coefs, 1.0)

    rows = lpnet_runs(X, y, radii, alphas, args.repeat)
    rows["cvxpy (constrained, default solver)"] = cvxpy_run(X, y, radii, args.cvxpy_radii)
    text = table(rows, problem, compile_seconds())
    print(text)
    if not args.quick:
        readme = os.path.join(HERE, "README.md")
        with open(readme) as f:
            content = f.read()
        block = f"<!-- results -->\n{text}\n<!-- /results -->"
        with open(readme, "w") as f:
            f.write(re.sub(r"<!-- results -->.*<!-- /results -->", lambda _: block, content, flags=re.DOTALL))


if __name__ == "__main__":
    main()
