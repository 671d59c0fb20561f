"""The opening of the contact-forecast report: a summary paragraph and key figures.

Written from the report's own results (history, rate and volume forecasts, staffing plan and,
when earlier forecasts are archived, how they did), so the words always match the tables and
charts below them. An operations manager reads it first: how many contacts are coming, is
that more or less than usual for the size of the customer base, the busiest day, the most
agents needed at once, and whether the last forecasts could be trusted.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import polars as pl

from insights._common import day_span, parse_day, require_columns
from insights.contacts.totals import forecast_total
from insights.errors import ParameterError
from insights.forecasting.accuracy import forecast_accuracy, tracking_facts, tracking_preamble
from insights.publish.display import Findings

__all__ = ["contact_findings", "contact_scope", "tracking_note"]

#: Days back to the same weeks last year: 52 weeks, so weekdays line up.
_YEAR_DAYS = 364


def _tag_list(tags: Sequence[str] | str) -> list[str]:
    if isinstance(tags, str):  # a report parameter as written on the command line
        return [t.strip() for t in tags.split(",") if t.strip()]
    return [str(t) for t in tags]


def _either(words: Sequence[str], joiner: str) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {joiner} {words[-1]}"


def contact_scope(tags: Sequence[str] | str = (), /) -> str:
    """Name which contacts a report covers: all of them, or those with some tags.

    Parameters
    ----------
    tags
        The report's ``tags`` parameter (a list, or the comma-separated text of the command
        line); empty means all contacts.

    Examples
    --------
    >>> contact_scope([]), contact_scope(["card_lost"]), contact_scope("fraud,card_lost,app")
    ('all contacts', 'contacts tagged card lost', 'contacts tagged fraud, card lost or app')

    """
    names = [t.replace("_", " ") for t in _tag_list(tags)]
    return f"contacts tagged {_either(names, 'or')}" if names else "all contacts"


def _change(new: float, old: float | None, versus: str) -> str | None:
    if old is None or old <= 0:
        return None
    pct = (new / old - 1) * 100
    if round(pct) == 0:
        return f"level with {versus}"
    return f"{'up' if pct > 0 else 'down'} {abs(pct):.0f}% on {versus}"


def _per_day(rates: pl.DataFrame, first: date, last: date) -> float | None:
    """Contacts per 1,000 active customers per calendar day over [first, last], all channels.

    ``None`` when the history does not reach back to ``first``; a day without a row (a
    closed channel) counts as no contacts.
    """
    if rates.is_empty() or rates["ds"].min() > first:  # type: ignore[operator]
        return None
    days = (last - first).days + 1
    window = rates.filter(pl.col("ds").is_between(first, last))
    return float(window["rate"].sum()) / days


def _rate_text(value: float) -> str:
    return f"{value:.1f}" if value >= 1 else f"{value:.2f}"


def _staffing(plan: pl.DataFrame) -> tuple[str, str, str] | None:
    """(sentence, figure value, figure context) for the most agents needed at once."""
    if plan.is_empty():
        return None
    peaks = (
        plan.sort("ds", "interval")
        .group_by("unique_id", maintain_order=True)
        .agg(
            pl.col("agents_with_shrinkage").max().alias("peak"),
            pl.col("ds").get(pl.col("agents_with_shrinkage").arg_max()).alias("day"),
            pl.col("interval").get(pl.col("agents_with_shrinkage").arg_max()).alias("at"),
        )
        .sort(["peak", "unique_id"], descending=[True, False])
    )
    top = peaks.row(0, named=True)
    when = f"{top['day']:%A %-d %B} at {top['at']:%H:%M}"
    others = [f"{r['unique_id']} up to {r['peak']:,}" for r in peaks.slice(1).to_dicts()]
    rest = f", {_either(others, 'and')}" if others else ""
    agents = "agent" if top["peak"] == 1 else "agents"
    sentence = (
        f"{str(top['unique_id']).capitalize()} needs up to {top['peak']:,} {agents} scheduled "
        f"in one half hour ({when}, allowing for breaks and absence){rest}."
    )
    return sentence, f"{top['peak']:,} {agents}", f"{top['unique_id']}, {when}"


def _errors(mase: float) -> str:
    pct = abs(1 - mase) * 100
    if round(pct) == 0:
        return "about as large as"
    return f"{pct:.0f}% {'smaller' if mase < 1 else 'larger'} than"


def tracking_note(archive: pl.DataFrame, scored: pl.DataFrame, /) -> str:
    """Say in plain words how the earlier forecasts did (or why they cannot be checked yet).

    Parameters
    ----------
    archive
        :func:`insights.read_forecast_archive` output (``kind``, ``as_of``, ``ds``).
    scored
        :func:`insights.scored_forecasts` output for that archive.

    Returns
    -------
    str
        One to three sentences: the first run, forecasts whose days have not happened yet,
        or the errors against the usual week-on-week change, the share of days inside the
        80% range and any channel whose ranges drifted (see
        :func:`insights.forecast_accuracy`). The facts and the opening are those of the
        CLI's :func:`insights.tracking_summary`
        (:func:`~insights.forecasting.accuracy.tracking_facts`,
        :func:`~insights.forecasting.accuracy.tracking_preamble`).

    Examples
    --------
    >>> from datetime import date
    >>> archive = pl.DataFrame({"kind": ["forecast"], "as_of": [date(2025, 8, 31)],
    ...                         "ds": [date(2025, 9, 1)]})
    >>> scored = pl.DataFrame({"as_of": [date(2025, 8, 31)] * 2, "unique_id": ["phone"] * 2,
    ...     "scaled_error": [0.5, 0.7], "inside_80": [True, False]})
    >>> print(tracking_note(archive, scored))
    Of the 1 earlier forecast (made on 31 August 2025), 1 could be checked on 2 days so far: its errors were 40% smaller than the usual change from a day to the same day a week before, and 50% of days fell inside the 80% range. No channel's ranges drifted from what they promise.
    >>> print(tracking_note(archive, scored.clear()))
    The 1 earlier forecast (made on 31 August 2025) cannot be checked yet: what happened on its days is not in the data yet (the first is 1 September 2025).

    """  # noqa: E501
    facts = tracking_facts(archive, scored)
    opening = tracking_preamble(facts)
    if not facts.checked:
        return opening
    inside = facts.pooled.get("coverage_80")
    held = (
        f", and {100 * float(inside):.0f}% of days fell inside the 80% range"
        if inside is not None
        else ""
    )
    mase = facts.pooled["mase"]
    errors = (
        "errors have no scale to compare them with"  # scored days without a history scale
        if mase is None
        else f"errors were {_errors(float(mase))} the usual change from a day to the same day "
        "a week before"
    )
    first = f"{opening}: {'their' if facts.checked > 1 else 'its'} {errors}{held}."
    if facts.drifted.is_empty() and facts.pooled.get("drift"):  # as tracking_summary says
        return (
            f"{first} Taken together, too few or too many days fell inside the ranges, but no "
            "channel has enough days yet to say where: check again as more days arrive."
        )
    if facts.drifted.is_empty():
        return f"{first} No channel's ranges drifted from what they promise."
    names = _either(sorted({str(c) for c in facts.drifted["unique_id"]}), "and")
    return (
        f"{first} The ranges of {names} held too few or too many days: check them before "
        "relying on them."
    )


def _tracking(scored: pl.DataFrame | None) -> tuple[str, tuple[str, str, str] | None]:
    if scored is None or scored.is_empty():
        return "No earlier forecast can be checked against what happened yet.", None
    pooled = forecast_accuracy(scored, by=()).row(0, named=True)
    mase = float(pooled["mase"])
    inside = pooled.get("coverage_80")
    held = (
        f", and {100 * float(inside):.0f}% of days fell inside their 80% range"
        if inside is not None
        else ""
    )
    sentence = (
        f"Checked on {int(pooled['n_days']):,} days that have happened since, our earlier "
        f"forecasts' errors were {_errors(mase)} the usual change from a day to the same day "
        f"a week before{held}."
    )
    pct = abs(1 - mase) * 100
    value = (
        "as accurate" if round(pct) == 0 else f"{pct:.0f}% {'smaller' if mase < 1 else 'larger'}"
    )
    context = "errors than the usual week-on-week change" + (
        f"; {100 * float(inside):.0f}% of days in the 80% range" if inside is not None else ""
    )
    return sentence, ("Earlier forecasts", value, context)


def _total_range(
    rate_forecast: pl.DataFrame, volume: pl.DataFrame, errors: pl.DataFrame | None
) -> str:
    """``"likely A to B"``: the 80% range of the period's total; ``""`` without the chosen errors.

    Without held-out days of the chosen models there is no measure of how the days' errors
    move together, and a range that assumed them independent would be far too narrow.
    """
    if errors is None:
        return ""
    keys = [c for c in ("unique_id", "model") if c in rate_forecast.columns and c in errors.columns]
    chosen = (
        errors.join(rate_forecast.select(keys).unique(), on=keys, how="semi") if keys else errors
    )
    if chosen.is_empty():
        return ""
    total = forecast_total(volume, chosen, level=80).row(0, named=True)
    return f"likely {total['lo_80']:,.0f} to {total['hi_80']:,.0f}"


def contact_findings(
    rates: pl.DataFrame,
    rate_forecast: pl.DataFrame,
    volume: pl.DataFrame,
    plan: pl.DataFrame,
    /,
    *,
    as_of: date | str,
    tags: Sequence[str] | str = (),
    scored: pl.DataFrame | None = None,
    errors: pl.DataFrame | None = None,
) -> Findings:
    """Summarise the forecast: contacts coming, rate against last year, busiest day, agents.

    Parameters
    ----------
    rates
        :func:`insights.contact_rates` output (``unique_id``, ``ds``, ``rate`` per 1,000
        active customers), the history up to ``as_of``.
    rate_forecast
        :func:`insights.forecast` of the rates (``ds``, ``mean``) over the same period.
    volume
        :func:`insights.contact_volume` output (``unique_id``, ``ds``, ``mean``, ``lo_80``,
        ``hi_80``) over the report's period (:func:`insights.common_window`); the period
        runs from the day after ``as_of`` to its last day.
    plan
        :func:`insights.staffing_plan` output (``unique_id``, ``ds``, ``interval``,
        ``agents_with_shrinkage``); empty when no live channel is in scope.
    as_of
        Last day of history; the forecast starts the day after.
    tags
        The report's tag filter (empty: all contacts), named in the text.
    scored
        :func:`insights.scored_forecasts` output: earlier forecasts checked against what
        happened. ``None`` or empty: none yet, and the summary says so.
    errors
        :func:`insights.backtest_predictions` of the rates (held-out days of every model, or
        of the chosen ones): the rows of each channel's chosen model (``rate_forecast``'s
        ``model``) measure how the days' errors move together, which gives the 80% range of
        the total (:func:`insights.forecast_total`; the daily ranges added up would be far
        too wide). ``None``, or no held-out day of a chosen model: the total is given
        without a range.

    Returns
    -------
    Findings
        A paragraph and four or five key figures: contacts expected (with its 80% range when
        ``errors`` are given), contacts a day per 1,000
        active customers against the same weeks last year (or the last weeks when history is
        shorter), the busiest day with its likely range, the most agents needed at once, and
        how earlier forecasts did. The busiest day's range adds up the channels' 80% ranges,
        so it is at least as wide as the true 80% range of the day's total.

    Raises
    ------
    ParameterError
        A frame lacks a column named above.

    Examples
    --------
    Two days ahead against the same two days a year ago and the last two days:

    >>> from datetime import date, time
    >>> history = [date(2024, 9, 2), date(2024, 9, 3), date(2025, 8, 30), date(2025, 8, 31)]
    >>> ahead = [date(2025, 9, 1), date(2025, 9, 2)]
    >>> rates = pl.DataFrame({"unique_id": "phone", "ds": history, "rate": [1.4, 1.6, 2.6, 2.4]})
    >>> rate_fc = pl.DataFrame({"unique_id": "phone", "ds": ahead, "mean": [3.0, 2.0]})
    >>> volume = pl.DataFrame({"unique_id": "phone", "ds": ahead, "mean": [120.0, 80.0],
    ...                        "lo_80": [100.0, 60.0], "hi_80": [140.0, 95.0]})
    >>> plan = pl.DataFrame({"unique_id": "phone", "ds": ahead[:1], "interval": [time(10)],
    ...                      "agents_with_shrinkage": [6]})
    >>> f = contact_findings(rates, rate_fc, volume, plan, as_of="2025-08-31")
    >>> print(f.summary)
    From 1 to 2 September 2025 we expect about 200 contacts by phone, 2.5 a day for every 1,000 active customers: up 67% on the same days last year and level with the last 2 days. The busiest day is Monday 1 September, with about 120 contacts (likely 100 to 140). Phone needs up to 6 agents scheduled in one half hour (Monday 1 September at 10:00, allowing for breaks and absence). No earlier forecast can be checked against what happened yet.
    >>> f.figures[0]
    ('Contacts expected', '200', '1 to 2 September 2025, phone')

    """  # noqa: E501
    require_columns(rates, ["unique_id", "ds", "rate"], who="contact_findings")
    require_columns(rate_forecast, ["ds", "mean"], who="contact_findings")
    require_columns(volume, ["unique_id", "ds", "mean", "lo_80", "hi_80"], who="contact_findings")
    require_columns(
        plan, ["unique_id", "ds", "interval", "agents_with_shrinkage"], who="contact_findings"
    )
    end = parse_day(as_of)
    scope = contact_scope(tags)
    if volume.is_empty():
        return Findings(summary=f"No forecast of {scope} after {end:%-d %B %Y} to summarise.")
    first, last = end + timedelta(days=1), volume["ds"].max()
    if not isinstance(last, date) or last < first:
        msg = f"contact_findings: the volume forecast must start after as_of={end}."
        raise ParameterError(msg)
    days = (last - first).days + 1
    span = day_span(first, last)
    channels = _either(sorted(str(c) for c in volume["unique_id"].unique()), "and")
    total = float(volume["mean"].sum())
    ranged = _total_range(rate_forecast, volume, errors)
    figures: list[tuple[str, str, str]] = [
        ("Contacts expected", f"{total:,.0f}", f"{span}, {channels}{ranged and '; ' + ranged}")
    ]

    ahead = float(rate_forecast["mean"].sum()) / days
    year_ago = _per_day(
        rates, first - timedelta(days=_YEAR_DAYS), last - timedelta(days=_YEAR_DAYS)
    )
    recent = _per_day(rates, end - timedelta(days=days - 1), end)
    weeks = f"{days // 7} weeks" if days % 7 == 0 else f"{days} days"
    noun = "contacts" if scope == "all contacts" else scope
    changes = [
        c
        for c in (
            _change(ahead, year_ago, f"the same {'weeks' if days % 7 == 0 else 'days'} last year"),
            _change(ahead, recent, f"the last {weeks}"),
        )
        if c is not None
    ]
    compared = f": {' and '.join(changes)}" if changes else ""
    sentences = [
        f"From {span} we expect about {total:,.0f} {noun}{ranged and f' ({ranged})'} by "
        f"{channels}, "
        f"{_rate_text(ahead)} a day for every 1,000 active customers{compared}."
    ]
    figures.append(
        (
            "Contacts a day per 1,000 customers",
            _rate_text(ahead),
            changes[0] if changes else "no earlier weeks to compare",
        )
    )

    daily = (
        volume.group_by("ds")
        .agg(pl.col("mean", "lo_80", "hi_80").sum())
        .sort(["mean", "ds"], descending=[True, False])
        .row(0, named=True)
    )
    likely = f"likely {daily['lo_80']:,.0f} to {daily['hi_80']:,.0f}"
    sentences.append(
        f"The busiest day is {daily['ds']:%A %-d %B}, with about {daily['mean']:,.0f} contacts "
        f"({likely})."
    )
    figures.append(
        ("Busiest day", f"{daily['mean']:,.0f} contacts", f"{daily['ds']:%A %-d %B}; {likely}")
    )

    staffing = _staffing(plan)
    if staffing is None:
        sentences.append(
            "No phone or chat contacts are in scope, so no agents are planned for live channels."
        )
    else:
        sentences.append(staffing[0])
        figures.append(("Most agents at once", staffing[1], staffing[2]))

    said, checked = _tracking(scored)
    sentences.append(said)
    if checked is not None:
        figures.append(checked)
    return Findings(summary=" ".join(sentences), figures=tuple(figures))
