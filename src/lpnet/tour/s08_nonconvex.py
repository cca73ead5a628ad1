"""Section 8: why not p < 1?  Many local minima, and what the best of them is worth.

The L0.5 penalty ``alpha/p sum_j |w_j|^p`` with ``p = 1/2`` is non-convex (so is its ball
``||w||_0.5 <= 1``, with ``||w||_p = (sum_j |w_j|^p)^(1/p)`` as everywhere in the tour): coordinate
descent started from different points stops at different coordinate-wise minima, each certified by its
own optimality violation.  The same starts give one point for L1 and L2, whose problems are convex.
"""

from __future__ import annotations

import time
import warnings

import numpy as np

from ._finding import Figure, Finding

#: two fitted coefficient vectors are the same minimum when they differ by at most this (max abs)
DEDUP_TOL = 1e-4
#: solver tolerance of every fit (duality gap or scale-free optimality violation)
SOLVE_TOL = 1e-12
#: alphas of the multi-start experiment, as fractions of alpha_max
ALPHA_FRACTIONS = (0.05, 0.1, 0.2)
N_SAMPLES, N_FEATURES, CORRELATION, NOISE = 30, 8, 0.9, 0.5
#: the chord of Fig. (a) joins the corners (1, 0) and (0, 1) of the L0.5 ball; its midpoint
CHORD_MIDPOINT = np.array([0.5, 0.5])


def make_data(rng: np.random.Generator, n_samples: int):
    """A correlated regression: AR(1) features ``corr(x_j, x_k) = 0.9^|j-k|``, 3 true nonzeros.

    Parameters
    ----------
    rng : numpy.random.Generator
    n_samples : int

    Returns
    -------
    X : ndarray of shape (n_samples, 8)
    y : ndarray of shape (n_samples,)
    w_true : ndarray of shape (8,)
    """
    idx = np.arange(N_FEATURES)
    cov = CORRELATION ** np.abs(np.subtract.outer(idx, idx))
    X = rng.standard_normal((n_samples, N_FEATURES)) @ np.linalg.cholesky(cov).T
    w_true = np.zeros(N_FEATURES)
    w_true[[0, 3, 6]] = [2.0, -1.5, 1.0]
    return X, X @ w_true + NOISE * rng.standard_normal(n_samples), w_true


def distinct_minima(X, y, penalty, starts, solver="cd"):
    """Solve from every start and group the end points that agree within :data:`DEDUP_TOL`.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    penalty : lpnet.penalties.Penalty
    starts : ndarray of shape (n_starts, n_features)
        Warm starts ``w0`` (the intercept starts at 0).
    solver : str
        ``"cd"`` for every penalty, so that the start matters (the direct L2 solve would ignore it).

    Returns
    -------
    list of dict
        One per distinct minimum, best objective first: ``coef``, ``objective``, ``certificate``
        (worst optimality violation or duality gap among the fits that reached it) and ``hits``.
    """
    from ..datafits import Quadratic
    from ..solvers import solve

    minima: list[dict] = []
    for w0 in starts:
        with warnings.catch_warnings():
            # a start far from the data may need many iterations; the certificate below says how it ended
            warnings.simplefilter("ignore")
            res = solve(X, y, Quadratic(), penalty, w0=w0, b0=0.0, tol=SOLVE_TOL, max_iter=1000, solver=solver)
        cert = res.optimality_violation if res.optimality_violation is not None else res.dual_gap
        for m in minima:
            if np.max(np.abs(m["coef"] - res.coef)) <= DEDUP_TOL:
                m["hits"] += 1
                m["certificate"] = max(m["certificate"], float(cert))
                break
        else:
            minima.append({"coef": res.coef, "objective": float(res.objective), "certificate": float(cert), "hits": 1})
    return sorted(minima, key=lambda m: m["objective"])


