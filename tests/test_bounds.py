"""Box constraints ``lower_j <= w_j <= upper_j``: the boxed prox against brute force, the normal cone in the
subdifferential distance against the independent checker, fits against scikit-learn, scipy and cvxpy, and
every registered penalty with every model family through the independent KKT checker (tests/kkt.py)."""

import warnings

import numpy as np
import pytest
from scipy.optimize import lsq_linear, minimize
from sklearn.linear_model import ElasticNet as SkElasticNet
from sklearn.linear_model import Lasso as SkLasso

from lpnet import ElasticNet, Lasso, LogisticRegression, RegularizedModel, Ridge
from lpnet.datafits import Huber, Logistic, Quadratic, Tweedie, make_datafit
from lpnet.penalties import L1, L2, MCP
from lpnet.solvers import certify, solve
from tests import kkt
from tests.registry import PENALTIES, unequal_weights

IDS = [pid for pid, _ in PENALTIES]


def random_boxes(rng, n):
    """One box per coordinate, of every kind: [0, inf), (-inf, 0], positive, negative, around 0, a point,
    unbounded."""
    a, b = np.sort(rng.uniform(0.05, 3.0, (2, n)), axis=0)
    kinds = np.arange(n) % 7
    lower = np.select(
        [kinds == 0, kinds == 1, kinds == 2, kinds == 3, kinds == 4, kinds == 5], [0, -np.inf, a, -b, -a, a], -np.inf
    )
    upper = np.select(
        [kinds == 0, kinds == 1, kinds == 2, kinds == 3, kinds == 4, kinds == 5], [np.inf, 0, b, -a, b, a], np.inf
    )
    return lower, upper


# --------------------------------------------------------------------------- the prox over a box
@pytest.mark.parametrize("pid, factory", PENALTIES, ids=IDS)
def test_boxed_prox_is_the_minimum_over_the_box_by_brute_force(pid, factory):
    rng = np.random.default_rng(3)
    n = 70
    v = unequal_weights(n)
    alpha = 0.8
    lower, upper = random_boxes(rng, n)
    x = rng.normal(scale=2.5, size=n)
    step = rng.uniform(0.2, 6.0, n)  # past MCP's gamma and SCAD's a - 1 too: non-convex 1-D problems
    z = factory(alpha, v).with_bounds(lower, upper).prox(x, step)
    assert np.all((lower <= z) & (z <= upper))
    for j in range(n):
        lo = lower[j] if np.isfinite(lower[j]) else min(x[j], 0.0) - 1.0
        hi = upper[j] if np.isfinite(upper[j]) else max(x[j], 0.0, lo) + 1.0
        grid = np.concatenate([np.linspace(lo, hi, 40001), [np.clip(0.0, lo, hi)]])
        h = 0.5 * (grid - x[j]) ** 2 + step[j] * factory.value_of(grid, alpha * v[j])
        ours = 0.5 * (z[j] - x[j]) ** 2 + step[j] * factory.value_of(z[j], alpha * v[j])
        assert ours <= h.min() + 1e-9 * (1.0 + abs(h.min())), (j, lower[j], upper[j], x[j], step[j], z[j])


@pytest.mark.parametrize("pid, factory", PENALTIES, ids=IDS)
def test_normal_cone_matches_the_independent_checker(pid, factory):
    rng = np.random.default_rng(4)
    n = 63
    v = unequal_weights(n)
    lower, upper = random_boxes(rng, n)
    # points at the lower bound, the upper bound, inside, and 0 where the box holds it
    choice = np.arange(n) % 4
    inside = np.clip(rng.normal(size=n), lower, upper)
    w = np.select([choice == 0, choice == 1, choice == 2], [lower, upper, inside], np.clip(0.0, lower, upper))
    w = np.where(np.isfinite(w), w, inside)
    g = rng.normal(scale=2.0, size=n)
    pen = factory(0.6, v).with_bounds(lower, upper)
    ours = pen.subdiff_distance(w, g)
    ref = kkt.subdifferential_distance(g, kkt.spec_from_penalty(pen), w)
    np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-12)
    features = rng.permutation(n)[:9]  # a few features only, in any order (a path's candidates)
    np.testing.assert_allclose(pen.subdiff_distance(w, g, features), ref[features], rtol=1e-10, atol=1e-12)
    # a point outside its box is no stationary point at all
    assert np.isinf(pen.subdiff_distance(np.where(np.isfinite(upper), upper + 1.0, 0.0), g)[np.isfinite(upper)]).all()


