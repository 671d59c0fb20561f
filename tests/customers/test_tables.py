"""Reader tables of the growth report: plain series and method names, no machine columns."""

from __future__ import annotations

from datetime import date

import polars as pl
from polars.testing import assert_frame_equal

from insights.customers.tables import (
    growth_backtest_table,
    growth_forecast_table,
    growth_tracking_table,
)


def _scores(short: list[bool]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "unique_id": ["signups", "signups", "open_accounts", "open_accounts"],
            "model": ["snaive", "stl_ets", "ets", "flows"],
            "mase": [1.7, 1.3, 10.2, 2.1],
            "smape": [75.6, 53.5, 1.0, 0.2],
            "rmse": [3.0, 2.0, 50.0, 9.0],
            "mase_vs_snaive": [1.0, 0.787, 0.565, 0.117],
            "calibrated_coverage_80": [0.81, 0.74, None, 0.55],
            "calibrated_coverage_95": [0.93, 0.95, None, 0.74],
            "short_history": short,
        }
    )


FORECAST = pl.DataFrame(
    {"unique_id": ["open_accounts", "signups", "signups"], "model": ["flows", "stl_ets", "stl_ets"]}
)


def test_the_backtest_table_names_series_and_methods_in_words_and_marks_the_one_used() -> None:
    expected = pl.DataFrame(
        {
            "series": ["Sign-ups", "Sign-ups", "Open accounts", "Open accounts"],
            "method": [
                "Weekly pattern removed, then smoothed",
                "Same day last week",
                "Today's accounts plus forecast sign-ups less closures",
                "Smoothed level + weekly pattern",
            ],
            "error_vs_same_day_last_week": [0.787, 1.0, 0.117, 0.565],
            "share_of_days_in_80%_range": [0.74, 0.81, 0.55, None],
            "share_of_days_in_95%_range": [0.95, 0.93, 0.74, None],
            "used": ["yes", "", "yes", ""],
        }
    )
    table = growth_backtest_table(_scores([False] * 4), forecast=FORECAST)
    assert_frame_equal(table, expected)


def test_a_short_history_is_said_in_words_only_when_there_is_one() -> None:
    table = growth_backtest_table(_scores([True, True, False, False]), forecast=FORECAST)
    assert table["history"].to_list() == ["short: fewer methods and windows"] * 2 + [""] * 2
    assert "history" not in growth_backtest_table(_scores([False] * 4), forecast=FORECAST).columns


def test_the_forecast_table_has_a_row_per_day_and_a_column_per_series() -> None:
    growth = pl.DataFrame(
        {
            "unique_id": ["signups", "open_accounts", "signups", "open_accounts"],
            "ds": [date(2025, 8, 1), date(2025, 8, 1), date(2025, 8, 2), date(2025, 8, 2)],
            "model": ["ets", "flows", "ets", "flows"],
            "mean": [3.5, 1052310.4, 0.4, 999.6],
            "lo_80": [1.2, 1052020.0, 0.0, 990.0],
            "hi_80": [5.8, 1052590.0, 1.6, 1009.0],
        }
    )
    expected = pl.DataFrame(
        {
            "day": ["Fri 1 Aug", "Sat 2 Aug"],
            "Sign-ups": ["4 (1 to 6)", "0 (0 to 2)"],
            "Open accounts": ["1,052,310 (1,052,020 to 1,052,590)", "1,000 (990 to 1,009)"],
        }
    )
    assert_frame_equal(growth_forecast_table(growth), expected)


def test_the_tracking_table_names_the_series_not_a_channel() -> None:
    accuracy = pl.DataFrame(
        {
            "unique_id": ["open_accounts"],
            "horizon_week": [2],
            "forecasts": [3],
            "n_days": [21],
            "mase": [0.5],
            "coverage_80": [0.9],
            "drift": [True],
        }
    )
    assert growth_tracking_table(accuracy).columns[0] == "series"
    assert growth_tracking_table(accuracy).row(0) == ("Open accounts", 2, 3, 0.5, 0.9, "yes")
