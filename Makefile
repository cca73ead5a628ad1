# lpnet has two user-facing targets:
#   make demo   create .venv if needed, install lpnet (with matplotlib and a CPU build of PyTorch),
#               run `lpnet tour` (the report that answers the L1/L2 questions) and say where it is
#   make test   create .venv if needed, install lpnet with its dev extras, run the test suite
# Installs are recorded in stamp files inside .venv, so they rerun only when pyproject.toml changes.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check --quiet

.PHONY: demo test chromium

demo: $(VENV)/.installed
	$(BIN)/lpnet tour

test: $(VENV)/.installed-dev chromium
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy
	$(BIN)/python -m pytest -n auto tests/

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
