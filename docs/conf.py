"""Sphinx configuration of lpnet's documentation site.

The site is built offline: no intersphinx, no remote fonts, scripts or images, and no math renderer
that would load one (formulas are written as code).  ``make docs`` runs
``sphinx-build -W --keep-going -b html docs docs/_build/html``; the gallery examples in ``examples/``
are executed during the build, so an example that fails breaks the build.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # the helpers next to this file (benchmark plots)

os.environ.setdefault("MPLBACKEND", "Agg")

import lpnet  # noqa: E402

project = "lpnet"
author = "the lpnet developers"
copyright = "the lpnet developers, BSD-3-Clause"
release = lpnet.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
    "matplotlib.sphinxext.plot_directive",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = [
    "_build",
    "sg_execution_times.rst",
    "conventions.md",
    "**/README.md",
    "auto_examples/*.ipynb",
    "auto_examples/*.py",
]
templates_path = ["_templates"]

# -- API reference --------------------------------------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = True
autosummary_ignore_module_all = False  # a module's public names are its __all__
# the modules of the API reference, as docs/api/index.rst lists them
API_MODULES = [
    line.strip()
    for line in (HERE / "api" / "index.rst").read_text(encoding="utf-8").splitlines()
    if line.strip().startswith("lpnet.")
]


def _reexported(module_name: str) -> list[str]:
    """The public names of ``module_name`` that are the very objects ``lpnet`` exports under that name."""
    import importlib

    module = importlib.import_module(module_name)
    return [n for n in module.__all__ if getattr(lpnet, n, None) is getattr(module, n)]


# an object the top level re-exports is documented once, under ``lpnet``; the module pages link to it
# (lpnet.dask.Lasso or lpnet.penalties.ElasticNet are other classes, with pages of their own)
autosummary_context = {"shared": {name: _reexported(name) for name in API_MODULES}}
autodoc_default_options = {"members": True, "inherited-members": False, "show-inheritance": False}
autodoc_typehints = "none"  # numpydoc's Parameters sections carry the types
numpydoc_show_class_members = False  # the autosummary pages list the members themselves
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_validation_checks: set[str] = set()  # validation is a test (tests/docs), not a build warning

# -- MyST (the user guide is Markdown, the same dialect as README.md) ------------------------------------
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence"]

# -- the gallery -------------------------------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": ["../examples"],
    "gallery_dirs": ["auto_examples"],
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py",
    "download_all_examples": False,
    "remove_config_comments": True,
    "abort_on_example_error": False,  # every broken example is reported, and -W fails the build
    "only_warn_on_example_error": False,
    "plot_gallery": "True",
    "within_subsection_order": "FileNameSortKey",
    "matplotlib_animations": False,
    "show_memory": False,
    "min_reported_time": 1,
    "write_computation_times": False,  # those pages load their table scripts from the network
    "show_signature": False,
}

# -- figures drawn by the user guide's {plot} blocks ------------------------------------------------------
plot_include_source = False
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 90)]
plot_rcparams = {"figure.figsize": (8, 4.5)}

# -- HTML --------------------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"lpnet {release}"
html_static_path: list[str] = []
html_show_sourcelink = False
html_theme_options = {
    "navbar_end": ["navbar-icon-links"],  # no theme switcher script fetching anything; all assets are local
    "icon_links": [],
    "show_prev_next": True,
    "navigation_with_keys": False,
    "footer_start": ["copyright"],
    "footer_end": [],
    "secondary_sidebar_items": ["page-toc"],
}
html_context = {"default_mode": "light"}


def _benchmark_figures(app) -> None:
    """Draw the benchmark plots of the solvers page from the tables in ``benchmarks/*/README.md``."""
    from benchmark_plots import draw_all

    draw_all(HERE.parent / "benchmarks", HERE / "guide" / "_figures")


def _escape_table_pipes(text: str) -> str:
    """Escape the ``|`` inside code spans of Markdown table rows (``|w_j|`` in a formula), which would
    otherwise end the cell, in the Markdown files the guide includes (conventions, benchmarks)."""
    lines = []
    for line in text.split("\n"):
        if line.lstrip().startswith("|") and "`" in line:
            parts = line.split("`")
            line = "`".join(part.replace("|", "\\|") if i % 2 else part for i, part in enumerate(parts))
        lines.append(line)
    return "\n".join(lines)


def _include_read(app, relative_path, parent_docname, content) -> None:
    if str(relative_path).endswith(".md"):
        content[0] = _escape_table_pipes(content[0])


def _skip_member(app, what, name, obj, skip, options):
    """Leave out scikit-learn's generated ``set_*_request`` methods (metadata routing), which every
    estimator inherits and whose docstrings point into scikit-learn's own documentation."""
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return skip


def setup(app):
    app.connect("builder-inited", _benchmark_figures)
    app.connect("autodoc-skip-member", _skip_member)
    app.connect("include-read", _include_read)
