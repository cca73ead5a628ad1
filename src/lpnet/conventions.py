"""Regularization strengths across libraries.

lpnet's objective is a *mean* loss plus the penalty (CONVENTIONS.md): ``1/n sum_i loss_i + P(w)`` with
``P = alpha/2 ||w||^2`` for L2 and ``alpha ||w||_1`` for L1.  Other libraries scale the same problem
differently (a summed loss, an inverse strength ``C``, no ``1/2``, a decay inside the optimizer);
:func:`convert` maps between them through lpnet's ``alpha``, and its docstring holds the one reference
table of the conventions people mix up.
"""
from __future__ import annotations

import math
import numbers
import warnings

__all__ = ["CONVENTION_NAMES", "convert"]

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


def convert(value, frm, to, *, n_samples=None, lr=None) -> float:
    """Convert a regularization strength between library conventions.

    Every conversion goes through lpnet's ``alpha`` (mean loss + ``alpha/2 ||w||^2`` for L2,
    ``alpha ||w||_1`` for L1):

    =========================  ====================================  ==============================
    ``frm`` / ``to``           defined by                            ``alpha`` from the value ``v``
    =========================  ====================================  ==============================
    ``"alpha"``                lpnet, scikit-learn Lasso/ElasticNet   ``v``
    ``"glmnet_lambda"``        glmnet ``lambda``                     ``v``
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
        The learning rate; required when ``frm`` or ``to`` is ``"adamw_weight_decay"``.  The mapping
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
    n = None
    if _NEEDS_N[frm] or _NEEDS_N[to]:
        if n_samples is None:
            raise ValueError(
                f"converting {frm!r} to {to!r} needs n_samples (the number of training samples, or the "
                "sum of sample weights): scikit-learn sums the loss where lpnet averages it."
            )
        n = _check_positive(n_samples, "n_samples")
    alpha = _to_alpha(float(value), frm, n)
    if "adamw_weight_decay" in (frm, to):
        if lr is None:
            raise ValueError(
                "converting 'adamw_weight_decay' needs lr: AdamW shrinks by lr * weight_decay per step."
            )
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
    return _from_alpha(alpha, to, n)
