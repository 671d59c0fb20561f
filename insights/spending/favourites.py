"""Regional favourites: which rival brand leads each city by distinct customers.

A city where any rival has 1 to ``min_customers - 1`` customers is left out, so shares cannot
reveal a suppressed count.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from datetime import date

import polars as pl

from insights._common import Month, parse_month
from insights.errors import ParameterError
from insights.spending._shared import (
    brand_names as _brand_names,
    check_min_customers as _check_min_customers,
    mart_frame as _mart_frame,
    month_end as _month_end,
)

__all__ = ["regional_favourites"]


def _period_bounds(month: Month | tuple[Month, Month] | None) -> tuple[date, date] | None:
    if month is None:
        return None
    if isinstance(month, str | date):
        first = parse_month(month)
        return first, _month_end(first)
    start, end = (parse_month(m) for m in month)
    if end < start:
        msg = f"The period {month!r} ends before it starts."
        raise ParameterError(msg)
    return start, _month_end(end)


def regional_favourites(
    monthly: pl.DataFrame,
    /,
    *,
    groups: Sequence[str] = (),
    brands: Sequence[str] = (),
    month: Month | tuple[Month, Month] | None = None,
    min_customers: int = 10,
    leading: int = 2,
) -> pl.DataFrame:
    """Which of some rival brands each city prefers, by distinct customers.

    Rivals are named by ``groups`` (``merchant_group_id`` values) or ``brands`` (names). A
    brand name stands for **every** merchant group whose name it is: a national brand whose
    locations are separate groups (one per franchisee, say) is counted as one rival. With
    neither given, the rivals are the ``leading`` brands: among brands with in-person
    locations in at least two cities in the period, those present in the most cities (ties:
    more customers, then name).

    Parameters
    ----------
    monthly
        The ``merchant_monthly`` mart (:func:`insights.read_mart`; ``merchant_group_id``,
        ``merchant_city``, ``month``, ``customers``; ``merchant_name`` for brand names).
        Customers are summed over a rival's locations in the city and over the period's months,
        so a customer of two locations, or of two months, counts twice. Raw transactions are
        reduced first (:func:`insights.reduce_marts`).
    groups
        The rival ``merchant_group_id`` values (at least two).
    brands
        Or the rivals' brand names (``merchant_name``), e.g. ``["Meridian Coffee",
        "Copper Crumb Bakery"]``; give ``groups`` or ``brands``, not both.
    month
        ``"YYYY-MM"``, an inclusive ``("YYYY-MM", "YYYY-MM")`` period, or ``None`` for all data.
    min_customers
        A city where any rival has between 1 and ``min_customers - 1`` customers keeps its
        rows, but with ``customers``, ``share``, ``rank`` null and ``suppressed`` true, so
        shares cannot reveal the small count and the city is visibly left out, not missing.
    leading
        How many rivals to pick when neither ``groups`` nor ``brands`` is given.

    Returns
    -------
    pl.DataFrame
        One row per city and rival: ``merchant_city``, ``merchant_group_id`` (the group; for
        a brand of several groups the first of them in that city), ``brand``, ``customers``,
        ``share`` (of the rivals' customers in the city), ``rank`` (1 = favourite),
        ``favourite`` (bool), ``suppressed`` (bool); sorted by city and rank. Online
        payments are ignored. Empty when fewer than two rivals exist
        (:func:`insights.spending.notes.favourites_note` says why).

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
    >>> regional_favourites(monthly, groups=["g_bean", "g_bun"]).filter(
    ...     pl.col("favourite")
    ... ).drop("suppressed")
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
    if groups and brands:
        raise ParameterError("regional_favourites: give groups or brands, not both.")
    frame = _mart_frame(
        monthly,
        "regional_favourites",
        ["merchant_monthly"],
        ["merchant_group_id", "merchant_city", "month", "customers"],
    )
    names = _brand_names(frame)
    bounds = _period_bounds(month)
    in_period = pl.lit(value=True) if bounds is None else pl.col("month").is_between(*bounds)
    agg = pl.col("customers").sum().cast(pl.Int64)
    in_person = (
        frame.lazy()
        .filter(in_period, pl.col("merchant_city").is_not_null())
        .join(names.lazy(), on="merchant_group_id", how="left")
    )
    if groups:
        rivals = list(dict.fromkeys(groups))
        if len(rivals) < 2 or not all(isinstance(g, str) for g in rivals):
            msg = f"groups must name at least two merchant_group_id values, got {groups!r}."
            raise ParameterError(msg)
        key = pl.col("merchant_group_id")
    else:
        rivals = (
            _check_brands(names, brands)
            if brands
            else _leading_brands(in_person, leading=leading, agg=agg)
        )
        key = pl.col("brand")
    if len(rivals) < 2:
        return _empty_favourites()
    members = in_person.filter(key.is_in(rivals)).with_columns(key.alias("_rival"))
    counts = (
        members.group_by("merchant_city", "_rival")
        .agg(agg, pl.col("merchant_group_id").min().alias("_city_group"))
        .collect()
    )
    labels = (
        members.group_by("_rival")
        .agg(
            pl.col("merchant_group_id").min().alias("merchant_group_id"),
            pl.col("brand").drop_nulls().first().alias("brand"),
        )
        .collect()
    )
    grid = counts.select(pl.col("merchant_city").unique()).join(
        pl.DataFrame({"_rival": rivals}), how="cross"
    )
    small = pl.col("customers").is_between(1, min_customers - 1).any().over("merchant_city")
    hidden = ("customers", "share", "rank")
    return (
        grid.join(counts, on=["merchant_city", "_rival"], how="left")
        .with_columns(pl.col("customers").fill_null(0))
        .with_columns(
            (pl.col("customers") / pl.col("customers").sum().over("merchant_city")).alias("share"),
            pl.col("customers")
            .rank("ordinal", descending=True)
            .over("merchant_city", order_by="_rival")
            .cast(pl.Int64)
            .alias("rank"),
            small.alias("suppressed"),
        )
        .with_columns(pl.when(~pl.col("suppressed")).then(pl.col(c)).alias(c) for c in hidden)
        .with_columns((pl.col("rank") == 1).fill_null(value=False).alias("favourite"))
        .join(labels, on="_rival", how="left")
        .with_columns(
            pl.coalesce("_city_group", "merchant_group_id").alias("merchant_group_id"),
            pl.col("brand").fill_null(pl.col("merchant_group_id")),
        )
        .select(
            "merchant_city",
            "merchant_group_id",
            "brand",
            "customers",
            "share",
            "rank",
            "favourite",
            "suppressed",
        )
        .sort("merchant_city", "rank", "brand", nulls_last=True)
    )


def _empty_favourites() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "merchant_city": pl.String,
            "merchant_group_id": pl.String,
            "brand": pl.String,
            "customers": pl.Int64,
            "share": pl.Float64,
            "rank": pl.Int64,
            "favourite": pl.Boolean,
            "suppressed": pl.Boolean,
        }
    )


