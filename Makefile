# nscal: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app nscal
PYBABEL := $(BIN)/pybabel
CATALOGS := nscal/translations
# The same keywords as tests/i18n/test_catalogs.py extracts with.
EXTRACT_KEYWORDS := -k _l -k lazy_gettext -k lazy_ngettext:1,2
# Compiled catalogs (.mo) are built, not committed: one beside every .po.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard $(CATALOGS)/*/LC_MESSAGES/messages.po))

.PHONY: run test lint bench screenshots clean translations compile-translations

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamp files: reinstall only when pyproject.toml changes.
# Both compile the catalogs, so a fresh clone serves every language.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	$(PYBABEL) -q compile -d $(CATALOGS)
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(PYBABEL) -q compile -d $(CATALOGS)
	touch $@ $(VENV)/.installed

# A catalog changed since it was compiled (a pull, an edit): compile it again.
%/LC_MESSAGES/messages.mo: %/LC_MESSAGES/messages.po | $(VENV)/.installed
	$(PYBABEL) -q compile -i $< -o $@

compile-translations: $(MO_FILES)

# After changing a string in the code or a template: extract them all into
# messages.pot, bring every catalog up to date (new strings come in empty, for the
# translators; strings gone are dropped), compile. tests/i18n/test_catalogs.py fails
# until every new string is translated in every language.
translations: $(VENV)/.installed
	$(PYBABEL) -q extract -F babel.cfg $(EXTRACT_KEYWORDS) -c "Translators:" \
		--no-location --sort-output --project=nscal --copyright-holder="Nordic Safe Cities" \
		-o $(CATALOGS)/messages.pot .
	$(PYBABEL) -q update -i $(CATALOGS)/messages.pot -d $(CATALOGS) \
		--no-fuzzy-matching --ignore-obsolete --no-wrap
	$(PYBABEL) -q compile -d $(CATALOGS)

# The mail worker runs beside the server; with the default "file" backend the mail
# lands in instance/mail/.
run: $(VENV)/.installed compile-translations
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

test: lint node_modules/.package-lock.json compile-translations
	$(BIN)/pytest

# The main pages at desktop and phone widths into docs/screenshots/ (needs /usr/bin/chromium).
screenshots: $(VENV)/.installed-dev compile-translations
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
