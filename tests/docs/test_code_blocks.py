"""Every Python code block of README.md and of the user guide (docs/guide/*.md) runs as written.

The blocks of one page run in order in one namespace (a page may build on its earlier blocks), in a
temporary folder (a block may write files).  The pages whose examples have tests of their own, which
also check what the comments say, are run there: families.md (tests/test_readme_families.py),
structure.md (tests/test_readme_structure.py) and the first block of neural_networks.md
(tests/torch/test_convert_torch.py).  The ``{plot}`` blocks are run by the docs build.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "guide"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
RUN_ELSEWHERE = {"families.md": "tests/test_readme_families.py", "structure.md": "tests/test_readme_structure.py"}
FIRST_BLOCK_ELSEWHERE = {"neural_networks.md": "tests/torch/test_convert_torch.py"}
PAGES = [ROOT / "README.md"] + sorted(p for p in GUIDE.glob("*.md") if p.name not in RUN_ELSEWHERE)
NEEDS = {"neural_networks.md": "torch"}


def test_every_guide_page_is_run_somewhere():
    for name, test in {**RUN_ELSEWHERE, **FIRST_BLOCK_ELSEWHERE}.items():
        assert (GUIDE / name).exists()
        assert f'"{name}"' in (ROOT / test).read_text(encoding="utf-8"), f"{test} no longer runs {name}"
    assert len(PAGES) >= 10


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_code_blocks_run(page, tmp_path, monkeypatch):
    if page.name in NEEDS:
        pytest.importorskip(NEEDS[page.name])
    pytest.importorskip("matplotlib").use("Agg")
    blocks = BLOCK.findall(page.read_text(encoding="utf-8"))
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__main__"}
    for i, code in enumerate(blocks):
        if i == 0 and page.name in FIRST_BLOCK_ELSEWHERE:
            continue
        exec(compile(code, f"{page.name} block {i}", "exec"), namespace)
