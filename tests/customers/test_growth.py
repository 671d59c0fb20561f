"""Customer growth: the daily accounts table, the growth series and their forecast."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

import insights as ins
from insights.errors import InsufficientHistoryError, ParameterError


def customers(opened: list[str], closed: list[str | None]) -> pl.DataFrame:
    """Customers with ``opened_at``/``closed_at`` given as UTC ISO strings."""
    return pl.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(len(opened))],
            "opened_at": [datetime.fromisoformat(t).replace(tzinfo=UTC) for t in opened],
            "closed_at": [
                None if t is None else datetime.fromisoformat(t).replace(tzinfo=UTC) for t in closed
            ],
        },
        schema_overrides={"closed_at": pl.Datetime("us", "UTC")},
    )


def test_daily_accounts_counts_signups_closures_and_open_accounts() -> None:
    frame = customers(
        ["2025-06-01 09:00", "2025-06-01 23:30", "2025-06-03 10:00"],  # 23:30 UTC = 00:30 BST
        ["2025-06-03 12:00", None, None],
    )
    expected = pl.DataFrame(
        {
            "ds": pl.date_range(date(2025, 6, 1), date(2025, 6, 4), eager=True),
            "signups": [1, 1, 1, 0],
            "closures": [0, 0, 1, 0],
            "open_accounts": [1, 2, 2, 2],
        },
        schema_overrides={c: pl.Int64 for c in ("signups", "closures", "open_accounts")},
    )
    assert_frame_equal(ins.daily_accounts(frame, end="2025-06-04"), expected)


def test_daily_accounts_from_a_later_start_carries_the_opening_balance() -> None:
    frame = customers(
        ["2025-05-01 09:00", "2025-05-02 09:00", "2025-06-02 09:00"],
        ["2025-05-20 09:00", None, None],
    )
    got = ins.daily_accounts(frame, start="2025-06-01", end="2025-06-02")
    assert got.rows() == [(date(2025, 6, 1), 0, 0, 1), (date(2025, 6, 2), 1, 0, 2)]


def test_daily_accounts_ignores_what_happens_after_end() -> None:
    frame = customers(["2025-06-01 09:00", "2025-06-09 09:00"], ["2025-06-08 09:00", None])
    got = ins.daily_accounts(frame, end="2025-06-02")
    assert got["open_accounts"].to_list() == [1, 1]
    assert got["closures"].sum() == 0


def test_daily_accounts_matches_the_contact_reports_open_accounts() -> None:
    frame = customers(
        ["2025-06-01 09:00", "2025-06-02 22:00", "2025-06-03 10:00", "2025-06-03 11:00"],
        ["2025-06-02 23:30", None, "2025-06-05 08:00", None],
    )
    ours = ins.daily_accounts(frame, end="2025-06-06")
    theirs = ins.open_accounts(frame, start=date(2025, 6, 1), end=date(2025, 6, 6))
    assert ours["open_accounts"].to_list() == theirs["active_customers"].to_list()


def test_daily_accounts_takes_a_lazy_frame() -> None:
    frame = customers(["2025-06-01 09:00"], [None])
    assert ins.daily_accounts(frame.lazy(), end="2025-06-02")["open_accounts"].to_list() == [1, 1]


def test_daily_accounts_from_an_earlier_start_counts_zero_before_the_first_account() -> None:
    frame = customers(["2025-06-02 09:00"], [None])
    got = ins.daily_accounts(frame, start="2025-05-31", end="2025-06-02")
    assert got["open_accounts"].to_list() == [0, 0, 1]


def test_daily_accounts_counts_as_the_accounts_daily_mart() -> None:
    frame = customers(
        ["2025-06-01 09:00", "2025-06-02 22:00", "2025-06-03 10:00"],
        ["2025-06-02 23:30", None, "2025-06-05 08:00"],
    )
    mart = ins.accounts_daily(frame, end=date(2025, 6, 6))
    ours = ins.daily_accounts(frame, end="2025-06-06")
    assert ours.rows() == mart.select("day", "signups", "closures", "open_accounts").rows()


def test_growth_series_takes_the_accounts_daily_mart_as_it_is() -> None:
    frame = customers(["2025-06-01 09:00", "2025-06-01 10:00"], ["2025-06-02 12:00", None])
    mart = ins.accounts_daily(frame, end=date(2025, 6, 2))
    assert ins.growth_series(mart).rows() == [
        ("signups", date(2025, 6, 1), 2.0),
        ("signups", date(2025, 6, 2), 0.0),
        ("open_accounts", date(2025, 6, 1), 2.0),
        ("open_accounts", date(2025, 6, 2), 1.0),
    ]


def test_daily_accounts_without_accounts_before_end_says_so() -> None:
    frame = customers(["2025-06-05 09:00"], [None])
    with pytest.raises(ParameterError, match="no account was opened on or before end=2025-06-01"):
        ins.daily_accounts(frame, end="2025-06-01")


def daily(days: int = 4) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "ds": pl.date_range(date(2025, 1, 1), date(2025, 1, days), eager=True),
            "signups": list(range(1, days + 1)),
            "closures": [0] * days,
            "open_accounts": [100 + i for i in range(days)],
        }
    )


def test_growth_series_is_long_and_cut_at_as_of() -> None:
    got = ins.growth_series(daily(), as_of="2025-01-02")
    assert got.rows() == [
        ("signups", date(2025, 1, 1), 1.0),
        ("signups", date(2025, 1, 2), 2.0),
        ("open_accounts", date(2025, 1, 1), 100.0),
        ("open_accounts", date(2025, 1, 2), 101.0),
    ]


def test_growth_series_takes_the_marts_day_column() -> None:
    mart = daily().rename({"ds": "day"})
    assert ins.growth_series(mart, series=["open_accounts"])["y"].to_list() == [100, 101, 102, 103]


def test_growth_series_rejects_a_table_without_the_counts() -> None:
    with pytest.raises(ParameterError, match=r"missing \['open_accounts'\].*daily_accounts"):
        ins.growth_series(daily().drop("open_accounts"))


def test_growth_series_rejects_an_as_of_before_the_table() -> None:
    with pytest.raises(InsufficientHistoryError, match="covers 2025-01-01 to 2025-01-04"):
        ins.growth_series(daily(), as_of="2024-06-01")


def test_growth_series_rejects_unknown_series() -> None:
    with pytest.raises(ParameterError, match="choose among"):
        ins.growth_series(daily(), series=["customers"])


def test_growth_forecast_rejects_a_horizon_beyond_a_year() -> None:
    with pytest.raises(ParameterError, match="horizon=400"):
        ins.growth_forecast(daily(), horizon=400)


def test_growth_forecast_covers_every_day_for_open_accounts() -> None:
    days = pl.date_range(date(2025, 1, 1), date(2025, 5, 31), eager=True)
    signups = np.random.default_rng(3).poisson(30, days.len())
    table = pl.DataFrame({"ds": days, "signups": signups}).with_columns(
        open_accounts=5_000 + pl.col("signups").cum_sum()
    )
    got = ins.growth_forecast(
        table, horizon=10, holidays=None, models="snaive", windows=2, series=["open_accounts"]
    )
    assert (
        got["ds"].to_list()
        == pl.date_range(date(2025, 6, 1), date(2025, 6, 10), eager=True).to_list()
    )
    assert (got["lo_95"] <= got["mean"]).all()
    assert (got["mean"] <= got["hi_95"]).all()


def test_contact_volume_takes_the_open_accounts_of_a_growth_forecast() -> None:
    rate = pl.DataFrame(
        {
            "unique_id": ["phone"],
            "ds": [date(2025, 7, 1)],
            "mean": [2.0],
            "lo_80": [2.0],
            "hi_80": [2.0],
        }
    )
    growth = pl.DataFrame(
        {
            "unique_id": ["signups", "open_accounts"],
            "ds": [date(2025, 7, 1)] * 2,
            "model": ["uc", "uc"],
            "mean": [40.0, 50_000.0],
            "lo_80": [40.0, 50_000.0],
            "hi_80": [40.0, 50_000.0],
        }
    )
    assert ins.contact_volume(rate, growth, level=(80,)).row(0) == (
        "phone",
        date(2025, 7, 1),
        100.0,
        100.0,
        100.0,
    )
