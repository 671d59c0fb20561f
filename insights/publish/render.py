"""Drawing Vega-Lite specs without a browser or a network: SVG and PNG via vl-convert.

vl-convert bundles the Vega and Vega-Lite JavaScript in a Deno runtime, so charts are drawn
in the Python process. This module is shared by the notebook renderer (what a chart cell
shows in JupyterLab, VS Code and the rendered report) and by :func:`insights.publish_chart`
(the blog bundle), so both show the same picture with the same accessible text:

* the SVG carries a ``<title>`` (the chart's title) and a ``<desc>`` (its alt text) and is
  labelled by them (``role="img"``), so screen readers announce it;
* the alt text is the spec's ``description``, which the chart builders write from the data
  (which place, what change); a chart without one falls back to its title and subtitle;
* PNGs carry correct DPI metadata: 72 dpi at 1×, 144 dpi at 2×, so Word and Google Docs
  insert a 2× PNG at its intended size instead of doubling it.
"""

from __future__ import annotations

import html
import re
from typing import Any

import vl_convert as vlc

from insights.errors import ReportError

__all__ = [
    "RENDERER_NAME",
    "chart_alt_text",
    "chart_png",
    "chart_svg",
    "chart_title",
    "offline_renderer",
]

#: Name under which :func:`offline_renderer` is registered with altair.
RENDERER_NAME = "insights"
_SVG_OPEN = re.compile(r"<svg\b[^>]*>")


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return " ".join(str(v) for v in value if v)
    return "" if value is None else str(value)


def chart_title(spec: dict[str, Any], /) -> str:
    """Return the title text of a Vega-Lite spec ("" when it has none).

    Examples
    --------
    >>> chart_title({"title": {"text": "Sales up", "subtitle": ["Per day"]}})
    'Sales up'
    >>> chart_title({"title": "Plain"}), chart_title({})
    ('Plain', '')

    """
    title = spec.get("title")
    if isinstance(title, dict):
        return _text(title.get("text"))
    return _text(title)


def chart_alt_text(spec: dict[str, Any], /) -> str:
    """Return the alt text of a Vega-Lite spec: its ``description``, else title and subtitle.

    Examples
    --------
    >>> chart_alt_text({"description": "Bars of 3 places; Nori leads.", "title": "T"})
    'Bars of 3 places; Nori leads.'
    >>> chart_alt_text({"title": {"text": "Sales up", "subtitle": ["Per day", "Source: x"]}})
    'Sales up. Per day Source: x'

    """
    description = _text(spec.get("description")).strip()
    if description:
        return description
    title = spec.get("title")
    subtitle = _text(title.get("subtitle")) if isinstance(title, dict) else ""
    return ". ".join(part for part in (chart_title(spec), subtitle) if part)


def _accessible(svg: str, *, title: str, description: str) -> str:
    """Label the SVG with ``<title>`` and ``<desc>`` (``role="img"``) for screen readers."""
    match = _SVG_OPEN.search(svg)
    if match is None:
        return svg
    opening = match.group(0)
    labelled = opening[:-1] + ' role="img" aria-labelledby="chart-title chart-desc">'
    texts = (
        f'<title id="chart-title">{html.escape(title or description, quote=False)}</title>'
        f'<desc id="chart-desc">{html.escape(description, quote=False)}</desc>'
    )
    return svg[: match.start()] + labelled + texts + svg[match.end() :]


def chart_svg(spec: dict[str, Any], /) -> str:
    """Draw a Vega-Lite spec as SVG with ``<title>`` and ``<desc>`` from its text.

    Raises
    ------
    ReportError
        vl-convert could not draw the spec.

    Examples
    --------
    >>> spec = {"data": {"values": [{"x": 1}]}, "mark": "point",
    ...         "encoding": {"x": {"field": "x", "type": "quantitative"}},
    ...         "title": "One point", "description": "A single point at x = 1."}
    >>> svg = chart_svg(spec)
    >>> '<title id="chart-title">One point</title>' in svg, "A single point at x = 1." in svg
    (True, True)

    """
    try:
        svg = vlc.vegalite_to_svg(spec)
    except Exception as exc:
        msg = f"vl-convert could not draw the chart {chart_title(spec)!r}: {exc}"
        raise ReportError(msg) from exc
    return _accessible(svg, title=chart_title(spec), description=chart_alt_text(spec))


def chart_png(spec: dict[str, Any], /, *, scale: int = 1) -> bytes:
    """Draw a Vega-Lite spec as PNG at ``scale`` × its size, tagged ``72 × scale`` dpi.

    The DPI tag (the PNG ``pHYs`` chunk) makes word processors insert the image at its
    intended size: a 2× PNG at 144 dpi occupies the same space as the 1× one at 72 dpi.

    Raises
    ------
    ReportError
        vl-convert could not draw the spec.

    Examples
    --------
    >>> spec = {"data": {"values": [{"x": 1}]}, "mark": "point", "width": 100, "height": 50,
    ...         "encoding": {"x": {"field": "x", "type": "quantitative"}}}
    >>> chart_png(spec, scale=2)[1:4]
    b'PNG'

    """
    try:
        return bytes(vlc.vegalite_to_png(spec, scale=1, ppi=72 * scale))
    except Exception as exc:
        msg = f"vl-convert could not draw the chart {chart_title(spec)!r}: {exc}"
        raise ReportError(msg) from exc


def offline_renderer(
    spec: dict[str, Any], **_metadata: Any
) -> tuple[dict[str, str], dict[str, Any]]:
    """Altair renderer: the chart as inline SVG, with its alt text as output metadata.

    Needs no network and no JavaScript, so charts show in JupyterLab, VS Code, nbconvert and
    on GitHub alike. The alt text goes into the output's ``image/svg+xml`` metadata (where
    nbconvert looks for ``alt``) and into the SVG's ``<title>``/``<desc>``.

    Examples
    --------
    >>> spec = {"data": {"values": [{"x": 1}]}, "mark": "point", "description": "One dot.",
    ...         "encoding": {"x": {"field": "x", "type": "quantitative"}}}
    >>> bundle, meta = offline_renderer(spec)
    >>> sorted(bundle), meta["image/svg+xml"]["alt"]
    (['image/svg+xml', 'text/plain'], 'One dot.')

    """
    from insights.publish.tables import suppress_spec  # noqa: PLC0415 - tables imports polars

    spec = suppress_spec(spec)  # what a notebook displays is published
    alt_text = chart_alt_text(spec)
    bundle = {"image/svg+xml": chart_svg(spec), "text/plain": f"<chart: {alt_text}>"}
    return bundle, {"image/svg+xml": {"alt": alt_text}}
