"""Section 10: the Elastic Net keeps groups of correlated features that the lasso splits up.

Design after Zou & Hastie (2005): three latent factors, each copied into five features with a little
noise, plus pure-noise features.  The lasso tends to keep one or two members of a group and which ones
changes from one subsample to the next; the Elastic Net's ridge part spreads the weight over the group.
Selection is compared along the whole l1_ratio grid, each l1_ratio at the same fraction of its own
alpha_max, a level at which no noise feature is kept; the cross-validation error per l1_ratio shows
whether the grouping costs prediction accuracy.  The price is a second hyperparameter to tune.
"""

from __future__ import annotations

import time
import warnings

import numpy as np

from ._finding import Figure, Finding

N_GROUPS, GROUP_SIZE, N_NOISE = 3, 5, 15
FACTOR_WEIGHTS = (3.0, -2.0, 1.5)
#: within-group noise: the members of a group correlate at about 1 / (1 + 0.1^2) = 0.99
WITHIN_NOISE = 0.1
#: the Elastic Net compared with the lasso (l1_ratio = 1); the sweep and the CV cost use the whole grid
L1_RATIO = 0.5
L1_RATIOS = (0.1, 0.3, 0.5, 0.7, 0.9, 0.95, 0.99, 1.0)
#: a feature counts as kept when it is selected in more than this fraction of the subsamples
THRESHOLD = 0.6
#: selection is measured at this fraction of each l1_ratio's own alpha_max.  The cross-validated alphas
#: are far smaller and there both methods keep noise features too (the section reports how many), which
#: would blur which features a method keeps; the section checks that no noise feature is kept here
ALPHA_FRACTION = 0.2


def make_data(rng: np.random.Generator, n_samples: int):
    """Three latent factors each copied into five noisy features, then 15 noise features.

    Parameters
    ----------
    rng : numpy.random.Generator
    n_samples : int

    Returns
    -------
    X : ndarray of shape (n_samples, 30)
    y : ndarray of shape (n_samples,)
    groups : ndarray of shape (30,)
        Group index 0, 1, 2 of each feature, -1 for noise features.
    """
    Z = rng.standard_normal((n_samples, N_GROUPS))
    grouped = np.repeat(Z, GROUP_SIZE, axis=1) + WITHIN_NOISE * rng.standard_normal((n_samples, N_GROUPS * GROUP_SIZE))
    X = np.hstack([grouped, rng.standard_normal((n_samples, N_NOISE))])
    y = Z @ np.array(FACTOR_WEIGHTS) + rng.standard_normal(n_samples)
    groups = np.r_[np.repeat(np.arange(N_GROUPS), GROUP_SIZE), np.full(N_NOISE, -1)]
    return X, y, groups


def group_stats(values, groups, threshold: float) -> dict:
    """Per group: members strictly above ``threshold`` and the evenness ``min / max`` of ``values`` in the group.

    Parameters
    ----------
    values : ndarray of shape (n_features,)
        Selection frequencies or absolute coefficients.
    groups : ndarray of shape (n_features,)
    threshold : float

    Returns
    -------
    dict
        ``members`` (list per group), ``evenness`` (list per group; 0 when the group is never selected).
    """
    members, evenness = [], []
    for g in range(N_GROUPS):
        v = values[groups == g]
        members.append(int(np.count_nonzero(v > threshold)))
        evenness.append(float(v.min() / v.max()) if v.max() > 0 else 0.0)
    return {"members": members, "evenness": evenness}


