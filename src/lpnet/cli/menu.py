"""The penalties the commands offer, read from the penalty registry (:mod:`lpnet.penalties.registry`).

Nothing here lists penalties by name: ``--penalty`` takes :func:`~lpnet.penalties.penalty_names`, and
every shape parameter of :func:`~lpnet.penalties.penalty_parameters` becomes an option (``l1_ratio``
becomes ``--l1-ratio``, ``p`` becomes ``--p``), so a newly registered penalty is offered with its
parameters without a change here.  Two things stay written down, both about parameters rather than
penalties: the wording and range of today's two parameters (:data:`KNOWN_PARAMETERS`; others are
checked by the penalty itself), and the parameter that cross-validation searches over
(:data:`GRID_PARAMETER`).

The models: a penalty with a dedicated estimator (``Lasso``, ``ElasticNet``, ``LogisticRegression``,
...) is fitted with it, since that is the class users know and ``--save`` writes; any other penalty is
fitted as ``RegularizedModel(datafit, penalty=make_penalty(name, alpha, **params))`` and described
by its ``label``.  Which least-squares estimator (and cross-validated estimator) belongs to which
penalty class is the one table kept here (:func:`_dedicated`): the estimators do not say which
penalty they fit.  ``LogisticRegression`` and ``LogisticRegressionCV`` take any penalty by name and
are used whenever they have a parameter for each of its shape parameters.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from ..datafits import Logistic, Quadratic, make_datafit
from ..penalties import make_penalty, penalty_class, penalty_names, penalty_parameters
from .common import UsageError

__all__ = [
    "DEMO_P",
    "GRID_PARAMETER",
    "KNOWN_PARAMETERS",
    "ParameterText",
    "ShapeOption",
    "add_shape_options",
    "check_shape_values",
    "cv_estimator",
    "cv_label",
    "cv_penalties",
    "fit_estimator",
    "fit_labels",
    "penalty_at",
    "path_label",
    "shape_options",
    "shape_values",
]

#: the demo's Lp exponent, also the default of ``path`` and ``cv``: below 1, to show a non-convex fit
#: (the registry's own default, p = 1, would repeat the Lasso)
DEMO_P = 0.5
#: the command line's defaults where they differ from the registry's
DEMO_DEFAULTS = {"p": DEMO_P}
#: the shape parameter the cross-validated estimators search over (``lpnet cv`` takes a list of values)
GRID_PARAMETER = "l1_ratio"
#: a class name longer than this is shortened to its capitals in the column headers of ``lpnet fit``
SHORT_NAME = 6


@dataclass(frozen=True)
class ParameterText:
    """How one shape parameter reads on the command line: its help, its range and the range's wording."""

    metavar: str
    help: str
    domain: str  # e.g. "in [0, 1]", completes "a list of numbers ..."
    rule: str  # e.g. "must lie in [0, 1]", completes "--option ..."
    valid: Callable[[float], bool]


#: the wording of today's shape parameters (their messages are part of the command line's behaviour);
#: a parameter missing here gets a generic option and is checked by the penalty that takes it
KNOWN_PARAMETERS = {
    "l1_ratio": ParameterText(
        "R", "Elastic Net mixing in [0, 1], 1 = Lasso", "in [0, 1]", "must lie in [0, 1]", lambda v: 0.0 <= v <= 1.0
    ),  # also rejects nan
    "p": ParameterText(
        "P",
        "exponent of the Lp penalty, p > 0; p < 1 is non-convex",
        "> 0",
        "must be a finite number > 0",
        lambda v: math.isfinite(v) and v > 0,
    ),
}


