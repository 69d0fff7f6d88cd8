# detente: `make run` runs the main job, `make test` the test suite (both set up .venv first).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HASH := $(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)
# `make run` installs what the main job needs; `make test` (and the other developer targets) add the
# test extras (pytest, ruff, mypy, the browser driver, schemathesis) on top.
RUN_STAMP := $(VENV)/.installed-run-$(HASH)
STAMP := $(VENV)/.installed-test-$(HASH)

.PHONY: run test lint typecheck pytest bench validate fuzz clean

$(RUN_STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e .
	rm -f $(VENV)/.installed-run-* && touch $@

$(STAMP): $(RUN_STAMP)
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[test]'
	rm -f $(VENV)/.installed-test-* && touch $@

run: $(RUN_STAMP)
	$(BIN)/detente analyze

test: $(STAMP) lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest -n 2

bench: $(STAMP)
	for f in benchmarks/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

fuzz: $(STAMP)
	DETENTE_FUZZ_CASES=$${DETENTE_FUZZ_CASES:-4000} $(BIN)/pytest -q -s -p no:xdist tests/fuzz

validate: $(STAMP)
	$(BIN)/detente forecast validate ../shared/forecast

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache detente-report
