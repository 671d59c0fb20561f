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
import hashlib
import json
import os
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, get_args
from zoneinfo import ZoneInfo

import polars as pl

from insights._common import DEFAULT_TZ
from insights.data import layout
from insights.data.io import check_files
from insights.errors import ContractError, ParameterError
from insights.reduce.aggregates import (
    active_customers_daily,
    category_daily,
    city_monthly,
    group_daily,
    merchant_monthly,
    to_polars,
    total_monthly,
)
from insights.reduce.contacts import (
    accounts_daily,
    channel_daily,
    contact_intervals,
    contacts_daily,
)
from insights.reduce.marts import (
    MANIFEST,
    MANIFEST_FORMAT,
    MART_NAMES,
    check_mart,
    mart,
    mart_definitions_hash,
    read_manifest,
    read_mart,
)
from insights.reduce.partitioned import (
    REDUCE_COLUMNS,
    ROWS_PER_PASS,
    Engine,
    _Chunk,
    _collect,
    _duckdb_connection,
    _file_spans,
    _local_midnight_utc,
    _local_month,
    _next_month,
    _parquet_files,
    _pieces,
    _plan,
    _Span,
    _zone,
)

__all__ = ["ReduceSummary", "reduce_marts", "write_marts"]

#: The engine-agnostic functions computing each transaction mart from a pass of transactions.
_TX_MARTS: dict[str, Callable[..., Any]] = {
    "merchant_monthly": merchant_monthly,
    "category_daily": category_daily,
    "group_daily": group_daily,
    "city_monthly": city_monthly,
    "total_monthly": total_monthly,
    "active_customers_daily": active_customers_daily,
}
_CONTACT_MARTS: dict[str, Callable[..., Any]] = {
    "contacts_daily": contacts_daily,
    "channel_daily": channel_daily,
    "contact_intervals": contact_intervals,
}
_CONTACT_COLUMNS = ("customer_id", "created_at", "channel", "tag", "handle_time_seconds")
_CUSTOMER_COLUMNS = ("opened_at", "closed_at")
_FOOTER_TAIL = 8


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


# --- inputs and their signatures ------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Inputs:
    root: Path
    transactions: Path | None
    contacts: Path | None
    customers: Path | None


def _inputs(data: str | Path) -> _Inputs:
    root = Path(data)
    if not root.exists():
        raise ParameterError(
            f"{root}: no such data folder; point at a folder holding transactions/ (Parquet), "
            "contacts.parquet and customers.parquet."
        )
    tx = layout.transactions_dir(root)
    contacts, customers = layout.contacts_path(root), layout.customers_path(root)
    if tx.exists() or contacts.exists() or customers.exists():
        return _Inputs(
            root,
            tx if tx.exists() else None,
            contacts if contacts.exists() else None,
            customers if customers.exists() else None,
        )
    # A bare folder (or file) of Parquet transactions, as `insights reduce` always accepted.
    return _Inputs(root, root, None, None)


def _footer_hash(path: Path) -> str:
    """Hash a Parquet file's footer: row groups, offsets, sizes and statistics, not the rows."""
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            if size < 12:
                raise ValueError("shorter than a Parquet header and footer")
            handle.seek(size - _FOOTER_TAIL)
            tail = handle.read(_FOOTER_TAIL)
            length = int.from_bytes(tail[:4], "little")
            if tail[4:] != b"PAR1" or length + _FOOTER_TAIL + 4 > size:
                raise ValueError("no Parquet footer at the end (truncated or not Parquet)")
            handle.seek(size - _FOOTER_TAIL - length)
            footer = handle.read(length)
    except (OSError, ValueError) as exc:
        raise ContractError(
            f"{path}: not readable as Parquet ({exc}); re-export the file or remove it."
        ) from exc
    return hashlib.sha256(footer + str(size).encode()).hexdigest()


def _file_entry(path: Path, root: Path) -> tuple[str, dict[str, Any]]:
    rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix()
    return rel, {"bytes": path.stat().st_size, "footer": _footer_hash(path)}


