"""What the explorer's page may ask for: the penalty menu, read from lpnet's registry, and a checked
penalty choice (:class:`Problem`).

Nothing here names a penalty: the menu lists :func:`lpnet.penalties.penalty_names` with each penalty's
shape parameters, their defaults and the values the penalty takes (learnt by asking its class), its
convexity and its ``exponent`` (a norm ball and a constrained form where it is finite).  A penalty
registered later appears in the menu with no change here.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from ..penalties import Penalty, make_penalty, penalty_class, penalty_names

#: the slider of a shape parameter without an upper bound (Lp's p, say) steps through these values of
#: it (those the penalty accepts, and its default), and the explorer takes values between SHAPE_MIN
#: and SHAPE_MAX: beyond, the solvers lose accuracy and the pictures their meaning
LADDER = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0)
SHAPE_MIN, SHAPE_MAX = 0.1, 100.0
#: a bounded shape parameter (the Elastic Net's l1_ratio in [0, 1]) has a linear slider of this many steps
LINEAR_STEPS = 20


class InputError(ValueError):
    """A request that cannot be answered as asked; ``field`` names the offending input."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


# ----------------------------------------------------------------------------------------------------
# the penalty menu, read from lpnet's registry
# ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Parameter:
    """A shape parameter as the page offers it.

    Attributes
    ----------
    name : str
    default : float
    low, high : float
        The values the explorer takes (the penalty may refuse some inside, e.g. an open bound).
    values : tuple of float or None
        The slider's values (an unbounded parameter), or None: a linear slider from ``low`` to ``high``
        in steps of ``step``.
    step : float or None
    exponent : bool
        Whether the parameter is the penalty's ``exponent`` (Lp's p): its ball is the Lp ball, and in
        constrained form it may also be infinite.
    """

    name: str
    default: float
    low: float
    high: float
    values: tuple | None
    step: float | None
    exponent: bool


@dataclass(frozen=True)
class PenaltyInfo:
    """A registered penalty as the page offers it: ``name``, ``label``, ``description``, ``parameters``,
    ``convex`` (at the defaults), ``exponent`` (NaN where the penalty is no multiple of a norm's
    power) and ``ball`` (whether it has a constrained form: an Lp ball)."""

    name: str
    label: str
    description: str
    parameters: tuple
    convex: bool
    exponent: float
    ball: bool

    def parameter(self, key: str) -> Parameter | None:
        return next((prm for prm in self.parameters if prm.name == key), None)


def _accepts(cls, key: str, value: float) -> bool:
    try:
        cls(1.0, **{key: value})
    except (ValueError, TypeError):
        return False
    return True


def _parameter(cls, key: str, default: float) -> Parameter:
    """What the page offers of one shape parameter, learnt by asking the penalty's class which values it
    takes: the registry states defaults, not ranges."""
    if _accepts(cls, key, SHAPE_MAX):  # no upper bound: a slider over the ladder
        values = tuple(
            v for v in sorted({*LADDER, float(default)}) if SHAPE_MIN <= v <= SHAPE_MAX and _accepts(cls, key, v)
        )
        low, high, step = SHAPE_MIN, SHAPE_MAX, None
        ends = (values[0], values[-1])
    else:  # bounded (a mixing weight): a linear slider over the values it takes
        grid = np.linspace(0.0, 1.0, LINEAR_STEPS + 1).round(12)
        taken = [v for v in sorted({*grid, *LADDER, float(default)}) if _accepts(cls, key, v)]
        low, high, values = taken[0], taken[-1], None
        step = (high - low) / LINEAR_STEPS
        ends = (low, high)
    exponent = all(cls(1.0, **{key: v}).exponent == v for v in ends)
    return Parameter(key, float(default), float(low), float(high), values, step, exponent)


@functools.cache
def _describe(name: str, cls: type) -> PenaltyInfo:
    unit = cls(1.0)
    doc = (cls.__doc__ or "").strip().split("\n")[0].replace("``", "")  # a tooltip: plain text
    params = tuple(_parameter(cls, key, value) for key, value in cls.parameters.items())
    return PenaltyInfo(
        name, cls.__name__, doc, params, unit.is_convex, float(unit.exponent), math.isfinite(unit.exponent)
    )


def describe(name: str) -> PenaltyInfo:
    """The registered penalty ``name`` as the page offers it (:class:`PenaltyInfo`)."""
    return _describe(name, penalty_class(name))


def penalty_menu() -> list[PenaltyInfo]:
    """Every registered penalty, in the registry's order: the page builds its menu from this."""
    return [describe(name) for name in penalty_names()]


