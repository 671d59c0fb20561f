"""Benchmark of the reduce step at scale: the library's partitioned path against baselines.

Run from the repository root::

    .venv/bin/python benchmarks/reduce.py --rows 10_000_000 --rows 50_000_000

For each size it generates (once, cached under ``--data-dir``, default ``benchmarks/.data/``)
a year of synthetic transactions with the transactions contract's columns, hive-partitioned by
UTC month (``year_month=YYYY-MM/part-0.parquet``, sorted by ``created_at`` like an export),
with ``--customers`` customers (default 1.5M) and ``--merchants`` merchant locations (default
50k), both with skewed popularity. It then runs, each in a fresh Python subprocess, measuring
wall time, CPU time (user + system) and peak RSS of that subprocess (``/usr/bin/time``):

* ``library``: ``insights.write_aggregates(..., aggregates=["merchant_daily"])``, the
  default partitioned polars path (passes of whole local months of at most 8M rows), writing
  Parquet;
* ``library_month`` and ``library_split`` (not run by default; ``--variants
  library_month,...``): the same with ``rows_per_pass=None`` (one local month per pass) and
  with ``split_days=8`` (the daily aggregates reduced eight local days at a time);
* ``polars``: a hand-written polars query of the same aggregate (daily per merchant: spend,
  payments, distinct customers, repeat customers, refunds, merchant attributes) over the whole
  data set in one ``collect()``, writing Parquet;
* ``duckdb``: the same aggregate as DuckDB SQL over the whole data set, ``COPY ... TO`` Parquet;
* ``scan``: reading the nine needed columns of every partition and dropping them, the
  physical floor of any reduce over this data;
* ``hash``: file by file, reading only the three key columns and doing the one step no exact
  distinct count can skip, hashing every row's (merchant, day, customer) key into a group-by
  (``pl.len()`` per key, UTC days, written nowhere): a floor for any reduce that counts
  distinct customers by hashing, below any real one (it skips the time zone, the second
  stage, the attributes and the write, and its hash tables hold one file).

Each is repeated ``--repeat`` times (default 3), the variants interleaved; the table reports
medians, and ratios against the hand-written polars query and against the scan floor as the
median of each repetition's own ratio (runs taken under the same load). After the first
repetition the results are checked to be equal (``--no-check`` skips it). The table goes to
stdout and to ``benchmarks/reduce_results.md`` (appended, with date, machine, versions and
command).
Generated data are deleted at the end unless ``--keep-data``.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl

TZ = "Europe/London"
YEAR = 2025
ATTRIBUTES = ["merchant_name", "merchant_group_id", "merchant_category", "merchant_city"]
NEEDED = [
    "customer_id",
    "created_at",
    "amount_minor",
    "merchant_id",
    *ATTRIBUTES,
    "is_online",
]
VARIANTS = ("library", "polars", "duckdb", "scan", "hash")
FLOORS = ("scan", "hash")  # measurements, not results to check
RESULTS = Path(__file__).with_name("reduce_results.md")


# --- data generation ------------------------------------------------------------------------


def _merchants(n: int, rng: np.random.Generator) -> pl.DataFrame:
    """Merchant locations: ~30% belong to chains (about n/25 brands), 10% online."""
    from insights.data.sample import CATEGORIES  # the contract's categories, written down once

    idx = np.arange(n)
    chain = rng.random(n) < 0.3
    group = np.where(chain, rng.integers(0, max(n // 25, 1), n), n + idx)
    online = rng.random(n) < 0.1
    cities = np.array([f"City {i:02d}" for i in range(60)])
    city_idx = np.minimum(rng.zipf(1.6, n) - 1, 59)
    return pl.DataFrame(
        {
            "m": idx.astype(np.int64),
            "merchant_id": "m_" + pl.Series(idx).cast(pl.String).str.zfill(6),
            "merchant_name": "Brand " + pl.Series(group).cast(pl.String),
            "merchant_group_id": "g_" + pl.Series(group).cast(pl.String).str.zfill(7),
            "merchant_category": np.array(CATEGORIES)[rng.integers(0, len(CATEGORIES), n)],
            "merchant_city": pl.Series(cities[city_idx]).zip_with(
                pl.Series(~online), pl.Series([None], dtype=pl.String)
            ),
            "is_online": online,
        }
    )


def generate(out: Path, *, rows: int, customers: int, merchants: int, seed: int = 7) -> None:
    """Write a year of transactions to ``out/year_month=YYYY-MM/part-0.parquet``."""
    rng = np.random.default_rng(seed)
    shops = _merchants(merchants, rng)
    cust_weights = rng.lognormal(0.0, 1.0, customers)
    cust_cdf = np.cumsum(cust_weights) / cust_weights.sum()
    shop_weights = rng.lognormal(0.0, 1.5, merchants)
    shop_cdf = np.cumsum(shop_weights) / shop_weights.sum()
    starts = [datetime(YEAR, m, 1, tzinfo=UTC) for m in range(1, 13)]
    starts.append(datetime(YEAR + 1, 1, 1, tzinfo=UTC))
    year_us = (starts[-1] - starts[0]).total_seconds() * 1e6
    first_id = 0
    tmp = out.with_name(out.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    for month in range(12):
        lo, hi = starts[month], starts[month + 1]
        span_us = int((hi - lo).total_seconds() * 1e6)
        size = round(rows * span_us / year_us) if month < 11 else rows - first_id
        offset = np.sort(rng.integers(0, span_us, size))
        created = pl.Series("created_at", int(lo.timestamp() * 1e6) + offset).cast(
            pl.Datetime("us", "UTC")
        )
        cust = np.minimum(np.searchsorted(cust_cdf, rng.random(size)), customers - 1)
        shop = np.minimum(np.searchsorted(shop_cdf, rng.random(size)), merchants - 1)
        amount = np.maximum(rng.lognormal(7.0, 1.1, size).astype(np.int64), 1)
        amount = np.where(rng.random(size) < 0.03, -amount, amount)
        ids = np.arange(first_id, first_id + size)
        frame = (
            pl.DataFrame(
                {
                    "transaction_id": pl.Series(ids).cast(pl.String).str.zfill(12),
                    "customer_id": pl.Series(cust).cast(pl.String).str.zfill(7),
                    "created_at": created,
                    "amount_minor": amount,
                    "currency": "GBP",
                    "m": shop.astype(np.int64),
                }
            )
            .with_columns(
                ("tx_" + pl.col("transaction_id")).alias("transaction_id"),
                ("c_" + pl.col("customer_id")).alias("customer_id"),
            )
            .join(shops, on="m", how="left", maintain_order="left")
            .drop("m")
        )
        folder = tmp / f"year_month={lo:%Y-%m}"
        folder.mkdir(parents=True, exist_ok=True)
        frame.write_parquet(folder / "part-0.parquet")
        first_id += size
        print(f"  generated {lo:%Y-%m}: {size:,} rows", file=sys.stderr, flush=True)
    tmp.replace(out)


# --- the measured variants (each runs in its own subprocess) ---------------------------------


def run_library(data: Path, out: Path) -> None:
    from insights.reduce.partitioned import write_aggregates

    write_aggregates(data, out.parent, aggregates=["merchant_daily"], tz=TZ)
    (out.parent / "merchant_daily.parquet").replace(out)


def run_library_month(data: Path, out: Path) -> None:
    from insights.reduce.partitioned import write_aggregates

    write_aggregates(data, out.parent, aggregates=["merchant_daily"], tz=TZ, rows_per_pass=None)
    (out.parent / "merchant_daily.parquet").replace(out)


def run_library_split(data: Path, out: Path) -> None:
    from insights.reduce.partitioned import write_aggregates

    write_aggregates(data, out.parent, aggregates=["merchant_daily"], tz=TZ, split_days=8)
    (out.parent / "merchant_daily.parquet").replace(out)


def run_polars(data: Path, out: Path) -> None:
    tx = pl.scan_parquet(str(data / "**" / "*.parquet"), hive_partitioning=False)
    amount = pl.col("amount_minor")
    day = pl.col("created_at").dt.convert_time_zone(TZ).dt.date().alias("day")
    visits = tx.group_by("merchant_id", day, "customer_id").agg(
        amount.sum().alias("spend_minor"),
        (amount > 0).sum().alias("payments"),
        (-amount).clip(lower_bound=0).sum().alias("refund_minor"),
    )
    daily = visits.group_by("merchant_id", "day").agg(
        pl.col("spend_minor").sum(),
        pl.col("payments").sum().cast(pl.Int64),
        (pl.col("payments") > 0).sum().cast(pl.Int64).alias("customers"),
        (pl.col("payments") >= 2).sum().cast(pl.Int64).alias("repeat_customers"),
        pl.col("refund_minor").sum(),
    )
    attributes = tx.select("merchant_id", *ATTRIBUTES, "is_online").unique(
        "merchant_id", keep="any"
    )
    result = daily.join(attributes, on="merchant_id", how="left")
    result.collect().write_parquet(out)


DUCKDB_SQL = """
COPY (
  WITH visits AS (
    SELECT merchant_id, CAST(created_at AS DATE) AS day, customer_id,
           SUM(amount_minor) AS spend_minor,
           COUNT(*) FILTER (WHERE amount_minor > 0) AS payments,
           SUM(CASE WHEN amount_minor < 0 THEN -amount_minor ELSE 0 END) AS refund_minor
    FROM read_parquet('{data}/**/*.parquet', hive_partitioning = false)
    GROUP BY ALL
  ), daily AS (
    SELECT merchant_id, day,
           CAST(SUM(spend_minor) AS BIGINT) AS spend_minor,
           CAST(SUM(payments) AS BIGINT) AS payments,
           COUNT(*) FILTER (WHERE payments > 0) AS customers,
           COUNT(*) FILTER (WHERE payments >= 2) AS repeat_customers,
           CAST(SUM(refund_minor) AS BIGINT) AS refund_minor
    FROM visits GROUP BY ALL
  ), attributes AS (
    SELECT merchant_id, ANY_VALUE(merchant_name) AS merchant_name,
           ANY_VALUE(merchant_group_id) AS merchant_group_id,
           ANY_VALUE(merchant_category) AS merchant_category,
           ANY_VALUE(merchant_city) AS merchant_city, ANY_VALUE(is_online) AS is_online
    FROM read_parquet('{data}/**/*.parquet', hive_partitioning = false)
    GROUP BY merchant_id
  )
  SELECT * FROM daily LEFT JOIN attributes USING (merchant_id)
) TO '{out}' (FORMAT parquet)
"""


def run_duckdb(data: Path, out: Path) -> None:
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET TimeZone = '{TZ}'")  # CAST(timestamptz AS DATE) uses the session zone
    con.execute(f"SET temp_directory = '{out.parent / 'duckdb.tmp'}'")
    con.execute(DUCKDB_SQL.format(data=data.as_posix(), out=out.as_posix()))
    con.close()


def run_scan(data: Path, out: Path) -> None:
    rows = 0
    for file in sorted(data.rglob("*.parquet")):
        rows += pl.read_parquet(file, columns=NEEDED).height
    out.write_text(f"{rows}\n")


def run_hash(data: Path, out: Path) -> None:
    day = pl.col("created_at").dt.date().alias("day")
    groups = 0
    for file in sorted(data.rglob("*.parquet")):
        keys = pl.scan_parquet(file).group_by("merchant_id", day, "customer_id").agg(pl.len())
        groups += keys.collect().height
    out.write_text(f"{groups}\n")


RUNNERS = {
    "library": run_library,
    "library_month": run_library_month,
    "library_split": run_library_split,
    "polars": run_polars,
    "duckdb": run_duckdb,
    "scan": run_scan,
    "hash": run_hash,
}


# --- measuring -------------------------------------------------------------------------------


@dataclass
class Measure:
    wall: float
    cpu: float
    peak_gb: float
    ok: bool


def measure(variant: str, data: Path, out: Path) -> Measure:
    """Run one variant in a fresh interpreter; wall, CPU and peak RSS of that process.

    The child is started by ``/usr/bin/time`` so that its peak RSS is its own (a process
    forked from this one would start with this process's resident pages counted).
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    stats = out.with_suffix(".time")
    command = [
        "/usr/bin/time",
        "-f",
        "%e %U %S %M",
        "-o",
        str(stats),
        sys.executable,
        __file__,
        "--child",
        variant,
        str(data),
        str(out),
    ]
    returncode = subprocess.run(command, check=False).returncode
    fields = stats.read_text().split()[-4:]
    wall, user, system, peak_kib = (float(x) for x in fields)
    return Measure(wall=wall, cpu=user + system, peak_gb=peak_kib / 1024**2, ok=returncode == 0)


def check_equal(outs: dict[str, Path]) -> str:
    """Check the results are equal, in a subprocess (this process stays small)."""
    args = [f"{variant}={path}" for variant, path in outs.items() if variant not in FLOORS]
    done = subprocess.run(
        [sys.executable, __file__, "--check", *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        return f"RESULTS DIFFER: {done.stderr.strip().splitlines()[-1]}"
    return done.stdout.strip()


def _check(pairs: list[str]) -> None:
    from polars.testing import assert_frame_equal

    keys = ["merchant_id", "day"]
    outs = dict(pair.split("=", 1) for pair in pairs)
    if "polars" not in outs:
        print("not checked (no polars baseline)")
        return
    reference = pl.read_parquet(outs.pop("polars")).sort(keys)
    for path in outs.values():
        frame = pl.read_parquet(path).sort(keys)
        assert_frame_equal(frame.select(reference.columns), reference)
    print(f"{', '.join(outs)} equal to polars ({reference.height:,} rows)")


def _paired(results: dict[str, list[Measure]], variant: str, base: str, field: str) -> str:
    """Median over repetitions of ``variant / base``, each from the same repetition.

    Variants run interleaved, so a repetition's ratio compares runs taken under the same
    load; the median of those ratios is steadier than the ratio of medians on a shared box.
    """
    pairs = zip(results[variant], results[base], strict=True)
    ratios = [getattr(v, field) / getattr(b, field) for v, b in pairs if getattr(b, field) > 0]
    return f"{statistics.median(ratios):.2f}×" if ratios else "-"


def _machine() -> str:
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    versions = ", ".join(
        f"{name} {importlib.metadata.version(name)}" for name in ("polars", "narwhals", "duckdb")
    )
    return (
        f"{platform.machine()}, {os.cpu_count()} cores (nproc {len(os.sched_getaffinity(0))}), "
        f"{mem:.0f} GiB RAM, Python {platform.python_version()}, {versions}"
    )


def _load(when: str) -> str:
    """The 1/5/15-minute load averages: on a shared 2-core machine, read ratios with them."""
    one, five, fifteen = os.getloadavg()
    return f"{when}: {one:.1f} / {five:.1f} / {fifteen:.1f} (1/5/15 min)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--child", nargs=3, metavar=("VARIANT", "DATA", "OUT"), help=argparse.SUPPRESS
    )
    parser.add_argument("--rows", type=lambda s: int(s.replace("_", "")), action="append")
    parser.add_argument("--customers", type=int, default=1_500_000)
    parser.add_argument("--merchants", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated")
    parser.add_argument("--data-dir", type=Path, default=Path(__file__).with_name(".data"))
    parser.add_argument("--keep-data", action="store_true")
    parser.add_argument("--no-check", action="store_true")
    parser.add_argument("--no-write", action="store_true", help="do not append to the results")
    parser.add_argument("--check", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--generate", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        data, rows, customers, merchants = args.generate
        generate(Path(data), rows=int(rows), customers=int(customers), merchants=int(merchants))
        return 0
    if args.check:
        _check(args.check)
        return 0
    if args.child:
        variant, data, out = args.child
        RUNNERS[variant](Path(data), Path(out))
        return 0
    variants = [v for v in args.variants.split(",") if v]
    lines = [
        f"## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"Machine: {_machine()}.",
        "",
        f"Command: `{' '.join([Path(sys.executable).name, *sys.argv])}`",
        "",
        f"Data: one year, 12 UTC-month partitions, {args.customers:,} customers, "
        f"{args.merchants:,} merchants; aggregate: merchant_daily ({TZ} days). "
        f"Median of {args.repeat} runs, each a fresh process; ratios are medians of "
        "per-run ratios.",
        "",
        "| rows | variant | wall s | CPU s | peak RSS GB | wall vs polars | CPU vs polars "
        "| wall vs scan |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    notes = [_load("load average at the start")]
    for rows in args.rows or [10_000_000]:
        data = args.data_dir / f"tx_{rows}"
        if not data.exists():
            print(f"generating {rows:,} rows in {data}", file=sys.stderr)
            started = time.perf_counter()
            # In a subprocess, so that this process stays small.
            subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--generate",
                    str(data),
                    str(rows),
                    str(args.customers),
                    str(args.merchants),
                ],
                check=True,
            )
            notes.append(f"generating {rows:,} rows took {time.perf_counter() - started:.0f}s")
        results: dict[str, list[Measure]] = {v: [] for v in variants}
        outs = {v: args.data_dir / "out" / f"{v}_{rows}.parquet" for v in variants}
        for attempt in range(args.repeat):
            for variant in variants:
                m = measure(variant, data, outs[variant])
                results[variant].append(m)
                print(
                    f"{rows:>12,} {variant:<8} run {attempt + 1}: {m.wall:6.1f}s wall "
                    f"{m.cpu:6.1f}s cpu {m.peak_gb:5.2f} GB{'' if m.ok else ' FAILED'}",
                    file=sys.stderr,
                    flush=True,
                )
            if attempt == 0 and not args.no_check:
                done = {v: p for v, p in outs.items() if results[v][0].ok}
                notes.append(f"{rows:,} rows: {check_equal(done)}")
        medians = {
            v: (
                statistics.median(m.wall for m in ms),
                statistics.median(m.cpu for m in ms),
                statistics.median(m.peak_gb for m in ms),
                all(m.ok for m in ms),
            )
            for v, ms in results.items()
        }
        polars_ok = "polars" in medians and medians["polars"][3]
        for variant, (wall, cpu, peak, ok) in medians.items():
            label = variant if ok else f"{variant} (FAILED)"
            lines.append(
                f"| {rows:,} | {label} | {wall:.1f} | {cpu:.1f} | {peak:.2f} | "
                f"{_paired(results, variant, 'polars', 'wall') if polars_ok else '-'} | "
                f"{_paired(results, variant, 'polars', 'cpu') if polars_ok else '-'} | "
                f"{_paired(results, variant, 'scan', 'wall') if 'scan' in results else '-'} |"
            )
        shutil.rmtree(args.data_dir / "out", ignore_errors=True)
        if not args.keep_data:
            shutil.rmtree(data)
    notes.append(_load("at the end"))
    lines += ["", *(f"- {note}" for note in notes), ""]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        previous = RESULTS.read_text() if RESULTS.exists() else "# Reduce benchmark results\n\n"
        RESULTS.write_text(previous.rstrip("\n") + "\n\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
