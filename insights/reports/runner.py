"""Render a catalogued notebook into a published report, safely.

:func:`run_report` fixes the sharp edges of running papermill by hand:

* parameters are parsed and checked against the catalogue and the data **before** a kernel
  starts (:class:`~insights.errors.ParameterError`, nothing written);
* the notebook runs on the pinned ``insights`` kernel in a separate process with a per-cell
  timeout and a whole-run budget the runner enforces by stopping that process;
* everything is built in ``<out>/.tmp-*`` and published to ``<out>/<name>/<slug>/`` by an
  atomic rename only after the run succeeded and passed the privacy gate;
* a failure leaves the last good report untouched and files the executed notebook and an
  error summary (naming the failing cell) under ``<out>/_failures/<name>/<slug>-<time>/``;
* the same parameters on the same data (and notebook) are skipped unless ``force=True``.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

from insights.errors import ParameterError, ReportError
from insights.reports.kernel import KERNEL_NAME
from insights.reports.catalogue import DEFAULT_CATALOGUE, load_catalogue, parse_params, report_slug
from insights.reports.data import (
    check_params_against_data,
    customer_ids,
    data_date_range,
    data_files,
    fingerprint,
)
from insights.reports.html import render_html
from insights.reports.index import write_index
from insights.reports.privacy import check_privacy
from insights.publish.tables import MIN_CUSTOMERS

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
MANIFEST_FILE = "manifest.json"
FAILURES = "_failures"
_GRACE_SECONDS = 10.0
_VERSIONED = (
    "insights",
    "polars",
    "pyarrow",
    "altair",
    "vl-convert-python",
    "papermill",
    "nbclient",
    "nbconvert",
    "ipykernel",
    "statsmodels",
)
_HIDDEN_TAGS = {"injected-parameters", "papermill-error-cell-tag"}


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

    """

    name: str
    slug: str
    status: Literal["published", "skipped"]
    path: Path
    manifest: dict[str, Any] = field(repr=False)


@dataclass(frozen=True)
class FailedCell:
    """The cell a failed run stopped in, numbered as in the source notebook."""

    index: int
    first_line: str
    error: str | None = None

    def __str__(self) -> str:
        return f"cell {self.index} (`{self.first_line}`)"


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _versions() -> dict[str, str | None]:
    found: dict[str, str | None] = {"python": sys.version.split()[0]}
    for name in _VERSIONED:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def _git_commit(start: Path) -> str | None:
    """Return the checked-out commit, read from ``.git`` (without running git)."""
    for folder in [start, *start.parents]:
        git = folder / ".git"
        if git.is_file():
            text = git.read_text(encoding="utf-8").strip()
            git = (folder / text.removeprefix("gitdir:").strip()).resolve()
        if not git.is_dir():
            continue
        head = (git / "HEAD").read_text(encoding="utf-8").strip()
        if not head.startswith("ref:"):
            return head
        ref = head.removeprefix("ref:").strip()
        common = git
        if (git / "commondir").is_file():
            common = (git / (git / "commondir").read_text(encoding="utf-8").strip()).resolve()
        for base in (git, common):
            if (base / ref).is_file():
                return (base / ref).read_text(encoding="utf-8").strip()
            packed = base / "packed-refs"
            if packed.is_file():
                for line in packed.read_text(encoding="utf-8").splitlines():
                    if line.endswith(f" {ref}"):
                        return line.split()[0]
        return None
    return None


def _check_kernel(kernel: str) -> None:
    from jupyter_client.kernelspec import KernelSpecManager  # noqa: PLC0415 - heavy

    if kernel not in KernelSpecManager().find_kernel_specs():
        raise ReportError(
            f"the Jupyter kernel {kernel!r} is not installed, so reports cannot run on the "
            f"pinned environment; run `make setup` (it registers the kernel with "
            f"`python -m ipykernel install --sys-prefix --name {kernel}`)"
        )


def _published_manifest(target: Path) -> dict[str, Any] | None:
    path = target / MANIFEST_FILE
    if not path.is_file():
        return None
    try:
        found: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return None
    return found


