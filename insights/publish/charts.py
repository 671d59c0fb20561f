"""Publishing charts: SVG, PNG, the data behind them, the Vega-Lite spec and the alt text.

Rendering uses ``vl-convert`` (a bundled Deno/Vega runtime), so no browser is needed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import polars as pl
import vl_convert as vlc

from insights.errors import ParameterError, ReportError

__all__ = ["publish_chart"]

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_PNG_SCALE = 2


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


def publish_chart(
    chart: Any,
    data: pl.DataFrame,
    /,
    *,
    name: str,
    out_dir: str | Path,
    alt_text: str,
) -> dict[str, Path]:
    """Write a chart as ``<name>.svg``, ``.png`` (2× scale), ``.csv``, ``.vl.json``, ``.alt.txt``.

    Parameters
    ----------
    chart
        An altair chart (any kind: single, layered, faceted, ...).
    data
        The table the chart shows, written next to it as CSV so readers can check the figures.
    name
        File stem: letters, digits, ``_``, ``-`` and ``.``, starting with a letter or digit.
    out_dir
        Folder to write to; created if missing. Existing files of the same name are replaced.
    alt_text
        Text description of the chart for screen readers (must not be empty).

    Returns
    -------
    dict[str, Path]
        Paths by kind: ``"svg"``, ``"png"``, ``"csv"``, ``"vl.json"``, ``"alt.txt"``.

    Raises
    ------
    ParameterError
        Bad ``name``, empty ``alt_text`` or a ``data`` that is not a polars DataFrame.
    ReportError
        The chart could not be rendered.

    Examples
    --------
    >>> import tempfile
    >>> import altair as alt, polars as pl
    >>> data = pl.DataFrame({"x": [1, 2], "y": [3, 4]})
    >>> chart = alt.Chart(data).mark_line().encode(x="x:Q", y="y:Q")
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     paths = publish_chart(chart, data, name="demo", out_dir=tmp, alt_text="A line.")
    ...     sorted(p.name for p in paths.values())
    ['demo.alt.txt', 'demo.csv', 'demo.png', 'demo.svg', 'demo.vl.json']

    """
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        msg = (
            f"name must be a plain file stem like 'trending_leeds_2025-09' (letters, digits, "
            f"'_', '-', '.'), got {name!r}."
        )
        raise ParameterError(msg)
    if not isinstance(alt_text, str) or not alt_text.strip():
        msg = "alt_text must describe the chart for screen-reader users; got an empty text."
        raise ParameterError(msg)
    if not isinstance(data, pl.DataFrame):
        msg = f"data must be the polars DataFrame behind the chart, got {type(data).__name__}."
        raise ParameterError(msg)
    spec = _spec(chart)
    try:
        svg = vlc.vegalite_to_svg(spec)
        png = vlc.vegalite_to_png(spec, scale=_PNG_SCALE)
    except Exception as exc:
        msg = f"vl-convert could not render chart {name!r}: {exc}"
        raise ReportError(msg) from exc
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {
        kind: folder / f"{name}.{kind}" for kind in ("svg", "png", "csv", "vl.json", "alt.txt")
    }
    paths["svg"].write_text(svg, encoding="utf-8")
    paths["png"].write_bytes(png)
    data.write_csv(paths["csv"])
    paths["vl.json"].write_text(json.dumps(spec, indent=2, default=str) + "\n", encoding="utf-8")
    paths["alt.txt"].write_text(alt_text.strip() + "\n", encoding="utf-8")
    return paths
