"""What every ``lpnet`` command shares: argument types, the one-line usage error, the data options and
their loading, and the plain-text output helpers.

Start-up is kept light: numpy is imported when a command runs, pandas only when ``--data`` is given
(and only if it is installed).
"""

from __future__ import annotations

import argparse
import math

from ..datafits import Datafit, datafit_class, datafit_parameters, make_datafit
from .data import DATAFITS

__all__ = [
    "DATAFITS",
    "DATA_HELP",
    "MAX_NAMES",
    "Parser",
    "UsageError",
    "add_bounds_options",
    "add_data_options",
    "add_datafit_option",
    "bounds_of",
    "check_data_options",
    "datafit_of",
    "target_of",
    "coef",
    "fmt_coef",
    "integer",
    "output_headers",
    "intercept",
    "load_data",
    "names_list",
    "null_objective",
    "number",
    "one_line",
    "table",
]

#: names listed in one line of a report before '... (N more)'
MAX_NAMES = 20
DATA_HELP = (
    "a CSV file with a header row, or parquet / CSV files: a glob (quote it: 'big/*.parquet') or a "
    "directory; every column but --target is a feature (see --engine)"
)


class UsageError(Exception):
    """A command-line mistake: reported as one line, exit status 2."""


class Parser(argparse.ArgumentParser):
    """An argument parser whose mistakes raise :class:`UsageError` (one line) instead of exiting."""

    def error(self, message):  # argparse would print the usage and call sys.exit(2)
        raise UsageError(message)


# ----------------------------------------------------------------------------------------------------
# argument types
# ----------------------------------------------------------------------------------------------------
def number(name: str):
    """An argparse ``type`` reading a float; the error names the option ``name``.

    Parameters
    ----------
    name : str
        The option, e.g. ``"--alpha"``.

    Returns
    -------
    callable
        ``str -> float``, raising ``argparse.ArgumentTypeError`` on text that is not a number.
    """

    def parse(text):
        try:
            return float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a number, got {text!r}") from None

    return parse


def integer(name: str):
    """An argparse ``type`` reading an int; the error names the option ``name``.

    Parameters
    ----------
    name : str
        The option, e.g. ``"--max-iter"``.

    Returns
    -------
    callable
        ``str -> int``, raising ``argparse.ArgumentTypeError`` on text that is not an integer.
    """

    def parse(text):
        try:
            return int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be an integer, got {text!r}") from None

    return parse


def one_line(exc: BaseException) -> str:
    """The message of ``exc`` on one line (its type's name when it has none).

    Parameters
    ----------
    exc : BaseException

    Returns
    -------
    str
    """
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


# ----------------------------------------------------------------------------------------------------
# the data options
# ----------------------------------------------------------------------------------------------------
def add_datafit_option(parser) -> None:
    """Add ``--datafit NAME`` (alias ``--family``: every registered datafit), shared by ``fit``, ``path``
    and ``cv``.

    Parameters
    ----------
    parser : argparse.ArgumentParser
    """
    parser.add_argument(
        "--datafit",
        "--family",
        dest="datafit",
        choices=DATAFITS,
        default="squared",
        help="the model family: squared (least squares, default), logistic (binary classification, needs "
        "--data), or the log-link families for counts and positive values: "
        + ", ".join(name for name in DATAFITS if name not in ("squared", "logistic")),
    )
    # the named columns of a 2-D target (Cox's --time and --event), from the registry
    roles = {role: name for name in reversed(DATAFITS) for role in datafit_class(name).target_columns}
    for role, name in roles.items():
        parser.add_argument(
            f"--{role}",
            dest=f"column_{role}",
            metavar="COLUMN",
            help=f"the {role} column of --datafit {name} (with --data)",
        )
    # one option per datafit parameter (the Tweedie --power, ...), from the registry
    seen: set[str] = set()
    for name in DATAFITS:
        for param, default in datafit_parameters(name).items():
            if param in seen:
                continue
            seen.add(param)
            kind = type(default)
            parser.add_argument(
                "--" + param.replace("_", "-"),
                dest=f"datafit_{param}",
                type=kind if kind in (int, float) else str,
                metavar=param.upper(),
                help=f"the {param} of --datafit {name} (default {default})",
            )


def target_of(args):
    """The target column's name, or the names of a 2-D target's columns (``--time``, ``--event``)."""
    roles = datafit_class(args.datafit).target_columns
    return tuple(getattr(args, f"column_{role}") for role in roles) if roles else args.target


