"""Regularization strengths across libraries.

lpnet's objective is a *mean* loss plus the penalty (docs/conventions.md): ``1/n sum_i loss_i + P(w)`` with
``P = alpha/2 ||w||^2`` for L2 and ``alpha ||w||_1`` for L1.  Other libraries scale the same problem
differently (a summed loss, an inverse strength ``C``, no ``1/2``, a decay inside the optimizer);
:func:`convert` maps between them through lpnet's ``alpha``, and its docstring holds the one reference
table of the conventions people mix up.
"""

from __future__ import annotations

import math
import numbers
import warnings

from .penalties import make_penalty

__all__ = ["CONVENTION_NAMES", "convert", "glmnet_to_lpnet", "lpnet_to_glmnet"]

#: convention name -> whether converting it involves the sample count
_NEEDS_N = {
    "alpha": False,
    "glmnet_lambda": False,
    "sklearn_C": True,
    "sklearn_ridge_alpha": True,
    "torch_weight_decay": False,
    "adamw_weight_decay": False,
    "keras_l2": False,
}
CONVENTION_NAMES = tuple(_NEEDS_N)


def _to_alpha(value: float, name: str, n: float | None) -> float:
    if name == "sklearn_C":
        if value == 0.0:
            raise ValueError("sklearn_C must be > 0 (C=0 is an infinite penalty); C=inf means no penalty.")
        return 0.0 if math.isinf(value) else 1.0 / (n * value)
    if name == "sklearn_ridge_alpha":
        return value / n
    if name == "keras_l2":
        return 2.0 * value
    return value  # alpha, glmnet_lambda, torch_weight_decay, adamw_weight_decay


def _from_alpha(alpha: float, name: str, n: float | None) -> float:
    if name == "sklearn_C":
        return math.inf if alpha == 0.0 else 1.0 / (n * alpha)
    if name == "sklearn_ridge_alpha":
        return n * alpha
    if name == "keras_l2":
        return alpha / 2.0
    return alpha


def _check_name(name, role: str) -> str:
    if name not in _NEEDS_N:
        raise ValueError(f"{role}={name!r} is not a known convention; use one of {CONVENTION_NAMES}.")
    return name


def _check_positive(value, name: str) -> float:
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}.")
    return float(value)


def _check_std(y_std) -> float:
    return _check_positive(y_std, "y_std")


def glmnet_to_lpnet(lambda_, glmnet_alpha=1.0, *, y_std=None) -> tuple[float, float]:
    """lpnet's ``(alpha, l1_ratio)`` for glmnet's gaussian ``(lambda, alpha)``.

    glmnet fits ``y / sd(y)`` with ``lambda / sd(y)`` and scales the coefficients back, which in
    ``y``'s own units is the penalty ``lambda a ||w||_1 + lambda (1 - a) / (2 sd) ||w||^2`` (``a`` is
    glmnet's ``alpha``, ``sd`` the population standard deviation of ``y``, weighted like the fit): the
    L1 weight is unchanged, the L2 weight divided by ``sd``.  So ``alpha = lambda (a + (1 - a) / sd)`` and
    ``l1_ratio = lambda a / alpha``: for the Lasso (``a = 1``) ``alpha = lambda``, for ridge (``a = 0``)
    ``alpha = lambda / sd``.  (The binomial family standardizes no response: there
    ``alpha = lambda``, ``l1_ratio = a``.)

    Parameters
    ----------
    lambda_ : float
        glmnet's ``lambda``, >= 0.
    glmnet_alpha : float, default=1.0
        glmnet's mixing ``alpha`` in [0, 1] (1: the Lasso).
    y_std : float, optional
        ``np.std(y)`` (population sd; with observation weights, the weighted one).  Needed unless
        ``glmnet_alpha == 1``.

    Returns
    -------
    (alpha, l1_ratio) : tuple of float

    Examples
    --------
    >>> glmnet_to_lpnet(0.5, 0.0, y_std=2.0)
    (0.25, 0.0)
    """
    lam = _check_nonnegative(lambda_, "lambda_")
    a = _check_mixing(glmnet_alpha, "glmnet_alpha")
    if a == 1.0:
        return lam, 1.0
    sd = _check_std(y_std)
    alpha = lam * (a + (1.0 - a) / sd)
    return alpha, (lam * a / alpha if alpha > 0 else a)


