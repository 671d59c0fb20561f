"""Conformal calibration of the prediction intervals on backtest errors.

Internal to :mod:`insights.forecasting`; :func:`insights.forecast` documents the method.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import timedelta

import numpy as np
import polars as pl

from insights.forecasting._evaluation import rolling_origin, z
from insights.forecasting._models import ModelFailedError
from insights.forecasting._series import MIN_TRAIN_OPEN_DAYS, FloatArray, Series

__all__ = ["calibration_factors", "older_windows"]


def calibration_factors(
    recent: pl.DataFrame, year: pl.DataFrame, /, *, level: Sequence[float]
) -> dict[float, float]:
    """Conformal factor per level: the larger of the recent windows' and the past year's.

    Errors are not exchangeable over time: the recent windows track the current noise level
    but may all fall in one season, a year of windows covers every season but dilutes a
    recent change. Intervals wide enough for both hold when either view is right.
    """
    factors = {}
    for lv in level:
        factors[lv] = max(
            _conformal_scale((part["y"] - part["mean"]).to_numpy(), part["sd"].to_numpy(), lv)
            for part in (recent, year)
        )
    return factors


def _year_windows(series: Series, /, *, horizon: int, windows: int, step: int) -> int:
    """Backtest windows whose held-out days fall in the 52 weeks before the origin.

    At least ``windows``; at most as many as the history can fit.
    """
    open_idx = np.flatnonzero(series.open)
    days = series.grid["ds"]
    first_day = days[-1] + timedelta(days=1) - timedelta(weeks=52)
    count = 0
    while True:
        end = open_idx.size - count * step
        if end - horizon < MIN_TRAIN_OPEN_DAYS or days[int(open_idx[end - horizon])] < first_day:
            break
        count += 1
    return max(count, windows)


def older_windows(
    series: Series, name: str, /, *, horizon: int, windows: int, step: int
) -> pl.DataFrame | None:
    """Backtest of ``name`` on the windows of the past year before the selection windows.

    These reuse the parameters fitted in the oldest selection window and only rerun the
    filter (states, e.g. the level and the weekly pattern, see only the data before each
    origin), so a year of calibration costs about one model fit.
    """
    extra = _year_windows(series, horizon=horizon, windows=windows, step=step) - windows
    if extra <= 0:
        return None
    try:
        return rolling_origin(
            series,
            models=[name],
            horizon=horizon,
            windows=extra,
            step=step,
            strict=True,
            before=windows,
            fixed=True,
        )
    except ModelFailedError:  # a refit that fails only costs calibration data
        return None


def _conformal_scale(errors: FloatArray, sd: FloatArray, level: float) -> float:
    """Factor that makes ``mean ± factor·z·sd`` cover ``level``% of the backtest errors.

    With too few days to see the ``level`` quantile (``⌈(n+1)·level⌉ > n``: 19 days or fewer
    for 95%), the largest ratio is taken as the ``n/(n+1)`` quantile and extrapolated with
    normal tails, so a wider level still gets a wider interval (not the same largest error).
    """
    half = z(level) * sd
    ok = half > 0
    ratios = np.sort(np.abs(errors[ok]) / half[ok])
    n = ratios.size
    if n == 0:
        return 1.0
    k = math.ceil((n + 1) * level / 100)
    if k > n:
        return float(ratios[-1] * z(level) / z(100 * n / (n + 1)))
    return float(ratios[k - 1])
