"""Loaders on real Parquet and CSV files: layouts, bad files, quarantine."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from insights.data.io import load_contacts, load_customers, load_transactions
from insights.errors import ContractError

HEADER = "contact_id,customer_id,created_at,channel,tag,handle_time_seconds\n"


def contacts(n: int = 2) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "contact_id": [f"k{i}" for i in range(n)],
            "customer_id": ["c1"] * n,
            "created_at": [datetime(2025, 6, 2, 8, 15, tzinfo=UTC)] * n,
            "channel": ["chat"] * n,
            "tag": [None] * n,
            "handle_time_seconds": [420] * n,
        },
        schema_overrides={
            "created_at": pl.Datetime("us", "UTC"),
            "tag": pl.String,
            "handle_time_seconds": pl.Int64,
        },
    )


def test_parquet_file_round_trips(tmp_path: Path) -> None:
    contacts().write_parquet(tmp_path / "c.parquet")
    assert_frame_equal(load_contacts(tmp_path / "c.parquet"), contacts())


def test_hive_folder_reads_all_partitions_and_drops_non_contract_keys(tmp_path: Path) -> None:
    for month, frame in (("2025-05", contacts(2)), ("2025-06", contacts(3).tail(1))):
        part = tmp_path / "contacts" / f"year_month={month}"
        part.mkdir(parents=True)
        frame.write_parquet(part / "part-0.parquet")
    loaded = load_contacts(tmp_path / "contacts")
    assert loaded.columns == contacts().columns
    assert loaded["contact_id"].to_list() == ["k0", "k1", "k2"]


def test_glob_reads_matching_files(tmp_path: Path) -> None:
    contacts(1).write_parquet(tmp_path / "a.parquet")
    contacts(2).tail(1).write_parquet(tmp_path / "b.parquet")
    assert load_contacts(str(tmp_path / "*.parquet")).height == 2


def test_csv_with_offset_timestamps(tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text(HEADER + "k0,c1,2025-06-02T09:15:00+01:00,chat,,420\n")
    assert_frame_equal(load_contacts(tmp_path / "c.csv"), contacts(1))


def test_empty_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text("")
    with pytest.raises(ContractError, match=r"c.csv: the file is empty"):
        load_contacts(tmp_path / "c.csv")


def test_header_only_csv_has_no_rows(tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text(HEADER)
    with pytest.raises(ContractError, match="no rows"):
        load_contacts(tmp_path / "c.csv")


def test_stray_header_row_is_reported_with_file_and_row(tmp_path: Path) -> None:
    body = "k0,c1,2025-06-02T08:15:00Z,chat,,420\n" + HEADER
    (tmp_path / "c.csv").write_text(HEADER + body)
    with pytest.raises(ContractError) as info:
        load_contacts(tmp_path / "c.csv")
    assert f"{tmp_path / 'c.csv'} row 2: breaks created_at: type" in str(info.value)


def test_missing_path_is_named(tmp_path: Path) -> None:
    with pytest.raises(ContractError, match="no such file"):
        load_contacts(tmp_path / "nope.parquet")
    with pytest.raises(ContractError, match=r"no data files found. Looked for \*.parquet"):
        load_contacts(tmp_path)


def test_a_month_delivered_as_csv_beside_parquet_is_read_not_skipped(tmp_path: Path) -> None:
    # Regression: CSV files next to Parquet files were silently ignored.
    contacts(1).write_parquet(tmp_path / "a.parquet")
    (tmp_path / "b.csv").write_text(HEADER + "k9,c1,2025-06-02T09:15:00+01:00,chat,,420\n")
    (tmp_path / "_SUCCESS").write_text("")
    assert load_contacts(tmp_path)["contact_id"].to_list() == ["k0", "k9"]
    assert load_contacts(str(tmp_path / "*"))["contact_id"].to_list() == ["k0", "k9"]


def test_a_partition_that_gains_a_column_loads_and_the_column_is_left_out(
    tmp_path: Path,
) -> None:
    # Regression: the whole load failed with polars' own "extra column" hint.
    contacts(1).write_parquet(tmp_path / "a.parquet")
    contacts(2).tail(1).with_columns(agent=pl.lit("x")).write_parquet(tmp_path / "b.parquet")
    assert load_contacts(tmp_path)["contact_id"].to_list() == ["k0", "k1"]


def test_a_partition_in_another_time_zone_is_converted_like_a_lone_file(tmp_path: Path) -> None:
    # Regression: accepted alone, rejected beside a UTC file.
    contacts(1).write_parquet(tmp_path / "a.parquet")
    london = (
        contacts(2).tail(1).with_columns(pl.col("created_at").dt.convert_time_zone("Europe/London"))
    )
    london.write_parquet(tmp_path / "b.parquet")
    loaded = load_contacts(tmp_path)
    assert loaded["created_at"].dtype == pl.Datetime("us", "UTC")
    assert loaded["created_at"].to_list() == contacts(2)["created_at"].to_list()


def test_a_naive_file_sorting_after_a_utc_file_is_refused_by_name(tmp_path: Path) -> None:
    # Regression: read silently as UTC, and `validate` said "all rows valid".
    contacts(1).write_parquet(tmp_path / "a.parquet")
    naive = contacts(2).tail(1).with_columns(pl.col("created_at").dt.replace_time_zone(None))
    naive.write_parquet(tmp_path / "b.parquet")
    with pytest.raises(ContractError) as info:
        load_contacts(tmp_path)
    message = str(info.value)
    assert f"{tmp_path / 'b.parquet'}: column 'created_at' holds naive timestamps" in message
    assert str(tmp_path / "a.parquet") not in message


def test_every_bad_file_is_named_with_all_its_problems_in_one_run(tmp_path: Path) -> None:
    contacts(1).write_parquet(tmp_path / "a.parquet")
    contacts(1).drop("channel").write_parquet(tmp_path / "b.parquet")
    contacts(1).with_columns(pl.col("created_at").dt.date()).write_parquet(tmp_path / "c.parquet")
    (tmp_path / "d.parquet").write_bytes(b"")
    (tmp_path / "e.parquet").write_bytes(b"PAR1 truncated")
    with pytest.raises(ContractError) as info:
        load_contacts(tmp_path)
    message = str(info.value)
    assert message.startswith("4 of 5 file(s) cannot be read as contract 'contacts'")
    assert f"{tmp_path / 'b.parquet'}: missing column 'channel'" in message
    assert f"{tmp_path / 'c.parquet'}: column 'created_at' has type Date" in message
    assert f"{tmp_path / 'd.parquet'}: the file is empty (0 bytes)" in message
    assert f"{tmp_path / 'e.parquet'}: not a readable parquet file" in message


def test_ids_repeated_across_files_break_unique(tmp_path: Path) -> None:
    contacts(1).write_parquet(tmp_path / "a.parquet")
    contacts(1).write_parquet(tmp_path / "b.parquet")
    valid = load_contacts(tmp_path, on_invalid="quarantine", quarantine_dir=tmp_path / "q")
    rejected = pl.read_parquet(tmp_path / "q" / "contacts.rejected.parquet")
    assert valid.is_empty()
    assert rejected.select("source_file", "rules").rows() == [
        (str(tmp_path / "a.parquet"), "contact_id: unique"),
        (str(tmp_path / "b.parquet"), "contact_id: unique"),
    ]


def test_quarantine_writes_rejected_rows_with_rules_and_logs_counts(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    bad = contacts(3).with_columns(handle_time_seconds=pl.Series([1, -1, 2]))
    bad.write_parquet(tmp_path / "c.parquet")
    with caplog.at_level(logging.WARNING, logger="insights"):
        valid = load_contacts(
            tmp_path / "c.parquet", on_invalid="quarantine", quarantine_dir=tmp_path / "q"
        )
    rejected = pl.read_parquet(tmp_path / "q" / "contacts.rejected.parquet")
    assert valid["contact_id"].to_list() == ["k0", "k2"]
    assert rejected.select("contact_id", "rules").to_dicts() == [
        {"contact_id": "k1", "rules": "handle_time_seconds: minimum 0"}
    ]
    assert "quarantined 1 of 3 rows" in caplog.text


def test_customers_and_transactions_loaders_use_their_contracts(tmp_path: Path) -> None:
    contacts().write_parquet(tmp_path / "c.parquet")
    with pytest.raises(ContractError, match="contract 'customers'"):
        load_customers(tmp_path / "c.parquet")
    with pytest.raises(ContractError, match="contract 'transactions'"):
        load_transactions(tmp_path / "c.parquet")


def test_rows_with_the_same_number_in_two_files_are_told_apart(tmp_path: Path) -> None:
    contacts(1).write_parquet(tmp_path / "a.parquet")
    contacts(2).tail(1).with_columns(handle_time_seconds=pl.lit(-1)).write_parquet(
        tmp_path / "b.parquet"
    )
    valid = load_contacts(tmp_path, on_invalid="quarantine", quarantine_dir=tmp_path / "q")
    rejected = pl.read_parquet(tmp_path / "q" / "contacts.rejected.parquet")
    assert valid["contact_id"].to_list() == ["k0"]
    assert rejected.select("source_file", "source_row").to_dicts() == [
        {"source_file": str(tmp_path / "b.parquet"), "source_row": 1}
    ]


def test_one_unknown_column_is_offered_for_one_missing_column_only() -> None:
    from insights.data.contracts import load_contract
    from insights.data.validation import structural_problems

    spec = load_contract("transactions")
    schema = spec.polars_schema
    schema.pop("merchant_name")
    schema.pop("merchant_group_id")
    schema["merchant"] = pl.String()
    assert structural_problems(schema, spec) == [
        "missing column 'merchant_name' (found 'merchant': rename it)",
        "missing column 'merchant_group_id'",
    ]
