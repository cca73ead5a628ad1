"""MCP and SCAD end to end: skglm as an outside reference, paths, cross-validation, save/load, factors.

Independent references, written here from the formulas (lam_j = alpha v_j):

* MCP   P_j(w) = lam_j |w| - w^2 / (2 gamma) for |w| <= gamma lam_j, else gamma lam_j^2 / 2;
* SCAD  P_j(w) = lam_j |w| up to lam_j, (2 a lam_j |w| - w^2 - lam_j^2) / (2 (a - 1)) up to a lam_j,
  then lam_j^2 (a + 1) / 2;

their limiting subdifferentials (``[-lam_j, lam_j]`` at 0, the derivative elsewhere), the datafit
gradients of tests/kkt.py, and skglm 0.5's ``MCPenalty`` / ``SCAD`` with its own solver.  Stationarity of
every fit is recomputed here, never read from lpnet's report alone.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pytest
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold
from sklearn.preprocessing import StandardScaler

import lpnet
from lpnet.datafits import Logistic
from lpnet.penalties import MCP, SCAD, Lp
from lpnet.solvers import solve

from . import kkt
from .registry import get_factory, unequal_weights, value_mcp, value_scad

TOL = 1e-6


# --------------------------------------------------------------------------- references
@dataclass(frozen=True)
class Ref:
    """One MCP or SCAD penalty described from the formulas: ``kind``, ``alpha``, the shape parameter
    (gamma or a) and the factors ``v``."""

    kind: str
    alpha: float
    shape: float
    v: np.ndarray

    @property
    def lam(self) -> np.ndarray:
        return self.alpha * self.v

    def value(self, w) -> float:
        f = value_mcp(self.shape) if self.kind == "mcp" else value_scad(self.shape)
        return float(np.sum(f(np.asarray(w, dtype=float), self.lam)))

    def dist(self, w, g) -> np.ndarray:
        """dist(-g_j, dP_j(w_j)), the limiting subdifferential."""
        w, g, lam = np.asarray(w, dtype=float), np.asarray(g, dtype=float), self.lam
        u, s = np.abs(w), np.sign(w)
        at_zero = np.maximum(np.abs(g) - lam, 0.0)
        if self.kind == "mcp":
            slope = np.where(u < self.shape * lam, lam - u / self.shape, 0.0)
        else:
            a = self.shape
            slope = np.where(u <= lam, lam, np.where(u < a * lam, (a * lam - u) / (a - 1.0), 0.0))
        return np.where(w == 0, at_zero, np.abs(g + s * slope))

    def zero_threshold(self, step) -> np.ndarray:
        """T with prox(x, step) = 0 exactly when |x| <= T (see tests/registry.py for the derivation)."""
        step, lam, c = np.asarray(step, dtype=float), self.lam, self.shape
        if self.kind == "mcp":  # firm thresholding below gamma, hard thresholding above
            return np.where(step < c, step * lam, np.sqrt(step * c) * lam)
        return np.where(step <= c + 1.0, step * lam, np.sqrt(step * (c + 1.0)) * lam)


def ref_of(pen, n_features) -> Ref:
    """The reference of an lpnet MCP / SCAD object, from its public parameters."""
    kind = type(pen).__name__.lower()
    shape = pen.gamma if kind == "mcp" else pen.a
    v = np.ones(n_features) if pen.weights is None else np.asarray(pen.weights, dtype=float)
    return Ref(kind, float(pen.alpha), float(shape), v)


def signed(y):
    """Labels as -1/+1 (the larger one positive), the encoding tests/kkt.py uses."""
    return np.where(y == np.max(y), 1.0, -1.0)


def gradients(X, y, kind, coef, intercept):
    return kkt.datafit_gradients(X, signed(y) if kind == "logistic" else y, None, kind, coef, intercept)


def violation(X, y, kind, ref, coef, intercept, fit_intercept) -> float:
    """The scale-free stationarity of the conventions, recomputed: max_j dist(-grad_j, dP_j(w_j)) (and
    |dD/db|) over ||grad D||_inf at the null model."""
    g, gb = gradients(X, y, kind, coef, intercept if fit_intercept else 0.0)
    yy = signed(y) if kind == "logistic" else y
    scale = kkt.null_grad_scale(X, yy, None, kind, fit_intercept)
    worst = max(float(np.max(ref.dist(coef, g))), abs(gb) if fit_intercept else 0.0)
    return worst / scale


def objective(X, y, kind, ref, coef, intercept) -> float:
    yy = signed(y) if kind == "logistic" else y
    return kkt.datafit_value(X, yy, None, kind, coef, intercept) + ref.value(coef)


def check_prox_zeros(X, y, kind, ref, coef, intercept):
    """Zeros exactly where a coordinate prox step puts them: with step_j = 1 / L_j (L_j = ||x_j||^2 / n,
    a quarter of it for the logistic loss) and x_j = w_j - step_j grad_j, a coefficient whose x_j is
    well inside the prox's zero threshold is exactly 0.0, and a zero coefficient is a fixed point."""
    n = X.shape[0]
    lips = np.sum(X * X, axis=0) / n * (0.25 if kind == "logistic" else 1.0)
    g, _ = gradients(X, y, kind, coef, intercept)
    step = 1.0 / lips
    x = coef - step * g
    thr = ref.zero_threshold(step)
    yy = signed(y) if kind == "logistic" else y
    slack = 10 * TOL * kkt.null_grad_scale(X, yy, None, kind, True) * step
    inside = (np.abs(x) < 0.99 * thr) & (ref.lam > 0)
    assert np.all(coef[inside] == 0.0), coef[inside]
    zero = (coef == 0) & (ref.lam > 0)
    assert np.all(np.abs(x[zero]) <= thr[zero] + slack[zero]), (x[zero], thr[zero])
    nonzero = coef != 0
    assert np.all(np.abs(x[nonzero]) >= thr[nonzero] - slack[nonzero]), (x[nonzero], thr[nonzero])


