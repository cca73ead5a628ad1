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

from .conftest import assert_close, regression_table, write_csv, write_parquet

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
            "needs a target with exactly two classes",
        ),
        (
            ["path", "--data", "{pq}", "--target", "y", "--engine", "stream", "--datafit", "logistic", "--positive"],
            "use --engine memory",
        ),
        (
            ["cv", "--data", "{pq}", "--target", "y", "--engine", "stream", "--datafit", "logistic", "--penalty", "lp"],
            "use --engine memory",
        ),
        (["path", "--data", "{pq}", "--target", "y", "--engine", "stream", "--datafit", "huber"], "--engine memory"),
        (["path", "--data", "{pq}", "--target", "y", "--engine", "stream", "--datafit", "poisson"], "non-negative"),
        (["path", "--data", "{pq}", "--target", "y", "--engine", "stream", "--penalty", "mcp"], "use --engine memory"),
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
    n_pieces = 3  # 3 files of 300 rows in row groups of 100: each file's groups read as one piece
    assert "pass over the data" in shown and f"{n_pieces}/{n_pieces}" in shown


# ----------------------------------------------------------------------------------------------------
# --datafit logistic out of core
# ----------------------------------------------------------------------------------------------------
NL = 600


@pytest.fixture(scope="module")
def labels(tmp_path_factory):
    """A binary classification table (features with means and spreads far from 0 and 1) as parquet files."""
    import pandas as pd

    rng = np.random.default_rng(11)
    X = rng.normal(size=(NL, 4)) * np.array([1.0, 4.0, 0.5, 2.0]) + np.array([0.0, 3.0, 0.0, -1.0])
    z = (X - X.mean(axis=0)) / X.std(axis=0) @ np.array([1.5, -1.0, 0.0, 0.5]) + 0.3
    y = (rng.random(NL) < 1.0 / (1.0 + np.exp(-z))).astype(int)
    frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(4)])
    frame["label"] = y
    root = tmp_path_factory.mktemp("cli_logistic")
    return frame, write_parquet(frame, root / "pq", n_files=3, row_group_size=70)


def fit_l2_stream(frame, data, target, datafit, alpha, capsys, tmp_path):
    """``lpnet fit --engine stream`` with an L2 penalty, saved: its output, the model's attributes, and
    ``(X, y, test, mean, scale)``: the data, the CLI's hashed test rows, and the training rows' mean and
    standard deviation (the CLI's standardization)."""
    saved = tmp_path / "model.json"
    argv = ["fit", "--data", data, "--target", target, "--datafit", datafit, "--engine", "stream", "--penalty", "l2"]
    code, out, _ = run([*argv, "--alpha", str(alpha), "--tol", "1e-11", "--save", str(saved)], capsys)
    assert code == 0
    test = fold_of(0, NL, 4, 0) == 0
    X, y = frame[[f"x{j}" for j in range(4)]].to_numpy(), frame[target].to_numpy()
    mean, scale = X[~test].mean(axis=0), X[~test].std(axis=0)
    return out, json.loads(saved.read_text())["attributes"], X, y, test, mean, scale


