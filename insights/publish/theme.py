"""The house chart style: one registered altair theme and the title block every chart carries.

Importing :mod:`insights` registers and enables the ``insights`` theme. Chart builders call
:func:`titled` so that every chart has a title, a subtitle saying what is measured, and a
source note.

Charts must show without a network: a bank's analysis network blocks the CDN that altair's
default renderer loads vega from. Importing this module therefore switches altair to the
``insights`` renderer (:func:`insights.publish.render.offline_renderer`): charts are drawn
by vl-convert in the kernel and shown as inline SVG with their alt text, in JupyterLab,
VS Code and rendered reports alike. :mod:`insights` imports this module whenever it is
imported in a Jupyter kernel, and in report runs (the runner sets ``INSIGHTS_ALTAIR_RENDERER``).

A renderer you chose yourself (``alt.renderers.enable("jupyter")`` before ``import
insights``) is kept. ``INSIGHTS_ALTAIR_RENDERER`` names the renderer to use instead (any
altair renderer name, e.g. ``default`` for the interactive JavaScript one when online;
``svg`` means ``insights``). Call :func:`use_svg_renderer` to switch by hand.
"""

from __future__ import annotations

import os
from typing import Any

import altair as alt

from insights.publish.render import RENDERER_NAME, offline_renderer

__all__ = [
    "FONT",
    "INK",
    "MUTED",
    "PALETTE",
    "RENDERER_ENV",
    "SOURCE_NOTE",
    "THEME_NAME",
    "WIDTH",
    "house_theme",
    "titled",
    "use_svg_renderer",
    "wrap_words",
]

THEME_NAME = "insights"
WIDTH = 640
#: A standard font stack (no web font to embed): every reader's system has one of these.
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
#: Okabe–Ito hues, distinguishable with every common form of colour blindness, with its orange,
#: sky blue and yellow (2.3, 2.3 and 1.3 : 1 on white) swapped for a darker orange, a grey and a
#: dark ochre, so every mark has at least 3:1 contrast with the white page (WCAG 1.4.11).
PALETTE = [
    "#0072B2",
    "#B36B00",
    "#009E73",
    "#CC79A7",
    "#767676",
    "#D55E00",
    "#8A6D00",
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


def wrap_words(text: str, /, width: int = 84) -> list[str]:
    """Break text into lines of at most ``width`` characters (Vega wraps neither titles nor text).

    Examples
    --------
    >>> wrap_words("No place passed the bar this month.", width=16)
    ['No place passed', 'the bar this', 'month.']

    """
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines


def titled(
    chart: Any,
    /,
    *,
    title: str,
    subtitle: str,
    source: str = SOURCE_NOTE,
    description: str | None = None,
) -> Any:
    """Give ``chart`` the house title block: a title, a subtitle and a source note.

    The source note is the last subtitle line, so it travels with the chart into SVG and PNG.
    ``description`` is the chart's alt text, written from its data (which place, what change):
    it becomes the SVG's ``<desc>`` and the report's ``<img alt>``.

    Examples
    --------
    >>> import altair as alt, polars as pl
    >>> c = alt.Chart(pl.DataFrame({"x": [1]})).mark_point().encode(x="x:Q")
    >>> titled(c, title="T", subtitle="What is measured").to_dict()["title"]["text"]
    'T'

    """
    return chart.properties(
        title=alt.Title(text=title, subtitle=[*wrap_words(subtitle), *wrap_words(source)]),
        # the paragraphs, so a chart drawn narrower can break them again (fit_width)
        usermeta={"insights": {"subtitle": [subtitle, source]}},
        **({"description": description} if description else {}),
        width=WIDTH if not isinstance(chart, alt.FacetChart | alt.ConcatChart) else alt.Undefined,
    )


#: Environment variable naming the altair renderer to enable at import (the runner sets ``svg``).
RENDERER_ENV = "INSIGHTS_ALTAIR_RENDERER"

alt.renderers.register(RENDERER_NAME, offline_renderer)


def use_svg_renderer() -> None:
    """Show altair charts as inline SVG drawn in the kernel, with alt text: no network needed.

    Examples
    --------
    >>> use_svg_renderer()
    >>> alt.renderers.active
    'insights'

    """
    alt.renderers.enable(RENDERER_NAME)


def _enable_renderer_at_import() -> None:
    wanted = os.environ.get(RENDERER_ENV, "").strip().lower()
    if wanted in {"svg", RENDERER_NAME}:
        use_svg_renderer()
    elif wanted:
        alt.renderers.enable(wanted)
    elif alt.renderers.active == "default":  # not chosen by the user: never the CDN one
        use_svg_renderer()


_enable_renderer_at_import()
