"""Multinomial logistic regression against independent references: scikit-learn (lbfgs, saga,
LogisticRegressionCV), cvxpy (log_sum_exp), finite differences, and optimality conditions checked here."""

import warnings

import numpy as np
import pytest
from scipy.optimize import minimize
from scipy.special import logsumexp
from sklearn.datasets import load_iris, load_wine
from sklearn.linear_model import LogisticRegression as SkLogistic
from sklearn.preprocessing import StandardScaler

from lpnet import LogisticRegression, RegularizedModel, load, save
from lpnet.datafits import Multinomial
from lpnet.penalties import L1, L2, L21, ElasticNet
from lpnet.solvers.multinomial import multinomial_alpha_max, solve_multinomial

rng = np.random.default_rng(0)


def _standard(loader):
    X, y = loader(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _objective(X, y, coef, intercept, penalty_value, s=None):
    """The objective from its definition (coef: (K, p) as scikit-learn stores it)."""
    n = X.shape[0]
    s = np.ones(n) if s is None else s * n / s.sum()
    classes = np.unique(y)
    Z = X @ coef.T + intercept
    loss = logsumexp(Z, axis=1) - Z[np.arange(n), np.searchsorted(classes, y)]
    return float(s @ loss) / n + penalty_value


def _raw_grad(X, y, coef, intercept, s=None):
    n = X.shape[0]
    s = np.ones(n) if s is None else s * n / s.sum()
    Y = (y[:, None] == np.unique(y)[None, :]).astype(float)
    Z = X @ coef.T + intercept
    P = np.exp(Z - logsumexp(Z, axis=1, keepdims=True))
    return (s / n)[:, None] * (P - Y)


def _small_problem(n=60, p=8, K=4, seed=1):
    r = np.random.default_rng(seed)
    X = r.standard_normal((n, p))
    W = r.standard_normal((p, K)) * (r.random((p, 1)) < 0.5)
    y = np.argmax(X @ W + r.gumbel(size=(n, K)), axis=1)
    return X, y


# ------------------------------------------------------------------------------------------- the datafit
def test_datafit_gradient_curvature_dual_null_model():
    n, K = 7, 3
    y = np.array([0, 1, 2, 2, 1, 0, 2])
    _, Y = Multinomial().encode_target(y, None, "test")
    Z = rng.standard_normal((n, K))
    s = rng.uniform(0.2, 2.0, n)
    s *= n / s.sum()
    fit = Multinomial()
    value = fit.value(Y, Z, s)
    assert value == pytest.approx(float(s @ (logsumexp(Z, axis=1) - Z[np.arange(n), y])) / n, rel=1e-13)
    eps = 1e-6
    for i, k in [(0, 0), (3, 2), (6, 1)]:
        dZ = np.zeros_like(Z)
        dZ[i, k] = eps
        numeric = (fit.value(Y, Z + dZ, s) - fit.value(Y, Z - dZ, s)) / (2 * eps)
        assert fit.raw_grad(Y, Z, s)[i, k] == pytest.approx(numeric, rel=1e-6, abs=1e-10)
        curv = (fit.raw_grad(Y, Z + dZ, s)[i, k] - fit.raw_grad(Y, Z - dZ, s)[i, k]) / (2 * eps)
        assert fit.curvature(Y, Z, s)[i, k] == pytest.approx(curv, rel=1e-5, abs=1e-10)
    # the curvature bound bounds every sample's Hessian c_i (diag p - p p^T)
    P = fit.predict(Z)
    for i in range(n):
        H = s[i] / n * (np.diag(P[i]) - np.outer(P[i], P[i]))
        assert np.linalg.eigvalsh(H).max() <= fit.curvature_bound(Y, s)[i] + 1e-15
    # dual = -sum_i f_i^*(-theta_i), the conjugate by numerical maximization over z
    theta = -0.6 * fit.raw_grad(Y, Z, s)
    total = 0.0
    for i in range(n):

        def neg(z, i=i):
            return -(-theta[i] @ z - s[i] / n * (logsumexp(z) - z[y[i]]))

        total += -minimize(neg, np.zeros(K), method="BFGS", options={"gtol": 1e-12}).fun
    assert fit.dual(theta, Y, s) == pytest.approx(-total, rel=1e-6)
    # null model: the best constant scores
    b, d_null = fit.null_model(Y, s, True)
    ref = minimize(lambda c: fit.value(Y, np.tile(c, (n, 1)), s), np.zeros(K), method="BFGS", options={"gtol": 1e-12})
    assert d_null == pytest.approx(ref.fun, rel=1e-8)
    assert b.sum() == pytest.approx(0.0, abs=1e-12)


def test_one_class_is_refused():
    X = rng.standard_normal((10, 3))
    with pytest.raises(ValueError, match="only one"):
        RegularizedModel(datafit="multinomial", penalty="l2", alpha=0.1).fit(X, np.zeros(10))
    with pytest.raises(ValueError, match="no positive weight"):
        LogisticRegression().fit(X, np.arange(10) % 3, sample_weight=(np.arange(10) % 3 != 2).astype(float))


def test_grouped_needs_a_group_penalty():
    X, y = _small_problem()
    with pytest.raises(ValueError, match="grouped"):
        LogisticRegression(penalty="mcp", multinomial="grouped").fit(X, y)
    with pytest.raises(ValueError, match="multinomial must be"):
        LogisticRegression(multinomial="both").fit(X, y)


# ------------------------------------------------------------------------------------------- scikit-learn
@pytest.mark.parametrize("loader", [load_iris, load_wine])
def test_l2_matches_sklearn_lbfgs(loader):
    X, y = _standard(loader)
    n, alpha = X.shape[0], 0.01
    w = np.random.default_rng(5).uniform(0.5, 2.0, n)
    ours = LogisticRegression(alpha=alpha, tol=1e-14).fit(X, y, sample_weight=w)
    ref = SkLogistic(C=1 / (w.sum() * alpha), tol=1e-12, max_iter=10_000).fit(X, y, sample_weight=w)
    # both parametrizations are symmetric: the class sums of every feature are 0
    assert np.abs(ref.coef_.sum(axis=0)).max() < 1e-8
    assert np.abs(ours.coef_.sum(axis=0)).max() < 1e-12
    assert abs(ours.intercept_.sum()) < 1e-10
    np.testing.assert_allclose(ours.coef_, ref.coef_ - ref.coef_.mean(axis=0), atol=1e-5)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-6)
    np.testing.assert_array_equal(ours.classes_, ref.classes_)
    assert ours.score(X, y) == ref.score(X, y)
    assert ours.decision_function(X).shape == (n, ours.classes_.size)
    np.testing.assert_allclose(ours.predict_log_proba(X), np.log(ours.predict_proba(X)))


