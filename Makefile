# CordTrack developer commands. Everything a target needs is installed by the target itself.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SHARED ?= ../shared

.PHONY: install run test lint format bench test-reference clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Until the registry lands, `run` classifies the 128 published cases and prints a summary.
run: install
	$(BIN)/cordtrack demo --cases $(SHARED)/isncsci/2019-published-cases.json

test: install
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

format: install
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

bench: install
	$(BIN)/python benchmarks/isncsci_throughput.py

# Optional: compare with the published JavaScript reference (npm isncsci 2.0.6) as a black box.
test-reference: install
	cd tests/reference && npm install --no-audit --no-fund --silent
	$(BIN)/python -m pytest -q -m reference tests/reference

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis
