# Ketenplan — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
SCALE ?= region

.PHONY: run test lint install install-test migrate demo worker bench totp clean-db help

help:
	@echo "make run    - install, migrate, load the demo region and serve on http://127.0.0.1:8000"
	@echo "make test   - run the whole test suite (set DATABASE_URL for PostgreSQL)"
	@echo "make lint   - ruff"
	@echo "make totp EMAIL=... - print the current demo sign-in code for a demo user"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet -c constraints.txt -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test]"
	@touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

run: install
	@$(MANAGE) serve

worker: install
	$(MANAGE) db_worker

totp: install
	@$(MANAGE) demo_totp $(EMAIL)

test: install-test
	@bash scripts/test.sh

lint: install-test
	$(BIN)/ruff check .

# Load run (issue 7): region on SQLite and PostgreSQL, or SCALE=national on PostgreSQL.
bench: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[bench]"
	SCALE=$(SCALE) $(BIN)/python bench/run.py
