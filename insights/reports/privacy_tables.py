"""The tables the privacy gate finds in published files.

HTML and text tables, SVG labels, Vega-Lite data sets, notebook outputs, CSV and Parquet.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import polars as pl

__all__: list[str] = []

_ARIA = re.compile(r'aria-label="([^"]*)"')
_NUMBER = re.compile(r"^-?[\d,]*\.?\d+(e-?\d+)?$")


class _Tables(HTMLParser):
    """Every ``<table>`` of an HTML text as header names and rows of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[tuple[list[str], list[list[str]]]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._header = False
        self._in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append(([], []))
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr":
            self._row, self._header = [], False
        elif tag in {"td", "th"} and self._row is not None:
            self._cell = []
            self._header |= tag == "th"

    def handle_endtag(self, tag: str) -> None:
        if tag in {"td", "th"} and self._row is not None and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "thead":
            self._in_head = False
        elif tag == "tr" and self._row is not None and self.tables:
            head, rows = self.tables[-1]
            if self._header and not head:
                head.extend(self._row)
            elif not self._header and not self._in_head and head:
                rows.append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _number(text: str) -> float | None:
    cleaned = text.replace(",", "").replace("\u2009", "").strip()
    return float(cleaned) if _NUMBER.match(cleaned) else None


def _frame_of_text(head: list[str], rows: list[list[str]]) -> pl.DataFrame:
    """Read a table from text: numeric-looking columns as numbers, the rest as text."""
    names = [h.strip().strip('"') or f"column_{i}" for i, h in enumerate(head)]
    width = len(names)
    cells = [(r + [""] * width)[:width] for r in rows]
    columns: dict[str, Any] = {}
    for i, name in enumerate(dict.fromkeys(names)):
        texts = [row[i] for row in cells]
        numbers = [_number(t) for t in texts]
        blank = {"", "–", "-", "null", "None", "nan", "suppressed"}
        if all(n is not None or t.strip() in blank for n, t in zip(numbers, texts, strict=True)):
            columns[name] = pl.Series(name, numbers, dtype=pl.Float64)
        else:
            columns[name] = pl.Series(name, texts, dtype=pl.String)
    return pl.DataFrame(columns) if columns else pl.DataFrame()


def _html_tables(text: str) -> list[pl.DataFrame]:
    parser = _Tables()
    parser.feed(text)
    return [_frame_of_text(head, rows) for head, rows in parser.tables if head]


def _box_tables(text: str) -> list[pl.DataFrame]:
    """Tables printed by polars as text (``│ a ┆ b │`` lines)."""
    found: list[pl.DataFrame] = []
    head: list[str] = []
    rows: list[list[str]] = []
    in_body = False
    for line in [*text.splitlines(), ""]:
        stripped = line.strip()
        if stripped.startswith("│") and not in_body and not head:
            head = [c.strip() for c in stripped.strip("│").split("┆")]
        elif stripped.startswith("╞"):
            in_body = True
        elif stripped.startswith("│") and in_body:
            cells = [c.strip() for c in stripped.strip("│").split("┆")]
            if not all(c in {"…", ""} for c in cells):
                rows.append(cells)
        elif head and not stripped.startswith("│"):
            if in_body:
                found.append(_frame_of_text(head, rows))
            head, rows, in_body = [], [], False
    return found


def _svg_records(text: str) -> pl.DataFrame:
    """Collect the ``field: value`` pairs SVG marks carry in ``aria-label`` as one table."""
    records = []
    for label in _ARIA.findall(text):
        pairs = [p.split(": ", 1) for p in label.split("; ") if ": " in p]
        if pairs:
            records.append({k.strip().lower().replace(" ", "_"): v for k, v in pairs})
    if not records:
        return pl.DataFrame()
    names = list(dict.fromkeys(k for r in records for k in r))
    return _frame_of_text(names, [[r.get(n, "") for n in names] for r in records])


def _spec_tables(spec: Any) -> Iterator[tuple[str, pl.DataFrame]]:
    """Yield the inline data sets of a Vega-Lite spec."""
    if isinstance(spec, list):
        for item in spec:
            yield from _spec_tables(item)
        return
    if not isinstance(spec, dict):
        return
    for key, value in spec.items():
        if key == "datasets" and isinstance(value, dict):
            for name, rows in value.items():
                if isinstance(rows, list) and rows and isinstance(rows[0], dict):
                    yield f"data set {name}", pl.DataFrame(rows, infer_schema_length=None)
        elif key == "data" and isinstance(value, dict) and isinstance(value.get("values"), list):
            rows = value["values"]
            if rows and isinstance(rows[0], dict):
                yield "inline data", pl.DataFrame(rows, infer_schema_length=None)
        else:
            yield from _spec_tables(value)


def _read_table(path: Path) -> pl.DataFrame:
    if path.suffix == ".parquet":
        return pl.read_parquet(path)
    return pl.read_csv(path, infer_schema_length=None)


def _cell_name(cell: dict[str, Any], number: int) -> str:
    source = cell.get("source", "")
    text = "".join(source) if isinstance(source, list) else source
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return f"cell {number} (`{first[:60]}`)"


def _notebook_tables(text: str) -> Iterator[tuple[str, pl.DataFrame, str]]:
    nb = json.loads(text)
    number = -1
    for cell in nb.get("cells", []):
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            continue
        number += 1
        name = _cell_name(cell, number)
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            html = data.get("text/html")
            plain = data.get("text/plain") or output.get("text")
            svg = data.get("image/svg+xml")
            # the HTML of a displayed table has its full column names; text is a fallback
            value, read = (html, _html_tables) if html else (plain, _box_tables)
            if value:
                body = "".join(value) if isinstance(value, list) else str(value)
                for i, table in enumerate(read(body)):
                    yield f"{name} table {i + 1}", table, "display"
            if svg:
                body = "".join(svg) if isinstance(svg, list) else str(svg)
                yield f"{name} chart", _svg_records(body), "labels"


def _tables_of(path: Path, text: str | None) -> Iterator[tuple[str, pl.DataFrame, str]]:
    """Every table in a file: its name, the table, and its kind (see :func:`_check_table`)."""
    suffix = "".join(path.suffixes[-2:]) if path.name.endswith(".vl.json") else path.suffix
    if suffix in {".csv", ".parquet"}:
        yield "", _read_table(path), "file"
    elif suffix == ".vl.json" and text is not None:
        for name, table in _spec_tables(json.loads(text)):
            yield name, table, "file"
    elif suffix == ".svg" and text is not None:
        yield "labels", _svg_records(text), "labels"
    elif suffix == ".ipynb" and text is not None:
        yield from _notebook_tables(text)
    elif suffix in {".html", ".htm"} and text is not None:
        for i, table in enumerate(_html_tables(text)):
            yield f"table {i + 1}", table, "display"
        yield "chart labels", _svg_records(text), "labels"
