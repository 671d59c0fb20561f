"""Raw data folder in, mart folder out: the one reduce both reports depend on.

:func:`write_marts` (``insights reduce DATA_DIR --out MART_DIR``) reduces
``DATA_DIR/transactions/`` (Parquet, ideally hive-partitioned by UTC month),
``DATA_DIR/contacts.parquet`` and ``DATA_DIR/customers.parquet`` into the marts of
:mod:`insights.reduce.marts`, whole local months at a time with memory bounded by a pass (see
:mod:`insights.reduce.partitioned`), on polars (default) or DuckDB.

**Incremental.** ``MART_DIR/manifest.json`` records, for every local month, a signature of the
transaction files that can hold its rows (path, size and a hash of the Parquet footer, which
holds every row group's offsets, sizes and statistics), and a signature of the contacts and
customers files. A re-run recomputes only the local months whose signature changed (a new day
of data: that month), the contact marts only when the contacts changed, and everything when the
time zone or a mart contract changed. Months that disappeared from the inputs are dropped.

**Crash-safe.** New results go to new files (``<mart>/month=YYYY-MM/part-<run>.parquet``), each
checked against its mart contract before it is written; the manifest is replaced atomically
(write, fsync, rename) only when every file is in place, and files no longer listed are deleted
after that. A crash at any point leaves the previous manifest and every file it lists intact;
the next run removes the orphans.
"""

from __future__ import annotations

import dataclasses
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, get_args

import polars as pl

from insights._common import DEFAULT_TZ, watched
from insights.data import layout
from insights.errors import ParameterError
from insights.reduce._passes import _zone
from insights.reduce._run import _last_day, _Run
from insights.reduce._sources import _inputs
from insights.reduce._store import (
    _collect_garbage,
    _listed,
    _mart_entry,
    _old_manifest,
    _publish,
    _run_id,
    _try_manifest,
    _Writer,
)
from insights.reduce.marts import (
    MART_NAMES,
    mart,
    mart_definitions_hash,
    read_manifest,
    read_mart,
)
from insights.reduce.partitioned import ROWS_PER_PASS, Engine, _duckdb_connection

__all__ = ["ReduceSummary", "reduce_marts", "write_marts"]


@dataclasses.dataclass(frozen=True)
class ReduceSummary:
    """What a :func:`write_marts` run did.

    Attributes
    ----------
    out
        The mart folder.
    recomputed
        For each mart written this run, the local months (``"YYYY-MM"``) recomputed.
    kept
        Number of (mart, month) files carried over unchanged from the previous run.
    dropped
        Number of (mart, month) files dropped (their month left the inputs, or the mart was
        not asked for).
    seconds
        Wall time of the run.

    """

    out: Path
    recomputed: dict[str, list[str]]
    kept: int
    dropped: int
    seconds: float

    def __str__(self) -> str:
        done = {name: months for name, months in self.recomputed.items() if months}
        if not done:
            what = "nothing to recompute: the marts are up to date"
        else:
            months = sorted({m for ms in done.values() for m in ms})
            span = months[0] if len(months) == 1 else f"{months[0]}..{months[-1]}"
            what = f"recomputed {len(months)} local month(s) ({span}) of {len(done)} mart(s)"
        return (
            f"{self.out}: {what}; kept {self.kept}, dropped {self.dropped} month file(s) "
            f"in {self.seconds:.1f}s"
        )


# --- the run --------------------------------------------------------------------------------


def _names(marts: Sequence[str]) -> list[str]:
    if isinstance(marts, str):
        marts = [marts]
    unknown = [n for n in marts if n not in MART_NAMES]
    if unknown or not marts:
        raise ParameterError(
            f"unknown mart(s) {unknown or '(none given)'}; choose from {', '.join(MART_NAMES)}."
        )
    return [n for n in MART_NAMES if n in set(marts)]


