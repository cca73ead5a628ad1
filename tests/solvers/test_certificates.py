"""The certificates lpnet reports, checked against independent computations.

* the duality gap is >= 0 and >= the true suboptimality F(w) - F* (F* from cvxpy and a tight solve),
* it is <= tol F_null when the fit says it converged (F_null recomputed here),
* at alpha >= alpha_max (computed here) the Lasso's answer is w = 0 with a gap of ~0,
* the non-convex optimality violation equals the one tests/kkt.py computes by hand.
"""

from __future__ import annotations

import warnings

import cvxpy as cp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.exceptions import ConvergenceWarning

from lpnet.datafits import Logistic, Quadratic
from lpnet.penalties import L1, L2, ElasticNet, Lp
from lpnet.solvers import solve

from .. import kkt
from ..registry import PENALTIES, unequal_weights
from . import make_problem

DATAFITS = {"squared": Quadratic, "logistic": Logistic}
PENS = {
    "L1": lambda a, v: L1(a, weights=v),
    "EN": lambda a, v: ElasticNet(a, 0.5, weights=v),
    "L2": lambda a, v: L2(a, weights=v),
    "Lp1.5": lambda a, v: Lp(a, 1.5, weights=v),
}
CONVEX_COMBOS = (
    [("cd", "squared", pid) for pid in PENS]
    + [("prox_newton", "logistic", pid) for pid in PENS]
    + [("fista", kind, pid) for kind in ("squared", "logistic") for pid in PENS]
    + [("direct", "squared", "L2")]
)
IDS = [f"{a}-{b}-{c}" for a, b, c in CONVEX_COMBOS]


def _cvx_optimum(X, y, s, kind, spec, fit_intercept):
    """(upper, lower) bounds of F*: F at cvxpy's (CLARABEL, tight) solution, and the independent
    dual bound of tests/kkt.py at that point."""
    n, p = X.shape
    sw = kkt.rescale_weights(s, n)
    w = cp.Variable(p)
    b = cp.Variable() if fit_intercept else 0.0
    z = X @ w + b
    if kind == "squared":
        data = cp.sum(cp.multiply(sw / (2 * n), cp.square(y - z)))
    else:
        data = cp.sum(cp.multiply(sw / n, cp.logistic(-cp.multiply(y, z))))
    v = spec.v(p)
    k, par = spec.canonical()
    if k == "l1":
        pen = spec.alpha * cp.sum(cp.multiply(v, cp.abs(w)))
    elif k == "l2":
        pen = spec.alpha / 2 * cp.sum(cp.multiply(v, cp.square(w)))
    elif k == "enet":
        pen = spec.alpha * (
            par * cp.sum(cp.multiply(v, cp.abs(w))) + (1 - par) / 2 * cp.sum(cp.multiply(v, cp.square(w)))
        )
    else:
        pen = spec.alpha / par * cp.sum(cp.multiply(v, cp.power(cp.abs(w), par)))
    prob = cp.Problem(cp.Minimize(data + pen))
    prob.solve(solver="CLARABEL", tol_gap_abs=1e-12, tol_gap_rel=1e-12, tol_feas=1e-12, max_iter=500)
    coef, b0 = np.asarray(w.value, dtype=np.float64), (float(b.value) if fit_intercept else 0.0)
    upper = kkt.objective(X, y, s, kind, spec, coef, b0)
    lower = kkt.duality_gap(X, y, s, kind, spec, coef, b0, fit_intercept)["dual"]
    return upper, lower


def _problem(kind, pid, fit_intercept=True, seed=0, n=40, p=12):
    X, y, s = make_problem(n, p, kind, seed=seed)
    v = unequal_weights(p)
    alpha = 0.05 * kkt.alpha_max(X, y, s, kind, fit_intercept, v)
    return X, y, s, PENS[pid](alpha, v)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("solver,kind,pid", CONVEX_COMBOS, ids=IDS)
