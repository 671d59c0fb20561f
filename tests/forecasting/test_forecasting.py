import math
from datetime import date, timedelta
from typing import Literal

import numpy as np
import numpy.typing as npt
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from insights.errors import InsufficientHistoryError, ParameterError, ShortHistoryWarning
from insights.forecasting.backtesting import backtest_predictions
from insights.forecasting.forecaster import forecast
from insights.forecasting.regressors import public_holidays
from insights.forecasting.synthetic import synthetic_daily

WEEKLY = (1.35, 1.1, 1.0, 0.95, 0.9, 0.55, 0.0)  # Monday … Sunday; Sunday closed


@pytest.fixture(scope="module")
def history() -> pl.DataFrame:
    """400 days, Sundays and bank holidays absent, ending before the August bank holiday."""
    full = synthetic_daily(start=date(2024, 7, 1), days=500, weekly=WEEKLY, seed=7)
    return full.filter(pl.col("ds") < date(2025, 8, 16))


@pytest.fixture(scope="module")
def truth() -> pl.DataFrame:
    return synthetic_daily(start=date(2024, 7, 1), days=500, weekly=WEEKLY, seed=7)


@pytest.fixture(scope="module")
def default_forecast(history: pl.DataFrame) -> pl.DataFrame:
    return forecast(history, horizon=24, windows=3)


def test_output_columns_and_one_row_per_open_day(default_forecast: pl.DataFrame) -> None:
    assert default_forecast.columns == [
        "ds",
        "model",
        "mean",
        "lo_80",
        "hi_80",
        "lo_95",
        "hi_95",
        "short_history",
    ]
    assert default_forecast.height == 24
    assert default_forecast["ds"].is_unique().all()
    assert default_forecast.select(pl.all().is_null().any()).row(0) == (False,) * 8
    assert not default_forecast["short_history"].any()


def test_closed_sundays_and_bank_holiday_are_skipped(default_forecast: pl.DataFrame) -> None:
    days = default_forecast["ds"]
    assert days.min() == date(2025, 8, 16)
    assert 7 not in days.dt.weekday().to_list()
    assert date(2025, 8, 25) not in days.to_list()  # Late Summer Bank Holiday


def test_recovers_weekly_pattern(default_forecast: pl.DataFrame) -> None:
    by_day = (
        default_forecast.filter(pl.col("ds") < date(2025, 8, 25))  # before the catch-up week
        .group_by(pl.col("ds").dt.weekday().alias("wd"))
        .agg(pl.col("mean").mean())
        .sort("wd")
    )
    ratio = (by_day["mean"] / by_day["mean"][2]).to_numpy()  # relative to Wednesday
    expected = np.array(WEEKLY[:6]) / WEEKLY[2]
    np.testing.assert_allclose(ratio, expected, atol=0.08)


def test_recovers_catch_up_after_bank_holiday(default_forecast: pl.DataFrame) -> None:
    tuesdays = default_forecast.filter(pl.col("ds").dt.weekday() == 2).sort("ds")
    after_holiday = tuesdays.filter(pl.col("ds") == date(2025, 8, 26))["mean"].item()
    usual = tuesdays.filter(pl.col("ds") != date(2025, 8, 26))["mean"].mean()
    assert isinstance(usual, float)
    # the simulated catch-up is 0.4 × level ≈ 130 contacts
    assert 80 < after_holiday - usual < 180


def test_recovers_a_catch_up_spread_over_two_days() -> None:
    # the second open day after each bank holiday gets 0.25 × level (75 contacts) more
    full = synthetic_daily(start=date(2024, 7, 1), days=500, weekly=WEEKLY, seed=7)
    holidays = public_holidays([2024, 2025])["ds"].implode()
    first = (pl.col("ds") - pl.duration(days=1)).is_in(holidays)  # as synthetic_daily's
    second = first.shift(1).fill_null(value=False)  # the next row: the next open day
    hist = full.with_columns(pl.col("y") + 75.0 * second)
    fc = forecast(
        hist.filter(pl.col("ds") < date(2025, 8, 16)), horizon=24, models="uc", calibrate=False
    )
    wednesdays = fc.filter(pl.col("ds").dt.weekday() == 3)
    second = wednesdays.filter(pl.col("ds") == date(2025, 8, 27))["mean"].item()
    usual = wednesdays.filter(pl.col("ds") != date(2025, 8, 27))["mean"].mean()
    assert isinstance(usual, float)
    assert 45 < second - usual < 105


