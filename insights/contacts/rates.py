"""Contact rates (contacts per 1,000 active customers) and volume from rate × customers.

Forecasting a *rate* separates two questions: how often customers need help (behaviour,
product issues) and how many customers there are (growth). The volume is their product::

    daily_contacts(contacts, by=...)             contacts per local day (and tag or channel)
    contacts_per_active(daily, active)           rate from daily counts and a denominator
    contact_rates(contacts_daily, accounts_daily, as_of=)   per-channel history from the marts
    rate_series(rates) / volume_series(rates)    → unique_id, ds, y for forecast() and charts
    contact_volume(rate_fc, active_fc)           volume forecast with both uncertainties

The denominators (who counts as an active customer) are in :mod:`insights.contacts.active`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Literal, TypeVar

import numpy as np
import polars as pl

from insights._common import (
    DEFAULT_TZ,
    level_tag,
    local_day,
    normal_quantile,
    parse_day,
    tag_level,
)
from insights.contacts._scope import in_scope as _in_scope, require_mart as _require_mart
from insights.errors import ParameterError

__all__ = [
    "contact_rates",
    "contact_volume",
    "contacts_per_active",
    "daily_contacts",
    "rate_series",
    "volume_series",
]

Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)

UNTAGGED = "untagged"


def daily_contacts(
    contacts: Frame,
    /,
    *,
    tz: str = DEFAULT_TZ,
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
    day = local_day("created_at", tz=tz).alias("ds")
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


def contacts_per_active(
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
        Output of :func:`insights.open_accounts` or :func:`insights.active_payers`.
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
    >>> contacts_per_active(daily, active)
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
        msg = f"contacts_per_active: freq={freq!r}; use 'day' or 'week'."
        raise ParameterError(msg)
    if per <= 0:
        msg = f"contacts_per_active: per={per} must be positive (e.g. 1000)."
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


def contact_rates(
    contacts: pl.DataFrame,
    accounts: pl.DataFrame,
    /,
    *,
    as_of: date | str,
    tags: Sequence[str] = (),
    channels: pl.DataFrame | None = None,
    per: float = 1000,
) -> pl.DataFrame:
    """Daily contacts per channel per ``per`` open accounts, up to ``as_of``, from the marts.

    Parameters
    ----------
    contacts
        The ``contacts_daily`` mart: ``day``, ``channel``, ``tag``, ``contacts``,
        ``customers`` (``data_contracts/marts/contacts_daily.yaml``).
    accounts
        The ``accounts_daily`` mart: ``day``, ``open_accounts`` (the denominator).
    as_of
        Last local day of history used.
    tags
        Only contacts with these tags (empty: all contacts, untagged included).
    channels
        The ``channel_daily`` mart. Distinct customers do not add up over tags, so with no
        ``tags`` the exact count per day and channel comes from it; without it (or with
        several tags) ``customers`` is the largest count of any one tag, a lower bound that
        can only suppress more. With one tag it is exact either way.
    per
        Rate base: contacts per ``per`` open accounts.

    Returns
    -------
    pl.DataFrame
        ``unique_id`` (channel), ``ds``, ``contacts``, ``customers`` (distinct customers who
        got in touch: the count the privacy rule applies to), ``active_customers`` (accounts
        open that day) and ``rate``, on every day from the first contact to ``as_of`` (or the
        data's end): a day without any contact is a 0 (a quiet day, or a closed one, which
        the forecaster infers from its weekday or holiday), but a run of 21 days or more
        without one is missing data (months missing from an export) and is absent. With
        ``tags``, a day without a contact of those tags is a 0 too, and every channel that
        had contacts appears.

    Examples
    --------
    >>> daily = pl.DataFrame({
    ...     "day": [date(2025, 6, 2), date(2025, 6, 3)], "channel": ["phone", "chat"],
    ...     "tag": ["card_lost", None], "contacts": [2, 1], "customers": [1, 1]})
    >>> accounts = pl.DataFrame({"day": [date(2025, 6, 2), date(2025, 6, 3)],
    ...                          "open_accounts": [4, 4]})
    >>> contact_rates(daily, accounts, as_of=date(2025, 6, 3))
    shape: (4, 6)
    ┌───────────┬────────────┬──────────┬───────────┬──────────────────┬───────┐
    │ unique_id ┆ ds         ┆ contacts ┆ customers ┆ active_customers ┆ rate  │
    │ ---       ┆ ---        ┆ ---      ┆ ---       ┆ ---              ┆ ---   │
    │ str       ┆ date       ┆ i64      ┆ i64       ┆ f64              ┆ f64   │
    ╞═══════════╪════════════╪══════════╪═══════════╪══════════════════╪═══════╡
    │ chat      ┆ 2025-06-02 ┆ 0        ┆ 0         ┆ 4.0              ┆ 0.0   │
    │ chat      ┆ 2025-06-03 ┆ 1        ┆ 1         ┆ 4.0              ┆ 250.0 │
    │ phone     ┆ 2025-06-02 ┆ 2        ┆ 1         ┆ 4.0              ┆ 500.0 │
    │ phone     ┆ 2025-06-03 ┆ 0        ┆ 0         ┆ 4.0              ┆ 0.0   │
    └───────────┴────────────┴──────────┴───────────┴──────────────────┴───────┘

    """
    as_of = parse_day(as_of)
    need = ["day", "channel", "tag", "contacts", "customers"]
    contacts = _require_mart(contacts, "contacts_daily", need, "contact_rates")
    accounts = _require_mart(accounts, "accounts_daily", ["day", "open_accounts"], "contact_rates")
    scoped = _in_scope(contacts, as_of=as_of, tags=tags)
    per_day = scoped.group_by("day", "channel").agg(
        pl.col("contacts").sum().cast(pl.Int64), pl.col("customers").max().cast(pl.Int64)
    )
    if channels is not None and not tags:
        channels = _require_mart(
            channels, "channel_daily", ["day", "channel", "customers"], "contact_rates"
        )
        per_day = per_day.drop("customers").join(
            channels.select("day", "channel", pl.col("customers").cast(pl.Int64)),
            on=["day", "channel"],
            how="left",
        )
    # The days the line worked and its channels come from every contact, not only the tagged
    # ones: a day without a contact of a rare tag is a zero, not a closed day.
    every = _in_scope(contacts, as_of=as_of, tags=())
    data_end = contacts.get_column("day").max()
    end = min(as_of, data_end) if isinstance(data_end, date) else as_of
    days = _worked_days(every.get_column("day"), end=end)
    grid = days.join(every.select("channel").unique(), how="cross")
    daily = (
        grid.join(per_day, on=["day", "channel"], how="left")
        .with_columns(pl.col("contacts", "customers").fill_null(0))
        .rename({"day": "ds"})
    )
    active = accounts.select(
        pl.col("day").alias("ds"), pl.col("open_accounts").alias("active_customers")
    )
    rates = contacts_per_active(daily.drop("customers"), active, per=per)
    return (
        rates.join(daily.select("ds", "channel", "customers"), on=["ds", "channel"], how="left")
        .rename({"channel": "unique_id"})
        .select("unique_id", "ds", "contacts", "customers", "active_customers", "rate")
        .sort("unique_id", "ds")
    )


#: A run of this many days or more without any contact is missing data (months missing from
#: an export), not a quiet spell: left out, as the forecaster leaves it out.
_GAP_DAYS = 21


def _worked_days(contact_days: pl.Series, /, *, end: date) -> pl.DataFrame:
    """Every day from the first contact to ``end``, but runs of 21+ days without one.

    A day without any contact inside the history is a zero (a thin line's quiet Saturday;
    left out, the rate was averaged over busy days only, a third too high on a 400-customer
    line), and so are the quiet days up to ``end`` (the forecast starts the day after it). A
    closed weekday or holiday is a zero too: the forecaster infers closures from quiet days.
    """
    first, last = contact_days.min(), contact_days.max()
    assert isinstance(first, date) and isinstance(last, date)
    stop = max(last, end)
    calendar = pl.DataFrame({"day": pl.date_range(first, stop, eager=True)})
    worked = pl.col("day").is_in(contact_days.implode())
    run = (worked != worked.shift(fill_value=True)).cum_sum()
    gap = (~worked) & (pl.len().over(run) >= _GAP_DAYS) & (pl.col("day") <= last)
    return calendar.filter(~gap)


def rate_series(rates: pl.DataFrame, /) -> pl.DataFrame:
    """``unique_id, ds, y`` (``y`` = rate) from :func:`contact_rates`, ready for ``forecast``.

    Only these three columns are kept: any other numeric column would be taken as a
    regressor by :func:`insights.forecast`.
    """
    return rates.select("unique_id", "ds", pl.col("rate").alias("y"))


def volume_series(rates: pl.DataFrame, /) -> pl.DataFrame:
    """``unique_id, ds, y`` (``y`` = contacts) from :func:`contact_rates`, e.g. for charts."""
    return rates.select("unique_id", "ds", pl.col("contacts").cast(pl.Float64).alias("y"))


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
        is also accepted. With a ``unique_id`` column (:func:`insights.growth_forecast`
        output), its ``open_accounts`` rows are used.
    level
        Interval levels of the result.
    per
        Rate base used for the rate.
    n_sims, seed
        Number of simulated draws per day and the random seed.

    Returns
    -------
    pl.DataFrame
        ``unique_id`` (when in ``rate_forecast``), ``ds``, ``model`` (when in
        ``rate_forecast``: its model, ``" × "`` the accounts forecast's when it has one),
        ``mean``, ``lo_<L>``, ``hi_<L>``.

    Examples
    --------
    >>> rate = pl.DataFrame({"ds": [date(2025, 7, 1)], "mean": [2.0],
    ...                      "lo_95": [1.5], "hi_95": [2.5]})
    >>> active = pl.DataFrame({"ds": [date(2025, 7, 1)], "active_customers": [10_000]})
    >>> vol = contact_volume(rate, active, level=(95,))
    >>> [round(vol[c].item()) for c in ("mean", "lo_95", "hi_95")]
    [20, 15, 25]

    """
    if n_sims < 10:
        msg = f"contact_volume: n_sims={n_sims} is too few draws; use 1000 or more."
        raise ParameterError(msg)
    keys = [c for c in ("unique_id",) if c in rate_forecast.columns]
    if "unique_id" in active_forecast.columns:  # a growth forecast: take its open accounts
        active_forecast = active_forecast.filter(pl.col("unique_id") == "open_accounts")
    act_cols = ["ds", *(c for c in active_forecast.columns if c.startswith(("lo_", "hi_")))]
    if "model" in active_forecast.columns:
        act_cols.append("model")
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
            tag_level(c[3:].removesuffix(suffix))
            for c in frame.columns
            if c.startswith("lo_") and c.endswith(suffix) and (suffix or "active" not in c)
        )
        if not levels:
            return np.zeros(frame.height)
        top = levels[-1]
        tag = level_tag(top)
        z = normal_quantile(top)
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
        tag = level_tag(lv)
        cols[f"lo_{tag}"] = np.quantile(volume, 0.5 - lv / 200, axis=1)
        cols[f"hi_{tag}"] = np.quantile(volume, 0.5 + lv / 200, axis=1)
    out = pl.DataFrame(cols)
    if "model" in rate_forecast.columns:  # which models made it: "<rate model> × <accounts model>"
        model = pl.col("model").cast(pl.String)
        if "model" in active_forecast.columns:
            model = model + " × " + pl.col("model_active").cast(pl.String)
        out = out.with_columns(joined.select(model.alias("model")).to_series()).select(
            "ds", "model", pl.exclude("ds", "model")
        )
    if keys:
        out = out.with_columns(joined.select(keys).to_series()).select(*keys, pl.exclude(keys))
    return out
