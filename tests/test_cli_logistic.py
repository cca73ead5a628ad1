"""``--datafit logistic`` for ``lpnet fit``, ``lpnet path`` and ``lpnet cv``, checked against scikit-learn.

lpnet's ``LogisticRegression(penalty="l2", alpha)`` minimizes ``1/n sum log(1 + exp(-y z)) + alpha/2 ||w||^2``,
which is scikit-learn's ``LogisticRegression(C=1 / (n alpha))``.  The comparisons run with ``--tol 1e-12``:
at the default tolerance the certified duality gap still allows differences of order 1e-4.
"""

from __future__ import annotations

import csv

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.metrics import accuracy_score, log_loss

import lpnet
from lpnet.cli import main

NAMES = ["a", "b", "c", "d"]


def _classification(n=80, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 4)) * np.array([1.0, 4.0, 0.5, 2.0]) + np.array([0.0, 3.0, 0.0, -1.0])
    z = (X - X.mean(axis=0)) / X.std(axis=0) @ np.array([1.5, -1.0, 0.0, 0.5]) + 0.3
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-z))).astype(int)
    return X, y


def _write(path, X, y, target="label"):
    with open(path, "w") as fh:
        fh.write(",".join([*NAMES, target]) + "\n")
        fh.writelines(",".join([*(repr(float(v)) for v in row), str(label)]) + "\n" for row, label in zip(X, y))
    return str(path)


def _sklearn(X, y, alpha):
    return SkLogisticRegression(C=1.0 / (len(y) * alpha), tol=1e-12, max_iter=100_000).fit(X, y)


def _standardize(X, ref):
    return (X - ref.mean(axis=0)) / ref.std(axis=0)


def _run(args, capsys):
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


# ----------------------------------------------------------------------------------------------------
# lpnet fit
# ----------------------------------------------------------------------------------------------------
def test_fit_logistic_l2_matches_sklearn(tmp_path, capsys):
    from sklearn.model_selection import train_test_split

    pd = pytest.importorskip("pandas")
    X, y = _classification()
    data, model = _write(tmp_path / "d.csv", X, y), tmp_path / "m.json"
    alpha = 0.02
    code, out, err = _run(
        [
            "fit",
            "--data",
            data,
            "--target",
            "label",
            "--datafit",
            "logistic",
            "--penalty",
            "l2",
            "--alpha",
            str(alpha),
            "--tol",
            "1e-12",
            "--save",
            str(model),
        ],
        capsys,
    )
    assert code == 0, err
    assert "R2" not in out and "stratified by class" in out
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    sk = _sklearn(_standardize(X_tr, X_tr), y_tr, alpha)
    Xs_tr, Xs_te = _standardize(X_tr, X_tr), _standardize(X_te, X_tr)
    row = next(line for line in out.splitlines() if line.startswith("LogisticRegression(l2) ")).split()
    expected = [
        accuracy_score(y_tr, sk.predict(Xs_tr)),
        accuracy_score(y_te, sk.predict(Xs_te)),
        log_loss(y_tr, sk.predict_proba(Xs_tr)),
        log_loss(y_te, sk.predict_proba(Xs_te)),
    ]
    np.testing.assert_allclose([float(v) for v in row[2:6]], expected, atol=1.5e-4)
    assert row[1] == "0/4"  # L2 sets no coefficient to zero

    loaded = lpnet.load(model)
    assert isinstance(loaded, lpnet.LogisticRegression)
    assert list(loaded.classes_) == [0, 1] and list(loaded.feature_names_in_) == NAMES
    frame = pd.DataFrame(X_te, columns=NAMES)  # raw column units, as in the CSV
    np.testing.assert_allclose(loaded.predict_proba(frame), sk.predict_proba(Xs_te), atol=1e-6)
    np.testing.assert_array_equal(loaded.predict(frame), sk.predict(Xs_te))


def test_fit_logistic_compares_all_four_penalties(tmp_path, capsys):
    X, y = _classification()
    data = _write(tmp_path / "d.csv", X, y)
    code, out, err = _run(
        ["fit", "--data", data, "--target", "label", "--datafit", "logistic", "--alpha", "0.05"], capsys
    )
    assert code == 0, err
    header = next(line for line in out.splitlines() if line.startswith("model "))
    assert "test acc." in header and "test log-loss" in header and "R2" not in header
    for label in [
        "LogisticRegression(l1)",
        "LogisticRegression(l2)",
        "LogisticRegression(elasticnet, l1_ratio=0.5)",
        "LogisticRegression(lp, p=0.5)",
    ]:
        row = next(line for line in out.splitlines() if line.startswith(label + " "))
        assert " yes " in row
    assert "opt. violation" in next(line for line in out.splitlines() if line.startswith("LogisticRegression(lp"))
    assert "log(1 + exp(-y_i" in out
    assert err == ""  # no note about a two-valued target: it is fitted as a classifier


def test_fit_logistic_with_the_csv_module_reader(tmp_path, capsys, monkeypatch):
    from lpnet.cli import data as _cli_data

    monkeypatch.setattr(_cli_data, "_import_pandas", lambda: None)
    X, y = _classification()
    data = _write(tmp_path / "d.csv", X, y)
    code, out, err = _run(
        ["fit", "--data", data, "--target", "label", "--datafit", "logistic", "--penalty", "l1", "--alpha", "0.05"],
        capsys,
    )
    assert code == 0, err
    assert "LogisticRegression(l1) " in out


