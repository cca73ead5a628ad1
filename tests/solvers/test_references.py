"""lpnet's solutions against independent references: scikit-learn, cvxpy and brute force.

Every comparison is made on the OBJECTIVE, recomputed for both solutions by tests/kkt.py's formula
(docs/conventions.md), and on the coefficients where the problem is strictly convex.
"""

from __future__ import annotations

import itertools
import warnings

import cvxpy as cp
import numpy as np
import pytest
from scipy.optimize import minimize
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import ElasticNet as SkElasticNet
from sklearn.linear_model import Lasso as SkLasso
from sklearn.linear_model import LogisticRegression
from sklearn.linear_model import Ridge as SkRidge

from lpnet.datafits import Logistic, Quadratic
from lpnet.penalties import L1, L2, ElasticNet, Lp
from lpnet.solvers import solve

from .. import kkt
from ..registry import unequal_weights
from . import make_problem

REL = 1e-6  # objectives agree to 1e-6 relative
OUR_TOL = 1e-9  # squared loss
# logistic: 1e-7 F_null is still far below 1e-6 |F|; tighter tolerances are tested in test_certificates
LOGISTIC_TOL = 1e-7
SHAPES = [(40, 10), (20, 35)]  # n > p and n < p


def _F(X, y, s, kind, spec, coef, intercept):
    return kkt.objective(X, y, s, kind, spec, coef, intercept)


def _assert_not_worse(F_ours, F_ref, rel=REL):
    assert F_ours <= F_ref + rel * abs(F_ref) + 1e-14, (F_ours, F_ref)


def _assert_close(F_ours, F_ref, rel=REL):
    _assert_not_worse(F_ours, F_ref, rel)
    assert F_ours == pytest.approx(F_ref, rel=rel), (F_ours, F_ref)


def _assert_coef_close(X, y, s, kind, spec, res, coef_ref, b_ref, fit_intercept, tol):
    """Coefficients agree within what the certificates guarantee for a strongly convex F.

    ours: F - F* <= tol F_null (the certified gap); the reference: F_ref - F* <= (F_ref - F_ours) + that.
    Each is within sqrt(2 (F - F*) / mu) of the unique minimizer.
    """
    _, F_null = kkt.null_model(y, s, kind, fit_intercept)
    F_ours = _F(X, y, s, kind, spec, res.coef, res.intercept)
    F_ref = _F(X, y, s, kind, spec, coef_ref, b_ref)
    mu = kkt.strong_convexity(X, y, s, kind, spec, coef_ref, b_ref, fit_intercept)
    assert mu > 1e-8, "the comparison needs a strongly convex problem"
    G = tol * F_null
    bound = kkt.coef_error_bound(mu, G) + kkt.coef_error_bound(mu, max(F_ref - F_ours, 0.0) + G) + 1e-7
    diff = np.concatenate([res.coef - coef_ref, [res.intercept - b_ref]])
    assert np.linalg.norm(diff) <= bound, (np.linalg.norm(diff), bound)
    # and the bound is informative: much smaller than the coefficients themselves
    assert bound < 0.05 * max(1.0, np.linalg.norm(coef_ref))


# --------------------------------------------------------------------------- scikit-learn, squared loss
@pytest.mark.parametrize("n,p", SHAPES)
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.4])
def test_lasso_enet_match_sklearn(n, p, sparse, fit_intercept, l1_ratio):
    X, y, s = make_problem(n, p, "squared", sparse=sparse, seed=n + p)
    alpha = 0.1 * kkt.alpha_max(X, y, s, "squared", fit_intercept) / max(l1_ratio, 1e-3)
    if l1_ratio == 1.0:
        ref = SkLasso(alpha=alpha, fit_intercept=fit_intercept, tol=1e-12, max_iter=100_000)
        pen, spec = L1(alpha), kkt.PenaltySpec("l1", alpha)
    else:
        ref = SkElasticNet(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fit_intercept, tol=1e-12, max_iter=100_000)
        pen, spec = ElasticNet(alpha, l1_ratio), kkt.PenaltySpec("enet", alpha, l1_ratio=l1_ratio)
    ref.fit(X, y, sample_weight=s)
    res = solve(X, y, Quadratic(), pen, sample_weight=s, fit_intercept=fit_intercept, tol=OUR_TOL, max_iter=1000)
    assert res.converged
    F_ours = _F(X, y, s, "squared", spec, res.coef, res.intercept)
    F_ref = _F(X, y, s, "squared", spec, ref.coef_, ref.intercept_)
    _assert_close(F_ours, F_ref)
    if l1_ratio < 1.0 or n > p:  # strongly convex (Lasso: full column rank)
        _assert_coef_close(X, y, s, "squared", spec, res, ref.coef_, ref.intercept_, fit_intercept, OUR_TOL)


