"""Split daily contact forecasts into intraday intervals for staffing.

:func:`interval_profile` measures, for each weekday, the share of the day's contacts that
arrive in each interval over recent weeks; :func:`channel_profiles` does so per channel.
:func:`intraday_volume` splits a daily forecast (one series, or one per channel) top-down
with those shares.

Interval bounds are *not* the daily bounds times the share: that would assume every
interval is perfectly correlated with the day and has no arrival noise of its own. Instead
each interval count is treated as Poisson given the day's total (a Poisson–mixture): with
daily mean ``m``, daily standard deviation ``s`` (read off the daily ``L``% interval as
``(hi − lo) / (2·z_L)``) and share ``p``,

``mean = p·m``,  ``var = p²·s² + φ·p·m``  (uncertainty of the day + arrival noise),

and the interval bounds are ``mean ± z_L·√var``, floored at 0. For a large share the bound
approaches the proportional split; for small intervals the arrival term dominates. ``φ`` is
the profile's ``dispersion``: real interval counts scatter around ``p·(the day's total)``
more than Poisson noise would (a shifted lunch peak, a late rush), so the profiles measure
it over their weeks, ``φ = Σ (y − p·D)² / Σ p·D`` over every day ``D`` and interval ``y``
(at least 1, i.e. Poisson; 1 with fewer than :data:`MIN_DISPERSION_CELLS` day-intervals;
rounded to 0.1, so that no day's interval count can be solved from it).

**Small intervals are pooled** (privacy, :func:`pool_small_intervals`): an interval with fewer
than ``min_customers`` contacts (each made by one customer) is never published on its own,
neither as a count nor as a share, since with the day's total (published elsewhere) a share
*is* a count, and a blanked share is one minus the others. Each run of consecutive small
intervals becomes one block; a block still under ``min_customers`` absorbs its next (else
previous) interval. Every half hour of a block, from its first interval to its last, gets the
same share (the block's share divided evenly) and no count. A reader learns only that the block
held at least ``min_customers`` contacts; not which half hours had any.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import polars as pl

from insights._common import DEFAULT_TZ, normal_quantile, parse_day, require_columns
from insights.contacts._scope import in_scope as _in_scope, require_mart as _require_mart
from insights.errors import ParameterError
from insights.publish.tables import MIN_CUSTOMERS

__all__ = [
    "MIN_DISPERSION_CELLS",
    "channel_profiles",
    "interval_profile",
    "intraday_volume",
    "pool_small_intervals",
]

#: Fewest day-intervals a profile's ``dispersion`` is measured on (else 1, Poisson).
MIN_DISPERSION_CELLS = 50


def interval_profile(
    contacts: pl.DataFrame | pl.LazyFrame,
    /,
    *,
    as_of: date,
    weeks: int = 8,
    tz: str = DEFAULT_TZ,
    freq: str = "30m",
    min_customers: int = MIN_CUSTOMERS,
) -> pl.DataFrame:
    """Each weekday's share of contacts per intraday interval over recent weeks.

    Parameters
    ----------
    contacts
        Contacts satisfying ``data_contracts/contacts.yaml``.
    as_of
        First day *not* used: the profile covers the ``weeks`` full weeks before it.
    weeks
        Number of weeks to average over.
    tz
        Time zone of the local clock (intervals are local wall-clock times).
    freq
        Interval length (``"30m"``, ``"15m"``, ``"1h"``).
    min_customers
        Intervals with fewer contacts are pooled (:func:`pool_small_intervals`).

    Returns
    -------
    pl.DataFrame
        ``weekday`` (ISO, 1 = Monday), ``interval`` (local start time), ``contacts`` (over
        the period; null where pooled), ``share`` (of that weekday's contacts; shares sum to
        1 per weekday), ``pooled`` and ``dispersion`` (how much more the days' interval counts
        scatter around the shares than Poisson noise; see the module docstring). Intervals
        without contacts are absent, except inside a pooled block.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> def at(hour, minutes):  # Monday 2 June 2025, UTC (London is UTC+1)
    ...     return [datetime(2025, 6, 2, hour, m, tzinfo=timezone.utc) for m in minutes]
    >>> contacts = pl.DataFrame(
    ...     {"created_at": at(8, range(0, 24, 2)) + at(8, range(30, 40)) + at(9, [5, 10])}
    ... )
    >>> interval_profile(contacts, as_of=date(2025, 6, 7), weeks=1)
    shape: (3, 6)
    ┌─────────┬──────────┬──────────┬───────┬────────┬────────────┐
    │ weekday ┆ interval ┆ contacts ┆ share ┆ pooled ┆ dispersion │
    │ ---     ┆ ---      ┆ ---      ┆ ---   ┆ ---    ┆ ---        │
    │ i8      ┆ time     ┆ i64      ┆ f64   ┆ bool   ┆ f64        │
    ╞═════════╪══════════╪══════════╪═══════╪════════╪════════════╡
    │ 1       ┆ 09:00:00 ┆ 12       ┆ 0.5   ┆ false  ┆ 1.0        │
    │ 1       ┆ 09:30:00 ┆ null     ┆ 0.25  ┆ true   ┆ 1.0        │
    │ 1       ┆ 10:00:00 ┆ null     ┆ 0.25  ┆ true   ┆ 1.0        │
    └─────────┴──────────┴──────────┴───────┴────────┴────────────┘

    The two contacts at 10:00 are pooled with the ten at 09:30. One day is too few to
    measure the dispersion: 1 (Poisson).

    """
    if isinstance(weeks, bool) or weeks < 1:
        msg = f"interval_profile: weeks={weeks} must be a positive number of weeks."
        raise ParameterError(msg)
    _freq_minutes(freq, "interval_profile")
    local = pl.col("created_at").dt.convert_time_zone(tz)
    start = as_of - timedelta(weeks=weeks)
    lazy = contacts.lazy() if isinstance(contacts, pl.DataFrame) else contacts
    daily = (
        lazy.with_columns(local.alias("_local"))
        .filter(pl.col("_local").dt.date().is_between(start, as_of, closed="left"))
        .group_by(
            pl.col("_local").dt.date().alias("day"),
            pl.col("_local").dt.truncate(freq).dt.time().alias("interval"),
        )
        .agg(pl.len().alias("contacts"))
        .collect()
    )
    if daily.height == 0:
        msg = (
            f"interval_profile: no contacts between {start} and {as_of}; move as_of or "
            "increase weeks."
        )
        raise ParameterError(msg)
    counts = daily.group_by(pl.col("day").dt.weekday().alias("weekday"), "interval").agg(
        pl.col("contacts").sum()
    )
    profile = pool_small_intervals(counts, freq=freq, min_customers=min_customers)
    return _with_dispersion(profile, daily)


def _freq_minutes(freq: str, who: str) -> int:
    """Minutes in ``freq`` ("15m", "30m", "1h", ...): a whole number that divides a day."""
    unit = freq[-1:]
    number = freq[:-1]
    minutes = int(number) * (60 if unit == "h" else 1) if number.isdigit() and unit in "mh" else 0
    if minutes <= 0 or 1440 % minutes:
        msg = (
            f"{who}: freq={freq!r} must be a number of minutes or hours that divides a day "
            "('15m', '30m', '1h', ...)."
        )
        raise ParameterError(msg)
    return minutes


def _step_minutes(freq: str) -> int:
    """Minutes in ``freq`` ("30m", "1h", "90m", ...): a multiple of the marts' half hours."""
    minutes = _freq_minutes(freq, "channel_profiles")
    if minutes % 30:
        msg = (
            f"freq={freq!r}: the contact_intervals mart counts half hours, so use a whole "
            "number of half hours that divides a day ('30m', '1h', '2h', ...)."
        )
        raise ParameterError(msg)
    return minutes


