# Thin wrappers. `make run` for the demo, `make test` for the whole suite (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# The address in emails and iCalendar links follows HOST and PORT, unless CONCERTO_SITE_URL is set already.
CONCERTO_SITE_URL ?= http://$(HOST):$(PORT)
export CONCERTO_SITE_URL

.PHONY: run test bench lint install demo messages clean

# setup.py builds the counting engine's compiled run (counting/_mes.c) when a C compiler is there.
$(VENV)/.installed: pyproject.toml setup.py concerto/components/budgets/counting/_mes.c
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

# A virtual environment, dependencies, migrations, demo data on SQLite, a task worker, the clock and the server.
run: install
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@echo "Concerto: http://$(HOST):$(PORT)/  (demo accounts: see README.md)"
	@# Ctrl+C reaches the server; the worker and the clock, started in the background, ignore it: the trap
	@# stops them, once (it clears itself first, and signals only them, not the whole process group).
	@trap 'trap - INT TERM EXIT; kill $$worker $$clock 2>/dev/null; wait' INT TERM EXIT; \
	  $(PY) manage.py db_worker --interval 1 & worker=$$!; \
	  $(PY) manage.py run_periodic & clock=$$!; \
	  $(PY) manage.py runserver $(HOST):$(PORT)

# The whole suite: unit, integration and browser tests (browser tests need /usr/bin/chromium).
test: install
	$(VENV)/bin/pytest -q -p no:cacheprovider $(PYTEST_ARGS)

bench: install
	$(PY) -m bench.point_lookup
	$(PY) -m bench.proposals_list
	$(PY) -m bench.consultation_results
	$(PY) -m bench.pb_count --skip-reference-completion
	$(PY) -m bench.reports_map --reports 100000
	@echo "Ballot intake needs PostgreSQL, gunicorn and Debian's wrk; it drops and recreates its database:"
	@echo "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/concerto_bench $(PY) -m bench.ballot_intake --own-cluster"
	@echo "  (--own-cluster: a PostgreSQL cluster of its own in a temporary folder; --commit-delay N tries group commit)"
	@echo "The cluster burst with kills needs PostgreSQL 15's binaries, HAProxy and Redis (see docs/operations.md):"
	@echo "  $(PY) -m bench.cluster_burst"

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

# Refresh the French catalogues after changing texts (needs GNU gettext: apt-get install gettext).
messages: install
	bash tools/messages.sh

clean:
	rm -rf var $(VENV)
