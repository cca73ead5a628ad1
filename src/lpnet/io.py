"""Save and load fitted lpnet estimators as JSON (plus an NPZ file for large arrays).

No pickle is involved at any point: the JSON file holds the class name, the hyper-parameters
(``get_params()``) and every fitted attribute (public names ending in ``_``); arrays with more than
:data:`INLINE_MAX_SIZE` elements go to an ``.npz`` file next to the JSON file (same stem), which is read
back with ``allow_pickle=False``.  Loading rebuilds only the estimator classes listed in
:data:`ALLOWED_CLASSES` (a cross-validated model's ``estimator_`` too, and its :class:`CVResults`),
never an arbitrary importable name, and restores every attribute with its original dtype, so a loaded
model's ``predict`` / ``predict_proba`` are bit-identical to the saved one's.

Files are checked on the way back in: a checksum over the JSON content (and one over the NPZ file)
refuses a file changed after it was written, and the stored parameters must be exactly those of the
named class (a Lasso file relabelled ``"Ridge"`` is refused, not loaded as a Ridge with a Lasso's
coefficients).  Both files are written under temporary names in the target folder and renamed into
place only once both are complete, so a failed save leaves no half-written or orphaned file.

Example
-------
>>> from lpnet import Lasso, save, load                          # doctest: +SKIP
>>> model = Lasso(alpha=0.1).fit(X, y)                           # doctest: +SKIP
>>> save(model, "model.json")                                    # doctest: +SKIP
>>> load("model.json").predict(X)                                # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import tempfile
import warnings
from pathlib import Path

import numpy as np

from .datafits import Datafit, datafit_class
from .penalties import Penalty, SparseGroup, make_penalty

__all__ = ["save", "load", "FORMAT_NAME", "FORMAT_VERSION", "ALLOWED_CLASSES", "INLINE_MAX_SIZE"]

#: identifies an lpnet model file
FORMAT_NAME = "lpnet-model"
#: bumped whenever the file layout changes incompatibly; files of version 1 are still read
FORMAT_VERSION = 2
_READABLE_VERSIONS = (1, 2)
#: the only classes :func:`load` will construct (looked up among the public names of lpnet.estimators,
#: lpnet.constrained and lpnet.model_selection)
ALLOWED_CLASSES = (
    "Lasso",
    "Ridge",
    "ElasticNet",
    "LpRegression",
    "LogisticRegression",
    "RegularizedModel",
    "ConstrainedRegression",
    "ConstrainedClassifier",
    "LassoCV",
    "ElasticNetCV",
    "LpRegressionCV",
    "LogisticRegressionCV",
    "RidgeCV",
    "LassoIC",
    "RegularizedModelCV",
    "CoxRegression",
    "CoxRegressionCV",
    "PoissonRegression",
    "GammaRegression",
    "TweedieRegression",
    "PoissonRegressionCV",
    "GammaRegressionCV",
    "TweedieRegressionCV",
    "HuberRegression",
    "MultiTaskLasso",
    "MultiTaskElasticNet",
    "MultiTaskLassoCV",
    "MultiTaskElasticNetCV",
    "GroupLasso",
    "SparseGroupLasso",
    "GroupLassoCV",
    "SparseGroupLassoCV",
    "RelaxedLasso",
    "RelaxedLogisticRegression",
    "RelaxedLassoCV",
    "RelaxedLogisticRegressionCV",
    "AdaptiveLasso",
    "AdaptiveLogisticRegression",
    "AdaptiveLassoCV",
    "AdaptiveLogisticRegressionCV",
)
#: plain result records stored field by field (looked up in ``lpnet.model_selection``)
_ALLOWED_RECORDS = ("CVResults",)
#: arrays with more elements than this are stored in the NPZ file instead of inline
INLINE_MAX_SIZE = 1000

# dtype kinds that round-trip exactly through JSON: bool, signed/unsigned int, float, unicode string
_PLAIN_KINDS = "biufU"


# ----------------------------------------------------------------------------------------------------
# encoding
# ----------------------------------------------------------------------------------------------------
def _float_to_json(x: float):
    """A float as JSON: finite values as numbers (``repr`` round-trips exactly), others as strings."""
    x = float(x)
    if math.isfinite(x):
        return x
    return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")


def _float_from_json(x) -> float:
    if isinstance(x, str):
        if x not in ("nan", "inf", "-inf"):
            raise ValueError(f"invalid float value {x!r} in model file.")
        return float(x)
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise ValueError(f"invalid float value {x!r} in model file.")
    return float(x)


class _Encoder:
    """Turns parameter / attribute values into JSON-compatible data, collecting large arrays."""

    def __init__(self):
        self.arrays: dict[str, np.ndarray] = {}

    def encode(self, value, name: str):
        # order matters: bool before int (bool is an int), numpy scalars before Python numbers
        if value is None or isinstance(value, str):
            return value
        if type(value).__name__ in ALLOWED_CLASSES and _allowed_class(type(value).__name__) is type(value):
            return {"__estimator__": self.encode_model(value, name)}
        if isinstance(value, Penalty):  # rebuilt from the registry by name, never by importing a class
            return {
                "__penalty__": value.name,
                "alpha": self.encode(value.alpha, f"{name}.alpha"),
                "parameters": self.encode(value.shape_parameters(), f"{name}.parameters"),
                "weights": self.encode(value.weights, f"{name}.weights"),
                # a box on the coefficients, when the penalty carries one (scalars or arrays, +-inf allowed)
                **(
                    {
                        "lower_bounds": self.encode(value.lower_bounds, f"{name}.lower_bounds"),
                        "upper_bounds": self.encode(value.upper_bounds, f"{name}.upper_bounds"),
                    }
                    if value.is_bounded
                    else {}
                ),
                # a group penalty also keeps its groups (a label per column) and group weights
                **(
                    {"structure": self.encode(value.structure(), f"{name}.structure")}
                    if isinstance(value, SparseGroup)
                    else {}
                ),
            }
        if isinstance(value, Datafit):  # rebuilt from the registry by name, as penalties
            return {
                "__datafit__": value.name,
                "parameters": self.encode(value.shape_parameters(), f"{name}.parameters"),
            }
        if dataclasses.is_dataclass(value) and type(value).__name__ in _ALLOWED_RECORDS:
            fields = {
                f.name: self.encode(getattr(value, f.name), f"{name}.{f.name}") for f in dataclasses.fields(value)
            }
            return {"__record__": type(value).__name__, "fields": fields}
        if isinstance(value, (bool, np.bool_)):
            if isinstance(value, np.bool_):
                return {"__scalar__": "|b1", "value": bool(value)}
            return value
        if isinstance(value, np.generic):
            dt = value.dtype
            if dt.kind not in "iuf":
                raise TypeError(f"cannot save {name!r}: numpy scalar of dtype {dt} is not supported.")
            v = _float_to_json(value) if dt.kind == "f" else int(value)
            return {"__scalar__": dt.str, "value": v}
        if isinstance(value, int):
            return value
        if isinstance(value, float):
            return {"__float__": _float_to_json(value)} if not math.isfinite(value) else value
        if isinstance(value, np.ndarray):
            return self._encode_array(value, name)
        if isinstance(value, (list, tuple)):
            items = [self.encode(v, f"{name}[{i}]") for i, v in enumerate(value)]
            return {"__tuple__": items} if isinstance(value, tuple) else {"__list__": items}
        if isinstance(value, dict):
            if all(isinstance(k, str) for k in value):
                return {"__dict__": {k: self.encode(v, f"{name}[{k!r}]") for k, v in value.items()}}
            # e.g. LogisticRegressionCV.coefs_paths_, keyed by a class label of any dtype
            return {
                "__items__": [
                    [self.encode(k, f"{name} key"), self.encode(v, f"{name}[{k!r}]")] for k, v in value.items()
                ]
            }
        raise TypeError(
            f"cannot save {name!r}: values of type {type(value).__name__} are not supported "
            "(lpnet model files hold numbers, strings, None, lists, dicts and numeric/string arrays)."
        )

    def encode_model(self, model, name: str) -> dict:
        """``class``, ``params`` and fitted ``attributes`` of an allow-listed estimator."""
        params = {k: self.encode(v, f"{name}.{k}") for k, v in model.get_params(deep=False).items()}
        attrs = {k: self.encode(v, f"{name}.{k}") for k, v in sorted(_fitted_attributes(model).items())}
        return {"class": type(model).__name__, "params": params, "attributes": attrs}

    def _encode_array(self, arr: np.ndarray, name: str):
        dtype = arr.dtype
        as_object_str = False
        if dtype.kind == "O":
            # e.g. feature_names_in_ or string class labels: object arrays of Python strings
            if not all(isinstance(v, str) for v in arr.flat):
                if not all(v is None or isinstance(v, (str, bool, int, float, np.generic)) for v in arr.flat):
                    raise TypeError(f"cannot save {name!r}: object arrays may hold only None, strings and numbers.")
                # e.g. LogisticRegressionCV.l1_ratio_ = [None]: element by element, inline
                return {
                    "__ndarray__": True,
                    "dtype": "object",
                    "shape": list(arr.shape),
                    "items": [self.encode(v, f"{name}[{i}]") for i, v in enumerate(arr.flat)],
                }
            as_object_str = True
            arr = arr.astype(str) if arr.size else np.zeros(arr.shape, dtype="<U1")
        elif dtype.kind not in _PLAIN_KINDS:
            raise TypeError(f"cannot save {name!r}: arrays of dtype {dtype} are not supported.")
        out = {"__ndarray__": True, "dtype": "object-str" if as_object_str else dtype.str, "shape": list(arr.shape)}
        if arr.size > INLINE_MAX_SIZE:
            key = f"a{len(self.arrays)}"
            self.arrays[key] = np.ascontiguousarray(arr)
            out["npz_key"] = key
        else:
            flat = arr.ravel()
            if arr.dtype.kind == "f":
                out["data"] = [_float_to_json(v) for v in flat.tolist()]
            else:
                out["data"] = flat.tolist()
        return out


# ----------------------------------------------------------------------------------------------------
# decoding
# ----------------------------------------------------------------------------------------------------
class _Decoder:
    def __init__(self, npz_arrays):
        self.npz_arrays = npz_arrays  # mapping key -> ndarray, or None

    def decode_model(self, doc: dict, name: str):
        """Rebuild an allow-listed estimator whose parameters are exactly its class's."""
        cls_name = doc.get("class")
        if cls_name not in ALLOWED_CLASSES:
            raise ValueError(
                f"{name!r} names the class {cls_name!r}, which is not an lpnet estimator; "
                f"load() rebuilds only {', '.join(ALLOWED_CLASSES)}."
            )
        cls = _allowed_class(cls_name)
        params = {k: self.decode(v, f"{name}.{k}") for k, v in doc.get("params", {}).items()}
        expected = set(cls().get_params(deep=False))
        if set(params) != expected:
            extra, missing = sorted(set(params) - expected), sorted(expected - set(params))
            raise ValueError(
                f"{name!r} says {cls_name} but holds the parameters of another estimator (unexpected "
                f"{extra}, missing {missing}): the file was edited or written by a different lpnet version."
            )
        model = cls(**params)
        for k, v in doc.get("attributes", {}).items():
            if not (k.endswith("_") and not k.startswith("_") and k.isidentifier()):
                raise ValueError(f"malformed model file: {k!r} is not a fitted-attribute name.")
            setattr(model, k, self.decode(v, f"{name}.{k}"))
        return model

    def decode(self, value, name: str):
        if value is None or isinstance(value, (str, bool, int, float)):
            return value
        if isinstance(value, list):
            raise ValueError(f"malformed model file: untagged list for {name!r}.")
        if not isinstance(value, dict):
            raise ValueError(f"malformed model file: unexpected value for {name!r}.")
        if "__float__" in value:
            return _float_from_json(value["__float__"])
        if "__scalar__" in value:
            dt = self._dtype(value["__scalar__"], name)
            if dt.kind == "b":
                return np.bool_(value["value"])
            if dt.kind == "f":
                return dt.type(_float_from_json(value["value"]))
            return dt.type(int(value["value"]))
        if "__list__" in value:
            return [self.decode(v, f"{name}[{i}]") for i, v in enumerate(value["__list__"])]
        if "__tuple__" in value:
            return tuple(self.decode(v, f"{name}[{i}]") for i, v in enumerate(value["__tuple__"]))
        if "__dict__" in value:
            return {k: self.decode(v, f"{name}[{k!r}]") for k, v in value["__dict__"].items()}
        if "__items__" in value:
            return {self.decode(k, f"{name} key"): self.decode(v, f"{name}[{k!r}]") for k, v in value["__items__"]}
        if "__estimator__" in value:
            return self.decode_model(value["__estimator__"], name)
        if "__penalty__" in value:
            parameters = self.decode(value.get("parameters"), f"{name}.parameters")
            if not isinstance(parameters, dict):
                raise ValueError(f"malformed model file: the penalty {name!r} has no parameters.")
            try:
                if value["__penalty__"] == SparseGroup.name:
                    structure = self.decode(value.get("structure"), f"{name}.structure")
                    if not isinstance(structure, dict):
                        raise ValueError("the group penalty has no groups")
                    return SparseGroup(
                        self.decode(value.get("alpha"), f"{name}.alpha"),
                        **parameters,
                        **structure,
                        lower_bounds=self.decode(value.get("lower_bounds"), f"{name}.lower_bounds"),
                        upper_bounds=self.decode(value.get("upper_bounds"), f"{name}.upper_bounds"),
                    )
                return make_penalty(
                    value["__penalty__"],
                    self.decode(value.get("alpha"), f"{name}.alpha"),
                    weights=self.decode(value.get("weights"), f"{name}.weights"),
                    lower_bounds=self.decode(value.get("lower_bounds"), f"{name}.lower_bounds"),
                    upper_bounds=self.decode(value.get("upper_bounds"), f"{name}.upper_bounds"),
                    **parameters,
                )
            except (TypeError, ValueError) as exc:
                raise ValueError(f"malformed model file: {name!r} does not hold a valid penalty ({exc}).") from exc
        if "__datafit__" in value:
            parameters = self.decode(value.get("parameters"), f"{name}.parameters")
            if not isinstance(parameters, dict):
                raise ValueError(f"malformed model file: the datafit {name!r} has no parameters.")
            try:
                datafit = datafit_class(value["__datafit__"])
                return datafit(**parameters)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"malformed model file: {name!r} does not hold a valid datafit ({exc}).") from exc
        if "__record__" in value:
            kind = value["__record__"]
            if kind not in _ALLOWED_RECORDS:
                raise ValueError(f"malformed model file: {name!r} is a {kind!r}, which lpnet does not store.")
            from . import model_selection

            fields = {k: self.decode(v, f"{name}.{k}") for k, v in value["fields"].items()}
            try:
                return getattr(model_selection, kind)(**fields)
            except TypeError as exc:
                raise ValueError(f"malformed model file: {name!r} does not hold a {kind} ({exc}).") from exc
        if value.get("__ndarray__"):
            if value.get("dtype") == "object":
                items = [self.decode(v, f"{name}[{i}]") for i, v in enumerate(value["items"])]
                out = np.empty(len(items), dtype=object)
                out[:] = items
                return out.reshape(tuple(int(k) for k in value["shape"]))
            return self._decode_array(value, name)
        raise ValueError(f"malformed model file: unknown encoding for {name!r}.")

    @staticmethod
    def _dtype(spec, name: str) -> np.dtype:
        try:
            dt = np.dtype(spec)
        except TypeError as exc:
            raise ValueError(f"malformed model file: bad dtype {spec!r} for {name!r}.") from exc
        if dt.kind not in _PLAIN_KINDS:
            raise ValueError(f"malformed model file: dtype {spec!r} for {name!r} is not allowed.")
        return dt

    def _decode_array(self, value: dict, name: str) -> np.ndarray:
        spec = value["dtype"]
        object_str = spec == "object-str"
        shape = tuple(int(s) for s in value["shape"])
        if "npz_key" in value:
            if self.npz_arrays is None or value["npz_key"] not in self.npz_arrays:
                raise ValueError(f"the NPZ file lacks the array for {name!r}; it does not belong to this model file.")
            arr = self.npz_arrays[value["npz_key"]]
            if arr.shape != shape:
                raise ValueError(f"the NPZ array for {name!r} has shape {arr.shape}, expected {shape}.")
            if not object_str and arr.dtype != self._dtype(spec, name):
                raise ValueError(f"the NPZ array for {name!r} has dtype {arr.dtype}, expected {spec}.")
        else:
            data = value["data"]
            if object_str:
                arr = np.array(data, dtype=str).reshape(shape) if data else np.zeros(shape, dtype="<U1")
            else:
                dt = self._dtype(spec, name)
                if dt.kind == "f":
                    data = [_float_from_json(v) for v in data]
                arr = np.array(data, dtype=dt).reshape(shape)
        if object_str:
            out = np.empty(shape, dtype=object)
            out.flat[:] = [str(v) for v in arr.flat]
            return out
        return arr


