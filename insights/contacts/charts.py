"""Charts for the contact forecast: history, forecast ranges, backtest, intraday, staffing.

Pure functions of small, already aggregated tables, styled by the house theme
(:mod:`insights.publish.theme`), with explicit encoding types, a title that states the
takeaway, a subtitle saying what is measured and the source note. Every chart carries a
description written from its data (what changed, where the peak is), which becomes its alt
text and its SVG ``<desc>``.

Rules every chart here keeps (tested on the specs): small multiples, one panel per channel,
with at most three lines in a panel; month ticks name the year; time-of-day ticks are hourly
at most, never 48 rotated labels; day labels sit under the middle of their day; every mark
colour has at least 3:1 contrast with the white background; a day without data is a gap,
never a bridge.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

import altair as alt
import polars as pl

from insights._common import day_span, require_columns
from insights.forecasting.labels import model_labels
from insights.publish.theme import GRID, INK, MUTED, PALETTE, WIDTH, titled

__all__ = [
    "BAND_COLOURS",
    "backtest_chart",
    "common_window",
    "contact_history_chart",
    "forecast_chart",
    "intraday_profile_chart",
    "staffing_chart",
]

#: Marks: history in ink, the forecast in blue, a second day type in vermillion (Okabe–Ito;
#: each at least 3:1 against white).
_HISTORY, _FORECAST, _SECOND = INK, PALETTE[0], PALETTE[5]
#: 80% and 95% ranges: the forecast blue at 35% and 18% on white, as solid fills so that the
#: legend shows exactly what is drawn.
BAND_COLOURS = ("#A6CEE4", "#D1E6F1")
_PANEL_HEIGHT = 120
#: Contacts an interval needs to be drawn at all (smaller counts are suppressed on publishing).
_MIN_DRAWN = 10
#: Width of one panel of small multiples, so the whole chart (axis and labels included)
#: fills the theme's width.
_PANEL_WIDTH = WIDTH - 60
_HEADER = alt.Header(
    labelOrient="top", labelAnchor="start", labelAngle=0, labelFontWeight=600, title=None
)
_MONTHS = alt.Axis(
    format="%b %Y", tickCount={"interval": "month", "step": 3}, labelOverlap=True, grid=False
)
_DAY_TYPES = ("Weekdays", "Weekends")


def _channels(frame: pl.DataFrame) -> str:
    names = sorted(str(c) for c in frame.get_column("unique_id").unique().drop_nulls())
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _with_channel(frame: pl.DataFrame) -> pl.DataFrame:
    """Give a frame without ``unique_id`` one ("all channels")."""
    if "unique_id" in frame.columns:
        return frame
    return frame.with_columns(pl.lit("all channels").alias("unique_id"))


def _change(new: float, old: float | None) -> str:
    if old is None or old <= 0:
        return "no earlier year to compare"
    pct = (new / old - 1) * 100
    return "level with" if round(pct) == 0 else f"{'up' if pct > 0 else 'down'} {abs(pct):.0f}% on"


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}" if value >= 1 else f"{value:.2f}"


def _facet(chart: Any, *, data: pl.DataFrame | None = None, scale: str = "shared") -> Any:
    """One panel per channel, the channel named above its panel."""
    faceted = chart.properties(width=_PANEL_WIDTH, height=_PANEL_HEIGHT).facet(
        row=alt.Row("unique_id:N", header=_HEADER, title=None),
        **({"data": data} if data is not None else {}),
    )
    return faceted.resolve_scale(y="independent") if scale == "independent" else faceted


def common_window(forecast: pl.DataFrame, /, *, days: int | None = None) -> pl.DataFrame:
    """Keep the forecast's report period: its first ``days`` calendar days.

    A forecast of 28 open days reaches further on a channel closed on Sundays; the report's
    period is the calendar days from the first forecast day. Without ``days``, the period
    ends on the earliest last day of any channel.

    Examples
    --------
    >>> from datetime import date
    >>> f = pl.DataFrame({"unique_id": ["chat", "phone", "phone"],
    ...                   "ds": [date(2025, 9, 1), date(2025, 9, 1), date(2025, 9, 2)]})
    >>> common_window(f)["ds"].to_list()
    [datetime.date(2025, 9, 1), datetime.date(2025, 9, 1)]
    >>> common_window(f, days=2).height
    3

    """
    if forecast.is_empty():
        return forecast
    if days is not None:
        end = forecast["ds"].min() + timedelta(days=days - 1)  # type: ignore[operator]
    elif "unique_id" in forecast.columns:
        end = forecast.group_by("unique_id").agg(pl.col("ds").max())["ds"].min()
    else:
        return forecast
    return forecast.filter(pl.col("ds") <= end)


def _every_day(frame: pl.DataFrame) -> pl.DataFrame:
    """Each channel's rows on every calendar day of its span: a missing day (closed) is null."""
    if frame.is_empty():
        return frame
    spans = frame.group_by("unique_id").agg(
        pl.date_ranges(pl.col("ds").min(), pl.col("ds").max()).alias("ds")
    )
    grid = spans.explode("ds")
    return grid.join(frame, on=["unique_id", "ds"], how="left").sort("unique_id", "ds")


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


