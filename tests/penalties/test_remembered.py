"""A penalty keeps its per-feature answers (``remembered``) only while its state stays the same.

Expected values come from the conventions (``tau_j = alpha l1_ratio v_j`` and ``mu_j = alpha (1 -
l1_ratio) v_j`` for the Elastic Net) or from a penalty built afresh, never from the kept answer itself.
"""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

import lpnet
from lpnet.penalties import ElasticNet
from lpnet.solvers import solve
from tests.registry import PENALTY_IDS, get_factory, unequal_weights

N = 9
FACTS = ("zero_threshold", "strong_convexity", "is_penalized")


def _facts(pen, n=N):
    return [np.array(getattr(pen, name)(n)) for name in FACTS] + [np.array(pen.params)]


def _assert_same(got, want):
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, w)


@pytest.mark.parametrize("pid", PENALTY_IDS)
def test_setting_an_attribute_forgets_the_kept_answers(pid):
    factory = get_factory(pid)
    v = unequal_weights(N)
    pen = factory(0.37, v)
    _facts(pen)  # kept now
    pen.alpha = 2.5
    _assert_same(_facts(pen), _facts(factory(2.5, v)))
    other = np.linspace(0.0, 2.0, N)
    pen.weights = other
    _assert_same(_facts(pen), _facts(factory(2.5, other)))


@pytest.mark.parametrize("pid", PENALTY_IDS)
def test_with_alpha_and_copies_answer_for_their_own_state(pid):
    factory = get_factory(pid)
    v = unequal_weights(N)
    pen = factory(0.37, v)
    before = _facts(pen)
    _assert_same(_facts(pen.with_alpha(3.0)), _facts(factory(3.0, v)))
    _assert_same(_facts(pen), before)  # the original keeps its own
    for twin in (copy.copy(pen), copy.deepcopy(pen), pickle.loads(pickle.dumps(pen))):
        _assert_same(_facts(twin), before)


def test_shape_parameter_change_forgets_the_kept_answers():
    v = unequal_weights(N)
    pen = ElasticNet(1.5, l1_ratio=0.3, weights=v)
    np.testing.assert_allclose(pen.zero_threshold(N), 1.5 * 0.3 * v)
    pen.l1_ratio = 0.8
    np.testing.assert_allclose(pen.zero_threshold(N), 1.5 * 0.8 * v)
    np.testing.assert_allclose(pen.strong_convexity(N), 1.5 * 0.2 * v)
    np.testing.assert_array_equal(pen.params, [1.5, 0.8])


def test_factors_are_a_read_only_copy():
    v = unequal_weights(N)
    pen = ElasticNet(2.0, l1_ratio=0.5, weights=v)
    tau = pen.zero_threshold(N).copy()
    v[:] = 7.0  # the caller's array changes: the penalty does not
    np.testing.assert_array_equal(pen.zero_threshold(N), tau)
    np.testing.assert_array_equal(pen.penalty_factors(N), unequal_weights(N))
    with pytest.raises(ValueError, match="read-only"):
        pen.weights[0] = 1.0
    other = unequal_weights(N)
    pen.weights = other  # assigned: kept as a copy too
    other[:] = 5.0
    np.testing.assert_allclose(pen.zero_threshold(N), 2.0 * 0.5 * unequal_weights(N))


@pytest.mark.parametrize("layout", ["wide", "sparse", "tall", "logistic"])
def test_fits_leave_the_kept_answers_unchanged(layout):
    """Solvers (coordinate descent, its Gram mode, proximal Newton), certificates and a path read the
    shared arrays and must never write into them."""
    rng = np.random.default_rng(3)
    n, p = (400, 12) if layout == "tall" else (60, 40)
    X = rng.normal(size=(n, p))
    X[rng.random(X.shape) < 0.5] = 0.0
    y = X[:, :5] @ rng.normal(size=5) + rng.normal(size=n)
    datafit = "squared"
    if layout == "sparse":
        import scipy.sparse as sp

        X = sp.csc_matrix(X)
    if layout == "logistic":
        y, datafit = np.where(y > np.median(y), 1.0, -1.0), "logistic"
    fit_data = lpnet.datafits.make_datafit(datafit)
    v = unequal_weights(p)
    pen = ElasticNet(0.05, l1_ratio=0.6, weights=v)
    params = np.array(pen.params)
    solve(X, y, fit_data, pen, tol=1e-8)
    np.testing.assert_allclose(pen.zero_threshold(p), 0.05 * 0.6 * v, rtol=1e-15)
    np.testing.assert_allclose(pen.strong_convexity(p), 0.05 * 0.4 * v, rtol=1e-15)
    np.testing.assert_array_equal(pen.is_penalized(p), v > 0)
    np.testing.assert_array_equal(pen.params, params)
    path = lpnet.regularization_path(
        X, y, penalty="elasticnet", datafit=datafit, l1_ratio=0.6, penalty_factor=v, n_alphas=8, tol=1e-8
    )
    for alpha, objective, gap in zip(path.alphas, path.objectives, path.dual_gaps, strict=True):
        # a fresh penalty at each alpha: both objectives lie within their own gaps of the optimum
        again = solve(X, y, fit_data, ElasticNet(alpha, l1_ratio=0.6, weights=v), tol=1e-10)
        assert abs(objective - again.objective) <= max(gap, again.dual_gap) + 1e-12
