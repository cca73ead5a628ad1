"""
MCP and SCAD: sparse like the Lasso, without shrinking large coefficients
=========================================================================

The Lasso pays for sparsity with bias: every kept coefficient is pulled towards zero by ``alpha``.
MCP and SCAD start as the Lasso (the same slope ``alpha`` at 0, so the same ``alpha_max``) but flatten
out, so that large coefficients are left alone.  The price is non-convexity; lpnet certifies these fits
by their optimality violation.

Each penalty has a proximal operator, the one-dimensional fit that coordinate descent repeats:
soft-thresholding for the Lasso, "firm" thresholding for MCP, and SCAD's piecewise rule in between.
"""

import matplotlib.pyplot as plt
import numpy as np

from lpnet import Lasso, RegularizedModel
from lpnet.penalties import L1, MCP, SCAD

alpha = 1.0
penalties = {
    "Lasso (L1)": L1(alpha),
    "MCP, gamma = 3": MCP(alpha, gamma=3.0),
    "SCAD, a = 3.7": SCAD(alpha, a=3.7),
}

# %%
# The penalties and their thresholding rules, applied coordinate by coordinate.
z = np.linspace(-6.0, 6.0, 601)
fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
for name, pen in penalties.items():
    axes[0].plot(z, [pen.value(np.array([v])) for v in z], label=name)
    axes[1].plot(z, pen.prox(z, 1.0), label=name)
axes[1].plot(z, z, color="0.7", lw=0.8, ls="--", label="no penalty")
axes[0].set(xlabel="w", ylabel="P(w)", title="penalty, alpha = 1")
axes[1].set(xlabel="z", ylabel="prox(z)", title="thresholding rule (step 1)")
axes[1].legend()
fig.tight_layout()

# %%
# A sparse regression with a few large coefficients.  At the same alpha the three penalties select the
# same features here, but the Lasso's estimates are biased towards zero by about alpha, MCP's and
# SCAD's are not.
rng = np.random.default_rng(0)
n_samples, n_features = 200, 50
X = rng.standard_normal((n_samples, n_features))
w_true = np.zeros(n_features)
w_true[:5] = [3.0, -2.5, 2.0, -1.5, 1.0]
y = X @ w_true + rng.standard_normal(n_samples)

fits = {"Lasso (L1)": Lasso(alpha=0.3).fit(X, y)}
fits["MCP, gamma = 3"] = RegularizedModel(penalty=MCP(0.3, gamma=3.0)).fit(X, y)
fits["SCAD, a = 3.7"] = RegularizedModel(penalty=SCAD(0.3, a=3.7)).fit(X, y)
for name, model in fits.items():
    if model.dual_gap_ is not None:
        certificate = f"duality gap {model.dual_gap_:.1e}"
    else:
        certificate = f"optimality violation {model.optimality_violation_:.1e}"
    print(
        f"{name:15s}: {np.count_nonzero(model.coef_):2d} nonzeros, "
        f"error on the true ones {np.abs(model.coef_[:5] - w_true[:5]).max():.3f}, "
        f"{certificate}"
    )

fig, ax = plt.subplots(figsize=(8, 4))
width = 0.2
ax.bar(np.arange(8) - 1.5 * width, w_true[:8], width=width, color="k", label="true")
for k, (name, model) in enumerate(fits.items()):
    ax.bar(np.arange(8) + (k - 0.5) * width, model.coef_[:8], width=width, label=name)
ax.axhline(0.0, color="0.5", lw=0.5)
ax.set(xlabel="feature (the first 8 of 50)", ylabel="coefficient", title="alpha = 0.3")
ax.legend()
plt.show()
