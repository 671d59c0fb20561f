"""Data contracts: YAML files in ``data_contracts/`` compiled into dataframely schemas.

The YAML files follow a small subset of the Open Data Contract Standard (ODCS v3), documented in
the README. This module reads them (:func:`load_contract`), turns each into a dataframely schema,
and validates frames eagerly (:func:`validate`), so every row is checked, not just the schema.

Validation happens in two steps, both reported the same way:

1. *Coercion* to the contract's physical types, column by column: text sources (CSV) are parsed,
   timestamps must carry an offset and are converted to UTC, a Parquet column of a compatible
   type is widened (e.g. ``int32`` to ``int64``). A value that cannot be converted breaks the
   rule ``<column>: type`` (or ``<column>: time zone``) instead of silently becoming null.
2. *Rules* (required, unique, pattern, allowed values, minimum, maximum, non-zero) are checked by
   dataframely's ``Schema.filter``, which counts failures per rule.

A column of the wrong kind altogether (text where a timestamp is expected in Parquet, a naive
timestamp column, a missing column) cannot be mended row by row and raises :class:`ContractError`
at once.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal

import dataframely as dy
import polars as pl
import yaml

from insights.errors import ContractError, ParameterError

__all__ = [
    "CONTRACT_NAMES",
    "ColumnSpec",
    "Contract",
    "ValidationReport",
    "ValidationResult",
    "contracts_dir",
    "load_contract",
    "structural_problems",
    "type_problem",
    "validate",
    "validate_located",
]

CONTRACT_NAMES = ("transactions", "customers", "contacts")
ROW = "source_row"
FILE = "source_file"
# Global row number inside validate(), the join key: source_row restarts in every file.
_KEY = "validation_key"
EXAMPLES = 5
_TIMESTAMP_FORMATS = ("%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M%z")
_TRUE = ("true", "t", "1", "yes", "y")
_FALSE = ("false", "f", "0", "no", "n")

_PHYSICAL: dict[str, pl.DataType] = {
    "string": pl.String(),
    "int64": pl.Int64(),
    "bool": pl.Boolean(),
    "float64": pl.Float64(),
    "date": pl.Date(),
    "timestamp[us, UTC]": pl.Datetime("us", "UTC"),
}


def contracts_dir() -> Path:
    """Return the folder holding the contract YAML files.

    In a checkout this is ``data_contracts/`` at the top of the repository; an installed wheel
    carries a copy inside the package.
    """
    package = Path(__file__).resolve().parents[1]
    checkout = package.parent / "data_contracts"
    return checkout if checkout.is_dir() else package / "_contracts"


@dataclasses.dataclass(frozen=True)
class ColumnSpec:
    """One column of a contract, as written in its YAML file."""

    name: str
    physical_type: str
    required: bool
    unique: bool = False
    description: str = ""
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    allowed_values: tuple[str, ...] | None = None
    non_zero: bool = False
    examples: tuple[Any, ...] = ()

    @property
    def dtype(self) -> pl.DataType:
        """The polars type of the column once loaded."""
        return _PHYSICAL[self.physical_type]


@dataclasses.dataclass(frozen=True)
class Contract:
    """A data contract: dataset name, version, owner, description and its columns."""

    name: str
    version: str
    description: str
    owner: str
    columns: tuple[ColumnSpec, ...]
    path: Path

    @property
    def column_names(self) -> list[str]:
        """Column names in contract order."""
        return [c.name for c in self.columns]

    @property
    def polars_schema(self) -> pl.Schema:
        """The polars schema a valid frame has."""
        return pl.Schema({c.name: c.dtype for c in self.columns})

    def column(self, name: str) -> ColumnSpec:
        """Return the column called ``name``."""
        for spec in self.columns:
            if spec.name == name:
                return spec
        raise ParameterError(f"contract {self.name!r} has no column {name!r}")


def _custom(prop: Mapping[str, Any]) -> dict[str, Any]:
    return {item["property"]: item["value"] for item in prop.get("customProperties", [])}


def _parse_column(prop: Mapping[str, Any], where: Path) -> ColumnSpec:
    physical = prop.get("physicalType")
    if physical not in _PHYSICAL:
        raise ContractError(
            f"{where}: column {prop.get('name')!r} has physicalType {physical!r}; "
            f"supported: {', '.join(_PHYSICAL)}"
        )
    options = prop.get("logicalTypeOptions", {})
    custom = _custom(prop)
    allowed = custom.get("allowedValues")
    return ColumnSpec(
        name=prop["name"],
        physical_type=physical,
        required=bool(prop.get("required", False)),
        unique=bool(prop.get("unique", False)),
        description=str(prop.get("description", "")).strip(),
        pattern=options.get("pattern"),
        minimum=options.get("minimum"),
        maximum=options.get("maximum"),
        allowed_values=tuple(allowed) if allowed is not None else None,
        non_zero=bool(custom.get("nonZero", False)),
        examples=tuple(prop.get("examples", ())),
    )


@functools.cache
def load_contract(name: str | Path) -> Contract:
    """Read a contract from ``data_contracts/<name>.yaml`` (or from a path to a YAML file).

    Examples
    --------
    >>> c = load_contract("transactions")
    >>> c.version, c.column_names[:3]
    ('1.0.0', ['transaction_id', 'customer_id', 'created_at'])

    """
    path = Path(name) if str(name).endswith((".yaml", ".yml")) else contracts_dir() / f"{name}.yaml"
    if not path.is_file():
        known = sorted(p.stem for p in contracts_dir().glob("*.yaml"))
        hint = difflib.get_close_matches(str(name), known, n=1)
        did_you_mean = f" Did you mean {hint[0]!r}?" if hint else ""
        raise ContractError(
            f"no contract {name!r} in {contracts_dir()}; known: {known}.{did_you_mean}"
        )
    doc = yaml.safe_load(path.read_text())
    try:
        table = doc["schema"][0]
        owners = [t["username"] for t in doc.get("team", []) if t.get("role") == "owner"]
        description = doc.get("description", {})
        return Contract(
            name=doc["name"],
            version=str(doc["version"]),
            description=str(description.get("purpose", "")).strip(),
            owner=owners[0] if owners else "",
            columns=tuple(_parse_column(p, path) for p in table["properties"]),
            path=path,
        )
    except (KeyError, IndexError, TypeError) as exc:
        raise ContractError(f"{path}: not a valid ODCS v3 contract ({exc!r} missing)") from exc


# ---------------------------------------------------------------------------------------------
# Compile to dataframely


def _checks(spec: ColumnSpec) -> dict[str, Callable[[pl.Expr], pl.Expr]]:
    checks: dict[str, Callable[[pl.Expr], pl.Expr]] = {}
    if spec.allowed_values is not None:
        allowed = list(spec.allowed_values)
        checks["allowedValues"] = lambda c: c.is_in(allowed)
    if spec.non_zero:
        checks["nonZero"] = lambda c: c != 0
    return checks


def _dy_column(spec: ColumnSpec) -> dy.Column:
    common: dict[str, Any] = {
        "nullable": not spec.required,
        "unique": spec.unique,
        "description": spec.description or None,
    }
    if checks := _checks(spec):
        common["check"] = checks
    kind = spec.physical_type
    if kind == "string":
        return dy.String(regex=spec.pattern, **common)
    if kind == "int64":
        lo = int(spec.minimum) if spec.minimum is not None else None
        hi = int(spec.maximum) if spec.maximum is not None else None
        return dy.Int64(min=lo, max=hi, **common)
    if kind == "float64":
        return dy.Float64(min=spec.minimum, max=spec.maximum, **common)
    if kind == "bool":
        return dy.Bool(**common)
    if kind == "date":
        return dy.Date(**common)
    return dy.Datetime(time_zone="UTC", time_unit="us", **common)


@functools.cache
def _schema(contract: Contract) -> type[dy.Schema]:
    """Compile ``contract`` into a dataframely schema (with the row-locator columns)."""
    attrs: dict[str, Any] = {spec.name: _dy_column(spec) for spec in contract.columns}
    attrs[_KEY] = dy.UInt64()
    attrs[ROW] = dy.UInt64()
    attrs[FILE] = dy.String(nullable=True)
    return type(f"{contract.name.title()}Schema", (dy.Schema,), attrs)


# ---------------------------------------------------------------------------------------------
# Coercion: source types to contract types, failures as rules


def _coerce_text(spec: ColumnSpec) -> tuple[pl.Expr, pl.Expr, str]:
    """Parse a text column into the contract type: (value, failed, rule name)."""
    src = pl.col(spec.name).str.strip_chars()
    kind = spec.physical_type
    if kind == "string":
        return pl.col(spec.name), pl.lit(value=False), "type"
    if kind == "int64":
        value = src.str.to_integer(strict=False)
    elif kind == "float64":
        value = src.cast(pl.Float64, strict=False)
    elif kind == "bool":
        low = src.str.to_lowercase()
        value = pl.when(low.is_in(_TRUE)).then(True).when(low.is_in(_FALSE)).then(False)
    elif kind == "date":
        value = src.str.to_date(strict=False)
    else:
        # Explicit formats, not inference: polars infers one format from the first value.
        iso = src.str.replace(r"Z$", "+00:00").str.replace(" ", "T", literal=True)
        value = pl.coalesce(
            iso.str.to_datetime(format=fmt, time_unit="us", time_zone="UTC", strict=False)
            for fmt in _TIMESTAMP_FORMATS
        )
        failed = pl.col(spec.name).is_not_null() & value.is_null()
        return (
            value.alias(spec.name),
            failed,
            "type (timestamp with offset, e.g. 2025-06-01T09:30:00Z)",
        )
    failed = pl.col(spec.name).is_not_null() & value.is_null()
    return value.alias(spec.name), failed, f"type ({spec.physical_type})"


_MANY_ZONES = (
    "If the rows come from several time zones (card holders in many states, say), convert each "
    "row from its own zone: e.g. group by the zone column and apply "
    "`.dt.replace_time_zone(zone).dt.convert_time_zone('UTC')` per group, or store the offset "
    "with each text timestamp (2025-06-01T09:30:00-05:00), which is read correctly as it is."
)


def type_problem(spec: ColumnSpec, dtype: pl.DataType) -> str | None:
    """Why a typed (Parquet) column of ``dtype`` cannot hold ``spec``'s values, or ``None``.

    Compatible types (a narrower integer, a timestamp in any time zone, a categorical string)
    are fine: they are widened or converted on the way in. The message says how to fix the
    column, never "cast" where a cast would lose data.

    Examples
    --------
    >>> import polars as pl
    >>> spec = load_contract("transactions").column("amount_minor")
    >>> type_problem(spec, pl.Int32()) is None
    True
    >>> "multiply by 100 and round" in type_problem(spec, pl.Float64())
    True

    """
    name, kind = spec.name, spec.physical_type
    if dtype == spec.dtype or isinstance(dtype, pl.Null):
        return None
    if kind == "string" and isinstance(dtype, pl.Categorical | pl.Enum):
        return None
    if kind == "int64" and dtype.is_integer():
        return None
    if kind == "float64" and dtype.is_numeric():
        return None
    if kind.startswith("timestamp") and isinstance(dtype, pl.Datetime):
        if dtype.time_zone is not None:
            return None
        return (
            f"column {name!r} holds naive timestamps ({dtype}): instants without a time zone are "
            "ambiguous, and a naive file is never silently read as UTC. Declare the zone the "
            f"clock showed: `pl.col({name!r}).dt.replace_time_zone('America/Chicago')` (your "
            f"zone), then write the file again. {_MANY_ZONES}"
        )
    if kind == "int64" and dtype.is_float():
        if name.endswith("_minor"):
            return (
                f"column {name!r} holds decimals ({dtype}); it counts minor units (pence, "
                "cents), so 104.72 must be stored as 10472: multiply by 100 and round, "
                f"`(pl.col({name!r}) * 100).round().cast(pl.Int64)`. (A plain cast would "
                "truncate 104.72 to 104 and pass.)"
            )
        return (
            f"column {name!r} holds decimals ({dtype}); the contract wants whole numbers "
            f"(int64). Round them deliberately, `pl.col({name!r}).round().cast(pl.Int64)`, "
            "if that is what they mean."
        )
    return (
        f"column {name!r} has type {dtype}; the contract wants {spec.physical_type}. Fix the "
        "writer of this file, or convert the column before loading."
    )


def _coerce_typed(spec: ColumnSpec, dtype: pl.DataType) -> pl.Expr:
    """Widen a typed (Parquet) column that :func:`type_problem` accepts to the contract type."""
    name, kind = spec.name, spec.physical_type
    if kind.startswith("timestamp") and isinstance(dtype, pl.Datetime):
        return pl.col(name).dt.convert_time_zone("UTC").dt.cast_time_unit("us")
    if dtype == spec.dtype:
        return pl.col(name)
    return pl.col(name).cast(spec.dtype)


# ---------------------------------------------------------------------------------------------
# Reports


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


def _rule_label(raw: str, contract: Contract) -> str:
    column, _, rule = raw.partition("|")
    spec = contract.column(column)
    if rule == "unique":
        return f"{column}: unique"
    if rule == "nullability":
        return f"{column}: required (no nulls)"
    if rule == "regex":
        return f"{column}: pattern {spec.pattern}"
    if rule == "min":
        return f"{column}: minimum {spec.minimum}"
    if rule == "max":
        return f"{column}: maximum {spec.maximum}"
    if rule == "check__allowedValues":
        values = spec.allowed_values or ()
        return f"{column}: allowed values ({', '.join(values)})"
    if rule == "check__nonZero":
        return f"{column}: non-zero"
    return f"{column}: {rule}"


def _rule_order(contract: Contract, type_failures: list[tuple[str, pl.Expr, str]]) -> list[str]:
    """Every rule label in contract column order, for sorting reports."""
    type_rules = {label.partition(":")[0]: label for _, _, label in type_failures}
    kinds = ["type", "nullability", "unique", "regex", "check__allowedValues", "check__nonZero"]
    labels: list[str] = []
    for spec in contract.columns:
        if spec.name in type_rules:
            labels.append(type_rules[spec.name])
        labels += [_rule_label(f"{spec.name}|{kind}", contract) for kind in kinds[1:]]
        labels += [_rule_label(f"{spec.name}|{kind}", contract) for kind in ("min", "max")]
    return labels


def _rejected_rows(
    frame: pl.DataFrame,
    typed: pl.DataFrame,
    details: pl.DataFrame,
    type_failures: list[tuple[str, pl.Expr, str]],
    contract: Contract,
) -> pl.DataFrame:
    """Rejected rows as read (text) with ``rules``: every rule each row broke, ``; ``-joined.

    A value that failed to parse becomes null after coercion; for a required column that would
    also break "required", which would count the same cell twice, so only "type" is kept.
    """
    flags = [flag for flag, _, _ in type_failures]
    rule_cols = [c for c in details.columns if "|" in c and not c.startswith((_KEY, ROW, FILE))]
    status = details.select(_KEY, *rule_cols)
    bad_type = pl.any_horizontal(flags) if flags else pl.lit(value=False)
    per_row = (
        typed.filter(bad_type | pl.col(_KEY).is_in(status[_KEY].implode()))
        .select(_KEY, *flags)
        .join(status, on=_KEY, how="left")
    )
    labels: list[pl.Expr] = [
        pl.when(pl.col(flag)).then(pl.lit(label)) for flag, _, label in type_failures
    ]
    for col in rule_cols:
        broken = pl.col(col) == "invalid"
        column, _, kind = col.partition("|")
        flag = f"__type__{column}"
        if kind == "nullability" and flag in flags:
            broken = broken & ~pl.col(flag)
        labels.append(pl.when(broken).then(pl.lit(_rule_label(col, contract))))
    rules = (
        per_row.select(
            _KEY, pl.concat_list(labels).list.drop_nulls().list.join("; ").alias("rules")
        )
        if labels
        else per_row.select(_KEY, pl.lit("").alias("rules"))
    )
    text = [pl.col(c).cast(pl.String) for c in contract.column_names]
    original = frame.select(_KEY, ROW, FILE, *text)
    return original.join(rules, on=_KEY, how="inner").sort(_KEY)


def structural_problems(columns: pl.Schema, contract: Contract) -> list[str]:
    """Every column-level problem of data with schema ``columns``, as readable sentences.

    Missing columns (with the close match among the columns the contract does *not* know, so
    a required column is never offered as the thing to rename) and columns of a type that
    cannot hold the contract's values (see :func:`type_problem`). Text columns (CSV) are
    parsed row by row later, so they are never a problem here. Used per file by the loaders.

    Examples
    --------
    >>> import polars as pl
    >>> schema = load_contract("contacts").polars_schema
    >>> schema.pop("channel")
    String
    >>> schema["Channel"] = pl.String()
    >>> structural_problems(schema, load_contract("contacts"))
    ["missing column 'channel' (found 'Channel': rename it)"]

    """
    names = [c for c in columns if c not in (ROW, FILE, _KEY)]
    unknown = [c for c in names if c not in contract.column_names]
    problems = []
    for spec in contract.columns:
        if spec.name not in columns:
            close = difflib.get_close_matches(spec.name, unknown, n=1, cutoff=0.6)
            lowered = [c for c in unknown if c.lower() == spec.name.lower()]
            match = lowered or close
            hint = f" (found {match[0]!r}: rename it)" if match else ""
            problems.append(f"missing column {spec.name!r}{hint}")
            continue
        dtype = columns[spec.name]
        if dtype == pl.String and spec.physical_type != "string":
            continue
        if (problem := type_problem(spec, dtype)) is not None:
            problems.append(problem)
    return problems


def _structural_checks(frame: pl.DataFrame, contract: Contract, source: str) -> list[str]:
    if problems := structural_problems(frame.schema, contract):
        present = [c for c in frame.columns if c not in (ROW, FILE, _KEY)]
        listed = "\n".join(f"  - {p}" for p in problems)
        raise ContractError(
            f"{source}: contract {contract.name!r} ({contract.path.name}) cannot read this "
            f"data; {len(problems)} problem(s):\n{listed}\nThe data has columns {present}. "
            "Nothing is renamed or converted silently: fix the source, or map it before "
            "loading (README, 'Bring your own data')."
        )
    if frame.height == 0:
        raise ContractError(
            f"{source}: no rows. Contract {contract.name!r} expects data; check the path and "
            "that the export finished."
        )
    return [c for c in frame.columns if c not in (*contract.column_names, ROW, FILE, _KEY)]


def _not_allowed(
    rejected: pl.DataFrame, spec: ColumnSpec, contract: Contract
) -> tuple[tuple[str, int], ...]:
    """Values of ``spec`` that broke its allowed-values rule, most frequent first."""
    label = _rule_label(f"{spec.name}|check__allowedValues", contract)
    counts = (
        rejected.filter(pl.col("rules").str.contains(label, literal=True))
        .group_by(spec.name)
        .agg(pl.len().cast(pl.Int64).alias("rows"))
        .sort(["rows", spec.name], descending=[True, False])
    )
    return tuple((str(value), int(rows)) for value, rows in counts.rows())


def validate(
    frame: pl.DataFrame,
    /,
    *,
    contract: str | Contract,
    source: str = "<frame>",
    on_invalid: Literal["raise", "quarantine"] = "raise",
) -> ValidationResult:
    """Validate ``frame`` eagerly against a contract and return valid rows, rejects and a report.

    Parameters
    ----------
    frame
        Data as read: text columns (from CSV) are parsed, typed columns (from Parquet) widened.
        Optional ``source_row`` / ``source_file`` columns locate rows in the report.
    contract
        A contract name (``"transactions"``, ``"customers"``, ``"contacts"``) or a loaded one.
    source
        Where the data came from, for messages.
    on_invalid
        ``"raise"`` (default): any broken rule raises :class:`ContractError` carrying the report.
        ``"quarantine"``: return the valid rows; rejected rows are in ``result.rejected``.

    Returns
    -------
    ValidationResult
        ``valid`` has exactly the contract's columns and types; ``rejected`` has the rejected
        rows as read (text), plus ``source_row``, ``source_file`` and ``rules`` (the rules each
        broke, ``; ``-separated).

    Raises
    ------
    ContractError
        A column is missing or of the wrong kind, the data has no rows, or (with
        ``on_invalid="raise"``) a row breaks a rule.

    Examples
    --------
    >>> import polars as pl
    >>> raw = pl.DataFrame({
    ...     "contact_id": ["k1", "k2", "k2"], "customer_id": ["c1", "c2", "c3"],
    ...     "created_at": ["2025-06-02T08:15:00Z", "2025-06-02 09:00", "2025-06-02T10:00:00Z"],
    ...     "channel": ["chat", "phone", "fax"], "tag": [None, "card_lost", None],
    ...     "handle_time_seconds": ["420", "-5", None],
    ... })
    >>> result = validate(raw, contract="contacts", on_invalid="quarantine")
    >>> result.valid["contact_id"].to_list()
    ['k1']
    >>> result.report.failures["rule"].to_list()  # doctest: +NORMALIZE_WHITESPACE
    ['contact_id: unique', 'created_at: type (timestamp with offset, e.g. 2025-06-01T09:30:00Z)',
     'channel: allowed values (chat, phone, email)', 'handle_time_seconds: minimum 0']

    """
    result = validate_located(frame, contract=contract, source=source, on_invalid=on_invalid)
    return dataclasses.replace(result, valid=result.valid.drop(ROW, FILE))


def validate_located(
    frame: pl.DataFrame,
    /,
    *,
    contract: str | Contract,
    source: str = "<frame>",
    on_invalid: Literal["raise", "quarantine"] = "raise",
) -> ValidationResult:
    """Like :func:`validate`, but the valid rows keep ``source_row`` and ``source_file`` first.

    The loaders validate file by file with it, then check uniqueness across files.
    """
    if on_invalid not in ("raise", "quarantine"):
        raise ParameterError(f"on_invalid must be 'raise' or 'quarantine', not {on_invalid!r}")
    spec_of = contract if isinstance(contract, Contract) else load_contract(contract)
    if ROW not in frame.columns:
        frame = frame.with_row_index(ROW, offset=1)
    if FILE not in frame.columns:
        frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(FILE))
    frame = frame.with_columns(pl.col(ROW).cast(pl.UInt64), pl.col(FILE).cast(pl.String))
    frame = frame.with_row_index(_KEY).with_columns(pl.col(_KEY).cast(pl.UInt64))
    ignored = _structural_checks(frame, spec_of, source)

    values: list[pl.Expr] = []
    type_failures: list[tuple[str, pl.Expr, str]] = []  # (flag column, flag, rule label)
    for spec in spec_of.columns:
        dtype = frame.schema[spec.name]
        if dtype == pl.String and spec.physical_type != "string":
            value, failed, rule = _coerce_text(spec)
            values.append(value)
            flag = f"__type__{spec.name}"
            type_failures.append((flag, failed.alias(flag), f"{spec.name}: {rule}"))
        elif dtype == pl.Null:
            values.append(pl.col(spec.name).cast(spec.dtype))
        else:
            values.append(_coerce_typed(spec, dtype).alias(spec.name))
    typed = frame.select(_KEY, ROW, FILE, *values, *[failed for _, failed, _ in type_failures])
    outcome = _schema(spec_of).filter(typed.drop([flag for flag, _, _ in type_failures]))
    rejected = _rejected_rows(frame, typed, outcome.failure.details(), type_failures, spec_of)
    counts = (
        rejected.select(pl.col("rules").str.split("; ").alias("rule"))
        .explode("rule")
        .group_by("rule")
        .agg(pl.len().cast(pl.Int64).alias("rows"))
    )
    order = {rule: i for i, rule in enumerate(_rule_order(spec_of, type_failures))}
    failures = counts.sort(pl.col("rule").replace_strict(order, default=len(order)), "rule")
    # A nullable column that failed to parse is null after coercion and passes dataframely:
    # drop every row with any broken rule, so nothing invalid slips through as a null.
    # Filters keep the input order, so the valid rows are in the order they were read.
    valid = (
        outcome.result.filter(~pl.col(_KEY).is_in(rejected[_KEY].implode()))
        if rejected.height
        else outcome.result
    ).select(ROW, FILE, *spec_of.column_names)
    rejected = rejected.drop(_KEY)
    found_values = tuple(
        (spec.name, _not_allowed(rejected, spec, spec_of))
        for spec in spec_of.columns
        if spec.allowed_values is not None
    )
    report = ValidationReport(
        contract=spec_of,
        source=source,
        rows=frame.height,
        valid_rows=valid.height,
        failures=failures,
        examples=rejected.head(EXAMPLES).select(FILE, ROW, "rules", *spec_of.column_names),
        ignored_columns=tuple(ignored),
        found_values=tuple((c, found) for c, found in found_values if found),
    )
    if not report.ok and on_invalid == "raise":
        raise ContractError(str(report), report)
    return ValidationResult(valid=valid, rejected=rejected, report=report)
