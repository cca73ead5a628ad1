"""The explorer's JSON API through FastAPI's TestClient: values equal direct lpnet fits, bad input is a
422 naming the field (never a 500), the loss grid is the datafit, the ball has the radius."""

from __future__ import annotations

import math
import subprocess
import sys
import warnings

import numpy as np
import pytest

import lpnet

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from fastapi.testclient import TestClient

from lpnet.explorer import compute, create_app
from lpnet.explorer.compute import lp_norm

ALL = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]


@pytest.fixture(scope="module")
def client():
    with warnings.catch_warnings():
        # starlette's TestClient warns about its httpx backend; not the explorer's concern
        warnings.simplefilter("ignore", DeprecationWarning)
        with TestClient(create_app(), raise_server_exceptions=False) as c:
            yield c


def _fit(client, **body):
    r = client.post("/api/fit", json=body)
    assert r.status_code == 200, r.text
    return r.json()


def _columns(datasets, names):
    ds = datasets["diabetes"]
    return ds.X[:, [ds.index[n] for n in names]], ds.y


@pytest.mark.parametrize("features", [["bmi", "s5"], ALL])
@pytest.mark.parametrize(
    "body, model",
    [
        ({"penalty": "l1", "alpha": 2.0}, lambda: lpnet.Lasso(alpha=2.0)),
        ({"penalty": "l2", "alpha": 2.0}, lambda: lpnet.Ridge(alpha=2.0)),
        ({"penalty": "elasticnet", "alpha": 2.0, "l1_ratio": 0.3}, lambda: lpnet.ElasticNet(alpha=2.0, l1_ratio=0.3)),
        ({"penalty": "lp", "alpha": 2.0, "p": 1.5}, lambda: lpnet.LpRegression(alpha=2.0, p=1.5)),
        ({"penalty": "lp", "alpha": 2.0, "p": 0.5}, lambda: lpnet.LpRegression(alpha=2.0, p=0.5)),
    ],
)
def test_fit_equals_the_estimators(client, datasets, features, body, model):
    out = _fit(client, features=features, **body)
    X, y = _columns(datasets, features)
    ref = model().fit(X, y)
    np.testing.assert_allclose(out["coef"], ref.coef_, atol=1e-6)
    assert out["intercept"] == pytest.approx(ref.intercept_, abs=1e-6)
    assert out["n_zero"] == int(np.sum(ref.coef_ == 0.0))
    assert out["multiplier"] == 2.0
    if ref.dual_gap_ is None:
        assert out["dual_gap"] is None and out["optimality_violation"] == pytest.approx(ref.optimality_violation_)
    else:
        # the page shows a gap within its rounding bound (eps ||y||^2 / 2) as 0; the estimator's gap carries
        # that rounding allowance itself
        bound = compute.EPS * float(y @ y)
        assert out["optimality_violation"] is None and out["dual_gap"] == pytest.approx(ref.dual_gap_, abs=bound)
    assert out["r2"] == pytest.approx(ref.score(X, y), abs=1e-9)
    assert out["feature_names"] == features and out["view"] == features[:2]


@pytest.mark.parametrize("penalty, p", [("l1", None), ("l2", None), ("lp", 1.5), ("lp", "inf"), ("lp", 0.5)])
def test_constrained_fit_equals_constrained_regression(client, datasets, penalty, p):
    constrained = pytest.importorskip("lpnet.constrained")
    features = ["age", "bmi", "bp", "s5"]
    body = {"penalty": penalty, "radius": 25.0, "features": features}
    if p is not None:
        body["p"] = p
    out = _fit(client, **body)
    X, y = _columns(datasets, features)
    exponent = {"l1": 1.0, "l2": 2.0}.get(penalty) or (math.inf if p == "inf" else p)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", constrained.LocalSolutionWarning)
        ref = constrained.ConstrainedRegression(radius=25.0, p=exponent, tol=compute.KKT_TOL).fit(X, y)
    np.testing.assert_allclose(out["coef"], ref.coef_, atol=1e-6)
    assert out["multiplier"] == pytest.approx(ref.multiplier_, rel=1e-6, abs=1e-9)
    assert out["active"] == ref.active_
    assert out["radius"] == 25.0


