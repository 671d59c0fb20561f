"""A seeded synthetic daily contact series, for examples, tests and benchmarks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np
import polars as pl

from insights.forecasting.regressors import public_holidays

__all__ = ["synthetic_daily"]


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
