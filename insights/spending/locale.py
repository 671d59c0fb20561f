"""Money in the data's own currency: the code, its symbol and its minor units.

Amounts are integer minor units (``amount_minor``) in the ``currency`` each transaction
carries. Summing two currencies is meaningless, so a report works on one currency at a time:
:func:`data_currency` picks the currency of most rows, :func:`in_currency` splits the rows in
it from the rest, and :func:`currency_note` says what was left out. Charts take the code and
label axes with :func:`currency_symbol`, dividing by :func:`minor_per_major` (100 for GBP,
USD and EUR; 1 for JPY).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import polars as pl

from insights._common import local_day
from insights.errors import ContractError, ParameterError

__all__ = [
    "currency_note",
    "currency_symbol",
    "data_currency",
    "in_currency",
    "latest_complete_month",
    "minor_per_major",
]

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


def _currency_counts(tx: Any) -> pl.DataFrame:
    if isinstance(tx, pl.DataFrame) and tx.columns == ["currency", "rows"]:
        # Already counted, e.g. insights.mart_currencies(MART_DIR): no raw rows needed.
        return (
            tx.group_by("currency")
            .agg(pl.col("rows").sum().cast(pl.Int64))
            .sort("rows", "currency", descending=[True, False])
        )
    if isinstance(tx, pl.DataFrame):
        tx = tx.lazy()
    if not isinstance(tx, pl.LazyFrame) or "currency" not in tx.collect_schema().names():
        raise ParameterError("expected a polars frame of transactions with a 'currency' column")
    return (
        tx.group_by("currency")
        .agg(pl.len().cast(pl.Int64).alias("rows"))
        .sort("rows", "currency", descending=[True, False])
        .collect()
    )


def data_currency(tx: Any, /) -> str:
    """Return the currency of most transactions: the currency a report is written in.

    Parameters
    ----------
    tx
        A polars DataFrame or LazyFrame with a ``currency`` column.

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
    >>> data_currency(pl.DataFrame({"currency": ["USD", "USD", "EUR"]}))
    'USD'

    """
    counts = _currency_counts(tx)
    if counts.is_empty():
        raise ContractError("data_currency: no transactions, so no currency.")
    return str(counts.get_column("currency")[0])


def in_currency(tx: Any, /, *, currency: str) -> Any:
    """Keep the transactions in ``currency``: amounts in several currencies cannot be added.

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
    counts = _currency_counts(tx)
    if currency not in counts.get_column("currency").to_list():
        found = ", ".join(f"{c} ({n:,} rows)" for c, n in counts.rows()) or "none"
        raise ContractError(f"No transaction is in {currency}; currencies found: {found}.")
    return tx.filter(pl.col("currency") == currency)


def currency_note(tx: Any, /, *, currency: str) -> str:
    """One sentence naming the report's currency and what was left out in other currencies.

    ``tx`` is transactions with a ``currency`` column, or their counts per currency
    (``currency``, ``rows``, e.g. :func:`insights.mart_currencies`). Counts are of
    transactions, not people.

    Examples
    --------
    >>> import polars as pl
    >>> tx = pl.DataFrame({"currency": ["GBP"] * 98 + ["EUR", "USD"]})
    >>> currency_note(tx, currency="GBP")
    'Amounts are in GBP; 2 transactions in other currencies (1 EUR, 1 USD; 2.0% of all) are left out, since amounts in different currencies cannot be added up.'

    """  # noqa: E501
    counts = _currency_counts(tx)
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


def latest_complete_month(daily: Any, /, *, tz: str = "UTC") -> str:
    """Return the latest month the data covers to its last day: a report's natural default.

    Parameters
    ----------
    daily
        A polars frame with a local ``day`` column (``category_daily``, ``group_daily``), or
        transactions with ``created_at`` (UTC), whose days are taken in ``tz``.
    tz
        Time zone of the calendar, for transactions only.

    Returns
    -------
    str
        ``"YYYY-MM"``: the month of the last day if that day ends its month, else the month
        before.

    Raises
    ------
    ParameterError
        No rows, or no ``day`` / ``created_at`` column.

    Examples
    --------
    >>> import polars as pl
    >>> from datetime import date
    >>> latest_complete_month(pl.DataFrame({"day": [date(2025, 9, 1), date(2025, 9, 30)]}))
    '2025-09'
    >>> latest_complete_month(pl.DataFrame({"day": [date(2025, 8, 3), date(2025, 9, 29)]}))
    '2025-08'

    """
    frame = daily.lazy() if isinstance(daily, pl.DataFrame) else daily
    if not isinstance(frame, pl.LazyFrame):
        raise ParameterError("latest_complete_month needs a polars frame")
    names = frame.collect_schema().names()
    if "day" in names:
        day = pl.col("day")
    elif "created_at" in names:
        day = local_day("created_at", tz=tz)
    else:
        raise ParameterError(
            f"latest_complete_month needs a 'day' or 'created_at' column; got {names}"
        )
    last = frame.select(day.max()).collect().item()
    if not isinstance(last, date):
        raise ParameterError("latest_complete_month: no rows, so no month.")
    if (last + timedelta(days=1)).month == last.month:
        last = last.replace(day=1) - timedelta(days=1)
    return f"{last:%Y-%m}"
