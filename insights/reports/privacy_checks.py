"""The privacy gate's checks on one table: small counts, revealing columns, shared keys."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import polars as pl

from insights.publish.people import (
    PEOPLE_COUNTS,
    PEOPLE_METRICS,
    POOLED,
    SUPPRESSED,
    looks_like_people,
    revealing_columns,
)
from insights.publish.tables import suppressed_cells
from insights.reports.privacy_violation import Violation

if TYPE_CHECKING:
    from insights.reports.privacy import GateReport

__all__: list[str] = []

_REVEALS = {r for p in PEOPLE_COUNTS.values() for r in p.reveals if r not in PEOPLE_COUNTS}


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
