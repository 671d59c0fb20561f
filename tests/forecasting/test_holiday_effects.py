"""Holiday effects by name: labels around holidays, effects learnt per label, in forecasts."""

from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from insights.forecasting._holiday_effects import (  # noqa: PLC2701 (the estimator's own tests)
    holiday_effect,
)
from insights.forecasting._holidays import holiday_labels  # noqa: PLC2701 (the labels' own tests)
from insights.forecasting.forecaster import forecast
from insights.forecasting.regressors import public_holidays
from insights.forecasting.synthetic import synthetic_daily


def _effect(y: list[float], labels: dict[int, str], future: dict[int, str]) -> np.ndarray:
    """Relative holiday effect per day from ``holiday_effect`` on ``y`` with ``labels`` (day
    → label; "+1" marks a nearby day) and ``future`` labels on the days after ``y`` (their
    positions count on from ``len(y)``)."""
    names, offsets = _labelled(max(future) + 1, {**labels, **future})
    learnt = holiday_effect(np.array(y, dtype=np.float64), names, offsets)
    # the change taken off each training day is its ratio times its baseline
    np.testing.assert_allclose(learnt.history[list(labels)], 100 * learnt.ratio[list(labels)])
    return learnt.ratio


def _labelled(days: int, labels: dict[int, str]) -> tuple[np.ndarray, np.ndarray]:
    names = np.full(days, None, dtype=object)
    offsets = np.zeros(days)
    for day, label in labels.items():
        names[day] = label
        offsets[day] = 1.0 if label.endswith("+1") else 0.0
    return names, offsets


def _flat(weeks: int, level: float = 100.0) -> list[float]:
    return [level] * (7 * weeks)


def test_two_named_holidays_with_opposite_effects_each_get_their_own() -> None:
    # "Down" halves the day, "Up" adds half; the old shared flag gave both their mean, 0
    y = _flat(10)
    labels = {10: "Down", 31: "Down", 52: "Up", 59: "Up"}
    for day, label in labels.items():
        y[day] = 50.0 if label == "Down" else 150.0
    out = _effect(y, labels, {71: "Down", 72: "Up"})
    assert out[[10, 31, 52, 59]].tolist() == [-0.5, -0.5, 0.5, 0.5]
    assert out[[71, 72]].tolist() == [-0.5, 0.5]
    assert np.count_nonzero(out) == 6


def test_a_holiday_seen_once_gets_the_shared_effect() -> None:
    # the shared effect is the mean over every open holiday: (-0.5 - 0.5 - 0.9) / 3
    y = _flat(10)
    labels = {10: "Down", 31: "Down", 45: "Once"}
    y[10] = y[31] = 50.0
    y[45] = 10.0
    out = _effect(y, labels, {71: "Once", 72: "Down", 73: "Never seen"})
    shared = (-0.5 - 0.5 - 0.9) / 3
    assert out[[71, 72, 73]] == pytest.approx([shared, -0.5, shared])


def test_an_effect_within_the_day_to_day_noise_is_dropped() -> None:
    rng = np.random.default_rng(1)
    y = list(100 * (1 + rng.normal(0, 0.05, 7 * 12)))
    labels = {14: "Down", 35: "Down", 56: "Down", 15: "Down +1", 36: "Down +1", 57: "Down +1"}
    for day in (14, 35, 56):
        y[day] = 50.0
    for day in (15, 36, 57):  # 1% above the same weekday's neighbours: noise
        base = np.mean([y[day + k] for k in (-21, -14, -7, 7, 14, 21)])
        y[day] = 1.01 * base
    learnt = holiday_effect(np.array(y), *_labelled(86, {**labels, 84: "Down", 85: "Down +1"}))
    assert learnt.ratio[85] == 0.0
    assert -0.55 < learnt.ratio[84] < -0.45  # the clear effect is kept (shrunk by under 1%)


