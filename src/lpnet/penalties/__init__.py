"""Penalties: L1, L2, Elastic Net, Lp, MCP and SCAD (see ``penalties.base`` for the interface and
``penalties.registry`` for the list every layer reads)."""

from .base import Penalty, PenaltyKernels
from .groups import SparseGroup, parse_groups
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
    "SparseGroup",
    "parse_groups",
    "make_penalty",
    "penalty_class",
    "penalty_names",
    "penalty_parameters",
]
