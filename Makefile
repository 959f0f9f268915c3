# Everyday commands. GNU make; every target works on a fresh checkout and
# creates the virtualenv first if it is missing or out of date.
#
#   make run     serve http://127.0.0.1:8000 (PORT=... to change) with a Celery worker and beat,
#                on an embedded PostgreSQL under var/ unless DATABASE_URL is set
#   make test    the whole test suite in parallel (PYTEST_ARGS="-k booking -x" to narrow,
#                TEST_WORKERS=1 for one process), on an embedded PostgreSQL unless DATABASE_URL is set
#   make check   lint, format check, types, the dependency rules, migrations check, then the tests
#   make bench   the benchmarks, one JSON object per line on stdout
#   make clean   remove the virtualenv and everything under var/ (the embedded database included)

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
# A recipe that fails half-way leaves no half-made target behind.
.DELETE_ON_ERROR:

VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PYTEST_ARGS ?=
# pytest-xdist processes for `make test`: one more than the cores, since the browser
# journeys and fault tests spend much of their time waiting on the processes they start.
# Each has its own test database; an idle process takes tests from a busy one's share
# (--dist worksteal), so one slow file does not hold up the end of the run.
TEST_WORKERS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 1) + 1 )))


.PHONY: help venv run test check bench clean

help:
	@sed -n 's/^#   //p' $(MAKEFILE_LIST)

# --- Virtualenv ----------------------------------------------------------------
# Created once from the first Python >= 3.12 that scripts/find-python finds;
# the requirements are reinstalled only when requirements.txt changes.

$(PY):
	@python="$$(scripts/find-python)"; \
	echo "Creating $(VENV) with $$python"; \
	"$$python" -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(PY)
	PIP_DISABLE_PIP_VERSION_CHECK=1 $(PY) -m pip install --quiet -r requirements.txt
	@touch $@

venv: $(VENV)/.installed

# --- axe-core, for the browser tests ------------------------------------------------
# The accessibility checker the end-to-end journeys inject into every page
# (tests/e2e), installed from npm at the version package-lock.json pins into
# the git-ignored node_modules/. Without npm the journeys skip and say why
# (CI=true makes them fail instead), so `make test` still needs only Python.

AXE := node_modules/axe-core/axe.min.js

$(AXE): package.json package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else \
		echo "npm not found: the browser tests will skip (apt-get install npm to run them)" >&2; \
	fi

# --- Targets -------------------------------------------------------------------

# Migrates, loads the demo data on the first run, then serves with a worker
# and beat in the background; scripts/run-dev stops them on Ctrl-C.
run: venv
	@mkdir -p var
	PORT=$(PORT) scripts/run-dev

test: venv $(AXE)
	$(PY) -m pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# makemigrations runs on the test settings, which need no SECRET_KEY or server;
# mypy's Django plugin reads the same settings (pyproject.toml). lint-imports checks
# the one-way dependency rules between the apps (.importlinter).
check: venv $(AXE)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports
	DJANGO_SETTINGS_MODULE=tests.settings $(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# gunicorn against a fresh PostgreSQL database awl_bench (dropped afterwards);
# figures on stdout, progress on stderr. BENCH_SECONDS=... per page (default 8).
bench: venv
	@$(PY) -m bench

clean:
	@if [[ -e var/postgres/data/postmaster.pid && -x $(PY) ]]; then $(PY) -m awl.embedded_db stop --var var || true; fi
	rm -rf var $(VENV)