def test_fit_logistic_stream_is_sklearn_on_the_hashed_split(labels, capsys, tmp_path):
    from sklearn.linear_model import LogisticRegression

    frame, data = labels
    out, model, X, y, test, mean, scale = fit_l2_stream(frame, data, "label", "logistic", 0.02, capsys, tmp_path)
    # reference: scikit-learn (C = 1 / (n alpha)) on the rows the hash keeps for training, standardized on them
    ref = LogisticRegression(C=1.0 / ((~test).sum() * 0.02), tol=1e-12, max_iter=10_000)
    ref.fit((X[~test] - mean) / scale, y[~test])
    coef = np.ravel(model["coef_"]["data"])
    np.testing.assert_allclose(coef, ref.coef_[0] / scale, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(model["intercept_"]["data"], ref.intercept_ - mean @ (ref.coef_[0] / scale), rtol=1e-6)
    # the printed scores are the reference's accuracy and log-loss on each part
    Xs = (X - mean) / scale
    row = next(line for line in out.splitlines() if line.startswith("LogisticRegression(l2)"))
    printed = [float(v) for v in row.split()[2:6]]
    z = Xs @ ref.coef_[0] + ref.intercept_[0]
    sign = np.where(y == 1, 1.0, -1.0)
    expected = [
        np.mean((z[~test] > 0) == (y[~test] == 1)),
        np.mean((z[test] > 0) == (y[test] == 1)),
        np.mean(np.logaddexp(0.0, -sign[~test] * z[~test])),
        np.mean(np.logaddexp(0.0, -sign[test] * z[test])),
    ]
    np.testing.assert_allclose(printed, expected, atol=6e-5)
    assert f"{int((~test).sum())} train / {int(test.sum())} test samples" in out
    assert "engine stream:" in out and "classes 0 and 1 (positive: 1" in out


def test_path_logistic_stream_equals_memory(labels, capsys, tmp_path):
    _, data = labels
    paths, outs = {}, {}
    for engine in ("memory", "stream"):
        csv_out = tmp_path / f"{engine}.csv"
        argv = ["path", "--data", data, "--target", "label", "--datafit", "logistic", "--engine", engine]
        code, out, _ = run([*argv, "--n-alphas", "8", "--tol", "1e-10", "--csv", str(csv_out)], capsys)
        assert code == 0
        data_csv = np.genfromtxt(csv_out, delimiter=",", names=True)
        paths[engine] = (data_csv["alpha"], np.column_stack([data_csv[f"x{j}"] for j in range(4)]))
        outs[engine] = out
    np.testing.assert_allclose(paths["stream"][0], paths["memory"][0], rtol=1e-10)
    assert np.max(np.abs(paths["stream"][1] - paths["memory"][1])) <= 1e-6 * np.max(np.abs(paths["memory"][1]))
    # the path table (accuracy, log-loss per alpha) reads the same but for the certificates
    tables = {e: [line.split()[:5] for line in outs[e].splitlines() if line[:3].strip().isdigit()] for e in outs}
    assert tables["stream"] == tables["memory"] and len(tables["stream"]) >= 8
    assert "engine stream:" in outs["stream"]


def test_cv_logistic_stream_is_the_cv_of_the_hashed_folds(labels, capsys):
    """The printed CV loss at the chosen alpha equals in-memory lpnet fits on the hashed folds."""
    import lpnet

    frame, data = labels
    argv = ["cv", "--data", data, "--target", "label", "--datafit", "logistic", "--engine", "stream"]
    argv += ["--penalty", "l1", "--folds", "3", "--n-alphas", "6", "--tol", "1e-10", "--seed", "5"]
    args = build_parser().parse_args(argv)
    got = cli_engines.cv_out_of_core(args, "stream", {})
    X, y = frame[[f"x{j}" for j in range(4)]].to_numpy(), frame["label"].to_numpy()
    Xs = (X - X.mean(axis=0)) / X.std(axis=0)
    folds = fold_of(0, NL, 3, 5)
    i, k = got.res.index_min
    alpha = float(got.res.alphas[i][k])
    losses = []
    for fold in range(3):
        out = folds == fold
        ref = lpnet.LogisticRegression("l1", alpha, tol=1e-12).fit(Xs[~out], y[~out])
        z = ref.decision_function(Xs[out])
        losses.append(np.mean(np.logaddexp(0.0, -np.where(y[out] == 1, 1.0, -1.0) * z)))
    assert got.res.mean[i, k] == pytest.approx(np.mean(losses), rel=1e-6)
    full = lpnet.LogisticRegression("l1", alpha, tol=1e-12).fit(Xs, y)
    np.testing.assert_allclose(got.fits["min"][4].coef_, full.coef_, rtol=1e-5, atol=1e-8)
    code, out, _ = run(argv, capsys)
    assert code == 0 and "LogisticRegressionCV" in out and "min (chosen)" in out and "(certificate)" in out


def test_fit_logistic_on_dask_and_auto_equal_stream(labels, dask_client, capsys, monkeypatch, tmp_path):
    _, data = labels
    coefs = {}
    argv = ["fit", "--data", data, "--target", "label", "--datafit", "logistic", "--penalty", "l1", "--alpha", "0.01"]
    monkeypatch.setattr(cli_engines, "available_memory", lambda: 1000)  # auto: beyond the budget, out of core
    for engine in ("stream", "dask", "auto"):
        saved = tmp_path / f"{engine}.json"
        code, out, _ = run([*argv, "--engine", engine, "--tol", "1e-10", "--save", str(saved)], capsys)
        assert code == 0
        coefs[engine] = np.ravel(json.loads(saved.read_text())["attributes"]["coef_"]["data"])
        assert f"engine {'dask' if engine == 'dask' else 'stream'}:" in out
    np.testing.assert_allclose(coefs["dask"], coefs["stream"], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(coefs["auto"], coefs["stream"], rtol=1e-9, atol=1e-12)


# ----------------------------------------------------------------------------------------------------
# the log-link families out of core
# ----------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def counts(tmp_path_factory):
    """A Poisson regression table (counts) as parquet files."""
    import pandas as pd

    rng = np.random.default_rng(5)
    X = rng.normal(size=(NL, 4)) * np.array([1.0, 3.0, 0.5, 2.0]) + np.array([1.0, -2.0, 0.0, 4.0])
    z = (X - X.mean(axis=0)) / X.std(axis=0) @ np.array([0.5, -0.3, 0.0, 0.2]) + 0.7
    frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(4)])
    frame["count"] = rng.poisson(np.exp(z)).astype(float)
    root = tmp_path_factory.mktemp("cli_poisson")
    return frame, write_parquet(frame, root / "pq", n_files=3, row_group_size=70)


