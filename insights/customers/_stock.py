"""Open accounts' forecast: the forecaster's best model, intervals calibrated per week ahead."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import polars as pl

from insights.customers.pace import _BUCKET_DAYS, horizon_factors
from insights.errors import InsufficientHistoryError, ShortHistoryWarning

__all__: list[str] = []


def _stock_forecast(
    history: pl.DataFrame,
    pace: pl.DataFrame,
    /,
    *,
    horizon: int,
    level: Sequence[float],
    holidays: str | None,
    models: str | Sequence[str],
    windows: int,
) -> pl.DataFrame:
    """Forecast a stock (open accounts) with intervals calibrated per horizon week.

    A stock integrates its flows, so its forecast errors grow with the horizon and with how
    much flows through it. The model is picked as :func:`insights.forecast` picks it (lowest
    backtest MASE), fitted without calibration, and its intervals set to
    ``mean ± factor(week) · pace`` (:func:`horizon_factors` on the backtest windows, ``pace``
    at the origin: :func:`insights.weekly_flows` of the daily table). Too little history for
    the full backtest windows: the forecast falls back to :func:`insights.forecast` as it is
    (with its short-history handling).
    """
    from insights.forecasting.backtesting import backtest_predictions  # noqa: PLC0415
    from insights.forecasting.forecaster import MODELS, forecast  # noqa: PLC0415

    try:
        with warnings.catch_warnings():  # a short history is said once, by forecast below
            warnings.simplefilter("ignore", ShortHistoryWarning)
            preds = backtest_predictions(
                history,
                horizon=horizon,
                windows=windows,
                models=models,
                holidays=holidays,
                closed=(),
            )
    except InsufficientHistoryError:
        preds = None
    if preds is None or preds["short_history"].any():
        return forecast(
            history, horizon=horizon, level=level, holidays=holidays, closed=(), models=models
        )
    order = {m: i for i, m in enumerate(MODELS)}
    ranked = (
        preds.group_by("model")
        .agg(((pl.col("y") - pl.col("mean")).abs() / pl.col("scale")).mean().alias("mase"))
        .with_columns(pl.col("model").replace_strict(order, return_dtype=pl.Int64).alias("_o"))
        .sort("mase", "_o")
    )
    best = str(ranked["model"][0])
    factors = horizon_factors(preds.filter(pl.col("model") == best), pace, level=level)
    point = forecast(
        history,
        horizon=horizon,
        level=level,
        holidays=holidays,
        closed=(),
        models=best,
        calibrate=False,
    )
    origin = history["ds"].max()
    now = pace.filter(pl.col("ds") == origin)["pace"]
    scale = float(now[0]) if now.len() and now[0] is not None else 1.0
    week = ((pl.int_range(pl.len()) // _BUCKET_DAYS) + 1).clip(upper_bound=factors.height)
    point = point.with_columns(week.cast(pl.Int64).alias("horizon_week")).join(
        factors, on="horizon_week", how="left"
    )
    tags = [f"{lv:g}".replace(".", "_") for lv in level]
    return point.with_columns(
        col
        for t in tags
        for col in (
            (pl.col("mean") - pl.col(f"factor_{t}") * scale).clip(lower_bound=0).alias(f"lo_{t}"),
            (pl.col("mean") + pl.col(f"factor_{t}") * scale).alias(f"hi_{t}"),
        )
    ).drop("horizon_week", *(f"factor_{t}" for t in tags))
