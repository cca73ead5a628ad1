"""Every datafit lpnet knows, by name: the list the estimators, paths, CV, save/load and the CLI read.

A new model family is one :class:`~lpnet.datafits.Datafit` subclass (its ``name``, its target encoding,
null model, link and validation loss) plus one entry in ``_CLASSES`` below.
"""

from __future__ import annotations

from .base import Datafit
from .logistic import Logistic
from .quadratic import Quadratic

__all__ = ["datafit_class", "datafit_names", "make_datafit"]

# One entry per datafit, in the order menus list them.
_CLASSES: tuple[type[Datafit], ...] = (Quadratic, Logistic)

_BY_NAME: dict[str, type[Datafit]] = {cls.name: cls for cls in _CLASSES}


def datafit_names() -> tuple[str, ...]:
    """The registered datafit names, e.g. ``("squared", "logistic")``."""
    return tuple(_BY_NAME)


def datafit_class(name: str) -> type[Datafit]:
    """The class registered under ``name``; an unknown name raises ``ValueError`` listing the known ones
    (``TypeError`` when ``name`` is not a string)."""
    if not isinstance(name, str):
        raise TypeError(
            f"datafit must be one of {datafit_names()} (a string) or a Datafit instance, got {type(name).__name__}."
        )
    try:
        return _BY_NAME[name]
    except KeyError:
        raise ValueError(f"datafit must be one of {datafit_names()} or a Datafit instance, got {name!r}.") from None


def make_datafit(datafit: str | Datafit) -> Datafit:
    """A datafit from its name, or ``datafit`` itself when it is already a :class:`Datafit`."""
    if isinstance(datafit, Datafit):
        return datafit
    return datafit_class(datafit)()
