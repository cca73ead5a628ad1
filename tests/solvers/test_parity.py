"""Every solver gives the same answer whatever the layout and dtype of X; warm starts; warnings.

The data are generated with values exactly representable in float32, so the float32 and float64
inputs describe the SAME problem: any difference comes from the solver's arithmetic.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning

from lpnet.datafits import Logistic, Quadratic
from lpnet.penalties import L1, L2, ElasticNet, Lp
from lpnet.solvers import solve

from .. import kkt
from ..registry import unequal_weights
from . import make_problem

DATAFITS = {"squared": Quadratic, "logistic": Logistic}

PENS = {
    "L1": lambda a, v: L1(a, weights=v),
    "EN": lambda a, v: ElasticNet(a, 0.5, weights=v),
    "L2": lambda a, v: L2(a, weights=v),
    "Lp1.5": lambda a, v: Lp(a, 1.5, weights=v),
    "Lp0.5": lambda a, v: Lp(a, 0.5, weights=v),
}

# (solver, datafit, penalty)
COMBOS = (
    [("cd", "squared", pid) for pid in ("L1", "EN", "L2", "Lp1.5", "Lp0.5")]
    + [("prox_newton", "logistic", pid) for pid in ("L1", "EN", "L2", "Lp1.5")]
    + [("fista", kind, pid) for kind in ("squared", "logistic") for pid in ("L1", "EN", "L2", "Lp1.5")]
    + [("direct", "squared", "L2")]
)
COMBO_IDS = [f"{a}-{b}-{c}" for a, b, c in COMBOS]

LAYOUTS = ["C64", "F64", "CSC64", "CSR64", "C32", "F32", "CSC32", "CSR32"]


def _layout(Xd, layout):
    dtype = np.float32 if layout.endswith("32") else np.float64
    if layout.startswith("CSC"):
        return sp.csc_matrix(Xd.astype(dtype))
    if layout.startswith("CSR"):
        return sp.csr_matrix(Xd.astype(dtype))
    order = "F" if layout.startswith("F") else "C"
    return np.array(Xd, dtype=dtype, order=order)


def _problem(kind, pid, fit_intercept=True, n=60, p=15, seed=0):
    X, y, s = make_problem(n, p, kind, sparse=True, density=0.5, seed=seed)
    Xd = kkt.as_dense64(X)
    v = unequal_weights(p)
    frac = 0.1 if pid != "Lp0.5" else 0.03
    alpha = frac * kkt.alpha_max(Xd, y, s, kind, fit_intercept, v)
    return Xd, y, s, PENS[pid](alpha, v)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("solver,kind,pid", COMBOS, ids=COMBO_IDS)
def test_layouts_and_dtypes_agree(solver, kind, pid, fit_intercept):
    Xd, y, s, pen = _problem(kind, pid, fit_intercept)
    spec = kkt.spec_from_penalty(pen)
    tol = 1e-7
    results = {}
    for layout in LAYOUTS:
        X = _layout(Xd, layout)
        res = solve(
            X,
            y,
            DATAFITS[kind](),
            pen,
            sample_weight=s,
            fit_intercept=fit_intercept,
            tol=tol,
            max_iter=2000,
            solver=solver,
        )
        assert res.converged, layout
        assert res.coef.dtype == np.float64 and res.coef.shape == (Xd.shape[1],)
        results[layout] = res
    _, F_null = kkt.null_model(y, s, kind, fit_intercept)
    ref = results["C64"]
    F_ref = kkt.objective(Xd, y, s, kind, spec, ref.coef, ref.intercept)
    scale = max(1.0, np.max(np.abs(ref.coef)))
    for layout, res in results.items():
        F = kkt.objective(Xd, y, s, kind, spec, res.coef, res.intercept)
        # both are certified within tol F_null of the optimum (convex) / are the same local solution
        assert abs(F - F_ref) <= 2 * tol * F_null + 1e-6 * abs(F_ref), layout
        np.testing.assert_allclose(res.coef, ref.coef, atol=1e-4 * scale, err_msg=layout)
        assert res.intercept == pytest.approx(ref.intercept, abs=1e-4 * scale), layout
        if layout.endswith("64"):  # same data, same precision: no reason to differ at all
            np.testing.assert_allclose(res.coef, ref.coef, atol=1e-8 * scale, err_msg=layout)
        if pid in ("L1", "EN"):  # the same support, exact zeros included, away from ties
            g, _ = kkt.datafit_gradients(Xd, y, s, kind, ref.coef, ref.intercept)
            thr = spec.alpha * spec.v(Xd.shape[1]) * (1.0 if pid == "L1" else 0.5)
            clear = np.abs(np.abs(g) - thr) > 1e-3 * thr.max()
            np.testing.assert_array_equal(res.coef[clear] == 0.0, ref.coef[clear] == 0.0, err_msg=layout)


@pytest.mark.parametrize("layout", ["C64", "CSC64", "F32"])
@pytest.mark.parametrize("solver,kind,pid", COMBOS, ids=COMBO_IDS)
def test_warm_start_from_solution_takes_one_iteration(solver, kind, pid, layout):
    Xd, y, s, pen = _problem(kind, pid, seed=1)
    X = _layout(Xd, layout)
    df = DATAFITS[kind]()
    first = solve(X, y, df, pen, sample_weight=s, tol=1e-7, max_iter=2000, solver=solver)
    assert first.converged
    again = solve(
        X, y, df, pen, sample_weight=s, tol=1e-7, max_iter=2000, solver=solver, w0=first.coef, b0=first.intercept
    )
    assert again.converged
    # certified at the start: no pass over the features (the direct solve ignores a warm start)
    assert again.n_outer == 1 and again.n_iter == (1 if solver == "direct" else 0)
    np.testing.assert_allclose(again.coef, first.coef, atol=1e-10 * max(1.0, np.max(np.abs(first.coef))))
    # the warm start is used: starting elsewhere (w = 0) is not a 1-iteration solve on this problem
    cold = solve(X, y, df, pen, sample_weight=s, tol=1e-7, max_iter=2000, solver=solver)
    if solver != "direct":
        assert cold.n_outer > 1


ITERATIVE = [c for c in COMBOS if c[0] != "direct"]


@pytest.mark.parametrize("solver,kind,pid", ITERATIVE, ids=[f"{a}-{b}-{c}" for a, b, c in ITERATIVE])
def test_max_iter_1_warns_with_the_gap(solver, kind, pid):
    # a hard problem: strongly correlated features, weak penalty, very tight tolerance
    X, y, s = make_problem(80, 40, kind, seed=4, correlated=True)
    # unequal factors but no unpenalized feature (for those, see test_certificates' finite-gap test)
    v = np.where(unequal_weights(40) == 0, 0.5, unequal_weights(40))
    frac = 0.001 if pid != "Lp0.5" else 0.003
    pen = PENS[pid](frac * kkt.alpha_max(X, y, s, kind, True, v), v)
    with pytest.warns(ConvergenceWarning) as record:
        res = solve(X, y, DATAFITS[kind](), pen, sample_weight=s, tol=1e-12, max_iter=1, solver=solver)
    assert not res.converged
    msgs = [str(w.message) for w in record if issubclass(w.category, ConvergenceWarning)]
    assert len(msgs) == 1
    msg = msgs[0]
    numbers = [float(x) for x in re.findall(r"[-+]?\d+\.\d+e[-+]\d+", msg)]
    if pen.convex:
        assert "gap" in msg
        assert res.dual_gap is not None and res.dual_gap > 1e-12
        assert any(x == pytest.approx(res.dual_gap, rel=1e-2) for x in numbers), msg
    else:
        assert "violation" in msg
        assert any(x == pytest.approx(res.optimality_violation, rel=1e-2) for x in numbers), msg
    assert res.objective == pytest.approx(
        kkt.objective(X, y, s, kind, kkt.spec_from_penalty(pen), res.coef, res.intercept), rel=1e-9
    )


@pytest.mark.parametrize("solver,kind,pid", ITERATIVE, ids=[f"{a}-{b}-{c}" for a, b, c in ITERATIVE])
def test_converged_solve_emits_no_warning(solver, kind, pid):
    Xd, y, s, pen = _problem(kind, pid, seed=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        res = solve(Xd, y, DATAFITS[kind](), pen, sample_weight=s, tol=1e-6, max_iter=2000, solver=solver)
    assert res.converged
