"""The steps of a report run after its checks (private to :mod:`insights.reports`).

**execute** (papermill in a worker process, :mod:`insights.reports.execute`), **page** (machine
paths scrubbed, the HTML page), **gate** (the privacy gate over every file to publish) and
**publish** (the manifest, the atomic swap, then the forecast record into the archive). Each
takes the run's :class:`~insights.reports._run_plan._Plan` and its build folder, and raises
:class:`~insights.reports._run_failure._Failed` when it fails.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from insights.forecasting.archive import ARCHIVE_FOLDER, archive_forecast_record
from insights.reports._run_failure import _customer_ids, _Failed
from insights.reports._run_plan import _iso, _now, _Plan
from insights.reports.data import data_date_range
from insights.reports.execute import execute_notebook, explain_failure, failed_cell
from insights.reports.failures import NOTEBOOK_FILE
from insights.reports.folders import logical_path, publish_folder
from insights.reports.html import forecast_last_day, render_html
from insights.reports.manifest import MANIFEST_FILE, git_commit, output_files, versions
from insights.reports.privacy import check_privacy, gate

__all__: list[str] = []

HTML_FILE = "report.html"


# --- execute -------------------------------------------------------------------------------


def _job(plan: _Plan, build: Path) -> dict[str, Any]:
    values = dict(plan.values)
    if any(p.name == "output_dir" for p in plan.spec.params):
        values["output_dir"] = str((build / "report").resolve())
    if any(p.name == "data_path" for p in plan.spec.params):
        # Absolute: the project kernel starts in the project root, not the caller's folder.
        values["data_path"] = str(plan.data_dir.resolve())
    if any(p.name == "forecast_archive" for p in plan.spec.params):
        # Read-only for the notebook: the earlier published forecasts, to score them.
        values["forecast_archive"] = str(plan.archive.resolve())
    return {
        "input": str(plan.spec.notebook.resolve()),
        "output": str((build / "report" / NOTEBOOK_FILE).resolve()),
        "parameters": values,
        "kernel": plan.limits.kernel,
        "cell_timeout": plan.limits.cell_timeout,
        "cwd": str(Path.cwd()),
        "progress": plan.limits.progress,
        "result": str((build / "result.json").resolve()),
    }


def _execute(plan: _Plan, build: Path) -> None:
    limits = plan.limits
    job = _job(plan, build)
    result, exceeded = execute_notebook(
        job, work=build, budget=limits.budget, progress=limits.progress
    )
    if result["status"] == "ok":
        return
    cell = failed_cell(build / "report" / NOTEBOOK_FILE)
    summary, explanation = explain_failure(
        plan.name,
        result,
        cell,
        cell_timeout=limits.cell_timeout,
        budget=limits.budget,
        budget_exceeded=exceeded,
    )
    details = {"cell": None if cell is None else {"index": cell.index, "line": cell.first_line}}
    raise _Failed(summary, explanation, details={**details, "worker": result})


# --- page ----------------------------------------------------------------------------------


def _machine_paths(plan: _Plan, build: Path) -> dict[str, str]:
    """Absolute paths a render may have printed, and what readers see instead."""
    report = build / "report"
    swaps = {
        str(report.resolve()): ".",
        str(plan.data_dir.resolve()): logical_path(plan.source),
        str(plan.source.resolve()): logical_path(plan.source),
        str(plan.archive.resolve()): logical_path(plan.archive),
        str(Path.cwd().resolve()): ".",
    }
    return dict(sorted(swaps.items(), key=lambda kv: -len(kv[0])))


def _scrub_notebook(plan: _Plan, build: Path) -> None:
    """Replace machine paths in the executed notebook by the names readers know."""
    path = build / "report" / NOTEBOOK_FILE
    text = path.read_text(encoding="utf-8")
    for absolute, logical in _machine_paths(plan, build).items():
        text = text.replace(json.dumps(absolute)[1:-1], logical)
    path.write_text(text, encoding="utf-8")


def _page(plan: _Plan, build: Path) -> None:
    _scrub_notebook(plan, build)
    render_html(
        build / "report" / NOTEBOOK_FILE,
        build / "report" / HTML_FILE,
        title=plan.spec.title,
        params=plan.shown,
        date_range=data_date_range(plan.files),
        generated_at=_iso(_now()),
        last_day=forecast_last_day(build / "report"),
    )


# --- gate ----------------------------------------------------------------------------------


def _gate(plan: _Plan, build: Path) -> dict[str, Any]:
    checked = gate(
        build / "report",
        customer_ids=_customer_ids(plan),
        min_customers=plan.floor,
        machine_paths=[p for p in _machine_paths(plan, build) if len(p) > 1],
    )
    violations = checked.violations
    if not violations:
        return checked.summary()
    listed = "; ".join(str(v) for v in violations[:10])
    more = f" (and {len(violations) - 10} more)" if len(violations) > 10 else ""
    where = sorted({v.file + (f" ({v.column})" if v.column else "") for v in violations})
    head = f"report {plan.name!r} failed the privacy gate and was not published"
    raise _Failed(
        f"{head}: {len(violations)} violation(s) in {', '.join(where[:10])}. Fix the notebook.",
        f"{head}: {listed}{more}. Fix the notebook.",
        details={"violations": [str(v) for v in violations]},
    )


# --- publish -------------------------------------------------------------------------------


def _publish(plan: _Plan, build: Path, privacy: Mapping[str, Any]) -> dict[str, Any]:
    report = build / "report"
    finished = _now()
    manifest = {
        "report": plan.name,
        "title": plan.spec.title,
        "slug": plan.slug,
        "status": "success",
        "parameters": plan.shown,
        "forecast_last_day": forecast_last_day(report),
        "run_key": plan.key,
        "notebook": {"path": logical_path(plan.spec.notebook), "sha256": plan.notebook_hash},
        "kernel": plan.limits.kernel,
        "data": {
            "path": logical_path(plan.source),
            "date_range": data_date_range(plan.files),
            **plan.prints,
        },
        "outputs": output_files(report),
        "privacy": dict(privacy),
        "versions": versions(),
        "git_commit": git_commit(Path.cwd()),
        "started_at": _iso(plan.started),
        "finished_at": _iso(finished),
        "duration_seconds": round((finished - plan.started).total_seconds(), 3),
        "limits": {
            "cell_timeout_seconds": plan.limits.cell_timeout,
            "budget_seconds": plan.limits.budget,
        },
    }
    (report / MANIFEST_FILE).write_text(
        json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8"
    )
    if leaks := check_privacy(
        report,
        customer_ids=_customer_ids(plan),
        min_customers=plan.floor,
        machine_paths=[p for p in _machine_paths(plan, build) if len(p) > 1],
        only=[MANIFEST_FILE],
    ):
        raise _Failed(
            f"report {plan.name!r}: its manifest failed the privacy gate",
            f"report {plan.name!r}: its manifest failed the privacy gate: {leaks[0]}",
        )
    publish_folder(report, plan.target)
    # Only a published forecast is archived: every failure path left before this line.
    archive_forecast_record(
        plan.target,
        archive=plan.out / ARCHIVE_FOLDER,
        report=plan.name,
        slug=plan.slug,
        fingerprint=str(plan.prints.get("hash")),
        published_at=_iso(finished),
    )
    return manifest
