# Two commands for a fresh machine: `make run` and `make test` (see README).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app marketplace
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run serve test lint browser install install-test setup-data translations messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall whenever the declared dependencies change.
$(VENV)/.installed: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,postgres]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

# The interface's translations: compiled from marketplace/translations/*/LC_MESSAGES/messages.po
# (fuzzy messages are left out, so they show in English until a translator confirms them).
translations: install
	$(BIN)/pybabel -q compile -d marketplace/translations

# After changing the interface's strings: extract them and merge them into every language's
# catalogue, then translate what `make test` reports as untranslated or fuzzy. (--ignore-dirs: by
# default Babel skips folders starting with "_", such as templates/_macros.)
messages: install
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 \
	  --sort-by-file --omit-header -o marketplace/translations/messages.pot \
	  --ignore-dirs '.* __pycache__' .
	$(BIN)/pybabel -q update -i marketplace/translations/messages.pot -d marketplace/translations \
	  --no-wrap --ignore-obsolete --no-fuzzy-matching

# Migrate in place (never drops data), load the demo catalogue into an empty database, add the seed's
# taxonomy phrases an older database lacks, build the index.
setup-data: install translations
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	$(FLASK) taxonomy phrases
	$(FLASK) search rebuild
	$(FLASK) search embed

# Links in mail point at this server unless MARKETPLACE_BASE_URL says otherwise.
run: setup-data
	MARKETPLACE_BASE_URL="$${MARKETPLACE_BASE_URL:-http://$(HOST):$(PORT)}" $(FLASK) run --host $(HOST) --port $(PORT)

# The production server on this machine: gunicorn with gunicorn.conf.py (workers from the cores,
# access log without query strings) on the database and data dir of the environment; the index is
# built when there is none, else brought up to date.
serve: install translations
	$(FLASK) db upgrade
	$(FLASK) search stats >/dev/null 2>&1 || $(FLASK) search rebuild
	$(FLASK) search sync
	GUNICORN_BIND="$${GUNICORN_BIND:-$(HOST):$(PORT)}" $(BIN)/gunicorn -c gunicorn.conf.py 'marketplace:create_app()'

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Browser tests drive Debian's Chromium (Playwright downloads no browser here). Install it when it
# is missing and this is root; otherwise those tests skip and say why.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's chromium for the browser tests..."; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "Could not install chromium: browser tests will be skipped."; \
	  else \
	    echo "No /usr/bin/chromium and not root: browser tests will be skipped."; \
	  fi; \
	fi

# One test process per core (pytest-xdist); coverage is combined across them. The whole suite
# runs twice: on SQLite, then on the PostgreSQL server of tests/postgres.py (each test process
# makes its own databases there and drops them), or says in one line why it cannot.
test: lint browser translations
	$(BIN)/python -m pytest -n auto
	@if reason=$$($(BIN)/python tests/postgres.py unavailable); then \
	  echo "PostgreSQL suite skipped: $$reason"; \
	else \
	  echo "Running the suite again on PostgreSQL..."; \
	  $(BIN)/python -m pytest -n auto --database=postgresql --cov-append; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .coverage