def test_gap_bounds_true_suboptimality(solver, kind, pid, fit_intercept):
    X, y, s, pen = _problem(kind, pid, fit_intercept, seed=1)
    spec = kkt.spec_from_penalty(pen)
    df = DATAFITS[kind]()
    F_star, lower = _cvx_optimum(X, y, s, kind, spec, fit_intercept)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        tight = solve(
            X, y, df, pen, sample_weight=s, fit_intercept=fit_intercept, tol=1e-11, max_iter=5000, solver=solver
        )
        F_star = min(F_star, kkt.objective(X, y, s, kind, spec, tight.coef, tight.intercept))
        # the independent dual bounds show F_star is tight (F* in [lower, F_star])
        lower = max(lower, kkt.duality_gap(X, y, s, kind, spec, tight.coef, tight.intercept, fit_intercept)["dual"])
        assert F_star - lower <= 1e-9 * abs(F_star)
        for max_iter in (1, 2, 3, 5):
            res = solve(
                X, y, df, pen, sample_weight=s, fit_intercept=fit_intercept, tol=1e-13, max_iter=max_iter, solver=solver
            )
            F = kkt.objective(X, y, s, kind, spec, res.coef, res.intercept)
            assert res.objective == pytest.approx(F, rel=1e-10, abs=1e-14)
            assert res.dual_gap is not None
            assert res.dual_gap >= -1e-13 * abs(F)
            # a valid certificate: never below the true suboptimality (F_star >= F*, so this is implied)
            assert res.dual_gap >= F - F_star - 1e-13 * abs(F), (max_iter, res.dual_gap, F - F_star)


@pytest.mark.parametrize("tol", [1e-3, 1e-5, 1e-7])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("solver,kind,pid", CONVEX_COMBOS, ids=IDS)
def test_converged_gap_is_below_tol_f_null(solver, kind, pid, fit_intercept, tol):
    X, y, s, pen = _problem(kind, pid, fit_intercept, seed=2)
    spec = kkt.spec_from_penalty(pen)
    res = solve(
        X, y, DATAFITS[kind](), pen, sample_weight=s, fit_intercept=fit_intercept, tol=tol, max_iter=5000, solver=solver
    )
    assert res.converged
    _, F_null = kkt.null_model(y, s, kind, fit_intercept)
    assert -1e-13 <= res.dual_gap <= tol * F_null
    assert res.history[-1] == res.dual_gap
    # the independent certificate agrees (up to the choice of dual point)
    indep = kkt.duality_gap(X, y, s, kind, spec, res.coef, res.intercept, fit_intercept)
    assert indep["gap"] <= 2 * tol * F_null + 1e-13


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize(
    "kind,solver", [("squared", "auto"), ("squared", "fista"), ("logistic", "auto"), ("logistic", "fista")]
)
@pytest.mark.parametrize("factors", [False, True])
def test_lasso_at_alpha_max_is_null_with_zero_gap(kind, solver, fit_intercept, sparse, factors):
    X, y, s = make_problem(50, 20, kind, sparse=sparse, seed=8)
    v = np.where(unequal_weights(20) == 0, 0.4, unequal_weights(20)) if factors else None
    amax = kkt.alpha_max(X, y, s, kind, fit_intercept, v)
    b_null, F_null = kkt.null_model(y, s, kind, fit_intercept)
    for mult in (1.0 + 1e-9, 1.5, 10.0):
        res = solve(
            X,
            y,
            DATAFITS[kind](),
            L1(mult * amax, weights=v),
            sample_weight=s,
            fit_intercept=fit_intercept,
            solver=solver,
        )
        assert res.converged
        assert np.all(res.coef == 0.0)
        assert res.intercept == pytest.approx(b_null, abs=1e-10)
        assert res.objective == pytest.approx(F_null, rel=1e-12)
        assert abs(res.dual_gap) <= 1e-10 * F_null
        assert res.n_outer == 1 and res.n_iter == 0
    # just below alpha_max something enters: alpha_max is the threshold, not merely an upper bound
    res = solve(
        X, y, DATAFITS[kind](), L1(0.95 * amax, weights=v), sample_weight=s, fit_intercept=fit_intercept, solver=solver
    )
    assert np.count_nonzero(res.coef) >= 1