def _signature(parts: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _month_key(month: date) -> str:
    return f"{month:%Y-%m}"


_CONTACT_TYPES: dict[str, pl.DataType] = {
    "customer_id": pl.String(),
    "created_at": pl.Datetime("us", "UTC"),
    "channel": pl.String(),
    "tag": pl.String(),
    "handle_time_seconds": pl.Int64(),
}
_CUSTOMER_TYPES: dict[str, pl.DataType] = {
    "opened_at": pl.Datetime("us", "UTC"),
    "closed_at": pl.Datetime("us", "UTC"),
}


def _local_day(instant: datetime, zone: ZoneInfo) -> date:
    return instant.astimezone(zone).date()


# --- engines --------------------------------------------------------------------------------


def _scan_table(con: Any, files: Sequence[Path], columns: Mapping[str, pl.DataType]) -> Any:
    """Scan ``files`` with the given columns (integers widened to Int64) on polars or DuckDB."""
    if con is None:
        frame = pl.scan_parquet(
            [str(f) for f in files],
            hive_partitioning=False,
            cast_options=pl.ScanCastOptions(integer_cast="upcast"),
        )
        return frame.select(
            pl.col(c).cast(t)
            if t == pl.Int64
            else pl.col(c).dt.convert_time_zone("UTC")
            if isinstance(t, pl.Datetime)
            else pl.col(c)
            for c, t in columns.items()
        )
    listed = ", ".join(f"'{f.as_posix()}'" for f in files)
    cols = ", ".join(
        f"CAST({c} AS BIGINT) AS {c}" if t == pl.Int64 else c for c, t in columns.items()
    )
    return con.sql(f"SELECT {cols} FROM read_parquet([{listed}], hive_partitioning = false)")


def _tx_piece(con: Any, chunk: _Chunk, currency: str) -> Any:
    """Scan a pass's transactions in ``currency`` (amounts in others cannot be added up)."""
    if con is None:
        created = pl.col("created_at")
        frame = pl.scan_parquet(
            [str(f) for f in chunk.files],
            hive_partitioning=False,
            cast_options=pl.ScanCastOptions(integer_cast="upcast"),
        )
        return (
            frame.filter(pl.col("currency") == currency)
            .select(
                pl.col(name).cast(dtype) if name in ("amount_minor", "created_at") else pl.col(name)
                for name, dtype in REDUCE_COLUMNS.items()
            )
            .filter(created >= chunk.start, created < chunk.end)
        )
    files = ", ".join(f"'{f.as_posix()}'" for f in chunk.files)
    columns = ", ".join(
        f"CAST({name} AS BIGINT) AS {name}" if name == "amount_minor" else name
        for name in REDUCE_COLUMNS
    )
    code = currency.replace("'", "''")
    return con.sql(
        f"SELECT {columns} FROM read_parquet([{files}], hive_partitioning = false) "
        f"WHERE created_at >= TIMESTAMPTZ '{chunk.start.isoformat()}' "
        f"AND created_at < TIMESTAMPTZ '{chunk.end.isoformat()}' AND currency = '{code}'"
    )


def _currencies(path: Path) -> dict[str, int]:
    """Rows per currency in one transactions file."""
    try:
        counts = pl.scan_parquet(path).group_by("currency").agg(pl.len()).collect()
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise ContractError(
            f"{path}: cannot read its currency column ({exc}); the transactions contract "
            "requires one (data_contracts/transactions.yaml)."
        ) from exc
    return {str(code): int(n) for code, n in counts.rows()}


# --- writing --------------------------------------------------------------------------------


def _month_of(frame: pl.DataFrame, period: str) -> pl.Expr:
    column = pl.col(period)
    return column.dt.truncate("1mo") if period == "day" else column


def _split_months(frame: pl.DataFrame, period: str) -> dict[date, pl.DataFrame]:
    if frame.is_empty():
        return {}
    keyed = frame.with_columns(_month_of(frame, period).alias("__month"))
    parts = keyed.partition_by("__month", as_dict=True, maintain_order=True)
    return {key[0]: part.drop("__month") for key, part in parts.items()}  # type: ignore[misc]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


class _Writer:
    """Writes checked month files of a run under fresh names and records them."""

    def __init__(self, out: Path, run: str) -> None:
        self.out = out
        self.run = run
        self.entries: dict[str, dict[str, dict[str, Any]]] = {}

    def write(self, name: str, month: date, frame: pl.DataFrame | None) -> None:
        m = mart(name)
        key = _month_key(month)
        if frame is None or frame.is_empty():
            self.entries.setdefault(name, {})[key] = {"path": None, "rows": 0}
            return
        ordered = frame.select(m.columns).sort(list(m.keys), nulls_last=False)
        rel = f"{name}/month={key}/part-{self.run}.parquet"
        check_mart(ordered, name, source=f"{self.out / rel} (being written)")
        path = self.out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        ordered.write_parquet(path, statistics=True)
        self.entries.setdefault(name, {})[key] = {
            "path": rel,
            "rows": ordered.height,
            "bytes": path.stat().st_size,
            "sha256": _sha256(path),
        }


def _write_manifest(out: Path, manifest: Mapping[str, Any], run: str) -> None:
    temp = out / f".{MANIFEST}.{run}.tmp"
    with temp.open("w") as handle:
        json.dump(manifest, handle, indent=1, sort_keys=True, default=str)
        handle.flush()
        os.fsync(handle.fileno())
    temp.replace(out / MANIFEST)
    if hasattr(os, "O_DIRECTORY"):
        fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _listed(manifest: Mapping[str, Any] | None) -> set[str]:
    if not manifest:
        return set()
    return {
        entry["path"]
        for info in manifest.get("marts", {}).values()
        for entry in info.get("months", {}).values()
        if entry.get("path")
    }


def _collect_garbage(out: Path, keep: set[str]) -> None:
    """Delete mart files and temporary manifests not listed in the current manifest."""
    for name in MART_NAMES:
        folder = out / name
        if not folder.is_dir():
            continue
        for path in folder.glob("month=*/part-*.parquet"):
            if path.relative_to(out).as_posix() not in keep:
                path.unlink(missing_ok=True)
        for month_dir in folder.glob("month=*"):
            if month_dir.is_dir() and not any(month_dir.iterdir()):
                month_dir.rmdir()
        if not any(folder.iterdir()):
            folder.rmdir()
    for temp in out.glob(f".{MANIFEST}.*.tmp"):
        temp.unlink(missing_ok=True)


def _old_manifest(out: Path, tz: str, definitions: str) -> dict[str, Any] | None:
    """Return the previous manifest if its months can be reused (same format, tz, definitions)."""
    if not (out / MANIFEST).is_file():
        return None
    try:
        old = read_manifest(out)
    except (ContractError, ParameterError):
        return None
    if old.get("tz") != tz or old.get("definitions") != definitions:
        return None
    return old


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
    progress: bool = False,
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
        Print one line per pass to stderr.
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
    run = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"
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
            sources["contacts"] = state.whole(inputs.root, inputs.contacts, contact_names)
        if inputs.customers is not None and "accounts_daily" in names:
            end = _last_day(sources, inputs, zone)
            sources["customers"] = state.whole(
                inputs.root, inputs.customers, ["accounts_daily"], end=end
            )
    finally:
        if con is not None:
            con.close()
    carried, recomputed = state.carried, state.recomputed
    marts_entry: dict[str, Any] = {}
    for name in names:
        months = {**carried.get(name, {}), **writer.entries.get(name, {})}
        if name not in writer.entries and name not in carried:
            continue
        marts_entry[name] = {
            "version": mart(name).contract.version,
            "source": mart(name).source,
            "rows": sum(int(e.get("rows", 0)) for e in months.values()),
            "months": dict(sorted(months.items())),
        }
    listing = sorted(
        f"{entry['path']} {entry['sha256']}"
        for info in marts_entry.values()
        for entry in info["months"].values()
        if entry.get("path")
    )
    manifest = {
        "format": MANIFEST_FORMAT,
        "tz": tz,
        "definitions": definitions,
        "engine": engine,
        "data": str(inputs.root),
        "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "run": run,
        "sources": sources,
        "marts": marts_entry,
        "fingerprint": _signature(listing),
    }
    _write_manifest(folder, manifest, run)
    _collect_garbage(folder, _listed(manifest))
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


def _try_manifest(folder: Path) -> dict[str, Any] | None:
    try:
        return read_manifest(folder) if (folder / MANIFEST).is_file() else None
    except (ContractError, ParameterError):
        return None


def _say(progress: bool, started: float) -> Callable[[str], None]:
    def say(line: str) -> None:
        if progress:
            print(
                f"reduce {line}; {time.perf_counter() - started:.1f}s", file=sys.stderr, flush=True
            )

    return say


def _last_day(sources: Mapping[str, Any], inputs: _Inputs, zone: ZoneInfo) -> date | None:
    """Return the last local day any input has data for (the end of ``accounts_daily``)."""
    days = [
        date.fromisoformat(sources[name]["last_day"])
        for name in ("transactions", "contacts")
        if sources.get(name, {}).get("last_day") is not None
    ]
    for name, path in (("transactions", inputs.transactions), ("contacts", inputs.contacts)):
        if path is not None and name not in sources:
            spans = _file_spans(_parquet_files(path)).values()
            days += [_local_day(span.last, zone) for span in spans]
    if inputs.customers is not None:
        files = _parquet_files(inputs.customers)
        latest = (
            pl.scan_parquet([str(f) for f in files])
            .select(pl.max_horizontal(pl.col("opened_at").max(), pl.col("closed_at").max()))
            .collect()
            .item()
        )
        if latest is not None:
            days.append(_local_day(latest, zone))
    return max(days) if days else None


@dataclasses.dataclass
class _Run:
    """The state of one :func:`write_marts` run: what is written, carried and recomputed."""

    writer: _Writer
    old: Mapping[str, Any] | None
    zone: ZoneInfo
    tz: str
    con: Any
    say: Callable[[str], None]
    recomputed: dict[str, list[str]]
    carried: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)

    def transactions(
        self,
        inputs: _Inputs,
        names: list[str],
        *,
        rows_per_pass: int | None,
        split_days: int | None,
    ) -> dict[str, Any]:
        """Recompute the transaction marts of the local months whose files changed."""
        writer, old, carried, recomputed = self.writer, self.old, self.carried, self.recomputed
        zone, tz, con, say = self.zone, self.tz, self.con, self.say
        assert inputs.transactions is not None
        files = _parquet_files(inputs.transactions)
        check_files(files, contract="transactions")
        entries = dict(_file_entry(f, inputs.root) for f in files)
        spans = _file_spans(files)
        rel = {
            f: f.relative_to(inputs.root).as_posix()
            if f.is_relative_to(inputs.root)
            else f.as_posix()
            for f in files
        }
        # Rows per currency, per file (kept from the last run for unchanged files): the
        # report's currency is the most common one; amounts in others are left out.
        old_files = (old or {}).get("sources", {}).get("transactions", {}).get("files", {})
        totals: dict[str, int] = {}
        for f in files:
            entry, before = entries[rel[f]], old_files.get(rel[f], {})
            same = (before.get("bytes"), before.get("footer")) == (entry["bytes"], entry["footer"])
            entry["currencies"] = (
                before["currencies"] if same and "currencies" in before else (_currencies(f))
            )
            for code, n in entry["currencies"].items():
                totals[code] = totals.get(code, 0) + n
        currency = min(totals, key=lambda c: (-totals[c], c)) if totals else "GBP"
        months: dict[date, str] = {}
        for month in sorted(_months_of(spans, zone)):
            start = _local_midnight_utc(month, zone)
            end = _local_midnight_utc(_next_month(month), zone)
            overlapping = sorted(
                rel[f] for f, span in spans.items() if span.first < end and start <= span.last
            )
            parts = [f"{p} {entries[p]['bytes']} {entries[p]['footer']}" for p in overlapping]
            months[month] = _signature([tz, currency, *parts])
        old_months = (old or {}).get("sources", {}).get("transactions", {}).get("months", {})
        old_marts = (old or {}).get("marts", {})
        stale: dict[date, list[str]] = {}
        for month, signature in months.items():
            key = _month_key(month)
            missing = [n for n in names if key not in old_marts.get(n, {}).get("months", {})]
            if old_months.get(key) != signature:
                stale[month] = list(names)
            elif missing:
                stale[month] = missing
            for name in names:
                if name not in stale.get(month, []):
                    carried.setdefault(name, {})[key] = old_marts[name]["months"][key]
        chunks = _plan(
            files,
            zone,
            None if split_days is not None else rows_per_pass,
            spans=spans,
            only=set(stale),
        )
        for number, chunk in enumerate(chunks, start=1):
            wanted = [n for n in names if any(n in stale.get(m, []) for m in _chunk_months(chunk))]
            for name in wanted:
                days = None if mart(name).period == "month" else split_days
                frames = [
                    _collect(_TX_MARTS[name](_tx_piece(con, piece, currency), tz=tz))
                    for piece in _pieces(chunk, zone, days)
                ]
                frame = frames[0] if len(frames) == 1 else pl.concat(frames)
                by_month = _split_months(frame, mart(name).period)
                for month in _chunk_months(chunk):
                    if name in stale.get(month, []):
                        writer.write(name, month, by_month.get(month))
                        recomputed[name].append(_month_key(month))
            say(f"transactions {chunk.label} ({number}/{len(chunks)}, {len(chunk.files)} files)")
        first = min((s.first for s in spans.values()), default=None)
        last = max((s.last for s in spans.values()), default=None)
        return {
            "files": entries,
            "currency": currency,
            "currencies": dict(sorted(totals.items(), key=lambda item: (-item[1], item[0]))),
            "months": {_month_key(m): s for m, s in sorted(months.items())},
            "first_day": None if first is None else _local_day(first, zone).isoformat(),
            "last_day": None if last is None else _local_day(last, zone).isoformat(),
        }

    def whole(
        self, root: Path, path: Path, names: list[str], *, end: date | None = None
    ) -> dict[str, Any]:
        """Reduce a single-table input (contacts, customers): all of it whenever it changed."""
        writer, old, carried, recomputed = self.writer, self.old, self.carried, self.recomputed
        zone, tz, con, say = self.zone, self.tz, self.con, self.say
        source = mart(names[0]).source
        files = _parquet_files(path)
        types = _CONTACT_TYPES if source == "contacts" else _CUSTOMER_TYPES
        check_files(files, contract=source)
        entries = dict(_file_entry(f, root) for f in files)
        parts = [f"{p} {e['bytes']} {e['footer']}" for p, e in sorted(entries.items())]
        signature = _signature([tz, *parts, f"end {end}"])
        info: dict[str, Any] = {"files": entries, "signature": signature}
        if source == "contacts":
            spans = _file_spans(files)
            first = min((s.first for s in spans.values()), default=None)
            last = max((s.last for s in spans.values()), default=None)
            info["first_day"] = None if first is None else _local_day(first, zone).isoformat()
            info["last_day"] = None if last is None else _local_day(last, zone).isoformat()
        old_info = (old or {}).get("sources", {}).get(source, {})
        old_marts = (old or {}).get("marts", {})
        todo = [n for n in names if old_info.get("signature") != signature or n not in old_marts]
        for name in names:
            if name not in todo:
                carried[name] = dict(old_marts[name]["months"])
        if not todo:
            return info
        frame = _scan_table(con, files, types)
        for name in todo:
            if name == "accounts_daily":
                result = accounts_daily(frame, end=end, tz=tz)
            else:
                result = _collect(_CONTACT_MARTS[name](frame, tz=tz))
            for month, part in sorted(_split_months(to_polars(result), mart(name).period).items()):
                writer.write(name, month, part)
                recomputed[name].append(_month_key(month))
            writer.entries.setdefault(name, {})
            say(f"{source}: {name} ({result.height:,} rows)")
        return info


