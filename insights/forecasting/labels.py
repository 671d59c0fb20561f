"""Plain words for the forecasting models, for anything a reader sees.

The model codes (``uc``, ``stl_ets``, ``snaive`` …) name what the code fits; a report's
reader, an operations manager, needs what the model assumes. :func:`model_label` is the one
place that says it.
"""

from __future__ import annotations

import polars as pl

__all__ = ["MODEL_LABELS", "model_label", "model_labels"]

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
