# Accord: `make run` to try it, `make test` to test it. Nothing else needs installing
# beforehand but Python 3.12+ and Node.js.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
MANAGE := $(PY) manage.py

.PHONY: help run stop test lint check bench install assets lock clean

help:
	@echo "make run    - set up everything and start Accord on http://127.0.0.1:8000 with its demo data"
	@echo "make test   - lint, check migrations and run the whole test suite on PostgreSQL"
	@echo "make bench  - measure speed and query counts on generated data"
	@echo "make lock   - refresh requirements.lock from pyproject.toml"

$(VENV)/.python-ok:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' || { \
	  echo "Accord needs Python 3.12 or newer; '$(PYTHON)' is $$($(PYTHON) --version 2>&1)."; \
	  echo "Install Python 3.12+ (e.g. 'pyenv install 3.13') or run: make PYTHON=python3.13 ..."; exit 1; }
	@command -v node >/dev/null || { echo "Accord needs Node.js (and npm) to build its front-end assets."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv
	@touch $@

# Installs exactly what the lock file names; reruns only when the lock file changes.
$(VENV)/.installed: requirements.lock $(VENV)/.python-ok
	$(UV) pip sync --quiet --python $(PY) requirements.lock
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

static/vendor/.built: node_modules/.installed scripts/build-assets.mjs static/scss/govuk.scss
	node scripts/build-assets.mjs
	@touch $@

install: $(VENV)/.installed
assets: static/vendor/.built

lock: $(VENV)/.python-ok
	$(UV) pip compile pyproject.toml --group dev --python-version 3.12 -o requirements.lock

run: install assets
	@$(PY) -m core.devserver

stop: install
	@$(PY) -c 'from pathlib import Path; from core.runtime import stop_embedded_database as s; print("embedded PostgreSQL stopped" if s(Path("var")) else "embedded PostgreSQL was not running")'

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/bandit -q -c pyproject.toml -r .

check: install
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) makemigrations --check --dry-run

test:
	@scripts/describe-test-env.sh
	@$(MAKE) --no-print-directory install assets lint check
	DJANGO_SETTINGS_MODULE=config.settings.test $(VENV)/bin/pytest -n $${PYTEST_WORKERS:-auto} --dist loadgroup $(PYTEST_ARGS)

# BENCH_SIZES: comma-separated, from tiny (200 commitments), small (2,000), large (20,000).
BENCH_SIZES ?= small,large
bench: install
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m bench --sizes $(BENCH_SIZES)

clean:
	rm -rf $(VENV) node_modules static/vendor var/staticfiles
