"""Section 11: L1 and L2 in neural networks.

Four measurements with :mod:`lpnet.torch`: the scale symmetry of ReLU networks (and its absence for
tanh), the balanced parametrization that an L2 penalty prefers, networks trained from different seeds,
and five ways to regularize a small MLP on scikit-learn's digits.  torch is an optional dependency:
without it the section says so and returns a finding without measurements.
"""

from __future__ import annotations

import time

import numpy as np

from ._finding import Figure, Finding

ID, NUMBER, TITLE = "neural-nets", 11, "Neural networks: weight decay, L1 and the scale symmetry"
QUESTION = "Does the L1/L2 story carry over to neural networks?"
CLAIM = (
    "Weight decay (L2) is the default regularizer of neural networks; L1 gives exact zeros only with "
    "proximal steps, not as a loss term; ReLU networks have a scale symmetry (many weights, one "
    "function) that L2 resolves by preferring balanced layers; networks from different seeds reach "
    "similar losses with different weights."
)
#: a rescaled ReLU network counts as unchanged when its outputs move by less than this (relative)
SAME_FUNCTION_TOL = 1e-9
#: a tanh network counts as changed when its outputs move by more than this (relative)
CHANGED_TOL = 1e-3


#: weight decays of the balance-after-training experiment
DECAYS = (0.0, 1e-3, 1e-2)


