from __future__ import annotations

import polars as pl
import pytest
from card_data import BRANDS, CITIES, INDEPENDENTS, TZ as US_TZ, us_card_data
from conftest import history, tx_frame
from polars.testing import assert_frame_equal

from insights.errors import ParameterError
from insights.reduce.aggregates import merchant_monthly
from insights.spending.eligibility import chain_groups
from insights.spending.new_places import new_merchants, new_places_note
from insights.spending.trending import (
    trending_funnel,
    trending_merchants,
    trending_note,
)

# Four months, June to September 2025; September is the month ranked, June–August the baseline.


def _steady_places(city: str = "Leeds", count: int = 6) -> list[pl.DataFrame]:
    """Ordinary places whose regulars do not change: the background every list is ranked in."""
    return [
        history(f"{city[:2].lower()}{k}", [20, 22, 18, 20], merchant_city=city)
        for k in range(count)
    ]


def _monthly(*places: pl.DataFrame) -> pl.DataFrame:
    return pl.concat([*_steady_places("Leeds"), *_steady_places("York"), *places])


def _ids(frame: pl.DataFrame) -> list[str]:
    return frame["merchant_id"].to_list()


def test_clear_riser_is_ranked_with_its_numbers() -> None:
    monthly = _monthly(history("riser", [40, 40, 40, 150], customers=[100, 100, 100, 300]))
    result = trending_merchants(monthly, month="2025-09", city="Leeds")
    assert _ids(result) == ["riser"]
    row = result.select("rank", "customers", "repeat_customers", "baseline_repeat")
    expected = pl.DataFrame(
        {"rank": [1], "customers": [300], "repeat_customers": [150], "baseline_repeat": [40.0]}
    )
    assert_frame_equal(row, expected)
    assert result["growth"][0] == pytest.approx(150 / result["expected_repeat"][0])
    assert result["score"][0] > 1


def test_two_to_eight_does_not_beat_forty_to_one_fifty() -> None:
    monthly = _monthly(
        history("small", [2, 2, 2, 8], customers=[12, 12, 12, 20]),
        history("big", [40, 40, 40, 150], customers=[100, 100, 100, 300]),
    )
    ranked = _ids(trending_merchants(monthly, month="2025-09", city="Leeds"))
    assert ranked[0] == "big"
    assert "small" not in ranked[:1]


def test_city_wide_growth_is_not_trending() -> None:
    york_boom = [
        history(f"yb{k}", [20, 20, 20, 40], customers=[60, 60, 60, 120], merchant_city="York")
        for k in range(5)
    ]
    monthly = pl.concat([*_steady_places("Leeds"), *york_boom])
    assert trending_merchants(monthly, month="2025-09", city="York").is_empty()


def test_growth_beyond_the_citys_growth_still_trends() -> None:
    york_boom = [
        history(f"yb{k}", [20, 20, 20, 40], customers=[60, 60, 60, 120], merchant_city="York")
        for k in range(5)
    ]
    star = history("star", [20, 20, 20, 120], customers=[60, 60, 60, 250], merchant_city="York")
    monthly = pl.concat([*_steady_places("Leeds"), *york_boom, star])
    assert _ids(trending_merchants(monthly, month="2025-09", city="York")) == ["star"]


def test_event_surge_of_single_visits_is_not_trending() -> None:
    surge = history("festival", [10, 10, 10, 30], customers=[30, 30, 30, 600])
    regulars = history("local", [10, 10, 10, 30], customers=[30, 30, 30, 60])
    result = trending_merchants(_monthly(surge, regulars), month="2025-09", city="Leeds")
    assert _ids(result) == ["local"]


def test_chain_in_two_cities_is_excluded() -> None:
    monthly = _monthly(
        history(
            "chain_leeds",
            [40, 40, 40, 150],
            customers=[100, 100, 100, 300],
            merchant_group_id="g_chain",
        ),
        history("chain_york", [20, 20, 20, 20], merchant_group_id="g_chain", merchant_city="York"),
    )
    assert "chain_leeds" not in _ids(trending_merchants(monthly, month="2025-09"))


