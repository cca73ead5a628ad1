"""The penalty as a differentiable term, scaled as lpnet's conventions say.

``loss = criterion(out, y) + penalty(model, "l1", alpha)`` with a mean ``criterion`` is lpnet's objective
``1/n sum_i loss_i + P(w)``: ``alpha ||w||_1``, ``alpha/2 ||w||^2``,
``alpha (l1_ratio ||w||_1 + (1 - l1_ratio)/2 ||w||^2)`` or ``alpha/p sum_j |w_j|^p``, over the weights only
(biases and normalization layers excluded, see :func:`lpnet.torch.split_parameters`).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn

from .._validation import check_alpha, check_l1_ratio, check_p
from .groups import split_parameters

KINDS = ("l1", "l2", "elasticnet", "lp")
GROUPINGS = (None, "rows")


@dataclass(frozen=True)
class PenaltyConfig:
    """A validated penalty: ``kind``, ``alpha``, ``l1_ratio``, ``p`` and ``group`` (None or ``"rows"``).

    ``group="rows"`` is the group lasso over a layer's output units: the groups are the slices along a
    weight's output dimension (rows of a ``Linear`` weight, output channels of a ``Conv`` weight), and
    ``||w||_1`` becomes ``sum_g ||w_g||_2`` (in the Elastic Net too).  It applies to ``"l1"`` and
    ``"elasticnet"``.
    """

    kind: str = "l1"
    alpha: float = 1e-4
    l1_ratio: float = 0.5
    p: float = 1.0
    group: str | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}.")
        object.__setattr__(self, "alpha", check_alpha(self.alpha))
        object.__setattr__(self, "l1_ratio", check_l1_ratio(self.l1_ratio))
        object.__setattr__(self, "p", check_p(self.p))
        if self.group not in GROUPINGS:
            raise ValueError(f"group must be None or 'rows', got {self.group!r}.")
        if self.group is not None and self.kind not in ("l1", "elasticnet"):
            raise ValueError(
                f"group='rows' is the group lasso: use it with kind='l1' or 'elasticnet', not {self.kind!r} "
                "(an L2 penalty over groups is the plain L2 penalty)."
            )

    @property
    def shape(self) -> str:
        """The kernel in use: ``"l1"``, ``"l2"``, ``"elasticnet"``, ``"half"``, ``"two_thirds"`` or ``"lp"``.

        ``lp`` with ``p = 1`` or ``2`` is the L1 or L2 penalty exactly (CONVENTIONS.md).
        """
        if self.kind != "lp":
            return self.kind
        if self.p == 1.0:
            return "l1"
        if self.p == 2.0:
            return "l2"
        if self.p == 0.5:
            return "half"
        if abs(self.p - 2.0 / 3.0) < 1e-12:
            return "two_thirds"
        return "lp"

    def as_dict(self) -> dict:
        return asdict(self)


def output_dims(model: nn.Module) -> dict[int, int]:
    """``id(parameter) -> dimension indexing its layer's output units``, for the parameters where it is
    not dim 0 (used by ``group="rows"``).

    ``ConvTranspose`` stores its weight as ``(in, out / groups, *kernel)``: output channels are dim 1
    when ``groups == 1``; with more groups they are split across two dims, marked ``-1`` (unsupported).
    """
    dims = {}
    for module in model.modules():
        if isinstance(module, nn.modules.conv._ConvTransposeNd):
            dims[id(module.weight)] = 1 if module.groups == 1 else -1
    return dims


def check_group_dim(dim: int) -> None:
    if dim < 0:
        raise ValueError("group='rows' does not support ConvTranspose layers with groups > 1; exclude them.")


def group_norms(w: torch.Tensor, dim: int = 0) -> torch.Tensor:
    """Euclidean norm of each slice of ``w`` along ``dim`` (each entry of a 1-D tensor is its own group)."""
    if w.dim() <= 1:
        return w.abs()
    return torch.linalg.vector_norm(w, dim=tuple(d for d in range(w.dim()) if d != dim))


def _abs_pow(w: torch.Tensor, p: float) -> torch.Tensor:
    """``|w|^p`` whose gradient at ``w = 0`` is 0, not NaN, for p < 1 (0 is in the limiting
    subdifferential there; the true remedy for p < 1 is the proximal step of :class:`Proximal`)."""
    a = w.abs()
    if p >= 1.0:
        return a.pow(p)
    nonzero = a > 0
    return torch.where(nonzero, torch.where(nonzero, a, torch.ones_like(a)).pow(p), torch.zeros_like(a))


def tensor_penalty(w: torch.Tensor, config: PenaltyConfig, dim: int = 0) -> torch.Tensor:
    """The penalty of one tensor (differentiable)."""
    a = config.alpha
    shape = config.shape
    if config.group is not None:
        check_group_dim(dim)
        norms = group_norms(w, dim)
        if shape == "l1":
            return a * norms.sum()
        rho = config.l1_ratio
        return a * (rho * norms.sum() + 0.5 * (1.0 - rho) * norms.square().sum())
    if shape == "l1":
        return a * w.abs().sum()
    if shape == "l2":
        return 0.5 * a * w.square().sum()
    if shape == "elasticnet":
        rho = config.l1_ratio
        return a * (rho * w.abs().sum() + 0.5 * (1.0 - rho) * w.square().sum())
    return a / config.p * _abs_pow(w, config.p).sum()


def penalty(model, kind="l1", alpha=1e-4, *, l1_ratio=0.5, p=1.0, group=None, exclude_bias=True,
            exclude_norm=True, exclude_embedding=False, exclude=()) -> torch.Tensor:
    """The penalty of a model's weights as a differentiable scalar.

    Added to a *mean* loss it gives lpnet's objective (CONVENTIONS.md)::

        loss = F.cross_entropy(model(x), y) + penalty(model, "l2", alpha=1e-3)

    Parameters
    ----------
    model : torch.nn.Module
    kind : {"l1", "l2", "elasticnet", "lp"}, default="l1"
        ``alpha sum|w|``, ``alpha/2 sum w^2``, ``alpha sum(l1_ratio |w| + (1 - l1_ratio)/2 w^2)`` or
        ``alpha/p sum |w|^p``.
    alpha : float, default=1e-4
        Strength, >= 0 (lpnet's ``alpha``; :func:`lpnet.convert` maps other conventions to it).
    l1_ratio : float, default=0.5
        Elastic Net mixing.
    p : float, default=1.0
        Exponent of ``kind="lp"``, > 0.  For ``p < 1`` the gradient at an exact zero is taken as 0.
    group : {None, "rows"}, default=None
        ``"rows"``: group lasso ``alpha sum_g ||w_g||_2`` over each layer's output units (rows of a
        ``Linear`` weight, output channels of a ``Conv`` weight); ``kind`` "l1" or "elasticnet".
    exclude_bias, exclude_norm, exclude_embedding, exclude
        Unpenalized parameters, as in :func:`lpnet.torch.split_parameters`.

    Returns
    -------
    torch.Tensor
        A 0-d tensor (0 when nothing is penalized).

    Notes
    -----
    A loss-term L1 penalty trained by (sub)gradient steps oscillates around zero and essentially never
    produces an exact zero; :class:`lpnet.torch.Proximal` does, by proximal steps.
    """
    config = PenaltyConfig(kind, alpha, l1_ratio, p, group)
    params = split_parameters(model, exclude_bias=exclude_bias, exclude_norm=exclude_norm,
                              exclude_embedding=exclude_embedding, exclude=exclude).penalized
    dims = output_dims(model) if group is not None else {}
    total = None
    for _, w in params:
        term = tensor_penalty(w, config, dims.get(id(w), 0))
        total = term if total is None else total + term
    if total is None:
        return torch.zeros(())
    return total

