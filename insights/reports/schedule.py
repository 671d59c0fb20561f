"""Scheduled renders: which reports are due as of a date, and rendering them all.

``reports/schedule.toml`` holds one ``[[jobs]]`` table per scheduled report::

    [[jobs]]
    report = "trending_spending"
    every = "month"            # month: the latest complete calendar month
    period_param = "month"     # the parameter that receives the period
    matrix = { city = ["London", "Leeds"] }   # one render per combination
    params = { top_n = 10 }    # fixed parameters (optional)

    [[jobs]]
    report = "contact_rate_forecast"
    every = "week"             # week: the latest complete week ending the day before
    weekday = "monday"         # the latest such weekday on or before the as-of date
    period_param = "as_of"     # receives that Sunday (the last complete day)

The as-of date is always passed in: nothing here reads the clock.
"""

from __future__ import annotations

import itertools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

from insights._common import REPORTS_DIR, SCHEDULE_FILE
from insights.errors import InsightsError, ParameterError, ReportError
from insights.reports.catalogue import DEFAULT_CATALOGUE
from insights.reports.failures import write_failure
from insights.reports.index import write_index
from insights.reports.runner import DEFAULT_BUDGET, DEFAULT_CELL_TIMEOUT, run_report

__all__ = [
    "DEFAULT_SCHEDULE",
    "DueRun",
    "ScheduleOutcome",
    "due_runs",
    "latest_complete_month",
    "latest_complete_week",
    "load_schedule",
    "run_schedule",
]

DEFAULT_SCHEDULE = SCHEDULE_FILE
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class DueRun:
    """One render the schedule asks for."""

    report: str
    params: dict[str, Any] = field(hash=False)

    def label(self) -> str:
        """``report k=v k=v`` for the summary table."""
        return " ".join([self.report, *(f"{k}={v}" for k, v in self.params.items())])


@dataclass(frozen=True)
class ScheduleOutcome:
    """What happened to one due render: ``published``, ``skipped`` or ``failed``."""

    run: DueRun
    status: Literal["published", "skipped", "failed"]
    detail: str


def latest_complete_month(as_of: date, /) -> str:
    """Return the last calendar month that ended before ``as_of``.

    Examples
    --------
    >>> latest_complete_month(date(2025, 10, 1))
    '2025-09'
    >>> latest_complete_month(date(2025, 1, 31))
    '2024-12'

    """
    last_day = as_of.replace(day=1) - timedelta(days=1)
    return f"{last_day.year:04d}-{last_day.month:02d}"


def latest_complete_week(as_of: date, /, *, weekday: str = "monday") -> str:
    """Return the last day of the latest complete week: the day before the latest ``weekday``.

    Examples
    --------
    >>> latest_complete_week(date(2025, 10, 1))   # a Wednesday; Monday was 29 September
    '2025-09-28'

    """
    start = _WEEKDAYS.index(weekday)
    run_day = as_of - timedelta(days=(as_of.weekday() - start) % 7)
    return (run_day - timedelta(days=1)).isoformat()


def load_schedule(path: str | Path = DEFAULT_SCHEDULE, /) -> list[dict[str, Any]]:
    """Read the ``[[jobs]]`` of a schedule file, checking each names its period."""
    path = Path(path)
    try:
        jobs: list[dict[str, Any]] = tomllib.loads(path.read_text(encoding="utf-8")).get("jobs", [])
    except FileNotFoundError as exc:
        raise ReportError(f"no schedule at {path}; pass --schedule PATH") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ReportError(f"{path}: not valid TOML ({exc})") from exc
    for number, job in enumerate(jobs, start=1):
        where = f"{path}: job {number} ({job.get('report', '?')})"
        if "report" not in job or job.get("every") not in {"month", "week"}:
            raise ReportError(f'{where}: needs `report` and `every` = "month" or "week"')
        if "period_param" not in job:
            raise ReportError(f"{where}: needs `period_param`, the parameter given the period")
        if job.get("weekday", "monday") not in _WEEKDAYS:
            raise ReportError(f"{where}: weekday must be one of {list(_WEEKDAYS)}")
    return jobs


def due_runs(jobs: list[dict[str, Any]], /, *, as_of: date) -> list[DueRun]:
    """Every render due as of ``as_of``: each job's latest complete period, per matrix cell.

    Examples
    --------
    >>> jobs = [{"report": "t", "every": "month", "period_param": "month",
    ...          "matrix": {"city": ["Leeds", "York"]}}]
    >>> [r.label() for r in due_runs(jobs, as_of=date(2025, 10, 1))]
    ['t month=2025-09 city=Leeds', 't month=2025-09 city=York']

    """
    runs = []
    for job in jobs:
        if job["every"] == "month":
            period = latest_complete_month(as_of)
        else:
            period = latest_complete_week(as_of, weekday=job.get("weekday", "monday"))
        matrix: Mapping[str, list[Any]] = job.get("matrix", {})
        names = list(matrix)
        for combo in itertools.product(*(matrix[n] for n in names)):
            params = {job["period_param"]: period, **dict(zip(names, combo, strict=True))}
            runs.append(DueRun(job["report"], {**params, **job.get("params", {})}))
    return runs


def run_schedule(
    as_of: date,
    /,
    *,
    schedule: str | Path = DEFAULT_SCHEDULE,
    catalogue: str | Path = DEFAULT_CATALOGUE,
    data: str | Path | None = None,
    out: str | Path = REPORTS_DIR,
    force: bool = False,
    cell_timeout: float = DEFAULT_CELL_TIMEOUT,
    budget: float = DEFAULT_BUDGET,
) -> list[ScheduleOutcome]:
    """Render everything due as of ``as_of``; skip what is already published; keep going.

    Returns
    -------
    list of ScheduleOutcome
        One per due render, in schedule order. A failure is recorded, not raised.

    """
    outcomes = []
    for run in due_runs(load_schedule(schedule), as_of=as_of):
        try:
            result = run_report(
                run.report,
                run.params,
                data=data,
                out=out,
                catalogue=catalogue,
                force=force,
                cell_timeout=cell_timeout,
                budget=budget,
                progress=False,
                index=False,
            )
            outcomes.append(ScheduleOutcome(run, result.status, str(result.path)))
        except ParameterError as exc:
            # run_report writes nothing for a bad parameter; a scheduled job still failed
            _file_parameter_error(run, exc, out=out, as_of=as_of)
            outcomes.append(ScheduleOutcome(run, "failed", f"parameter error: {exc}"))
        except InsightsError as exc:
            outcomes.append(ScheduleOutcome(run, "failed", str(exc)))
        except Exception as exc:
            outcomes.append(ScheduleOutcome(run, "failed", f"{type(exc).__name__}: {exc}"))
    write_index(out)
    return outcomes


def _file_parameter_error(
    run: DueRun, exc: ParameterError, *, out: str | Path, as_of: date
) -> None:
    """Record a due run whose parameters the data refused, so the index lists it."""
    slug = "-".join(str(v) for v in run.params.values()).replace("/", "_") or "default"
    write_failure(
        out,
        name=run.report,
        slug=slug,
        summary=f"scheduled run as of {as_of} was refused before it started: {exc}",
        explanation=f"scheduled run as of {as_of}: parameter error: {exc}",
        public={"report": run.report, "parameters": run.params, "step": "check parameters"},
        private={},
    )
