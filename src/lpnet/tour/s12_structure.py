"""Section 12: when the columns come in groups, the group lasso selects them as groups.

A categorical feature enters a linear model as one dummy column per level (one-hot).  The plain lasso
treats each dummy as a feature of its own, so it may keep two levels of a category and drop the other
three: a selection that says "this category matters" only in part, and that no one can act on.  The
group lasso penalizes the norm of each category's block of coefficients, so a category is in or out as
a whole.  The section measures, over seeded repetitions, how often each method keeps a category in
part, how many irrelevant categories each keeps, and what that does to the prediction error on new
data, both methods tuned by the same K-fold cross-validation.
"""

from __future__ import annotations

import time
import warnings

import numpy as np

from ._finding import Figure, Finding

N_CATEGORIES, N_LEVELS, N_RELEVANT = 8, 5, 2
#: the level effects of each relevant category (they sum to zero: with an intercept in the model only
#: differences between levels are identifiable); two small ones that the lasso is tempted to drop
LEVEL_EFFECTS = np.array([1.2, -1.0, 0.6, -0.5, -0.3])
NOISE = 1.0
N_TRAIN, N_TEST = 150, 2000
N_FOLDS = 5


def make_data(rng: np.random.Generator, n_samples: int):
    """``N_CATEGORIES`` categorical features of ``N_LEVELS`` equally likely levels, one-hot encoded.

    The first ``N_RELEVANT`` categories shift ``y`` by ``LEVEL_EFFECTS`` (times 1, then times -1 for the
    second, so the two differ); the others do nothing.

    Returns
    -------
    X : ndarray of shape (n_samples, N_CATEGORIES * N_LEVELS)
        The dummies, category by category.
    y : ndarray of shape (n_samples,)
    groups : ndarray of shape (N_CATEGORIES * N_LEVELS,)
        The category of each column.
    """
    levels = rng.integers(0, N_LEVELS, size=(n_samples, N_CATEGORIES))
    X = np.zeros((n_samples, N_CATEGORIES * N_LEVELS))
    rows = np.arange(n_samples)
    for c in range(N_CATEGORIES):
        X[rows, c * N_LEVELS + levels[:, c]] = 1.0
    y = NOISE * rng.standard_normal(n_samples)
    for c in range(N_RELEVANT):
        y += (-1.0) ** c * LEVEL_EFFECTS[levels[:, c]]
    groups = np.repeat(np.arange(N_CATEGORIES), N_LEVELS)
    return X, y, groups


def category_selection(coef, groups) -> dict:
    """How a coefficient vector selects the categories: per category the number of nonzero dummies.

    Returns
    -------
    dict
        ``kept`` (per category, nonzero dummies), ``partial`` (categories with some but not all
        dummies nonzero), ``relevant_kept`` and ``irrelevant_kept`` (categories with any nonzero dummy).
    """
    kept = np.array([np.count_nonzero(coef[groups == g]) for g in range(N_CATEGORIES)])
    any_kept = kept > 0
    return {
        "kept": kept,
        "partial": int(np.count_nonzero(any_kept & (kept < N_LEVELS))),
        "relevant_kept": int(np.count_nonzero(any_kept[:N_RELEVANT])),
        "irrelevant_kept": int(np.count_nonzero(any_kept[N_RELEVANT:])),
    }


def _fit_both(X, y, groups, folds, n_alphas):
    """The lasso and the group lasso, each at its cross-validated alpha (same folds, same grid size)."""
    from ..model_selection import GroupLassoCV, LassoCV

    lasso = LassoCV(cv=folds, n_alphas=n_alphas).fit(X, y)
    group = GroupLassoCV(groups=groups, cv=folds, n_alphas=n_alphas).fit(X, y)
    return lasso, group


