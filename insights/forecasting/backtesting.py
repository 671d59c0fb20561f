"""Rolling-origin backtests of the daily forecast models.

:func:`backtest` runs the exact code :func:`insights.forecast` uses to choose a model
and calibrate its intervals, on more windows, and reports the scores so a notebook can show
how much the chosen model beats the weekly seasonal naive forecast.

Each window ``w`` ends ``step`` open days after the previous one; the model is fitted on every
calendar day before the window's first held-out open day and forecasts the ``horizon`` open
days of the window. Metrics pool all held-out open days of all windows:

``mase``
    mean of ``|actual − forecast| / s``, where ``s`` is the in-sample mean absolute error of
    the weekly seasonal naive forecast (``y[t] − y[t−7]``) on that window's training days.
    Below 1 means better than a seasonal naive forecast would have been in sample.
``smape``
    mean of ``200·|a − f| / (|a| + |f|)`` in percent (0 when both are 0).
``rmse``
    root mean squared error, in the units of ``y``.
``coverage_<L>`` / ``width_<L>``
    share of days inside the model's *own* L% interval, and its mean width.
``calibrated_coverage_<L>``
    share of days inside the interval after the conformal rescaling that
    :func:`insights.forecast` applies, where each window is calibrated only on the
    windows before it, as a forecast made at that origin would be: the larger of the factors
    learnt from the 4 windows just before it and from those of the 52 weeks before it.
    Windows with fewer than 2 earlier windows are not counted; null when no window
    qualifies. (Here parameters are re-estimated every 4 windows, as in ``forecast``'s
    selection; ``forecast`` reruns the past year's older windows with the parameters of
    its oldest selection window.)
``mase_vs_snaive``
    ``mase`` divided by the seasonal naive model's ``mase`` in the same backtest (when
    ``snaive`` is among ``models``): 0.7 means 30% smaller errors than seasonal naive;
    null when seasonal naive made no error at all (a constant series).

Rows are sorted by ``mase``. On a history under a year :func:`insights.forecast` does not
always keep the first of them: it prefers ``combo`` unless the leader beats it steadily
(see the forecaster's module docstring), so compare with the ``model`` column of its result.
"""

from __future__ import annotations

import warnings
from collections.abc import Collection, Sequence
from datetime import timedelta
from typing import Literal

import numpy as np
import polars as pl

from insights._common import progress
from insights.errors import ShortHistoryWarning
from insights.forecasting._calibration import calibration_factors
from insights.forecasting._evaluation import (
    Plan,
    plan_backtest,
    required_open_days,
    rolling_origin,
    score,
    tag,
    z,
)
from insights.forecasting._models import MODELS, one_blas_thread
from insights.forecasting._options import as_levels, check_options, check_windows, model_list
from insights.forecasting._series import Series, series_for, split, validate_history

__all__ = ["backtest", "backtest_predictions"]

_CALIBRATION_RECENT = 4  # forecast()'s default selection windows
_CALIBRATION_YEAR = timedelta(weeks=52)
_CALIBRATION_MIN_WINDOWS = 2


