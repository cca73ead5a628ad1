"""Every model family with one coefficient per feature (Poisson, Gamma, Tweedie, Huber, Cox) with every
penalty of the tests' registry, through the independent KKT checker (tests/kkt.py), with unequal penalty
factors including 0 and sample weights.  (Multinomial and multi-task models, one coefficient per class or
task, are checked entry by entry and row by row in their own test files.)"""

import warnings

import numpy as np
import pytest

from lpnet import RegularizedModel
from lpnet.datafits import Huber, Tweedie, make_datafit
from tests import kkt
from tests.registry import PENALTIES, unequal_weights

N, P = 80, 9
rng = np.random.default_rng(21)
X = rng.standard_normal((N, P))
MU = np.exp(0.2 + X[:, :3] @ np.array([0.4, -0.3, 0.2]))
S = rng.uniform(0.5, 2.0, N)
FAMILIES = {
    "poisson": (rng.poisson(MU).astype(float), make_datafit("poisson")),
    "gamma": (rng.gamma(3.0, MU / 3.0), make_datafit("gamma")),
    "tweedie": (rng.poisson(MU) * rng.gamma(2.0, 0.5, N), Tweedie(1.5)),
    "huber": (np.log(MU) + rng.standard_t(2, N), Huber(kkt.HUBER_EPS, 1.0)),
    # survival times with their hazard exp(x w), a third censored; no intercept
    "cox": (
        np.column_stack([rng.exponential(1.0 / MU), (rng.random(N) < 0.67).astype(float)]),
        make_datafit("cox"),
    ),
}


@pytest.mark.parametrize("pid, factory", PENALTIES, ids=[pid for pid, _ in PENALTIES])
@pytest.mark.parametrize("kind", FAMILIES)
def test_family_meets_the_optimality_conditions(kind, pid, factory):
    y, datafit = FAMILIES[kind]
    intercept = datafit.allows_intercept
    factors = unequal_weights(P)
    alpha = 0.2 * kkt.alpha_max(X, y, S, kind, intercept, factors)
    penalty = factory(alpha, factors)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ConvergenceWarning
        model = RegularizedModel(datafit=datafit, penalty=penalty, tol=1e-9, max_iter=500).fit(X, y, sample_weight=S)
    spec = kkt.spec_from_penalty(penalty)
    report = kkt.kkt_violation(X, y, S, kind, spec, model.coef_, model.intercept_, intercept)
    # a certified gap G bounds the gradient's distance only to about sqrt(2 L G): tol 1e-9 leaves ~1e-4
    bound = 1e-6 if model.dual_gap_ is None else 3e-4
    assert report.max_violation <= bound, (kind, pid, report.max_violation)
    assert np.all(model.coef_[factors == 0] != 0)  # unpenalized features stay in
    if factory.convex:  # no better point than the certified one, by the independent objective
        f_model = kkt.objective(X, y, S, kind, spec, model.coef_, model.intercept_)
        assert f_model <= kkt.null_model(y, S, kind, intercept)[1] + spec.value(np.zeros(P)) + 1e-12


CLASSES = rng.integers(0, 3, N) + (X[:, 0] > 0.5)  # four labels, one tied to a feature


@pytest.mark.parametrize("pid, factory", PENALTIES, ids=[pid for pid, _ in PENALTIES])
def test_multinomial_meets_the_optimality_conditions_entry_by_entry(pid, factory):
    """The ungrouped multinomial model: each class's column of W against the scalar penalty's
    subdifferential, with the gradient of the softmax loss written out here."""
    factors = unequal_weights(P)
    labels, Y = np.unique(CLASSES, return_inverse=True)
    Y = np.eye(labels.size)[Y]
    h = S * N / S.sum()

    def gradient(W, b):
        Z = X @ W + b
        prob = np.exp(Z - Z.max(axis=1, keepdims=True))
        prob /= prob.sum(axis=1, keepdims=True)
        return X.T @ (h[:, None] * (prob - Y)) / N, (h @ (prob - Y)) / N

    g_null, _ = gradient(np.zeros((P, labels.size)), np.log(h @ Y / N))
    alpha = 0.2 * float(np.max(np.abs(g_null[factors > 0]) / factors[factors > 0, None]))
    penalty = factory(alpha, factors)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = RegularizedModel(datafit="multinomial", penalty=penalty, tol=1e-9, max_iter=500)
        model.fit(X, CLASSES, sample_weight=S)
    W, b = model.coef_.T, model.intercept_
    g, gb = gradient(W, b)
    spec = kkt.spec_from_penalty(penalty)
    worst = max(float(np.max(kkt.subdifferential_distance(g[:, k], spec, W[:, k]))) for k in range(labels.size))
    worst = max(worst, float(np.max(np.abs(gb)))) / float(np.max(np.abs(g_null)))
    bound = 1e-6 if model.dual_gap_ is None else 3e-4  # as for the scalar families
    assert worst <= bound, (pid, worst)
