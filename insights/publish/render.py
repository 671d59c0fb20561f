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
  insert a 2× PNG at its intended size instead of doubling it;
* a chart is drawn at the width where it is shown, never scaled to fit
  (:func:`fit_width`): scaling a 720 px chart into a 358 px phone column would shrink its
  12 px labels to 6 px. The notebook, the report column and the blog bundle show it at
  :data:`BLOG_WIDTH`; the report page swaps in a rendition drawn at :data:`PHONE_WIDTH` on
  narrow screens (:mod:`insights.reports.html`). The theme's smallest text is 12 px, so
  chart text is never below :data:`MIN_TEXT_PX` as read.
"""

from __future__ import annotations

import copy
import html
import json
import re
from collections.abc import Callable
from typing import Any

import vl_convert as vlc

from insights.errors import ReportError

__all__ = [
    "BLOG_WIDTH",
    "MIN_TEXT_PX",
    "PHONE_WIDTH",
    "RENDERER_NAME",
    "chart_alt_text",
    "chart_png",
    "chart_svg",
    "chart_title",
    "fit_width",
    "offline_renderer",
]

#: Name under which :func:`offline_renderer` is registered with altair.
RENDERER_NAME = "insights"
_SVG_OPEN = re.compile(r"<svg\b[^>]*>")
_SVG_WIDTH = re.compile(r'<svg\b[^>]*?\swidth="([\d.]+)"')

#: Width in CSS pixels of every chart in a notebook, the report column and the blog bundle.
BLOG_WIDTH = 720
#: Width of the phone rendition: fits a 360 px screen with 16 px margins, at natural size.
PHONE_WIDTH = 328
#: Smallest chart text, in CSS pixels as a reader sees it (the theme's smallest is 12 px).
MIN_TEXT_PX = 11
#: Narrowest panel of a small-multiple chart before it gets fewer columns.
_MIN_PANEL = 110
_COMPOSITE = ("facet", "hconcat", "vconcat", "concat", "repeat")
#: Average glyph width as a share of the font size, for breaking titles into lines.
_GLYPH = 0.56


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
    svg = _draw(spec)
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


def _padding(spec: dict[str, Any]) -> dict[str, float]:
    padding = spec.get("padding", spec.get("config", {}).get("padding", 5))
    if isinstance(padding, int | float):
        return dict.fromkeys(("left", "right", "top", "bottom"), float(padding))
    return {side: float(padding.get(side, 0)) for side in ("left", "right", "top", "bottom")}


def _title_lines(spec: dict[str, Any], width: int) -> None:
    """Break the title and subtitle into lines that fit ``width`` (Vega never wraps them)."""
    from insights.publish.theme import wrap_words as _wrap  # noqa: PLC0415 - theme imports us

    title = spec.get("title")
    if not title:
        return
    block: dict[str, Any] = dict(title) if isinstance(title, dict) else {"text": title}
    style = spec.get("config", {}).get("title", {})
    pad = _padding(spec)
    room = width - pad["left"] - pad["right"]
    text = _text(block.get("text"))
    lines = _wrap(text, max(12, int(room / (float(style.get("fontSize", 13)) * _GLYPH))))
    block["text"] = lines[0] if len(lines) == 1 else lines
    # the paragraphs the chart builder wrote (subtitle, source note), else the lines as given
    paragraphs = spec.get("usermeta", {}).get("insights", {}).get("subtitle")
    if paragraphs is None and block.get("subtitle"):
        given = block["subtitle"]
        paragraphs = [given] if isinstance(given, str) else list(given)
    if paragraphs:
        chars = max(16, int(room / (float(style.get("subtitleFontSize", 11)) * _GLYPH)))
        block["subtitle"] = [line for p in paragraphs for line in _wrap(str(p), chars)]
    spec["title"] = block


_DRAWN: dict[str, str] = {}


def _draw(spec: dict[str, Any]) -> str:
    """SVG of ``spec`` by vl-convert; the last few drawings are kept (fitting draws twice)."""
    key = json.dumps(spec, sort_keys=True, default=str)
    if key not in _DRAWN:
        try:
            svg = vlc.vegalite_to_svg(spec)
        except Exception as exc:
            msg = f"vl-convert could not draw the chart {chart_title(spec)!r}: {exc}"
            raise ReportError(msg) from exc
        if len(_DRAWN) >= 16:
            _DRAWN.pop(next(iter(_DRAWN)))
        _DRAWN[key] = svg
    return _DRAWN[key]


def _drawn_width(spec: dict[str, Any]) -> float:
    match = _SVG_WIDTH.search(_draw(spec))
    return float(match.group(1)) if match else 0.0


def _panels(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the views whose ``width`` sets a panel's width (inside facets and concats)."""
    if "facet" in spec or "repeat" in spec:
        return _panels(spec["spec"])
    for key in ("hconcat", "vconcat", "concat"):
        if key in spec:
            return [view for child in spec[key] for view in _panels(child)]
    return [spec]


def _linear_width(drawn: Callable[[float], float], panel: float) -> tuple[float, float]:
    """``(per, fixed)`` with ``drawn(f) = fixed + per·f`` for the panels' width factor ``f``.

    Two drawings give the line when both are wider than the title. A title or subtitle wider
    than the panels sets the drawing's width alone (flat: the drawing grows by less than one
    panel's width per unit of ``f``), so the two factors double until it grows with them.
    """
    low, small, large = 0.5, drawn(0.5), drawn(1.0)
    for _ in range(3):
        if (large - small) / low >= 0.9 * panel:
            break
        low, small, large = 2 * low, large, drawn(4 * low)
    per = (large - small) / low
    return per, large - per * 2 * low


