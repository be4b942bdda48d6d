# JPS Portal — developer commands. `make help` lists them.
#
# Everything sets itself up: the first target you run creates .venv (Python 3.11) and installs the
# pinned requirements; later runs reinstall only when a requirements file changed.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
PIP_INSTALL := $(PY) -m pip install --disable-pip-version-check --no-input
# Stamp files inside .venv: they vanish with the venv, and are older than a requirements file that changed.
REQ_STAMP := $(VENV)/.installed-requirements
DEV_STAMP := $(VENV)/.installed-requirements-dev

# Extra pytest arguments: make test ARGS="-k nik"
ARGS ?=
# The port `make run` serves on: PORT=8100 make run
PORT ?= 8000

# settings.py reads .env only with DJANGO_READ_DOT_ENV_FILE=true (honcho loads it for `make prod`);
# the development targets still spell out their profile, so a stray environment cannot leak into them.
DEV_ENV := DJANGO_ENV=development DJANGO_DEBUG=true ALLOWED_HOSTS='localhost,127.0.0.1,[::1]' \
	EMAIL_URL=consolemail:// MEDIA_ROOT='$(CURDIR)/media'
# The embedded default: SQLite file, Celery tasks run eagerly in-process, no services needed.
SQLITE_ENV := $(DEV_ENV) DATABASE_URL='sqlite:///$(CURDIR)/db.sqlite3' REDIS_URL= CELERY_BROKER_URL=
# The same code against the real services. pytest-django creates and uses test_<name> itself. Every
# name comes from the environment or the command line, so two runs can share one PostgreSQL and one
# Redis without touching each other: make test-services SERVICES_DB_NAME=jps_mine SERVICES_REDIS_DB=6
# (or whole URLs: SERVICES_DATABASE_URL=postgres://user:pw@host/db SERVICES_REDIS_URL=redis://host/6).
SERVICES_PG_URL ?= postgres://postgres@127.0.0.1:5432
SERVICES_DB_NAME ?= jps_portal
SERVICES_REDIS_HOST ?= 127.0.0.1:6379
SERVICES_REDIS_DB ?= 15
SERVICES_DATABASE_URL ?= $(SERVICES_PG_URL)/$(SERVICES_DB_NAME)
SERVICES_REDIS_URL ?= redis://$(SERVICES_REDIS_HOST)/$(SERVICES_REDIS_DB)
SERVICES_ENV := $(DEV_ENV) DATABASE_URL='$(SERVICES_DATABASE_URL)' REDIS_URL='$(SERVICES_REDIS_URL)' \
	CELERY_BROKER_URL='$(SERVICES_REDIS_URL)'
# Production profile for `check --deploy`, with a throwaway secret made up on each run. Other values in
# the environment still apply (SECURE_SSL_REDIRECT=false for a local HTTP try makes the check fail, rightly).
DEPLOY_CHECK_ENV := DJANGO_ENV=production DJANGO_DEBUG=false ALLOWED_HOSTS=jps.example.go.id \
	PORTAL_BASE_URL=https://jps.example.go.id \
	DJANGO_SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))')"

.PHONY: help install install-dev run test test-services lint check check-migrations check-deploy prod messages openapi

help: ## List the targets
	@echo "Usage: make <target>   (the first run creates .venv and installs requirements)"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

# --- Set-up ---------------------------------------------------------------------------------

# Python 3.11 is required: python3.11, or python3 if that is 3.11. A half-made venv is removed.
$(PY):
	@for candidate in python3.11 python3; do \
		if "$$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then \
			echo "Creating $(VENV) with $$candidate"; \
			"$$candidate" -m venv $(VENV) || { rm -rf $(VENV); exit 1; }; \
			exit 0; \
		fi; \
	done; \
	echo "Python 3.11 is required: install python3.11 (or make python3 be 3.11)." >&2; exit 1

$(REQ_STAMP): requirements.txt | $(PY)
	$(PIP_INSTALL) -r requirements.txt
	@touch $@

# requirements-dev.txt includes requirements.txt, so this install satisfies both stamps.
$(DEV_STAMP): requirements-dev.txt requirements.txt | $(PY)
	$(PIP_INSTALL) -r requirements-dev.txt
	@touch $@ $(REQ_STAMP)

