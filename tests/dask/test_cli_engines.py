"""``lpnet fit|path|cv --data FILES --engine auto|memory|stream|dask``: the out-of-core command line.

The stream and Dask routes are checked against independent references: the in-memory path on the same
files, scikit-learn's Lasso on the same rows (the hashed train split of ``lpnet fit``), lpnet's in-memory
LassoCV on the same hashed folds, and the KKT conditions of tests/kkt.py on the standardized data.
"""

from __future__ import annotations

import json
import re
import socket
import time

import numpy as np
import pytest

from lpnet.cli import build_parser, main
from lpnet.cli import data as cli_data
from lpnet.cli import engines as cli_engines
from lpnet.dask import fold_of
from tests import kkt

from .conftest import regression_table, write_csv, write_parquet

pytest.importorskip("pyarrow")

N, P = 900, 5


@pytest.fixture(scope="module")
def table():
    return regression_table(n=N, p=P, seed=3, mean=2.0)


@pytest.fixture(scope="module")
def files(table, tmp_path_factory):
    """The same table as a parquet directory (3 files, several row groups) and a CSV glob."""
    root = tmp_path_factory.mktemp("cli_engines")
    write_parquet(table, root / "pq", n_files=3, row_group_size=100)
    csv_glob = write_csv(table, root / "csv", n_files=3)
    return {"parquet": str(root / "pq"), "csv": csv_glob, "root": root}


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def standardized(table):
    X = table[[f"x{j}" for j in range(P)]].to_numpy()
    y = table["y"].to_numpy()
    mean, scale = X.mean(axis=0), X.std(axis=0)
    return (X - mean) / scale, y, mean, scale


def read_path_csv(path):
    data = np.genfromtxt(path, delimiter=",", names=True)
    return data["alpha"], np.column_stack([data[f"x{j}"] for j in range(P)]), data["intercept"]


@pytest.mark.parametrize("kind", ["parquet", "csv"])
def test_path_stream_equals_memory(files, table, kind, capsys, tmp_path):
    outs = {}
    for engine in ("memory", "stream"):
        csv_out = tmp_path / f"{engine}.csv"
        argv = ["path", "--data", files[kind], "--target", "y", "--engine", engine, "--n-alphas", "30"]
        code, out, _ = run([*argv, "--tol", "1e-10", "--csv", str(csv_out)], capsys)
        assert code == 0
        outs[engine] = (out, read_path_csv(csv_out))
    (a_m, w_m, b_m), (a_s, w_s, b_s) = outs["memory"][1], outs["stream"][1]
    np.testing.assert_allclose(a_s, a_m, rtol=1e-10)
    assert np.max(np.abs(w_s - w_m)) <= 1e-6 * np.max(np.abs(w_m))
    np.testing.assert_allclose(b_s, b_m, rtol=1e-8)
    assert f"engine stream: 1 pass over the data (3 files), {N} rows read" in outs["stream"][0]
    assert "pass over the data" not in outs["memory"][0]
    # the same report, line for line, but the engine's line
    lines = {e: [x for x in outs[e][0].splitlines() if "pass over the data" not in x] for e in outs}
    assert len(lines["memory"]) == len(lines["stream"])
    # every fit of the streamed path meets the KKT conditions on the standardized data
    Xs, y, _, _ = standardized(table)
    for alpha, w, b in zip(a_s[::6], w_s[::6], b_s[::6], strict=True):
        report = kkt.kkt_violation(Xs, y, np.ones(N), "squared", kkt.PenaltySpec("l1", alpha), w, b, True)
        assert report.max_violation < 1e-6


