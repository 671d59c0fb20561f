"""Speed of ``insights.forecast``: seconds per series, and 50 series on every core.

Run from the repository root (Prophet is optional; without it its column is skipped)::

    nice -n 10 uv run --no-sync --with prophet python benchmarks/forecast_speed.py

Series: ``SERIES`` seeded synthetic lines (:func:`insights.synthetic_daily`), three years of
daily history each (a six-day or five-day week, England bank holidays, growth, AR(1) noise;
level, weekly shape and noise vary with the seed). Every forecast is the default
(``models="auto"``: model selection on 4 backtest windows, calibration on up to a year of
windows) for ``horizon=28`` open days.

Measured in one run, so that the ratios hold on a shared machine:

* **per series**: the first ``PER_SERIES`` series forecast one at a time in this process
  (``n_jobs=1``), wall and CPU seconds each, median over series; the same series with the
  previous settings (the code of commit ``BASELINE``, extracted with ``git archive`` and run
  in a subprocess, its own median), and with Prophet (country holidays, 1,000 predictive
  samples, as in ``benchmarks/forecast.py``).
* **all series**: every series one at a time (CPU seconds in all, the median per series)
  and in one ``forecast(..., n_jobs=-1)`` call, wall seconds (processes started inside the
  call included).

The table goes to stdout and between the ``results`` markers of
``benchmarks/forecast_speed_results.md``.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
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
COMMAND = "nice -n 10 uv run --no-sync --with prophet python benchmarks/forecast_speed.py"
BASELINE = "f509532"  # main before this session's speed work
SERIES = 50
PER_SERIES = 10
HORIZON = 28
DAYS = 3 * 365 + 1


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


def baseline(frame: pl.DataFrame) -> list[tuple[float, float]] | None:
    """The same forecasts with the code of commit ``BASELINE`` (``None`` without git)."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", BASELINE, "insights"],
            capture_output=True,
            check=False,
        )
        if archive.returncode:
            print(f"note: no git archive of {BASELINE}; baseline skipped", flush=True)
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
        print("note: prophet is not installed; skipped", flush=True)
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


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=SERIES, help="series in all")
    parser.add_argument("--per-series", type=int, default=PER_SERIES, help="baseline series")
    args = parser.parse_args()
    load_start = os.getloadavg()
    frame = make_series(args.series)
    few = frame.filter(pl.col("unique_id").is_in([f"s{i:02d}" for i in range(args.per_series)]))
    forecast(few.filter(pl.col("unique_id") == "s00").drop("unique_id").head(300), horizon=7)
    rows: list[tuple[str, str, str, str]] = []
    every = one_by_one(frame)
    print(f"one by one: {[round(c, 2) for _, c in every]} CPU s", flush=True)
    new = every[: args.per_series]
    per = {"insights default (this code)": new}
    old = baseline(few)
    if old is not None:
        per[f"insights default ({BASELINE}, before)"] = old
    fitted = prophet(few)
    if fitted is not None:
        per["Prophet + holidays"] = fitted
    ref = statistics.median(w for w, _ in new)
    for name, runs in per.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        rows.append((name, f"{wall:.2f}", f"{cpu:.2f}", f"{wall / ref:.2f}"))
        print(rows[-1], flush=True)
    started = time.perf_counter()
    forecast(frame, horizon=HORIZON, n_jobs=-1)
    parallel = time.perf_counter() - started
    serial = sum(w for w, _ in every)
    cpu_all = sum(c for _, c in every)
    all_median = statistics.median(c for _, c in every)
    print(f"{args.series} series: n_jobs=-1 {parallel:.1f}s, one by one {serial:.1f}s", flush=True)
    load_end = os.getloadavg()
    loads = " and ".join("/".join(f"{x:.1f}" for x in v) for v in (load_start, load_end))
    text = "\n".join(
        [
            f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}; load average "
            f"(1/5/15 min) {loads} at the start / end (other work shared the machine: "
            "compare ratios and CPU seconds, not wall seconds).",
            "",
            f"Command: `{COMMAND}`",
            "",
            f"Versions: {versions(['polars', 'numpy', 'scipy', 'statsmodels'])}.",
            "",
            f"Per series ({args.per_series} three-year series, `horizon={HORIZON}`, one at a time "
            "in one process; median over series):",
            "",
            "| method | wall s | CPU s | wall / this code's |",
            "|---|---:|---:|---:|",
            *[f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows],
            "",
            f"All {args.series} series: median CPU {all_median:.2f} s per series, "
            f"{cpu_all:.0f} CPU s in all one by one ({serial:.0f} s wall); in one `forecast` "
            f"call with `n_jobs=-1` ({os.cpu_count()} processes, start-up included) "
            f"**{parallel:.1f} s** wall ({serial / parallel:.2f}× faster than one by one).",
        ]
    )
    write_results(RESULTS, "# Forecast speed benchmark\n\n", text)
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