def _leading_brands(in_person: pl.LazyFrame, *, leading: int, agg: pl.Expr) -> list[str]:
    """Pick the ``leading`` brands in the most cities (at least two), then most customers."""
    if leading < 2:
        msg = f"leading must be at least 2 (rivals are compared), got {leading}."
        raise ParameterError(msg)
    per_city = in_person.group_by("brand", "merchant_city").agg(agg)
    ranked = (
        per_city.group_by("brand")
        .agg(
            pl.len().alias("cities"),
            pl.col("customers").sum().alias("customers"),
        )
        .filter(pl.col("cities") >= 2, pl.col("brand").is_not_null())
        .sort(["cities", "customers", "brand"], descending=[True, True, False])
        .head(leading)
        .collect()
    )
    return ranked.get_column("brand").to_list()


def _check_brands(names: pl.DataFrame, brands: Sequence[str]) -> list[str]:
    """Return the brand names, each known (possibly as several groups); unknown names raise."""
    if isinstance(brands, str):
        raise ParameterError(f"brands must be a list of brand names, not the string {brands!r}")
    known = names.get_column("brand").unique().sort().to_list()
    for brand in brands:
        if brand not in known:
            close = difflib.get_close_matches(brand, known, n=3)
            hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
            raise ParameterError(f"regional_favourites: no brand called {brand!r}.{hint}")
    return list(dict.fromkeys(brands))