def forecast_chart(
    history: pl.DataFrame,
    forecast: pl.DataFrame,
    /,
    *,
    measure: str = "contacts a day",
    history_days: int = 91,
    zeros_closed: bool = False,
    title: str | None = None,
    subtitle: str | None = None,
    y_title: str | None = None,
) -> Any:
    """Recent daily history and the forecast with its 80% and 95% ranges, one panel a channel.

    Parameters
    ----------
    history
        ``ds``, ``y`` (and ``unique_id``); the last ``history_days`` days are drawn.
    forecast
        :func:`insights.forecast` or :func:`insights.contact_volume` output: ``ds``,
        ``mean``, ``lo_80``/``hi_80``, ``lo_95``/``hi_95`` (and ``unique_id``).
    measure
        What ``y`` and ``mean`` are, in words.
    history_days
        Days of history drawn before the forecast.
    zeros_closed
        A day with no contact at all on a channel is a day the channel was closed (phone on
        Sundays): drawn as a gap, not a dive to zero. Pass ``False`` for a tag filter, where
        a quiet open day is a true zero (the default, for any series).
    title, subtitle
        Text of the chart; by default the title states the total expected.
    y_title
        Title of the value axis (none by default: the subtitle says what is measured); given
        with the default ``measure``, it also names the measure ("Accounts" → "accounts a
        day").

    Returns
    -------
    altair.FacetChart
        Layers: 95% range, 80% range, history, forecast; a legend names all four.

    Examples
    --------
    >>> from datetime import date
    >>> h = pl.DataFrame({"ds": [date(2025, 8, 31)], "y": [10.0]})
    >>> f = pl.DataFrame({"ds": [date(2025, 9, 1), date(2025, 9, 2)], "mean": [11.0, 9.0],
    ...                   "lo_80": [9.0, 7.0], "hi_80": [13.0, 11.0], "lo_95": [8.0, 6.0],
    ...                   "hi_95": [14.0, 12.0]})
    >>> spec = forecast_chart(h, f).to_dict()
    >>> [layer["mark"]["type"] for layer in spec["spec"]["layer"]]
    ['area', 'area', 'line', 'line']
    >>> spec["title"]["text"]
    'About 20 contacts expected from 1 to 2 September 2025'

    """
    require_columns(history, ["ds", "y"], who="forecast_chart")
    require_columns(
        forecast, ["ds", "mean", "lo_80", "hi_80", "lo_95", "hi_95"], who="forecast_chart"
    )
    if y_title and measure == "contacts a day":
        measure = f"{y_title.lower()} a day"
    past = _with_channel(history)
    ahead = _with_channel(forecast)
    last = past["ds"].max()
    recent = past.filter(pl.col("ds") > pl.lit(last) - pl.duration(days=history_days)).select(
        "unique_id", "ds", pl.col("y").cast(pl.Float64)
    )
    if zeros_closed:
        recent = recent.with_columns(pl.when(pl.col("y") != 0).then(pl.col("y")).alias("y"))
    bounds = ["mean", "lo_80", "hi_80", "lo_95", "hi_95"]
    data = pl.concat(
        [
            recent.with_columns(pl.lit("History").alias("part")),
            _every_day(
                ahead.select("unique_id", "ds", *(pl.col(c).cast(pl.Float64) for c in bounds))
            ).with_columns(pl.lit("Forecast").alias("part")),
        ],
        how="diagonal",
    )
    legend = alt.Scale(
        domain=["History", "Forecast", "80% range", "95% range"],
        range=[_HISTORY, _FORECAST, *BAND_COLOURS],
    )
    colour = alt.Color(
        "what:N", scale=legend, title=None, legend=alt.Legend(orient="top", columns=2)
    )
    x = alt.X(
        "ds:T",
        title=None,
        axis=alt.Axis(format="%-d %b %Y", tickCount={"interval": "month", "step": 1}),
    )
    base = alt.Chart()
    forecast_part = alt.datum.part == "Forecast"
    band95 = (
        base.mark_area(invalid="break-paths-filter-domains")
        .encode(x=x, y=alt.Y("lo_95:Q", title=y_title), y2="hi_95:Q", color=colour)
        .transform_filter(forecast_part)
        .transform_calculate(what="'95% range'")
    )
    band80 = (
        base.mark_area(invalid="break-paths-filter-domains")
        .encode(x=x, y="lo_80:Q", y2="hi_80:Q", color=colour)
        .transform_filter(forecast_part)
        .transform_calculate(what="'80% range'")
    )
    seen = (
        base.mark_line(invalid="break-paths-filter-domains", strokeWidth=1.5)
        .encode(
            x=x,
            y="y:Q",
            color=colour,
            tooltip=[
                alt.Tooltip("ds:T", title="Day", format="%a %-d %b %Y"),
                alt.Tooltip("y:Q", title="Contacts", format=",.0f"),
            ],
        )
        .transform_filter(alt.datum.part == "History")
        .transform_calculate(what="'History'")
    )
    mean = (
        base.mark_line(invalid="break-paths-filter-domains", strokeWidth=2)
        .encode(
            x=x,
            y="mean:Q",
            color=colour,
            tooltip=[
                alt.Tooltip("ds:T", title="Day", format="%a %-d %b %Y"),
                alt.Tooltip("mean:Q", title="Expected", format=",.0f"),
                alt.Tooltip("lo_80:Q", title="80% range from", format=",.0f"),
                alt.Tooltip("hi_80:Q", title="80% range to", format=",.0f"),
            ],
        )
        .transform_filter(forecast_part)
        .transform_calculate(what="'Forecast'")
    )
    chart = _facet(alt.layer(band95, band80, seen, mean), data=data, scale="independent")
    said, headline = _forecast_words(recent, ahead, measure=measure)
    return titled(
        chart,
        title=title or headline,
        subtitle=subtitle
        or (
            f"{measure[:1].upper()}{measure[1:]} per channel: the last {history_days // 7} weeks "
            "and the forecast; 8 days in 10 should land in the 80% range"
            + ("; gaps: closed, or too few customers to publish" if zeros_closed else "")
        ),
        description=said,
    )


