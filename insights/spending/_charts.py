"""Pieces shared by the spending charts: column checks and the chart that says why it is empty.

The charts themselves live in :mod:`insights.spending.trending_charts`,
:mod:`insights.spending.category_charts` and :mod:`insights.spending.favourites_charts`: pure
functions of the small tables in :mod:`insights.spending` (categories, spikes, favourites) and
:mod:`insights.spending.trending`, styled by the house theme (:mod:`insights.publish.theme`).

Each builder returns an altair chart spec with explicit encoding types, a title, a subtitle
saying what is measured and the source note. Labels are computed in polars before charting, so
the spec carries no Vega expressions to test. An empty table is a normal result: the chart
then says so in words (``note``, e.g. from :mod:`insights.spending.notes`) instead of failing,
so a quiet month still gets every other section of its report.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import polars as pl

from insights._common import require_columns
from insights.publish.theme import titled, wrap_words


def _need(frame: pl.DataFrame, columns: list[str], chart: str) -> None:
    require_columns(frame, columns, who=chart)


def _message_chart(title: str, text: str, subtitle: str) -> Any:
    """Build a chart that says in words why there is nothing to draw."""
    message = pl.DataFrame({"text": [text]})
    chart = (
        alt.Chart(message)
        .mark_text(fontSize=14, lineBreak="\n", align="center")
        .encode(text=alt.Text("text:N"))
    )
    return titled(chart.properties(height=80), title=title, subtitle=subtitle)


def _wrap(text: str) -> str:
    """Break a sentence into the lines of a text mark (it does not wrap by itself)."""
    return "\n".join(wrap_words(text, width=40))  # fits the phone drawing (328 px)