# --------------------------------------------------------------------------- references
@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((70, 8))
    y = X @ rng.normal(size=8) + 0.3 * rng.standard_normal(70)
    return X, y


@pytest.mark.parametrize("Ours, Theirs, kw", [(Lasso, SkLasso, {}), (ElasticNet, SkElasticNet, {"l1_ratio": 0.4})])
def test_positive_equals_scikit_learn(data, Ours, Theirs, kw):
    X, y = data
    ours = Ours(alpha=0.05, positive=True, tol=1e-13, **kw).fit(X, y)
    theirs = Theirs(alpha=0.05, positive=True, tol=1e-14, max_iter=100_000, **kw).fit(X, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-6)
    assert np.all(ours.coef_ >= 0) and (ours.coef_ == 0).any()
    # a true duality gap with the box: it bounds the distance to scikit-learn's optimum from above
    assert ours.converged_ and ours.optimality_violation_ is None and 0 <= ours.dual_gap_ <= 1e-12
    f_theirs = kkt.objective(
        X,
        y,
        None,
        "squared",
        kkt.PenaltySpec("enet", 0.05, l1_ratio=kw.get("l1_ratio", 1.0)),
        theirs.coef_,
        theirs.intercept_,
    )
    assert ours.objective_ - f_theirs <= ours.dual_gap_ + 1e-15


def _cvxpy_box_fit(X, y, alpha, l1_ratio, lower, upper, logistic=False):
    cp = pytest.importorskip("cvxpy")
    n, p = X.shape
    w, b = cp.Variable(p), cp.Variable()
    z = X @ w + b
    loss = cp.sum(cp.logistic(-cp.multiply(y, z))) / n if logistic else cp.sum_squares(y - z) / (2 * n)
    pen = alpha * (l1_ratio * cp.norm1(w) + (1 - l1_ratio) / 2 * cp.sum_squares(w))
    cons = [w[j] >= lower[j] for j in range(p) if np.isfinite(lower[j])]
    cons += [w[j] <= upper[j] for j in range(p) if np.isfinite(upper[j])]
    prob = cp.Problem(cp.Minimize(loss + pen), cons)
    prob.solve(solver="CLARABEL", tol_gap_abs=1e-11, tol_gap_rel=1e-11, tol_feas=1e-11)
    return w.value, b.value, prob.value


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("solver", ["cd", "prox_newton", "fista"])
def test_general_box_equals_cvxpy(data, l1_ratio, solver):
    X, y = data
    lower = np.array([0.0, -np.inf, 0.4, -2.0, -0.1, 0.3, -np.inf, -1.0])
    upper = np.array([np.inf, 0.0, 2.0, -0.5, 0.1, 0.3, np.inf, 1.0])
    w_ref, b_ref, f_ref = _cvxpy_box_fit(X, y, 0.05, l1_ratio, lower, upper)
    model = ElasticNet(0.05, l1_ratio=l1_ratio, lower_bounds=lower, upper_bounds=upper, tol=1e-10, solver=solver)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.fit(X, y)
    assert np.all((lower <= model.coef_) & (model.coef_ <= upper))
    np.testing.assert_allclose(model.coef_, w_ref, atol=1e-5)
    assert model.objective_ <= f_ref + 1e-9


