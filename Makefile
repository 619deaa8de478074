# The two commands of the README: `make run` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint types contracts pytest setup bench package clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/reviewer demo

lint: $(STAMP)
	$(BIN)/ruff check reviewer tests benchmarks packaging

types: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports

pytest: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest -q

test: lint types contracts pytest

bench: $(STAMP)
	for script in benchmarks/bench_*.py; do $(BIN)/python $$script || exit 1; done

# The desktop bundle (dist/reviewer) built by PyInstaller, then smoke-tested without Python.
package: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,package]'
	packaging/linux/validate.sh
	$(BIN)/pyinstaller --noconfirm --distpath dist --workpath build packaging/reviewer.spec
	packaging/smoke_test.sh dist/reviewer

clean:
	rm -rf $(VENV) build dist .mypy_cache .ruff_cache .pytest_cache
