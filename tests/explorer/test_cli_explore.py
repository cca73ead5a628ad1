"""``lpnet explore``: options, one-line errors, the missing-extra message, and a real (loopback) server."""

from __future__ import annotations

import sys
import threading
import time
import warnings

import pytest

from lpnet.cli import explore as _cli_explore
from lpnet.cli import main

pytest.importorskip("uvicorn")
httpx = pytest.importorskip("httpx")


class _NoServer:
    """Stands in for uvicorn's server where a test checks what happens before serving."""

    started = False
    should_exit = True

    def __init__(self, app, host, port):
        self.app, self.host, self.port = app, host, port

    def run(self):
        pass


@pytest.fixture
def no_server(monkeypatch):
    made = []

    def make(app, host, port):
        made.append(_NoServer(app, host, port))
        return made[-1]

    monkeypatch.setattr(_cli_explore, "_make_server", make)
    monkeypatch.setattr("lpnet.explorer.compute.warm_up", lambda *datasets: None)  # no fits to wait for
    return made


def _error(capsys, argv) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("lpnet: error: ") and err.count("\n") == 1, err
    return err


def test_help_lists_explore(capsys):
    assert main(["--help"]) == 0
    assert "explore" in capsys.readouterr().out
    assert main(["explore", "--help"]) == 0
    out = capsys.readouterr().out
    for option in ("--data", "--target", "--features", "--port", "--host", "--no-browser"):
        assert option in out


@pytest.mark.parametrize(
    "argv, words",
    [
        (["--port", "70000"], "--port"),
        (["--port", "x"], "--port"),
        (["--target", "y"], "--data"),
        (["--data", "nothere.csv"], "--target"),
        (["--features", "bmi"], "at least 2"),
        (["--features", "bmi,cholesterol"], "cholesterol"),
        (["--datafit", "multinomial"], "it draws squared, logistic"),  # no plane of two coefficients
    ],
)
def test_usage_errors(capsys, no_server, argv, words):
    assert words in _error(capsys, ["explore", "--no-browser", *argv])
    assert not no_server


def test_missing_extra_says_how_to_install(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "fastapi", None)  # import fastapi now raises ImportError
    assert "pip install lpnet[explorer]" in _error(capsys, ["explore", "--no-browser"])
    with pytest.raises(ImportError, match=r"pip install lpnet\[explorer\]"):
        from lpnet.explorer import create_app

        create_app()


def test_port_in_use(capsys, no_server):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert "choose another --port" in _error(capsys, ["explore", "--no-browser", "--port", str(port)])


def test_loopback_by_default_and_a_warning_otherwise(capsys, no_server):
    assert main(["explore", "--no-browser", "--port", "0"]) == 0
    assert no_server[-1].host == "127.0.0.1"
    assert "warning" not in capsys.readouterr().err
    assert main(["explore", "--no-browser", "--port", "0", "--host", "0.0.0.0"]) == 0
    assert no_server[-1].host == "0.0.0.0"
    assert "warning: listening on 0.0.0.0" in capsys.readouterr().err


def test_csv_data_and_features(tmp_path, capsys, no_server):
    from fastapi.testclient import TestClient

    csv = tmp_path / "house.csv"
    csv.write_text(
        "rooms,area,age,price\n"
        + "".join(
            f"{r},{50 + 7 * r + (i % 5)},{(3 * i) % 11},{100 + 20 * r - (i % 7)}\n"
            for i, r in enumerate([1, 2, 3, 4, 2, 3, 5, 1, 4, 3, 2, 5])
        )
    )
    argv = [
        "explore",
        "--no-browser",
        "--port",
        "0",
        "--data",
        str(csv),
        "--target",
        "price",
        "--features",
        "area,rooms",
    ]
    assert main(argv) == 0
    assert "house.csv" in capsys.readouterr().out
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        client = TestClient(no_server[-1].app)
    first = client.get("/api/datasets").json()["datasets"][0]
    assert first["name"] == "house" and first["feature_names"] == ["rooms", "area", "age"]
    assert first["default_features"] == ["area", "rooms"]
    fit = client.post("/api/fit", json={"penalty": "l1", "alpha": 0.1}).json()
    assert fit["view"] == ["area", "rooms"]


def test_serves_on_loopback_and_opens_the_browser(capsys, monkeypatch):
    servers, opened = [], []
    make = _cli_explore._make_server

    def keep(app, host, port):
        servers.append(make(app, host, port))
        return servers[-1]

    monkeypatch.setattr(_cli_explore, "_make_server", keep)
    monkeypatch.setattr(_cli_explore.webbrowser, "open", opened.append)
    status = []
    thread = threading.Thread(target=lambda: status.append(main(["explore", "--port", "0"])), daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not opened:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.05)
    url = opened[0]
    assert url.startswith("http://127.0.0.1:") and url.endswith("/")
    assert httpx.get(url + "api/datasets", timeout=10).json()["datasets"][0]["name"] == "diabetes"
    assert "<title>lpnet explorer</title>" in httpx.get(url, timeout=10).text
    servers[0].should_exit = True
    thread.join(timeout=10)
    assert status == [0]
    assert f"serving {url}" in capsys.readouterr().out


@pytest.mark.parametrize(
    "path, name",
    [
        ("data/house.csv", "house"),
        ("/tmp/x/prices.2024.csv", "prices.2024"),
        ("diabetes.csv", "diabetes.csv"),
        ("synthetic", "synthetic (your data)"),
    ],
)
def test_csv_data_set_is_named_after_its_file(path, name):
    assert _cli_explore._dataset_name(path) == name
