"""Publishing charts for a blog or a slide: the chart bundle an editor needs.

Per chart: an SVG (standard font stack, ``<title>``/``<desc>`` from the alt text), PNGs at 1×
(72 dpi) and 2× (144 dpi, so word processors insert it at the same size), the CSV of exactly
what is drawn, the Vega-Lite spec and the alt text. Every chart is drawn at one fixed width
(:data:`BLOG_WIDTH` unless told otherwise), whatever its subtitle, legend or small multiples
(:func:`insights.publish.render.fit_width`: redrawn at that width, never scaled). Rendering uses
``vl-convert`` (a bundled Deno/Vega runtime), so no browser and no network are needed. What
is drawn is published: the data sets inside the spec (from which SVG and PNG are drawn) and
the CSV are suppressed like published tables (:func:`insights.publish.tables.suppress_people`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import polars as pl

from insights.errors import ParameterError, ReportError
from insights.publish.render import BLOG_WIDTH, chart_alt_text, chart_png, chart_svg, fit_width
from insights.publish.tables import SIDECAR_SUFFIX, stable_floats, suppress_people, suppress_spec

__all__ = ["BLOG_WIDTH", "chart_data", "publish_chart"]

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def _spec(chart: Any) -> dict[str, Any]:
    try:
        spec = chart.to_dict()
    except Exception as exc:
        msg = f"Could not turn the chart into a Vega-Lite spec: {exc}"
        raise ReportError(msg) from exc
    if not isinstance(spec, dict):
        msg = f"Expected an altair chart, got {type(chart).__name__}."
        raise ParameterError(msg)
    return spec


def chart_data(chart: Any, /) -> pl.DataFrame:
    """Return the table a chart draws: its largest inline dataset.

    For a chart with one data set (most) that is all it draws; a layered chart drawing a
    series and a few highlighted points from a second table gives the series.

    Examples
    --------
    >>> import altair as alt
    >>> frame = pl.DataFrame({"x": [1, 2], "y": [3, 4]})
    >>> chart_data(alt.Chart(frame).mark_line().encode(x="x:Q", y="y:Q")).to_dicts()
    [{'x': 1, 'y': 3}, {'x': 2, 'y': 4}]

    """
    spec = _spec(chart)
    datasets = list(spec.get("datasets", {}).values())
    inline = spec.get("data", {}).get("values")
    if inline is not None:
        datasets.append(inline)
    if not datasets:
        msg = "The chart carries no inline data; pass the table behind it as `data`."
        raise ParameterError(msg)
    # every row decides the schema: layered data sets leave one part's columns null at first
    return pl.DataFrame(max(datasets, key=len), infer_schema_length=None)


def publish_chart(
    chart: Any,
    data: pl.DataFrame | None = None,
    /,
    *,
    name: str,
    out_dir: str | Path,
    alt_text: str | None = None,
    width: int = BLOG_WIDTH,
) -> dict[str, Path]:
    """Write a chart's blog bundle: SVG, PNG at 1× and 2×, CSV, Vega-Lite spec and alt text.

    Parameters
    ----------
    chart
        An altair chart (any kind: single, layered, faceted, ...).
    data
        The table the chart draws, written as CSV so an editor can rebuild the chart in their
        own tool. Defaults to the data inside the chart (:func:`chart_data`): exactly what
        is drawn (e.g. a brand's whole daily series, not only its spike days).
    name
        File stem: letters, digits, ``_``, ``-`` and ``.``, starting with a letter or digit.
    out_dir
        Folder to write to; created if missing. Existing files of the same name are replaced.
    alt_text
        Text description of the chart for screen readers. Defaults to the chart's own
        ``description``, which the library's chart builders write from the data.
    width
        Width of the whole chart in CSS pixels, axes, legends and small multiples included.

    Returns
    -------
    dict[str, Path]
        Paths by kind: ``"svg"``, ``"png"`` (1×, 72 dpi), ``"png@2x"`` (2×, 144 dpi),
        ``"csv"`` (``<name>.data.csv``), ``"vl.json"``, ``"alt.txt"``.

    Raises
    ------
    ParameterError
        Bad ``name``, no alt text, or a ``data`` that is not a polars DataFrame.
    ReportError
        The chart could not be rendered.

    Examples
    --------
    >>> import tempfile
    >>> import altair as alt
    >>> data = pl.DataFrame({"x": [1, 2], "y": [3, 4]})
    >>> chart = alt.Chart(data).mark_line().encode(x="x:Q", y="y:Q")
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     paths = publish_chart(chart, name="demo", out_dir=tmp, alt_text="A line up.")
    ...     sorted(p.name for p in paths.values())
    ['demo.alt.txt', 'demo.data.csv', 'demo.png', 'demo.svg', 'demo.vl.json', 'demo@2x.png']

    """
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        msg = (
            f"name must be a plain file stem like 'trending_leeds_2025-09' (letters, digits, "
            f"'_', '-', '.'), got {name!r}."
        )
        raise ParameterError(msg)
    if data is not None and not isinstance(data, pl.DataFrame):
        msg = (
            f"data must be the polars DataFrame behind the chart, got {type(data).__name__}; "
            "convert with pl.from_pandas(...) or leave it out to use the chart's own data."
        )
        raise ParameterError(msg)
    folder = Path(out_dir)
    if (folder / f"{name}{SIDECAR_SUFFIX}").exists():
        msg = (
            f"publish_chart(name={name!r}): {folder / name}.* is already a published table; "
            f"one name, one artefact: give the chart another name (e.g. {name + '_chart'!r})."
        )
        raise ParameterError(msg)
    # what is drawn is published: the data sets inside the spec are suppressed too
    spec = suppress_spec(_spec(chart))
    if alt_text is not None:
        spec["description"] = alt_text
    text = _text_or_fail(spec, alt_text)
    spec["description"] = text
    drawn = fit_width(spec, width)
    svg, png, png2 = chart_svg(drawn), chart_png(drawn, scale=1), chart_png(drawn, scale=2)
    table = stable_floats(suppress_people(data if data is not None else chart_data(chart)))
    folder.mkdir(parents=True, exist_ok=True)
    paths = {kind: folder / f"{name}.{kind}" for kind in ("svg", "png", "vl.json", "alt.txt")}
    # Not <name>.csv: a report often publishes a table of the same name (the ranked list
    # behind the chart), and the chart may draw more (a whole series) or less than it.
    paths["csv"] = folder / f"{name}.data.csv"
    paths["png@2x"] = folder / f"{name}@2x.png"
    paths["svg"].write_text(svg, encoding="utf-8")
    paths["png"].write_bytes(png)
    paths["png@2x"].write_bytes(png2)
    table.write_csv(paths["csv"])
    paths["vl.json"].write_text(
        json.dumps(drawn, indent=2, default=str, sort_keys=True) + "\n", encoding="utf-8"
    )
    paths["alt.txt"].write_text(text + "\n", encoding="utf-8")
    return paths


def _text_or_fail(spec: dict[str, Any], alt_text: str | None) -> str:
    text = (alt_text if alt_text is not None else chart_alt_text(spec)).strip()
    if not text:
        msg = (
            "alt_text must describe the chart for screen-reader users (which place, what "
            "change); got an empty text and the chart has no description."
        )
        raise ParameterError(msg)
    return text
