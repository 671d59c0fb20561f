"""Category growth: spend per category indexed to a baseline, and this month against last year.

::

    category_daily ─── category_index   7-day rolling spend per category, baseline = 100
    category_daily ─── year_on_year     each category (or brand, from group_daily) against
                                        the same days of the same month last year

Rows describing fewer than ``min_customers`` distinct customers are suppressed (default 10).
Money is integer minor units.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from insights._common import Month, match_city, parse_month, require_columns
from insights.errors import InsufficientHistoryError, ParameterError
from insights.spending._shared import (
    check_min_customers as _check_min_customers,
    daily_by as _daily_by,
    mart_frame as _mart_frame,
    month_end as _month_end,
    pct_change as _pct_change,
    shift_months as _shift_months,
)

__all__ = ["category_index", "year_on_year"]


def category_index(
    daily: pl.DataFrame,
    /,
    *,
    baseline: tuple[str, str] | None = None,
    month: Month | None = None,
    window: int = 7,
    city: str | None = None,
    min_customers: int = 10,
) -> pl.DataFrame:
    """Index the rolling average daily spend per category so the baseline mean is 100.

    Parameters
    ----------
    daily
        The ``category_daily`` mart (:func:`insights.read_mart`; ``merchant_category``,
        ``day``, ``spend_minor``, ``customers``; ``merchant_city`` when ``city`` is given).
        Cities are summed; days without spend count as zero.
    baseline
        First and last day (ISO dates, inclusive) of the reference period.
    month
        ``"YYYY-MM"`` of a monthly report: unless ``baseline`` is given, the reference period
        is the same month a year earlier, and the result covers the 13 months ending with
        ``month`` (so the chart reads "compared with this month last year"). Give
        ``baseline``, ``month`` or both. When the data do not reach back to that month the
        result is empty (a normal result for young data); an explicit ``baseline`` outside
        the data raises.
    window
        Days in the trailing rolling mean.
    city
        Only this city; ``None`` for all (online included).
    min_customers
        Days with fewer customers in a category keep their row but their spend, customers and
        index are null (suppressed), so charts show a gap instead of bridging it.

    Returns
    -------
    pl.DataFrame
        ``merchant_category``, ``day``, ``spend_minor``, ``customers`` (distinct per city and
        day, summed over cities), ``spend_rolling`` (trailing ``window``-day mean),
        ``index`` (``100 × spend_rolling / mean daily spend over the baseline``; null for the
        first ``window - 1`` days or when the baseline spend is zero).

    Examples
    --------
    >>> from datetime import date
    >>> import polars as pl
    >>> daily = pl.DataFrame(
    ...     {
    ...         "merchant_category": "groceries",
    ...         "day": pl.date_range(date(2024, 1, 1), date(2024, 1, 4), eager=True),
    ...         "spend_minor": [100, 100, 200, 300],
    ...         "customers": 20,
    ...     }
    ... )
    >>> category_index(daily, baseline=("2024-01-01", "2024-01-02"), window=2)["index"].to_list()
    [None, 100.0, 150.0, 250.0]

    """
    _check_min_customers(min_customers)
    if window < 1:
        msg = f"window must be at least 1 day, got {window}."
        raise ParameterError(msg)
    shown: tuple[date, date] | None = None
    explicit = baseline is not None
    if month is not None:
        first_day = parse_month(month)
        after = (first_day + timedelta(days=32)).replace(day=1)
        year_ago = first_day.replace(year=first_day.year - 1)
        shown = (year_ago, after - timedelta(days=1))
        if baseline is None:
            year_ago_end = (year_ago + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            baseline = (year_ago.isoformat(), year_ago_end.isoformat())
    if baseline is None:
        msg = "category_index: give baseline=(first_day, last_day) or month='YYYY-MM'."
        raise ParameterError(msg)
    try:
        start, end = (date.fromisoformat(d) for d in baseline)
    except (TypeError, ValueError) as exc:
        msg = f"baseline must be two ISO dates like ('2024-01-01', '2024-03-31'), got {baseline!r}."
        raise ParameterError(msg) from exc
    per_day = _daily_by(daily, "merchant_category", "category_index", city, ["category_daily"])
    span = per_day.select(pl.col("day").min().alias("first"), pl.col("day").max().alias("last"))
    first, last = span.row(0)
    if first is None or first > start or last < end:
        if not explicit:
            # A month whose year-ago baseline the data does not reach: nothing to index yet,
            # a normal empty result (insights.spending.notes.category_index_note says why).
            return _empty_index()
        msg = (
            f"The baseline {start} to {end} is not inside the data ({first!s} to {last!s}). "
            "Pass a baseline period the data covers."
        )
        raise InsufficientHistoryError(msg)
    in_baseline = pl.col("day").is_between(start, end)
    base_mean = pl.col("spend_minor").filter(in_baseline).mean().over("merchant_category")
    rolling = pl.col("spend_minor").rolling_mean(window_size=window).over("merchant_category")
    return (
        per_day.with_columns(rolling.alias("spend_rolling"), base_mean.alias("_base"))
        .with_columns(
            pl.when(pl.col("_base") > 0)
            .then(100.0 * pl.col("spend_rolling") / pl.col("_base"))
            .alias("index")
        )
        .filter(pl.lit(value=True) if shown is None else pl.col("day").is_between(*shown))
        # Days with too few customers are suppressed, not dropped: a chart shows a gap.
        .with_columns(
            pl.when(pl.col("customers") >= min_customers).then(pl.col(c)).alias(c)
            for c in ("spend_minor", "customers", "spend_rolling", "index")
        )
        .drop("_base")
    )


def _empty_index() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "merchant_category": pl.String,
            "day": pl.Date,
            "spend_minor": pl.Int64,
            "customers": pl.Int64,
            "spend_rolling": pl.Float64,
            "index": pl.Float64,
        }
    )


def year_on_year(
    daily: pl.DataFrame,
    /,
    *,
    month: Month,
    by: str = "merchant_category",
    city: str | None = None,
    min_customers: int = 10,
) -> pl.DataFrame:
    """Spend and customers in a month against the same days of the same month a year before.

    The windows are aligned: if the data stops part-way through ``month``, last year's window
    stops on the same day of the month, and ``days`` says how many days were compared.

    Parameters
    ----------
    daily
        The ``category_daily`` mart (:func:`insights.read_mart`; ``merchant_category``,
        ``merchant_city``, ``day``, ``spend_minor``, ``customers``) or, with
        ``by="merchant_group_id"``, the ``group_daily`` mart. ``customers`` summed over days
        and cities are customer-days, not people. Raw transactions are reduced first
        (:func:`insights.reduce_marts`).
    month
        ``"YYYY-MM"``.
    by
        Column to break down by: ``"merchant_category"`` or ``"merchant_group_id"``.
    city
        Only this city (needs ``merchant_city``: the ``category_daily`` mart).
    min_customers
        Rows where either year may count fewer people are suppressed: the busiest day's
        customers (a lower bound of the distinct people in the window) must reach it, since
        customer-days overstate people.

    Returns
    -------
    pl.DataFrame
        ``<by>``, ``month``, ``days``, ``spend_minor``, ``spend_minor_last_year``,
        ``customers``, ``customers_last_year``, ``spend_growth_pct``,
        ``customers_growth_pct``; sorted by ``spend_growth_pct`` (largest first).

    Examples
    --------
    >>> from datetime import date
    >>> import polars as pl
    >>> daily = pl.DataFrame(
    ...     {
    ...         "merchant_category": "groceries",
    ...         "day": [date(2024, 9, 1), date(2024, 9, 20), date(2025, 9, 1)],
    ...         "spend_minor": [1000, 5000, 1500],
    ...         "customers": [20, 20, 30],
    ...     }
    ... )
    >>> year_on_year(daily, month="2025-09").select(
    ...     "days", "spend_minor_last_year", "spend_growth_pct"
    ... )
    shape: (1, 3)
    ┌──────┬───────────────────────┬──────────────────┐
    │ days ┆ spend_minor_last_year ┆ spend_growth_pct │
    │ ---  ┆ ---                   ┆ ---              │
    │ i64  ┆ i64                   ┆ f64              │
    ╞══════╪═══════════════════════╪══════════════════╡
    │ 1    ┆ 1000                  ┆ 50.0             │
    └──────┴───────────────────────┴──────────────────┘

    """
    _check_min_customers(min_customers)
    first = parse_month(month)
    needed = ["day", by, "spend_minor", "customers"] + ([] if city is None else ["merchant_city"])
    marts = ("group_daily",) if by == "merchant_group_id" else ("category_daily", "group_daily")
    frame = _mart_frame(daily, "year_on_year", marts, needed).lazy()
    # The data's last day this month, over every city: a city's quiet last day is not the end.
    last_day = (
        frame.filter(pl.col("day").is_between(first, _month_end(first)))
        .select(pl.col("day").max())
        .collect()
        .item()
    )
    if last_day is None:
        msg = f"No spending in {month}; pick a month the data covers."
        raise ParameterError(msg)
    if city is not None:
        require_columns(frame, ["merchant_city"], who="year_on_year")
        cities = frame.select(pl.col("merchant_city").unique()).collect().to_series()
        city = match_city(city, cities, who="year_on_year", strict=False)
        frame = frame.filter(pl.col("merchant_city") == city)
    last_year_first = _shift_months(first, -12)
    last_year_end = last_year_first + (last_day - first)
    period = (
        pl.when(pl.col("day").is_between(first, last_day))
        .then(pl.lit("this"))
        .when(pl.col("day").is_between(last_year_first, last_year_end))
        .then(pl.lit("last"))
        .alias("_period")
    )
    # The privacy floor applies to people: customers summed over days are customer-days (6
    # people can make 15), so the busiest day's distinct customers, a lower bound of the
    # people in the window, must reach min_customers.
    aggs = [
        pl.col("spend_minor").sum().cast(pl.Int64),
        pl.col("customers").sum().cast(pl.Int64),
        pl.col("customers").max().cast(pl.Int64).alias("_people"),
    ]
    totals = (
        frame.with_columns(period)
        .filter(pl.col("_period").is_not_null())
        .group_by(by, "_period")
        .agg(*aggs)
        .collect()
    )
    # No spending last year (data starting less than a year ago) or none in the city: an
    # empty comparison, not an error (insights.spending.notes.year_on_year_note says why).
    this = totals.filter(pl.col("_period") == "this").drop("_period")
    last = totals.filter(pl.col("_period") == "last").drop("_period")
    return (
        this.join(last, on=by, how="inner", suffix="_last_year")
        .with_columns(
            pl.lit(first).alias("month"),
            pl.lit((last_day - first).days + 1, pl.Int64).alias("days"),
            _pct_change("spend_minor", "spend_minor_last_year").alias("spend_growth_pct"),
            _pct_change("customers", "customers_last_year").alias("customers_growth_pct"),
        )
        .filter(
            pl.col("_people") >= min_customers,
            pl.col("_people_last_year") >= min_customers,
        )
        .select(
            by,
            "month",
            "days",
            "spend_minor",
            "spend_minor_last_year",
            "customers",
            "customers_last_year",
            "spend_growth_pct",
            "customers_growth_pct",
        )
        .sort(["spend_growth_pct", by], descending=[True, False], nulls_last=True)
    )