def _cv_comparison(X, y, X_test, y_test, starts):
    """Best L0.5 minimum (multi-start at the CV-chosen alpha) against the cross-validated lasso."""
    from .. import LassoCV, LpRegressionCV
    from ..penalties import Lp

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lasso = LassoCV(cv=5, n_alphas=40).fit(X, y)
        half = LpRegressionCV(p=0.5, cv=5, n_alphas=40).fit(X, y)
    best = distinct_minima(X, y, Lp(half.alpha_, 0.5), starts)[0]
    intercept = float(np.mean(y - X @ best["coef"]))  # squared loss: the intercept is the mean residual

    def mse(coef, b):
        return float(np.mean((y_test - X_test @ coef - b) ** 2))

    return {
        "lasso_alpha": float(lasso.alpha_),
        "lasso_nonzeros": int(np.count_nonzero(lasso.coef_)),
        "lasso_test_mse": mse(lasso.coef_, lasso.intercept_),
        "l05_alpha": float(half.alpha_),
        "l05_path_nonzeros": int(np.count_nonzero(half.coef_)),
        "l05_path_test_mse": mse(half.coef_, half.intercept_),
        "l05_best_nonzeros": int(np.count_nonzero(best["coef"])),
        "l05_best_test_mse": mse(best["coef"], intercept),
    }


def _figure(minima_by_penalty, alpha_frac, cv, w_true, midpoint_norm):
    from .style import COLORS, PENALTY_COLORS, new_figure

    fig, (ax_ball, ax_obj, ax_coef) = new_figure(3, 1, width=4.0, height=3.6)
    # (a) the L0.5 ball |w1|^.5 + |w2|^.5 <= 1 and a chord between two of its points
    s = np.linspace(0.0, 1.0, 200)
    quarter = np.array([s**2, (1 - s) ** 2])  # |w1|^.5 = s, |w2|^.5 = 1 - s
    for sx, sy in ((1, 1), (-1, 1), (-1, -1), (1, -1)):
        # the origin closes the polygon, so the filled region is the ball and not the sliver outside it
        ax_ball.fill(
            np.r_[sx * quarter[0], 0.0], np.r_[sy * quarter[1], 0.0], color=PENALTY_COLORS["l0.5"], alpha=0.25, lw=0
        )
        ax_ball.plot(sx * quarter[0], sy * quarter[1], color=PENALTY_COLORS["l0.5"])
    diamond = np.array([[1, 0], [0, 1], [-1, 0], [0, -1], [1, 0]])
    ax_ball.plot(diamond[:, 0], diamond[:, 1], ls="--", color=PENALTY_COLORS["l1"], label="L1 ball")
    ax_ball.plot([1, 0], [0, 1], "k-", lw=1.5, label="chord")
    ax_ball.plot([1, 0], [0, 1], "ko", ms=5)
    ax_ball.plot(
        *CHORD_MIDPOINT,
        marker="X",
        color=COLORS["black"],
        ms=9,
        ls="none",
        label=rf"midpoint: $\Vert m\Vert_{{0.5}}$ = {midpoint_norm:.2f} > 1",
    )
    ax_ball.plot([], [], color=PENALTY_COLORS["l0.5"], label="L0.5 ball")
    ax_ball.set_aspect("equal")
    ax_ball.set_xlim(-1.15, 1.15)
    ax_ball.set_ylim(-1.15, 1.9)  # room for the legend above the ball
    ax_ball.set_yticks([-1, -0.5, 0, 0.5, 1])
    ax_ball.set_xlabel("w1")
    ax_ball.set_ylabel("w2")
    ax_ball.set_title("(a) the L0.5 ball is not convex")
    ax_ball.legend(loc="upper center", fontsize=8, ncol=2)

    # (b) objective of every distinct minimum, per penalty, at the middle alpha
    for i, (name, key) in enumerate((("L0.5", "l0.5"), ("L1", "l1"), ("L2", "l2"))):
        minima = minima_by_penalty[name]
        objs = np.array([m["objective"] for m in minima])
        hits = np.array([m["hits"] for m in minima])
        ax_obj.scatter(
            np.full(objs.size, i),
            objs - objs.min(),
            s=20 + 3 * hits,
            color=PENALTY_COLORS[key],
            alpha=0.8,
            edgecolor="k",
            linewidth=0.5,
        )
        ax_obj.annotate(
            f"{objs.size} min.", (i, 0), xytext=(0, -16), textcoords="offset points", ha="center", fontsize=9
        )
    ax_obj.set_xticks([0, 1, 2], ["L0.5", "L1", "L2"])
    ax_obj.set_xlim(-0.6, 2.6)
    lo, hi = ax_obj.get_ylim()
    ax_obj.set_ylim(lo - 0.15 * (hi - lo), hi)
    ax_obj.set_ylabel("objective - best objective")
    ax_obj.set_title(f"(b) distinct minima, alpha = {alpha_frac:g} alpha_max\n(marker area ~ starts reaching it)")

    # (c) coefficients of the L0.5 local minima against the truth
    j = np.arange(w_true.size)
    for k, m in enumerate(minima_by_penalty["L0.5"][:6]):
        ax_coef.plot(
            j,
            m["coef"],
            marker="o",
            ms=4,
            lw=1,
            alpha=0.8,
            label=f"L0.5 min {k + 1} ({np.count_nonzero(m['coef'])} nz)",
        )
    ax_coef.plot(j, w_true, "k*", ms=10, ls="none", label="true w")
    ax_coef.axhline(0, color=COLORS["grey"], lw=0.8)
    ax_coef.set_xlabel("feature j")
    ax_coef.set_ylabel("w_j")
    ax_coef.set_title("(c) coefficients of the L0.5 minima")
    ax_coef.legend(fontsize=7, loc="best")
    return Figure(
        fig,
        "(a) Two corners of the L0.5 ball whose midpoint lies outside it "
        "(‖w‖_0.5 = (Σ|w_j|^0.5)², as in section 4). (b) Distinct minima "
        "reached by coordinate descent from the same random starts: several for L0.5, one for "
        "the convex L1 and L2. (c) The L0.5 minima pick different supports of the correlated "
        f"design. CV comparison: lasso {cv['lasso_nonzeros']} nonzeros, best L0.5 "
        f"{cv['l05_best_nonzeros']}.",
    )


