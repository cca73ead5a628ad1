"""Box constraints out of core (squared loss): ``lower_bounds``, ``upper_bounds``, ``positive``.

Checked against scikit-learn's ``Lasso(positive=True)``, scipy's ``lsq_linear`` (a boxed ridge is a
bounded least-squares problem), lpnet's in-memory estimators with the same box, and the KKT conditions
of tests/kkt.py (the box's normal cone included).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import lpnet
import lpnet.dask as ld
from lpnet.dask import fold_of

from .. import kkt
from .conftest import assert_close, regression_table, write_parquet

LOWER = np.array([-0.5, -2.0, 0.0, -1.0, 0.1, -np.inf])
UPPER = np.array([1.2, np.inf, 0.5, 1.0, 2.0, 0.2])


def _data(n=700, seed=0):
    frame = regression_table(n=n, seed=seed, mean=3.0)
    return frame, frame.drop(columns="y").to_numpy(), frame["y"].to_numpy()


def test_positive_lasso_equals_sklearn_and_memory(tmp_path):
    from sklearn.linear_model import Lasso

    frame, X, y = _data()
    model = ld.Lasso(alpha=0.05, positive=True, tol=1e-12, chunk_rows=100).fit(
        write_parquet(frame, tmp_path / "p"), target="y"
    )
    ref = Lasso(alpha=0.05, positive=True, tol=1e-14, max_iter=100_000).fit(X, y)
    mem = lpnet.Lasso(alpha=0.05, positive=True, tol=1e-12).fit(X, y)
    assert model.engine_ == "stream" and model.n_passes_ == 1 and model.converged_
    assert np.all(model.coef_ >= 0) and np.any(model.coef_ == 0)
    assert_close(model.coef_, ref.coef_, 1e-7)
    assert_close(model.coef_, mem.coef_, 1e-8)
    assert model.intercept_ == pytest.approx(mem.intercept_, rel=1e-8)
    assert model.estimator_.positive and model.dual_gap_ >= 0


def test_boxed_ridge_equals_lsq_linear():
    from scipy.optimize import lsq_linear

    _, X, y = _data(seed=1)
    n, alpha = len(y), 0.3
    model = ld.Ridge(alpha=alpha, lower_bounds=LOWER, upper_bounds=UPPER, tol=1e-13, chunk_rows=64).fit(X, y)
    # 1/(2n) ||yc - Xc w||^2 + alpha/2 ||w||^2 in the box: a bounded least-squares problem
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    A = np.vstack([Xc / np.sqrt(n), np.sqrt(alpha) * np.eye(X.shape[1])])
    b = np.concatenate([yc / np.sqrt(n), np.zeros(X.shape[1])])
    ref = lsq_linear(A, b, bounds=(LOWER, UPPER), tol=1e-15, lsmr_tol="auto", method="bvls")
    assert_close(model.coef_, ref.x, 1e-8)
    assert model.intercept_ == pytest.approx(y.mean() - X.mean(axis=0) @ ref.x, rel=1e-9)
    assert np.all(model.coef_ >= LOWER) and np.all(model.coef_ <= UPPER)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    ("ours", "theirs", "params", "spec"),
    [
        (
            ld.ElasticNet,
            lpnet.ElasticNet,
            {"alpha": 0.05, "l1_ratio": 0.4},
            kkt.PenaltySpec("enet", 0.05, l1_ratio=0.4),
        ),
        (ld.LpRegression, lpnet.LpRegression, {"alpha": 0.05, "p": 1.5}, kkt.PenaltySpec("lp", 0.05, p=1.5)),
        (ld.Lasso, lpnet.Lasso, {"alpha": 0.02}, kkt.PenaltySpec("l1", 0.02)),
    ],
    ids=["enet", "lp", "lasso"],
)
def test_box_equals_memory_fit_and_meets_kkt(ours, theirs, params, spec):
    _, X, y = _data(seed=2)
    box = {"lower_bounds": LOWER, "upper_bounds": UPPER}
    model = ours(**params, **box, tol=1e-12, chunk_rows=128).fit(X, y)
    ref = theirs(**params, **box, tol=1e-14).fit(X, y)  # (at the last digits it resolves: see the filter)
    rtol = 1e-8 if ours is not ld.LpRegression else 1e-5  # (Lp: not strongly convex, both within their gaps)
    assert_close(model.coef_, ref.coef_, rtol)
    assert model.converged_ and np.all(model.coef_ >= LOWER) and np.all(model.coef_ <= UPPER)
    # the fit is stationary in the box (independent check on the data, not the statistics)
    spec = dataclasses.replace(spec, lower=LOWER, upper=UPPER)
    report = kkt.kkt_violation(X, y, np.ones(len(y)), "squared", spec, model.coef_, model.intercept_, True)
    assert report.max_violation < 1e-6


def test_positive_lasso_cv_equals_memory_cv_on_the_hashed_folds():
    _, X, y = _data(n=600, seed=3)
    folds = fold_of(0, len(y), 4, 9)
    splits = [(np.flatnonzero(folds != k), np.flatnonzero(folds == k)) for k in range(4)]
    model = ld.LassoCV(cv=4, random_state=9, n_alphas=12, positive=True, tol=1e-12).fit(X, y)
    ref = lpnet.LassoCV(cv=splits, n_alphas=12, positive=True, tol=1e-12).fit(X, y)
    np.testing.assert_allclose(model.alphas_, ref.alphas_, rtol=1e-10)
    np.testing.assert_allclose(model.cv_results_.losses, ref.cv_results_.losses, rtol=1e-7)
    assert model.alpha_ == pytest.approx(ref.alpha_, rel=1e-12)
    assert_close(model.coef_, ref.coef_, 1e-8)
    assert np.all(model.coef_ >= 0)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_boxed_path_equals_memory_path():
    _, X, y = _data(seed=4)
    box = {"lower_bounds": LOWER, "upper_bounds": UPPER}
    path = ld.regularization_path(X, y, penalty="elasticnet", l1_ratio=0.7, n_alphas=10, tol=1e-12, **box)
    ref = lpnet.regularization_path(X, y, penalty=lpnet.penalties.ElasticNet(1.0, 0.7), n_alphas=10, tol=1e-14, **box)
    np.testing.assert_allclose(path.alphas, ref.alphas, rtol=1e-9)
    assert np.max(np.abs(path.coefs - ref.coefs)) <= 1e-8 * np.max(np.abs(ref.coefs))
    assert path.converged.all() and np.all(np.isfinite(path.dual_gaps))


def test_bad_box_is_refused_clearly():
    _, X, y = _data(n=100)
    with pytest.raises(ValueError, match="lower_bounds"):
        ld.Lasso(alpha=0.1, lower_bounds=[0.0, 1.0]).fit(X, y)
    with pytest.raises(ValueError, match="takes no bounds"):
        ld.regularization_path(X, (y > y.mean()).astype(float), datafit="logistic", positive=True)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    "box", [["--positive"], ["--lower-bounds", "-0.2", "--upper-bounds", "0.9,0.5,1,1,1,0.1"]], ids=["pos", "box"]
)
def test_cli_path_with_bounds_out_of_core_equals_memory(tmp_path, capsys, box):
    from lpnet.cli import main

    frame, _, _ = _data(n=500, seed=5)
    files = write_parquet(frame, tmp_path / "p")
    paths = {}
    for engine in ("memory", "stream"):
        out = tmp_path / f"{engine}.csv"
        argv = ["path", "--data", files, "--target", "y", "--engine", engine, "--penalty", "l1", *box]
        assert main([*argv, "--n-alphas", "8", "--tol", "1e-13", "--csv", str(out)]) == 0
        table = np.genfromtxt(out, delimiter=",", names=True)
        paths[engine] = (table["alpha"], np.column_stack([table[f"x{j}"] for j in range(6)]))
    printed = capsys.readouterr().out
    assert "engine stream: 1 pass over the data" in printed and "certified by its duality gap" in printed
    np.testing.assert_allclose(paths["stream"][0], paths["memory"][0], rtol=1e-9)
    # (the in-memory path stops some fits at a gap near 1e-6: the comparison is as loose, the KKT check not)
    assert np.max(np.abs(paths["stream"][1] - paths["memory"][1])) <= 1e-5 * np.max(np.abs(paths["memory"][1]))
    X, y = frame.drop(columns="y").to_numpy(), frame["y"].to_numpy()
    Xs = (X - X.mean(axis=0)) / X.std(axis=0)
    lower = 0.0 if box == ["--positive"] else -0.2
    upper = None if box == ["--positive"] else np.array([0.9, 0.5, 1, 1, 1, 0.1])
    for alpha, w in zip(*paths["stream"], strict=True):
        b = y.mean() - Xs.mean(axis=0) @ w
        spec = kkt.PenaltySpec("l1", alpha, lower=lower, upper=upper)
        assert kkt.kkt_violation(Xs, y, np.ones(len(y)), "squared", spec, w, b, True).max_violation < 1e-9
