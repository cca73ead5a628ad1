"""
What the duality gap promises, checked by hand
==============================================

Every convex fit in lpnet reports ``dual_gap_``: the objective at the returned coefficients minus the
value of a dual point built from them.  Duality says every dual value is a lower bound on the optimum,
so ``objective_ - dual_gap_ <= F* <= objective_``: the gap bounds how far the fit can be from the best
possible objective, without knowing the optimum.

This example recomputes the Lasso's gap from ``coef_`` and ``intercept_`` with a few lines of numpy,
then checks the promise against a reference solution solved far more tightly.
"""

import matplotlib.pyplot as plt
import numpy as np

from lpnet import Lasso

rng = np.random.default_rng(0)
n_samples, n_features = 200, 100
X = rng.standard_normal((n_samples, n_features))
w_true = np.zeros(n_features)
w_true[:10] = rng.standard_normal(10)
y = X @ w_true + rng.standard_normal(n_samples) + 3.0
alpha = 0.05


def primal(w, b):
    """``F(w, b) = 1/(2n) ||y - X w - b||^2 + alpha ||w||_1``."""
    return 0.5 * np.mean((y - X @ w - b) ** 2) + alpha * np.abs(w).sum()


def gap(w, b):
    """The Lasso's duality gap at ``(w, b)``, from a dual point made of the residual.

    The dual of the Lasso with an intercept is
    ``max 1/(2n) ||y_c||^2 - n/2 ||y_c / n - theta||^2`` over ``theta`` with
    ``sum theta = 0`` and ``||X^T theta||_inf <= alpha`` (``y_c``: centred ``y``).
    The residual divided by ``n``, centred and scaled into that box, is such a point.
    """
    theta = (y - X @ w - b) / n_samples
    theta -= theta.mean()
    theta *= min(1.0, alpha / np.abs(X.T @ theta).max())
    yc = y - y.mean()
    dual = 0.5 * np.mean(yc**2) - 0.5 * n_samples * np.sum(
        (yc / n_samples - theta) ** 2
    )
    return primal(w, b) - dual


reference = Lasso(alpha=alpha, tol=1e-12, max_iter=10_000).fit(X, y)
f_star = primal(reference.coef_, reference.intercept_)

# %%
# Loose to tight tolerances: the reported gap, the gap recomputed here, and the true distance to the
# optimum, which the gap always bounds.
tols = np.logspace(-1, -10, 10)
reported, recomputed, distance = [], [], []
for tol in tols:
    model = Lasso(alpha=alpha, tol=tol).fit(X, y)
    reported.append(model.dual_gap_)
    recomputed.append(gap(model.coef_, model.intercept_))
    distance.append(primal(model.coef_, model.intercept_) - f_star)
    print(
        f"tol {tol:.0e}: reported gap {reported[-1]:.2e}, "
        f"recomputed {recomputed[-1]:.2e}, F - F* = {distance[-1]:.2e}"
    )

# %%
# The recomputed gap equals the reported one until rounding takes over: lpnet adds a bound on the
# gap's own floating-point error, so its gap is never smaller than the truth, only a little larger.
fig, ax = plt.subplots(figsize=(7, 4.5))
ax.loglog(tols, reported, "o-", label="dual_gap_ (reported)")
ax.loglog(tols, recomputed, "x--", label="gap recomputed with numpy")
ax.loglog(
    tols, np.maximum(distance, 1e-17), "s:", label="F(w, b) - F* (true suboptimality)"
)
ax.invert_xaxis()
ax.set(
    xlabel="tol (relative to the null model's objective)",
    ylabel="objective units",
    title="the gap bounds the error",
)
ax.legend()
plt.show()
