"""End-to-end benchmark: raw card data → marts → both reports, at several sizes, in one run.

Run from the repository root (it takes a while at 200M rows; nothing else should run)::

    .venv/bin/python benchmarks/pipeline.py --copies 1 --copies 13 --copies 52

**Data.** ``--copies 1`` is the default sample (``data/sample``: 3.85M transactions over two
years, written by ``insights sample`` if missing). ``--copies k`` replicates the sample's
*customers* ``k`` times: every customer, with their transactions, contacts and account, is
written ``k`` times, copy ``r`` with ``customer_id``, ``transaction_id`` and ``contact_id``
suffixed ``~r`` (``k = 13``: 50M transactions, ``k = 52``: 200M), transactions into the same
month partitions (one Parquet file per UTC month, one row group per copy), contacts and
customers into one file each, as the sample has them. Merchants, cities, brands, planted
stories and the calendar are the sample's, so both reports render the same parameters on every
size; counts of people scale by ``k``, the marts' rows do not.

**Measured**, each in a fresh process (``/usr/bin/time``: wall, CPU, peak RSS of the process
tree's largest process):

* ``reduce (marts)``: ``insights reduce RAW --out MARTS --full`` (every mart, from scratch);
* ``reduce (before)``: what ``insights reduce`` did before the marts,
  ``insights.write_aggregates(RAW/transactions, OUT)`` (five aggregates, transactions only);
* ``incremental``: a new day of data lands (30 September's transactions again with new ids, as
  a new file in the September partition, and 30 September's contacts again with new ids,
  appended to ``contacts.parquet``, which is rewritten as a daily export would) and
  ``insights reduce RAW --out MARTS`` runs again: it recomputes the local months those rows
  touch (September, and October's first hour) of the transaction and contact marts;
* ``render``: ``insights report run NAME --data MARTS --force`` for both reports, with the
  kernel's peak RSS sampled every 0.1 s (``psutil``) besides the tree's peak.

Run it ``nice``d (``nice -n 10``) on a shared machine; wall and CPU time are both recorded (on
a loaded machine CPU time is the comparable figure). Ratios are within this run: marts/before,
incremental/full, and each render against the sample's. The table goes to stdout and is
appended to ``benchmarks/pipeline_results.md`` with the date, machine, versions, load and
command. Generated data (under ``--work``, default ``benchmarks/.data/pipeline``) is deleted
unless ``--keep-data``. A size can be run on its own (``--copies 52``): the sample is always run
first, since renders are compared with its.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import psutil
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
INSIGHTS = [sys.executable, "-m", "insights.cli"]
REPORTS = {
    "trending_spending": ["-p", "month=2025-09", "-p", "city=London"],
    "contact_rate_forecast": ["-p", "as_of=2025-08-31"],
}


@dataclass(frozen=True)
class Measure:
    wall: float
    cpu: float
    peak_gb: float
    kernel_gb: float | None = None


def replicate(sample: Path, out: Path, copies: int) -> int:
    """Write ``copies`` copies of the sample's customers into ``out``; return the transactions."""
    if copies == 1:
        files = (sample / "transactions").rglob("*.parquet")
        return sum(pq.read_metadata(f).num_rows for f in files)
    rows = 0
    for file in sorted((sample / "transactions").rglob("*.parquet")):
        frame = pl.read_parquet(file)
        target = out / file.relative_to(sample)
        rows += _write_copies(frame, target, copies, ("customer_id", "transaction_id"))
    for name, ids in (
        ("contacts.parquet", ("customer_id", "contact_id")),
        ("customers.parquet", ("customer_id",)),
    ):
        _write_copies(pl.read_parquet(sample / name), out / name, copies, ids)
    return rows


def _write_copies(frame: pl.DataFrame, target: Path, copies: int, ids: tuple[str, ...]) -> int:
    """Write ``frame`` ``copies`` times (one row group each) with ``ids`` suffixed ``~r``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    writer = None
    for r in range(copies):
        copy = frame.with_columns(pl.col(c) + f"~{r}" for c in ids).to_arrow()
        if writer is None:
            writer = pq.ParquetWriter(target, copy.schema)
        writer.write_table(copy)
    assert writer is not None
    writer.close()
    return frame.height * copies


def add_a_day(raw: Path) -> int:
    """A new day lands: 30 September's transactions and contacts again, with new ids."""
    (raw / ".complete").unlink(missing_ok=True)  # no longer the generated copy
    september = raw / "transactions" / "year_month=2025-09"
    last_day = datetime(2025, 9, 30, tzinfo=UTC).date()
    day = pl.scan_parquet(sorted(september.glob("part-0.parquet"))).filter(
        pl.col("created_at").dt.date() == last_day
    )
    new = day.with_columns(pl.col("transaction_id") + "~new").collect()
    new.write_parquet(september / "part-new.parquet")
    contacts = pl.read_parquet(raw / "contacts.parquet")
    more = contacts.filter(pl.col("created_at").dt.date() == last_day).with_columns(
        pl.col("contact_id") + "~new"
    )
    # A daily export rewrites the one contacts file (under a new name, then renamed).
    pl.concat([contacts, more]).write_parquet(raw / "contacts.parquet.new")
    (raw / "contacts.parquet.new").replace(raw / "contacts.parquet")
    return new.height


