"""Daily forecasts of contact volume (or contact rate) with calibrated prediction intervals.

How it works
------------
For each series (``unique_id``), :func:`forecast`

1. **rebuilds the calendar.** History is laid on a complete daily grid. Which weekdays the
   line is open is inferred from history, not assumed (a Sunday–Thursday week works as
   well as Monday–Friday): a weekday is closed when it is *quiet*, i.e. under half of its
   non-holiday days had contacts (more than 5% of the median day's) *and* its mean volume
   is under 25% of the busiest weekday's. So a half-day Friday or an evening-only Saturday
   stays open (with its own level), and so does every weekday of a rare contact reason
   whose open days are mostly zeros: a partial shift is staffed and must be forecast.
   A run of three weeks or more without contacts (months missing from an export) is
   missing data and is left out of this inference. Holiday by holiday (by name in the ``holidays``
   package, "(observed)" substitute days included), the public holidays it closes are
   inferred the same way: those quiet on their past dates on open weekdays.
   A holiday the history never saw on an open weekday is forecast as open, because an open
   day declared closed would get no forecast at all; the first two open days after it get
   the catch-up effects weighted by the chance that it closes after all (the share of the
   history's holidays that were closed, ``(closed + 1) / (holidays + 2)``). ``closed=``
   overrides all of this. Closed and missing days become ``NaN``; nothing is glued
   together, so a Monday stays seven days after the last Monday.
2. **fits candidate models** on that grid:

   ``uc``
       ``statsmodels`` ``UnobservedComponents``: local level + AR(1) + regressors for the
       open weekdays, the first and the second open day after a holiday closure (a backlog
       takes more than a day to clear), the first three and the last open day of the
       month, ten annual Fourier pairs when there are two or more years of history, and
       any extra columns of ``history``; plus holiday effects by name. The Kalman filter
       skips ``NaN`` days, so closed days cost nothing. Only the three smoothest annual
       pairs are filter states (their season moves with the level); the seven sharper ones
       (periods of 91 days or less: the end of a summer rush, the weeks around Christmas)
       are a fixed yearly profile, fitted by least squares on the training days beside the
       other regressors and a piecewise-linear trend with a knot a year, and subtracted
       before the filter runs. As states they would double the cost of every fit. The
       profile needs two years in the training window (otherwise only the three pairs
       are used).

       *Holiday effects.* Every holiday the line works has an effect of its own, and so do
       the three days before and after it (Christmas Eve, the day after Thanksgiving);
       "(observed)" days count as their holiday. A day's relative change is measured against
       the same weekday one to three weeks either side; a name's effect is its mean over
       the training history's open days, shrunk towards a default by how far it stands out
       of the day-to-day noise. A holiday seen on fewer than two open days, or never, gets
       the shared effect (the mean over every open holiday of the history); a nearby day's
       default is no effect. Effects are relative: the model is fitted to the history
       without them (outside the Kalman state, so a name costs no state) and its forecast of
       a day is multiplied by one plus the day's effect, so a holiday on a quiet weekday or
       in a quiet season moves less. They are learnt from each fit's own training days.
   ``uc_yearly``
       ``uc`` (without the Fourier terms) on the series divided by its yearly index: last
       year's 7-day centred mean over its 52-week centred mean, on the same weekday one to
       three years (of 52 weeks) back, averaged; the forecast is multiplied back. A season
       that collapses within days (the end of a summer rush, the Christmas closure) keeps its
       shape, step included, which Fourier pairs round off. Needs a year and a half of history
       and a horizon of at most 26 weeks (otherwise it drops out of the selection).
   ``ets``
       ``ETSModel``: additive errors, additive damped trend, additive weekly season. ETS
       cannot skip ``NaN``, so closed weekdays are filled with 0 (the season learns the
       closure) and holidays / missing open days with the same weekday's neighbouring
       weeks (linear interpolation within weekday).
   ``stl_ets``
       Robust STL weekly decomposition of the same filled series, damped-trend ETS on the
       seasonally adjusted series, plus the last week of the seasonal component (what
       ``STLForecast`` does).
   ``snaive``
       Seasonal naive: each weekday repeats its last (filled) value; the standard deviation
       of weekly differences, growing with the square root of the number of weeks ahead.
   ``combo``
       The mean of the ``uc``, ``ets`` and ``stl_ets`` forecasts (of ``ets`` and
       ``stl_ets`` when the oldest backtest window has under six weeks of training, ``uc``'s
       minimum). Its standard deviation is that of an equal mixture of the parts' forecast
       distributions: the mean of their variances plus the variance of their means, so
       their disagreement widens it (calibration rescales it to its own errors anyway). In
       the backtest it is not fitted: its rows in each window combine its parts' rows of
       that window, so it costs no fit; its parts are never dropped (below) while it is not
       clearly behind, so its MASE always pools as many windows as the others'. A part that
       fails is left out of every window; with fewer than two parts it fails like a model.
       Its final forecast fits the parts it combined in the backtest (only when chosen).
       ``models="auto"`` offers it on histories under a year only (52 weeks of calendar),
       where the selection below needs it; on the benchmark's seven longer series it changed
       little (``us/births`` 0.446 to 0.477 MASE, ``akl/k_road`` 0.750 to 0.743, the rest
       within 0.001) and kept ``ets`` and ``stl_ets`` from being dropped early, so it cost
       time for nothing. Name it in ``models`` to use it on a longer history.

3. **backtests them** on rolling origins (:func:`insights.backtest` uses the same
   code): ``windows`` origins, each forecasting the next ``horizon`` open days. With
   ``models="auto"`` the model with the lowest MASE (mean absolute error scaled by the
   in-sample weekly seasonal-naive error) is kept for that series; models within 2% of
   the lowest tie (four windows cannot tell them apart) and the first of them in
   :data:`MODELS` order is kept. On a history under a year (52 weeks of calendar) the
   windows are few, short and in one part of the year and the candidates near-tied, so the
   winner flips between origins: there a model after ``combo`` in :data:`MODELS` (``ets``,
   ``stl_ets``, ``snaive``) ranked first is kept only if it beats ``combo`` steadily, i.e.
   the mean over windows of the log ratio of its window MASE to ``combo``'s is more than two
   standard errors below zero, and ``uc`` ranked first only if its MASE is beyond the 2% tie
   below ``combo``'s; otherwise ``combo`` is kept (``prefer_steady``). To keep this cheap,
   a model's parameters (``uc``: three variances and the AR coefficient; ``ets`` and the ETS
   of ``stl_ets``: smoothing parameters and initial states) are estimated in the oldest
   window and every fourth after it; the windows in between rerun only the filter (and
   ``stl_ets`` its decomposition) on their longer history. After two windows a candidate
   whose MASE is more than 1.5 times the best one's is dropped (it is not run on the later
   windows; :func:`insights.backtest` still scores every model on every window). A
   ``uc`` fit starts from the same model fitted without regressors on OLS residuals (two
   states instead of a dozen or more) or from the series' previous ``uc`` fit.
4. **calibrates the intervals** (split-conformal style). Every model gives a mean and a
   standard deviation per day, hence a central interval ``mean ± z·sd``. On backtest days
   of the chosen model we compute, for each level, the ratios
   ``r = |actual − mean| / (z·sd)`` and take their empirical ``level`` quantile (with the
   conformal finite-sample correction ``⌈(n+1)·level⌉ / n``). The final half-widths are
   ``quantile × z·sd``: if the model's own 80% intervals covered only 60% of backtest days,
   they are widened until they would have covered 80%, and narrowed if they were too wide.
   Errors are not exchangeable over time, so two sets of backtest days are used and the
   larger quantile kept: the ``windows`` selection windows just before the origin (the
   current noise level) and every window whose held-out days fall in the 52 weeks before
   it (every season; as many as the history fits). The older windows of that year reuse
   the parameters fitted in the oldest selection window and rerun only the filter
   (``uc``, ``ets``, ``stl_ets``), so they cost about one model fit in all.
   Means and lower bounds are finally clipped at zero (volumes cannot be negative).
"""

