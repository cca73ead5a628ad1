"""Datafits: squared and logistic losses (see ``datafits.base`` for the interface)."""
from .base import Datafit
from .logistic import Logistic
from .quadratic import Quadratic

__all__ = ["Datafit", "Quadratic", "Logistic"]
