# Branch Courier: the two commands are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed

.PHONY: run test lint format install migrate demo clean bench resilience

$(STAMP): requirements.txt requirements-ops.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

## make run: set up, migrate, load demo data, serve on http://127.0.0.1:8000 through gunicorn.
run: demo
	DEBUG=$${DEBUG:-true} $(PY) manage.py collectstatic --noinput --verbosity 0
	@echo ""
	@echo "Branch Courier on http://127.0.0.1:$${PORT:-8000}  (admin: http://127.0.0.1:$${PORT:-8000}/admin/)"
	@echo "Sign in as clerk.nyc01, supervisor.nyc01, auditor.nyc01 (or .bos01/.chi01) or admin,"
	@echo "password: courier-demo-2026.  Ctrl-C stops."
	@echo ""
	DEBUG=$${DEBUG:-true} DJANGO_SETTINGS_MODULE=branch_courier.settings.base \
	  GUNICORN_BIND=127.0.0.1:$${PORT:-8000} \
	  $(VENV)/bin/gunicorn -c deploy/gunicorn.conf.py branch_courier.wsgi:application

## make test: lint, then the whole suite (browser tests included) on the configured database.
test: install
	bash scripts/ensure-chromium.sh
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	bash scripts/run-tests.sh

## make bench: seed (or reuse) the bc_bench database with BENCH_PACKAGES (1,000,000) packages, start
## gunicorn with production settings on 127.0.0.1:$${BENCH_PORT:-8090} and measure each endpoint with wrk
## (BENCH_REPEATS runs of BENCH_DURATION s each, the median run reported). Needs PostgreSQL
## (DB_HOST, default 127.0.0.1) and Redis. See docs/performance.md.
bench: install
	bash scripts/ensure-bench-tools.sh
	DB_HOST=$${DB_HOST:-127.0.0.1} DB_USER=$${DB_USER:-postgres} $(PY) scripts/bench.py

## make resilience: private PostgreSQL + Redis + partner stub on loopback; sustained load, Redis and
## PostgreSQL restarts, partners down. RESIL_SUSTAINED (300 s) bounds the first phase.
resilience: install
	bash scripts/ensure-bench-tools.sh
	$(PY) scripts/resilience.py

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
