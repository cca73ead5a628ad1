"""Section 9: why not L3 or L4?  No exact zeros, a different shrinkage shape, and the solve time.

Lp penalties with ``p > 1`` are smooth at 0, so like L2 they never set a coefficient exactly to zero.
Their proximal operator shrinks small values less and large values more than L2's, and it has no
closed form (lpnet solves its stationarity equation by safeguarded Newton), so each fit may cost more.
Fits are compared at a matched training R^2 so that "cost" is not confused with "a different model".
"""

from __future__ import annotations

import time

import numpy as np

from ._finding import Figure, Finding

#: the penalties compared: label -> (p, solver)
PENALTIES = {"L1": (1.0, "auto"), "L2": (2.0, "auto"), "L2 (cd)": (2.0, "cd"), "L3": (3.0, "auto"), "L4": (4.0, "auto")}
#: every penalty is fitted at the alpha giving this fraction of the least-squares training R^2
R2_FRACTION = 0.9
SOLVE_TOL = 1e-6


def _r2(X, y, res) -> float:
    resid = y - X @ res.coef - res.intercept
    return 1.0 - float(resid @ resid) / float(np.sum((y - y.mean()) ** 2))


def matched_alpha(X, y, p: float, target_r2: float, a_max: float) -> float:
    """The alpha at which ``Lp(alpha, p)`` reaches training R^2 ``target_r2``, by bisection in log alpha.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    p : float
        Exponent of the penalty.
    target_r2 : float
        Below the least-squares R^2; R^2 decreases as alpha grows.
    a_max : float
        The lasso's alpha_max, the scale of the search bracket.

    Returns
    -------
    float
    """
    from ..datafits import Quadratic
    from ..penalties import Lp
    from ..solvers import solve

    # p > 1 shrinks to zero only as alpha -> infinity and with a power of alpha: a wide bracket
    lo, hi = np.log(a_max * 1e-6), np.log(a_max * 1e6)
    for _ in range(30):  # the bracket shrinks to 2.6e-8 in log alpha
        mid = 0.5 * (lo + hi)
        if _r2(X, y, solve(X, y, Quadratic(), Lp(np.exp(mid), p), tol=SOLVE_TOL)) > target_r2:
            lo = mid
        else:
            hi = mid
    return float(np.exp(0.5 * (lo + hi)))


def _time_fits(X, y, penalty, solver: str, repeats: int) -> np.ndarray:
    from ..datafits import Quadratic
    from ..solvers import solve

    solve(X, y, Quadratic(), penalty, tol=SOLVE_TOL, solver=solver)  # warm-up: numba compilation
    out = []
    for _ in range(repeats):
        t = time.perf_counter()
        solve(X, y, Quadratic(), penalty, tol=SOLVE_TOL, solver=solver)
        out.append(time.perf_counter() - t)
    return np.array(out)


def _figure(fits, w_true, times, target_r2):
    from ..penalties import Lp
    from .style import COLORS, PENALTY_COLORS, new_figure

    fig, (ax_prox, ax_mag, ax_time) = new_figure(3, 1, width=4.0, height=3.5)
    keys = {"L1": "l1", "L2": "l2", "L3": "l3", "L4": "l4"}
    # (a) the scalar prox argmin_u (u - x)^2 / 2 + |u|^p / p as the fraction of x it keeps: the shape
    # of the shrinkage is plainer than in prox(x) itself, where L2, L3 and L4 look alike
    x = np.linspace(0.01, 3.0, 300)
    for name, key in keys.items():
        kept = Lp(1.0, PENALTIES[name][0]).prox(x, 1.0) / x
        ax_prox.plot(x, kept, color=PENALTY_COLORS[key], label=name)
    ax_prox.set_ylim(-0.03, 1.03)
    ax_prox.set_xlabel("input x")
    ax_prox.set_ylabel("prox(x) / x  (alpha = 1)")
    ax_prox.set_title("(a) fraction of x kept by the prox")
    ax_prox.legend(fontsize=8)

    # (b) sorted coefficient magnitudes at the matched fit
    j = np.arange(1, w_true.size + 1)
    for name, key in keys.items():
        ax_mag.plot(
            j,
            np.sort(np.abs(fits[name]))[::-1],
            color=PENALTY_COLORS[key],
            marker="o",
            ms=2.5,
            lw=1,
            label=f"{name}: {np.count_nonzero(fits[name] == 0)} zeros",
        )
    ax_mag.plot(j, np.sort(np.abs(w_true))[::-1], color=COLORS["black"], ls="--", lw=1, label="true |w|")
    ax_mag.set_xscale("log")
    ax_mag.set_xlabel("rank of |w_j|")
    ax_mag.set_ylabel("|w_j|")
    ax_mag.set_title(f"(b) coefficients at training $R^2$ = {target_r2:.3f}")
    ax_mag.legend(fontsize=8)

    # (c) median solve time with the interquartile range
    names = list(times)
    med = [1e3 * np.median(times[n]) for n in names]
    err = np.array(
        [
            [
                1e3 * (np.median(times[n]) - np.percentile(times[n], 25)),
                1e3 * (np.percentile(times[n], 75) - np.median(times[n])),
            ]
            for n in names
        ]
    ).T
    colors = [PENALTY_COLORS[keys.get(n, "l2")] for n in names]
    bars = ax_time.bar(names, med, yerr=err, color=colors, capsize=3, edgecolor="k", linewidth=0.5)
    bars[names.index("L2 (cd)")].set_hatch("//")
    ax_time.set_ylabel("solve time (ms, median)")
    ax_time.set_title("(c) cost of one fit at matched $R^2$")
    return Figure(
        fig,
        "(a) The proximal (thresholding) function of each penalty as the fraction of its input "
        "it keeps: only L1 maps an interval of inputs to exactly 0; L2 keeps half of any input; "
        "L3 and L4 barely shrink small inputs and shrink large ones most. "
        "(b) Fitted coefficients, sorted, at the alpha giving each penalty the same training R^2. "
        "(c) Median solve time from a cold start after a warm-up (JIT compilation excluded), "
        "error bars from the 25th to the 75th percentile; L2 (cd) is L2 by coordinate "
        "descent instead of the direct solve.",
    )


