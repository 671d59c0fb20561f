from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest
from conftest import monthly_frame, tx_frame
from polars.testing import assert_frame_equal

from insights.errors import InsufficientHistoryError, ParameterError
from insights.reduce.aggregates import category_daily, city_monthly, merchant_monthly, total_monthly
from insights.reduce.pipeline import reduce_marts
from insights.spending.categories import category_index, year_on_year
from insights.spending.favourites import regional_favourites
from insights.spending.headlines import monthly_headlines
from insights.spending.spikes import spending_spikes


def _days(start: date, n: int) -> list[date]:
    return [start + timedelta(days=k) for k in range(n)]


def _daily(
    spend: list[int],
    *,
    start: date = date(2025, 7, 1),
    key: str = "cinema",
    by: str = "merchant_category",
    customers: int = 30,
) -> pl.DataFrame:
    return pl.DataFrame(
        {
            by: [key] * len(spend),
            "day": _days(start, len(spend)),
            "spend_minor": spend,
            "customers": [customers] * len(spend),
        }
    )


# --- category_index ------------------------------------------------------------------------


def test_category_index_is_100_at_the_baseline_mean() -> None:
    daily = _daily([100, 100, 100, 100, 300, 300], start=date(2024, 1, 1))
    result = category_index(daily, baseline=("2024-01-01", "2024-01-04"), window=2)
    expected = pl.DataFrame(
        {
            "merchant_category": ["cinema"] * 6,
            "day": _days(date(2024, 1, 1), 6),
            "spend_minor": [100, 100, 100, 100, 300, 300],
            "customers": [30] * 6,
            "spend_rolling": [None, 100.0, 100.0, 100.0, 200.0, 300.0],
            "index": [None, 100.0, 100.0, 100.0, 200.0, 300.0],
        }
    )
    assert_frame_equal(result, expected)


def test_category_index_sums_cities_and_fills_missing_days() -> None:
    daily = pl.DataFrame(
        {
            "merchant_category": ["groceries"] * 3,
            "merchant_city": ["Leeds", "York", "Leeds"],
            "day": [date(2024, 1, 1), date(2024, 1, 1), date(2024, 1, 3)],
            "spend_minor": [100, 100, 400],
            "customers": [10, 10, 20],
        }
    )
    result = category_index(daily, baseline=("2024-01-01", "2024-01-02"), window=1, min_customers=1)
    expected = pl.DataFrame(
        {
            "day": [date(2024, 1, 1), date(2024, 1, 2), date(2024, 1, 3)],
            "spend_minor": [200, None, 400],  # the missing day is filled, then suppressed (0 < 1)
            "index": [200.0, None, 400.0],
        }
    )
    assert_frame_equal(result.select("day", "spend_minor", "index"), expected)


def test_category_index_suppresses_days_with_few_customers() -> None:
    daily = _daily([100, 100, 100], start=date(2024, 1, 1), customers=9)
    result = category_index(daily, baseline=("2024-01-01", "2024-01-02"), window=1)
    assert result.height == 3  # rows kept, so a chart shows a gap rather than bridging it
    assert result.select("spend_minor", "customers", "index").null_count().row(0) == (3, 3, 3)


def test_category_index_baseline_outside_data_is_refused() -> None:
    with pytest.raises(InsufficientHistoryError, match="2023-01-01"):
        category_index(_daily([1, 2, 3]), baseline=("2023-01-01", "2023-03-31"))


# --- spending_spikes -----------------------------------------------------------------------


def test_spike_found_with_both_ratios() -> None:
    spend = [100] * 14 + [50] * 7 + [361]
    result = spending_spikes(_daily(spend, start=date(2025, 1, 1)), min_ratio=2.0)
    expected = pl.DataFrame(
        {
            "merchant_category": ["cinema"],
            "day": [date(2025, 1, 22)],
            "spend_minor": [361],
            "customers": [30],
            "prev_week_mean": [50.0],
            "year_to_date_mean": [(14 * 100 + 7 * 50) / 21],
            "ratio_prev_week": [361 / 50],
            "ratio_year_to_date": [361 / ((14 * 100 + 7 * 50) / 21)],
        }
    )
    assert_frame_equal(result.drop("jump_pct"), expected)
    assert result["jump_pct"][0] == pytest.approx(100 * (expected["ratio_year_to_date"][0] - 1))


