"""Active customers: the denominators of a contact rate.

Two definitions are offered:

* :func:`open_accounts` — **the default**: accounts open on the local day (opened on or
  before it and not closed before it ends); :func:`open_accounts_series` gives the same count
  as a ``ds, y`` series to forecast.
* :func:`active_payers` — the alternative: customers with a card payment in the trailing
  ``window_days`` days (inclusive of the day), closer to "customers using the product".

Both name their count ``active_customers``, so :func:`insights.contacts_per_active` takes either.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TypeVar

import polars as pl

from insights._common import DEFAULT_TZ, local_day, parse_day
from insights.contacts._scope import require_mart
from insights.errors import ParameterError

__all__ = ["active_payers", "open_accounts", "open_accounts_series"]

Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)


def open_accounts(
    customers: Frame,
    /,
    *,
    start: date,
    end: date,
    tz: str = DEFAULT_TZ,
) -> Frame:
    """Accounts open on each local day from ``start`` to ``end`` (the default denominator).

    An account counts on day ``d`` when it was opened on or before ``d`` and was not closed
    before ``d`` ended … precisely: local ``opened_at`` date ≤ ``d`` and (``closed_at`` is
    null or its local date > ``d``). An account closed during ``d`` is not active on ``d``.

    Parameters
    ----------
    customers
        Customers satisfying ``data_contracts/customers.yaml``.
    start, end
        First and last day (inclusive).
    tz
        Time zone whose calendar defines the day.

    Returns
    -------
    pl.DataFrame or pl.LazyFrame
        ``ds`` (date), ``active_customers`` (Int64), one row per day.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> utc = timezone.utc
    >>> customers = pl.DataFrame({
    ...     "opened_at": [datetime(2025, 1, 1, tzinfo=utc), datetime(2025, 1, 2, 12, tzinfo=utc)],
    ...     "closed_at": [datetime(2025, 1, 3, 9, tzinfo=utc), None]})
    >>> open_accounts(customers, start=date(2025, 1, 1), end=date(2025, 1, 4))
    shape: (4, 2)
    ┌────────────┬──────────────────┐
    │ ds         ┆ active_customers │
    │ ---        ┆ ---              │
    │ date       ┆ i64              │
    ╞════════════╪══════════════════╡
    │ 2025-01-01 ┆ 1                │
    │ 2025-01-02 ┆ 2                │
    │ 2025-01-03 ┆ 1                │
    │ 2025-01-04 ┆ 1                │
    └────────────┴──────────────────┘

    """
    _check_range(start, end, who="open_accounts")
    opened = local_day("opened_at", tz=tz)
    closed = local_day("closed_at", tz=tz)
    # +1 on the opening day, −1 on the closing day; both clipped into [start, end + 1]
    events = pl.concat(
        [
            customers.select(opened.alias("ds"), pl.lit(1, dtype=pl.Int64).alias("delta")),
            customers.filter(pl.col("closed_at").is_not_null()).select(
                closed.alias("ds"), pl.lit(-1, dtype=pl.Int64).alias("delta")
            ),
        ]
    )
    return _running_total(events, start=start, end=end, name="active_customers")


def active_payers(
    transactions: Frame,
    /,
    *,
    window_days: int = 30,
    start: date | None = None,
    end: date | None = None,
    tz: str = DEFAULT_TZ,
) -> Frame:
    """Count customers with a card payment in the trailing ``window_days`` days (alternative).

    A customer counts on day ``d`` when they made a payment (``amount_minor > 0``; refunds do
    not count) on a local day in ``[d − window_days + 1, d]``.

    Parameters
    ----------
    transactions
        Transactions satisfying ``data_contracts/transactions.yaml``.
    window_days
        Length of the trailing window.
    start, end
        Days to report; default from the first day with a full window of data
        (first payment day + ``window_days`` − 1) to the last payment day.
    tz
        Time zone whose calendar defines the day.

    Returns
    -------
    pl.DataFrame or pl.LazyFrame
        ``ds`` (date), ``active_customers`` (Int64: the same name as
        :func:`open_accounts`, so :func:`insights.contacts_per_active` takes either).

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> utc = timezone.utc
    >>> tx = pl.DataFrame({
    ...     "customer_id": ["a", "a", "b"],
    ...     "created_at": [datetime(2025, 1, 1, 12, tzinfo=utc),
    ...                    datetime(2025, 1, 2, 12, tzinfo=utc),
    ...                    datetime(2025, 1, 3, 12, tzinfo=utc)],
    ...     "amount_minor": [500, 700, 300]})
    >>> active_payers(tx, window_days=2, start=date(2025, 1, 1), end=date(2025, 1, 5))
    shape: (5, 2)
    ┌────────────┬──────────────────┐
    │ ds         ┆ active_customers │
    │ ---        ┆ ---              │
    │ date       ┆ i64              │
    ╞════════════╪══════════════════╡
    │ 2025-01-01 ┆ 1                │
    │ 2025-01-02 ┆ 1                │
    │ 2025-01-03 ┆ 2                │
    │ 2025-01-04 ┆ 1                │
    │ 2025-01-05 ┆ 0                │
    └────────────┴──────────────────┘

    """
    if isinstance(window_days, bool) or window_days < 1:
        msg = f"active_payers: window_days={window_days} must be a positive number of days."
        raise ParameterError(msg)
    pay_days = (
        transactions.filter(pl.col("amount_minor") > 0)
        .select("customer_id", local_day("created_at", tz=tz).alias("day"))
        .unique()
        .sort("customer_id", "day")
    )
    if start is None or end is None:
        bounds = pay_days.select(pl.col("day").min().alias("lo"), pl.col("day").max().alias("hi"))
        got = bounds.collect() if isinstance(bounds, pl.LazyFrame) else bounds
        lo, hi = got.row(0)
        if lo is None:
            msg = "active_payers: no payments (amount_minor > 0) to count; pass start and end."
            raise ParameterError(msg)
        start = start if start is not None else lo + timedelta(days=window_days - 1)
        end = end if end is not None else hi
    assert start is not None and end is not None
    _check_range(start, end, who="active_payers")
    # each payment day d makes the customer active on [d, d + window − 1]; merge overlapping
    # spells per customer so nobody is counted twice
    gap = (pl.col("day") - pl.col("day").shift(1).over("customer_id")).dt.total_days()
    spells = (
        pay_days.with_columns(
            (gap.is_null() | (gap > window_days)).cum_sum().over("customer_id").alias("spell")
        )
        .group_by("customer_id", "spell")
        .agg(pl.col("day").min().alias("first"), pl.col("day").max().alias("last"))
    )
    events = pl.concat(
        [
            spells.select(pl.col("first").alias("ds"), pl.lit(1, dtype=pl.Int64).alias("delta")),
            spells.select(
                (pl.col("last") + pl.duration(days=window_days)).alias("ds"),
                pl.lit(-1, dtype=pl.Int64).alias("delta"),
            ),
        ]
    )
    return _running_total(events, start=start, end=end, name="active_customers")


def open_accounts_series(
    accounts: pl.DataFrame, /, *, as_of: date | str, years: int = 3
) -> pl.DataFrame:
    """Accounts open per local day, as ``ds, y``, for up to ``years`` years before ``as_of``.

    Parameters
    ----------
    accounts
        The ``accounts_daily`` mart (``day``, ``open_accounts``;
        ``data_contracts/marts/accounts_daily.yaml``), which starts on the first opening.
    as_of
        Last day of the series.
    years
        At most this many years (of 365 days) before ``as_of``.

    Returns
    -------
    pl.DataFrame
        ``ds`` (date), ``y`` (Float64: accounts open), one row per day.

    Examples
    --------
    >>> accounts = pl.DataFrame({"day": [date(2025, 6, 1), date(2025, 6, 2), date(2025, 6, 3)],
    ...                          "open_accounts": [3, 3, 4]})
    >>> open_accounts_series(accounts, as_of="2025-06-02")["y"].to_list()
    [3.0, 3.0]

    """
    as_of = parse_day(as_of)
    accounts = require_mart(accounts, "accounts_daily", ["day", "open_accounts"], "open_accounts")
    start = as_of - timedelta(days=365 * years)
    return accounts.filter(pl.col("day").is_between(start, as_of)).select(
        pl.col("day").alias("ds"), pl.col("open_accounts").cast(pl.Float64).alias("y")
    )


def _check_range(start: date, end: date, *, who: str) -> None:
    if end < start:
        msg = f"{who}: end={end} is before start={start}."
        raise ParameterError(msg)


def _running_total(events: Frame, /, *, start: date, end: date, name: str) -> Frame:
    """Cumulative sum of ``delta`` events on each day of ``[start, end]``."""
    clipped = (
        events.filter(pl.col("ds") <= end)
        .with_columns(pl.col("ds").clip(lower_bound=start))
        .group_by("ds")
        .agg(pl.col("delta").sum())
    )
    days = pl.DataFrame({"ds": pl.date_range(start, end, eager=True)})
    grid = days.lazy() if isinstance(events, pl.LazyFrame) else days
    return (
        grid.join(clipped, on="ds", how="left")  # type: ignore[arg-type]
        .sort("ds")
        .select("ds", pl.col("delta").fill_null(0).cum_sum().cast(pl.Int64).alias(name))
    )