install: $(REQ_STAMP) ## Create .venv and install requirements.txt (only when it changed)

install-dev: $(DEV_STAMP) ## Create .venv and install requirements-dev.txt (tests, ruff)

# --- Everyday targets -----------------------------------------------------------------------

run: $(REQ_STAMP) ## Migrate, seed the launch demo, serve on http://127.0.0.1:$PORT/ (8000; SQLite, eager tasks)
	$(SQLITE_ENV) $(PY) manage.py migrate --noinput
	$(SQLITE_ENV) $(PY) manage.py seed_demo
	@echo
	@echo "  JPS Portal:  http://127.0.0.1:$(PORT)/"
	@echo "  Admin:       http://127.0.0.1:$(PORT)/admin/"
	@echo "  (logins printed above by seed_demo; stop with Ctrl-C)"
	@echo
	$(SQLITE_ENV) PORTAL_BASE_URL=http://127.0.0.1:$(PORT) $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: $(DEV_STAMP) ## Run the test suite on SQLite with eager tasks, no services (ARGS="-k nik")
	$(SQLITE_ENV) $(VENV)/bin/pytest $(ARGS)

test-services: $(DEV_STAMP) ## Run the test suite against PostgreSQL and Redis on 127.0.0.1 (ARGS=...)
	$(SERVICES_ENV) $(VENV)/bin/pytest $(ARGS)

lint: $(DEV_STAMP) ## ruff check and ruff format --check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: check-migrations check-deploy ## Both checks below

check-migrations: $(REQ_STAMP) ## Fail if a model change has no migration
	$(SQLITE_ENV) $(PY) manage.py makemigrations --check --dry-run

# tests/partners/test_openapi.py fails when the committed schema differs from what the code generates.
openapi: $(REQ_STAMP) ## Write the partner API's OpenAPI 3 schema to docs/openapi.yaml (validated)
	$(SQLITE_ENV) $(PY) manage.py spectacular --file docs/openapi.yaml --validate --fail-on-warn

check-deploy: $(REQ_STAMP) ## manage.py check --deploy under production settings, warnings fail
	$(DEPLOY_CHECK_ENV) $(PY) manage.py check --deploy --fail-level WARNING

# --- Production -----------------------------------------------------------------------------

# The production environment comes from .env (copy .env.example and fill it in). honcho loads it for
# every command below; the processes are in Procfile. PORT defaults to 8000 (honcho's own is 5000).
# Procfile names bare commands (gunicorn, celery), hence .venv/bin first on PATH.
PROD_ENV := PATH="$(CURDIR)/$(VENV)/bin:$$PATH" PYTHONUNBUFFERED=1
prod: $(REQ_STAMP) ## Production: collectstatic, migrate, then web + worker + beat with honcho (.env)
	@test -f .env || { echo "No .env: cp .env.example .env and fill it in (DJANGO_ENV=production, ...)." >&2; exit 1; }
	$(PROD_ENV) honcho run python manage.py collectstatic --noinput
	$(PROD_ENV) honcho run python manage.py migrate --noinput
	$(PROD_ENV) PORT="$${PORT:-8000}" honcho start

# --- Translations ---------------------------------------------------------------------------

# Dev convenience; needs GNU gettext (apt-get install gettext). Catalogues go to locale/.
# Indonesian is the source language, so only the English catalogue is made; translate new msgids
# in locale/en/LC_MESSAGES/django.po before compiling (tests/test_i18n.py refuses empty ones).
# locale/id holds, by hand, Indonesian for third-party apps without their own (django-import-export);
# it is compiled here too.
messages: $(REQ_STAMP) ## makemessages for en, compilemessages for en and id (needs gettext)
	@command -v msgfmt >/dev/null || { echo "gettext is missing: apt-get install gettext" >&2; exit 1; }
	$(SQLITE_ENV) $(PY) manage.py makemessages -l en --no-location --no-obsolete -i $(VENV) -i tests -i bench \
		-i .ci -i staticfiles -i media -i test-artifacts -i .test-media
	$(SQLITE_ENV) $(PY) manage.py compilemessages -l en -l id -i $(VENV)
