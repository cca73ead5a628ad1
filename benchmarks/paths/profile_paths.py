"""cProfile of one warm lpnet path (Lasso on toeplitz, Elastic Net on tfidf / tall): where the time goes.

python benchmarks/paths/profile_paths.py [--quick] [--case lasso_path] [--top 25]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, ROOT)

from benchmarks.paths import problems as P  # noqa: E402
from benchmarks.paths.run import CASES, grids_for  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--case", default="lasso_path,enet_path_tfidf,enet_path_tall")
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args()
    import lpnet

    for case in [c for c in CASES if c["id"] in args.case.split(",")]:
        pb = P.make_problem(case["problem"], args.quick)
        grid = grids_for(case, pb)[0]
        r = case["l1_ratios"][0]
        pen = "l1" if r == 1.0 else "elasticnet"

        def go():
            return lpnet.regularization_path(
                pb.X, pb.y, penalty=pen, datafit=pb.datafit, alphas=grid, l1_ratio=r, tol=1e-6, max_iter=1000
            )

        go()  # warm-up (compilation)
        prof = cProfile.Profile()
        prof.enable()
        path = go()
        prof.disable()
        s = io.StringIO()
        st = pstats.Stats(prof, stream=s)
        print(
            f"=== {case['id']}: total {st.total_tt:.3f} s, n_iter sum {int(np.sum(path.n_iters))}, "
            f"nnz at the end {int(path.n_nonzero[-1])}"
        )
        st.sort_stats("tottime").print_stats(args.top)
        st.sort_stats("cumulative").print_stats(args.top)
        print(s.getvalue())


if __name__ == "__main__":
    main()
