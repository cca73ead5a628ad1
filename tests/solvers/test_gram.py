"""The Gram (covariance) mode: its certificate, computed from Gram quantities only, holds on the data."""
import numpy as np
import pytest

from lpnet.datafits import Quadratic
from lpnet.penalties import L1, L2, ElasticNet, Lp
from lpnet.solvers import Design, solve
from tests import kkt

PENALTIES = {
    "L1": lambda a, v: L1(a, weights=v),
    "EN": lambda a, v: ElasticNet(a, 0.4, weights=v),
    "Lp1.5": lambda a, v: Lp(a, 1.5, weights=v),
    "L2": lambda a, v: L2(a, weights=v),
}


@pytest.mark.parametrize("pid", list(PENALTIES))
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_gram_certificate_is_independently_valid(pid, fit_intercept):
    rng = np.random.default_rng(5)
    n, p = 400, 12
    X = rng.standard_normal((n, p)) @ np.triu(np.full((p, p), 0.3)) + 1.5  # correlated, uncentred
    y = X[:, :3] @ np.array([1.0, -2.0, 0.5]) + 3.0 + rng.standard_normal(n)
    s = rng.uniform(0.2, 2.0, n)
    v = np.linspace(0.3, 2.5, p)
    pen = PENALTIES[pid](0.05 * kkt.alpha_max(X, y, s, "squared", fit_intercept, v), v)
    res = solve(X, y, Quadratic(), pen, sample_weight=s, fit_intercept=fit_intercept, tol=1e-8,
                solver="cd_gram", max_iter=1000)
    assert res.converged and res.solver in ("cd_gram", "cd")
    spec = kkt.spec_from_penalty(pen)
    indep = kkt.duality_gap(X, y, s, "squared", spec, res.coef, res.intercept, fit_intercept)
    f_null = kkt.objective(X, y, s, "squared", spec, np.zeros(p), 0.0) if not fit_intercept else None
    # the independent gap, and the objective recomputed on the data, agree with the Gram bookkeeping
    assert indep["primal"] == pytest.approx(res.objective, rel=1e-10)
    assert res.dual_gap >= -1e-12 * res.objective
    scale = f_null if f_null is not None else 0.5 * np.average((y - np.average(y, weights=s)) ** 2, weights=s)
    assert indep["gap"] <= 1e-6 * scale


def test_a_design_reuses_its_gram_columns_across_alphas():
    rng = np.random.default_rng(6)
    X = rng.standard_normal((500, 20))
    y = X[:, :4].sum(axis=1) + rng.standard_normal(500)
    design = Design(X)
    alphas = [0.5, 0.2, 0.05]
    warm = [solve(design, y, Quadratic(), L1(a), solver="cd_gram", tol=1e-10) for a in alphas]
    cold = [solve(X, y, Quadratic(), L1(a), solver="cd_gram", tol=1e-10) for a in alphas]
    for a, b in zip(warm, cold):
        np.testing.assert_allclose(a.coef, b.coef, atol=1e-7)


def test_gram_mode_refuses_unpenalized_features():
    X = np.random.default_rng(0).standard_normal((100, 3))
    with pytest.raises(ValueError, match="every feature"):
        solve(X, X[:, 0], Quadratic(), L1(0.1, weights=[0.0, 1.0, 1.0]), solver="cd_gram")
