# casearchive — the two commands a newcomer needs: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	&& echo $$p && break; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install sysdeps bench clean

$(STAMP): setup.cfg pyproject.toml
	@test -n "$(PYTHON)" || { echo "casearchive needs Python >= 3.11 (python3.11 or newer on PATH)"; exit 3; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## A demo archive under ./demo-archive: sample case files generated, ingested, verified, report printed.
demo: $(STAMP)
	$(BIN)/casearchive --root demo-archive demo

## The whole test suite (installs the system packages it needs where it can).
test: $(STAMP) sysdeps
	$(BIN)/python -m pytest -n 2 -q

sysdeps:
	@bash scripts/sysdeps.sh

## Benchmarks (bench/README.md): ingest and verify against openssl and bagit.py.
bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) demo-archive bench/work .pytest_cache
