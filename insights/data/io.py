"""Reading data at the door: Parquet or CSV in, a validated polars frame out.

Every loader reads a file, a folder (searched recursively), a glob, or hive-partitioned folders
(``year_month=2025-06/part-0.parquet``), validates every row against its contract in
``data_contracts/`` and returns a frame with exactly the contract's columns and types.
Nothing is renamed or dropped silently: a missing column is an error that names the close
match, partition keys that are not contract columns are reported as ignored, and with
``on_invalid="quarantine"`` the rejected rows are written to a file with the rule each broke.
"""

from __future__ import annotations

import glob as globlib
import logging
from pathlib import Path
from typing import Literal

import polars as pl

from insights.data.contracts import (
    FILE,
    ROW,
    ValidationReport,
    ValidationResult,
    load_contract,
    validate,
)
from insights.errors import ContractError, ParameterError

__all__ = [
    "load_contacts",
    "load_customers",
    "load_table",
    "load_transactions",
    "read_raw",
    "validate_path",
]

log = logging.getLogger("insights")
OnInvalid = Literal["raise", "quarantine"]
_GLOB_CHARS = ("*", "?", "[")


def _files(path: str | Path) -> tuple[list[Path], str]:
    """Resolve ``path`` to the data files it names and their format (``parquet`` or ``csv``)."""
    text = str(path)
    if any(ch in text for ch in _GLOB_CHARS):
        files = sorted(Path(p) for p in globlib.glob(text, recursive=True) if Path(p).is_file())
    elif Path(text).is_dir():
        files = sorted(Path(text).rglob("*.parquet")) or sorted(Path(text).rglob("*.csv"))
    elif Path(text).is_file():
        files = [Path(text)]
    else:
        raise ContractError(f"{text}: no such file or folder")
    if not files:
        raise ContractError(f"{text}: no .parquet or .csv files found")
    suffixes = {f.suffix.lower() for f in files}
    if suffixes <= {".parquet", ".pq"}:
        return files, "parquet"
    if suffixes <= {".csv"}:
        return files, "csv"
    raise ContractError(
        f"{text}: expected Parquet or CSV files, found {sorted(suffixes)}; "
        "point at one format at a time"
    )


def read_raw(path: str | Path, /) -> pl.DataFrame:
    """Read data files as they are, with ``source_file`` and ``source_row`` locator columns.

    CSV is read as text (every column a string), so that values that do not parse are reported
    by validation instead of silently becoming null. Parquet keeps its types. Hive partition
    keys (``key=value`` folders) become columns.

    Parameters
    ----------
    path
        A file, a folder (searched recursively), or a glob such as ``data/tx/*.parquet``.

    Returns
    -------
    pl.DataFrame
        The columns found, plus ``source_file`` (str) and ``source_row`` (1-based row within
        its file).

    """
    files, fmt = _files(path)
    for f in files:
        if f.stat().st_size == 0:
            raise ContractError(f"{f}: the file is empty (0 bytes); was the export interrupted?")
    sources = [str(f) for f in files]
    try:
        if fmt == "csv":
            lazy = pl.scan_csv(sources, infer_schema=False, include_file_paths=FILE)
        else:
            root = Path(path) if Path(path).is_dir() else None
            lazy = pl.scan_parquet(
                sources,
                hive_partitioning=root is not None,
                include_file_paths=FILE,
                # Files written at different times may differ in integer or float width.
                cast_options=pl.ScanCastOptions(integer_cast="upcast", float_cast="upcast"),
            )
        frame = lazy.collect()
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise ContractError(f"{path}: could not read {fmt} data ({exc})") from exc
    row = (pl.int_range(pl.len(), dtype=pl.UInt64).over(FILE) + 1).alias(ROW)
    return frame.with_columns(row)


def _partition_columns(frame: pl.DataFrame) -> list[str]:
    """Hive keys found in the file paths (``key=value`` folder names)."""
    paths = frame.get_column(FILE).unique().head(50).to_list()
    keys = {part.split("=", 1)[0] for p in paths for part in Path(p).parts[:-1] if "=" in part}
    return sorted(keys)


