"""A penalty registered by a test (not shipped, no explorer code of its own) joins the explorer: the
menu lists it with its shape parameter, fits and paths equal lpnet's, its ball is a level set of its
value, the KKT arrows meet, and it has no constrained form (no norm).  The menu of the shipped
penalties keeps the sliders the page has always had."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import lpnet
from lpnet.datafits import Quadratic
from lpnet.explorer import compute, corner, problems
from lpnet.explorer.compute import InputError, make_problem
from lpnet.explorer.problems import describe, penalty_menu
from lpnet.solvers import solve

from .throwaway import NAME, by_hand, register

FEATURES = ["age", "bmi", "bp", "s5"]


@pytest.fixture
def cubic(monkeypatch):
    return register(monkeypatch)


def _columns(ds, names):
    return ds.X[:, [ds.index[n] for n in names]], ds.y


def test_menu_of_the_shipped_penalties():
    menu = {info.name: info for info in penalty_menu()}
    assert list(menu) == list(lpnet.penalties.penalty_names())
    p = menu["lp"].parameter("p")
    assert p.values == problems.LADDER and p.exponent and p.default == 1.0 and (p.low, p.high) == (0.1, 100.0)
    ratio = menu["elasticnet"].parameter("l1_ratio")
    assert ratio.values is None and (ratio.low, ratio.high, ratio.step) == (0.0, 1.0, 0.05) and not ratio.exponent
    assert [menu[n].ball for n in ("l1", "l2", "elasticnet", "lp")] == [True, True, False, True]
    assert menu["l1"].parameters == () and menu["l2"].exponent == 2.0 and math.isnan(menu["elasticnet"].exponent)


def test_registered_penalty_is_in_the_menu(cubic):
    info = describe(NAME)
    assert [i.name for i in penalty_menu()][-1] == NAME
    assert info.label == "L1Cubic" and info.convex and not info.ball and math.isnan(info.exponent)
    (prm,) = info.parameters
    assert prm.name == "cubic" and prm.default == 1.0 and not prm.exponent
    assert prm.values == problems.LADDER  # no upper bound: the ladder of values, all taken
    with pytest.raises(InputError) as err:
        make_problem(NAME, radius=1.0)
    assert err.value.field == "radius"
    for kwargs, field in [
        ({"cubic": -1.0}, "cubic"),
        ({"cubic": 500.0}, "cubic"),
        ({"p": 1.0}, "p"),
        ({"l1_ratio": 0.5}, "l1_ratio"),
    ]:
        with pytest.raises(InputError) as err:
            make_problem(NAME, alpha=1.0, **kwargs)
        assert err.value.field == field
    prob = make_problem(NAME, alpha=2.0, cubic=3.0)
    assert prob.shape == {"cubic": 3.0} and math.isnan(prob.p) and not prob.constrained


def test_fit_of_a_registered_penalty(cubic, datasets):
    ds = datasets["diabetes"]
    X, y = _columns(ds, FEATURES)
    alpha = 0.3 * lpnet.alpha_max(X, y)
    out = compute.fit(ds, make_problem(NAME, alpha=alpha, cubic=0.5), FEATURES, ["bmi", "s5"])
    ref = solve(X, y, Quadratic(), cubic(alpha, 0.5), tol=compute.TOL)
    np.testing.assert_allclose(out["coef"], ref.coef, atol=1e-10)
    assert out["convex"] and out["dual_gap"] is not None and out["n_zero"] >= 1
    # the ball is the level set of the penalty (per unit alpha) through w*, the other coefficients fixed
    assert out["radius"] == pytest.approx(by_hand(out["coef"], 1.0, 0.5), rel=1e-12)
    w = np.array(out["coef"])
    levels = []
    for a, b in zip(out["ball"]["x"], out["ball"]["y"]):
        full = w.copy()
        full[[1, 3]] = a, b
        levels.append(by_hand(full, 1.0, 0.5))
    np.testing.assert_allclose(levels, out["radius"], rtol=1e-9)
    assert np.min(np.hypot(np.array(out["ball"]["x"]) - w[1], np.array(out["ball"]["y"]) - w[3])) < 0.05 * out["radius"]
    # KKT: -grad = the penalty's subgradient at w*, to the fit's tolerance
    scale = np.max(np.abs(out["gradient"])) + 1.0
    np.testing.assert_allclose(out["normal"], -np.asarray(out["gradient"]), atol=1e-3 * scale)


def test_path_and_corner_of_a_registered_penalty(cubic, datasets):
    ds = datasets["diabetes"]
    prob = make_problem(NAME, alpha=1.0, cubic=2.0)
    out = compute.path(ds, prob, ds.feature_names, n_points=15)
    ref = lpnet.regularization_path(ds.X, ds.y, penalty=cubic(1.0, 2.0), alphas=out["x"])
    np.testing.assert_allclose(out["coefs"], ref.coefs, atol=1e-9)
    assert corner.has_corners(prob)  # an L1 part: a kink at zero
    found = corner.corner(ds, prob)
    assert found["penalty"] == NAME and found["params"] == {"cubic": 2.0} and found["p"] is None
    with pytest.raises(InputError) as err:  # convex: no local minima to look for
        compute.multistart(ds, prob)
    assert err.value.field == "cubic"


def test_level_sets_by_bisection():
    from lpnet.penalties import L1, L2

    x, y = compute.level_set(L2(1.0), 2.0)  # a^2/2 + b^2/2 = 2: the circle of radius 2
    np.testing.assert_allclose(np.hypot(x, y), 2.0, rtol=1e-12)
    x, y = compute.level_set(L1(1.0), 3.0, scale=1.0)  # the bracket grows from the scale
    np.testing.assert_allclose(np.abs(x) + np.abs(y), 3.0, rtol=1e-12)
    assert (x[0], y[0]) == (x[-1], y[-1]) and np.any((x == 0.0) & (y == 3.0))
    x, _ = compute.level_set(L1(1.0), 3.0, scale=0.1)  # beyond 4 times the scale: not drawn
    assert np.all(np.isnan(x))
    # a penalty that levels off leaves rays without a point (NaN): the window ignores them
    assert compute.frame(np.array([np.nan, 1.0]), np.array([0.5, np.nan]), np.zeros(2), np.ones(2)) == 2.0


def test_api_serves_a_registered_penalty(cubic, datasets):
    pytest.importorskip("fastapi")
    pytest.importorskip("httpx")
    from fastapi.testclient import TestClient

    from lpnet.explorer import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with TestClient(create_app(), raise_server_exceptions=False) as client:
            menu = client.get("/api/penalties").json()["penalties"]
            entry = next(e for e in menu if e["name"] == NAME)
            assert entry["parameters"][0]["name"] == "cubic" and entry["exponent"] is None and not entry["ball"]
            lp = next(e for e in menu if e["name"] == "lp")
            assert lp["parameters"][0]["exponent"] and lp["exponent"] == 1.0
            body = {"penalty": NAME, "cubic": 2.0, "alpha": 1.5, "features": FEATURES}
            r = client.post("/api/fit", json=body)
            assert r.status_code == 200, r.text
            X, y = _columns(datasets["diabetes"], FEATURES)
            np.testing.assert_allclose(r.json()["coef"], solve(X, y, Quadratic(), cubic(1.5, 2.0)).coef, atol=1e-8)
            for bad, field in [
                ({**body, "cubic": "large"}, "cubic"),
                ({**body, "cubic": -2.0}, "cubic"),
                ({**body, "p": 2.0}, "p"),
                ({**body, "radius": 1.0, "alpha": None}, "radius"),
            ]:
                r = client.post("/api/fit", json=bad)
                assert r.status_code == 422 and r.json()["message"].startswith(field), r.text
            path = client.post("/api/path", json={"penalty": NAME, "cubic": 2.0, "n_points": 5}).json()
            assert path["form"] == "penalized" and len(path["x"]) == 5
            schema = client.get("/openapi.json").json()["components"]["schemas"]["FitRequest"]["properties"]
            assert "cubic" in schema and NAME in str(schema["penalty"])


@pytest.mark.parametrize("name", lpnet.penalties.penalty_names())
def test_every_registered_penalty_is_drawn(datasets, name):
    # whatever the registry holds when the tests run: the KKT arrows meet, the ball has points
    ds = datasets["diabetes"]
    prob = make_problem(name, alpha=2.0)
    out = compute.fit(ds, prob, FEATURES, ["bmi", "s5"], grid=5)
    assert out["convex"] == lpnet.penalties.make_penalty(name, 2.0).is_convex
    assert (out["dual_gap"] is None) != out["convex"]
    # a gap G pins the gradient to sqrt(2 G L_j) (as in test_compute's KKT test)
    X, _ = _columns(ds, FEATURES)
    slack = 2.0 * np.sqrt(2.0 * (out["dual_gap"] or 0.0) * np.max(np.mean(X**2, axis=0)))
    scale = np.max(np.abs(out["gradient"])) + 1.0
    np.testing.assert_allclose(out["normal"], -np.asarray(out["gradient"]), atol=1e-4 * scale + slack)
    assert np.sum(np.isfinite(out["ball"]["x"])) > len(out["ball"]["x"]) // 2
    assert describe(name).ball == (not math.isnan(prob.p))
