"""The daily accounts table: sign-ups, closures and open accounts per local day.

**Definitions** (local calendar days): a *sign-up* on day ``d`` is an account whose
``opened_at`` falls on ``d``; a *closure* one whose ``closed_at`` falls on ``d``; *open
accounts* on ``d`` are those opened on or before ``d`` and not closed on or before ``d``, so
``open_accounts[d] = open_accounts[d − 1] + signups[d] − closures[d]``. These are counts of
people: published tables suppress sign-ups and closures of 1–9 on a day.

The table can come from the raw ``customers`` contract (:func:`daily_accounts`, which counts
exactly as the ``accounts_daily`` mart does) or from that mart itself (its ``day`` is taken
for ``ds``), so the growth forecast never needs to read customer-level rows.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from insights._common import DEFAULT_TZ, parse_day, require_columns
from insights.errors import ParameterError

__all__ = ["daily_accounts", "suppress_small_accounts"]

_COUNTS = ("signups", "closures", "open_accounts")
_TZ = DEFAULT_TZ


def daily_accounts(
    customers: pl.DataFrame | pl.LazyFrame,
    /,
    *,
    end: date | str,
    start: date | str | None = None,
    tz: str = _TZ,
) -> pl.DataFrame:
    """Sign-ups, closures and open accounts per local day, from the ``customers`` contract.

    The counting is the ``accounts_daily`` mart's (:func:`insights.accounts_daily`), so the
    report and the mart agree; this names its columns for the growth functions and cuts the
    days to ``[start, end]``.

    Parameters
    ----------
    customers
        Customers satisfying ``data_contracts/customers.yaml`` (``opened_at``,
        ``closed_at`` in UTC), or the ``accounts_daily`` mart itself (then only cut to
        ``[start, end]``: a report reads the mart, never raw customers).
    end
        Last day (inclusive). Accounts opened or closed after it are not seen.
    start
        First day; default the first day an account was opened. Accounts opened before it
        are counted in its ``open_accounts``.
    tz
        Time zone whose calendar defines the day.

    Returns
    -------
    pl.DataFrame
        ``ds`` (date), ``signups``, ``closures``, ``open_accounts`` (Int64), one row per day
        from ``start`` to ``end``.

    Raises
    ------
    ParameterError
        ``end`` before ``start``, or no account opened on or before ``end``.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> utc = timezone.utc
    >>> customers = pl.DataFrame({
    ...     "opened_at": [datetime(2025, 1, 1, 9, tzinfo=utc), datetime(2025, 1, 2, 9, tzinfo=utc),
    ...                   datetime(2025, 1, 2, 23, 30, tzinfo=utc)],  # 23:30 UTC = 23:30 GMT
    ...     "closed_at": [datetime(2025, 1, 3, 9, tzinfo=utc), None, None]})
    >>> daily_accounts(customers, end="2025-01-04")
    shape: (4, 4)
    ┌────────────┬─────────┬──────────┬───────────────┐
    │ ds         ┆ signups ┆ closures ┆ open_accounts │
    │ ---        ┆ ---     ┆ ---      ┆ ---           │
    │ date       ┆ i64     ┆ i64      ┆ i64           │
    ╞════════════╪═════════╪══════════╪═══════════════╡
    │ 2025-01-01 ┆ 1       ┆ 0        ┆ 1             │
    │ 2025-01-02 ┆ 2       ┆ 0        ┆ 3             │
    │ 2025-01-03 ┆ 0       ┆ 1        ┆ 2             │
    │ 2025-01-04 ┆ 0       ┆ 0        ┆ 2             │
    └────────────┴─────────┴──────────┴───────────────┘

    """
    from insights.reduce.contacts import accounts_daily  # noqa: PLC0415 - narwhals is heavy

    last = parse_day(end, name="end")
    names = customers.collect_schema().names()
    if "open_accounts" in names:  # already the accounts_daily mart: cut it, do not recount
        mart = _daily_table(customers, who="daily_accounts")
        mart_end = mart["ds"].max()
        if isinstance(mart_end, date) and last > mart_end:
            msg = (
                f"daily_accounts: end={last} is after the accounts_daily mart's last day "
                f"{mart_end!s}; pass an earlier end or re-run `insights reduce`."
            )
            raise ParameterError(msg)
    else:
        mart = _daily_table(accounts_daily(customers, end=last, tz=tz), who="daily_accounts")
    if mart.height == 0:
        msg = (
            f"daily_accounts: no account was opened on or before end={last}; "
            "pass a later end or check the customers file."
        )
        raise ParameterError(msg)
    first = mart["ds"].min() if start is None else parse_day(start, name="start")
    assert isinstance(first, date)
    if last < first:
        msg = f"daily_accounts: end={last} is before start={first}."
        raise ParameterError(msg)
    grid = pl.DataFrame({"ds": pl.date_range(first, last, eager=True)})
    return (
        grid.join(mart, on="ds", how="left")
        .with_columns(pl.col("signups", "closures", "open_accounts").fill_null(0))
        .select("ds", *(pl.col(c).cast(pl.Int64) for c in _COUNTS))
    )


def suppress_small_accounts(daily: pl.DataFrame, /, *, min_customers: int = 10) -> pl.DataFrame:
    """Blank out (null) each count of 1 to ``min_customers − 1`` people, and what gives it back.

    Sign-ups, closures and open accounts all count people; a day with 3 sign-ups must not be
    published. Open accounts are a running sum, so two published days give the day's net flow
    ``signups − closures``: with one flow shown (a zero included) the other is the difference.
    So when either flow of a day is small, **both** flows of that day are blanked (complementary
    suppression); the net flow then has many solutions and neither count can be worked out.
    Other zeros stay (nothing to disclose). Use it on what a report shows, not on what it
    forecasts from.

    Examples
    --------
    Day 1: 3 sign-ups (small) and no closure; day 2: 12 sign-ups and 1 closure (small), so
    both flows go on both days, and day 1's 8 open accounts too.

    >>> daily = pl.DataFrame({"ds": [date(2025, 1, 1), date(2025, 1, 2)], "signups": [3, 12],
    ...                       "closures": [0, 1], "open_accounts": [8, 19]})
    >>> suppress_small_accounts(daily).rows()
    [(datetime.date(2025, 1, 1), None, None, None), (datetime.date(2025, 1, 2), None, None, 19)]

    """
    present = [c for c in _COUNTS if c in daily.columns]
    small = {c: pl.col(c).is_between(1, min_customers - 1) for c in present}
    flows = [c for c in ("signups", "closures") if c in present]
    if flows:
        either = pl.any_horizontal(small[c] for c in flows).fill_null(value=False)
        small |= {c: small[c] | either for c in flows}
    return daily.with_columns(
        pl.when(small[c]).then(None).otherwise(pl.col(c)).alias(c) for c in present
    )


def _daily_table(daily: pl.DataFrame | pl.LazyFrame, /, *, who: str) -> pl.DataFrame:
    """Validate the daily table at the door; ``day`` is renamed ``ds`` (the mart's name)."""
    frame = daily.collect() if isinstance(daily, pl.LazyFrame) else daily
    mart = {"day": "ds"}  # the accounts_daily mart's name
    frame = frame.rename(
        {k: v for k, v in mart.items() if k in frame.columns and v not in frame.columns}
    )
    require_columns(
        frame,
        ["ds", "signups", "open_accounts"],
        who=who,
        what="the daily table",
        fix="Build it with insights.daily_accounts(customers, end=...) or read the "
        "accounts_daily mart.",
    )
    if frame.schema["ds"] != pl.Date:
        msg = f"{who}: column 'ds' is {frame.schema['ds']}, expected a date per row."
        raise ParameterError(msg)
    dupes = frame.filter(pl.col("ds").is_duplicated())
    if dupes.height:
        msg = (
            f"{who}: {dupes.height} rows share a day (first {dupes['ds'].min()!s}); the daily "
            "table has one row per day."
        )
        raise ParameterError(msg)
    return frame.sort("ds")
