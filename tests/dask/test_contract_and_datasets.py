"""scikit-learn's estimator checks on the one-pass regressors (data in memory), and the parquet writers."""

from __future__ import annotations

import numpy as np
import pytest

import lpnet.dask as ld
from lpnet.datasets import make_large_classification, make_large_regression

ESTIMATORS = [
    ld.Lasso(alpha=0.01),
    ld.ElasticNet(alpha=0.01),
    ld.Ridge(alpha=0.1),
    ld.LpRegression(alpha=0.01, p=1.5),
    ld.LassoCV(cv=3, n_alphas=5),
    ld.ElasticNetCV(cv=3, n_alphas=5, l1_ratio=[0.5, 1.0]),
    ld.RidgeCV(cv=3, n_alphas=5),
]


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_scikit_learn_contract(estimator):
    from sklearn.utils.estimator_checks import check_estimator

    expected = {}
    if type(estimator).__name__.endswith("CV"):
        why = "the check passes explicit splits; the one-pass CV draws its folds by a hash of the row index"
        expected["check_sample_weight_equivalence_on_dense_data"] = why
        expected["check_sample_weight_equivalence_on_sparse_data"] = why
    check_estimator(estimator, expected_failed_checks=expected)


def test_parquet_writers_are_seeded_and_complete(tmp_path):
    import pyarrow.parquet as pq

    files, coef, intercept = make_large_regression(tmp_path / "a", 5000, 8, n_files=3, rows_per_group=700, seed=4)
    again, coef_again, _ = make_large_regression(tmp_path / "b", 5000, 8, n_files=3, rows_per_group=700, seed=4)
    assert len(files) == 3 and np.array_equal(coef, coef_again)
    tables = [pq.read_table(f) for f in files]
    assert sum(t.num_rows for t in tables) == 5000 and tables[0].column_names == [*(f"x{j}" for j in range(8)), "y"]
    assert pq.ParquetFile(files[0]).metadata.num_row_groups == 3  # 1667 rows in groups of 700
    assert all(pq.read_table(f).equals(pq.read_table(g)) for f, g in zip(files, again, strict=True))
    # the target follows the generating model: least squares on the rows recovers it
    frame = pq.read_table(str(tmp_path / "a")).to_pandas()
    A = np.column_stack([np.ones(len(frame)), frame[[f"x{j}" for j in range(8)]].to_numpy()])
    solution = np.linalg.lstsq(A, frame["y"].to_numpy(), rcond=None)[0]
    np.testing.assert_allclose(solution, [intercept, *coef], atol=0.1)


def test_classification_writer(tmp_path):
    import pyarrow.parquet as pq

    files, coef, intercept = make_large_classification(tmp_path, 4000, 5, n_informative=2, seed=1, dtype="float32")
    table = pq.read_table(files[0])
    assert table.schema.field("x0").type == "float" and set(np.unique(table.column("y"))) == {0.0, 1.0}
    X = np.column_stack([table.column(f"x{j}").to_numpy() for j in range(5)])
    z = X @ coef + intercept
    y = table.column("y").to_numpy()
    # labels agree with the sign of the generating score far more often than chance
    assert np.mean((z > 0) == (y == 1)) > 0.75
    assert np.count_nonzero(coef) == 2


def test_in_memory_twin_predicts_and_saves(tmp_path, capsys):
    import lpnet.io

    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4))
    y = X @ np.array([1.0, 2.0, 0.0, 0.0]) + rng.normal(size=300)
    model = ld.ElasticNetCV(cv=3, n_alphas=5, progress=True, chunk_rows=100).fit(X, y)
    assert "fold statistics" in capsys.readouterr().err  # the pass's progress bar
    lpnet.io.save(model.estimator_, tmp_path / "model")
    loaded = lpnet.io.load(tmp_path / "model")
    np.testing.assert_allclose(loaded.predict(X), X @ model.coef_ + model.intercept_, rtol=1e-12)
