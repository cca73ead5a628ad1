"""Seeded problems for the path / cross-validation benchmark.

Full size (``--quick`` size in brackets):

* ``toeplitz``: dense 500 x 5000 [100 x 1000], columns correlated ``rho^|i-j|`` (rho = 0.6), 20 true
  nonzeros [10], ``y = X w + 2 + noise`` at signal-to-noise 3 (in norm).
* ``tfidf``: sparse CSC 5000 x 50000 [1000 x 5000], density about 1e-3 [5e-3]; column document
  frequencies follow a Zipf law (column k drawn with probability proportional to ``1/(k+10)^1.1``),
  entries ``(1 + log tf) * log(n / df)``, every row scaled to unit Euclidean norm; 20 true nonzeros among
  the 2000 most frequent columns, SNR 3.
* ``tall``: dense 20000 x 200 [2000 x 50], Toeplitz rho = 0.6, 20 true nonzeros [10], SNR 3.
* ``logistic``: dense 500 x 5000 [100 x 1000], Toeplitz rho = 0.6, labels ``+-1`` drawn from a sparse
  logistic model (20 nonzeros [10], intercept 0.5, linear predictor scaled to standard deviation 2).

Each :class:`Problem` carries ``alpha_max`` (with an intercept: ``||X^T grad||_inf`` at the intercept-only
model, for the Lasso; divide by ``l1_ratio`` for the Elastic Net) and ``f_null`` (the objective of that
intercept-only model: ``||y - mean(y)||^2 / (2n)`` for squared loss, the binary entropy of the positive
fraction for the logistic loss).  Dense ``X`` is Fortran-ordered.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

SEED = 0
SEED_STRIDE = 10
RHO = 0.6
SNR = 3.0
INTERCEPT = 2.0


def _load_base():
    """The single-fit benchmark's ``problems.py`` (its Toeplitz generator is reused)."""
    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location("_single_fit_problems", os.path.join(here, "..", "problems.py"))
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


_base = _load_base()


@dataclass
class Problem:
    name: str
    description: str
    X: object
    y: np.ndarray
    datafit: str = "squared"  # or "logistic" (y in {-1, +1})
    w_true: np.ndarray = field(default=None, repr=False)

    def __post_init__(self):
        n = self.X.shape[0]
        if self.datafit == "squared":
            yc = self.y - self.y.mean()
            self.alpha_max = float(np.max(np.abs(np.asarray(self.X.T @ yc).ravel()))) / n
            self.f_null = float(yc @ yc) / (2 * n)
        else:
            pi = float(np.mean(self.y > 0))
            # null model: sigma(b0) = pi; gradient of the loss w.r.t. z_i is -y_i sigma(-y_i b0) / n
            g = np.where(self.y > 0, -(1 - pi), pi) / n
            self.alpha_max = float(np.max(np.abs(np.asarray(self.X.T @ g).ravel())))
            self.f_null = float(-(pi * np.log(pi) + (1 - pi) * np.log(1 - pi)))

    @property
    def shape(self):
        return self.X.shape

    @property
    def is_sparse(self):
        return sp.issparse(self.X)


def _response(X, w, rng):
    signal = np.asarray(X @ w).ravel()
    noise = rng.standard_normal(X.shape[0])
    noise *= np.linalg.norm(signal) / (SNR * np.linalg.norm(noise))
    return signal + INTERCEPT + noise


def toeplitz(n=500, p=5000, k=20, seed=SEED, name="toeplitz"):
    base = _base.toeplitz_problem(n, p, rho=RHO, n_nonzero=k, seed=seed)
    return Problem(
        name, f"dense {n}x{p}, Toeplitz rho={RHO}, {k} nonzeros, SNR {SNR:g}", base.X, base.y, w_true=base.w_true
    )


def tall(n=20000, p=200, k=20, seed=SEED + 1):
    pb = toeplitz(n, p, k, seed, name="tall")
    return pb


def tfidf(n=5000, p=50000, density=1e-3, k=20, seed=SEED + 2):
    rng = np.random.default_rng(seed)
    weights = 1.0 / (np.arange(p) + 10.0) ** 1.1
    weights /= weights.sum()
    per_row = np.maximum(1, rng.poisson(density * p, size=n))
    rows = np.repeat(np.arange(n), per_row)
    cols = rng.choice(p, size=rows.size, p=weights)
    counts = sp.coo_matrix((np.ones(rows.size), (rows, cols)), shape=(n, p)).tocsr()
    counts.sum_duplicates()
    df = np.bincount(counts.indices, minlength=p)
    idf = np.log(n / np.maximum(df, 1)) + 1.0
    counts.data = (1.0 + np.log(counts.data)) * idf[counts.indices]
    norms = np.sqrt(np.asarray(counts.multiply(counts).sum(axis=1)).ravel())
    X = sp.diags(1.0 / np.maximum(norms, 1e-300)) @ counts
    X = sp.csc_matrix(X)
    X.sort_indices()
    w = np.zeros(p)
    support = rng.choice(min(2000, p), size=k, replace=False)
    w[support] = rng.choice([-1.0, 1.0], size=k) * rng.uniform(1.0, 2.0, size=k)
    dens = X.nnz / (n * p)
    return Problem(
        "tfidf", f"sparse CSC {n}x{p}, density {dens:.1e}, Zipf columns, unit rows", X, _response(X, w, rng), w_true=w
    )


def logistic(n=500, p=5000, k=20, seed=SEED + 3):
    base = _base.toeplitz_problem(n, p, rho=RHO, n_nonzero=k, seed=seed)
    rng = np.random.default_rng(seed + 100)
    z = np.asarray(base.X @ base.w_true).ravel()
    z = 2.0 * z / z.std() + 0.5
    y = np.where(rng.uniform(size=n) < 1.0 / (1.0 + np.exp(-z)), 1.0, -1.0)
    return Problem(
        "logistic",
        f"dense {n}x{p}, Toeplitz rho={RHO}, logistic labels, {k} nonzeros",
        base.X,
        y,
        datafit="logistic",
        w_true=base.w_true,
    )


def make_problem(name, quick=False, seed=0):
    """Problem ``name`` drawn with the benchmark seed ``seed`` (0, 1, ...; seed 0 is the historical one).
    Each family's generator seed is its own offset plus ``SEED_STRIDE * seed``, so no two draws share a
    generator seed."""
    s = SEED + SEED_STRIDE * seed
    if name == "toeplitz":
        return toeplitz(100, 1000, 10, seed=s) if quick else toeplitz(seed=s)
    if name == "tfidf":
        return tfidf(1000, 5000, 5e-3, 10, seed=s + 2) if quick else tfidf(seed=s + 2)
    if name == "tall":
        return tall(2000, 50, 10, seed=s + 1) if quick else tall(seed=s + 1)
    if name == "logistic":
        return logistic(100, 1000, 10, seed=s + 3) if quick else logistic(seed=s + 3)
    raise ValueError(name)


PROBLEM_NAMES = ("toeplitz", "tfidf", "tall", "logistic")