def test_l1_matches_sklearn_saga():
    X, y = _standard(load_wine)
    n, alpha = X.shape[0], 0.02
    ours = LogisticRegression(penalty="l1", alpha=alpha, tol=1e-12).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = SkLogistic(C=1 / (n * alpha), l1_ratio=1.0, solver="saga", tol=1e-12, max_iter=100_000).fit(X, y)
    f_ours = _objective(X, y, ours.coef_, ours.intercept_, alpha * np.abs(ours.coef_).sum())
    f_ref = _objective(X, y, ref.coef_, ref.intercept_, alpha * np.abs(ref.coef_).sum())
    assert f_ours == pytest.approx(f_ref, rel=1e-6)
    assert f_ours <= f_ref + 1e-12
    assert ours.objective_ == pytest.approx(f_ours, rel=1e-12)
    clear = np.abs(ref.coef_) > 1e-4
    np.testing.assert_array_equal(ours.coef_[clear] != 0, True)
    np.testing.assert_array_equal((ours.coef_ == 0) | clear, True)


# ------------------------------------------------------------------------------------------- cvxpy
@pytest.mark.parametrize("structure", ["ungrouped", "grouped"])
def test_cvxpy_objective_gap_and_kkt(structure):
    cp = pytest.importorskip("cvxpy")
    X, y = _small_problem()
    n, p = X.shape
    K = np.unique(y).size
    Y = (y[:, None] == np.arange(K)[None, :]).astype(float)
    v = np.array([0.0, 1.0, 2.0, 0.5, 1.0, 3.0, 1.0, 0.7])
    alpha, l1_ratio = 0.05, 0.8
    s = np.random.default_rng(2).uniform(0.5, 1.5, n)
    s *= n / s.sum()
    W, b = cp.Variable((p, K)), cp.Variable(K)
    Z = X @ W + np.ones((n, 1)) @ cp.reshape(b, (1, K), order="C")
    loss = (cp.sum(cp.multiply(s, cp.log_sum_exp(Z, axis=1))) - cp.sum(cp.multiply(s[:, None] * Y, Z))) / n
    if structure == "ungrouped":
        pen = alpha * cp.sum(cp.multiply(v[:, None], l1_ratio * cp.abs(W) + (1 - l1_ratio) / 2 * cp.square(W)))
    else:
        norms = cp.norm(W, 2, axis=1)
        pen = alpha * (l1_ratio * v @ norms + (1 - l1_ratio) / 2 * cp.sum(cp.multiply(v[:, None], cp.square(W))))
    problem = cp.Problem(cp.Minimize(loss + pen))
    problem.solve(solver=cp.CLARABEL, tol_gap_abs=1e-11, tol_gap_rel=1e-11, tol_feas=1e-11)
    ours = LogisticRegression(
        penalty="elasticnet", alpha=alpha, l1_ratio=l1_ratio, penalty_factor=v, multinomial=structure, tol=1e-10
    ).fit(X, y, sample_weight=s)
    assert ours.objective_ == pytest.approx(problem.value, rel=1e-6)
    # the gap bounds the true suboptimality (cvxpy's value is itself within ~1e-9 of the optimum)
    assert ours.objective_ - problem.value <= ours.dual_gap_ + 1e-8
    # KKT, checked here from the definition: G = X^T dD/dZ (p, K)
    W_ours = ours.coef_.T
    R = _raw_grad(X, y, ours.coef_, ours.intercept_, s)
    G = X.T @ R
    assert np.abs(R.sum(axis=0)).max() < 1e-7
    tol = 1e-5
    lam1, lam2 = alpha * l1_ratio * v, alpha * (1 - l1_ratio) * v
    if structure == "ungrouped":
        nz = W_ours != 0
        stationary = G + lam1[:, None] * np.sign(W_ours) + lam2[:, None] * W_ours
        assert np.abs(stationary[nz]).max() < tol
        assert np.all(np.abs(G[~nz]) <= np.broadcast_to(lam1[:, None], G.shape)[~nz] + tol)
    else:
        norms = np.linalg.norm(W_ours, axis=1)
        for j in range(p):
            if norms[j] > 0:
                g = G[j] + lam1[j] * W_ours[j] / norms[j] + lam2[j] * W_ours[j]
                assert np.linalg.norm(g) < tol
            else:
                assert np.linalg.norm(G[j]) <= lam1[j] + tol
    assert np.linalg.norm(W_ours[0]) > 0  # the unpenalized feature is in the model


