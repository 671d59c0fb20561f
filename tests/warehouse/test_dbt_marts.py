"""The marts as dbt models (``warehouse/``): built by dbt-duckdb, equal to the polars reduce.

One generated sample, built twice by ``dbt build``: first without its last UTC month, then
with it (an incremental run), exactly as a daily pipeline sees data arrive. Every mart must then
equal the polars ``insights reduce`` mart of the whole sample, row for row. The BigQuery SQL
of the same models is compiled without a BigQuery (``sql_dialect: bigquery``), parsed in
BigQuery's dialect with sqlglot, and run on DuckDB through sqlglot's transpiler: it must give the
same marts too.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import duckdb
import pytest
import sqlglot
from polars.testing import assert_frame_equal
from sqlglot import exp
from warehouse_tools import ROOT, clean_env, tool  # type: ignore[import-not-found]

from insights.errors import ContractError, ParameterError
from insights.reduce.marts import MART_NAMES, mart, read_manifest, read_mart
from insights.reduce.pipeline import write_marts
from insights.reduce.warehouse import export_marts

# Two dbt builds and a polars reduce in the first test's fixture: minutes on a busy machine.
pytestmark = pytest.mark.timeout(1800)

WAREHOUSE = ROOT / "warehouse"
LAST_MONTH = "year_month=2025-09"
TZ = "Europe/London"
RAW_TIMESTAMPS = {"created_at", "opened_at", "closed_at"}


def dbt(
    command: str, *, data: Path, db: Path, target: Path, **dbt_vars: str
) -> subprocess.CompletedProcess[str]:
    """Run one dbt command on the warehouse project against ``db``, reading ``data``."""
    args = [
        str(tool(".dbt", "dbt")),
        command,
        "--project-dir",
        str(WAREHOUSE),
        "--profiles-dir",
        str(WAREHOUSE),
        "--target-path",
        str(target),
        "--log-path",
        str(target / "logs"),
        "--vars",
        json.dumps({"data_dir": str(data), "tz": TZ, **dbt_vars}),
    ]
    done = subprocess.run(
        args,
        cwd=WAREHOUSE,
        env=clean_env(INSIGHTS_WAREHOUSE_DB=str(db), DBT_SEND_ANONYMOUS_USAGE_STATS="false"),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, f"dbt {command} failed:\n{done.stdout[-4000:]}\n{done.stderr}"
    return done


def _copy_sample(sample: Path, into: Path, *, skip: str | None = None) -> None:
    """Copy ``sample`` into ``into``, leaving out one UTC month folder of transactions."""
    (into / "transactions").mkdir(parents=True, exist_ok=True)
    for part in sorted((sample / "transactions").iterdir()):
        if part.name != skip and not (into / "transactions" / part.name).exists():
            shutil.copytree(part, into / "transactions" / part.name)
    for name in ("customers.parquet", "contacts.parquet"):
        shutil.copy2(sample / name, into / name)


def _results(target: Path) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = json.loads((target / "run_results.json").read_text())["results"]
    return results


@pytest.fixture(scope="module")
def built(warehouse_sample: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """dbt build without the last UTC month, then again with it (incremental)."""
    root = tmp_path_factory.mktemp("dbt")
    data, db = root / "data", root / "insights.duckdb"
    _copy_sample(warehouse_sample, data, skip=LAST_MONTH)
    dbt("build", data=data, db=db, target=root / "first")
    _copy_sample(warehouse_sample, data)
    dbt("build", data=data, db=db, target=root / "second")
    polars_marts = root / "polars_marts"
    write_marts(warehouse_sample, polars_marts, tz=TZ)
    return {"root": root, "db": db, "polars": polars_marts, "data": data}


@pytest.mark.slow
def test_both_builds_pass_every_model_contract_and_test(built: dict[str, Path]) -> None:
    for run in ("first", "second"):
        results = _results(built["root"] / run)
        models = [r for r in results if r["unique_id"].startswith("model.")]
        tests = [r for r in results if r["unique_id"].startswith("test.")]
        assert sorted(r["unique_id"].split(".")[-1] for r in models) == sorted(MART_NAMES)
        assert len(tests) > 3 * len(MART_NAMES)  # keys, not null, bounds, values, row counts
        assert {r["status"] for r in results} <= {"success", "pass"}, [
            (r["unique_id"], r["status"]) for r in results if r["status"] not in {"success", "pass"}
        ]


@pytest.mark.slow
def test_the_second_build_recomputes_from_the_latest_month_only(built: dict[str, Path]) -> None:
    second = built["root"] / "second"
    for name in MART_NAMES:
        models = Path("insights_warehouse") / "models" / "marts" / f"{name}.sql"
        executed = (second / "run" / models).read_text().lower()
        compiled = " ".join((second / "compiled" / models).read_text().lower().split())
        if mart(name).source == "transactions":
            # the batch starts at local midnight of the latest month already built, and
            # replaces the months it holds (delete+insert on DuckDB)
            this = f'from "insights"."main"."{name}"'
            assert "(select timezone('europe/london', cast(date_trunc('month', max(" in compiled
            assert this in compiled, name
            assert "delete from" in executed, name
        else:
            assert "delete from" not in executed, name  # contact and account marts: rebuilt


@pytest.mark.slow
@pytest.mark.parametrize("name", MART_NAMES)
def test_every_dbt_mart_equals_the_polars_reduce(
    built: dict[str, Path], tmp_path: Path, name: str
) -> None:
    exported = export_marts(built["db"], tmp_path / "dbt_marts", tz=TZ, marts=[name])
    assert read_manifest(exported)["engine"] == "dbt"
    from_dbt = read_mart(exported, name)
    from_polars = read_mart(built["polars"], name)
    assert from_dbt.height > 0
    assert_frame_equal(from_dbt, from_polars)


def _bigquery_sql(target: Path) -> dict[str, str]:
    """Compiled model SQL with BigQuery's identifier quoting (dbt-duckdb quotes with ")."""
    folder = target / "compiled" / "insights_warehouse" / "models" / "marts"
    return {
        name: re.sub(r'"([^"]+)"', r"`\1`", (folder / f"{name}.sql").read_text())
        for name in MART_NAMES
    }


