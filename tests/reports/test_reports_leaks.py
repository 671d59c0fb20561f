"""Issue #11's reproductions on a real render: a rare tag on a small sample, as the audit ran it.

``insights sample --customers 3000``, reduced to marts, then ``insights report run
contact_rate_forecast -p tags=fraud``: fraud contacts are a handful a day, so most channel-days
and half hours count fewer than 10 people. The published folder and the index must give none
of them back:

1. no rate, ``y`` or count of a suppressed channel-day in the history, the charts' data
   (``.data.csv``, ``.vl.json``) or the forecast record (no rate × open accounts either);
2. no small count in what the notebook cells display (``report.ipynb``, ``report.html``);
3. no identifier anywhere: raw data with duplicated transactions is refused before any render,
   its example rows (ids included) go to the operator only, and nothing under the reports root
   holds an id (failure records of a failing cell are in test_reports_run);
4. no small count in the intraday profile: small half hours are pooled, the chart publishes
   only its weekday and weekend lines (shares), and the staffing plan splits days with the
   pooled shares.

One render (~1 min of CPU); the default-sample renders are checked the same way in
test_reports_flagship.py.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from insights.contacts.intraday import channel_profiles
from insights.contacts.intraday_charts import day_type_lines
from insights.data.sample import write_sample
from insights.errors import InsightsError
from insights.reduce.marts import read_mart
from insights.reduce.pipeline import write_marts
from insights.reports import run_report
from insights.reports.privacy import check_privacy, gate, identifier_patterns

pytestmark = pytest.mark.slow

CATALOGUE = Path(__file__).resolve().parents[2] / "notebooks" / "catalogue.toml"
K = 10


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("small_sample")
    write_sample(folder, customers=3000)
    return folder


@pytest.fixture(scope="module")
def marts(tmp_path_factory: pytest.TempPathFactory, raw: Path) -> Path:
    folder = tmp_path_factory.mktemp("small_marts")
    write_marts(raw, folder)
    return folder


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory, marts: Path) -> Iterator[tuple[Path, Path]]:
    out = tmp_path_factory.mktemp("reports")
    params = {"as_of": "2025-08-31", "tags": "fraud"}
    result = run_report("contact_rate_forecast", params, data=marts, out=out, catalogue=CATALOGUE)
    yield out, result.path


def _spec_rows(path: Path) -> list[pl.DataFrame]:
    spec = json.loads(path.read_text())
    return [pl.DataFrame(rows, infer_schema_length=None) for rows in spec["datasets"].values()]


def test_leak_1_no_chart_or_record_gives_a_suppressed_channel_day_back(
    reports: tuple[Path, Path],
) -> None:
    _, folder = reports
    history = pl.read_csv(folder / "history.csv", try_parse_dates=True)
    hidden = history.filter(pl.col("customers").is_null()).select("unique_id", "ds")
    assert hidden.height > 100  # a rare tag on a small sample: most days are suppressed
    assert history.filter(pl.col("customers").is_between(1, K - 1)).is_empty()
    published = [
        pl.read_csv(folder / "contact_rate_history.data.csv", try_parse_dates=True),
        pl.read_parquet(folder / "forecast_record.parquet"),
        *_spec_rows(folder / "contact_rate_history.vl.json"),
        *_spec_rows(folder / "volume_forecast_chart.vl.json"),
    ]
    recovered = 0
    for table in published:
        if not {"unique_id", "ds"} <= set(table.columns):
            continue
        keyed = table.with_columns(pl.col("ds").cast(pl.String).str.slice(0, 10).str.to_date())
        hit = keyed.join(hidden, on=["unique_id", "ds"])
        for column in ("y", "rate", "contacts", "customers"):
            if column in hit.columns:
                recovered += hit.get_column(column).drop_nulls().len()
    assert recovered == 0
    # the rate next to its denominator: nowhere in the history either
    assert history.filter(pl.col("rate").is_not_null() & pl.col("customers").is_null()).is_empty()


def test_leak_2_cells_display_no_small_count_and_the_gate_agrees(
    reports: tuple[Path, Path],
) -> None:
    out, folder = reports
    notebook = json.loads((folder / "report.ipynb").read_text())

    def html(cell: dict[str, object]) -> str:
        outputs = cell.get("outputs", [])
        assert isinstance(outputs, list)
        return "".join("".join(o.get("data", {}).get("text/html", "")) for o in outputs)

    # the tables the notebook displays (the forecast, staffing, backtest and tracking tables)
    shown = [
        c
        for c in notebook["cells"]
        if "".join(c["source"]).startswith("ins.show(") and "<table" in html(c)
    ]
    assert len(shown) >= 3
    report = gate(folder, customer_ids=frozenset())
    assert report.violations == []
    # the gate read every displayed table, not only the files the notebook declared
    read = {w.split(" table ")[0] for w in report.tables if w.startswith("report.ipynb cell")}
    read = {w for w in read if " chart" not in w}
    assert len(read) == len(shown)
    assert report.suppressed_cells > 100 and report.pooled_cells > 0
    manifest = json.loads((folder / "manifest.json").read_text())["privacy"]
    assert manifest["violations"] == 0 and manifest["pooled_cells"] > 0
    assert check_privacy(out, customer_ids=frozenset(), only=["index.html"]) == []


def test_leak_4_intraday_half_hours_are_pooled_and_staffing_uses_the_pooled_shares(
    reports: tuple[Path, Path], marts: Path
) -> None:
    _, folder = reports
    profile = channel_profiles(
        read_mart(marts, "contact_intervals"), as_of="2025-08-31", tags=["fraud"]
    )
    counts = profile.get_column("contacts")
    assert not counts.is_between(1, K - 1).any()
    assert profile.get_column("pooled").any()
    assert (counts.is_null() == profile.get_column("pooled")).all()
    # the chart publishes the lines it draws, built from the pooled shares: no count at all
    drawn = pl.read_csv(folder / "intraday_profile.data.csv")
    assert drawn.columns == ["unique_id", "day_type", "time", "hour", "share", "pooled"]
    assert drawn.get_column("pooled").any()
    assert_frame_equal(drawn, day_type_lines(profile), check_dtypes=False)
    plan = pl.read_csv(folder / "staffing_intervals.csv", try_parse_dates=True)
    keys = ["unique_id", "weekday", "interval"]
    split = plan.select(
        "unique_id",
        pl.col("ds").dt.weekday().cast(pl.Int64).alias("weekday"),
        "interval",
        pl.col("share").alias("split"),
    ).join(profile.select(*keys, "share").cast({"weekday": pl.Int64}), on=keys, how="left")
    assert split.height and ((split["split"] - split["share"]).abs() < 1e-9).all()


def test_leak_3_duplicate_rows_in_raw_data_publish_no_identifier(
    reports: tuple[Path, Path], raw: Path, tmp_path: Path
) -> None:
    # the audit's command: three duplicated transactions, then a render from the raw folder
    out, _ = reports
    dupes = tmp_path / "dupes"
    shutil.copytree(raw, dupes)
    part = dupes / "transactions" / "year_month=2025-09" / "part-0.parquet"
    frame = pl.read_parquet(part)
    pl.concat([frame, frame.head(3)]).write_parquet(part)
    with pytest.raises(InsightsError) as info:
        run_report(
            "trending_spending", {"city": "London"}, data=dupes, out=out, catalogue=CATALOGUE
        )
    assert "transaction_id: unique" in str(info.value)  # the operator is told (privately)
    for path in (p for p in out.rglob("*") if p.suffix in {".html", ".json", ".txt", ".csv"}):
        text = path.read_text(encoding="utf-8")
        assert not any(p.search(text) for p in identifier_patterns().values()), path
