"""``lpnet path`` and ``lpnet cv``: tables, plots, CSV output, agreement with the estimators, one-line errors."""

from __future__ import annotations

import csv
import re
import sys

import numpy as np
import pytest

from lpnet import ElasticNetCV, LassoCV, regularization_path
from lpnet.cli import data as _cli_data
from lpnet.cli import main

DIABETES_FEATURES = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _demo_standardized():
    X, y, _, _ = _cli_data.load_demo()
    return (X - X.mean(axis=0)) / X.std(axis=0), y


def _write_csv(path, n=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3)) * np.array([1.0, 5.0, 0.2])
    y = X @ np.array([2.0, 0.0, -3.0]) + 1.0 + 0.1 * rng.standard_normal(n)
    with open(path, "w") as fh:
        fh.write("a,b,c,target\n")
        fh.writelines(",".join(repr(float(v)) for v in row) + "\n" for row in np.column_stack([X, y]))


def _coef_column(out: str, feature: str, column: int) -> str:
    line = next(line for line in out.splitlines() if line.startswith(feature + " "))
    return line.split()[column]


# ----------------------------------------------------------------------------------------------------
# lpnet path
# ----------------------------------------------------------------------------------------------------
def test_path_default_prints_rows_and_entry_order(capsys):
    assert main(["path"]) == 0
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    assert "diabetes" in out and "Lasso (L1)" in out
    rows = [line for line in out.splitlines() if re.match(r"^\s*\d+\s+\d", line)]
    assert len(rows) == 10  # ~10 evenly spaced alphas of the 100
    assert rows[0].split()[:3] == ["1", rows[0].split()[1], "0/10"]  # alpha_max: every coefficient zero
    assert rows[-1].split()[0] == "100"
    alphas = [float(r.split()[1]) for r in rows]
    assert alphas == sorted(alphas, reverse=True)
    assert all("gap " in r and " yes " in r + " " for r in rows)
    # entry order against the path computed directly
    X, y = _demo_standardized()
    path = regularization_path(X, y, penalty="l1")
    first = {DIABETES_FEATURES[j]: int(np.argmax(path.coefs[:, j] != 0)) for j in range(10)}
    order = re.findall(r"\d+\. (\w+) \(", out.split("Entry order")[1])
    assert sorted(order) == sorted(DIABETES_FEATURES)
    assert [first[name] for name in order] == sorted(first.values())
    assert order[0] in ("bmi", "s5")  # the diabetes Lasso path starts with bmi and s5


