"""The import rules of lpnet's source, checked on its syntax trees, and the import-linter contracts.

(a) a name with a leading underscore (not a dunder) is never imported from another module;
(b) a private module (``_design``, ``_common``, ...) is imported only from inside its own package;
(c) no import cycles between lpnet modules, counting imports inside functions too.

Imports are read with :mod:`ast`, so these checks run without import-linter and see the lazy
(function-level) imports that keep start-up light.  A package ``__init__`` importing its own
submodules is no cycle by itself: Python's implicit import of a submodule's parent package is not
counted, only the imports written in the source.  A submodule importing a *name* from its package's
``__init__`` while that ``__init__`` imports it is a cycle.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "src" / "lpnet"

#: The one list of known violations, for code being rewritten elsewhere: (importer, imported module)
#: -> why.  Each is skipped by the checks below (and belongs in pyproject.toml's ``ignore_imports`` of
#: the contract it breaks); remove an entry once its import is gone: a stale entry is reported as a
#: warning.  Empty: every rule holds.
KNOWN_EXCEPTIONS: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Import:
    importer: str  # the module whose source holds the import
    module: str  # the lpnet module imported (the most specific one that exists)
    name: str | None  # the name taken from it (``from module import name``), None for a module import
    line: int


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _modules() -> dict[str, tuple[Path, bool]]:
    """Every module under src/lpnet: dotted name -> (file, whether it is a package ``__init__``)."""
    found = {}
    for path in sorted(SOURCE.rglob("*.py")):
        parts = list(path.relative_to(SOURCE.parent).with_suffix("").parts)
        package = parts[-1] == "__init__"
        if package:
            parts = parts[:-1]
        found[".".join(parts)] = (path, package)
    return found


def _imports(modules) -> list[Import]:
    """Every import of an lpnet module written anywhere in lpnet's source (functions included)."""
    out = []
    for name, (path, package) in modules.items():
        here = name if package else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                out += [
                    Import(name, alias.name, None, node.lineno)
                    for alias in node.names
                    if alias.name.split(".")[0] == "lpnet"
                ]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = here.split(".")[: len(here.split(".")) - (node.level - 1)]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                    if target.split(".")[0] != "lpnet":
                        continue
                for alias in node.names:
                    submodule = f"{target}.{alias.name}"
                    if submodule in modules:  # ``from package import module``
                        out.append(Import(name, submodule, None, node.lineno))
                    else:
                        out.append(Import(name, target, alias.name, node.lineno))
    return out


@pytest.fixture(scope="module")
def graph():
    modules = _modules()
    assert "lpnet.cli" in modules and "lpnet.geometry" in modules, f"no lpnet source under {SOURCE}"
    imports = _imports(modules)
    used = {(i.importer, i.module) for i in imports}
    stale = [pair for pair in KNOWN_EXCEPTIONS if pair not in used]
    if stale:
        warnings.warn(
            f"known exceptions no longer in the source, remove them from KNOWN_EXCEPTIONS: {stale}",
            UserWarning,
            stacklevel=1,
        )
    return modules, [i for i in imports if (i.importer, i.module) not in KNOWN_EXCEPTIONS]


def _where(i: Import) -> str:
    return f"{i.importer} (line {i.line})"


def test_no_private_name_is_imported_from_another_module(graph):
    _, imports = graph
    bad = [
        f"{_where(i)} imports {i.name} from {i.module}"
        for i in imports
        if i.name is not None and _private(i.name) and i.module != i.importer
    ]
    assert not bad, "private names imported across modules (give them public names):\n" + "\n".join(bad)


def test_private_modules_are_imported_only_inside_their_package(graph):
    _, imports = graph
    bad = []
    for i in imports:
        parts = i.module.split(".")
        for k, part in enumerate(parts):
            if _private(part):
                package = ".".join(parts[:k])
                if not (i.importer == package or i.importer.startswith(package + ".")):
                    bad.append(f"{_where(i)} imports {i.module}, private to {package}")
                break
    assert not bad, "private modules imported from outside their package:\n" + "\n".join(bad)


def _cycles(nodes, edges) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycles(graph):
    modules, imports = graph
    edges: dict[str, set] = {}
    for i in imports:
        if i.module != i.importer:
            edges.setdefault(i.importer, set()).add(i.module)
    cycles = _cycles(list(modules), edges)
    described = []
    for component in cycles:
        inside = [f"  {a} -> {b}" for a in component for b in sorted(edges.get(a, ())) if b in component]
        described.append(", ".join(component) + "\n" + "\n".join(inside))
    assert not cycles, "import cycles (counting imports inside functions):\n" + "\n".join(described)


def test_nothing_outside_the_command_line_imports_it(graph):
    _, imports = graph
    bad = [
        f"{_where(i)} imports {i.module}"
        for i in imports
        if (i.module == "lpnet.cli" or i.module.startswith("lpnet.cli."))
        and not (i.importer == "lpnet.cli" or i.importer.startswith("lpnet.cli."))
    ]
    assert not bad, "\n".join(bad)


def test_the_version_has_one_value():
    """``lpnet.version`` (what saved files and ``--version`` show) matches pyproject.toml."""
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    from lpnet.version import __version__

    with open(ROOT / "pyproject.toml", "rb") as fh:
        assert tomllib.load(fh)["project"]["version"] == __version__


def test_import_linter_contracts():
    """``lint-imports`` keeps every contract of pyproject.toml (layers, core, cli, private, acyclic)."""
    pytest.importorskip("importlinter")
    script = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    if script is None:
        pytest.skip("the lint-imports command is not installed")
    done = subprocess.run([script, "--no-cache", "--no-logo"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
