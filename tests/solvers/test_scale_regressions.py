"""Cases that once gave a false certificate, a hang, a non-finite answer or an error from inside a kernel.

Each is checked against an independent reference: exact rational arithmetic, a brute-force search, or
the problem's own definition.
"""

from __future__ import annotations

import time
import warnings
from fractions import Fraction

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning

import lpnet

from ..exact import ExactLasso


def _exact_objective(X, y, s, w, b, a1, a2):
    return ExactLasso(X, y, s * len(y) / s.sum(), a1, a2, True).objective(w, b)


@pytest.mark.parametrize("solver", ["auto", "cd_gram", "cd", "fista"])
def test_gram_cancellation_does_not_certify_a_worse_point(solver):
    """Features with a large mean and a tiny spread: the Gram quantities cancel.  The certified point's
    exact objective may not exceed the intercept-only model's (an upper bound on the optimum) by more
    than the reported gap."""
    X = np.array([[1e3]] * 9 + [[1e-5]])
    sw = np.array([3, 3, 1, 1, 1, 1, 2, 0, 2, 0.0])
    y = np.array(
        [
            4423.102169362532,
            4422.951377317713,
            4423.609242274827,
            4422.795951177476,
            4423.090163136979,
            4425.103151561614,
            4422.576096975096,
            4423.126713828746,
            4421.968885443681,
            4423.962683858675,
        ]
    )
    alpha = 1.9200657196883767e-14
    model = lpnet.ElasticNet(alpha, l1_ratio=0.9, tol=1e-6, solver=solver).fit(X, y, sample_weight=sw)
    s = sw * len(y) / sw.sum()
    exact = ExactLasso(X, y, s, [0.9 * alpha], [0.1 * alpha], True)
    excess = exact.objective(model.coef_, model.intercept_) - exact.null_objective()
    assert model.converged_
    assert excess <= Fraction(model.dual_gap_), (float(excess), model.dual_gap_)


@pytest.mark.parametrize("weighted", [False, True])
def test_large_mean_features_converge_to_the_exact_optimum(weighted):
    """A year-like feature (mean 2000, spread 10) and a price-like one (mean 1e5, spread 3) beside an
    intercept: coordinate descent on the centred columns reaches scikit-learn's answer, dense or sparse,
    with equal sample weights (the column products skip them) or unequal ones."""
    from sklearn.linear_model import Lasso as SkLasso

    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 30))
    X[:, 0] = 2000 + 10 * X[:, 0]
    X[:, 1] = 1e5 + 3 * X[:, 1]
    y = 0.3 * X[:, 0] + X[:, 1] + X[:, 2:10].sum(axis=1) + rng.standard_normal(200)
    sw = rng.uniform(0.5, 2.0, 200) if weighted else None
    reference = SkLasso(alpha=0.01, tol=1e-12, max_iter=1_000_000).fit(X, y, sample_weight=sw)
    for data in (X, sp.csc_matrix(X)):
        with warnings.catch_warnings():
            warnings.simplefilter("error", ConvergenceWarning)
            model = lpnet.Lasso(alpha=0.01, tol=1e-10).fit(data, y, sample_weight=sw)
        assert model.n_iter_ < 2000
        np.testing.assert_allclose(model.coef_, reference.coef_, rtol=1e-5, atol=1e-6)


def test_fista_does_not_stop_where_a_coordinate_step_improves():
    """p = 1/2: FISTA's global step leaves coordinates at 0 that a coordinate step moves; a converged FISTA
    fit must be a coordinate-wise minimum, checked by brute force along each coordinate."""
    rng = np.random.default_rng(1)
    trapped = 0
    for _ in range(60):
        p = int(rng.integers(2, 8))
        X = rng.standard_normal((30, p)) * 10.0 ** rng.uniform(-3, 3, p)
        y = X @ (rng.standard_normal(p) * 10.0 ** rng.uniform(-2, 2, p)) + rng.standard_normal(30)
        alpha = lpnet.alpha_max(X, y) * 10.0 ** rng.uniform(-4, -0.5)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = lpnet.LpRegression(alpha, p=0.5, solver="fista", tol=1e-8).fit(X, y)
        if not model.converged_:
            continue
        w, b = model.coef_, model.intercept_

        def f(v):
            return 0.5 * np.mean((y - X @ v - b) ** 2) + alpha / 0.5 * np.sum(np.sqrt(np.abs(v)))

        f0 = f(w)
        for j in range(p):
            for t in np.linspace(-3, 3, 241) * max(abs(w[j]), np.abs(X[:, j] @ (y - X @ w - b)) / (X[:, j] @ X[:, j])):
                trial = w.copy()
                trial[j] = t
                if f(trial) < f0 - 1e-6 * abs(f0):
                    trapped += 1
                    break
    assert trapped == 0