def test_logistic_box_equals_cvxpy(data):
    X, y = data
    labels = np.where(y > 0.3, 1.0, -1.0)
    lower, upper = np.full(8, -0.3), np.array([0.2, 0.2, np.inf, np.inf, 0.0, 1.0, 1.0, 0.5])
    lower[3] = 0.1  # a box that excludes 0
    w_ref, _, f_ref = _cvxpy_box_fit(X, labels, 0.02, 1.0, lower, upper, logistic=True)
    model = LogisticRegression("l1", 0.02, lower_bounds=lower, upper_bounds=upper, tol=1e-10).fit(X, labels)
    np.testing.assert_allclose(model.coef_.ravel(), w_ref, atol=1e-5)
    assert model.objective_ <= f_ref + 1e-9


def test_bounded_least_squares_equals_lsq_linear(data):
    X, y = data
    lower, upper = np.array([-0.5, 0, 0, -np.inf, 0.2, -1, -1, 0]), np.array([0.5, np.inf, 0.1, 0, 2, 1, -0.3, 3])
    ref = lsq_linear(X, y, bounds=(lower, upper), tol=1e-14, method="bvls")
    model = Ridge(0.0, lower_bounds=lower, upper_bounds=upper, fit_intercept=False, tol=1e-12).fit(X, y)
    np.testing.assert_allclose(model.coef_, ref.x, atol=1e-8)


def test_ridge_box_equals_lbfgsb_with_sample_weights(data):
    X, y = data
    s = np.random.default_rng(5).uniform(0.2, 3.0, X.shape[0])
    lower, upper = np.full(8, -0.2), np.full(8, 0.6)
    sn = s * len(s) / s.sum()

    def f(wb):
        r = y - X @ wb[:-1] - wb[-1]
        return 0.5 * np.mean(sn * r * r) + 0.5 * 0.1 * wb[:-1] @ wb[:-1]

    def grad(wb):
        r = y - X @ wb[:-1] - wb[-1]
        return np.append(-X.T @ (sn * r) / len(y) + 0.1 * wb[:-1], -np.mean(sn * r))

    ref = minimize(
        f,
        np.zeros(9),
        jac=grad,
        method="L-BFGS-B",
        bounds=[*zip(lower, upper), (None, None)],
        options={"ftol": 1e-16, "gtol": 1e-12, "maxiter": 10_000},
    )
    model = Ridge(0.1, lower_bounds=lower, upper_bounds=upper, tol=1e-12).fit(X, y, sample_weight=s)
    np.testing.assert_allclose(model.coef_, ref.x[:-1], atol=1e-6)
    assert model.objective_ <= ref.fun + 1e-12


# --------------------------------------------------------------------------- every penalty, every family
N, P = 60, 7
_rng = np.random.default_rng(21)
XF = _rng.standard_normal((N, P))
MU = np.exp(0.2 + XF[:, :3] @ np.array([0.4, -0.3, 0.2]))
SF = _rng.uniform(0.5, 2.0, N)
FAMILIES = {
    "squared": (XF @ np.array([1.0, -0.5, 0.3, 0.0, 0.8, -1.0, 0.2]) + 0.3 * _rng.standard_normal(N), Quadratic()),
    "logistic": (np.where(XF[:, 0] + 0.5 * _rng.standard_normal(N) > 0, 1.0, -1.0), Logistic()),
    "poisson": (_rng.poisson(MU).astype(float), make_datafit("poisson")),
    "gamma": (_rng.gamma(3.0, MU / 3.0), make_datafit("gamma")),
    "tweedie": (_rng.poisson(MU) * _rng.gamma(2.0, 0.5, N), Tweedie(1.5)),
    "huber": (np.log(MU) + _rng.standard_t(2, N), Huber(kkt.HUBER_EPS, 1.0)),
    "cox": (np.column_stack([_rng.exponential(1.0 / MU), (_rng.random(N) < 0.67).astype(float)]), make_datafit("cox")),
}
# a box that holds 0 from below, one from above, one excluding 0 (positive), one excluding it (negative), a
# two-sided one, an open one; feature 0 is unpenalized (factor 0) and bounded
LOWER = np.array([-0.15, 0.0, -np.inf, 0.05, -0.4, -0.3, -np.inf])
UPPER = np.array([0.2, np.inf, 0.0, 0.5, -0.02, 0.3, np.inf])


