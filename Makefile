# The two set-up commands: `make serve` (convert data/, validate, load, serve) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OUT    := build
STORE  := $(OUT)/store
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install test browser serve convert validate load dump clean bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP) browser
	$(BIN)/python -m pytest -q

# Debian's chromium for the browser tests (tests/browser; they skip, saying why, without it).
# Installs only as root (no prompt); otherwise says how and lets the tests skip.
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
	  || echo "WARNING: could not install chromium; the browser tests will skip"; \
	else echo "chromium is missing and we are not root: run 'sudo apt-get install -y chromium'; browser tests will skip"; fi

convert: $(STAMP)
	$(BIN)/gongkai convert data/seeds -o $(OUT)/data.nq --report $(OUT)/convert-report.json

validate: convert
	$(BIN)/gongkai validate $(OUT)/data.nq

load: validate
	$(BIN)/gongkai load $(OUT)/data.nq --store $(STORE)
	$(BIN)/gongkai dump --store $(STORE) -o $(OUT)/dumps

serve: load
	$(BIN)/gongkai serve --store $(STORE) --dumps $(OUT)/dumps --host $(HOST) --port $(PORT)

# Benchmarks against peers measured in the same run (bench/run.py); writes bench/RESULTS.md.
# By default 10^3 and 10^4 reports in one run (~70 min on 2 cores); BENCH_ARGS="-n 1000" for ~0.5 h.
# Needs `wrk` (apt-get install wrk).
# Also: python -m bench.ceiling (how close a bare Python server gets), bench.rdflib_endpoint,
# bench.shacl, bench.distributed (10^5 reports on Dask), bench.load_test; each writes its own section.
BENCH_ARGS ?=
bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(OUT)