def test_a_history_ending_on_its_only_catch_up_day_keeps_its_level() -> None:
    # twelve weeks with one closure (the Late Summer Bank Holiday), ending on the catch-up
    # Tuesday (447, about +40%): the catch-up flag, seen once, takes that day, not the level
    hist = synthetic_daily(start=date(2025, 6, 2), days=86, weekly=WEEKLY, seed=7)
    assert hist.tail(1).rows() == [(date(2025, 8, 26), 447.0)]
    fc = forecast(hist, horizon=3, models="uc", calibrate=False)
    recent = (
        hist.filter(pl.col("ds") >= date(2025, 7, 30))
        .group_by(pl.col("ds").dt.weekday().alias("weekday"))
        .agg(pl.col("y").mean().alias("usual"))
    )
    ratio = fc.join(recent, left_on=pl.col("ds").dt.weekday(), right_on="weekday").select(
        pl.col("mean") / pl.col("usual")
    )
    assert ratio.height == 3  # Wednesday to Friday; the level alone put them 25-32% higher
    assert ratio.to_series().is_between(0.95, 1.05).all()


def test_forecast_is_close_to_truth(default_forecast: pl.DataFrame, truth: pl.DataFrame) -> None:
    joined = default_forecast.join(truth, on="ds")
    assert joined.height == 24
    mape = joined.select(((pl.col("y") - pl.col("mean")).abs() / pl.col("y")).mean()).item()
    assert mape < 0.08


def test_intervals_are_nested(default_forecast: pl.DataFrame) -> None:
    fc = default_forecast
    assert (fc["lo_95"] <= fc["lo_80"]).all()
    assert (fc["lo_80"] <= fc["mean"]).all()
    assert (fc["mean"] <= fc["hi_80"]).all()
    assert (fc["hi_80"] <= fc["hi_95"]).all()


def test_holiday_effect_when_line_is_open_on_holidays() -> None:
    hist = synthetic_daily(
        start=date(2024, 7, 1), days=420, weekly=WEEKLY, holidays_open=0.4, seed=3
    ).filter(pl.col("ds") < date(2025, 8, 20))
    fc = forecast(hist, horizon=12, models="uc", calibrate=False)
    assert date(2025, 8, 25) in fc["ds"].to_list()  # open on the bank holiday, as in history
    monday = fc.filter(pl.col("ds").dt.weekday() == 1).sort("ds")["mean"].to_list()
    holiday, usual = monday[0], monday[1]  # 25 Aug (bank holiday), 1 Sep
    # simulated: 0.4 × a Monday; the model's holiday effect is additive (one shift averaged
    # over holidays on all weekdays), so on the busiest weekday the ratio is a little higher
    assert 0.3 < holiday / usual < 0.6


def test_null_closed_days_are_the_same_as_absent_ones(history: pl.DataFrame) -> None:
    grid = history.select(pl.date_range(pl.col("ds").min(), pl.col("ds").max()).alias("ds"))
    grid = grid.join(history, on="ds", how="left")
    assert grid["y"].null_count() > 50
    a = forecast(history, horizon=5, models="snaive", calibrate=False)
    b = forecast(grid, horizon=5, models="snaive", calibrate=False)
    assert a.equals(b)


def test_missing_open_days_are_tolerated(history: pl.DataFrame) -> None:
    gappy = history.filter(~pl.col("ds").is_between(date(2025, 5, 6), date(2025, 5, 14)))
    fc = forecast(gappy, horizon=6, models="uc", calibrate=False)
    assert fc.height == 6
    assert fc["mean"].is_finite().all()


def test_explicit_closed_days() -> None:
    hist = synthetic_daily(start=date(2025, 1, 6), days=120, weekly=WEEKLY, seed=1)
    fc = forecast(hist, horizon=10, models="snaive", calibrate=False, closed=(6, 7, "holidays"))
    assert set(fc["ds"].dt.weekday().to_list()) == {1, 2, 3, 4, 5}


