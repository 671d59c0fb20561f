"""Regressions found by the property tests (test_properties.py), each on a small readable frame."""

from __future__ import annotations

import warnings
from datetime import date

import polars as pl

from insights.errors import ShortHistoryWarning
from insights.forecasting.forecaster import forecast


def _weekdays(first: date, last: date) -> pl.Series:
    days = pl.date_range(first, last, eager=True)
    return days.filter(days.dt.weekday() <= 5)


def test_a_95_interval_is_wider_than_the_80_one_on_few_backtest_days() -> None:
    # Monday–Friday: five weeks each one higher than the last, then a week 30 higher. With
    # horizon 2 the short-history backtest has 8 days, too few to see a 95% quantile; the
    # 95% interval was the 80% one (both the largest error seen).
    ys = [100.0 + week for week in range(5) for _ in range(5)] + [130.0] * 5
    hist = pl.DataFrame({"ds": _weekdays(date(2025, 1, 6), date(2025, 2, 14)), "y": ys})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ShortHistoryWarning)
        fc = forecast(hist, horizon=2, models="snaive", holidays=None)
    assert (fc["hi_95"] > fc["hi_80"]).all()
    assert (fc["lo_95"] <= fc["lo_80"]).all()


def test_months_missing_do_not_close_an_evening_only_saturday() -> None:
    # Monday–Friday 100 contacts, Saturday evenings 15, Sundays closed; April to August missing
    days = pl.date_range(date(2025, 1, 6), date(2025, 11, 2), eager=True)
    wd = pl.col("ds").dt.weekday()
    hist = (
        pl.DataFrame({"ds": days})
        .with_columns(y=pl.when(wd == 7).then(None).when(wd == 6).then(15.0).otherwise(100.0))
        .filter(~pl.col("ds").is_between(date(2025, 3, 31), date(2025, 8, 31)))
    )
    fc = forecast(hist, horizon=6, models="snaive", holidays=None)
    assert fc["ds"].dt.weekday().to_list() == [1, 2, 3, 4, 5, 6]
    assert fc["mean"].to_list() == [100.0] * 5 + [15.0]