def test_chain_with_many_locations_in_one_city_is_excluded() -> None:
    locations = [
        history(
            f"loc{k}", [40, 40, 40, 150], customers=[100, 100, 100, 300], merchant_group_id="g_big"
        )
        for k in range(3)
    ]
    monthly = _monthly(*locations)
    assert trending_merchants(monthly, month="2025-09", chain_min_locations=3).is_empty()
    assert len(trending_merchants(monthly, month="2025-09", chain_min_locations=4)) == 3


def test_chain_groups_lists_both_rules() -> None:
    monthly = pl.concat(
        [
            history("a", [1], merchant_group_id="g_two_cities"),
            history("b", [1], merchant_group_id="g_two_cities", merchant_city="York"),
            *[history(f"c{k}", [1], merchant_group_id="g_three_shops") for k in range(3)],
            history("d", [1], merchant_group_id="g_indie"),
        ]
    )
    expected = pl.DataFrame(
        {
            "merchant_group_id": ["g_three_shops", "g_two_cities"],
            "cities": [1, 2],
            "locations": [3, 2],
        }
    )
    assert_frame_equal(chain_groups(monthly), expected)


def test_chain_groups_finds_a_brand_by_its_name_across_groups() -> None:
    monthly = pl.concat(
        [
            # One brand, one group per location (franchisees reporting apart), store numbers.
            history("m1", [1], merchant_group_id="g1", merchant_name="Bean Street Coffee #0012"),
            history(
                "m2",
                [1],
                merchant_group_id="g2",
                merchant_name="BEAN STREET COFFEE",
                merchant_city="York",
            ),
            # Two namesakes in one city: one city, two places, not a chain.
            history("m3", [1], merchant_group_id="g3", merchant_name="The Red Lion"),
            history("m4", [1], merchant_group_id="g4", merchant_name="The Red Lion"),
            # Three one-place groups of one name in one city: a chain by its locations.
            *[
                history(f"f{k}", [1], merchant_group_id=f"gf{k}", merchant_name="Fig & Co")
                for k in range(3)
            ],
        ]
    )
    expected = pl.DataFrame(
        {
            "merchant_group_id": ["g1", "g2", "gf0", "gf1", "gf2"],
            "cities": [2, 2, 1, 1, 1],
            "locations": [2, 2, 3, 3, 3],
        }
    )
    assert_frame_equal(chain_groups(monthly), expected)


def test_a_national_brand_of_one_place_groups_never_trends() -> None:
    brand = {"customers": [100, 100, 100, 300], "merchant_category": "groceries"}
    monthly = _monthly(
        history(
            "bean_leeds",
            [40, 40, 40, 150],
            merchant_name="BEAN STREET COFFEE #0012",
            merchant_group_id="g_bean_12",
            **brand,
        ),
        history(
            "bean_york",
            [20, 20, 20, 20],
            merchant_name="Bean Street Coffee #0040",
            merchant_group_id="g_bean_40",
            merchant_city="York",
        ),
        history("riser", [40, 40, 40, 150], customers=[100, 100, 100, 300]),
    )
    assert _ids(trending_merchants(monthly, month="2025-09", city="Leeds")) == ["riser"]
    funnel = trending_funnel(monthly, month="2025-09", city="Leeds")
    assert dict(funnel.select("stage", "places").rows())["chain"] == 1


def test_the_us_data_set_of_national_brands_finds_every_brand_a_chain() -> None:
    tx = us_card_data()
    monthly = merchant_monthly(tx, tz=US_TZ)
    brands = tx.filter(pl.col("merchant_name").is_in(list(BRANDS))).get_column("merchant_group_id")
    assert chain_groups(monthly).get_column("merchant_group_id").to_list() == sorted(
        brands.unique().to_list()
    )
    assert len(chain_groups(monthly)) == len(BRANDS) * len(CITIES)
    funnel = trending_funnel(monthly, month="2024-07", city="Chicago, IL")
    stages = dict(funnel.select("stage", "places").rows())
    # Chicago: one location of each national brand; six independents and the fireworks shop.
    assert stages["chain"] == len(BRANDS)
    assert sum(stages.values()) - stages["chain"] == len(INDEPENDENTS) + 1


