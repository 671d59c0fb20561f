"""The forecast total over a period, with an interval derived from how daily errors move together.

Adding up the daily ``lo``/``hi`` bounds assumes every day misses by its full range in the same
direction at once (perfectly correlated errors) and gives a range far too wide; treating days as
independent (adding variances) gives one far too narrow, since a forecast that starts a little
high stays high for days. The truth lies between, and the backtest measures where.

**Method.** Each day's forecast ``i`` (a channel-day) has a standard deviation read off its
calibrated interval, ``σ_i = (hi_L − lo_L) / (2·z_L)``, as :func:`insights.contact_volume` and
:func:`insights.intraday_volume` read them. The days' errors are taken to share one
correlation ``ρ`` (exchangeable), so the total's variance is

``Var(T) = (1 − ρ)·Σ σ_i² + ρ·(Σ σ_i)²``

(``ρ = 0``: independent days; ``ρ = 1``: the sum of the daily ranges) and its ``L``% interval is
``Σ mean_i ± √(z_L²·(1 − ρ)·Σ σ_i² + t_L²·ρ·(Σ σ_i)²)``, floored at 0, where ``t_L`` is Student's
t quantile with as many degrees of freedom as backtest windows: the shared part of the errors
is measured on one shock per window, a handful, so its quantile widens as a variance estimated
from that many draws requires. (On simulated errors sharing one shock per window, the 80%
range held 80% of totals at ``ρ = 0.07`` (the sample's: 0.05–0.07) from 4 windows, and
79–83% from 4 to 13 windows at ``ρ = 0.3``; with ``z`` in place of ``t`` 77–78%.) It is
never wider than the daily ranges added up, the widest any correlation of normal errors can
make it.

``ρ`` is estimated from held-out days (:func:`insights.backtest_predictions` of the chosen
model per series): each error is standardised by the model's own standard deviation and
rescaled to unit mean square per series (so the calibration factor drops out), and ``ρ`` is
the mean product of two different days' standardised errors in the same backtest window (all
channels together, since the total adds channels too),
``ρ = Σ_w [(Σ_i u_i)² − Σ_i u_i²] / Σ_w n_w·(n_w − 1)``, clipped to [0, 1].
"""

from __future__ import annotations

import math

import polars as pl
from scipy import stats

from insights._common import level_tag, normal_quantile, require_columns
from insights.errors import ParameterError

__all__ = ["error_correlation", "forecast_total"]


def error_correlation(errors: pl.DataFrame, /) -> float:
    """Correlation of two different days' forecast errors within one backtest window.

    Parameters
    ----------
    errors
        :func:`insights.backtest_predictions` output of one model per series: ``window``,
        ``y``, ``mean``, ``sd`` (and ``unique_id``). Windows are matched across series, so the
        pairs include the same window's days of different series.

    Returns
    -------
    float
        The mean product of standardised errors over pairs of days in the same window
        (module docstring), clipped to [0, 1]; 0 when no window holds two days.

    Examples
    --------
    Errors of one sign within each window (a level the forecast missed) correlate:

    >>> errors = pl.DataFrame({"window": [0, 0, 1, 1], "y": [12.0, 11.0, 8.0, 9.0],
    ...                        "mean": [10.0] * 4, "sd": [2.0] * 4})
    >>> round(error_correlation(errors), 3)
    0.8

    """
    require_columns(errors, ["window", "y", "mean", "sd"], who="error_correlation")
    keys = [c for c in ("unique_id",) if c in errors.columns]
    e = (pl.col("y") - pl.col("mean")) / pl.col("sd")
    scaled = (
        errors.filter(pl.col("sd") > 0)
        .with_columns(e.alias("_e"))
        .drop_nulls("_e")
        .filter(pl.col("_e").is_finite())
    )
    rms = (pl.col("_e") ** 2).mean().sqrt()
    u = pl.col("_e") / (rms.over(keys) if keys else rms)
    sums = (
        scaled.with_columns(u.alias("_u"))
        .filter(pl.col("_u").is_finite())
        .group_by("window")
        .agg(
            pl.col("_u").sum().alias("s"),
            (pl.col("_u") ** 2).sum().alias("q"),
            pl.len().cast(pl.Float64).alias("n"),
        )
    )
    pairs = float((sums["n"] * (sums["n"] - 1)).sum()) if sums.height else 0.0
    if pairs <= 0:
        return 0.0
    rho = float((sums["s"] ** 2 - sums["q"]).sum()) / pairs
    return min(max(rho, 0.0), 1.0)


