# The two commands of the README: `make run` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# .venv is installed by uv from uv.lock, exactly. uv itself, at the version (and hashes)
# that uv-requirements.txt pins, comes from PyPI into .tools/ the first time.
TOOLS := .tools
UV := $(TOOLS)/bin/uv
# Bytecode is compiled at install, as pip does: where PYTHONDONTWRITEBYTECODE is set (as on
# these shared machines) every process, each test worker and analysis worker, would otherwise
# compile spaCy and Presidio from source at each start (a demo start: 26 s, not 8, at load 6).
# The app's own modules (installed editable) are compiled too: an export's PDF workers
# import a tenth of a second of them each.
SYNC := $(UV) sync --locked --python $(PYTHON) --no-python-downloads --compile-bytecode
# pytest worker processes: the machines have two cores. GUI tests share one worker.
WORKERS ?= 2

.PHONY: run test lint types contracts pytest setup lock bench package clean

$(UV): uv-requirements.txt
	test -x $(TOOLS)/bin/python || $(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes \
		-r uv-requirements.txt
	touch $(UV)

$(STAMP): pyproject.toml uv.lock $(UV)
	$(SYNC) --extra test --extra cluster --reinstall-package redaction-reviewer
	$(BIN)/python -m compileall -q reviewer
	touch $(STAMP)

setup: $(STAMP)

# After changing dependencies in pyproject.toml: re-resolve uv.lock (commit both).
lock: $(UV)
	$(UV) lock

# DEMO_ARGS: more options for `reviewer demo` (`--exit-when shown` times the start-up).
run: $(STAMP)
	$(BIN)/reviewer demo $(DEMO_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check reviewer tests benchmarks packaging

types: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports

pytest: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest -q -n $(WORKERS) --dist loadgroup

# The checks run two at a time: pytest (on two workers) beside mypy, then ruff and the
# import contracts, so the type check's single core is not a wait of its own. Each
# check's output is printed whole when it ends; the first failure fails `make test`.
test: $(STAMP)
	$(MAKE) --no-print-directory -j 2 --output-sync=target pytest types lint contracts

bench: $(STAMP)
	for script in benchmarks/bench_*.py; do $(BIN)/python $$script || exit 1; done

# The desktop bundle (dist/reviewer) built by PyInstaller, then smoke-tested without Python.
package: $(STAMP)
	$(SYNC) --extra test --extra cluster --extra package
	packaging/linux/validate.sh
	$(BIN)/pyinstaller --noconfirm --distpath dist --workpath build packaging/reviewer.spec
	packaging/smoke_test.sh dist/reviewer

clean:
	rm -rf $(VENV) $(TOOLS) build dist .mypy_cache .ruff_cache .pytest_cache
