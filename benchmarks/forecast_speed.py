"""Speed of ``insights.forecast`` against the issue #13 targets, on two cores.

Run from the repository root, on an otherwise idle machine (a few minutes)::

    uv run --no-sync python benchmarks/forecast_speed.py

Targets (issue #13): median fit + selection + calibration **≤ 1 CPU s per series**, and
**50 series in under 30 s** wall in one ``forecast(..., n_jobs=-1)`` call using both cores.

Series: ``--series`` (50) seeded synthetic lines (:func:`insights.synthetic_daily`), three
years of daily history each (a six-day or five-day week, England bank holidays, growth, AR(1)
noise; level, weekly shape and noise vary with the seed). Every forecast is the default
(``models="auto"``: model selection on 4 backtest windows, calibration on up to a year of
windows) for ``horizon=28`` open days.

Measured, in this order:

1. **per series**: every series forecast one at a time in this process (``n_jobs=1``), CPU
   seconds each (``time.process_time``: this process's user + system time, so other work on a
   shared machine inflates it far less than wall time): median, range and total.
2. **all series at once**: one ``forecast(frame, horizon=28, n_jobs=-1)`` call, wall seconds
   from the call to its return (worker processes started inside the call included), and the
   CPU seconds of this process and of its worker processes (read from ``/proc`` while they
   run, so Linux only; the last tenth of a second of each worker can be missed).

``--compare`` also times the code of commit ``--baseline`` (extracted with ``git archive``,
run in a subprocess) and Prophet with country holidays on the first ``--per-series`` series,
one at a time, for a "before" column. The load average at the start and end is printed and
written with the results: on a busy machine read CPU seconds, not wall seconds. The table goes
to stdout and between the ``results`` markers of ``benchmarks/forecast_speed_results.md``
(``--dry-run``: stdout only).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, versions, write_results

from insights import forecast, synthetic_daily

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "forecast_speed_results.md"
COMMAND = "uv run --no-sync python benchmarks/forecast_speed.py"
BASELINE = "259c83b"  # main at the start of the second speed session
SERIES = 50
PER_SERIES = 10
HORIZON = 28
DAYS = 3 * 365 + 1
TARGET_CPU = 1.0  # CPU s per series (median)
TARGET_WALL = 30.0  # wall s for SERIES series with n_jobs=-1


def make_series(n: int) -> pl.DataFrame:
    """``unique_id``, ``ds``, ``y``: ``n`` seeded three-year lines."""
    rng = np.random.default_rng(2026)
    parts = []
    for i in range(n):
        shape = rng.uniform(0.7, 1.4, 7)
        shape[6] = 0.0  # Sundays closed
        if i % 3 == 0:
            shape[5] = 0.0  # and Saturdays for a third of them
        parts.append(
            synthetic_daily(
                start=date(2022, 9, 1),
                days=DAYS,
                level=float(rng.uniform(50, 2000)),
                weekly=tuple(float(x) for x in shape),
                noise=float(rng.uniform(0.03, 0.08)) * 300,
                seed=i,
            ).with_columns(unique_id=pl.lit(f"s{i:02d}"))
        )
    return pl.concat(parts).select("unique_id", "ds", "y")


def one_by_one(frame: pl.DataFrame) -> list[tuple[float, float]]:
    """Wall and CPU seconds of each series' default forecast, in this process."""
    out = []
    for _, part in frame.partition_by("unique_id", maintain_order=True, as_dict=True).items():
        started, cpu = time.perf_counter(), time.process_time()
        forecast(part.drop("unique_id"), horizon=HORIZON)
        out.append((time.perf_counter() - started, time.process_time() - cpu))
    return out


