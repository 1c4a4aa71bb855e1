# TeamAround: `make run` serves the portal; `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000

export FLASK_APP := wsgi

.PHONY: run test lint assets migrate clean bench

$(VENV)/.runtime: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

## run: install, migrate, print the first-run link if needed, serve on :5000 with the job queue
run: $(VENV)/.runtime
	$(BIN)/flask db upgrade
	PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-http://$(HOST):$(PORT)} $(BIN)/flask setup-link
	export PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-http://$(HOST):$(PORT)} \
	  TEAMAROUND_PLAIN_HTTP=$${TEAMAROUND_PLAIN_HTTP:-1} LOG_FORMAT=$${LOG_FORMAT:-text}; \
	$(BIN)/flask jobs run & consumer=$$!; \
	trap 'kill $$consumer 2>/dev/null; wait $$consumer' EXIT INT TERM; \
	$(BIN)/flask run --host $(HOST) --port $(PORT)

## test: install and run every test (SQLite; PostgreSQL too when TEST_DATABASE_URL is set).
## Both halves run on both cores; on PostgreSQL each worker has a database of its own beside
## the one named (DB_gw0, DB_gw1; tests named for PostgreSQL run there too).
test: $(VENV)/.dev
	$(BIN)/ruff check app tests bench
	$(BIN)/python -m pytest -n 2 -k "not postgresql" $(PYTEST_ARGS)
	$(BIN)/python -m pytest -n 2 -k postgresql $(PYTEST_ARGS)

## bench: the self-contained benchmarks (not part of test; see README "Benchmarks")
bench: $(VENV)/.dev
	command -v wrk >/dev/null || apt-get install -y -qq wrk
	command -v valgrind >/dev/null || apt-get install -y -qq valgrind
	$(BIN)/python bench/load.py --children $${CHILDREN:-200000} --duration $${DURATION:-30}
	$(BIN)/python bench/instructions.py --children $${CHILDREN:-200000}
	$(BIN)/python bench/audit_chain.py --events $${EVENTS:-1000000}
	$(BIN)/python bench/sar_pdf.py
	$(BIN)/python bench/import_roll.py --rows $${ROWS:-100000}
	$(BIN)/python bench/crash.py --kills $${KILLS:-100}
	$(BIN)/python bench/restore.py
	$(BIN)/python bench/upgrade.py --children $${CHILDREN:-200000} --events $${EVENTS:-1000000}

lint: $(VENV)/.dev
	$(BIN)/ruff check app tests bench

migrate: $(VENV)/.runtime
	$(BIN)/flask db upgrade

## assets: rebuild app/static from GOV.UK Frontend and htmx (needs Node; output is committed)
assets:
	cd frontend && npm ci --no-audit --no-fund && sh build.sh

clean:
	rm -rf $(VENV) .pytest_cache
