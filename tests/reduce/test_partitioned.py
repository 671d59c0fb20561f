from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import polars as pl
import pyarrow.parquet as pq
import pytest
from conftest import tx_frame
from polars.testing import assert_frame_equal

from insights.errors import ContractError, ParameterError
from insights.reduce import aggregates
from insights.reduce.partitioned import (
    AGGREGATES,
    ROWS_PER_PASS,
    reduce_partitioned,
    write_aggregates,
)
from insights.reduce.scan import scan_transactions

KEYS = {
    "merchant_daily": ["merchant_id", "day"],
    "merchant_monthly": ["merchant_id", "month"],
    "category_daily": ["merchant_category", "merchant_city", "day"],
    "group_daily": ["merchant_group_id", "day"],
    "active_customers_daily": ["day"],
}
#: Rows on the edges of local months and of BST: the start (30 March 01:00 UTC), summer month
#: ends at 23:30 UTC (already the next local month), the end (26 October 01:00 UTC) and a
#: winter month end at 23:30 UTC (still the same local day).
EDGES = [
    "2025-02-28 23:30",
    "2025-03-30 00:30",
    "2025-03-30 01:30",
    "2025-03-31 23:30",
    "2025-04-30 23:30",
    "2025-06-30 23:30",
    "2025-07-01 00:10",
    "2025-07-31 23:30",
    "2025-08-31 23:30",
    "2025-09-30 22:59",
    "2025-09-30 23:00",
    "2025-10-26 00:30",
    "2025-10-26 01:30",
    "2025-10-31 23:30",
]
MERCHANT_CITY = {"m1": "Leeds", "m2": "Leeds", "m3": "York", "m4": None, "m5": "London"}


def random_tx(rows: int = 4000, seed: int = 3) -> pl.DataFrame:
    """Seeded transactions from February to November 2025, plus many rows on the edges."""
    rng = np.random.default_rng(seed)
    start = datetime(2025, 2, 1, tzinfo=UTC)
    seconds = rng.integers(
        0, int((datetime(2025, 11, 30, tzinfo=UTC) - start).total_seconds()), rows
    )
    edges = [datetime.fromisoformat(e).replace(tzinfo=UTC) for e in EDGES]
    created = [start + timedelta(seconds=int(s)) for s in seconds] + edges * 20
    n = len(created)
    merchants = [f"m{i}" for i in rng.integers(1, 6, n)]
    # Few customers, so that many customers pay twice a day at one merchant (repeat customers).
    customers = [f"c{i}" for i in rng.integers(0, 12, n)]
    amounts = rng.integers(100, 5000, n) * np.where(rng.random(n) < 0.1, -1, 1)
    return tx_frame(
        created_at=created,
        customer_id=customers,
        merchant_id=merchants,
        merchant_city=[MERCHANT_CITY[m] for m in merchants],
        merchant_category=["groceries" if m in ("m1", "m3") else "eating_out" for m in merchants],
        merchant_group_id=["g1" if m in ("m1", "m2", "m3") else f"g_{m}" for m in merchants],
        amount_minor=[int(a) for a in amounts],
    )


def write_hive(tx: pl.DataFrame, root: Path) -> Path:
    """Write ``tx`` as ``root/year_month=YYYY-MM/part-0.parquet`` by UTC month, like exports."""
    month = pl.col("created_at").dt.strftime("%Y-%m")
    for (key,), part in tx.sort("created_at").group_by(month.alias("m"), maintain_order=True):
        folder = root / f"year_month={key}"
        folder.mkdir(parents=True)
        part.write_parquet(folder / "part-0.parquet")
    return root


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[pl.DataFrame, Path]:
    tx = random_tx()
    return tx, write_hive(tx, tmp_path_factory.mktemp("tx"))


def whole(name: str, tx: pl.DataFrame, tz: str = "Europe/London") -> pl.DataFrame:
    result: pl.DataFrame = AGGREGATES[name](tx, tz=tz)
    return result.sort(KEYS[name])


