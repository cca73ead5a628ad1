"""A path's fits on one data set keep the solver's set-up from one alpha to the next (``solve_along``)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from lpnet.datafits import Quadratic
from lpnet.penalties import L1, ElasticNet
from lpnet.solvers import cd_working_set, solve, solve_along

from .. import kkt


def _data(sparse: bool, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((80, 300))
    X[:, 1:] += 0.5 * X[:, :-1]
    if sparse:
        X = sp.csc_matrix(np.where(rng.random(X.shape) < 0.2, X, 0.0))
    w = np.zeros(300)
    w[:8] = rng.standard_normal(8)
    y = np.asarray(X @ w).ravel() + 0.1 * rng.standard_normal(80)
    return X, y


def _violation(X, y, pen, r) -> float:
    """The scale-free KKT violation of a fit, from the independent reference."""
    spec = kkt.spec_from_penalty(pen)
    return kkt.kkt_violation(X, y, None, "squared", spec, r.coef, r.intercept, True).max_violation


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("make", [L1, lambda a: ElasticNet(a, l1_ratio=0.5)])
def test_a_session_keeps_its_state_and_gives_the_fits_of_solve(monkeypatch, sparse, make):
    """Fits warm-started where the last one stopped reuse one coordinate-descent state; each result is
    certified at its own alpha (checked against the KKT conditions), equals a fresh solve's up to the
    gaps, and keeps its coefficients when the next fit moves on."""
    X, y = _data(sparse)
    built = []
    init = cd_working_set.ResidualCD.__init__
    monkeypatch.setattr(cd_working_set.ResidualCD, "__init__", lambda self, p: built.append(1) or init(self, p))
    a_max = float(np.max(np.abs(np.asarray(X.T @ (y - y.mean()))))) / 80
    fit = solve_along(X, y, Quadratic(), tol=1e-8)
    w, b, results = None, None, []
    for alpha in a_max * np.geomspace(0.5, 0.01, 8):
        r = fit(make(alpha), w0=w, b0=b)
        results.append((alpha, r, r.coef.copy()))
        w, b = r.coef, r.intercept
    assert len(built) == 1  # one state for the whole sequence
    for alpha, r, coef in results:
        np.testing.assert_array_equal(r.coef, coef)  # not moved by the fits after it
        assert r.converged and r.solver == "cd"
        assert _violation(X, y, make(alpha), r) <= 1e-4  # (scale-free; an Elastic Net gap of 1e-8 allows about 1e-5)
        fresh = solve(X, y, Quadratic(), make(alpha), tol=1e-8)
        assert abs(r.objective - fresh.objective) <= r.dual_gap + fresh.dual_gap


def test_a_session_starts_afresh_when_the_start_is_elsewhere(monkeypatch):
    """A fit that does not start where the last one stopped (another warm start, a cold one) gets a new
    state: the kept residual would describe another point."""
    X, y = _data(False)
    built = []
    init = cd_working_set.ResidualCD.__init__
    monkeypatch.setattr(cd_working_set.ResidualCD, "__init__", lambda self, p: built.append(1) or init(self, p))
    fit = solve_along(X, y, Quadratic(), tol=1e-8)
    first = fit(L1(0.05))
    shifted = first.coef + 0.01
    second = fit(L1(0.04), w0=shifted, b0=first.intercept)
    third = fit(L1(0.03))
    assert len(built) == 3
    for alpha, r in ((0.04, second), (0.03, third)):
        assert _violation(X, y, L1(alpha), r) <= 1e-4
