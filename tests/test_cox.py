"""The Cox proportional-hazards family against independent references.

The partial likelihood, its gradient and Hessian are rewritten here from their definition (plain numpy
loops over the risk sets, Efron's tied terms as separate log-sum-exps); fits are compared with
statsmodels' ``PHReg`` (unpenalized, Breslow and Efron), lifelines' ``CoxPHFitter`` (ridge, Efron) and
scikit-survival's ``CoxnetSurvivalAnalysis`` (Lasso and Elastic Net, Breslow); the concordance index
with scikit-survival's and lifelines'.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy.special import logsumexp

import lpnet
from lpnet import CoxRegression, CoxRegressionCV, RegularizedModel, load, regularization_path, save
from lpnet.datafits import Cox

rng = np.random.default_rng(7)


# ------------------------------------------------------------------------------------------- references
def _terms(t, d, s, efron):
    """The partial likelihood as a list of ``(weight, c)``: each adds ``weight * log(sum_j c_j exp(z_j))``."""
    out = []
    for time in np.unique(t):
        events = (t == time) & (d == 1) & (s > 0)
        if not events.any():
            continue
        at_risk = np.where(t >= time, s, 0.0)
        m, total = int(events.sum()), float(s[events].sum())
        if not efron:
            out.append((total, at_risk))
            continue
        for ell in range(m):  # Efron: the tied events leave the risk set a fraction l/m at a time
            out.append((total / m, at_risk - ell / m * np.where(events, s, 0.0)))
    return out


def _reference(t, d, s, z, efron):
    """``(value, gradient, Hessian)`` of D = 1/n [sum of log-sum-exp terms - sum_i s_i d_i z_i]."""
    n = t.shape[0]
    value, grad, hess = -float(np.sum(s * d * z)), -(s * d), np.zeros((n, n))
    for weight, c in _terms(t, d, s, efron):
        lse = logsumexp(z, b=c)  # log sum_j c_j exp(z_j), without overflow or underflow
        value += weight * lse
        pi = np.where(c > 0, c * np.exp(np.where(c > 0, z - lse, 0.0)), 0.0)
        grad = grad + weight * pi
        hess += weight * (np.diag(pi) - np.outer(pi, pi))
    return value / n, grad / n, hess / n


def _small(n=14, ties=True, seed=0):
    r = np.random.default_rng(seed)
    t = r.integers(1, 5, n).astype(float) if ties else r.permutation(n).astype(float) + 1.0
    d = (r.random(n) < 0.7).astype(float)
    d[0] = 1.0
    s = r.uniform(0.2, 2.0, n)
    s[3] = 0.0
    return t, d, s * n / s.sum(), r.standard_normal(n)


def _whas500():
    from sksurv.datasets import load_whas500

    X, y = load_whas500()
    X = X.select_dtypes("number").astype(float).to_numpy()
    return (X - X.mean(0)) / X.std(0), y


def _rossi():
    from lifelines.datasets import load_rossi

    df = load_rossi()
    features = df.drop(columns=["week", "arrest"]).astype(float)
    features = (features - features.mean()) / features.std()  # ddof=1, as lifelines' own scaling
    return features, df


# ------------------------------------------------------------------------------------------- the datafit
@pytest.mark.parametrize("ties", ["breslow", "efron"])
def test_value_gradient_curvature_hessian(ties):
    t, d, s, z = _small()
    y = np.column_stack([t, d])
    fit = Cox(ties)
    value, grad, hess = _reference(t, d, s, z, ties == "efron")
    np.testing.assert_allclose(fit.value(y, z, s), value, rtol=1e-13)
    np.testing.assert_allclose(fit.raw_grad(y, z, s), grad, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(fit.curvature(y, z, s), np.diag(hess), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(fit.hessian_product(y, z, s, np.eye(len(t))), hess, rtol=1e-9, atol=1e-14)
    # finite differences of the value, as a check of the reference itself
    eps, n = 1e-6, len(t)
    numeric = [(fit.value(y, z + eps * e, s) - fit.value(y, z - eps * e, s)) / (2 * eps) for e in np.eye(n)]
    np.testing.assert_allclose(grad, numeric, atol=1e-8)
    # the curvature bound majorizes the whole Hessian, as a matrix, at any z
    bound = fit.curvature_bound(y, s)
    for scale in (1.0, 5.0):
        H = _reference(t, d, s, scale * rng.standard_normal(n), ties == "efron")[2]
        assert np.linalg.eigvalsh(np.diag(bound) - H).min() >= -1e-14
    # the value is blind to a constant shift of z (no intercept), also far from 0 (log-space sums)
    assert fit.value(y, z + 800.0, s) == pytest.approx(fit.value(y, z, s), rel=1e-12)


@pytest.mark.parametrize("ties", ["breslow", "efron"])
def test_risk_sets_far_below_the_largest_risk(ties):
    """z spread over 2000: late risk sets underflow exp(z - max z), and the log-space sums take over."""
    t, d, s, z = _small(ties=True)
    y = np.column_stack([t, d])
    z = z - 2000.0 * (t >= 3)  # the late samples' risks far below the early ones'
    value, grad, hess = _reference(t, d, s, z, ties == "efron")
    fit = Cox(ties)
    np.testing.assert_allclose(fit.value(y, z, s), value, rtol=1e-12)
    np.testing.assert_allclose(fit.raw_grad(y, z, s), grad, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(fit.curvature(y, z, s), np.diag(hess), rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("ties, tied_times", [("breslow", True), ("efron", True), ("efron", False)])
def test_exact_newton_model_is_the_hessian(ties, tied_times):
    """The solver's second-order model (time order): its gradient and H V for five directions (a block of
    four side by side and one alone) against the Hessian written from the definition."""
    from lpnet.datafits.cox import risk_set_hessian_block

    t, d, s, z = _small(n=23, ties=tied_times, seed=3)
    y = np.column_stack([t, d])
    _, grad, hess = _reference(t, d, s, z, ties == "efron")
    order, starts, g, u, diag, own, beta1, beta2, beta3 = Cox(ties).risk_set_model(y, z, s)
    np.testing.assert_allclose(g, grad[order], rtol=1e-10, atol=1e-14)
    H = hess[np.ix_(order, order)]
    V = rng.standard_normal((5, len(t)))
    out = np.empty_like(V)
    quad = risk_set_hessian_block(starts, u, diag, own, beta1, beta2, beta3, V, out)
    np.testing.assert_allclose(out, V @ H, rtol=1e-9, atol=1e-13)
    np.testing.assert_allclose(quad, np.einsum("ij,jk,ik->i", V, H, V), rtol=1e-9)
    # risk sets 2000 below the largest risk underflow the linear-space model: the solver is told
    assert Cox(ties).risk_set_model(y, z - 2000.0 * (t >= 3), s) is None


def test_efron_is_breslow_without_ties():
    t, d, s, z = _small(ties=False)
    y = np.column_stack([t, d])
    for method in ("value", "raw_grad", "curvature"):
        a, b = getattr(Cox("breslow"), method)(y, z, s), getattr(Cox("efron"), method)(y, z, s)
        np.testing.assert_allclose(a, b, rtol=1e-14, atol=1e-16)
    t, d, s, z = _small(ties=True)
    y = np.column_stack([t, d])
    assert Cox("efron").value(y, z, s) < Cox("breslow").value(y, z, s)  # ties make a difference


def test_sort_cache_sees_a_target_changed_in_place():
    t, d, s, z = _small(ties=False)
    y = np.column_stack([t, d])
    fit = Cox()
    before = fit.value(y, z, s)
    y[:, 0] = y[::-1, 0].copy()  # same object, other order
    assert fit.value(y, z, s) == pytest.approx(_reference(y[:, 0], d, s, z, False)[0], rel=1e-13)
    assert fit.value(y, z, s) != pytest.approx(before)


def test_concordance_against_sksurv_and_lifelines():
    from lifelines.utils import concordance_index
    from sksurv.metrics import concordance_index_censored

    n = 60
    t = rng.integers(1, 15, n).astype(float)  # tied times
    d = (rng.random(n) < 0.6).astype(float)
    risk = np.round(rng.standard_normal(n), 1)  # tied scores
    y = np.column_stack([t, d])
    ours = Cox().validation_score(y, risk, np.ones(n))
    assert ours == pytest.approx(concordance_index_censored(d.astype(bool), t, risk)[0], rel=1e-12)
    assert ours == pytest.approx(concordance_index(t, -risk, d), rel=1e-12)
    # weighted: pairs weigh s_i s_j (brute force)
    s = rng.uniform(0.0, 2.0, n)
    num = den = 0.0
    for i in range(n):
        for j in range(n):
            if d[i] == 1 and (t[i] < t[j] or (t[i] == t[j] and d[j] == 0)):
                w = s[i] * s[j]
                den += w
                num += w * (1.0 if risk[i] > risk[j] else 0.5 if risk[i] == risk[j] else 0.0)
    both = Cox().validation_score(y, np.column_stack([risk, -risk]), s)
    np.testing.assert_allclose(both, [num / den, 1.0 - num / den + 0.0], rtol=1e-12)


def test_validation_loss_is_the_fold_deviance():
    t, d, s, z = _small()
    y = np.column_stack([t, d])
    fold_s = s * 3.0  # any scale: the fold's weights are rescaled to sum to its size
    expected = 2 * len(t) * _reference(t, d, s, z, False)[0]
    assert Cox().validation_loss(y, z, fold_s) == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(Cox().validation_loss(y, np.column_stack([z, z]), fold_s), [expected] * 2, rtol=1e-12)
    with pytest.raises(NotImplementedError, match="no per-sample loss"):
        Cox().sample_losses(y, z)


# ------------------------------------------------------------------------------------------- fits
@pytest.mark.parametrize("ties", ["breslow", "efron"])
def test_unpenalized_matches_statsmodels(ties):
    from statsmodels.duration.hazard_regression import PHReg

    features, df = _rossi()
    X, time, event = features.to_numpy(), df["week"].to_numpy(float), df["arrest"].to_numpy(float)
    reference = PHReg(time, X, status=event, ties=ties).fit()
    model = CoxRegression("l2", alpha=0.0, ties=ties, tol=1e-10).fit(X, np.column_stack([time, event]))
    np.testing.assert_allclose(model.coef_, reference.params, rtol=1e-7, atol=1e-9)
    assert model.objective_ == pytest.approx(-reference.llf / len(time), rel=1e-12)
    assert model.converged_ and model.dual_gap_ is None and model.optimality_violation_ <= 1e-10


def test_ridge_matches_lifelines():
    from lifelines import CoxPHFitter

    features, df = _rossi()
    # lifelines: penalizer/2 ||beta||^2 on the mean negative log partial likelihood (Efron), i.e. L2(alpha)
    # (checked here by the fit itself); its own standardization is the identity on these features
    reference = CoxPHFitter(penalizer=0.1, l1_ratio=0.0).fit(
        pd.concat([features, df[["week", "arrest"]]], axis=1),
        "week",
        "arrest",
        fit_options={"precision": 1e-12, "max_steps": 500},
    )
    model = CoxRegression("l2", alpha=0.1, ties="efron", tol=1e-10).fit(features, df[["week", "arrest"]])
    np.testing.assert_allclose(model.coef_, reference.params_.to_numpy(), rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("penalty, l1_ratio", [("l1", None), ("elasticnet", 0.5)])
def test_lasso_and_elastic_net_match_scikit_survival(penalty, l1_ratio):
    from sksurv.linear_model import CoxnetSurvivalAnalysis

    X, y = _whas500()
    # scikit-survival: 1/n (-log partial likelihood, Breslow) + alpha (l1_ratio ||w||_1 + (1-l1_ratio)/2 ||w||^2)
    top = lpnet.alpha_max(X, y, penalty=penalty, datafit="cox", l1_ratio=l1_ratio or 1.0)
    for fraction in (0.3, 0.03):
        alpha = fraction * top
        reference = CoxnetSurvivalAnalysis(
            alphas=[alpha], l1_ratio=l1_ratio or 1.0, normalize=False, fit_baseline_model=False, tol=1e-13
        ).fit(X, y)
        model = CoxRegression(penalty, alpha, l1_ratio=l1_ratio, tol=1e-10).fit(X, y)
        w = reference.coef_[:, 0]
        np.testing.assert_allclose(model.coef_, w, rtol=1e-5, atol=1e-5 * np.abs(w).max())
        assert np.array_equal(model.coef_ == 0, w == 0)


def _independent_gradient(X, t, d, s, w):
    """d/dw of 1/n sum_i s_i d_i [-x_i w + log sum_{t_j >= t_i} s_j exp(x_j w)], by plain loops."""
    n, p = X.shape
    z = X @ w
    g = np.zeros(p)
    for i in range(n):
        if d[i] == 0 or s[i] == 0:
            continue
        risk = t >= t[i]
        e = s[risk] * np.exp(z[risk])
        g += s[i] * (-X[i] + (e @ X[risk]) / e.sum())
    return g / n


def test_kkt_with_unequal_penalty_factors_and_weights():
    X, y = _whas500()
    t, d = y["lenfol"].astype(float), y["fstat"].astype(float)
    s = rng.uniform(0.5, 2.0, X.shape[0])
    factors = np.array([0.0, 1.0, 2.5, 0.5, 1.0, 3.0])
    alpha = 0.02
    model = CoxRegression("l1", alpha, penalty_factor=factors, tol=1e-10).fit(X, y, sample_weight=s)
    g = _independent_gradient(X, t, d, s * len(s) / s.sum(), model.coef_)
    w, level = model.coef_, alpha * factors
    assert abs(g[0]) < 1e-8 and w[0] != 0  # the free feature is at its optimum
    on = w != 0
    np.testing.assert_allclose(g[on], -level[on] * np.sign(w[on]), atol=1e-8)
    assert np.all(np.abs(g[~on]) <= level[~on] + 1e-8)
    assert (~on).any() and on[1:].any()


def test_exact_newton_solver_meets_kkt_with_efron_ties_weights_and_free_features():
    """``solver="auto"`` takes the exact-Hessian coordinate solver for Cox; its Elastic Net fit with Efron's
    ties, sample weights and unequal factors (0 included) meets the KKT conditions of the gradient written
    from the definition, on dense and sparse data, cold and warm started."""
    from lpnet.penalties import ElasticNet, Lp
    from lpnet.solvers import pick_solver, solve

    X, y = _whas500()
    X, y = X[:200], y[:200]
    t, d = y["lenfol"].astype(float), y["fstat"].astype(float)
    assert len(np.unique(t[d == 1])) < (d == 1).sum()  # tied event times: Efron's terms matter
    s = rng.uniform(0.5, 2.0, len(t))
    s *= len(t) / s.sum()
    factors = np.array([0.0, 1.0, 2.5, 0.5, 1.0, 3.0])
    penalty = ElasticNet(0.05, 0.7, weights=factors)
    assert pick_solver(X, Cox("efron"), penalty) == "cox_cd"
    assert pick_solver(X, Cox("efron"), Lp(0.05, 0.5)) == "prox_newton"  # non-convex: no exact-Hessian CD
    target = np.column_stack([t, d])
    warm = solve(X, target, Cox("efron"), ElasticNet(0.1, 0.7, weights=factors), sample_weight=s, tol=1e-8)
    fits = [
        solve(X, target, Cox("efron"), penalty, sample_weight=s, tol=1e-10),
        solve(sp.csc_matrix(X), target, Cox("efron"), penalty, sample_weight=s, tol=1e-10),
        solve(X, target, Cox("efron"), penalty, sample_weight=s, tol=1e-10, w0=warm.coef),
    ]
    for fit in fits:
        assert fit.solver == "cox_cd" and fit.converged and fit.optimality_violation <= 1e-10
        w = fit.coef
        g = X.T @ _reference(t, d, s, X @ w, efron=True)[1] + 0.05 * 0.3 * factors * w  # the smooth part
        level = 0.05 * 0.7 * factors
        on = w != 0
        np.testing.assert_allclose(g[on], -level[on] * np.sign(w[on]), atol=1e-9)
        assert np.all(np.abs(g[~on]) <= level[~on] + 1e-9)
        assert on[0] and (~on).any()
    np.testing.assert_allclose(fits[1].coef, fits[0].coef, atol=1e-8)


def test_exact_newton_solver_hands_an_underflowing_fit_to_prox_newton():
    """A start where late risk sets are exp(-450) below the earliest: the exact model's linear-space sums
    underflow, proximal Newton (log-space sums) goes on from there and certifies the fit."""
    from lpnet.penalties import L1
    from lpnet.solvers import solve

    r = np.random.default_rng(1)
    n = 60
    t = np.arange(1.0, n + 1)
    X = np.column_stack([t / 10.0 + 2.0 * r.standard_normal(n), r.standard_normal(n)])  # (no separation)
    target = np.column_stack([t, (r.random(n) < 0.7).astype(float)])
    fit = solve(X, target, Cox(), L1(0.01), w0=np.array([-100.0, 0.0]), tol=1e-8)
    assert fit.solver == "prox_newton" and fit.converged
    cold = solve(X, target, Cox(), L1(0.01), tol=1e-8)
    assert cold.solver == "cox_cd" and cold.converged
    np.testing.assert_allclose(fit.coef, cold.coef, rtol=1e-5, atol=1e-7)


def test_integer_weights_are_repeated_rows_and_formats_agree():
    X, y = _whas500()
    X, y = X[:150], y[:150]
    k = rng.integers(0, 3, len(y))
    # (Breslow's: with Efron's, the copies of an event would be tied events, which weights are not)
    weighted = CoxRegression(alpha=0.01, tol=1e-10).fit(X, y, sample_weight=k)
    repeated = CoxRegression(alpha=0.01, tol=1e-10).fit(np.repeat(X, k, 0), np.repeat(y, k))
    np.testing.assert_allclose(weighted.coef_, repeated.coef_, rtol=1e-7, atol=1e-9)
    # the same target as a structured array, a (time, event) array, DataFrames with and without a bool
    time, event = y["lenfol"], y["fstat"]
    targets = [
        np.column_stack([time, event]),
        pd.DataFrame({"event": event, "time": time}),  # the bool column is the event, wherever it is
        pd.DataFrame({"t": time, "e": event.astype(int)}),  # no bool: (time, event) order
    ]
    base = CoxRegression(alpha=0.01).fit(X, y).coef_
    for target in targets:
        np.testing.assert_array_equal(CoxRegression(alpha=0.01).fit(X, target).coef_, base)
    # sparse and float32 data give the same model (float32 to its rounding)
    np.testing.assert_allclose(CoxRegression(alpha=0.01).fit(sp.csr_matrix(X), y).coef_, base, atol=1e-6)
    np.testing.assert_allclose(CoxRegression(alpha=0.01).fit(X.astype(np.float32), y).coef_, base, atol=1e-4)


def test_score_and_predict_follow_scikit_survival():
    from sksurv.metrics import concordance_index_censored

    X, y = _whas500()
    model = CoxRegression(alpha=0.01).fit(X, y)
    np.testing.assert_array_equal(model.predict(X), X @ model.coef_)
    assert not hasattr(model, "intercept_")
    expected = concordance_index_censored(y["fstat"], y["lenfol"], model.predict(X))[0]
    assert model.score(X, y) == pytest.approx(expected, rel=1e-12)


def test_intercept_is_never_fitted():
    X, y = _whas500()
    generic = RegularizedModel(datafit="cox", alpha=0.01, fit_intercept=True).fit(X, y)
    assert generic.intercept_ == 0.0
    np.testing.assert_allclose(generic.coef_, CoxRegression(alpha=0.01).fit(X, y).coef_, rtol=1e-12)
    path = regularization_path(X, y, datafit="cox", n_alphas=5, fit_intercept=True)
    assert np.all(path.intercepts == 0.0)


# ------------------------------------------------------------------------------------------- paths
def test_path_and_exact_alpha_max():
    X, y = _whas500()
    path = regularization_path(X, y, datafit="cox", penalty="l1", n_alphas=20)
    assert np.all(np.diff(path.alphas) < 0) and not path.coefs[0].any() and path.converged.all()
    assert path.n_nonzero[-1] == X.shape[1]
    t, d = y["lenfol"].astype(float), y["fstat"].astype(float)
    # alpha_max = ||X^T grad D(0)||_inf, the gradient computed independently
    expected = np.abs(_independent_gradient(X, t, d, np.ones(len(t)), np.zeros(X.shape[1]))).max()
    assert path.alpha_max == pytest.approx(expected, rel=1e-12)
    for factors in (None, np.array([0.0, 1.0, 2.0, 1.0, 0.5, 1.0])):  # with a free feature too
        top = lpnet.alpha_max(X, y, datafit="cox", penalty_factor=factors)
        free = np.zeros(X.shape[1], bool) if factors is None else factors == 0
        above = CoxRegression(alpha=top * (1 + 1e-9), penalty_factor=factors, tol=1e-10).fit(X, y)
        below = CoxRegression(alpha=top * (1 - 1e-3), penalty_factor=factors, tol=1e-10).fit(X, y)
        assert not above.coef_[~free].any() and below.coef_[~free].any()


# ------------------------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "target, message",
    [
        (np.arange(10.0), "survival times and events"),
        (np.ones((10, 3)), "survival times and events"),
        (np.column_stack([-np.ones(10), np.ones(10)]), "non-negative"),
        (np.column_stack([np.r_[np.nan, np.ones(9)], np.ones(10)]), "NaN|finite"),
        (np.column_stack([np.ones(10), np.full(10, 2.0)]), "0/1 or boolean"),
        (np.column_stack([np.ones(10), np.zeros(10)]), "no event"),
        (np.zeros(10, dtype=[("a", "f8"), ("b", "f8")]), "one boolean field"),
    ],
)
def test_bad_targets(target, message):
    X = rng.standard_normal((10, 3))
    with pytest.raises(ValueError, match=message):
        CoxRegression().fit(X, target)


def test_bad_parameters_and_zero_weight_events():
    X = rng.standard_normal((10, 3))
    y = np.column_stack([np.arange(10.0) + 1, np.r_[np.ones(3), np.zeros(7)]])
    with pytest.raises(ValueError, match="no event has a positive sample weight"):
        CoxRegression().fit(X, y, sample_weight=np.r_[np.zeros(3), np.ones(7)])
    with pytest.raises(ValueError, match="ties must be one of"):
        CoxRegression(ties="exact").fit(X, y)
    fitted = CoxRegression().fit(X, y)
    before = fitted.coef_.copy()
    with pytest.raises(ValueError):
        fitted.fit(X, y[:, ::-1] * 3)
    np.testing.assert_array_equal(fitted.coef_, before)  # a failed fit leaves the model as it was


# ------------------------------------------------------------------------------------------- CV, save/load
def test_cv_chooses_alpha_and_round_trips(tmp_path):
    X, y = _whas500()
    cv = CoxRegressionCV(n_alphas=12, cv=3, random_state=0, ties="efron").fit(X, y)
    assert cv.alpha_ == cv.alphas_[np.argmin(cv.mse_path_.mean(axis=1))] < cv.alphas_[0]
    assert cv.mse_path_.shape == (12, 3) and np.all(np.isfinite(cv.mse_path_))
    assert 0.5 < cv.score(X, y) <= 1.0
    one_se = CoxRegressionCV(n_alphas=12, cv=3, random_state=0, ties="efron", alpha_rule="1se").fit(X, y)
    assert one_se.alpha_ >= cv.alpha_
    # the held-out deviance of one fold, recomputed from a fit on the other folds
    from sklearn.model_selection import KFold

    train, test = next(KFold(3, shuffle=True, random_state=0).split(X))
    k = 5
    single = CoxRegression(alpha=cv.alphas_[k], ties="efron", tol=1e-8).fit(X[train], y[train])
    time, event = y["lenfol"][test].astype(float), y["fstat"][test].astype(float)
    deviance = 2 * len(test) * _reference(time, event, np.ones(len(test)), X[test] @ single.coef_, True)[0]
    assert cv.mse_path_[k, 0] == pytest.approx(deviance, rel=1e-5)
    for model in (cv, CoxRegression("elasticnet", 0.02, ties="efron").fit(X, y)):
        path = save(model, tmp_path / "m.json")
        np.testing.assert_array_equal(load(path).predict(X), model.predict(X))
    generic = RegularizedModel(datafit=Cox("efron"), alpha=0.01).fit(X, y)
    loaded = load(save(generic, tmp_path / "g.json"))
    assert loaded.datafit == Cox("efron") and np.array_equal(loaded.predict(X), generic.predict(X))


def test_cv_folds_in_parallel_and_plot():
    import matplotlib

    matplotlib.use("Agg")
    X, y = _whas500()
    X, y = X[:200], y[:200]
    serial = CoxRegressionCV(n_alphas=6, cv=3, random_state=1).fit(X, y)
    parallel = CoxRegressionCV(n_alphas=6, cv=3, random_state=1, n_jobs=2).fit(X, y)
    np.testing.assert_allclose(parallel.mse_path_, serial.mse_path_, rtol=1e-12)
    assert serial.plot_cv() is not None


# ------------------------------------------------------------------------------------------- scikit-learn
#: scikit-learn's checks generate a one-column target; a Cox target has two (time, event), so every check
#: that needs a successful fit on that target cannot apply (each property is tested above with a
#: survival target: weights as repeated rows, sparse and float32 data, a failed fit changing nothing,
#: save/load)
_NEEDS_A_FIT = "needs a fit on scikit-learn's generated one-column target; a Cox target is (time, event)"
_EXPECTED_FAILURES = {
    name: _NEEDS_A_FIT
    for name in (
        "check_dict_unchanged",
        "check_dont_overwrite_parameters",
        "check_dtype_object",
        "check_estimator_sparse_array",
        "check_estimator_sparse_matrix",
        "check_estimator_sparse_tag",
        "check_estimators_dtypes",
        "check_estimators_fit_returns_self",
        "check_estimators_nan_inf",
        "check_estimators_overwrite_params",
        "check_estimators_pickle",
        "check_f_contiguous_array_estimator",
        "check_fit2d_1feature",
        "check_fit2d_predict1d",
        "check_fit_check_is_fitted",
        "check_fit_idempotent",
        "check_fit_score_takes_y",
        "check_methods_sample_order_invariance",
        "check_methods_subset_invariance",
        "check_n_features_in",
        "check_n_features_in_after_fitting",
        "check_pipeline_consistency",
        "check_positive_only_tag_during_fit",
        "check_readonly_memmap_input",
        "check_sample_weight_equivalence_on_dense_data",
        "check_sample_weight_equivalence_on_sparse_data",
        "check_sample_weights_list",
        "check_sample_weights_not_an_array",
        "check_sample_weights_not_overwritten",
        "check_sample_weights_pandas_series",
        "check_sample_weights_shape",
    )
}
# a 1-D target is refused (with the fix) before X is looked at, so the complex X is not the error named
_EXPECTED_FAILURES["check_complex_data"] = "a 1-D target is refused before X is validated"


def test_scikit_learn_checks():
    from sklearn.utils.estimator_checks import check_estimator

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(CoxRegression(), expected_failed_checks=_EXPECTED_FAILURES, on_fail=None)
    failed = {r["check_name"] for r in results if r["status"] == "failed"}
    xfailed = {r["check_name"] for r in results if r["status"] == "xfail"}
    passed = {r["check_name"] for r in results if r["status"] == "passed"}
    assert not failed
    assert xfailed == set(_EXPECTED_FAILURES)  # none of them passes unexpectedly
    assert {"check_requires_y_none", "check_fit2d_1sample", "check_estimators_empty_data_messages"} <= passed
