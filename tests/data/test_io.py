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


def test_missing_path_and_mixed_formats(tmp_path: Path) -> None:
    with pytest.raises(ContractError, match="no such file"):
        load_contacts(tmp_path / "nope.parquet")
    contacts().write_parquet(tmp_path / "a.parquet")
    (tmp_path / "b.csv").write_text(HEADER)
    with pytest.raises(ContractError, match="one format at a time"):
        load_contacts(str(tmp_path / "*"))


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
