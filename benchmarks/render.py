"""Benchmark of report rendering: `insights report run` against the same calls in one process.

Run from the repository root::

    .venv/bin/python benchmarks/render.py            # both reports, 3 repeats
    .venv/bin/python benchmarks/render.py --quick    # smoke run: 1 repeat

For each catalogued report (``trending_spending``, ``contact_rate_forecast``) on the bundled
sample (``data/sample``), with the catalogue's default parameters, three variants are run
``--repeats`` times (default 3), each run a fresh process started by ``/usr/bin/time`` (wall
time and peak RSS), the variants interleaved in alternating order:

* ``render``: ``.venv/bin/insights report run NAME --force --data data/sample --out TMP``, the
  whole thing: CLI start, parameter and data checks, input fingerprint, papermill in a worker
  process with a fresh ``insights`` kernel (which draws every displayed chart to SVG),
  HTML export, privacy gate, atomic publish and ``index.html``;
* ``exec``: a fresh ``python`` that runs the notebook's code cells with ``exec`` in one
  namespace: the ``parameters`` cell, then ``data_path = "data/sample"`` and ``output_dir =
  TMP`` (what the runner injects), then every other code cell in order. These are exactly the
  notebook's library calls, including ``publish_table`` / ``publish_chart`` writing files, but
  nothing is displayed;
* ``display``: as ``exec`` but each cell goes through ``IPython``'s ``run_cell`` in a plain
  ``InteractiveShell``, so the last expression of a cell is formatted for display as a kernel
  would (all mime types: a frame's HTML, a chart drawn to SVG by vl-convert with the renderer
  the runner sets), without a kernel, papermill, nbconvert or the runner.

Reported per report: medians of the process wall time and of the peak RSS of each variant, the
time spent inside the notebook's cells (``render``: the sum of papermill's per-cell durations in
the executed notebook; ``exec``/``display``: timed in the process), and the overhead
``render - exec`` in seconds and as the ratio ``render / exec`` (and the same against
``display``, which separates the cost of drawing outputs from that of the machinery). The
table goes to stdout and to ``benchmarks/render_results.md`` (between the ``results`` markers).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from _common import machine, median, versions, write_results

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = Path("data/sample")  # relative to ROOT, as a user would type it
NOTEBOOKS = ROOT / "notebooks"
RENDER_PACKAGES = (
    "insights",
    "polars",
    "altair",
    "vl-convert-python",
    "papermill",
    "nbclient",
    "nbconvert",
    "ipykernel",
    "ipython",
)
HEADER = (
    "# Render benchmark\n\n"
    "`benchmarks/render.py` times `insights report run` on the sample against the "
    "notebook's own code cells run in one process (see the script's docstring). The "
    "block between the `results` markers is rewritten by each run.\n\n"
)
RESULTS = Path(__file__).resolve().parent / "render_results.md"
REPORTS = ("trending_spending", "contact_rate_forecast")
VARIANTS = ("render", "exec", "display")
RENDERER_ENV = (
    "INSIGHTS_ALTAIR_RENDERER"  # insights.publish.theme.RENDERER_ENV, set as the runner does
)


# --- the in-process variants (each runs in its own subprocess) -------------------------------


def _code_cells(report: str) -> tuple[str, list[str]]:
    """The notebook's ``parameters`` cell and its other code cells, in order."""
    notebook = json.loads((NOTEBOOKS / f"{report}.ipynb").read_text(encoding="utf-8"))
    parameters, cells = None, []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            parameters = source
        else:
            cells.append(source)
    if parameters is None:
        raise SystemExit(f"{report}: no cell tagged `parameters`")
    return parameters, cells


def child(mode: str, report: str, data: str, out_dir: Path, result: Path) -> None:
    """Run the notebook's code cells in this process; write the time spent in them."""
    parameters, cells = _code_cells(report)
    injected = f"data_path = {data!r}\noutput_dir = {str(out_dir)!r}\n"
    per_cell = []
    if mode == "exec":
        namespace: dict[str, object] = {"__name__": "__main__"}
        for source in [parameters, injected, *cells]:
            started = time.perf_counter()
            exec(compile(source, f"<{report}>", "exec"), namespace)
            per_cell.append(time.perf_counter() - started)
    else:
        from IPython.core.interactiveshell import InteractiveShell

        shell = InteractiveShell.instance()
        sink = io.StringIO()  # the displayhook prints the text/plain repr; keep it quiet
        for source in [parameters, injected, *cells]:
            started = time.perf_counter()
            with contextlib.redirect_stdout(sink):
                outcome = shell.run_cell(source, store_history=False, silent=False)
            per_cell.append(time.perf_counter() - started)
            outcome.raise_error()
    result.write_text(json.dumps({"cells": sum(per_cell), "per_cell": per_cell}))