# ----------------------------------------------------------------------------------------------------
# problems
# ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Problem:
    """A normalized penalty choice.

    Attributes
    ----------
    penalty : str
        A registered name.
    params : tuple of (str, float)
        Its shape parameters, every one, in the registry's order (``inf`` only for an exponent in
        constrained form).
    alpha : float or None
        Penalized form.
    radius : float or None
        Constrained form.
    p : float
        The exponent of the norm whose ball is drawn (1 for L1, 2 for L2, Lp's p, ``inf`` only in
        constrained form), or NaN for a penalty that is no multiple of a norm's power: its level sets
        are drawn instead.
    """

    penalty: str
    params: tuple
    alpha: float | None
    radius: float | None
    p: float

    @property
    def constrained(self) -> bool:
        return self.radius is not None

    @property
    def shape(self) -> dict:
        """The shape parameters by name."""
        return dict(self.params)

    def penalty_at(self, alpha: float) -> Penalty:
        """The penalty object of this choice at ``alpha`` (finite shape parameters only)."""
        return make_penalty(self.penalty, alpha, **self.shape)


def _check_shape(info: PenaltyInfo, given: dict, constrained: bool) -> dict:
    """The shape parameters of ``info`` with ``given`` checked and the defaults filled in."""
    shape = {prm.name: prm.default for prm in info.parameters}
    for key, value in given.items():
        prm = info.parameter(key)
        if prm is None:
            owners = [i for i in penalty_menu() if i.parameter(key)]
            exponent = any(i.parameter(key).exponent for i in owners)
            if exponent and value == info.exponent:  # p = 1 for L1: the exponent it has
                continue
            names = " or ".join(repr(i.name) for i in owners) or "no penalty"
            has = f"has {key} = {info.exponent:g}" if exponent and math.isfinite(info.exponent) else f"has no {key}"
            raise InputError(key, f"{key} = {value:g} applies to penalty {names} only; penalty {info.name!r} {has}")
        if value == math.inf and prm.exponent:
            if not constrained:
                raise InputError(
                    key,
                    f"{key} = inf is not a penalty; use the constrained form (give radius "
                    f"instead of alpha), or a finite {key}",
                )
        elif not prm.low <= value <= prm.high:  # also refuses nan
            raise InputError(
                key,
                f"{key} must lie in [{prm.low:g}, {prm.high:g}]"
                + (' (or be "inf" in constrained form)' if prm.exponent else "")
                + f", got {value!r}",
            )
        else:
            try:
                make_penalty(info.name, 1.0, **{key: value})
            except ValueError as exc:
                raise InputError(key, str(exc)) from None
        shape[key] = value
    return shape


def make_problem(penalty, alpha=None, radius=None, **params) -> Problem:
    """Check how the parameters combine and fill in the implied ones.

    Exactly one of ``alpha`` (penalized form) and ``radius`` (constrained form) is given; ``params``
    are shape parameters of ``penalty`` (an exponent such as Lp's ``p`` may also repeat the fixed
    exponent of another penalty, ``p = 1`` for L1; None means the default); an infinite exponent exists
    only in constrained form; a penalty that is no multiple of a norm's power (the Elastic Net) only in
    penalized form.

    Raises
    ------
    InputError
        Naming the field to change.
    """
    names = penalty_names()
    if penalty not in names:
        raise InputError("penalty", f"penalty must be one of {', '.join(names)}, got {penalty!r}")
    if (alpha is None) == (radius is None):
        raise InputError("alpha", "give exactly one of alpha (penalized form) and radius (constrained form)")
    info = describe(penalty)
    given = {key: float(value) for key, value in params.items() if value is not None}
    shape = _check_shape(info, given, radius is not None)
    exponents = [prm.name for prm in info.parameters if prm.exponent]
    if exponents and math.isinf(shape[exponents[0]]):
        p = math.inf
    else:
        try:
            p = float(make_penalty(penalty, 1.0, **shape).exponent)
        except ValueError as exc:  # a combination the penalty refuses
            raise InputError(next(iter(given), "penalty"), str(exc)) from None
    if radius is not None and math.isnan(p):
        balls = [i.name for i in penalty_menu() if i.ball]
        raise InputError(
            "radius",
            f"penalty {penalty!r} is no multiple of a norm's power, so it has no "
            f"constrained form here; give alpha, or use {', '.join(balls)} with a radius",
        )
    return Problem(
        penalty,
        tuple(shape.items()),
        None if alpha is None else float(alpha),
        None if radius is None else float(radius),
        p,
    )
