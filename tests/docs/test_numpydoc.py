"""numpydoc's validation of the public API: every public class, function and method has a docstring whose
Parameters section names exactly the parameters of its signature.

Checked: GL06 (unknown section), GL07 (sections out of order), GL08 (no docstring), SS01 (no summary),
PR01 (a parameter not documented), PR02 (a documented parameter that does not exist), PR10 (``x: int``
instead of ``x : int``).  Not checked: the style codes (examples, "see also", a period at the end of every
description, ...), which the API pages do not need.

What counts as public: the names in ``__all__`` of the modules of the API reference; for a class, the
methods and properties lpnet defines for it (in the class or in lpnet's base classes), each once.  Two
exceptions, both documented elsewhere: the methods of penalties and datafits (the solvers' protocol,
described by :class:`lpnet.penalties.Penalty` and :class:`lpnet.datafits.Datafit`), and parameters whose
name starts with ``_`` (internal hooks).  A dataclass or a named tuple may document its fields under
Attributes instead of Parameters.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect

import pytest

numpydoc_validate = pytest.importorskip("numpydoc.validate")

MODULES = [
    "lpnet",
    "lpnet.model_selection",
    "lpnet.penalties",
    "lpnet.datafits",
    "lpnet.constrained",
    "lpnet.lagrange",
    "lpnet.datasets",
    "lpnet.viz",
    "lpnet.torch",
    "lpnet.dask",
    "lpnet.explorer",
    "lpnet.tour",
]
CHECKS = {"GL06", "GL07", "GL08", "SS01", "PR01", "PR02", "PR10"}
PROTOCOL_MODULES = ("lpnet.penalties", "lpnet.datafits")


def _public_objects():
    """``(qualified name, object, module)`` for every public class and function, each object once."""
    seen: set[int] = set()
    for module_name in MODULES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        for name in module.__all__:
            obj = getattr(module, name)
            if not (inspect.isclass(obj) or inspect.isfunction(obj)) or id(obj) in seen:
                continue
            seen.add(id(obj))
            yield f"{module_name}.{name}", obj, module_name


def _targets():
    methods: set[int] = set()
    for qualname, obj, module_name in _public_objects():
        yield qualname
        if not inspect.isclass(obj) or module_name in PROTOCOL_MODULES:
            continue
        # the methods lpnet defines for the class, itself or in its lpnet base classes, each once
        for klass in inspect.getmro(obj):
            if not klass.__module__.startswith("lpnet"):
                continue
            for attr, value in vars(klass).items():
                if attr.startswith("_") or id(value) in methods:
                    continue
                if inspect.isfunction(value) or isinstance(value, (property, classmethod, staticmethod)):
                    methods.add(id(value))
                    yield f"{qualname}.{attr}"


TARGETS = sorted(set(_targets()))


def _resolve(qualname: str):
    parts = qualname.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(qualname)


def _problems(qualname: str) -> list[str]:
    result = numpydoc_validate.validate(qualname)
    obj = _resolve(qualname)
    documented_fields: set[str] = set()
    record = inspect.isclass(obj) and (
        dataclasses.is_dataclass(obj) or (issubclass(obj, tuple) and hasattr(obj, "_fields"))
    )
    if record:
        from numpydoc.docscrape import ClassDoc

        doc = ClassDoc(obj)
        for item in doc["Attributes"] + doc["Parameters"]:
            documented_fields.update(name.strip() for name in item.name.split(","))
    problems = []
    for code, message in result["errors"]:
        if code not in CHECKS:
            continue
        if code == "PR01":
            missing = set(eval(message[message.index("{") : message.index("}") + 1]))  # noqa: S307
            missing = {n for n in missing if not n.lstrip("*").startswith("_") and n not in documented_fields}
            if not missing:
                continue
            message = f"Parameters {sorted(missing)} not documented"
        problems.append(f"{code} {message}")
    return problems


def test_the_api_is_covered():
    names = set(TARGETS)
    for expected in ("lpnet.Lasso", "lpnet.Lasso.fit", "lpnet.LassoCV", "lpnet.penalties.L1", "lpnet.viz.plot_path"):
        assert expected in names
    assert len(TARGETS) > 150


@pytest.mark.parametrize("qualname", TARGETS)
def test_docstring(qualname):
    problems = _problems(qualname)
    assert not problems, f"{qualname}: " + "; ".join(problems)
