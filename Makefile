# credwatch — the two commands: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.install-stamp

.PHONY: install demo test test-fast clean

# Reinstall only when the dependency set changes. Every version is pinned by
# constraints.txt, so two machines get the same packages.
$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -c 'import sys; assert sys.version_info[:2] == (3, 11), "credwatch needs Python 3.11, this venv has " + sys.version' || \
	  (echo "Python 3.11 is required: set PYTHON=/path/to/python3.11 and remove $(VENV)"; exit 1)
	@echo "Installing pinned dependencies into $(VENV) (first time: ~2 minutes)..."
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/credwatch demo

test: install
	$(BIN)/python -m pytest

test-fast: install
	$(BIN)/python -m pytest -m "not e2e and not soak"

soak: install ; $(BIN)/python -m pytest -m soak tests/test_reliability.py

clean:
	rm -rf lake warehouse/work warehouse/*.duckdb warehouse/*.json .airflow
