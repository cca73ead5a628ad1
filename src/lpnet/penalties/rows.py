"""Penalties on the rows of a coefficient matrix ``W`` of shape ``(n_features, K)``.

A model with several outputs (tasks of a multi-task regression, classes of a multinomial model) has one
row ``W_j`` of ``K`` coefficients per feature.  :class:`L21` penalizes each row as one group:

    ``P(W) = alpha * sum_j v_j (l1_ratio ||W_j||_2 + (1 - l1_ratio)/2 ||W_j||_2^2)``

so a feature is either dropped for every output or kept for all of them.  ``l1_ratio = 1`` is the L2,1
norm of scikit-learn's ``MultiTaskLasso``, ``l1_ratio < 1`` its ``MultiTaskElasticNet`` (same ``alpha``
and ``l1_ratio``).  With ``K = 1`` it is the :class:`~lpnet.penalties.ElasticNet` of one column.

The penalty is separable over rows but not over coordinates, so it is not one of the scalar penalties of
the registry (which every solver pairs with every datafit): only the solvers written for matrix
coefficients take it.  Its methods work on whole rows, vectorised over the features.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from .._validation import check_alpha, check_l1_ratio, check_penalty_factor
from .prox import DOMAIN_SLACK

__all__ = ["L21"]


def _as_matrix(W, name: str) -> np.ndarray:
    W = np.asarray(W, dtype=np.float64)
    if W.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array of shape (n_features, n_outputs), got shape {W.shape}.")
    return W


class L21:
    """Row-group penalty ``alpha sum_j v_j (l1_ratio ||W_j||_2 + (1 - l1_ratio)/2 ||W_j||_2^2)``.

    Parameters
    ----------
    alpha : float
        Regularization strength, ``alpha >= 0``.
    l1_ratio : float, default 1.0
        Share of the group norm: 1 is the L2,1 norm (scikit-learn's ``MultiTaskLasso``), below 1 adds a
        ridge term (``MultiTaskElasticNet``), 0 is ridge alone.
    weights : array-like of shape (n_features,), optional
        Per-row penalty factors ``v_j >= 0`` (``penalty_factor``); 0 leaves a feature unpenalized.

    Notes
    -----
    ``W`` always has one row per feature and one column per output.  The conjugate is taken row by row:
    for ``l1_ratio = 1`` it is the indicator of ``||Z_j||_2 <= alpha v_j``, otherwise
    ``(||Z_j||_2 - alpha l1_ratio v_j)_+^2 / (2 alpha (1 - l1_ratio) v_j)``; unpenalized rows are left
    to the certificate, which projects them out of the dual point.
    """

    name: ClassVar[str] = "l21"
    parameters: ClassVar[dict[str, float]] = {"l1_ratio": 1.0}

    def __init__(self, alpha: float, l1_ratio: float = 1.0, *, weights=None):
        self.alpha = check_alpha(alpha)
        self.l1_ratio = check_l1_ratio(l1_ratio)
        self.weights = None if weights is None else check_penalty_factor(weights, name="weights")

    # ----------------------------------------------------------------- description
    @property
    def is_convex(self) -> bool:
        """Always True: a duality gap certifies a fit."""
        return True

    @property
    def is_quadratic(self) -> bool:
        """Whether the penalty is ridge alone (``l1_ratio = 0``)."""
        return self.l1_ratio == 0.0

    @property
    def label(self) -> str:
        """A short description, e.g. ``"L21(l1_ratio=1)"``."""
        return f"L21(l1_ratio={self.l1_ratio:g})"

    def shape_parameters(self) -> dict[str, float]:
        """The shape parameters (``l1_ratio``), by name."""
        return {"l1_ratio": self.l1_ratio}

    def with_alpha(self, alpha: float) -> L21:
        """The same penalty (``l1_ratio`` and factors) at another ``alpha``."""
        return type(self)(alpha, self.l1_ratio, weights=self.weights)

    def with_weights(self, weights) -> L21:
        """The same penalty (``alpha`` and ``l1_ratio``) with other factors (None: all ones)."""
        return type(self)(self.alpha, self.l1_ratio, weights=weights)

    def penalty_factors(self, n_features: int) -> np.ndarray:
        """The per-row factors ``v`` as a float64 array of length ``n_features``."""
        if self.weights is None:
            return np.ones(n_features)
        if np.shape(self.weights) != (n_features,):
            return check_penalty_factor(self.weights, n_features, name="weights")  # raises, naming the fix
        return self.weights

    def is_penalized(self, n_features: int) -> np.ndarray:
        """Boolean mask of the rows this penalty acts on (``alpha * v_j > 0``)."""
        return self.alpha * self.penalty_factors(n_features) > 0

    def zero_threshold(self, n_features: int) -> np.ndarray:
        """Per row ``tau_j = alpha l1_ratio v_j``: ``W_j = 0`` at the optimum exactly when the row of the
        loss gradient there has ``||G_j||_2 <= tau_j`` (what screening and the strong rule test)."""
        return self.alpha * self.l1_ratio * self.penalty_factors(n_features)

    def strong_convexity(self, n_features: int) -> np.ndarray:
        """Per row ``mu_j = alpha (1 - l1_ratio) v_j``: ``||W - W*||_F <= sqrt(2 G / min_j mu_j)``."""
        return self.alpha * (1.0 - self.l1_ratio) * self.penalty_factors(n_features)

    def alpha_max(self, grad) -> float:
        """Smallest ``alpha`` at which ``W = 0`` is optimal, given the loss gradient ``G`` there.

        ``max_j ||G_j||_2 / (l1_ratio v_j)`` over the penalized rows; with ``l1_ratio = 0`` (no threshold)
        the value for ``l1_ratio = 1`` is returned as the scale of a grid.
        """
        G = _as_matrix(grad, "grad")
        v = self.penalty_factors(G.shape[0])
        penalized = v > 0
        if not penalized.any():
            return 0.0
        unit = v[penalized] * (self.l1_ratio if self.l1_ratio > 0 else 1.0)
        return float(np.max(np.linalg.norm(G[penalized], axis=1) / unit))

    # ----------------------------------------------------------------- the penalty and its prox
    def value(self, W) -> float:
        """``P(W)``."""
        W = _as_matrix(W, "W")
        norms = np.linalg.norm(W, axis=1)
        v = self.penalty_factors(W.shape[0])
        return float(self.alpha * np.dot(v, self.l1_ratio * norms + 0.5 * (1.0 - self.l1_ratio) * norms**2))

    def prox(self, W, step) -> np.ndarray:
        """``argmin_Z 1/2 ||Z - W||_F^2 + step P(Z)``: block soft-thresholding of each row, then shrinkage.

        ``step`` is a scalar or one step per row.
        """
        W = _as_matrix(W, "W")
        p = W.shape[0]
        lam = np.broadcast_to(np.asarray(step, dtype=np.float64), (p,)) * self.alpha * self.penalty_factors(p)
        norms = np.linalg.norm(W, axis=1)
        keep = np.zeros(p)
        big = norms > lam * self.l1_ratio
        keep[big] = (1.0 - lam[big] * self.l1_ratio / norms[big]) / (1.0 + lam[big] * (1.0 - self.l1_ratio))
        return W * keep[:, None]

    def subdiff_distance(self, W, grad) -> np.ndarray:
        """Per row, ``dist(-G_j, dP_j(W_j))`` in the Euclidean norm: 0 exactly at a stationary point."""
        W = _as_matrix(W, "W")
        G = _as_matrix(grad, "grad")
        a = self.alpha * self.penalty_factors(W.shape[0])
        norms = np.linalg.norm(W, axis=1)
        zero = norms == 0.0
        safe = np.where(zero, 1.0, norms)
        # away from 0 the row is differentiable: G_j + a_j (rho W_j / ||W_j|| + (1 - rho) W_j)
        moved = G + (a * (self.l1_ratio / safe + (1.0 - self.l1_ratio)))[:, None] * W
        out = np.linalg.norm(moved, axis=1)
        out[zero] = np.maximum(np.linalg.norm(G[zero], axis=1) - a[zero] * self.l1_ratio, 0.0)
        return out

    # ----------------------------------------------------------------- the conjugate (certificates)
    def _penalized_rows(self, Z) -> tuple[np.ndarray, np.ndarray]:
        # row norms of Z and the factors, restricted to the penalized rows
        Z = _as_matrix(Z, "Z")
        v = self.penalty_factors(Z.shape[0])
        mask = self.alpha * v > 0
        return np.linalg.norm(Z[mask], axis=1), v[mask]

    def _conjugate_of_norms(self, norms, v) -> float:
        a, rho = self.alpha * v, self.l1_ratio
        if rho == 1.0:
            return 0.0 if np.all(norms <= a * (1.0 + DOMAIN_SLACK)) else float("inf")
        excess = np.maximum(norms - a * rho, 0.0)
        return float(np.sum(excess * excess / (2.0 * a * (1.0 - rho))))

    def conjugate(self, Z) -> float:
        """``P*(Z) = sup_W <Z, W> - P(W)`` summed over the penalized rows (``inf`` outside its domain)."""
        return self._conjugate_of_norms(*self._penalized_rows(Z))

    def dual_scale(self, Z) -> float:
        """Smallest ``c >= 1`` with ``Z / c`` in the domain of ``P*``: ``max_j ||Z_j|| / (alpha v_j)`` for
        ``l1_ratio = 1``, else 1 (the conjugate is finite everywhere)."""
        norms, v = self._penalized_rows(Z)
        if self.l1_ratio < 1.0 or norms.size == 0:
            return 1.0
        return max(1.0, float(np.max(norms / (self.alpha * v))))

    def scaled_conjugate(self, Z) -> tuple[float, float]:
        """``(c, P*(Z / c))`` with ``c = dual_scale(Z)``: the two a duality gap needs, in one pass."""
        norms, v = self._penalized_rows(Z)
        scale = 1.0
        if self.l1_ratio == 1.0 and norms.size:
            scale = max(1.0, float(np.max(norms / (self.alpha * v))))
        return scale, self._conjugate_of_norms(norms / scale, v)

    def __repr__(self) -> str:
        w = "" if self.weights is None else ", weights=[...]"
        return f"L21(alpha={self.alpha!r}, l1_ratio={self.l1_ratio!r}{w})"