#: One month per pass, two or three months per pass (the sample has ~430 rows a month), and
#: the default (the whole sample in one pass).
PASSES = [None, 1000, ROWS_PER_PASS]


@pytest.mark.parametrize("rows_per_pass", PASSES)
@pytest.mark.parametrize("name", list(AGGREGATES))
def test_partitioned_equals_whole_frame(
    sample: tuple[pl.DataFrame, Path], name: str, rows_per_pass: int | None
) -> None:
    tx, root = sample
    result = reduce_partitioned(root, aggregate=name, rows_per_pass=rows_per_pass)  # type: ignore[arg-type]
    assert_frame_equal(result.sort(KEYS[name]), whole(name, tx))


@pytest.mark.parametrize("name", list(AGGREGATES))
def test_split_days_gives_the_same_result(sample: tuple[pl.DataFrame, Path], name: str) -> None:
    tx, root = sample
    result = reduce_partitioned(root, aggregate=name, split_days=3)  # type: ignore[arg-type]
    assert_frame_equal(result.sort(KEYS[name]), whole(name, tx))


def test_split_days_out_of_range_is_a_parameter_error(sample: tuple[pl.DataFrame, Path]) -> None:
    with pytest.raises(ParameterError, match="split_days must be a number of days from 1 to 31"):
        reduce_partitioned(sample[1], split_days=0)


@pytest.mark.parametrize("bad", [0, -5, True])
def test_rows_per_pass_out_of_range_is_a_parameter_error(
    sample: tuple[pl.DataFrame, Path], bad: int
) -> None:
    with pytest.raises(ParameterError, match="rows_per_pass must be a positive number of rows"):
        reduce_partitioned(sample[1], rows_per_pass=bad)


def _progress_labels(root: Path, capsys: pytest.CaptureFixture[str], **options: Any) -> list[str]:
    reduce_partitioned(root, aggregate="active_customers_daily", progress=True, **options)
    return [line.split()[1] for line in capsys.readouterr().err.splitlines()]


def _months(label: str) -> list[str]:
    first, _, last = label.partition("..")
    months = pl.date_range(
        date.fromisoformat(f"{first}-01"),
        date.fromisoformat(f"{last or first}-01"),
        "1mo",
        eager=True,
    )
    return months.dt.strftime("%Y-%m").to_list()


