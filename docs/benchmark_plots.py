"""The figures of the solvers-and-performance page, drawn from the benchmark tables at build time.

The benchmark READMEs hold the measured numbers; the pictures are redrawn from them on every build, so
they can never disagree with the tables the page includes.
"""

from __future__ import annotations

import re
from pathlib import Path

RATIO = re.compile(r"^\s*([0-9.]+)x")

# (README, heading whose first table is drawn, output file, title)
FIGURES = [
    ("README.md", "### Summary", "bench_single_alpha.png", "Single alpha: competitor time / lpnet time"),
    ("paths/README.md", "### Summary", "bench_paths.png", "Paths and cross-validation: competitor time / lpnet time"),
]


def summary_table(text: str, heading: str) -> tuple[list[str], list[list[str]]]:
    """The header and rows of the first Markdown table after ``heading`` in ``text``."""
    start = text.index(heading)
    lines = text[start:].splitlines()
    table = []
    for line in lines[1:]:
        if line.startswith("|"):
            table.append([cell.strip() for cell in line.strip().strip("|").split("|")])
        elif table:
            break
    header, body = table[0], [row for row in table[2:] if len(row) == len(table[0])]
    return header, body


def median_ratios(header: list[str], rows: list[list[str]]) -> tuple[list[str], dict[str, list[float]]]:
    """Per competitor, the median ratio of each case (NaN where the table has none)."""
    cases = [row[0] for row in rows]
    ratios: dict[str, list[float]] = {}
    for col, name in enumerate(header[2:], start=2):
        values = []
        for row in rows:
            match = RATIO.match(row[col])
            values.append(float(match.group(1)) if match else float("nan"))
        if any(v == v for v in values):
            ratios[name] = values
    return cases, ratios


def draw(cases: list[str], ratios: dict[str, list[float]], title: str, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    n, k = len(cases), len(ratios)
    height = 0.8 / max(k, 1)
    fig, ax = plt.subplots(figsize=(9, 0.45 * n * max(1.0, k / 3) + 1.2))
    y = np.arange(n)
    for i, (name, values) in enumerate(ratios.items()):
        ax.barh(y + (i - (k - 1) / 2) * height, values, height=height, label=name)
    ax.axvline(1.0, color="black", lw=1)
    ax.set_xscale("log")
    ax.set_yticks(y, cases, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("competitor time / lpnet time (median over seeds; > 1: lpnet is faster)")
    ax.set_title(title)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=90)
    plt.close(fig)


def draw_all(benchmarks: Path, out_dir: Path) -> None:
    """Draw every figure of ``FIGURES`` into ``out_dir``."""
    for readme, heading, name, title in FIGURES:
        header, rows = summary_table((benchmarks / readme).read_text(encoding="utf-8"), heading)
        cases, ratios = median_ratios(header, rows)
        draw(cases, ratios, title, out_dir / name)
