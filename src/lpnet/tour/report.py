"""Write the tour's findings as one self-contained ``index.html`` and a ``findings.json``.

The page needs nothing but itself: the style sheet is inline, figures are inline SVG (text drawn as
paths, so no fonts are needed) or, when an SVG would be too large, base64 PNG; there are no
scripts and no links except to the page's own anchors.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
import os
import re

from ._finding import TYPICAL_SECONDS, VERDICTS

#: an SVG larger than this (bytes) is replaced by a PNG of the same figure
MAX_SVG_BYTES = 800_000
PNG_DPI = 110

_VERDICT_COLORS = {"supports": "#009E73", "partly": "#E69F00", "contradicts": "#D55E00"}
_ALLOWED_TAGS = ("p", "em", "strong", "code", "sub", "sup", "br")
_ENTITY = re.compile(r"&amp;(lt|gt|amp|quot|#x27|#\d+|#x[0-9a-fA-F]+);")

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       max-width: 70rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; line-height: 1.5; color: #222; }
h1 { margin-bottom: 0.2rem; }
.sub { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: 0.6rem 0; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3rem 0.6rem; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.measured { display: grid; grid-template-columns: repeat(auto-fill, minmax(24rem, 1fr)); gap: 0 1.5rem;
            margin: 0.6rem 0; font-size: 0.92rem; }
.measured div { display: flex; justify-content: space-between; gap: 1rem; border-bottom: 1px solid #e4e4e4;
                padding: 0.2rem 0.1rem; }
.measured code { overflow-wrap: anywhere; background: none; flex: 0 0 auto; max-width: 60%; }
.measured div.wide { grid-column: 1 / -1; }
.measured .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.measured .list { white-space: normal; }
.badge { display: inline-block; padding: 0.05rem 0.55rem; border-radius: 0.8rem; color: #fff;
         font-weight: 600; font-size: 0.85rem; white-space: nowrap; }
section { border-top: 2px solid #eee; margin-top: 2rem; padding-top: 0.5rem; }
.question { font-size: 1.1rem; font-style: italic; }
.claim { background: #f7f7f7; border-left: 4px solid #999; padding: 0.3rem 0.8rem; }
.verdict { font-size: 1.05rem; margin: 0.8rem 0; }
figure { margin: 1rem 0; }
figure svg, figure img { max-width: 100%; height: auto; }
figcaption { color: #444; font-size: 0.92rem; }
nav ol { columns: 2; }
code { background: #f2f2f2; padding: 0 0.2rem; }
footer { margin-top: 3rem; color: #666; font-size: 0.85rem; }
"""


# ----------------------------------------------------------------------------------------------------
# text
# ----------------------------------------------------------------------------------------------------
def _esc(text) -> str:
    return html.escape(str(text), quote=True)


def _rich(text: str) -> str:
    """Escape ``text`` but keep the few attribute-free tags a section may use (``<p>``, ``<em>`` ...)
    and the character entities it wrote (``&lt;``).

    Plain text is split into paragraphs at blank lines.
    """
    escaped = _ENTITY.sub(r"&\1;", _esc(text))  # an entity the text already wrote is kept as it is
    for tag in _ALLOWED_TAGS:
        escaped = escaped.replace(f"&lt;{tag}&gt;", f"<{tag}>").replace(f"&lt;/{tag}&gt;", f"</{tag}>")
    if "<p>" in escaped:
        return escaped
    paragraphs = [part.strip() for part in re.split(r"\n\s*\n", escaped) if part.strip()]
    return "\n".join(f"<p>{part}</p>" for part in paragraphs)


def _fmt(value) -> str:
    """A measured value for the table: 4 significant digits, lists and dicts flattened."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        return f"{value:.4g}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_fmt(v)}" for k, v in value.items())
    return str(value)


def _jsonable(value):
    """Plain Python types for ``json``: numpy scalars and arrays converted, NaN and inf as None."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "tolist"):  # numpy scalar or array
        return _jsonable(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


# ----------------------------------------------------------------------------------------------------
# figures
# ----------------------------------------------------------------------------------------------------
_ID_ATTR = re.compile(r'\bid="([^"]+)"')
_ID_REF = re.compile(r'(href="#|url\(#)([^")]+)')
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)
_XMLNS = re.compile(r'\s+xmlns(:\w+)?="[^"]*"')


