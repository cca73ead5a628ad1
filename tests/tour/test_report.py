"""The tour's runner and report: a self-contained index.html and a findings.json."""

import json
import re

import pytest

from lpnet.tour import SECTIONS, resolve_sections, run_tour
from lpnet.tour._finding import Figure, Finding
from lpnet.tour.report import build_html, findings_records, render_figure, write_report
from lpnet.tour.style import new_figure

#: fast sections without timings among their numbers: run twice to check determinism
SUBSET = ["s02_large_weights", "s04_unit_balls", "s07_lagrange"]
RECORD_FIELDS = {"id", "number", "title", "question", "claim", "measured", "verdict", "summary", "seconds"}


def _external_references(page: str) -> list:
    """Every src=/href= target that is neither a #anchor nor a data: URI, and any http(s) address."""
    bad = re.findall(r"https?://", page)
    for target in re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)["']""", page, flags=re.IGNORECASE):
        if not target.startswith(("#", "data:")):
            bad.append(target)
    bad += re.findall(r"url\((?!['\"]?#)", page)  # CSS url() other than in-page references
    bad += re.findall(r"@import", page)
    return bad


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    # the whole quick tour, every section, as `lpnet tour --quick` builds it
    out = tmp_path_factory.mktemp("tour")
    findings = run_tour(out=out, quick=True, seed=0, progress=False)
    return out, findings


def test_registry_lists_every_section_in_order():
    assert len(SECTIONS) == 12
    assert [int(name[1:3]) for name in SECTIONS] == list(range(1, 13))
    assert SECTIONS[5] == "s06_axis_frequency" and SECTIONS[10] == "s11_neural_nets"
    assert SECTIONS[11] == "s12_structure"


def test_resolve_sections_accepts_numbers_and_names():
    assert resolve_sections(None) == list(SECTIONS)
    assert resolve_sections([7, "unit_balls", "s01_overfitting", "4"]) == [
        "s01_overfitting",
        "s04_unit_balls",
        "s07_lagrange",
    ]
    assert resolve_sections(3) == ["s03_bias"]
    with pytest.raises(ValueError, match="unknown tour section"):
        resolve_sections(["13"])


def test_run_tour_returns_findings_in_order(built):
    _, findings = built
    assert [f.number for f in findings] == list(range(1, len(SECTIONS) + 1))
    assert all(f.seconds > 0 for f in findings)
    assert len({f.id for f in findings}) == len(SECTIONS)


def test_same_seed_same_numbers(built, tmp_path):
    _, findings = built
    again = run_tour(out=tmp_path, quick=True, seed=0, progress=False, sections=SUBSET)
    first = {f.id: f for f in findings}
    for f in again:
        assert f.measured == first[f.id].measured
        assert f.summary == first[f.id].summary


def test_index_html_has_every_section_with_figures_and_verdict(built):
    out, findings = built
    page = (out / "index.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    for f in findings:
        start = page.index(f'<section id="{f.id}">')
        section = page[start : page.index("</section>", start)]
        assert f.question.replace("'", "&#x27;") in section
        assert 'class="badge"' in section and f">{f.verdict}</span>" in section
        n_figures = section.count("<svg") + section.count('src="data:image/png;base64,')
        assert n_figures == len(f.figures) >= 1
        assert section.count("<figcaption>") == len(f.figures)
        assert f'href="#{f.id}"' in page  # table of contents and findings table link to it


def test_index_html_states_the_measured_and_the_typical_time(built):
    from lpnet.tour import TYPICAL_SECONDS

    out, findings = built
    page = (out / "index.html").read_text(encoding="utf-8")
    assert f"its sections took {sum(f.seconds for f in findings):.0f} s" in page
    assert f"typically takes about {TYPICAL_SECONDS['quick']} s on 2 cores" in page


def test_index_html_is_self_contained(built):
    out, _ = built
    page = (out / "index.html").read_text(encoding="utf-8")
    assert _external_references(page) == []
    assert "<script" not in page and "<link" not in page


def test_svg_ids_are_unique_across_figures(built):
    out, _ = built
    page = (out / "index.html").read_text(encoding="utf-8")
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    for ref in set(re.findall(r'(?:href="#|url\(#)([^")]+)', page)):
        assert ref in ids


def test_findings_json_has_one_record_per_section(built):
    out, findings = built
    doc = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    assert doc["seed"] == 0 and doc["quick"] is True
    records = doc["findings"]
    assert [r["id"] for r in records] == [f.id for f in findings]
    for r in records:
        assert RECORD_FIELDS <= set(r)
        assert r["verdict"] in ("supports", "partly", "contradicts")
        assert isinstance(r["measured"], dict) and r["measured"]


def test_bars_start_at_zero(built):
    from matplotlib.container import BarContainer

    _, findings = built
    checked = 0
    for f in findings:
        for figure in f.figures:
            for ax in figure.fig.axes:
                bars = [patch for c in ax.containers if isinstance(c, BarContainer) for patch in c]
                if not bars or ax.get_yscale() != "linear":
                    continue  # a log axis has no 0: its bars cannot start there
                where = f"section {f.number}, panel {ax.get_title()!r}"
                assert ax.get_ylim()[0] == 0.0, where
                assert all(patch.get_y() == 0.0 for patch in bars), where
                checked += 1
    assert checked >= 10  # the tour has bar charts in sections 1, 6, 9, 10 and 11


def _finding():
    fig, ax = new_figure()
    ax.plot([0, 1], [0, 1])
    return Finding(
        id="demo",
        number=1,
        title="A <b>bold</b> title",
        question="Is 1 < 2 & 3 > 2?",
        claim='"quotes" & <tags>',
        measured={"x": 1.5, "nan": float("nan"), "list": [1, 2.25]},
        verdict="partly",
        summary="a < b: partly",
        text="<p>kept <em>tags</em> <script>x</script></p>",
        figures=[Figure(fig, "caption with <angle> brackets")],
        seconds=0.5,
    )


def test_text_is_escaped_and_only_simple_tags_survive():
    page = build_html([_finding()])
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<b>bold</b>" not in page and "A &lt;b&gt;bold&lt;/b&gt; title" in page
    assert "Is 1 &lt; 2 &amp; 3 &gt; 2?" in page
    assert "<em>tags</em>" in page
    assert "caption with &lt;angle&gt; brackets" in page


def test_text_entities_are_not_escaped_twice():
    from lpnet.tour.report import _rich

    assert _rich("<p>p &lt; 1 and p < 2</p>") == "<p>p &lt; 1 and p &lt; 2</p>"
    assert _rich("one\n\ntwo") == "<p>one</p>\n<p>two</p>"


def test_json_turns_nan_into_null(tmp_path):
    write_report([_finding()], str(tmp_path))
    record = json.loads((tmp_path / "findings.json").read_text())["findings"][0]
    assert record["measured"] == {"x": 1.5, "nan": None, "list": [1, 2.25]}
    assert findings_records([_finding()])["findings"][0]["seconds"] == 0.5


def test_large_figures_fall_back_to_png(monkeypatch):
    from lpnet.tour import report

    fig, ax = new_figure()
    ax.plot(range(10))
    assert render_figure(fig, "a", "a <caption>").startswith('<svg role="img" aria-label="a &lt;caption&gt;"')
    monkeypatch.setattr(report, "MAX_SVG_BYTES", 100)
    assert render_figure(fig, "a", "cap").startswith('<img alt="cap" src="data:image/png;base64,')


def test_tour_import_does_not_load_matplotlib():
    import subprocess
    import sys

    code = "import sys, lpnet, lpnet.tour; print('matplotlib' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
