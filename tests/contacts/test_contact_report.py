"""Per-channel steps of the contact-rate report, on small readable frames."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from insights.contacts.active import open_accounts_series
from insights.contacts.intraday import channel_profiles, intraday_volume
from insights.contacts.rates import contact_rates, contact_volume, rate_series, volume_series
from insights.contacts.staffing import daily_staffing, handle_times, staffing_plan
from insights.data.sample import write_sample
from insights.errors import InsufficientHistoryError, ParameterError
from insights.forecasting.forecaster import forecast
from insights.reduce.contacts import (
    accounts_daily,
    channel_daily,
    contact_intervals,
    contacts_daily,
)


def contacts_frame(rows: list[tuple[str, str, str, str | None, int | None]]) -> pl.DataFrame:
    """(customer_id, UTC timestamp, channel, tag, handle_time_seconds) per contact."""
    return pl.DataFrame(
        {
            "contact_id": [f"k{i}" for i in range(len(rows))],
            "customer_id": [r[0] for r in rows],
            "created_at": [datetime.fromisoformat(r[1]).replace(tzinfo=UTC) for r in rows],
            "channel": [r[2] for r in rows],
            "tag": [r[3] for r in rows],
            "handle_time_seconds": [r[4] for r in rows],
        },
        schema_overrides={
            "created_at": pl.Datetime("us", "UTC"),
            "tag": pl.String,
            "handle_time_seconds": pl.Int64,
        },
    )


CUSTOMERS = pl.DataFrame(
    {
        "customer_id": ["c1", "c2", "c3", "c4"],
        "opened_at": [datetime(2025, 1, 1, tzinfo=UTC)] * 3 + [datetime(2025, 6, 3, tzinfo=UTC)],
        "closed_at": [None] * 4,
        "home_city": [None] * 4,
    },
    schema_overrides={"closed_at": pl.Datetime("us", "UTC"), "home_city": pl.String},
)
ACCOUNTS = accounts_daily(CUSTOMERS, end=date(2025, 6, 30))


def test_rates_per_channel_with_distinct_customers_up_to_as_of() -> None:
    contacts = contacts_frame(
        [
            ("c1", "2025-06-02 09:00", "phone", "card_lost", 300),
            ("c1", "2025-06-02 10:00", "phone", "card_lost", 300),  # same customer twice
            ("c2", "2025-06-03 09:00", "chat", None, 600),
            ("c3", "2025-06-04 09:00", "chat", None, 600),  # after as_of: not used
        ]
    )
    result = contact_rates(contacts_daily(contacts), ACCOUNTS, as_of="2025-06-03")
    expected = pl.DataFrame(
        {
            "unique_id": ["chat", "chat", "phone", "phone"],
            "ds": [date(2025, 6, 2), date(2025, 6, 3)] * 2,
            "contacts": [0, 1, 2, 0],
            "customers": [0, 1, 1, 0],
            "active_customers": [3.0, 4.0, 3.0, 4.0],
            "rate": [0.0, 250.0, 2000 / 3, 0.0],
        }
    )
    assert_frame_equal(result, expected)


def test_quiet_days_before_as_of_are_zeros_so_forecasts_start_after_it() -> None:
    """A thin line's last days without a contact: the data go on, so they are zeros.

    Left out, the history ended early and the rate forecast started before ``as_of``, a day
    the open-account forecast does not cover (issue #13's contact_volume error, seen again on
    a 400-customer population).
    """
    contacts = contacts_frame(
        [
            ("c1", "2025-06-02 09:00", "phone", None, 300),
            ("c2", "2025-06-03 09:00", "chat", None, 600),
            ("c3", "2025-06-06 09:00", "chat", None, 600),  # the data run past as_of
        ]
    )
    result = contact_rates(contacts_daily(contacts), ACCOUNTS, as_of="2025-06-05")
    tail = result.filter(pl.col("ds") > date(2025, 6, 3))
    assert tail.select("unique_id", "ds", "contacts", "rate").rows() == [
        ("chat", date(2025, 6, 4), 0, 0.0),
        ("chat", date(2025, 6, 5), 0, 0.0),
        ("phone", date(2025, 6, 4), 0, 0.0),
        ("phone", date(2025, 6, 5), 0, 0.0),
    ]
    # data that end before as_of get no invented days
    early = contact_rates(contacts_daily(contacts.head(2)), ACCOUNTS, as_of="2025-06-05")
    assert early["ds"].max() == date(2025, 6, 3)


def test_a_day_without_contacts_is_a_zero_but_a_three_week_gap_is_missing() -> None:
    """A thin line's quiet day counts (left out, its rate was averaged over busy days only)."""
    contacts = contacts_frame(
        [
            ("c1", "2025-06-02 09:00", "phone", None, 300),
            ("c2", "2025-06-04 09:00", "phone", None, 300),  # nobody on the 3rd: a zero
            ("c3", "2025-06-28 09:00", "phone", None, 300),  # 5 to 27 June: an export gap
            ("c1", "2025-06-29 09:00", "phone", None, 300),
        ]
    )
    result = contact_rates(contacts_daily(contacts), ACCOUNTS, as_of="2025-06-29")
    assert result.select("ds", "contacts").rows() == [
        (date(2025, 6, 2), 1),
        (date(2025, 6, 3), 0),
        (date(2025, 6, 4), 1),
        (date(2025, 6, 28), 1),
        (date(2025, 6, 29), 1),
    ]


