"""Execute one notebook with papermill, in a process the runner can kill.

Run as ``python -P path/to/_worker.py JOB.json`` (standard library and papermill only, so it
starts fast). The job names the input and output
notebooks, the parameters, the kernel, the per-cell timeout and the working folder. The
outcome (``ok`` or the exception's class and message) is written to the job's
``result`` file; the runner reads it together with the executed notebook, which papermill
saves at every cell start, so that even a killed run shows the cell it was in.

The worker dies with its runner: on Linux it asks for SIGTERM when the runner exits
(``PR_SET_PDEATHSIG``), and SIGTERM stops papermill, which shuts the kernel down (the kernel
also watches its parent and exits when the worker is gone). A worker whose runner died
removes the run's build folder itself, so nothing unfinished is left behind.
"""

from __future__ import annotations

import atexit
import ctypes
import json
import os
import shutil
import signal
import sys
import traceback
from pathlib import Path
from types import FrameType
from typing import Any

__all__ = ["main"]


_PR_SET_PDEATHSIG = 1
STOPPING = "stopping"  # the file the runner writes in the work folder before stopping a worker


class Stopped(Exception):
    """Raised in the worker on SIGTERM: the runner stopped it, or the runner died."""


_SIGNALLED: list[int] = []


def _on_term(signum: int, frame: FrameType | None) -> None:
    _SIGNALLED.append(signum)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # once is enough: let the kernel stop
    raise Stopped("stopped by the runner (time budget exceeded or run stopped)")


def _die_with_parent(runner_pid: int) -> None:
    """Ask Linux for SIGTERM when the runner exits; exit now if it already has."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != runner_pid:
        raise Stopped("the runner exited before the worker started")


def _orphaned(job: dict[str, Any]) -> bool:
    """Whether the runner is gone (so the worker must clean up after itself).

    The runner marks a deliberate stop with a ``stopping`` file before signalling; a SIGTERM
    without it is the parent-death signal. (The parent id alone is not enough: when the
    runner's forking thread dies first, Linux hands the worker to a sibling thread of the same
    dying process, so ``getppid()`` still shows the runner for a moment.)
    """
    if "runner_pid" not in job:
        return False
    if os.getppid() != job["runner_pid"]:
        return True
    return bool(_SIGNALLED) and not (Path(job["work"]) / STOPPING).exists()


def _clean_up_if_orphaned(job: dict[str, Any]) -> None:
    if _orphaned(job):
        shutil.rmtree(job["work"], ignore_errors=True)


def _execute(job: dict[str, Any]) -> None:
    import papermill  # noqa: PLC0415 - only the worker process needs it

    papermill.execute_notebook(
        job["input"],
        job["output"],
        parameters=job["parameters"],
        kernel_name=job["kernel"],
        execution_timeout=job["cell_timeout"],
        # a fixed width: tqdm draws nothing when it cannot measure the terminal
        progress_bar={"ncols": 88} if job["progress"] else False,
        cwd=job["cwd"],
        autosave_cell_every=1,
        report_mode=False,
        log_output=False,
    )


def main(argv: list[str] | None = None) -> int:
    """Run the job file named by ``argv[0]``; return 0 on success, 1 on failure."""
    args = sys.argv[1:] if argv is None else argv
    job = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    signal.signal(signal.SIGTERM, _on_term)
    # however the worker ends (a second signal, an error while stopping), an orphan cleans up
    atexit.register(_clean_up_if_orphaned, job)
    result: dict[str, Any]
    try:
        if "runner_pid" in job:
            _die_with_parent(job["runner_pid"])
        _execute(job)
        result = {"status": "ok"}
    except BaseException as exc:  # every failure goes to the runner
        result = {
            "status": "failed",
            "exception": type(exc).__name__,
            "module": type(exc).__module__,
            "message": str(exc)[:4000],
            "traceback": traceback.format_exc()[-8000:],
        }
    if _orphaned(job):  # nobody will publish or clean up: leave nothing behind
        shutil.rmtree(job["work"], ignore_errors=True)
        return 1
    Path(job["result"]).write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0 if result["status"] == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
