"""save / load: JSON + NPZ round trips without pickle, bit-identical predictions, clear errors."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

import lpnet
from lpnet import (
    ElasticNet,
    Lasso,
    LogisticRegression,
    LpRegression,
    RegularizedModel,
    Ridge,
)
from lpnet.io import ALLOWED_CLASSES, FORMAT_VERSION, INLINE_MAX_SIZE, load, save


# ----------------------------------------------------------------------------------------------------
# data and utilities
# ----------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def regression():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 8))
    w = np.array([2.0, -1.5, 0.0, 0.0, 1.0, 0.0, 0.5, 0.0])
    y = X @ w + 0.3 + 0.1 * rng.standard_normal(60)
    return X, y


@pytest.fixture(scope="module")
def classification():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((80, 6))
    z = X @ np.array([1.5, -2.0, 0.0, 1.0, 0.0, 0.0]) + 0.2 * rng.standard_normal(80)
    return X, (z > 0).astype(int)


REGRESSORS = [
    Lasso(alpha=0.1),
    Ridge(alpha=0.5),
    ElasticNet(alpha=0.1, l1_ratio=0.7),
    LpRegression(alpha=0.1, p=0.5),
    LpRegression(alpha=0.1, p=1.5),
    Lasso(alpha=0.05, fit_intercept=False, tol=1e-8, max_iter=50),
    Lasso(alpha=0.1, penalty_factor=[0.0, 1.0, 1.0, 2.0, 1.0, 1.0, 0.5, 1.0]),
    Ridge(alpha=0.1, penalty_factor=np.linspace(0.5, 2.0, 8)),
    RegularizedModel(datafit="squared", penalty="elasticnet", alpha=0.1, l1_ratio=0.3),
    RegularizedModel(datafit="squared", penalty="lp", alpha=0.1, p=0.5),
]

CLASSIFIERS = [
    LogisticRegression(penalty="l2", alpha=0.01),
    LogisticRegression(penalty="l1", alpha=0.02),
    LogisticRegression(penalty="elasticnet", alpha=0.02, l1_ratio=0.5),
    LogisticRegression(penalty="lp", alpha=0.02, p=0.5),
    RegularizedModel(datafit="logistic", penalty="l1", alpha=0.02),
]


def _fit(model, X, y):
    from sklearn.base import clone

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a ConvergenceWarning is irrelevant to serialization
        return clone(model).fit(X, y)


def _fitted_attrs(model):
    return {k: v for k, v in vars(model).items() if k.endswith("_") and not k.startswith("_")}


def _same_value(a, b):
    """Equal, with the same type and (for arrays) the same dtype and shape."""
    assert type(a) is type(b), (type(a), type(b))
    if isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape
        if a.dtype.kind == "f":
            assert a.tobytes() == b.tobytes()
        else:
            assert np.array_equal(a, b)
    elif isinstance(a, float) and np.isnan(a):
        assert np.isnan(b)
    else:
        assert a == b


def _assert_same_model(original, loaded):
    assert type(loaded) is type(original)
    p0, p1 = original.get_params(), loaded.get_params()
    assert p0.keys() == p1.keys()
    for k in p0:
        if isinstance(p0[k], np.ndarray) or isinstance(p1[k], np.ndarray):
            np.testing.assert_array_equal(p0[k], p1[k])
        else:
            assert p0[k] == p1[k], k
    a0, a1 = _fitted_attrs(original), _fitted_attrs(loaded)
    assert a0.keys() == a1.keys()
    for k in a0:
        _same_value(a0[k], a1[k])


def _no_pickle_anywhere(json_path):
    """The JSON file is strict JSON (no NaN tokens) and any NPZ file loads with allow_pickle=False."""
    text = json_path.read_text(encoding="utf-8")

    def reject(token):
        raise AssertionError(f"non-standard JSON token {token}")

    doc = json.loads(text, parse_constant=reject)
    npz = json_path.with_suffix(".npz")
    if doc["arrays_file"] is not None:
        with np.load(npz, allow_pickle=False) as data:
            for k in data.files:
                assert data[k].dtype.kind != "O"
    return doc


# ----------------------------------------------------------------------------------------------------
# round trips
# ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("model", REGRESSORS, ids=lambda m: repr(m))
def test_regressor_round_trip(model, regression, tmp_path):
    X, y = regression
    fitted = _fit(model, X, y)
    path = save(fitted, tmp_path / "model.json")
    assert path == tmp_path / "model.json"
    assert not (tmp_path / "model.npz").exists()  # small model: everything inline
    loaded = load(path)
    _assert_same_model(fitted, loaded)
    assert loaded.predict(X).tobytes() == fitted.predict(X).tobytes()
    assert loaded.score(X, y) == fitted.score(X, y)
    doc = _no_pickle_anywhere(path)
    assert doc["class"] == type(model).__name__
    assert doc["format_version"] == FORMAT_VERSION
    assert doc["lpnet_version"] == lpnet.__version__


@pytest.mark.parametrize("model", CLASSIFIERS, ids=lambda m: repr(m))
def test_classifier_round_trip(model, classification, tmp_path):
    X, y = classification
    fitted = _fit(model, X, y)
    loaded = load(save(fitted, tmp_path / "clf.json"))
    _assert_same_model(fitted, loaded)
    assert loaded.predict(X).tobytes() == fitted.predict(X).tobytes()
    assert loaded.predict_proba(X).tobytes() == fitted.predict_proba(X).tobytes()
    assert loaded.decision_function(X).tobytes() == fitted.decision_function(X).tobytes()


@pytest.mark.parametrize(
    "labels",
    [
        np.array(["no", "yes"]),  # numpy unicode strings
        np.array(["cat", "dog"], dtype=object),  # Python strings in an object array
        np.array([-1, 1]),
        np.array([3, 7], dtype=np.int32),
        np.array([False, True]),
        np.array([1.0, 2.0]),
    ],
    ids=["str", "object-str", "int64", "int32", "bool", "float"],
)
def test_classes_keep_their_dtype(labels, classification, tmp_path):
    X, y01 = classification
    y = labels[y01]
    fitted = _fit(LogisticRegression(penalty="l1", alpha=0.02), X, y)
    loaded = load(save(fitted, tmp_path / "labels.json"))
    assert loaded.classes_.dtype == fitted.classes_.dtype
    np.testing.assert_array_equal(loaded.classes_, fitted.classes_)
    pred0, pred1 = fitted.predict(X), loaded.predict(X)
    assert pred1.dtype == pred0.dtype
    np.testing.assert_array_equal(pred1, pred0)
    assert loaded.predict_proba(X).tobytes() == fitted.predict_proba(X).tobytes()
    _no_pickle_anywhere(tmp_path / "labels.json")


def test_large_model_goes_to_npz(tmp_path):
    rng = np.random.default_rng(2)
    n_features = INLINE_MAX_SIZE + 500
    X = rng.standard_normal((40, n_features))
    y = X[:, :5] @ np.ones(5) + 0.1 * rng.standard_normal(40)
    factors = rng.uniform(0.5, 1.5, n_features)  # a large hyper-parameter array goes to the NPZ too
    fitted = _fit(Lasso(alpha=0.05, penalty_factor=factors), X, y)
    path = save(fitted, tmp_path / "big.json")
    npz = tmp_path / "big.npz"
    assert npz.exists()
    doc = _no_pickle_anywhere(path)
    assert doc["arrays_file"] == "big.npz"
    assert "data" not in doc["attributes"]["coef_"]  # not inline
    assert path.stat().st_size < 20_000
    loaded = load(path)
    _assert_same_model(fitted, loaded)
    assert loaded.predict(X).tobytes() == fitted.predict(X).tobytes()


def test_dataframe_feature_names_round_trip(regression, tmp_path):
    pd = pytest.importorskip("pandas")
    X, y = regression
    df = pd.DataFrame(X, columns=[f"feat_{j}" for j in range(X.shape[1])])
    fitted = _fit(Lasso(alpha=0.1), df, y)
    loaded = load(save(fitted, tmp_path / "df.json"))
    if hasattr(fitted, "feature_names_in_"):
        assert loaded.feature_names_in_.dtype == fitted.feature_names_in_.dtype
        np.testing.assert_array_equal(loaded.feature_names_in_, fitted.feature_names_in_)
    assert loaded.n_features_in_ == fitted.n_features_in_
    assert loaded.predict(df).tobytes() == fitted.predict(df).tobytes()


def test_string_path_and_refit_after_load(regression, tmp_path):
    X, y = regression
    fitted = _fit(ElasticNet(alpha=0.1), X, y)
    loaded = load(str(save(fitted, str(tmp_path / "m.json"))))
    refit = loaded.fit(X, y)  # a loaded model is an ordinary estimator
    np.testing.assert_allclose(refit.coef_, fitted.coef_, atol=1e-8)


def test_non_finite_values_round_trip(regression, tmp_path):
    X, y = regression
    fitted = _fit(Lasso(alpha=0.1), X, y)
    fitted.extra_ = np.array([np.nan, np.inf, -np.inf, 1.5])
    fitted.scalar_ = float("nan")
    fitted.np_scalar_ = np.float32(2.5)
    fitted.count_ = np.int64(3)
    path = save(fitted, tmp_path / "odd.json")
    _no_pickle_anywhere(path)
    loaded = load(path)
    _assert_same_model(fitted, loaded)


# ----------------------------------------------------------------------------------------------------
# errors
# ----------------------------------------------------------------------------------------------------
def test_unfitted_model_is_refused(tmp_path):
    with pytest.raises(NotFittedError, match="not fitted"):
        save(Lasso(), tmp_path / "m.json")
    assert not (tmp_path / "m.json").exists()


def test_foreign_estimator_is_refused(regression, tmp_path):
    from sklearn.linear_model import Lasso as SkLasso

    X, y = regression
    with pytest.raises(TypeError, match="lpnet estimators only"):
        save(SkLasso(alpha=0.1).fit(X, y), tmp_path / "m.json")


def test_npz_suffix_is_refused(regression, tmp_path):
    X, y = regression
    with pytest.raises(ValueError, match=r"\.npz"):
        save(_fit(Lasso(alpha=0.1), X, y), tmp_path / "m.npz")


@pytest.fixture
def saved(regression, tmp_path):
    X, y = regression
    path = save(_fit(Lasso(alpha=0.1), X, y), tmp_path / "m.json")
    return path, json.loads(path.read_text())


def _rewrite(path, doc):
    """Write an edited document as a hand-made file would be: without the content checksum."""
    doc = {k: v for k, v in doc.items() if k != "content_sha256"}
    path.write_text(json.dumps(doc))


@pytest.mark.parametrize("name", ["os.system", "builtins.eval", "sklearn.linear_model.Lasso", "Pipeline", None])
def test_unknown_class_is_refused(saved, name):
    path, doc = saved
    doc["class"] = name
    _rewrite(path, doc)
    with pytest.raises(ValueError, match="not an lpnet estimator"):
        load(path)


@pytest.mark.parametrize("version", [0, FORMAT_VERSION + 1, "1", None])
def test_wrong_format_version(saved, version):
    path, doc = saved
    doc["format_version"] = version
    _rewrite(path, doc)
    with pytest.raises(ValueError, match="format version"):
        load(path)


def test_not_a_model_file(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text('{"hello": 1}')
    with pytest.raises(ValueError, match="not an lpnet model file"):
        load(bad)
    bad.write_text("not json at all")
    with pytest.raises(ValueError, match="not an lpnet model file"):
        load(bad)
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "missing.json")


def test_object_dtype_in_file_is_refused(saved):
    path, doc = saved
    doc["attributes"]["coef_"]["dtype"] = "|O"
    _rewrite(path, doc)
    with pytest.raises(ValueError, match="not allowed"):
        load(path)


def test_bad_attribute_name_is_refused(saved):
    path, doc = saved
    doc["attributes"]["__class__"] = 1
    _rewrite(path, doc)
    with pytest.raises(ValueError, match="fitted-attribute"):
        load(path)


def test_other_lpnet_version_warns(saved):
    path, doc = saved
    doc["lpnet_version"] = "0.0.1"
    _rewrite(path, doc)
    with pytest.warns(UserWarning, match="0.0.1"):
        load(path)


@pytest.fixture
def saved_big(tmp_path):
    rng = np.random.default_rng(3)
    X = rng.standard_normal((30, INLINE_MAX_SIZE + 1))
    y = X[:, 0] + 0.1 * rng.standard_normal(30)
    path = save(_fit(Ridge(alpha=1.0), X, y), tmp_path / "big.json")
    return path, tmp_path / "big.npz"


def test_missing_npz(saved_big):
    path, npz = saved_big
    npz.unlink()
    with pytest.raises(FileNotFoundError, match="big.npz"):
        load(path)


def test_mismatched_npz(saved_big):
    path, npz = saved_big
    np.savez(npz, a0=np.zeros(INLINE_MAX_SIZE + 1))
    with pytest.raises(ValueError, match="does not match"):
        load(path)


def test_pickled_npz_is_never_unpickled(saved_big):
    path, npz = saved_big
    doc = json.loads(path.read_text())
    doc.pop("arrays_sha256")  # even without the checksum, object arrays are refused
    _rewrite(path, doc)
    np.savez(npz, a0=np.array([object()] * (INLINE_MAX_SIZE + 1), dtype=object))
    with pytest.raises(ValueError, match="[Pp]ickle"):
        load(path)


def test_edited_file_is_refused_by_its_checksum(saved):
    path, doc = saved
    doc["attributes"]["intercept_"]["value"] = 0.0  # a plausible edit, caught by the checksum alone
    path.write_text(json.dumps(doc))
    with pytest.raises(ValueError, match="changed after it was saved"):
        load(path)


@pytest.mark.parametrize("other", ["Ridge", "ElasticNet", "LpRegression", "LassoCV"])
def test_relabelled_class_is_refused(saved, other):
    path, doc = saved  # a Lasso file
    doc["class"] = other
    _rewrite(path, doc)
    with pytest.raises(ValueError, match=f"says {other} but holds the parameters of another estimator"):
        load(path)


def test_failed_save_leaves_no_files_behind(tmp_path, monkeypatch):
    """The NPZ is complete before the JSON is written; when writing the JSON fails, neither file (nor a
    temporary one) appears, and files saved before stay as they were."""
    from pathlib import Path

    rng = np.random.default_rng(5)
    X = rng.standard_normal((30, INLINE_MAX_SIZE + 1))
    model = _fit(Ridge(alpha=1.0), X, X[:, 0])
    target = tmp_path / "big.json"
    calls = []

    def failing_write(self, *args, **kwargs):
        calls.append(self)
        raise OSError("disk full")

    monkeypatch.setattr(Path, "write_text", failing_write)
    with pytest.raises(OSError, match="disk full"):
        save(model, target)
    assert calls and sorted(p.name for p in tmp_path.iterdir()) == []
    monkeypatch.undo()
    save(model, target)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert sorted(before) == ["big.json", "big.npz"]
    monkeypatch.setattr(Path, "write_text", failing_write)
    with pytest.raises(OSError):
        save(_fit(Ridge(alpha=2.0), X, X[:, 0]), target)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_allow_list_matches_exports():
    for name in ALLOWED_CLASSES:
        assert getattr(lpnet, name).__name__ == name


def _models_for_every_class():
    """One fitted model of every class save() accepts beyond the single-alpha estimators."""
    from sklearn.datasets import load_diabetes

    X, y = load_diabetes(return_X_y=True)
    X = (X - X.mean(0)) / X.std(0)
    labels = np.where(y > np.median(y), "high", "low")
    return [
        (lpnet.LassoCV(alphas=6, cv=3), X, y),
        (lpnet.ElasticNetCV(l1_ratio=[0.3, 0.9], alphas=5, cv=3), X, y),
        (lpnet.LpRegressionCV(p=1.5, alphas=4, cv=3), X, y),
        (lpnet.RidgeCV(store_cv_results=True), X, y),
        (lpnet.RidgeCV(cv=3), X, y),
        (lpnet.LassoIC(n_alphas=10), X, y),
        (lpnet.LogisticRegressionCV(penalty="elasticnet", l1_ratio=[0.2, 0.8], alphas=4, cv=3), X, labels),
        (lpnet.LogisticRegressionCV(penalty="l1", alphas=4, cv=3), X, (y > np.median(y)).astype(int)),
        (lpnet.ConstrainedRegression(radius=20.0, p=1.5), X, y),
        (lpnet.ConstrainedClassifier(radius=1.0), X, labels),
    ]


@pytest.mark.parametrize("model, X, y", _models_for_every_class(), ids=lambda v: type(v).__name__)
def test_cross_validated_and_constrained_round_trip(model, X, y, tmp_path):
    fitted = _fit(model, X, y)
    path = save(fitted, tmp_path / "m.json")
    _no_pickle_anywhere(path)
    loaded = load(path)
    assert type(loaded) is type(fitted)
    np.testing.assert_array_equal(loaded.predict(X), fitted.predict(X))
    for name, value in _fitted_attrs(fitted).items():
        back = getattr(loaded, name)
        if name == "estimator_":  # the refitted model is itself saved and restored in full
            _assert_same_model(value, back)
        elif isinstance(value, dict):  # coefs_paths_, scores_: keyed by a class label
            assert list(value) == list(back)
            for key in value:
                _same_value(value[key], back[key])
        elif hasattr(value, "__dataclass_fields__"):  # CVResults
            for field in value.__dataclass_fields__:
                a, b = getattr(value, field), getattr(back, field)
                np.testing.assert_array_equal(a, b) if isinstance(a, np.ndarray) else _same_value(a, b)
        elif isinstance(value, np.ndarray) and value.dtype == object:
            assert value.tolist() == back.tolist()
        else:
            _same_value(value, back)