# ----------------------------------------------------------------------------------------------------
# public API
# ----------------------------------------------------------------------------------------------------
def _npz_path(path: Path) -> Path:
    return path.with_suffix(".npz")


def _fitted_attributes(model) -> dict:
    return {k: v for k, v in vars(model).items() if k.endswith("_") and not k.startswith("_")}


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _content_digest(doc: dict) -> str:
    """SHA-256 of the document without its own checksum, in a canonical JSON form."""
    body = {k: v for k, v in doc.items() if k != "content_sha256"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")).hexdigest()


def save(model, path) -> Path:
    """Save a fitted lpnet estimator to ``path`` (JSON), plus ``<stem>.npz`` when it has large arrays.

    Parameters
    ----------
    model : a fitted lpnet estimator (one of :data:`ALLOWED_CLASSES`)
    path : str or os.PathLike
        The JSON file to write, conventionally ending in ``.json``.  Arrays with more than
        :data:`INLINE_MAX_SIZE` elements go to the file with the same stem and suffix ``.npz``.
        Both are written to temporary files in the same folder first and renamed into place only when
        both are complete: a failed save leaves any previous files as they were.

    Returns
    -------
    pathlib.Path
        The path of the JSON file.

    Raises
    ------
    TypeError
        If ``model`` is not an lpnet estimator, or holds a value that cannot be stored without pickle.
    sklearn.exceptions.NotFittedError
        If ``model`` has not been fitted (a subclass of ``ValueError``).
    ValueError
        If ``path`` ends in ``.npz`` (that name is reserved for the array file).
    """
    from sklearn.exceptions import NotFittedError

    from .version import __version__

    cls_name = type(model).__name__
    if cls_name not in ALLOWED_CLASSES or _allowed_class(cls_name) is not type(model):
        raise TypeError(
            f"save() stores lpnet estimators only ({', '.join(ALLOWED_CLASSES)}); "
            f"got an object of type {type(model).__module__}.{cls_name}."
        )
    if not any(k.endswith("_") for k in _fitted_attributes(model)):
        raise NotFittedError(f"this {cls_name} is not fitted yet; call fit(X, y) before save().")
    path = Path(os.fspath(path))
    if path.suffix.lower() == ".npz":
        raise ValueError(
            f"the model path {str(path)!r} ends in .npz, which is reserved for the array file; use a .json path."
        )
    enc = _Encoder()
    body = enc.encode_model(model, cls_name)
    doc = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "lpnet_version": __version__,
        "class": cls_name,
        "params": body["params"],
        "attributes": body["attributes"],
        "arrays_file": None,
    }
    npz = _npz_path(path)
    written = []  # temporary files, renamed into place once all exist
    try:
        if enc.arrays:
            written.append((_temporary(npz), npz))
            with open(written[-1][0], "wb") as fh:
                np.savez(fh, **enc.arrays)
            doc["arrays_file"] = npz.name
            doc["arrays_sha256"] = _sha256(written[-1][0])
        doc["content_sha256"] = _content_digest(doc)
        text = json.dumps(doc, indent=1, allow_nan=False)
        written.append((_temporary(path), path))
        written[-1][0].write_text(text + "\n", encoding="utf-8")
        for tmp, final in written:
            os.replace(tmp, final)
    finally:
        for tmp, _ in written:
            if tmp.exists():
                tmp.unlink()
    return path


