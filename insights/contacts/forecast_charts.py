"""Charts of the contact forecast: forecast ranges and the backtest of the models.

Built on the shared pieces in :mod:`insights.contacts._charts` (colours, panels, rules).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import altair as alt
import polars as pl

from insights._common import day_span, require_columns
from insights.contacts._charts import (
    _FORECAST,
    _HEADER,
    _HISTORY,
    _PANEL_WIDTH,
    _every_day,
    _facet,
    _with_channel,
)
from insights.forecasting.labels import model_labels
from insights.publish.theme import INK, MUTED, titled

__all__ = [
    "BAND_COLOURS",
    "backtest_chart",
    "common_window",
    "forecast_chart",
]

#: 80% and 95% ranges: the forecast blue at 35% and 18% on white, as solid fills so that the
#: legend shows exactly what is drawn.
BAND_COLOURS = ("#A6CEE4", "#D1E6F1")


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
