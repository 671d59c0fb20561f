"""Where a run builds, where it publishes, and where private detail goes.

::

    <out>/                      the published root: only what passed the privacy gate
        <name>/<slug>/          a published report (swapped in atomically)
        _failures/<name>/...    redacted failure records (no identifiers, no counts)
        index.html
    <out>.private/              never published: same file system, so publishing is a rename
        builds/<name>-<slug>-<pid>-<hex>/   unfinished renders (removed when the run ends or dies)
        logs/<name>/<slug>-<time>/          full failure detail: notebook, worker log, traceback

A build belongs to the process id in its name; a build whose process is gone is removed by the
next run, so a run killed with SIGKILL leaves nothing behind in the published root and nothing
for long in the private one.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import sys
import uuid
from pathlib import Path

__all__ = [
    "build_folder",
    "logical_path",
    "private_root",
    "publish_folder",
    "sweep_stale_builds",
]

BUILDS = "builds"
LOGS = "logs"


def private_root(out: str | Path, /) -> Path:
    """Return the private sibling of the published root ``out``: ``<out>.private``.

    Examples
    --------
    >>> private_root("reports").as_posix()
    'reports.private'

    """
    out = Path(out)
    return out.with_name(f"{out.name}.private")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_stale_builds(out: str | Path, /) -> list[Path]:
    """Remove builds whose process is gone (a run killed before it could clean up)."""
    removed = []
    builds = private_root(out) / BUILDS
    for folder in sorted(builds.glob("*")) if builds.is_dir() else []:
        pid_text = folder.name.rsplit("-", 2)[-2] if folder.name.count("-") >= 2 else ""
        if pid_text.isdigit() and not _alive(int(pid_text)):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    # legacy builds inside the published root (before builds moved out)
    for folder in Path(out).glob(".tmp-*"):
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def build_folder(out: str | Path, /, *, name: str, slug: str) -> Path:
    """Create a fresh build folder for one run, outside the published root.

    The report itself is built in its ``report/`` subfolder (published by a rename); the job
    file, the worker's log and result stay beside it.
    """
    sweep_stale_builds(out)
    folder = private_root(out) / BUILDS / f"{name}-{slug}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    (folder / "report").mkdir(parents=True)
    return folder


def logical_path(path: str | Path, /) -> str:
    """Show a data folder without revealing the machine: relative to here, else its name.

    Examples
    --------
    >>> logical_path("data/sample")
    'data/sample'
    >>> logical_path("/somewhere/else/small")
    'small'

    """
    path = Path(path)
    with contextlib.suppress(ValueError):
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix() or "."
    return path.name if path.is_absolute() else path.as_posix()


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


def publish_folder(build: Path, target: Path, /) -> None:
    """Make ``build`` the folder at ``target``: readers see the old or the new, never a mix."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        os.rename(build, target)
        return
    if _exchange(build, target):
        shutil.rmtree(build)  # now holds the previous report
        return
    old = build.with_name(f".old-{target.name}-{uuid.uuid4().hex[:8]}")
    os.rename(target, old)
    try:
        os.rename(build, target)
    except OSError:
        os.rename(old, target)
        raise
    shutil.rmtree(old)
