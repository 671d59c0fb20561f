from datetime import UTC, date, datetime

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from insights.contacts.active import active_payers, open_accounts
from insights.contacts.rates import contact_volume, contacts_per_active, daily_contacts
from insights.errors import ParameterError


def _ts(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def contacts() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "contact_id": ["k1", "k2", "k3", "k4"],
            "created_at": [
                _ts(2025, 6, 1, 23, 30),  # 00:30 on 2 June in London (BST)
                _ts(2025, 6, 2, 9),
                _ts(2025, 6, 2, 10),
                _ts(2025, 6, 4, 8),
            ],
            "channel": ["chat", "phone", "phone", "email"],
            "tag": ["card_lost", None, "card_lost", "payment_dispute"],
        }
    )


def test_daily_contacts_use_local_days(contacts: pl.DataFrame) -> None:
    expected = pl.DataFrame(
        {"ds": [date(2025, 6, 2), date(2025, 6, 4)], "contacts": [3, 1]},
        schema_overrides={"contacts": pl.UInt32},
    )
    assert_frame_equal(daily_contacts(contacts), expected)


def test_daily_contacts_in_utc(contacts: pl.DataFrame) -> None:
    out = daily_contacts(contacts, tz="UTC")
    assert out["ds"].to_list() == [date(2025, 6, 1), date(2025, 6, 2), date(2025, 6, 4)]


def test_daily_contacts_by_channel_fill_zero(contacts: pl.DataFrame) -> None:
    out = daily_contacts(contacts, by="channel")
    expected = pl.DataFrame(
        {
            "ds": [date(2025, 6, 2)] * 3 + [date(2025, 6, 4)] * 3,
            "channel": ["chat", "email", "phone"] * 2,
            "contacts": [1, 0, 2, 0, 1, 0],
        },
        schema_overrides={"contacts": pl.UInt32},
    )
    assert_frame_equal(out, expected)


def test_daily_contacts_lazy_in_lazy_out(contacts: pl.DataFrame) -> None:
    out = daily_contacts(contacts.lazy(), by="tag")
    assert isinstance(out, pl.LazyFrame)
    assert "untagged" in out.collect()["tag"].to_list()


def test_daily_contacts_bad_by(contacts: pl.DataFrame) -> None:
    with pytest.raises(ParameterError, match="by="):
        daily_contacts(contacts, by="city")  # type: ignore[arg-type]


def test_active_customers_open_on_the_day() -> None:
    customers = pl.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d"],
            "opened_at": [
                _ts(2024, 12, 1),  # before the range
                _ts(2025, 1, 2, 23, 30),  # 23:30 UTC = 23:30 London in winter
                _ts(2024, 11, 1),
                _ts(2025, 2, 1),  # after the range
            ],
            "closed_at": [None, _ts(2025, 1, 4, 10), _ts(2024, 12, 31), None],
        }
    )
    out = open_accounts(customers, start=date(2025, 1, 1), end=date(2025, 1, 5))
    expected = pl.DataFrame(
        {
            "ds": pl.date_range(date(2025, 1, 1), date(2025, 1, 5), eager=True),
            "active_customers": [1, 2, 2, 1, 1],
        }
    )
    assert_frame_equal(out, expected)


def test_active_customers_bad_range() -> None:
    customers = pl.DataFrame(
        {"opened_at": [_ts(2025, 1, 1)], "closed_at": [None]},
        schema_overrides={"closed_at": pl.Datetime("us", "UTC")},
    )
    with pytest.raises(ParameterError, match="before start"):
        open_accounts(customers, start=date(2025, 1, 5), end=date(2025, 1, 1))


def test_active_payers_trailing_window_counts_each_customer_once() -> None:
    tx = pl.DataFrame(
        {
            "customer_id": ["a", "a", "a", "b", "b"],
            "created_at": [
                _ts(2025, 1, 1, 12),
                _ts(2025, 1, 2, 12),
                _ts(2025, 1, 9, 12),
                _ts(2025, 1, 3, 12),
                _ts(2025, 1, 4, 12),
            ],
            "amount_minor": [500, 200, 100, 300, -300],  # b's second row is a refund
        }
    )
    out = active_payers(tx, window_days=3, start=date(2025, 1, 1), end=date(2025, 1, 10))
    expected = pl.DataFrame(
        {
            "ds": pl.date_range(date(2025, 1, 1), date(2025, 1, 10), eager=True),
            #                  1  2  3  4  5  6  7  8  9  10
            "active_customers": [1, 1, 2, 2, 1, 0, 0, 0, 1, 1],
        }
    )
    assert_frame_equal(out, expected)


