"""The penalty as a differentiable term, scaled as lpnet's conventions say.

``loss = criterion(out, y) + penalty(model, "l1", alpha)`` with a mean ``criterion`` is lpnet's objective
``1/n sum_i loss_i + P(w)`` over the weights only (biases and normalization layers excluded, see
:func:`lpnet.torch.split_parameters`), for any penalty of lpnet's registry
(:func:`lpnet.penalties.penalty_names`) or any :class:`lpnet.penalties.Penalty` instance.

How a penalty acts on tensors is read from the penalty object, never from its name:

* one of the form ``tau |w| + mu/2 w^2`` (its zero threshold ``tau`` and strong convexity ``mu``
  account for its value: L1, L2, the Elastic Net) is written with torch operations;
* one that is a multiple of ``|w|^p`` (a finite ``exponent``: Lp) too;
* any other goes through the penalty's own numpy methods on a CPU float64 copy: ``Penalty.value`` for
  the term, the minimum-norm subgradient ``sign(w) * subdiff_distance(w, 0)`` for its gradient.

The torch forms stay for the penalties they cover because they keep the computation on the tensor's
device (no copy to the host and back each step on a GPU) and stay differentiable twice (Hessian-vector
products, gradient penalties), which a numpy round trip is not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields

import numpy as np
import torch
from torch import nn
from torch.autograd.function import once_differentiable

from .._validation import check_alpha
from ..penalties import (
    Penalty,
    make_penalty,
    penalty_class,
    penalty_names,
    penalty_parameters,
)
from .groups import split_parameters

GROUPINGS = (None, "rows")
DEFAULT_ALPHA = 1e-4
#: where a penalty's value is compared with ``tau |w| + mu/2 w^2`` before the torch form is trusted
_PROBES = np.array([0.5, 1.0, 3.0])


def __getattr__(name):
    # the registered names, read when asked for: a penalty registered later is listed too
    if name == "KINDS":
        return penalty_names()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --------------------------------------------------------------------------- the forms on tensors
@dataclass(frozen=True)
class ShrinkForm:
    """``alpha (tau |w| + mu/2 w^2)`` per entry: prox by soft-thresholding at ``step alpha tau``, then
    ``/ (1 + step alpha mu)``."""

    alpha: float
    tau: float
    mu: float


@dataclass(frozen=True)
class PowerForm:
    """``alpha c |w|^p`` per entry; ``penalty`` proxes the exponents without a closed form in torch."""

    alpha: float
    c: float
    p: float
    penalty: Penalty


@dataclass(frozen=True)
class GenericForm:
    """Any separable penalty, through its numpy methods on a CPU float64 copy."""

    penalty: Penalty


def torch_form(penalty: Penalty) -> ShrinkForm | PowerForm | GenericForm:
    """How ``penalty`` (without per-feature weights) acts on tensors: decided from what it says about itself.

    The shape is read at ``alpha = 1`` (so ``alpha = 0`` does not make every penalty look alike); the
    forms keep ``alpha`` apart, as the penalties' own formulas do, so that they round alike.
    """
    unit = penalty.with_alpha(1.0)
    if unit.is_convex:
        tau, mu = float(unit.zero_threshold(1)[0]), float(unit.strong_convexity(1)[0])
        values = np.array([unit.value(np.array([t])) for t in _PROBES])
        if np.allclose(values, tau * _PROBES + 0.5 * mu * _PROBES**2, rtol=1e-12, atol=0.0):
            return ShrinkForm(penalty.alpha, tau, mu)
    if math.isfinite(unit.exponent):
        return PowerForm(penalty.alpha, unit.value(np.ones(1)), float(unit.exponent), penalty)
    return GenericForm(penalty)


def host_copy(w: torch.Tensor) -> np.ndarray:
    """``w`` flattened as a float64 numpy array on the CPU (no copy when it already is one)."""
    return w.detach().to("cpu", torch.float64).reshape(-1).numpy()


class _PenaltyTerm(torch.autograd.Function):
    """``Penalty.value`` with the minimum-norm subgradient as its gradient.

    ``sign(w) * dist(0, dP(w))`` is ``P'(w)`` where ``P`` is differentiable, since these penalties
    grow with ``|w|``; at a kink of ``P`` at 0 (L1) it is 0, the subgradient a descent method can rest on.
    """

    @staticmethod
    def forward(ctx, w, penalty):
        ctx.save_for_backward(w)
        ctx.penalty = penalty
        return w.new_tensor(penalty.value(host_copy(w)))

    @staticmethod
    @once_differentiable
    def backward(ctx, grad):
        (w,) = ctx.saved_tensors
        x = host_copy(w)
        slope = np.sign(x) * ctx.penalty.subdiff_distance(x, np.zeros_like(x))
        return grad * torch.from_numpy(slope).reshape(w.shape).to(w.device, w.dtype), None


def _abs_pow(w: torch.Tensor, p: float) -> torch.Tensor:
    """``|w|^p`` whose gradient at ``w = 0`` is 0, not NaN, for p < 1 (0 is in the limiting
    subdifferential there; the true remedy for p < 1 is the proximal step of :class:`Proximal`)."""
    a = w.abs()
    if p >= 1.0:
        return a.pow(p)
    nonzero = a > 0
    return torch.where(nonzero, torch.where(nonzero, a, torch.ones_like(a)).pow(p), torch.zeros_like(a))


def form_value(w: torch.Tensor, form) -> torch.Tensor:
    """``sum_j P(w_j)`` of a tensor under one of the forms of :func:`torch_form` (differentiable)."""
    if isinstance(form, ShrinkForm):
        if form.mu == 0.0:
            return form.alpha * (form.tau * w.abs().sum())
        if form.tau == 0.0:
            return form.alpha * (0.5 * form.mu * w.square().sum())
        return form.alpha * (form.tau * w.abs().sum() + 0.5 * form.mu * w.square().sum())
    if isinstance(form, PowerForm):
        return form.alpha * form.c * _abs_pow(w, form.p).sum()
    return _PenaltyTerm.apply(w, form.penalty)


# --------------------------------------------------------------------------- the configuration
@dataclass(frozen=True)
class PenaltyConfig:
    """A validated penalty for network tensors.

    Parameters
    ----------
    kind : str or Penalty, default="l1"
        A name from :func:`lpnet.penalties.penalty_names`, or a :class:`~lpnet.penalties.Penalty`
        without per-feature ``weights`` (one of the registry's classes is stored by its name and
        parameters, so that :meth:`as_dict` is plain data).
    alpha : float, optional
        Strength, >= 0: 1e-4 for a name by default; a ``Penalty``'s own ``alpha`` unless given.
    l1_ratio, p : float
        Shape parameters of the penalties that take them (the Elastic Net, Lp); ignored by the others.
    group : {None, "rows"}
        ``"rows"`` is the group lasso over a layer's output units: the groups are the slices along a
        weight's output dimension (rows of a ``Linear`` weight, output channels of a ``Conv`` weight)
        and the penalty applies to their Euclidean norms, ``sum_g P(||w_g||_2)``: ``alpha sum_g
        ||w_g||_2`` for L1, the same plus ``alpha (1 - l1_ratio)/2 ||w||^2`` for the Elastic Net.  It
        needs a convex penalty with an L1 part (a zero threshold > 0), which sets whole units to 0.
    params : dict
        The other shape parameters of ``kind``, by name.

    Attributes
    ----------
    penalty : Penalty
        The lpnet penalty these settings make.
    form : ShrinkForm, PowerForm or GenericForm
        How it acts on tensors (:func:`torch_form`).
    """

    kind: str | Penalty = "l1"
    alpha: float | None = None
    l1_ratio: float = 0.5
    p: float = 1.0
    group: str | None = None
    params: dict = field(default_factory=dict, hash=False)  # a dict: the configuration stays hashable

    def __post_init__(self):
        if self.group not in GROUPINGS:
            raise ValueError(f"group must be None or 'rows', got {self.group!r}.")
        pen = self._build()
        if self.group is not None and not groups_units(pen):
            takers = ", ".join(n for n in penalty_names() if groups_units(make_penalty(n)))
            raise ValueError(
                f"group='rows' is the group lasso: it needs a convex penalty with an L1 part, which zeroes "
                f"whole units ({takers} at their defaults), not {pen.with_alpha(1.0).label}."
            )
        object.__setattr__(self, "penalty", pen)
        object.__setattr__(self, "form", torch_form(pen))

    def _build(self) -> Penalty:
        if isinstance(self.kind, Penalty):
            pen = self.kind
            if pen.weights is not None:
                raise ValueError(
                    "a Penalty with per-feature weights does not apply to network tensors; build it without weights."
                )
            if self.alpha is not None:
                pen = pen.with_alpha(self.alpha)
            if pen.name in penalty_names() and penalty_class(pen.name) is type(pen):
                self._store_by_name(pen)
            else:
                object.__setattr__(self, "alpha", pen.alpha)
            return pen
        if not isinstance(self.kind, str) or self.kind not in penalty_names():
            raise ValueError(f"kind must be one of {penalty_names()} or a Penalty instance, got {self.kind!r}.")
        own = set(penalty_parameters(self.kind))
        for key in self.params:
            if key not in own:
                raise TypeError(
                    f"{key!r} is not a parameter of penalty {self.kind!r}; its parameters are {sorted(own)}."
                )
        alpha = DEFAULT_ALPHA if self.alpha is None else check_alpha(self.alpha)
        object.__setattr__(self, "alpha", alpha)
        object.__setattr__(self, "params", dict(self.params))
        return make_penalty(self.kind, alpha, l1_ratio=self.l1_ratio, p=self.p, **self.params)

    def _store_by_name(self, pen: Penalty) -> None:
        # a registered class: name and numbers, which a state_dict can hold as plain data
        own = {f.name for f in fields(self)}
        shape = {key: float(value) for key, value in pen.shape_parameters().items()}
        object.__setattr__(self, "kind", pen.name)
        object.__setattr__(self, "alpha", pen.alpha)
        object.__setattr__(self, "params", {k: v for k, v in shape.items() if k not in own})
        for key, value in shape.items():
            if key in own:
                object.__setattr__(self, key, value)

    @property
    def name(self) -> str:
        """The penalty's registry name, or its class name for an unregistered instance."""
        return self.penalty.name or type(self.penalty).__name__

    @property
    def shape(self) -> str:
        """The kernel in use on tensors, e.g. ``"l1"``, ``"elasticnet"``, ``"half"`` (Lp with p = 1/2).

        ``lp`` with ``p = 1`` or ``2`` is the L1 or L2 penalty exactly (docs/conventions.md); a penalty
        without a torch form gives its name.
        """
        form = self.form
        if isinstance(form, ShrinkForm):
            if form.mu == 0.0:
                return "l1"
            return "l2" if form.tau == 0.0 else "elasticnet"
        if isinstance(form, PowerForm):
            if form.p == 0.5:
                return "half"
            return "two_thirds" if is_two_thirds(form.p) else "lp"
        return self.name

    def as_dict(self) -> dict:
        """The settings as keyword arguments of :class:`PenaltyConfig`."""
        return {f.name: dict(self.params) if f.name == "params" else getattr(self, f.name) for f in fields(self)}


