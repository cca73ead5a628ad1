"""Shared problem generators for the solver tests (seeded, small)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def make_problem(
    n, p, kind="squared", *, sparse=False, density=0.4, seed=0, weights=True, zero_weight=False, correlated=False
):
    """Random (X, y, sample_weight) with X's values exactly representable in float32.

    ``kind`` "squared" gives a real target with an offset, "logistic" gives -1/+1 labels.
    """
    rng = np.random.default_rng(seed)
    if correlated:
        Z = rng.standard_normal((n, max(2, p // 4)))
        X = Z @ rng.standard_normal((Z.shape[1], p)) + 0.05 * rng.standard_normal((n, p))
    else:
        X = rng.standard_normal((n, p))
    if sparse:
        mask = rng.random((n, p)) < density
        # keep every column non-empty
        mask[rng.integers(0, n, size=p), np.arange(p)] = True
        X = X * mask
    X = X.astype(np.float32).astype(np.float64)
    k = min(p, 4)
    w_true = np.zeros(p)
    w_true[:k] = rng.choice([-1.0, 1.0], k) * rng.uniform(0.5, 2.0, k)
    z = X @ w_true
    if kind == "squared":
        y = z + 0.7 + 0.5 * rng.standard_normal(n)
    else:
        y = np.where(z + 0.3 + 0.8 * rng.standard_normal(n) > 0, 1.0, -1.0)
        if np.all(y == y[0]):
            y[0] = -y[0]
    s = rng.uniform(0.2, 3.0, n) if weights else None
    if weights and zero_weight:
        s[rng.integers(0, n)] = 0.0
    if sparse:
        X = sp.csc_matrix(X)
    return X, y, s
