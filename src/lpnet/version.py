"""The version of lpnet, in a module of its own.

Modules that record or print the version (saved models, the tour's page, ``lpnet --version``) import
it from here rather than from the package root, which imports those modules back.  It must match the
``version`` in pyproject.toml (a test checks this).
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
