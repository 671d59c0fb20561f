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
of a few backtest windows: for each day ahead ``h``, the weighted conformal quantile of the
absolute errors in accounts of the same forecast made ``h`` days before each past day, each
error weighing ``0.5 ** (age / HALF_LIFE_DAYS)`` by how long ago its outcome was known, and
never narrower further ahead. When the trend turns, the errors of the last origins grow and
the intervals widen with them, as fast as the outcomes arrive (an error ``h`` days ahead is
known ``h`` days after its origin).

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
#: Age, in days since its outcome was known, at which a calibration error weighs half.
HALF_LIFE_DAYS = 182
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
    The intervals are ``mean ± q(h)``, ``q(h)`` the weighted conformal L-quantile of the
    absolute error of the same forecast made from every earlier day with 84 days behind it
    and ``h`` days after it: the smallest error whose cumulative weight reaches L of the
    total plus 1 (the day to forecast weighs 1; the largest error when none does), the
    errors known ``half_life`` days ago weighing half. ``q`` never decreases with ``h``;
    ``lo`` is at least 0.

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
        Days after which a calibration error's weight halves (positive; ``inf``: equal
        weights).

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
    tags = [f"{lv:g}".replace(".", "_") for lv in level]
    pred, actual = _paths(y, horizon=horizon)
    half_widths = (
        _errors(pred, actual, half_life=half_life)
        .group_by("h")
        .agg(
            weighted_conformal("_e", "_w", lv).alias(f"_f{t}")
            for lv, t in zip(level, tags, strict=True)
        )
        .sort("h")
        .with_columns(pl.exclude("h").cum_max())
    )
    point = pl.DataFrame({"h": np.arange(1, horizon + 1), "mean": pred[-1]})
    return point.join(half_widths, on="h", how="left").select(
        (pl.lit(last) + pl.duration(days=pl.col("h"))).alias("ds"),
        pl.lit(_MODEL).alias("model"),
        "mean",
        *(
            col
            for t in tags
            for col in (
                (pl.col("mean") - pl.col(f"_f{t}")).clip(lower_bound=0).alias(f"lo_{t}"),
                (pl.col("mean") + pl.col(f"_f{t}")).alias(f"hi_{t}"),
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


def _errors(pred: np.ndarray, actual: np.ndarray, /, *, half_life: float) -> pl.DataFrame:
    """``h``, ``_e`` = |error| in accounts, ``_w`` = weight by how long ago the outcome came.

    ``pred`` and ``actual`` are :func:`_paths`' (origin rows ``PROFILE_DAYS`` … last day).
    """
    origins, horizon = pred.shape
    o = np.arange(origins)[:, None]
    h = np.arange(1, horizon + 1)[None, :]
    error = np.abs(actual - pred)
    weight = 0.5 ** ((origins - 1 - o - h) / half_life)
    known = np.isfinite(error)
    return pl.DataFrame(
        {
            "h": np.broadcast_to(h, error.shape)[known],
            "_e": error[known],
            "_w": np.broadcast_to(weight, error.shape)[known],
        }
    )