@pytest.mark.parametrize("n,p", SHAPES)
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("solver", ["auto", "cd", "direct"])
def test_ridge_matches_sklearn(n, p, sparse, fit_intercept, solver):
    X, y, s = make_problem(n, p, "squared", sparse=sparse, seed=3 * n + p)
    alpha = 0.05
    sw = kkt.rescale_weights(s, n)  # sklearn's Ridge does not rescale sample weights; ours sum to n
    ref = SkRidge(alpha=n * alpha, fit_intercept=fit_intercept, tol=1e-12, max_iter=100_000)
    ref.fit(X, y, sample_weight=sw)
    res = solve(
        X,
        y,
        Quadratic(),
        L2(alpha),
        sample_weight=s,
        fit_intercept=fit_intercept,
        tol=OUR_TOL,
        max_iter=1000,
        solver=solver,
    )
    assert res.converged
    spec = kkt.PenaltySpec("l2", alpha)
    _assert_close(
        _F(X, y, s, "squared", spec, res.coef, res.intercept), _F(X, y, s, "squared", spec, ref.coef_, ref.intercept_)
    )
    _assert_coef_close(X, y, s, "squared", spec, res, ref.coef_, ref.intercept_, fit_intercept, OUR_TOL)


# --------------------------------------------------------------------------- scikit-learn, logistic
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("which", ["l2", "l1", "enet"])
@pytest.mark.parametrize("solver", ["auto", "fista"])
def test_logistic_matches_sklearn(sparse, fit_intercept, which, solver):
    n, p = 80, 6
    X, y, s = make_problem(n, p, "logistic", sparse=sparse, seed=17)
    sw = kkt.rescale_weights(s, n)
    am = kkt.alpha_max(X, y, s, "logistic", fit_intercept)
    rho = {"l2": 0.0, "l1": 1.0, "enet": 0.5}[which]
    alpha = 0.1 * am if which != "l2" else 0.02
    C = 1.0 / (n * alpha)
    if which == "l2":
        ref = LogisticRegression(
            C=C, l1_ratio=0.0, solver="lbfgs", tol=1e-12, max_iter=100_000, fit_intercept=fit_intercept
        )
        pen, spec = L2(alpha), kkt.PenaltySpec("l2", alpha)
    elif which == "l1" and not fit_intercept:
        # liblinear penalizes the intercept, so it is used only without one
        ref = LogisticRegression(
            C=C, l1_ratio=1.0, solver="liblinear", tol=1e-12, max_iter=100_000, fit_intercept=False
        )
        pen, spec = L1(alpha), kkt.PenaltySpec("l1", alpha)
    else:
        ref = LogisticRegression(
            C=C, l1_ratio=rho, solver="saga", tol=1e-12, max_iter=100_000, fit_intercept=fit_intercept
        )
        pen = L1(alpha) if which == "l1" else ElasticNet(alpha, rho)
        spec = kkt.PenaltySpec("l1", alpha) if which == "l1" else kkt.PenaltySpec("enet", alpha, l1_ratio=rho)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", (ConvergenceWarning, FutureWarning, UserWarning))
        ref.fit(X, y, sample_weight=sw)
    coef_ref = ref.coef_.ravel()
    b_ref = float(ref.intercept_[0]) if fit_intercept else 0.0
    res = solve(
        X,
        y,
        Logistic(),
        pen,
        sample_weight=s,
        fit_intercept=fit_intercept,
        tol=LOGISTIC_TOL,
        max_iter=1000,
        solver=solver,
    )
    assert res.converged
    F_ours = _F(X, y, s, "logistic", spec, res.coef, res.intercept)
    F_ref = _F(X, y, s, "logistic", spec, coef_ref, b_ref)
    _assert_not_worse(F_ours, F_ref)
    if which == "l2":  # lbfgs is accurate: the objectives agree, and the strictly convex solution too
        _assert_close(F_ours, F_ref)
        _assert_coef_close(X, y, s, "logistic", spec, res, coef_ref, b_ref, fit_intercept, LOGISTIC_TOL)
    else:  # saga / liblinear are less accurate: ours may only be better, and not by much
        assert F_ours >= F_ref - 1e-4 * abs(F_ref)


