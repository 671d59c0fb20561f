"""The Airflow 3 DAG (``dags/insights_reports.py``) under a real Airflow, in its own environment.

Airflow is installed by ``make airflow-env`` into ``.airflow/`` from the pinned
``dags/requirements-airflow.txt``; the tests drive it as a program with a throw-away
``AIRFLOW_HOME`` and a SQLite metadata database, as ``airflow standalone`` would.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from warehouse_tools import ROOT, clean_env, tool  # type: ignore[import-not-found]

from insights.reduce.marts import MART_NAMES, read_manifest

DAG_ID = "insights_reports"
TASKS = [
    "settings",
    "validate",
    "reduce",
    "due_reports",
    "render",
    "publish_index",
    "fail_if_any_failed",
]

DAGBAG = """
import json
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder=DAGS)
dag = bag.dags.get("insights_reports")
print(json.dumps({
    "errors": bag.import_errors,
    "warnings": {k: list(v) for k, v in bag.captured_warnings.items()},
    "dags": bag.dag_ids,
    "tasks": {t.task_id: {
        "retries": t.retries,
        "timeout": t.execution_timeout.total_seconds() if t.execution_timeout else None,
        "trigger_rule": getattr(t.trigger_rule, "value", t.trigger_rule),
        "upstream": sorted(t.upstream_task_ids),
    } for t in dag.tasks} if dag else {},
    "params": sorted(dag.params) if dag else [],
}))
"""


def airflow_env(home: Path) -> dict[str, str]:
    """Environment for a throw-away Airflow: its own home, SQLite, our dags/ folder."""
    return clean_env(
        AIRFLOW_HOME=str(home),
        AIRFLOW__CORE__DAGS_FOLDER=str(ROOT / "dags"),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{home}/airflow.db",
        INSIGHTS_DAG_RETRY_DELAY_SECONDS="1",
    )


def airflow(home: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(tool(".airflow", "airflow")), *args],
        env=airflow_env(home),
        cwd=home,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return done


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("airflow_home")
    done = airflow(folder, "db", "migrate", timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return folder


def test_the_dag_imports_with_no_errors_and_sets_retries_and_timeouts(tmp_path: Path) -> None:
    python = tool(".airflow", "python")
    script = f"DAGS = {str(ROOT / 'dags')!r}\n" + DAGBAG
    done = subprocess.run(
        [str(python), "-W", "error::DeprecationWarning", "-c", script],
        env=airflow_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    bag: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    assert bag["errors"] == {}
    assert bag["warnings"] == {}
    assert bag["dags"] == [DAG_ID]
    tasks = bag["tasks"]
    assert sorted(tasks) == sorted(TASKS)
    assert all(t["timeout"] for t in tasks.values())
    assert tasks["render"]["retries"] == 1 and tasks["validate"]["retries"] == 0
    assert tasks["render"]["upstream"] == ["due_reports", "reduce", "settings"]
    assert tasks["publish_index"]["trigger_rule"] == "all_done"
    assert tasks["fail_if_any_failed"]["trigger_rule"] == "one_failed"
    assert set(tasks["fail_if_any_failed"]["upstream"]) == set(TASKS) - {"fail_if_any_failed"}
    assert {"data_dir", "mart_dir", "reduce_engine", "schedule", "validate"} <= set(bag["params"])
    source = (ROOT / "dags" / "insights_reports.py").read_text()
    assert "/opt/" not in source and "airflow.operators" not in source


def _json_out(done: subprocess.CompletedProcess[str]) -> Any:
    """The JSON a CLI printed (Airflow may log warnings on stdout before it)."""
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    [line] = [line for line in done.stdout.splitlines() if line.startswith(("[", "{"))]
    return json.loads(line)


def _task_states(home: Path) -> dict[str, list[str]]:
    [run] = _json_out(airflow(home, "dags", "list-runs", DAG_ID, "-o", "json"))
    states = airflow(home, "tasks", "states-for-dag-run", DAG_ID, run["run_id"], "-o", "json")
    found: dict[str, list[str]] = {}
    for row in _json_out(states):
        found.setdefault(row["task_id"], []).append(row["state"])
    found["dag_run"] = [run["state"]]
    return found


@pytest.mark.slow
@pytest.mark.timeout(1800)  # sample, reduce and a render: ~2 min of CPU, far longer on a busy box
def test_dags_test_runs_the_pipeline_and_one_failed_report_does_not_stop_the_others(
    home: Path, warehouse_sample: Path, tmp_path: Path
) -> None:
    schedule = tmp_path / "schedule.toml"
    schedule.write_text(
        '[[jobs]]\nreport = "trending_spending"\nevery = "month"\nperiod_param = "month"\n'
        'matrix = { city = ["Atlantis", "Leeds"] }\n'
    )
    conf = {
        "data_dir": str(warehouse_sample),
        "mart_dir": str(tmp_path / "marts"),
        "reports_dir": str(tmp_path / "reports"),
        "schedule": str(schedule),
        "reduce_engine": "polars",
    }
    done = airflow(home, "dags", "test", DAG_ID, "2025-10-01", "-c", json.dumps(conf), timeout=1500)
    log = done.stdout + done.stderr
    states = _task_states(home)
    assert states["settings"] == ["success"], log[-4000:]
    assert states["validate"] == ["success"], log[-4000:]
    assert states["reduce"] == ["success"], log[-4000:]
    assert states["due_reports"] == ["success"]
    # Atlantis is no city in the data: a parameter error, failed at once (not retried);
    # Leeds renders all the same, and the index is published after both.
    assert sorted(states["render"]) == ["failed", "success"], log[-4000:]
    assert states["publish_index"] == ["success"]
    assert states["fail_if_any_failed"] == ["failed"]  # so the run is marked failed
    assert states["dag_run"] == ["failed"]
    assert "usage or parameter error, not retried" in log
    assert "year_month=2025-09" in log and "year_month=2025-10" not in log  # only new data
    assert sorted(read_manifest(tmp_path / "marts")["marts"]) == sorted(MART_NAMES)
    published = list((tmp_path / "reports" / "trending_spending").glob("*/report.html"))
    assert len(published) == 1 and "leeds" in published[0].parent.name.lower()
    assert "Leeds" in (tmp_path / "reports" / "index.html").read_text()
