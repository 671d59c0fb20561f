"""Property: whatever the population, no published table holds a count of 1 to k-1 people.

Hypothesis draws small populations (1 to 30 customers per channel-day, tags that isolate a few
people, places with a handful of regulars), runs the library functions whose tables the two
reports publish, publishes them the way the notebooks do, and checks every file three ways:
directly (no people count in 1..k-1), recoverably (no rate times its denominator, no share of
an interval, no growth times its expectation gives one back) and through the gate itself.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import altair as alt
import pytest
import polars as pl
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from insights.contacts.intraday import channel_profiles
from insights.contacts.rates import contact_rates, rate_series, volume_series
from insights.publish.charts import publish_chart
from insights.publish.people import PEOPLE_COUNTS
from insights.publish.tables import publish_table, suppress_people
from insights.reports.privacy import check_privacy
from insights.spending.trending import new_merchants, trending_merchants

pytestmark = pytest.mark.slow
K = 10
START = datetime(2025, 6, 2, 8, tzinfo=UTC)  # a Monday
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@st.composite
def contact_populations(draw: st.DrawFn) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Contacts over two weeks: per channel-day 0-30 customers, a few tagged 'fraud'."""
    customers = draw(st.integers(min_value=20, max_value=60))
    rows = []
    for day in range(14):
        for channel in ("phone", "chat"):
            people = draw(st.integers(min_value=0, max_value=30))
            fraud = draw(st.integers(min_value=0, max_value=min(people, 3)))
            for i in range(people):
                hour = draw(st.integers(min_value=0, max_value=8))
                rows.append(
                    (
                        f"c{(day * 7 + i) % customers}",
                        START + timedelta(days=day, hours=hour, minutes=i),
                        channel,
                        "fraud" if i < fraud else "card_lost",
                    )
                )
    assume(len(rows) > 0)
    contacts = pl.DataFrame(
        rows,
        schema={
            "customer_id": pl.String,
            "created_at": pl.Datetime("us", "UTC"),
            "channel": pl.String,
            "tag": pl.String,
        },
        orient="row",
    )
    accounts = pl.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(customers)],
            "opened_at": [datetime(2025, 1, 1, tzinfo=UTC)] * customers,
            "closed_at": [None] * customers,
        },
        schema_overrides={"closed_at": pl.Datetime("us", "UTC"), "opened_at": pl.Datetime("us", "UTC")},
    )
    return contacts, accounts


def _small(values: pl.Series) -> pl.Series:
    return (values > 0) & (values < K)


def _assert_no_small_people(frame: pl.DataFrame, where: str) -> None:
    for column in frame.columns:
        if column in PEOPLE_COUNTS:
            values = frame.get_column(column).cast(pl.Float64)
            assert not _small(values).any(), f"{where}: {column} publishes a count under {K}"


def _chart(frame: pl.DataFrame) -> alt.Chart:
    return alt.Chart(frame).mark_line().encode(x="ds:T", y="y:Q")


@SETTINGS
@given(contact_populations(), st.sampled_from([(), ("fraud",)]))
def test_contact_tables_publish_no_small_count_directly_or_recoverably(
    population: tuple[pl.DataFrame, pl.DataFrame], tags: tuple[str, ...]
) -> None:
    contacts, accounts = population
    if contacts.filter(pl.col("tag").is_in(list(tags)) if tags else pl.lit(True)).is_empty():
        return
    as_of = date(2025, 6, 15)
    rates = contact_rates(contacts, accounts, as_of=as_of, tags=list(tags))
    history = suppress_people(rates)
    profiles = channel_profiles(contacts, as_of=as_of, weeks=2, tags=list(tags))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        publish_table(history, name="history", out_dir=out)
        for name, series in (("rates", rate_series(history)), ("volume", volume_series(history))):
            publish_chart(_chart(series), series, name=name, out_dir=out, alt_text="Lines.")
        publish_chart(_chart(rate_series(history)), profiles, name="profile", out_dir=out, alt_text="Lines.")
        published = pl.read_csv(out / "history.csv", try_parse_dates=True)
        _assert_no_small_people(published, "history.csv")
        _assert_no_small_people(pl.read_csv(out / "profile.data.csv"), "profile.data.csv")
        # recoverable: rate x active accounts / 1000 on every day the rate is published
        recovered = published.filter(pl.col("rate").is_not_null()).select(
            (pl.col("rate") * pl.col("active_customers") / 1000).round(6).alias("contacts")
        )
        assert not _small(recovered["contacts"]).any()
        for name in ("rates", "volume"):
            series = pl.read_csv(out / f"{name}.data.csv", try_parse_dates=True)
            joined = series.join(rates, on=["unique_id", "ds"]).filter(pl.col("y").is_not_null())
            assert not _small(joined["customers"].cast(pl.Float64)).any(), name
        # a pooled interval's share times the weekday total gives the pool's mean, never a
        # single interval's count: each pool holds at least k contacts
        pools = profiles.filter(pl.col("contacts").is_null())
        raw = channel_profiles(contacts, as_of=as_of, weeks=2, tags=list(tags), pool_below=1)
        pooled_raw = raw.join(pools.select("unique_id", "weekday", "interval"), on=["unique_id", "weekday", "interval"])
        sums = pooled_raw.group_by("unique_id", "weekday").agg(pl.col("contacts").sum())
        totals = raw.group_by("unique_id", "weekday").agg(pl.col("contacts").sum().alias("all"))
        check = sums.join(totals, on=["unique_id", "weekday"])
        assert ((check["contacts"] >= K) | (check["contacts"] == check["all"])).all()
        assert check_privacy(out, customer_ids=frozenset()) == []


@st.composite
def places(draw: st.DrawFn) -> pl.DataFrame:
    """Monthly activity of a few independent places in one city, with few regulars."""
    from conftest import history  # the shared helper: consecutive months of one place

    frames = []
    for number in range(draw(st.integers(min_value=1, max_value=6))):
        repeat = draw(st.lists(st.integers(min_value=0, max_value=30), min_size=4, max_size=4))
        customers = [max(r + draw(st.integers(min_value=0, max_value=30)), 1) for r in repeat]
        frames.append(
            history(
                f"m{number}",
                repeat,
                customers=customers,
                first_month="2025-06",
                merchant_city="Leeds",
            )
        )
    return pl.concat(frames)


@SETTINGS
@given(places())
def test_trending_tables_publish_no_small_count_directly_or_recoverably(monthly: pl.DataFrame) -> None:
    tables = {
        "trending": trending_merchants(monthly, month="2025-09", city="Leeds", baseline_months=3),
        "new_places": new_merchants(monthly, month="2025-09", city="Leeds", baseline_months=3),
    }
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for name, table in tables.items():
            publish_table(table, name=name, out_dir=out)
            published = pl.read_parquet(out / f"{name}.parquet")
            _assert_no_small_people(published, name)
            # where a count is hidden, nothing in its row gives it back (repeat_rate x
            # customers, growth x expected_repeat, expected_repeat / cell_movement)
            for hidden, reveals in (
                ("repeat_customers", ("repeat_rate", "growth")),
                ("baseline_repeat", ("expected_repeat", "growth")),
            ):
                if hidden in published.columns:
                    rows = published.filter(pl.col(hidden).is_null())
                    for column in (c for c in reveals if c in published.columns):
                        assert rows.get_column(column).null_count() == rows.height, column
        assert check_privacy(out, customer_ids=frozenset()) == []
