"""
The two-dimensional Lagrange picture, computed
==============================================

The textbook picture of ridge regression: the elliptical contours of the loss touch the circle
``||w||_2 = t`` at the solution, where the loss gradient is parallel to the circle's normal,
``grad D = lambda grad g``.  :mod:`lpnet.lagrange` computes that picture instead of drawing it by hand:
:func:`lpnet.lagrange.solve_all` finds every point where the gradients are parallel (from many starts),
classifies it (min, max or saddle along the curve) and :func:`lpnet.lagrange.plot` draws contours,
curve and gradients.

The loss here is the least-squares loss of two correlated features
(:func:`lpnet.datasets.correlated_pair`), as a function of the two coefficients.
"""

import matplotlib.pyplot as plt
import numpy as np

import lpnet
from lpnet import lagrange
from lpnet.datasets import correlated_pair

data = correlated_pair(n_samples=200, correlation=0.8, seed=0)
Xc = data.X - data.X.mean(axis=0)
# the intercept is profiled out: D below is the loss at the best intercept
yc = data.y - data.y.mean()


def loss(w1, w2):
    """``D(w) = 1/(2n) ||y - X w||^2``, vectorised over arrays of ``w1`` and ``w2``."""
    w1, w2 = np.broadcast_arrays(
        np.asarray(w1, dtype=float), np.asarray(w2, dtype=float)
    )
    r = yc[:, None] - Xc[:, :1] * w1.ravel() - Xc[:, 1:] * w2.ravel()
    return (0.5 * np.mean(r**2, axis=0)).reshape(w1.shape)


# %%
# On the circle of radius 1.5 the loss has a minimum and a maximum (where the contours touch the circle
# from outside and inside).  For ``g = ||w||_2 - t`` the minimum's multiplier is ``-alpha`` of the
# penalty ``alpha ||w||_2`` with the same solution.
radius = 1.5
circle = lagrange.lp_ball(p=2.0, radius=radius)
points = lagrange.solve_all(loss, circle, starts=24, bounds=(-3.0, 3.0), seed=0)
for pt in points:
    print(
        f"{pt.kind:6s} at w = {np.round(pt.x, 4)}, multiplier {pt.multiplier:+.4f}, "
        f"loss {pt.value:.4f}"
    )

# %%
# Ridge's penalty is ``alpha/2 ||w||^2``, whose gradient at the minimum is ``alpha w``: so the ridge
# ``alpha`` with this solution is ``-multiplier / ||w||_2``, and lpnet's Ridge at that alpha lands on the
# same point.
best = points[0]
alpha = -best.multiplier / np.linalg.norm(best.x)
ridge = lpnet.Ridge(alpha=alpha).fit(data.X, data.y)
print(
    f"Ridge(alpha={alpha:.4f}).coef_ = {np.round(ridge.coef_, 4)}, "
    f"radius {np.linalg.norm(ridge.coef_):.4f}"
)

fig, axes = plt.subplots(1, 2, figsize=(12, 5.2))
lagrange.plot(loss, circle, points, ax=axes[0], bounds=(-3.0, 3.0))
axes[0].set_title("L2 ball, radius 1.5")
# p = 1.2: the ball is close to the Lasso's diamond, and the tangency point moves
# towards an axis
lagrange.plot(
    loss, lagrange.lp_ball(p=1.2, radius=radius), ax=axes[1], bounds=(-3.0, 3.0)
)
axes[1].set_title("L1.2 ball, radius 1.5")
fig.tight_layout()
plt.show()
