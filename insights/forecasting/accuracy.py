"""How accurate were past forecasts: MASE and interval coverage, with a drift rule.

Reads the scored days of :func:`insights.scored_forecasts` (:mod:`insights.forecasting.tracking`)::

    forecast_accuracy(scored, by=("unique_id", "horizon_week")) MASE, coverage and drift flags
    tracking_facts(archive, scored)                             what the tracking texts state
    tracking_preamble(facts)                                    "Of the 2 earlier forecasts …"
    tracking_summary(archive, scored)                           the sentence the CLI prints

The contact report's sentence (:func:`insights.tracking_note`) and the CLI's
(:func:`tracking_summary`) differ in detail and format, never in the facts: both state
:func:`tracking_facts` and open with :func:`tracking_preamble`.

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
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from insights._common import require_columns, tag_level

__all__ = [
    "DRIFT_BAND_POINTS",
    "MIN_DRIFT_DAYS",
    "TrackingFacts",
    "forecast_accuracy",
    "tracking_facts",
    "tracking_preamble",
    "tracking_summary",
]

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
        p = tag_level(t) / 100
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


@dataclass(frozen=True)
class TrackingFacts:
    """What the tracking texts state about archived forecasts, computed once.

    Attributes
    ----------
    origins
        The days the archived forecasts were made (their ``as_of``), ascending; empty on a
        first run.
    first_day
        The first day any of them forecast (``None`` on a first run).
    checked
        How many of them have at least one scored day.
    pooled
        :func:`forecast_accuracy` of all scored days pooled (``n_days``, ``mase``, per level
        ``coverage_<L>``, ``band_lo_<L>``, ``band_hi_<L>``); empty when no day is scored.
    drifted
        :func:`forecast_accuracy` by ``unique_id`` and ``horizon_week`` (when scored has it:
        the cells the tracking tables show), only those whose coverage drifted.
    levels
        The scored interval levels as column tags (``"80"``, ``"97_5"``).

    """

    origins: tuple[date, ...]
    first_day: date | None
    checked: int
    pooled: dict[str, Any]
    drifted: pl.DataFrame
    levels: tuple[str, ...]


def tracking_facts(archive: pl.DataFrame, scored: pl.DataFrame, /) -> TrackingFacts:
    """Count and score the archived forecasts that the tracking texts speak of.

    Parameters
    ----------
    archive
        :func:`insights.read_forecast_archive` output: ``as_of`` and ``ds``, and ``kind`` when
        it holds actuals too (only ``kind == "forecast"`` rows count).
    scored
        :func:`insights.scored_forecasts` output for that archive (may be empty, with any
        columns, when nothing is archived).

    Returns
    -------
    TrackingFacts

    Examples
    --------
    >>> from datetime import date
    >>> archive = pl.DataFrame({"as_of": [date(2025, 7, 6), date(2025, 8, 3)],
    ...                         "ds": [date(2025, 7, 7), date(2025, 8, 4)]})
    >>> scored = pl.DataFrame({"as_of": [date(2025, 7, 6)] * 2, "unique_id": ["phone"] * 2,
    ...                        "scaled_error": [0.5, 0.7], "inside_80": [True, False]})
    >>> facts = tracking_facts(archive, scored)
    >>> len(facts.origins), facts.checked, facts.pooled["n_days"], facts.pooled["coverage_80"]
    (2, 1, 2, 0.5)

    """
    forecasts = (
        archive.filter(pl.col("kind") == "forecast") if "kind" in archive.columns else archive
    )
    origins = tuple(forecasts["as_of"].unique().sort()) if forecasts.height else ()
    first_day = forecasts["ds"].min() if forecasts.height else None
    assert first_day is None or isinstance(first_day, date)
    if not origins or scored.is_empty():
        return TrackingFacts(origins, first_day, 0, {}, pl.DataFrame(), ())
    pooled = forecast_accuracy(scored, by=()).row(0, named=True)
    # the cells the reports' tables show (series × week ahead), so the words and the table agree
    cells = [c for c in ("unique_id", "horizon_week") if c in scored.columns]
    drifted = (
        forecast_accuracy(scored, by=cells).filter(pl.col("drift"))
        if "unique_id" in cells
        else pl.DataFrame()
    )
    levels = tuple(m.group(1) for c in scored.columns if (m := _INSIDE.match(c)))
    checked = 1 if pooled["forecasts"] is None else int(pooled["forecasts"])
    return TrackingFacts(origins, first_day, checked, pooled, drifted, levels)


def tracking_preamble(
    facts: TrackingFacts,
    /,
    *,
    iso_dates: bool = False,
    archived_actuals: pl.DataFrame | None = None,
) -> str:
    """Say how many earlier forecasts there are, when they were made and what could be checked.

    The opening both tracking texts share: a whole sentence on a first run or when no
    forecast day has happened yet; otherwise a clause the caller continues with ``": "`` and
    the scores.

    Parameters
    ----------
    facts
        :func:`tracking_facts` output.
    iso_dates
        Dates as ``2025-08-31`` (for a terminal) rather than ``31 August 2025`` (for a report).
    archived_actuals
        When the scores come from the archive alone (``insights forecasts track``): the
        archived records whose ``actual`` rows they could use. Nothing checked is then said
        by its real cause: actuals reach the archive only with a later published report of
        the same target. ``None``: the actuals are the report's own data.

    Examples
    --------
    >>> from datetime import date
    >>> archive = pl.DataFrame({"as_of": [date(2025, 7, 6), date(2025, 8, 3)],
    ...                         "ds": [date(2025, 7, 7), date(2025, 8, 4)]})
    >>> scored = pl.DataFrame({"as_of": [date(2025, 7, 6)], "scaled_error": [0.5]})
    >>> tracking_preamble(tracking_facts(archive, scored))
    'Of the 2 earlier forecasts (made from 6 July 2025 to 3 August 2025), 1 could be checked on 1 day so far'
    >>> tracking_preamble(tracking_facts(archive, scored.clear()), iso_dates=True)
    'The 2 earlier forecasts (made from 2025-07-06 to 2025-08-03) cannot be checked yet: what happened on their days is not in the data yet (the first is 2025-07-07).'
    >>> actual = pl.DataFrame({"kind": ["actual"], "ds": [date(2025, 7, 6)]})
    >>> tracking_preamble(tracking_facts(archive[:1], scored.clear()), archived_actuals=actual)
    'The 1 earlier forecast (made on 6 July 2025) cannot be checked from the archive yet: it holds no actual for its days (the first is 7 July 2025; its latest actual is 6 July 2025), and actuals reach the archive only with a later published report of the same target. Publish the report on data that covers its days to check it.'

    """  # noqa: E501
    if not facts.origins:
        return (
            "No earlier forecast is archived yet (a first run), so there is nothing to check; "
            "this forecast is kept when the report is published, and the next report checks it."
        )

    def day(d: date) -> str:
        return f"{d:%Y-%m-%d}" if iso_dates else f"{d:%-d %B %Y}"

    first, last = facts.origins[0], facts.origins[-1]
    made = f"made on {day(first)}" if first == last else f"made from {day(first)} to {day(last)}"
    plural = len(facts.origins) > 1
    count = f"{len(facts.origins)} earlier forecast{'s' if plural else ''}"
    if not facts.checked:
        assert facts.first_day is not None
        their = "their" if plural else "its"
        if archived_actuals is not None:
            lead = f"The {count} ({made})"
            return _not_in_archive(facts, archived_actuals, lead=lead, their=their, day=day)
        return (
            f"The {count} ({made}) cannot be checked yet: what happened on "
            f"{their} days is not in the data yet (the first is {day(facts.first_day)})."
        )
    n_days = int(facts.pooled["n_days"])
    return (
        f"Of the {count} ({made}), {facts.checked} could be checked on {n_days:,} "
        f"day{'s' if n_days > 1 else ''} so far"
    )


def _not_in_archive(
    facts: TrackingFacts, archived: pl.DataFrame, /, *, lead: str, their: str, day: Any
) -> str:
    """Say the archive-only reason nothing could be checked: no later record brought actuals."""
    assert facts.first_day is not None
    actual = archived.filter(pl.col("kind") == "actual") if "kind" in archived.columns else archived
    last = actual["ds"].max() if actual.height else None
    held = f"its latest actual is {day(last)}" if isinstance(last, date) else "it holds none"
    them = "them" if their == "their" else "it"
    return (
        f"{lead} cannot be checked from the archive yet: it holds no actual for "
        f"{their} days (the first is {day(facts.first_day)}; {held}), and actuals reach the "
        "archive only with a later published report of the same target. Publish the report "
        f"on data that covers {their} days to check {them}."
    )


def tracking_summary(
    archive: pl.DataFrame,
    scored: pl.DataFrame,
    /,
    *,
    archived_actuals: pl.DataFrame | None = None,
) -> str:
    """One or two sentences answering "how did our last forecasts do?", for a terminal.

    :func:`tracking_preamble` (ISO dates), then the pooled MASE, every level's coverage with
    its drift band, and the series whose coverage drifted, per level. Covers the normal
    empty cases: no archived forecast yet (first run), and archived forecasts whose days
    have no actuals yet (``archived_actuals``: see :func:`tracking_preamble`; the CLI scores
    from the archive alone and passes it).

    Examples
    --------
    >>> from insights.forecasting.tracking import RECORD_COLUMNS, scored_forecasts
    >>> empty = pl.DataFrame(schema=RECORD_COLUMNS)
    >>> tracking_summary(empty, scored_forecasts(empty))[:59]
    'No earlier forecast is archived yet (a first run), so there'

    """
    facts = tracking_facts(archive, scored)
    opening = tracking_preamble(facts, iso_dates=True, archived_actuals=archived_actuals)
    if not facts.checked:
        return opening
    pooled = facts.pooled
    held = ", ".join(
        f"{t.replace('_', '.')}% intervals held {_pct(pooled[f'coverage_{t}'])} of actuals "
        f"(band {_pct(pooled[f'band_lo_{t}'])}–{_pct(pooled[f'band_hi_{t}'])})"
        for t in facts.levels
    )
    mase = pooled["mase"]
    mase_text = "MASE –" if mase is None else f"MASE {mase:.2f} (below 1 beats same-day-last-week)"
    first = f"{opening}: {mase_text}; {held}."
    drifted = [
        f"{row['unique_id']}{_week(row)} {t.replace('_', '.')}% ({_pct(row[f'coverage_{t}'])})"
        for row in facts.drifted.to_dicts()
        for t in facts.levels
        if row[f"drift_{t}"]
    ]
    if drifted:
        return (
            f"{first} Coverage drifted outside its band for {', '.join(drifted)}: "
            "check those intervals before trusting them."
        )
    if pooled.get("drift"):
        return (
            f"{first} Pooled, coverage is outside its band, but no series and week ahead has "
            f"the {MIN_DRIFT_DAYS} scored days to say where: check again as more days arrive."
        )
    return f"{first} No series' coverage drifted outside its band."


def _week(row: dict[str, Any]) -> str:
    return f" week {row['horizon_week']}" if row.get("horizon_week") is not None else ""
