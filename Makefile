# Two commands on a fresh machine with only Python 3.11: `make report` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
RAW := $(wildcard data/raw/*.txt data/raw/*.pdf)

.PHONY: setup parse report test bench lint browser-test clean

$(STAMP): pyproject.toml setup.py lib/juesuan/read/native.c
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

setup: $(STAMP)

parse: setup
	$(BIN)/juesuan parse $(RAW) --out data/processed

report: parse
	$(BIN)/juesuan report $(RAW) --out reports
	$(BIN)/juesuan export $(RAW) --out reports

test: setup
	bash tests/pdfcorpus/install.sh
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python -m tests.pdfcorpus build/corpus >/dev/null
	$(BIN)/python -m juesuan.bench build/corpus/seed-html-forms.pdf build/corpus/seed-wps-tm720.pdf

browser-test: report
	bash tests/browser/install.sh
	$(BIN)/python -m pytest -m browser tests/browser

lint: setup
	$(BIN)/ruff check lib tests

clean:
	rm -rf data/processed/* reports/*
