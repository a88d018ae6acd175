# nscal: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app nscal

.PHONY: run test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamp files: reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	@echo "nscal is starting on http://127.0.0.1:5000 (Ctrl-C stops it)"
	$(FLASK) run --host 127.0.0.1 --port 5000

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

test: lint
	$(BIN)/pytest

# Benchmarks need PostgreSQL on 127.0.0.1:5432; results go to docs/benchmarks.md.
bench: $(VENV)/.installed-dev
	$(BIN)/python bench/registrations.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