def _forecast_words(recent: pl.DataFrame, ahead: pl.DataFrame, *, measure: str) -> tuple[str, str]:
    first, last = ahead["ds"].min(), ahead["ds"].max()
    assert isinstance(first, date) and isinstance(last, date)
    span = day_span(first, last)
    total = float(ahead["mean"].sum())
    sentences = [
        f"{measure[:1].upper()}{measure[1:]} per channel for the last weeks and the forecast "
        f"for {span}, with 80% and 95% ranges."
    ]
    days = (last - first).days + 1
    since = recent["ds"].max() - timedelta(days=days - 1)  # type: ignore[operator]
    for channel in sorted(ahead["unique_id"].unique().to_list()):
        rows = ahead.filter(pl.col("unique_id") == channel)
        peak = rows.sort(["mean", "ds"], descending=[True, False]).row(0, named=True)
        seen = recent.filter((pl.col("unique_id") == channel) & (pl.col("ds") >= since))
        before = (
            f" against {float(seen['y'].fill_null(0).sum()):,.0f} in the {days} days before"
            if seen.height
            else ""
        )
        sentences.append(
            f"{str(channel).capitalize()}: about {float(rows['mean'].sum()):,.0f} expected"
            f"{before}; busiest {peak['ds']:%A %-d %B}, {peak['mean']:,.0f} "
            f"(80% range {peak['lo_80']:,.0f} to {peak['hi_80']:,.0f})."
        )
    noun = measure.removesuffix(" a day")
    return " ".join(sentences), f"About {total:,.0f} {noun} expected from {span}"


