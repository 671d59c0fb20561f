"""Reader tables of the growth forecast: the results laid out for a person, not a program.

The published tables (CSV and Parquet beside the report) keep their machine columns
(``unique_id``, ``model``, ``mase_vs_snaive`` …) so they can be reused; these functions give
:func:`insights.show` the same results as the contact report's tables
(:mod:`insights.contacts.tables`) give them: series and methods in plain words, the error
against repeating the same day last week, shares of days inside a range, a row per day.
"""

from __future__ import annotations

import polars as pl

from insights._common import require_columns
from insights.forecasting.labels import (
    IN_80,
    IN_95,
    capitalised,
    grouped_number,
    model_labels,
    tracking_columns,
)

__all__ = [
    "SERIES_LABELS",
    "growth_backtest_table",
    "growth_forecast_table",
    "growth_tracking_table",
]

#: Reader's words for the growth series (``unique_id`` of :func:`insights.growth_series`).
SERIES_LABELS: dict[str, str] = {"signups": "Sign-ups", "open_accounts": "Open accounts"}


def _series(column: str = "unique_id") -> pl.Expr:
    return pl.col(column).cast(pl.String).replace(SERIES_LABELS).alias("series")


def growth_backtest_table(scores: pl.DataFrame, /, *, forecast: pl.DataFrame) -> pl.DataFrame:
    """Each method's record on past windows, per series, the method the forecast uses first.

    Parameters
    ----------
    scores
        :func:`insights.growth_backtest` output: ``unique_id``, ``model``, ``mase_vs_snaive``,
        ``calibrated_coverage_80``, ``calibrated_coverage_95`` (and ``short_history``).
    forecast
        :func:`insights.growth_forecast` output: ``unique_id`` and ``model``, the method each
        series is forecast with (open accounts: ``"flows"``, which is not the lowest error
        of the candidates scored beside it).

    Returns
    -------
    pl.DataFrame
        ``series`` ("Sign-ups", "Open accounts"), ``method`` (plain words),
        ``error_vs_same_day_last_week`` (1 = as good as repeating the same day last week,
        lower is better), ``share_of_days_in_80%_range`` and ``share_of_days_in_95%_range``
        (null where a candidate is not published with calibrated ranges), ``used`` ("yes" for
        the method the forecast uses), and ``history`` ("short: fewer methods and windows")
        only when some series' history was short. Used method first, then by error.

    Examples
    --------
    >>> scores = pl.DataFrame({"unique_id": ["signups"] * 2, "model": ["snaive", "ets"],
    ...     "mase_vs_snaive": [1.0, 0.8], "calibrated_coverage_80": [0.7, 0.8],
    ...     "calibrated_coverage_95": [0.9, 0.95], "short_history": [False, False]})
    >>> fc = pl.DataFrame({"unique_id": ["signups"], "model": ["ets"]})
    >>> growth_backtest_table(scores, forecast=fc).select("series", "method", "used").rows()
    [('Sign-ups', 'Smoothed level + weekly pattern', 'yes'), ('Sign-ups', 'Same day last week', '')]

    """
    need = ["unique_id", "model", "mase_vs_snaive", "calibrated_coverage_80"]
    require_columns(scores, [*need, "calibrated_coverage_95"], who="growth_backtest_table")
    require_columns(forecast, ["unique_id", "model"], who="growth_backtest_table")
    used = forecast.select("unique_id", pl.col("model").alias("_used")).unique("unique_id")
    marked = scores.join(used, on="unique_id", how="left").with_columns(
        (pl.col("model") == pl.col("_used")).fill_null(value=False).alias("_is_used"),
        pl.col("unique_id")
        .replace_strict(list(SERIES_LABELS), range(len(SERIES_LABELS)), default=len(SERIES_LABELS))
        .alias("_order"),
    )
    short = "short_history" in scores.columns and bool(scores["short_history"].any())
    history = (
        [
            pl.when(pl.col("short_history"))
            .then(pl.lit("short: fewer methods and windows"))
            .otherwise(pl.lit(""))
            .alias("history")
        ]
        if short
        else []
    )
    method = model_labels().alias("method")
    return marked.sort(
        ["_order", "unique_id", "_is_used", "mase_vs_snaive"],
        descending=[False, False, True, False],
        nulls_last=True,
    ).select(
        _series(),
        capitalised(method).alias("method"),
        pl.col("mase_vs_snaive").alias("error_vs_same_day_last_week"),
        pl.col("calibrated_coverage_80").alias(IN_80),
        pl.col("calibrated_coverage_95").alias(IN_95),
        pl.when(pl.col("_is_used")).then(pl.lit("yes")).otherwise(pl.lit("")).alias("used"),
        *history,
    )


