"""Marts built in a warehouse (the dbt project in ``warehouse/``) into a mart folder.

``dbt build`` (``make warehouse``) writes one table per mart into a DuckDB file; the reports
and :func:`insights.read_mart` read a mart folder (``manifest.json`` plus a Parquet file per
mart and local month, see :mod:`insights.reduce.marts`). :func:`export_marts` copies the
tables across, checking each against its mart contract on the way, and publishes the folder
with :func:`insights.reduce.folder.publish_marts`, as ``insights reduce`` does: new files
first, then the manifest atomically, then the old files removed. A reader sees the old marts
or the new, never a mix.

::

    .dbt/bin/dbt build --project-dir warehouse --profiles-dir warehouse --vars '{data_dir: ...}'
    insights export-marts warehouse/target/insights.duckdb --out data/marts_dbt
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl

from insights._common import DEFAULT_TZ
from insights.errors import ContractError, ParameterError
from insights.reduce.folder import publish_marts
from insights.reduce.marts import MART_NAMES, mart
from insights.reduce.pipeline import _names

__all__ = ["export_marts", "read_warehouse_mart"]


def _connect(database: Path) -> Any:
    try:
        import duckdb  # noqa: PLC0415 - optional, imported when a warehouse is read
    except ImportError as exc:
        raise ParameterError(
            "reading a DuckDB warehouse needs duckdb: pip install 'insights[duckdb]'"
        ) from exc
    if not database.is_file():
        raise ParameterError(
            f"no DuckDB warehouse at {database}; build it first with `make warehouse` "
            "(dbt build of warehouse/) or pass the file dbt wrote (profiles.yml: path)."
        )
    return duckdb.connect(str(database), read_only=True)


def _currencies(database: Path) -> dict[str, int]:
    """Rows per currency of the raw transactions the warehouse reads (most rows first)."""
    con = _connect(database)
    try:
        rows = con.execute(
            "select currency, count(*) from raw.transactions group by currency"
        ).fetchall()
    except Exception:  # a warehouse without the raw views (built elsewhere): nothing to record
        return {}
    finally:
        con.close()
    return {str(c): int(n) for c, n in sorted(rows, key=lambda r: (-r[1], str(r[0])))}


def read_warehouse_mart(
    database: str | Path, name: str, /, *, schema: str = "main"
) -> pl.DataFrame:
    """Read mart ``name`` from the DuckDB file dbt built, in contract column order.

    Parameters
    ----------
    database
        The DuckDB file (``warehouse/target/insights.duckdb`` by default).
    name
        A mart name (one of :data:`~insights.reduce.marts.MART_NAMES`).
    schema
        The schema dbt wrote the models into (``main`` unless the profile says otherwise).

    Returns
    -------
    pl.DataFrame
        The mart's columns as its contract lists them, sorted by its key.

    Raises
    ------
    ContractError
        The table is missing or lacks a contract column.

    """
    m = mart(name)
    con = _connect(Path(database))
    try:
        found = {
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables where table_schema = ?",
                [schema],
            ).fetchall()
        }
        if name not in found:
            raise ContractError(
                f"{database}: no table {schema}.{name} (found: "
                f"{', '.join(sorted(found)) or 'none'}); run `make warehouse` (dbt build) to "
                "build every mart."
            )
        frame: pl.DataFrame = con.sql(f'select * from "{schema}"."{name}"').pl()
    finally:
        con.close()
    missing = [c for c in m.columns if c not in frame.columns]
    if missing:
        raise ContractError(
            f"{database}: table {schema}.{name} lacks the contract column(s) {missing}; the dbt "
            "model and data_contracts/marts/ disagree (make warehouse-schema, then dbt build)."
        )
    return frame.select(m.columns).sort(list(m.keys), nulls_last=False)


def export_marts(
    database: str | Path,
    out: str | Path,
    /,
    *,
    tz: str = DEFAULT_TZ,
    schema: str = "main",
    marts: Sequence[str] = MART_NAMES,
) -> Path:
    """Write the marts dbt built in a DuckDB file as a mart folder the reports read.

    Parameters
    ----------
    database
        The DuckDB file ``dbt build`` wrote (``warehouse/target/insights.duckdb``).
    out
        The mart folder (created if missing); what it held before is replaced atomically.
    tz
        The time zone the dbt models used (dbt var ``tz``), recorded in the manifest.
    schema
        The schema holding the models.
    marts
        Which marts to export (default: all).

    Returns
    -------
    Path
        ``out``.

    Raises
    ------
    ContractError
        A table is missing, or breaks its mart contract (types, required, bounds, key):
        nothing is published then.

    """
    names = _names(marts)
    currencies = _currencies(Path(database))
    publish_marts(
        out,
        ((name, read_warehouse_mart(database, name, schema=schema)) for name in names),
        tz=tz,
        engine="dbt",
        data=str(Path(database).resolve()),
        sources={
            "warehouse": {"database": str(Path(database).resolve()), "schema": schema},
            # what the models kept: the main currency, as insights reduce (main_currency macro)
            "transactions": {"currency": next(iter(currencies), "GBP"), "currencies": currencies},
        },
    )
    return Path(out)