def test_grouped_drops_whole_rows_ungrouped_single_entries():
    X, y = _small_problem(n=120, p=10, K=4, seed=7)
    grouped = LogisticRegression(penalty="l1", alpha=0.04, multinomial="grouped").fit(X, y)
    ungrouped = LogisticRegression(penalty="l1", alpha=0.04).fit(X, y)
    rows_zero = np.all(grouped.coef_ == 0, axis=0)
    rows_nonzero = np.all(grouped.coef_ != 0, axis=0)
    assert np.all(rows_zero | rows_nonzero) and rows_zero.any() and rows_nonzero.any()
    partial = np.any(ungrouped.coef_ == 0, axis=0) & np.any(ungrouped.coef_ != 0, axis=0)
    assert partial.any()


@pytest.mark.parametrize(
    "penalty", [L1(1.0, weights=[1, 2, 0.5, 1, 1, 1, 0, 1]), L21(1.0, weights=[1, 2, 0.5, 1, 1, 1, 0, 1])]
)
def test_exact_alpha_max(penalty):
    X, y = _small_problem()
    Y = Multinomial().encode_target(y, None, "test")[1]
    amax = multinomial_alpha_max(X, Y, penalty)
    # from the definition: the gradient at the best model with the free feature 6 and the intercepts
    above = solve_multinomial(X, Y, penalty.with_alpha(amax * (1 + 1e-9)), tol=1e-10)
    below = solve_multinomial(X, Y, penalty.with_alpha(amax * (1 - 1e-3)), tol=1e-10)
    penalized = np.arange(8) != 6
    assert np.all(above.coef[penalized] == 0)
    assert np.any(below.coef[penalized] != 0)


def test_nonconvex_and_binary_request():
    X, y = _small_problem()
    m = LogisticRegression(penalty="mcp", alpha=0.05, l1_ratio=None).fit(X, y)
    assert m.converged_ and m.optimality_violation_ <= 1e-6 and m.dual_gap_ is None
    # datafit="multinomial" with two classes: two rows, softmax; same accuracy scale as the binary model
    yb = (y > 1).astype(int)
    two = RegularizedModel(datafit="multinomial", penalty="l2", alpha=0.02).fit(X, yb)
    assert two.coef_.shape == (2, X.shape[1])
    # with L2, the two-row model is the binary model at alpha / 2 (w = W_1 - W_0, W_0 = -W_1)
    binary = LogisticRegression(alpha=0.01, tol=1e-10).fit(X, yb)
    np.testing.assert_allclose(two.coef_[1] - two.coef_[0], binary.coef_[0], atol=1e-4)


