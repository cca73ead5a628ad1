"""What the out-of-core routes of ``lpnet fit``, ``path`` and ``cv`` share (:mod:`lpnet.cli.engines`,
:mod:`lpnet.cli.engines_newton`): opening ``--data`` with an engine (on a ``--scheduler`` when given),
the report's line on the passes, the standardization from moments, and the records each command
prints from, whichever engine computed them.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import NamedTuple

from .common import UsageError, one_line
from .data import data_files, reading_files

#: seconds to wait for ``--scheduler``
CONNECT_TIMEOUT = 10.0
#: the penalties of the datafits fitted by distributed proximal Newton
NEWTON_PENALTIES = ("l1", "l2", "elasticnet")
EPS = 2.220446049250313e-16


def show_progress(args) -> bool:
    """Whether to draw progress bars: ``--progress``, or stderr is a terminal."""
    import sys

    return bool(getattr(args, "progress", False)) or sys.stderr.isatty()


def unreachable(address: str, why: str) -> UsageError:
    return UsageError(
        f"cannot reach the Dask scheduler at {address!r} ({why}); check the address (e.g. tcp://host:8786), "
        "or leave out --scheduler to start a local cluster"
    )


def probe(address: str) -> None:
    """Fail at once on a TCP address nobody listens on (distributed would retry until its timeout)."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    if parts.scheme != "tcp":
        return  # tls, inproc, ...: left to distributed
    try:
        host, port = parts.hostname, parts.port
    except ValueError as exc:
        raise unreachable(address, one_line(exc)) from None
    if host is None or port is None:
        raise unreachable(address, "no host:port in it")
    try:
        socket.create_connection((host, port), timeout=CONNECT_TIMEOUT).close()
    except OSError as exc:
        raise unreachable(address, exc.strerror or one_line(exc)) from None


def connect(address: str):
    probe(address)
    try:
        from distributed import Client
    except ImportError:
        raise UsageError("--scheduler needs Dask's distributed: pip install 'lpnet[dask]'") from None
    try:
        return Client(address, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as exc:
        raise unreachable(address, f"no answer within {CONNECT_TIMEOUT:g} s: {one_line(exc)}") from None


@contextmanager
def opened(args, engine_name: str):
    """``(engine, files)``: ``--data`` opened by the ``stream`` or ``dask`` engine (on ``--scheduler``
    when given), closed on exit; a missing optional dependency becomes a one-line usage error."""
    from ..dask import open_data

    files, _ = data_files(args.data)
    client = connect(args.scheduler) if args.scheduler is not None else None
    try:
        with (
            reading_files(args.data, files),
            open_data(
                files, target=args.target, engine=engine_name, progress=show_progress(args), workers=args.workers
            ) as engine,
        ):
            yield engine, files
    except ImportError as exc:  # pyarrow for parquet, Dask for --engine dask
        raise UsageError(one_line(exc)) from None
    finally:
        if client is not None:
            client.close()


def passes_line(engine, n_files: int) -> str:
    """What a command reports about its passes over the data."""
    s = "" if engine.n_passes == 1 else "es"
    return (
        f"  engine {engine.name}: {engine.n_passes} pass{s} over the data ({n_files} files), "
        f"{engine.n_rows_seen} rows read"
    )


def scaling_of(mean, var, standardize: bool):
    """:func:`scaling` from the features' means and variances."""
    import numpy as np

    constant = var <= (64.0 * EPS) ** 2 * (var + mean**2)
    if not standardize:
        return np.zeros_like(mean), np.ones_like(mean), constant
    scale = np.sqrt(var)
    scale[constant | (scale == 0.0)] = 1.0
    return mean.copy(), scale, constant


class PathRun(NamedTuple):
    """A path and what ``lpnet path`` reports with it, whichever engine computed it."""

    path: object  # lpnet.path.Path
    names: list
    desc: str
    how: str
    classes: object
    group: object
    informative: object  # bool ndarray: the non-constant features
    f_null: float
    score_names: list
    scores: list  # one (n_alphas,) array per score name
    passes: str  # the engine's line (passes, rows read), '' in memory


def standardized_how(args, rows: str) -> str:
    if args.no_standardize:
        return "features used as given (--no-standardize)"
    return f"features standardized with the mean and standard deviation of {rows}, from the pass's statistics"


class FitRun(NamedTuple):
    """The fits of ``lpnet fit`` and what its report needs, whichever engine computed them."""

    desc: str
    names: list
    classes: object
    alpha: float
    results: list  # (label, short label, fitted estimator, fit time, certificate note, [train, test scores])
    informative: object
    mean: object  # the standardization (zeros and ones without it), for --save
    scale: object
    split: str  # the line describing the train/test split and the scaling
    f_null: float
    passes: str


class CVRun(NamedTuple):
    """A cross-validation and what ``lpnet cv`` reports with it, whichever engine computed it."""

    desc: str
    names: list
    how: str
    classes: object
    res: object  # lpnet.model_selection.cv.CVResults
    fits: dict  # choice -> (l1_ratio index, alpha index, alpha, l1_ratio, fitted estimator)
    kind: str
    what: str
    grid: bool
    folds: str  # how the folds were drawn
    informative: object
    alpha_: float
    plot: object  # ax -> ax, drawing the CV curve
    passes: str