from __future__ import annotations

import multiprocessing
import os
import warnings
from collections.abc import Collection, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing.context import BaseContext
from numbers import Integral
from typing import Literal

import numpy as np
import polars as pl

from insights._common import progress
from insights.errors import InsightsError, ParameterError, ShortHistoryWarning
from insights.forecasting._calibration import calibration_factors, older_windows
from insights.forecasting._evaluation import (
    MIN_HISTORY_OPEN_DAYS,
    PRUNE_AFTER,
    STEADY_UNDER_DAYS,
    Plan,
    plan_backtest,
    prefer_steady,
    required_open_days,
    rolling_origin,
    score,
    tag,
    z,
)
from insights.forecasting._models import (
    MODELS,
    ModelFailedError,
    fit_predict,
    one_blas_thread,
    rank_models,
)
from insights.forecasting._options import as_levels, check_options, check_windows, model_list
from insights.forecasting._series import (
    Series,
    future_grid,
    series_for,
    split,
    validate_history,
)

__all__ = ["MIN_HISTORY_OPEN_DAYS", "MODELS", "forecast"]


def forecast(
    history: pl.DataFrame | pl.LazyFrame,
    /,
    *,
    horizon: int,
    level: float | Sequence[float] = (80, 95),
    holidays: str | None = "GB",
    subdiv: str | None = None,
    models: str | Sequence[str] = "auto",
    closed: Literal["infer"] | Collection[int | str] = "infer",
    annual: int | Literal["auto"] = "auto",
    windows: int = 4,
    step: int | None = None,
    calibrate: bool = True,
    future: pl.DataFrame | None = None,
    n_jobs: int = 1,
) -> pl.DataFrame:
    """Forecast the next ``horizon`` open days of each series, with calibrated intervals.

    See the module docstring for the calendar handling, the candidate models, the
    rolling-origin selection and the conformal calibration of the intervals.

    Parameters
    ----------
    history
        ``ds`` (Date), ``y`` (contacts or a rate, ≥ 0; null or absent on closed days),
        optionally ``unique_id`` (one series each) and extra numeric regressor columns
        (used by the ``uc`` model; their future values come from ``future``).
    horizon
        Number of *open* days to forecast.
    level
        Central prediction-interval levels in percent; one level may be a number, and a
        fraction (``0.8``) means that percentage (80).
    holidays
        Country whose public holidays are closures or effects by name (see the module
        docstring); ``None`` for none.
    subdiv
        Holiday region (``None``: England and Wales for GB).
    models
        ``"auto"`` (pick per series among :data:`MODELS` by backtest MASE; ``combo`` only
        on a history under a year), one model name
        (always that model), or a list of names to pick from.
    closed
        ``"infer"`` (from history, holiday by holiday) or every closure, as ISO weekdays
        (1 = Monday … 7 = Sunday), ``"holidays"`` for every public holiday, and/or holiday
        names as the ``holidays`` package spells them (case ignored; "(observed)" days
        follow their holiday; :func:`insights.holiday_names` lists them). E.g.
        ``(7, "holidays")`` for a line shut on Sundays and public holidays, or
        ``(6, 7, "Christmas Day", "Boxing Day")`` for one that works the other holidays.
        Holidays not named are open.
    annual
        Number of annual Fourier pairs for ``uc``; ``"auto"``: 10 (as Prophet) with two or
        more years of history, else 0. Pairs above three form a least-squares profile and
        need two years of training (see the module docstring).
    windows, step
        Rolling-origin windows used for selection and calibration, ``step`` open days apart
        (default ``horizon``). Calibration also looks at the earlier windows of the 52 weeks
        before the origin, as many as the history fits.
    calibrate
        Rescale the intervals on the backtest errors (``False`` keeps the model's own).
    future
        Extra regressor values on the forecast days: ``ds``, regressors (and ``unique_id``).
    n_jobs
        Processes forecasting series in parallel (``-1``: one per CPU); ``1`` (default)
        forecasts them one after the other in this process. Each series is forecast
        independently, so the result does not depend on ``n_jobs``; the processes cost about
        a second each to start, so use them for many series (tens), not two.

    Returns
    -------
    pl.DataFrame
        ``unique_id`` (when given), ``ds``, ``model``, ``mean``, then ``lo_<level>`` and
        ``hi_<level>`` for each level (e.g. ``lo_80``, ``hi_80``, ``lo_95``, ``hi_95``) and
        ``short_history`` (see Warns), one row per series and forecast open day.

    Raises
    ------
    ParameterError
        Duplicate dates, negative or infinite ``y``, a bad ``horizon``, level (or one given
        twice), model name, ``closed`` entry (an unknown holiday name is reported with the
        valid names) or ``annual``. On any other valid history ``forecast`` does not raise
        (property-tested on odd working weeks, partial days, gaps, tiny and huge counts,
        rates, constant series and every country's holidays).
    InsufficientHistoryError
        The history has no rows, a series has fewer than :data:`MIN_HISTORY_OPEN_DAYS` (21)
        open days with data, or fewer than the one model asked for needs (six weeks for
        ``uc``, four for ``ets``).

    Warns
    -----
    ShortHistoryWarning
        A series has fewer open days than six weeks of training plus the ``windows``
        backtest windows (154 for ``horizon=28``, ``windows=4``). It is still forecast:
        selected among the candidates its history can fit (``snaive`` from two weeks,
        ``ets``, ``stl_ets`` and ``combo`` from four, ``uc`` from six) on as many backtest
        windows as fit, with intervals calibrated on them but never narrower than the
        model's own; its rows have ``short_history`` true.

    Examples
    --------
    >>> import numpy as np
    >>> days = pl.date_range(pl.date(2025, 1, 6), pl.date(2025, 6, 29), eager=True)
    >>> noise = np.random.default_rng(0).normal(0, 5, len(days))
    >>> hist = pl.DataFrame({"ds": days, "y": 100 + noise}).with_columns(
    ...     y=pl.when(pl.col("ds").dt.weekday() == 7).then(None).otherwise("y"))
    >>> fc = forecast(hist, horizon=6, models="snaive")
    >>> fc.columns
    ['ds', 'model', 'mean', 'lo_80', 'hi_80', 'lo_95', 'hi_95', 'short_history']
    >>> fc["ds"].dt.weekday().to_list()  # Sundays stay closed
    [1, 2, 3, 4, 5, 6]

    """
    level = as_levels(level)  # the notebook's 0.8 or 80 (entry-point normalisation only)
    check_options(horizon, level, models)
    frame = validate_history(history, who="forecast")
    step = check_windows(windows, step, horizon=horizon, who="forecast")
    horizon, windows = int(horizon), int(windows)  # numpy integers too
    candidates = model_list(models)
    auto = models == "auto" or (not isinstance(models, str) and "auto" in models)
    jobs = _check_jobs(n_jobs)
    options = _Options(
        horizon=horizon,
        level=tuple(level),
        candidates=candidates,
        auto=auto,
        windows=windows,
        step=step,
        calibrate=calibrate,
        holidays=holidays,
        subdiv=subdiv,
        closed=closed if isinstance(closed, str) else tuple(closed),
        annual=annual,
        future=future,
    )
    parts = split(frame)
    if jobs == 1 or len(parts) == 1:
        with one_blas_thread():
            out = [
                _series_forecast(uid, part, options)
                for uid, part in progress(parts, desc="forecast")
            ]
    else:
        out = _in_processes(parts, options, jobs)
    result = pl.concat(out)
    if "unique_id" not in frame.columns:
        result = result.drop("unique_id")
    return result


