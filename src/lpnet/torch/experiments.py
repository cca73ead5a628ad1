"""Small, CPU-fast experiments on regularizing networks; results are plain data (dataclasses of numbers).

* :func:`digits_regularization` - no penalty, weight decay on weights only, weight decay on everything,
  L1 by proximal steps and L1 as a loss term, on an MLP for scikit-learn's bundled digits;
* :func:`scale_symmetry` - rescaling a ReLU network keeps its function, a tanh network's not; balancing
  lowers the L2 penalty of the same function;
* :func:`seed_diversity` - networks from different seeds: similar losses, different weights.

Every function restores torch's global RNG state and thread count when it returns.
"""

from __future__ import annotations

import contextlib
import copy
import itertools
import statistics
import time
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from .groups import decay_param_groups, penalized_parameters
from .penalty import penalty
from .proximal import Proximal
from .symmetry import balance, rescale

DIGITS_SETTINGS = ("none", "l2_weights", "l2_all", "l1_prox", "l1_subgradient")
DIGITS_LABELS = {
    "none": "no penalty",
    "l2_weights": "L2, weight decay on weights only",
    "l2_all": "L2, weight decay on all parameters",
    "l1_prox": "L1, proximal steps",
    "l1_subgradient": "L1, loss term (subgradient)",
}


@contextlib.contextmanager
def _isolated(threads: int | None):
    """Fix the thread count and fork the CPU RNG for the duration; restore both afterwards."""
    old = torch.get_num_threads()
    try:
        if threads is not None:
            torch.set_num_threads(threads)
        with torch.random.fork_rng(devices=[]):
            yield
    finally:
        torch.set_num_threads(old)


def _digits(dtype=torch.float32):
    """Standardized digits (8x8 images, 10 classes) with a fixed stratified 70/30 split."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
    mean, std = X_tr.mean(axis=0), X_tr.std(axis=0)
    std[std == 0] = 1.0  # the always-blank corner pixels
    tr = torch.as_tensor((X_tr - mean) / std, dtype=dtype), torch.as_tensor(y_tr)
    te = torch.as_tensor((X_te - mean) / std, dtype=dtype), torch.as_tensor(y_te)
    return tr, te


def _mlp(widths, activation=nn.ReLU) -> nn.Sequential:
    layers = []
    for i, (a, b) in enumerate(itertools.pairwise(widths)):
        layers.append(nn.Linear(a, b))
        if i < len(widths) - 2:
            layers.append(activation())
    return nn.Sequential(*layers)


def _weights_zero_fraction(model) -> float:
    weights = [w for _, w in penalized_parameters(model)]
    zeros = sum(int((w == 0).sum()) for w in weights)
    return zeros / sum(w.numel() for w in weights)


@dataclass
class _Run:
    accuracy: float
    zero_fraction: float
    seconds_per_epoch: float
    train_loss: float


def _train(setting, seed, data, *, epochs, lr, batch_size, weight_decay, l1_alpha, widths) -> tuple:
    (X, y), (X_te, y_te) = data
    torch.manual_seed(seed)
    model = _mlp(widths)
    init = torch.cat([w.detach().reshape(-1).clone() for w in model.parameters()])
    params = model.parameters()
    if setting == "l2_weights":
        opt = torch.optim.SGD(decay_param_groups(model, weight_decay), lr=lr, momentum=0.9)
    elif setting == "l2_all":
        opt = torch.optim.SGD(params, lr=lr, momentum=0.9, weight_decay=weight_decay)
    elif setting == "l1_prox":
        opt = Proximal(torch.optim.SGD(params, lr=lr, momentum=0.9), "l1", l1_alpha, model=model)
    else:
        opt = torch.optim.SGD(params, lr=lr, momentum=0.9)
    subgradient = setting == "l1_subgradient"
    order = torch.Generator().manual_seed(seed)
    start = time.process_time()  # CPU time: not inflated when other processes share the cores
    for _ in range(epochs):
        for idx in torch.randperm(X.shape[0], generator=order).split(batch_size):
            loss = F.cross_entropy(model(X[idx]), y[idx])
            if subgradient:
                loss = loss + penalty(model, "l1", l1_alpha)
            opt.zero_grad()
            loss.backward()
            opt.step()
    elapsed = time.process_time() - start
    with torch.no_grad():
        train_loss = float(F.cross_entropy(model(X), y))
        accuracy = float((model(X_te).argmax(dim=1) == y_te).float().mean())
    run = _Run(accuracy, _weights_zero_fraction(model), elapsed / max(epochs, 1), train_loss)
    return run, model, init


@dataclass
class SettingSummary:
    """One training setting over several seeds (means, and the standard deviation of the accuracy)."""

    label: str
    accuracy_mean: float
    accuracy_std: float
    zero_fraction_mean: float
    seconds_per_epoch: float
    train_loss_mean: float
    accuracies: list = field(default_factory=list)
    zero_fractions: list = field(default_factory=list)


@dataclass
class DigitsResult:
    """:func:`digits_regularization`'s results: ``settings[name]`` for each name of ``DIGITS_SETTINGS``."""

    settings: dict
    seeds: tuple
    epochs: int
    lr: float
    weight_decay: float
    l1_alpha: float
    widths: tuple
    n_train: int
    n_test: int


