"""Benchmark lpnet against scikit-learn, skglm and celer on Lasso / Elastic Net problems.

    python benchmarks/run.py [--quick] [--repeat N] [--out FILE] [--readme]

For every problem x penalty x alpha and every importable library:

1. choose the library's ``tol``: its translation of the target relative gap (1e-6), tightened by factors of
   10 (at most ``--max-tighten`` times) until the independent duality gap of ``gap.py`` is <= the target.
   lpnet always runs at ``tol = 1e-6`` (its own stopping rule is that relative gap); its independent gap
   is reported as is.  These calibration fits also serve as the warm-up (numba JIT compilation of lpnet and
   skglm happens there, never inside the timed runs);
2. time ``--repeat`` fits (wall clock, ``time.perf_counter``, whole ``fit`` call including input checks)
   and report the MEDIAN; a cell stops repeating early once its timed runs exceed ``--max-cell-seconds``
   (the number of runs is reported);
3. certify the returned solution with the independent gap (relative to ``F_null``) and count nonzeros.

lpnet's numba compile time is measured separately, in fresh subprocesses whose ``NUMBA_CACHE_DIR`` is an
empty temporary directory, and the cold start of a whole Python process is measured last.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import competitors  # noqa: E402
import problems as problems_mod  # noqa: E402
from gap import duality_gap  # noqa: E402

TARGET = 1e-6
README = HERE / "README.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"


# --------------------------------------------------------------------------------------------- timing
def timed_fit(adapter, problem, case, tol):
    t0 = time.perf_counter()
    coef, intercept = adapter.fit(problem, case.alpha, case.l1_ratio, tol)
    return time.perf_counter() - t0, np.asarray(coef, dtype=np.float64).ravel(), float(intercept)


def certify(problem, case, coef, intercept):
    return duality_gap(problem.X, problem.y, coef, intercept, case.alpha, case.l1_ratio).rel_gap


def choose_tol(adapter, problem, case, max_tighten):
    """Loosest tol of the ladder whose independent gap reaches the target (also the warm-up)."""
    tol = adapter.translate_tol(TARGET, problem)
    steps = 0 if adapter.NAME == "lpnet" else max_tighten
    for k in range(steps + 1):
        t = tol * 10.0**-k
        _, coef, b = timed_fit(adapter, problem, case, t)
        rel = certify(problem, case, coef, b)
        if rel <= TARGET:
            return t, k, True
    return t, steps, adapter.NAME == "lpnet"


def bench_cell(adapter, problem, case, repeat, max_tighten, max_cell_seconds):
    tol, tightened, reached = choose_tol(adapter, problem, case, max_tighten)
    times = []
    for _ in range(repeat):
        dt, coef, b = timed_fit(adapter, problem, case, tol)
        times.append(dt)
        if sum(times) > max_cell_seconds:
            break
    row = dict(library=adapter.NAME, tol=tol, tightened=tightened, median=statistics.median(times),
               times=times, runs=len(times), rel_gap=certify(problem, case, coef, b),
               nnz=int(np.count_nonzero(coef)))
    row["gap_ok"] = row["rel_gap"] <= TARGET
    if adapter.NAME == "lpnet":
        res = adapter.last_result
        row.update(n_iter=res.n_outer, own_rel_gap=res.dual_gap / problem.f_null, converged=res.converged,
                   history=[h / problem.f_null for h in res.history])
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


def run_cmd(argv, env_extra=None, timeout=600):
    env = dict(os.environ)
    env.pop("NUMBA_CACHE_DIR", None)
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
LPNET_FIT = ("import lpnet; from lpnet.solvers import solve; from lpnet.datafits import Quadratic; "
             "from lpnet.penalties import L1; from sklearn.datasets import load_diabetes; "
             "X, y = load_diabetes(return_X_y=True); solve(X, y, Quadratic(), L1(0.1), tol=1e-6)")
SKLEARN_FIT = ("from sklearn.linear_model import Lasso; from sklearn.datasets import load_diabetes; "
               "X, y = load_diabetes(return_X_y=True); Lasso(alpha=0.1, tol=5e-7).fit(X, y)")


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
    cmds = [(f"`python -c \"{BASE_IMPORTS}\"`", [sys.executable, "-c", BASE_IMPORTS], False),
            ("scikit-learn Lasso on diabetes (`python -c ...`)", [sys.executable, "-c", SKLEARN_FIT], False),
            ("lpnet Lasso on diabetes (`python -c \"import lpnet; ... solve(...)\"`)",
             [sys.executable, "-c", LPNET_FIT], True)]
    cli = lpnet_console_script()
    if cli is not None:
        cmds.append(("`lpnet fit` (console script: diabetes demo, 4 models, each with a warm-up fit)",
                     [cli, "fit"], True))
    for _, argv, _ in cmds:
        run_cmd(argv)  # fills the OS file cache and numba's cache
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

        blas = ", ".join(f"{d.get('internal_api')} {d.get('num_threads')} threads"
                         for d in threadpool_info() if d.get("user_api") == "blas")
    except Exception:
        pass
    import numba
    import scipy

    versions = {"python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
                "numba": numba.__version__}
    libs = {}
    for m in competitors.load_all():
        libs[m.NAME] = m.version() if m.IMPORT_ERROR is None else f"unavailable ({m.IMPORT_ERROR})"
    return dict(date=datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), cpu=cpu, cores=os.cpu_count(),
                usable_cores=usable, blas=blas, versions=versions, libs=libs, platform=platform.platform())


# --------------------------------------------------------------------------------------- markdown
def fmt_t(s):
    return f"{s * 1e3:.1f} ms" if s < 1 else f"{s:.2f} s"


def markdown(info, problems, results, compile_rows, cold_rows, args):
    L = []
    L.append(f"Run: `python benchmarks/run.py{' --quick' if args.quick else ''} --repeat {args.repeat}`, "
             f"{info['date']}.")
    L.append("")
    L.append(f"- Machine: {info['cpu']}, {info['cores']} logical cores ({info['usable_cores']} usable); "
             f"{info['platform']}; BLAS: {info['blas'] or 'unknown'}")
    L.append("- Versions: " + ", ".join(f"{k} {v}" for k, v in info["versions"].items()) + "; "
             + ", ".join(f"{k} {v}" for k, v in info["libs"].items()))
    L.append(f"- Target: relative duality gap (independent, `benchmarks/gap.py`) <= {TARGET:g}. "
             f"Times: median of up to {args.repeat} warm runs (numba already compiled).")
    L.append("")
    L.append("Problems:")
    L.append("")
    L.append("| problem | data | alpha_max (Lasso) | F_null |")
    L.append("|---|---|---|---|")
    for p in problems:
        L.append(f"| {p.name} | {p.description} | {p.alpha_max:.4g} | {p.f_null:.4g} |")
    L.append("")

    names = [m.NAME for m in competitors.available() if m.NAME != "lpnet"]
    L.append("### Summary: median time, and competitor time / lpnet time")
    L.append("")
    L.append("Ratio > 1: lpnet is faster.  Targets for lpnet: >= 3x faster than scikit-learn, and not "
             "slower than the faster of skglm / celer.")
    L.append("")
    L.append("| case | lpnet | " + " | ".join(names) + " | targets |")
    L.append("|---|---|" + "---|" * len(names) + "---|")
    for case_label, rows in results:
        by = {r["library"]: r for r in rows}
        lp = by.get("lpnet")
        cells = []
        for nm in names:
            r = by.get(nm)
            if r is None:
                cells.append("n/a")
                continue
            flag = "" if r["gap_ok"] else " (gap!)"
            cells.append(f"{fmt_t(r['median'])} ({r['median'] / lp['median']:.2f}x){flag}")
        verdict = []
        if lp is not None:
            sk = by.get("scikit-learn")
            if sk is not None:
                ratio = sk["median"] / lp["median"]
                verdict.append(f"sklearn {ratio:.1f}x {'OK' if ratio >= 3 else 'MISS'}")
            fast = [by[n]["median"] for n in ("skglm", "celer") if n in by]
            if fast:
                ratio = min(fast) / lp["median"]
                verdict.append(f"best-of {ratio:.2f}x {'OK' if ratio >= 1 else 'MISS'}")
            if not lp["gap_ok"]:
                verdict.append("lpnet gap MISS")
        lp_cell = fmt_t(lp["median"]) if lp else "n/a"
        L.append(f"| {case_label} | {lp_cell} | " + " | ".join(cells) + f" | {'; '.join(verdict)} |")
    L.append("")

    L.append("### Details")
    L.append("")
    L.append("`tol`: the library's own tol used (`+k`: tightened k times by 10x from its translation of the "
             "target); `gap`: independent relative gap of the returned solution; `nnz`: nonzero coefficients.")
    L.append("")
    L.append("| case | library | tol | median | runs | gap | nnz | vs lpnet |")
    L.append("|---|---|---|---|---|---|---|---|")
    for case_label, rows in results:
        lp = next((r for r in rows if r["library"] == "lpnet"), None)
        for r in rows:
            tight = f" (+{r['tightened']})" if r["tightened"] else ""
            ok = "" if r["gap_ok"] else " **> target**"
            ratio = f"{r['median'] / lp['median']:.2f}x" if lp else ""
            L.append(f"| {case_label} | {r['library']} | {r['tol']:.0e}{tight} | {fmt_t(r['median'])} | "
                     f"{r['runs']} | {r['rel_gap']:.1e}{ok} | {r['nnz']} | {ratio} |")
    L.append("")

    L.append("### lpnet internals")
    L.append("")
    L.append("| case | outer iterations | own relative gap | converged | gap history (relative) |")
    L.append("|---|---|---|---|---|")
    for case_label, rows in results:
        lp = next((r for r in rows if r["library"] == "lpnet"), None)
        if lp:
            hist = ", ".join(f"{h:.0e}" for h in lp["history"])
            L.append(f"| {case_label} | {lp['n_iter']} | {lp['own_rel_gap']:.1e} | {lp['converged']} | "
                     f"{hist} |")
    L.append("")

    if compile_rows:
        L.append("### lpnet numba compilation (separate from the medians above)")
        L.append("")
        L.append("Fresh process per row, case alpha_max/10.  *empty cache*: `NUMBA_CACHE_DIR` set to an empty "
                 "temporary directory, so every kernel is compiled; *warm cache*: the default on-disk cache.  "
                 "JIT compile ~ first fit (empty cache) - third fit.")
        L.append("")
        L.append("| problem | penalty | import lpnet (empty / warm cache) | 1st fit, empty cache | "
                 "1st fit, warm cache | 3rd fit | JIT compile |")
        L.append("|---|---|---|---|---|---|---|")
        for (name, pen), c in compile_rows:
            e, w = c["empty"], c["warm"]
            L.append(f"| {name} | {pen} | {fmt_t(e['import_s'])} / {fmt_t(w['import_s'])} | "
                     f"{fmt_t(e['fits'][0])} | {fmt_t(w['fits'][0])} | {fmt_t(w['fits'][2])} | "
                     f"{fmt_t(e['fits'][0] - w['fits'][2])} |")
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
    ap.add_argument("--quick", action="store_true", help="small problems (smoke test, < 60 s)")
    ap.add_argument("--repeat", type=int, default=5, help="timed runs per cell (median reported)")
    ap.add_argument("--out", help="write the markdown results to this file")
    ap.add_argument("--json", help="write the raw results as JSON to this file")
    ap.add_argument("--readme", action="store_true", help="put the results into benchmarks/README.md")
    ap.add_argument("--problems", nargs="*", default=list(problems_mod.PROBLEM_NAMES))
    ap.add_argument("--libs", nargs="*", help="library names to run (default: all importable)")
    ap.add_argument("--max-tighten", type=int, default=3, help="max 10x tightenings of a competitor's tol")
    ap.add_argument("--max-cell-seconds", type=float, default=60.0,
                    help="stop repeating a cell once its timed runs exceed this")
    ap.add_argument("--no-compile", action="store_true", help="skip the numba compile-time subprocesses")
    ap.add_argument("--no-cold-start", action="store_true", help="skip the process cold-start timings")
    ap.add_argument("--cold-start-only", action="store_true",
                    help="only measure the process cold start (written with --json as cold_start)")
    ap.add_argument("--cold-json", metavar="FILE", help="with --render-json: take cold_start from this file")
    ap.add_argument("--render-json", metavar="FILE",
                    help="only re-render the markdown of a previous --json file (same --quick/--repeat)")
    args = ap.parse_args(argv)

    if args.render_json:
        raw = json.loads(Path(args.render_json).read_text())
        problems = [problems_mod.make_problem(name, args.quick) for name in args.problems]
        compile_rows = [(tuple(k), c) for k, c in raw["compile"]]
        cold = raw["cold_start"]
        if args.cold_json:
            cold = json.loads(Path(args.cold_json).read_text())["cold_start"]
        text = markdown(raw["info"], problems, raw["results"], compile_rows, cold, args)
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

    problems, results = [], []
    for name in args.problems:
        t0 = time.perf_counter()
        P = problems_mod.make_problem(name, args.quick)
        problems.append(P)
        print(f"# {P.name}: {P.description} (built in {time.perf_counter() - t0:.1f} s)", file=sys.stderr)
        for case in problems_mod.cases(P):
            rows = []
            for ad in adapters:
                row = bench_cell(ad, P, case, args.repeat, args.max_tighten, args.max_cell_seconds)
                rows.append(row)
                print(f"  {case.label:28s} {ad.NAME:13s} tol={row['tol']:.0e} median={fmt_t(row['median'])} "
                      f"runs={row['runs']} gap={row['rel_gap']:.1e} nnz={row['nnz']}", file=sys.stderr,
                      flush=True)
            results.append((case.label, rows))

    compile_rows = []
    if not args.no_compile and any(m.NAME == "lpnet" for m in adapters):
        # --quick: one case only (each row costs a full numba compilation, 5-20 s)
        for name in args.problems[:1] if args.quick else args.problems:
            for pen in ("lasso",) if args.quick else ("lasso", "enet"):
                c = measure_compile(name, pen, args.quick)
                compile_rows.append(((name, pen), c))
                print(f"  compile {name} {pen}: empty {c['empty']} warm {c['warm']}", file=sys.stderr,
                      flush=True)
    cold_rows = [] if args.no_cold_start else measure_cold_start(
        n=1 if args.quick else 5, with_empty_cache=not args.quick)
    for r in cold_rows:
        print(f"  cold start {r['label']}: {r['median']:.3f} s (empty cache {r['first_empty_cache']})",
              file=sys.stderr)

    text = markdown(info, problems, results, compile_rows, cold_rows, args)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")
    if args.json:
        Path(args.json).write_text(json.dumps(dict(info=info, results=results, compile=compile_rows,
                                                   cold_start=cold_rows), indent=1, default=str))
    if args.readme:
        update_readme(text)


if __name__ == "__main__":
    main()