def test_customers_over_all_tags_come_from_channel_daily() -> None:
    # Two customers, about two topics: each topic alone has one customer.
    contacts = contacts_frame(
        [
            ("c1", "2025-06-02 09:00", "phone", "card_lost", 300),
            ("c2", "2025-06-02 10:00", "phone", "fraud", 300),
            ("c2", "2025-06-02 11:00", "phone", "fraud", 300),
        ]
    )
    daily = contacts_daily(contacts)
    exact = contact_rates(daily, ACCOUNTS, as_of="2025-06-02", channels=channel_daily(contacts))
    assert exact.select("contacts", "customers").row(0) == (3, 2)
    # Without channel_daily: the largest per-tag count, a lower bound (never an over-count).
    bound = contact_rates(daily, ACCOUNTS, as_of="2025-06-02")
    assert bound.select("contacts", "customers").row(0) == (3, 1)
    fraud = contact_rates(daily, ACCOUNTS, as_of="2025-06-02", tags=["card_lost"])
    assert fraud.select("contacts", "customers").row(0) == (1, 1)


def test_raw_contacts_are_refused_with_the_way_to_reduce() -> None:
    contacts = contacts_frame([("c1", "2025-06-02 09:00", "phone", None, 300)])
    with pytest.raises(ParameterError, match="not raw rows: reduce them first"):
        contact_rates(contacts, ACCOUNTS, as_of="2025-06-02")


def test_tags_filter_and_unknown_tag_is_named() -> None:
    contacts = contacts_frame(
        [
            ("c1", "2025-06-02 09:00", "phone", "card_lost", 300),
            ("c2", "2025-06-02 09:30", "phone", "fraud", 300),
        ]
    )
    daily = contacts_daily(contacts)
    result = contact_rates(daily, ACCOUNTS, as_of=date(2025, 6, 2), tags=["fraud"])
    assert result["contacts"].to_list() == [1]
    with pytest.raises(ParameterError, match=r"tags \['frod'\] do not occur.*'fraud'"):
        contact_rates(daily, ACCOUNTS, as_of=date(2025, 6, 2), tags=["frod"])


def test_tag_filter_keeps_every_day_the_line_worked() -> None:
    # no fraud contact on 2 June, but the line was open: a zero, not a closed day
    contacts = contacts_frame(
        [
            ("c1", "2025-06-02 09:00", "phone", "card_lost", 300),
            ("c2", "2025-06-03 09:30", "chat", "fraud", 300),
            ("c3", "2025-06-04 09:30", "chat", "card_lost", 300),
        ]
    )
    result = contact_rates(
        contacts_daily(contacts), ACCOUNTS, as_of=date(2025, 6, 4), tags=["fraud"]
    )
    assert result.select("unique_id", "ds", "contacts").rows() == [
        ("chat", date(2025, 6, 2), 0),
        ("chat", date(2025, 6, 3), 1),
        ("chat", date(2025, 6, 4), 0),
        ("phone", date(2025, 6, 2), 0),
        ("phone", date(2025, 6, 3), 0),
        ("phone", date(2025, 6, 4), 0),
    ]


def test_no_history_before_as_of_is_insufficient() -> None:
    contacts = contacts_frame([("c1", "2025-06-02 09:00", "phone", None, 300)])
    with pytest.raises(InsufficientHistoryError, match="no contacts on or before 2025-05-01"):
        contact_rates(contacts_daily(contacts), ACCOUNTS, as_of="2025-05-01")


def test_bad_as_of_is_a_parameter_error() -> None:
    contacts = contacts_frame([("c1", "2025-06-02 09:00", "phone", None, 300)])
    with pytest.raises(ParameterError, match="as_of must be a date"):
        contact_rates(contacts_daily(contacts), ACCOUNTS, as_of="June")