def growth_forecast_table(growth: pl.DataFrame, /) -> pl.DataFrame:
    """Sign-ups and open accounts expected per day, each with its 80% range.

    Parameters
    ----------
    growth
        :func:`insights.growth_forecast` output: ``unique_id``, ``ds``, ``mean``, ``lo_80``,
        ``hi_80``.

    Returns
    -------
    pl.DataFrame
        ``day`` ("Fri 1 Aug"), then one text column per series in reader words ("Sign-ups",
        "Open accounts"): the expected value, then the 80% range ("52,310 (52,020 to
        52,590)"); one row per day.

    Examples
    --------
    >>> from datetime import date
    >>> g = pl.DataFrame({"unique_id": ["open_accounts", "signups"], "ds": [date(2025, 8, 1)] * 2,
    ...     "mean": [52310.4, 3.6], "lo_80": [52020.0, 1.2], "hi_80": [52590.0, 5.8]})
    >>> growth_forecast_table(g).rows()
    [('Fri 1 Aug', '4 (1 to 6)', '52,310 (52,020 to 52,590)')]

    """
    require_columns(
        growth, ["unique_id", "ds", "mean", "lo_80", "hi_80"], who="growth_forecast_table"
    )
    parts = (grouped_number(pl.col(c)) for c in ("mean", "lo_80", "hi_80"))
    text = pl.format("{} ({} to {})", *parts)
    cells = growth.select("ds", _series(), text.alias("cell"))
    wide = cells.pivot(on="series", index="ds", values="cell", sort_columns=True)
    known = [label for label in SERIES_LABELS.values() if label in wide.columns]
    other = sorted(c for c in wide.columns if c not in {"ds", *known})
    return wide.sort("ds").select(
        pl.col("ds").dt.strftime("%a %-d %b").alias("day"), *known, *other
    )


def growth_tracking_table(accuracy: pl.DataFrame, /) -> pl.DataFrame:
    """How earlier growth forecasts did, per series and week ahead, in plain columns.

    Parameters
    ----------
    accuracy
        :func:`insights.forecast_accuracy` output by ``("unique_id", "horizon_week")``.

    Returns
    -------
    pl.DataFrame
        The contact report's tracking columns (:func:`insights.tracking_table`) with
        ``series`` (reader words) in place of ``unique_id``: ``week_ahead``, ``forecasts``,
        ``error_vs_usual_weekly_change`` (below 1 beats repeating last week),
        ``share_of_days_in_80%_range`` and ``check_the_ranges`` ("yes" when a range held too
        few or too many days).

    Examples
    --------
    >>> acc = pl.DataFrame({"unique_id": ["signups"], "horizon_week": [1], "forecasts": [2],
    ...     "n_days": [12], "mase": [0.8], "coverage_80": [0.75], "drift": [False]})
    >>> growth_tracking_table(acc).row(0)
    ('Sign-ups', 1, 2, 0.8, 0.75, 'no')

    """
    need = ["unique_id", "horizon_week", "forecasts", "mase"]
    require_columns(accuracy, need, who="growth_tracking_table")
    return tracking_columns(accuracy, key=_series())
