"""Rendering catalogued notebooks into published, privacy-checked reports.

::

    load_catalogue(path)          the reports and their declared parameters (no kernel)
    run_report(name, params, ...) validate → execute (papermill) → HTML → privacy gate →
                                  atomic publish to reports/<name>/<slug>/
    run_schedule(as_of, ...)      everything due in reports/schedule.toml
    publish_table(frame, ...)     used inside notebooks: CSV + Parquet + count sidecar
    write_index(out)              reports/index.html

Errors: :class:`~insights.errors.ParameterError` (nothing was run or written) and
:class:`~insights.errors.ReportError` (the run failed; see ``reports/_failures/``).
"""

from insights.publish.tables import MIN_CUSTOMERS, publish_table, suppress_people, suppress_small
from insights.reports.catalogue import (
    Catalogue,
    ParamSpec,
    ReportSpec,
    load_catalogue,
    parse_params,
    report_slug,
)
from insights.reports.index import write_index
from insights.reports.privacy import Violation, check_privacy
from insights.reports.runner import RunResult, run_report
from insights.reports.schedule import ScheduleOutcome, due_runs, load_schedule, run_schedule

__all__ = [
    "MIN_CUSTOMERS",
    "Catalogue",
    "ParamSpec",
    "ReportSpec",
    "RunResult",
    "ScheduleOutcome",
    "Violation",
    "check_privacy",
    "due_runs",
    "load_catalogue",
    "load_schedule",
    "parse_params",
    "publish_table",
    "report_slug",
    "run_report",
    "run_schedule",
    "suppress_people",
    "suppress_small",
    "write_index",
]
