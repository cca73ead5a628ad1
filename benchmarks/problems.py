"""Seeded benchmark problems for the Lasso and the Elastic Net.

Each :class:`Problem` carries ``X``, ``y`` and ``alpha_max = ||X^T (y - mean(y))||_inf / n``, the smallest
Lasso ``alpha`` whose solution (with an intercept) is all zeros.  For the Elastic Net with ``l1_ratio``
the same threshold is ``alpha_max / l1_ratio``.  :func:`cases` expands every problem into the benchmark
cases: Lasso and Elastic Net (``l1_ratio = 0.5``), each at ``alpha_max / 10`` and ``alpha_max / 100``.

Problems (full size / ``--quick`` size):

* ``toeplitz``: dense, columns with correlation ``rho^|i-j|`` (``rho = 0.6``), 500 x 5000 / 100 x 1000;
* ``tall``: dense, independent Gaussian columns, 20000 x 200 / 2000 x 50;
* ``sparse``: scipy.sparse CSC with Gaussian entries, 10000 x 100000 at density 1e-3 /
  1000 x 10000 at density 1e-2.

``y = X w_true + intercept + noise`` with a sparse ``w_true`` and the noise scaled to a signal-to-noise
ratio of 3 (in norm).  Dense ``X`` is Fortran-ordered, the layout coordinate descent reads, for every
library alike.  ``make_problem(name, quick, seed)`` draws seed ``seed`` of a family (the runner's
``--seeds``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

SEED = 0
SEED_STRIDE = 10
RHO = 0.6
SNR = 3.0
INTERCEPT = 2.0
L1_RATIO_ENET = 0.5
ALPHA_DIVISORS = (10, 100)


@dataclass
class Problem:
    name: str
    description: str
    X: object  # ndarray (Fortran order) or scipy.sparse.csc_matrix
    y: np.ndarray
    w_true: np.ndarray = field(repr=False)

    def __post_init__(self):
        n = self.X.shape[0]
        yc = self.y - self.y.mean()
        self.alpha_max = float(np.max(np.abs(np.asarray(self.X.T @ yc).ravel()))) / n
        #: objective of the best intercept-only model, the scale of the stopping rule
        self.f_null = float(yc @ yc) / (2 * n)

    @property
    def shape(self):
        return self.X.shape

    @property
    def is_sparse(self):
        return sp.issparse(self.X)


@dataclass(frozen=True)
class Case:
    problem: Problem
    penalty: str  # "lasso" or "enet"
    l1_ratio: float
    divisor: int
    alpha: float

    @property
    def label(self):
        return f"{self.problem.name} {self.penalty} a_max/{self.divisor}"


def _response(X, w_true, rng):
    signal = np.asarray(X @ w_true).ravel()
    noise = rng.standard_normal(X.shape[0])
    noise *= np.linalg.norm(signal) / (SNR * np.linalg.norm(noise))
    return signal + INTERCEPT + noise


def _sparse_coef(n_features, n_nonzero, rng):
    w = np.zeros(n_features)
    support = rng.choice(n_features, size=n_nonzero, replace=False)
    w[support] = rng.choice([-1.0, 1.0], size=n_nonzero) * rng.uniform(1.0, 2.0, size=n_nonzero)
    return w


def toeplitz_problem(n_samples=500, n_features=5000, rho=RHO, n_nonzero=50, seed=SEED) -> Problem:
    """Dense Gaussian design with ``corr(X_i, X_j) = rho^|i-j|`` (an AR(1) process across columns)."""
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((n_samples, n_features))
    X = np.empty((n_samples, n_features), order="F")
    X[:, 0] = Z[:, 0]
    c = np.sqrt(1.0 - rho**2)
    for j in range(1, n_features):
        X[:, j] = rho * X[:, j - 1] + c * Z[:, j]
    w = _sparse_coef(n_features, n_nonzero, rng)
    return Problem("toeplitz", f"dense {n_samples}x{n_features}, Toeplitz corr rho={rho}", X, _response(X, w, rng), w)


def tall_problem(n_samples=20000, n_features=200, n_nonzero=20, seed=SEED + 1) -> Problem:
    """Dense tall design with independent standard Gaussian columns."""
    rng = np.random.default_rng(seed)
    X = np.asfortranarray(rng.standard_normal((n_samples, n_features)))
    w = _sparse_coef(n_features, n_nonzero, rng)
    return Problem("tall", f"dense {n_samples}x{n_features}, iid Gaussian", X, _response(X, w, rng), w)


def sparse_problem(n_samples=10000, n_features=100000, density=1e-3, n_nonzero=100, seed=SEED + 2) -> Problem:
    """scipy.sparse CSC design with standard Gaussian nonzero entries."""
    rng = np.random.default_rng(seed)
    X = sp.random(
        n_samples,
        n_features,
        density=density,
        format="csc",
        random_state=rng,
        data_rvs=rng.standard_normal,
        dtype=np.float64,
    )
    X.sort_indices()
    w = _sparse_coef(n_features, n_nonzero, rng)
    return Problem("sparse", f"sparse CSC {n_samples}x{n_features}, density {density:g}", X, _response(X, w, rng), w)


def make_problem(name: str, quick: bool = False, seed: int = 0) -> Problem:
    """Problem ``name`` drawn with the benchmark seed ``seed`` (0, 1, ...; seed 0 is the historical one).
    Each family's generator seed is its own offset plus ``SEED_STRIDE * seed``, so no two draws share a
    generator seed."""
    s = SEED + SEED_STRIDE * seed
    if name == "toeplitz":
        return toeplitz_problem(100, 1000, n_nonzero=10, seed=s) if quick else toeplitz_problem(seed=s)
    if name == "tall":
        return tall_problem(2000, 50, n_nonzero=10, seed=s + 1) if quick else tall_problem(seed=s + 1)
    if name == "sparse":
        return sparse_problem(1000, 10000, 1e-2, n_nonzero=20, seed=s + 2) if quick else sparse_problem(seed=s + 2)
    raise ValueError(f"unknown problem {name!r}")


PROBLEM_NAMES = ("toeplitz", "tall", "sparse")


def make_problems(quick: bool = False, seed: int = 0):
    return [make_problem(name, quick, seed) for name in PROBLEM_NAMES]


def cases(problem: Problem, penalties=("lasso", "enet"), divisors=ALPHA_DIVISORS):
    """The benchmark cases of one problem."""
    out = []
    for pen in penalties:
        l1_ratio = 1.0 if pen == "lasso" else L1_RATIO_ENET
        a_max = problem.alpha_max / l1_ratio
        for d in divisors:
            out.append(Case(problem, pen, l1_ratio, d, a_max / d))
    return out