def test_rate_series_keeps_only_forecast_columns() -> None:
    rates = pl.DataFrame(
        {"unique_id": ["phone"], "ds": [date(2025, 6, 2)], "contacts": [5], "rate": [1.5]}
    )
    assert rate_series(rates).columns == ["unique_id", "ds", "y"]
    assert volume_series(rates).to_dicts() == [
        {"unique_id": "phone", "ds": date(2025, 6, 2), "y": 5.0}
    ]


def test_active_series_counts_open_accounts_per_day() -> None:
    result = open_accounts_series(ACCOUNTS, as_of="2025-06-03")
    assert result.tail(2).to_dicts() == [
        {"ds": date(2025, 6, 2), "y": 3.0},
        {"ds": date(2025, 6, 3), "y": 4.0},
    ]


def test_handle_times_ignore_missing_values() -> None:
    contacts = contacts_frame(
        [
            ("c1", "2025-06-02 09:00", "phone", None, 300),
            ("c2", "2025-06-02 09:10", "phone", None, None),
            ("c3", "2025-06-02 09:20", "phone", None, 500),
        ]
    )
    result = handle_times(contacts_daily(contacts), as_of="2025-06-03")
    assert result.to_dicts() == [{"unique_id": "phone", "contacts": 2, "aht_seconds": 400.0}]


def test_profiles_and_intraday_split_per_channel() -> None:
    # Monday 2 June: phone 3 contacts at 09:xx local, chat 1 at 10:xx local (BST = UTC+1).
    contacts = contacts_frame(
        [
            ("c1", "2025-06-02 08:05", "phone", None, 300),
            ("c2", "2025-06-02 08:10", "phone", None, 300),
            ("c3", "2025-06-02 08:40", "phone", None, 300),
            ("c1", "2025-06-02 09:15", "chat", None, 600),
        ]
    )
    profiles = channel_profiles(contact_intervals(contacts), as_of="2025-06-08", weeks=1)
    # three phone contacts are too few to show their half hours apart: one block
    assert profiles.select("unique_id", "weekday", "interval", "share").to_dicts() == [
        {"unique_id": "chat", "weekday": 1, "interval": time(10), "share": 1.0},
        {"unique_id": "phone", "weekday": 1, "interval": time(9), "share": 0.5},
        {"unique_id": "phone", "weekday": 1, "interval": time(9, 30), "share": 0.5},
    ]
    volume = pl.DataFrame(
        {
            "unique_id": ["chat", "phone"],
            "ds": [date(2025, 6, 9)] * 2,
            "mean": [10.0, 30.0],
            "lo_80": [8.0, 25.0],
            "hi_80": [12.0, 35.0],
        }
    )
    split = intraday_volume(volume, profiles)
    assert split.select("unique_id", "interval", "mean").to_dicts() == [
        {"unique_id": "chat", "interval": time(10), "mean": 10.0},
        {"unique_id": "phone", "interval": time(9), "mean": 15.0},
        {"unique_id": "phone", "interval": time(9, 30), "mean": 15.0},
    ]