def test_grid_loss_is_the_datafit(client, datasets):
    features = ["bmi", "bp", "s5"]
    out = _fit(client, penalty="l1", alpha=1.0, features=features, view=["s5", "bp"], grid=9)
    X, y = _columns(datasets, features)
    g = out["grid"]
    assert len(g["loss"]) == len(g["w2"]) == 9 and all(len(row) == 9 for row in g["loss"])
    for k, m in [(0, 0), (4, 7), (8, 3)]:
        w = np.array(out["coef"])
        w[2], w[1] = g["w1"][m], g["w2"][k]
        b = np.mean(y - X @ w)  # the intercept at its best for this w
        direct = np.sum((y - X @ w - b) ** 2) / (2 * len(y))
        assert g["loss"][k][m] == pytest.approx(direct, rel=1e-10)


@pytest.mark.parametrize(
    "body, p",
    [
        ({"penalty": "l1", "alpha": 3.0}, 1.0),
        ({"penalty": "l2", "alpha": 3.0}, 2.0),
        ({"penalty": "lp", "alpha": 3.0, "p": 0.5}, 0.5),
        ({"penalty": "lp", "alpha": 3.0, "p": 3.0}, 3.0),
    ],
)
def test_ball_points_have_the_radius(client, body, p):
    out = _fit(client, dataset="synthetic", **body)
    assert out["radius"] == pytest.approx(lp_norm(out["coef"], p))
    norms = [lp_norm([a, b], p) for a, b in zip(out["ball"]["x"], out["ball"]["y"])]
    np.testing.assert_allclose(norms, out["radius"], rtol=1e-9)


@pytest.mark.parametrize(
    "body, field",
    [
        ({"penalty": "l1", "alpha": -1.0}, "alpha"),
        ({"penalty": "l1", "alpha": 2e6}, "alpha"),
        ({"penalty": "l1", "alpha": "big"}, "alpha"),
        ({"penalty": "l1", "radius": 0.0}, "radius"),
        ({"penalty": "lp", "alpha": 1.0, "p": 0.05}, "p"),
        ({"penalty": "lp", "alpha": 1.0, "p": 101}, "p"),
        ({"penalty": "lp", "alpha": 1.0, "p": "large"}, "p"),
        ({"penalty": "elasticnet", "alpha": 1.0, "l1_ratio": 1.5}, "l1_ratio"),
        ({"penalty": "l1", "alpha": 1.0, "grid": 201}, "grid"),
        ({"penalty": "l1", "alpha": 1.0, "grid": 2}, "grid"),
        ({"penalty": "l4", "alpha": 1.0}, "penalty"),
        ({"penalty": "l1", "alpha": 1.0, "features": ["bmi", "cholesterol"]}, "features"),
        ({"penalty": "l1", "alpha": 1.0, "features": ["bmi"]}, "features"),
        ({"penalty": "l1", "alpha": 1.0, "features": "bmi,s5"}, "features"),
        ({"penalty": "l1", "alpha": 1.0, "view": ["bmi", "age"]}, "view"),
        ({"penalty": "l1", "alpha": 1.0, "dataset": "/etc/passwd"}, "dataset"),
        ({"penalty": "l1", "alpha": 1.0, "p": 0.5}, "p"),
        ({"penalty": "elasticnet", "alpha": 1.0, "p": 0.5}, "p"),
        ({"penalty": "lp", "alpha": 1.0, "p": "inf"}, "p"),
        ({"penalty": "elasticnet", "radius": 1.0}, "radius"),
        ({"penalty": "l1", "alpha": 1.0, "l1_ratio": 0.5}, "l1_ratio"),
        ({"penalty": "l1", "alpha": 1.0, "radius": 1.0}, "alpha"),
        ({"penalty": "l1"}, "alpha"),
        ({"penalty": "l1", "alpha": 1.0, "path": "/tmp/x.csv"}, "path"),
    ],
)
def test_bad_fit_input_is_a_422_naming_the_field(client, body, field):
    r = client.post("/api/fit", json=body)
    assert r.status_code == 422, r.text
    out = r.json()
    assert any(field in [str(x) for x in err["loc"]] for err in out["detail"]), out
    assert out["message"].startswith(field) or f"{field}:" in out["message"] or field in out["message"]


@pytest.mark.parametrize(
    "raw",
    [
        '{"penalty": "l1", "alpha": NaN}',
        '{"penalty": "l1", "alpha": Infinity}',
        '{"penalty": "l1", "alpha": 1',
        "[1, 2]",
        "",
    ],
)
def test_malformed_json_is_a_422(client, raw):
    r = client.post("/api/fit", content=raw, headers={"Content-Type": "application/json"})
    assert r.status_code == 422, r.text
    assert r.json()["message"]