def digits_regularization(
    seeds=(0, 1, 2),
    epochs=None,
    *,
    quick=False,
    lr=0.05,
    batch_size=64,
    weight_decay=1e-3,
    l1_alpha=2e-3,
    widths=(64, 128, 64, 10),
    threads=1,
) -> DigitsResult:
    """Five ways to regularize an MLP on scikit-learn's digits, compared.

    Settings (``DIGITS_SETTINGS``): no penalty; L2 as SGD ``weight_decay`` on weights only
    (:func:`~lpnet.torch.decay_param_groups`); L2 as ``weight_decay`` on every parameter; L1 by
    proximal steps (:class:`~lpnet.torch.Proximal`); L1 as a loss term (subgradient).  All use SGD with
    momentum 0.9 and mini-batches, the same initialization and batch order per seed.

    Parameters
    ----------
    seeds : tuple of int, default=(0, 1, 2)
    epochs : int, optional
        Default 60, or 15 with ``quick=True``.
    quick : bool, default=False
        Fewer epochs (a few seconds in all).
    lr, batch_size, weight_decay, l1_alpha, widths
        SGD step, mini-batch size, L2 ``weight_decay`` (lpnet ``alpha``), L1 ``alpha``, layer widths.
    threads : int or None, default=1
        torch threads during the run (restored afterwards); None leaves the setting alone.

    Returns
    -------
    DigitsResult
        Per setting: test accuracy (mean and std over seeds), fraction of exact zeros among the weights,
        seconds per epoch (median over seeds of the process CPU time, which with ``threads=1`` is the
        wall time of an idle machine), final training loss.
    """
    if epochs is None:
        epochs = 15 if quick else 60
    seeds = tuple(seeds)
    with _isolated(threads):
        data = _digits()
        summaries = {}
        for setting in DIGITS_SETTINGS:
            runs = [
                _train(
                    setting,
                    s,
                    data,
                    epochs=epochs,
                    lr=lr,
                    batch_size=batch_size,
                    weight_decay=weight_decay,
                    l1_alpha=l1_alpha,
                    widths=widths,
                )[0]
                for s in seeds
            ]
            acc = [r.accuracy for r in runs]
            zeros = [r.zero_fraction for r in runs]
            summaries[setting] = SettingSummary(
                label=DIGITS_LABELS[setting],
                accuracy_mean=statistics.fmean(acc),
                accuracy_std=statistics.pstdev(acc),
                zero_fraction_mean=statistics.fmean(zeros),
                seconds_per_epoch=statistics.median(r.seconds_per_epoch for r in runs),
                train_loss_mean=statistics.fmean(r.train_loss for r in runs),
                accuracies=acc,
                zero_fractions=zeros,
            )
    (X_tr, _), (X_te, _) = data
    return DigitsResult(
        summaries, seeds, epochs, lr, weight_decay, l1_alpha, tuple(widths), X_tr.shape[0], X_te.shape[0]
    )


def digits_table(result: DigitsResult) -> str:
    """:func:`digits_regularization`'s result as a Markdown table."""
    lines = [
        "| setting | test accuracy | exact zeros (weights) | CPU ms / epoch | train loss |",
        "|---|---|---|---|---|",
    ]
    for s in result.settings.values():
        lines.append(
            f"| {s.label} | {s.accuracy_mean:.4f} ± {s.accuracy_std:.4f} | "
            f"{100 * s.zero_fraction_mean:.1f}% | {1e3 * s.seconds_per_epoch:.1f} | "
            f"{s.train_loss_mean:.4f} |"
        )
    return "\n".join(lines)


@dataclass
class SymmetryResult:
    """:func:`scale_symmetry`'s numbers (float64 throughout).

    ``*_max_diff`` are max-abs output differences after the rescaling, next to ``output_scale`` (the
    max-abs output); ``balance_*`` describe :func:`~lpnet.torch.balance` applied to a ReLU network whose
    hidden units were first rescaled at random (same function, unbalanced weights), and to its
    freshly initialized form (``init_penalty_*``).
    """

    c: float
    output_scale: float
    relu_max_diff: float
    leaky_relu_max_diff: float
    tanh_max_diff: float
    balance_penalty_before: float
    balance_penalty_after: float
    balance_max_diff: float
    balance_sweeps: int
    init_penalty_before: float
    init_penalty_after: float


