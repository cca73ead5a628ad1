"""scipy.sparse features out of core (squared loss): statistics from sparse products, per chunk.

Every fit equals lpnet's in-memory fit on the dense copy (itself checked against scikit-learn), for
sparse matrices in memory (read in blocks of rows) and for dask arrays whose chunks are sparse.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

import lpnet
import lpnet.dask as ld
from lpnet.dask import fold_of

from .conftest import assert_close


def _sparse_data(n=800, p=12, density=0.2, seed=0):
    rng = np.random.default_rng(seed)
    X = sp.random(n, p, density=density, format="csr", random_state=seed, data_rvs=lambda k: rng.normal(1.0, 2.0, k))
    coef = np.zeros(p)
    coef[:4] = [2.0, -1.0, 0.5, 1.5]
    y = X @ coef + 1.0 + 0.3 * rng.normal(size=n)
    return X, y


@pytest.mark.parametrize(
    ("ours", "theirs", "params"),
    [
        (ld.Lasso, lpnet.Lasso, {"alpha": 0.01}),
        (ld.ElasticNet, lpnet.ElasticNet, {"alpha": 0.01, "l1_ratio": 0.5}),
        (ld.Ridge, lpnet.Ridge, {"alpha": 0.1}),
    ],
    ids=["lasso", "enet", "ridge"],
)
def test_sparse_in_memory_equals_dense_fit(ours, theirs, params):
    X, y = _sparse_data()
    weights = np.random.default_rng(1).uniform(0.5, 2.0, X.shape[0])
    model = ours(**params, tol=1e-10, chunk_rows=97).fit(X, y, sample_weight=weights)
    ref = theirs(**params, tol=1e-12).fit(X.toarray(), y, sample_weight=weights)
    assert model.engine_ == "memory" and model.n_passes_ == 1 and model.converged_
    assert_close(model.coef_, ref.coef_, 1e-8)
    assert model.intercept_ == pytest.approx(ref.intercept_, rel=1e-8)
    np.testing.assert_allclose(model.predict(X), ref.predict(X.toarray()), rtol=1e-8)


def test_sparse_cv_and_path_equal_dense():
    X, y = _sparse_data(n=600, seed=2)
    folds = fold_of(0, X.shape[0], 3, 4)
    splits = [(np.flatnonzero(folds != k), np.flatnonzero(folds == k)) for k in range(3)]
    model = ld.LassoCV(cv=3, random_state=4, n_alphas=10, tol=1e-10, chunk_rows=128).fit(X, y)
    ref = lpnet.LassoCV(cv=splits, n_alphas=10, tol=1e-12).fit(X.toarray(), y)
    np.testing.assert_allclose(model.alphas_, ref.alphas_, rtol=1e-10)
    np.testing.assert_allclose(model.cv_results_.losses, ref.cv_results_.losses, rtol=1e-7)
    assert_close(model.coef_, ref.coef_, 1e-8)
    path = ld.regularization_path(X.tocsc(), y, n_alphas=6, tol=1e-12)  # any scipy.sparse format
    dense = ld.regularization_path(X.toarray(), y, n_alphas=6, tol=1e-12)
    np.testing.assert_allclose(path.alphas, dense.alphas, rtol=1e-10)
    assert np.max(np.abs(path.coefs - dense.coefs)) <= 1e-8 * np.max(np.abs(dense.coefs))


def test_dask_array_of_sparse_chunks_equals_dense(dask_client):
    da = pytest.importorskip("dask.array")
    X, y = _sparse_data(n=700, seed=3)
    dX = da.from_array(X, chunks=(150, -1), asarray=False)
    assert isinstance(dX.blocks[0].compute(), sp.spmatrix | sp.sparray)
    model = ld.ElasticNet(alpha=0.02, tol=1e-12, engine="dask").fit(dX, da.from_array(y, chunks=150))
    ref = lpnet.ElasticNet(alpha=0.02, tol=1e-12).fit(X.toarray(), y)
    assert model.engine_ == "dask"
    assert_close(model.coef_, ref.coef_, 1e-8)
    # a sparse matrix in memory sent to the cluster stays sparse in its blocks, with the same fit
    again = ld.ElasticNet(alpha=0.02, tol=1e-12, engine="dask", chunk_rows=200).fit(X, y)
    assert_close(again.coef_, ref.coef_, 1e-8)


def test_sparse_nan_is_named_by_row():
    X, y = _sparse_data(n=300)
    X = X.tolil()
    X[123, 4] = np.nan
    with pytest.raises(ValueError, match=r"NaN or infinite values in rows 100\.\.149.*global rows 123\.\.123"):
        ld.regularization_path(X.tocsr(), y, chunk_rows=50)