def run(*, quick: bool, seed: int) -> Finding:
    """Count the distinct minima of L0.5, L1 and L2 from random starts; compare the best L0.5 with the lasso.

    Parameters
    ----------
    quick : bool
        30 random starts instead of 100.
    seed : int
        Seeds the data and the starts.

    Returns
    -------
    Finding
    """
    from ..constrained import lp_norm
    from ..path import alpha_max
    from ..penalties import L1, L2, Lp

    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    X, y, w_true = make_data(rng, N_SAMPLES)
    X_test, y_test, _ = make_data(rng, 1000)
    n_starts = 30 if quick else 100
    # Gaussian starts twice as wide as the largest least-squares coefficient, so they reach every basin
    scale = 2.0 * np.max(np.abs(np.linalg.lstsq(X - X.mean(0), y - y.mean(), rcond=None)[0]))
    starts = scale * rng.standard_normal((n_starts, N_FEATURES))
    a_max = alpha_max(X, y)

    counts = {"L0.5": [], "L1": [], "L2": []}
    spreads, violations, worst_convex_gap = [], [], 0.0
    shown, shown_frac = None, None
    for frac in ALPHA_FRACTIONS:
        alpha = frac * a_max
        found = {
            "L0.5": distinct_minima(X, y, Lp(alpha, 0.5), starts),
            "L1": distinct_minima(X, y, L1(alpha), starts),
            "L2": distinct_minima(X, y, L2(alpha), starts),
        }
        for name, minima in found.items():
            counts[name].append(len(minima))
        objs = [m["objective"] for m in found["L0.5"]]
        spreads.append((max(objs) - min(objs)) / min(objs))
        violations.extend(m["certificate"] for m in found["L0.5"])
        worst_convex_gap = max(worst_convex_gap, *(m["certificate"] for k in ("L1", "L2") for m in found[k]))
        if shown is None or len(found["L0.5"]) > len(shown["L0.5"]):
            shown, shown_frac = found, frac  # draw the alpha with the most L0.5 minima
    cv = _cv_comparison(X, y, X_test, y_test, starts)
    midpoint_norm = float(lp_norm(CHORD_MIDPOINT, 0.5))

    many = min(counts["L0.5"]) > 1
    some = max(counts["L0.5"]) > 1
    convex_unique = all(c == 1 for k in ("L1", "L2") for c in counts[k])
    verdict = "supports" if many and convex_unique else ("partly" if some and convex_unique else "contradicts")
    sparser = cv["l05_best_nonzeros"] < cv["lasso_nonzeros"]
    better = cv["l05_best_test_mse"] < cv["lasso_test_mse"]
    convex_found = "exactly one every time" if convex_unique else f"{counts['L1']} and {counts['L2']}"
    measured = {
        "n_starts": n_starts,
        "alpha_fractions": list(ALPHA_FRACTIONS),
        "distinct_minima_l05": counts["L0.5"],
        "distinct_minima_l1": counts["L1"],
        "distinct_minima_l2": counts["L2"],
        "l05_relative_objective_spread": [float(s) for s in spreads],
        "l05_max_optimality_violation": float(max(violations)),
        "convex_max_dual_gap": float(worst_convex_gap),
        "dedup_tol": DEDUP_TOL,
        # every L0.5 minimum at the alpha drawn in the figure, best objective first
        "shown_alpha_fraction": shown_frac,
        "l05_minima_objectives": [m["objective"] for m in shown["L0.5"]],
        "l05_minima_optimality_violations": [m["certificate"] for m in shown["L0.5"]],
        "l05_minima_nonzeros": [int(np.count_nonzero(m["coef"])) for m in shown["L0.5"]],
        "l05_minima_starts_reaching": [m["hits"] for m in shown["L0.5"]],
        **cv,
        "l05_corner_midpoint": CHORD_MIDPOINT.tolist(),
        "l05_corner_midpoint_norm": midpoint_norm,
    }
    summary = (
        f"distinct minima from {n_starts} starts: L0.5 {counts['L0.5']} vs L1 {counts['L1']}, "
        f"L2 {counts['L2']}; best L0.5 {cv['l05_best_nonzeros']} nonzeros / test MSE "
        f"{cv['l05_best_test_mse']:.3f} vs lasso {cv['lasso_nonzeros']} / {cv['lasso_test_mse']:.3f}: "
        f"{verdict}"
    )
    text = (
        "<p>Why p < 1 is different: with <code>‖w‖_p = (Σ|w_j|^p)^(1/p)</code>, the same formula as in "
        "section 4, the L0.5 ball <code>‖w‖_0.5 ≤ 1</code> holds the corners (1, 0) and (0, 1) but not their "
        f"midpoint (0.5, 0.5): <code>‖m‖_0.5 = (√0.5 + √0.5)² = {midpoint_norm:.2f}</code> &gt; 1, figure (a). "
        "The penalty <code>alpha/p Σ|w_j|^p</code> is <code>alpha/p ‖w‖_p^p</code>, and it is just as "
        "non-convex.</p>"
        f"<p>Design: {N_SAMPLES} samples, {N_FEATURES} AR(1) features with correlation "
        f"{CORRELATION}<sup>|j-k|</sup>, 3 true nonzeros. For alpha = {', '.join(map(str, ALPHA_FRACTIONS))} "
        f"times alpha_max, coordinate descent ran from the same {n_starts} random starts for each penalty "
        f"(tol {SOLVE_TOL:g}); end points within {DEDUP_TOL:g} (max abs) count as one minimum. L0.5 stopped at "
        f"{counts['L0.5']} distinct minima whose objectives spread by up to "
        f"{100 * max(spreads):.0f}% of the best, every one a certified stationary point (optimality violation "
        f"at most {max(violations):.1e}): nothing tells which one is global. L1 and L2 found "
        f"{convex_found} (duality gaps at most {worst_convex_gap:.1e}).</p>"
        f"<p>When it works: at the cross-validated alpha, the best of the L0.5 minima has "
        f"{cv['l05_best_nonzeros']} nonzeros and test MSE {cv['l05_best_test_mse']:.3f}, against "
        f"{cv['lasso_nonzeros']} and {cv['lasso_test_mse']:.3f} for LassoCV (the warm-started L0.5 path alone: "
        f"{cv['l05_path_nonzeros']} and {cv['l05_path_test_mse']:.3f}). "
        + (
            f"L0.5 is {' and '.join(w for w, ok in (('sparser', sparser), ('better', better)) if ok)} here, "
            "but only after a multi-start search the lasso does not need.</p>"
            if sparser or better
            else "Here L0.5 buys nothing over the lasso, even after a multi-start search.</p>"
        )
    )
    return Finding(
        id="nonconvex",
        number=8,
        title="Why not p < 1?",
        question="If L1 gives sparsity, would an even pointier penalty like L0.5 be better?",
        claim="p < 1 is non-convex: many local minima, the answer depends on the starting point, "
        "while L1 and L2 have one minimum.",
        measured=measured,
        verdict=verdict,
        summary=summary,
        text=text,
        figures=[_figure(shown, shown_frac, cv, w_true, midpoint_norm)],
        seconds=time.perf_counter() - t0,
    )
