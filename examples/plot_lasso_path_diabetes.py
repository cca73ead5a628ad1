"""
The Lasso path on the diabetes data, and the order in which features enter
==========================================================================

The Lasso keeps a feature only when its covariance with the residual, ``|x_j . r| / n``, reaches
``alpha``.  Starting at ``alpha_max`` (every coefficient zero) and lowering ``alpha`` step by step,
features enter the model one after another, and the order tells which ones carry the most information
given those already in.

:func:`lpnet.regularization_path` computes the whole path with warm starts; every point of it is
certified by its own duality gap.
"""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import lpnet
from lpnet.datasets import load_diabetes
from lpnet.viz import plot_path

# %%
# Ten standardized features, the target in its own units (disease progression after one year).
data = load_diabetes(standardized=True)
# the column names of a DataFrame label the curves
X = pd.DataFrame(data.X, columns=data.feature_names)
y = data.y
# a fine grid, so that features entering close together are told apart
path = lpnet.regularization_path(X, y, penalty="l1", n_alphas=400)
print(
    f"alpha_max = {path.alpha_max:.2f}, the same as lpnet.alpha_max: "
    f"{lpnet.alpha_max(X, y):.2f}"
)
print(
    f"largest duality gap along the path: {path.dual_gaps.max():.2e}, "
    f"at most {(path.dual_gaps / path.objectives).max():.1e} of the objective"
)

# %%
# The entry order: for each feature, the largest alpha at which its coefficient is nonzero.
entered = {}
for alpha, coef in zip(path.alphas, path.coefs):
    for j in np.flatnonzero(coef):
        entered.setdefault(data.feature_names[j], alpha)
for rank, (name, alpha) in enumerate(
    sorted(entered.items(), key=lambda item: -item[1]), start=1
):
    print(f"{rank:2d}. {name:4s} enters at alpha = {alpha:7.2f}")

# %%
# The path itself: strong penalty on the left, least squares on the right.  The top axis counts the
# nonzero coefficients.
ax = plot_path(path)
ax.set_title("Lasso path, diabetes data")
plt.show()
