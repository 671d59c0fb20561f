"""A report run that is killed takes its worker and kernel with it and leaves no build behind.

Real processes: ``insights report run`` in a subprocess, killed with SIGTERM or SIGKILL while
its notebook sleeps in a cell.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_reports_run import CATALOGUE, write_data

from insights.reports.folders import private_root

pytestmark = pytest.mark.slow


def _children(pid: int) -> set[int]:
    """Every descendant of ``pid``, from /proc."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_for(condition: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.2)
    return False


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL])
def test_killing_the_runner_stops_the_render_and_leaves_nothing(
    tmp_path: Path, signum: int
) -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("the parent-death signal and /proc are Linux features")
    data = write_data(tmp_path / "data")
    out = tmp_path / "reports"
    runner = subprocess.Popen(
        [
            *(sys.executable, "-m", "insights.cli", "report", "run", "slow"),
            *("--catalogue", str(CATALOGUE), "--data", str(data), "--out", str(out)),
            *("--timeout-cell", "120"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    builds = private_root(out) / "builds"
    # wait until the kernel is up and sleeping in the cell: runner → worker → kernel
    assert _wait_for(lambda: len(_children(runner.pid)) >= 2, 60), "the render never started"
    assert _wait_for(lambda: any(builds.glob("*/report/report.ipynb")), 60)
    descendants = _children(runner.pid)
    os.kill(runner.pid, signum)
    runner.wait(timeout=30)
    assert _wait_for(lambda: not any(_alive(p) for p in descendants), 30), (
        "worker or kernel outlived the runner"
    )
    assert _wait_for(lambda: not any(builds.glob("*")), 30), "a build folder was left behind"
    assert not list(out.glob(".tmp-*"))
    assert not (out / "slow").exists()
