"""Money in the data's own currency: the code, its symbol and its minor units.

Amounts are integer minor units (``amount_minor``) in the ``currency`` each transaction
carries. Summing two currencies is meaningless, so a report works on one currency at a time:
the reduce keeps the currency of most rows and records the rows per currency
(:func:`insights.mart_currencies`), from which :func:`data_currency` names that currency and
:func:`currency_note` says what was left out; :func:`in_currency` does the split on raw rows
when exploring them. Charts take the code and
label axes with :func:`currency_symbol`, dividing by :func:`minor_per_major` (100 for GBP,
USD and EUR; 1 for JPY).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TypeVar

import polars as pl

from insights._common import require_columns
from insights.errors import ContractError, ParameterError

__all__ = [
    "currency_note",
    "currency_symbol",
    "data_currency",
    "in_currency",
    "latest_complete_month",
    "minor_per_major",
]

Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)

_SYMBOLS = {
    "GBP": "£",
    "USD": "$",
    "EUR": "€",
    "JPY": "¥",
    "CNY": "¥",
    "INR": "₹",
    "KRW": "₩",
    "CHF": "CHF ",
    "CAD": "C$",
    "AUD": "A$",
    "NZD": "NZ$",
    "HKD": "HK$",
    "SGD": "S$",
    "SEK": "kr ",
    "NOK": "kr ",
    "DKK": "kr ",
    "PLN": "zł ",
    "BRL": "R$",
    "ZAR": "R ",
    "MXN": "MX$",
}
# ISO 4217 currencies without minor units (the rest used here have 2 decimals).
_NO_MINOR = frozenset({"JPY", "KRW", "ISK", "CLP", "VND", "XOF", "XAF", "UGX", "PYG"})


def currency_symbol(code: str, /) -> str:
    """Return the symbol of an ISO 4217 currency code, or the code and a space if unknown.

    Examples
    --------
    >>> currency_symbol("USD"), currency_symbol("GBP"), currency_symbol("THB")
    ('$', '£', 'THB ')

    """
    return _SYMBOLS.get(code.upper(), f"{code.upper()} ")


def minor_per_major(code: str, /) -> int:
    """Minor units in one major unit of ``code`` (100 for cents and pence, 1 for yen).

    Examples
    --------
    >>> minor_per_major("USD"), minor_per_major("JPY")
    (100, 1)

    """
    return 1 if code.upper() in _NO_MINOR else 100


def _currency_counts(currencies: pl.DataFrame, who: str) -> pl.DataFrame:
    """Check the rows-per-currency table (:func:`insights.mart_currencies`); most rows first."""
    if isinstance(currencies, pl.DataFrame | pl.LazyFrame) and "created_at" in (
        currencies.collect_schema().names()
    ):
        raise ParameterError(
            f"{who} reads rows per currency (`ins.mart_currencies(MART_DIR)`: currency, rows), "
            "not raw transactions; the reduce records them (`ins.reduce_marts(...)` then "
            "`ins.mart_currencies` of its folder), or count them yourself with "
            "`tx.group_by('currency').agg(pl.len().alias('rows'))`."
        )
    if not isinstance(currencies, pl.DataFrame):
        raise ParameterError(
            f"{who} takes a polars DataFrame of rows per currency (currency, rows), got "
            f"{type(currencies).__name__}; use `ins.mart_currencies(MART_DIR)`."
        )
    require_columns(currencies, ["currency", "rows"], who=who)
    return (
        currencies.group_by("currency")
        .agg(pl.col("rows").sum().cast(pl.Int64))
        .sort("rows", "currency", descending=[True, False])
    )


def data_currency(currencies: pl.DataFrame, /) -> str:
    """Return the currency of most transactions: the currency a report is written in.

    Parameters
    ----------
    currencies
        Rows per currency: ``currency``, ``rows`` (:func:`insights.mart_currencies`).

    Returns
    -------
    str
        The ISO 4217 code with the most rows (ties: alphabetical).

    Raises
    ------
    ContractError
        No rows at all.

    Examples
    --------
    >>> import polars as pl
    >>> data_currency(pl.DataFrame({"currency": ["USD", "EUR"], "rows": [2, 1]}))
    'USD'

    """
    counts = _currency_counts(currencies, "data_currency")
    if counts.is_empty():
        raise ContractError("data_currency: no transactions, so no currency.")
    return str(counts.get_column("currency")[0])


def in_currency(tx: Frame, /, *, currency: str) -> Frame:
    """Keep the raw transactions in ``currency``: amounts in several currencies cannot be added.

    The reduce does this itself (the marts hold the main currency); this is for exploring raw
    rows.

    Parameters
    ----------
    tx
        A polars DataFrame or LazyFrame with a ``currency`` column.
    currency
        ISO 4217 code to keep (usually :func:`data_currency`).

    Returns
    -------
    pl.DataFrame or pl.LazyFrame
        The same kind of frame, rows in ``currency`` only. :func:`currency_note` says how many
        were left out.

    Raises
    ------
    ContractError
        No transaction is in ``currency`` (the message lists the currencies found).

    Examples
    --------
    >>> import polars as pl
    >>> tx = pl.DataFrame({"currency": ["GBP", "EUR", "GBP"], "amount_minor": [1, 2, 3]})
    >>> in_currency(tx, currency="GBP")["amount_minor"].to_list()
    [1, 3]

    """
    if not isinstance(tx, pl.DataFrame | pl.LazyFrame):
        raise ParameterError(f"in_currency takes a polars frame, got {type(tx).__name__}.")
    require_columns(tx, ["currency"], who="in_currency")
    counts = (
        tx.lazy()
        .group_by("currency")
        .agg(pl.len().cast(pl.Int64).alias("rows"))
        .sort("rows", "currency", descending=[True, False])
        .collect()
    )
    if currency not in counts.get_column("currency").to_list():
        found = ", ".join(f"{c} ({n:,} rows)" for c, n in counts.rows()) or "none"
        raise ContractError(f"No transaction is in {currency}; currencies found: {found}.")
    return tx.filter(pl.col("currency") == currency)


def currency_note(currencies: pl.DataFrame, /, *, currency: str) -> str:
    """One sentence naming the report's currency and what was left out in other currencies.

    ``currencies`` is the raw rows per currency (``currency``, ``rows``):
    :func:`insights.mart_currencies` of the mart folder. Counts are of transactions, not
    people.

    Examples
    --------
    >>> import polars as pl
    >>> counts = pl.DataFrame({"currency": ["GBP", "EUR", "USD"], "rows": [98, 1, 1]})
    >>> currency_note(counts, currency="GBP")
    'Amounts are in GBP; 2 transactions in other currencies (1 EUR, 1 USD; 2.0% of all) are left out, since amounts in different currencies cannot be added up.'

    """  # noqa: E501
    counts = _currency_counts(currencies, "currency_note")
    others = counts.filter(pl.col("currency") != currency)
    if others.is_empty():
        return f"Amounts are in {currency}."
    left = int(others.get_column("rows").sum())
    share = 100 * left / int(counts.get_column("rows").sum())
    each = ", ".join(f"{n:,} {c}" for c, n in others.rows())
    noun = "transaction" if left == 1 else "transactions"
    return (
        f"Amounts are in {currency}; {left:,} {noun} in other currencies ({each}; "
        f"{share:.1f}% of all) are left out, since amounts in different currencies cannot be "
        "added up."
    )


def latest_complete_month(daily: pl.DataFrame, /) -> str:
    """Return the latest month the data covers to its last day: a report's natural default.

    Parameters
    ----------
    daily
        A daily mart (``category_daily``, ``group_daily``, ``active_customers_daily``): its
        local ``day`` column.

    Returns
    -------
    str
        ``"YYYY-MM"``: the month of the last day if that day ends its month, else the month
        before.

    Raises
    ------
    ParameterError
        No rows, no ``day`` column, or raw transactions (reduce them first:
        :func:`insights.reduce_marts`).

    Examples
    --------
    >>> import polars as pl
    >>> from datetime import date
    >>> latest_complete_month(pl.DataFrame({"day": [date(2025, 9, 1), date(2025, 9, 30)]}))
    '2025-09'
    >>> latest_complete_month(pl.DataFrame({"day": [date(2025, 8, 3), date(2025, 9, 29)]}))
    '2025-08'

    """
    if isinstance(daily, pl.DataFrame | pl.LazyFrame) and "created_at" in (
        daily.collect_schema().names()
    ):
        raise ParameterError(
            "latest_complete_month reads a daily mart (a local 'day' column), not raw "
            "transactions: `ins.read_mart(MART_DIR, 'active_customers_daily')`, or reduce raw "
            "data first with `ins.reduce_marts(...)`."
        )
    if not isinstance(daily, pl.DataFrame):
        raise ParameterError(
            f"latest_complete_month takes a daily mart as a polars DataFrame, got "
            f"{type(daily).__name__}."
        )
    require_columns(daily, ["day"], who="latest_complete_month")
    frame, day = daily.lazy(), pl.col("day")
    last = frame.select(day.max()).collect().item()
    if not isinstance(last, date):
        raise ParameterError("latest_complete_month: no rows, so no month.")
    if (last + timedelta(days=1)).month == last.month:
        last = last.replace(day=1) - timedelta(days=1)
    return f"{last:%Y-%m}"