def test_jump_only_against_a_quiet_week_is_not_a_spike() -> None:
    spend = [300] * 14 + [100] * 7 + [300]  # triple last week, but only the usual level
    assert spending_spikes(_daily(spend, start=date(2025, 1, 1))).is_empty()


def test_year_to_date_mean_restarts_on_first_january() -> None:
    spend = [1000] * 10 + [100] * 8 + [400]  # Dec 22 – Jan 9: the old year does not count
    result = spending_spikes(_daily(spend, start=date(2024, 12, 22)), min_ratio=2.0)
    assert result["day"].to_list() == [date(2025, 1, 9)]
    assert result["year_to_date_mean"][0] == pytest.approx(100.0)


def test_spikes_by_merchant_group() -> None:
    daily = _daily([100] * 10 + [500], by="merchant_group_id", key="g_cinema")
    result = spending_spikes(daily, by="merchant_group_id")
    assert result.select("merchant_group_id", "day").rows() == [("g_cinema", date(2025, 7, 11))]


def test_spike_day_with_few_customers_is_suppressed() -> None:
    assert spending_spikes(_daily([100] * 10 + [500], customers=5)).is_empty()


def test_spikes_reject_unknown_key() -> None:
    with pytest.raises(ParameterError, match="merchant_group_id"):
        spending_spikes(_daily([1]), by="merchant_city")  # type: ignore[arg-type]


# --- year_on_year --------------------------------------------------------------------------


def test_year_on_year_compares_the_same_days_of_the_category_daily_mart() -> None:
    last_year = [f"c{k}" for k in range(10)]
    this_year = [f"c{k}" for k in range(15)]
    tx = tx_frame(
        customer_id=last_year + last_year + this_year,
        created_at=["2024-09-03 12:00"] * 10
        + ["2024-09-04 12:00"] * 10
        + ["2025-09-03 12:00"] * 15,
        amount_minor=[100] * 20 + [200] * 15,
    )
    result = year_on_year(category_daily(tx), month="2025-09")
    expected = pl.DataFrame(
        {
            "merchant_category": ["eating_out"],
            "month": [date(2025, 9, 1)],
            "days": [3],  # the data stop on 3 September 2025, so last year stops on 3 September
            "spend_minor": [3000],
            "spend_minor_last_year": [1000],
            "customers": [15],
            "customers_last_year": [10],
            "spend_growth_pct": [200.0],
            "customers_growth_pct": [50.0],
        }
    )
    assert_frame_equal(result, expected)


def test_year_on_year_refuses_raw_transactions_and_names_the_one_call_that_reduces_them() -> None:
    tx = tx_frame(created_at=["2024-09-03 12:00", "2025-09-03 12:00"])
    with pytest.raises(ParameterError, match=r"not raw transactions: .*ins\.reduce_marts"):
        year_on_year(tx, month="2025-09")
    with pytest.raises(ParameterError, match=r"as a polars DataFrame, got LazyFrame"):
        year_on_year(category_daily(tx).lazy(), month="2025-09")
    # Raw rows for exploration: the marts in one call, then the insight.
    marts = reduce_marts(tx)
    assert_frame_equal(
        year_on_year(marts["category_daily"], month="2025-09", min_customers=1),
        year_on_year(category_daily(tx), month="2025-09", min_customers=1),
    )


def test_year_on_year_suppresses_small_groups() -> None:
    daily = pl.DataFrame(
        {
            "merchant_category": ["a", "a", "b", "b"],
            "day": [date(2024, 9, 1), date(2025, 9, 1)] * 2,
            "spend_minor": [1, 2, 1, 2],
            "customers": [10, 10, 9, 10],
        }
    )
    assert year_on_year(daily, month="2025-09")["merchant_category"].to_list() == ["a"]


def test_year_on_year_without_last_year_is_empty_not_an_error() -> None:
    # Regression: data starting less than a year ago took the whole report down.
    assert year_on_year(_daily([1], start=date(2025, 9, 1)), month="2025-09").is_empty()


def test_year_on_year_of_a_city_without_spending_is_empty() -> None:
    daily = _daily([100] * 3, start=date(2025, 9, 1)).with_columns(merchant_city=pl.lit("Leeds"))
    assert year_on_year(daily, month="2025-09", city="York").is_empty()
    with pytest.raises(ParameterError, match="No spending in 2026-01"):
        year_on_year(daily, month="2026-01", city="York")