def _time_cv(estimator, X, y, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        estimator.fit(X, y)
        times.append(time.perf_counter() - t)
    return float(np.median(times))


def cv_table(cv) -> dict:
    """Per l1_ratio of a fitted cross-validation: its best mean validation MSE, the standard error of
    that mean and the alpha reaching it.

    Parameters
    ----------
    cv : lpnet.model_selection.ElasticNetCV
        Fitted, with one or more l1_ratios.

    Returns
    -------
    dict
        ``l1_ratios``, ``best_mse``, ``best_mse_se`` (fold standard deviation over sqrt(n_folds), the
        scale of the one-standard-error rule) and ``alpha`` (lists, one entry per l1_ratio).
    """
    res = cv.cv_results_
    n_folds = res.losses.shape[1]
    best = np.argmin(res.mean, axis=1)
    rows = np.arange(len(best))
    return {
        "l1_ratios": [float(r) for r in res.l1_ratios],
        "best_mse": [float(v) for v in res.mean[rows, best]],
        "best_mse_se": [float(v) for v in res.std[rows, best] / np.sqrt(n_folds)],
        "alpha": [float(cv.alphas_[i][k]) for i, k in zip(rows, best)],
    }


def _figure(freq, groups, sweep, table, chosen, cost_ratio):
    from matplotlib.patches import Patch

    from .style import COLORS, PENALTY_COLORS, new_figure

    fig, axes = new_figure(2, 2, width=5.2, height=3.4)
    group_colors = [COLORS["blue"], COLORS["purple"], COLORS["green"]]
    colors = [group_colors[g] if g >= 0 else COLORS["grey"] for g in groups]
    j = np.arange(groups.size)
    for ax, letter, (name, f) in zip(axes[:2], "ab", freq.items()):
        ax.bar(j, f, color=colors, width=0.8)
        ax.axhline(THRESHOLD, color="k", ls=":", lw=1)
        ax.set_ylim(0, 1.05)
        ax.set_xlabel("feature (groups of 5, then noise)")
        ax.set_ylabel("selection frequency")
        ax.set_title(f"({letter}) {name}")
    handles = [Patch(color=c, label=f"group {g + 1}") for g, c in enumerate(group_colors)]
    handles.append(Patch(color=COLORS["grey"], label="noise"))
    axes[0].legend(handles=handles, fontsize=8, loc="upper right", ncol=2)

    # (c) the grouping along the l1_ratio grid, each l1_ratio at the same fraction of its own alpha_max
    ax = axes[2]
    x = np.arange(len(L1_RATIOS))
    ticks = [f"{r:g}" for r in L1_RATIOS]
    kept = [sum(s["members"]) for s in sweep]
    bar_colors = [PENALTY_COLORS["l1"] if r == 1 else PENALTY_COLORS["elasticnet"] for r in L1_RATIOS]
    bars = ax.bar(x, kept, color=bar_colors, edgecolor="k", linewidth=0.5, width=0.6)
    for b, s in zip(bars, sweep):
        ax.annotate(
            f"{np.mean(s['evenness']):.2f}",
            (b.get_x() + b.get_width() / 2, b.get_height()),
            xytext=(0, 2),
            textcoords="offset points",
            ha="center",
            fontsize=8,
        )
    ax.set_xticks(x, ticks)
    ax.set_ylim(0, N_GROUPS * GROUP_SIZE * 1.15)
    ax.set_xlabel("l1_ratio (1 = lasso)")
    ax.set_ylabel(f"group members kept (of {N_GROUPS * GROUP_SIZE})")
    ax.set_title("(c) grouping per l1_ratio (labels: evenness)")

    # (d) what cross-validation sees: the prediction error per l1_ratio
    ax = axes[3]
    ax.errorbar(
        x,
        table["best_mse"],
        yerr=table["best_mse_se"],
        fmt="o",
        color=COLORS["black"],
        capsize=3,
        label="best CV MSE ± 1 s.e.",
    )
    i = L1_RATIOS.index(chosen)
    ax.plot(
        x[i],
        table["best_mse"][i],
        marker="o",
        ms=11,
        mfc="none",
        mec=COLORS["vermillion"],
        mew=1.5,
        ls="none",
        label=f"chosen by CV: {chosen:g}",
    )
    ax.set_xticks(x, ticks)
    ax.set_xlabel("l1_ratio (1 = lasso)")
    ax.set_ylabel("cross-validation MSE")
    ax.set_title(f"(d) prediction error per l1_ratio (tuning it: {cost_ratio:.1f}x the time)")
    ax.legend(fontsize=8, loc="upper right")
    ax.margins(y=0.25)
    return Figure(
        fig,
        "(a, b) How often each feature is selected over random half-samples, each method at "
        f"{ALPHA_FRACTION:g} times its own alpha_max (dotted: {THRESHOLD:g}). The lasso keeps a "
        f"changing subset of each correlated group; the Elastic Net (l1_ratio = {L1_RATIO:g}) keeps "
        f"whole groups. (c) Group members selected in more than {THRESHOLD:g} of the half-samples "
        f"for every l1_ratio of the grid, each at {ALPHA_FRACTION:g} times its own alpha_max; "
        "labels: mean within-group evenness (least over most selected member). (d) The best "
        "cross-validation error of "
        "each l1_ratio, with its standard error; the circle marks the l1_ratio that "
        "ElasticNetCV chooses.",
    )


def run(*, quick: bool, seed: int) -> Finding:
    """Group selection and stability of the lasso against the Elastic Net; the cost of two hyperparameters.

    Parameters
    ----------
    quick : bool
        30 subsamples instead of 100, a coarser alpha grid for the cross-validation.
    seed : int
        Seeds the data, the subsamples and the folds.

    Returns
    -------
    Finding
    """
    from sklearn.model_selection import KFold

    from ..model_selection import ElasticNetCV, LassoCV, stability_selection
    from ..path import alpha_max
    from ..penalties import ElasticNet as ElasticNetPenalty

    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    X, y, groups = make_data(rng, 100)
    n_subsamples = 30 if quick else 100
    n_alphas = 30 if quick else 100
    folds = KFold(5, shuffle=True, random_state=seed)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a few fits at tiny alphas on correlated columns hit max_iter
        # these two fits also compile every kernel the timed fits below use
        lasso_cv = LassoCV(cv=folds, n_alphas=n_alphas).fit(X, y)
        enet_cv = ElasticNetCV(l1_ratio=L1_RATIO, cv=folds, n_alphas=n_alphas).fit(X, y)
        enet_grid = ElasticNetCV(l1_ratio=list(L1_RATIOS), cv=folds, n_alphas=n_alphas)
        lasso_grid = LassoCV(cv=folds, n_alphas=n_alphas)
        repeats = 1 if quick else 2
        cv_times = {"LassoCV": _time_cv(lasso_grid, X, y, repeats), "ElasticNetCV": _time_cv(enet_grid, X, y, repeats)}
        table = cv_table(enet_grid)
        freqs = []
        for r in L1_RATIOS:
            penalty = ElasticNetPenalty(1.0, r)  # l1_ratio = 1 is the Lasso
            alpha = ALPHA_FRACTION * alpha_max(X, y, penalty=penalty)
            freqs.append(
                stability_selection(
                    X, y, penalty=penalty, alphas=[alpha], n_subsamples=n_subsamples, random_state=seed
                ).frequencies[0]
            )
    sweep = [group_stats(f, groups, THRESHOLD) for f in freqs]
    i_l1, i_en = L1_RATIOS.index(1.0), L1_RATIOS.index(L1_RATIO)
    freq_l1, freq_en = freqs[i_l1], freqs[i_en]
    st_l1, st_en = sweep[i_l1], sweep[i_en]
    cv_l1 = group_stats(np.abs(lasso_cv.coef_), groups, 0.0)
    cv_en = group_stats(np.abs(enet_cv.coef_), groups, 0.0)
    noise = groups < 0
    cost_ratio = cv_times["ElasticNetCV"] / cv_times["LassoCV"]
    chosen = float(enet_grid.l1_ratio_)

    # which features a method keeps is only comparable where neither keeps noise
    noise_out = max(freq_l1[noise].max(), freq_en[noise].max()) <= THRESHOLD
    # the claim: the Elastic Net keeps more members of each group, and keeps them more evenly
    grouping = (
        noise_out
        and sum(st_en["members"]) > sum(st_l1["members"])
        and np.mean(st_en["evenness"]) > np.mean(st_l1["evenness"])
    )
    # CV ranks l1_ratios by prediction error alone: the grouping is free when the Elastic Net's error is
    # within one standard error of the best (the scale on which the one-standard-error rule calls two
    # errors equal), whichever l1_ratio CV then happens to pick
    best = int(np.argmin(table["best_mse"]))
    se = table["best_mse_se"][best]
    excess = table["best_mse"][i_en] - table["best_mse"][best]
    free = excess <= se
    spread = max(table["best_mse"]) - min(table["best_mse"])
    costly = cost_ratio > 1.0
    verdict = "supports" if grouping and free and costly else ("partly" if grouping else "contradicts")
    measured = {
        "n_subsamples": n_subsamples,
        "alpha_fraction": ALPHA_FRACTION,
        "l1_ratios": list(L1_RATIOS),
        "stable_members_per_group_lasso": st_l1["members"],
        "stable_members_per_group_enet": st_en["members"],
        "frequency_evenness_per_group_lasso": st_l1["evenness"],
        "frequency_evenness_per_group_enet": st_en["evenness"],
        "stable_group_members_per_l1_ratio": [sum(s["members"]) for s in sweep],
        "mean_evenness_per_l1_ratio": [float(np.mean(s["evenness"])) for s in sweep],
        "noise_mean_frequency_lasso": float(freq_l1[noise].mean()),
        "noise_mean_frequency_enet": float(freq_en[noise].mean()),
        "noise_max_frequency_lasso": float(freq_l1[noise].max()),
        "noise_max_frequency_enet": float(freq_en[noise].max()),
        "selection_frequency_lasso": [float(f) for f in freq_l1],
        "selection_frequency_enet": [float(f) for f in freq_en],
        "cv_nonzero_members_per_group_lasso": cv_l1["members"],
        "cv_nonzero_members_per_group_enet": cv_en["members"],
        "cv_nonzero_noise_lasso": int(np.count_nonzero(lasso_cv.coef_[noise])),
        "cv_nonzero_noise_enet": int(np.count_nonzero(enet_cv.coef_[noise])),
        "cv_alpha_per_l1_ratio": table["alpha"],
        "cv_best_mse_per_l1_ratio": table["best_mse"],
        "cv_best_mse_se_per_l1_ratio": table["best_mse_se"],
        "enet_grid_chosen_l1_ratio": chosen,
        "enet_cv_mse_excess_over_best": float(excess),
        "cv_mse_spread_over_l1_ratios": float(spread),
        "cv_seconds": cv_times,
        "cv_cost_ratio": float(cost_ratio),
    }
    summary = (
        f"members per group kept in > {THRESHOLD:g} of subsamples: lasso {st_l1['members']} vs EN "
        f"{st_en['members']} (of {GROUP_SIZE}); evenness {np.mean(st_l1['evenness']):.2f} vs "
        f"{np.mean(st_en['evenness']):.2f}; EN CV error {excess:.3f} above the best (s.e. {se:.3f}); "
        f"tuning l1_ratio too costs {cost_ratio:.1f}x: {verdict}"
    )
    grouped = [f"{r:g}" for r, st in zip(L1_RATIOS, sweep) if sum(st["members"]) == N_GROUPS * GROUP_SIZE]
    if free:
        why = (
            "That does not speak against the Elastic Net: cross-validation ranks l1_ratios by prediction error "
            f"alone, and the Elastic Net's error (l1_ratio {L1_RATIO:g}) is {excess:.3f} above the best, within "
            f"one standard error ({se:.3f})"
            + (f"; the best errors of all {len(L1_RATIOS)} l1_ratios span only {spread:.3f}" if spread <= se else "")
            + ". For prediction the data cannot tell the Elastic Net from the best, so which of them CV picks is "
            "decided by the noise of the folds, while which features are kept, where the two differ, is not what "
            "the CV error measures. "
        )
    else:
        why = (
            f"Here that choice is not noise: the Elastic Net's (l1_ratio {L1_RATIO:g}) CV error is {excess:.3f} "
            f"above the best, more than one standard error ({se:.3f}), so keeping the groups costs prediction "
            "accuracy. "
        )
    text = (
        f"<p>Design (Zou & Hastie 2005 style): 100 samples, {N_GROUPS} latent factors each copied into "
        f"{GROUP_SIZE} features with noise {WITHIN_NOISE:g} (within-group correlation about 0.99), "
        f"{N_NOISE} noise features. Fitted once at the cross-validated alpha, the lasso keeps "
        f"{cv_l1['members']} members of the three groups and {measured['cv_nonzero_noise_lasso']} noise "
        f"features, the Elastic Net (l1_ratio {L1_RATIO:g}) {cv_en['members']} and "
        f"{measured['cv_nonzero_noise_enet']}: the cross-validated alpha is too small to tell which features a "
        "method keeps.</p>"
        f"<p>Selection is therefore measured at {ALPHA_FRACTION:g} times each method's own alpha_max, over "
        f"{n_subsamples} random half-samples (stability selection), a level at which neither method should "
        f"keep a noise feature in more than {100 * THRESHOLD:.0f}% of them; the most frequent noise feature "
        f"reaches {freq_l1[noise].max():.2f} for the lasso and {freq_en[noise].max():.2f} for the Elastic Net"
        + ("" if noise_out else ", so the comparison below does not count")
        + ". "
        f"The lasso keeps {st_l1['members']} members per group, the Elastic Net {st_en['members']}; the "
        "within-group evenness of the frequencies (least over most selected member) is "
        f"{', '.join(f'{e:.2f}' for e in st_l1['evenness'])} for the lasso against "
        f"{', '.join(f'{e:.2f}' for e in st_en['evenness'])}"
        + (": which member the lasso keeps changes from one subsample to the next. " if grouping else ". ")
        + f"Along the l1_ratio grid (c), all {N_GROUPS * GROUP_SIZE} group members are kept at l1_ratio "
        f"{', '.join(grouped) or 'none'}, and "
        + ("fewer and fewer" if all(np.diff(measured["stable_group_members_per_l1_ratio"]) <= 0) else "fewer")
        + f" as l1_ratio approaches 1 (the lasso: {sum(st_l1['members'])}).</p>"
        f"<p>Cross-validating l1_ratio as well, over {list(L1_RATIOS)}, picks {chosen:g}"
        f"{' (the lasso)' if chosen == 1.0 else ''}. {why}To keep the groups, fix l1_ratio below 1 rather than "
        "leave it to a search over prediction error. "
        f"The search took {cv_times['ElasticNetCV']:.2f} s against {cv_times['LassoCV']:.2f} s for LassoCV on "
        f"the same folds ({cost_ratio:.1f}x): the second hyperparameter multiplies the cost, here "
        f"{len(L1_RATIOS)} l1_ratios for {cost_ratio:.1f} times the time (fits with l1_ratio near 1 are the "
        "cheaper ones).</p>"
    )
    return Finding(
        id="elastic-net",
        number=10,
        title="Elastic Net: groups of correlated features",
        question="What does the Elastic Net add to the lasso?",
        claim="With correlated features the lasso picks one of a group more or less at random; the Elastic "
        "Net keeps the group together, at the price of tuning a second hyperparameter.",
        measured=measured,
        verdict=verdict,
        summary=summary,
        text=text,
        figures=[
            _figure(
                {"lasso (l1_ratio = 1)": freq_l1, f"Elastic Net (l1_ratio = {L1_RATIO:g})": freq_en},
                groups,
                sweep,
                table,
                chosen,
                cost_ratio,
            )
        ],
        seconds=time.perf_counter() - t0,
    )
