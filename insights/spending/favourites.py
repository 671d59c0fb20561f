"""Regional favourites: which rival brand leads each city by distinct customers.

A city where any rival has 1 to ``min_customers - 1`` customers is left out, so shares cannot
reveal a suppressed count.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from datetime import date
from typing import Any

import polars as pl

from insights._common import DEFAULT_TZ, local_day, parse_month, require_columns
from insights.errors import ParameterError
from insights.reduce.aggregates import to_polars
from insights.spending._shared import (
    brand_names as _brand_names,
    check_min_customers as _check_min_customers,
    month_end as _month_end,
    payers as _payers,
    transactions as _transactions,
)

__all__ = ["regional_favourites"]


def _period_bounds(month: str | tuple[str, str] | None) -> tuple[date, date] | None:
    if month is None:
        return None
    if isinstance(month, str):
        first = parse_month(month)
        return first, _month_end(first)
    start, end = (parse_month(m) for m in month)
    if end < start:
        msg = f"The period {month!r} ends before it starts."
        raise ParameterError(msg)
    return start, _month_end(end)


def regional_favourites(
    tx_or_monthly: Any,
    /,
    *,
    groups: Sequence[str] = (),
    brands: Sequence[str] = (),
    month: str | tuple[str, str] | None = None,
    min_customers: int = 10,
    tz: str = DEFAULT_TZ,
) -> pl.DataFrame:
    """Which of some rival brands each city prefers, by distinct customers.

    Parameters
    ----------
    tx_or_monthly
        Raw polars transactions (customers counted once per brand and city over the period) or
        :func:`insights.merchant_monthly` output (customers summed over locations
        and months, so a customer of two locations counts twice).
    groups
        The rival ``merchant_group_id`` values (at least two).
    brands
        Or the rivals' brand names (``merchant_name``), e.g. ``["Meridian Coffee",
        "Copper Crumb Bakery"]``; give ``groups`` or ``brands``, not both.
    month
        ``"YYYY-MM"``, an inclusive ``("YYYY-MM", "YYYY-MM")`` period, or ``None`` for all data.
    min_customers
        A city where any rival has between 1 and ``min_customers - 1`` customers is left out
        entirely, so that shares cannot reveal the suppressed count.
    tz
        Time zone of the calendar (raw transactions only).

    Returns
    -------
    pl.DataFrame
        One row per city and rival: ``merchant_city``, ``merchant_group_id``, ``brand`` (its
        ``merchant_name``), ``customers``,
        ``share`` (of the rivals' customers in the city), ``rank`` (1 = favourite),
        ``favourite`` (bool); sorted by city and rank. Online payments are ignored.

    Examples
    --------
    >>> from datetime import date
    >>> import polars as pl
    >>> monthly = pl.DataFrame(
    ...     {
    ...         "merchant_group_id": ["g_bean", "g_bun", "g_bean", "g_bun"],
    ...         "merchant_city": ["Leeds", "Leeds", "York", "York"],
    ...         "month": [date(2025, 9, 1)] * 4,
    ...         "customers": [60, 40, 10, 30],
    ...         "repeat_customers": [1, 1, 1, 1],
    ...     }
    ... )
    >>> regional_favourites(monthly, groups=["g_bean", "g_bun"]).filter(pl.col("favourite"))
    shape: (2, 7)
    ┌───────────────┬───────────────────┬────────┬───────────┬───────┬──────┬───────────┐
    │ merchant_city ┆ merchant_group_id ┆ brand  ┆ customers ┆ share ┆ rank ┆ favourite │
    │ ---           ┆ ---               ┆ ---    ┆ ---       ┆ ---   ┆ ---  ┆ ---       │
    │ str           ┆ str               ┆ str    ┆ i64       ┆ f64   ┆ i64  ┆ bool      │
    ╞═══════════════╪═══════════════════╪════════╪═══════════╪═══════╪══════╪═══════════╡
    │ Leeds         ┆ g_bean            ┆ g_bean ┆ 60        ┆ 0.6   ┆ 1    ┆ true      │
    │ York          ┆ g_bun             ┆ g_bun  ┆ 30        ┆ 0.75  ┆ 1    ┆ true      │
    └───────────────┴───────────────────┴────────┴───────────┴───────┴──────┴───────────┘

    (Without ``merchant_name`` in the input, ``brand`` falls back to the group id.)

    """
    _check_min_customers(min_customers)
    names = _brand_names(tx_or_monthly)
    if brands:
        if groups:
            raise ParameterError("regional_favourites: give groups or brands, not both.")
        groups = _groups_of_brands(names, brands)
    rivals = list(dict.fromkeys(groups))
    if len(rivals) < 2 or not all(isinstance(g, str) for g in rivals):
        msg = f"groups must name at least two merchant_group_id values, got {groups!r}."
        raise ParameterError(msg)
    bounds = _period_bounds(month)
    is_tx = isinstance(tx_or_monthly, pl.DataFrame | pl.LazyFrame) and "created_at" in (
        tx_or_monthly.collect_schema().names()
    )
    if is_tx:
        frame = _transactions(tx_or_monthly, "regional_favourites").with_columns(
            local_day(tz=tz).alias("day")
        )
        in_period = pl.lit(value=True) if bounds is None else pl.col("day").is_between(*bounds)
        agg = _payers()
    else:
        frame = to_polars(tx_or_monthly).lazy()
        require_columns(frame, ["month", "customers"], who="regional_favourites")
        in_period = pl.lit(value=True) if bounds is None else pl.col("month").is_between(*bounds)
        agg = pl.col("customers").sum().cast(pl.Int64)
    require_columns(frame, ["merchant_group_id", "merchant_city"], who="regional_favourites")
    counts = (
        frame.filter(
            in_period,
            pl.col("merchant_group_id").is_in(rivals),
            pl.col("merchant_city").is_not_null(),
        )
        .group_by("merchant_city", "merchant_group_id")
        .agg(agg)
        .collect()
    )
    grid = counts.select(pl.col("merchant_city").unique()).join(
        pl.DataFrame({"merchant_group_id": rivals}), how="cross"
    )
    small = pl.col("customers").is_between(1, min_customers - 1)
    return (
        grid.join(counts, on=["merchant_city", "merchant_group_id"], how="left")
        .with_columns(pl.col("customers").fill_null(0))
        .filter(~small.any().over("merchant_city"))
        .with_columns(
            (pl.col("customers") / pl.col("customers").sum().over("merchant_city")).alias("share"),
            pl.col("customers")
            .rank("ordinal", descending=True)
            .over("merchant_city", order_by="merchant_group_id")
            .cast(pl.Int64)
            .alias("rank"),
        )
        .with_columns((pl.col("rank") == 1).alias("favourite"))
        .join(names, on="merchant_group_id", how="left")
        .select(
            "merchant_city", "merchant_group_id", "brand", "customers", "share", "rank", "favourite"
        )
        .sort("merchant_city", "rank")
    )


def _groups_of_brands(names: pl.DataFrame, brands: Sequence[str]) -> list[str]:
    """Return the group id of each brand name; unknown or ambiguous names raise."""
    if isinstance(brands, str):
        raise ParameterError(f"brands must be a list of brand names, not the string {brands!r}")
    found = names.filter(pl.col("brand").is_in(list(brands)))
    known = names.get_column("brand").to_list()
    ids: list[str] = []
    for brand in brands:
        match = found.filter(pl.col("brand") == brand).get_column("merchant_group_id").to_list()
        if not match:
            close = difflib.get_close_matches(brand, known, n=3)
            hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
            raise ParameterError(f"regional_favourites: no brand called {brand!r}.{hint}")
        if len(match) > 1:
            raise ParameterError(
                f"regional_favourites: {brand!r} names {len(match)} merchant groups "
                f"({', '.join(sorted(match))}); pass groups= with the ids instead."
            )
        ids.append(match[0])
    return ids
