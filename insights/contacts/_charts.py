"""Pieces shared by the contact charts: mark colours, panel sizes, the per-channel facet.

The charts themselves live in :mod:`insights.contacts.history_charts`,
:mod:`insights.contacts.forecast_charts`, :mod:`insights.contacts.intraday_charts` and
:mod:`insights.contacts.staffing_charts`: pure functions of small, already aggregated tables,
styled by the house theme (:mod:`insights.publish.theme`), with explicit encoding types, a title
that states the takeaway, a subtitle saying what is measured and the source note. Every chart
carries a description written from its data (what changed, where the peak is), which becomes its
alt text and its SVG ``<desc>``.

Rules every chart keeps (tested on the specs): small multiples, one panel per channel, with at
most three lines in a panel; month ticks name the year; time-of-day ticks are hourly at most,
never 48 rotated labels; day labels sit under the middle of their day; every mark colour has at
least 3:1 contrast with the white background; a day without data is a gap, never a bridge.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import polars as pl

from insights.publish.theme import INK, PALETTE, WIDTH

#: Marks: history in ink, the forecast in blue, a second day type in vermillion (Okabe–Ito;
#: each at least 3:1 against white).
_HISTORY, _FORECAST, _SECOND = INK, PALETTE[0], PALETTE[5]
_PANEL_HEIGHT = 120
#: Width of one panel of small multiples, so the whole chart (axis and labels included)
#: fills the theme's width.
_PANEL_WIDTH = WIDTH - 60
_HEADER = alt.Header(
    labelOrient="top", labelAnchor="start", labelAngle=0, labelFontWeight=600, title=None
)


def _channels(frame: pl.DataFrame) -> str:
    names = sorted(str(c) for c in frame.get_column("unique_id").unique().drop_nulls())
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _with_channel(frame: pl.DataFrame) -> pl.DataFrame:
    """Give a frame without ``unique_id`` one ("all channels")."""
    if "unique_id" in frame.columns:
        return frame
    return frame.with_columns(pl.lit("all channels").alias("unique_id"))


def _facet(chart: Any, *, data: pl.DataFrame | None = None, scale: str = "shared") -> Any:
    """One panel per channel, the channel named above its panel."""
    faceted = chart.properties(width=_PANEL_WIDTH, height=_PANEL_HEIGHT).facet(
        row=alt.Row("unique_id:N", header=_HEADER, title=None),
        **({"data": data} if data is not None else {}),
    )
    return faceted.resolve_scale(y="independent") if scale == "independent" else faceted


def _every_day(frame: pl.DataFrame) -> pl.DataFrame:
    """Each channel's rows on every calendar day of its span: a missing day (closed) is null."""
    if frame.is_empty():
        return frame
    spans = frame.group_by("unique_id").agg(
        pl.date_ranges(pl.col("ds").min(), pl.col("ds").max()).alias("ds")
    )
    grid = spans.explode("ds")
    return grid.join(frame, on=["unique_id", "ds"], how="left").sort("unique_id", "ds")