def groups_units(penalty: Penalty) -> bool:
    """Whether ``group="rows"`` applies: a convex penalty with an L1 part (a zero threshold > 0)."""
    unit = penalty.with_alpha(1.0)
    return unit.is_convex and bool(unit.zero_threshold(1)[0] > 0.0)


def is_two_thirds(p: float) -> bool:
    """Whether ``p`` is 2/3 as lpnet's kernels test it (a closed-form prox)."""
    return abs(p - 2.0 / 3.0) < 1e-12


# --------------------------------------------------------------------------- tensors and groups
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


def tensor_penalty(w: torch.Tensor, config: PenaltyConfig, dim: int = 0) -> torch.Tensor:
    """The penalty of one tensor (differentiable); with ``group="rows"`` that of its units' norms."""
    if config.group is not None:
        check_group_dim(dim)
        return form_value(group_norms(w, dim), config.form)
    return form_value(w, config.form)


def penalty(
    model,
    kind="l1",
    alpha=None,
    *,
    l1_ratio=0.5,
    p=1.0,
    group=None,
    exclude_bias=True,
    exclude_norm=True,
    exclude_embedding=False,
    exclude=(),
    **params,
) -> torch.Tensor:
    """The penalty of a model's weights as a differentiable scalar.

    Added to a *mean* loss it gives lpnet's objective (docs/conventions.md)::

        loss = F.cross_entropy(model(x), y) + penalty(model, "l2", alpha=1e-3)

    Parameters
    ----------
    model : torch.nn.Module
    kind : str or Penalty, default="l1"
        Any name of :func:`lpnet.penalties.penalty_names` (``"l1"``: ``alpha sum|w|``, ``"l2"``:
        ``alpha/2 sum w^2``, ``"elasticnet"``: ``alpha sum(l1_ratio |w| + (1 - l1_ratio)/2 w^2)``,
        ``"lp"``: ``alpha/p sum |w|^p``, ...) or a :class:`~lpnet.penalties.Penalty` instance.
    alpha : float, optional
        Strength, >= 0 (lpnet's ``alpha``; :func:`lpnet.convert` maps other conventions to it):
        1e-4 by default for a name, the instance's own for a ``Penalty``.
    l1_ratio : float, default=0.5
        Elastic Net mixing.
    p : float, default=1.0
        Exponent of ``kind="lp"``, > 0.  For ``p < 1`` the gradient at an exact zero is taken as 0.
    group : {None, "rows"}, default=None
        ``"rows"``: group lasso ``sum_g P(||w_g||_2)`` over each layer's output units (rows of a
        ``Linear`` weight, output channels of a ``Conv`` weight), for a convex penalty with an L1 part.
    exclude_bias, exclude_norm, exclude_embedding, exclude
        Unpenalized parameters, as in :func:`lpnet.torch.split_parameters`.
    **params
        Other shape parameters of ``kind``, by name.

    Returns
    -------
    torch.Tensor
        A 0-d tensor (0 when nothing is penalized).

    Notes
    -----
    A loss-term L1 penalty trained by (sub)gradient steps oscillates around zero and essentially never
    produces an exact zero; :class:`lpnet.torch.Proximal` does, by proximal steps.  A penalty without
    a torch form (module docstring) is computed on a CPU copy and can be differentiated once.
    """
    config = PenaltyConfig(kind, alpha, l1_ratio, p, group, params)
    weights = split_parameters(
        model,
        exclude_bias=exclude_bias,
        exclude_norm=exclude_norm,
        exclude_embedding=exclude_embedding,
        exclude=exclude,
    ).penalized
    dims = output_dims(model) if group is not None else {}
    total = None
    for _, w in weights:
        term = tensor_penalty(w, config, dims.get(id(w), 0))
        total = term if total is None else total + term
    if total is None:
        return torch.zeros(())
    return total
