"""Every penalty lpnet knows, by name: the one list the estimators, paths, CV, save/load, the CLI, the
explorer and the PyTorch optimizer read.

A new penalty is one :class:`~lpnet.penalties.Penalty` subclass (its ``name``, its ``parameters`` with
defaults, its scalar kernels) plus one entry in ``_CLASSES`` below; every layer then offers it.
"""

from __future__ import annotations

from .base import Penalty
from .separable import L1, L2, MCP, SCAD, ElasticNet, Lp

__all__ = ["make_penalty", "penalty_class", "penalty_names", "penalty_parameters"]

# One entry per penalty, in the order menus list them.
_CLASSES: tuple[type[Penalty], ...] = (L1, L2, ElasticNet, Lp, MCP, SCAD)

_BY_NAME: dict[str, type[Penalty]] = {cls.name: cls for cls in _CLASSES}


def penalty_names() -> tuple[str, ...]:
    """The registered penalty names, e.g. ``("l1", "l2", "elasticnet", "lp", ...)``."""
    return tuple(_BY_NAME)


def penalty_class(name: str) -> type[Penalty]:
    """The class registered under ``name``; an unknown name raises ``ValueError`` listing the known ones
    (``TypeError`` when ``name`` is not a string).

    Parameters
    ----------
    name : str
        A name from :func:`penalty_names`.

    Returns
    -------
    type
        A subclass of :class:`Penalty`.
    """
    if not isinstance(name, str):
        raise TypeError(
            f"penalty must be one of {penalty_names()} (a string) or a Penalty instance, got {type(name).__name__}."
        )
    try:
        return _BY_NAME[name]
    except KeyError:
        raise ValueError(f"penalty must be one of {penalty_names()} or a Penalty instance, got {name!r}.") from None


def penalty_parameters(name: str) -> dict[str, float]:
    """The shape parameters of the penalty ``name`` and their defaults (``{}`` for L1 and L2).

    Parameters
    ----------
    name : str
        A name from :func:`penalty_names`.

    Returns
    -------
    dict
        Parameter name -> default value.
    """
    return dict(penalty_class(name).parameters)


def make_penalty(
    penalty: str | Penalty, alpha: float = 1.0, *, weights=None, lower_bounds=None, upper_bounds=None, **params
) -> Penalty:
    """A penalty from its name and parameters, or ``penalty`` itself when it is already a :class:`Penalty`.

    Parameters
    ----------
    penalty : str or Penalty
        A name from :func:`penalty_names`, or an instance (returned unchanged).
    alpha : float
        Regularization strength.
    weights : array-like of shape (n_features,), optional
        Per-feature penalty factors.
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), optional
        A box on the coefficients (see :class:`~lpnet.penalties.Penalty`); None leaves that side open.
    **params
        Shape parameters by name (``l1_ratio``, ``p``, ...).  Those the penalty does not take, and
        those given as None, are ignored, so one call serves a whole menu of penalties; a missing one
        takes its default.  Invalid values raise with a fix-it message.
    """
    if isinstance(penalty, Penalty):
        return penalty
    cls = penalty_class(penalty)
    shape = {key: params[key] for key in cls.parameters if params.get(key) is not None}
    made = cls(alpha, **shape, weights=weights)
    return made if lower_bounds is None and upper_bounds is None else made.with_bounds(lower_bounds, upper_bounds)