def _timed(command: list[str], stats: Path) -> tuple[subprocess.Popen[bytes], list[str]]:
    full = ["/usr/bin/time", "-f", "%e %U %S %M", "-o", str(stats), *command]
    return subprocess.Popen(full, cwd=ROOT), full


def _read(stats: Path) -> tuple[float, float, float]:
    wall, user, system, peak_kib = (float(x) for x in stats.read_text().split()[-4:])
    return wall, user + system, peak_kib / 1024**2


def measure(command: list[str], work: Path, *, kernel: bool = False) -> Measure:
    """Run ``command`` in a fresh process; with ``kernel``, sample the kernel's RSS too."""
    stats = work / "time.txt"
    process, full = _timed(command, stats)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        root = psutil.Process(process.pid)
        while not done.is_set():
            try:
                for child in root.children(recursive=True):
                    try:
                        if "ipykernel" in " ".join(child.cmdline()):
                            peak[0] = max(peak[0], child.memory_info().rss)
                    except psutil.Error:
                        continue
            except psutil.Error:
                pass
            time.sleep(0.1)

    watcher = threading.Thread(target=sample, daemon=True)
    if kernel:
        watcher.start()
    code = process.wait()
    done.set()
    if code != 0:
        raise SystemExit(f"failed ({code}): {' '.join(full)}")
    wall, cpu, tree = _read(stats)
    return Measure(wall, cpu, tree, peak[0] / 1024**3 if kernel else None)


def run_size(copies: int, work: Path, before_max: int) -> dict[str, Measure | int]:
    raw = SAMPLE if copies == 1 else work / f"raw-x{copies}"
    started = time.perf_counter()
    ready = raw / ".complete"  # a copy generated earlier (--keep-data or --generate-only)
    if copies > 1 and ready.is_file():
        rows = int(ready.read_text())
    else:
        if copies > 1:
            shutil.rmtree(raw, ignore_errors=True)
        rows = replicate(SAMPLE, raw, copies)
        if copies > 1:
            ready.write_text(str(rows))
    print(f"x{copies}: {rows:,} rows ready in {time.perf_counter() - started:.0f}s", flush=True)
    marts, before = work / f"marts-x{copies}", work / f"before-x{copies}"
    shutil.rmtree(marts, ignore_errors=True)
    shutil.rmtree(before, ignore_errors=True)
    if copies == 1:  # the new day is added to a copy: the sample stays as it is
        day = work / "raw-x1"
        shutil.rmtree(day, ignore_errors=True)
        shutil.copytree(SAMPLE, day)
        raw = day
    out: dict[str, Measure | int] = {"rows": rows}
    out["full"] = measure(
        [*INSIGHTS, "reduce", str(raw), "--out", str(marts), "--full", "--quiet"], work
    )
    print(f"x{copies}: reduce {out['full']}", flush=True)
    for name, params in REPORTS.items():
        reports = work / f"reports-x{copies}"
        command = [*INSIGHTS, "report", "run", name, *params, "--data", str(marts)]
        out[name] = measure([*command, "--out", str(reports), "--force"], work, kernel=True)
        print(f"x{copies}: {name} {out[name]}", flush=True)
    added = add_a_day(raw)
    out["new_rows"] = added
    out["incremental"] = measure(
        [*INSIGHTS, "reduce", str(raw), "--out", str(marts), "--quiet"], work
    )
    print(f"x{copies}: incremental {out['incremental']}", flush=True)
    if copies <= before_max:
        # What `insights reduce` ran before the marts, on the same rows (the new day included).
        out["before"] = measure(
            [
                sys.executable,
                "-c",
                "import sys; from insights.reduce.partitioned import write_aggregates; "
                "write_aggregates(sys.argv[1], sys.argv[2])",
                str(raw / "transactions"),
                str(before),
            ],
            work,
        )
        print(f"x{copies}: before {out['before']}", flush=True)
        shutil.rmtree(before, ignore_errors=True)
    return out