def backtest_predictions(
    history: pl.DataFrame | pl.LazyFrame,
    /,
    *,
    horizon: int,
    windows: int,
    step: int | None = None,
    models: str | Sequence[str] = MODELS,
    holidays: str | None = "GB",
    subdiv: str | None = None,
    closed: Literal["infer"] | Collection[int | str] = "infer",
    annual: int | Literal["auto"] = "auto",
) -> pl.DataFrame:
    """Held-out forecasts of every model on every rolling-origin window.

    Parameters are those of :func:`backtest`.

    Returns
    -------
    pl.DataFrame
        ``unique_id`` (when given), ``model``, ``window`` (0 = oldest), ``ds``, ``y``,
        ``mean``, ``sd`` (the model's own forecast standard deviation), ``scale`` (the
        in-sample seasonal naive MAE used by MASE) and ``short_history`` (see
        :func:`backtest`), one row per held-out open day.

    Raises
    ------
    InsufficientHistoryError
        As for :func:`backtest`.

    Warns
    -----
    ShortHistoryWarning
        As for :func:`backtest`.

    Examples
    --------
    >>> import numpy as np
    >>> days = pl.date_range(pl.date(2025, 1, 6), pl.date(2025, 4, 27), eager=True)
    >>> hist = pl.DataFrame({"ds": days, "y": np.tile([9.0, 8, 7, 7, 6, 3, 2], 16)})
    >>> preds = backtest_predictions(hist, horizon=3, windows=2, models="snaive")
    >>> preds.select("window", "ds", "y", "mean")
    shape: (6, 4)
    ┌────────┬────────────┬─────┬──────┐
    │ window ┆ ds         ┆ y   ┆ mean │
    │ ---    ┆ ---        ┆ --- ┆ ---  │
    │ i32    ┆ date       ┆ f64 ┆ f64  │
    ╞════════╪════════════╪═════╪══════╡
    │ 0      ┆ 2025-04-22 ┆ 8.0 ┆ 8.0  │
    │ 0      ┆ 2025-04-23 ┆ 7.0 ┆ 7.0  │
    │ 0      ┆ 2025-04-24 ┆ 7.0 ┆ 7.0  │
    │ 1      ┆ 2025-04-25 ┆ 6.0 ┆ 6.0  │
    │ 1      ┆ 2025-04-26 ┆ 3.0 ┆ 3.0  │
    │ 1      ┆ 2025-04-27 ┆ 2.0 ┆ 2.0  │
    └────────┴────────────┴─────┴──────┘

    """
    check_options(horizon, (80,), models)
    frame = validate_history(history, who="backtest")
    step = check_windows(windows, step, horizon=horizon, who="backtest")
    horizon, windows = int(horizon), int(windows)  # numpy integers too
    parts = []
    candidates = model_list(models)
    with one_blas_thread():
        for uid, part in progress(split(frame), desc="backtest"):
            series = series_for(
                part,
                uid,
                country=holidays,
                subdiv=subdiv,
                closed=closed,
                annual=annual,
                future=None,
            )
            plan = plan_backtest(
                series,
                horizon=horizon,
                candidates=candidates,
                windows=windows,
                step=step,
                backtest=True,
                who="backtest",
            )
            if plan.short:
                _warn_short(series, plan, candidates, horizon=horizon, windows=windows, step=step)
            preds = rolling_origin(
                series,
                models=plan.candidates,
                horizon=plan.horizon,
                windows=plan.windows,
                step=plan.step,
                strict=False,
                min_train=plan.min_train,
            )
            parts.append(
                preds.with_columns(
                    pl.lit(uid, dtype=pl.String).alias("unique_id"),
                    pl.lit(plan.short).alias("short_history"),
                )
            )
    out = pl.concat(parts).select("unique_id", pl.exclude("unique_id"))
    return out if "unique_id" in frame.columns else out.drop("unique_id")


def _warn_short(
    series: Series,
    plan: Plan,
    candidates: Sequence[str],
    /,
    *,
    horizon: int,
    windows: int,
    step: int,
) -> None:
    n_open = int(series.open.sum())
    dropped = [m for m in candidates if m not in plan.candidates]
    msg = (
        f"backtest: series {series.uid!r} has {n_open} open days of history, fewer than the "
        f"{required_open_days(horizon, windows, step)} that {windows} window(s) of {horizon} "
        f"open days need after six weeks of training. It was backtested on {plan.windows} "
        f"window(s) of {plan.horizon} open days after {plan.min_train} open days of training, "
        f"with the models {list(plan.candidates)}"
        + (f" (too little history for {dropped})" if dropped else "")
        + "; its rows have short_history = true. Give more history for the full backtest."
    )
    warnings.warn(msg, ShortHistoryWarning, stacklevel=3)


