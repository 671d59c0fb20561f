"""Money in the data's own currency: one currency per report, symbol from the code."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pytest

from insights.errors import ContractError, ParameterError
from insights.spending.locale import (
    currency_note,
    currency_symbol,
    data_currency,
    in_currency,
    latest_complete_month,
    minor_per_major,
)


def _counts(**rows: int) -> pl.DataFrame:
    """Rows per currency, as insights.mart_currencies gives them."""
    return pl.DataFrame({"currency": list(rows), "rows": list(rows.values())})


def test_the_report_currency_is_the_one_of_most_rows() -> None:
    assert data_currency(_counts(EUR=1, USD=2)) == "USD"


def test_other_currencies_are_split_off_and_said() -> None:
    tx = pl.DataFrame({"currency": ["USD"] * 3 + ["CAD"], "amount_minor": [100, 200, 300, 400]})
    assert in_currency(tx, currency="USD")["amount_minor"].to_list() == [100, 200, 300]
    assert in_currency(tx.lazy(), currency="USD").collect()["amount_minor"].sum() == 600
    assert currency_note(_counts(USD=3, CAD=1), currency="USD") == (
        "Amounts are in USD; 1 transaction in other currencies (1 CAD; 25.0% of all) are left "
        "out, since amounts in different currencies cannot be added up."
    )
    assert currency_note(_counts(USD=3), currency="USD") == "Amounts are in USD."


def test_currency_counts_come_from_the_marts_not_raw_rows() -> None:
    tx = pl.DataFrame({"currency": ["USD"], "created_at": [datetime(2024, 8, 1, tzinfo=UTC)]})
    with pytest.raises(ParameterError, match=r"not raw transactions.*mart_currencies"):
        currency_note(tx, currency="USD")
    with pytest.raises(ParameterError, match=r"needs columns \['currency', 'rows'\]"):
        data_currency(pl.DataFrame({"currency": ["USD"]}))


def test_a_currency_absent_from_the_data_is_refused_with_the_ones_found() -> None:
    tx = pl.DataFrame({"currency": ["USD"], "amount_minor": [100]})
    with pytest.raises(ContractError, match=r"No transaction is in GBP; currencies found: USD \(1"):
        in_currency(tx, currency="GBP")


def test_no_rows_no_currency() -> None:
    with pytest.raises(ContractError, match="no transactions"):
        data_currency(pl.DataFrame(schema={"currency": pl.String, "rows": pl.Int64}))


@pytest.mark.parametrize(
    ("code", "symbol", "minor"), [("GBP", "£", 100), ("USD", "$", 100), ("JPY", "¥", 1)]
)
def test_symbols_and_minor_units(code: str, symbol: str, minor: int) -> None:
    assert currency_symbol(code) == symbol
    assert minor_per_major(code) == minor


def test_the_latest_complete_month_is_the_default_month() -> None:
    daily = pl.DataFrame({"day": [date(2024, 6, 2), date(2024, 7, 31)], "active_customers": 3})
    assert latest_complete_month(daily) == "2024-07"
    assert latest_complete_month(daily.head(1)) == "2024-05"  # 2 June does not end June
    tx = pl.DataFrame({"created_at": [datetime(2024, 8, 1, 4, 30, tzinfo=UTC)]})
    with pytest.raises(ParameterError, match="not raw transactions"):
        latest_complete_month(tx)
