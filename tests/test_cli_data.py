"""Reading a user's CSV for ``lpnet fit``, ``lpnet path`` and ``lpnet cv``: header-only files, the index
column of ``DataFrame.to_csv()``, constant columns, ';' and tab separators, two-valued targets and the
minimum number of rows.  Every case runs with pandas and with the csv-module reader, which must agree."""

from __future__ import annotations

import numpy as np
import pytest

from lpnet.cli import data as _cli_data
from lpnet.cli import main

READERS = ["pandas", "csv module"]


@pytest.fixture(params=READERS)
def reader(request, monkeypatch):
    if request.param == "pandas":
        pytest.importorskip("pandas")
    else:
        monkeypatch.setattr(_cli_data, "_import_pandas", lambda: None)  # as if pandas were not installed
    return request.param


def _data(n=60, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 4)) * np.array([1.0, 3.0, 0.5, 2.0])
    y = X @ np.array([2.0, 0.0, 0.0, -1.0]) + 1.0 + 0.1 * rng.standard_normal(n)
    return X, y


def _write(path, header, rows, sep=",", decimal="."):
    def cell(v):
        text = repr(float(v)) if isinstance(v, (float, np.floating)) else str(v)
        return text.replace(".", decimal)

    with open(path, "w", encoding="utf-8") as fh:
        fh.write(sep.join(header) + "\n")
        fh.writelines(sep.join(cell(v) for v in row) + "\n" for row in rows)
    return str(path)


def _run(args, capsys):
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def _sklearn_lasso_split(X, y, alpha):
    """scikit-learn's Lasso (same objective as lpnet's) on lpnet fit's standardized 75/25 split."""
    from sklearn.linear_model import Lasso
    from sklearn.model_selection import train_test_split

    X_tr, _, y_tr, _ = train_test_split(X, y, test_size=0.25, random_state=0)
    scale = X_tr.std(axis=0)
    scale[scale == 0] = 1.0
    return Lasso(alpha=alpha, tol=1e-12, max_iter=100_000).fit((X_tr - X_tr.mean(axis=0)) / scale, y_tr)


def _fit_row(out, label="Lasso"):
    return next(line for line in out.splitlines() if line.startswith(label + " "))


# ----------------------------------------------------------------------------------------------------
# header-only files and the number of rows
# ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("command", [["fit", "--alpha", "1"], ["path"], ["cv"]])
def test_header_only_file_has_no_data_rows(command, reader, tmp_path, capsys):
    path = tmp_path / "header.csv"
    path.write_text("a,b,target\n")
    code, out, err = _run([*command, "--data", str(path), "--target", "target"], capsys)
    assert code == 2
    assert err.strip() == f"lpnet: error: data file {str(path)!r} has a header row but no data rows"


def test_few_rows_fail_only_where_a_split_happens(reader, tmp_path, capsys):
    X, y = _data(n=6)
    data = _write(tmp_path / "six.csv", ["a", "b", "c", "d", "target"], np.column_stack([X, y]))
    code, out, err = _run(["fit", "--data", data, "--target", "target", "--alpha", "0.1"], capsys)
    assert code == 2
    assert "6 data rows" in err and "at least 8" in err and "train/test split" in err
    for command in (["path", "--n-alphas", "5"], ["cv", "--folds", "3", "--n-alphas", "5"]):
        code, out, err = _run([*command, "--data", data, "--target", "target"], capsys)
        assert code == 0, err
        assert "at least 8" not in out + err and "6 samples" in out


# ----------------------------------------------------------------------------------------------------
# the index column of DataFrame.to_csv()
# ----------------------------------------------------------------------------------------------------
def test_index_column_is_dropped_with_a_note(reader, tmp_path, capsys):
    X, y = _data()
    rows = np.column_stack([np.arange(len(y)), X, y])
    data = _write(tmp_path / "indexed.csv", ["", "a", "b", "c", "d", "target"], rows)
    model = tmp_path / "m.json"
    code, out, err = _run(
        ["fit", "--data", data, "--target", "target", "--penalty", "l1", "--alpha", "0.05", "--save", str(model)],
        capsys,
    )
    assert code == 0, err
    assert "lpnet: note: dropped the first column" in err and "index=False" in err
    assert "4 features" in out and "Unnamed" not in out
    from lpnet import load

    loaded = load(model)
    assert list(loaded.feature_names_in_) == ["a", "b", "c", "d"]
    reference = _sklearn_lasso_split(X, y, 0.05)
    assert f"{int(np.sum(reference.coef_ == 0))}/4" in _fit_row(out)
    np.testing.assert_array_equal(loaded.coef_ != 0, reference.coef_ != 0)


def test_pandas_to_csv_output_reads_the_same(tmp_path, capsys):
    """The file that ``DataFrame.to_csv()`` (index included) writes, read by both readers."""
    pd = pytest.importorskip("pandas")
    X, y = _data()
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"]).assign(target=y)
    frame.to_csv(tmp_path / "frame.csv")
    results = {}
    for reader in READERS:
        with pytest.MonkeyPatch.context() as mp:
            if reader == "csv module":
                mp.setattr(_cli_data, "_import_pandas", lambda: None)
            Xr, yr, names, _ = _cli_data.load_csv(str(tmp_path / "frame.csv"), "target")
        results[reader] = (Xr, yr, names)
        assert names == ["a", "b", "c", "d"]
        np.testing.assert_array_equal(Xr, X)
        np.testing.assert_array_equal(yr, y)
    assert capsys.readouterr().err.count("dropped the first column") == 2


