"""Exact optima of tiny penalized least-squares problems, in rational arithmetic.

For the squared loss with ``P(w) = sum_j a1_j |w_j| + 1/2 a2_j w_j^2`` (L1, L2, Elastic Net with any
penalty factors) the optimum is piecewise linear in the data: for the right sign pattern
``sigma in {-1, 0, +1}^p`` it solves one linear system (the stationarity conditions on the support),
and the pattern is the one whose solution has the promised signs while every feature off the support
satisfies ``|grad_j| <= a1_j``.  With ``p <= 3`` all ``3^p`` patterns are tried, every number is a
``fractions.Fraction`` built from the exact float values, so nothing is rounded: this is the reference
that certificates are checked against, independent of lpnet's code and of floating point.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np


def _fraction(v) -> Fraction:
    return v if isinstance(v, Fraction) else Fraction(float(v))


def _fractions(a) -> list:
    return [_fraction(v) for v in (a if isinstance(a, list) else np.ravel(a))]


def _solve(A, b):
    """Gaussian elimination on Fractions; None when singular."""
    n = len(A)
    M = [row[:] + [b[i]] for i, row in enumerate(A)]
    for col in range(n):
        pivot = next((r for r in range(col, n) if M[r][col] != 0), None)
        if pivot is None:
            return None
        M[col], M[pivot] = M[pivot], M[col]
        for r in range(n):
            if r != col and M[r][col] != 0:
                f = M[r][col] / M[col][col]
                M[r] = [x - f * y for x, y in zip(M[r], M[col])]
    return [M[i][n] / M[i][i] for i in range(n)]


class ExactLasso:
    """The problem ``1/(2n) sum_i s_i (y_i - x_i w - b)^2 + sum_j (a1_j |w_j| + a2_j / 2 w_j^2)``.

    ``s`` are the sample weights already rescaled to sum to ``n`` (as floats; converted exactly).
    """

    def __init__(self, X, y, s, a1, a2, fit_intercept):
        X = np.asarray(X, dtype=np.float64)
        self.n, self.p = X.shape
        self.X = [_fractions(row) for row in X]
        self.y, self.s = _fractions(y), _fractions(s)
        self.a1, self.a2 = _fractions(a1), _fractions(a2)
        self.fit_intercept = fit_intercept

    def objective(self, w, b) -> Fraction:
        """The exact objective at ``(w, b)`` (floats, or Fractions)."""
        w, b = _fractions(w), _fraction(b)
        loss = Fraction(0)
        for xi, yi, si in zip(self.X, self.y, self.s):
            r = yi - sum(xij * wj for xij, wj in zip(xi, w)) - b
            loss += si * r * r
        pen = sum(a1 * abs(wj) + a2 * wj * wj / 2 for a1, a2, wj in zip(self.a1, self.a2, w))
        return loss / (2 * self.n) + pen

    def null_objective(self) -> Fraction:
        b = Fraction(0)
        if self.fit_intercept:
            total = sum(self.s)
            b = sum(si * yi for si, yi in zip(self.s, self.y)) / total if total else Fraction(0)
        return sum(si * (yi - b) ** 2 for si, yi in zip(self.s, self.y)) / (2 * self.n)

    def gradient(self, w, b) -> list:
        """``d/dw_j`` of the loss at ``(w, b)``."""
        grad = [Fraction(0)] * self.p
        for xi, yi, si in zip(self.X, self.y, self.s):
            r = yi - sum(xij * wj for xij, wj in zip(xi, w)) - b
            for j in range(self.p):
                grad[j] -= si * xi[j] * r
        return [g / self.n for g in grad]

    def optimum(self):
        """``(w*, b*, F*)`` as Fractions, or None when no pattern gives a unique solution."""
        best = None
        for pattern in itertools.product((-1, 0, 1), repeat=self.p):
            support = [j for j in range(self.p) if pattern[j] != 0]
            k = len(support) + int(self.fit_intercept)
            if k == 0:
                w, b = [Fraction(0)] * self.p, Fraction(0)
            else:
                # columns: the intercept (if any), then the support's features
                cols = ([[Fraction(1)] * self.n] if self.fit_intercept else []) + [
                    [xi[j] for xi in self.X] for j in support
                ]
                A = [[sum(si * ca[i] * cb[i] for i, si in enumerate(self.s)) / self.n for cb in cols] for ca in cols]
                rhs = [sum(si * ca[i] * self.y[i] for i, si in enumerate(self.s)) / self.n for ca in cols]
                off = int(self.fit_intercept)
                for t, j in enumerate(support):
                    A[off + t][off + t] += self.a2[j]
                    rhs[off + t] -= self.a1[j] * pattern[j]
                sol = _solve(A, rhs)
                if sol is None:
                    continue
                b = sol[0] if self.fit_intercept else Fraction(0)
                w = [Fraction(0)] * self.p
                for t, j in enumerate(support):
                    w[j] = sol[off + t]
                if any((w[j] > 0) != (pattern[j] > 0) or w[j] == 0 for j in support):
                    continue
            grad = self.gradient(w, b)
            if any(abs(grad[j]) > self.a1[j] for j in range(self.p) if pattern[j] == 0):
                continue
            value = self.objective(w, b)
            if best is None or value < best[2]:
                best = (w, b, value)
        return best
