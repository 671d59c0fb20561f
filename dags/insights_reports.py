"""Airflow DAG: render the scheduled insights reports every day.

The schedule itself lives in ``reports/schedule.toml``; ``insights report schedule`` renders
what is due as of the logical date and skips what is already published for the same data, so
a daily run is cheap and catches up after a missed day. A non-zero exit (any report failed)
fails the task; the failed notebooks are under ``reports/_failures/``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash import BashOperator

REPO = "/opt/insights"  # checkout with `make setup` done (the `insights` kernel registered)

with DAG(
    dag_id="insights_reports",
    description="Render the reports due in reports/schedule.toml",
    schedule="0 6 * * *",
    start_date=datetime(2025, 10, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 1, "retry_delay": timedelta(minutes=15)},
    tags=["insights", "reports"],
) as dag:
    BashOperator(
        task_id="render_due_reports",
        bash_command=(
            f"cd {REPO} && .venv/bin/insights report schedule --as-of {{{{ ds }}}} "
            "--data {{ var.value.get('insights_data', 'data/marts') }} --out reports"
        ),
        execution_timeout=timedelta(hours=3),
    )