# --- regional_favourites -------------------------------------------------------------------


def test_favourites_per_city_with_shares() -> None:
    bean = [f"b{k}" for k in range(30)]
    bun = [f"u{k}" for k in range(10)]
    tx = tx_frame(
        customer_id=bean + bean[:10] + bun + bun[:10] + bun,
        merchant_group_id=["g_bean"] * 40 + ["g_bun"] * 30,
        merchant_id=["m_bean_leeds"] * 40 + ["m_bun_leeds"] * 20 + ["m_bun_york"] * 10,
        merchant_name=["Bean"] * 40 + ["Bun"] * 30,
        merchant_city=["Leeds"] * 60 + ["York"] * 10,
        created_at="2025-09-10 12:00",
    )
    monthly = merchant_monthly(tx)
    result = regional_favourites(monthly, groups=["g_bean", "g_bun"], month="2025-09")
    expected = pl.DataFrame(
        {
            "merchant_city": ["Leeds", "Leeds", "York", "York"],
            "merchant_group_id": ["g_bean", "g_bun", "g_bun", "g_bean"],
            "brand": ["Bean", "Bun", "Bun", "Bean"],
            "customers": [30, 10, 10, 0],
            "share": [0.75, 0.25, 1.0, 0.0],
            "rank": [1, 2, 1, 2],
            "favourite": [True, False, True, False],
            "suppressed": [False] * 4,
        }
    )
    assert_frame_equal(result, expected)
    by_name = regional_favourites(monthly, brands=["Bean", "Bun"], month="2025-09")
    assert_frame_equal(by_name, expected)
    with pytest.raises(ParameterError, match=r"no brand called 'Beans'\. Did you mean 'Bean'"):
        regional_favourites(monthly, brands=["Beans", "Bun"], month="2025-09")
    with pytest.raises(ParameterError, match=r"'merchant_monthly' mart, not raw transactions"):
        regional_favourites(tx, groups=["g_bean", "g_bun"], month="2025-09")


def test_favourites_drop_a_city_with_a_tiny_rival() -> None:
    monthly = monthly_frame(
        merchant_id=["a", "b", "c", "d"],
        merchant_group_id=["g_bean", "g_bun", "g_bean", "g_bun"],
        merchant_city=["Leeds", "Leeds", "York", "York"],
        customers=[50, 40, 50, 3],
    )
    result = regional_favourites(monthly, groups=["g_bean", "g_bun"])
    # York stays, visibly suppressed: no count, share or rank, and no favourite.
    york = result.filter(pl.col("merchant_city") == "York")
    assert york["suppressed"].to_list() == [True, True]
    assert york.select("customers", "share", "rank").null_count().row(0) == (2, 2, 2)
    assert not york["favourite"].any()
    assert result.filter(pl.col("favourite"))["merchant_city"].to_list() == ["Leeds"]


def test_a_brand_of_many_groups_is_one_rival() -> None:
    # Regression: a national brand whose locations are separate merchant groups failed with
    # "'Bean' names 3 merchant groups". A brand name now stands for all its groups.
    monthly = monthly_frame(
        merchant_id=["a", "b", "c", "d", "e"],
        merchant_name=["Bean", "Bean", "Bean", "Bun", "Bun"],
        merchant_group_id=["g_bean1", "g_bean2", "g_bean3", "g_bun", "g_bun"],
        merchant_city=["Leeds", "Leeds", "York", "Leeds", "York"],
        customers=[30, 20, 40, 45, 10],
    )
    result = regional_favourites(monthly, brands=["Bean", "Bun"])
    assert result.select("merchant_city", "brand", "merchant_group_id", "customers").rows() == [
        ("Leeds", "Bean", "g_bean1", 50),
        ("Leeds", "Bun", "g_bun", 45),
        ("York", "Bean", "g_bean3", 40),
        ("York", "Bun", "g_bun", 10),
    ]


