"""Overhead of lpnet.torch.Proximal on a training step, and the digits regularization experiment.

    python benchmarks/torch/run.py [--quick] [--threads N] [--no-digits]

A step is forward + backward + optimizer step on one mini-batch of an MLP.  Each optimizer (bare, and
wrapped in ``Proximal``) trains its own copy of the same network on the same batches; variants are run
in interleaved blocks so that drifts of the machine hit all of them alike, and the MEDIAN time per step
is reported with the overhead relative to the bare optimizer: wall-clock time and process CPU time (the
latter is not inflated by other processes competing for the cores of a busy machine).
"""

from __future__ import annotations

import argparse
import copy
import platform
import statistics
import time

import torch
from torch import nn
from torch.nn import functional as F

from lpnet.torch import Proximal
from lpnet.torch.experiments import digits_regularization, digits_table

PROBLEMS = {
    # name: (layer widths, batch size)
    "digits MLP 64-128-64-10, batch 64": ((64, 128, 64, 10), 64),
    "MLP 784-512-512-10, batch 128": ((784, 512, 512, 10), 128),
}


def _mlp(widths):
    layers = []
    for i in range(len(widths) - 1):
        layers.append(nn.Linear(widths[i], widths[i + 1]))
        if i < len(widths) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def _variants(model):
    """(name, model copy, optimizer) for each optimizer measured."""
    out = []
    for name in ("SGD", "Proximal(SGD, l1)", "Proximal(SGD, l1, rows)", "Adam", "Proximal(Adam, l1)"):
        m = copy.deepcopy(model)
        if "Adam" in name:
            opt = torch.optim.Adam(m.parameters(), lr=1e-3)
        else:
            opt = torch.optim.SGD(m.parameters(), lr=0.05, momentum=0.9)
        if name.startswith("Proximal"):
            opt = Proximal(opt, "l1", 1e-4, group="rows" if "rows" in name else None, model=m)
        out.append((name, m, opt))
    return out


def _step(model, opt, x, y):
    loss = F.cross_entropy(model(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()


def measure(widths, batch, *, blocks, steps_per_block, warmup=20):
    torch.manual_seed(0)
    model = _mlp(widths)
    x = torch.randn(batch, widths[0])
    y = torch.randint(0, widths[-1], (batch,))
    variants = _variants(model)
    wall = {name: [] for name, _, _ in variants}
    cpu = {name: [] for name, _, _ in variants}
    for _, m, opt in variants:
        for _ in range(warmup):
            _step(m, opt, x, y)
    for _ in range(blocks):
        for name, m, opt in variants:
            for _ in range(steps_per_block):
                t0, c0 = time.perf_counter(), time.process_time()
                _step(m, opt, x, y)
                cpu[name].append(time.process_time() - c0)
                wall[name].append(time.perf_counter() - t0)
    return {name: (statistics.median(wall[name]), statistics.median(cpu[name])) for name in wall}


def overhead_table(results) -> str:
    lines = [
        "| problem | optimizer | wall ms / step | overhead (wall) | CPU ms / step | overhead (CPU) |",
        "|---|---|---|---|---|---|",
    ]
    for problem, med in results.items():
        for name, (wall, cpu) in med.items():
            bare_wall, bare_cpu = med["Adam" if "Adam" in name else "SGD"]
            bare = name in ("SGD", "Adam")
            ow = "" if bare else f"{100 * (wall / bare_wall - 1):+.1f}%"
            oc = "" if bare else f"{100 * (cpu / bare_cpu - 1):+.1f}%"
            lines.append(f"| {problem} | {name} | {1e3 * wall:.3f} | {ow} | {1e3 * cpu:.3f} | {oc} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer steps, digits in quick mode")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    parser.add_argument("--no-digits", action="store_true", help="skip the digits experiment")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {platform.processor() or platform.machine()}, {args.threads} threads\n")
    blocks, per_block = (10, 20) if args.quick else (40, 50)
    results = {p: measure(w, b, blocks=blocks, steps_per_block=per_block) for p, (w, b) in PROBLEMS.items()}
    print(overhead_table(results))
    if not args.no_digits:
        t0 = time.perf_counter()
        result = digits_regularization(quick=args.quick)
        print(
            f"\ndigits: seeds {result.seeds}, {result.epochs} epochs, SGD lr {result.lr} momentum 0.9, "
            f"weight_decay {result.weight_decay}, L1 alpha {result.l1_alpha}, widths {result.widths}, "
            f"{result.n_train} train / {result.n_test} test ({time.perf_counter() - t0:.1f} s)\n"
        )
        print(digits_table(result))


if __name__ == "__main__":
    main()
