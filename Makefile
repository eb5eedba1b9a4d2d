# Belediye–STK İş Birliği Portalı. `make run` serves the demo; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
PYTEST_ARGS ?= -n 2 --dist worksteal
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test serve release topology install messages migrate seed lint format check clean bench backup restore

## run: set everything up and serve the portal with demo data on http://127.0.0.1:8000 (SQLite)
run: export DJANGO_DEBUG = 1
run: install messages
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl+C stops it)"
	@echo "Tasks run in-process and mail goes to this console; for a worker: REDIS_URL=redis://127.0.0.1:6379/0 $(BIN)/celery -A portal worker -l info"
	$(MANAGE) runserver $(HOST):$(PORT)

## test: run the whole suite (SQLite, or PostgreSQL when DATABASE_URL points to one)
## Byte code is written even where PYTHONDONTWRITEBYTECODE is set: the next run (and every
## worker and server a test starts) reads the compiled modules and pytest's rewritten tests.
test: install messages
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/pytest $(PYTEST_ARGS)

## serve: one app server, production-style (gunicorn, DEBUG off); needs DJANGO_SECRET_KEY and
## hosts. It does not migrate: run `make release` once per release first, from one machine.
## collectstatic stays: each machine reads its own copy of the static manifest.
serve: install messages
	$(MANAGE) collectstatic --noinput --verbosity 0
	$(BIN)/gunicorn portal.wsgi --bind $(HOST):$(PORT) --workers $${WEB_CONCURRENCY:-3} \
		--timeout 60 --access-logfile - --forwarded-allow-ips '*'

## release: once per release, from one machine: migrate, collectstatic, translations, warm_reports
release: install
	$(MANAGE) release

## topology: nginx + two gunicorn servers + Redis (+ Celery) on loopback, driven end to end
topology: install messages
	$(BIN)/python scripts/topology_check.py

## bench: national-scale data, page latencies, query counts and the full load test (PostgreSQL)
bench: install messages
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)
	$(BIN)/python scripts/loadtest.py

## backup / restore: pg_dump / pg_restore of DATABASE_URL (or a copy of the SQLite file)
backup: install
	$(BIN)/python scripts/backup.py backup $(BACKUP_FILE)

restore: install
	$(BIN)/python scripts/backup.py restore $(BACKUP_FILE)

install: $(BIN)/.installed

# A development machine: the runtime pins and the tools (tests, lint, honcho, the SMTP sink).
# A production machine installs the runtime pins only: pip install -r requirements.lock
$(BIN)/.installed: requirements.lock requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock -r requirements-dev.lock
	touch $@

messages: install
	DJANGO_DEBUG=1 $(MANAGE) compile_translations

migrate: install
	DJANGO_DEBUG=1 $(MANAGE) migrate --noinput

seed: migrate
	DJANGO_DEBUG=1 $(MANAGE) seed_demo

## lint / format: ruff (and the layer contract: lint-imports)
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## lock: re-pin requirements.lock (runtime) and requirements-dev.lock (runtime + dev) from
## pyproject.toml; the dev lock is constrained by the runtime one, so both pin the same versions
lock: install
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url \
		--no-emit-find-links -o requirements.lock pyproject.toml
	$(BIN)/pip-compile --quiet --strip-extras --extra dev --no-emit-index-url \
		--no-emit-find-links -c requirements.lock -o requirements-dev.lock pyproject.toml

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 db.sqlite3-wal db.sqlite3-shm .pytest_cache .ruff_cache
	find locale -name '*.mo' -delete
