"""``lpnet tour``: options, output files, one-line errors, the runtime it states."""

import json
import re
from pathlib import Path

from lpnet.cli import main


def test_tour_quick_subset_writes_page_and_json(tmp_path, capsys):
    out = tmp_path / "tour"
    status = main(
        ["tour", "--quick", "--seed", "1", "--out", str(out), "--sections", "4,large_weights", "--no-progress"]
    )
    assert status == 0
    captured = capsys.readouterr()
    lines = captured.out.strip().splitlines()
    assert lines[0].lstrip().startswith("2. Why large weights hurt [")
    assert lines[1].lstrip().startswith("4. ")
    assert "lpnet tour: 2 sections" in lines[-1] and "index.html" in lines[-1]
    doc = json.loads((out / "findings.json").read_text())
    assert doc["seed"] == 1 and doc["quick"] is True
    assert [r["number"] for r in doc["findings"]] == [2, 4]
    assert "<svg" in (out / "index.html").read_text()


def test_tour_open_calls_the_browser(tmp_path, monkeypatch, capsys):
    opened = []
    monkeypatch.setattr("webbrowser.open", lambda url: opened.append(url) or True)
    assert main(["tour", "--quick", "--out", str(tmp_path), "--sections", "4", "--open"]) == 0
    assert opened == [(tmp_path / "index.html").resolve().as_uri()]


def test_tour_errors_are_one_line(tmp_path, capsys):
    assert main(["tour", "--sections", "99"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("lpnet: error: unknown tour section '99'") and err.count("\n") == 1
    assert main(["tour", "--sections", " , "]) == 2
    assert "--sections needs" in capsys.readouterr().err
    assert main(["tour", "--seed", "x"]) == 2
    assert "--seed must be an integer" in capsys.readouterr().err
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    assert main(["tour", "--out", str(a_file), "--sections", "4"]) == 2
    assert "is not a folder" in capsys.readouterr().err


def test_tour_help_mentions_the_options(capsys):
    assert main(["tour", "--help"]) == 0
    text = capsys.readouterr().out
    for option in ("--out", "--quick", "--seed", "--open", "--sections"):
        assert option in text


def _claims(text, pattern):
    """The seconds that ``pattern`` (with one group per number) finds in ``text``, whitespace folded."""
    match = re.search(pattern, " ".join(text.split()))
    assert match, pattern
    return tuple(int(g) for g in match.groups())


def test_runtime_claims_agree(capsys):
    from lpnet.tour import TYPICAL_SECONDS, run_tour
    from lpnet.tour.report import build_html

    claim = (TYPICAL_SECONDS["full"], TYPICAL_SECONDS["quick"])
    assert claim[1] < claim[0]
    readme = (Path(__file__).resolve().parents[1] / "docs" / "guide" / "tools.md").read_text(encoding="utf-8")
    assert _claims(readme, r"The whole tour takes about (\d+) s on 2 cores, `--quick` about (\d+) s") == claim
    assert main(["tour", "--help"]) == 0
    helptext = capsys.readouterr().out
    assert (
        _claims(
            helptext,
            r"all sections \(about (\d+) s on 2 cores\).*"
            r"smaller experiments \(about (\d+) s on 2 cores\)",
        )
        == claim
    )
    assert (
        _claims(
            helptext,
            r"--quick smaller experiments: the whole tour in about (\d+) s instead of about "
            r"(\d+) s",
        )
        == claim[::-1]
    )
    assert _claims(run_tour.__doc__, r"the whole tour in about (\d+) s instead of about (\d+) s") == claim[::-1]
    for quick, seconds in ((False, claim[0]), (True, claim[1])):
        page = build_html([], quick=quick)
        assert _claims(page, r"typically takes about (\d+) s on 2 cores") == (seconds,)
