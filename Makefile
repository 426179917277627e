# Every target bootstraps what it needs: a fresh machine with Python >= 3.11 is enough.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
HOST   ?= 127.0.0.1
STAMP  := $(VENV)/.installed

.PHONY: install serve test lint typecheck pytest bench screenshots clean

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

# Migrations first: on a fresh machine this creates var/thatgia.db (THATGIA_DATABASE_URL).
serve: $(STAMP)
	$(BIN)/thatgia db upgrade
	$(BIN)/thatgia serve --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check app tests bench
	$(BIN)/ruff format --check app tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck pytest

# Re-make the README's screenshots from the browser tests (needs /usr/bin/chromium).
screenshots: $(STAMP)
	THATGIA_UPDATE_SCREENSHOTS=1 $(BIN)/pytest -q tests/web/test_browser.py

bench: $(STAMP)
	$(BIN)/python -m bench $(SUITES)

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
