"""The user guide's examples of bounds, groups, relaxed and adaptive lasso (docs/guide/structure.md) run as
written."""

import pathlib
import re

import pytest

PAGE = pathlib.Path(__file__).resolve().parents[1] / "docs" / "guide" / "structure.md"
SECTION = PAGE.read_text(encoding="utf-8")
BLOCKS = re.findall(r"```python\n(.*?)```", SECTION, flags=re.S)


def test_the_section_shows_each_structure():
    code = "\n".join(BLOCKS)
    for name in (
        "positive=True",
        "upper_bounds",
        "GroupLasso",
        "SparseGroupLassoCV",
        "RelaxedLassoCV",
        "AdaptiveLassoCV",
    ):
        assert name in code


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_example_runs(code, capsys):
    exec(compile(code, "structure.md", "exec"), {})
    assert capsys.readouterr().out  # each example prints its results


def _run(word):
    code = next(block for block in BLOCKS if word in block)
    namespace: dict = {}
    exec(compile(code, "structure.md", "exec"), namespace)
    return namespace


def test_what_the_comments_say_holds(capsys):
    import numpy as np

    boxed = _run("positive=True")["model"]
    assert np.all(boxed.coef_ >= 0.0) and boxed.coef_[-1] == 1.0 and boxed.dual_gap_ is not None
    assert list(_run("GroupLasso")["model"].active_groups_) == ["a"]
    ns = _run("AdaptiveLassoCV")
    adaptive = set(np.flatnonzero(ns["adaptive"].coef_))
    lasso = set(np.flatnonzero(ns["LassoCV"](cv=5).fit(ns["X"], ns["y"]).coef_))
    assert adaptive == {0, 1, 2} and adaptive < lasso
