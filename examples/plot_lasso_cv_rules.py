"""
Choosing alpha by cross-validation: the minimum and the one-standard-error rule
===============================================================================

:class:`lpnet.LassoCV` fits the whole path on every training fold and scores it on the held-out fold.
Two choices come out of the same curve:

* ``alpha_rule="min"``: the alpha with the smallest mean validation error;
* ``alpha_rule="1se"``: the largest alpha whose mean error is within one standard error of that
  minimum (glmnet's rule).  The curve is usually flat near its minimum, so this picks a sparser model
  that predicts about as well.

Both are kept in ``cv_results_``; only the refit on all the data depends on ``alpha_rule``.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import KFold

from lpnet import LassoCV
from lpnet.viz import plot_cv

# %%
# Sixty features, eight of which matter, and fewer samples than a comfortable least-squares fit needs.
rng = np.random.default_rng(0)
n_samples, n_features = 120, 60
X = rng.standard_normal((n_samples, n_features))
w_true = np.zeros(n_features)
w_true[:8] = rng.choice([-1.0, 1.0], size=8) * rng.uniform(0.5, 2.0, size=8)
y = X @ w_true + 1.5 * rng.standard_normal(n_samples)

folds = KFold(n_splits=10, shuffle=True, random_state=0)
cv_min = LassoCV(cv=folds, alpha_rule="min").fit(X, y)
cv_1se = LassoCV(cv=folds, alpha_rule="1se").fit(X, y)

# %%
# The one-standard-error model keeps fewer features, at a validation error within one standard error
# of the best.
X_test = rng.standard_normal((2000, n_features))
y_test = X_test @ w_true + 1.5 * rng.standard_normal(2000)
for name, model in (("min", cv_min), ("1se", cv_1se)):
    support = np.flatnonzero(model.coef_)
    false = np.setdiff1d(support, np.arange(8)).size
    mse = np.mean((y_test - model.predict(X_test)) ** 2)
    print(
        f"{name}: alpha = {model.alpha_:.3f}, "
        f"{support.size} nonzeros ({false} outside the true 8), "
        f"test MSE {mse:.2f}, duality gap {model.dual_gap_:.1e}"
    )

# %%
# The validation curve with its standard-error bars; the dashed line marks the minimum, the dotted
# line the one-standard-error choice.
ax = plot_cv(cv_min.cv_results_, loss="MSE")
ax.set_title("10-fold cross-validation of the Lasso")
plt.show()
