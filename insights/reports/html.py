"""A self-contained HTML page from an executed notebook: no code, no network, phone-readable.

nbconvert's ``basic`` template renders the cell outputs and markdown without any page chrome
or external script; this module wraps them in a page with a title, the parameters, the data's
date range and a generated-at line. Charts arrive as inline SVG: the runner switches altair to
its SVG renderer in the kernel, and any vega-lite output left over is drawn here with
vl-convert, so nothing has to be fetched to view the page.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from insights._common import day_span, parse_month
from insights.contacts.findings import contact_scope
from insights.errors import ParameterError, ReportError
from insights.forecasting.archive import RECORD_NAME
from insights.publish.render import BLOG_WIDTH, PHONE_WIDTH, chart_alt_text, chart_svg, fit_width
from insights.reports.page import page_head

__all__ = ["forecast_last_day", "render_html", "report_heading"]

_VEGALITE = re.compile(r"^application/vnd\.vegalite\.v\d+\+json$")
_EXTERNAL = re.compile(
    r"<(script|link|iframe)\b[^>]*\b(src|href)\s*=\s*[\"']?(https?:)?//[^>]*>(\s*</\1>)?",
    re.IGNORECASE,
)

#: Narrowest screen whose column (16 px margins) shows a chart drawn BLOG_WIDTH wide.
_WIDE_SCREEN = BLOG_WIDTH + 32

_CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 'Source Sans 3', 'Helvetica Neue', Arial, sans-serif;
       color: #1f2328; background: #fff; }
main { max-width: 760px; margin: 0 auto; padding: 16px; }
header.report { border-bottom: 1px solid #e6e8eb; margin-bottom: 16px; }
header.report h1 { font-size: 1.6rem; line-height: 1.25; margin: 0 0 4px; }
details#settings { margin: 24px 0; }
section.findings { background: #f6f8fa; border-radius: 8px; padding: 4px 16px 12px; }
section.findings .figures { display: grid; gap: 12px;
    grid-template-columns: repeat(auto-fit, minmax(140px, 1fr)); margin: 12px 0 0; }
section.findings .figure { background: #fff; border-radius: 6px; padding: 8px 12px; }
section.findings .value { font-size: 1.4rem; font-weight: 600; display: block; }
section.findings .label, section.findings .context { color: #57606a; font-size: 0.9rem; }
.meta { color: #57606a; font-size: 0.9rem; margin: 4px 0; }
table.params { border-collapse: collapse; font-size: 0.9rem; margin: 8px 0 12px; }
table.params td { padding: 2px 12px 2px 0; vertical-align: top; }
table.params td:first-child { color: #57606a; }
img, svg { max-width: 100%; height: auto; }
figure.chart { margin: 12px 0; }
/* charts at their own size (never scaled: text stays 12 px); a screen narrower than the
   phone drawing scrolls the figure sideways, and says so */
figure.chart.sized { overflow-x: auto; }
figure.chart .scroll-cue { display: none; color: #57606a; font-size: 0.85rem; }
@media (max-width: NARROWEST) { figure.chart .scroll-cue { display: block; } }
figure.chart.sized img { max-width: none; display: block; }
.jp-RenderedHTMLCommon table, .rendered_html table, table.dataframe {
    border-collapse: collapse; font-size: 0.85rem; display: block; overflow-x: auto; }
table.dataframe td, table.dataframe th { padding: 2px 8px; border-bottom: 1px solid #e6e8eb; }
pre { white-space: pre-wrap; word-break: break-word; font-size: 0.85rem; }
a.anchor-link { display: none; }
div.note { color: #57606a; font-size: 0.9rem; border-left: 3px solid #e6e8eb; padding-left: 8px; }
.jp-InputArea, .jp-InputPrompt, .jp-OutputPrompt, .input_prompt, .prompt { display: none; }
"""


