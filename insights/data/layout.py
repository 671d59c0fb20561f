"""The raw data folder's layout, defined once.

::

    <data>/transactions/year_month=YYYY-MM/part-0.parquet   hive-partitioned by UTC month
    <data>/customers.parquet
    <data>/contacts.parquet
    <data>/truth.json                                       sample data only: planted stories

The sample generator writes this layout, and the report runner, the partitioned reduce and
the benchmarks read it through these names.
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = [
    "CONTACTS_FILE",
    "CUSTOMERS_FILE",
    "MONTH_DIR",
    "PARTITION_KEY",
    "TRANSACTIONS_DIR",
    "TRUTH_FILE",
    "contacts_path",
    "customers_path",
    "month_dir",
    "months_present",
    "transactions_dir",
]

TRANSACTIONS_DIR = "transactions"
#: Hive partition key of the transactions folder: the UTC month of ``created_at``.
PARTITION_KEY = "year_month"
CUSTOMERS_FILE = "customers.parquet"
CONTACTS_FILE = "contacts.parquet"
TRUTH_FILE = "truth.json"
#: A partition folder's name, e.g. ``year_month=2025-09``; groups: year, month.
MONTH_DIR = re.compile(rf"{PARTITION_KEY}=(\d{{4}})-(\d{{2}})")


def transactions_dir(data: str | Path, /) -> Path:
    """Return the transactions folder of the data folder ``data``.

    Examples
    --------
    >>> transactions_dir("data/sample").as_posix()
    'data/sample/transactions'

    """
    return Path(data) / TRANSACTIONS_DIR


def month_dir(data: str | Path, month: str, /) -> Path:
    """Return the partition folder of ``month`` (``"YYYY-MM"``, a UTC month).

    Examples
    --------
    >>> month_dir("data/sample", "2025-09").as_posix()
    'data/sample/transactions/year_month=2025-09'

    """
    return transactions_dir(data) / f"{PARTITION_KEY}={month}"


def customers_path(data: str | Path, /) -> Path:
    """Return the customers file of the data folder ``data``."""
    return Path(data) / CUSTOMERS_FILE


def contacts_path(data: str | Path, /) -> Path:
    """Return the contacts file of the data folder ``data``."""
    return Path(data) / CONTACTS_FILE


def months_present(data: str | Path, /) -> list[str]:
    """Months (``"YYYY-MM"``, sorted) whose partition folder holds at least one Parquet file."""
    folder = transactions_dir(data)
    if not folder.is_dir():
        return []
    return sorted(
        p.name.removeprefix(f"{PARTITION_KEY}=")
        for p in folder.glob(f"{PARTITION_KEY}=*")
        if any(p.glob("*.parquet"))
    )
