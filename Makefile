# Linux and macOS; on Windows: py -m venv .venv && .venv\Scripts\pip install -e .[dev]
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint format docs bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	rm -rf stafett-demo
	$(BIN)/stafett demo stafett-demo
	STAFETT_STORE=stafett-demo STAFETT_IDENTITY=stafett-demo/keys/ingrid.key \
		$(BIN)/stafett report due --within 30d

lint: setup
	$(BIN)/ruff check stafett tests bench
	$(BIN)/ruff format --check stafett tests bench
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

format: setup
	$(BIN)/ruff format stafett tests bench
	$(BIN)/ruff check --fix stafett tests bench

docs: setup
	$(BIN)/cog -r -n utf-8 -I . docs/cli.md

bench: setup
	$(BIN)/python bench/bench_write.py
	$(BIN)/python bench/bench_show.py
	$(BIN)/python bench/bench_access.py
	$(BIN)/python bench/bench_bundle.py
	$(BIN)/python bench/bench_report.py

clean:
	rm -rf $(VENV) stafett-demo bench/.data .pytest_cache .mypy_cache .ruff_cache
