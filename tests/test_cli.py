"""The ``lpnet`` command line: the demo, fitting a CSV, --save, --version, and one-line errors with exit status 2."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import lpnet
from lpnet import Lasso
from lpnet.cli import DEMO_ALPHA, main
from lpnet.cli import data as _cli_data
from lpnet.io import load

DIABETES_FEATURES = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]
MODEL_LABELS = ["Lasso", "Ridge", "ElasticNet(l1_ratio=0.5)", "LpRegression(p=0.5)"]


def _row(out: str, label: str) -> str:
    lines = [line for line in out.splitlines() if line.startswith(label + " ")]
    assert lines, f"no row for {label!r} in\n{out}"
    return lines[-1]


# ----------------------------------------------------------------------------------------------------
# the demo
# ----------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_output():
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["fit"])
    return code, out.getvalue(), err.getvalue()


def test_demo_runs_and_shows_all_models(demo_output):
    code, out, err = demo_output
    assert code == 0, err
    assert "Traceback" not in err
    assert "diabetes" in out
    assert f"alpha = {DEMO_ALPHA!r}" in out
    header = next(line for line in out.splitlines() if line.startswith("feature "))
    for short in ["Lasso", "Ridge", "EN(0.5)", "Lp(p=0.5)"]:
        assert short in header
    for name in DIABETES_FEATURES:
        assert re.search(rf"^{name}\s", out, re.M), name
    for label in MODEL_LABELS:
        _row(out, label)
    assert "duality gap" in _row(out, "Lasso")
    assert "duality gap" in _row(out, "ElasticNet(l1_ratio=0.5)")
    assert "opt. violation" in _row(out, "LpRegression(p=0.5)")


def test_demo_alpha_gives_exact_zeros(demo_output):
    _, out, _ = demo_output
    zeros = {label: int(re.search(r"\s(\d+)/10\s", _row(out, label)).group(1)) for label in MODEL_LABELS}
    assert zeros["Lasso"] > 0  # the documented reason for the demo's alpha
    assert zeros["Lasso"] < 10
    assert zeros["Ridge"] == 0
    for label in MODEL_LABELS:
        assert " yes " in _row(out, label) + " "  # every demo fit converged


def test_demo_single_penalty_and_options(capsys):
    assert main(["fit", "--penalty", "lp", "--p", "0.7", "--alpha", "2"]) == 0
    out = capsys.readouterr().out
    assert "LpRegression(p=0.7)" in out
    assert "Lasso " not in out
    assert "alpha = 2.0" in out


def test_help_documents_the_alpha(capsys):
    assert main(["fit", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--data" in out and "--save" in out
    assert "why alpha" in out


# ----------------------------------------------------------------------------------------------------
# a user's CSV
# ----------------------------------------------------------------------------------------------------
def _write_csv(path: Path, n=60, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 4)) * np.array([1.0, 10.0, 0.1, 3.0]) + np.array([0.0, 5.0, -1.0, 2.0])
    y = X @ np.array([1.5, 0.2, 0.0, -0.5]) + 4.0 + 0.1 * rng.standard_normal(n)
    names = ["a", "b", "c", "d", "target"]
    with open(path, "w") as fh:
        fh.write(",".join(names) + "\n")
        for row in np.column_stack([X, y]):
            fh.write(",".join(repr(float(v)) for v in row) + "\n")
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    return data[:, :4], data[:, 4]


def _split(X, y):
    from sklearn.model_selection import train_test_split

    return train_test_split(X, y, test_size=0.25, random_state=0)


def _frame(X, names=("a", "b", "c", "d")):
    pd = pytest.importorskip("pandas")
    return pd.DataFrame(X, columns=list(names))


def test_csv_fit_save_load_predict(tmp_path, capsys):
    X, y = _write_csv(tmp_path / "data.csv")
    model_path = tmp_path / "model.json"
    code = main(
        [
            "fit",
            "--data",
            str(tmp_path / "data.csv"),
            "--target",
            "target",
            "--penalty",
            "l1",
            "--alpha",
            "0.05",
            "--save",
            str(model_path),
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    for name in ["a", "b", "c", "d"]:
        assert re.search(rf"^{name}\s", out, re.M)
    assert "Lasso" in out and "Ridge" not in out
    assert "Saved Lasso" in out
    loaded = load(model_path)
    assert isinstance(loaded, Lasso)
    # the saved model is the standardized fit expressed in raw column units
    X_tr, X_te, y_tr, _ = _split(X, y)
    mean, scale = X_tr.mean(axis=0), X_tr.std(axis=0)
    reference = Lasso(alpha=0.05).fit((X_tr - mean) / scale, y_tr)
    np.testing.assert_allclose(loaded.predict(_frame(X_te)), reference.predict((X_te - mean) / scale), rtol=1e-10)
    np.testing.assert_array_equal(loaded.coef_ == 0.0, reference.coef_ == 0.0)


def test_csv_no_standardize_saves_the_raw_fit(tmp_path, capsys):
    X, y = _write_csv(tmp_path / "data.csv")
    model_path = tmp_path / "raw.json"
    code = main(
        [
            "fit",
            "--data",
            str(tmp_path / "data.csv"),
            "--target",
            "target",
            "--penalty",
            "elasticnet",
            "--l1-ratio",
            "0.3",
            "--alpha",
            "0.1",
            "--no-standardize",
            "--save",
            str(model_path),
        ]
    )
    assert code == 0, capsys.readouterr().err
    X_tr, X_te, y_tr, _ = _split(X, y)
    reference = type(load(model_path))(alpha=0.1, l1_ratio=0.3).fit(X_tr, y_tr)
    loaded = load(model_path)
    assert loaded.l1_ratio == 0.3
    np.testing.assert_array_equal(loaded.coef_, reference.coef_)
    # (a DataFrame's column-major copy may round the last bit differently)
    np.testing.assert_allclose(loaded.predict(_frame(X_te)), reference.predict(X_te), rtol=1e-14)


def test_csv_all_four_models(tmp_path, capsys):
    _write_csv(tmp_path / "data.csv")
    assert main(["fit", "--data", str(tmp_path / "data.csv"), "--target", "target", "--alpha", "0.1"]) == 0
    out = capsys.readouterr().out
    for label in MODEL_LABELS:
        _row(out, label)


def test_csv_without_pandas(tmp_path, capsys, monkeypatch):
    _write_csv(tmp_path / "data.csv")
    monkeypatch.setattr(_cli_data, "_import_pandas", lambda: None)  # as if pandas were not installed
    code = main(
        ["fit", "--data", str(tmp_path / "data.csv"), "--target", "target", "--penalty", "l2", "--alpha", "0.1"]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Ridge" in out


@pytest.mark.parametrize("reader", ["pandas", "csv module"])
def test_saved_model_keeps_the_feature_names(reader, tmp_path, capsys, monkeypatch):
    """``load(path).predict(DataFrame)`` works without scikit-learn's "fitted without feature names"
    warning, whichever reader read the CSV, and checks the columns like a model fitted on a DataFrame."""
    import warnings

    pd = pytest.importorskip("pandas")
    if reader == "csv module":
        monkeypatch.setattr(_cli_data, "_import_pandas", lambda: None)
    X, y = _write_csv(tmp_path / "data.csv")
    model_path = tmp_path / "model.json"
    assert (
        main(
            [
                "fit",
                "--data",
                str(tmp_path / "data.csv"),
                "--target",
                "target",
                "--penalty",
                "l2",
                "--alpha",
                "0.1",
                "--save",
                str(model_path),
            ]
        )
        == 0
    ), capsys.readouterr().err
    loaded = load(model_path)
    assert list(loaded.feature_names_in_) == ["a", "b", "c", "d"]
    X_tr, X_te, y_tr, _ = _split(X, y)
    mean, scale = X_tr.mean(axis=0), X_tr.std(axis=0)
    reference = lpnet.Ridge(alpha=0.1).fit((X_tr - mean) / scale, y_tr)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any feature-name warning fails the test
        predicted = loaded.predict(_frame(X_te))
    np.testing.assert_allclose(predicted, reference.predict((X_te - mean) / scale), rtol=1e-10)
    shuffled = pd.DataFrame(X_te, columns=["b", "a", "c", "d"])
    with pytest.raises(ValueError, match="feature names"):
        loaded.predict(shuffled)


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"lpnet {lpnet.__version__}\n"


# ----------------------------------------------------------------------------------------------------
# errors: one line, exit status 2, no traceback
# ----------------------------------------------------------------------------------------------------
@pytest.fixture
def csv_files(tmp_path):
    good = tmp_path / "good.csv"
    _write_csv(good)
    text = good.read_text().splitlines()
    nonnum = tmp_path / "nonnum.csv"
    nonnum.write_text(
        "\n".join([text[0] + ",city"] + [line + (",Paris" if i % 2 else ",Oslo") for i, line in enumerate(text[1:])])
        + "\n"
    )
    nan = tmp_path / "nan.csv"
    rows = [line.split(",") for line in text]
    rows[3][2] = ""
    rows[5][2] = "nan"
    nan.write_text("\n".join(",".join(r) for r in rows) + "\n")
    tiny = tmp_path / "tiny.csv"
    tiny.write_text("\n".join(text[:4]) + "\n")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    return {
        "good": str(good),
        "nonnum": str(nonnum),
        "nan": str(nan),
        "tiny": str(tiny),
        "empty": str(empty),
        "dir": str(tmp_path),
    }


ERROR_CASES = {
    "missing file": (["--data", "{dir}/nope.csv", "--target", "target", "--alpha", "1"], ["nope.csv", "not found"]),
    "missing column": (["--data", "{good}", "--target", "price", "--alpha", "1"], ["'price'", "not found"]),
    "non-numeric column": (["--data", "{nonnum}", "--target", "target", "--alpha", "1"], ["non-numeric", "'city'"]),
    "nan": (["--data", "{nan}", "--target", "target", "--alpha", "1"], ["missing values", "'c'"]),
    "too few rows": (["--data", "{tiny}", "--target", "target", "--alpha", "1"], ["3 data rows", "train/test split"]),
    "empty file": (["--data", "{empty}", "--target", "target", "--alpha", "1"], ["empty"]),
    "directory": (["--data", "{dir}", "--target", "target", "--alpha", "1"], ["directory"]),
    "negative alpha": (["--alpha", "-1"], ["--alpha", ">= 0"]),
    "nan alpha": (["--alpha", "nan"], ["--alpha"]),
    "text alpha": (["--alpha", "abc"], ["--alpha", "'abc'"]),
    "zero p": (["--penalty", "lp", "--p", "0"], ["--p", "> 0"]),
    "negative p": (["--p", "-2"], ["--p"]),
    "inf p": (["--p", "inf"], ["--p"]),
    "l1_ratio too big": (["--l1-ratio", "1.5"], ["--l1-ratio", "[0, 1]"]),
    "l1_ratio with lasso": (["--penalty", "l1", "--l1-ratio", "0.5"], ["--l1-ratio", "elasticnet"]),
    "p with ridge": (["--penalty", "l2", "--p", "0.5"], ["--p", "lp"]),
    "unknown penalty": (["--penalty", "l3"], ["--penalty", "l3"]),
    "data without target": (["--data", "{good}", "--alpha", "1"], ["--target"]),
    "data without alpha": (["--data", "{good}", "--target", "target"], ["--alpha"]),
    "target without data": (["--target", "y"], ["--data"]),
    "save without penalty": (["--save", "{dir}/m.json"], ["--penalty"]),
    "bad max_iter": (["--max-iter", "0"], ["--max-iter"]),
    "unknown option": (["--bogus"], ["--bogus"]),
}


@pytest.mark.parametrize("case", list(ERROR_CASES))
def test_errors_are_one_line_with_status_2(case, csv_files, capsys):
    args, needles = ERROR_CASES[case]
    code = main(["fit", *[a.format(**csv_files) for a in args]])
    out, err = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in err and "Traceback" not in out
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("lpnet: error: ")
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


def test_error_cases_also_fail_without_pandas(csv_files, capsys, monkeypatch):
    monkeypatch.setattr(_cli_data, "_import_pandas", lambda: None)
    for case in ["missing column", "non-numeric column", "nan", "empty file"]:
        args, needles = ERROR_CASES[case]
        assert main(["fit", *[a.format(**csv_files) for a in args]]) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith("lpnet: error: ") and "\n" not in err
        for needle in needles:
            assert needle in err, (case, err)


def test_no_command(capsys):
    assert main([]) == 2
    assert capsys.readouterr().err.startswith("lpnet: error: missing command")


# ----------------------------------------------------------------------------------------------------
# the installed console script
# ----------------------------------------------------------------------------------------------------
def _console_script() -> str:
    name = "lpnet.exe" if os.name == "nt" else "lpnet"
    script = Path(sys.executable).with_name(name)
    if not script.exists():
        pytest.skip("the lpnet console script is not installed next to this Python")
    return str(script)


def test_console_script_runs_the_demo(tmp_path):
    script = _console_script()
    # (pandas is not checked: scikit-learn itself imports it whenever it is installed)
    probe = (
        "import sys; import lpnet.cli as c; code = c.main(['fit']); "
        "print('HEAVY', [m for m in ('matplotlib', 'torch') if m in sys.modules]); sys.exit(code)"
    )
    done = subprocess.run([script, "fit"], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    for label in MODEL_LABELS:
        _row(done.stdout, label)
    # the demo imports neither matplotlib nor torch
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "HEAVY []" in done.stdout


def test_console_script_version(tmp_path):
    done = subprocess.run([_console_script(), "--version"], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"lpnet {lpnet.__version__}\n"
    probe = (
        "import sys; import lpnet.cli as c; code = c.main(['--version']); "
        "print('HEAVY', [m for m in ('matplotlib', 'torch') if m in sys.modules]); sys.exit(code)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "HEAVY []" in done.stdout


def test_console_script_error_exit_status(tmp_path):
    done = subprocess.run(
        [_console_script(), "fit", "--data", "missing.csv", "--target", "y", "--alpha", "1"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == "lpnet: error: data file 'missing.csv' not found"
    assert done.stdout == ""


def test_demo_data_fast_path_matches_load_diabetes():
    """The demo reads scikit-learn's data files directly (cheaper start-up): same data as load_diabetes."""
    from sklearn.datasets import load_diabetes

    X, y, names, _ = _cli_data.load_demo()
    ref = load_diabetes(scaled=False)
    np.testing.assert_array_equal(X, ref.data)
    np.testing.assert_array_equal(y, ref.target)
    assert names == list(ref.feature_names)
