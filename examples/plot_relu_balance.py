"""
ReLU networks: rescaling hidden units, and ``balance``
======================================================

A ReLU is positively homogeneous, ``relu(c z) = c relu(z)`` for ``c > 0``.  So multiplying a hidden
unit's incoming weights and bias by ``c`` and its outgoing weights by ``1/c`` leaves the network's
function unchanged, while the L2 penalty (weight decay) changes: ``c^2 ||a||^2 + ||o||^2 / c^2`` for
incoming weights ``a`` and outgoing weights ``o``.  Among all these equivalent networks the penalty is
smallest when every unit's incoming and outgoing norms are equal.

:func:`lpnet.torch.rescale` applies such a rescaling; :func:`lpnet.torch.balance` finds the one with the
smallest penalty, layer by layer, and reports the penalty before and after.  Weight decay therefore
does not only shrink weights: it also chooses among networks that compute the same function.
"""

import matplotlib.pyplot as plt
import numpy as np
import torch

from lpnet.torch import balance, rescale

torch.manual_seed(0)
torch.set_num_threads(1)  # a network this small runs fastest on one thread
model = torch.nn.Sequential(
    torch.nn.Linear(8, 32),
    torch.nn.ReLU(),
    torch.nn.Linear(32, 32),
    torch.nn.ReLU(),
    torch.nn.Linear(32, 1),
)
x = torch.randn(256, 8)


def l2_penalty(net):
    return 0.5 * sum(
        float(m.weight.detach().square().sum())
        for m in net
        if isinstance(m, torch.nn.Linear)
    )


def unit_norms(net, layer, following):
    """Incoming and outgoing weight norms of the hidden units of ``net[layer]``."""
    return (
        net[layer].weight.detach().norm(dim=1).numpy(),
        net[following].weight.detach().norm(dim=0).numpy(),
    )


with torch.no_grad():
    before = model(x).clone()

# %%
# Rescale the first hidden layer by random factors between 1/10 and 10: the output does not move
# (up to float32 rounding), the penalty does.
scales = torch.exp(torch.empty(32).uniform_(-np.log(10.0), np.log(10.0)))
print(f"penalty at initialisation: {l2_penalty(model):.2f}")
rescale(model, 0, scales)
with torch.no_grad():
    change = float((model(x) - before).abs().max())
print(
    f"after rescale: penalty {l2_penalty(model):.2f}, "
    f"largest change of the output {change:.1e}"
)
incoming_before, outgoing_before = unit_norms(model, 0, 2)

# %%
# ``balance`` undoes that and more: the penalty drops below its value at initialisation, for the same
# function.
result = balance(model, alpha=1.0)
with torch.no_grad():
    change = float((model(x) - before).abs().max())
before_after = f"{result.penalty_before:.2f} -> {result.penalty_after:.2f}"
print(
    f"balance: penalty {before_after} in {result.sweeps} sweeps "
    f"(converged {result.converged}); largest change of the output {change:.1e}"
)
incoming_after, outgoing_after = unit_norms(model, 0, 2)

fig, ax = plt.subplots(figsize=(6, 5.5))
ax.scatter(incoming_before, outgoing_before, label="after a random rescaling")
ax.scatter(incoming_after, outgoing_after, label="after balance")
top = max(incoming_before.max(), outgoing_before.max()) * 1.5
ax.plot([1e-2, top], [1e-2, top], color="k", lw=1, label="equal norms")
ax.set(
    xscale="log",
    yscale="log",
    xlabel="incoming weight norm of a hidden unit",
    ylabel="outgoing weight norm",
    title="first hidden layer, 32 units",
)
ax.legend()
plt.show()
