"""``lpnet tour``: run the measured tour of L1/L2 regularization and write a self-contained web page.

Registered on the parser of :mod:`lpnet.cli`, which owns the entry point; the one-line errors are
:mod:`lpnet.cli.common`'s.
The tour's sections (and matplotlib, which draws their figures) are imported only when the command
runs; :mod:`lpnet.tour` itself is light and holds the runtime the help text states.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from ..tour import TYPICAL_SECONDS
from .common import UsageError, integer

__all__ = ["add_tour_command", "cmd_tour"]

_EPILOG = f"""\
examples:
  lpnet tour
      all sections (about {TYPICAL_SECONDS["full"]} s on 2 cores); writes lpnet-tour/index.html and
      lpnet-tour/findings.json
  lpnet tour --quick --open
      smaller experiments (about {TYPICAL_SECONDS["quick"]} s on 2 cores), then open the page in the
      web browser
  lpnet tour --sections 1,4,7 --out my-tour
      only sections 1, 4 and 7 (numbers or names such as unit_balls)

what is written:
  index.html is one self-contained page (figures inline, no scripts, nothing fetched from the
  network): a findings table, then one part per question with the claim, the measured numbers, the
  verdict (supports / partly / contradicts), an explanation and the figures.  findings.json holds
  the same numbers, one record per section.  The same --seed gives the same numbers and figures.

Errors are reported on one line as 'lpnet: error: ...' with exit status 2.
"""


def add_tour_command(sub) -> None:
    """Add ``tour`` to the ``lpnet`` subparsers ``sub``.

    Parameters
    ----------
    sub : argparse subparsers action
    """
    tour = sub.add_parser(
        "tour",
        help="a measured tour of L1/L2 regularization, written as one web page",
        description="Answer the classic questions about L1 and L2 regularization with measurements,\n"
        "one section each, and write the findings as a self-contained web page and JSON.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    tour.add_argument(
        "--out", default=None, metavar="DIR", help="output folder for index.html and findings.json (default lpnet-tour)"
    )
    tour.add_argument(
        "--quick",
        action="store_true",
        help=f"smaller experiments: the whole tour in about {TYPICAL_SECONDS['quick']} s "
        f"instead of about {TYPICAL_SECONDS['full']} s on 2 cores",
    )
    tour.add_argument(
        "--seed", type=integer("--seed"), default=0, metavar="N", help="seed of every random draw (default 0)"
    )
    tour.add_argument("--open", action="store_true", help="open index.html in the web browser when done")
    tour.add_argument(
        "--sections",
        metavar="LIST",
        help="comma-separated subset of sections, by number (1-12) or name, e.g. 1,4,unit_balls",
    )
    tour.add_argument("--no-progress", action="store_true", help="do not draw the progress bar")
    tour.set_defaults(func=cmd_tour)


def cmd_tour(args) -> int:
    """Run ``lpnet tour`` with the parsed ``args``; returns the exit status.

    Parameters
    ----------
    args : argparse.Namespace

    Returns
    -------
    int
    """
    from ..tour import DEFAULT_OUT, resolve_sections, run_tour

    start = time.perf_counter()
    sections = None
    if args.sections is not None:
        parts = [part.strip() for part in args.sections.split(",") if part.strip()]
        if not parts:
            raise UsageError("--sections needs at least one section number or name")
        sections = resolve_sections(parts)  # a ValueError becomes the one-line error
    out = DEFAULT_OUT if args.out is None else args.out
    if os.path.exists(out) and not os.path.isdir(out):
        raise UsageError(f"--out {out!r} exists and is not a folder")
    progress = not args.no_progress and sys.stderr.isatty()
    findings = run_tour(out=out, quick=args.quick, seed=args.seed, progress=progress, sections=sections)
    page = os.path.abspath(os.path.join(out, "index.html"))
    counts = {v: sum(f.verdict == v for f in findings) for v in ("supports", "partly", "contradicts")}
    print(
        f"lpnet tour: {len(findings)} sections ({counts['supports']} supports, {counts['partly']} partly, "
        f"{counts['contradicts']} contradicts) in {time.perf_counter() - start:.0f} s; "
        f"wrote {page} and {os.path.join(os.path.abspath(out), 'findings.json')}"
    )
    if args.open:
        import pathlib
        import webbrowser

        if not webbrowser.open(pathlib.Path(page).as_uri()):
            print(f"lpnet tour: could not open a web browser; open {page} yourself", file=sys.stderr)
    return 0