def load_table(
    path: str | Path,
    /,
    *,
    contract: str,
    on_invalid: OnInvalid = "raise",
    quarantine_dir: str | Path = "quarantine",
) -> pl.DataFrame:
    """Read and validate any contract's data; the typed loaders below call this.

    Parameters
    ----------
    path
        A Parquet or CSV file, a folder (recursive, hive partitions allowed) or a glob.
    contract
        ``"transactions"``, ``"customers"`` or ``"contacts"`` (``data_contracts/<name>.yaml``).
    on_invalid
        ``"raise"`` (default): any row breaking a rule raises :class:`ContractError` naming the
        file, the contract, each rule with its count and up to five example rows.
        ``"quarantine"``: return the valid rows and write the rejected ones, with the rules each
        broke, to ``<quarantine_dir>/<contract>.rejected.parquet``; the counts are logged.
    quarantine_dir
        Folder for rejected rows (created when needed).

    Returns
    -------
    pl.DataFrame
        Exactly the contract's columns, with its types (timestamps ``Datetime("us", "UTC")``).

    """
    result = _validated(path, contract=contract, on_invalid=on_invalid)
    if result.rejected.height:
        out = Path(quarantine_dir)
        out.mkdir(parents=True, exist_ok=True)
        target = out / f"{contract}.rejected.parquet"
        result.rejected.write_parquet(target)
        log.warning(
            "%s: quarantined %s of %s rows to %s\n%s",
            path,
            f"{result.rejected.height:,}",
            f"{result.report.rows:,}",
            target,
            result.report,
        )
    return result.valid


def _validated(path: str | Path, /, *, contract: str, on_invalid: OnInvalid) -> ValidationResult:
    if on_invalid not in ("raise", "quarantine"):
        raise ParameterError(f"on_invalid must be 'raise' or 'quarantine', not {on_invalid!r}")
    raw = read_raw(path)
    partitions = [c for c in _partition_columns(raw) if c in raw.columns]
    keep = [c for c in partitions if c in load_contract(contract).column_names]
    raw = raw.drop([c for c in partitions if c not in keep])
    result = validate(raw, contract=contract, source=str(path), on_invalid=on_invalid)
    if dropped := [c for c in partitions if c not in keep]:
        log.info("%s: partition keys %s are not contract columns; not loaded", path, dropped)
    return result


def validate_path(path: str | Path, /, *, contract: str) -> ValidationReport:
    """Validate a file, folder or glob and return the report (never raises on bad rows).

    Used by ``insights validate``. Structural problems (missing columns, unreadable or empty
    files, naive timestamp columns) still raise :class:`ContractError`.
    """
    return _validated(path, contract=contract, on_invalid="quarantine").report


def load_transactions(
    path: str | Path,
    /,
    *,
    on_invalid: OnInvalid = "raise",
    quarantine_dir: str | Path = "quarantine",
) -> pl.DataFrame:
    """Load card transactions satisfying ``data_contracts/transactions.yaml``.

    Returns ``transaction_id, customer_id, created_at (UTC), amount_minor (Int64), currency,
    merchant_id, merchant_name, merchant_group_id, merchant_category, merchant_city,
    is_online``. See :func:`load_table` for ``path``, ``on_invalid`` and ``quarantine_dir``.
    """
    return load_table(
        path, contract="transactions", on_invalid=on_invalid, quarantine_dir=quarantine_dir
    )


def load_customers(
    path: str | Path,
    /,
    *,
    on_invalid: OnInvalid = "raise",
    quarantine_dir: str | Path = "quarantine",
) -> pl.DataFrame:
    """Load customer accounts satisfying ``data_contracts/customers.yaml``.

    Returns ``customer_id, opened_at (UTC), closed_at (UTC, nullable), home_city``.
    See :func:`load_table` for the options.
    """
    return load_table(
        path, contract="customers", on_invalid=on_invalid, quarantine_dir=quarantine_dir
    )


def load_contacts(
    path: str | Path,
    /,
    *,
    on_invalid: OnInvalid = "raise",
    quarantine_dir: str | Path = "quarantine",
) -> pl.DataFrame:
    """Load support conversations satisfying ``data_contracts/contacts.yaml``.

    Returns ``contact_id, customer_id, created_at (UTC), channel, tag, handle_time_seconds``.
    See :func:`load_table` for the options.
    """
    return load_table(
        path, contract="contacts", on_invalid=on_invalid, quarantine_dir=quarantine_dir
    )
