"""The engines read every row once, in any chunking, and refuse bad data with a message that says where."""

from __future__ import annotations

import numpy as np
import pytest

from lpnet.dask import fold_of, open_data

from .conftest import regression_table, write_csv, write_parquet


def _sums(chunk):
    # a partial result that depends on each row's global index, so misplaced rows would show
    weights = 1.0 + chunk.start + np.arange(chunk.n_rows)
    return weights @ chunk.X, chunk.n_rows, float(weights @ chunk.y)


def _add(a, b):
    return a[0] + b[0], a[1] + b[1], a[2] + b[2]


def _reference(frame):
    X = frame.drop(columns="y").to_numpy()
    weights = 1.0 + np.arange(len(frame))
    return weights @ X, len(frame), float(weights @ frame["y"].to_numpy())


def _assert_same(got, want):
    np.testing.assert_allclose(got[0], want[0], rtol=1e-12)
    assert got[1] == want[1]
    np.testing.assert_allclose(got[2], want[2], rtol=1e-12)


def test_fold_of_is_independent_of_chunking_and_balanced():
    whole = fold_of(0, 10_000, 5, seed=7)
    pieces = np.concatenate([fold_of(s, m, 5, seed=7) for s, m in [(0, 3), (3, 4000), (4003, 5997)]])
    np.testing.assert_array_equal(whole, pieces)
    counts = np.bincount(whole, minlength=5)
    assert counts.min() > 1800 and counts.max() < 2200  # uniform: about 2000 +- 3 sigma (~120)
    assert not np.array_equal(whole, fold_of(0, 10_000, 5, seed=8))


@pytest.mark.parametrize("kind", ["parquet", "csv"])
@pytest.mark.parametrize("chunk_rows", [None, 1, 97])
def test_stream_reads_every_row_once_with_its_global_index(tmp_path, kind, chunk_rows):
    frame = regression_table(n=700 if chunk_rows != 1 else 60)
    files = (write_parquet if kind == "parquet" else write_csv)(frame, tmp_path / kind)
    engine = open_data(files, target="y", chunk_rows=chunk_rows)
    assert engine.name == "stream" and engine.feature_names == [f"x{j}" for j in range(6)]
    _assert_same(engine.map_reduce(_sums, _add), _reference(frame))
    assert engine.n_passes == 1 and engine.n_rows_seen == len(frame)
    engine.map_reduce(_sums, _add)
    assert engine.n_passes == 2 and engine.n_rows_seen == 2 * len(frame)


def test_directory_columns_and_weights(tmp_path):
    frame = regression_table(n=300)
    frame["w"] = np.linspace(0.5, 2.0, len(frame))
    write_parquet(frame, tmp_path / "d")
    engine = open_data(str(tmp_path / "d"), target="y", weight="w", columns=["x3", "x1"])
    assert engine.feature_names == ["x3", "x1"]
    got = engine.map_reduce(lambda c: c.s @ c.X, np.add)
    np.testing.assert_allclose(got, frame["w"].to_numpy() @ frame[["x3", "x1"]].to_numpy(), rtol=1e-12)


def test_text_column_is_refused_by_name(tmp_path):
    frame = regression_table(n=50)
    frame["city"] = "Lyon"
    files = write_parquet(frame, tmp_path / "p")
    with pytest.raises(ValueError, match=r"column 'city' of .*part-0\.parquet is not numeric"):
        open_data(files, target="y")
    csv = write_csv(frame, tmp_path / "c")
    with pytest.raises(ValueError, match="column 'city'"):
        open_data(csv, target="y")


def test_categorical_column_in_a_later_file_is_refused(tmp_path):
    import pandas as pd

    frame = regression_table(n=60)
    d = tmp_path / "p"
    d.mkdir()
    frame.iloc[:30].to_parquet(d / "a.parquet", index=False)
    late = frame.iloc[30:].copy()
    late["x2"] = pd.Categorical(["u", "v"] * 15)
    late.to_parquet(d / "b.parquet", index=False)
    engine = open_data(str(d / "*.parquet"), target="y")
    with pytest.raises(ValueError, match=r"column 'x2' of .*b\.parquet is not numeric"):
        engine.map_reduce(_sums, _add)


