"""Airflow 3 DAG: validate the new raw data, reduce it to marts, render the due reports, index.

::

    settings ─► validate ─► reduce ─┐
        └─────► due_reports ────────┴─► render (one mapped task per report due) ─► publish_index
                                                        (any task failed) ─► fail_if_any_failed

* **settings** resolves every location once: a DAG param given for the run wins, then the
  Airflow Variable ``insights_<name>``, then a default inside the checkout that holds this
  file (so a fresh clone runs on its own sample). Nothing else reads a path.
* **validate** checks the raw data that arrived since the previous run against the data
  contracts: the UTC month partitions of ``transactions/`` covering the day before the logical
  date and the logical date, plus ``customers`` and ``contacts`` (param ``validate``: ``new``,
  ``all`` or ``none``).
* **reduce** writes the marts with the engine the Variable / param ``reduce_engine`` names:
  ``polars`` or ``duckdb`` (``insights reduce``), ``spark`` (``spark-submit
  jobs/spark_reduce.py``, which writes the mart folder too) or ``dbt`` (``dbt build`` of
  ``warehouse/``, then its export).
* **due_reports** asks ``insights report schedule --list`` what ``reports/schedule.toml`` has
  due as of the logical date; **render** runs each as its own task, so one failed report does
  not stop the others. A parameter error (exit 2) fails at once; anything else is retried.
* **publish_index** rewrites ``reports/index.html`` whatever happened upstream, so failures
  are listed next to what was published; **fail_if_any_failed** then marks the run failed if
  any task failed (it is skipped otherwise).

The tasks run the project's own command line (``<project_dir>/.venv/bin/insights``): Airflow
lives in its own environment (``make airflow-env``, pinned in ``dags/requirements-airflow.txt``)
and never imports ``insights``. See README, section "Airflow".
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from airflow.sdk import Param, TriggerRule, Variable, dag, get_current_context, task
from airflow.sdk.exceptions import AirflowException, AirflowFailException

ENGINES = ("polars", "duckdb", "spark", "dbt")
# Each setting: the param / Variable suffix and its default relative to the checkout. A
# relative value (from a param or a Variable too) is taken relative to the project directory.
DEFAULTS = {
    "data_dir": "data/sample",
    "mart_dir": "data/marts",
    "warehouse_db": "warehouse/target/insights.duckdb",
    "reports_dir": "reports",
    "schedule": "reports/schedule.toml",
    "reduce_engine": "polars",
    "tz": "Europe/London",
    "dbt_target": "duckdb",
    "spark_submit": "spark-submit",
}
EXIT_USAGE = 2  # the insights CLI's exit code for a usage or parameter error: retrying cannot help


def _delay(minutes: int) -> timedelta:
    """Return a retry delay; ``INSIGHTS_DAG_RETRY_DELAY_SECONDS`` overrides it (tests use 1)."""
    override = os.environ.get("INSIGHTS_DAG_RETRY_DELAY_SECONDS")
    return timedelta(seconds=int(override)) if override else timedelta(minutes=minutes)


def _checkout() -> Path:
    """Return the repository this DAG file was deployed from (``dags/`` sits at its top)."""
    return Path(__file__).resolve().parents[1]


def _run(command: list[str], *, cwd: str, env: dict[str, str] | None = None) -> str:
    """Run one command, log it and its output, and fail the task the right way."""
    print("$ " + shlex.join(command), flush=True)
    done = subprocess.run(
        command,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    print(done.stdout, flush=True)
    if done.returncode == EXIT_USAGE:
        raise AirflowFailException(
            f"{command[0]} exited {EXIT_USAGE} (usage or parameter error, not retried): "
            + done.stdout.strip()[-2000:]
        )
    if done.returncode != 0:
        raise AirflowException(f"{shlex.join(command)} exited {done.returncode}")
    return done.stdout


@task(execution_timeout=timedelta(minutes=5), retries=0)
def settings() -> dict[str, str]:
    """Resolve every location and option once: param, then Variable, then the default."""
    params = get_current_context()["params"]
    project = Path(
        params.get("project_dir") or Variable.get("insights_project_dir", default="") or _checkout()
    )
    resolved: dict[str, str] = {"project_dir": str(project)}
    for name, default in DEFAULTS.items():
        value = params.get(name) or Variable.get(f"insights_{name}", default="") or default
        if name.endswith(("_dir", "_db", "schedule")):
            value = str(project / value)  # an absolute value stays as it is
        resolved[name] = str(value)
    resolved["insights"] = str(project / ".venv" / "bin" / "insights")
    resolved["dbt"] = str(project / ".dbt" / "bin" / "dbt")
    resolved["validate"] = params.get("validate") or "new"
    problems = []
    if not Path(resolved["insights"]).is_file():
        problems.append(
            f"no {resolved['insights']}: run `make setup` in {project}, or set the Variable "
            "insights_project_dir to a checkout where it was run"
        )
    if not Path(resolved["data_dir"]).is_dir():
        problems.append(
            f"no data folder {resolved['data_dir']}: set the Variable insights_data_dir "
            "(or the data_dir param) to the folder holding transactions/, customers and contacts"
        )
    if resolved["reduce_engine"] not in ENGINES:
        problems.append(f"reduce_engine={resolved['reduce_engine']!r}: use one of {ENGINES}")
    if problems:
        raise AirflowFailException("; ".join(problems))
    print(json.dumps(resolved, indent=2))
    return resolved


def _new_months(logical: date) -> list[str]:
    """UTC month partitions that the day before ``logical`` and ``logical`` itself fall in."""
    days = (logical - timedelta(days=1), logical)
    return sorted({f"{d.year:04d}-{d.month:02d}" for d in days})


@task(execution_timeout=timedelta(hours=1), retries=0)  # bad data does not fix itself
def validate(cfg: dict[str, str]) -> list[str]:
    """Check the new raw data against the contracts; return what was checked."""
    if cfg["validate"] == "none":
        print("validate=none: nothing checked")
        return []
    data = Path(cfg["data_dir"])
    transactions = [data / "transactions"]
    if cfg["validate"] == "new":
        logical = get_current_context()["logical_date"].date()
        months = _new_months(logical)
        transactions = [
            data / "transactions" / f"year_month={m}"
            for m in months
            if (data / "transactions" / f"year_month={m}").is_dir()
        ]
        if not transactions:
            print(f"no transactions partition for {months} yet under {data / 'transactions'}")
    checked = []
    for path, contract in [
        *((p, "transactions") for p in transactions),
        (data / "customers.parquet", "customers"),
        (data / "contacts.parquet", "contacts"),
    ]:
        command = [cfg["insights"], "validate", str(path), "--contract", contract]
        _run(command, cwd=cfg["project_dir"])
        checked.append(str(path))
    return checked


def _reduce_commands(cfg: dict[str, str]) -> list[list[str]]:
    """Return the commands of the reduce step for the configured engine."""
    data, marts, engine, tz = cfg["data_dir"], cfg["mart_dir"], cfg["reduce_engine"], cfg["tz"]
    project = Path(cfg["project_dir"])
    if engine in {"polars", "duckdb"}:
        return [[cfg["insights"], "reduce", data, "--out", marts, "--engine", engine, "--tz", tz]]
    if engine == "spark":
        job = str(project / "jobs" / "spark_reduce.py")
        transactions = f"{data}/transactions"
        return [[cfg["spark_submit"], job, "--input", transactions, "--output", marts, "--tz", tz]]
    warehouse = str(project / "warehouse")
    dbt = [cfg["dbt"], "build", "--project-dir", warehouse, "--profiles-dir", warehouse]
    dbt_vars = json.dumps({"data_dir": data, "tz": tz})
    commands = [[*dbt, "--target", cfg["dbt_target"], "--vars", dbt_vars]]
    if cfg["dbt_target"] == "duckdb":  # the marts are in a DuckDB file: export the mart folder
        export = [cfg["insights"], "export-marts", cfg["warehouse_db"], "--out", marts]
        commands.append([*export, "--tz", tz])
    return commands


@task(execution_timeout=timedelta(hours=3), retries=1, retry_delay=_delay(10))
def reduce(cfg: dict[str, str], checked: list[str]) -> str:
    """Reduce the raw data to the marts the reports read, with the configured engine."""
    print(f"validated before reducing: {checked or 'nothing'}")
    Path(cfg["mart_dir"]).mkdir(parents=True, exist_ok=True)
    env = {"INSIGHTS_WAREHOUSE_DB": cfg["warehouse_db"], "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    for command in _reduce_commands(cfg):
        _run(command, cwd=cfg["project_dir"], env=env)
    return cfg["mart_dir"]


@task(execution_timeout=timedelta(minutes=5), retries=1)
def due_reports(cfg: dict[str, str]) -> list[dict[str, Any]]:
    """List the renders ``reports/schedule.toml`` has due as of the logical date."""
    as_of = get_current_context()["logical_date"].date().isoformat()
    command = [cfg["insights"], "report", "schedule", "--as-of", as_of]
    listing = _run([*command, "--schedule", cfg["schedule"], "--list"], cwd=cfg["project_dir"])
    runs = [json.loads(line) for line in listing.splitlines() if line.startswith("{")]
    print(f"{len(runs)} report(s) due as of {as_of}")
    return runs


@task(
    execution_timeout=timedelta(hours=1, minutes=10),
    retries=1,
    retry_delay=_delay(5),
    max_active_tis_per_dagrun=2,
    map_index_template="{{ task.op_kwargs['run']['label'] }}",
)
def render(cfg: dict[str, str], marts: str, run: dict[str, Any]) -> str:
    """Render and publish one due report (the runner skips it if already published)."""
    params = [arg for k, v in run["params"].items() for arg in ("-p", f"{k}={v}")]
    command = [cfg["insights"], "report", "run", run["report"], *params]
    out = ["--data", marts, "--out", cfg["reports_dir"]]  # the reports read the mart folder
    return _run([*command, *out], cwd=cfg["project_dir"])


@task(trigger_rule=TriggerRule.ALL_DONE, execution_timeout=timedelta(minutes=10), retries=1)
def publish_index(cfg: dict[str, str]) -> str:
    """Rewrite ``index.html`` listing the published reports and the recent failures."""
    return _run(
        [cfg["insights"], "report", "index", "--out", cfg["reports_dir"]], cwd=cfg["project_dir"]
    )


@task(trigger_rule=TriggerRule.ONE_FAILED, execution_timeout=timedelta(minutes=1), retries=0)
def fail_if_any_failed() -> None:
    """Fail the run when any task failed (publish_index succeeds either way); else skipped."""
    raise AirflowFailException(
        "a task of this run failed (see the failed tasks; failed reports are listed in "
        "index.html and kept under reports/_failures/)"
    )


@dag(
    dag_id="insights_reports",
    description="Validate new raw data, reduce to marts, render the due reports, publish the index",
    schedule="0 6 * * *",
    start_date=datetime(2025, 10, 1),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=8),
    default_args={"retries": 1, "retry_delay": _delay(15), "owner": "insights"},
    params={
        name: Param(
            "",
            type="string",
            description=f"overrides the Variable insights_{name} (default {default!r})",
        )
        for name, default in {"project_dir": "this checkout", **DEFAULTS}.items()
    }
    | {
        "validate": Param(
            "new",
            enum=["new", "all", "none"],
            description="which raw data to check: the partitions since yesterday, all, none",
        )
    },
    tags=["insights", "reports"],
    doc_md=__doc__,
)
def insights_reports() -> None:
    """Wire the tasks (see the module docstring)."""
    cfg = settings()
    checked = validate(cfg)
    marts = reduce(cfg, checked)
    due = due_reports(cfg)
    renders = render.partial(cfg=cfg, marts=marts).expand(run=due)
    index = publish_index(cfg)
    renders >> index
    [cfg, checked, marts, due, renders, index] >> fail_if_any_failed()


insights_reports()
