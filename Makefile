# The two set-up commands: `make serve` (convert data/, validate, load, serve) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OUT    := build
STORE  := $(OUT)/store
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install test serve convert validate load dump clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest -q

convert: $(STAMP)
	$(BIN)/gongkai convert data/seeds -o $(OUT)/data.nq --report $(OUT)/convert-report.json

validate: convert
	$(BIN)/gongkai validate $(OUT)/data.nq

load: validate
	$(BIN)/gongkai load $(OUT)/data.nq --store $(STORE)
	$(BIN)/gongkai dump --store $(STORE) -o $(OUT)/dumps

serve: load
	$(BIN)/gongkai serve --store $(STORE) --dumps $(OUT)/dumps --host $(HOST) --port $(PORT)

clean:
	rm -rf $(OUT)
