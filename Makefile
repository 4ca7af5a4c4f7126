# Two commands do everything on a fresh machine with python3 and make:
#   make report   # demo data -> data/raw -> data/processed -> notebooks -> figures/ and reports/
#   make test     # the whole test suite
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.stamp
DATA   ?=

.PHONY: report test lint bench clean help

help:
	@echo "make report [DATA=dir]  run the whole pipeline (demo data unless DATA is given)"
	@echo "make test               run the test suite"
	@echo "make lint               ruff check and format check"
	@echo "make bench              run the benchmarks"

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP)-notebooks: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e ".[notebooks]"
	touch $@

$(STAMP)-dev: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@ $(STAMP)-notebooks

$(STAMP)-bench: pyproject.toml $(STAMP)-dev
	$(PY) -m pip install --quiet -e ".[dev,bench]"
	touch $@

report: $(STAMP)-notebooks
	$(VENV)/bin/cei-metrics report $(if $(DATA),--data $(DATA),--demo)

test: $(STAMP)-dev
	$(PY) -m pytest -n 2 --dist loadgroup

lint: $(STAMP)-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: $(STAMP)-bench
	$(PY) -m benchmarks

clean:
	rm -rf data/processed/* figures/* reports/*
	touch data/processed/.gitkeep figures/.gitkeep reports/.gitkeep