def test_online_merchants_are_never_listed() -> None:
    online = history("web", [40, 40, 40, 150], customers=[100, 100, 100, 300], merchant_city=None)
    result = trending_merchants(_monthly(online), month="2025-09")
    assert "web" not in _ids(result)
    assert result["merchant_city"].null_count() == 0


def test_places_below_min_customers_never_appear() -> None:
    tiny = history("tiny", [1, 1, 1, 9], customers=[5, 5, 5, 9])
    assert "tiny" not in _ids(trending_merchants(_monthly(tiny), month="2025-09"))
    assert "tiny" not in _ids(new_merchants(_monthly(tiny), month="2025-09"))
    shown = new_merchants(_monthly(tiny), month="2025-09", min_customers=5)
    assert "tiny" in _ids(shown)


def test_under_min_customers_repeat_customers_never_appear() -> None:
    # 30 customers but only 8 of them regulars: the repeat count would be a small group.
    few = history("few", [3, 3, 3, 8], customers=[30, 30, 30, 30])
    assert "few" not in _ids(trending_merchants(_monthly(few), month="2025-09"))
    assert "few" not in _ids(new_merchants(_monthly(few), month="2025-09"))


def test_a_baseline_too_small_to_measure_growth_goes_with_new_places() -> None:
    # Under one regular a month before, 17 now: not a 50-fold rise but a newly busy place.
    # It must not outrank (nor sit beside) a place that went from 10 to 100 regulars.
    spark = history("spark", [0, 1, 0, 17], customers=[3, 5, 3, 40])
    steady = history("steady", [10, 10, 10, 100], customers=[30, 30, 30, 200])
    monthly = _monthly(spark, steady)
    assert _ids(trending_merchants(monthly, month="2025-09")) == ["steady"]
    new = new_merchants(monthly, month="2025-09")
    assert new.select("merchant_id", "status").rows() == [("spark", "newly busy")]


def test_no_listed_place_has_null_growth_or_zero_expected() -> None:
    zero = history("zero", [0, 0, 0, 25], customers=[0, 0, 0, 60])
    result = trending_merchants(_monthly(zero), month="2025-09", min_baseline=0.5)
    assert result["growth"].null_count() == 0
    assert (result["expected_repeat"] > 0).all()


def test_min_baseline_must_be_positive() -> None:
    with pytest.raises(ParameterError, match="min_baseline must be above 0"):
        trending_merchants(_monthly(), month="2025-09", min_baseline=0)


def test_place_without_baseline_goes_to_new_merchants_not_trending() -> None:
    newcomer = history("newbie", [30, 90], customers=[80, 200], first_month="2025-08")
    monthly = _monthly(newcomer)
    assert "newbie" not in _ids(trending_merchants(monthly, month="2025-09"))
    result = new_merchants(monthly, month="2025-09", city="Leeds")
    expected = pl.DataFrame(
        {"rank": [1], "merchant_id": ["newbie"], "customers": [200], "repeat_customers": [90]}
    )
    assert_frame_equal(result.select(expected.columns), expected)


def test_new_merchants_ranked_by_repeat_customers() -> None:
    monthly = _monthly(
        history("n1", [12], customers=[40], first_month="2025-09"),
        history("n2", [25], customers=[30], first_month="2025-09"),
    )
    assert _ids(new_merchants(monthly, month="2025-09")) == ["n2", "n1"]


def test_top_n_and_city_filter() -> None:
    risers = [
        history(f"r{k}", [40, 40, 40, 150 + k], customers=[100, 100, 100, 300]) for k in range(3)
    ]
    york = history("ry", [40, 40, 40, 150], customers=[100, 100, 100, 300], merchant_city="York")
    monthly = _monthly(*risers, york)
    assert _ids(trending_merchants(monthly, month="2025-09", city="Leeds", top_n=2)) == ["r2", "r1"]
    assert "ry" in _ids(trending_merchants(monthly, month="2025-09"))


