"""Which parameters of a network are penalized: weights yes; biases, normalization layers, optionally
embeddings, no.

The decision is made from the *module* that registers a parameter, not from its name or shape: a
parameter is a bias when its module registers it under the attribute ``bias``; a normalization layer is
any instance of torch's batch/instance-norm base class, ``LayerNorm``, ``GroupNorm`` or ``RMSNorm``.
A custom ``nn.Module`` whose parameter happens to be called ``"norm.weight"`` is therefore still
penalized, and a 1-D weight (``PReLU``) is a weight.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
from torch import nn
from torch.nn.modules.batchnorm import (
    _NormBase,  # BatchNorm*, SyncBatchNorm, InstanceNorm*, lazy forms
)

NORM_TYPES: tuple[type, ...] = tuple(
    t for t in (_NormBase, nn.LayerNorm, nn.GroupNorm, getattr(nn, "RMSNorm", None)) if t is not None
)
EMBEDDING_TYPES: tuple[type, ...] = (nn.Embedding, nn.EmbeddingBag)


@dataclass
class ParameterSplit:
    """The parameters of a model, each exactly once, split into penalized and unpenalized.

    Attributes
    ----------
    penalized, unpenalized : list of (str, torch.nn.Parameter)
        ``(name, parameter)`` pairs in ``model.named_parameters()`` order; a shared parameter appears
        once, under its first name.
    reasons : dict
        Name of each unpenalized parameter -> why (``"bias"``, ``"norm"``, ``"embedding"``,
        ``"excluded"``).
    """

    penalized: list = field(default_factory=list)
    unpenalized: list = field(default_factory=list)
    reasons: dict = field(default_factory=dict)


def _check_model(model) -> nn.Module:
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}.")
    return model


def _resolve_exclude(exclude, names_of: dict) -> set[int]:
    """ids of the parameters named in ``exclude`` (parameter names, or modules: all their parameters)."""
    if isinstance(exclude, (str, nn.Module, nn.Parameter)):
        exclude = (exclude,)
    by_name = {name: p for p_id, names in names_of.items() for name, p in names}
    ids: set[int] = set()
    for item in exclude:
        if isinstance(item, str):
            if item not in by_name:
                raise ValueError(
                    f"exclude names {item!r}, which is not a parameter of the model; use a name from "
                    "model.named_parameters() or pass the module itself."
                )
            ids.add(id(by_name[item]))
        elif isinstance(item, nn.Module):
            ids.update(id(p) for p in item.parameters())
        elif isinstance(item, torch.Tensor):
            ids.add(id(item))
        else:
            raise TypeError(f"exclude takes parameter names, parameters or modules, got {type(item).__name__}.")
    return ids


def split_parameters(
    model, *, exclude_bias=True, exclude_norm=True, exclude_embedding=False, exclude=()
) -> ParameterSplit:
    """Split a model's parameters into penalized weights and unpenalized ones.

    Parameters
    ----------
    model : torch.nn.Module
    exclude_bias : bool, default=True
        Leave every parameter registered as ``bias`` of its module unpenalized.
    exclude_norm : bool, default=True
        Leave all parameters of normalization layers (BatchNorm, InstanceNorm, LayerNorm, GroupNorm,
        RMSNorm) unpenalized.
    exclude_embedding : bool, default=False
        Leave ``nn.Embedding``/``nn.EmbeddingBag`` tables unpenalized.
    exclude : iterable of str, Parameter or Module, default=()
        More parameters to leave alone: names from ``model.named_parameters()`` (any alias of a shared
        parameter), parameters, or modules (all their parameters).

    Returns
    -------
    ParameterSplit

    Notes
    -----
    A parameter shared by several modules (tied weights) is unpenalized as soon as one of the modules
    that own it excludes it: tying an embedding table to an output layer and asking for embeddings to be
    excluded leaves the shared matrix alone.
    """
    model = _check_model(model)
    reasons_by_id: dict[int, str] = {}
    for module in model.modules():
        if exclude_norm and isinstance(module, NORM_TYPES):
            for p in module.parameters(recurse=False):
                reasons_by_id.setdefault(id(p), "norm")
        if exclude_embedding and isinstance(module, EMBEDDING_TYPES):
            for p in module.parameters(recurse=False):
                reasons_by_id.setdefault(id(p), "embedding")
        if exclude_bias:
            bias = module._parameters.get("bias")  # the registered parameter, not a same-named buffer
            if bias is not None:
                reasons_by_id.setdefault(id(bias), "bias")
    # every name of every parameter, so that exclude accepts any alias of a tied parameter
    names_of: dict[int, list] = {}
    for name, p in model.named_parameters(remove_duplicate=False):
        names_of.setdefault(id(p), []).append((name, p))
    for p_id in _resolve_exclude(exclude, names_of):
        reasons_by_id.setdefault(p_id, "excluded")

    split = ParameterSplit()
    for name, p in model.named_parameters():  # remove_duplicate=True: each parameter once
        reason = reasons_by_id.get(id(p))
        if reason is None:
            split.penalized.append((name, p))
        else:
            split.unpenalized.append((name, p))
            split.reasons[name] = reason
    return split


def penalized_parameters(model, **exclusion) -> list:
    """The ``(name, parameter)`` pairs that :func:`split_parameters` penalizes (same keywords).

    Parameters
    ----------
    model : torch.nn.Module
        The network.
    **exclusion
        The keywords of :func:`split_parameters` (``exclude_bias``, ``exclude_norm``, ...).

    Returns
    -------
    list of (str, torch.nn.Parameter)
        The penalized parameters with their names.
    """
    return split_parameters(model, **exclusion).penalized


def decay_param_groups(
    model, weight_decay, *, exclude_bias=True, exclude_norm=True, exclude_embedding=False, exclude=()
) -> list[dict]:
    """Parameter groups for any ``torch.optim`` optimizer so that weight decay hits weights only.

    ``torch.optim.SGD(model.parameters(), weight_decay=wd)`` decays every parameter, biases and
    normalization scales included.  Passing these groups instead decays the weights and nothing else::

        opt = torch.optim.SGD(decay_param_groups(model, 5e-4), lr=0.1, momentum=0.9)

    With SGD, ``weight_decay=wd`` is lpnet's L2 penalty ``wd/2 ||w||^2`` added to the mean loss
    (see :func:`lpnet.convert`).

    Parameters
    ----------
    model : torch.nn.Module
    weight_decay : float
        Decay of the penalized group, >= 0.
    exclude_bias, exclude_norm, exclude_embedding, exclude
        Which parameters are left undecayed, as in :func:`split_parameters` (detected from module
        types, not names).

    Returns
    -------
    list of dict
        ``[{"params": weights, "weight_decay": weight_decay}, {"params": others, "weight_decay": 0.0}]``;
        every parameter of the model appears in exactly one group (shared parameters once).  A group
        with no parameters is left out.
    """
    if (
        isinstance(weight_decay, bool)
        or not isinstance(weight_decay, (int, float))
        or not math.isfinite(weight_decay)
        or weight_decay < 0
    ):
        raise ValueError(f"weight_decay must be a number >= 0, got {weight_decay!r}.")
    split = split_parameters(
        model,
        exclude_bias=exclude_bias,
        exclude_norm=exclude_norm,
        exclude_embedding=exclude_embedding,
        exclude=exclude,
    )
    groups = [
        {"params": [p for _, p in split.penalized], "weight_decay": float(weight_decay)},
        {"params": [p for _, p in split.unpenalized], "weight_decay": 0.0},
    ]
    return [g for g in groups if g["params"]]
