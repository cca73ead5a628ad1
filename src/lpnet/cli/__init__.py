"""The ``lpnet`` command line: ``lpnet fit``, ``path``, ``cv``, ``tour`` and ``explore``.

``lpnet fit`` with no options runs a demonstration on scikit-learn's bundled diabetes data; with
``--data FILE.csv --target COLUMN --alpha A`` it fits your own data (``--data`` also takes parquet /
CSV files, a glob or a directory, read in memory or out of core: ``--engine``).  ``lpnet path`` (the
regularization path) and ``lpnet cv`` (alpha chosen by cross-validation), ``lpnet tour`` (the measured
tour of L1/L2 regularization) and ``lpnet explore`` (the interactive explorer) complete it; see
``lpnet COMMAND --help``.

One module per command (:mod:`.fit`, :mod:`.select` for ``path`` and ``cv``, :mod:`.tour`,
:mod:`.explore`), what they share in :mod:`.common`, the penalties from the registry in :mod:`.menu`,
the CSV and file readers in :mod:`.data`, the engines (``--engine``: memory, stream, dask) and the
out-of-core fits in :mod:`.engines`.  This module builds the parser and turns every mistake into one
line ``lpnet: error: ...`` with exit status 2.  Nothing else in lpnet imports the command line.

Start-up is kept light: numpy, scikit-learn and the solvers are imported only when a command runs,
pandas only when ``--data`` is given (and only if it is installed), matplotlib only with ``--plot``.
"""

from __future__ import annotations

import argparse
import os
import sys

from ..version import __version__
from .common import Parser, UsageError, one_line
from .explore import add_explore_command
from .fit import DEMO_ALPHA, add_fit_command
from .select import add_select_commands
from .tour import add_tour_command

__all__ = ["DEMO_ALPHA", "build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The ``lpnet`` argument parser with every command registered.

    Returns
    -------
    argparse.ArgumentParser
        Its mistakes raise :class:`~lpnet.cli.common.UsageError` instead of exiting.
    """
    parser = Parser(
        prog="lpnet",
        description="Certified L1 / L2 / Elastic Net / Lp regularized linear and logistic regression.",
    )
    parser.add_argument("--version", action="version", version=f"lpnet {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    add_fit_command(sub)
    add_select_commands(sub)  # lpnet path, lpnet cv
    add_tour_command(sub)
    add_explore_command(sub)
    return parser


def main(argv=None) -> int:
    """Run the ``lpnet`` command line.

    Parameters
    ----------
    argv : list of str, optional
        The arguments after the program name; default ``sys.argv[1:]``.

    Returns
    -------
    int
        The exit status: 0 on success, 2 on errors (reported on one line on stderr), 1 when the
        output pipe closed early.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            raise UsageError(
                "missing command; run 'lpnet fit' for the demo, 'lpnet path', 'lpnet cv', or 'lpnet --help'"
            )
        return int(args.func(args))
    except SystemExit as exc:  # --help / --version
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 2)
    except BrokenPipeError:  # e.g. `lpnet fit | head`: stop quietly, as other command-line tools do
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return 1
    except (UsageError, ValueError, TypeError, FileNotFoundError) as exc:
        print(f"lpnet: error: {one_line(exc)}", file=sys.stderr)
        return 2