@pytest.mark.parametrize("kind", ["squared", "logistic"])
@pytest.mark.parametrize("p_exp", [0.5, 0.8])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_nonconvex_violation_matches_independent(kind, p_exp, fit_intercept):
    X, y, s = make_problem(40, 12, kind, seed=9)
    v = unequal_weights(12)
    pen = Lp(0.03 * kkt.alpha_max(X, y, s, kind, fit_intercept, v), p_exp, weights=v)
    spec = kkt.spec_from_penalty(pen)
    solver = "cd" if kind == "squared" else "auto"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for max_iter in (1, 2, 100):
            res = solve(
                X,
                y,
                DATAFITS[kind](),
                pen,
                sample_weight=s,
                fit_intercept=fit_intercept,
                tol=1e-8,
                max_iter=max_iter,
                solver=solver,
            )
            assert res.dual_gap is None
            rep = kkt.kkt_violation(X, y, s, kind, spec, res.coef, res.intercept, fit_intercept)
            feature_only = float(rep.feature.max()) / rep.scale
            assert res.optimality_violation == pytest.approx(feature_only, rel=1e-6, abs=1e-13)
            if res.converged:
                assert res.optimality_violation <= 1e-8
                assert rep.max_violation <= 2e-8


# ------------------------------------------------------------------ reachability and usefulness
TIGHT = [("cd", "squared"), ("fista", "squared"), ("prox_newton", "logistic"), ("fista", "logistic")]


@pytest.mark.parametrize("factors", [False, True])
@pytest.mark.parametrize("pid", ["L1", "EN", "L2"])
@pytest.mark.parametrize("solver,kind", TIGHT, ids=[f"{a}-{b}" for a, b in TIGHT])
def test_tight_tolerance_is_reachable(solver, kind, pid, factors):
    """A small well-conditioned problem must be certifiable to tol = 1e-10 (the gap ~ 1e-11 |F|)."""
    X, y, s = make_problem(100, 6, kind, seed=12, weights=factors)
    v = unequal_weights(6) if factors else None
    pen = PENS[pid](0.05 * kkt.alpha_max(X, y, s, kind, True, v), v)
    res = solve(X, y, DATAFITS[kind](), pen, sample_weight=s, tol=1e-10, max_iter=2000, solver=solver)
    assert res.converged, res.history[-5:]
    _, F_null = kkt.null_model(y, s, kind, True)
    indep = kkt.duality_gap(X, y, s, kind, kkt.spec_from_penalty(pen), res.coef, res.intercept, True)
    assert indep["gap"] <= 1e-9 * F_null


@pytest.mark.parametrize("tol", [1e-9, 1e-10])
def test_prox_newton_does_not_stall(tol):
    """L1 logistic, unequal factors (0.05 among them): the gap must keep going down to tol F_null."""
    X, y, s = make_problem(50, 8, "logistic", seed=11)
    v = unequal_weights(8)
    pen = L1(0.05 * kkt.alpha_max(X, y, s, "logistic", True, v), weights=v)
    res = solve(X, y, Logistic(), pen, sample_weight=s, tol=tol, max_iter=1000, solver="prox_newton")
    assert res.converged, (res.n_iter, res.history[-4:])


@pytest.mark.parametrize("solver", ["prox_newton", "fista"])
@pytest.mark.parametrize("pid", ["L1", "L2"])
def test_logistic_gap_is_finite_with_unpenalized_features(solver, pid):
    """The certificate must be informative at every iteration, not just near the optimum."""
    X, y, s = make_problem(80, 40, "logistic", seed=4, correlated=True)
    v = np.r_[0.0, np.ones(39)]
    pen = PENS[pid](0.001 * kkt.alpha_max(X, y, s, "logistic", True, v), v)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        res = solve(X, y, Logistic(), pen, sample_weight=s, tol=1e-12, max_iter=3, solver=solver)
    assert np.all(np.isfinite(res.history)), res.history
    # and it really is an upper bound of the suboptimality: an independent dual point exists there
    indep = kkt.duality_gap(X, y, s, "logistic", kkt.spec_from_penalty(pen), res.coef, res.intercept, True)
    assert np.isfinite(indep["gap"])