def backtest(
    history: pl.DataFrame | pl.LazyFrame,
    /,
    *,
    horizon: int,
    windows: int,
    step: int | None = None,
    models: str | Sequence[str] = MODELS,
    level: float | Sequence[float] = (80, 95),
    holidays: str | None = "GB",
    subdiv: str | None = None,
    closed: Literal["infer"] | Collection[int | str] = "infer",
    annual: int | Literal["auto"] = "auto",
) -> pl.DataFrame:
    """Score each model (per series) on rolling-origin windows.

    Parameters
    ----------
    history
        As for :func:`insights.forecast`: ``ds``, ``y``, optional ``unique_id``.
    horizon
        Open days forecast from each origin.
    windows
        Number of origins.
    step
        Open days between consecutive origins (default ``horizon``: windows do not overlap).
    models
        Model names from :data:`insights.forecasting.forecaster.MODELS` (default: all).
    level
        Interval levels to score, in percent; one level may be a number, and a fraction
        (``0.8``) means that percentage (80).
    holidays, subdiv, closed, annual
        Calendar options, as for :func:`insights.forecast`.

    Returns
    -------
    pl.DataFrame
        ``unique_id`` (when given), ``model``, ``mase``, ``smape``, ``rmse``, then
        ``coverage_<L>`` for each level, ``width_<L>`` for each level, ``n_days``,
        ``calibrated_coverage_<L>`` for each level, ``mase_vs_snaive`` and
        ``short_history`` (see Warns); see the module docstring for definitions. Sorted by
        series and ``mase``.

    Raises
    ------
    InsufficientHistoryError
        A series has fewer than :data:`insights.forecasting.forecaster.MIN_HISTORY_OPEN_DAYS`
        (21) open days, or fewer than the simplest of ``models`` needs to fit (two weeks for
        ``snaive``, four for ``ets``, six for ``uc``) plus one week to score it on.

    Warns
    -----
    ShortHistoryWarning
        A series has fewer open days than six weeks of training plus the ``windows``
        windows (e.g. 98 for ``horizon=14, windows=4``). As :func:`insights.forecast`
        does, it is still backtested: on the models its history can fit, on as many windows
        (up to ``windows``) of up to ``horizon`` open days as fit after their training; its
        rows have ``short_history`` true.

    Examples
    --------
    >>> import numpy as np
    >>> days = pl.date_range(pl.date(2025, 1, 6), pl.date(2025, 6, 29), eager=True)
    >>> weekly = np.tile([130.0, 110, 100, 100, 95, 60, 40], 25)
    >>> noise = np.random.default_rng(1).normal(0, 5, len(days))
    >>> hist = pl.DataFrame({"ds": days, "y": weekly + noise})
    >>> scores = backtest(hist, horizon=7, windows=3, models=["snaive", "ets"])
    >>> scores.columns[:4]
    ['model', 'mase', 'smape', 'rmse']
    >>> scores.filter(pl.col("model") == "snaive")["mase_vs_snaive"].item()
    1.0

    """
    preds = backtest_predictions(
        history,
        horizon=horizon,
        windows=windows,
        step=step,
        models=models,
        holidays=holidays,
        subdiv=subdiv,
        closed=closed,
        annual=annual,
    )
    level = as_levels(level)  # the notebook's 0.8 or 80 (entry-point normalisation only)
    check_options(horizon, level, models)
    has_uid = "unique_id" in preds.columns
    if not has_uid:
        preds = preds.with_columns(pl.lit(None, dtype=pl.String).alias("unique_id"))
    short = preds.group_by("unique_id").agg(pl.col("short_history").any())
    preds = preds.drop("short_history")
    scores = score(preds, level=level)
    calibrated = _calibrated_coverage(preds, level=level)
    out = scores.join(calibrated, on=["unique_id", "model"], how="left", nulls_equal=True)
    naive = out.filter(pl.col("model") == "snaive").select(
        "unique_id", pl.col("mase").alias("_naive")
    )
    out = (
        out.join(naive, on="unique_id", how="left", nulls_equal=True)
        .with_columns(  # a perfect seasonal naive (a constant series) gives no ratio
            pl.when(pl.col("_naive") > 0)
            .then(pl.col("mase") / pl.col("_naive"))
            .alias("mase_vs_snaive")
        )
        .drop("_naive")
        .join(short, on="unique_id", how="left", nulls_equal=True)
        .sort("unique_id", "mase", nulls_last=True)
    )
    return out if has_uid else out.drop("unique_id")


def _calibrated_coverage(preds: pl.DataFrame, /, *, level: Sequence[float]) -> pl.DataFrame:
    """Coverage after sequential conformal calibration (each window uses earlier ones)."""
    rows: list[dict[str, object]] = []
    for key, part in preds.partition_by(["unique_id", "model"], as_dict=True).items():
        uid, model = key
        starts = part.group_by("window").agg(pl.col("ds").min().alias("start")).sort("window")
        hits: dict[float, list[bool]] = {lv: [] for lv in level}
        for w, start in starts.iter_rows():
            earlier = starts.filter(pl.col("window") < w)
            if earlier.height < _CALIBRATION_MIN_WINDOWS:
                continue
            recent = earlier.tail(_CALIBRATION_RECENT)["window"]
            year = earlier.filter(pl.col("start") >= start - _CALIBRATION_YEAR)["window"]
            factors = calibration_factors(
                part.filter(pl.col("window").is_in(recent.implode())),
                part.filter(pl.col("window").is_in(year.implode())),
                level=level,
            )
            now = part.filter(pl.col("window") == w)
            err = (now["y"] - now["mean"]).abs().to_numpy()
            for lv in level:
                inside = err <= factors[lv] * z(lv) * now["sd"].to_numpy()
                hits[lv].extend(inside.tolist())
        row: dict[str, object] = {"unique_id": uid, "model": model}
        for lv in level:
            row[f"calibrated_coverage_{tag(lv)}"] = float(np.mean(hits[lv])) if hits[lv] else None
        rows.append(row)
    schema: dict[str, pl.DataType] = {"unique_id": pl.String(), "model": pl.String()}
    schema |= {f"calibrated_coverage_{tag(lv)}": pl.Float64() for lv in level}
    return pl.DataFrame(rows, schema=schema)
