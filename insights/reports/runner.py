"""Render a catalogued notebook into a published report, safely.

:func:`run_report` is a short sequence of named steps with one failure path::

    check parameters → build → execute → page → gate → publish
                          └──────── any failure ────────┘→ record failure

* **check parameters**: parsed and checked against the catalogue and the data before a kernel
  starts (:class:`~insights.errors.ParameterError`, nothing written); the same parameters on
  the same data and notebook are skipped unless ``force=True``;
* **build**: a fresh folder under ``<out>.private/builds/``, outside the published root;
* **execute**: papermill on the pinned ``insights`` kernel in a worker process with a per-cell
  timeout and a whole-run budget; the worker dies with the runner (see
  :mod:`insights.reports.execute`);
* **page**: the self-contained HTML page, machine paths removed from the notebook;
* **gate**: :func:`insights.reports.privacy.check_privacy` over every file to publish;
* **publish**: the manifest, then an atomic swap into ``<out>/<name>/<slug>/``; then the
  report's forecast record, if it has one, is copied into the forecast archive
  ``<out>/_forecasts/<name>/<slug>.parquet`` (:mod:`insights.forecasting.archive`);
* **record failure**: whatever went wrong in any step (a crash included) is filed as a
  redacted summary under ``<out>/_failures/`` and in full under ``<out>.private/logs/``; the
  last good report stays untouched. The build folder is removed in every case.

The steps live in private modules of this package: ``_run_plan`` (check parameters, check data:
the run's ``_Plan``), ``_run_steps`` (execute, page, gate, publish) and ``_run_failure`` (the
failure path and the stop signals); this module puts them in order.
"""

from __future__ import annotations

import contextlib
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from insights._common import REPORTS_DIR
from insights.publish.tables import MIN_CUSTOMERS
from insights.reports._run_failure import (
    _Failed,
    _record_failure,
    _step,
    _stop_on_signals,
    _Stopped,
)
from insights.reports._run_plan import _check_data, _check_parameters, _Limits
from insights.reports._run_steps import _execute, _gate, _page, _publish
from insights.reports.catalogue import DEFAULT_CATALOGUE
from insights.reports.execute import FailedCell
from insights.reports.folders import build_folder
from insights.reports.index import write_index
from insights.reports.kernel import KERNEL_NAME
from insights.reports.manifest import published_manifest, same_run

__all__ = [
    "DEFAULT_BUDGET",
    "DEFAULT_CELL_TIMEOUT",
    "KERNEL",
    "FailedCell",
    "RunResult",
    "run_report",
]

KERNEL = KERNEL_NAME  # the project kernel installed by insights.reports.kernel (make setup)
DEFAULT_CELL_TIMEOUT = 600.0
DEFAULT_BUDGET = 3600.0


@dataclass(frozen=True)
class RunResult:
    """What :func:`run_report` did.

    Attributes
    ----------
    status
        ``"published"`` or ``"skipped"`` (same parameters, data and notebook as the report
        already published; pass ``force=True`` to render again).
    path
        The published folder ``<out>/<name>/<slug>/``.
    manifest
        The contents of its ``manifest.json``.
    notes
        What the runner decided for you, one sentence each: parameters taken from the data,
        raw data reduced to marts.

    """

    name: str
    slug: str
    status: Literal["published", "skipped"]
    path: Path
    manifest: dict[str, Any] = field(repr=False)
    notes: tuple[str, ...] = ()


def run_report(
    name: str,
    params: Mapping[str, object] | None = None,
    *,
    data: str | Path | None = None,
    out: str | Path = REPORTS_DIR,
    catalogue: str | Path = DEFAULT_CATALOGUE,
    force: bool = False,
    cell_timeout: float = DEFAULT_CELL_TIMEOUT,
    budget: float = DEFAULT_BUDGET,
    min_customers: int = MIN_CUSTOMERS,
    kernel: str = KERNEL,
    progress: bool | None = None,
    index: bool = True,
) -> RunResult:
    """Render report ``name`` with ``params`` and publish it atomically.

    Parameters
    ----------
    name
        A report in the catalogue (``insights report list``).
    params
        Parameter values by name, as text (``"2025-06"``, ``"false"``, ``"a,b"``) or Python
        objects (``date``, ``bool``, lists). Missing ones take the catalogue's defaults.
    data
        The data folder (the ``data_path`` parameter); default: the catalogue's default.
    out
        Root of the published reports; the report goes to ``<out>/<name>/<slug>/``.
    catalogue
        The catalogue file (tests pass their own).
    force
        Render even when the same parameters, data and notebook are already published.
    cell_timeout
        Seconds one cell may run (papermill's ``execution_timeout``).
    budget
        Seconds the whole run may take, kernel start included.
    min_customers
        Privacy floor for customer counts in published tables (at least 10; a report's own
        ``min_customers`` parameter raises it further).
    kernel
        The Jupyter kernel to run on; reports are pinned to ``insights``.
    progress
        Show papermill's per-cell progress bar; default: when stderr is a terminal.
    index
        Regenerate ``<out>/index.html`` afterwards.

    Returns
    -------
    RunResult
        ``published`` or ``skipped``, with the folder and its manifest.

    Raises
    ------
    ParameterError
        An unknown parameter, a wrong type, or a value outside the data. Nothing is written.
    ReportError
        Anything else went wrong: the data could not be read, the notebook failed, timed out,
        exceeded the budget or lost its kernel, the privacy gate refused it, or a step
        crashed. The previous report stays; a redacted summary is filed under
        ``<out>/_failures/<name>/`` and the full detail under ``<out>.private/logs/<name>/``.

    """
    out = Path(out)
    limits = _Limits(
        cell_timeout, budget, kernel, sys.stderr.isatty() if progress is None else progress
    )
    plan = _check_parameters(
        name,
        params or {},
        data=data,
        out=out,
        catalogue=catalogue,
        limits=limits,
        min_customers=min_customers,
    )
    try:
        plan = _step("check data", lambda: _check_data(plan))
    except _Failed as exc:
        error = _record_failure(plan, None, exc)
        if index:
            write_index(out)
        raise error from exc
    previous = published_manifest(plan.target)
    if not force and same_run(previous, plan.key):
        assert previous is not None
        return RunResult(name, plan.slug, "skipped", plan.target, previous, plan.notes)

    build = build_folder(out, name=name, slug=plan.slug)
    try:
        with _stop_on_signals():
            _step("execute", lambda: _execute(plan, build))
            _step("page", lambda: _page(plan, build))
            privacy = _step("gate", lambda: _gate(plan, build))
            manifest = _step("publish", lambda: _publish(plan, build, privacy))
        return RunResult(name, plan.slug, "published", plan.target, manifest, plan.notes)
    except (Exception, _Stopped) as exc:
        raise _record_failure(plan, build, exc) from exc
    finally:
        shutil.rmtree(build, ignore_errors=True)
        if index:
            with contextlib.suppress(OSError):
                write_index(out)