def test_a_column_named_by_the_user_is_kept(reader, tmp_path, capsys):
    X, y = _data()
    data = _write(
        tmp_path / "named.csv", ["id", "a", "b", "c", "d", "target"], np.column_stack([np.arange(len(y)), X, y])
    )
    code, out, err = _run(["path", "--data", data, "--target", "target", "--n-alphas", "5"], capsys)
    assert code == 0, err
    assert "5 features" in out and "dropped" not in err


# ----------------------------------------------------------------------------------------------------
# constant columns
# ----------------------------------------------------------------------------------------------------
def test_constant_columns_warn_and_are_not_counted_as_zeros(reader, tmp_path, capsys):
    X, y = _data()
    rows = np.column_stack([X[:, :2], np.full(len(y), 7.0), X[:, 2:], y])
    data = _write(tmp_path / "const.csv", ["a", "b", "k", "c", "d", "target"], rows)
    code, out, err = _run(["fit", "--data", data, "--target", "target", "--penalty", "l1", "--alpha", "0.1"], capsys)
    assert code == 0, err
    assert "lpnet: warning: constant columns" in err and "'k'" in err
    reference = _sklearn_lasso_split(X, y, 0.1)
    zeros = int(np.sum(reference.coef_ == 0))
    assert 0 < zeros < 4  # b and c: the data have zero coefficients there
    assert f" {zeros}/4 " in _fit_row(out)  # the constant column is in neither count
    assert "constant: k" in out

    code, out, err = _run(["path", "--data", data, "--target", "target", "--n-alphas", "10"], capsys)
    assert code == 0, err
    first = next(line for line in out.splitlines() if line.lstrip().startswith("1 "))
    assert " 0/4 " in first
    never = next((line for line in out.splitlines() if "never nonzero" in line), "")
    assert "k" not in never.split(":")[-1].split(", ")
    assert "constant columns (not counted): k" in out

    code, out, err = _run(["cv", "--data", data, "--target", "target", "--folds", "3", "--n-alphas", "10"], capsys)
    assert code == 0, err
    assert "/4 " in next(line for line in out.splitlines() if line.startswith("min (chosen)"))


# ----------------------------------------------------------------------------------------------------
# field separators
# ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("sep, decimal, shown", [(";", ",", "';'"), (";", ".", "';'"), ("\t", ".", "tabs")])
def test_other_separators_are_recognised(sep, decimal, shown, reader, tmp_path, capsys):
    X, y = _data()
    data = _write(
        tmp_path / "semi.csv", ["a", "b", "c", "d", "target"], np.column_stack([X, y]), sep=sep, decimal=decimal
    )
    Xr, yr, names, _ = _cli_data.load_csv(data, "target")
    err = capsys.readouterr().err
    assert names == ["a", "b", "c", "d"]
    np.testing.assert_array_equal(Xr, X)
    np.testing.assert_array_equal(yr, y)
    assert f"separated by {shown}" in err
    assert ("decimal commas read in 'a', 'b', 'c', 'd', 'target'" in err) == (decimal == ",")
    code, out, err = _run(["fit", "--data", data, "--target", "target", "--penalty", "l1", "--alpha", "0.1"], capsys)
    assert code == 0, err


def test_decimal_commas_are_not_read_in_a_comma_separated_file(reader, tmp_path, capsys):
    path = tmp_path / "quoted.csv"
    path.write_text("a,target\n" + "".join(f'"{i},5",{i}\n' for i in range(10)))
    code, out, err = _run(["path", "--data", str(path), "--target", "target"], capsys)
    assert code == 2
    assert "non-numeric columns" in err and "'a'" in err


def test_repeated_header_names_are_numbered_as_pandas_does(reader, tmp_path, capsys):
    X, y = _data()
    data = _write(tmp_path / "twice.csv", ["a", "a", "b", "b", "target"], np.column_stack([X, y]))
    Xr, _, names, _ = _cli_data.load_csv(data, "target")
    assert names == ["a", "a.1", "b", "b.1"]
    np.testing.assert_array_equal(Xr, X)


# ----------------------------------------------------------------------------------------------------
# a two-valued target fitted by least squares
# ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "command",
    [
        ["fit", "--alpha", "0.01", "--penalty", "l2"],
        ["path", "--n-alphas", "5"],
        ["cv", "--folds", "3", "--n-alphas", "5"],
    ],
)
def test_two_valued_target_gets_a_note(command, reader, tmp_path, capsys):
    X, y = _data()
    labels = (y > np.median(y)).astype(int)
    data = _write(tmp_path / "labels.csv", ["a", "b", "c", "d", "label"], np.column_stack([X, labels]))
    code, out, err = _run([*command, "--data", data, "--target", "label"], capsys)
    assert code == 0, err
    assert "lpnet: note: the target 'label' takes only two values (0 and 1)" in err
    assert "--datafit logistic" in err
    if command[0] == "fit":
        assert "train R2" in out  # a note, not a switch to the classifier


def test_continuous_target_gets_no_note(reader, tmp_path, capsys):
    X, y = _data()
    data = _write(tmp_path / "plain.csv", ["a", "b", "c", "d", "target"], np.column_stack([X, y]))
    code, out, err = _run(["fit", "--data", data, "--target", "target", "--alpha", "0.1"], capsys)
    assert code == 0
    assert err == ""
