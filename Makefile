# GridGov: `make run` to try it, `make test` to test it, `make lint` to lint it.
SHELL := /bin/bash
PORT ?= 8000
PY := .venv/bin/python

.PHONY: setup setup-run run lint lock test bench proof

## setup: install everything (Debian packages, .venv, translations), tests included
setup:
	@bash scripts/setup.sh

setup-run:
	@bash scripts/setup.sh run

## run: migrate (which also makes the rate-limit cache table), load the demo district (once),
##      serve on http://127.0.0.1:$(PORT)/ as users see it: debug off (GRIDGOV_DEBUG=1 for
##      Django's debug pages), plain HTTP on loopback (GRIDGOV_HTTPS=0), static files served
##      by WhiteNoise, the secret key generated once into var/secret_key; the scheduler
##      (alarms, reminders, messages) runs beside the server, SMS are written to var/outbox/
run: setup-run
	@set -eo pipefail; \
	export GRIDGOV_DEBUG="$${GRIDGOV_DEBUG-0}" GRIDGOV_HTTPS="$${GRIDGOV_HTTPS-0}"; \
	export GRIDGOV_SMS_URL="$${GRIDGOV_SMS_URL-file://$(CURDIR)/var/outbox}"; \
	$(PY) manage.py migrate --noinput; \
	$(PY) manage.py load_demo; \
	echo; \
	echo "GridGov on http://127.0.0.1:$(PORT)/"; \
	echo "  street map  http://127.0.0.1:$(PORT)/map/"; \
	echo "  admin       http://127.0.0.1:$(PORT)/admin/"; \
	echo "  English     http://127.0.0.1:$(PORT)/en/"; \
	echo "  SMS outbox  $$GRIDGOV_SMS_URL"; \
	echo; \
	$(PY) manage.py scheduler & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null; wait $$scheduler' EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

## lint: ruff (pyproject.toml [tool.ruff]), the format check (`ruff format .` to fix), mypy
##       with django-stubs over geodata and the apps' services and selectors
##       ([tool.mypy]), the layering contracts (lint-imports, [tool.importlinter];
##       docs/ARCHITECTURE.md draws them) and requirements.lock against pyproject.toml
lint: setup
	@set -e; \
	.venv/bin/ruff check .; \
	.venv/bin/ruff format --check .; \
	GRIDGOV_SECRET_KEY="$${GRIDGOV_SECRET_KEY-mypy}" .venv/bin/mypy; \
	.venv/bin/lint-imports --no-cache; \
	.venv/bin/python scripts/check_lock.py

## lock: regenerate requirements.lock (every package, pinned) from pyproject.toml's
##       dependencies and its test, dev and bench extras, with uv; pins already in the lock
##       stay unless pyproject.toml asks otherwise (UPGRADE=1: the newest allowed)
lock:
	@set -e; \
	[[ -x $(PY) ]] || bash scripts/setup.sh run; \
	$(PY) -m pip install -q "$$(sed -n 's/^ *"\(uv==[^"]*\)".*/\1/p' pyproject.toml)"; \
	.venv/bin/uv pip compile pyproject.toml --extra test --extra dev --extra bench \
	    --universal --python-version 3.11 --custom-compile-command "make lock" \
	    --quiet $(if $(UPGRADE),--upgrade) -o requirements.lock; \
	echo "requirements.lock written; \`make setup\` installs it"

## test: the whole suite on SpatiaLite and on PostGIS (ARGS="..." passes options to pytest)
test: setup
	@bash scripts/test.sh $(ARGS)

## bench: district-scale benchmarks on SpatiaLite and PostGIS -> docs/PERFORMANCE.md
##        (SCALE=street for a quick run)
SCALE ?= district
bench: setup
	@bash bench/run.sh --scale $(SCALE)

## proof: the long proofs (schemathesis, locust, faults) on both backends -> docs/RELIABILITY.md
BACKEND ?= both
proof: setup
	@bash bench/proof/run.sh --backend $(BACKEND)