def test_many_series_with_unique_id() -> None:
    a = synthetic_daily(start=date(2025, 1, 6), days=120, seed=1)
    b = synthetic_daily(start=date(2025, 1, 6), days=120, seed=2, level=50)
    hist = pl.concat(
        [a.with_columns(unique_id=pl.lit("phone")), b.with_columns(unique_id=pl.lit("chat"))]
    )
    fc = forecast(hist, horizon=3, models="snaive", calibrate=False)
    assert fc.columns[:3] == ["unique_id", "ds", "model"]
    assert fc.group_by("unique_id").len().sort("unique_id").rows() == [("chat", 3), ("phone", 3)]


def test_extra_regressor_needs_future_values() -> None:
    hist = synthetic_daily(start=date(2025, 1, 6), days=120, seed=1).with_columns(
        campaign=pl.lit(0.0)
    )
    with pytest.raises(ParameterError, match="future"):
        forecast(hist, horizon=3, models="uc", calibrate=False)
    future = pl.DataFrame(
        {"ds": pl.date_range(date(2025, 5, 4), date(2025, 5, 20), eager=True)}
    ).with_columns(campaign=pl.lit(0.0))
    fc = forecast(hist, horizon=3, models="uc", calibrate=False, future=future)
    assert fc.height == 3


def test_duplicate_dates_are_rejected() -> None:
    hist = pl.DataFrame({"ds": [date(2025, 1, 1), date(2025, 1, 1)], "y": [1.0, 2.0]})
    with pytest.raises(ParameterError, match="share a date"):
        forecast(hist, horizon=3)


def test_negative_counts_are_rejected() -> None:
    hist = pl.DataFrame({"ds": [date(2025, 1, 1), date(2025, 1, 2)], "y": [1.0, -2.0]})
    with pytest.raises(ParameterError, match="negative"):
        forecast(hist, horizon=3)


@pytest.mark.parametrize("horizon", [0, -3, 2.5, True])
def test_bad_horizon_is_rejected(horizon: object) -> None:
    hist = pl.DataFrame({"ds": [date(2025, 1, 1)], "y": [1.0]})
    with pytest.raises(ParameterError, match="horizon"):
        forecast(hist, horizon=horizon)  # type: ignore[arg-type]


def test_datetime_ds_is_rejected_with_a_hint() -> None:
    hist = pl.DataFrame({"ds": [date(2025, 1, 1)], "y": [1.0]}).with_columns(
        pl.col("ds").cast(pl.Datetime("us", "UTC"))
    )
    with pytest.raises(ParameterError, match="local calendar days"):
        forecast(hist, horizon=3)


def test_history_under_three_weeks_names_series_and_length_needed() -> None:
    days = [date(2025, 1, 1) + timedelta(days=i) for i in range(20)]
    hist = pl.DataFrame({"unique_id": "chat", "ds": days, "y": 10.0})
    with pytest.raises(InsufficientHistoryError, match=r"'chat' has 20 open days.*at least 21"):
        forecast(hist, horizon=28, windows=3)


@pytest.mark.parametrize(
    ("days", "models"), [(27, {"snaive"}), (100, {"uc", "combo", "ets", "stl_ets"})]
)
def test_short_history_forecasts_with_a_warning_and_a_flag(days: int, models: set[str]) -> None:
    # 27 days of a six-day line with a bank holiday: 24 open days; 100 days: 86 of the 154 needed
    hist = synthetic_daily(start=date(2025, 1, 6), days=days, seed=2)
    with pytest.warns(ShortHistoryWarning, match=r"fewer than the 154 .* short_history = true"):
        fc = forecast(hist, horizon=28)
    assert fc.height == 28
    assert fc["short_history"].all()
    assert fc["model"][0] in models
    assert (fc["lo_80"] <= fc["mean"]).all()
    assert (fc["hi_95"] > fc["hi_80"]).all()


def test_short_history_intervals_are_no_narrower_than_the_model_s_own() -> None:
    hist = synthetic_daily(start=date(2025, 1, 6), days=45, seed=2)
    with pytest.warns(ShortHistoryWarning):
        calibrated = forecast(hist, horizon=14, models="snaive")
        raw = forecast(hist, horizon=14, models="snaive", calibrate=False)
    assert (calibrated["hi_80"] - calibrated["mean"] >= raw["hi_80"] - raw["mean"] - 1e-9).all()


