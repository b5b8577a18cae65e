# The two set-up commands: `make serve` (convert data/, validate, load, serve) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OUT    := build
STORE  := $(OUT)/store
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install test lint browser system-packages serve convert validate load dump clean bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# The tests (with the `>>>` examples of converter/ and endpoint/ docstrings: --doctest-modules in
# pyproject.toml), after the gates of `lint`.
test: $(STAMP) lint browser system-packages
	$(BIN)/python -m pytest -q

# The gates (issue 20): ruff's lint rules and its formatting over the whole tree, and mypy --strict on
# the files [tool.mypy] names in pyproject.toml (converter/ and endpoint/).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Debian's chromium for the browser tests (tests/browser; they skip, saying why, without it).
# Installs only as root (no prompt); otherwise says how and lets the tests skip.
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
	  || echo "WARNING: could not install chromium; the browser tests will skip"; \
	else echo "chromium is missing and we are not root: run 'sudo apt-get install -y chromium'; browser tests will skip"; fi

# Debian packages the converter runs (each "file or command that proves it:package"): LibreOffice reads
# .doc/.wps/.rtf/.odt (converter/extract/office.py), with a CJK font; Tesseract's data (English, the
# orientation model and Simplified Chinese) reads scans (converter/extract/ocr.py, through tesserocr).
# Installs only the missing ones, only as root (no prompt); otherwise says how and lets their tests
# skip. Fast when all are there.
SYSTEM_PACKAGES := soffice:libreoffice-writer-nogui \
	/usr/share/fonts/truetype/wqy/wqy-microhei.ttc:fonts-wqy-microhei \
	/usr/share/tesseract-ocr/5/tessdata/osd.traineddata:tesseract-ocr \
	/usr/share/tesseract-ocr/5/tessdata/chi_sim.traineddata:tesseract-ocr-chi-sim
system-packages:
	@missing=""; for need in $(SYSTEM_PACKAGES); do have=$${need%%:*}; \
	  [ -e "$$have" ] || command -v "$$have" >/dev/null 2>&1 || missing="$$missing $${need#*:}"; done; \
	if [ -z "$$missing" ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then (apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y -qq --no-install-recommends $$missing) \
	  || echo "WARNING: could not install$$missing; the tests that need them will skip"; \
	else echo "missing Debian packages:$$missing; run 'sudo apt-get install -y$$missing'; the tests that need them will skip"; fi

convert: $(STAMP)
	$(BIN)/gongkai convert data/seeds -o $(OUT)/data.nq --report $(OUT)/convert-report.json

validate: convert
	$(BIN)/gongkai validate $(OUT)/data.nq

load: validate
	$(BIN)/gongkai load $(OUT)/data.nq --store $(STORE)
	$(BIN)/gongkai dump --store $(STORE) -o $(OUT)/dumps

serve: load
	$(BIN)/gongkai serve --store $(STORE) --dumps $(OUT)/dumps --host $(HOST) --port $(PORT)

# Every benchmark against its peers in one run (bench/suite.py: bench.run, bench.ceiling,
# bench.rdflib_endpoint, bench.shacl, bench.distributed, one after another); writes bench/RESULTS.md.
# By default 10^3 and 10^4 reports (~95 min on 2 cores, ~25 GB of disk); BENCH_ARGS="--scale" adds the
# 10^5-report corpus on Dask (~2 h more); BENCH_ARGS="--dry-run" prints the steps.
# Needs `wrk` (apt-get install wrk). bench.load_test (issue 5) runs on its own.
BENCH_ARGS ?=
bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python -m bench.suite $(BENCH_ARGS)

clean:
	rm -rf $(OUT)
