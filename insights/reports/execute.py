"""Executing a notebook in a worker process the runner can stop, and explaining failures.

The worker (:mod:`insights.reports._worker`) runs papermill in its own process group. The
runner stops that group when the budget runs out or when the runner itself is stopped
(SIGTERM, SIGHUP, Ctrl-C); if the runner is killed outright (SIGKILL) the worker gets SIGTERM
from the kernel (Linux ``PR_SET_PDEATHSIG``), shuts its Jupyter kernel down and removes the
build folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["FailedCell", "execute_notebook", "explain_failure", "failed_cell"]

_GRACE_SECONDS = 10.0
_HIDDEN_TAGS = {"injected-parameters", "papermill-error-cell-tag"}


@dataclass(frozen=True)
class FailedCell:
    """The cell a failed run stopped in, numbered as in the source notebook."""

    index: int
    first_line: str
    error: str | None = None

    def __str__(self) -> str:
        return f"cell {self.index} (`{self.first_line}`)"


def failed_cell(notebook: Path, /) -> FailedCell | None:
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


def explain_failure(
    name: str,
    result: Mapping[str, Any],
    cell: FailedCell | None,
    *,
    cell_timeout: float,
    budget: float,
    budget_exceeded: bool,
) -> tuple[str, str]:
    """Return (summary safe to publish, full explanation) of a failed execution."""
    where = str(cell) if cell else "before the first cell (the kernel may not have started)"
    exc, message = result.get("exception", ""), str(result.get("message", "")).strip()
    if budget_exceeded:
        why = safe = (
            f"the run exceeded its time budget of {budget:g} s while in {where} and was "
            "stopped; make the notebook faster or raise --budget"
        )
    elif exc == "CellTimeoutError":
        why = safe = (
            f"{where} ran longer than the per-cell timeout of {cell_timeout:g} s; make that "
            "cell faster or raise --timeout-cell"
        )
    elif exc == "DeadKernelError":
        why = safe = (
            f"the kernel died while running {where} (a crash, os._exit, or running out of "
            "memory); run the notebook in Jupyter to reproduce"
        )
    elif exc == "PapermillExecutionError":
        detail = cell.error if cell and cell.error else message.splitlines()[-1:]
        kind = cell.error.split(":", 1)[0] if cell and cell.error else "an error"
        why = f"{where} raised {detail}; fix the cell or its inputs and run again"
        safe = f"{where} raised {kind}; fix the cell or its inputs and run again"
    else:
        why = f"papermill stopped in {where} with {exc}: {message[:300]}"
        safe = f"papermill stopped in {where} with {exc}"
    return f"report {name!r} failed: {safe}.", f"report {name!r} failed: {why}."


def _stop(process: subprocess.Popen[bytes], work: Path) -> None:
    """SIGTERM the worker's group (it saves the notebook, stops its kernel), then SIGKILL.

    The ``stopping`` file tells the worker this is the runner stopping it (it reports back),
    not the runner dying (it cleans up after itself).
    """
    (work / "stopping").touch()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def execute_notebook(
    job: dict[str, Any], /, *, work: Path, budget: float, progress: bool
) -> tuple[dict[str, Any], bool]:
    """Run the worker on ``job``; return its result and whether the budget was exceeded."""
    job = {**job, "runner_pid": os.getpid(), "work": str(work.resolve())}
    job_file = work / "job.json"
    job_file.write_text(json.dumps(job, indent=2), encoding="utf-8")
    # Imported here, not at the top: insights.publish.theme imports altair (~1.5 s), and notebooks
    # import this package for publish_table without needing the runner's dependencies.
    from insights._common import PROGRESS_ENV  # noqa: PLC0415
    from insights.publish.theme import RENDERER_ENV  # noqa: PLC0415

    # no progress bars in a rendered report (insights._common.progress)
    env = {**os.environ, RENDERER_ENV: "svg", "PYTHONUNBUFFERED": "1", PROGRESS_ENV: "0"}
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
            _stop(process, work)
            exceeded = True
        except BaseException:
            _stop(process, work)
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