@settings(max_examples=10, deadline=None, derandomize=True)
@given(
    seed=st.integers(0, 2**16),
    n=st.integers(20, 50),
    p=st.integers(2, 30),
    pid=st.sampled_from(list(PENS)),
    logistic=st.booleans(),
    max_iter=st.integers(1, 4),
)
def test_random_gaps_are_valid(seed, n, p, pid, logistic, max_iter):
    """Any reported gap (converged or not) is >= the independent suboptimality lower bound F - F_star."""
    kind = "logistic" if logistic else "squared"
    X, y, s = make_problem(n, p, kind, seed=seed)
    v = np.where(unequal_weights(p) == 0, 0.5, unequal_weights(p))
    pen = PENS[pid](0.1 * kkt.alpha_max(X, y, s, kind, True, v), v)
    spec = kkt.spec_from_penalty(pen)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        res = solve(X, y, DATAFITS[kind](), pen, sample_weight=s, tol=1e-12, max_iter=max_iter)
    F = kkt.objective(X, y, s, kind, spec, res.coef, res.intercept)
    F_star, _ = _cvx_optimum(X, y, s, kind, spec, True)
    assert res.dual_gap >= F - F_star - 1e-12 * abs(F)
    assert res.dual_gap >= -1e-13 * abs(F)


@pytest.mark.parametrize("sparse", [False, True])
def test_logistic_certificate_with_one_pass_projection_equals_the_general_one(sparse):
    """With the intercept as the only free column, the logistic certificate takes X^T of the gradient
    and of the projection's metric in one pass: the same gap as the general projection."""
    import scipy.sparse as sps

    from lpnet.certificates import Certifier
    from lpnet.datafits import Logistic
    from lpnet.penalties import L1
    from lpnet.solvers import Design

    rng = np.random.default_rng(3)
    X = rng.standard_normal((200, 30)) + 0.5
    X = sps.csc_matrix(np.where(rng.random(X.shape) < 0.3, X, 0.0)) if sparse else X
    y = np.where(rng.random(200) < 0.4, 1.0, -1.0)
    s = rng.uniform(0.5, 1.5, 200)
    s *= 200 / s.sum()
    w = np.where(rng.random(30) < 0.3, rng.standard_normal(30), 0.0)
    z = np.asarray(X @ w).ravel() + 0.2
    pen = L1(0.01)
    general = Certifier(X, y, s, Logistic(), pen, True, 1e-6).check(w, 0.2, z)
    design = Design(X)
    fused = Certifier(X, y, s, Logistic(), pen, True, 1e-6, xt=design.xt, cache=design).check(w, 0.2, z)
    assert fused.gap == pytest.approx(general.gap, rel=1e-9, abs=1e-14)
    np.testing.assert_allclose(fused.dual_xt, general.dual_xt, rtol=1e-9, atol=1e-14)


@pytest.mark.parametrize("layout", ["dense_f", "dense_c", "csc", "csr_duplicates"])
def test_rounding_scales_are_the_row_maxima_and_centred_column_norms(layout):
    """The certificate's rounding scales (one compiled pass over X) against numpy on the dense matrix."""
    import scipy.sparse as sp

    from lpnet.certificates import Certifier

    rng = np.random.default_rng(3)
    A = sp.random(60, 25, density=0.3, format="coo", random_state=4) * 7.0 + 0.0
    D = A.toarray() + np.linspace(0.0, 2.0, 25) * (A.toarray() != 0)
    A = sp.coo_matrix(D)
    if layout == "csr_duplicates":  # every entry split in two halves: the matrix is their sum
        A = sp.csr_matrix((np.r_[A.data / 2, A.data / 2], (np.r_[A.row, A.row], np.r_[A.col, A.col])), A.shape)
    X = {"dense_f": np.asfortranarray(D), "dense_c": np.ascontiguousarray(D)}.get(layout, A)
    y = D @ rng.standard_normal(25) + 1.0
    cert = Certifier(X, y, np.ones(60), Quadratic(), L1(0.1), True, 1e-6)
    np.testing.assert_allclose(cert._row_max, np.abs(D).max(axis=1), rtol=1e-15)
    np.testing.assert_allclose(cert._col_norms, np.linalg.norm(D - D.mean(axis=0), axis=0), rtol=1e-10)


