"""What validation found, as a person reads it and as frames.

:class:`ValidationReport`: counts per broken rule, example rows, hints that teach the fix;
:class:`ValidationResult`: valid rows, rejected rows and the report.
"""

from __future__ import annotations

import dataclasses

import polars as pl

from insights.data.contracts import Contract

__all__ = ["EXAMPLES", "FILE", "ROW", "ValidationReport", "ValidationResult"]

ROW = "source_row"
FILE = "source_file"
EXAMPLES = 5


@dataclasses.dataclass(frozen=True)
class ValidationReport:
    """What validation found: counts per broken rule and example rows.

    ``str(report)`` is the message a person reads; ``failures`` and ``examples`` are frames.
    """

    contract: Contract
    source: str
    rows: int
    valid_rows: int
    failures: pl.DataFrame
    examples: pl.DataFrame
    ignored_columns: tuple[str, ...] = ()
    #: per column with allowed values: the values found that are not allowed, with row counts
    found_values: tuple[tuple[str, tuple[tuple[str, int], ...]], ...] = ()

    @property
    def ok(self) -> bool:
        """True when every row satisfies every rule."""
        return self.failures.height == 0

    @property
    def invalid_rows(self) -> int:
        """Rows that break at least one rule."""
        return self.rows - self.valid_rows

    def __str__(self) -> str:
        head = (
            f"{self.source}: contract {self.contract.name!r} v{self.contract.version} "
            f"({self.contract.path.name})"
        )
        ignored = (
            f"\nColumns not in the contract, left out: {', '.join(self.ignored_columns)}"
            if self.ignored_columns
            else ""
        )
        if self.ok:
            return f"{head}: all {self.rows:,} rows valid.{ignored}"
        width = max(len(r) for r in self.failures["rule"].to_list()) + 4
        lines = [
            f"{head}: {self.invalid_rows:,} of {self.rows:,} rows break "
            f"{self.failures.height} rule(s).",
            "",
            "  " + "rule".ljust(width) + "rows",
        ]
        lines += [
            "  " + str(row["rule"]).ljust(width) + f"{row['rows']:,}"
            for row in self.failures.to_dicts()
        ]
        lines += self._hints()
        lines += ["", f"Example rows (up to {EXAMPLES}; row 1 is the first data row):"]
        for row in self.examples.to_dicts():
            where = f"{row[FILE]} " if row[FILE] else ""
            lines.append(f"  {where}row {row[ROW]}: breaks {row['rules']}")
            values = ", ".join(f"{c}={row[c]!r}" for c in self.contract.column_names)
            lines.append(f"    {values}")
        lines += [
            "",
            "Fix the source data, or load with on_invalid='quarantine' to keep the "
            f"{self.valid_rows:,} valid rows and write the rejected ones, with the rule each "
            "broke, to a quarantine file.",
        ]
        return "\n".join(lines) + ignored

    def _hints(self) -> list[str]:
        """Lines that teach: the values found beside the allowed ones, minor-unit decimals."""
        lines: list[str] = []
        for column, found in self.found_values:
            allowed = ", ".join(self.contract.column(column).allowed_values or ())
            shown = ", ".join(f"{value!r} ({rows:,} rows)" for value, rows in found[:10])
            more = f" and {len(found) - 10:,} more" if len(found) > 10 else ""
            lines += [
                "",
                f"{column}: found {shown}{more}.",
                f"  Allowed: {allowed}.",
            ]
            if column == "merchant_category":
                lines.append(
                    "  Map your own categories onto these, and the rest to 'other' "
                    "(README, 'Bring your own data')."
                )
        for spec in self.contract.columns:
            failed = f"{spec.name}: type ({spec.physical_type})"
            if spec.name.endswith("_minor") and failed in self.failures["rule"].to_list():
                lines += [
                    "",
                    f"{spec.name} counts minor units (pence, cents): a decimal amount such as "
                    "104.72 must be stored as 10472. Multiply by 100 and round.",
                ]
        return lines


@dataclasses.dataclass(frozen=True)
class ValidationResult:
    """Valid rows (contract types), rejected rows (as read, with ``rules``) and the report."""

    valid: pl.DataFrame
    rejected: pl.DataFrame
    report: ValidationReport
