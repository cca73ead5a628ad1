"""Log-link families of generalized linear models: Poisson, Gamma and Tweedie (1 < power < 2).

Each is the half deviance ``D = 1/n sum_i s_i d(y_i, mu_i)`` with ``mu_i = exp(eta_i)`` and
``eta_i = z_i + o_i`` (``o``: an optional offset, e.g. the log of an exposure), so ``D >= 0`` with equality
only for a perfect fit, and the objective equals scikit-learn's ``PoissonRegressor`` / ``GammaRegressor`` /
``TweedieRegressor`` (``1/(2n) sum_i deviance_i + alpha/2 ||w||^2``) and glum's for the same penalty.

The target's internal encoding is ``y`` of shape (n,) without an offset, or the two columns ``[y, o]``
(:meth:`LogLinkFamily.with_offset`): a cross-validation fold then takes the rows of both together.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from scipy.special import xlogy

from .base import Datafit

#: eta is clipped here before exp: beyond it mu overflows float64 (the fit is then diverging anyway)
_ETA_MAX = 700.0


def _split(y) -> tuple[np.ndarray, np.ndarray]:
    """``(y, offset)`` from the internal encoding (zeros when there is no offset)."""
    y = np.asarray(y)
    if y.ndim == 2:
        return y[:, 0], y[:, 1]
    return y, np.zeros(y.shape)


class LogLinkFamily(Datafit):
    """A log-link family given by its half deviance ``d(y, mu)``; subclasses give its derivatives in ``eta``.

    ``raw_grad`` is ``s/n * dd/deta``, ``curvature`` ``s/n * d^2d/deta^2``; the curvature is unbounded in
    ``eta`` (``curvature_bound`` is None), so the solvers' steps are Newton steps with a line search.
    """

    score_label = "D2"
    formula = "1/n sum_i d(y_i, exp(x_i w + b)), d half the unit deviance"
    #: whether the target may be 0 (counts, Tweedie) or must be positive (Gamma)
    y_min_inclusive: ClassVar[bool] = True
    #: what the family's target is, for error messages
    target_words: ClassVar[str] = "non-negative"
    #: how to repair a target out of the family's range
    target_fix: ClassVar[str] = ""

    # ---------------------------------------------------------------- the family
    def deviance_terms(self, y, mu, eta) -> np.ndarray:  # pragma: no cover - overridden
        """Half deviance ``d(y_i, mu_i)`` per sample."""
        raise NotImplementedError

    def eta_derivatives(self, y, mu) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - overridden
        """``(dd/deta, d^2d/deta^2)`` per sample."""
        raise NotImplementedError

    def null_intercept(self, y, offset, s) -> float | None:
        """The best intercept in closed form, or None (then it is found by Newton's method)."""
        return None

    # ---------------------------------------------------------------- target
    def with_offset(self, y, offset) -> np.ndarray:
        """The internal target ``[y, offset]``."""
        return np.column_stack([_split(y)[0], np.asarray(offset, dtype=np.float64)])

    def encode_target(self, y, sample_weight, who: str) -> tuple[np.ndarray | None, np.ndarray]:
        y = np.asarray(y, dtype=np.float64)
        bad = y < 0 if self.y_min_inclusive else y <= 0
        if np.any(bad):
            first = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"{who} with the {self.name} family needs a {self.target_words} target; y[{first}] = {y[first]:g}. "
                + self.target_fix
            )
        return None, y

    def target_scale(self, y) -> np.ndarray:
        target, offset = _split(y)
        return np.abs(target) + np.abs(offset)

    # ---------------------------------------------------------------- values
    def _mu(self, y, z) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        target, offset = _split(y)
        z = np.asarray(z)
        if z.ndim == 2:  # one column per model (a path's alphas on a held-out fold)
            target = target[:, None]
            offset = offset[:, None]
        eta = np.minimum(z + offset, _ETA_MAX)
        return target, eta, np.exp(eta)

    def predict(self, z) -> np.ndarray:
        """The mean ``exp(z)`` (``z`` includes any offset)."""
        return np.exp(np.minimum(z, _ETA_MAX))

    def sample_losses(self, y, z) -> np.ndarray:
        target, eta, mu = self._mu(y, z)
        return self.deviance_terms(target, mu, eta)

    def validation_loss(self, y, z, s) -> np.ndarray | float:
        losses = self.sample_losses(y, z)
        return np.average(losses, axis=0, weights=s) if np.ndim(z) == 2 else float(np.average(losses, weights=s))

    def value(self, y, z, s) -> float:
        return float(s @ self.sample_losses(y, z)) / s.shape[0]

    def raw_grad(self, y, z, s) -> np.ndarray:
        target, _, mu = self._mu(y, z)
        return s * self.eta_derivatives(target, mu)[0] / s.shape[0]

    def curvature(self, y, z, s) -> np.ndarray:
        target, _, mu = self._mu(y, z)
        return s * self.eta_derivatives(target, mu)[1] / s.shape[0]

    def curvature_bound(self, y, s) -> None:
        return None

    def validation_score(self, y, z, s, losses=None) -> np.ndarray:
        """D^2, the fraction of the held-out deviance explained (scikit-learn's ``score`` for GLMs):
        ``1 - D(model) / D(mean)``, the mean being the held-out weighted mean of ``y`` (offsets ignored)."""
        if losses is None:
            losses = self.validation_loss(y, z, s)
        target = _split(y)[0]
        mean = float(np.average(target, weights=s))
        null = self.validation_loss(target, np.full(target.shape[0], np.log(mean)), s) if mean > 0 else np.inf
        return 1.0 - np.asarray(losses) / null if null > 0 else np.where(np.asarray(losses) > 0, -np.inf, 1.0)

    def null_model(self, y, s, fit_intercept):
        target, offset = _split(y)
        n = target.shape[0]
        if not fit_intercept:
            return 0.0, self.value(y, np.zeros(n), s)
        b = self.null_intercept(target, offset, s)
        if b is None:
            # Newton's method from the closed form without the offset, shifted by its mean
            start = self.null_intercept(target, np.zeros(n), s)
            shift = float(np.average(offset, weights=s))
            c0 = np.array([(0.0 if start is None else start) - shift])
            b = float(self.newton_fit(np.ones((n, 1)), y, s, c0)[0])
        return b, self.value(y, np.full(n, b), s)


