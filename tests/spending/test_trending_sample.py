"""End to end on the seeded sample: the planted stories are found, the decoys are not."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from insights.data.sample import write_sample
from insights.reduce.aggregates import group_daily, merchant_monthly
from insights.spending.favourites import regional_favourites
from insights.spending.new_places import new_merchants
from insights.spending.spikes import spending_spikes
from insights.spending.trending import trending_merchants

DECOY_KINDS = ["event_surge", "popular_flat", "tiny", "chain", "new_place"]


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[pl.LazyFrame, dict[str, Any]]:
    out: Path = tmp_path_factory.mktemp("sample")
    truth = write_sample(out, customers=5000)
    tx = pl.scan_parquet(out / "transactions" / "**" / "*.parquet", hive_partitioning=True)
    return tx, truth


@pytest.fixture(scope="module")
def monthly(sample: tuple[pl.LazyFrame, dict[str, Any]]) -> pl.DataFrame:
    result: pl.DataFrame = merchant_monthly(sample[0]).collect()
    return result


def _trending_cities(truth: dict[str, Any]) -> list[str]:
    return sorted({entry["city"] for entry in truth["trending"]})


def test_planted_places_top_their_citys_list(
    sample: tuple[pl.LazyFrame, dict[str, Any]], monthly: pl.DataFrame
) -> None:
    truth = sample[1]
    for city in _trending_cities(truth):
        planted = {e["merchant_id"] for e in truth["trending"] if e["city"] == city}
        month = next(e["month"] for e in truth["trending"] if e["city"] == city)
        ranked = trending_merchants(monthly, month=month, city=city)["merchant_id"].to_list()
        assert set(ranked[: len(planted)]) == planted, (city, ranked)


def test_decoys_do_not_trend(
    sample: tuple[pl.LazyFrame, dict[str, Any]], monthly: pl.DataFrame
) -> None:
    truth = sample[1]
    for kind in DECOY_KINDS:
        for decoy in truth["decoys"][kind]:
            listed = trending_merchants(monthly, month=decoy["month"], city=decoy["city"])
            assert decoy["merchant_id"] not in listed["merchant_id"].to_list(), (kind, decoy)


def test_new_places_are_listed_as_new(
    sample: tuple[pl.LazyFrame, dict[str, Any]], monthly: pl.DataFrame
) -> None:
    for place in sample[1]["decoys"]["new_place"]:
        listed = new_merchants(monthly, month=place["month"], city=place["city"])
        assert place["merchant_id"] in listed["merchant_id"].to_list()


def test_spike_found_on_its_day(sample: tuple[pl.LazyFrame, dict[str, Any]]) -> None:
    tx, truth = sample
    spike_day = date.fromisoformat(truth["spike"]["date"])
    group = truth["spike"]["merchant_group_id"]
    # This sample has a tenth of the default customers, so the cinema chain averages about
    # 10 customers a day: scale the small-numbers guard with it.
    spikes = spending_spikes(
        group_daily(tx).collect(), by="merchant_group_id", min_baseline_customers=5
    ).filter(pl.col("merchant_group_id") == group)
    assert spike_day in spikes["day"].to_list()
    same_month = spikes.filter(pl.col("day").dt.truncate("1mo") == spike_day.replace(day=1))
    assert same_month["day"][0] == spike_day  # the biggest jump of its month


def test_favourites_match(sample: tuple[pl.LazyFrame, dict[str, Any]]) -> None:
    tx, truth = sample
    rivals = truth["rivals"]
    monthly = merchant_monthly(tx).collect()
    favourites = regional_favourites(monthly, groups=rivals["merchant_group_ids"]).filter(
        pl.col("favourite")
    )
    found = dict(favourites.select("merchant_city", "merchant_group_id").iter_rows())
    assert found == rivals["favourite_by_city"]
