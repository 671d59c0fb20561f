"""Which places a month's trending list may rank: its input, chains and each place's history.

The first steps of :func:`insights.trending_merchants` (see :mod:`insights.spending.trending`
for the method): read the ``merchant_monthly`` mart, check the month and city asked for,
find the chains, and give every in-person place active in the month its first month and
baseline of repeat customers.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from insights._common import Month, match_city, parse_month
from insights.errors import ParameterError
from insights.spending._shared import mart_frame, shift_months

__all__ = ["MONTHLY_COLUMNS", "brand_key", "chain_groups", "monthly_input"]

#: The ``merchant_monthly`` columns the trending lists read.
MONTHLY_COLUMNS = (
    "merchant_id",
    "merchant_name",
    "merchant_group_id",
    "merchant_category",
    "merchant_city",
    "month",
    "customers",
    "repeat_customers",
)


def monthly_input(monthly: pl.DataFrame, /) -> pl.DataFrame:
    """Return ``monthly`` if it is the ``merchant_monthly`` mart the trending lists read.

    Raises
    ------
    ParameterError
        Raw transactions (reduce them first: :func:`insights.reduce_marts`), another kind of
        frame, or a frame lacking a column of :data:`MONTHLY_COLUMNS`.

    Examples
    --------
    >>> import polars as pl
    >>> monthly_input(pl.DataFrame({"created_at": [1], "customer_id": ["c1"]}))
    Traceback (most recent call last):
    ...
    insights.errors.ParameterError: trending reads the 'merchant_monthly' mart, not raw ...

    """
    return mart_frame(monthly, "trending", ["merchant_monthly"], MONTHLY_COLUMNS)


def _check_month(monthly: pl.DataFrame, month: Month) -> date:
    target = parse_month(month)
    available = monthly.get_column("month").unique().sort()
    if target not in available.to_list():
        months = available.dt.strftime("%Y-%m").to_list()
        shown = f"{months[0]} to {months[-1]}" if months else "no months at all"
        msg = (
            f"No payments in month {target:%Y-%m}; the data covers {shown}. "
            "Pass a month inside that range."
        )
        raise ParameterError(msg)
    return target


def _check_city(monthly: pl.DataFrame, city: str | None, *, who: str) -> str | None:
    """Return the data's spelling of ``city`` (case ignored), or say which cities there are."""
    if city is None:
        return None
    return match_city(city, monthly.get_column("merchant_city").unique(), who=who)


def _in_person() -> pl.Expr:
    return pl.col("merchant_city").is_not_null() & ~pl.col("is_online")


def brand_key(name: str = "merchant_name", /) -> pl.Expr:
    """Reduce a merchant name to what a brand's locations share: the brand's key.

    Lower case, store numbers (``#0123``, ``Store 45``, any run of 3+ digits) and punctuation
    dropped, spaces collapsed; empty for a name with nothing else in it.

    Examples
    --------
    >>> names = pl.DataFrame({"merchant_name": ["STARBUCKS #01234", "Starbucks", "Café Limón"]})
    >>> names.select(brand_key())["merchant_name"].to_list()
    ['starbucks', 'starbucks', 'café limón']

    """
    return (
        pl.col(name)
        .str.to_lowercase()
        .str.replace_all(r"#\s*\d+|\b(?:store|no|unit)\.?\s*\d+\b|\b\d{3,}\b", " ")
        .str.replace_all(r"[^\p{L}\p{N}]+", " ")
        .str.strip_chars()
        .alias(name)
    )


def chain_groups(
    monthly: pl.DataFrame,
    /,
    *,
    chain_min_cities: int = 2,
    chain_min_locations: int = 3,
) -> pl.DataFrame:
    """Merchant groups that are chains: their brand has locations in several cities, or many.

    A brand is a ``merchant_group_id`` and, since exports often give each franchisee or
    location its own group, every group carrying the same name (compared by
    :func:`brand_key`: case, store numbers and punctuation ignored). A group is a chain when
    the group itself, or the name it trades under, has locations in at least
    ``chain_min_cities`` cities or at least ``chain_min_locations`` locations: a national
    brand whose 51 locations are 51 one-place groups is a chain like one group with 51.

    Parameters
    ----------
    monthly
        :func:`insights.merchant_monthly` output (any months).
    chain_min_cities
        A brand with locations in at least this many distinct cities is a chain.
    chain_min_locations
        A brand with at least this many locations (merchant ids) is a chain.

    Returns
    -------
    pl.DataFrame
        ``merchant_group_id``, ``cities``, ``locations`` for chain groups only: the larger
        spread of the group's own and of its name's.

    Examples
    --------
    >>> monthly = pl.DataFrame(
    ...     {
    ...         "merchant_group_id": ["g1", "g1", "g2", "g3", "g4"],
    ...         "merchant_id": ["m1", "m2", "m3", "m4", "m5"],
    ...         "merchant_name": ["Kettle", "Kettle", "Bean St #12", "BEAN ST #40", "Fig"],
    ...         "merchant_city": ["Leeds", "York", "Leeds", "York", "Leeds"],
    ...     }
    ... )
    >>> chain_groups(monthly)["merchant_group_id"].to_list()
    ['g1', 'g2', 'g3']

    """
    name = brand_key() if "merchant_name" in monthly.columns else pl.lit(None, pl.String)
    places = monthly.select(
        "merchant_group_id", "merchant_id", "merchant_city", name.alias("brand")
    ).unique()

    def spread(key: str) -> pl.DataFrame:
        return places.group_by(key).agg(
            pl.col("merchant_city").drop_nulls().n_unique().cast(pl.Int64).alias("cities"),
            pl.col("merchant_id").n_unique().cast(pl.Int64).alias("locations"),
        )

    named = places.filter(pl.col("brand").is_not_null(), pl.col("brand") != "")
    by_name = (
        named.select("merchant_group_id", "brand")
        .unique()
        .join(spread("brand"), on="brand")
        .drop("brand")
    )
    return (
        pl.concat([spread("merchant_group_id"), by_name])
        .group_by("merchant_group_id")
        .agg(pl.col("cities").max(), pl.col("locations").max())
        .filter(
            (pl.col("cities") >= chain_min_cities) | (pl.col("locations") >= chain_min_locations)
        )
        .sort("merchant_group_id")
    )


def _history(monthly: pl.DataFrame, target: date, baseline_months: int) -> pl.DataFrame:
    """Per merchant: first month seen and baseline mean of repeat customers."""
    start = shift_months(target, -baseline_months)
    window = pl.col("month").is_between(start, target, closed="left")
    return monthly.group_by("merchant_id").agg(
        pl.col("month").min().alias("first_month"),
        (pl.col("repeat_customers").filter(window).sum() / baseline_months).alias(
            "baseline_repeat"
        ),
    )


def _candidates(
    monthly: pl.DataFrame,
    target: date,
    *,
    baseline_months: int,
    chain_min_cities: int,
    chain_min_locations: int,
) -> pl.DataFrame:
    """In-person, non-chain places active in ``target`` with their history columns."""
    start = shift_months(target, -baseline_months)
    chains = chain_groups(
        monthly, chain_min_cities=chain_min_cities, chain_min_locations=chain_min_locations
    )
    return (
        monthly.filter(pl.col("month") == target, _in_person())
        .join(_history(monthly, target, baseline_months), on="merchant_id", how="left")
        .with_columns(
            (pl.col("first_month") <= start).alias("established"),
            pl.col("merchant_group_id").is_in(chains["merchant_group_id"].implode()).alias("chain"),
        )
    )