def test_fit_stream_is_the_lasso_of_the_hashed_split(files, table, capsys, tmp_path):
    from sklearn.linear_model import Lasso

    saved = tmp_path / "model.json"
    argv = ["fit", "--data", files["parquet"], "--target", "y", "--engine", "stream", "--penalty", "l1"]
    code, out, _ = run([*argv, "--alpha", "0.05", "--tol", "1e-12", "--save", str(saved)], capsys)
    assert code == 0
    assert f"engine stream: 1 pass over the data (3 files), {N} rows read" in out
    # reference: scikit-learn on the rows the hash puts outside the test fold, standardized on them
    train = fold_of(0, N, 4, 0) != 0
    X = table[[f"x{j}" for j in range(P)]].to_numpy()[train]
    y = table["y"].to_numpy()[train]
    mean, scale = X.mean(axis=0), X.std(axis=0)
    ref = Lasso(alpha=0.05, tol=1e-14, max_iter=100_000).fit((X - mean) / scale, y)
    model = json.loads(saved.read_text())["attributes"]
    coef = np.asarray(model["coef_"]["data"])
    np.testing.assert_allclose(coef, ref.coef_ / scale, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(model["intercept_"], ref.intercept_ - mean @ (ref.coef_ / scale), rtol=1e-6)
    assert f"{int(train.sum())} train / {int((~train).sum())} test samples" in out


def test_fit_memory_reads_several_files_as_one(files, table, capsys, tmp_path):
    """--engine memory on a directory: today's in-memory fit (train_test_split) of the concatenated files."""
    from sklearn.linear_model import Lasso
    from sklearn.model_selection import train_test_split

    saved = tmp_path / "model.json"
    argv = ["fit", "--data", files["csv"], "--target", "y", "--engine", "memory", "--penalty", "l1"]
    assert run([*argv, "--alpha", "0.05", "--tol", "1e-12", "--save", str(saved)], capsys)[0] == 0
    X = table[[f"x{j}" for j in range(P)]].to_numpy()
    X_tr, _, y_tr, _ = train_test_split(X, table["y"].to_numpy(), test_size=0.25, random_state=0)
    mean, scale = X_tr.mean(axis=0), X_tr.std(axis=0)
    ref = Lasso(alpha=0.05, tol=1e-14, max_iter=100_000).fit((X_tr - mean) / scale, y_tr)
    coef = np.asarray(json.loads(saved.read_text())["attributes"]["coef_"]["data"])
    np.testing.assert_allclose(coef, ref.coef_ / scale, rtol=1e-6, atol=1e-9)


def test_cv_stream_is_the_cv_of_the_hashed_folds(files, table, capsys):
    from lpnet import ElasticNetCV

    argv = ["cv", "--data", files["csv"], "--target", "y", "--penalty", "elasticnet", "--l1-ratio", "0.5,0.9"]
    argv += ["--folds", "3", "--n-alphas", "15", "--tol", "1e-12", "--seed", "7"]
    args = build_parser().parse_args([*argv, "--engine", "stream"])
    values = {"l1_ratio": [0.5, 0.9]}
    got = cli_engines.cv_out_of_core(args, "stream", values)
    # reference: lpnet's in-memory ElasticNetCV on the same folds of the standardized data
    folds = fold_of(0, N, 3, 7)
    splits = [(np.flatnonzero(folds != k), np.flatnonzero(folds == k)) for k in range(3)]
    Xs, y, _, _ = standardized(table)
    ref = ElasticNetCV(l1_ratio=[0.5, 0.9], cv=splits, n_alphas=15, tol=1e-12).fit(Xs, y)
    np.testing.assert_allclose(got.res.alphas, ref.cv_results_.alphas, rtol=1e-10)
    np.testing.assert_allclose(got.res.losses, ref.cv_results_.losses, rtol=1e-6)
    assert got.alpha_ == pytest.approx(ref.alpha_, rel=1e-10)
    chosen = got.fits["min"][4]
    assert np.max(np.abs(chosen.coef_ - ref.coef_)) <= 1e-6 * np.max(np.abs(ref.coef_))
    # the command prints the same choice, with the engine's line
    code, out, _ = run([*argv, "--engine", "stream"], capsys)
    assert code == 0
    assert f"alpha_ = {ref.alpha_!r}"[:14] in out
    assert f"engine stream: 1 pass over the data (3 files), {N} rows read" in out
    assert "min (chosen)" in out and "(certificate)" in out


def test_dask_engine_equals_stream(files, dask_client, capsys, tmp_path):
    outs = {}
    for engine in ("stream", "dask"):
        csv_out = tmp_path / f"{engine}.csv"
        argv = ["path", "--data", files["parquet"], "--target", "y", "--engine", engine, "--n-alphas", "10"]
        code, out, _ = run([*argv, "--csv", str(csv_out)], capsys)
        assert code == 0
        outs[engine] = (out, read_path_csv(csv_out))
    assert "engine dask: 1 pass over the data" in outs["dask"][0]
    np.testing.assert_allclose(outs["dask"][1][1], outs["stream"][1][1], rtol=1e-9, atol=1e-12)


def test_scheduler_address_runs_on_that_cluster(files, dask_client, capsys, tmp_path):
    address = dask_client.scheduler.address
    outs = {}
    for extra in (["--engine", "stream"], ["--scheduler", address]):
        csv_out = tmp_path / f"{extra[0]}.csv"
        argv = ["path", "--data", files["csv"], "--target", "y", "--n-alphas", "10", *extra, "--csv", str(csv_out)]
        code, out, _ = run(argv, capsys)
        assert code == 0
        outs[extra[0]] = (out, read_path_csv(csv_out))
    # CSV on Dask: one pass to count the rows of each file, one for the statistics
    assert f"engine dask: 2 passes over the data (3 files), {2 * N} rows read" in outs["--scheduler"][0]
    np.testing.assert_allclose(outs["--scheduler"][1][1], outs["--engine"][1][1], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize(
    "penalty", [["l2"], ["lp", "--p", "1.5"], ["elasticnet", "--l1-ratio", "0.3"], ["l1", "--no-standardize"]]
)
def test_path_of_every_out_of_core_penalty_equals_memory(files, penalty, capsys, tmp_path):
    paths = {}
    for engine in ("memory", "stream"):
        csv_out = tmp_path / f"{engine}.csv"
        argv = ["path", "--data", files["parquet"], "--target", "y", "--engine", engine, "--penalty", *penalty]
        assert run([*argv, "--n-alphas", "8", "--tol", "1e-10", "--csv", str(csv_out)], capsys)[0] == 0
        paths[engine] = read_path_csv(csv_out)
    np.testing.assert_allclose(paths["stream"][0], paths["memory"][0], rtol=1e-10)
    w_m, w_s = paths["memory"][1], paths["stream"][1]
    assert np.max(np.abs(w_s - w_m)) <= 1e-6 * np.max(np.abs(w_m))


def test_auto_picks_memory_for_small_data_and_stream_beyond_the_budget(files, table, capsys, monkeypatch):
    args = build_parser().parse_args(["path", "--data", files["parquet"], "--target", "y"])
    expected = N * (P + 1) * 8  # rows x columns x 8 bytes, from the parquet metadata
    assert cli_engines.estimated_bytes(*cli_data.data_files(files["parquet"])) == expected
    monkeypatch.setattr(cli_engines, "available_memory", lambda: int(expected / cli_engines.MEMORY_SHARE))
    assert cli_engines.choose_engine(args) == "memory"
    monkeypatch.setattr(cli_engines, "available_memory", lambda: int(expected / cli_engines.MEMORY_SHARE) - 1)
    assert cli_engines.choose_engine(args) == "stream"
    code, out, _ = run(["path", "--data", files["parquet"], "--target", "y", "--n-alphas", "5"], capsys)
    assert code == 0 and "engine stream: 1 pass" in out
    with_scheduler = build_parser().parse_args(
        [*["path", "--data", files["csv"]], "--target", "y", "--scheduler", "x:1"]
    )
    assert cli_engines.choose_engine(with_scheduler) == "dask"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["path", "--data", "{root}/nothing/*.parquet", "--target", "y"], "no parquet or CSV files found"),
        (["path", "--data", "{pq}", "--target", "nope", "--engine", "stream"], "column 'nope' is not in"),
        (["path", "--data", "{pq}", "--target", "nope", "--engine", "memory"], "column 'nope' is not in"),
        (
            ["path", "--data", "{pq}", "--target", "y", "--engine", "stream", "--datafit", "logistic"],
            "use --engine memory",
        ),
        (["path", "--data", "{pq}", "--target", "y", "--engine", "stream", "--penalty", "mcp"], "use --engine memory"),
        (["path", "--data", "{pq}", "--target", "y", "--engine", "stream", "--positive"], "use --engine memory"),
        (["path", "--engine", "stream"], "reads --data FILES"),
        (["cv", "--data", "{pq}", "--target", "y", "--engine", "stream", "--penalty", "lp", "--p", "1.5"], "memory"),
        (["fit", "--data", "{pq}", "--target", "y", "--engine", "stream", "--alpha", "0"], "use --engine memory"),
        (["path", "--data", "{pq}", "--target", "y", "--engine", "stream", "--scheduler", "x:1"], "use --engine dask"),
        (["path", "--data", "{pq}", "--target", "y", "--scheduler", "tcp://127.0.0.1:{port}"], "cannot reach the Dask"),
    ],
)
def test_bad_input_is_one_clear_line(files, capsys, argv, message):
    fill = {"root": str(files["root"]), "pq": files["parquet"], "port": _closed_port()}
    t0 = time.perf_counter()
    code, out, err = run([arg.format(**fill) for arg in argv], capsys)
    assert time.perf_counter() - t0 < 5.0
    assert code == 2 and out == ""
    assert err.startswith("lpnet: error: ") and message in err and len(err.strip().splitlines()) == 1


def test_help_states_the_auto_rule(capsys):
    assert main(["fit", "--help"]) == 0
    text = re.sub(r"\s+", " ", capsys.readouterr().out)
    assert "--engine {auto,memory,stream,dask}" in text
    assert f"at most {cli_engines.MEMORY_SHARE:.0%} of the available memory" in text
    assert "--scheduler ADDRESS" in text and "--workers N" in text and "--progress" in text


def test_progress_bar_per_pass_only_on_request_or_terminal(files, capsys):
    argv = ["path", "--data", files["parquet"], "--target", "y", "--engine", "stream", "--n-alphas", "5"]
    _, _, quiet = run(argv, capsys)  # stderr is captured: not a terminal
    assert "pass over the data" not in quiet
    _, _, shown = run([*argv, "--progress"], capsys)
    n_row_groups = 9  # 3 files of 300 rows in row groups of 100
    assert "pass over the data" in shown and f"{n_row_groups}/{n_row_groups}" in shown
