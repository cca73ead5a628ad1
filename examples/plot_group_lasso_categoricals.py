"""
Group lasso on one-hot encoded categorical features
===================================================

A categorical feature with ``k`` levels becomes ``k`` dummy columns.  The Lasso treats each dummy on its
own, so it may keep two levels of a variable and drop the others: a selection that says "this variable
matters" only in part.  The group lasso penalizes the Euclidean norm of each variable's block of
coefficients (weighted by ``sqrt(k)``), so a variable is kept or dropped as a whole, which is what "does
this variable matter?" asks.

Eight categorical variables with 3 to 8 levels; only the first three change the target.
"""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.model_selection import KFold
from sklearn.preprocessing import OneHotEncoder

import lpnet

rng = np.random.default_rng(0)
n_samples = 400
levels = [4, 6, 3, 8, 5, 7, 3, 6]
frame = pd.DataFrame(
    {f"v{i}": rng.integers(0, k, n_samples) for i, k in enumerate(levels)}
)
effects = [rng.normal(0.0, 1.0, k) for k in levels[:3]]
y = sum(
    effect[frame[f"v{i}"]] for i, effect in enumerate(effects)
) + rng.standard_normal(n_samples)

encoder = OneHotEncoder(sparse_output=False)
X = encoder.fit_transform(frame)
# one label per column: the variable it came from
groups = [name.split("_")[0] for name in encoder.get_feature_names_out()]

folds = KFold(5, shuffle=True, random_state=0)
group_cv = lpnet.GroupLassoCV(groups, cv=folds).fit(X, y)
lasso_cv = lpnet.LassoCV(cv=folds).fit(X, y)

# new data from the same model, to compare predictions
test = pd.DataFrame({f"v{i}": rng.integers(0, k, 5000) for i, k in enumerate(levels)})
y_test = sum(
    effect[test[f"v{i}"]] for i, effect in enumerate(effects)
) + rng.standard_normal(5000)
X_test = encoder.transform(test)
for name, model in (("Lasso", lasso_cv), ("group lasso", group_cv)):
    kept = []
    for i, k in enumerate(levels):
        nonzero = np.count_nonzero(model.coef_[np.array(groups) == f"v{i}"])
        if nonzero:
            kept.append(f"v{i} ({nonzero}/{k} levels)")
    mse = np.mean((y_test - model.predict(X_test)) ** 2)
    print(
        f"{name:11s}: {', '.join(kept)}; test MSE {mse:.3f}, "
        f"duality gap {model.dual_gap_:.1e}"
    )

# %%
# The coefficients, coloured by variable.  The group lasso's zeros come in whole blocks.
fig, axes = plt.subplots(2, 1, figsize=(10, 6), sharex=True)
colours = [f"C{int(g[1:])}" for g in groups]
for ax, model, title in (
    (axes[0], lasso_cv, "Lasso (cross-validated)"),
    (axes[1], group_cv, "group lasso (cross-validated)"),
):
    ax.bar(np.arange(len(groups)), model.coef_, color=colours)
    ax.axhline(0.0, color="0.5", lw=0.5)
    ax.set(title=title, ylabel="coefficient")
starts = np.cumsum([0, *levels])
axes[1].set_xticks(
    (starts[:-1] + starts[1:] - 1) / 2, [f"v{i}" for i in range(len(levels))]
)
axes[1].set_xlabel("dummy columns, grouped by variable (v0, v1, v2 matter)")
fig.tight_layout()
plt.show()