def _q80(preds: pl.DataFrame) -> float:
    """Conformal 80% quantile of |error| / the model's own 80% half-width."""
    z80 = 1.2815515655446004
    ratios = sorted(((preds["y"] - preds["mean"]).abs() / (z80 * preds["sd"])).to_list())
    return ratios[math.ceil((len(ratios) + 1) * 0.8) - 1]


def _factor_80(calibrated: pl.DataFrame, raw: pl.DataFrame) -> npt.NDArray[np.float64]:
    return ((calibrated["hi_80"] - calibrated["mean"]) / (raw["hi_80"] - raw["mean"])).to_numpy()


def test_calibration_takes_the_wider_of_recent_and_past_year_quantiles() -> None:
    """Calibrated half-width = own half-width × the larger 80% quantile of |error| / own
    half-width over the 4 selection windows and over every window of the past year."""
    hist = synthetic_daily(start=date(2025, 1, 6), days=200, seed=4)  # < 1 year: all windows
    n_windows = (hist.height - 42 - 7) // 7 + 1  # every 7-day window after 42 days to fit
    preds = backtest_predictions(hist, horizon=7, windows=n_windows, models="snaive")
    recent = _q80(preds.filter(pl.col("window") >= n_windows - 4))
    year = _q80(preds)
    assert recent != year

    raw = forecast(hist, horizon=7, models="snaive", calibrate=False)
    calibrated = forecast(hist, horizon=7, windows=4, models="snaive")
    np.testing.assert_allclose(_factor_80(calibrated, raw), max(recent, year))
    assert calibrated["mean"].equals(raw["mean"])


def test_calibration_looks_back_52_weeks() -> None:
    # a line open every day, 1 Jan 2024 … 14 May 2025, with two four-week busy spells of
    # +60 contacts: 18 Apr–15 May 2024 (more than 52 weeks before the forecast origin,
    # 15 May 2025, so forgotten) and 13 Jun–10 Jul 2024 (within them)
    hist = synthetic_daily(
        start=date(2024, 1, 1), days=500, weekly=(1,) * 7, holidays_open=1.0, seed=0
    )
    ds = pl.col("ds")
    busy = ds.is_between(date(2024, 4, 18), date(2024, 5, 15)) | ds.is_between(
        date(2024, 6, 13), date(2024, 7, 10)
    )
    hist = hist.with_columns(y=pl.when(busy).then(pl.col("y") + 60).otherwise("y"))
    # 14 windows of 28 days: window 0 starts 18 Apr 2024, window 1 on 16 May 2024
    preds = backtest_predictions(hist, horizon=28, windows=14, models="snaive")
    recent = _q80(preds.filter(pl.col("window") >= 10))
    year = _q80(preds.filter(pl.col("window") >= 1))
    with_older = _q80(preds)
    assert recent < year < with_older

    raw = forecast(hist, horizon=28, models="snaive", calibrate=False)
    calibrated = forecast(hist, horizon=28, models="snaive")
    np.testing.assert_allclose(_factor_80(calibrated, raw), year)


# --------------------------------------------------------------------------- holiday closures


def _weekday_line(first: date, last: date, *, absent: list[date]) -> pl.DataFrame:
    """A Monday–Friday line taking 100 contacts a day (+ a weekly wave); no rows at weekends
    and on the ``absent`` days (closed holidays, as real exports show them)."""
    days = pl.date_range(first, last, eager=True)
    return (
        pl.DataFrame({"ds": days})
        .filter((pl.col("ds").dt.weekday() <= 5) & ~pl.col("ds").is_in(absent))
        .with_columns(y=100.0 + 10 * pl.col("ds").dt.weekday())
    )


US_2003_CLOSED = [date(2003, 5, 26), date(2003, 7, 4), date(2003, 9, 1)]  # Memorial, 4 July, Labor


def test_a_holiday_closed_in_history_stays_closed() -> None:
    # a year in which the line worked every US holiday but Independence Day
    hist = _weekday_line(date(2002, 6, 3), date(2003, 6, 27), absent=[date(2002, 7, 4)])
    fc = forecast(hist, horizon=10, holidays="US", models="snaive", calibrate=False)
    assert date(2003, 7, 4) not in fc["ds"].to_list()
    assert fc["ds"].max() == date(2003, 7, 14)


