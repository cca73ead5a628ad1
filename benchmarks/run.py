"""Benchmark lpnet against scikit-learn, glmnet, skglm and celer on Lasso / Elastic Net problems.

    python benchmarks/run.py [--quick] [--seeds N] [--repeat N] [--out FILE] [--readme]

For every problem family x seed (``--seeds``, seeds 0..N-1) x penalty x alpha and every importable library:

1. choose the library's ``tol``: its translation of the target (1e-6 relative to ``F_null``), tightened
   by factors of 10 (at most ``--max-tighten`` times, or the adapter's own ``MAX_TIGHTEN``) until the
   competitor's suboptimality bound is <= the target: its primal value minus the best of two dual values,
   its own (``gap.py``'s rescaled residual) and that of lpnet's reference fit at ``tol=1e-10``
   (``reference.py``; computed once per case and seed, outside every timing).
   lpnet always runs at ``tol = 1e-6`` (its own stopping rule is that relative gap) and is held to its
   certificate: the independent gap at its own point.  These calibration fits also serve as the warm-up
   (numba JIT compilation of lpnet and skglm happens there, never inside the timed runs);
2. time ``--repeat`` fits (wall clock, ``time.perf_counter``, whole ``fit`` call including input checks)
   and report the MEDIAN; a cell stops repeating early once its timed runs exceed ``--max-cell-seconds``
   (the number of runs is reported).  BLAS runs single-threaded unless ``--threads N``;
3. check the returned solution again (gap at its own point, and a competitor's bound) and count nonzeros.

Per seed, each library's ratio to lpnet's time; the summary gives the median ratio over the seeds and the
worst (smallest) one, and a verdict per target.

lpnet's numba compile time is measured separately, in fresh subprocesses whose ``NUMBA_CACHE_DIR`` is an
empty temporary directory, and the cold start of a whole Python process is measured last.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import blas_threads  # noqa: E402  (no numpy inside: must come before anything imports it)

blas_threads.pin()

import argparse  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import textwrap  # noqa: E402
import time  # noqa: E402

import competitors  # noqa: E402
import numpy as np  # noqa: E402
import problems as problems_mod  # noqa: E402
from gap import duality_gap  # noqa: E402
from reference import REF_TOL, References, subopt_bound  # noqa: E402
from report import span  # noqa: E402

TARGET = 1e-6
README = HERE / "README.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"


# --------------------------------------------------------------------------------------------- timing
def timed_fit(adapter, problem, case, tol):
    t0 = time.perf_counter()
    coef, intercept = adapter.fit(problem, case.alpha, case.l1_ratio, tol)
    return time.perf_counter() - t0, np.asarray(coef, dtype=np.float64).ravel(), float(intercept)


def gap_values(problem, coef, intercept, alpha, l1_ratio):
    rep = duality_gap(problem.X, problem.y, coef, intercept, alpha, l1_ratio)
    return rep.primal, rep.dual


def judge(problem, case, coef, intercept, refs, key):
    """``dict(rel_gap, subopt, ref_gap, accurate)``: the independent gap at the returned point, and for a
    competitor (``refs`` not None) its suboptimality bound with lpnet's reference dual value, the
    reference's own gap, and whether the library meets its rule (lpnet: gap, competitor: bound)."""
    primal, dual = gap_values(problem, coef, intercept, case.alpha, case.l1_ratio)
    out = dict(rel_gap=(primal - dual) / problem.f_null, subopt=None, ref_gap=None)
    if refs is not None:
        d_ref, ref_gap = refs.duals(key, problem, [case.alpha], case.l1_ratio)
        out.update(subopt=float(subopt_bound(primal, dual, d_ref[0], problem.f_null)), ref_gap=float(ref_gap[0]))
    out["accurate"] = (out["rel_gap"] if refs is None else out["subopt"]) <= TARGET
    return out