def scale_symmetry(seed=0, *, c=3.0, widths=(16, 32, 32, 4), n_samples=256) -> SymmetryResult:
    """Rescaling a hidden layer by ``c`` and the next layer by ``1/c``: function kept for ReLU, not tanh.

    Parameters
    ----------
    seed : int, default=0
    c : float, default=3.0
        The factor of the first hidden layer.
    widths : tuple of int
        Layer widths of the MLPs.
    n_samples : int
        Random inputs on which outputs are compared.

    Returns
    -------
    SymmetryResult
    """
    with _isolated(None):
        torch.manual_seed(seed)
        X = torch.randn(n_samples, widths[0], dtype=torch.float64)
        diffs = {}
        for name, act in (("relu", nn.ReLU), ("leaky_relu", nn.LeakyReLU), ("tanh", nn.Tanh)):
            torch.manual_seed(seed)
            model = _mlp(widths, act).double()
            with torch.no_grad():
                before = model(X)
                if name == "tanh":  # rescale refuses tanh, so apply the same multiplication by hand
                    model[0].weight.mul_(c)
                    model[0].bias.mul_(c)
                    model[2].weight.div_(c)
                else:
                    rescale(model, 0, c)
                diffs[name] = float((model(X) - before).abs().max())
                if name == "relu":
                    scale = float(before.abs().max())

        torch.manual_seed(seed)
        model = _mlp(widths).double()
        init = balance(copy.deepcopy(model))
        with torch.no_grad():
            for i in range(0, len(model) - 1, 2):  # random per-unit factors in [e^-2, e^2]
                factors = torch.exp(4.0 * torch.rand(model[i].out_features, dtype=torch.float64) - 2.0)
                rescale(model, i, factors)
            before = model(X)
            result = balance(model)
            after = model(X)
    return SymmetryResult(
        c=c,
        output_scale=scale,
        relu_max_diff=diffs["relu"],
        leaky_relu_max_diff=diffs["leaky_relu"],
        tanh_max_diff=diffs["tanh"],
        balance_penalty_before=result.penalty_before,
        balance_penalty_after=result.penalty_after,
        balance_max_diff=float((after - before).abs().max()),
        balance_sweeps=result.sweeps,
        init_penalty_before=init.penalty_before,
        init_penalty_after=init.penalty_after,
    )


@dataclass
class DiversityResult:
    """:func:`seed_diversity`'s numbers.

    ``relative_distances[(i, j)]`` is ``||theta_i - theta_j|| / ((||theta_i|| + ||theta_j||) / 2)`` for
    the flattened parameter vectors of the networks trained from ``seeds[i]`` and ``seeds[j]``;
    ``prediction_agreement[(i, j)]`` the fraction of test digits on which they predict the same class;
    ``distance_from_init`` each network's ``||theta - theta_init|| / ||theta_init||``.
    """

    seeds: tuple
    train_losses: list
    test_accuracies: list
    relative_distances: dict
    prediction_agreement: dict
    distance_from_init: list


def seed_diversity(
    seeds=(0, 1, 2), epochs=None, *, quick=False, lr=0.05, batch_size=64, widths=(64, 128, 64, 10), threads=1
) -> DiversityResult:
    """Train the digits MLP (no penalty) from several seeds; compare losses, weights and predictions.

    Parameters
    ----------
    seeds : tuple of int, default=(0, 1, 2)
    epochs : int, optional
        Default 60, or 15 with ``quick=True``.
    quick : bool, default=False
    lr, batch_size, widths
        As in :func:`digits_regularization`.
    threads : int or None, default=1

    Returns
    -------
    DiversityResult
    """
    if epochs is None:
        epochs = 15 if quick else 60
    seeds = tuple(seeds)
    with _isolated(threads):
        data = _digits()
        flat, preds, losses, accs, moved = [], [], [], [], []
        for s in seeds:
            run, model, init = _train(
                "none",
                s,
                data,
                epochs=epochs,
                lr=lr,
                batch_size=batch_size,
                weight_decay=0.0,
                l1_alpha=0.0,
                widths=widths,
            )
            theta = torch.cat([w.detach().reshape(-1) for w in model.parameters()]).double()
            flat.append(theta)
            moved.append(float((theta - init.double()).norm() / init.double().norm()))
            with torch.no_grad():
                preds.append(model(data[1][0]).argmax(dim=1))
            losses.append(run.train_loss)
            accs.append(run.accuracy)
    distances, agreement = {}, {}
    for i, j in itertools.combinations(range(len(seeds)), 2):
        mean_norm = 0.5 * float(flat[i].norm() + flat[j].norm())
        distances[(i, j)] = float((flat[i] - flat[j]).norm()) / mean_norm
        agreement[(i, j)] = float(np.mean((preds[i] == preds[j]).numpy()))
    return DiversityResult(seeds, losses, accs, distances, agreement, moved)
