r"""spark-submit entry point: the reduce step of ``insights`` on a Spark cluster.

Reads card transactions (Parquet files or a metastore/Unity Catalog table), sets the Spark
session time zone to ``--tz`` (the aggregates compute local days and months in the session
time zone), runs the library's own aggregate functions (:mod:`insights.reduce.aggregates`, written
once with narwhals) on the PySpark DataFrame and writes each result back as Parquet (or as a
table). Nothing is collected to the driver.

::

    spark-submit jobs/spark_reduce.py \
        --input s3://bank-lake/cards/transactions/ --output s3://bank-lake/insights/reduce/ \
        [--table cards.transactions] [--tz Europe/London] [--only merchant_daily ...] \
        [--output-table-prefix insights.reduce_]

The driver and the executors need ``insights`` installed (``pip install 'insights[spark]'``,
or ship the wheel with ``--py-files``); see ``docs/scale.md``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from typing import Any

from insights.reduce.aggregates import (
    active_customers_daily,
    category_daily,
    group_daily,
    merchant_daily,
    merchant_monthly,
)
from insights.reduce.partitioned import REDUCE_COLUMNS

__all__ = ["main", "reduce_to_parquet"]

AGGREGATES = {
    "merchant_daily": merchant_daily,
    "merchant_monthly": merchant_monthly,
    "category_daily": category_daily,
    "group_daily": group_daily,
    "active_customers_daily": active_customers_daily,
}
#: Columns the aggregates read (a subset of data_contracts/transactions.yaml).
COLUMNS = list(REDUCE_COLUMNS)


def reduce_to_parquet(
    spark: Any,
    tx: Any,
    output: str | None,
    /,
    *,
    tz: str = "Europe/London",
    aggregates: Sequence[str] = tuple(AGGREGATES),
    table_prefix: str | None = None,
) -> dict[str, str]:
    """Write each aggregate of the Spark DataFrame ``tx`` to ``output/<name>/`` (Parquet).

    Sets ``spark.sql.session.timeZone`` to ``tz`` first. With ``table_prefix`` the results are
    saved as tables ``<table_prefix><name>`` instead. Returns where each aggregate went.
    """
    spark.conf.set("spark.sql.session.timeZone", tz)
    written: dict[str, str] = {}
    for name in aggregates:
        result = AGGREGATES[name](tx.select(*COLUMNS), tz=tz)
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
    parser.add_argument("--output", help="folder for <aggregate>/ Parquet outputs")
    parser.add_argument("--output-table-prefix", help="save as tables <prefix><aggregate>")
    parser.add_argument("--tz", default="Europe/London", help="time zone of days and months")
    parser.add_argument(
        "--only", action="append", choices=list(AGGREGATES), help="one aggregate (repeatable)"
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
        tz=args.tz,
        aggregates=args.only or tuple(AGGREGATES),
        table_prefix=args.output_table_prefix,
    )
    for name, target in written.items():
        print(f"{name:<24} {target}")
    print(f"reduced {args.input or args.table} in {time.perf_counter() - started:.1f}s")
    spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
