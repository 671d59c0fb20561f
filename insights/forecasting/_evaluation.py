"""Rolling-origin backtests and their scores, shared by forecasting and backtesting.

Internal to :mod:`insights.forecasting`; :mod:`insights.forecasting.backtesting` documents
the windows and the metrics.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl
from scipy import stats

from insights.errors import InsightsError, InsufficientHistoryError
from insights.forecasting._models import ModelFailedError, fit_predict
from insights.forecasting._series import MIN_TRAIN_OPEN_DAYS, FloatArray, Series

__all__ = ["required_open_days", "rolling_origin", "score", "tag", "z"]


def z(level: float) -> float:
    return float(stats.norm.ppf(0.5 + level / 200))


def required_open_days(
    horizon: int, windows: int, step: int, *, min_train: int = MIN_TRAIN_OPEN_DAYS
) -> int:
    return min_train + horizon + (windows - 1) * step


def rolling_origin(
    series: Series,
    /,
    *,
    models: Sequence[str],
    horizon: int,
    windows: int,
    step: int,
    strict: bool,
    before: int = 0,
    fixed: bool = False,
    min_train: int = MIN_TRAIN_OPEN_DAYS,
) -> pl.DataFrame:
    """Backtest predictions: one row per model, window and held-out open day.

    Columns: ``model``, ``window`` (0 = oldest), ``ds``, ``y``, ``mean``, ``sd``, ``scale``
    (in-sample MAE of the weekly seasonal naive forecast on the window's training days).
    A model that fails in a window is dropped from all windows unless ``strict``.

    The last window ends ``before`` windows before the end of the history. Unless ``fixed``,
    the parameters fitted in the oldest window become the series' anchor; with ``fixed``
    every window reuses the anchor's parameters (see :func:`fit_predict`). The oldest window
    trains on at least ``min_train`` open days.
    """
    open_idx = np.flatnonzero(series.open)
    needed = required_open_days(horizon, windows + before, step, min_train=min_train)
    if open_idx.size < needed:
        msg = (
            f"series {series.uid!r} has {open_idx.size} open days of history; a backtest of "
            f"{windows} window(s) of {horizon} open days every {step} days needs at least "
            f"{needed} ({min_train} to fit + the windows). Give more history, "
            "or reduce horizon/windows."
        )
        raise InsufficientHistoryError(msg)
    y = series.y
    frames: list[pl.DataFrame] = []
    failed: set[str] = set()
    for w in range(windows):
        end = open_idx.size - (windows - 1 - w + before) * step
        test_open = open_idx[end - horizon : end]
        first, last = int(test_open[0]), int(test_open[-1])
        train = series.grid.head(first)
        future = series.grid.slice(first, last - first + 1)
        scale = _snaive_scale(y[:first])
        pos = test_open - first
        for name in models:
            if name in failed:
                continue
            try:
                mean, sd = fit_predict(series, name, train, future, fixed=fixed)
            except ModelFailedError:
                if strict:
                    raise
                failed.add(name)
                continue
            if w == 0 and not fixed:
                series.anchor = dict(series.warm)
            frames.append(
                pl.DataFrame(
                    {
                        "model": name,
                        "window": w,
                        "ds": future["ds"].gather(pos),
                        "y": y[test_open],
                        "mean": mean[pos],
                        "sd": sd[pos],
                        "scale": scale,
                    }
                )
            )
    if not frames:
        msg = f"forecast: every model failed on series {series.uid!r}; see the causes above."
        raise InsightsError(msg)
    out = pl.concat(frames).filter(~pl.col("model").is_in(sorted(failed)))
    return out.with_columns(pl.col("y").fill_nan(None)).drop_nulls("y")


def _snaive_scale(y: FloatArray) -> float:
    diffs = np.abs(y[7:] - y[:-7])
    diffs = diffs[~np.isnan(diffs)]
    return float(diffs.mean()) if diffs.size and diffs.mean() > 0 else 1.0


def score(predictions: pl.DataFrame, /, *, level: Sequence[float]) -> pl.DataFrame:
    """Accuracy and raw interval coverage per model (and ``unique_id`` when present)."""
    keys = [c for c in ("unique_id", "model") if c in predictions.columns]
    err = pl.col("y") - pl.col("mean")
    denom = pl.col("y").abs() + pl.col("mean").abs()
    exprs = [
        (err.abs() / pl.col("scale")).mean().alias("mase"),
        pl.when(denom > 0).then(200 * err.abs() / denom).otherwise(0.0).mean().alias("smape"),
        (err**2).mean().sqrt().alias("rmse"),
    ]
    for lv in level:
        half = z(lv) * pl.col("sd")
        exprs.append((err.abs() <= half).mean().alias(f"coverage_{tag(lv)}"))
    for lv in level:
        exprs.append((2 * z(lv) * pl.col("sd")).mean().alias(f"width_{tag(lv)}"))
    exprs.append(pl.len().alias("n_days"))
    return predictions.group_by(keys, maintain_order=True).agg(exprs)


def tag(level: float) -> str:
    return f"{level:g}".replace(".", "_")
