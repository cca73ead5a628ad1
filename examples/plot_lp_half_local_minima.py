"""
L0.5: several local minima, found from several starts
=====================================================

The penalty ``alpha/p sum |w_j|^p`` with ``p < 1`` is not convex: it shrinks large coefficients less
than the Lasso and pulls small ones harder to zero, but the objective has several local minima, and
coordinate descent stops at the one its start leads to.  lpnet certifies each such point by its
optimality violation (zero at a stationary point), not by a duality gap, which does not exist here.

Two correlated features make the landscape visible: the objective contours in the plane of the two
coefficients, and where :class:`lpnet.LpRegression` ends up from a grid of starting points (a start is
given by setting ``coef_`` and fitting with ``warm_start=True``).
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np

from lpnet import LpRegression
from lpnet.datasets import correlated_pair

data = correlated_pair(n_samples=200, correlation=0.8, seed=0)
X, y = data.X, data.y
alpha, p = 0.6, 0.5

model = LpRegression(alpha=alpha, p=p, warm_start=True, tol=1e-8, max_iter=1000)
ends, violations = [], []
starts = [(a, b) for a in np.linspace(-1.0, 4.0, 9) for b in np.linspace(-1.0, 4.0, 9)]
for start in starts:
    model.coef_, model.intercept_ = np.array(start), float(y.mean())
    with warnings.catch_warnings():
        # a far start may need many passes; the violation says how it ended
        warnings.simplefilter("ignore")
        model.fit(X, y)
    ends.append(model.coef_.copy())
    violations.append(model.optimality_violation_)
ends = np.array(ends)

# %%
# The distinct end points, with their objective (the intercept is the mean of ``y`` minus the fitted
# part, since the features are centred).
Xc, yc = X - X.mean(axis=0), y - y.mean()


def objective(w):
    return 0.5 * np.mean((yc - Xc @ w) ** 2) + alpha / p * np.sum(np.abs(w) ** p)


minima = np.unique(ends.round(6), axis=0)
for w in minima:
    hits = int(np.sum(np.all(np.abs(ends - w) < 1e-5, axis=1)))
    print(
        f"w = {w}, objective {objective(w):.4f}, "
        f"reached from {hits} of {len(starts)} starts"
    )
print(f"largest optimality violation: {max(violations):.1e}")

# %%
# Contours of the objective, the starts (small dots, coloured by where they ended) and the minima.
grid = np.linspace(-1.2, 4.2, 241)
W1, W2 = np.meshgrid(grid, grid)
F = np.array(
    [objective(np.array([a, b])) for a, b in zip(W1.ravel(), W2.ravel())]
).reshape(W1.shape)
fig, ax = plt.subplots(figsize=(6.5, 6))
# levels packed near the bottom, where the minima are
levels = F.min() + (np.quantile(F, 0.5) - F.min()) * np.linspace(0.03, 1.0, 18) ** 2
ax.contour(W1, W2, F, levels=levels, colors="0.6", linewidths=0.7)
for k, w in enumerate(minima):
    reached = np.all(np.abs(ends - w) < 1e-5, axis=1)
    colour = f"C{k}"
    ax.scatter(*np.array(starts)[reached].T, s=12, color=colour)
    ax.scatter(
        *w,
        s=150,
        marker="*",
        color=colour,
        edgecolor="k",
        zorder=3,
        label=f"minimum, F = {objective(w):.3f}",
    )
ax.axhline(0.0, color="k", lw=0.5)
ax.axvline(0.0, color="k", lw=0.5)
ax.set(
    xlabel="w1",
    ylabel="w2",
    title=f"L{p} penalty, alpha = {alpha}: where each start ends",
    aspect="equal",
)
ax.legend(loc="upper right")
plt.show()