def test_path_endpoint(client, datasets):
    body = {"penalty": "l1", "features": ALL, "n_points": 30}
    first = client.post("/api/path", json=body).json()
    again = client.post("/api/path", json=body).json()
    assert not first["cached"] and again["cached"]
    ds = datasets["diabetes"]
    ref = lpnet.regularization_path(ds.X, ds.y, penalty="l1", alphas=first["x"])
    np.testing.assert_allclose(first["coefs"], ref.coefs, atol=1e-8)
    assert first["feature_names"] == ALL and first["form"] == "penalized"
    # the slider's range: alpha_max / 1000 to 1.2 alpha_max, alpha_max = max_j |x_j^T (y - mean y)| / n
    a_max = np.max(np.abs(ds.X.T @ (ds.y - ds.y.mean()))) / len(ds.y)
    assert first["alpha_max"] == pytest.approx(a_max)
    assert (first["x_min"], first["x_max"]) == pytest.approx((a_max / 1000, 1.2 * a_max))
    assert first["scale"] == "log" and first["x"][0] == pytest.approx(first["x_max"])
    for bad, field in [
        ({"penalty": "lp", "p": 0.01}, "p"),
        ({"penalty": "l1", "n_points": 1000}, "n_points"),
        ({"penalty": "l1", "form": "both"}, "form"),
        ({"penalty": "lp", "p": "inf"}, "p"),
    ]:
        r = client.post("/api/path", json=bad)
        assert r.status_code == 422 and field in r.json()["message"], r.text


def test_constrained_path_endpoint(client):
    pytest.importorskip("lpnet.constrained")
    out = client.post(
        "/api/path", json={"penalty": "lp", "p": "inf", "form": "constrained", "dataset": "synthetic"}
    ).json()
    assert out["form"] == "constrained" and out["alpha_max"] is None
    assert np.all(np.diff(out["x"]) > 0)
    assert np.all(np.max(np.abs(out["coefs"]), axis=1) <= np.array(out["x"]) * (1 + 1e-9))


def test_multistart_endpoint(client):
    body = {"dataset": "synthetic", "penalty": "lp", "p": 0.5, "alpha": 0.5, "n_starts": 25, "seed": 1}
    out = client.post("/api/multistart", json=body).json()
    assert len(out["minima"]) >= 2 and sum(m["count"] for m in out["minima"]) == 25
    for bad, field in [
        ({**body, "p": 1.5}, "p"),
        ({**body, "n_starts": 10_000}, "n_starts"),
        ({**body, "penalty": "l1", "p": None}, "p"),
        ({**body, "seed": -1}, "seed"),
    ]:
        r = client.post("/api/multistart", json=bad)
        assert r.status_code == 422 and field in r.json()["message"], r.text


def test_datasets_page_and_assets(client):
    info = client.get("/api/datasets").json()["datasets"]
    assert [d["name"] for d in info] == ["diabetes", "synthetic", "breast_cancer"]
    assert info[0]["default_features"] == ["bmi", "bp"] and info[0]["feature_names"] == ALL
    page = client.get("/")
    assert page.status_code == 200 and "explorer.js" in page.text and "plotly.min.js" in page.text
    assert "https://" not in page.text  # no CDN: the page works offline
    js = client.get("/static/plotly.min.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"] and len(js.content) > 1_000_000
    for asset in ("explorer.js", "explorer.css"):
        assert client.get(f"/static/{asset}").status_code == 200
    assert client.get("/static/../app.py").status_code == 404


def test_openapi_documents_the_bounds(client):
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    alpha = schema["FitRequest"]["properties"]["alpha"]
    text = str(alpha)
    assert "1000000" in text and "description" in alpha
    assert schema["FitRequest"]["properties"]["grid"]["maximum"] == 200


def test_user_data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 3))
    y = X @ [1.0, 0.0, -2.0] + 0.1 * rng.standard_normal(50)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with TestClient(create_app(X, y, ["a", "b", "c"], default_features=["c", "a"])) as c:
            info = c.get("/api/datasets").json()["datasets"]
            assert info[0]["name"] == "data" and info[0]["default_features"] == ["c", "a"]
            out = c.post("/api/fit", json={"penalty": "l1", "alpha": 0.01}).json()
    assert out["feature_names"] == ["c", "a"]
    ref = lpnet.Lasso(alpha=0.01).fit(X[:, [2, 0]], y)
    np.testing.assert_allclose(out["coef"], ref.coef_, atol=1e-6)
    for args, kwargs in [
        ((X, None), {}),
        ((X[:, :1], y), {}),
        ((X, y, ["a", "a", "b"]), {}),
        ((X, y), {"default_features": ["a", "zz"]}),
    ]:
        with pytest.raises(ValueError):
            create_app(*args, **kwargs)