@dataclass
class ShapeOption:
    """One shape parameter of the registered penalties, as a command-line option."""

    name: str
    defaults: dict = field(default_factory=dict)  # penalty name -> default on the command line
    takers: list = field(default_factory=list)  # the penalties that take it, in registry order

    @property
    def flag(self) -> str:
        """The option, e.g. ``--l1-ratio`` for ``l1_ratio``."""
        return "--" + self.name.replace("_", "-")

    @property
    def text(self) -> ParameterText | None:
        """The wording of a known parameter, else None."""
        return KNOWN_PARAMETERS.get(self.name)

    def default_text(self) -> str:
        """The default(s) for the help: one value, or one per penalty where they differ."""
        values = sorted(set(self.defaults.values()))
        if len(values) == 1:
            return f"{values[0]:g}"
        return ", ".join(f"{v:g} for {k}" for k, v in self.defaults.items())

    def help(self, values: str = "") -> str:
        """The option's help; ``values`` describes a list where the option takes several values."""
        if self.text is not None:
            what = self.text.help
        else:
            what = f"shape parameter {self.name} of --penalty {' or '.join(self.takers)}"
        return f"{what}{values} (default {self.default_text()})"

    def check(self, value: float) -> float:
        """``value`` when the penalties that take the parameter accept it, else a :class:`UsageError`."""
        if self.text is not None:
            if not self.text.valid(value):
                raise UsageError(f"{self.flag} {self.text.rule}, got {value:g}")
            return value
        for name in self.takers:  # the penalty's own check, with its fix-it message
            try:
                make_penalty(name, 1.0, **{self.name: value})
            except (TypeError, ValueError) as exc:
                raise UsageError(f"{self.flag}: {' '.join(str(exc).split())}") from None
        return value

    def check_applies(self, penalty: str | None) -> None:
        """A :class:`UsageError` when a single ``--penalty`` was chosen that does not take the parameter."""
        if penalty is not None and penalty not in self.takers:
            raise UsageError(f"{self.flag} applies to --penalty {' or '.join(self.takers)}, not --penalty {penalty}")


def shape_options() -> dict[str, ShapeOption]:
    """Every shape parameter of the registered penalties, by name, in registry order.

    Returns
    -------
    dict of str to ShapeOption
    """
    options: dict[str, ShapeOption] = {}
    for name in penalty_names():
        for key, default in penalty_parameters(name).items():
            option = options.setdefault(key, ShapeOption(key))
            option.takers.append(name)
            option.defaults[name] = DEMO_DEFAULTS.get(key, default)
    return options


def add_shape_options(parser, number, *, grid: str | None = None) -> None:
    """Add one option per shape parameter to ``parser``.

    Parameters
    ----------
    parser : argparse.ArgumentParser
    number : callable
        The argument type factory of a single number (:func:`lpnet.cli.common.number`).
    grid : {"single", "list"}, optional
        How :data:`GRID_PARAMETER` is read: None, a number like every parameter; ``"single"`` or
        ``"list"``, as text checked by :func:`check_shape_values` (``lpnet path`` takes one value,
        ``lpnet cv`` a comma-separated list).
    """
    for option in shape_options().values():
        if grid is not None and option.name == GRID_PARAMETER:
            many = grid == "list"
            one = option.text.metavar if option.text else option.name.upper()
            metavar = f"{one}[,{one}...]" if many else one
            values = ", comma-separated values, each cross-validated, e.g. 0.1,0.5,0.9" if many else ""
            parser.add_argument(option.flag, metavar=metavar, help=option.help(values))
        else:
            metavar = option.text.metavar if option.text else option.name.upper()
            parser.add_argument(option.flag, type=number(option.flag), metavar=metavar, help=option.help())


def _parse_list(option: ShapeOption, text: str) -> list:
    """The comma-separated values of ``text``, checked, without repeats."""
    domain = f" {option.text.domain}" if option.text else ""
    values = []
    for part in (part.strip() for part in text.split(",")):
        try:
            value = float(part)
        except ValueError:
            raise UsageError(
                f"{option.flag} must be a number or a comma-separated list of numbers{domain}, got {text!r}"
            ) from None
        if option.text is not None and not option.text.valid(value):
            raise UsageError(f"{option.flag} values {option.text.rule}, got {part}")
        option.check(value)
        if value not in values:
            values.append(value)
    return values


def check_shape_values(args, penalty: str | None, *, grid: bool = False) -> None:
    """Check the shape options given on the command line, in registry order.

    Each given value must be accepted (its range) and, with a single ``--penalty``, apply to it.
    With ``grid``, :data:`GRID_PARAMETER` is text (see :func:`add_shape_options`): its values are
    stored in ``args.grid_values`` (the default alone when it is not given).

    Parameters
    ----------
    args : argparse.Namespace
    penalty : str or None
        The chosen penalty; None when ``lpnet fit`` compares them all.
    grid : bool, default=False

    Raises
    ------
    UsageError
    """
    for option in shape_options().values():
        value = getattr(args, option.name)
        if grid and option.name == GRID_PARAMETER:
            args.grid_values = [option.defaults[option.takers[0]]] if value is None else _parse_list(option, value)
            if value is not None:
                option.check_applies(penalty)
            continue
        if value is None:
            continue
        option.check(value)
        option.check_applies(penalty)


