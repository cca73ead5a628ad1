"""Moving between alpha and radius: against scikit-learn's exact LARS-Lasso path and penalized fits."""

import numpy as np
import pytest
from sklearn.linear_model import lars_path

from lpnet import Lasso, LpRegression, Ridge
from lpnet.constrained import alpha_for_radius, path_radii, radius_for_alpha

rng = np.random.default_rng(7)
N, D = 50, 10
X = rng.standard_normal((N, D))
Y = X @ np.r_[2.0, -1.0, 0.5, np.zeros(D - 3)] + 1.0 + 0.5 * rng.standard_normal(N)


def lars_alpha_for_radius(t):
    """The exact alpha from the Lasso's knots (LARS), interpolated linearly on the right piece."""
    Xc, yc = X - X.mean(0), Y - Y.mean()
    alphas, _, coefs = lars_path(Xc, yc, method="lasso")  # alphas in scikit-learn's (1/n) scaling
    radii = np.abs(coefs).sum(0)
    k = np.searchsorted(radii, t)  # radii increase as alphas decrease
    frac = (t - radii[k - 1]) / (radii[k] - radii[k - 1])
    return alphas[k - 1] + frac * (alphas[k] - alphas[k - 1])


def test_path_radii():
    coefs = rng.standard_normal((4, 6))
    for p in [0.5, 1.0, 1.5, 2.0, np.inf]:
        expected = np.sum(np.abs(coefs) ** p, 1) ** (1 / p) if np.isfinite(p) else np.abs(coefs).max(1)
        np.testing.assert_allclose(path_radii(coefs, p), expected, rtol=1e-14)
    assert path_radii(coefs[0], 1.0) == pytest.approx(np.abs(coefs[0]).sum())
    assert path_radii(np.zeros((2, 3)), 3.0).tolist() == [0.0, 0.0]


def test_alpha_for_radius_is_exact_on_the_lasso_path():
    radii = np.array([3.0, 0.4, 1.7, 2.6])  # unsorted: answers come back in the order given
    alphas = alpha_for_radius(X, Y, radii, p=1.0, tol=1e-10)
    expected = [lars_alpha_for_radius(t) for t in radii]
    np.testing.assert_allclose(alphas, expected, rtol=1e-9)
    assert alpha_for_radius(X, Y, 1.7, tol=1e-10) == pytest.approx(expected[2], rel=1e-9)
    assert isinstance(alpha_for_radius(X, Y, 1.7), float)


@pytest.mark.parametrize(
    "p, make",
    [
        (1.0, lambda a: Lasso(alpha=a, tol=1e-12)),
        (2.0, lambda a: Ridge(alpha=a, tol=1e-12)),
        (3.0, lambda a: LpRegression(alpha=a, p=3.0, tol=1e-12)),
    ],
)
def test_radius_for_alpha_matches_penalized_fits(p, make):
    alphas = [0.05, 0.5, 0.2]
    radii = radius_for_alpha(X, Y, alphas, p=p, tol=1e-12)
    expected = [np.linalg.norm(make(a).fit(X, Y).coef_, ord=p) for a in alphas]
    np.testing.assert_allclose(radii, expected, rtol=1e-7)
    assert isinstance(radius_for_alpha(X, Y, 0.2, p=p), float)


@pytest.mark.parametrize("p", [1.0, 1.5, 2.0])
def test_round_trips(p):
    # the duality gap pins the solution, hence alpha and the radius, only to about its square root
    # (p = 1: the exactness of alpha_for_radius is tested against LARS above)
    rtol = 1e-6 if p == 1.0 else 1e-4
    t = radius_for_alpha(X, Y, 0.1, p=p, tol=1e-12)
    assert alpha_for_radius(X, Y, t, p=p, tol=1e-10) == pytest.approx(0.1, rel=rtol)
    radii = np.array([0.5, 1.0, 2.0])
    back = radius_for_alpha(X, Y, alpha_for_radius(X, Y, radii, p=p, tol=1e-10), p=p, tol=1e-12)
    np.testing.assert_allclose(back, radii, rtol=rtol)


def test_inactive_radius_gives_zero_alpha():
    w_ls = np.linalg.lstsq(np.column_stack([X, np.ones(N)]), Y, rcond=None)[0][:-1]
    assert alpha_for_radius(X, Y, 2 * np.abs(w_ls).sum(), tol=1e-10) == 0.0


def test_logistic_forms_round_trip():
    labels = np.where(Y > np.median(Y), "up", "down")
    t = radius_for_alpha(X, labels, 0.02, datafit="logistic", tol=1e-10)
    assert alpha_for_radius(X, labels, t, datafit="logistic", tol=1e-8) == pytest.approx(0.02, rel=1e-4)


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: alpha_for_radius(X, Y, 1.0, p=0.5), ValueError, "p must be >= 1 here"),
        (lambda: alpha_for_radius(X, Y, 1.0, p=np.inf), ValueError, "p=inf is not a separable penalty"),
        (lambda: alpha_for_radius(X, Y, 0.0), ValueError, "radius must be > 0"),
        (lambda: alpha_for_radius(X, Y, []), ValueError, "empty grid"),
        (lambda: radius_for_alpha(X, Y, -1.0), ValueError, "alpha must be >= 0"),
        (lambda: radius_for_alpha(X, Y, 0.1, p=0.0), ValueError, "p must be > 0"),
        (lambda: path_radii(np.ones(3), -1.0), ValueError, "p must be > 0"),
    ],
)
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_path_radius_gives_the_constrained_problem_with_the_same_solution():
    from sklearn.datasets import load_diabetes
    from sklearn.preprocessing import StandardScaler

    import lpnet

    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    for penalty, p, kw in (("l1", 1.0, {}), ("lp", 3.0, {"p": 3.0})):
        path = lpnet.regularization_path(X, y, penalty=penalty, n_alphas=8, eps=1e-2, tol=1e-10, **kw)
        for k in (2, 5):
            m = lpnet.ConstrainedRegression(path.radius[k], p=p, tol=1e-10).fit(X, y)
            np.testing.assert_allclose(m.coef_, path.coefs[k], atol=1e-4 * np.abs(path.coefs[k]).max())
            assert m.multiplier_ == pytest.approx(path.alphas[k], rel=1e-3)
            assert m.active_


def test_a_penalty_stands_for_its_exponent():
    """The constrained form asks a penalty for its norm: L1 and Lp(., 1.5) are p = 1 and 1.5; a penalty
    without a norm ball (Elastic Net, MCP) is refused with a clear error."""
    from lpnet import ConstrainedRegression
    from lpnet.penalties import L1, MCP, ElasticNet, Lp

    rng = np.random.default_rng(3)
    X = rng.standard_normal((40, 5))
    y = X @ np.array([1.0, -2.0, 0.0, 0.5, 0.0]) + 0.1 * rng.standard_normal(40)
    assert radius_for_alpha(X, y, 0.1, p=Lp(7.0, 1.5)) == radius_for_alpha(X, y, 0.1, p=1.5)
    by_object = ConstrainedRegression(radius=1.0, p=L1(3.0)).fit(X, y)
    by_number = ConstrainedRegression(radius=1.0, p=1.0).fit(X, y)
    np.testing.assert_array_equal(by_object.coef_, by_number.coef_)
    for penalty in (ElasticNet(1.0, 0.5), MCP(1.0)):
        with pytest.raises(ValueError, match="no norm ball"):
            radius_for_alpha(X, y, 0.1, p=penalty)
        with pytest.raises(ValueError, match="no norm ball"):
            ConstrainedRegression(p=penalty).fit(X, y)