def test_core_import_stays_light():
    code = (
        "import sys, lpnet, lpnet.explorer, lpnet.explorer.compute; "
        "bad = [m for m in ('fastapi', 'plotly', 'uvicorn', 'starlette') if m in sys.modules]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(
    "body",
    [
        {"penalty": "l1", "radius": 1e-300},
        {"penalty": "lp", "p": 100, "radius": 1e-6},
        {"penalty": "lp", "p": 0.1, "alpha": 1e6},
        {"penalty": "lp", "p": 100, "alpha": 1e-300},
        {"penalty": "elasticnet", "l1_ratio": 0.0, "alpha": 1e6},
        {"penalty": "lp", "p": 0.3, "radius": 1e6},
        {"penalty": "l2", "alpha": 0.0, "grid": 200},
    ],
)
def test_extreme_settings_never_fail_the_server(client, body):
    r = client.post("/api/fit", json={"dataset": "synthetic", **body})
    assert r.status_code in (200, 422), r.text
    if r.status_code == 422:
        assert r.json()["message"].startswith("cannot fit with these settings")


def test_degenerate_columns():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((40, 3))
    X[:, 1] = 1.0  # constant: a flat direction of the loss
    X[:, 2] = X[:, 0]  # collinear
    y = X[:, 0] + rng.standard_normal(40)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with TestClient(create_app(X, y, ["a", "c", "d"])) as c:
            for features in (["a", "c"], ["a", "d"], ["c", "d"]):
                r = c.post("/api/fit", json={"penalty": "l2", "alpha": 0.1, "features": features})
                assert r.status_code == 200, r.text


def test_range_endpoint(client, datasets):
    ds = datasets["diabetes"]
    X, y = _columns(datasets, ["bmi", "bp"])
    out = client.post("/api/range", json={"penalty": "l1"}).json()
    a_max = np.max(np.abs(X.T @ (y - y.mean()))) / len(y)
    assert out == pytest.approx({"x_min": a_max / 1000, "x_max": 1.2 * a_max, "scale": "log", "alpha_max": a_max})
    con = client.post("/api/range", json={"penalty": "l2", "form": "constrained", "features": ALL}).json()
    w_ls = np.linalg.lstsq(np.column_stack([np.ones(len(ds.y)), ds.X]), ds.y, rcond=None)[0][1:]
    assert con["scale"] == "linear" and con["alpha_max"] is None
    assert con["x_max"] == pytest.approx(1.2 * np.linalg.norm(w_ls))
    # the path of the same choice spans the same range
    path = client.post("/api/path", json={"penalty": "l2", "form": "constrained", "features": ALL}).json()
    assert (path["x_min"], path["x_max"], path["scale"]) == (con["x_min"], con["x_max"], con["scale"])
    r = client.post("/api/range", json={"penalty": "lp", "p": "inf"})
    assert r.status_code == 422 and "p" in r.json()["message"]


def test_corner_endpoint(client, datasets):
    body = {"penalty": "l2", "features": ALL, "view": ["bmi", "s5"], "n_points": 50}
    out = client.post("/api/corner", json=body).json()
    assert out["penalty"] == "l1" and 0 <= out["position"] <= 1000
    X, y = _columns(datasets, ALL)
    coef = lpnet.Lasso(alpha=out["value"]).fit(X, y).coef_
    view = coef[[ALL.index("bmi"), ALL.index("s5")]]
    assert np.sum(view == 0.0) == 1 and out["zero_feature"] in ("bmi", "s5")
    for bad, field in [
        ({**body, "view": ["bmi", "nope"]}, "view"),
        ({**body, "form": "sideways"}, "form"),
        ({**body, "penalty": "elasticnet", "form": "constrained"}, "radius"),
    ]:
        r = client.post("/api/corner", json=bad)
        assert r.status_code == 422 and field in r.json()["message"], r.text


def test_user_data_set_name():
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((30, 3)), rng.standard_normal(30)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with TestClient(create_app(X, y, name="house")) as c:
            names = [d["name"] for d in c.get("/api/datasets").json()["datasets"]]
            assert names == ["house", "diabetes", "synthetic", "breast_cancer"]
            assert c.post("/api/fit", json={"dataset": "house", "penalty": "l2", "alpha": 1.0}).status_code == 200
    with pytest.raises(ValueError, match="diabetes"):
        create_app(X, y, name="diabetes")