# ----------------------------------------------------------------------------------------------------
# lpnet path
# ----------------------------------------------------------------------------------------------------
def test_path_logistic_matches_sklearn(tmp_path, capsys):
    X, y = _classification()
    data, table = _write(tmp_path / "d.csv", X, y), tmp_path / "path.csv"
    code, out, err = _run(
        [
            "path",
            "--data",
            data,
            "--target",
            "label",
            "--datafit",
            "logistic",
            "--penalty",
            "l2",
            "--n-alphas",
            "6",
            "--eps",
            "0.01",
            "--tol",
            "1e-12",
            "--csv",
            str(table),
        ],
        capsys,
    )
    assert code == 0, err
    assert "logistic loss (classes 0 and 1; positive: 1)" in out
    with open(table, newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    Xs = _standardize(X, X)
    shown = [line.split() for line in out.split("Path (")[1].splitlines()[3:9]]
    for row, line in zip(body, shown):
        alpha = float(row[0])
        sk = _sklearn(Xs, y, alpha)
        coef = np.array([float(row[header.index(name)]) for name in NAMES])
        np.testing.assert_allclose(coef, sk.coef_.ravel(), rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(float(row[1]), sk.intercept_[0], rtol=1e-4, atol=1e-6)
        assert float(line[3]) == pytest.approx(accuracy_score(y, sk.predict(Xs)), abs=1e-4)
        assert float(line[4]) == pytest.approx(log_loss(y, sk.predict_proba(Xs)), abs=1e-4)


# ----------------------------------------------------------------------------------------------------
# lpnet cv
# ----------------------------------------------------------------------------------------------------
def test_cv_logistic_matches_sklearn_fold_losses(tmp_path, capsys):
    from sklearn.model_selection import StratifiedKFold

    X, y = _classification()
    data = _write(tmp_path / "d.csv", X, y)
    code, out, err = _run(
        [
            "cv",
            "--data",
            data,
            "--target",
            "label",
            "--datafit",
            "logistic",
            "--penalty",
            "l2",
            "--folds",
            "3",
            "--seed",
            "2",
            "--n-alphas",
            "12",
        ],
        capsys,
    )
    assert code == 0, err
    assert "LogisticRegressionCV: LogisticRegression(l2)" in out and "StratifiedKFold" in out
    Xs = _standardize(X, X)
    folds = StratifiedKFold(3, shuffle=True, random_state=2)
    ref = lpnet.LogisticRegressionCV("l2", cv=folds, n_alphas=12).fit(Xs, y)
    assert f"alpha_ = {ref.alpha_!r}" in out
    # the mean validation log-loss at the chosen alpha, from scikit-learn's fits of the same folds
    losses = [
        log_loss(y[test], _sklearn(Xs[train], y[train], ref.alpha_).predict_proba(Xs[test]))
        for train, test in folds.split(Xs, y)
    ]
    row = next(line for line in out.splitlines() if line.startswith("min (chosen)")).split()
    assert "mean CV log-loss" in out
    assert float(row[4]) == pytest.approx(np.mean(losses), rel=1e-4)


# ----------------------------------------------------------------------------------------------------
# errors: one line, exit status 2
# ----------------------------------------------------------------------------------------------------
@pytest.fixture
def files(tmp_path):
    X, y = _classification()
    rng = np.random.default_rng(1)
    return {
        "two": _write(tmp_path / "two.csv", X, y),
        "three": _write(tmp_path / "three.csv", X, rng.integers(0, 3, len(y))),
        "continuous": _write(tmp_path / "cont.csv", X, np.round(X[:, 0], 3)),
        "single": _write(tmp_path / "single.csv", X, np.r_[1, np.zeros(len(y) - 1, dtype=int)]),
    }


ERROR_CASES = {
    "demo fit": (["fit", "--datafit", "logistic"], ["--datafit logistic needs --data"]),
    "demo path": (["path", "--datafit", "logistic"], ["--datafit logistic needs --data"]),
    "demo cv": (["cv", "--datafit", "logistic"], ["--datafit logistic needs --data"]),
    "three classes": (
        ["fit", "--data", "{three}", "--target", "label", "--datafit", "logistic", "--alpha", "1"],
        ["exactly two classes", "3 distinct values"],
    ),
    "continuous": (
        ["path", "--data", "{continuous}", "--target", "label", "--datafit", "logistic"],
        ["exactly two classes"],
    ),
    "single row of a class": (
        ["fit", "--data", "{single}", "--target", "label", "--datafit", "logistic", "--alpha", "1"],
        ["single row", "stratified"],
    ),
    "folds > class size": (
        ["cv", "--data", "{single}", "--target", "label", "--datafit", "logistic"],
        ["--folds 5", "smaller class (1)"],
    ),
    "unknown datafit": (["fit", "--datafit", "hinge"], ["--datafit", "'hinge'"]),
    "l2 cv least squares": (
        ["cv", "--data", "{two}", "--target", "label", "--penalty", "l2"],
        ["--penalty", "--datafit logistic"],
    ),
}


@pytest.mark.parametrize("case", list(ERROR_CASES))
def test_errors_are_one_line_with_status_2(case, files, capsys):
    args, needles = ERROR_CASES[case]
    code, out, err = _run([a.format(**files) for a in args], capsys)
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert lines[-1].startswith("lpnet: error: ") and "Traceback" not in err
    assert all(line.startswith("lpnet: ") for line in lines)  # at most notes before the error
    for needle in needles:
        assert needle in lines[-1], (needle, lines[-1])
