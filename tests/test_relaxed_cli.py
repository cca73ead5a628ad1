"""``lpnet fit`` / ``lpnet cv`` with ``--relax`` and ``--adaptive``: the models run, are reported with their
refit certificates, save and reload; wrong combinations are one-line usage errors (exit status 2)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import train_test_split

from lpnet import AdaptiveLasso, RelaxedLasso
from lpnet.cli import main
from lpnet.io import load


def _write_csv(path, seed=0, n=60):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 4))
    y = 2 * X[:, 0] - X[:, 1] + 0.3 * rng.standard_normal(n)
    np.savetxt(path, np.column_stack([X, y]), delimiter=",", header="a,b,c,d,target", comments="")
    return X, y


def test_fit_relax_saves_the_relaxed_model(tmp_path, capsys):
    X, y = _write_csv(tmp_path / "data.csv")
    args = ["fit", "--data", str(tmp_path / "data.csv"), "--target", "target", "--alpha", "0.05"]
    code = main([*args, "--relax", "--relax-gamma", "0", "--no-standardize", "--save", str(tmp_path / "m.json")])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "RelaxedLasso(gamma=0)" in out
    assert "unpenalized refit on the" in out and "(converged)" in out
    model = load(tmp_path / "m.json")
    assert isinstance(model, RelaxedLasso)
    # gamma = 0: least squares on the support, fitted on the CLI's 75% training split (seed 0)
    support = model.support_
    assert support.any()
    X_tr, _, y_tr, _ = train_test_split(X, y, test_size=0.25, random_state=0)
    ols = LinearRegression().fit(X_tr[:, support], y_tr)
    np.testing.assert_allclose(model.coef_[support], ols.coef_, rtol=1e-8)


def test_fit_adaptive(tmp_path, capsys):
    _write_csv(tmp_path / "data.csv")
    args = ["fit", "--data", str(tmp_path / "data.csv"), "--target", "target", "--alpha", "0.05"]
    code = main([*args, "--adaptive", "--adaptive-gamma", "2", "--save", str(tmp_path / "m.json")])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "AdaptiveLasso(gamma=2, initial=ridge)" in out
    assert isinstance(load(tmp_path / "m.json"), AdaptiveLasso)


@pytest.mark.parametrize(
    ("flags", "chosen"),
    [(["--relax", "--relax-gammas", "0,1"], "gamma_ = "), (["--adaptive", "--adaptive-initial", "ols"], "alpha_ = ")],
)
def test_cv_variants(tmp_path, capsys, flags, chosen):
    _write_csv(tmp_path / "data.csv")
    args = ["cv", "--data", str(tmp_path / "data.csv"), "--target", "target", "--n-alphas", "8", "--folds", "3"]
    code = main([*args, *flags])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert chosen in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["fit", "--relax", "--adaptive"], "two different models"),
        (["fit", "--relax-gamma", "0.5"], "needs --relax"),
        (["fit", "--relax", "--relax-gamma", "1.5"], r"\[0, 1\]"),
        (["fit", "--adaptive", "--adaptive-gamma", "0"], "> 0"),
        (["fit", "--adaptive", "--penalty", "l2"], "L1 penalty"),
        (["cv", "--relax", "--relax-gammas", "0,2"], r"\[0, 1\]"),
        (["cv", "--adaptive", "--datafit", "poisson"], "squared or logistic"),
    ],
)
def test_usage_errors(capsys, args, message):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert re.search(message, err), err