def test_sparse_counts_judge_the_noise_by_their_spread() -> None:
    # a rare reason: 1 contact a day, but 0 or 2 on one weekday (over half the days are
    # alike, so the median absolute deviation is 0); a nearby day at 2 three times is +100%
    y = [1.0] * 84
    for day in range(3, 84, 7):
        y[day] = 0.0 if day % 2 else 2.0
    labels = {15: "Up +1", 36: "Up +1", 57: "Up +1"}
    for day in labels:
        y[day] = 2.0
    learnt = holiday_effect(np.array(y), *_labelled(86, {**labels, 85: "Up +1"}))
    # shrunk by the ratios' plain variance (the MAD alone would keep the whole +100%)
    assert 0.5 < learnt.ratio[85] < 0.99


def test_the_history_loses_each_effect_in_units_of_its_own_weekday() -> None:
    # weekdays 100, weekends 50 (days 5 and 6 of each week); "Down" halves a day
    y = [50.0 if d % 7 >= 5 else 100.0 for d in range(70)]
    labels = {8: "Down", 29: "Down", 47: "Down", 54: "Down"}  # two weekdays, two weekend days
    for day in labels:
        y[day] /= 2
    learnt = holiday_effect(np.array(y), *_labelled(72, {**labels, 71: "Down"}))
    assert learnt.ratio[71] == -0.5
    assert learnt.history[[8, 29, 47, 54]].tolist() == [-50.0, -50.0, -25.0, -25.0]


def test_labels_name_the_nearest_holiday_and_the_days_from_it() -> None:
    days = pl.DataFrame({"ds": pl.date_range(date(2025, 4, 15), date(2025, 4, 24), eager=True)})
    out = holiday_labels(days, country="GB", subdiv=None, days=2)
    expected = days.with_columns(
        holiday_offset=pl.Series([None, -2, -1, 0, 1, -1, 0, 1, 2, None], dtype=pl.Int8),
        holiday_label=pl.Series(
            [
                None,
                "Good Friday -2",
                "Good Friday -1",
                "Good Friday",
                "Good Friday +1",
                "Easter Monday -1",  # Easter Sunday: one day before Easter Monday
                "Easter Monday",
                "Easter Monday +1",
                "Easter Monday +2",
                None,
            ]
        ),
    )
    assert_frame_equal(out.sort("ds"), expected)


def test_labels_without_a_holiday_calendar_are_null() -> None:
    days = pl.DataFrame({"ds": [date(2025, 12, 25)]})
    out = holiday_labels(days, country=None, subdiv=None, days=3)
    assert out.row(0) == (date(2025, 12, 25), None, None)


def test_forecast_gets_two_opposite_holiday_effects_right() -> None:
    """A line open on holidays: Christmas Day at 40% of a usual day, Boxing Day at 160%."""
    weekly = (1.2, 1.1, 1.0, 1.0, 0.9, 0.6, 0.5)
    full = synthetic_daily(
        start=date(2022, 11, 1),
        days=3 * 365 + 60,
        weekly=weekly,
        catch_up=0.0,
        holidays_open=1.0,
        noise=6.0,
        seed=5,
    )
    days = public_holidays(range(2022, 2027))  # observed days count as their holiday
    on = {
        name: days.filter(pl.col("holiday").str.starts_with(name))["ds"].implode()
        for name in ("Christmas Day", "Boxing Day")
    }
    factor = (
        pl.when(pl.col("ds").is_in(on["Christmas Day"]))
        .then(0.4)
        .when(pl.col("ds").is_in(on["Boxing Day"]))
        .then(1.6)
        .otherwise(1.0)
    )
    full = full.with_columns(pl.col("y") * factor)
    origin = date(2025, 12, 10)
    fc = forecast(full.filter(pl.col("ds") <= origin), horizon=28, models="uc", calibrate=False)
    mean = dict(zip(fc["ds"].to_list(), fc["mean"].to_list(), strict=True))
    usual = {
        d: np.mean([mean[d - timedelta(days=7)], mean[d + timedelta(days=7)]])
        for d in (date(2025, 12, 25), date(2025, 12, 26))
    }
    assert mean[date(2025, 12, 25)] / usual[date(2025, 12, 25)] == pytest.approx(0.4, abs=0.08)
    assert mean[date(2025, 12, 26)] / usual[date(2025, 12, 26)] == pytest.approx(1.6, abs=0.08)
