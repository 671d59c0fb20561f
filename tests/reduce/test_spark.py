"""The library's aggregates on PySpark (local mode) give exactly the polars answers.

One Spark session for the module (``local[2]``, four shuffle partitions, no UI). Skipped with a
message when Java or PySpark is missing; run only these with ``pytest -m spark``.
"""

from __future__ import annotations

import importlib.util
import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from test_marts import random_tx as mart_tx, write_data
from test_partitioned import KEYS, random_tx, whole

from insights.errors import ParameterError
from insights.reduce.aggregates import to_polars
from insights.reduce.marts import MART_NAMES, read_manifest, read_mart
from insights.reduce.partitioned import AGGREGATES
from insights.reduce.pipeline import write_marts
from insights.reports.catalogue import load_catalogue
from insights.reports.data import data_files, fingerprint
from insights.reports.data_params import check_params_against_data

pytestmark = [
    pytest.mark.spark,
    # py4j leaves its gateway sockets to the garbage collector; nothing of ours is unclosed.
    pytest.mark.filterwarnings("ignore:unclosed <socket.socket:ResourceWarning"),
]
JOB = Path(__file__).parents[2] / "jobs" / "spark_reduce.py"


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    if shutil.which("java") is None:
        pytest.skip("Spark tests need Java 17+ on PATH (apt install openjdk-17-jre-headless)")
    pyspark_sql = pytest.importorskip("pyspark.sql", reason="pip install 'insights[spark]'")
    with warnings.catch_warnings():
        # Starting the JVM may warn about the local host name / native Hadoop libraries.
        warnings.simplefilter("ignore")
        session = (
            pyspark_sql.SparkSession.builder.master("local[2]")
            .appName("insights-tests")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.default.parallelism", "2")
            .config("spark.sql.session.timeZone", "Europe/London")
            .config("spark.driver.memory", "1g")
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .getOrCreate()
        )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def tx() -> pl.DataFrame:
    return random_tx(rows=1500, seed=11)


@pytest.fixture(scope="module")
def spark_tx(spark: Any, tx: pl.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Any:
    # Through Parquet, as in production (and created_at stays an instant).
    path = tmp_path_factory.mktemp("spark_tx") / "tx.parquet"
    tx.write_parquet(path)
    return spark.read.parquet(str(path))


@pytest.mark.parametrize("name", list(AGGREGATES))
def test_spark_equals_polars(spark_tx: Any, tx: pl.DataFrame, name: str) -> None:
    result = AGGREGATES[name](spark_tx, tz="Europe/London")
    assert type(result).__module__.startswith("pyspark.sql")
    assert_frame_equal(to_polars(result).sort(KEYS[name]), whole(name, tx))


def test_spark_in_another_session_time_zone_is_refused(spark: Any, spark_tx: Any) -> None:
    with pytest.raises(ParameterError, match=r"spark\.sql\.session\.timeZone"):
        AGGREGATES["active_customers_daily"](spark_tx, tz="America/New_York")


def _job() -> ModuleType:
    spec = importlib.util.spec_from_file_location("spark_reduce", JOB)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_job_writes_a_mart_folder_equal_to_polars(
    spark: Any, spark_tx: Any, tx: pl.DataFrame, tmp_path: Path
) -> None:
    written = _job().reduce_to_parquet(
        spark, spark_tx, str(tmp_path), marts=["merchant_monthly", "group_daily"]
    )
    assert sorted(written) == ["group_daily", "merchant_monthly"]
    assert sorted(read_manifest(tmp_path)["marts"]) == ["group_daily", "merchant_monthly"]
    for name in written:
        assert_frame_equal(read_mart(tmp_path, name).sort(KEYS[name]), whole(name, tx))


def test_job_writes_plain_parquet_to_a_uri(spark: Any, spark_tx: Any, tmp_path: Path) -> None:
    # A URI the driver cannot write as a path (s3://, gs://...) gets Spark's Parquet per mart.
    written = _job().reduce_to_parquet(
        spark, spark_tx, f"file://{tmp_path}/", marts=["group_daily"]
    )
    assert written == {"group_daily": f"{tmp_path}/group_daily"}
    assert (tmp_path / "manifest.json").is_file()
    assert _job()._is_local("/dbfs/mnt/marts")
    assert not _job()._is_local("s3://lake/marts")
    assert not _job()._is_local("dbfs:/mnt/marts")


def test_job_sets_the_session_time_zone(spark: Any, spark_tx: Any, tmp_path: Path) -> None:
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    try:
        _job().reduce_to_parquet(spark, spark_tx, str(tmp_path), marts=["group_daily"])
        assert spark.conf.get("spark.sql.session.timeZone") == "Europe/London"
    finally:
        spark.conf.set("spark.sql.session.timeZone", "Europe/London")


def test_job_writes_every_mart_equal_to_the_local_reduce(spark: Any, tmp_path: Path) -> None:
    raw = write_data(tmp_path / "raw", mart_tx(rows=800))
    write_marts(raw, tmp_path / "local")
    read = spark.read.parquet
    spark_dir = tmp_path / "spark"
    written = _job().reduce_to_parquet(
        spark,
        read(str(raw / "transactions")).drop("year_month"),
        str(spark_dir),
        contacts=read(str(raw / "contacts.parquet")),
        customers=read(str(raw / "customers.parquet")),
        data=str(raw),
    )
    assert sorted(written) == sorted(MART_NAMES)
    for name in MART_NAMES:
        # The same rows in the same order: both folders are written by the same writer.
        assert_frame_equal(read_mart(spark_dir, name), read_mart(tmp_path / "local", name))
    # The same manifest, but for the run's names and times: months, rows per file and mart,
    # contract versions, the currency and each source's date range.
    local, on_spark = read_manifest(tmp_path / "local"), read_manifest(spark_dir)
    assert on_spark["engine"] == "spark"
    assert (on_spark["tz"], on_spark["definitions"]) == (local["tz"], local["definitions"])
    for name in MART_NAMES:
        mine, theirs = on_spark["marts"][name], local["marts"][name]
        assert (mine["version"], mine["rows"]) == (theirs["version"], theirs["rows"])
        rows = {m: e["rows"] for m, e in mine["months"].items() if e["rows"]}
        assert rows == {m: e["rows"] for m, e in theirs["months"].items() if e["rows"]}
    for source in ("transactions", "contacts"):
        for key in ("first_day", "last_day", "currency", "currencies"):
            assert on_spark["sources"][source].get(key) == local["sources"][source].get(key)
    # The report runner's pre-kernel checks and fingerprint read it as any mart folder.
    spec = load_catalogue().get("trending_spending")
    values = {p.name: p.default for p in spec.params} | {"month": "2025-09", "city": "Leeds"}
    check_params_against_data(spec, values, data=spark_dir)
    with pytest.raises(ParameterError, match=r"no transactions for that month.*2025-02 to"):
        check_params_against_data(spec, values | {"month": "2024-01"}, data=spark_dir)
    files = data_files(spec, data=spark_dir)
    assert files
    assert [e["sha256"] for e in fingerprint(files, data=spark_dir)["files"]] == [
        entry["sha256"]
        for name in sorted({f.parents[1].name for f in files})
        for _, entry in sorted(on_spark["marts"][name]["months"].items())
        if entry.get("path")
    ]
