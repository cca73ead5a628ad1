"""
Proximal L1 in a PyTorch network: exact zeros
=============================================

Adding ``alpha * sum |w|`` to the loss and letting SGD differentiate it moves weights towards zero but
almost never onto it: the subgradient step overshoots and the weight oscillates around 0.  The
proximal step does what the Lasso's coordinate descent does, soft-thresholding after each gradient
step, and weights that the penalty wants at zero land exactly on 0.0.

:class:`lpnet.torch.Proximal` wraps any optimizer with that step; biases are not penalized.  Here a
small MLP on the digits, trained both ways with the same ``alpha`` and the same seed.
"""

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from lpnet.torch import Proximal, penalty, sparsity_report

torch.set_num_threads(1)  # a network this small runs fastest on one thread
X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X / 16.0, y, test_size=0.3, random_state=0, stratify=y
)
X_train, X_test = (torch.tensor(a, dtype=torch.float32) for a in (X_train, X_test))
y_train, y_test = torch.tensor(y_train), torch.tensor(y_test)
alpha, lr, epochs = 2e-3, 0.5, 300


def make_model():
    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10)
    )


def train(proximal):
    model = make_model()
    sgd = torch.optim.SGD(model.parameters(), lr=lr)
    opt = Proximal(sgd, kind="l1", alpha=alpha, model=model) if proximal else sgd
    criterion = torch.nn.CrossEntropyLoss()
    for _ in range(epochs):  # full-batch gradient steps
        opt.zero_grad()
        loss = criterion(model(X_train), y_train)
        if not proximal:
            # the same penalty, as a term of the loss
            loss = loss + penalty(model, kind="l1", alpha=alpha)
        loss.backward()
        opt.step()
    with torch.no_grad():
        accuracy = float((model(X_test).argmax(dim=1) == y_test).float().mean())
    return model, accuracy


models = {}
for name, proximal in (("loss term", False), ("proximal", True)):
    model, accuracy = train(proximal)
    models[name] = model
    report = sparsity_report(model)
    weights = report[report["penalized"]]
    print(
        f"{name:9s}: test accuracy {accuracy:.3f}, exact zeros in the weights "
        f"{int(weights['zeros'].sum())} of {int(weights['numel'].sum())}"
    )
print(
    sparsity_report(models["proximal"])[
        ["name", "shape", "zeros", "zero_fraction", "zero_units", "penalized"]
    ]
)

# %%
# Histograms of the first layer's nonzero weights, by magnitude on a log scale.  The loss-term penalty
# leaves a crowd of tiny weights (1e-5 to 1e-3) that are zero in all but name; the proximal step puts
# them at exactly 0, and they drop out of the histogram.
fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
for ax, (name, model) in zip(axes, models.items()):
    w = model[0].weight.detach().numpy().ravel()
    ax.hist(np.abs(w[w != 0]), bins=np.logspace(-8, 0, 81), color="C0")
    ax.set(
        xscale="log",
        title=f"{name}: {np.sum(w == 0)} of {w.size} exactly zero",
        xlabel="|first-layer weight|",
    )
axes[0].set_ylabel("count")
fig.tight_layout()
plt.show()
