"""How did our last forecasts do? The archive record of a forecast, and its scored days.

Every published forecast is archived as a *forecast record* (:func:`forecast_record`): the
point forecasts and intervals per series and day, the model, the origin ``as_of``, the
horizon of each day, the MASE scale of the history it was made from, and the recent actuals
that history ended with. :mod:`insights.forecasting.archive` writes records next to the
published reports and reads them back. A later run scores the earlier records against the
actuals that have arrived since::

    forecast_record(forecast, history, as_of=..., target=...)   what gets archived (here)
    scored_forecasts(archive, actuals=...)                      forecast days with an actual (here)
    forecast_accuracy(scored, by=("unique_id", "horizon_week")) MASE, coverage and drift flags
    tracking_summary(archive, scored)                           the sentence for the report
    tracking_chart(forecast_accuracy(scored, by=("as_of", "unique_id")))

The last three live in :mod:`insights.forecasting.accuracy` (the metrics and the drift rule)
and :mod:`insights.forecasting.tracking_chart`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta

import polars as pl

from insights._common import parse_day, require_columns, tag_level
from insights.errors import ParameterError

__all__ = ["RECORD_COLUMNS", "forecast_record", "scored_forecasts"]

#: Fixed columns of a forecast record; ``lo_<L>``/``hi_<L>`` follow for each level. Nothing
#: else is archived, so an identifier column can never reach the archive.
RECORD_COLUMNS: dict[str, pl.DataType] = {
    "target": pl.String(),
    "as_of": pl.Date(),
    "kind": pl.String(),
    "unique_id": pl.String(),
    "ds": pl.Date(),
    "horizon": pl.Int32(),
    "model": pl.String(),
    "mean": pl.Float64(),
    "y": pl.Float64(),
    "scale": pl.Float64(),
}
_BOUND = re.compile(r"^(lo|hi)_(\d+(?:_\d+)?)$")
_MIN_CUSTOMERS = 10


def _levels(columns: Sequence[str]) -> list[str]:
    """Level tags (``"80"``, ``"97_5"``) with both a ``lo_`` and a ``hi_`` column, in order."""
    tags = [m.group(2) for c in columns if (m := _BOUND.match(c)) and m.group(1) == "lo"]
    return sorted({t for t in tags if f"hi_{t}" in columns}, key=tag_level)


def _with_uid(frame: pl.DataFrame) -> pl.DataFrame:
    if "unique_id" in frame.columns:
        return frame.with_columns(pl.col("unique_id").cast(pl.String))
    return frame.with_columns(pl.lit("total", dtype=pl.String).alias("unique_id"))


def _seasonal_scale(history: pl.DataFrame, /, *, as_of: date) -> pl.DataFrame:
    """Mean ``|y[t] − y[t−7]|`` per series over the 365 days to ``as_of`` (null if none)."""
    recent = history.filter(pl.col("ds") > as_of - timedelta(days=365))
    lagged = recent.select(
        "unique_id", (pl.col("ds") + timedelta(days=7)).alias("ds"), pl.col("y").alias("y_7")
    )
    diffs = recent.join(lagged, on=["unique_id", "ds"], how="inner")
    scale = diffs.group_by("unique_id").agg(
        (pl.col("y") - pl.col("y_7")).abs().mean().alias("scale")
    )
    return scale.with_columns(pl.when(pl.col("scale") > 0).then("scale").alias("scale"))


def forecast_record(
    forecast: pl.DataFrame,
    history: pl.DataFrame,
    /,
    *,
    as_of: date | str,
    target: str,
    model: str | None = None,
    y: str = "y",
    counts: str | None = None,
    actual_days: int = 120,
    min_customers: int = _MIN_CUSTOMERS,
) -> pl.DataFrame:
    """Build the archive record of a forecast: the forecast and the actuals it ended on.

    Parameters
    ----------
    forecast
        ``ds``, ``mean``, ``lo_<L>``/``hi_<L>``, optionally ``unique_id`` and ``model`` (as
        :func:`insights.forecast` and :func:`insights.contact_volume` return).
    history
        The actuals the forecast was made from: ``ds``, the ``y`` column, optionally
        ``unique_id`` (matching the forecast's) and the ``counts`` column.
    as_of
        Last day of history: the forecast's origin. Later history rows are ignored.
    target
        What is forecast, in words that tell forecasts of different things apart (e.g.
        ``"contacts per day (tags: all)"``); a later run scores only records of its target.
    model
        Model name for forecasts without a ``model`` column.
    y
        The history column holding the actual values.
    counts
        The history column counting distinct people on that day (e.g. ``"customers"``,
        or ``"y"`` itself when the actual is a count of people, as sign-ups are). Actual rows
        where it is between 1 and ``min_customers − 1`` are left out of the record, so the
        archive never holds a small count of people (those days are simply not scored).
    actual_days
        Days of actuals before ``as_of`` kept (later runs score earlier forecasts on them).
    min_customers
        The disclosure floor for ``counts``.

    Returns
    -------
    pl.DataFrame
        :data:`RECORD_COLUMNS` (``target``, ``as_of``, ``kind`` = ``"forecast"`` or
        ``"actual"``, ``unique_id`` (``"total"`` when the forecast has none), ``ds``,
        ``horizon`` (days after ``as_of``), ``model``, ``mean``, ``y``, ``scale`` (the MASE
        scale of the history), then ``lo_<L>``, ``hi_<L>``. Forecast rows carry the forecast,
        actual rows ``y``. No other column is ever kept.

    Examples
    --------
    >>> days = pl.date_range(date(2025, 6, 1), date(2025, 6, 14), eager=True)
    >>> history = pl.DataFrame({"ds": days, "y": [10.0, 12, 11, 13, 12, 14, 13] * 2})
    >>> fc = pl.DataFrame({"ds": [date(2025, 6, 15)], "model": ["uc"], "mean": [11.0],
    ...                    "lo_80": [9.0], "hi_80": [13.0]})
    >>> rec = forecast_record(fc, history, as_of="2025-06-14", target="calls", actual_days=2)
    >>> rec.select("kind", "ds", "horizon", "mean", "y", "scale", "lo_80")
    shape: (3, 7)
    ┌──────────┬────────────┬─────────┬──────┬──────┬───────┬───────┐
    │ kind     ┆ ds         ┆ horizon ┆ mean ┆ y    ┆ scale ┆ lo_80 │
    │ ---      ┆ ---        ┆ ---     ┆ ---  ┆ ---  ┆ ---   ┆ ---   │
    │ str      ┆ date       ┆ i32     ┆ f64  ┆ f64  ┆ f64   ┆ f64   │
    ╞══════════╪════════════╪═════════╪══════╪══════╪═══════╪═══════╡
    │ forecast ┆ 2025-06-15 ┆ 1       ┆ 11.0 ┆ null ┆ null  ┆ 9.0   │
    │ actual   ┆ 2025-06-13 ┆ null    ┆ null ┆ 14.0 ┆ null  ┆ null  │
    │ actual   ┆ 2025-06-14 ┆ null    ┆ null ┆ 13.0 ┆ null  ┆ null  │
    └──────────┴────────────┴─────────┴──────┴──────┴───────┴───────┘

    The scale is null here: the history repeats every week, so seasonal naive is perfect.

    """
    origin = parse_day(as_of, name="as_of")
    if not target or not isinstance(target, str):
        msg = "forecast_record: target must name what is forecast, e.g. 'contacts per day'."
        raise ParameterError(msg)
    if isinstance(actual_days, bool) or actual_days < 0:
        msg = f"forecast_record: actual_days={actual_days!r} must be 0 or more days."
        raise ParameterError(msg)
    require_columns(forecast, ["ds", "mean"], who="forecast_record", what="the forecast")
    require_columns(
        history, ["ds", y, *([counts] if counts else [])], who="forecast_record", what="the history"
    )
    if "model" not in forecast.columns and model is None:
        msg = "forecast_record: the forecast has no `model` column; pass model='...'."
        raise ParameterError(msg)
    levels = _levels(forecast.columns)
    bounds = [f"{side}_{t}" for t in levels for side in ("lo", "hi")]
    fc = _with_uid(forecast)
    early = fc.filter(pl.col("ds") <= origin)
    if early.height:
        msg = (
            f"forecast_record: {early.height} forecast day(s) are on or before as_of={origin} "
            f"(first {early['ds'].min()!s}); a forecast starts the day after its origin."
        )
        raise ParameterError(msg)
    past = _with_uid(history.rename({y: "y"}) if y != "y" else history).filter(
        pl.col("ds") <= origin
    )
    past = past.with_columns(pl.col("y").cast(pl.Float64))
    scale = _seasonal_scale(past.drop_nulls("y"), as_of=origin)
    model_expr = pl.col("model").cast(pl.String) if "model" in fc.columns else pl.lit(model)
    forecasts = fc.join(scale, on="unique_id", how="left").select(
        pl.lit("forecast").alias("kind"),
        "unique_id",
        "ds",
        (pl.col("ds") - pl.lit(origin)).dt.total_days().cast(pl.Int32).alias("horizon"),
        model_expr.alias("model"),
        pl.col("mean").cast(pl.Float64),
        "scale",
        *(pl.col(b).cast(pl.Float64) for b in bounds),
    )
    kept = past.filter(pl.col("ds") > origin - timedelta(days=actual_days))
    if counts:
        column = "y" if counts == y else counts
        kept = kept.filter(~pl.col(column).is_between(1, min_customers - 1, closed="both"))
    actuals = kept.drop_nulls("y").select(pl.lit("actual").alias("kind"), "unique_id", "ds", "y")
    frame = pl.concat([forecasts, actuals], how="diagonal_relaxed").with_columns(
        pl.lit(target).alias("target"), pl.lit(origin).alias("as_of")
    )
    return frame.select(
        *(
            pl.col(c).cast(t) if c in frame.columns else pl.lit(None, t).alias(c)
            for c, t in RECORD_COLUMNS.items()
        ),
        *bounds,
    ).sort("kind", "unique_id", "ds", descending=[True, False, False])


def _latest_actuals(archive: pl.DataFrame, actuals: pl.DataFrame | None) -> pl.DataFrame:
    """One actual per target, series and day: the given ``actuals`` win, then the newest record."""
    archived = (
        archive.filter(pl.col("kind") == "actual")
        .sort("as_of")
        .group_by("target", "unique_id", "ds")
        .agg(pl.col("y").last())
    )
    if actuals is None:
        return archived
    require_columns(actuals, ["ds", "y"], who="scored_forecasts", what="actuals")
    given = (
        _with_uid(actuals).select("unique_id", "ds", pl.col("y").cast(pl.Float64)).drop_nulls("y")
    )
    targets = archive.select("target").unique()
    fresh = targets.join(given, how="cross")
    older = archived.join(fresh, on=["target", "unique_id", "ds"], how="anti")
    return pl.concat([fresh.select(archived.columns), older])


def scored_forecasts(
    archive: pl.DataFrame,
    /,
    *,
    actuals: pl.DataFrame | None = None,
    as_of: date | str | None = None,
) -> pl.DataFrame:
    """Score archived forecast days that now have an actual: errors and interval hits.

    Parameters
    ----------
    archive
        Forecast records (:func:`forecast_record` rows, as
        :func:`insights.read_forecast_archive` returns them).
    actuals
        The latest actuals, ``ds``, ``y`` and optionally ``unique_id`` (e.g. this run's
        history); they apply to every target in ``archive`` and win over archived actuals.
        Without them, the newest archived actual of each day is used.
    as_of
        Score only forecasts made before this day, against actuals up to it (a re-render of
        an old date does not see its future).

    Returns
    -------
    pl.DataFrame
        ``target``, ``as_of`` (the forecast's origin), ``unique_id``, ``model``, ``ds``,
        ``horizon`` (days ahead), ``horizon_week`` (1 = days 1–7, …), ``y``, ``mean``,
        ``scale``, ``scaled_error`` (``|y − mean| / scale``, null without a scale), then
        ``lo_<L>``, ``hi_<L>``, ``inside_<L>`` per level. Empty (same columns) when nothing
        can be scored yet.

    Examples
    --------
    >>> archive = pl.DataFrame({
    ...     "target": ["calls"] * 3, "as_of": [date(2025, 6, 1)] * 3,
    ...     "kind": ["forecast", "forecast", "actual"], "unique_id": ["phone"] * 3,
    ...     "ds": [date(2025, 6, 2), date(2025, 6, 9), date(2025, 6, 1)],
    ...     "horizon": [1, 8, None], "model": ["uc", "uc", None], "mean": [100.0, 100, None],
    ...     "y": [None, None, 90.0], "scale": [10.0, 10, None],
    ...     "lo_80": [90.0, 85, None], "hi_80": [110.0, 115, None]})
    >>> later = pl.DataFrame({"unique_id": ["phone", "phone"],
    ...                       "ds": [date(2025, 6, 2), date(2025, 6, 9)], "y": [95.0, 120.0]})
    >>> scored_forecasts(archive, actuals=later).select(
    ...     "ds", "horizon_week", "y", "mean", "scaled_error", "inside_80")
    shape: (2, 6)
    ┌────────────┬──────────────┬───────┬───────┬──────────────┬───────────┐
    │ ds         ┆ horizon_week ┆ y     ┆ mean  ┆ scaled_error ┆ inside_80 │
    │ ---        ┆ ---          ┆ ---   ┆ ---   ┆ ---          ┆ ---       │
    │ date       ┆ i32          ┆ f64   ┆ f64   ┆ f64          ┆ bool      │
    ╞════════════╪══════════════╪═══════╪═══════╪══════════════╪═══════════╡
    │ 2025-06-02 ┆ 1            ┆ 95.0  ┆ 100.0 ┆ 0.5          ┆ true      │
    │ 2025-06-09 ┆ 2            ┆ 120.0 ┆ 100.0 ┆ 2.0          ┆ false     │
    └────────────┴──────────────┴───────┴───────┴──────────────┴───────────┘

    """
    archive = _archive_frame(archive, who="scored_forecasts")
    levels = _levels(archive.columns)
    forecasts = archive.filter(pl.col("kind") == "forecast")
    if as_of is not None:
        cut = parse_day(as_of, name="as_of")
        forecasts = forecasts.filter(pl.col("as_of") < cut)
        if actuals is not None:
            actuals = actuals.filter(pl.col("ds") <= cut)
    latest = _latest_actuals(archive, actuals)
    if as_of is not None:
        latest = latest.filter(pl.col("ds") <= parse_day(as_of, name="as_of"))
    error = (pl.col("y") - pl.col("mean")).abs()
    joined = forecasts.drop("y").join(latest, on=["target", "unique_id", "ds"], how="inner")
    return joined.select(
        "target",
        "as_of",
        "unique_id",
        "model",
        "ds",
        "horizon",
        ((pl.col("horizon") - 1) // 7 + 1).cast(pl.Int32).alias("horizon_week"),
        "y",
        "mean",
        "scale",
        (error / pl.col("scale")).alias("scaled_error"),
        *(pl.col(f"{side}_{t}") for t in levels for side in ("lo", "hi")),
        *(
            pl.col("y").is_between(pl.col(f"lo_{t}"), pl.col(f"hi_{t}")).alias(f"inside_{t}")
            for t in levels
        ),
    ).sort("target", "as_of", "unique_id", "ds")


def _archive_frame(archive: pl.DataFrame, /, *, who: str) -> pl.DataFrame:
    require_columns(archive, list(RECORD_COLUMNS), who=who, what="the archive")
    return archive.with_columns(pl.col(c).cast(t) for c, t in RECORD_COLUMNS.items())