class Poisson(LogLinkFamily):
    """Poisson deviance: counts ``y >= 0`` with mean ``mu = exp(eta)``; duality gap certificate.

    ``d(y, mu) = y log(y / mu) - y + mu``.  Its conjugate is closed-form: with ``c = s_i / n`` and
    ``v = c y_i - theta_i >= 0``,
    ``-f_i^*(-theta_i) = -(v log(v / c) - v - v o_i + c y_i o_i - c (y_i log y_i - y_i))``.
    """

    name = "poisson"
    loss_label = "Poisson deviance / 2"
    target_fix = "Counts cannot be negative: check the target column."

    def deviance_terms(self, y, mu, eta):
        return xlogy(y, y) - y * eta - y + mu

    def eta_derivatives(self, y, mu):
        return mu - y, mu

    def null_intercept(self, y, offset, s):
        total = float(s @ y)
        if total <= 0:
            return None
        return float(np.log(total / float(s @ np.exp(offset))))

    def encode_target(self, y, sample_weight, who):
        classes, y = super().encode_target(y, sample_weight, who)
        if float((sample_weight if sample_weight is not None else np.ones_like(y)) @ y) <= 0:
            raise ValueError(
                f"{who}: every count is zero (after sample weighting), so the Poisson mean is 0 and the "
                "intercept would be -inf; fit a target with some positive counts."
            )
        return classes, y

    def dual_metric(self, theta, y, s):
        # theta must keep v = c y - theta >= 0; moving theta_i by a multiple of v_i (the curvature c mu_i
        # at theta = -grad) changes v_i by a relative amount, which keeps it inside
        target = _split(y)[0]
        return np.maximum(s * target / s.shape[0] - theta, 0.0)

    def dual(self, theta, y, s) -> float:
        target, offset = _split(y)
        c = s / s.shape[0]
        v = c * target - theta
        if np.any(v < 0) or np.any(theta[s <= 0] != 0):
            return -np.inf
        pos = c > 0
        v, c, target = v[pos], c[pos], target[pos]
        off = offset[pos]
        conj = xlogy(v, v / c) - v - v * off + c * target * off - c * (xlogy(target, target) - target)
        return float(-np.sum(conj))


