# Two commands do everything on a fresh machine with Python 3.11:
#   make demo   install kg into .venv and build the bundled sample articles into kg-demo/
#   make test   install kg with its test tools into .venv and run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test eval model clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

demo: $(VENV)/.installed
	$(BIN)/kg demo --out kg-demo

test: $(VENV)/.installed
	$(BIN)/python -m pytest -q

# Score a build of ../shared/corpus against its gold annotations (quality figures for notes).
eval: $(VENV)/.installed
	$(BIN)/python benchmarks/quality.py

clean:
	rm -rf $(VENV) kg-demo

# Retrain the statistical NER from ../shared/data/cluener2020 into kg/nlp/model (about an hour on 2 cores).
model: $(VENV)/.installed
	$(BIN)/python training/train_ner.py
