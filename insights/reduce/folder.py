"""A mart folder written from marts computed elsewhere: on Spark, or in a warehouse.

``insights reduce`` writes its mart folder itself (:func:`insights.reduce.pipeline.write_marts`).
Marts reduced by another engine (``jobs/spark_reduce.py``, the dbt models behind
``insights export-marts``) are published here the same way, so the reports, the pre-kernel
checks and the manifest's fingerprints cannot tell them apart: each mart is split into local
months, every month file is checked against its contract before it is written, under a new
name; then ``manifest.json`` (files, rows, SHA-256, contract versions, the inputs' currency and
date range) replaces the previous one atomically, and the files it no longer lists are deleted.
A crash leaves the previous marts readable; the next publication removes the orphans.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import polars as pl

from insights.reduce._passes import _zone
from insights.reduce._store import (
    _collect_garbage,
    _listed,
    _mart_entry,
    _publish,
    _run_id,
    _split_months,
    _try_manifest,
    _Writer,
)
from insights.reduce.marts import mart, mart_definitions_hash
from insights.reduce.pipeline import _names

__all__ = ["publish_marts"]


def publish_marts(
    out: str | Path,
    marts: Iterable[tuple[str, pl.DataFrame]],
    /,
    *,
    tz: str,
    engine: str,
    data: str,
    sources: Mapping[str, Any],
) -> dict[str, Any]:
    """Write whole marts as a mart folder, as ``insights reduce`` lays it out; return its manifest.

    Parameters
    ----------
    out
        The mart folder (created if missing). What it held before is replaced as a whole, and
        atomically: a reader sees the old marts or the new ones.
    marts
        ``(name, frame)`` pairs, one per mart, each with exactly its contract's columns and
        types (consumed one at a time: memory holds one mart).
    tz
        The time zone the marts' days and months are in.
    engine
        What reduced them (``"spark"``, ``"dbt"``), recorded in the manifest.
    data
        Where the raw data came from, recorded in the manifest.
    sources
        Per raw source (``"transactions"``, ``"contacts"``, ``"customers"``), what the report
        runner reads from the manifest: ``currency`` and ``currencies`` (rows per currency) of
        the transactions, and ``first_day`` / ``last_day`` (ISO local days) of each source.

    Returns
    -------
    dict
        The manifest written to ``out/manifest.json``.

    Raises
    ------
    ContractError
        A mart breaks its contract (columns, types, rules): nothing is published then.
    ParameterError
        An unknown mart or time zone.

    Examples
    --------
    >>> import tempfile
    >>> from datetime import date
    >>> folder = Path(tempfile.mkdtemp())
    >>> active = pl.DataFrame(
    ...     {"day": [date(2025, 9, 1), date(2025, 10, 1)], "active_customers": [12, 15]}
    ... )
    >>> manifest = publish_marts(
    ...     folder,
    ...     [("active_customers_daily", active)],
    ...     tz="Europe/London",
    ...     engine="spark",
    ...     data="s3://lake/cards",
    ...     sources={},
    ... )
    >>> sorted(manifest["marts"]["active_customers_daily"]["months"])
    ['2025-09', '2025-10']

    """
    _zone(tz)
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    _collect_garbage(folder, _listed(_try_manifest(folder)))
    run = _run_id()
    writer = _Writer(folder, run)
    for given, frame in marts:
        (name,) = _names([given])
        writer.entries[name] = {}
        for month, part in sorted(_split_months(frame, mart(name).period).items()):
            writer.write(name, month, part)
    return _publish(
        folder,
        run,
        tz=tz,
        definitions=mart_definitions_hash(),
        engine=engine,
        data=data,
        sources={name: dict(info) for name, info in sources.items()},
        marts={name: _mart_entry(name, months) for name, months in writer.entries.items()},
    )
