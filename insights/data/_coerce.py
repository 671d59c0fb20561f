"""From a contract to checks (private to :mod:`insights.data`).

A contract compiled into a dataframely schema (its rules), and source columns coerced to the
contract's types: text (CSV) parsed, typed (Parquet) columns widened, and a value that cannot
be converted reported as a broken ``type`` rule rather than silently becoming null.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import dataframely as dy
import polars as pl

from insights.data.contracts import ColumnSpec, Contract
from insights.data.validation_report import FILE, ROW

__all__ = ["type_problem"]

# Global row number inside validate(), the join key: source_row restarts in every file.
_KEY = "validation_key"
_TIMESTAMP_FORMATS = ("%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M%z")
_TRUE = ("true", "t", "1", "yes", "y")
_FALSE = ("false", "f", "0", "no", "n")


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
    >>> from insights.data.contracts import load_contract
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
