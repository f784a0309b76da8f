# Tỉnh số: the two commands are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Tests on PostgreSQL use a fresh database on this server (pytest-django creates test_<name>).
TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/tinhso
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: demo test install install-test assets lint check-migrations test-sqlite test-postgres system-test-deps lock bench serve clean

## demo: set everything up and serve the platform with Thái Nguyên demo data (Ctrl-C stops).
demo: install assets
	DEBUG=1 $(BIN)/tinhso migrate --noinput
	DEBUG=1 $(BIN)/tinhso load_demo
	DEBUG=1 $(BIN)/tinhso serve --port $(PORT)

## test: install test dependencies and run the whole suite (lint, migrations, SQLite, PostgreSQL).
test: install-test assets system-test-deps lint check-migrations test-sqlite test-postgres

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements/base.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/base.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

$(VENV)/.installed-test: requirements/test.txt $(VENV)/.installed
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/test.txt
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: node_modules/.installed

system-test-deps:
	@scripts/ensure-chromium

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check-migrations:
	DEBUG=1 $(BIN)/tinhso makemigrations --check --dry-run

test-sqlite:
	@echo "=== pytest on SQLite ==="
	TEST_REDIS_URL=$(TEST_REDIS_URL) $(BIN)/pytest

test-postgres:
	@if scripts/postgres-answers "$(TEST_POSTGRES_URL)"; then \
		echo "=== pytest on PostgreSQL ($(TEST_POSTGRES_URL)) ==="; \
		DATABASE_URL=$(TEST_POSTGRES_URL) TEST_REDIS_URL=$(TEST_REDIS_URL) $(BIN)/pytest --create-db -m "not e2e"; \
	else \
		echo ""; \
		echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
		echo "!!! SKIPPED: no PostgreSQL answers at $(TEST_POSTGRES_URL)."; \
		echo "!!! The suite ran on SQLite only. Start PostgreSQL and run make test-postgres."; \
		echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
	fi

## serve: run web server, worker and scheduler (what `make demo` ends with).
serve: install assets
	DEBUG=1 $(BIN)/tinhso serve --port $(PORT)

## bench: run every module's benchmark and print the results.
bench: install-test
	$(BIN)/python -m bench

## lock: re-resolve the pinned, hashed requirement files from pyproject.toml.
lock:
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --python-version 3.11 --universal --generate-hashes -q -o requirements/base.txt --custom-compile-command "make lock"
	$(BIN)/uv pip compile pyproject.toml --extra test --python-version 3.11 --universal --generate-hashes -q -o requirements/test.txt --custom-compile-command "make lock"

clean:
	rm -rf $(VENV) node_modules var/test
