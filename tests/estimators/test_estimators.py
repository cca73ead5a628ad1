"""Behaviour of the estimators beyond scikit-learn's generic checks."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_diabetes

from lpnet import (
    ElasticNet,
    Lasso,
    LogisticRegression,
    LpRegression,
    RegularizedModel,
    Ridge,
)
from lpnet.penalties import L1


@pytest.fixture(scope="module")
def diabetes():
    data = load_diabetes(as_frame=True)
    X = (data.data - data.data.mean()) / data.data.std()
    return X, data.target


def test_pandas_names_reach_the_coefficient_table(diabetes):
    X, y = diabetes
    model = Lasso(alpha=1.0).fit(X, y)
    assert list(model.feature_names_in_) == list(X.columns)
    table = model.coef_table()
    assert list(table.index) == list(X.columns)
    np.testing.assert_array_equal(table["coef"].to_numpy(), model.coef_)
    assert table["is_zero"].sum() == np.sum(model.coef_ == 0.0) > 0


def test_logistic_with_string_labels_and_probabilities(diabetes):
    X, y = diabetes
    labels = np.where(y > np.median(y), "high", "low")
    model = LogisticRegression(penalty="l1", alpha=0.01).fit(X, labels)
    assert list(model.classes_) == ["high", "low"]
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    # the positive class is classes_[1]: its probability is sigmoid(decision)
    np.testing.assert_allclose(proba[:, 1], 1 / (1 + np.exp(-model.decision_function(X))))
    pred = model.predict(X)
    np.testing.assert_array_equal(pred, np.where(model.decision_function(X) > 0, "low", "high"))
    assert model.score(X, labels) > 0.7
    assert model.converged_ and model.dual_gap_ <= 1e-6 * np.log(2)


def test_warm_start_reuses_the_solution(diabetes):
    X, y = diabetes
    model = ElasticNet(alpha=0.5, warm_start=True).fit(X, y)
    first = model.coef_.copy()
    model.fit(X, y)
    assert model.n_iter_ == 0  # already certified: no pass over the features (scikit-learn's count)
    assert model.n_outer_iter_ == 1
    np.testing.assert_allclose(model.coef_, first)


def test_regularized_model_accepts_penalty_objects(diabetes):
    X, y = diabetes
    a = RegularizedModel(penalty=L1(0.5)).fit(X, y)
    b = Lasso(alpha=0.5).fit(X, y)
    np.testing.assert_allclose(a.coef_, b.coef_, atol=1e-8)


def test_sparse_and_dense_give_the_same_model(diabetes):
    X, y = diabetes
    Xs = sp.csr_matrix(X.to_numpy())
    # a tight tol: at the default a 1e-6 relative gap allows coefficient differences ~ sqrt(gap)
    for model in (Lasso(alpha=0.3, tol=1e-12), Ridge(alpha=0.3, tol=1e-12), LpRegression(alpha=0.3, p=1.5, tol=1e-12)):
        dense = model.fit(X.to_numpy(), y)
        coef, objective = dense.coef_.copy(), dense.objective_
        sparse = model.fit(Xs, y)
        np.testing.assert_allclose(sparse.objective_, objective, rtol=1e-11)
        np.testing.assert_allclose(sparse.coef_, coef, atol=1e-4)


def test_nonconvex_fit_reports_a_violation_not_a_gap(diabetes):
    X, y = diabetes
    model = LpRegression(alpha=1.0, p=0.5).fit(X, y)
    assert model.dual_gap_ is None
    assert model.optimality_violation_ is not None and model.optimality_violation_ <= 1e-6
    assert model.converged_
    assert np.any(model.coef_ == 0.0)
