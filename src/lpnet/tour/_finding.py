"""What a tour section returns: its finding (data) and its figures.

Results are data: a section measures and returns a :class:`Finding`; the report layer
(:mod:`lpnet.tour.report`) turns findings into ``index.html`` and ``findings.json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: the three honest answers a measurement can give to a claim
VERDICTS = ("supports", "partly", "contradicts")

#: wall-clock seconds a whole ``lpnet tour`` command typically takes on 2 otherwise idle cores (imports,
#: sections and page; measured 42 s and 17 s for sections 1-11, and section 12 adds about 14 s and 7 s; a
#: busy machine takes longer), full and ``--quick``: the
#: one runtime claim that ``--help``, the page and the user guide state.  It lives here, beside the other
#: shared constants, so the report reads it without importing the package that imports the report.
TYPICAL_SECONDS = {"full": 60, "quick": 25}


@dataclass
class Figure:
    """One figure of a section: a matplotlib figure rendered later, and its caption.

    Attributes
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    caption : str
        Its caption.
    """

    fig: Any  # matplotlib.figure.Figure
    caption: str


@dataclass
class Finding:
    """The answer of one section to one question of the L1/L2 story.

    Attributes
    ----------
    id : str
        Short stable identifier, e.g. ``"overfitting"``; also the HTML anchor.
    number : int
        Position in the tour (1-based).
    title : str
        Section heading.
    question : str
        The question a learner asks.
    claim : str
        What tutorials say, i.e. the prediction the measurement is checked against.
    measured : dict
        Named numbers (floats, ints, short lists) that the verdict is based on; JSON-serialisable.
    verdict : str
        One of :data:`VERDICTS`.
    summary : str
        One line comparing the measured numbers with the claim's prediction, e.g.
        ``"L1 zero fraction 0.71 vs L2 0.00: supports"``.
    text : str
        A short explanation (plain text or minimal HTML: ``<p>``, ``<em>``, ``<code>``) for the page.
    figures : list of Figure
    seconds : float
        Wall-clock time of the section (set by the runner).
    """

    id: str
    number: int
    title: str
    question: str
    claim: str
    measured: dict
    verdict: str
    summary: str
    text: str = ""
    figures: list[Figure] = field(default_factory=list)
    seconds: float = 0.0

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {self.verdict!r}")