def backtest_chart(
    scores: pl.DataFrame,
    /,
    *,
    title: str | None = None,
    subtitle: str | None = None,
) -> Any:
    """Each method's error on past weeks against repeating the same day last week, per channel.

    Parameters
    ----------
    scores
        :func:`insights.backtest` output: ``model`` and ``mase_vs_snaive`` (each method's
        average error divided by that of "same day last week" on the same held-out days;
        without it, ``mase``), and ``unique_id``. The method with the lowest error per
        channel, the one the forecast uses, is drawn in blue, the others in grey; a dashed
        rule marks 1, as good as repeating last week.
    title, subtitle
        Text of the chart; by default the title states how much smaller the chosen methods'
        errors are.

    Examples
    --------
    >>> s = pl.DataFrame({"model": ["uc", "snaive"], "mase_vs_snaive": [0.6, 1.0]})
    >>> spec = backtest_chart(s).to_dict()
    >>> spec["spec"]["layer"][0]["encoding"]["y"]["field"]
    'method'
    >>> spec["title"]["text"]
    'The chosen method makes 40% smaller errors than repeating last week'

    """
    metric = "mase_vs_snaive" if "mase_vs_snaive" in scores.columns else "mase"
    require_columns(scores, ["model", metric], who="backtest_chart")
    data = (
        _with_channel(scores)
        .select("unique_id", "model", pl.col(metric).cast(pl.Float64).alias("error"))
        .with_columns(model_labels().alias("method"))
        .with_columns(
            pl.when(pl.col("error") == pl.col("error").min().over("unique_id"))
            .then(pl.lit("Chosen"))
            .otherwise(pl.lit("Other"))
            .alias("status"),
            pl.col("method").str.slice(0, 1).str.to_uppercase() + pl.col("method").str.slice(1),
        )
        .select("unique_id", "method", "error", "status")
    )
    # Method names sit above their bars (direct labels), not in an axis as wide as the
    # longest name: the chart keeps its bars when it is redrawn at a phone's width.
    order = alt.EncodingSortField("error", op="min", order="ascending")
    y = alt.Y("method:N", title=None, sort=order, axis=None)
    bars = (
        alt.Chart()
        .mark_bar(height={"band": 0.4}, yOffset=6)
        .encode(
            x=alt.X("error:Q", title="Error relative to repeating the same day last week"),
            y=y,
            color=alt.Color(
                "status:N",
                scale=alt.Scale(domain=["Chosen", "Other"], range=[_FORECAST, MUTED]),
                legend=None,
            ),
            tooltip=[
                alt.Tooltip("method:N", title="Method"),
                alt.Tooltip("error:Q", title="Relative error", format=".2f"),
            ],
        )
    )
    names = (
        alt.Chart()
        .mark_text(align="left", baseline="bottom", dy=-1, color=INK)
        .encode(
            x=alt.datum(0),
            y=y,
            text=alt.Text("label:N"),
        )
        .transform_calculate(label="datum.method + '  ' + format(datum.error, '.2f')")
    )
    one = alt.Chart().mark_rule(color=INK, strokeDash=[4, 3]).encode(x=alt.datum(1))
    chart = (
        alt.layer(bars, names, one)
        .properties(height=alt.Step(36), width=_PANEL_WIDTH)
        .facet(row=alt.Row("unique_id:N", header=_HEADER, title=None), data=data)
        .resolve_scale(y="independent")
    )
    said, headline = _backtest_words(data)
    return titled(
        chart,
        title=title or headline,
        subtitle=subtitle
        or (
            "Average error on past weeks held out from fitting, relative to repeating the same "
            "day last week (dashed line: as good as that); blue: the method used"
        ),
        description=said,
    )


def _backtest_words(data: pl.DataFrame) -> tuple[str, str]:
    best = data.filter(pl.col("status") == "Chosen").unique("unique_id").sort("unique_id")
    if best.is_empty():
        return "No method could be scored on past weeks.", "No method could be scored"
    parts = [
        f"{row['unique_id']}, {row['method'][:1].lower()}{row['method'][1:]} ({row['error']:.2f})"
        for row in best.to_dicts()
    ]
    said = (
        "Bars of each method's forecast error on past weeks relative to repeating the same day "
        "last week (1 = as good, lower is better), per channel. The method used per channel: "
        f"{'; '.join(parts)}."
    )
    gain = [(1 - float(e)) * 100 for e in best["error"]]
    if min(gain) <= 0:
        return said, "Some channels forecast no better than repeating last week"
    low, high = min(gain), max(gain)
    cut = f"{low:.0f}%" if round(low) == round(high) else f"{low:.0f}–{high:.0f}%"
    chosen = "The chosen method makes" if best.height == 1 else "The chosen methods make"
    return said, f"{chosen} {cut} smaller errors than repeating last week"


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