_MODEL_MODULES = (
    "statsmodels.tsa.statespace.structural",
    "statsmodels.tsa.exponential_smoothing.ets",
    "statsmodels.tsa.forecasting.stl",
)


@dataclass(frozen=True)
class _Options:
    """Everything a process needs to forecast one series (picklable)."""

    horizon: int
    level: tuple[float, ...]
    candidates: tuple[str, ...]
    auto: bool
    windows: int
    step: int
    calibrate: bool
    holidays: str | None
    subdiv: str | None
    closed: Literal["infer"] | Collection[int | str]
    annual: int | Literal["auto"]
    future: pl.DataFrame | None


def _check_jobs(n_jobs: object) -> int:
    if (
        isinstance(n_jobs, bool)
        or not isinstance(n_jobs, Integral)
        or (n_jobs < 1 and n_jobs != -1)
    ):
        msg = f"forecast: n_jobs={n_jobs!r} must be a positive whole number or -1 (every CPU)."
        raise ParameterError(msg)
    return (os.cpu_count() or 1) if n_jobs == -1 else int(n_jobs)


def _series_forecast(uid: str | None, part: pl.DataFrame, options: _Options, /) -> pl.DataFrame:
    series = series_for(
        part,
        uid,
        country=options.holidays,
        subdiv=options.subdiv,
        closed=options.closed,
        annual=options.annual,
        future=options.future,
    )
    return _forecast_one(
        series,
        horizon=options.horizon,
        level=options.level,
        candidates=options.candidates,
        auto=options.auto,
        windows=options.windows,
        step=options.step,
        calibrate=options.calibrate,
    )


