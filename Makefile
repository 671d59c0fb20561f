# Task runner: the README's two commands are `make run` and `make test`.
# uv is bootstrapped from PyPI into .tools/ when it is not on PATH.
SHELL := /bin/bash
.DEFAULT_GOAL := help
UV_VERSION := 0.13.9
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
SAMPLE := data/sample
MARTS := data/marts
RUN := $(UV) run --locked --no-sync
# pytest-xdist: one worker per core; whole test files stay on one worker so module fixtures
# (generated samples, renders) are built once.
PYTEST_PAR := -n $(or $(PYTEST_WORKERS),2) --dist loadfile
AIRFLOW_ENV := .airflow
DBT_ENV := .dbt
WAREHOUSE_DB := warehouse/target/insights.duckdb
MARTS_DBT := data/marts_dbt

.PHONY: help setup sample run check test lint typecheck pytest lab bench clean airflow-env dbt-env warehouse warehouse-schema

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet "uv==$(UV_VERSION)"

setup: $(if $(findstring .tools,$(UV)),.tools/bin/uv) ## create .venv from uv.lock (all extras) and register the project's Jupyter kernel
	$(UV) sync --locked --all-extras --compile-bytecode
	$(RUN) python -m insights.reports.kernel >/dev/null  # the "insights" kernel, started in this folder

sample: setup $(SAMPLE)/truth.json ## write the sample data set to data/sample (again when the generator changed)

# Rewritten when any generator module is newer than the sample (e.g. after a pull), so an old
# sample never meets new code; `insights reduce` then recomputes only the months that changed.
$(SAMPLE)/truth.json: $(wildcard insights/data/sample/*.py)
	$(RUN) insights sample --out $(SAMPLE)

# Customer growth is dated explicitly: the sample opens no account in its last 45 days (the
# generator draws sign-ups up to then), so its default as_of (the accounts' last whole week)
# would forecast from six weeks without a sign-up.
run: sample ## main job: sample data → validate → reduce to marts → render the three reports from the marts
	$(RUN) insights validate $(SAMPLE)/transactions --contract transactions
	$(RUN) insights validate $(SAMPLE)/customers.parquet --contract customers
	$(RUN) insights validate $(SAMPLE)/contacts.parquet --contract contacts
	$(RUN) insights reduce $(SAMPLE) --out $(MARTS)
	$(RUN) insights report run trending_spending --data $(MARTS)
	$(RUN) insights report run contact_rate_forecast --data $(MARTS)
	$(RUN) insights report run customer_growth --data $(MARTS) -p as_of=2025-07-31
	@echo "Reports: reports/index.html (each report: report.html, charts, tables, manifest.json)"

lint: setup ## ruff lint + format check
	$(RUN) ruff check .
	$(RUN) ruff format --check .

typecheck: setup ## mypy (strict) on insights/
	$(RUN) mypy

pytest: setup ## the test suite with doctests
	$(RUN) pytest $(PYTEST_PAR)

check: setup ## fast tier (~2 min): ruff, mypy and the tests that need no notebook render, Spark or browser
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy
	$(RUN) pytest $(PYTEST_PAR) -m "not slow and not spark and not browser"

test: setup airflow-env dbt-env ## set up and run every check: ruff, mypy, pytest (dbt and Airflow runs too)
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy
	$(RUN) pytest $(PYTEST_PAR)

airflow-env: $(AIRFLOW_ENV)/.installed ## the separate Airflow 3 environment in .airflow/ (dags/requirements-airflow.txt)

$(AIRFLOW_ENV)/.installed: dags/requirements-airflow.txt $(if $(findstring .tools,$(UV)),.tools/bin/uv)
	$(UV) venv --quiet --allow-existing --python ">=3.11,<3.14" $(AIRFLOW_ENV)
	VIRTUAL_ENV=$(AIRFLOW_ENV) $(UV) pip sync --quiet --compile-bytecode dags/requirements-airflow.txt
	touch $@

dbt-env: $(DBT_ENV)/.installed ## the separate dbt (dbt-duckdb) environment in .dbt/ (warehouse/requirements-dbt.txt)

$(DBT_ENV)/.installed: warehouse/requirements-dbt.txt $(if $(findstring .tools,$(UV)),.tools/bin/uv)
	$(UV) venv --quiet --allow-existing --python ">=3.11,<3.14" $(DBT_ENV)
	VIRTUAL_ENV=$(DBT_ENV) $(UV) pip sync --quiet --compile-bytecode warehouse/requirements-dbt.txt
	touch $@

warehouse: sample dbt-env ## build the marts with dbt-duckdb on the sample (warehouse/), export them to data/marts_dbt
	cd warehouse && INSIGHTS_WAREHOUSE_DB=$(CURDIR)/$(WAREHOUSE_DB) ../$(DBT_ENV)/bin/dbt build \
		--project-dir . --profiles-dir . --vars '{data_dir: "$(CURDIR)/$(SAMPLE)"}'
	$(RUN) insights export-marts $(WAREHOUSE_DB) --out $(MARTS_DBT)

warehouse-schema: setup ## regenerate warehouse/models/marts/_marts.yml from data_contracts/marts/
	$(RUN) python warehouse/generate_schema.py

lab: setup ## open JupyterLab with the project's kernel
	$(RUN) jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root)

clean: ## remove generated data and reports (keeps .venv)
	rm -rf data/sample data/marts reports/*/ reports.private quarantine