# --- measuring -------------------------------------------------------------------------------


@dataclass
class Run:
    wall: float
    cpu: float
    cells: float
    peak_gb: float
    per_cell: list[float]


def _time_command(
    command: list[str], stats: Path, env: dict[str, str]
) -> tuple[float, float, float]:
    """Run ``command`` under ``/usr/bin/time``; return wall s, CPU s and peak RSS in GB.

    CPU (user + system) and peak RSS cover the process and the descendants it waited for
    (for ``render``: the worker and the kernel); peak RSS is that of the largest one.
    """
    timed = ["/usr/bin/time", "-f", "%e %U %S %M", "-o", str(stats), *command]
    done = subprocess.run(timed, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{done.stdout}\n{done.stderr}")
    wall, user, system, peak_kib = (float(x) for x in stats.read_text().split()[-4:])
    return wall, user + system, peak_kib / 1024**2


def _papermill_cells(out: Path, report: str) -> list[float]:
    """Papermill's duration of each code cell in the published notebook, in order.

    Papermill inserts its ``injected-parameters`` cell right after the ``parameters`` cell, so
    the list lines up with the in-process variants' (parameters, injected, other cells).
    """
    (notebook,) = (out / report).glob("*/report.ipynb")
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return [
        cell.get("metadata", {}).get("papermill", {}).get("duration") or 0.0
        for cell in cells
        if cell["cell_type"] == "code"
    ]


def measure(variant: str, report: str, data: str, work: Path) -> Run:
    """Run one variant once in a fresh process, in its own empty output folder."""
    out = work / f"{variant}-{report}"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    stats = work / "time.txt"
    env = dict(os.environ)
    if variant == "render":
        command = [
            str(Path(sys.executable).with_name("insights")),
            "report",
            "run",
            report,
            "--force",
            "--data",
            data,
            "--out",
            str(out),
        ]
        wall, cpu, peak = _time_command(command, stats, env)
        per_cell = _papermill_cells(out, report)
        return Run(wall=wall, cpu=cpu, cells=sum(per_cell), peak_gb=peak, per_cell=per_cell)
    env[RENDERER_ENV] = "svg"  # as the runner sets for its kernel
    result = work / "cells.json"
    command = [sys.executable, __file__, "--child", variant, report, data, str(out), str(result)]
    wall, cpu, peak = _time_command(command, stats, env)
    per_cell = json.loads(result.read_text())["per_cell"]
    return Run(wall=wall, cpu=cpu, cells=sum(per_cell), peak_gb=peak, per_cell=per_cell)


def _cell_table(report: str, runs: dict[str, list[Run]]) -> list[str]:
    """Markdown table of the median time of each code cell per variant."""
    _, cells = _code_cells(report)
    labels = ["parameters", "(injected parameters)", *(c.strip().splitlines()[0] for c in cells)]
    variants = list(runs)
    lines = [
        "",
        f"`{report}`:",
        "",
        "| # | cell | " + " | ".join(f"{v} s" for v in variants) + " |",
        "|---:|---|" + "---:|" * len(variants),
    ]
    if any(len(run.per_cell) != len(labels) for sel in runs.values() for run in sel):
        return [*lines[:3], "(cell counts differ between variants; per-cell table skipped)"]
    for i, label in enumerate(labels):
        shown = label if len(label) <= 60 else label[:57] + "..."
        medians = [statistics.median(run.per_cell[i] for run in runs[v]) for v in variants]
        lines.append(
            f"| {i} | `{shown.replace('|', '/')}` | "
            + " | ".join(f"{m:.2f}" for m in medians)
            + " |"
        )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="Run from the repository root: .venv/bin/python benchmarks/render.py",
    )
    parser.add_argument("--repeats", type=int, default=3, help="runs per variant (default 3)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 1 repeat")
    parser.add_argument(
        "--reports", default=",".join(REPORTS), help="comma-separated (default: both reports)"
    )
    parser.add_argument(
        "--variants", default=",".join(VARIANTS), help="comma-separated: render, exec, display"
    )
    parser.add_argument("--data", default=str(SAMPLE), help="data folder (default data/sample)")
    parser.add_argument("--no-write", action="store_true", help=f"do not write {RESULTS.name}")
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, report, data, out_dir, result = args.child
        os.chdir(ROOT)
        child(mode, report, data, Path(out_dir), Path(result))
        return 0
    if args.quick:
        args.repeats = 1
    if not (ROOT / args.data / "truth.json").is_file():
        raise SystemExit(f"{args.data}: no sample; make it with `insights sample --out {SAMPLE}`")
    variants = [v for v in args.variants.split(",") if v]
    if "render" not in variants or "exec" not in variants:
        raise SystemExit("--variants must include render and exec (the overhead is between them)")

    began = time.perf_counter()
    load_before = os.getloadavg()
    rows, cells_rows, cell_tables = [], [], []
    with tempfile.TemporaryDirectory(prefix="render-bench-") as tmp:
        work = Path(tmp)
        for report in args.reports.split(","):
            runs: dict[str, list[Run]] = {v: [] for v in variants}
            for repeat in range(args.repeats):
                order = variants if repeat % 2 == 0 else variants[::-1]
                for variant in order:
                    run = measure(variant, report, args.data, work)
                    runs[variant].append(run)
                    print(
                        f"{report:<22} {variant:<8} run {repeat + 1}: {run.wall:6.2f}s process, "
                        f"{run.cpu:6.2f}s CPU, {run.cells:6.2f}s in cells, {run.peak_gb:.2f} GB",
                        file=sys.stderr,
                        flush=True,
                    )
            base = median(runs["exec"], "wall")
            for variant in variants:
                sel = runs[variant]
                wall = median(sel, "wall")
                spread = f"{min(r.wall for r in sel):.1f}–{max(r.wall for r in sel):.1f}"
                rows.append(
                    f"| {report} | {variant} | {wall:.1f} | {spread} | {median(sel, 'cpu'):.1f} | "
                    f"{median(sel, 'cells'):.1f} | {median(sel, 'peak_gb'):.2f} | "
                    f"{wall - base:+.1f} | {wall / base:.2f}× |"
                )
            render = median(runs["render"], "wall")
            line = (
                f"| {report} | {render - base:.1f} | {render / base:.2f}× | "
                f"{median(runs['render'], 'cells') - median(runs['exec'], 'cells'):.1f} |"
            )
            if "display" in runs:
                shown = median(runs["display"], "wall")
                line += f" {render - shown:.1f} | {render / shown:.2f}× |"
            else:
                line += " - | - |"
            cells_rows.append(line)
            cell_tables += _cell_table(report, runs)
    load_after = os.getloadavg()
    command = " ".join([".venv/bin/python", "benchmarks/render.py", *sys.argv[1:]])
    lines = [
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}; total runtime "
        f"{time.perf_counter() - began:.0f}s; load average (1 min) {load_before[0]:.1f} "
        f"before, {load_after[0]:.1f} after.",
        "",
        f"Command: `{command}`",
        "",
        f"Versions: {versions(RENDER_PACKAGES)}.",
        "",
        f"Data: `{args.data}`; catalogue default parameters. Medians of {args.repeats} runs per "
        "variant, each a fresh process, variants interleaved. `process s`: wall time of the "
        "whole process (interpreter start and imports included); `in cells s`: time inside "
        "the notebook's code cells (render: papermill's per-cell durations, output drawing "
        "included); `CPU s`: user + system time of the process and its waited-for children "
        "(render: worker and kernel), less sensitive than wall time to other load on the "
        "machine; `vs exec`: difference and ratio of the process medians.",
        "",
        "| report | variant | process s | range s | CPU s | in cells s | peak RSS GB | vs exec s "
        "| vs exec ratio |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
        "Overhead of rendering (medians of process wall time):",
        "",
        "| report | render − exec s | render / exec | cells: render − exec s "
        "| render − display s | render / display |",
        "|---|---:|---:|---:|---:|---:|",
        *cells_rows,
        "",
        "Median seconds per code cell (render: papermill's duration, which includes drawing the "
        "cell's output in the kernel; exec: the bare statements; display: statements plus "
        "IPython output formatting):",
        *cell_tables,
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        write_results(RESULTS, HEADER, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