def _fit_composite(spec: dict[str, Any], width: int) -> dict[str, Any]:
    """Resize the panels of small multiples so the whole drawing is ``width`` px wide.

    The drawn width is linear in the panels' width (axes, labels and gaps stay), so two
    drawings give the panel width to use; panels narrower than :data:`_MIN_PANEL` get fewer
    columns instead. Whatever rounding leaves is added to the right padding.
    """
    default = float(spec.get("config", {}).get("view", {}).get("continuousWidth", 300))
    panels = [p for p in _panels(spec) if not isinstance(p.get("width"), dict)]
    if not panels:
        return spec
    base = [float(p.get("width", default)) for p in panels]

    pad = _padding(spec)

    def drawn(factor: float, slack: float = 0.0) -> float:
        for panel, size in zip(panels, base, strict=True):
            panel["width"] = max(20, int(size * factor))
        spec["padding"] = {**pad, "right": pad["right"] + slack}
        return _drawn_width(spec)

    for _ in range(3):
        per, fixed = _linear_width(drawn, max(base))
        factor = (width - fixed) / per if per > 0 else 1.0
        columns = spec.get("columns")
        across = max(1, round(per / max(base)))  # panels side by side
        if min(base) * factor >= _MIN_PANEL or not isinstance(columns, int) or across <= 1:
            break
        fewer = max(1, min(across - 1, int((width - fixed) / (_MIN_PANEL + 20))))
        spec["columns"] = fewer
    # panel widths are whole pixels: the right padding takes up what rounding leaves, so
    # the last drawing (kept for the caller) is usually exactly ``width`` wide
    slack = max(0.0, width - fixed - per * int(max(base) * factor) / max(base))
    for _ in range(3):
        final = drawn(factor, slack)
        if abs(final - width) < 0.5:
            break
        if final < width:
            slack += width - final
        elif slack >= final - width:
            slack -= final - width
        elif per > 0:  # labels that grew: narrower panels
            factor -= (final - width - slack) / per
            slack = 0.0
    return spec


def fit_width(spec: dict[str, Any], width: int, /) -> dict[str, Any]:
    """Return a copy of ``spec`` drawn exactly ``width`` px wide, text at its own size.

    Single and layered charts fill the width (Vega-Lite ``fit-x``); small multiples resize
    their panels, and wrap into fewer columns when panels would get too narrow; the title
    and subtitle are broken into lines that fit. Nothing is scaled, so text keeps the size
    the theme gives it (12 px and up) wherever the chart is shown at its own size.

    Examples
    --------
    >>> spec = {"data": {"values": [{"x": 1, "c": "a"}, {"x": 2, "c": "b"}]}, "mark": "point",
    ...         "encoding": {"x": {"field": "x", "type": "quantitative"}},
    ...         "title": {"text": "Two points", "subtitle": ["One per letter"]}}
    >>> _drawn_width(fit_width(spec, 328))
    328.0
    >>> facets = {"data": spec["data"], "facet": {"field": "c", "type": "nominal"},
    ...           "columns": 2, "spec": {"mark": "point", "width": 300,
    ...           "encoding": {"x": {"field": "x", "type": "quantitative"}}}}
    >>> fitted = fit_width(facets, 328)
    >>> _drawn_width(fitted), fitted["columns"], fitted["spec"]["width"]
    (328.0, 2, 142)
    >>> fit_width(facets, 200)["columns"]
    1


    """
    fitted = copy.deepcopy(spec)
    _title_lines(fitted, width)
    if any(key in fitted for key in _COMPOSITE):
        return _fit_composite(fitted, width)
    fitted["width"] = width
    fitted["autosize"] = {"type": "fit-x", "contains": "padding"}
    return fitted


def offline_renderer(
    spec: dict[str, Any], **_metadata: Any
) -> tuple[dict[str, str], dict[str, Any]]:
    """Altair renderer: the chart as inline SVG, :data:`BLOG_WIDTH` wide, with its alt text.

    Needs no network and no JavaScript, so charts show in JupyterLab, VS Code, nbconvert and
    on GitHub alike. The alt text goes into the output's ``image/svg+xml`` metadata (where
    nbconvert looks for ``alt``) and into the SVG's ``<title>``/``<desc>``; the (suppressed)
    spec goes there too, so the report page can draw the chart again at phone width.

    Examples
    --------
    >>> spec = {"data": {"values": [{"x": 1}]}, "mark": "point", "description": "One dot.",
    ...         "encoding": {"x": {"field": "x", "type": "quantitative"}}}
    >>> bundle, meta = offline_renderer(spec)
    >>> sorted(bundle), meta["image/svg+xml"]["alt"], 'width="720"' in bundle["image/svg+xml"]
    (['image/svg+xml', 'text/plain'], 'One dot.', True)

    """
    from insights.publish.tables import suppress_spec  # noqa: PLC0415 - tables imports polars

    spec = suppress_spec(spec)  # what a notebook displays is published
    alt_text = chart_alt_text(spec)
    bundle = {
        "image/svg+xml": chart_svg(fit_width(spec, BLOG_WIDTH)),
        "text/plain": f"<chart: {alt_text}>",
    }
    return bundle, {"image/svg+xml": {"alt": alt_text, "vegalite": spec}}
