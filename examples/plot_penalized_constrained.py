"""
Penalized and constrained Lasso: the multiplier is alpha
========================================================

The Lasso can be written two ways:

* penalized: ``minimize D(w, b) + alpha ||w||_1``;
* constrained: ``minimize D(w, b)`` subject to ``||w||_1 <= t``.

For every radius ``t`` below the least-squares norm, the constraint binds and its Lagrange multiplier
``lambda(t)`` is exactly the ``alpha`` whose penalized solution has ``||w||_1 = t``.
:class:`lpnet.ConstrainedRegression` solves the constrained form and reports that multiplier
(``multiplier_``, in the penalty's units); the multiplier is also the price of the constraint: loosening
the radius by ``dt`` lowers the optimal loss by about ``lambda dt``.
"""

import matplotlib.pyplot as plt
import numpy as np

import lpnet
from lpnet.datasets import load_diabetes

data = load_diabetes(standardized=True)
X, y = data.X, data.y

# %%
# The penalized path gives the radius ``||w(alpha)||_1`` of every alpha.
path = lpnet.regularization_path(X, y, penalty="l1", n_alphas=80)

# %%
# The constrained fits at a few radii, and the penalized fit at each reported multiplier.  The price of
# the constraint is checked by central differences: the optimal loss at ``t - h`` and ``t + h``.
radii = np.linspace(5.0, 0.95 * path.radius.max(), 8)
h = 0.25


def optimal_loss(t):
    """``D`` at the solution of the constrained problem of radius ``t``."""
    fit = lpnet.ConstrainedRegression(radius=t, p=1.0).fit(X, y)
    return 0.5 * np.mean((y - fit.predict(X)) ** 2)


multipliers, losses = [], []
for t in radii:
    con = lpnet.ConstrainedRegression(radius=t, p=1.0).fit(X, y)
    pen = lpnet.Lasso(alpha=con.multiplier_).fit(X, y)
    slope = (optimal_loss(t + h) - optimal_loss(t - h)) / (2 * h)
    multipliers.append(con.multiplier_)
    losses.append(0.5 * np.mean((y - con.predict(X)) ** 2))
    difference = np.abs(con.coef_ - pen.coef_).max()
    print(
        f"t = {t:6.1f}: multiplier {con.multiplier_:7.3f}, -dD/dt {-slope:7.3f}, "
        f"max |w_constrained - w_Lasso(multiplier)| = {difference:.0e}"
    )

# %%
# The coefficients agree to the solvers' tolerance (both fits are certified to a duality gap of
# ``1e-6`` of the null objective; coefficients are pinned to about the square root of that).
# ``lpnet.alpha_for_radius`` answers the same question without the estimator.
print("alpha_for_radius:", np.round(lpnet.alpha_for_radius(X, y, radii), 3))

fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
axes[0].plot(
    path.radius,
    path.alphas,
    color="C0",
    label="penalized path: (||w(alpha)||_1, alpha)",
)
axes[0].plot(
    radii, multipliers, "o", color="C3", label="constrained fits: (t, multiplier_)"
)
axes[0].set(xlabel="radius t = ||w||_1", ylabel="alpha = multiplier", yscale="log")
axes[0].legend()
axes[1].plot(radii, losses, "o-", color="C3")
axes[1].set(
    xlabel="radius t",
    ylabel="optimal loss D(w(t))",
    title="its slope is minus the multiplier",
)
fig.tight_layout()
plt.show()
