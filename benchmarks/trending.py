"""Benchmark of the trending computation: the library against a hand-written polars baseline.

Run from the repository root::

    .venv/bin/python benchmarks/trending.py            # sample + 10M rows, 3 repeats
    .venv/bin/python benchmarks/trending.py --quick    # smoke run: sample only, 1 repeat

Data sets:

* ``sample``: the bundled sample, ``data/sample/transactions`` (``insights sample``; 3.85M
  rows, 50k customers, 2023-10 to 2025-09);
* ``10M``: the same generator at scale, ``insights.data.sample.write_sample(dir,
  customers=130_000)`` (about 10.0M rows, seed 42, same dates, cities and planted stories),
  written once to ``benchmarks/.data/trending_c130000_seed42/`` and reused (``--regenerate``
  makes it again). How it was made is printed and recorded with the results.

Variants, each run ``--repeats`` times (default 3), every run a fresh Python process started by
``/usr/bin/time`` (its own peak RSS), runs of the two variants interleaved:

* ``library``: ``insights.merchant_monthly(tx, tz=TZ)`` collected to a polars DataFrame, then
  ``insights.trending_merchants(monthly, month=MONTH, city=CITY)`` (defaults: top 10, at least
  10 customers, 3 baseline months, gamma–Poisson score with the beta–binomial penalty);
* ``baseline``: hand-written polars, one lazy query for the same monthly aggregate (per
  merchant and Europe/London calendar month: net spend, payments, distinct paying customers,
  repeat customers = customers with two or more payments, refunded amount; refunds are not
  visits; merchant attributes joined back), collected; then a *simple ratio score* on it
  (in-person places of CITY active in MONTH, not chains, at least 10 customers, first seen at
  least 3 months before MONTH; ``score = (repeat + 1) / (mean repeat over the 3 months before
  + 1)``; top 10 by score). It does the library's filtering and ranking work, without the
  city × category movement, the gamma–Poisson posterior quantile and the repeat-rate penalty.

In both, ``tx`` is ``pl.scan_parquet`` of the partition files (``--input scan``: Parquet
reading is inside the timer), or the same files read into a DataFrame before the timer starts
(``--input memory``: what a notebook holds after ``load_transactions``, minus validation).

Reported: the median over repeats of the timed section (``reduce`` = monthly aggregate
collected; ``score`` = the ranking on it; ``total``), the process wall time (interpreter start
and imports included) and peak RSS, and the library / baseline ratio of the medians. After the
runs, the monthly aggregates of the two variants (written by their first run, outside the
timer) are checked to be equal (row count, totals, then frame equality). The table goes to
stdout and to ``benchmarks/trending_results.md`` (between the ``results`` markers).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
from _common import machine, median, versions, write_results

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
DATA_DIR = Path(__file__).resolve().parent / ".data"
HEADER = (
    "# Trending benchmark\n\n"
    "`benchmarks/trending.py` times `insights.merchant_monthly` + "
    "`insights.trending_merchants` against a hand-written polars baseline of the same "
    "monthly aggregate with a simple ratio score (see the script's docstring). The "
    "block between the `results` markers is rewritten by each run.\n\n"
)
RESULTS = Path(__file__).resolve().parent / "trending_results.md"

TZ = "Europe/London"
MONTH = "2025-09"
CITY = "London"
TOP_N = 10
MIN_CUSTOMERS = 10
BASELINE_MONTHS = 3
CHAIN_MIN_CITIES = 2
CHAIN_MIN_LOCATIONS = 3
BIG_CUSTOMERS = 130_000  # write_sample(customers=130_000) gives ~10.0M transactions
SEED = 42
VARIANTS = ("library", "baseline")
ATTRIBUTES = (
    "merchant_name",
    "merchant_group_id",
    "merchant_category",
    "merchant_city",
    "is_online",
)
METRICS = ("spend_minor", "payments", "customers", "repeat_customers", "refund_minor")
COLUMNS = (
    "customer_id",
    "created_at",
    "amount_minor",
    "merchant_id",
    *ATTRIBUTES,
)


# --- data -----------------------------------------------------------------------------------


def _files(data: Path) -> list[str]:
    files = sorted(str(p) for p in (data / "transactions").rglob("*.parquet"))
    if not files:
        raise SystemExit(f"no Parquet files under {data / 'transactions'}")
    return files


def _big_data(*, regenerate: bool) -> tuple[Path, str]:
    """The ~10M-row data set, generated once; return its folder and how it was made."""
    out = DATA_DIR / f"trending_c{BIG_CUSTOMERS}_seed{SEED}"
    how = (
        f"`insights.data.sample.write_sample(dir, customers={BIG_CUSTOMERS:_}, seed={SEED})` "
        "(default dates 2023-10-01 to 2025-09-30), cached in "
        f"`{out.relative_to(ROOT)}/`"
    )
    if regenerate:
        shutil.rmtree(out, ignore_errors=True)
    if (out / "truth.json").is_file():
        rows = json.loads((out / "truth.json").read_text())["rows"]["transactions"]
        print(f"10M data: reusing {out} ({rows:,} rows), made by {how}", file=sys.stderr)
        return out, how
    tmp = out.with_name(out.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"10M data: generating with {how} ...", file=sys.stderr, flush=True)
    started = time.perf_counter()
    code = (
        "import sys; from insights.data.sample import write_sample; "
        f"write_sample(sys.argv[1], customers={BIG_CUSTOMERS}, seed={SEED}, progress=True)"
    )
    # In a subprocess, so that this process stays small.
    subprocess.run([sys.executable, "-c", code, str(tmp)], check=True)
    tmp.replace(out)
    rows = json.loads((out / "truth.json").read_text())["rows"]["transactions"]
    print(
        f"10M data: {rows:,} rows written in {time.perf_counter() - started:.0f}s",
        file=sys.stderr,
    )
    return out, how


def _warm(data: Path) -> None:
    """Read every partition file once so that no variant pays for a cold page cache."""
    for name in _files(data):
        with open(name, "rb") as handle:
            while handle.read(1 << 24):
                pass


# --- the measured variants (each runs in its own subprocess) ---------------------------------


def _transactions(data: Path, mode: str) -> pl.LazyFrame | pl.DataFrame:
    scan = pl.scan_parquet(_files(data), hive_partitioning=False).select(COLUMNS)
    return scan if mode == "scan" else scan.collect()


def _library(tx: pl.LazyFrame | pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, float]:
    import insights

    started = time.perf_counter()
    monthly = insights.merchant_monthly(tx, tz=TZ)
    if isinstance(monthly, pl.LazyFrame):  # a lazy scan in gives a lazy aggregate out
        monthly = monthly.collect()
    reduced = time.perf_counter()
    trending = insights.trending_merchants(
        monthly,
        month=MONTH,
        city=CITY,
        top_n=TOP_N,
        min_customers=MIN_CUSTOMERS,
        baseline_months=BASELINE_MONTHS,
        tz=TZ,
    )
    return monthly, trending, reduced - started


def baseline_monthly(tx: pl.LazyFrame | pl.DataFrame) -> pl.DataFrame:
    """Return the monthly per-merchant aggregate, written directly in polars."""
    amount = pl.col("amount_minor")
    month = (
        pl.col("created_at").dt.convert_time_zone(TZ).dt.date().dt.truncate("1mo").alias("month")
    )
    lazy = tx.lazy()
    visits = lazy.group_by("merchant_id", month, "customer_id").agg(
        amount.sum().alias("spend_minor"),
        (amount > 0).sum().alias("payments"),
        (-amount).clip(lower_bound=0).sum().alias("refund_minor"),
    )
    monthly = visits.group_by("merchant_id", "month").agg(
        pl.col("spend_minor").sum(),
        pl.col("payments").sum().cast(pl.Int64),
        (pl.col("payments") > 0).sum().cast(pl.Int64).alias("customers"),
        (pl.col("payments") >= 2).sum().cast(pl.Int64).alias("repeat_customers"),
        pl.col("refund_minor").sum(),
    )
    attributes = lazy.select("merchant_id", *ATTRIBUTES).unique("merchant_id", keep="any")
    return (
        monthly.join(attributes, on="merchant_id", how="left")
        .select("merchant_id", *ATTRIBUTES, "month", *METRICS)
        .collect()
    )


def baseline_scores(monthly: pl.DataFrame) -> pl.DataFrame:
    """Return the simple ratio score: (repeat + 1) / (baseline mean repeat + 1), top N."""
    target = date.fromisoformat(MONTH + "-01")
    index = target.year * 12 + target.month - 1 - BASELINE_MONTHS
    start = date(index // 12, index % 12 + 1, 1)
    chains = (
        monthly.group_by("merchant_group_id")
        .agg(
            pl.col("merchant_city").drop_nulls().n_unique().alias("cities"),
            pl.col("merchant_id").n_unique().alias("locations"),
        )
        .filter(
            (pl.col("cities") >= CHAIN_MIN_CITIES) | (pl.col("locations") >= CHAIN_MIN_LOCATIONS)
        )
        .get_column("merchant_group_id")
    )
    history = monthly.group_by("merchant_id").agg(
        pl.col("month").min().alias("first_month"),
        (
            pl.col("repeat_customers")
            .filter(pl.col("month").is_between(start, target, closed="left"))
            .sum()
            / BASELINE_MONTHS
        ).alias("baseline_repeat"),
    )
    return (
        monthly.filter(
            pl.col("month") == target,
            pl.col("merchant_city") == CITY,
            ~pl.col("is_online"),
            ~pl.col("merchant_group_id").is_in(chains.implode()),
            pl.col("customers") >= MIN_CUSTOMERS,
        )
        .join(history, on="merchant_id", how="left")
        .filter(pl.col("first_month") <= start)
        .with_columns(
            ((pl.col("repeat_customers") + 1) / (pl.col("baseline_repeat") + 1)).alias("score")
        )
        .sort(["score", "merchant_id"], descending=[True, False])
        .head(TOP_N)
        .with_row_index("rank", offset=1)
    )


def _baseline(tx: pl.LazyFrame | pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, float]:
    started = time.perf_counter()
    monthly = baseline_monthly(tx)
    reduced = time.perf_counter()
    return monthly, baseline_scores(monthly), reduced - started


def child(variant: str, data: Path, mode: str, out: Path, save: bool) -> None:
    """Run one variant once and write its timings (and, if ``save``, its outputs) to ``out``."""
    if variant == "library":
        import insights

        # Load the lazily imported modules before the timer, as a notebook's imports would.
        _ = (insights.merchant_monthly, insights.trending_merchants)
    tx = _transactions(data, mode)
    started, cpu_started = time.perf_counter(), time.process_time()
    monthly, ranked, reduce_s = (_library if variant == "library" else _baseline)(tx)
    total, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    if save:
        monthly.write_parquet(out.with_suffix(".monthly.parquet"))
        ranked.write_parquet(out.with_suffix(".ranked.parquet"))
    timings = {"reduce": reduce_s, "score": total - reduce_s, "total": total, "cpu": cpu}
    out.with_suffix(".json").write_text(json.dumps(timings))


# --- measuring -------------------------------------------------------------------------------


@dataclass
class Run:
    reduce: float
    score: float
    total: float
    cpu: float
    wall: float
    peak_gb: float


def measure(variant: str, data: Path, mode: str, out: Path, *, save: bool) -> Run:
    """Run one variant in a fresh interpreter started by ``/usr/bin/time``."""
    stats = out.with_suffix(".time")
    command = [
        "/usr/bin/time",
        "-f",
        "%e %M",
        "-o",
        str(stats),
        sys.executable,
        __file__,
        "--child",
        variant,
        str(data),
        mode,
        str(out),
        "save" if save else "nosave",
    ]
    subprocess.run(command, check=True)
    wall, peak_kib = (float(x) for x in stats.read_text().split()[-2:])
    timings = json.loads(out.with_suffix(".json").read_text())
    return Run(
        reduce=timings["reduce"],
        score=timings["score"],
        total=timings["total"],
        cpu=timings["cpu"],
        wall=wall,
        peak_gb=peak_kib / 1024**2,
    )


def compare(work: Path, stem: str) -> tuple[bool, str]:
    """Compare the two variants' monthly aggregates; return (equal, one-line summary)."""
    from polars.testing import assert_frame_equal

    keys = ["merchant_id", "month"]
    lib = pl.read_parquet(work / f"library-{stem}.monthly.parquet").sort(keys)
    base = pl.read_parquet(work / f"baseline-{stem}.monthly.parquet").sort(keys)
    totals = {name: (lib.get_column(name).sum(), base.get_column(name).sum()) for name in METRICS}
    shown = ", ".join(f"{name} {a:,}" for name, (a, _) in totals.items())
    if lib.height != base.height or any(a != b for a, b in totals.values()):
        differing = {k: v for k, v in totals.items() if v[0] != v[1]}
        return False, (
            f"DIFFER: rows {lib.height:,} vs {base.height:,}; totals (library, baseline) "
            f"{differing}"
        )
    try:
        assert_frame_equal(lib.select(base.columns), base)
    except AssertionError as exc:
        return False, f"same rows and totals but frames differ: {str(exc).splitlines()[0]}"
    ranked = pl.read_parquet(work / f"library-{stem}.ranked.parquet")
    simple = pl.read_parquet(work / f"baseline-{stem}.ranked.parquet")
    overlap = len(set(ranked["merchant_id"]) & set(simple["merchant_id"]))
    return True, (
        f"equal: {lib.height:,} rows; totals {shown}. Ranked lists: library {ranked.height}, "
        f"baseline {simple.height} places, {overlap} in both."
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="Run from the repository root: .venv/bin/python benchmarks/trending.py",
    )
    parser.add_argument("--repeats", type=int, default=3, help="runs per variant (default 3)")
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: sample only, scan input, 1 repeat"
    )
    parser.add_argument(
        "--datasets",
        default="sample,10M",
        help="comma-separated: sample, 10M (default both)",
    )
    parser.add_argument(
        "--input",
        default="scan,memory",
        help="comma-separated: scan (Parquet read inside the timer), memory (read before it)",
    )
    parser.add_argument("--sample", type=Path, default=SAMPLE, help="sample data folder")
    parser.add_argument("--regenerate", action="store_true", help="make the 10M data again")
    parser.add_argument("--no-write", action="store_true", help=f"do not write {RESULTS.name}")
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        variant, data, mode, out, save = args.child
        child(variant, Path(data), mode, Path(out), save == "save")
        return 0
    if args.quick:
        args.repeats, args.datasets, args.input = 1, "sample", "scan"
    if not (args.sample / "transactions").is_dir():
        raise SystemExit(f"{args.sample}: no sample; make it with `insights sample --out {SAMPLE}`")

    began = time.perf_counter()
    load_before = os.getloadavg()
    datasets: dict[str, Path] = {}
    notes = []
    for name in args.datasets.split(","):
        if name == "sample":
            datasets[name] = args.sample
        elif name == "10M":
            datasets[name], how = _big_data(regenerate=args.regenerate)
            notes.append(f"10M data made by {how}.")
        else:
            raise SystemExit(f"unknown data set {name!r} (sample, 10M)")
    modes = args.input.split(",")

    rows = []
    checks = []
    with tempfile.TemporaryDirectory(prefix="trending-bench-") as tmp:
        work = Path(tmp)
        for name, data in datasets.items():
            _warm(data)
            height = pl.scan_parquet(_files(data)).select(pl.len()).collect().item()
            for mode in modes:
                stem = f"{name}-{mode}"
                runs: dict[str, list[Run]] = {v: [] for v in VARIANTS}
                for repeat in range(args.repeats):
                    # Alternate the order so that neither variant always runs first.
                    order = VARIANTS if repeat % 2 == 0 else VARIANTS[::-1]
                    for variant in order:
                        run = measure(
                            variant, data, mode, work / f"{variant}-{stem}", save=repeat == 0
                        )
                        runs[variant].append(run)
                        print(
                            f"{name:>6} {mode:<6} {variant:<8} run {repeat + 1}: "
                            f"{run.total:6.2f}s timed ({run.cpu:6.2f}s CPU), "
                            f"{run.wall:6.2f}s process, "
                            f"{run.peak_gb:.2f} GB",
                            file=sys.stderr,
                            flush=True,
                        )
                ok, summary = compare(work, stem)
                checks.append(f"{name} / {mode}: {summary}")
                base_total = median(runs["baseline"], "total")
                base_wall = median(runs["baseline"], "wall")
                base_cpu = median(runs["baseline"], "cpu")
                for variant in VARIANTS:
                    sel = runs[variant]
                    total = median(sel, "total")
                    wall = median(sel, "wall")
                    spread = f"{min(r.total for r in sel):.2f}–{max(r.total for r in sel):.2f}"
                    rows.append(
                        f"| {name} | {height:,} | {mode} | {variant} | "
                        f"{median(sel, 'reduce'):.2f} | {median(sel, 'score'):.2f} | "
                        f"{total:.2f} | {spread} | {total / base_total:.2f}× | "
                        f"{median(sel, 'cpu'):.2f} | {median(sel, 'cpu') / base_cpu:.2f}× | "
                        f"{wall:.2f} | {wall / base_wall:.2f}× | {median(sel, 'peak_gb'):.2f} |"
                        + ("" if ok else " **aggregates differ** |")
                    )
    load_after = os.getloadavg()
    command = " ".join([".venv/bin/python", "benchmarks/trending.py", *sys.argv[1:]])
    threads = f"POLARS_MAX_THREADS={os.environ.get('POLARS_MAX_THREADS', 'unset')}"
    lines = [
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine(extra=threads)}; "
        f"total runtime {time.perf_counter() - began:.0f}s; load average (1 min) "
        f"{load_before[0]:.1f} before, {load_after[0]:.1f} after.",
        "",
        f"Command: `{command}`",
        "",
        f"Versions: {versions(('insights', 'polars', 'narwhals', 'numpy', 'scipy'))}.",
        "",
        f"Parameters: month={MONTH}, city={CITY}, tz={TZ}, top_n={TOP_N}, "
        f"min_customers={MIN_CUSTOMERS}, baseline_months={BASELINE_MONTHS}. Medians of "
        f"{args.repeats} runs per variant, each a fresh process, variants interleaved.",
        "",
        "`reduce`: monthly aggregate collected; `score`: ranking on it; `timed` = reduce + "
        "score (input `scan`: Parquet read included; `memory`: data read before the timer); "
        "`timed CPU`: CPU time (all threads) of the timed section, less sensitive than wall "
        "time to other load on the machine; "
        "`process`: wall time of the whole process (interpreter, imports, reading); "
        "ratios are library / baseline of the medians.",
        "",
        "| data | rows | input | variant | reduce s | score s | timed s | timed range s "
        "| timed ratio | timed CPU s | CPU ratio | process s | process ratio | peak RSS GB |",
        "|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
        "Checks (monthly aggregates of the first runs, library against baseline):",
        "",
        *(f"- {check}" for check in checks),
        *(f"- {note}" for note in notes),
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        write_results(RESULTS, HEADER, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