@pytest.mark.parametrize("kind", ["squared", "logistic"])
def test_repriced_certificate_bounds_the_suboptimality_at_the_exact_prediction(kind):
    """A converged certificate taken at a drifted prediction, repriced at the exact one: its objective is
    the exact one, and its gap (the old dual point kept) still bounds the true suboptimality."""
    from lpnet.certificates import Certifier

    X, y, s, pen = _problem(kind, "L1", True, seed=4)
    spec = kkt.spec_from_penalty(pen)
    F_star, _ = _cvx_optimum(X, y, s, kind, spec, True)
    res = solve(X, y, DATAFITS[kind](), pen, sample_weight=s, tol=1e-9, max_iter=5000)
    w = res.coef.copy()
    w[np.flatnonzero(w)[0]] *= 1.0 + 1e-6  # a point off the optimum, by a little
    exact = X @ w + res.intercept
    drift = 1e-7 * np.random.default_rng(0).standard_normal(exact.shape[0])
    certifier = Certifier(X, y, s * (s.size / s.sum()), DATAFITS[kind](), pen, True, 1e-3)
    cert = certifier.check(w, res.intercept, exact + drift)
    assert cert.converged
    repriced = certifier.reprice(cert, w, res.intercept, exact)
    F = kkt.objective(X, y, s, kind, spec, w, res.intercept)
    assert repriced.objective == pytest.approx(F, rel=1e-12)
    assert cert.objective != pytest.approx(F, rel=1e-12)  # the drift moved the first one
    assert repriced.dual == cert.dual and repriced.floor == cert.floor
    assert repriced.gap == pytest.approx(F - cert.dual + cert.floor, rel=1e-9)
    assert repriced.gap >= F - F_star - 1e-13 * abs(F)


def test_a_drifted_residual_is_repriced_not_certified_again(monkeypatch):
    """When the solver's running residual has drifted past the rounding allowance at the end of a fit,
    the objective is evaluated again from scratch but the dual point kept: no second pass over X."""
    from lpnet.certificates import Certifier
    from lpnet.solvers import cd_working_set

    X, y, s, pen = _problem("squared", "L1", True, seed=5, n=80, p=30)
    checks, reprices = [], []
    check, reprice = Certifier.check, Certifier.reprice
    monkeypatch.setattr(Certifier, "check", lambda self, *a, **k: checks.append(1) or check(self, *a, **k))
    monkeypatch.setattr(Certifier, "reprice", lambda self, *a, **k: reprices.append(1) or reprice(self, *a, **k))
    resync = cd_working_set.ResidualCD.resync

    def drifting(self):  # the running residual off by more than rounding: resync must replace it
        self.r = self.r + 1e-9
        return resync(self)

    monkeypatch.setattr(cd_working_set.ResidualCD, "resync", drifting)
    res = solve(X, y, Quadratic(), pen, sample_weight=s, tol=1e-8, max_iter=100)
    assert res.converged and reprices == [1]
    F = kkt.objective(X, y, s, "squared", kkt.spec_from_penalty(pen), res.coef, res.intercept)
    assert res.objective == pytest.approx(F, rel=1e-12)
    assert res.dual_gap == res.history[-1] and len(checks) == res.n_outer


