"""Spending insights: small, publishable tables built on the daily and monthly aggregates.

::

    category_daily / group_daily ─┬─ category_index       spend per category, baseline = 100
                                  └─ spending_spikes      days whose spend jumps
    transactions ─────────────────┬─ year_on_year         this month vs the same month last year
                                  ├─ monthly_headlines    customers, payments, spend and changes
                                  └─ regional_favourites  which rival brand leads in each city

Every table carries the customer counts behind it, and rows describing fewer than
``min_customers`` distinct customers are suppressed (default 10). Money is integer minor units.
Functions reading raw transactions take polars frames; reduce other engines first with
:mod:`insights.reduce.aggregates`.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, Literal

import polars as pl

from insights.errors import InsufficientHistoryError, ParameterError
from insights.reduce.aggregates import DEFAULT_TZ, parse_month, to_polars

__all__ = [
    "category_index",
    "monthly_headlines",
    "regional_favourites",
    "spending_spikes",
    "year_on_year",
]

SpikeKey = Literal["merchant_category", "merchant_group_id"]


# --- small helpers ------------------------------------------------------------------------


def _local_day(tz: str) -> pl.Expr:
    return pl.col("created_at").dt.convert_time_zone(tz).dt.date().alias("day")


def _is_payment() -> pl.Expr:
    return pl.col("amount_minor") > 0


def _payers() -> pl.Expr:
    """Distinct customers with at least one payment (refunds are not visits)."""
    return pl.col("customer_id").filter(_is_payment()).n_unique().cast(pl.Int64).alias("customers")


def _payments() -> pl.Expr:
    return _is_payment().sum().cast(pl.Int64).alias("payments")


def _spend() -> pl.Expr:
    return pl.col("amount_minor").sum().cast(pl.Int64).alias("spend_minor")


def _pct_change(now: str, before: str) -> pl.Expr:
    return (
        pl.when(pl.col(before) > 0)
        .then((pl.col(now) / pl.col(before) - 1.0) * 100.0)
        .otherwise(None)
    )


def _shift_months(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _month_end(first: date) -> date:
    return _shift_months(first, 1) - timedelta(days=1)


def _check_min_customers(min_customers: int) -> None:
    if min_customers < 1:
        msg = (
            "min_customers must be at least 1 (default 10, the privacy threshold), "
            f"got {min_customers}."
        )
        raise ParameterError(msg)


def _require(frame: pl.DataFrame | pl.LazyFrame, columns: Sequence[str], what: str) -> None:
    names = frame.collect_schema().names() if isinstance(frame, pl.LazyFrame) else frame.columns
    missing = [c for c in columns if c not in names]
    if missing:
        msg = f"{what} needs columns {list(columns)}; missing {missing} (got {names})."
        raise ParameterError(msg)


def _transactions(tx: Any, what: str) -> pl.LazyFrame:
    if isinstance(tx, pl.DataFrame):
        tx = tx.lazy()
    if not isinstance(tx, pl.LazyFrame):
        msg = (
            f"{what} reads polars transactions; got {type(tx).__name__}. Reduce other engines "
            "with insights.reduce.aggregates first."
        )
        raise ParameterError(msg)
    _require(tx, ["created_at", "customer_id", "amount_minor"], what)
    return tx


def _daily_by(daily: Any, by: str, what: str, city: str | None) -> pl.DataFrame:
    """Daily spend and customers per ``by``, summed over cities, missing days filled with 0."""
    frame = to_polars(daily)
    _require(frame, [by, "day", "spend_minor", "customers"], what)
    if city is not None:
        _require(frame, ["merchant_city"], what)
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


# --- public functions ---------------------------------------------------------------------


def category_index(
    daily: Any,
    /,
    *,
    baseline: tuple[str, str] | None = None,
    month: str | None = None,
    window: int = 7,
    city: str | None = None,
    min_customers: int = 10,
) -> pl.DataFrame:
    """Index the rolling average daily spend per category so the baseline mean is 100.

    Parameters
    ----------
    daily
        :func:`insights.category_daily` output (``merchant_category``, ``day``,
        ``spend_minor``, ``customers``; ``merchant_city`` when ``city`` is given). Cities are
        summed; days without spend count as zero.
    baseline
        First and last day (ISO dates, inclusive) of the reference period.
    month
        ``"YYYY-MM"`` of a monthly report: unless ``baseline`` is given, the reference period
        is the same month a year earlier, and the result covers the 13 months ending with
        ``month`` (so the chart reads "compared with this month last year"). Give
        ``baseline``, ``month`` or both.
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
    per_day = _daily_by(daily, "merchant_category", "category_index", city)
    span = per_day.select(pl.col("day").min().alias("first"), pl.col("day").max().alias("last"))
    first, last = span.row(0)
    if first is None or first > start or last < end:
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


