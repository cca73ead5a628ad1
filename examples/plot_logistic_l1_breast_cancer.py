"""
Sparse logistic regression on the breast cancer data
====================================================

An L1 penalty on the logistic loss selects a few of the 30 tumour measurements.  lpnet's ``alpha``
multiplies a *mean* loss, so it is scikit-learn's ``C`` through ``alpha = 1 / (n C)``; the two libraries
then solve the same problem, and lpnet adds the duality gap that certifies it.
"""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression as SklearnLogisticRegression
from sklearn.model_selection import StratifiedKFold

import lpnet
from lpnet.datasets import load_breast_cancer
from lpnet.viz import plot_cv, plot_path

data = load_breast_cancer(standardized=True)
X = pd.DataFrame(data.X, columns=data.feature_names)
y = data.y  # 1 benign, 0 malignant

# %%
# One fit, and the same problem solved by scikit-learn at ``C = 1 / (n alpha)``.
alpha = 0.02
clf = lpnet.LogisticRegression(penalty="l1", alpha=alpha).fit(X, y)
C = 1.0 / (len(y) * alpha)
ref = SklearnLogisticRegression(
    l1_ratio=1.0, C=C, solver="saga", tol=1e-10, max_iter=100_000, random_state=0
)
ref.fit(X, y)
print(
    f"{np.count_nonzero(clf.coef_)} of 30 features kept; "
    f"duality gap {clf.dual_gap_:.1e}"
)
print(
    "largest difference to scikit-learn's coefficients:",
    f"{np.abs(clf.coef_ - ref.coef_).max():.1e}",
)
print(clf.coef_table().query("not is_zero").round(3))

# %%
# The whole path (log-loss plus L1), and a stratified 10-fold cross-validation of alpha.
path = lpnet.regularization_path(
    X, y, penalty="l1", datafit="logistic", n_alphas=60, eps=1e-3
)
cv = lpnet.LogisticRegressionCV(
    penalty="l1", cv=StratifiedKFold(10, shuffle=True, random_state=0), alpha_rule="1se"
).fit(X, y)
print(
    f"cross-validated alpha (1se rule): {cv.alpha_:.4f}, "
    f"{np.count_nonzero(cv.coef_)} features"
)

fig, axes = plt.subplots(2, 1, figsize=(9, 8))
plot_path(path, ax=axes[0])
axes[0].set_title("L1 logistic path, breast cancer data")
plot_cv(cv.cv_results_, ax=axes[1], loss="log-loss")
fig.tight_layout()
plt.show()
