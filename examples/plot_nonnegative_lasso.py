"""
Non-negative Lasso: unmixing a spectrum
=======================================

Some coefficients cannot be negative: amounts, concentrations, intensities.  ``positive=True`` (or
``lower_bounds=0``) restricts the Lasso to ``w >= 0``; the duality gap then certifies the boxed problem.

A measured spectrum is a sum of a few reference spectra (peaks) plus noise.  The unconstrained Lasso
fits negative amounts to explain the noise with overlapping peaks; the non-negative Lasso does not.
"""

import matplotlib.pyplot as plt
import numpy as np

from lpnet import Lasso

rng = np.random.default_rng(0)
grid = np.linspace(0.0, 1.0, 300)
centres = np.linspace(0.02, 0.98, 50)
# a library of 50 overlapping Gaussian peaks: the columns of X
X = np.exp(-0.5 * ((grid[:, None] - centres[None, :]) / 0.03) ** 2)
amounts = np.zeros(50)
amounts[[8, 20, 23, 40]] = [1.0, 0.6, 0.8, 0.4]
y = X @ amounts + 0.05 * rng.standard_normal(grid.size)

free = Lasso(alpha=1e-4, fit_intercept=False, max_iter=10_000).fit(X, y)
nonneg = Lasso(alpha=1e-4, fit_intercept=False, positive=True, max_iter=10_000).fit(
    X, y
)
for name, model in (("Lasso", free), ("non-negative Lasso", nonneg)):
    print(
        f"{name:19s}: {np.count_nonzero(model.coef_):2d} peaks, "
        f"smallest amount {model.coef_.min():+.3f}, "
        f"duality gap {model.dual_gap_:.1e}"
    )

# %%
# True amounts against the two fits.
fig, axes = plt.subplots(2, 1, figsize=(9, 6.5))
axes[0].plot(grid, y, color="0.5", lw=1, label="measured spectrum")
axes[0].plot(grid, X @ nonneg.coef_, color="C2", label="non-negative fit")
axes[0].set(xlabel="wavelength (arbitrary units)", ylabel="intensity")
axes[0].legend()
width = 0.006
axes[1].bar(centres - width, amounts, width=width, color="k", label="true amounts")
axes[1].bar(centres, free.coef_, width=width, color="C3", label="Lasso")
axes[1].bar(
    centres + width, nonneg.coef_, width=width, color="C2", label="non-negative Lasso"
)
axes[1].axhline(0.0, color="0.5", lw=0.5)
axes[1].set(xlabel="peak centre", ylabel="amount")
axes[1].legend()
fig.tight_layout()
plt.show()