def test_raw_transactions_are_refused_and_their_merchant_monthly_mart_is_ranked() -> None:
    tx = tx_frame(
        customer_id=["a", "a", "b", "b", "c"],
        created_at=[
            "2025-06-01 10:00",
            "2025-06-02 10:00",
            "2025-09-01 10:00",
            "2025-09-02 10:00",
            "2025-09-03 10:00",
        ],
    )
    with pytest.raises(ParameterError, match=r"not raw transactions: .*ins\.reduce_marts"):
        new_merchants(tx, month="2025-09", min_customers=1, baseline_months=4)
    found = new_merchants(merchant_monthly(tx), month="2025-09", min_customers=1, baseline_months=4)
    assert _ids(found) == ["m1"]


@pytest.mark.parametrize("month", ["2025-9", "September", "2025-00"])
def test_malformed_month_is_refused(month: str) -> None:
    with pytest.raises(ParameterError, match="2025-09"):
        trending_merchants(_monthly(), month=month)


def test_month_outside_the_data_names_the_range() -> None:
    with pytest.raises(ParameterError, match="2025-06 to 2025-09"):
        trending_merchants(_monthly(), month="2026-01")


def test_month_without_enough_baseline_lists_every_place_as_new() -> None:
    # The data starts in June: in August no place has three months behind it. That is a
    # normal empty result (regression: it used to raise and take the whole report down).
    assert trending_merchants(_monthly(), month="2025-08").is_empty()
    new = new_merchants(_monthly(), month="2025-08", city="Leeds")
    assert set(new["status"]) == {"new"}
    assert len(new) == 6
    funnel = trending_funnel(_monthly(), month="2025-08", city="Leeds")
    note = trending_note(funnel, month="2025-08", city="Leeds")
    assert note == (
        "No place in Leeds passed the bar in August 2025: 6 places checked; "
        "6 too new for a 3-month baseline."
    )


def test_unknown_city_names_the_cities() -> None:
    with pytest.raises(ParameterError, match="Leeds"):
        trending_merchants(_monthly(), month="2025-09", city="Atlantis")


def test_min_customers_below_one_is_refused() -> None:
    with pytest.raises(ParameterError, match="min_customers"):
        trending_merchants(_monthly(), month="2025-09", min_customers=0)


def test_unrecognised_input_is_refused() -> None:
    with pytest.raises(ParameterError, match=r"trending needs columns .*missing \['merchant_id'"):
        trending_merchants(pl.DataFrame({"x": [1]}), month="2025-09")
    with pytest.raises(ParameterError, match=r"'merchant_monthly' mart as a polars DataFrame"):
        trending_merchants(_monthly().lazy(), month="2025-09")


def test_funnel_counts_every_place_once_and_the_note_says_why() -> None:
    monthly = _monthly(
        history("riser", [40, 40, 40, 150], customers=[100, 100, 100, 300]),
        history("small", [5, 5, 5, 6], customers=[8, 8, 8, 9]),
        history("spark", [0, 1, 0, 17], customers=[3, 5, 3, 40]),
        history("newbie", [30, 90], customers=[80, 200], first_month="2025-08"),
    )
    funnel = trending_funnel(monthly, month="2025-09", city="Leeds")
    assert dict(funnel.select("stage", "places").rows()) == {
        "chain": 0,
        "few_customers": 1,
        "few_repeat": 0,
        "new": 1,
        "small_baseline": 1,
        "not_growing": 6,
        "listed": 1,
    }
    assert trending_note(funnel, month="2025-09", city="Leeds") == (
        "1 place in Leeds passes the bar in September 2025: 10 places checked; "
        "1 under 10 customers, 1 too new for a 3-month baseline, "
        "1 too few regulars before (3 a month) to measure growth, "
        "6 no clear growth beyond expectation."
    )
    assert new_places_note(funnel, month="2025-09", city="Leeds") == (
        "1 place too new to have a baseline and 1 place with too few regulars before to "
        "measure growth in Leeds had 10 or more repeat customers in September 2025; they are "
        "listed here by repeat customers, not ranked by growth."
    )
