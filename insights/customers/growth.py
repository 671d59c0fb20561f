"""Customer growth: the forecast and backtest of daily sign-ups and open accounts.

The customer base is its own subject, beside spending and contacts: the contact-rate forecast
needs it as its denominator, and a growth team reads it on its own. The flow is the usual one::

    daily_accounts(customers, end=...)        the daily table: ds, signups, closures, open_accounts
    growth_series(daily, as_of=...)           → unique_id ("signups", "open_accounts"), ds, y
    growth_forecast(daily, horizon=...)       calibrated forecast of both series
    growth_backtest(daily, horizon=..., ...)  rolling-origin scores of what is published and of
                                              the candidate models

The package's modules: :mod:`~insights.customers.accounts` (the daily table and its
definitions), :mod:`~insights.customers.series` (the long series), :mod:`~insights.customers.pace`
(the stock's pace, and the per-week factors of the model-based forecast it replaced),
:mod:`~insights.customers.stock` (open accounts' forecast) and this one.

**Forecast.** Sign-ups go through :func:`insights.forecast` (candidate models picked by
rolling-origin MASE, open weekdays and holidays inferred like any demand series; a
branch-based bank may take none on Sundays). Open accounts are a stock, forecast on every
calendar day as today's stock plus the cumulative forecast of its net daily flows, with
intervals calibrated per day ahead on every past origin (:func:`open_accounts_forecast`): the
candidate models' damped trends flattened a growing stock, with 3 to 6 times a 28-day drift's
error (``benchmarks/growth_coverage.py``). With too little history for that calibration open
accounts fall back to :func:`insights.forecast` and its short-history handling.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl

from insights._common import progress
from insights.customers.accounts import _daily_table
from insights.customers.series import GROWTH_SERIES, _Closed, _per_series
from insights.customers.stock import MIN_ORIGINS, PROFILE_DAYS, open_accounts_forecast
from insights.errors import InsufficientHistoryError

__all__ = ["growth_backtest", "growth_forecast"]


def growth_forecast(
    daily: pl.DataFrame | pl.LazyFrame,
    /,
    *,
    horizon: int,
    as_of: date | str | None = None,
    level: Sequence[float] = (80, 95),
    holidays: str | None = "GB",
    series: Sequence[str] = GROWTH_SERIES,
    models: str | Sequence[str] = "auto",
    years: int = 3,
    windows: int = 4,
) -> pl.DataFrame:
    """Forecast daily sign-ups and open accounts ``horizon`` days ahead, calibrated.

    This is the one source of the open-accounts forecast: the contact-rate report takes its
    denominator from here. Open accounts are :func:`open_accounts_forecast` (the stock plus
    its summed forecast flows, intervals calibrated per day ahead on every past origin;
    ``model`` ``"flows"``), or :func:`insights.forecast` when the history is too short for
    that calibration; sign-ups are :func:`insights.forecast`.

    Parameters
    ----------
    daily
        :func:`daily_accounts` output or the accounts mart (see :func:`growth_series`).
    horizon
        Days to forecast (weeks to months: 7 to 366). Open accounts are forecast on every
        calendar day; sign-ups on their open days (every day unless history shows closures).
    as_of
        Last day of history (default: the table's last day).
    level
        Central interval levels in percent.
    holidays
        Country whose public holidays enter the models (``None``: none).
    series
        Which of :data:`GROWTH_SERIES` to forecast.
    models
        Sign-ups' candidate models, as for :func:`insights.forecast` (``"auto"``: all, picked
        by backtest MASE); open accounts' too when they fall back to it.
    years, windows
        Years of history used; sign-ups' rolling-origin windows for model selection and
        calibration (each ``horizon`` days long, so a 13-week horizon needs about a year).

    Returns
    -------
    pl.DataFrame
        ``unique_id``, ``ds``, ``model``, ``mean``, ``lo_<L>``, ``hi_<L>`` (as
        :func:`insights.forecast`), one row per series and forecast day.

    Raises
    ------
    InsufficientHistoryError
        Too little history for the horizon and windows; the message says how much.

    Examples
    --------
    >>> import numpy as np
    >>> days = pl.date_range(date(2025, 1, 1), date(2025, 6, 30), eager=True)
    >>> signups = np.random.default_rng(0).poisson(40, days.len())
    >>> daily = pl.DataFrame({"ds": days, "signups": signups}).with_columns(
    ...     open_accounts=10_000 + pl.col("signups").cum_sum())
    >>> fc = growth_forecast(daily, horizon=14, holidays=None, models="snaive", windows=2)
    >>> fc.group_by("unique_id").len().sort("unique_id").rows()
    [('open_accounts', 14), ('signups', 14)]
    >>> fc.filter(pl.col("unique_id") == "open_accounts")["mean"].is_between(15_000, 20_000).all()
    True

    """
    from insights.forecasting.forecaster import forecast  # noqa: PLC0415 - statsmodels is heavy

    runs = _per_series(
        daily, who="growth_forecast", horizon=horizon, as_of=as_of, years=years, series=series
    )
    table = _daily_table(daily, who="growth_forecast")
    span = table.filter(pl.col("ds").is_between(runs[0][0]["ds"].min(), runs[0][0]["ds"].max()))

    def one_series(one: pl.DataFrame, closed: _Closed) -> pl.DataFrame:
        if closed == ():  # open accounts: the stock, from its flows
            try:
                stock = open_accounts_forecast(span, horizon=horizon, level=level)
            except InsufficientHistoryError:  # forecast's short-history handling says so
                pass
            else:
                return stock.select(
                    pl.lit("open_accounts").alias("unique_id"),
                    pl.all(),
                    pl.lit(value=False).alias("short_history"),
                )
        return forecast(
            one,
            horizon=horizon,
            level=level,
            holidays=holidays,
            closed=closed,
            models=models,
            windows=windows,
        )

    return pl.concat(
        one_series(one, closed) for one, closed in progress(runs, desc="growth forecast")
    )


def growth_backtest(
    daily: pl.DataFrame | pl.LazyFrame,
    /,
    *,
    horizon: int,
    windows: int = 4,
    as_of: date | str | None = None,
    level: Sequence[float] = (80, 95),
    holidays: str | None = "GB",
    series: Sequence[str] = GROWTH_SERIES,
    models: str | Sequence[str] = "auto",
    years: int = 3,
) -> pl.DataFrame:
    """Rolling-origin backtest of the growth forecasts: the published one and the candidates.

    Each series' candidate models are scored by :func:`insights.backtest`. Open accounts
    also get the forecast :func:`growth_forecast` publishes for them, model ``"flows"``
    (:func:`open_accounts_forecast`), made from each window's origin with its own intervals
    (calibrated on the errors known at that origin) and scored on the same days: the
    candidates are what it is compared with. A window without enough history before it
    for the flows forecast is left out of its row (``n_days`` says how many days count);
    without enough history at ``as_of`` there is no flows row, as :func:`growth_forecast`
    then publishes the candidates' forecast.

    Parameters are those of :func:`growth_forecast`; ``windows`` origins ``horizon`` days
    apart.

    Returns
    -------
    pl.DataFrame
        :func:`insights.backtest` output: ``unique_id``, ``model``, ``mase``, ``smape``,
        ``rmse``, ``coverage_<L>`` and ``width_<L>`` per level, ``n_days``,
        ``calibrated_coverage_<L>``, ``mase_vs_snaive``, ``short_history``; sorted by series
        and ``mase``. The flows row's coverage is that of the intervals it publishes, so its
        ``calibrated_coverage_<L>`` is the same; the open-accounts candidates' is null (it
        measures :func:`insights.forecast`'s pooled calibration, which they are not
        published with).

    Examples
    --------
    >>> import numpy as np
    >>> days = pl.date_range(date(2025, 1, 1), date(2025, 6, 30), eager=True)
    >>> signups = np.random.default_rng(0).poisson(40, days.len())
    >>> daily = pl.DataFrame({"ds": days, "signups": signups}).with_columns(
    ...     open_accounts=10_000 + pl.col("signups").cum_sum())
    >>> scores = growth_backtest(daily, horizon=14, windows=2, holidays=None,
    ...                          models=["snaive", "ets"])
    >>> scores.select("unique_id", "model", "n_days").sort("unique_id", "model").rows()
    ... # doctest: +NORMALIZE_WHITESPACE
    [('open_accounts', 'ets', 28), ('open_accounts', 'flows', 28),
     ('open_accounts', 'snaive', 28), ('signups', 'ets', 28), ('signups', 'snaive', 28)]

    """
    from insights.forecasting.backtesting import (  # noqa: PLC0415 - statsmodels is heavy
        backtest,
        backtest_predictions,
    )

    runs = _per_series(
        daily, who="growth_backtest", horizon=horizon, as_of=as_of, years=years, series=series
    )
    scores = pl.concat(
        (
            backtest(
                one,
                horizon=horizon,
                windows=windows,
                level=level,
                holidays=holidays,
                closed=closed,
                models=models,
            )
            for one, closed in progress(runs, desc="growth backtest")
        ),
        how="diagonal_relaxed",
    ).with_columns(
        pl.when(pl.col("unique_id") != "open_accounts").then(pl.col(c)).alias(c)
        for c in _calibrated(level)
    )
    stock = [one for one, closed in runs if closed == ()]
    if not stock:
        return scores
    table = _daily_table(daily, who="growth_backtest")
    span = table.filter(pl.col("ds").is_between(stock[0]["ds"].min(), stock[0]["ds"].max()))
    if span.height < PROFILE_DAYS + horizon + MIN_ORIGINS:  # growth_forecast falls back
        return scores
    days = backtest_predictions(
        stock[0], horizon=horizon, windows=windows, models="snaive", holidays=holidays, closed=()
    )
    flows = _flows_scores(span, days, level=level)
    naive = scores.filter((pl.col("unique_id") == "open_accounts") & (pl.col("model") == "snaive"))
    flows = flows.with_columns(
        pl.lit("open_accounts").alias("unique_id"),
        (pl.col("mase") / (naive["mase"].item() if naive.height else None)).alias("mase_vs_snaive"),
        pl.lit(value=False).alias("short_history"),
    )
    return pl.concat([scores, flows], how="diagonal_relaxed").sort(
        "unique_id", "mase", nulls_last=True, maintain_order=True
    )


def _flows_scores(
    span: pl.DataFrame, days: pl.DataFrame, /, *, level: Sequence[float]
) -> pl.DataFrame:
    """Score the flows forecast made at each window's origin on the window's days.

    ``span`` is the daily table; ``days`` the held-out days of each window with their
    ``y`` and MASE ``scale`` (:func:`insights.backtest_predictions`). One row, named as
    :func:`insights.backtest`'s columns (``model`` ``"flows"``).
    """
    scored = []
    for part in days.partition_by("window", maintain_order=True):
        first = part["ds"].min()
        assert isinstance(first, date)
        known = span.filter(pl.col("ds") < first)
        try:
            fc = open_accounts_forecast(known, horizon=part.height, level=level)
        except InsufficientHistoryError:  # an early window: too little history before it
            continue
        scored.append(part.select("ds", "y", "scale").join(fc, on="ds", how="inner"))
    tags = [f"{lv:g}".replace(".", "_") for lv in level]
    frame = (
        pl.concat(scored)
        if scored
        else pl.DataFrame(
            schema={"ds": pl.Date, "y": pl.Float64, "scale": pl.Float64, "mean": pl.Float64}
            | {f"{b}_{t}": pl.Float64 for t in tags for b in ("lo", "hi")}
        )
    )
    err = pl.col("y") - pl.col("mean")
    total = pl.col("y").abs() + pl.col("mean").abs()
    inside = {t: pl.col("y").is_between(pl.col(f"lo_{t}"), pl.col(f"hi_{t}")).mean() for t in tags}
    return frame.select(
        pl.lit("flows").alias("model"),
        (err.abs() / pl.col("scale")).mean().alias("mase"),
        pl.when(total > 0).then(200 * err.abs() / total).otherwise(0.0).mean().alias("smape"),
        (err**2).mean().sqrt().alias("rmse"),
        *(inside[t].alias(f"coverage_{t}") for t in tags),
        *((pl.col(f"hi_{t}") - pl.col(f"lo_{t}")).mean().alias(f"width_{t}") for t in tags),
        pl.len().alias("n_days"),
        *(inside[t].alias(f"calibrated_coverage_{t}") for t in tags),
    )


def _calibrated(level: Sequence[float]) -> list[str]:
    return [f"calibrated_coverage_{lv:g}".replace(".", "_") for lv in level]