def _svgs_for_vegalite(nb: Any) -> None:
    """Replace any vega-lite output (which needs JavaScript from a CDN) with inline SVG.

    Raises
    ------
    ReportError
        A chart was displayed as HTML that loads vega from the network (altair's default
        renderer), which would show nothing offline.

    """
    for number, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            spec_type = next((k for k in data if _VEGALITE.match(k)), None)
            if spec_type is not None and "image/svg+xml" not in data:
                from insights.publish.tables import suppress_spec  # noqa: PLC0415

                spec = suppress_spec(data[spec_type])
                alt = chart_alt_text(spec)
                output["data"] = {
                    "image/svg+xml": chart_svg(fit_width(spec, BLOG_WIDTH)),
                    "text/plain": alt,
                }
                output["metadata"] = {"image/svg+xml": {"alt": alt, "vegalite": spec}}
            elif "vegaEmbed" in str(data.get("text/html", "")):
                raise ReportError(
                    f"cell {number} of the executed notebook shows a chart with altair's "
                    "JavaScript renderer, which needs the network to draw it; `import insights` "
                    "in the notebook (it switches altair to SVG in report runs) or call "
                    "insights.publish.theme.use_svg_renderer()"
                )


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


_SIZE = re.compile(r'<svg\b[^>]*?\swidth="([\d.]+)"[^>]*?\sheight="([\d.]+)"')


def _size(svg: str) -> str:
    match = _SIZE.search(svg)
    return f' width="{match.group(1)}" height="{match.group(2)}"' if match else ""


def _figure(svg: str, alt: str, spec: dict[str, Any] | None) -> str:
    """Show a chart at its own size: the notebook's drawing on wide screens, a phone one below.

    Charts are never scaled down to fit (their text would shrink below 11 px): the column
    shows the :data:`BLOG_WIDTH` drawing, and screens narrower than that get the chart drawn
    again at :data:`PHONE_WIDTH` (``<picture>``). A screen narrower still (under 360 px)
    scrolls the figure sideways, and a caption says so.
    """
    img = f'<img src="{_data_uri(svg)}" alt="{html.escape(alt)}"{_size(svg)}>'
    if spec is None:  # an SVG from elsewhere: shown as it is, scaled to the column
        return f'<figure class="chart">{img}</figure>'
    phone = chart_svg(fit_width(spec, PHONE_WIDTH))
    source = (
        f'<source media="(max-width: {_WIDE_SCREEN - 1}px)" '
        f'srcset="{_data_uri(phone)}"{_size(phone)}>'
    )
    cue = '<figcaption class="scroll-cue">Scroll sideways to see the whole chart →</figcaption>'
    return f'<figure class="chart sized"><picture>{source}{img}</picture>{cue}</figure>'


def _charts_with_alt_text(nb: Any) -> None:
    """Show every SVG chart as an ``<img>`` whose ``alt`` is the chart's own alt text.

    The notebook renderer (:func:`insights.publish.render.offline_renderer`) leaves the alt
    text and the spec in the output's metadata, where nbconvert's templates do not look.
    """
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            svg = output.get("data", {}).get("image/svg+xml")
            if svg is None:
                continue
            meta = output.get("metadata", {}).get("image/svg+xml", {})
            alt = meta.get("alt") or "Chart"
            text = "".join(svg) if isinstance(svg, list) else svg
            figure = _figure(text, alt, meta.get("vegalite"))
            output["data"] = {"text/html": figure, "text/plain": alt}
            output["metadata"] = {}


_WARNING = re.compile(r"^\S+:\d+: \w*Warning: (?P<message>.+)$")


