"""Monthly headlines: customers, payments and spend, with the change on last month and last year."""

from __future__ import annotations

import polars as pl

from insights._common import Month, match_city, parse_month, require_columns
from insights.errors import ParameterError
from insights.spending._shared import (
    check_min_customers as _check_min_customers,
    pct_change as _pct_change,
    shift_months as _shift_months,
)

__all__ = ["monthly_headlines"]

_METRICS = ["customers", "payments", "spend_minor"]


def _month_totals(monthly: pl.DataFrame, city: str | None, month: Month) -> pl.DataFrame:
    """Return the headline mart's rows for ``city`` (or the all-merchant rows), checked."""
    if not isinstance(monthly, pl.DataFrame):
        msg = (
            "monthly_headlines takes the city_monthly or total_monthly mart as a polars "
            f"DataFrame (insights.read_mart); got {type(monthly).__name__}."
        )
        raise ParameterError(msg)
    columns = monthly.columns
    if "created_at" in columns:
        msg = (
            "monthly_headlines takes a mart, not raw transactions: reduce them first "
            "(`insights reduce DATA_DIR --out MART_DIR`, or insights.reduce_marts(DATA_DIR)) and "
            "pass the city_monthly mart (with city=) or the total_monthly mart."
        )
        raise ParameterError(msg)
    require_columns(monthly, ["month", *_METRICS], who="monthly_headlines")
    if city is None:
        if "merchant_city" in columns:
            msg = (
                "monthly_headlines without a city needs the total_monthly mart: distinct "
                "customers of several cities cannot be added up from city_monthly."
            )
            raise ParameterError(msg)
        _require_payments(monthly, month)
        return monthly
    if "merchant_city" not in columns:
        msg = f"monthly_headlines for city={city!r} needs the city_monthly mart (merchant_city)."
        raise ParameterError(msg)
    # A city without payments this month gets blank figures; a month without any payment at
    # all is a wrong parameter.
    _require_payments(monthly, month)
    city = match_city(
        city, monthly.get_column("merchant_city").unique(), who="monthly_headlines", strict=False
    )
    return monthly.filter(pl.col("merchant_city") == city)


def _require_payments(monthly: pl.DataFrame, month: Month) -> None:
    first = parse_month(month)
    if monthly.filter(pl.col("month") == first).get_column("payments").sum() == 0:
        msg = f"No payments in {month}; pick a month the data covers."
        raise ParameterError(msg)


def monthly_headlines(
    monthly: pl.DataFrame,
    /,
    *,
    month: Month,
    city: str | None = None,
    min_customers: int = 10,
) -> pl.DataFrame:
    """Summarise customers, payments and spend in a month, with changes on month and year.

    Parameters
    ----------
    monthly
        The ``city_monthly`` mart (``merchant_city``, ``month``, ``customers``, ``payments``,
        ``spend_minor``; ``data_contracts/marts/city_monthly.yaml``) with ``city``, or the
        ``total_monthly`` mart without it. Distinct customers are counted in the reduce per
        city and month, so they are exact here.
    month
        ``"YYYY-MM"``; must hold payments.
    city
        Only payments at merchants in this city; ``None`` for everything (online included).
    min_customers
        A period with fewer distinct customers (none at all included) has its figures blanked
        (null); :func:`insights.spending.notes.headlines_note` says so in a sentence.

    Returns
    -------
    pl.DataFrame
        One row per metric (``customers``, ``payments``, ``spend_minor``): ``metric``,
        ``month``, ``this_month``, ``last_month``, ``last_year`` (Int64, null where there is no
        data or too few customers), ``change_on_month_pct``, ``change_on_year_pct``.

    Raises
    ------
    ParameterError
        Raw transactions or the wrong mart, or a month without any payment (a city without
        payments that month gets blank figures instead).

    Examples
    --------
    >>> from datetime import date
    >>> totals = pl.DataFrame(
    ...     {
    ...         "month": [date(2025, 8, 1), date(2025, 9, 1)],
    ...         "customers": [1, 2],
    ...         "payments": [1, 2],
    ...         "spend_minor": [400, 800],
    ...     }
    ... )
    >>> monthly_headlines(totals, month="2025-09", min_customers=1).select(
    ...     "metric", "this_month", "last_month", "change_on_month_pct"
    ... )
    shape: (3, 4)
    ┌─────────────┬────────────┬────────────┬─────────────────────┐
    │ metric      ┆ this_month ┆ last_month ┆ change_on_month_pct │
    │ ---         ┆ ---        ┆ ---        ┆ ---                 │
    │ str         ┆ i64        ┆ i64        ┆ f64                 │
    ╞═════════════╪════════════╪════════════╪═════════════════════╡
    │ customers   ┆ 2          ┆ 1          ┆ 100.0               │
    │ payments    ┆ 2          ┆ 1          ┆ 100.0               │
    │ spend_minor ┆ 800        ┆ 400        ┆ 100.0               │
    └─────────────┴────────────┴────────────┴─────────────────────┘

    """
    _check_min_customers(min_customers)
    first = parse_month(month)
    totals = _month_totals(monthly, city, month)
    periods = {
        "this_month": first,
        "last_month": _shift_months(first, -1),
        "last_year": _shift_months(first, -12),
    }
    enough = pl.col("customers") >= min_customers
    wide = pl.DataFrame({"metric": _METRICS})
    for name, start in periods.items():
        row = totals.filter(pl.col("month") == start).select(
            [pl.when(enough).then(pl.col(m).cast(pl.Int64)).alias(m) for m in _METRICS]
        )
        values = [row[m][0] if len(row) else None for m in _METRICS]
        wide = wide.with_columns(pl.Series(name, values, dtype=pl.Int64))
    return wide.select(
        "metric",
        pl.lit(first).alias("month"),
        "this_month",
        "last_month",
        "last_year",
        _pct_change("this_month", "last_month").alias("change_on_month_pct"),
        _pct_change("this_month", "last_year").alias("change_on_year_pct"),
    )
