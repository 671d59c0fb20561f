"""Candidate models: each fits a training grid and forecasts mean and sd for every future day.

Internal to :mod:`insights.forecasting`; :func:`insights.forecast` documents the models.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import polars as pl

from insights.errors import InsightsError
from insights.forecasting._holiday_effects import HolidayEffects, holiday_effect
from insights.forecasting._series import FloatArray, Series, Spec

__all__ = [
    "COMBO_PARTS",
    "MIN_TRAIN",
    "MODELS",
    "TIE_TOLERANCE",
    "ModelFailedError",
    "combine",
    "combo_parts",
    "fit_predict",
    "one_blas_thread",
    "rank_models",
]

#: Candidate models, in order of preference when backtest scores tie. ``combo`` (the mean
#: of :data:`COMBO_PARTS`) comes after the ``uc`` models, which win a tie on long histories,
#: and before its single parts: when it ties with one of them it is the steadier choice.
MODELS: tuple[str, ...] = ("uc", "uc_yearly", "combo", "ets", "stl_ets", "snaive")

#: The models ``combo`` averages (those whose training fits; two at least).
COMBO_PARTS: tuple[str, ...] = ("uc", "ets", "stl_ets")

#: Backtest MASE within this fraction of the best counts as a tie (see :func:`rank_models`).
TIE_TOLERANCE = 0.02

#: Open days of training each model needs when history is short (otherwise six weeks).
#: ``combo`` needs two of its parts: ``ets`` and ``stl_ets`` from four weeks, ``uc`` joins
#: them from six.
MIN_TRAIN: dict[str, int] = {
    "uc": 42,
    "uc_yearly": 500,
    "combo": 28,
    "ets": 28,
    "stl_ets": 28,
    "snaive": 14,
}


def combo_parts(min_train: int, /) -> tuple[str, ...]:
    """Return the parts of ``combo`` that a training of ``min_train`` open days fits.

    Examples
    --------
    >>> combo_parts(42), combo_parts(30), combo_parts(20)
    (('uc', 'ets', 'stl_ets'), ('ets', 'stl_ets'), ())

    """
    return tuple(m for m in COMBO_PARTS if MIN_TRAIN[m] <= min_train)


def combine(
    means: Sequence[FloatArray], sds: Sequence[FloatArray], /
) -> tuple[FloatArray, FloatArray]:
    """Mean and sd of the equal-weight combination of forecasts (``combo``).

    The mean is the plain mean of the parts' means. The sd is that of an equal mixture of
    the parts' forecast distributions (law of total variance): the mean of their variances
    plus the variance of their means around the combined mean, so the parts' disagreement
    widens the interval. It is an upper bound when the parts' errors are strongly
    correlated (they share the series' noise) and their means agree; conformal calibration
    rescales it to the combination's own held-out errors anyway, so only its shape over the
    horizon and across days matters.

    Examples
    --------
    >>> mean, sd = combine([np.array([10.0]), np.array([14.0])], [np.array([3.0]), np.array([1.0])])
    >>> float(mean[0]), float(sd[0] ** 2)  # (9 + 1) / 2 + (4 + 4) / 2
    (12.0, 9.0)

    """
    m = np.vstack(means)
    mean = m.mean(axis=0)
    var = (np.vstack(sds) ** 2).mean(axis=0) + ((m - mean) ** 2).mean(axis=0)
    return mean, np.sqrt(var)


def rank_models(mase: Mapping[str, float | None], /) -> list[str]:
    """Candidates in the order :func:`insights.forecast` tries them, from backtest MASE.

    The models within :data:`TIE_TOLERANCE` (2%) of the best MASE tie and come first, in
    :data:`MODELS` order; the others follow by MASE. Reason: four backtest windows measure
    a model's MASE to a few percent at best, so a 1% lead is noise, and the earlier models
    of :data:`MODELS` are the steadier ones (on the benchmark's 40 selection windows, a
    near-tie of ``ets`` over ``uc`` cost ``akl/quay_st`` 2% and ``sample/phone`` 2.5%;
    tolerances of 1-3% changed no other series). A null or NaN MASE ranks last.

    Examples
    --------
    >>> rank_models({"ets": 0.80, "uc": 0.81, "snaive": 0.95, "stl_ets": 0.90})
    ['uc', 'ets', 'stl_ets', 'snaive']
    >>> rank_models({"ets": 0.80, "uc": 0.83, "snaive": None})
    ['ets', 'uc', 'snaive']

    """
    order = {m: i for i, m in enumerate(MODELS)}
    known = {m: v for m, v in mase.items() if v is not None and not math.isnan(v)}
    best = min(known.values(), default=math.nan)

    def key(model: str) -> tuple[int, float, int]:
        value = known.get(model, math.inf)
        tied = value <= best * (1 + TIE_TOLERANCE)
        return (0, 0.0, order[model]) if tied else (1, value, order[model])

    return sorted(mase, key=key)


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Run the model fits with one BLAS thread.

    Reason: the optimisers (L-BFGS-B) and Kalman filters work on matrices of a few dozen
    entries, where OpenBLAS's threads cost far more to wake than they save: measured on two
    busy cores, an ETS fit took 4.5 s with the default threads and 0.9 s with one. Series are
    parallelised across processes instead (``n_jobs``). The libraries must be loaded before
    the limit is set, hence the imports.
    """
    import scipy.optimize  # noqa: F401, PLC0415
    import statsmodels.tsa.statespace.structural  # noqa: F401, PLC0415
    from threadpoolctl import threadpool_limits  # noqa: PLC0415

    with threadpool_limits(limits=1, user_api="blas"):
        yield


#: Annual Fourier pairs that are states of the ``uc`` filter (their amplitude is estimated
#: jointly with the level); the higher pairs of ``Spec.annual`` form a fixed profile
#: estimated by least squares (see :func:`_annual_profile`).
ANNUAL_STATES = 3


def _exog_columns(spec: Spec) -> list[str]:
    open_days = [d for d in range(1, 8) if d not in spec.closed_weekdays]
    cols = [f"dow_{d}" for d in open_days[1:]]
    cols += [
        "after_closure",
        "after_closure_2",
        "month_start",
        "month_end",
    ]  # holidays: _holiday_effects
    cols += _fourier_columns(range(1, min(spec.annual, ANNUAL_STATES) + 1))
    return [*cols, *spec.regressors]


def _fourier_columns(pairs: range) -> list[str]:
    return [f"{f}_{k}" for k in pairs for f in ("sin", "cos")]


#: Knots of the piecewise-linear trend that stands in for the level in
#: :func:`_annual_profile`, in days: one a year.
_PROFILE_KNOT_DAYS = 365

#: Training days the profile needs, first to last observed day: two years, so every part
#: of it was seen twice.
_PROFILE_MIN_DAYS = 730


def _annual_profile(
    y: FloatArray, train: pl.DataFrame, future: pl.DataFrame, cols: list[str], pairs: range
) -> FloatArray:
    """Fit the sharp part of the yearly season: annual Fourier ``pairs`` by least squares.

    Three smooth annual pairs cannot follow a season that ends within days (the last
    summer weekend at the waterfront, the Christmas closure); ten pairs can (Prophet's
    default), but as filter states they would double the cost of every ``uc`` fit. The
    pairs above :data:`ANNUAL_STATES` have periods of 91 days or less, so a slowly moving
    level hardly leaks into them: they are estimated once, by ordinary least squares of
    ``y`` on all the pairs, the other regressors ``cols`` and a piecewise-linear trend with
    a knot every year (standing in for the level), and subtracted before the filter runs.
    Returns the profile on every day of ``train`` then ``future``.
    """
    n, steps = train.height, future.height
    high = _fourier_columns(pairs)
    t = np.arange(n + steps, dtype=np.float64) / max(n, 1)
    knots = np.arange(_PROFILE_KNOT_DAYS, n - _PROFILE_KNOT_DAYS // 2, _PROFILE_KNOT_DAYS) / n
    design = np.column_stack(
        [
            np.ones(n + steps),
            t,
            *(np.maximum(t - k, 0.0) for k in knots),
            pl.concat([train.select(*cols, *high), future.select(*cols, *high)]).to_numpy(),
        ]
    )
    seen = ~np.isnan(y)
    beta = np.linalg.lstsq(design[:n][seen], y[seen], rcond=None)[0]
    width = len(high)
    return np.asarray(design[:, -width:] @ beta[-width:], dtype=np.float64)


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
    series: Series,
    train: pl.DataFrame,
    future: pl.DataFrame,
    *,
    fixed: bool = False,
    name: str = "uc",
    annual: bool = True,
) -> tuple[FloatArray, FloatArray]:
    from statsmodels.tsa.statespace.structural import UnobservedComponents  # noqa: PLC0415

    # holiday effects by name, estimated from ``train`` outside the state (no Kalman state
    # per holiday): ``uc`` fits the series without them; the forecast is scaled back up
    effect = _holiday_effects(train, future)
    y = train["y"].to_numpy().astype(np.float64) - effect.history
    observed = ~np.isnan(y)
    # keep regressors that vary on observed days; a flag seen once is kept: its coefficient
    # is that day's deviation, where dropped the day would move the level (a history whose
    # one closure's catch-up, +25%, is its last day forecast every later day ~13% high)
    cols = [
        c
        for c in _exog_columns(series.spec)
        if (annual or not c.startswith(("sin_", "cos_")))
        and np.ptp(train[c].to_numpy()[observed]) > 0
    ]
    profile = np.zeros(train.height + future.height)
    seen = np.flatnonzero(observed)
    span = int(seen[-1] - seen[0]) + 1 if seen.size else 0
    if annual and series.spec.annual > ANNUAL_STATES and span >= _PROFILE_MIN_DAYS:
        profile = _annual_profile(
            y, train, future, cols, range(ANNUAL_STATES + 1, series.spec.annual + 1)
        )
        y = y - profile[: train.height]
    scale = float(np.nanstd(y)) or 1.0
    centre = float(np.nanmean(y))
    anchor = series.anchor.get(name) if fixed else None
    if anchor is not None:  # the anchor's variances are in its units: standardise as it did
        centre, scale = float(anchor[0]), float(anchor[1])
    exog = train.select(cols).to_numpy().astype(np.float64) if cols else None
    exog_f = future.select(cols).to_numpy().astype(np.float64) if cols else None
    exact = _exact_fit(y, exog, exog_f, future.height)
    if exact is not None:
        mean = (exact + profile[train.height :]) * (1.0 + effect.ratio[train.height :])
        return mean, np.zeros(future.height)
    # mle_regression=False: regression coefficients are (diffuse, constant) states estimated
    # by the Kalman filter, so the optimiser only searches the three variance / AR terms —
    # about four times faster than putting 15 coefficients into the likelihood search, and
    # the forecast variance includes coefficient uncertainty.
    model = UnobservedComponents(
        (y - centre) / scale,
        level="llevel",
        autoregressive=1,
        exog=exog,
        mle_regression=False,
    )
    key = f"{name}:" + ",".join(cols)
    with warnings.catch_warnings():
        _silence_optimisers()
        if anchor is None:
            # the last fit of this model with these regressors, else of any ``uc`` variant
            # (the same four parameters on a standardised series), else a cheap pre-fit
            start = series.warm.get(key, series.warm.get("uc:any"))
            params = model.fit(
                disp=False,
                maxiter=200,
                **_TOLERANCE,
                start_params=_uc_start(model, exog) if start is None else start,
                return_params=True,  # no smoother and no covariance of the parameters
            )
            series.warm[key] = series.warm["uc:any"] = np.asarray(params, dtype=np.float64)
            # the parameters (three variances, the AR coefficient) do not depend on ``cols``
            series.warm[name] = np.concatenate([[centre, scale], series.warm[key]])
        else:  # fixed parameters: only the Kalman filter runs (states see ``train`` only)
            params = anchor[2:]
        # cov_type="none": the forecast needs the states, not the parameters' covariance
        # (its outer-product estimate alone cost a third of a fit); nor does it need the
        # filter's covariances, gains and standardised errors at every day, only at the last
        model.ssm.set_conserve_memory(_forecast_only())
        res = model.filter(params, cov_type="none")
        pred = res.get_forecast(future.height, exog=exog_f)
    mean = np.asarray(pred.predicted_mean, dtype=np.float64) * scale + centre
    mean += profile[train.height :]
    mean *= 1.0 + effect.ratio[train.height :]
    sd = np.sqrt(np.asarray(pred.var_pred_mean, dtype=np.float64)) * scale
    return mean, sd


def _forecast_only() -> int:
    """Kalman filter memory flags: keep what ``get_forecast`` needs (the last state)."""
    from statsmodels.tsa.statespace import kalman_filter as kf  # noqa: PLC0415

    return int(
        kf.MEMORY_NO_SMOOTHING
        | kf.MEMORY_NO_PREDICTED_COV
        | kf.MEMORY_NO_FILTERED_COV
        | kf.MEMORY_NO_GAIN
        | kf.MEMORY_NO_STD_FORECAST
    )


def _holiday_effects(train: pl.DataFrame, future: pl.DataFrame) -> HolidayEffects:
    """Holiday effects on ``train`` then ``future`` days, learnt from ``train``.

    See :func:`insights.forecasting._holiday_effects.holiday_effect`.
    """
    labels = np.concatenate(
        [train["holiday_label"].to_numpy(), future["holiday_label"].to_numpy()]
    ).astype(object)
    offsets = np.concatenate(
        [train["holiday_offset"].to_numpy(), future["holiday_offset"].to_numpy()]
    ).astype(np.float64)
    return holiday_effect(train["y"].to_numpy().astype(np.float64), labels, offsets)


def _exact_fit(
    y: FloatArray, exog: FloatArray | None, exog_f: FloatArray | None, steps: int
) -> FloatArray | None:
    """Forecast of the regressors when they explain every observed day exactly, else None.

    A constant series (every day 0, or the same count) or an exact weekly pattern leaves
    nothing to the level and AR terms: their variances go to 0, the likelihood has no
    optimum and the filter forecasts NaN. Such a series is forecast as it has been.
    """
    seen = ~np.isnan(y)
    if not seen.any():
        return None
    ones = np.ones((int(seen.sum()), 1))
    design = ones if exog is None else np.column_stack([ones, exog[seen]])
    beta = np.linalg.lstsq(design, y[seen], rcond=None)[0]
    worst = float(np.max(np.abs(y[seen] - design @ beta)))
    if worst > 1e-9 * max(1.0, float(np.max(np.abs(y[seen])))):
        return None
    ahead = np.ones((steps, 1))
    return (ahead if exog_f is None else np.column_stack([ahead, exog_f])) @ beta


#: L-BFGS-B stopping rule of the ``uc`` fits, looser than scipy's default (``pgtol=1e-5``,
#: ``factr=1e7``): the last iterations moved the log-likelihood by under 1e-6 and no
#: forecast visibly, at a third of the fit's cost (measured on the benchmark series).
_TOLERANCE: dict[str, float] = {"pgtol": 1e-3, "factr": 1e10}


def _uc_start(model: Any, exog: FloatArray | None) -> FloatArray | None:
    """Start values for a ``uc`` fit: the same model without regressors, on OLS residuals.

    The regression coefficients are states of the Kalman filter, a dozen or more beside the
    level and the AR term, and every likelihood evaluation pays for them. Fitting the
    variances and the AR coefficient first on ``y`` minus an OLS fit of the regressors
    (two states: about ten times cheaper per evaluation) lands next to the full model's
    optimum, which then takes a few iterations instead of dozens (measured: 75 likelihood
    evaluations instead of 250 on three years, same optimum).
    """
    from statsmodels.tsa.statespace.structural import UnobservedComponents  # noqa: PLC0415

    y = np.asarray(model.endog, dtype=np.float64).ravel()
    resid = y
    if exog is not None:
        seen = ~np.isnan(y)
        design = np.column_stack([np.ones(int(seen.sum())), exog[seen]])
        beta = np.linalg.lstsq(design, y[seen], rcond=None)[0]
        resid = y - exog @ beta[1:]
    simple = UnobservedComponents(resid, level="llevel", autoregressive=1)
    if list(simple.param_names) != list(model.param_names):
        return None
    # statsmodels starts the level variance from an HP-filter trend, about a thousand times
    # its optimum on a standardised daily series (measured: 1e-4 to 1e-3); start it there,
    # and split the rest of the variance evenly between the irregular and the AR term
    irregular, _, _, ar = np.asarray(simple.start_params, dtype=np.float64)
    start = np.array([irregular / 2, _LEVEL_VARIANCE_START, irregular / 2, ar])
    params = simple.fit(
        disp=False, maxiter=200, return_params=True, start_params=start, **_TOLERANCE
    )
    return np.asarray(params, dtype=np.float64)


_LEVEL_VARIANCE_START = 3e-4


_YEAR = 364  # 52 weeks back: the same weekday last year
_YEARS_BACK = 3


def _yearly_index(filled: FloatArray, days: int) -> FloatArray:
    """Yearly index of each of ``days`` grid days, from the previous years (NaN if unknown).

    Last year's 7-day centred mean over its 52-week centred mean, on the same weekday one,
    two and three years (of 52 weeks) back, averaged. A season that collapses within days
    (the end of the summer rush, the Christmas closure) keeps its shape, step included,
    which ``uc``'s annual Fourier pairs round off.
    """
    n = filled.size
    week = np.full(n, np.nan)
    year = np.full(n, np.nan)
    if n >= _YEAR:
        week[3 : n - 3] = np.convolve(filled, np.ones(7) / 7, mode="valid")
        level = np.convolve(filled, np.ones(_YEAR) / _YEAR, mode="valid")
        year[_YEAR // 2 : _YEAR // 2 + level.size] = np.where(level > 0, level, np.nan)
    ratio = week / year
    total = np.zeros(days)
    count = np.zeros(days)
    for k in range(1, _YEARS_BACK + 1):
        src = np.arange(days) - k * _YEAR
        ok = (src >= 0) & (src < n)
        vals = np.where(ok, ratio[np.clip(src, 0, n - 1)], np.nan)
        total += np.nan_to_num(vals)
        count += np.isfinite(vals)
    with np.errstate(invalid="ignore", divide="ignore"):
        index = total / count
    return np.clip(index, 0.05, 20.0)


def _fit_uc_yearly(
    series: Series, train: pl.DataFrame, future: pl.DataFrame, *, fixed: bool = False
) -> tuple[FloatArray, FloatArray]:
    """``uc`` on the series divided by its yearly index (see :func:`_yearly_index`)."""
    n, steps = train.height, future.height
    index = _yearly_index(_filled(train), n + steps)
    known = np.isfinite(index)
    if not known[n:].all():
        msg = "uc_yearly needs a year and a half of history and forecasts up to 26 weeks"
        raise ValueError(msg)
    start = n - int(np.argmin(known[:n][::-1])) if not known[:n].all() else 0
    if n - start < _YEAR // 4:
        msg = "uc_yearly needs a year and a half of history, then 13 weeks to fit"
        raise ValueError(msg)
    adjusted = train.slice(start).with_columns(pl.col("y") / pl.Series(index[start:n]))
    mean, sd = _fit_uc(series, adjusted, future, fixed=fixed, name="uc_yearly", annual=False)
    return mean * index[n:], sd * index[n:]


@functools.cache
def _ets_model() -> Any:
    """Build statsmodels' ``ETSModel`` with results that skip the parameters' covariance.

    Reason: every ``ETSResults`` computes a complex-step Hessian of the likelihood (for the
    parameters' standard errors) as it is built, a fifth of an ETS fit's CPU; the forecast
    mean and variance never use it. Built on first use, as statsmodels is imported lazily.
    """
    from statsmodels.tsa.exponential_smoothing.ets import (  # noqa: PLC0415
        ETSModel,
        ETSResults,
        ETSResultsWrapper,
    )

    class _Results(ETSResults):  # type: ignore[misc]
        @property
        def cov_params_approx(self) -> FloatArray:
            return np.full((self.k_params, self.k_params), np.nan)

    class _ETS(ETSModel):  # type: ignore[misc]
        @property
        def _res_classes(self) -> dict[str, tuple[type, type]]:
            return {"fit": (_Results, ETSResultsWrapper)}

    return _ETS


def _fit_ets(
    series: Series, train: pl.DataFrame, future: pl.DataFrame, *, fixed: bool = False
) -> tuple[FloatArray, FloatArray]:
    import pandas as pd  # noqa: PLC0415

    y = pd.Series(_filled(train))
    n, steps = len(y), future.height
    with warnings.catch_warnings():
        _silence_optimisers()
        model = _ets_model()(
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
    series: Series, train: pl.DataFrame, future: pl.DataFrame, *, fixed: bool = False
) -> tuple[FloatArray, FloatArray]:
    """Robust STL weekly decomposition, damped-trend ETS on the seasonally adjusted series.

    What ``STLForecast`` does (the forecast adds the last week of the seasonal component to
    the ETS forecast), written out so that the ETS parameters can be kept between windows
    (``fixed``) like ``ets``'s: the decomposition is redone on every window, the likelihood
    search only in the windows that refit.
    """
    import pandas as pd  # noqa: PLC0415
    from statsmodels.tsa.seasonal import STL  # noqa: PLC0415

    y = _filled(train)
    n, steps = len(y), future.height
    with warnings.catch_warnings():
        _silence_optimisers()
        seasonal = np.asarray(STL(y, period=7, robust=True).fit().seasonal, dtype=np.float64)
        model = _ets_model()(pd.Series(y - seasonal), error="add", trend="add", damped_trend=True)
        anchor = series.anchor.get("stl_ets") if fixed else None
        if anchor is None:
            res = model.fit(disp=False, maxiter=200)
            series.warm["stl_ets"] = np.asarray(res.params, dtype=np.float64)
        else:  # fixed parameters: only the smoothing recursions run
            res = model.smooth(anchor)
        pred = res.get_prediction(start=n, end=n + steps - 1)
    week = seasonal[n - 7 :]
    mean = np.asarray(pred.predicted_mean, dtype=np.float64) + week[np.arange(steps) % 7]
    sd = np.sqrt(np.asarray(pred.var_pred_mean, dtype=np.float64))
    return mean, sd


def _fit_snaive(
    series: Series, train: pl.DataFrame, future: pl.DataFrame, *, fixed: bool = False
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


def _fit_combo(
    series: Series, train: pl.DataFrame, future: pl.DataFrame, *, fixed: bool = False
) -> tuple[FloatArray, FloatArray]:
    """Fit every part of ``combo`` and :func:`combine` their forecasts.

    The parts are those the backtest combined (``series.combo``), so the intervals are
    calibrated on the combination that is forecast; without a backtest, every part the
    training fits. A part that fails fails the combination.
    """
    parts = series.combo or combo_parts(int(np.count_nonzero(train["open"].to_numpy())))
    if len(parts) < 2:
        msg = f"combo needs two of {list(COMBO_PARTS)}; the training fits {list(parts)}"
        raise ValueError(msg)
    fits = [_FITTERS[name](series, train, future, fixed=fixed) for name in parts]
    return combine([f[0] for f in fits], [f[1] for f in fits])


_FITTERS = {
    "combo": _fit_combo,
    "uc": _fit_uc,
    "uc_yearly": _fit_uc_yearly,
    "ets": _fit_ets,
    "stl_ets": _fit_stl,
    "snaive": _fit_snaive,
}


def fit_predict(
    series: Series, name: str, train: pl.DataFrame, future: pl.DataFrame, *, fixed: bool = False
) -> tuple[FloatArray, FloatArray]:
    """Fit ``name`` on ``train`` and forecast every calendar day of ``future``.

    ``fixed``: keep the parameters of the series' anchor fit (the oldest backtest window)
    and only rerun the filter on ``train``, where the model allows it (``uc``, ``ets``,
    ``stl_ets``).
    """
    try:
        mean, sd = _FITTERS[name](series, train, future, fixed=fixed)
    except (ValueError, np.linalg.LinAlgError, IndexError) as exc:
        msg = f"forecast: model {name!r} failed on series {series.uid!r}: {exc}"
        raise ModelFailedError(msg) from exc
    if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(sd))):
        msg = f"forecast: model {name!r} produced non-finite values on series {series.uid!r}."
        raise ModelFailedError(msg)
    return mean, sd


class ModelFailedError(InsightsError):
    """A candidate model could not be fitted or forecast non-finite values."""