def _warnings_as_notes(nb: Any) -> None:
    """Show a cell's Python warnings as plain notes, once each, without file or source line.

    A warning the library raises says what it did (a short history forecast on fewer
    windows, say); printed raw it opened with the module path and line and ended with the
    calling code, and the same warning came twice when two steps raised it. Other text on
    standard error stays as it is.
    """
    from nbformat import from_dict  # noqa: PLC0415 - heavy; only the report runner renders pages

    seen: set[str] = set()
    for cell in nb.cells:
        kept = []
        for output in cell.get("outputs", []):
            if output.get("output_type") != "stream" or output.get("name") != "stderr":
                kept.append(output)
                continue
            text = "".join(output.get("text", ""))
            notes, other, skip_source = [], [], False
            for line in text.splitlines():
                match = _WARNING.match(line)
                if match:
                    skip_source = True
                    if match["message"] not in seen:
                        seen.add(match["message"])
                        notes.append(match["message"])
                elif skip_source and line.startswith(" "):
                    continue  # the calling code Python prints under a warning
                else:
                    skip_source = False
                    other.append(line)
            if notes:
                paragraphs = "".join(f"<p>Note: {html.escape(n)}</p>" for n in notes)
                kept.append(
                    from_dict(  # type: ignore[no-untyped-call]
                        {
                            "output_type": "display_data",
                            "data": {"text/html": f'<div class="note">{paragraphs}</div>'},
                            "metadata": {},
                        }
                    )
                )
            if any(line.strip() for line in other):
                kept.append(from_dict({**output, "text": "\n".join(other) + "\n"}))  # type: ignore[no-untyped-call]
        if "outputs" in cell:
            cell["outputs"] = kept


def _drop_injected(nb: Any) -> None:
    nb.cells = [
        c for c in nb.cells if "injected-parameters" not in c.get("metadata", {}).get("tags", [])
    ]


def _findings_first(nb: Any) -> None:
    """Move the cells tagged ``findings`` (the summary and key figures) to the top of the page.

    A notebook computes its findings from the sections' results, so the summary cell comes last
    when it runs; a reader wants it first.
    """
    tagged = [c for c in nb.cells if "findings" in c.get("metadata", {}).get("tags", [])]
    nb.cells = tagged + [c for c in nb.cells if c not in tagged]


_H1 = re.compile(r"<h1\b[^>]*>.*?</h1>", re.DOTALL | re.IGNORECASE)
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _one_h1(body: str) -> str:
    """Drop the notebook's own title (the page header is the one H1); demote any other H1."""
    body = _H1.sub("", body, count=1)
    return re.sub(r"<(/?)h1\b", r"<\1h2", body, flags=re.IGNORECASE)


def _long_date(value: str) -> str:
    try:
        return f"{date.fromisoformat(value):%-d %B %Y}"
    except ValueError:
        return value


def _month_name(value: str) -> str | None:
    try:
        return f"{parse_month(value):%B %Y}"
    except ParameterError:
        return None


def forecast_last_day(report_dir: str | Path, /) -> str | None:
    """Return the last forecast day (``YYYY-MM-DD``) of a report's forecast record, if any.

    What :func:`report_heading` names as a forecast's last day: the forecast's own last day,
    as the contact report's summary does, so the title and the summary name the same days
    (a Monday-to-Friday line's 28 days from a Sunday end on a Friday).

    Examples
    --------
    >>> import tempfile
    >>> forecast_last_day(tempfile.mkdtemp()) is None  # a report without a forecast record
    True

    """
    path = Path(report_dir) / f"{RECORD_NAME}.parquet"
    if not path.is_file():
        return None
    last = (
        pl.scan_parquet(path)
        .filter(pl.col("kind") == "forecast")
        .select(pl.col("ds").max())
        .collect()
        .item()
    )
    return last.isoformat() if isinstance(last, date) else None


