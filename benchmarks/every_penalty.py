"""Every separable penalty's single fits and paths, timed in two checkouts of lpnet side by side.

Speed work on the Lasso must not slow the other penalties: this script times lpnet alone on the
single-fit problems of :mod:`benchmarks.problems` (seed 0) for every separable penalty (L1, Elastic Net,
L2, Lp at p = 0.5 and 1.5, SCAD, MCP), single fits at ``alpha_max / 10`` and ``/ 100`` (the Lasso's
``alpha_max``, the same alpha for every penalty) and a 20-alpha path down to ``alpha_max / 100`` on the
Toeplitz data; and 10-alpha paths of the logistic loss (proximal Newton) on the paths benchmark's
logistic problem.  Each case records its median warm time, its objective and whether its certificate (a
duality gap, or the optimality violation for p < 1, SCAD and MCP) reached ``tol``.

Run one checkout (its ``src`` first on the path), printing one JSON line::

    OPENBLAS_NUM_THREADS=1 PYTHONPATH=src python benchmarks/every_penalty.py

or compare two, alternating fresh processes round by round, printing a markdown table::

    python benchmarks/every_penalty.py --trees /path/to/old/src src --rounds 2

A penalty the older checkout lacks is reported as ``-`` in its column.  The objectives of the two
checkouts agree to the tolerance on convex cases (the same problem, certified twice); on non-convex
ones each reaches a stationary point of its own.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
TOL = 1e-6
#: (label, class in ``lpnet.penalties``, ``regularization_path``'s name for it, keyword arguments of both)
PENALTIES = (
    ("l1", "L1", "l1", {}),
    ("enet 0.5", "ElasticNet", "elasticnet", {"l1_ratio": 0.5}),
    ("l2", "L2", "l2", {}),
    ("lp 0.5", "Lp", "lp", {"p": 0.5}),
    ("lp 1.5", "Lp", "lp", {"p": 1.5}),
    ("scad", "SCAD", "scad", {}),
    ("mcp", "MCP", "mcp", {}),
)
PATH_PENALTIES = ("l1", "enet 0.5", "lp 0.5", "lp 1.5")
#: a case whose first (compiling) run takes longer than this is timed once more, not three times
SLOW_SECONDS = 10.0


def _timed(fn, repeat: int = 3) -> tuple[float, object]:
    first_start = time.perf_counter()
    out = fn()  # compiles
    if time.perf_counter() - first_start > SLOW_SECONDS:
        repeat = 1
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times)), out


def _record(seconds: float, objective: float, converged: bool, nnz: int) -> dict:
    return {"seconds": seconds, "objective": objective, "converged": converged, "nnz": nnz}


def _paths(lpnet, penalties, X, y, alphas: np.ndarray, datafit: str) -> dict[str, dict]:
    """The paths of :data:`PATH_PENALTIES` at ``alphas`` (the objective summed over the alphas)."""
    out = {}
    for label, cls, name, kwargs in PENALTIES:
        if label not in PATH_PENALTIES or not hasattr(penalties, cls):
            continue
        fit = partial(
            lpnet.regularization_path,
            X,
            y,
            penalty=name,
            datafit=datafit,
            alphas=alphas,
            tol=TOL,
            max_iter=1000,
            **kwargs,
        )
        seconds, path = _timed(fit)
        out[f"{label} path ({alphas.size} alphas)"] = _record(
            seconds, float(np.sum(path.objectives)), bool(np.all(path.converged)), int(path.n_nonzero[-1])
        )
    return out


def measure() -> dict[str, dict]:
    """Every case in this process, with the lpnet found first on ``sys.path``."""
    sys.path.insert(0, str(ROOT))  # for `benchmarks` (the root holds no lpnet: PYTHONPATH still picks it)
    import lpnet
    import lpnet.penalties as penalties
    from benchmarks.paths.problems import make_problem as make_path_problem
    from benchmarks.problems import make_problem
    from lpnet.datafits import Quadratic
    from lpnet.solvers import solve

    results: dict[str, dict] = {"_lpnet": {"file": lpnet.__file__}}
    for name in ("toeplitz", "tall", "sparse"):
        problem = make_problem(name, seed=0)
        a_max = float(lpnet.alpha_max(problem.X, problem.y))
        for label, cls, _, kwargs in PENALTIES:
            if not hasattr(penalties, cls):
                continue
            for divisor in (10, 100):
                penalty = getattr(penalties, cls)(a_max / divisor, **kwargs)
                fit = partial(solve, problem.X, problem.y, Quadratic(), penalty, tol=TOL, max_iter=1000)
                seconds, result = _timed(fit)
                results[f"{name} {label} a_max/{divisor}"] = _record(
                    seconds, float(result.objective), bool(result.converged), int(np.count_nonzero(result.coef))
                )
        if name == "toeplitz":
            alphas = a_max * np.geomspace(1.0, 1e-2, 20)
            cases = _paths(lpnet, penalties, problem.X, problem.y, alphas, "squared")
            results.update({f"{name} {case}": cell for case, cell in cases.items()})
    # the logistic loss (proximal Newton): the paths benchmark's 500 x 5000 problem
    logistic = make_path_problem("logistic", seed=0)
    alphas = float(lpnet.alpha_max(logistic.X, logistic.y, datafit="logistic")) * np.geomspace(1.0, 1e-2, 10)
    cases = _paths(lpnet, penalties, logistic.X, logistic.y, alphas, "logistic")
    results.update({f"logistic {case}": cell for case, cell in cases.items()})
    return results


def compare(trees: list[str], rounds: int) -> str:
    """Alternate fresh processes over ``trees`` (each a checkout's ``src``) and tabulate the medians."""
    runs: list[list[dict]] = [[] for _ in trees]
    for _ in range(rounds):
        for k, src in enumerate(trees):
            env = dict(os.environ, PYTHONPATH=str(Path(src).resolve()), OPENBLAS_NUM_THREADS="1")
            env.update(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
            out = subprocess.run([sys.executable, __file__], env=env, check=True, capture_output=True, text=True).stdout
            runs[k].append(json.loads(out.strip().splitlines()[-1]))
    cases = [case for case in runs[-1][0] if not case.startswith("_")]
    head = "| case | " + " | ".join(f"tree {k + 1} (s)" for k in range(len(trees)))
    lines = [head + " | last / first | objectives agree | certified |", "|" + "---|" * (len(trees) + 4)]
    for case in cases:
        medians, objectives, certified = [], [], []
        for tree_runs in runs:
            cells = [run[case] for run in tree_runs if case in run]
            if not cells:
                medians.append(None)
                continue
            medians.append(float(np.median([cell["seconds"] for cell in cells])))
            objectives.append(cells[-1]["objective"])
            certified.append("yes" if all(cell["converged"] for cell in cells) else "no")
        shown = ["-" if m is None else f"{m:.4f}" for m in medians]
        ratio = f"{medians[-1] / medians[0]:.2f}" if medians[0] and medians[-1] else "-"
        scale = max(abs(o) for o in objectives) if objectives else 0.0
        agree = "-" if len(objectives) < 2 else f"{max(objectives) - min(objectives):.1e} of {scale:.3g}"
        lines.append(f"| {case} | " + " | ".join(shown) + f" | {ratio} | {agree} | {' / '.join(certified)} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trees", nargs="+", help="the checkouts' src folders, oldest first")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    if args.trees:
        print(compare(args.trees, args.rounds))
    else:
        print(json.dumps(measure()))


if __name__ == "__main__":
    main()
