# Two commands do everything on a fresh machine with python3 and make:
#   make report   # demo data -> data/raw -> data/processed -> notebooks -> figures/ and reports/
#   make test     # the whole test suite
# Both install the exact versions in requirements/lock.txt. After changing pyproject.toml
# run `make lock` (keeps the other pins); `make lock UPGRADE=1` moves everything to the
# newest allowed versions; `make test-latest` tests those without touching the lock.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip install --quiet
STAMP  := $(VENV)/.stamp
LOCK   := requirements/lock.txt
DATA   ?=
# the lock's resolution: every extra, one set of versions for every Python >= 3.11
LOCK_ARGS := pyproject.toml --extra dev --extra bench --universal --python-version 3.11

.PHONY: report test test-latest lint bench lock clean help

help:
	@echo "make report [DATA=dir]  run the whole pipeline (demo data unless DATA is given)"
	@echo "make test               run the test suite (locked versions)"
	@echo "make test-latest        run the test suite with the newest allowed versions"
	@echo "make lint               ruff check and format check, import-linter layer contracts"
	@echo "make bench              run the benchmarks"
	@echo "make lock [UPGRADE=1]   re-resolve requirements/lock.txt (keeping pins unless UPGRADE) and environment.yml"

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) "pip>=23.1"

$(STAMP)-notebooks: pyproject.toml $(LOCK) | $(VENV)/bin/python
	$(PIP) -c $(LOCK) -e ".[notebooks]"
	touch $@

$(STAMP)-dev: pyproject.toml $(LOCK) | $(VENV)/bin/python
	$(PIP) -c $(LOCK) -e ".[dev]"
	touch $@ $(STAMP)-notebooks

$(STAMP)-bench: pyproject.toml $(LOCK) $(STAMP)-dev
	$(PIP) -c $(LOCK) -e ".[dev,bench]"
	touch $@

report: $(STAMP)-notebooks
	$(VENV)/bin/cei-metrics report $(if $(DATA),--data $(DATA),--demo)

test: $(STAMP)-dev
	$(PY) -m pytest -n 2 --dist worksteal

# a separate environment with the newest versions pyproject.toml allows, so upstream
# changes are seen before the lock is refreshed
test-latest:
	rm -rf .venv-latest
	$(PYTHON) -m venv .venv-latest
	.venv-latest/bin/python -m pip install --quiet --upgrade pip
	.venv-latest/bin/python -m pip install --quiet --upgrade --upgrade-strategy eager -e ".[dev]"
	.venv-latest/bin/python -m pip freeze --exclude-editable > .venv-latest/versions.txt
	.venv-latest/bin/python -m pytest -n 2 --dist worksteal -p no:cacheprovider

lint: $(STAMP)-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

bench: $(STAMP)-bench
	$(PY) -m benchmarks

lock: | $(VENV)/bin/python
	$(PIP) "uv>=0.5"
	$(VENV)/bin/uv pip compile $(LOCK_ARGS) $(if $(UPGRADE),--upgrade,) --quiet -o $(LOCK)
	$(PY) requirements/environment.py > environment.yml

clean:
	rm -rf data/processed/* figures/* reports/*
	touch data/processed/.gitkeep figures/.gitkeep reports/.gitkeep
