"""Expressions and checks shared by the spending tables (private to :mod:`insights.spending`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import polars as pl

from insights._common import Month, match_city, parse_month, require_columns
from insights.errors import ParameterError

__all__ = [
    "brand_names",
    "check_min_customers",
    "daily_by",
    "in_city",
    "is_payment",
    "mart_frame",
    "month_end",
    "month_name",
    "payers",
    "payments",
    "pct_change",
    "plural",
    "shift_months",
    "spend",
]


def is_payment() -> pl.Expr:
    return pl.col("amount_minor") > 0


def payers() -> pl.Expr:
    """Distinct customers with at least one payment (refunds are not visits)."""
    return pl.col("customer_id").filter(is_payment()).n_unique().cast(pl.Int64).alias("customers")


def payments() -> pl.Expr:
    return is_payment().sum().cast(pl.Int64).alias("payments")


def spend() -> pl.Expr:
    return pl.col("amount_minor").sum().cast(pl.Int64).alias("spend_minor")


def pct_change(now: str, before: str) -> pl.Expr:
    return (
        pl.when(pl.col(before) > 0)
        .then((pl.col(now) / pl.col(before) - 1.0) * 100.0)
        .otherwise(None)
    )


def shift_months(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_end(first: date) -> date:
    return shift_months(first, 1) - timedelta(days=1)


def check_min_customers(min_customers: int) -> None:
    if min_customers < 1:
        msg = (
            "min_customers must be at least 1 (default 10, the privacy threshold), "
            f"got {min_customers}."
        )
        raise ParameterError(msg)


_RAW = ("created_at", "customer_id")


def mart_frame(
    frame: object, who: str, marts: Sequence[str], columns: Sequence[str]
) -> pl.DataFrame:
    """Return ``frame`` if it is one of ``marts`` (a polars DataFrame with ``columns``).

    Raw transactions are refused with the one call that reduces them (the insight functions
    read marts, whatever the data's size); so is any other kind of frame.
    """
    names = " or ".join(f"{m!r}" for m in marts)
    reduce_hint = (
        f"reduce them first, in one call: `marts = ins.reduce_marts(DATA_DIR)` (a raw data "
        f"folder) or `ins.reduce_marts(transactions)` (a polars frame), then pass "
        f"`marts[{marts[0]!r}]`; a mart folder is read with "
        f"`ins.read_mart(MART_DIR, {marts[0]!r})`."
    )
    if isinstance(frame, pl.DataFrame | pl.LazyFrame):
        found = frame.collect_schema().names()
        if set(_RAW) <= set(found) and not set(columns) <= set(found):
            msg = f"{who} reads the {names} mart, not raw transactions: {reduce_hint}"
            raise ParameterError(msg)
    if not isinstance(frame, pl.DataFrame):
        msg = (
            f"{who} takes the {names} mart as a polars DataFrame, got "
            f"{type(frame).__name__}: {reduce_hint}"
        )
        raise ParameterError(msg)
    require_columns(frame, list(columns), who=who)
    return frame


def daily_by(
    daily: pl.DataFrame, by: str, what: str, city: str | None, marts: Sequence[str]
) -> pl.DataFrame:
    """Daily spend and customers per ``by``, summed over cities, missing days filled with 0."""
    needed = [by, "day", "spend_minor", "customers"] + ([] if city is None else ["merchant_city"])
    frame = mart_frame(daily, what, marts, needed)
    if city is not None:
        require_columns(frame, ["merchant_city"], who=what)
        city = match_city(city, frame.get_column("merchant_city").unique(), who=what, strict=False)
        frame = frame.filter(pl.col("merchant_city") == city)
    per_day = frame.group_by(by, "day").agg(
        pl.col("spend_minor").sum().cast(pl.Int64), pl.col("customers").sum().cast(pl.Int64)
    )
    if per_day.is_empty():
        return per_day.sort(by, "day")
    # Each series starts on its own first day: days before a place opened are not zero spend.
    last_day = per_day.select(pl.col("day").max()).item()
    calendar = (
        per_day.group_by(by)
        .agg(pl.date_ranges(pl.col("day").min(), pl.lit(last_day), "1d").first().alias("day"))
        .explode("day")
    )
    return (
        calendar.join(per_day, on=[by, "day"], how="left")
        .with_columns(pl.col("spend_minor", "customers").fill_null(0))
        .sort(by, "day")
    )


def brand_names(monthly: pl.DataFrame) -> pl.DataFrame:
    """``merchant_group_id`` → ``brand``: the group's most common ``merchant_name``."""
    frame = monthly.lazy()
    if "merchant_name" not in frame.collect_schema().names():
        return (
            frame.select("merchant_group_id", pl.col("merchant_group_id").alias("brand"))
            .unique()
            .collect()
        )
    return (
        frame.group_by("merchant_group_id", "merchant_name")
        .agg(pl.len().alias("n"))
        .sort("n", "merchant_name", descending=[True, False])
        .group_by("merchant_group_id", maintain_order=True)
        .agg(pl.col("merchant_name").first().alias("brand"))
        .collect()
    )


# --- words of the sentences the spending sections print -----------------------------------


def month_name(month: Month) -> str:
    """``"2025-09"`` → ``"September 2025"``."""
    return f"{parse_month(month):%B %Y}"


def in_city(city: str | None) -> str:
    """``" in Leeds"``, or nothing for all cities."""
    return f" in {city}" if city else ""


def plural(count: int, noun: str) -> str:
    """``"1 place"``, ``"1,204 places"``, ``"2 categories"``."""
    many = noun[:-1] + "ies" if noun.endswith("y") and not noun.endswith("ay") else noun + "s"
    return f"{count:,} {noun if count == 1 else many}"
