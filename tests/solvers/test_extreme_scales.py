"""Never a false certificate: random problems at extreme scales, every answer checked independently.

Squared loss with L1, L2 or the Elastic Net on problems small enough (p <= 3) to be solved exactly in
rational arithmetic (tests/exact.py): the returned point's exact objective may exceed the exact optimum
by at most the reported duality gap, a converged fit by at most ``tol * F_null``, and a feature the final
gap proves inactive must be exactly zero.  Other penalties and the logistic loss are checked with an
independent optimizer started from the returned point: it must not find anything better than the gap
allows.  The scales: rows and columns multiplied by 1e-8 to 1e8, features with large means and tiny
spread, zero sample weights, zero and huge penalty factors, float32, sparse layouts.  Every fit must
also answer within a few seconds.
"""

from __future__ import annotations

import os
import time
import warnings
from fractions import Fraction

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize
from sklearn.exceptions import ConvergenceWarning

from lpnet import ElasticNet, Lasso, LogisticRegression, LpRegression, Ridge

from .. import kkt
from ..exact import ExactLasso

EPS = np.finfo(np.float64).eps
SECONDS = 5.0  # "answers within seconds"
# LPNET_FUZZ=N runs N random examples per test (a search, no shrinking); by default the examples are
# fixed (derandomized), so the suite is reproducible
_FUZZ = int(os.environ.get("LPNET_FUZZ", 0))
SETTINGS = settings(
    max_examples=_FUZZ or 300,
    deadline=None,
    derandomize=not _FUZZ,
    phases=(Phase.generate,) if _FUZZ else tuple(Phase)[:-1],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@st.composite
def problems(draw, max_features=3, logistic=False):
    """``(X, y, sample_weight, factors, fit_intercept)`` at extreme scales (X dense float64)."""
    n = draw(st.integers(4, 9))
    p = draw(st.integers(1, max_features))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    X *= 10.0 ** np.array(draw(st.lists(st.floats(-8, 8), min_size=p, max_size=p)))  # column scales
    if draw(st.booleans()):  # a few rows far off the others' scale
        rows = rng.random(n) < 0.3
        X[rows] *= 10.0 ** draw(st.floats(-8, 8))
    if draw(st.booleans()):  # large means, tiny spread
        X += 10.0 ** draw(st.floats(0, 8)) * (rng.random(p) < 0.5)
    if p > 1 and draw(st.booleans()):
        X[:, -1] = X[:, 0] if draw(st.booleans()) else 0.0  # a duplicated or a zero column
    w_true = rng.standard_normal(p) * (rng.random(p) < 0.7)
    if logistic:
        y = np.where(X @ w_true + rng.standard_normal(n) > 0, 1, 0)
        assume(0 < y.sum() < n)
    else:
        y = X @ w_true + rng.standard_normal(n)
        y = y * 10.0 ** draw(st.floats(-8, 8)) + draw(st.sampled_from([0.0, 1.0, 1e4, -1e6]))
    s = np.ones(n) if draw(st.booleans()) else rng.integers(0, 4, n).astype(float)
    assume(np.count_nonzero(s) >= 2)
    if logistic:
        assume(s[y == 1].sum() > 0 and s[y == 0].sum() > 0)
    factors = None
    if draw(st.booleans()):
        factors = rng.choice([0.0, 0.5, 1.0, 3.0, 1e5], size=p)
    return X, y, s, factors, draw(st.booleans())


def _layout(X, kind):
    if kind == "float32":
        return X.astype(np.float32)
    if kind == "csr":
        return sp.csr_matrix(X)
    if kind == "csc":
        return sp.csc_matrix(X)
    return np.asfortranarray(X) if kind == "F" else X


@pytest.fixture(scope="module", autouse=True)
def _compiled():
    """Compile (or load) every kernel specialization first: compile time is not fit time."""
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((12, 3)), rng.standard_normal(12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for layout in ("C", "F", "csr", "csc", "float32"):
            Xl = _layout(X, layout)
            for model in (
                Lasso(0.1),
                Ridge(0.1),
                ElasticNet(0.1),
                LpRegression(0.1, p=1.5),
                LpRegression(0.1, p=0.5),
                LpRegression(0.1, p=0.5, solver="fista"),
                Lasso(0.1, solver="fista"),
                LogisticRegression("l1", 0.01),
            ):
                target = (y > 0).astype(int) if isinstance(model, LogisticRegression) else y
                for fit_intercept in (True, False):
                    model.set_params(fit_intercept=fit_intercept).fit(Xl, target, sample_weight=np.arange(12.0))


def _timed_fit(model, X, y, s):
    # CPU time of this process (the other test worker sharing the cores is not this fit's time); a
    # slow first call may be numba compiling a specialization the warm-up missed: then the second counts
    for _ in range(2):
        t0 = time.process_time()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X, y, sample_weight=s)
        elapsed = time.process_time() - t0
        if elapsed < SECONDS:
            return model
    raise AssertionError(f"{model!r} took {elapsed:.1f} s")


@SETTINGS
@given(
    problem=problems(),
    penalty=st.sampled_from(["l1", "l2", "elasticnet"]),
    strength=st.floats(-8, 1),
    tol=st.sampled_from([1e-6, 1e-10]),
    layout=st.sampled_from(["C", "F", "csr", "csc", "float32"]),
)
def test_piecewise_quadratic_fits_against_their_exact_optimum(problem, penalty, strength, tol, layout):
    X, y, s, factors, fit_intercept = problem
    Xl = _layout(X, layout)
    Xe = np.asarray(Xl.toarray() if sp.issparse(Xl) else Xl, dtype=np.float64)  # the values lpnet saw
    ye = y.astype(np.float32).astype(np.float64) if layout == "float32" else y
    n, p = X.shape
    v = np.ones(p) if factors is None else factors
    s_n = s * n / s.sum()
    scale = max(kkt.null_grad_scale(Xe, ye, s_n, "squared", fit_intercept), 1e-300)
    alpha = scale * 10.0**strength
    rho = {"l1": 1.0, "l2": 0.0, "elasticnet": 0.5}[penalty]
    model = {
        "l1": Lasso(alpha, tol=tol),
        "l2": Ridge(alpha, tol=tol),
        "elasticnet": ElasticNet(alpha, l1_ratio=0.5, tol=tol),
    }[penalty]
    model.set_params(fit_intercept=fit_intercept, penalty_factor=factors)
    try:
        _timed_fit(model, Xl, ye if layout != "float32" else ye.astype(np.float32), s)
    except ValueError as exc:  # a clear refusal (values whose squares overflow) is a valid answer
        assert "Rescale" in str(exc)
        return
    exact = ExactLasso(Xe, ye, s_n, alpha * rho * v, alpha * (1 - rho) * v, fit_intercept)
    reference = exact.optimum()
    assume(reference is not None)  # singular (non-unique) problems have no single exact optimum
    w_star, _, f_star = reference
    f_null = exact.null_objective()
    slack = Fraction(1e-12) * max(f_null, f_star) + Fraction(1e-300)
    excess = exact.objective(np.ravel(model.coef_), np.ravel([model.intercept_])[0]) - f_star
    assert model.dual_gap_ is not None and np.isfinite(model.dual_gap_)
    assert excess <= Fraction(max(model.dual_gap_, 0.0)) + slack, (float(excess), model.dual_gap_)
    if model.converged_:
        # the promise: tol * F_null, or for a target constant to ~13 digits a few times the rounding
        # that evaluating the intercept-only model itself carries (residuals known to eps (|y| + 2|b|))
        b = float(s_n @ ye) / n if fit_intercept else 0.0
        delta = EPS * (np.abs(ye) + 2 * abs(b))
        resolution = 4 * (
            float(np.abs(s_n * (ye - b)) @ delta) / n + float(s_n @ delta**2) / n + n * EPS * float(f_null)
        )
        bound = max(Fraction(tol) * f_null, Fraction(resolution))
        assert excess <= bound + slack, (float(excess), float(bound))
        # exact zeros: a feature strictly inactive at the optimum, by a margin the final gap resolves
        grad = exact.gradient(w_star, exact.optimum()[1])
        lips = (Xe**2).T @ s_n / n
        for j in range(p):
            margin = float(alpha * rho * v[j] - abs(grad[j]))
            if w_star[j] == 0 and margin > 4 * np.sqrt(2 * max(model.dual_gap_, 0.0) * lips[j]) + 1e-12 * scale:
                assert np.ravel(model.coef_)[j] == 0.0, (j, margin, model.coef_)


def _polish(f, x0):
    """The lowest value an independent optimizer finds from ``x0`` (never above ``f(x0)``)."""
    best = f(x0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for method in ("L-BFGS-B", "Nelder-Mead"):
            res = minimize(f, x0, method=method, options={"maxiter": 5000})
            if np.isfinite(res.fun):
                best = min(best, float(res.fun))
    return best


@SETTINGS
@given(problem=problems(), p=st.sampled_from([1.5, 3.0]), strength=st.floats(-6, 1))
def test_lp_certificates_survive_an_independent_optimizer(problem, p, strength):
    X, y, s, factors, fit_intercept = problem
    n, d = X.shape
    s_n = s * n / s.sum()
    alpha = max(kkt.null_grad_scale(X, y, s_n, "squared", fit_intercept), 1e-300) * 10.0**strength
    model = LpRegression(alpha, p=p, fit_intercept=fit_intercept, penalty_factor=factors)
    try:
        _timed_fit(model, X, y, s)
    except ValueError as exc:
        assert "Rescale" in str(exc)
        return
    spec = kkt.PenaltySpec("lp", alpha, p=p, factors=factors)

    def f(z):
        w, b = z[:d], (z[d] if fit_intercept else 0.0)
        return kkt.objective(X, y, s_n, "squared", spec, w, b)

    start = np.append(model.coef_, model.intercept_) if fit_intercept else model.coef_.copy()
    f_model = f(start)
    assume(np.isfinite(model.dual_gap_))
    better = _polish(f, start)
    assert f_model - better <= model.dual_gap_ + 1e-12 * abs(f_model) + 1e-300


@SETTINGS
@given(problem=problems(logistic=True), penalty=st.sampled_from(["l1", "l2"]), strength=st.floats(-8, 0))
def test_logistic_certificates_are_finite_and_survive_an_independent_optimizer(problem, penalty, strength):
    X, y, s, factors, fit_intercept = problem
    n, d = X.shape
    s_n = s * n / s.sum()
    yy = np.where(y == 1, 1.0, -1.0)
    alpha = max(kkt.null_grad_scale(X, yy, s_n, "logistic", fit_intercept), 1e-300) * 10.0**strength
    model = LogisticRegression(penalty, alpha, fit_intercept=fit_intercept, penalty_factor=factors)
    _timed_fit(model, X, y, s)
    assert np.isfinite(model.dual_gap_), model.dual_gap_  # a dual point always exists (theta = 0)
    spec = kkt.PenaltySpec(penalty, alpha, factors=factors)
    w0 = model.coef_[0]

    def f(z):  # w = z+ - z- for the L1 kink; both parts start at the fit's coefficients
        w = z[:d] - z[d : 2 * d]
        b = z[2 * d] if fit_intercept else 0.0
        return kkt.objective(X, yy, s_n, "logistic", spec, w, b)

    start = np.concatenate([np.maximum(w0, 0), np.maximum(-w0, 0), [model.intercept_[0]] if fit_intercept else []])
    f_model = f(start)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bounds = [(0, None)] * (2 * d) + ([(None, None)] if fit_intercept else [])
        res = minimize(f, start, method="L-BFGS-B", bounds=bounds, options={"maxiter": 5000})
    better = min(f_model, float(res.fun)) if np.isfinite(res.fun) else f_model
    assert f_model - better <= model.dual_gap_ + 1e-12 * abs(f_model) + 1e-300


@SETTINGS
@given(problem=problems(), strength=st.floats(-4, 0), solver=st.sampled_from(["cd", "fista"]))
def test_nonconvex_fits_are_coordinatewise_minima(problem, strength, solver):
    """p = 1/2: a converged fit is a coordinate-wise minimum, checked by brute force along each axis.

    The certificate's tolerance is scale-free (relative to the largest gradient at the null model,
    ``scale``): along coordinate j a step can still gain up to about ``(tol scale)^2 / L_j``.
    """
    X, y, s, factors, fit_intercept = problem
    n, d = X.shape
    s_n = s * n / s.sum()
    alpha = max(kkt.null_grad_scale(X, y, s_n, "squared", fit_intercept), 1e-300) * 10.0**strength
    model = LpRegression(alpha, p=0.5, fit_intercept=fit_intercept, penalty_factor=factors, solver=solver)
    try:
        _timed_fit(model, X, y, s)
    except ValueError as exc:
        assert "Rescale" in str(exc)
        return
    assume(model.converged_)
    spec = kkt.PenaltySpec("lp", alpha, p=0.5, factors=factors)
    w, b = model.coef_.copy(), model.intercept_
    f0 = kkt.objective(X, y, s_n, "squared", spec, w, b)
    scale = kkt.null_grad_scale(X, y, s_n, "squared", fit_intercept)
    for j in range(d):
        col = X[:, j]
        lips = float(np.sum(s_n * col**2)) / n
        if lips == 0:
            continue
        # plus the objective's own rounding: residuals of large values are known to eps (|y| + |x w| + |b|)
        resid = np.abs(y - X @ w - b)
        size = np.abs(y) + np.abs(X) @ np.abs(w) + abs(b)
        rounding = 8 * np.finfo(float).eps * float(np.sum(s_n * resid * size)) / n
        allowed = 4 * (model.tol * scale) ** 2 / lips + 1e-9 * abs(f0) + rounding + 1e-300
        # the coordinate's least-squares step scale, and a fine grid around 0 and the current value
        step = abs(float(np.sum(s_n * col * (y - X @ w - b))) / max(float(np.sum(s_n * col**2)), 1e-300))
        span = max(abs(w[j]), step, 1e-300) * 3
        for t in np.concatenate([np.linspace(-span, span, 601), [0.0]]):
            trial = w.copy()
            trial[j] = t  # one coordinate moves, the others and the intercept stay (a coordinate minimum)
            assert kkt.objective(X, y, s_n, "squared", spec, trial, b) >= f0 - allowed
