"""Multi-task regression (row-sparse W): against scikit-learn, cvxpy, and the optimality conditions."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn.linear_model as skl
from sklearn.model_selection import KFold
from sklearn.utils.estimator_checks import check_estimator

import lpnet
from lpnet.penalties import L21, ElasticNet
from lpnet.solvers.multitask import multitask_alpha_max


def _data(n=50, p=30, T=3, seed=0, shift=1.5):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p)) + shift * rng.normal(size=p)
    W = np.zeros((p, T))
    W[:5] = rng.normal(size=(5, T))
    Y = X @ W + 0.5 * rng.normal(size=(n, T)) + rng.normal(size=T)
    return X, Y


def _objective(X, Y, W, b, alpha, rho, v, s=None):
    n = X.shape[0]
    s = np.ones(n) if s is None else s * n / s.sum()
    R = Y - X @ W - b
    norms = np.linalg.norm(W, axis=1)
    return 0.5 * np.sum(s[:, None] * R**2) / n + alpha * np.sum(v * (rho * norms + 0.5 * (1 - rho) * norms**2))


def _kkt(X, Y, W, b, alpha, rho, v, fit_intercept):
    """Row-wise distance of the negative gradient to the subdifferential, and the intercept's gradient."""
    n = X.shape[0]
    R = Y - X @ W - b
    G = X.T @ R / n  # minus the loss gradient
    out = []
    for j in range(W.shape[0]):
        nrm = np.linalg.norm(W[j])
        a = alpha * v[j]
        if nrm == 0:
            out.append(max(np.linalg.norm(G[j]) - a * rho, 0.0))
        else:
            out.append(np.linalg.norm(G[j] - a * (rho * W[j] / nrm + (1 - rho) * W[j])))
    return max(out), (np.abs(R.mean(axis=0)).max() if fit_intercept else 0.0)


# ----------------------------------------------------------------------------- the penalty
def test_l21_with_one_column_is_the_elastic_net_and_prox_is_block_soft_thresholding():
    rng = np.random.default_rng(1)
    v = np.array([1.0, 0.0, 2.0, 0.5, 1.0])
    for rho in (1.0, 0.4):
        P, E = L21(0.7, rho, weights=v), ElasticNet(0.7, rho, weights=v)
        w, g = rng.normal(size=(5, 1)), rng.normal(size=(5, 1))
        assert P.value(w) == pytest.approx(E.value(w[:, 0]), rel=1e-14)
        np.testing.assert_allclose(P.prox(w, 0.9)[:, 0], E.prox(w[:, 0], 0.9), rtol=1e-14)
        np.testing.assert_allclose(P.subdiff_distance(w, g), E.subdiff_distance(w[:, 0], g[:, 0]))
        assert P.scaled_conjugate(g) == pytest.approx(E.scaled_conjugate(g[:, 0]), rel=1e-14)
    # the prox of a row: argmin 1/2 ||z - x||^2 + t a ||z||, by brute force (scipy) on a 3-vector row
    from scipy.optimize import minimize

    x, P = rng.normal(size=(1, 3)), L21(0.5, 0.6)
    z = minimize(
        lambda z: 0.5 * np.sum((z - x[0]) ** 2) + 0.8 * P.value(z[None]),
        x[0],
        method="Nelder-Mead",
        options={"xatol": 1e-12, "fatol": 1e-14, "maxiter": 20000},
    ).x
    np.testing.assert_allclose(P.prox(x, 0.8)[0], z, atol=1e-6)


