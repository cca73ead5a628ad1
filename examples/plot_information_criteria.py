"""
Choosing alpha without cross-validation: AIC and BIC
====================================================

When the samples clearly outnumber the features, an information criterion chooses alpha from one path
instead of K of them.  :class:`lpnet.LassoIC` scores every alpha of the path by

``n log(2 pi sigma^2) + RSS(alpha) / sigma^2 + K df(alpha)``,

with ``df`` the number of nonzero coefficients (an unbiased estimate of the Lasso's degrees of
freedom), ``K = 2`` for AIC and ``log n`` for BIC, and ``sigma^2`` estimated from the least-squares fit.
BIC's heavier price per feature picks a sparser model.  Here both are compared with 10-fold
cross-validation, on 300 samples with 8 true features of decreasing strength among 30.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import KFold

from lpnet import LassoCV, LassoIC

rng = np.random.default_rng(0)
n_samples, n_features = 300, 30
X = rng.standard_normal((n_samples, n_features))
w_true = np.zeros(n_features)
w_true[:8] = [2.0, -1.5, 1.0, 0.8, 0.5, -0.4, 0.3, 0.2]
y = X @ w_true + 2.0 * rng.standard_normal(n_samples)

aic = LassoIC(criterion="aic").fit(X, y)
bic = LassoIC(criterion="bic").fit(X, y)
cv = LassoCV(cv=KFold(10, shuffle=True, random_state=0)).fit(X, y)
for name, model in (("AIC", aic), ("BIC", bic), ("10-fold CV", cv)):
    support = np.flatnonzero(model.coef_)
    false = np.setdiff1d(support, np.arange(8)).size
    print(
        f"{name:10s}: alpha = {model.alpha_:.3f}, "
        f"{support.size} features ({false} outside the true 8)"
    )

# %%
# The two criteria along the path (shifted to start at 0), with the chosen alphas.
fig, ax = plt.subplots(figsize=(8, 4.5))
for name, model, colour in (("AIC", aic, "C0"), ("BIC", bic, "C1")):
    ax.plot(
        model.alphas_,
        model.criterion_ - model.criterion_.min(),
        color=colour,
        label=name,
    )
    ax.axvline(model.alpha_, color=colour, ls="--", lw=1)
ax.axvline(cv.alpha_, color="k", ls=":", lw=1, label="10-fold CV (min)")
ax.set(
    xscale="log", xlabel="alpha", ylabel="criterion minus its minimum", ylim=(-2, 60)
)
ax.invert_xaxis()  # strong penalty on the left, as in lpnet's other plots
ax.legend()
plt.show()