def write_marts(
    data: str | Path,
    out: str | Path,
    /,
    *,
    marts: Sequence[str] = MART_NAMES,
    tz: str = DEFAULT_TZ,
    engine: Engine = "polars",
    progress: bool | None = None,
    rows_per_pass: int | None = ROWS_PER_PASS,
    split_days: int | None = None,
    full: bool = False,
) -> ReduceSummary:
    """Reduce a raw data folder into a mart folder, recomputing only what changed.

    Parameters
    ----------
    data
        A folder with ``transactions/`` (Parquet, hive-partitioned by UTC month ideally),
        ``contacts.parquet`` and ``customers.parquet`` (each optional: the marts of a missing
        input are not written); or a folder or file of Parquet transactions alone.
    out
        The mart folder (created if missing). Only ``insights reduce`` should write in it.
    marts
        Which marts to write (default all of :data:`~insights.reduce.marts.MART_NAMES`); the
        manifest lists only these afterwards.
    tz
        Time zone whose calendar defines days and months (changing it recomputes everything).
    engine
        ``"polars"`` (default) or ``"duckdb"`` (needs the ``duckdb`` extra); same marts.
    progress
        Print one line per pass to stderr; ``None``: where someone is watching (a Jupyter
        kernel or a terminal), never in report runs (:func:`insights._common.watched`).
    rows_per_pass, split_days
        Memory bounds of the transaction passes, as in
        :func:`insights.reduce.partitioned.reduce_partitioned`.
    full
        Recompute every month even if its inputs did not change.

    Returns
    -------
    ReduceSummary
        The months recomputed per mart, the files kept and dropped, the wall time.

    Raises
    ------
    ContractError
        An input file is unreadable or lacks a column the reduce needs (named), or a computed
        mart breaks its contract (nothing is published then).
    ParameterError
        An unknown mart, engine or time zone, or no data folder.

    """
    started = time.perf_counter()
    names = _names(marts)
    if engine not in get_args(Engine):
        raise ParameterError(
            f"engine must be one of {', '.join(get_args(Engine))}, got {engine!r}."
        )
    zone = _zone(tz)
    inputs = _inputs(data)
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    definitions = mart_definitions_hash()
    old = None if full else _old_manifest(folder, tz, definitions)
    # Orphans of a crashed run: files the current manifest does not list.
    _collect_garbage(folder, _listed(old if old is not None else _try_manifest(folder)))
    run = _run_id()
    writer = _Writer(folder, run)
    con = _duckdb_connection(tz) if engine == "duckdb" else None
    state = _Run(
        writer=writer,
        old=old,
        zone=zone,
        tz=tz,
        con=con,
        say=_say(progress, started),
        recomputed={name: [] for name in names},
    )
    sources: dict[str, Any] = {}
    try:
        tx_names = [n for n in names if mart(n).source == "transactions"]
        if inputs.transactions is not None and tx_names:
            sources["transactions"] = state.transactions(
                inputs, tx_names, rows_per_pass=rows_per_pass, split_days=split_days
            )
        contact_names = [n for n in names if mart(n).source == "contacts"]
        if inputs.contacts is not None and contact_names:
            sources["contacts"] = state.contacts(inputs.root, inputs.contacts, contact_names)
        if inputs.customers is not None and "accounts_daily" in names:
            end = _last_day(sources, inputs, zone)
            sources["customers"] = state.customers(inputs.root, inputs.customers, end=end)
    finally:
        if con is not None:
            con.close()
    carried, recomputed = state.carried, state.recomputed
    marts_entry: dict[str, Any] = {}
    for name in names:
        months = {**carried.get(name, {}), **writer.entries.get(name, {})}
        if name not in writer.entries and name not in carried:
            continue
        marts_entry[name] = _mart_entry(name, months)
    _publish(
        folder,
        run,
        tz=tz,
        definitions=definitions,
        engine=engine,
        data=str(inputs.root),
        sources=sources,
        marts=marts_entry,
    )
    kept = sum(len(v) for v in carried.values())
    before = {(n, m) for n, info in (old or {}).get("marts", {}).items() for m in info["months"]}
    after = {(n, m) for n, info in marts_entry.items() for m in info["months"]}
    summary = ReduceSummary(
        out=folder,
        recomputed={k: sorted(v) for k, v in recomputed.items()},
        kept=kept,
        dropped=len(before - after),
        seconds=time.perf_counter() - started,
    )
    return summary


