"""How fast open accounts move, and their interval factors per horizon week in that unit.

A stock integrates its flows, so its forecast errors grow with the horizon and with how much
flows through it: a shift in sign-ups or closures 13 weeks out costs 13 weeks of the new flow.
The model-based open-accounts forecast had intervals ``mean ± factor(week) · pace``, with

- the **pace** (:func:`weekly_flows`): accounts opened plus accounts closed per week, over the
  28 days to the origin. Not the net change (:func:`weekly_pace`): when sign-ups fall to the
  level of closures the stock stands still, but any shift in either flow moves it again, and
  errors measured in a net change near zero blow up;
- the **factors** (:func:`horizon_factors`): conformal quantiles of ``|error| / pace`` on the
  backtest windows, per week ahead, the later windows weighing more.

Open accounts are now forecast from their flows (:func:`insights.open_accounts_forecast`,
intervals in accounts calibrated on every past origin); ``benchmarks/growth_coverage.py``
keeps these as its comparison rows, and :func:`weekly_flows` stays the stock's pace.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import polars as pl

from insights.customers.accounts import _daily_table
from insights.errors import ParameterError

__all__ = [
    "PACE_DAYS",
    "WINDOW_DECAY",
    "horizon_factors",
    "weekly_flows",
    "weekly_pace",
    "weighted_conformal",
]

#: Days over which the pace of a stock is measured.
PACE_DAYS = 28
#: Weight of each backtest window in :func:`horizon_factors` relative to the next later one.
WINDOW_DECAY = 0.5
#: Forecast days (1–7, 8–14, …) that share one horizon calibration factor.
_BUCKET_DAYS = 7


def weekly_flows(daily: pl.DataFrame | pl.LazyFrame, /, *, days: int = PACE_DAYS) -> pl.DataFrame:
    """How much flows through open accounts: accounts opened plus closed a week.

    The mean of ``signups + closures`` over the ``days`` days to each day, times 7: the scale
    of open accounts' forecast errors (:func:`horizon_factors`). Unlike the net change
    (:func:`weekly_pace`) it does not fall to zero when sign-ups and closures balance, while
    either can still shift. At least 1.

    Parameters
    ----------
    daily
        :func:`insights.daily_accounts` output or the ``accounts_daily`` mart: ``ds`` (or
        ``day``), ``signups``, ``open_accounts`` and ``closures`` (when absent, taken from the
        change in open accounts: ``signups − (open_accounts[d] − open_accounts[d − 1])``).
    days
        Trailing window, in days (a whole number, at least 7).

    Returns
    -------
    pl.DataFrame
        ``ds``, ``pace`` (Float64; null until a week of days exists).

    Raises
    ------
    ParameterError
        ``days`` below 7.

    Examples
    --------
    Ten sign-ups a day, then two closures a day from day 8: 70 a week, then 84.

    >>> from datetime import date
    >>> days = pl.date_range(date(2025, 1, 1), date(2025, 1, 14), eager=True)
    >>> daily = pl.DataFrame({"ds": days, "signups": [10] * 14, "closures": [0] * 7 + [2] * 7,
    ...                       "open_accounts": [0] * 14})
    >>> weekly_flows(daily, days=7)["pace"].to_list()[5:9]
    [None, 70.0, 72.0, 74.0]

    """
    if isinstance(days, bool) or not isinstance(days, int) or days < 7:
        msg = f"weekly_flows: days={days!r} must be a whole number of days, at least 7."
        raise ParameterError(msg)
    frame = _daily_table(daily, who="weekly_flows")
    if "closures" not in frame.columns:
        change = pl.col("open_accounts") - pl.col("open_accounts").shift(1)
        frame = frame.with_columns(closures=(pl.col("signups") - change).fill_null(0))
    return frame.select(
        "ds",
        ((pl.col("signups") + pl.col("closures")).cast(pl.Float64) * 7)
        .rolling_mean_by("ds", window_size=f"{days}d", min_samples=7)
        .clip(lower_bound=1.0)
        .alias("pace"),
    )


def weekly_pace(history: pl.DataFrame, /, *, days: int = PACE_DAYS) -> pl.DataFrame:
    """How fast a stock moves: mean ``|y[t] − y[t−7]|`` over the ``days`` days to each day.

    The net weekly change. It was the scale of open accounts' intervals until it proved too
    small when sign-ups and closures balance (see the module docstring); the forecast now
    uses :func:`weekly_flows`, and ``benchmarks/growth_coverage.py`` compares the two. At
    least 1 (a stock standing still still moves by a unit now and then).

    Parameters
    ----------
    history
        ``ds`` (one row per day), ``y``.
    days
        Trailing window, in days.

    Returns
    -------
    pl.DataFrame
        ``ds``, ``pace`` (Float64; null until a week of changes exists).

    Examples
    --------
    >>> from datetime import date
    >>> days = pl.date_range(date(2025, 1, 1), date(2025, 1, 15), eager=True)
    >>> stock = pl.DataFrame({"ds": days, "y": [100.0 + 2 * i for i in range(15)]})
    >>> weekly_pace(stock).tail(2)["pace"].to_list()  # +2 a day: 14 a week
    [14.0, 14.0]

    """
    lagged = history.select(
        (pl.col("ds") + timedelta(days=7)).alias("ds"), pl.col("y").alias("_y7")
    )
    change = history.join(lagged, on="ds", how="left").sort("ds")
    return change.select(
        "ds",
        (pl.col("y") - pl.col("_y7"))
        .abs()
        .cast(pl.Float64)
        .rolling_mean_by("ds", window_size=f"{days}d")
        .clip(lower_bound=1.0)
        .alias("pace"),
    )


def horizon_factors(
    predictions: pl.DataFrame,
    pace: pl.DataFrame,
    /,
    *,
    level: Sequence[float],
    decay: float = WINDOW_DECAY,
) -> pl.DataFrame:
    """Conformal interval half-widths per horizon week, in units of the stock's pace.

    For each backtest day, ``r = |actual − forecast| / pace`` with the pace measured at the
    window's origin (:func:`weekly_flows`). Days 1–7 ahead share one factor, days 8–14 the
    next, and so on: the weighted conformal L-quantile of their ``r``, made non-decreasing
    with the horizon (a forecast is not surer further ahead). The latest window's days
    weigh 1, each earlier window's ``decay`` times the next one's, and the day to forecast 1:
    the factor is the smallest ``r`` whose cumulative weight reaches L of the total (the
    largest ``r`` when none does). With ``decay=1`` that is the plain conformal quantile,
    the ``⌈(n+1)·L⌉``-th smallest of ``n``. A stock's regime drifts, so the latest windows
    say most about the next; with four windows the 95% factor is the largest ``r`` seen.

    Parameters
    ----------
    predictions
        Held-out forecasts of one model (:func:`insights.backtest_predictions`): ``window``
        (larger = later), ``ds``, ``y``, ``mean``.
    pace
        ``ds``, ``pace``: :func:`weekly_flows` (or :func:`weekly_pace`) of the history.
    level
        Interval levels in percent.
    decay
        Weight of each window relative to the next later one, in (0, 1].

    Returns
    -------
    pl.DataFrame
        ``horizon_week`` (1 = days 1–7 ahead), ``factor_<L>`` per level (Float64).

    Raises
    ------
    ParameterError
        ``decay`` outside (0, 1].

    Examples
    --------
    Two windows, forecasts off by 1, 2, … on day 1, 2, … ahead, pace 1. Weights: the later
    window's days 1, the earlier's 0.5, the new day 1 (11.5 in week 1). The 80% factor of week 1
    is the smallest error whose cumulative weight reaches 0.8 · 11.5 = 9.2: errors up to 6
    weigh 9, up to 7 weigh 10.5, so 7. With equal weights it is the 12th of the 14 (6).

    >>> from datetime import date
    >>> days = pl.date_range(date(2025, 1, 1), date(2025, 3, 1), eager=True)
    >>> pace = pl.DataFrame({"ds": days, "pace": 1.0})
    >>> start = [date(2025, 2, 1), date(2025, 2, 15)]
    >>> preds = pl.DataFrame({
    ...     "window": [0] * 14 + [1] * 14,
    ...     "ds": pl.concat([pl.date_range(s, s + timedelta(days=13), eager=True) for s in start]),
    ...     "y": [float(h) for h in range(1, 15)] * 2, "mean": 0.0})
    >>> horizon_factors(preds, pace, level=[80])
    shape: (2, 2)
    ┌──────────────┬───────────┐
    │ horizon_week ┆ factor_80 │
    │ ---          ┆ ---       │
    │ i64          ┆ f64       │
    ╞══════════════╪═══════════╡
    │ 1            ┆ 7.0       │
    │ 2            ┆ 14.0      │
    └──────────────┴───────────┘
    >>> horizon_factors(preds, pace, level=[80], decay=1.0)["factor_80"].to_list()
    [6.0, 13.0]

    """
    if isinstance(decay, bool) or not 0 < decay <= 1:
        msg = f"horizon_factors: decay={decay!r} must be above 0 and at most 1 (1: equal weights)."
        raise ParameterError(msg)
    origins = pace.select((pl.col("ds") + timedelta(days=1)).alias("_start"), "pace")
    ratios = (
        predictions.with_columns(
            pl.col("ds").min().over("window").alias("_start"),
            ((pl.col("ds").rank("ordinal").over("window") - 1) // _BUCKET_DAYS + 1)
            .cast(pl.Int64)
            .alias("horizon_week"),
            (decay ** (pl.col("window").rank("dense", descending=True) - 1)).alias("_w"),
        )
        .join(origins, on="_start", how="left")
        .with_columns(((pl.col("y") - pl.col("mean")).abs() / pl.col("pace")).alias("_r"))
        .drop_nulls("_r")
    )
    factors = ratios.group_by("horizon_week").agg(
        weighted_conformal("_r", "_w", lv).alias(f"factor_{lv:g}".replace(".", "_")) for lv in level
    )
    return factors.sort("horizon_week").with_columns(pl.exclude("horizon_week").cum_max())


def weighted_conformal(value: str, weight: str, level: float, /) -> pl.Expr:
    """Weighted conformal ``level``-quantile of column ``value`` (an aggregation expression).

    The smallest value whose cumulative weight reaches ``level`` percent of the total plus
    1 (the weight of the day to forecast), or the largest value when none does. With equal
    weights of 1 it is the ``⌈(n+1)·L⌉``-th smallest of ``n``. Shared by
    :func:`horizon_factors` and the open-accounts forecast's intervals.

    Examples
    --------
    >>> frame = pl.DataFrame({"r": [3.0, 1.0, 2.0, 4.0], "w": [1.0, 1.0, 1.0, 1.0]})
    >>> frame.select(weighted_conformal("r", "w", 60)).item()
    3.0
    >>> frame.select(weighted_conformal("r", "w", 95)).item()
    4.0

    """
    reached = pl.col(weight).sort_by(value).cum_sum() / (pl.col(weight).sum() + 1)
    return (
        pl.col(value)
        .sort()
        .filter(reached >= level / 100 - 1e-12)
        .first()
        .fill_null(pl.col(value).max())
    )