def run(*, quick: bool, seed: int) -> Finding:
    """Exact zeros, shrinkage and solve time of L3 and L4 against L1 and L2 at a matched training fit.

    Parameters
    ----------
    quick : bool
        A smaller design and fewer timing repeats.
    seed : int
        Seeds the data.

    Returns
    -------
    Finding
    """
    from threadpoolctl import threadpool_limits

    # one BLAS thread, like the coordinate descent kernels: a multi-threaded Cholesky on a busy machine
    # suffers from contention and was timed up to 20x slower than it runs alone
    with threadpool_limits(1):
        return _run(quick=quick, seed=seed)


def _run(*, quick: bool, seed: int) -> Finding:
    from ..datafits import Quadratic
    from ..path import alpha_max
    from ..penalties import Lp
    from ..solvers import solve

    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    n, d, k = (400, 80, 10) if quick else (2000, 200, 20)
    repeats = 9 if quick else 15
    X = rng.standard_normal((n, d))
    w_true = np.zeros(d)
    w_true[:k] = rng.choice([-1.0, 1.0], k) * rng.uniform(0.5, 3.0, k)
    y = X @ w_true + 2.0 * rng.standard_normal(n)
    a_max = alpha_max(X, y)
    ols = solve(X, y, Quadratic(), Lp(0.0, 2.0), tol=SOLVE_TOL)
    target = R2_FRACTION * _r2(X, y, ols)

    alphas, fits, times, iters = {}, {}, {}, {}
    for name, (p, solver) in PENALTIES.items():
        alpha = alphas[name] = alphas.get("L2", None) if name == "L2 (cd)" else matched_alpha(X, y, p, target, a_max)
        res = solve(X, y, Quadratic(), Lp(alpha, p), tol=SOLVE_TOL, solver=solver)
        fits[name], iters[name] = res.coef, int(res.n_iter)
        times[name] = _time_fits(X, y, Lp(alpha, p), solver, repeats)
    zeros = {name: int(np.count_nonzero(fits[name] == 0.0)) for name in fits}
    # zeros anywhere along a grid of alphas, not only at the matched fit
    grid = np.geomspace(a_max * 1e3, a_max * 1e-3, 13)
    path_zeros = {
        f"L{int(p)}": int(
            max(np.count_nonzero(solve(X, y, Quadratic(), Lp(a, p), tol=SOLVE_TOL).coef == 0) for a in grid)
        )
        for p in (3.0, 4.0)
    }
    med = {name: float(np.median(t)) for name, t in times.items()}
    # against the faster of the two L2 solves: what a user pays for choosing L3/L4 over L2
    best_l2 = min(med["L2"], med["L2 (cd)"])
    ratio = {name: med[name] / best_l2 for name in med}
    # the smallest true coefficients relative to the largest: L3/L4 flatten the profile, L2 keeps it
    top = np.argsort(-np.abs(w_true))[:k]
    spread = {name: float(np.abs(fits[name][top]).min() / np.abs(fits[name][top]).max()) for name in fits}
    noise = w_true == 0
    noise_coef = {name: float(np.abs(fits[name][noise]).mean()) for name in fits}
    flatter = min(spread["L3"], spread["L4"]) > spread["L2"]
    noisier = min(noise_coef["L3"], noise_coef["L4"]) > noise_coef["L2"]

    no_zeros = zeros["L3"] == 0 and zeros["L4"] == 0 and path_zeros["L3"] == 0 and path_zeros["L4"] == 0
    costlier = min(ratio["L3"], ratio["L4"]) > 2.0
    verdict = "supports" if no_zeros and costlier else ("partly" if no_zeros else "contradicts")
    measured = {
        "n_samples": n,
        "n_features": d,
        "target_r2": float(target),
        "alphas": {k_: float(v) for k_, v in alphas.items()},
        "exact_zeros_at_matched_fit": zeros,
        "max_exact_zeros_along_alpha_grid": path_zeros,
        "median_solve_seconds": med,
        "time_ratio_to_fastest_l2": ratio,
        "outer_iterations": iters,
        "true_support_min_over_max_coef": spread,
        "noise_features_mean_abs_coef": noise_coef,
        "repeats": repeats,
    }
    summary = (
        f"exact zeros L3 {zeros['L3']}, L4 {zeros['L4']} vs L1 {zeros['L1']} (of {d}); solve time "
        f"L3 {1e3 * med['L3']:.1f} ms, L4 {1e3 * med['L4']:.1f} ms vs L2 {1e3 * med['L2']:.1f} ms "
        f"(direct), {1e3 * med['L2 (cd)']:.1f} ms (cd), L1 {1e3 * med['L1']:.1f} ms: {verdict}"
    )
    text = (
        f"<p>Design: {n} samples, {d} Gaussian features, {k} true nonzeros. Each penalty is fitted at the alpha "
        f"that gives training R<sup>2</sup> = {target:.3f} ({R2_FRACTION:g} times least squares), so the "
        "comparison is between equally good fits. L3 and L4 leave "
        + ("no exact zero" if zeros["L3"] == zeros["L4"] == 0 else f"{zeros['L3']} and {zeros['L4']} exact zeros")
        + f" ({'none' if max(path_zeros.values()) == 0 else f'at most {max(path_zeros.values())}'} at any of "
        f"{grid.size} alphas from 10<sup>3</sup> to 10<sup>-3</sup> alpha_max), against {zeros['L1']} for L1: "
        "like L2 their penalty has zero slope at 0, so nothing pushes a small coefficient all the way to "
        "zero.</p>"
        "<p>Their thresholding function barely shrinks small values and shrinks large ones hard. On the fit: "
        "the true coefficients come out "
        f"{'flatter than' if flatter else 'no flatter than'} with L2 (smallest over largest: "
        f"L2 {spread['L2']:.2f}, L3 {spread['L3']:.2f}, L4 {spread['L4']:.2f}, truth "
        f"{np.abs(w_true[top]).min() / np.abs(w_true[top]).max():.2f}), and the {d - k} pure-noise features "
        f"keep {'larger' if noisier else 'no larger'} weights (mean |w|: L2 {noise_coef['L2']:.3f}, L3 "
        f"{noise_coef['L3']:.3f}, L4 {noise_coef['L4']:.3f}; L1 {noise_coef['L1']:.3f}). "
        + (
            "So they are not quite L2: a pull towards the L-infinity ball, which is no help for sparse truths.</p>"
            if flatter and noisier
            else "Here they behave much like L2.</p>"
        )
        + f"<p>Cost (median of {repeats} cold-start fits on one thread, JIT compilation excluded): "
        f"L3 {1e3 * med['L3']:.2f} ms "
        f"and L4 {1e3 * med['L4']:.2f} ms against L2 {1e3 * med['L2']:.2f} ms by the direct solve and "
        f"{1e3 * med['L2 (cd)']:.2f} ms by coordinate descent, i.e. {ratio['L3']:.1f}x and {ratio['L4']:.1f}x "
        f"the faster L2 (L1: {1e3 * med['L1']:.2f} ms). Each L3/L4 coordinate update solves its prox by "
        f"Newton iterations instead of one division; "
        + (
            "that roughly doubles the cost or more"
            if costlier
            else "the difference is small on this problem, "
            "so the claim about cost only partly holds: the real argument against L3/L4 is that they buy "
            "nothing L2 does not give"
        )
        + ".</p>"
    )
    return Finding(
        id="high-p",
        number=9,
        title="Why not L3 or L4?",
        question="If L2 is good, are L3 or L4 penalties any better?",
        claim="L3 and L4 behave like L2 (no sparsity, shrinkage only) but cost more to solve.",
        measured=measured,
        verdict=verdict,
        summary=summary,
        text=text,
        figures=[_figure(fits, w_true, times, target)],
        seconds=time.perf_counter() - t0,
    )