def lpnet_to_glmnet(alpha, l1_ratio=1.0, *, y_std=None) -> tuple[float, float]:
    """glmnet's gaussian ``(lambda, alpha)`` for lpnet's ``(alpha, l1_ratio)``; the inverse of
    :func:`glmnet_to_lpnet`: ``lambda = alpha (l1_ratio + (1 - l1_ratio) sd)``,
    ``glmnet alpha = alpha l1_ratio / lambda``.

    Parameters
    ----------
    alpha : float
        lpnet's strength, ``alpha >= 0``.
    l1_ratio : float in [0, 1], default=1.0
        lpnet's share of the L1 part.
    y_std : float, optional
        ``np.std(y)``; required when ``l1_ratio < 1``.

    Returns
    -------
    lambda_, a : float
        glmnet's ``lambda`` and ``alpha``.

    Examples
    --------
    >>> lpnet_to_glmnet(0.25, 0.0, y_std=2.0)
    (0.5, 0.0)
    """
    alpha = _check_nonnegative(alpha, "alpha")
    rho = _check_mixing(l1_ratio, "l1_ratio")
    if rho == 1.0:
        return alpha, 1.0
    sd = _check_std(y_std)
    lam = alpha * (rho + (1.0 - rho) * sd)
    return lam, (alpha * rho / lam if lam > 0 else rho)


def _check_nonnegative(value, name: str) -> float:
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}.")
    return float(value)


def _check_mixing(value, name: str) -> float:
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must lie in [0, 1], got {value!r}.")
    return float(value)


