"""Bad input raises a clear error naming the problem (and never half-fits the model)."""

import numpy as np
import pandas as pd
import pytest

from lpnet import (
    ElasticNet,
    Lasso,
    LogisticRegression,
    LpRegression,
    RegularizedModel,
    Ridge,
)

rng = np.random.default_rng(0)
X = rng.standard_normal((20, 3))
y = X @ np.array([1.0, -2.0, 0.0]) + 0.1 * rng.standard_normal(20)
y_cls = np.where(y > 0, "yes", "no")


def _nan(a):
    a = a.copy()
    a.flat[3] = np.nan
    return a


def _inf(a):
    a = a.copy()
    a.flat[3] = np.inf
    return a


@pytest.mark.parametrize(
    "make, Xb, yb, exc, match",
    [
        (Lasso, _nan(X), y, ValueError, "NaN"),
        (Lasso, _inf(X), y, ValueError, "infinity"),
        (Lasso, X, _nan(y), ValueError, "NaN"),
        (Lasso, X, y[:-1], ValueError, "inconsistent numbers of samples"),
        (Lasso, X[:0], y[:0], ValueError, "0 sample"),
        (Lasso, X[:1], y[:1], ValueError, "at least 2 samples"),
        (Lasso, np.zeros((20, 0)), y, ValueError, "0 feature"),
        (LogisticRegression, X, np.ones(20), ValueError, "only one class"),
        (lambda: RegularizedModel(datafit="logistic"), X, np.arange(20) % 3, ValueError, "binary"),
        (LogisticRegression, X, y, ValueError, "Unknown label type"),
    ],
)
def test_bad_data(make, Xb, yb, exc, match):
    with pytest.raises(exc, match=match):
        make().fit(Xb, yb)


@pytest.mark.parametrize(
    "model, exc, match",
    [
        (Lasso(alpha=-1.0), ValueError, "alpha must be >= 0"),
        (Lasso(alpha=np.nan), TypeError, "alpha must be a finite"),
        (Lasso(alpha="big"), TypeError, "alpha must be a finite"),
        (LpRegression(p=0.0), ValueError, "p must be > 0"),
        (LpRegression(p=-1.0), ValueError, "p must be > 0"),
        (LpRegression(p=np.inf), ValueError, "p=inf"),
        (ElasticNet(l1_ratio=1.5), ValueError, r"l1_ratio must lie in \[0, 1\]"),
        (ElasticNet(l1_ratio=-0.1), ValueError, r"l1_ratio must lie in \[0, 1\]"),
        (Lasso(penalty_factor=[1.0, 1.0]), ValueError, "3 features"),
        (Lasso(penalty_factor=[1.0, -1.0, 1.0]), ValueError, "penalty_factor must be >= 0"),
        (Lasso(tol=-1.0), ValueError, "tol must be"),
        (Lasso(max_iter=0), ValueError, "max_iter must be a positive integer"),
        (Lasso(solver="magic"), ValueError, "solver must be one of"),
        (Ridge(solver="fista", alpha=-2), ValueError, "alpha must be >= 0"),
        (RegularizedModel(penalty="l3"), ValueError, "penalty must be one of"),
        (RegularizedModel(datafit="hinge"), ValueError, "datafit must be one of"),
        (LogisticRegression(penalty="lp", p=0), ValueError, "p must be > 0"),
    ],
)
def test_bad_hyperparameters(model, exc, match):
    target = y_cls if isinstance(model, LogisticRegression) else y
    with pytest.raises(exc, match=match):
        model.fit(X, target)
    assert not hasattr(model, "coef_"), "a failed fit must not leave fitted attributes behind"


@pytest.mark.parametrize(
    "sw, match",
    [
        (np.ones(5), "one weight per sample"),
        (-np.ones(20), "non-negative"),
        (np.zeros(20), "zero"),
        (np.full(20, np.nan), "NaN or inf"),
    ],
)
def test_bad_sample_weight(sw, match):
    with pytest.raises(ValueError, match=match):
        Lasso(alpha=0.01).fit(X, y, sample_weight=sw)


def test_single_class_after_weighting():
    labels = np.where(np.arange(20) < 10, 0, 1)
    sw = np.where(labels == 0, 1.0, 0.0)
    with pytest.raises(ValueError, match="one class"):
        LogisticRegression().fit(X, labels, sample_weight=sw)


def test_non_numeric_columns_are_named():
    df = pd.DataFrame(X, columns=["a", "b", "c"]).assign(color=["red"] * 20)
    with pytest.raises(TypeError, match="color"):
        Lasso().fit(df, y)


def test_predict_with_wrong_number_of_features():
    model = Lasso(alpha=0.01).fit(X, y)
    with pytest.raises(ValueError, match="3 features"):
        model.predict(X[:, :2])


def test_fit_does_not_rewrite_parameters():
    model = ElasticNet(alpha=0.1, l1_ratio=0.3, penalty_factor=[1.0, 0.0, 2.0])
    before = model.get_params()
    model.fit(X, y)
    after = model.get_params()
    assert before.keys() == after.keys()
    for key in before:
        assert np.all(np.asarray(before[key]) == np.asarray(after[key])), key