def test_tag_profiles_fall_back_to_the_channel_where_the_tag_is_rare() -> None:
    # one fraud contact on Monday 09:xx; Tuesday has none, so its shape is the channel's
    contacts = contacts_frame(
        [
            ("c1", "2025-06-02 08:05", "phone", "fraud", 300),
            ("c2", "2025-06-02 13:10", "phone", "card_lost", 300),
            ("c3", "2025-06-03 08:40", "phone", "card_lost", 300),
        ]
    )
    intervals = contact_intervals(contacts)
    own = channel_profiles(intervals, as_of="2025-06-08", weeks=1, tags=["fraud"], min_contacts=1)
    assert own.select("weekday", "interval", "share").rows() == [
        (1, time(9), 1.0),
        (2, time(9, 30), 1.0),
    ]
    fallback = channel_profiles(intervals, as_of="2025-06-08", weeks=1, tags=["fraud"])
    # Monday's two contacts (09:00 and 14:00) are one block: every half hour between alike
    monday = fallback.filter(pl.col("weekday") == 1)
    assert monday["interval"].to_list() == [time(9 + m // 60, m % 60) for m in range(0, 330, 30)]
    assert monday["share"].to_list() == [1 / 11] * 11
    assert fallback.filter(pl.col("weekday") == 2).select("interval", "share").rows() == [
        (time(9, 30), 1.0)
    ]


def test_intraday_without_a_profile_for_a_channel_is_an_error() -> None:
    volume = pl.DataFrame({"unique_id": ["email"], "ds": [date(2025, 6, 9)], "mean": [1.0]})
    profiles = pl.DataFrame(
        {"unique_id": ["phone"], "weekday": [1], "interval": [time(9)], "share": [1.0]}
    )
    with pytest.raises(ParameterError, match=r"no interval profile for channel\(s\) \['email'\]"):
        intraday_volume(volume, profiles)


def test_channel_profiles_need_a_channel_in_the_forecast() -> None:
    volume = pl.DataFrame({"ds": [date(2025, 6, 9)], "mean": [1.0]})
    profiles = pl.DataFrame(
        {"unique_id": ["phone"], "weekday": [1], "interval": [time(9)], "share": [1.0]}
    )
    with pytest.raises(ParameterError, match="per-channel profiles need a `unique_id`"):
        intraday_volume(volume, profiles)


def test_one_profile_splits_every_channel_alike() -> None:
    volume = pl.DataFrame(
        {"unique_id": ["chat", "phone"], "ds": [date(2025, 6, 9)] * 2, "mean": [10.0, 30.0]}
    )
    profile = pl.DataFrame(
        {"weekday": [1, 1], "interval": [time(9), time(10)], "share": [0.5, 0.5]}
    ).cast({"weekday": pl.Int8})
    split = intraday_volume(volume, profile)
    assert split.select("unique_id", "interval", "mean").to_dicts() == [
        {"unique_id": "chat", "interval": time(9), "mean": 5.0},
        {"unique_id": "chat", "interval": time(10), "mean": 5.0},
        {"unique_id": "phone", "interval": time(9), "mean": 15.0},
        {"unique_id": "phone", "interval": time(10), "mean": 15.0},
    ]


def test_staffing_plan_staffs_live_channels_with_chat_concurrency() -> None:
    intraday = pl.DataFrame(
        {
            "unique_id": ["chat", "email", "phone"],
            "ds": [date(2025, 6, 9)] * 3,
            "interval": [time(9)] * 3,
            "mean": [100.0, 100.0, 100.0],
        }
    )
    aht = pl.DataFrame(
        {"unique_id": ["chat", "email", "phone"], "aht_seconds": [180.0, 300.0, 180.0]}
    )
    plan = staffing_plan(intraday, aht, service_level=0.8, answer_seconds=20, shrinkage=0.0)
    by_channel = dict(plan.select("unique_id", "agents").iter_rows())
    # 100 calls in 30 min at 180 s AHT is 10 Erlangs: 14 agents for 80/20 (the textbook case);
    # chat agents hold two conversations at once, so chat needs fewer. Email is not queued.
    assert by_channel["phone"] == 14
    assert by_channel["chat"] < 14
    assert "email" not in by_channel
    daily = daily_staffing(plan)
    assert daily.filter(pl.col("unique_id") == "phone")["agent_hours"].item() == 7.0


@pytest.fixture(scope="module")
def small_sample(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Contacts and the open-account forecast of the bundled sample with 3,000 customers."""
    data = tmp_path_factory.mktemp("small")
    write_sample(data, customers=3000)
    accounts = accounts_daily(pl.read_parquet(data / "customers.parquet"), end=date(2025, 9, 30))
    accounts_fc = forecast(
        open_accounts_series(accounts, as_of="2025-08-31"),
        horizon=56,
        holidays="GB",
        models="snaive",
    )
    return contacts_daily(pl.read_parquet(data / "contacts.parquet")), accounts, accounts_fc


@pytest.mark.parametrize(
    "tag",
    [
        "account_closure",
        "app_login",
        "card_declined",
        "card_lost",
        "fraud",
        "general",
        "payment_dispute",
    ],
)
def test_every_tag_of_a_small_population_forecasts_its_volume(
    small_sample: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame], tag: str
) -> None:
    """The report's steps, rate forecast × open-account forecast, on rare tags' rates.

    Most open days of a rare tag have no contact of it; they are zeros, not closed days, so
    the rate forecast covers the same days as the account forecast (the model does not
    matter here: seasonal naive keeps the test cheap).
    """
    contacts, customers, accounts_fc = small_sample
    rates = contact_rates(contacts, customers, as_of="2025-08-31", tags=[tag])
    rate_fc = forecast(rate_series(rates), horizon=28, holidays="GB", models="snaive")
    volume = contact_volume(rate_fc, accounts_fc)
    assert volume.height == rate_fc.height == 28 * 3
    assert volume["ds"].min() == date(2025, 9, 1)