def test_path_plot_and_csv(tmp_path, capsys):
    png, table = tmp_path / "path.png", tmp_path / "path.csv"
    assert main(["path", "--n-alphas", "30", "--plot", str(png), "--csv", str(table)]) == 0
    out = capsys.readouterr().out
    assert png.read_bytes()[:8] == PNG_MAGIC
    assert str(png) in out and str(table) in out
    with open(table, newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    assert len(body) == 30
    assert header[:3] == ["alpha", "intercept", "n_nonzero"] and "dual_gap" in header
    assert header[-10:] == DIABETES_FEATURES
    coefs = np.array([[float(v) for v in r[-10:]] for r in body])
    X, y = _demo_standardized()
    path = regularization_path(X, y, penalty="l1", n_alphas=30)
    np.testing.assert_allclose([float(r[0]) for r in body], path.alphas, rtol=1e-12)
    np.testing.assert_allclose(coefs, path.coefs, rtol=1e-6, atol=1e-9)
    assert [int(r[2]) for r in body] == list(path.n_nonzero)


@pytest.mark.parametrize(
    "args, needle",
    [
        (["--penalty", "l2"], "Ridge (L2)"),
        (["--penalty", "elasticnet", "--l1-ratio", "0.3"], "ElasticNet(l1_ratio=0.3)"),
        (["--penalty", "lp", "--p", "0.5"], "violation"),
    ],
)
def test_path_other_penalties(args, needle, capsys):
    assert main(["path", "--n-alphas", "20", *args]) == 0
    assert needle in capsys.readouterr().out


def test_path_on_a_csv(tmp_path, capsys):
    data = tmp_path / "d.csv"
    _write_csv(data)
    assert main(["path", "--data", str(data), "--target", "target", "--no-standardize", "--n-alphas", "15"]) == 0
    out = capsys.readouterr().out
    assert "features used as given" in out
    order = re.findall(r"\d+\. (\w+) \(", out.split("Entry order")[1])
    assert order[0] == "a"  # the strongest feature (coefficient 2 on unit-scale data) enters first


# ----------------------------------------------------------------------------------------------------
# lpnet cv
# ----------------------------------------------------------------------------------------------------
def test_cv_matches_lassocv(tmp_path, capsys):
    from sklearn.model_selection import KFold

    png = tmp_path / "cv.png"
    assert main(["cv", "--folds", "3", "--plot", str(png)]) == 0
    out, err = capsys.readouterr()
    assert "folds [" in err  # the progress bar
    assert png.read_bytes()[:8] == PNG_MAGIC
    X, y = _demo_standardized()
    ref = LassoCV(cv=KFold(3, shuffle=True, random_state=0)).fit(X, y)
    assert f"alpha_ = {ref.alpha_!r}" in out
    res = ref.cv_results_
    min_row = next(line for line in out.splitlines() if line.startswith("min (chosen)"))
    se_row = next(line for line in out.splitlines() if line.startswith("1se "))
    assert float(min_row.split()[2]) == pytest.approx(res.alphas[res.index_min], rel=1e-3)
    assert float(se_row.split()[1]) == pytest.approx(res.alphas[res.index_1se], rel=1e-3)
    assert float(min_row.split()[4]) == pytest.approx(res.mean[res.index_min], rel=1e-4)  # mean CV MSE
    for j, name in enumerate(DIABETES_FEATURES):
        shown = _coef_column(out, name, 1)
        if ref.coef_[j] == 0.0:
            assert shown == "0"
        else:
            assert float(shown) == pytest.approx(ref.coef_[j], rel=1e-4)


def test_cv_elasticnet_l1_ratios_and_1se(capsys):
    from sklearn.model_selection import KFold

    assert (
        main(
            [
                "cv",
                "--penalty",
                "elasticnet",
                "--l1-ratio",
                "0.2,0.8",
                "--folds",
                "3",
                "--seed",
                "1",
                "--selection",
                "1se",
                "--n-alphas",
                "30",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    X, y = _demo_standardized()
    ref = ElasticNetCV(
        l1_ratio=[0.2, 0.8], cv=KFold(3, shuffle=True, random_state=1), alpha_rule="1se", n_alphas=30
    ).fit(X, y)
    assert f"alpha_ = {ref.alpha_!r}, l1_ratio_ = {ref.l1_ratio_!r} (--selection 1se)" in out
    assert "l1_ratio in {0.2, 0.8}" in out
    assert re.search(r"^1se \(chosen\)", out, re.MULTILINE)


def test_cv_lp(capsys):
    assert main(["cv", "--penalty", "lp", "--p", "0.7", "--folds", "3", "--n-alphas", "15"]) == 0
    out = capsys.readouterr().out
    assert "LpRegressionCV: LpRegression(p=0.7)" in out
    assert "violation" in out


# ----------------------------------------------------------------------------------------------------
# errors: one line, exit status 2, no traceback
# ----------------------------------------------------------------------------------------------------
ERROR_CASES = {
    "path unknown penalty": (["path", "--penalty", "l3"], ["--penalty", "'l3'"]),
    "cv unknown penalty": (["cv", "--penalty", "lasso"], ["--penalty", "'lasso'"]),
    "cv l2": (["cv", "--penalty", "l2"], ["--penalty", "--l1-ratio 0"]),
    "l1-ratio text": (["cv", "--penalty", "elasticnet", "--l1-ratio", "0.1,abc"], ["--l1-ratio", "'0.1,abc'"]),
    "l1-ratio empty item": (["cv", "--penalty", "elasticnet", "--l1-ratio", "0.1,,0.5"], ["--l1-ratio"]),
    "l1-ratio too big": (["cv", "--penalty", "elasticnet", "--l1-ratio", "0.5,1.5"], ["--l1-ratio", "[0, 1]"]),
    "l1-ratio negative": (["path", "--penalty", "elasticnet", "--l1-ratio", "-0.1"], ["--l1-ratio", "[0, 1]"]),
    "l1-ratio nan": (["cv", "--penalty", "elasticnet", "--l1-ratio", "nan"], ["--l1-ratio"]),
    "path l1-ratio list": (["path", "--penalty", "elasticnet", "--l1-ratio", "0.2,0.8"], ["single --l1-ratio"]),
    "l1-ratio with lasso": (["cv", "--l1-ratio", "0.5"], ["--l1-ratio", "elasticnet"]),
    "p with lasso": (["path", "--p", "0.5"], ["--p", "lp"]),
    "zero p": (["cv", "--penalty", "lp", "--p", "0"], ["--p", "> 0"]),
    "folds 1": (["cv", "--folds", "1"], ["--folds", ">= 2"]),
    "folds text": (["cv", "--folds", "three"], ["--folds", "'three'"]),
    "folds > samples": (["cv", "--data", "{good}", "--target", "target", "--folds", "50"], ["--folds", "40"]),
    "bad selection": (["cv", "--selection", "best"], ["--selection", "'best'"]),
    "bad eps": (["path", "--eps", "1"], ["--eps"]),
    "bad n-alphas": (["cv", "--n-alphas", "0"], ["--n-alphas"]),
    "missing file": (["path", "--data", "{dir}/nope.csv", "--target", "target"], ["nope.csv", "not found"]),
    "missing column": (["cv", "--data", "{good}", "--target", "price"], ["'price'", "not found"]),
    "data without target": (["path", "--data", "{good}"], ["--target"]),
    "target without data": (["cv", "--target", "y"], ["--data"]),
    "plot into missing dir": (["path", "--plot", "{dir}/no/such/p.png"], ["--plot", "does not exist"]),
    "plot bad format": (["cv", "--plot", "{dir}/p.xyz"], ["--plot", ".xyz"]),
    "csv is a directory": (["path", "--csv", "{dir}"], ["--csv", "directory"]),
    "unknown option": (["cv", "--bogus"], ["--bogus"]),
}


@pytest.fixture
def files(tmp_path):
    good = tmp_path / "good.csv"
    _write_csv(good)
    return {"good": str(good), "dir": str(tmp_path)}


@pytest.mark.parametrize("case", list(ERROR_CASES))
def test_errors_are_one_line_with_status_2(case, files, capsys):
    args, needles = ERROR_CASES[case]
    code = main([a.format(**files) for a in args])
    out, err = capsys.readouterr()
    assert code == 2, (out, err)
    assert "Traceback" not in err and "Traceback" not in out
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("lpnet: error: ")
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


@pytest.mark.parametrize("command", ["path", "cv"])
def test_plot_without_matplotlib(command, tmp_path, capsys, monkeypatch):
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    assert main([command, "--plot", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("lpnet: error: ") and "\n" not in err
    assert "install lpnet[plot]" in err
    assert not (tmp_path / "x.png").exists()


def test_help_lists_the_new_commands(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "path" in out and "cv" in out
    for command in ["path", "cv"]:
        assert main([command, "--help"]) == 0
        assert "--plot" in capsys.readouterr().out
