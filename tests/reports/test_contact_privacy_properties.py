"""Property: whatever the population, the contact report publishes no count of 1 to k-1 people.

Hypothesis draws small populations (0 to 30 customers per channel-day, a rare tag that isolates
a few people, a customer base small or large), reduces their contacts to the marts with the
reduce code, runs the library calls the contact notebook makes, publishes every table and chart
the way the notebook does, and checks the published folder:

* directly: no declared people count between 1 and k-1 in any table or chart data set, and
  the gate itself passes (identifiers, alt text, displayed tables, recoverable values);
* by key: every channel-day with 1 to k-1 customers in touch is blank in every published
  table with that channel and day (history, both charts' data, the forecast record): no
  contacts, customers, rate or ``y`` (so no rate times its denominator either);
* through the day: every half hour with 1 to k-1 contacts is pooled, each pooled block holds
  at least k contacts (or the whole profile), its half hours share one share (so no share is
  one minus the others), and the staffing plan splits the day with exactly those shares; the
  intraday chart publishes its weekday and weekend lines (shares only), built from them.

The forecast itself is a fixed stand-in (the forecaster is tested elsewhere and publishes no
people count); the chart renderers (SVG, PNG) are stubbed so the property runs in the fast
tier: the rendered files are checked by the render tests in test_reports_leaks.py.
"""

from __future__ import annotations

import json
import random
import tempfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import insights.publish.charts as chart_module
from insights.contacts.forecast_charts import forecast_chart
from insights.contacts.history_charts import contact_history_chart
from insights.contacts.intraday import channel_profiles, intraday_volume
from insights.contacts.intraday_charts import day_type_lines, intraday_profile_chart
from insights.contacts.rates import contact_rates, rate_series, volume_series
from insights.contacts.staffing import daily_staffing, handle_times, staffing_plan
from insights.forecasting.archive import publish_forecast_record
from insights.forecasting.tracking import forecast_record
from insights.publish.charts import publish_chart
from insights.publish.display import show
from insights.publish.people import PEOPLE_COUNTS
from insights.publish.tables import publish_table, suppress_people
from insights.reduce.contacts import (
    accounts_daily,
    channel_daily,
    contact_intervals,
    contacts_daily,
)
from insights.reports.privacy import check_privacy

K = 10
CHANNELS = ("chat", "email", "phone")
FIRST = date(2025, 6, 2)  # a Monday
DAYS = 14
AS_OF = FIRST + timedelta(days=DAYS)  # the profile covers the days before it
REVEALING = ("contacts", "customers", "rate", "y")


@st.composite
def populations(draw: st.DrawFn) -> dict[str, Any]:
    """Contacts per channel-day from 0 to 30 customers; a rare fraud tag; few or many accounts."""
    return {
        "customers": draw(st.lists(st.integers(0, 30), min_size=3 * DAYS, max_size=3 * DAYS)),
        "fraud_share": draw(st.sampled_from([0.03, 0.1, 0.3])),
        "accounts": draw(st.sampled_from([40, 2000])),
        "tags": draw(st.sampled_from([(), ("fraud",)])),
        "seed": draw(st.integers(0, 2**16)),
    }


