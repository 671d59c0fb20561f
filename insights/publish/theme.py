"""The house chart style: one registered altair theme and the title block every chart carries.

Importing :mod:`insights` registers and enables the ``insights`` theme. Chart builders call
:func:`titled` so that every chart has a title, a subtitle saying what is measured, and a
source note.

Rendered reports must show their charts without a network, so the report runner sets the
environment variable ``INSIGHTS_ALTAIR_RENDERER=svg`` for the kernel: importing this module
then switches altair to its SVG renderer (charts are drawn by vl-convert in the kernel and
embedded as inline SVG instead of JavaScript that loads vega from a CDN). Call
:func:`use_svg_renderer` to do the same by hand.
"""

from __future__ import annotations

import os
from typing import Any

import altair as alt

__all__ = [
    "FONT",
    "PALETTE",
    "RENDERER_ENV",
    "SOURCE_NOTE",
    "THEME_NAME",
    "WIDTH",
    "house_theme",
    "titled",
    "use_svg_renderer",
]

THEME_NAME = "insights"
WIDTH = 640
FONT = "'Source Sans 3', 'Helvetica Neue', Arial, sans-serif"
#: Okabe–Ito palette: distinguishable with every common form of colour blindness.
PALETTE = [
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
]
INK = "#1f2328"
MUTED = "#57606a"
GRID = "#e6e8eb"
SOURCE_NOTE = (
    "Source: insights, card and support data "
    "(aggregated; groups with fewer than 10 customers suppressed)"
)


@alt.theme.register(THEME_NAME, enable=True)
def house_theme() -> alt.theme.ThemeConfig:
    """Return the house theme: clean blog style, 640 px wide, colour-blind-safe palette."""
    return {
        "config": {
            "view": {"continuousWidth": WIDTH, "continuousHeight": 320, "stroke": None},
            "background": "#ffffff",
            "font": FONT,
            "padding": {"left": 8, "right": 16, "top": 8, "bottom": 8},
            "title": {
                "anchor": "start",
                "fontSize": 20,
                "fontWeight": 600,
                "color": INK,
                "subtitleFontSize": 14,
                "subtitleColor": MUTED,
                "subtitlePadding": 6,
                "offset": 14,
            },
            "axis": {
                "labelFontSize": 12,
                "titleFontSize": 12,
                "labelColor": MUTED,
                "titleColor": MUTED,
                "gridColor": GRID,
                "domainColor": GRID,
                "tickColor": GRID,
                "titleFontWeight": 400,
            },
            "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "top"},
            "header": {"labelFontSize": 13, "titleFontSize": 13, "labelColor": INK},
            "range": {"category": PALETTE},
            "line": {"strokeWidth": 2},
            "bar": {"color": PALETTE[0]},
            "text": {"fontSize": 12, "color": INK},
        }
    }


def titled(
    chart: Any,
    /,
    *,
    title: str,
    subtitle: str,
    source: str = SOURCE_NOTE,
) -> Any:
    """Give ``chart`` the house title block: a title, a subtitle and a source note.

    The source note is the last subtitle line, so it travels with the chart into SVG and PNG.

    Examples
    --------
    >>> import altair as alt, polars as pl
    >>> c = alt.Chart(pl.DataFrame({"x": [1]})).mark_point().encode(x="x:Q")
    >>> titled(c, title="T", subtitle="What is measured").to_dict()["title"]["text"]
    'T'

    """
    return chart.properties(
        title=alt.Title(text=title, subtitle=[subtitle, source]),
        width=WIDTH if not isinstance(chart, alt.FacetChart | alt.ConcatChart) else alt.Undefined,
    )


#: Environment variable naming the altair renderer to enable at import (``svg`` for reports).
RENDERER_ENV = "INSIGHTS_ALTAIR_RENDERER"


def use_svg_renderer() -> None:
    """Render altair charts as inline SVG (drawn by vl-convert), needing no network to view.

    The report runner does this in every kernel it starts by setting ``RENDERER_ENV=svg``.
    """
    alt.renderers.enable("svg")


if os.environ.get(RENDERER_ENV, "").strip().lower() == "svg":
    use_svg_renderer()
