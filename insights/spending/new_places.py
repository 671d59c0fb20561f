"""New places: independent places too new, or with too few regulars before, to rank by growth.

The other half of the trending list (:mod:`insights.spending.trending`): a place first seen
inside the baseline window, or whose baseline is under ``min_baseline`` repeat customers a
month, cannot be ranked by growth, so it is listed here by its regulars this month instead.
"""

from __future__ import annotations

import polars as pl

from insights._common import Month
from insights.spending._scoring import Rules, assessed, ranked
from insights.spending._shared import in_city, month_name, plural

__all__ = ["new_merchants", "new_places_note"]


def new_merchants(
    monthly: pl.DataFrame,
    /,
    *,
    month: Month,
    city: str | None = None,
    top_n: int = 10,
    min_customers: int = 10,
    baseline_months: int = 3,
    min_baseline: float = 3.0,
    chain_min_cities: int = 2,
    chain_min_locations: int = 3,
) -> pl.DataFrame:
    """Independent in-person places too new, or too small before, to rank by growth.

    A place is *new* when it was first seen less than ``baseline_months`` months before
    ``month`` (including first seen in ``month``), and *newly busy* when it is older but
    averaged fewer than ``min_baseline`` repeat customers a month over the baseline, so that
    growth cannot be measured against it. Both are ranked by repeat customers this month.
    Chains, online places and places with fewer than ``min_customers`` distinct customers or
    repeat customers are left out, as in :func:`trending_merchants`.

    Parameters
    ----------
    monthly
        The ``merchant_monthly`` mart, as in :func:`trending_merchants`.
    month
        Target month, ``"YYYY-MM"``.
    city
        Only this city; ``None`` for all cities.
    top_n, min_customers, baseline_months, min_baseline, chain_min_cities, chain_min_locations
        As in :func:`trending_merchants`.

    Returns
    -------
    pl.DataFrame
        ``rank``, ``month``, ``merchant_id``, ``merchant_name``, ``merchant_category``,
        ``merchant_city``, ``first_month``, ``status`` (``"new"`` or ``"newly busy"``),
        ``customers``, ``repeat_customers``, ranked by repeat customers, then customers.

    Examples
    --------
    >>> from datetime import date
    >>> import polars as pl
    >>> monthly = pl.DataFrame(
    ...     {
    ...         "merchant_id": ["m1", "m1", "m2"],
    ...         "merchant_name": ["Kettle", "Kettle", "New Deli"],
    ...         "merchant_group_id": ["g1", "g1", "g2"],
    ...         "merchant_category": "eating_out",
    ...         "merchant_city": "Leeds",
    ...         "is_online": False,
    ...         "month": [date(2025, 5, 1), date(2025, 9, 1), date(2025, 9, 1)],
    ...         "customers": [30, 30, 25],
    ...         "repeat_customers": [10, 10, 12],
    ...     }
    ... )
    >>> new_merchants(monthly, month="2025-09").select("merchant_name", "status").rows()
    [('New Deli', 'new'), ('Kettle', 'newly busy')]

    (Kettle is older, but had no regulars in June to August: no baseline to grow from.)

    """
    rules = Rules(
        min_customers=min_customers,
        baseline_months=baseline_months,
        min_baseline=min_baseline,
        chain_min_cities=chain_min_cities,
        chain_min_locations=chain_min_locations,
    )
    places = assessed(monthly, month=month, city=city, rules=rules, top_n=top_n)
    return ranked(
        places.filter(pl.col("stage").is_in(["new", "small_baseline"])),  # >= k repeat
        by=["repeat_customers", "customers"],
        top_n=top_n,
        columns=[
            "first_month",
            pl.when(pl.col("stage") == "new")
            .then(pl.lit("new"))
            .otherwise(pl.lit("newly busy"))
            .alias("status"),
            pl.col("customers").cast(pl.Int64),
            pl.col("repeat_customers").cast(pl.Int64),
        ],
    )


def new_places_note(
    funnel: pl.DataFrame, /, *, month: Month, city: str | None = None, min_customers: int = 10
) -> str:
    """One sentence on the places too new, or too small before, to rank by growth.

    Parameters
    ----------
    funnel
        :func:`trending_funnel` output (its ``new`` and ``small_baseline`` steps are the
        places :func:`new_merchants` lists).
    month
        ``"YYYY-MM"``, named in the sentence.
    city
        City named in the sentence; ``None`` for all cities.
    min_customers
        The threshold the funnel was built with, named in the sentence.

    Returns
    -------
    str
        The sentence.

    Examples
    --------
    >>> import polars as pl
    >>> funnel = pl.DataFrame(
    ...     {"stage": ["new", "small_baseline"], "reason": ["", ""], "places": [0, 0]}
    ... )
    >>> new_places_note(funnel, month="2025-09", city="Leeds")
    'No new or newly busy place in Leeds had 10 or more repeat customers in September 2025.'

    """
    when, where = month_name(month), in_city(city)
    counts = dict(funnel.select("stage", "places").rows())
    new, busy = int(counts.get("new", 0)), int(counts.get("small_baseline", 0))
    if new + busy == 0:
        return (
            f"No new or newly busy place{where} had {min_customers} or more repeat customers "
            f"in {when}."
        )
    parts = [f"{plural(new, 'place')} too new to have a baseline"] if new else []
    if busy:
        parts.append(f"{plural(busy, 'place')} with too few regulars before to measure growth")
    listed = "it is" if new + busy == 1 else "they are"
    text = " and ".join(parts)
    return (
        f"{text[:1].upper()}{text[1:]}{where} had {min_customers} or more repeat "
        f"customers in {when}; {listed} listed here by repeat customers, not ranked by growth."
    )