def spending_spikes(
    daily: Any,
    /,
    *,
    by: SpikeKey = "merchant_category",
    min_ratio: float = 2.0,
    window: int = 7,
    city: str | None = None,
    min_customers: int = 10,
    min_baseline_customers: float = 10.0,
    month: str | None = None,
    names: Any | None = None,
) -> pl.DataFrame:
    """Days whose spend jumps against both the previous week and the year so far.

    For each ``by`` value and day :math:`d` with spend :math:`s_d`:
    ``ratio_prev_week`` = :math:`s_d` / mean of the ``window`` days before :math:`d`, and
    ``ratio_year_to_date`` = :math:`s_d` / mean day from 1 January up to the day before
    (at least ``window`` days). A spike has both ratios ≥ ``min_ratio``. ``jump_pct`` =
    ``100 × (ratio_year_to_date − 1)``, as in "cinema spending jumped 261% on 22 July compared
    with the daily average up to then".

    Parameters
    ----------
    daily
        :func:`insights.category_daily` or :func:`insights.group_daily`
        output; cities are summed, missing days count as zero spend.
    by
        ``"merchant_category"`` or ``"merchant_group_id"``.
    min_ratio
        Minimum of both ratios for a spike.
    window
        Days in the "previous days" mean.
    city
        Only this city (needs ``merchant_city`` in ``daily``).
    min_customers
        Spike days with fewer customers are suppressed.
    min_baseline_customers
        A spike needs at least this many customers per day on average over the previous
        ``window`` days: a ratio against a handful of payments is noise (a place with one
        customer a day "jumps 10,000%" when a party of fifty turns up), not news.
    month
        ``"YYYY-MM"``: only spikes from 1 January of that year to the end of that month (the
        "year so far" of a monthly report). ``None``: every day in ``daily``.
    names
        With ``by="merchant_group_id"``: a frame with ``merchant_group_id`` and
        ``merchant_name`` (raw transactions or :func:`insights.merchant_monthly`)
        to label each group with its brand in a ``brand`` column.

    Returns
    -------
    pl.DataFrame
        ``<by>``, ``day``, ``spend_minor``, ``customers``, ``prev_week_mean``,
        ``year_to_date_mean``, ``ratio_prev_week``, ``ratio_year_to_date``, ``jump_pct``;
        sorted by ``ratio_year_to_date`` (largest first).

    Examples
    --------
    >>> from datetime import date
    >>> import polars as pl
    >>> daily = pl.DataFrame(
    ...     {
    ...         "merchant_category": "entertainment",
    ...         "day": pl.date_range(date(2025, 7, 1), date(2025, 7, 10), eager=True),
    ...         "spend_minor": [100] * 9 + [361],
    ...         "customers": 30,
    ...     }
    ... )
    >>> spending_spikes(daily, min_ratio=2.0).select("day", "jump_pct")
    shape: (1, 2)
    ┌────────────┬──────────┐
    │ day        ┆ jump_pct │
    │ ---        ┆ ---      │
    │ date       ┆ f64      │
    ╞════════════╪══════════╡
    │ 2025-07-10 ┆ 261.0    │
    └────────────┴──────────┘

    """
    _check_min_customers(min_customers)
    if by not in ("merchant_category", "merchant_group_id"):
        msg = f"by must be 'merchant_category' or 'merchant_group_id', got {by!r}."
        raise ParameterError(msg)
    if window < 1 or min_ratio <= 0:
        msg = f"window must be ≥ 1 and min_ratio > 0, got window={window}, min_ratio={min_ratio}."
        raise ParameterError(msg)
    per_day = _daily_by(daily, by, "spending_spikes", city)
    in_year_so_far = pl.lit(value=True)
    if month is not None:
        first = parse_month(month)
        end = (first + timedelta(days=32)).replace(day=1)
        in_year_so_far = pl.col("day").is_between(first.replace(month=1), end, closed="left")
    spend = pl.col("spend_minor")
    year = pl.col("day").dt.year()
    prev_week = spend.rolling_mean(window_size=window).shift(1).over(by)
    prev_customers = pl.col("customers").rolling_mean(window_size=window).shift(1).over(by)
    days_so_far = spend.cum_count().shift(1).over(by, year)
    year_to_date = (spend.cum_sum() / spend.cum_count()).shift(1).over(by, year)
    spikes = (
        per_day.with_columns(
            prev_week.alias("prev_week_mean"),
            prev_customers.alias("_prev_customers"),
            pl.when(days_so_far >= window).then(year_to_date).alias("year_to_date_mean"),
        )
        .with_columns(
            (spend / pl.col("prev_week_mean")).alias("ratio_prev_week"),
            (spend / pl.col("year_to_date_mean")).alias("ratio_year_to_date"),
        )
        .with_columns(((pl.col("ratio_year_to_date") - 1.0) * 100.0).alias("jump_pct"))
        .filter(
            pl.col("prev_week_mean") > 0,
            pl.col("year_to_date_mean") > 0,
            pl.col("ratio_prev_week") >= min_ratio,
            pl.col("ratio_year_to_date") >= min_ratio,
            pl.col("customers") >= min_customers,
            pl.col("_prev_customers") >= min_baseline_customers,
            in_year_so_far,
        )
        .drop("_prev_customers")
        .sort(["ratio_year_to_date", by, "day"], descending=[True, False, False])
    )
    if names is not None and by == "merchant_group_id":
        spikes = spikes.join(_brand_names(names), on=by, how="left")
    return spikes


