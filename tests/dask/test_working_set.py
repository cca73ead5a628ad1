"""Beyond the width of p x p statistics: working sets, one pass per outer step, certified on all features."""

from __future__ import annotations

import numpy as np
import pytest

import lpnet
import lpnet.dask as ld
from lpnet.dask import linear

from .. import kkt
from .conftest import assert_close


@pytest.fixture
def wide(monkeypatch):
    """Data with more features than the (lowered) limit of the statistics route, one with a large mean."""
    monkeypatch.setattr(linear, "MAX_FEATURES", 30)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 120))
    X[:, 5] += 1e3
    y = X[:, :5] @ np.array([3.0, -2.0, 1.0, 1.0, -1.0]) + rng.normal(size=400) + 2.0
    return X, y


@pytest.mark.parametrize(
    ("ours", "theirs", "spec"),
    [
        (
            ld.Lasso(alpha=0.02, tol=1e-10, chunk_rows=97),
            lpnet.Lasso(alpha=0.02, tol=1e-10),
            kkt.PenaltySpec("l1", 0.02),
        ),
        (
            ld.ElasticNet(alpha=0.03, l1_ratio=0.4, tol=1e-10),
            lpnet.ElasticNet(alpha=0.03, l1_ratio=0.4, tol=1e-10),
            kkt.PenaltySpec("enet", 0.03, l1_ratio=0.4),
        ),
    ],
    ids=["lasso", "elasticnet"],
)
def test_wide_fit_equals_memory_fit(wide, ours, theirs, spec):
    X, y = wide
    model = ours.fit(X, y)
    reference = theirs.fit(X, y)
    assert model.converged_ and model.n_passes_ >= 2  # the scan, then one pass per outer step
    # two different certified algorithms: the same solution up to what their gaps allow
    assert_close(model.coef_, reference.coef_, 1e-6)
    if model.coef_error_bound_ is not None:
        distance = np.linalg.norm(model.coef_ - reference.coef_)
        assert distance <= model.coef_error_bound_ + reference.coef_error_bound_
    s = np.ones(len(y))
    report = kkt.kkt_violation(X, y, s, "squared", spec, model.coef_, model.intercept_, True)
    assert report.max_violation <= 1e-4


def test_wide_path_passes_and_coefficients(wide):
    X, y = wide
    path = ld.regularization_path(X, y, n_alphas=10, tol=1e-9)
    reference = lpnet.regularization_path(X, y, n_alphas=10, tol=1e-9)
    np.testing.assert_allclose(path.alphas, reference.alphas, rtol=1e-12)
    assert_close(path.coefs, reference.coefs, 1e-6)
    assert path.converged.all()
    assert path.n_passes <= 1 + 4 * len(path.alphas)  # the scan, then a few passes per alpha


def test_wide_ridge_is_refused(wide):
    X, y = wide
    with pytest.raises(ValueError, match="working-set route takes the Lasso"):
        ld.Ridge(alpha=1.0).fit(X, y)
