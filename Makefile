# nscal: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app nscal

.PHONY: run test lint bench screenshots clean

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

# The mail worker runs beside the server; with the default "file" backend the mail
# lands in instance/mail/.
run: $(VENV)/.installed
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	@echo "nscal is starting on http://127.0.0.1:5000 (Ctrl-C stops it)"
	$(FLASK) send-mail --loop --interval 5 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host 127.0.0.1 --port 5000

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

# ical.js (Thunderbird's iCalendar engine) and axe-core for the tests, from npm.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

test: lint node_modules/.package-lock.json
	$(BIN)/pytest

# The main pages at desktop and phone widths into docs/screenshots/ (needs /usr/bin/chromium).
screenshots: $(VENV)/.installed-dev
	$(BIN)/python -m tests.e2e.screenshots

# Benchmarks need PostgreSQL on 127.0.0.1:5432; results go to docs/benchmarks.md.
bench: $(VENV)/.installed-dev
	$(BIN)/python bench/registrations.py
	$(BIN)/python bench/feeds.py
	$(BIN)/python bench/imports.py
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/statistics.py

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache *.egg-info
