"""Section 2: why large weights hurt, with cats, dogs and a 30 lb cat.

A logistic regression tells cats from dogs by body weight.  The training data are separable, so an
unpenalized fit has no finite optimum: its weight grows without bound.  Two models that classify
every training animal correctly are compared: one with (practically) no penalty, whose weight is
huge, and one with the strongest L2 penalty that still gets every training animal right.  Measured:
how far each prediction moves when the scale is off by 1 lb, and the loss on a 30 lb cat, far
outside the cats' training range.
"""

from __future__ import annotations

import warnings

import numpy as np

from ._finding import Figure, Finding
from .style import COLORS, PENALTY_COLORS, new_figure

N_PER_CLASS = 40
CAT_WEIGHT = (10.0, 2.0, 5.0, 15.0)  # mean, sd, min, max in lb
DOG_WEIGHT = (45.0, 15.0, 18.0, 90.0)
OUTLIER_LB = 30.0
PERTURBATION_LB = 1.0
TINY_ALPHA = 1e-8


def _animals(rng):
    cats = np.clip(rng.normal(CAT_WEIGHT[0], CAT_WEIGHT[1], N_PER_CLASS), *CAT_WEIGHT[2:])
    dogs = np.clip(rng.normal(DOG_WEIGHT[0], DOG_WEIGHT[1], N_PER_CLASS), *DOG_WEIGHT[2:])
    x = np.r_[cats, dogs][:, None]
    y = np.r_[np.zeros(N_PER_CLASS), np.ones(N_PER_CLASS)]  # 1 = dog
    return x, y


def _p_dog(model, weights):
    return model.predict_proba(np.asarray(weights, dtype=float)[:, None])[:, 1]


def _weight(model) -> float:
    """The classifier's one weight, per lb (``coef_`` has shape (1, 1), as in scikit-learn)."""
    return float(np.ravel(model.coef_)[0])


def _log_loss_cat(model) -> float:
    # -log p(cat) from the logit, stable where p(cat) underflows to 0
    z = float(model.decision_function(np.array([[OUTLIER_LB]]))[0])
    return float(np.logaddexp(0.0, z))


def run(*, quick: bool, seed: int) -> Finding:
    """Compare a huge-weight and a small-weight classifier that both fit the training data."""
    from .. import LogisticRegression

    rng = np.random.default_rng(seed)
    x, y = _animals(rng)
    alphas = np.geomspace(1.0, TINY_ALPHA, 17 if quick else 41)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # near-separable fits at tiny alpha may stop at a loose gap
        fits = [LogisticRegression(alpha=a, max_iter=1000).fit(x, y) for a in alphas]
    accuracy = np.array([np.mean(m.predict(x) == y) for m in fits])
    big = fits[-1]
    # the strongest penalty that still classifies every training animal correctly
    small_index = int(np.flatnonzero(accuracy == 1.0)[0])
    small = fits[small_index]

    grid = np.linspace(0.0, 90.0, 901)
    moves = {
        name: np.abs(_p_dog(m, grid + PERTURBATION_LB) - _p_dog(m, grid))
        for name, m in (("big", big), ("small", small))
    }
    train_moves = {
        name: np.abs(_p_dog(m, x[:, 0] + PERTURBATION_LB) - _p_dog(m, x[:, 0]))
        for name, m in (("big", big), ("small", small))
    }
    loss = {"big": _log_loss_cat(big), "small": _log_loss_cat(small)}
    measured = {
        "alpha_big_weights": float(alphas[-1]),
        "alpha_small_weights": float(alphas[small_index]),
        "weight_per_lb_big": _weight(big),
        "weight_per_lb_small": _weight(small),
        "train_accuracy_big": float(accuracy[-1]),
        "train_accuracy_small": float(accuracy[small_index]),
        "max_prob_move_1lb_big": float(moves["big"].max()),
        "max_prob_move_1lb_small": float(moves["small"].max()),
        "max_prob_move_1lb_at_training_points_big": float(train_moves["big"].max()),
        "max_prob_move_1lb_at_training_points_small": float(train_moves["small"].max()),
        "p_cat_30lb_big": float(1.0 - _p_dog(big, [OUTLIER_LB])[0]),
        "p_cat_30lb_small": float(1.0 - _p_dog(small, [OUTLIER_LB])[0]),
        "log_loss_30lb_cat_big": loss["big"],
        "log_loss_30lb_cat_small": loss["small"],
    }
    sensitive = measured["max_prob_move_1lb_big"] > 2 * measured["max_prob_move_1lb_small"]
    costly = loss["big"] > 2 * loss["small"]
    verdict = "supports" if sensitive and costly else ("partly" if sensitive or costly else "contradicts")
    summary = (
        f"both fit all {2 * N_PER_CLASS} training animals; weight {_weight(big):.2f} vs "
        f"{_weight(small):.2f} per lb; a 1 lb error moves p(dog) by up to "
        f"{moves['big'].max():.2f} vs {moves['small'].max():.2f}; log loss on a 30 lb cat "
        f"{loss['big']:.1f} vs {loss['small']:.1f}: {verdict}"
    )
    text = (
        f"<p>{N_PER_CLASS} cats ({CAT_WEIGHT[2]:g}–{CAT_WEIGHT[3]:g} lb) and {N_PER_CLASS} dogs "
        f"({DOG_WEIGHT[2]:g}–{DOG_WEIGHT[3]:g} lb): no animal of one class is heavier than one of the other, "
        "so a logistic regression on weight can separate them perfectly and, without a penalty, its "
        "log-likelihood keeps improving as the weight grows: there is no finite unpenalized fit. "
        f"Here alpha = {TINY_ALPHA:g} stands for 'no penalty'. The small-weight model uses the largest alpha "
        f"of a grid that still classifies every training animal correctly (alpha = {alphas[small_index]:.3g}): "
        "on the training data the two models are equally right.</p>"
        "<p>They differ in how they react. Near the decision boundary the huge-weight model flips "
        "from 'cat' to 'dog' within a pound, so a scale that is 1 lb off changes its answer almost "
        "completely; the small-weight model changes gradually. At the training animals themselves, away "
        "from the boundary, the huge-weight model hardly moves (its cliff lies in the gap between the "
        "classes), while the small-weight model moves by up to "
        f"{measured['max_prob_move_1lb_at_training_points_small']:.2f}: it is less sure about the "
        "heaviest cats and lightest dogs, which is the honest answer there. "
        "A 30 lb cat is heavier than any training cat: both call it "
        "a dog, but the huge-weight model is so sure that its log loss is several times larger. Large weights "
        "mean extreme confidence, which is paid for on every surprise.</p>"
    )
    figure = _figure(x, y, big, small, alphas, fits, accuracy, moves, measured)
    return Finding(
        id="large-weights",
        number=2,
        title="Why large weights hurt",
        question="If two models fit the training data equally well, why prefer the one with small weights?",
        claim="Large weights make predictions over-sensitive to small input changes and over-confident "
        "on inputs unlike the training data, so they cost more on outliers.",
        measured=measured,
        verdict=verdict,
        summary=summary,
        text=text,
        figures=[
            Figure(
                figure,
                "Left: predicted probability of 'dog' against body weight for the two models, training "
                "animals at 0 (cats) and 1 (dogs), the 30 lb cat as a star. Middle: how much p(dog) "
                f"moves when the weight is read {PERTURBATION_LB:g} lb too high. Right: across the alpha "
                "grid, the model's weight per lb against its log loss on the 30 lb cat; filled markers "
                "classify every training animal correctly.",
            )
        ],
    )