# --------------------------------------------------------------------------- cvxpy, penalty factors
def _cvx_penalty(w, spec: kkt.PenaltySpec, p):
    v = spec.v(p)
    kind, par = spec.canonical()
    if kind == "l1":
        return spec.alpha * cp.sum(cp.multiply(v, cp.abs(w)))
    if kind == "l2":
        return spec.alpha / 2 * cp.sum(cp.multiply(v, cp.square(w)))
    if kind == "enet":
        return spec.alpha * (
            par * cp.sum(cp.multiply(v, cp.abs(w))) + (1 - par) / 2 * cp.sum(cp.multiply(v, cp.square(w)))
        )
    return spec.alpha / par * cp.sum(cp.multiply(v, cp.power(cp.abs(w), par)))


def cvx_reference(X, y, s, kind, spec, fit_intercept):
    Xd = kkt.as_dense64(X)
    n, p = Xd.shape
    sw = kkt.rescale_weights(s, n)
    w = cp.Variable(p)
    b = cp.Variable() if fit_intercept else 0.0
    z = Xd @ w + b
    if kind == "squared":
        data = cp.sum(cp.multiply(sw / (2 * n), cp.square(y - z)))
    else:
        data = cp.sum(cp.multiply(sw / n, cp.logistic(-cp.multiply(y, z))))
    prob = cp.Problem(cp.Minimize(data + _cvx_penalty(w, spec, p)))
    prob.solve(solver="CLARABEL", tol_gap_abs=1e-12, tol_gap_rel=1e-12, tol_feas=1e-12, max_iter=500)
    assert prob.status in ("optimal", "optimal_inaccurate")
    coef = np.asarray(w.value, dtype=np.float64)
    intercept = float(b.value) if fit_intercept else 0.0
    return coef, intercept


CVX_PENALTIES = [
    ("L1", lambda a, v: L1(a, weights=v)),
    ("EN0.4", lambda a, v: ElasticNet(a, 0.4, weights=v)),
    ("L2", lambda a, v: L2(a, weights=v)),
    ("Lp1.5", lambda a, v: Lp(a, 1.5, weights=v)),
    ("Lp3", lambda a, v: Lp(a, 3.0, weights=v)),
]


@pytest.mark.parametrize("kind", ["squared", "logistic"])
@pytest.mark.parametrize("pid,factory", CVX_PENALTIES, ids=[c[0] for c in CVX_PENALTIES])
@pytest.mark.parametrize("n,p", [(50, 9), (25, 30)])
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_penalty_factors_match_cvxpy(kind, pid, factory, n, p, sparse, fit_intercept):
    X, y, s = make_problem(n, p, kind, sparse=sparse, seed=7 * n + p)
    v = unequal_weights(p)
    if kind == "logistic" and n < p:
        # unpenalized columns (v = 0) of an n < p logistic problem may separate the data: keep them few
        v = np.where(v == 0, 0.5, v)
        v[0] = 0.0
    alpha = 0.1 * kkt.alpha_max(X, y, s, kind, fit_intercept, v)
    pen = factory(alpha, v)
    spec = kkt.spec_from_penalty(pen)
    coef_ref, b_ref = cvx_reference(X, y, s, kind, spec, fit_intercept)
    tol = OUR_TOL if kind == "squared" else LOGISTIC_TOL
    res = solve(
        X,
        y,
        Quadratic() if kind == "squared" else Logistic(),
        pen,
        sample_weight=s,
        fit_intercept=fit_intercept,
        tol=tol,
        max_iter=2000,
    )
    assert res.converged
    F_ours = _F(X, y, s, kind, spec, res.coef, res.intercept)
    F_ref = _F(X, y, s, kind, spec, coef_ref, b_ref)
    _assert_close(F_ours, F_ref)
    strictly_convex = spec.canonical()[0] != "l1" or n > p
    if strictly_convex and kkt.strong_convexity(X, y, s, kind, spec, coef_ref, b_ref, fit_intercept) > 1e-3:
        _assert_coef_close(X, y, s, kind, spec, res, coef_ref, b_ref, fit_intercept, tol)


