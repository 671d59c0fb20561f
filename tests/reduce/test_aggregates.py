from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import duckdb
import polars as pl
import pytest
from conftest import tx_frame
from polars.testing import assert_frame_equal

from insights.errors import ParameterError
from insights.reduce.aggregates import (
    active_customers_daily,
    active_customers_rolling,
    category_daily,
    group_daily,
    merchant_daily,
    merchant_monthly,
)

METRICS = ["spend_minor", "payments", "customers", "repeat_customers", "refund_minor"]


def test_day_is_local_london_day_across_bst_and_gmt() -> None:
    tx = tx_frame(
        created_at=[
            "2025-09-30 23:30",  # BST: 00:30 on 1 Oct
            "2025-10-31 23:30",  # GMT again: still 31 Oct
            "2025-03-30 23:30",  # BST from 30 Mar: 00:30 on 31 Mar
            "2025-01-31 23:30",  # GMT: still 31 Jan
        ],
        customer_id=["a", "b", "c", "d"],
    )
    days = merchant_daily(tx).sort("day")["day"].to_list()
    assert days == [date(2025, 1, 31), date(2025, 3, 31), date(2025, 10, 1), date(2025, 10, 31)]


def test_month_is_local_month_at_bst_edge() -> None:
    tx = tx_frame(
        created_at=["2025-09-30 22:59", "2025-09-30 23:00", "2025-03-31 23:30"],
        customer_id=["a", "b", "c"],
    )
    result = merchant_monthly(tx).sort("month").select("month", "customers")
    expected = pl.DataFrame(
        {
            "month": [date(2025, 4, 1), date(2025, 9, 1), date(2025, 10, 1)],
            "customers": [1, 1, 1],
        }
    )
    assert_frame_equal(result, expected)


def test_other_time_zone_changes_the_day() -> None:
    tx = tx_frame(created_at=["2025-06-15 02:00"])
    assert merchant_daily(tx, tz="America/New_York")["day"].to_list() == [date(2025, 6, 14)]


def test_refunds_reduce_spend_and_are_not_visits() -> None:
    tx = tx_frame(customer_id=["a", "a", "b"], amount_minor=[1000, -300, -500])
    result = merchant_daily(tx).select(METRICS)
    expected = pl.DataFrame(
        {
            "spend_minor": [200],
            "payments": [1],
            "customers": [1],
            "repeat_customers": [0],
            "refund_minor": [800],
        }
    )
    assert_frame_equal(result, expected)


def test_repeat_customers_need_two_payments_in_the_period() -> None:
    tx = tx_frame(
        customer_id=["a", "a", "b", "c", "c"],
        created_at=[
            "2025-06-01 09:00",
            "2025-06-20 09:00",
            "2025-06-01 09:00",
            "2025-06-03 09:00",
            "2025-06-03 18:00",
        ],
    )
    monthly = merchant_monthly(tx).select("customers", "repeat_customers", "payments")
    assert_frame_equal(
        monthly, pl.DataFrame({"customers": [3], "repeat_customers": [2], "payments": [5]})
    )
    daily = merchant_daily(tx).sort("day").select("day", "repeat_customers")
    expected = pl.DataFrame(
        {
            "day": [date(2025, 6, 1), date(2025, 6, 3), date(2025, 6, 20)],
            "repeat_customers": [0, 1, 0],
        }
    )
    assert_frame_equal(daily, expected)


def test_merchant_attributes_are_carried() -> None:
    tx = tx_frame(merchant_id=["m1", "m2"], merchant_city=["Leeds", None])
    result = merchant_monthly(tx).sort("merchant_id")
    expected = pl.DataFrame(
        {
            "merchant_id": ["m1", "m2"],
            "merchant_name": ["Name m1", "Name m2"],
            "merchant_group_id": ["g_m1", "g_m2"],
            "merchant_category": ["eating_out", "eating_out"],
            "merchant_city": ["Leeds", None],
            "is_online": [False, True],
            "month": [date(2025, 6, 1)] * 2,
            "spend_minor": [1000, 1000],
            "payments": [1, 1],
            "customers": [1, 1],
            "repeat_customers": [0, 0],
            "refund_minor": [0, 0],
        }
    )
    assert_frame_equal(result, expected)


def test_lazy_in_lazy_out_eager_in_eager_out() -> None:
    tx = tx_frame()
    assert isinstance(merchant_daily(tx.lazy()), pl.LazyFrame)
    assert isinstance(merchant_daily(tx), pl.DataFrame)


