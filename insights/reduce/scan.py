"""Transactions as the reduce reads them: the Parquet files of a folder, checked by their footers.

:func:`scan_transactions` reads only the footers to check the columns the reduce needs
(:data:`REDUCE_COLUMNS`) before a long run, then scans the rows lazily.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import polars as pl

from insights.errors import ContractError

__all__ = ["REDUCE_COLUMNS", "scan_transactions"]

#: The contract columns the reduce reads, with their contract types.
REDUCE_COLUMNS: dict[str, pl.DataType] = {
    "customer_id": pl.String(),
    "created_at": pl.Datetime("us", "UTC"),
    "amount_minor": pl.Int64(),
    "merchant_id": pl.String(),
    "merchant_name": pl.String(),
    "merchant_group_id": pl.String(),
    "merchant_category": pl.String(),
    "merchant_city": pl.String(),
    "is_online": pl.Boolean(),
}


def _parquet_files(source: str | Path) -> list[Path]:
    path = Path(source)
    text = [path] if path.is_file() and path.suffix.lower() == ".csv" else []
    if path.is_dir():
        files = sorted(path.rglob("*.parquet"))
        text = sorted(path.rglob("*.csv"))
    elif path.is_file() and not text:
        files = [path]
    elif not text:
        msg = f"{source}: no such file or folder; point at a Parquet file or a folder of them."
        raise ContractError(msg)
    if text:
        # Never read part of the data silently: a month delivered as CSV would look absent.
        shown = ", ".join(str(f) for f in text[:5]) + (" ..." if len(text) > 5 else "")
        msg = (
            f"{source}: the reduce reads Parquet, and {len(text)} CSV file(s) would be left "
            f"out: {shown}. Convert them to Parquet (e.g. `insights.load_transactions(CSV)"
            ".write_parquet(...)`, which also checks every row), or pass the data to "
            "`insights report run NAME --data PATH`, which validates CSV and reduces it for you."
        )
        raise ContractError(msg)
    if not files:
        msg = f"{source}: no .parquet files found (searched the folder recursively)."
        raise ContractError(msg)
    return files


def _type_problem(name: str, found: pl.DataType) -> str | None:
    if name == "created_at":
        ok = isinstance(found, pl.Datetime) and found.time_zone == "UTC"
        want = "a UTC timestamp (timestamp[us, UTC])"
    elif name == "amount_minor":
        ok = found.is_integer()
        want = "an integer (int64, minor units)"
    else:
        ok = found == REDUCE_COLUMNS[name]
        want = str(REDUCE_COLUMNS[name])
    return None if ok else f"{name} is {found}, expected {want}"


def _check_schemas(files: Sequence[Path]) -> None:
    """Check every file's Parquet footer (not its rows) for the columns the reduce needs."""
    problems: list[str] = []
    for file in files:
        try:
            schema = pl.read_parquet_schema(file)
        except (pl.exceptions.PolarsError, OSError) as exc:
            problems.append(f"{file}: not readable as Parquet ({exc})")
            continue
        missing = [name for name in REDUCE_COLUMNS if name not in schema]
        wrong = [
            problem
            for name in REDUCE_COLUMNS
            if name in schema and (problem := _type_problem(name, schema[name])) is not None
        ]
        if missing or wrong:
            detail = "; ".join(([f"missing {', '.join(missing)}"] if missing else []) + wrong)
            problems.append(f"{file}: {detail}")
    if problems:
        shown = "\n  ".join(problems[:10])
        more = f"\n  ... and {len(problems) - 10} more files" if len(problems) > 10 else ""
        msg = (
            f"{len(problems)} of {len(files)} Parquet files do not have the transactions "
            f"contract's columns and types (data_contracts/transactions.yaml):\n  {shown}{more}\n"
            "Fix the export, or load and validate it with insights.data.io.load_transactions."
        )
        raise ContractError(msg)


def _scan(files: Sequence[Path]) -> pl.LazyFrame:
    return pl.scan_parquet(
        [str(f) for f in files],
        hive_partitioning=False,
        cast_options=pl.ScanCastOptions(integer_cast="upcast"),
    ).select(
        *(
            pl.col(name).cast(dtype) if name in ("amount_minor", "created_at") else pl.col(name)
            for name, dtype in REDUCE_COLUMNS.items()
        )
    )


def scan_transactions(source: str | Path, /) -> pl.LazyFrame:
    """Scan Parquet transactions lazily, after checking their columns and types.

    Only the Parquet footers are read: the check is cheap and catches a wrong export
    (a missing column, a naive or local ``created_at``, a float amount) before a long reduce.
    Row-level rules (non-zero amounts, currency codes, ...) are checked by the loaders in
    :mod:`insights.data.io`, which read every row.

    Parameters
    ----------
    source
        A Parquet file or a folder searched recursively (hive ``key=value`` folders welcome;
        the keys are not read as columns).

    Returns
    -------
    pl.LazyFrame
        The columns the reduce needs, :data:`REDUCE_COLUMNS`: ``customer_id``, ``created_at``
        (UTC), ``amount_minor`` (Int64), ``merchant_id`` and the merchant attributes.

    Raises
    ------
    ContractError
        If there are no Parquet files, or a file lacks a column or has the wrong type.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> folder = Path(tempfile.mkdtemp())
    >>> pl.DataFrame({"customer_id": ["a"], "amount_minor": [1.5]}).write_parquet(
    ...     folder / "part-0.parquet"
    ... )
    >>> scan_transactions(folder)
    Traceback (most recent call last):
    ...
    insights.errors.ContractError: 1 of 1 Parquet files do not have the transactions ...

    """
    files = _parquet_files(source)
    _check_schemas(files)
    return _scan(files)
