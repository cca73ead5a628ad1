"""Regularization paths: exact alpha_max, certified fits at every alpha, scikit-learn parity."""

import warnings

import numpy as np
import pytest
from scipy.optimize import minimize
from scipy.special import expit
from sklearn.datasets import load_diabetes

from lpnet.datafits import Logistic, Quadratic
from lpnet.path import Path, alpha_max, enet_path, lasso_path, regularization_path
from lpnet.penalties import make_penalty
from lpnet.solvers import Design, solve

TOL = 1e-6


def make_data(n=40, p=8, seed=0, classify=False):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    w = rng.standard_normal(p) * (rng.random(p) < 0.6)
    y = X @ w + 0.5 * rng.standard_normal(n)
    if classify:
        y = (y + rng.standard_normal(n) > 0).astype(float)
    return X, y


FACTORS = np.array([0.0, 1.0, 2.0, 0.5, 1.0, 0.0, 3.0, 1.0])


# ------------------------------------------------------------------------------ alpha_max
def numpy_alpha_max(X, y, v, fit_intercept, logistic, s, rho=1.0):
    """Independent: fit the free columns with numpy / scipy, then max |grad_j| / v_j over v_j > 0."""
    n = X.shape[0]
    s = s * n / s.sum()
    cols = ([np.ones(n)] if fit_intercept else []) + [X[:, j] for j in np.flatnonzero(v == 0)]
    A = np.column_stack(cols) if cols else np.zeros((n, 0))
    if logistic:
        ys = np.where(y > 0, 1.0, -1.0)

        def f(c):
            return np.dot(s, np.logaddexp(0, -ys * (A @ c))) / n

        def g(c):
            return A.T @ (-s * ys * expit(-ys * (A @ c))) / n

        c = np.zeros(0)
        if A.shape[1]:
            c = minimize(f, np.zeros(A.shape[1]), jac=g, method="BFGS", options={"gtol": 1e-13}).x
        raw = -s * ys * expit(-ys * (A @ c)) / n
    else:
        c = np.linalg.lstsq(A * np.sqrt(s)[:, None], y * np.sqrt(s), rcond=None)[0]
        raw = -s * (y - A @ c) / n
    grad = X.T @ raw
    pen = v > 0
    return np.max(np.abs(grad[pen]) / v[pen]) / rho