def test_category_daily_per_city_and_day() -> None:
    tx = tx_frame(
        customer_id=["a", "a", "b", "c"],
        merchant_id=["m1", "m2", "m2", "m3"],
        merchant_city=["Leeds", "Leeds", "Leeds", "York"],
        amount_minor=[100, 200, 300, -50],
    )
    expected = pl.DataFrame(
        {
            "merchant_category": ["eating_out", "eating_out"],
            "merchant_city": ["Leeds", "York"],
            "day": [date(2025, 6, 15)] * 2,
            "spend_minor": [600, -50],
            "payments": [3, 0],
            "customers": [2, 0],
        }
    )
    assert_frame_equal(category_daily(tx), expected)


def test_group_daily_counts_customers_once_across_locations() -> None:
    tx = tx_frame(
        customer_id=["a", "a", "b"],
        merchant_id=["m1", "m2", "m2"],
        merchant_group_id="g1",
    )
    expected = pl.DataFrame(
        {
            "merchant_group_id": ["g1"],
            "day": [date(2025, 6, 15)],
            "spend_minor": [3000],
            "payments": [3],
            "customers": [2],
        }
    )
    assert_frame_equal(group_daily(tx), expected)


def test_active_customers_are_distinct_payers_per_local_day() -> None:
    tx = tx_frame(
        customer_id=["a", "a", "b", "c"],
        merchant_id=["m1", "m2", "m1", "m1"],
        amount_minor=[100, 100, 100, -100],
        created_at=["2025-06-15 12:00", "2025-06-15 22:30", "2025-06-15 23:30", "2025-06-15 12:00"],
    )
    expected = pl.DataFrame(
        {"day": [date(2025, 6, 15), date(2025, 6, 16)], "active_customers": [1, 1]}
    )
    assert_frame_equal(active_customers_daily(tx), expected)


def test_active_customers_rolling_fills_missing_days_with_zero() -> None:
    daily = pl.DataFrame({"day": [date(2025, 6, 1), date(2025, 6, 3)], "active_customers": [4, 8]})
    expected = pl.DataFrame(
        {
            "day": [date(2025, 6, 1), date(2025, 6, 2), date(2025, 6, 3)],
            "active_customers": [4, 0, 8],
            "active_customers_rolling": [None, 2.0, 4.0],
        }
    )
    assert_frame_equal(active_customers_rolling(daily, window=2), expected)


def test_active_customers_rolling_rejects_empty_window() -> None:
    with pytest.raises(ParameterError, match="window"):
        active_customers_rolling(pl.DataFrame({"day": [], "active_customers": []}), window=0)


# --- DuckDB gives the same answers as polars -----------------------------------------------


def _edge_case_tx() -> pl.DataFrame:
    return tx_frame(
        customer_id=["a", "a", "b", "b", "c", "a", "d"],
        merchant_id=["m1", "m1", "m1", "m2", "m2", "m3", "m3"],
        merchant_city=["Leeds", "Leeds", "Leeds", "York", "York", None, None],
        merchant_group_id=["g1", "g1", "g1", "g1", "g1", "g3", "g3"],
        merchant_category=["eating_out"] * 5 + ["shopping"] * 2,
        amount_minor=[500, 700, 300, 900, -200, 1500, 100],
        created_at=[
            "2025-09-30 23:30",
            "2025-10-01 08:00",
            "2025-09-30 22:30",
            "2025-10-26 00:30",
            "2025-10-26 01:30",
            "2025-01-31 23:30",
            "2025-03-30 00:59",
        ],
    )


@pytest.fixture
def london_duckdb() -> Any:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'Europe/London'")
    yield con
    con.close()


AGGREGATES: list[tuple[Callable[..., Any], list[str]]] = [
    (merchant_daily, ["merchant_id", "day"]),
    (merchant_monthly, ["merchant_id", "month"]),
    (category_daily, ["merchant_category", "merchant_city", "day"]),
    (group_daily, ["merchant_group_id", "day"]),
    (active_customers_daily, ["day"]),
]


@pytest.mark.parametrize(
    ("aggregate", "keys"), AGGREGATES, ids=lambda a: getattr(a, "__name__", "")
)
def test_duckdb_equals_polars(
    london_duckdb: Any, aggregate: Callable[..., Any], keys: list[str]
) -> None:
    tx = _edge_case_tx()
    relation = london_duckdb.from_arrow(tx.to_arrow())
    result = aggregate(relation)
    assert isinstance(result, duckdb.DuckDBPyRelation)
    assert_frame_equal(result.pl().sort(keys), aggregate(tx).sort(keys))


def test_duckdb_in_another_time_zone_is_refused_with_the_fix() -> None:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    relation = con.from_arrow(tx_frame().to_arrow())
    with pytest.raises(ParameterError, match="SET TimeZone = 'Europe/London'"):
        merchant_daily(relation)
    con.close()