def test_save_load_and_warm_start(tmp_path):
    X, y = _standard(load_iris)
    m = LogisticRegression(penalty="l1", alpha=0.01).fit(X, y)
    save(m, tmp_path / "m.json")
    back = load(tmp_path / "m.json")
    np.testing.assert_array_equal(back.predict_proba(X), m.predict_proba(X))
    np.testing.assert_array_equal(back.predict(X), m.predict(X))
    warm = LogisticRegression(penalty="l1", alpha=0.01, warm_start=True)
    warm.coef_, warm.intercept_ = m.coef_.copy(), m.intercept_.copy()
    warm.fit(X, y)
    assert warm.converged_ and warm.n_outer_iter_ == 1


def test_float32_and_sparse():
    import scipy.sparse as sp

    X, y = _standard(load_iris)
    dense = LogisticRegression(penalty="l1", alpha=0.01, tol=1e-8).fit(X, y)
    sparse = LogisticRegression(penalty="l1", alpha=0.01, tol=1e-8).fit(sp.csr_matrix(X), y)
    np.testing.assert_allclose(sparse.coef_, dense.coef_, atol=1e-5)
    single = LogisticRegression(penalty="l1", alpha=0.01).fit(X.astype(np.float32), y)
    assert single.coef_.dtype == np.float32 and single.converged_


def test_check_estimator():
    from sklearn.utils.estimator_checks import check_estimator

    assert LogisticRegression().__sklearn_tags__().classifier_tags.multi_class
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_estimator(LogisticRegression())


def test_l2_elasticnet_penalty_instances():
    X, y = _standard(load_iris)
    a = LogisticRegression(penalty=ElasticNet(0.01, l1_ratio=0.0)).fit(X, y)
    b = LogisticRegression(penalty=L2(0.01)).fit(X, y)
    np.testing.assert_allclose(a.coef_, b.coef_, atol=1e-5)


# ------------------------------------------------------------------------------------------- CV
def test_cv_matches_sklearn_on_iris():
    from sklearn.linear_model import LogisticRegressionCV as SkCV
    from sklearn.metrics import log_loss
    from sklearn.model_selection import StratifiedKFold

    from lpnet.model_selection import LogisticRegressionCV

    X, y = _standard(load_iris)
    n = X.shape[0]
    Cs = np.logspace(-2, 3, 6)
    folds = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    ours = LogisticRegressionCV(alphas=1 / (n * Cs), cv=folds, tol=1e-10).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = SkCV(Cs=Cs, cv=folds, scoring="neg_log_loss", tol=1e-12, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(ours.C_, ref.C_)
    np.testing.assert_allclose(ours.Cs_, ref.Cs_)
    assert ours.coef_.shape == (3, 4) and ours.n_iter_.shape == (1, 3, 6)
    assert set(ours.coefs_paths_) == set(ref.coefs_paths_)
    assert ours.coefs_paths_[0].shape == ref.coefs_paths_[0].shape and ours.scores_[1].shape == ref.scores_[1].shape
    # lpnet keeps alpha fixed across folds (C = 1 / (n alpha) with n the whole data's size), scikit-learn C:
    # each fold's held-out log-loss against scikit-learn's fit at that fold's equivalent C
    for f, (train, test) in enumerate(folds):
        for a in (0, 3, 5):
            alpha = ours.alphas_[a]
            fold_ref = SkLogistic(C=1 / (train.size * alpha), tol=1e-12, max_iter=10_000).fit(X[train], y[train])
            expected = log_loss(y[test], fold_ref.predict_proba(X[test]))
            assert ours.mse_path_[a, f] == pytest.approx(expected, abs=1e-4)
    assert ours.predict(X).shape == (n,) and ours.predict_proba(X).shape == (n, 3)
    one_se = LogisticRegressionCV(alphas=1 / (n * Cs), cv=folds, alpha_rule="1se").fit(X, y)
    assert one_se.alpha_ >= ours.alpha_


def test_cv_folds_in_parallel_give_the_same_choice():
    from sklearn.datasets import load_iris

    from lpnet import LogisticRegressionCV

    X, y = load_iris(return_X_y=True)
    X = (X - X.mean(0)) / X.std(0)
    one = LogisticRegressionCV(penalty="l1", n_alphas=6, cv=3, n_jobs=1).fit(X, y)
    two = LogisticRegressionCV(penalty="l1", n_alphas=6, cv=3, n_jobs=2).fit(X, y)
    assert one.alpha_ == two.alpha_
    np.testing.assert_allclose(one.mse_path_, two.mse_path_, rtol=1e-12)
