"""Helpers shared by the benchmark scripts: machine description, versions, results files."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import statistics
from collections.abc import Iterable
from pathlib import Path
from typing import Any

START, END = "<!-- results:start -->", "<!-- results:end -->"


def median(runs: Iterable[Any], field: str) -> float:
    """Median of one measured field over repeated runs."""
    return statistics.median(getattr(run, field) for run in runs)


def versions(names: Iterable[str]) -> str:
    """``Python x.y.z, pkg version, ...`` for the results file."""
    listed = ", ".join(f"{name} {importlib.metadata.version(name)}" for name in names)
    return f"Python {platform.python_version()}, {listed}"


def machine(*, extra: str = "") -> str:
    """Processor, cores available to this process and RAM (plus ``extra``)."""
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    text = (
        f"{platform.machine()} {platform.system()}, nproc={len(os.sched_getaffinity(0))} "
        f"(cpu_count {os.cpu_count()}), {mem:.0f} GiB RAM"
    )
    return f"{text}, {extra}" if extra else text


def write_results(path: Path, header: str, text: str) -> None:
    """Rewrite the block between the results markers of ``path``, keeping the prose around it."""
    block = f"{START}\n{text.rstrip()}\n{END}"
    if path.is_file() and START in (old := path.read_text()) and END in old:
        before, rest = old.split(START, 1)
        after = rest.split(END, 1)[1]
        path.write_text(before + block + after)
    else:
        path.write_text(header + block + "\n")
