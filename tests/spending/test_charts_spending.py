from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
import pytest

from insights.errors import ParameterError
from insights.publish.theme import SOURCE_NOTE
from insights.spending.category_charts import category_index_chart, spikes_chart
from insights.spending.favourites_charts import favourites_chart
from insights.spending.trending_charts import place_labels, trending_chart

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
        "baseline_repeat": [50.0, 4.0],
        "expected_repeat": [52.8, 4.2],
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


def test_trending_chart_draws_usual_month_to_this_month_in_rank_order() -> None:
    spec = trending_chart(TRENDING.reverse()).to_dict()  # rows arrive in any order
    _assert_title_block(spec)
    assert (
        spec["title"]["text"]
        == "The Copper Kettle trends in Leeds: 150 repeat customers, up from 50"
    )
    line, usual, now, usual_text, now_text = spec["layer"]
    assert [line["mark"]["type"], usual["mark"]["type"], now["mark"]["type"]] == [
        "rule",
        "circle",
        "circle",
    ]
    # one measure: every x is a count of repeat customers
    assert line["encoding"]["x"]["field"] == "baseline_repeat"
    assert line["encoding"]["x2"]["field"] == "repeat_customers"
    assert now["encoding"]["x"]["field"] == "repeat_customers"
    assert usual["encoding"]["y"]["sort"] == ["1. The Copper Kettle", "2. Bao Down"]
    rows = [(r["place"], r["usual_label"], r["now_label"]) for r in _values(spec, spec["layer"][0])]
    # Bao Down's usual month (4 repeat customers) is under the floor: said, never drawn
    assert rows == [
        ("1. The Copper Kettle", "50", "150"),
        ("2. Bao Down", "usually under 10", "60"),
    ]
    assert [r["baseline_repeat"] for r in _values(spec, line)] == [50.0, None]
    assert usual_text["encoding"]["text"]["field"] == "usual_label"
    assert now_text["encoding"]["text"]["field"] == "now_label"


def test_category_index_chart_is_one_panel_per_category_with_a_100_rule() -> None:
    spec = category_index_chart(INDEX).to_dict()
    _assert_title_block(spec)
    assert spec["facet"] == {"field": "category", "type": "nominal", "title": None}
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
    # labels point inwards: a spike in the later half is labelled on its left
    left, right = text["layer"]
    assert _values(spec, left) == []
    assert [r["spike_label"] for r in _values(spec, right)] == ["+261% on 22 Jul"]
    assert (right["mark"]["align"], right["encoding"]["text"]["field"]) == ("right", "spike_label")
    assert "cinema" in spec["title"]["subtitle"][0]


def test_chart_of_an_empty_table_says_why_instead_of_failing() -> None:
    # Regression: trending_chart raised on an empty list, so a quiet month or a small city
    # lost every later section of its report.
    note = "No place in Leeds passed the bar in September 2025: 40 places checked."
    spec = trending_chart(TRENDING.clear(), place="Leeds", note=note).to_dict()
    assert spec["title"]["text"] == "No trending places in Leeds"
    text = _values(spec, spec)[0]["text"]
    assert text.replace("\n", " ") == note
    assert max(len(line) for line in text.split("\n")) <= 40  # fits the phone drawing


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


def test_trending_chart_tells_namesakes_apart() -> None:
    twins = pl.DataFrame(
        {
            "rank": [1, 2, 3],
            "merchant_id": ["m_03161", "m_04417", "m_00012"],
            "merchant_name": ["Foxglove Books", "Foxglove Books", "Kettle"],
            "merchant_city": ["London"] * 3,
            "month": [date(2025, 9, 1)] * 3,
            "customers": [40, 30, 30],
            "repeat_customers": [12, 11, 10],
            "baseline_repeat": [10.0, 10.0, 10.0],
            "expected_repeat": [10.0, 10.0, 10.0],
        }
    )
    spec = trending_chart(twins).to_dict()
    places = [row["place"] for row in _values(spec, spec["layer"][0])]
    assert places == ["1. Foxglove Books #3161", "2. Foxglove Books #4417", "3. Kettle"]
    assert "merchant_id" not in _values(spec, spec["layer"][0])[0]  # the id itself is not drawn


def test_place_labels_prefer_the_city_then_the_category() -> None:
    places = pl.DataFrame(
        {
            "merchant_id": ["m1", "m2", "m3", "m4"],
            "merchant_name": ["Foxglove", "Foxglove", "Acorn", "Acorn"],
            "merchant_city": ["Leeds", "York", "Leeds", "Leeds"],
            "merchant_category": ["shopping", "shopping", "family", "eating_out"],
        }
    )
    assert place_labels(places).to_list() == [
        "Foxglove (Leeds)",
        "Foxglove (York)",
        "Acorn (family)",
        "Acorn (eating out)",
    ]


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
    assert spec["title"]["text"] == "Starlight Cinemas spending jumped 261% on 22 July 2025"


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
    assert trending_chart(TRENDING).to_dict()["description"] == (
        "Dot chart of the 2 trending places in Leeds, September 2025, in rank order: each "
        "place's repeat customers in a usual month before and this month (and what its history "
        "and area predicted). 1. The Copper Kettle: 50 → 150 repeat customers, 53 expected; "
        "2. Bao Down: under 10 → 60 repeat customers."
    )


