"""A one-line text progress bar on stderr, for paths, cross-validation and subsampling."""

from __future__ import annotations

import sys


def progress_bar(items, enabled: bool, label: str):
    """Yield ``items``; when ``enabled``, redraw ``label [#####.....] k/total`` on stderr after each."""
    items = list(items)
    total, width = len(items), 30
    for done, item in enumerate(items, 1):
        yield item
        if enabled:
            filled = round(width * done / total)
            sys.stderr.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
            if done == total:
                sys.stderr.write("\n")
            sys.stderr.flush()
