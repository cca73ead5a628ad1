"""Path / cross-validation benchmark: lpnet against scikit-learn, celer, skglm, glum.

    python benchmarks/paths/run.py --quick            # smoke run, small sizes
    python benchmarks/paths/run.py                    # full run, writes the results into README.md
    python benchmarks/paths/run.py --repeat 5 --libs lpnet,scikit-learn --cases lasso_path

Every returned path point (and, for CV, every point of every training-fold path, plus the final model) is
certified by the independent gap of ``certify.py``; each library's ``tol`` (lpnet's included) starts at
its translation of the target and is tightened 10x at most ``--max-tighten`` times until the worst gap
meets the target.  Times are medians of up to ``--repeat`` warm runs (the calibration runs are the
warm-up, so numba compilation is outside the medians; lpnet's compile time is measured apart in a fresh
process with an empty ``NUMBA_CACHE_DIR``).
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
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

from benchmarks.paths import certify  # noqa: E402
from benchmarks.paths import problems as P  # noqa: E402
from benchmarks.paths.adapters import load_all, subproblem  # noqa: E402

CASES = [
    dict(id="lasso_path", label="Lasso path, toeplitz (50 alphas to a_max/1000)", kind="path", problem="toeplitz",
         l1_ratios=(1.0,), n_alphas=50, eps=1e-3, target=1e-6),
    dict(id="enet_path_tfidf", label="EN path l1_ratio=0.5, tfidf (50 alphas to a_max/100)", kind="path",
         problem="tfidf", l1_ratios=(0.5,), n_alphas=50, eps=1e-2, target=1e-6),
    dict(id="enet_path_tall", label="EN path l1_ratio=0.5, tall (50 alphas to a_max/1000)", kind="path",
         problem="tall", l1_ratios=(0.5,), n_alphas=50, eps=1e-3, target=1e-6),
    dict(id="logistic_path", label="L1 logistic path, logistic (20 alphas to a_max/100)", kind="logistic_path",
         problem="logistic", l1_ratios=(1.0,), n_alphas=20, eps=1e-2, target=1e-6),
    dict(id="enetcv", label="ElasticNetCV 5 folds x l1_ratio (0.1, 0.5, 0.9) x 50 alphas, toeplitz", kind="enetcv",
         problem="toeplitz", l1_ratios=(0.1, 0.5, 0.9), n_alphas=50, eps=1e-3, target=1e-4),
    dict(id="lassocv", label="LassoCV 5 folds x 50 alphas, toeplitz", kind="lassocv", problem="toeplitz",
         l1_ratios=(1.0,), n_alphas=50, eps=1e-3, target=1e-4),
    dict(id="ridgecv", label="RidgeCV 50 alphas, tall", kind="ridgecv", problem="tall", l1_ratios=(0.0,),
         n_alphas=50, eps=None, target=1e-4),
]
N_FOLDS = 5


def grids_for(case, problem):
    if case["kind"] == "ridgecv":
        return [np.geomspace(10.0, 1e-5, case["n_alphas"])]
    return [np.geomspace(problem.alpha_max / r, problem.alpha_max / r * case["eps"], case["n_alphas"])
            for r in case["l1_ratios"]]


def folds_for(problem):
    from sklearn.model_selection import KFold

    return list(KFold(N_FOLDS).split(np.zeros(problem.X.shape[0])))


def one_pass_floor(problem, n_products):
    """Median time of one ``X^T v`` times the number of products (one per alpha)."""
    v = np.random.default_rng(0).standard_normal(problem.X.shape[0])
    ts = []
    for _ in range(7):
        t = time.perf_counter()
        problem.X.T @ v
        ts.append(time.perf_counter() - t)
    return float(np.median(ts)) * n_products


def run_once(adapter, case, problem, grids, folds, tol):
    t = time.perf_counter()
    if case["kind"] in ("path", "logistic_path"):
        out = adapter.path(problem, grids[0], case["l1_ratios"][0], tol)
    else:
        out = adapter.cv(problem, case["kind"], grids, case["l1_ratios"], folds, tol)
    return time.perf_counter() - t, out


def certify_out(adapter, case, problem, grids, folds, tol, out):
    """Worst independent relative gap of what the run returned (and, for L1/EN CV, of its fold paths)."""
    if case["kind"] in ("path", "logistic_path"):
        coefs, b = out
        return float(np.max(certify.path_gaps(problem, grids[0], case["l1_ratios"][0], coefs, b)))
    final = certify.rel_gap(problem.X, problem.y, "squared", problem.f_null, out["coef"], out["intercept"],
                            out["alpha"], out["l1_ratio"])
    worst = final
    if case["kind"] != "ridgecv" and hasattr(adapter, "path"):
        for grid, ratio in zip(grids, case["l1_ratios"]):
            for train, _ in folds:
                sub = subproblem(problem, train)
                coefs, b = adapter.path(sub, grid, ratio, tol)
                worst = max(worst, float(np.max(certify.path_gaps(sub, grid, ratio, coefs, b))))
    return worst


def bench_cell(adapter, case, problem, grids, folds, args):
    target = case["target"]
    tol = adapter.translate_tol(target, problem)
    tightened = 0
    max_tighten = getattr(adapter, "MAX_TIGHTEN", {}).get(case["kind"], args.max_tighten)
    while True:
        elapsed, out = run_once(adapter, case, problem, grids, folds, tol)
        gap = certify_out(adapter, case, problem, grids, folds, tol, out)
        if gap <= target or tightened >= max_tighten:
            break
        tol /= 10
        tightened += 1
    times = [elapsed]
    while len(times) < args.repeat and sum(times) < args.max_cell_seconds:
        times.append(run_once(adapter, case, problem, grids, folds, tol)[0])
    cell = dict(lib=adapter.NAME, tol=tol, tightened=tightened, gap=gap, certified=bool(gap <= target),
                times=times, median=float(np.median(times)))
    if case["kind"] != "path" and case["kind"] != "logistic_path":
        cell["alpha"] = float(out["alpha"])
        cell["l1_ratio"] = float(out["l1_ratio"])
    if adapter.NAME == "lpnet" and case["kind"] == "ridgecv":
        cell["note"] = adapter.ridge_note()
    return cell


COMPILE_SCRIPT = r"""
import sys, time
sys.path.insert(0, {root!r})
import numpy as np
t0 = time.perf_counter()
import lpnet
from benchmarks.paths import problems as P
t_import = time.perf_counter() - t0
pbs = [(P.make_problem("toeplitz", True), "l1", 1.0), (P.make_problem("tfidf", True), "elasticnet", 0.5),
       (P.make_problem("logistic", True), "l1", 1.0)]
