"""Penalties: L1, L2, Elastic Net, Lp, MCP and SCAD (see ``penalties.base`` for the interface and
``penalties.registry`` for the list every layer reads)."""

from .base import Penalty, PenaltyKernels
from .registry import make_penalty, penalty_class, penalty_names, penalty_parameters
from .rows import L21
from .separable import L1, L2, MCP, SCAD, ElasticNet, Lp

__all__ = [
    "Penalty",
    "PenaltyKernels",
    "L1",
    "L2",
    "ElasticNet",
    "Lp",
    "MCP",
    "SCAD",
    "L21",
    "make_penalty",
    "penalty_class",
    "penalty_names",
    "penalty_parameters",
]