def year_on_year(
    tx_or_daily: Any,
    /,
    *,
    month: str,
    by: str = "merchant_category",
    city: str | None = None,
    min_customers: int = 10,
    tz: str = DEFAULT_TZ,
) -> pl.DataFrame:
    """Spend and customers in a month against the same days of the same month a year before.

    The windows are aligned: if the data stops part-way through ``month``, last year's window
    stops on the same day of the month, and ``days`` says how many days were compared.

    Parameters
    ----------
    tx_or_daily
        Raw polars transactions (``customers`` = distinct payers in the window), or daily
        aggregates with ``day``, ``by``, ``spend_minor``, ``customers`` (then ``customers`` is
        the sum of daily distinct customers, i.e. customer-days).
    month
        ``"YYYY-MM"``.
    by
        Column to break down by, e.g. ``"merchant_category"`` or ``"merchant_group_id"``.
    city
        Only this city.
    min_customers
        Rows where either year has fewer customers are suppressed.
    tz
        Time zone of the calendar (raw transactions only).

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
    is_tx = isinstance(tx_or_daily, pl.DataFrame | pl.LazyFrame) and "created_at" in (
        tx_or_daily.collect_schema().names()
    )
    if is_tx:
        frame = _transactions(tx_or_daily, "year_on_year").with_columns(_local_day(tz))
    else:
        frame = to_polars(tx_or_daily).lazy()
    _require(frame, ["day", by] + ([] if is_tx else ["spend_minor", "customers"]), "year_on_year")
    if city is not None:
        frame = frame.filter(pl.col("merchant_city") == city)
    last_day = (
        frame.filter(pl.col("day").is_between(first, _month_end(first)))
        .select(pl.col("day").max())
        .collect()
        .item()
    )
    if last_day is None:
        msg = f"No spending in {month}; pick a month the data covers."
        raise ParameterError(msg)
    last_year_first = _shift_months(first, -12)
    last_year_end = last_year_first + (last_day - first)
    period = (
        pl.when(pl.col("day").is_between(first, last_day))
        .then(pl.lit("this"))
        .when(pl.col("day").is_between(last_year_first, last_year_end))
        .then(pl.lit("last"))
        .alias("_period")
    )
    aggs = (
        [_spend(), _payers()]
        if is_tx
        else [pl.col("spend_minor").sum().cast(pl.Int64), pl.col("customers").sum().cast(pl.Int64)]
    )
    totals = (
        frame.with_columns(period)
        .filter(pl.col("_period").is_not_null())
        .group_by(by, "_period")
        .agg(*aggs)
        .collect()
    )
    this = totals.filter(pl.col("_period") == "this").drop("_period")
    last = totals.filter(pl.col("_period") == "last").drop("_period")
    if last.is_empty():
        msg = f"No spending in {last_year_first:%Y-%m} to compare {month} with."
        raise InsufficientHistoryError(msg)
    return (
        this.join(last, on=by, how="inner", suffix="_last_year")
        .with_columns(
            pl.lit(first).alias("month"),
            pl.lit((last_day - first).days + 1, pl.Int64).alias("days"),
            _pct_change("spend_minor", "spend_minor_last_year").alias("spend_growth_pct"),
            _pct_change("customers", "customers_last_year").alias("customers_growth_pct"),
        )
        .filter(
            pl.col("customers") >= min_customers,
            pl.col("customers_last_year") >= min_customers,
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
        frame = _transactions(tx_or_monthly, "regional_favourites").with_columns(_local_day(tz))
        in_period = pl.lit(value=True) if bounds is None else pl.col("day").is_between(*bounds)
        agg = _payers()
    else:
        frame = to_polars(tx_or_monthly).lazy()
        _require(frame, ["month", "customers"], "regional_favourites")
        in_period = pl.lit(value=True) if bounds is None else pl.col("month").is_between(*bounds)
        agg = pl.col("customers").sum().cast(pl.Int64)
    _require(frame, ["merchant_group_id", "merchant_city"], "regional_favourites")
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


def _brand_names(tx_or_monthly: Any) -> pl.DataFrame:
    """``merchant_group_id`` → ``brand``: the group's most common ``merchant_name``."""
    frame = (
        tx_or_monthly if isinstance(tx_or_monthly, pl.LazyFrame) else to_polars(tx_or_monthly)
    ).lazy()
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
        A period with fewer distinct customers has its figures blanked (null).
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
    if city is not None:
        frame = frame.filter(pl.col("merchant_city") == city)
    periods = {
        "this_month": first,
        "last_month": _shift_months(first, -1),
        "last_year": _shift_months(first, -12),
    }
    month_of = pl.col("created_at").dt.convert_time_zone(tz).dt.date().dt.truncate("1mo")
    totals = (
        frame.with_columns(month_of.alias("month"))
        .filter(pl.col("month").is_in(list(periods.values())))
        .group_by("month")
        .agg(_payers(), _payments(), _spend())
        .collect()
    )
    if first not in totals["month"].to_list():
        where = "" if city is None else f" in {city}"
        msg = f"No payments in {month}{where}; pick a month the data covers."
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