def _temporary(final: Path) -> Path:
    """A fresh file name next to ``final`` (same folder, so the rename into place is atomic)."""
    fd, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent)
    os.close(fd)
    return Path(name)


def load(path):
    """Load an estimator written by :func:`save`.

    Parameters
    ----------
    path : str or os.PathLike
        The JSON file written by :func:`save`; its NPZ file, if any, must sit beside it.

    Returns
    -------
    estimator
        A fitted lpnet estimator whose predictions are bit-identical to the saved one's.

    Raises
    ------
    FileNotFoundError
        If the JSON file, or the NPZ file it refers to, is missing.
    ValueError
        If the file is not an lpnet model file, has an unsupported format version, names a class outside
        :data:`ALLOWED_CLASSES`, was changed after it was written (checksums), holds parameters that are
        not exactly those of its class, or its NPZ file does not match it.
    """
    from .version import __version__

    path = Path(os.fspath(path))
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{str(path)!r} is not an lpnet model file (invalid JSON: {exc.msg}).") from exc
    if not isinstance(doc, dict) or doc.get("format") != FORMAT_NAME:
        raise ValueError(f"{str(path)!r} is not an lpnet model file (no 'format': {FORMAT_NAME!r} entry).")
    version = doc.get("format_version")
    if isinstance(version, bool) or version not in _READABLE_VERSIONS:
        raise ValueError(
            f"{str(path)!r} has model format version {version!r}, but this lpnet ({__version__}) reads "
            f"versions {', '.join(map(str, _READABLE_VERSIONS))}; re-save the model with a matching lpnet version."
        )
    cls_name = doc.get("class")
    if cls_name not in ALLOWED_CLASSES:
        raise ValueError(
            f"{str(path)!r} names the class {cls_name!r}, which is not an lpnet estimator; "
            f"load() rebuilds only {', '.join(ALLOWED_CLASSES)}."
        )
    expected = doc.get("content_sha256")
    if expected is not None and _content_digest(doc) != expected:
        raise ValueError(
            f"{str(path)!r} was changed after it was saved (its content checksum differs); "
            "re-save the model instead of editing the file."
        )
    saved_version = doc.get("lpnet_version")
    if saved_version != __version__:
        warnings.warn(
            f"{str(path)!r} was saved by lpnet {saved_version}, this is lpnet {__version__}; "
            "the loaded model may behave differently.",
            UserWarning,
            stacklevel=2,
        )

    npz_arrays = None
    if doc.get("arrays_file") is not None:
        npz = path.parent / Path(doc["arrays_file"]).name
        if not npz.exists():
            raise FileNotFoundError(
                f"the array file {str(npz)!r} that {str(path)!r} refers to is missing; "
                "keep the .npz file next to the .json file."
            )
        expected = doc.get("arrays_sha256")
        if expected is not None and _sha256(npz) != expected:
            raise ValueError(
                f"the array file {str(npz)!r} does not match {str(path)!r} (checksum differs); "
                "it was overwritten or belongs to another model."
            )
        with np.load(npz, allow_pickle=False) as data:
            npz_arrays = {k: data[k] for k in data.files}

    return _Decoder(npz_arrays).decode_model(doc, str(path))


def _allowed_class(name: str):
    """The estimator class called ``name``, taken from lpnet's public names (allow-listed names only)."""
    if name not in ALLOWED_CLASSES:
        raise ValueError(f"{name!r} is not an lpnet estimator class.")
    # the public packages that define the allowed classes, not the package root (which imports this module)
    from . import constrained, estimators, model_selection

    for package in (estimators, constrained, model_selection):
        if hasattr(package, name):
            return getattr(package, name)
    raise ValueError(f"{name!r} is not an lpnet estimator class.")