def convert(value, frm, to, *, n_samples=None, lr=None, penalty=None, y_std=None) -> float:
    """Convert a regularization strength between library conventions.

    Every conversion goes through lpnet's ``alpha`` (mean loss + ``alpha/2 ||w||^2`` for L2,
    ``alpha ||w||_1`` for L1):

    =========================  ====================================  ==============================
    ``frm`` / ``to``           defined by                            ``alpha`` from the value ``v``
    =========================  ====================================  ==============================
    ``"alpha"``                lpnet, scikit-learn Lasso/ElasticNet   ``v``
    ``"glmnet_lambda"``        glmnet ``lambda`` (gaussian)          ``v`` (L1); ``v / y_std`` (L2)
    ``"sklearn_C"``            ``C sum_i loss_i + 1/2 ||w||^2``       ``1 / (n_samples v)``
    ``"sklearn_ridge_alpha"``  ``||y - Xw||^2 + v ||w||^2``           ``v / n_samples``
    ``"torch_weight_decay"``   SGD: gradient ``+ v w``               ``v``
    ``"adamw_weight_decay"``   ``w <- (1 - lr v) w`` (decoupled)      ``v`` (exact for plain SGD)
    ``"keras_l2"``             ``+ v sum_j w_j^2``                   ``2 v``
    =========================  ====================================  ==============================

    ``sklearn_C`` covers ``LogisticRegression`` (scikit-learn 1.9 minimizes
    ``1/s sum_i s_i loss_i + r(w) / (s C)`` with ``s`` the sum of sample weights, i.e.
    ``C sum_i loss_i + r(w)`` up to a constant factor) and ``LinearSVC``; it applies to the L1, L2 and
    Elastic Net forms alike because scikit-learn's ``r(w)`` uses lpnet's penalty shapes (liblinear, behind
    ``LinearSVC`` and ``solver="liblinear"``, also penalizes the intercept, which lpnet never does).

    Parameters
    ----------
    value : float
        The strength in the ``frm`` convention, >= 0 (``sklearn_C`` > 0, ``inf`` allowed: no penalty).
    frm, to : str
        Convention names from the table.
    n_samples : float, optional
        Number of training samples (sum of sample weights when weighted); required when ``frm`` or ``to``
        is ``"sklearn_C"`` or ``"sklearn_ridge_alpha"``.
    lr : float, optional
        The learning rate; required when ``frm`` or ``to`` is ``"adamw_weight_decay"``.
    penalty : {"l1", "l2"}, optional
        Required with ``"glmnet_lambda"``: glmnet's gaussian family fits ``y / sd(y)``, which leaves its
        Lasso ``lambda`` equal to lpnet's ``alpha`` but divides its ridge ``lambda`` by ``sd(y)``
        (see :func:`glmnet_to_lpnet`, which also maps the Elastic Net's pair).
    y_std : float, optional
        ``np.std(y)`` (population standard deviation), required with ``"glmnet_lambda"`` and
        ``penalty="l2"``.  The mapping
        ``alpha = weight_decay`` holds for any ``lr`` with plain gradient steps, but the decay is only
        meaningful while ``lr * weight_decay < 1`` (otherwise every step flips the weights' sign), which
        is checked.  With Adam's preconditioning no L2 ``alpha`` reproduces AdamW: a ``UserWarning``
        says so.

    Returns
    -------
    float
        The strength in the ``to`` convention (``inf`` for ``to="sklearn_C"`` when the penalty is 0).

    Raises
    ------
    ValueError
        For an unknown name, a negative or non-finite value, a missing or non-positive ``n_samples`` or
        ``lr`` where one is needed, or ``lr * weight_decay >= 1``.

    Examples
    --------
    >>> convert(0.01, "alpha", "sklearn_C", n_samples=200)
    0.5
    >>> convert(1e-4, "keras_l2", "alpha")
    0.0002
    """
    frm = _check_name(frm, "frm")
    to = _check_name(to, "to")
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or math.isnan(value):
        raise ValueError(f"value must be a real number >= 0, got {value!r}.")
    if value < 0:
        raise ValueError(f"value must be >= 0, got {value}; regularization strengths are never negative.")
    if math.isinf(value) and frm != "sklearn_C":
        raise ValueError(f"value must be finite for frm={frm!r}, got {value}.")
    glmnet_sd = 1.0  # glmnet's lambda is alpha for the Lasso, alpha * sd(y) for ridge
    if "glmnet_lambda" in (frm, to) and frm != to:
        shape = None if penalty is None else make_penalty(penalty)
        if shape is None or not (shape.exponent == 1.0 or shape.is_quadratic):
            raise ValueError(
                "converting glmnet's lambda needs penalty='l1' (the Lasso: lambda equals alpha) or "
                "penalty='l2' with y_std (glmnet divides its ridge part by the standard deviation of y); "
                "for the Elastic Net use lpnet.glmnet_to_lpnet / lpnet.lpnet_to_glmnet."
            )
        if shape.is_quadratic:
            glmnet_sd = _check_std(y_std)
    n = None
    if _NEEDS_N[frm] or _NEEDS_N[to]:
        if n_samples is None:
            raise ValueError(
                f"converting {frm!r} to {to!r} needs n_samples (the number of training samples, or the "
                "sum of sample weights): scikit-learn sums the loss where lpnet averages it."
            )
        n = _check_positive(n_samples, "n_samples")
    alpha = _to_alpha(float(value), frm, n) / (glmnet_sd if frm == "glmnet_lambda" else 1.0)
    if "adamw_weight_decay" in (frm, to):
        if lr is None:
            raise ValueError("converting 'adamw_weight_decay' needs lr: AdamW shrinks by lr * weight_decay per step.")
        lr = _check_positive(lr, "lr")
        if lr * alpha >= 1.0:
            raise ValueError(
                f"lr * weight_decay = {lr * alpha} >= 1: the decoupled decay (1 - lr * wd) would flip or "
                "zero the weights; lower lr or weight_decay."
            )
        warnings.warn(
            "AdamW's decoupled weight decay equals an L2 penalty alpha = weight_decay only with plain "
            "(unpreconditioned) gradient steps; with Adam's per-coordinate scaling no L2 alpha is "
            "equivalent, so treat this value as a rough guide.",
            UserWarning,
            stacklevel=2,
        )
    return _from_alpha(alpha, to, n) * (glmnet_sd if to == "glmnet_lambda" else 1.0)
