# Two commands on a fresh machine with Python 3.12:
#   make run   — the app with demo data on the embedded default (SQLite, file-system broker),
#                without DEBUG (DEBUG=1 make run for Django's error pages): the pages name the
#                collected, hashed static files, cached for good, as in production
#   make test  — the checks (make lint), then the whole suite against PostgreSQL and Redis,
#                the browser tests in Chromium included; a skipped test fails it
# For local iteration: make test-fast (no browser tests, no tests that start processes).
PYTHON ?= python3.12
VENV ?= .venv
BIN := $(VENV)/bin
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/aspirasi
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
PG_HOST ?= 127.0.0.1
REDIS_HOST ?= 127.0.0.1

.PHONY: install run test test-fast services browser lint lock docs clean screenshots

$(BIN)/.installed: requirements/dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { \
	  echo "Python 3.12 is needed: install it, or run make PYTHON=/path/to/python3.12"; exit 1; }
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/dev.txt
	@touch $@

install: $(BIN)/.installed

run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo --if-empty
	$(BIN)/python manage.py collectstatic --no-input --verbosity 0
	@$(BIN)/honcho run $(BIN)/python -m config.address
	DEBUG="$${DEBUG:-0}" PATH="$(abspath $(BIN)):$$PATH" $(BIN)/honcho start

services:
	@pg_isready -q -h $(PG_HOST) -p 5432 2>/dev/null || { \
	  echo "PostgreSQL does not answer on $(PG_HOST):5432."; \
	  echo "  Debian/Ubuntu: sudo apt-get install postgresql && sudo pg_ctlcluster 15 main start"; exit 1; }
	@$(BIN)/python -c "import redis,sys; redis.Redis.from_url('$(TEST_REDIS_URL)').ping()" 2>/dev/null || { \
	  echo "Redis does not answer at $(TEST_REDIS_URL)."; \
	  echo "  Debian/Ubuntu: sudo apt-get install redis-server"; exit 1; }

# Chromium for the browser tests: Debian's package, installed when missing where that is
# possible (root with apt), otherwise the command to run
CHROMIUM ?= /usr/bin/chromium
browser:
	@test -x "$(CHROMIUM)" || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Chromium (Debian's package) for the browser tests"; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	  else \
	    echo "Chromium is needed for the browser tests: sudo apt-get install chromium"; exit 1; \
	  fi; }
	@test -x "$(CHROMIUM)" || { echo "no Chromium at $(CHROMIUM)"; exit 1; }

test: install services browser lint
	ASPIRASI_FORBID_SKIPS=1 ASPIRASI_CHROMIUM=$(CHROMIUM) DATABASE_URL=$(TEST_DATABASE_URL) \
	  REDIS_URL=$(TEST_REDIS_URL) $(BIN)/pytest $(PYTEST_ARGS)

test-fast: install services
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
	  $(BIN)/pytest -m "not browser and not celery" $(PYTEST_ARGS)

screenshots: install
	ASPIRASI_SCREENSHOTS=docs/screenshots DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(BIN)/pytest tests/e2e -m browser -p no:cacheprovider

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py makemigrations --check --dry-run

lock: install
	$(BIN)/pip-compile --quiet --generate-hashes --no-emit-index-url --no-emit-find-links \
	  --no-emit-trusted-host --allow-unsafe --strip-extras -o requirements/base.txt requirements/base.in
	$(BIN)/pip-compile --quiet --generate-hashes --no-emit-index-url --no-emit-find-links \
	  --no-emit-trusted-host --allow-unsafe --strip-extras -o requirements/dev.txt requirements/dev.in

docs: install
	$(BIN)/python manage.py lifecycle_docs

clean:
	rm -rf var/ .pytest_cache
