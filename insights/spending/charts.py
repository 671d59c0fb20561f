"""Charts of the spending insights, styled by the house theme.

Pure functions of the small tables in :mod:`insights.spending` (categories, spikes, favourites) and
:mod:`insights.spending.trending`, styled by the house theme (:mod:`insights.publish.theme`).

Each builder returns an altair chart spec with explicit encoding types, a title, a subtitle
saying what is measured and the source note. Labels are computed in polars before charting, so
the spec carries no Vega expressions to test. An empty table is a normal result: the chart
then says so in words (``note``, e.g. from :mod:`insights.spending.notes`) instead of failing,
so a quiet month still gets every other section of its report.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import polars as pl

from insights._common import require_columns
from insights.errors import ParameterError
from insights.publish.tables import MIN_CUSTOMERS, suppress_people
from insights.publish.theme import PALETTE, titled, wrap_words
from insights.spending.locale import currency_symbol, minor_per_major

__all__ = ["category_index_chart", "favourites_chart", "spikes_chart", "trending_chart"]


def _need(frame: pl.DataFrame, columns: list[str], chart: str) -> None:
    require_columns(frame, columns, who=chart)


def _message_chart(title: str, text: str, subtitle: str) -> Any:
    """Build a chart that says in words why there is nothing to draw."""
    message = pl.DataFrame({"text": [text]})
    chart = (
        alt.Chart(message)
        .mark_text(fontSize=14, lineBreak="\n", align="center")
        .encode(text=alt.Text("text:N"))
    )
    return titled(chart.properties(height=80), title=title, subtitle=subtitle)


def _wrap(text: str) -> str:
    """Break a sentence into the lines of a text mark (it does not wrap by itself)."""
    return "\n".join(wrap_words(text, width=90))


def _growth_label() -> pl.Expr:
    return (
        pl.when(pl.col("growth").is_not_null())
        .then(pl.format("{}× expected", pl.col("growth").round(1)))
        .otherwise(pl.lit("new regulars"))
        .alias("growth_label")
    )


def _major(column: str, currency: str) -> pl.Expr:
    """Minor units to major units (pence to pounds, cents to dollars), as ``spend``."""
    return (pl.col(column) / minor_per_major(currency)).alias("spend")


_TRENDING_SUBTITLE = (
    "Independent places ranked by growth in repeat customers (two or more visits in the "
    "month) beyond what their history and their area predict"
)


def trending_chart(
    trending: pl.DataFrame,
    /,
    *,
    title: str | None = None,
    place: str | None = None,
    note: str | None = None,
) -> Any:
    """Ranked horizontal bars of repeat customers, labelled with growth against expectation.

    Parameters
    ----------
    trending
        :func:`insights.trending_merchants` output (``rank``, ``merchant_name``,
        ``repeat_customers``, ``growth``, ``month``, ``merchant_city``, ``customers``). An
        empty table gives a chart saying so (with ``note``) instead of bars.
    title
        Headline; defaults to "Trending in <place>, <Month YYYY>".
    place
        Place named in the default title; defaults to the city of the list when it has one,
        else "all cities".
    note
        Why the list is empty, shown when it is (:func:`insights.trending_note`).

    Examples
    --------
    >>> from datetime import date
    >>> import polars as pl
    >>> t = pl.DataFrame(
    ...     {
    ...         "rank": [1], "merchant_name": ["Kettle"], "merchant_city": ["Leeds"],
    ...         "month": [date(2025, 9, 1)], "customers": [300], "repeat_customers": [150],
    ...         "growth": [2.84],
    ...     }
    ... )
    >>> trending_chart(t).to_dict()["title"]["text"]
    'Trending in Leeds, September 2025'

    """
    _need(
        trending,
        [
            "rank",
            "merchant_name",
            "merchant_city",
            "month",
            "customers",
            "repeat_customers",
            "growth",
        ],
        "trending_chart",
    )
    cities = trending["merchant_city"].unique().to_list()
    where = place or (cities[0] if len(cities) == 1 else "all cities")
    if trending.is_empty():
        return _message_chart(
            title or f"No trending places in {where}",
            _wrap(note or "No place passed the bar this month."),
            _TRENDING_SUBTITLE,
        )
    when = f"{trending['month'][0]:%B %Y}"
    # Bars are keyed by "rank. name": two locations may share a name (and would overlap).
    data = trending.select(
        "rank", "merchant_name", "merchant_city", "customers", "repeat_customers", "growth"
    ).with_columns(
        _growth_label(),
        pl.format("{}. {}", pl.col("rank"), pl.col("merchant_name")).alias("place"),
    )
    y = alt.Y("place:N", sort=alt.EncodingSortField(field="rank", order="ascending"), title=None)
    base = alt.Chart(data).encode(
        y=y,
        x=alt.X("repeat_customers:Q", title="Repeat customers this month"),
        tooltip=[
            alt.Tooltip("merchant_name:N", title="Place"),
            alt.Tooltip("merchant_city:N", title="City"),
            alt.Tooltip("repeat_customers:Q", title="Repeat customers"),
            alt.Tooltip("customers:Q", title="Customers"),
            alt.Tooltip("growth:Q", title="Growth vs expected", format=".1f"),
        ],
    )
    bars = base.mark_bar(color=PALETTE[0])
    labels = base.mark_text(align="left", dx=4).encode(text=alt.Text("growth_label:N"))
    # The alt text is published: it names only counts that survive suppression.
    shown = suppress_people(data.select("rank", "merchant_name", "repeat_customers", "growth"))
    listed = "; ".join(
        f"{r['rank']}. {r['merchant_name']}: "
        + (
            f"{r['repeat_customers']:,} repeat customers"
            if r["repeat_customers"] is not None
            else f"fewer than {MIN_CUSTOMERS} repeat customers"
        )
        + (f", {r['growth']:.1f}× expected" if r["growth"] is not None else "")
        for r in shown.head(3).to_dicts()
    )
    more = f"; and {data.height - 3} more" if data.height > 3 else ""
    return titled(
        alt.layer(bars, labels),
        title=title or f"Trending in {where}, {when}",
        subtitle=_TRENDING_SUBTITLE,
        description=(
            f"Bar chart of the {data.height} trending places in {where}, {when}, by rank, "
            f"bar length = repeat customers: {listed}{more}."
        ),
    )


def category_index_chart(
    index: pl.DataFrame,
    /,
    *,
    title: str = "Spending by category",
    note: str | None = None,
) -> Any:
    """Lines of the category spending index against a reference rule at 100.

    Parameters
    ----------
    index
        :func:`insights.category_index` output (``merchant_category``, ``day``,
        ``index``, ``customers``). With no publishable day the chart says so (with ``note``).
    title
        Headline.
    note
        Why there is nothing to draw, shown when so (:func:`insights.category_index_note`).

    Examples
    --------
    >>> from datetime import date
    >>> import polars as pl
    >>> i = pl.DataFrame(
    ...     {"merchant_category": ["groceries"], "day": [date(2024, 1, 7)], "index": [104.0],
    ...      "customers": [500]}
    ... )
    >>> spec = category_index_chart(i).to_dict()
    >>> spec["facet"]["field"], [layer["mark"]["type"] for layer in spec["spec"]["layer"]]
    ('merchant_category', ['rule', 'line'])

    """
    _need(index, ["merchant_category", "day", "index", "customers"], "category_index_chart")
    # Suppressed days are null: the line breaks there instead of bridging the gap.
    # Categories with no publishable day at all get no (empty) panel.
    data = index.select("merchant_category", "day", "index", "customers").filter(
        pl.col("index").is_not_null().any().over("merchant_category")
    )
    subtitle = (
        "7-day average card spending per category, indexed so the baseline period = 100 "
        "(dashed); gaps are days with too few customers to publish"
    )
    if data.is_empty():
        return _message_chart(title, _wrap(note or "No category index to publish."), subtitle)
    base = alt.Chart(data)
    reference = (
        base.transform_aggregate(days="count()", groupby=["merchant_category"])
        .mark_rule(color="#57606a", strokeDash=[4, 4])
        .encode(y=alt.datum(100))
    )
    lines = base.mark_line(invalid="break-paths-filter-domains", color=PALETTE[0]).encode(
        x=alt.X("day:T", title=None, axis=alt.Axis(format="%b %y")),
        y=alt.Y("index:Q", title=None, scale=alt.Scale(zero=False)),
        tooltip=[
            alt.Tooltip("merchant_category:N", title="Category"),
            alt.Tooltip("day:T", title="Day"),
            alt.Tooltip("index:Q", title="Index", format=".0f"),
            alt.Tooltip("customers:Q", title="Customers that day"),
        ],
    )
    panels = (
        alt.layer(reference, lines)
        .properties(width=190, height=110)
        .facet(facet=alt.Facet("merchant_category:N", title=None), columns=3)
        .resolve_scale(y="independent")
    )
    return titled(panels, title=title, subtitle=subtitle)


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
    >>> [layer["mark"]["type"] for layer in spec["layer"]]
    ['line', 'point', 'text']

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
    x = alt.X("day:T", title=None)
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
    text = (
        alt.Chart(marks)
        .mark_text(align="left", dx=8, dy=-8, fontWeight=600)
        .encode(x=x, y=y, text=alt.Text("spike_label:N"))
    )
    biggest = marks.sort("jump_pct", descending=True).row(0, named=True) if marks.height else None
    first, last = series.row(0, named=True)["day"], series.row(-1, named=True)["day"]
    peak = (
        f"; the biggest spike was {biggest['spend']:,.0f} {currency} on "
        f"{biggest['day']:%-d %B %Y}, {biggest['jump_pct']:.0f}% above its usual day"
        if biggest
        else ""
    )
    return titled(
        alt.layer(line, points, text),
        description=(
            f"Line chart of card spending per day on {name} from {first:%-d %B %Y} to "
            f"{last:%-d %B %Y}, with {marks.height} spike day(s) marked{peak}."
        ),
        title=f"{name[:1].upper()}{name[1:]} spending: the spike",
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


def favourites_chart(
    favourites: pl.DataFrame,
    /,
    *,
    title: str = "Each city's favourite",
    columns: int = 4,
    note: str | None = None,
) -> Any:
    """Small multiples per city: each rival brand's share of the rivals' customers.

    Parameters
    ----------
    favourites
        :func:`insights.regional_favourites` output (``merchant_city``,
        ``merchant_group_id``, ``customers``, ``share``, ``favourite``). Pass a ``brand``
        column to show names instead of group ids. Suppressed cities (``suppressed`` true)
        get no panel; with none left the chart says so (with ``note``).
    title
        Headline.
    columns
        Cities per row of the grid.
    note
        Why there is nothing to compare, shown when so (:func:`insights.favourites_note`).

    Examples
    --------
    >>> import polars as pl
    >>> f = pl.DataFrame(
    ...     {"merchant_city": ["Leeds", "Leeds"], "merchant_group_id": ["g_bean", "g_bun"],
    ...      "customers": [60, 40], "share": [0.6, 0.4], "favourite": [True, False]}
    ... )
    >>> favourites_chart(f).to_dict()["facet"]["field"]
    'merchant_city'

    """
    _need(
        favourites,
        ["merchant_city", "merchant_group_id", "customers", "share", "favourite"],
        "favourites_chart",
    )
    subtitle = "Share of the rival brands' distinct customers in each city"
    if "suppressed" in favourites.columns:
        favourites = favourites.filter(~pl.col("suppressed"))
    if favourites.is_empty():
        return _message_chart(title, _wrap(note or "No city to compare."), subtitle)
    brand = "brand" if "brand" in favourites.columns else "merchant_group_id"
    data = favourites.select(
        "merchant_city",
        "merchant_group_id",
        "customers",
        "share",
        "favourite",
        *([brand] if brand == "brand" else []),
    )
    base = alt.Chart().encode(
        y=alt.Y(f"{brand}:N", title=None),
        x=alt.X("share:Q", title="Share of customers", axis=alt.Axis(format="%")),
    )
    bars = base.mark_bar().encode(
        color=alt.Color(f"{brand}:N", title="Brand"),
        opacity=alt.Opacity(
            "favourite:N", scale=alt.Scale(domain=[True, False], range=[1.0, 0.45]), legend=None
        ),
        tooltip=[
            alt.Tooltip("merchant_city:N", title="City"),
            alt.Tooltip(f"{brand}:N", title="Brand"),
            alt.Tooltip("customers:Q", title="Customers"),
            alt.Tooltip("share:Q", title="Share", format=".0%"),
        ],
    )
    labels = base.mark_text(align="left", dx=3).encode(text=alt.Text("share:Q", format=".0%"))
    grid = (
        alt.layer(bars, labels, data=data)
        .properties(width=130, height=60)
        .facet(facet=alt.Facet("merchant_city:N", title=None), columns=columns)
    )
    return titled(grid, title=title, subtitle=subtitle)
