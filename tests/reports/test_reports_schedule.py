"""Which renders the schedule asks for as of a date (the Airflow DAG: tests/warehouse)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from insights.cli import main
from insights.errors import ReportError
from insights.reports import due_runs, load_schedule
from insights.reports.schedule import latest_complete_month, latest_complete_week

ROOT = Path(__file__).resolve().parents[2]


def test_the_real_schedule_is_due_for_every_city_and_the_last_week() -> None:
    runs = due_runs(load_schedule(ROOT / "reports" / "schedule.toml"), as_of=date(2025, 10, 1))
    trending = [r for r in runs if r.report == "trending_spending"]
    assert len(trending) == 10
    assert {r.params["month"] for r in trending} == {"2025-09"}
    assert {"London", "Cardiff"} <= {r.params["city"] for r in trending}
    [forecast] = [r for r in runs if r.report == "contact_rate_forecast"]
    assert forecast.params == {"as_of": "2025-09-28"}
    [growth] = [r for r in runs if r.report == "customer_growth"]
    assert growth.params == {"as_of": "2025-09-28"}


@pytest.mark.parametrize(
    ("as_of", "month"),
    [
        (date(2025, 10, 1), "2025-09"),
        (date(2025, 10, 31), "2025-09"),
        (date(2026, 1, 1), "2025-12"),
    ],
)
def test_latest_complete_month(as_of: date, month: str) -> None:
    assert latest_complete_month(as_of) == month


@pytest.mark.parametrize(
    ("as_of", "sunday"),
    [
        (date(2025, 9, 29), "2025-09-28"),  # a Monday: the week just ended
        (date(2025, 9, 28), "2025-09-21"),  # a Sunday: that week is not complete yet
        (date(2025, 10, 5), "2025-09-28"),
    ],
)
def test_latest_complete_week(as_of: date, sunday: str) -> None:
    assert latest_complete_week(as_of, weekday="monday") == sunday


def test_a_job_without_its_period_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "schedule.toml"
    path.write_text('[[jobs]]\nreport = "r"\nevery = "month"\n')
    with pytest.raises(ReportError, match="period_param"):
        load_schedule(path)


def test_schedule_list_prints_what_is_due_and_renders_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schedule = tmp_path / "schedule.toml"
    schedule.write_text(
        '[[jobs]]\nreport = "trending_spending"\nevery = "month"\nperiod_param = "month"\n'
        'matrix = { city = ["Leeds", "York"] }\n'
    )
    out = tmp_path / "reports"
    code = main(["report", "schedule", "--as-of", "2025-10-01", "--schedule", str(schedule),
                 "--list", "--out", str(out)])  # fmt: skip
    assert code == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines == [
        {"report": "trending_spending", "params": {"month": "2025-09", "city": "Leeds"},
         "label": "trending_spending month=2025-09 city=Leeds"},
        {"report": "trending_spending", "params": {"month": "2025-09", "city": "York"},
         "label": "trending_spending month=2025-09 city=York"},
    ]  # fmt: skip
    assert not out.exists()