def shape_values(args, penalty: str, *, grid: str | None = None) -> dict:
    """The shape parameters of ``penalty``: the command line's values, else the command line's defaults.

    Parameters
    ----------
    args : argparse.Namespace
        After :func:`check_shape_values`.
    penalty : str
    grid : {"first", "all"}, optional
        With None, :data:`GRID_PARAMETER` is read like the others; ``"first"`` takes the first of
        ``args.grid_values``, ``"all"`` the whole list (the cross-validated grid).

    Returns
    -------
    dict of str to float (a list for the grid parameter with ``grid="all"``)
    """
    options = shape_options()
    values = {}
    for key in penalty_parameters(penalty):
        if grid is not None and key == GRID_PARAMETER:
            values[key] = list(args.grid_values) if grid == "all" else args.grid_values[0]
        else:
            given = getattr(args, key)
            values[key] = options[key].defaults[penalty] if given is None else given
    return values


def penalty_at(name: str, alpha: float, values: dict):
    """The penalty ``name`` at ``alpha`` with the shape ``values`` (lists: their first value)."""
    scalars = {k: (v[0] if isinstance(v, list) else v) for k, v in values.items()}
    return make_penalty(name, alpha, **scalars)


# ----------------------------------------------------------------------------------------------------
# models and their labels
# ----------------------------------------------------------------------------------------------------
def _dedicated():
    """The dedicated least-squares estimator and its cross-validated form, by penalty class.

    These are what users know by name and what ``--save`` writes, so they are preferred over the
    generic :class:`~lpnet.estimators.RegularizedModel`; a penalty class missing here (any newly
    registered one) is fitted generically and has no least-squares ``lpnet cv``.  ``None``: no
    cross-validated form.  Keyed by class, not name: the registry stays the one list of names.
    """
    from ..estimators import ElasticNet, Lasso, LpRegression, Ridge
    from ..model_selection import ElasticNetCV, LassoCV, LpRegressionCV
    from ..penalties import L1, L2, Lp
    from ..penalties import ElasticNet as ElasticNetPenalty

    return {
        L1: (Lasso, LassoCV),
        L2: (Ridge, None),
        ElasticNetPenalty: (ElasticNet, ElasticNetCV),
        Lp: (LpRegression, LpRegressionCV),
    }


def _least_squares_classes(name: str, datafit: str = "squared"):
    """``(estimator, cv estimator)`` classes of the penalty ``name`` for least squares, ``(None, None)``
    for a penalty without them or another datafit (then the generic estimators fit it)."""
    if type(make_datafit(datafit)) is not Quadratic:
        return None, None
    return _dedicated().get(penalty_class(name), (None, None))


def _logistic(datafit: str) -> bool:
    """Whether the datafit is the one of the dedicated ``LogisticRegression`` estimators."""
    return type(make_datafit(datafit)) is Logistic


def _logistic_takes(estimator_class, values: dict) -> bool:
    """Whether the logistic estimator ``estimator_class`` has a parameter for every shape value."""
    return set(values) <= set(estimator_class().get_params())


def _arguments(values: dict, skip=()) -> str:
    return "".join(f", {k}={v:g}" for k, v in values.items() if k not in skip)


def _short(penalty) -> str:
    """A column header: a long class name shortened to its capitals, long parameter names dropped."""
    cls = type(penalty).__name__
    if len(cls) > SHORT_NAME:
        cls = "".join(c for c in cls if c.isupper()) or cls
    shape = penalty.shape_parameters()
    if not shape:
        return cls
    return f"{cls}({', '.join(f'{k}={v:g}' if len(k) <= 2 else f'{v:g}' for k, v in shape.items())})"


def fit_labels(name: str, datafit: str, values: dict) -> tuple[str, str]:
    """The row label and the column header of the model of ``lpnet fit`` for the penalty ``name``.

    Parameters
    ----------
    name : str
        A registered penalty.
    datafit : str
        A registered datafit name.
    values : dict
        Its shape parameters (:func:`shape_values`).

    Returns
    -------
    tuple of str
        E.g. ``("ElasticNet(l1_ratio=0.5)", "EN(0.5)")`` or ``("LogisticRegression(l1)", "L1")``.
    """
    penalty = make_penalty(name, 1.0, **values)
    if _logistic(datafit):
        from ..estimators import LogisticRegression

        if _logistic_takes(LogisticRegression, values):
            return f"{LogisticRegression.__name__}({name}{_arguments(values)})", _short(penalty)
        return penalty.label, _short(penalty)
    estimator, _ = _least_squares_classes(name, datafit)
    if estimator is None:
        return penalty.label, _short(penalty)
    label = estimator.__name__ + (f"({_arguments(values)[2:]})" if values else "")
    return label, (estimator.__name__ if not values else _short(penalty))