# ----------------------------------------------------------------------------- against scikit-learn
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("sparse", [False, True])
def test_multitask_lasso_matches_sklearn(fit_intercept, sparse):
    X, Y = _data()
    for alpha in (0.3, 0.05, 0.01):
        ref = skl.MultiTaskLasso(alpha, fit_intercept=fit_intercept, tol=1e-12, max_iter=200000).fit(X, Y)
        Xf = sp.csr_matrix(X) if sparse else X
        got = lpnet.MultiTaskLasso(alpha, fit_intercept=fit_intercept, tol=1e-12, max_iter=1000).fit(Xf, Y)
        assert got.coef_.shape == ref.coef_.shape == (Y.shape[1], X.shape[1])
        assert got.converged_
        scale = np.abs(ref.coef_).max()
        np.testing.assert_allclose(got.coef_, ref.coef_, atol=1e-6 * scale)
        np.testing.assert_allclose(got.intercept_, ref.intercept_, atol=1e-6 * max(1.0, np.abs(ref.intercept_).max()))
        # same zero rows (lpnet's are exact zeros)
        np.testing.assert_array_equal(np.all(got.coef_ == 0, axis=0), np.all(np.abs(ref.coef_) < 1e-10, axis=0))
        np.testing.assert_allclose(got.predict(Xf), ref.predict(X), atol=1e-5 * np.abs(Y).max())


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_multitask_elastic_net_matches_sklearn_within_its_certified_bound(fit_intercept):
    X, Y = _data(seed=2)
    for alpha, rho in ((0.2, 0.5), (0.02, 0.8)):
        ref = skl.MultiTaskElasticNet(alpha, l1_ratio=rho, fit_intercept=fit_intercept, tol=1e-14, max_iter=10**6)
        ref.fit(X, Y)
        got = lpnet.MultiTaskElasticNet(alpha, l1_ratio=rho, fit_intercept=fit_intercept, tol=1e-12, max_iter=1000)
        got.fit(sp.csc_matrix(X), Y)
        # the certificate bounds the distance to the exact solution; scikit-learn at tol=1e-14 is within 1e-8
        dist = np.linalg.norm(got.coef_ - ref.coef_)
        assert got.coef_error_bound_ is not None and dist <= got.coef_error_bound_ + 1e-8
        np.testing.assert_allclose(got.coef_, ref.coef_, atol=1e-5 * np.abs(ref.coef_).max())


# ----------------------------------------------------------------------------- cvxpy, KKT, certificates
def test_objective_matches_cvxpy_with_unequal_factors_including_zero():
    cp = pytest.importorskip("cvxpy")
    X, Y = _data(n=30, p=8, T=3, seed=3)
    v = np.array([0.0, 1.0, 2.0, 0.5, 1.0, 3.0, 0.0, 1.5])
    s = np.random.default_rng(4).uniform(0.2, 2.0, size=30)
    for alpha, rho in ((0.1, 1.0), (0.05, 0.3)):
        W, b = cp.Variable((8, 3)), cp.Variable(3)
        sw = s * 30 / s.sum()
        R = Y - X @ W - np.ones((30, 1)) @ cp.reshape(b, (1, 3), order="C")
        pen = sum(v[j] * (rho * cp.norm(W[j], 2) + 0.5 * (1 - rho) * cp.sum_squares(W[j])) for j in range(8))
        prob = cp.Problem(cp.Minimize(0.5 * cp.sum(cp.multiply(sw[:, None], cp.square(R))) / 30 + alpha * pen))
        prob.solve(solver=cp.CLARABEL, tol_gap_abs=1e-12, tol_gap_rel=1e-12, tol_feas=1e-12)
        m = lpnet.MultiTaskElasticNet(alpha, l1_ratio=rho, penalty_factor=v, tol=1e-10).fit(X, Y, sample_weight=s)
        mine = _objective(X, Y, m.coef_.T, m.intercept_, alpha, rho, v, s)
        assert mine == pytest.approx(m.objective_, rel=1e-10)
        assert mine <= prob.value + 1e-8 * abs(prob.value)
        assert mine >= prob.value - 1e-6 * abs(prob.value)
        # unpenalized rows are free: never zero here
        assert np.all(np.linalg.norm(m.coef_[:, v == 0], axis=0) > 0)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_kkt_rowwise_with_unequal_factors(fit_intercept):
    X, Y = _data(n=60, p=25, T=4, seed=5)
    v = np.linspace(0, 2, 25)
    for rho in (1.0, 0.6):
        m = lpnet.MultiTaskElasticNet(0.1, l1_ratio=rho, penalty_factor=v, fit_intercept=fit_intercept, tol=1e-12)
        m.fit(X, Y)
        dist, intercept_grad = _kkt(X, Y, m.coef_.T, m.intercept_, 0.1, rho, v, fit_intercept)
        scale = np.abs(X.T @ (Y - Y.mean(axis=0))).max() / X.shape[0]
        assert dist <= 1e-5 * scale
        assert intercept_grad <= 1e-10 * np.abs(Y).max()