def _figure(kept, partial, irrelevant, mse, n_reps):
    from .style import COLORS, PENALTY_COLORS, new_figure

    fig, axes = new_figure(3, 1, width=4.0, height=3.3)
    colors = {"lasso": PENALTY_COLORS["l1"], "group lasso": COLORS["green"]}
    # (a) the share of each category's dummies kept, averaged over the repetitions
    ax = axes[0]
    x = np.arange(N_CATEGORIES)
    for k, (name, share) in enumerate(kept.items()):
        ax.bar(x + (k - 0.5) * 0.4, share, width=0.4, color=colors[name], label=name)
    ax.set_xticks(x, [f"{'*' if c < N_RELEVANT else ''}{c + 1}" for c in x])
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("category (* = has an effect)")
    ax.set_ylabel("share of its dummies kept")
    ax.set_title("(a) what each method keeps")
    ax.legend(fontsize=8, loc="upper right")
    # (b) categories kept in part, and irrelevant categories kept, per fit
    ax = axes[1]
    names = list(kept)
    width = 0.35
    for k, name in enumerate(names):
        bars = ax.bar(
            np.array([0, 1]) + (k - 0.5) * width,
            [np.mean(partial[name]), np.mean(irrelevant[name])],
            width=width,
            color=colors[name],
            label=name,
        )
        ax.bar_label(bars, fmt="%.1f", fontsize=8)  # the group lasso's zero is a bar of no height
    ax.set_xticks([0, 1], ["kept in part", "irrelevant kept"])
    ax.set_ylabel("categories per fit (mean)")
    ax.set_title("(b) partial and wrong selections")
    ax.legend(fontsize=8)
    # (c) the prediction error on new data
    ax = axes[2]
    box = ax.boxplot([mse[n] for n in names], widths=0.5, patch_artist=True)
    for patch, name in zip(box["boxes"], names):
        patch.set_facecolor(colors[name])
        patch.set_alpha(0.6)
    ax.set_xticks([1, 2], names)
    ax.set_ylabel("test MSE")
    ax.set_title("(c) prediction error on new data")
    return Figure(
        fig,
        f"{n_reps} seeded data sets of {N_TRAIN} rows with {N_CATEGORIES} categorical features of "
        f"{N_LEVELS} levels each, one-hot encoded; the first {N_RELEVANT} categories have an effect. Both "
        f"methods are tuned by {N_FOLDS}-fold cross-validation. (a) The share of each category's dummies "
        "that the fit keeps, averaged over the data sets: the group lasso keeps a category whole or not at "
        "all. (b) Per fit, the categories kept in part (some dummies but not all) and the irrelevant "
        f"categories kept. (c) The mean squared error on {N_TEST} new rows (noise variance "
        f"{NOISE**2:g}).",
    )


