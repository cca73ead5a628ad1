"""What the explorer's page may ask for: the penalty and datafit menus, read from lpnet's registries,
and a checked choice of both (:class:`Problem`).

Nothing here names a penalty or a datafit: the penalty menu lists :func:`lpnet.penalties.penalty_names`
with each penalty's shape parameters, their defaults and the values the penalty takes (learnt by asking
its class), its convexity and its ``exponent`` (a norm ball and a constrained form where it is finite).
The datafit menu lists :func:`lpnet.datafits.datafit_names` with their parameters (the Tweedie power,
Huber's epsilon), learnt the same way; it offers every datafit with one coefficient per feature and a
one-column target (the slice is a plane of two coefficients), and says of the others why not.  A penalty
or a datafit registered later appears in its menu with no change here.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from ..datafits import Datafit, datafit_class, datafit_names, make_datafit
from ..penalties import Penalty, make_penalty, penalty_class, penalty_names

#: the slider of a shape parameter without an upper bound (Lp's p, say) steps through these values of
#: it (those the penalty accepts, and its default), and the explorer takes values between SHAPE_MIN
#: and SHAPE_MAX: beyond, the solvers lose accuracy and the pictures their meaning
LADDER = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0)
SHAPE_MIN, SHAPE_MAX = 0.1, 100.0
#: a bounded shape parameter (the Elastic Net's l1_ratio in [0, 1]) has a linear slider of this many steps
LINEAR_STEPS = 20
#: a datafit's unbounded parameter (a scale) reaches further than a penalty's exponent
DATAFIT_LADDER = (*LADDER, 10.0, 15.0, 20.0, 30.0, 50.0, 75.0, 100.0)
#: a datafit's bounded parameter (the Tweedie power in (1, 2)) steps through the values it takes on this grid
DATAFIT_STEP = 0.05


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
# the datafit menu, read from lpnet's registry
# ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DatafitInfo:
    """A registered datafit as the page offers it: ``name``, ``label``, ``description`` (its formula),
    ``score_label`` (what its train score is), ``parameters`` (numeric ones, as sliders), ``quadratic``
    (the squared loss: exact ellipses and least squares), ``constrained`` (whether the constrained form
    takes it), and ``offered`` with, where it is not, the ``reason``."""

    name: str
    label: str
    description: str
    score_label: str
    parameters: tuple
    quadratic: bool
    constrained: bool
    offered: bool
    reason: str | None

    def parameter(self, key: str) -> Parameter | None:
        return next((prm for prm in self.parameters if prm.name == key), None)


def _datafit_accepts(cls, key: str, value: float) -> bool:
    try:
        cls(**{key: value})
    except (ValueError, TypeError):
        return False
    return True


def _datafit_parameter(cls, key: str, default: float) -> Parameter:
    """A datafit parameter's slider: over DATAFIT_LADDER where it has no upper bound, else over the values
    it takes on a grid of DATAFIT_STEP (asked of its class, as for the penalties)."""
    if _datafit_accepts(cls, key, SHAPE_MAX):
        candidates = {*DATAFIT_LADDER, float(default)}
    else:
        candidates = {*np.round(np.arange(1, round(SHAPE_MAX / DATAFIT_STEP)) * DATAFIT_STEP, 12), float(default)}
    values = tuple(
        float(v) for v in sorted(candidates) if SHAPE_MIN <= v <= SHAPE_MAX and _datafit_accepts(cls, key, v)
    )
    return Parameter(key, float(default), float(values[0]), float(values[-1]), values, None, False)


def _constrained_takes_datafits() -> bool:
    """Whether lpnet's constrained estimator takes a ``datafit`` (else it fits the squared loss only)."""
    try:
        from ..constrained import ConstrainedRegression
    except ImportError:
        return False
    return "datafit" in ConstrainedRegression().get_params()


def _not_offered(cls) -> str | None:
    """Why the explorer cannot draw the datafit ``cls``, or None."""
    if cls.is_multi_output:
        return (
            "it has one coefficient per feature and per output (a matrix): a slice along two features "
            "is no plane of two coefficients"
        )
    if cls.target_is_matrix:
        columns = " and ".join(cls.target_columns) or "one per output"
        return f"its target has several columns per sample ({columns}); the explorer's targets have one"
    return None