@pytest.mark.parametrize("case", ["p1.5-factors", "p3-tiny-rows", "p3-huge-X"])
def test_badly_scaled_lp_fits_answer_within_seconds(case):
    """Each once took minutes; now each ends within seconds, certified or with a clear warning."""
    rng = np.random.default_rng(0)
    if case == "p1.5-factors":
        X = rng.standard_normal((2, 239))
        X[1] *= 1e8
        pf = rng.uniform(0, 3, 239)
        pf[:30], pf[30:60] = 0, 1e5
        model, y = lpnet.LpRegression(p=1.5, penalty_factor=pf), rng.standard_normal(2)
    elif case == "p3-tiny-rows":
        X = rng.standard_normal((8, 182))
        X[:3] *= 1e-8
        model, y = lpnet.LpRegression(alpha=1e-3, p=3.0), X[:, :3] @ [1.0, 2.0, 3.0] + 1
    else:
        X = np.random.default_rng(1).standard_normal((40, 6))
        model, y = lpnet.LpRegression(0.1, p=3.0), X @ [1.0, -2, 0, 0, 3, 0.5]
        X = X * 1e150
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        model.fit(X, y)
    assert time.perf_counter() - start < 10.0
    assert np.all(np.isfinite(model.coef_))
    if not model.converged_:
        assert any(issubclass(w.category, ConvergenceWarning) for w in caught)
    if case == "p3-huge-X":  # squares near the float limit: the gap cannot be resolved, and says so
        assert not model.converged_
        assert any("cannot be resolved" in str(w.message) for w in caught)


@pytest.mark.parametrize(
    "make", [lambda: lpnet.ElasticNet(0.1), lambda: lpnet.LpRegression(0.1, p=1.5), lambda: lpnet.Ridge(0.1)]
)
def test_values_whose_squares_overflow_are_refused_up_front(make):
    X = np.random.default_rng(1).standard_normal((40, 6))
    y = X @ [1.0, -2, 0, 0, 3, 0.5]
    with pytest.raises(ValueError, match="Rescale y"):
        make().fit(X, y * 1e200)
    Xs = sp.csr_matrix(X)
    Xs[3, 2] = 1e200
    with pytest.raises(ValueError, match="Rescale X"):
        make().fit(Xs, y)


@pytest.mark.parametrize("layout", ["C", "F", "strided"])
def test_the_overflow_scan_refuses_exactly_what_the_entrywise_limit_refuses(layout):
    """The scan's one-dot fast path (the squares' total under the limit) may only accept: data whose
    entries each pass the limit though their squares' total overflows still pass, NaN and inf fail."""
    from lpnet._validation import check_finite_squares

    n, p = 10, 4
    limit = np.sqrt(np.finfo(np.float64).max / n)
    X = np.full((n, 2 * p), 0.9 * limit)
    X = {"C": np.ascontiguousarray(X[:, :p]), "F": np.asfortranarray(X[:, :p]), "strided": X[:, ::2]}[layout]
    assert not np.isfinite(np.sum(X * X / 1e300) * 1e300)  # the total overflows
    check_finite_squares(X, X[:, 0])  # each entry is under the limit: accepted
    for bad, what in ((1.01 * limit, "Rescale X"), (np.nan, "NaN"), (np.inf, "infinity")):
        Y = X.copy(order="K")
        Y[3, 1] = bad
        with pytest.raises(ValueError, match=what):
            check_finite_squares(Y)
    small = np.full_like(X, 2.0)
    small[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        check_finite_squares(small)


def test_logistic_certificate_is_finite_with_free_features_that_separate():
    """Unpenalized features that separate the classes: the optimum is at infinity (F* = 0) and the
    projected dual point leaves the loss's domain; theta = 0 is always feasible, so the gap is finite,
    and within tolerance the fit converges."""
    rng = np.random.default_rng(0)
    seen = 0
    for _ in range(60):
        n, p = int(rng.integers(5, 30)), int(rng.integers(2, 12))
        X = rng.standard_normal((n, p)) * 10.0 ** rng.uniform(-3, 3, p)
        if rng.random() < 0.5:
            X[:, 1] = X[:, 0]
        labels = (X @ rng.standard_normal(p) + rng.standard_normal(n) > 0).astype(int)
        if labels.min() == labels.max():
            continue
        pf = rng.uniform(0, 3, p)
        pf[rng.random(p) < 0.4] = 0.0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = lpnet.LogisticRegression("l1", 10.0 ** rng.uniform(-4, 0), penalty_factor=pf).fit(X, labels)
        assert np.isfinite(model.dual_gap_)
        # the gap bounds the suboptimality, and F* >= 0: the objective itself is a valid bound
        assert model.dual_gap_ <= model.objective_ + 1e-12
        seen += 1
    assert seen > 30


def test_exact_zeros_where_the_exact_optimum_is_zero():
    """Badly scaled columns, a tight tolerance: a feature that the exact optimum puts at zero, by a margin
    the final gap resolves, comes back as exactly 0.0 (the final gap-safe pass)."""
    rng = np.random.default_rng(3)
    checked = 0
    for _ in range(40):
        X = rng.standard_normal((7, 3)) * 10.0 ** rng.uniform(-4, 4, 3)
        y = X[:, 0] * rng.standard_normal() + 0.3 * rng.standard_normal(7)
        s = np.ones(7)
        grad_scale = np.max(np.abs(X.T @ (y - y.mean()))) / 7
        alpha = grad_scale * 10.0 ** rng.uniform(-3, -0.3)
        model = lpnet.Lasso(alpha, tol=1e-12).fit(X, y)
        exact = ExactLasso(X, y, s, [alpha] * 3, [0.0] * 3, True)
        reference = exact.optimum()
        if reference is None:
            continue
        w_star, b_star, _ = reference
        grad = exact.gradient(w_star, b_star)
        lips = (X**2).mean(axis=0)
        for j in range(3):
            margin = alpha - abs(float(grad[j]))
            if w_star[j] == 0 and margin > 4 * np.sqrt(2 * max(model.dual_gap_, 0) * lips[j]):
                assert model.coef_[j] == 0.0
                checked += 1
    assert checked > 20
