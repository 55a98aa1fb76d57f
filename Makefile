# Chengxin: `make run` to use it, `make test` to test it. `make help` lists the rest.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# The integration suite's services (override to point elsewhere).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
# The browser tests keep their Redis keys in a database number of their own.
TEST_E2E_REDIS_URL ?= redis://127.0.0.1:6379/14
PORT ?= 8000
# The unit suite runs in a random order (pytest-randomly), so a test that leans on what another left
# behind fails. The seed is printed; `make test-unit SEED=<seed>` repeats that order.
ifndef SEED
SEED := $(shell od -An -N3 -tu4 /dev/urandom | tr -d ' ')
endif
UNIT := -m "not integration and not e2e" -q

.PHONY: help run stack stack-bench balancer drill test test-unit test-orders test-integration test-stack test-e2e browser lint format messages bench bench-smoke coverage mutate mutate-services clean

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# PDF notices need Pango, HarfBuzz's subsetter and a CJK font: Debian packages, installed here
# when missing (as root), otherwise named for whoever runs this.
SYSTEM_PACKAGES := fonts-noto-cjk fontconfig libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
$(VENV)/.system: | $(BIN)/python
	@if fc-list :lang=zh 2>/dev/null | grep -q . && ldconfig -p | grep -q libharfbuzz-subset; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(SYSTEM_PACKAGES); \
	else echo "PDF notices need: $(SYSTEM_PACKAGES) (Debian package names)"; exit 1; fi
	touch $@

# The browser tests drive Debian's Chromium through its chromedriver: installed here when missing
# (as root), otherwise named for whoever runs this. Checked on every run: it costs nothing.
BROWSER_PACKAGES := chromium chromium-driver
browser:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(BROWSER_PACKAGES); \
	else echo "The browser tests need: $(BROWSER_PACKAGES) (Debian package names)"; exit 1; fi

# The multi-node stack's balancer is Debian's HAProxy: installed here when missing (as root),
# otherwise named for whoever runs this.
balancer:
	@if command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends haproxy; \
	else echo "make stack needs: haproxy (Debian package name)"; exit 1; fi

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

run: $(VENV)/.runtime $(VENV)/.system ## install, migrate, load demo data and serve http://127.0.0.1:8000 with worker and scheduler
	mkdir -p var/broker var/broker-control
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@echo ""
	@echo "  Chengxin is starting at http://127.0.0.1:$(PORT)/  (ctrl-C stops everything)"
	@echo ""
	$(BIN)/honcho -f Procfile start --port $(PORT)

# The production topology on loopback (deploy/stack/stack.py): ctrl-C stops it and removes its
# PostgreSQL clusters and Redis. STACK_PORT moves it (the balancer; the parts take the next nine).
STACK_PORT ?= 8200
stack: $(VENV)/.runtime $(VENV)/.system balancer ## HAProxy, two web nodes, two workers on named queues, two beats, PostgreSQL primary + replica, Redis
	$(BIN)/python deploy/stack/stack.py --port $(STACK_PORT)

stack-bench: $(VENV)/.dev $(VENV)/.system balancer ## work orders/s through the balancer: two web nodes vs one
	$(BIN)/python deploy/stack/bench.py

test: test-unit test-integration test-stack test-e2e bench-smoke ## the whole suite: embedded stack, then PostgreSQL + Redis + Celery, then the production drills, then the browser tests, then the benches at smoke size

test-unit: $(VENV)/.dev $(VENV)/.system ## lint, import contracts, migration check and the suite on SQLite + in-memory layer
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	@echo "unit suite in random order, seed $(SEED): make test-unit SEED=$(SEED) repeats it"
	$(BIN)/pytest -p randomly --randomly-seed=$(SEED) $(UNIT)

# Run by .ci/run after make test (about three unit-suite runs' time): reversed, and two fixed
# random orders, the second on two workers (pytest-xdist, each its own SQLite database).
test-orders: $(VENV)/.dev $(VENV)/.system ## the unit suite reversed and in two more fixed random orders
	$(BIN)/pytest -p no:randomly --reverse $(UNIT)
	$(BIN)/pytest -p randomly --randomly-seed=1 $(UNIT)
	$(BIN)/pytest -p randomly --randomly-seed=2 -n 2 $(UNIT)

# The integration and browser suites keep the collected order (-p no:randomly): their tests start
# workers and servers against shared PostgreSQL and Redis, and are not shuffled.
test-integration: $(VENV)/.dev $(VENV)/.system ## the integration suite on real PostgreSQL, Redis and Celery workers
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(BIN)/pytest -p no:randomly -m "integration and not stack" -q tests/integration

