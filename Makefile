# The two commands a newcomer needs: `make run` and `make test`. Everything else is for developers.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
STAMP  := $(VENV)/.installed-stamp
# `make serve`: gunicorn worker processes (WEB_CONCURRENCY, as gunicorn itself calls it) and
# threads in each. Threaded workers keep answering while one thread streams a long CSV, which
# a sync worker would be killed for after its timeout.
WEB_CONCURRENCY ?= 2
GUNICORN_THREADS ?= 4
PRODUCTION := DJANGO_SETTINGS_MODULE=config.settings.production
# Branch coverage of `make test`, checked against fail_under in pyproject.toml; `COVERAGE=`
# runs without it (CI's second pass, which runs the same code on another server).
COVERAGE ?= --cov --cov-report=term-missing:skip-covered
# `make test` runs the suite in TEST_WORKERS processes (pytest-xdist; `auto`: one a core),
# each on a test database of its own, taking the tests one at a time, the slow ones first;
# an `xdist_group` runs on one worker (tests/conftest.py). TEST_WORKERS=0: in one process.
TEST_WORKERS ?= auto
PARALLEL = -n $(TEST_WORKERS) --dist loadgroup --no-loadscope-reorder
# A command run with DATABASE_URL set: as it is, or else to the embedded PostgreSQL.
WITH_DATABASE = $(if $(DATABASE_URL),,$(BIN)/python -m config.database)

.PHONY: run serve bench loadtest backup restore test test-quick chromium lint format check seed install clean-db

# (Re)install when the dependency pins change.
$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $@

install: $(STAMP)

## make run: install, start the embedded database, migrate, seed, serve on 127.0.0.1:$(PORT)
run: $(STAMP)
	$(BIN)/python manage.py bootstrap
	DJANGO_DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## make serve: the production settings under gunicorn on 127.0.0.1:$(PORT), static files by whitenoise
## (needs DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS; see docs/operations.md).
## Without DATABASE_URL, gunicorn runs against the embedded PostgreSQL that `make run` set up.
serve: $(STAMP)
	$(PRODUCTION) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(PRODUCTION) WEB_CONCURRENCY=$(WEB_CONCURRENCY) GUNICORN_THREADS=$(GUNICORN_THREADS) \
		exec $(WITH_DATABASE) $(BIN)/gunicorn config.wsgi --config gunicorn.conf.py \
		--bind 127.0.0.1:$(PORT) --no-control-socket

## make bench: load 10k and 1M exhibitors into the PostgreSQL server on 127.0.0.1:5432 (not the
## embedded one), serve each with `make serve` and measure; writes bench/results.md. Not part of
## make test; see docs/benchmark.md for its variables and how long it takes.
bench: $(STAMP)
	$(BIN)/python -m bench.run

## make loadtest: a mixed read load on the server `make serve` runs (start it first; see the
## docs/benchmark.md, "Load test"): LOADTEST_CONNECTIONS connections for LOADTEST_SECONDS seconds against
## LOADTEST_URL, a loopback address only, with LOADTEST_MIX's requests (standard, or costly:
## the most expensive ones). Prints requests/s, the non-2xx answers, latencies and liveness.
LOADTEST_CONNECTIONS ?= 64
LOADTEST_SECONDS ?= 30
LOADTEST_URL ?= http://127.0.0.1:$(PORT)
LOADTEST_MIX ?= standard
loadtest: $(STAMP)
	$(BIN)/python -m bench.loadtest --url $(LOADTEST_URL) --mix $(LOADTEST_MIX) \
		--connections $(LOADTEST_CONNECTIONS) --seconds $(LOADTEST_SECONDS)

## make backup: the database (DATABASE_URL's, or else the embedded one, which manage.py starts)
## to backups/expo_directory-<UTC time>.dump, in pg_dump's custom format
backup: $(STAMP)
	$(BIN)/python manage.py backup

## make restore BACKUP=file: replace the database's records with a backup, in one transaction
## (asks first; stop `make serve` before)
restore: $(STAMP)
	@test -n "$(BACKUP)" || { echo "make restore: say which backup, e.g. make restore BACKUP=backups/expo_directory-20310506T070809Z.dump" >&2; exit 2; }
	$(BIN)/python manage.py restore "$(BACKUP)"

## make test: lint, then the whole test suite against PostgreSQL, with branch coverage
## (including the browser tests in tests/browser/, which need Chromium: see `make chromium`)
test: $(STAMP) chromium lint
	$(BIN)/python -m pytest $(PARALLEL) $(COVERAGE) $(PYTEST_ARGS)

## make test-quick: lint, then the suite without the tests marked slow (a cluster or server of
## their own, migrations, backups, the generated client, long fuzzing) and without coverage,
## whose floor may not be met without them: for between changes; `make test` before a commit
test-quick: $(STAMP) chromium lint
	$(BIN)/python -m pytest $(PARALLEL) -m "not slow" $(PYTEST_ARGS)

## make chromium: where Chromium is missing, install it (root on Debian or Ubuntu) or print the
## command that does, and stop (scripts/ensure-chromium)
chromium: $(STAMP)
	@scripts/ensure-chromium $(BIN)/python

## make lint: what .pre-commit-config.yaml runs before a commit: ruff, Django's system checks,
## the migration check, the layers contract (import-linter; its import graph takes a third of a
## second to build, so no cache folder) and djLint on templates/
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py check
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports --no-logo --no-cache
	$(BIN)/djlint templates --lint

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## make seed: reload the seed data (resets the seeded records to the source documents)
seed: $(STAMP)
	$(BIN)/python manage.py loaddata seed

## make clean-db: delete the local database under .data/
clean-db:
	rm -rf .data/postgres
