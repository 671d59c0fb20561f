r"""spark-submit entry point: the marts of ``insights`` reduced on a Spark cluster.

Reads card transactions (Parquet files or a metastore/Unity Catalog table) and, when given,
contacts and customers, sets the Spark session time zone to ``--tz`` (the reduce computes local
days and months in the session time zone), runs the library's own mart functions
(:mod:`insights.reduce.aggregates` and :mod:`insights.reduce.contacts`, written once with
narwhals) on the PySpark DataFrames and writes each mart back as Parquet under
``<output>/<mart>/`` (or as a table) with exactly the columns and types of its contract in
``data_contracts/marts/``. Nothing large is collected to the driver (``accounts_daily``
collects its per-day counts, one row per day).

::

    spark-submit jobs/spark_reduce.py \
        --input s3://bank-lake/cards/transactions/ --output s3://bank-lake/insights/marts/ \
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
from collections.abc import Sequence
from datetime import date
from typing import Any

from insights._common import DEFAULT_TZ  # noqa: PLC2701 (the one default time zone)
from insights.reduce.contacts import accounts_daily
from insights.reduce.marts import MART_FUNCTIONS, MART_NAMES, check_mart, mart
from insights.reduce.scan import REDUCE_COLUMNS

__all__ = ["main", "reduce_to_parquet"]

#: Columns the transaction marts read (a subset of data_contracts/transactions.yaml).
COLUMNS = list(REDUCE_COLUMNS)
CONTACT_COLUMNS = ["customer_id", "created_at", "channel", "tag", "handle_time_seconds"]


def _last_day(frames: Sequence[Any], tz: str) -> date | None:
    """Return the last local day of ``created_at`` over the Spark frames (a scalar each)."""
    from pyspark.sql import functions as sf  # noqa: PLC0415 - only on the cluster

    days = []
    for frame in frames:
        row = frame.select(sf.max(sf.to_date("created_at")).alias("last")).collect()[0]
        if row["last"] is not None:
            days.append(row["last"])
    return max(days) if days else None


def _spark_frame(spark: Any, frame: Any, name: str) -> Any:
    """Return a small polars mart as a Spark DataFrame with the contract's types."""
    return spark.createDataFrame(frame.to_arrow()).select(*mart(name).columns)


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
) -> dict[str, str]:
    """Write each mart of the Spark DataFrames to ``output/<mart>/`` (Parquet).

    Sets ``spark.sql.session.timeZone`` to ``tz`` first. Marts of a source that is not given
    (``contacts``, ``customers``) are skipped. With ``table_prefix`` the results are saved as
    tables ``<table_prefix><mart>`` instead. Returns where each mart went.
    """
    spark.conf.set("spark.sql.session.timeZone", tz)
    if tx is not None:
        # Amounts in different currencies cannot be added up: keep the most common one.
        top = tx.groupBy("currency").count().orderBy("count", "currency", ascending=[False, True])
        first = top.first()
        if first is not None:
            tx = tx.filter(tx["currency"] == first["currency"])
    sources = {
        "transactions": None if tx is None else tx.select(*COLUMNS),
        "contacts": None if contacts is None else contacts.select(*CONTACT_COLUMNS),
        "customers": customers,
    }
    written: dict[str, str] = {}
    for name in marts:
        source = sources[mart(name).source]
        if source is None:
            continue
        if name == "accounts_daily":
            ends = [f for f in (sources["transactions"], sources["contacts"]) if f is not None]
            small = accounts_daily(source, end=_last_day(ends, tz), tz=tz)
            result = _spark_frame(spark, check_mart(small, name), name)
        else:
            result = MART_FUNCTIONS[name](source, tz=tz).select(*mart(name).columns)
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
    parser.add_argument("--output", help="folder for <mart>/ Parquet outputs")
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
    )
    for name, target in written.items():
        print(f"{name:<24} {target}")
    print(f"reduced {args.input or args.table} in {time.perf_counter() - started:.1f}s")
    spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
