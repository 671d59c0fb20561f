"""The growth series in the long format the forecaster takes, and the per-series runs.

:func:`growth_series` lays the daily accounts table out as ``unique_id`` (``"signups"``,
``"open_accounts"``), ``ds``, ``y``; ``_per_series`` gives each series' history with its
calendar, which the forecast and the backtest both loop on.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Literal

import polars as pl

from insights._common import parse_day
from insights.customers.accounts import _daily_table
from insights.errors import InsufficientHistoryError, ParameterError

__all__ = ["GROWTH_SERIES", "growth_series"]


#: The series :func:`growth_series` builds, in order.
GROWTH_SERIES = ("signups", "open_accounts")


def growth_series(
    daily: pl.DataFrame | pl.LazyFrame,
    /,
    *,
    as_of: date | str | None = None,
    years: int = 3,
    series: Sequence[str] = GROWTH_SERIES,
) -> pl.DataFrame:
    """Lay the growth series out in the long format :func:`insights.forecast` takes.

    Parameters
    ----------
    daily
        :func:`daily_accounts` output, or a mart with the same columns (``day`` or ``ds``,
        ``signups``, ``open_accounts``).
    as_of
        Last day of history used (default: the table's last day).
    years
        Years of history kept before ``as_of`` (a longer past rarely helps and costs time).
    series
        Which of :data:`GROWTH_SERIES` to return.

    Returns
    -------
    pl.DataFrame
        ``unique_id`` (``"signups"``, ``"open_accounts"``), ``ds``, ``y`` (Float64).

    Examples
    --------
    >>> daily = pl.DataFrame({"ds": [date(2025, 1, 1), date(2025, 1, 2)], "signups": [3, 5],
    ...                       "closures": [0, 1], "open_accounts": [100, 104]})
    >>> growth_series(daily)["y"].to_list()
    [3.0, 5.0, 100.0, 104.0]

    """
    frame = _daily_table(daily, who="growth_series")
    unknown = [s for s in series if s not in GROWTH_SERIES]
    if unknown or not series or isinstance(series, str):
        msg = f"growth_series: series={series!r}; choose among {list(GROWTH_SERIES)}."
        raise ParameterError(msg)
    if isinstance(years, bool) or years < 1:
        msg = f"growth_series: years={years!r} must be a positive whole number."
        raise ParameterError(msg)
    last = frame["ds"].max() if as_of is None else parse_day(as_of, name="as_of")
    assert isinstance(last, date)
    kept = frame.filter(
        pl.col("ds").is_between(last - timedelta(days=round(365.25 * years)) + timedelta(1), last)
    )
    if kept.height == 0:
        msg = (
            f"growth_series: no days in the daily table on or before as_of={last} (it covers "
            f"{frame['ds'].min()!s} to {frame['ds'].max()!s}); choose an as_of inside it."
        )
        raise InsufficientHistoryError(msg)
    return pl.concat(
        kept.select(pl.lit(name).alias("unique_id"), "ds", pl.col(name).cast(pl.Float64).alias("y"))
        for name in GROWTH_SERIES
        if name in series
    )


_Closed = Literal["infer"] | tuple[int, ...]


def _per_series(
    daily: pl.DataFrame | pl.LazyFrame,
    /,
    *,
    who: str,
    horizon: int,
    as_of: date | str | None,
    years: int,
    series: Sequence[str],
) -> list[tuple[pl.DataFrame, _Closed]]:
    """Each growth series' history with its calendar: what forecast and backtest both loop on.

    Accounts exist every day, so open accounts have no closed days; sign-ups infer theirs.
    """
    _check_horizon(horizon, who=who)
    history = growth_series(daily, as_of=as_of, years=years, series=series)
    return [
        (history.filter(pl.col("unique_id") == name), () if name == "open_accounts" else "infer")
        for name in series
    ]


def _check_horizon(horizon: object, /, *, who: str) -> None:
    if isinstance(horizon, bool) or not isinstance(horizon, int) or not 1 <= horizon <= 366:
        msg = f"{who}: horizon={horizon!r} must be a whole number of days from 1 to 366."
        raise ParameterError(msg)
