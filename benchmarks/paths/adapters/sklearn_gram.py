"""scikit-learn's ``enet_path`` with ``precompute=True`` (Gram-matrix coordinate descent): the fast
scikit-learn route for tall dense data.  Run on the tall problem only."""

from __future__ import annotations

from . import sklearn_ as _sk

NAME = "scikit-learn (Gram)"
SUPPORTS = ("path",)
ONLY_PROBLEMS = ("tall",)
IMPORT_ERROR = _sk.IMPORT_ERROR
version = _sk.version
translate_tol = _sk.translate_tol


def path(problem, alphas, l1_ratio, tol):
    return _sk._enet_path(problem, alphas, l1_ratio, tol, precompute=True)
