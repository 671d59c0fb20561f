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

from datetime import date
from typing import Any

import altair as alt
import polars as pl

from insights._common import Month, parse_month, require_columns
from insights.errors import ParameterError
from insights.publish.tables import MIN_CUSTOMERS, suppress_people
from insights.publish.theme import INK, MUTED, PALETTE, titled, wrap_words
from insights.spending.locale import currency_symbol, minor_per_major

__all__ = [
    "category_index_chart",
    "favourites_chart",
    "place_labels",
    "spikes_chart",
    "trending_chart",
]


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
    return "\n".join(wrap_words(text, width=40))  # fits the phone drawing (328 px)


def _major(column: str, currency: str) -> pl.Expr:
    """Minor units to major units (pence to pounds, cents to dollars), as ``spend``."""
    return (pl.col(column) / minor_per_major(currency)).alias("spend")


def place_labels(frame: pl.DataFrame, /) -> pl.Series:
    """Name each place so that namesakes can be told apart.

    A name shared by several places of the list gets its city when their cities differ,
    else its category when those differ, else the end of its id (``Foxglove Books #3161``).

    Examples
    --------
    >>> places = pl.DataFrame({
    ...     "merchant_id": ["m_03161", "m_03172", "m_00007"],
    ...     "merchant_name": ["Foxglove Books", "Foxglove Books", "Kettle"],
    ...     "merchant_city": ["London"] * 3, "merchant_category": ["shopping"] * 3})
    >>> place_labels(places).to_list()
    ['Foxglove Books #3161', 'Foxglove Books #3172', 'Kettle']

    """
    name = pl.col("merchant_name")
    shared = pl.len().over("merchant_name") > 1
    varies = [
        c for c in ("merchant_city", "merchant_category") if c in frame.columns
    ]  # the first attribute that tells the namesakes apart
    tail = pl.col("merchant_id").cast(pl.String).str.slice(-4)
    label = pl.format("{} #{}", name, tail)
    for column in reversed(varies):
        differs = pl.col(column).n_unique().over("merchant_name") > 1
        shown = pl.col(column).str.replace_all("_", " ")
        label = pl.when(differs).then(pl.format("{} ({})", name, shown)).otherwise(label)
    return frame.select(pl.when(shared).then(label).otherwise(name).alias("place")).to_series()


def _count(column: str) -> pl.Expr:
    return pl.col(column).round(0).cast(pl.Int64)


def _trending_subtitle(when: str) -> str:
    return (
        f"Repeat customers (two or more visits in a month) in a usual month before (○) and in "
        f"{when} (●), of the independent places that grew most beyond what their history "
        "and their area predict (counted cautiously for small places)"
    )