def _population(spec: dict[str, Any]) -> tuple[pl.DataFrame, pl.DataFrame]:
    rng = random.Random(spec["seed"])
    pool = [f"c_{i:06d}" for i in range(spec["accounts"])]
    rows: list[tuple[str, datetime, str, str | None]] = []
    for cell, count in enumerate(spec["customers"]):
        channel, day = CHANNELS[cell % 3], FIRST + timedelta(days=cell // 3)
        for customer in rng.sample(pool[:40], min(count, 40)):
            for _ in range(rng.choice((1, 1, 2))):
                minute = rng.choice((rng.randrange(420, 1200), rng.randrange(0, 1440)))
                at = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(minutes=minute)
                tag = (
                    "fraud"
                    if rng.random() < spec["fraud_share"]
                    else rng.choice(("card_lost", None))
                )
                rows.append((customer, at, channel, tag))
    # one fraud contact and one contact on every channel, so the tag and channels exist
    rows += [(pool[0], datetime(2025, 6, 2, 9, tzinfo=UTC), c, "fraud") for c in CHANNELS]
    contacts = pl.DataFrame(
        {
            "contact_id": [f"k_{i:07d}" for i in range(len(rows))],
            "customer_id": [r[0] for r in rows],
            "created_at": [r[1] for r in rows],
            "channel": [r[2] for r in rows],
            "tag": [r[3] for r in rows],
            "handle_time_seconds": [300] * len(rows),
        },
        schema_overrides={"created_at": pl.Datetime("us", "UTC"), "tag": pl.String},
    )
    customers = pl.DataFrame(
        {
            "customer_id": pool,
            "opened_at": [datetime(2025, 1, 1, tzinfo=UTC)] * len(pool),
            "closed_at": [None] * len(pool),
            "home_city": [None] * len(pool),
        },
        schema_overrides={"closed_at": pl.Datetime("us", "UTC"), "home_city": pl.String},
    )
    return contacts, customers


def _stand_in_forecast(profiles: pl.DataFrame) -> pl.DataFrame:
    """A week of forecast days per channel (only weekdays the profile covers)."""
    days = pl.DataFrame({"ds": [AS_OF + timedelta(days=d) for d in range(1, 8)]})
    covered = profiles.select("unique_id", "weekday").unique()
    return (
        days.join(pl.DataFrame({"unique_id": list(CHANNELS)}), how="cross")
        .with_columns(pl.col("ds").dt.weekday().cast(pl.Int8).alias("weekday"))
        .join(covered.cast({"weekday": pl.Int8}), on=["unique_id", "weekday"])
        .select(
            "unique_id",
            "ds",
            pl.lit("stand_in").alias("model"),
            pl.lit(40.0).alias("mean"),
            pl.lit(30.0).alias("lo_80"),
            pl.lit(50.0).alias("hi_80"),
            pl.lit(25.0).alias("lo_95"),
            pl.lit(55.0).alias("hi_95"),
        )
        .sort("unique_id", "ds")
    )


def _publish_contact_report(
    contacts: pl.DataFrame, customers: pl.DataFrame, tags: tuple[str, ...], out: Path
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The contact notebook's calls, from the marts, publishing what it publishes."""
    contact_days, channel_days = contacts_daily(contacts), channel_daily(contacts)
    half_hours = contact_intervals(contacts)
    accounts = accounts_daily(customers, end=AS_OF)
    as_of = AS_OF - timedelta(days=1)
    rates = contact_rates(contact_days, accounts, as_of=as_of, tags=tags, channels=channel_days)
    history = suppress_people(rates)
    publish_table(history, name="history", out_dir=out)
    (out / "report.html").write_text(show(history.tail(6))._repr_html_(), encoding="utf-8")
    series = rate_series(history)
    publish_chart(contact_history_chart(series), series, name="contact_rate_history", out_dir=out)
    profiles = channel_profiles(half_hours, as_of=AS_OF, tags=tags)
    volume = _stand_in_forecast(profiles)
    publish_table(volume, name="volume_forecast", out_dir=out, count_columns=())
    chart = forecast_chart(volume_series(history), volume)
    publish_chart(chart, volume, name="volume_forecast_chart", out_dir=out, alt_text="Lines.")
    record = forecast_record(
        volume, rates, as_of=as_of, target="t", y="contacts", counts="customers"
    )
    publish_forecast_record(record, out_dir=out)
    profile_chart = intraday_profile_chart(profiles)
    publish_chart(profile_chart, name="intraday_profile", out_dir=out, alt_text="Shares.")
    plan = staffing_plan(intraday_volume(volume, profiles), handle_times(contact_days, as_of=as_of))
    publish_table(daily_staffing(plan), name="staffing", out_dir=out, count_columns=())
    publish_table(plan, name="staffing_intervals", out_dir=out, count_columns=())
    return rates, profiles


def _published_tables(out: Path) -> Iterator[tuple[str, pl.DataFrame]]:
    for path in sorted(out.iterdir()):
        if path.suffix in {".csv", ".parquet"}:
            frame = (
                pl.read_csv(path, try_parse_dates=True)
                if path.suffix == ".csv"
                else pl.read_parquet(path)
            )
            yield path.name, frame
        elif path.name.endswith(".vl.json"):
            for name, rows in json.loads(path.read_text())["datasets"].items():
                yield f"{path.name} {name}", pl.DataFrame(rows, infer_schema_length=None)


def _truth_intervals(contacts: pl.DataFrame) -> pl.DataFrame:
    """Contacts per channel, weekday and local half hour in the profile's weeks (all tags)."""
    local = pl.col("created_at").dt.convert_time_zone("Europe/London")
    return (
        contacts.filter(local.dt.date() < AS_OF)
        .group_by(
            pl.col("channel").alias("unique_id"),
            local.dt.weekday().cast(pl.Int8).alias("weekday"),
            local.dt.truncate("30m").dt.time().alias("interval"),
        )
        .agg(pl.len().cast(pl.Int64).alias("true_contacts"))
    )


def _check_intervals(out: Path, contacts: pl.DataFrame, profile: pl.DataFrame) -> None:
    """The weekday profiles (published as the staffing split's shares) and the drawn lines."""
    # the chart publishes its weekday and weekend lines: shares only, no count
    drawn = pl.read_csv(out / "intraday_profile.data.csv")
    assert drawn.columns == ["unique_id", "day_type", "time", "hour", "share", "pooled"]
    lines = day_type_lines(profile)
    assert drawn.height == lines.height
    assert ((drawn["share"] - lines["share"]).abs() < 1e-9).all()
    truth = _truth_intervals(contacts)
    keys = ["unique_id", "weekday", "interval"]
    joined = profile.join(truth, on=keys, how="full", coalesce=True).with_columns(
        pl.col("true_contacts").fill_null(0)
    )
    small = joined.filter(pl.col("true_contacts").is_between(1, K - 1))
    assert small["pooled"].fill_null(value=False).all(), "a small half hour is not pooled"
    shown = joined.filter(pl.col("contacts").is_not_null())
    assert (shown["contacts"] == shown["true_contacts"]).all() and (shown["contacts"] >= K).all()
    profiles = joined.filter(pl.col("share").is_not_null()).sort("interval")
    for (_, _), group in profiles.group_by("unique_id", "weekday", maintain_order=True):
        total = int(group["true_contacts"].sum())
        # blocks: consecutive pooled half hours with one share
        block = (
            (~pl.col("pooled") | (pl.col("share").round(12) != pl.col("share").round(12).shift(1)))
            .fill_null(value=True)
            .cum_sum()
        )
        blocks = group.with_columns(block.alias("block")).filter(pl.col("pooled"))
        for (_,), members in blocks.group_by("block"):
            held = int(members["true_contacts"].sum())
            assert held >= K or held == total, f"a pooled block holds only {held} contacts"
            assert members.height > 1 or held == total, "a lone pooled half hour"
    staffing = pl.read_csv(out / "staffing_intervals.csv", try_parse_dates=True)
    if staffing.height:
        split = staffing.select(
            "unique_id",
            pl.col("ds").dt.weekday().cast(pl.Int8).alias("weekday"),
            pl.col("interval").cast(pl.Time),
            pl.col("share").alias("split_share"),
        ).join(profile.select(*keys, "share"), on=keys, how="left")
        assert ((split["split_share"] - split["share"]).abs() < 1e-9).all()


@pytest.fixture
def no_render(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chart_module, "chart_svg", lambda spec: "<svg></svg>")
    monkeypatch.setattr(chart_module, "chart_png", lambda spec, scale=1: b"")


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(populations())
def test_contact_report_publishes_no_small_count_directly_or_recoverably(
    no_render: None, spec: dict[str, Any]
) -> None:
    contacts, customers = _population(spec)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        rates, profiles = _publish_contact_report(contacts, customers, spec["tags"], out)
        ids = frozenset(contacts["customer_id"].to_list())
        assert check_privacy(out, customer_ids=ids) == []
        small = rates.filter(
            pl.col("customers").is_between(1, K - 1) | pl.col("contacts").is_between(1, K - 1)
        ).select("unique_id", pl.col("ds").cast(pl.String))
        for name, table in _published_tables(out):
            for column in (c for c in table.columns if c in PEOPLE_COUNTS):
                values = table.get_column(column).cast(pl.Float64)
                assert not ((values > 0) & (values < K)).any(), f"{name}: {column}"
            if {"unique_id", "ds"} <= set(table.columns) and small.height:
                hit = table.with_columns(pl.col("ds").cast(pl.String).str.slice(0, 10)).join(
                    small, on=["unique_id", "ds"]
                )
                for column in (c for c in REVEALING if c in hit.columns):
                    assert hit[column].null_count() == hit.height, f"{name}: {column} recoverable"
        _check_intervals(out, contacts, profiles)
