# orbitshare: `make run` and `make test` each set up .venv on a fresh machine.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

WEB_BUILT := src/orbitshare/web/static/app.js

.PHONY: run test lint bench clean web

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# The built web page is committed; it is built from web/ (Node 20+, npm) only when missing, or by `make web`.
$(WEB_BUILT):
	cd web && npm ci --no-audit --no-fund && npm run build

web:
	cd web && npm ci --no-audit --no-fund && npm run build

run: $(STAMP) | $(WEB_BUILT)
	$(BIN)/orbitshare warmup
	$(BIN)/orbitshare demo
	$(BIN)/orbitshare serve --demo --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2 -q

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python bench/propagate.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache
