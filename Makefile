# Slipstream: two commands set everything up on a bare machine with Python >= 3.11 and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Two stamps: `make demo` needs only the runtime dependencies; the test targets add the extras.
RUNTIME := $(VENV)/.installed-runtime
TESTENV := $(VENV)/.installed-test

.PHONY: demo install test lint typecheck unit bench clean readme

$(VENV)/bin/python:
	@echo "==> creating $(VENV) with $(PYTHON)"
	$(PYTHON) -m venv $(VENV)
	@echo "==> upgrading pip"
	$(BIN)/pip install --upgrade pip

# Runtime only: `pip install -e .` (numpy, pandas, scipy, arch, plotly, pyarrow, ...), progress shown.
$(RUNTIME): pyproject.toml | $(VENV)/bin/python
	@echo "==> installing slipstream and its runtime dependencies (pip install -e .)"
	$(BIN)/pip install -e .
	touch $(RUNTIME)

# Test extras on top (pytest, mypy, ruff, hypothesis, playwright, ...).
$(TESTENV): $(RUNTIME)
	@echo "==> installing the test extras (pip install -e '.[test]')"
	$(BIN)/pip install -e '.[test]'
	touch $(TESTENV)

install: $(RUNTIME)

demo: $(RUNTIME)
	$(BIN)/slipstream demo

lint: $(TESTENV)
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools

typecheck: $(TESTENV)
	$(BIN)/mypy src tests

unit: $(TESTENV)
	$(BIN)/pytest -n 2

test: lint typecheck unit

bench: $(TESTENV)
	$(BIN)/python -m bench

# Regenerate README.md's real-output blocks from actual runs (tools/readme.py --check: CI's view).
readme: $(TESTENV)
	$(BIN)/python tools/readme.py

clean:
	rm -rf $(VENV) out .mypy_cache .ruff_cache
