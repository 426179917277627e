# Every target bootstraps what it needs: a fresh machine with Python >= 3.11 is enough.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
HOST   ?= 127.0.0.1
STAMP  := $(VENV)/.installed
BUILT  := $(VENV)/.built
# The modules setup.py compiles with mypyc, as listed in pyproject.toml: when one changes,
# the package is built again, so the extension never lags behind its source.
COMPILED := $(wildcard $(shell $(PYTHON) -c 'import tomllib; print(*tomllib.load(open("pyproject.toml", "rb"))["tool"]["thatgia"]["compiled"])'))

.PHONY: install serve test lint typecheck pytest bench quality model crossval screenshots clean

$(STAMP): requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	touch $(STAMP)

# The package itself, editable. Without build isolation: mypyc type-checks the modules
# it compiles against the installed dependencies (about a minute; no compiler: no build).
$(BUILT): $(STAMP) pyproject.toml setup.py $(COMPILED)
	$(BIN)/python -m pip install --quiet --no-build-isolation --no-deps -e .
	touch $(BUILT)

install: $(BUILT)

# Migrations first: on a fresh machine this creates var/thatgia.db (THATGIA_DATABASE_URL).
# As root, Tesseract's Vietnamese and English data are installed when missing; otherwise the
# service starts without reading images, and /readyz says what to install.
OCR_PACKAGES := tesseract-ocr tesseract-ocr-vie tesseract-ocr-eng
serve: $(BUILT)
	@[ -f /usr/share/tesseract-ocr/5/tessdata/vie.traineddata ] || [ "$$(id -u)" != 0 ] \
	  || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(OCR_PACKAGES); }
	$(BIN)/thatgia db upgrade
	$(BIN)/thatgia serve --host $(HOST) --port $(PORT)

lint: $(BUILT)
	$(BIN)/ruff check app tests bench setup.py
	$(BIN)/ruff format --check app tests bench setup.py

typecheck: $(BUILT)
	$(BIN)/mypy

pytest: $(BUILT)
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck pytest

# Re-make the README's screenshots from the browser tests (needs /usr/bin/chromium).
screenshots: $(BUILT)
	THATGIA_UPDATE_SCREENSHOTS=1 $(BIN)/pytest -q tests/web/test_browser.py

# Every suite, or those named: make bench SUITES="http mail". HTTP load comes from wrk and
# the mail suite runs rspamd beside thatgia (Debian packages, installed when run as root).
bench: $(BUILT)
	$(BIN)/python -m bench $(SUITES)

# Detection quality on the authors' corpus: verdict confusion, per-code precision and
# recall, by author, genre and style, and every miss with its sentence or evidence.
quality: $(BUILT)
	$(BIN)/python -m tests.corpus.score tests/corpus/authors/*.jsonl --misses

# The learned layer beside the text rules (app/engine/learned/model.npz + model.json), trained on
# the authors' sets, the in-house corpus and the notices beside the clone (../shared):
# prints rules alone and combined on each author held out (six folds of authors), and
# writes the model (4–5 min on two shared cores). crossval also measures the choice of
# thresholds without each author (many minutes).
TRAIN := $(BIN)/python -m app.engine.learned.train tests/corpus/authors/*.jsonl \
	--in-house tests/corpus/messages.jsonl --notices ../shared/notices
model: $(BUILT)
	$(TRAIN)

crossval: $(BUILT)
	$(TRAIN) --nested

clean:
	rm -rf $(VENV) var build .mypy_cache .ruff_cache .pytest_cache
	find . -name '*.so' -not -path './.venv/*' -delete