class Gamma(LogLinkFamily):
    """Gamma deviance: positive ``y`` with mean ``mu = exp(eta)``; duality gap certificate.

    ``d(y, mu) = y / mu - 1 - log(y / mu)``.  Its conjugate is closed-form: with ``c = s_i / n`` and
    ``v = theta_i + c >= 0``, ``-f_i^*(-theta_i) = -(v o_i + v log(v / (c y_i)) - v + c (1 + log y_i - o_i))``
    (``0 log 0 = 0``).
    """

    name = "gamma"
    loss_label = "Gamma deviance / 2"
    y_min_inclusive = False
    target_words = "positive"
    target_fix = "The Gamma family models positive values (claim sizes, durations): drop or shift zeros."

    def deviance_terms(self, y, mu, eta):
        return y * np.exp(-eta) - 1.0 - np.log(y) + eta

    def eta_derivatives(self, y, mu):
        ratio = y / mu
        return 1.0 - ratio, ratio

    def null_intercept(self, y, offset, s):
        return float(np.log(float(s @ (y * np.exp(-offset))) / float(s.sum())))

    def dual_metric(self, theta, y, s):
        return np.maximum(theta + s / s.shape[0], 0.0)  # keeps v = theta + c >= 0 (see Poisson's)

    def dual(self, theta, y, s) -> float:
        target, offset = _split(y)
        c = s / s.shape[0]
        v = theta + c
        if np.any(v < 0) or np.any(theta[s <= 0] != 0):
            return -np.inf
        pos = c > 0
        v, c, target = v[pos], c[pos], target[pos]
        off = offset[pos]
        conj = v * off + xlogy(v, v / (c * target)) - v + c * (1.0 + np.log(target) - off)
        return float(-np.sum(conj))


class Tweedie(LogLinkFamily):
    """Tweedie deviance with power ``1 < power < 2`` (compound Poisson-Gamma: ``y >= 0`` with exact
    zeros), log link; certified by the optimality (KKT) violation, its conjugate having no closed form.

    ``d(y, mu) = y^(2-p) / ((1-p)(2-p)) - y mu^(1-p) / (1-p) + mu^(2-p) / (2-p)`` with ``p = power``.

    Parameters
    ----------
    power : float, default=1.5
        The variance power ``p``, ``1 < p < 2``.
    """

    name = "tweedie"
    loss_label = "Tweedie deviance / 2"
    has_dual = False
    target_fix = "Tweedie models with 1 < power < 2 take zeros and positive values only."
    parameters: ClassVar[dict[str, object]] = {"power": 1.5}

    def __init__(self, power: float = 1.5):
        power = float(power)
        if not 1.0 < power < 2.0:
            raise ValueError(
                f"power must be in (1, 2) for the Tweedie family, got {power!r}: use the Poisson family for "
                "power=1 and the Gamma family for power=2."
            )
        self.power = power

    def deviance_terms(self, y, mu, eta):
        p = self.power
        return (
            np.power(y, 2.0 - p) / ((1.0 - p) * (2.0 - p))
            - y * np.exp((1.0 - p) * eta) / (1.0 - p)
            + np.exp((2.0 - p) * eta) / (2.0 - p)
        )

    def eta_derivatives(self, y, mu):
        p = self.power
        low = np.power(mu, 1.0 - p)
        return low * (mu - y), low * ((2.0 - p) * mu - (1.0 - p) * y)

    def null_intercept(self, y, offset, s):
        if np.any(offset != 0):
            return None
        total = float(s @ y)
        return float(np.log(total / float(s.sum()))) if total > 0 else None

    def encode_target(self, y, sample_weight, who):
        classes, y = super().encode_target(y, sample_weight, who)
        if float((sample_weight if sample_weight is not None else np.ones_like(y)) @ y) <= 0:
            raise ValueError(f"{who}: every target value is zero; the Tweedie mean would be 0.")
        return classes, y

    def dual(self, theta, y, s) -> float:
        raise NotImplementedError("the Tweedie deviance has no closed-form conjugate (has_dual is False)")
