"""Section 10: the Elastic Net keeps groups of correlated features that the lasso splits up.

Design after Zou & Hastie (2005): three latent factors, each copied into five features with a little
noise, plus pure-noise features.  The lasso tends to keep one or two members of a group and which ones
changes from one subsample to the next; the Elastic Net's ridge part spreads the weight over the group.
The price is a second hyperparameter to tune.
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
#: l1_ratio of the Elastic Net in the selection experiments; the CV cost uses the whole grid
L1_RATIO = 0.5
L1_RATIOS = (0.1, 0.3, 0.5, 0.7, 0.9, 0.95, 0.99, 1.0)
#: both methods are run at this fraction of their own alpha_max in the stability experiment
ALPHA_FRACTION = 0.2
THRESHOLD = 0.6


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


def _figure(freq, groups, cv_times, n_fits):
    from .style import COLORS, PENALTY_COLORS, new_figure

    fig, axes = new_figure(3, 1, width=4.1, height=3.5)
    group_colors = [COLORS["blue"], COLORS["purple"], COLORS["green"]]
    colors = [group_colors[g] if g >= 0 else COLORS["grey"] for g in groups]
    j = np.arange(groups.size)
    for ax, (name, f) in zip(axes[:2], freq.items()):
        ax.bar(j, f, color=colors, width=0.8)
        ax.axhline(THRESHOLD, color="k", ls=":", lw=1)
        ax.set_ylim(0, 1.05)
        ax.set_xlabel("feature (groups of 5, then noise)")
        ax.set_ylabel("selection frequency")
        ax.set_title(f"({'ab'[list(freq).index(name)]}) {name}")
    from matplotlib.patches import Patch

    handles = [Patch(color=c, label=f"group {g + 1}") for g, c in enumerate(group_colors)]
    handles.append(Patch(color=COLORS["grey"], label="noise"))
    axes[0].legend(handles=handles, fontsize=8, loc="upper right", ncol=2)

    ax = axes[2]
    names = list(cv_times)
    bars = ax.bar(names, [cv_times[n] for n in names], color=[PENALTY_COLORS["l1"], PENALTY_COLORS["elasticnet"]],
                  edgecolor="k", linewidth=0.5, width=0.6)
    for b, n in zip(bars, names):
        ax.annotate(f"{n_fits[n]} path fits", (b.get_x() + b.get_width() / 2, b.get_height()),
                    xytext=(0, 3), textcoords="offset points", ha="center", fontsize=9)
    ax.set_ylabel("cross-validation time (s, median)")
    ax.set_title("(c) cost of tuning, same folds")
    ax.margins(y=0.15)
    return Figure(fig, "(a, b) How often each feature is selected over random half-samples, at "
                       f"{ALPHA_FRACTION:g} times each method's alpha_max (dotted: {THRESHOLD:g}). The lasso "
                       "keeps a changing subset of each correlated group; the Elastic Net "
                       f"(l1_ratio = {L1_RATIO:g}) keeps whole groups. (c) Time to cross-validate one alpha "
                       f"grid (LassoCV) against the same grid for {len(L1_RATIOS)} l1_ratios (ElasticNetCV).")


def run(*, quick: bool, seed: int) -> Finding:
    """Group selection and stability of the lasso against the Elastic Net; the cost of two hyperparameters.

    Parameters
    ----------
    quick : bool
        30 subsamples instead of 100, a coarser alpha grid for the CV timing.
    seed : int
        Seeds the data, the subsamples and the folds.

    Returns
    -------
    Finding
    """
    from sklearn.model_selection import KFold

    from ..model_selection import ElasticNetCV, LassoCV, stability_selection
    from ..path import alpha_max

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
        cv_times = {"LassoCV": _time_cv(lasso_grid, X, y, repeats),
                    "ElasticNetCV": _time_cv(enet_grid, X, y, repeats)}
        alpha_l1 = ALPHA_FRACTION * alpha_max(X, y, penalty="l1")
        alpha_en = ALPHA_FRACTION * alpha_max(X, y, penalty="elasticnet", l1_ratio=L1_RATIO)
        stab = {
            "lasso": stability_selection(X, y, penalty="l1", alphas=[alpha_l1], n_subsamples=n_subsamples,
                                         random_state=seed).frequencies[0],
            f"Elastic Net (l1_ratio = {L1_RATIO:g})": stability_selection(
                X, y, penalty="elasticnet", l1_ratio=L1_RATIO, alphas=[alpha_en], n_subsamples=n_subsamples,
                random_state=seed).frequencies[0],
        }
    freq_l1, freq_en = stab.values()
    st_l1, st_en = group_stats(freq_l1, groups, THRESHOLD), group_stats(freq_en, groups, THRESHOLD)
    cv_l1 = group_stats(np.abs(lasso_cv.coef_), groups, 0.0)
    cv_en = group_stats(np.abs(enet_cv.coef_), groups, 0.0)
    noise = groups < 0
    n_fits = {"LassoCV": 5, "ElasticNetCV": 5 * len(L1_RATIOS)}
    cost_ratio = cv_times["ElasticNetCV"] / cv_times["LassoCV"]

    fewer = sum(st_l1["members"]) < sum(st_en["members"]) and sum(cv_l1["members"]) < sum(cv_en["members"])
    more_even = float(np.mean(st_en["evenness"])) > float(np.mean(st_l1["evenness"]))
    similar_mse = abs(lasso_cv.mse_path_.min() - enet_cv.mse_path_.min()) < 0.1 * lasso_cv.mse_path_.min()
    verdict = "supports" if fewer and more_even else ("partly" if fewer or more_even else "contradicts")
    measured = {
        "n_subsamples": n_subsamples,
        "stable_members_per_group_lasso": st_l1["members"],
        "stable_members_per_group_enet": st_en["members"],
        "frequency_evenness_per_group_lasso": st_l1["evenness"],
        "frequency_evenness_per_group_enet": st_en["evenness"],
        "noise_mean_frequency_lasso": float(freq_l1[noise].mean()),
        "noise_mean_frequency_enet": float(freq_en[noise].mean()),
        "selection_frequency_lasso": [float(f) for f in freq_l1],
        "selection_frequency_enet": [float(f) for f in freq_en],
        "cv_nonzero_members_per_group_lasso": cv_l1["members"],
        "cv_nonzero_members_per_group_enet": cv_en["members"],
        "cv_nonzero_noise_lasso": int(np.count_nonzero(lasso_cv.coef_[noise])),
        "cv_nonzero_noise_enet": int(np.count_nonzero(enet_cv.coef_[noise])),
        "cv_best_mse_lasso": float(lasso_cv.mse_path_.min()),
        "cv_best_mse_enet": float(enet_cv.mse_path_.min()),
        "enet_grid_chosen_l1_ratio": float(enet_grid.l1_ratio_),
        "cv_seconds": cv_times,
        "cv_cost_ratio": float(cost_ratio),
    }
    summary = (f"members per group kept in > {THRESHOLD:g} of subsamples: lasso {st_l1['members']} vs EN "
               f"{st_en['members']} (of {GROUP_SIZE}); within-group evenness {np.mean(st_l1['evenness']):.2f} vs "
               f"{np.mean(st_en['evenness']):.2f}; tuning l1_ratio too costs {cost_ratio:.1f}x: {verdict}")
    text = (
        f"<p>Design (Zou & Hastie 2005 style): 100 samples, {N_GROUPS} latent factors each copied into "
        f"{GROUP_SIZE} features with noise {WITHIN_NOISE:g} (within-group correlation about 0.99), "
        f"{N_NOISE} noise features. Fitted once at the cross-validated alpha, the lasso keeps "
        f"{cv_l1['members']} members of the three groups, the Elastic Net (l1_ratio {L1_RATIO:g}) "
        f"{cv_en['members']}.</p>"
        f"<p>Over {n_subsamples} half-samples (stability selection at {ALPHA_FRACTION:g} alpha_max) the lasso "
        f"keeps {st_l1['members']} members per group in more than {100 * THRESHOLD:.0f}% of them, the Elastic Net "
        f"{st_en['members']}; the within-group evenness of the frequencies (least over most selected member) is "
        f"{', '.join(f'{e:.2f}' for e in st_l1['evenness'])} for the lasso against "
        f"{', '.join(f'{e:.2f}' for e in st_en['evenness'])}"
        + (": which member the lasso keeps changes from one subsample to the next. " if more_even else ". ")
        + f"Noise features: mean frequency {freq_l1[noise].mean():.2f} (lasso) and {freq_en[noise].mean():.2f} "
        "(Elastic Net).</p>"
        + f"<p>For prediction the choice matters {'little' if similar_mse else 'here'}: best CV mean squared error "
        f"{lasso_cv.mse_path_.min():.3f} (lasso) against {enet_cv.mse_path_.min():.3f}, and cross-validating "
        f"l1_ratio over {list(L1_RATIOS)} picks {enet_grid.l1_ratio_:g}. That search took "
        f"{cv_times['ElasticNetCV']:.2f} s against {cv_times['LassoCV']:.2f} s for LassoCV on the same folds "
        f"({cost_ratio:.1f}x): the second hyperparameter multiplies the cost, here {len(L1_RATIOS)} l1_ratios "
        f"for {cost_ratio:.1f} times the time (fits with l1_ratio near 1 are the cheaper ones).</p>"
    )
    return Finding(
        id="elastic-net", number=10, title="Elastic Net: groups of correlated features",
        question="What does the Elastic Net add to the lasso?",
        claim="With correlated features the lasso picks one of a group more or less at random; the Elastic "
              "Net keeps the group together, at the price of tuning a second hyperparameter.",
        measured=measured, verdict=verdict, summary=summary, text=text,
        figures=[_figure(stab, groups, cv_times, n_fits)],
        seconds=time.perf_counter() - t0,
    )