@pytest.mark.parametrize("pid, factory", PENALTIES, ids=IDS)
@pytest.mark.parametrize("kind", ["squared", "logistic", "poisson"])
def test_every_penalty_meets_the_boxed_optimality_conditions(kind, pid, factory):
    _check_family(kind, factory)


@pytest.mark.parametrize("kind", ["gamma", "tweedie", "huber", "cox"])
@pytest.mark.parametrize("pid", ["L1", "ElasticNet(l1_ratio=0.3)", "MCP(gamma=3)", "Lp(p=0.5)"])
def test_every_family_meets_the_boxed_optimality_conditions(kind, pid):
    _check_family(kind, dict(PENALTIES)[pid])


def _check_family(kind, factory):
    y, datafit = FAMILIES[kind]
    intercept = datafit.allows_intercept
    factors = unequal_weights(P)
    alpha = 0.2 * kkt.alpha_max(XF, y, SF, kind, intercept, factors)
    penalty = factory(alpha, factors).with_bounds(LOWER, UPPER)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ConvergenceWarning
        model = RegularizedModel(datafit=datafit, penalty=penalty, tol=1e-9, max_iter=500).fit(XF, y, sample_weight=SF)
    coef = np.ravel(model.coef_)
    assert np.all((LOWER <= coef) & (coef <= UPPER))
    # a gap where the box enters the conjugate (convex penalty, a datafit with one, no box on the
    # unpenalized feature 0: here there is one), else the violation
    assert model.dual_gap_ is None and model.optimality_violation_ <= 1e-9
    b = float(np.ravel(getattr(model, "intercept_", 0.0))[0])
    report = kkt.kkt_violation(XF, y, SF, kind, kkt.spec_from_penalty(penalty), coef, b, intercept)
    assert report.max_violation <= 1e-6, report.max_violation


# --------------------------------------------------------------------------- solver plumbing
def test_warm_start_outside_the_box_is_clipped_and_zero_start_moved_into_it(data):
    X, y = data
    pen = L1(0.05, lower_bounds=0.1, upper_bounds=0.4)
    for w0 in (None, np.full(8, -3.0)):
        res = solve(X, y, Quadratic(), pen, w0=w0, tol=1e-10)
        assert np.all((0.1 <= res.coef) & (res.coef <= 0.4)) and res.converged


def test_the_direct_solve_refuses_a_box(data):
    X, y = data
    with pytest.raises(ValueError, match="use solver='cd'"):
        solve(X, y, Quadratic(), L2(0.1, lower_bounds=0.0), solver="direct")


@pytest.mark.parametrize("penalty", [L1(0.02, lower_bounds=0.0), L2(0.5, lower_bounds=-0.1, upper_bounds=0.2)])
def test_gram_solver_holds_the_box_and_its_gap(penalty):
    rng = np.random.default_rng(9)
    X = rng.standard_normal((400, 12))
    y = X @ rng.normal(size=12) + 0.3 * rng.standard_normal(400)
    res = solve(X, y, Quadratic(), penalty, tol=1e-12)
    assert res.solver == "cd_gram" and res.converged and res.dual_gap is not None
    lower, upper = penalty.bounds(12)
    ref, _, f_ref = _cvxpy_box_fit(X, y, penalty.alpha, 1.0 if isinstance(penalty, L1) else 0.0, lower, upper)
    np.testing.assert_allclose(res.coef, ref, atol=1e-6)
    assert res.objective - f_ref <= res.dual_gap + 1e-12


def test_auto_skips_the_direct_solve_for_a_bounded_ridge(data):
    X, y = data
    model = Ridge(1.0, upper_bounds=0.1).fit(X, y)
    assert model.solver_ == "cd" and model.coef_.max() <= 0.1


