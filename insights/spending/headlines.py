"""Monthly headlines: customers, payments and spend, with the change on last month and last year."""

from __future__ import annotations

from typing import Any

import polars as pl

from insights._common import DEFAULT_TZ, parse_month
from insights.errors import ParameterError
from insights.spending._shared import (
    check_min_customers as _check_min_customers,
    payers as _payers,
    payments as _payments,
    pct_change as _pct_change,
    shift_months as _shift_months,
    spend as _spend,
    transactions as _transactions,
)

__all__ = ["monthly_headlines"]


def monthly_headlines(
    tx: Any,
    /,
    *,
    month: str,
    city: str | None = None,
    min_customers: int = 10,
    tz: str = DEFAULT_TZ,
) -> pl.DataFrame:
    """Summarise customers, payments and spend in a month, with changes on month and year.

    Parameters
    ----------
    tx
        Raw polars transactions.
    month
        ``"YYYY-MM"``; must hold payments.
    city
        Only payments at merchants in this city; ``None`` for everything (online included).
    min_customers
        A period with fewer distinct customers (none at all included) has its figures blanked
        (null); :func:`insights.spending.notes.headlines_note` says so in a sentence.
    tz
        Time zone of the calendar month.

    Returns
    -------
    pl.DataFrame
        One row per metric (``customers``, ``payments``, ``spend_minor``): ``metric``,
        ``month``, ``this_month``, ``last_month``, ``last_year`` (Int64, null where there is no
        data or too few customers), ``change_on_month_pct``, ``change_on_year_pct``.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> import polars as pl
    >>> tx = pl.DataFrame(
    ...     {
    ...         "customer_id": ["a", "b", "a"],
    ...         "created_at": [
    ...             datetime(2025, 8, 5, tzinfo=timezone.utc),
    ...             datetime(2025, 9, 5, tzinfo=timezone.utc),
    ...             datetime(2025, 9, 6, tzinfo=timezone.utc),
    ...         ],
    ...         "amount_minor": [400, 500, 300],
    ...     }
    ... )
    >>> monthly_headlines(tx, month="2025-09", min_customers=1).select(
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
    frame = _transactions(tx, "monthly_headlines")
    month_of = pl.col("created_at").dt.convert_time_zone(tz).dt.date().dt.truncate("1mo")
    if city is not None:
        # A city without payments this month gets blank figures; a month without any payment
        # at all is a wrong parameter.
        anywhere = frame.filter(month_of == first).select(pl.len()).collect().item()
        if anywhere == 0:
            msg = f"No payments in {month}; pick a month the data covers."
            raise ParameterError(msg)
        frame = frame.filter(pl.col("merchant_city") == city)
    periods = {
        "this_month": first,
        "last_month": _shift_months(first, -1),
        "last_year": _shift_months(first, -12),
    }
    totals = (
        frame.with_columns(month_of.alias("month"))
        .filter(pl.col("month").is_in(list(periods.values())))
        .group_by("month")
        .agg(_payers(), _payments(), _spend())
        .collect()
    )
    if city is None and first not in totals["month"].to_list():
        msg = f"No payments in {month}; pick a month the data covers."
        raise ParameterError(msg)
    metrics = ["customers", "payments", "spend_minor"]
    enough = pl.col("customers") >= min_customers
    wide = pl.DataFrame({"metric": metrics})
    for name, start in periods.items():
        row = totals.filter(pl.col("month") == start).select(
            [pl.when(enough).then(pl.col(m)).alias(m) for m in metrics]
        )
        values = [row[m][0] if len(row) else None for m in metrics]
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