def balance_after_training(seed: int, epochs: int, decays=DECAYS) -> dict:
    """How far from balanced a ReLU MLP ends up after SGD training, with and without weight decay.

    The MLP (64-128-64-10, digits) starts from a randomly rescaled initialization (each hidden unit
    multiplied by a factor in [1/e, e], the next layer divided by it: same function, unbalanced), and is
    trained with SGD (momentum 0.9) and ``weight_decay`` on the weights only.  The excess of its L2
    penalty over the balanced penalty of the same function (``before / after - 1`` of
    :func:`lpnet.torch.balance`) is measured at the start and at the end.

    Parameters
    ----------
    seed : int
    epochs : int
    decays : tuple of float
        The ``weight_decay`` values compared (0: no penalty).

    Returns
    -------
    dict
        ``excess_init`` (float) and ``excess_trained`` / ``test_accuracy`` (one per decay).
    """
    import copy

    import torch
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    from torch import nn
    from torch.nn import functional as F

    from ..torch import balance, decay_param_groups, rescale

    def excess(model):
        res = balance(copy.deepcopy(model).double())
        return res.penalty_before / res.penalty_after - 1.0

    X, y = load_digits(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
    mean, std = X_tr.mean(axis=0), np.where(X_tr.std(axis=0) > 0, X_tr.std(axis=0), 1.0)
    X_tr, X_te = (torch.as_tensor((a - mean) / std, dtype=torch.float32) for a in (X_tr, X_te))
    y_tr, y_te = torch.as_tensor(y_tr), torch.as_tensor(y_te)
    out = {"excess_trained": [], "test_accuracy": []}
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # deterministic, and cheaper than threads for so small a network
    try:
        with torch.random.fork_rng(devices=[]):
            for decay in decays:
                torch.manual_seed(seed)  # the same initialization and batch order for every decay
                model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
                for layer in (0, 2):
                    rescale(model, layer, torch.exp(2.0 * torch.rand(model[layer].out_features) - 1.0))
                out["excess_init"] = excess(model)
                groups = decay_param_groups(model, decay) if decay > 0 else model.parameters()
                opt = torch.optim.SGD(groups, lr=0.05, momentum=0.9)
                order = torch.Generator().manual_seed(seed)
                for _ in range(epochs):
                    for idx in torch.randperm(X_tr.shape[0], generator=order).split(64):
                        loss = F.cross_entropy(model(X_tr[idx]), y_tr[idx])
                        opt.zero_grad()
                        loss.backward()
                        opt.step()
                out["excess_trained"].append(excess(model))
                with torch.no_grad():
                    out["test_accuracy"].append(float((model(X_te).argmax(dim=1) == y_te).float().mean()))
    finally:
        torch.set_num_threads(threads)
    return out


def _no_torch(reason: str, t0: float) -> Finding:
    return Finding(
        id=ID,
        number=NUMBER,
        title=TITLE,
        question=QUESTION,
        claim=CLAIM,
        measured={"torch_available": False},
        verdict="partly",
        summary="not measured: PyTorch is not installed (pip install lpnet[torch]): partly",
        text=f"<p>This section needs the optional dependency PyTorch, which could not be imported "
        f"({reason}). Install it with <code>pip install lpnet[torch]</code> and run the tour again; "
        "the verdict 'partly' only says that nothing was measured.</p>",
        seconds=time.perf_counter() - t0,
    )


def _symmetry_figure(sym, div, trained):
    from .style import COLORS, PENALTY_COLORS, new_figure

    fig, (ax_out, ax_pen, ax_train, ax_seed) = new_figure(2, 2, width=4.6, height=3.5)
    # (a) output change after multiplying layer 1 by c and dividing layer 2 by c
    names = ["ReLU", "LeakyReLU", "tanh"]
    diffs = [sym.relu_max_diff, sym.leaky_relu_max_diff, sym.tanh_max_diff]
    floor = 1e-18  # an exact 0 cannot be drawn on a log axis
    ax_out.bar(
        names,
        [max(d, floor) for d in diffs],
        color=[COLORS["blue"], COLORS["sky"], COLORS["vermillion"]],
        edgecolor="k",
        linewidth=0.5,
    )
    ax_out.axhline(sym.output_scale, color="k", ls="--", lw=1, label=f"output scale {sym.output_scale:.2f}")
    ax_out.axhline(
        np.finfo(np.float64).eps * sym.output_scale, color=COLORS["grey"], ls=":", lw=1, label="float64 rounding"
    )
    ax_out.set_yscale("log")
    ax_out.set_ylim(floor, 10.0)
    ax_out.set_ylabel("max |output change|")
    ax_out.set_title(f"(a) layer x {sym.c:g}, next layer / {sym.c:g}")
    ax_out.legend(fontsize=8, loc="upper left")

    # (b) the L2 penalty of one function under different parametrizations
    labels = ["initialization", "randomly\nrescaled", "balanced"]
    values = [sym.init_penalty_before, sym.balance_penalty_before, sym.balance_penalty_after]
    ax_pen.bar(
        labels, values, color=[COLORS["grey"], COLORS["orange"], PENALTY_COLORS["l2"]], edgecolor="k", linewidth=0.5
    )
    ax_pen.set_yscale("log")
    ax_pen.set_ylabel("L2 penalty: 1/2 sum of squared weights")
    ax_pen.set_title("(b) same function, different L2 penalty")
    for i, v in enumerate(values):
        ax_pen.annotate(f"{v:.1f}", (i, v), xytext=(0, 3), textcoords="offset points", ha="center", fontsize=9)
    ax_pen.margins(y=0.2)

    # (c) excess L2 penalty (removable by balancing) before and after training, per weight decay
    x = np.arange(len(DECAYS))
    ax_train.axhline(
        trained["excess_init"],
        color=COLORS["orange"],
        ls="--",
        lw=1.2,
        label=f"randomly rescaled start: {100 * trained['excess_init']:.0f}%",
    )
    ax_train.bar(
        x,
        trained["excess_trained"],
        color=[PENALTY_COLORS["none"], COLORS["sky"], PENALTY_COLORS["l2"]],
        edgecolor="k",
        linewidth=0.5,
        width=0.6,
        label="after training",
    )
    for i, v in enumerate(trained["excess_trained"]):
        ax_train.annotate(f"{100 * v:.2g}%", (i, v), xytext=(0, 3), textcoords="offset points", ha="center", fontsize=9)
    ax_train.set_yscale("log")
    ax_train.set_xticks(x, [f"{d:g}" for d in DECAYS])
    ax_train.set_xlabel("weight_decay (weights only)")
    ax_train.set_ylabel("L2 penalty / balanced penalty - 1")
    ax_train.set_title(f"(c) imbalance left after {trained['epochs']} epochs")
    lo, hi = ax_train.get_ylim()
    ax_train.set_ylim(lo, hi * 30)  # room for the legend above the start line
    ax_train.legend(fontsize=8, loc="upper right")

    # (d) networks from different seeds: weights far apart, predictions nearly the same
    pairs = list(div.relative_distances)
    x = np.arange(len(pairs))
    ax_seed.bar(
        x - 0.2,
        [div.relative_distances[p] for p in pairs],
        width=0.4,
        color=COLORS["purple"],
        label="relative weight distance",
    )
    ax_seed.bar(
        x + 0.2,
        [div.prediction_agreement[p] for p in pairs],
        width=0.4,
        color=COLORS["green"],
        label="test prediction agreement",
    )
    ax_seed.set_xticks(x, [f"seeds {div.seeds[i]}, {div.seeds[j]}" for i, j in pairs])
    ax_seed.set_ylim(0, 1.9)
    ax_seed.set_title("(d) networks from different seeds")
    ax_seed.legend(fontsize=8, loc="upper left")
    return Figure(
        fig,
        "(a) Largest change of a network's outputs after multiplying the first hidden layer by "
        f"{sym.c:g} and dividing the next layer's weights by {sym.c:g}: rounding error for "
        "the positively homogeneous ReLU and LeakyReLU, a real change for tanh. (b) The L2 "
        "penalty of one and the same ReLU function: at initialization, after random per-unit "
        "rescalings, and after balance (the parametrization with the least L2 penalty). "
        "(c) The same excess for a digits MLP started unbalanced and trained with SGD: weight decay drives "
        "it towards the balanced parametrization, training without it leaves the imbalance. "
        "(d) MLPs trained on digits from different seeds: parameter vectors differ by about "
        "their own norm, yet predict the same class on almost every test digit.",
    )


def _digits_figure(dig):
    from .style import COLORS, PENALTY_COLORS, new_figure

    colors = {
        "none": PENALTY_COLORS["none"],
        "l2_weights": PENALTY_COLORS["l2"],
        "l2_all": COLORS["sky"],
        "l1_prox": PENALTY_COLORS["l1"],
        "l1_subgradient": COLORS["orange"],
    }
    short = {
        "none": "none",
        "l2_weights": "L2\nweights",
        "l2_all": "L2\nall",
        "l1_prox": "L1\nprox",
        "l1_subgradient": "L1\nsubgrad.",
    }
    names = list(dig.settings)
    fig, (ax_acc, ax_zero, ax_time) = new_figure(3, 1, width=4.0, height=3.4)
    s = [dig.settings[n] for n in names]
    cols = [colors[n] for n in names]
    ticks = [short[n] for n in names]
    x = np.arange(len(names))
    # the error rate, not the accuracy: its bars can start at 0 and still show differences of a point
    errors = [100 * (1 - v.accuracy_mean) for v in s]
    ax_acc.bar(x, errors, yerr=[100 * v.accuracy_std for v in s], color=cols, capsize=3, edgecolor="k", linewidth=0.5)
    tops = [e + 100 * v.accuracy_std for e, v in zip(errors, s)]
    for i, (e, top) in enumerate(zip(errors, tops)):
        ax_acc.annotate(f"{e:.1f}%", (i, top), xytext=(0, 3), textcoords="offset points", ha="center", fontsize=9)
    ax_acc.set_ylim(0, 1.2 * max(tops))
    ax_acc.set_ylabel("test error (%) = 100 - accuracy")
    ax_acc.set_title(f"(a) test error, mean of {len(dig.seeds)} seeds")
    ax_zero.bar(x, [100 * v.zero_fraction_mean for v in s], color=cols, edgecolor="k", linewidth=0.5)
    for i, v in enumerate(s):
        ax_zero.annotate(
            f"{100 * v.zero_fraction_mean:.1f}%",
            (i, 100 * v.zero_fraction_mean),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            fontsize=9,
        )
    ax_zero.set_ylabel("exact zeros among weights (%)")
    ax_zero.set_title("(b) sparsity")
    ax_zero.margins(y=0.15)
    ax_time.bar(x, [1e3 * v.seconds_per_epoch for v in s], color=cols, edgecolor="k", linewidth=0.5)
    ax_time.set_ylabel("ms per epoch (median)")
    ax_time.set_title("(c) cost")
    for ax in (ax_acc, ax_zero, ax_time):
        ax.set_xticks(x, ticks, fontsize=9)
    return Figure(
        fig,
        f"An MLP {'-'.join(map(str, dig.widths))} on scikit-learn's digits ({dig.n_train} "
        f"training, {dig.n_test} test images), SGD with momentum, {dig.epochs} epochs, the same "
        "initialization and batch order per seed; (a) test error (100% minus the accuracy) with "
        "the standard deviation over seeds. L2: weight_decay = "
        f"{dig.weight_decay:g} on the weights only or on every parameter; L1 (alpha = "
        f"{dig.l1_alpha:g}) by proximal steps or as a loss term.",
    )


def _table(dig) -> str:
    """The digits comparison, one line per setting (the report keeps only simple inline tags)."""
    return "<br>".join(
        f"{v.label}: test accuracy {100 * v.accuracy_mean:.2f} ± {100 * v.accuracy_std:.2f}%, exact zeros "
        f"{100 * v.zero_fraction_mean:.1f}% of the weights, {1e3 * v.seconds_per_epoch:.1f} ms per epoch, "
        f"train loss {v.train_loss_mean:.4f}"
        for v in dig.settings.values()
    )


def run(*, quick: bool, seed: int) -> Finding:
    """Scale symmetry, balancing, seed diversity and the digits comparison, measured with lpnet.torch.

    Parameters
    ----------
    quick : bool
        15 training epochs and two seeds for the digits table instead of 60 epochs and three seeds.
    seed : int
        First seed; the networks use ``seed, seed + 1, ...``.

    Returns
    -------
    Finding
        With verdict "partly" and no figures when torch cannot be imported.
    """
    t0 = time.perf_counter()
    try:
        import torch  # noqa: F401  (optional dependency: only its presence is checked here)
    except ImportError as exc:
        return _no_torch(str(exc), t0)
    from ..torch import experiments as ex

    sym = ex.scale_symmetry(seed)
    seeds = (seed, seed + 1, seed + 2)
    div = ex.seed_diversity(seeds, quick=quick)
    dig = ex.digits_regularization(seeds[:2] if quick else seeds, quick=quick)
    epochs = 15 if quick else 60
    trained = {**balance_after_training(seed, epochs), "epochs": epochs}

    rel = {
        k: v / sym.output_scale
        for k, v in (("relu", sym.relu_max_diff), ("leaky_relu", sym.leaky_relu_max_diff), ("tanh", sym.tanh_max_diff))
    }
    st = dig.settings
    distances = list(div.relative_distances.values())
    agreement = list(div.prediction_agreement.values())
    checks = {
        "relu_rescaling_keeps_function": rel["relu"] < SAME_FUNCTION_TOL and rel["leaky_relu"] < SAME_FUNCTION_TOL,
        "tanh_rescaling_changes_function": rel["tanh"] > CHANGED_TOL,
        "balance_lowers_l2_keeps_function": (
            sym.balance_penalty_after < sym.balance_penalty_before
            and sym.balance_max_diff / sym.output_scale < SAME_FUNCTION_TOL
        ),
        # more weight decay, less imbalance left after training
        "weight_decay_balances_training": bool(np.all(np.diff(trained["excess_trained"]) < 0)),
        # "similar loss": test accuracies within 2 points; "different weights": apart by over half their norm
        "seeds_similar_accuracy_different_weights": (
            max(div.test_accuracies) - min(div.test_accuracies) < 0.02 and min(distances) > 0.5
        ),
        "l1_zeros_only_with_prox": (
            st["l1_prox"].zero_fraction_mean > 0.0 and st["l1_subgradient"].zero_fraction_mean == 0.0
        ),
        "l2_not_worse_than_none": st["l2_weights"].accuracy_mean >= st["none"].accuracy_mean - 0.005,
    }
    held = sum(checks.values())
    verdict = "supports" if held == len(checks) else ("partly" if held >= len(checks) // 2 else "contradicts")
    measured = {
        "torch_available": True,
        "rescale_factor": sym.c,
        "output_scale": sym.output_scale,
        "relu_max_output_change": sym.relu_max_diff,
        "leaky_relu_max_output_change": sym.leaky_relu_max_diff,
        "tanh_max_output_change": sym.tanh_max_diff,
        "l2_penalty_random_rescaled": sym.balance_penalty_before,
        "l2_penalty_balanced": sym.balance_penalty_after,
        "l2_penalty_init": sym.init_penalty_before,
        "l2_penalty_init_balanced": sym.init_penalty_after,
        "balance_max_output_change": sym.balance_max_diff,
        "balance_training_weight_decays": list(DECAYS),
        "balance_training_epochs": epochs,
        "excess_l2_penalty_start": trained["excess_init"],
        "excess_l2_penalty_trained": trained["excess_trained"],
        "balance_training_test_accuracy": trained["test_accuracy"],
        "seed_train_losses": div.train_losses,
        "seed_test_accuracies": div.test_accuracies,
        "seed_relative_weight_distances": distances,
        "seed_prediction_agreement": agreement,
        "digits_epochs": dig.epochs,
        "digits_seeds": list(dig.seeds),
        "digits": {
            name: {
                "accuracy": v.accuracy_mean,
                "accuracy_std": v.accuracy_std,
                "zero_fraction": v.zero_fraction_mean,
                "seconds_per_epoch": v.seconds_per_epoch,
                "train_loss": v.train_loss_mean,
            }
            for name, v in st.items()
        },
        "checks": checks,
    }
    summary = (
        f"ReLU rescaling changes outputs by {sym.relu_max_diff:.1e} vs tanh {sym.tanh_max_diff:.2f}; "
        f"balancing lowers L2 {sym.balance_penalty_before:.0f} -> {sym.balance_penalty_after:.1f}; "
        f"L1 zeros: prox {100 * st['l1_prox'].zero_fraction_mean:.0f}% vs subgradient "
        f"{100 * st['l1_subgradient'].zero_fraction_mean:.0f}%; {held}/{len(checks)} checks: {verdict}"
    )
    failed = [k.replace("_", " ") for k, ok in checks.items() if not ok]
    text = (
        f"<p><em>Scale symmetry.</em> Multiplying the first hidden layer of a ReLU MLP by {sym.c:g} and dividing "
        f"the next layer by {sym.c:g} moves its outputs by {sym.relu_max_diff:.1e} (outputs of size "
        f"{sym.output_scale:.2f}): rounding error. The same surgery on a tanh network moves them by "
        f"{sym.tanh_max_diff:.3f}: tanh is not positively homogeneous. So a ReLU network's weights are not "
        "determined by its function, and neither is their L2 norm.</p>"
        f"<p><em>L2 picks the balanced weights.</em> After random per-unit rescalings the network has L2 penalty "
        f"(half the sum of squared weights, biases excluded) {sym.balance_penalty_before:.1f}; "
        f"<code>lpnet.torch.balance</code> brings it "
        f"down to {sym.balance_penalty_after:.2f} in {sym.balance_sweeps} sweeps, with outputs moved by "
        f"{sym.balance_max_diff:.1e}. Even a fresh initialization is not balanced: its penalty "
        f"{sym.init_penalty_before:.2f} drops to {sym.init_penalty_after:.2f}. Weight decay thus favours, among "
        "equal functions, the one whose layers carry equal norms. Training shows it: a digits MLP started "
        f"with {100 * trained['excess_init']:.0f}% excess penalty (over its balanced form) ends {epochs} epochs "
        "later with "
        + ", ".join(f"{100 * e:.2g}% (weight_decay {d:g})" for d, e in zip(DECAYS, trained["excess_trained"]))
        + "; without a penalty nothing pulls the layers into balance (for gradient flow each unit's squared "
        "norm of incoming weights and bias minus that of its outgoing weights is conserved), "
        "only the growth of the weights "
        "dilutes it.</p>"
        f"<p><em>Seeds.</em> Trained without penalty from seeds {list(div.seeds)}, the networks reach test "
        f"accuracies {', '.join(f'{100 * a:.1f}%' for a in div.test_accuracies)} and train losses "
        f"{', '.join(f'{v:.4f}' for v in div.train_losses)}, while their parameter vectors are "
        f"{min(distances):.2f}-{max(distances):.2f} of their norm apart; they agree on "
        f"{100 * min(agreement):.1f}-{100 * max(agreement):.1f}% of the test predictions.</p>"
        f"<p><em>Digits</em> ({dig.epochs} epochs, seeds {list(dig.seeds)}):<br>{_table(dig)}</p>"
        f"<p>L1 as a loss term (the subgradient of |w|) leaves {100 * st['l1_subgradient'].zero_fraction_mean:.1f}% "
        "of the weights at exactly 0 (the iterates oscillate around 0 rather than land on it); proximal steps "
        f"leave {100 * st['l1_prox'].zero_fraction_mean:.1f}% at test accuracy "
        f"{100 * st['l1_prox'].accuracy_mean:.2f}% (no penalty: {100 * st['none'].accuracy_mean:.2f}%). L2 on "
        f"the weights only and on every parameter: {100 * st['l2_weights'].accuracy_mean:.2f}% and "
        f"{100 * st['l2_all'].accuracy_mean:.2f}%.</p>"
        + (f"<p>Checks that failed: {', '.join(failed)}.</p>" if failed else "")
    )
    return Finding(
        id=ID,
        number=NUMBER,
        title=TITLE,
        question=QUESTION,
        claim=CLAIM,
        measured=measured,
        verdict=verdict,
        summary=summary,
        text=text,
        figures=[_symmetry_figure(sym, div, trained), _digits_figure(dig)],
        seconds=time.perf_counter() - t0,
    )