def test_stray_contacts_on_a_holiday_do_not_open_it() -> None:
    # two callbacks logged on 4 July 2002 against 110–150 contacts on a normal day
    hist = pl.concat(
        [
            _weekday_line(date(2002, 6, 3), date(2003, 6, 27), absent=[date(2002, 7, 4)]),
            pl.DataFrame({"ds": [date(2002, 7, 4)], "y": [2.0]}),
        ]
    ).sort("ds")
    fc = forecast(hist, horizon=10, holidays="US", models="snaive", calibrate=False)
    assert date(2003, 7, 4) not in fc["ds"].to_list()


def test_a_holiday_never_seen_is_forecast_open() -> None:
    # closed on the three holidays the history holds; Columbus Day (13 Oct) it never saw
    hist = _weekday_line(date(2003, 3, 3), date(2003, 10, 3), absent=US_2003_CLOSED)
    fc = forecast(hist, horizon=10, holidays="US", models="snaive", calibrate=False)
    assert fc["ds"].to_list() == [
        *pl.date_range(date(2003, 10, 6), date(2003, 10, 10), eager=True),
        *pl.date_range(date(2003, 10, 13), date(2003, 10, 17), eager=True),  # Columbus open
    ]


def test_a_holiday_worked_in_history_is_forecast_open() -> None:
    hist = _weekday_line(date(2002, 9, 2), date(2003, 10, 3), absent=US_2003_CLOSED)
    fc = forecast(hist, horizon=10, holidays="US", models="snaive", calibrate=False)
    assert date(2003, 10, 13) in fc["ds"].to_list()  # Columbus Day 2002 was worked


def test_closed_can_name_holidays() -> None:
    hist = _weekday_line(date(2003, 3, 3), date(2003, 10, 3), absent=US_2003_CLOSED)
    fc = forecast(
        hist,
        horizon=10,
        holidays="US",
        models="snaive",
        calibrate=False,
        closed=(6, 7, "Columbus Day", "independence day"),  # case is ignored
    )
    assert date(2003, 10, 13) not in fc["ds"].to_list()
    assert fc["ds"].max() == date(2003, 10, 20)


def test_closed_holidays_still_means_every_holiday() -> None:
    hist = _weekday_line(date(2003, 3, 3), date(2003, 10, 3), absent=US_2003_CLOSED)
    fc = forecast(
        hist, horizon=10, holidays="US", models="snaive", calibrate=False, closed=(6, 7, "holidays")
    )
    assert date(2003, 10, 13) not in fc["ds"].to_list()


def test_an_unknown_holiday_name_lists_the_valid_ones() -> None:
    hist = _weekday_line(date(2003, 3, 3), date(2003, 10, 3), absent=US_2003_CLOSED)
    with pytest.raises(
        ParameterError,
        match=r"\['Xmas'\] are not public holidays of US.*"
        r"Valid names: \[.*'Christmas Day'.*'Columbus Day'",
    ):
        forecast(hist, horizon=5, holidays="US", models="snaive", closed=(6, 7, "Xmas"))


@pytest.mark.parametrize(
    ("closed", "hint"),
    [("holidays", "pass 'infer' or a collection"), ((0, 7), "ISO weekdays 1 .Monday. … 7")],
)
def test_a_bad_closed_value_says_what_is_accepted(closed: object, hint: str) -> None:
    hist = _weekday_line(date(2003, 3, 3), date(2003, 10, 3), absent=US_2003_CLOSED)
    with pytest.raises(ParameterError, match=hint):
        forecast(hist, horizon=5, holidays="US", models="snaive", closed=closed)  # type: ignore[arg-type]


def test_holiday_names_need_a_holiday_calendar() -> None:
    hist = _weekday_line(date(2003, 3, 3), date(2003, 10, 3), absent=US_2003_CLOSED)
    with pytest.raises(ParameterError, match="holidays=None"):
        forecast(hist, horizon=5, holidays=None, models="snaive", closed=(6, 7, "Labor Day"))