def test_fit_poisson_stream_is_sklearn_on_the_hashed_split(counts, capsys, tmp_path):
    from sklearn.linear_model import PoissonRegressor

    frame, data = counts
    out, model, X, y, test, mean, scale = fit_l2_stream(frame, data, "count", "poisson", 0.01, capsys, tmp_path)
    # reference: scikit-learn (1/(2n) deviance + alpha/2 ||w||^2, lpnet's scaling) on the hashed training rows
    ref = PoissonRegressor(alpha=0.01, tol=1e-12, max_iter=10_000).fit((X[~test] - mean) / scale, y[~test])
    assert_close(np.ravel(model["coef_"]["data"]), ref.coef_ / scale, 1e-6)
    # the printed D2 on each part is scikit-learn's score there
    Xs = (X - mean) / scale
    row = next(line for line in out.splitlines() if line.startswith("L2 "))
    printed = [float(v) for v in row.split()[2:4]]
    expected = [ref.score(Xs[~test], y[~test]), ref.score(Xs[test], y[test])]
    np.testing.assert_allclose(printed, expected, atol=6e-5)
    assert "engine stream:" in out and "duality gap" in out


def test_path_poisson_stream_equals_memory(counts, capsys, tmp_path):
    _, data = counts
    paths, tables = {}, {}
    for engine in ("memory", "stream"):
        csv_out = tmp_path / f"{engine}.csv"
        argv = ["path", "--data", data, "--target", "count", "--datafit", "poisson", "--engine", engine]
        code, out, _ = run([*argv, "--n-alphas", "6", "--tol", "1e-10", "--csv", str(csv_out)], capsys)
        assert code == 0
        table = np.genfromtxt(csv_out, delimiter=",", names=True)
        paths[engine] = (table["alpha"], np.column_stack([table[f"x{j}"] for j in range(4)]))
        tables[engine] = [line.split()[:4] for line in out.splitlines() if line[:3].strip().isdigit()]
    np.testing.assert_allclose(paths["stream"][0], paths["memory"][0], rtol=1e-9)
    assert np.max(np.abs(paths["stream"][1] - paths["memory"][1])) <= 1e-6 * np.max(np.abs(paths["memory"][1]))
    assert tables["stream"] == tables["memory"]  # alpha, nonzeros and D2 per alpha


def test_cv_poisson_stream_runs_and_reports(counts, capsys):
    _, data = counts
    argv = ["cv", "--data", data, "--target", "count", "--datafit", "poisson", "--engine", "stream"]
    code, out, _ = run([*argv, "--folds", "3", "--n-alphas", "5"], capsys)
    assert code == 0
    assert "RegularizedModelCV" in out and "Poisson deviance / 2" in out and "min (chosen)" in out