def _run_key(params: Mapping[str, Any], data_hash: str, notebook_hash: str) -> dict[str, Any]:
    shown = {k: v for k, v in params.items() if k not in {"output_dir", "data_path"}}
    return {"parameters": shown, "data_hash": data_hash, "notebook_sha256": notebook_hash}


def _same_run(manifest: Mapping[str, Any] | None, key: Mapping[str, Any]) -> bool:
    if manifest is None or manifest.get("status") != "success":
        return False
    return bool(manifest.get("run_key") == key)


def _failed_cell(notebook: Path) -> FailedCell | None:
    """Find the last cell papermill started: where a failed or stopped run was."""
    if not notebook.is_file():
        return None
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    index, found = -1, None
    for cell in nb.get("cells", []):
        if _HIDDEN_TAGS & set(cell.get("metadata", {}).get("tags", [])):
            continue
        index += 1
        status = cell.get("metadata", {}).get("papermill", {}).get("status", "pending")
        if status != "pending" and cell.get("cell_type") == "code":
            source = cell.get("source", "")
            text = "".join(source) if isinstance(source, list) else source
            lines = [line for line in text.splitlines() if line.strip()]
            errors = [
                f"{o.get('ename', 'Error')}: {o.get('evalue', '')}"
                for o in cell.get("outputs", [])
                if o.get("output_type") == "error"
            ]
            first = lines[0].strip()[:80] if lines else ""
            found = FailedCell(index, first, errors[0] if errors else None)
    return found


