"""Regularization for PyTorch networks, with lpnet's scalings.

* :func:`decay_param_groups` - weight decay on weights only (biases, normalization layers and,
  optionally, embeddings left alone, detected from module types);
* :func:`penalty` - the L1 / L2 / Elastic Net / Lp / group penalty as a differentiable term;
* :class:`Proximal` - wraps any optimizer with proximal steps: exact zeros, unlike a loss-term L1;
* :func:`rescale`, :func:`balance` - the scale symmetry of ReLU networks;
* :func:`sparsity_report` - exact zeros and norms per parameter.

Needs the optional dependency ``torch`` (``pip install lpnet[torch]``); ``import lpnet`` does not
import it.  :func:`lpnet.convert` maps ``weight_decay`` and other libraries' strengths to ``alpha``.
"""

from .groups import (
    ParameterSplit,
    decay_param_groups,
    penalized_parameters,
    split_parameters,
)
from .penalty import PenaltyConfig, penalty
from .proximal import Proximal, prox_tensor
from .report import sparsity_report
from .symmetry import BalanceResult, balance, rescale

__all__ = [
    "BalanceResult",
    "ParameterSplit",
    "PenaltyConfig",
    "Proximal",
    "balance",
    "decay_param_groups",
    "penalized_parameters",
    "penalty",
    "prox_tensor",
    "rescale",
    "sparsity_report",
    "split_parameters",
]
