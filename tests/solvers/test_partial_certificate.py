"""Partial certificates: ``X^T theta`` taken only where a bound from the last full product leaves a
feature's place open.  Checked against the full certificate of a certifier on the same data that is
never asked for a partial one, and along paths against the independent gap of tests/kkt.py.

* the gap, the distances, the dual value and the verdict are the full certificate's,
* the gradient is the full one wherever it is reported (NaN elsewhere), and where it is not, the full
  one lies inside the threshold and ``dual_xt`` holds an upper bound of the full ``|X^T theta|``,
* a point far from the reference falls back to the full product.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from lpnet import regularization_path
from lpnet.certificates import Certifier
from lpnet.datafits import Logistic, Quadratic
from lpnet.penalties import L1, L2, ElasticNet, Lp
from lpnet.solvers import Design, solve

from .. import kkt
from ..registry import unequal_weights

DATAFITS = {"squared": Quadratic, "logistic": Logistic}
PENS = {
    "L1": lambda a, v: L1(a, weights=v),
    "EN": lambda a, v: ElasticNet(a, 0.7, weights=v),
    "L2": lambda a, v: L2(a, weights=v),
    "Lp1.5": lambda a, v: Lp(a, 1.5, weights=v),
}


def _data(kind, layout, seed, n=120, p=300, offset=0.0):
    """Sparse-ish columns with unequal scales and means (``offset``: every column's mean moved, a large
    one beside the intercept), a target from a few of them."""
    rng = np.random.default_rng(seed)
    A = np.where(rng.random((n, p)) < 0.2, rng.standard_normal((n, p)), 0.0) * rng.uniform(0.2, 3.0, p)
    A[:, ::7] += offset
    z = A[:, 1:7] @ rng.standard_normal(6)  # (columns without the offset)
    y = z + 0.3 * rng.standard_normal(n) if kind == "squared" else np.where(z + rng.logistic(size=n) > 0, 1.0, -1.0)
    s = rng.uniform(0.5, 1.5, n)
    s *= n / s.sum()
    X = {"dense": np.asfortranarray(A), "csc": sp.csc_matrix(A)}[layout]
    return X, y, s


def _pair(X, y, s, kind, pen, fit_intercept):
    """Two certifiers, each on its own Design (the same compiled products): the first is asked for
    partial certificates, the second never."""
    datafit = DATAFITS[kind]()
    return tuple(
        Certifier(X, y, s, datafit, pen, fit_intercept, 1e-6, xt=design.xt, cache=design)
        for design in (Design(X), Design(X))
    )


def _points(X, y, s, kind, pen, fit_intercept):
    """The reference point (the optimum at 1.2 alpha, as along a path) and the checked one (near the
    optimum at alpha)."""
    datafit = DATAFITS[kind]()
    before, after = (
        solve(X, y, datafit, pen.with_alpha(a), sample_weight=s, fit_intercept=fit_intercept, tol=1e-8)
        for a in (1.2 * pen.alpha, pen.alpha)
    )
    w = after.coef * (1.0 + 1e-3 * np.random.default_rng(0).standard_normal(X.shape[1]))
    return (before.coef, before.intercept), (w, after.intercept)


def _predictor(X, w, b):
    return np.asarray(X @ w).ravel() + b


# (the logistic loss with unpenalized features is certified through its general projection, which a
# partial certificate never shortens: unit factors only there)
DATA = [("squared", 0.0, "unit"), ("squared", 0.0, "unequal"), ("squared", 1e3, "unequal"), ("logistic", 0.0, "unit")]


@pytest.mark.parametrize("kind,offset,factors", DATA)
@pytest.mark.parametrize("layout", ["dense", "csc"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("pid", list(PENS))
def test_partial_certificate_equals_the_full_one(pid, factors, fit_intercept, kind, layout, offset):
    X, y, s = _data(kind, layout, seed=len(pid) + 3 * fit_intercept, offset=offset)
    p = X.shape[1]
    v = None if factors == "unit" else unequal_weights(p)
    # (the Lasso's alpha_max sets the scale of every penalty's alpha)
    pen = PENS[pid](0.2 * kkt.alpha_max(X, y, s, kind, fit_intercept, v), v)
    (w0, b0), (w1, b1) = _points(X, y, s, kind, pen, fit_intercept)
    bounding, plain = _pair(X, y, s, kind, pen, fit_intercept)
    for certifier in (bounding, plain):  # the reference: a full product (and each certifier's first check)
        certifier.check(w0, b0, _predictor(X, w0, b0))
    # the second point is bounded from the first's partial certificate too (exact where it was open)
    w2 = w1 * (1.0 + 1e-3 * np.random.default_rng(1).standard_normal(p))
    for w in (w1, w2):
        z = _predictor(X, w, b1)
        part = bounding.check(w, b1, z, partial=True)
        full = plain.check(w, b1, z)
        known = _same_certificate(part, full, pen, w, atol=1e-12 * (1.0 + offset) * float(np.abs(full.grad).max()))
        if pid in ("L2", "Lp1.5") or (kind == "logistic" and fit_intercept):
            # no kink at zero: no feature lies inside a threshold; the logistic loss's projection onto the
            # intercept moves with theta, and its certificate takes both products in one full pass
            assert known.all()
        if kind == "squared" and factors == "unit" and pid in ("L1", "EN"):
            assert not known.all()  # (else this test would compare two full certificates)


def _same_certificate(part, full, pen, w, atol):
    """Assert that a partial certificate says what the full one says; returns where its gradient is known.

    ``atol``: the product on part of the features may round differently, to n eps of the largest term.
    """
    assert part.gap == pytest.approx(full.gap, rel=1e-9, abs=1e-14 * abs(full.objective))
    assert part.dual == pytest.approx(full.dual, rel=1e-12, abs=1e-15 * abs(full.objective))
    assert part.converged == full.converged
    np.testing.assert_allclose(part.distance, full.distance, rtol=1e-9, atol=atol)
    known = np.isfinite(part.grad)
    np.testing.assert_allclose(part.grad[known], full.grad[known], rtol=1e-9, atol=atol)
    np.testing.assert_allclose(part.dual_xt[known], full.dual_xt[known], rtol=1e-9, atol=atol)
    left = ~known
    tau = pen.zero_threshold(w.shape[0])
    assert np.all(w[left] == 0)
    assert np.all(np.abs(full.grad[left]) <= tau[left])
    assert np.all(np.abs(full.dual_xt[left]) <= part.dual_xt[left])
    return known


@pytest.mark.parametrize("layout", ["dense", "csc"])
def test_a_far_point_takes_the_full_product(layout):
    """Far from the reference the bounds leave most features open: the certificate takes the full
    product (and reports every gradient), and that product is the next reference."""
    X, y, s = _data("squared", layout, seed=11)
    pen = L1(0.05 * kkt.alpha_max(X, y, s, "squared", True))
    bounding, plain = _pair(X, y, s, "squared", pen, True)
    w0 = np.zeros(X.shape[1])
    for certifier in (bounding, plain):
        certifier.check(w0, float(y.mean()), _predictor(X, w0, float(y.mean())))
    res = solve(X, y, Quadratic(), pen, sample_weight=s, tol=1e-10)
    z = _predictor(X, res.coef, res.intercept)
    far = bounding.check(res.coef, res.intercept, z, partial=True)
    assert np.isfinite(far.grad).all()
    assert far.gap == pytest.approx(plain.check(res.coef, res.intercept, z).gap, rel=1e-9, abs=1e-16)
    w = res.coef * (1 + 1e-4)
    near = bounding.check(w, res.intercept, _predictor(X, w, res.intercept), partial=True)
    assert not np.isfinite(near.grad).all()


@pytest.mark.parametrize("layout", ["dense", "csc"])
@pytest.mark.parametrize("pid", ["L1", "EN"])
def test_paths_with_partial_certificates_meet_the_independent_gap(monkeypatch, layout, pid):
    """Along a path most certificates are partial, and every fit's gap, recomputed independently at the
    returned coefficients, is within the tolerance."""
    X, y, s = _data("squared", layout, seed=5, n=200, p=600, offset=0.5)
    partial_fits = []
    check = Certifier.check

    def spy(self, *args, **kwargs):
        cert = check(self, *args, **kwargs)
        partial_fits.append(bool(np.isnan(cert.grad).any()))
        return cert

    monkeypatch.setattr(Certifier, "check", spy)
    l1_ratio = 1.0 if pid == "L1" else 0.7
    tol = 1e-7
    path = regularization_path(
        X, y, penalty="l1" if pid == "L1" else "elasticnet", l1_ratio=l1_ratio, sample_weight=s, n_alphas=30, tol=tol
    )
    assert path.converged.all()
    assert np.mean(partial_fits) > 0.25
    _, f_null = kkt.null_model(y, s, "squared", True)
    for alpha, coef, b in zip(path.alphas, path.coefs, path.intercepts):
        pen = L1(alpha) if pid == "L1" else ElasticNet(alpha, l1_ratio)
        gap = kkt.duality_gap(X, y, s, "squared", kkt.spec_from_penalty(pen), coef, b, True)["gap"]
        assert gap <= 1.01 * tol * f_null
