"""What a notebook user meets at ``insights.<name>``: pandas accepted, months and cities read
the way people write them, errors that name the column and the fix, and progress bars only
where someone is watching."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import polars as pl
import pytest
from conftest import history
from polars.testing import assert_frame_equal

import insights as ins
from insights._common import (  # noqa: PLC2701 (the shared primitives' own tests)
    PROGRESS_ENV,
    match_city,
    parse_month,
    polars_frame,
)
from insights.errors import InsightsError, ParameterError

LEEDS = pl.concat(
    [
        history("m1", [10, 10, 10, 40], merchant_city="Leeds", merchant_name="Kettle"),
        history("m2", [12, 12, 12, 12], merchant_city="Leeds", merchant_name="Bao"),
        history("m3", [10, 10, 10, 30], merchant_city="York", merchant_name="Crumb"),
    ]
)


def test_a_pandas_frame_gives_the_same_list_as_polars() -> None:
    # pandas has no date type: the month column arrives as datetime64 and is a date again
    expected = ins.trending_merchants(LEEDS, month="2025-09", city="Leeds")
    got = ins.trending_merchants(LEEDS.to_pandas(), month="2025-09", city="Leeds")
    assert_frame_equal(got, expected)
    assert got["merchant_name"].to_list() == ["Kettle"]


def test_something_that_is_not_a_frame_is_refused_saying_what_to_pass() -> None:
    with pytest.raises(ParameterError, match=r"takes a polars DataFrame \(pandas is converted\)"):
        polars_frame({"month": ["2025-09"]}, who="trending_merchants")


@pytest.mark.parametrize(
    "month", ["2025-09", "2025-09-01", date(2025, 9, 1), date(2025, 9, 17), datetime(2025, 9, 1)]
)
def test_a_month_is_a_month_however_it_is_written(month: str | date) -> None:
    assert parse_month(month) == date(2025, 9, 1)
    listed = ins.trending_merchants(LEEDS, month=month, city="Leeds")
    assert listed["month"].to_list() == [date(2025, 9, 1)]


@pytest.mark.parametrize("month", ["2025-13", "2025-09-31", "Sept 2025", 202509])
def test_a_month_that_is_not_one_says_how_to_write_it(month: object) -> None:
    with pytest.raises(ParameterError, match=r"like '2025-09' \(or a day of it"):
        parse_month(month)  # type: ignore[arg-type]


def test_a_city_matches_whatever_its_case() -> None:
    assert match_city(" leeds ", ["Leeds", "York"], who="f") == "Leeds"
    listed = ins.trending_merchants(LEEDS, month="2025-09", city="LEEDS")
    assert listed["merchant_city"].to_list() == ["Leeds"]


def test_an_unknown_city_suggests_the_closest_and_lists_the_cities() -> None:
    with pytest.raises(ParameterError) as caught:
        ins.trending_merchants(LEEDS, month="2025-09", city="Leds")
    assert str(caught.value) == (
        "trending_merchants: no city 'Leds' in the data; did you mean 'Leeds'? "
        "The data has 2 cities: Leeds, York."
    )


def test_a_renamed_column_names_the_column_the_mart_and_the_rename() -> None:
    with pytest.raises(ParameterError) as caught:
        ins.trending_merchants(LEEDS.rename({"repeat_customers": "repeats"}), month="2025-09")
    message = str(caught.value)
    assert "needs columns" in message
    assert "missing ['repeat_customers']" in message
    assert "Undo it with .rename({'repeats': 'repeat_customers'})" in message


def test_a_column_missing_deep_inside_is_an_insights_error_without_the_query_plan() -> None:
    # category_index_note reads the index table's columns only when it needs them
    days = ins.category_index(
        pl.DataFrame(
            {
                "merchant_category": "groceries",
                "day": pl.date_range(date(2024, 9, 1), date(2025, 9, 30), eager=True),
                "spend_minor": 100,
                "customers": 20,
            }
        ),
        month="2025-09",
    )
    with pytest.raises(InsightsError) as caught:
        ins.category_index_note(days.rename({"index": "idx"}), month="2025-09")
    message = str(caught.value)
    assert message.startswith("category_index_note: the frame has no column 'index'")
    assert "Undo it with .rename({'idx': 'index'})" in message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def _two_series() -> pl.DataFrame:
    days = pl.date_range(date(2025, 1, 6), date(2025, 6, 29), eager=True)
    noise = np.random.default_rng(0).normal(0, 5, len(days))
    one = pl.DataFrame({"ds": days, "y": 100 + noise})
    return pl.concat(
        [one.with_columns(unique_id=pl.lit("chat")), one.with_columns(unique_id=pl.lit("email"))]
    )


@pytest.mark.parametrize("level", [0.8, 80, [0.8]])
def test_forecast_takes_one_level_as_a_number_or_a_fraction(level: object) -> None:
    forecast = ins.forecast(_two_series(), horizon=3, models="snaive", level=level)
    assert [c for c in forecast.columns if c.startswith(("lo_", "hi_"))] == ["lo_80", "hi_80"]


def test_forecast_of_a_pandas_history_reads_its_dates() -> None:
    history = _two_series().to_pandas()
    assert str(history["ds"].dtype).startswith("datetime64")
    forecast = ins.forecast(history, horizon=3, models="snaive")
    assert forecast.schema["ds"] == pl.Date


def test_progress_shows_where_watched_and_never_in_report_runs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(PROGRESS_ENV, "1")
    ins.forecast(_two_series(), horizon=3, models="snaive")
    assert "forecast" in capsys.readouterr().err  # a bar over the two series
    monkeypatch.setenv(PROGRESS_ENV, "0")  # what the report runner sets
    ins.forecast(_two_series(), horizon=3, models="snaive")
    assert capsys.readouterr().err == ""


def test_a_city_without_spending_is_an_empty_result_but_a_typo_is_not() -> None:
    assert match_city("York", ["Leeds"], who="f", strict=False) == "York"  # empty, normal
    with pytest.raises(ParameterError, match="did you mean 'Leeds'"):
        match_city("Leds", ["Leeds"], who="f", strict=False)
