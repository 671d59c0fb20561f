"""Contracts: YAML parsing, compilation, and validation of good and bad frames."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest
from hypothesis import given, settings, strategies as st
from polars.testing import assert_frame_equal

from insights.data.contracts import CONTRACT_NAMES, load_contract
from insights.data.validation import validate
from insights.errors import ContractError, ParameterError

T0 = datetime(2025, 6, 1, 9, 30, tzinfo=UTC)


def good_transactions(n: int = 3) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "transaction_id": [f"tx{i}" for i in range(n)],
            "customer_id": ["c1"] * n,
            "created_at": [T0] * n,
            "amount_minor": [450] * n,
            "currency": ["GBP"] * n,
            "merchant_id": ["m1"] * n,
            "merchant_name": ["The Copper Kettle"] * n,
            "merchant_group_id": ["g1"] * n,
            "merchant_category": ["eating_out"] * n,
            "merchant_city": ["Leeds"] * n,
            "is_online": [False] * n,
        },
        schema_overrides={"created_at": pl.Datetime("us", "UTC")},
    )


def failures(frame: pl.DataFrame, contract: str = "transactions") -> dict[str, int]:
    result = validate(frame, contract=contract, on_invalid="quarantine")
    return dict(result.report.failures.iter_rows())


@pytest.mark.parametrize("name", CONTRACT_NAMES)
def test_every_contract_parses_with_owner_version_and_described_columns(name: str) -> None:
    contract = load_contract(name)
    assert contract.version == "1.0.0"
    assert contract.owner
    assert all(col.description for col in contract.columns)


def test_transactions_contract_has_exactly_the_agreed_columns() -> None:
    assert load_contract("transactions").column_names == [
        "transaction_id",
        "customer_id",
        "created_at",
        "amount_minor",
        "currency",
        "merchant_id",
        "merchant_name",
        "merchant_group_id",
        "merchant_category",
        "merchant_city",
        "is_online",
    ]


def test_unknown_contract_suggests_the_close_name() -> None:
    with pytest.raises(ContractError, match="Did you mean 'contacts'"):
        load_contract("contact")


def test_good_frame_passes_unchanged() -> None:
    frame = good_transactions()
    result = validate(frame, contract="transactions")
    assert result.report.ok
    assert_frame_equal(result.valid, frame)


def test_text_columns_are_parsed_into_contract_types() -> None:
    text = good_transactions(1).with_columns(
        pl.lit("2025-06-01T10:30:00+01:00").alias("created_at"),
        pl.lit("450").alias("amount_minor"),
        pl.lit("false").alias("is_online"),
    )
    assert_frame_equal(validate(text, contract="transactions").valid, good_transactions(1))


def test_duplicate_ids_break_unique_on_every_copy() -> None:
    frame = pl.concat([good_transactions(1), good_transactions(1)])
    assert failures(frame) == {"transaction_id: unique": 2}


def test_zero_amount_breaks_non_zero() -> None:
    frame = good_transactions(2).with_columns(amount_minor=pl.Series([0, -120]))
    assert failures(frame) == {"amount_minor: non-zero": 1}


def test_unknown_category_and_lowercase_currency_are_named() -> None:
    frame = good_transactions(2).with_columns(
        merchant_category=pl.Series(["eating_out", "casino"]),
        currency=pl.Series(["gbp", "GBP"]),
    )
    found = failures(frame)
    assert found["currency: pattern ^[A-Z]{3}$"] == 1
    assert found["merchant_category: allowed values (eating_out, groceries, transport, "
                 "entertainment, shopping, bills, holidays, personal_care, general, family, "
                 "charity, gifts, finances, expenses, other)"] == 1  # fmt: skip


def test_values_found_are_listed_beside_the_allowed_ones() -> None:
    frame = good_transactions(4).with_columns(
        merchant_category=pl.Series(["food_dining", "food_dining", "misc", "other"])
    )
    with pytest.raises(ContractError) as info:
        validate(frame, contract="transactions", source="tx.csv")
    message = str(info.value)
    assert "merchant_category: found 'food_dining' (2 rows), 'misc' (1 rows)." in message
    assert "  Allowed: eating_out, groceries," in message
    assert "the rest to 'other'" in message


def test_decimal_amounts_in_text_teach_minor_units() -> None:
    frame = good_transactions(1).with_columns(pl.lit("104.72").alias("amount_minor"))
    with pytest.raises(ContractError, match="Multiply by 100 and round"):
        validate(frame, contract="transactions", source="tx.csv")


def test_nulls_in_required_column_break_required() -> None:
    frame = good_transactions(2).with_columns(customer_id=pl.Series([None, "c2"], dtype=pl.String))
    assert failures(frame) == {"customer_id: required (no nulls)": 1}


def test_naive_text_timestamp_breaks_type_not_required() -> None:
    frame = good_transactions(2).with_columns(
        created_at=pl.Series(["2025-06-01 09:30:00", "2025-06-01T09:30:00Z"])
    )
    assert failures(frame) == {
        "created_at: type (timestamp with offset, e.g. 2025-06-01T09:30:00Z)": 1
    }


def test_unparseable_value_in_nullable_column_is_rejected_not_nulled() -> None:
    contacts = pl.DataFrame(
        {
            "contact_id": ["k1", "k2"],
            "customer_id": ["c1", "c1"],
            "created_at": ["2025-06-02T08:15:00Z"] * 2,
            "channel": ["chat", "phone"],
            "tag": [None, None],
            "handle_time_seconds": ["abc", None],
        }
    )
    result = validate(contacts, contract="contacts", on_invalid="quarantine")
    assert result.valid["contact_id"].to_list() == ["k2"]
    assert result.rejected.select("source_row", "handle_time_seconds", "rules").to_dicts() == [
        {
            "source_row": 1,
            "handle_time_seconds": "abc",
            "rules": "handle_time_seconds: type (int64)",
        }
    ]


def test_naive_datetime_column_raises_with_fix() -> None:
    frame = good_transactions().with_columns(pl.col("created_at").dt.replace_time_zone(None))
    with pytest.raises(ContractError, match=r"naive timestamps.*replace_time_zone"):
        validate(frame, contract="transactions", source="tx.parquet")


def test_wrong_column_type_raises_naming_column_and_types() -> None:
    frame = good_transactions().with_columns(pl.col("is_online").cast(pl.Int8))
    with pytest.raises(
        ContractError, match=r"(?s)tx.parquet: .*column 'is_online' has type Int8.*bool"
    ):
        validate(frame, contract="transactions", source="tx.parquet")


def test_missing_column_names_close_match() -> None:
    frame = good_transactions().rename({"merchant_city": "merchantCity"})
    with pytest.raises(
        ContractError, match="'merchant_city' \\(found 'merchantCity': rename it\\)"
    ):
        validate(frame, contract="transactions", source="tx.parquet")


def test_every_structural_problem_is_reported_in_one_run() -> None:
    frame = (
        good_transactions()
        .rename({"merchant_city": "merchantCity"})
        .drop("currency")
        .with_columns(pl.col("amount_minor").cast(pl.Float64) / 100)
    )
    with pytest.raises(ContractError) as info:
        validate(frame, contract="transactions", source="tx.parquet")
    message = str(info.value)
    assert "3 problem(s)" in message
    assert "missing column 'currency'" in message
    assert "missing column 'merchant_city' (found 'merchantCity': rename it)" in message
    assert "multiply by 100 and round" in message
    assert "validation_key" not in message


def test_float_minor_units_are_never_advised_to_be_cast() -> None:
    frame = good_transactions().with_columns(pl.col("amount_minor").cast(pl.Float64))
    with pytest.raises(ContractError) as info:
        validate(frame, contract="transactions", source="tx.parquet")
    assert "multiply by 100 and round" in str(info.value)
    assert "cast the column" not in str(info.value)


def test_a_required_column_is_never_offered_as_the_one_to_rename() -> None:
    # 'merchant_id' is itself required: it must not be the "close match" for merchant_name.
    frame = good_transactions().drop("merchant_name")
    with pytest.raises(ContractError) as info:
        validate(frame, contract="transactions", source="tx.parquet")
    assert "missing column 'merchant_name'\n" in str(info.value) + "\n"
    assert "rename it" not in str(info.value)


def test_naive_timestamps_get_guidance_for_several_time_zones() -> None:
    frame = good_transactions().with_columns(pl.col("created_at").dt.replace_time_zone(None))
    with pytest.raises(ContractError, match="several time zones"):
        validate(frame, contract="transactions", source="tx.parquet")


def test_no_rows_is_an_error() -> None:
    with pytest.raises(ContractError, match="no rows"):
        validate(good_transactions().clear(), contract="transactions")


def test_error_message_names_source_contract_rules_counts_and_examples() -> None:
    frame = pl.concat([good_transactions(1)] * 7)
    with pytest.raises(ContractError) as info:
        validate(frame, contract="transactions", source="data/tx.parquet")
    message = str(info.value)
    assert "data/tx.parquet: contract 'transactions' v1.0.0 (transactions.yaml)" in message
    assert "7 of 7 rows break 1 rule(s)" in message
    assert "transaction_id: unique" in message
    assert message.count("breaks transaction_id: unique") == 5  # five example rows, no more
    assert "on_invalid='quarantine'" in message


def test_quarantine_keeps_valid_rows_and_loses_none() -> None:
    frame = good_transactions(4).with_columns(amount_minor=pl.Series([1, 0, 2, 0]))
    result = validate(frame, contract="transactions", on_invalid="quarantine")
    assert result.valid.height + result.rejected.height == frame.height
    assert result.rejected["source_row"].to_list() == [2, 4]


def test_bad_on_invalid_is_a_parameter_error() -> None:
    with pytest.raises(ParameterError, match="on_invalid"):
        validate(good_transactions(), contract="transactions", on_invalid="drop")  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None)
@given(
    amounts=st.lists(st.integers(min_value=-(10**6), max_value=10**6), min_size=1, max_size=30),
    currencies=st.lists(st.sampled_from(["GBP", "EUR", "gbp", "GB", "USDX"]), min_size=30),
)
def test_validation_never_loses_a_row_and_rejects_exactly_the_bad_ones(
    amounts: list[int], currencies: list[str]
) -> None:
    n = len(amounts)
    frame = good_transactions(n).with_columns(
        amount_minor=pl.Series(amounts, dtype=pl.Int64),
        currency=pl.Series(currencies[:n]),
    )
    result = validate(frame, contract="transactions", on_invalid="quarantine")
    bad = [a == 0 or c not in ("GBP", "EUR") for a, c in zip(amounts, currencies, strict=False)]
    assert result.valid.height + result.rejected.height == n
    assert result.rejected["source_row"].to_list() == [i + 1 for i, b in enumerate(bad) if b]
    counts = dict(result.report.failures.iter_rows())
    assert counts.get("amount_minor: non-zero", 0) == amounts.count(0)