def datafit_of(args) -> Datafit:
    """The datafit of ``--datafit`` with its parameters (``--power`` ...); a parameter given for a datafit
    that does not take it is a usage error."""
    takes = datafit_parameters(args.datafit)
    given = {
        key[len("datafit_") :]: value
        for key, value in vars(args).items()
        if key.startswith("datafit_") and value is not None
    }
    stray = sorted(set(given) - set(takes))
    if stray:
        flags = ", ".join("--" + k.replace("_", "-") for k in stray)
        raise UsageError(f"{flags} does not apply to --datafit {args.datafit}")
    try:
        return make_datafit(args.datafit, **given)
    except ValueError as exc:
        raise UsageError(one_line(exc)) from None


def add_data_options(parser) -> None:
    """Add ``--data``, ``--target``, ``--datafit`` and ``--no-standardize`` (``path``, ``cv``, ``explore``).

    Parameters
    ----------
    parser : argparse.ArgumentParser
    """
    parser.add_argument("--data", metavar="FILES", help=DATA_HELP)
    parser.add_argument("--target", metavar="COLUMN", help="name of the target column (with --data)")
    add_datafit_option(parser)
    parser.add_argument(
        "--no-standardize", action="store_true", help="use the features as they are instead of standardizing them"
    )


def check_data_options(args) -> None:
    """Check the data options shared by ``fit``, ``path`` and ``cv``.

    Parameters
    ----------
    args : argparse.Namespace

    Raises
    ------
    UsageError
        When ``--data`` and ``--target`` do not come together, or ``--datafit logistic`` has no data.
    """
    if args.data is None and args.target is not None:
        raise UsageError("--target needs --data FILE.csv")
    roles = datafit_class(args.datafit).target_columns
    given = {key[len("column_") :] for key, value in vars(args).items() if key.startswith("column_") and value}
    if given - set(roles):
        flags = ", ".join(f"--{role}" for role in sorted(given - set(roles)))
        raise UsageError(f"{flags} does not apply to --datafit {args.datafit}")
    if roles:
        wanted = " ".join(f"--{role} COLUMN" for role in roles)
        if args.data is None:
            raise UsageError(f"--datafit {args.datafit} needs --data FILE.csv {wanted}")
        if args.target is not None or set(roles) - given:
            raise UsageError(f"--datafit {args.datafit} names its target columns with {wanted} (not --target)")
        return
    if args.data is not None and args.target is None:
        raise UsageError("--data needs --target COLUMN (the name of the column to predict)")
    if make_datafit(args.datafit).is_classifier and args.data is None:
        raise UsageError(
            "--datafit logistic needs --data FILE.csv --target COLUMN with a two-class target; "
            "the diabetes demo's target is continuous"
        )


def add_bounds_options(parser) -> None:
    """Add ``--lower-bounds``, ``--upper-bounds`` and ``--positive`` (``fit``, ``path``, ``cv``).

    Parameters
    ----------
    parser : argparse.ArgumentParser
    """
    units = "in the units of the reported coefficients (standardized features unless --no-standardize)"
    for side, flag in (("lower", "--lower-bounds"), ("upper", "--upper-bounds")):
        parser.add_argument(
            flag,
            metavar="B",
            help=f"{side} bound on every coefficient: a number, or one per feature separated by commas "
            f"('inf' and '-inf' allowed), {units}",
        )
    parser.add_argument("--positive", action="store_true", help="coefficients >= 0 (the same as --lower-bounds 0)")


def _parse_bound(text: str | None, flag: str):
    if text is None:
        return None
    try:
        values = [float(part) for part in text.split(",")]
    except ValueError:
        raise UsageError(
            f"{flag} must be a number or numbers separated by commas ('inf', '-inf' allowed), got {text!r}"
        ) from None
    if any(math.isnan(v) for v in values):
        raise UsageError(f"{flag} contains nan; use -inf or inf for a side without a bound")
    return values[0] if len(values) == 1 else values


def bounds_of(args, n_features: int | None = None) -> dict:
    """The box options as ``lower_bounds`` / ``upper_bounds`` keyword arguments (``{}`` without them),
    checked against ``n_features`` when the data is known (``--positive`` is a lower bound of 0).

    Parameters
    ----------
    args : argparse.Namespace
    n_features : int, optional

    Returns
    -------
    dict
    """
    from .._validation import check_bounds

    lower = _parse_bound(args.lower_bounds, "--lower-bounds")
    upper = _parse_bound(args.upper_bounds, "--upper-bounds")
    if args.positive:
        if lower is not None and min(lower if isinstance(lower, list) else [lower]) < 0:
            raise UsageError("--positive asks for coefficients >= 0 but --lower-bounds has negative values; pass one")
        lower = 0.0 if lower is None else lower
    if lower is None and upper is None:
        return {}
    for flag, bound in (("--lower-bounds", lower), ("--upper-bounds", upper)):
        if isinstance(bound, list) and n_features is not None and len(bound) != n_features:
            raise UsageError(
                f"{flag} has {len(bound)} values but the data has {n_features} features; pass one number, "
                "or one per feature separated by commas"
            )
    try:
        check_bounds(lower, upper, n_features)
    except ValueError as exc:
        text = one_line(exc).replace("lower_bounds", "--lower-bounds").replace("upper_bounds", "--upper-bounds")
        raise UsageError(text) from None
    return {"lower_bounds": lower, "upper_bounds": upper}


