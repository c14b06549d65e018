# Two entry points for a fresh machine: `make brochures` and `make test`.
# Each checks the system packages (.ci/system-packages), then creates the local virtual
# environment .venv from the committed lock (uv.lock) if it is missing or out of date,
# and reuses it otherwise. `make lock` refreshes the lock.

PYTHON ?= python3
UV_VERSION := 0.13.9
VENV := .venv
BIN := $(VENV)/bin
UV := .uv/bin/uv
# uv uses this machine's Python, never one it downloads, and installs into .venv.
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: brochures test lint docs lock fuzz bench clean system-build system-test

system-build:
	@.ci/system-deps build $(PYTHON)

system-test:
	@.ci/system-deps test $(PYTHON)

# uv itself, pinned, in its own small environment (PyPI's `uv` wheel carries the binary).
$(UV): | system-build
	$(PYTHON) -m venv .uv
	.uv/bin/python -m pip install --quiet "uv==$(UV_VERSION)"

# Exactly the lock: every extra and group, nothing else (uv sync removes what the lock
# does not list). --locked stops when pyproject.toml and uv.lock disagree.
$(VENV)/.installed: uv.lock pyproject.toml | $(UV)
	$(UV) sync --locked --all-extras --all-groups --python $(PYTHON) --quiet
	touch $@

brochures: system-build $(VENV)/.installed
	$(BIN)/brochure build --out dist

lint: $(VENV)/.installed
	$(BIN)/ruff check src tests bench mkdocs_hooks.py
	$(BIN)/mypy

# The documentation site, into site/; a broken link or a page missing from the nav fails.
docs: $(VENV)/.installed
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

test: system-test lint docs
	$(BIN)/python -m pytest

# Resolve every dependency again from pyproject.toml's ranges and write uv.lock.
lock: | $(UV)
	$(UV) lock --upgrade --python $(PYTHON)

# The long property-based run: 10,000 random documents and content mutations per test.
fuzz: $(VENV)/.installed
	HYPOTHESIS_PROFILE=long $(BIN)/python -m pytest -q tests/test_fuzz.py

# The benchmark (bench/README.md): ratios measured side by side, about 23 minutes on 2 cores.
bench: $(VENV)/.installed
	$(BIN)/python bench/run.py

clean:
	rm -rf dist site .pytest_cache .mypy_cache .ruff_cache
