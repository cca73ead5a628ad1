"""The command line with the survival family: the target's columns named by --time and --event."""

import numpy as np
import pytest

from lpnet.cli import main


@pytest.fixture
def survival_csv(tmp_path):
    rng = np.random.default_rng(0)
    n = 120
    X = rng.standard_normal((n, 4))
    time = rng.exponential(np.exp(-(X[:, 0] - 0.5 * X[:, 1])))
    event = (rng.random(n) < 0.7).astype(int)
    path = tmp_path / "surv.csv"
    rows = ["a,b,c,d,time,event"] + [
        ",".join(f"{v:.17g}" for v in row) + f",{t:.17g},{e}" for row, t, e in zip(X, time, event)
    ]
    path.write_text("\n".join(rows) + "\n")
    return str(path)


def test_cox_fit_path_and_cv(survival_csv, capsys):
    data = ["--data", survival_csv, "--family", "cox", "--time", "time", "--event", "event"]
    assert main(["fit", *data, "--penalty", "l1", "--alpha", "0.01"]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "test C-index" in out and "opt. violation" in out and "(KKT)" in out
    assert main(["path", *data, "--n-alphas", "5"]) == 0, capsys.readouterr().err
    assert "C-index" in capsys.readouterr().out
    assert main(["cv", *data, "--penalty", "l1", "--n-alphas", "5", "--folds", "3"]) == 0, capsys.readouterr().err
    assert "partial-likelihood deviance" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args, message",
    [
        (["fit", "--family", "cox"], "--datafit cox needs --data FILE.csv --time COLUMN --event COLUMN"),
        (["fit", "--family", "cox", "--data", "{csv}", "--target", "time"], "(not --target)"),
        (["fit", "--family", "cox", "--data", "{csv}", "--time", "time"], "(not --target)"),
        (["fit", "--family", "poisson", "--time", "time"], "--time does not apply to --datafit poisson"),
    ],
)
def test_cox_usage_errors(survival_csv, capsys, args, message):
    args = [a.replace("{csv}", survival_csv) for a in args]
    assert main(args) == 2
    assert message in capsys.readouterr().err


@pytest.fixture
def wine_csv(tmp_path):
    from sklearn.datasets import load_wine

    path = tmp_path / "wine.csv"
    load_wine(as_frame=True).frame.to_csv(path, index=False)
    return str(path)


def test_multinomial_fit_and_cv(wine_csv, capsys):
    data = ["--data", wine_csv, "--target", "target", "--family", "multinomial", "--penalty", "l1"]
    assert main(["fit", *data, "--alpha", "0.01"]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    # one coefficient column per class, accuracy and log-loss, a duality gap
    assert "L1:0" in out and "L1:2" in out and "test acc." in out and "duality gap" in out
    assert "multinomial logistic regression: 3 classes" in out
    assert main(["cv", *data, "--n-alphas", "5", "--folds", "3"]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "LogisticRegressionCV" in out and "multinomial logistic loss (3 classes" in out
    assert main(["path", *data]) == 2
    assert "one per class: use lpnet cv or lpnet fit" in capsys.readouterr().err
    assert main(["fit", *data[:4], "--family", "logistic", "--alpha", "0.01"]) == 2  # binary datafit, 3 classes
    assert "(for it: --datafit multinomial)" in capsys.readouterr().err
