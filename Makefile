# Aid Ledger: `make run` serves the app on SQLite with the seed article loaded; `make test` runs the
# suite; `make test-fast` runs the tests not tagged "slow", in parallel, for the edit-test loop.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
TESTS ?= tests
FIXTURES := $(wildcard fixtures/*.json)
# Tests run with production-like settings (DEBUG off), so they need a key (it is not a secret);
# the test client speaks plain HTTP, so the HTTPS redirect is off. What else differs in tests (no
# cache, no logs of expected 4xx answers) is set by the test runner, aidledger/test_runner.py.
TEST_ENV := DEBUG=0 SECRET_KEY=test-only-not-secret ALLOWED_HOSTS=testserver,127.0.0.1,localhost SECURE_SSL_REDIRECT=0
# Worker processes for test-fast (Django's --parallel; "auto" is one per core).
PARALLEL ?= auto

# bench-intake: the intake extractor's precision and recall on the gold set and the blind batches.
.PHONY: bench-intake run test test-fast install install-dev chromium migrate seed demo-users check clean bench lint format

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==25.3

$(VENV)/.installed: requirements.txt $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Debian's Chromium drives the browser tests through Playwright (no browser download).
chromium:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

migrate: install
	DEBUG=1 $(BIN)/python manage.py migrate --no-input

seed: migrate
	DEBUG=1 $(BIN)/python manage.py loaddata $(FIXTURES)

# Development: an editor and an analyst for the admin (password aid-ledger-demo).
demo-users: migrate
	DEBUG=1 $(BIN)/python manage.py create_demo_users

run: seed
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install-dev chromium
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(TEST_ENV) $(BIN)/python manage.py test --no-input $(TESTARGS) $(TESTS)

# Everything but the tests tagged "slow" (subprocesses, PostgreSQL move, Hypothesis, browser,
# generate_ledger, the permission matrices). No browser needed. CI runs `make test`.
test-fast: install-dev
	$(TEST_ENV) $(BIN)/python manage.py test --no-input --exclude-tag slow --parallel $(PARALLEL) $(TESTARGS) $(TESTS)

# Lint and format check (ruff, configured in pyproject.toml); CI runs it. `make format` rewrites.
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The benchmark (bench/run.py): builds or reuses the 1M-pledge ledger in bench/data/ (SQLite) and in
# BENCH_PG_URL (PostgreSQL, default aidledger_bench), then writes BENCHMARKS.md. Datasette, the
# baseline, goes into bench/.venv only. BENCHARGS=--no-postgres skips PostgreSQL.
bench/.venv/.installed: bench/requirements.txt
	$(PYTHON) -m venv bench/.venv
	bench/.venv/bin/pip install --quiet --upgrade pip==25.3
	bench/.venv/bin/pip install --quiet -r bench/requirements.txt
	touch $@

bench: install bench/.venv/.installed
	@command -v sqlite3 >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3; }
	BENCH_COMMAND="make bench$(if $(BENCHARGS), BENCHARGS='$(BENCHARGS)')" $(BIN)/python bench/run.py $(BENCHARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles

bench-intake: install
	$(BIN)/python bench/intake_quality.py
	$(BIN)/python bench/intake_blind.py --folder blind
	$(BIN)/python bench/intake_blind.py --folder blind2
