from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
import pytest

from insights.errors import ParameterError
from insights.publish.theme import SOURCE_NOTE
from insights.spending.charts import (
    category_index_chart,
    favourites_chart,
    spikes_chart,
    trending_chart,
)

TRENDING = pl.DataFrame(
    {
        "rank": [1, 2],
        "month": [date(2025, 9, 1)] * 2,
        "merchant_id": ["m1", "m2"],
        "merchant_name": ["The Copper Kettle", "Bao Down"],
        "merchant_category": ["eating_out"] * 2,
        "merchant_city": ["Leeds"] * 2,
        "customers": [300, 120],
        "repeat_customers": [150, 60],
        "growth": [2.84, None],
    }
)

INDEX = pl.DataFrame(
    {
        "merchant_category": ["groceries", "groceries", "eating_out", "eating_out"],
        "day": [date(2024, 1, 7), date(2024, 1, 8)] * 2,
        "spend_minor": [1, 1, 1, 1],
        "customers": [500, 500, 200, 200],
        "spend_rolling": [1.0] * 4,
        "index": [101.0, 99.5, None, 120.0],
    }
)

DAILY = pl.DataFrame(
    {
        "merchant_category": ["entertainment"] * 3,
        "merchant_city": ["Leeds", "York", "Leeds"],
        "day": [date(2025, 7, 21), date(2025, 7, 21), date(2025, 7, 22)],
        "spend_minor": [500, 500, 3610],
        "customers": [20, 20, 60],
    }
)
SPIKES = pl.DataFrame(
    {
        "merchant_category": ["entertainment"],
        "day": [date(2025, 7, 22)],
        "spend_minor": [3610],
        "customers": [60],
        "jump_pct": [261.0],
    }
)

FAVOURITES = pl.DataFrame(
    {
        "merchant_city": ["Leeds", "Leeds", "York", "York"],
        "merchant_group_id": ["g_bean", "g_bun", "g_bun", "g_bean"],
        "customers": [30, 10, 25, 15],
        "share": [0.75, 0.25, 0.625, 0.375],
        "rank": [1, 2, 1, 2],
        "favourite": [True, False, True, False],
    }
)


def _values(spec: dict[str, Any], layer: dict[str, Any]) -> list[dict[str, Any]]:
    name = layer.get("data", spec.get("data", {})).get("name")
    values: list[dict[str, Any]] = spec["datasets"][name]
    return values


def _assert_title_block(spec: dict[str, Any]) -> None:
    assert spec["title"]["text"]
    subtitle = " ".join(spec["title"]["subtitle"])  # wrapped into lines by the theme
    assert subtitle.endswith(SOURCE_NOTE)
    assert subtitle != SOURCE_NOTE  # a subtitle says what is measured before the source


def test_trending_chart_bars_sorted_by_rank_with_growth_labels() -> None:
    spec = trending_chart(TRENDING).to_dict()
    _assert_title_block(spec)
    assert spec["title"]["text"] == "Trending in Leeds, September 2025"
    bars, labels = spec["layer"]
    assert bars["mark"]["type"] == "bar"
    assert bars["encoding"]["x"] == {
        "field": "repeat_customers",
        "type": "quantitative",
        "title": "Repeat customers this month",
    }
    assert bars["encoding"]["y"]["sort"] == {"field": "rank", "order": "ascending"}
    assert labels["encoding"]["text"] == {"field": "growth_label", "type": "nominal"}
    rows = {r["merchant_name"]: r["growth_label"] for r in _values(spec, bars)}
    assert rows == {"The Copper Kettle": "2.8× expected", "Bao Down": "new regulars"}


def test_category_index_chart_is_one_panel_per_category_with_a_100_rule() -> None:
    spec = category_index_chart(INDEX).to_dict()
    _assert_title_block(spec)
    assert spec["facet"] == {"field": "merchant_category", "type": "nominal", "title": None}
    rule, lines = spec["spec"]["layer"]
    assert rule["mark"]["type"] == "rule"
    assert rule["encoding"]["y"] == {"datum": 100}
    assert lines["encoding"]["x"]["type"] == "temporal"
    # Null index days (incomplete window, suppressed) stay in the data so the line breaks there.
    assert lines["mark"]["invalid"] == "break-paths-filter-domains"
    values = spec["datasets"][spec["data"]["name"]]
    assert [r["index"] is None for r in values].count(True) == 1


def test_spikes_chart_annotates_the_spike_day() -> None:
    spec = spikes_chart(DAILY, SPIKES, key="entertainment", label="cinema").to_dict()
    _assert_title_block(spec)
    line, _points, text = spec["layer"]
    assert [r["spend"] for r in _values(spec, line)] == [10.0, 36.1]
    assert [r["spike_label"] for r in _values(spec, text)] == ["+261% on 22 Jul"]
    assert text["encoding"]["text"]["field"] == "spike_label"
    assert "cinema" in spec["title"]["subtitle"][0]


def test_favourites_chart_is_one_panel_per_city() -> None:
    spec = favourites_chart(FAVOURITES, columns=2).to_dict()
    _assert_title_block(spec)
    assert spec["facet"] == {"field": "merchant_city", "type": "nominal", "title": None}
    assert spec["columns"] == 2
    bars = spec["spec"]["layer"][0]
    assert bars["encoding"]["x"]["field"] == "share"
    assert bars["encoding"]["color"]["field"] == "merchant_group_id"


