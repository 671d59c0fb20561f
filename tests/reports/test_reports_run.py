"""Rendering fixture notebooks end to end: publish, skip, fail safely, gate, and view offline.

The notebooks in tests/reports/fixtures/notebooks/ run on the real ``insights`` kernel
(registered by ``make setup``) against a tiny data folder written here in the production layout.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import zlib
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from insights.cli import main
from insights.errors import ParameterError, ReportError
from insights.reports import RunResult, run_report, run_schedule
from insights.reports.folders import private_root
from insights.reports.privacy import check_privacy, identifier_patterns

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "notebooks"
CATALOGUE = FIXTURES / "catalogue.toml"
CHROMIUM = Path("/usr/bin/chromium")
IDS = [f"c_{i:06d}" for i in range(1, 41)]
TABLE_FILES = ("by_category.csv", "by_category.parquet", "by_category.table.json")
CHART_FILES = tuple(f"customers_by_category.{k}" for k in ("data.csv", "svg", "png", "vl.json"))

pytestmark = pytest.mark.slow


def _tx(month: str) -> pl.DataFrame:
    year, mon = map(int, month.split("-"))
    rows: dict[str, list[Any]] = {k: [] for k in ("customer_id", "created_at", "category", "city")}
    for i, customer in enumerate(IDS):
        for category in ("groceries", "transport"):
            rows["customer_id"].append(customer)
            rows["created_at"].append(datetime(year, mon, 1 + i % 28, 12, tzinfo=UTC))
            rows["category"].append(category)
            rows["city"].append("London" if i < 20 else "Leeds")
    n = len(rows["customer_id"])
    return pl.DataFrame(
        {
            "transaction_id": [f"tx_{month}_{k}" for k in range(n)],
            "customer_id": rows["customer_id"],
            "created_at": pl.Series(rows["created_at"], dtype=pl.Datetime("us", "UTC")),
            "amount_minor": [100 + k for k in range(n)],
            "currency": ["GBP"] * n,
            "merchant_id": [f"m_{c}" for c in rows["category"]],
            "merchant_name": [f"Shop {c}" for c in rows["category"]],
            "merchant_group_id": [f"g_{c}" for c in rows["category"]],
            "merchant_category": rows["category"],
            "merchant_city": rows["city"],
            "is_online": [False] * n,
        }
    )


def write_data(root: Path) -> Path:
    """Two months of transactions in two cities, 40 customers, 640 days of contacts."""
    for month in ("2025-08", "2025-09"):
        folder = root / "transactions" / f"year_month={month}"
        folder.mkdir(parents=True)
        _tx(month).write_parquet(folder / "part-0.parquet")
    pl.DataFrame(
        {
            "customer_id": IDS,
            "opened_at": pl.Series([datetime(2023, 1, 1, tzinfo=UTC)] * 40).dt.cast_time_unit("us"),
            "home_city": ["London"] * 20 + ["Leeds"] * 20,
        }
    ).write_parquet(root / "customers.parquet")
    start = datetime(2024, 1, 1, 9, tzinfo=UTC)
    pl.DataFrame(
        {
            "contact_id": [f"k_{i:07d}" for i in range(640)],
            "customer_id": [IDS[i % 40] for i in range(640)],
            "created_at": pl.Series(
                [start + timedelta(days=i) for i in range(640)]
            ).dt.cast_time_unit("us"),
            "tag": ["card_lost", "payment_dispute"] * 320,
        }
    ).write_parquet(root / "contacts.parquet")
    return root


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_data(tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory, data: Path) -> Iterator[RunResult]:
    out = tmp_path_factory.mktemp("reports")
    yield run_report(
        "good", {"flag": "false"}, data=data, out=out, catalogue=CATALOGUE, cell_timeout=120
    )


def _cli_run(out: Path, data: Path, *args: str) -> int:
    return main(
        [
            *("report", "run", "good", "--catalogue", str(CATALOGUE), "--data", str(data)),
            *("--out", str(out), *args),
        ]
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-p", "flag=maybe"], "flag='maybe' is not a boolean"),
        (["-p", "fleg=true"], "Did you mean 'flag'?"),
        (["-p", "month=2024-01"], "no transactions for that month"),
        (["-p", "city=Londn"], "Did you mean 'London'?"),
        (["-p", "output_dir=/tmp/x"], "set by the runner"),
        (["-p", "month"], "write parameters as -p NAME=VALUE"),
    ],
)
def test_bad_parameters_exit_2_and_write_nothing(
    tmp_path: Path, data: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    out = tmp_path / "reports"
    assert _cli_run(out, data, *args) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_success_publishes_notebook_html_charts_tables_and_manifest(published: RunResult) -> None:
    folder = published.path
    assert published.status == "published"
    assert folder.name == "2025-09_london_p" + published.slug.rsplit("_p", 1)[1]
    names = {p.name for p in folder.iterdir()}
    assert {"report.ipynb", "report.html", "manifest.json", *TABLE_FILES} <= names
    assert {"customers_by_category.svg", "customers_by_category.png"} <= names
    assert "customers_by_category.data.csv" in names
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["status"] == "success"
    assert manifest["parameters"]["flag"] is False
    assert manifest["data"]["date_range"] == ["2025-08-01", "2025-09-28"]
    rows = {f["path"]: f["rows"] for f in manifest["data"]["files"]}
    assert rows["transactions/year_month=2025-09/part-0.parquet"] == 80
    assert all(len(f["sha256"]) == 64 for f in manifest["data"]["files"])
    assert {"polars", "papermill", "python"} <= set(manifest["versions"])
    assert manifest["duration_seconds"] > 0
    assert "git_commit" in manifest
    notebook = (folder / "report.ipynb").read_text()
    assert "flag is False (bool)" in notebook  # -p flag=false arrived as a bool
    assert not list(folder.parent.parent.glob(".tmp-*"))
    assert not list((private_root(folder.parents[1]) / "builds").iterdir())


def test_index_lists_the_published_report(published: RunResult) -> None:
    index = (published.path.parents[1] / "index.html").read_text()
    assert f'href="good/{published.slug}/report.html"' in index
    assert "flag=False" in index


def test_same_parameters_and_data_are_skipped_then_force_renders_identical_tables(
    published: RunResult, data: Path
) -> None:
    out = published.path.parents[1]
    before = {name: (published.path / name).read_bytes() for name in TABLE_FILES + CHART_FILES}
    page_before = (published.path / "report.html").read_text().splitlines()
    again = run_report("good", {"flag": False}, data=data, out=out, catalogue=CATALOGUE)
    assert again.status == "skipped"
    forced = run_report(
        "good", {"flag": False}, data=data, out=out, catalogue=CATALOGUE, force=True
    )
    assert forced.status == "published"
    assert forced.path == published.path
    assert {name: (forced.path / name).read_bytes() for name in TABLE_FILES + CHART_FILES} == before
    page = (forced.path / "report.html").read_text().splitlines()
    changed = [a for a, b in zip(page_before, page, strict=True) if a != b]
    assert all('id="generated-at"' in line for line in changed)


def _catalogue_running(tmp_path: Path, notebook: str) -> Path:
    """A catalogue whose report ``good`` runs another fixture notebook."""
    text = CATALOGUE.read_text().replace(
        'notebook = "good.ipynb"', f'notebook = "{FIXTURES / notebook}"'
    )
    path = tmp_path / "catalogue.toml"
    path.write_text(text)
    return path


def _failure(out: Path, name: str) -> Path:
    [folder] = (out / "_failures" / name).iterdir()
    return folder


def _private_log(out: Path, name: str) -> Path:
    [folder] = (private_root(out) / "logs" / name).iterdir()
    return folder


def test_failure_keeps_the_previous_report_and_files_the_notebook(
    tmp_path: Path, published: RunResult, data: Path
) -> None:
    out = tmp_path / "reports"
    shutil.copytree(published.path.parents[1], out)
    target = out / "good" / published.slug
    before = {p.name: p.read_bytes() for p in target.iterdir()}
    with pytest.raises(ReportError) as info:
        run_report(
            "good",
            {"flag": False},
            data=data,
            out=out,
            catalogue=_catalogue_running(tmp_path, "raises.ipynb"),
        )
    message = str(info.value)  # the operator's message (private): the whole explanation
    assert 'cell 3 (`raise ValueError("planted failure in the fixture, row' in message
    assert "raised ValueError: planted failure in the fixture, row tx_0000000042" in message
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before
    failure = _failure(out, "good")
    assert failure.name.startswith(published.slug + "-")
    assert {p.name for p in failure.iterdir()} == {"error.txt", "error.json"}
    # the published record says where and what kind; the message itself stays private
    assert "cell 3" in (failure / "error.txt").read_text()
    assert "raised ValueError; fix the cell" in (out / "index.html").read_text()
    # issue #11 leak 3: the ids the error quotes reach neither the record nor the index
    published = [p for p in out.rglob("*") if p.suffix in {".txt", ".json", ".html"}]
    for path in published:
        text = path.read_text(encoding="utf-8")
        assert not any(p.search(text) for p in identifier_patterns().values()), path
    assert check_privacy(out, customer_ids=frozenset(IDS), only=["index.html"]) == []
    log = _private_log(out, "good")
    assert {"report.ipynb", "error.txt", "error.json"} <= {p.name for p in log.iterdir()}
    assert "row tx_0000000042 of c_000001" in (log / "error.txt").read_text()
    assert str(log) in message
    assert not list(out.glob(".tmp-*"))


def test_a_cell_past_its_timeout_fails_naming_the_cell(tmp_path: Path, data: Path) -> None:
    with pytest.raises(ReportError, match=r"cell 2 \(`import time`\) ran longer than the per-cell"):
        run_report("slow", {}, data=data, out=tmp_path, catalogue=CATALOGUE, cell_timeout=1)
    assert not (tmp_path / "slow").exists()
    assert (_private_log(tmp_path, "slow") / "report.ipynb").is_file()


def test_a_run_past_its_budget_is_stopped(tmp_path: Path, data: Path) -> None:
    with pytest.raises(ReportError, match=r"exceeded its time budget of 4 s"):
        run_report(
            "slow", {}, data=data, out=tmp_path, catalogue=CATALOGUE, cell_timeout=60, budget=4
        )
    assert not (tmp_path / "slow").exists()
    assert (_failure(tmp_path, "slow") / "error.txt").is_file()


def test_a_dead_kernel_fails_the_run(tmp_path: Path, data: Path) -> None:
    with pytest.raises(ReportError, match=r"kernel died while running cell 2 \(`import os`\)"):
        run_report("dies", {}, data=data, out=tmp_path, catalogue=CATALOGUE)
    assert not (tmp_path / "dies").exists()


def test_privacy_gate_blocks_a_leaked_customer_id(tmp_path: Path, data: Path) -> None:
    with pytest.raises(ReportError, match=r"privacy gate.*report\.ipynb.*customer identifier"):
        run_report("leak_id", {}, data=data, out=tmp_path, catalogue=CATALOGUE)
    assert not (tmp_path / "leak_id").exists()
    failure = _failure(tmp_path, "leak_id")
    assert not (failure / "report.ipynb").exists()  # the leak is not kept around either


def test_privacy_gate_blocks_a_small_group(tmp_path: Path, data: Path) -> None:
    with pytest.raises(
        ReportError, match=r"by_city\.parquet, column customers: row 1 counts 3 customers"
    ):
        run_report("small_counts", {}, data=data, out=tmp_path, catalogue=CATALOGUE)
    assert not (tmp_path / "small_counts").exists()


def test_schedule_skips_published_runs_and_continues_past_failures(
    tmp_path: Path, published: RunResult, data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "reports"
    shutil.copytree(published.path.parents[1], out)
    schedule = tmp_path / "schedule.toml"
    schedule.write_text(
        '[[jobs]]\nreport = "good"\nevery = "month"\nperiod_param = "month"\n'
        'params = { flag = false }\nmatrix = { city = ["Paris", "London"] }\n'
    )
    outcomes = run_schedule(
        date(2025, 10, 1), schedule=schedule, catalogue=CATALOGUE, data=data, out=out
    )
    assert [(o.run.params["city"], o.status) for o in outcomes] == [
        ("Paris", "failed"),
        ("London", "skipped"),
    ]
    code = main(
        [
            *("report", "schedule", "--as-of", "2025-10-01", "--schedule", str(schedule)),
            *("--catalogue", str(CATALOGUE), "--data", str(data), "--out", str(out)),
        ]
    )
    printed = capsys.readouterr().out
    assert code == 1
    assert "2 due as of 2025-10-01: 0 published, 1 skipped, 1 failed" in printed
    assert "good month=2025-09 city=Paris flag=False" in printed


def test_parameter_errors_raise_before_anything_runs(tmp_path: Path, data: Path) -> None:
    with pytest.raises(ParameterError, match="no transactions at merchants in that city"):
        run_report("good", {"city": "Paris"}, data=data, out=tmp_path, catalogue=CATALOGUE)
    assert list(tmp_path.iterdir()) == []


# --- the page in a real browser, offline -------------------------------------------------


def _png_pixels(path: Path) -> tuple[int, int, bytes]:
    """Width, height and raw (filtered) scanlines of a PNG, with the standard library."""
    blob = path.read_bytes()
    assert blob[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height = 8, b"", 0, 0
    while pos < len(blob):
        (length,) = struct.unpack(">I", blob[pos : pos + 4])
        kind, body = blob[pos + 4 : pos + 8], blob[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    return width, height, zlib.decompress(idat)


def _chromium(*args: str, profile: Path) -> subprocess.CompletedProcess[str]:
    offline = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--proxy-server=127.0.0.1:9",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        f"--user-data-dir={profile}",
    ]
    return subprocess.run(
        [str(CHROMIUM), *offline, *args],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
        env={**os.environ, "HOME": str(profile)},
    )


@pytest.mark.browser
def test_report_page_renders_offline_in_headless_chromium(
    published: RunResult, tmp_path: Path
) -> None:
    if not CHROMIUM.exists():
        pytest.skip(
            "headless Chromium not found at /usr/bin/chromium; install it with "
            "`apt-get install -y chromium` to run the browser tests"
        )
    page = (published.path / "report.html").as_uri()
    html = (published.path / "report.html").read_text()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "max-width" in html
    assert "<script" not in html
    assert "generated" in html
    assert "Data from 1 August 2025 to 28 September 2025" in html  # local dates, in words
    assert "import polars" not in html  # code is hidden

    dom = _chromium("--dump-dom", page, profile=tmp_path / "dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "<title>A good report: London, September 2025</title>" in dom.stdout
    assert dom.stdout.count("<h1") == 1
    charts = dom.stdout.count("data:image/svg+xml") + dom.stdout.count("<svg")
    assert charts >= 1, "the chart is missing from the rendered page"

    # the Content-Security-Policy forbids network loads even if a chart library adds one
    assert 'http-equiv="Content-Security-Policy"' in html
    tampered = tmp_path / "tampered.html"
    tampered.write_text(html.replace("</main>", '<img src="http://127.0.0.1:9/x.png"></main>'))
    blocked = _chromium(
        "--enable-logging=stderr",
        "--v=0",
        "--dump-dom",
        tampered.as_uri(),
        profile=tmp_path / "csp",
    )
    assert "violates the following Content Security Policy directive" in blocked.stderr

    shot = tmp_path / "phone.png"
    done = _chromium(
        "--window-size=412,900", f"--screenshot={shot}", page, profile=tmp_path / "shot"
    )
    assert done.returncode == 0, done.stderr[-2000:]
    width, height, pixels = _png_pixels(shot)
    assert (width, height) == (412, 900)
    assert len(set(pixels)) > 16, "the screenshot is blank"