def _machine() -> str:
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    versions = ", ".join(
        f"{n} {importlib.metadata.version(n)}" for n in ("polars", "narwhals", "papermill")
    )
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, {mem:.0f} GiB RAM, "
        f"Python {platform.python_version()}, {versions}"
    )


def table(results: dict[int, dict[str, Measure | int]]) -> list[str]:
    """One row per size; times as wall / CPU (user + system), ratios of CPU and of wall."""
    base = results[min(results)]

    def both(m: Measure | int) -> str:
        assert isinstance(m, Measure)
        return f"{m.wall:.1f} / {m.cpu:.1f} s"

    def ratio(a: Measure, b: Measure | int) -> str:
        assert isinstance(b, Measure)
        return f"{a.cpu / b.cpu:.2f}× ({a.wall / b.wall:.2f}×)"

    lines = [
        "| rows | full reduce to marts | before the marts | marts ÷ before, CPU (wall) "
        "| reduce peak: marts (before) | one new day | new day ÷ full, CPU (wall) "
        "| trending render | ÷ sample, CPU (wall) | trending kernel peak "
        "| contact render | ÷ sample, CPU (wall) | contact kernel peak |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
        "| ---: | ---: | ---: |",
    ]
    for _, r in sorted(results.items()):
        full, before, inc = r["full"], r.get("before"), r["incremental"]
        trend, contact = r["trending_spending"], r["contact_rate_forecast"]
        bt, bc = base["trending_spending"], base["contact_rate_forecast"]
        assert isinstance(full, Measure)
        assert isinstance(inc, Measure) and isinstance(trend, Measure)
        assert isinstance(contact, Measure) and isinstance(bt, Measure) and isinstance(bc, Measure)
        lines.append(
            f"| {r['rows']:,} | {both(full)} | {both(before) if before else 'not run'} "
            f"| {ratio(full, before) if before else '–'} | {full.peak_gb:.2f} "
            f"({before.peak_gb if before else 0:.2f}) GB | {both(inc)} | {ratio(inc, full)} "
            f"| {both(trend)} | {ratio(trend, bt)} | {trend.kernel_gb or 0:.2f} GB "
            f"| {both(contact)} | {ratio(contact, bc)} | {contact.kernel_gb or 0:.2f} GB |"
        )
    return lines


def record(
    lines: list[str],
    results: dict[int, dict[str, Measure | int]],
    began: float,
    load: tuple[float, float, float],
) -> None:
    """Append the table so far to ``benchmarks/pipeline_results.md``."""
    after = os.getloadavg()
    note = [
        "",
        f"## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"`{' '.join(sys.argv)}` on {_machine()}; {time.perf_counter() - began:.0f} s so far; "
        f"load (1 min) {load[0]:.1f} at the start, {after[0]:.1f} now. Times are wall / CPU "
        "(user + system). New day rows: "
        + ", ".join(f"x{k}: {r['new_rows']:,}" for k, r in sorted(results.items()))
        + ".",
        "",
        *lines,
        "",
    ]
    with (ROOT / "benchmarks" / "pipeline_results.md").open("a") as handle:
        handle.write("\n".join(note))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--copies", type=int, action="append", help="sample copies (repeat)")
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / ".data" / "pipeline")
    parser.add_argument("--keep-data", action="store_true")
    parser.add_argument("--no-record", action="store_true", help="do not append the results")
    parser.add_argument(
        "--generate-only", action="store_true", help="write the copies' raw data and stop"
    )
    parser.add_argument(
        "--before-max",
        type=int,
        default=1_000,
        help="measure the reduce before the marts only up to this many copies",
    )
    args = parser.parse_args()
    copies = sorted(set(args.copies or [1]))
    if 1 not in copies:
        copies = [1, *copies]  # renders are compared with the sample's
    if not (SAMPLE / "truth.json").is_file():
        subprocess.run([*INSIGHTS, "sample", "--out", str(SAMPLE)], check=True, cwd=ROOT)
    args.work.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()
    began = time.perf_counter()
    if args.generate_only:
        for k in copies[1:]:
            raw = args.work / f"raw-x{k}"
            shutil.rmtree(raw, ignore_errors=True)
            (raw / ".complete").parent.mkdir(parents=True)
            (raw / ".complete").write_text(str(replicate(SAMPLE, raw, k)))
        return 0
    results: dict[int, dict[str, Measure | int]] = {}
    for k in copies:
        results[k] = run_size(k, args.work, args.before_max)
        lines = table(results)
        print("\n".join(lines), flush=True)
        if not args.no_record:
            # Recorded size by size: a run stopped later keeps what it measured.
            record(lines, results, began, load)
    if not args.keep_data:
        shutil.rmtree(args.work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
