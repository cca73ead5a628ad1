"""
Counts with exposure: sparse Poisson regression
===============================================

Claim counts, visits, defects: counts whose rate depends on a few of many features, observed over
different exposures (policy years, hours).  :class:`lpnet.PoissonRegression` fits the log-linear rate
``E[y] = exposure * exp(x.w + b)`` with the exposure as an ``offset = log(exposure)``: a term of the
linear predictor whose coefficient is fixed at 1.  The L1 penalty selects the features; the fit is
certified by the Poisson duality gap.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import KFold

from lpnet import PoissonRegression, PoissonRegressionCV
from lpnet.viz import plot_cv

rng = np.random.default_rng(0)
n_samples, n_features = 1000, 30
X = rng.standard_normal((n_samples, n_features))
w_true = np.zeros(n_features)
w_true[:4] = [0.5, -0.4, 0.3, 0.2]
exposure = rng.uniform(0.2, 3.0, n_samples)
y = rng.poisson(exposure * np.exp(-0.5 + X @ w_true))

cv = PoissonRegressionCV(
    cv=KFold(5, shuffle=True, random_state=0), alpha_rule="1se"
).fit(X, y, offset=np.log(exposure))
print(f"alpha = {cv.alpha_:.4f}; features kept: {np.flatnonzero(cv.coef_)}")
# the score is D^2, the fraction of the deviance explained
explained = cv.score(X, y, offset=np.log(exposure))
print(
    f"intercept {cv.intercept_:.2f} (true -0.5); deviance explained on the data: "
    f"{explained:.3f}"
)

# %%
# Without the offset the model has to explain the exposure with the features it has, and cannot: its
# predicted counts ignore how long each unit was observed.
plain = PoissonRegression(alpha=cv.alpha_).fit(X, y)
with_offset = PoissonRegression(alpha=cv.alpha_).fit(X, y, offset=np.log(exposure))
print(
    f"duality gaps: {plain.dual_gap_:.1e} without, "
    f"{with_offset.dual_gap_:.1e} with the offset"
)

fig, axes = plt.subplots(2, 1, figsize=(9, 8))
plot_cv(cv.cv_results_, ax=axes[0], loss="Poisson deviance")
axes[0].set_title("5-fold cross-validation")
expected = exposure * np.exp(-0.5 + X @ w_true)
axes[1].scatter(
    expected, plain.predict(X), s=6, alpha=0.5, color="C1", label="without the offset"
)
axes[1].scatter(
    expected,
    with_offset.predict(X, offset=np.log(exposure)),
    s=6,
    color="C0",
    label="with the offset",
)
axes[1].plot([0, expected.max()], [0, expected.max()], color="k", lw=1)
axes[1].set(
    xlabel="true expected count",
    ylabel="predicted count",
    title="predictions on the training data",
)
axes[1].legend()
fig.tight_layout()
plt.show()