def test_without_rivals_the_leading_brands_are_compared() -> None:
    # Bean is in 3 cities, Bun and Crumb in 2 (Crumb has more customers), Solo in 1.
    monthly = monthly_frame(
        merchant_id=["b1", "b2", "b3", "u1", "u2", "c1", "c2", "s1"],
        merchant_name=["Bean"] * 3 + ["Bun"] * 2 + ["Crumb"] * 2 + ["Solo"],
        merchant_group_id=["g_b1", "g_b2", "g_b3", "g_u", "g_u", "g_c", "g_c", "g_s"],
        merchant_city=["Leeds", "York", "Hull", "Leeds", "York", "Leeds", "York", "Leeds"],
        customers=[20, 20, 20, 10, 10, 30, 30, 500],
    )
    result = regional_favourites(monthly)
    assert set(result["brand"]) == {"Bean", "Crumb"}
    assert set(regional_favourites(monthly, leading=3)["brand"]) == {"Bean", "Crumb", "Bun"}


def test_without_two_brands_in_two_cities_there_is_nothing_to_compare() -> None:
    monthly = monthly_frame(merchant_id=["a", "b"], merchant_city=["Leeds", "York"])
    result = regional_favourites(monthly)
    assert result.is_empty()
    assert "suppressed" in result.columns


def test_favourites_need_two_groups() -> None:
    with pytest.raises(ParameterError, match="at least two"):
        regional_favourites(monthly_frame(), groups=["g_m1"])


# --- monthly_headlines ---------------------------------------------------------------------


def test_monthly_headlines_change_on_month_and_year() -> None:
    customers = [f"c{k}" for k in range(20)]
    tx = tx_frame(
        customer_id=customers[:10] + customers[:15] + customers + ["c0"],
        created_at=["2024-09-15 12:00"] * 10
        + ["2025-08-15 12:00"] * 15
        + ["2025-09-15 12:00"] * 20
        + ["2025-09-30 23:30"],  # 1 October in London: not counted
        amount_minor=[100] * 10 + [100] * 15 + [300] * 20 + [999],
    )
    result = monthly_headlines(total_monthly(tx), month="2025-09")
    expected = pl.DataFrame(
        {
            "metric": ["customers", "payments", "spend_minor"],
            "month": [date(2025, 9, 1)] * 3,
            "this_month": [20, 20, 6000],
            "last_month": [15, 15, 1500],
            "last_year": [10, 10, 1000],
            "change_on_month_pct": [100 * (20 / 15 - 1), 100 * (20 / 15 - 1), 300.0],
            "change_on_year_pct": [100.0, 100.0, 500.0],
        }
    )
    assert_frame_equal(result, expected)


def test_monthly_headlines_blank_periods_with_few_customers() -> None:
    tx = tx_frame(
        customer_id=[f"c{k}" for k in range(12)] + ["x"],
        created_at=["2025-09-15 12:00"] * 12 + ["2025-08-15 12:00"],
    )
    result = monthly_headlines(total_monthly(tx), month="2025-09")
    assert result["this_month"].to_list() == [12, 12, 12000]
    assert result["last_month"].null_count() == 3


def test_monthly_headlines_of_a_city_without_payments_are_blank() -> None:
    # Regression: a city with no payment that month raised and took the report down.
    result = monthly_headlines(
        city_monthly(tx_frame(created_at="2025-09-10 12:00")), month="2025-09", city="York"
    )
    assert result["this_month"].null_count() == 3


def test_monthly_headlines_month_without_data_is_refused() -> None:
    with pytest.raises(ParameterError, match="2026-01"):
        monthly_headlines(total_monthly(tx_frame()), month="2026-01")


def test_monthly_headlines_for_a_city_read_city_monthly() -> None:
    tx = tx_frame(
        customer_id=[f"c{k}" for k in range(12)] * 2,
        merchant_city=["Leeds"] * 12 + ["York"] * 12,
        created_at="2025-09-15 12:00",
    )
    result = monthly_headlines(city_monthly(tx), month="2025-09", city="York")
    assert result["this_month"].to_list() == [12, 12, 12000]
    with pytest.raises(ParameterError, match="without a city needs the total_monthly mart"):
        monthly_headlines(city_monthly(tx), month="2025-09")
    with pytest.raises(ParameterError, match="not raw transactions: reduce them first"):
        monthly_headlines(tx, month="2025-09", city="York")


def test_days_before_a_place_opened_are_not_zero_spend() -> None:
    old = _daily([100] * 30, start=date(2025, 1, 1), key="old")
    opened = _daily([100] * 10, start=date(2025, 1, 21), key="new")
    assert spending_spikes(pl.concat([old, opened])).is_empty()