class DescendantCPU:
    """CPU seconds (user + system) of this process's descendants while the block runs.

    A thread reads ``/proc/<pid>/stat`` of every descendant every ``interval`` seconds and
    keeps each one's last value, so processes that start and end inside the block count
    (up to ``interval`` of each one's last CPU can be missed). ``None`` without ``/proc``.
    """

    def __init__(self, interval: float = 0.1) -> None:
        self.interval = interval
        self.seen: dict[int, float] = {}
        self._stop = threading.Event()
        self._tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> DescendantCPU:
        self.before = self._snapshot()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def seconds(self) -> float | None:
        if not Path("/proc/self/stat").exists():
            return None
        return sum(v - self.before.get(pid, 0.0) for pid, v in self.seen.items())

    def _stat(self, pid: int) -> tuple[int, float] | None:
        try:
            text = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return None
        fields = text.rsplit(")", 1)[1].split()
        return int(fields[1]), (int(fields[11]) + int(fields[12])) / self._tick

    def _snapshot(self) -> dict[int, float]:
        if not Path("/proc").is_dir():
            return {}
        parents: dict[int, int] = {}
        cpu: dict[int, float] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and (stat := self._stat(int(entry.name))):
                parents[int(entry.name)], cpu[int(entry.name)] = stat
        me, out = os.getpid(), {}
        for pid, seconds in cpu.items():
            p = parents.get(pid)
            while p and p != me:
                p = parents.get(p)
            if p == me:
                out[pid] = seconds
        return out

    def _run(self) -> None:
        known: set[int] = set()
        rescan = 0.0
        while not self._stop.wait(self.interval):
            if time.monotonic() >= rescan:  # a full /proc scan finds new workers, once a second
                current = self._snapshot()
                known |= set(current)
                self.seen.update(current)
                rescan = time.monotonic() + 1.0
                continue
            for pid in known:
                if stat := self._stat(pid):
                    self.seen[pid] = stat[1]


_OLD = """
import json, sys, time, warnings
import polars as pl
warnings.simplefilter("ignore")
from insights import forecast
frame = pl.read_parquet(sys.argv[1])
forecast(frame.filter(pl.col("unique_id") == "s00").drop("unique_id").head(300), horizon=7)
out = []
for _, part in frame.partition_by("unique_id", maintain_order=True, as_dict=True).items():
    started, cpu = time.perf_counter(), time.process_time()
    forecast(part.drop("unique_id"), horizon=int(sys.argv[2]))
    out.append((time.perf_counter() - started, time.process_time() - cpu))
print(json.dumps(out))
"""