def _figure(x, y, big, small, alphas, fits, accuracy, moves, measured):
    fig, axes = new_figure(3, 1, width=4.0, height=3.4)
    grid = np.linspace(0.0, 90.0, 901)
    labels = {"big": f"huge weight ({_weight(big):.2f}/lb)", "small": f"L2, small weight ({_weight(small):.2f}/lb)"}
    colors = {"big": PENALTY_COLORS["none"], "small": PENALTY_COLORS["l2"]}
    ax = axes[0]
    for name, model in (("big", big), ("small", small)):
        ax.plot(grid, _p_dog(model, grid), color=colors[name], lw=1.8, label=labels[name])
    cats, dogs = x[y == 0, 0], x[y == 1, 0]
    ax.plot(cats, np.zeros_like(cats), "|", color=COLORS["orange"], ms=12, label="training cats")
    ax.plot(dogs, np.ones_like(dogs), "|", color=COLORS["green"], ms=12, label="training dogs")
    ax.plot([OUTLIER_LB], [0.0], "*", color=COLORS["vermillion"], ms=14, label="30 lb cat", zorder=6)
    ax.set(
        xlabel="body weight (lb)", ylabel="p(dog)", title="Two classifiers, same training accuracy", ylim=(-0.08, 1.08)
    )
    ax.legend(fontsize=8, loc="center right")

    ax = axes[1]
    for name in ("big", "small"):
        ax.plot(grid, moves[name], color=colors[name], lw=1.8, label=labels[name])
    ax.set(
        xlabel="body weight (lb)",
        ylabel=f"|change of p(dog)| for +{PERTURBATION_LB:g} lb",
        title="Sensitivity to a 1 lb error",
        xlim=(5, 35),
    )
    ax.legend(fontsize=8)

    ax = axes[2]
    coefs = np.array([_weight(m) for m in fits])
    losses = np.array([_log_loss_cat(m) for m in fits])
    ok = accuracy == 1.0
    ax.plot(coefs, losses, color=COLORS["grey"], lw=1, zorder=1)
    ax.scatter(coefs[ok], losses[ok], color=COLORS["blue"], s=22, label="100% training accuracy", zorder=2)
    ax.scatter(
        coefs[~ok],
        losses[~ok],
        facecolor="white",
        edgecolor=COLORS["blue"],
        s=22,
        label="misclassifies a training animal",
        zorder=2,
    )
    for name, model in (("big", big), ("small", small)):
        ax.scatter(
            [_weight(model)],
            [measured[f"log_loss_30lb_cat_{name}"]],
            s=140,
            facecolor="none",
            edgecolor=colors[name],
            linewidth=2,
            label=f"{labels[name].split(' (')[0]}, alpha={model.alpha:.2g}",
        )
    ax.set(xlabel="model weight per lb", ylabel="log loss on the 30 lb cat", title="Bigger weight, bigger surprise")
    ax.legend(fontsize=8, loc="upper left")
    return fig
