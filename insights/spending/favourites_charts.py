"""Chart of regional favourites: each city's customers split between rival brands.

Built on the shared pieces in :mod:`insights.spending._charts` (column checks, empty charts).
"""

from __future__ import annotations

from typing import Any

import altair as alt
import polars as pl

from insights.publish.theme import INK, PALETTE, titled
from insights.spending._charts import (
    _message_chart,
    _need,
    _wrap,
)

__all__ = [
    "favourites_chart",
]


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