def load_data(args):
    """The data of ``path``, ``cv`` and ``explore``, standardized on all rows unless ``--no-standardize``.

    Parameters
    ----------
    args : argparse.Namespace
        With ``data``, ``target``, ``datafit`` and ``no_standardize``.

    Returns
    -------
    tuple
        ``X, y, names, desc, how, classes``: ``how`` says how the features were scaled; ``classes``
        holds the two labels with ``--datafit logistic``, else None.
    """
    from .data import check_target, load_demo, load_files

    if args.data is None:
        X, y, names, desc = load_demo()
    else:
        X, y, names, desc = load_files(args.data, target_of(args))
    classes = check_target(y, args.datafit, args.target)
    if args.no_standardize:
        return X, y, names, desc, "features used as given (--no-standardize)", classes
    scale = X.std(axis=0)
    scale[scale == 0.0] = 1.0  # constant columns stay constant (0 after centering)
    X = (X - X.mean(axis=0)) / scale
    return X, y, names, desc, "features standardized with the mean and standard deviation of all rows", classes


# ----------------------------------------------------------------------------------------------------
# output
# ----------------------------------------------------------------------------------------------------
def table(header, rows, align=None) -> str:
    """A plain-text table with a rule under the header.

    Parameters
    ----------
    header : list
    rows : list of list
    align : str, optional
        One ``"l"`` or ``"r"`` per column (default: the first left, the rest right).

    Returns
    -------
    str
    """
    align = align or "l" + "r" * (len(header) - 1)
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = []
    for k, r in enumerate([header, *rows]):
        cells = [str(v).ljust(w) if a == "l" else str(v).rjust(w) for v, w, a in zip(r, widths, align)]
        lines.append("  ".join(cells).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def names_list(names, limit=MAX_NAMES) -> str:
    """The first ``limit`` names, comma-separated, and how many more there are.

    Parameters
    ----------
    names : list of str
    limit : int

    Returns
    -------
    str
    """
    shown = ", ".join(names[:limit])
    return shown + (f", ... ({len(names) - limit} more)" if len(names) > limit else "")


def coef(model):
    """The coefficients of a fitted model, one column per output: a binary classifier's row and a
    regressor's vector give one column, a multinomial model one per class.

    Parameters
    ----------
    model : fitted lpnet estimator

    Returns
    -------
    ndarray of shape (n_features, n_outputs)
    """
    import numpy as np

    c = np.asarray(model.coef_)
    return c.reshape(-1, 1) if c.ndim == 1 else c.T


def intercept(model):
    """The intercepts of a fitted model, one per output (0 for a model without one, e.g. Cox).

    Parameters
    ----------
    model : fitted lpnet estimator

    Returns
    -------
    ndarray of shape (n_outputs,)
    """
    import numpy as np

    return np.ravel(getattr(model, "intercept_", 0.0)).astype(float)


def output_headers(short: str, model) -> list:
    """Column headers of a model's coefficients: ``short``, or ``short:class`` per class of a multinomial
    model."""
    if coef(model).shape[1] == 1:
        return [short]
    return [f"{short}:{label}" for label in model.classes_]


def fmt_coef(c: float) -> str:
    """A coefficient for a table: exact zeros print as ``0``.

    Parameters
    ----------
    c : float

    Returns
    -------
    str
    """
    return "0" if c == 0.0 else f"{c:.5g}"


def null_objective(y, datafit: str) -> float:
    """F_null, the objective of the intercept-only model (unweighted).

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        The target as the user gave it.
    datafit : str
        A registered datafit name.

    Returns
    -------
    float
        The datafit's null model value: half the variance of ``y`` for least squares, the entropy of the
        class fractions for the logistic loss, ...
    """
    import numpy as np

    fit = make_datafit(datafit)
    _, encoded = fit.encode_target(y, None, "the data")
    return float(fit.null_model(encoded, np.ones(len(y)), True)[1])
