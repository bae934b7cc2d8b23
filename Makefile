# Two commands do everything on a fresh machine with Python 3.11:
#   make demo   install kg (the runtime only) into .venv and build the bundled sample articles into kg-demo/
#   make test   install kg with its test tools into .venv and run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test eval model clean browser virtuoso
# apt waits up to 5 minutes for another apt or dpkg (unattended upgrades, a parallel job) to let go of its lock
APT := apt-get -o DPkg::Lock::Timeout=300

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The demo installs the runtime alone, as a user would (`pip install .`, not editable); the test
# tools (playwright, dask, jupyter, matplotlib …) come only with `make test`, which installs kg
# editable. No byte-code is written ahead (Python writes it for the modules it imports: 13 MB
# instead of 80), and scripts/slim_venv.py drops the debug information that spaCy's, thinc's and
# blis' wheels carry (120 MB): 343 MB of venv (du) instead of 519 MB.
$(VENV)/.runtime: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --no-compile .
	$(BIN)/python scripts/slim_venv.py $(VENV)
	touch $@

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.runtime

demo: $(VENV)/.runtime
	$(BIN)/kg demo --out kg-demo

test: $(VENV)/.installed browser virtuoso
	$(BIN)/python -m pytest -q

# The network page is tested in Debian's Chromium (driven by playwright, never a downloaded
# browser), with a CJK font for its screenshots; installed from Debian when missing.
BROWSER_PACKAGES := chromium fonts-wqy-microhei
browser:
	@if [ ! -x /usr/bin/chromium ] || [ ! -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]; then \
		if [ "$$(id -u)" != 0 ]; then echo "browser test needs: sudo apt-get install $(BROWSER_PACKAGES)"; else \
		echo "installing $(BROWSER_PACKAGES) from Debian for the browser test"; \
		$(APT) update -qq && DEBIAN_FRONTEND=noninteractive $(APT) install -y -qq --no-install-recommends $(BROWSER_PACKAGES); fi; \
	fi

# `kg push` is tested against a real Virtuoso (Debian's virtuoso-opensource, about 30 s to
# install); installed from Debian when missing, else its test is skipped.
virtuoso:
	@if ! command -v virtuoso-t >/dev/null; then \
		if [ "$$(id -u)" != 0 ]; then echo "Virtuoso push test needs: sudo apt-get install virtuoso-opensource"; else \
		echo "installing virtuoso-opensource from Debian for the push test"; \
		$(APT) update -qq && DEBIAN_FRONTEND=noninteractive $(APT) install -y -qq --no-install-recommends virtuoso-opensource; fi; \
	fi

# Quality figures (benchmarks/quality.py): in-sample, 5-fold cross-validated by article over
# ../shared/corpus, the sealed articles, CLUENER2020 dev; exits 1 below issue 13's targets.
# Trains 6 pairs of models (torch, from the test extra): about 40 minutes on 2 cores.
eval: $(VENV)/.installed
	$(BIN)/python benchmarks/quality.py

clean:
	rm -rf $(VENV) kg-demo

# Retrain the shipped models (entities, then relations) from ../shared/corpus and CLUENER2020 into
# kg/models, bit for bit (fixed seeds, torch on one thread); 5-fold cross-validation first, its
# figures kept in kg/models/training.json. About 30 minutes on one core.
model: $(VENV)/.installed
	$(BIN)/kg train ../shared/corpus/seeds ../shared/corpus/dev ../shared/corpus/train \
		--cluener ../shared/data/cluener2020 --out kg/models
