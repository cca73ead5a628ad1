"""Path / cross-validation benchmark: lpnet against scikit-learn, glmnet, celer, skglm, glum.

    python benchmarks/paths/run.py --quick            # smoke run, small sizes
    python benchmarks/paths/run.py --readme           # full run, writes the results into README.md
    python benchmarks/paths/run.py --repeat 5 --libs lpnet,scikit-learn --cases lasso_path --seeds 2

Every case runs on ``--seeds`` draws of its problem family (seeds 0, 1, ...).  On each seed, every
returned path point (and, for CV, every point of every training-fold path, plus the final model) is
checked with the independent certificate of ``certify.py``: lpnet's gap at its own point must meet the
target; a competitor's suboptimality bound (``benchmarks/reference.py``: its primal value minus the best
of its own dual value and that of lpnet's reference fit at ``tol=1e-10``) must.  Each library's ``tol``
(lpnet's included) starts at its translation of the target and is tightened 10x at most
``--max-tighten`` times (or the adapter's own ``MAX_TIGHTEN``) until its worst value meets the target.
Times are medians of up to ``--repeat`` warm runs (the calibration runs are the warm-up, so numba
compilation is outside the medians; lpnet's compile time is measured apart in a fresh process with an
empty ``NUMBA_CACHE_DIR``); BLAS runs single-threaded unless ``--threads N``.  Per seed, each library's
ratio to lpnet; the summary gives the median ratio over seeds and the worst (smallest) one.
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
import datetime  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from benchmarks.paths import certify  # noqa: E402
from benchmarks.paths import problems as P  # noqa: E402
from benchmarks.paths.adapters import load_all, subproblem  # noqa: E402
from benchmarks.reference import REF_TOL, References, subopt_bound  # noqa: E402
from benchmarks.report import span  # noqa: E402

PATH_KINDS = ("path", "logistic_path")
_PATHS = [
    dict(
        id="lasso_path",
        label="Lasso path, toeplitz (50 alphas to a_max/1000)",
        kind="path",
        problem="toeplitz",
        l1_ratios=(1.0,),
        n_alphas=50,
        eps=1e-3,
        target=1e-6,
    ),
    dict(
        id="enet_path_tfidf",
        label="EN path l1_ratio=0.5, tfidf (50 alphas to a_max/100)",
        kind="path",
        problem="tfidf",
        l1_ratios=(0.5,),
        n_alphas=50,
        eps=1e-2,
        target=1e-6,
    ),
    dict(
        id="enet_path_tall",
        label="EN path l1_ratio=0.5, tall (50 alphas to a_max/1000)",
        kind="path",
        problem="tall",
        l1_ratios=(0.5,),
        n_alphas=50,
        eps=1e-3,
        target=1e-6,
    ),
    dict(
        id="logistic_path",
        label="L1 logistic path, logistic (20 alphas to a_max/100)",
        kind="logistic_path",
        problem="logistic",
        l1_ratios=(1.0,),
        n_alphas=20,
        eps=1e-2,
        target=1e-6,
    ),
]
_CV = [
    dict(
        id="enetcv",
        label="ElasticNetCV 5 folds x l1_ratio (0.1, 0.5, 0.9) x 50 alphas, toeplitz",
        kind="enetcv",
        problem="toeplitz",
        l1_ratios=(0.1, 0.5, 0.9),
        n_alphas=50,
        eps=1e-3,
        target=1e-4,
    ),
    dict(
        id="enetcv_tall",
        label="ElasticNetCV 5 folds x l1_ratio (0.1, 0.5, 0.9) x 50 alphas, tall",
        kind="enetcv",
        problem="tall",
        l1_ratios=(0.1, 0.5, 0.9),
        n_alphas=50,
        eps=1e-3,
        target=1e-4,
    ),
    dict(
        id="lassocv",
        label="LassoCV 5 folds x 50 alphas, toeplitz",
        kind="lassocv",
        problem="toeplitz",
        l1_ratios=(1.0,),
        n_alphas=50,
        eps=1e-3,
        target=1e-4,
    ),
]
#: each CV case again with n_jobs=2, for the libraries that parallelize their CV (``CV_N_JOBS``); the same
#: computation as the n_jobs=1 case, whose tol is reused on the same seed (``same_as``)
_CV_J2 = [dict(c, id=c["id"] + "_j2", label=c["label"] + ", n_jobs=2", n_jobs=2, same_as=c["id"]) for c in _CV]
CASES = (
    _PATHS
    + _CV
    + _CV_J2
    + [
        dict(
            id="ridgecv",
            label="RidgeCV 50 alphas, tall",
            kind="ridgecv",
            problem="tall",
            l1_ratios=(0.0,),
            n_alphas=50,
            eps=None,
            target=1e-4,
        ),
    ]
)
N_FOLDS = 5
#: (library, case kind) pairs that have run once in this process (see bench_cell)
_WARMED: set[tuple[str, str]] = set()


def grids_for(case, problem):
    if case["kind"] == "ridgecv":
        return [np.geomspace(10.0, 1e-5, case["n_alphas"])]
    return [
        np.geomspace(problem.alpha_max / r, problem.alpha_max / r * case["eps"], case["n_alphas"])
        for r in case["l1_ratios"]
    ]


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


def runs_case(adapter, case, problem):
    if case["kind"] not in adapter.SUPPORTS:
        return False
    if case.get("n_jobs", 1) > 1 and not getattr(adapter, "CV_N_JOBS", False):
        return False
    return problem.name in getattr(adapter, "ONLY_PROBLEMS", (problem.name,))


def run_once(adapter, case, problem, grids, folds, tol):
    t = time.perf_counter()
    if case["kind"] in PATH_KINDS:
        out = adapter.path(problem, grids[0], case["l1_ratios"][0], tol)
    elif getattr(adapter, "CV_N_JOBS", False):
        out = adapter.cv(problem, case["kind"], grids, case["l1_ratios"], folds, tol, n_jobs=case.get("n_jobs", 1))
    else:
        out = adapter.cv(problem, case["kind"], grids, case["l1_ratios"], folds, tol)
    return time.perf_counter() - t, out


def judge(problem, key, refs, alphas, l1_ratio, coefs, intercepts):
    """Worst ``(gap at the library's own point, suboptimality bound, reference gap)`` over the points of
    one path.  ``refs`` is None for lpnet (judged on its own certificate): the last two are then None."""
    primal, dual = certify.path_values(problem, alphas, l1_ratio, coefs, intercepts)
    own = float(np.max(primal - dual)) / problem.f_null
    if refs is None:
        return own, None, None
    d_ref, ref_gap = refs.duals(key, problem, alphas, l1_ratio)
    return own, float(np.max(subopt_bound(primal, dual, d_ref, problem.f_null))), float(np.max(ref_gap))


def worst_of(parts):
    """Componentwise max of ``judge`` triples (a None component stays None)."""
    return tuple(None if vals[0] is None else max(vals) for vals in zip(*parts))


def judge_final(problem, refs, out):
    return judge(problem, None, refs, [out["alpha"]], out["l1_ratio"], [out["coef"]], [out["intercept"]])


def certify_out(adapter, case, problem, refs, grids, folds, tol, out):
    """``judge`` over what the run returned (and, for L1/EN CV, over its fold paths, on the folds the
    library really uses).  Reference fits are keyed by the rows of ``problem`` they use."""
    if case["kind"] in PATH_KINDS:
        coefs, b = out
        return judge(problem, None, refs, grids[0], case["l1_ratios"][0], coefs, b)
    parts = [judge_final(problem, refs, out)]
    if case["kind"] != "ridgecv" and hasattr(adapter, "path"):
        lib_folds = adapter.cv_folds(problem, folds) if hasattr(adapter, "cv_folds") else folds
        for grid, ratio in zip(grids, case["l1_ratios"]):
            for train, _ in lib_folds:
                sub = subproblem(problem, train)
                if hasattr(adapter, "fold_path"):
                    coefs, b, alphas, r = adapter.fold_path(problem, sub, grid, ratio, tol)
                else:
                    (coefs, b), alphas, r = adapter.path(sub, grid, ratio, tol), grid, ratio
                parts.append(judge(sub, np.asarray(train).tobytes(), refs, alphas, r, coefs, b))
    return worst_of(parts)


def judged(gap, subopt):
    """The value a library is held to: lpnet its certificate, a competitor its suboptimality bound."""
    return gap if subopt is None else subopt


def bench_cell(adapter, case, problem, refs, grids, folds, args, known=None):
    """Calibrate the tol (or take ``known``, the cell of the same computation at n_jobs=1), then time.
    ``refs``: the reference fits of ``problem`` (unused for lpnet)."""
    target = case["target"]
    refs = None if adapter.NAME == "lpnet" else refs
    if known is None:
        # competitors are held to their suboptimality, which their gap-exact tol over-serves: they start
        # one decade looser (START_LOOSER, 1 for an adapter whose translation is already loose)
        looser = 1.0 if adapter.NAME == "lpnet" else getattr(adapter, "START_LOOSER", 10.0)
        tol = adapter.translate_tol(target, problem) * looser
        tightened = 0
        max_tighten = getattr(adapter, "MAX_TIGHTEN", {}).get(case["kind"], args.max_tighten + int(looser > 1))
        while True:
            elapsed, out = run_once(adapter, case, problem, grids, folds, tol)
            gap, subopt, ref_gap = certify_out(adapter, case, problem, refs, grids, folds, tol, out)
            if judged(gap, subopt) <= target or tightened >= max_tighten:
                break
            tol /= 10
            tightened += 1
        # the last calibration run counts as a timing, unless it was the library's first run of this kind in
        # the process (numba loading its compiled code took lpnet's first tf-idf path from 90 to 520 ms,
        # and the median of three then took the slower of the other two) or it also started parallel workers
        first = (adapter.NAME, case["kind"]) not in _WARMED
        _WARMED.add((adapter.NAME, case["kind"]))
        times = [elapsed] if case.get("n_jobs", 1) == 1 and not first else []
    else:
        tol, tightened = known["tol"], known["tightened"]
        _, out = run_once(adapter, case, problem, grids, folds, tol)  # warm-up: starts the parallel workers
        gap, subopt, ref_gap = worst_of(
            [(known["gap"], known["subopt"], known["ref_gap"]), judge_final(problem, refs, out)]
        )
        times = []
    while len(times) < args.repeat and sum(times) < args.max_cell_seconds:
        times.append(run_once(adapter, case, problem, grids, folds, tol)[0])
    cell = dict(
        lib=adapter.NAME,
        tol=tol,
        tightened=tightened,
        gap=gap,
        subopt=subopt,
        ref_gap=ref_gap,
        certified=bool(judged(gap, subopt) <= target),
        times=times,
        median=float(np.median(times)),
    )
    if case["kind"] not in PATH_KINDS:
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
        out = subprocess.run(
            [sys.executable, "-c", COMPILE_SCRIPT.format(root=ROOT)],
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
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
    return (
        f"- Machine: {cpu}, {os.cpu_count()} logical cores; {platform.platform()}; BLAS: {blas}\n"
        f"- Threads: {blas_threads.describe()} (set before numpy is imported; `--threads N` to change)\n"
        f"- Versions: python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"numba {numba.__version__}; {libs}"
    )


def targets(case):
    """``(label, libraries, median ratio needed, worst-seed ratio needed or None)``; with several libraries
    the fastest certified one counts on each seed."""
    if case["kind"] in PATH_KINDS:
        out = [("glmnet", ("glmnet",), 1.5, 1.2), ("skglm", ("skglm",), 2.0, None), ("celer", ("celer",), 2.0, None)]
        if case["problem"] == "tall":
            out.append(("scikit-learn (Gram)", ("scikit-learn (Gram)",), 1.0, None))
        return out
    if case["kind"] in ("enetcv", "lassocv"):
        return [
            ("scikit-learn", ("scikit-learn",), 10.0, None),
            ("glmnet", ("glmnet",), 2.0, 1.2),
            ("skglm", ("skglm",), 2.0, None),
            ("celer", ("celer",), 2.0, None),
        ]
    return [("faster of scikit-learn RidgeCV / one-SVD GCV", ("scikit-learn", "one-SVD GCV (numpy)"), 1.0, None)]


def seed_ratios(seeds, libs):
    """Per seed: time of the fastest certified library among ``libs`` / lpnet's time."""
    out = []
    for s in seeds:
        by = {c["lib"]: c for c in s["cells"]}
        ts = [by[lib]["median"] for lib in libs if lib in by and by[lib]["certified"]]
        if "lpnet" in by and ts:
            out.append(min(ts) / by["lpnet"]["median"])
    return out


def verdicts(case, seeds):
    out = []
    for label, libs, need, need_worst in targets(case):
        rs = seed_ratios(seeds, libs)
        if rs:
            med, worst = float(np.median(rs)), float(min(rs))
            out.append(
                dict(
                    label=label,
                    median=med,
                    worst=worst,
                    seeds=len(rs),
                    need=need,
                    need_worst=need_worst,
                    met=bool(med >= need and (need_worst is None or worst >= need_worst)),
                )
            )
    return out


def verdict_text(v):
    need = f"{v['need']:g}x" + (f", worst {v['need_worst']:g}x" if v["need_worst"] else "")
    return (
        f"vs {v['label']} {v['median']:.2f}x (worst {v['worst']:.2f}x, {v['seeds']} seeds; target {need}) "
        f"{'MET' if v['met'] else 'MISSED'}"
    )


def lib_cells(r, lib):
    return [c for s in r["seeds"] for c in s["cells"] if c["lib"] == lib]


def render(results, meta):
    libs = []
    for r in results:
        for s in r["seeds"]:
            for c in s["cells"]:
                if c["lib"] not in libs:
                    libs.append(c["lib"])
    others = [lib for lib in libs if lib != "lpnet"]
    lines = [
        f"Run: `{meta['command']}`, {meta['date']}.",
        "",
        meta["env"],
        "",
        f"- Seeds: {meta['seeds']} draws of every problem family (seeds 0..{meta['seeds'] - 1}).  Per seed, each "
        f"library's time is the median of up to {meta['repeat']} warm runs (calibration runs are the warm-up) "
        "and its ratio = library time / lpnet time (> 1: lpnet faster).  `!`: the library missed its "
        "accuracy rule after the tightening ladder on that seed (excluded from the ratios and verdicts): "
        "lpnet its certified gap, a competitor its suboptimality bound.",
        f"- Reference fits (lpnet at tol={REF_TOL:g}, outside every timing, for the competitors' "
        f"suboptimality bounds): {meta.get('reference_seconds', 0.0):.1f} s in all.",
        "",
    ]
    lines.append(
        "Problems (alpha_max and F_null over the seeds):\n\n"
        "| problem | data (seed 0) | alpha_max (Lasso) | F_null |\n|---|---|---|---|"
    )
    for p in meta["problems"]:
        lines.append(
            f"| {p['name']} | {p['description']} | {span(p['alpha_max'], '{:.4g}')} | {span(p['f_null'], '{:.4g}')} |"
        )
    lines += [
        "",
        "### Summary",
        "",
        "lpnet: median over seeds of its time; others: median ratio over seeds / worst (smallest) ratio "
        "(`!k`: accuracy rule missed on k seeds).",
        "",
        "| case | lpnet | " + " | ".join(others) + " | one-pass floor |",
        "|---|---|" + "---|" * (len(others) + 1),
    ]
    for r in results:
        lp = lib_cells(r, "lpnet")
        row = [r["case"]["label"], fmt_t(float(np.median([c["median"] for c in lp]))) if lp else "-"]
        for lib in others:
            cells = lib_cells(r, lib)
            bad = sum(not c["certified"] for c in cells)
            rs = seed_ratios(r["seeds"], (lib,))
            if not cells:
                row.append("-")
                continue
            s = [f"{np.median(rs):.2f}x / {min(rs):.2f}x"] if rs else []
            row.append(" ".join(s + ([f"!{bad}"] if bad else [])))
        row.append(fmt_t(float(np.median([s["floor"] for s in r["seeds"]]))))
        lines.append("| " + " | ".join(row) + " |")
    lines += ["", "### Verdicts", "", "| case | verdict |", "|---|---|"]
    for r in results:
        lp_bad = sum(not c["certified"] for c in lib_cells(r, "lpnet"))
        flag = f" (lpnet NOT certified on {lp_bad} seeds)" if lp_bad else ""
        for v in r["verdicts"]:
            lines.append(f"| {r['case']['id']} | {verdict_text(v)}{flag} |")
    lines += [
        "",
        "### Details",
        "",
        "`tol`: the library's tol used, loosest..tightest over the seeds (`+k`: at most k 10x tightenings "
        "from its translation of the target).  Worst values over every checked point of every seed (for "
        "CV: every alpha of every training-fold path and the final model), relative to F_null: "
        "`worst certified gap`: lpnet's independent gap at its own point, what lpnet is held to (in "
        "parentheses for the competitors: the same gap at their point, not what they are held to); "
        "`worst suboptimality bound`: a competitor's primal value minus the best of its own dual value and "
        "that of lpnet's reference fit, what competitors are held to; `ref gap`: the largest gap of the "
        "reference fits used (the bound exceeds the true suboptimality by at most this).  `time`: median "
        "over seeds; `runs`: fewest timed runs of a seed; `choice`: seeds on which the chosen (alpha, "
        "l1_ratio) is lpnet's.",
        "",
        "| case | library | tol | worst certified gap | worst suboptimality bound | target | ref gap | time "
        "| runs | choice | note |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lp = {s["seed"]: c for s in r["seeds"] for c in s["cells"] if c["lib"] == "lpnet"}
        for lib in libs:
            pairs = [(s["seed"], c) for s in r["seeds"] for c in s["cells"] if c["lib"] == lib]
            cells = [c for _, c in pairs]
            if not cells:
                continue
            bad = sum(not c["certified"] for c in cells)
            choice = ""
            if "alpha" in cells[0] and lib != "lpnet":
                same = sum(
                    sd in lp and np.isclose(c["alpha"], lp[sd]["alpha"]) and c["l1_ratio"] == lp[sd]["l1_ratio"]
                    for sd, c in pairs
                )
                choice = f"{same}/{len(cells)}"
            notes = sorted({c["note"] for c in cells if c.get("note")})
            miss = f" ! {bad}/{len(cells)} seeds" if bad else ""
            gap = f"{max(c['gap'] for c in cells):.1e}"
            if lib == "lpnet":
                gap, subopt, ref = gap + miss, "-", "-"
            else:
                gap = f"({gap})"
                subopt = f"{max(c['subopt'] for c in cells):.1e}{miss}"
                ref = f"{max(c['ref_gap'] for c in cells):.0e}"
            lines.append(
                f"| {r['case']['id']} | {lib} | {span([c['tol'] for c in cells], '{:.0e}', True)} "
                f"+{max(c['tightened'] for c in cells)} | {gap} | {subopt} | {r['case']['target']:.0e} | "
                f"{ref} | {fmt_t(float(np.median([c['median'] for c in cells])))} | "
                f"{min(len(c['times']) for c in cells)} | {choice} | {'; '.join(notes)} |"
            )
    if meta.get("skipped"):
        lines += ["", "Skipped: " + "; ".join(meta["skipped"])]
    comp = meta.get("compile")
    if comp:
        lines += [
            "",
            "### lpnet compile time (measured apart)",
            "",
            "Quick-size Lasso (dense), Elastic Net (sparse) and L1 logistic paths, 10 alphas each, in a fresh process:",
            "",
            "| NUMBA cache | import lpnet | first calls | warm calls | compile (first - warm) |",
            "|---|---|---|---|---|",
        ]
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
    ap.add_argument("--seeds", type=int, default=5, help="draws of every problem family (seeds 0..N-1)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--max-tighten", type=int, default=3)
    ap.add_argument(
        "--max-cell-seconds", type=float, default=60.0, help="stop repeating a cell once its timed runs exceed this"
    )
    ap.add_argument("--libs", default=None, help="comma-separated library names (default: all available)")
    ap.add_argument("--cases", default=None, help="comma-separated case ids")
    ap.add_argument("--no-compile", action="store_true")
    ap.add_argument("--json", default=None)
    ap.add_argument("--out", default=None, help="write the markdown here")
    ap.add_argument("--readme", action="store_true", help="replace the results section of README.md")
    ap.add_argument(
        "--threads",
        type=int,
        default=None,
        help="BLAS / OpenMP threads (default: 1 where the variable is unset; read before numpy "
        "is imported, see blas_threads.py)",
    )
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
    problems, refs, results, cells_by = {}, {}, [], {}
    meta = dict(
        command="python benchmarks/paths/run.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        date=datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
        env=environment(load_all()),
        repeat=args.repeat,
        seeds=args.seeds,
        max_tighten=args.max_tighten,
        skipped=skipped,
        problems=[],
    )
    if not args.no_compile:
        meta["compile"] = measure_compile()

    def flush(partial):
        names = list(dict.fromkeys(name for name, _ in problems))
        meta["problems"] = [
            dict(
                name=n,
                description=problems[n, 0].description if (n, 0) in problems else "",
                alpha_max=[p.alpha_max for (m, _), p in problems.items() if m == n],
                f_null=[p.f_null for (m, _), p in problems.items() if m == n],
            )
            for n in names
        ]
        meta["reference_seconds"] = sum(ref.seconds for ref in refs.values())
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
        seeds = []
        for seed in range(args.seeds):
            key = (case["problem"], seed)
            if key not in problems:
                problems[key] = P.make_problem(case["problem"], args.quick, seed)
                refs[key] = References(certify.values)
            pb = problems[key]
            grids = grids_for(case, pb)
            folds = folds_for(pb)
            n_prod = sum(len(g) for g in grids) * (1 if case["kind"] in PATH_KINDS else N_FOLDS + 1)
            cells = []
            for a in adapters:
                if not runs_case(a, case, pb):
                    continue
                known = cells_by.get((case.get("same_as"), a.NAME, seed))
                try:
                    cell = bench_cell(a, case, pb, refs[key], grids, folds, args, known)
                except Exception as exc:
                    print(f"  {a.NAME} failed on {case['id']} seed {seed}: {type(exc).__name__}: {exc}", flush=True)
                    skipped.append(f"{a.NAME} on {case['id']} seed {seed}: {type(exc).__name__}: {str(exc)[:150]}")
                    continue
                if known is not None:
                    cell["note"] = f"tol from {case['same_as']}"
                cells_by[case["id"], a.NAME, seed] = cell
                cells.append(cell)
                bound = "" if cell["subopt"] is None else f" bound {cell['subopt']:.1e} (ref {cell['ref_gap']:.0e})"
                print(
                    f"{case['id']:16s} s{seed} {a.NAME:20s} {fmt_t(cell['median']):>10s} gap {cell['gap']:.1e}"
                    f"{bound} tol {cell['tol']:.0e} +{cell['tightened']} runs {len(cell['times'])}",
                    flush=True,
                )
            seeds.append(dict(seed=seed, cells=cells, floor=one_pass_floor(pb, n_prod)))
        r = dict(case=case, seeds=seeds)
        r["verdicts"] = verdicts(case, seeds)
        for v in r["verdicts"]:
            print("   ->", verdict_text(v), flush=True)
        results.append(r)
        flush(True)
    print(flush(False))


if __name__ == "__main__":
    main()
