"""The passes of a partitioned reduce (private to :mod:`insights.reduce`).

A pass is a run of whole local months and the files that may hold them.

A file's UTC range of ``created_at`` comes from its Parquet footer statistics (else its
``year_month=`` folder, else its rows); :func:`_plan` groups consecutive local months into
passes of at most ``rows_per_pass`` rows, and :func:`_pieces` splits a pass into runs of days.
See :mod:`insights.reduce.partitioned` for why the result is exact.
"""

from __future__ import annotations

import json
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl
import pyarrow.parquet as pq

from insights.data import layout
from insights.errors import ParameterError
from insights.reduce.scan import _scan

__all__: list[str] = []

_TICK = timedelta(microseconds=1)
_MONTH_DIR = layout.MONTH_DIR


def _month_start(year: int, month: int) -> date:
    return date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def _next_month(month: date) -> date:
    return _month_start(month.year, month.month + 1)


def _utc_month_start(month: date) -> datetime:
    return datetime(month.year, month.month, 1, tzinfo=UTC)


def _local_midnight_utc(day: date, zone: ZoneInfo) -> datetime:
    # The first instant of local ``day`` in UTC (fold=0 gives the earliest instant).
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)


def _local_month(instant: datetime, zone: ZoneInfo) -> date:
    local = instant.astimezone(zone)
    return date(local.year, local.month, 1)


@dataclass(frozen=True)
class _Chunk:
    """A run of whole local calendar months: its UTC range and the files that may hold it."""

    month: date  # the first local month
    last: date  # the last local month
    start: datetime
    end: datetime
    files: tuple[Path, ...]
    rows: float  # estimated from the Parquet footers

    @property
    def label(self) -> str:
        first = f"{self.month:%Y-%m}"
        return first if self.last == self.month else f"{first}..{self.last:%Y-%m}"


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        msg = f"tz={tz!r} is not an IANA time zone name; use e.g. 'Europe/London'."
        raise ParameterError(msg) from exc


_UNIT_US = {"milliseconds": 1_000, "microseconds": 1, "nanoseconds": 0.001}


@dataclass(frozen=True)
class _Span:
    """A non-empty file's UTC range ``[first, last]`` of ``created_at`` and its row count."""

    first: datetime
    last: datetime
    rows: int


def _footer_range(meta: pq.FileMetaData) -> tuple[datetime, datetime] | None:
    """Read ``created_at`` min and max from the row-group statistics, if all have them.

    The raw integer statistics are used: asking pyarrow for ``stats.min`` of a timestamp
    imports pandas, a second of start-up in every process that reduces.
    """
    column = meta.schema.names.index("created_at")
    lows, highs = [], []
    for group in range(meta.num_row_groups):
        stats = meta.row_group(group).column(column).statistics
        if stats is None or not stats.has_min_max or stats.physical_type != "INT64":
            return None
        logical = json.loads(stats.logical_type.to_json())
        unit = _UNIT_US.get(logical.get("timeUnit", ""))
        if logical.get("Type") != "Timestamp" or unit is None:
            return None
        lows.append(int(stats.min_raw) * unit)
        highs.append(int(stats.max_raw) * unit)
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    # Rounding nanoseconds outwards keeps the range a superset of the rows' instants.
    first = epoch + timedelta(microseconds=math.floor(min(lows)))
    last = epoch + timedelta(microseconds=math.ceil(max(highs)))
    return first, last


