"""The privacy gate every report passes before it is published.

Two rules, checked on the files a render produced:

1. no customer identifier from the input data appears in any text file (notebook, HTML, CSV,
   JSON, SVG, ...) or in any string column of a Parquet file;
2. every table declared customer-based (a ``<name>.table.json`` sidecar written by
   :func:`insights.reports.publish_table`, or any table with a ``customers`` column) has every
   count column at least ``min_customers``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from insights.publish.tables import MIN_CUSTOMERS, SIDECAR_SUFFIX, small_groups

__all__ = ["Violation", "check_privacy"]

_TEXT_SUFFIXES = {".ipynb", ".html", ".htm", ".csv", ".json", ".svg", ".txt", ".md", ".tsv"}
_TOKEN = re.compile(r"[A-Za-z0-9_\-.]+")
_DEFAULT_COUNT_COLUMNS = ("customers",)


@dataclass(frozen=True)
class Violation:
    """One breach of the privacy gate, phrased for the person who has to fix it."""

    file: str
    column: str | None
    detail: str

    def __str__(self) -> str:
        where = f"{self.file}, column {self.column}" if self.column else self.file
        return f"{where}: {self.detail}"


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


def _scan_text(path: Path, rel: str, ids: frozenset[str], simple: bool) -> Iterable[Violation]:
    lines = _id_lines(path.read_text(encoding="utf-8", errors="replace"), ids, simple)
    if lines:
        shown = ", ".join(str(n) for n in lines[:5])
        yield Violation(
            rel,
            None,
            f"customer identifiers from the input data on {len(lines)} line(s) ({shown}); "
            "never print, display or write customer_id values",
        )


def _scan_parquet(path: Path, rel: str, ids: frozenset[str]) -> Iterable[Violation]:
    frame = pl.read_parquet(path)
    id_list = pl.Series(sorted(ids), dtype=pl.String)
    for column, dtype in frame.schema.items():
        if dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum):
            hits = (
                frame.select(pl.col(column).cast(pl.String))
                .with_row_index("row")
                .filter(pl.col(column).is_in(id_list))
            )
            if hits.height:
                yield Violation(
                    rel,
                    column,
                    f"{hits.height} value(s) are customer identifiers (first in row "
                    f"{hits.item(0, 'row')}); aggregate before publishing",
                )


def _declared_tables(root: Path) -> dict[Path, tuple[list[str], int]]:
    declared: dict[Path, tuple[list[str], int]] = {}
    for sidecar in sorted(root.rglob(f"*{SIDECAR_SUFFIX}")):
        meta = json.loads(sidecar.read_text(encoding="utf-8"))
        stem = sidecar.name.removesuffix(SIDECAR_SUFFIX)
        columns = list(meta.get("count_columns", []))
        minimum = int(meta.get("min_customers", MIN_CUSTOMERS))
        for suffix in (".parquet", ".csv"):
            declared[sidecar.with_name(stem + suffix)] = (columns, minimum)
    return declared


def _read_table(path: Path) -> pl.DataFrame:
    if path.suffix == ".parquet":
        return pl.read_parquet(path)
    return pl.read_csv(path, infer_schema_length=None)


def _as_numbers(frame: pl.DataFrame, columns: list[str]) -> tuple[pl.DataFrame, list[str]]:
    """Count columns as numbers: a header-only CSV reads as text, and is an empty table."""
    text = [c for c in columns if frame.schema[c] == pl.String]
    if not text:
        return frame, []
    numbers = frame.with_columns(pl.col(c).cast(pl.Float64, strict=False) for c in text)
    unreadable = [c for c in text if numbers[c].null_count() > frame[c].null_count()]
    return numbers, unreadable


def _check_counts(root: Path, min_customers: int) -> Iterable[Violation]:
    declared = _declared_tables(root)
    tables = sorted(p for p in root.rglob("*") if p.suffix in {".parquet", ".csv"})
    for path in tables:
        rel = path.relative_to(root).as_posix()
        frame = _read_table(path)
        columns, minimum = declared.get(
            path, ([c for c in _DEFAULT_COUNT_COLUMNS if c in frame.columns], min_customers)
        )
        for column in columns:
            if column not in frame.columns:
                yield Violation(rel, column, "declared count column is missing from the table")
        present = [c for c in columns if c in frame.columns]
        frame, unreadable = _as_numbers(frame, present)
        for column in unreadable:
            yield Violation(rel, column, "count column holds values that are not numbers")
        bad = small_groups(frame, count_columns=present, min_customers=max(minimum, min_customers))
        for column, row, count in bad[:5]:
            yield Violation(
                rel,
                column,
                f"row {row} counts {count} customers, below the minimum of "
                f"{max(minimum, min_customers)}; suppress or merge small groups",
            )


def check_privacy(
    root: str | Path,
    /,
    *,
    customer_ids: frozenset[str],
    min_customers: int = MIN_CUSTOMERS,
) -> list[Violation]:
    """Check every file under ``root`` against the privacy rules.

    Parameters
    ----------
    root
        The folder a render wrote (executed notebook, HTML, charts, tables).
    customer_ids
        Identifiers that must not appear, from :func:`insights.reports.data.customer_ids`.
    min_customers
        Smallest customer count allowed in customer-based tables (never below 10).

    Returns
    -------
    list of Violation
        Empty when the render may be published.

    """
    root = Path(root)
    floor = max(min_customers, MIN_CUSTOMERS)
    simple = all(_TOKEN.fullmatch(i) for i in customer_ids)
    violations: list[Violation] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        if path.suffix.lower() in _TEXT_SUFFIXES and customer_ids:
            violations += _scan_text(path, rel, customer_ids, simple)
        elif path.suffix.lower() == ".parquet" and customer_ids:
            violations += _scan_parquet(path, rel, customer_ids)
    violations += _check_counts(root, floor)
    return violations
