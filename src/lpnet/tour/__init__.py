"""The L1/L2 story told as measurements, one section per question; run by ``lpnet tour``.

Each section is a module ``lpnet.tour.sNN_name`` with a function ``run(*, quick, seed)`` that measures
something, compares the numbers with what tutorials claim, and returns a
:class:`~lpnet.tour._finding.Finding` with its figures.  :func:`run_tour` runs the sections in order,
prints one verdict line per section and writes ``index.html`` (one self-contained page) and
``findings.json`` with :mod:`lpnet.tour.report`.

Section modules (and matplotlib, which they use) are imported only when a section runs, so
``import lpnet`` stays light.
"""

from __future__ import annotations

import importlib
import os
import sys
import time

from ._finding import TYPICAL_SECONDS, VERDICTS, Figure, Finding

__all__ = ["SECTIONS", "TYPICAL_SECONDS", "VERDICTS", "Figure", "Finding", "resolve_sections", "run_tour"]

#: the section modules of the tour, in reading order
SECTIONS = (
    "s01_overfitting",
    "s02_large_weights",
    "s03_bias",
    "s04_unit_balls",
    "s05_classic_picture",
    "s06_axis_frequency",
    "s07_lagrange",
    "s08_nonconvex",
    "s09_high_p",
    "s10_elastic_net",
    "s11_neural_nets",
    "s12_structure",
)

DEFAULT_OUT = "lpnet-tour"


def resolve_sections(sections=None) -> list[str]:
    """The module names of the requested sections, in tour order.

    Parameters
    ----------
    sections : iterable of (int or str), optional
        Section numbers (``1`` .. ``12``), module names (``"s04_unit_balls"``) or short names
        (``"unit_balls"``); ``None`` means all of :data:`SECTIONS`.

    Returns
    -------
    list of str
        Module names without duplicates, ordered as in :data:`SECTIONS`.
    """
    if sections is None:
        return list(SECTIONS)
    if isinstance(sections, (str, int)):
        sections = [sections]
    by_name = {}
    for number, name in enumerate(SECTIONS, 1):
        for key in (name, name.split("_", 1)[1], str(number), f"{number:02d}"):
            by_name[key] = name
    chosen = set()
    for item in sections:
        key = str(item).strip()
        if key not in by_name:
            raise ValueError(
                f"unknown tour section {item!r}; choose numbers 1-{len(SECTIONS)} or names such as {SECTIONS[0]!r}"
            )
        chosen.add(by_name[key])
    if not chosen:
        raise ValueError("no tour section requested")
    return [name for name in SECTIONS if name in chosen]


def _verdict_line(finding: Finding) -> str:
    return f"{finding.number:2d}. {finding.title} [{finding.verdict}] {finding.summary} ({finding.seconds:.1f} s)"


def run_tour(
    out=DEFAULT_OUT, quick: bool = False, seed: int = 0, progress: bool = True, sections=None
) -> list[Finding]:
    """Run the tour's sections and write ``out/index.html`` and ``out/findings.json``.

    Parameters
    ----------
    out : str or path-like, default ``"lpnet-tour"``
        Output folder, created if needed.  ``None`` runs the sections without writing anything.
    quick : bool, default False
        Smaller experiments (fewer grid points, samples and iterations): the whole tour in about
        25 s instead of about 60 s on 2 cores (:data:`TYPICAL_SECONDS`).
    seed : int, default 0
        Seed of every random draw; the same seed gives the same numbers and figures.
    progress : bool, default True
        Show a progress bar on stderr.  One verdict line per section is printed on stdout
        in any case.
    sections : iterable of (int or str), optional
        A subset of the sections (numbers, module names or short names, see
        :func:`resolve_sections`); default all of :data:`SECTIONS`.

    Returns
    -------
    list of Finding
        One per section run, in tour order, with ``seconds`` set to its wall-clock time.
    """
    from threadpoolctl import threadpool_limits

    from .._progress import progress_bar

    names = resolve_sections(sections)
    # the bar is redrawn with "\r" on stderr; when both streams share a terminal a verdict line must
    # first overwrite the bar, or it would be glued to its end
    overwrite = progress and sys.stderr.isatty() and sys.stdout.isatty()
    findings = []
    for name in progress_bar(names, progress, "lpnet tour"):
        module = importlib.import_module(f"{__name__}.{name}")
        start = time.perf_counter()
        # every problem of the tour is small: BLAS/OpenMP threads only add overhead there, and on a
        # busy machine their spinning can make a section ten times slower
        with threadpool_limits(limits=1):
            finding = module.run(quick=quick, seed=seed)
        finding.seconds = time.perf_counter() - start
        findings.append(finding)
        line = _verdict_line(finding)
        sys.stdout.write(("\r" + line.ljust(80) if overwrite else line) + "\n")
        sys.stdout.flush()
    if out is not None:
        from .report import write_report

        write_report(findings, os.fspath(out), quick=quick, seed=seed)
    return findings