def _check_bigquery(name: str, sql: str) -> exp.Expression:
    tree = sqlglot.parse_one(sql, read="bigquery", error_level=sqlglot.ErrorLevel.RAISE)
    unknown = sorted({f.name for f in tree.find_all(exp.Anonymous)})
    assert not unknown, f"{name}: functions BigQuery does not have: {unknown}"
    for column in tree.find_all(exp.Column):
        if column.name not in RAW_TIMESTAMPS:
            continue
        # a UTC timestamp is only ever read through the local calendar (or compared to an
        # instant built from it), never cast to a date in UTC
        calendar = column.find_ancestor(exp.Date, exp.Datetime, exp.GTE, exp.Is, exp.Max)
        assert calendar is not None, f"{name}: {column.sql('bigquery')} used outside a time zone"
        if isinstance(calendar, exp.Date | exp.Datetime):
            assert calendar.args.get("zone") is not None or TZ in calendar.sql("bigquery"), name
    return tree


@pytest.mark.slow
def test_the_bigquery_sql_parses_and_gives_the_same_marts(
    built: dict[str, Path], warehouse_sample: Path
) -> None:
    root = built["root"]
    fresh = root / "bigquery_fresh"
    dbt("compile", data=built["data"], db=root / "empty.duckdb", target=fresh,
        sql_dialect="bigquery", raw_project="bank-lake")  # fmt: skip
    incremental = root / "bigquery_incremental"
    shutil.copy(built["db"], root / "copy.duckdb")
    dbt("compile", data=built["data"], db=root / "copy.duckdb", target=incremental,
        sql_dialect="bigquery", raw_project="bank-lake")  # fmt: skip
    for name, sql in _bigquery_sql(incremental).items():
        _check_bigquery(name, sql)
        if mart(name).source == "transactions":
            assert "`bank-lake`.`raw`.`transactions`" in sql and "max(" in sql.lower(), name
    # What the BigQuery SQL means, run on DuckDB through sqlglot's BigQuery -> DuckDB transpiler.
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute("CREATE SCHEMA raw")
    for table, files in {
        "transactions": "transactions/**/*.parquet",
        "customers": "customers.parquet",
        "contacts": "contacts.parquet",
    }.items():
        source = f"read_parquet('{warehouse_sample / files}', hive_partitioning = false)"
        con.execute(f"CREATE VIEW raw.{table} AS SELECT * FROM {source}")
    for name, sql in _bigquery_sql(fresh).items():
        tree = _check_bigquery(name, sql.replace("`bank-lake`.", ""))
        got = con.sql(tree.sql("duckdb")).pl()
        m = mart(name)
        got = got.select(m.columns).cast(dict(m.schema)).sort(list(m.keys), nulls_last=False)
        want = read_mart(built["polars"], name).sort(list(m.keys), nulls_last=False)
        assert_frame_equal(got, want, check_row_order=True)


def _load_generator() -> Any:
    spec = importlib.util.spec_from_file_location(
        "generate_schema", WAREHOUSE / "generate_schema.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_dbt_contracts_are_generated_from_the_mart_contracts() -> None:
    generated = _load_generator().schema()
    committed = (WAREHOUSE / "models" / "marts" / "_marts.yml").read_text(encoding="utf-8")
    assert committed == generated, "run `make warehouse-schema` and commit _marts.yml"
    for name in MART_NAMES:
        assert (WAREHOUSE / "models" / "marts" / f"{name}.sql").is_file(), name
        assert f"- name: {name}\n" in committed


def test_export_refuses_a_mart_breaking_its_contract(tmp_path: Path) -> None:
    db = tmp_path / "bad.duckdb"
    con = duckdb.connect(str(db))
    con.execute(
        "CREATE TABLE total_monthly AS SELECT DATE '2025-09-01' AS month, "
        "CAST(-1 AS BIGINT) AS customers, CAST(3 AS BIGINT) AS payments, "
        "CAST(300 AS BIGINT) AS spend_minor"
    )
    con.close()
    out = tmp_path / "marts"
    with pytest.raises(ContractError, match="customers: minimum 0"):
        export_marts(db, out, marts=["total_monthly"])
    assert not (out / "manifest.json").exists()
    with pytest.raises(ContractError, match="make warehouse"):
        export_marts(db, out, marts=["city_monthly"])


def test_export_names_the_missing_warehouse(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="make warehouse"):
        export_marts(tmp_path / "nowhere.duckdb", tmp_path / "marts")