@pytest.mark.parametrize("kind", ["parquet", "csv"])
def test_nan_is_refused_with_the_file_and_rows(tmp_path, kind):
    frame = regression_table(n=300)
    frame.loc[[250, 252], "x4"] = np.nan  # in the third file (rows 200..299), its rows 50 and 52
    files = (write_parquet if kind == "parquet" else write_csv)(frame, tmp_path / kind)
    engine = open_data(files, target="y", chunk_rows=1000)
    with pytest.raises(ValueError, match=r"part-2\.\w+.*rows 50\.\.52 .*global rows 250\.\.252"):
        engine.map_reduce(_sums, _add)


def test_infinite_target_is_refused(tmp_path):
    frame = regression_table(n=100)
    frame.loc[10, "y"] = np.inf
    engine = open_data(write_parquet(frame, tmp_path / "p", n_files=1), target="y")
    with pytest.raises(ValueError, match="NaN or infinite"):
        engine.map_reduce(_sums, _add)


@pytest.mark.parametrize("change", ["missing", "extra"])
def test_file_with_other_columns_is_named(tmp_path, change):
    frame = regression_table(n=60)
    d = tmp_path / "p"
    d.mkdir()
    frame.iloc[:30].to_parquet(d / "a.parquet", index=False)
    late = frame.iloc[30:].drop(columns="x1") if change == "missing" else frame.iloc[30:].assign(z=1.0)
    late.to_parquet(d / "b.parquet", index=False)
    engine = open_data(str(d / "*.parquet"), target="y")
    with pytest.raises(ValueError, match=rf"b\.parquet does not have the columns of the first file \({change}"):
        engine.map_reduce(_sums, _add)


def test_reordered_float32_empty_and_single_row_files(tmp_path):
    frame = regression_table(n=200)
    d = tmp_path / "p"
    d.mkdir()
    frame.iloc[:100].to_parquet(d / "a.parquet", index=False)
    frame.iloc[100:100].to_parquet(d / "b.parquet", index=False)  # empty
    frame.iloc[100:101].to_parquet(d / "c.parquet", index=False)  # one row
    reordered = frame.iloc[101:][["y", *reversed([f"x{j}" for j in range(6)])]]
    reordered.astype("float32").to_parquet(d / "d.parquet", index=False)
    engine = open_data(str(d / "*.parquet"), target="y")
    want = frame.copy()
    want.iloc[101:] = want.iloc[101:].astype("float32").astype("float64")
    got = engine.map_reduce(_sums, _add)
    _assert_same(got, _reference(want))


def test_bad_arguments_have_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="no such file"):
        open_data(str(tmp_path / "nothing.parquet"), target="y")
    with pytest.raises(ValueError, match="engine must be one of"):
        open_data(np.ones((3, 2)), np.ones(3), engine="spark")
    with pytest.raises(ValueError, match="engine='stream' reads parquet or CSV"):
        open_data(np.ones((3, 2)), np.ones(3), engine="stream")
    frame = regression_table(n=20)
    files = write_parquet(frame, tmp_path / "p", n_files=1)
    with pytest.raises(ValueError, match="column 'target' is not in"):
        open_data(files, target="target")


def test_memory_engine_matches_stream(tmp_path):
    frame = regression_table(n=500)
    X, y = frame.drop(columns="y").to_numpy(), frame["y"].to_numpy()
    for chunk_rows in (None, 64):
        _assert_same(open_data(X, y, chunk_rows=chunk_rows).map_reduce(_sums, _add), _reference(frame))
    _assert_same(open_data(frame, target="y").map_reduce(_sums, _add), _reference(frame))


def test_import_is_light():
    import subprocess
    import sys

    code = "import sys, lpnet.dask; print(sorted(m for m in ('dask', 'distributed') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
