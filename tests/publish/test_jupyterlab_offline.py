"""Charts show in JupyterLab with no network: run a notebook in JupyterLab in headless Chromium."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from chromium import Browser, need_chromium

from insights.reports.kernel import KERNEL_NAME

pytestmark = [pytest.mark.slow, pytest.mark.browser]

TOKEN = "insights-test"
CHART_CELL = """\
import altair as alt
import polars as pl
import insights as ins
sales = pl.DataFrame({"day": [1, 2, 3], "sales": [3, 5, 4]})
alt.Chart(sales).mark_line().encode(x="day:Q", y="sales:Q").properties(
    title="Sales peaked on day 2", description="Line of sales by day: 3, then 5, then 4."
)"""
# Control: altair's own default renderer loads vega from a CDN, which the blocked network
# refuses; the page must then say so, proving the check below can fail.
CDN_CELL = 'alt.renderers.enable("default")\nalt.Chart(sales).mark_bar().encode(x="day:O")'


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[str]:
    need_chromium()
    nb = nbformat.v4.new_notebook()  # type: ignore[no-untyped-call]
    nb.cells = [nbformat.v4.new_code_cell(CHART_CELL), nbformat.v4.new_code_cell(CDN_CELL)]  # type: ignore[no-untyped-call]
    nb.metadata["kernelspec"] = {
        "name": KERNEL_NAME,
        "display_name": "insights",
        "language": "python",
    }
    nbformat.write(nb, str(tmp_path / "chart.ipynb"))  # type: ignore[no-untyped-call]
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    env.pop("INSIGHTS_ALTAIR_RENDERER", None)  # as a user's JupyterLab: no report-run setting
    # A free port can be taken (e.g. by a kernel) before the server binds it: the server must
    # then fail, not move to the next port (port_retries=0), and we try again on another port.
    for attempt in range(3):
        port = _free_port()
        server = subprocess.Popen(
            [*_lab_command(tmp_path), f"--port={port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        base = f"http://127.0.0.1:{port}"
        if _ready(base, server):
            break
        server.terminate()
        server.wait(timeout=30)
        if attempt == 2:
            pytest.fail("JupyterLab did not start on any of three free ports")
    try:
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def _lab_command(root: Path) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        "--ip=127.0.0.1",
        "--ServerApp.port_retries=0",
        f"--ServerApp.token={TOKEN}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.expose_app_in_browser=True",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if os.geteuid() == 0:
        command.append("--allow-root")
    return command


def _ready(base: str, server: subprocess.Popen[bytes]) -> bool:
    """Wait until the server answers its status API; False if it exited or never answered."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=5):
                return True
        except (OSError, http.client.HTTPException):
            time.sleep(0.5)
    return False


def test_chart_renders_in_jupyterlab_without_network(lab: str, tmp_path: Path) -> None:
    browser = Browser(tmp_path / "chromium")
    try:
        browser.viewport(1280, 900)
        browser.goto(f"{lab}/lab/tree/chart.ipynb?token={TOKEN}")
        browser.wait_for(
            "window.jupyterapp && document.querySelector('.jp-Notebook .jp-Cell') !== null",
            timeout=120,
        )
        notebook = "Array.from(jupyterapp.shell.widgets('main')).find(w => w.sessionContext)"
        browser.wait_for(  # the kernel has started
            f"(() => {{ const w = {notebook}; const s = w && w.sessionContext.session;"
            " return s && s.kernel && s.kernel.status === 'idle'; })()",
            timeout=180,
        )
        browser.evaluate(f"jupyterapp.shell.activateById(({notebook}).id)")
        browser.evaluate("jupyterapp.commands.execute('notebook:run-all-cells')")
        outputs = "Array.from(document.querySelectorAll('.jp-Cell .jp-OutputArea'))"
        browser.wait_for(
            f"{outputs}.length === 2 && {outputs}[1].innerText.length > 0", timeout=180
        )
        first = browser.wait_for(
            f"(() => {{ const o = {outputs}[0];"
            " const img = o.querySelector('.jp-RenderedSVG img, .jp-RenderedSVG svg');"
            " return img && img.getBoundingClientRect().width > 100"
            " && {src: decodeURIComponent(img.src || img.outerHTML), text: o.innerText}; })()",
            timeout=60,
        )
        second = browser.evaluate(f"{outputs}[1].innerText")
    finally:
        browser.close()
    assert "Error loading script" not in first["text"]
    assert "Error" not in first["text"], first["text"][:500]
    # The chart is the SVG drawn in the kernel, labelled with its alt text.
    assert '<desc id="chart-desc">Line of sales by day: 3, then 5, then 4.</desc>' in first["src"]
    # The control cell (altair's CDN renderer) failed, so the network really was blocked.
    assert "Error loading script" in second or "cdn" in second.lower(), second[:300]
    assert all("jsdelivr" in u or "vega" in u for u in browser.requests_off_machine()), json.dumps(
        browser.requests_off_machine()
    )