# --------------------------------------------------------------------------- data
@pytest.fixture(scope="module")
def diabetes():
    X, y = load_diabetes(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def correlated_gaussian(n=120, p=20, rho=0.5, seed=0, kind="squared"):
    """Toeplitz-correlated Gaussian design, a sparse truth, Gaussian noise or Bernoulli labels."""
    rng = np.random.default_rng(seed)
    cov = rho ** np.abs(np.subtract.outer(np.arange(p), np.arange(p)))
    X = rng.standard_normal((n, p)) @ np.linalg.cholesky(cov).T
    w = np.zeros(p)
    for j, value in zip((0, 3, 7, 12), (2.0, -1.5, 1.0, 0.8)):
        if j < p:
            w[j] = value
    z = X @ w
    if kind == "squared":
        return X, z + rng.standard_normal(n)
    return X, (rng.random(n) < 1.0 / (1.0 + np.exp(-z))).astype(int)


def test_reference_subdifferential_matches_its_value():
    """The analytic derivatives above agree with a finite difference of the value formulas (the
    registry's knot-aware one): the two references are one."""
    rng = np.random.default_rng(0)
    v = unequal_weights(9)
    for kind, shape, pid in (("mcp", 1.5, "MCP(gamma=1.5)"), ("scad", 3.7, "SCAD(a=3.7)")):
        ref, factory = Ref(kind, 0.8, shape, v), get_factory(pid)
        for _ in range(5):
            w = rng.normal(scale=2.0, size=9)
            g = rng.normal(size=9)
            expected = [abs(g[j] + factory.derivative(w[j], ref.lam[j])) for j in range(9)]
            np.testing.assert_allclose(ref.dist(w, g), expected, rtol=1e-7, atol=1e-9)


# --------------------------------------------------------------------------- (b) paths
PATH_CASES = [
    ("squared", "mcp"),
    ("squared", "scad"),
    ("logistic", "scad"),
    # MCP with the logistic loss: gamma above 1 / L_j = 4 (see test_logistic_mcp_zero_at_alpha_max)
    ("logistic", MCP(123.0, gamma=5.0)),
]


def _template(penalty):
    if isinstance(penalty, str):
        return (MCP if penalty == "mcp" else SCAD)(1.0, weights=None)
    return penalty


@pytest.mark.parametrize(
    "kind,penalty", PATH_CASES, ids=["squared-mcp", "squared-scad", "logistic-scad", "logistic-MCP(gamma=5)"]
)
def test_path(diabetes, kind, penalty):
    X, y = diabetes
    if kind == "logistic":
        y = (y > 140).astype(int)
    path = lpnet.regularization_path(X, y, penalty=penalty, datafit=kind, n_alphas=12)
    yy = signed(y) if kind == "logistic" else y
    a_max = kkt.alpha_max(X, yy, None, kind, True)  # the Lasso's: MCP and SCAD have L1's slope at 0
    assert path.alpha_max == pytest.approx(a_max, rel=1e-9)
    assert path.alphas[0] == pytest.approx(a_max, rel=1e-12)
    assert np.all(np.isnan(path.dual_gaps))
    assert np.all(path.converged)
    template = _template(penalty)
    for k, alpha in enumerate(path.alphas):
        coef, b, reported = path.coefs[k], path.intercepts[k], path.optimality_violations[k]
        ref = ref_of(template.with_alpha(alpha), X.shape[1])
        mine = violation(X, y, kind, ref, coef, b, True)
        assert mine <= 2 * TOL + 1e-12, (alpha, mine)
        assert reported <= TOL
        assert reported == pytest.approx(mine, rel=1e-3, abs=1e-9)
        check_prox_zeros(X, y, kind, ref, coef, b)
        assert path.objectives[k] == pytest.approx(objective(X, y, kind, ref, coef, b), rel=1e-9)
    assert np.all(path.coefs[0] == 0.0)
    assert path.n_nonzero[-1] > 0
    # just below alpha_max a coefficient leaves zero; at and above it none does
    edge = lpnet.regularization_path(X, y, penalty=penalty, datafit=kind, alphas=a_max * np.array([1.5, 1.0, 0.999]))
    assert list(edge.n_nonzero[:2]) == [0, 0] and edge.n_nonzero[2] >= 1
    assert np.all(edge.converged)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_logistic_mcp_at_alpha_max_zero_is_stationary_and_a_fit_only_improves(diabetes):
    """At alpha_max, w = 0 is stationary (a strict local minimum of MCP's objective); with the logistic
    loss the coordinate step 1/L_j = 4 exceeds gamma = 3, so the prox can jump over the concave part to a
    better point.  Whatever the fit returns must be stationary and no worse than 0."""
    X, y = diabetes
    y = (y > 140).astype(int)
    a_max = lpnet.alpha_max(X, y, penalty="mcp", datafit="logistic")
    zero = lpnet.RegularizedModel("logistic", MCP(a_max), tol=1e-10).fit(X, y)
    yy = np.where(y == 1, 1.0, -1.0)

    def objective(coef, b):
        pen = MCP(a_max)
        return float(np.mean(np.logaddexp(0.0, -yy * (X @ coef + b)))) + pen.value(coef)

    b0 = np.log(y.mean() / (1 - y.mean()))
    ref = Ref("mcp", a_max, 3.0, np.ones(X.shape[1]))
    assert violation(X, y, "logistic", ref, np.zeros(X.shape[1]), b0, True) <= 1e-12
    coef, b = np.ravel(zero.coef_), float(np.ravel(zero.intercept_)[0])
    assert violation(X, y, "logistic", ref, coef, b, True) <= 2 * TOL
    assert objective(coef, b) <= objective(np.zeros(X.shape[1]), b0) + 1e-12


def _free_model(X, y, v):
    """Least squares on the intercept and the v = 0 columns, and the gradient it leaves on the others."""
    free = v == 0
    A = np.column_stack([np.ones(X.shape[0]), X[:, free]])
    coef = np.linalg.lstsq(A, y, rcond=None)[0]
    return coef, -X.T @ (y - A @ coef) / X.shape[0]


@pytest.mark.parametrize("penalty", [SCAD(5.0, a=3.0), "mcp"])
def test_path_with_unequal_factors(diabetes, penalty):
    """Factors with zeros: alpha_max over the penalized features with the free ones fitted, the path
    starts at that free model exactly, and every alpha is stationary with lam_j = alpha v_j."""
    X, y = diabetes
    v = unequal_weights(X.shape[1])
    free = v == 0
    path = lpnet.regularization_path(X, y, penalty=penalty, penalty_factor=v, n_alphas=8)
    coef_free, g = _free_model(X, y, v)
    assert path.alpha_max == pytest.approx(np.max(np.abs(g[~free]) / v[~free]), rel=1e-9)
    np.testing.assert_allclose(path.coefs[0][free], coef_free[1:], rtol=1e-9)
    assert np.all(path.coefs[0][~free] == 0.0)
    assert np.all(path.converged)
    kind, shape = ("scad", 3.0) if isinstance(penalty, SCAD) else ("mcp", 3.0)
    for alpha, coef, b in zip(path.alphas, path.coefs, path.intercepts):
        ref = Ref(kind, alpha, shape, v)
        assert violation(X, y, "squared", ref, coef, b, True) <= 2 * TOL
        check_prox_zeros(X, y, "squared", ref, coef, b)


def test_path_with_instance_weights_starts_at_the_free_model(diabetes):
    X, y = diabetes
    v = unequal_weights(X.shape[1])
    path = lpnet.regularization_path(X, y, penalty=SCAD(5.0, a=3.0, weights=v), n_alphas=4)
    coef_free, _ = _free_model(X, y, v)
    np.testing.assert_allclose(path.coefs[0][v == 0], coef_free[1:], rtol=1e-9)
    assert np.all(path.coefs[0][v > 0] == 0.0)


# --------------------------------------------------------------------------- (c) cross-validation
@pytest.mark.parametrize("penalty", ["mcp", "scad"])
def test_logistic_cv(penalty):
    # a seed where no fold meets the prox_newton stall of test_logistic_prox_newton_reaches_a_stationary_point
    # (about half of the seeds do, at one alpha or two)
    X, y = correlated_gaussian(n=150, p=6, rho=0.3, seed=4, kind="logistic")
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        cv = lpnet.LogisticRegressionCV(penalty=penalty, n_alphas=6, cv=StratifiedKFold(3)).fit(X, y)
    assert cv.alphas_.shape == (6,)
    assert cv.alpha_ in cv.alphas_
    assert cv.alphas_[0] == pytest.approx(kkt.alpha_max(X, signed(y), None, "logistic", True), rel=1e-9)
    # the mean held-out loss is smallest at the chosen alpha
    mean = np.asarray(cv.mse_path_).reshape(6, 3).mean(axis=1)
    assert cv.alpha_ == cv.alphas_[int(np.argmin(mean))]
    # the final model is a stationary point at alpha_
    ref = Ref(penalty, cv.alpha_, 3.0 if penalty == "mcp" else 3.7, np.ones(6))
    assert violation(X, y, "logistic", ref, cv.coef_.ravel(), cv.intercept_[0], True) <= 2 * TOL
    assert set(cv.predict(X)) <= set(np.unique(y))


def test_least_squares_grid_search(diabetes):
    """RegularizedModel inside scikit-learn's GridSearchCV, over alpha (a name) and over penalty
    instances (whose own alpha is the one used)."""
    X, y = diabetes
    a_max = kkt.alpha_max(X, y, None, "squared", True)
    grid = list(a_max * np.array([0.5, 0.1, 0.03, 0.01]))
    folds = KFold(3, shuffle=True, random_state=0)
    search = GridSearchCV(lpnet.RegularizedModel(penalty="mcp"), {"alpha": grid}, cv=folds).fit(X, y)
    assert search.best_params_["alpha"] in grid
    direct = lpnet.RegularizedModel(penalty="mcp", alpha=search.best_params_["alpha"]).fit(X, y)
    np.testing.assert_array_equal(search.best_estimator_.coef_, direct.coef_)
    ref = Ref("mcp", search.best_params_["alpha"], 3.0, np.ones(X.shape[1]))
    assert violation(X, y, "squared", ref, direct.coef_, direct.intercept_, True) <= 2 * TOL
    # the same grid as SCAD instances: alpha comes from the instance
    pens = [SCAD(a, a=3.0) for a in grid]
    search = GridSearchCV(lpnet.RegularizedModel(alpha=123.0), {"penalty": pens}, cv=folds).fit(X, y)
    best = search.best_params_["penalty"]
    assert isinstance(best, SCAD) and best.alpha in grid
    scores = search.cv_results_["mean_test_score"]
    assert scores[pens.index(best)] == np.max(scores)
    ref = Ref("scad", best.alpha, 3.0, np.ones(X.shape[1]))
    est = search.best_estimator_
    assert violation(X, y, "squared", ref, est.coef_, est.intercept_, True) <= 2 * TOL


# --------------------------------------------------------------------------- (d) save / load
def test_save_load_round_trip(tmp_path, diabetes):
    X, y = diabetes
    v = unequal_weights(X.shape[1])
    models = [
        lpnet.RegularizedModel(penalty="mcp", alpha=2.0).fit(X, y),
        lpnet.RegularizedModel(penalty=SCAD(0.5, a=3.0, weights=v)).fit(X, y),
        lpnet.RegularizedModel(datafit="logistic", penalty="scad", alpha=0.02).fit(X, (y > 140).astype(int)),
    ]
    for i, model in enumerate(models):
        path = lpnet.save(model, tmp_path / f"model{i}.json")
        loaded = lpnet.load(path)
        assert type(loaded) is type(model)
        np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
        np.testing.assert_array_equal(loaded.coef_, model.coef_)
        if hasattr(model, "predict_proba"):
            np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
        assert loaded.optimality_violation_ == model.optimality_violation_
    scad = lpnet.load(tmp_path / "model1.json").penalty
    assert isinstance(scad, SCAD) and scad.alpha == 0.5 and scad.a == 3.0
    np.testing.assert_array_equal(scad.weights, v)
    assert lpnet.load(tmp_path / "model0.json").penalty == "mcp"


# --------------------------------------------------------------------------- (e) unequal factors
@pytest.mark.parametrize("kind", ["squared", "logistic"])
@pytest.mark.parametrize(
    "make", [lambda v: MCP(0.05, gamma=2.5, weights=v), lambda v: SCAD(0.05, a=3.0, weights=v)], ids=["MCP", "SCAD"]
)
def test_unequal_factors_in_a_fit(kind, make):
    X, y = correlated_gaussian(n=160, p=12, rho=0.4, seed=11, kind=kind)
    v = unequal_weights(12)  # zeros at features 0 and 7
    pen = make(v)
    model = lpnet.RegularizedModel(datafit=kind, penalty=pen, tol=1e-9, max_iter=500).fit(X, y)
    coef, b = model.coef_.ravel(), float(np.ravel(model.intercept_)[0])
    ref = ref_of(pen, 12)
    g, gb = gradients(X, y, kind, coef, b)
    yy = signed(y) if kind == "logistic" else y
    scale = kkt.null_grad_scale(X, yy, None, kind, True)
    # unpenalized features (and the intercept): plain stationarity, gradient 0
    assert np.all(np.abs(g[v == 0]) <= 2e-9 * scale) and abs(gb) <= 2e-9 * scale
    assert np.all(coef[v == 0] != 0.0)
    assert violation(X, y, kind, ref, coef, b, True) <= 2e-9
    # the penalty_factor route is the same fit
    name = type(pen).__name__.lower()
    shape = {"gamma": pen.gamma} if name == "mcp" else {"a": pen.a}
    other = lpnet.RegularizedModel(
        datafit=kind, penalty=type(pen)(0.05, **shape), penalty_factor=v, tol=1e-9, max_iter=500
    ).fit(X, y)
    np.testing.assert_array_equal(other.coef_, model.coef_)


# --------------------------------------------------------------------------- known solver failure
@pytest.mark.parametrize(
    "make", [lambda: MCP(0.2673), lambda: SCAD(0.2123), lambda: Lp(0.06, 0.5)], ids=["MCP", "SCAD", "Lp(p=0.5)"]
)
def test_logistic_prox_newton_reaches_a_stationary_point(diabetes, make):
    """One standardized feature (s5 of diabetes), labels y > 140: a 1-D problem plus an intercept whose
    stationary point FISTA finds in a few dozen iterations.  The Newton model's curvature is below the
    global bound there, so its coordinate step jumps to the wrong branch of the non-convex prox; prox_newton
    must still get there (it falls back to majorizing steps)."""
    X, y = diabetes
    x = X[:, [8]]
    labels = np.where(y > 140, 1.0, -1.0)
    pen = make()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fista = solve(x, labels, Logistic(), pen, tol=TOL, max_iter=1000, solver="fista")
        newton = solve(x, labels, Logistic(), pen, tol=TOL, max_iter=100, solver="prox_newton")
    assert fista.converged
    assert newton.converged and newton.objective <= fista.objective + 1e-9


# --------------------------------------------------------------------------- (a) skglm
# skglm compiles its penalties and solver when first used (about 20 s for two penalty classes, not cached
# on disk), so everything that calls skglm is in one test, the module's last: one process pays for it, and
# no other test waits behind it.
try:
    import skglm.penalties as skglm_penalties
except ImportError:  # pragma: no cover - skglm is a test dependency
    skglm_penalties = None


def _skglm_fit(X, y, penalty, tol=1e-12):
    from skglm import GeneralizedLinearEstimator
    from skglm.datafits import Quadratic
    from skglm.solvers import AndersonCD

    solver = AndersonCD(tol=tol, fit_intercept=False, max_iter=1000)
    return GeneralizedLinearEstimator(Quadratic(), penalty, solver).fit(X, y).coef_.ravel()


def _skglm_pair(kind, alpha, shape):
    if kind == "mcp":
        return skglm_penalties.MCPenalty(alpha, shape), MCP(alpha, gamma=shape)
    return skglm_penalties.SCAD(alpha, shape), SCAD(alpha, a=shape)


def check_value_scaling(kind, alpha, shape):
    """skglm's MCPenalty(alpha, gamma) and SCAD(alpha, gamma) are lpnet's MCP(alpha, gamma) and
    SCAD(alpha, a=gamma) with unit factors, coordinate by coordinate, knots included."""
    theirs, ours = _skglm_pair(kind, alpha, shape)
    ref = Ref(kind, alpha, shape, np.ones(1))
    w = np.unique(
        np.concatenate(
            [
                np.linspace(-6, 6, 241),
                alpha * np.array([1.0, -1.0, shape, -shape]),
                alpha * shape * np.array([1 - 1e-9, 1 + 1e-9]),
            ]
        )
    )
    for wi in w:
        one = np.array([wi])
        assert ours.value(one) == pytest.approx(float(theirs.value(one)), rel=1e-13, abs=1e-15), wi
        assert ours.value(one) == pytest.approx(ref.value(one), rel=1e-13, abs=1e-15), wi
    assert ours.value(w) == pytest.approx(float(theirs.value(w)), rel=1e-12)


def check_weighted_mcp_scaling():
    """Factors: lpnet puts v_j inside (lam_j = alpha v_j: the knot moves to gamma alpha v_j), skglm's
    WeightedMCPenalty multiplies the whole penalty by v_j.  They agree for v_j in {0, 1} only."""
    alpha, gamma = 0.6, 2.5
    w = np.linspace(-4, 4, 81)
    for vj in (0.0, 1.0, 0.3, 2.5):
        ours = MCP(alpha, gamma=gamma, weights=np.full(w.size, vj)).value(w)
        inside = float(skglm_penalties.MCPenalty(alpha * vj, gamma).value(w)) if vj > 0 else 0.0
        outside = float(skglm_penalties.WeightedMCPenalty(alpha, gamma, np.full(w.size, vj)).value(w))
        assert ours == pytest.approx(inside, rel=1e-12, abs=1e-15)
        if vj in (0.0, 1.0):
            assert ours == pytest.approx(outside, rel=1e-12, abs=1e-15)
        else:
            assert abs(ours - outside) > 1e-3 * abs(ours)


def check_prox(kind, shape):
    """Where skglm's prox is the exact one (MCP: step < gamma, firm thresholding; SCAD: step < a - 1)
    both agree; for every step lpnet's prox objective is never above skglm's (beyond those steps skglm
    keeps its convex-case formulas, which no longer give the minimizer)."""
    rng = np.random.default_rng(int(10 * shape))
    alpha = 0.9
    x = np.concatenate([rng.normal(scale=4.0, size=300), np.linspace(-10, 10, 101)])
    theirs, ours = _skglm_pair(kind, alpha, shape)
    critical = shape if kind == "mcp" else shape - 1.0
    ref = Ref(kind, alpha, shape, np.ones(1))
    value = value_mcp(shape) if kind == "mcp" else value_scad(shape)
    for step in (0.05, 0.5 * critical, 0.97 * critical, 1.5 * critical, 4.0 * critical):
        z = ours.prox(x, step)
        z_theirs = np.array([theirs.prox_1d(xi, step, 0) for xi in x])

        def f(zz, step=step):
            return 0.5 * (zz - x) ** 2 + step * value(zz, ref.lam)

        assert np.all(f(z) <= f(z_theirs) + 1e-12 * (1.0 + x * x)), step
        if step < critical:
            # (random x: away from the regime changes where lpnet's candidates tie to rounding, see
            # tests/penalties/test_prox.py::test_convex_regime_prox_near_its_knots)
            np.testing.assert_allclose(z, z_theirs, rtol=1e-12, atol=1e-14)


def compare_fits(X, y, kind, shape, fracs, same):
    """lpnet and skglm on 1/(2n) ||y - Xw||^2 + P(w) without intercept, both from w = 0: each is
    stationary (recomputed here), and on the alphas in ``same`` they reach the same point; on the
    others, local solutions with comparable objectives."""
    n = X.shape[0]
    alpha_max = np.max(np.abs(X.T @ y)) / n
    for frac in fracs:
        alpha = frac * alpha_max
        theirs, ours = _skglm_pair(kind, alpha, shape)
        model = lpnet.RegularizedModel(penalty=ours, fit_intercept=False, tol=1e-10, max_iter=1000).fit(X, y)
        w_s = _skglm_fit(X, y, theirs)
        ref = ref_of(ours, X.shape[1])
        assert model.optimality_violation_ <= 1e-10, frac
        assert violation(X, y, "squared", ref, model.coef_, 0.0, False) <= 1e-9, frac
        assert violation(X, y, "squared", ref, w_s, 0.0, False) <= 1e-9, frac
        f_ours = objective(X, y, "squared", ref, model.coef_, 0.0)
        f_theirs = objective(X, y, "squared", ref, w_s, 0.0)
        if frac in same:
            np.testing.assert_allclose(model.coef_, w_s, atol=1e-7 * np.max(np.abs(w_s)), err_msg=str(frac))
            np.testing.assert_array_equal(model.coef_ == 0, w_s == 0, err_msg=str(frac))
            assert f_ours == pytest.approx(f_theirs, rel=1e-12), frac
        else:
            assert f_ours == pytest.approx(f_theirs, rel=2e-2), frac


def test_skglm_reference(diabetes):
    if skglm_penalties is None:
        pytest.skip("skglm is not installed")
    failures = []

    def run(label, check, *args):
        try:
            check(*args)
        except AssertionError as exc:
            failures.append(f"{label}: {exc}")

    for alpha in (0.3, 1.7):
        for shape in (1.5, 3.0):
            run(f"value MCP({alpha}, {shape})", check_value_scaling, "mcp", alpha, shape)
        for shape in (2.5, 3.7):
            run(f"value SCAD({alpha}, {shape})", check_value_scaling, "scad", alpha, shape)
    run("weighted MCP", check_weighted_mcp_scaling)
    for kind, shape in (("mcp", 1.5), ("mcp", 3.0), ("scad", 2.5), ("scad", 3.7)):
        run(f"prox {kind} {shape}", check_prox, kind, shape)

    # standardized diabetes, centered target: down to a few percent of alpha_max both reach the same
    # local solution; below, the highly correlated serum columns (s1, s2) send them to different ones
    # (MCP, gamma = 3, at 0.02 alpha_max: lpnet's objective is the lower, 1440 against 1452)
    X, y = diabetes
    y = y - y.mean()
    fracs = (0.5, 0.1, 0.05, 0.03, 0.02)
    for kind, shape, last_same in (("mcp", 3.0, 0.03), ("mcp", 1.5, 0.05), ("scad", 3.7, 0.03)):
        run(f"diabetes {kind} {shape}", compare_fits, X, y, kind, shape, fracs, [f for f in fracs if f >= last_same])
    # a seeded Toeplitz-correlated Gaussian design: the same point all along
    X, y = correlated_gaussian(n=200, p=30, rho=0.5, seed=2)
    fracs = (0.5, 0.2, 0.1, 0.05)
    for kind, shape in (("mcp", 3.0), ("mcp", 2.0), ("scad", 3.7), ("scad", 2.5)):
        run(f"gaussian {kind} {shape}", compare_fits, X, y, kind, shape, fracs, fracs)
    assert not failures, "\n".join(failures)