def forecast_total(
    forecast: pl.DataFrame,
    errors: pl.DataFrame,
    /,
    *,
    level: float = 80,
) -> pl.DataFrame:
    """Add up a forecast over all its rows, with the ``level``% interval of the total.

    Parameters
    ----------
    forecast
        Daily forecasts (e.g. :func:`insights.contact_volume`): ``mean``, ``lo_<L>`` and
        ``hi_<L>`` for ``level``, one row per series and day; every row is added up.
    errors
        Held-out errors of the models that made ``forecast``
        (:func:`insights.backtest_predictions`, one model per series): how strongly the
        days' errors move together (:func:`error_correlation`).
    level
        Interval level in percent (``lo_<L>``/``hi_<L>`` must be in ``forecast``).

    Returns
    -------
    pl.DataFrame
        One row: ``mean`` (the total), ``lo_<L>``, ``hi_<L>``, ``correlation`` (the ``ρ`` used),
        ``windows`` (backtest windows it was measured on) and ``days`` (rows added). The
        interval follows the module docstring.

    Raises
    ------
    ParameterError
        ``forecast`` lacks ``lo_<L>``/``hi_<L>``.

    Examples
    --------
    Three days, each 100 ± 10 at 80%, whose errors in four backtest windows correlate at 1/3:

    >>> days = pl.DataFrame({"mean": [100.0] * 3, "lo_80": [90.0] * 3, "hi_80": [110.0] * 3})
    >>> errors = pl.DataFrame({"window": [0, 0, 1, 1, 2, 2, 3, 3],
    ...                        "y": [11.0, 11.0, 9.0, 9.0, 11.0, 9.0, 10.0, 10.0],
    ...                        "mean": 10.0, "sd": 2.0})
    >>> total = forecast_total(days, errors)
    >>> [round(v, 2) for v in total.select("mean", "lo_80", "hi_80", "correlation").row(0)]
    [300.0, 274.91, 325.09, 0.33]

    Independent days would give 300 ± 17.3, the sum of the daily ranges 300 ± 30.

    """
    tag = level_tag(level)
    lo, hi = f"lo_{tag}", f"hi_{tag}"
    if lo not in forecast.columns or hi not in forecast.columns:
        msg = (
            f"forecast_total: level={level:g} needs columns {lo!r} and {hi!r} in the forecast "
            f"(columns: {forecast.columns}); forecast with that level."
        )
        raise ParameterError(msg)
    require_columns(forecast, ["mean"], who="forecast_total")
    rho = error_correlation(errors)
    z = normal_quantile(level)
    windows = errors.get_column("window").n_unique()
    t = float(stats.t.ppf(0.5 + level / 200, windows)) if windows else z
    sd = ((pl.col(hi) - pl.col(lo)) / (2 * z)).cast(pl.Float64)
    sums = forecast.select(
        pl.col("mean").cast(pl.Float64).sum().alias("mean"),
        (sd**2).sum().alias("_var"),
        sd.sum().alias("_sum"),
        pl.len().alias("days"),
    ).row(0, named=True)
    spread = min(
        math.sqrt(z**2 * (1 - rho) * sums["_var"] + t**2 * rho * sums["_sum"] ** 2),
        z * sums["_sum"],  # the daily ranges added up: as wide as any correlation makes it
    )
    total = float(sums["mean"])
    return pl.DataFrame(
        {
            "mean": [total],
            lo: [max(total - spread, 0.0)],
            hi: [total + spread],
            "correlation": [rho],
            "windows": [windows],
            "days": [int(sums["days"])],
        },
        schema_overrides={"windows": pl.Int64, "days": pl.Int64},
    )
