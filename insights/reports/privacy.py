"""The privacy gate every report passes before it is published: default deny.

Every file of the build is checked, whatever wrote it and whatever a notebook declared:

1. **no identifier**: no value shaped like an identifier a data contract declares
   (``classification: restricted``: ``customer_id``, ``transaction_id``, ``contact_id``; see
   :func:`identifier_patterns`) and no customer identifier from the input data in any text
   file (notebook, HTML, CSV, JSON, SVG, ...) or string column of a Parquet file; no machine
   path either;
2. **no small count of people**: every table found — CSV and Parquet files, the data sets
   inside Vega-Lite specs (``.vl.json``), the values SVG charts carry in their ``aria-label``
   text, and every table a notebook cell displays (HTML or text) in ``report.ipynb`` and
   ``report.html`` — is read, and each column :mod:`insights.publish.people` declares a
   people count must hold no value between 1 and ``min_customers - 1``;
3. **nothing recoverable**: in a row where a people count is suppressed (null), the columns
   that reveal it (its rate, share, growth) must be null too; and a row of another table with
   the same keys (e.g. ``unique_id, ds``) as a suppressed row may not publish such a column
   either (the contact-rate chart next to the suppressed history);
4. **nothing undeclared**: a numeric column whose name looks like a count of people but is
   declared neither way fails until it is declared in :mod:`insights.publish.people`.

:func:`gate` returns what it checked (files, tables and their people columns, cells found
suppressed) for the manifest; :func:`check_privacy` returns just the violations.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import polars as pl

from insights.publish.people import (
    PEOPLE_COUNTS,
    PEOPLE_METRICS,
    PEOPLE_WORDS,
    POOLED,
    SUPPRESSED,
    looks_like_people,
    revealing_columns,
)
from insights.publish.tables import MIN_CUSTOMERS, SIDECAR_SUFFIX, suppressed_cells

__all__ = [
    "GateReport",
    "Violation",
    "check_privacy",
    "gate",
    "identifier_patterns",
    "small_counts_in_prose",
]

_TEXT_SUFFIXES = {".ipynb", ".html", ".htm", ".csv", ".json", ".svg", ".txt", ".md", ".tsv"}
_TOKEN = re.compile(r"[A-Za-z0-9_\-.]+")
_ARIA = re.compile(r'aria-label="([^"]*)"')
_NUMBER = re.compile(r"^-?[\d,]*\.?\d+(e-?\d+)?$")
_REVEALS = {r for p in PEOPLE_COUNTS.values() for r in p.reveals if r not in PEOPLE_COUNTS}


@dataclass(frozen=True)
class Violation:
    """One breach of the privacy gate, phrased for the person who has to fix it."""

    file: str
    column: str | None
    detail: str

    def __str__(self) -> str:
        where = f"{self.file}, column {self.column}" if self.column else self.file
        return f"{where}: {self.detail}"


@dataclass
class GateReport:
    """What the gate checked, for the manifest, and what it found."""

    min_customers: int
    files: list[str] = field(default_factory=list)
    tables: dict[str, list[str]] = field(default_factory=dict)
    suppressed_cells: int = 0
    pooled_cells: int = 0
    violations: list[Violation] = field(default_factory=list)
    csv_stems: set[str] = field(default_factory=set, repr=False)

    def summary(self) -> dict[str, Any]:
        """Return the manifest's ``privacy`` record."""
        return {
            "min_customers": self.min_customers,
            "violations": len(self.violations),
            "files_checked": len(self.files),
            "tables_checked": len(self.tables),
            "people_columns": {k: v for k, v in sorted(self.tables.items()) if v},
            "suppressed_cells": self.suppressed_cells,
            "pooled_cells": self.pooled_cells,
            "rules": [
                "no identifier a data contract declares (by the shape of its examples or "
                "its identifierPattern) or from the input data, and no machine path, in any "
                "file",
                f"no people count between 1 and {self.min_customers - 1} in any table, chart "
                "data set, SVG label or displayed notebook table",
                "no value revealing a suppressed count in its row or in a row of another table "
                "with the same keys",
                "every column that looks like a people count is declared",
                f"no alt text (chart descriptions, SVG title and desc, img alt) saying a "
                f"number between 1 and {self.min_customers - 1} next to a people word",
            ],
        }


