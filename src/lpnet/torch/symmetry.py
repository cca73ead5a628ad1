"""The scale symmetry of ReLU networks, as a tool.

For a positively homogeneous activation (``s(c x) = c s(x)`` for ``c > 0``: ReLU, LeakyReLU, PReLU,
identity), multiplying a hidden unit's incoming weights and bias by ``c`` and its outgoing weights by
``1/c`` leaves the network's function unchanged.  The weights, and hence any weight penalty, do change:
an L2 penalty is not a property of the function but of one of its many parametrizations.
:func:`balance` picks the parametrization with the smallest L2 penalty.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

#: activations with s(c x) = c s(x) for every c > 0 (Dropout too: it multiplies by a fixed mask)
HOMOGENEOUS = (nn.ReLU, nn.LeakyReLU, nn.PReLU, nn.Identity, nn.Dropout)


def _check_sequential(model) -> nn.Sequential:
    if not isinstance(model, nn.Sequential):
        raise TypeError(
            f"model must be a torch.nn.Sequential of Linear layers and activations, got {type(model).__name__}."
        )
    return model


def _next_linear(model: nn.Sequential, layer: int) -> int:
    """Index of the Linear layer after ``model[layer]``, checking the activations between them."""
    n = len(model)
    if isinstance(layer, bool) or not isinstance(layer, int) or not -n <= layer < n:
        raise IndexError(f"layer must be an index into the Sequential (0..{n - 1}), got {layer!r}.")
    layer %= n
    if not isinstance(model[layer], nn.Linear):
        raise TypeError(f"model[{layer}] is {type(model[layer]).__name__}, not a Linear layer.")
    for j in range(layer + 1, n):
        module = model[j]
        if isinstance(module, nn.Linear):
            return j
        if not isinstance(module, HOMOGENEOUS):
            raise TypeError(
                f"model[{j}] is {type(module).__name__}, which is not positively homogeneous "
                "(s(c x) != c s(x)): rescaling around it would change the function.  Only ReLU, LeakyReLU, "
                "PReLU, Identity and Dropout may sit between the two Linear layers."
            )
    raise ValueError(f"model[{layer}] has no next Linear layer whose weights could absorb 1/c.")


def _check_scale(c, n_units: int, like: torch.Tensor) -> torch.Tensor:
    c_t = torch.as_tensor(c, dtype=like.dtype, device=like.device)
    if c_t.dim() > 1 or (c_t.dim() == 1 and c_t.shape[0] != n_units):
        raise ValueError(f"c must be a number or one factor per unit ({n_units}), got shape {tuple(c_t.shape)}.")
    if not bool(torch.all(torch.isfinite(c_t) & (c_t > 0))):
        raise ValueError(f"c must be finite and > 0 (a negative c does not commute with ReLU), got {c!r}.")
    return c_t.expand(n_units)


@torch.no_grad()
def rescale(model, layer, c) -> nn.Sequential:
    """Rescale a hidden layer without changing the network's function.

    Multiplies ``model[layer]``'s weight and bias by ``c`` and the next Linear layer's weight by
    ``1/c`` (per input column), in place.

    Parameters
    ----------
    model : torch.nn.Sequential
        An MLP: Linear layers separated by positively homogeneous activations.
    layer : int
        Index in ``model`` of a Linear layer followed (through activations) by another Linear layer.
    c : float or array-like of shape (out_features,)
        Factor > 0, one for the whole layer or one per output unit.

    Returns
    -------
    torch.nn.Sequential
        ``model`` itself.

    Raises
    ------
    TypeError
        If ``model`` is not an ``nn.Sequential``, ``model[layer]`` is not Linear, or an activation
        between it and the next Linear is not positively homogeneous (Tanh, Sigmoid, GELU, ReLU6, ...).
    IndexError
        If ``layer`` is not an index into ``model``.
    ValueError
        If ``model[layer]`` has no next Linear layer, or ``c`` is not finite and > 0.
    """
    model = _check_sequential(model)
    nxt = _next_linear(model, layer)
    first, second = model[layer], model[nxt]
    c_t = _check_scale(c, first.out_features, first.weight)
    first.weight.mul_(c_t[:, None])
    if first.bias is not None:
        first.bias.mul_(c_t)
    second.weight.div_(c_t.to(second.weight.dtype)[None, :])
    return model


@dataclass
class BalanceResult:
    """What :func:`balance` did.

    Attributes
    ----------
    penalty_before, penalty_after : float
        ``alpha/2 sum_k ||W_k||_F^2`` over the Linear weights (biases are not penalized).
    sweeps : int
        Passes over the hidden layers.
    converged : bool
        Whether the last sweep lowered the penalty by less than ``tol`` relatively.
    """

    penalty_before: float
    penalty_after: float
    sweeps: int
    converged: bool


def _l2(model: nn.Sequential, linear: list[int], alpha: float) -> float:
    return 0.5 * alpha * sum(float(model[i].weight.double().square().sum()) for i in linear)


@torch.no_grad()
def balance(model, *, alpha=1.0, tol=1e-10, max_sweeps=1000) -> BalanceResult:
    """Rescale every hidden unit so that the L2 penalty is minimal; the function does not change.

    For a hidden unit with incoming weights ``a`` (its row of ``W_k``) and outgoing weights ``o`` (its
    column of ``W_{k+1}``), scaling by ``c`` gives the penalty ``c^2 ||a||^2 + ||o||^2 / c^2``, smallest
    at ``c^2 = ||o|| / ||a||``, where both norms become equal.  The bias is scaled along (the function
    needs it) but not counted, since biases are not penalized.  Balancing a unit changes the norms seen
    by its neighbours in adjacent layers, so deep networks are swept layer by layer until the penalty
    stops decreasing: in the log-scales the penalty is a convex sum of exponentials and each unit update
    is an exact coordinate minimization, so the sweeps converge to the balanced minimum.

    Units with all-zero incoming or outgoing weights are left alone (their penalty has no minimizer:
    it decreases forever as ``c`` goes to 0 or infinity).

    Parameters
    ----------
    model : torch.nn.Sequential
        An MLP of Linear layers separated by positively homogeneous activations (see :func:`rescale`).
    alpha : float, default=1.0
        Scale of the reported penalty ``alpha/2 sum ||W||^2``; it does not change the result.
    tol : float, default=1e-10
        Stop when a sweep lowers the penalty by less than ``tol`` times its value.
    max_sweeps : int, default=1000

    Returns
    -------
    BalanceResult
    """
    model = _check_sequential(model)
    linear = [i for i, m in enumerate(model) if isinstance(m, nn.Linear)]
    pairs = [(i, _next_linear(model, i)) for i in linear[:-1]]
    before = current = _l2(model, linear, alpha)
    sweeps, converged = 0, not pairs
    while not converged and sweeps < max_sweeps:
        sweeps += 1
        for i, j in pairs:
            norm_in = torch.linalg.vector_norm(model[i].weight, dim=1)
            norm_out = torch.linalg.vector_norm(model[j].weight, dim=0).to(norm_in.dtype)
            alive = (norm_in > 0) & (norm_out > 0)
            c = torch.where(
                alive, norm_out / torch.where(alive, norm_in, torch.ones_like(norm_in)), torch.ones_like(norm_in)
            ).sqrt()
            rescale(model, i, c)
        new = _l2(model, linear, alpha)
        converged = current - new <= tol * max(current, math.ulp(1.0))
        current = new
    return BalanceResult(penalty_before=before, penalty_after=current, sweeps=sweeps, converged=converged)
