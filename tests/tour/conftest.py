"""Shared fixtures of the tour tests."""

import pytest


@pytest.fixture(scope="session")
def quick_run():
    """``quick_run(module)``: the section's ``run(quick=True, seed=0)``, computed once per test session."""
    cache = {}

    def get(module):
        if module.__name__ not in cache:
            cache[module.__name__] = module.run(quick=True, seed=0)
        return cache[module.__name__]

    return get
