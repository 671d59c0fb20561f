"""Spending spikes: days whose spend jumps against both the previous week and the year so far.

Built on :func:`insights.category_daily` or :func:`insights.group_daily`; a spike needs on
average ``min_baseline_customers`` customers a day over the previous week.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

import polars as pl

from insights._common import Month, parse_month
from insights.errors import ParameterError
from insights.spending._shared import (
    brand_names as _brand_names,
    check_min_customers as _check_min_customers,
    daily_by as _daily_by,
    mart_frame as _mart_frame,
)

__all__ = ["SpikeKey", "spending_spikes"]

SpikeKey = Literal["merchant_category", "merchant_group_id"]


def spending_spikes(
    daily: pl.DataFrame,
    /,
    *,
    by: SpikeKey = "merchant_category",
    min_ratio: float = 2.0,
    window: int = 7,
    city: str | None = None,
    min_customers: int = 10,
    min_baseline_customers: float = 10.0,
    min_active_share: float = 0.8,
    month: Month | None = None,
    names: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Days whose spend jumps against both the previous week and the year so far.

    For each ``by`` value and day :math:`d` with spend :math:`s_d`:
    ``ratio_prev_week`` = :math:`s_d` / mean of the ``window`` days before :math:`d`, and
    ``ratio_year_to_date`` = :math:`s_d` / mean day from 1 January (or the series' first day)
    up to the day before (at least ``window`` days). A spike has both ratios ≥ ``min_ratio``.
    ``jump_pct`` = ``100 × (ratio_year_to_date − 1)``, as in "cinema spending jumped 261% on
    22 July compared with the daily average up to then".

    A ratio needs a baseline worth comparing with. Both comparison windows must have payments
    on at least ``min_active_share`` of their days (a brand silent for ten months has no
    "average day so far": +14,677% against empty days is an artefact, not news), and at least
    ``min_baseline_customers`` customers a day on average.

    Parameters
    ----------
    daily
        The ``category_daily`` mart (``by="merchant_category"``) or the ``group_daily`` mart
        (``by="merchant_group_id"``), as :func:`insights.read_mart` returns them (``<by>``,
        ``day``, ``spend_minor``, ``customers``); cities are summed, missing days count as
        zero spend.
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
        ``window`` days and over the year so far: a ratio against a handful of payments is
        noise (a place with one customer a day "jumps 10,000%" when a party of fifty turns
        up), not news.
    min_active_share
        Share of the days in each comparison window that must have payments (0 to 1).
    month
        ``"YYYY-MM"``: only spikes from 1 January of that year to the end of that month (the
        "year so far" of a monthly report). ``None``: every day in ``daily``.
    names
        With ``by="merchant_group_id"``: the ``merchant_monthly`` mart, to label each group
        with its brand (its most common ``merchant_name``) in a ``brand`` column.

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
    if not 0 <= min_active_share <= 1:
        msg = f"min_active_share is a share of days, between 0 and 1; got {min_active_share}."
        raise ParameterError(msg)
    marts = ["group_daily"] if by == "merchant_group_id" else ["category_daily"]
    per_day = _daily_by(daily, by, "spending_spikes", city, marts)
    in_year_so_far = pl.lit(value=True)
    if month is not None:
        first = parse_month(month)
        end = (first + timedelta(days=32)).replace(day=1)
        in_year_so_far = pl.col("day").is_between(first.replace(month=1), end, closed="left")
    spend = pl.col("spend_minor")
    year = pl.col("day").dt.year()
    prev_week = spend.rolling_mean(window_size=window).shift(1).over(by)
    prev_customers = pl.col("customers").rolling_mean(window_size=window).shift(1).over(by)
    active = (spend > 0).cast(pl.Int64)
    prev_active = active.rolling_sum(window_size=window).shift(1).over(by)
    days_so_far = spend.cum_count().shift(1).over(by, year)
    year_to_date = (spend.cum_sum() / spend.cum_count()).shift(1).over(by, year)
    ytd_active = active.cum_sum().shift(1).over(by, year)
    ytd_customers = (pl.col("customers").cum_sum() / spend.cum_count()).shift(1).over(by, year)
    spikes = (
        per_day.with_columns(
            prev_week.alias("prev_week_mean"),
            prev_customers.alias("_prev_customers"),
            (prev_active / window).alias("_prev_active"),
            (ytd_active / days_so_far).alias("_ytd_active"),
            ytd_customers.alias("_ytd_customers"),
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
            pl.col("_ytd_customers") >= min_baseline_customers,
            pl.col("_prev_active") >= min_active_share,
            pl.col("_ytd_active") >= min_active_share,
            in_year_so_far,
        )
        .drop("_prev_customers", "_prev_active", "_ytd_active", "_ytd_customers")
        .sort(["ratio_year_to_date", by, "day"], descending=[True, False, False])
    )
    if names is not None and by == "merchant_group_id":
        labels = _mart_frame(names, "spending_spikes (names)", ["merchant_monthly"], [by])
        spikes = spikes.join(_brand_names(labels), on=by, how="left")
    return spikes