def choose_tol(adapter, problem, case, max_tighten, refs, key):
    """Loosest tol of the ladder that meets the library's rule (also the warm-up)."""
    # competitors are held to their suboptimality, which their gap-exact tol over-serves: they start
    # one decade looser (START_LOOSER, 1 for an adapter whose translation is already loose)
    looser = 1.0 if adapter.NAME == "lpnet" else getattr(adapter, "START_LOOSER", 10.0)
    tol = adapter.translate_tol(TARGET, problem) * looser
    steps = 0 if adapter.NAME == "lpnet" else getattr(adapter, "MAX_TIGHTEN", max_tighten + int(looser > 1))
    for k in range(steps + 1):
        t = tol * 10.0**-k
        _, coef, b = timed_fit(adapter, problem, case, t)
        if judge(problem, case, coef, b, refs, key)["accurate"]:
            return t, k
    return t, steps


def bench_cell(adapter, problem, case, repeat, max_tighten, max_cell_seconds, refs, key):
    """``refs``: the run's reference fits (unused for lpnet), ``key``: the problem's (name, seed)."""
    refs = None if adapter.NAME == "lpnet" else refs
    tol, tightened = choose_tol(adapter, problem, case, max_tighten, refs, key)
    times = []
    for _ in range(repeat):
        dt, coef, b = timed_fit(adapter, problem, case, tol)
        times.append(dt)
        if sum(times) > max_cell_seconds:
            break
    row = dict(
        library=adapter.NAME,
        tol=tol,
        tightened=tightened,
        median=statistics.median(times),
        times=times,
        runs=len(times),
        nnz=int(np.count_nonzero(coef)),
    )
    row.update(judge(problem, case, coef, b, refs, key))
    if adapter.NAME == "lpnet":
        res = adapter.last_result
        row.update(
            n_iter=res.n_outer,
            own_rel_gap=res.dual_gap / problem.f_null,
            converged=res.converged,
            history=[h / problem.f_null for h in res.history],
        )
    return row


# ------------------------------------------------------------------------------- JIT compile time
COMPILE_SCRIPT = textwrap.dedent("""
    import json, sys, time
    t0 = time.perf_counter()
    import lpnet
    from lpnet.datafits import Quadratic
    from lpnet.penalties import L1, ElasticNet
    from lpnet.solvers import solve
    t_import = time.perf_counter() - t0
    sys.path.insert(0, {here!r})
    import problems
    P = problems.make_problem({name!r}, quick={quick!r})
    case = [c for c in problems.cases(P) if c.penalty == {penalty!r}][0]
    pen = lambda: L1(case.alpha) if case.l1_ratio == 1.0 else ElasticNet(case.alpha, case.l1_ratio)
    out = dict(import_s=t_import, fits=[])
    for _ in range(3):
        t0 = time.perf_counter()
        solve(P.X, P.y, Quadratic(), pen(), tol={tol!r}, max_iter=1000)
        out["fits"].append(time.perf_counter() - t0)
    print(json.dumps(out))
""")


def run_python(code, env_extra=None, timeout=600):
    return run_cmd([sys.executable, "-c", code], env_extra, timeout)


def run_cmd(argv, env_extra=None, timeout=600, write_bytecode=False):
    env = dict(os.environ)
    env.pop("NUMBA_CACHE_DIR", None)
    if write_bytecode:
        # an installed package comes with its bytecode; a shell with PYTHONDONTWRITEBYTECODE set would
        # have every process compile the sources changed since the last write again (45 ms of lpnet's
        # import measured so)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    if env_extra:
        env.update(env_extra)
    t0 = time.perf_counter()
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"subprocess failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return wall, proc.stdout


def measure_compile(name, penalty, quick):
    """First fits in a fresh process: with an empty numba cache, then with the (warm) default cache."""
    code = COMPILE_SCRIPT.format(here=str(HERE), name=name, quick=quick, penalty=penalty, tol=TARGET)
    out = {}
    with tempfile.TemporaryDirectory(prefix="numba-empty-") as empty:
        _, stdout = run_python(code, {"NUMBA_CACHE_DIR": empty})
        out["empty"] = json.loads(stdout.strip().splitlines()[-1])
    _, stdout = run_python(code)
    out["warm"] = json.loads(stdout.strip().splitlines()[-1])
    return out


