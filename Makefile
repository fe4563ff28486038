# The two commands a newcomer needs: `make run` and `make test`. Everything else is a helper they call.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app portal
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres
STAMP := $(VENV)/.installed

.PHONY: run test lint format install system-packages catalogs extract-messages update-messages compile-messages demo \
        test-sqlite test-postgres bench bench-packages clean html-checker

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) compile-messages

## Translations: extract marked strings, merge them into the catalogs, compile .mo files (not committed).
extract-messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_pgettext:1c,2 -o portal/translations/messages.pot --no-location --sort-output .

update-messages: extract-messages
	$(BIN)/pybabel update -i portal/translations/messages.pot -d portal/translations --no-fuzzy-matching --ignore-obsolete

compile-messages: $(STAMP)
	@$(BIN)/pybabel compile -d portal/translations --statistics 2>&1 | grep -v '^$$' || true

## make run: install, migrate, load content, build the search index, create demo accounts, sample visits, events,
## projects and stories, serve.
run: install
	$(FLASK) db upgrade
	$(FLASK) content load
	$(FLASK) search reindex --quiet
	$(FLASK) users demo
	$(FLASK) visits demo
	$(FLASK) ventures demo
	$(FLASK) stories demo
	$(FLASK) events demo
	$(FLASK) dashboard demo
	$(FLASK) surveys demo
	@echo "SMS codes are not really sent here: they appear at http://127.0.0.1:$(PORT)/account/dev/outbox (never in the log)"
	@echo "南阳市返乡创业服务平台 serving on http://127.0.0.1:$(PORT)/  (Ctrl-C to stop)"
	PORTAL_COOKIE_SECURE=0 PORTAL_DEV_OUTBOX=1 PORTAL_NOTIFY_INLINE=1 $(FLASK) run --host 127.0.0.1 --port $(PORT) --no-reload --with-threads

lint: $(STAMP)
	$(BIN)/ruff check .

format: $(STAMP)
	$(BIN)/ruff format portal tests bench

## make test: lint, then the suite on SQLite, then again on PostgreSQL when it answers on 127.0.0.1:5432.
## The slow property-based and browser suites run once: on PostgreSQL when it answers, else on SQLite.
PG_UP = $(BIN)/python -c 'import socket; socket.create_connection(("127.0.0.1", 5432), 2)' 2>/dev/null
FAST := -m "not slow and not browser"

## Debian packages the browser tests need: Chromium and a Chinese font, and Java for the Nu Html Checker
## (installed when root and missing).
system-packages:
	@if [ -x /usr/bin/chromium ] && dpkg -s fonts-wqy-zenhei >/dev/null 2>&1 && command -v java >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing chromium, fonts-wqy-zenhei and default-jre-headless with apt-get (browser and HTML tests)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei \
			$$(command -v java >/dev/null || echo default-jre-headless) >/dev/null; \
	else echo "chromium or java is not installed and apt-get cannot run here: those tests will be skipped"; fi

## The Nu Html Checker (tests/test_html_validity.py): vnu-jar from the npm registry, kept in .cache/vnu (ignored by git).
VNU_PACKAGE := vnu-jar@26.9.27
VNU_JAR := .cache/vnu/node_modules/vnu-jar/build/dist/vnu.jar
html-checker:
	@if [ -f $(VNU_JAR) ]; then :; \
	elif command -v npm >/dev/null; then echo "fetching $(VNU_PACKAGE) with npm into .cache/vnu"; \
		mkdir -p .cache/vnu && npm install --prefix .cache/vnu --no-audit --no-fund --ignore-scripts --silent $(VNU_PACKAGE); \
	else echo "npm is not installed: the HTML check (vnu) will be skipped"; fi

test: install system-packages html-checker lint
	@if $(PG_UP); then \
		$(MAKE) --no-print-directory test-sqlite PYTEST_ARGS='$(FAST) $(PYTEST_ARGS)' && \
		$(MAKE) --no-print-directory test-postgres; \
	else echo "PostgreSQL is not answering on 127.0.0.1:5432: skipped the PostgreSQL run (slow suites run on SQLite)"; \
		$(MAKE) --no-print-directory test-sqlite; fi

test-sqlite: install
	@echo '== test suite on SQLite $(PYTEST_ARGS)'
	env -u DATABASE_URL $(BIN)/pytest $(PYTEST_ARGS)

test-postgres: install
	@echo '== test suite on PostgreSQL $(PYTEST_ARGS)'
	DATABASE_URL=$(PG_URL) $(BIN)/pytest $(PYTEST_ARGS)

## Debian packages the benchmarks need: wrk (load generator) and nginx (bench/scaleout.py's proxy), installed when
## root and missing. nginx is only run by the benchmark itself, with its own configuration (no system service).
bench-packages:
	@if command -v wrk >/dev/null && [ -x /usr/sbin/nginx ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing wrk and nginx with apt-get (benchmarks)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx >/dev/null; \
	else echo "wrk or nginx is missing and apt-get cannot run here: bench/load.py or bench/scaleout.py will say so"; fi

bench: install bench-packages
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/search.py
	$(BIN)/python bench/search_relevance.py
	$(BIN)/python bench/queues.py
	$(BIN)/python bench/load.py
	$(BIN)/python bench/load.py --faults
	$(BIN)/python bench/scaleout.py

clean:
	rm -rf $(VENV) instance/portal.sqlite3 instance/search .pytest_cache .ruff_cache