def _in_processes(
    parts: list[tuple[str | None, pl.DataFrame]], options: _Options, jobs: int, /
) -> list[pl.DataFrame]:
    """Forecast the series in ``jobs`` processes; their warnings are re-raised here.

    Not forked from this process (polars' thread pool is not fork-safe): forked from a
    fork server that has imported the models once (started on first use, kept for later
    calls), or spawned where there is none. Series go out in submission order and come back
    in it, so the result is the one a single process gives.
    """
    context: BaseContext
    if "forkserver" in multiprocessing.get_all_start_methods():
        server = multiprocessing.get_context("forkserver")
        server.set_forkserver_preload([__name__, *_MODEL_MODULES])
        context = server
    else:  # pragma: no cover - Windows
        context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(jobs, len(parts)), mp_context=context) as pool:
        done = list(pool.map(_worker, parts, [options] * len(parts)))
    out = []
    for frame, caught in done:
        for message, category in caught:
            warnings.warn(message, category, stacklevel=4)
        out.append(frame)
    return out


def _worker(
    part: tuple[str | None, pl.DataFrame], options: _Options, /
) -> tuple[pl.DataFrame, list[tuple[str, type[Warning]]]]:
    with warnings.catch_warnings(record=True) as caught, one_blas_thread():
        warnings.simplefilter("always")
        frame = _series_forecast(part[0], part[1], options)
    return frame, [(str(w.message), w.category) for w in caught]


