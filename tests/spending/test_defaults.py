"""A report's month, city and time zone come from the data, not from the sample."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from conftest import tx_frame

from insights.data.io import write_transactions
from insights.errors import ParameterError
from insights.reduce.pipeline import write_marts
from insights.spending.defaults import data_since, report_city, report_month, report_tz

CHICAGO = "America/Chicago"


def _marts(root: Path, tx: pl.DataFrame, *, tz: str) -> Path:
    write_transactions(tx, root / "raw")
    write_marts(root / "raw", root / "marts", tz=tz)
    return root / "marts"


@pytest.fixture(scope="module")
def chicago(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """June and July 2024 in Peoria (2 customers) and Chicago (3 customers), Chicago days.

    The last payment, 01:30 UTC on 1 August, is 20:30 on 31 July in Chicago: July is complete
    there (in London it would be 1 August, a month just begun).
    """
    tx = tx_frame(
        transaction_id=[f"t{i}" for i in range(7)],
        customer_id=["a", "b", "c", "d", "e", "a", "b"],
        created_at=[
            "2024-06-10 12:00",
            "2024-06-11 12:00",
            "2024-07-02 12:00",
            "2024-07-03 12:00",
            "2024-07-04 12:00",
            "2024-07-05 12:00",
            "2024-08-01 01:30",
        ],
        merchant_city=[
            "Peoria, IL",
            "Peoria, IL",
            "Chicago, IL",
            "Chicago, IL",
            "Chicago, IL",
            "Peoria, IL",
            "Peoria, IL",
        ],
    )
    return _marts(tmp_path_factory.mktemp("chicago"), tx, tz=CHICAGO)


def test_the_month_defaults_to_the_latest_complete_month(chicago: Path) -> None:
    assert report_month(chicago) == "2024-07"


def test_a_given_month_is_checked_against_the_data(chicago: Path) -> None:
    assert report_month(chicago, month="2024-06") == "2024-06"
    with pytest.raises(ParameterError, match=r"month='2025-09'.*months with data: 2024-06 to"):
        report_month(chicago, month="2025-09")


def test_data_with_no_complete_month_reports_on_its_last_month(tmp_path: Path) -> None:
    tx = tx_frame(created_at=["2024-07-03 12:00", "2024-07-20 12:00"], transaction_id=["1", "2"])
    assert report_month(_marts(tmp_path, tx, tz=CHICAGO)) == "2024-07"


def test_the_time_zone_is_the_one_the_marts_were_reduced_in(chicago: Path) -> None:
    assert report_tz(chicago) == CHICAGO
    assert report_tz(chicago, tz=CHICAGO) == CHICAGO
    with pytest.raises(ParameterError, match=r"count days and months in America/Chicago"):
        report_tz(chicago, tz="Europe/London")


def test_the_city_defaults_to_the_one_with_most_customers_that_month(chicago: Path) -> None:
    assert report_city(chicago, month="2024-07") == "Chicago, IL"
    assert report_city(chicago, month="2024-06") == "Peoria, IL"


def test_a_city_without_payments_that_month_names_those_with(chicago: Path) -> None:
    with pytest.raises(ParameterError, match=r"Did you mean 'Peoria, IL'\? Cities: Peoria, IL"):
        report_city(chicago, month="2024-06", city="Peoria")


def test_the_data_start_in_their_first_month_with_payments(chicago: Path) -> None:
    assert data_since(chicago) == "2024-06"
