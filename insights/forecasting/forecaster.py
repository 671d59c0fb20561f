"""Daily forecasts of contact volume (or contact rate) with calibrated prediction intervals.

How it works
------------
For each series (``unique_id``), :func:`forecast`

1. **rebuilds the calendar.** History is laid on a complete daily grid. Which weekdays the
   line is open is inferred from history (a weekday is open when at least half of its
   non-holiday days had contacts, i.e. more than 5% of the median day's), and so is,
   holiday by holiday (by name in the ``holidays`` package, "(observed)" substitute days
   included), which public holidays it closes: those with contacts on fewer than half of
   their dates on open weekdays.
   A holiday the history never saw on an open weekday is forecast as open, because an open
   day declared closed would get no forecast at all; the first open day after it gets the
   catch-up effect weighted by the chance that it closes after all (the share of the
   history's holidays that were closed, ``(closed + 1) / (holidays + 2)``). ``closed=``
   overrides all of this. Closed and missing days become ``NaN``; nothing is glued
   together, so a Monday stays seven days after the last Monday.
2. **fits candidate models** on that grid:

   ``uc``
       ``statsmodels`` ``UnobservedComponents``: local level + AR(1) + regressors for the
       open weekdays, holidays (one shift for every holiday the line works, learnt from
       the open ones; closed ones are ``NaN``), the first open day after a holiday closure,
       the first/last open day of the month, annual Fourier terms when there are two or
       more years of history, and any extra columns of ``history``. The Kalman filter
       skips ``NaN`` days, so closed days cost nothing.
   ``ets``
       ``ETSModel``: additive errors, additive damped trend, additive weekly season. ETS
       cannot skip ``NaN``, so closed weekdays are filled with 0 (the season learns the
       closure) and holidays / missing open days with the same weekday's neighbouring
       weeks (linear interpolation within weekday).
   ``stl_ets``
       ``STLForecast``: STL weekly decomposition, damped-trend ETS on the adjusted series,
       on the same filled series.
   ``snaive``
       Seasonal naive: each weekday repeats its last (filled) value; the standard deviation
       of weekly differences, growing with the square root of the number of weeks ahead.

3. **backtests them** on rolling origins (:func:`insights.backtest` uses the same
   code): ``windows`` origins, each forecasting the next ``horizon`` open days. With
   ``models="auto"`` the model with the lowest MASE (mean absolute error scaled by the
   in-sample weekly seasonal-naive error) is kept for that series.
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
   (``uc``, ``ets``), so they cost about one model fit in all.
   Means and lower bounds are finally clipped at zero (volumes cannot be negative).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

import numpy as np
import numpy.typing as npt
import polars as pl
from scipy import stats

from insights.errors import InsightsError, InsufficientHistoryError, ParameterError
from insights.forecasting.regressors import (
    _NAME_YEARS,
    _holiday_table,
    _unknown_holidays,
    calendar_features,
    public_holidays,
)

__all__ = ["MODELS", "forecast", "synthetic_daily"]

#: Candidate models, in order of preference when backtest scores tie.
MODELS: tuple[str, ...] = ("uc", "ets", "stl_ets", "snaive")

FloatArray = npt.NDArray[np.float64]

_MIN_TRAIN_OPEN_DAYS = 42  # six weeks of open days to fit a weekly model
_STRAY_SHARE = 0.05  # a day with under 5% of a typical day's contacts was closed
_FUTURE_PAD_DAYS = 21
_KEY_COLUMNS = ("unique_id", "ds", "y")


@dataclass(frozen=True)
class _Spec:
    """Calendar of one series: what is open, which regressors exist."""

    closed_weekdays: tuple[int, ...]
    holidays_closed: bool | tuple[str, ...]  # every holiday, none, or these names
    country: str | None
    subdiv: str | None
    annual: int
    regressors: tuple[str, ...]
    # inferred closures only: holidays seen on open weekdays of the history, and the chance
    # that one never seen is closed after all (weights the catch-up on the day after it)
    seen_holidays: tuple[str, ...] = ()
    unseen_closed: float = 0.0


@dataclass
class _Series:
    """One series on its complete daily grid (closed and missing days are NaN)."""

    uid: str | None
    spec: _Spec
    grid: pl.DataFrame  # ds, y (NaN on closed/missing), open, calendar features, regressors
    future: pl.DataFrame | None = None  # extra regressor values after the history
    warm: dict[str, FloatArray] = field(default_factory=dict)  # last fit's parameters
    anchor: dict[str, FloatArray] = field(default_factory=dict)  # oldest backtest fit's

    @property
    def y(self) -> FloatArray:
        return self.grid["y"].to_numpy().astype(np.float64)

    @property
    def open(self) -> npt.NDArray[np.bool_]:
        return self.grid["open"].to_numpy()


# --------------------------------------------------------------------------- validation


def _z(level: float) -> float:
    return float(stats.norm.ppf(0.5 + level / 200))


def _check_options(horizon: object, level: Sequence[float], models: str | Sequence[str]) -> None:
    if isinstance(horizon, bool) or not isinstance(horizon, int) or horizon < 1:
        msg = f"horizon={horizon!r} must be a positive whole number of open days, e.g. 28."
        raise ParameterError(msg)
    if not level or any(not 0 < lv < 100 for lv in level):
        msg = f"level={tuple(level)!r}: each level must be a percentage strictly between 0 and 100."
        raise ParameterError(msg)
    names = [models] if isinstance(models, str) else list(models)
    unknown = [m for m in names if m not in (*MODELS, "auto")]
    if unknown or not names:
        msg = f"models={models!r}: unknown model(s) {unknown}; choose from 'auto' or {MODELS}."
        raise ParameterError(msg)


def _check_windows(windows: int, step: int | None, /, *, horizon: int, who: str) -> int:
    """Check the rolling-origin options; return ``step`` (``horizon`` when not given)."""
    step = horizon if step is None else step
    if any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in (windows, step)):
        msg = f"{who}: windows={windows!r} and step={step!r} must be positive whole numbers."
        raise ParameterError(msg)
    return step


def _model_list(models: str | Sequence[str]) -> tuple[str, ...]:
    if models == "auto":
        return MODELS
    if isinstance(models, str):
        return (models,)
    return tuple(MODELS if "auto" in models else models)


def _validate_history(history: pl.DataFrame | pl.LazyFrame, /, *, who: str) -> pl.DataFrame:
    frame = history.collect() if isinstance(history, pl.LazyFrame) else history
    missing = [c for c in ("ds", "y") if c not in frame.columns]
    if missing:
        msg = f"{who}: history lacks column(s) {missing}; it needs `ds` (Date) and `y` (numeric)."
        raise ParameterError(msg)
    if frame.schema["ds"] != pl.Date:
        msg = (
            f"{who}: `ds` is {frame.schema['ds']}, not Date; convert local timestamps to "
            "local calendar days first, e.g. pl.col('created_at').dt.convert_time_zone(tz)"
            ".dt.date()."
        )
        raise ParameterError(msg)
    if not frame.schema["y"].is_numeric():
        msg = f"{who}: `y` is {frame.schema['y']}; it must be numeric."
        raise ParameterError(msg)
    frame = frame.with_columns(pl.col("y").cast(pl.Float64).fill_nan(None))
    if "unique_id" in frame.columns:
        frame = frame.with_columns(pl.col("unique_id").cast(pl.String))
    keys = ["unique_id", "ds"] if "unique_id" in frame.columns else ["ds"]
    dupes = frame.filter(pl.len().over(keys) > 1)
    if dupes.height:
        example = dupes.select(keys).head(3).to_dicts()
        msg = (
            f"{who}: {dupes.height} rows share a date within a series (e.g. {example}); "
            "aggregate to one row per series and day first."
        )
        raise ParameterError(msg)
    negative = frame.filter(pl.col("y") < 0)
    if negative.height:
        example = negative.select(*keys, "y").head(3).to_dicts()
        msg = (
            f"{who}: {negative.height} rows have negative y (e.g. {example}); contact "
            "counts and rates cannot be negative, so fix the aggregation upstream."
        )
        raise ParameterError(msg)
    if frame.filter(pl.col("ds").is_null()).height:
        msg = f"{who}: `ds` has nulls; every row needs a date."
        raise ParameterError(msg)
    return frame


def _parse_closed(
    closed: Literal["infer"] | Collection[int | str],
    /,
    *,
    country: str | None,
    subdiv: str | None,
    years: range,
) -> tuple[tuple[int, ...] | None, bool | tuple[str, ...] | None]:
    """``(weekdays, holidays)`` from ``closed``; ``None`` for "infer from history"."""
    if closed == "infer":
        return None, None
    example = "closed=(6, 7, 'holidays') or closed=(7, 'Christmas Day', 'Boxing Day')"
    if isinstance(closed, str):
        msg = f"closed={closed!r}: pass 'infer' or a collection, e.g. {example}."
        raise ParameterError(msg)
    weekdays = tuple(sorted({c for c in closed if isinstance(c, int) and not isinstance(c, bool)}))
    names = {c for c in closed if isinstance(c, str)} - {"holidays"}
    others = [c for c in closed if not isinstance(c, (int, str)) or isinstance(c, bool)]
    if others or any(not 1 <= d <= 7 for d in weekdays):
        msg = (
            f"closed={closed!r}: use ISO weekdays 1 (Monday) … 7 (Sunday), the word "
            f"'holidays' (every public holiday) and/or holiday names, e.g. {example}."
        )
        raise ParameterError(msg)
    if "holidays" in closed:
        return weekdays, True
    if names and country is None:
        msg = (
            f"closed={closed!r} names holidays {sorted(names)}, but holidays=None gives no "
            "holiday calendar; pass the country, e.g. holidays='GB'."
        )
        raise ParameterError(msg)
    if names:
        unknown, valid = _unknown_holidays(names, years, country=country, subdiv=subdiv)
        if unknown:
            msg = (
                f"closed={closed!r}: {unknown} are not public holidays of {country}"
                + (f" ({subdiv})" if subdiv else "")
                + f" in {years.start}–{years.stop - 1}. Valid names: {valid}; "
                "or 'holidays' for all of them."
            )
            raise ParameterError(msg)
    return weekdays, tuple(sorted(names))


# --------------------------------------------------------------------------- calendar


def _infer_spec(
    frame: pl.DataFrame,
    /,
    *,
    closed: Literal["infer"] | Collection[int | str],
    country: str | None,
    subdiv: str | None,
    annual: int | Literal["auto"],
    regressors: tuple[str, ...],
) -> _Spec:
    first, last = frame["ds"].min(), frame["ds"].max()
    assert isinstance(first, date) and isinstance(last, date)
    grid = (
        pl.DataFrame({"ds": pl.date_range(first, last, eager=True)})
        .join(frame.select("ds", "y"), on="ds", how="left")
        .with_columns(_worked().alias("worked"))
    )
    feats = calendar_features(grid, country=country, subdiv=subdiv)
    weekdays, hol_closed = _parse_closed(
        closed,
        country=country,
        subdiv=subdiv,
        years=range(first.year - _NAME_YEARS, last.year + _NAME_YEARS + 1),
    )
    if weekdays is None:
        share = (
            feats.filter(pl.col("holiday") == 0)
            .group_by(pl.col("ds").dt.weekday().alias("wd"))
            .agg(pl.col("worked").mean().alias("share"))
        )
        weekdays = tuple(sorted(share.filter(pl.col("share") < 0.5)["wd"].to_list()))
        if len(weekdays) == 7:
            weekdays = ()
    seen: tuple[str, ...] = ()
    unseen_closed = 0.0
    if hol_closed is None:
        hol_closed, seen, unseen_closed = _closed_holidays(
            grid, weekdays, country=country, subdiv=subdiv
        )
    if annual == "auto":
        annual = 3 if (last - first).days + 1 >= 730 else 0
    return _Spec(
        weekdays,
        hol_closed,
        country,
        subdiv,
        int(annual),
        regressors,
        seen_holidays=seen,
        unseen_closed=unseen_closed,
    )


def _worked() -> pl.Expr:
    """Flag days with contacts: ``y`` above 5% of the median day that had any.

    Stray contacts logged on a closed day (a callback, a late email) do not make it open.
    """
    typical = pl.col("y").filter(pl.col("y") > 0).median()
    return (pl.col("y") > _STRAY_SHARE * typical).fill_null(value=False)


def _closed_holidays(
    grid: pl.DataFrame, weekdays: tuple[int, ...], /, *, country: str | None, subdiv: str | None
) -> tuple[tuple[str, ...], tuple[str, ...], float]:
    """Infer the closed holidays, those seen, and the chance that an unseen one is closed.

    A holiday (by name) is closed when fewer than half of its past dates on open weekdays had
    contacts (``worked``). One that never fell on an open weekday of the history is taken as open:
    a closed day forecast as open costs a forecast nobody uses, an open day declared closed
    gets no forecast at all. The chance that it is closed after all is the share of the
    history's holiday dates that were closed, with a uniform prior:
    ``(closed + 1) / (dates + 2)``.
    """
    dates = (
        _holiday_table(grid, country=country, subdiv=subdiv)
        .join(grid.select("ds", "worked"), on="ds")  # dates inside the history only
        .filter(~pl.col("ds").dt.weekday().is_in(weekdays))
        .with_columns(pl.col("worked").cast(pl.Float64).alias("open"))
    )
    per_name = dates.group_by("name").agg(pl.col("open").mean())
    closed = tuple(sorted(per_name.filter(pl.col("open") < 0.5)["name"].to_list()))
    seen = tuple(sorted(per_name["name"].to_list()))
    n_closed = dates.select(pl.col("ds").filter(pl.col("open") == 0).n_unique()).item()
    n_dates = dates["ds"].n_unique()
    return closed, seen, (n_closed + 1) / (n_dates + 2)


def _features(frame: pl.DataFrame, spec: _Spec) -> pl.DataFrame:
    return calendar_features(
        frame,
        country=spec.country,
        subdiv=spec.subdiv,
        annual=spec.annual,
        closed_weekdays=spec.closed_weekdays,
        holidays_closed=spec.holidays_closed,
    )


def _prepare(frame: pl.DataFrame, spec: _Spec, uid: str | None) -> _Series:
    first, last = frame["ds"].min(), frame["ds"].max()
    assert isinstance(first, date) and isinstance(last, date)
    grid = pl.DataFrame({"ds": pl.date_range(first, last, eager=True)}).join(
        frame.select("ds", "y", *spec.regressors), on="ds", how="left"
    )
    grid = _features(grid, spec).with_columns(
        pl.when(pl.col("open")).then(pl.col("y")).fill_null(float("nan")).alias("y")
    )
    if spec.regressors:
        gaps = grid.filter(
            pl.col("open") & pl.any_horizontal(pl.col(spec.regressors).is_null())
        ).height
        if gaps:
            msg = (
                f"forecast: series {uid!r} has {gaps} open days with null regressors "
                f"{list(spec.regressors)}; fill them (they are needed on every open day)."
            )
            raise ParameterError(msg)
        grid = grid.with_columns(pl.col(spec.regressors).cast(pl.Float64).fill_null(0.0))
    return _Series(uid, spec, grid)


def _future_grid(series: _Series, horizon: int) -> pl.DataFrame:
    """Calendar days after the history up to the ``horizon``-th open day."""
    last = series.grid["ds"].max()
    assert isinstance(last, date)
    open_per_week = max(7 - len(series.spec.closed_weekdays), 1)
    days = math.ceil(horizon * 7 / open_per_week) + _FUTURE_PAD_DAYS
    while True:
        cal = _features(
            pl.DataFrame(
                {
                    "ds": pl.date_range(
                        last + timedelta(days=1), last + timedelta(days=days), eager=True
                    )
                }
            ),
            series.spec,
        )
        if int(cal["open"].sum()) >= horizon:
            break
        days *= 2
    nth = cal.with_row_index("i").filter(pl.col("open"))["i"][horizon - 1]
    cal = _hedge_unseen_holidays(cal.head(int(nth) + 1), series.spec)
    if series.spec.regressors:
        if series.future is None:
            msg = (
                f"forecast: history has extra regressor columns {list(series.spec.regressors)} "
                "but no `future` frame gives their values on the forecast days."
            )
            raise ParameterError(msg)
        cal = cal.join(series.future, on="ds", how="left")
        gaps = cal.filter(
            pl.col("open") & pl.any_horizontal(pl.col(series.spec.regressors).is_null())
        )
        if gaps.height:
            msg = (
                f"forecast: `future` lacks regressor values for series {series.uid!r} on "
                f"{gaps.height} forecast days (first {gaps['ds'][0]}); give every open day."
            )
            raise ParameterError(msg)
        cal = cal.with_columns(pl.col(series.spec.regressors).cast(pl.Float64).fill_null(0.0))
    return cal


def _hedge_unseen_holidays(cal: pl.DataFrame, spec: _Spec) -> pl.DataFrame:
    """Weight the catch-up after a holiday the history never saw by the chance it closes.

    Such a holiday is forecast as open (see :func:`_closed_holidays`); if it closes after all,
    the next open day catches up. Its ``after_closure`` flag becomes that chance instead of 0,
    so the ``uc`` forecast is the expected value over the two outcomes.
    """
    if not isinstance(spec.holidays_closed, tuple) or spec.unseen_closed == 0:
        return cal
    names = _holiday_table(cal, country=spec.country, subdiv=spec.subdiv)["name"]
    unseen = set(names) - set(spec.seen_holidays) - set(spec.holidays_closed)
    if not unseen:
        return cal
    if_closed = calendar_features(
        cal.select("ds"),
        country=spec.country,
        subdiv=spec.subdiv,
        closed_weekdays=spec.closed_weekdays,
        holidays_closed=(*spec.holidays_closed, *sorted(unseen)),
    )["after_closure"]
    hedged = pl.max_horizontal("after_closure", if_closed * spec.unseen_closed)
    return cal.with_columns(
        pl.when("open").then(hedged).otherwise("after_closure").alias("after_closure")
    )


# --------------------------------------------------------------------------- models


def _exog_columns(spec: _Spec) -> list[str]:
    open_days = [d for d in range(1, 8) if d not in spec.closed_weekdays]
    cols = [f"dow_{d}" for d in open_days[1:]]
    cols += ["holiday", "after_closure", "month_start", "month_end"]
    cols += [f"{f}_{k}" for k in range(1, spec.annual + 1) for f in ("sin", "cos")]
    return [*cols, *spec.regressors]


def _filled(train: pl.DataFrame) -> FloatArray:
    """``y`` without NaN for ETS/STL: closed weekdays 0, other gaps from the same weekday."""
    wd = pl.col("ds").dt.weekday()
    filled = train.select(
        pl.col("y")
        .fill_nan(None)
        .interpolate()
        .forward_fill()
        .backward_fill()
        .over(wd)
        .fill_null(0.0)
        .alias("y"),
        wd.alias("wd"),
    )
    return filled.select(pl.col("y")).to_series().to_numpy().astype(np.float64)


def _silence_optimisers() -> None:
    """Ignore optimiser chatter from statsmodels; call inside ``warnings.catch_warnings()``.

    Reason: ``ConvergenceWarning`` and friends say that a likelihood optimiser stopped early
    or started from a non-stationary point. We judge every model by its out-of-sample
    backtest error instead, and refuse non-finite forecasts explicitly, so the warnings carry
    no information the caller can act on (and pytest turns warnings into errors).
    """
    from statsmodels.tools.sm_exceptions import (  # noqa: PLC0415
        ConvergenceWarning,
        EstimationWarning,
        ValueWarning,
    )

    for category in (ConvergenceWarning, EstimationWarning, ValueWarning, RuntimeWarning):
        warnings.simplefilter("ignore", category)
    warnings.filterwarnings("ignore", message=".*[Nn]on-(stationary|invertible).*")


def _fit_uc(
    series: _Series, train: pl.DataFrame, future: pl.DataFrame, *, fixed: bool = False
) -> tuple[FloatArray, FloatArray]:
    import statsmodels.api as sm  # noqa: PLC0415

    y = train["y"].to_numpy().astype(np.float64)
    observed = ~np.isnan(y)
    # keep regressors that vary on observed days; a flag needs two observed hits to be
    # estimable (e.g. the holiday flag is dropped when every holiday was closed)
    cols = [
        c
        for c in _exog_columns(series.spec)
        if np.ptp(values := train[c].to_numpy()[observed]) > 0 and np.count_nonzero(values) > 1
    ]
    scale = float(np.nanstd(y)) or 1.0
    centre = float(np.nanmean(y))
    anchor = series.anchor.get("uc") if fixed else None
    if anchor is not None:  # the anchor's variances are in its units: standardise as it did
        centre, scale = float(anchor[0]), float(anchor[1])
    exog = train.select(cols).to_numpy().astype(np.float64) if cols else None
    exog_f = future.select(cols).to_numpy().astype(np.float64) if cols else None
    # mle_regression=False: regression coefficients are (diffuse, constant) states estimated
    # by the Kalman filter, so the optimiser only searches the three variance / AR terms —
    # about four times faster than putting 15 coefficients into the likelihood search, and
    # the forecast variance includes coefficient uncertainty.
    model = sm.tsa.UnobservedComponents(
        (y - centre) / scale,
        level="llevel",
        autoregressive=1,
        exog=exog,
        mle_regression=False,
    )
    key = "uc:" + ",".join(cols)
    with warnings.catch_warnings():
        _silence_optimisers()
        if anchor is None:
            res = model.fit(disp=False, maxiter=200, start_params=series.warm.get(key))
            series.warm[key] = np.asarray(res.params, dtype=np.float64)
            # the parameters (three variances, the AR coefficient) do not depend on ``cols``
            series.warm["uc"] = np.concatenate([[centre, scale], series.warm[key]])
        else:  # fixed parameters: only the Kalman filter runs (states see ``train`` only)
            res = model.filter(anchor[2:])
        pred = res.get_forecast(future.height, exog=exog_f)
    mean = np.asarray(pred.predicted_mean, dtype=np.float64) * scale + centre
    sd = np.sqrt(np.asarray(pred.var_pred_mean, dtype=np.float64)) * scale
    return mean, sd


def _fit_ets(
    series: _Series, train: pl.DataFrame, future: pl.DataFrame, *, fixed: bool = False
) -> tuple[FloatArray, FloatArray]:
    import pandas as pd  # noqa: PLC0415
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel  # noqa: PLC0415

    y = pd.Series(_filled(train))
    n, steps = len(y), future.height
    with warnings.catch_warnings():
        _silence_optimisers()
        model = ETSModel(
            y, error="add", trend="add", damped_trend=True, seasonal="add", seasonal_periods=7
        )
        anchor = series.anchor.get("ets") if fixed else None
        if anchor is None:
            # warm start from the previous window's fit (smoothing parameters and initial
            # states barely move between neighbouring origins)
            res = model.fit(disp=False, maxiter=200, start_params=series.warm.get("ets"))
            series.warm["ets"] = np.asarray(res.params, dtype=np.float64)
        else:  # fixed parameters: only the smoothing recursions run
            res = model.smooth(anchor)
        pred = res.get_prediction(start=n, end=n + steps - 1)
    mean = np.asarray(pred.predicted_mean, dtype=np.float64)
    sd = np.sqrt(np.asarray(pred.var_pred_mean, dtype=np.float64))
    return mean, sd


def _fit_stl(
    series: _Series, train: pl.DataFrame, future: pl.DataFrame, *, fixed: bool = False
) -> tuple[FloatArray, FloatArray]:
    import pandas as pd  # noqa: PLC0415
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel  # noqa: PLC0415
    from statsmodels.tsa.forecasting.stl import STLForecast  # noqa: PLC0415

    y = pd.Series(_filled(train))
    n, steps = len(y), future.height
    with warnings.catch_warnings():
        _silence_optimisers()
        res = STLForecast(
            y,
            ETSModel,
            model_kwargs={"error": "add", "trend": "add", "damped_trend": True},
            period=7,
            robust=True,
        ).fit(fit_kwargs={"disp": False, "maxiter": 200})
        pred = res.get_prediction(start=n, end=n + steps - 1)
    mean = np.asarray(pred.predicted_mean, dtype=np.float64)
    sd = np.asarray(pred.se_mean, dtype=np.float64)
    return mean, sd


def _fit_snaive(
    series: _Series, train: pl.DataFrame, future: pl.DataFrame, *, fixed: bool = False
) -> tuple[FloatArray, FloatArray]:
    filled = _filled(train)
    y = train["y"].to_numpy().astype(np.float64)
    steps = future.height
    idx = np.arange(steps)
    mean = filled[len(filled) - 7 + idx % 7]
    diffs = y[7:] - filled[:-7]
    diffs = diffs[~np.isnan(diffs)]
    sigma = float(np.sqrt(np.mean(diffs**2))) if diffs.size else 0.0
    sd = sigma * np.sqrt(idx // 7 + 1.0)
    return mean.astype(np.float64), sd.astype(np.float64)


_FITTERS = {"uc": _fit_uc, "ets": _fit_ets, "stl_ets": _fit_stl, "snaive": _fit_snaive}


def _fit_predict(
    series: _Series, name: str, train: pl.DataFrame, future: pl.DataFrame, *, fixed: bool = False
) -> tuple[FloatArray, FloatArray]:
    """Fit ``name`` on ``train`` and forecast every calendar day of ``future``.

    ``fixed``: keep the parameters of the series' anchor fit (the oldest backtest window)
    and only rerun the filter on ``train``, where the model allows it (``uc``, ``ets``).
    """
    try:
        mean, sd = _FITTERS[name](series, train, future, fixed=fixed)
    except (ValueError, np.linalg.LinAlgError, IndexError) as exc:
        msg = f"forecast: model {name!r} failed on series {series.uid!r}: {exc}"
        raise _ModelFailedError(msg) from exc
    if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(sd))):
        msg = f"forecast: model {name!r} produced non-finite values on series {series.uid!r}."
        raise _ModelFailedError(msg)
    return mean, sd


class _ModelFailedError(InsightsError):
    """A candidate model could not be fitted or forecast non-finite values."""


# --------------------------------------------------------------------------- rolling origin


def _required_open_days(horizon: int, windows: int, step: int) -> int:
    return _MIN_TRAIN_OPEN_DAYS + horizon + (windows - 1) * step


def _rolling_origin(
    series: _Series,
    /,
    *,
    models: Sequence[str],
    horizon: int,
    windows: int,
    step: int,
    strict: bool,
    before: int = 0,
    fixed: bool = False,
) -> pl.DataFrame:
    """Backtest predictions: one row per model, window and held-out open day.

    Columns: ``model``, ``window`` (0 = oldest), ``ds``, ``y``, ``mean``, ``sd``, ``scale``
    (in-sample MAE of the weekly seasonal naive forecast on the window's training days).
    A model that fails in a window is dropped from all windows unless ``strict``.

    The last window ends ``before`` windows before the end of the history. Unless ``fixed``,
    the parameters fitted in the oldest window become the series' anchor; with ``fixed``
    every window reuses the anchor's parameters (see :func:`_fit_predict`).
    """
    open_idx = np.flatnonzero(series.open)
    needed = _required_open_days(horizon, windows + before, step)
    if open_idx.size < needed:
        msg = (
            f"series {series.uid!r} has {open_idx.size} open days of history; a backtest of "
            f"{windows} window(s) of {horizon} open days every {step} days needs at least "
            f"{needed} ({_MIN_TRAIN_OPEN_DAYS} to fit + the windows). Give more history, "
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
                mean, sd = _fit_predict(series, name, train, future, fixed=fixed)
            except _ModelFailedError:
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


def _score(predictions: pl.DataFrame, /, *, level: Sequence[float]) -> pl.DataFrame:
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
        half = _z(lv) * pl.col("sd")
        exprs.append((err.abs() <= half).mean().alias(f"coverage_{_tag(lv)}"))
    for lv in level:
        exprs.append((2 * _z(lv) * pl.col("sd")).mean().alias(f"width_{_tag(lv)}"))
    exprs.append(pl.len().alias("n_days"))
    return predictions.group_by(keys, maintain_order=True).agg(exprs)


def _tag(level: float) -> str:
    return f"{level:g}".replace(".", "_")


def _calibration_factors(
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


def _year_windows(series: _Series, /, *, horizon: int, windows: int, step: int) -> int:
    """Backtest windows whose held-out days fall in the 52 weeks before the origin.

    At least ``windows``; at most as many as the history can fit.
    """
    open_idx = np.flatnonzero(series.open)
    days = series.grid["ds"]
    first_day = days[-1] + timedelta(days=1) - timedelta(weeks=52)
    count = 0
    while True:
        end = open_idx.size - count * step
        if end - horizon < _MIN_TRAIN_OPEN_DAYS or days[int(open_idx[end - horizon])] < first_day:
            break
        count += 1
    return max(count, windows)


def _older_windows(
    series: _Series, name: str, /, *, horizon: int, windows: int, step: int
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
        return _rolling_origin(
            series,
            models=[name],
            horizon=horizon,
            windows=extra,
            step=step,
            strict=True,
            before=windows,
            fixed=True,
        )
    except _ModelFailedError:  # a refit that fails only costs calibration data
        return None


def _conformal_scale(errors: FloatArray, sd: FloatArray, level: float) -> float:
    """Factor that makes ``mean ± factor·z·sd`` cover ``level``% of the backtest errors."""
    half = _z(level) * sd
    ok = half > 0
    ratios = np.sort(np.abs(errors[ok]) / half[ok])
    n = ratios.size
    if n == 0:
        return 1.0
    k = min(math.ceil((n + 1) * level / 100), n)
    return float(ratios[k - 1])


# --------------------------------------------------------------------------- public


def forecast(
    history: pl.DataFrame | pl.LazyFrame,
    /,
    *,
    horizon: int,
    level: Sequence[float] = (80, 95),
    holidays: str | None = "GB",
    subdiv: str | None = None,
    models: str | Sequence[str] = "auto",
    closed: Literal["infer"] | Collection[int | str] = "infer",
    annual: int | Literal["auto"] = "auto",
    windows: int = 4,
    step: int | None = None,
    calibrate: bool = True,
    future: pl.DataFrame | None = None,
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
        Central prediction-interval levels in percent.
    holidays
        Country whose public holidays are regressors / closures; ``None`` for none.
    subdiv
        Holiday region (``None``: England and Wales for GB).
    models
        ``"auto"`` (pick per series among :data:`MODELS` by backtest MASE), one model name
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
        Number of annual Fourier pairs for ``uc``; ``"auto"``: 3 with two or more years of
        history, else 0.
    windows, step
        Rolling-origin windows used for selection and calibration, ``step`` open days apart
        (default ``horizon``). Calibration also looks at the earlier windows of the 52 weeks
        before the origin, as many as the history fits.
    calibrate
        Rescale the intervals on the backtest errors (``False`` keeps the model's own).
    future
        Extra regressor values on the forecast days: ``ds``, regressors (and ``unique_id``).

    Returns
    -------
    pl.DataFrame
        ``unique_id`` (when given), ``ds``, ``model``, ``mean``, then ``lo_<level>`` and
        ``hi_<level>`` for each level (e.g. ``lo_80``, ``hi_80``, ``lo_95``, ``hi_95``),
        one row per series and forecast open day.

    Raises
    ------
    ParameterError
        Duplicate dates, negative ``y``, a bad ``horizon``, level, model name or ``closed``
        entry (an unknown holiday name is reported with the valid names).
    InsufficientHistoryError
        A series is too short for the model fit and its backtest windows.

    Examples
    --------
    >>> import numpy as np
    >>> days = pl.date_range(pl.date(2025, 1, 6), pl.date(2025, 6, 29), eager=True)
    >>> noise = np.random.default_rng(0).normal(0, 5, len(days))
    >>> hist = pl.DataFrame({"ds": days, "y": 100 + noise}).with_columns(
    ...     y=pl.when(pl.col("ds").dt.weekday() == 7).then(None).otherwise("y"))
    >>> fc = forecast(hist, horizon=6, models="snaive")
    >>> fc.columns
    ['ds', 'model', 'mean', 'lo_80', 'hi_80', 'lo_95', 'hi_95']
    >>> fc["ds"].dt.weekday().to_list()  # Sundays stay closed
    [1, 2, 3, 4, 5, 6]

    """
    _check_options(horizon, level, models)
    frame = _validate_history(history, who="forecast")
    step = _check_windows(windows, step, horizon=horizon, who="forecast")
    candidates = _model_list(models)
    out = []
    for uid, part in _split(frame):
        series = _series_for(
            part,
            uid,
            country=holidays,
            subdiv=subdiv,
            closed=closed,
            annual=annual,
            future=future,
        )
        out.append(
            _forecast_one(
                series,
                horizon=horizon,
                level=level,
                candidates=candidates,
                windows=windows,
                step=step,
                calibrate=calibrate,
            )
        )
    result = pl.concat(out)
    if "unique_id" not in frame.columns:
        result = result.drop("unique_id")
    return result


def _split(frame: pl.DataFrame) -> list[tuple[str | None, pl.DataFrame]]:
    if "unique_id" not in frame.columns:
        return [(None, frame)]
    parts = frame.sort("ds").partition_by("unique_id", as_dict=True, maintain_order=True)
    return [(str(key[0]), part) for key, part in sorted(parts.items(), key=lambda kv: kv[0])]


def _series_for(
    part: pl.DataFrame,
    uid: str | None,
    /,
    *,
    country: str | None,
    subdiv: str | None,
    closed: Literal["infer"] | Collection[int | str],
    annual: int | Literal["auto"],
    future: pl.DataFrame | None,
) -> _Series:
    regressors = tuple(c for c in part.columns if c not in _KEY_COLUMNS)
    for c in regressors:
        if not part.schema[c].is_numeric():
            msg = (
                f"forecast: column {c!r} is {part.schema[c]}; extra history columns are "
                "regressors and must be numeric (drop it or encode it)."
            )
            raise ParameterError(msg)
    spec = _infer_spec(
        part,
        closed=closed,
        country=country,
        subdiv=subdiv,
        annual=annual,
        regressors=regressors,
    )
    series = _prepare(part, spec, uid)
    if future is not None and regressors:
        fut = future
        if uid is not None and "unique_id" in fut.columns:
            fut = fut.filter(pl.col("unique_id").cast(pl.String) == uid)
        series.future = fut.select("ds", *regressors)
    return series


def _forecast_one(
    series: _Series,
    /,
    *,
    horizon: int,
    level: Sequence[float],
    candidates: Sequence[str],
    windows: int,
    step: int,
    calibrate: bool,
) -> pl.DataFrame:
    n_open = int(series.open.sum())
    need_backtest = calibrate or len(candidates) > 1
    needed = _required_open_days(horizon, windows, step) if need_backtest else _MIN_TRAIN_OPEN_DAYS
    if n_open < needed:
        msg = (
            f"forecast: series {series.uid!r} has {n_open} open days of history but needs at "
            f"least {needed}: {_MIN_TRAIN_OPEN_DAYS} to fit a weekly model"
            + (
                f" plus {windows} backtest window(s) of {horizon} open days, {step} apart, "
                "for model selection and interval calibration"
                if need_backtest
                else ""
            )
            + ". Give more history, or reduce horizon / windows."
        )
        raise InsufficientHistoryError(msg)
    ranking = list(candidates)
    bt: pl.DataFrame | None = None
    if need_backtest:
        bt = _rolling_origin(
            series,
            models=candidates,
            horizon=horizon,
            windows=windows,
            step=step,
            strict=len(candidates) == 1,
        )
        scores = _score(bt, level=level)
        order = {m: i for i, m in enumerate(MODELS)}
        ranked = sorted(
            scores.select("model", "mase").rows(), key=lambda r: (r[1], order[str(r[0])])
        )
        ranking = [str(r[0]) for r in ranked]
    future = _future_grid(series, horizon)
    pos = np.flatnonzero(future["open"].to_numpy())
    for name in ranking:
        try:
            mean, sd = _fit_predict(series, name, series.grid, future)
        except _ModelFailedError:
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
        older = _older_windows(series, name, horizon=horizon, windows=windows, step=step)
        year = recent if older is None else pl.concat([older, recent])
        factors = _calibration_factors(recent, year, level=level)
    for lv in level:
        half = factors[lv] * _z(lv) * sd
        cols[f"lo_{_tag(lv)}"] = np.clip(mean - half, 0, None)
        cols[f"hi_{_tag(lv)}"] = np.clip(mean + half, 0, None)
    out = pl.DataFrame(cols, schema_overrides={"unique_id": pl.String})
    if out.select(pl.exclude("unique_id", "ds", "model").is_nan().any()).row(0).count(True):
        msg = f"forecast: non-finite forecast for series {series.uid!r}; please report this."
        raise InsightsError(msg)
    return out


def synthetic_daily(
    *,
    start: date = date(2024, 1, 1),
    days: int = 730,
    level: float = 300.0,
    weekly: Sequence[float] = (1.35, 1.1, 1.0, 0.95, 0.9, 0.55, 0.0),
    growth_per_day: float = 0.0003,
    noise: float = 12.0,
    catch_up: float = 0.4,
    holidays_open: float | None = None,
    seed: int = 0,
) -> pl.DataFrame:
    """Seeded synthetic daily contact counts with a weekly pattern and bank holidays.

    ``y = level·(1 + growth·t)·weekly[weekday] + AR(1) noise``; the first open day after an
    England and Wales bank holiday gets ``catch_up·level`` extra contacts. Days with a weekly
    factor of 0 and (unless ``holidays_open`` is a factor) bank holidays are closed and
    absent from the result, as they are in real exports.

    Returns
    -------
    pl.DataFrame
        ``ds`` (date) and ``y`` (float, whole numbers ≥ 0).

    Examples
    --------
    >>> synthetic_daily(days=14).head(3)
    shape: (3, 2)
    ┌────────────┬───────┐
    │ ds         ┆ y     │
    │ ---        ┆ ---   │
    │ date       ┆ f64   │
    ╞════════════╪═══════╡
    │ 2024-01-02 ┆ 449.0 │
    │ 2024-01-03 ┆ 307.0 │
    │ 2024-01-04 ┆ 290.0 │
    └────────────┴───────┘

    """
    rng = np.random.default_rng(seed)
    shocks = rng.normal(0.0, noise, days)
    ar = np.zeros(days)
    for i in range(1, days):
        ar[i] = 0.5 * ar[i - 1] + shocks[i]
    ds = pl.date_range(start, start + timedelta(days=days - 1), eager=True)
    hol = public_holidays(range(start.year, ds[-1].year + 1))["ds"].implode()
    closed_weekdays = [i + 1 for i, f in enumerate(weekly) if f == 0]
    wd = pl.col("ds").dt.weekday()
    prev = pl.col("ds") - pl.duration(days=1)
    base = pl.lit(level) * (1 + growth_per_day * pl.int_range(pl.len()))
    factor = pl.lit(pl.Series(list(weekly))).get(wd - 1)
    is_hol = pl.col("ds").is_in(hol)
    frame = pl.DataFrame({"ds": ds, "ar": ar}).with_columns(
        y=base * factor
        + pl.col("ar")
        + pl.when(prev.is_in(hol) & ~wd.is_in(closed_weekdays)).then(catch_up * base).otherwise(0)
    )
    if holidays_open is None:
        frame = frame.filter(~is_hol)
    else:
        frame = frame.with_columns(
            y=pl.when(is_hol).then(pl.col("y") * holidays_open).otherwise(pl.col("y"))
        )
    return frame.filter(~wd.is_in(closed_weekdays)).select(
        "ds", pl.col("y").clip(0).round().cast(pl.Float64)
    )