@pytest.mark.parametrize("layout", ["dense_c", "dense_f", "float32", "csc", "csr"])
def test_design_linear_prediction_equals_numpy(layout):
    """The compiled ``X w + b`` over the support (what solvers recompute their predictions with) against
    numpy on the dense matrix, for every layout the kernels read."""
    import scipy.sparse as sps

    from lpnet.solvers import Design

    rng = np.random.default_rng(7)
    A = np.where(rng.random((50, 40)) < 0.3, rng.standard_normal((50, 40)), 0.0)
    X = {
        "dense_c": np.ascontiguousarray(A),
        "dense_f": np.asfortranarray(A),
        "float32": A.astype(np.float32),
        "csc": sps.csc_matrix(A),
        "csr": sps.csr_matrix(A),
    }[layout]
    dense = np.asarray(X.toarray() if sps.issparse(X) else X, dtype=np.float64)
    design = Design(X)
    for w in (np.zeros(40), np.where(rng.random(40) < 0.2, rng.standard_normal(40), 0.0), rng.standard_normal(40)):
        np.testing.assert_allclose(design.linear(w, 0.7), dense @ w + 0.7, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("pid", [pid for pid, spec in PENALTIES if spec.convex])
@pytest.mark.parametrize("where", ["sparse_w", "dense_w"])
def test_compiled_certificate_pass_equals_the_penalty_methods(pid, where):
    """The one compiled pass of a convex penalty's certificate (distances, dual scaling, conjugate, the
    rounding floor's shifted dual point, and the penalty's value) gives what the penalty's own vectorised
    methods give, with unequal factors (a zero among them), ties at the thresholds and points outside the
    dual domain."""
    from lpnet.certificate_kernels import certificate_pass

    rng = np.random.default_rng(len(pid) + (where == "dense_w"))
    p = 400
    weights = rng.permutation(unequal_weights(p))
    pen = dict(PENALTIES)[pid](0.3, weights)
    tau = pen.zero_threshold(p)
    w = rng.standard_normal(p) * (rng.random(p) < (0.1 if where == "sparse_w" else 0.9))
    grad = rng.standard_normal(p) * 0.4
    grad[:20] = np.where(rng.random(20) < 0.5, tau[:20], -tau[:20])  # on the thresholds exactly
    xt_theta = rng.standard_normal(p) * 0.5
    xt_theta[20:40] = tau[20:40]
    norms = rng.uniform(0.5, 2.0, p)
    radius = 1e-3
    dual = pen.dual_kernels
    distance, scale, conj, shifted_scale, shifted_conj, value = certificate_pass(
        w, grad, xt_theta, pen.penalty_factors(p), tau, pen.params, norms, radius,
        pen.kernels.subdiff_distance, dual.dual_ratio, dual.conjugate, pen.kernels.value, None,
    )  # fmt: skip
    np.testing.assert_allclose(distance, pen.subdiff_distance(w, grad), rtol=1e-12, atol=1e-15)
    assert value == pytest.approx(pen.value(w), rel=1e-12)
    ref_scale, ref_conj = pen.scaled_conjugate(xt_theta)
    assert scale == pytest.approx(ref_scale, rel=1e-12)
    assert conj == pytest.approx(ref_conj, rel=1e-10, abs=1e-13)
    shifted = xt_theta + np.sign(xt_theta) * radius * norms
    ref_scale, ref_conj = pen.scaled_conjugate(shifted)
    assert shifted_scale == pytest.approx(ref_scale, rel=1e-12)
    assert shifted_conj == pytest.approx(ref_conj, rel=1e-10, abs=1e-13)
    # a partial certificate's pass visits its open features only: the same outcome where every other
    # feature is a zero coefficient inside its threshold (its gradient then never read)
    inside = (w == 0) & (np.abs(grad) <= tau) & (np.abs(xt_theta) + radius * norms <= tau)
    assert inside.any() or where == "dense_w" or not tau.any()  # (no threshold: nothing lies inside)
    hidden = np.where(inside, np.nan, grad)
    partial = certificate_pass(
        w, hidden, xt_theta, pen.penalty_factors(p), tau, pen.params, norms, radius,
        pen.kernels.subdiff_distance, dual.dual_ratio, dual.conjugate, pen.kernels.value, np.flatnonzero(~inside),
    )  # fmt: skip
    np.testing.assert_array_equal(partial[0], distance)
    assert partial[1:] == (scale, conj, shifted_scale, shifted_conj, value)
    # the case checks something: rescaling happens for the L1 type, and the conjugate is nonzero otherwise
    assert scale > 1.0 or conj > 0.0
