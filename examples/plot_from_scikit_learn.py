"""
Coming from scikit-learn: the same models, converted strengths
==============================================================

lpnet's ``alpha`` multiplies a penalty added to a *mean* loss.  scikit-learn's ``Lasso`` and
``ElasticNet`` use the same convention, so their ``alpha`` carries over unchanged, but its ``Ridge``
sums the squared errors (``alpha_lpnet = alpha_sklearn / n``) and its ``LogisticRegression`` puts ``C``
on the summed loss (``alpha_lpnet = 1 / (n C)``).  :func:`lpnet.convert` does these conversions (and
glmnet's, PyTorch's and Keras's).

This example sweeps scikit-learn's strengths, converts each one, and draws both libraries' coefficients
on top of each other: lines for scikit-learn, dots for lpnet.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression as SklearnLogisticRegression
from sklearn.linear_model import Ridge as SklearnRidge

import lpnet
from lpnet.datasets import load_breast_cancer, load_diabetes

diabetes = load_diabetes(standardized=True)
cancer = load_breast_cancer(standardized=True)
X_cancer = cancer.X[:, :8]  # the first eight measurements keep the picture readable

ridge_alphas = np.logspace(-1, 5, 13)
Cs = np.logspace(-3, 1, 13)
sk_ridge, lp_ridge, sk_logistic, lp_logistic, bounds = [], [], [], [], []
for a in ridge_alphas:
    sk_ridge.append(SklearnRidge(alpha=a).fit(diabetes.X, diabetes.y).coef_)
    alpha = lpnet.convert(a, "sklearn_ridge_alpha", "alpha", n_samples=len(diabetes.y))
    lp_ridge.append(lpnet.Ridge(alpha=alpha).fit(diabetes.X, diabetes.y).coef_)
for C in Cs:
    sk_logistic.append(
        SklearnLogisticRegression(C=C, tol=1e-10, max_iter=10_000)
        .fit(X_cancer, cancer.y)
        .coef_[0]
    )
    alpha = lpnet.convert(C, "sklearn_C", "alpha", n_samples=len(cancer.y))
    model = lpnet.LogisticRegression(penalty="l2", alpha=alpha, tol=1e-10).fit(
        X_cancer, cancer.y
    )
    lp_logistic.append(model.coef_[0])
    bounds.append(model.coef_error_bound_)

print(
    "Ridge: "
    f"largest difference {np.abs(np.array(sk_ridge) - np.array(lp_ridge)).max():.1e}"
)
# %%
# With an L2 penalty lpnet certifies the coefficients themselves: ``coef_error_bound_`` bounds the
# Euclidean distance to the exact solution.  The differences to scikit-learn stay below it.
distances = np.linalg.norm(np.array(sk_logistic) - np.array(lp_logistic), axis=1)
for C, distance, bound in zip(Cs[::3], distances[::3], bounds[::3]):
    print(
        f"LogisticRegression C = {C:7.3f}: distance to scikit-learn {distance:.1e}, "
        f"certified bound {bound:.1e}"
    )
print(
    "e.g. C = 0.1 on 569 samples is alpha =",
    lpnet.convert(0.1, "sklearn_C", "alpha", n_samples=569),
)

# %%
# Lines (scikit-learn) and dots (lpnet at the converted alpha) coincide.
fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
axes[0].plot(ridge_alphas, sk_ridge, lw=1)
axes[0].set_prop_cycle(None)
axes[0].plot(ridge_alphas, lp_ridge, "o", ms=4)
axes[0].set(
    xscale="log",
    xlabel="scikit-learn Ridge alpha",
    ylabel="coefficient",
    title="Ridge, diabetes",
)
axes[1].plot(Cs, sk_logistic, lw=1)
axes[1].set_prop_cycle(None)
axes[1].plot(Cs, lp_logistic, "o", ms=4)
axes[1].set(
    xscale="log", xlabel="scikit-learn C", title="L2 logistic regression, breast cancer"
)
fig.tight_layout()
plt.show()