def test_catch_up_after_an_unseen_holiday_is_weighted_by_the_chance_it_closes() -> None:
    # a year of a line closed on the 6 bank holidays it saw (not May Day, which it never saw);
    # the Tuesday after May Day gets (6 + 1) / (6 + 2) of the catch-up effect
    hist = synthetic_daily(start=date(2024, 7, 1), days=307, weekly=WEEKLY, seed=5)
    assert hist["ds"].max() == date(2025, 5, 3)
    seen = ("Late Summer Bank Holiday", "Christmas Day", "Boxing Day", "New Year's Day",
            "Good Friday", "Easter Monday")  # fmt: skip

    def tuesday(closed: Literal["infer"] | tuple[int | str, ...]) -> float:
        fc = forecast(hist, horizon=6, models="uc", calibrate=False, closed=closed)
        return float(fc.filter(pl.col("ds") == date(2025, 5, 6))["mean"].item())

    inferred = tuesday("infer")  # May Day forecast open, catch-up weighted by 7/8
    no_catch_up = tuesday((7, *seen))  # told: May Day is open
    full_catch_up = tuesday((7, "holidays"))  # told: May Day is closed
    assert full_catch_up - no_catch_up > 50
    assert (inferred - no_catch_up) / (full_catch_up - no_catch_up) == pytest.approx(7 / 8)


def test_forecast_across_two_holidays_on_one_date() -> None:
    # 2016-02-15 is both Washington's Birthday and Susan B. Anthony Day in New York
    hist = synthetic_daily(start=date(2015, 11, 2), days=150, seed=5)
    fc = forecast(hist, horizon=5, holidays="US", subdiv="NY", models="snaive")
    assert fc.height == 5


def test_sparse_counts_keep_their_open_weekdays() -> None:
    # a rare contact reason: most open days see no contact at all, Sundays are closed (absent)
    days = pl.date_range(date(2024, 1, 1), date(2025, 6, 29), eager=True)
    counts = np.random.default_rng(3).poisson(0.6, len(days)).astype(float)
    hist = pl.DataFrame({"ds": days, "y": counts}).filter(pl.col("ds").dt.weekday() != 7)
    fc = forecast(hist, horizon=12, models="snaive", holidays=None)
    assert fc["ds"].dt.weekday().to_list() == [1, 2, 3, 4, 5, 6] * 2


SUNDAY_TO_THURSDAY = (1.2, 1.1, 1.0, 1.0, 0.0, 0.0, 1.4)  # Monday … Sunday


def test_a_sunday_to_thursday_week_is_inferred() -> None:
    hist = synthetic_daily(start=date(2024, 9, 1), days=300, weekly=SUNDAY_TO_THURSDAY, seed=8)
    fc = forecast(hist, horizon=10, holidays=None, windows=2)
    assert fc["ds"].dt.weekday().to_list() == [7, 1, 2, 3, 4] * 2
    sunday = fc.filter(pl.col("ds").dt.weekday() == 7)["mean"].mean()
    wednesday = fc.filter(pl.col("ds").dt.weekday() == 3)["mean"].mean()
    assert isinstance(sunday, float) and isinstance(wednesday, float)
    assert sunday / wednesday == pytest.approx(1.4, abs=0.1)


def test_partial_days_stay_open_at_their_own_level() -> None:
    # Sunday to Thursday full days, a half-day Friday and an evening-only Saturday
    weekly = (1.2, 1.1, 1.0, 1.0, 0.5, 0.15, 1.4)
    hist = synthetic_daily(start=date(2024, 9, 1), days=300, weekly=weekly, seed=8, noise=6)
    fc = forecast(hist, horizon=14, holidays=None, windows=2)
    assert sorted(set(fc["ds"].dt.weekday().to_list())) == [1, 2, 3, 4, 5, 6, 7]
    by_day = fc.group_by(pl.col("ds").dt.weekday().alias("wd")).agg(pl.col("mean").mean())
    level = dict(by_day.rows())
    assert level[5] / level[3] == pytest.approx(0.5, abs=0.06)
    assert level[6] / level[3] == pytest.approx(0.15, abs=0.04)


def test_a_half_day_friday_stays_open_in_a_sunday_to_thursday_week() -> None:
    # Sunday to Thursday full days, Friday mornings only, Saturday closed (absent rows)
    weekly = (1.2, 1.1, 1.0, 1.0, 0.45, 0.0, 1.4)
    hist = synthetic_daily(start=date(2024, 9, 1), days=300, weekly=weekly, seed=9, noise=6)
    fc = forecast(hist, horizon=12, holidays=None, windows=2)
    assert fc["ds"].dt.weekday().to_list() == [7, 1, 2, 3, 4, 5] * 2  # no Saturday
    by_day = dict(fc.group_by(pl.col("ds").dt.weekday()).agg(pl.col("mean").mean()).rows())
    assert by_day[5] / by_day[3] == pytest.approx(0.45, abs=0.06)


