"""Validation against a data contract: every row checked, failures counted per rule.

:func:`validate` checks a frame eagerly against a contract of :mod:`insights.data.contracts`
(compiled into a dataframely schema), so every row is checked, not just the schema.

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
from typing import Literal

import polars as pl

from insights.data._coerce import _KEY, _coerce_text, _coerce_typed, _schema, type_problem
from insights.data.contracts import ColumnSpec, Contract, load_contract
from insights.data.validation_report import (
    EXAMPLES,
    FILE,
    ROW,
    ValidationReport,
    ValidationResult,
)
from insights.errors import ContractError, ParameterError

__all__ = ["structural_problems", "validate", "validate_located"]


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
    cannot hold the contract's values (see ``insights.data._coerce.type_problem``). Text
    columns (CSV) are parsed row by row later, so they are never a problem here. Used per file
    by the loaders.

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
    # Each unknown column is offered once, to the missing column it resembles most: one
    # 'merchant' column is not advice for both merchant_name and merchant_group_id.
    missing = [spec.name for spec in contract.columns if spec.name not in columns]
    pairs = sorted(
        (
            (difflib.SequenceMatcher(None, want.lower(), found.lower()).ratio(), want, found)
            for want in missing
            for found in unknown
        ),
        key=lambda pair: -pair[0],
    )
    offers: dict[str, str] = {}
    for ratio, want, found in pairs:
        if ratio >= 0.6 and want not in offers and found not in offers.values():
            offers[want] = found
    problems = []
    for spec in contract.columns:
        if spec.name not in columns:
            match = offers.get(spec.name)
            hint = f" (found {match!r}: rename it)" if match else ""
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
