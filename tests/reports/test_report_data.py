"""The runner's pre-kernel checks on a mart folder: manifest and small marts, files named."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from insights.errors import ContractError, ParameterError
from insights.reduce.marts import read_manifest
from insights.reduce.pipeline import write_marts
from insights.reports.catalogue import load_catalogue
from insights.reports.data import (
    check_params_against_data,
    customer_ids,
    data_date_range,
    data_files,
    fingerprint,
)

CATALOGUE = load_catalogue(Path(__file__).resolve().parents[2] / "notebooks" / "catalogue.toml")
TRENDING = CATALOGUE.get("trending_spending")
CONTACTS = CATALOGUE.get("contact_rate_forecast")
DEFAULTS = {p.name: p.default for p in TRENDING.params}


def write_raw(root: Path) -> Path:
    """September 2025 in Leeds and York; contacts over a year and a half; two customers."""
    folder = root / "transactions" / "year_month=2025-09"
    folder.mkdir(parents=True)
    n = 24
    pl.DataFrame(
        {
            "transaction_id": [f"t{i}" for i in range(n)],
            "customer_id": [f"c{i % 12}" for i in range(n)],
            "created_at": [datetime(2025, 9, 10, 12, tzinfo=UTC)] * n,
            "amount_minor": [500] * n,
            "currency": "GBP",
            "merchant_id": ["m1"] * 12 + ["m2"] * 12,
            "merchant_name": "Kettle",
            "merchant_group_id": "g1",
            "merchant_category": "eating_out",
            "merchant_city": ["Leeds"] * 12 + ["York"] * 12,
            "is_online": False,
        },
        schema_overrides={"created_at": pl.Datetime("us", "UTC")},
    ).write_parquet(folder / "part-0.parquet")
    days = 550
    pl.DataFrame(
        {
            "contact_id": [f"k{i}" for i in range(days)],
            "customer_id": [f"c{i % 12}" for i in range(days)],
            "created_at": [datetime(2024, 4, 1, 9, tzinfo=UTC) + timedelta(days=i) for i in range(days)],
            "channel": "phone",
            "tag": ["card_lost", None] * (days // 2),
            "handle_time_seconds": [300] * days,
        },
        schema_overrides={"tag": pl.String, "created_at": pl.Datetime("us", "UTC")},
    ).write_parquet(root / "contacts.parquet")
    pl.DataFrame(
        {
            "customer_id": ["c1", "c2"],
            "opened_at": [datetime(2024, 1, 1, tzinfo=UTC)] * 2,
            "closed_at": [None, None],
            "home_city": ["Leeds", "York"],
        },
        schema_overrides={"closed_at": pl.Datetime("us", "UTC")},
    ).write_parquet(root / "customers.parquet")
    return root


@pytest.fixture(scope="module")
def marts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    raw = write_raw(tmp_path_factory.mktemp("raw"))
    out = tmp_path_factory.mktemp("marts")
    write_marts(raw, out)
    return out


def params(**given: object) -> dict[str, object]:
    return {**DEFAULTS, **given}


def test_checks_pass_on_marts_in_milliseconds(marts: Path) -> None:
    started = time.perf_counter()
    check_params_against_data(TRENDING, params(city="York"), data=marts)
    assert time.perf_counter() - started < 1.0


def test_a_month_without_transactions_lists_the_months_with_data(marts: Path) -> None:
    with pytest.raises(ParameterError, match=r"month='2025-08'.*months with data: 2025-09"):
        check_params_against_data(TRENDING, params(month="2025-08", city="York"), data=marts)


def test_an_unknown_city_names_the_close_one(marts: Path) -> None:
    with pytest.raises(ParameterError, match=r"Did you mean 'York'\? Cities: Leeds, York"):
        check_params_against_data(TRENDING, params(city="Yrok"), data=marts)


def test_a_time_zone_other_than_the_marts_is_refused(marts: Path) -> None:
    with pytest.raises(ParameterError, match="count days and months in Europe/London"):
        check_params_against_data(TRENDING, params(city="York", tz="Europe/Paris"), data=marts)


def test_contacts_date_and_tags_come_from_the_marts(marts: Path) -> None:
    values = {p.name: p.default for p in CONTACTS.params}
    check_params_against_data(CONTACTS, {**values, "as_of": "2025-06-30"}, data=marts)
    with pytest.raises(ParameterError, match="the contacts end on 2025-10-02"):
        check_params_against_data(CONTACTS, {**values, "as_of": "2025-12-01"}, data=marts)
    with pytest.raises(ParameterError, match="tag 'card_lots' does not occur"):
        check_params_against_data(
            CONTACTS, {**values, "as_of": "2025-06-30", "tags": ["card_lots"]}, data=marts
        )


def test_a_raw_folder_is_refused_with_the_command_to_reduce_it(
    marts: Path, tmp_path: Path
) -> None:
    raw = write_raw(tmp_path / "raw")
    with pytest.raises(ParameterError, match=r"holds raw data: run `insights reduce .*raw --out"):
        check_params_against_data(TRENDING, params(city="York"), data=raw)


def test_fingerprint_reuses_the_hashes_the_reduce_recorded(marts: Path) -> None:
    files = data_files(TRENDING, data=marts)
    assert {f.parts[-3] for f in files} == {
        "merchant_monthly",
        "category_daily",
        "group_daily",
        "city_monthly",
    }
    prints = fingerprint(files, data=marts)
    recorded = {
        e["path"]: e["sha256"]
        for info in read_manifest(marts)["marts"].values()
        for e in info["months"].values()
        if e["path"]
    }
    assert {e["path"]: e["sha256"] for e in prints["files"]} == {
        p: h for p, h in recorded.items() if p.split("/")[0] in TRENDING.inputs
    }
    assert data_date_range(files) == ("2025-09-10", "2025-09-10")
    assert customer_ids(marts) == frozenset()


def test_an_unreadable_raw_file_is_named(tmp_path: Path) -> None:
    raw = write_raw(tmp_path / "raw")
    bad = raw / "transactions" / "year_month=2025-09" / "part-0.parquet"
    bad.write_bytes(bad.read_bytes()[:200])
    with pytest.raises(ContractError, match=rf"{bad}: not readable as Parquet"):
        fingerprint([bad], data=raw)
    with pytest.raises(ContractError, match=rf"{bad}: not readable as Parquet"):
        data_date_range([bad])
