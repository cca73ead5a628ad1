"""Penalties: L1, L2, Elastic Net and Lp (see ``penalties.base`` for the interface)."""
from .base import Penalty, PenaltyKernels
from .separable import L1, L2, ElasticNet, Lp

__all__ = ["Penalty", "PenaltyKernels", "L1", "L2", "ElasticNet", "Lp"]
