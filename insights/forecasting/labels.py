"""Plain words for the forecasting models, for anything a reader sees.

The model codes (``uc``, ``stl_ets``, ``snaive`` …) name what the code fits; a report's
reader, an operations manager, needs what the model assumes. :func:`model_label` is the one
place that says it. The reader tables of the contact and growth reports share the rest of
their wording here too: the interval columns, numbers written with thousands separators,
capitalised method names and the tracking table of earlier forecasts.
"""

from __future__ import annotations

import polars as pl

__all__ = [
    "IN_80",
    "IN_95",
    "MODEL_LABELS",
    "capitalised",
    "grouped_number",
    "model_label",
    "model_labels",
    "tracking_columns",
]

#: Reader's words for each model code of :data:`insights.forecasting._models.MODELS`.
MODEL_LABELS: dict[str, str] = {
    "uc": "trend + weekly and yearly pattern",
    "uc_yearly": "trend + weekly pattern, last year's shape",
    "ets": "smoothed level + weekly pattern",
    "stl_ets": "weekly pattern removed, then smoothed",
    "combo": "average of several models",
    "snaive": "same day last week",
    "flows": "today's accounts plus forecast sign-ups less closures",
}
_TIMES = " × "

#: Reader tables' names for the share of days inside the 80% / 95% ranges.
IN_80 = "share_of_days_in_80%_range"
IN_95 = "share_of_days_in_95%_range"


def model_label(code: str, /) -> str:
    """Return the reader's words for a model code (a rate × accounts pair names both).

    Examples
    --------
    >>> model_label("snaive")
    'same day last week'
    >>> model_label("uc × stl_ets")
    'trend + weekly and yearly pattern (rate) × weekly pattern removed, then smoothed (accounts)'
    >>> model_label("prophet")
    'prophet'

    """
    parts = [MODEL_LABELS.get(part.strip(), part.strip()) for part in code.split(_TIMES)]
    if len(parts) == 2:
        return f"{parts[0]} (rate){_TIMES}{parts[1]} (accounts)"
    return _TIMES.join(parts)


def model_labels(column: str = "model", /) -> pl.Expr:
    """Expression: the reader's words for a column of model codes (same name, a string).

    Examples
    --------
    >>> frame = pl.DataFrame({"model": ["uc", "snaive", None]})
    >>> frame.select(model_labels()).to_series().to_list()
    ['trend + weekly and yearly pattern', 'same day last week', None]

    """
    rate = pl.col(column).cast(pl.String).str.split(_TIMES)
    words = rate.list.eval(pl.element().str.strip_chars().replace(MODEL_LABELS))
    single = words.list.first()
    pair = (
        words.list.first()
        + pl.lit(f" (rate){_TIMES}")
        + words.list.get(1, null_on_oob=True)
        + pl.lit(" (accounts)")
    )
    return pl.when(words.list.len() == 2).then(pair).otherwise(single).alias(column)


def capitalised(words: pl.Expr, /) -> pl.Expr:
    """Expression: ``words`` with a capital first letter (its name is kept).

    Examples
    --------
    >>> pl.DataFrame({"m": ["same day last week"]}).select(capitalised(pl.col("m"))).item()
    'Same day last week'

    """
    return words.str.slice(0, 1).str.to_uppercase() + words.str.slice(1)


def grouped_number(value: pl.Expr, /) -> pl.Expr:
    """Expression: a non-negative number rounded to a whole one, with thousands separators.

    Examples
    --------
    >>> frame = pl.DataFrame({"x": [12345.6, 3.4]})
    >>> frame.select(grouped_number(pl.col("x"))).to_series().to_list()
    ['12,346', '3']

    """
    digits = value.round(0).cast(pl.Int64).cast(pl.String).str.reverse()
    return digits.str.replace_all(r"(\d{3})", "$1,").str.strip_chars_end(",").str.reverse()


def tracking_columns(accuracy: pl.DataFrame, /, *, key: pl.Expr) -> pl.DataFrame:
    """How earlier forecasts did, per series and week ahead, in a reader table's columns.

    ``accuracy`` is :func:`insights.forecast_accuracy` output by ``("unique_id",
    "horizon_week")`` (its columns checked by the caller); ``key`` names the series (the
    channel as it is, or reader words). Returns ``key``, ``week_ahead``, ``forecasts``,
    ``error_vs_usual_weekly_change``, then :data:`IN_80` and ``check_the_ranges`` ("yes"
    when a range held too few or too many days) when ``accuracy`` has ``coverage_80`` and
    ``drift``.

    Examples
    --------
    >>> acc = pl.DataFrame({"unique_id": ["phone"], "horizon_week": [1], "forecasts": [2],
    ...     "mase": [0.8], "drift": [True]})
    >>> tracking_columns(acc, key=pl.col("unique_id")).row(0)
    ('phone', 1, 2, 0.8, 'yes')

    """
    optional = {
        "coverage_80": pl.col("coverage_80").alias(IN_80),
        "drift": pl.when(pl.col("drift"))
        .then(pl.lit("yes"))
        .otherwise(pl.lit("no"))
        .alias("check_the_ranges"),
    }
    return accuracy.select(
        key,
        pl.col("horizon_week").alias("week_ahead"),
        "forecasts",
        pl.col("mase").alias("error_vs_usual_weekly_change"),
        *(expr for column, expr in optional.items() if column in accuracy.columns),
    )