def fit_estimator(name: str, datafit: str, alpha: float, values: dict, **options):
    """The unfitted estimator of ``lpnet fit`` for the penalty ``name``.

    Parameters
    ----------
    name : str
    datafit : str
        A registered datafit name.
    alpha : float
    values : dict
        The shape parameters (:func:`shape_values`).
    **options
        ``tol``, ``max_iter``.

    Returns
    -------
    estimator
        The dedicated estimator where there is one, else a ``RegularizedModel``.
    """
    from ..estimators import LogisticRegression, RegularizedModel

    if _logistic(datafit):
        if _logistic_takes(LogisticRegression, values):
            return LogisticRegression(name, alpha, **values, **options)
    else:
        estimator, _ = _least_squares_classes(name, datafit)
        if estimator is not None:
            return estimator(alpha=alpha, **values, **options)
    return RegularizedModel(datafit, penalty=make_penalty(name, alpha, **values), alpha=alpha, **options)


def path_label(name: str, datafit: str, values: dict) -> str:
    """How ``lpnet path`` names the penalty ``name``: ``"Lasso (L1)"``, ``"Lp(p=0.5)"``, ...

    Parameters
    ----------
    name : str
    datafit : str
        A registered datafit name.
    values : dict

    Returns
    -------
    str
    """
    if _logistic(datafit):
        return fit_labels(name, datafit, values)[0]
    penalty = make_penalty(name, 1.0, **values)
    estimator, _ = _least_squares_classes(name, datafit)
    if values or estimator is None:
        return penalty.label
    return f"{estimator.__name__} ({penalty.label})"


def cv_penalties(datafit: str) -> list:
    """The penalties ``lpnet cv`` can cross-validate with the datafit.

    Parameters
    ----------
    datafit : str
        A registered datafit name.

    Returns
    -------
    list of str
    """
    # a penalty with a dedicated CV estimator, or none at all (the generic one); Ridge has its estimator
    # but no CV form here, so ``lpnet cv`` refuses it
    classes = {n: _least_squares_classes(n, datafit) for n in penalty_names()}
    return [n for n, (estimator, cv) in classes.items() if cv is not None or estimator is None]


def cv_estimator(name: str, datafit: str, values: dict, **options):
    """The unfitted cross-validated estimator of ``lpnet cv``.

    Parameters
    ----------
    name : str
        One of :func:`cv_penalties`.
    datafit : str
        A registered datafit name.
    values : dict
        The shape parameters, the grid parameter as a list (:func:`shape_values` with ``grid="all"``).
    **options
        Passed on (folds, grid, tolerance, ...).

    Returns
    -------
    estimator
    """
    from ..model_selection import LogisticRegressionCV, RegularizedModelCV

    if make_datafit(datafit).is_classifier:  # LogisticRegressionCV takes two classes or more
        if _logistic_takes(LogisticRegressionCV, values):
            return LogisticRegressionCV(name, **values, **options)
        return LogisticRegressionCV(make_penalty(name, 1.0, **values), **options)
    _, cv = _least_squares_classes(name, datafit)
    if cv is None:  # no dedicated estimator for this penalty and datafit
        return RegularizedModelCV(datafit, make_penalty(name, 1.0, **values), **options)
    return cv(**values, **options)


def cv_label(name: str, datafit: str, values: dict) -> str:
    """The model ``lpnet cv`` reports: ``"Lasso"``, ``"LpRegression(p=0.7)"``, ``"LogisticRegression(l2)"``...

    The cross-validated grid parameter is left out (its values are listed separately).

    Parameters
    ----------
    name : str
    datafit : str
        A registered datafit name.
    values : dict

    Returns
    -------
    str
    """
    from ..estimators import LogisticRegression

    penalty = make_penalty(name, 1.0, **{k: v for k, v in values.items() if k != GRID_PARAMETER})
    rest = _arguments(values, skip=(GRID_PARAMETER,))
    if _logistic(datafit):
        if _logistic_takes(LogisticRegression, values):
            return f"{LogisticRegression.__name__}({name}{rest})"
        return f"{LogisticRegression.__name__}({penalty.label})"
    estimator, _ = _least_squares_classes(name, datafit)
    if estimator is None:
        return penalty.label
    return estimator.__name__ + (f"({rest[2:]})" if rest else "")