@functools.cache
def _describe_datafit(name: str, cls: type) -> DatafitInfo:
    reason = _not_offered(cls)
    numeric = {k: v for k, v in cls.parameters.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    params = tuple(_datafit_parameter(cls, key, value) for key, value in numeric.items()) if reason is None else ()
    return DatafitInfo(
        name,
        cls.__name__,
        cls.formula,
        cls.score_label,
        params,
        bool(cls.is_quadratic),
        reason is None and (bool(cls.is_quadratic) or _constrained_takes_datafits()),
        reason is None,
        reason,
    )


def describe_datafit(name: str) -> DatafitInfo:
    """The registered datafit ``name`` as the page offers it (:class:`DatafitInfo`)."""
    return _describe_datafit(name, datafit_class(name))


def datafit_menu() -> list[DatafitInfo]:
    """Every registered datafit, in the registry's order, offered or not (with the reason)."""
    return [describe_datafit(name) for name in datafit_names()]


def offered_datafits() -> list[str]:
    """The names of the datafits the explorer draws, the default (the first registered) first."""
    return [info.name for info in datafit_menu() if info.offered]


def check_datafit(name, given: dict) -> tuple:
    """``(name, its parameters as (key, value) pairs)``: ``name`` an offered datafit (None: the first),
    ``given`` its parameters (None: the default), each checked against the menu and the datafit.

    Raises
    ------
    InputError
        On ``datafit`` or on the parameter to change.
    """
    offered = offered_datafits()
    name = offered[0] if name is None else name
    if name not in datafit_names():
        raise InputError("datafit", f"datafit must be one of {', '.join(offered)}, got {name!r}")
    info = describe_datafit(name)
    if not info.offered:
        raise InputError(
            "datafit", f"the explorer cannot draw datafit {name!r}: {info.reason}; choose one of {', '.join(offered)}"
        )
    params = {prm.name: prm.default for prm in info.parameters}
    for key, value in given.items():
        if value is None:
            continue
        prm = info.parameter(key)
        if prm is None:
            owners = [i.name for i in datafit_menu() if i.parameter(key)]
            names = " or ".join(repr(o) for o in owners) or "no datafit"
            raise InputError(key, f"{key} applies to datafit {names} only; datafit {name!r} has no {key}")
        value = float(value)
        if not prm.low <= value <= prm.high:  # also refuses nan
            raise InputError(key, f"{key} must lie in [{prm.low:g}, {prm.high:g}] for datafit {name!r}, got {value!r}")
        try:
            make_datafit(name, **{key: value})
        except ValueError as exc:
            raise InputError(key, str(exc)) from None
        params[key] = value
    return name, tuple(params.items())


# ----------------------------------------------------------------------------------------------------
# problems
# ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Problem:
    """A normalized choice of penalty and datafit.

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
    datafit : str
        A datafit the explorer offers (:func:`offered_datafits`).
    datafit_params : tuple of (str, float)
        Its numeric parameters, every one, in the registry's order.
    """

    penalty: str
    params: tuple
    alpha: float | None
    radius: float | None
    p: float
    datafit: str = "squared"
    datafit_params: tuple = ()

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

    def datafit_object(self) -> Datafit:
        """The datafit object of this choice."""
        return make_datafit(self.datafit, **dict(self.datafit_params))


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


def make_problem(penalty, alpha=None, radius=None, *, datafit=None, datafit_params=None, **params) -> Problem:
    """Check how the parameters combine and fill in the implied ones.

    Exactly one of ``alpha`` (penalized form) and ``radius`` (constrained form) is given; ``params``
    are shape parameters of ``penalty`` (an exponent such as Lp's ``p`` may also repeat the fixed
    exponent of another penalty, ``p = 1`` for L1; None means the default); an infinite exponent exists
    only in constrained form; a penalty that is no multiple of a norm's power (the Elastic Net) only in
    penalized form.  ``datafit`` is an offered datafit (None: the squared loss, the first registered) and
    ``datafit_params`` its parameters by name (:func:`check_datafit`); the constrained form needs a
    datafit that lpnet's constrained estimator takes.

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
    datafit, fitted = check_datafit(datafit, dict(datafit_params or {}))
    if radius is not None and not describe_datafit(datafit).constrained:
        raise InputError(
            "radius",
            f"the constrained form of this installation fits the squared loss only, not datafit {datafit!r}; "
            "give alpha",
        )
    return Problem(
        penalty,
        tuple(shape.items()),
        None if alpha is None else float(alpha),
        None if radius is None else float(radius),
        p,
        datafit,
        fitted,
    )
