# The two commands a newcomer needs: `make run` and `make test`. Everything else is for developers.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test lint format check seed install clean-db

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

## make test: lint, migration check, then the whole test suite against PostgreSQL
## (including the browser tests in tests/browser, which drive /usr/bin/chromium: apt-get install chromium)
test: $(STAMP) lint
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## make seed: reload the seed data (resets the seeded records to the source documents)
seed: $(STAMP)
	$(BIN)/python manage.py loaddata seed

## make clean-db: delete the local database under .data/
clean-db:
	rm -rf .data/postgres
