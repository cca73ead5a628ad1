"""Shared data for the explorer tests."""

from __future__ import annotations

import pytest

from lpnet.explorer.data import builtin_datasets


@pytest.fixture(scope="module")
def datasets():
    return {d.name: d for d in builtin_datasets()}
