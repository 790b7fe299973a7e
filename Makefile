# CordTrack developer commands. Everything a target needs is installed by the target itself.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run serve config migrate demo-data test test-server lint format bench bench-web
.PHONY: bench-save
.PHONY: test-reference clean
.PHONY: test-e2e screenshots messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The registry with demo data on http://127.0.0.1:8000 (SQLite in var/cordtrack.sqlite3 unless
# DATABASE_URL names a PostgreSQL database). Demo users: see README ("Demo users").
# `config` writes var/cordtrack.env once (generated keys, absolute paths, demo and debug on; a key
# already there is kept): every later command, the server and `cordtrack ...` from any directory,
# reads it, so nothing needs exporting.
MANAGE := $(BIN)/python -m cordtrack.server

# The background worker (exports, periodic jobs; docs/adr/0034) runs beside the server and
# stops with it.
run: demo-data
	@$(BIN)/cordtrack worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(MANAGE) runserver 127.0.0.1:8000

config: install
	$(BIN)/cordtrack config init --demo

migrate: config
	$(MANAGE) migrate --noinput

demo-data: migrate
	$(MANAGE) load_demo

# The production configuration on http://127.0.0.1:8000: gunicorn (workers from the CPUs), debug
# off whatever var/cordtrack.env says, static files collected and served by WhiteNoise, JSON logs.
# `config init` without --demo only adds missing keys (docs/deploy.md).
serve: install
	$(BIN)/cordtrack config init
	$(MANAGE) migrate --noinput
	$(MANAGE) collectstatic --noinput --verbosity 0
	$(BIN)/cordtrack serve

# The browser tests (tests/e2e) drive Debian's Chromium; Playwright's own browser download is not
# used. Installed here when missing (as root, no prompt; the package lists are fetched only if
# apt does not know the package yet).
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	apt-cache show chromium >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium </dev/null

# The whole suite on SQLite; then, when DATABASE_URL is set, the server tests on that database.
# Both on every core (pytest-xdist, ADR 0022); PYTEST_WORKERS=0 runs them in one process.
PYTEST_WORKERS ?= auto
test: install $(CHROMIUM)
	env -u DATABASE_URL $(BIN)/python -m pytest -q -n $(PYTEST_WORKERS)
	@if [ -n "$${DATABASE_URL:-}" ]; then \
		echo "== server tests again on the database in DATABASE_URL =="; \
		$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) tests/server; \
	fi

# The registry's tests alone, on the database in DATABASE_URL (default SQLite).
test-server: install
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) tests/server

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

format: install
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

bench: install
	$(BIN)/python benchmarks/isncsci_throughput.py
	$(BIN)/python benchmarks/batch_throughput.py
	$(BIN)/python benchmarks/reclassification.py
	$(BIN)/python benchmarks/batch_versus_ref.py

# The production server (gunicorn, debug off) on the local PostgreSQL with a synthetic registry
# of 100,000 patients (generated once into the database cordtrack_bench, reused after), under
# 1, 8 and 32 concurrent clients: exam saves/s and latencies, patient lists, dashboard, a
# signed-in page without patient data (the floor, no target), cohort report, each beside its
# target (benchmarks/web_throughput.py; the load client, benchmarks/web_load.py, signs in with
# httpx, a dev dependency). A quicker run: make bench-web BENCH_WEB_ARGS="--patients 20000 --sites 2".
BENCH_WEB_ARGS ?=
bench-web: install
	$(BIN)/python benchmarks/web_throughput.py $(BENCH_WEB_ARGS)

# One exam save (bench-web's request) in process: CPU and wall time, queries, optionally cProfile
# (benchmarks/exam_save_profile.py; SQLite in var/bench-profile/ unless --database names one).
BENCH_SAVE_ARGS ?=
bench-save: install
	$(BIN)/python benchmarks/exam_save_profile.py $(BENCH_SAVE_ARGS)

# Optional: compare with the published JavaScript reference (npm isncsci 2.0.6) as a black box.
test-reference: install
	cd tests/reference && npm install --no-audit --no-fund --silent
	$(BIN)/python -m pytest -q -m reference tests/reference

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis

# The browser tests alone; they keep screenshots in var/screenshots/ and refresh the README's
# copies in docs/screenshots/.
test-e2e: install $(CHROMIUM)
	env -u DATABASE_URL $(BIN)/python -m pytest -q tests/e2e

README_SHOTS := worksheet exam-signed monitor-dashboard intake-board progress portal
screenshots: test-e2e
	mkdir -p docs/screenshots
	for name in $(README_SHOTS); do cp var/screenshots/$$name.png docs/screenshots/; done

# Report PDFs (WeasyPrint) need Debian's pango and harfbuzz; installed here when missing (as root,
# no prompt; the package lists are fetched only if apt does not know the packages yet).
PANGO_LIB := /usr/lib/x86_64-linux-gnu/libpango-1.0.so.0
$(PANGO_LIB):
	apt-cache show libpango-1.0-0 >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 \
		libharfbuzz-subset0 fonts-dejavu-core </dev/null
install: $(PANGO_LIB)

# PDFs print every shipped script (issue 17): Latin, Arabic, Devanagari (Hindi) and Thai need the
# Noto Sans, Noto Naskh/Sans Arabic, Noto Sans Devanagari and Noto Sans Thai families named by
# cordtrack/server/reports/pdf.py, all in Debian's fonts-noto-core (DejaVu has no Devanagari or
# Thai); installed when missing (as root, no prompt; lists fetched only if apt lacks the package).
NOTO_FONTS := /usr/share/fonts/truetype/noto/NotoSansThai-Regular.ttf
$(NOTO_FONTS):
	apt-cache show fonts-noto-core >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-core </dev/null
install: $(NOTO_FONTS)

# The translation catalogs (docs/languages.md, ADR 0043): every marked string of the registry's
# templates and code into src/cordtrack/server/locale/<code>/LC_MESSAGES/django.po (a new string
# with an empty msgstr for the translator; no source locations, so editing a template does not
# churn the catalogs; strings no longer used are dropped), then each .po compiled into the .mo
# Django reads. The .mo files are committed: running the registry needs no gettext. GNU gettext
# (xgettext, msgfmt) is installed here when missing; tests/server/test_translations.py needs it
# too, hence a prerequisite of `make install` (and so of `make test`).
LOCALES := ar es hi th
MSGFMT := /usr/bin/msgfmt
$(MSGFMT):
	apt-cache show gettext >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext </dev/null
install: $(MSGFMT)
messages: install
	cd src/cordtrack/server && DJANGO_SETTINGS_MODULE=cordtrack.server.settings_test \
		$(CURDIR)/$(BIN)/python -m cordtrack.server makemessages $(addprefix -l ,$(LOCALES)) \
		--no-location --no-obsolete --ignore 'migrations/*' --ignore 'static/*' --ignore 'locale/*'
	cd src/cordtrack/server && DJANGO_SETTINGS_MODULE=cordtrack.server.settings_test \
		$(CURDIR)/$(BIN)/python -m cordtrack.server compilemessages $(addprefix -l ,$(LOCALES))