def test_duality_gap_bounds_the_true_suboptimality():
    X, Y = _data(n=80, p=60, T=3, seed=6)
    for rho in (1.0, 0.5):
        exact = lpnet.MultiTaskElasticNet(0.02, l1_ratio=rho, tol=1e-14, max_iter=1000).fit(X, Y)
        for tol in (1e-2, 1e-4):
            loose = lpnet.MultiTaskElasticNet(0.02, l1_ratio=rho, tol=tol).fit(X, Y)
            f_null = 0.5 * np.sum((Y - Y.mean(axis=0)) ** 2) / X.shape[0]
            assert loose.dual_gap_ <= tol * f_null
            true_sub = loose.objective_ - exact.objective_
            assert -1e-12 <= true_sub <= loose.dual_gap_


def test_alpha_max_is_exact():
    X, Y = _data(seed=7)
    rng = np.random.default_rng(8)
    s = rng.uniform(0.5, 2, size=X.shape[0])
    v = rng.uniform(0.5, 2, size=X.shape[1])
    h = s / s.sum()
    Xc, Yc = X - h @ X, Y - h @ Y
    expected = np.max(np.linalg.norm(Xc.T @ (h[:, None] * Yc), axis=1) / (0.5 * v))
    top = multitask_alpha_max(X, Y, L21(1.0, 0.5, weights=v), sample_weight=s * len(s) / s.sum())
    assert top == pytest.approx(expected, rel=1e-12)
    above = lpnet.MultiTaskElasticNet(top * (1 + 1e-9), l1_ratio=0.5, penalty_factor=v).fit(X, Y, sample_weight=s)
    # (just below alpha_max the nonzero row is tiny: W = 0 is within a loose tolerance, so certify tightly)
    below = lpnet.MultiTaskElasticNet(top * (1 - 1e-2), l1_ratio=0.5, penalty_factor=v, tol=1e-12)
    below.fit(X, Y, sample_weight=s)
    assert np.all(above.coef_ == 0) and np.any(below.coef_ != 0)
    # scikit-learn's MultiTaskLassoCV grid starts at the same alpha_max
    ref = skl.MultiTaskLassoCV(alphas=3, cv=3).fit(X, Y)
    assert multitask_alpha_max(X, Y, L21(1.0)) == pytest.approx(ref.alphas_[0], rel=1e-12)


def test_integer_weights_equal_repeated_rows():
    X, Y = _data(n=40, seed=9)
    k = np.random.default_rng(10).integers(0, 4, size=40)
    a = lpnet.MultiTaskLasso(0.05, tol=1e-12).fit(X, Y, sample_weight=k)
    b = lpnet.MultiTaskLasso(0.05, tol=1e-12).fit(np.repeat(X, k, axis=0), np.repeat(Y, k, axis=0))
    np.testing.assert_allclose(a.coef_, b.coef_, atol=1e-7 * np.abs(b.coef_).max())
    np.testing.assert_allclose(a.intercept_, b.intercept_, atol=1e-7 * np.abs(b.intercept_).max())


def test_bad_input_raises_and_leaves_the_model_as_it_was():
    X, Y = _data(n=30, p=6)
    m = lpnet.MultiTaskLasso(0.1).fit(X, Y)
    coef = m.coef_.copy()
    with pytest.raises(ValueError, match="2-D target"):
        m.fit(X, Y[:, 0])
    bad = Y.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        m.fit(X, bad)
    with pytest.raises(ValueError):
        m.fit(X[:20], Y)
    with pytest.raises(ValueError, match="penalty_factor"):
        lpnet.MultiTaskLasso(0.1, penalty_factor=np.ones(5)).fit(X, Y)
    with pytest.raises(ValueError, match="l1_ratio"):
        lpnet.MultiTaskElasticNet(0.1, l1_ratio=1.5).fit(X, Y)
    np.testing.assert_array_equal(m.coef_, coef)
    # the scalar solvers refuse the multi-task datafit with a pointer to these estimators
    with pytest.raises(ValueError, match="MultiTaskLasso"):
        lpnet.RegularizedModel(datafit="multitask").fit(X, Y)


