"""Group lasso estimators: scikit-learn's contract, CV, save/load, the command line and bad input."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

import lpnet
from lpnet.penalties import SparseGroup
from tests import kkt

GROUPS = [[0, 1, 2], [3, 4], [5], [6, 7, 8, 9], [10, 11]]


def _data(n=80, p=12, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    y = X[:, [0, 1, 3, 6]] @ np.array([1.0, -0.5, 0.8, 0.6]) + 0.3 * rng.standard_normal(n)
    return X, y


@parametrize_with_checks(
    [
        lpnet.GroupLasso(alpha=0.1),
        lpnet.SparseGroupLasso(alpha=0.1),
        lpnet.GroupLasso(alpha=0.01, datafit="logistic"),
        lpnet.GroupLassoCV(n_alphas=5, cv=3),
    ]
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_labels_from_pandas_and_fitted_attributes():
    pd = pytest.importorskip("pandas")
    X, y = _data()
    labels = pd.Series(["u", "u", "u", "v", "v", "w", "x", "x", "x", "x", "y", "y"])
    fit = lpnet.GroupLasso(labels, 0.05, tol=1e-10).fit(pd.DataFrame(X, columns=[f"f{j}" for j in range(12)]), y)
    np.testing.assert_array_equal(fit.group_names_, ["u", "v", "w", "x", "y"])
    for cols, expected in zip(fit.groups_, GROUPS):
        np.testing.assert_array_equal(cols, expected)
    coef = fit.coef_
    active = [name for name, cols in zip(fit.group_names_, fit.groups_) if np.any(coef[cols])]
    np.testing.assert_array_equal(fit.active_groups_, active)
    assert fit.converged_ and fit.dual_gap_ is not None and fit.solver_ == "group_cd"
    # whole groups are in or out: a kept group of the group lasso has no zero coefficient
    for cols in fit.groups_:
        assert np.all(coef[cols] != 0) or np.all(coef[cols] == 0)
    # index arrays give the same fit
    again = lpnet.GroupLasso(GROUPS, 0.05, tol=1e-10).fit(X, y)
    np.testing.assert_allclose(again.coef_, coef, atol=1e-12)


def test_sparse_group_lasso_zeros_inside_kept_groups():
    X, y = _data(seed=1)
    fit = lpnet.SparseGroupLasso(GROUPS, 0.08, l1_ratio=0.7, tol=1e-10).fit(X, y)
    coef = fit.coef_
    partial = [cols for cols in fit.groups_ if np.any(coef[cols] != 0) and np.any(coef[cols] == 0)]
    assert partial, "no kept group with an exact zero inside"


def test_generic_model_takes_the_group_penalty_with_glm_datafits():
    X, y = _data(seed=2)
    labels = y > np.median(y)
    clf = lpnet.RegularizedModel("logistic", SparseGroup(0.02, GROUPS), tol=1e-9).fit(X, labels)
    assert clf.converged_ and clf.coef_.shape == (1, 12) and set(clf.classes_) == {False, True}
    grad, grad_b = kkt.datafit_gradients(
        X, np.where(labels, 1.0, -1.0), None, "logistic", clf.coef_[0], clf.intercept_[0]
    )
    assert abs(grad_b) < 1e-6
    for g in GROUPS:  # zero groups: ||grad_g|| <= alpha sqrt(|g|)
        if not np.any(clf.coef_[0, g]):
            assert np.linalg.norm(grad[g]) <= 0.02 * np.sqrt(len(g)) * (1 + 1e-6)
    with pytest.raises(ValueError, match="group_weights="):
        lpnet.RegularizedModel("squared", SparseGroup(0.02, GROUPS), penalty_factor=np.ones(12) * 2).fit(X, y)


def test_warm_start_reaches_the_same_fit():
    X, y = _data(seed=3)
    model = lpnet.GroupLasso(GROUPS, 0.2, tol=1e-10, warm_start=True).fit(X, y)
    model.set_params(alpha=0.05).fit(X, y)
    cold = lpnet.GroupLasso(GROUPS, 0.05, tol=1e-10).fit(X, y)
    np.testing.assert_allclose(model.coef_, cold.coef_, atol=1e-7)


def test_cv_picks_from_a_certified_path_and_refits():
    X, y = _data(n=120, seed=4)
    cv = lpnet.GroupLassoCV(GROUPS, n_alphas=15, cv=4).fit(X, y)
    assert cv.alphas_[0] == pytest.approx(lpnet.alpha_max(X, y, penalty=SparseGroup(1.0, GROUPS)))
    assert cv.mse_path_.shape == (15, 4)
    assert cv.alpha_ in cv.alphas_
    ref = lpnet.GroupLasso(GROUPS, cv.alpha_).fit(X, y)
    np.testing.assert_allclose(cv.coef_, ref.coef_, atol=1e-6)
    assert set(cv.active_groups_) <= set(range(len(GROUPS)))
    sgl = lpnet.SparseGroupLassoCV(GROUPS, l1_ratio=[0.2, 0.8], n_alphas=8, cv=3, alpha_rule="1se").fit(X, y)
    assert sgl.l1_ratio_ in (0.2, 0.8) and sgl.alphas_.shape == (2, 8)


def test_save_load_round_trip(tmp_path):
    X, y = _data(seed=5)
    labels = np.array(["a", "a", "a", "b", "b", "c", "d", "d", "d", "d", "e", "e"])
    for model in (
        lpnet.SparseGroupLasso(labels, 0.05, l1_ratio=0.3, weights=[1, 2, 0, 1, 1]).fit(X, y),
        lpnet.RegularizedModel("squared", SparseGroup(0.05, labels, 0.3, group_weights=[1, 2, 0, 1, 1])).fit(X, y),
        lpnet.GroupLassoCV(GROUPS, n_alphas=5, cv=3).fit(X, y),
    ):
        path = lpnet.save(model, tmp_path / "m.json")
        loaded = lpnet.load(path)
        np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
        refit = loaded.fit(X, y) if not hasattr(loaded, "cv") else loaded
        np.testing.assert_allclose(refit.coef_, model.coef_, atol=1e-10)


def test_bad_input_messages():
    X, y = _data()
    with pytest.raises(ValueError, match="overlapping groups are not supported"):
        lpnet.GroupLasso([[0, 1, 2], [2, 3]] + [[j] for j in range(4, 12)]).fit(X, y)
    with pytest.raises(ValueError, match="empty"):
        lpnet.GroupLasso([[0, 1, 2], []] + [[j] for j in range(3, 12)]).fit(X, y)
    with pytest.raises(ValueError, match="in no group"):
        lpnet.GroupLasso([[0, 1, 2]]).fit(X, y)
    with pytest.raises(ValueError, match="one group label per column"):
        lpnet.GroupLasso(["a", "b"]).fit(X, y)
    with pytest.raises(ValueError, match="l1_ratio"):
        lpnet.SparseGroupLasso(GROUPS, l1_ratio=1.5).fit(X, y)
    with pytest.raises(ValueError, match="one per group"):
        lpnet.GroupLasso(GROUPS, weights=[1.0, 2.0]).fit(X, y)


# ---------------------------------------------------------------------------------------------- CLI
def test_cli_fit_path_cv_with_groups(tmp_path, capsys):
    from lpnet.cli import main

    assert main(["fit", "--groups", "0-1,2-3,4-9", "--alpha", "1"]) == 0
    out = capsys.readouterr().out
    assert "GroupLasso(3 groups)" in out
    (tmp_path / "groups.txt").write_text("a a b b c c c c c c\n")
    assert main(["path", "--groups", str(tmp_path / "groups.txt"), "--n-alphas", "8"]) == 0
    out = capsys.readouterr().out
    assert "GroupLasso(3 groups)" in out and "converged" in out
    spec = "x:age,sex;y:bmi,bp;z:4-9"
    args = [
        "cv",
        "--groups",
        spec,
        "--penalty",
        "elasticnet",
        "--l1-ratio",
        "0.3,0.9",
        "--n-alphas",
        "6",
        "--folds",
        "3",
    ]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "SparseGroupLasso(3 groups)" in out and "l1_ratio_ =" in out


def test_cli_saves_the_group_model(tmp_path, capsys):
    from lpnet.cli import main

    X, y = _data()
    data = tmp_path / "d.csv"
    names = [f"c{j}" for j in range(12)]
    np.savetxt(data, np.column_stack([X, y]), delimiter=",", header=",".join([*names, "t"]), comments="")
    (tmp_path / "g.csv").write_text(
        "feature,group\n" + "".join(f"c{j},g{k}\n" for k, g in enumerate(GROUPS) for j in g)
    )
    model = tmp_path / "m.json"
    args = ["fit", "--data", str(data), "--target", "t", "--alpha", "0.05", "--groups", str(tmp_path / "g.csv")]
    assert main([*args, "--save", str(model)]) == 0
    loaded = lpnet.load(model)
    assert isinstance(loaded, lpnet.GroupLasso)
    np.testing.assert_array_equal(loaded.group_names_, ["g0", "g1", "g2", "g3", "g4"])
    capsys.readouterr()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["fit", "--groups", "0-1,1-9"], "overlapping groups are not supported"),
        (["fit", "--groups", "0-3"], "in no group"),
        (["fit", "--groups", "0-9", "--penalty", "l2"], "--groups takes --penalty l1"),
        (["path", "--groups", "0-9", "--l1-ratio", "0.5"], "--l1-ratio"),
        (["fit", "--groups", "0-3,nope"], "neither a column index"),
    ],
)
def test_cli_bad_groups(args, message, capsys):
    from lpnet.cli import main

    assert main(args) == 2
    assert message in capsys.readouterr().err
