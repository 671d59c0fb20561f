"""Contacts per 1,000 active customers, and contact volume from forecast rate × customers.

Forecasting a *rate* separates two questions: how often customers need help (behaviour,
product issues) and how many customers there are (growth). The volume is their product.

Two denominators are offered:

* :func:`active_customers` — **the default**: accounts open on the local day (opened on or
  before it and not closed before it ends).
* :func:`active_payers` — the alternative: customers with a card payment in the trailing
  ``window_days`` days (inclusive of the day), closer to "customers using the product".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Literal, TypeVar

import numpy as np
import polars as pl

from insights.errors import ParameterError

__all__ = [
    "active_customers",
    "active_payers",
    "contact_rate",
    "contact_volume",
    "daily_contacts",
]

Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)

UNTAGGED = "untagged"


def _local_day(column: str, tz: str) -> pl.Expr:
    return pl.col(column).dt.convert_time_zone(tz).dt.date()


def daily_contacts(
    contacts: Frame,
    /,
    *,
    tz: str = "Europe/London",
    by: Literal["tag", "channel"] | None = None,
) -> Frame:
    """Contacts per local calendar day, overall or by tag or channel.

    Parameters
    ----------
    contacts
        Contacts satisfying ``data_contracts/contacts.yaml`` (``created_at`` in UTC).
    tz
        Time zone whose calendar defines the day.
    by
        ``None`` for one series, ``"tag"`` (null tags become ``"untagged"``) or ``"channel"``.

    Returns
    -------
    pl.DataFrame or pl.LazyFrame
        ``ds`` (date), the ``by`` column when given, ``contacts`` (UInt32). Days without any
        contact are absent (closed days); with ``by``, every group appears on every day that
        had contacts, with 0 where it had none.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> utc = timezone.utc
    >>> contacts = pl.DataFrame({
    ...     "created_at": [datetime(2025, 6, 1, 23, 30, tzinfo=utc),  # 00:30 on 2 June, BST
    ...                    datetime(2025, 6, 2, 9, tzinfo=utc),
    ...                    datetime(2025, 6, 2, 10, tzinfo=utc)],
    ...     "channel": ["chat", "phone", "phone"],
    ...     "tag": ["card_lost", None, "card_lost"]})
    >>> daily_contacts(contacts, by="tag").sort("tag")
    shape: (2, 3)
    ┌────────────┬───────────┬──────────┐
    │ ds         ┆ tag       ┆ contacts │
    │ ---        ┆ ---       ┆ ---      │
    │ date       ┆ str       ┆ u32      │
    ╞════════════╪═══════════╪══════════╡
    │ 2025-06-02 ┆ card_lost ┆ 2        │
    │ 2025-06-02 ┆ untagged  ┆ 1        │
    └────────────┴───────────┴──────────┘

    """
    if by not in (None, "tag", "channel"):
        msg = f"daily_contacts: by={by!r}; use None, 'tag' or 'channel'."
        raise ParameterError(msg)
    day = _local_day("created_at", tz).alias("ds")
    if by is None:
        return contacts.group_by(day).agg(pl.len().alias("contacts")).sort("ds")
    group = pl.col(by).fill_null(UNTAGGED) if by == "tag" else pl.col(by)
    counts = contacts.group_by(day, group.alias(by)).agg(pl.len().alias("contacts"))
    days = counts.select("ds").unique()
    groups = counts.select(by).unique()
    return (
        days.join(groups, how="cross")
        .join(counts, on=["ds", by], how="left")
        .with_columns(pl.col("contacts").fill_null(0))
        .sort("ds", by)
    )


def active_customers(
    customers: Frame,
    /,
    *,
    start: date,
    end: date,
    tz: str = "Europe/London",
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
    >>> active_customers(customers, start=date(2025, 1, 1), end=date(2025, 1, 4))
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
    _check_range(start, end, who="active_customers")
    opened = _local_day("opened_at", tz)
    closed = _local_day("closed_at", tz)
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
    tz: str = "Europe/London",
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
        :func:`active_customers`, so :func:`contact_rate` takes either).

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
        .select("customer_id", _local_day("created_at", tz).alias("day"))
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


def contact_rate(
    contacts_daily: pl.DataFrame,
    active: pl.DataFrame,
    /,
    *,
    per: float = 1000,
    freq: Literal["day", "week"] = "day",
) -> pl.DataFrame:
    """Contacts per ``per`` active customers, by day or ISO week, overall or by group.

    Parameters
    ----------
    contacts_daily
        Output of :func:`daily_contacts`: ``ds``, ``contacts`` and optionally a ``tag`` or
        ``channel`` column.
    active
        Output of :func:`active_customers` or :func:`active_payers`.
    per
        Rate base (1000: contacts per 1,000 customers).
    freq
        ``"day"``, or ``"week"`` (weeks start on Monday; contacts are summed, active
        customers averaged over the week's days).

    Returns
    -------
    pl.DataFrame
        ``ds``, the group column if any, ``contacts``, ``active_customers``, ``rate``. Only
        days (weeks) present in both inputs are kept, so closed days stay absent.

    Examples
    --------
    >>> daily = pl.DataFrame({"ds": [date(2025, 6, 2), date(2025, 6, 3)], "contacts": [30, 12]})
    >>> active = pl.DataFrame({"ds": [date(2025, 6, 2), date(2025, 6, 3)],
    ...                        "active_customers": [12_000, 12_000]})
    >>> contact_rate(daily, active)
    shape: (2, 4)
    ┌────────────┬──────────┬──────────────────┬──────┐
    │ ds         ┆ contacts ┆ active_customers ┆ rate │
    │ ---        ┆ ---      ┆ ---              ┆ ---  │
    │ date       ┆ i64      ┆ f64              ┆ f64  │
    ╞════════════╪══════════╪══════════════════╪══════╡
    │ 2025-06-02 ┆ 30       ┆ 12000.0          ┆ 2.5  │
    │ 2025-06-03 ┆ 12       ┆ 12000.0          ┆ 1.0  │
    └────────────┴──────────┴──────────────────┴──────┘

    """
    if freq not in ("day", "week"):
        msg = f"contact_rate: freq={freq!r}; use 'day' or 'week'."
        raise ParameterError(msg)
    if per <= 0:
        msg = f"contact_rate: per={per} must be positive (e.g. 1000)."
        raise ParameterError(msg)
    groups = [c for c in ("tag", "channel") if c in contacts_daily.columns]
    base = active.select("ds", pl.col("active_customers").cast(pl.Float64))
    if freq == "week":
        week = pl.col("ds").dt.truncate("1w")
        contacts_daily = contacts_daily.group_by(week, *groups).agg(pl.col("contacts").sum())
        base = base.group_by(week).agg(pl.col("active_customers").mean())
    return (
        contacts_daily.join(base, on="ds", how="inner")
        .with_columns((pl.col("contacts") / pl.col("active_customers") * per).alias("rate"))
        .select("ds", *groups, "contacts", "active_customers", "rate")
        .sort("ds", *groups)
    )


def contact_volume(
    rate_forecast: pl.DataFrame,
    active_forecast: pl.DataFrame,
    /,
    *,
    level: Sequence[float] = (80, 95),
    per: float = 1000,
    n_sims: int = 2000,
    seed: int = 0,
) -> pl.DataFrame:
    """Contact volume = forecast rate × forecast active customers / ``per``, with intervals.

    Uncertainty of both forecasts is carried by simulation: each input's day is approximated
    by a normal distribution with its ``mean`` and a standard deviation read off its widest
    interval (``(hi − lo) / (2·z)``, ``z`` the normal quantile of that level). The two are
    drawn independently (``n_sims`` draws per day, negative draws set to 0), multiplied, and
    the volume's mean and central intervals are the mean and quantiles of the products.

    Parameters
    ----------
    rate_forecast
        :func:`insights.forecast` output for the rate: ``ds``, ``mean``,
        ``lo_<L>``/``hi_<L>`` (and optionally ``unique_id``, ``model``).
    active_forecast
        The active-customer forecast on the same days: ``ds``, ``mean`` and at least one
        ``lo_<L>``/``hi_<L>`` pair; a plain ``active_customers`` column (no uncertainty)
        is also accepted.
    level
        Interval levels of the result.
    per
        Rate base used for the rate.
    n_sims, seed
        Number of simulated draws per day and the random seed.

    Returns
    -------
    pl.DataFrame
        ``unique_id`` (when in ``rate_forecast``), ``ds``, ``mean``, ``lo_<L>``, ``hi_<L>``.

    Examples
    --------
    >>> rate = pl.DataFrame({"ds": [date(2025, 7, 1)], "mean": [2.0],
    ...                      "lo_95": [1.5], "hi_95": [2.5]})
    >>> active = pl.DataFrame({"ds": [date(2025, 7, 1)], "active_customers": [10_000]})
    >>> vol = contact_volume(rate, active, level=(95,))
    >>> [round(vol[c].item()) for c in ("mean", "lo_95", "hi_95")]
    [20, 15, 25]

    """
    from scipy import stats  # noqa: PLC0415

    if n_sims < 10:
        msg = f"contact_volume: n_sims={n_sims} is too few draws; use 1000 or more."
        raise ParameterError(msg)
    keys = [c for c in ("unique_id",) if c in rate_forecast.columns]
    act_cols = ["ds", *(c for c in active_forecast.columns if c.startswith(("lo_", "hi_")))]
    if "mean" in active_forecast.columns:
        act = active_forecast.select(*act_cols, "mean")
    elif "active_customers" in active_forecast.columns:
        act = active_forecast.select(*act_cols, pl.col("active_customers").alias("mean"))
    else:
        msg = "contact_volume: active_forecast needs a `mean` or `active_customers` column."
        raise ParameterError(msg)
    joined = rate_forecast.join(act, on="ds", how="inner", suffix="_active")
    if joined.height < rate_forecast.height:
        msg = (
            f"contact_volume: {rate_forecast.height - joined.height} forecast days have no "
            "active-customer forecast; forecast active customers over the same days."
        )
        raise ParameterError(msg)

    def sd_of(frame: pl.DataFrame, suffix: str) -> np.ndarray:
        levels = sorted(
            float(c[3:].removesuffix(suffix).replace("_", "."))
            for c in frame.columns
            if c.startswith("lo_") and c.endswith(suffix) and (suffix or "active" not in c)
        )
        if not levels:
            return np.zeros(frame.height)
        top = levels[-1]
        tag = f"{top:g}".replace(".", "_")
        z = float(stats.norm.ppf(0.5 + top / 200))
        hi, lo = frame[f"hi_{tag}{suffix}"], frame[f"lo_{tag}{suffix}"]
        return ((hi - lo) / (2 * z)).cast(pl.Float64).to_numpy()

    rng = np.random.default_rng(seed)
    shape = (joined.height, n_sims)
    rate_mean = joined["mean"].cast(pl.Float64).to_numpy()[:, None]
    act_mean = joined["mean_active"].cast(pl.Float64).to_numpy()[:, None]
    rate = np.clip(rate_mean + sd_of(joined, "")[:, None] * rng.standard_normal(shape), 0, None)
    customers = np.clip(
        act_mean + sd_of(joined, "_active")[:, None] * rng.standard_normal(shape), 0, None
    )
    volume = rate * customers / per
    cols: dict[str, object] = {"ds": joined["ds"], "mean": volume.mean(axis=1)}
    for lv in level:
        tag = f"{lv:g}".replace(".", "_")
        cols[f"lo_{tag}"] = np.quantile(volume, 0.5 - lv / 200, axis=1)
        cols[f"hi_{tag}"] = np.quantile(volume, 0.5 + lv / 200, axis=1)
    out = pl.DataFrame(cols)
    if keys:
        out = out.with_columns(joined.select(keys).to_series()).select(*keys, pl.exclude(keys))
    return out