def _explain(
    name: str,
    result: Mapping[str, Any],
    cell: FailedCell | None,
    *,
    cell_timeout: float,
    budget: float,
    budget_exceeded: bool,
) -> str:
    where = str(cell) if cell else "before the first cell (the kernel may not have started)"
    exc, message = result.get("exception", ""), str(result.get("message", "")).strip()
    if budget_exceeded:
        why = (
            f"the run exceeded its time budget of {budget:g} s while in {where} and was "
            "stopped; make the notebook faster or raise --budget"
        )
    elif exc == "CellTimeoutError":
        why = (
            f"{where} ran longer than the per-cell timeout of {cell_timeout:g} s; make that "
            "cell faster or raise --timeout-cell"
        )
    elif exc == "DeadKernelError":
        why = (
            f"the kernel died while running {where} (a crash, os._exit, or running out of "
            "memory); run the notebook in Jupyter to reproduce"
        )
    elif exc == "PapermillExecutionError":
        detail = cell.error if cell and cell.error else message.splitlines()[-1:]
        why = f"{where} raised {detail}; fix the cell or its inputs and run again"
    else:
        why = f"papermill stopped in {where} with {exc}: {message[:300]}"
    return f"report {name!r} failed: {why}."


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the worker (it saves the notebook and shuts its kernel down), then SIGKILL."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _execute(
    job: dict[str, Any], *, work: Path, budget: float, progress: bool
) -> tuple[dict[str, Any], bool]:
    """Run the worker; return its result and whether the budget was exceeded."""
    job_file = work / "job.json"
    job_file.write_text(json.dumps(job, indent=2), encoding="utf-8")
    # Imported here, not at the top: insights.publish.theme imports altair (~1.5 s), and notebooks
    # import this package for publish_table without needing the runner's dependencies.
    from insights.publish.theme import RENDERER_ENV  # noqa: PLC0415

    env = {**os.environ, RENDERER_ENV: "svg", "PYTHONUNBUFFERED": "1"}
    with (work / "worker.log").open("wb") as log:
        process = subprocess.Popen(
            # -P and a path (not -m): the worker imports papermill only, not all of insights
            [sys.executable, "-P", str(Path(__file__).with_name("_worker.py")), str(job_file)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=None if progress else log,
            env=env,
            start_new_session=True,
        )
        try:
            process.wait(timeout=budget)
            exceeded = False
        except subprocess.TimeoutExpired:
            _stop(process)
            exceeded = True
        except BaseException:
            _stop(process)
            raise
    result_file = Path(job["result"])
    if result_file.is_file():
        result: dict[str, Any] = json.loads(result_file.read_text(encoding="utf-8"))
    else:
        result = {"status": "failed", "exception": "Killed", "message": "worker was killed"}
    if exceeded:
        result["status"] = "failed"
    elif process.returncode != 0 and result["status"] == "ok":
        result = {"status": "failed", "exception": "WorkerError", "message": "worker crashed"}
    return result, exceeded


def _file_failure(
    *,
    out: Path,
    name: str,
    slug: str,
    build: Path,
    work: Path,
    explanation: str,
    details: Mapping[str, Any],
) -> Path:
    stamp = _now().strftime("%Y%m%dT%H%M%S%fZ")
    folder = out / FAILURES / name / f"{slug}-{stamp}"
    folder.mkdir(parents=True)
    if (build / NOTEBOOK_FILE).is_file():
        shutil.copy2(build / NOTEBOOK_FILE, folder / NOTEBOOK_FILE)
    if (work / "worker.log").is_file():
        shutil.copy2(work / "worker.log", folder / "worker.log")
    (folder / "error.txt").write_text(explanation + "\n", encoding="utf-8")
    (folder / "error.json").write_text(
        json.dumps({"explanation": explanation, **details}, indent=2, default=str) + "\n",
        encoding="utf-8",
    )
    return folder


def _exchange(src: Path, dst: Path) -> bool:
    """Swap two folders atomically with Linux ``renameat2(RENAME_EXCHANGE)``; False if absent."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    done = renameat2(at_fdcwd, os.fsencode(src), at_fdcwd, os.fsencode(dst), rename_exchange)
    return bool(done == 0)


def _publish(build: Path, target: Path) -> None:
    """Make ``build`` the folder at ``target``: readers see the old or the new, never a mix."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        os.rename(build, target)
        return
    if _exchange(build, target):
        shutil.rmtree(build)  # now holds the previous report
        return
    old = target.with_name(f".old-{target.name}-{uuid.uuid4().hex[:8]}")
    os.rename(target, old)
    try:
        os.rename(build, target)
    except OSError:
        os.rename(old, target)
        raise
    shutil.rmtree(old)


def _outputs(folder: Path) -> list[dict[str, Any]]:
    return [
        {"path": p.relative_to(folder).as_posix(), "bytes": p.stat().st_size, "sha256": _sha256(p)}
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MANIFEST_FILE
    ]


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


def run_report(
    name: str,
    params: Mapping[str, object] | None = None,
    *,
    data: str | Path | None = None,
    out: str | Path = "reports",
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
        The notebook failed, timed out, exceeded the budget, lost its kernel, or broke the
        privacy gate. The previous report stays; the failed notebook and an error summary
        are in ``<out>/_failures/<name>/``.

    """
    started = _now()
    for option, seconds in (("cell_timeout", cell_timeout), ("budget", budget)):
        if not seconds > 0:
            raise ParameterError(f"{option}={seconds!r}: give a positive number of seconds")
    cat = load_catalogue(catalogue)
    spec = cat.get(name)
    given, chosen = _split_data(params or {}, data)
    if not any(p.name == "data_path" for p in spec.params):
        given.pop("data_path", None)  # the notebook does not take it; the runner still uses it
    values = parse_params(spec, given)
    data_dir = Path(values.get("data_path", chosen or "data/sample"))
    check_params_against_data(spec, values, data=data_dir)
    if not spec.notebook.is_file():
        raise ReportError(
            f"report {name!r}: notebook {spec.notebook} does not exist; write it or fix "
            f"`notebook` in {cat.path}"
        )
    _check_kernel(kernel)

    out = Path(out)
    slug = report_slug(spec, values)
    target = out / name / slug
    files = data_files(spec, data=data_dir)
    prints = fingerprint(files, data=data_dir)
    notebook_hash = _sha256(spec.notebook)
    key = _run_key(values, prints["hash"], notebook_hash)
    previous = _published_manifest(target)
    if not force and previous is not None and _same_run(previous, key):
        return RunResult(name, slug, "skipped", target, previous)

    out.mkdir(parents=True, exist_ok=True)
    work = out / f".tmp-{name}-{slug}-{uuid.uuid4().hex[:8]}"
    build = work / "report"
    build.mkdir(parents=True)
    try:
        if any(p.name == "output_dir" for p in spec.params):
            values["output_dir"] = str(build.resolve())
        if any(p.name == "data_path" for p in spec.params):
            # Absolute: the project kernel starts in the project root, not the caller's folder.
            values["data_path"] = str(data_dir.resolve())
        job = {
            "input": str(spec.notebook.resolve()),
            "output": str((build / NOTEBOOK_FILE).resolve()),
            "parameters": values,
            "kernel": kernel,
            "cell_timeout": cell_timeout,
            "cwd": str(Path.cwd()),
            "progress": sys.stderr.isatty() if progress is None else progress,
            "result": str((work / "result.json").resolve()),
        }
        result, exceeded = _execute(job, work=work, budget=budget, progress=bool(job["progress"]))
        shown = {k: v for k, v in values.items() if k != "output_dir"}
        if result["status"] != "ok":
            cell = _failed_cell(build / NOTEBOOK_FILE)
            explanation = _explain(
                name,
                result,
                cell,
                cell_timeout=cell_timeout,
                budget=budget,
                budget_exceeded=exceeded,
            )
            folder = _file_failure(
                out=out,
                name=name,
                slug=slug,
                build=build,
                work=work,
                explanation=explanation,
                details={
                    "report": name,
                    "parameters": shown,
                    "cell": None
                    if cell is None
                    else {"index": cell.index, "line": cell.first_line},
                    "worker": result,
                    "started_at": _iso(started),
                    "failed_at": _iso(_now()),
                },
            )
            raise ReportError(
                f"{explanation} The last published report (if any) is unchanged; the executed "
                f"notebook and error summary are in {folder}/"
            )

        date_range = data_date_range(files)
        try:
            render_html(
                build / NOTEBOOK_FILE,
                build / HTML_FILE,
                title=spec.title,
                params=shown,
                date_range=date_range,
                generated_at=_iso(_now()),
            )
            floor = max(min_customers, int(values.get("min_customers", MIN_CUSTOMERS)))
            violations = check_privacy(
                build, customer_ids=customer_ids(data_dir), min_customers=floor
            )
        except ReportError as exc:
            folder = _file_failure(
                out=out,
                name=name,
                slug=slug,
                build=build,
                work=work,
                explanation=f"report {name!r} could not be finished: {exc}.",
                details={"report": name, "parameters": shown, "failed_at": _iso(_now())},
            )
            raise ReportError(
                f"report {name!r} could not be finished: {exc}. The last published report (if "
                f"any) is unchanged; the executed notebook is in {folder}/"
            ) from exc
        if violations:
            listed = "; ".join(str(v) for v in violations[:10])
            more = f" (and {len(violations) - 10} more)" if len(violations) > 10 else ""
            explanation = (
                f"report {name!r} failed the privacy gate and was not published: {listed}{more}."
            )
            folder = _file_failure(
                out=out,
                name=name,
                slug=slug,
                build=build,
                work=work,
                explanation=explanation,
                details={
                    "report": name,
                    "parameters": shown,
                    "violations": [str(v) for v in violations],
                    "failed_at": _iso(_now()),
                },
            )
            # the failed notebook may itself hold the leak: keep it out of a shared folder
            with contextlib.suppress(FileNotFoundError):
                (folder / NOTEBOOK_FILE).unlink()
            raise ReportError(
                f"{explanation} Fix the notebook; the last published report (if any) is "
                f"unchanged and the error summary is in {folder}/"
            )

        finished = _now()
        manifest = {
            "report": name,
            "title": spec.title,
            "slug": slug,
            "status": "success",
            "parameters": shown,
            "run_key": key,
            "notebook": {"path": spec.notebook.as_posix(), "sha256": notebook_hash},
            "kernel": kernel,
            "data": {"path": str(data_dir), "date_range": date_range, **prints},
            "outputs": _outputs(build),
            "privacy": {"min_customers": max(floor, MIN_CUSTOMERS), "violations": 0},
            "versions": _versions(),
            "git_commit": _git_commit(Path.cwd()),
            "started_at": _iso(started),
            "finished_at": _iso(finished),
            "duration_seconds": round((finished - started).total_seconds(), 3),
            "limits": {"cell_timeout_seconds": cell_timeout, "budget_seconds": budget},
        }
        (build / MANIFEST_FILE).write_text(
            json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8"
        )
        _publish(build, target)
        return RunResult(name, slug, "published", target, manifest)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if index:
            with contextlib.suppress(OSError):
                write_index(out)