def test_warm_start_and_screening():
    X, Y = _data(n=60, p=200, seed=11)
    m = lpnet.MultiTaskLasso(0.2, tol=1e-10).fit(X, Y)
    assert m.n_screened_ > 0
    m.set_params(warm_start=True)
    again = m.fit(X, Y)
    assert again.converged_ and again.n_iter_ <= 10


# ----------------------------------------------------------------------------- cross-validation
def test_multitask_lasso_cv_matches_sklearn():
    X, Y = _data(n=60, p=20, T=3, seed=12)
    folds = KFold(4)
    ref = skl.MultiTaskLassoCV(alphas=15, cv=folds, tol=1e-12, max_iter=100000).fit(X, Y)
    got = lpnet.MultiTaskLassoCV(n_alphas=15, cv=folds, tol=1e-12).fit(X, Y)
    np.testing.assert_allclose(got.alphas_, ref.alphas_, rtol=1e-12)
    assert got.mse_path_.shape == ref.mse_path_.shape
    np.testing.assert_allclose(got.mse_path_, ref.mse_path_, rtol=1e-5)
    assert got.alpha_ == pytest.approx(ref.alpha_, rel=1e-12)
    np.testing.assert_allclose(got.coef_, ref.coef_, atol=1e-5 * np.abs(ref.coef_).max())
    assert lpnet.MultiTaskLassoCV(n_alphas=15, cv=folds, alpha_rule="1se").fit(X, Y).alpha_ >= got.alpha_


def test_multitask_elastic_net_cv_matches_sklearn():
    X, Y = _data(n=50, p=15, T=2, seed=13)
    ref = skl.MultiTaskElasticNetCV(l1_ratio=[0.3, 0.9], alphas=8, cv=3, tol=1e-13, max_iter=10**6).fit(X, Y)
    got = lpnet.MultiTaskElasticNetCV(l1_ratio=[0.3, 0.9], n_alphas=8, cv=3, tol=1e-13).fit(X, Y)
    assert got.mse_path_.shape == ref.mse_path_.shape == (2, 8, 3)
    np.testing.assert_allclose(got.mse_path_, ref.mse_path_, rtol=1e-5)
    assert (got.alpha_, got.l1_ratio_) == (pytest.approx(ref.alpha_), ref.l1_ratio_)


def test_save_load_round_trip(tmp_path):
    X, Y = _data(n=40, p=8, seed=14)
    for model in (
        lpnet.MultiTaskLasso(0.1, penalty_factor=np.arange(8.0)),
        lpnet.MultiTaskElasticNetCV(l1_ratio=[0.5, 1.0], n_alphas=4, cv=3),
    ):
        model.fit(X, Y)
        lpnet.save(model, tmp_path / "m.json")
        back = lpnet.load(tmp_path / "m.json")
        np.testing.assert_array_equal(back.predict(X), model.predict(X))


@pytest.mark.parametrize(
    "estimator",
    [
        lpnet.MultiTaskLasso(0.1),
        lpnet.MultiTaskElasticNet(0.1),
        lpnet.MultiTaskLassoCV(n_alphas=4, cv=3),
        lpnet.MultiTaskElasticNetCV(n_alphas=4, cv=3),
    ],
    ids=lambda e: type(e).__name__,
)
def test_sklearn_check_estimator(estimator):
    failed = [r for r in check_estimator(estimator, on_fail=None) if r["status"] == "failed"]
    assert not failed, [(r["check_name"], str(r["exception"])[:200]) for r in failed]


