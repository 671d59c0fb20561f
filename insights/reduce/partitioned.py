"""The reduce step at scale: whole local months at a time, with memory bounded by a pass.

A year of card data is billions of rows; :mod:`insights.reduce.aggregates` reduces a frame that fits
in memory, or a lazy frame on an engine that does not need it to (DuckDB, Spark). This module
runs the *same* aggregate functions over a folder of hive-partitioned Parquet
(``transactions/year_month=YYYY-MM/part-*.parquet``, partitioned by the **UTC** month of
``created_at``) in **passes** of whole **local** calendar months: consecutive months share a
pass while their rows (counted from the Parquet footers) total at most ``rows_per_pass``
(default 8 million), and a larger month is a pass of its own. Peak memory is set by the pass,
not by the whole data set; small data sets go in one pass, as fast as a single query.

Why the result is exact:

* Every aggregate is keyed by a local day or a local month, and a local day lies inside one
  local month. Each local month is reduced from *all* of its rows and from nothing else, so the
  per-pass results are disjoint and are concatenated, never merged: distinct and repeat
  customers are never added across passes.
* A local month is not a UTC month: in ``Europe/London`` summer, 23:30 UTC on 30 September is
  00:30 on 1 October. Each local month is read from every file whose ``created_at`` range (from
  the Parquet footer statistics; else from its ``year_month=`` folder; else by reading the
  column) overlaps the month's UTC range -- with UTC-month partitions, its own partition and at
  most one neighbour -- and filtered to that range, so the neighbour's edge hour lands in the
  right month. The filter is pushed into the Parquet reader, which skips row groups outside it.

Merchant attributes (name, group, category, city, online) are taken per pass; if a merchant's
attributes change over time each pass carries one of the values seen in it.

Data that are not partitioned by time still give exact results, but every pass then reads
every file whose range overlaps it (for one big unsorted file: the whole file, every pass).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal, get_args

import polars as pl
import pyarrow.parquet as pq

from insights._common import DEFAULT_TZ
from insights.errors import ParameterError
from insights.reduce import aggregates
from insights.reduce._passes import (
    _Chunk,
    _pieces,
    _plan,
    _zone,
)
from insights.reduce.aggregates import to_polars
from insights.reduce.scan import REDUCE_COLUMNS, _check_schemas, _parquet_files, _scan

__all__ = [
    "AGGREGATES",
    "ROWS_PER_PASS",
    "Aggregate",
    "Engine",
    "reduce_partitioned",
    "write_aggregates",
]

Aggregate = Literal[
    "merchant_daily", "merchant_monthly", "category_daily", "group_daily", "active_customers_daily"
]
Engine = Literal["polars", "duckdb"]

#: The aggregate functions of :mod:`insights.reduce.aggregates` that this module runs, by name
#: (each is named after its function).
AGGREGATES: dict[str, Callable[..., Any]] = {
    name: getattr(aggregates, name) for name in get_args(Aggregate)
}
#: Sort keys restoring the order the whole-frame functions give (``None``: unsorted).
_SORT_KEYS: dict[str, list[str] | None] = {
    "merchant_daily": None,
    "merchant_monthly": None,
    "category_daily": ["merchant_category", "merchant_city", "day"],
    "group_daily": ["merchant_group_id", "day"],
    "active_customers_daily": ["day"],
}
_OPTIMIZE = pl.QueryOptFlags(comm_subplan_elim=False)
#: Default ``rows_per_pass``: consecutive local months are reduced in one pass while their rows
#: total at most this (about 1.5 GB peak for ``merchant_daily``; see ``benchmarks/reduce.py``).
ROWS_PER_PASS = 8_000_000


# --- running the aggregates month by month -------------------------------------------------


def _names(aggregates: Sequence[str]) -> list[str]:
    if isinstance(aggregates, str):
        aggregates = [aggregates]
    unknown = [name for name in aggregates if name not in AGGREGATES]
    if unknown or not aggregates:
        msg = (
            f"unknown aggregate(s) {unknown or '(none given)'}; choose from "
            f"{', '.join(AGGREGATES)}."
        )
        raise ParameterError(msg)
    return list(dict.fromkeys(aggregates))


def _duckdb_connection(tz: str) -> Any:
    try:
        import duckdb  # noqa: PLC0415 - optional engine, imported when chosen
    except ImportError as exc:
        msg = "engine='duckdb' needs DuckDB: pip install 'insights[duckdb]'."
        raise ParameterError(msg) from exc
    con = duckdb.connect()
    # The aggregates convert created_at to the session time zone (see insights.reduce.aggregates).
    con.execute(f"SET TimeZone = '{tz}'")
    return con


def _duckdb_chunk(con: Any, chunk: _Chunk) -> Any:
    files = ", ".join(f"'{f.as_posix()}'" for f in chunk.files)
    columns = ", ".join(
        f"CAST({name} AS BIGINT) AS {name}" if name == "amount_minor" else name
        for name in REDUCE_COLUMNS
    )
    return con.sql(
        f"SELECT {columns} FROM read_parquet([{files}], hive_partitioning = false) "
        f"WHERE created_at >= TIMESTAMPTZ '{chunk.start.isoformat()}' "
        f"AND created_at < TIMESTAMPTZ '{chunk.end.isoformat()}'"
    )


def _polars_chunk(chunk: _Chunk) -> pl.LazyFrame:
    created = pl.col("created_at")
    return _scan(chunk.files).filter(created >= chunk.start, created < chunk.end)


def _chunk_frame(chunk: _Chunk, con: Any) -> Any:
    return _polars_chunk(chunk) if con is None else _duckdb_chunk(con, chunk)


def _collect(frame: Any) -> pl.DataFrame:
    if isinstance(frame, pl.LazyFrame):
        return frame.collect(optimizations=_OPTIMIZE)
    return to_polars(frame)


def _reduce_chunks(
    source: str | Path,
    names: list[str],
    *,
    tz: str,
    engine: str,
    progress: bool,
    split_days: int | None = None,
    rows_per_pass: int | None = ROWS_PER_PASS,
) -> Iterator[dict[str, pl.DataFrame]]:
    """Yield the aggregates of each run of local months in turn, as polars DataFrames."""
    if engine not in get_args(Engine):
        msg = f"engine must be one of {', '.join(get_args(Engine))}, got {engine!r}."
        raise ParameterError(msg)
    if split_days is not None and not 1 <= split_days <= 31:
        msg = f"split_days must be a number of days from 1 to 31 (or None), got {split_days!r}."
        raise ParameterError(msg)
    if rows_per_pass is not None and (isinstance(rows_per_pass, bool) or rows_per_pass < 1):
        msg = (
            f"rows_per_pass must be a positive number of rows (or None for one month at a "
            f"time), got {rows_per_pass!r}."
        )
        raise ParameterError(msg)
    zone = _zone(tz)
    files = _parquet_files(source)
    _check_schemas(files)
    # split_days asks for less than a month at a time, so months are never joined then.
    chunks = _plan(files, zone, None if split_days is not None else rows_per_pass)
    con = _duckdb_connection(tz) if engine == "duckdb" else None
    started = time.perf_counter()
    try:
        for number, chunk in enumerate(chunks, start=1):
            # One collect per aggregate, each rescanning the run's files (cheap next to the
            # reduce). Common-subplan elimination would cache the whole month's scan, shared
            # by the reduce and the merchant-attribute lookup: without it the two stream from
            # Parquet, with a lower peak and no more CPU (benchmarks/reduce.py). Daily
            # aggregates may go a few local days at a time (split_days); monthly ones cannot.
            frames = []
            for name in names:
                days = None if name == "merchant_monthly" else split_days
                parts = [
                    _collect(AGGREGATES[name](_chunk_frame(piece, con), tz=tz))
                    for piece in _pieces(chunk, zone, days)
                ]
                frames.append(parts[0] if len(parts) == 1 else pl.concat(parts))
            if progress:
                rows = ", ".join(f"{n} {f.height:,}" for n, f in zip(names, frames, strict=True))
                print(
                    f"reduce {chunk.label} ({number}/{len(chunks)}, {len(chunk.files)} "
                    f"files): {rows} rows; {time.perf_counter() - started:.1f}s",
                    file=sys.stderr,
                    flush=True,
                )
            yield dict(zip(names, frames, strict=True))
    finally:
        if con is not None:
            con.close()


def reduce_partitioned(
    source: str | Path,
    /,
    *,
    aggregate: Aggregate = "merchant_daily",
    tz: str = DEFAULT_TZ,
    engine: Engine = "polars",
    progress: bool = False,
    split_days: int | None = None,
    rows_per_pass: int | None = ROWS_PER_PASS,
) -> pl.DataFrame:
    """Run one aggregate of :mod:`insights.reduce.aggregates` over Parquet, local months at a time.

    The result equals ``aggregate(scan_transactions(source), tz=tz)`` on the whole data set
    (same rows and values; merchant results may come in another row order), while memory holds
    one pass of whole local months (at most ``rows_per_pass`` rows, or one month if a month is
    larger) plus the result. For results too large to hold, use :func:`write_aggregates`,
    which writes each pass as it is done.

    Parameters
    ----------
    source
        A folder of Parquet transactions, ideally hive-partitioned by the UTC month of
        ``created_at`` (``year_month=YYYY-MM/``), or a single Parquet file.
    aggregate
        One of :data:`AGGREGATES`: ``"merchant_daily"``, ``"merchant_monthly"``,
        ``"category_daily"``, ``"group_daily"``, ``"active_customers_daily"``.
    tz
        Time zone whose calendar defines days and months.
    engine
        ``"polars"`` (default) or ``"duckdb"`` (needs the ``duckdb`` extra).
    progress
        Print one line per pass to stderr.
    split_days
        Reduce the daily aggregates this many local days at a time instead of a whole month
        (a lower peak for very large months; results are identical). ``merchant_monthly`` is
        always reduced a whole month at a time. Months are not joined into passes then.
    rows_per_pass
        Join consecutive local months into one pass while their rows, estimated from the
        Parquet footers, total at most this many (default :data:`ROWS_PER_PASS`, 8 million:
        about 1.5 GB peak for ``merchant_daily``). Fewer, larger passes are faster on small
        data; peak memory grows with the pass. ``None``: one month per pass.

    Returns
    -------
    pl.DataFrame
        The columns of the chosen aggregate; ``category_daily``, ``group_daily`` and
        ``active_customers_daily`` sorted as those functions sort; merchant aggregates in
        month order.

    Raises
    ------
    ContractError
        If the files lack a needed column or have the wrong types.
    ParameterError
        If the aggregate, engine or time zone is unknown, or ``split_days`` or
        ``rows_per_pass`` is out of range.

    Examples
    --------
    Customer ``a`` pays at 23:30 UTC on 30 June (00:30 on 1 July in London, stored in the June
    partition) and again on 1 July: one customer, a repeat customer, on 1 July.

    >>> import tempfile
    >>> from datetime import datetime, timezone
    >>> from pathlib import Path
    >>> tx = pl.DataFrame(
    ...     {
    ...         "customer_id": ["a", "a"],
    ...         "created_at": [
    ...             datetime(2025, 6, 30, 23, 30, tzinfo=timezone.utc),
    ...             datetime(2025, 7, 1, 9, 0, tzinfo=timezone.utc),
    ...         ],
    ...         "amount_minor": [500, 700],
    ...         "merchant_id": "m1",
    ...         "merchant_name": "Kettle",
    ...         "merchant_group_id": "g1",
    ...         "merchant_category": "eating_out",
    ...         "merchant_city": "Leeds",
    ...         "is_online": False,
    ...     }
    ... )
    >>> root = Path(tempfile.mkdtemp())
    >>> for i, month in enumerate(["2025-06", "2025-07"]):
    ...     (root / f"year_month={month}").mkdir()
    ...     tx.slice(i, 1).write_parquet(root / f"year_month={month}" / "part-0.parquet")
    >>> daily = reduce_partitioned(root, aggregate="merchant_daily")
    >>> daily.select("day", "payments", "customers", "repeat_customers").rows()
    [(datetime.date(2025, 7, 1), 2, 1, 1)]

    """
    names = _names([aggregate])
    parts = [
        frames[names[0]]
        for frames in _reduce_chunks(
            source,
            names,
            tz=tz,
            engine=engine,
            progress=progress,
            split_days=split_days,
            rows_per_pass=rows_per_pass,
        )
    ]
    result = pl.concat(parts, how="vertical")
    keys = _SORT_KEYS[names[0]]
    return result.sort(keys, nulls_last=False) if keys else result


def write_aggregates(
    source: str | Path,
    out_dir: str | Path,
    /,
    *,
    aggregates: Sequence[str] = tuple(get_args(Aggregate)),
    tz: str = DEFAULT_TZ,
    engine: Engine = "polars",
    progress: bool = False,
    split_days: int | None = None,
    rows_per_pass: int | None = ROWS_PER_PASS,
) -> dict[str, Path]:
    """Reduce Parquet transactions a few months at a time and write each aggregate to Parquet.

    Each pass's results (whole local months, see ``rows_per_pass``) are appended to
    ``out_dir/<aggregate>.parquet`` as soon as they are computed, so memory holds one pass at
    a time however large the data and the results.
    Files are written under a temporary name and renamed when complete.

    Parameters
    ----------
    source
        As in :func:`reduce_partitioned`.
    out_dir
        Folder for the results (created if missing); existing files of the same names are
        replaced.
    aggregates
        Which aggregates to write (default: all five of :data:`AGGREGATES`).
    tz, engine, progress, split_days, rows_per_pass
        As in :func:`reduce_partitioned`.

    Returns
    -------
    dict[str, Path]
        The file written for each aggregate. Rows are in local-month order; within a month as
        the aggregate function returns them.

    """
    names = _names(aggregates)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {name: out / f"{name}.parquet" for name in names}
    partial = {name: out / f".{name}.parquet.partial" for name in names}
    writers: dict[str, Any] = {}

    def write(frames: dict[str, pl.DataFrame]) -> None:
        for name, frame in frames.items():
            # Arrow string views are polars' own layout: no copy of every string. The file
            # stores plain Parquet types only (no Arrow schema), which every reader knows.
            table = frame.to_arrow(compat_level=pl.CompatLevel.newest())
            if name not in writers:
                # Row-group statistics only where they can prune: the passes come in time
                # order, but the string columns (ids, names, cities) are unsorted within a row
                # group, so their min/max span nearly everything and cost a quarter of the write.
                stats = [col for col, dtype in frame.schema.items() if dtype != pl.String]
                writers[name] = pq.ParquetWriter(
                    partial[name], table.schema, write_statistics=stats, store_schema=False
                )
            writers[name].write_table(table)

    # Pass k is written on a thread while pass k+1 is reduced (pyarrow releases the GIL);
    # waiting for it before submitting the next keeps at most two passes in memory.
    pending: Future[None] | None = None
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            chunks = _reduce_chunks(
                source,
                names,
                tz=tz,
                engine=engine,
                progress=progress,
                split_days=split_days,
                rows_per_pass=rows_per_pass,
            )
            for frames in chunks:
                if pending is not None:
                    pending.result()
                pending = pool.submit(write, frames)
            if pending is not None:
                pending.result()
    except BaseException:
        for writer in writers.values():
            writer.close()
        for path in partial.values():
            path.unlink(missing_ok=True)
        raise
    for name, writer in writers.items():
        writer.close()
        partial[name].replace(paths[name])
    return paths
