# lpnet has two user-facing targets:
#   make demo   create .venv if needed, install lpnet, run `lpnet fit` (the diabetes demo)
#   make test   create .venv if needed, install lpnet with its dev extras, run the test suite
# Installs are recorded in stamp files inside .venv, so they rerun only when pyproject.toml changes.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check --quiet

.PHONY: demo test

demo: $(VENV)/.installed
	$(BIN)/lpnet fit

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -n auto tests/

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "make: need python3.11 or python3 on PATH" >&2; exit 1; }
	@echo "creating $(VENV) with $(PYTHON)"
	@"$(PYTHON)" -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@echo "installing lpnet into $(VENV)"
	@$(PIP) install -e .
	@touch $@

# the dev extras include everything the plain install has, so this satisfies `demo` too
$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	@echo "installing lpnet with the dev extras into $(VENV)"
	@$(PIP) install -e ".[dev]"
	@touch $@ $(VENV)/.installed