# --- identifiers ---------------------------------------------------------------------------

_WORD = "A-Za-z0-9_"
_SOURCE_CONTRACTS = ("customers", "transactions", "contacts")


def _shape(example: str) -> str | None:
    """Build a regex for values shaped like ``example``: letters and marks kept, digits free.

    ``"c_000123"`` gives ``c_[0-9]+``; an example without digits gives nothing (its shape
    says too little to search for).
    """
    parts = re.findall(r"[0-9]+|[^0-9]+", example)
    if not any(p.isdigit() for p in parts):
        return None
    return "".join("[0-9]+" if p.isdigit() else re.escape(p) for p in parts)


@functools.cache
def identifier_patterns() -> dict[str, re.Pattern[str]]:
    """Return the identifiers the contracts declare, as regexes no published file may match.

    A column with ``classification: restricted`` in ``data_contracts/<source>.yaml`` is an
    identifier. Its pattern is ``customProperties[identifierPattern]`` when given, and
    otherwise the shape of its ``examples`` (digit runs of any length). A match must stand
    alone (no letter, digit or ``_`` either side).

    Examples
    --------
    >>> patterns = identifier_patterns()
    >>> sorted(patterns)
    ['contact_id', 'customer_id', 'transaction_id']
    >>> bool(patterns["transaction_id"].search("refund of tx_0000000042.")), bool(
    ...     patterns["customer_id"].search("abc_000123"))
    (True, False)

    """
    from insights.data.contracts import load_contract  # noqa: PLC0415 - the contracts' loader

    found: dict[str, list[str]] = {}
    for source in _SOURCE_CONTRACTS:
        for column in load_contract(source).columns:
            if column.classification != "restricted":
                continue
            shapes = (
                [column.identifier_pattern]
                if column.identifier_pattern
                else [_shape(str(e)) for e in column.examples]
            )
            found.setdefault(column.name, []).extend(s for s in shapes if s)
    return {
        name: re.compile(rf"(?<![{_WORD}])(?:{'|'.join(sorted(set(shapes)))})(?![{_WORD}])")
        for name, shapes in sorted(found.items())
        if shapes
    }


def _pattern_lines(text: str) -> dict[str, list[int]]:
    """Map each identifier column to the 1-based numbers of the lines holding its shape."""
    found: dict[str, list[int]] = {}
    for name, pattern in identifier_patterns().items():
        if pattern.search(text):
            lines = [n for n, line in enumerate(text.splitlines(), 1) if pattern.search(line)]
            found[name] = lines
    return found


def _scan_identifiers(text: str, rel: str) -> Iterable[Violation]:
    for name, lines in _pattern_lines(text).items():
        shown = ", ".join(str(n) for n in lines[:5])
        yield Violation(
            rel,
            None,
            f"values shaped like {name} (data contract identifier) on {len(lines)} line(s) "
            f"({shown}); never print, display or write identifiers: aggregate first",
        )