# The production drills, minutes each (part of make test): the multi-node topology through HAProxy
# (tests/integration/test_stack.py), the restore to the minute (test_restore_drill.py) and the install
# from docs/operations.md (test_operations_drill.py, as root).
test-stack: $(VENV)/.dev $(VENV)/.system balancer ## the production drills: several nodes, restore to the minute, install from the docs
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(BIN)/pytest -p no:randomly -m stack -q tests/integration

test-e2e: $(VENV)/.dev $(VENV)/.system browser ## the browser tests: headless Chromium on the real pages (daphne, PostgreSQL, Redis, a worker)
	DJANGO_SETTINGS_MODULE=tests.e2e.settings DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_E2E_REDIS_URL) \
	  $(BIN)/pytest -p no:randomly -m e2e -q tests/e2e

# docs/operations.md's `sh install` blocks run as written on this machine (as root: apt-get, adduser,
# runuser), under a temporary folder with free ports, then production checked through nginx and TLS
# (deploy/drill/from_docs.py). make test-stack runs it too (tests/integration/test_operations_drill.py).
drill: $(VENV)/.dev ## install from docs/operations.md on this machine, then check it through nginx (as root, ~4 min)
	mkdir -p var && $(BIN)/python deploy/drill/from_docs.py --report var/drill-report.json

# lint-imports holds the layers of docs/architecture.md ([tool.importlinter] in pyproject.toml).
lint: $(VENV)/.dev ## ruff lint and format check, import-linter's layer contracts
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(VENV)/.dev ## apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: $(VENV)/.dev ## refresh and compile the zh-hans catalog (needs GNU gettext)
	$(BIN)/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=staticfiles --no-location
	$(BIN)/python manage.py compilemessages -l zh_Hans

bench: $(VENV)/.dev ## benchmarks that print figures (see bench/)
	@for script in bench/[!_]*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

# The same code paths as `make bench` (COPY, the workers, daphne) at a small size, on databases of
# their own (chengxin_*_smoke): a bench that no longer runs fails the build instead of rotting.
bench-smoke: $(VENV)/.dev ## every bench at its smoke size, as make test runs them
	@for script in bench/[!_]*.py; do echo "== $$script --smoke"; $(BIN)/python $$script --smoke || exit 1; done

# The three suites under coverage.py ([tool.coverage.*] in pyproject.toml): branch coverage, every
# Python subprocess measured too (daphne, the Celery workers, manage.py), one combined report. Not
# part of `make test`. A failing suite still gets its report, and the target then fails.
coverage: $(VENV)/.dev $(VENV)/.system browser ## the three suites with coverage: report printed, HTML in var/coverage/html/
	rm -rf var/coverage && mkdir -p var/coverage
	@status=0; \
	$(BIN)/coverage run -m pytest -m "not integration and not e2e" -q || status=1; \
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
	  $(BIN)/coverage run -m pytest -m integration -q tests/integration || status=1; \
	DJANGO_SETTINGS_MODULE=tests.e2e.settings DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_E2E_REDIS_URL) \
	  $(BIN)/coverage run -m pytest -m e2e -q tests/e2e || status=1; \
	$(BIN)/coverage combine -q && $(BIN)/coverage report && $(BIN)/coverage html -q || status=1; \
	echo "HTML report: var/coverage/html/index.html"; \
	exit $$status

# Mutation testing ([tool.mutmut] in pyproject.toml: which modules, which unit tests): `mutate` the
# rule modules, `mutate-services` the services modules, each run trying all the mutants of its
# modules again. mutmut works in mutants/ and keeps its results there; the report reads them all.
# MUTANTS narrows the run, e.g. MUTANTS='cases.core.workdays*'.
MUTANTS ?=
MUTATE_RULES = 'cases.core.states.*' 'cases.core.permissions.*' 'cases.core.workdays.*' 'cases.core.identifiers.*' \
	'cases.core.deadlines.*' 'cases.records.windows.*'
MUTATE_SERVICES = 'cases.repair.services.*' 'cases.complaints.services.*' 'cases.core.services.*'

mutate: $(VENV)/.dev ## mutation testing of the rule modules (mutmut): score per module and surviving mutants
	mkdir -p mutants/var && rm -f mutants/var/mutation-tests.sqlite3*
	$(BIN)/mutmut run --max-children 1 $(if $(MUTANTS),"$(MUTANTS)",$(MUTATE_RULES))
	$(BIN)/python scripts/mutation_report.py --diffs

mutate-services: $(VENV)/.dev ## mutation testing of the three services modules (slow: well over an hour)
	mkdir -p mutants/var && rm -f mutants/var/mutation-tests.sqlite3*
	$(BIN)/mutmut run --max-children 1 $(MUTATE_SERVICES)
	$(BIN)/python scripts/mutation_report.py --diffs

clean: ## remove the virtualenv, local database and collected static files
	rm -rf $(VENV) var staticfiles mutants
