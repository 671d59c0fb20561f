"""Reader tables of the contact forecast: the results laid out for an operations manager.

The published tables (CSV and Parquet beside the report) keep their machine columns
(``unique_id``, ``ds``, ``mean``, ``lo_80`` …) so they can be reused; these functions give
:func:`insights.show` the same results in the shape a person reads: a row per day with a
column per channel, plain method names, the error against repeating last week, shares of days
inside a range. Their column names are chosen so that the display layer writes them as
labels ("error_vs_same_day_last_week" → "Error vs same day last week").
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

__all__ = ["backtest_table", "daily_forecast_table", "staffing_table", "tracking_table"]


def backtest_table(scores: pl.DataFrame, /) -> pl.DataFrame:
    """Each method's record on past weeks, per channel, the method used first.

    Parameters
    ----------
    scores
        :func:`insights.backtest` output: ``unique_id``, ``model``, ``mase_vs_snaive``,
        ``calibrated_coverage_80`` and ``calibrated_coverage_95``.

    Returns
    -------
    pl.DataFrame
        ``unique_id`` (channel), ``method`` (plain words), ``error_vs_same_day_last_week``
        (1 = as good as repeating the same day last week, lower is better),
        ``share_of_days_in_80%_range`` and ``share_of_days_in_95%_range`` (after
        calibration), ``used`` ("yes" for the method the forecast uses, the lowest error).

    Examples
    --------
    >>> scores = pl.DataFrame({"unique_id": ["phone", "phone"], "model": ["snaive", "uc"],
    ...     "mase_vs_snaive": [1.0, 0.9], "calibrated_coverage_80": [0.7, 0.8],
    ...     "calibrated_coverage_95": [0.9, 0.95]})
    >>> backtest_table(scores).select("method", "error_vs_same_day_last_week", "used").rows()
    [('Trend + weekly and yearly pattern', 0.9, 'yes'), ('Same day last week', 1.0, '')]

    """
    need = [
        "unique_id",
        "model",
        "mase_vs_snaive",
        "calibrated_coverage_80",
        "calibrated_coverage_95",
    ]
    require_columns(scores, need, who="backtest_table")
    error = pl.col("mase_vs_snaive")
    return (
        scores.select(
            "unique_id",
            model_labels().alias("method"),
            error.alias("error_vs_same_day_last_week"),
            pl.col("calibrated_coverage_80").alias(IN_80),
            pl.col("calibrated_coverage_95").alias(IN_95),
            pl.when(error == error.min().over("unique_id"))
            .then(pl.lit("yes"))
            .otherwise(pl.lit(""))
            .alias("used"),
        )
        .with_columns(capitalised(pl.col("method")))
        .sort("unique_id", "error_vs_same_day_last_week")
    )


def _amount(value: pl.Expr, *, decimals: int) -> pl.Expr:
    """Write a non-negative number with ``decimals`` places, whole numbers grouped (``1,234``)."""
    if decimals:
        return value.round(decimals).cast(pl.String)
    return grouped_number(value)


def daily_forecast_table(volume: pl.DataFrame, /) -> pl.DataFrame:
    """Contacts expected per day: a column per channel with its 80% range, and the total.

    Parameters
    ----------
    volume
        :func:`insights.contact_volume` output: ``unique_id``, ``ds``, ``mean``, ``lo_80``,
        ``hi_80``.

    Returns
    -------
    pl.DataFrame
        ``day`` ("Mon 1 Sep"), one text column per channel ("77 (65 to 90)": expected, then
        the 80% range; "closed" on a day the channel does not open) and ``all_channels``
        (the expected total, as text), one row per calendar day. Whole numbers, unless no
        channel expects 10 contacts on any day (a rare tag): then one decimal everywhere, so
        that channels of "0.4" add up to the total of "1.2" they show, where whole numbers
        would show "0 (0 to 1)" per channel beside a total of 1.

    Examples
    --------
    >>> from datetime import date
    >>> v = pl.DataFrame({"unique_id": ["chat", "chat", "phone"],
    ...     "ds": [date(2025, 9, 6), date(2025, 9, 7), date(2025, 9, 6)],
    ...     "mean": [34.3, 49.0, 40.4], "lo_80": [21.5, 36.3, 30.0], "hi_80": [46.7, 61.3, 51.0]})
    >>> daily_forecast_table(v).rows()
    [('Sat 6 Sep', '34 (22 to 47)', '40 (30 to 51)', '75'), ('Sun 7 Sep', '49 (36 to 61)', 'closed', '49')]
    >>> rare = pl.DataFrame({"unique_id": ["chat", "phone"], "ds": [date(2025, 9, 1)] * 2,
    ...     "mean": [0.42, 0.36], "lo_80": [0.0, 0.0], "hi_80": [1.14, 0.93]})
    >>> daily_forecast_table(rare).rows()
    [('Mon 1 Sep', '0.4 (0.0 to 1.1)', '0.4 (0.0 to 0.9)', '0.8')]

    """  # noqa: E501
    require_columns(
        volume, ["unique_id", "ds", "mean", "lo_80", "hi_80"], who="daily_forecast_table"
    )
    busiest = volume["mean"].max()
    decimals = 1 if isinstance(busiest, float | int) and busiest < 10 else 0
    text = pl.format(
        "{} ({} to {})",
        *(_amount(pl.col(c), decimals=decimals) for c in ("mean", "lo_80", "hi_80")),
    )
    cells = volume.select("ds", "unique_id", text.alias("cell"))
    wide = cells.pivot(on="unique_id", index="ds", values="cell", sort_columns=True)
    channels = [c for c in wide.columns if c != "ds"]
    totals = volume.group_by("ds").agg(
        _amount(pl.col("mean").sum(), decimals=decimals).alias("all_channels")
    )
    return (
        wide.join(totals, on="ds")
        .sort("ds")
        .select(
            pl.col("ds").dt.strftime("%a %-d %b").alias("day"),
            *(pl.col(c).fill_null("closed") for c in channels),
            "all_channels",
        )
    )


def staffing_table(staffing: pl.DataFrame, /) -> pl.DataFrame:
    """Agents per day and live channel: the most needed at once, and the agent hours.

    Parameters
    ----------
    staffing
        :func:`insights.daily_staffing` output: ``unique_id``, ``ds``, ``peak_agents``,
        ``agent_hours``.

    Returns
    -------
    pl.DataFrame
        ``day`` ("Mon 1 Sep"), then per channel ``<channel>_peak_agents`` (most agents to
        schedule in one half hour, after breaks and absence) and ``<channel>_agent_hours``
        (rounded up); 0 on a day the channel does not open.

    Examples
    --------
    >>> from datetime import date
    >>> s = pl.DataFrame({"unique_id": ["chat", "phone"], "ds": [date(2025, 9, 7)] * 2,
    ...     "peak_agents": [5, 0], "agent_hours": [44.0, 0.0]})
    >>> staffing_table(s).columns
    ['day', 'chat_peak_agents', 'chat_agent_hours', 'phone_peak_agents', 'phone_agent_hours']

    """
    require_columns(
        staffing, ["unique_id", "ds", "peak_agents", "agent_hours"], who="staffing_table"
    )
    channels = sorted(str(c) for c in staffing["unique_id"].unique())
    wide = staffing.select(
        "ds",
        "unique_id",
        pl.col("peak_agents").cast(pl.Int64),
        pl.col("agent_hours").ceil().cast(pl.Int64),
    ).pivot(on="unique_id", index="ds", values=["peak_agents", "agent_hours"])
    ordered = [
        pl.col(f"{kind}_{c}").fill_null(0).alias(f"{c}_{kind}")
        for c in channels
        for kind in ("peak_agents", "agent_hours")
    ]
    if len(channels) == 1:  # a single channel's pivot keeps the plain value names
        ordered = [
            pl.col(kind).fill_null(0).alias(f"{channels[0]}_{kind}")
            for kind in ("peak_agents", "agent_hours")
        ]
    return wide.sort("ds").select(pl.col("ds").dt.strftime("%a %-d %b").alias("day"), *ordered)


def tracking_table(accuracy: pl.DataFrame, /) -> pl.DataFrame:
    """How earlier forecasts did, per channel and week ahead, in plain columns.

    Parameters
    ----------
    accuracy
        :func:`insights.forecast_accuracy` output by ``("unique_id", "horizon_week")``.

    Returns
    -------
    pl.DataFrame
        ``unique_id`` (channel), ``week_ahead``, ``forecasts``, ``error_vs_usual_weekly_change``
        (average miss divided by the usual change from a day to the same day a week later;
        below 1 beats repeating last week), ``share_of_days_in_80%_range`` and
        ``check_the_ranges`` ("yes" when a range held too few or too many days).

    Examples
    --------
    >>> acc = pl.DataFrame({"unique_id": ["phone"], "horizon_week": [1], "forecasts": [2],
    ...     "n_days": [12], "mase": [0.8], "coverage_80": [0.75], "drift": [False]})
    >>> tracking_table(acc).row(0)
    ('phone', 1, 2, 0.8, 0.75, 'no')

    """
    require_columns(
        accuracy, ["unique_id", "horizon_week", "forecasts", "mase"], who="tracking_table"
    )
    return tracking_columns(accuracy, key=pl.col("unique_id"))