def test_chart_of_an_empty_table_says_why_instead_of_failing() -> None:
    # Regression: trending_chart raised on an empty list, so a quiet month or a small city
    # lost every later section of its report.
    note = "No place in Leeds passed the bar in September 2025: 40 places checked."
    spec = trending_chart(TRENDING.clear(), place="Leeds", note=note).to_dict()
    assert spec["title"]["text"] == "No trending places in Leeds"
    assert _values(spec, spec)[0]["text"] == note


@pytest.mark.parametrize("chart", ["category_index", "favourites"])
def test_other_charts_of_empty_tables_say_why(chart: str) -> None:
    if chart == "category_index":
        spec = category_index_chart(INDEX.clear(), note="No index yet.").to_dict()
    else:
        spec = favourites_chart(FAVOURITES.clear(), note="No rivals.").to_dict()
    assert _values(spec, spec)[0]["text"] in ("No index yet.", "No rivals.")


def test_trending_chart_of_several_cities_names_no_country() -> None:
    several = TRENDING.with_columns(merchant_city=pl.Series(["Leeds", "York"]))
    assert "all cities" in trending_chart(several).to_dict()["title"]["text"]


def test_spikes_chart_draws_missing_days_as_gaps_in_the_data_currency() -> None:
    daily = pl.DataFrame(
        {
            "merchant_category": ["cinema"] * 3,
            "day": [date(2025, 7, 1), date(2025, 7, 2), date(2025, 7, 5)],
            "spend_minor": [1000, 1200, 5000],
        }
    )
    spikes = pl.DataFrame(
        {
            "merchant_category": ["cinema"],
            "day": [date(2025, 7, 5)],
            "spend_minor": [5000],
            "customers": [40],
            "jump_pct": [350.0],
        }
    )
    spec = spikes_chart(daily, spikes, currency="USD").to_dict()
    line = spec["layer"][0]
    assert [row["spend"] for row in _values(spec, line)] == [10.0, 12.0, None, None, 50.0]
    assert line["mark"]["invalid"] == "break-paths-show-domains"
    assert line["encoding"]["y"]["title"] == "Spend per day ($)"


def test_chart_missing_columns_names_them() -> None:
    with pytest.raises(ParameterError, match="share"):
        favourites_chart(FAVOURITES.drop("share"))


def test_trending_chart_keys_bars_by_rank_so_namesakes_do_not_overlap() -> None:
    twins = pl.DataFrame(
        {
            "rank": [1, 2],
            "merchant_name": ["Foxglove Books", "Foxglove Books"],
            "merchant_city": ["London", "London"],
            "month": [date(2025, 9, 1)] * 2,
            "customers": [40, 30],
            "repeat_customers": [12, 9],
            "growth": [2.0, 1.5],
        }
    )
    spec = trending_chart(twins).to_dict()
    places = [row["place"] for row in _values(spec, spec["layer"][0])]
    assert places == ["1. Foxglove Books", "2. Foxglove Books"]


def test_spikes_chart_picks_the_biggest_spike_and_its_brand() -> None:
    daily = pl.DataFrame(
        {
            "merchant_group_id": ["g_cinema"] * 2 + ["g_cafe"] * 2,
            "day": [date(2025, 7, 21), date(2025, 7, 22)] * 2,
            "spend_minor": [1000, 3610, 500, 600],
        }
    )
    spikes = pl.DataFrame(
        {
            "merchant_group_id": ["g_cinema"],
            "brand": ["Starlight Cinemas"],
            "day": [date(2025, 7, 22)],
            "spend_minor": [3610],
            "customers": [40],
            "jump_pct": [261.0],
        }
    )
    spec = spikes_chart(daily, spikes, by="merchant_group_id").to_dict()
    assert spec["title"]["text"] == "Starlight Cinemas spending: the spike"


def test_spikes_chart_without_spikes_says_so() -> None:
    daily = pl.DataFrame(
        {"merchant_category": ["groceries"], "day": [date(2025, 7, 21)], "spend_minor": [100]}
    )
    empty = pl.DataFrame(
        schema={
            "merchant_category": pl.String,
            "day": pl.Date,
            "spend_minor": pl.Int64,
            "customers": pl.Int64,
            "jump_pct": pl.Float64,
        }
    )
    assert spikes_chart(daily, empty).to_dict()["title"]["text"] == "No spending spikes this year"


def test_trending_chart_alt_text_names_the_places_and_their_change() -> None:
    trending = pl.DataFrame(
        {
            "rank": [1, 2],
            "month": [date(2025, 9, 1)] * 2,
            "merchant_name": ["Nori Noodle House", "Bao Down"],
            "merchant_city": ["Leeds"] * 2,
            "customers": [41, 30],
            "repeat_customers": [31, 12],
            "growth": [3.442, 1.5],
        }
    )
    assert trending_chart(trending).to_dict()["description"] == (
        "Bar chart of the 2 trending places in Leeds, September 2025, by rank, bar length = "
        "repeat customers: 1. Nori Noodle House: 31 repeat customers, 3.4× expected; "
        "2. Bao Down: 12 repeat customers, 1.5× expected."
    )
