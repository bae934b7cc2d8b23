# Two commands do everything on a fresh machine with Python 3.11:
#   make demo   install kg into .venv and build the bundled sample articles into kg-demo/
#   make test   install kg with its test tools into .venv and run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test eval clean virtuoso

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

demo: $(VENV)/.installed
	$(BIN)/kg demo --out kg-demo

test: $(VENV)/.installed virtuoso
	$(BIN)/python -m pytest -q

# The `kg push` integration test runs against a real Virtuoso (Debian's virtuoso-opensource,
# about 30 s to install); installed here when missing and we may (CI runs as root), else skipped.
virtuoso:
	@command -v virtuoso-t >/dev/null || [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    virtuoso-opensource >/dev/null; } || echo "could not install virtuoso-opensource: its test will be skipped"

# Score a build of ../shared/corpus against its gold annotations (quality figures for notes).
eval: $(VENV)/.installed
	$(BIN)/python benchmarks/quality.py

clean:
	rm -rf $(VENV) kg-demo
