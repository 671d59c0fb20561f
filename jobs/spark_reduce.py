r"""spark-submit entry point: the marts of ``insights`` reduced on a Spark cluster.

Reads card transactions (Parquet files or a metastore/Unity Catalog table) and, when given,
contacts and customers, sets the Spark session time zone to ``--tz`` (the reduce computes local
days and months in the session time zone), runs the library's own mart functions
(:mod:`insights.reduce.aggregates` and :mod:`insights.reduce.contacts`, written once with
narwhals) on the PySpark DataFrames, and writes a **mart folder** at ``--output``: the layout,
checks and ``manifest.json`` of ``insights reduce`` (one Parquet file per mart and local month,
each checked against its contract in ``data_contracts/marts/``; files, rows, SHA-256, contract
versions, the main currency and each source's date range in the manifest, replaced
atomically), so ``insights report run NAME --data OUTPUT`` reads it like any mart folder.

The executors do the reduce; the driver receives each finished mart (Arrow, one mart at a time:
marts are small by design, the largest being a row per merchant and month or per brand and
day) and writes the folder, so ``--output`` is a path the driver can write: local disk, NFS or a
mounted bucket (``/dbfs/...``, gcsfuse). A URI such as ``s3://...`` gets plain Spark Parquet
per mart (``<output>/<mart>/``) without a manifest, and ``--output-table-prefix`` saves tables:
neither is a mart folder the reports read.

::

    spark-submit jobs/spark_reduce.py \
        --input s3://bank-lake/cards/transactions/ --output /mnt/insights/marts \
        [--contacts s3://.../contacts/] [--customers s3://.../customers/] \
        [--table cards.transactions] [--tz Europe/London] [--only merchant_monthly ...] \
        [--output-table-prefix insights.mart_]

The driver and the executors need ``insights`` installed (``pip install 'insights[spark]'``,
or ship the wheel with ``--py-files``); see ``docs/scale.md``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

import polars as pl

from insights._common import DEFAULT_TZ  # noqa: PLC2701 (the one default time zone)
from insights.reduce.contacts import accounts_daily
from insights.reduce.folder import publish_marts
from insights.reduce.marts import MART_FUNCTIONS, MART_NAMES, check_mart, mart
from insights.reduce.scan import REDUCE_COLUMNS

__all__ = ["main", "reduce_to_parquet"]

#: Columns the transaction marts read (a subset of data_contracts/transactions.yaml).
COLUMNS = list(REDUCE_COLUMNS)
CONTACT_COLUMNS = ["customer_id", "created_at", "channel", "tag", "handle_time_seconds"]


def _days(frame: Any) -> tuple[date | None, date | None]:
    """Return the first and last local day of ``created_at`` (session time zone)."""
    from pyspark.sql import functions as sf  # noqa: PLC0415 - only on the cluster

    row = frame.select(
        sf.min(sf.to_date("created_at")).alias("first"),
        sf.max(sf.to_date("created_at")).alias("last"),
    ).collect()[0]
    return row["first"], row["last"]


def _spark_frame(spark: Any, frame: Any, name: str) -> Any:
    """Return a small polars mart as a Spark DataFrame with the contract's types."""
    return spark.createDataFrame(frame.to_arrow()).select(*mart(name).columns)


def _is_local(output: str) -> bool:
    """Whether the driver can write ``output`` as a file-system path (no URI scheme)."""
    return "://" not in output.removeprefix("file://") and not output.startswith("dbfs:")


