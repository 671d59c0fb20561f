"""Chart of staffing: agents to schedule per half hour, per live channel.

Built on the shared pieces in :mod:`insights.contacts._charts` (colours, panels, rules).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import altair as alt
import polars as pl

from insights._common import day_span, require_columns
from insights.contacts._charts import (
    _FORECAST,
    _channels,
    _facet,
    _with_channel,
)
from insights.publish.theme import GRID, titled

__all__ = [
    "staffing_chart",
]


def staffing_chart(
    staffing: pl.DataFrame,
    /,
    *,
    days: int | None = 7,
    title: str | None = None,
    subtitle: str | None = None,
) -> Any:
    """Agents to schedule per half hour, one panel per live channel, day names under each day.

    Parameters
    ----------
    staffing
        :func:`insights.staffing_plan` or :func:`insights.agents_per_interval` output with
        ``ds``, ``interval``, ``agents_with_shrinkage`` (and ``unique_id``); ``agents``
        (answering) shows in the tooltip when present.
    days
        Only the first ``days`` days (48 bars a day soon become unreadable); ``None``: all.
    title, subtitle
        Text of the chart; by default the title names the largest need.

    Examples
    --------
    >>> from datetime import date, time
    >>> s = pl.DataFrame({"ds": [date(2025, 9, 1)] * 2, "interval": [time(9), time(9, 30)],
    ...                   "agents_with_shrinkage": [4, 6]})
    >>> spec = staffing_chart(s).to_dict()
    >>> spec["title"]["text"]
    'Up to 6 agents at once in the first week'
    >>> noon = spec["spec"]["layer"][1]["encoding"]["x"]["axis"]["values"][0]
    >>> noon == {"year": 2025, "month": 9, "date": 1, "hours": 12}
    True

    """
    require_columns(staffing, ["ds", "interval", "agents_with_shrinkage"], who="staffing_chart")
    plan = _with_channel(staffing)
    first = plan["ds"].min()
    shown = (
        plan
        if days is None or first is None
        else plan.filter(pl.col("ds") < pl.lit(first) + pl.duration(days=days))
    )
    answering = ["agents"] if "agents" in shown.columns else []
    # Only the drawn columns: a polars time column does not serialise to Vega-Lite JSON.
    data = shown.select(
        "unique_id",
        pl.col("ds").dt.combine(pl.col("interval")).alias("start"),
        (pl.col("ds").dt.combine(pl.col("interval")) + pl.duration(minutes=30)).alias("end"),
        *answering,
        "agents_with_shrinkage",
    )
    dates: list[date] = sorted(set(shown["ds"].to_list()))
    if dates:
        every = [dates[0] + timedelta(days=i) for i in range((dates[-1] - dates[0]).days + 1)]
    else:
        every = []
    noons = [alt.DateTime(year=d.year, month=d.month, date=d.day, hours=12) for d in every]
    midnights = pl.DataFrame(
        {"midnight": [datetime.combine(d, time()) for d in every[1:]]},
        schema={"midnight": pl.Datetime("us")},
    )
    x = alt.X(
        "start:T",
        title=None,
        axis=alt.Axis(values=noons, format="%a %-d", grid=False, labelOverlap="parity"),
        scale=alt.Scale(
            domain=[
                alt.DateTime(year=every[0].year, month=every[0].month, date=every[0].day),
                alt.DateTime(
                    year=(every[-1] + timedelta(days=1)).year,
                    month=(every[-1] + timedelta(days=1)).month,
                    date=(every[-1] + timedelta(days=1)).day,
                ),
            ]
        )
        if every
        else alt.Undefined,
    )
    tooltip = [
        alt.Tooltip("start:T", title="Half hour from", format="%a %-d %b %H:%M"),
        alt.Tooltip("agents_with_shrinkage:Q", title="Agents to schedule"),
    ]
    if answering:
        tooltip.append(alt.Tooltip("agents:Q", title="Agents answering at any moment"))
    bars = (
        alt.Chart()
        .mark_bar(color=_FORECAST)
        .encode(
            x=x,
            x2="end:T",
            y=alt.Y("agents_with_shrinkage:Q", title=None, axis=alt.Axis(tickMinStep=1)),
            y2=alt.datum(0),
            tooltip=tooltip,
        )
    )
    days_apart = (
        alt.Chart(midnights).mark_rule(color=GRID, strokeWidth=1).encode(x=alt.X("midnight:T"))
    )
    chart = _facet(alt.layer(days_apart, bars), data=data)
    said, headline = _staffing_words(shown)
    return titled(
        chart,
        title=title or headline,
        subtitle=subtitle
        or (
            f"Agents to schedule per half hour{_when(shown)} to meet the service level, "
            "allowing for breaks and absence; email is not queued and needs no live agents"
        ),
        description=said,
    )


def _when(shown: pl.DataFrame) -> str:
    first, last = shown["ds"].min(), shown["ds"].max()
    return (
        f", {day_span(first, last)}," if isinstance(first, date) and isinstance(last, date) else ""
    )


def _staffing_words(shown: pl.DataFrame) -> tuple[str, str]:
    if shown.is_empty():
        return (
            "No live channel (phone or chat) is in scope, so no agents are planned.",
            "No live channel to staff",
        )
    first, last = shown["ds"].min(), shown["ds"].max()
    assert isinstance(first, date) and isinstance(last, date)
    sentences = [
        f"Bars of agents to schedule per half hour for {_channels(shown)}, {day_span(first, last)}."
    ]
    peaks = []
    for channel in sorted(shown["unique_id"].unique().to_list()):
        rows = shown.filter(pl.col("unique_id") == channel).sort("ds", "interval")
        top = rows.row(int(rows["agents_with_shrinkage"].arg_max() or 0), named=True)
        peaks.append(int(top["agents_with_shrinkage"]))
        sentences.append(
            f"{str(channel).capitalize()} peaks at {top['agents_with_shrinkage']} agents on "
            f"{top['ds']:%A %-d %B} at {top['interval']:%H:%M}."
        )
    most = max(peaks)
    return " ".join(
        sentences
    ), f"Up to {most} agent{'s' if most != 1 else ''} at once in the first week"
