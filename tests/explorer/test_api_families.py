"""The explorer's JSON API and ``lpnet explore`` with the datafits other than the squared loss."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import lpnet
from lpnet.datafits import datafit_class, datafit_names

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from fastapi.testclient import TestClient

from lpnet.explorer import create_app


@pytest.fixture(scope="module")
def client():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with TestClient(create_app(), raise_server_exceptions=False) as c:
            yield c


def _drawable(name) -> bool:
    cls = datafit_class(name)
    return not (cls.is_multi_output or cls.target_is_matrix)


def test_datafit_menu_and_which_data_sets_take_which(client):
    menu = client.get("/api/datafits").json()
    assert [d["name"] for d in menu["datafits"]] == list(datafit_names())
    for info in menu["datafits"]:
        assert info["offered"] == _drawable(info["name"])
        assert (info["reason"] is None) == info["offered"]
    assert menu["default"] == {"name": "squared", "params": {}}
    sets = {d["name"]: d for d in client.get("/api/datasets").json()["datasets"]}
    # asked of the datafits: two classes for the logistic loss, counts for Poisson, positive values for Gamma
    assert "logistic" in sets["breast_cancer"]["datafits"] and "logistic" not in sets["diabetes"]["datafits"]
    assert {"poisson", "gamma", "tweedie", "huber", "squared"} <= set(sets["diabetes"]["datafits"])
    assert "gamma" in sets["breast_cancer"]["refusals"] and "poisson" in sets["synthetic"]["refusals"]


def test_fit_with_a_datafit_equals_the_estimator(client):
    features = ["bmi", "bp", "s5"]
    body = {"dataset": "diabetes", "features": features, "datafit": "poisson", "penalty": "l1", "alpha": 5.0}
    out = client.post("/api/fit", json=body).json()
    from lpnet.explorer.data import diabetes

    ds = diabetes()
    X = ds.X[:, [ds.index[n] for n in features]]
    ref = lpnet.RegularizedModel(datafit="poisson", penalty="l1", alpha=5.0).fit(X, ds.y)
    np.testing.assert_allclose(out["coef"], ref.coef_, atol=1e-6)
    assert out["score_label"] == "D2" and out["score"] == pytest.approx(ref.score(X, ds.y), abs=1e-6)
    assert out["datafit"] == "poisson" and out["r2"] is None
    # with no data set named, the first whose target the datafit accepts
    assert client.post("/api/fit", json={"datafit": "logistic", "alpha": 0.05}).json()["dataset"] == "breast_cancer"
    tweedie = client.post("/api/fit", json={"datafit": "tweedie", "power": 1.3, "alpha": 1.0}).json()
    assert tweedie["datafit_params"] == {"power": 1.3}


@pytest.mark.parametrize("route", ["/api/path", "/api/range", "/api/corner"])
def test_paths_ranges_and_corners_take_the_datafit(client, route):
    body = {"dataset": "breast_cancer", "datafit": "logistic", "penalty": "l1", "form": "penalized"}
    r = client.post(route, json=body)
    assert r.status_code == 200, r.text
    if route == "/api/path":
        assert np.count_nonzero(r.json()["coefs"][0]) == 0  # alpha_max of the logistic loss: all zero


@pytest.mark.parametrize(
    "body, field",
    [
        ({"dataset": "diabetes", "datafit": "logistic", "alpha": 1.0}, "datafit"),
        ({"dataset": "breast_cancer", "datafit": "gamma", "alpha": 1.0}, "datafit"),
        ({"datafit": "multinomial", "alpha": 1.0}, "datafit"),
        ({"datafit": "poisson", "power": 1.3, "alpha": 1.0}, "power"),
        ({"datafit": "tweedie", "power": 2.0, "alpha": 1.0}, "power"),
        ({"datafit": "huber", "epsilon": "nan", "alpha": 1.0}, "epsilon"),
    ],
)
def test_bad_datafit_input_is_a_422_naming_the_field(client, body, field):
    r = client.post("/api/fit", json=body)
    assert r.status_code == 422, r.text
    assert any(field in err["loc"] for err in r.json()["detail"]), r.json()


def test_user_data_with_a_datafit():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((60, 3))
    y = rng.poisson(np.exp(0.5 * X[:, 0]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        app = create_app(X, y, name="claims", datafit=lpnet.datafits.Tweedie(power=1.33))
        with TestClient(app) as c:
            menu = c.get("/api/datafits").json()
            assert menu["default"] == {"name": "tweedie", "params": {"power": 1.33}}
            tweedie = next(d for d in menu["datafits"] if d["name"] == "tweedie")
            assert 1.33 in tweedie["parameters"][0]["values"]  # the page's slider can show it
            out = c.post("/api/fit", json={"datafit": "tweedie", "power": 1.33, "alpha": 0.01}).json()
            assert out["dataset"] == "claims"
    with pytest.raises(ValueError, match="gamma"):
        create_app(X, y, datafit="gamma")  # zero counts: no Gamma target
    with pytest.raises(ValueError, match="cox"):
        create_app(X, y, datafit="cox")


# ------------------------------------------------------------------------------------------- the CLI
def test_cli_explore_takes_a_datafit(tmp_path, capsys, monkeypatch):
    pytest.importorskip("uvicorn")
    from lpnet.cli import explore as cli_explore
    from lpnet.cli import main

    made = []

    class NoServer:
        started, should_exit = False, True

        def __init__(self, app, host, port):
            self.app = app

        def run(self):
            pass

    monkeypatch.setattr(
        cli_explore, "_make_server", lambda app, host, port: made.append(NoServer(app, host, port)) or made[-1]
    )
    monkeypatch.setattr("lpnet.explorer.compute.warm_up", lambda *datasets: None)
    csv = tmp_path / "claims.csv"
    rows = [(i % 7, (i * 3) % 5, (i * i) % 5) for i in range(40)]
    csv.write_text("a,b,count\n" + "".join(f"{a},{b},{c}\n" for a, b, c in rows))
    argv = ["explore", "--no-browser", "--port", "0", "--data", str(csv), "--target", "count"]
    assert main([*argv, "--datafit", "poisson"]) == 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        client = TestClient(made[-1].app)
    assert client.get("/api/datafits").json()["default"]["name"] == "poisson"
    assert client.post("/api/fit", json={"datafit": "poisson", "alpha": 0.01}).status_code == 200
    assert main(["explore", "--no-browser", "--port", "0", "--datafit", "tweedie", "--power", "1.2"]) == 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        client = TestClient(made[-1].app)
    assert client.get("/api/datafits").json()["default"] == {"name": "tweedie", "params": {"power": 1.2}}
    capsys.readouterr()
    # a target the datafit refuses, and a datafit the explorer cannot draw: one-line usage errors
    assert main([*argv, "--datafit", "gamma"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("lpnet: error: --datafit gamma") and "positive" in err and err.count("\n") == 1, err
    assert main(["explore", "--no-browser", "--datafit", "multinomial"]) == 2
    err = capsys.readouterr().err
    assert "cannot draw" in err and "poisson" in err