# ------------------------------------------------------------------------------------- cold start
BASE_IMPORTS = "import numpy, scipy.sparse, numba, sklearn.linear_model"
LPNET_FIT = (
    "import lpnet; from lpnet.solvers import solve; from lpnet.datafits import Quadratic; "
    "from lpnet.penalties import L1; from sklearn.datasets import load_diabetes; "
    "X, y = load_diabetes(return_X_y=True); solve(X, y, Quadratic(), L1(0.1), tol=1e-6)"
)
SKLEARN_FIT = (
    "from sklearn.linear_model import Lasso; from sklearn.datasets import load_diabetes; "
    "X, y = load_diabetes(return_X_y=True); Lasso(alpha=0.1, tol=5e-7).fit(X, y)"
)


def lpnet_console_script():
    """The ``lpnet`` console script of this interpreter's environment, if it has ``lpnet fit``."""
    exe = Path(sys.executable).parent / "lpnet"
    if not exe.exists():
        return None
    try:
        proc = subprocess.run([str(exe), "fit", "--help"], capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.SubprocessError):
        return None
    return str(exe) if proc.returncode == 0 else None


def measure_cold_start(n=5, with_empty_cache=True):
    cmds = [
        (f'`python -c "{BASE_IMPORTS}"`', [sys.executable, "-c", BASE_IMPORTS], False),
        ("scikit-learn Lasso on diabetes (`python -c ...`)", [sys.executable, "-c", SKLEARN_FIT], False),
        (
            'lpnet Lasso on diabetes (`python -c "import lpnet; ... solve(...)"`)',
            [sys.executable, "-c", LPNET_FIT],
            True,
        ),
    ]
    cli = lpnet_console_script()
    if cli is not None:
        cmds.append(
            ("`lpnet fit` (console script: diabetes demo, 4 models, each with a warm-up fit)", [cli, "fit"], True)
        )
    for _, argv, _ in cmds:
        run_cmd(argv, write_bytecode=True)  # fills the OS file cache, numba's cache and the bytecode cache
    # round-robin, so that a change in the machine's load hits every command alike
    walls = {label: [] for label, _, _ in cmds}
    for _ in range(n):
        for label, argv, _ in cmds:
            walls[label].append(run_cmd(argv)[0])
    rows = []
    for label, argv, is_lpnet in cmds:
        row = dict(label=label, median=statistics.median(walls[label]), runs=n, first_empty_cache=None)
        if with_empty_cache and is_lpnet:
            with tempfile.TemporaryDirectory(prefix="numba-empty-") as empty:
                row["first_empty_cache"] = run_cmd(argv, {"NUMBA_CACHE_DIR": empty})[0]
        rows.append(row)
    return rows


# ------------------------------------------------------------------------------------ environment
def machine_info():
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    blas = ""
    try:
        from threadpoolctl import threadpool_info

        blas = ", ".join(
            f"{d.get('internal_api')} {d.get('num_threads')} threads"
            for d in threadpool_info()
            if d.get("user_api") == "blas"
        )
    except Exception:
        pass
    import numba
    import scipy

    versions = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "numba": numba.__version__,
    }
    libs = {}
    for m in competitors.load_all():
        libs[m.NAME] = m.version() if m.IMPORT_ERROR is None else f"unavailable ({m.IMPORT_ERROR})"
    return dict(
        date=datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
        cpu=cpu,
        cores=os.cpu_count(),
        usable_cores=usable,
        blas=blas,
        threads=blas_threads.describe(),
        versions=versions,
        libs=libs,
        platform=platform.platform(),
    )


# --------------------------------------------------------------------------------------- markdown
def fmt_t(s):
    return f"{s * 1e3:.1f} ms" if s < 1 else f"{s:.2f} s"


#: ``(label, libraries, median ratio needed, worst-seed ratio needed or None)``; with several libraries the
#: fastest one counts on each seed
TARGETS = (
    ("scikit-learn", ("scikit-learn",), 3.0, None),
    ("glmnet", ("glmnet",), 1.5, 1.2),
    ("faster of skglm / celer", ("skglm", "celer"), 1.0, None),
)


