"""How accurate were past forecasts: MASE and interval coverage, with a drift rule.

Reads the scored days of :func:`insights.scored_forecasts` (:mod:`insights.forecasting.tracking`)::

    forecast_accuracy(scored, by=("unique_id", "horizon_week")) MASE, coverage and drift flags
    tracking_summary(archive, scored)                           the sentence for the report

**Metrics.** ``mase`` is the mean over scored days of ``|actual − forecast| / s``, where ``s``
is the weekly seasonal-naive scale of the history the forecast was made from (mean
``|y[t] − y[t−7]|`` over its last 365 days), as in :func:`insights.backtest`: below 1 beats
"same day last week" in sample. ``coverage_<L>`` is the share of scored days whose actual lay
inside the L% interval (bounds included).

**Drift rule.** Coverage of the L% interval over ``n`` scored days drifts when it falls
outside ``L ± max(5 points, 1.96·√(L(1 − L)/n))``: five percentage points either way, widened
for small samples by the 95% binomial margin of ``n`` independent days; it is judged on
:data:`MIN_DRIFT_DAYS` (5) or more days (fewer: ``drift`` is null). Days of one forecast
are correlated, so treat a flag on few forecasts as a prompt to look, not a verdict. Over- and
under-coverage both drift: intervals that are too wide hide real risk as surely as
intervals that are too narrow.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import polars as pl

from insights._common import require_columns

__all__ = ["DRIFT_BAND_POINTS", "MIN_DRIFT_DAYS", "forecast_accuracy", "tracking_summary"]

#: Half-width floor of the coverage band, in percentage points.
DRIFT_BAND_POINTS = 5.0
#: Fewest scored days on which coverage drift is judged (one or two misses prove nothing).
MIN_DRIFT_DAYS = 5
_INSIDE = re.compile(r"^inside_(\d+(?:_\d+)?)$")


def forecast_accuracy(
    scored: pl.DataFrame,
    /,
    *,
    by: Sequence[str] = ("unique_id", "horizon_week"),
) -> pl.DataFrame:
    """MASE and interval coverage of scored forecast days, per group, with drift flags.

    Parameters
    ----------
    scored
        :func:`insights.scored_forecasts` output.
    by
        Grouping columns of ``scored``: e.g. ``("unique_id", "horizon_week")`` (by channel
        and horizon), ``("as_of", "unique_id")`` (over time), ``()`` (everything pooled).

    Returns
    -------
    pl.DataFrame
        The ``by`` columns, ``forecasts`` (distinct origins), ``n_days``, ``mase``, then per
        level ``coverage_<L>`` (share), ``band_lo_<L>``, ``band_hi_<L>`` (the drift band, see
        the module docstring) and ``drift_<L>``, and ``drift`` (any level drifted; null on
        fewer than :data:`MIN_DRIFT_DAYS` days). Sorted by ``by``; empty when ``scored`` is.

    Examples
    --------
    Ten days of a 80% interval, seven inside: 70% is within 80 ± 24.8 points (n = 10), no drift.

    >>> from datetime import date
    >>> scored = pl.DataFrame({
    ...     "as_of": [date(2025, 6, 1)] * 10, "unique_id": ["phone"] * 10,
    ...     "horizon_week": [1] * 5 + [2] * 5,
    ...     "scaled_error": [0.5, 1.0, 1.5, 0.5, 1.5, 1.0, 1.0, 2.0, 0.0, 1.0],
    ...     "inside_80": [True] * 7 + [False] * 3})
    >>> acc = forecast_accuracy(scored, by=["unique_id"])
    >>> acc.select("unique_id", "forecasts", "n_days", "mase", "coverage_80", "drift").row(0)
    ('phone', 1, 10, 1.0, 0.7, False)
    >>> [round(b, 3) for b in acc.select("band_lo_80", "band_hi_80").row(0)]
    [0.552, 1.0]

    """
    keys = list(by)
    require_columns(
        scored, [*keys, "scaled_error"], who="forecast_accuracy", what="the scored days"
    )
    levels = [m.group(1) for c in scored.columns if (m := _INSIDE.match(c))]
    exprs: list[pl.Expr] = [
        (pl.col("as_of").n_unique() if "as_of" in scored.columns else pl.lit(None))
        .cast(pl.UInt32)
        .alias("forecasts"),
        pl.len().cast(pl.UInt32).alias("n_days"),
        pl.col("scaled_error").mean().alias("mase"),
    ]
    exprs += [pl.col(f"inside_{t}").mean().alias(f"coverage_{t}") for t in levels]
    if keys:
        grouped = scored.group_by(keys).agg(exprs)
    else:
        grouped = scored.select(exprs).filter(pl.col("n_days") > 0)
    bands = []
    for t in levels:
        p = float(t.replace("_", ".")) / 100
        margin = pl.max_horizontal(
            pl.lit(DRIFT_BAND_POINTS / 100), 1.96 * (p * (1 - p) / pl.col("n_days")).sqrt()
        )
        bands += [
            (p - margin).clip(lower_bound=0.0).alias(f"band_lo_{t}"),
            (p + margin).clip(upper_bound=1.0).alias(f"band_hi_{t}"),
        ]
    enough = pl.col("n_days") >= MIN_DRIFT_DAYS
    out = grouped.with_columns(bands).with_columns(
        pl.when(enough)
        .then(
            (
                ~pl.col(f"coverage_{t}").is_between(pl.col(f"band_lo_{t}"), pl.col(f"band_hi_{t}"))
            ).fill_null(value=False)
        )
        .alias(f"drift_{t}")
        for t in levels
    )
    out = out.with_columns(
        pl.when(enough)
        .then(pl.any_horizontal(*(pl.col(f"drift_{t}") for t in levels)))
        .alias("drift")
        if levels
        else pl.lit(value=False).alias("drift")
    )
    per_level = [
        c for t in levels for c in (f"coverage_{t}", f"band_lo_{t}", f"band_hi_{t}", f"drift_{t}")
    ]
    out = out.select(*keys, "forecasts", "n_days", "mase", *per_level, "drift")
    return out.sort(keys) if keys else out


def _pct(share: float | None) -> str:
    return "–" if share is None else f"{100 * share:.0f}%"


def tracking_summary(archive: pl.DataFrame, scored: pl.DataFrame, /) -> str:
    """One or two sentences answering "how did our last forecasts do?".

    Covers the normal empty cases: no archived forecast yet (first run), and archived
    forecasts whose days have no actuals yet.

    Examples
    --------
    >>> from insights.forecasting.tracking import RECORD_COLUMNS, scored_forecasts
    >>> empty = pl.DataFrame(schema=RECORD_COLUMNS)
    >>> tracking_summary(empty, scored_forecasts(empty))[:61]
    'No earlier forecasts are archived yet (a first run), so there'

    """
    forecasts = archive.filter(pl.col("kind") == "forecast")
    if forecasts.height == 0:
        return (
            "No earlier forecasts are archived yet (a first run), so there is nothing to "
            "score; this forecast is archived when the report is published and scored by the "
            "next run."
        )
    origins = forecasts["as_of"].unique().sort()
    made = (
        f"made as of {origins[0]}"
        if origins.len() == 1
        else f"made as of {origins[0]} to {origins[-1]}"
    )
    count = f"{origins.len()} archived forecast{'s' if origins.len() > 1 else ''}"
    if scored.height == 0:
        first = forecasts["ds"].min()
        return (
            f"The {count} ({made}) cannot be scored yet: no actual has arrived for their "
            f"days (the first is {first!s})."
        )
    pooled = forecast_accuracy(scored, by=()).row(0, named=True)
    levels = [m.group(1) for c in scored.columns if (m := _INSIDE.match(c))]
    held = ", ".join(
        f"{t.replace('_', '.')}% intervals held {_pct(pooled[f'coverage_{t}'])} of actuals "
        f"(band {_pct(pooled[f'band_lo_{t}'])}–{_pct(pooled[f'band_hi_{t}'])})"
        for t in levels
    )
    mase = pooled["mase"]
    mase_text = "MASE –" if mase is None else f"MASE {mase:.2f} (below 1 beats same-day-last-week)"
    scored_origins = scored["as_of"].n_unique()
    first = (
        f"Of the {count} ({made}), {scored_origins} could be scored on "
        f"{pooled['n_days']} forecast days so far: {mase_text}; {held}."
    )
    by_series = forecast_accuracy(scored, by=("unique_id",))
    drifted = [
        f"{row['unique_id']} {t.replace('_', '.')}% ({_pct(row[f'coverage_{t}'])})"
        for row in by_series.filter(pl.col("drift")).to_dicts()
        for t in levels
        if row[f"drift_{t}"]
    ]
    if drifted:
        return (
            f"{first} Coverage drifted outside its band for {', '.join(drifted)}: "
            "check those intervals before trusting them."
        )
    return f"{first} No series' coverage drifted outside its band."