def run(*, quick: bool, seed: int) -> Finding:
    """Lasso against group lasso on one-hot encoded categorical features.

    Parameters
    ----------
    quick : bool
        10 data sets and 30 alphas instead of 20 and 50.
    seed : int
        Seeds the data and the folds.

    Returns
    -------
    Finding
    """
    from sklearn.model_selection import KFold

    t0 = time.perf_counter()
    n_reps = 10 if quick else 20
    n_alphas = 30 if quick else 50
    rng = np.random.default_rng(seed)
    names = ("lasso", "group lasso")
    kept = {n: np.zeros(N_CATEGORIES) for n in names}
    partial: dict = {n: [] for n in names}
    relevant: dict = {n: [] for n in names}
    irrelevant: dict = {n: [] for n in names}
    mse: dict = {n: [] for n in names}
    uncertified = 0
    for rep in range(n_reps):
        X, y, groups = make_data(rng, N_TRAIN)
        X_test, y_test, _ = make_data(rng, N_TEST)
        folds = KFold(N_FOLDS, shuffle=True, random_state=seed + rep)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a fit at the smallest alphas may stop at max_iter
            fits = dict(zip(names, _fit_both(X, y, groups, folds, n_alphas)))
        for name, model in fits.items():
            sel = category_selection(model.coef_, groups)
            kept[name] += sel["kept"] / N_LEVELS / n_reps
            partial[name].append(sel["partial"])
            relevant[name].append(sel["relevant_kept"])
            irrelevant[name].append(sel["irrelevant_kept"])
            resid = y_test - model.predict(X_test)
            mse[name].append(float(resid @ resid) / N_TEST)
            uncertified += not model.estimator_.converged_

    lasso_partial, group_partial = np.mean(partial["lasso"]), np.mean(partial["group lasso"])
    d_mse = np.array(mse["group lasso"]) - np.array(mse["lasso"])
    se = float(d_mse.std(ddof=1) / np.sqrt(n_reps))
    # the claim has two parts: the lasso keeps categories in part and the group lasso never does, and
    # knowing the structure does not cost (here: helps) prediction; the MSE difference is paired by data set
    whole = lasso_partial > 0.0 and group_partial == 0.0
    better = float(d_mse.mean()) <= se
    verdict = "supports" if whole and better else ("partly" if whole or better else "contradicts")
    measured = {
        "n_data_sets": n_reps,
        "n_train": N_TRAIN,
        "n_categories": N_CATEGORIES,
        "n_levels": N_LEVELS,
        "n_relevant": N_RELEVANT,
        "share_kept_per_category": {n: [float(v) for v in kept[n]] for n in names},
        "partial_per_fit_mean": {n: float(np.mean(partial[n])) for n in names},
        "fits_with_a_partial_category": {n: int(np.count_nonzero(partial[n])) for n in names},
        "relevant_kept_per_fit_mean": {n: float(np.mean(relevant[n])) for n in names},
        "irrelevant_kept_per_fit_mean": {n: float(np.mean(irrelevant[n])) for n in names},
        "test_mse_median": {n: float(np.median(mse[n])) for n in names},
        "test_mse_mean": {n: float(np.mean(mse[n])) for n in names},
        "test_mse_difference_mean": float(d_mse.mean()),
        "test_mse_difference_se": se,
        "group_lasso_better_on": int(np.count_nonzero(d_mse < 0)),
        "uncertified_fits": int(uncertified),
    }
    summary = (
        f"categories kept in part per fit: lasso {lasso_partial:.2f} vs group lasso {group_partial:.2f}; "
        f"irrelevant kept {np.mean(irrelevant['lasso']):.2f} vs {np.mean(irrelevant['group lasso']):.2f}; "
        f"test MSE {np.mean(mse['lasso']):.3f} vs {np.mean(mse['group lasso']):.3f} "
        f"(difference {d_mse.mean():+.3f} ± {se:.3f}): {verdict}"
    )
    text = (
        f"<p>Design: {n_reps} seeded data sets of {N_TRAIN} rows, {N_CATEGORIES} categorical features with "
        f"{N_LEVELS} equally likely levels each, one-hot encoded into {N_CATEGORIES * N_LEVELS} dummy columns. "
        f"The first {N_RELEVANT} categories shift y by level effects {list(LEVEL_EFFECTS)} (opposite signs for "
        f"the second), noise sd {NOISE:g}. <code>LassoCV</code> and <code>GroupLassoCV</code> (one group per "
        f"category, weight sqrt(5)) choose alpha by the same {N_FOLDS}-fold split.</p>"
        f"<p>The lasso keeps a category in part (some of its dummies, not all) {lasso_partial:.2f} times per "
        f"fit on average, in {measured['fits_with_a_partial_category']['lasso']} of {n_reps} fits; the group "
        f"lasso {group_partial:.2f} times: its penalty is the norm of each category's block, which is zero "
        "or not as a whole. The lasso also keeps "
        f"{np.mean(irrelevant['lasso']):.2f} irrelevant categories per fit against "
        f"{np.mean(irrelevant['group lasso']):.2f} for the group lasso, and both keep "
        f"{np.mean(relevant['lasso']):.2f} and {np.mean(relevant['group lasso']):.2f} of the {N_RELEVANT} "
        "relevant ones.</p>"
        f"<p>On {N_TEST} new rows the group lasso's error is {d_mse.mean():+.3f} against the lasso's "
        f"(paired over the data sets, standard error {se:.3f}; lower on {measured['group_lasso_better_on']} "
        f"of {n_reps}). "
        + (
            "Knowing the structure costs nothing in prediction here and gives a selection one can read: "
            "a category matters or it does not."
            if better
            else "Here the structure costs prediction accuracy: the group lasso's error is higher by more "
            "than one standard error."
        )
        + "</p>"
    )
    return Finding(
        id="structure",
        number=12,
        title="Group lasso: selecting categories, not dummies",
        question="What if I know the structure?",
        claim="On one-hot encoded categoricals the lasso picks single dummies of a category; the group lasso "
        "keeps or drops each category as a whole, and predicts at least as well.",
        measured=measured,
        verdict=verdict,
        summary=summary,
        text=text,
        figures=[_figure(kept, partial, irrelevant, mse, n_reps)],
        seconds=time.perf_counter() - t0,
    )