def pool_small_intervals(
    counts: pl.DataFrame,
    /,
    *,
    freq: str = "30m",
    min_customers: int = MIN_CUSTOMERS,
) -> pl.DataFrame:
    """Shares of the day's contacts per interval, with small intervals pooled into blocks.

    Within each profile (``unique_id`` if present, and ``weekday``), intervals in time order:
    each run of consecutive intervals with fewer than ``min_customers`` contacts is a block; a
    block still under ``min_customers`` joins its next interval (its previous one at the end
    of the day). Every half hour (``freq``) from a block's first interval to its last gets the
    block's share divided evenly, ``pooled`` true and no ``contacts``: the block's count is at
    least ``min_customers`` (or the whole profile's), and no single interval's count, nor
    whether it had any contact, can be read back from the shares.

    Parameters
    ----------
    counts
        ``weekday``, ``interval`` (local start time), ``contacts``, and optionally
        ``unique_id``; one row per interval with contacts.
    freq
        Interval length (``"30m"``, ``"1h"``, ...).
    min_customers
        Smallest count an interval may show on its own (the disclosure floor, at least 10).

    Returns
    -------
    pl.DataFrame
        The key columns, ``interval``, ``contacts`` (null where pooled), ``share`` (sums to 1
        per profile) and ``pooled``. Charts and splits read ``share``: shares recomputed from
        ``contacts`` would leave the pooled half hours out.

    Examples
    --------
    >>> from datetime import time
    >>> counts = pl.DataFrame({"weekday": [1, 1, 1, 1], "contacts": [40, 3, 2, 50],
    ...     "interval": [time(9), time(10), time(11), time(12)]}).cast({"weekday": pl.Int8})
    >>> pool_small_intervals(counts)
    shape: (6, 5)
    ┌─────────┬──────────┬──────────┬──────────┬────────┐
    │ weekday ┆ interval ┆ contacts ┆ share    ┆ pooled │
    │ ---     ┆ ---      ┆ ---      ┆ ---      ┆ ---    │
    │ i8      ┆ time     ┆ i64      ┆ f64      ┆ bool   │
    ╞═════════╪══════════╪══════════╪══════════╪════════╡
    │ 1       ┆ 09:00:00 ┆ 40       ┆ 0.421053 ┆ false  │
    │ 1       ┆ 10:00:00 ┆ null     ┆ 0.115789 ┆ true   │
    │ 1       ┆ 10:30:00 ┆ null     ┆ 0.115789 ┆ true   │
    │ 1       ┆ 11:00:00 ┆ null     ┆ 0.115789 ┆ true   │
    │ 1       ┆ 11:30:00 ┆ null     ┆ 0.115789 ┆ true   │
    │ 1       ┆ 12:00:00 ┆ null     ┆ 0.115789 ┆ true   │
    └─────────┴──────────┴──────────┴──────────┴────────┘

    The 3 and 2 contacts at 10:00 and 11:00 are too few even together (5), so their block
    takes in 12:00: 55 contacts spread over the five half hours from 10:00 to 12:00.

    """
    if min_customers < MIN_CUSTOMERS:
        msg = (
            f"pool_small_intervals: min_customers={min_customers} is below the disclosure "
            f"floor of {MIN_CUSTOMERS}."
        )
        raise ParameterError(msg)
    step = _freq_minutes(freq, "pool_small_intervals")
    require_columns(counts, ["weekday", "interval", "contacts"], who="pool_small_intervals")
    keys = [c for c in ("unique_id", "weekday") if c in counts.columns]
    slot = pl.col("interval").dt.hour().cast(pl.Int64) * 60 + pl.col("interval").dt.minute()
    small = pl.col("contacts") < min_customers
    start = (~small) | (small != small.shift(1)).over(keys).fill_null(value=True)
    unit = pl.col("_unit")
    deficient = small & (pl.col("contacts").sum().over(*keys, "_unit") < min_customers)
    block = (
        pl.when(deficient & (unit < unit.max().over(keys)))
        .then(unit + 1)
        .when(deficient & (unit > 1))
        .then(unit - 1)
        .otherwise(unit)
    )
    blocks = (
        counts.filter(pl.col("contacts") > 0)
        .select(*keys, slot.alias("_slot"), pl.col("contacts").cast(pl.Int64))
        .sort(*keys, "_slot")
        .with_columns(start.cast(pl.Int64).cum_sum().over(keys).alias("_unit"))
        .with_columns(small.alias("_small"), block.alias("_block"))
        .group_by(*keys, "_block")
        .agg(
            pl.col("_slot").min().alias("_first"),
            pl.col("_slot").max().alias("_last"),
            pl.col("contacts").sum(),
            pl.col("_small").any().alias("pooled"),
        )
    )
    pooled = pl.col("pooled")
    slots = pl.when(pooled).then(pl.int_ranges("_first", pl.col("_last") + step, step))
    return (
        blocks.with_columns(
            slots.otherwise(pl.concat_list("_first")).alias("_slot"),
            (pl.col("contacts") / pl.col("contacts").sum().over(keys)).alias("share"),
        )
        .with_columns(pl.col("share") / pl.col("_slot").list.len())
        .explode("_slot")
        .select(
            *keys,
            pl.time(hour=pl.col("_slot") // 60, minute=pl.col("_slot") % 60).alias("interval"),
            pl.when(pooled).then(None).otherwise(pl.col("contacts")).alias("contacts"),
            "share",
            "pooled",
        )
        .sort(*keys, "interval")
    )


def channel_profiles(
    intervals: pl.DataFrame,
    /,
    *,
    as_of: date | str,
    weeks: int = 8,
    tags: Sequence[str] = (),
    freq: str = "30m",
    min_contacts: int = 100,
    min_customers: int = MIN_CUSTOMERS,
) -> pl.DataFrame:
    """Each channel's share of a weekday's contacts per interval in the ``weeks`` before ``as_of``.

    Parameters
    ----------
    intervals
        The ``contact_intervals`` mart: ``day``, ``channel``, ``tag``, ``minute`` (start of the
        local half hour), ``contacts``.
    as_of
        First day *not* used: the profile covers the ``weeks`` full weeks before it (history
        up to ``as_of`` must hold contacts).
    weeks
        Number of weeks to average over.
    tags
        Only contacts with these tags (empty: all).
    freq
        Interval length: ``"30m"`` or a multiple (``"1h"``).
    min_contacts
        With ``tags``, a channel's weekday takes the tagged contacts' own shape when they
        number at least this many over the period, and the shape of all the channel's
        contacts that weekday otherwise: a handful of contacts of a rare reason is noise, not
        a profile, and a weekday without any would have no profile at all.
    min_customers
        Intervals with fewer contacts are pooled (:func:`pool_small_intervals`): no small
        count, and no share that gives one back, reaches the profile or the staffing plan
        split with it.

    Returns
    -------
    pl.DataFrame
        ``unique_id`` (channel), ``weekday`` (ISO, 1 = Monday), ``interval`` (local start
        time), ``contacts`` (null where pooled), ``share`` (of that channel's weekday; sums to
        1), ``pooled`` and ``dispersion`` (the channel's, measured on the contacts in scope;
        see the module docstring).

    Examples
    --------
    >>> marts = pl.DataFrame({"day": [date(2025, 6, 2)] * 4, "channel": "phone", "tag": None,
    ...                       "minute": [540, 570, 600, 660], "contacts": [20, 12, 4, 28]},
    ...                      schema_overrides={"tag": pl.String})
    >>> channel_profiles(marts, as_of="2025-06-08", weeks=1, freq="1h")
    shape: (3, 7)
    ┌───────────┬─────────┬──────────┬──────────┬───────┬────────┬────────────┐
    │ unique_id ┆ weekday ┆ interval ┆ contacts ┆ share ┆ pooled ┆ dispersion │
    │ ---       ┆ ---     ┆ ---      ┆ ---      ┆ ---   ┆ ---    ┆ ---        │
    │ str       ┆ i8      ┆ time     ┆ i64      ┆ f64   ┆ bool   ┆ f64        │
    ╞═══════════╪═════════╪══════════╪══════════╪═══════╪════════╪════════════╡
    │ phone     ┆ 1       ┆ 09:00:00 ┆ 32       ┆ 0.5   ┆ false  ┆ 1.0        │
    │ phone     ┆ 1       ┆ 10:00:00 ┆ null     ┆ 0.25  ┆ true   ┆ 1.0        │
    │ phone     ┆ 1       ┆ 11:00:00 ┆ null     ┆ 0.25  ┆ true   ┆ 1.0        │
    └───────────┴─────────┴──────────┴──────────┴───────┴────────┴────────────┘

    The 4 contacts at 10:00 are pooled with the 28 at 11:00.

    """
    as_of = parse_day(as_of)
    if isinstance(weeks, bool) or weeks < 1:
        msg = f"channel_profiles: weeks={weeks} must be a positive number of weeks."
        raise ParameterError(msg)
    step = _step_minutes(freq)
    need = ["day", "channel", "tag", "minute", "contacts"]
    intervals = _require_mart(intervals, "contact_intervals", need, "channel_profiles")
    scoped = _in_scope(intervals, as_of=as_of, tags=tags)
    start = as_of - timedelta(weeks=weeks)
    counts = _counts(scoped, start=start, as_of=as_of, step=step)
    if tags:
        keys = ["unique_id", "weekday"]
        own = counts.filter(pl.col("contacts").sum().over(keys) >= min_contacts)
        every = _counts(
            _in_scope(intervals, as_of=as_of, tags=()), start=start, as_of=as_of, step=step
        )
        counts = pl.concat([own, every.join(own.select(keys).unique(), on=keys, how="anti")])
    profile = pool_small_intervals(counts, freq=freq, min_customers=min_customers)
    return _with_dispersion(
        profile, _counts(scoped, start=start, as_of=as_of, step=step, by_day=True)
    )


def _with_dispersion(profile: pl.DataFrame, daily: pl.DataFrame) -> pl.DataFrame:
    """``profile`` plus ``dispersion`` per channel (see the module docstring).

    ``daily``: the counts the profile was built from, per ``day`` and ``interval`` (and
    ``unique_id``); the profile's shares times each day's total are what they scatter around.
    """
    keys = [c for c in ("unique_id",) if c in profile.columns]
    totals = daily.group_by(*keys, "day").agg(pl.col("contacts").sum().alias("_total"))
    expected = totals.with_columns(pl.col("day").dt.weekday().cast(pl.Int8).alias("weekday")).join(
        profile.select(*keys, pl.col("weekday").cast(pl.Int8), "interval", "share"),
        on=[*keys, "weekday"],
    )
    cells = expected.join(daily, on=[*keys, "day", "interval"], how="left")
    fit = pl.col("share") * pl.col("_total")
    ratio = ((pl.col("contacts").fill_null(0) - fit) ** 2).sum() / fit.sum()
    dispersion = (
        pl.when(pl.len() >= MIN_DISPERSION_CELLS)
        .then(pl.max_horizontal(ratio.round(1), pl.lit(1.0)))
        .otherwise(1.0)
        .alias("dispersion")
    )
    if not keys:
        return profile.with_columns(pl.lit(cells.select(dispersion).item()).alias("dispersion"))
    return profile.join(cells.group_by(keys).agg(dispersion), on=keys, how="left").with_columns(
        pl.col("dispersion").fill_null(1.0)
    )


def _counts(
    scoped: pl.DataFrame, *, start: date, as_of: date, step: int, by_day: bool = False
) -> pl.DataFrame:
    """Contacts per channel, weekday (or ``day``) and interval of the rows in ``[start, as_of)``."""
    bucket = pl.col("minute") // step * step
    when = pl.col("day") if by_day else pl.col("day").dt.weekday().alias("weekday")
    counts = (
        scoped.filter(pl.col("day").is_between(start, as_of, closed="left"))
        .group_by(
            pl.col("channel").alias("unique_id"),
            when,
            pl.time(hour=bucket // 60, minute=bucket % 60).alias("interval"),
        )
        .agg(pl.col("contacts").sum().cast(pl.Int64))
        .sort(pl.all())
    )
    missing = set(scoped.get_column("channel").unique()) - set(counts.get_column("unique_id"))
    if missing:
        msg = (
            f"channel_profiles: no {', '.join(sorted(missing))} contacts between {start} and "
            f"{as_of}; move as_of or increase weeks."
        )
        raise ParameterError(msg)
    return counts


def intraday_volume(daily_forecast: pl.DataFrame, profiles: pl.DataFrame, /) -> pl.DataFrame:
    """Split each forecast day into intervals using the weekday's profile.

    One profile (:func:`interval_profile`) splits every series alike; per-channel profiles
    (:func:`channel_profiles`, with ``unique_id``) split each channel's forecast with its own.

    Parameters
    ----------
    daily_forecast
        :func:`insights.forecast` output: ``ds``, ``mean`` and ``lo_<L>``/``hi_<L>``
        pairs (``unique_id`` and ``model`` are carried along).
    profiles
        :func:`interval_profile` or :func:`channel_profiles` output.

    Returns
    -------
    pl.DataFrame
        The daily frame's key columns, ``interval`` (local start time), ``share``, ``mean``
        and the ``lo_<L>``/``hi_<L>`` bounds per interval (Poisson-mixture bounds widened by
        the profile's ``dispersion`` when it has one, see the module docstring). Days whose
        weekday has no profile, and channels without a profile, raise
        :class:`ParameterError`.

    Examples
    --------
    >>> from datetime import time
    >>> daily = pl.DataFrame({"ds": [date(2025, 6, 16)], "mean": [100.0],
    ...                       "lo_80": [90.0], "hi_80": [110.0]})
    >>> profile = pl.DataFrame({"weekday": [1, 1], "interval": [time(9), time(9, 30)],
    ...                         "share": [0.75, 0.25]}).cast({"weekday": pl.Int8})
    >>> intraday_volume(daily, profile).select("interval", "mean", "lo_80", "hi_80")
    shape: (2, 4)
    ┌──────────┬──────┬───────────┬───────────┐
    │ interval ┆ mean ┆ lo_80     ┆ hi_80     │
    │ ---      ┆ ---  ┆ ---       ┆ ---       │
    │ time     ┆ f64  ┆ f64       ┆ f64       │
    ╞══════════╪══════╪═══════════╪═══════════╡
    │ 09:00:00 ┆ 75.0 ┆ 61.604923 ┆ 88.395077 │
    │ 09:30:00 ┆ 25.0 ┆ 18.12182  ┆ 31.87818  │
    └──────────┴──────┴───────────┴───────────┘

    """
    if "unique_id" not in profiles.columns:
        return _split_days(daily_forecast, profiles)
    if "unique_id" not in daily_forecast.columns:
        msg = "intraday_volume: per-channel profiles need a `unique_id` column in the forecast."
        raise ParameterError(msg)
    volume = daily_forecast
    missing = set(volume.get_column("unique_id").unique()) - set(profiles["unique_id"].unique())
    if missing:
        raise ParameterError(
            f"intraday_volume: no interval profile for channel(s) {sorted(missing)}"
        )
    parts = [
        _split_days(group, profiles.filter(pl.col("unique_id") == uid))
        for (uid,), group in volume.group_by("unique_id", maintain_order=True)
    ]
    return pl.concat(parts).sort("unique_id", "ds", "interval")


def _split_days(daily_forecast: pl.DataFrame, profile: pl.DataFrame, /) -> pl.DataFrame:
    """Split each day of one forecast with one profile (see :func:`intraday_volume`)."""
    require_columns(daily_forecast, ["ds", "mean"], who="intraday_volume")
    levels = [c[3:] for c in daily_forecast.columns if c.startswith("lo_")]
    keys = [c for c in ("unique_id", "ds", "model") if c in daily_forecast.columns]
    dispersion = pl.col("dispersion") if "dispersion" in profile.columns else pl.lit(1.0)
    prof = profile.select(
        pl.col("weekday").cast(pl.Int8), "interval", "share", dispersion.alias("_dispersion")
    )
    joined = daily_forecast.with_columns(
        pl.col("ds").dt.weekday().cast(pl.Int8).alias("weekday")
    ).join(prof, on="weekday", how="left")
    unmatched = joined.filter(pl.col("share").is_null())
    if unmatched.height:
        days = sorted(set(unmatched["weekday"].to_list()))
        msg = (
            f"intraday_volume: no profile for weekday(s) {days} (ISO); build the profile "
            "over weeks in which those days were open."
        )
        raise ParameterError(msg)
    share, day_mean = pl.col("share"), pl.col("mean")
    bounds = []
    for tag in levels:
        z = normal_quantile(float(tag.replace("_", ".")))
        day_sd = (pl.col(f"hi_{tag}") - pl.col(f"lo_{tag}")) / (2 * z)
        sd = ((share * day_sd) ** 2 + pl.col("_dispersion") * share * day_mean).sqrt()
        bounds += [
            (share * day_mean - z * sd).clip(lower_bound=0).alias(f"lo_{tag}"),
            (share * day_mean + z * sd).alias(f"hi_{tag}"),
        ]
    return joined.select(
        *keys, "interval", "share", (share * day_mean).alias("mean"), *bounds
    ).sort(*keys, "interval")
