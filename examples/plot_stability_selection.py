"""
Stability selection
===================

A single Lasso fit answers "which features?" for one alpha and one sample.  Stability selection asks
how often each feature is selected when the Lasso is refitted on many random halves of the data, at
every alpha of a grid.  Features that matter are selected on most halves over a wide range of alpha;
noise features come and go.  :func:`lpnet.stability_selection` returns the frequencies; a feature is
kept when its largest frequency reaches a threshold (0.6 here).
"""

import matplotlib.pyplot as plt
import numpy as np

from lpnet import stability_selection

rng = np.random.default_rng(0)
n_samples, n_features = 150, 40
# neighbouring features are correlated (0.5 ** distance),
# which makes a single Lasso fit unstable
cov = 0.5 ** np.abs(np.subtract.outer(np.arange(n_features), np.arange(n_features)))
X = rng.standard_normal((n_samples, n_features)) @ np.linalg.cholesky(cov).T
w_true = np.zeros(n_features)
w_true[[0, 5, 10, 15, 20]] = [1.5, -1.0, 1.0, -0.8, 0.8]
y = X @ w_true + rng.standard_normal(n_samples)

# the grid stops at a tenth of alpha_max: far below it,
# nearly every feature enters on every half-sample
stability = stability_selection(
    X, y, penalty="l1", n_subsamples=100, n_alphas=20, eps=0.1, random_state=0
)
print("selected:", stability.selected(threshold=0.6))
print("true support:", [f"x{j}" for j in np.flatnonzero(w_true)])

# %%
# Selection frequency against alpha.  The true features rise to frequency 1 while most noise features
# stay low; a noise feature that crosses the threshold is typically a close neighbour (correlation 0.5)
# of the strongest true feature.
ax = stability.plot(threshold=0.6)
ax.set_title("Stability selection, 100 half-samples")
plt.show()