def _file_spans(files: Sequence[Path]) -> dict[Path, _Span]:
    """Find the UTC range of ``created_at`` and the row count of each non-empty file.

    The range comes from the footer statistics when present (so a row filed under the wrong
    month is still found), else from a ``year_month=YYYY-MM`` folder name, else from reading
    the column.
    """
    spans: dict[Path, _Span] = {}
    unknown: list[tuple[Path, int]] = []
    for file in files:
        meta = pq.read_metadata(file)
        if meta.num_rows == 0:
            continue
        found = _footer_range(meta)
        if found is not None:
            spans[file] = _Span(*found, meta.num_rows)
            continue
        matches = [m for part in file.parts[:-1] if (m := _MONTH_DIR.fullmatch(part))]
        if matches:
            month = _month_start(int(matches[-1].group(1)), int(matches[-1].group(2)))
            first, end = _utc_month_start(month), _utc_month_start(_next_month(month))
            spans[file] = _Span(first, end - _TICK, meta.num_rows)
        else:
            unknown.append((file, meta.num_rows))
    for file, rows in unknown:
        created = pl.col("created_at")
        bounds = _scan([file]).select(created.min().alias("lo"), created.max().alias("hi"))
        lo, hi = bounds.collect().row(0)
        if lo is not None:
            spans[file] = _Span(lo, hi, rows)
    return spans


def _rows_within(span: _Span, start: datetime, end: datetime) -> float:
    """Estimate a file's rows in ``[start, end)``, as if spread evenly over its range."""
    if span.last < start or span.first >= end:
        return 0.0
    width = (span.last - span.first).total_seconds()
    if width == 0:
        return float(span.rows)
    inside = (min(span.last, end) - max(span.first, start)).total_seconds()
    return span.rows * max(inside, 0.0) / width


def _months_of(spans: Mapping[Path, _Span], zone: ZoneInfo) -> set[date]:
    """Every local month some file's ``created_at`` range touches."""
    months: set[date] = set()
    for span in spans.values():
        month, last = _local_month(span.first, zone), _local_month(span.last, zone)
        while month <= last:
            months.add(month)
            month = _next_month(month)
    return months


def _plan(
    files: Sequence[Path],
    zone: ZoneInfo,
    rows_per_pass: int | None,
    *,
    spans: dict[Path, _Span] | None = None,
    only: Collection[date] | None = None,
) -> list[_Chunk]:
    """Group the local months covered by the data into passes, each with its files.

    Consecutive months go into one run while their estimated rows (from the Parquet footers)
    total at most ``rows_per_pass``; a month larger than that is a run of its own. ``None``
    gives one run per month. ``only`` restricts the plan to those months (an incremental run);
    months are joined only when consecutive.
    """
    spans = _file_spans(files) if spans is None else spans
    chunks: list[_Chunk] = []
    for month in sorted(_months_of(spans, zone)):
        if only is not None and month not in only:
            continue
        start = _local_midnight_utc(month, zone)
        end = _local_midnight_utc(_next_month(month), zone)
        rows = sum(_rows_within(span, start, end) for span in spans.values())
        overlapping = {f for f, span in spans.items() if span.first < end and start <= span.last}
        if not overlapping:
            continue
        previous = chunks[-1] if chunks else None
        if (
            previous is not None
            and rows_per_pass is not None
            and previous.end == start
            and previous.rows + rows <= rows_per_pass
        ):
            files_ = tuple(sorted(set(previous.files) | overlapping))
            chunks[-1] = _Chunk(
                previous.month, month, previous.start, end, files_, previous.rows + rows
            )
        else:
            chunks.append(_Chunk(month, month, start, end, tuple(sorted(overlapping)), rows))
    return chunks


def _pieces(chunk: _Chunk, zone: ZoneInfo, days: int | None) -> list[_Chunk]:
    """Split a local month into runs of ``days`` local days (all of it when ``days`` is None)."""
    if days is None:
        return [chunk]
    end_day = _next_month(chunk.month)
    firsts = [chunk.month + timedelta(days=d) for d in range(0, (end_day - chunk.month).days, days)]
    bounds = [_local_midnight_utc(day, zone) for day in firsts] + [chunk.end]
    return [
        _Chunk(chunk.month, chunk.last, lo, hi, chunk.files, chunk.rows)
        for lo, hi in pairwise(bounds)
    ]