# ----------------------------------------------------------------------------- speed paths
def test_anderson_weights_extrapolate_a_linear_iteration_to_its_fixed_point():
    from lpnet.solvers.multitask import anderson_weights

    rng = np.random.default_rng(20)
    A = 0.3 * rng.normal(size=(4, 4)) / 2
    b = rng.normal(size=4)
    x = [rng.normal(size=4)]
    for _ in range(5):  # K = 5 differences span the 4-dimensional error space
        x.append(A @ x[-1] + b)
    hist = np.array(x)
    c = anderson_weights(hist)
    assert c.sum() == pytest.approx(1.0, rel=1e-12)
    np.testing.assert_allclose(c @ hist[1:], np.linalg.solve(np.eye(4) - A, b), atol=1e-6)


@pytest.mark.parametrize("rho", [1.0, 0.5])
def test_gram_form_on_tall_data_matches_sklearn_and_the_residual_form_certificate(rho):
    from lpnet.solvers.multitask import multitask_design, solve_multitask

    X, Y = _data(n=400, p=12, T=3, seed=21)
    design = multitask_design(X)
    alpha = 0.05
    res = solve_multitask(design, Y, L21(alpha, rho), tol=1e-12)
    assert res.solver == "block_cd_gram" and res.converged
    ref = skl.MultiTaskElasticNet(alpha, l1_ratio=rho, tol=1e-14, max_iter=10**6).fit(X, Y)
    np.testing.assert_allclose(res.coef.T, ref.coef_, atol=1e-6 * np.abs(ref.coef_).max())
    np.testing.assert_allclose(res.intercept, ref.intercept_, atol=1e-6 * np.abs(ref.intercept_).max())
    # the gap from G, C and yy bounds the true suboptimality, computed from the data
    exact = solve_multitask(design, Y, L21(alpha, rho), tol=1e-14, max_iter=1000)
    obj = _objective(X, Y, res.coef, res.intercept, alpha, rho, np.ones(12))
    assert obj == pytest.approx(res.objective, rel=1e-10)
    assert obj - (exact.objective - exact.dual_gap) <= res.dual_gap
    # with integer weights it is the fit of repeated rows
    k = np.random.default_rng(22).integers(0, 3, size=400)
    a = solve_multitask(X, Y, L21(alpha, rho), sample_weight=k * 400 / k.sum(), tol=1e-12)
    c = solve_multitask(np.repeat(X, k, axis=0), np.repeat(Y, k, axis=0), L21(alpha, rho), tol=1e-12)
    assert a.solver == c.solver == "block_cd_gram"
    np.testing.assert_allclose(a.coef, c.coef, atol=1e-6 * np.abs(c.coef).max())


def test_path_with_large_working_sets_matches_sklearn():
    # p > n and a grid down to alpha_max / 100: working sets of more than ANDERSON_MIN_ROWS rows, so the
    # Anderson extrapolation and the passes over the nonzero rows run
    from lpnet.solvers.multitask import multitask_path

    X, Y = _data(n=60, p=150, T=3, seed=23, shift=0.0)
    top = multitask_alpha_max(X, Y, L21(1.0))
    alphas = np.geomspace(top, top / 100, 12)
    path = multitask_path(X, Y, L21(1.0), alphas, tol=1e-10)
    assert path.converged.all() and np.any(path.coefs[-1] != 0, axis=1).sum() >= 50
    f_null = 0.5 * np.sum((Y - Y.mean(axis=0)) ** 2) / 60
    assert np.all(path.gaps <= 1e-10 * f_null)
    for k in (4, 8, 11):
        ref = skl.MultiTaskLasso(alphas[k], tol=1e-14, max_iter=10**6).fit(X, Y)
        mine = _objective(X, Y, path.coefs[k], path.intercepts[k], alphas[k], 1.0, np.ones(150))
        theirs = _objective(X, Y, ref.coef_.T, ref.intercept_, alphas[k], 1.0, np.ones(150))
        assert mine <= theirs + 1e-10 * f_null
        np.testing.assert_allclose(path.coefs[k] @ np.ones(3), ref.coef_.T @ np.ones(3), atol=1e-4)