def seed_ratios(entry, libs):
    """Per seed: time of the fastest certified library among ``libs`` / lpnet's time."""
    out = []
    for s in entry["seeds"]:
        by = {r["library"]: r for r in s["rows"]}
        ts = [by[lib]["median"] for lib in libs if lib in by and by[lib]["accurate"]]
        if "lpnet" in by and ts:
            out.append(min(ts) / by["lpnet"]["median"])
    return out


def verdicts(entry):
    out = []
    for label, libs, need, need_worst in TARGETS:
        rs = seed_ratios(entry, libs)
        if rs:
            med, worst = statistics.median(rs), min(rs)
            met = med >= need and (need_worst is None or worst >= need_worst)
            req = f"{need:g}x" + (f", worst {need_worst:g}x" if need_worst else "")
            out.append(
                f"vs {label} {med:.2f}x (worst {worst:.2f}x, {len(rs)} seeds; target {req}) "
                f"{'MET' if met else 'MISSED'}"
            )
    return out


def lib_rows(entry, lib):
    return [r for s in entry["seeds"] for r in s["rows"] if r["library"] == lib]


def markdown(info, problem_meta, results, compile_rows, cold_rows, args):
    L = []
    L.append(
        f"Run: `python benchmarks/run.py{' --quick' if args.quick else ''} --seeds {args.seeds} "
        f"--repeat {args.repeat}`, {info['date']}."
    )
    L.append("")
    L.append(
        f"- Machine: {info['cpu']}, {info['cores']} logical cores ({info['usable_cores']} usable); "
        f"{info['platform']}; BLAS: {info['blas'] or 'unknown'}"
    )
    L.append(f"- Threads: {info['threads']} (set before numpy is imported; `--threads N` to change)")
    L.append(
        "- Versions: "
        + ", ".join(f"{k} {v}" for k, v in info["versions"].items())
        + "; "
        + ", ".join(f"{k} {v}" for k, v in info["libs"].items())
    )
    L.append(
        f"- Target {TARGET:g}, relative to F_null: lpnet's independent duality gap at its own point "
        f"(`benchmarks/gap.py`); a competitor's suboptimality bound, with the dual value of lpnet's "
        f"reference fit at tol={REF_TOL:g} (`benchmarks/reference.py`; reference fits took "
        f"{info.get('reference_seconds', 0.0):.1f} s in all, outside every timing).  "
        f"Seeds: {args.seeds} draws of every problem family.  Per seed, times are the median of up to "
        f"{args.repeat} warm runs (numba already compiled) and ratio = competitor time / lpnet time."
    )
    L.append("")
    L.append("Problems (alpha_max and F_null over the seeds):")
    L.append("")
    L.append("| problem | data | alpha_max (Lasso) | F_null |")
    L.append("|---|---|---|---|")
    for p in problem_meta:
        L.append(
            f"| {p['name']} | {p['description']} | {span(p['alpha_max'], '{:.4g}')} | {span(p['f_null'], '{:.4g}')} |"
        )
    L.append("")

    names = [m.NAME for m in competitors.available() if m.NAME != "lpnet"]
    L.append("### Summary: lpnet's median time, and competitor time / lpnet time over the seeds")
    L.append("")
    L.append(
        "Ratio > 1: lpnet is faster.  lpnet: median over seeds of its time; competitors: median ratio over "
        "seeds / worst (smallest) ratio (`!k`: the library missed its accuracy rule on k seeds; those seeds "
        "are left out of the ratios)."
    )
    L.append("")
    L.append("| case | lpnet | " + " | ".join(names) + " |")
    L.append("|---|---|" + "---|" * len(names))
    for entry in results:
        lp = lib_rows(entry, "lpnet")
        cells = []
        for nm in names:
            rows = lib_rows(entry, nm)
            if not rows:
                cells.append("n/a")
                continue
            rs = seed_ratios(entry, (nm,))
            bad = sum(not r["accurate"] for r in rows)
            cells.append(
                " ".join(
                    ([f"{statistics.median(rs):.2f}x / {min(rs):.2f}x"] if rs else []) + ([f"!{bad}"] if bad else [])
                )
            )
        lp_cell = fmt_t(statistics.median(r["median"] for r in lp)) if lp else "n/a"
        L.append(f"| {entry['label']} | {lp_cell} | " + " | ".join(cells) + " |")
    L.append("")

    L.append("### Verdicts")
    L.append("")
    L.append(
        "Targets for lpnet: >= 3x faster than scikit-learn; >= 1.5x faster than glmnet (median over seeds) "
        "and >= 1.2x on the worst seed; not slower than the faster of skglm / celer."
    )
    L.append("")
    L.append("| case | verdict |")
    L.append("|---|---|")
    for entry in results:
        lp_bad = sum(not r["accurate"] for r in lib_rows(entry, "lpnet"))
        for v in verdicts(entry):
            L.append(f"| {entry['label']} | {v}{f' (lpnet certificate missed on {lp_bad} seeds)' if lp_bad else ''} |")
    L.append("")

    L.append("### Details")
    L.append("")
    L.append(
        "`tol`: the library's own tol used, loosest..tightest over the seeds (`+k`: at most k 10x "
        "tightenings from its translation of the target).  Worst values over the seeds, relative to F_null: "
        "`certified gap`: lpnet's independent gap at its own point, what lpnet is held to (in parentheses "
        "for the competitors: the same gap at their point, not what they are held to); `subopt. bound`: "
        "a competitor's primal value minus the best of its own dual value and that of lpnet's reference "
        "fit, what competitors are held to; `ref gap`: the reference fit's own gap (the bound exceeds the "
        "true suboptimality by at most this).  `median`: median over seeds; `runs`: fewest timed runs of a "
        "seed; `nnz`: nonzero coefficients, over the seeds."
    )
    L.append("")
    L.append(
        "| case | library | tol | median | runs | worst certified gap | worst subopt. bound | ref gap | nnz "
        "| vs lpnet (median) |"
    )
    L.append("|---|---|---|---|---|---|---|---|---|---|")
    for entry in results:
        for lib in ["lpnet"] + names:
            rows = lib_rows(entry, lib)
            if not rows:
                continue
            bad = sum(not r["accurate"] for r in rows)
            rs = seed_ratios(entry, (lib,))
            tight = max(r["tightened"] for r in rows)
            miss = f" **> target on {bad} seeds**" if bad else ""
            gap = f"{max(r['rel_gap'] for r in rows):.1e}"
            if lib == "lpnet":
                checks = f"{gap}{miss} | - | -"
            else:
                checks = f"({gap}) | {max(r['subopt'] for r in rows):.1e}{miss} | {max(r['ref_gap'] for r in rows):.0e}"
            L.append(
                f"| {entry['label']} | {lib} | {span([r['tol'] for r in rows], '{:.0e}', True)}"
                f"{f' (+{tight})' if tight else ''} | {fmt_t(statistics.median(r['median'] for r in rows))} | "
                f"{min(r['runs'] for r in rows)} | {checks} | {span([r['nnz'] for r in rows], '{}')} | "
                f"{f'{statistics.median(rs):.2f}x' if rs else ''} |"
            )
    L.append("")

    L.append("### lpnet internals")
    L.append("")
    L.append(
        "Outer iterations per seed, the worst own relative gap over the seeds, whether every seed converged, "
        "and seed 0's gap history."
    )
    L.append("")
    L.append("| case | outer iterations | own relative gap | converged | gap history (relative, seed 0) |")
    L.append("|---|---|---|---|---|")
    for entry in results:
        lp = lib_rows(entry, "lpnet")
        if lp:
            hist = ", ".join(f"{h:.0e}" for h in lp[0]["history"])
            L.append(
                f"| {entry['label']} | {', '.join(str(r['n_iter']) for r in lp)} | "
                f"{max(r['own_rel_gap'] for r in lp):.1e} | {all(r['converged'] for r in lp)} | {hist} |"
            )
    L.append("")

    if compile_rows:
        L.append("### lpnet numba compilation (separate from the medians above)")
        L.append("")
        L.append(
            "Fresh process per row, case alpha_max/10.  *empty cache*: `NUMBA_CACHE_DIR` set to an empty "
            "temporary directory, so every kernel is compiled; *warm cache*: the default on-disk cache.  "
            "JIT compile ~ first fit (empty cache) - third fit."
        )
        L.append("")
        L.append(
            "| problem | penalty | import lpnet (empty / warm cache) | 1st fit, empty cache | "
            "1st fit, warm cache | 3rd fit | JIT compile |"
        )
        L.append("|---|---|---|---|---|---|---|")
        for (name, pen), c in compile_rows:
            e, w = c["empty"], c["warm"]
            L.append(
                f"| {name} | {pen} | {fmt_t(e['import_s'])} / {fmt_t(w['import_s'])} | "
                f"{fmt_t(e['fits'][0])} | {fmt_t(w['fits'][0])} | {fmt_t(w['fits'][2])} | "
                f"{fmt_t(e['fits'][0] - w['fits'][2])} |"
            )
        L.append("")

    if cold_rows:
        n_cold = cold_rows[0]["runs"]
        L.append(f"### Cold start of a Python process (wall clock, median of {n_cold}, warm numba cache)")
        L.append("")
        L.append("| command | median | first run, empty numba cache |")
        L.append("|---|---|---|")
        for r in cold_rows:
            first = fmt_t(r["first_empty_cache"]) if r["first_empty_cache"] is not None else ""
            L.append(f"| {r['label']} | {fmt_t(r['median'])} | {first} |")
        L.append("")
    return "\n".join(L)