def test_spike_against_a_handful_of_customers_is_not_news() -> None:
    days = pl.date_range(date(2025, 7, 1), date(2025, 7, 10), eager=True)
    daily = pl.DataFrame(
        {
            "merchant_group_id": "g_tiny",
            "day": days,
            "spend_minor": [300] * 9 + [30_000],
            "customers": [1] * 9 + [50],
        }
    )
    assert spending_spikes(daily, by="merchant_group_id").height == 0
    found = spending_spikes(daily, by="merchant_group_id", min_baseline_customers=1)
    assert found["day"].to_list() == [date(2025, 7, 10)]


def test_spikes_for_a_month_keep_its_year_so_far_only() -> None:
    days = pl.date_range(date(2024, 12, 1), date(2025, 3, 31), eager=True)
    spend = [100] * len(days)
    for jump in (date(2024, 12, 20), date(2025, 2, 10), date(2025, 3, 20)):
        spend[(jump - date(2024, 12, 1)).days] = 500
    daily = pl.DataFrame(
        {"merchant_category": "entertainment", "day": days, "spend_minor": spend, "customers": 40}
    )
    found = spending_spikes(daily, month="2025-02")
    assert found["day"].to_list() == [date(2025, 2, 10)]


def test_category_index_for_a_month_uses_that_month_last_year_as_baseline() -> None:
    days = pl.date_range(date(2024, 8, 1), date(2025, 9, 30), eager=True)
    spend = [200 if d.year == 2025 and d.month == 9 else 100 for d in days]
    daily = pl.DataFrame(
        {"merchant_category": "groceries", "day": days, "spend_minor": spend, "customers": 40}
    )
    result = category_index(daily, month="2025-09", window=1)
    assert result["day"].min() == date(2024, 9, 1)
    assert result["day"].max() == date(2025, 9, 30)
    assert result.filter(pl.col("day") == date(2025, 9, 15))["index"].item() == 200.0


def test_category_index_needs_a_baseline_or_a_month() -> None:
    with pytest.raises(ParameterError, match=r"baseline=.*or month="):
        category_index(_daily([1, 2, 3]))


def test_a_burst_after_months_of_silence_is_not_a_spike() -> None:
    # Regression: a brand with payments in January only, then silent until a burst in June,
    # showed "+14677%" against a year-to-date mean taken over five months of empty days.
    days = pl.date_range(date(2025, 1, 1), date(2025, 6, 30), eager=True)
    active = [d.month == 1 or d >= date(2025, 6, 20) for d in days]
    spend = [
        0 if not a else (5_000 if d == date(2025, 6, 23) else 1_000)
        for d, a in zip(days, active, strict=True)
    ]
    customers = [40 if a else 0 for a in active]
    daily = pl.DataFrame(
        {"merchant_group_id": "g_gap", "day": days, "spend_minor": spend, "customers": customers}
    ).filter(pl.col("customers") > 0)  # missing days are absent, as in group_daily
    assert spending_spikes(daily, by="merchant_group_id").is_empty()
    # The same burst against a year of steady trading is a spike.
    steady = daily.vstack(
        pl.DataFrame(
            {
                "merchant_group_id": "g_steady",
                "day": days,
                "spend_minor": [5_000 if d == date(2025, 6, 23) else 1_000 for d in days],
                "customers": [40] * len(days),
            }
        )
    )
    found = spending_spikes(steady, by="merchant_group_id")
    assert found.select("merchant_group_id", "day").rows() == [("g_steady", date(2025, 6, 23))]


def test_min_active_share_is_a_share() -> None:
    with pytest.raises(ParameterError, match="between 0 and 1"):
        spending_spikes(_daily([1]), min_active_share=80)


def test_year_on_year_from_daily_counts_never_passes_a_few_people_as_many() -> None:
    # Regression: 6 card holders paying on 3 days each made "15 customers" (customer-days),
    # which passed the privacy floor of 10.
    days = [date(2024, 9, d) for d in (1, 2, 3)] + [date(2025, 9, d) for d in (1, 2, 3)]
    daily = pl.DataFrame(
        {"merchant_category": "groceries", "day": days, "spend_minor": 500, "customers": 5}
    )
    assert year_on_year(daily, month="2025-09").is_empty()
    busy = daily.with_columns(customers=pl.lit(12))
    assert year_on_year(busy, month="2025-09")["customers"].to_list() == [36]
