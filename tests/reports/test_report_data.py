"""The runner's pre-kernel checks on a mart folder: manifest and small marts, files named."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from insights.errors import ContractError, ParameterError
from insights.reduce.marts import read_manifest, read_mart
from insights.reduce.pipeline import write_marts
from insights.reports.catalogue import load_catalogue
from insights.reports.data import customer_ids, data_date_range, data_files, fingerprint
from insights.reports.data_params import check_params_against_data, resolve_defaults
from insights.reports.data_prepare import prepare_data

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
            "created_at": [
                datetime(2024, 4, 1, 9, tzinfo=UTC) + timedelta(days=i) for i in range(days)
            ],
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


def test_the_contact_report_takes_a_short_history(marts: Path) -> None:
    """Five weeks of contacts are enough to render: forecast() works down to 21 open days."""
    values = {p.name: p.default for p in CONTACTS.params}
    check_params_against_data(CONTACTS, {**values, "as_of": "2024-05-15"}, data=marts)
    with pytest.raises(ParameterError, match=r"needs 35 days of history .* start on 2024-04-01"):
        check_params_against_data(CONTACTS, {**values, "as_of": "2024-04-20"}, data=marts)


def test_data_too_short_for_any_date_says_so_and_names_the_marts(marts: Path) -> None:
    values = {p.name: p.default for p in CONTACTS.params}
    strict = replace(
        CONTACTS,
        params=tuple(
            replace(p, history_days=1000) if p.name == "as_of" else p for p in CONTACTS.params
        ),
    )
    with pytest.raises(ParameterError) as caught:
        check_params_against_data(strict, {**values, "as_of": "2025-06-30"}, data=marts)
    message = str(caught.value)
    assert f"the contacts in the marts in {marts}/ cover only 2024-04-01 to 2025-10-02" in message
    assert "needs 1000 days of history" in message
    assert "Pick a date" not in message  # no range from a later to an earlier day
    assert "contacts.parquet" not in message  # a mart folder holds no such file


def test_the_growth_report_dates_its_data_from_the_accounts_mart(marts: Path) -> None:
    """The customers source records no days in the manifest: the page said 'Data from unknown'."""
    growth = CATALOGUE.get("customer_growth")
    assert data_date_range(data_files(growth, data=marts)) == ("2024-01-01", "2025-10-02")
    # the contact report keeps its contacts' days
    assert data_date_range(data_files(CONTACTS, data=marts)) == ("2024-04-01", "2025-10-02")


def test_growth_as_of_outside_the_accounts_is_refused_before_any_kernel(marts: Path) -> None:
    """It started a kernel and failed in its fourth cell (exit 1) instead of exit 2."""
    growth = CATALOGUE.get("customer_growth")
    values = {p.name: p.default for p in growth.params}
    check_params_against_data(growth, {**values, "as_of": "2025-06-30"}, data=marts)
    with pytest.raises(ParameterError, match=r"outside the accounts data: the accounts end on"):
        check_params_against_data(growth, {**values, "as_of": "2030-01-01"}, data=marts)
    with pytest.raises(ParameterError, match=r"35 days of history .* accounts start on 2024-01-01"):
        check_params_against_data(growth, {**values, "as_of": "2024-01-20"}, data=marts)


def test_a_raw_folder_is_refused_with_the_command_to_reduce_it(marts: Path, tmp_path: Path) -> None:
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


# --- raw data given to a report that reads marts --------------------------------------------


def _one_file(raw: Path, target: Path) -> Path:
    frame = pl.read_parquet(raw / "transactions" / "year_month=2025-09" / "part-0.parquet")
    if target.suffix == ".csv":
        frame.write_csv(target)
    else:
        frame.write_parquet(target)
    return target


def test_a_single_raw_file_is_reduced_to_marts_once(tmp_path: Path) -> None:
    raw = write_raw(tmp_path / "raw")
    single = _one_file(raw, tmp_path / "export.parquet")
    cache = tmp_path / "cache"
    given = params(tz="America/Chicago")
    marts, notes = prepare_data(TRENDING, given, data=single, cache=cache)
    assert marts.parent.parent == cache
    assert read_manifest(marts)["tz"] == "America/Chicago"
    assert read_mart(marts, "merchant_monthly").get_column("customers").to_list() == [12, 12]
    assert (
        "export.parquet is raw data (transactions: 24 rows in 1 file(s), every row valid)"
        in (notes[0])
    )
    assert "insights reduce" in notes[0]
    # Unchanged: reused. Changed: reduced again.
    again, notes = prepare_data(TRENDING, given, data=single, cache=cache)
    assert again == marts
    assert "reduced from it earlier" in notes[0]
    pl.read_parquet(single).head(12).write_parquet(single)
    _, notes = prepare_data(TRENDING, given, data=single, cache=cache)
    assert "12 rows in 1 file(s)" in notes[0]
    assert read_mart(marts, "merchant_monthly").get_column("customers").to_list() == [12]


def test_a_csv_export_gives_the_same_marts_as_parquet(tmp_path: Path) -> None:
    raw = write_raw(tmp_path / "raw")
    csv = _one_file(raw, tmp_path / "export.csv")
    parquet = _one_file(raw, tmp_path / "export.parquet")
    from_csv, notes = prepare_data(TRENDING, params(), data=csv, cache=tmp_path / "cache")
    from_parquet, _ = prepare_data(TRENDING, params(), data=parquet, cache=tmp_path / "cache")
    assert from_csv != from_parquet
    for name in TRENDING.inputs:
        assert read_mart(from_csv, name).equals(read_mart(from_parquet, name)), name
    assert "days in Europe/London (pass -p tz=ZONE for another calendar" in notes[0]


def test_a_raw_folder_in_the_layout_gives_every_mart(tmp_path: Path) -> None:
    raw = write_raw(tmp_path / "raw")
    marts, notes = prepare_data(CONTACTS, {}, data=raw, cache=tmp_path / "cache")
    assert {"contacts_daily", "accounts_daily", "merchant_monthly"} <= set(
        read_manifest(marts)["marts"]
    )
    assert customer_ids(raw) == frozenset(f"c{i}" for i in range(12))
    # the contact report has no tz parameter: the note says how to get another calendar
    assert "-p tz=" not in notes[0]
    hint = f"reduce them yourself with `insights reduce {raw} --out MART_DIR --tz ZONE`"
    assert hint in notes[0]


def test_raw_rows_breaking_the_contract_name_the_file_and_reduce_nothing(tmp_path: Path) -> None:
    raw = write_raw(tmp_path / "raw")
    single = _one_file(raw, tmp_path / "export.parquet")
    pl.read_parquet(single).with_columns(amount_minor=pl.lit(0, pl.Int64)).write_parquet(single)
    with pytest.raises(ContractError, match=r"(?s)is raw data, so the report checks it.*export"):
        prepare_data(TRENDING, params(), data=single, cache=tmp_path / "cache")
    assert not list((tmp_path / "cache").rglob("manifest.json"))


def test_a_folder_without_data_says_what_it_looked_for(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("hello")
    with pytest.raises(ParameterError, match=r"neither a mart folder .*Looked for \*\.parquet"):
        prepare_data(TRENDING, params(), data=tmp_path / "empty", cache=tmp_path / "cache")
    with pytest.raises(ParameterError, match=r"does not exist"):
        prepare_data(TRENDING, params(), data=tmp_path / "nowhere", cache=tmp_path / "cache")


def test_defaults_come_from_the_marts(marts: Path) -> None:
    values, notes = resolve_defaults(TRENDING, params(), data=marts)
    assert (values["month"], values["city"], values["tz"]) == ("2025-09", "Leeds", "Europe/London")
    assert notes[1] == (
        "month=2025-09 (the data's last month, incomplete: it ends on 2025-09-10; "
        "pass -p month=... for another)"
    )
    check_params_against_data(TRENDING, values, data=marts)


def test_the_contact_report_defaults_to_the_last_whole_week_of_the_data(marts: Path) -> None:
    # contacts end on Thursday 2025-10-02: the week ending Sunday 28 September is the last whole one
    values, notes = resolve_defaults(
        CONTACTS, {p.name: p.default for p in CONTACTS.params}, data=marts
    )
    assert values["as_of"] == "2025-09-28"
    assert notes == [
        "as_of=2025-09-28 (the last Sunday both the contacts and the accounts cover: whole "
        "weeks ahead; pass -p as_of=... for another)"
    ]
    check_params_against_data(CONTACTS, values, data=marts)


def test_the_growth_report_defaults_to_the_last_whole_week_of_the_accounts(tmp_path: Path) -> None:
    # accounts alone (no contacts), the last one closing on Wednesday 2025-06-11
    raw = tmp_path / "raw"
    raw.mkdir()
    pl.DataFrame(
        {
            "customer_id": ["c1", "c2", "c3"],
            "opened_at": [datetime(2025, 1, 6, 10, tzinfo=UTC)] * 3,
            "closed_at": [None, None, datetime(2025, 6, 11, 10, tzinfo=UTC)],
            "home_city": "Leeds",
        },
        schema_overrides={"closed_at": pl.Datetime("us", "UTC")},
    ).write_parquet(raw / "customers.parquet")
    write_marts(raw, tmp_path / "marts")
    growth = CATALOGUE.get("customer_growth")
    values, notes = resolve_defaults(
        growth, {p.name: p.default for p in growth.params}, data=tmp_path / "marts"
    )
    assert values["as_of"] == "2025-06-08"
    assert notes == [
        "as_of=2025-06-08 (the last Sunday the accounts cover: whole weeks ahead; "
        "pass -p as_of=... for another)"
    ]
    check_params_against_data(growth, values, data=tmp_path / "marts")
    # the contact report's default needs the contacts too
    with pytest.raises(ParameterError, match="hold no contacts"):
        resolve_defaults(
            CONTACTS, {p.name: p.default for p in CONTACTS.params}, data=tmp_path / "marts"
        )