def _id_lines(text: str, ids: frozenset[str], simple: bool) -> list[int]:
    """1-based numbers of the lines holding a customer identifier."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if simple:
            tokens = set(_TOKEN.findall(line))
            # an id may end a sentence ("c_000001.") or be wrapped in punctuation
            hit = bool((tokens | {t.strip(".-_") for t in tokens}) & ids)
        else:
            hit = any(i in line for i in ids)
        if hit:
            found.append(number)
    return found


def _scan_text(text: str, rel: str, ids: frozenset[str], simple: bool) -> Iterable[Violation]:
    lines = _id_lines(text, ids, simple) if ids else []
    if lines:
        shown = ", ".join(str(n) for n in lines[:5])
        yield Violation(
            rel,
            None,
            f"customer identifiers from the input data on {len(lines)} line(s) ({shown}); "
            "never print, display or write customer_id values",
        )


def _scan_paths(text: str, rel: str, machine_paths: Iterable[str]) -> Iterable[Violation]:
    for path in machine_paths:
        if path and path in text:
            yield Violation(
                rel,
                None,
                "holds a machine path (a folder on the computer that rendered it); show data "
                "and output folders by a relative or logical name",
            )
            return


def _scan_parquet(frame: pl.DataFrame, rel: str, ids: frozenset[str]) -> Iterable[Violation]:
    id_list = pl.Series(sorted(ids), dtype=pl.String)
    for column, dtype in frame.schema.items():
        if dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum):
            values = frame.get_column(column).cast(pl.String).drop_nulls().unique()
            for name, lines in _pattern_lines("\n".join(values.to_list())).items():
                yield Violation(
                    rel,
                    column,
                    f"{len(lines)} distinct value(s) are shaped like {name} (data contract "
                    "identifier); aggregate before publishing",
                )
            if not ids:
                continue
            hits = (
                frame.select(pl.col(column).cast(pl.String))
                .with_row_index("row")
                .filter(pl.col(column).is_in(id_list.implode()))
            )
            if hits.height:
                yield Violation(
                    rel,
                    column,
                    f"{hits.height} value(s) are customer identifiers (first in row "
                    f"{hits.item(0, 'row')}); aggregate before publishing",
                )


# --- alt text ------------------------------------------------------------------------------

_NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"), 0
    )
}
_QUALIFIERS = (
    r"new|repeat|regular|distinct|unique|active|open|more|fewer|other|paying|returning|"
    r"different|separate|individual|loyal"
)
_COUNT = rf"(\d[\d,]*(?:\.\d+)?|{'|'.join(_NUMBER_WORDS)})"
_PROSE_COUNTS = (
    # "3 customers", "four new customers", "2 regular people"
    re.compile(
        rf"(?<![\w.,]){_COUNT}\s+(?:(?:{_QUALIFIERS})\s+){{0,2}}({PEOPLE_WORDS})\b",
        flags=re.IGNORECASE,
    ),
    # "customers: 4", "contacts = 7"
    re.compile(rf"\b({PEOPLE_WORDS})\s*[:=]\s*{_COUNT}(?![\w.%])", flags=re.IGNORECASE),
)
_ALT_ELEMENTS = re.compile(r"<(title|desc)\b[^>]*>(.*?)</\1>", flags=re.IGNORECASE | re.DOTALL)
_IMG_ALT = re.compile(r"<img\b[^>]*?\balt=\"([^\"]*)\"", flags=re.IGNORECASE)


def _count_value(text: str) -> float:
    word = text.lower()
    return float(_NUMBER_WORDS[word]) if word in _NUMBER_WORDS else float(text.replace(",", ""))


def small_counts_in_prose(text: str, /, *, floor: int = MIN_CUSTOMERS) -> list[str]:
    """Find the phrases of ``text`` that give a count of 1 to ``floor - 1`` people.

    A number next to a people word: what data-written alt text must never say.

    Examples
    --------
    >>> small_counts_in_prose("Bars for 12 places; the newest has 3 regular customers.")
    ['3 regular customers']
    >>> small_counts_in_prose("customers: 4; over 7 days, 1,200 open accounts; 5% of people")
    ['customers: 4']

    """
    found = []
    for pattern in _PROSE_COUNTS:
        for match in pattern.finditer(text):
            group = 1 if pattern is _PROSE_COUNTS[0] else 2
            before = text[max(match.start(group) - 1, 0) : match.start(group)]
            if text[match.end(group) : match.end(group) + 1] == "%" or before in {"£", "$", "€"}:
                continue
            if 0 < _count_value(match.group(group)) < floor:
                found.append(match.group(0))
    return found


def _alt_texts(path: Path, text: str) -> list[str]:
    """Return the alt text a file carries.

    That is ``.alt.txt``, SVG ``<title>``/``<desc>``, ``<img alt>`` and a Vega-Lite spec's
    ``description``.
    """
    if path.name.endswith(".alt.txt"):
        return [text]
    if path.name.endswith(".vl.json"):
        spec = json.loads(text)
        return [str(spec.get("description", ""))] if isinstance(spec, dict) else []
    if path.suffix in {".svg", ".html", ".htm", ".ipynb"}:
        texts = [m.group(2) for m in _ALT_ELEMENTS.finditer(text)]
        return texts + [m.group(1) for m in _IMG_ALT.finditer(text)]
    return []


def _scan_alt_text(path: Path, text: str, rel: str, floor: int) -> Iterable[Violation]:
    said = [p for alt in _alt_texts(path, text) for p in small_counts_in_prose(alt, floor=floor)]
    if said:
        yield Violation(
            rel,
            None,
            f"alt text gives {len(said)} count(s) of fewer than {floor} people (a number next "
            "to a people word, e.g. '{said[0]}'); leave small counts out of chart descriptions",
        )


# --- tables everywhere ---------------------------------------------------------------------


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


# --- the checks on one table ---------------------------------------------------------------


def _numbers(frame: pl.DataFrame, column: str) -> pl.Series:
    series = frame.get_column(column)
    if series.dtype.is_numeric():
        return series.cast(pl.Float64)
    return series.cast(pl.String).str.replace_all(",", "").cast(pl.Float64, strict=False)


def _small_rows(values: pl.Series, floor: int) -> list[tuple[int, float]]:
    small = ((values > 0) & (values < floor)).fill_null(value=False)
    rows = small.arg_true().to_list()
    return [(int(r), float(values[r])) for r in rows]


def _fmt(value: float) -> str:
    return f"{value:g}"


@dataclass
class _Keys:
    """Rows suppressed in one table, by the text of their key columns, for cross-checks."""

    suppressed: dict[tuple[str, ...], set[tuple[str, ...]]] = field(default_factory=dict)


def _key_columns(frame: pl.DataFrame) -> tuple[str, ...]:
    keys = ("unique_id", "ds", "merchant_id", "month", "day", "weekday", "interval", "metric")
    return tuple(c for c in keys if c in frame.columns)


def _check_table(
    frame: pl.DataFrame,
    where: str,
    *,
    floor: int,
    extra: list[str],
    report: GateReport,
    keys: _Keys,
    kind: str = "file",
) -> Iterator[Violation]:
    """Check one table.

    ``kind`` is ``file`` (a published table or chart data set: every rule), ``display`` (a
    table a cell displayed: its column names may be shortened, so anything that looks like a
    people count is held to the floor, and only exact names are checked for revealing
    values) or ``labels`` (SVG mark labels, named by the chart's titles: the floor, for
    labels that are exactly a declared people count; the data they are drawn from is checked
    in full as the chart's spec and CSV).
    """
    numeric = {c for c in frame.columns if _numbers(frame, c).drop_nulls().len() > 0}
    people = [c for c in frame.columns if c in PEOPLE_COUNTS or c in extra]
    if kind == "display":
        people += [c for c in frame.columns if c not in people and looks_like_people(c)]
    report.tables[where] = people
    if not where.endswith(".parquet") or where.removesuffix(".parquet") not in report.csv_stems:
        report.suppressed_cells += suppressed_cells(frame)
        report.pooled_cells += int(_pooled(frame).sum())
    if where.endswith(".csv"):
        report.csv_stems.add(where.removesuffix(".csv"))
    for column in people:
        bad = _small_rows(_numbers(frame, column), floor)
        for row, value in bad[:3]:
            yield Violation(
                where,
                column,
                f"row {row} counts {_fmt(value)} customers, below the minimum of {floor}; "
                "suppress or merge small groups",
            )
    for key, metrics in PEOPLE_METRICS.items():
        if key in frame.columns:
            rows = frame.get_column(key).cast(pl.String).is_in(sorted(metrics))
            for column in sorted(numeric - {key}):
                values = _numbers(frame, column).filter(rows)
                if _small_rows(values, floor):
                    yield Violation(where, column, f"a {key} row counts fewer than {floor} people")
    if kind == "labels":
        return
    pooled = _pooled(frame)
    for column, revealed in revealing_columns(frame.columns).items():
        # a pooled row's share is its block's average: it reveals nothing of the row
        hidden = frame.get_column(column).is_null() & ~pooled
        for other in revealed:
            leaked = (hidden & frame.get_column(other).is_not_null()).arg_true().to_list()
            if leaked:
                yield Violation(
                    where,
                    other,
                    f"row {leaked[0]} publishes {other} next to a suppressed {column} "
                    f"({len(leaked)} row(s)): it gives the count back; suppress it too",
                )
    if kind != "file":
        return
    for column in frame.columns:
        if column in numeric and column not in people and looks_like_people(column):
            yield Violation(
                where,
                column,
                "looks like a count of people but is not declared; declare it in "
                "insights/publish/people.py (PEOPLE_COUNTS, or NOT_PEOPLE with the reason)",
            )
    yield from _check_keys(frame, where, keys)


def _pooled(frame: pl.DataFrame) -> pl.Series:
    """Rows marked pooled (see :data:`insights.publish.people.POOLED`)."""
    if POOLED not in frame.columns:
        return pl.Series(POOLED, [False] * frame.height, dtype=pl.Boolean)
    values = frame.get_column(POOLED).cast(pl.String).str.to_lowercase()
    return values.is_in(["true", "1"]).fill_null(value=False)


def _check_keys(frame: pl.DataFrame, where: str, keys: _Keys) -> Iterator[Violation]:
    """Record this table's suppressed rows; flag revealing values on rows suppressed elsewhere."""
    columns = _key_columns(frame)
    if not columns:
        return
    text = frame.select(pl.col(c).cast(pl.String) for c in columns)
    if SUPPRESSED in frame.columns:
        marked = frame.get_column(SUPPRESSED).is_not_null()
        rows = set(text.filter(marked).rows())
        keys.suppressed.setdefault(columns, set()).update(rows)
        return
    hidden = keys.suppressed.get(columns)
    if not hidden:
        return
    revealing = [c for c in frame.columns if c in _REVEALS or c in PEOPLE_COUNTS]
    if not revealing:
        return
    hit = pl.Series([row in hidden for row in text.rows()], dtype=pl.Boolean)
    for column in revealing:
        leaked = (hit & frame.get_column(column).is_not_null()).arg_true().to_list()
        if leaked:
            yield Violation(
                where,
                column,
                f"row {leaked[0]} publishes {column} for a {', '.join(columns)} whose count is "
                f"suppressed in another table ({len(leaked)} row(s)); build the chart from the "
                "suppressed table",
            )


# --- files ---------------------------------------------------------------------------------


def _declared_extras(root: Path) -> dict[Path, list[str]]:
    extras: dict[Path, list[str]] = {}
    for sidecar in sorted(root.rglob(f"*{SIDECAR_SUFFIX}")):
        meta = json.loads(sidecar.read_text(encoding="utf-8"))
        stem = sidecar.name.removesuffix(SIDECAR_SUFFIX)
        for suffix in (".parquet", ".csv"):
            extras[sidecar.with_name(stem + suffix)] = list(meta.get("count_columns", []))
    return extras


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


def _order(path: Path) -> tuple[int, int, str]:
    """Tables with a ``suppressed`` marker first, so cross-table checks know their rows."""
    first = path.suffix == ".parquet" or _has_marker(path)
    return (0 if first else 1, 0 if path.suffix == ".csv" else 1, path.as_posix())


def gate(
    root: str | Path,
    /,
    *,
    customer_ids: frozenset[str],
    min_customers: int = MIN_CUSTOMERS,
    machine_paths: Iterable[str] = (),
    only: Iterable[str] | None = None,
) -> GateReport:
    """Check every file under ``root`` against the privacy rules; say what was checked.

    Parameters
    ----------
    root
        The folder a render wrote (executed notebook, HTML, charts, tables).
    customer_ids
        Identifiers that must not appear, from :func:`insights.reports.data.customer_ids`.
    min_customers
        Smallest people count allowed (never below 10).
    machine_paths
        Absolute paths of this machine (build folder, data folder, project) that must not
        appear in any file.
    only
        Check only these files (relative to ``root``), e.g. the manifest written after the
        gate ran on everything else.

    Returns
    -------
    GateReport
        ``violations`` empty when the render may be published.

    """
    root = Path(root)
    floor = max(min_customers, MIN_CUSTOMERS)
    simple = all(_TOKEN.fullmatch(i) for i in customer_ids)
    report = GateReport(min_customers=floor)
    extras = _declared_extras(root)
    keys = _Keys()
    wanted = None if only is None else set(only)
    for path in sorted((p for p in root.rglob("*") if p.is_file()), key=_order):
        if wanted is not None and path.relative_to(root).as_posix() not in wanted:
            continue
        rel = path.relative_to(root).as_posix()
        report.files.append(rel)
        text = None
        if path.suffix.lower() in _TEXT_SUFFIXES:
            text = _with_embedded_svgs(path.read_text(encoding="utf-8", errors="replace"))
            if _UNREADABLE in text:  # default deny: what the gate cannot read is not published
                report.violations.append(
                    Violation(rel, None, "an embedded SVG image is not valid base64 UTF-8")
                )
            report.violations += _scan_text(text, rel, customer_ids, simple)
            report.violations += _scan_identifiers(text, rel)
            report.violations += _scan_alt_text(path, text, rel, floor)
            report.violations += _scan_paths(text, rel, machine_paths)
        if path.suffix.lower() == ".parquet":
            report.violations += _scan_parquet(pl.read_parquet(path), rel, customer_ids)
        for part, frame, kind in _tables_of(path, text):
            if frame.width == 0:
                continue
            where = f"{rel} {part}".strip()
            report.violations += _check_table(
                frame,
                where,
                floor=floor,
                extra=extras.get(path, []),
                report=report,
                keys=keys,
                kind=kind,
            )
    return report


_UNREADABLE = "<!-- an embedded SVG the privacy gate cannot decode -->"
_EMBEDDED_SVG = re.compile(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)")


def _with_embedded_svgs(text: str) -> str:
    """``text`` followed by every SVG it embeds as a base64 ``data:`` URL, decoded.

    The report page carries its charts (the column and the phone drawings) as
    ``<img src="data:image/svg+xml;base64,...">``: a reader's browser decodes them, so the
    gate reads their labels, titles and descriptions too.
    """
    decoded = []
    for match in _EMBEDDED_SVG.finditer(text):
        try:
            decoded.append(base64.b64decode(match.group(1), validate=True).decode("utf-8"))
        except (binascii.Error, UnicodeDecodeError):
            decoded.append(_UNREADABLE)
    return "\n".join([text, *decoded])


def _has_marker(path: Path) -> bool:
    if path.suffix != ".csv":
        return False
    with path.open(encoding="utf-8") as handle:
        return SUPPRESSED in handle.readline().strip().split(",")


def check_privacy(
    root: str | Path,
    /,
    *,
    customer_ids: frozenset[str],
    min_customers: int = MIN_CUSTOMERS,
    machine_paths: Iterable[str] = (),
    only: Iterable[str] | None = None,
) -> list[Violation]:
    """Check every file under ``root`` against the privacy rules (see :func:`gate`).

    Returns
    -------
    list of Violation
        Empty when the render may be published.

    """
    return gate(
        root,
        customer_ids=customer_ids,
        min_customers=min_customers,
        machine_paths=machine_paths,
        only=only,
    ).violations
