"""Datafits: squared and logistic losses (see ``datafits.base`` for the interface and
``datafits.registry`` for the list every layer reads)."""

from .base import Datafit
from .cox import Cox
from .glm import Gamma, LogLinkFamily, Poisson, Tweedie
from .huber import Huber
from .logistic import Logistic
from .multinomial import Multinomial
from .multitask import MultiTaskQuadratic
from .quadratic import Quadratic
from .registry import datafit_class, datafit_names, datafit_parameters, make_datafit

__all__ = [
    "Datafit",
    "Quadratic",
    "Logistic",
    "MultiTaskQuadratic",
    "Multinomial",
    "LogLinkFamily",
    "Huber",
    "Poisson",
    "Gamma",
    "Tweedie",
    "Cox",
    "datafit_class",
    "datafit_names",
    "datafit_parameters",
    "make_datafit",
]
