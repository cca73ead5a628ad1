"""Proximal steps for PyTorch optimizers: true zeros from an L1 (or Lp, group, any registered) penalty.

After the wrapped optimizer's step ``w <- w - lr * update``, :class:`Proximal` applies

    w <- prox_{lr * P}(w) = argmin_z 1/2 ||z - w||^2 + lr * P(z)

to each penalized weight, ``lr`` being the parameter group's learning rate at that moment.  For plain
SGD this is proximal gradient descent on ``mean loss + P``; soft-thresholding sets every coordinate whose
magnitude falls below ``lr * alpha`` to exactly 0, which a loss-term subgradient never does.

The prox is the penalty object's (:meth:`lpnet.penalties.Penalty.prox`, on a CPU float64 copy of the
tensor), except for the forms :func:`lpnet.torch.penalty.torch_form` recognizes, which have closed
forms in torch and stay on the tensor's device: soft-thresholding and its ridge-shrunk form (L1, L2,
Elastic Net) and the thresholding rules of ``|w|^(1/2)`` and ``|w|^(2/3)``.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .groups import split_parameters
from .penalty import (
    PenaltyConfig,
    PowerForm,
    ShrinkForm,
    check_group_dim,
    group_norms,
    host_copy,
    is_two_thirds,
    output_dims,
)

_TINY = {t: torch.finfo(t).tiny for t in (torch.float16, torch.bfloat16, torch.float32, torch.float64)}

# --------------------------------------------------------------------------- tensor proxes
# Each mirrors lpnet's scalar kernel in lpnet.penalties.prox with v = 1: the prox of lam/p |z|^p.


def _half_threshold(w: torch.Tensor, lam: float) -> torch.Tensor:
    """p = 1/2 (Xu et al. 2012): prox of ``lam/p |z|^p = 2 lam |z|^(1/2)``, i.e. their ``mu = 4 lam``."""
    mu = 4.0 * lam
    a = w.abs()
    keep = a > 54.0 ** (1.0 / 3.0) / 4.0 * mu ** (2.0 / 3.0)
    # acos's argument exceeds 1 below the threshold; those entries are discarded by the where
    safe = torch.where(keep, a, torch.ones_like(a))
    phi = torch.acos(torch.clamp(mu / 8.0 * (safe / 3.0).pow(-1.5), -1.0, 1.0))
    z = 2.0 / 3.0 * w * (1.0 + torch.cos(2.0 * math.pi / 3.0 - 2.0 / 3.0 * phi))
    return torch.where(keep, z, torch.zeros_like(w))


def _two_thirds_threshold(w: torch.Tensor, lam: float) -> torch.Tensor:
    """p = 2/3: Ferrari's solution of the quartic ``t^4 - a t + lam = 0`` (u = t^3), two Newton steps,
    then the comparison with z = 0 (see ``lpnet.penalties.prox.two_thirds_threshold``)."""
    a = w.abs()
    q = a * a / 16.0
    disc = q * q - lam**3 / 27.0
    s = torch.sqrt(torch.clamp(disc, min=0.0))
    m_cardano = (q + s).pow(1.0 / 3.0) + torch.clamp(q - s, min=0.0).pow(1.0 / 3.0)
    r = (lam / 3.0) ** 1.5
    m_trig = 2.0 * math.sqrt(lam / 3.0) * torch.cos(torch.acos(torch.clamp(q / r, max=1.0)) / 3.0)
    m = torch.where(disc >= 0.0, m_cardano, m_trig)
    ok = m > 0.0
    r2m = torch.sqrt(torch.where(ok, 2.0 * m, torch.ones_like(m)))
    inner = 2.0 * a / r2m - 2.0 * m
    ok = ok & (inner >= 0.0) & (a > 0.0)
    t = 0.5 * (r2m + torch.sqrt(torch.clamp(inner, min=0.0)))
    u = torch.where(ok, t.pow(3), torch.ones_like(t))
    for _ in range(2):  # Ferrari cancels digits far above the threshold; Newton restores them
        g = u + lam * u.pow(-1.0 / 3.0) - a
        u = u - g / (1.0 - lam / 3.0 * u.pow(-4.0 / 3.0))
    u = torch.where(ok, u, torch.zeros_like(u))
    p = 2.0 / 3.0
    better = 0.5 * (u - a).square() + lam / p * u.pow(p) < 0.5 * a * a  # ties go to 0, as in lpnet
    return torch.where(ok & better, torch.copysign(u, w), torch.zeros_like(w))


def form_prox_(w: torch.Tensor, step: float, form) -> torch.Tensor:
    """In place: the entrywise prox of ``step * P`` under one of the forms of :func:`~.penalty.torch_form`."""
    if isinstance(form, ShrinkForm):
        lam = step * form.alpha
        if form.tau > 0.0:
            t = lam * form.tau
            # soft-thresholding in place: w - clamp(w, -t, t) is exactly 0 wherever |w| <= t
            w.sub_(w.clamp(-t, t))
        if form.mu > 0.0:
            w.div_(1.0 + lam * form.mu)
        return w
    # the closed forms are those of lam/p |z|^p
    if isinstance(form, PowerForm) and form.p == 0.5:
        return w.copy_(_half_threshold(w, step * form.alpha * form.c * form.p))
    if isinstance(form, PowerForm) and is_two_thirds(form.p):
        return w.copy_(_two_thirds_threshold(w, step * form.alpha * form.c * form.p))
    # no closed form in torch: the penalty's compiled prox on a CPU float64 copy (zeros stay exact)
    z = form.penalty.prox(host_copy(w), step)
    return w.copy_(torch.from_numpy(z).reshape(w.shape))


def prox_(
    w: torch.Tensor, step: float, config: PenaltyConfig, dim: int = 0, group_weights: str | None = None
) -> torch.Tensor:
    """In place: ``w <- argmin_z 1/2 ||z - w||^2 + step * P(z)``; returns ``w``.

    Parameters
    ----------
    w : torch.Tensor
        Modified in place (call it under ``torch.no_grad()`` for a parameter).
    step : float
        The step size (the learning rate), >= 0.
    config : PenaltyConfig
    dim : int, default=0
        Output dimension of ``w`` for ``config.group == "rows"``.
    group_weights : {None, "sqrt"}, default=None
        With ``config.group == "rows"``, ``"sqrt"`` weighs each row's penalty by the square root of its
        size, ``sum_g sqrt(|g|) P(||w_g||_2)`` (the group lasso's usual weights): the prox of a row is
        then the unweighted one with the step times ``sqrt(|g|)``.
    """
    step = float(step)
    if group_weights == "sqrt" and config.group is not None:
        step *= math.sqrt(w.numel() / w.shape[dim]) if w.dim() > 1 else 1.0
    if step * config.alpha == 0.0:
        return w
    form = config.form
    if config.group is None:
        return form_prox_(w, step, form)
    check_group_dim(dim)
    # the prox of sum_g P(||w_g||) moves each group along itself: w_g * prox_P(||w_g||) / ||w_g||, with
    # the divisor kept > 0 so that all-zero groups stay 0, not NaN
    norms = group_norms(w, dim)
    scale = form_prox_(norms.clone(), step, form).div_(norms.clamp_(min=_TINY[w.dtype]))
    if w.dim() > 1:
        scale = scale.reshape([-1 if d == dim else 1 for d in range(w.dim())])
    return w.mul_(scale)


def prox_tensor(w: torch.Tensor, step: float, config: PenaltyConfig, dim: int = 0) -> torch.Tensor:
    """``argmin_z 1/2 ||z - w||^2 + step * P(z)`` for one tensor, as a new tensor (see :func:`prox_`).

    The scalar prox of lpnet's penalties (``lpnet.penalties``) applied entrywise, or, with
    ``group="rows"``, applied to each unit's norm (block soft-thresholding for L1).

    Parameters
    ----------
    w : torch.Tensor
        The weights; left unchanged.
    step : float
        The step size (a learning rate).
    config : PenaltyConfig
        The penalty.
    dim : int, default=0
        The axis of the output units, for ``group="rows"``.

    Returns
    -------
    torch.Tensor
        The proximal point.
    """
    with torch.no_grad():
        return prox_(w.detach().clone(), step, config, dim)


class Proximal:
    """Wrap any ``torch.optim`` optimizer so that every step ends with a proximal step of the penalty.

    ``step()`` runs the wrapped optimizer's step, then replaces each penalized weight ``w`` by
    ``prox_{lr * P}(w)`` with ``lr`` the *current* learning rate of the weight's parameter group (so a
    learning-rate scheduler attached to ``prox.optimizer`` is followed).  For L1 this is
    soft-thresholding and weights become exactly 0.

    Parameters
    ----------
    optimizer : torch.optim.Optimizer
        Built on all the model's parameters as usual (with ``weight_decay=0``: the penalty is here).
    kind : str or Penalty, default="l1"
        Any name of :func:`lpnet.penalties.penalty_names` or a :class:`~lpnet.penalties.Penalty`
        instance, scaled as in :func:`lpnet.torch.penalty`.  Proxes: soft-thresholding (L1), its
        Elastic Net form, the shrinkage ``w / (1 + lr alpha)`` (L2), closed forms for ``p = 1/2``
        (half-thresholding) and ``p = 2/3``; every other penalty uses its own compiled prox on a CPU
        copy.
    alpha : float, optional
        Strength (lpnet's ``alpha``, relative to a *mean* loss): 1e-4 by default for a name, the
        instance's own for a ``Penalty``.
    l1_ratio : float, default=0.5
    p : float, default=1.0
    group : {None, "rows"}, default=None
        ``"rows"``: group lasso over each layer's output units (rows of a ``Linear`` weight, output
        channels of a ``Conv`` weight), for a convex penalty with an L1 part: block soft-thresholding
        zeroes whole units.
    group_weights : {None, "sqrt"}, default=None
        With ``group="rows"``: ``"sqrt"`` weighs each unit's penalty by the square root of its size
        (``sum_g sqrt(|g|) P(||w_g||_2)``, fan-in for a ``Linear`` weight), as the group lasso does, so
        that layers of different widths are penalized alike per coefficient; None: weight 1.
    model : torch.nn.Module, optional
        The network: its weights are penalized and its biases, normalization layers (and, on request,
        embeddings) are not, detected from module types (:func:`lpnet.torch.split_parameters`).
        Without ``model`` every parameter of ``optimizer`` is penalized.
    exclude_bias, exclude_norm, exclude_embedding, exclude
        As in :func:`lpnet.torch.split_parameters`; used with ``model``.
    **params
        Other shape parameters of ``kind``, by name.

    Notes
    -----
    With plain SGD (no momentum) this is the proximal gradient method on ``mean loss + P``.  With
    momentum or an adaptive optimizer (Adam, RMSprop) the prox still uses the group's learning rate,
    not the optimizer's per-coordinate step ``lr / (sqrt(v) + eps)``: an approximation (the exact
    proximal step in Adam's metric would threshold each coordinate differently).  It keeps the
    penalty's meaning independent of gradient statistics and still yields exact zeros, but ``alpha``
    is then not the same trade-off as under SGD.

    ``Proximal`` behaves like an optimizer (``step(closure)``, ``zero_grad``, ``param_groups``,
    ``state_dict``/``load_state_dict``) but is not a ``torch.optim.Optimizer`` subclass: give the
    wrapped ``prox.optimizer`` to learning-rate schedulers.

    Examples
    --------
    >>> model = torch.nn.Sequential(torch.nn.Linear(4, 3))
    >>> opt = Proximal(torch.optim.SGD(model.parameters(), lr=0.1), "l1", alpha=0.5, model=model)
    >>> model(torch.randn(8, 4)).square().mean().backward()
    >>> opt.step()
    """

    def __init__(
        self,
        optimizer,
        kind="l1",
        alpha=None,
        *,
        l1_ratio=0.5,
        p=1.0,
        group=None,
        group_weights=None,
        model=None,
        exclude_bias=True,
        exclude_norm=True,
        exclude_embedding=False,
        exclude=(),
        **params,
    ):
        if not isinstance(optimizer, torch.optim.Optimizer):
            raise TypeError(f"optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}.")
        self.optimizer = optimizer
        self.config = PenaltyConfig(kind, alpha, l1_ratio, p, group, params)
        if group_weights not in (None, "sqrt"):
            raise ValueError(f"group_weights must be None or 'sqrt', got {group_weights!r}.")
        if group_weights is not None and group is None:
            raise ValueError("group_weights weighs the groups of group='rows'; pass group='rows' with it.")
        self.group_weights = group_weights
        self._dims: dict[int, int] = {}
        self._penalized_ids: set[int] | None = None
        if model is not None:
            if not isinstance(model, nn.Module):
                raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}.")
            split = split_parameters(
                model,
                exclude_bias=exclude_bias,
                exclude_norm=exclude_norm,
                exclude_embedding=exclude_embedding,
                exclude=exclude,
            )
            self._penalized_ids = {id(w) for _, w in split.penalized}
            in_optimizer = {id(w) for g in optimizer.param_groups for w in g["params"]}
            if not self._penalized_ids & in_optimizer:
                raise ValueError("none of the model's penalized weights is in the optimizer's param_groups.")
            self._dims = output_dims(model)

    # ----------------------------------------------------------------- the optimizer interface
    @property
    def param_groups(self) -> list[dict]:
        """The wrapped optimizer's parameter groups."""
        return self.optimizer.param_groups

    @property
    def state(self):
        """The wrapped optimizer's state."""
        return self.optimizer.state

    @property
    def defaults(self) -> dict:
        """The wrapped optimizer's defaults."""
        return self.optimizer.defaults

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Delegates to the wrapped optimizer.

        Parameters
        ----------
        set_to_none : bool, default=True
            As ``torch.optim.Optimizer.zero_grad``.
        """
        self.optimizer.zero_grad(set_to_none=set_to_none)

    def add_param_group(self, param_group: dict) -> None:
        """Delegates to the wrapped optimizer; with ``model`` given, new parameters are not penalized.

        Parameters
        ----------
        param_group : dict
            As ``torch.optim.Optimizer.add_param_group``.
        """
        self.optimizer.add_param_group(param_group)

    def step(self, closure=None):
        """One step of the wrapped optimizer followed by the proximal step.

        Parameters
        ----------
        closure : callable, optional
            Re-evaluates the model and returns the loss, as for ``torch.optim.Optimizer.step``.

        Returns
        -------
        float or None
            The closure's loss.
        """
        loss = self.optimizer.step(closure)
        self.apply_prox()
        return loss

    @torch.no_grad()
    def apply_prox(self) -> None:
        """The proximal step alone, with each group's current learning rate as the step size."""
        config = self.config
        if config.alpha == 0.0:
            return
        ids = self._penalized_ids
        for group in self.optimizer.param_groups:
            step = float(group["lr"])
            for w in group["params"]:
                if ids is None or id(w) in ids:
                    prox_(w, step, config, self._dims.get(id(w), 0), self.group_weights)

    def state_dict(self) -> dict:
        """The wrapped optimizer's state and the penalty configuration."""
        return {
            "optimizer": self.optimizer.state_dict(),
            "penalty": self.config.as_dict(),
            "group_weights": self.group_weights,
        }

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore what :meth:`state_dict` saved: optimizer state and penalty configuration.

        Parameters
        ----------
        state_dict : dict
            What :meth:`state_dict` returned.
        """
        missing = {"optimizer", "penalty"} - set(state_dict)
        if missing:
            raise KeyError(f"not a Proximal state_dict: missing {sorted(missing)}.")
        config = PenaltyConfig(**state_dict["penalty"])
        self.optimizer.load_state_dict(state_dict["optimizer"])
        self.config = config
        self.group_weights = state_dict.get("group_weights")

    def __repr__(self) -> str:
        c = self.config
        extra = "".join(f", {key}={value}" for key, value in c.penalty.shape_parameters().items())
        group = f", group={c.group!r}" if c.group else ""
        group += f", group_weights={self.group_weights!r}" if self.group_weights else ""
        return f"Proximal({type(self.optimizer).__name__}, kind={c.name!r}, alpha={c.alpha}{extra}{group})"