def go():
    t = time.perf_counter()
    for pb, pen, r in pbs:
        al = np.geomspace(pb.alpha_max / r, pb.alpha_max / r / 100, 10)
        lpnet.regularization_path(pb.X, pb.y, penalty=pen, datafit=pb.datafit, alphas=al, l1_ratio=r)
    return time.perf_counter() - t
first = go()
warm = min(go() for _ in range(3))
print("RESULT", t_import, first, warm)
"""


def measure_compile():
    """lpnet's first path calls (quick Lasso, sparse EN and logistic paths) in a fresh process with an empty
    NUMBA_CACHE_DIR, vs the same calls warm; and with the default on-disk cache."""
    res = {}
    for label, empty in (("empty cache", True), ("default cache", False)):
        env = dict(os.environ)
        tmp = tempfile.mkdtemp() if empty else None
        if empty:
            env["NUMBA_CACHE_DIR"] = tmp
        out = subprocess.run([sys.executable, "-c", COMPILE_SCRIPT.format(root=ROOT)], env=env,
                             capture_output=True, text=True, timeout=900)
        m = re.search(r"RESULT (\S+) (\S+) (\S+)", out.stdout)
        res[label] = tuple(map(float, m.groups())) if m else out.stderr[-500:]
    return res


def fmt_t(t):
    return f"{t * 1e3:.1f} ms" if t < 1 else f"{t:.2f} s"


def environment(adapters):
    import numba
    import scipy

    try:
        import threadpoolctl

        blas = ", ".join(f"{i['internal_api']} {i['num_threads']} threads" for i in threadpoolctl.threadpool_info())
    except Exception:
        blas = "?"
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = re.search(r"model name\s*:\s*(.*)", f.read()).group(1)
    except Exception:
        pass
    libs = ", ".join(f"{a.NAME} {a.version()}" for a in adapters if a.IMPORT_ERROR is None)
    return (f"- Machine: {cpu}, {os.cpu_count()} logical cores; {platform.platform()}; BLAS: {blas}\n"
            f"- Versions: python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
            f"numba {numba.__version__}; {libs}")


def verdict(case, cells):
    by = {c["lib"]: c for c in cells}
    lp = by.get("lpnet")
    if lp is None:
        return "lpnet not run"
    t = lp["median"]
    flag = "" if lp["certified"] else " (lpnet NOT certified)"

    def best(names):
        ok = [by[n]["median"] for n in names if n in by and by[n]["certified"]]
        return min(ok) if ok else None

    parts = []
    if case["kind"] in ("path", "logistic_path"):
        b = best(["scikit-learn", "celer", "skglm"])
        if b is not None:
            parts.append(f"vs fastest of sklearn/celer/skglm {b / t:.2f}x (target 1.5x) {'MET' if b / t >= 1.5 else 'MISSED'}")
        if "scikit-learn (Gram)" in by:
            g = by["scikit-learn (Gram)"]["median"]
            parts.append(f"vs sklearn Gram {g / t:.2f}x (target 1.0x) {'MET' if g / t >= 1.0 else 'MISSED'}")
    elif case["kind"] in ("enetcv", "lassocv"):
        s = best(["scikit-learn"])
        o = best(["celer", "skglm", "glum"])
        if s is not None:
            parts.append(f"vs sklearn {s / t:.1f}x (target 10x) {'MET' if s / t >= 10 else 'MISSED'}")
        if o is not None:
            parts.append(f"vs fastest other {o / t:.2f}x (target 3x) {'MET' if o / t >= 3 else 'MISSED'}")
    else:
        b = best(["scikit-learn", "one-SVD GCV (numpy)"])
        if b is not None:
            parts.append(f"vs faster of sklearn RidgeCV / one-SVD GCV {b / t:.2f}x (target 1.0x) "
                         f"{'MET' if b / t >= 1.0 else 'MISSED'}")
    return "; ".join(parts) + flag


def render(results, meta):
    libs = []
    for r in results:
        for c in r["cells"]:
            if c["lib"] not in libs:
                libs.append(c["lib"])
    lines = [f"Run: `{meta['command']}`, {meta['date']}.", "", meta["env"], "",
             f"- Times: median of up to {meta['repeat']} warm runs (calibration runs are the warm-up). "
             "Ratio = library time / lpnet time (> 1: lpnet faster). `!`: not certified after "
             f"{meta['max_tighten']} tightenings (excluded from the verdicts).", ""]
    lines.append("Problems:\n\n| problem | data | alpha_max (Lasso) | F_null |\n|---|---|---|---|")
    for p in meta["problems"]:
        lines.append(f"| {p['name']} | {p['description']} | {p['alpha_max']:.4g} | {p['f_null']:.4g} |")
    lines += ["", "### Summary", "",
              "| case | " + " | ".join(libs) + " | one-pass floor | verdicts |",
              "|---|" + "---|" * (len(libs) + 2)]
    for r in results:
        by = {c["lib"]: c for c in r["cells"]}
        lp = by.get("lpnet")
        row = [r["case"]["label"]]
        for lib in libs:
            c = by.get(lib)
            if c is None:
                row.append("-")
                continue
            s = fmt_t(c["median"])
            if lp is not None and lib != "lpnet":
                s += f" ({c['median'] / lp['median']:.2f}x)"
            if not c["certified"]:
                s += " !"
            row.append(s)
        row.append(fmt_t(r["floor"]))
        row.append(r["verdict"])
        lines.append("| " + " | ".join(row) + " |")
    lines += ["", "### Details", "",
              "`tol`: the library's tol used (`+k`: tightened k times by 10x from its translation of the target); "
              "`worst gap`: the largest independent relative gap over every certified point (for CV: every alpha "
              "of every training-fold path and the final model); `runs`: timed runs in the median.", "",
              "| case | library | tol | worst gap (target) | median | runs | chosen alpha / l1_ratio | note |",
              "|---|---|---|---|---|---|---|---|"]
    for r in results:
        for c in r["cells"]:
            ch = f"{c['alpha']:.4g} / {c['l1_ratio']:g}" if "alpha" in c else ""
            lines.append(f"| {r['case']['id']} | {c['lib']} | {c['tol']:.0e} +{c['tightened']} | "
                         f"{c['gap']:.1e} ({r['case']['target']:.0e}){'' if c['certified'] else ' !'} | "
                         f"{fmt_t(c['median'])} | {len(c['times'])} | {ch} | {c.get('note', '')} |")
    if meta.get("skipped"):
        lines += ["", "Skipped libraries: " + "; ".join(meta["skipped"])]
    comp = meta.get("compile")
    if comp:
        lines += ["", "### lpnet compile time (measured apart)", "",
                  "Quick-size Lasso (dense), Elastic Net (sparse) and L1 logistic paths, 10 alphas each, "
                  "in a fresh process:", "", "| NUMBA cache | import lpnet | first calls | warm calls | compile (first - warm) |",
                  "|---|---|---|---|---|"]
        for k, v in comp.items():
            if isinstance(v, tuple):
                lines.append(f"| {k} | {fmt_t(v[0])} | {fmt_t(v[1])} | {fmt_t(v[2])} | {fmt_t(v[1] - v[2])} |")
            else:
                lines.append(f"| {k} | failed: {v!r} | | | |")
    return "\n".join(lines) + "\n"


def write_readme(text):
    path = os.path.join(HERE, "README.md")
    with open(path) as f:
        doc = f.read()
    start, end = "<!-- results:start -->", "<!-- results:end -->"
    i, j = doc.index(start) + len(start), doc.index(end)
    with open(path, "w") as f:
        f.write(doc[:i] + "\n" + text + doc[j:])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small problems (smoke run)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--max-tighten", type=int, default=3)
    ap.add_argument("--max-cell-seconds", type=float, default=60.0,
                    help="stop repeating a cell once its timed runs exceed this")
    ap.add_argument("--libs", default=None, help="comma-separated library names (default: all available)")
    ap.add_argument("--cases", default=None, help="comma-separated case ids")
    ap.add_argument("--no-compile", action="store_true")
    ap.add_argument("--json", default=None)
    ap.add_argument("--out", default=None, help="write the markdown here")
    ap.add_argument("--readme", action="store_true", help="replace the results section of README.md")
    args = ap.parse_args(argv)

    adapters = load_all()
    skipped = [f"{a.NAME}: {a.IMPORT_ERROR}" for a in adapters if a.IMPORT_ERROR is not None]
    adapters = [a for a in adapters if a.IMPORT_ERROR is None]
    if args.quick and not args.libs:
        adapters = [a for a in adapters if a.NAME != "glum"]  # slow: keeps the smoke run short
    if args.libs:
        keep = set(args.libs.split(","))
        adapters = [a for a in adapters if a.NAME in keep or a.NAME == "lpnet"]
    cases = [c for c in CASES if not args.cases or c["id"] in args.cases.split(",")]
    problems, results = {}, []
    meta = dict(command="python benchmarks/paths/run.py " + " ".join(argv if argv is not None else sys.argv[1:]),
                date=datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), env=environment(load_all()),
                repeat=args.repeat, max_tighten=args.max_tighten, skipped=skipped, problems=[])
    if not args.no_compile:
        meta["compile"] = measure_compile()

    def flush(partial):
        meta["problems"] = [dict(name=p.name, description=p.description, alpha_max=p.alpha_max, f_null=p.f_null)
                            for p in problems.values()]
        text = render(results, meta) + ("\n(partial: still running)\n" if partial else "")
        if args.out:
            with open(args.out, "w") as f:
                f.write(text)
        if args.json:
            with open(args.json, "w") as f:
                json.dump(dict(meta=meta, results=results), f, indent=1, default=str)
        if args.readme:
            write_readme(text)
        return text

    for case in cases:
        if case["problem"] not in problems:
            problems[case["problem"]] = P.make_problem(case["problem"], args.quick)
        pb = problems[case["problem"]]
        grids = grids_for(case, pb)
        folds = folds_for(pb)
        n_prod = sum(len(g) for g in grids) * (1 if case["kind"] in ("path", "logistic_path") else N_FOLDS + 1)
        floor = one_pass_floor(pb, n_prod)
        cells = []
        for a in adapters:
            if case["kind"] not in a.SUPPORTS or pb.name not in getattr(a, "ONLY_PROBLEMS", (pb.name,)):
                continue
            try:
                cell = bench_cell(a, case, pb, grids, folds, args)
            except Exception as exc:
                print(f"  {a.NAME} failed on {case['id']}: {type(exc).__name__}: {exc}", flush=True)
                skipped.append(f"{a.NAME} on {case['id']}: {type(exc).__name__}: {str(exc)[:150]}")
                continue
            cells.append(cell)
            print(f"{case['id']:16s} {a.NAME:22s} {fmt_t(cell['median']):>10s} gap {cell['gap']:.1e} "
                  f"tol {cell['tol']:.0e} +{cell['tightened']} runs {len(cell['times'])}", flush=True)
        r = dict(case=case, cells=cells, floor=floor)
        r["verdict"] = verdict(case, cells)
        print("   ->", r["verdict"], flush=True)
        results.append(r)
        flush(True)
    print(flush(False))


if __name__ == "__main__":
    main()
