"""Customer growth: daily sign-ups, closures and open accounts, and their forecast.

The customer base is its own subject, beside spending and contacts: the contact-rate forecast
needs it as its denominator, and a growth team reads it on its own. The flow is the usual one::

    daily_accounts(customers, end=...)        the daily table: ds, signups, closures, open_accounts
    growth_series(daily, as_of=...)           → unique_id ("signups", "open_accounts"), ds, y
    growth_forecast(daily, horizon=...)       calibrated forecast of both series
    growth_backtest(daily, horizon=..., ...)  rolling-origin scores of the candidate models

The daily table can come from the raw ``customers`` contract (:func:`daily_accounts`, which
counts exactly as the ``accounts_daily`` mart does) or from that mart itself (its ``day``
is taken for ``ds``), so the forecast
never needs to read customer-level rows.

**Definitions** (local calendar days): a *sign-up* on day ``d`` is an account whose
``opened_at`` falls on ``d``; a *closure* one whose ``closed_at`` falls on ``d``; *open
accounts* on ``d`` are those opened on or before ``d`` and not closed on or before ``d``, so
``open_accounts[d] = open_accounts[d − 1] + signups[d] − closures[d]``. These are counts of
people: published tables suppress sign-ups and closures of 1–9 on a day.

**Forecast.** Both series go through :func:`insights.forecast` (candidate models picked by
rolling-origin MASE). Accounts exist every day, so open accounts are forecast on every
calendar day (``closed=()``); sign-ups infer their open weekdays and holidays like any demand
series (a branch-based bank may take none on Sundays). Sign-ups' intervals are calibrated as
``forecast`` calibrates any series; open accounts are a stock, whose errors grow with the
horizon and with its pace, so theirs are calibrated per horizon week in units of the weekly
pace (:func:`horizon_factors`, :func:`weekly_pace`).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Literal

import polars as pl

from insights._common import DEFAULT_TZ, parse_day, require_columns
from insights.errors import InsufficientHistoryError, ParameterError, ShortHistoryWarning

__all__ = [
    "GROWTH_SERIES",
    "PACE_DAYS",
    "daily_accounts",
    "growth_backtest",
    "growth_forecast",
    "growth_series",
    "horizon_factors",
    "suppress_small_accounts",
    "weekly_pace",
]


#: The series :func:`growth_series` builds, in order.
GROWTH_SERIES = ("signups", "open_accounts")
_COUNTS = ("signups", "closures", "open_accounts")
_TZ = DEFAULT_TZ


def daily_accounts(
    customers: pl.DataFrame | pl.LazyFrame,
    /,
    *,
    end: date | str,
    start: date | str | None = None,
    tz: str = _TZ,
) -> pl.DataFrame:
    """Sign-ups, closures and open accounts per local day, from the ``customers`` contract.

    The counting is the ``accounts_daily`` mart's (:func:`insights.accounts_daily`), so the
    report and the mart agree; this names its columns for the growth functions and cuts the
    days to ``[start, end]``.

    Parameters
    ----------
    customers
        Customers satisfying ``data_contracts/customers.yaml`` (``opened_at``,
        ``closed_at`` in UTC), or the ``accounts_daily`` mart itself (then only cut to
        ``[start, end]``: a report reads the mart, never raw customers).
    end
        Last day (inclusive). Accounts opened or closed after it are not seen.
    start
        First day; default the first day an account was opened. Accounts opened before it
        are counted in its ``open_accounts``.
    tz
        Time zone whose calendar defines the day.

    Returns
    -------
    pl.DataFrame
        ``ds`` (date), ``signups``, ``closures``, ``open_accounts`` (Int64), one row per day
        from ``start`` to ``end``.

    Raises
    ------
    ParameterError
        ``end`` before ``start``, or no account opened on or before ``end``.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> utc = timezone.utc
    >>> customers = pl.DataFrame({
    ...     "opened_at": [datetime(2025, 1, 1, 9, tzinfo=utc), datetime(2025, 1, 2, 9, tzinfo=utc),
    ...                   datetime(2025, 1, 2, 23, 30, tzinfo=utc)],  # 23:30 UTC = 23:30 GMT
    ...     "closed_at": [datetime(2025, 1, 3, 9, tzinfo=utc), None, None]})
    >>> daily_accounts(customers, end="2025-01-04")
    shape: (4, 4)
    ┌────────────┬─────────┬──────────┬───────────────┐
    │ ds         ┆ signups ┆ closures ┆ open_accounts │
    │ ---        ┆ ---     ┆ ---      ┆ ---           │
    │ date       ┆ i64     ┆ i64      ┆ i64           │
    ╞════════════╪═════════╪══════════╪═══════════════╡
    │ 2025-01-01 ┆ 1       ┆ 0        ┆ 1             │
    │ 2025-01-02 ┆ 2       ┆ 0        ┆ 3             │
    │ 2025-01-03 ┆ 0       ┆ 1        ┆ 2             │
    │ 2025-01-04 ┆ 0       ┆ 0        ┆ 2             │
    └────────────┴─────────┴──────────┴───────────────┘

    """
    from insights.reduce.contacts import accounts_daily  # noqa: PLC0415 - narwhals is heavy

    last = parse_day(end, name="end")
    names = customers.collect_schema().names()
    if "open_accounts" in names:  # already the accounts_daily mart: cut it, do not recount
        mart = _daily_table(customers, who="daily_accounts")
        mart_end = mart["ds"].max()
        if isinstance(mart_end, date) and last > mart_end:
            msg = (
                f"daily_accounts: end={last} is after the accounts_daily mart's last day "
                f"{mart_end!s}; pass an earlier end or re-run `insights reduce`."
            )
            raise ParameterError(msg)
    else:
        mart = _daily_table(accounts_daily(customers, end=last, tz=tz), who="daily_accounts")
    if mart.height == 0:
        msg = (
            f"daily_accounts: no account was opened on or before end={last}; "
            "pass a later end or check the customers file."
        )
        raise ParameterError(msg)
    first = mart["ds"].min() if start is None else parse_day(start, name="start")
    assert isinstance(first, date)
    if last < first:
        msg = f"daily_accounts: end={last} is before start={first}."
        raise ParameterError(msg)
    grid = pl.DataFrame({"ds": pl.date_range(first, last, eager=True)})
    return (
        grid.join(mart, on="ds", how="left")
        .with_columns(pl.col("signups", "closures", "open_accounts").fill_null(0))
        .select("ds", *(pl.col(c).cast(pl.Int64) for c in _COUNTS))
    )


def suppress_small_accounts(daily: pl.DataFrame, /, *, min_customers: int = 10) -> pl.DataFrame:
    """Blank out (null) each count of 1 to ``min_customers − 1`` people in the daily table.

    Sign-ups, closures and open accounts all count people; a day with 3 sign-ups must not be
    published.
    Zeros stay (nothing to disclose). Use it on what a report shows, not on what it forecasts
    from.

    Examples
    --------
    >>> daily = pl.DataFrame({"ds": [date(2025, 1, 1), date(2025, 1, 2)], "signups": [3, 12],
    ...                       "closures": [0, 1], "open_accounts": [8, 19]})
    >>> suppress_small_accounts(daily).rows()
    [(datetime.date(2025, 1, 1), None, 0, None), (datetime.date(2025, 1, 2), 12, None, 19)]

    """
    present = [c for c in _COUNTS if c in daily.columns]
    small = [pl.col(c).is_between(1, min_customers - 1) for c in present]
    return daily.with_columns(
        pl.when(is_small).then(None).otherwise(pl.col(c)).alias(c)
        for c, is_small in zip(present, small, strict=True)
    )


def _daily_table(daily: pl.DataFrame | pl.LazyFrame, /, *, who: str) -> pl.DataFrame:
    """Validate the daily table at the door; ``day`` is renamed ``ds`` (the mart's name)."""
    frame = daily.collect() if isinstance(daily, pl.LazyFrame) else daily
    mart = {"day": "ds"}  # the accounts_daily mart's name
    frame = frame.rename(
        {k: v for k, v in mart.items() if k in frame.columns and v not in frame.columns}
    )
    require_columns(
        frame,
        ["ds", "signups", "open_accounts"],
        who=who,
        what="the daily table",
        fix="Build it with insights.daily_accounts(customers, end=...) or read the "
        "accounts_daily mart.",
    )
    if frame.schema["ds"] != pl.Date:
        msg = f"{who}: column 'ds' is {frame.schema['ds']}, expected a date per row."
        raise ParameterError(msg)
    dupes = frame.filter(pl.col("ds").is_duplicated())
    if dupes.height:
        msg = (
            f"{who}: {dupes.height} rows share a day (first {dupes['ds'].min()!s}); the daily "
            "table has one row per day."
        )
        raise ParameterError(msg)
    return frame.sort("ds")


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
    denominator from here. Open accounts' intervals are ``mean ± factor(week) · pace``
    (:func:`horizon_factors` learnt on the backtest windows, :func:`weekly_pace` at the
    origin); sign-ups' are calibrated by :func:`insights.forecast`.

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
        Candidate models, as for :func:`insights.forecast` (``"auto"``: all, picked by
        backtest MASE).
    years, windows
        Years of history used; rolling-origin windows for model selection and calibration
        (each ``horizon`` days long, so a 13-week horizon needs about a year of history).

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
    return pl.concat(
        _stock_forecast(
            one, horizon=horizon, level=level, holidays=holidays, models=models, windows=windows
        )
        if closed == ()
        else forecast(
            one,
            horizon=horizon,
            level=level,
            holidays=holidays,
            closed=closed,
            models=models,
            windows=windows,
        )
        for one, closed in runs
    )


#: Days of weekly changes over which the pace of a stock is measured.
PACE_DAYS = 28
#: Forecast days (1–7, 8–14, …) that share one horizon calibration factor.
_BUCKET_DAYS = 7


def weekly_pace(history: pl.DataFrame, /, *, days: int = PACE_DAYS) -> pl.DataFrame:
    """How fast a stock moves: mean ``|y[t] − y[t−7]|`` over the ``days`` days to each day.

    The scale of a stock's forecast errors: open accounts that grow by 300 a week miss by
    more, 13 weeks ahead, than when they grew by 30. At least 1 (a stock standing still
    still moves by a unit now and then).

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
    predictions: pl.DataFrame, pace: pl.DataFrame, /, *, level: Sequence[float]
) -> pl.DataFrame:
    """Conformal interval half-widths per horizon week, in units of the stock's weekly pace.

    For each backtest day, ``r = |actual − forecast| / pace`` with the pace measured at the
    window's origin (:func:`weekly_pace`). Days 1–7 ahead share one factor, days 8–14 the
    next, and so on: the empirical L-quantile of their ``r`` with the finite-sample
    correction ``⌈(n+1)·L⌉ / n``, made non-decreasing with the horizon (a forecast is not
    surer further ahead).

    Parameters
    ----------
    predictions
        Held-out forecasts of one model (:func:`insights.backtest_predictions`): ``window``,
        ``ds``, ``y``, ``mean``.
    pace
        :func:`weekly_pace` of the history.
    level
        Interval levels in percent.

    Returns
    -------
    pl.DataFrame
        ``horizon_week`` (1 = days 1–7 ahead), ``factor_<L>`` per level (Float64).

    Examples
    --------
    Two windows, forecasts off by 1, 2, … on day 1, 2, … ahead, pace 1: the 80% factor
    of the first week is the second-largest of the 14 errors of days 1–7 (⌈15·0.8⌉ = 12th).

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
    │ 1            ┆ 6.0       │
    │ 2            ┆ 13.0      │
    └──────────────┴───────────┘

    """
    origins = pace.select((pl.col("ds") + timedelta(days=1)).alias("_start"), "pace")
    ratios = (
        predictions.with_columns(
            pl.col("ds").min().over("window").alias("_start"),
            ((pl.col("ds").rank("ordinal").over("window") - 1) // _BUCKET_DAYS + 1)
            .cast(pl.Int64)
            .alias("horizon_week"),
        )
        .join(origins, on="_start", how="left")
        .with_columns(((pl.col("y") - pl.col("mean")).abs() / pl.col("pace")).alias("_r"))
        .drop_nulls("_r")
    )
    n = pl.len()
    factors = ratios.group_by("horizon_week").agg(
        pl.col("_r")
        .sort()
        .get(((n + 1) * (lv / 100)).ceil().clip(upper_bound=n).cast(pl.Int64) - 1)
        .alias(f"factor_{lv:g}".replace(".", "_"))
        for lv in level
    )
    return factors.sort("horizon_week").with_columns(pl.exclude("horizon_week").cum_max())


def _stock_forecast(
    history: pl.DataFrame,
    /,
    *,
    horizon: int,
    level: Sequence[float],
    holidays: str | None,
    models: str | Sequence[str],
    windows: int,
) -> pl.DataFrame:
    """Forecast a stock (open accounts) with intervals calibrated per horizon week.

    A stock integrates its flows, so its forecast errors grow with the horizon, and with
    the pace it moves at (a trend change 13 weeks out costs 13 weeks of the new pace). The
    model is picked as :func:`insights.forecast` picks it (lowest backtest MASE), fitted
    without calibration, and its intervals set to ``mean ± factor(week) · pace``
    (:func:`horizon_factors`, :func:`weekly_pace` at the origin). Too little history for the
    full backtest windows: the forecast falls back to :func:`insights.forecast` as it is (with
    its short-history handling).
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
    pace = weekly_pace(history.drop("unique_id", strict=False))
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
    now = pace["pace"][-1]
    week = ((pl.int_range(pl.len()) // _BUCKET_DAYS) + 1).clip(upper_bound=factors.height)
    point = point.with_columns(week.cast(pl.Int64).alias("horizon_week")).join(
        factors, on="horizon_week", how="left"
    )
    tags = [f"{lv:g}".replace(".", "_") for lv in level]
    return point.with_columns(
        col
        for t in tags
        for col in (
            (pl.col("mean") - pl.col(f"factor_{t}") * now).clip(lower_bound=0).alias(f"lo_{t}"),
            (pl.col("mean") + pl.col(f"factor_{t}") * now).alias(f"hi_{t}"),
        )
    ).drop("horizon_week", *(f"factor_{t}" for t in tags))


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
    """Rolling-origin backtest of every candidate model on the growth series.

    Parameters are those of :func:`growth_forecast`; ``windows`` origins ``horizon`` days
    apart.

    Returns
    -------
    pl.DataFrame
        :func:`insights.backtest` output: ``unique_id``, ``model``, ``mase``, ``smape``,
        ``rmse``, coverage and width per level, ``n_days``, calibrated coverage and
        ``mase_vs_snaive``. Open accounts' ``calibrated_coverage_<L>`` are null: their
        intervals are calibrated per horizon week (:func:`horizon_factors`), not by the
        pooled factor that column measures; ``benchmarks/growth_coverage.py`` measures their
        coverage by horizon, and forecast tracking scores every published one.

    Examples
    --------
    >>> import numpy as np
    >>> days = pl.date_range(date(2025, 1, 1), date(2025, 6, 30), eager=True)
    >>> signups = np.random.default_rng(0).poisson(40, days.len())
    >>> daily = pl.DataFrame({"ds": days, "signups": signups}).with_columns(
    ...     open_accounts=10_000 + pl.col("signups").cum_sum())
    >>> scores = growth_backtest(daily, horizon=14, windows=2, holidays=None,
    ...                          series=["signups"], models=["snaive", "ets"])
    >>> sorted(scores["model"].to_list())
    ['ets', 'snaive']

    """
    from insights.forecasting.backtesting import backtest  # noqa: PLC0415 - statsmodels is heavy

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
            for one, closed in runs
        ),
        how="diagonal_relaxed",
    )
    return scores.with_columns(
        pl.when(pl.col("unique_id") != "open_accounts").then(pl.col(c)).alias(c)
        for c in scores.columns
        if c.startswith("calibrated_coverage_")
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
