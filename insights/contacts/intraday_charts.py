"""Chart of the intraday profile: when in the day contacts arrive, weekdays and weekends.

Built on the shared pieces in :mod:`insights.contacts._charts` (colours, panels, rules).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt
import polars as pl

from insights._common import require_columns
from insights.contacts._charts import (
    _FORECAST,
    _SECOND,
    _channels,
    _facet,
    _with_channel,
)
from insights.errors import ParameterError
from insights.publish.theme import titled

__all__ = [
    "day_type_lines",
    "intraday_profile_chart",
    "weekend_days",
]

_DAY_TYPES = ("Weekdays", "Weekends")
#: Saturday and Sunday (ISO weekdays), the weekend when no country is given.
_SAT_SUN = (6, 7)


def weekend_days(country: str | None, /) -> tuple[int, ...]:
    """Return the weekend of ``country`` as ISO weekdays (1 = Monday), from ``holidays``.

    A bank with a Sunday-to-Thursday week has its weekend on Friday and Saturday: its Sunday
    is a working day, drawn with the weekdays.

    Parameters
    ----------
    country
        A country code the ``holidays`` package knows (the report's ``holiday_country``);
        ``None``: Saturday and Sunday.

    Examples
    --------
    >>> weekend_days("GB"), weekend_days("SA"), weekend_days(None)
    ((6, 7), (5, 6), (6, 7))

    """
    if country is None:
        return _SAT_SUN
    import holidays  # noqa: PLC0415 - only when a country is asked

    try:
        calendar = holidays.country_holidays(country)
    except NotImplementedError as exc:
        msg = f"weekend_days: the holidays package knows no country {country!r}; pass e.g. 'GB'."
        raise ParameterError(msg) from exc
    return tuple(sorted(day + 1 for day in calendar.weekend))


def _day_type(weekday: pl.Expr, weekend: Sequence[int]) -> pl.Expr:
    return (
        pl.when(weekday.is_in(list(weekend)))
        .then(pl.lit(_DAY_TYPES[1]))
        .otherwise(pl.lit(_DAY_TYPES[0]))
    )


def _hour_ticks(start: float, end: float) -> list[int]:
    """Whole hours from ``start`` to ``end``: every hour, or every other for a long day."""
    step = 2 if end - start > 12 else 1
    first = -(-int(start * 2) // 2)  # the first whole hour at or after start
    first += first % step
    return list(range(first, int(end) + 1, step))


def day_type_lines(profile: pl.DataFrame, /, *, weekend: Sequence[int] = _SAT_SUN) -> pl.DataFrame:
    """Each channel's weekday and weekend line of an intraday profile: what the chart draws.

    The weekdays of a day type are combined with their contacts as weights: a half hour's
    line value is its share of all the day type's contacts over the profile's weeks,
    ``Σ_w T_w·p_w / Σ_w T_w`` (weekday ``w``'s contacts ``T_w`` and share ``p_w``). The shares
    come from the profile's ``share`` column, so a pooled half hour (no count, see
    :func:`insights.pool_small_intervals`) is drawn at its block's share, never as zero.
    ``T_w`` is read back from the weekday's unpooled half hours (count over share). A
    weekday pooled throughout takes the mean of the channel's other weekdays, and a channel
    with no counts at all weights its weekdays equally. Only shares leave this function, so
    no count, and no half hour's contacts, can be read from the lines.

    Parameters
    ----------
    profile
        :func:`insights.channel_profiles` or :func:`insights.interval_profile` output:
        ``weekday`` (ISO), ``interval`` (local start time), ``share`` (of the weekday), and
        optionally ``contacts`` (null where pooled), ``pooled`` and ``unique_id``.
    weekend
        ISO weekdays of the weekend (:func:`weekend_days` of the report's country); the
        other days are weekdays.

    Returns
    -------
    pl.DataFrame
        ``unique_id`` (channel; "all channels" without one), ``day_type`` ("Weekdays" or
        "Weekends"), ``time`` (``HH:MM``), ``hour`` (hours after midnight, for the axis),
        ``share`` (sums to 1 per channel and day type) and ``pooled`` (the share of at
        least one weekday is its block's even split). A day type without contacts (a
        channel closed at weekends) has no rows.

    Examples
    --------
    >>> from datetime import time
    >>> p = pl.DataFrame({"weekday": [1, 1, 1, 2, 2], "interval": [time(9), time(10),
    ...     time(10, 30), time(9), time(10)], "contacts": [30, None, None, 10, 30],
    ...     "share": [0.6, 0.2, 0.2, 0.25, 0.75], "pooled": [False, True, True, False, False]})
    >>> day_type_lines(p).select("time", "share", "pooled")
    shape: (3, 3)
    ┌───────┬──────────┬────────┐
    │ time  ┆ share    ┆ pooled │
    │ ---   ┆ ---      ┆ ---    │
    │ str   ┆ f64      ┆ bool   │
    ╞═══════╪══════════╪════════╡
    │ 09:00 ┆ 0.444444 ┆ false  │
    │ 10:00 ┆ 0.444444 ┆ true   │
    │ 10:30 ┆ 0.111111 ┆ true   │
    └───────┴──────────┴────────┘

    Monday had 50 contacts (30 at 09:00 are 60%) and Tuesday 40: 10:00 draws Monday's pooled
    10 plus Tuesday's 30, 40 of the 90.

    """
    return _lines(profile, weekend).drop("contacts")


def _lines(profile: pl.DataFrame, weekend: Sequence[int]) -> pl.DataFrame:
    """:func:`day_type_lines` with ``contacts``: the weighted contacts, for the headline only."""
    require_columns(profile, ["weekday", "interval", "share"], who="intraday_profile_chart")
    frame = _with_channel(profile)
    keys = ["unique_id", "weekday"]
    total: pl.Expr = pl.lit(None, dtype=pl.Float64)
    if "contacts" in frame.columns:
        known = pl.col("contacts").is_not_null()
        counted = pl.when(known).then(pl.col("contacts")).sum()
        covered = pl.when(known).then(pl.col("share")).sum()
        total = pl.when(covered > 0).then(counted / covered)
    weights = (
        frame.group_by(keys)
        .agg(total.cast(pl.Float64).alias("_weight"))
        .with_columns(
            pl.col("_weight").fill_null(pl.col("_weight").mean().over("unique_id")).fill_null(1.0)
        )
    )
    pooled = pl.col("pooled") if "pooled" in frame.columns else pl.lit(value=False)
    return (
        frame.join(weights, on=keys, how="left")
        .with_columns(
            _day_type(pl.col("weekday").cast(pl.Int64), weekend).alias("day_type"),
            pooled.fill_null(value=False).alias("pooled"),
            (pl.col("_weight") * pl.col("share")).alias("contacts"),
        )
        .group_by("unique_id", "day_type", "interval")
        .agg(pl.col("contacts").sum(), pl.col("pooled").any())
        .filter(pl.col("contacts").sum().over("unique_id", "day_type") > 0)
        .with_columns(
            (pl.col("contacts") / pl.col("contacts").sum().over("unique_id", "day_type")).alias(
                "share"
            ),
            (pl.col("interval").dt.hour() + pl.col("interval").dt.minute() / 60).alias("hour"),
            pl.col("interval").dt.to_string("%H:%M").alias("time"),
        )
        .sort("unique_id", "day_type", "hour")
        .select("unique_id", "day_type", "time", "hour", "share", "pooled", "contacts")
    )


def intraday_profile_chart(
    profile: pl.DataFrame,
    /,
    *,
    weekend: Sequence[int] = _SAT_SUN,
    title: str | None = None,
    subtitle: str | None = None,
) -> Any:
    """When in the day contacts arrive: one line for weekdays, one for weekends, per channel.

    Parameters
    ----------
    profile
        :func:`insights.channel_profiles` or :func:`insights.interval_profile` output:
        ``weekday`` (ISO), ``interval`` (local start time), ``share`` (and ``contacts``,
        ``pooled``, ``unique_id``). Weekdays are pooled: the share of the working week's
        contacts per interval, and so are the weekend's days (a weekend half hour has few
        contacts, and pooling keeps more of them above the privacy floor); see
        :func:`day_type_lines`, whose table is the chart's only data (so
        :func:`insights.publish_chart` publishes exactly the lines). A pooled half hour is
        drawn at its block's share. A day type without contacts (a channel closed at
        weekends) has no line.
    weekend
        ISO weekdays of the weekend (:func:`weekend_days` of the report's country): a
        Sunday-to-Thursday line draws its Sundays with the weekdays.
    title, subtitle
        Text of the chart; by default the title names the weekday peak.

    Returns
    -------
    altair.FacetChart
        One panel per channel, at most two step lines, ticks every hour or two.

    Examples
    --------
    >>> from datetime import time
    >>> p = pl.DataFrame({"weekday": [1, 1, 6], "interval": [time(9), time(9, 30), time(10)],
    ...                   "share": [0.6, 0.4, 1.0], "contacts": [60, 40, 20]})
    >>> spec = intraday_profile_chart(p).to_dict()
    >>> spec["title"]["text"]
    'Weekday contacts peak at 09:00'
    >>> spec["spec"]["encoding"]["x"]["axis"]["values"]
    [9, 10]

    """
    lines = _lines(profile, weekend)
    drawn = lines.drop("contacts")
    types = [t for t in _DAY_TYPES if t in set(drawn["day_type"].to_list())]
    hours = drawn.filter(pl.col("share") > 0).select(
        pl.col("hour").min().alias("start"), pl.col("hour").max().alias("end")
    )
    start = float(hours["start"].fill_null(0.0).item())
    end = float(hours["end"].fill_null(23.5).item()) + 0.5
    ticks = _hour_ticks(start, end)
    chart = (
        alt.Chart()
        .mark_line(interpolate="step-after", invalid="break-paths-filter-domains")
        .encode(
            x=alt.X(
                "hour:Q",
                title="Time of day (local)",
                scale=alt.Scale(domain=[start, end], nice=False),
                axis=alt.Axis(
                    values=ticks,
                    labelExpr="(datum.value < 10 ? '0' : '') + datum.value + ':00'",
                ),
            ),
            y=alt.Y("share:Q", title=None, axis=alt.Axis(format=".0%", tickCount=3)),
            color=alt.Color(
                "day_type:N",
                title=None,
                sort=list(_DAY_TYPES),
                scale=alt.Scale(domain=list(_DAY_TYPES), range=[_FORECAST, _SECOND]),
                legend=alt.Legend(orient="top", columns=2),
            ),
            tooltip=[
                alt.Tooltip("day_type:N", title="Days"),
                alt.Tooltip("time:N", title="Half hour from"),
                alt.Tooltip("share:Q", title="Share of the day", format=".1%"),
            ],
        )
    )
    said, headline = _intraday_words(lines, types)
    return titled(
        _facet(chart, data=drawn),
        title=title or headline,
        subtitle=subtitle or "Share of the day's contacts per half hour, per channel, recent weeks",
        description=said,
    )


def _intraday_words(lines: pl.DataFrame, types: Sequence[str]) -> tuple[str, str]:
    if lines.is_empty():
        return "No contacts in the recent weeks to draw.", "No recent contacts to profile"
    sentences = [
        f"Share of each day's contacts per half hour for {_channels(lines)}, "
        f"{'weekdays and weekends apart' if len(types) > 1 else 'weekdays only'}."
    ]
    for channel in sorted(lines["unique_id"].unique().to_list()):
        peaks = (
            lines.filter(pl.col("unique_id") == channel)
            .sort(["share", "hour"], descending=[True, False])
            .group_by("day_type", maintain_order=True)
            .first()
        )
        said = [
            f"{'on weekdays' if r['day_type'] == _DAY_TYPES[0] else 'at weekends'} at {r['time']} "
            f"({100 * r['share']:.0f}%)"
            for t in _DAY_TYPES
            for r in peaks.filter(pl.col("day_type") == t).to_dicts()
        ]
        sentences.append(f"{str(channel).capitalize()} peaks {', '.join(said)}.")
    weekday = (
        lines.filter(pl.col("day_type") == _DAY_TYPES[0])
        .group_by("time", "hour")
        .agg(pl.col("contacts").sum())
        .sort(["contacts", "hour"], descending=[True, False])
    )
    headline = (
        f"Weekday contacts peak at {weekday['time'][0]}"
        if weekday.height
        else "When customers get in touch"
    )
    return " ".join(sentences), headline
