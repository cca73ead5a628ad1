"""
Sparse Cox regression on a survival data set
============================================

The Worcester Heart Attack Study data bundled with scikit-survival (500 patients, time to death or end
of follow-up) and :class:`lpnet.CoxRegression`: the Cox partial likelihood with an L1 penalty.  The
coefficients are log hazard ratios; ``score`` is Harrell's concordance index; the fit is certified by its
optimality (KKT) violation, since the partial likelihood has no closed-form conjugate for a duality gap.
"""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.model_selection import KFold
from sksurv.datasets import load_whas500
from sksurv.nonparametric import kaplan_meier_estimator

import lpnet
from lpnet.viz import plot_path

X, y = load_whas500()  # y: structured array of (event, time)
X = X.astype(float)  # its categorical columns are 0/1 codes
X = (X - X.mean()) / X.std()

cv = lpnet.CoxRegressionCV(
    cv=KFold(5, shuffle=True, random_state=0), alpha_rule="min"
).fit(X, y)
print(f"alpha = {cv.alpha_:.4f}, optimality violation {cv.optimality_violation_:.1e}")
print(f"concordance index on the data: {cv.score(X, y):.3f}")
hazard = pd.Series(
    cv.coef_, index=X.columns, name="log hazard ratio per standard deviation"
)
print(hazard[hazard != 0].sort_values(key=np.abs, ascending=False).round(3))

# %%
# The path of log hazard ratios, and the survival curves of the patients the model puts in the lower
# and upper half of predicted risk (Kaplan-Meier estimates).
path = lpnet.regularization_path(
    X, y, penalty="l1", datafit="cox", n_alphas=50, eps=1e-2
)
risk = cv.predict(X)
fig, axes = plt.subplots(
    1, 2, figsize=(13, 4.5), gridspec_kw={"width_ratios": [1.4, 1.0]}
)
plot_path(path, ax=axes[0])
axes[0].set_title("L1 Cox path")
for label, members in (
    ("lower half of risk", risk <= np.median(risk)),
    ("upper half of risk", risk > np.median(risk)),
):
    time, survival = kaplan_meier_estimator(y["fstat"][members], y["lenfol"][members])
    axes[1].step(time, survival, where="post", label=label)
axes[1].set(
    xlabel="days since admission",
    ylabel="estimated survival",
    title="Kaplan-Meier by predicted risk",
)
axes[1].legend()
fig.tight_layout()
plt.show()
