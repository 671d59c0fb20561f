"""Charts for the contact forecast: history, forecast bands, backtest, intraday, staffing.

Pure functions of small, already aggregated tables, styled by the house theme
(:mod:`insights.publish.theme`), with explicit encoding types, a title, a subtitle saying what is
measured and the source note.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import polars as pl

from insights._common import require_columns
from insights.publish.theme import PALETTE, titled

__all__ = [
    "backtest_chart",
    "contact_history_chart",
    "forecast_chart",
    "intraday_profile_chart",
    "staffing_chart",
]

_METRIC_LABELS = {
    "mase": "MASE (1 = seasonal naive in sample; lower is better)",
    "smape": "sMAPE, % (lower is better)",
    "rmse": "RMSE, contacts (lower is better)",
    "coverage_80": "Share of days inside the 80% interval",
    "calibrated_coverage_80": "Share of days inside the calibrated 80% interval",
}


def contact_history_chart(
    history: pl.DataFrame,
    /,
    *,
    title: str = "Daily contacts",
    subtitle: str = "Contacts per local calendar day; closed days are gaps",
    y_title: str = "Contacts",
) -> Any:
    """Line chart of daily history (one line per ``unique_id`` when present).

    Parameters
    ----------
    history
        ``ds``, ``y`` and optionally ``unique_id``.
    title, subtitle, y_title
        Text of the chart.

    Examples
    --------
    >>> from datetime import date
    >>> h = pl.DataFrame({"ds": [date(2025, 6, 2), date(2025, 6, 3)], "y": [10.0, 12.0]})
    >>> contact_history_chart(h).to_dict()["encoding"]["x"]["type"]
    'temporal'

    """
    require_columns(history, ["ds", "y"], who="contact_history_chart")
    enc: dict[str, Any] = {
        "x": alt.X("ds:T", title=None),
        "y": alt.Y("y:Q", title=y_title),
        "tooltip": [alt.Tooltip("ds:T", title="Day"), alt.Tooltip("y:Q", title=y_title)],
    }
    if "unique_id" in history.columns:
        enc["color"] = alt.Color("unique_id:N", title=None)
    chart = alt.Chart(history).mark_line(point=False).encode(**enc)
    return titled(chart, title=title, subtitle=subtitle)


def forecast_chart(
    history: pl.DataFrame,
    forecast: pl.DataFrame,
    /,
    *,
    title: str = "Contact forecast",
    subtitle: str = "Daily contacts: history, forecast mean and calibrated 80% / 95% intervals",
    y_title: str = "Contacts per day",
    history_days: int = 91,
) -> Any:
    """History line, forecast mean line and 95% / 80% interval bands (one series).

    Parameters
    ----------
    history
        ``ds``, ``y`` (the last ``history_days`` days are shown).
    forecast
        :func:`insights.forecast` output with ``lo_80``/``hi_80`` and
        ``lo_95``/``hi_95``.
    title, subtitle, y_title
        Text of the chart.
    history_days
        Days of history shown before the forecast.

    Examples
    --------
    >>> from datetime import date
    >>> h = pl.DataFrame({"ds": [date(2025, 6, 2)], "y": [10.0]})
    >>> f = pl.DataFrame({"ds": [date(2025, 6, 3)], "mean": [11.0], "lo_80": [9.0],
    ...                   "hi_80": [13.0], "lo_95": [8.0], "hi_95": [14.0]})
    >>> [layer["mark"]["type"] for layer in forecast_chart(h, f).to_dict()["layer"]]
    ['area', 'area', 'line', 'line']

    With ``unique_id`` in both frames, one panel per series.

    """
    require_columns(history, ["ds", "y"], who="forecast_chart")
    require_columns(
        forecast, ["ds", "mean", "lo_80", "hi_80", "lo_95", "hi_95"], who="forecast_chart"
    )
    keys = ["unique_id"] if "unique_id" in forecast.columns else []
    last = history["ds"].max()
    recent = history.filter(pl.col("ds") > pl.lit(last) - pl.duration(days=history_days))
    # One dataset for every layer, so that the layered chart can be faceted by series.
    data = pl.concat(
        [
            recent.select(*keys, "ds", pl.col("y").cast(pl.Float64)),
            forecast.select(*keys, "ds", "mean", "lo_80", "hi_80", "lo_95", "hi_95"),
        ],
        how="diagonal",
    )
    x = alt.X("ds:T", title=None)
    base = alt.Chart(data)
    band95 = base.mark_area(opacity=0.18, color=PALETTE[0]).encode(
        x=x, y=alt.Y("lo_95:Q", title=y_title), y2=alt.Y2("hi_95:Q")
    )
    band80 = base.mark_area(opacity=0.32, color=PALETTE[0]).encode(
        x=x, y=alt.Y("lo_80:Q"), y2=alt.Y2("hi_80:Q")
    )
    mean = base.mark_line(color=PALETTE[0]).encode(
        x=x,
        y=alt.Y("mean:Q"),
        tooltip=[
            alt.Tooltip("ds:T", title="Day"),
            alt.Tooltip("mean:Q", title="Forecast", format=",.0f"),
            alt.Tooltip("lo_80:Q", title="80% low", format=",.0f"),
            alt.Tooltip("hi_80:Q", title="80% high", format=",.0f"),
        ],
    )
    past = base.mark_line(color=PALETTE[7], strokeWidth=1.5).encode(
        x=x, y=alt.Y("y:Q"), tooltip=[alt.Tooltip("ds:T"), alt.Tooltip("y:Q")]
    )
    chart = alt.layer(band95, band80, mean, past)
    if keys:
        chart = (
            chart.properties(width=560, height=160)
            .facet(row=alt.Row("unique_id:N", title=None))
            .resolve_scale(y="independent")
        )
    return titled(chart, title=title, subtitle=subtitle)


def backtest_chart(
    scores: pl.DataFrame,
    /,
    *,
    metric: str = "mase",
    title: str = "Which model forecasts best?",
    subtitle: str | None = None,
) -> Any:
    """Horizontal bars of a backtest metric per model (faceted by ``unique_id`` if present).

    Parameters
    ----------
    scores
        :func:`insights.backtest` output.
    metric
        Column to show (``"mase"``, ``"smape"``, ``"rmse"``, ``"coverage_80"`` …).
    title, subtitle
        Text of the chart; the subtitle defaults to the metric's definition.

    Examples
    --------
    >>> s = pl.DataFrame({"model": ["uc", "snaive"], "mase": [0.6, 1.0]})
    >>> backtest_chart(s).to_dict()["encoding"]["y"]["field"]
    'model'

    """
    require_columns(scores, ["model", metric], who="backtest_chart")
    label = _METRIC_LABELS.get(metric, metric)
    enc: dict[str, Any] = {
        "x": alt.X(f"{metric}:Q", title=label),
        "y": alt.Y("model:N", title=None, sort="x"),
        "color": alt.Color("model:N", legend=None),
        "tooltip": [alt.Tooltip("model:N"), alt.Tooltip(f"{metric}:Q", format=".3f")],
    }
    chart = alt.Chart(scores).mark_bar().encode(**enc)
    if "unique_id" in scores.columns:
        chart = chart.properties(width=560).facet(row=alt.Row("unique_id:N", title=None))
    return titled(
        chart,
        title=title,
        subtitle=subtitle or f"Rolling-origin backtest, held-out open days: {label}",
    )


def intraday_profile_chart(
    profile: pl.DataFrame,
    /,
    *,
    title: str = "When customers get in touch",
    subtitle: str = "Share of each weekday's contacts per 30-minute interval, recent weeks",
) -> Any:
    """Lines of the share of contacts per interval, one per weekday.

    Examples
    --------
    >>> from datetime import time
    >>> p = pl.DataFrame({"weekday": [1, 1], "interval": [time(9), time(9, 30)],
    ...                   "share": [0.6, 0.4]})
    >>> profile_spec = intraday_profile_chart(p).to_dict()
    >>> profile_spec["encoding"]["color"]["type"], profile_spec["encoding"]["y"]["type"]
    ('nominal', 'quantitative')

    """
    require_columns(profile, ["weekday", "interval", "share"], who="intraday_profile_chart")
    names = pl.Series(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])
    # Only the encoded columns: a polars time column does not serialise to Vega-Lite JSON.
    keys = ["unique_id"] if "unique_id" in profile.columns else []
    data = profile.select(
        *keys,
        pl.lit(names).get(pl.col("weekday").cast(pl.Int64) - 1).alias("day"),
        pl.col("interval").dt.to_string("%H:%M").alias("time"),
        "share",
    )
    chart = (
        alt.Chart(data)
        .mark_line()
        .encode(
            x=alt.X("time:O", title="Interval start (local time)"),
            y=alt.Y("share:Q", title="Share of the day's contacts", axis=alt.Axis(format="%")),
            color=alt.Color("day:N", title=None, sort=names.to_list()),
            tooltip=[alt.Tooltip("day:N"), alt.Tooltip("time:O"), alt.Tooltip("share:Q")],
        )
    )
    if "unique_id" in profile.columns:
        chart = chart.properties(width=560, height=160).facet(
            row=alt.Row("unique_id:N", title=None)
        )
    return titled(chart, title=title, subtitle=subtitle)


def staffing_chart(
    staffing: pl.DataFrame,
    /,
    *,
    title: str = "Agents needed",
    subtitle: str = (
        "Scheduled agents per half hour (bars, after shrinkage) and agents answering (ticks), "
        "Erlang C"
    ),
    days: int | None = 7,
) -> Any:
    """Bars of scheduled agents per interval, with agents answering as ticks.

    Parameters
    ----------
    staffing
        :func:`insights.staffing_plan` or :func:`insights.agents_per_interval` output with
        ``ds`` and ``interval`` columns (one panel per ``unique_id`` when present).
    title, subtitle
        Text of the chart.
    days
        Only the first ``days`` days (48 bars a day soon become unreadable); ``None``: all.

    Examples
    --------
    >>> from datetime import date, time
    >>> s = pl.DataFrame({"ds": [date(2025, 6, 2)], "interval": [time(9)], "agents": [14],
    ...                   "agents_with_shrinkage": [20]})
    >>> [layer["mark"]["type"] for layer in staffing_chart(s).to_dict()["layer"]]
    ['bar', 'tick']

    """
    require_columns(
        staffing, ["ds", "interval", "agents", "agents_with_shrinkage"], who="staffing_chart"
    )
    first = staffing["ds"].min()
    shown = (
        staffing
        if days is None
        else staffing.filter(pl.col("ds") < pl.lit(first) + pl.duration(days=days))
    )
    keys = ["unique_id"] if "unique_id" in shown.columns else []
    # Only the encoded columns: a polars time column does not serialise to Vega-Lite JSON.
    data = shown.select(
        *keys,
        pl.col("ds").dt.combine(pl.col("interval")).alias("start"),
        "agents",
        "agents_with_shrinkage",
    )
    x = alt.X("start:T", title=None, axis=alt.Axis(format="%a %d %b", tickCount="day"))
    base = alt.Chart()  # the layers share the data given to the layer, so it can be faceted
    bars = base.mark_bar(color=PALETTE[4]).encode(
        x=x,
        y=alt.Y("agents_with_shrinkage:Q", title="Agents"),
        tooltip=[
            alt.Tooltip("start:T", title="Interval", format="%a %d %b %H:%M"),
            alt.Tooltip("agents_with_shrinkage:Q", title="Scheduled"),
            alt.Tooltip("agents:Q", title="Answering"),
        ],
    )
    # Ticks, not a line: a line would join the last interval of a day to the next morning.
    answering = base.mark_tick(color=PALETTE[5], thickness=2).encode(x=x, y=alt.Y("agents:Q"))
    chart = alt.layer(bars, answering, data=data)
    if "unique_id" in data.columns:
        chart = (
            chart.properties(width=560, height=140)
            .facet(row=alt.Row("unique_id:N", title=None))
            .resolve_scale(y="independent")
        )
    return titled(chart, title=title, subtitle=subtitle)