def test_float32_coefficients_stay_inside_an_unrepresentable_bound(data):
    X, y = data
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # certified as rounded
        model = Lasso(0.01, lower_bounds=0.1, upper_bounds=0.7).fit(X.astype(np.float32), y.astype(np.float32))
    assert model.coef_.dtype == np.float32 and model.converged_
    assert np.all((0.1 <= model.coef_) & (model.coef_ <= 0.7))


def test_nonconvex_penalty_with_a_box_excluding_zero(data):
    # MCP's prox over [0.2, 3] when the unconstrained answer (0, or a jump past gamma lam) is outside
    X, y = data
    pen = MCP(0.3, gamma=1.2, lower_bounds=0.2, upper_bounds=3.0)
    res = solve(X, y, Quadratic(), pen, tol=1e-10, max_iter=500)
    assert res.converged and np.all((0.2 <= res.coef) & (res.coef <= 3.0))
    report = kkt.kkt_violation(X, y, None, "squared", kkt.spec_from_penalty(pen), res.coef, res.intercept, True)
    assert report.max_violation <= 1e-8


CONVEX = [(pid, f) for pid, f in PENALTIES if f.convex]


@pytest.mark.parametrize("pid, factory", CONVEX, ids=[pid for pid, _ in CONVEX])
@pytest.mark.parametrize("kind", ["squared", "logistic", "poisson", "huber"])
def test_a_box_on_penalized_features_is_certified_by_a_valid_duality_gap(kind, pid, factory):
    y, datafit = FAMILIES[kind]
    factors = unequal_weights(P)  # feature 0 unpenalized, and here left free
    lower, upper = LOWER.copy(), UPPER.copy()
    lower[0], upper[0] = -np.inf, np.inf
    alpha = 0.2 * kkt.alpha_max(XF, y, SF, kind, True, factors)
    penalty = factory(alpha, factors).with_bounds(lower, upper)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = RegularizedModel(datafit=datafit, penalty=penalty, tol=1e-10, max_iter=500).fit(XF, y, sample_weight=SF)
    coef, b = np.ravel(model.coef_), float(np.ravel(model.intercept_)[0])
    assert model.dual_gap_ is not None and model.optimality_violation_ is None
    assert np.all((lower <= coef) & (coef <= upper))
    report = kkt.kkt_violation(XF, y, SF, kind, kkt.spec_from_penalty(penalty), coef, b, True)
    assert report.max_violation <= 3e-4  # a gap G bounds the gradient's distance to about sqrt(2 L G)
    # the gap bounds the suboptimality of any point of the box: of a perturbed one too
    rng = np.random.default_rng(1)
    for _ in range(3):
        w = np.clip(coef + 0.1 * rng.standard_normal(P), lower, upper)
        cert = certify(XF, y, datafit, penalty, w, b + 0.05, sample_weight=SF)
        assert cert.dual_gap >= cert.objective - model.objective_ - 1e-12 > 0


def test_gap_safe_screening_holds_with_a_box_that_contains_zero():
    rng = np.random.default_rng(8)
    X = rng.standard_normal((50, 400))
    y = X[:, :5] @ np.array([2.0, -1.0, 1.5, 0.5, -2.0]) + 0.1 * rng.standard_normal(50)
    res = solve(X, y, Quadratic(), L1(0.1, lower_bounds=0.0, upper_bounds=1.2), tol=1e-12, max_iter=200)
    w_ref, _, f_ref = _cvxpy_box_fit(X, y, 0.1, 1.0, np.zeros(400), np.full(400, 1.2))
    assert res.converged and res.n_screened > 300  # most features proved zero by the gap
    np.testing.assert_allclose(res.coef, w_ref, atol=1e-6)
    assert res.objective <= f_ref + 1e-10 and res.coef.max() == 1.2  # held at the upper bound
