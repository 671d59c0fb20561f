"""The raw inputs of a mart run (private to :mod:`insights.reduce`).

Where :func:`~insights.reduce.pipeline.write_marts` finds them, their signatures, and how
they are scanned.

A file's signature is its size and a hash of its Parquet footer (every row group's offsets,
sizes and statistics), so an unchanged file is recognised without reading its rows.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl

from insights.data import layout
from insights.errors import ContractError, ParameterError
from insights.reduce._passes import _Chunk
from insights.reduce.scan import REDUCE_COLUMNS

__all__: list[str] = []

_CONTACT_COLUMNS = ("customer_id", "created_at", "channel", "tag", "handle_time_seconds")
_CUSTOMER_COLUMNS = ("opened_at", "closed_at")
_FOOTER_TAIL = 8


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


def _tx_piece(con: Any, chunk: _Chunk, currency: str | None) -> Any:
    """Scan a pass's transactions in ``currency`` (amounts in others cannot be added up).

    ``None``: the data holds one currency, nothing to filter (nor to read the column for).
    """
    if con is None:
        created = pl.col("created_at")
        frame = pl.scan_parquet(
            [str(f) for f in chunk.files],
            hive_partitioning=False,
            cast_options=pl.ScanCastOptions(integer_cast="upcast"),
        )
        if currency is not None:
            frame = frame.filter(pl.col("currency") == currency)
        return frame.select(
            pl.col(name).cast(dtype) if name in ("amount_minor", "created_at") else pl.col(name)
            for name, dtype in REDUCE_COLUMNS.items()
        ).filter(created >= chunk.start, created < chunk.end)
    files = ", ".join(f"'{f.as_posix()}'" for f in chunk.files)
    columns = ", ".join(
        f"CAST({name} AS BIGINT) AS {name}" if name == "amount_minor" else name
        for name in REDUCE_COLUMNS
    )
    only = "" if currency is None else " AND currency = '{}'".format(currency.replace("'", "''"))
    return con.sql(
        f"SELECT {columns} FROM read_parquet([{files}], hive_partitioning = false) "
        f"WHERE created_at >= TIMESTAMPTZ '{chunk.start.isoformat()}' "
        f"AND created_at < TIMESTAMPTZ '{chunk.end.isoformat()}'{only}"
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
