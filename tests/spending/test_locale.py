"""Money in the data's own currency: one currency per report, symbol from the code."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest

from insights.errors import ContractError
from insights.spending.locale import (
    currency_note,
    currency_symbol,
    data_currency,
    in_currency,
    latest_complete_month,
    minor_per_major,
)


def test_the_report_currency_is_the_one_of_most_rows() -> None:
    tx = pl.DataFrame({"currency": ["USD", "USD", "EUR"], "amount_minor": [100, 200, 300]})
    assert data_currency(tx) == "USD"
    assert data_currency(tx.lazy()) == "USD"


def test_other_currencies_are_split_off_and_said() -> None:
    tx = pl.DataFrame({"currency": ["USD"] * 3 + ["CAD"], "amount_minor": [100, 200, 300, 400]})
    assert in_currency(tx, currency="USD")["amount_minor"].to_list() == [100, 200, 300]
    assert currency_note(tx, currency="USD") == (
        "Amounts are in USD; 1 transaction in other currencies (1 CAD; 25.0% of all) are left "
        "out, since amounts in different currencies cannot be added up."
    )
    assert currency_note(tx.head(3), currency="USD") == "Amounts are in USD."


def test_a_currency_absent_from_the_data_is_refused_with_the_ones_found() -> None:
    tx = pl.DataFrame({"currency": ["USD"], "amount_minor": [100]})
    with pytest.raises(ContractError, match=r"No transaction is in GBP; currencies found: USD \(1"):
        in_currency(tx, currency="GBP")


def test_no_rows_no_currency() -> None:
    with pytest.raises(ContractError, match="no transactions"):
        data_currency(pl.DataFrame({"currency": []}, schema={"currency": pl.String}))


@pytest.mark.parametrize(
    ("code", "symbol", "minor"), [("GBP", "£", 100), ("USD", "$", 100), ("JPY", "¥", 1)]
)
def test_symbols_and_minor_units(code: str, symbol: str, minor: int) -> None:
    assert currency_symbol(code) == symbol
    assert minor_per_major(code) == minor


def test_the_latest_complete_month_is_the_default_month() -> None:
    tx = pl.DataFrame(
        {"created_at": [datetime(2024, 8, 1, 4, 30, tzinfo=UTC)]},
        schema={"created_at": pl.Datetime("us", "UTC")},
    )
    # 04:30 UTC on 1 August is still 31 July in Chicago: July is complete there.
    assert latest_complete_month(tx, tz="America/Chicago") == "2024-07"
    assert latest_complete_month(tx) == "2024-07"  # 1 August has only begun in UTC
