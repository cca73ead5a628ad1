# lpnet has two user-facing targets:
#   make demo   create .venv if needed, install lpnet (with matplotlib and a CPU build of PyTorch),
#               run `lpnet tour` (the report that answers the L1/L2 questions) and say where it is
#   make test   create .venv if needed, install lpnet with its dev extras, build the docs, run the test suite
#   make docs   build the documentation site into docs/_build/html (open docs/_build/html/index.html)
# Installs are recorded in stamp files inside .venv, so they rerun only when pyproject.toml changes.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check --quiet

.PHONY: demo test docs chromium

demo: $(VENV)/.installed
	$(BIN)/lpnet tour

test: $(VENV)/.installed-dev chromium
	$(BIN)/ruff check src tests benchmarks docs
	$(BIN)/ruff format --check src tests benchmarks docs/*.py
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy
	$(MAKE) docs
	$(BIN)/python -m pytest -n auto tests/

# The documentation site: user guide, API reference and the example gallery (every example is run, so a
# broken one fails the build; warnings are errors), then the tour's quick report linked from it.  Built
# before the test suite in `make test`, whose browser test looks at the built pages.  Nothing is fetched.
docs: $(VENV)/.installed-dev
	$(BIN)/sphinx-build -W --keep-going -b html docs docs/_build/html
	$(BIN)/lpnet tour --quick --no-progress --out docs/_build/html/tour

# The explorer's browser test drives Debian's chromium through Playwright (Playwright's own browser
# download is not used).  As root (CI) it is installed when missing; otherwise the test says how.
chromium:
	@command -v chromium >/dev/null 2>&1 || [ "$$(id -u)" != 0 ] || { \
	  echo "installing Debian's chromium for the browser test"; \
	  apt-get install -y -q chromium >/dev/null 2>&1 || \
	  { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null; }; }

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "make: need python3.11 or python3 on PATH" >&2; exit 1; }
	@echo "creating $(VENV) with $(PYTHON)"
	@"$(PYTHON)" -m venv $(VENV)

# torch is pinned to a CPU build (an unpinned torch pulls a multi-GB CUDA build)
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@echo "installing lpnet with matplotlib and PyTorch (CPU) into $(VENV)"
	@$(PIP) install -e ".[plot]" "torch==2.13.0"
	@touch $@

# the dev extras include everything the plain install has, so this satisfies `demo` too
# ISLP is installed for its bundled data only (the Hitters table of the glmnet-mapping test); its own
# dependencies (a deep-learning stack) are not needed to read a CSV file, hence --no-deps
$(VENV)/.installed-dev: pyproject.toml Makefile | $(BIN)/python
	@echo "installing lpnet with the dev extras into $(VENV)"
	@$(PIP) install -e ".[dev]"
	@$(PIP) install --no-deps "ISLP==0.6.0"
	@touch $@ $(VENV)/.installed
