"""One adapter module per library, all with the same small interface.

Each adapter module defines

* ``NAME``: the library's display name;
* ``IMPORT_ERROR``: ``None`` when the library imports, else the reason it is unavailable;
* ``version() -> str``;
* ``translate_tol(rel_gap_target, problem) -> float``: the library's own ``tol`` that is meant to reach
  ``rel_gap_target`` (relative to ``F_null``); the runner checks it (lpnet: its independent gap; a
  competitor: its suboptimality bound, ``reference.py``) and tightens it by factors of 10 when it does not;
* ``TOL_NOTE``: what the library's ``tol`` means;
* ``fit(problem, alpha, l1_ratio, tol) -> (coef, intercept)``: one fit with an intercept;
* optionally ``MAX_TIGHTEN``: the adapter's own depth of the 10x tightening ladder (replaces the
  runner's ``--max-tighten``).
"""

from __future__ import annotations

import importlib

ADAPTERS = ("lpnet_adapter", "sklearn_adapter", "glmnet_adapter", "skglm_adapter", "celer_adapter")


def load_all():
    """All adapter modules, available or not (check ``IMPORT_ERROR``)."""
    return [importlib.import_module(f"{__name__}.{name}") for name in ADAPTERS]


def available():
    return [m for m in load_all() if m.IMPORT_ERROR is None]


def fit_lasso_or_enet(lasso_cls, enet_cls, problem, alpha, l1_ratio, **kwargs):
    """Fit a scikit-learn-style ``Lasso`` (``l1_ratio == 1``) or ``ElasticNet`` with an intercept,
    silencing the library's convergence warnings (the runner certifies every answer itself)."""
    import warnings

    if l1_ratio == 1.0:
        model = lasso_cls(alpha=alpha, fit_intercept=True, **kwargs)
    else:
        model = enet_cls(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=True, **kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(problem.X, problem.y)
    return model.coef_, model.intercept_
