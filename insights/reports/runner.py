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
"""

from __future__ import annotations

import contextlib
import json
import shutil
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any, Literal, TypeVar

from insights._common import REPORTS_DIR, SAMPLE_DIR
from insights.errors import ParameterError, ReportError
from insights.forecasting.archive import ARCHIVE_FOLDER, archive_forecast_record
from insights.publish.tables import MIN_CUSTOMERS
from insights.reports.catalogue import (
    DEFAULT_CATALOGUE,
    ReportSpec,
    load_catalogue,
    parse_params,
    report_slug,
)
from insights.reports.data import customer_ids, data_date_range, data_files, fingerprint
from insights.reports.data_params import check_params_against_data, resolve_defaults
from insights.reports.data_prepare import prepare_data
from insights.reports.execute import FailedCell, execute_notebook, explain_failure, failed_cell
from insights.reports.failures import write_failure
from insights.reports.folders import build_folder, logical_path, private_root, publish_folder
from insights.reports.html import render_html
from insights.reports.index import write_index
from insights.reports.kernel import KERNEL_NAME
from insights.reports.manifest import (
    MANIFEST_FILE,
    git_commit,
    output_files,
    published_manifest,
    same_run,
    sha256,
    versions,
)
from insights.reports.privacy import check_privacy, gate

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
NOTEBOOK_FILE = "report.ipynb"
HTML_FILE = "report.html"
_T = TypeVar("_T")


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


@dataclass(frozen=True)
class _Limits:
    cell_timeout: float
    budget: float
    kernel: str
    progress: bool


@dataclass(frozen=True)
class _Plan:
    """Everything decided before a kernel starts."""

    name: str
    spec: ReportSpec
    values: dict[str, Any]
    data_dir: Path
    out: Path
    slug: str
    floor: int
    limits: _Limits
    started: datetime
    source: Path = Path()
    notes: tuple[str, ...] = ()
    files: list[Path] = field(default_factory=list)
    prints: dict[str, Any] = field(default_factory=dict)
    notebook_hash: str = ""

    @property
    def key(self) -> dict[str, Any]:
        """What makes two runs the same: parameters, data and notebook."""
        machine = {"output_dir", "data_path", "forecast_archive"}
        shown = {k: v for k, v in self.values.items() if k not in machine}
        return {
            "parameters": shown,
            "data_hash": self.prints.get("hash"),
            "notebook_sha256": self.notebook_hash,
        }

    @property
    def target(self) -> Path:
        return self.out / self.name / self.slug

    @property
    def archive(self) -> Path:
        """The report's folder in the forecast archive (outside the reports' replace cycle)."""
        return self.out / ARCHIVE_FOLDER / self.name

    @property
    def shown(self) -> dict[str, Any]:
        """The parameters as a reader sees them: no build folder, no machine path."""
        shown = {
            k: v for k, v in self.values.items() if k not in {"output_dir", "forecast_archive"}
        }
        if "data_path" in shown:
            shown["data_path"] = logical_path(self.source)
        return shown


class _Failed(Exception):
    """A step failed: ``summary`` may be published, ``explanation`` is for the operator."""

    def __init__(
        self, summary: str, explanation: str, *, details: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(explanation)
        self.summary = summary
        self.explanation = explanation
        self.details = dict(details or {})


class _Stopped(BaseException):
    """The runner received SIGTERM or SIGHUP: stop the worker, clean up, record, exit."""


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


# --- check parameters ----------------------------------------------------------------------


def _check_kernel(kernel: str) -> None:
    from jupyter_client.kernelspec import KernelSpecManager  # noqa: PLC0415 - heavy

    if kernel not in KernelSpecManager().find_kernel_specs():
        raise ReportError(
            f"the Jupyter kernel {kernel!r} is not installed, so reports cannot run on the "
            f"pinned environment; run `make setup` (it registers the kernel with "
            f"`python -m ipykernel install --sys-prefix --name {kernel}`)"
        )


def _split_data(
    given: Mapping[str, object], data: str | Path | None
) -> tuple[dict[str, object], str]:
    params = dict(given)
    if "output_dir" in params:
        raise ParameterError(
            "parameter output_dir is set by the runner (the report's build folder); "
            "choose where reports go with --out"
        )
    from_params = params.pop("data_path", None)
    if data is not None and from_params is not None and str(from_params) != str(data):
        raise ParameterError(
            f"data given twice: --data {data} and -p data_path={from_params}; pass one"
        )
    chosen = data if data is not None else from_params
    if chosen is not None:
        if not isinstance(chosen, str | Path):
            raise ParameterError(f"data_path={chosen!r} is not a path")
        params["data_path"] = str(chosen)
    return params, str(chosen) if chosen is not None else ""


def _check_limits(limits: _Limits, min_customers: int) -> None:
    for option, seconds in (("cell_timeout", limits.cell_timeout), ("budget", limits.budget)):
        if not seconds > 0:
            raise ParameterError(f"{option}={seconds!r}: give a positive number of seconds")
    if min_customers < MIN_CUSTOMERS:
        raise ParameterError(
            f"min_customers={min_customers} is below the disclosure floor of {MIN_CUSTOMERS}"
        )


def _check_parameters(
    name: str,
    params: Mapping[str, object],
    *,
    data: str | Path | None,
    out: Path,
    catalogue: str | Path,
    limits: _Limits,
    min_customers: int,
) -> _Plan:
    """Parse and check everything that can be checked without a kernel."""
    started = _now()
    _check_limits(limits, min_customers)
    cat = load_catalogue(catalogue)
    spec = cat.get(name)
    given, chosen = _split_data(params, data)
    if not any(p.name == "data_path" for p in spec.params):
        given.pop("data_path", None)  # the notebook does not take it; the runner still uses it
    values = parse_params(spec, given)
    if not spec.notebook.is_file():
        raise ReportError(
            f"report {name!r}: notebook {spec.notebook} does not exist; write it or fix "
            f"`notebook` in {cat.path}"
        )
    _check_kernel(limits.kernel)
    source = Path(values.get("data_path", chosen or SAMPLE_DIR))
    # Raw data becomes marts (in a private cache); None defaults become the data's values.
    data_dir, notes = prepare_data(spec, values, data=source, cache=private_root(out) / "marts")
    values, defaults = resolve_defaults(spec, values, data=data_dir)
    return _Plan(
        name=name,
        spec=spec,
        values=values,
        data_dir=data_dir,
        source=source,
        notes=(*notes, *defaults),
        out=out,
        slug=report_slug(spec, values),
        floor=max(min_customers, int(values.get("min_customers", MIN_CUSTOMERS))),
        limits=limits,
        started=started,
    )


def _check_data(plan: _Plan) -> _Plan:
    """Check the parameters against the data and fingerprint the input files.

    A value outside the data is a :class:`ParameterError` (nothing written); a file that
    cannot be read is a failure of the run and is recorded like any other.
    """
    check_params_against_data(plan.spec, plan.values, data=plan.data_dir)
    files = data_files(plan.spec, data=plan.data_dir)
    return replace(
        plan,
        files=files,
        prints=fingerprint(files, data=plan.data_dir),
        notebook_hash=sha256(plan.spec.notebook),
    )


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


# --- record failure ------------------------------------------------------------------------


def _step(name: str, run: Callable[[], _T]) -> _T:
    """Run one step; turn any crash in it into a :class:`_Failed` naming the step."""
    try:
        return run()
    except (_Failed, ParameterError):
        raise
    except Exception as exc:
        kind = type(exc).__name__
        raise _Failed(
            f"the {name} step crashed with {kind}; see the private log",
            f"the {name} step crashed with {kind}: {exc}",
            details={"step": name, "traceback": traceback.format_exc()[-8000:]},
        ) from exc


def _record_failure(plan: _Plan, build: Path | None, exc: BaseException) -> ReportError:
    """File the failure (redacted in ``<out>``, in full privately); return the error to raise."""
    if isinstance(exc, _Failed):
        summary, explanation, details = exc.summary, exc.explanation, exc.details
    elif isinstance(exc, _Stopped):
        summary = explanation = f"report {plan.name!r} was stopped: {exc}"
        details = {}
    else:  # pragma: no cover - _step wraps every step
        summary = explanation = f"report {plan.name!r} crashed with {type(exc).__name__}"
        details = {"traceback": "".join(traceback.format_exception(exc))[-8000:]}
    if not summary.startswith("report "):
        summary, explanation = f"report {plan.name!r}: {summary}", f"{explanation}"
    public = {
        "report": plan.name,
        "parameters": plan.shown,
        "cell": details.get("cell"),
        "step": details.get("step"),
        "started_at": _iso(plan.started),
        "failed_at": _iso(_now()),
    }
    private = {k: v for k, v in details.items() if k not in public}
    record = write_failure(
        plan.out,
        name=plan.name,
        slug=plan.slug,
        summary=summary,
        explanation=explanation,
        public=public,
        private=private,
        build=build,
        identifiers=_known_ids(plan),
    )
    return ReportError(
        f"{explanation} The last published report (if any) is unchanged; the full detail "
        f"(executed notebook, log, traceback) is in the private log {record.private}/ and a "
        f"redacted summary in {record.public}/"
    )


def _customer_ids(plan: _Plan) -> frozenset[str]:
    """Return the identifiers the gate looks for: the raw data's, if the run was given it."""
    return customer_ids(plan.source) | customer_ids(plan.data_dir)


def _known_ids(plan: _Plan) -> frozenset[str]:
    """Return the customer ids to redact from a failure record (none if unreadable)."""
    try:
        return _customer_ids(plan)
    except Exception:
        return frozenset()


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[None]:
    """While a run is under way, SIGTERM and SIGHUP stop it cleanly instead of orphaning it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: FrameType | None) -> None:
        raise _Stopped(f"received {signal.Signals(signum).name}")

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


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
