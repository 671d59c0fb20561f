"""The ``insights`` command line.

::

    insights sample   [--out data/sample] [--customers N] [--start D] [--end D] [--seed N]
    insights validate PATH --contract {transactions,customers,contacts} [--quarantine DIR]
    insights reduce   DATA_DIR --out MART_DIR [--tz TZ] [--engine polars|duckdb] [--only MART ...]
                      [--full] [--rows-per-pass N|month] [--split-days N] [--quiet]
    insights export-marts DATABASE --out MART_DIR [--tz TZ] [--schema main]
    insights report list | show NAME | index
    insights report run NAME [-p NAME=VALUE ...] [--data PATH] [--out reports/] [--force]
                             [--timeout-cell S] [--budget S] [--catalogue FILE]
    insights report schedule --as-of DATE [--schedule FILE] [--list] [--data PATH] [--out reports/]
    insights forecasts track [--archive reports/_forecasts] [--report NAME] [--as-of DATE]

Exit codes: 0 success, 1 the data or a report failed, 2 a usage or parameter error.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from insights._common import CATALOGUE_FILE, DEFAULT_TZ, REPORTS_DIR, SAMPLE_DIR, SCHEDULE_FILE
from insights.data.contracts import CONTRACT_NAMES
from insights.errors import ContractError, InsightsError, ParameterError
from insights.reduce.marts import MART_NAMES

__all__ = ["main"]


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc


def _cmd_sample(args: argparse.Namespace) -> int:
    from insights.data.sample import write_sample

    started = time.perf_counter()
    truth = write_sample(
        args.out,
        customers=args.customers,
        start=args.start,
        end=args.end,
        seed=args.seed,
        progress=True,
    )
    rows = truth["rows"]
    print(
        f"wrote sample data to {args.out}/ in {time.perf_counter() - started:.1f}s: "
        f"{rows['transactions']:,} transactions, {rows['customers']:,} customers, "
        f"{rows['contacts']:,} contacts (planted stories in {args.out}/truth.json)"
    )
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from insights.data.io import load_table, validate_path

    if args.quarantine is None:
        report = validate_path(args.path, contract=args.contract)
        print(report)
        return 0 if report.ok else 1
    valid = load_table(
        args.path, contract=args.contract, on_invalid="quarantine", quarantine_dir=args.quarantine
    )
    print(f"{args.path}: {valid.height:,} valid rows; rejected rows (if any) in {args.quarantine}/")
    return 0


def _cmd_reduce(args: argparse.Namespace) -> int:
    from insights.reduce.pipeline import write_marts

    passes = {} if args.rows_per_pass is None else {"rows_per_pass": args.rows_per_pass.value}
    summary = write_marts(
        args.data_dir,
        args.out,
        marts=args.only or MART_NAMES,
        tz=args.tz,
        engine=args.engine,
        progress=not args.quiet,
        split_days=args.split_days,
        full=args.full,
        **passes,
    )
    print(summary)
    return 0


def _cmd_export_marts(args: argparse.Namespace) -> int:
    from insights.reduce.warehouse import export_marts

    out = export_marts(args.database, args.out, tz=args.tz, schema=args.schema)
    print(f"wrote the marts of {args.database} to {out}/ (manifest.json)")
    return 0


@dataclass(frozen=True)
class _Passes:
    value: int | None


def _rows_per_pass(text: str) -> _Passes:
    if text.strip().lower() == "month":
        return _Passes(None)
    try:
        rows = int(text.replace("_", "").replace(",", ""))
    except ValueError:
        rows = 0
    if rows < 1:
        msg = f"expected a positive number of rows (e.g. 8_000_000) or 'month', got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return _Passes(rows)


def _params(pairs: Sequence[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ParameterError(f"-p {pair!r}: write parameters as -p NAME=VALUE")
        if name.strip() in params:
            raise ParameterError(f"-p {name.strip()} given twice; pass each parameter once")
        params[name.strip()] = value
    return params


def _cmd_report_list(args: argparse.Namespace) -> int:
    from insights.reports import load_catalogue

    catalogue = load_catalogue(args.catalogue)
    for spec in catalogue.reports.values():
        print(f"{spec.name:<24} {spec.title}")
        for param in spec.params:
            if not param.runner or param.name == "data_path":
                print(f"    {param.name}: {param.type} = {param.default_text()}")
    return 0


def _cmd_report_show(args: argparse.Namespace) -> int:
    from insights.reports import load_catalogue

    print(load_catalogue(args.catalogue).get(args.name).describe())
    return 0


def _cmd_report_run(args: argparse.Namespace) -> int:
    from insights.reports import run_report

    result = run_report(
        args.name,
        _params(args.param),
        data=args.data,
        out=args.out,
        catalogue=args.catalogue,
        force=args.force,
        cell_timeout=args.timeout_cell,
        budget=args.budget,
    )
    for note in result.notes:
        print(f"{args.name}: {note}")
    if result.status == "skipped":
        print(
            f"{args.name}: already published for these parameters and data at "
            f"{result.path}/ (use --force to render again)"
        )
    else:
        seconds = result.manifest["duration_seconds"]
        print(f"{args.name}: published {result.path}/ in {seconds:.1f}s")
    return 0


def _cmd_report_schedule(args: argparse.Namespace) -> int:
    from insights.reports import run_schedule

    if args.list:
        import json

        from insights.reports import due_runs, load_schedule

        for due in due_runs(load_schedule(args.schedule), as_of=args.as_of):
            print(json.dumps({"report": due.report, "params": due.params, "label": due.label()}))
        return 0
    outcomes = run_schedule(
        args.as_of,
        schedule=args.schedule,
        catalogue=args.catalogue,
        data=args.data,
        out=args.out,
        force=args.force,
        cell_timeout=args.timeout_cell,
        budget=args.budget,
    )
    width = max([len(o.run.label()) for o in outcomes] + [6])
    print(f"{'report':<{width}}  {'status':<9}  detail")
    for outcome in outcomes:
        detail = outcome.detail.splitlines()[0] if outcome.detail else ""
        print(f"{outcome.run.label():<{width}}  {outcome.status:<9}  {detail}")
    failed = sum(o.status == "failed" for o in outcomes)
    print(
        f"{len(outcomes)} due as of {args.as_of}: "
        f"{sum(o.status == 'published' for o in outcomes)} published, "
        f"{sum(o.status == 'skipped' for o in outcomes)} skipped, {failed} failed"
    )
    return 1 if failed else 0


def _cmd_report_index(args: argparse.Namespace) -> int:
    from insights.reports import write_index

    print(f"wrote {write_index(args.out)}")
    return 0


def _cmd_forecasts_track(args: argparse.Namespace) -> int:
    import polars as pl

    from insights.forecasting.accuracy import forecast_accuracy, tracking_summary
    from insights.forecasting.archive import read_forecast_archive
    from insights.forecasting.tracking import scored_forecasts
    from insights.publish.display import column_label

    folder = args.archive / args.report if args.report else args.archive
    archive = read_forecast_archive(folder)
    if archive.height == 0:
        print(
            f"No forecasts are archived in {folder}/ yet: reports archive their forecasts "
            "when they are published, and the next run scores them."
        )
        return 0
    groups = archive.select("report", "target").unique().sort("report", "target")
    with pl.Config(
        tbl_rows=60,
        tbl_cols=-1,
        tbl_width_chars=200,
        tbl_hide_dataframe_shape=True,
        tbl_hide_column_data_types=True,
        float_precision=3,
    ):
        for report, target in groups.iter_rows():
            part = archive.filter((pl.col("report") == report) & (pl.col("target") == target))
            scored = scored_forecasts(part, as_of=args.as_of)
            earlier = part if args.as_of is None else part.filter(pl.col("as_of") < args.as_of)
            print(f"== {report}: {target}")
            usable = part if args.as_of is None else part.filter(pl.col("ds") <= args.as_of)
            print(tracking_summary(earlier, scored, archived_actuals=usable))
            last_actual = part.filter(pl.col("kind") == "actual")["ds"].max()
            due = part.filter((pl.col("kind") == "forecast") & (pl.col("ds") <= last_actual))
            if args.as_of is not None:
                due = due.filter((pl.col("as_of") < args.as_of) & (pl.col("ds") <= args.as_of))
            unscored = due.join(scored, on=["as_of", "unique_id", "ds"], how="anti").height
            if unscored:
                print(
                    f"{unscored} forecast day(s) up to {last_actual!s} have no archived actual and "
                    "are not scored here: the archive leaves out days counting 1 to 9 people, so "
                    "these scores lean towards busier days. Each report's own tracking section "
                    "scores every day."
                )
            if scored.height:
                table = forecast_accuracy(scored, by=("unique_id", "horizon_week"))
                table = table.select(pl.exclude("^band_.*$")).rename({"unique_id": "series"})
                print(table.rename(column_label))
            print()
    return 0


def _add_forecasts(sub: Any) -> None:
    forecasts = sub.add_parser(
        "forecasts",
        help="how did past forecasts do? (the forecast archive)",
        description="Score the archived forecasts of published reports against the actuals "
        "that arrived since.",
    )
    commands = forecasts.add_subparsers(dest="forecasts_command", required=True, metavar="ACTION")
    track = commands.add_parser(
        "track",
        help="MASE, interval coverage and drift flags of archived forecasts",
        description="Score every archived forecast against the newest archived actuals: MASE "
        "and 80%/95% interval coverage by series and horizon week, with drift flags.",
    )
    track.add_argument(
        "--archive", type=Path, default=Path("reports/_forecasts"), help="forecast archive"
    )
    track.add_argument("--report", default=None, help="only this report's forecasts")
    track.add_argument(
        "--as-of", type=_date, default=None, help="score only forecasts made before this date"
    )
    track.set_defaults(run=_cmd_forecasts_track)


def _add_report(sub: Any) -> None:
    report = sub.add_parser(
        "report",
        help="list, run and schedule the parameterised notebook reports",
        description="Render catalogued notebooks (notebooks/catalogue.toml) into reports/.",
    )
    commands = report.add_subparsers(dest="report_command", required=True, metavar="ACTION")

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = commands.add_parser(
            name, help=help_text, description=help_text
        )
        parser.add_argument(
            "--catalogue", type=Path, default=CATALOGUE_FILE, help="report catalogue (TOML)"
        )
        return parser

    listing = add("list", "list the reports and their parameters")
    listing.set_defaults(run=_cmd_report_list)
    show = add("show", "show one report's parameters in full")
    show.add_argument("name")
    show.set_defaults(run=_cmd_report_show)

    def add_limits(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--data", type=Path, default=None, help="data folder (data_path)")
        parser.add_argument("--out", type=Path, default=REPORTS_DIR, help="reports root")
        parser.add_argument("--force", action="store_true", help="render even if published")
        parser.add_argument(
            "--timeout-cell", type=float, default=600.0, metavar="S", help="seconds per cell"
        )
        parser.add_argument(
            "--budget", type=float, default=3600.0, metavar="S", help="seconds for a whole run"
        )

    run = add("run", "validate parameters, render a report and publish it atomically")
    run.add_argument("name")
    run.add_argument(
        "-p",
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a parameter (repeatable), e.g. -p month=2025-06 -p city=London",
    )
    add_limits(run)
    run.set_defaults(run=_cmd_report_run)

    schedule = add("schedule", "render every report due as of a date (reports/schedule.toml)")
    schedule.add_argument("--as-of", type=_date, required=True, help="the date (YYYY-MM-DD)")
    schedule.add_argument("--schedule", type=Path, default=SCHEDULE_FILE, help="schedule file")
    schedule.add_argument(
        "--list",
        action="store_true",
        help="print what is due, one JSON object a line (report, params, label); render nothing",
    )
    add_limits(schedule)
    schedule.set_defaults(run=_cmd_report_schedule)

    index = add("index", "regenerate reports/index.html")
    index.add_argument("--out", type=Path, default=REPORTS_DIR, help="reports root")
    index.set_defaults(run=_cmd_report_index)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="insights",
        description="Card-spending and customer-contact insights: data, validation and reports.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sample = sub.add_parser(
        "sample",
        help="write the deterministic sample data set (all three contracts + truth.json)",
        description="Write realistic, deterministic sample data for all three contracts, with "
        "planted stories recorded in truth.json.",
    )
    sample.add_argument("--out", type=Path, default=SAMPLE_DIR, help="output folder")
    sample.add_argument("--customers", type=int, default=50_000, help="number of customers")
    sample.add_argument("--start", type=_date, default=date(2023, 10, 1), help="first day")
    sample.add_argument("--end", type=_date, default=date(2025, 9, 30), help="last day")
    sample.add_argument("--seed", type=int, default=42, help="random seed")
    sample.set_defaults(run=_cmd_sample)

    check = sub.add_parser(
        "validate",
        help="validate data against a contract; exit 1 if any row breaks a rule",
        description="Validate a Parquet/CSV file, folder or glob against a contract in "
        "data_contracts/ and print counts per rule with example rows.",
    )
    check.add_argument("path", help="file, folder (recursive, hive partitions) or glob")
    check.add_argument("--contract", required=True, choices=CONTRACT_NAMES)
    check.add_argument(
        "--quarantine",
        type=Path,
        default=None,
        help="keep valid rows and write rejected ones to DIR/<contract>.rejected.parquet",
    )
    check.set_defaults(run=_cmd_validate)

    reduce = sub.add_parser(
        "reduce",
        help="reduce raw data to the marts the reports read, month by month, incrementally",
        description="Reduce a raw data folder (transactions/ as Parquet, hive-partitioned by UTC "
        "month; contacts.parquet; customers.parquet) to the marts of data_contracts/marts/, "
        "whole local months at a time with bounded memory, into MART_DIR (one file per mart "
        "and month, listed in MART_DIR/manifest.json). A re-run recomputes only the months "
        "whose input files changed and switches the manifest atomically.",
    )
    reduce.add_argument(
        "data_dir", metavar="DATA_DIR", help="raw data folder (or a folder of transactions)"
    )
    reduce.add_argument("--out", type=Path, required=True, help="mart folder")
    reduce.add_argument("--tz", default=DEFAULT_TZ, help="time zone of days and months (IANA name)")
    reduce.add_argument("--engine", choices=("polars", "duckdb"), default="polars")
    reduce.add_argument(
        "--only",
        action="append",
        choices=MART_NAMES,
        metavar="MART",
        help=f"write only this mart (repeatable): {', '.join(MART_NAMES)}",
    )
    reduce.add_argument("--full", action="store_true", help="recompute every month, changed or not")
    reduce.add_argument(
        "--rows-per-pass",
        type=_rows_per_pass,
        default=None,
        metavar="N|month",
        help="reduce consecutive months in one pass while their rows total at most N "
        "(default 8_000_000; 'month': one month per pass)",
    )
    reduce.add_argument(
        "--split-days",
        type=int,
        default=None,
        metavar="N",
        help="reduce the daily marts N local days at a time (lower peak memory)",
    )
    reduce.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    reduce.set_defaults(run=_cmd_reduce)
    export = sub.add_parser(
        "export-marts",
        help="write the marts dbt built (warehouse/) as a mart folder the reports read",
        description="Copy the mart tables of a DuckDB warehouse (make warehouse) into a mart "
        "folder, checked against data_contracts/marts/.",
    )
    export.add_argument("database", metavar="DATABASE", help="the DuckDB file dbt built")
    export.add_argument("--out", type=Path, required=True, help="mart folder to (re)write")
    export.add_argument("--tz", default=DEFAULT_TZ, help="the dbt var tz the models used")
    export.add_argument("--schema", default="main", help="schema holding the dbt models")
    export.set_defaults(run=_cmd_export_marts)
    _add_report(sub)
    _add_forecasts(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit code."""
    args = _parser().parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return run(args)
    except ParameterError as exc:
        print(f"insights {args.command}: {exc}", file=sys.stderr)
        return 2
    except ContractError as exc:
        print(exc, file=sys.stderr)
        return 1
    except InsightsError as exc:
        print(f"insights {args.command}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