def render_figure(fig, prefix: str, alt: str = "figure") -> str:
    """One matplotlib figure as inline HTML: an ``<svg>`` element, or an ``<img>`` with a PNG data URI.

    ``alt`` is the text a screen reader announces (the caption).

    Matplotlib names the markers, clip paths and glyphs of every SVG alike; several SVGs in one page
    would share those ids, so each one's ids (and references to them) are prefixed with ``prefix``.
    """
    import matplotlib

    buf = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": prefix}):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    svg = buf.getvalue().decode("utf-8")
    if len(svg) > MAX_SVG_BYTES:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=PNG_DPI, metadata={"Software": None})
        data = base64.b64encode(buf.getvalue()).decode("ascii")
        return f'<img alt="{_esc(alt)}" src="data:image/png;base64,{data}">'
    svg = svg[svg.index("<svg") :]  # drop the XML declaration and DOCTYPE
    # inline SVG in HTML needs no namespace declarations, and the metadata block only names the
    # creator; removing both leaves no external address in the page
    svg = _METADATA.sub("", svg, count=1)
    svg = _XMLNS.sub("", svg)
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{_esc(alt)}" ', 1)
    svg = _ID_ATTR.sub(lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    return _ID_REF.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", svg)


# ----------------------------------------------------------------------------------------------------
# page
# ----------------------------------------------------------------------------------------------------
def _badge(verdict: str) -> str:
    return f'<span class="badge" style="background:{_VERDICT_COLORS[verdict]}">{_esc(verdict)}</span>'


def _summary_table(findings) -> str:
    rows = []
    for f in findings:
        rows.append(
            f'<tr><td class="num">{f.number}</td><td><a href="#{_esc(f.id)}">{_esc(f.question)}</a></td>'
            f"<td>{_badge(f.verdict)}</td><td>{_esc(f.summary)}</td>"
            f'<td class="num">{f.seconds:.1f}</td></tr>'
        )
    return (
        '<table class="findings"><thead><tr><th>#</th><th>Question</th><th>Verdict</th>'
        "<th>What was measured</th><th>Time (s)</th></tr></thead><tbody>\n" + "\n".join(rows) + "\n</tbody></table>"
    )


def _measured_table(measured: dict) -> str:
    # a grid of name/value cells: a section may report a few dozen numbers, which would make a
    # long, narrow table
    cells = []
    for k, v in measured.items():
        value = _jsonable(v)
        kind = "num list" if isinstance(value, (list, dict)) else "num"
        if isinstance(value, dict):  # one entry per line, across the whole grid
            text = "<br>".join(f"{_esc(str(key))}: {_esc(_fmt(item))}" for key, item in value.items())
        else:
            text = _esc(_fmt(value))
        wide = ' class="wide"' if isinstance(value, dict) or len(_fmt(value)) > 60 else ""
        cells.append(f'<div{wide}><code>{_esc(k)}</code><span class="{kind}">{text}</span></div>')
    return '<div class="measured">\n' + "\n".join(cells) + "\n</div>"


def _section(f) -> str:
    parts = [
        f'<section id="{_esc(f.id)}">',
        f"<h2>{f.number}. {_esc(f.title)}</h2>",
        f'<p class="question">{_esc(f.question)}</p>',
        f'<p class="claim"><strong>Claim.</strong> {_esc(f.claim)}</p>',
        f'<p class="verdict">{_badge(f.verdict)} {_esc(f.summary)}</p>',
        _rich(f.text),
        "<h3>Measured</h3>",
        _measured_table(f.measured),
    ]
    for k, figure in enumerate(f.figures, 1):
        parts.append(
            f"<figure>{render_figure(figure.fig, f'{f.id}-f{k}', figure.caption)}"
            f"<figcaption>Figure {f.number}.{k}. {_esc(figure.caption)}</figcaption></figure>"
        )
    parts.append(f'<p class="sub">Section time: {f.seconds:.1f} s.</p></section>')
    return "\n".join(parts)


def build_html(findings, *, quick: bool = False, seed: int = 0) -> str:
    """The whole page as a string: title, table of contents, findings table, one section per finding."""
    from ..version import __version__

    counts = {v: sum(f.verdict == v for f in findings) for v in VERDICTS}
    total = sum(f.seconds for f in findings)
    toc = "\n".join(f'<li><a href="#{_esc(f.id)}">{_esc(f.title)}</a></li>' for f in findings)
    tally = ", ".join(f"{counts[v]} {v}" for v in VERDICTS)
    mode = "quick" if quick else "full"
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            "<title>lpnet tour: L1 and L2 regularization, measured</title>",
            f"<style>{_CSS}</style></head><body>",
            "<h1>L1 and L2 regularization, measured</h1>",
            (
                f'<p class="sub">Each section asks a question, states what tutorials claim, measures it with lpnet '
                f"and gives a verdict. {len(findings)} sections: {tally}. "
                f"Run: {mode}, seed {int(seed)}, lpnet {_esc(__version__)}; its sections took {total:.0f} s "
                f"(the whole <code>lpnet tour{' --quick' if quick else ''}</code> command typically takes about "
                f"{TYPICAL_SECONDS[mode]} s on 2 cores).</p>"
            ),
            f"<nav><h2>Contents</h2><ol>{toc}</ol></nav>",
            "<h2>Findings</h2>",
            _summary_table(findings),
            *(_section(f) for f in findings),
            (
                f"<footer>Generated by <code>lpnet tour{' --quick' if quick else ''} --seed {int(seed)}</code>. "
                "The same seed gives the same numbers; only the timings change.</footer>"
            ),
            "</body></html>",
        ]
    )


def findings_records(findings, *, quick: bool = False, seed: int = 0) -> dict:
    """The JSON document: the run's settings and one record per finding (figures left out)."""
    records = [
        {
            "id": f.id,
            "number": f.number,
            "title": f.title,
            "question": f.question,
            "claim": f.claim,
            "measured": _jsonable(f.measured),
            "verdict": f.verdict,
            "summary": f.summary,
            "seconds": round(float(f.seconds), 3),
        }
        for f in findings
    ]
    return {"quick": bool(quick), "seed": int(seed), "findings": records}


def write_report(findings, out: str, *, quick: bool = False, seed: int = 0) -> str:
    """Write ``out/index.html`` and ``out/findings.json``; returns the path of ``index.html``.

    Parameters
    ----------
    findings : list of Finding
    out : str
        Folder, created if needed.
    quick, seed : the run's settings, shown on the page and stored in the JSON.
    """
    os.makedirs(out, exist_ok=True)
    page = os.path.join(out, "index.html")
    with open(page, "w", encoding="utf-8") as fh:
        fh.write(build_html(findings, quick=quick, seed=seed))
    with open(os.path.join(out, "findings.json"), "w", encoding="utf-8") as fh:
        json.dump(findings_records(findings, quick=quick, seed=seed), fh, indent=2, allow_nan=False)
        fh.write("\n")
    return page