def trending_chart(
    trending: pl.DataFrame,
    /,
    *,
    title: str | None = None,
    place: str | None = None,
    note: str | None = None,
) -> Any:
    """Dots from a usual month's repeat customers to this month's, per place, in rank order.

    One measure, repeat customers: an open dot for the place's usual month before (its
    baseline), a filled dot for this month, joined and labelled with both counts. Rows
    follow the list's rank (growth beyond what the place's history and its area predicted,
    counted cautiously for small places), numbered. Namesakes are told
    apart (:func:`place_labels`). Counts below the disclosure floor are suppressed before
    they are drawn or labelled.

    Parameters
    ----------
    trending
        :func:`insights.trending_merchants` output (``rank``, ``merchant_id``,
        ``merchant_name``, ``merchant_city``, ``month``, ``customers``, ``repeat_customers``,
        ``baseline_repeat``, ``expected_repeat``). An empty table gives a chart saying so
        (with ``note``) instead of dots.
    title
        Headline; defaults to the takeaway: the leading place and its change.
    place
        Place named in the title and description; defaults to the city of the list when it
        has one, else "all cities".
    note
        Why the list is empty, shown when it is (:func:`insights.trending_note`).

    Examples
    --------
    >>> from datetime import date
    >>> import polars as pl
    >>> t = pl.DataFrame(
    ...     {
    ...         "rank": [1], "merchant_id": ["m1"], "merchant_name": ["Kettle"],
    ...         "merchant_city": ["Leeds"], "month": [date(2025, 9, 1)], "customers": [300],
    ...         "repeat_customers": [150], "baseline_repeat": [50.0], "expected_repeat": [52.5],
    ...     }
    ... )
    >>> trending_chart(t).to_dict()["title"]["text"]
    'Kettle trends in Leeds: 150 repeat customers, up from 50'

    """
    _need(
        trending,
        [
            "rank",
            "merchant_id",
            "merchant_name",
            "merchant_city",
            "month",
            "customers",
            "repeat_customers",
            "baseline_repeat",
            "expected_repeat",
        ],
        "trending_chart",
    )
    cities = trending["merchant_city"].unique().to_list()
    where = place or (cities[0] if len(cities) == 1 else "all cities")
    if trending.is_empty():
        return _message_chart(
            title or f"No trending places in {where}",
            _wrap(note or "No place passed the bar this month."),
            _trending_subtitle("this month"),
        )
    when = f"{trending['month'][0]:%B %Y}"
    # what is drawn is published: small counts go before they become dots or labels
    drawn = suppress_people(
        trending.sort("rank").select(
            "rank",
            "merchant_id",
            "merchant_name",
            "merchant_city",
            *(["merchant_category"] if "merchant_category" in trending.columns else []),
            "customers",
            "repeat_customers",
            "baseline_repeat",
            "expected_repeat",
        )
    )
    data = drawn.with_columns(
        pl.format("{}. {}", pl.col("rank"), place_labels(drawn)).alias("place"),
        # a suppressed usual month is said in words, left of this month's dot
        pl.coalesce("baseline_repeat", "repeat_customers").alias("usual_at"),
        pl.when(pl.col("baseline_repeat").is_null())
        .then(pl.lit(f"usually under {MIN_CUSTOMERS}"))
        .otherwise(_count("baseline_repeat").cast(pl.String))
        .alias("usual_label"),
        _count("repeat_customers").cast(pl.String).alias("now_label"),
    ).drop("merchant_id")
    order = data["place"].to_list()
    y = alt.Y("place:N", sort=order, title=None, axis=alt.Axis(labelLimit=200))
    x_title = "Repeat customers in a month"
    base = alt.Chart(data).encode(
        y=y,
        tooltip=[
            alt.Tooltip("place:N", title="Place"),
            alt.Tooltip("merchant_city:N", title="City"),
            alt.Tooltip("baseline_repeat:Q", title="Usual repeat customers", format=".0f"),
            alt.Tooltip("expected_repeat:Q", title="Expected this month", format=".0f"),
            alt.Tooltip("repeat_customers:Q", title="Repeat customers this month"),
            alt.Tooltip("customers:Q", title="Customers this month"),
        ],
    )
    # room on the right for the last label: the axis never ends at the biggest dot
    top = float(data.select(pl.max_horizontal("baseline_repeat", "repeat_customers").max()).item())
    scale = alt.Scale(domain=[0, top * 1.12], nice=True)
    x_usual = alt.X("baseline_repeat:Q", title=x_title, scale=scale)
    x_now = alt.X("repeat_customers:Q", title=x_title, scale=scale)
    line = base.mark_rule(color=MUTED, strokeWidth=2).encode(x=x_usual, x2="repeat_customers:Q")
    usual = base.mark_circle(size=90, fill="#ffffff", stroke=MUTED, strokeWidth=2, opacity=1)
    usual = usual.encode(x=x_usual)
    now = base.mark_circle(size=110, color=PALETTE[0], opacity=1).encode(x=x_now)
    usual_text = base.mark_text(align="right", dx=-9, color=MUTED).encode(
        x=alt.X("usual_at:Q", title=x_title, scale=scale), text=alt.Text("usual_label:N")
    )
    now_text = base.mark_text(align="left", dx=9, fontWeight=600, color=INK).encode(
        x=x_now, text=alt.Text("now_label:N")
    )
    first = data.row(0, named=True)
    listed = "; ".join(f"{r['place']}: {_from_to(r)}" for r in data.head(5).to_dicts())
    more = f"; and {data.height - 5} more" if data.height > 5 else ""
    return titled(
        alt.layer(line, usual, now, usual_text, now_text).properties(height=alt.Step(34)),
        title=title or _trending_takeaway(first, where),
        subtitle=_trending_subtitle(when),
        description=(
            f"Dot chart of the {data.height} trending places in {where}, {when}, in rank "
            f"order: each place's repeat customers in a usual month before and this month "
            f"(and what its history and area predicted). {listed}{more}."
        ),
    )


