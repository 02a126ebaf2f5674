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

# Benchmarks: every figure of docs/benchmarks.md, rerun, then the doc's generated
# sections rewritten from benchmarks/results/ (benchmarks/report.py). Full scale
# (1M postings over 52 weeks, 10k/40k-page crawls) takes well over an hour on 2 cores.
BENCH_RESULTS := benchmarks/results
SHARED_DATA   := ../shared/data/greenhouse-history

.PHONY: bench bench-quick
bench: install
	@mkdir -p $(BENCH_RESULTS)
	$(BIN)/python benchmarks/crawl.py --unthrottled > $(BENCH_RESULTS)/crawl.txt
	$(BIN)/python benchmarks/normalize_throughput.py --out $(BENCH_RESULTS)/normalize_throughput.json
	$(BIN)/python benchmarks/refresh.py
	$(BIN)/python benchmarks/queries.py
	-@if [ -d $(SHARED_DATA) ]; then $(BIN)/python benchmarks/replay_greenhouse.py --json $(BENCH_RESULTS)/replay_greenhouse.json; \
	  else echo "bench: $(SHARED_DATA) not found, real replay skipped"; fi
	$(BIN)/python benchmarks/report.py

# Under 2 minutes: small versions of the benchmarks; fails when a same-run ratio
# falls below its committed floor (benchmarks/floors.yml).
bench-quick: install
	@mkdir -p $(BENCH_RESULTS)/quick
	$(BIN)/python benchmarks/crawl.py --sizes 1000 --baseline-pages 1000 > $(BENCH_RESULTS)/quick/crawl.txt
	$(BIN)/python benchmarks/normalize_throughput.py --postings 5000 --batch 5000 --baseline-postings 3 --out $(BENCH_RESULTS)/quick/normalize_throughput.json > /dev/null
	$(BIN)/python benchmarks/refresh.py --quick
	$(BIN)/python benchmarks/queries.py --quick
	$(BIN)/python benchmarks/report.py --check

clean:
	rm -rf lake warehouse/work warehouse/*.duckdb warehouse/*.json .airflow
