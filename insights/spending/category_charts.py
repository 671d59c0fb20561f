"""Charts of category spending: the spending index by category and a category's spike days.

Built on the shared pieces in :mod:`insights.spending._charts` (column checks, empty charts).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import altair as alt
import polars as pl

from insights._common import Month, parse_month, require_columns
from insights.errors import ParameterError
from insights.publish.theme import MUTED, PALETTE, titled
from insights.spending._charts import (
    _message_chart,
    _need,
    _wrap,
)
from insights.spending.locale import currency_symbol, minor_per_major

__all__ = [
    "category_index_chart",
    "spikes_chart",
]


def _category(column: str = "merchant_category") -> pl.Expr:
    """Write a category code as words: ``eating_out`` → "Eating out"."""
    words = pl.col(column).str.replace_all("_", " ")
    return words.str.slice(0, 1).str.to_uppercase() + words.str.slice(1)


def _grown_most(year_on_year: pl.DataFrame | None, reference: str) -> tuple[str, float, str] | None:
    """Return the category whose spend grew most on last year: name, change, phrase."""
    if year_on_year is None:
        return None
    require_columns(
        year_on_year, ["merchant_category", "spend_growth_pct"], who="category_index_chart"
    )
    ranked = year_on_year.filter(pl.col("spend_growth_pct").is_not_null()).sort(
        "spend_growth_pct", "merchant_category", descending=[True, False]
    )
    if ranked.is_empty():
        return None
    top = ranked.with_columns(_category().alias("category")).row(0, named=True)
    change = float(top["spend_growth_pct"])
    direction = "up" if change >= 0 else "down"
    return top["category"], change, f"{direction} {abs(change):.0f}% on {reference}"


def category_index_chart(
    index: pl.DataFrame,
    /,
    *,
    title: str | None = None,
    place: str | None = None,
    month: Month | None = None,
    year_on_year: pl.DataFrame | None = None,
    note: str | None = None,
) -> Any:
    """Lines of the category spending index against a reference rule at 100.

    The title and the alt text say which category grew most and by how much: by the
    month's spend against the same month last year when ``year_on_year`` is given (the
    figure the report's findings quote), else by the mean of its index over ``month`` (or
    the last seven days drawn) among the categories drawn without gaps.

    Parameters
    ----------
    index
        :func:`insights.category_index` output (``merchant_category``, ``day``,
        ``index``, ``customers``). With no publishable day the chart says so (with ``note``).
    title
        Headline; defaults to the takeaway (the category that grew most).
    place
        Where the spending is (a city), named in the title and alt text.
    month
        ``"YYYY-MM"`` of the report, when the index is against the same month a year
        earlier (:func:`insights.category_index` with ``month``): the change is read over
        this month and the reference is named.
    year_on_year
        :func:`insights.year_on_year` of the same month and place (``merchant_category``,
        ``spend_growth_pct``): names the category that grew most.
    note
        Why there is nothing to draw, shown when so (:func:`insights.category_index_note`).

    Examples
    --------
    >>> from datetime import date
    >>> import polars as pl
    >>> i = pl.DataFrame(
    ...     {"merchant_category": ["groceries", "eating_out"], "day": [date(2024, 1, 7)] * 2,
    ...      "index": [104.0, 131.0], "customers": [500, 300]}
    ... )
    >>> spec = category_index_chart(i).to_dict()
    >>> spec["facet"]["field"], [layer["mark"]["type"] for layer in spec["spec"]["layer"]]
    ('category', ['rule', 'line'])
    >>> spec["title"]["text"]
    'Eating out spending grew most'

    """
    _need(index, ["merchant_category", "day", "index", "customers"], "category_index_chart")
    first = parse_month(month) if month is not None else None
    reference = f"{first.replace(year=first.year - 1):%B %Y}" if first else "the reference period"
    where = f" in {place}" if place else ""
    # Suppressed days are null: the line breaks there instead of bridging the gap.
    # Categories with no publishable day at all get no (empty) panel.
    data = (
        index.select("merchant_category", "day", "index", "customers")
        .filter(pl.col("index").is_not_null().any().over("merchant_category"))
        .with_columns(_category().alias("category"))
    )
    subtitle = (
        f"Card spending per category{where}, 7-day average, indexed so that {reference} = 100 "
        "(dashed); gaps are days with too few customers to publish"
    )
    if data.is_empty():
        return _message_chart(
            title or f"Spending by category{where}",
            _wrap(note or "No category index to publish."),
            subtitle,
        )
    start: date = data["day"].min()  # type: ignore[assignment]
    last: date = data["day"].max()  # type: ignore[assignment]
    period = (
        pl.col("day").dt.truncate("1mo") == first
        if first is not None
        else pl.col("day") > pl.lit(last) - pl.duration(days=7)
    )
    # read over the period, from categories drawn on every day of it (a gappy line's mean
    # would stand for a few busy days only)
    read = (
        data.filter(period)
        .group_by("category")
        .agg(pl.col("index").mean(), pl.col("index").null_count().alias("gaps"))
        .filter(pl.col("gaps") == 0)
        .sort("index", "category", descending=[True, False])
    )
    when = f"{first:%B %Y}" if first is not None else "the last 7 days"
    if read.is_empty():
        takeaway, summary = f"Spending by category{where}", ""
    else:
        top, bottom = read.row(0, named=True), read.row(-1, named=True)
        verb = "grew most" if round(top["index"]) > 100 else "held up best"
        since = f" since {reference}" if first is not None else ""
        takeaway = f"{top['category']} spending {verb}{where}{since}"
        summary = (
            f" Over {when}, {top['category']} averaged {top['index']:.0f}, the highest"
            + (
                f", and {bottom['category']} {bottom['index']:.0f}, the lowest"
                if read.height > 1
                else ""
            )
            + (
                f" (of the {read.height} categories with no gap in {when})"
                if read.height < data["category"].n_unique()
                else ""
            )
            + "."
        )
    grown = _grown_most(year_on_year, reference)
    if grown is not None:  # the month's spend against last year's: what the findings say
        name, change, sentence = grown
        verb = "grew most" if change > 0 else "held up best"
        takeaway = f"{name} spending {verb}{where}: {sentence}"
        summary = f" {name} grew most in {when}: spend {sentence}.{summary}"
    base = alt.Chart(data)
    reference_rule = (
        base.transform_aggregate(days="count()", groupby=["category"])
        .mark_rule(color=MUTED, strokeDash=[4, 4])
        .encode(y=alt.datum(100))
    )
    lines = base.mark_line(invalid="break-paths-filter-domains", color=PALETTE[0]).encode(
        x=alt.X("day:T", title=None, axis=alt.Axis(format="%b %y", tickCount=4)),
        y=alt.Y("index:Q", title=None, scale=alt.Scale(zero=False)),
        tooltip=[
            alt.Tooltip("category:N", title="Category"),
            alt.Tooltip("day:T", title="Day"),
            alt.Tooltip("index:Q", title="Index", format=".0f"),
            alt.Tooltip("customers:Q", title="Customers that day"),
        ],
    )
    panels = (
        alt.layer(reference_rule, lines)
        .properties(width=190, height=110)
        .facet(facet=alt.Facet("category:N", title=None), columns=3)
        .resolve_scale(y="independent")
    )
    return titled(
        panels,
        title=title or takeaway,
        subtitle=subtitle,
        description=(
            f"Line charts, one per category, of card spending per day{where} from "
            f"{start:%-d %B %Y} to {last:%-d %B %Y}, as a 7-day average indexed "
            f"so that {reference} = 100; {data['category'].n_unique()} categories.{summary}"
        ),
    )


def _major(column: str, currency: str) -> pl.Expr:
    """Minor units to major units (pence to pounds, cents to dollars), as ``spend``."""
    return (pl.col(column) / minor_per_major(currency)).alias("spend")


def spikes_chart(
    daily: pl.DataFrame,
    spikes: pl.DataFrame,
    /,
    *,
    by: str = "merchant_category",
    key: str | None = None,
    label: str | None = None,
    currency: str = "GBP",
    note: str | None = None,
) -> Any:
    """Daily spend of one category or brand, with its spike days annotated.

    Days without payments are drawn as gaps in the line, never bridged.

    Parameters
    ----------
    daily
        :func:`insights.category_daily` or :func:`insights.group_daily`
        output (``<by>``, ``day``, ``spend_minor``); cities are summed.
    spikes
        :func:`insights.spending_spikes` output for the same ``by``.
    by
        ``"merchant_category"`` or ``"merchant_group_id"``.
    key
        The category or group to draw; ``None``: the one with the biggest spike (the first
        row of ``spikes``). With no spikes at all, the chart says so instead of failing, so
        a scheduled report still renders.
    label
        Readable name of ``key`` in the title (defaults to the spikes' ``brand`` column when
        present, else ``key``).
    currency
        ISO 4217 code of ``spend_minor`` (:func:`insights.data_currency`): the axis shows
        major units with its symbol.
    note
        Shown when there is no spike (:func:`insights.spikes_note`).

    Examples
    --------
    >>> from datetime import date
    >>> import polars as pl
    >>> daily = pl.DataFrame(
    ...     {"merchant_category": "cinema", "day": [date(2025, 7, 21), date(2025, 7, 22)],
    ...      "spend_minor": [1000, 3610]}
    ... )
    >>> spikes = pl.DataFrame(
    ...     {"merchant_category": ["cinema"], "day": [date(2025, 7, 22)], "spend_minor": [3610],
    ...      "customers": [40], "jump_pct": [261.0]}
    ... )
    >>> spec = spikes_chart(daily, spikes, key="cinema").to_dict()
    >>> [layer.get("mark", {}).get("type", "labels") for layer in spec["layer"]]
    ['line', 'point', 'labels']

    """
    _need(daily, [by, "day", "spend_minor"], "spikes_chart")
    if key is None and spikes.is_empty():
        return _no_spikes_chart(note)
    _need(spikes, [by, "day", "spend_minor", "customers", "jump_pct"], "spikes_chart")
    if key is None:
        key = str(spikes.get_column(by)[0])
    if label is None and "brand" in spikes.columns:
        brands = spikes.filter(pl.col(by) == key).get_column("brand").drop_nulls()
        label = str(brands[0]) if brands.len() else None
    name = label or key
    per_day = daily.filter(pl.col(by) == key).group_by("day").agg(pl.col("spend_minor").sum())
    if per_day.is_empty():
        msg = f"spikes_chart: no daily rows for {by} = {key!r}."
        raise ParameterError(msg)
    # A full calendar: days without payments are null, so the line breaks there.
    calendar = per_day.select(
        pl.date_range(pl.col("day").min(), pl.col("day").max(), "1d").alias("day")
    )
    series = (
        calendar.join(per_day, on="day", how="left")
        .sort("day")
        .select("day", _major("spend_minor", currency))
    )
    symbol = currency_symbol(currency).strip()
    marks = spikes.filter(pl.col(by) == key).select(
        "day",
        _major("spend_minor", currency),
        "customers",
        "jump_pct",
        pl.format(
            "+{}% on {}",
            pl.col("jump_pct").round(0).cast(pl.Int64),
            pl.col("day").dt.strftime("%-d %b"),
        ).alias("spike_label"),
    )
    x = alt.X("day:T", title=None, axis=alt.Axis(format="%b %Y", labelOverlap=True))
    y = alt.Y("spend:Q", title=f"Spend per day ({symbol})")
    line = alt.Chart(series).mark_line(invalid="break-paths-show-domains").encode(x=x, y=y)
    points = (
        alt.Chart(marks)
        .mark_point(filled=True, size=80, color=PALETTE[5])
        .encode(
            x=x,
            y=y,
            tooltip=[
                alt.Tooltip("day:T", title="Day"),
                alt.Tooltip("spend:Q", title=f"Spend ({symbol})", format=",.0f"),
                alt.Tooltip("customers:Q", title="Customers"),
                alt.Tooltip("jump_pct:Q", title="vs daily average so far (%)", format=".0f"),
            ],
        )
    )
    first, last = series.row(0, named=True)["day"], series.row(-1, named=True)["day"]
    # labels point inwards: left of a spike in the later half, right of one in the first
    middle = first + (last - first) / 2
    late = pl.col("day") > middle
    text = alt.layer(
        alt.Chart(marks.filter(~late))
        .mark_text(align="left", dx=8, dy=-8, fontWeight=600)
        .encode(x=x, y=y, text=alt.Text("spike_label:N")),
        alt.Chart(marks.filter(late))
        .mark_text(align="right", dx=-8, dy=-8, fontWeight=600)
        .encode(x=x, y=y, text=alt.Text("spike_label:N")),
    )
    ranked = marks.sort("jump_pct", descending=True)
    if ranked.height:
        top = ranked.row(0, named=True)
        headline = (
            f"{name[:1].upper()}{name[1:]} spending jumped {top['jump_pct']:.0f}% "
            f"on {top['day']:%-d %B %Y}"
        )
        days = "; ".join(
            f"{r['day']:%-d %B %Y}: {r['spend']:,.0f} {currency}, {r['jump_pct']:.0f}% above "
            "its usual day"
            for r in ranked.head(5).to_dicts()
        )
        more = f"; and {ranked.height - 5} more" if ranked.height > 5 else ""
        peak = f" Spike days, biggest first: {days}{more}."
    else:
        headline, peak = f"{name[:1].upper()}{name[1:]} spending per day", ""
    return titled(
        alt.layer(line, points, text),
        description=(
            f"Line chart of card spending per day on {name} from {first:%-d %B %Y} to "
            f"{last:%-d %B %Y}, with {ranked.height} spike "
            f"{'day' if ranked.height == 1 else 'days'} marked.{peak}"
        ),
        title=headline,
        subtitle=(
            f"Card spending per day on {name}; marked days are at least double both the previous "
            "week's and the year's daily average so far"
        ),
    )


def _no_spikes_chart(note: str | None) -> Any:
    return _message_chart(
        "No spending spikes this year",
        _wrap(note or "No day so far this year doubled both averages"),
        "Days at least double both the previous week's and the year's daily average",
    )
