# Two entry points for a fresh machine: `make brochures` and `make test`.
# Each creates the local virtual environment in .venv if it is missing, and reuses it.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: brochures test lint fuzz bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test,serve]"
	touch $@

brochures: $(VENV)/.installed
	$(BIN)/brochure build --out dist

lint: $(VENV)/.installed
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest

# The long property-based run: 10,000 random documents and content mutations per test.
fuzz: $(VENV)/.installed
	HYPOTHESIS_PROFILE=long $(BIN)/python -m pytest -q tests/test_fuzz.py

# The benchmark (bench/README.md): ratios measured side by side, a few minutes on 2 cores.
bench: $(VENV)/.installed
	$(BIN)/python bench/run.py

clean:
	rm -rf dist .pytest_cache .mypy_cache .ruff_cache