def update_readme(text):
    body = README.read_text() if README.exists() else ""
    if START in body and END in body:
        head, rest = body.split(START, 1)
        _, tail = rest.split(END, 1)
        body = f"{head}{START}\n{text}\n{END}{tail}"
    else:
        body = f"{body}\n{START}\n{text}\n{END}\n"
    README.write_text(body)


# ------------------------------------------------------------------------------------------- main
def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small problems (smoke test, a few minutes)")
    ap.add_argument("--seeds", type=int, default=5, help="draws of every problem family (seeds 0..N-1)")
    ap.add_argument("--repeat", type=int, default=5, help="timed runs per cell (median reported)")
    ap.add_argument("--out", help="write the markdown results to this file")
    ap.add_argument("--json", help="write the raw results as JSON to this file")
    ap.add_argument("--readme", action="store_true", help="put the results into benchmarks/README.md")
    ap.add_argument("--problems", nargs="*", default=list(problems_mod.PROBLEM_NAMES))
    ap.add_argument("--libs", nargs="*", help="library names to run (default: all importable)")
    ap.add_argument("--max-tighten", type=int, default=3, help="max 10x tightenings of a competitor's tol")
    ap.add_argument(
        "--max-cell-seconds", type=float, default=60.0, help="stop repeating a cell once its timed runs exceed this"
    )
    ap.add_argument("--no-compile", action="store_true", help="skip the numba compile-time subprocesses")
    ap.add_argument("--no-cold-start", action="store_true", help="skip the process cold-start timings")
    ap.add_argument(
        "--cold-start-only",
        action="store_true",
        help="only measure the process cold start (written with --json as cold_start)",
    )
    ap.add_argument("--cold-json", metavar="FILE", help="with --render-json: take cold_start from this file")
    ap.add_argument(
        "--threads",
        type=int,
        default=None,
        help="BLAS / OpenMP threads (default: 1 where the variable is unset; read before numpy "
        "is imported, see blas_threads.py)",
    )
    ap.add_argument(
        "--render-json",
        metavar="FILE",
        help="only re-render the markdown of a previous --json file (same --quick/--seeds/--repeat)",
    )
    args = ap.parse_args(argv)

    if args.render_json:
        raw = json.loads(Path(args.render_json).read_text())
        compile_rows = [(tuple(k), c) for k, c in raw["compile"]]
        cold = raw["cold_start"]
        if args.cold_json:
            cold = json.loads(Path(args.cold_json).read_text())["cold_start"]
        text = markdown(raw["info"], raw["problems"], raw["results"], compile_rows, cold, args)
        print(text)
        if args.out:
            Path(args.out).write_text(text + "\n")
        if args.readme:
            update_readme(text)
        return
    if args.cold_start_only:
        cold = measure_cold_start(n=1 if args.quick else 5, with_empty_cache=not args.quick)
        for r in cold:
            print(f"{r['label']}: median {r['median']:.3f} s, empty cache {r['first_empty_cache']}")
        if args.json:
            Path(args.json).write_text(json.dumps(dict(cold_start=cold), indent=1))
        return

    adapters = []
    for m in competitors.load_all():
        if m.IMPORT_ERROR is not None:
            print(f"[skip] {m.NAME}: {m.IMPORT_ERROR}", file=sys.stderr)
        elif args.libs is None or m.NAME in args.libs:
            adapters.append(m)
    adapters.sort(key=lambda m: m.NAME != "lpnet")  # lpnet first
    info = machine_info()

    problem_meta, results = [], {}
    refs = References(gap_values)
    for name in args.problems:
        meta = dict(name=name, description="", alpha_max=[], f_null=[])
        problem_meta.append(meta)
        for seed in range(args.seeds):
            t0 = time.perf_counter()
            P = problems_mod.make_problem(name, args.quick, seed)
            meta["description"] = P.description
            meta["alpha_max"].append(P.alpha_max)
            meta["f_null"].append(P.f_null)
            print(
                f"# {P.name} seed {seed}: {P.description} (built in {time.perf_counter() - t0:.1f} s)", file=sys.stderr
            )
            for case in problems_mod.cases(P):
                rows = []
                for ad in adapters:
                    try:
                        row = bench_cell(
                            ad, P, case, args.repeat, args.max_tighten, args.max_cell_seconds, refs, (name, seed)
                        )
                    except Exception as exc:  # a library failing on one cell must not end the run
                        print(
                            f"  {case.label:28s} {ad.NAME:13s} FAILED: {type(exc).__name__}: {exc}",
                            file=sys.stderr,
                            flush=True,
                        )
                        continue
                    rows.append(row)
                    bound = "" if row["subopt"] is None else f" bound={row['subopt']:.1e} (ref {row['ref_gap']:.0e})"
                    print(
                        f"  {case.label:28s} {ad.NAME:13s} tol={row['tol']:.0e} median={fmt_t(row['median'])} "
                        f"runs={row['runs']} gap={row['rel_gap']:.1e}{bound} nnz={row['nnz']}",
                        file=sys.stderr,
                        flush=True,
                    )
                results.setdefault(case.label, dict(label=case.label, seeds=[]))["seeds"].append(
                    dict(seed=seed, rows=rows)
                )
    results = list(results.values())
    info["reference_seconds"] = refs.seconds

    compile_rows = []
    if not args.no_compile and any(m.NAME == "lpnet" for m in adapters):
        # --quick: one case only (each row costs a full numba compilation, 5-20 s)
        for name in args.problems[:1] if args.quick else args.problems:
            for pen in ("lasso",) if args.quick else ("lasso", "enet"):
                c = measure_compile(name, pen, args.quick)
                compile_rows.append(((name, pen), c))
                print(f"  compile {name} {pen}: empty {c['empty']} warm {c['warm']}", file=sys.stderr, flush=True)
    cold_rows = (
        [] if args.no_cold_start else measure_cold_start(n=1 if args.quick else 5, with_empty_cache=not args.quick)
    )
    for r in cold_rows:
        print(f"  cold start {r['label']}: {r['median']:.3f} s (empty cache {r['first_empty_cache']})", file=sys.stderr)

    text = markdown(info, problem_meta, results, compile_rows, cold_rows, args)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                dict(info=info, problems=problem_meta, results=results, compile=compile_rows, cold_start=cold_rows),
                indent=1,
                default=str,
            )
        )
    if args.readme:
        update_readme(text)


if __name__ == "__main__":
    main()
