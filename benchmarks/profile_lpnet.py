"""Where lpnet's coordinate-descent solver spends its time, per benchmark case.

    python benchmarks/profile_lpnet.py [--quick] [--problems toeplitz tall sparse]

Wraps (at run time, without editing lpnet) the certificate (``Certifier.check``: the full gradient
``X^T r``, the dual point and the gap) and the inner working-set solver (``solve_subproblem``: numba
coordinate-descent epochs with Anderson extrapolation) with timers, and reports the outer iterations,
the inner epochs, and the time in each part of one warm fit.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import problems as problems_mod  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--problems", nargs="*", default=list(problems_mod.PROBLEM_NAMES))
    args = ap.parse_args(argv)

    from lpnet import certificates
    from lpnet.datafits import Quadratic
    from lpnet.penalties import L1, ElasticNet
    from lpnet.solvers import cd_working_set, solve

    stats = dict(cert=0.0, inner=0.0, epochs=0, ws=[])
    orig_check = certificates.Certifier.check
    orig_sub = cd_working_set.kern.solve_subproblem

    def check(self, *a, **k):
        t0 = time.perf_counter()
        out = orig_check(self, *a, **k)
        stats["cert"] += time.perf_counter() - t0
        return out

    def sub(*a, **k):
        t0 = time.perf_counter()
        b, epochs = orig_sub(*a, **k)
        stats["inner"] += time.perf_counter() - t0
        stats["epochs"] += epochs
        stats["ws"].append(len(a[7]))
        return b, epochs

    certificates.Certifier.check = check
    cd_working_set.kern.solve_subproblem = sub
    print(
        "| case | total | certificates | inner CD | other | outer it | epochs | final ws size | "
        "time / epoch / ws feature |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name in args.problems:
        P = problems_mod.make_problem(name, args.quick)
        for case in problems_mod.cases(P):
            pen = L1(case.alpha) if case.l1_ratio == 1.0 else ElasticNet(case.alpha, case.l1_ratio)
            solve(P.X, P.y, Quadratic(), pen, tol=1e-6, max_iter=1000)  # warm-up (compile)
            stats.update(cert=0.0, inner=0.0, epochs=0, ws=[])
            t0 = time.perf_counter()
            res = solve(P.X, P.y, Quadratic(), pen, tol=1e-6, max_iter=1000)
            total = time.perf_counter() - t0
            ws_work = sum(stats["ws"]) / max(len(stats["ws"]), 1) * stats["epochs"]
            per = stats["inner"] / ws_work if ws_work else float("nan")
            print(
                f"| {case.label} | {total * 1e3:.1f} ms | {stats['cert'] * 1e3:.1f} ms | "
                f"{stats['inner'] * 1e3:.1f} ms | {(total - stats['cert'] - stats['inner']) * 1e3:.1f} ms | "
                f"{res.n_outer} | {stats['epochs']} | {stats['ws'][-1] if stats['ws'] else 0} | "
                f"{per * 1e9:.0f} ns |",
                flush=True,
            )
    certificates.Certifier.check = orig_check
    cd_working_set.kern.solve_subproblem = orig_sub


if __name__ == "__main__":
    main()