def _say(progress: bool | None, started: float) -> Callable[[str], None]:
    progress = watched() if progress is None else progress

    def say(line: str) -> None:
        if progress:
            print(
                f"reduce {line}; {time.perf_counter() - started:.1f}s", file=sys.stderr, flush=True
            )

    return say


def reduce_marts(
    data: str | Path | pl.DataFrame | pl.LazyFrame,
    /,
    *,
    out: str | Path | None = None,
    marts: Sequence[str] = MART_NAMES,
    tz: str = DEFAULT_TZ,
    engine: Engine = "polars",
    progress: bool | None = None,
) -> dict[str, pl.DataFrame]:
    """Reduce raw data to the marts in one call and return them (for exploration in Jupyter).

    The reports read mart folders written by ``insights reduce``; this is the same reduce
    (:func:`write_marts`) followed by :func:`~insights.reduce.marts.read_mart` for each mart.

    Parameters
    ----------
    data
        A raw data folder, as in :func:`write_marts`, or a polars frame of transactions
        (``data_contracts/transactions.yaml``; written to a temporary Parquet file and reduced
        the same way, for the transaction marts).
    out
        Keep the mart folder here (updated incrementally); ``None``: a temporary folder,
        removed afterwards.
    marts, tz, engine, progress
        As in :func:`write_marts`.

    Returns
    -------
    dict[str, pl.DataFrame]
        Each mart written, by name, with exactly its contract's columns and types.

    Examples
    --------
    >>> import tempfile
    >>> from datetime import datetime, timezone
    >>> from pathlib import Path
    >>> folder = Path(tempfile.mkdtemp()) / "transactions"
    >>> folder.mkdir()
    >>> pl.DataFrame(
    ...     {
    ...         "transaction_id": ["t1", "t2"],
    ...         "customer_id": ["a", "a"],
    ...         "created_at": [datetime(2025, 6, 30, 23, 30, tzinfo=timezone.utc)] * 2,
    ...         "amount_minor": [500, 700],
    ...         "currency": "GBP",
    ...         "merchant_id": "m1",
    ...         "merchant_name": "Kettle",
    ...         "merchant_group_id": "g1",
    ...         "merchant_category": "eating_out",
    ...         "merchant_city": "Leeds",
    ...         "is_online": False,
    ...     }
    ... ).write_parquet(folder / "part-0.parquet")
    >>> marts = reduce_marts(folder.parent)
    >>> marts["total_monthly"].rows()  # 00:30 on 1 July in London
    [(datetime.date(2025, 7, 1), 1, 2, 1200)]
    >>> tx = pl.read_parquet(folder / "part-0.parquet")
    >>> reduce_marts(tx)["total_monthly"].equals(marts["total_monthly"])
    True

    """
    names = _names(marts)
    temp = Path(tempfile.mkdtemp(prefix="insights-marts-"))
    folder = Path(out) if out is not None else temp / "marts"
    try:
        source: str | Path
        if isinstance(data, pl.DataFrame | pl.LazyFrame):
            raw = temp / "raw" / layout.TRANSACTIONS_DIR
            raw.mkdir(parents=True)
            frame = data.collect() if isinstance(data, pl.LazyFrame) else data
            frame.write_parquet(raw / "part-0.parquet")
            source = raw.parent
            # Only the transaction marts can come from transactions alone.
            names = [n for n in names if mart(n).source == "transactions"] or names
        else:
            source = data
        write_marts(source, folder, marts=names, tz=tz, engine=engine, progress=progress)
        written = read_manifest(folder)["marts"]
        return {name: read_mart(folder, name) for name in names if name in written}
    finally:
        shutil.rmtree(temp, ignore_errors=True)