def reduce_to_parquet(
    spark: Any,
    tx: Any,
    output: str | None,
    /,
    *,
    contacts: Any | None = None,
    customers: Any | None = None,
    tz: str = DEFAULT_TZ,
    marts: Sequence[str] = MART_NAMES,
    table_prefix: str | None = None,
    data: str | None = None,
) -> dict[str, str]:
    """Reduce the Spark DataFrames to the marts and write them; return where each mart went.

    Sets ``spark.sql.session.timeZone`` to ``tz`` first; keeps the transactions in their most
    common currency (amounts in different currencies cannot be added up). Marts of a source
    that is not given (``contacts``, ``customers``) are skipped. ``output`` as a file-system
    path: a mart folder with its manifest (see the module docstring; ``data`` is recorded as
    where the raw data came from); as a URI: Spark Parquet under ``<output>/<mart>/``. With
    ``table_prefix``: tables ``<table_prefix><mart>`` instead.
    """
    spark.conf.set("spark.sql.session.timeZone", tz)
    info: dict[str, dict[str, Any]] = {}
    if tx is not None:
        counts = tx.groupBy("currency").count().collect()
        currencies = dict(
            sorted(((r["currency"], int(r["count"])) for r in counts), key=lambda c: (-c[1], c[0]))
        )
        first, last = _days(tx)
        info["transactions"] = {
            "currency": next(iter(currencies), "GBP"),
            "currencies": currencies,
            "first_day": None if first is None else first.isoformat(),
            "last_day": None if last is None else last.isoformat(),
        }
        if currencies:
            tx = tx.filter(tx["currency"] == info["transactions"]["currency"])
    if contacts is not None:
        first, last = _days(contacts)
        info["contacts"] = {
            "first_day": None if first is None else first.isoformat(),
            "last_day": None if last is None else last.isoformat(),
        }
    if customers is not None:
        info["customers"] = {}
    sources = {
        "transactions": None if tx is None else tx.select(*COLUMNS),
        "contacts": None if contacts is None else contacts.select(*CONTACT_COLUMNS),
        "customers": customers,
    }
    ends = [date.fromisoformat(i["last_day"]) for i in info.values() if i.get("last_day")]
    end = max(ends) if ends else None

    def results() -> Iterator[tuple[str, Any]]:
        for name in marts:
            source = sources[mart(name).source]
            if source is None:
                continue
            if name == "accounts_daily":
                small = accounts_daily(source, end=end, tz=tz)
                yield name, _spark_frame(spark, check_mart(small, name), name)
            else:
                yield name, MART_FUNCTIONS[name](source, tz=tz).select(*mart(name).columns)

    written: dict[str, str] = {}
    if table_prefix is None and output is not None and _is_local(output):
        folder = output.removeprefix("file://")

        def collected() -> Iterator[tuple[str, pl.DataFrame]]:
            for name, result in results():
                frame = pl.from_arrow(result.toArrow())
                assert isinstance(frame, pl.DataFrame)
                written[name] = f"{folder.rstrip('/')}/{name}"
                yield name, frame

        publish_marts(
            folder, collected(), tz=tz, engine="spark", data=data or "spark", sources=info
        )
        return written
    for name, result in results():
        writer = result.write.mode("overwrite")
        if table_prefix is not None:
            target = f"{table_prefix}{name}"
            writer.saveAsTable(target)
        else:
            target = f"{str(output).rstrip('/')}/{name}"
            writer.parquet(target)
        written[name] = target
    return written


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="spark_reduce.py", description=__doc__.splitlines()[0] if __doc__ else None
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--input", help="Parquet path (folder, hive partitions welcome)")
    source.add_argument("--table", help="table name, e.g. cards.transactions")
    parser.add_argument("--contacts", help="contacts Parquet path (contacts marts)")
    parser.add_argument("--customers", help="customers Parquet path (accounts_daily)")
    parser.add_argument(
        "--output", help="mart folder (a path the driver writes; a URI: plain Parquet per mart)"
    )
    parser.add_argument("--output-table-prefix", help="save as tables <prefix><mart>")
    parser.add_argument("--tz", default=DEFAULT_TZ, help="time zone of days and months")
    parser.add_argument(
        "--only", action="append", choices=list(MART_NAMES), help="one mart (repeatable)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the job; return the exit code."""
    args = _parser().parse_args(argv)
    if (args.output is None) == (args.output_table_prefix is None):
        _parser().error("give exactly one of --output and --output-table-prefix")
    from pyspark.sql import SparkSession  # noqa: PLC0415 - only on the cluster

    spark = (
        SparkSession.builder.appName("insights-reduce")
        .config("spark.sql.session.timeZone", args.tz)
        .getOrCreate()
    )
    started = time.perf_counter()
    tx = spark.read.parquet(args.input) if args.input else spark.table(args.table)
    written = reduce_to_parquet(
        spark,
        tx,
        args.output,
        contacts=spark.read.parquet(args.contacts) if args.contacts else None,
        customers=spark.read.parquet(args.customers) if args.customers else None,
        tz=args.tz,
        marts=args.only or MART_NAMES,
        table_prefix=args.output_table_prefix,
        data=args.input or args.table,
    )
    for name, target in written.items():
        print(f"{name:<24} {target}")
    print(f"reduced {args.input or args.table} in {time.perf_counter() - started:.1f}s")
    spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