def test_consecutive_months_share_a_pass_up_to_rows_per_pass(
    sample: tuple[pl.DataFrame, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _, root = sample
    labels = _progress_labels(root, capsys, rows_per_pass=1000)
    # ~430 rows a month (counted from the footers): passes of two months, every month once,
    # in order.
    assert [month for label in labels for month in _months(label)] == [
        f"2025-{m:02d}" for m in range(2, 12)
    ]
    assert 1 < len(labels) < 10
    assert all(len(_months(label)) <= 2 for label in labels)
    # A budget smaller than a month gives one month per pass; the default, one pass.
    assert len(_progress_labels(root, capsys, rows_per_pass=1)) == 10
    assert _progress_labels(root, capsys) == ["2025-02..2025-11"]


def test_nanosecond_and_millisecond_timestamps_are_planned_from_their_footers(
    tmp_path: Path,
) -> None:
    # The footer statistics are read as raw integers in the column's own unit: a wrong unit
    # would put every file decades away from its months and lose the rows.
    tx = random_tx(rows=300, seed=5)
    for unit in ("ns", "ms"):
        root = tmp_path / unit
        root.mkdir()
        tx_unit = tx.with_columns(pl.col("created_at").dt.cast_time_unit(unit))
        result = reduce_partitioned(
            write_hive(tx_unit, root), aggregate="merchant_daily", rows_per_pass=None
        )
        expected = whole(
            "merchant_daily",
            tx.with_columns(pl.col("created_at").dt.truncate("1ms")) if unit == "ms" else tx,
        )
        assert_frame_equal(result.sort(KEYS["merchant_daily"]), expected)


def test_planning_reads_no_rows_and_does_not_import_pandas(
    sample: tuple[pl.DataFrame, Path],
) -> None:
    # pyarrow turns timestamp statistics into datetimes through pandas: a second of start-up
    # in every reducing process. The plan uses the raw integers instead.
    code = (
        "import sys\n"
        "from insights.reduce.partitioned import reduce_partitioned\n"
        f"reduce_partitioned({str(sample[1])!r}, aggregate='merchant_daily')\n"
        "assert 'pandas' not in sys.modules, 'pandas was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("rows_per_pass", [None, 1000])
@pytest.mark.parametrize("name", ["merchant_monthly", "active_customers_daily"])
def test_partitioned_equals_whole_frame_west_of_utc(
    sample: tuple[pl.DataFrame, Path], name: str, rows_per_pass: int | None
) -> None:
    # New York months start at 04:00/05:00 UTC: the *previous* UTC partition holds no rows of
    # them, the next one does.
    tx, root = sample
    result = reduce_partitioned(
        root,
        aggregate=name,  # type: ignore[arg-type]
        tz="America/New_York",
        rows_per_pass=rows_per_pass,
    )
    assert_frame_equal(result.sort(KEYS[name]), whole(name, tx, "America/New_York"))


def test_category_group_and_active_keep_the_whole_frame_order(
    sample: tuple[pl.DataFrame, Path],
) -> None:
    tx, root = sample
    for name in ("category_daily", "group_daily", "active_customers_daily"):
        expected: pl.DataFrame = AGGREGATES[name](tx)
        assert_frame_equal(reduce_partitioned(root, aggregate=name), expected)


def test_repeat_customer_across_utc_partitions_is_counted_once(tmp_path: Path) -> None:
    # 23:30 UTC on 30 June is 00:30 on 1 July in London: one customer, two payments on the
    # local 1 July, stored in two UTC partitions.
    tx = tx_frame(
        customer_id=["a", "a", "b"],
        created_at=["2025-06-30 23:30", "2025-07-01 09:00", "2025-06-30 22:30"],
        amount_minor=[500, 700, 300],
    )
    daily = reduce_partitioned(write_hive(tx, tmp_path), aggregate="merchant_daily")
    expected = pl.DataFrame(
        {
            "day": [date(2025, 6, 30), date(2025, 7, 1)],
            "customers": [1, 1],
            "repeat_customers": [0, 1],
            "spend_minor": [300, 1200],
        }
    )
    assert_frame_equal(daily.select(expected.columns).sort("day"), expected)
    monthly = reduce_partitioned(tmp_path, aggregate="merchant_monthly").sort("month")
    assert monthly.select("month", "customers", "repeat_customers").rows() == [
        (date(2025, 6, 1), 1, 0),
        (date(2025, 7, 1), 1, 1),
    ]


def test_progress_prints_one_stderr_line_per_local_month(
    sample: tuple[pl.DataFrame, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _, root = sample
    reduce_partitioned(root, aggregate="active_customers_daily", progress=True, rows_per_pass=None)
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    # Ten UTC partitions (2025-02..11); late 30 November UTC is still November in London (GMT).
    assert [line.split()[1] for line in lines] == [f"2025-{m:02d}" for m in range(2, 12)]
    assert lines[0].startswith("reduce 2025-02 (1/10")
    assert captured.out == ""


def test_single_file_without_partitions_is_accepted(tmp_path: Path) -> None:
    tx = random_tx(rows=500, seed=9)
    tx.write_parquet(tmp_path / "all.parquet")
    result = reduce_partitioned(tmp_path / "all.parquet", aggregate="merchant_monthly")
    assert_frame_equal(result.sort(KEYS["merchant_monthly"]), whole("merchant_monthly", tx))


def test_rows_filed_under_the_wrong_month_are_still_counted(tmp_path: Path) -> None:
    # The plan reads each file's time range from its footer, not from the folder name.
    tx = random_tx(rows=300, seed=5)
    folder = tmp_path / "year_month=2025-06"
    folder.mkdir()
    tx.write_parquet(folder / "part-0.parquet")
    result = reduce_partitioned(tmp_path, aggregate="group_daily")
    assert_frame_equal(result, whole("group_daily", tx))


def test_files_without_statistics_are_read_for_their_time_range(tmp_path: Path) -> None:
    tx = random_tx(rows=300, seed=6)
    tx.write_parquet(tmp_path / "no-stats.parquet", statistics=False)
    result = reduce_partitioned(tmp_path, aggregate="merchant_monthly")
    assert_frame_equal(result.sort(KEYS["merchant_monthly"]), whole("merchant_monthly", tx))


def test_duckdb_engine_equals_polars(sample: tuple[pl.DataFrame, Path]) -> None:
    tx, root = sample
    result = reduce_partitioned(root, aggregate="merchant_daily", engine="duckdb")
    assert_frame_equal(result.sort(KEYS["merchant_daily"]), whole("merchant_daily", tx))


def test_write_aggregates_writes_every_aggregate(
    sample: tuple[pl.DataFrame, Path], tmp_path: Path
) -> None:
    tx, root = sample
    paths = write_aggregates(root, tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        f"{name}.parquet" for name in AGGREGATES
    )
    for name, path in paths.items():
        assert_frame_equal(pl.read_parquet(path).sort(KEYS[name]), whole(name, tx))
        # Plain Parquet types that any reader maps to the usual ones (no Arrow string views).
        fields = {field.name: str(field.type) for field in pq.read_schema(path)}
        assert "string_view" not in fields.values()
        assert fields.get("day", fields.get("month")) == "date32[day]"
    con = duckdb.connect()
    rows = con.execute(f"SELECT count(*) FROM '{paths['merchant_daily']}'").fetchall()
    assert rows == [(pl.read_parquet(paths["merchant_daily"]).height,)]


def test_scan_transactions_checks_columns_and_types(tmp_path: Path) -> None:
    bad = tx_frame().drop("merchant_city").with_columns(pl.col("amount_minor").cast(pl.Float64))
    bad.write_parquet(tmp_path / "bad.parquet")
    with pytest.raises(ContractError, match=r"missing merchant_city; amount_minor is Float64"):
        scan_transactions(tmp_path)


def test_scan_transactions_rejects_naive_timestamps(tmp_path: Path) -> None:
    tx_frame().with_columns(pl.col("created_at").dt.replace_time_zone(None)).write_parquet(
        tmp_path / "naive.parquet"
    )
    with pytest.raises(ContractError, match="created_at is Datetime"):
        reduce_partitioned(tmp_path)


def test_scan_transactions_reads_the_needed_columns(sample: tuple[pl.DataFrame, Path]) -> None:
    tx, root = sample
    scanned = scan_transactions(root).collect()
    assert scanned.height == tx.height
    assert "year_month" not in scanned.columns


def test_empty_folder_says_so(tmp_path: Path) -> None:
    with pytest.raises(ContractError, match=r"no \.parquet files"):
        reduce_partitioned(tmp_path)


def test_unknown_aggregate_and_engine_are_parameter_errors(
    sample: tuple[pl.DataFrame, Path],
) -> None:
    _, root = sample
    with pytest.raises(ParameterError, match="choose from merchant_daily"):
        reduce_partitioned(root, aggregate="merchant_weekly")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="engine must be one of polars, duckdb"):
        reduce_partitioned(root, engine="spark")  # type: ignore[arg-type]


# --- hand-written warehouse SQL (DuckDB) equals the library; the dbt models: tests/warehouse --

MERCHANT_DAILY_SQL = """
WITH visits AS (
  SELECT merchant_id, CAST(created_at AS DATE) AS day, customer_id,
         SUM(amount_minor) AS spend_minor,
         COUNT(*) FILTER (WHERE amount_minor > 0) AS payments,
         SUM(CASE WHEN amount_minor < 0 THEN -amount_minor ELSE 0 END) AS refund_minor
  FROM tx
  GROUP BY merchant_id, day, customer_id
), daily AS (
  SELECT merchant_id, day,
         CAST(SUM(spend_minor) AS BIGINT) AS spend_minor,
         CAST(SUM(payments) AS BIGINT) AS payments,
         COUNT(*) FILTER (WHERE payments > 0) AS customers,
         COUNT(*) FILTER (WHERE payments >= 2) AS repeat_customers,
         CAST(SUM(refund_minor) AS BIGINT) AS refund_minor
  FROM visits GROUP BY merchant_id, day
), attributes AS (
  SELECT merchant_id, ANY_VALUE(merchant_name) AS merchant_name,
         ANY_VALUE(merchant_group_id) AS merchant_group_id,
         ANY_VALUE(merchant_category) AS merchant_category,
         ANY_VALUE(merchant_city) AS merchant_city, ANY_VALUE(is_online) AS is_online
  FROM tx GROUP BY merchant_id
)
SELECT merchant_id, merchant_name, merchant_group_id, merchant_category, merchant_city,
       is_online, day, spend_minor, payments, customers, repeat_customers, refund_minor
FROM daily LEFT JOIN attributes USING (merchant_id)
"""


@pytest.fixture
def london() -> Any:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'Europe/London'")
    yield con
    con.close()


def test_documented_sql_equals_the_library(sample: tuple[pl.DataFrame, Path], london: Any) -> None:
    tx, _ = sample
    london.register("tx", tx.to_arrow())
    result = london.sql(MERCHANT_DAILY_SQL).pl()
    assert_frame_equal(result.sort(KEYS["merchant_daily"]), whole("merchant_daily", tx))


def test_sql_generated_by_narwhals_runs_on_a_fresh_connection(
    sample: tuple[pl.DataFrame, Path], london: Any
) -> None:
    # docs/scale.md shows how to print the SQL the library runs on DuckDB (relation.sql_query()).
    tx, _ = sample
    london.register("tx", tx.to_arrow())
    sql = aggregates.merchant_daily(london.table("tx")).sql_query()
    again = london.sql(sql).pl()
    assert_frame_equal(again.sort(KEYS["merchant_daily"]), whole("merchant_daily", tx))


def test_written_files_have_statistics_on_the_time_and_number_columns(
    sample: tuple[pl.DataFrame, Path], tmp_path: Path
) -> None:
    paths = write_aggregates(sample[1], tmp_path, aggregates=["merchant_daily"])
    group = pq.read_metadata(paths["merchant_daily"]).row_group(0)
    with_stats = {
        group.column(i).path_in_schema
        for i in range(group.num_columns)
        if group.column(i).statistics is not None
    }
    assert {"day", "spend_minor", "customers", "is_online"} <= with_stats
    assert "merchant_name" not in with_stats


def test_a_csv_month_beside_parquet_months_is_refused_not_skipped(tmp_path: Path) -> None:
    june = tmp_path / "transactions" / "year_month=2025-06"
    july = tmp_path / "transactions" / "year_month=2025-07"
    june.mkdir(parents=True)
    july.mkdir(parents=True)
    tx_frame(created_at="2025-06-15 12:00").write_parquet(june / "part-0.parquet")
    tx_frame(created_at="2025-07-15 12:00").write_csv(july / "part-0.csv")
    with pytest.raises(ContractError, match=r"1 CSV file\(s\) would be left out: .*part-0\.csv"):
        scan_transactions(tmp_path / "transactions")