def report_heading(
    title: str, params: Mapping[str, Any], /, *, last_day: date | str | None = None
) -> str:
    """Name the report, its place or scope and its period.

    E.g. "Trending spending: London, September 2025", or for a forecast the days it covers
    and, for the contact forecast, which contacts ("all contacts", "contacts tagged fraud").
    A forecast's days run from the day after ``as_of`` to ``last_day``, the forecast's last
    day (its last open day: a Monday-to-Friday line forecast for 28 days ends on a Friday, as
    its summary says), else to the end of ``horizon_days``.

    Examples
    --------
    >>> report_heading("Trending spending", {"month": "2025-09", "city": "London", "top_n": 10})
    'Trending spending: London, September 2025'
    >>> report_heading("Contact rate forecast", {"as_of": "2025-08-31", "horizon_days": 28})
    'Contact rate forecast: 1 to 28 September 2025'
    >>> report_heading("Contact rate forecast",
    ...                {"as_of": "2025-08-31", "horizon_days": 28, "tags": ["fraud"]})
    'Contact rate forecast: contacts tagged fraud, 1 to 28 September 2025'
    >>> report_heading("Contact rate forecast", {"as_of": "2025-08-31", "horizon_days": 28},
    ...                last_day="2025-09-26")
    'Contact rate forecast: 1 to 26 September 2025'
    >>> report_heading("Plain", {})
    'Plain'

    """
    parts: list[str] = []
    place = params.get("city") or params.get("place")
    if isinstance(place, str) and place:
        parts.append(place)
    month = str(params.get("month", ""))
    as_of = str(params.get("as_of", ""))
    if (named := _month_name(month)) is not None:
        parts.append(named)
    elif _DAY.match(as_of):
        horizon = params.get("horizon_days")
        first = date.fromisoformat(as_of) + timedelta(days=1)
        end = (
            date.fromisoformat(str(last_day))
            if last_day is not None
            else first + timedelta(days=int(horizon) - 1)
            if horizon
            else None
        )
        parts.append(day_span(first, end) if end is not None else f"as of {_long_date(as_of)}")
    if "tags" in params:  # the contact forecast: which contacts it covers
        parts.insert(0, contact_scope(params["tags"] or ()))
    return f"{title}: {', '.join(parts)}" if parts else title


def _generated(stamp: str) -> str:
    try:
        when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    return f"{when:%-d %B %Y, %H:%M} UTC"


def render_html(
    notebook: str | Path,
    html_path: str | Path,
    /,
    *,
    title: str,
    params: Mapping[str, Any],
    date_range: tuple[str, str] | None,
    generated_at: str,
    last_day: str | None = None,
) -> Path:
    """Write the executed ``notebook`` as a self-contained, code-free HTML page.

    Parameters
    ----------
    notebook
        An executed ``.ipynb``.
    html_path
        Where to write the page.
    title
        The report's title; the page's ``<title>`` and H1 add its place and period
        (:func:`report_heading`).
    params
        The parameters the report was rendered with.
    date_range
        First and last date of the input data, shown under the title.
    generated_at
        When the render finished (ISO 8601, UTC).
    last_day
        A forecast's last day (``YYYY-MM-DD``), named in the heading (:func:`report_heading`).

    Returns
    -------
    Path
        ``html_path``.

    """
    import nbformat  # noqa: PLC0415 - heavy; only the report runner renders pages
    from nbconvert import HTMLExporter  # noqa: PLC0415

    nb = nbformat.read(str(notebook), as_version=4)  # type: ignore[no-untyped-call]
    _drop_injected(nb)
    _warnings_as_notes(nb)
    _findings_first(nb)
    _svgs_for_vegalite(nb)
    _charts_with_alt_text(nb)
    exporter = HTMLExporter(  # type: ignore[no-untyped-call]
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    body, _ = exporter.from_notebook_node(nb)
    body = _one_h1(_EXTERNAL.sub("", body))
    rows = "".join(
        f"<tr><td>{html.escape(k)}</td><td>{html.escape(_show(v))}</td></tr>"
        for k, v in params.items()
    )
    heading = report_heading(title, params, last_day=last_day)
    span = (
        f"{_long_date(date_range[0])} to {_long_date(date_range[1])}" if date_range else "unknown"
    )
    page = f"""<!DOCTYPE html>
<html lang="en">
{page_head(heading, css=_CSS.replace("NARROWEST", f"{PHONE_WIDTH + 31}px"))}
<body>
<main>
<header class="report">
<h1>{html.escape(heading)}</h1>
<p class="meta"><span id="date-range">Data from {html.escape(span)}</span> ·
<span id="generated-at">generated {html.escape(_generated(generated_at))}</span></p>
</header>
<article class="notebook">
{body}
</article>
<details class="meta" id="settings"><summary>Settings this report was run with</summary>
<table class="params" id="parameters">{rows}</table></details>
</main>
</body>
</html>
"""
    out = Path(html_path)
    out.write_text(page, encoding="utf-8")
    return out


def _show(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "(all)"
    return str(value)