@pytest.mark.parametrize("datafit", ["squared", "logistic"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("factors", [None, FACTORS])
def test_alpha_max_is_exact(datafit, fit_intercept, factors):
    logistic = datafit == "logistic"
    X, y = make_data(classify=logistic)
    s = np.random.default_rng(1).uniform(0.5, 2.0, X.shape[0])
    v = np.ones(X.shape[1]) if factors is None else factors
    a_max = alpha_max(X, y, datafit=datafit, penalty_factor=factors, fit_intercept=fit_intercept, sample_weight=s)
    expected = numpy_alpha_max(X, y, v, fit_intercept, logistic, s)
    assert a_max == pytest.approx(expected, rel=1e-7)
    path = regularization_path(
        X,
        y,
        datafit=datafit,
        alphas=[a_max, 0.99 * a_max],
        penalty_factor=factors,
        fit_intercept=fit_intercept,
        sample_weight=s,
        tol=1e-8,
    )
    pen = v > 0
    assert np.all(path.coefs[0, pen] == 0.0)
    assert np.count_nonzero(path.coefs[1, pen]) >= 1
    assert path.converged.all()


@pytest.mark.parametrize("l1_ratio", [0.3, 1.0])
def test_alpha_max_elasticnet(l1_ratio):
    X, y = make_data()
    a_max = alpha_max(X, y, penalty="elasticnet", l1_ratio=l1_ratio, penalty_factor=FACTORS)
    assert a_max == pytest.approx(numpy_alpha_max(X, y, FACTORS, True, False, np.ones(40), l1_ratio), rel=1e-9)
    path = regularization_path(
        X, y, penalty="elasticnet", l1_ratio=l1_ratio, penalty_factor=FACTORS, alphas=[a_max, 0.99 * a_max]
    )
    assert np.all(path.coefs[0, FACTORS > 0] == 0.0) and np.any(path.coefs[1, FACTORS > 0] != 0.0)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("penalty", ["l1", "elasticnet"])
def test_path_alpha_max_on_tall_data_from_the_gram_state(fit_intercept, penalty):
    """A tall path (Gram mode) reads alpha_max off the Gram state; it equals the numpy formula, and a
    constant target still gives 0."""
    rng = np.random.default_rng(4)
    X = rng.standard_normal((400, 8)) + 3.0
    y = X @ rng.standard_normal(8) + 1.0 + rng.standard_normal(400)
    s = rng.uniform(0.5, 2.0, 400)
    l1_ratio = 0.4 if penalty == "elasticnet" else 1.0
    path = regularization_path(
        X, y, penalty=penalty, l1_ratio=l1_ratio, n_alphas=3, fit_intercept=fit_intercept, sample_weight=s
    )
    expected = numpy_alpha_max(X, y, np.ones(8), fit_intercept, False, s, l1_ratio)
    assert path.alpha_max == pytest.approx(expected, rel=1e-9)
    assert np.all(path.coefs[0] == 0.0) and path.converged.all()
    if fit_intercept:
        assert (
            regularization_path(X, np.full(400, 5.0), penalty=penalty, l1_ratio=l1_ratio, n_alphas=2).alpha_max == 0.0
        )


def test_alpha_max_no_finite_value_uses_l1_scale():
    X, y = make_data()
    l1 = alpha_max(X, y)
    assert alpha_max(X, y, penalty="l2") == l1 == alpha_max(X, y, penalty="lp")
    assert alpha_max(X, y, penalty_factor=np.zeros(8)) == 0.0


# ------------------------------------------------------------------------------ certified paths
CASES = [
    ("l1", "squared", {}),
    ("elasticnet", "squared", {"l1_ratio": 0.4}),
    ("l2", "squared", {}),
    ("lp", "squared", {"p": 1.5}),
    ("lp", "squared", {"p": 0.5}),
    ("l1", "logistic", {}),
]


@pytest.mark.parametrize("penalty, datafit, kw", CASES)
def test_every_alpha_is_certified_and_matches_single_fit(penalty, datafit, kw):
    logistic = datafit == "logistic"
    X, y = make_data(classify=logistic, seed=3)
    path = regularization_path(
        X, y, penalty=penalty, datafit=datafit, n_alphas=15, eps=1e-2, tol=TOL, penalty_factor=FACTORS, **kw
    )
    assert isinstance(path, Path) and len(path) == 15
    assert np.all(np.diff(path.alphas) < 0)
    df = Logistic() if logistic else Quadratic()
    y_enc = np.where(y > 0, 1.0, -1.0) if logistic else y
    f_null = df.null_model(y_enc, np.ones(len(y)), True)[1]
    assert path.converged.all()
    if kw.get("p", 1.0) < 1:
        assert np.all(np.isnan(path.dual_gaps))
        assert np.all(path.optimality_violations <= TOL)
        return
    assert np.all(np.isnan(path.optimality_violations))
    assert np.all(path.dual_gaps <= TOL * f_null)
    assert np.all(path.dual_gaps >= -1e-12)
    for k in (0, 5, 14):
        pen = make_penalty(penalty, path.alphas[k], weights=FACTORS, **kw)
        single = solve(X, y_enc, df, pen, tol=TOL)
        slack = path.dual_gaps[k] + single.dual_gap + 1e-12
        assert abs(path.objectives[k] - single.objective) <= slack
        # and the objective recomputed from the stored coefficients is the reported one
        z = X @ path.coefs[k] + path.intercepts[k]
        assert df.value(y_enc, z, np.ones(len(y))) + pen.value(path.coefs[k]) == pytest.approx(
            path.objectives[k], rel=1e-10
        )


def test_logistic_accepts_any_two_labels():
    X, y = make_data(classify=True)
    labels = np.where(y > 0, "yes", "no")
    a = regularization_path(X, labels, datafit="logistic", n_alphas=5)
    b = regularization_path(X, y, datafit="logistic", n_alphas=5)
    np.testing.assert_allclose(a.coefs, b.coefs)
    with pytest.raises(ValueError, match="two classes"):
        regularization_path(X, np.arange(40) % 3, datafit="logistic")


def test_sparse_matches_dense():
    import scipy.sparse as sp

    X, y = make_data(seed=5)
    X[np.abs(X) < 0.7] = 0.0
    dense = regularization_path(X, y, n_alphas=10, tol=1e-10)
    sparse = regularization_path(sp.csr_matrix(X), y, n_alphas=10, tol=1e-10)
    np.testing.assert_allclose(sparse.alphas, dense.alphas)
    np.testing.assert_allclose(sparse.coefs, dense.coefs, atol=1e-6)


# ------------------------------------------------------------------------------ scikit-learn parity
def test_lasso_path_equals_lars_at_knots():
    from sklearn.linear_model import lars_path

    X, y = make_data(n=30, p=6, seed=7)
    alphas, _, coefs = lars_path(X, y, method="lasso")
    knots = alphas > 0
    _, ours, _ = lasso_path(X, y, alphas=alphas[knots], tol=1e-12, max_iter=1000)
    np.testing.assert_allclose(ours, coefs[:, knots], atol=1e-7)

    # centred data with an intercept: the same knots
    Xc, yc = X - X.mean(0), y - y.mean()
    alphas, _, coefs = lars_path(Xc, yc, method="lasso")
    knots = alphas > 0
    path = regularization_path(X, y, alphas=alphas[knots], tol=1e-12, max_iter=1000)
    np.testing.assert_allclose(path.coefs.T, coefs[:, knots], atol=1e-7)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_lasso_enet_path_match_sklearn(l1_ratio):
    from sklearn.linear_model import enet_path as sk_enet_path

    X, y = make_data(n=50, p=10, seed=2)
    n = X.shape[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sk_alphas, sk_coefs, _ = sk_enet_path(X, y, l1_ratio=l1_ratio, alphas=12, eps=1e-2, tol=1e-12, max_iter=100000)
    if l1_ratio == 1.0:
        alphas, coefs, gaps = lasso_path(X, y, n_alphas=12, eps=1e-2)
    else:
        alphas, coefs, gaps = enet_path(X, y, l1_ratio=l1_ratio, n_alphas=12, eps=1e-2)
    assert coefs.shape == sk_coefs.shape == (10, 12) and gaps.shape == (12,)
    np.testing.assert_allclose(alphas, sk_alphas, rtol=1e-12)
    f_null = 0.5 * np.dot(y, y) / n
    for k, alpha in enumerate(alphas):

        def obj(w, alpha=alpha):
            return (
                0.5 * np.sum((y - X @ w) ** 2) / n
                + alpha * l1_ratio * np.abs(w).sum()
                + 0.5 * alpha * (1 - l1_ratio) * np.dot(w, w)
            )

        assert abs(obj(coefs[:, k]) - obj(sk_coefs[:, k])) <= 1e-6 * f_null
        assert gaps[k] <= 1e-6 * f_null
    np.testing.assert_allclose(coefs, sk_coefs, atol=1e-4)
    # return_n_iter and an explicit grid (given unsorted: returned decreasing, as scikit-learn)
    out = lasso_path(X, y, alphas=[0.01, 0.1], return_n_iter=True)
    assert len(out) == 4 and list(out[0]) == [0.1, 0.01] and len(out[3]) == 2


def test_ridge_svd_path_equals_direct_solves():
    from sklearn.linear_model import Ridge

    for n, p in [(40, 8), (15, 30)]:
        X, y = make_data(n=n, p=p, seed=4)
        sw = np.random.default_rng(0).uniform(0.5, 2.0, n)
        s = sw * n / sw.sum()
        path = regularization_path(X, y, penalty="l2", n_alphas=8, sample_weight=sw)
        assert path.converged.all()
        for k, alpha in enumerate(path.alphas):
            ref = Ridge(alpha=n * alpha, solver="cholesky").fit(X, y, sample_weight=s)
            np.testing.assert_allclose(path.coefs[k], ref.coef_, rtol=1e-6, atol=1e-9)
            assert path.intercepts[k] == pytest.approx(ref.intercept_, rel=1e-6, abs=1e-9)
    # unequal factors, some of them 0: against lpnet's direct solver
    X, y = make_data(seed=6)
    path = regularization_path(X, y, penalty="lp", p=2.0, penalty_factor=FACTORS, n_alphas=6)
    for k, alpha in enumerate(path.alphas):
        ref = solve(X, y, Quadratic(), make_penalty("l2", alpha, weights=FACTORS), solver="direct")
        np.testing.assert_allclose(path.coefs[k], ref.coef, rtol=1e-7, atol=1e-10)
        assert path.intercepts[k] == pytest.approx(ref.intercept, abs=1e-9)
        assert path.dual_gaps[k] <= TOL * 0.5 * np.var(y)


# ------------------------------------------------------------------------------ warm starts, progress
def test_warm_starts_pay_off_and_progress(capsys):
    X, y = make_data(n=60, p=20, seed=8)
    path = regularization_path(X, y, n_alphas=20, eps=1e-3, progress=True)
    err = capsys.readouterr().err
    assert "20/20" in err or "20it" in err or "100%" in err
    cold = sum(solve(X, y, Quadratic(), make_penalty("l1", a), tol=TOL).n_iter for a in path.alphas)
    assert path.n_iters.sum() < cold
    assert path.n_nonzero[0] == 0 and path.n_nonzero[-1] > 0
    assert np.array_equal(path.n_nonzero, np.count_nonzero(path.coefs, axis=1))


# ------------------------------------------------------------------------------ data and plots
def test_to_frame_and_plot():
    pd = pytest.importorskip("pandas")
    X, y = make_data()
    frame_in = pd.DataFrame(X, columns=[f"f{j}" for j in range(8)])
    path = regularization_path(frame_in, y, n_alphas=7)
    assert path.feature_names == list(frame_in.columns)
    # without column names, x0, x1, ...: each path's own list (the names are built once per width)
    plain = regularization_path(X, y, n_alphas=3)
    assert plain.feature_names == [f"x{j}" for j in range(8)]
    plain.feature_names.append("extra")
    assert regularization_path(X, y, n_alphas=3).feature_names == [f"x{j}" for j in range(8)]
    frame = path.to_frame()
    assert list(frame.columns) == list(frame_in.columns) and frame.index.name == "alpha"
    np.testing.assert_array_equal(frame.to_numpy(), path.coefs)
    full = path.to_frame(diagnostics=True)
    assert {"intercept", "dual_gap", "n_nonzero", "converged"} <= set(full.columns)

    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = path.plot()
    labels = [line.get_label() for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert labels == list(frame_in.columns)
    plt.close("all")


# ------------------------------------------------------------------------------ bad input
def test_bad_input_is_rejected_clearly():
    X, y = make_data()
    for eps in (0.0, -0.1, 2.0, True):
        with pytest.raises(ValueError, match="eps"):
            regularization_path(X, y, eps=eps)
    flat = regularization_path(X, y, eps=1.0, n_alphas=3)  # eps=1: every alpha is alpha_max
    np.testing.assert_allclose(flat.alphas, alpha_max(X, y))
    assert not flat.coefs.any()
    with pytest.raises(ValueError, match="alphas"):
        regularization_path(X, y, alphas=[0.1, -1.0])
    with pytest.raises(ValueError, match="alphas"):
        regularization_path(X, y, alphas=[])
    with pytest.raises(ValueError, match="n_alphas"):
        regularization_path(X, y, n_alphas=0)
    Xn = X.copy()
    Xn[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        regularization_path(Xn, y)
    with pytest.raises(ValueError, match="penalty must be one of"):
        regularization_path(X, y, penalty="l3")
    with pytest.raises(TypeError, match="penalty"):
        regularization_path(X, y, penalty=None)
    with pytest.raises(ValueError, match="datafit"):
        regularization_path(X, y, datafit="hinge")
    with pytest.raises(ValueError, match="penalty_factor"):
        regularization_path(X, y, penalty_factor=[1.0, 2.0])
    with pytest.raises(ValueError):
        regularization_path(X, y[:-1])
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"a": X[:, 0], "colour": ["red"] * 40})
    with pytest.raises(TypeError, match="colour"):
        regularization_path(frame, y)


def test_paths_stay_certified_on_designs_that_trip_screening_rules():
    """Duplicated and nearly collinear columns: rules that discard features by correlation with the
    residual go wrong here; every alpha must still meet its certificate and match a cold single fit."""
    from lpnet.datafits import Quadratic
    from lpnet.penalties import L1, ElasticNet
    from lpnet.solvers import solve

    rng = np.random.default_rng(7)
    n = 60
    base = rng.standard_normal((n, 5))
    X = np.column_stack(
        [
            base,
            base[:, :2],  # exact duplicates
            base[:, 2:4] + 1e-3 * rng.standard_normal((n, 2)),  # correlation ~ 0.9999995
            rng.standard_normal((n, 3)),
        ]
    )
    y = base @ np.array([3.0, -2.0, 1.5, 0.0, 1.0]) + 0.1 * rng.standard_normal(n)
    for penalty, make in (("l1", lambda a: L1(a)), ("elasticnet", lambda a: ElasticNet(a, 0.5))):
        path = regularization_path(X, y, penalty=penalty, n_alphas=30, eps=1e-3, tol=1e-8)
        f_null = 0.5 * np.var(y)
        assert np.all(path.dual_gaps <= 1e-8 * f_null * (1 + 1e-9))
        for k in (5, 15, 29):
            single = solve(X, y, Quadratic(), make(path.alphas[k]), tol=1e-10)
            assert path.objectives[k] <= single.objective + path.dual_gaps[k] + 1e-12
            assert single.objective <= path.objectives[k] + single.dual_gap + 1e-12


def test_radius_is_the_norm_of_each_fit_in_the_penalty_exponent():
    X, y = load_diabetes(return_X_y=True)
    for penalty, kw, p in (("l1", {}, 1.0), ("l2", {}, 2.0), ("lp", {"p": 3.0}, 3.0)):
        path = regularization_path(X, y, penalty=penalty, n_alphas=5, **kw)
        np.testing.assert_allclose(path.radius, np.linalg.norm(path.coefs, ord=p, axis=1), rtol=1e-12)
    assert np.all(np.diff(path.radius) >= 0)  # radii grow as alpha falls
    enet = regularization_path(X, y, penalty="elasticnet", n_alphas=3)
    with pytest.raises(ValueError, match="norms"):
        _ = enet.radius
    np.testing.assert_allclose(enet.norms(np.inf), np.abs(enet.coefs).max(axis=1))
    with pytest.raises(ValueError, match="p must be > 0"):
        enet.norms(0)


def test_repr_is_one_short_line():
    from sklearn.datasets import load_diabetes

    X, y = load_diabetes(return_X_y=True)
    path = regularization_path(X, y, n_alphas=100)
    text = repr(path)
    assert "\n" not in text and len(text) < 200
    assert "100 alphas" in text and "10 features" in text and "converged 100/100" in text
    assert f"{path.alphas[0]:.4g}" in text and f"{np.nanmax(path.dual_gaps):.2e}" in text


def test_alpha_max_of_a_target_the_free_model_fits_exactly_is_zero():
    rng = np.random.default_rng(0)
    X = rng.random((10, 3))
    assert alpha_max(X, np.full(10, 5.0)) == 0.0  # a constant, up to rounding of its mean
    assert alpha_max(X, np.full(10, 5.0), sample_weight=rng.uniform(0.5, 2.0, 10)) == 0.0
    assert alpha_max(X, X[:, 0] + 5.0) > 0.0


def _chained(n, p, k, rho, noise, seed):
    """Columns correlated with their neighbour (``x_j += rho x_{j-1}``), ``k`` true features, a noisy response."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    X[:, 1:] += rho * X[:, :-1]
    w = np.zeros(p)
    w[rng.choice(p, k, replace=False)] = rng.standard_normal(k)
    return X, X @ w + noise * rng.standard_normal(n)


def _count_certificates(monkeypatch) -> list:
    """A list that grows by one at every certificate computed from now on."""
    from lpnet.certificates import Certifier

    checks: list = []
    check = Certifier.check
    monkeypatch.setattr(Certifier, "check", lambda self, *a, **k: checks.append(1) or check(self, *a, **k))
    return checks


def test_wide_lasso_path_takes_one_certificate_per_alpha(monkeypatch):
    """On a working set far smaller than the features, a Lasso path's first inner solve goes to the final
    accuracy (the gap is first order in the scores): one certificate per alpha, where the usual inner
    tolerance takes about two; every alpha still certified and equal to the other route's fit."""
    from lpnet.solvers import cd_working_set
    from lpnet.solvers.cd_working_set import ResidualCD

    X, y = _chained(100, 2000, 10, 0.5, 0.5, seed=0)
    checks = _count_certificates(monkeypatch)
    paths = []
    for shares in ((ResidualCD.final_share, cd_working_set.FACE_FINAL_SHARE), (0.0, 0.0)):
        # (0: no working set is small enough, with or without face steps)
        monkeypatch.setattr(ResidualCD, "final_share", shares[0])
        monkeypatch.setattr(cd_working_set, "FACE_FINAL_SHARE", shares[1])
        checks.clear()
        paths.append((regularization_path(X, y, penalty="l1", n_alphas=30, eps=1e-2, tol=TOL), len(checks)))
    (fine, n_fine), (usual, n_usual) = paths
    assert fine.converged.all() and usual.converged.all()
    assert n_fine <= 32 < 1.5 * n_fine < n_usual
    # two certified values of the same optimum differ by at most the larger gap
    assert np.all(np.abs(fine.objectives - usual.objectives) <= np.maximum(fine.dual_gaps, usual.dual_gaps))


def _fewer_passes_same_optima(aimed, finer, share):
    """Both paths certified at every alpha, ``aimed`` in under ``share`` of ``finer``'s passes, and the same
    optima (two certified values of one optimum differ by at most the larger gap)."""
    assert aimed.converged.all() and finer.converged.all()
    assert aimed.n_iters.sum() < share * finer.n_iters.sum()
    assert np.all(np.abs(aimed.objectives - finer.objectives) <= np.maximum(aimed.dual_gaps, finer.dual_gaps))


def test_lasso_inner_solves_go_no_finer_than_the_certificate_needs(monkeypatch):
    """The Lasso's gap is first order in the distances, so the distance that meets the threshold is known
    (``sufficient_tol``): inner solves aimed there certify every alpha of a loose-tol path in a fraction
    of the passes that solves a hundred times finer take, at the same optima."""
    from lpnet.solvers import _working_set

    X, y = _chained(100, 2000, 10, 0.5, 0.5, seed=0)
    paths = []
    for margin in (_working_set.FINAL_MARGIN, _working_set.FINAL_MARGIN / 100):
        monkeypatch.setattr(_working_set, "FINAL_MARGIN", margin)
        paths.append(regularization_path(X, y, penalty="l1", n_alphas=40, eps=1e-3, tol=1e-4))
    _fewer_passes_same_optima(*paths, share=0.6)


def test_elastic_net_inner_solves_go_no_finer_than_the_certificate_needs(monkeypatch):
    """With a ridge part on every feature the gap at the residual is at most the sum of ``d_j^2 / (2 mu_j)``
    over the working set: inner solves that stop on that sum (``FY_MARGIN``), their tolerance floored
    at the bound ``sufficient_tol``, certify every alpha in far fewer passes than solves on the largest
    distance a hundred times finer, at the same optima."""
    from lpnet.solvers import _working_set, cd_working_set

    X, y = _chained(80, 1000, 30, 0.6, 0.3, seed=1)
    paths = []
    for fy, margin in ((cd_working_set.FY_MARGIN, _working_set.FINAL_MARGIN), (0.0, _working_set.FINAL_MARGIN * 1e-4)):
        monkeypatch.setattr(cd_working_set, "FY_MARGIN", fy)
        monkeypatch.setattr(_working_set, "FINAL_MARGIN", margin)
        paths.append(regularization_path(X, y, penalty="elasticnet", n_alphas=40, eps=1e-3, tol=1e-4))
    _fewer_passes_same_optima(*paths, share=0.6)


@pytest.mark.parametrize("seed", range(5))
def test_elastic_net_gap_is_at_most_the_distances_squared_over_twice_the_ridge(seed):
    """The bound ``sufficient_tol`` rests on: at any point, the duality gap at the residual as dual point
    (no rescaling needed) is the sum of the coordinates' Fenchel-Young gaps, each at most
    ``d_j^2 / (2 mu_j)`` (``d_j`` the distance of ``-grad_j`` to the subdifferential of ``P_j``,
    ``mu_j = alpha (1 - l1_ratio) v_j``), with equality where every sign agrees: near the optimum the
    bound is nearly tight, so a wrong constant fails."""
    from . import kkt

    rng = np.random.default_rng(seed)
    X, y = _chained(40, 60, 8, 0.5, 0.5, seed=seed)
    v = rng.uniform(0.5, 2.0, 60)
    pen = make_penalty("elasticnet", alpha=0.05, l1_ratio=0.5, weights=v)
    spec = kkt.spec_from_penalty(pen)
    best = solve(X, y, Quadratic(), pen, fit_intercept=False, tol=1e-12).coef
    n, s = X.shape[0], np.ones(X.shape[0])
    mu = tau = 0.05 * 0.5 * v
    ratios = []
    for w in (best + 1e-4 * rng.standard_normal(60) * (best != 0), np.where(rng.random(60) < 0.3, 1.0, 0.0)):
        theta = (y - X @ w) / n  # minus the squared loss's derivative in z
        grad = -X.T @ theta
        d = np.where(w != 0, np.abs(grad + tau * np.sign(w) + mu * w), np.maximum(np.abs(grad) - tau, 0.0))
        primal = kkt.objective(X, y, s, "squared", spec, w, 0.0)
        gap = primal - (kkt._datafit_dual(theta, y, s, "squared") - kkt._penalty_conjugate(X.T @ theta, spec, 60))
        bound = np.sum(d**2 / (2 * mu))
        assert -1e-12 <= gap <= bound * (1 + 1e-9) + 1e-12
        ratios.append(gap / bound)
    assert ratios[0] > 0.9  # the signs agree near the optimum


def test_logistic_path_takes_about_one_certificate_per_alpha(monkeypatch):
    """Proximal Newton asked for the final accuracy on a path's small working sets (inexact steps far
    from the optimum, more steps near it) certifies most alphas at their first certificate, where the
    usual route takes two to three; both routes certify the same optima."""
    from lpnet.solvers import prox_newton

    X, score = _chained(200, 2000, 20, 0.6, 0.5, seed=1)
    y = np.where(score > 0, 1.0, -1.0)
    checks = _count_certificates(monkeypatch)
    paths = []
    for share, forcing, decrease in ((prox_newton.NewtonSteps.final_share, prox_newton.FORCING, None), (0.0, 0.0, 1.0)):
        monkeypatch.setattr(prox_newton.NewtonSteps, "final_share", share)
        monkeypatch.setattr(prox_newton, "FORCING", forcing)
        if decrease is not None:
            monkeypatch.setattr(prox_newton, "FINAL_DECREASE", decrease)
        checks.clear()
        path = regularization_path(X, y, penalty="l1", datafit="logistic", n_alphas=20, eps=1e-2, tol=TOL)
        paths.append((path, len(checks)))
    (fine, n_fine), (usual, n_usual) = paths
    assert fine.converged.all() and usual.converged.all()
    assert n_fine <= 24 and 1.5 * n_fine < n_usual
    assert np.all(np.abs(fine.objectives - usual.objectives) <= np.maximum(fine.dual_gaps, usual.dual_gaps))


def test_lasso_path_with_face_steps_aims_at_the_final_accuracy_first(monkeypatch):
    """Where face steps run (the Lasso at a tight tol), a path's first solve at each alpha aims at the
    final accuracy whatever the working set's size: fewer certificates than the usual route, which does
    so only on working sets under a tenth of the features, and the same certified optima."""
    from lpnet.solvers import cd_working_set
    from lpnet.solvers._working_set import InnerSolver

    X, y = _chained(150, 1000, 30, 0.7, 0.3, seed=2)
    checks = _count_certificates(monkeypatch)
    paths = []
    for share in (cd_working_set.FACE_FINAL_SHARE, InnerSolver.final_share):
        monkeypatch.setattr(cd_working_set, "FACE_FINAL_SHARE", share)
        checks.clear()
        path = regularization_path(X, y, penalty="l1", n_alphas=40, eps=1e-3, tol=TOL)
        paths.append((path, len(checks)))
    (fine, n_fine), (usual, n_usual) = paths
    assert fine.converged.all() and usual.converged.all()
    assert n_fine <= 44 and n_fine < 0.8 * n_usual  # (about one certificate per alpha)
    assert np.all(np.abs(fine.objectives - usual.objectives) <= np.maximum(fine.dual_gaps, usual.dual_gaps))


@pytest.mark.parametrize("layout", ["dense", "sparse"])
def test_a_path_on_a_design_is_the_path_on_its_data_and_shares_its_set_up(layout, monkeypatch):
    """A Design passed as X gives the same path as its array, and a second path on it (another penalty)
    computes no coordinate moments again."""
    import scipy.sparse as sp

    from lpnet.solvers import _cd_kernels

    rng = np.random.default_rng(3)
    X = np.asfortranarray(rng.standard_normal((40, 90)))
    X[np.abs(X) < 0.8] = 0.0
    X = sp.csc_matrix(X) if layout == "sparse" else X
    y = X @ np.r_[rng.standard_normal(5), np.zeros(85)] + 0.1 * rng.standard_normal(40)
    design = Design(X)
    for l1_ratio in (1.0, 0.5):
        plain = regularization_path(X, y, penalty="elasticnet", l1_ratio=l1_ratio, n_alphas=8, tol=1e-8)
        shared = regularization_path(design, y, penalty="elasticnet", l1_ratio=l1_ratio, n_alphas=8, tol=1e-8)
        np.testing.assert_array_equal(shared.alphas, plain.alphas)
        np.testing.assert_allclose(shared.coefs, plain.coefs, rtol=1e-9, atol=1e-12)
        assert np.all(shared.dual_gaps <= 1e-8 * 0.5 * np.var(y) + 1e-15)
    calls = []
    real = _cd_kernels.coordinate_moments
    monkeypatch.setattr(_cd_kernels, "coordinate_moments", lambda *a: calls.append(1) or real(*a))
    regularization_path(design, y, penalty="elasticnet", l1_ratio=0.9, n_alphas=8, tol=1e-8)
    assert calls == []
    regularization_path(X, y, penalty="elasticnet", l1_ratio=0.9, n_alphas=8, tol=1e-8)
    assert calls == [1]
