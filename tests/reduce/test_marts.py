"""The marts: contracts, the reduce that writes them, incremental re-runs and crash safety."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
import yaml
from conftest import tx_frame
from polars.testing import assert_frame_equal

from insights.cli import main
from insights.errors import ContractError, ParameterError
from insights.reduce import aggregates, contacts, pipeline
from insights.reduce.marts import (
    MANIFEST,
    MART_NAMES,
    check_mart,
    empty_mart,
    mart,
    mart_contract_path,
    mart_currencies,
    mart_currency,
    read_manifest,
    read_mart,
)
from insights.reduce.pipeline import reduce_marts, write_marts

LONDON = "Europe/London"
TX_MARTS = [n for n in MART_NAMES if mart(n).source == "transactions"]
#: Rows on local-month and BST edges (23:30 UTC on a summer month's last day is next month).
EDGES = ["2025-02-28 23:30", "2025-03-31 23:30", "2025-06-30 23:30", "2025-10-26 01:30"]


def random_tx(rows: int = 3000, seed: int = 5) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    start = datetime(2025, 2, 1, tzinfo=UTC)
    span = int((datetime(2025, 11, 30, tzinfo=UTC) - start).total_seconds())
    created = [start + timedelta(seconds=int(s)) for s in rng.integers(0, span, rows)]
    created += [datetime.fromisoformat(e).replace(tzinfo=UTC) for e in EDGES] * 10
    n = len(created)
    merchants = [f"m{i}" for i in rng.integers(1, 6, n)]
    cities = {"m1": "Leeds", "m2": "Leeds", "m3": "York", "m4": None, "m5": "London"}
    amounts = rng.integers(100, 5000, n) * np.where(rng.random(n) < 0.1, -1, 1)
    return tx_frame(
        created_at=created,
        customer_id=[f"c{i}" for i in rng.integers(0, 12, n)],
        merchant_id=merchants,
        merchant_city=[cities[m] for m in merchants],
        merchant_category=["groceries" if m in ("m1", "m3") else "eating_out" for m in merchants],
        merchant_group_id=["g1" if m in ("m1", "m2", "m3") else f"g_{m}" for m in merchants],
        amount_minor=[int(a) for a in amounts],
    )


def random_contacts(rows: int = 800, seed: int = 6) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    start = datetime(2025, 2, 1, tzinfo=UTC)
    span = int((datetime(2025, 11, 30, tzinfo=UTC) - start).total_seconds())
    handle = [int(h) if h > 60 else None for h in rng.integers(0, 900, rows)]
    return pl.DataFrame(
        {
            "contact_id": [f"k{i}" for i in range(rows)],
            "customer_id": [f"c{i}" for i in rng.integers(0, 30, rows)],
            "created_at": [start + timedelta(seconds=int(s)) for s in rng.integers(0, span, rows)],
            "channel": rng.choice(["chat", "phone", "email"], rows).tolist(),
            "tag": [None if t == "none" else t for t in rng.choice(["fees", "card", "none"], rows)],
            "handle_time_seconds": handle,
        },
        schema_overrides={"created_at": pl.Datetime("us", "UTC"), "tag": pl.String},
    )


def customers_frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "customer_id": ["c1", "c2", "c3"],
            "opened_at": [
                datetime(2025, 1, 10, 12, tzinfo=UTC),
                datetime(2025, 5, 31, 23, 30, tzinfo=UTC),  # 1 June in London
                datetime(2025, 6, 2, 9, tzinfo=UTC),
            ],
            "closed_at": [None, datetime(2025, 7, 1, 10, tzinfo=UTC), None],
            "home_city": ["Leeds", None, "York"],
        },
        schema_overrides={"closed_at": pl.Datetime("us", "UTC")},
    )


def write_data(root: Path, tx: pl.DataFrame) -> Path:
    """A raw data folder: transactions by UTC month, contacts and customers."""
    month = pl.col("created_at").dt.strftime("%Y-%m")
    for (key,), part in tx.sort("created_at").group_by(month.alias("m"), maintain_order=True):
        folder = root / "transactions" / f"year_month={key}"
        folder.mkdir(parents=True)
        part.write_parquet(folder / "part-0.parquet")
    random_contacts().write_parquet(root / "contacts.parquet")
    customers_frame().write_parquet(root / "customers.parquet")
    return root


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return write_data(tmp_path / "raw", random_tx())


def last_day(root: Path) -> date:
    """The last local day of the transactions and contacts."""
    tx = pl.read_parquet(root / "transactions", hive_partitioning=False)
    both = pl.concat(
        [tx.select("created_at"), pl.read_parquet(root / "contacts.parquet").select("created_at")]
    )
    return both.select(pl.col("created_at").max().dt.convert_time_zone(LONDON).dt.date()).item()


def expected(name: str, root: Path) -> pl.DataFrame:
    """The mart computed on the whole data at once, in key order."""
    m = mart(name)
    if m.source == "transactions":
        tx = pl.read_parquet(root / "transactions", hive_partitioning=False)
        frame = getattr(aggregates, name)(tx)
    elif m.source == "contacts":
        frame = getattr(contacts, name)(pl.read_parquet(root / "contacts.parquet"))
    else:
        frame = contacts.accounts_daily(
            pl.read_parquet(root / "customers.parquet"), end=last_day(root)
        )
    return frame.select(m.columns).sort(list(m.keys), nulls_last=False)


def test_every_mart_has_a_contract_with_key_grain_and_people() -> None:
    for name in MART_NAMES:
        m = mart(name)
        doc = yaml.safe_load(mart_contract_path(name).read_text())
        assert doc["name"] == name
        assert m.source in ("transactions", "contacts", "customers")
        assert m.period in ("day", "month") and m.period in m.keys
        assert set(m.keys) <= set(m.columns)
        assert set(m.people) <= set(m.columns)
        # Marts hold no identifier of a person.
        assert not {"customer_id", "transaction_id", "contact_id"} & set(m.columns)
    assert mart("category_daily").keys == ("merchant_category", "merchant_city", "day")
    assert mart("accounts_daily").people == ("open_accounts", "signups", "closures")


def test_unknown_mart_names_the_close_one() -> None:
    with pytest.raises(ParameterError, match="Did you mean 'merchant_monthly'"):
        mart("merchant_montly")


def test_write_marts_equals_the_whole_data_computation(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "marts"
    summary = write_marts(data, out, rows_per_pass=1000)
    assert summary.kept == 0
    assert summary.recomputed["merchant_monthly"][0] == "2025-02"
    for name in MART_NAMES:
        assert_frame_equal(read_mart(out, name), expected(name, data), check_row_order=False)
    # One file per mart and local month; a summer month-end edge lands in the next month.
    july = read_mart(out, "total_monthly", months=["2025-07"])
    assert july["month"].to_list() == [date(2025, 7, 1)]
    manifest = read_manifest(out)
    assert manifest["tz"] == "Europe/London"
    assert manifest["sources"]["transactions"]["first_day"] == "2025-02-01"
    assert manifest["sources"]["contacts"]["last_day"] <= "2025-11-30"


def test_accounts_daily_runs_to_the_last_day_of_any_input(data: Path, tmp_path: Path) -> None:
    accounts = reduce_marts(data, marts=["accounts_daily"])["accounts_daily"]
    assert accounts["day"].min() == date(2025, 1, 10)
    # The last event is a closure in July; the days run on to the last day of any input.
    assert accounts["day"].max() == last_day(data)
    rows = accounts.filter(pl.col("day").is_in([date(2025, 6, 1), date(2025, 7, 1)])).rows()
    assert rows == [(date(2025, 6, 1), 2, 1, 0), (date(2025, 7, 1), 2, 0, 1)]


def test_rerun_with_unchanged_inputs_recomputes_nothing(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "marts"
    write_marts(data, out)
    before = read_manifest(out)
    summary = write_marts(data, out)
    assert not any(summary.recomputed.values())
    assert "up to date" in str(summary)
    assert read_manifest(out)["marts"] == before["marts"]


def test_a_new_day_recomputes_only_its_month(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "marts"
    write_marts(data, out)
    new_day = tx_frame(
        created_at=["2025-11-30 10:00", "2025-11-30 11:00"],
        customer_id=["c1", "c99"],
        transaction_id=["new1", "new2"],
    )
    new_day.write_parquet(data / "transactions" / "year_month=2025-11" / "part-1.parquet")
    summary = write_marts(data, out)
    assert summary.recomputed["merchant_monthly"] == ["2025-11"]
    assert summary.recomputed["contacts_daily"] == []
    assert summary.kept > 0
    for name in TX_MARTS:
        assert_frame_equal(read_mart(out, name), expected(name, data), check_row_order=False)


CONTACT_MARTS = ("contacts_daily", "channel_daily", "contact_intervals")


def test_a_new_day_of_contacts_recomputes_only_its_month(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "marts"
    write_marts(data, out)
    # contacts.parquet is rewritten whole every day (here also in another row order).
    contacts_file = data / "contacts.parquet"
    old = pl.read_parquet(contacts_file)
    day = old.filter(pl.col("created_at").dt.date() == date(2025, 11, 28)).with_columns(
        pl.col("contact_id") + "-new", pl.col("created_at") + timedelta(days=1)
    )
    assert not day.is_empty()
    pl.concat([day, old.reverse()]).write_parquet(contacts_file)
    summary = write_marts(data, out)
    for name in CONTACT_MARTS:
        assert summary.recomputed[name] == ["2025-11"]
        assert_frame_equal(read_mart(out, name), expected(name, data))
    assert all(not summary.recomputed[name] for name in TX_MARTS)
    # The same rows in yet another order: nothing to recompute.
    pl.read_parquet(contacts_file).sample(fraction=1.0, shuffle=True, seed=1).write_parquet(
        contacts_file
    )
    assert not any(write_marts(data, out).recomputed.values())


def test_an_edited_old_contact_recomputes_only_that_month(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "marts"
    write_marts(data, out)
    contacts_file = data / "contacts.parquet"
    march = pl.col("created_at").dt.month() == 3
    edited = pl.read_parquet(contacts_file).with_columns(
        pl.when(march & (pl.int_range(pl.len()) == pl.int_range(pl.len()).filter(march).first()))
        .then(pl.lit("card"))
        .otherwise(pl.col("tag"))
        .alias("tag")
    )
    edited.write_parquet(contacts_file)
    summary = write_marts(data, out, marts=list(CONTACT_MARTS))
    assert summary.recomputed["contacts_daily"] == ["2025-03"]
    for name in CONTACT_MARTS:
        assert_frame_equal(read_mart(out, name), expected(name, data))


def test_accounts_are_recomputed_from_the_first_changed_month(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "marts"
    write_marts(data, out)
    closed = customers_frame().with_columns(
        closed_at=pl.when(pl.col("customer_id") == "c1")
        .then(pl.lit(datetime(2025, 9, 15, 12, tzinfo=UTC)))
        .otherwise(pl.col("closed_at"))
    )
    closed.write_parquet(data / "customers.parquet")
    summary = write_marts(data, out)
    # open_accounts is a running count: September and every later month, no earlier one.
    assert summary.recomputed["accounts_daily"] == ["2025-09", "2025-10", "2025-11"]
    assert not any(summary.recomputed[name] for name in (*TX_MARTS, *CONTACT_MARTS))
    assert_frame_equal(read_mart(out, "accounts_daily"), expected("accounts_daily", data))
    # A new last day (a transaction on 1 December) extends it: the days after the old last
    # day are written, from its month on (November, unless it ended November).
    end = date.fromisoformat(read_manifest(out)["sources"]["customers"]["end"])
    tx_frame(created_at=["2025-12-01 10:00"], transaction_id=["dec"]).write_parquet(
        data / "transactions" / "year_month=2025-11" / "part-dec.parquet"
    )
    summary = write_marts(data, out)
    after_end = f"{end + timedelta(days=1):%Y-%m}"
    assert summary.recomputed["accounts_daily"] == sorted({after_end, "2025-12"})
    assert_frame_equal(read_mart(out, "accounts_daily"), expected("accounts_daily", data))


def test_a_crash_in_the_contact_marts_leaves_the_previous_marts(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "marts"
    write_marts(data, out)
    before = {name: read_mart(out, name) for name in MART_NAMES}
    manifest = (out / MANIFEST).read_bytes()
    contacts_file = data / "contacts.parquet"
    more = pl.read_parquet(contacts_file).head(3).with_columns(pl.col("contact_id") + "-x")
    pl.concat([pl.read_parquet(contacts_file), more]).write_parquet(contacts_file)
    real_write = pipeline._Writer.write

    def failing_write(self: Any, name: str, month: date, frame: Any) -> None:
        real_write(self, name, month, frame)
        if name == "channel_daily":  # after contacts_daily's new month is on disk
            raise OSError("disk full (injected)")

    monkeypatch.setattr(pipeline._Writer, "write", failing_write)
    with pytest.raises(OSError, match="injected"):
        write_marts(data, out)
    assert (out / MANIFEST).read_bytes() == manifest
    for name in MART_NAMES:
        assert_frame_equal(read_mart(out, name), before[name])
    monkeypatch.setattr(pipeline._Writer, "write", real_write)
    summary = write_marts(data, out)  # the failed months again, and the orphans removed
    assert summary.recomputed["contacts_daily"] == sorted(
        {f"{d:%Y-%m}" for d in more["created_at"].dt.convert_time_zone(LONDON).dt.date()}
    )
    for name in CONTACT_MARTS:
        assert_frame_equal(read_mart(out, name), expected(name, data))
    listed = {
        e["path"]
        for info in read_manifest(out)["marts"].values()
        for e in info["months"].values()
        if e["path"]
    }
    assert {p.relative_to(out).as_posix() for p in out.rglob("part-*.parquet")} == listed


def test_a_changed_time_zone_recomputes_everything(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "marts"
    write_marts(data, out, marts=["total_monthly"])
    summary = write_marts(data, out, marts=["total_monthly"], tz="America/New_York")
    # Everything, and New York's calendar starts a local month earlier (1 Feb 00:xx UTC).
    assert summary.recomputed["total_monthly"][:2] == ["2025-01", "2025-02"]
    assert len(summary.recomputed["total_monthly"]) == 11
    assert read_manifest(out)["tz"] == "America/New_York"


def test_a_removed_month_is_dropped(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "marts"
    write_marts(data, out, marts=["total_monthly"])
    for path in (data / "transactions" / "year_month=2025-11").iterdir():
        path.unlink()
    (data / "transactions" / "year_month=2025-11").rmdir()
    summary = write_marts(data, out, marts=["total_monthly"])
    assert summary.dropped == 1
    assert date(2025, 11, 1) not in read_mart(out, "total_monthly")["month"].to_list()
    assert not (out / "total_monthly" / "month=2025-11").exists()


def test_a_crash_mid_reduce_leaves_the_previous_marts(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "marts"
    write_marts(data, out)
    before = {name: read_mart(out, name) for name in MART_NAMES}
    manifest = (out / MANIFEST).read_bytes()
    written = 0
    real_write = pipeline._Writer.write

    def failing_write(self: Any, name: str, month: date, frame: Any) -> None:
        nonlocal written
        written += 1
        if written == 7:
            raise OSError("disk full (injected)")
        real_write(self, name, month, frame)

    monkeypatch.setattr(pipeline._Writer, "write", failing_write)
    with pytest.raises(OSError, match="injected"):
        write_marts(data, out, full=True)
    # The half-written run's files exist, but the manifest still lists the old ones.
    assert (out / MANIFEST).read_bytes() == manifest
    assert len(list(out.rglob("part-*.parquet"))) > len(json.loads(manifest)["marts"]) * 0
    for name in MART_NAMES:
        assert_frame_equal(read_mart(out, name), before[name])
    monkeypatch.setattr(pipeline._Writer, "write", real_write)
    write_marts(data, out)  # up to date: removes the crashed run's orphans
    listed = {
        e["path"]
        for info in read_manifest(out)["marts"].values()
        for e in info["months"].values()
        if e["path"]
    }
    assert {p.relative_to(out).as_posix() for p in out.rglob("part-*.parquet")} == listed


def test_a_truncated_mart_file_is_named(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "marts"
    write_marts(data, out, marts=["city_monthly"])
    victim = next((out / "city_monthly").rglob("*.parquet"))
    victim.write_bytes(victim.read_bytes()[:100])
    with pytest.raises(ContractError, match=rf"{victim.name}: 100 bytes, the mart manifest"):
        read_mart(out, "city_monthly")


def test_raw_data_is_not_a_mart_folder(data: Path) -> None:
    with pytest.raises(ParameterError, match="It looks like raw data: run `insights reduce"):
        read_mart(data, "merchant_monthly")


def test_check_mart_reports_each_broken_rule() -> None:
    frame = pl.DataFrame(
        {
            "month": [date(2025, 9, 1), date(2025, 9, 1)],
            "customers": [5, -1],
            "payments": [1, 2],
            "spend_minor": [100, 200],
        }
    )
    with pytest.raises(ContractError) as info:
        check_mart(frame, "total_monthly")
    message = str(info.value)
    assert "customers: minimum 0: 1 rows" in message
    assert "key (month): unique: 2 rows" in message
    with pytest.raises(ContractError, match="must have exactly the columns"):
        check_mart(frame.drop("payments"), "total_monthly")
    assert check_mart(empty_mart("total_monthly"), "total_monthly").height == 0


def test_amounts_in_other_currencies_are_left_out(data: Path, tmp_path: Path) -> None:
    euros = tx_frame(
        created_at="2025-11-20 10:00", currency="EUR", amount_minor=99_999, transaction_id="e1"
    )
    euros.write_parquet(data / "transactions" / "year_month=2025-11" / "part-eur.parquet")
    out = tmp_path / "marts"
    write_marts(data, out, marts=["total_monthly"])
    assert mart_currency(out) == "GBP"
    assert mart_currencies(out).filter(pl.col("currency") == "EUR")["rows"].to_list() == [1]
    gbp = pl.read_parquet(data / "transactions", hive_partitioning=False).filter(
        pl.col("currency") == "GBP"
    )
    assert_frame_equal(read_mart(out, "total_monthly"), aggregates.total_monthly(gbp))


def test_transactions_alone_write_the_transaction_marts(tmp_path: Path) -> None:
    root = tmp_path / "tx"
    root.mkdir()
    tx_frame(created_at=["2025-09-30 23:30"]).write_parquet(root / "part-0.parquet")
    marts = reduce_marts(root)
    assert sorted(marts) == sorted(TX_MARTS)
    assert marts["city_monthly"].rows() == [("Leeds", date(2025, 10, 1), 1, 1, 1000)]


def test_cli_reduce_writes_the_marts(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "marts"
    assert main(["reduce", str(data), "--out", str(out), "--rows-per-pass", "month"]) == 0
    captured = capsys.readouterr()
    assert "reduce transactions 2025-02 (1/10" in captured.err
    assert "recomputed 11 local month(s) (2025-01..2025-11) of 10 mart(s)" in captured.out
    assert main(["reduce", str(data), "--out", str(out), "--quiet"]) == 0
    assert "up to date" in capsys.readouterr().out
    argv = ["reduce", str(data), "--out", str(out), "--only", "city_monthly", "--quiet"]
    assert main(argv) == 0
    assert list(read_manifest(out)["marts"]) == ["city_monthly"]


def test_cli_reduce_bad_time_zone_is_a_usage_error(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["reduce", str(data), "--out", str(tmp_path), "--tz", "Mars/Olympus"]) == 2
    assert "IANA time zone" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["reduce", str(data), "--out", str(tmp_path), "--rows-per-pass", "lots"])
    assert exit_info.value.code == 2
    assert "expected a positive number of rows (e.g. 8_000_000) or 'month'" in (
        capsys.readouterr().err
    )


@pytest.mark.slow
def test_duckdb_engine_writes_the_same_marts(data: Path, tmp_path: Path) -> None:
    pytest.importorskip("duckdb")
    write_marts(data, tmp_path / "polars")
    write_marts(data, tmp_path / "duckdb", engine="duckdb")
    for name in MART_NAMES:
        assert_frame_equal(
            read_mart(tmp_path / "duckdb", name), read_mart(tmp_path / "polars", name)
        )
