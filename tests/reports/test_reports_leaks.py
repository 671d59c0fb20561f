"""The audit's reproductions on real renders of a small, adversarial population.

``insights sample --customers 3000``: most channel-days have fewer than 10 customers in touch,
places have a handful of regulars; every published file must still hold no count under 10,
directly or recoverably, no identifier and no machine path.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from insights.cli import main
from insights.data.sample import write_sample
from insights.reports import RunResult, run_report
from insights.reports.folders import private_root
from insights.reports.privacy import check_privacy

pytestmark = pytest.mark.slow
IDS = re.compile(r"c_[0-9]{6}|tx_[0-9]{10}")


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("small")
    write_sample(data, customers=3000)
    return data


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("published") / "reports"


@pytest.fixture(scope="module")
def contact(small: Path, out: Path) -> Iterator[RunResult]:
    yield run_report("contact_rate_forecast", {"as_of": "2025-08-31"}, data=small, out=out)


@pytest.fixture(scope="module")
def trending(small: Path, out: Path) -> Iterator[RunResult]:
    yield run_report("trending_spending", {"month": "2025-09", "city": "London"}, data=small, out=out)


def _csv(folder: Path, name: str) -> pl.DataFrame:
    return pl.read_csv(folder / f"{name}.csv", try_parse_dates=True, infer_schema_length=None)


def test_leak_1_no_chart_gives_back_a_suppressed_day(contact: RunResult) -> None:
    folder = contact.path
    history = _csv(folder, "history")
    hidden = history.filter(pl.col("customers").is_null())
    assert hidden.height > 100  # the population is small: many days are suppressed
    assert (hidden["suppressed"] == "contacts,customers,rate").all()
    rate_chart = _csv(folder, "contact_rate_history.data").filter(pl.col("y").is_not_null())
    assert hidden.join(rate_chart, on=["unique_id", "ds"]).is_empty()
    spec = json.loads((folder / "volume_forecast_chart.vl.json").read_text())
    for rows in spec["datasets"].values():
        drawn = pl.DataFrame(rows, infer_schema_length=None)
        if "y" in drawn.columns:  # the history drawn beside the forecast
            days = drawn.filter(pl.col("y").is_not_null()).select(
                "unique_id", pl.col("ds").str.slice(0, 10).str.to_date()
            )
            assert hidden.join(days, on=["unique_id", "ds"]).is_empty()
    recovered = history.filter(pl.col("rate").is_not_null()).select(
        pl.col("rate") * pl.col("active_customers") / 1000
    )
    counts = recovered.to_series().round(6)
    assert ((counts == 0) | (counts >= 10)).all()


def test_leak_2_notebook_output_is_suppressed(contact: RunResult) -> None:
    notebook = json.loads((contact.path / "report.ipynb").read_text())
    [cell] = [c for c in notebook["cells"] if "ins.show(history.tail(6))" in "".join(c["source"])]
    assert cell["outputs"]  # the table is displayed ...
    # ... and the gate, run again over everything published, finds no small count in it
    assert check_privacy(contact.path, customer_ids=frozenset()) == []


def test_leak_4_derived_people_counts_follow_the_floor(
    contact: RunResult, trending: RunResult
) -> None:
    profile = _csv(contact.path, "intraday_profile.data")
    assert not profile["contacts"].cast(pl.Float64).is_between(1, 9.999).any()
    ranked = pl.read_parquet(trending.path / "trending.parquet")
    for column in ("customers", "repeat_customers", "baseline_repeat"):
        assert not ranked[column].is_between(1e-9, 9.999).any(), column


def test_manifest_records_the_gate_and_nothing_names_the_machine(
    contact: RunResult, trending: RunResult, out: Path
) -> None:
    privacy = contact.manifest["privacy"]
    assert privacy["violations"] == 0
    assert privacy["suppressed_cells"] > 0
    assert privacy["people_columns"]["history.csv"] == ["contacts", "customers", "active_customers"]
    home = str(Path.cwd().resolve())
    for folder in (contact.path, trending.path):
        for name in ("report.ipynb", "report.html", "manifest.json"):
            assert home not in (folder / name).read_text(), name
            assert str(out.parent) not in (folder / name).read_text(), name
    assert home not in (out / "index.html").read_text()


def test_leak_3_no_identifier_reaches_the_failure_record_or_index(
    small: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    dupes = tmp_path / "dupes"
    shutil.copytree(small, dupes)
    part = dupes / "transactions" / "year_month=2025-09" / "part-0.parquet"
    frame = pl.read_parquet(part)
    pl.concat([frame, frame.head(3)]).write_parquet(part)
    out = tmp_path / "reports"
    code = main(
        [
            *("report", "run", "trending_spending", "--data", str(dupes), "--out", str(out)),
            *("-p", "city=London"),
        ]
    )
    assert code == 1
    printed = capsys.readouterr().err
    assert str(private_root(out) / "logs") in printed  # where the full detail went
    for path in [out / "index.html", *out.rglob("*")]:
        if path.is_file():
            assert not IDS.search(path.read_text(errors="replace")), path
    logs = list((private_root(out) / "logs").rglob("*"))
    assert any(p.is_file() and IDS.search(p.read_text(errors="replace")) for p in logs)
