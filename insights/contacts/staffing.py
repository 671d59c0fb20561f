"""Per-channel building blocks of the contact-rate forecast report.

The forecasting modules work on one kind of series at a time; a support team thinks in
channels. These functions cut history at ``as_of``, filter tags, and apply the intraday split
and Erlang C per channel, so that the report notebook is one call per step::

    contact_rates(contacts, customers, as_of=...)  history: contacts, active customers, rate
    rate_series(rates)                             → unique_id, ds, y for forecast()/backtest()
    volume_series(rates)                           → unique_id, ds, y: contacts per day
    active_series(customers, as_of=...)            → ds, y: accounts open per day
    channel_profiles(contacts, as_of=...)          each channel's weekday × 30-minute shares
    intraday_volume(volume, profiles)              daily volume forecast split into intervals
    handle_times(contacts, as_of=...)              average handle time per channel
    staffing_plan(intraday, aht, ...)              agents per interval (live channels)
    daily_staffing(plan)                           peak agents and agent-hours per day

Live channels (phone, chat) are staffed with Erlang C; chat agents handle ``chat_concurrency``
conversations at once. Email is deferred work, so it is not queued with Erlang C: its rows
carry the workload in agent-hours (``traffic_erlangs``) and no answer-time service level.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import polars as pl

from insights.contacts.erlang import staffing
from insights.contacts.intraday import interval_profile, intraday_forecast
from insights.contacts.rates import active_customers, contact_rate, daily_contacts
from insights.errors import InsufficientHistoryError, ParameterError

__all__ = [
    "LIVE_CHANNELS",
    "active_series",
    "channel_profiles",
    "contact_rates",
    "daily_staffing",
    "handle_times",
    "intraday_volume",
    "rate_series",
    "staffing_plan",
    "volume_series",
]

LIVE_CHANNELS = ("phone", "chat")
TZ = "Europe/London"


def _day(as_of: date | str) -> date:
    """Accept a date or an ISO string (notebook parameters are plain literals)."""
    if isinstance(as_of, date):
        return as_of
    try:
        return date.fromisoformat(as_of)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"as_of must be a date or 'YYYY-MM-DD', not {as_of!r}") from exc


def _local_day(tz: str) -> pl.Expr:
    return pl.col("created_at").dt.convert_time_zone(tz).dt.date()


def _in_scope(contacts: pl.DataFrame, *, as_of: date, tags: Sequence[str], tz: str) -> pl.DataFrame:
    """Contacts up to and including local day ``as_of``, restricted to ``tags`` when given."""
    if isinstance(tags, str):
        raise ParameterError(f"tags must be a list of tag names, not the string {tags!r}")
    scoped = contacts.filter(_local_day(tz) <= as_of)
    if tags:
        known = set(contacts.get_column("tag").drop_nulls().unique().to_list())
        unknown = sorted(set(tags) - known)
        if unknown:
            raise ParameterError(
                f"tags {unknown} do not occur in the contacts; known tags: {sorted(known)}"
            )
        scoped = scoped.filter(pl.col("tag").is_in(list(tags)))
    if scoped.height == 0:
        raise InsufficientHistoryError(
            f"no contacts on or before {as_of} (tags={list(tags) or 'all'}); choose a later as_of"
        )
    return scoped


def contact_rates(
    contacts: pl.DataFrame,
    customers: pl.DataFrame,
    /,
    *,
    as_of: date | str,
    tags: Sequence[str] = (),
    per: float = 1000,
    tz: str = TZ,
) -> pl.DataFrame:
    """Daily contacts per channel per ``per`` open accounts, up to ``as_of``.

    Parameters
    ----------
    contacts, customers
        Frames satisfying ``data_contracts/contacts.yaml`` and ``customers.yaml``.
    as_of
        Last local day of history used.
    tags
        Only contacts with these tags (empty: all contacts, untagged included).
    per
        Rate base: contacts per ``per`` active customers.
    tz
        Time zone whose calendar defines the day.

    Returns
    -------
    pl.DataFrame
        ``unique_id`` (channel), ``ds``, ``contacts``, ``customers`` (distinct customers who
        got in touch: the count the privacy rule applies to), ``active_customers`` (accounts
        open that day) and ``rate``; days a channel was closed (no contacts at all that day) are
        absent.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> utc = timezone.utc
    >>> contacts = pl.DataFrame({
    ...     "customer_id": ["c1", "c2"],
    ...     "created_at": [datetime(2025, 6, d, 9, tzinfo=utc) for d in (2, 3)],
    ...     "channel": ["phone", "chat"], "tag": ["card_lost", None]})
    >>> customers = pl.DataFrame({"opened_at": [datetime(2025, 1, 1, tzinfo=utc)] * 4,
    ...                           "closed_at": [None] * 4}, schema_overrides={
    ...                           "closed_at": pl.Datetime("us", "UTC")})
    >>> contact_rates(contacts, customers, as_of=date(2025, 6, 3))
    shape: (4, 6)
    ┌───────────┬────────────┬──────────┬───────────┬──────────────────┬───────┐
    │ unique_id ┆ ds         ┆ contacts ┆ customers ┆ active_customers ┆ rate  │
    │ ---       ┆ ---        ┆ ---      ┆ ---       ┆ ---              ┆ ---   │
    │ str       ┆ date       ┆ u32      ┆ u32       ┆ f64              ┆ f64   │
    ╞═══════════╪════════════╪══════════╪═══════════╪══════════════════╪═══════╡
    │ chat      ┆ 2025-06-02 ┆ 0        ┆ 0         ┆ 4.0              ┆ 0.0   │
    │ chat      ┆ 2025-06-03 ┆ 1        ┆ 1         ┆ 4.0              ┆ 250.0 │
    │ phone     ┆ 2025-06-02 ┆ 1        ┆ 1         ┆ 4.0              ┆ 250.0 │
    │ phone     ┆ 2025-06-03 ┆ 0        ┆ 0         ┆ 4.0              ┆ 0.0   │
    └───────────┴────────────┴──────────┴───────────┴──────────────────┴───────┘

    """
    as_of = _day(as_of)
    scoped = _in_scope(contacts, as_of=as_of, tags=tags, tz=tz)
    daily = pl.DataFrame(daily_contacts(scoped, tz=tz, by="channel"))
    start = daily.get_column("ds").min()
    assert isinstance(start, date)
    active = pl.DataFrame(active_customers(customers, start=start, end=as_of, tz=tz))
    rates = contact_rate(daily, active, per=per)
    people = scoped.group_by(_local_day(tz).alias("ds"), "channel").agg(
        pl.col("customer_id").n_unique().alias("customers")
    )
    return (
        rates.join(people, on=["ds", "channel"], how="left")
        .rename({"channel": "unique_id"})
        .select(
            "unique_id",
            "ds",
            "contacts",
            pl.col("customers").fill_null(0),
            "active_customers",
            "rate",
        )
        .sort("unique_id", "ds")
    )


def rate_series(rates: pl.DataFrame, /) -> pl.DataFrame:
    """``unique_id, ds, y`` (``y`` = rate) from :func:`contact_rates`, ready for ``forecast``.

    Only these three columns are kept: any other numeric column would be taken as a
    regressor by :func:`insights.forecast`.
    """
    return rates.select("unique_id", "ds", pl.col("rate").alias("y"))


def volume_series(rates: pl.DataFrame, /) -> pl.DataFrame:
    """``unique_id, ds, y`` (``y`` = contacts) from :func:`contact_rates`, e.g. for charts."""
    return rates.select("unique_id", "ds", pl.col("contacts").cast(pl.Float64).alias("y"))


def active_series(
    customers: pl.DataFrame, /, *, as_of: date | str, years: int = 3, tz: str = TZ
) -> pl.DataFrame:
    """Accounts open per local day, as ``ds, y``, for up to ``years`` years before ``as_of``.

    Days before the first account opened are left out.
    """
    as_of = _day(as_of)
    first = customers.select(pl.col("opened_at").min().dt.convert_time_zone(tz).dt.date()).item()
    start = max(first, as_of - timedelta(days=365 * years))
    active = pl.DataFrame(active_customers(customers, start=start, end=as_of, tz=tz))
    return active.select("ds", pl.col("active_customers").cast(pl.Float64).alias("y"))


def channel_profiles(
    contacts: pl.DataFrame,
    /,
    *,
    as_of: date | str,
    weeks: int = 8,
    tags: Sequence[str] = (),
    freq: str = "30m",
    tz: str = TZ,
) -> pl.DataFrame:
    """Each channel's share of a weekday's contacts per interval over the ``weeks`` to ``as_of``.

    Returns
    -------
    pl.DataFrame
        ``unique_id`` (channel), ``weekday`` (ISO), ``interval``, ``contacts``, ``share``.

    """
    as_of = _day(as_of)
    scoped = _in_scope(contacts, as_of=as_of, tags=tags, tz=tz)
    profiles = [
        interval_profile(group, as_of=as_of, weeks=weeks, tz=tz, freq=freq).with_columns(
            pl.lit(channel).alias("unique_id")
        )
        for (channel,), group in scoped.group_by("channel", maintain_order=True)
    ]
    return (
        pl.concat(profiles)
        .select("unique_id", pl.all().exclude("unique_id"))
        .sort("unique_id", "weekday", "interval")
    )


def intraday_volume(volume: pl.DataFrame, profiles: pl.DataFrame, /) -> pl.DataFrame:
    """Split each channel's daily volume forecast into intervals with its own profile.

    Parameters
    ----------
    volume
        Daily forecast per channel: ``unique_id``, ``ds``, ``mean``, ``lo_<L>``/``hi_<L>``.
    profiles
        :func:`channel_profiles` output.

    Returns
    -------
    pl.DataFrame
        ``unique_id``, ``ds``, ``interval``, ``share``, ``mean`` and interval bounds.

    """
    missing = set(volume.get_column("unique_id").unique()) - set(profiles["unique_id"].unique())
    if missing:
        raise ParameterError(
            f"intraday_volume: no interval profile for channel(s) {sorted(missing)}"
        )
    parts = [
        intraday_forecast(group, profiles.filter(pl.col("unique_id") == uid))
        for (uid,), group in volume.group_by("unique_id", maintain_order=True)
    ]
    return pl.concat(parts).sort("unique_id", "ds", "interval")


def handle_times(
    contacts: pl.DataFrame, /, *, as_of: date | str, weeks: int = 8, tz: str = TZ
) -> pl.DataFrame:
    """Average handle time per channel over the ``weeks`` up to ``as_of``.

    Returns
    -------
    pl.DataFrame
        ``unique_id`` (channel), ``contacts`` (with a recorded handle time), ``aht_seconds``.
        Contacts without a handle time are left out of the average, not counted as 0.

    """
    as_of = _day(as_of)
    start = as_of - timedelta(weeks=weeks)
    recent = contacts.filter(_local_day(tz).is_between(start, as_of, closed="right"))
    out = (
        recent.filter(pl.col("handle_time_seconds").is_not_null())
        .group_by(pl.col("channel").alias("unique_id"))
        .agg(
            pl.len().alias("contacts"),
            pl.col("handle_time_seconds").mean().alias("aht_seconds"),
        )
        .sort("unique_id")
    )
    if out.height == 0:
        raise InsufficientHistoryError(
            f"no recorded handle times in the {weeks} weeks to {as_of}; cannot staff"
        )
    return out


def staffing_plan(
    intraday: pl.DataFrame,
    aht: pl.DataFrame,
    /,
    *,
    service_level: float = 0.8,
    answer_seconds: float = 60,
    shrinkage: float = 0.3,
    chat_concurrency: float = 2,
    interval_seconds: float = 1800,
) -> pl.DataFrame:
    """Agents per interval and live channel (Erlang C on the forecast mean).

    Parameters
    ----------
    intraday
        :func:`intraday_volume` output.
    aht
        :func:`handle_times` output.
    service_level, answer_seconds
        Target: ``service_level`` of contacts answered within ``answer_seconds``.
    shrinkage
        Share of paid time agents are not available (breaks, training, absence).
    chat_concurrency
        Chats one agent handles at once.
    interval_seconds
        Length of an interval.

    Returns
    -------
    pl.DataFrame
        ``intraday``'s live-channel rows plus ``aht_seconds``, ``traffic_erlangs``,
        ``agents``, ``agents_with_shrinkage``, ``service_level``, ``occupancy``.

    """
    handle = dict(aht.select("unique_id", "aht_seconds").iter_rows())
    parts = []
    for channel in LIVE_CHANNELS:
        rows = intraday.filter(pl.col("unique_id") == channel)
        if rows.height == 0:
            continue
        if channel not in handle:
            raise ParameterError(f"staffing_plan: no handle time for channel {channel!r}")
        parts.append(
            staffing(
                rows,
                aht_seconds=float(handle[channel]),
                service_level=service_level,
                answer_seconds=answer_seconds,
                shrinkage=shrinkage,
                concurrency=chat_concurrency if channel == "chat" else 1,
                interval_seconds=interval_seconds,
            ).with_columns(pl.lit(float(handle[channel])).alias("aht_seconds"))
        )
    if not parts:
        raise ParameterError("staffing_plan: no phone or chat intervals to staff")
    return pl.concat(parts, how="diagonal").sort("unique_id", "ds", "interval")


def daily_staffing(plan: pl.DataFrame, /, *, interval_seconds: float = 1800) -> pl.DataFrame:
    """Per channel and day: forecast contacts, peak scheduled agents and agent-hours.

    Returns
    -------
    pl.DataFrame
        ``unique_id``, ``ds``, ``contacts`` (sum of interval means), ``peak_agents``
        (largest ``agents_with_shrinkage`` in the day) and ``agent_hours``.

    """
    hours = interval_seconds / 3600
    return (
        plan.group_by("unique_id", "ds")
        .agg(
            pl.col("mean").sum().round(1).alias("contacts"),
            pl.col("agents_with_shrinkage").max().alias("peak_agents"),
            (pl.col("agents_with_shrinkage").sum() * hours).round(1).alias("agent_hours"),
        )
        .sort("unique_id", "ds")
    )
