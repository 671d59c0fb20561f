"""Staffing: handle times and agents per interval for each live channel.

::

    handle_times(contacts, as_of=...)   average handle time per channel
    staffing_plan(intraday, aht, ...)   agents per interval (live channels, Erlang C)
    daily_staffing(plan)                peak agents and agent-hours per day

Live channels (phone, chat) are staffed with Erlang C (:func:`insights.agents_per_interval`);
chat agents handle ``chat_concurrency`` conversations at once. Email is deferred work, so it is
not queued with Erlang C.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from insights._common import parse_day
from insights.contacts._scope import require_mart
from insights.contacts.erlang import agents_per_interval
from insights.errors import InsufficientHistoryError, ParameterError

__all__ = ["LIVE_CHANNELS", "daily_staffing", "handle_times", "staffing_plan"]

LIVE_CHANNELS = ("phone", "chat")


def handle_times(contacts: pl.DataFrame, /, *, as_of: date | str, weeks: int = 8) -> pl.DataFrame:
    """Average handle time per channel over the ``weeks`` up to ``as_of``.

    Parameters
    ----------
    contacts
        The ``contacts_daily`` mart: ``day``, ``channel``, ``handled`` (contacts with a
        recorded handle time), ``handle_time_seconds`` (their sum).
    as_of
        Last local day used; the window is the ``weeks`` weeks ending on it.
    weeks
        Length of the window.

    Returns
    -------
    pl.DataFrame
        ``unique_id`` (channel), ``contacts`` (with a recorded handle time), ``aht_seconds``.
        Contacts without a handle time are left out of the average, not counted as 0.

    Examples
    --------
    >>> daily = pl.DataFrame({"day": [date(2025, 6, 2)] * 2, "channel": ["phone", "chat"],
    ...                       "handled": [2, 0], "handle_time_seconds": [800, 0]})
    >>> handle_times(daily, as_of="2025-06-03").rows()
    [('phone', 2, 400.0)]

    """
    as_of = parse_day(as_of)
    need = ["day", "channel", "handled", "handle_time_seconds"]
    contacts = require_mart(contacts, "contacts_daily", need, "handle_times")
    start = as_of - timedelta(weeks=weeks)
    out = (
        contacts.filter(pl.col("day").is_between(start, as_of, closed="right"))
        .group_by(pl.col("channel").alias("unique_id"))
        .agg(
            pl.col("handled").sum().cast(pl.Int64).alias("contacts"),
            pl.col("handle_time_seconds").sum().alias("_seconds"),
        )
        .filter(pl.col("contacts") > 0)
        .select(
            "unique_id", "contacts", (pl.col("_seconds") / pl.col("contacts")).alias("aht_seconds")
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
            agents_per_interval(
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
        ``unique_id``, ``ds``, ``forecast_contacts`` (sum of interval means), ``peak_agents``
        (largest ``agents_with_shrinkage`` in the day) and ``agent_hours``.

    """
    hours = interval_seconds / 3600
    return (
        plan.group_by("unique_id", "ds")
        .agg(
            pl.col("mean").sum().round(1).alias("forecast_contacts"),
            pl.col("agents_with_shrinkage").max().alias("peak_agents"),
            (pl.col("agents_with_shrinkage").sum() * hours).round(1).alias("agent_hours"),
        )
        .sort("unique_id", "ds")
    )