def test_active_payers_default_range_starts_after_a_full_window() -> None:
    tx = pl.DataFrame(
        {
            "customer_id": ["a", "b"],
            "created_at": [_ts(2025, 1, 1, 12), _ts(2025, 1, 20, 12)],
            "amount_minor": [500, 200],
        }
    )
    out = active_payers(tx, window_days=7)
    assert out["ds"].min() == date(2025, 1, 7)
    assert out["ds"].max() == date(2025, 1, 20)


def test_contact_rate_by_tag() -> None:
    daily = pl.DataFrame(
        {
            "ds": [date(2025, 6, 2), date(2025, 6, 2), date(2025, 6, 3), date(2025, 6, 3)],
            "tag": ["card_lost", "untagged", "card_lost", "untagged"],
            "contacts": [5, 15, 0, 10],
        }
    )
    active = pl.DataFrame(
        {"ds": [date(2025, 6, 2), date(2025, 6, 3)], "active_customers": [10_000, 20_000]}
    )
    out = contacts_per_active(daily, active)
    assert out["rate"].to_list() == [0.5, 1.5, 0.0, 0.5]
    assert out.columns == ["ds", "tag", "contacts", "active_customers", "rate"]


def test_contact_rate_weekly_sums_contacts_and_averages_customers() -> None:
    days = pl.date_range(date(2025, 6, 2), date(2025, 6, 10), eager=True)  # Mon … next Tue
    daily = pl.DataFrame({"ds": days, "contacts": [10] * 9})
    active = pl.DataFrame({"ds": days, "active_customers": [1000] * 7 + [2000] * 2})
    out = contacts_per_active(daily, active, freq="week", per=100)
    expected = pl.DataFrame(
        {
            "ds": [date(2025, 6, 2), date(2025, 6, 9)],
            "contacts": [70, 20],
            "active_customers": [1000.0, 2000.0],
            "rate": [7.0, 1.0],
        }
    )
    assert_frame_equal(out, expected)


def test_contact_volume_point_inputs_multiply() -> None:
    rate = pl.DataFrame(
        {
            "unique_id": ["all"],
            "ds": [date(2025, 7, 1)],
            "mean": [2.0],
            "lo_80": [2.0],
            "hi_80": [2.0],
        }
    )
    active = pl.DataFrame({"ds": [date(2025, 7, 1)], "active_customers": [50_000]})
    out = contact_volume(rate, active, level=(80,))
    assert out.columns == ["unique_id", "ds", "mean", "lo_80", "hi_80"]
    assert out.row(0) == ("all", date(2025, 7, 1), 100.0, 100.0, 100.0)


def test_contact_volume_carries_both_uncertainties() -> None:
    day = [date(2025, 7, 1)]
    rate = pl.DataFrame({"ds": day, "mean": [2.0], "lo_95": [1.0], "hi_95": [3.0]})
    sure = pl.DataFrame({"ds": day, "mean": [10_000.0], "lo_95": [10_000.0], "hi_95": [10_000.0]})
    unsure = sure.with_columns(lo_95=pl.lit(8_000.0), hi_95=pl.lit(12_000.0))
    narrow = contact_volume(rate, sure, level=(95,), n_sims=4000)
    wide = contact_volume(rate, unsure, level=(95,), n_sims=4000)
    assert narrow["lo_95"].item() == pytest.approx(10.0, rel=0.08)
    assert narrow["hi_95"].item() == pytest.approx(30.0, rel=0.08)
    assert (
        wide["hi_95"].item() - wide["lo_95"].item()
        > narrow["hi_95"].item() - narrow["lo_95"].item()
    )


def test_contact_volume_missing_days_raise() -> None:
    rate = pl.DataFrame({"ds": [date(2025, 7, 1)], "mean": [2.0]})
    active = pl.DataFrame({"ds": [date(2025, 7, 2)], "active_customers": [1]})
    with pytest.raises(ParameterError, match="no active-customer forecast"):
        contact_volume(rate, active)