def baseline(frame: pl.DataFrame, commit: str) -> list[tuple[float, float]] | None:
    """The same forecasts with the code of ``commit`` (``None`` without git)."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", commit, "insights"],
            capture_output=True,
            check=False,
        )
        if archive.returncode:
            print(f"note: no git archive of {commit}; baseline skipped", flush=True)
            return None
        subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)
        data = Path(tmp) / "series.parquet"
        frame.write_parquet(data)
        done = subprocess.run(
            [sys.executable, "-c", _OLD, str(data), str(HORIZON)],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONPATH": tmp},
            cwd=tmp,
        )
    return [tuple(x) for x in json.loads(done.stdout.strip().splitlines()[-1])]


def prophet(frame: pl.DataFrame) -> list[tuple[float, float]] | None:
    try:
        import logging

        from prophet import Prophet
    except ImportError:
        print("note: prophet is not installed (uv run --with prophet); skipped", flush=True)
        return None
    logging.getLogger("cmdstanpy").setLevel(logging.WARNING)
    logging.getLogger("prophet").setLevel(logging.WARNING)
    out = []
    for _, part in frame.partition_by("unique_id", maintain_order=True, as_dict=True).items():
        started, cpu = time.perf_counter(), time.process_time()
        model = Prophet(uncertainty_samples=1000)
        model.add_country_holidays(country_name="GB")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(part.select(pl.col("ds").cast(pl.Datetime("ns")), "y").to_pandas())
            future = model.make_future_dataframe(HORIZON + HORIZON // 5, include_history=False)
            model.predictive_samples(future)
        out.append((time.perf_counter() - started, time.process_time() - cpu))
    return out


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def _met(ok: bool) -> str:
    return "**met**" if ok else "**missed**"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=SERIES, help="series in all (50)")
    parser.add_argument(
        "--compare", action="store_true", help="also time --baseline and Prophet (slower)"
    )
    parser.add_argument("--baseline", default=BASELINE, help="commit for --compare")
    parser.add_argument("--per-series", type=int, default=PER_SERIES, help="series for --compare")
    parser.add_argument("--dry-run", action="store_true", help="do not write the results file")
    args = parser.parse_args()
    load_start = _load()
    print(f"load average (1/5/15 min) at the start: {load_start}", flush=True)
    frame = make_series(args.series)
    # warm-up: imports and first-call costs are not the series' (a report pays them once)
    forecast(frame.filter(pl.col("unique_id") == "s00").drop("unique_id").head(300), horizon=7)

    every = one_by_one(frame)
    cpu = [c for _, c in every]
    cpu_median = statistics.median(cpu)
    print(f"one by one: CPU s {[round(c, 2) for c in cpu]}", flush=True)
    print(
        f"per series: median {cpu_median:.2f} CPU s (range {min(cpu):.2f}-{max(cpu):.2f}), "
        f"{sum(cpu):.1f} CPU s in all, {sum(w for w, _ in every):.1f} s wall",
        flush=True,
    )

    workers = os.cpu_count() or 1
    own = time.process_time()
    with DescendantCPU() as children:
        started = time.perf_counter()
        forecast(frame, horizon=HORIZON, n_jobs=-1)
        parallel = time.perf_counter() - started
    own = time.process_time() - own
    child = children.seconds
    cpu_text = (
        f"{own + child:.1f} CPU s ({child:.1f} in the workers, {own:.1f} in this process)"
        if child is not None
        else f"{own:.1f} CPU s in this process (workers not measured: no /proc)"
    )
    print(
        f"{args.series} series, n_jobs=-1 ({workers} processes): {parallel:.1f} s wall, {cpu_text}",
        flush=True,
    )

    rows: list[str] = []
    if args.compare:
        few = frame.filter(pl.col("unique_id").is_in([f"s{i:02d}" for i in range(args.per_series)]))
        per = {"insights default (this code)": every[: args.per_series]}
        old = baseline(few, args.baseline)
        if old is not None:
            per[f"insights default ({args.baseline}, before)"] = old
        fitted = prophet(few)
        if fitted is not None:
            per["Prophet + holidays (Stan's CPU uncounted)"] = fitted
        rows += [
            "",
            f"Compared on the first {args.per_series} series, one at a time (median):",
            "",
            "| method | CPU s | wall s |",
            "|---|---:|---:|",
        ]
        for name, runs in per.items():
            c = statistics.median(x for _, x in runs)
            w = statistics.median(x for x, _ in runs)
            rows.append(f"| {name} | {c:.2f} | {w:.2f} |")
            print(rows[-1], flush=True)

    load_end = _load()
    print(f"load average (1/5/15 min) at the end: {load_end}", flush=True)
    text = "\n".join(
        [
            f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}; load average "
            f"(1/5/15 min) {load_start} at the start, {load_end} at the end.",
            "",
            f"Command: `{COMMAND}{' --compare' if args.compare else ''}`"
            + (f" (`--series {args.series}`)" if args.series != SERIES else ""),
            "",
            f"Versions: {versions(['polars', 'numpy', 'scipy', 'statsmodels'])}.",
            "",
            f"Three-year daily series, `horizon={HORIZON}`, the default forecast "
            "(selection on 4 windows, calibration on up to a year of windows).",
            "",
            "| target | measured | |",
            "|---|---|---|",
            f"| median fit + selection + calibration ≤ {TARGET_CPU:g} CPU s per series | "
            f"**{cpu_median:.2f} CPU s** (range {min(cpu):.2f}-{max(cpu):.2f}, "
            f"{len(cpu)} series one at a time; {sum(cpu):.0f} CPU s in all) | "
            f"{_met(cpu_median <= TARGET_CPU)} |",
            f"| {SERIES} series in < {TARGET_WALL:g} s using both cores | "
            f"**{parallel:.1f} s** wall for {args.series} series in one "
            f"`forecast(..., n_jobs=-1)` call ({workers} processes, start-up included); "
            f"{cpu_text} | "
            + (
                _met(parallel < TARGET_WALL)
                if args.series == SERIES
                else f"not the target ({args.series} series)"
            )
            + " |",
            *rows,
        ]
    )
    print(text)
    if not args.dry_run:
        write_results(RESULTS, "# Forecast speed benchmark\n\n", text)
        print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
