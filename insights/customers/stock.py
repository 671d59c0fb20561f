"""Open accounts' forecast: today's stock plus the cumulative forecast of its daily flows.

A stock is the running sum of its flows, ``open_accounts[d] = open_accounts[d − 1] +
signups[d] − closures[d]``, so its forecast is today's stock plus the forecast net flows
summed day by day. A day's net flow is forecast as the mean net flow of the last
:data:`FLOW_DAYS` days plus its weekday's deviation from the mean over the last
:data:`PROFILE_DAYS` days (twelve of each weekday: a steadier weekly pattern than four give).
At whole weeks ahead the deviations cancel and the forecast is exactly the 28-day drift
``y[origin] + h · (y[origin] − y[origin − 28]) / 28``. No trend is damped: a growing stock
keeps growing at its latest pace.

The model is cheap, so its intervals are calibrated on every past day as an origin instead
of a few backtest windows, on the absolute errors in accounts of the same forecast made ``h``
days before each past day, in two steps:

- a **base** half-width per day ahead ``h``: the weighted conformal quantile of the errors
  ``h`` days ahead, each weighing ``0.5 ** (age / max(half_life, 2h))`` by how long ago
  (``age``, days) its outcome was known. Errors a few days ahead are many and come fast, so
  they forget in weeks; errors a quarter ahead overlap for months and keep half a year;
- a **recent multiplier** per horizon week (days 1–7, 8–14, …; ``H`` the week's last day):
  the weighted conformal quantile of the latest outcomes' errors ``H/2`` to ``H`` days ahead,
  each divided by the base at its own ``h``, halving in weight every ``half_life`` days. An
  error 91 days ahead is known only 91 days after its origin; an error 46 days ahead of an
  origin 46 days ago is known now. When the trend turns, those errors outgrow their base and
  widen every longer horizon in weeks, not a quarter late; when the latest errors are smaller
  than the older ones (after a break has passed), the intervals narrow again. In steady times
  the multiplier is about 1.

The half-width is the base times the multiplier, never narrower further ahead nor at a
higher level. Both steps use only errors whose outcome is known on the forecast day.

The errors are in accounts, not in units of the flows (:func:`insights.weekly_flows`, as the
model-based intervals were): a drift's errors come from shifts in the flows, and on the sample
they stayed about the same size in accounts (320–470 at 91 days, quarter after quarter) while
the flows grew five-fold, so errors scaled by the flows made old errors count too much.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import polars as pl

from insights._common import parse_day
from insights.customers.accounts import _daily_table
from insights.customers.pace import weighted_conformal
from insights.errors import InsufficientHistoryError, ParameterError

__all__ = [
    "FLOW_DAYS",
    "HALF_LIFE_DAYS",
    "MIN_ORIGINS",
    "PROFILE_DAYS",
    "open_accounts_forecast",
]

#: Days of flows whose mean is the forecast net flow of a day.
FLOW_DAYS = 28
#: Days of flows whose weekday means, less their mean, are the weekly pattern.
PROFILE_DAYS = 84
#: Age, in days since its outcome was known, at which a calibration error weighs half: the
#: recent multiplier's, and the base's for errors up to ``HALF_LIFE_DAYS / 2`` days ahead
#: (further ahead, twice the days ahead).
HALF_LIFE_DAYS = 28
#: Days ahead that share one recent multiplier (a horizon week).
_WEEK = 7
#: Half-lives after which an error no longer enters the recent multiplier (weight 2^-10).
_FORGOTTEN = 10
#: Origins scored at the longest horizon needed to calibrate the intervals.
MIN_ORIGINS = 28
#: The ``model`` name of the flow forecast.
_MODEL = "flows"


def open_accounts_forecast(
    daily: pl.DataFrame | pl.LazyFrame,
    /,
    *,
    horizon: int,
    as_of: date | str | None = None,
    level: Sequence[float] = (80, 95),
    half_life: float = HALF_LIFE_DAYS,
) -> pl.DataFrame:
    """Forecast open accounts as today's stock plus the cumulative forecast of its flows.

    The forecast net flow (sign-ups − closures) of a day is the mean net flow over the last
    :data:`FLOW_DAYS` days plus its weekday's deviation over the last :data:`PROFILE_DAYS`;
    open accounts are the stock at ``as_of`` plus those flows summed (module docstring).
    The intervals are ``mean ± q(h)``, calibrated on the absolute errors of the same
    forecast made from every earlier day with 84 days behind it (module docstring): ``q(h)``
    is the base — the weighted conformal L-quantile of the errors ``h`` days ahead (the
    smallest error whose cumulative weight reaches L of the total plus 1, the day to forecast
    weighing 1; the largest error when none does), an error weighing half when its outcome is
    ``max(half_life, 2h)`` days old — times the recent multiplier of ``h``'s horizon week
    (the same quantile of the errors ``H/2`` to ``H`` days ahead, ``H`` the week's last day,
    each divided by its own base, halving every ``half_life`` days). ``q`` never decreases
    with ``h`` nor with the level; ``lo`` is at least 0.

    Parameters
    ----------
    daily
        :func:`insights.daily_accounts` output or the ``accounts_daily`` mart (``ds`` or
        ``day``, ``signups``, ``open_accounts``, and ``closures``, taken from the change in
        open accounts when absent), one row for every day.
    horizon
        Days to forecast (1 to 366), every calendar day.
    as_of
        Last day of history used (default: the table's last day).
    level
        Central interval levels in percent.
    half_life
        Days after which a calibration error's weight halves: the recent multiplier's, and
        the base's up to ``half_life / 2`` days ahead (twice the days ahead beyond).
        Positive; ``inf``: equal weights, and a multiplier of about 1.

    Returns
    -------
    pl.DataFrame
        ``ds``, ``model`` (``"flows"``), ``mean``, ``lo_<L>``, ``hi_<L>`` per level
        (Float64; ``lo`` at least 0), one row per day after ``as_of``.

    Raises
    ------
    InsufficientHistoryError
        Fewer than ``PROFILE_DAYS + horizon + MIN_ORIGINS`` days to ``as_of``: too few
        origins to calibrate; the message says how many days are needed.
    ParameterError
        A day missing from the table, or a ``horizon``, ``level`` or ``half_life`` out of
        range.

    Examples
    --------
    Ten accounts open and two close every day: the forecast is the exact line, +8 a day,
    and as no past forecast ever missed, the intervals have no width.

    >>> days = pl.date_range(date(2025, 1, 1), date(2025, 4, 30), eager=True)
    >>> daily = pl.DataFrame({"ds": days, "signups": 10, "closures": 2}).with_columns(
    ...     open_accounts=1_000 + 8 * pl.int_range(1, pl.len() + 1))
    >>> fc = open_accounts_forecast(daily, horizon=3, level=[80])
    >>> fc.select("ds", "mean", "lo_80", "hi_80").rows()  # doctest: +NORMALIZE_WHITESPACE
    [(datetime.date(2025, 5, 1), 1968.0, 1968.0, 1968.0),
     (datetime.date(2025, 5, 2), 1976.0, 1976.0, 1976.0),
     (datetime.date(2025, 5, 3), 1984.0, 1984.0, 1984.0)]

    """
    who = "open_accounts_forecast"
    if isinstance(horizon, bool) or not isinstance(horizon, int) or not 1 <= horizon <= 366:
        msg = f"{who}: horizon={horizon!r} must be a whole number of days from 1 to 366."
        raise ParameterError(msg)
    if isinstance(half_life, bool) or not half_life > 0:
        msg = f"{who}: half_life={half_life!r} must be a positive number of days."
        raise ParameterError(msg)
    if not level or any(not 0 < lv < 100 for lv in level):
        msg = f"{who}: level={list(level)!r} must be percentages strictly between 0 and 100."
        raise ParameterError(msg)
    table = _daily_table(daily, who=who)
    if as_of is not None:
        table = table.filter(pl.col("ds") <= parse_day(as_of, name="as_of"))
    n = table.height
    need = PROFILE_DAYS + horizon + MIN_ORIGINS
    if n < need:
        msg = (
            f"{who}: {n} days of history; a {horizon}-day forecast needs at least {need} "
            f"({PROFILE_DAYS} days of flows, then {MIN_ORIGINS} origins scored {horizon} days "
            "ahead to calibrate its intervals). Give more history or a shorter horizon."
        )
        raise InsufficientHistoryError(msg)
    first, last = table["ds"][0], table["ds"][-1]
    if (last - first).days + 1 != n:
        msg = (
            f"{who}: the daily table has {(last - first).days + 1 - n} missing days between "
            f"{first} and {last}; it needs one row for every day (insights.daily_accounts "
            "builds it so)."
        )
        raise ParameterError(msg)
    y = table["open_accounts"].cast(pl.Float64).to_numpy()
    pred, actual = _paths(y, horizon=horizon)
    half_widths = _half_widths(_errors(pred, actual), level=level, half_life=half_life)
    point = pl.DataFrame({"h": np.arange(1, horizon + 1), "mean": pred[-1]})
    tags = [_tag(lv) for lv in level]
    return point.join(half_widths, on="h", how="left").select(
        (pl.lit(last) + pl.duration(days=pl.col("h"))).alias("ds"),
        pl.lit(_MODEL).alias("model"),
        "mean",
        *(
            col
            for t in tags
            for col in (
                (pl.col("mean") - pl.col(f"_q{t}")).clip(lower_bound=0).alias(f"lo_{t}"),
                (pl.col("mean") + pl.col(f"_q{t}")).alias(f"hi_{t}"),
            )
        ),
    )


def _paths(y: np.ndarray, /, *, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """Forecasts ``[o, h − 1]`` from every origin ``o`` with 84 days behind it, and the actuals.

    For ``h = 7k + r``: ``y[o] + h · (y[o] − y[o − 28]) / 28`` plus the first ``r`` weekdays'
    deviations, ``Σ_{i=1..12} (y[o + r − 7i] − y[o − 7i]) / 12 − r · (y[o] − y[o − 84]) / 84``.
    Actuals past the last day are NaN. Origin rows are ``PROFILE_DAYS`` … ``len(y) − 1``.
    """
    weeks = PROFILE_DAYS // 7
    o = np.arange(PROFILE_DAYS, y.size)[:, None]
    h = np.arange(1, horizon + 1)[None, :]
    r = h % 7
    part = sum(y[o + r - 7 * i] - y[o - 7 * i] for i in range(1, weeks + 1)) / weeks
    part = part - r * (y[o] - y[o - PROFILE_DAYS]) / PROFILE_DAYS
    pred = y[o] + h * (y[o] - y[o - FLOW_DAYS]) / FLOW_DAYS + part
    ahead = o + h
    actual = np.where(ahead < y.size, y[np.minimum(ahead, y.size - 1)], np.nan)
    return pred, actual


def _errors(pred: np.ndarray, actual: np.ndarray, /) -> pl.DataFrame:
    """``h``, ``_e`` = |error| in accounts, ``_age`` = days since its outcome was known.

    ``pred`` and ``actual`` are :func:`_paths`' (origin rows ``PROFILE_DAYS`` … last day);
    only errors whose outcome is known on the last day are kept.
    """
    origins, horizon = pred.shape
    o = np.arange(origins)[:, None]
    h = np.arange(1, horizon + 1)[None, :]
    error = np.abs(actual - pred)
    age = origins - 1 - o - h
    known = np.isfinite(error)
    return pl.DataFrame(
        {
            "h": np.broadcast_to(h, error.shape)[known],
            "_e": error[known],
            "_age": np.broadcast_to(age, error.shape)[known],
        }
    )


def _half_widths(
    errors: pl.DataFrame, /, *, level: Sequence[float], half_life: float
) -> pl.DataFrame:
    """``h``, ``_q<L>``: the base half-width times its week's recent multiplier (module doc).

    ``errors`` are :func:`_errors`'; made non-decreasing in ``h`` and across the levels.
    """
    tags = [_tag(lv) for lv in level]
    base = (
        errors.with_columns(
            _w=0.5 ** (pl.col("_age") / pl.max_horizontal(pl.lit(half_life), 2 * pl.col("h")))
        )
        .group_by("h")
        .agg(
            weighted_conformal("_e", "_w", lv).alias(f"_b{t}")
            for lv, t in zip(level, tags, strict=True)
        )
    )
    horizon = int(errors["h"].max() or 0)  # type: ignore[arg-type]
    weeks = pl.DataFrame({"_week": np.arange(1, -(-horizon // _WEEK) + 1)})
    last = pl.min_horizontal(_WEEK * pl.col("_week"), horizon)  # the week's last day ahead
    pool = (  # each error in every week whose pool [last // 2, last] holds its h
        errors.filter(pl.col("_age") < _FORGOTTEN * half_life)  # weight above 2^-10
        .join(base, on="h")
        .with_columns(
            _week=pl.int_ranges(
                (pl.col("h") + _WEEK - 1) // _WEEK,
                pl.min_horizontal((2 * pl.col("h") + 1) // _WEEK + 1, weeks.height) + 1,
            )
        )
        .explode("_week")
        .filter(pl.col("h") >= pl.max_horizontal(last // 2, 1), pl.col("h") <= last)
        .with_columns(_w=0.5 ** (pl.col("_age") / half_life))
    )
    multipliers = weeks.select("_week")
    for lv, t in zip(level, tags, strict=True):
        scores = pool.filter(pl.col(f"_b{t}") > 0).with_columns(
            (pl.col("_e") / pl.col(f"_b{t}")).alias("_z")
        )
        week = scores.group_by("_week").agg(weighted_conformal("_z", "_w", lv).alias(f"_m{t}"))
        multipliers = multipliers.join(week, on="_week", how="left")
    order = sorted(range(len(tags)), key=lambda i: level[i])
    widths = (
        base.with_columns(_week=(pl.col("h") - 1) // _WEEK + 1)
        .join(multipliers, on="_week", how="left")
        .sort("h")
        .select(
            "h",
            *(
                (pl.col(f"_b{t}") * pl.col(f"_m{t}").fill_null(1.0)).cum_max().alias(f"_q{t}")
                for t in tags
            ),
        )
    )
    return widths.with_columns(  # a higher level is never narrower
        pl.max_horizontal(*(f"_q{tags[j]}" for j in order[: i + 1])).alias(f"_q{tags[order[i]]}")
        for i in range(len(order))
    )


def _tag(level: float) -> str:
    return f"{level:g}".replace(".", "_")
