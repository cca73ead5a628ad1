"""
Elastic Net on groups of correlated features
============================================

When several features carry the same signal, the Lasso tends to pick one of them and drop the rest;
which one it keeps depends on small accidents of the sample.  The Elastic Net adds a ridge part,
``alpha (l1_ratio |w| + (1 - l1_ratio) / 2 w^2)``, that spreads the weight over the whole group, so the
correlated features enter and leave together.

Three groups of five nearly identical features each, one group irrelevant:
"""

import matplotlib.pyplot as plt
import numpy as np

import lpnet
from lpnet.viz import plot_path

rng = np.random.default_rng(0)
n_samples, group_size = 200, 5
signals = rng.standard_normal((n_samples, 3))
# each feature is its group's signal plus a little private noise:
# correlation about 0.98 within a group
X = np.repeat(signals, group_size, axis=1) + 0.15 * rng.standard_normal(
    (n_samples, 3 * group_size)
)
y = 3.0 * signals[:, 0] - 2.0 * signals[:, 1] + rng.standard_normal(n_samples)
names = [f"{g}{k}" for g in "ABC" for k in range(group_size)]

# %%
# At a moderate alpha the Lasso drops some members of each useful group and weighs the others
# unevenly; the Elastic Net keeps them all, with similar coefficients.
lasso = lpnet.Lasso(alpha=0.3).fit(X, y)
enet = lpnet.ElasticNet(alpha=0.6, l1_ratio=0.3).fit(X, y)
for name, model in (("Lasso", lasso), ("Elastic Net", enet)):
    print(f"{name:12s}", np.round(model.coef_, 2), f"gap {model.dual_gap_:.1e}")

# %%
# The two paths side by side.  Under the Lasso the curves of one group split apart; under the Elastic
# Net they stay together.
fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), sharey=True)
for ax, penalty, title in (
    (axes[0], "l1", "Lasso"),
    (axes[1], "elasticnet", "Elastic Net, l1_ratio = 0.3"),
):
    path = lpnet.regularization_path(X, y, penalty=penalty, l1_ratio=0.3, n_alphas=60)
    plot_path(path, ax=ax, legend=False)
    for line, name in zip(ax.get_lines(), names):
        line.set_color({"A": "C0", "B": "C3", "C": "0.6"}[name[0]])
    ax.set_title(title)
axes[1].plot([], [], color="C0", label="group A (coefficient 3)")
axes[1].plot([], [], color="C3", label="group B (coefficient -2)")
axes[1].plot([], [], color="0.6", label="group C (irrelevant)")
axes[1].legend(loc="lower left")
fig.tight_layout()
plt.show()
