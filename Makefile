# Accord: `make run` to try it, `make test` to test it. Nothing else needs installing
# beforehand but Python 3.12+ and Node.js.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
MANAGE := $(PY) manage.py
# Runs a command with the embedded PostgreSQL server up when DATABASE_URL is unset (and
# stops it afterwards if it was not running before); with DATABASE_URL set, just runs it.
WITH_DB := $(PY) -m core.runtime exec --

.PHONY: help run db stop test lint typecheck check pytest bench install assets lock clean

help:
	@echo "make run    - set up everything and start Accord on http://127.0.0.1:8000 with its demo data"
	@echo "             (ACCORD_ADDRESS=127.0.0.1:8001 make run serves elsewhere)"
	@echo "make test   - lint, type-check, check migrations and run the whole test suite on PostgreSQL"
	@echo "make bench  - measure speed and query counts on generated data"
	@echo "make lock   - refresh requirements.lock and requirements-dev.lock from pyproject.toml"
	@echo "make db     - start the embedded PostgreSQL server, for manage.py commands"
	@echo "make stop   - stop whatever a local run left running (servers, worker, PostgreSQL)"

$(VENV)/.python-ok:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' || { \
	  echo "Accord needs Python 3.12 or newer; '$(PYTHON)' is $$($(PYTHON) --version 2>&1)."; \
	  echo "Install Python 3.12+ (e.g. 'pyenv install 3.13') or run: make PYTHON=python3.13 ..."; exit 1; }
	@command -v node >/dev/null || { echo "Accord needs Node.js (and npm) to build its front-end assets."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv
	@touch $@

# Installs exactly what the development lock file names (production's plus the tools);
# reruns only when a lock file changes.
$(VENV)/.installed: requirements.lock requirements-dev.lock $(VENV)/.python-ok
	$(UV) pip sync --quiet --python $(PY) requirements-dev.lock
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

static/vendor/.built: node_modules/.installed scripts/build-assets.mjs static/scss/govuk.scss
	node scripts/build-assets.mjs
	@touch $@

install: $(VENV)/.installed
assets: static/vendor/.built

# requirements.lock: production only (the Docker image installs it). requirements-dev.lock:
# the same pins plus the development group.
lock: $(VENV)/.python-ok
	$(UV) pip compile --quiet pyproject.toml --python-version 3.12 -o requirements.lock
	$(UV) pip compile --quiet pyproject.toml --group dev --python-version 3.12 \
	  --constraint requirements.lock -o requirements-dev.lock

run: install assets
	@$(PY) -m core.devserver

db: install
	@$(PY) -m core.runtime start

stop: install
	@$(PY) -m core.devserver stop

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/bandit -q -c pyproject.toml -r .

typecheck: install
	$(VENV)/bin/mypy

check: install
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) makemigrations --check --dry-run

test:
	@scripts/describe-test-env.sh
	@$(MAKE) --no-print-directory install assets lint typecheck
	@$(WITH_DB) $(MAKE) --no-print-directory check pytest

pytest: install
	DJANGO_SETTINGS_MODULE=config.settings.test $(VENV)/bin/pytest -n $${PYTEST_WORKERS:-auto} --dist loadgroup $(PYTEST_ARGS)

# BENCH_SIZES: comma-separated, from tiny (200 commitments), small (2,000), large (20,000),
# huge (200,000 commitments, 1.4 million milestones: slow).
BENCH_SIZES ?= small,large
bench: install
	DJANGO_SETTINGS_MODULE=config.settings.test $(WITH_DB) $(PY) -m bench --sizes $(BENCH_SIZES)

clean:
	rm -rf $(VENV) node_modules static/vendor var/staticfiles