def _months_of(spans: Mapping[Path, _Span], zone: ZoneInfo) -> set[date]:
    months: set[date] = set()
    for span in spans.values():
        month, last = _local_month(span.first, zone), _local_month(span.last, zone)
        while month <= last:
            months.add(month)
            month = _next_month(month)
    return months


def _chunk_months(chunk: _Chunk) -> list[date]:
    months, month = [], chunk.month
    while month <= chunk.last:
        months.append(month)
        month = _next_month(month)
    return months


def reduce_marts(
    data: str | Path,
    /,
    *,
    out: str | Path | None = None,
    marts: Sequence[str] = MART_NAMES,
    tz: str = DEFAULT_TZ,
    engine: Engine = "polars",
    progress: bool = False,
) -> dict[str, pl.DataFrame]:
    """Reduce raw data to the marts in one call and return them (for exploration in Jupyter).

    The reports read mart folders written by ``insights reduce``; this is the same reduce
    (:func:`write_marts`) followed by :func:`~insights.reduce.marts.read_mart` for each mart.

    Parameters
    ----------
    data
        A raw data folder, as in :func:`write_marts`.
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

    """
    names = _names(marts)
    temp = None if out is not None else Path(tempfile.mkdtemp(prefix="insights-marts-"))
    folder = Path(out) if out is not None else temp
    assert folder is not None
    try:
        write_marts(data, folder, marts=names, tz=tz, engine=engine, progress=progress)
        written = read_manifest(folder)["marts"]
        return {name: read_mart(folder, name) for name in names if name in written}
    finally:
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)
