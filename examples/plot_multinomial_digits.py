"""
Multinomial logistic regression on the digits: which pixels matter
==================================================================

With ten classes, :class:`lpnet.LogisticRegression` fits the multinomial model, one coefficient row per
digit.  Two L1 structures are available:

* ``multinomial="ungrouped"`` penalizes every entry on its own: a pixel may be used for one digit and
  not for another;
* ``multinomial="grouped"`` penalizes each pixel's ten coefficients as one group: a pixel is used for
  every digit or for none, which selects pixels rather than entries.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from lpnet import LogisticRegression

X, y = load_digits(return_X_y=True)
X = X / 16.0
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, random_state=0, stratify=y
)

models = {}
for structure in ("ungrouped", "grouped"):
    clf = LogisticRegression(penalty="l1", alpha=2e-3, multinomial=structure).fit(
        X_train, y_train
    )
    models[structure] = clf
    used = np.any(clf.coef_ != 0, axis=0).sum()
    print(
        f"{structure:9s}: {np.count_nonzero(clf.coef_)} nonzero entries, "
        f"{used} of 64 pixels used, "
        f"test accuracy {clf.score(X_test, y_test):.3f}, "
        f"duality gap {clf.dual_gap_:.1e}"
    )

# %%
# At this alpha both fits use about the same pixels, but the ungrouped one spends a few digits on most
# of them, while the grouped one pays for each used pixel once and then lets every digit use it.
#
# The coefficient images of four digits (red: evidence for the digit, blue: against; white: exactly 0).
# The grouped fit switches the same pixels off for every digit.
digits = [0, 3, 7, 9]
fig, axes = plt.subplots(2, len(digits), figsize=(9, 5))
for row, (structure, clf) in enumerate(models.items()):
    scale = np.abs(clf.coef_).max()
    for ax, d in zip(axes[row], digits):
        ax.imshow(clf.coef_[d].reshape(8, 8), cmap="RdBu_r", vmin=-scale, vmax=scale)
        ax.set(xticks=[], yticks=[], title=f"digit {d}")
    axes[row, 0].set_ylabel(structure)
fig.tight_layout()
plt.show()
