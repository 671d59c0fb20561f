"""Publishing result tables from a report notebook: CSV, Parquet and a small sidecar.

The sidecar (``<name>.table.json``) declares which columns count customers, so that the
privacy gate can check every such count against the minimum group size before the report is
published. Files are written deterministically: the same frame gives byte-identical files.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from insights.errors import ParameterError, ReportError

__all__ = ["MIN_CUSTOMERS", "SIDECAR_SUFFIX", "publish_table", "small_groups", "suppress_small"]

#: Smallest customer count that may be published (the bank's disclosure rule).
MIN_CUSTOMERS = 10
SIDECAR_SUFFIX = ".table.json"


def suppress_small(
    frame: pl.DataFrame,
    /,
    *,
    count_column: str = "customers",
    columns: Sequence[str] = (),
    min_customers: int = MIN_CUSTOMERS,
) -> pl.DataFrame:
    """Blank out (null) the cells of rows counting fewer than ``min_customers`` customers.

    Statistical disclosure control by suppression: the row stays (so a chart shows a gap,
    not a misleading zero), but its count and every figure in ``columns`` derived from
    those customers become null. Rows with a count of 0 are kept as they are (nothing to
    disclose).

    Examples
    --------
    >>> frame = pl.DataFrame({"day": [1, 2, 3], "customers": [25, 4, 0], "rate": [2.5, 0.4, 0.0]})
    >>> suppress_small(frame, columns=["rate"])["rate"].to_list()
    [2.5, None, 0.0]

    """
    small = (pl.col(count_column) > 0) & (pl.col(count_column) < min_customers)
    return frame.with_columns(
        pl.when(small).then(None).otherwise(pl.col(c)).alias(c) for c in (count_column, *columns)
    )


def small_groups(
    frame: pl.DataFrame, /, *, count_columns: Sequence[str], min_customers: int
) -> list[tuple[str, int, int]]:
    """Rows counting between 1 and ``min_customers - 1`` customers.

    Nulls (already suppressed) and zeros (no customer, nothing to disclose) are allowed: the
    same rule as :func:`suppress_small`.

    Returns
    -------
    list of (column, row index, count)
        Every offending cell.

    Examples
    --------
    >>> small_groups(pl.DataFrame({"customers": [12, 3, None, 0]}),
    ...              count_columns=["customers"], min_customers=10)
    [('customers', 1, 3)]

    """
    found = []
    for column in count_columns:
        bad = (
            frame.select(pl.col(column))
            .with_row_index("row")
            .filter(pl.col(column).is_between(1, min_customers - 1))
        )
        rows, counts = bad["row"].to_list(), bad[column].to_list()
        found += [(column, int(r), int(c)) for r, c in zip(rows, counts, strict=True)]
    return found


def publish_table(
    frame: pl.DataFrame,
    /,
    *,
    name: str,
    out_dir: str | Path,
    count_columns: Sequence[str] = ("customers",),
    min_customers: int = MIN_CUSTOMERS,
) -> list[Path]:
    """Write a result table as ``<name>.csv``, ``<name>.parquet`` and ``<name>.table.json``.

    Parameters
    ----------
    frame
        A small, aggregated table. Its row order is kept: sort it before publishing.
    name
        File stem, e.g. ``"top_merchants"``.
    out_dir
        The report's ``output_dir`` parameter.
    count_columns
        Columns counting distinct customers; every value must be at least ``min_customers``
        (or null). Pass ``()`` for a table that is not customer-based.
    min_customers
        Smallest group allowed, at least :data:`MIN_CUSTOMERS`.

    Returns
    -------
    list of Path
        The three files written.

    Raises
    ------
    ParameterError
        A count column is missing or ``min_customers`` is below the floor.
    ReportError
        A count is below ``min_customers``: aggregate or suppress small groups first.

    Examples
    --------
    >>> import tempfile
    >>> out = tempfile.mkdtemp()
    >>> [p.name for p in publish_table(pl.DataFrame({"city": ["Leeds"], "customers": [42]}),
    ...                                name="t", out_dir=out)]
    ['t.csv', 't.parquet', 't.table.json']

    """
    if min_customers < MIN_CUSTOMERS:
        raise ParameterError(
            f"publish_table(name={name!r}): min_customers={min_customers} is below the "
            f"disclosure floor of {MIN_CUSTOMERS}; use {MIN_CUSTOMERS} or more"
        )
    if missing := [c for c in count_columns if c not in frame.columns]:
        raise ParameterError(
            f"publish_table(name={name!r}): count columns {missing} are not in the table "
            f"(columns: {frame.columns}); pass count_columns=() for a table without counts"
        )
    if bad := small_groups(frame, count_columns=count_columns, min_customers=min_customers):
        column, row, count = bad[0]
        raise ReportError(
            f"publish_table(name={name!r}): {len(bad)} value(s) below {min_customers} "
            f"customers, first {column}={count} in row {row}; drop or merge small groups "
            "before publishing"
        )
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    csv, parquet, sidecar = (out / f"{name}{s}" for s in (".csv", ".parquet", SIDECAR_SUFFIX))
    frame.write_csv(csv)
    frame.write_parquet(parquet, compression="zstd", statistics=True)
    meta = {
        "name": name,
        "rows": frame.height,
        "columns": {c: str(t) for c, t in frame.schema.items()},
        "count_columns": list(count_columns),
        "min_customers": min_customers,
    }
    sidecar.write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return [csv, parquet, sidecar]
