"""Chart of the trending places: a usual month's repeat customers against this month's.

Built on the shared pieces in :mod:`insights.spending._charts` (column checks, empty charts).
"""

from __future__ import annotations

from typing import Any

import altair as alt
import polars as pl

from insights.publish.tables import MIN_CUSTOMERS, suppress_people
from insights.publish.theme import INK, MUTED, PALETTE, titled
from insights.spending._charts import (
    _message_chart,
    _need,
    _wrap,
)

__all__ = [
    "place_labels",
    "trending_chart",
]


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
