"""The command line offers every registered penalty with its own options, MCP and SCAD included, and its
numbers are those of the library fitted directly on the same data."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from lpnet import RegularizedModelCV, regularization_path
from lpnet.cli import data as cli_data
from lpnet.cli import main
from lpnet.penalties import MCP, SCAD, penalty_names


def _demo_standardized():
    X, y, _, _ = cli_data.load_demo()
    return (X - X.mean(axis=0)) / X.std(axis=0), y


def _coef(out: str, feature: str, column: int) -> float:
    line = next(line for line in out.splitlines() if line.startswith(feature + " "))
    return float(line.split()[column])


def test_help_lists_every_registered_penalty_and_its_options(capsys):
    try:
        main(["fit", "--help"])
    except SystemExit:
        pass
    text = capsys.readouterr().out
    for name in penalty_names():
        assert name in text
    assert "--gamma" in text and "--a" in text


def test_fit_mcp_with_gamma(capsys):
    assert main(["fit", "--penalty", "mcp", "--gamma", "2.5", "--alpha", "2"]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("MCP(gamma=2.5) "))
    assert "(non-convex)" in row and " yes " in row  # certified by the optimality violation
    assert _coef(out, "age", 1) == 0.0  # MCP's threshold at 0 is the Lasso's: exact zeros


def test_path_mcp_matches_the_library(tmp_path, capsys):
    table = tmp_path / "path.csv"
    assert main(["path", "--penalty", "mcp", "--gamma", "2.5", "--n-alphas", "12", "--csv", str(table)]) == 0
    rows = list(csv.reader(open(table, newline="")))
    coefs = np.array([[float(v) for v in r[-10:]] for r in rows[1:]])
    X, y = _demo_standardized()
    path = regularization_path(X, y, penalty=MCP(1.0, gamma=2.5), n_alphas=12)
    np.testing.assert_allclose([float(r[0]) for r in rows[1:]], path.alphas, rtol=1e-12)
    np.testing.assert_allclose(coefs, path.coefs, rtol=1e-6, atol=1e-9)


def test_bad_shape_parameter_is_one_clear_line(capsys):
    assert main(["fit", "--penalty", "scad", "--a", "1.5"]) != 0
    err = capsys.readouterr().err
    assert "a must be" in err and "> 2" in err and "Traceback" not in err


def test_path_scad(capsys):
    assert main(["path", "--penalty", "scad", "--n-alphas", "15"]) == 0
    out = capsys.readouterr().out
    assert "SCAD(a=3.7)" in out
    X, y = _demo_standardized()
    path = regularization_path(X, y, penalty="scad", n_alphas=15)
    assert np.all(path.converged)


def test_cv_mcp_uses_the_generic_cv_estimator(capsys):
    assert main(["cv", "--penalty", "mcp", "--gamma", "2.5", "--n-alphas", "10", "--folds", "3"]) == 0
    out = capsys.readouterr().out
    assert "RegularizedModelCV" in out and "MCP(gamma=2.5)" in out
    X, y = _demo_standardized()
    from sklearn.model_selection import KFold

    direct = RegularizedModelCV(
        penalty=MCP(1.0, gamma=2.5), n_alphas=10, cv=KFold(3, shuffle=True, random_state=0)
    ).fit(X, y)
    line = next(line for line in out.splitlines() if line.startswith("min (chosen)"))
    assert float(line.split()[2]) == pytest.approx(direct.alpha_, rel=1e-3)
    assert isinstance(direct.estimator_.penalty, MCP) and not isinstance(direct.estimator_.penalty, SCAD)
