"""The user guide's examples of the model families (docs/guide/families.md) run as written."""

import pathlib
import re

import pytest

PAGE = pathlib.Path(__file__).resolve().parents[1] / "docs" / "guide" / "families.md"
SECTION = PAGE.read_text(encoding="utf-8")
BLOCKS = re.findall(r"```python\n(.*?)```", SECTION, flags=re.S)


def test_the_section_has_an_example_per_family():
    code = "\n".join(BLOCKS)
    for name in ("PoissonRegression", "LogisticRegression", "CoxRegression", "HuberRegression", "MultiTaskLasso"):
        assert name in code


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_example_runs(code, capsys):
    pytest.importorskip("sksurv")
    exec(compile(code, "families.md", "exec"), {})
    assert capsys.readouterr().out  # each example prints its results
