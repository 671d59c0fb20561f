"""Chart of the intraday profile: when in the day contacts arrive, weekdays and weekends.

Built on the shared pieces in :mod:`insights.contacts._charts` (colours, panels, rules).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt
import polars as pl

from insights._common import require_columns
from insights.contacts._charts import (
    _FORECAST,
    _SECOND,
    _channels,
    _facet,
    _with_channel,
)
from insights.publish.theme import titled

__all__ = [
    "intraday_profile_chart",
]

#: Contacts an interval needs to be drawn at all (smaller counts are suppressed on publishing).
_MIN_DRAWN = 10
_DAY_TYPES = ("Weekdays", "Weekends")


def _day_type(weekday: pl.Expr) -> pl.Expr:
    return pl.when(weekday <= 5).then(pl.lit(_DAY_TYPES[0])).otherwise(pl.lit(_DAY_TYPES[1]))


def _hour_ticks(start: float, end: float) -> list[int]:
    """Whole hours from ``start`` to ``end``: every hour, or every other for a long day."""
    step = 2 if end - start > 12 else 1
    first = -(-int(start * 2) // 2)  # the first whole hour at or after start
    first += first % step
    return list(range(first, int(end) + 1, step))


def intraday_profile_chart(
    profile: pl.DataFrame,
    /,
    *,
    title: str | None = None,
    subtitle: str | None = None,
) -> Any:
    """When in the day contacts arrive: one line for weekdays, one for weekends, per channel.

    Parameters
    ----------
    profile
        :func:`insights.channel_profiles` or :func:`insights.interval_profile` output:
        ``weekday`` (ISO), ``interval`` (local start time), ``contacts`` (and
        ``unique_id``). Weekdays are pooled: the share of Monday-to-Friday contacts per
        interval, and so are Saturday and Sunday (a weekend half hour has few contacts, and
        pooling keeps more of them above the privacy floor). A day type without contacts
        (a channel closed at weekends) has no line.
    title, subtitle
        Text of the chart; by default the title names the weekday peak.

    Returns
    -------
    altair.FacetChart
        One panel per channel, at most two step lines, ticks every hour or two.

    Examples
    --------
    >>> from datetime import time
    >>> p = pl.DataFrame({"weekday": [1, 1, 6], "interval": [time(9), time(9, 30), time(10)],
    ...                   "contacts": [60, 40, 20]})
    >>> spec = intraday_profile_chart(p).to_dict()
    >>> spec["title"]["text"]
    'Weekday contacts peak at 09:00'
    >>> spec["spec"]["encoding"]["x"]["axis"]["values"]
    [9, 10]

    """
    require_columns(profile, ["weekday", "interval", "contacts"], who="intraday_profile_chart")
    pooled = (
        _with_channel(profile)
        .with_columns(_day_type(pl.col("weekday").cast(pl.Int64)).alias("day_type"))
        .group_by("unique_id", "day_type", "interval")
        .agg(pl.col("contacts").sum())
        .with_columns(
            (pl.col("contacts") / pl.col("contacts").sum().over("unique_id", "day_type")).alias(
                "share"
            ),
            (pl.col("interval").dt.hour() + pl.col("interval").dt.minute() / 60).alias("hour"),
            pl.col("interval").dt.to_string("%H:%M").alias("time"),
        )
        .filter(pl.col("contacts").sum().over("unique_id", "day_type") > 0)
        .sort("unique_id", "day_type", "hour")
        .select("unique_id", "day_type", "time", "hour", "contacts", "share")
    )
    types = [t for t in _DAY_TYPES if t in set(pooled["day_type"].to_list())]
    drawn = pooled.filter(pl.col("contacts") >= _MIN_DRAWN)
    hours = drawn.select(pl.col("hour").min().alias("start"), pl.col("hour").max().alias("end"))
    start = float(hours["start"].fill_null(0.0).item())
    end = float(hours["end"].fill_null(23.5).item()) + 0.5
    ticks = _hour_ticks(start, end)
    chart = (
        alt.Chart()
        .mark_line(interpolate="step-after", invalid="break-paths-filter-domains")
        .encode(
            x=alt.X(
                "hour:Q",
                title="Time of day (local)",
                scale=alt.Scale(domain=[start, end], nice=False),
                axis=alt.Axis(
                    values=ticks,
                    labelExpr="(datum.value < 10 ? '0' : '') + datum.value + ':00'",
                ),
            ),
            y=alt.Y("share:Q", title=None, axis=alt.Axis(format=".0%", tickCount=3)),
            color=alt.Color(
                "day_type:N",
                title=None,
                sort=list(_DAY_TYPES),
                scale=alt.Scale(domain=list(_DAY_TYPES), range=[_FORECAST, _SECOND]),
                legend=alt.Legend(orient="top", columns=2),
            ),
            tooltip=[
                alt.Tooltip("day_type:N", title="Days"),
                alt.Tooltip("time:N", title="Half hour from"),
                alt.Tooltip("share:Q", title="Share of the day", format=".1%"),
            ],
        )
    )
    said, headline = _intraday_words(pooled, types)
    return titled(
        _facet(chart, data=pooled),
        title=title or headline,
        subtitle=subtitle or "Share of the day's contacts per half hour, per channel, recent weeks",
        description=said,
    )


def _intraday_words(pooled: pl.DataFrame, types: Sequence[str]) -> tuple[str, str]:
    if pooled.is_empty():
        return "No contacts in the recent weeks to draw.", "No recent contacts to profile"
    sentences = [
        f"Share of each day's contacts per half hour for {_channels(pooled)}, "
        f"{'weekdays and weekends apart' if len(types) > 1 else 'weekdays only'}."
    ]
    for channel in sorted(pooled["unique_id"].unique().to_list()):
        rows = pooled.filter((pl.col("unique_id") == channel) & (pl.col("contacts") >= _MIN_DRAWN))
        peaks = (
            rows.sort(["share", "hour"], descending=[True, False])
            .group_by("day_type", maintain_order=True)
            .first()
        )
        said = [
            f"{'on weekdays' if r['day_type'] == _DAY_TYPES[0] else 'at weekends'} at {r['time']} "
            f"({100 * r['share']:.0f}%)"
            for t in _DAY_TYPES
            for r in peaks.filter(pl.col("day_type") == t).to_dicts()
        ]
        if said:
            sentences.append(f"{str(channel).capitalize()} peaks {', '.join(said)}.")
    weekday = (
        pooled.filter(pl.col("day_type") == _DAY_TYPES[0])
        .group_by("time", "hour")
        .agg(pl.col("contacts").sum())
        .sort(["contacts", "hour"], descending=[True, False])
    )
    headline = (
        f"Weekday contacts peak at {weekday['time'][0]}"
        if weekday.height
        else "When customers get in touch"
    )
    return " ".join(sentences), headline
