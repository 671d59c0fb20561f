"""Open accounts' forecast: the stock plus its summed forecast flows, calibrated per day ahead."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

import insights as ins
from insights.errors import InsufficientHistoryError, ParameterError


def flows_table(signups: list[int], closures: list[int]) -> pl.DataFrame:
    """A daily table from its flows, starting 2025-01-01 (a Wednesday) with 1,000 accounts."""
    ds = pl.date_range(
        date(2025, 1, 1), date(2025, 1, 1) + timedelta(days=len(signups) - 1), eager=True
    )
    return pl.DataFrame({"ds": ds, "signups": signups, "closures": closures}).with_columns(
        open_accounts=1_000 + (pl.col("signups") - pl.col("closures")).cum_sum()
    )


def widths(fc: pl.DataFrame, level: int) -> list[float]:
    return (fc[f"hi_{level}"] - fc[f"lo_{level}"]).to_list()


def test_constant_flows_give_the_exact_line_and_no_width() -> None:
    table = flows_table([12] * 150, [2] * 150)  # +10 a day, 1,000 → 2,500
    got = ins.open_accounts_forecast(table, horizon=5, level=[80, 95])
    expected = pl.DataFrame(
        {
            "ds": pl.date_range(date(2025, 5, 31), date(2025, 6, 4), eager=True),
            "model": ["flows"] * 5,
            "mean": [2_510.0, 2_520.0, 2_530.0, 2_540.0, 2_550.0],
        }
    ).with_columns(pl.col("mean").alias(c) for c in ("lo_80", "hi_80", "lo_95", "hi_95"))
    assert_frame_equal(got, expected)


def test_the_forecast_follows_the_weekly_pattern_of_the_flows() -> None:
    """20 sign-ups on weekdays, none at weekends: +100 a week, in steps of 20, exactly."""
    days = pl.date_range(date(2025, 1, 6), date(2025, 6, 1), eager=True)  # Monday to Sunday
    signups = [20 if d.weekday() < 5 else 0 for d in days]
    table = flows_table(signups, [0] * len(signups))
    got = ins.open_accounts_forecast(table, horizon=9, level=[95])
    last = table["open_accounts"][-1]
    steps = [20, 40, 60, 80, 100, 100, 100, 120, 140]  # Mon..Fri, Sat, Sun, Mon, Tue
    assert got["mean"].to_list() == [float(last + s) for s in steps]
    assert widths(got, 95) == [0.0] * 9


def test_at_whole_weeks_ahead_the_forecast_is_the_28_day_drift() -> None:
    rng = np.random.default_rng(1)
    table = flows_table(rng.poisson(30, 150).tolist(), rng.poisson(5, 150).tolist())
    got = ins.open_accounts_forecast(table, horizon=28)
    y = table["open_accounts"].to_numpy().astype(float)
    slope = (y[-1] - y[-29]) / 28
    for h in (7, 14, 21, 28):
        assert got["mean"][h - 1] == pytest.approx(y[-1] + h * slope)


def test_intervals_widen_when_the_trend_turns() -> None:
    """+10 a day for 150 days, then +20: no past forecast missed before the turn, many after."""
    table = flows_table([10] * 150 + [20] * 30, [0] * 180)
    before = ins.open_accounts_forecast(table, horizon=14, as_of="2025-05-30")  # day 150
    after = ins.open_accounts_forecast(table, horizon=14)
    assert widths(before, 80) == [0.0] * 14
    assert widths(before, 95) == [0.0] * 14
    assert all(w > 0 for w in widths(after, 95))
    assert widths(after, 95) == sorted(widths(after, 95))  # never narrower further ahead


def test_intervals_are_in_units_of_the_flows() -> None:
    """Twice the flows: twice the forecast change and twice the widths, exactly."""
    rng = np.random.default_rng(4)
    signups, closures = rng.poisson(25, 160), rng.poisson(6, 160)
    once = ins.open_accounts_forecast(flows_table(signups.tolist(), closures.tolist()), horizon=30)
    twice = ins.open_accounts_forecast(
        flows_table((2 * signups).tolist(), (2 * closures).tolist()), horizon=30
    )
    start = 1_000 + int((signups - closures).sum())
    assert np.allclose(
        (twice["mean"] - (2 * start - 1_000)).to_numpy(), 2 * (once["mean"] - start).to_numpy()
    )
    assert np.allclose(widths(twice, 80), 2 * np.array(widths(once, 80)))
    assert np.allclose(widths(twice, 95), 2 * np.array(widths(once, 95)))


def test_closures_are_taken_from_the_stock_when_absent() -> None:
    rng = np.random.default_rng(5)
    table = flows_table(rng.poisson(25, 150).tolist(), rng.poisson(6, 150).tolist())
    assert_frame_equal(
        ins.open_accounts_forecast(table.drop("closures"), horizon=14),
        ins.open_accounts_forecast(table, horizon=14),
    )


def test_recent_errors_weigh_more() -> None:
    """A one-off burst of 300 sign-ups on day 90 of 300: old news with a short half-life.

    The burst moves the forecasts of the 84 days after it (its weekday's pattern). With a
    21-day half-life the errors known in the last 110 days weigh over 95% and none missed;
    with equal weights the burst's misses are more than 5% of the origins.
    """
    signups = [10] * 300
    signups[90] = 310
    table = flows_table(signups, [0] * 300)
    equal = ins.open_accounts_forecast(table, horizon=7, half_life=float("inf"))
    recent = ins.open_accounts_forecast(table, horizon=7, half_life=21)
    assert widths(equal, 95)[-1] > 0
    assert widths(recent, 95) == [0.0] * 7


def test_a_burst_long_past_no_longer_widens_the_intervals_months_ahead() -> None:
    """A burst of 300 sign-ups on day 100 of 400, forecast 8 weeks ahead.

    The forecasts made in the 56 days before it missed by 300 at 8 weeks. Their outcomes
    are 244–300 days old: in the base (halving every 112 days at 56 days ahead) they still
    weigh over 5%, but no error has come in since, so the recent multiplier is 0.
    """
    signups = [10] * 400
    signups[100] = 310
    table = flows_table(signups, [0] * 400)
    assert widths(ins.open_accounts_forecast(table, horizon=56), 95) == [0.0] * 56
    assert widths(ins.open_accounts_forecast(table, horizon=56, half_life=float("inf")), 95)[-1] > 0


def test_intervals_widen_within_days_when_the_flows_start_rising() -> None:
    """20 sign-ups a day for 208 days, then one more every day for the last 42 days.

    Every origin on the ramp missed by about the same amount ``h`` days ahead, and the
    latest errors weigh most: in the first week the 80% half-width is within 5% of the
    miss of the ramp continued, and at every horizon wider than with equal weights, where
    the 166 steady origins keep it under half that miss.
    """
    signups = [20] * 208 + [20 + i for i in range(1, 42 + 7 + 1)]
    table = flows_table(signups, [0] * len(signups))
    history, continued = table.head(250), table.tail(7)["open_accounts"].to_numpy()
    adaptive = ins.open_accounts_forecast(history, horizon=28)
    equal = ins.open_accounts_forecast(history, horizon=28, half_life=float("inf"))
    miss = np.abs(continued - adaptive["mean"].head(7).to_numpy())
    assert (np.array(widths(adaptive, 80)[:7]) / 2 >= 0.95 * miss).all()
    assert (np.array(widths(equal, 80)[:7]) / 2 < 0.5 * miss).all()
    assert all(a > e for a, e in zip(widths(adaptive, 80), widths(equal, 80), strict=True))


def test_a_higher_level_is_never_narrower() -> None:
    rng = np.random.default_rng(7)
    table = flows_table(rng.poisson(30, 200).tolist(), rng.poisson(4, 200).tolist())
    got = ins.open_accounts_forecast(table, horizon=35, level=[50, 80, 95])
    assert all(
        a <= b <= c
        for a, b, c in zip(widths(got, 50), widths(got, 80), widths(got, 95), strict=True)
    )


def test_too_little_history_says_how_much_is_needed() -> None:
    table = flows_table([10] * 100, [0] * 100)
    with pytest.raises(InsufficientHistoryError, match="needs at least 126"):
        ins.open_accounts_forecast(table, horizon=14)


def test_a_missing_day_is_refused() -> None:
    table = flows_table([10] * 150, [0] * 150).filter(pl.col("ds") != date(2025, 2, 1))
    with pytest.raises(ParameterError, match="1 missing days"):
        ins.open_accounts_forecast(table, horizon=7)


@pytest.mark.parametrize("half_life", [0, -1.0])
def test_half_life_must_be_positive(half_life: float) -> None:
    with pytest.raises(ParameterError, match="half_life"):
        ins.open_accounts_forecast(
            flows_table([1] * 150, [0] * 150), horizon=7, half_life=half_life
        )
