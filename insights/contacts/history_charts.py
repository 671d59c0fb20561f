"""Chart of contact history: weekly contacts per channel, one small panel each.

Built on the shared pieces in :mod:`insights.contacts._charts` (colours, panels, rules).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import altair as alt
import polars as pl

from insights._common import require_columns
from insights.contacts._charts import (
    _FORECAST,
    _HISTORY,
    _channels,
    _facet,
    _with_channel,
)
from insights.publish.theme import titled

__all__ = [
    "contact_history_chart",
]

_MONTHS = alt.Axis(
    format="%b %Y", tickCount={"interval": "month", "step": 3}, labelOverlap=True, grid=False
)


def _change(new: float, old: float | None) -> str:
    if old is None or old <= 0:
        return "no earlier year to compare"
    pct = (new / old - 1) * 100
    return "level with" if round(pct) == 0 else f"{'up' if pct > 0 else 'down'} {abs(pct):.0f}% on"


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}" if value >= 1 else f"{value:.2f}"


def _weekly(history: pl.DataFrame, *, min_days: int = 4) -> pl.DataFrame:
    """Average a day per channel and ISO week.

    A week with fewer than ``min_days`` known days, or none at all, is null so that the line
    breaks there.
    """
    known = history.drop_nulls("y")
    if known.is_empty():
        return known.select("unique_id", pl.col("ds").alias("week"), "y")
    weeks = known.with_columns(pl.col("ds").dt.truncate("1w").alias("week"))
    means = weeks.group_by("unique_id", "week").agg(
        pl.when(pl.len() >= min_days).then(pl.col("y").mean()).alias("y")
    )
    every = pl.date_range(weeks["week"].min(), weeks["week"].max(), "1w", eager=True)  # type: ignore[arg-type]
    grid = weeks.select("unique_id").unique().join(pl.DataFrame({"week": every}), how="cross")
    return grid.join(means, on=["unique_id", "week"], how="left").sort("unique_id", "week")


def contact_history_chart(
    history: pl.DataFrame,
    /,
    *,
    forecast: pl.DataFrame | None = None,
    measure: str = "contacts a day per 1,000 active customers",
    subject: str = "Contact rate",
    title: str | None = None,
    subtitle: str | None = None,
) -> Any:
    """Weekly history per channel, one small panel each, with the forecast weeks after it.

    Two years of three daily series drawn over each other hide everything; a week's average
    day per channel shows the trend and the season, and the forecast weeks (shaded, in blue)
    show where it goes next.

    Parameters
    ----------
    history
        ``ds``, ``y`` (daily; null = unknown, e.g. a suppressed day) and optionally
        ``unique_id``. A week with fewer than 4 known days is a gap.
    forecast
        Optional forecast of the same measure: ``ds``, ``mean`` (and ``unique_id``).
    measure
        What ``y`` is, in words, e.g. "contacts a day per 1,000 active customers".
    subject
        What the title talks about, in two or three words.
    title, subtitle
        Text of the chart; by default the title states the change on the same weeks of the
        year before and the subtitle names the measure.

    Returns
    -------
    altair.FacetChart
        One panel per channel; its description (alt text) names each channel's change.

    Examples
    --------
    >>> from datetime import date, timedelta
    >>> days = [date(2024, 8, 1) + timedelta(days=i) for i in range(400)]
    >>> h = pl.DataFrame({"unique_id": "phone", "ds": days, "y": 1.0}).with_columns(
    ...     y=pl.when(pl.col("ds") >= date(2025, 8, 4)).then(1.2).otherwise(1.0))
    >>> spec = contact_history_chart(h).to_dict()
    >>> spec["title"]["text"]
    'Contact rate up 20% on a year ago (last 4 weeks)'
    >>> print(spec["description"])
    Weekly average of contacts a day per 1,000 active customers for phone, from August 2024 to September 2025. Phone: 1.2 in the last 4 weeks, up 20% on the same weeks a year earlier.

    """  # noqa: E501
    require_columns(history, ["ds", "y"], who="contact_history_chart")
    daily = _with_channel(history).select("unique_id", "ds", pl.col("y").cast(pl.Float64))
    weekly = _weekly(daily).with_columns(pl.lit("History").alias("part"))
    parts = [weekly]
    if forecast is not None:
        require_columns(forecast, ["ds", "mean"], who="contact_history_chart")
        ahead = _with_channel(forecast).select(
            "unique_id", "ds", pl.col("mean").cast(pl.Float64).alias("y")
        )
        # a day a channel is closed has no forecast row: it counts as no contacts, as it does
        # in the history, so that the forecast weeks and the history weeks are alike
        days = pl.date_range(ahead["ds"].min(), ahead["ds"].max(), eager=True)  # type: ignore[arg-type]
        ahead = (
            ahead.select("unique_id")
            .unique()
            .join(pl.DataFrame({"ds": days}), how="cross")
            .join(ahead, on=["unique_id", "ds"], how="left")
            .with_columns(pl.col("y").fill_null(0.0))
        )
        parts.append(_weekly(ahead, min_days=1).with_columns(pl.lit("Forecast").alias("part")))
    data = pl.concat(parts, how="vertical_relaxed")
    said, headline = _history_words(daily, measure=measure, subject=subject)
    x = alt.X("week:T", title=None, axis=_MONTHS)
    y = alt.Y("y:Q", title=None, axis=alt.Axis(tickCount=3))
    base = alt.Chart()
    layers = [
        base.mark_line(invalid="break-paths-filter-domains", color=_HISTORY, strokeWidth=1.5)
        .encode(
            x=x,
            y=y,
            tooltip=[
                alt.Tooltip("week:T", title="Week of", format="%-d %b %Y"),
                alt.Tooltip("y:Q", title="Average a day", format=",.2f"),
            ],
        )
        .transform_filter(alt.datum.part == "History")
    ]
    if forecast is not None:
        layers.insert(
            0,
            base.mark_rect(color="#eef1f4")
            .encode(x=alt.X("min(week):T"), x2=alt.X2("max(week):T"))
            .transform_filter(alt.datum.part == "Forecast"),
        )
        layers.append(
            base.mark_line(color=_FORECAST, strokeWidth=2.5, point=True)
            .encode(x=x, y=y)
            .transform_filter(alt.datum.part == "Forecast")
        )
        layers.append(
            base.mark_text(align="right", baseline="top", dx=-2, dy=4, color=_FORECAST)
            .encode(x=alt.X("max(week):T"), y=alt.value(0), text=alt.value("forecast"))
            .transform_filter(alt.datum.part == "Forecast")
        )
    chart = _facet(alt.layer(*layers), data=data)
    return titled(
        chart,
        title=title or headline,
        subtitle=subtitle
        or (
            f"Weekly average of {measure}, per channel"
            + ("; shaded: the forecast weeks" if forecast is not None else "")
        ),
        description=said,
    )


def _history_words(daily: pl.DataFrame, *, measure: str, subject: str) -> tuple[str, str]:
    """Write the description and title: the last 4 weeks against the same weeks a year before."""
    known = daily.drop_nulls("y")
    if known.is_empty():
        return (
            f"No {measure} to draw: every day is unknown or suppressed.",
            f"No {subject.lower()} to show yet",
        )
    last = known["ds"].max()
    first = known["ds"].min()
    assert isinstance(last, date) and isinstance(first, date)
    recent_from = last - timedelta(days=27)
    year_from, year_to = recent_from - timedelta(days=364), last - timedelta(days=364)
    sentences = [
        f"Weekly average of {measure} for {_channels(daily)}, from {first:%B %Y} to {last:%B %Y}."
    ]
    totals: list[tuple[float, float | None]] = []
    for channel in sorted(daily["unique_id"].unique().to_list()):
        rows = daily.filter(pl.col("unique_id") == channel)
        now = rows.filter(pl.col("ds") >= recent_from)["y"].mean()
        before = (
            rows.filter(pl.col("ds").is_between(year_from, year_to))["y"].mean()
            if first <= year_from
            else None
        )
        if now is None:
            continue
        now_value = float(now)  # type: ignore[arg-type]
        before_value = None if before is None else float(before)  # type: ignore[arg-type]
        totals.append((now_value, before_value))
        change = _change(now_value, before_value)
        versus = "" if before_value is None else " the same weeks a year earlier"
        sentences.append(
            f"{str(channel).capitalize()}: {_number(now_value)} in the last 4 weeks, "
            f"{change}{versus}."
        )
    now_sum = sum(n for n, _ in totals)
    befores = [b for _, b in totals]
    if totals and all(b is not None for b in befores):
        change = _change(now_sum, sum(b for b in befores if b is not None))
        headline = f"{subject} {change} a year ago (last 4 weeks)"
    else:
        headline = f"{subject}, week by week"
    return " ".join(sentences), headline
