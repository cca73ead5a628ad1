"""Every datafit lpnet knows, by name: the list the estimators, paths, CV, save/load and the CLI read.

A new model family is one :class:`~lpnet.datafits.Datafit` subclass (its ``name``, its target encoding,
null model, link and validation loss) plus one entry in ``_CLASSES`` below.
"""

from __future__ import annotations

from .base import Datafit
from .cox import Cox
from .glm import Gamma, Poisson, Tweedie
from .huber import Huber
from .logistic import Logistic
from .multinomial import Multinomial
from .multitask import MultiTaskQuadratic
from .quadratic import Quadratic

__all__ = ["datafit_class", "datafit_names", "datafit_parameters", "make_datafit"]

# One entry per datafit, in the order menus list them.
_CLASSES: tuple[type[Datafit], ...] = (
    Quadratic,
    Logistic,
    Poisson,
    Gamma,
    Tweedie,
    Huber,
    MultiTaskQuadratic,
    Cox,
    Multinomial,
)

_BY_NAME: dict[str, type[Datafit]] = {cls.name: cls for cls in _CLASSES}


def datafit_names() -> tuple[str, ...]:
    """The registered datafit names, e.g. ``("squared", "logistic")``."""
    return tuple(_BY_NAME)


def datafit_class(name: str) -> type[Datafit]:
    """The class registered under ``name``; an unknown name raises ``ValueError`` listing the known ones
    (``TypeError`` when ``name`` is not a string).

    Parameters
    ----------
    name : str
        A name from :func:`datafit_names`.

    Returns
    -------
    type
        A subclass of :class:`Datafit`.
    """
    if not isinstance(name, str):
        raise TypeError(
            f"datafit must be one of {datafit_names()} (a string) or a Datafit instance, got {type(name).__name__}."
        )
    try:
        return _BY_NAME[name]
    except KeyError:
        raise ValueError(f"datafit must be one of {datafit_names()} or a Datafit instance, got {name!r}.") from None


def datafit_parameters(name: str) -> dict[str, object]:
    """The parameters of the datafit registered under ``name`` with their defaults (e.g. the Tweedie
    ``power``); empty for most.

    Parameters
    ----------
    name : str
        A name from :func:`datafit_names`.

    Returns
    -------
    dict
        Parameter name -> default value.
    """
    return dict(datafit_class(name).parameters)


def make_datafit(datafit: str | Datafit, **params) -> Datafit:
    """A datafit from its name and its parameters (those it does not take are ignored, None means the
    default), or ``datafit`` itself when it is already a :class:`Datafit`.

    Parameters
    ----------
    datafit : str or Datafit
        A name from :func:`datafit_names`, or a datafit, returned as it is.
    **params
        The datafit's parameters by name (e.g. ``power`` for Tweedie).

    Returns
    -------
    Datafit
        The datafit.
    """
    if isinstance(datafit, Datafit):
        return datafit
    cls = datafit_class(datafit)
    return cls(**{k: v for k, v in params.items() if k in cls.parameters and v is not None})
