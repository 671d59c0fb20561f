"""Holiday effects by name, learnt from the training days of each model fit.

Internal to :mod:`insights.forecasting`; :func:`insights.forecast` documents the behaviour.

Each labelled day (a holiday by name, or a day up to three days from one: see
:func:`insights.forecasting._holidays.holiday_labels`) is compared with the same weekday one,
two and three weeks before and after (ordinary open days only): its *ratio* is
``y / baseline − 1``. A label's effect is its mean ratio over its past open days, shrunk
towards a default by how far it stands out of the day-to-day noise (positive-part
James–Stein, with the noise measured as the spread of the same ratio on ordinary days). A
holiday's default is the *shared* effect, the mean ratio over every open holiday of the
history; a nearby day's default is no effect. Labels seen on fewer than :data:`MIN_SEEN`
open days (and holidays the history never saw) get their default. Effects are relative: a
training day loses its ratio times its baseline before the model is fitted, and the model's
forecast of a day is multiplied by one plus its ratio, so a holiday on a quiet weekday or in
a quiet season moves the forecast less than on a busy one.

Reason for estimating outside the model: ``uc`` keeps its regression coefficients in the
Kalman state, where a coefficient per holiday name would add a dozen states (the filter's
cost grows with the square of the state size); the effects are instead taken off the
series before the fit and put back into the forecast, which costs no state at all.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt

__all__ = ["MIN_SEEN", "HolidayEffects", "holiday_effect"]

FloatArray = npt.NDArray[np.float64]

MIN_SEEN = 2  # open days a label needs in the history for an effect of its own
_WEEKS = 3  # baseline: the same weekday up to this many weeks before and after
_LEVEL_WEEKS = 8  # a weekday's level where a day has no baseline: its last ordinary days
_MIN_ORDINARY = 14  # ordinary days with a baseline needed to judge the noise
_MAD_SD = 1.4826  # median absolute deviation to standard deviation (normal noise)


class HolidayEffects(NamedTuple):
    """What :func:`holiday_effect` learnt: relative effects, and their size in the history."""

    ratio: FloatArray  # relative change on every day (training days, then future); 0: none
    history: FloatArray  # change in ``y`` units on each training day (ratio × its baseline)


def holiday_effect(
    y: FloatArray, labels: npt.NDArray[np.object_], offsets: FloatArray
) -> HolidayEffects:
    """Holiday effects on every day of ``labels`` (training days, then the days to forecast).

    Parameters
    ----------
    y
        Training values, one per calendar day (``NaN`` on closed or missing days).
    labels
        Label of every consecutive calendar day: the training days (as many as ``y``), then
        the days to forecast; ``None`` for a day with no label.
    offsets
        Days from the label's holiday, per day (0 on the holiday itself; ignored where
        there is no label).

    Returns
    -------
    HolidayEffects
        ``ratio``: each day's relative change (``-0.5``: half the usual volume; 0 on
        unlabelled days), and ``history``: the change in units of ``y`` on each training
        day (the ratio times the day's baseline), to take off before a model is fitted.

    """
    n = y.size
    none = HolidayEffects(np.zeros(labels.size), np.zeros(n))
    has = np.array([label is not None for label in labels], dtype=np.bool_)
    if n == 0 or not has.any():
        return none
    index: dict[object, int] = {}
    codes = np.full(labels.size, -1, dtype=np.int64)
    for i in np.flatnonzero(has):
        codes[i] = index.setdefault(labels[i], len(index))
    own_day = np.zeros(len(index), dtype=np.bool_)
    own_day[codes[has]] = offsets[has] == 0
    train_codes = codes[:n]
    ordinary = (train_codes < 0) & np.isfinite(y)
    base = _baseline(np.where(ordinary, y, np.nan))
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(base > 0, y / base - 1.0, np.nan)
    noise = ratio[ordinary & np.isfinite(ratio)]
    if noise.size < _MIN_ORDINARY:
        return none
    variance = _noise_variance(noise)
    seen = (train_codes >= 0) & np.isfinite(ratio)
    count = np.bincount(train_codes[seen], minlength=len(index))
    sums = np.bincount(train_codes[seen], weights=ratio[seen], minlength=len(index))
    holidays = seen & own_day[np.maximum(train_codes, 0)]
    shared = 0.0
    if holidays.any():
        shared = _shrunk(float(ratio[holidays].mean()), variance / holidays.sum())
    effect = np.where(own_day, shared, 0.0)
    for code in np.flatnonzero(count >= MIN_SEEN):
        effect[code] += _shrunk(sums[code] / count[code] - effect[code], variance / count[code])
    day_ratio = np.zeros(labels.size)
    day_ratio[has] = effect[codes[has]]
    local = np.where(np.isfinite(base), base, _weekday_level(np.where(ordinary, y, np.nan)))
    return HolidayEffects(day_ratio, np.nan_to_num(day_ratio[:n] * local))


def _noise_variance(noise: FloatArray) -> float:
    """Day-to-day variance of the ratios, from their median absolute deviation.

    Robust to the odd outlier; but when over half of the ratios are equal (counts of a rare
    contact reason, mostly 0 or 1) the MAD is 0 and would keep every effect whole, so their
    plain variance is used instead.
    """
    mad = float(np.median(np.abs(noise - np.median(noise))))
    return (_MAD_SD * mad) ** 2 if mad > 0 else float(np.var(noise))


def _shrunk(diff: float, variance: float) -> float:
    """``diff`` shrunk towards 0 by its noise (positive-part James–Stein)."""
    if diff == 0:
        return 0.0
    return diff * max(0.0, 1.0 - variance / diff**2)


def _baseline(ordinary: FloatArray) -> FloatArray:
    """Mean of the same weekday up to ``_WEEKS`` weeks either side (two values at least)."""
    n = ordinary.size
    shifted = np.full((2 * _WEEKS, n), np.nan)
    for j in range(1, _WEEKS + 1):
        lag = 7 * j
        if lag < n:
            shifted[2 * j - 2, lag:] = ordinary[:-lag]
            shifted[2 * j - 1, :-lag] = ordinary[lag:]
    count = np.isfinite(shifted).sum(axis=0)
    total = np.nansum(shifted, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count >= 2, total / count, np.nan)


def _weekday_level(ordinary: FloatArray) -> FloatArray:
    """Each day's weekday level: the mean of its last ``_LEVEL_WEEKS`` ordinary open days."""
    n = ordinary.size
    level = np.full(7, np.nan)
    for phase in range(7):
        values = ordinary[phase::7]
        values = values[np.isfinite(values)][-_LEVEL_WEEKS:]
        if values.size:
            level[phase] = values.mean()
    return level[np.arange(n) % 7]
