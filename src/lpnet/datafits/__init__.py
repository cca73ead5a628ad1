"""Datafits: squared and logistic losses (see ``datafits.base`` for the interface and
``datafits.registry`` for the list every layer reads)."""

from .base import Datafit
from .logistic import Logistic
from .quadratic import Quadratic
from .registry import datafit_class, datafit_names, make_datafit

__all__ = ["Datafit", "Quadratic", "Logistic", "datafit_class", "datafit_names", "make_datafit"]
