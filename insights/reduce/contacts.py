"""The contact report's reduce: contacts and accounts to daily marts, on any engine.

Written with narwhals like :mod:`insights.reduce.aggregates`, so the same code runs on a polars
frame, a DuckDB relation or a PySpark DataFrame (set the session time zone first on DuckDB and
Spark, see that module). Days and half hours are local (``tz``); counts are ``Int64``.

::

    contacts  ─┬─ contacts_daily      day × channel × tag: contacts, customers, handle times
               ├─ channel_daily       day × channel: contacts, customers (all tags)
               └─ contact_intervals   day × channel × tag × half hour: contacts
    customers ─── accounts_daily      day: open accounts, sign-ups, closures
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

import narwhals as nw
import polars as pl

from insights._common import DEFAULT_TZ
from insights.reduce.aggregates import _to_lazy, _with_local, to_polars

__all__ = [
    "account_events",
    "accounts_daily",
    "channel_daily",
    "contact_intervals",
    "contacts_daily",
]

FrameT = TypeVar("FrameT")


def _local(column: str, tz: str) -> nw.Expr:
    return nw.col(column).dt.convert_time_zone(tz)


def _finish(result: nw.LazyFrame[Any], eager: bool, keys: list[str]) -> Any:
    return (result.sort(keys).collect() if eager else result.sort(keys)).to_native()


def _int64(*names: str) -> list[nw.Expr]:
    return [nw.col(name).cast(nw.Int64) for name in names]


def contacts_daily(contacts: FrameT, /, *, tz: str = DEFAULT_TZ) -> FrameT:
    """Contacts, customers in touch and recorded handle times per local day, channel and tag.

    Parameters
    ----------
    contacts
        Contacts satisfying ``data_contracts/contacts.yaml`` (polars, DuckDB or Spark).
    tz
        Time zone whose calendar defines the day.

    Returns
    -------
    Same kind of frame as ``contacts``
        ``day``, ``channel``, ``tag`` (null: untagged), ``contacts``, ``customers`` (distinct),
        ``handled`` (contacts with a handle time), ``handle_time_seconds`` (their sum); sorted
        by the key.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> contacts = pl.DataFrame(
    ...     {
    ...         "customer_id": ["a", "a", "b"],
    ...         "created_at": [datetime(2025, 6, 1, 23, 30, tzinfo=timezone.utc)] * 3,
    ...         "channel": "phone",
    ...         "tag": "card_lost",
    ...         "handle_time_seconds": [300, None, 100],
    ...     }
    ... )
    >>> contacts_daily(contacts).row(0)
    (datetime.date(2025, 6, 2), 'phone', 'card_lost', 3, 2, 2, 400)

    """
    lazy, eager = _to_lazy(contacts, "contacts_daily")
    keys = ["day", "channel", "tag"]
    result = (
        _with_local(lazy, tz, _local("created_at", tz).dt.date().alias("day"))
        .group_by(*keys)
        .agg(
            nw.len().alias("contacts"),
            nw.col("customer_id").n_unique().alias("customers"),
            nw.col("handle_time_seconds").count().alias("handled"),
            nw.col("handle_time_seconds").sum().alias("handle_time_seconds"),
        )
        # SQL engines sum an all-null group to null; no recorded time is 0 seconds here.
        .with_columns(nw.col("handle_time_seconds").fill_null(0))
        .with_columns(*_int64("contacts", "customers", "handled", "handle_time_seconds"))
        .select(*keys, "contacts", "customers", "handled", "handle_time_seconds")
    )
    out: FrameT = _finish(result, eager, keys)
    return out


def channel_daily(contacts: FrameT, /, *, tz: str = DEFAULT_TZ) -> FrameT:
    """Contacts and distinct customers in touch per local day and channel, over all tags.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> contacts = pl.DataFrame(
    ...     {
    ...         "customer_id": ["a", "a", "b"],
    ...         "created_at": [datetime(2025, 6, 2, 9, tzinfo=timezone.utc)] * 3,
    ...         "channel": "chat",
    ...         "tag": ["card_lost", "fees", None],
    ...     }
    ... )
    >>> channel_daily(contacts).row(0)
    (datetime.date(2025, 6, 2), 'chat', 3, 2)

    """
    lazy, eager = _to_lazy(contacts, "channel_daily")
    keys = ["day", "channel"]
    result = (
        _with_local(lazy, tz, _local("created_at", tz).dt.date().alias("day"))
        .group_by(*keys)
        .agg(nw.len().alias("contacts"), nw.col("customer_id").n_unique().alias("customers"))
        .with_columns(*_int64("contacts", "customers"))
        .select(*keys, "contacts", "customers")
    )
    out: FrameT = _finish(result, eager, keys)
    return out


def contact_intervals(contacts: FrameT, /, *, tz: str = DEFAULT_TZ) -> FrameT:
    """Contacts per local day, channel, tag and local half hour.

    ``minute`` is the start of the half hour on the local clock, in minutes after midnight
    (09:40 → 570). Half hours without contacts are absent.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> contacts = pl.DataFrame(
    ...     {
    ...         "created_at": [datetime(2025, 6, 2, 8, 40, tzinfo=timezone.utc)] * 2,
    ...         "channel": "phone",
    ...         "tag": None,
    ...     },
    ...     schema_overrides={"tag": pl.String},
    ... )
    >>> contact_intervals(contacts).row(0)  # 09:40 in London (BST) → the 09:30 half hour
    (datetime.date(2025, 6, 2), 'phone', None, 570, 2)

    """
    lazy, eager = _to_lazy(contacts, "contact_intervals")
    local = _local("created_at", tz)
    keys = ["day", "channel", "tag", "minute"]
    half = (local.dt.minute() >= 30).cast(nw.Int64) * 30
    result = (
        _with_local(
            lazy,
            tz,
            local.dt.date().alias("day"),
            (local.dt.hour().cast(nw.Int64) * 60 + half).alias("minute"),
        )
        .group_by(*keys)
        .agg(nw.len().alias("contacts"))
        .with_columns(*_int64("minute", "contacts"))
        .select(*keys, "contacts")
    )
    out: FrameT = _finish(result, eager, keys)
    return out


def account_events(customers: FrameT, /, *, tz: str = DEFAULT_TZ) -> FrameT:
    """Accounts opened and closed per local day (the engine-side half of :func:`accounts_daily`).

    Returns
    -------
    Same kind of frame as ``customers``
        ``day``, ``signups``, ``closures``: one row per day with an opening or a closure.

    """
    lazy, eager = _to_lazy(customers, "account_events")
    zero = nw.lit(0).cast(nw.Int64)
    opened = _with_local(lazy, tz, _local("opened_at", tz).dt.date().alias("day")).select(
        "day", nw.lit(1).cast(nw.Int64).alias("signups"), zero.alias("closures")
    )
    closed = _with_local(
        lazy.filter(~nw.col("closed_at").is_null()),
        tz,
        _local("closed_at", tz).dt.date().alias("day"),
    ).select("day", zero.alias("signups"), nw.lit(1).cast(nw.Int64).alias("closures"))
    result = (
        nw.concat([opened, closed], how="vertical")
        .group_by("day")
        .agg(nw.col("signups").sum(), nw.col("closures").sum())
        .with_columns(*_int64("signups", "closures"))
    )
    out: FrameT = _finish(result, eager, ["day"])
    return out


def accounts_daily(
    customers: Any, /, *, end: date | None = None, tz: str = DEFAULT_TZ
) -> pl.DataFrame:
    """Accounts open, sign-ups and closures per local day, every day to ``end``.

    An account is open on day ``d`` when it was opened on or before ``d`` and not closed on or
    before ``d`` (an account closed during ``d`` is not open on ``d``), as in
    :func:`insights.open_accounts`.

    Parameters
    ----------
    customers
        Customers satisfying ``data_contracts/customers.yaml`` (polars, DuckDB or Spark); the
        per-day counts are computed on that engine and only they are collected.
    end
        Last day (default: the last day with an opening or a closure).
    tz
        Time zone whose calendar defines the day.

    Returns
    -------
    pl.DataFrame
        ``day``, ``open_accounts``, ``signups``, ``closures`` (Int64), one row per day from the
        first opening to ``end``; empty when there are no accounts.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> utc = timezone.utc
    >>> customers = pl.DataFrame(
    ...     {
    ...         "opened_at": [
    ...             datetime(2025, 1, 1, tzinfo=utc),
    ...             datetime(2025, 1, 2, 12, tzinfo=utc),
    ...         ],
    ...         "closed_at": [datetime(2025, 1, 3, 9, tzinfo=utc), None],
    ...     }
    ... )
    >>> accounts_daily(customers, end=date(2025, 1, 4))["open_accounts"].to_list()
    [1, 2, 1, 1]

    """
    events = to_polars(account_events(customers, tz=tz))
    schema = {
        "day": pl.Date,
        "open_accounts": pl.Int64,
        "signups": pl.Int64,
        "closures": pl.Int64,
    }
    if events.is_empty():
        return pl.DataFrame(schema=schema)
    first, latest = events.select(pl.col("day").min(), pl.col("day").max().alias("hi")).row(0)
    last = end if end is not None else latest
    if not isinstance(first, date) or not isinstance(last, date) or last < first:
        return pl.DataFrame(schema=schema)
    calendar = pl.DataFrame({"day": pl.date_range(first, last, "1d", eager=True)})
    # Closures before the first opening or after `end` cannot change an open count in range.
    return (
        calendar.join(events, on="day", how="left")
        .with_columns(pl.col("signups", "closures").fill_null(0))
        .sort("day")
        .select(
            "day",
            (pl.col("signups").cum_sum() - pl.col("closures").cum_sum())
            .cast(pl.Int64)
            .alias("open_accounts"),
            pl.col("signups").cast(pl.Int64),
            pl.col("closures").cast(pl.Int64),
        )
    )
