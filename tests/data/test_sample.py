"""Tests of the sample-data generator: contracts, invariants and the planted stories."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import holidays
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from insights.data.sample import (
    CATEGORIES,
    CITIES,
    SampleData,
    sample_data,
    sample_frames,
    write_sample,
)
from insights.errors import ParameterError

TZ = "Europe/London"
CUSTOMERS = 5_000


@pytest.fixture(scope="module")
def data() -> SampleData:
    return sample_data(customers=CUSTOMERS)


@pytest.fixture(scope="module")
def tx(data: SampleData) -> pl.DataFrame:
    """Transactions with their local date and local month."""
    local = pl.col("created_at").dt.convert_time_zone(TZ)
    return data.transactions.with_columns(
        local_date=local.dt.date(), month=local.dt.strftime("%Y-%m")
    )


@pytest.fixture(scope="module")
def activity(tx: pl.DataFrame) -> pl.DataFrame:
    """Customers and repeat customers (2+ payments) per merchant and local month."""
    return (
        tx.filter(pl.col("amount_minor") > 0)
        .group_by("merchant_id", "month", "customer_id")
        .agg(payments=pl.len())
        .group_by("merchant_id", "month")
        .agg(customers=pl.len(), repeat=(pl.col("payments") >= 2).sum())
    )


def _months_before(month: str, n: int) -> list[str]:
    year, mon = map(int, month.split("-"))
    index = year * 12 + mon - 1
    return [f"{(index - k) // 12}-{(index - k) % 12 + 1:02d}" for k in range(n, 0, -1)]


def _history(activity: pl.DataFrame, merchant_id: str, month: str) -> dict[str, Any]:
    """Repeat and distinct customers in ``month`` and the three months before."""
    rows = activity.filter(pl.col("merchant_id") == merchant_id)
    before = rows.filter(pl.col("month").is_in(_months_before(month, 3)))
    now = rows.filter(pl.col("month") == month)
    return {
        "base_months": before.height,
        "base_repeat": before["repeat"].mean() if before.height else 0.0,
        "base_customers": before["customers"].mean() if before.height else 0.0,
        "min_base_customers": before["customers"].min() if before.height else 0,
        "repeat": now["repeat"].sum(),
        "customers": now["customers"].sum(),
    }


# --- determinism --------------------------------------------------------------------------


def test_same_seed_gives_identical_frames(data: SampleData) -> None:
    again = sample_data(customers=CUSTOMERS)
    for name, frame in data.frames().items():
        assert_frame_equal(frame, again.frames()[name])
    assert again.truth == data.truth


def test_different_seed_gives_different_frames(data: SampleData) -> None:
    other = sample_frames(customers=CUSTOMERS, seed=7)
    assert not other["transactions"].equals(data.transactions)
    assert not other["contacts"].equals(data.contacts)


# --- contracts ----------------------------------------------------------------------------


UTC = pl.Datetime("us", "UTC")


def test_columns_and_dtypes(data: SampleData) -> None:
    assert dict(data.transactions.schema) == (
        {
            "transaction_id": pl.String,
            "customer_id": pl.String,
            "created_at": UTC,
            "amount_minor": pl.Int64,
            "currency": pl.String,
            "merchant_id": pl.String,
            "merchant_name": pl.String,
            "merchant_group_id": pl.String,
            "merchant_category": pl.String,
            "merchant_city": pl.String,
            "is_online": pl.Boolean,
        }
    )
    assert dict(data.customers.schema) == (
        {"customer_id": pl.String, "opened_at": UTC, "closed_at": UTC, "home_city": pl.String}
    )
    assert dict(data.contacts.schema) == (
        {
            "contact_id": pl.String,
            "customer_id": pl.String,
            "created_at": UTC,
            "channel": pl.String,
            "tag": pl.String,
            "handle_time_seconds": pl.Int64,
        }
    )


def test_ids_are_unique_and_well_formed(data: SampleData) -> None:
    assert data.transactions["transaction_id"].is_unique().all()
    assert data.customers["customer_id"].is_unique().all()
    assert data.contacts["contact_id"].is_unique().all()
    assert data.customers["customer_id"].str.contains(r"^c_\d{6}$").all()
    assert data.transactions["merchant_id"].str.contains(r"^m_\d{5}$").all()
    assert data.transactions["merchant_group_id"].str.contains(r"^g_\d{5}$").all()
    assert data.transactions["transaction_id"].str.starts_with("tx_").all()
    assert data.contacts["contact_id"].str.starts_with("k_").all()
    assert data.customers.height == CUSTOMERS


def test_required_columns_have_no_nulls(data: SampleData) -> None:
    tx = data.transactions.drop("merchant_city")
    assert tx.null_count().sum_horizontal().item() == 0
    assert (
        data.customers.select("customer_id", "opened_at").null_count().sum_horizontal().item() == 0
    )
    contacts = data.contacts.select("contact_id", "customer_id", "created_at", "channel")
    assert contacts.null_count().sum_horizontal().item() == 0


def test_allowed_values(data: SampleData) -> None:
    tx, contacts = data.transactions, data.contacts
    assert (tx["amount_minor"] != 0).all()
    assert set(tx["merchant_category"].unique()) == set(CATEGORIES)
    assert set(tx["currency"].unique()) == {"GBP", "EUR", "USD"}
    assert (tx.filter(pl.col("currency") != "GBP")["merchant_category"] == "holidays").all()
    assert (tx["currency"] == "GBP").mean() > 0.99  # type: ignore[operator]
    assert set(contacts["channel"].unique()) == {"chat", "phone", "email"}
    assert (contacts["handle_time_seconds"].drop_nulls() >= 0).all()
    cities = {name for name, _ in CITIES}
    assert set(tx["merchant_city"].drop_nulls().unique()) == cities
    assert set(data.customers["home_city"].drop_nulls().unique()) == cities


def test_online_if_and_only_if_no_city(data: SampleData) -> None:
    tx = data.transactions
    assert (tx["is_online"] == tx["merchant_city"].is_null()).all()
    assert 0.2 < tx["is_online"].mean() < 0.5  # type: ignore[operator]


def test_transactions_only_while_the_account_is_open(data: SampleData) -> None:
    joined = data.transactions.join(data.customers, on="customer_id", how="left")
    assert joined["opened_at"].null_count() == 0
    assert (joined["created_at"] > joined["opened_at"]).all()
    closed = joined.filter(pl.col("closed_at").is_not_null())
    assert closed.height > 0
    assert (closed["created_at"] < closed["closed_at"]).all()


def test_contacts_only_from_open_accounts(data: SampleData) -> None:
    joined = data.contacts.join(data.customers, on="customer_id", how="left")
    assert joined["opened_at"].null_count() == 0
    open_ = (pl.col("created_at") > pl.col("opened_at")) & (
        pl.col("closed_at").is_null() | (pl.col("created_at") < pl.col("closed_at"))
    )
    assert joined.select(open_.all()).item()


def test_customer_base_grows_and_some_accounts_close(data: SampleData) -> None:
    start = pl.datetime(2023, 10, 1, time_zone="UTC")
    end = pl.datetime(2025, 9, 30, time_zone="UTC")
    counts = data.customers.select(
        before=(pl.col("opened_at") < start).sum(),
        opened=pl.col("opened_at").is_between(start, end).sum(),
        closed=pl.col("closed_at").is_not_null().sum(),
    ).row(0, named=True)
    assert counts["opened"] > counts["closed"] > 0
    assert counts["before"] > 0
    assert data.customers["home_city"].null_count() > 0


def test_refunds_are_rare_and_follow_a_purchase(data: SampleData) -> None:
    tx = data.transactions
    refunds = tx.filter(pl.col("amount_minor") < 0)
    assert 0.01 <= refunds.height / tx.height <= 0.02
    first_purchase = (
        tx.filter(pl.col("amount_minor") > 0)
        .group_by("customer_id", "merchant_id")
        .agg(first=pl.col("created_at").min())
    )
    matched = refunds.join(first_purchase, on=["customer_id", "merchant_id"], how="left")
    assert (matched["first"] < matched["created_at"]).all()


# --- realism ------------------------------------------------------------------------------


def test_weekly_and_christmas_patterns(tx: pl.DataFrame) -> None:
    eating = tx.filter(pl.col("merchant_category") == "eating_out", ~pl.col("is_online"))
    by_weekday = eating.group_by(pl.col("local_date").dt.weekday()).agg(pl.len()).sort("local_date")
    tue, sat = by_weekday["len"][1], by_weekday["len"][5]
    assert sat > 1.3 * tue
    in_store = tx.filter(~pl.col("is_online")).group_by("local_date").agg(pl.len())
    christmas = in_store.filter(pl.col("local_date") == date(2024, 12, 25))["len"].sum()
    assert christmas < 0.1 * in_store["len"].median()  # type: ignore[operator]
    by_month = tx.group_by(pl.col("local_date").dt.month()).agg(pl.len()).sort("local_date")
    assert by_month["len"][11] > by_month["len"][0]  # December above January


def test_typical_amounts_per_category(tx: pl.DataFrame) -> None:
    medians = dict(
        tx.filter(pl.col("amount_minor") > 0, pl.col("currency") == "GBP")
        .group_by("merchant_category")
        .agg(pl.col("amount_minor").median())
        .rows()
    )
    assert medians["eating_out"] < medians["groceries"] < medians["holidays"]
    assert medians["holidays"] > 10_000


def test_chains_span_cities_and_customers_return(data: SampleData, activity: pl.DataFrame) -> None:
    places = (
        data.transactions.filter(~pl.col("is_online"))
        .group_by("merchant_group_id")
        .agg(cities=pl.col("merchant_city").n_unique(), locations=pl.col("merchant_id").n_unique())
    )
    assert (places["cities"] == len(CITIES)).sum() >= 10  # chains in every city
    assert (places["locations"] == 1).sum() > 200  # independents
    in_store_ids = data.transactions.filter(~pl.col("is_online"))["merchant_id"].unique()
    in_store = activity.filter(pl.col("merchant_id").is_in(in_store_ids))
    assert int(in_store["repeat"].sum()) > 0.12 * int(in_store["customers"].sum())


# --- planted stories ----------------------------------------------------------------------


def test_truth_has_the_documented_keys(data: SampleData) -> None:
    truth = data.truth
    assert set(truth) >= {"generator", "rows", "cities", "trending", "decoys", "spike"}
    assert set(truth) >= {"rivals", "contacts"}
    assert truth["generator"]["story_month"] == "2025-09"
    assert truth["rows"] == {
        "transactions": data.transactions.height,
        "customers": data.customers.height,
        "contacts": data.contacts.height,
    }
    assert set(truth["decoys"]) == {"event_surge", "popular_flat", "tiny", "chain", "new_place"}
    assert truth["cities"][:3] == ["London", "Manchester", "Birmingham"]
    json.dumps(truth)


def test_trending_places_triple_their_regulars(data: SampleData, activity: pl.DataFrame) -> None:
    trending = data.truth["trending"]
    assert len(trending) == 6
    assert {t["city"] for t in trending} == {"London", "Manchester", "Birmingham"}
    for place in trending:
        h = _history(activity, place["merchant_id"], place["month"])
        assert h["base_months"] == 3
        assert h["repeat"] >= 2.5 * h["base_repeat"], place
        assert h["base_repeat"] >= 8
        assert h["min_base_customers"] >= 10
        assert h["customers"] >= 10


def test_trending_places_are_independent_eateries(data: SampleData) -> None:
    tx = data.transactions
    for place in data.truth["trending"]:
        group = tx.filter(pl.col("merchant_group_id") == place["merchant_group_id"])
        assert group["merchant_id"].unique().to_list() == [place["merchant_id"]]
        assert group["merchant_city"].unique().to_list() == [place["city"]]
        assert group["merchant_category"].unique().to_list() == ["eating_out"]


def test_event_surge_is_one_day_of_single_visits(
    data: SampleData, tx: pl.DataFrame, activity: pl.DataFrame
) -> None:
    for place in data.truth["decoys"]["event_surge"]:
        h = _history(activity, place["merchant_id"], place["month"])
        assert h["customers"] >= 4 * h["base_customers"]
        assert h["repeat"] <= 1.5 * h["base_repeat"]
        days = tx.filter(
            pl.col("merchant_id") == place["merchant_id"], pl.col("month") == place["month"]
        )
        busiest = days.group_by("local_date").agg(pl.len())["len"].max()
        assert busiest >= 0.6 * days.height  # type: ignore[operator]


def test_popular_flat_tiny_chain_and_new_decoys(
    data: SampleData, tx: pl.DataFrame, activity: pl.DataFrame
) -> None:
    decoys = data.truth["decoys"]
    for place in decoys["popular_flat"]:
        h = _history(activity, place["merchant_id"], place["month"])
        assert h["base_repeat"] >= 15
        assert 0.7 * h["base_repeat"] <= h["repeat"] <= 1.3 * h["base_repeat"]
    for place in decoys["tiny"]:
        h = _history(activity, place["merchant_id"], place["month"])
        assert h["base_customers"] <= 3
        assert h["customers"] <= 10
    for place in decoys["chain"]:
        h = _history(activity, place["merchant_id"], place["month"])
        assert h["repeat"] >= 2.5 * h["base_repeat"]
        group = tx.filter(pl.col("merchant_group_id") == place["merchant_group_id"])
        assert group["merchant_id"].n_unique() > 5
    for place in decoys["new_place"]:
        rows = tx.filter(pl.col("merchant_id") == place["merchant_id"])
        assert rows["month"].unique().to_list() == [place["month"]]
        h = _history(activity, place["merchant_id"], place["month"])
        assert h["repeat"] >= 10
        assert h["customers"] >= 20


def test_spike_day_at_the_cinema_chain(data: SampleData, tx: pl.DataFrame) -> None:
    spike = data.truth["spike"]
    assert spike["date"] == "2025-07-22"
    group = tx.filter(pl.col("merchant_group_id") == spike["merchant_group_id"])
    assert group["merchant_category"].unique().to_list() == [spike["category"]]
    days = pl.DataFrame(
        {"local_date": pl.date_range(date(2023, 10, 1), date(2025, 9, 30), eager=True)}
    )
    spend = group.group_by("local_date").agg(spend=pl.col("amount_minor").sum())
    daily = days.join(spend, on="local_date", how="left").fill_null(0).sort("local_date")
    day = date.fromisoformat(spike["date"])
    on_day = daily.filter(pl.col("local_date") == day)["spend"].item()
    assert on_day >= 3 * daily["spend"].median()  # type: ignore[operator]
    # Also the most unusual day against the same weekday of the surrounding weeks.
    same_weekday = pl.col("spend").rolling_median(9, center=True, min_samples=5)
    ratio = daily.with_columns(
        ratio=pl.col("spend") / same_weekday.over(pl.col("local_date").dt.weekday())
    ).sort("ratio", descending=True)
    assert ratio["local_date"][0] == day
    assert ratio["ratio"][0] >= 3


def test_rival_favourite_per_city(data: SampleData) -> None:
    rivals = data.truth["rivals"]
    counts = (
        data.transactions.filter(pl.col("merchant_group_id").is_in(rivals["merchant_group_ids"]))
        .group_by("merchant_city", "merchant_group_id")
        .agg(customers=pl.col("customer_id").n_unique())
        .sort("customers", "merchant_group_id", descending=True)
        .group_by("merchant_city", maintain_order=True)
        .first()
    )
    favourite = dict(zip(counts["merchant_city"], counts["merchant_group_id"], strict=True))
    assert favourite == rivals["favourite_by_city"]
    assert len(set(favourite.values())) == 2


# --- contacts -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def contacts(data: SampleData) -> pl.DataFrame:
    local = pl.col("created_at").dt.convert_time_zone(TZ)
    return data.contacts.with_columns(local_date=local.dt.date(), hour=local.dt.hour())


def test_phone_closed_on_sundays_and_bank_holidays(contacts: pl.DataFrame) -> None:
    bank = sorted(holidays.country_holidays("GB", subdiv="ENG", years=range(2023, 2026)))
    phone = contacts.filter(pl.col("channel") == "phone")
    assert phone.filter(pl.col("local_date").dt.weekday() == 7).height == 0
    assert phone.filter(pl.col("local_date").is_in(bank)).height == 0
    christmas = contacts.filter(
        pl.col("local_date").dt.month() == 12, pl.col("local_date").dt.day() == 25
    )
    assert set(christmas["channel"].unique()) <= {"email"}
    sunday_chat = contacts.filter(
        pl.col("channel") == "chat", pl.col("local_date").dt.weekday() == 7
    )
    assert sunday_chat.height > 0


def test_contact_opening_hours(contacts: pl.DataFrame) -> None:
    hours = contacts.group_by("channel").agg(lo=pl.col("hour").min(), hi=pl.col("hour").max())
    span = {row[0]: (row[1], row[2]) for row in hours.rows()}
    assert span["phone"][0] >= 8 and span["phone"][1] <= 19
    assert span["chat"][0] >= 7 and span["chat"][1] <= 22
    assert span["email"] == (0, 23)


def test_contact_volume_patterns(data: SampleData, contacts: pl.DataFrame) -> None:
    daily = contacts.group_by("local_date").agg(n=pl.len())
    by_weekday = daily.group_by(pl.col("local_date").dt.weekday()).agg(pl.col("n").mean())
    mean: dict[int, float] = dict(by_weekday.rows())
    assert mean[1] > mean[3] > mean[6] and mean[1] > mean[7]
    rate = float(daily.select(pl.col("n").mean()).item()) / (CUSTOMERS * 0.7)
    assert 0.001 < rate < 0.006
    median = daily["n"].median()
    for incident in data.truth["contacts"]["incidents"]:
        day = contacts.filter(pl.col("local_date") == date.fromisoformat(incident["date"]))
        assert day.height >= 1.4 * median  # type: ignore[operator]
        assert (day["tag"] == incident["tag"]).sum() >= 0.3 * day.height
    tags = set(contacts["tag"].unique())
    assert None in tags and {"card_lost", "card_declined", "fraud", "account_closure"} <= tags


def test_handle_times_by_channel(contacts: pl.DataFrame) -> None:
    med = dict(contacts.group_by("channel").agg(pl.col("handle_time_seconds").median()).rows())
    assert med["email"] < med["phone"] < med["chat"]
    assert 0 < contacts["handle_time_seconds"].null_count() < 0.1 * contacts.height


# --- files and parameters -----------------------------------------------------------------


def test_write_sample_layout(tmp_path: Path) -> None:
    truth = write_sample(
        tmp_path, customers=2_000, start=date(2025, 1, 1), end=date(2025, 8, 31), seed=3
    )
    assert json.loads((tmp_path / "truth.json").read_text(encoding="utf-8")) == truth
    parts = sorted(p.parent.name for p in (tmp_path / "transactions").glob("*/part-0.parquet"))
    assert parts[0] == "year_month=2025-01"  # London is on UTC in winter
    assert parts[-1] == "year_month=2025-08"
    tx = pl.read_parquet(tmp_path / "transactions", hive_partitioning=True)
    assert tx.height == truth["rows"]["transactions"]
    assert (tx["year_month"] == tx["created_at"].dt.strftime("%Y-%m")).all()
    assert pl.read_parquet(tmp_path / "customers.parquet").height == 2_000
    assert pl.read_parquet(tmp_path / "contacts.parquet").height == truth["rows"]["contacts"]
    assert truth["generator"]["story_month"] == "2025-08"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"customers": 10},
        {"start": date(2025, 6, 1)},
        {"end": date(2023, 12, 31)},
        {"seed": -1},
    ],
)
def test_bad_parameters_raise(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ParameterError, match="cannot generate sample data"):
        sample_data(**kwargs)


def test_story_month_is_the_last_full_month() -> None:
    data = sample_data(customers=2_000, start=date(2025, 1, 1), end=date(2025, 9, 15))
    assert data.truth["generator"]["story_month"] == "2025-08"
    local = pl.col("created_at").dt.convert_time_zone(TZ).dt.date()
    span = data.transactions.select(first=local.min(), last=local.max()).row(0)
    assert span[0] >= date(2025, 1, 1)
    assert span[1] <= date(2025, 9, 15)
