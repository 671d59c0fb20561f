"""The ``insights`` command line.

::

    insights sample   [--out data/sample] [--customers N] [--start D] [--end D] [--seed N]
    insights validate PATH --contract {transactions,customers,contacts} [--quarantine DIR]

Exit codes: 0 success, 1 the data or a report failed, 2 a usage or parameter error.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from insights.contracts import CONTRACT_NAMES
from insights.errors import ContractError, InsightsError, ParameterError

__all__ = ["main"]

DEFAULT_SAMPLE = Path("data/sample")


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc


def _cmd_sample(args: argparse.Namespace) -> int:
    from insights.sample import write_sample

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
    from insights.io import load_table, validate_path

    if args.quarantine is None:
        report = validate_path(args.path, contract=args.contract)
        print(report)
        return 0 if report.ok else 1
    valid = load_table(
        args.path, contract=args.contract, on_invalid="quarantine", quarantine_dir=args.quarantine
    )
    print(f"{args.path}: {valid.height:,} valid rows; rejected rows (if any) in {args.quarantine}/")
    return 0


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
    sample.add_argument("--out", type=Path, default=DEFAULT_SAMPLE, help="output folder")
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
