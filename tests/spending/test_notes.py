"""A blank comparison says why: too few customers then, or no data that far back."""

from __future__ import annotations

from datetime import date

import polars as pl

from insights.spending.notes import headlines_note, year_on_year_note

HEADLINES = pl.DataFrame(
    {"metric": ["customers"], "this_month": [98], "last_month": [98], "last_year": [None]},
    schema_overrides={"last_year": pl.Int64},
)
NO_YEAR = pl.DataFrame({"spend_growth_pct": []}, schema={"spend_growth_pct": pl.Float64})


def test_a_month_before_the_data_is_not_blamed_on_few_customers() -> None:
    note = headlines_note(HEADLINES, month="2020-12", city="Chicago, IL", since="2020-01")
    assert note == (
        "Customers, payments and spend in Chicago, IL in December 2020. "
        "No comparison with December 2019: the data start in January 2020."
    )


def test_a_month_inside_the_data_is_blank_because_few_customers_paid() -> None:
    note = headlines_note(HEADLINES, month="2020-12", city="Chicago, IL", since=date(2019, 6, 1))
    assert note.endswith(
        "No comparison with December 2019: fewer than 10 customers paid in Chicago, IL then."
    )


def test_year_on_year_says_the_data_do_not_reach_back() -> None:
    assert year_on_year_note(NO_YEAR, month="2020-12", city="Chicago, IL", since="2020-01") == (
        "No category in Chicago, IL can be compared with last year: the data start in "
        "January 2020, after December 2019."
    )
    assert year_on_year_note(NO_YEAR, month="2020-12", since="2019-12").startswith(
        "No category had 10 or more customers both in December 2020 and in December 2019"
    )