def _people(value: float | None) -> str:
    """Write a count of people as published: whole, or "under 10" when suppressed or small."""
    if value is None or round(value) < MIN_CUSTOMERS:
        return f"under {MIN_CUSTOMERS}"
    return f"{round(value):,}"


def _from_to(row: dict[str, Any]) -> str:
    usual, expected = row["baseline_repeat"], row["expected_repeat"]
    guess = "" if expected is None else f", {_people(expected)} expected"
    return f"{_people(usual)} → {_people(row['repeat_customers'])} repeat customers{guess}"


def _trending_takeaway(first: dict[str, Any], where: str) -> str:
    name = first["merchant_name"]
    now, usual = _people(first["repeat_customers"]), _people(first["baseline_repeat"])
    return f"{name} trends in {where}: {now} repeat customers, up from {usual}"


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


def favourites_chart(
    favourites: pl.DataFrame,
    /,
    *,
    title: str | None = None,
    note: str | None = None,
) -> Any:
    """One bar per city split between the rival brands by their share of its customers.

    Cities are sorted by the share of the brand that is the favourite in most cities, so
    its strongholds are at the top; each part is labelled with its share. The title and the
    alt text say which brand leads where.

    Parameters
    ----------
    favourites
        :func:`insights.regional_favourites` output (``merchant_city``,
        ``merchant_group_id``, ``customers``, ``share``, ``favourite``). Pass a ``brand``
        column to show names instead of group ids. Suppressed cities (``suppressed`` true)
        are left out; with none left the chart says so (with ``note``).
    title
        Headline; defaults to the takeaway (which brand leads in how many cities).
    note
        Why there is nothing to compare, shown when so (:func:`insights.favourites_note`).

    Examples
    --------
    >>> import polars as pl
    >>> f = pl.DataFrame(
    ...     {"merchant_city": ["Leeds", "Leeds"], "merchant_group_id": ["g_bean", "g_bun"],
    ...      "customers": [60, 40], "share": [0.6, 0.4], "favourite": [True, False]}
    ... )
    >>> favourites_chart(f).to_dict()["title"]["text"]
    'g_bean is the favourite in 1 of 1 city'

    """
    _need(
        favourites,
        ["merchant_city", "merchant_group_id", "customers", "share", "favourite"],
        "favourites_chart",
    )
    subtitle = "Share of the rival brands' distinct customers in each city"
    left_out = 0
    if "suppressed" in favourites.columns:
        left_out = favourites.filter(pl.col("suppressed"))["merchant_city"].n_unique()
        favourites = favourites.filter(~pl.col("suppressed"))
    if favourites.is_empty():
        return _message_chart(
            title or "Each city's favourite", _wrap(note or "No city to compare."), subtitle
        )
    brand = pl.col("brand") if "brand" in favourites.columns else pl.col("merchant_group_id")
    data = favourites.with_columns(brand.cast(pl.String).alias("brand_name"))
    wins = (
        data.filter(pl.col("favourite"))
        .group_by("brand_name")
        .agg(pl.len().alias("cities"), pl.col("share").max().alias("best"))
        .sort("cities", "best", descending=True)
    )
    brands = (
        data.group_by("brand_name")
        .agg(pl.col("share").mean())
        .join(wins, on="brand_name", how="left")
        .sort("cities", "share", descending=True, nulls_last=True)["brand_name"]
        .to_list()
    )
    order = (
        data.filter(pl.col("brand_name") == brands[0])
        .sort("share", descending=True)["merchant_city"]
        .to_list()
    )
    order += sorted(set(data["merchant_city"]) - set(order))
    rank = pl.col("brand_name").replace_strict(brands, list(range(len(brands))))
    parts = (
        data.with_columns(rank.alias("brand_order"))
        .sort("merchant_city", "brand_order")
        .with_columns(pl.col("share").cum_sum().over("merchant_city").alias("share_end"))
        .with_columns(
            (pl.col("share_end") - pl.col("share")).alias("share_start"),
            (pl.col("share_end") - pl.col("share") / 2).alias("share_mid"),
            pl.when(pl.col("share") >= 0.08)
            .then(pl.format("{}%", (pl.col("share") * 100).round(0).cast(pl.Int64)))
            .otherwise(pl.lit(""))
            .alias("share_label"),
        )
        .select(
            "merchant_city",
            "merchant_group_id",
            "brand_name",
            "brand_order",
            "customers",
            "share",
            "favourite",
            "share_start",
            "share_end",
            "share_mid",
            "share_label",
        )
    )
    colours = PALETTE[: len(brands)] if len(brands) <= 6 else alt.Undefined
    y = alt.Y("merchant_city:N", sort=order, title=None)
    colour = alt.Color(
        "brand_name:N",
        title=None,
        sort=brands,
        scale=alt.Scale(domain=brands, range=colours),
        legend=alt.Legend(orient="top", direction="vertical", symbolType="square"),
    )
    bars = (
        alt.Chart(parts)
        .mark_bar()
        .encode(
            y=y,
            x=alt.X(
                "share_start:Q",
                title="Share of the rivals' customers",
                axis=alt.Axis(format="%", values=[0, 0.25, 0.5, 0.75, 1]),
                scale=alt.Scale(domain=[0, 1]),
            ),
            x2="share_end:Q",
            color=colour,
            tooltip=[
                alt.Tooltip("merchant_city:N", title="City"),
                alt.Tooltip("brand_name:N", title="Brand"),
                alt.Tooltip("customers:Q", title="Customers"),
                alt.Tooltip("share:Q", title="Share", format=".0%"),
            ],
        )
    )
    labels = (
        alt.Chart(parts)
        .mark_text(align="center", fontWeight=600)
        .encode(
            y=y,
            x=alt.X("share_mid:Q"),
            text=alt.Text("share_label:N"),
            color=alt.condition(alt.datum.brand_order == 0, alt.value("#ffffff"), alt.value(INK)),
        )
    )
    leader = wins.row(0, named=True) if wins.height else None
    cities = parts["merchant_city"].n_unique()
    plural = "city" if cities == 1 else "cities"
    takeaway = (
        f"{leader['brand_name']} is the favourite in {leader['cities']} of {cities} {plural}"
        if leader is not None
        else "Each city's favourite"
    )
    return titled(
        alt.layer(bars, labels).properties(height=alt.Step(26)),
        title=title or takeaway,
        subtitle=subtitle,
        description=_favourites_description(parts, brands, left_out),
    )


def _favourites_description(parts: pl.DataFrame, brands: list[str], left_out: int) -> str:
    cities = parts["merchant_city"].n_unique()
    said = []
    for name in brands:
        led = parts.filter(pl.col("favourite") & (pl.col("brand_name") == name)).sort(
            "share", descending=True
        )
        if led.is_empty():
            continue
        where = ", ".join(
            f"{r['merchant_city']} ({r['share']:.0%})" for r in led.head(3).to_dicts()
        )
        more = f" and {led.height - 3} more" if led.height > 3 else ""
        said.append(f"{name} leads in {led.height}: {where}{more}")
    gone = (
        f" {left_out} {'city' if left_out == 1 else 'cities'} with too few customers left out."
        if left_out
        else ""
    )
    return (
        f"Bar chart of each city's customers split between the rival brands "
        f"{' and '.join(brands)}, in {cities} {'city' if cities == 1 else 'cities'}. "
        + "; ".join(said)
        + "."
        + gone
    )