def _forecast_one(
    series: Series,
    /,
    *,
    horizon: int,
    level: Sequence[float],
    candidates: Sequence[str],
    auto: bool = False,
    windows: int,
    step: int,
    calibrate: bool,
) -> pl.DataFrame:
    if auto and series.grid.height >= STEADY_UNDER_DAYS:  # combo: short histories only
        candidates = [m for m in candidates if m != "combo"]
    need_backtest = calibrate or len(candidates) > 1
    plan = plan_backtest(
        series,
        horizon=horizon,
        candidates=candidates,
        windows=windows,
        step=step,
        backtest=need_backtest,
        who="forecast",
    )
    ranking = list(plan.candidates)
    bt: pl.DataFrame | None = None
    if need_backtest:
        bt = rolling_origin(
            series,
            models=plan.candidates,
            horizon=plan.horizon,
            windows=plan.windows,
            step=plan.step,
            strict=len(plan.candidates) == 1,
            min_train=plan.min_train,
            prune_after=PRUNE_AFTER,
        )
        scores = score(bt, level=level)
        ranking = rank_models(dict(zip(scores["model"], scores["mase"], strict=True)))
        if series.grid.height < STEADY_UNDER_DAYS:  # few, similar windows: see prefer_steady
            ranking = prefer_steady(bt, ranking)
        # the models dropped from the backtest (failed, or clearly behind) are last resorts,
        # and with no held-out data at all (a history ending in weeks of nulls) the
        # preference order decides
        ranking += [m for m in plan.candidates if m not in ranking]
    future = future_grid(series, horizon)
    pos = np.flatnonzero(future["open"].to_numpy())
    for name in ranking:
        try:
            mean, sd = fit_predict(series, name, series.grid, future)
        except ModelFailedError:
            if len(ranking) == 1:
                raise
            continue
        break
    else:
        msg = f"forecast: every candidate model failed on series {series.uid!r}."
        raise InsightsError(msg)
    mean, sd = mean[pos], sd[pos]
    cols: dict[str, object] = {
        "unique_id": series.uid,
        "ds": future["ds"].gather(pos),
        "model": name,
        "mean": np.clip(mean, 0, None),
    }
    factors = {lv: 1.0 for lv in level}
    if calibrate and bt is not None:
        recent = bt.filter(pl.col("model") == name)
        older = (
            None
            if plan.short
            else older_windows(series, name, horizon=horizon, windows=windows, step=step)
        )
        year = recent if older is None else pl.concat([older, recent])
        factors = calibration_factors(recent, year, level=level)
        if plan.short:  # few, short windows: never narrower than the model's own intervals
            factors = {lv: max(f, 1.0) for lv, f in factors.items()}
    if plan.short:
        _warn_short(series, name, plan, horizon=horizon, windows=windows, step=step)
    cols["short_history"] = plan.short
    halves, half = {}, np.zeros_like(sd)
    for lv in sorted(level):  # a wider level is never narrower (ties in the errors, rounding)
        halves[lv] = half = np.maximum(half, factors[lv] * z(lv) * sd)
    for lv in level:
        cols[f"lo_{tag(lv)}"] = np.clip(mean - halves[lv], 0, None)
        cols[f"hi_{tag(lv)}"] = np.clip(mean + halves[lv], 0, None)
    out = pl.DataFrame(cols, schema_overrides={"unique_id": pl.String}).select(
        pl.exclude("short_history"), "short_history"
    )
    if out.select(pl.col("^(mean|lo_.*|hi_.*)$").is_nan().any()).row(0).count(True):
        msg = f"forecast: non-finite forecast for series {series.uid!r}; please report this."
        raise InsightsError(msg)
    return out


def _warn_short(
    series: Series, name: str, plan: Plan, /, *, horizon: int, windows: int, step: int
) -> None:
    n_open = int(series.open.sum())
    msg = (
        f"forecast: series {series.uid!r} has {n_open} open days of history, fewer than the "
        f"{required_open_days(horizon, windows, step)} that {windows} backtest window(s) of "
        f"{horizon} open days need after six weeks of training. It was forecast with "
        f"{name!r}, chosen among {list(plan.candidates)} on {plan.windows} window(s) of "
        f"{plan.horizon} open days, with intervals no narrower than the model's own; its "
        "rows have short_history = true. Give more history for the full model selection."
    )
    warnings.warn(msg, ShortHistoryWarning, stacklevel=4)
