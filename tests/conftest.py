"""Shared helpers: small frames where a test writes only the columns it cares about."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import polars as pl

TX_SCHEMA = {
    "transaction_id": pl.String,
    "customer_id": pl.String,
    "created_at": pl.Datetime("us", "UTC"),
    "amount_minor": pl.Int64,
    "currency": pl.String,
    "merchant_id": pl.String,
    "merchant_name": pl.String,
    "merchant_group_id": pl.String,
    "merchant_category": pl.String,
    "merchant_city": pl.String,
    "is_online": pl.Boolean,
}

MONTHLY_SCHEMA = {
    "merchant_id": pl.String,
    "merchant_name": pl.String,
    "merchant_group_id": pl.String,
    "merchant_category": pl.String,
    "merchant_city": pl.String,
    "is_online": pl.Boolean,
    "month": pl.Date,
    "spend_minor": pl.Int64,
    "payments": pl.Int64,
    "customers": pl.Int64,
    "repeat_customers": pl.Int64,
    "refund_minor": pl.Int64,
}


def _utc(value: str | datetime) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def tx_frame(**columns: Any) -> pl.DataFrame:
    """Transactions satisfying the contract, with defaults for every column not given.

    ``created_at`` may be ISO strings in UTC (``"2025-09-30 23:30"``). Defaults: one customer
    ``c1`` paying 1000 at ``m1`` (group ``g_m1``, eating_out, Leeds) at noon UTC on 15 June
    2025. ``merchant_group_id`` and ``merchant_name`` follow ``merchant_id``; ``is_online``
    follows ``merchant_city`` (null city = online).
    """
    height = max((len(v) for v in columns.values() if isinstance(v, list)), default=1)

    def given(name: str, default: Any) -> list[Any]:
        value = columns.get(name, default)
        return value if isinstance(value, list) else [value] * height

    merchant_id = given("merchant_id", "m1")
    city = given("merchant_city", "Leeds")
    data = {
        "transaction_id": given("transaction_id", [f"t{i}" for i in range(height)]),
        "customer_id": given("customer_id", "c1"),
        "created_at": [_utc(v) for v in given("created_at", "2025-06-15 12:00")],
        "amount_minor": given("amount_minor", 1000),
        "currency": given("currency", "GBP"),
        "merchant_id": merchant_id,
        "merchant_name": given("merchant_name", [f"Name {m}" for m in merchant_id]),
        "merchant_group_id": given("merchant_group_id", [f"g_{m}" for m in merchant_id]),
        "merchant_category": given("merchant_category", "eating_out"),
        "merchant_city": city,
        "is_online": given("is_online", [c is None for c in city]),
    }
    frame = pl.DataFrame(
        {k: v for k, v in data.items() if k != "created_at"},
        schema={k: t for k, t in TX_SCHEMA.items() if k != "created_at"},
    )
    created = pl.Series("created_at", data["created_at"], dtype=pl.Datetime("us"))
    return frame.insert_column(2, created.dt.replace_time_zone("UTC")).select(list(TX_SCHEMA))


def monthly_frame(**columns: Any) -> pl.DataFrame:
    """A ``merchant_monthly`` table with defaults for every column not given.

    ``month`` may be ``"YYYY-MM"`` strings. Defaults follow :func:`tx_frame`; ``customers``
    defaults to 30, ``repeat_customers`` to 10, ``payments`` to customers + repeat customers.
    """
    height = max((len(v) for v in columns.values() if isinstance(v, list)), default=1)

    def given(name: str, default: Any) -> list[Any]:
        value = columns.get(name, default)
        return value if isinstance(value, list) else [value] * height

    merchant_id = given("merchant_id", "m1")
    city = given("merchant_city", "Leeds")
    customers = given("customers", 30)
    repeat = given("repeat_customers", 10)
    months = [
        date.fromisoformat(f"{m}-01") if isinstance(m, str) else m
        for m in given("month", "2025-09")
    ]
    data = {
        "merchant_id": merchant_id,
        "merchant_name": given("merchant_name", [f"Name {m}" for m in merchant_id]),
        "merchant_group_id": given("merchant_group_id", [f"g_{m}" for m in merchant_id]),
        "merchant_category": given("merchant_category", "eating_out"),
        "merchant_city": city,
        "is_online": given("is_online", [c is None for c in city]),
        "month": months,
        "spend_minor": given("spend_minor", [1000 * c for c in customers]),
        "payments": given("payments", [c + r for c, r in zip(customers, repeat, strict=True)]),
        "customers": customers,
        "repeat_customers": repeat,
        "refund_minor": given("refund_minor", 0),
    }
    return pl.DataFrame(data, schema=MONTHLY_SCHEMA)


def history(
    merchant_id: str,
    repeat: list[int],
    *,
    customers: list[int] | None = None,
    first_month: str = "2025-06",
    **attributes: Any,
) -> pl.DataFrame:
    """Consecutive monthly rows for one place, starting at ``first_month``."""
    start = date.fromisoformat(f"{first_month}-01")
    index = start.year * 12 + start.month - 1
    months = [date((index + k) // 12, (index + k) % 12 + 1, 1) for k in range(len(repeat))]
    return monthly_frame(
        merchant_id=[merchant_id] * len(repeat),
        month=months,
        repeat_customers=repeat,
        customers=customers if customers is not None else [max(3 * r, 10) for r in repeat],
        **{k: [v] * len(repeat) for k, v in attributes.items()},
    )


def contrast(colour: str) -> float:
    """WCAG contrast ratio of ``colour`` (``#RRGGBB``) against white."""
    rgb = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 1.05 / (0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2] + 0.05)
