# The two commands of the README: `make run` and `make test`. Everything else is a helper of theirs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# The address printed on venue posters' QR codes follows the one the site is served on, unless set.
SITE_URL ?= http://$(HOST):$(PORT)
export DJANGO_SETTINGS_MODULE := fangkong.settings

.PHONY: run test check pytest pytest-postgres browser-deps lock clean bench messages

$(STAMP): requirements.lock requirements-dev.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Fangkong needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

run: $(STAMP)
	mkdir -p var
	DEBUG=1 $(BIN)/fangkong migrate --no-input
	DEBUG=1 $(BIN)/fangkong load-demo
	@echo "Fangkong: http://$(HOST):$(PORT)/"
	DEBUG=1 SITE_URL=$(SITE_URL) $(BIN)/fangkong runserver $(HOST):$(PORT)

# The whole suite twice: on SQLite, then on PostgreSQL when a server answers. Browser tests included
# (Debian's Chromium from browser-deps; without it they skip, or fail when CI is set).
test: $(STAMP) check browser-deps pytest pytest-postgres

check: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	DEBUG=1 $(BIN)/fangkong makemigrations --check --dry-run
	DEBUG=1 $(BIN)/fangkong check

# Extra pytest arguments, e.g. make pytest PYTEST_ARGS="-m 'not browser'" or PYTEST_ARGS=fangkong/grid
PYTEST_ARGS ?=
pytest: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

# The same suite on PostgreSQL when a server answers (CI has one on 127.0.0.1:5432, trust auth).
PG_URL ?= postgres://postgres@127.0.0.1:5432/fangkong_ci
pytest-postgres: $(STAMP)
	@if $(BIN)/python scripts/pg_available.py "$(PG_URL)"; then \
		DATABASE_URL="$(PG_URL)" $(BIN)/pytest --create-db $(PYTEST_ARGS); \
	else echo "PostgreSQL not reachable at $(PG_URL): PostgreSQL run skipped"; fi

# Debian's Chromium and CJK fonts for the browser tests (never a browser download).
browser-deps:
	@bash scripts/browser-deps.sh

bench: $(STAMP)
	DEBUG=1 $(BIN)/fangkong bench registry

lock:
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --generate-hashes --strip-extras -o requirements.lock requirements.in
	$(BIN)/pip-compile --quiet --generate-hashes --strip-extras -o requirements-dev.lock requirements.in requirements-dev.in

clean:
	rm -rf $(VENV) var

# The English catalog: re-extract the Chinese msgids (tests excluded), then compile the .mo that is
# committed beside the .po. Needs GNU gettext (apt-get install gettext). Fill in new msgstr first.
messages: $(STAMP)
	cd fangkong && DEBUG=1 ../$(BIN)/fangkong makemessages -l en --ignore "tests*" --ignore "*/tests/*"
	cd fangkong && DEBUG=1 ../$(BIN)/fangkong compilemessages -l en