def _sharp_season(days: int) -> pl.DataFrame:
    # a June–August rush at 1.8 times the usual volume that ends from one day to the next
    hist = synthetic_daily(start=date(2022, 9, 5), days=days, seed=4)
    doy = hist["ds"].dt.ordinal_day()
    return hist.with_columns(pl.col("y") * pl.when(doy.is_between(152, 243)).then(1.8).otherwise(1))


def _september_error(hist: pl.DataFrame, fc: pl.DataFrame) -> float:
    sept = hist.join(fc, on="ds").filter(pl.col("ds").dt.month() == 9)
    error = ((sept["mean"] - sept["y"]).abs() / sept["y"]).mean()
    assert isinstance(error, float)
    return error


def test_ten_annual_pairs_follow_the_end_of_a_sharp_season() -> None:
    # three years: uc's default ten annual pairs (three as states, seven as a least-squares
    # profile) halve the error of three smooth pairs where the rush ends
    hist = _sharp_season(1100)
    train = hist.filter(pl.col("ds") <= date(2025, 8, 20))
    errors = {
        annual: _september_error(
            hist, forecast(train, horizon=21, models="uc", annual=annual, calibrate=False)
        )
        for annual in ("auto", 3)
    }
    assert errors["auto"] < 0.6 * errors[3]


def test_annual_pairs_above_three_need_two_years_of_training() -> None:
    # 600 days: the profile of pairs 4-10 is not estimated, so ten pairs forecast as three
    train = _sharp_season(600)
    ten, three = (
        forecast(train, horizon=14, models="uc", annual=annual, calibrate=False)
        for annual in (10, 3)
    )
    assert_frame_equal(ten, three)


def test_annual_pairs_above_three_need_two_years_of_observed_days() -> None:
    # 1,100 days of which the first 500 are empty: 600 observed days, as above
    hist = _sharp_season(1100)
    empty = hist.with_columns(
        pl.when(pl.col("ds") < date(2024, 1, 18)).then(None).otherwise(pl.col("y")).alias("y")
    )
    ten, three = (
        forecast(empty, horizon=14, models="uc", annual=annual, calibrate=False)
        for annual in (10, 3)
    )
    assert_frame_equal(ten, three)


def test_selection_picks_the_yearly_model_for_a_sharp_season() -> None:
    hist = _sharp_season(1100)
    origin = date(2025, 8, 20)
    fc = forecast(
        hist.filter(pl.col("ds") <= origin), horizon=21, models=("uc", "uc_yearly"), windows=2
    )
    assert fc["model"][0] == "uc_yearly"
    actual = hist.join(fc, on="ds")
    september = actual.filter(pl.col("ds").dt.month() == 9)
    assert ((september["mean"] - september["y"]).abs() / september["y"]).mean() < 0.1


# --------------------------------------------------------------------------- parallel series


@pytest.mark.slow  # starts a fork server that imports statsmodels (seconds)
def test_series_forecast_in_processes_equal_one_process() -> None:
    # three series, one of them short: its warning comes back from the worker process
    hist = pl.concat(
        [
            synthetic_daily(start=date(2025, 1, 6), days=days, seed=seed).with_columns(
                unique_id=pl.lit(name)
            )
            for name, days, seed in (("chat", 200, 1), ("email", 200, 2), ("new", 60, 3))
        ]
    )
    options: dict[str, object] = {"horizon": 7, "models": ("ets", "snaive")}
    with pytest.warns(ShortHistoryWarning, match="'new'"):
        serial = forecast(hist, **options)  # type: ignore[arg-type]
    with pytest.warns(ShortHistoryWarning, match="'new'"):
        parallel = forecast(hist, n_jobs=2, **options)  # type: ignore[arg-type]
    assert parallel.equals(serial)
    assert parallel["unique_id"].unique(maintain_order=True).to_list() == ["chat", "email", "new"]


@pytest.mark.parametrize("bad", [0, -2, 1.5, True])
def test_bad_n_jobs_is_a_parameter_error(history: pl.DataFrame, bad: object) -> None:
    with pytest.raises(ParameterError, match="n_jobs"):
        forecast(history, horizon=7, n_jobs=bad)  # type: ignore[arg-type]
