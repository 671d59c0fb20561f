"""Every failed run is recorded, whatever step it failed in; the schedule runs every job."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from test_reports_run import CATALOGUE, write_data

from insights.cli import main
from insights.errors import ReportError
from insights.reports import run_report, run_schedule, schedule as schedule_module
from insights.reports.folders import private_root, sweep_stale_builds


def test_an_unreadable_data_file_is_recorded_as_a_failure(tmp_path: Path) -> None:
    data = write_data(tmp_path / "data")
    (data / "customers.parquet").write_bytes(b"")  # truncated to nothing
    out = tmp_path / "reports"
    with pytest.raises(ReportError, match="check data step crashed") as info:
        run_report("good", {}, data=data, out=out, catalogue=CATALOGUE)
    [failure] = (out / "_failures" / "good").iterdir()
    record = json.loads((failure / "error.json").read_text())
    assert record["step"] == "check data"
    assert "check data step crashed" in (out / "index.html").read_text()
    [log] = (private_root(out) / "logs" / "good").iterdir()
    assert "Traceback" in (log / "error.json").read_text()
    assert str(log) in str(info.value)


def test_schedule_runs_every_job_past_a_crash_and_exits_non_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls: list[str] = []

    def fake_run(report: str, params: dict[str, Any], **_: Any) -> Any:
        calls.append(params["city"])
        if params["city"] == "Leeds":
            raise RuntimeError("cannot compare string with numeric type")
        raise ReportError("planted failure")

    monkeypatch.setattr(schedule_module, "run_report", fake_run)
    schedule = tmp_path / "schedule.toml"
    schedule.write_text(
        '[[jobs]]\nreport = "good"\nevery = "month"\nperiod_param = "month"\n'
        'matrix = { city = ["Leeds", "London", "York"] }\n'
    )
    out = tmp_path / "reports"
    outcomes = run_schedule(date(2025, 10, 1), schedule=schedule, catalogue=CATALOGUE, out=out)
    assert calls == ["Leeds", "London", "York"]
    assert [o.status for o in outcomes] == ["failed"] * 3
    assert "RuntimeError: cannot compare" in outcomes[0].detail
    code = main(
        [
            *("report", "schedule", "--as-of", "2025-10-01", "--schedule", str(schedule)),
            *("--catalogue", str(CATALOGUE), "--out", str(out)),
        ]
    )
    assert code == 1
    assert "3 due as of 2025-10-01: 0 published, 0 skipped, 3 failed" in capsys.readouterr().out


def test_a_build_left_by_a_dead_process_is_swept(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    dead = private_root(out) / "builds" / "good-2025-09_london-999999999-abcd1234"
    dead.mkdir(parents=True)
    legacy = out / ".tmp-good-x-1234"
    legacy.mkdir(parents=True)
    assert set(sweep_stale_builds(out)) == {dead, legacy}
    assert not dead.exists()
    assert not legacy.exists()