# --------------------------------------------------------------------------- brute force, p < 1
def _brute_force(X, y, s, kind, spec, fit_intercept, rng):
    """Global minimum over every support and sign pattern, multi-start BFGS + Nelder-Mead in each orthant."""
    n, p = X.shape
    best = (np.inf, None, None)
    for k in range(p + 1):
        for support in itertools.combinations(range(p), k):
            for signs in itertools.product([-1.0, 1.0], repeat=k):
                sg = np.array(signs)
                nb = 1 if fit_intercept else 0

                def point(u, support=support, sg=sg):
                    # |w_j| = exp(u_j) > 0: smooth in u inside the orthant; w_j = 0 is another support
                    w = np.zeros(p)
                    w[list(support)] = sg * np.exp(u[nb:])
                    return w, (u[0] if fit_intercept else 0.0)

                def f(u):
                    return _F(X, y, s, kind, spec, *point(u))

                if nb + k == 0:
                    F0 = f(np.zeros(0))
                    if F0 < best[0]:
                        best = (F0, np.zeros(p), 0.0)
                    continue
                for _ in range(3):
                    u0 = np.concatenate([rng.standard_normal(nb), np.log(rng.uniform(0.01, 3.0, k))])
                    r = minimize(f, u0, method="BFGS", options={"gtol": 1e-10, "maxiter": 2000})
                    r = minimize(
                        f, r.x, method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-14, "maxiter": 4000}
                    )
                    if r.fun < best[0]:
                        w, b = point(r.x)
                        best = (float(r.fun), w, b)
    return best


@pytest.mark.parametrize("p_exp", [0.3, 0.5, 2.0 / 3.0, 0.8])
@pytest.mark.parametrize("kind", ["squared", "logistic"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_nonconvex_against_brute_force(p_exp, kind, fit_intercept):
    n, p = 30, 3
    X, y, s = make_problem(n, p, kind, seed=int(100 * p_exp) + (kind == "logistic"))
    v = np.array([1.0, 0.3, 2.5])
    alpha = 0.05 * kkt.alpha_max(X, y, s, kind, fit_intercept, v)
    pen = Lp(alpha, p_exp, weights=v)
    spec = kkt.spec_from_penalty(pen)
    res = solve(
        X,
        y,
        Quadratic() if kind == "squared" else Logistic(),
        pen,
        sample_weight=s,
        fit_intercept=fit_intercept,
        tol=1e-8,
        max_iter=1000,
    )
    assert res.converged
    F_ours = _F(X, y, s, kind, spec, res.coef, res.intercept)
    F_best, w_best, _ = _brute_force(X, y, s, kind, spec, fit_intercept, np.random.default_rng(0))
    # brute force found a (near-)global minimum; lpnet may stop at a local one, but not a bad one
    assert F_best <= F_ours + 1e-9
    assert F_ours <= 1.02 * F_best
    rep = kkt.kkt_violation(X, y, s, kind, spec, res.coef, res.intercept, fit_intercept)
    assert rep.max_violation <= 2e-8
    # and the solution is not trivial: the penalty is weak enough for some support
    assert np.count_nonzero(w_best) > 0
