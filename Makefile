# Quick start: `make run` (portal at http://127.0.0.1:8000) and `make test` (the whole suite).
SHELL := /bin/bash
# The first interpreter that really runs and is 3.11+ (pyenv shims exist for versions that do not run).
PYTHON ?= $(shell for p in python3 python3.12 python3.11 python3.13; do $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && echo $$p && break; done)
VENV := .venv
PY := $(VENV)/bin/python
LAUNCH := $(PY) kertapati_welfare/embedded.py

.PHONY: run test setup setup-dev lint typecheck format bench clean-data

$(PY):
	@test -n "$(PYTHON)" || { echo "Python 3.11 atau lebih baru tidak ditemukan."; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 atau lebih baru diperlukan (ditemukan %s)." % sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed-runtime: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $(VENV)/.installed-runtime $@

setup: $(VENV)/.installed-runtime
setup-dev: $(VENV)/.installed-dev

run: setup
	@$(LAUNCH) run

test: setup-dev
	@$(LAUNCH) test $(PYTEST_ARGS)

# ESLint and its plugins, exactly as package-lock.json pins them (npm registry only).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# Static checks of .pre-commit-config.yaml: ruff (check, format --check), djLint (templates), ESLint (JS), mypy.
lint: setup-dev node_modules/.installed
	$(VENV)/bin/pre-commit run --all-files --show-diff-on-failure

# mypy with django-stubs over services and selectors (pyproject.toml) on its own; `lint` runs it too (pre-commit).
typecheck: setup-dev
	$(VENV)/bin/mypy

format: setup-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Load harness (docs/performance.md): make bench ARGS="--households 2000 --duration 20"
bench: setup-dev
	@bench/run $(ARGS)

clean-data:
	rm -rf .data