def test_category_chart_says_which_category_grew_most() -> None:
    days = pl.date_range(date(2025, 9, 1), date(2025, 9, 30), eager=True)
    index = pl.DataFrame(
        {
            "merchant_category": ["eating_out"] * 30 + ["groceries"] * 30 + ["gifts"] * 30,
            "day": pl.concat([days] * 3),
            "index": [150.0] * 30 + [104.0] * 30 + [300.0] + [None] * 29,
            "customers": [500] * 60 + [20] + [None] * 29,
        }
    )
    spec = category_index_chart(index, place="Leeds", month="2025-09").to_dict()
    assert spec["title"]["text"] == "Eating out spending grew most in Leeds since September 2024"
    assert spec["description"] == (
        "Line charts, one per category, of card spending per day in Leeds from 1 September "
        "2025 to 30 September 2025, as a 7-day average indexed so that September 2024 = 100; "
        "3 categories. Over September 2025, Eating out averaged 150, the highest, and "
        "Groceries 104, the lowest (of the 2 categories with no gap in September 2025)."
    )
    assert spec["facet"]["field"] == "category"  # "Eating out", not eating_out


def test_spikes_chart_names_the_brand_and_its_spike_days() -> None:
    daily = pl.DataFrame(
        {
            "merchant_group_id": ["g_cinema"] * 3,
            "day": [date(2025, 7, 20), date(2025, 7, 21), date(2025, 7, 22)],
            "spend_minor": [1000, 1100, 3610],
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
    assert spec["title"]["text"] == "Starlight Cinemas spending jumped 261% on 22 July 2025"
    assert spec["description"] == (
        "Line chart of card spending per day on Starlight Cinemas from 20 July 2025 to 22 July "
        "2025, with 1 spike day marked. Spike days, biggest first: 22 July 2025: 36 GBP, 261% "
        "above its usual day."
    )


def test_favourites_chart_says_which_brand_leads_where() -> None:
    named = FAVOURITES.with_columns(
        brand=pl.col("merchant_group_id").replace({"g_bean": "Bean", "g_bun": "Bun"}),
        suppressed=pl.lit(value=False),
    )
    hidden = pl.DataFrame(
        {
            "merchant_city": ["Hull", "Hull"],
            "merchant_group_id": ["g_bean", "g_bun"],
            "brand": ["Bean", "Bun"],
            "customers": [None, None],
            "share": [None, None],
            "rank": [None, None],
            "favourite": [None, None],
            "suppressed": [True, True],
        },
        schema=named.schema,
    )
    spec = favourites_chart(pl.concat([named, hidden])).to_dict()
    assert spec["title"]["text"] == "Bean is the favourite in 1 of 2 cities"
    assert spec["description"] == (
        "Bar chart of each city's customers split between the rival brands Bean and Bun, in 2 "
        "cities. Bean leads in 1: Leeds (75%); Bun leads in 1: York (62%). 1 city with too few "
        "customers left out."
    )
    bars, labels = spec["layer"]
    assert bars["encoding"]["y"]["sort"] == ["Leeds", "York"]  # Bean's strongest city first
    rows = [(r["merchant_city"], r["brand_name"], r["share_label"]) for r in _values(spec, labels)]
    assert rows == [
        ("Leeds", "Bean", "75%"),
        ("Leeds", "Bun", "25%"),
        ("York", "Bean", "38%"),
        ("York", "Bun", "62%"),
    ]


def test_category_chart_names_the_growth_the_findings_quote() -> None:
    # the month's spend against last year (year_on_year), not the index of the gap-free lines
    days = pl.date_range(date(2025, 9, 1), date(2025, 9, 30), eager=True)
    index = pl.DataFrame(
        {
            "merchant_category": ["eating_out"] * 30 + ["gifts"] * 30,
            "day": pl.concat([days] * 2),
            "index": [150.0] * 30 + [300.0] + [None] * 29,
            "customers": [500] * 30 + [20] + [None] * 29,
        }
    )
    growth = pl.DataFrame(
        {"merchant_category": ["eating_out", "gifts"], "spend_growth_pct": [51.4, 54.6]}
    )
    spec = category_index_chart(
        index, place="Leeds", month="2025-09", year_on_year=growth
    ).to_dict()
    assert spec["title"]["text"] == "Gifts spending grew most in Leeds: up 55% on September 2024"
    assert (
        "Gifts grew most in September 2025: spend up 55% on September 2024."
        in (spec["description"])
    )
