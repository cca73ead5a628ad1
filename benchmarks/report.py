"""Formatting shared by the benchmark reports."""

from __future__ import annotations


def span(values, fmt, high_first=False):
    """``low..high`` of ``values`` (``high..low`` for tols: loosest first), one value if they agree."""
    a, b = (max(values), min(values)) if high_first else (min(values), max(values))
    a, b = fmt.format(a), fmt.format(b)
    return a if a == b else f"{a}..{b}"
